//! Заявители: people and organisations seen before, found again by СНИЛС, ИНН or name.

use super::ids::{ApplicantId, OrgId, Ts};
use serde::{Deserialize, Serialize};

/// Вид заявителя.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplicantKind {
    /// Физическое лицо.
    Person,
    /// Индивидуальный предприниматель.
    Entrepreneur,
    /// Юридическое лицо.
    Organisation,
}

impl ApplicantKind {
    pub fn label(self) -> &'static str {
        match self {
            ApplicantKind::Person => "Физическое лицо",
            ApplicantKind::Entrepreneur => "Индивидуальный предприниматель",
            ApplicantKind::Organisation => "Юридическое лицо",
        }
    }
}

/// Заявитель. Each body keeps its own registry (one body does not see another's applicants).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Applicant {
    pub id: ApplicantId,
    pub org: OrgId,
    pub kind: ApplicantKind,
    /// ФИО for a person, full name for an organisation.
    pub name: String,
    pub snils: Option<String>,
    pub inn: Option<String>,
    pub ogrn: Option<String>,
    pub passport: Option<String>,
    pub birth_date: Option<time::Date>,
    pub address: String,
    pub phone: Option<String>,
    pub created: Ts,
}

/// What staff enter for a new applicant; validated by the service layer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    pub kind: Option<ApplicantKind>,
    pub name: String,
    pub snils: String,
    pub inn: String,
    pub ogrn: String,
    pub passport: String,
    pub birth_date: String,
    pub address: String,
    pub phone: String,
}
