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
    pub const ALL: [FieldType; 10] = [
        FieldType::Text,
        FieldType::Number,
        FieldType::Date,
        FieldType::Snils,
        FieldType::Inn,
        FieldType::Ogrn,
        FieldType::Passport,
        FieldType::Phone,
        FieldType::Choice,
        FieldType::File,
    ];

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
    /// The act that approved the administrative regulation (НПА), as the registry cites it.
    pub regulation: String,
    pub places: Vec<String>,
    pub documents: Vec<String>,
    pub results: Vec<String>,
    pub steps: Vec<Step>,
    pub fields: Vec<Field>,
    pub active: bool,
    /// The package a portal delivers this service's applications in, and whose status
    /// table says what the portal is told (`None`: no portal delivers it to this node).
    pub intake: Option<String>,
}

impl Service {
    pub fn passport(&self) -> ServicePassport {
        ServicePassport {
            code: self.code.clone(),
            name: self.name.clone(),
            deadline_days: self.deadline_days,
            fee: self.fee.clone(),
            regulation: self.regulation.clone(),
            places: self.places.clone(),
            documents: self.documents.clone(),
            results: self.results.clone(),
        }
    }

    /// Takes the passport's values (trimmed), leaving the regulation's steps and the form.
    pub fn set_passport(&mut self, p: &ServicePassport) {
        let list = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        self.code = p.code.trim().into();
        self.name = p.name.trim().into();
        self.deadline_days = p.deadline_days;
        self.fee = p.fee.trim().into();
        self.regulation = p.regulation.trim().into();
        self.places = list(&p.places);
        self.documents = list(&p.documents);
        self.results = list(&p.results);
    }
}

/// Паспорт услуги: what the registry of services (реестр услуг) holds about a service, the
/// part of it that staff fill in and the summary registry receives.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePassport {
    pub code: String,
    pub name: String,
    /// Срок предоставления, in working days.
    pub deadline_days: u32,
    /// Плата (госпошлина), as text: «Бесплатно», «350 руб.».
    pub fee: String,
    /// Административный регламент: the act that approved it.
    pub regulation: String,
    /// Места предоставления.
    pub places: Vec<String>,
    /// Документы, необходимые для предоставления.
    pub documents: Vec<String>,
    /// Результаты предоставления.
    pub results: Vec<String>,
}

/// Bounds of a passport's values: a registry code fits the code index's key, and no text is
/// longer than a registry form would take.
pub const PASSPORT_CODE_MAX: usize = 64;
pub const PASSPORT_TEXT_MAX: usize = 1000;
pub const PASSPORT_ITEMS_MAX: usize = 50;

impl ServicePassport {
    /// Checks the passport; the message names the field in the words of the registry's form.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let code = self.code.trim();
        if code.is_empty() {
            return Err(("code", "Требуется код услуги".into()));
        }
        if code.chars().count() > PASSPORT_CODE_MAX
            || code.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err((
                "code",
                format!("Код — без пробелов, не длиннее {PASSPORT_CODE_MAX} знаков"),
            ));
        }
        if self.name.trim().is_empty() {
            return Err(("name", "Требуется наименование услуги".into()));
        }
        if !(1..=365).contains(&self.deadline_days) {
            return Err(("deadline_days", "Срок — от 1 до 365 рабочих дней".into()));
        }
        let texts = [
            ("name", self.name.as_str()),
            ("fee", self.fee.as_str()),
            ("regulation", self.regulation.as_str()),
        ];
        for (field, t) in texts {
            if t.chars().count() > PASSPORT_TEXT_MAX {
                return Err((field, format!("Не длиннее {PASSPORT_TEXT_MAX} знаков")));
            }
        }
        let lists = [
            ("places", &self.places),
            ("documents", &self.documents),
            ("results", &self.results),
        ];
        for (field, items) in lists {
            if items.len() > PASSPORT_ITEMS_MAX {
                return Err((field, format!("Не больше {PASSPORT_ITEMS_MAX} пунктов")));
            }
            if items.iter().any(|t| t.chars().count() > PASSPORT_TEXT_MAX) {
                return Err((
                    field,
                    format!("Пункт не длиннее {PASSPORT_TEXT_MAX} знаков"),
                ));
            }
        }
        Ok(())
    }
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
