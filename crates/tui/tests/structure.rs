//! The TUI's own layering, checked on its sources (docs/design/tui.md): screens and widgets
//! are pure, the runner alone talks to the daemon, widgets know no screen.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// One rule: files under `dir` (relative to `src/`) must not contain any of `banned`.
struct Rule {
    dir: &'static str,
    banned: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        dir: "screens",
        banned: &["conn", "Conn", "crate::run"],
        why: "a screen handles its commands purely and asks the runner for daemon calls",
    },
    Rule {
        dir: "widgets",
        banned: &["conn", "Conn", "crate::run", "crate::app", "crate::screens"],
        why: "a widget knows no screen and no daemon",
    },
    Rule {
        dir: "ui",
        banned: &["conn", "Conn", "crate::run", "&mut App"],
        why: "drawing reads state and calls nothing",
    },
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its comments and its tests (a test may build an `App`).
fn code(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or("");
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What breaks a rule: (file, word, why).
fn breaches(files: &[(String, String)]) -> Vec<(String, &'static str, &'static str)> {
    let mut found = Vec::new();
    for (name, text) in files {
        let code = code(text);
        for r in RULES {
            if !name.starts_with(&format!("{}/", r.dir)) {
                continue;
            }
            for b in r.banned {
                let hit = code.match_indices(b).any(|(i, _)| {
                    // Whole words only: `conn` is not `connection`.
                    let after = code[i + b.len()..].chars().next();
                    let before = code[..i].chars().next_back();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if hit {
                    found.push((name.clone(), *b, r.why));
                }
            }
        }
    }
    found
}

#[test]
fn screens_widgets_and_drawing_never_reach_the_daemon_and_widgets_know_no_screen() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let name = p.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    assert!(files.iter().any(|(n, _)| n.starts_with("screens/")));
    assert!(files.iter().any(|(n, _)| n.starts_with("widgets/")));
    assert_eq!(breaches(&files), Vec::new());

    // The check bites: a screen that asks the daemon itself, a widget that opens a screen.
    let bad = vec![
        (
            "screens/x.rs".to_string(),
            "fn f(a: &mut App) { a.conn.ask(call::Pulse); }".to_string(),
        ),
        (
            "widgets/y.rs".to_string(),
            "use crate::screens::main::MainView;\n// conn in a comment is fine".to_string(),
        ),
        (
            "ui/z.rs".to_string(),
            "pub fn draw(f: &mut Frame, app: &mut App) {}".to_string(),
        ),
    ];
    let got: Vec<(String, &str)> = breaches(&bad).into_iter().map(|(f, w, _)| (f, w)).collect();
    assert_eq!(
        got,
        vec![
            ("screens/x.rs".to_string(), "conn"),
            ("widgets/y.rs".to_string(), "crate::screens"),
            ("ui/z.rs".to_string(), "&mut App"),
        ]
    );
}
