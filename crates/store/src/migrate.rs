//! Raising an older database to this build's schema, once, when it is opened. Each step runs
//! in one write transaction together with the new schema number, so a crash leaves either
//! the old database or the migrated one.

use super::tables::{Ix, PROCESSES, TASKS};
use super::{Read, Record, Store, StoreError, Tx, codec};
use std::collections::BTreeMap;
use volost_domain::{
    Application, Entity, HistoryEntry, Process, ProcessId, Task, UserId, application_ended,
    end_with_application,
};

/// Rows rewritten in one transaction of a re-indexing step.
const REINDEX_BATCH: usize = 10_000;

/// Brings a database of schema `found` up to [`super::SCHEMA_VERSION`].
pub(super) fn run(store: &Store, found: u32) -> Result<(), StoreError> {
    if found < 2 {
        let mut tx = store.begin()?;
        process_executors(&mut tx)?;
        tx.remove_index_prefix(&[Ix::TaskByExecutor as u8])?;
        tx.meta_put("schema", &2u32.to_be_bytes())?;
        tx.commit()?;
        tracing::info!("database schema 1 raised to 2 (process executors, archive index)");
    }
    if found < 3 {
        // Schema 3: the list summaries of applications and tasks carry the decision and
        // the completion, so that the period report reads no rows. Rewriting is idempotent:
        // a crash part way leaves schema 2 and the next open starts again.
        let apps = reindex::<Application>(store)?;
        let tasks = reindex::<Task>(store)?;
        let mut tx = store.begin()?;
        tx.meta_put("schema", &3u32.to_be_bytes())?;
        tx.commit()?;
        tracing::info!(
            applications = apps,
            tasks,
            "database schema 2 raised to 3 (report summaries)"
        );
    }
    if found < 4 {
        // Schema 4: an application that ends closes its process's open tasks. Before, they
        // stayed in the queues; close the ones this database already has.
        // Task rows and their summaries gain `withdrawn`, and an executor's applications are
        // indexed by every sort column: both are indexed again first (idempotent, as for
        // schema 3), then the closing runs in one transaction.
        reindex::<Task>(store)?;
        fill_app_names(store)?;
        let mut tx = store.begin()?;
        let closed = close_tasks_of_ended_applications(&mut tx)?;
        tx.meta_put("schema", &4u32.to_be_bytes())?;
        tx.commit()?;
        tracing::info!(
            closed_tasks = closed,
            "database schema 3 raised to 4: closed {closed} open tasks of applications that had ended"
        );
    }
    if found < 5 {
        // Schema 5: tasks sort by the names of their author and holder; the rows gain them
        // and are indexed again (idempotent, as for schema 3).
        let tasks = fill_task_names(store)?;
        let mut tx = store.begin()?;
        tx.meta_put("schema", &5u32.to_be_bytes())?;
        tx.commit()?;
        tracing::info!(tasks, "database schema 4 raised to 5 (task sorts by name)");
    }
    Ok(())
}

/// Schema 4: the open tasks whose application has ended are closed with it, as
/// [`end_with_application`] does now when it ends; returns how many.
fn close_tasks_of_ended_applications(tx: &mut Tx) -> Result<u64, StoreError> {
    let mut open: Vec<(u64, u64)> = Vec::new();
    tx.scan_rows(TASKS, 0, &mut |id, v| {
        let t = Task::decode(v)?;
        if t.completed.is_none()
            && let Some(a) = t.application
        {
            open.push((id, a.0));
        }
        Ok(true)
    })?;
    let mut processes: BTreeMap<ProcessId, Application> = BTreeMap::new();
    for (_, app) in open {
        let Some(a) = tx.get::<Application>(app)? else {
            continue;
        };
        if application_ended(a.status)
            && let Some(p) = a.process
        {
            processes.insert(p, a);
        }
    }
    let mut closed = 0u64;
    for (pid, app) in processes {
        let Some(mut p) = tx.get::<Process>(pid.0)? else {
            continue;
        };
        let ids: Vec<u64> = p.tasks.iter().map(|t| t.0).collect();
        let mut tasks: Vec<Task> = tx.get_many::<Task>(&ids)?.into_iter().flatten().collect();
        let by = app.assignee.unwrap_or(p.started_by);
        let also: Vec<UserId> = app.assignee.into_iter().collect();
        let done = end_with_application(&mut p, &mut tasks, by, app.updated, &also);
        let why = format!("заявка {} — «{}»", app.number, app.status.label());
        let entry = |what: &str| HistoryEntry {
            at: app.updated,
            by: None,
            what: what.into(),
            comment: why.clone(),
            status: None,
        };
        for t in tasks.iter().filter(|t| done.contains(&t.id)) {
            tx.put(t)?;
            super::history::append(
                tx,
                Entity::Task,
                t.id.0,
                &entry("Задача закрыта при обновлении узла: заявка завершена раньше"),
            )?;
            closed += 1;
        }
        tx.put(&p)?;
        super::history::append(
            tx,
            Entity::Process,
            p.id.0,
            &entry("Процесс завершён при обновлении узла вместе с заявкой"),
        )?;
    }
    Ok(closed)
}

