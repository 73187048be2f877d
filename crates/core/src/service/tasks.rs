//! Процессы и задачи: launching a service, the three queues, claim, return, due date,
//! completion, and the process map.

use super::list::{self, Page, Span};
use super::{Actor, Error, Node, R, Result, W, history};
use std::collections::{BTreeMap, BTreeSet};
pub use volost_api::view::{
    MapStep, ProcessMap, StepState, TaskCard, TaskFilter, TaskQuery, TaskRow,
};
use volost_domain::*;
use volost_store::keys::Key;
use volost_store::records::{AppHead, task_list_prefix};
use volost_store::summary::{TaskCol, TaskSummary};
use volost_store::{Read, Record};

/// The group a new process goes to: the actor's first group, else the body's first group.
fn group_for(w: &W) -> Result<GroupId> {
    if let Some(g) = w.who.user.as_ref().and_then(|u| u.groups.first()) {
        return Ok(*g);
    }
    let groups: Vec<Group> = w.tx.all()?;
    groups
        .into_iter()
        .find(|g| g.org == w.who.org)
        .map(|g| g.id)
        .ok_or_else(|| Error::NotAllowed("В организации нет ни одной группы".into()))
}

fn new_task(w: &mut W, p: &Process, service: &Service, step: u32) -> Result<Task> {
    let s = service
        .steps
        .get(step as usize)
        .ok_or_else(|| Error::Conflict(format!("В регламенте услуги нет шага {}", step + 1)))?;
    let name = format!("{} ({})", s.name, service.name);
    let cal = w.calendar()?;
    let author = w.who.user_id().unwrap_or(p.started_by);
    let task = Task {
        id: TaskId(w.tx.next_id(Task::KIND)?),
        org: p.org,
        group: p.group,
        process: p.id,
        service: service.id,
        application: p.application,
        step,
        name_id: w.tx.intern_task_name(&name)?,
        name,
        author,
        created: w.now,
        due: cal.add_working_days(w.today(), s.days.max(1)),
        holder: None,
        completed: None,
        withdrawn: false,
        names: TaskNames {
            author: holder_name(&w.tx, author)?,
            holder: String::new(),
        },
    };
    w.tx.put(&task)?;
    w.target("task", task.id);
    Ok(task)
}

/// Starts a process of `service` with its first task in the group queue.
pub(crate) fn start_process(
    w: &mut W,
    service: &Service,
    dept: Option<DeptId>,
    application: Option<AppId>,
) -> Result<Process> {
    let mut p = Process {
        id: ProcessId(w.tx.next_id(Process::KIND)?),
        org: w.who.org,
        dept,
        group: group_for(w)?,
        service: service.id,
        application,
        started_by: w.who.user_id().unwrap_or(UserId(0)),
        started: w.now,
        step: 0,
        tasks: Vec::new(),
        finished: None,
        executors: Vec::new(),
    };
    let t = new_task(w, &p, service, 0)?;
    p.tasks.push(t.id);
    w.tx.put(&p)?;
    w.target("process", p.id);
    w.history(
        Entity::Process,
        p.id.0,
        format!("Процесс запущен: {}", service.name),
        "",
    )?;
    Ok(p)
}

fn holder_name(t: &impl Read, id: UserId) -> Result<String> {
    Ok(
        super::applications::user_name(t, Some(id))?
            .unwrap_or_else(|| format!("пользователь {id}")),
    )
}

pub(crate) fn launch(w: &mut W, service: ServiceId, dept: Option<DeptId>) -> Result<Process> {
    w.who.require("process.launch", Right::LaunchService)?;
    let svc: Service = w.load(service.0)?;
    if !svc.active {
        return Err(Error::NotAllowed(format!(
            "Услуга «{}» не предоставляется",
            svc.name
        )));
    }
    if let Some(d) = dept {
        let _: Department = w.load(d.0)?;
    }
    start_process(w, &svc, dept, None)
}

