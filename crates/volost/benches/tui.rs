//! `cargo bench --bench tui`: how fast the TUI answers (issue 4).
//!
//! 1. Frame render time: the main screen with «Задачи группы» drawn into ratatui's
//!    `TestBackend` at 160x48 and 80x24, the list's chunk full (100 rows; only the visible
//!    page is drawn, so the size of the queue behind it does not matter). Beside it, the same
//!    rows drawn as plain preformatted lines, the least any drawing can cost.
//! 2. Keypress to redrawn screen over the local socket: the real daemon serving 100 000 open
//!    tasks in one group, an `App` signed in over its socket, and for each key (↓, PgDn, a sort
//!    change, F5) the time from `handle_key` to the drawn frame. Beside it, the same queue
//!    page read in-process from `Node::queue` (what the socket, JSON and the session add).
//!
//! `VOLOST_BENCH_TASKS` sets the queue size (default 100 000).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Paragraph;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use volost::api::Client;
use volost::clock::SystemClock;
use volost::domain::*;
use volost::service::*;
use volost::{Actor, Node, Options};
use volost_tui::app::{App, Screen, Section, TaskList};
use volost_tui::conn::Conn;

mod common;
use common::{ms, ratio, stats};

const BIN: &str = env!("CARGO_BIN_EXE_volost");

fn sample_rows(n: usize) -> Vec<TaskRow> {
    (0..n)
        .map(|i| TaskRow {
            id: TaskId(i as u64 + 1),
            name: "Проверка документов (Присвоение адреса объекту адресации)".into(),
            author: "Кузнецов И. П.".into(),
            holder: None,
            created: Ts(1_795_402_800_000 - i as i64 * 60_000),
            due: time::Date::from_calendar_date(2026, time::Month::November, 25)
                .unwrap_or(time::Date::MIN),
            overdue_days: (i % 3) as u32,
            application: Some(format!("2026-{:06}", i + 1)),
            source: Some(Source::Manual),
        })
        .collect()
}

fn render_times(app: &App, w: u16, h: u16, n: usize) -> Vec<Duration> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    (0..n)
        .map(|_| {
            let t0 = Instant::now();
            t.draw(|f| volost_tui::ui::draw(f, app)).expect("draw");
            t0.elapsed()
        })
        .collect()
}

fn plain_times(rows: &[TaskRow], w: u16, h: u16, n: usize) -> Vec<Duration> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    (0..n)
        .map(|_| {
            let t0 = Instant::now();
            let text: Vec<String> = rows
                .iter()
                .take(h as usize)
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r.application.as_deref().unwrap_or(""),
                        r.name,
                        display_date(r.due)
                    )
                })
                .collect();
            t.draw(|f| f.render_widget(Paragraph::new(text.join("\n")), f.area()))
                .expect("draw");
            t0.elapsed()
        })
        .collect()
}

fn setup(dir: &Path, n: usize) -> UserId {
    let (node, users, _) = common::node_with_clerks(dir, &["clerk".to_string()]);
    let u_id = users[0];
    let svc = node
        .services(Actor::User(u_id), false)
        .expect("services")
        .remove(0);
    for _ in 0..n.div_ceil(10_000) {
        node.batch(Actor::User(u_id), "bench.load", |b| {
            for _ in 0..10_000 {
                b.launch(svc.id, None)?;
            }
            Ok(())
        })
        .expect("tasks");
    }
    u_id
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.0.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.0.wait();
    }
}

fn main() {
    let n: usize = std::env::var("VOLOST_BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);

    // 1. Render.
    let mut app = App::new(Conn::new(Path::new("/nonexistent")));
    app.now = "23.11.2026 10:00".into();
    app.main.sections = Section::ALL.to_vec();
    app.main.list = TaskList::new(Queue::Group);
    app.main.list.rows = sample_rows(volost_tui::app::CHUNK);
    app.main.list.selected = 10;
    app.screen = Screen::Main;
    let big = stats(render_times(&app, 160, 48, 2000));
    let small = stats(render_times(&app, 80, 24, 2000));
    let plain = stats(plain_times(&app.main.list.rows, 160, 48, 2000));

    // 2. Keypress to screen over the socket.
    let tmp = tempfile::tempdir().expect("tmp");
    eprintln!("loading {n} open tasks ...");
    let clerk = setup(tmp.path(), n);
    let direct: Vec<Duration> = {
        let node =
            Node::open(tmp.path(), Arc::new(SystemClock), Options::for_tests()).expect("open");
        let mut q = TaskQuery::new(Queue::Group);
        q.sort = TaskCol::Due;
        q.limit = volost_tui::app::CHUNK;
        (0..500)
            .map(|_| {
                let t0 = Instant::now();
                node.queue(Actor::User(clerk), &q).expect("queue");
                t0.elapsed()
            })
            .collect()
    };
    let cfg = tmp.path().join("volost.toml");
    std::fs::write(
        &cfg,
        format!(
            "[node]\ndata_dir = \"{d}\"\n[local_api]\nsocket = \"{d}/volost.sock\"\ngroup = \"\"\n\
             [http]\nlisten = \"\"\n[backup]\ninterval_hours = 0\n[log]\nlevel = \"warn\"\n",
            d = tmp.path().display()
        ),
    )
    .expect("config");
    let _d = Daemon(
        Command::new(BIN)
            .args(["serve", "--config"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .spawn()
            .expect("daemon"),
    );
    let socket = tmp.path().join("volost.sock");
    let until = Instant::now() + Duration::from_secs(30);
    while Client::connect(&socket).is_err() {
        assert!(Instant::now() < until, "daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut app = App::new(Conn::new(&socket));
    app.sign_in("clerk", "password-1");
    assert!(matches!(app.screen, Screen::Main), "signed in");
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    let mut press = |app: &mut App, code: KeyCode| {
        let t0 = Instant::now();
        app.handle_key(KeyEvent::from(code));
        term.draw(|f| volost_tui::ui::draw(f, app)).expect("draw");
        t0.elapsed()
    };
    let mut keys = Vec::new();
    // Down the list (a new chunk is read every 100 rows), a page at a time now and then,
    // F5 (the chunk read again) every 50 keys; then sort changes (the list read from the top).
    for i in 0..2000 {
        let code = match i % 50 {
            10 => KeyCode::F(5),
            20..=29 => KeyCode::PageDown,
            _ => KeyCode::Down,
        };
        keys.push(press(&mut app, code));
    }
    let pos = app.main.list.position();
    for _ in 0..40 {
        keys.push(press(&mut app, KeyCode::F(6)));
    }
    let keys = stats(keys);
    let direct = stats(direct);

    println!();
    println!("## TUI ({n} open tasks in the queue; frames into TestBackend)");
    println!();
    println!("| metric | volost TUI | peer | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| frame, main screen 160x48, p50 / p99 | {} / {} | {} / {} (plain lines) | {} |",
        ms(big.p50),
        ms(big.p99),
        ms(plain.p50),
        ms(plain.p99),
        ratio(big.p99.as_secs_f64(), plain.p99.as_secs_f64())
    );
    println!(
        "| frame, main screen 80x24, p50 / p99 | {} / {} | | |",
        ms(small.p50),
        ms(small.p99)
    );
    println!(
        "| keypress to drawn screen over the socket, p50 / p99 / max | {} / {} / {} | {} / {} (queue page in-process) | {} |",
        ms(keys.p50),
        ms(keys.p99),
        ms(keys.max),
        ms(direct.p50),
        ms(direct.p99),
        ratio(keys.p99.as_secs_f64(), direct.p99.as_secs_f64())
    );
    println!("(the keys walked to row {pos} of {n})");
}
