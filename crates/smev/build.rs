//! Embeds the starter catalog's kind packages (`kinds/` at the workspace's root): the node
//! installs them when it is made, and `volost smev business` maps with them. Each file is
//! `include_bytes!`ed, so a change to one rebuilds the crate; a new or removed file is seen
//! through the folder's rerun mark.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir.join(rel))
        .unwrap_or_else(|e| panic!("kinds/{rel}: {e}"))
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        println!("cargo:rerun-if-changed={}", e.path().display());
        if e.path().is_dir() {
            files(dir, &path, out);
        } else {
            out.push((path, e.path()));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let kinds = manifest.join("../../kinds");
    println!("cargo:rerun-if-changed={}", kinds.display());
    let mut packages: Vec<_> = std::fs::read_dir(&kinds)
        .unwrap_or_else(|e| panic!("{}: {e}", kinds.display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().join("kind.toml").is_file())
        .collect();
    packages.sort_by_key(|e| e.file_name());
    let mut src = String::from("&[\n");
    for p in packages {
        let code = p.file_name().to_string_lossy().into_owned();
        let mut list = Vec::new();
        files(&kinds, &code, &mut list);
        let _ = writeln!(src, "    ({code:?}, &[");
        for (rel, abs) in list {
            let inner = rel
                .strip_prefix(&format!("{code}/"))
                .unwrap_or(&rel)
                .to_string();
            let _ = writeln!(
                src,
                "        ({inner:?}, include_bytes!({:?})),",
                abs.display().to_string()
            );
        }
        src.push_str("    ]),\n");
    }
    src.push(']');
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("starter_kinds.rs");
    std::fs::write(out, src).unwrap_or_else(|e| panic!("starter_kinds.rs: {e}"));
}
