//! An application and its process are one: whoever works a task of the process may open the
//! application, an application that ends closes its open tasks, the finished process reaches
//! «Архив» of those who worked on it, and `volost check` and the schema-4 migration find and
//! close what older nodes left open.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use volost::domain::*;
use volost::service::*;
use volost::store::Read;

fn registered(fx: &Fx, by: volost::Actor) -> Application {
    let d = draft(fx, by);
    fx.node
        .act(by, d.id, &ActionInput::new(Action::Register))
        .unwrap()
}

fn mine(fx: &Fx, who: volost::Actor) -> Vec<TaskId> {
    fx.node
        .queue(who, &TaskQuery::new(Queue::Mine))
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id)
        .collect()
}

fn archived(fx: &Fx, who: volost::Actor) -> Vec<ProcessId> {
    let q = ArchiveQuery {
        filter: ArchiveFilter::default(),
        after: None,
        limit: 50,
    };
    fx.node
        .archive(who, &q)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.process)
        .collect()
}

#[test]
fn whoever_works_a_task_opens_its_application_and_its_end_closes_the_task() {
    let fx = fixture();
    // The head registers an application: she creates and registers it, so it is not a
    // specialist's own, and its first task waits in the group.
    let app = registered(&fx, fx.head);
    let p = app.process.unwrap();
    let task = fx.node.process_tasks(fx.spec, p).unwrap()[0].id;

    // Someone in another group, with no task of it, is refused by the number.
    let other_group = fx.node.add_group(fx.admin, "Другая группа").unwrap();
    let stranger = add(
        &fx.node,
        fx.admin,
        "stranger",
        "Смирнова Ольга Петровна",
        "specialist",
        other_group,
    );
    let e = fx.node.application(stranger, app.id).unwrap_err();
    assert_eq!(e.ru(), format!("Нет прав на заявку {}", app.number));
    assert!(
        fx.node
            .files(stranger, FileOwner::Application(app.id))
            .is_err()
    );

    // The specialist claims the task; the task card names the application, and she opens it.
    fx.node.claim(fx.spec, task, false).unwrap();
    let card = fx.node.task(fx.spec, task).unwrap();
    assert_eq!(card.application.as_deref(), Some(app.number.as_str()));
    let a = fx.node.application(fx.spec, app.id).unwrap();
    assert_eq!(a.tasks.len(), 1);
    assert_eq!(a.tasks[0].queue, Queue::Mine);
    assert!(a.tasks[0].who.as_deref().unwrap().contains("Иванова"));
    fx.node
        .files(fx.spec, FileOwner::Application(app.id))
        .unwrap();

    // The head names the super-rights executor, who refuses: final at once.
    fx.node
        .act(
            fx.head,
            app.id,
            &ActionInput::new(Action::AssignExecutor(uid(fx.sup))),
        )
        .unwrap();
    let refused = fx
        .node
        .act(
            fx.sup,
            app.id,
            &ActionInput::new(Action::Decide(Verdict::Refuse))
                .with_reason("Нет права на услугу", "Отказано"),
        )
        .unwrap();
    assert_eq!(refused.status, Status::ApprovedRefusal);

    // Her task has left «Мои задачи», closed with a line saying why.
    assert!(mine(&fx, fx.spec).is_empty());
    let card = fx.node.task(fx.spec, task).unwrap();
    assert_eq!(card.task.queue(), Queue::Done);
    assert!(card.task.withdrawn, "closed with the application, not done");
    let last = card.history.last().unwrap();
    assert_eq!(last.what, "Задача закрыта вместе с заявкой");
    assert!(last.comment.contains(&app.number), "{}", last.comment);
    // The finished process is in her «Архив» and in the executor's.
    assert_eq!(archived(&fx, fx.spec), vec![p]);
    assert_eq!(archived(&fx, fx.sup), vec![p]);
    // And she still opens the application: she held a task of it.
    fx.node.application(fx.spec, app.id).unwrap();
    check_ok(&fx.node);
}

