//! The consumer flow of the SMEV exchange between the real daemon (`volost serve`) and the
//! real simulator (`volost smev-sim`) over HTTP: staff send requests over the local API,
//! the worker signs, sends, polls and acknowledges, the simulator checks every signature and
//! answers by its scenario, and faults are injected on the way.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::daemon::*;
use common::sim::*;
use common::*;
use std::time::{Duration, Instant};
use volost::api::{Client, call};
use volost::domain::*;
use volost::smev::sim::{Fault, Injection, Scenario, Step};

type Card = (OutgoingRequest, Vec<HistoryEntry>);

/// Waits until the request reaches `want`; fails with its history otherwise.
fn wait_for(c: &mut Client, id: OutReqId, want: OutStatus) -> Card {
    let t0 = Instant::now();
    loop {
        let card: Card = c.ask(call::Outgoing { id }).unwrap();
        if card.0.status == want {
            return card;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(40),
            "request {id} is «{}», not «{}»: {:#?}",
            card.0.status.label(),
            want.label(),
            card.1
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn statuses(h: &[HistoryEntry]) -> Vec<u8> {
    h.iter().filter_map(|e| e.status).collect()
}

#[test]
fn a_request_goes_out_and_its_answer_comes_back_through_lost_replies_and_failures() {
    let (dir, ids) = node_with_requests(1);
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");

    // A 500 and SMEV's own failure before the message gets through; then the reply to the
    // send that got through is lost, so the worker sends again under the same MessageID.
    sim.faults(&[
        Injection::on("SendRequest", Fault::Http500),
        Injection::on("SendRequest", Fault::SoapFault("SMEVFailure".into())),
        Injection::any(Fault::Drop),
    ]);
    let sent: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap();
    assert_eq!(sent.status, OutStatus::Ready);
    let mid = sent.message_id.clone().unwrap();
    let (req, history) = wait_for(&mut c, ids[0], OutStatus::Answered);
    assert_eq!(req.message_id.as_deref(), Some(mid.as_str()));
    use OutStatus::*;
    assert_eq!(
        statuses(&history),
        [Formed, Ready, Sent, Accepted, Answered].map(|s| s as u8),
        "{history:#?}"
    );
    // The agency's answer as it came, read by the kind's package: about the person asked.
    let answer: volost::api::view::AnswerView = c
        .ask(call::OutgoingAnswer { id: ids[0] })
        .unwrap()
        .expect("the answer kept on the request");
    assert!(answer.problem.is_none(), "{answer:?}");
    assert!(
        answer
            .lines
            .iter()
            .any(|l| l.label == "Фамилия" && Some(&l.value) == req.data.get("family_name")),
        "{answer:#?}"
    );
    assert_eq!(
        req.answer.get("snils").map(String::as_str),
        Some("11223344595"),
        "the answer form's values taken where its names meet the answer's"
    );
    let st = sim.state();
    assert_eq!(st.requests, [mid], "one MessageID, taken once");
    // A 500, SMEV's failure, the lost reply; then either «already sent» or the status
    // message came first and proved the request delivered.
    assert!(st.calls["SendRequest"] >= 3, "{st:?}");
    assert!(
        st.refused.is_empty(),
        "every envelope passed: {:?}",
        st.refused
    );
    // Every envelope that reached the simulator's checks met SMEV's schemas (a 500 or a
    // fault injected before them is not counted).
    assert!(st.validated >= 5, "{st:?}");
    assert_eq!(st.acked.len(), 2, "the status and the answer acknowledged");

    // /health and /metrics show the link up.
    let (code, body) = d.get("/health", "");
    assert_eq!(code, 200);
    assert!(body.contains("\"up\""), "{body}");
    let h: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(h["smev"]["outbox"], 0, "nothing left to send: {h}");
    assert!(h["smev"]["cert_days_left"].as_i64().unwrap() > 300, "{h}");
    let (_, m) = d.get("/metrics", "");
    assert!(m.contains("volost_smev_outbox 0"), "{m}");
    assert!(m.contains("volost_smev_cert_days_left 36"), "{m}");

    drop(c);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    assert!(node.exchange_outbox().unwrap().is_empty());
    let dumped = std::fs::read_dir(dir.path().join("dump")).unwrap().count();
    assert!(dumped >= 6, "every envelope dumped: {dumped}");
}

#[test]
fn bad_answers_end_in_the_right_status_and_nothing_is_taken_as_good() {
    let (dir, ids) = node_with_requests(6);
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");
    let step_answer = Step::Answer {
        after_ms: 200,
        fields: Default::default(),
        files: Vec::new(),
    };

    // The provider rejects: «Запрос не принят в ведомстве», with the reason in words.
    sim.scenario(&Scenario {
        steps: vec![Step::Reject {
            after_ms: 200,
            code: "NO_DATA".into(),
            description: "Объект не найден".into(),
        }],
    });
    let _: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (req, _) = wait_for(&mut c, ids[0], OutStatus::Rejected);
    assert!(
        req.error
            .as_deref()
            .unwrap()
            .contains("сведения не найдены: Объект не найден"),
        "{req:?}"
    );

    // SMEV refuses the business data after taking it: «Выявлена ошибка».
    sim.scenario(&Scenario {
        steps: vec![Step::SmevReject {
            after_ms: 200,
            details: "SMEV-403: не соответствует схеме".into(),
        }],
    });
    let _: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[1],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (req, _) = wait_for(&mut c, ids[1], OutStatus::Error);
    assert!(
        req.error.as_deref().unwrap().contains("SMEV-403"),
        "{req:?}"
    );

    // An answer whose SMEV signature does not match: never taken as good, acknowledged as
    // not accepted.
    sim.scenario(&Scenario {
        steps: vec![step_answer.clone()],
    });
    sim.faults(&[Injection::any(Fault::BadSignature)]);
    let _: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[2],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (req, _) = wait_for(&mut c, ids[2], OutStatus::Error);
    assert!(req.answer.is_empty(), "{req:?}");
    assert!(
        req.error.as_deref().unwrap().contains("подпись СМЭВ"),
        "{req:?}"
    );
    assert_eq!(sim.state().rejected_acks.len(), 1);

    // A malformed reply and a duplicate delivery: the answer is applied exactly once.
    sim.faults(&[
        Injection::on("GetResponse", Fault::Malformed),
        Injection::any(Fault::Duplicate),
    ]);
    let _: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[3],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (_, history) = wait_for(&mut c, ids[3], OutStatus::Answered);
    let answers = history
        .iter()
        .filter(|h| h.status == Some(OutStatus::Answered as u8))
        .count();
    assert_eq!(answers, 1, "{history:#?}");

    // SMEV refuses the message itself: «Запрос не отправлен»; back in work and sent again,
    // it gets a new MessageID and goes through.
    sim.faults(&[Injection::on(
        "SendRequest",
        Fault::SoapFault("InvalidContent".into()),
    )]);
    let first: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[4],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (req, _) = wait_for(&mut c, ids[4], OutStatus::NotSent);
    assert!(
        req.error.as_deref().unwrap().contains("InvalidContent"),
        "{req:?}"
    );
    let again: OutgoingRequest = c.ask(call::ReopenOutgoing { id: ids[4] }).unwrap();
    assert_eq!(again.status, OutStatus::Formed);
    let second: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[4],
            pin: None,
            browser: false,
        })
        .unwrap();
    assert_ne!(first.message_id, second.message_id);
    wait_for(&mut c, ids[4], OutStatus::Answered);

    // Sending what is not «сформирован» is refused with the reason, and changes nothing.
    let e = c
        .ask(call::SubmitOutgoing {
            id: ids[4],
            pin: None,
            browser: false,
        })
        .unwrap_err();
    assert_eq!(code(e), "invalid_transition");

    drop(c);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    assert!(node.exchange_outbox().unwrap().is_empty());
    let inbox = node.exchange_inbox(1000).unwrap();
    assert!(
        inbox
            .iter()
            .any(|e| e.verdict.starts_with("kept: unreadable")),
        "the malformed reply is kept for inspection: {inbox:#?}"
    );
    assert!(
        inbox
            .iter()
            .any(|e| e.verdict.starts_with("kept: SMEV signature"))
    );
    let kept = inbox
        .iter()
        .find(|e| e.verdict.starts_with("kept: unreadable"))
        .unwrap();
    let bytes = node.exchange_inbox_bytes(kept.id).unwrap().unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("<broken"));
}

