//! `cargo bench --bench outbox`: staff writes while the outbox signs with a slow signer
//! (issue 28). A qualified signer is slow: a PKCS#12 on a token or an external certified tool
//! takes hundreds of milliseconds a signature. The node signs its SMEV messages outside any
//! write transaction (the outbox holds intents; the runner builds and signs, then keeps the
//! bytes in a short write), so staff should not feel it.
//!
//! 20 staff clients claim and complete tasks (two writes each round) on one node, through the
//! service layer as the daemon runs it, in three runs of the same length:
//!
//! 1. nothing else happening;
//! 2. the outbox's runner prepares a burst of 50 messages the way the exchange worker does
//!    (`exchange_intent`, the envelope built and GOST-signed by `smev::outbox::build`, then a
//!    500 ms sleep standing for the slow signer, then `exchange_prepared`);
//! 3. the peer: the same 500 ms step taken inside a write transaction (`Node::batch`), which is
//!    what signing in the operation that queues the message cost before.
//!
//! Printed: rounds per second and p99 of one claim + complete, each run beside the first as a
//! ratio. Each run lasts as long as the burst takes to sign (50 × 500 ms) and 2 s more, or
//! `VOLOST_BENCH_SECS` when that is longer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use volost::domain::*;
use volost::service::*;
use volost::smev::envelope::Version;
use volost::smev::keys::NodeKey;
use volost::smev::profile::Profile;
use volost::smev::{gost, outbox};
use volost::{Actor, Node};

mod common;
use common::{ms, ratio, stats};

const CLIENTS: usize = 20;
const BURST: usize = 50;
const SIGNER: Duration = Duration::from_millis(500);

