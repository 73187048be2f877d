//! The columns a list sorts by. Their numbers are part of the list indexes' keys (the store's
//! `summary`), so a variant keeps its number for ever.

use serde::{Deserialize, Serialize};

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
    pub fn of(queue: crate::Queue) -> [TaskCol; 5] {
        let who = match queue {
            crate::Queue::Done => TaskCol::Holder,
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
