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
    // The storage: redb and the domain's rows, nothing above it.
    ("volost-store", &["volost-domain"]),
    // The core: the node's rules over the storage; no SMEV, XML, crypto, daemon or terminal.
    (
        "volost-core",
        &["volost-domain", "volost-api", "volost-store"],
    ),
    // XSD validation with libxml2, for the adapter: nothing of the node's own.
    ("volost-xsd", &[]),
    // Documents from typst templates: nothing of the node's own (the core asks for them
    // through its `Documents` port, which the daemon implements with this crate).
    ("volost-docs", &[]),
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
    // typst: the daemon renders documents; a staff client shows or saves the PDF it gets.
    "typst",
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
    linked_with(root, &[])
}

/// [`linked`] with more arguments for `cargo metadata` (features).
fn linked_with(root: &str, args: &[&str]) -> BTreeSet<String> {
    // Only this machine's platform: the others' crates are not on it.
    let host = host();
    let mut all = vec!["--filter-platform", host.as_str()];
    all.extend_from_slice(args);
    let m = metadata(&all);
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
    let node = linked("volost");
    assert!(NODE_ONLY.iter().all(|c| node.contains(*c)), "{node:?}");
}

#[test]
fn nothing_shipped_links_the_simulator() {
    // The package a council installs is built without the default feature `demo`
    // ([package.metadata.deb] default-features = false).
    let shipped = linked_with("volost", &["--no-default-features"]);
    assert!(
        !shipped.contains("volost-sim"),
        "the shipped build links the simulator"
    );
    assert!(shipped.contains("volost-daemon") && shipped.contains("volost-smev"));
    // And the check sees it where it is: the development build has it.
    assert!(linked("volost").contains("volost-sim"));
    let toml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let deb = toml.split("[package.metadata.deb]").nth(1).unwrap();
    let deb = deb.split("\n[").next().unwrap();
    assert!(
        deb.contains("default-features = false"),
        "the .deb is built with the demo: {deb}"
    );
}

/// What the core must not link: the crypto, XML, HTTP, SSH and the async runtime are the
/// adapters' and the daemon's. A signer, an XML parser or a socket in the core would be
/// something slow or foreign inside the rules (and inside their write transactions).
const NOT_IN_CORE: &[&str] = &[
    "openssl",
    "openssl-sys",
    "quick-xml",
    "libxml",
    "axum",
    "hyper",
    "reqwest",
    "ssh2",
    "tokio",
];

#[test]
fn the_core_links_no_crypto_xml_network_or_runtime() {
    let core = linked("volost-core");
    let bad: Vec<&&str> = NOT_IN_CORE.iter().filter(|c| core.contains(**c)).collect();
    assert!(bad.is_empty(), "volost-core links {bad:?}");
    assert!(core.contains("redb"), "the core's graph is read: {core:?}");
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
    // The core made to lean on the SMEV adapter's package is caught too.
    let mut bent = g.clone();
    bent.get_mut("volost-core")
        .unwrap()
        .insert("volost-smev".into());
    assert_eq!(violations(&bent), vec!["volost-core -> volost-smev"]);
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

/// A crate's source files: module path (segments) to file.
fn modules(root: &std::path::Path, skip: &[&str]) -> BTreeMap<Vec<String>, std::path::PathBuf> {
    fn walk(
        dir: &std::path::Path,
        at: Vec<String>,
        out: &mut Vec<(Vec<String>, std::path::PathBuf)>,
    ) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                let mut m = at.clone();
                m.push(name);
                walk(&p, m, out);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                let mut m = at.clone();
                if !matches!(stem, "mod" | "lib" | "main") {
                    m.push(stem.to_string());
                }
                out.push((m, p));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, Vec::new(), &mut out);
    out.into_iter()
        .filter(|(m, p)| {
            !skip.iter().any(|s| m.first().is_some_and(|f| f == s))
                && p.file_name().is_some_and(|n| n != "main.rs")
        })
        .collect()
}