/// May this user take this step? The step's roles decide; an empty list lets any member.
fn may_take(w: &W, svc: &Service, t: &Task) -> bool {
    let Some(u) = &w.who.user else { return true };
    match svc.steps.get(t.step as usize) {
        Some(s) if !s.roles.is_empty() => s.roles.iter().any(|r| u.roles.contains(r)),
        _ => true,
    }
}

pub(crate) fn claim(w: &mut W, id: TaskId, take_over: bool) -> Result<Task> {
    w.who.require("task.claim", Right::ViewTasks)?;
    let me = w.who.person()?;
    let mut t: Task = w.load(id.0)?;
    if !w.who.in_group(t.group) {
        return Err(Error::NotAllowed("Задача другой группы".into()));
    }
    if t.completed.is_some() {
        return Err(Error::NotAllowed("Задача уже выполнена".into()));
    }
    match t.holder {
        Some(h) if h == me => return Err(Error::NotAllowed("Задача уже назначена на вас".into())),
        Some(h) if !take_over => {
            return Err(Error::AlreadyClaimed {
                holder: holder_name(&w.tx, h)?,
            });
        }
        Some(_) => w.who.require("task.take_over", Right::AssignExecutors)?,
        None => {}
    }
    let svc: Service = w.load(t.service.0)?;
    // A supervisor taking a task over answers for it whatever the step's roles.
    let supervisor = take_over && t.holder.is_some() && w.who.rights.has(Right::AssignExecutors);
    if !supervisor && !may_take(w, &svc, &t) {
        return Err(Error::NotAllowed(
            "Этот шаг выполняют сотрудники с другой ролью".into(),
        ));
    }
    let what = match t.holder {
        Some(h) => format!(
            "Назначить на себя (задача забрана у {})",
            holder_name(&w.tx, h)?
        ),
        None => "Назначить на себя".into(),
    };
    t.hold(Some((me, holder_name(&w.tx, me)?)));
    w.tx.put(&t)?;
    w.target("task", t.id);
    w.history(Entity::Task, t.id.0, what, "")?;
    Ok(t)
}

pub(crate) fn return_to_group(w: &mut W, id: TaskId) -> Result<Task> {
    let me = w.who.person()?;
    let mut t: Task = w.load(id.0)?;
    if t.completed.is_some() || t.holder.is_none() {
        return Err(Error::NotAllowed("Задача не назначена".into()));
    }
    if t.holder != Some(me) {
        w.who.require("task.return", Right::AssignExecutors)?;
    }
    t.hold(None);
    w.tx.put(&t)?;
    w.target("task", t.id);
    w.history(Entity::Task, t.id.0, "Вернуть в группу", "")?;
    Ok(t)
}

pub(crate) fn set_due(w: &mut W, id: TaskId, due: time::Date) -> Result<Task> {
    let me = w.who.person()?;
    let mut t: Task = w.load(id.0)?;
    if t.completed.is_some() {
        return Err(Error::NotAllowed("Задача уже выполнена".into()));
    }
    if t.holder != Some(me) {
        w.who.require("task.set_due", Right::AssignExecutors)?;
    }
    if due < t.created.date(w.offset) {
        return Err(Error::invalid(
            "Срок исполнения",
            "Срок не может быть раньше даты начала",
        ));
    }
    let what = format!(
        "Срок исполнения: {} → {}",
        display_date(t.due),
        display_date(due)
    );
    t.due = due;
    w.tx.put(&t)?;
    w.target("task", t.id);
    w.history(Entity::Task, t.id.0, what, "")?;
    Ok(t)
}

