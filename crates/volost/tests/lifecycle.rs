//! The application lifecycle through the service layer: every legal path, every refusal.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use volost::domain::*;
use volost::service::*;

fn act(fx: &Fx, who: volost::Actor, app: AppId, a: Action) -> Result<Application> {
    let input = match a {
        Action::Decide(_) => {
            ActionInput::new(a).with_reason("Документы в порядке", "Приходите за результатом")
        }
        Action::SendBack => ActionInput::new(a).with_comment("Уточните основание"),
        _ => ActionInput::new(a),
    };
    fx.node.act(who, app, &input)
}

#[test]
fn creator_who_registers_becomes_executor_then_full_cycle_with_approval() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    assert_eq!(app.status, Status::Draft);
    assert!(
        app.number.starts_with("2026-") && app.number.len() == 11,
        "number {}",
        app.number
    );

    let app = act(&fx, fx.spec, app.id, Action::Register).unwrap();
    assert_eq!(app.status, Status::Deciding, "auto-assigned to the creator");
    assert_eq!(app.assignee, Some(uid(fx.spec)));
    assert!(app.due.is_some() && app.process.is_some());

    let app = act(&fx, fx.spec, app.id, Action::Decide(Verdict::Approve)).unwrap();
    assert_eq!(app.status, Status::ApprovingPositive);
    let app = act(&fx, fx.head, app.id, Action::SendBack).unwrap();
    assert_eq!(app.status, Status::Deciding);
    let app = act(&fx, fx.spec, app.id, Action::Decide(Verdict::Refuse)).unwrap();
    assert_eq!(app.status, Status::ApprovingRefusal);
    let app = act(&fx, fx.head, app.id, Action::Publish).unwrap();
    assert_eq!(app.status, Status::ApprovedRefusal);
    let app = act(&fx, fx.spec, app.id, Action::Close).unwrap();
    assert_eq!(app.status, Status::Closed);

    let card = fx.node.application(fx.head, app.id).unwrap();
    let whats: Vec<&str> = card.history.iter().map(|h| h.what.as_str()).collect();
    assert_eq!(whats.len(), 8, "{whats:?}");
    assert!(whats[1].contains("Зарегистрировано") && whats[2].contains("автоматически"));
    assert!(card.history.iter().all(|h| h.at.0 > 0));
    assert_eq!(card.history[4].comment, "Уточните основание");
    assert!(card.actions.is_empty(), "nothing after closing");
    check_ok(&fx.node);
}

#[test]
fn registration_by_another_needs_an_executor() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let app = act(&fx, fx.head, app.id, Action::Register).unwrap();
    assert_eq!(app.status, Status::Registered);
    assert_eq!(app.assignee, None);
    // A specialist cannot assign executors.
    let e = act(&fx, fx.spec, app.id, Action::AssignExecutor(uid(fx.spec2))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Forbidden {
                right: Right::AssignExecutors,
                ..
            }
        ),
        "{e:?}"
    );
    // Support staff cannot decide, so cannot be executors.
    let e = act(
        &fx,
        fx.head,
        app.id,
        Action::AssignExecutor(uid(fx.support)),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
    let app = act(&fx, fx.head, app.id, Action::AssignExecutor(uid(fx.spec2))).unwrap();
    assert_eq!(
        (app.status, app.assignee),
        (Status::Deciding, Some(uid(fx.spec2)))
    );
    // Only the executor decides.
    let e = act(&fx, fx.spec, app.id, Action::Decide(Verdict::Approve)).unwrap_err();
    assert!(matches!(e, Error::NotAllowed(_)), "{e:?}");
    act(&fx, fx.spec2, app.id, Action::Decide(Verdict::Approve)).unwrap();
}

#[test]
fn super_rights_skip_approval() {
    let fx = fixture();
    let app = draft(&fx, fx.sup);
    let app = act(&fx, fx.sup, app.id, Action::Register).unwrap();
    let app = act(&fx, fx.sup, app.id, Action::Decide(Verdict::Approve)).unwrap();
    assert_eq!(app.status, Status::ApprovedPositive, "final at once");
    let e = act(&fx, fx.head, app.id, Action::SendBack).unwrap_err();
    assert!(matches!(e, Error::InvalidTransition { .. }));
}