fn secs() -> Duration {
    let burst = SIGNER * BURST as u32 + Duration::from_secs(2);
    std::env::var("VOLOST_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(burst, |s| burst.max(Duration::from_secs(s)))
}

fn profile() -> Profile {
    let key = gost::generate_key().expect("key");
    let cert = gost::self_signed(&key, "Узел", "Узел", 365).expect("cert");
    Profile {
        version: Version::V1_1,
        key: std::sync::Arc::new(NodeKey { key, cert }),
        node_id: "bench".into(),
        test: true,
        max_attachment_bytes: 1 << 20,
        regional: None,
    }
}

struct Setup {
    node: Arc<Node>,
    clerks: Vec<Actor>,
    tasks: Vec<Vec<TaskId>>,
    profile: Arc<Profile>,
}

fn setup(dir: &std::path::Path, tasks_each: usize) -> Setup {
    let logins: Vec<String> = (0..CLIENTS).map(|i| format!("clerk{i}")).collect();
    let (node, users, _) = common::node_with_clerks(dir, &logins);
    let profile = Arc::new(profile());
    // The starter packages in, as the daemon has them: requests are written by them.
    let kinds = Arc::new(volost::daemon::kinds::open(dir).expect("kinds"));
    volost::daemon::kinds::start(&node, kinds.clone());
    node.set_exchange(volost::smev::formats::exchange(&profile, kinds));
    let clerks: Vec<Actor> = users.into_iter().map(Actor::User).collect();
    let svc = node.services(clerks[0], false).expect("services").remove(0);
    let all: Vec<TaskId> = node
        .batch(clerks[0], "bench.load", |b| {
            (0..CLIENTS * tasks_each)
                .map(|_| b.launch(svc.id, None).map(|p| p.tasks[0]))
                .collect::<Result<Vec<_>>>()
        })
        .expect("tasks");
    let tasks = (0..CLIENTS)
        .map(|c| all.iter().skip(c).step_by(CLIENTS).copied().collect())
        .collect();
    Setup {
        node: Arc::new(node),
        clerks,
        tasks,
        profile,
    }
}

/// Queues `BURST` outgoing requests: `BURST` intents in the outbox.
fn burst(s: &Setup) {
    let who = s.clerks[0];
    let kind = s
        .node
        .request_kinds(who)
        .expect("kinds")
        .into_iter()
        .find(|k| k.code == "sfr_snils")
        .expect("СФР's СНИЛС, mapped by its package");
    let data: std::collections::BTreeMap<String, String> = kind
        .fields
        .iter()
        .map(|f| (f.key.clone(), volost::demo::sample_value(f)))
        .collect();
    for _ in 0..BURST {
        let r = s
            .node
            .create_outgoing(who, kind.id, None, &data)
            .expect("request");
        s.node.submit_outgoing(who, r.id, None).expect("submit");
    }
}

enum Side {
    Quiet,
    Runner,
    InTransaction,
}

/// The clients' run beside `side`: rounds per second and each round's latency.
fn run(s: &Setup, side: Side, d: Duration) -> (f64, Vec<Duration>, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(CLIENTS + 1));
    let mut handles = Vec::new();
    for (c, who) in s.clerks.iter().enumerate() {
        let (node, stop, start, who) = (s.node.clone(), stop.clone(), start.clone(), *who);
        let mine = s.tasks[c].clone();
        handles.push(std::thread::spawn(move || {
            let mut lat = Vec::new();
            start.wait();
            for id in &mine {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let t = Instant::now();
                node.claim(who, *id, false).expect("claim");
                node.complete(who, *id, false, "").expect("complete");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let side_node = s.node.clone();
    let profile = s.profile.clone();
    let side_stop = stop.clone();
    let who = s.clerks[0];
    let side_thread = std::thread::spawn(move || {
        let mut done = 0;
        match side {
            Side::Quiet => {}
            Side::Runner => {
                for item in side_node.exchange_outbox().expect("outbox") {
                    if side_stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (now, files) = side_node
                        .exchange_intent(item.id)
                        .expect("intent")
                        .expect("there");
                    let OutBody::Intent(intent) = &now.body else {
                        continue;
                    };
                    let env =
                        outbox::build(&profile, &now.message_id, intent, files).expect("build");
                    std::thread::sleep(SIGNER);
                    side_node.exchange_prepared(&now, &env).expect("prepared");
                    done += 1;
                }
            }
            Side::InTransaction => {
                for _ in 0..BURST {
                    if side_stop.load(Ordering::Relaxed) {
                        break;
                    }
                    side_node
                        .batch(who, "bench.sign_inside", |_| {
                            std::thread::sleep(SIGNER);
                            Ok(())
                        })
                        .expect("batch");
                    done += 1;
                }
            }
        }
        done
    });
    start.wait();
    let t0 = Instant::now();
    std::thread::sleep(d);
    stop.store(true, Ordering::Relaxed);
    let elapsed = t0.elapsed();
    let mut lat = Vec::new();
    for h in handles {
        lat.extend(h.join().expect("client"));
    }
    let done = side_thread.join().expect("side");
    (lat.len() as f64 / elapsed.as_secs_f64(), lat, done)
}

fn main() {
    let d = secs();
    println!(
        "{CLIENTS} clients claiming and completing tasks, {} s a run; the outbox: {BURST} \
         messages, a {} ms signer",
        d.as_secs(),
        SIGNER.as_millis()
    );
    let mut results = Vec::new();
    for (name, side) in [
        ("nothing else", Side::Quiet),
        ("the outbox runner signs outside transactions", Side::Runner),
        (
            "peer: the same signer inside a write transaction",
            Side::InTransaction,
        ),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let s = setup(dir.path(), 4000);
        if matches!(side, Side::Runner) {
            burst(&s);
        }
        let (rate, lat, done) = run(&s, side, d);
        let st = stats(lat);
        results.push((name, rate, st.p99, done));
    }
    let base = results[0].1;
    let base_p99 = results[0].2;
    for (name, rate, p99, done) in &results {
        println!(
            "{name:<50} {rate:>8.0} rounds/s ({} of quiet)  p99 {} ({} of quiet)  signed {done}",
            ratio(*rate, base),
            ms(*p99),
            ratio(p99.as_secs_f64(), base_p99.as_secs_f64()),
        );
    }
}
