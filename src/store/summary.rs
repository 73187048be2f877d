//! The small values stored in list index entries. A list query filters on these without
//! reading rows, so a filtered, sorted page costs one range scan plus one read per shown row.

use serde::{Deserialize, Serialize};

/// What a task list filter can test: «создана пользователем», «за период», «название содержит».
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub author: u64,
    pub created: i64,
    pub due: i32,
    pub name_id: u32,
    pub service: u64,
    pub holder: Option<u64>,
    /// Who completed it and when (unix ms), for the period report (schema 3).
    pub completed: Option<(u64, i64)>,
    /// Closed with its application rather than done (schema 4).
    pub withdrawn: bool,
}

/// Sort columns of task lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum TaskCol {
    /// Дата начала
    Created = 0,
    /// Срок исполнения
    Due = 1,
    /// Задача
    Name = 2,
    /// Автор
    Author = 3,
    /// Заявка: by the application's id, which is the order of its number (schema 4).
    Application = 4,
    /// Исполнитель: by the holder's name, as «Завершённые задачи» shows it (schema 5).
    Holder = 5,
}

impl TaskCol {
    pub const ALL: [TaskCol; 6] = [
        TaskCol::Created,
        TaskCol::Due,
        TaskCol::Name,
        TaskCol::Author,
        TaskCol::Application,
        TaskCol::Holder,
    ];

    /// The columns a queue's list shows and so sorts by, in the order `s` steps through
    /// them: «Завершённые задачи» shows who did each task, the open queues who made it.
    pub fn of(queue: crate::domain::Queue) -> [TaskCol; 5] {
        let who = match queue {
            crate::domain::Queue::Done => TaskCol::Holder,
            _ => TaskCol::Author,
        };
        [
            TaskCol::Created,
            TaskCol::Due,
            TaskCol::Name,
            who,
            TaskCol::Application,
        ]
    }
}

/// What an application list filter can test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppSummary {
    pub status: u8,
    pub service: u64,
    pub source: u8,
    pub created: i64,
    pub due: Option<i32>,
    pub assignee: Option<u64>,
    pub created_by: Option<u64>,
    pub dept: Option<u64>,
    pub applicant: u64,
    /// The decision of a decided application, for the period report (schema 3).
    pub decided: Option<DecidedSummary>,
}

/// What the period report needs of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecidedSummary {
    pub approved: bool,
    /// Registration (or creation) and decision, unix ms: the working days between them.
    pub from: i64,
    pub at: i64,
}

/// Sort columns of application lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum AppCol {
    /// Дата создания (and so the number within a year)
    Created = 0,
    /// Срок
    Due = 1,
    /// Статус
    Status = 2,
    /// Дата изменения
    Updated = 3,
    /// Услуга, by name (schema 4)
    Service = 4,
    /// Заявитель, by name (schema 4)
    Applicant = 5,
    /// Исполнитель, by name; applications with none last (schema 4)
    Assignee = 6,
}

impl AppCol {
    /// The sorts an executor's own list is indexed by; the sorts by name are the body's list
    /// filtered by executor (a name index per scope cost the load 80 %, BENCHMARKS.md).
    pub const EXECUTOR: [AppCol; 4] = [
        AppCol::Created,
        AppCol::Due,
        AppCol::Status,
        AppCol::Updated,
    ];

    pub const ALL: [AppCol; 7] = [
        AppCol::Created,
        AppCol::Due,
        AppCol::Status,
        AppCol::Updated,
        AppCol::Service,
        AppCol::Applicant,
        AppCol::Assignee,
    ];
}

/// Scopes of application lists: all of a body's applications, or one executor's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppScope {
    All,
    Assignee(u64),
}

impl AppScope {
    pub fn bytes(self) -> (u8, u64) {
        match self {
            AppScope::All => (0, 0),
            AppScope::Assignee(u) => (1, u),
        }
    }
}

/// What an outgoing request list filter can test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutSummary {
    pub status: u8,
    pub kind: u64,
    pub dept: Option<u64>,
    pub executor: u64,
    pub application: Option<u64>,
    pub created: i64,
    pub sent: Option<i64>,
    pub updated: i64,
    pub answered: Option<i64>,
}

/// What an incoming request list filter can test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InSummary {
    pub status: u8,
    pub kind: u64,
    pub dept: Option<u64>,
    pub executor: Option<u64>,
    pub received: i64,
    pub updated: i64,
    pub planned: i32,
}

/// Sort columns of request lists (outgoing: created/updated/status; incoming: received/
/// updated/planned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum ReqCol {
    Created = 0,
    Updated = 1,
    Status = 2,
    Planned = 3,
}

/// What an archive search can test without reading the process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveSummary {
    pub service: u64,
    pub dept: Option<u64>,
    pub started: i64,
}
