//! volost: the node of a rural council's e-government desk. This library names the crates
//! as the binary, the end-to-end tests and the benchmarks have always named them
//! (`volost::service`, `volost::smev::sim`, …); each lives in its own crate under `crates/`
//! (ARCHITECTURE.md).

pub use volost_config as config;
pub use volost_core::{Actor, Error, Node, Options};
pub use volost_core::{catalog, clock, export, kdf, service};
pub use volost_daemon as daemon;
pub use volost_daemon::{api, backup, setup, shutdown};
pub use volost_docs as docs;
pub use volost_domain as domain;
#[cfg(feature = "demo")]
pub use volost_sim::demo;
pub use volost_smev::registry;
pub use volost_store as store;

/// The SMEV adapter, and beside it the simulator the tests and the demo exchange with.
pub mod smev {
    #[cfg(feature = "demo")]
    pub use volost_sim::simulator as sim;
    pub use volost_smev::*;
}
