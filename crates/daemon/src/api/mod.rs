//! The local API: what staff clients (the TUI, on the console and over SSH) ask the daemon.
//! The contract (calls, replies, views, the blocking client) is crate `volost-api`, re-exported
//! here; [`session`] holds the tokens and [`dispatch`] answers every call from the service
//! layer.

pub mod dispatch;
pub mod session;

pub use dispatch::{Api, Caller};
pub use session::Sessions;
pub use volost_api::*;
