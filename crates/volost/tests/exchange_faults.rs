//! Exchange faults at random: the real daemon sends outgoing requests to the real SMEV
//! simulator while the simulator meets a share of its calls with a fault drawn at random
//! from a seeded generator (`POST /sim/chaos`) —
//! lost replies, HTTP 500, SOAP faults (SMEV's transient failure and its refusal of the
//! message), duplicated and reordered deliveries, replies after the node's timeout, malformed
//! XML and answers whose SMEV signature does not match. Requests that SMEV refused
//! («Запрос не отправлен») are sent again as staff would, under a new MessageID. Then:
//!
//! - every request reaches a final status;
//! - SMEV took each request exactly once, under one MessageID, and that is the request's;
//! - every answer taken is the provider's (the request's fields echoed), and an answer with a
//!   bad signature is never taken: its request ends in «Выявлена ошибка» with no answer, and
//!   the node told SMEV it did not accept it;
//! - the node's `check` passes afterwards and nothing is left in the outbox.
//!
//! Seed, size and fault rate: `VOLOST_EXCHANGE_SEED` (default 1), `VOLOST_EXCHANGE_REQUESTS`
//! (default 24), `VOLOST_EXCHANGE_PERCENT` (of calls meeting a fault, default 25).
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::sim::*;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use volost::api::call;
use volost::domain::*;
use volost::smev::sim::{Chaos, Fault, Injection, Scenario};