/// The files a file names through `crate::` and `super::` paths in its own `use` lines and
/// code (re-exports, `pub use`, are how a module shows what it holds, not what it needs).
fn file_edges(
    mods: &BTreeMap<Vec<String>, std::path::PathBuf>,
) -> BTreeMap<std::path::PathBuf, BTreeSet<std::path::PathBuf>> {
    let ident = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut out = BTreeMap::new();
    for (m, file) in mods {
        let text = std::fs::read_to_string(file).unwrap();
        // A module's tests come last; their `super::*` names the module itself, and what
        // they use is not what the module needs.
        let text = text.split("\n#[cfg(test)]").next().unwrap_or_default();
        let here: Vec<String> = if file
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            m.clone()
        } else {
            m[..m.len() - 1].to_vec()
        };
        let mut deps = BTreeSet::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("//")
                || line.starts_with("pub use")
                || line.starts_with("pub(crate) use")
            {
                continue;
            }
            for (prefix, base) in [
                ("crate::", Vec::new()),
                ("super::", here[..here.len().saturating_sub(1)].to_vec()),
            ] {
                let mut rest = line;
                while let Some(i) = rest.find(prefix) {
                    let before = rest[..i].chars().last();
                    rest = &rest[i + prefix.len()..];
                    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                        continue;
                    }
                    // `super::` from a file that is not a module root starts at its folder.
                    let mut path = if prefix == "super::"
                        && !file.ends_with("mod.rs")
                        && !file.ends_with("lib.rs")
                    {
                        here.clone()
                    } else {
                        base.clone()
                    };
                    let mut segs = rest.split("::");
                    // The longest run of module names that is a file.
                    let mut best = mods.get(&path).cloned();
                    for s in segs.by_ref() {
                        let s: String = s
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !ident(&s) {
                            break;
                        }
                        path.push(s);
                        match mods.get(&path) {
                            Some(f) => best = Some(f.clone()),
                            None => break,
                        }
                    }
                    if let Some(f) = best
                        && &f != file
                    {
                        deps.insert(f);
                    }
                }
            }
        }
        out.insert(file.clone(), deps);
    }
    out
}

/// Strongly connected components of more than one file (Tarjan).
fn circles(
    g: &BTreeMap<std::path::PathBuf, BTreeSet<std::path::PathBuf>>,
) -> Vec<Vec<std::path::PathBuf>> {
    struct T<'a> {
        g: &'a BTreeMap<std::path::PathBuf, BTreeSet<std::path::PathBuf>>,
        index: BTreeMap<&'a std::path::PathBuf, usize>,
        low: BTreeMap<&'a std::path::PathBuf, usize>,
        stack: Vec<&'a std::path::PathBuf>,
        on: BTreeSet<&'a std::path::PathBuf>,
        out: Vec<Vec<std::path::PathBuf>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a std::path::PathBuf) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let Some((w, _)) = t.g.get_key_value(w) else {
                continue;
            };
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut c = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                c.push(w.clone());
                if w == v {
                    break;
                }
            }
            if c.len() > 1 {
                c.sort();
                t.out.push(c);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_import_circle_crosses_folders() {
    // The workspace's root: this package is crates/volost.
    let root = &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = &root.canonicalize().unwrap();
    let mut crossing = Vec::new();
    // The core (src/ without the binary's own files), the TUI and the crates.
    let binary = ["cli", "console_setup", "calendar_cmd", "demo_cmd"];
    for (dir, skip) in [
        ("crates/volost/src", &binary[..]),
        ("crates/tui/src", &[][..]),
        ("crates/api/src", &[][..]),
        ("crates/domain/src", &[][..]),
        ("crates/config/src", &[][..]),
        ("crates/store/src", &[][..]),
        ("crates/core/src", &[][..]),
        ("crates/smev/src", &[][..]),
        ("crates/daemon/src", &[][..]),
        ("crates/sim/src", &[][..]),
    ] {
        let mods = modules(&root.join(dir), skip);
        let edges = file_edges(&mods);
        if dir == "crates/core/src" {
            // The check sees edges, and bites: the catalog made to lean on the service layer
            // (which uses it) is a circle across folders.
            let (store, service) = (
                root.join("crates/core/src/catalog/mod.rs"),
                root.join("crates/core/src/service/admin.rs"),
            );
            assert!(edges[&service].contains(&store), "{:?}", edges[&service]);
            let mut bent = edges.clone();
            bent.get_mut(&store).unwrap().insert(service.clone());
            assert!(
                circles(&bent)
                    .iter()
                    .any(|c| c.contains(&store) && c.contains(&service)),
                "an added circle was not seen"
            );
        }
        for c in circles(&edges) {
            let folders: BTreeSet<_> = c
                .iter()
                .map(|f| f.parent().unwrap().to_path_buf())
                .collect();
            if folders.len() > 1 {
                crossing.push(
                    c.iter()
                        .map(|f| f.strip_prefix(root).unwrap().display().to_string())
                        .collect::<Vec<_>>(),
                );
            }
        }
    }
    assert!(
        crossing.is_empty(),
        "import circles across folders: {crossing:#?}"
    );
}

#[test]
fn the_web_page_reaches_the_node_only_through_the_api() {
    // Every page is an API call (`Api::ask`): sessions, rights and the audit are the TUI's.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../daemon/src/web");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs") {
            seen += 1;
            let text = std::fs::read_to_string(&p).unwrap();
            for bad in [".node", "volost_core", "volost_store", "Node::"] {
                assert!(!text.contains(bad), "{} names {bad}", p.display());
            }
        }
    }
    assert!(
        seen >= 4,
        "the web page's files were not found in {}",
        dir.display()
    );
}
