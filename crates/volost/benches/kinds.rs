//! `cargo bench --bench kinds`: the agencies' schemas at work (issue 29), on one core.
//!
//! 1. For each starter kind with a mapping: the request made from its package's sample form
//!    and validated against the agency's schema (`Kinds::request`: what «Отправить» does
//!    before its write), per second and p99; beside `xmllint --noout --schema` on the same
//!    document, one process per document as support would run it (its start and the
//!    schema's compile included), and the schema's compile alone (what a thread of the node
//!    pays once, on its first request of the kind).
//! 2. A 1 MB answer (ЗАГС, 143 records of a birth): checked against the schema and read into
//!    the card's lines (`check_answer` + `answer_view`), beside `xmllint` on it.
//!
//! `VOLOST_BENCH_SECS` sets each measurement's length (default 3 s).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use volost::domain::{Org, OrgId};
use volost::service::{Packages, RequestContext};
use volost::smev::kinds::{Kinds, starter};

mod common;
use common::{bench_secs, ms, ratio, samples, stats};

/// `xmllint --noout --schema` on `file`, `n` times: the median run.
fn xmllint(schema: &Path, file: &Path, n: usize) -> Duration {
    let runs: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            let out = Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(schema)
                .arg(file)
                .output()
                .expect("xmllint (libxml2-utils)");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            t.elapsed()
        })
        .collect();
    stats(runs).p50
}

fn file(files: &[(&str, &[u8])], path: &str) -> Option<Vec<u8>> {
    files
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, d)| d.to_vec())
}

fn main() {
    let d = bench_secs(3);
    let tmp = tempfile::tempdir().expect("tempdir");
    let kinds = Kinds::new(&tmp.path().join("kinds")).expect("kinds");
    let body = Org {
        id: OrgId(1),
        name: "Администрация Петропавловского сельсовета".into(),
        short_name: String::new(),
        oktmo: "01634412".into(),
        ogrn: "1022200000019".into(),
        inn: "2234000017".into(),
        kpp: "223401001".into(),
        registered: Some(time::macros::date!(2002 - 12 - 18)),
        contacts: String::new(),
    };
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>12} {:>12} {:>8}",
        "kind", "req/s", "p50", "p99", "compile", "xmllint", "ratio"
    );
    for (code, files) in starter::PACKAGES {
        kinds.load(&starter::package_files(files)).expect("package");
        let Some(form) = file(files, "samples/form.json") else {
            continue;
        };
        let form: BTreeMap<String, String> = serde_json::from_slice(&form).expect("form");
        let cx = RequestContext {
            number: "МВ-2026-000001",
            now: time::macros::datetime!(2026-12-07 10:30 +7),
            body: &body,
        };
        let mut xml = String::new();
        let all = samples(d, || {
            xml = kinds
                .request(code, &form, &cx, false)
                .expect("request")
                .business;
        });
        let s = stats(all.clone());
        let per_sec = all.len() as f64 / all.iter().sum::<Duration>().as_secs_f64();
        let l = kinds.get(code).expect("loaded");
        let compile = stats(samples(d.min(Duration::from_secs(1)), || {
            l.package.schema().expect("schema");
        }))
        .p50;
        let doc = tmp.path().join(format!("{code}.xml"));
        std::fs::write(&doc, &xml).expect("write");
        let schema = l.package.dir.join(&l.package.description.schema);
        let lint = xmllint(&schema, &doc, 20);
        println!(
            "{:<16} {:>10.0} {:>10} {:>10} {:>12} {:>12} {:>8}",
            code,
            per_sec,
            ms(s.p50),
            ms(s.p99),
            ms(compile),
            ms(lint),
            ratio(lint.as_secs_f64(), s.p50.as_secs_f64())
        );
    }

    // A 1 MB answer: the ЗАГС sample's record repeated.
    let (_, files) = starter::PACKAGES
        .iter()
        .find(|(c, _)| *c == "zags_birth")
        .expect("zags_birth");
    let sample =
        String::from_utf8(file(files, "samples/answer.xml").expect("answer")).expect("utf-8");
    let (open, close) = ("<ns1:СведОтветАГС", "</ns1:СведОтветАГС>");
    let a = sample.find(open).expect("record");
    let b = sample.find(close).expect("record's end") + close.len();
    let record = &sample[a..b];
    let n = (1 << 20) / record.len() + 1;
    let big = format!("{}{}{}", &sample[..a], record.repeat(n), &sample[b..]);
    let l = kinds.get("zags_birth").expect("loaded");
    // Parsed as the message it came in was, before the worker asks the packages.
    let element = volost::smev::xml::parse(&big).expect("parse");
    let mut lines = 0;
    let read = stats(samples(d, || {
        let c = kinds
            .check_answer(&element, big.as_bytes())
            .expect("a package's answer");
        assert!(c.problem.is_none(), "{:?}", c.problem);
        lines = kinds
            .answer_view("zags_birth", big.as_bytes())
            .expect("read")
            .lines
            .len();
    }));
    let doc = tmp.path().join("big-answer.xml");
    std::fs::write(&doc, &big).expect("write");
    let schema = l.package.dir.join(&l.package.description.schema);
    let lint = xmllint(&schema, &doc, 10);
    println!(
        "\n1 MB answer ({} bytes, {n} records, {lines} lines): checked and read p50 {}, p99 {}; \
         xmllint {}; ratio {}",
        big.len(),
        ms(read.p50),
        ms(read.p99),
        ms(lint),
        ratio(lint.as_secs_f64(), read.p50.as_secs_f64())
    );
}
