//! The starter catalog and the catalog file format live in the domain (`volost_domain::spec`);
//! this name stays so that the core's paths did not change when they moved.

pub use volost_domain::spec::*;
