//! The views of the archive calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// What «Архив» can be searched by; every part optional, all of them at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveFilter {
    /// «Номер заявки», exactly.
    pub number: Option<String>,
    /// «Заявитель»: the beginning of a name, a СНИЛС or an ИНН.
    pub applicant: Option<String>,
    pub service: Option<ServiceId>,
    /// «Завершён в интервале», `[from, to)`.
    pub from: Option<Ts>,
    pub to: Option<Ts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveQuery {
    #[serde(default)]
    pub filter: ArchiveFilter,
    #[serde(default)]
    pub after: Option<Cursor>,
    #[serde(default = "default_limit")]
    pub limit: usize,
}

/// A line of «Архив»: one finished process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveRow {
    pub process: ProcessId,
    pub service: String,
    pub application: Option<AppId>,
    pub number: Option<String>,
    pub applicant: Option<String>,
    /// The application's status when it was read.
    pub result: Option<Status>,
    /// The decision on the application, if one was made.
    pub verdict: Option<Verdict>,
    pub started: Ts,
    pub finished: Ts,
    pub tasks: usize,
}

/// A document under a task of the tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ArchiveDoc {
    /// Файл of the application.
    File { id: FileId, name: String, size: u64 },
    /// Межведомственный запрос made for the application.
    Outgoing {
        id: OutReqId,
        number: String,
        kind: String,
        status: OutStatus,
    },
    /// Решение: the verdict and its reason.
    Decision { verdict: Verdict, reason: String },
}

/// A task of the tree, with the documents made while it was open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveTask {
    pub id: TaskId,
    pub name: String,
    pub executor: Option<String>,
    pub created: Ts,
    pub due: time::Date,
    pub completed: Option<Ts>,
    /// Working days it was completed after its due date.
    pub overdue_days: u32,
    pub documents: Vec<ArchiveDoc>,
}

/// One finished process as a tree: the documents of the application made before its first
/// task (the form's files), then each task with its documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveTree {
    pub row: ArchiveRow,
    pub before: Vec<ArchiveDoc>,
    pub tasks: Vec<ArchiveTask>,
}
