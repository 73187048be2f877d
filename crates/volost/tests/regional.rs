//! Regional requests (Запрос Р-сведений) over the regional exchange (РСМЭВ), between the real
//! daemon and two real simulators over HTTP: one plays SMEV, the other the regional
//! exchange and the bodies of the region on other nodes. Each channel's messages go to its
//! own endpoint.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;

use common::daemon::*;
use common::sim::*;
use common::*;
use std::collections::BTreeMap;
use volost::api::{Client, ListArgs, call};
use volost::domain::*;
use volost::service::*;
use volost::smev::regional;
use volost::smev::sim::{AgencyRequest, Fault, Injection, Scenario, Step};

/// Stops the daemon; its database passes `volost check` and nothing waits in the outbox.
fn stopped_whole(d: Daemon, dir: &std::path::Path) {
    d.stop();
    let node = open_node(dir);
    check_ok(&node);
    assert!(node.exchange_outbox().unwrap().is_empty());
}

fn card(c: &mut Client, id: RegReqId) -> (RegionalRequest, Vec<HistoryEntry>) {
    c.ask(call::Regional { id }).unwrap()
}

fn rows(c: &mut Client) -> Vec<RegRow> {
    let page: Page<RegRow> = c
        .ask(call::RegionalList(ListArgs {
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

    let dirbodies: Vec<RegionalBody> = spec.ask(call::RegionalBodies).unwrap();
    assert_eq!(dirbodies.len(), 1);
    assert_eq!(dirbodies[0].inn, RAYON_INN);

    // A body outside the directory is refused, and nothing is saved.
    let e = spec
        .ask(call::CreateRegional(RegionalInput {
            remote: Some("7700000000".into()),
            subject: "Сведения".into(),
            ..Default::default()
        }))
        .unwrap_err();
    assert!(e.to_string().contains("нет в справочнике РСМЭВ"), "{e}");
    assert!(rows(&mut spec).is_empty());

    let req: RegionalRequest = spec
        .ask(call::CreateRegional(RegionalInput {
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
        .ask(call::AddFile {
            owner: Some(FileOwner::Regional(req.id)),
            name: "схема.pdf".into(),
            data: volost::api::Bytes(b"%PDF-1.4 plan".to_vec()),
        })
        .unwrap();

    let sent: RegionalRequest = spec
        .ask(call::SendRegional {
            id: req.id,
            pin: None,
            browser: false,
        })
        .unwrap();
    let message_id = sent.remote.unwrap().message_id.unwrap();
    // Sent once is enough: a second «Отправить» is refused while it travels.
    let again = spec
        .ask(call::SendRegional {
            id: req.id,
            pin: None,
            browser: false,
        })
        .unwrap_err();
    assert!(again.to_string().contains("Отправить"), "{again}");
    // What was signed and sent stays as it went.
    let late = spec
        .ask(call::AddFile {
            owner: Some(FileOwner::Regional(req.id)),
            name: "ещё.pdf".into(),
            data: volost::api::Bytes(b"%PDF-1.4 late".to_vec()),
        })
        .unwrap_err();
    assert!(
        late.to_string().contains("файлы уже не изменяются"),
        "{late}"
    );

    let (done, history) = until("the regional answer", || {
        let (q, h) = card(&mut spec, req.id);
        (q.status == RegStatus::Done).then_some((q, h))
    });
    assert!(done.answer.contains("22:14:050101:12"), "{}", done.answer);
    assert_eq!(done.remote.unwrap().state, RemoteState::Answered);
    let whats: Vec<&str> = history.iter().map(|h| h.what.as_str()).collect();
    assert!(
        whats.contains(&"Запрос в очереди РСМЭВ")
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

    // An answer whose exchange signature fails is not taken; the request may go again, under
    // a new MessageID, and a late answer to the first one would still find it.
    let second: RegionalRequest = spec
        .ask(call::CreateRegional(RegionalInput {
            remote: Some(RAYON_INN.into()),
            subject: "Сведения о пастбищах".into(),
            ..Default::default()
        }))
        .unwrap();
    rsim.scenario(&Scenario {
        steps: vec![Step::Answer {
            after_ms: 100,
            fields: Default::default(),
            files: Vec::new(),
        }],
    });
    rsim.faults(&[Injection::on("GetResponse", Fault::BadSignature)]);
    let first_try: RegionalRequest = spec
        .ask(call::SendRegional {
            id: second.id,
            pin: None,
            browser: false,
        })
        .unwrap();
    let refused = until("the answer refused", || {
        let (q, _) = card(&mut spec, second.id);
        q.remote
            .filter(|r| r.state == RemoteState::AnswerRefused)
            .map(|_| q.status)
    });
    assert_eq!(refused, RegStatus::New);
    let again: RegionalRequest = spec
        .ask(call::SendRegional {
            id: second.id,
            pin: None,
            browser: false,
        })
        .unwrap();
    let (first_id, remote) = (
        first_try.remote.unwrap().message_id.unwrap(),
        again.remote.unwrap(),
    );
    assert_ne!(remote.message_id.as_deref(), Some(first_id.as_str()));
    assert_eq!(remote.earlier, vec![first_id]);
    until("the answer to the second sending", || {
        let (q, _) = card(&mut spec, second.id);
        (q.status == RegStatus::Done).then_some(())
    });

    let snap: serde_json::Value = serde_json::from_str(&d.get("/health", "").1).unwrap();
    assert_eq!(snap["rsmev"]["state"], "up", "{snap}");
    let (_, m) = d.get("/metrics", "");
    assert!(m.contains("volost_rsmev_up 1"), "{m}");
    drop(spec);
    stopped_whole(d, dir.path());
}

#[test]
fn a_regional_request_from_a_body_elsewhere_is_answered_back_over_the_regional_exchange() {
    let dir = for_daemon(fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let rsim = Sim::start(&dir.path().join("rdump"));
    let d = Daemon::start(dir.path(), &regional_config(dir.path(), &sim, &rsim));
    let mut spec = d.login("spec", "password-1");

    let with_file = AgencyRequest {
        files: vec![volost::smev::sim::OfferedFile {
            id: "file1".into(),
            key: String::new(),
            name: String::new(),
            mime: "application/pdf".into(),
            base64: base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 form"),
        }],
        ..from_rayon(FIXTURE_INN, "Численность населения")
    };
    let mid = rsim.offer("/sim/request", &with_file);
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
        .ask(call::AddFile {
            owner: Some(FileOwner::Regional(row.id)),
            name: "справка.pdf".into(),
            data: volost::api::Bytes(b"%PDF-1.4 census".to_vec()),
        })
        .unwrap();

    // What comes the wrong way is refused at the door, on the exchange it came by: a
    // regional request over SMEV, an agency's request over РСМЭВ.
    let wrong = sim.offer("/sim/request", &from_rayon(FIXTURE_INN, "Не тем путём"));
    let kind = {
        let mut c = d.login("spec", "password-1");
        let kinds: Vec<RequestKind> = c.ask(call::RequestKinds).unwrap();
        kinds.into_iter().find(|k| !k.sign_personal).unwrap()
    };
    let agency = rsim.offer("/sim/request", &agency_request(&kind, "Росреестр"));
    for (s, mid, why) in [
        (&sim, &wrong, "только через РСМЭВ"),
        (&rsim, &agency, "только запросы Р-сведений"),
    ] {
        let r = until("the refusal", || {
            let r = responses_to(s, mid);
            (!r.is_empty()).then_some(r)
        });
        assert_eq!(r[0].kind, "rejected");
        assert!(
            r[0].fields.values().any(|v| v.contains(why)),
            "{:?}",
            r[0].fields
        );
    }

    // The exchange refuses our answer once: it can be sent again.
    rsim.faults(&[Injection::on(
        "SendResponse",
        Fault::SoapFault("InvalidContent".into()),
    )]);
    let done: RegionalRequest = spec
        .ask(call::CompleteRegional {
            id: row.id,
            answer: "Численность населения на 1 ноября 2026 года: 1 412 человек".into(),
        })
        .unwrap();
    assert_eq!(done.remote.unwrap().state, RemoteState::AnswerQueued);
    until("the answer refused by the exchange", || {
        let (q, _) = card(&mut spec, row.id);
        q.remote
            .filter(|r| r.state == RemoteState::AnswerNotSent)
            .map(|_| ())
    });
    let _: RegionalRequest = spec
        .ask(call::SendRegional {
            id: row.id,
            pin: None,
            browser: false,
        })
        .unwrap();
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
        let (q, h) = card(&mut spec, row.id);
        (h.iter().any(|e| e.what == "РСМЭВ приняла ответ")
            && q.remote.is_some_and(|r| r.state == RemoteState::AnswerSent))
        .then_some(())
    });
    // The files the district sent belong to the record: even a supervisor cannot remove one.
    let mut sup = d.login("super", "password-1");
    let files: Vec<Attachment> = sup
        .ask(call::Files {
            owner: FileOwner::Regional(row.id),
        })
        .unwrap();
    let theirs = files.iter().find(|f| f.added_by.is_none()).unwrap();
    assert_eq!(theirs.name, "file1.pdf");
    let e = sup.ask(call::RemoveFile { id: theirs.id }).unwrap_err();
    assert!(e.to_string().contains("входит в дело"), "{e}");
    drop(sup);
    // SMEV itself took part only to refuse what came the wrong way.
    assert!(sim.state().responses.iter().all(|r| r.answers == wrong));
    drop(spec);
    stopped_whole(d, dir.path());
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
