//! volost: the node of a rural council's e-government desk — the parts around the core:
//! the SMEV adapter, the daemon and its local API, backups, the appliance setup, the demo.
//! The core and the crates below it are named here as they always were. See ARCHITECTURE.md.

pub mod api;
pub mod backup;
// Its own crate (crates/config), named here as it always was.
pub use volost_config as config;
pub mod daemon;
pub mod demo;
// Its own crate (crates/domain), named here as it always was: `crate::domain::…` everywhere.
pub use volost_domain as domain;
pub mod registry;
pub mod setup;
pub mod shutdown;
pub mod smev;
// Its own crate (crates/store).
pub use volost_store as store;

// The core (crates/core), named here as it always was.
pub use volost_core::{Actor, Error, Node, Options};
pub use volost_core::{catalog, clock, export, kdf, service};