#[test]
fn refusal_needs_a_reason_and_send_back_a_comment() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    act(&fx, fx.spec, app.id, Action::Register).unwrap();
    let e = fx
        .node
        .act(
            fx.spec,
            app.id,
            &ActionInput::new(Action::Decide(Verdict::Refuse)),
        )
        .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)));
    assert!(e.ru().contains("причину"), "{}", e.ru());
    act(&fx, fx.spec, app.id, Action::Decide(Verdict::Approve)).unwrap();
    let e = fx
        .node
        .act(fx.head, app.id, &ActionInput::new(Action::SendBack))
        .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)));
}

/// Every action from every reachable status through the service: illegal ones are refused
/// with `InvalidTransition` and change nothing (same status, same history, check passes).
#[test]
fn every_illegal_step_is_refused_and_changes_nothing() {
    let fx = fixture();
    let path = [
        (fx.head, Action::Register),
        (fx.head, Action::AssignExecutor(uid(fx.spec))),
        (fx.spec, Action::Decide(Verdict::Approve)),
        (fx.head, Action::Publish),
        (fx.spec, Action::Close),
    ];
    let app = draft(&fx, fx.spec);
    let all = |fx: &Fx| {
        vec![
            (fx.head, Action::Register),
            (fx.head, Action::AssignExecutor(uid(fx.spec))),
            (fx.spec, Action::Decide(Verdict::Approve)),
            (fx.spec, Action::Decide(Verdict::Refuse)),
            (fx.head, Action::SendBack),
            (fx.head, Action::Publish),
            (fx.spec, Action::Close),
        ]
    };
    for step in 0..=path.len() {
        let before = fx.node.application(fx.head, app.id).unwrap();
        for (who, a) in all(&fx) {
            if transition(before.app.status, &a, false).is_some() {
                continue;
            }
            let e = act(&fx, who, app.id, a.clone()).unwrap_err();
            assert!(
                matches!(e, Error::InvalidTransition { .. }),
                "{:?} {a:?}: {e:?}",
                before.app.status
            );
            assert!(e.ru().contains("недоступно"), "{}", e.ru());
            let after = fx.node.application(fx.head, app.id).unwrap();
            assert_eq!(after.app, before.app);
            assert_eq!(after.history.len(), before.history.len());
        }
        if let Some((who, a)) = path.get(step) {
            act(&fx, *who, app.id, a.clone()).unwrap();
        }
    }
    check_ok(&fx.node);
}

#[test]
fn drafts_are_editable_registered_are_frozen_and_forms_validated() {
    let fx = fixture();
    let svc = service(&fx);
    let app = draft(&fx, fx.spec);
    let mut data = form(&svc);
    let snils_key = svc
        .fields
        .iter()
        .find(|f| f.ftype == FieldType::Snils)
        .map(|f| f.key.clone());
    if let Some(k) = &snils_key {
        data.insert(k.clone(), "112-233-445 96".into());
        let e = fx.node.update_draft(fx.spec, app.id, &data).unwrap_err();
        assert!(e.ru().contains("контрольная сумма СНИЛС"), "{}", e.ru());
    }
    let mut data = form(&svc);
    data.insert("no_such_field".into(), "x".into());
    assert!(fx.node.update_draft(fx.spec, app.id, &data).is_err());
    let required = svc.fields.iter().find(|f| f.required).unwrap();
    let mut data = form(&svc);
    data.remove(&required.key);
    let e = fx.node.update_draft(fx.spec, app.id, &data).unwrap_err();
    assert!(e.ru().contains("Требуется"), "{}", e.ru());
    fx.node.update_draft(fx.spec, app.id, &form(&svc)).unwrap();
    act(&fx, fx.spec, app.id, Action::Register).unwrap();
    let e = fx
        .node
        .update_draft(fx.spec, app.id, &form(&svc))
        .unwrap_err();
    assert!(matches!(e, Error::NotAllowed(_)));
}

#[test]
fn numbers_are_sequential_per_year_and_found_by_number() {
    let fx = fixture();
    let a = draft(&fx, fx.spec);
    let b = draft(&fx, fx.spec);
    assert_eq!(a.number, "2026-000001");
    assert_eq!(b.number, "2026-000002");
    // New year, new sequence.
    fx.clock.advance_ms(40 * 86_400_000);
    let c = draft(&fx, fx.spec);
    assert_eq!(c.number, "2027-000001");
    let card = fx
        .node
        .application_by_number(fx.head, "2026-000002")
        .unwrap();
    assert_eq!(card.app.id, b.id);
    assert!(
        fx.node
            .application_by_number(fx.head, "2026-999999")
            .is_err()
    );
}