/// Completes the task; the next step's task goes to the group queue, or, after the last step
/// (or with `finish`, «Завершить процесс»), the process is finished.
pub(crate) fn complete(w: &mut W, id: TaskId, finish: bool, comment: &str) -> Result<Option<Task>> {
    let me = w.who.person()?;
    let mut t: Task = w.load(id.0)?;
    if t.completed.is_some() {
        return Err(Error::NotAllowed("Задача уже выполнена".into()));
    }
    if t.holder != Some(me) {
        return Err(Error::NotAllowed("Сначала назначьте задачу на себя".into()));
    }
    t.completed = Some((me, w.now));
    w.tx.put(&t)?;
    w.target("task", t.id);
    w.history(Entity::Task, t.id.0, "Задача выполнена", comment)?;
    let mut p: Process = w.load(t.process.0)?;
    if !p.executors.contains(&me) {
        p.executors.push(me);
    }
    let svc: Service = w.load(p.service.0)?;
    let next_step = t.step + 1;
    if finish || next_step as usize >= svc.steps.len() {
        p.finished = Some(w.now);
        w.tx.put(&p)?;
        w.history(Entity::Process, p.id.0, "Завершить процесс", comment)?;
        return Ok(None);
    }
    let next = new_task(w, &p, &svc, next_step)?;
    p.step = next_step;
    p.tasks.push(next.id);
    w.tx.put(&p)?;
    Ok(Some(next))
}

/// The application ended: its process ends with it, each open task closed with a line of
/// history saying why: `why`, or the status it reached (see
/// [`volost_domain::end_with_application`]).
pub(crate) fn end_with_application(w: &mut W, app: &Application, why: Option<&str>) -> Result<()> {
    let Some(pid) = app.process else {
        return Ok(());
    };
    let mut p: Process = w.load(pid.0)?;
    let mut tasks = Vec::with_capacity(p.tasks.len());
    for t in &p.tasks {
        tasks.push(w.load::<Task>(t.0)?);
    }
    let by = w.who.user_id().or(app.assignee).unwrap_or(p.started_by);
    let was_open = p.finished.is_none();
    let also: Vec<UserId> = app.assignee.into_iter().collect();
    let closed = volost_domain::end_with_application(&mut p, &mut tasks, by, w.now, &also);
    if closed.is_empty() && !was_open {
        return Ok(());
    }
    let why = match why {
        Some(why) => format!("заявка {} — {why}", app.number),
        None => format!("заявка {} — «{}»", app.number, app.status.label()),
    };
    for t in tasks.iter().filter(|t| closed.contains(&t.id)) {
        w.tx.put(t)?;
        w.target("task", t.id);
        w.history(
            Entity::Task,
            t.id.0,
            "Задача закрыта вместе с заявкой",
            why.clone(),
        )?;
    }
    w.tx.put(&p)?;
    w.target("process", p.id);
    w.history(
        Entity::Process,
        p.id.0,
        "Процесс завершён вместе с заявкой",
        why,
    )?;
    Ok(())
}

/// The part of a queue's index that can hold matches of `f`, so that a period or author
/// filter seeks instead of skipping over the entries before it. `author` is the name of
/// `f.author`, which the «Автор» column is keyed by.
fn task_span(
    base: Key,
    sort: TaskCol,
    f: &TaskFilter,
    author: Option<&str>,
    offset: time::UtcOffset,
    today: time::Date,
) -> Span {
    let mut span = Span::new(base.clone());
    match sort {
        TaskCol::Created => span = span.period(base, f.created_from, f.created_to),
        TaskCol::Due => {
            // A due date is never before the day its task was created (`launch` counts
            // forward, `set_due` refuses an earlier date; `volost check` verifies it), so
            // «created from» bounds the due dates from below. Two days' slack cover any
            // difference of UTC offsets between the write and this query.
            if let Some(x) = f.created_from {
                let day = x.date(offset);
                let day = day.checked_sub(time::Duration::days(2)).unwrap_or(day);
                span = span.from(base.clone().date(day));
            }
            if f.overdue_only {
                span = span.until(base.date(today));
            }
        }
        TaskCol::Author => {
            if let Some(a) = author {
                let k = base.text(a, 48);
                span = span
                    .within(k.clone())
                    .period(k, f.created_from, f.created_to);
            }
        }
        TaskCol::Name | TaskCol::Application | TaskCol::Holder => {}
    }
    // Every task list key ends with `created ++ id`.
    span.created_in_key(f.created_from, f.created_to)
}

