//! `cargo bench --bench daemon`: the daemon under load (issue 3).
//!
//! Starts the real `volost serve` (the optimised binary) on a temporary directory and measures,
//! in one run:
//!
//! 1. `/health` and the status lookup over HTTP with `wrk` (Debian's package) at 64
//!    connections for `VOLOST_BENCH_SECS` seconds each (default 10): requests per second, p99;
//! 2. «Назначить на себя» over the local API from one client, one claim at a time: p50/p99;
//! 3. durable transitions per second with 20 concurrent clients claiming (each its own
//!    tasks), beside SQLite (WAL, `synchronous=FULL`) doing the same claim transaction from
//!    20 threads, each with its own connection, on the same disk.
//!
//! A harness of its own (`harness = false`): every call is timed with `Instant`.

use rusqlite::params;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use volost::api::call;
use volost::clock::SystemClock;
use volost::domain::*;
use volost::{Actor, Node, Options};

mod common;
use common::daemon::Daemon;
use common::{SCHEMA, Stats, ms, ratio, sqlite_claim, sqlite_open, stats};

const CLIENTS: usize = 20;
const PER_CLIENT: usize = 200;
const SINGLE: usize = 1000;

fn secs_setting() -> u64 {
    std::env::var("VOLOST_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// A node with `CLIENTS` clerks (password `password-1`), `n` open tasks in their group, and one
/// registered application (number, access code) for the status lookup.
fn setup(dir: &Path, n: usize) -> (Vec<TaskId>, String, String) {
    let logins: Vec<String> = (0..CLIENTS).map(|i| format!("clerk{i}")).collect();
    common::node_with_tasks(dir, &logins, n)
}

/// Requests per second and p99 from `wrk --latency`.
fn wrk(url: &str, header: Option<&str>, secs: u64) -> Option<(f64, String)> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c64", &format!("-d{secs}s"), "--latency"]);
    if let Some(h) = header {
        cmd.args(["-H", h]);
    }
    let out = cmd.arg(url).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if text.contains("Non-2xx") {
        panic!("wrk saw errors for {url}:\n{text}");
    }
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))?
        .trim()
        .parse()
        .ok()?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))?
        .trim()
        .to_string();
    Some((rps, p99))
}

/// `CLIENTS` threads each claim their `PER_CLIENT` tasks through `claim`; returns the
/// latencies and the wall time.
fn concurrent<C>(
    tasks: &[TaskId],
    connect: impl Fn(usize) -> C + Sync,
    claim: impl Fn(&mut C, usize, TaskId) + Sync,
) -> (Vec<Duration>, Duration) {
    let started = Instant::now();
    let lat: Vec<Vec<Duration>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let (connect, claim) = (&connect, &claim);
                let mine = &tasks[i * PER_CLIENT..(i + 1) * PER_CLIENT];
                s.spawn(move || {
                    let mut c = connect(i);
                    mine.iter()
                        .map(|t| {
                            let t0 = Instant::now();
                            claim(&mut c, i, *t);
                            t0.elapsed()
                        })
                        .collect()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("client")).collect()
    });
    (lat.into_iter().flatten().collect(), started.elapsed())
}

fn row(metric: &str, a: &str, b: &str, r: &str) {
    println!("| {metric:<52} | {a:>14} | {b:>14} | {r:>6} |");
}

