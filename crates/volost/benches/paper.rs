//! `cargo bench --bench paper`: printed documents (issue 30), on one core.
//!
//! 1. The starter receipt rendered to PDF/A by the node's renderer (`volost-docs`, typst as a
//!    library): the first render in a process (fonts read, typst's library built), then
//!    renders of receipts of different applications, p50/p99.
//! 2. The registration journal of 500 applications (about 25 landscape pages).
//! 3. The peer: LibreOffice (`soffice --headless --convert-to pdf`) converting the same
//!    receipt written as HTML, one process per document, as a desk without the node would
//!    print it from a template; skipped (and said) where `soffice` is not installed.
//!
//! `VOLOST_BENCH_SECS` sets the length of the warm measurement (default 3 s).

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use volost::docs::{DEFAULT_FONTS, Renderer, starter};

mod common;
use common::{bench_secs, ms, samples, stats};

fn receipt(n: usize) -> Value {
    json!({
        "org": {"name": "Администрация Берёзовского сельсовета Заречного района Алтайского края", "oktmo": "01601402", "ogrn": "1022200000000", "inn": "2201000000"},
        "number": format!("2026-{n:06}"),
        "registered": "07.12.2026",
        "source": "Личный приём",
        "applicant": {"name": "Иванова Мария Сергеевна", "organisation": false, "passport": "0104 123456", "address": "с. Берёзовка, ул. Центральная, д. 5", "phone": null},
        "service": {"code": "2200000000163001001", "name": "Выдача выписки из похозяйственной книги", "deadline_days": 5},
        "documents": [
            {"name": "Заявление о выдаче выписки из похозяйственной книги", "original": true, "copies": 1, "sheets": 1},
            {"name": "Документ, удостоверяющий личность заявителя", "original": false, "copies": 1, "sheets": 2},
            {"name": "Документ, подтверждающий полномочия представителя заявителя", "original": false, "copies": 1, "sheets": 1},
        ],
        "count": 3,
        "sheets": 4,
        "due": "14.12.2026",
        "access_code": format!("{:04} 5678 9012", n % 10_000),
        "accepted_by": {"name": "Петрова Анна Ивановна", "short": "Петрова А. И."},
    })
}

fn journal(rows: usize) -> Value {
    let rows: Vec<Value> = (1..=rows)
        .map(|i| json!({
            "number": format!("2026-{i:06}"), "received": "01.12.2026",
            "applicant": "Иванова Мария Сергеевна", "service": "Выдача выписки из похозяйственной книги",
            "source": "Личный приём", "due": "08.12.2026", "status": "Зарегистрировано",
        }))
        .collect();
    json!({"org": {"name": "Администрация Берёзовского сельсовета", "oktmo": "", "ogrn": "", "inn": ""},
           "from": "01.01.2026", "to": "31.12.2026", "count": rows.len(), "rows": rows})
}

