//! volost: the node of a rural council's e-government desk.
//!
//! `domain` holds the types and rules, `store` the redb tables, `service` the one layer every
//! command and query goes through. See ARCHITECTURE.md.

pub mod api;
pub mod backup;
pub mod catalog;
pub mod clock;
// Its own crate (crates/config), named here as it always was.
pub use volost_config as config;
pub mod daemon;
pub mod demo;
// Its own crate (crates/domain), named here as it always was: `crate::domain::…` everywhere.
pub use volost_domain as domain;
pub mod export;
pub mod kdf;
pub mod registry;
pub mod service;
pub mod setup;
pub mod shutdown;
pub mod smev;
// Its own crate (crates/store).
pub use volost_store as store;

pub use service::{Actor, Error, Node, Options};
