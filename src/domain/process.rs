//! Технологический процесс: one run of a service's regulation, and its tasks (шаги).

use super::ids::{AppId, DeptId, GroupId, OrgId, ProcessId, ServiceId, TaskId, Ts, UserId};
use serde::{Deserialize, Serialize};

/// Экземпляр технологического процесса.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Process {
    pub id: ProcessId,
    pub org: OrgId,
    pub dept: Option<DeptId>,
    pub group: GroupId,
    pub service: ServiceId,
    pub application: Option<AppId>,
    pub started_by: UserId,
    pub started: Ts,
    /// Index into the service's steps of the task now open.
    pub step: u32,
    pub tasks: Vec<TaskId>,
    pub finished: Option<Ts>,
    /// Who completed its tasks, each once, in order of first completion: the people the
    /// archive shows the process to once it is finished («Архив»).
    pub executors: Vec<UserId>,
}

/// Очередь задач.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Queue {
    /// Задачи группы: open and not taken.
    Group,
    /// Мои задачи: open and taken by the user.
    Mine,
    /// Завершённые задачи.
    Done,
}

impl Queue {
    pub fn label(self) -> &'static str {
        match self {
            Queue::Group => "Задачи группы",
            Queue::Mine => "Мои задачи",
            Queue::Done => "Завершённые задачи",
        }
    }
}

/// Задача: one step of a process instance, waiting for a person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub org: OrgId,
    pub group: GroupId,
    pub process: ProcessId,
    pub service: ServiceId,
    pub application: Option<AppId>,
    /// Index of the step in the service's regulation.
    pub step: u32,
    /// Step name and service, as shown in the queue.
    pub name: String,
    /// Interned id of `name`, so the «название содержит» filter runs on index entries alone.
    pub name_id: u32,
    /// Who caused the task to exist: the launcher of the process or the completer of the
    /// previous step («создана пользователем»).
    pub author: UserId,
    pub created: Ts,
    /// Срок исполнения.
    pub due: time::Date,
    /// Who took it with «Назначить на себя».
    pub holder: Option<UserId>,
    pub completed: Option<(UserId, Ts)>,
}

impl Task {
    /// Each task is in exactly one queue; this is the one definition of which.
    pub fn queue(&self) -> Queue {
        match (&self.completed, self.holder) {
            (Some(_), _) => Queue::Done,
            (None, Some(_)) => Queue::Mine,
            (None, None) => Queue::Group,
        }
    }
}
