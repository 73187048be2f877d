//! The record of what happened: per-entity history shown to staff, and the node-wide audit log.

use super::ids::{OrgId, Ts, UserId};
use serde::{Deserialize, Serialize};

/// Which kind of entity a history entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Entity {
    Application = 1,
    Task = 2,
    Process = 3,
    Outgoing = 4,
    Incoming = 5,
    Regional = 6,
}

/// Запись истории: who, when, what, with the comment they left.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: Ts,
    /// `None` when the node itself acted (SMEV, a background job).
    pub by: Option<UserId>,
    /// What happened, in Russian, e.g. «Зарегистрировано».
    pub what: String,
    pub comment: String,
    /// The status code (of the entity's own status type) the change moved it into; `None`
    /// for changes that keep the status. The last `Some` must equal the row's status, which
    /// `volost check` verifies.
    pub status: Option<u8>,
}

/// One write in the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: Ts,
    pub user: Option<UserId>,
    pub org: Option<OrgId>,
    /// Operation name, stable and English (`application.register`).
    pub op: String,
    /// What it acted on (`application:42`).
    pub target: String,
}
