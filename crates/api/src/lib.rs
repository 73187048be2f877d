//! The local API of volost: what staff clients (the TUI on the console and over SSH, the
//! command line) ask the daemon, and what it answers.
//!
//! - [`call`]: one struct per operation, what it takes;
//! - [`Call`] and [`Op`]: the operations in one enum, each naming its reply type;
//! - [`view`]: the rows, cards, queries and inputs the operations carry;
//! - [`proto`]: the request and reply lines, the one error shape;
//! - [`Client`]: the blocking client of the daemon's Unix socket.
//!
//! **Architecture Invariant:** no logic lives here beyond constructors and the words on the
//! screen; the daemon's dispatch (`volost::api::dispatch`) implements [`Serve`].

pub mod call;
pub mod client;
mod ops;
pub mod proto;
pub mod setup;
pub mod view;

pub use client::{Client, ClientError};
pub use ops::{Call, Op, Serve};
pub use proto::{
    ApiError, Bytes, CheckReply, ExportReply, FileReply, ListArgs, OneTimePassword, Pin,
    PrintReply, Pulse, Reply, Request, SessionInfo,
};
pub use view::*;
