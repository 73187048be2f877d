//! Kinds of information as packages built on the agencies' own schemas (issue 29,
//! docs/design/kinds.md). A package is a folder: `kind.toml` (what the kind is, which ВС it
//! speaks, and every file with its SHA-256), the agency's XSDs with their imports, and
//! samples. The node takes a package only whole and checked ([`package::Package::open`]).

pub mod answer;
pub mod intake;
pub mod loaded;
pub mod mapping;
pub mod package;
pub mod packet;
pub mod starter;

pub use loaded::{Kinds, Loaded};
pub use package::{Package, PackageError};
