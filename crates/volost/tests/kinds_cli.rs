//! `volost smev business` as an administrator or support runs it: the business XML of each
//! starter kind, made from its package's sample form or from a form file, checked here by
//! `xmllint --schema` against the agency's schema; refusals in Russian with exit status 1.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn volost(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_volost"))
        .args(args)
        .output()
        .unwrap()
}

fn kinds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kinds")
}

/// The main schema a package names in its kind.toml.
fn main_schema(code: &str) -> PathBuf {
    let t = std::fs::read_to_string(kinds().join(code).join("kind.toml")).unwrap();
    let line = t.lines().find(|l| l.starts_with("schema = ")).unwrap();
    kinds()
        .join(code)
        .join(line.trim_start_matches("schema = ").trim_matches('"'))
}

#[test]
fn each_kind_s_example_validates_against_the_agency_s_schema() {
    let tmp = tempfile::tempdir().unwrap();
    for code in [
        "egrn_extract",
        "egrn_land_plot",
        "fns_egrul",
        "mvd_residence",
        "mvd_stay",
        "sfr_snils",
        "sfr_pensions",
        "fri_disability",
        "zags_birth",
        "zags_death",
    ] {
        let out = volost(&["smev", "business", "--kind", code, "--example"]);
        assert!(
            out.status.success(),
            "{code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let file = tmp.path().join(format!("{code}.xml"));
        std::fs::write(&file, &out.stdout).unwrap();
        let check = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(main_schema(code))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{code}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    // Росреестр's documents, each against its own schema.
    for code in ["egrn_extract", "egrn_land_plot"] {
        let docs = tmp.path().join(code);
        let out = volost(&[
            "smev",
            "business",
            "--kind",
            code,
            "--example",
            "--documents",
            docs.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (doc, schema) in [
            ("app_1.xml", "query/RequestEGRN_v01.xsd"),
            ("request.xml", "query/TRequest.xsd"),
        ] {
            let check = Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(kinds().join(code).join(schema))
                .arg(docs.join(doc))
                .output()
                .unwrap();
            assert!(
                check.status.success(),
                "{code} {doc}: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}

/// `volost smev business --kind KIND --form FILE` on a form file holding `json`: its
/// status code, stdout and stderr.
fn business(kind: &str, form: &Path, json: &str) -> (Option<i32>, String, String) {
    std::fs::write(form, json).unwrap();
    let out = volost(&[
        "smev",
        "business",
        "--kind",
        kind,
        "--form",
        form.to_str().unwrap(),
    ]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_form_file_is_mapped_and_what_the_agency_would_refuse_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let form = tmp.path().join("form.json");
    let (code, xml, err) = business("fns_egrul", &form, r#"{"inn": "2235001234"}"#);
    assert_eq!(code, Some(0), "{err}");
    assert!(xml.contains("<ns1:ИННЮЛ>2235001234</ns1:ИННЮЛ>"), "{xml}");
    // An ОГРН of three digits: the schema wants thirteen. Staff read their field's label.
    let (code, _, err) = business("fns_egrul", &form, r#"{"ogrn": "123"}"#);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("ведомство не примет значение поля: «ОГРН юридического лица»"),
        "{err}"
    );
    // A passport without its date of issue, which МВД's schema needs.
    let (code, _, err) = business(
        "mvd_residence",
        &form,
        r#"{"last_name": "Петрова", "first_name": "Анна", "birth_date": "01.05.1980", "passport": "0104 123456"}"#,
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("«Дата выдачи паспорта»: ведомство требует заполнить"),
        "{err}"
    );
    // Not JSON; a kind the node has no package for.
    let (code, _, err) = business("fns_egrul", &form, "ОГРН 1022200000019");
    assert_eq!(code, Some(1));
    assert!(err.contains("ожидается объект JSON"), "{err}");
    let out = volost(&["smev", "business", "--kind", "household_book", "--example"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("нет среди пакетов узла"));
    // Росреестр's: the element, and the documents that travel zipped beside it, named.
    let out = volost(&["smev", "business", "--kind", "egrn_extract", "--example"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("<req:fileName>app_1.xml</req:fileName>")
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Во вложении request.zip: app_1.xml, request.xml"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_answer_is_printed_as_staff_see_it_and_another_kind_s_is_refused() {
    let answer = kinds().join("sfr_snils/samples/answer.xml");
    let out = volost(&[
        "smev",
        "answer",
        "--kind",
        "sfr_snils",
        answer.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // The schema's own labels.
    assert!(text.contains("  СНИЛС: 11223344595"), "{text}");
    assert!(text.contains("  Фамилия: Петрова"), "{text}");
    // Read for another kind: shown, but not this kind's answer.
    let out = volost(&[
        "smev",
        "answer",
        "--kind",
        "zags_birth",
        answer.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("корневой элемент"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("11223344595"));
}
