//! The views of the list calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// Where the next page starts: the first index key the previous page did not look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub Vec<u8>);

/// One page of a list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Present when there may be more rows after this page.
    pub next: Option<Cursor>,
}

/// A field the user must correct, with the Russian message shown next to it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}