fn main() {
    let secs = secs_setting();
    let tmp = tempfile::tempdir().expect("tmp");
    let node_dir = tmp.path().join("node");
    std::fs::create_dir_all(&node_dir).expect("dir");
    // Tasks for the single client, the clients over the socket, and the threads in-process.
    let n = SINGLE + 2 * CLIENTS * PER_CLIENT;
    eprintln!("setting up {n} open tasks ...");
    let (tasks, number, code) = setup(&node_dir, n);
    let d = Daemon::start(&node_dir, "");

    // 1. HTTP (VOLOST_BENCH_SECS=0 leaves it out).
    let (health, status) = if secs == 0 {
        (None, None)
    } else {
        (
            wrk(&format!("http://{}/health", d.http), None, secs),
            wrk(
                &format!("http://{}/api/v1/applications/{number}/status", d.http),
                Some(&format!("X-Access-Code: {code}")),
                secs,
            ),
        )
    };

    // 2. One client, one claim at a time.
    let mut c = d.login("clerk0");
    let single: Vec<Duration> = tasks[..SINGLE]
        .iter()
        .map(|t| {
            let t0 = Instant::now();
            let _: Task = c
                .ask(call::Claim {
                    id: *t,
                    take_over: false,
                })
                .expect("claim");
            t0.elapsed()
        })
        .collect();
    let single = stats(single);

    // 3. Twenty clients at once.
    let (commits0, ops0, micros0) = (
        d.metric("volost_commit_groups_total"),
        d.metric("volost_commit_operations_total"),
        d.metric("volost_commit_microseconds_total"),
    );
    let over_api = &tasks[SINGLE..SINGLE + CLIENTS * PER_CLIENT];
    let in_process = &tasks[SINGLE + CLIENTS * PER_CLIENT..];
    let (vl, vwall) = concurrent(
        over_api,
        |i| d.login(&format!("clerk{i}")),
        |c, _, t| {
            let _: Task = c
                .ask(call::Claim {
                    id: t,
                    take_over: false,
                })
                .expect("claim");
        },
    );
    let (commits, ops, micros) = (
        d.metric("volost_commit_groups_total") - commits0,
        d.metric("volost_commit_operations_total") - ops0,
        d.metric("volost_commit_microseconds_total") - micros0,
    );
    drop(d);

    // The same claims from 20 threads calling the service layer in this process: group
    // commit alone, without the socket, JSON and the client threads' share of the 2 cores.
    let (il, iwall) = {
        let node =
            Node::open(&node_dir, Arc::new(SystemClock), Options::for_tests()).expect("open");
        let users: Vec<UserId> = (0..CLIENTS)
            .map(|i| {
                node.user_by_login(&format!("clerk{i}"))
                    .expect("read")
                    .expect("clerk")
                    .id
            })
            .collect();
        concurrent(
            in_process,
            |i| users[i],
            |u, _, t| {
                node.claim(Actor::User(*u), t, false).expect("claim");
            },
        )
    };

    // SQLite, the same claims from 20 threads.
    let spath = tmp.path().join("bench.sqlite");
    {
        let conn = sqlite_open(&spath);
        conn.execute_batch(SCHEMA).expect("schema");
        let tx = conn.unchecked_transaction().expect("begin");
        for i in 0..(CLIENTS * PER_CLIENT) as u64 {
            tx.execute(
                "INSERT INTO tasks(id, queue, group_id, process, service, step, name, author, created, due)
                 VALUES (?1, 0, 1, ?1, 1, 0, 'Приём и регистрация заявления', 1, ?1, 1000)",
                params![i + 1],
            )
            .expect("task");
        }
        tx.commit().expect("commit");
    }
    let stasks: Vec<TaskId> = (1..=(CLIENTS * PER_CLIENT) as u64).map(TaskId).collect();
    let (sl, swall) = concurrent(
        &stasks,
        |_| {
            let c = sqlite_open(&spath);
            c.busy_timeout(Duration::from_secs(60))
                .expect("busy timeout");
            c
        },
        |c, i, t| sqlite_claim(c, t.0, i as u64 + 1, Ts(t.0 as i64)),
    );
    let total = (CLIENTS * PER_CLIENT) as f64;
    let (vs, ss, is): (Stats, Stats, Stats) = (stats(vl), stats(sl), stats(il));
    let vtps = total / vwall.as_secs_f64();
    let itps = total / iwall.as_secs_f64();
    let stps = total / swall.as_secs_f64();

    println!();
    println!(
        "## Daemon under load ({CLIENTS} clients × {PER_CLIENT} claims; HTTP {secs} s per route, 64 connections)"
    );
    println!();
    row("metric", "volost", "SQLite", "ratio");
    println!(
        "|{}|{}|{}|{}|",
        "-".repeat(54),
        "-".repeat(16),
        "-".repeat(16),
        "-".repeat(8)
    );
    if let (Some((hr, hp)), Some((sr, sp))) = (&health, &status) {
        row("GET /health, requests/s", &format!("{hr:.0}"), "", "");
        row("GET /health, p99", hp, "", "");
        row(
            "GET status lookup, requests/s (ratio to /health)",
            &format!("{sr:.0}"),
            "",
            &ratio(*sr, *hr),
        );
        row("GET status lookup, p99", sp, "", "");
    } else {
        println!("(wrk not found: `apt-get install wrk` for the HTTP figures)");
    }
    row(
        "claim over the local API, 1 client, p50",
        &ms(single.p50),
        "",
        "",
    );
    row(
        "claim over the local API, 1 client, p99",
        &ms(single.p99),
        "",
        "",
    );
    row(
        "claims/s, 20 concurrent clients (durable)",
        &format!("{vtps:.0}"),
        &format!("{stps:.0}"),
        &ratio(vtps, stps),
    );
    row(
        "claims/s, 20 threads in-process (durable)",
        &format!("{itps:.0}"),
        &format!("{stps:.0}"),
        &ratio(itps, stps),
    );
    row(
        "claim p50, 20 concurrent clients",
        &ms(vs.p50),
        &ms(ss.p50),
        &ratio(vs.p50.as_secs_f64(), ss.p50.as_secs_f64()),
    );
    row(
        "claim p99, 20 concurrent clients",
        &ms(vs.p99),
        &ms(ss.p99),
        &ratio(vs.p99.as_secs_f64(), ss.p99.as_secs_f64()),
    );
    row(
        "claim max, 20 concurrent clients",
        &ms(vs.max),
        &ms(ss.max),
        &ratio(vs.max.as_secs_f64(), ss.max.as_secs_f64()),
    );
    row(
        "claim p50 / p99, 20 threads in-process",
        &format!("{} / {}", ms(is.p50), ms(is.p99)),
        "",
        "",
    );
    row(
        "operations per commit (group commit)",
        &format!("{:.1}", ops as f64 / commits.max(1) as f64),
        "1",
        "",
    );
    row(
        "time per group commit (write pages + fsync), mean",
        &ms(Duration::from_micros(micros / commits.max(1))),
        "",
        "",
    );
    row(
        "share of the run spent committing",
        &format!("{:.0} %", 100.0 * micros as f64 / vwall.as_micros() as f64),
        "",
        "",
    );
}
