//! `cargo bench --bench core`: the core storage benchmark (issue 2).
//!
//! In one run, the same workload on a volost node (redb, through the service layer) and on
//! SQLite (rusqlite, WAL, `synchronous=FULL`):
//!
//! 1. load N applications, each registered, so each has a process and an open task in
//!    «Задачи группы», in transactions of `VOLOST_BENCH_BATCH` applications;
//! 2. the first page (50 rows) of «Задачи группы» with two filters, sorted by due date;
//! 3. «Назначить на себя» and «Выполнить» on distinct tasks, each a durable commit.
//!
//! N is the first numeric argument, else `VOLOST_BENCH_N`, else 1 000 000 (`200k` and `1m`
//! are accepted). `VOLOST_BENCH_DIR` puts both databases in a given directory (default: a
//! temporary directory on the same disk as `/tmp`), `VOLOST_BENCH_KEEP=1` keeps them.
//!
//! A harness of its own (`harness = false`): each operation is timed with `Instant` and the
//! percentiles are read from the sorted samples.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, TransactionBehavior, params};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use volost::clock::{Clock, FixedClock};
use volost::demo::names::*;
use volost::demo::{Person, value_for};
use volost::domain::*;
use volost::service::TaskCol;
use volost::service::*;

mod common;
use common::{
    INS_AUDIT, INS_HISTORY_NEXT, SCHEMA, Stats, ms, ratio, secs, sqlite_claim, sqlite_open, stats,
};

const DAY_MS: i64 = 86_400_000;
const SEED: u64 = 2026;
const USERS: usize = 8;
const PAGE: usize = 50;
const QUEUE_ITERS: usize = 1000;
const WRITE_ITERS: usize = 500;
const WARMUP: usize = 10;
const REPORT_ITERS: usize = 5;
const NAME_WORD: &str = "выписк";

// ------------------------------------------------------------------------------------------
// Configuration and small helpers
// ------------------------------------------------------------------------------------------

fn parse_count(s: &str) -> Option<usize> {
    let s = s.trim().replace('_', "").to_lowercase();
    let (num, mul) = if let Some(x) = s.strip_suffix('m') {
        (x.to_string(), 1_000_000)
    } else if let Some(x) = s.strip_suffix('k') {
        (x.to_string(), 1_000)
    } else {
        (s, 1)
    };
    num.parse::<usize>().ok().map(|n| n * mul)
}

fn env_count(key: &str) -> Option<usize> {
    std::env::var(key).ok().and_then(|v| parse_count(&v))
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// The result table: metric | volost | SQLite | ratio.
#[derive(Default)]
struct Table {
    rows: Vec<[String; 4]>,
}

impl Table {
    fn row(
        &mut self,
        metric: impl Into<String>,
        v: impl Into<String>,
        s: impl Into<String>,
        r: impl Into<String>,
    ) {
        self.rows
            .push([metric.into(), v.into(), s.into(), r.into()]);
    }

    fn times(&mut self, metric: &str, v: &Stats, s: &Stats) {
        let r = |a: Duration, b: Duration| ratio(a.as_secs_f64(), b.as_secs_f64());
        self.row(
            format!("{metric} p50"),
            ms(v.p50),
            ms(s.p50),
            r(v.p50, s.p50),
        );
        self.row(
            format!("{metric} p99"),
            ms(v.p99),
            ms(s.p99),
            r(v.p99, s.p99),
        );
        self.row(
            format!("{metric} max"),
            ms(v.max),
            ms(s.max),
            r(v.max, s.max),
        );
    }

    fn print(&self) {
        let head = ["metric", "volost (redb)", "SQLite", "ratio v/s"];
        let mut w = head.map(|h| h.chars().count());
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |c: &[String; 4]| {
            let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n - s.chars().count()));
            let lpad = |s: &str, n: usize| format!("{}{s}", " ".repeat(n - s.chars().count()));
            println!(
                "| {} | {} | {} | {} |",
                pad(&c[0], w[0]),
                lpad(&c[1], w[1]),
                lpad(&c[2], w[2]),
                lpad(&c[3], w[3])
            );
        };
        line(&head.map(String::from));
        println!(
            "|{}|{}:|{}:|{}:|",
            "-".repeat(w[0] + 2),
            "-".repeat(w[1] + 1),
            "-".repeat(w[2] + 1),
            "-".repeat(w[3] + 1)
        );
        for r in &self.rows {
            line(r);
        }
    }
}

// ------------------------------------------------------------------------------------------
// The generated workload: the same rows for both stores, never all in memory
// ------------------------------------------------------------------------------------------

/// What both loaders need to know about the node.
struct Ctx {
    org: OrgId,
    group: GroupId,
    /// (id, «Фамилия И. О.»)
    users: Vec<(UserId, String)>,
    services: Vec<Service>,
    cal: Calendar,
    offset: time::UtcOffset,
    now: Ts,
    start: Ts,
}

impl Ctx {
    fn actor(&self, u: usize) -> Actor {
        Actor::User(self.users[u].0)
    }
}

