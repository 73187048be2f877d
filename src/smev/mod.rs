//! SMEV 3, the federal exchange. [`link`] is the state of the node's link to it, which the
//! exchange worker reports and `/health`, `/metrics` and the TUI's status line show.

pub mod business;
pub mod c14n;
pub mod decode;
pub mod dsig;
pub mod envelope;
pub mod formats;
pub mod gost;
pub mod inspect;
pub mod keys;
pub mod link;
pub mod outbox;
pub mod personal;
pub mod portal;
pub mod profile;
pub mod regional;
pub mod reply;
pub mod sim;
pub mod staff;
pub mod status;
pub mod transform;
pub mod worker;
pub mod xml;

pub use link::{Link, LinkSnapshot, LinkState};
