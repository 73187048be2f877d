//! The views of the kinds' packages: what `volost kind list` and the admin screen show.

#[allow(unused_imports)]
use super::*;

/// Most files and bytes of one package: the node refuses more (the CLI and the TUI stop
/// reading a folder there).
pub const MAX_PACKAGE_FILES: usize = 200;
pub const MAX_PACKAGE_BYTES: u64 = 32 << 20;

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
    /// For an intake package: the services that took it.
    pub services_bound: u32,
}

/// One line of an agency's answer as staff read it: how deep it stands in the answer's tree,
/// the schema's label for it, its value (empty for an element that holds others).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerLine {
    pub depth: u16,
    pub label: String,
    pub value: String,
}

/// An agency's answer as the node kept it, read by its kind's package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerView {
    pub lines: Vec<AnswerLine>,
    /// Why it is not a valid answer of the kind, when it is not.
    pub problem: Option<String>,
}
