#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use serde_json::json;
use time::macros::date;

fn renderer() -> Renderer {
    Renderer::new(Path::new(DEFAULT_FONTS)).expect("fonts-paratype is installed")
}

/// The text of a PDF as poppler reads it (the tests need `poppler-utils`).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("volost-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.pdf", pdf.len()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_template_with_its_data_is_a_pdf_whose_text_reads_back() {
    let r = renderer();
    assert!(
        r.families().iter().any(|f| f == "PT Serif"),
        "{:?}",
        r.families()
    );
    let t = r#"#let d = json("data.json")
#set text(font: "PT Serif", lang: "ru")
= Расписка № #d.number
Принято от #d.who, #datetime.today().display("[day].[month].[year]").
"#;
    let pdf = r
        .render(
            t,
            &json!({"number": "2026-000123", "who": "Иванова Мария Сергеевна"}),
            date!(2026 - 12 - 07),
            "2026-000123/receipt",
        )
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    assert!(text.contains("Расписка № 2026-000123"), "{text}");
    assert!(
        text.contains("Иванова Мария Сергеевна, 07.12.2026"),
        "{text}"
    );
    // The same document again is the same bytes: nothing of the clock or the machine in it.
    let again = r
        .render(
            t,
            &json!({"number": "2026-000123", "who": "Иванова Мария Сергеевна"}),
            date!(2026 - 12 - 07),
            "2026-000123/receipt",
        )
        .unwrap();
    assert_eq!(pdf, again);
}