/// The same receipt as HTML, for LibreOffice.
fn receipt_html(d: &Value) -> String {
    let rows: String = d["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                r["name"].as_str().unwrap_or(""),
                if r["original"].as_bool().unwrap_or(false) {
                    "подлинник"
                } else {
                    "копия"
                },
                r["copies"],
                r["sheets"]
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><style>body{{font-family:"PT Serif";font-size:12pt}} table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #000;padding:4px}}</style></head><body>
<p align="center"><b>{org}</b></p><p align="center"><b>РАСПИСКА</b><br>в получении документов</p>
<p>Заявление № <b>{number}</b> от {registered} ({source}).</p><p>Заявитель: {name}, документ, удостоверяющий личность: {passport}, адрес: {address}.</p>
<p>Услуга: {service}.</p><p><b>Опись принятых документов</b></p>
<table><tr><th>№</th><th>Наименование документа</th><th>Подлинник / копия</th><th>Экз.</th><th>Листов</th></tr>{rows}</table>
<p>Всего принято документов: {count}, листов: {sheets}.</p><p>Срок предоставления услуги: 5 рабочих дней со дня регистрации — до <b>{due}</b> включительно.</p>
<p style="border:1px solid #000;padding:8px">Код доступа к сведениям о ходе рассмотрения заявления: <b>{code}</b><br>Узнать, как идёт рассмотрение заявления, можно в администрации лично или по телефону, назвав номер заявления и код доступа.</p>
<table style="border:none"><tr><td style="border:none">Документы принял:</td><td style="border:none">____________ /{clerk}/</td></tr><tr><td style="border:none">Расписку получил:</td><td style="border:none">____________ /{name}/</td></tr></table>
</body></html>"#,
        org = d["org"]["name"].as_str().unwrap_or(""),
        number = d["number"].as_str().unwrap_or(""),
        registered = d["registered"].as_str().unwrap_or(""),
        source = d["source"].as_str().unwrap_or(""),
        name = d["applicant"]["name"].as_str().unwrap_or(""),
        passport = d["applicant"]["passport"].as_str().unwrap_or(""),
        address = d["applicant"]["address"].as_str().unwrap_or(""),
        service = d["service"]["name"].as_str().unwrap_or(""),
        count = d["count"],
        sheets = d["sheets"],
        due = d["due"].as_str().unwrap_or(""),
        code = d["access_code"].as_str().unwrap_or(""),
        clerk = d["accepted_by"]["short"].as_str().unwrap_or(""),
    )
}

fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn main() {
    let day = time::macros::date!(2026 - 12 - 07);
    let t = Instant::now();
    let r = Renderer::new(Path::new(DEFAULT_FONTS)).expect("fonts-paratype");
    let tpl = starter("receipt").expect("the receipt");
    let first = r.render(tpl, &receipt(1), day, "1").expect("renders");
    let cold = t.elapsed();
    println!(
        "receipt, first in the process (fonts read, typst's library built): {} ({} bytes)",
        ms(cold),
        first.len()
    );
    let mut n = 1;
    let s = stats(samples(bench_secs(3), || {
        n += 1;
        let pdf = r
            .render(tpl, &receipt(n), day, &n.to_string())
            .expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
    }));
    println!(
        "receipt, each of another application: n = {}, p50 {}, p99 {}, max {}",
        s.n,
        ms(s.p50),
        ms(s.p99),
        ms(s.max)
    );
    let jt = starter("journal").expect("the journal");
    let j: Vec<Duration> = (0..3)
        .map(|i| {
            let t = Instant::now();
            r.render(jt, &journal(500), day, &format!("j{i}"))
                .expect("renders");
            t.elapsed()
        })
        .collect();
    println!(
        "journal of 500 applications: median of 3 {}",
        ms(stats(j).p50)
    );

    let Some(lo) = soffice() else {
        println!("peer: LibreOffice is not installed here (soffice): not measured");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("receipt.html");
    std::fs::write(&html, receipt_html(&receipt(1))).expect("write");
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.path().display());
    let runs: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let out = Command::new(lo)
                .args([
                    &profile,
                    "--headless",
                    "--convert-to",
                    "pdf:writer_pdf_Export",
                    "--outdir",
                ])
                .arg(dir.path())
                .arg(&html)
                .output()
                .expect("soffice");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            t.elapsed()
        })
        .collect();
    let lo_p50 = stats(runs).p50;
    let pdf = std::fs::read(dir.path().join("receipt.pdf")).expect("LibreOffice's PDF");
    println!(
        "peer: LibreOffice converting the same receipt (HTML → PDF), a process per document: median of 5 {} ({} bytes); the node's warm render is {:.0}× faster, its first render {:.1}×",
        ms(lo_p50),
        pdf.len(),
        lo_p50.as_secs_f64() / s.p50.as_secs_f64(),
        lo_p50.as_secs_f64() / cold.as_secs_f64()
    );
}
