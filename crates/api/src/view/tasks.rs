//! The views of the tasks calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// Filters of the task queues, all optional and combinable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    /// «Название содержит»
    pub name_contains: Option<String>,
    /// «Создана пользователем»
    pub author: Option<UserId>,
    /// «Создана в интервале», `[from, to)`
    pub created_from: Option<Ts>,
    pub created_to: Option<Ts>,
    pub service: Option<ServiceId>,
    pub overdue_only: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    pub queue: Queue,
    /// For «Задачи группы» and «Завершённые задачи»: which of the user's groups (default the first).
    pub group: Option<GroupId>,
    pub sort: TaskCol,
    pub desc: bool,
    pub filter: TaskFilter,
    pub after: Option<Cursor>,
    pub limit: usize,
}

impl TaskQuery {
    pub fn new(queue: Queue) -> TaskQuery {
        TaskQuery {
            queue,
            group: None,
            sort: TaskCol::Created,
            desc: false,
            filter: TaskFilter::default(),
            after: None,
            limit: 50,
        }
    }
}

/// One line of a queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaskRow {
    pub id: TaskId,
    pub name: String,
    pub author: String,
    pub holder: Option<String>,
    pub created: Ts,
    pub due: time::Date,
    pub overdue_days: u32,
    pub application: Option<String>,
    /// Where the application came from (the group queue marks portal applications).
    #[serde(default)]
    pub source: Option<Source>,
}

/// One step of the process map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapStep {
    pub name: String,
    pub state: StepState,
    pub executor: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    Done,
    Current,
    Ahead,
}

/// «Карта процесса»: the regulation's steps with the current one marked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessMap {
    pub service: String,
    pub finished: bool,
    pub steps: Vec<MapStep>,
}

/// A task with its history, for the card.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaskCard {
    pub task: Task,
    pub holder: Option<String>,
    pub history: Vec<HistoryEntry>,
    /// The due date is counted over a year whose decree is not loaded («срок предварительный»).
    #[serde(default)]
    pub due_provisional: bool,
    /// The number of the application the task's process serves.
    #[serde(default)]
    pub application: Option<String>,
}
