//! `volost tui` driven in tmux as a person uses it: keys sent with `send-keys`, the screen
//! read with `capture-pane`.
#![allow(dead_code, clippy::unwrap_used)]

use super::daemon::{BIN, Daemon};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux(pub String);

/// Each session runs on a tmux server of its own (`-L`): tests start in parallel, and
/// sessions starting the one default server together race each other.
pub fn tmux(server: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", server]);
    c
}

impl Tmux {
    pub fn start(name: &str, cmd: &str) -> Tmux {
        let ok = tmux(name)
            .args([
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "100",
                "-y",
                "30",
                cmd,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux did not start");
        Tmux(name.into())
    }

    /// Sends keys. An Escape goes on its own and is given time to be read alone: an ESC
    /// byte that reaches the TUI in one read with the next key is parsed as Alt+that key (a
    /// terminal cannot tell them apart), which under load made an Escape then `:` vanish.
    pub fn keys(&self, keys: &[&str]) {
        for group in keys.split_inclusive(|k| *k == "Escape") {
            let ok = tmux(&self.0)
                .args(["send-keys", "-t", &self.0])
                .args(group)
                .status()
                .unwrap()
                .success();
            assert!(ok);
            if group.last() == Some(&"Escape") {
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }

    /// Types text literally (Cyrillic included).
    pub fn text(&self, s: &str) {
        let ok = tmux(&self.0)
            .args(["send-keys", "-t", &self.0, "-l", s])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }

    pub fn screen(&self) -> String {
        let out = tmux(&self.0)
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Waits until the screen shows `what` (up to 10 s); returns the screen.
    pub fn wait_for(&self, what: &str) -> String {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let s = self.screen();
            // A screen is drawn in more than one write, and a capture can fall between
            // them: what is awaited counts only on a screen that holds still for a moment.
            if s.contains(what) {
                std::thread::sleep(Duration::from_millis(40));
                if self.screen() == s {
                    return s;
                }
            }
            assert!(
                Instant::now() < until,
                "«{what}» never appeared; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn resize(&self, w: u16, h: u16) {
        let ok = tmux(&self.0)
            .args([
                "resize-window",
                "-t",
                &self.0,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }

    pub fn alive(&self) -> bool {
        tmux(&self.0)
            .args(["has-session", "-t", &self.0])
            .status()
            .is_ok_and(|s| s.success())
    }
}

/// From «Заявки на услуги»: `/`, the number, and its card.
pub fn find_application(t: &Tmux, number: &str) {
    t.keys(&["/"]);
    t.wait_for("Заявка по номеру");
    t.text(number);
    t.keys(&["Enter"]);
    t.wait_for(&format!("Номер заявки {number}"));
}

/// On an application card whose executor is the user: «Действия» → «Одобрить», with the
/// reason and the message for the applicant.
pub fn approve(t: &Tmux, reason: &str, message: &str) {
    t.keys(&["F2"]);
    t.wait_for("Одобрить");
    t.keys(&["Enter"]);
    t.wait_for("Положительное решение");
    t.text(reason);
    t.keys(&["Tab"]);
    t.text(message);
    t.keys(&["Enter"]);
    t.wait_for("Утверждение положительного результата");
}

/// `volost tui` in tmux on `d`'s socket, signed in as `spec`; `env` goes before the command
/// (`TERM=linux`, say).
pub fn signed_in(d: &Daemon, tag: &str, env: &str) -> Tmux {
    signed_in_as(d, tag, env, "spec")
}

pub fn signed_in_as(d: &Daemon, tag: &str, env: &str, login: &str) -> Tmux {
    let name = format!("volost-e2e-{tag}-{}", std::process::id());
    let t = Tmux::start(
        &name,
        &format!("env {env} {BIN} tui --socket {}", d.socket.display()),
    );
    t.wait_for("Вход в систему");
    t.text(login);
    t.keys(&["Enter"]);
    t.text("password-1");
    t.keys(&["Enter"]);
    t.wait_for(" · № ");
    t
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // The TUI may have closed its session, and with it the server, already (F10): quietly.
        let _ = tmux(&self.0)
            .args(["kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}
