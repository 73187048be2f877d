//! Printed documents' templates as an administrator reads and edits them.

use serde::{Deserialize, Serialize};
use volost_domain::*;

/// A kind of document's template: the body's own text, or the starter one while there is
/// none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    pub kind: DocumentKind,
    /// What prints now.
    pub text: String,
    /// The catalog's text, to compare with or go back to.
    pub starter: String,
    /// When the body's own text was saved and by whom (short name); `None` while the starter
    /// one prints.
    pub edited: Option<(Ts, Option<String>)>,
}
