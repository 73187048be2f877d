//! Every input the fuzz targets have kept — the seed corpus in `fuzz/corpus/<target>/` and
//! each crash found, in `fuzz/regressions/<target>/` — run through the same checks
//! (`fuzz/checks.rs`) in `cargo test`, so a fixed finding stays fixed without the fuzzer.
#![allow(clippy::unwrap_used)]

#[path = "../../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

#[test]
fn every_kept_fuzz_input_passes_its_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut counts = Vec::new();
    for (target, check) in checks::TARGETS {
        let mut n = 0;
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
                continue;
            };
            for e in entries {
                let path = e.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let r = std::panic::catch_unwind(|| check(&data));
                assert!(r.is_ok(), "{target}: {} fails its check", path.display());
                n += 1;
            }
        }
        assert!(n > 0, "{target}: no inputs kept");
        counts.push(format!("{target} {n}"));
    }
    println!("fuzz inputs checked: {}", counts.join(", "));
}
