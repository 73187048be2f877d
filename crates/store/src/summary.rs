//! The small values stored in list index entries. A list query filters on these without
//! reading rows, so a filtered, sorted page costs one range scan plus one read per shown row.

use serde::{Deserialize, Serialize};

pub use volost_domain::sort::{AppCol, ReqCol, TaskCol};

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

/// What an archive search can test without reading the process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveSummary {
    pub service: u64,
    pub dept: Option<u64>,
    pub started: i64,
}
