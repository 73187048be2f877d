//! Personal signatures of staff (ЭП-СП) end to end: a container made and imported with the
//! CLI (`volost smev keygen --personal`, `volost user cert`), the real daemon signing the
//! business data with the PIN typed over the local API, and the real simulator checking the
//! signature as an agency would and signing its own answers.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::personal::*;
use common::sim::*;
use common::*;
use volost::api::{Client, Pin, call};
use volost::domain::*;
use volost::service::CertView;
use volost::smev::sim::AgencyRequest;

#[test]
fn a_request_is_signed_with_the_pin_and_the_signed_answer_verified() {
    let fx = fixture();
    let kind = personal_kind(&fx);
    let ids = outgoing(&fx, fx.spec, &kind, 2);
    let other = outgoing(&fx, fx.spec2, &kind, 1)[0];
    let dir = for_daemon(fx);
    import_cert(dir.path(), "spec", "Иванова Марина Сергеевна");
    let listed = volost(&[
        "user",
        "list",
        "--data",
        dir.path().join("data").to_str().unwrap(),
    ]);
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("spec ") && l.contains(" до ")),
        "{listed}"
    );
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");
    let me: volost::api::SessionInfo = c.ask(call::Whoami).unwrap();
    let cert: CertView = me.personal_cert.unwrap();
    assert!(cert.subject.starts_with("Иванова Марина Сергеевна"));
    assert_eq!(cert.warning(), None);

    // Without the PIN nothing is sent; a wrong one is counted.
    assert_eq!(submit(&mut c, ids[0], None).unwrap_err(), "pin_required");
    assert_eq!(
        submit(&mut c, ids[0], Some("1111")).unwrap_err(),
        "wrong_pin"
    );
    let (req, _): (OutgoingRequest, Vec<HistoryEntry>) =
        c.ask(call::Outgoing { id: ids[0] }).unwrap();
    assert_eq!(req.status, OutStatus::Formed, "nothing changed");
    assert!(req.message_id.is_none());

    // The right PIN: signed, sent, checked by the agency, answered with its own ЭП-СП.
    let sent = submit(&mut c, ids[0], Some(PIN)).unwrap();
    assert_eq!(sent.status, OutStatus::Ready);
    assert_eq!(
        sent.personal.signed_by.as_deref(),
        Some(cert.subject.as_str())
    );
    let mid = sent.message_id.clone().unwrap();
    let (req, history) = until("the answer", || {
        let card: (OutgoingRequest, Vec<HistoryEntry>) =
            c.ask(call::Outgoing { id: ids[0] }).unwrap();
        (card.0.status == OutStatus::Answered).then_some(card)
    });
    let st = sim.state();
    assert!(
        st.refused.is_empty(),
        "SMEV's schemas take ЭП-СП: {:?}",
        st.refused
    );
    assert!(st.validated > 0);
    let at_agency = &st.personal[&mid];
    assert!(at_agency.valid, "{at_agency:?}");
    assert_eq!(at_agency.signer, cert.subject);
    let v = req.personal.received.unwrap();
    assert!(v.valid, "{v:?}");
    assert_eq!(v.label(), "ЭП-СП верна");
    assert!(
        history.iter().any(|h| h.comment.contains("ЭП-СП верна")),
        "{history:#?}"
    );
    assert!(
        history.iter().any(|h| h.comment.contains("ЭП-СП: Иванова")),
        "{history:#?}"
    );

    // A colleague without a certificate cannot sign.
    let mut c2 = d.login("spec2", "password-1");
    let e = submit(&mut c2, other, Some(PIN)).unwrap_err();
    assert_eq!(e, "forbidden");

    // Five wrong PINs in a row block the certificate; then even the right one is refused.
    // The wrong PIN before the right one no longer counts: all the tries are left.
    for left in (1..volost::service::MAX_WRONG_PINS).rev() {
        let e = c
            .ask(call::SubmitOutgoing {
                id: ids[1],
                pin: Some(Pin("0000".into())),
                browser: false,
            })
            .unwrap_err();
        let api = e.api().unwrap().clone();
        assert_eq!(api.code, "wrong_pin");
        assert!(
            api.message.contains(&format!("осталось попыток {left}")),
            "{api:?}"
        );
    }
    assert_eq!(
        submit(&mut c, ids[1], Some("0000")).unwrap_err(),
        "pin_blocked"
    );
    assert_eq!(submit(&mut c, ids[1], Some(PIN)).unwrap_err(), "forbidden");
    let me: volost::api::SessionInfo = c.ask(call::Whoami).unwrap();
    assert_eq!(
        me.personal_cert.unwrap().warning().as_deref(),
        Some("ЭП-СП заблокирована")
    );
    drop((c, c2));
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
}

