//! Interagency and regional requests as staff see them: the lists (also per application, as
//! an application card's tabs show them) and the cards with their history.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use volost::Actor;
use volost::domain::*;
use volost::service::*;

fn out_page(fx: &Fx, f: OutFilter) -> Vec<OutRow> {
    fx.node
        .outgoing_list(fx.spec, &f, ReqCol::Created, true, None, 50)
        .unwrap()
        .rows
}

/// An incoming request of `kind` as the exchange delivers it, numbered `consumer` there.
fn receive(fx: &Fx, kind: &RequestKind, consumer: &str) -> IncomingRequest {
    fx.node
        .receive_incoming(
            Actor::System(fx.org),
            &IncomingInput {
                kind: kind.id,
                consumer_number: consumer.into(),
                message_id: format!("c9b5a0e2-0b6f-11ef-9262-0242ac12{consumer:0>4}"),
                data: values(&kind.fields),
                planned_days: 5,
            },
        )
        .unwrap()
}

#[test]
fn an_applications_outgoing_requests_are_listed_with_it_and_read_with_their_history() {
    let fx = fixture();
    let app = draft(&fx, fx.spec);
    let kind = fx.node.request_kinds(fx.spec).unwrap().remove(0);
    let data = values(&kind.fields);
    let mine = fx
        .node
        .create_outgoing(fx.spec, kind.id, Some(app.id), &data)
        .unwrap();
    fx.node
        .create_outgoing(fx.spec, kind.id, None, &data)
        .unwrap();
    assert_eq!(out_page(&fx, OutFilter::default()).len(), 2);
    let rows = out_page(
        &fx,
        OutFilter {
            application: Some(app.id),
            ..OutFilter::default()
        },
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].number, mine.number);
    assert_eq!(rows[0].kind, kind.name);
    let (req, hist) = fx.node.outgoing(fx.spec, mine.id).unwrap();
    assert_eq!(req.status, OutStatus::Formed);
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].what, OutStatus::Formed.label());
    assert_eq!(hist[0].status, Some(OutStatus::Formed as u8));
    // The application's history tells of the request.
    let card = fx.node.application(fx.spec, app.id).unwrap();
    assert!(
        card.history.iter().any(|h| h.what.contains(&mine.number)),
        "{:?}",
        card.history
    );
}

#[test]
fn an_incoming_request_is_read_and_answered_from_its_card() {
    let fx = fixture();
    let kind = fx.node.request_kinds(fx.spec).unwrap().remove(0);
    let req = receive(&fx, &kind, "77-1");
    let (got, hist) = fx.node.incoming(fx.spec, req.id).unwrap();
    assert_eq!(got.consumer_number, "77-1");
    assert_eq!(hist.len(), 1);
    fx.node
        .answer_incoming(fx.spec, req.id, &values(&kind.answer_fields), None)
        .unwrap();
    let (got, hist) = fx.node.incoming(fx.spec, req.id).unwrap();
    assert_eq!(got.status, InStatus::Answered);
    assert_eq!(hist.len(), 2);
    // Without the right of interagency work the card is refused.
    assert!(matches!(
        fx.node.incoming(fx.support, req.id),
        Err(Error::Forbidden { .. })
    ));
}