#[test]
fn a_desk_application_taken_to_the_end_leaves_no_open_task() {
    let fx = fixture();
    // Created and registered by the specialist: she is its executor.
    let app = registered(&fx, fx.spec);
    assert_eq!(app.assignee, Some(uid(fx.spec)));
    let step = |who, a: Action| {
        fx.node
            .act(
                who,
                app.id,
                &ActionInput::new(a).with_reason("Основания есть", "Готово"),
            )
            .unwrap()
    };
    step(fx.spec, Action::Decide(Verdict::Approve));
    let published = step(fx.head, Action::Publish);
    assert_eq!(published.status, Status::ApprovedPositive);
    let closed = step(fx.spec, Action::Close);
    assert_eq!(closed.status, Status::Closed);
    let p = app.process.unwrap();
    let tasks = fx.node.process_tasks(fx.spec, p).unwrap();
    assert!(tasks.iter().all(|t| t.completed.is_some()), "{tasks:?}");
    let group = fx
        .node
        .queue(fx.spec2, &TaskQuery::new(Queue::Group))
        .unwrap();
    assert!(group.rows.is_empty(), "nothing left in «Задачи группы»");
    // Nobody held the task: the process reaches the executor's «Архив».
    assert_eq!(archived(&fx, fx.spec), vec![p]);
    check_ok(&fx.node);
}

#[test]
fn check_reports_an_open_task_of_an_ended_application_and_the_migration_closes_it() {
    let fx = fixture();
    let app = registered(&fx, fx.spec);
    fx.node
        .act(
            fx.spec,
            app.id,
            &ActionInput::new(Action::Decide(Verdict::Approve)).with_reason("Да", "Да"),
        )
        .unwrap();
    fx.node
        .act(fx.head, app.id, &ActionInput::new(Action::Publish))
        .unwrap();
    check_ok(&fx.node);
    // Plant what an older node left: the task open again, the process unfinished, and the
    // database at schema 3.
    let p = app.process.unwrap();
    let task_id = fx.node.process_tasks(fx.spec, p).unwrap()[0].id;
    {
        let store = fx.node.store();
        let mut tx = store.begin().unwrap();
        let mut t: Task = tx.get(task_id.0).unwrap().unwrap();
        t.completed = None;
        t.withdrawn = false;
        tx.put(&t).unwrap();
        let mut pr: Process = tx.get(p.0).unwrap().unwrap();
        pr.finished = None;
        tx.put(&pr).unwrap();
        // And the application without the names its lists sort by, as schema 3 had it.
        let mut a: Application = tx.get(app.id.0).unwrap().unwrap();
        a.names = AppNames::default();
        tx.put(&a).unwrap();
        tx.meta_put("schema", &3u32.to_be_bytes()).unwrap();
        tx.commit().unwrap();
    }
    let rep = fx.node.check().unwrap();
    let found: Vec<&String> = rep
        .problems
        .iter()
        .filter(|p| p.contains("open, but its application"))
        .collect();
    assert_eq!(found.len(), 1, "{:?}", rep.problems);
    assert!(found[0].contains(&app.number), "{}", found[0]);

    let spec = uid(fx.spec);
    let Fx {
        dir, node, clock, ..
    } = fx;
    drop(node);
    let node = volost::Node::open(dir.path(), clock, volost::Options::for_tests()).unwrap();
    check_ok(&node);
    let rx = node.store().read().unwrap();
    let t: Task = rx.get(task_id.0).unwrap().unwrap();
    assert_eq!(t.queue(), Queue::Done);
    assert!(t.withdrawn);
    let pr: Process = rx.get(p.0).unwrap().unwrap();
    assert!(pr.finished.is_some());
    let a: Application = rx.get(app.id.0).unwrap().unwrap();
    assert_eq!(a.names.applicant, "Семёнов Пётр Ильич");
    assert_eq!(a.names.assignee, "Иванова М. С.");
    assert!(!a.names.service.is_empty());
    assert!(pr.executors.contains(&spec));
}

