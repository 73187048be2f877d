//! Документы на бумаге: the kinds of document the node prints from templates (issue 30,
//! docs/design/paper.md).

use super::ids::{OrgId, Ts, UserId};
use serde::{Deserialize, Serialize};

/// Вид документа, печатаемого по шаблону.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Расписка в получении документов: what the applicant leaves the desk with.
    Receipt,
    /// Журнал регистрации заявлений за период (not one application's).
    Journal,
    /// Уведомление об отказе в приёме документов: the desk does not accept what was brought,
    /// and says why.
    Refusal,
    /// Межведомственный запрос на бумаге: an outgoing request printed, for when SMEV is down.
    Request,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Receipt,
        DocumentKind::Refusal,
        DocumentKind::Request,
        DocumentKind::Journal,
    ];

    /// The code on the command line and in the template catalog.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "receipt",
            DocumentKind::Journal => "journal",
            DocumentKind::Refusal => "refusal",
            DocumentKind::Request => "request",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "Расписка в получении документов",
            DocumentKind::Journal => "Журнал регистрации заявлений",
            DocumentKind::Refusal => "Уведомление об отказе в приёме документов",
            DocumentKind::Request => "Межведомственный запрос",
        }
    }

    /// The start of the PDF's file name on the card, before the application's number.
    pub fn file_stem(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "Расписка",
            DocumentKind::Journal => "Журнал регистрации заявлений",
            DocumentKind::Refusal => "Отказ в приёме документов",
            DocumentKind::Request => "Межведомственный запрос",
        }
    }

    /// A document of one application (printed from its card), not of a period or a request.
    pub fn of_application(self) -> bool {
        matches!(self, DocumentKind::Receipt | DocumentKind::Refusal)
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// A template's id in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TemplateId(pub u64);

/// Шаблон документа as a body's administrator edited it: typst markup. A kind without one
/// prints with the starter template the catalog ships.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocTemplate {
    pub id: TemplateId,
    pub org: OrgId,
    pub kind: DocumentKind,
    pub text: String,
    pub updated: Ts,
    pub by: Option<UserId>,
}
