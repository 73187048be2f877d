//! The architecture as the build sees it: which crate of the workspace may depend on which
//! (ARCHITECTURE.md, the **Architecture Invariant** lines). Read from `cargo metadata`, so an
//! edge added to a manifest turns this red.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

/// Each workspace crate and the workspace crates it depends on (normal, build and dev).
type Graph = BTreeMap<String, BTreeSet<String>>;

/// `cargo metadata` of the workspace with `args`, offline.
fn metadata(args: &[&str]) -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn workspace() -> Graph {
    let m = metadata(&["--no-deps"]);
    let pkgs = m["packages"].as_array().unwrap();
    let names: BTreeSet<String> = pkgs
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    pkgs.iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_string())
                .filter(|d| names.contains(d))
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

/// What may not depend on what: (crate, the workspace crates it may depend on; `None` for
/// "none of them"). Crates not named here are free for now; issue 28 names the rest as they
/// are split out (the TUI on api, domain and config only; the core on no SOAP, crypto, daemon
/// or terminal; nothing shipped on the simulator).
const RULES: &[(&str, &[&str])] = &[
    // The domain: types and rules, no storage, no I/O, no clock.
    ("volost-domain", &[]),
    // The configuration: read by the node and, later, the TUI without linking the node.
    ("volost-config", &["volost-domain"]),
    // The contract of the local API: calls, replies, views, the blocking client.
    ("volost-api", &["volost-domain"]),
    // The terminal UI: a client of the daemon, never the node itself.
    (
        "volost-tui",
        &["volost-api", "volost-domain", "volost-config"],
    ),
];

/// Crates of the outside world that the staff clients must never link: the database, OpenSSL,
/// the HTTP server and client, SSH, the async runtime. The TUI talks to the daemon and
/// nothing else. (`age` comes in through the configuration, which checks a backup recipient
/// when it is read; it is pure Rust and signs nothing.)
const NODE_ONLY: &[&str] = &[
    "redb",
    "openssl",
    "openssl-sys",
    "axum",
    "hyper",
    "reqwest",
    "ssh2",
    "tokio",
];

/// The host's target triple, as rustc tells it.
fn host() -> String {
    let out = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_string()
}

/// Every package `root` links (normal dependencies, transitively), by name.
fn linked(root: &str) -> BTreeSet<String> {
    // Only this machine's platform: the others' crates are not on it.
    let m = metadata(&["--filter-platform", &host()]);
    let name_of: BTreeMap<&str, &str> = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: BTreeMap<&str, &serde_json::Value> = m["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let start = name_of
        .iter()
        .find(|(_, n)| **n == root)
        .map(|(id, _)| *id)
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut todo = vec![start];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        for d in nodes[id]["deps"].as_array().unwrap() {
            let normal = d["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            if normal {
                todo.push(d["pkg"].as_str().unwrap());
            }
        }
    }
    seen.iter().map(|id| name_of[id].to_string()).collect()
}

#[test]
fn the_tui_links_no_database_crypto_or_server() {
    for client in ["volost-tui", "volost-api"] {
        let linked = linked(client);
        let bad: Vec<&&str> = NODE_ONLY.iter().filter(|c| linked.contains(**c)).collect();
        assert!(bad.is_empty(), "{client} links {bad:?}");
        assert!(!linked.contains("volost-core"), "{client} links the core");
    }
    // And the check sees them where they are.
    let core = linked("volost-core");
    assert!(NODE_ONLY.iter().all(|c| core.contains(*c)), "{core:?}");
}

/// Edges that break a rule, and crates that depend on the binary's package.
fn violations(g: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for (krate, allowed) in RULES {
        let Some(deps) = g.get(*krate) else {
            out.push(format!("{krate}: not in the workspace"));
            continue;
        };
        for d in deps {
            if !allowed.contains(&d.as_str()) {
                out.push(format!("{krate} -> {d}"));
            }
        }
    }
    for (krate, deps) in g {
        if deps.contains("volost") {
            out.push(format!("{krate} -> volost (the binary's package)"));
        }
    }
    out
}

#[test]
fn no_crate_depends_on_what_the_architecture_forbids() {
    let g = workspace();
    assert!(g.contains_key("volost-core") && g.contains_key("volost-tui"));
    assert_eq!(violations(&g), Vec::<String>::new());
    // The check itself bites: the domain made to lean on the core is caught.
    let mut bent = g.clone();
    bent.get_mut("volost-domain")
        .unwrap()
        .insert("volost-core".into());
    assert_eq!(violations(&bent), vec!["volost-domain -> volost-core"]);
    let mut bent = g;
    bent.get_mut("volost-tui").unwrap().insert("volost".into());
    assert_eq!(
        violations(&bent),
        vec![
            "volost-tui -> volost",
            "volost-tui -> volost (the binary's package)"
        ]
    );
}