fn env(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The faults chaos draws from, each as likely as the others among those that can meet a
/// call. SMEV's refusal of a message is aimed at SendRequest alone: elsewhere it would end
/// a poll, not a request.
fn faults() -> Vec<Injection> {
    vec![
        Injection::any(Fault::Drop),
        Injection::any(Fault::Http500),
        Injection::any(Fault::SoapFault("SMEVFailure".into())),
        Injection::on("SendRequest", Fault::SoapFault("InvalidContent".into())),
        Injection::any(Fault::Duplicate),
        Injection::any(Fault::Reorder),
        // Past the node's 3 s timeout: the reply comes after the node gave up on it.
        Injection::any(Fault::Delay(3_500)),
        Injection::any(Fault::Delay(300)),
        Injection::any(Fault::Malformed),
        Injection::any(Fault::BadSignature),
    ]
}

#[test]
fn under_random_faults_every_request_ends_once_and_no_bad_answer_is_taken() {
    let seed = env("VOLOST_EXCHANGE_SEED", 1);
    let n = env("VOLOST_EXCHANGE_REQUESTS", 24) as usize;
    let percent = env("VOLOST_EXCHANGE_PERCENT", 25) as u32;
    let (dir, ids) = node_with_requests(n);
    let sim = Sim::start(&dir.path().join("dump"));
    sim.scenario(&Scenario::answer_after(150));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");

    sim.chaos(&Chaos {
        seed,
        percent,
        faults: faults(),
    });

    for id in &ids {
        let _: OutgoingRequest = c
            .ask(call::SubmitOutgoing {
                id: *id,
                pin: None,
                browser: false,
            })
            .unwrap();
    }
    let t0 = Instant::now();
    let limit = Duration::from_secs(120 + 5 * n as u64 * u64::from(percent.max(10)) / 10);
    let mut resent = 0;
    let finals = loop {
        let mut finals = BTreeMap::new();
        for id in &ids {
            let (req, history): (OutgoingRequest, Vec<HistoryEntry>) =
                c.ask(call::Outgoing { id: *id }).unwrap();
            match req.status {
                OutStatus::NotSent => {
                    // SMEV refused the message itself: staff put it back in work and send it
                    // again.
                    let _: OutgoingRequest = c.ask(call::ReopenOutgoing { id: *id }).unwrap();
                    let _: OutgoingRequest = c
                        .ask(call::SubmitOutgoing {
                            id: *id,
                            pin: None,
                            browser: false,
                        })
                        .unwrap();
                    resent += 1;
                }
                OutStatus::Answered | OutStatus::Error | OutStatus::Rejected => {
                    finals.insert(*id, (req, history));
                }
                _ => {}
            }
        }
        if finals.len() == ids.len() {
            break finals;
        }
        // A fault ends the worker's round of polls (SMEV is not hammered while it fails),
        // so the time grows with the requests and the share of faults.
        if t0.elapsed() > limit {
            let stuck: Vec<(OutgoingRequest, Vec<HistoryEntry>)> = ids
                .iter()
                .filter(|id| !finals.contains_key(*id))
                .map(|id| c.ask(call::Outgoing { id: *id }).unwrap())
                .collect();
            panic!(
                "seed {seed}: {} of {} requests final after {limit:?}; the others: {stuck:#?}\n\
                 simulator: {:#?}",
                finals.len(),
                ids.len(),
                sim.state()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let took = t0.elapsed();
    // Chaos ends: its faults would hit the checks below, not the requests.
    sim.clear_faults();
    // The last acknowledgements may still be on their way (sent again after a fault).
    until("the outbox empty", || {
        let (_, body) = d.get("/health", "");
        body.contains("\"outbox\":0").then_some(())
    });

    let st = sim.state();
    let taken: BTreeSet<&String> = st.requests.iter().collect();
    assert_eq!(
        taken.len(),
        st.requests.len(),
        "seed {seed}: a MessageID taken twice"
    );
    assert_eq!(
        st.requests.len(),
        n,
        "seed {seed}: SMEV took {} requests for {n}: {:?}",
        st.requests.len(),
        st.requests
    );
    let mut by_status = BTreeMap::<&str, usize>::new();
    for (id, (req, history)) in &finals {
        let mid = req.message_id.as_ref().unwrap();
        assert!(
            taken.contains(mid),
            "seed {seed}: request {id}'s MessageID {mid} was never taken by SMEV"
        );
        *by_status.entry(req.status.label()).or_default() += 1;
        match req.status {
            OutStatus::Answered => {
                let answer: volost::api::view::AnswerView = c
                    .ask(call::OutgoingAnswer { id: *id })
                    .unwrap()
                    .expect("the answer kept on the request");
                assert!(
                    answer.problem.is_none()
                        && answer.lines.iter().any(|l| l.label == "Фамилия"
                            && Some(&l.value) == req.data.get("family_name")),
                    "seed {seed}: request {id} took an answer that is not the provider's: \
                     {answer:?}"
                );
                let answers = history
                    .iter()
                    .filter(|h| h.status == Some(OutStatus::Answered as u8))
                    .count();
                assert_eq!(answers, 1, "seed {seed}: {history:#?}");
            }
            OutStatus::Error => {
                assert!(req.answer.is_empty(), "seed {seed}: {req:?}");
                assert!(
                    req.error.as_deref().unwrap_or("").contains("подпись СМЭВ"),
                    "seed {seed}: request {id} in error for no injected reason: {req:?}"
                );
            }
            _ => panic!(
                "seed {seed}: request {id} «{}»: {req:?}",
                req.status.label()
            ),
        }
    }
    let errors = by_status
        .get(OutStatus::Error.label())
        .copied()
        .unwrap_or(0);
    assert!(
        st.rejected_acks.len() >= errors,
        "seed {seed}: {errors} requests in error, {} answers refused to SMEV",
        st.rejected_acks.len()
    );

    drop(c);
    d.stop();
    let node = open_node(dir.path());
    check_ok(&node);
    assert!(node.exchange_outbox().unwrap().is_empty());

    println!(
        "exchange faults, seed {seed}, {percent}% of calls: {n} requests final in {:.1} s \
         ({by_status:?}); {} calls {:?}; {} faults met {:#?}; {resent} sent again after SMEV \
         refused them; SMEV took {} MessageIDs, each once; {} answers refused for their \
         signature",
        took.as_secs_f64(),
        st.calls.values().sum::<u64>(),
        st.calls,
        st.chaos_drawn.values().sum::<u64>(),
        st.chaos_drawn,
        st.requests.len(),
        st.rejected_acks.len(),
    );
}