#[test]
fn a_template_error_names_its_line() {
    let r = renderer();
    let t = "#let d = json(\"data.json\")\nПервая строка\n\n#d.nosuchfield\n";
    let e = r
        .check(t, &json!({"number": "1"}), date!(2026 - 12 - 07))
        .unwrap_err();
    match &e {
        DocError::Template { line, message } => {
            assert_eq!(*line, Some(4), "{message}");
            assert!(message.contains("nosuchfield"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.russian().starts_with("Ошибка в шаблоне, строка 4: "),
        "{}",
        e.russian()
    );
    // A syntax error too.
    let e = r
        .check(
            "= Заголовок\n#let x = (\n",
            &json!({}),
            date!(2026 - 12 - 07),
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            DocError::Template {
                line: Some(2 | 3),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_template_reads_nothing_but_its_data() {
    let r = renderer();
    for t in [
        "#read(\"/etc/passwd\")",
        "#read(\"../../../../etc/passwd\")",
        "#image(\"/var/lib/volost/volost.redb\")",
        "#import \"@preview/tablex:0.0.8\": *",
    ] {
        let e = r.check(t, &json!({}), date!(2026 - 12 - 07)).unwrap_err();
        assert!(
            matches!(e, DocError::Template { line: Some(1), .. }),
            "{t}: {e:?}"
        );
    }
}

#[test]
fn a_template_that_runs_away_is_refused() {
    let r = renderer();
    let e = r
        .check(
            "#for i in range(2000) [#i #pagebreak()]",
            &json!({}),
            date!(2026 - 12 - 07),
        )
        .unwrap_err();
    assert!(matches!(e, DocError::TooLarge(_)), "{e:?}");
    let e = r
        .check("#while true {}", &json!({}), date!(2026 - 12 - 07))
        .unwrap_err();
    assert!(
        matches!(e, DocError::Template { line: Some(1), .. }),
        "{e:?}"
    );
    let big = "x".repeat(MAX_TEMPLATE + 1);
    assert!(matches!(
        r.check(&big, &json!({}), date!(2026 - 12 - 07)),
        Err(DocError::TooLarge(_))
    ));
}

#[test]
fn no_fonts_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("volost-nofonts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = Renderer::new(&dir).err().unwrap();
    assert!(e.russian().contains("fonts-paratype"), "{}", e.russian());
    assert!(Renderer::new(Path::new("/nonexistent/fonts")).is_err());
}

/// The receipt's data as the core gives it (`volost_core`'s `documents.rs`).
fn receipt_data() -> serde_json::Value {
    json!({
        "org": {"name": "Администрация Берёзовского сельсовета", "oktmo": "01601402", "ogrn": "1022200000000", "inn": "2201000000",
                "contacts": "659000, с. Берёзовка, ул. Центральная, д. 1; тел. (38535) 2-12-34"},
        "number": "2026-000123",
        "registered": "07.12.2026",
        "source": "Личный приём",
        "applicant": {"name": "Иванова Мария Сергеевна", "organisation": false, "passport": "0104 123456", "address": "с. Берёзовка, ул. Центральная, д. 5", "phone": null},
        "service": {"code": "2200000000163001001", "name": "Выдача выписки из похозяйственной книги", "deadline_days": 5},
        "documents": [
            {"name": "Заявление о выдаче выписки из похозяйственной книги", "original": true, "copies": 1, "sheets": 1},
            {"name": "Документ, удостоверяющий личность заявителя", "original": false, "copies": 1, "sheets": 2},
        ],
        "count": 2,
        "sheets": 3,
        "due": "14.12.2026",
        "access_code": "1234 5678 9012",
        "accepted_by": {"name": "Петрова Анна Ивановна", "short": "Петрова А. И."},
    })
}

#[test]
fn the_starter_receipt_carries_the_number_the_documents_and_the_access_code() {
    let r = renderer();
    let t = starter("receipt").unwrap();
    let pdf = r
        .render(
            t,
            &receipt_data(),
            date!(2026 - 12 - 07),
            "2026-000123/receipt",
        )
        .unwrap();
    let text = pdf_text(&pdf);
    // pdftotext's layout keeps lines; words are checked, not the spacing between them.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "РАСПИСКА",
        "Заявление № 2026-000123 от 07.12.2026",
        "Иванова Мария Сергеевна",
        "Выдача выписки из похозяйственной книги",
        "Документ, удостоверяющий личность заявителя",
        "копия",
        "Всего принято документов: 2, листов: 3.",
        "до 14.12.2026 включительно",
        "1234 5678 9012",
        "/Петрова А. И./",
        "Администрация: 659000, с. Берёзовка, ул. Центральная, д. 1; тел. (38535) 2-12-34.",
    ] {
        assert!(flat.contains(want), "{want:?} not in:\n{text}");
    }
    // A receipt of a registered application without a due date (an old one) still renders.
    let mut d = receipt_data();
    d["due"] = serde_json::Value::Null;
    d["accepted_by"] = serde_json::Value::Null;
    d["applicant"]["passport"] = serde_json::Value::Null;
    let text = pdf_text(&r.render(t, &d, date!(2026 - 12 - 07), "x").unwrap());
    assert!(!text.contains("включительно"), "{text}");
}

/// Writes the starter receipt to `VOLOST_DOCS_OUT` when set, for a look at the page.
#[test]
fn write_the_receipt_for_a_look() {
    if let Ok(out) = std::env::var("VOLOST_DOCS_OUT") {
        let pdf = renderer()
            .render(
                starter("receipt").unwrap(),
                &receipt_data(),
                date!(2026 - 12 - 07),
                "x",
            )
            .unwrap();
        std::fs::write(out, pdf).unwrap();
    }
}

#[test]
fn every_starter_template_renders() {
    let r = renderer();
    for code in [
        "receipt",
        "journal",
        "refusal",
        "request",
        "result",
        "address_refusal",
        "household_land",
        "redevelopment",
        "housing_commission",
    ] {
        assert!(starter(code).is_some(), "{code}");
    }
    let request = json!({
        "org": {"name": "Администрация Берёзовского сельсовета", "oktmo": "", "ogrn": "", "inn": "", "contacts": ""},
        "agency": "Отделение СФР по Алтайскому краю", "kind": "Сведения о СНИЛС",
        "number": "МВ-2026-000007", "day": "08.12.2026", "application": null, "service": null,
        "fields": [{"label": "Фамилия", "value": "Иванова"}],
        "prepared_by": null,
    });
    let text = pdf_text(
        &r.render(
            starter("request").unwrap(),
            &request,
            date!(2026 - 12 - 08),
            "q",
        )
        .unwrap(),
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "МЕЖВЕДОМСТВЕННЫЙ ЗАПРОС",
        "МВ-2026-000007",
        "Отделение СФР",
        "Фамилия Иванова",
        "статьёй 7.1",
    ] {
        assert!(flat.contains(want), "{want:?} not in:\n{text}");
    }
    let refusal = json!({
        "org": {"name": "Администрация Берёзовского сельсовета", "oktmo": "", "ogrn": "", "inn": ""},
        "number": "2026-000124", "day": "08.12.2026",
        "applicant": {"name": "Иванова Мария Сергеевна", "organisation": false, "passport": null, "address": "с. Берёзовка, ул. Центральная, д. 5", "phone": null},
        "service": {"code": "1", "name": "Выдача выписки из похозяйственной книги", "deadline_days": 5, "regulation": ""},
        "documents": [],
        "reasons": "Документ, удостоверяющий личность, не представлен.\nЗаявление не подписано.",
        "refused_by": null,
    });
    let text = pdf_text(
        &r.render(
            starter("refusal").unwrap(),
            &refusal,
            date!(2026 - 12 - 08),
            "r",
        )
        .unwrap(),
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "УВЕДОМЛЕНИЕ",
        "заявление № 2026-000124",
        "Документ, удостоверяющий личность, не представлен.",
        "Заявление не подписано.",
        "210-ФЗ",
    ] {
        assert!(flat.contains(want), "{want:?} not in:\n{text}");
    }
    assert!(
        !flat.contains("Представленные документы"),
        "no inventory, no table"
    );
    let journal = json!({
        "org": {"name": "Администрация Берёзовского сельсовета", "oktmo": "", "ogrn": "", "inn": ""},
        "from": "01.12.2026", "to": "31.12.2026", "count": 1,
        "rows": [{"number": "2026-000123", "received": "01.12.2026", "applicant": "Иванова Мария Сергеевна",
                  "service": "Выдача выписки из похозяйственной книги", "source": "Личный приём",
                  "due": null, "status": "Зарегистрировано"}],
    });
    let text = pdf_text(
        &r.render(
            starter("journal").unwrap(),
            &journal,
            date!(2026 - 12 - 31),
            "j",
        )
        .unwrap(),
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("ЖУРНАЛ РЕГИСТРАЦИИ ЗАЯВЛЕНИЙ")
            && flat.contains("2026-000123")
            && flat.contains("Лист 1"),
        "{text}"
    );
}

/// The common result document, with no decision and no preparer (the optional parts left
/// out), and a refusal's with both; `VOLOST_DOCS_OUT` keeps the refusal's for a look.
#[test]
fn the_starter_result_document_carries_the_result_and_the_text() {
    let r = renderer();
    let mut data = json!({
        "org": {"name": "Администрация Берёзовского сельсовета", "oktmo": "", "ogrn": "", "inn": "", "contacts": ""},
        "number": "2026-000124", "registered": "01.12.2026", "day": "08.12.2026",
        "applicant": {"name": "Иванова Мария Сергеевна", "organisation": false, "passport": null, "address": "с. Берёзовка, ул. Центральная, д. 5", "phone": null},
        "service": {"code": "2200000000163001004", "name": "Выдача разрешения на снос (вырубку) зелёных насаждений", "deadline_days": 10, "regulation": ""},
        "result": {"number": 1, "name": "Порубочный билет"},
        "text": "Разрешается снос двух берёз по ул. Центральной, д. 5.\nСрок действия — до 31.12.2026.",
        "decision": null, "prepared_by": null, "form": null,
    });
    let text = pdf_text(
        &r.render(
            starter("result").unwrap(),
            &data,
            date!(2026 - 12 - 08),
            "p",
        )
        .unwrap(),
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "ПОРУБОЧНЫЙ БИЛЕТ",
        "№ 2026-000124 от 01.12.2026",
        "двух берёз",
        "Срок действия — до 31.12.2026.",
        "Глава сельсовета",
    ] {
        assert!(flat.contains(want), "{want:?} not in:\n{text}");
    }
    assert!(
        !flat.contains("210-ФЗ"),
        "an approval names no appeal: {text}"
    );
    data["result"] =
        json!({"number": 2, "name": "Мотивированный отказ в выдаче порубочного билета"});
    data["text"] = json!(
        "Насаждения расположены на земельном участке, не находящемся в муниципальной собственности."
    );
    data["decision"] = json!({"verdict": "refuse", "label": "Отказ", "reason": "", "by": null, "day": "07.12.2026"});
    data["prepared_by"] = json!({"name": "Петрова Анна Ивановна", "short": "Петрова А. И.", "position": "Специалист 1 категории", "phone": "(38500) 2-00-00"});
    let pdf = r
        .render(
            starter("result").unwrap(),
            &data,
            date!(2026 - 12 - 08),
            "p",
        )
        .unwrap();
    let flat = pdf_text(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "МОТИВИРОВАННЫЙ ОТКАЗ",
        "210-ФЗ",
        "Исп.: Петрова Анна Ивановна, Специалист 1 категории",
    ] {
        assert!(flat.contains(want), "{want:?} not in:\n{flat}");
    }
    if let Ok(out) = std::env::var("VOLOST_DOCS_OUT") {
        // The receipt's file, and this one beside it.
        std::fs::write(std::path::Path::new(&out).with_file_name("result.pdf"), pdf).unwrap();
    }
}