/// Schema 4: every application gets the names its lists sort by, and is indexed again with
/// them.
fn fill_app_names(store: &Store) -> Result<u64, StoreError> {
    use volost_domain::{Applicant, Service, User};
    let mut services: BTreeMap<u64, String> = BTreeMap::new();
    let mut users: BTreeMap<u64, String> = BTreeMap::new();
    each_row::<Application>(store, |tx, mut a| {
        // The entries the row has now are keyed by the names it has now (none, in a row of
        // version 1): they go first, as the keys of the named ones differ.
        let mut old = Vec::new();
        a.index(&mut old)?;
        for (k, _) in &old {
            tx.remove_index_prefix(k)?;
        }
        a.names.service = match services.get(&a.service.0) {
            Some(n) => n.clone(),
            None => {
                let n = tx
                    .get::<Service>(a.service.0)?
                    .map(|s| s.name)
                    .unwrap_or_default();
                services.insert(a.service.0, n.clone());
                n
            }
        };
        a.names.applicant = tx
            .get::<Applicant>(a.applicant.0)?
            .map(|p| p.name)
            .unwrap_or_default();
        a.names.assignee = match a.assignee {
            None => String::new(),
            Some(u) => match users.get(&u.0) {
                Some(n) => n.clone(),
                None => {
                    let n = tx
                        .get::<User>(u.0)?
                        .map(|u| u.short_name())
                        .unwrap_or_default();
                    users.insert(u.0, n.clone());
                    n
                }
            },
        };
        tx.delete_raw(Application::TABLE, a.id.0)?;
        tx.put(&a)
    })
}

/// Schema 5: every task gets the names of its author and holder, and is indexed again.
fn fill_task_names(store: &Store) -> Result<u64, StoreError> {
    let mut users: BTreeMap<u64, String> = BTreeMap::new();
    each_row::<Task>(store, |tx, mut t| {
        // Keyed by names, the new entries differ from the old: the old go first.
        let mut old = Vec::new();
        t.index(&mut old)?;
        for (k, _) in &old {
            tx.remove_index_prefix(k)?;
        }
        let mut name = |tx: &mut Tx, u: UserId| -> Result<String, StoreError> {
            if let Some(n) = users.get(&u.0) {
                return Ok(n.clone());
            }
            let n = tx
                .get::<volost_domain::User>(u.0)?
                .map(|u| u.short_name())
                .unwrap_or_default();
            users.insert(u.0, n.clone());
            Ok(n)
        };
        t.names.author = name(tx, t.author)?;
        t.names.holder = match t.holder {
            Some(h) => name(tx, h)?,
            None => String::new(),
        };
        tx.delete_raw(Task::TABLE, t.id.0)?;
        tx.put(&t)
    })
}

/// Writes every index entry of every row of `R` again; returns how many rows.
fn reindex<R: Record>(store: &Store) -> Result<u64, StoreError> {
    each_row::<R>(store, |tx, row| {
        // Without the row, `put` takes none of its entries for present and writes them all,
        // with the new summaries.
        tx.delete_raw(R::TABLE, row.key())?;
        tx.put(&row)
    })
}

/// Passes every row of `R` to `f`, which writes it back, in transactions of
/// [`REINDEX_BATCH`] rows that are safe to repeat; returns how many rows.
fn each_row<R: Record>(
    store: &Store,
    mut f: impl FnMut(&mut Tx, R) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let mut tx = store.begin()?;
        let mut ids = Vec::new();
        tx.scan_rows(R::TABLE, after, &mut |id, _| {
            ids.push(id);
            Ok(ids.len() < REINDEX_BATCH)
        })?;
        let Some(&last) = ids.last() else {
            return Ok(done);
        };
        for id in ids {
            if let Some(row) = tx.get::<R>(id)? {
                f(&mut tx, row)?;
                done += 1;
            }
        }
        tx.commit()?;
        after = last + 1;
    }
}