#[test]
fn regional_requests_are_listed_for_the_sender_and_the_provider_body_only() {
    let fx = fixture();
    let other = fx
        .node
        .add_org(fx.admin, &org("Администрация района"))
        .unwrap();
    let third = fx
        .node
        .add_org(fx.admin, &org("Администрация соседа"))
        .unwrap();
    let app = draft(&fx, fx.spec);
    let bodies = fx.node.bodies(fx.spec).unwrap();
    assert_eq!(
        bodies.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![other, third],
        "the other bodies, not our own"
    );
    let to_other = fx
        .node
        .create_regional(
            fx.spec,
            &RegionalInput {
                provider: "Администрация района".into(),
                provider_org: Some(other),
                application: Some(app.id),
                subject: "Сведения о регистрации".into(),
                comment: "Прошу предоставить".into(),
                ..Default::default()
            },
        )
        .unwrap();
    fx.node
        .create_regional(
            fx.spec,
            &RegionalInput {
                provider: "МФЦ области".into(),
                provider_org: None,
                application: None,
                subject: "Копия решения".into(),
                comment: "".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let list = |who: Actor, f: RegFilter| {
        fx.node
            .regional_list(who, &f, false, None, 50)
            .unwrap()
            .rows
    };
    let ours = list(fx.spec, RegFilter::default());
    assert_eq!(ours.len(), 2);
    assert!(ours.iter().all(|r| !r.to_us));
    let of_app = list(
        fx.spec,
        RegFilter {
            application: Some(app.id),
            ..RegFilter::default()
        },
    );
    assert_eq!(of_app.len(), 1);
    assert_eq!(of_app[0].counterpart, "Администрация района");

    // The provider sees it as sent to it, from our body, and answers it.
    let theirs = list(Actor::System(other), RegFilter::default());
    assert_eq!(theirs.len(), 1);
    assert!(theirs[0].to_us);
    assert_eq!(theirs[0].counterpart, "Администрация Тестового сельсовета");
    fx.node
        .complete_regional(Actor::System(other), to_other.id, "Сведения прилагаются")
        .unwrap();
    let done = list(
        fx.spec,
        RegFilter {
            statuses: vec![RegStatus::Done],
            ..RegFilter::default()
        },
    );
    assert_eq!(done.len(), 1);
    let (req, hist) = fx.node.regional(fx.spec, to_other.id).unwrap();
    assert_eq!(req.answer, "Сведения прилагаются");
    assert_eq!(hist.len(), 2);
    // A third body sees neither the list entry nor the card.
    assert!(list(Actor::System(third), RegFilter::default()).is_empty());
    assert!(matches!(
        fx.node.regional(Actor::System(third), to_other.id),
        Err(Error::NotFound { .. })
    ));
    check_ok(&fx.node);
}

#[test]
fn an_incoming_request_is_claimed_taken_over_returned_and_commented_into_its_history() {
    let fx = fixture();
    let kind = fx.node.request_kinds(fx.spec).unwrap().remove(0);
    let req = receive(&fx, &kind, "77-2");
    let executor = |fx: &Fx| fx.node.incoming(fx.spec, req.id).unwrap().0.executor;
    fx.node.claim_incoming(fx.spec, req.id, false).unwrap();
    assert_eq!(executor(&fx), Some(uid(fx.spec)));
    // A colleague is told who holds it; a specialist cannot take it over.
    match fx.node.claim_incoming(fx.spec2, req.id, true).unwrap_err() {
        Error::AlreadyClaimed { holder } => assert!(holder.contains("Иванова"), "{holder}"),
        e => panic!("{e:?}"),
    }
    assert!(fx.node.claim_incoming(fx.support, req.id, false).is_err());
    // A supervisor takes it over, then gives it back.
    fx.node.claim_incoming(fx.sup, req.id, true).unwrap();
    let (q, _) = fx.node.incoming(fx.spec, req.id).unwrap();
    assert_eq!(
        (q.executor, q.previous_executor),
        (Some(uid(fx.sup)), Some(uid(fx.spec)))
    );
    assert!(fx.node.return_incoming(fx.spec2, req.id).is_err());
    fx.node.return_incoming(fx.sup, req.id).unwrap();
    assert_eq!(executor(&fx), Some(uid(fx.spec)));
    assert!(
        fx.node.return_incoming(fx.spec, req.id).is_err(),
        "nobody before now"
    );
    // A comment goes into the history only; an empty one is refused.
    assert!(fx.node.comment_incoming(fx.spec, req.id, "  ").is_err());
    fx.node
        .comment_incoming(fx.spec, req.id, "Уточнить адрес у заявителя")
        .unwrap();
    let (q, hist) = fx.node.incoming(fx.spec, req.id).unwrap();
    assert_eq!(q.status, InStatus::Received);
    let whats: Vec<&str> = hist.iter().map(|h| h.what.as_str()).collect();
    assert_eq!(
        whats,
        [
            "Запрос получен",
            "Назначить на себя",
            "Назначить на себя",
            "Вернуть предыдущему исполнителю",
            "Комментарий",
        ]
    );
    assert_eq!(hist[4].comment, "Уточнить адрес у заявителя");
    // Once answered, nobody claims it.
    fx.node
        .answer_incoming(fx.spec, req.id, &values(&kind.answer_fields), None)
        .unwrap();
    assert!(matches!(
        fx.node.claim_incoming(fx.spec2, req.id, false).unwrap_err(),
        Error::InvalidTransition { .. }
    ));
    check_ok(&fx.node);
}
