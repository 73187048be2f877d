//! The views of the applications calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// The applicant of a new application: one from the registry, or a new one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ApplicantRef {
    Existing(ApplicantId),
    New(ApplicantInput),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    pub service: ServiceId,
    pub dept: Option<DeptId>,
    pub applicant: ApplicantRef,
    pub data: BTreeMap<String, String>,
    pub source: Source,
}

/// An action with what the dialog asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub action: Action,
    pub comment: String,
    /// For «Одобрить» / «Отказать»: reason, message for the applicant, files.
    pub reason: String,
    pub message: String,
    pub files: Vec<String>,
}

impl ActionInput {
    pub fn new(action: Action) -> ActionInput {
        ActionInput {
            action,
            comment: String::new(),
            reason: String::new(),
            message: String::new(),
            files: Vec::new(),
        }
    }
    pub fn with_comment(mut self, c: &str) -> Self {
        self.comment = c.into();
        self
    }
    pub fn with_reason(mut self, reason: &str, message: &str) -> Self {
        self.reason = reason.into();
        self.message = message.into();
        self
    }
}

/// Everything the card shows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApplicationCard {
    pub app: Application,
    pub service: Service,
    pub applicant: Applicant,
    pub assignee: Option<String>,
    pub history: Vec<HistoryEntry>,
    /// The actions this user may take now.
    pub actions: Vec<Action>,
    /// Working days past the due date, if overdue.
    pub overdue_days: u32,
    /// The due date is counted over a year whose decree is not loaded («срок предварительный»).
    #[serde(default)]
    pub due_provisional: bool,
    /// The tasks of its process, oldest first.
    #[serde(default)]
    pub tasks: Vec<ProcessTask>,
    /// This user may record «Результат выдан заявителю» now.
    #[serde(default)]
    pub hand_over: bool,
    /// This user may refuse to accept the documents now («Отказать в приёме документов»).
    #[serde(default)]
    pub refuse_intake: bool,
    /// This user may print a document of the service's result now.
    #[serde(default)]
    pub print_result: bool,
}

/// One task of an application's process, as its card lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessTask {
    pub id: TaskId,
    pub name: String,
    pub queue: Queue,
    /// Who holds it, or who completed it.
    pub who: Option<String>,
    pub due: time::Date,
    /// Closed with the application, not done.
    #[serde(default)]
    pub withdrawn: bool,
}

/// Filters of «Заявки на услуги», all optional and combinable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppFilter {
    pub statuses: Vec<Status>,
    pub service: Option<ServiceId>,
    pub source: Option<Source>,
    pub applicant: Option<ApplicantId>,
    pub assignee: Option<UserId>,
    pub created_by: Option<UserId>,
    pub created_from: Option<Ts>,
    pub created_to: Option<Ts>,
    pub depts: Vec<DeptId>,
    pub overdue_only: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppQuery {
    /// Only my applications (as executor), or all the body's (needs monitoring-like rights).
    pub mine: bool,
    pub sort: AppCol,
    pub desc: bool,
    pub filter: AppFilter,
    pub after: Option<Cursor>,
    pub limit: usize,
}

impl Default for AppQuery {
    fn default() -> Self {
        AppQuery {
            mine: false,
            sort: AppCol::Created,
            desc: true,
            filter: AppFilter::default(),
            after: None,
            limit: 50,
        }
    }
}

/// One line of the list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppRow {
    pub id: AppId,
    pub number: String,
    pub status: Status,
    pub service: String,
    pub applicant: String,
    pub source: Source,
    pub assignee: Option<String>,
    pub created: Ts,
    pub due: Option<time::Date>,
    pub overdue_days: u32,
}

/// How to look an applicant up.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ApplicantQuery {
    Snils(String),
    Inn(String),
    /// A name or its beginning; case and ё/е do not matter.
    Name(String),
}

impl ApplicantQuery {
    /// What a single search box holds: 11 digits are a СНИЛС, 10 or 12 an ИНН, anything
    /// else the beginning of a name.
    pub fn guess(text: &str) -> ApplicantQuery {
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        let only_digits = text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-'));
        match digits.len() {
            11 if only_digits => ApplicantQuery::Snils(text.to_string()),
            10 | 12 if only_digits => ApplicantQuery::Inn(text.to_string()),
            _ => ApplicantQuery::Name(text.to_string()),
        }
    }
}