/// Schema 2: a process records who completed its tasks, and a finished one is indexed for
/// «Архив». Rows of version 1 get their executors from their tasks.
fn process_executors(tx: &mut Tx) -> Result<(), StoreError> {
    let mut old = Vec::new();
    tx.scan_rows(PROCESSES, 0, &mut |id, v| {
        if codec::split(v)?.0 == 1 {
            old.push(id);
        }
        Ok(true)
    })?;
    for id in old {
        let Some(mut p) = tx.get::<Process>(id)? else {
            continue;
        };
        let mut done: Vec<(i64, UserId)> = Vec::new();
        for t in tx.get_many::<Task>(&p.tasks.iter().map(|t| t.0).collect::<Vec<_>>())? {
            if let Some((by, at)) = t.and_then(|t| t.completed) {
                done.push((at.0, by));
            }
        }
        done.sort();
        for (_, by) in done {
            if !p.executors.contains(&by) {
                p.executors.push(by);
            }
        }
        // The version 1 row implied no index entries; removing it first makes `put` write
        // every entry the new row implies instead of taking them for already present.
        tx.delete_raw(PROCESSES, id)?;
        tx.put(&p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::keys::prefix_upper;
    use crate::records::{ProcessV1, archive_prefix, archive_user_prefix};
    use volost_domain::*;

    fn task(id: u64, step: u32, completed: Option<(u64, i64)>) -> Task {
        Task {
            id: TaskId(id),
            org: OrgId(1),
            group: GroupId(1),
            process: ProcessId(1),
            service: ServiceId(1),
            application: None,
            step,
            name: "Шаг".into(),
            name_id: 1,
            author: UserId(7),
            created: Ts(0),
            due: time::macros::date!(2026 - 01 - 12),
            holder: completed.map(|(u, _)| UserId(u)),
            completed: completed.map(|(u, at)| (UserId(u), Ts(at))),
            withdrawn: false,
            names: TaskNames::default(),
        }
    }

    fn entries(store: &Store, prefix: Vec<u8>) -> usize {
        let rx = store.read().unwrap();
        let mut n = 0;
        rx.scan_index(&prefix, &prefix_upper(&prefix), false, &mut |_, _| {
            n += 1;
            Ok(true)
        })
        .unwrap();
        n
    }

    #[test]
    fn a_schema_1_database_gets_process_executors_and_the_archive_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.redb");
        {
            let store = Store::create(&path).unwrap();
            let mut tx = store.begin().unwrap();
            // Completed out of id order: the executors follow completion time.
            tx.put(&task(10, 0, Some((5, 300)))).unwrap();
            tx.put(&task(11, 1, Some((3, 200)))).unwrap();
            tx.put(&task(12, 2, Some((5, 400)))).unwrap();
            let v1 = ProcessV1 {
                id: ProcessId(1),
                org: OrgId(1),
                dept: None,
                group: GroupId(1),
                service: ServiceId(1),
                application: None,
                started_by: UserId(7),
                started: Ts(0),
                step: 2,
                tasks: vec![TaskId(10), TaskId(11), TaskId(12)],
                finished: Some(Ts(400)),
            };
            tx.put_raw(PROCESSES, 1, &codec::encode(1, &v1).unwrap())
                .unwrap();
            let old_ix = crate::keys::Key::new(Ix::TaskByExecutor as u8)
                .u64(5)
                .u64(10);
            tx.index_put_raw(&old_ix.0, &[]).unwrap();
            tx.meta_put("schema", &1u32.to_be_bytes()).unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let p: Process = store.read().unwrap().get(1).unwrap().unwrap();
        assert_eq!(p.executors, vec![UserId(3), UserId(5)]);
        assert_eq!(entries(&store, archive_prefix(OrgId(1)).0), 1);
        assert_eq!(entries(&store, archive_user_prefix(UserId(5)).0), 1);
        assert_eq!(entries(&store, archive_user_prefix(UserId(3)).0), 1);
        assert_eq!(entries(&store, archive_user_prefix(UserId(7)).0), 0);
        assert_eq!(entries(&store, vec![Ix::TaskByExecutor as u8]), 0);
        let schema = store.read().unwrap().meta_get("schema").unwrap().unwrap();
        assert_eq!(schema, super::super::SCHEMA_VERSION.to_be_bytes());
        drop(store);
        // A second open finds nothing left to do.
        let store = Store::open(&path).unwrap();
        assert_eq!(entries(&store, archive_prefix(OrgId(1)).0), 1);
    }

    /// The task list summary as schema 2 wrote it.
    #[derive(serde::Serialize)]
    struct TaskSummaryV2 {
        author: u64,
        created: i64,
        due: i32,
        name_id: u32,
        service: u64,
        holder: Option<u64>,
    }

    #[test]
    fn a_schema_2_database_gets_the_completion_in_its_task_summaries() {
        use crate::summary::TaskSummary;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.redb");
        let prefix = vec![Ix::TaskList as u8];
        {
            let store = Store::create(&path).unwrap();
            let mut tx = store.begin().unwrap();
            for id in 1..=3 {
                tx.put(&task(id, 0, (id == 2).then_some((5, 300)))).unwrap();
            }
            // Every list entry of these tasks back to the old summary, as schema 2 left them.
            let mut old = Vec::new();
            tx.scan_index(&prefix, &prefix_upper(&prefix), false, &mut |k, _| {
                old.push(k.to_vec());
                Ok(true)
            })
            .unwrap();
            let v2 = codec::encode(
                1,
                &TaskSummaryV2 {
                    author: 7,
                    created: 0,
                    due: 0,
                    name_id: 1,
                    service: 1,
                    holder: None,
                },
            )
            .unwrap();
            for k in &old {
                tx.index_put_raw(k, &v2).unwrap();
            }
            tx.meta_put("schema", &2u32.to_be_bytes()).unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let rx = store.read().unwrap();
        let mut done = Vec::new();
        rx.scan_index(&prefix, &prefix_upper(&prefix), false, &mut |_, v| {
            let (_, body) = codec::split(v)?;
            let s: TaskSummary = codec::body("summary", body)?;
            done.push(s.completed);
            Ok(true)
        })
        .unwrap();
        let cols = crate::summary::TaskCol::ALL.len();
        assert_eq!(
            done.len(),
            3 * cols,
            "a list entry per column of each of three tasks"
        );
        assert_eq!(done.iter().filter(|c| **c == Some((5, 300))).count(), cols);
        assert!(crate::check::run(&rx).unwrap().ok());
    }

    /// A task row as version 2 wrote it, before `names`.
    #[derive(serde::Serialize)]
    struct TaskV2 {
        id: TaskId,
        org: OrgId,
        group: GroupId,
        process: ProcessId,
        service: ServiceId,
        application: Option<AppId>,
        step: u32,
        name: String,
        name_id: u32,
        author: UserId,
        created: Ts,
        due: time::Date,
        holder: Option<UserId>,
        completed: Option<(UserId, Ts)>,
        withdrawn: bool,
    }

    fn user(id: u64, full_name: &str) -> User {
        User {
            id: UserId(id),
            org: OrgId(1),
            dept: None,
            login: format!("u{id}"),
            full_name: full_name.into(),
            password_hash: String::new(),
            must_change_password: false,
            roles: Vec::new(),
            rights: Rights::default(),
            groups: vec![GroupId(1)],
            active: true,
            created: Ts(0),
            failed_logins: 0,
            locked_until: None,
            position: String::new(),
            phone: String::new(),
        }
    }

    #[test]
    fn a_schema_4_database_sorts_tasks_by_the_names_of_author_and_holder() {
        use crate::records::task_list_prefix;
        use crate::summary::TaskCol;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.redb");
        {
            let store = Store::create(&path).unwrap();
            let mut tx = store.begin().unwrap();
            tx.put(&user(5, "Яковлева Ольга Ивановна")).unwrap();
            tx.put(&user(7, "Абрамов Пётр Сергеевич")).unwrap();
            // Done by 5 and by 7; with ids, 5 came first, by name Абрамов does.
            for (id, by) in [(10, 5), (11, 7)] {
                let t = task(id, 0, Some((by, 300)));
                tx.put(&t).unwrap();
                let v2 = TaskV2 {
                    id: t.id,
                    org: t.org,
                    group: t.group,
                    process: t.process,
                    service: t.service,
                    application: t.application,
                    step: t.step,
                    name: t.name.clone(),
                    name_id: t.name_id,
                    author: t.author,
                    created: t.created,
                    due: t.due,
                    holder: t.holder,
                    completed: t.completed,
                    withdrawn: t.withdrawn,
                };
                tx.put_raw(TASKS, id, &codec::encode(2, &v2).unwrap())
                    .unwrap();
            }
            tx.meta_put("schema", &4u32.to_be_bytes()).unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let rx = store.read().unwrap();
        let t: Task = rx.get(10).unwrap().unwrap();
        assert_eq!(t.names.author, "Абрамов П. С.");
        assert_eq!(t.names.holder, "Яковлева О. И.");
        let p = task_list_prefix(Queue::Done, 1, TaskCol::Holder).0;
        let mut order = Vec::new();
        rx.scan_index(&p, &prefix_upper(&p), false, &mut |k, _| {
            order.push(u64::from_be_bytes(k[k.len() - 8..].try_into().unwrap()));
            Ok(true)
        })
        .unwrap();
        assert_eq!(order, [11, 10]);
        // Only the entries of the rows as they are now: none keyed by the empty names.
        let cols = TaskCol::ALL.len();
        assert_eq!(entries(&store, vec![Ix::TaskList as u8]), 2 * cols);
        assert!(crate::check::run(&rx).unwrap().ok());
    }
}
