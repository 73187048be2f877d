//! Пакет вида сведений: a kind of information as the agency publishes it (its schemas), the
//! mapping from the staff form to the request, the form and samples — as an administrator
//! imported it. The domain keeps the files as bytes and what the exchange adapter read from
//! them; it never reads XML (that is the adapter's, `volost_smev::kinds`).

use crate::{Field, Ts, UserId};
use serde::{Deserialize, Serialize};

/// One file of a package: its path inside the package (`xsd/main.xsd`) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFile {
    pub path: String,
    pub data: Vec<u8>,
}

/// What a checked package says of itself: its `kind.toml` and its staff form, as the adapter
/// read them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageInfo {
    /// The kind's code in the catalog (`sfr_snils`).
    pub code: String,
    pub name: String,
    pub agency: String,
    /// The ВС's namespace.
    pub namespace: String,
    /// The ВС's version as the agency publishes it.
    pub version: String,
    pub request_root: String,
    /// `None` where the agency has not published the answer's schema.
    pub answer_root: Option<String>,
    /// Whether the request carries the employee's signature (ЭП-СП).
    pub personal_signature: bool,
    /// What administrators should know of the package's sources.
    pub note: Option<String>,
    /// The staff form the mapping takes.
    pub fields: Vec<Field>,
    /// A portal's intake instead of a kind the node asks for: applications delivered in
    /// this schema for one of the node's services, and the statuses back.
    pub intake: Option<IntakeInfo>,
}

/// What the core knows of an intake package: which service it delivers to. How documents
/// are read and statuses written is the adapter's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeInfo {
    /// The registry code of the node's service.
    pub service: String,
}

/// A package the node keeps: one per kind code, the last one imported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindPackage {
    pub id: PackageId,
    pub info: PackageInfo,
    /// SHA-256 of `kind.toml` in hex, which pins every other file by its own hash: two
    /// packages with the same digest are the same package.
    pub digest: String,
    pub files: Vec<PackageFile>,
    pub installed: Ts,
    /// `None` when the node installed it itself (the starter catalog).
    pub installed_by: Option<UserId>,
}

/// A package's id in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PackageId(pub u64);

impl KindPackage {
    /// All the package's bytes.
    pub fn size(&self) -> u64 {
        self.files.iter().map(|f| f.data.len() as u64).sum()
    }
}
