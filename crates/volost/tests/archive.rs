//! «Архив»: who sees which finished process, the search, and the tree of a process.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use volost::Actor;
use volost::clock::Clock;
use volost::domain::*;
use volost::service::*;

const HOUR: i64 = 3_600_000;

/// Registers a draft of `who`, so its process starts, and returns the application.
fn registered(fx: &Fx, who: Actor) -> Application {
    let app = draft(fx, who);
    fx.node
        .act(who, app.id, &ActionInput::new(Action::Register))
        .unwrap()
}

/// The open task of `app`'s process.
fn open_task(fx: &Fx, app: &Application) -> TaskId {
    let tasks = fx
        .node
        .process_tasks(fx.head, app.process.unwrap())
        .unwrap();
    tasks.iter().find(|t| t.completed.is_none()).unwrap().id
}

/// `who` takes the open task of `app` and completes it, finishing the process if `finish`.
fn work(fx: &Fx, who: Actor, app: &Application, finish: bool) {
    let t = open_task(fx, app);
    fx.node.claim(who, t, false).unwrap();
    fx.clock.advance_ms(HOUR);
    fx.node.complete(who, t, finish, "").unwrap();
}

fn query(f: ArchiveFilter) -> ArchiveQuery {
    ArchiveQuery {
        filter: f,
        after: None,
        limit: 50,
    }
}

fn numbers(fx: &Fx, who: Actor, f: ArchiveFilter) -> Vec<String> {
    fx.node
        .archive(who, &query(f))
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.number.unwrap())
        .collect()
}

#[test]
fn a_person_sees_the_processes_they_worked_on_monitoring_sees_all() {
    let fx = fixture();
    let a = registered(&fx, fx.spec);
    let b = registered(&fx, fx.spec);
    let open = registered(&fx, fx.spec);
    work(&fx, fx.spec, &a, false);
    work(&fx, fx.spec2, &a, true);
    work(&fx, fx.spec2, &b, true);
    work(&fx, fx.spec, &open, false);

    let all = ArchiveFilter::default();
    // Newest first; the open process is in nobody's archive.
    assert_eq!(
        numbers(&fx, fx.head, all.clone()),
        vec![b.number.clone(), a.number.clone()]
    );
    assert_eq!(
        numbers(&fx, fx.support, all.clone()),
        vec![b.number.clone(), a.number.clone()]
    );
    assert_eq!(
        numbers(&fx, fx.admin, all.clone()),
        vec![b.number.clone(), a.number.clone()]
    );
    assert_eq!(
        numbers(&fx, fx.spec2, all.clone()),
        vec![b.number.clone(), a.number.clone()]
    );
    assert_eq!(numbers(&fx, fx.spec, all.clone()), vec![a.number.clone()]);
    assert!(numbers(&fx, fx.sup, all).is_empty());

    // The tree follows the same rule, and another body's process is not found either.
    let pb = b.process.unwrap();
    assert!(matches!(
        fx.node.archive_process(fx.spec, pb),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        fx.node.archive_process(fx.head, open.process.unwrap()),
        Err(Error::NotFound { .. })
    ));
    fx.node.archive_process(fx.spec2, pb).unwrap();

    let row = &fx
        .node
        .archive(fx.head, &query(ArchiveFilter::default()))
        .unwrap()
        .rows[1];
    assert_eq!(row.process, a.process.unwrap());
    assert_eq!(row.applicant.as_deref(), Some("Семёнов Пётр Ильич"));
    assert_eq!(row.tasks, 2);
    assert_eq!(row.result, Some(Status::Deciding));
    assert_eq!(row.finished.0 - row.started.0, 2 * HOUR);
    check_ok(&fx.node);
}

