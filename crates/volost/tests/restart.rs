//! Data survive a restart; a held database, a missing one and a newer schema are clear errors.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::sync::Arc;
use volost::clock::FixedClock;
use volost::domain::*;
use volost::service::*;
use volost::store::{Store, StoreError};
use volost::{Node, Options};

#[test]
fn everything_survives_a_restart() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    fx.node
        .act(fx.spec, app.id, &ActionInput::new(Action::Register))
        .unwrap();
    let p = fx
        .node
        .launch_service(fx.spec, service(&fx).id, None)
        .unwrap();
    fx.node.claim(fx.spec2, p.tasks[0], false).unwrap();
    let before = fx.node.application(fx.head, app.id).unwrap();
    let Fx {
        dir,
        node,
        spec,
        spec2,
        head,
        ..
    } = fx;
    drop(node);

    let node = Node::open(
        dir.path(),
        Arc::new(FixedClock::new(monday())),
        Options::for_tests(),
    )
    .unwrap();
    let after = node.application(head, app.id).unwrap();
    assert_eq!(after.app, before.app);
    assert_eq!(after.history, before.history);
    let mine = node.queue(spec2, &TaskQuery::new(Queue::Mine)).unwrap();
    assert_eq!(mine.rows.len(), 1);
    assert!(node.login("spec", "password-1").is_ok());
    // Counters continue: the next number follows the last.
    let next = node
        .create_application(
            spec,
            &NewApplication {
                service: after.service.id,
                dept: None,
                applicant: ApplicantRef::Existing(after.applicant.id),
                data: after.app.data.clone(),
                source: Source::Manual,
            },
        )
        .unwrap();
    assert_eq!(next.number, "2026-000002");
    check_ok(&node);
}

#[test]
fn a_held_missing_or_newer_database_is_a_clear_error() {
    let fx = fixture();
    let e = Node::open(
        fx.dir.path(),
        Arc::new(FixedClock::new(monday())),
        Options::for_tests(),
    )
    .err()
    .unwrap();
    assert!(matches!(e, Error::Storage(StoreError::Locked)), "{e:?}");
    assert!(e.ru().contains("занята"), "{}", e.ru());

    let empty = tempfile::tempdir().unwrap();
    let e = Node::open(
        empty.path(),
        Arc::new(FixedClock::new(monday())),
        Options::for_tests(),
    )
    .err()
    .unwrap();
    assert!(matches!(e, Error::Storage(StoreError::Missing(_))));
    assert!(e.ru().contains("volost init"));

    let Fx { dir, node, .. } = fx;
    drop(node);
    {
        let store = Store::open(&db_path(dir.path())).unwrap();
        let mut tx = store.begin().unwrap();
        tx.meta_put("schema", &999u32.to_be_bytes()).unwrap();
        tx.commit().unwrap();
    }
    let e = Node::open(
        dir.path(),
        Arc::new(FixedClock::new(monday())),
        Options::for_tests(),
    )
    .err()
    .unwrap();
    assert!(
        matches!(e, Error::Storage(StoreError::TooNew { found: 999, .. })),
        "{e:?}"
    );
}

#[test]
fn check_finds_a_broken_index_and_a_failed_operation_leaves_nothing() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let audit_before = fx.node.audit_tail(fx.admin, 1000).unwrap().len();
    // A refused operation writes nothing, not even to the audit log.
    assert!(
        fx.node
            .act(fx.spec, app.id, &ActionInput::new(Action::Publish))
            .is_err()
    );
    assert_eq!(
        fx.node.audit_tail(fx.admin, 1000).unwrap().len(),
        audit_before
    );
    check_ok(&fx.node);
    // An orphan index entry is reported.
    let mut tx = fx.node.store().begin().unwrap();
    tx.index_insert_raw(&[3, 0, 0, 0, 0, 0, 0, 0, 1, 9, 9], b"")
        .unwrap();
    tx.commit().unwrap();
    let rep = fx.node.check().unwrap();
    assert!(
        !rep.ok() && rep.problems[0].contains("orphaned"),
        "{:?}",
        rep.problems
    );
}

#[test]
fn check_finds_a_status_its_history_does_not_explain() {
    let fx = fixture();
    let mut app = draft(&fx, fx.spec);
    check_ok(&fx.node);
    // A row moved on without the history entry every real transition writes.
    app.status = Status::Registered;
    let mut tx = fx.node.store().begin().unwrap();
    tx.put(&app).unwrap();
    tx.commit().unwrap();
    let rep = fx.node.check().unwrap();
    assert!(
        rep.problems
            .iter()
            .any(|p| p.starts_with("application") && p.contains("history")),
        "{:?}",
        rep.problems
    );
}

#[test]
fn backup_is_a_consistent_copy() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let out = tempfile::tempdir().unwrap();
    fx.node
        .store()
        .backup_to(&db_path(out.path()), b"{}")
        .unwrap();
    drop(fx.node);
    let node = Node::open(
        out.path(),
        Arc::new(FixedClock::new(monday())),
        Options::for_tests(),
    )
    .unwrap();
    assert_eq!(
        node.application(fx.head, app.id).unwrap().app.number,
        app.number
    );
    check_ok(&node);
}