#[test]
fn a_specialist_sorts_her_applications_by_any_column_and_filters_by_source() {
    let fx = fixture();
    let apps: Vec<Application> = (0..3).map(|_| registered(&fx, fx.spec)).collect();
    fx.clock.advance_ms(60_000);
    fx.node
        .act(
            fx.spec,
            apps[0].id,
            &ActionInput::new(Action::Decide(Verdict::Approve)).with_reason("Да", "Да"),
        )
        .unwrap();
    let ids = |sort: AppCol, desc: bool, source: Option<Source>| -> Vec<AppId> {
        let q = AppQuery {
            sort,
            desc,
            filter: AppFilter {
                source,
                ..AppFilter::default()
            },
            ..AppQuery::default()
        };
        fx.node
            .applications(fx.spec, &q)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.id)
            .collect()
    };
    let [a, b, c] = [apps[0].id, apps[1].id, apps[2].id];
    assert_eq!(ids(AppCol::Created, false, None), [a, b, c]);
    // «Принятие решения» sorts before «Утверждение положительного результата».
    assert_eq!(ids(AppCol::Status, false, None), [b, c, a]);
    assert_eq!(ids(AppCol::Status, true, None), [a, c, b]);
    assert_eq!(
        ids(AppCol::Updated, true, None)[0],
        a,
        "the last changed first"
    );
    // By the names the list shows: all three are hers, of one applicant and service, so
    // the creation order decides within them.
    assert_eq!(ids(AppCol::Assignee, false, None), [a, b, c]);
    assert_eq!(ids(AppCol::Applicant, true, None), [c, b, a]);
    assert_eq!(ids(AppCol::Created, false, Some(Source::Manual)).len(), 3);
    assert!(ids(AppCol::Created, false, Some(Source::Epgu)).is_empty());
    // Staff enter personal reception and МФЦ; the portals' come over SMEV only.
    let svc = service(&fx);
    let new = |source| NewApplication {
        service: svc.id,
        dept: None,
        applicant: ApplicantRef::New(person("Семёнов Пётр Ильич", "112-233-445 95")),
        data: form(&svc),
        source,
    };
    let mfc = fx
        .node
        .create_application(fx.spec, &new(Source::Mfc))
        .unwrap();
    assert_eq!(mfc.source, Source::Mfc);
    let e = fx
        .node
        .create_application(fx.spec, &new(Source::Epgu))
        .unwrap_err();
    assert!(e.ru().contains("через СМЭВ"), "{}", e.ru());
}

#[test]
fn a_service_renamed_in_its_passport_renames_its_applications_in_the_lists() {
    let fx = fixture();
    let app = registered(&fx, fx.spec);
    let svc = service(&fx);
    let mut p = svc.passport();
    p.name = "Аааа: первая по алфавиту услуга".into();
    fx.node.set_passport(fx.admin, svc.id, &p).unwrap();
    let rx = fx.node.store().read().unwrap();
    let a: Application = rx.get(app.id.0).unwrap().unwrap();
    assert_eq!(a.names.service, "Аааа: первая по алфавиту услуга");
    drop(rx);
    // The index followed: nothing stale, nothing orphaned.
    check_ok(&fx.node);
}

#[test]
fn finished_tasks_sort_by_who_did_them() {
    let fx = fixture();
    // Петров finishes the older task, Иванова the newer: by name, hers comes first.
    let mut done = Vec::new();
    for who in [fx.spec2, fx.spec] {
        let app = registered(&fx, fx.head);
        let t = fx.node.process_tasks(who, app.process.unwrap()).unwrap()[0].id;
        fx.node.claim(who, t, false).unwrap();
        fx.node.complete(who, t, false, "").unwrap();
        done.push(t);
    }
    let sorted = |sort: TaskCol, desc: bool| -> Vec<(TaskId, Option<String>)> {
        let mut q = TaskQuery::new(Queue::Done);
        q.sort = sort;
        q.desc = desc;
        fx.node
            .queue(fx.head, &q)
            .unwrap()
            .rows
            .into_iter()
            .filter(|r| done.contains(&r.id))
            .map(|r| (r.id, r.holder))
            .collect()
    };
    let by_holder = sorted(TaskCol::Holder, false);
    assert_eq!(
        by_holder.iter().map(|r| r.0).collect::<Vec<_>>(),
        [done[1], done[0]],
        "{by_holder:?}"
    );
    assert!(by_holder[0].1.as_deref().unwrap().starts_with("Иванова"));
    let by_created = sorted(TaskCol::Created, false);
    assert_eq!(
        by_created.iter().map(|r| r.0).collect::<Vec<_>>(),
        [done[0], done[1]]
    );
    assert_eq!(
        sorted(TaskCol::Holder, true)
            .iter()
            .map(|r| r.0)
            .collect::<Vec<_>>(),
        [done[0], done[1]]
    );
    // The queue's list steps through the columns it shows: «Исполнитель», not «Автор».
    assert!(TaskCol::of(Queue::Done).contains(&TaskCol::Holder));
    assert!(!TaskCol::of(Queue::Done).contains(&TaskCol::Author));
}