#[test]
fn the_archive_is_searched_by_number_applicant_service_and_period() {
    let fx = fixture();
    let a = registered(&fx, fx.spec);
    work(&fx, fx.spec, &a, true);
    let middle = fx.clock.now();
    fx.clock.advance_ms(24 * HOUR);
    let b = registered(&fx, fx.spec);
    work(&fx, fx.spec, &b, true);

    let f = |number: &str, applicant: &str| ArchiveFilter {
        number: Some(number.into()).filter(|s: &String| !s.is_empty()),
        applicant: Some(applicant.into()).filter(|s: &String| !s.is_empty()),
        ..Default::default()
    };
    assert_eq!(
        numbers(&fx, fx.spec, f(&a.number, "")),
        vec![a.number.clone()]
    );
    assert!(numbers(&fx, fx.spec, f("2026-999999", "")).is_empty());
    // By the beginning of the name, in any case, and by СНИЛС.
    assert_eq!(numbers(&fx, fx.spec, f("", "семёнов п")).len(), 2);
    assert_eq!(numbers(&fx, fx.spec, f("", "112-233-445 95")).len(), 2);
    assert!(numbers(&fx, fx.spec, f("", "Кузьмин")).is_empty());
    assert_eq!(
        numbers(&fx, fx.spec, f(&b.number, "Семёнов")),
        vec![b.number.clone()]
    );

    let period = |from: Option<Ts>, to: Option<Ts>| ArchiveFilter {
        from,
        to,
        ..Default::default()
    };
    assert_eq!(
        numbers(&fx, fx.spec, period(None, Some(middle))),
        Vec::<String>::new(),
        "a finished exactly at `middle`: the end of a period is not in it"
    );
    assert_eq!(
        numbers(
            &fx,
            fx.spec,
            period(Some(middle), Some(Ts(middle.0 + HOUR)))
        ),
        vec![a.number.clone()]
    );
    assert_eq!(
        numbers(&fx, fx.spec, period(Some(Ts(middle.0 + 1)), None)),
        vec![b.number.clone()]
    );
    // The period also narrows a search by applicant.
    let mut g = f("", "Семёнов");
    g.from = Some(Ts(middle.0 + 1));
    assert_eq!(numbers(&fx, fx.spec, g), vec![b.number.clone()]);

    let svc = service(&fx).id;
    let other = ServiceId(svc.0 + 1);
    let by = |s: ServiceId| ArchiveFilter {
        service: Some(s),
        ..Default::default()
    };
    assert_eq!(numbers(&fx, fx.spec, by(svc)).len(), 2);
    assert!(numbers(&fx, fx.spec, by(other)).is_empty());

    match fx
        .node
        .archive(fx.spec, &query(period(Some(middle), Some(middle))))
    {
        Err(Error::Invalid(e)) => assert!(e[0].message.contains("раньше"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    match fx.node.archive(fx.spec, &query(f("", "А"))) {
        Err(Error::Invalid(e)) => assert!(e[0].message.contains("двух букв"), "{e:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_archive_pages_without_repeating_a_process() {
    let fx = fixture();
    let mut made = Vec::new();
    for _ in 0..7 {
        let a = registered(&fx, fx.spec);
        work(&fx, fx.spec, &a, true);
        made.push(a.number);
    }
    let mut seen = Vec::new();
    let mut q = query(ArchiveFilter::default());
    q.limit = 3;
    loop {
        let page = fx.node.archive(fx.spec, &q).unwrap();
        seen.extend(page.rows.into_iter().map(|r| r.number.unwrap()));
        match page.next {
            Some(c) => q.after = Some(c),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made);
}

#[test]
fn the_tree_puts_each_document_under_the_task_it_was_made_in() {
    let fx = fixture();
    let d = draft(&fx, fx.spec);
    fx.node
        .add_file(
            fx.spec,
            Some(FileOwner::Application(d.id)),
            "заявление.pdf",
            b"%PDF",
        )
        .unwrap();
    fx.clock.advance_ms(HOUR);
    let app = fx
        .node
        .act(fx.spec, d.id, &ActionInput::new(Action::Register))
        .unwrap();

    // First task: a file and the decision.
    let t1 = open_task(&fx, &app);
    fx.node.claim(fx.spec, t1, false).unwrap();
    fx.clock.advance_ms(HOUR);
    fx.node
        .add_file(
            fx.spec,
            Some(FileOwner::Application(app.id)),
            "акт.pdf",
            b"%PDF-1",
        )
        .unwrap();
    fx.node
        .act(
            fx.spec,
            app.id,
            &ActionInput::new(Action::Decide(Verdict::Approve)).with_reason("Всё верно", "Готово"),
        )
        .unwrap();
    fx.clock.advance_ms(HOUR);
    fx.node.complete(fx.spec, t1, false, "").unwrap();
    // Second task: nothing made; it finishes the process.
    work(&fx, fx.spec2, &app, true);

    let tree = fx
        .node
        .archive_process(fx.spec, app.process.unwrap())
        .unwrap();
    assert_eq!(tree.row.number.as_deref(), Some(app.number.as_str()));
    assert!(matches!(&tree.before[..], [ArchiveDoc::File { name, .. }] if name == "заявление.pdf"));
    assert_eq!(tree.tasks.len(), 2);
    let docs = &tree.tasks[0].documents;
    assert!(
        matches!(&docs[..], [ArchiveDoc::File { name, size: 6, .. }, ArchiveDoc::Decision { verdict: Verdict::Approve, reason }]
            if name == "акт.pdf" && reason == "Всё верно"),
        "{docs:?}"
    );
    assert!(tree.tasks[1].documents.is_empty());
    assert_eq!(tree.tasks[0].executor.as_deref(), Some("Иванова М. С."));
    assert_eq!(tree.tasks[1].executor.as_deref(), Some("Петров А. Н."));
    assert_eq!(tree.tasks[0].overdue_days, 0);

    // An executor who neither made nor decided the application reads its files from the
    // archive.
    let ArchiveDoc::File { id, .. } = tree.tasks[0].documents[0] else {
        unreachable!()
    };
    assert_eq!(fx.node.file(fx.spec2, id).unwrap().data, b"%PDF-1");
}
