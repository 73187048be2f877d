//! The daemon's background work as service operations: the overdue marking and the gauges
//! behind `/metrics`, on a fixed clock.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use volost::Actor;
use volost::domain::*;
use volost::service::*;

const DAY: i64 = 24 * 3600 * 1000;

fn audit_ops(fx: &Fx) -> Vec<String> {
    fx.node
        .audit_tail(fx.admin, 1000)
        .unwrap()
        .into_iter()
        .map(|e| e.op)
        .collect()
}

#[test]
fn overdue_tasks_are_marked_once_and_counted() {
    let fx = fixture();
    let svc = service(&fx);
    let p = fx.node.launch_service(fx.spec, svc.id, None).unwrap();
    let id = p.tasks[0];
    let due = fx.node.task(fx.spec, id).unwrap().task.due;

    // Nothing due yet: the job writes nothing at all.
    let before = audit_ops(&fx).len();
    assert_eq!(fx.node.mark_overdue().unwrap(), 0);
    assert_eq!(audit_ops(&fx).len(), before);
    assert_eq!(fx.node.gauges().unwrap().tasks_overdue, 0);
    fx.node.mark_overdue().unwrap();

    // The day after the due date, the job runs and finds the task; then it has been seen.
    let now = fx.node.now();
    let days = (due - now.date(fx.node.options().utc_offset)).whole_days() + 1;
    fx.clock.advance_ms(days * DAY);
    let g = fx.node.gauges().unwrap();
    assert_eq!((g.tasks_group, g.tasks_overdue), (1, 1));
    assert_eq!(fx.node.mark_overdue().unwrap(), 1);
    assert_eq!(fx.node.mark_overdue().unwrap(), 0);
    let card = fx.node.task(fx.spec, id).unwrap();
    let marks = card
        .history
        .iter()
        .filter(|h| h.what == "Срок исполнения истёк")
        .count();
    assert_eq!(marks, 1);
    assert_eq!(
        audit_ops(&fx)
            .iter()
            .filter(|o| *o == "task.overdue")
            .count(),
        1
    );

    // A node that was off for days catches up; a taken task («Мои задачи») counts too.
    let p2 = fx.node.launch_service(fx.spec, svc.id, None).unwrap();
    fx.node.claim(fx.spec, p2.tasks[0], false).unwrap();
    fx.clock.advance_ms(60 * DAY);
    let g = fx.node.gauges().unwrap();
    assert_eq!((g.tasks_group, g.tasks_mine, g.tasks_overdue), (1, 1, 2));
    assert_eq!(fx.node.mark_overdue().unwrap(), 1);
    check_ok(&fx.node);

    // Completed tasks are neither overdue nor open.
    fx.node.complete(fx.spec, p2.tasks[0], true, "").unwrap();
    let g = fx.node.gauges().unwrap();
    assert_eq!((g.tasks_mine, g.tasks_overdue, g.tasks_done), (0, 1, 1));
}

#[test]
fn requests_are_counted_per_status() {
    let fx = fixture();
    let kind = fx.node.request_kinds(fx.spec).unwrap().remove(0);
    let data = values(&kind.fields);
    let a = fx
        .node
        .create_outgoing(fx.spec, kind.id, None, &data)
        .unwrap();
    fx.node
        .create_outgoing(fx.spec, kind.id, None, &data)
        .unwrap();
    fx.node
        .outgoing_event(Actor::System(fx.org), a.id, OutEvent::Prepared, "")
        .unwrap();
    fx.node
        .receive_incoming(
            Actor::System(fx.org),
            &IncomingInput {
                kind: kind.id,
                consumer_number: "1".into(),
                message_id: "c9b5a0e2-0b6f-11ef-9262-0242ac120002".into(),
                data,
                planned_days: 5,
            },
        )
        .unwrap();
    let g = fx.node.gauges().unwrap();
    let count = |s: OutStatus| g.outgoing.iter().find(|(x, _)| *x == s).unwrap().1;
    assert_eq!(count(OutStatus::Formed), 1);
    assert_eq!(count(OutStatus::Ready), 1);
    assert_eq!(count(OutStatus::Sent), 0);
    assert_eq!(
        g.incoming,
        vec![(InStatus::Received, 1), (InStatus::Answered, 0)]
    );
}