#[test]
fn an_agency_request_needs_a_valid_personal_signature_and_the_answer_carries_ours() {
    let fx = fixture();
    let kind = personal_kind(&fx);
    let offer = |sign: bool, forge: bool| AgencyRequest {
        sign_personal: sign,
        forge_personal: forge,
        ..agency_request(&kind, "ЗАГС")
    };
    let dir = for_daemon(fx);
    import_cert(dir.path(), "spec", "Иванова Марина Сергеевна");
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");

    // Unsigned where the kind asks for ЭП-СП, and signed but changed after: refused, with
    // the reason, and nothing taken in.
    for (sign, forge, words) in [
        (false, false, "требует ЭП-СП"),
        (true, true, "ЭП-СП запроса: не верна"),
    ] {
        let mid = sim.offer("/sim/request", &offer(sign, forge));
        let r = until("the refusal", || {
            responses_to(&sim, &mid).into_iter().next()
        });
        assert_eq!(r.kind, "rejected", "{r:?}");
        assert!(
            r.fields.values().any(|why| why.contains(words)),
            "{words}: {r:?}"
        );
    }
    // Sound, but by a certificate the node does not trust as an employee's (the simulator's
    // taken out of the trust directory's top, kept as SMEV's): refused, the daemon reading
    // the directory again without a restart.
    let top = std::fs::read_dir(dir.path().join("trust"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_file())
        .unwrap();
    let kept = std::fs::read(&top).unwrap();
    std::fs::remove_file(&top).unwrap();
    let mid = sim.offer("/sim/request", &offer(true, false));
    let r = until("the refusal", || {
        responses_to(&sim, &mid).into_iter().next()
    });
    assert_eq!(r.kind, "rejected", "{r:?}");
    assert!(
        r.fields
            .values()
            .any(|why| why.contains("ЭП-СП запроса: сертификат не доверенный")),
        "{r:?}"
    );
    std::fs::write(&top, kept).unwrap();
    let list = |c: &mut Client| -> Vec<InReqId> { incoming_rows(c).iter().map(|r| r.id).collect() };
    assert!(list(&mut c).is_empty(), "nothing refused was taken in");

    // A signed request: taken in with the verdict; the answer is signed with the PIN.
    let mid = sim.offer("/sim/request", &offer(true, false));
    let id = until("the request", || list(&mut c).first().copied());
    let (req, history): (IncomingRequest, Vec<HistoryEntry>) =
        c.ask(call::Incoming { id }).unwrap();
    let v = req.personal.received.clone().unwrap();
    assert!(v.valid, "{v:?}");
    assert!(
        history.iter().any(|h| h.comment.contains("ЭП-СП верна")),
        "{history:#?}"
    );
    let answer = values(&kind.answer_fields);
    let e = c
        .ask(call::AnswerIncoming {
            id,
            answer: answer.clone(),
            pin: None,
            browser: false,
        })
        .map_err(code)
        .unwrap_err();
    assert_eq!(e, "pin_required");
    let done: IncomingRequest = c
        .ask(call::AnswerIncoming {
            id,
            answer,
            pin: Some(Pin(PIN.into())),
            browser: false,
        })
        .unwrap();
    assert_eq!(done.status, InStatus::Answered);
    assert!(done.personal.signed_by.is_some());
    let r = until("the answer", || {
        responses_to(&sim, &mid)
            .into_iter()
            .find(|r| r.kind == "primary")
    });
    assert!(sim.state().refused.is_empty(), "{:?}", sim.state().refused);
    let seen = r.personal.unwrap();
    assert!(seen.valid, "{seen:?}");
    assert!(
        seen.signer.starts_with("Иванова Марина Сергеевна"),
        "{seen:?}"
    );
    drop(c);
    d.stop();
    check_ok(&open_node(dir.path()));
}
