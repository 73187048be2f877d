//! Crash safety of the real daemon: rounds of concurrent staff clients claiming, returning and
//! completing tasks and launching processes, the daemon killed with SIGKILL at a random moment
//! of each round, started again, and every acknowledged operation looked for. Each client
//! works on tasks of its own, so the last acknowledged state of each task is known exactly;
//! the one operation in flight when the daemon died may or may not have happened. After every
//! restart the daemon's own `check` runs (every row readable, every index entry — and so
//! every queue — matching its rows, every status explained by its history).
//!
//! Rounds: `VOLOST_CRASH_ROUNDS` (default 50). The figures are printed at the end and kept in
//! RELIABILITY.md.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use volost::api::{Call, CheckReply, Client, call};
use volost::domain::*;
use volost::service::TaskCard;

const CLIENTS: usize = 3;

/// Where a task stands, as the harness last saw it acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Group,
    Mine,
    Done,
}

fn state(t: &Task) -> St {
    match (t.completed, t.holder) {
        (Some(_), _) => St::Done,
        (None, Some(_)) => St::Mine,
        (None, None) => St::Group,
    }
}

#[derive(Default)]
struct Model {
    /// Each task's last acknowledged state, and the state an operation in flight at the
    /// kill would have left it in.
    tasks: BTreeMap<u64, (St, Option<St>)>,
    processes: Vec<ProcessId>,
    acked: u64,
    in_flight_at_kill: u64,
}

fn login(socket: &std::path::Path, who: &str) -> Option<Client> {
    let mut c = Client::connect(socket).ok()?;
    c.login(who, "password-1").ok()?;
    Some(c)
}

/// One client's work until the daemon goes: on its own tasks only.
fn work(
    socket: std::path::PathBuf,
    who: String,
    (svc, mine): (ServiceId, Vec<u64>),
    model: Arc<Mutex<Model>>,
    seed: u64,
) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let Some(mut c) = login(&socket, &who) else {
        return;
    };
    loop {
        let pick = rng.gen_range(0..10);
        if pick == 0 {
            match c.ask(call::LaunchService {
                service: svc,
                dept: None,
            }) {
                Ok(p) => {
                    let mut m = model.lock().unwrap();
                    m.processes.push(p.id);
                    m.acked += 1;
                }
                Err(e) if e.api().is_some() => {}
                Err(_) => return,
            }
            continue;
        }
        let id = mine[rng.gen_range(0..mine.len())];
        let now = model.lock().unwrap().tasks[&id].0;
        let (call, next): (Call, St) = match now {
            St::Done => continue,
            St::Group => (
                call::Claim {
                    id: TaskId(id),
                    take_over: false,
                }
                .into(),
                St::Mine,
            ),
            St::Mine if pick < 7 => (call::ReturnToGroup { id: TaskId(id) }.into(), St::Group),
            St::Mine => (
                call::Complete {
                    id: TaskId(id),
                    finish: false,
                    comment: "Исполнено".into(),
                }
                .into(),
                St::Done,
            ),
        };
        model.lock().unwrap().tasks.get_mut(&id).unwrap().1 = Some(next);
        match c.call_value(call) {
            Ok(_) => {
                let mut m = model.lock().unwrap();
                m.tasks.insert(id, (next, None));
                m.acked += 1;
            }
            // Refused by the node: nothing changed.
            Err(e) if e.api().is_some() => {
                model.lock().unwrap().tasks.get_mut(&id).unwrap().1 = None;
            }
            // The daemon is gone: the operation may or may not have happened.
            Err(_) => return,
        }
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let rounds: usize = std::env::var("VOLOST_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let (dir, ids) = node_with_tasks(60, CLIENTS);
    let svc = open_node(dir.path())
        .services(volost::Actor::System(OrgId(1)), false)
        .unwrap()[0]
        .id;
    let cfg = config(dir.path(), "");
    let model = Arc::new(Mutex::new(Model::default()));
    let mut parts: Vec<Vec<u64>> = vec![Vec::new(); CLIENTS];
    for (i, id) in ids.iter().enumerate() {
        parts[i % CLIENTS].push(id.0);
        model.lock().unwrap().tasks.insert(id.0, (St::Group, None));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261204);
    let started = std::time::Instant::now();
    for round in 0..rounds {
        let d = Daemon::start(dir.path(), &cfg);
        // After the restart: everything acknowledged is there, the operation in flight either
        // happened or not, and the daemon's check passes.
        {
            let mut c = d.login("spec", "password-1");
            let mut m = model.lock().unwrap();
            let mut resolved = Vec::new();
            for (id, (want, maybe)) in &m.tasks {
                let card: TaskCard = c.ask(call::Task { id: TaskId(*id) }).unwrap();
                let got = state(&card.task);
                if got == *want {
                    resolved.push((*id, *want));
                } else if Some(got) == *maybe {
                    resolved.push((*id, got));
                } else {
                    panic!(
                        "round {round}: task {id} is {got:?}, acknowledged {want:?} (in flight {maybe:?})"
                    );
                }
            }
            for (id, st) in resolved {
                m.tasks.insert(id, (st, None));
            }
            for p in &m.processes {
                c.ask(call::ProcessMap { process: *p })
                    .unwrap_or_else(|e| panic!("round {round}: process {p:?} lost: {e}"));
            }
            let rep: CheckReply = d.client().ask(call::Check).unwrap();
            assert!(rep.problems.is_empty(), "round {round}: {:?}", rep.problems);
        }
        let mut workers = Vec::new();
        for (i, mine) in parts.iter().enumerate() {
            let who = if i == 0 {
                "spec".to_string()
            } else {
                format!("clerk{}", i - 1)
            };
            let (socket, mine, model) = (d.socket.clone(), mine.clone(), model.clone());
            let seed = rng.r#gen();
            workers.push(std::thread::spawn(move || {
                work(socket, who, (svc, mine), model, seed)
            }));
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(30..300)));
        let mut d = d;
        d.child.kill().unwrap();
        d.child.wait().unwrap();
        for w in workers {
            w.join().unwrap();
        }
        let mut m = model.lock().unwrap();
        m.in_flight_at_kill += m.tasks.values().filter(|(_, x)| x.is_some()).count() as u64;
        drop(m);
        // The socket of a killed daemon stays behind; the next start replaces it.
        drop(d);
    }
    // The last round's writes, checked after one more restart.
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    let m = model.lock().unwrap();
    for (id, (want, maybe)) in &m.tasks {
        let card: TaskCard = c.ask(call::Task { id: TaskId(*id) }).unwrap();
        let got = state(&card.task);
        assert!(
            got == *want || Some(got) == *maybe,
            "task {id}: {got:?} vs {want:?}"
        );
    }
    for p in &m.processes {
        c.ask(call::ProcessMap { process: *p }).unwrap();
    }
    let rep: CheckReply = d.client().ask(call::Check).unwrap();
    assert!(rep.problems.is_empty(), "{:?}", rep.problems);
    println!(
        "crash harness: {rounds} rounds of SIGKILL, {} operations acknowledged, {} in flight at a kill, \
         0 lost, check passed after every restart ({:.1} s)",
        m.acked,
        m.in_flight_at_kill,
        started.elapsed().as_secs_f64()
    );
    drop(m);
    d.stop();
}
