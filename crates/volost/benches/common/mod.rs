//! Helpers shared by the benchmark harnesses: percentiles from sorted samples, and formats.
#![allow(dead_code)]

pub mod daemon;

use rusqlite::{Connection, TransactionBehavior, params};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use volost::clock::SystemClock;
use volost::domain::{GroupId, Ts, UserId};
use volost::service::{NewOrg, NewUser};
use volost::{Actor, Node, Options};

pub struct Stats {
    pub n: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

pub fn stats(mut v: Vec<Duration>) -> Stats {
    assert!(!v.is_empty(), "no samples");
    v.sort();
    let at = |q: f64| {
        let rank = (q * v.len() as f64).ceil() as usize;
        v[rank.saturating_sub(1).min(v.len() - 1)]
    };
    Stats {
        n: v.len(),
        p50: at(0.50),
        p99: at(0.99),
        max: v[v.len() - 1],
    }
}

/// How long a measurement runs: `VOLOST_BENCH_SECS`, else `default` seconds.
pub fn bench_secs(default: u64) -> Duration {
    Duration::from_secs(
        std::env::var("VOLOST_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default),
    )
}

/// Runs `f` for `d` after one call to warm it; returns calls per second.
pub fn rate(d: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let t0 = std::time::Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < d {
        f();
        n += 1;
    }
    n as f64 / t0.elapsed().as_secs_f64()
}

/// `f` timed for `d` after one call to warm it, one sample per call.
pub fn samples(d: Duration, mut f: impl FnMut()) -> Vec<Duration> {
    f();
    let mut out = Vec::new();
    let t0 = std::time::Instant::now();
    while t0.elapsed() < d {
        let t = std::time::Instant::now();
        f();
        out.push(t.elapsed());
    }
    out
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

pub fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}", a / b)
    } else {
        "-".into()
    }
}

// SQLite, the peer in every comparison.

/// The peer's schema: the same logical rows volost keeps, with the indexes its lists need.
pub const SCHEMA: &str = "
CREATE TABLE users(id INTEGER PRIMARY KEY, login TEXT NOT NULL, short_name TEXT NOT NULL);
CREATE TABLE applicants(
    id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, name TEXT NOT NULL, snils TEXT, passport TEXT,
    birth_date INTEGER, address TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE applications(
    id INTEGER PRIMARY KEY, number TEXT NOT NULL, service INTEGER NOT NULL,
    applicant INTEGER NOT NULL, source INTEGER NOT NULL, status INTEGER NOT NULL, data TEXT NOT NULL,
    created_by INTEGER, created INTEGER NOT NULL, registered INTEGER, assignee INTEGER, due INTEGER,
    process INTEGER, updated INTEGER NOT NULL, access_code TEXT NOT NULL);
CREATE TABLE processes(
    id INTEGER PRIMARY KEY, application INTEGER, service INTEGER NOT NULL, group_id INTEGER NOT NULL,
    started_by INTEGER NOT NULL, started INTEGER NOT NULL, step INTEGER NOT NULL, finished INTEGER);
CREATE TABLE tasks(
    id INTEGER PRIMARY KEY, queue INTEGER NOT NULL, group_id INTEGER NOT NULL,
    process INTEGER NOT NULL, service INTEGER NOT NULL, application INTEGER, step INTEGER NOT NULL,
    name TEXT NOT NULL, author INTEGER NOT NULL, created INTEGER NOT NULL, due INTEGER NOT NULL,
    holder INTEGER, completed_by INTEGER, completed_at INTEGER);
CREATE TABLE history(
    entity INTEGER NOT NULL, entity_id INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
    by INTEGER, what TEXT NOT NULL, comment TEXT NOT NULL,
    PRIMARY KEY(entity, entity_id, seq)) WITHOUT ROWID;
CREATE TABLE audit(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, user INTEGER, op TEXT NOT NULL, target TEXT NOT NULL);
CREATE INDEX tasks_queue_due ON tasks(queue, group_id, due, created, id);
CREATE INDEX tasks_queue_created ON tasks(queue, group_id, created, id);
CREATE INDEX tasks_author ON tasks(author);
CREATE UNIQUE INDEX applications_number ON applications(number);
CREATE INDEX applications_status ON applications(status, created);
-- The period report reads applications by creation time (volost's list index by created
-- carries the same fields in its summary).
CREATE INDEX applications_created ON applications(created, status, service, source);
";

pub const INS_HISTORY_NEXT: &str = "INSERT INTO history(entity, entity_id, seq, at, by, what, comment)
    VALUES (?1, ?2, (SELECT COUNT(*) FROM history WHERE entity = ?1 AND entity_id = ?2), ?3, ?4, ?5, ?6)";
pub const INS_AUDIT: &str = "INSERT INTO audit(at, user, op, target) VALUES (?1, ?2, ?3, ?4)";

/// WAL with `synchronous=FULL` (the WAL synced at every commit, like redb's default
/// durability) and 1 GiB of page cache (redb's default cache).
pub fn sqlite_open(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open sqlite");
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .expect("wal");
    assert_eq!(mode.to_lowercase(), "wal");
    // FULL: the WAL is synced at every commit, like redb's default Immediate durability.
    // 1 GiB of page cache, like redb's default cache.
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA cache_size=-1048576; PRAGMA foreign_keys=OFF;",
    )
    .expect("pragmas");
    conn
}

