//! The local API: what staff clients (the TUI, on the console and over SSH) ask the daemon.
//! [`proto`] is the wire format, [`session`] the tokens, [`dispatch`] the one mapping onto
//! the service layer, [`client`] the blocking client the TUI and the CLI use.

pub mod client;
pub mod dispatch;
pub mod proto;
pub mod session;

pub use client::Client;
pub use dispatch::{Api, Caller};
pub use proto::{
    ApiError, Bytes, Call, CheckReply, ExportReply, FileReply, ListArgs, OneTimePassword, Pin,
    Pulse, Reply, Request, SessionInfo,
};
pub use session::Sessions;
