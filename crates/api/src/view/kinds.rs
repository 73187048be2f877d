//! The views of the kinds' packages: what `volost kind list` and the admin screen show.

#[allow(unused_imports)]
use super::*;

/// A package the node keeps, without its files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageSummary {
    pub info: PackageInfo,
    pub digest: String,
    pub files: u32,
    pub bytes: u64,
    pub installed: Ts,
    /// Who imported it; empty for the node itself (the starter catalog).
    pub installed_by: String,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindImport {
    pub info: PackageInfo,
    pub digest: String,
    /// It replaced the package of the same code (another version).
    pub replaced: bool,
    /// The same package was there already: nothing changed.
    pub unchanged: bool,
    /// The bodies' kinds it added and changed.
    pub kinds_added: u32,
    pub kinds_updated: u32,
}