fn queue_page(r: &R, q: &TaskQuery) -> Result<Page<TaskRow>> {
    r.who.require("task.list", Right::ViewTasks)?;
    let me = r.who.person()?;
    let scope = match q.queue {
        Queue::Mine => me.0,
        Queue::Group | Queue::Done => {
            let user = r.who.user.as_ref().ok_or(Error::Unauthenticated)?;
            let g = match q.group {
                Some(g) if user.groups.contains(&g) => g,
                Some(g) => return Err(Error::not_found("group", g)),
                None => match user.groups.first() {
                    Some(g) => *g,
                    None => {
                        return Ok(Page {
                            rows: Vec::new(),
                            next: None,
                        });
                    }
                },
            };
            g.0
        }
    };
    let f = &q.filter;
    let names: Option<BTreeSet<u32>> = match &f.name_contains {
        Some(word) if !word.trim().is_empty() => {
            let needle = validate::normalize_name(word);
            Some(
                r.rx.task_names()?
                    .into_iter()
                    .filter(|(n, _)| validate::normalize_name(n).contains(&needle))
                    .map(|(_, id)| id)
                    .collect(),
            )
        }
        _ => None,
    };
    let today_date = r.today();
    let today = today_date.to_julian_day();
    let author = match f.author {
        Some(a) if q.sort == TaskCol::Author => Some(holder_name(&r.rx, a)?),
        _ => None,
    };
    let span = task_span(
        task_list_prefix(q.queue, scope, q.sort),
        q.sort,
        f,
        author.as_deref(),
        r.offset,
        today_date,
    );
    let (ids, next) = list::scan::<TaskSummary>(
        &r.rx,
        &span,
        q.desc,
        q.after.as_ref(),
        q.limit.clamp(1, 500),
        |s| {
            names.as_ref().is_none_or(|n| n.contains(&s.name_id))
                && f.author.is_none_or(|a| s.author == a.0)
                && f.created_from.is_none_or(|x| s.created >= x.0)
                && f.created_to.is_none_or(|x| s.created < x.0)
                && f.service.is_none_or(|x| s.service == x.0)
                && (!f.overdue_only || s.due < today)
        },
    )?;
    let cal = super::calendar::load(&r.rx)?;
    let mut users: BTreeMap<UserId, String> = BTreeMap::new();
    let mut name = |id: UserId| -> Result<String> {
        if let Some(n) = users.get(&id) {
            return Ok(n.clone());
        }
        let n = holder_name(&r.rx, id)?;
        users.insert(id, n.clone());
        Ok(n)
    };
    let tasks: Vec<Task> = r.load_many(&ids)?;
    let app_ids: Vec<u64> = tasks
        .iter()
        .filter_map(|t| t.application)
        .map(|a| a.0)
        .collect();
    let mut numbers: BTreeMap<u64, (String, Source)> = BTreeMap::new();
    for bytes in
        r.rx.get_many_raw(Application::TABLE, &app_ids)?
            .into_iter()
            .flatten()
    {
        let head = AppHead::decode(&bytes)?;
        numbers.insert(head.id.0, (head.number, head.source));
    }
    let mut rows = Vec::with_capacity(ids.len());
    for t in tasks {
        let (number, source) = match t.application.and_then(|a| numbers.get(&a.0).cloned()) {
            Some((n, s)) => (Some(n), Some(s)),
            None => (None, None),
        };
        rows.push(TaskRow {
            id: t.id,
            author: name(t.author)?,
            holder: t.holder.map(&mut name).transpose()?,
            created: t.created,
            due: t.due,
            overdue_days: if t.completed.is_none() {
                cal.working_days_between(t.due, today_date)
            } else {
                0
            },
            application: number,
            source,
            name: t.name,
        });
    }
    Ok(Page { rows, next })
}

impl Node {
    /// «Запуск услуги»: choose the department, then the service; the process starts with
    /// its first task in the group queue.
    pub fn launch_service(
        &self,
        actor: Actor,
        service: ServiceId,
        dept: Option<DeptId>,
    ) -> Result<Process> {
        self.write(actor, "process.launch", |w| launch(w, service, dept))
    }