/// Person number `pi`, the same every time it is asked for (so none are kept in memory).
fn person(pi: usize) -> Person {
    let mut rng = StdRng::seed_from_u64(SEED ^ (pi as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    volost::demo::person(&mut rng)
}

/// One application of the workload.
struct Row {
    ts: Ts,
    author: usize,
    service: usize,
    person: usize,
    source: Source,
    data: BTreeMap<String, String>,
}

/// Draws the rows in order; two generators with the same N give the same rows.
struct Gen {
    rng: StdRng,
    n: usize,
    people: usize,
}

impl Gen {
    fn new(n: usize) -> Gen {
        Gen {
            rng: StdRng::seed_from_u64(SEED),
            n,
            people: (n / 3).max(20),
        }
    }

    /// Row `i`: created times grow over the year before `now`, with up to an hour of jitter.
    fn row(&mut self, ctx: &Ctx, i: usize) -> Row {
        let span = i128::from(ctx.now.0 - ctx.start.0 - 2 * 3_600_000);
        let base = ctx.start.0 + (span * i as i128 / self.n as i128) as i64;
        let ts = Ts(base + self.rng.gen_range(0..3_600_000));
        let author = self.rng.gen_range(0..ctx.users.len());
        let service = self.rng.gen_range(0..ctx.services.len());
        let pi = self.rng.gen_range(0..self.people);
        let p = person(pi);
        let today = ts.date(ctx.offset);
        let data = ctx.services[service]
            .fields
            .iter()
            .map(|f| (f.key.clone(), value_for(f, &p, &mut self.rng, today)))
            .collect();
        // Staff enter what comes in person or from the МФЦ; the portals' applications come
        // over SMEV only (since 2026-12-06), so a specialist's load has none.
        let source = match self.rng.gen_range(0..10) {
            0..=5 => Source::Manual,
            _ => Source::Mfc,
        };
        Row {
            ts,
            author,
            service,
            person: pi,
            source,
            data,
        }
    }
}

fn progress(what: &str, done: usize, n: usize, t0: Instant) {
    let step = (n / 10).max(1);
    if done.is_multiple_of(step) || done == n {
        let el = t0.elapsed().as_secs_f64();
        eprintln!(
            "  {what}: {done}/{n} in {el:.1} s ({:.0} apps/s)",
            done as f64 / el.max(1e-9)
        );
    }
}

// ------------------------------------------------------------------------------------------
// volost
// ------------------------------------------------------------------------------------------

fn volost_setup(dir: &Path, clock: Arc<FixedClock>) -> (Node, Ctx) {
    let now = clock.now();
    let init = Node::init(
        dir,
        &NewOrg {
            name: "Администрация Заречного сельсовета".into(),
            ..NewOrg::default()
        },
        "admin",
        clock,
        Options::for_tests(),
    )
    .expect("init");
    let node = init.node;
    let admin = Actor::System(init.org);
    let group = node
        .groups(admin)
        .expect("groups")
        .first()
        .expect("a group")
        .id;
    let roles = node.roles(admin).expect("roles");
    let specialist = roles
        .iter()
        .find(|r| r.code == "specialist")
        .expect("specialist role")
        .id;
    let mut users = Vec::new();
    for k in 0..USERS {
        let full_name = if k % 2 == 0 {
            format!(
                "{} {} {}",
                SURNAMES_FEMALE[k], FEMALE_FIRST_NAMES[k], FEMALE_PATRONYMICS[k]
            )
        } else {
            format!(
                "{} {} {}",
                SURNAMES_MALE[k], MALE_FIRST_NAMES[k], MALE_PATRONYMICS[k]
            )
        };
        let (u, _) = node
            .add_user(
                admin,
                &NewUser {
                    login: format!("spec{k}"),
                    full_name,
                    dept: None,
                    roles: vec!["specialist".into()],
                    groups: vec![group],
                },
            )
            .expect("add user");
        node.set_demo_password(admin, u.id, "bench-password")
            .expect("password");
        users.push((u.id, u.short_name()));
    }
    // Services whose first step a specialist may take (all of the starter catalog's) and
    // that have a next step, so that «Выполнить» makes a new task. Forms that require a
    // file are left out: the load measures rows and indexes, not attachment bytes (which
    // the SQLite peer would not store).
    let services: Vec<Service> = node
        .services(admin, false)
        .expect("services")
        .into_iter()
        .filter(|s| {
            s.steps.len() >= 2
                && (s.steps[0].roles.is_empty() || s.steps[0].roles.contains(&specialist))
                && !s
                    .fields
                    .iter()
                    .any(|f| f.ftype == FieldType::File && f.required)
        })
        .collect();
    assert!(
        !services.is_empty(),
        "no usable service in the starter catalog"
    );
    let cal = node.calendar(admin).expect("calendar");
    let ctx = Ctx {
        org: init.org,
        group,
        users,
        services,
        cal,
        offset: node.options().utc_offset,
        now,
        start: Ts(now.0 - 365 * DAY_MS),
    };
    (node, ctx)
}

fn volost_load(node: &Node, ctx: &Ctx, n: usize, batch: usize) -> Duration {
    let admin = Actor::System(ctx.org);
    let mut rows = Gen::new(n);
    let mut applicants: Vec<u64> = vec![0; rows.people];
    let register = ActionInput::new(Action::Register);
    let t0 = Instant::now();
    let mut done = 0;
    while done < n {
        let this = batch.min(n - done);
        node.batch(admin, "bench.load", |b| {
            for k in 0..this {
                let r = rows.row(ctx, done + k);
                b.at(r.ts);
                b.act_as(ctx.actor(r.author))?;
                let applicant = match applicants[r.person] {
                    0 => ApplicantRef::New(person(r.person).input()),
                    id => ApplicantRef::Existing(ApplicantId(id)),
                };
                let app = b.create_application(&NewApplication {
                    service: ctx.services[r.service].id,
                    dept: None,
                    applicant,
                    data: r.data,
                    source: r.source,
                })?;
                applicants[r.person] = app.applicant.0;
                b.act(app.id, &register)?;
            }
            Ok(())
        })
        .expect("volost load batch");
        done += this;
        progress("volost load", done, n, t0);
    }
    t0.elapsed()
}

/// A query of the queue benchmark: two filters on «Задачи группы», sorted by due date.
#[derive(Clone, Copy)]
enum Filter {
    /// «Создана в интервале» `[from, to)` and «Создана пользователем».
    Interval(Ts, Ts),
    /// «Название содержит» and «Создана пользователем».
    Name,
}

struct Case {
    label: &'static str,
    filter: Filter,
}

fn cases(ctx: &Ctx) -> Vec<Case> {
    let half = 182 * DAY_MS;
    vec![
        Case {
            label: "queue: created in older half-year + author",
            filter: Filter::Interval(ctx.start, Ts(ctx.start.0 + half)),
        },
        Case {
            label: "queue: created in recent half-year + author",
            filter: Filter::Interval(Ts(ctx.now.0 - half), ctx.now),
        },
        Case {
            label: "queue: name contains + author",
            filter: Filter::Name,
        },
    ]
}

/// One line of a page as both stores produce it, for the comparison.
#[derive(Debug, PartialEq)]
struct Line {
    id: u64,
    name: String,
    author: String,
    holder: Option<String>,
    created: i64,
    due: time::Date,
    overdue_days: u32,
    number: Option<String>,
}

/// The first page of 50 rows. A volost page may stop early (a scan is capped at
/// `list::MAX_SCAN` entries) and give a cursor: then the next pages are read until 50 rows are
/// there, as a screen would. Returns the rows and the number of `queue` calls.
fn volost_page(node: &Node, ctx: &Ctx, f: Filter, author: usize) -> (Vec<TaskRow>, usize) {
    let mut q = TaskQuery::new(Queue::Group);
    q.sort = TaskCol::Due;
    q.limit = PAGE;
    q.filter.author = Some(ctx.users[author].0);
    match f {
        Filter::Interval(from, to) => {
            q.filter.created_from = Some(from);
            q.filter.created_to = Some(to);
        }
        Filter::Name => q.filter.name_contains = Some(NAME_WORD.into()),
    }
    let mut rows = Vec::new();
    let mut calls = 0;
    loop {
        let page = node.queue(ctx.actor(0), &q).expect("queue page");
        calls += 1;
        rows.extend(page.rows);
        match page.next {
            Some(c) if rows.len() < PAGE => {
                q.after = Some(c);
                q.limit = PAGE - rows.len();
            }
            _ => break,
        }
    }
    (rows, calls)
}

fn volost_lines(rows: &[TaskRow]) -> Vec<Line> {
    rows.iter()
        .map(|r| Line {
            id: r.id.0,
            name: r.name.clone(),
            author: r.author.clone(),
            holder: r.holder.clone(),
            created: r.created.0,
            due: r.due,
            overdue_days: r.overdue_days,
            number: r.application.clone(),
        })
        .collect()
}

/// Oldest open tasks of the group queue, for the write benchmark.
fn volost_open_tasks(node: &Node, ctx: &Ctx, n: usize) -> Vec<TaskId> {
    let mut q = TaskQuery::new(Queue::Group);
    q.sort = TaskCol::Created;
    q.limit = 500;
    let mut out = Vec::new();
    loop {
        let page = node.queue(ctx.actor(0), &q).expect("queue page");
        out.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(c) if out.len() < n => q.after = Some(c),
            _ => break,
        }
    }
    out.truncate(n);
    out
}

// ------------------------------------------------------------------------------------------
// SQLite
// ------------------------------------------------------------------------------------------

const Q_INTERVAL: &str = "
SELECT t.id, t.name, ua.short_name, uh.short_name, t.created, t.due, a.number
FROM tasks t
JOIN users ua ON ua.id = t.author
LEFT JOIN users uh ON uh.id = t.holder
LEFT JOIN applications a ON a.id = t.application
WHERE t.queue = 0 AND t.group_id = ?1 AND t.created >= ?2 AND t.created < ?3 AND t.author = ?4
  AND t.due >= ?5
ORDER BY t.due, t.created, t.id
LIMIT 50";

const Q_NAME: &str = "
SELECT t.id, t.name, ua.short_name, uh.short_name, t.created, t.due, a.number
FROM tasks t
JOIN users ua ON ua.id = t.author
LEFT JOIN users uh ON uh.id = t.holder
LEFT JOIN applications a ON a.id = t.application
WHERE t.queue = 0 AND t.group_id = ?1 AND t.name LIKE ?2 AND t.author = ?3
ORDER BY t.due, t.created, t.id
LIMIT 50";

fn sqlite_setup(conn: &Connection, ctx: &Ctx) {
    conn.execute_batch(SCHEMA).expect("schema");
    for (k, (id, short)) in ctx.users.iter().enumerate() {
        conn.execute(
            "INSERT INTO users(id, login, short_name) VALUES (?1, ?2, ?3)",
            params![id.0, format!("spec{k}"), short],
        )
        .expect("user");
    }
}

fn access_code(rng: &mut StdRng) -> String {
    (0..8)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// The same logical rows volost writes for one registered application: the applicant (once),
/// the application in its final state, the process, its first task and the four history
/// entries; one audit row per transaction.
fn sqlite_load(conn: &mut Connection, ctx: &Ctx, n: usize, batch: usize) -> Duration {
    let mut rows = Gen::new(n);
    let mut codes = StdRng::seed_from_u64(SEED + 1);
    let mut applicants: Vec<u64> = vec![0; rows.people];
    let mut next_applicant = 1u64;
    let mut numbers: HashMap<i32, u64> = HashMap::new();
    let t0 = Instant::now();
    let mut done = 0;
    while done < n {
        let this = batch.min(n - done);
        let tx = conn.transaction().expect("begin");
        {
            let mut ins_applicant = tx
                .prepare_cached(
                    "INSERT INTO applicants(id, kind, name, snils, passport, birth_date, address, created)
                     VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .expect("prepare");
            let mut ins_app = tx
                .prepare_cached(
                    "INSERT INTO applications(id, number, service, applicant, source, status, data, created_by,
                     created, registered, assignee, due, process, updated, access_code)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?8, ?10, ?11, ?9, ?12)",
                )
                .expect("prepare");
            let mut ins_process = tx
                .prepare_cached(
                    "INSERT INTO processes(id, application, service, group_id, started_by, started, step)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
                )
                .expect("prepare");
            let mut ins_task = tx
                .prepare_cached(
                    "INSERT INTO tasks(id, queue, group_id, process, service, application, step, name, author, created, due)
                     VALUES (?1, 0, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9)",
                )
                .expect("prepare");
            let mut ins_history = tx
                .prepare_cached(
                    "INSERT INTO history(entity, entity_id, seq, at, by, what, comment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .expect("prepare");
            for k in 0..this {
                let i = done + k;
                let r = rows.row(ctx, i);
                let svc = &ctx.services[r.service];
                let (user, _) = ctx.users[r.author];
                let today = r.ts.date(ctx.offset);
                let applicant = match applicants[r.person] {
                    0 => {
                        let p = person(r.person);
                        // The same validation the service layer runs on a new applicant.
                        let checked = check_applicant(&p.input()).expect("valid applicant");
                        let id = next_applicant;
                        next_applicant += 1;
                        applicants[r.person] = id;
                        ins_applicant
                            .execute(params![
                                id,
                                checked.name,
                                checked.snils,
                                checked.passport,
                                checked.birth_date.map(|d| d.to_julian_day()),
                                checked.address,
                                r.ts.0
                            ])
                            .expect("applicant");
                        id
                    }
                    id => id,
                };
                let data = check_form(&svc.fields, &r.data).expect("valid form");
                let data: String = data.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
                let seq = numbers.entry(today.year()).or_insert(0);
                *seq += 1;
                let number = format!("{}-{:06}", today.year(), seq);
                let id = (i + 1) as u64;
                let app_due = ctx
                    .cal
                    .add_working_days(today, svc.deadline_days)
                    .to_julian_day();
                ins_app
                    .execute(params![
                        id,
                        number,
                        svc.id.0,
                        applicant,
                        r.source as u8,
                        Status::Deciding.code(),
                        data,
                        user.0,
                        r.ts.0,
                        app_due,
                        id,
                        access_code(&mut codes)
                    ])
                    .expect("application");
                ins_process
                    .execute(params![id, id, svc.id.0, ctx.group.0, user.0, r.ts.0])
                    .expect("process");
                let step = &svc.steps[0];
                let name = format!("{} ({})", step.name, svc.name);
                let due = ctx
                    .cal
                    .add_working_days(today, step.days.max(1))
                    .to_julian_day();
                ins_task
                    .execute(params![
                        id,
                        ctx.group.0,
                        id,
                        svc.id.0,
                        id,
                        name,
                        user.0,
                        r.ts.0,
                        due
                    ])
                    .expect("task");
                let by = Some(user.0);
                ins_history
                    .execute(params![
                        1,
                        id,
                        0,
                        r.ts.0,
                        by,
                        "Создана заявка (Черновик)",
                        r.source.label()
                    ])
                    .expect("history");
                ins_history
                    .execute(params![
                        3,
                        id,
                        0,
                        r.ts.0,
                        by,
                        format!("Процесс запущен: {}", svc.name),
                        ""
                    ])
                    .expect("history");
                ins_history
                    .execute(params![
                        1,
                        id,
                        1,
                        r.ts.0,
                        by,
                        "Зарегистрировать → Зарегистрировано",
                        ""
                    ])
                    .expect("history");
                ins_history
                    .execute(params![
                        1,
                        id,
                        2,
                        r.ts.0,
                        by,
                        "Исполнитель назначен автоматически → Принятие решения",
                        ""
                    ])
                    .expect("history");
            }
            tx.execute(
                "INSERT INTO audit(at, user, op, target) VALUES (?1, NULL, 'bench.load', ?2)",
                params![
                    ctx.now.0,
                    format!("application:{}..{}", done + 1, done + this)
                ],
            )
            .expect("audit");
        }
        tx.commit().expect("commit");
        done += this;
        progress("SQLite load", done, n, t0);
    }
    t0.elapsed()
}

fn sqlite_plan(conn: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> String {
    let mut st = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("plan");
    let rows = st
        .query_map(args, |r| r.get::<_, String>(3))
        .expect("plan rows");
    rows.map(|r| r.expect("plan row"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// id, name, author, holder, created, due (Julian day), application number.
type RawLine = (
    u64,
    String,
    String,
    Option<String>,
    i64,
    i32,
    Option<String>,
);

/// The lower bound on due dates that volost's queue derives from «created from» (a task is
/// never due before the day it was created), given to SQLite as the same extra predicate so
/// that both stores plan with the same knowledge.
fn due_floor(ctx: &Ctx, from: Ts) -> i32 {
    let day = from.date(ctx.offset);
    day.checked_sub(time::Duration::days(2))
        .unwrap_or(day)
        .to_julian_day()
}

fn sqlite_page(conn: &Connection, ctx: &Ctx, f: Filter, author: usize) -> Vec<Line> {
    let user = ctx.users[author].0.0;
    let today = ctx.now.date(ctx.offset);
    let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<RawLine> {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    };
    let raw: Vec<_> = match f {
        Filter::Interval(from, to) => {
            let mut st = conn.prepare_cached(Q_INTERVAL).expect("prepare");
            st.query_map(
                params![ctx.group.0, from.0, to.0, user, due_floor(ctx, from)],
                map,
            )
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
        }
        Filter::Name => {
            let mut st = conn.prepare_cached(Q_NAME).expect("prepare");
            st.query_map(params![ctx.group.0, format!("%{NAME_WORD}%"), user], map)
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows")
        }
    };
    raw.into_iter()
        .map(|(id, name, author, holder, created, due, number)| {
            let due = time::Date::from_julian_day(due).expect("due");
            Line {
                id,
                name,
                author,
                holder,
                created,
                due,
                // As volost's TaskRow: working days past due, by the same calendar.
                overdue_days: ctx.cal.working_days_between(due, today),
                number,
            }
        })
        .collect()
}

/// The period report's figures from SQLite: applications per service and source, decisions
/// per service, tasks of the period with the late ones, and work per executor, the way the
/// node counts them. Returns the applications received and the tasks, to compare.
fn sqlite_report(conn: &Connection, ctx: &Ctx, from: Ts, to: Ts) -> (u64, u64) {
    let mut received = 0u64;
    let mut per: HashMap<(i64, i64), u64> = HashMap::new();
    let mut s = conn
        .prepare_cached(
            "SELECT service, source, COUNT(*) FROM applications
             WHERE created >= ?1 AND created < ?2 AND status != ?3 GROUP BY service, source",
        )
        .expect("prepare");
    let rows = s
        .query_map(params![from.0, to.0, Status::Draft.code()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .expect("query");
    for row in rows {
        let (svc, src, n) = row.expect("row");
        per.insert((svc, src), n as u64);
        received += n as u64;
    }
    let mut s = conn
        .prepare_cached(
            "SELECT service, COUNT(*) FROM applications
             WHERE created >= ?1 AND created < ?2 AND status >= ?3 GROUP BY service",
        )
        .expect("prepare");
    let decided: Vec<(i64, i64)> = s
        .query_map(
            params![from.0, to.0, Status::ApprovingPositive.code()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    // `due` is a Julian day; a task is late when done after its day or still open past it.
    let today = ctx.now.date(ctx.offset).to_julian_day();
    let offset_ms = i64::from(ctx.offset.whole_seconds()) * 1000;
    let (tasks, late): (i64, i64) = conn
        .prepare_cached(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN completed_at IS NULL AND due < ?3
                 OR (completed_at + ?4) / 86400000 + 2440588 > due THEN 1 ELSE 0 END), 0)
             FROM tasks WHERE created >= ?1 AND created < ?2",
        )
        .expect("prepare")
        .query_row(params![from.0, to.0, today, offset_ms], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("tasks");
    let mut s = conn
        .prepare_cached(
            "SELECT completed_by, COUNT(*) FROM tasks
             WHERE created >= ?1 AND created < ?2 AND completed_by IS NOT NULL GROUP BY completed_by",
        )
        .expect("prepare");
    let per_user: Vec<(i64, i64)> = s
        .query_map(params![from.0, to.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    std::hint::black_box((per, decided, late, per_user));
    (received, tasks as u64)
}

fn sqlite_open_tasks(conn: &Connection, ctx: &Ctx, n: usize) -> Vec<u64> {
    let mut st = conn
        .prepare(
            "SELECT id FROM tasks WHERE queue = 0 AND group_id = ?1 ORDER BY created, id LIMIT ?2",
        )
        .expect("prepare");
    st.query_map(params![ctx.group.0, n as i64], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

/// «Выполнить»: the task done, history, the next step's task in the group queue, the process
/// moved on, audit; one durable commit.
fn sqlite_complete(conn: &mut Connection, ctx: &Ctx, task: u64, user: u64, now: Ts) {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("begin");
    {
        let (holder, done, process, step, service, application): (Option<u64>, Option<u64>, u64, u32, u64, Option<u64>) = tx
            .prepare_cached("SELECT holder, completed_by, process, step, service, application FROM tasks WHERE id = ?1")
            .expect("prepare")
            .query_row(params![task], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .expect("task");
        assert!(
            holder == Some(user) && done.is_none(),
            "task {task} is not held by {user}"
        );
        tx.prepare_cached(
            "UPDATE tasks SET queue = 2, completed_by = ?1, completed_at = ?2 WHERE id = ?3",
        )
        .expect("prepare")
        .execute(params![user, now.0, task])
        .expect("complete");
        tx.prepare_cached(INS_HISTORY_NEXT)
            .expect("prepare")
            .execute(params![2, task, now.0, user, "Задача выполнена", ""])
            .expect("history");
        let group: u64 = tx
            .prepare_cached("SELECT group_id FROM processes WHERE id = ?1")
            .expect("prepare")
            .query_row(params![process], |r| r.get(0))
            .expect("process");
        let svc = ctx
            .services
            .iter()
            .find(|s| s.id.0 == service)
            .expect("service");
        let next = step as usize + 1;
        let s = &svc.steps[next];
        let name = format!("{} ({})", s.name, svc.name);
        let due = ctx
            .cal
            .add_working_days(now.date(ctx.offset), s.days.max(1))
            .to_julian_day();
        tx.prepare_cached(
            "INSERT INTO tasks(queue, group_id, process, service, application, step, name, author, created, due)
             VALUES (0, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .expect("prepare")
        .execute(params![group, process, service, application, next as u32, name, user, now.0, due])
        .expect("next task");
        let next_id = tx.last_insert_rowid();
        tx.prepare_cached("UPDATE processes SET step = ?1 WHERE id = ?2")
            .expect("prepare")
            .execute(params![next as u32, process])
            .expect("process step");
        tx.prepare_cached(INS_AUDIT)
            .expect("prepare")
            .execute(params![
                now.0,
                user,
                "task.complete",
                format!("task:{task},task:{next_id}")
            ])
            .expect("audit");
    }
    tx.commit().expect("commit");
}

// ------------------------------------------------------------------------------------------
// The run
// ------------------------------------------------------------------------------------------

/// Set in the child process that stops uncleanly: the benchmark's temporary directory.
const UNCLEAN: &str = "VOLOST_BENCH_UNCLEAN";

/// The child: one durable write to each store, then exit with both still open (no
/// destructor runs: redb leaves its file marked for repair, SQLite its WAL unmerged).
fn unclean_stop(tmp: &Path) -> ! {
    let org: u64 = std::env::var("VOLOST_BENCH_ORG")
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("VOLOST_BENCH_ORG");
    let clock = Arc::new(FixedClock::new(Ts(0)));
    let node = Node::open(&tmp.join("volost"), clock, Options::for_tests()).expect("open volost");
    node.set_calendar_day(
        Actor::System(OrgId(org)),
        time::macros::date!(2026 - 12 - 31),
        true,
    )
    .expect("a durable write");
    let conn = sqlite_open(&tmp.join("bench.sqlite"));
    conn.execute_batch("CREATE TABLE unclean(x); INSERT INTO unclean VALUES (1);")
        .expect("a durable write");
    std::mem::forget(node);
    std::mem::forget(conn);
    std::process::exit(0)
}

struct Reopen {
    volost: Duration,
    sqlite: Duration,
    /// How the page cache stood: emptied before each, or (without the right) warm.
    cache: &'static str,
}

/// Empties the page cache (root only), so that a reopen reads the disk as after a reboot.
fn drop_caches() -> bool {
    let _ = std::process::Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// Each store opened (redb repairs an uncleanly closed file here, SQLite replays its WAL)
/// until its first queue page is read.
fn reopen(vdir: &Path, spath: &Path, ctx: &Ctx, clock: Arc<FixedClock>) -> Reopen {
    let cold = drop_caches();
    let t = Instant::now();
    let node = Node::open(vdir, clock, Options::for_tests()).expect("open volost");
    std::hint::black_box(volost_page(&node, ctx, Filter::Name, 0));
    let volost = t.elapsed();
    drop(node);
    let cold = drop_caches() && cold;
    let t = Instant::now();
    let conn = sqlite_open(spath);
    std::hint::black_box(sqlite_page(&conn, ctx, Filter::Name, 0));
    let sqlite = t.elapsed();
    Reopen {
        volost,
        sqlite,
        cache: if cold { ", cold cache" } else { ", warm cache" },
    }
}

fn main() {
    if let Ok(tmp) = std::env::var(UNCLEAN) {
        unclean_stop(Path::new(&tmp));
    }
    let n = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .find_map(|a| parse_count(&a))
        .or_else(|| env_count("VOLOST_BENCH_N"))
        .unwrap_or(1_000_000);
    let batch = env_count("VOLOST_BENCH_BATCH").unwrap_or(1000).max(1);
    let tmp = match std::env::var("VOLOST_BENCH_DIR") {
        Ok(d) => tempfile::Builder::new()
            .prefix("volost-bench-")
            .tempdir_in(d),
        Err(_) => tempfile::Builder::new().prefix("volost-bench-").tempdir(),
    }
    .expect("temp dir");
    let vdir = tmp.path().join("volost");
    let spath = tmp.path().join("bench.sqlite");
    println!("volost core benchmark: N = {n} applications, {batch} per load transaction");
    println!("databases in {}", tmp.path().display());

    // 2026-06-30 10:00 at the node's +07:00; the load covers the year before.
    let now = Ts::from_datetime(time::macros::datetime!(2026-06-30 03:00 UTC));
    let clock = Arc::new(FixedClock::new(now));
    let (node, ctx) = volost_setup(&vdir, clock.clone());
    println!(
        "{} users in one group, {} services",
        ctx.users.len(),
        ctx.services.len()
    );

    let mut table = Table::default();

    // The data generator alone, so that its share of either load time is known.
    let t0 = Instant::now();
    let mut rows = Gen::new(n);
    for i in 0..n {
        let r = rows.row(&ctx, i);
        std::hint::black_box(&r);
    }
    let gen_time = t0.elapsed();
    eprintln!("generator alone: {}", secs(gen_time));

    // 1. Load.
    eprintln!("loading volost ...");
    let v_load = volost_load(&node, &ctx, n, batch);
    eprintln!("loading SQLite ...");
    let mut conn = sqlite_open(&spath);
    sqlite_setup(&conn, &ctx);
    let s_load = sqlite_load(&mut conn, &ctx, n, batch);
    let t0 = Instant::now();
    conn.execute_batch("ANALYZE").expect("analyze");
    let analyze = t0.elapsed();
    table.row(
        format!("load {n} applications (incl. generator {})", secs(gen_time)),
        secs(v_load),
        secs(s_load),
        ratio(v_load.as_secs_f64(), s_load.as_secs_f64()),
    );
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    table.row(
        "load rate, applications/s (higher is better)",
        format!("{:.0}", rate(v_load)),
        format!("{:.0}", rate(s_load)),
        ratio(rate(v_load), rate(s_load)),
    );

    // 2. Queue pages.
    for case in cases(&ctx) {
        let user = ctx.users[1].0.0;
        let plan = match case.filter {
            Filter::Interval(from, to) => sqlite_plan(
                &conn,
                Q_INTERVAL,
                params![ctx.group.0, from.0, to.0, user, due_floor(&ctx, from)],
            ),
            Filter::Name => sqlite_plan(
                &conn,
                Q_NAME,
                params![ctx.group.0, format!("%{NAME_WORD}%"), user],
            ),
        };
        // Same rows from both?
        let (vrows, _) = volost_page(&node, &ctx, case.filter, 1);
        let vlines = volost_lines(&vrows);
        let slines = sqlite_page(&conn, &ctx, case.filter, 1);
        let same = vlines == slines;
        if !same {
            let first = vlines.iter().zip(&slines).find(|(a, b)| a != b);
            eprintln!(
                "  {}: pages differ: volost {} rows, SQLite {} rows; first difference {first:?}",
                case.label,
                vlines.len(),
                slines.len()
            );
        }
        let mut vt = Vec::with_capacity(QUEUE_ITERS);
        let mut max_calls = 0;
        let mut min_rows = usize::MAX;
        for i in 0..WARMUP + QUEUE_ITERS {
            let author = i % ctx.users.len();
            let t = Instant::now();
            let (rows, calls) = volost_page(&node, &ctx, case.filter, author);
            let el = t.elapsed();
            std::hint::black_box(&rows);
            if i >= WARMUP {
                vt.push(el);
                max_calls = max_calls.max(calls);
                min_rows = min_rows.min(rows.len());
            }
        }
        let mut st = Vec::with_capacity(QUEUE_ITERS);
        let mut s_min_rows = usize::MAX;
        for i in 0..WARMUP + QUEUE_ITERS {
            let author = i % ctx.users.len();
            let t = Instant::now();
            let rows = sqlite_page(&conn, &ctx, case.filter, author);
            let el = t.elapsed();
            std::hint::black_box(&rows);
            if i >= WARMUP {
                st.push(el);
                s_min_rows = s_min_rows.min(rows.len());
            }
        }
        // The share of «просрочено на N рабочих дней» in either time: the same calendar code
        // runs for every row in both (day by day from the due date to today).
        let today = ctx.now.date(ctx.offset);
        let mut ot = Vec::with_capacity(QUEUE_ITERS);
        for _ in 0..QUEUE_ITERS {
            let t = Instant::now();
            let days: u32 = slines
                .iter()
                .map(|l| ctx.cal.working_days_between(l.due, today))
                .sum();
            ot.push(t.elapsed());
            std::hint::black_box(days);
        }
        let overdue = stats(ot);
        let (vs, ss) = (stats(vt), stats(st));
        println!("{}: {} iterations each", case.label, vs.n);
        println!(
            "  volost: at least {min_rows} rows per page, up to {max_calls} queue call(s) per page"
        );
        println!("  SQLite: at least {s_min_rows} rows per page; plan: {plan}");
        println!(
            "  same 50 rows (author 1): {}",
            if same { "yes" } else { "NO" }
        );
        println!(
            "  overdue days of the 50 rows alone (in both times): p50 {}",
            ms(overdue.p50)
        );
        table.times(case.label, &vs, &ss);
    }

    // 3. Claim + complete, each a durable commit, on the oldest open tasks.
    let vtasks = volost_open_tasks(&node, &ctx, WRITE_ITERS);
    let stasks = sqlite_open_tasks(&conn, &ctx, WRITE_ITERS);
    let same_tasks = vtasks.iter().map(|t| t.0).eq(stasks.iter().copied());
    println!(
        "write benchmark on {} tasks; same task ids in both: {}",
        vtasks.len(),
        if same_tasks { "yes" } else { "NO" }
    );
    let (mut v_claim, mut v_complete) = (Vec::new(), Vec::new());
    for (k, task) in vtasks.iter().enumerate() {
        clock.advance_ms(1000);
        let actor = ctx.actor(k % ctx.users.len());
        let t = Instant::now();
        node.claim(actor, *task, false).expect("claim");
        v_claim.push(t.elapsed());
        let t = Instant::now();
        let next = node.complete(actor, *task, false, "").expect("complete");
        v_complete.push(t.elapsed());
        assert!(next.is_some(), "the next step's task");
    }
    let (mut s_claim, mut s_complete) = (Vec::new(), Vec::new());
    let mut at = ctx.now;
    for (k, task) in stasks.iter().enumerate() {
        at = Ts(at.0 + 1000);
        let user = ctx.users[k % ctx.users.len()].0.0;
        let t = Instant::now();
        sqlite_claim(&mut conn, *task, user, at);
        s_claim.push(t.elapsed());
        let t = Instant::now();
        sqlite_complete(&mut conn, &ctx, *task, user, at);
        s_complete.push(t.elapsed());
    }
    table.times("claim (durable commit)", &stats(v_claim), &stats(s_claim));
    table.times(
        "complete (durable commit)",
        &stats(v_complete),
        &stats(s_complete),
    );

    // 4. «Отчёт за период» for the year the load covers (issue 7: aim under 1 s).
    let (from, to) = (ctx.start.date(ctx.offset), ctx.now.date(ctx.offset));
    let q = ReportQuery {
        from,
        to,
        dept: None,
    };
    let head = Actor::System(ctx.org);
    // The node's period: local days, both ends included.
    let edge = |d: time::Date| Ts::from_datetime(d.midnight().assume_offset(ctx.offset));
    let (lo, hi) = (edge(from), edge(to.next_day().unwrap_or(to)));
    let r = node.report(head, &q).expect("report");
    let s_total = sqlite_report(&conn, &ctx, lo, hi);
    println!(
        "period report {} — {}: volost {} applications received, {} tasks; SQLite {} and {}: {}",
        display_date(from),
        display_date(to),
        r.total.received,
        r.tasks,
        s_total.0,
        s_total.1,
        if (r.total.received, r.tasks) == s_total {
            "the same"
        } else {
            "DIFFERENT"
        }
    );
    let mut vt = Vec::new();
    let mut st = Vec::new();
    for i in 0..REPORT_ITERS + 1 {
        let t = Instant::now();
        std::hint::black_box(node.report(head, &q).expect("report"));
        let v = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(sqlite_report(&conn, &ctx, lo, hi));
        let s = t.elapsed();
        // The first of each warms the caches.
        if i > 0 {
            vt.push(v);
            st.push(s);
        }
    }
    table.times("period report, one year", &stats(vt), &stats(st));

    // 5. Recovery: both stores opened again after a clean stop, then after an unclean one
    //    (a process that wrote one durable transaction and exited without closing either,
    //    as at a power cut or SIGKILL), each until its first queue page, page cache emptied
    //    first where the machine allows (as after a reboot).
    drop(node);
    drop(conn);
    let clean = reopen(&vdir, &spath, &ctx, clock.clone());
    let child = std::process::Command::new(std::env::current_exe().expect("current exe"))
        .env(UNCLEAN, tmp.path())
        .env("VOLOST_BENCH_ORG", ctx.org.0.to_string())
        .status()
        .expect("the unclean-stop process");
    assert!(child.success(), "the unclean-stop process failed: {child}");
    let unclean = reopen(&vdir, &spath, &ctx, clock.clone());
    table.row(
        format!("open after a clean stop + first page{}", clean.cache),
        ms(clean.volost),
        ms(clean.sqlite),
        ratio(clean.volost.as_secs_f64(), clean.sqlite.as_secs_f64()),
    );
    table.row(
        format!("open after an unclean stop + first page{}", unclean.cache),
        ms(unclean.volost),
        ms(unclean.sqlite),
        ratio(unclean.volost.as_secs_f64(), unclean.sqlite.as_secs_f64()),
    );

    // Sizes on disk (SQLite: database + WAL).
    let vsize = file_size(&db_path(&vdir));
    let ssize = file_size(&spath) + file_size(&spath.with_extension("sqlite-wal"));
    table.row(
        "database size on disk",
        mib(vsize),
        mib(ssize),
        ratio(vsize as f64, ssize as f64),
    );

    println!();
    println!(
        "N = {n}, {batch} applications per load transaction; SQLite ANALYZE after load: {}",
        secs(analyze)
    );
    table.print();
    println!();
    println!("ratio = volost / SQLite: below 1 volost is faster (for times) or smaller.");

    if std::env::var("VOLOST_BENCH_KEEP").is_ok_and(|v| v == "1") {
        let kept = tmp.keep();
        println!("kept {}", kept.display());
    }
}