#[test]
fn without_an_endpoint_a_request_is_kept_and_staff_hear_why() {
    let (dir, ids) = node_with_requests(1);
    let d = Daemon::start(dir.path(), &config(dir.path(), ""));
    let mut c = d.login("spec", "password-1");
    let e = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap_err();
    let msg = format!("{e}");
    assert!(msg.contains("не настроен"), "{msg}");
    let (req, _): Card = c.ask(call::Outgoing { id: ids[0] }).unwrap();
    assert_eq!(req.status, OutStatus::Formed);
    assert!(req.message_id.is_none());
}

#[test]
fn files_travel_inline_with_a_request_and_too_many_bytes_are_refused_before_signing() {
    let (dir, ids) = node_with_requests(3);
    let dir = Box::leak(Box::new(dir));
    eprintln!("DEBUGDIR {}", dir.path().display());
    let sim = Sim::start(&dir.path().join("dump"));
    let cfg = smev_config(dir.path(), &sim);
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("max_attachment_bytes = 2048\n");
    std::fs::write(&cfg, text).unwrap();
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    let add = |c: &mut Client, id: OutReqId, bytes: Vec<u8>| {
        let _: Attachment = c
            .ask(call::AddFile {
                owner: Some(FileOwner::Outgoing(id)),
                name: "справка.pdf".into(),
                data: volost::api::Bytes(bytes),
            })
            .unwrap();
    };

    add(&mut c, ids[0], b"%PDF-1.4 small".to_vec());
    // The agency answers with a file of its own.
    let answer_file = b"%PDF-1.4 extract from the register".to_vec();
    sim.scenario(&Scenario {
        steps: vec![Step::Answer {
            after_ms: 200,
            fields: Default::default(),
            files: vec![volost::smev::sim::OfferedFile {
                id: "extract.pdf".into(),
                key: String::new(),
                name: String::new(),
                mime: "application/pdf".into(),
                base64: base64::engine::general_purpose::STANDARD.encode(&answer_file),
            }],
        }],
    });
    let sent: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (_, history) = wait_for(&mut c, ids[0], OutStatus::Answered);
    assert!(
        history.iter().any(|h| h.comment.contains("файлов: 1")),
        "{history:#?}"
    );
    let message_id = sent.message_id.unwrap();
    let envelope: String = std::fs::read_dir(dir.path().join("dump"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.contains(&message_id) && t.contains("SendRequestRequest"))
        .unwrap();
    // Inline, with its header, and within what the simulator's schema check accepted.
    assert!(envelope.contains("AttachmentHeaderList") && envelope.contains("AttachmentContent"));
    assert!(sim.state().refused.is_empty());
    // The answer's file is kept with the request, byte for byte, its digest in the history.
    let files: Vec<Attachment> = c
        .ask(call::Files {
            owner: FileOwner::Outgoing(ids[0]),
        })
        .unwrap();
    let got = files.iter().find(|f| f.name == "extract.pdf").unwrap();
    assert!(got.added_by.is_none(), "received by the node itself");
    let data: volost::api::FileReply = c.ask(call::File { id: got.id }).unwrap();
    assert_eq!(data.data.0, answer_file);
    assert!(
        history
            .iter()
            .any(|h| h.what.contains("extract.pdf") && h.comment.contains(&got.sha256[..16])),
        "{history:#?}"
    );

    // Over the limit: refused with the sizes, nothing signed, nothing queued.
    add(&mut c, ids[1], vec![b'x'; 3000]);
    let e = c
        .ask(call::SubmitOutgoing {
            id: ids[1],
            pin: None,
            browser: false,
        })
        .unwrap_err();
    assert!(e.to_string().contains("можно отправить не более"), "{e}");
    let (req, _): Card = c.ask(call::Outgoing { id: ids[1] }).unwrap();
    assert_eq!(req.status, OutStatus::Formed);
    assert!(req.message_id.is_none());

    // An answer the node cannot store (more files than a request may hold): not taken, the
    // request tells why, the message is acknowledged and the exchange goes on.
    let many = (0..=MAX_FILES_PER_OWNER)
        .map(|i| volost::smev::sim::OfferedFile {
            id: format!("part{i}.pdf"),
            key: String::new(),
            name: String::new(),
            mime: "application/pdf".into(),
            base64: base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4"),
        })
        .collect();
    sim.scenario(&Scenario {
        steps: vec![Step::Answer {
            after_ms: 100,
            fields: Default::default(),
            files: many,
        }],
    });
    let third: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[2],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (req, _) = wait_for(&mut c, ids[2], OutStatus::Error);
    assert!(
        req.error.as_deref().unwrap().contains("ответ не принят"),
        "{req:?}"
    );
    let files: Vec<Attachment> = c
        .ask(call::Files {
            owner: FileOwner::Outgoing(ids[2]),
        })
        .unwrap();
    assert!(
        files.is_empty(),
        "nothing of the refused answer is kept as files"
    );
    until("the refused answer acknowledged", || {
        (sim.state().acked.len() >= 2).then_some(())
    });

    drop(c);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    assert!(node.exchange_outbox().unwrap().is_empty());
    assert_eq!(
        sim.state().requests,
        vec![message_id, third.message_id.unwrap()]
    );
    let kept = node.exchange_inbox(50).unwrap();
    assert!(
        kept.iter().any(|e| e.verdict.contains("refused")),
        "the message is in the journal: {kept:?}"
    );
}