    /// «Назначить на себя». With `take_over`, a supervisor takes a task held by another.
    pub fn claim(&self, actor: Actor, id: TaskId, take_over: bool) -> Result<Task> {
        self.write(actor, "task.claim", |w| claim(w, id, take_over))
    }

    /// «Вернуть в группу».
    pub fn return_to_group(&self, actor: Actor, id: TaskId) -> Result<Task> {
        self.write(actor, "task.return", |w| return_to_group(w, id))
    }

    /// «Срок исполнения».
    pub fn set_due(&self, actor: Actor, id: TaskId, due: time::Date) -> Result<Task> {
        self.write(actor, "task.set_due", |w| set_due(w, id, due))
    }

    /// Completes a task (and with `finish`, the whole process). Returns the next task.
    pub fn complete(
        &self,
        actor: Actor,
        id: TaskId,
        finish: bool,
        comment: &str,
    ) -> Result<Option<Task>> {
        self.write(actor, "task.complete", |w| complete(w, id, finish, comment))
    }

    /// A page of a queue.
    pub fn queue(&self, actor: Actor, q: &TaskQuery) -> Result<Page<TaskRow>> {
        self.read(actor, |r| queue_page(r, q))
    }

    pub fn task(&self, actor: Actor, id: TaskId) -> Result<TaskCard> {
        self.read(actor, |r| {
            r.who.require("task.view", Right::ViewTasks)?;
            let task: Task = r.load(id.0)?;
            if !r.who.in_group(task.group) && !r.who.rights.has(Right::Monitoring) {
                return Err(Error::not_found("task", id));
            }
            let cal = super::calendar::load(&r.rx)?;
            let application = match task.application {
                Some(a) => r.rx.get::<Application>(a.0)?.map(|a| a.number),
                None => None,
            };
            Ok(TaskCard {
                application,
                due_provisional: task.completed.is_none()
                    && !cal.confirmed_through(task.created.date(r.offset), task.due),
                holder: super::applications::user_name(&r.rx, task.holder)?,
                history: history::read(&r.rx, Entity::Task, task.id.0)?,
                task,
            })
        })
    }

    /// «Карта процесса» of the process a task belongs to.
    pub fn process_map(&self, actor: Actor, process: ProcessId) -> Result<ProcessMap> {
        self.read(actor, |r| {
            r.who.require("process.map", Right::ViewTasks)?;
            let p: Process = r.load(process.0)?;
            let svc: Service = r.load(p.service.0)?;
            let mut tasks = Vec::new();
            for t in &p.tasks {
                tasks.push(r.load::<Task>(t.0)?);
            }
            let mut steps = Vec::new();
            for (i, s) in svc.steps.iter().enumerate() {
                let t = tasks.iter().rev().find(|t| t.step as usize == i);
                let state = match t {
                    Some(t) if t.completed.is_some() => StepState::Done,
                    Some(_) if p.finished.is_none() => StepState::Current,
                    _ => StepState::Ahead,
                };
                let who = t.and_then(|t| t.completed.map(|c| c.0).or(t.holder));
                steps.push(MapStep {
                    name: s.name.clone(),
                    state,
                    executor: super::applications::user_name(&r.rx, who)?,
                });
            }
            Ok(ProcessMap {
                service: svc.name,
                finished: p.finished.is_some(),
                steps,
            })
        })
    }

    /// The tasks of a process, oldest first.
    pub fn process_tasks(&self, actor: Actor, process: ProcessId) -> Result<Vec<Task>> {
        self.read(actor, |r| {
            let _: Process = r.load(process.0)?;
            let p = volost_store::records::task_by_process_prefix(process).0;
            list::ids_with_prefix(&r.rx, &p, usize::MAX)?
                .into_iter()
                .map(|id| r.load::<Task>(id))
                .collect()
        })
    }
}
