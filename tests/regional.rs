//! Regional requests (Запрос Р-сведений) over the regional exchange (РСМЭВ), between the real
//! daemon and two real simulators over HTTP: one plays SMEV, the other the regional
//! exchange and the bodies of the region on other nodes. Each channel's messages go to its
//! own endpoint.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::sim::*;
use common::*;
use std::collections::BTreeMap;
use volost::api::{Call, Client, ListArgs};
use volost::domain::*;
use volost::service::*;
use volost::smev::regional;
use volost::smev::sim::AgencyRequest;

fn card(c: &mut Client, id: RegReqId) -> (RegionalRequest, Vec<HistoryEntry>) {
    c.call(Call::Regional { id }).unwrap()
}

fn rows(c: &mut Client) -> Vec<RegRow> {
    let page: Page<RegRow> = c
        .call(Call::RegionalList(ListArgs {
            filter: RegFilter::default(),
            sort: ReqCol::Created,
            desc: true,
            after: None,
            limit: 50,
        }))
        .unwrap();
    page.rows
}

fn from_rayon(recipient_inn: &str, subject: &str) -> AgencyRequest {
    let fields: BTreeMap<String, String> = [
        ("SenderName", "Администрация Ключевского района"),
        ("SenderINN", RAYON_INN),
        ("RecipientName", "Администрация Тестового сельсовета"),
        ("RecipientINN", recipient_inn),
        ("RecipientNode", "test-node"),
        ("Subject", subject),
        ("Comment", "Для сводного отчёта района"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    AgencyRequest {
        namespace: regional::NS.into(),
        root: regional::REQUEST.into(),
        fields,
        sender: "РСМЭВ Алтайского края".into(),
        ..Default::default()
    }
}

#[test]
fn a_regional_request_goes_out_over_the_regional_exchange_and_its_answer_comes_back() {
    let dir = for_daemon(fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let rsim = Sim::start(&dir.path().join("rdump"));
    let d = Daemon::start(dir.path(), &regional_config(dir.path(), &sim, &rsim));
    let mut spec = d.login("spec", "password-1");

    let dirbodies: Vec<RegionalBody> = spec.call(Call::RegionalBodies).unwrap();
    assert_eq!(dirbodies.len(), 1);
    assert_eq!(dirbodies[0].inn, RAYON_INN);

    // A body outside the directory is refused, and nothing is saved.
    let e = spec
        .call::<RegionalRequest>(Call::CreateRegional(RegionalInput {
            remote: Some("7700000000".into()),
            subject: "Сведения".into(),
            ..Default::default()
        }))
        .unwrap_err();
    assert!(e.to_string().contains("нет в справочнике РСМЭВ"), "{e}");
    assert!(rows(&mut spec).is_empty());

    let req: RegionalRequest = spec
        .call(Call::CreateRegional(RegionalInput {
            remote: Some(RAYON_INN.into()),
            subject: "Сведения о земельном участке 22:14:050101:12".into(),
            comment: "Предоставлялся ли участок в аренду".into(),
            ..Default::default()
        }))
        .unwrap();
    assert_eq!(req.provider, "Администрация Ключевского района");
    let remote = req.remote.clone().unwrap();
    assert_eq!((remote.incoming, remote.state), (false, RemoteState::Draft));
    let _: Attachment = spec
        .call(Call::AddFile {
            owner: Some(FileOwner::Regional(req.id)),
            name: "схема.pdf".into(),
            data: volost::api::Bytes(b"%PDF-1.4 plan".to_vec()),
        })
        .unwrap();

    let sent: RegionalRequest = spec
        .call(Call::SendRegional {
            id: req.id,
            pin: None,
        })
        .unwrap();
    let message_id = sent.remote.unwrap().message_id.unwrap();
    // Sent once is enough: a second «Отправить» is refused while it travels.
    let again = spec
        .call::<RegionalRequest>(Call::SendRegional {
            id: req.id,
            pin: None,
        })
        .unwrap_err();
    assert!(again.to_string().contains("Отправить"), "{again}");

    let (done, history) = until("the regional answer", || {
        let (q, h) = card(&mut spec, req.id);
        (q.status == RegStatus::Done).then_some((q, h))
    });
    assert!(done.answer.contains("22:14:050101:12"), "{}", done.answer);
    assert_eq!(done.remote.unwrap().state, RemoteState::Answered);
    let whats: Vec<&str> = history.iter().map(|h| h.what.as_str()).collect();
    assert!(
        whats.contains(&"Запрос подписан ЭП-ОВ, в очереди РСМЭВ")
            && whats.contains(&"РСМЭВ приняла запрос")
            && whats.contains(&"Исполнено"),
        "{whats:?}"
    );
    // It went to the regional endpoint, with its file, and SMEV itself saw nothing of it.
    let rs = rsim.state();
    assert_eq!(rs.requests, vec![message_id.clone()]);
    assert!(rs.refused.is_empty(), "{:?}", rs.refused);
    assert!(
        rs.validated > 0,
        "the envelopes were checked against the schemas"
    );
    let fed = sim.state();
    assert!(!fed.requests.contains(&message_id));
    let dumped: Vec<String> = std::fs::read_dir(dir.path().join("rdump"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|t| t.contains(&message_id) && t.contains("SendRequestRequest"))
        .collect();
    assert_eq!(dumped.len(), 1);
    assert!(dumped[0].contains("схема.pdf") && dumped[0].contains(RAYON_INN));

    let snap: serde_json::Value = serde_json::from_str(&d.get("/health", "").1).unwrap();
    assert_eq!(snap["rsmev"]["state"], "up", "{snap}");
    let (_, m) = d.get("/metrics", "");
    assert!(m.contains("volost_rsmev_up 1"), "{m}");
    drop(spec);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    assert!(node.exchange_outbox().unwrap().is_empty());
}

#[test]
fn a_regional_request_from_a_body_elsewhere_is_answered_back_over_the_regional_exchange() {
    let dir = for_daemon(fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let rsim = Sim::start(&dir.path().join("rdump"));
    let d = Daemon::start(dir.path(), &regional_config(dir.path(), &sim, &rsim));
    let mut spec = d.login("spec", "password-1");

    let mid = rsim.offer(
        "/sim/request",
        &from_rayon(FIXTURE_INN, "Численность населения"),
    );
    // Addressed to a body this node does not serve: refused with the reason, nothing kept.
    let stray = rsim.offer("/sim/request", &from_rayon("5400000004", "Чужой запрос"));

    let row = until("the regional request from the district", || {
        rows(&mut spec).into_iter().find(|r| r.to_us)
    });
    assert_eq!(row.counterpart, "Администрация Ключевского района");
    let (q, history) = card(&mut spec, row.id);
    let remote = q.remote.clone().unwrap();
    assert!(remote.incoming);
    assert_eq!(remote.state, RemoteState::Received);
    assert_eq!(remote.message_id.as_deref(), Some(mid.as_str()));
    assert!(
        history
            .iter()
            .any(|h| h.what == "Запрос получен через РСМЭВ")
    );

    let refused = until("the refusal of the stray request", || {
        let r = responses_to(&rsim, &stray);
        (!r.is_empty()).then_some(r)
    });
    assert_eq!(refused[0].kind, "rejected");
    assert!(
        refused[0].fields.values().any(|v| v.contains("5400000004")),
        "{:?}",
        refused[0].fields
    );

    let _: Attachment = spec
        .call(Call::AddFile {
            owner: Some(FileOwner::Regional(row.id)),
            name: "справка.pdf".into(),
            data: volost::api::Bytes(b"%PDF-1.4 census".to_vec()),
        })
        .unwrap();
    let done: RegionalRequest = spec
        .call(Call::CompleteRegional {
            id: row.id,
            answer: "Численность населения на 1 ноября 2026 года: 1 412 человек".into(),
        })
        .unwrap();
    assert_eq!(done.remote.unwrap().state, RemoteState::AnswerQueued);
    let answered = until("the answer at the district", || {
        let r = responses_to(&rsim, &mid);
        (!r.is_empty()).then_some(r)
    });
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0].kind, "primary");
    assert_eq!(answered[0].root, regional::ANSWER);
    assert!(answered[0].fields["Answer"].contains("1 412"));
    assert_eq!(
        answered[0].files.len(),
        1,
        "the answering body's file goes with it"
    );
    until("the exchange's receipt in the history", || {
        let (_, h) = card(&mut spec, row.id);
        h.iter()
            .any(|e| e.what == "РСМЭВ приняла ответ")
            .then_some(())
    });
    // SMEV itself took no part.
    assert!(sim.state().responses.is_empty());
    drop(spec);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    assert!(node.exchange_outbox().unwrap().is_empty());
}

#[test]
fn without_a_regional_endpoint_a_directory_body_cannot_be_asked() {
    let fx = fixture();
    let e = fx
        .node
        .create_regional(
            fx.spec,
            &RegionalInput {
                remote: Some(RAYON_INN.into()),
                subject: "Сведения".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(e.ru().contains("РСМЭВ"), "{}", e.ru());
    assert!(fx.node.regional_bodies(fx.spec).unwrap().is_empty());
}
