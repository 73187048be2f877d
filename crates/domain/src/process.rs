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
    /// Closed because its application ended, not done by anyone («Задача снята»): counted
    /// neither as anyone's work nor as late.
    pub withdrawn: bool,
    /// The names its lists sort by (staff are never renamed).
    pub names: TaskNames,
}

/// The names a list of tasks sorts by: «Автор» and «Исполнитель» as staff read them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskNames {
    pub author: String,
    /// The holder's short name, empty while nobody holds it.
    pub holder: String,
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

    /// Gives the task to `who` (its id and short name), or back to the group.
    pub fn hold(&mut self, who: Option<(UserId, String)>) {
        (self.holder, self.names.holder) = match who {
            Some((id, name)) => (Some(id), name),
            None => (None, String::new()),
        };
    }
}

/// Whether an application in `status` has ended, so that its process ends with it: a final
/// decision (with super-rights at once, or published) or «Работа по заявке завершена».
pub fn application_ended(status: super::Status) -> bool {
    status >= super::Status::ApprovedPositive
}

/// Ends a process together with its application: every open task among `tasks` is closed at
/// `at` in the name of `by`, the process is finished, and the people who held those tasks
/// and `also` (the application's executor) join its executors, so that the finished process
/// reaches their «Архив». Returns the tasks it closed; nothing when the process had ended.
pub fn end_with_application(
    p: &mut Process,
    tasks: &mut [Task],
    by: UserId,
    at: Ts,
    also: &[UserId],
) -> Vec<TaskId> {
    let mut closed = Vec::new();
    for t in tasks.iter_mut().filter(|t| t.process == p.id) {
        if t.completed.is_some() {
            continue;
        }
        t.completed = Some((t.holder.unwrap_or(by), at));
        t.withdrawn = true;
        if let Some(h) = t.holder
            && !p.executors.contains(&h)
        {
            p.executors.push(h);
        }
        closed.push(t.id);
    }
    for u in also {
        if !p.executors.contains(u) {
            p.executors.push(*u);
        }
    }
    if p.finished.is_none() {
        p.finished = Some(at);
    }
    closed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: u64, holder: Option<u64>, done: bool) -> Task {
        Task {
            id: TaskId(id),
            org: OrgId(1),
            group: GroupId(1),
            process: ProcessId(7),
            service: ServiceId(1),
            application: Some(AppId(3)),
            step: 0,
            name: "Шаг".into(),
            name_id: 0,
            author: UserId(1),
            created: Ts(0),
            due: time::macros::date!(2026 - 12 - 01),
            holder: holder.map(UserId),
            completed: done.then_some((UserId(1), Ts(0))),
            withdrawn: false,
            names: TaskNames::default(),
        }
    }

    #[test]
    fn ending_with_the_application_closes_open_tasks_and_counts_their_holders() {
        let mut p = Process {
            id: ProcessId(7),
            org: OrgId(1),
            dept: None,
            group: GroupId(1),
            service: ServiceId(1),
            application: Some(AppId(3)),
            started_by: UserId(1),
            started: Ts(0),
            step: 2,
            tasks: vec![TaskId(1), TaskId(2), TaskId(3)],
            finished: None,
            executors: vec![UserId(1)],
        };
        let mut tasks = vec![
            task(1, Some(1), true),
            task(2, Some(5), false),
            task(3, None, false),
        ];
        let closed = end_with_application(&mut p, &mut tasks, UserId(9), Ts(100), &[UserId(9)]);
        assert_eq!(closed, [TaskId(2), TaskId(3)]);
        assert!(tasks.iter().all(|t| t.queue() == Queue::Done));
        assert!(!tasks[0].withdrawn && tasks[1].withdrawn && tasks[2].withdrawn);
        assert_eq!(tasks[1].completed, Some((UserId(5), Ts(100))));
        assert_eq!(tasks[2].completed, Some((UserId(9), Ts(100))));
        assert_eq!(p.executors, [UserId(1), UserId(5), UserId(9)]);
        assert_eq!(p.finished, Some(Ts(100)));
        // Once ended, nothing more happens.
        assert!(end_with_application(&mut p, &mut tasks, UserId(9), Ts(200), &[]).is_empty());
        assert_eq!(p.finished, Some(Ts(100)));
    }
}
