//! The staff terminal UI of volost: a client of the daemon's local API.
//!
//! `app` holds the screens and sends each key, through `keymap` (the one registry of
//! commands: keys, labels, where they apply), to the screen on top; `screens` handle their
//! commands purely and return an `effect::Effect`; `run` carries effects out and is the only
//! code that talks to the daemon (`conn`); `widgets` are what screens share; `ui` draws;
//! `text` holds every word shown. The event loop here reads keys and redraws.

pub mod app;
pub mod conn;
pub mod keymap;
pub mod link;
pub mod local;
pub mod run;
pub mod screens;
pub mod text;
pub mod ui;
pub mod widgets;

use crossterm::event::{self, Event, KeyEventKind};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often an idle screen asks the daemon whether anything changed.
const REFRESH: Duration = Duration::from_secs(2);

/// The local time of the node as the status line shows it.
pub fn clock(offset: time::UtcOffset) -> String {
    let t = time::OffsetDateTime::now_utc().to_offset(offset);
    format!(
        "{:02}.{:02}.{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// SIGTERM asks the loop to stop (it restores the terminal); SIGHUP means the terminal is
/// gone, and crossterm spins on a hung-up terminal instead of reporting it, so the process
/// leaves at once: there is no screen left to restore, and the daemon's data is safe (every
/// answered operation is committed).
fn watch_signals(stop: Arc<AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("tui-signals".into())
        .spawn(move || {
            let Some(sig) = signals.forever().next() else {
                return;
            };
            stop.store(true, Ordering::Relaxed);
            if sig == SIGHUP {
                std::process::exit(0);
            }
            // The loop notices within half a second; if it is stuck, leave anyway.
            std::thread::sleep(Duration::from_secs(2));
            ratatui::restore();
            std::process::exit(0);
        })?;
    Ok(())
}

/// Runs the setup screen until it is saved (and the result read) or, where allowed, left.
/// `save` does the saving: the daemon's part first, then the machine's files.
pub fn run_setup(
    view: screens::setup::SetupView,
    mut save: impl FnMut(&volost_api::setup::Answers) -> Result<Vec<String>, screens::setup::Refusal>,
) -> std::io::Result<screens::setup::Outcome> {
    let stop = Arc::new(AtomicBool::new(false));
    watch_signals(stop.clone())?;
    let mut view = view;
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let result = (|| -> std::io::Result<screens::setup::Outcome> {
        loop {
            terminal.draw(|f| ui::setup::draw(f, &view))?;
            if let Some(o) = view.outcome.clone() {
                return Ok(o);
            }
            if stop.load(Ordering::Relaxed) {
                return Ok(screens::setup::Outcome::Cancelled);
            }
            if event::poll(Duration::from_millis(500))? {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        view.handle_key(keymap::normalize(k), &mut save);
                    }
                    Event::Paste(text) => view.paste(&text),
                    _ => {}
                }
            }
        }
    })();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    result
}

/// Runs the TUI against the daemon's socket until the user leaves, SIGTERM or SIGHUP (an SSH
/// session that went away). `login` signs in at once (the demo). The terminal is restored on
/// every way out, panics included.
/// The demo's staff member, signed in at once, with the PIN of their ЭП-СП.
pub struct DemoLogin<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub pin: &'a str,
}

pub fn run(socket: &Path, demo: Option<DemoLogin>) -> std::io::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    watch_signals(stop.clone())?;
    let mut app = app::App::new(conn::Conn::new(socket));
    if let Some(d) = demo {
        app.demo_pin = Some(d.pin.to_string());
        app.sign_in(d.login, d.password);
    }
    // ratatui::init sets raw mode and the alternate screen and installs a panic hook that
    // restores the terminal before the panic message is printed.
    let mut terminal = ratatui::init();
    // A paste arrives whole (`Event::Paste`), not as keys where a line break is an Enter.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let result = (|| -> std::io::Result<()> {
        let mut idle_since = std::time::Instant::now();
        loop {
            app.now = clock(app.offset);
            let frame = terminal.draw(|f| ui::draw(f, &app))?;
            if let Some(url) = app.web_link() {
                link::mark(frame.buffer, &url)?;
            }
            if app.quit || stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            if event::poll(Duration::from_millis(500))? {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        app.handle_key(keymap::normalize(k));
                        idle_since = std::time::Instant::now();
                    }
                    Event::Paste(text) => {
                        app.paste(&text);
                        idle_since = std::time::Instant::now();
                    }
                    // A resize is redrawn by the next turn of the loop.
                    _ => {}
                }
            } else if idle_since.elapsed() >= REFRESH {
                app.tick();
                idle_since = std::time::Instant::now();
            }
        }
    })();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    result
}