/// «Назначить на себя»: check, move to «Мои задачи», history, audit; one durable commit.
pub fn sqlite_claim(conn: &mut Connection, task: u64, user: u64, now: Ts) {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("begin");
    {
        let (queue, holder): (i64, Option<u64>) = tx
            .prepare_cached("SELECT queue, holder FROM tasks WHERE id = ?1")
            .expect("prepare")
            .query_row(params![task], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("task");
        assert!(
            queue == 0 && holder.is_none(),
            "task {task} is not in the group queue"
        );
        tx.prepare_cached("UPDATE tasks SET holder = ?1, queue = 1 WHERE id = ?2")
            .expect("prepare")
            .execute(params![user, task])
            .expect("claim");
        tx.prepare_cached(INS_HISTORY_NEXT)
            .expect("prepare")
            .execute(params![2, task, now.0, user, "Назначить на себя", ""])
            .expect("history");
        tx.prepare_cached(INS_AUDIT)
            .expect("prepare")
            .execute(params![now.0, user, "task.claim", format!("task:{task}")])
            .expect("audit");
    }
    tx.commit().expect("commit");
}

/// A new node in `dir` with `logins` as specialists of its one group, all with the password
/// `password-1` (argon2 at test strength, so logins are cheap). Returns the node, the users
/// and the group.
pub fn node_with_clerks(dir: &Path, logins: &[String]) -> (Node, Vec<UserId>, GroupId) {
    let org = NewOrg {
        name: "Администрация Тестового сельсовета".into(),
        ..NewOrg::default()
    };
    let r = Node::init(
        dir,
        &org,
        "admin",
        Arc::new(SystemClock),
        Options::for_tests(),
    )
    .expect("init");
    let node = r.node;
    let sys = Actor::System(r.org);
    let group = node.groups(sys).expect("groups")[0].id;
    node.set_demo_password(sys, r.admin.id, "password-1")
        .expect("admin password");
    let admin = Actor::User(r.admin.id);
    let users = logins
        .iter()
        .map(|login| {
            let (u, _) = node
                .add_user(
                    admin,
                    &NewUser {
                        login: login.clone(),
                        full_name: "Сидорова Анна Павловна".into(),
                        dept: None,
                        roles: vec!["specialist".into()],
                        groups: vec![group],
                    },
                )
                .expect("user");
            node.set_demo_password(admin, u.id, "password-1")
                .expect("password");
            u.id
        })
        .collect();
    (node, users, group)
}

/// [`node_with_clerks`] with `n` open tasks in the group and one registered application
/// (number, access code) for the status lookup.
pub fn node_with_tasks(
    dir: &Path,
    logins: &[String],
    n: usize,
) -> (Vec<volost::domain::TaskId>, String, String) {
    use volost::domain::*;
    use volost::service::*;
    let (node, clerks, _) = node_with_clerks(dir, logins);
    let clerk = Actor::User(clerks[0]);
    let svc = node.services(clerk, false).expect("services").remove(0);
    let tasks = node
        .batch(clerk, "bench.load", |b| {
            (0..n)
                .map(|_| b.launch(svc.id, None).map(|p| p.tasks[0]))
                .collect::<Result<Vec<_>>>()
        })
        .expect("tasks");
    let data = svc
        .fields
        .iter()
        .map(|f| (f.key.clone(), volost::demo::sample_value(f)))
        .collect();
    let app = node
        .create_application(
            clerk,
            &NewApplication {
                service: svc.id,
                dept: None,
                applicant: ApplicantRef::New(ApplicantInput {
                    kind: Some(ApplicantKind::Person),
                    name: "Семёнов Пётр Ильич".into(),
                    snils: "112-233-445 95".into(),
                    ..Default::default()
                }),
                data,
                source: Source::Manual,
            },
        )
        .expect("application");
    let app = node
        .act(clerk, app.id, &ActionInput::new(Action::Register))
        .expect("register");
    (tasks, app.number, app.access_code)
}
