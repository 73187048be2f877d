//! The service catalog: services with their regulation and form, and request kinds. Both are
//! data, so a new service or kind of request is added without programming.

use super::ids::{KindId, OrgId, RoleId, ServiceId};
use serde::{Deserialize, Serialize};

/// Тип поля формы.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    Snils,
    Inn,
    Ogrn,
    Passport,
    Phone,
    Choice,
    File,
}

impl FieldType {
    pub fn label(self) -> &'static str {
        match self {
            FieldType::Text => "Текст",
            FieldType::Number => "Число",
            FieldType::Date => "Дата",
            FieldType::Snils => "СНИЛС",
            FieldType::Inn => "ИНН",
            FieldType::Ogrn => "ОГРН",
            FieldType::Passport => "Паспорт",
            FieldType::Phone => "Телефон",
            FieldType::Choice => "Выбор",
            FieldType::File => "Файл",
        }
    }
}

/// Поле формы: one field of a service's application form or of a request kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub ftype: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub max_len: Option<u32>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub hint: Option<String>,
}

/// Шаг регламента: one step of a service's process, with the roles that may take it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    pub roles: Vec<RoleId>,
    /// Working days allowed for this step.
    pub days: u32,
}

/// Услуга, with its passport (паспорт услуги) and regulation (регламент).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    /// The providing body.
    pub org: OrgId,
    pub code: String,
    pub name: String,
    /// Deadline of the whole service in working days.
    pub deadline_days: u32,
    pub fee: String,
    pub places: Vec<String>,
    pub documents: Vec<String>,
    pub results: Vec<String>,
    pub steps: Vec<Step>,
    pub fields: Vec<Field>,
    pub active: bool,
}

/// Вид сведений: what an interagency request asks and what its answer holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestKind {
    pub id: KindId,
    pub org: OrgId,
    pub code: String,
    pub name: String,
    /// Addressee agency.
    pub agency: String,
    /// XML namespace of the business data.
    pub namespace: String,
    /// Root element of the request's business data.
    pub root: String,
    /// Root element of the answer's business data.
    pub answer_root: String,
    /// The business data must carry a personal signature (ЭП-СП).
    pub sign_personal: bool,
    pub fields: Vec<Field>,
    pub answer_fields: Vec<Field>,
    pub active: bool,
}
