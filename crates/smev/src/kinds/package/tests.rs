//! The package's checks, on the starter catalog and on broken copies of it.
#![allow(clippy::unwrap_used)]
use super::*;

fn starter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kinds")
}

const CODES: [&str; 10] = [
    "fns_egrul",
    "egrn_extract",
    "egrn_land_plot",
    "mvd_residence",
    "mvd_stay",
    "sfr_snils",
    "sfr_pensions",
    "fri_disability",
    "zags_birth",
    "zags_death",
];

/// A copy of a starter package to spoil.
fn copy(code: &str, name: &str) -> PathBuf {
    fn cp(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let t = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                cp(&e.path(), &t);
            } else {
                std::fs::copy(e.path(), t).unwrap();
            }
        }
    }
    let dir = std::env::temp_dir().join(format!("volost-kind-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    cp(&starter().join(code), &dir);
    dir
}

#[test]
fn every_starter_package_opens() {
    for code in CODES {
        let p = Package::open(&starter().join(code)).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(p.description.code, code);
        // None of the ten ВС allows an Id on its root: the employee's signature could
        // not reference the request, so none asks for it.
        assert!(!p.description.personal_signature, "{code}");
        // Every kind maps its form; Росреестр's also make the documents that travel
        // zipped beside the element.
        assert!(p.description.mapping.is_some(), "{code}");
        assert_eq!(
            p.description.packet.is_some(),
            code.starts_with("egrn"),
            "{code}"
        );
    }
}

/// What the mapping makes of each sample form, checked by `xmllint --schema` too: the
/// same library, but the agency's schema read by another program than the node.
#[test]
fn each_mapped_sample_validates_with_xmllint_against_the_agency_s_schema() {
    let xmllint = |code: &str, schema: &Path, xml: &str| {
        let out = std::env::temp_dir().join(format!("volost-{code}-{}.xml", std::process::id()));
        std::fs::write(&out, xml).unwrap();
        let run = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(schema)
            .arg(&out)
            .output()
            .expect("xmllint (libxml2-utils) is installed");
        std::fs::remove_file(&out).unwrap();
        assert!(
            run.status.success(),
            "{code}: {}\n{xml}",
            String::from_utf8_lossy(&run.stderr)
        );
    };
    for code in CODES {
        let dir = starter().join(code);
        let p = Package::open(&dir).unwrap();
        let mut schema = p.schema().unwrap();
        let form: BTreeMap<String, String> =
            serde_json::from_slice(&std::fs::read(dir.join(SAMPLE_FORM)).unwrap()).unwrap();
        let body = sample_body();
        let mut guid = || uuid::Uuid::new_v4().to_string();
        let mut cx = Context {
            form: &form,
            now: time::macros::datetime!(2026-12-07 10:30 +7),
            body: &body,
            number: Some("2026-000001"),
            guid: &mut guid,
        };
        let xml = p.render(&mut schema, &mut cx).unwrap().unwrap();
        xmllint(code, &dir.join(&p.description.schema), &xml);
        // And each document of a packet against its own schema set.
        let templates = super::super::packet::templates(&p).unwrap();
        let docs = p.description.packet.iter().flat_map(|s| &s.documents);
        for (d, t) in docs.zip(&templates) {
            let mut schema = p.schema_at(&d.schema).unwrap();
            let xml = render_template(t, &mut schema, &mut cx).unwrap();
            xmllint(code, &dir.join(&d.schema), &xml);
        }
    }
}

#[test]
fn a_form_is_mapped_to_a_request_the_agency_s_schema_takes() {
    let p = Package::open(&starter().join("sfr_snils")).unwrap();
    let mut schema = p.schema().unwrap();
    let form: BTreeMap<String, String> = serde_json::from_slice(
        &std::fs::read(starter().join("sfr_snils").join(SAMPLE_FORM)).unwrap(),
    )
    .unwrap();
    let body = sample_body();
    let mut guid = || "g".to_string();
    let mut cx = Context {
        form: &form,
        now: time::macros::datetime!(2026-12-07 10:30 +7),
        body: &body,
        number: None,
        guid: &mut guid,
    };
    let xml = p.render(&mut schema, &mut cx).unwrap().unwrap();
    // The same request as the agency's own sample, built from the form.
    let sample = std::fs::read_to_string(starter().join("sfr_snils").join(SAMPLE_REQUEST)).unwrap();
    assert_eq!(
        crate::xml::parse(&xml).unwrap(),
        crate::xml::parse(&sample).unwrap()
    );
    // A passport without its date of issue: the agency's schema needs it.
    let mut f = form.clone();
    f.remove("passport_issued");
    cx.form = &f;
    assert!(matches!(
        p.render(&mut schema, &mut cx),
        Err(RenderError::Mapping(MappingError::Missing { field })) if field == "passport_issued"
    ));
    // A value the mapping passes on but the schema refuses: a patronymic in Latin;
    // staff are told which of their fields, by its label.
    let mut f = form.clone();
    f.insert("patronymic".into(), "Sergeevna".into());
    cx.form = &f;
    let e = p.render(&mut schema, &mut cx).unwrap_err();
    assert!(matches!(e, RenderError::Invalid(Invalid::Schema(_))));
    assert_eq!(
        p.refusal(&e),
        "ведомство не примет значение поля: «Отчество (при наличии)»; проверьте его"
    );
    let mut g = form.clone();
    g.remove("passport_issued");
    cx.form = &g;
    let e = p.render(&mut schema, &mut cx).unwrap_err();
    assert_eq!(
        p.refusal(&e),
        "«Дата выдачи паспорта»: ведомство требует заполнить"
    );
}

#[test]
fn an_answer_is_read_with_the_schema_s_labels_and_a_wrong_one_said_so() {
    let p = Package::open(&starter().join("sfr_snils")).unwrap();
    let mut schema = p.schema().unwrap();
    let xml = std::fs::read(starter().join("sfr_snils").join(SAMPLE_ANSWER)).unwrap();
    let a = p.read_answer(&mut schema, &xml).unwrap();
    assert_eq!(a.problem, None);
    let shown: Vec<(&str, &str)> = a
        .lines
        .iter()
        .map(|l| (l.label.as_str(), l.value.as_str()))
        .collect();
    assert!(shown.contains(&("СНИЛС", "11223344595")), "{shown:?}");
    assert!(shown.contains(&("Фамилия", "Петрова")), "{shown:?}");
    // Another kind's answer, and one the schema refuses: shown, with the reason.
    let other = p
        .read_answer(&mut schema, b"<a:X xmlns:a=\"urn:a\"/>")
        .unwrap();
    assert!(other.problem.unwrap().contains("корневой элемент"));
    let text = String::from_utf8(xml).unwrap();
    let bad = text.replace("11223344595", "112");
    let bad = p.read_answer(&mut schema, bad.as_bytes()).unwrap();
    assert!(bad.problem.unwrap().contains("не соответствует схеме"));
    assert!(p.read_answer(&mut schema, b"<unclosed>").is_err());
}

#[test]
fn a_changed_an_unlisted_or_a_missing_file_is_refused() {
    let dir = copy("sfr_snils", "changed");
    let xsd = dir.join("xsd/snils-by-additionalData-1.0.1.xsd");
    let text = std::fs::read_to_string(&xsd).unwrap();
    std::fs::write(&xsd, text.replacen("Gender", "Sex", 1)).unwrap();
    assert!(matches!(Package::open(&dir), Err(PackageError::Changed(p)) if p.ends_with(".xsd")));
    std::fs::write(&xsd, &text).unwrap();
    Package::open(&dir).unwrap();
    std::fs::write(dir.join("xsd/extra.xsd"), "<x/>").unwrap();
    assert!(matches!(Package::open(&dir), Err(PackageError::Unlisted(p)) if p == "xsd/extra.xsd"));
    std::fs::remove_file(dir.join("xsd/extra.xsd")).unwrap();
    std::fs::remove_file(dir.join("PROVENANCE.md")).unwrap();
    assert!(matches!(
        Package::open(&dir),
        Err(PackageError::Unreadable { path, .. }) if path == "PROVENANCE.md"
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Rewrites kind.toml: `edit` on its text, and the hash of `changed` set anew.
fn rewrite(dir: &Path, edit: impl Fn(String) -> String, changed: Option<&str>) {
    let mut t = edit(std::fs::read_to_string(dir.join(DESCRIPTION)).unwrap());
    if let Some(path) = changed {
        let h = sha256_hex(&std::fs::read(dir.join(path)).unwrap());
        let line = t
            .lines()
            .find(|l| l.starts_with(&format!("\"{path}\"")))
            .unwrap()
            .to_string();
        t = t.replace(&line, &format!("\"{path}\" = \"{h}\""));
    }
    std::fs::write(dir.join(DESCRIPTION), t).unwrap();
}

#[test]
fn a_sample_that_does_not_validate_or_a_root_the_schema_lacks_is_refused() {
    let dir = copy("zags_birth", "sample");
    let sample = dir.join(SAMPLE_REQUEST);
    let good = std::fs::read_to_string(&sample).unwrap();
    // A date as staff type it, where the schema wants xs:date.
    let bad = good.replacen(
        "<ns1:ДатаЗапис>2020-03-15<",
        "<ns1:ДатаЗапис>15.03.2020<",
        1,
    );
    assert_ne!(good, bad);
    std::fs::write(&sample, &bad).unwrap();
    rewrite(&dir, |t| t, Some(SAMPLE_REQUEST));
    match Package::open(&dir) {
        Err(PackageError::Sample { path, why }) => {
            assert_eq!(path, SAMPLE_REQUEST);
            assert!(why.contains("ДатаЗапис"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(&sample, &good).unwrap();
    rewrite(&dir, |t| t, Some(SAMPLE_REQUEST));
    Package::open(&dir).unwrap();
    rewrite(
        &dir,
        |t| {
            t.replace(
                "answer_root = \"ROGDINFResponse\"",
                "answer_root = \"Other\"",
            )
        },
        None,
    );
    assert!(
        matches!(Package::open(&dir), Err(PackageError::NoRoot { root, .. }) if root == "Other")
    );
    // ЭП-СП asked of a ВС whose root takes no Id.
    rewrite(
        &dir,
        |t| {
            t.replace(
                "answer_root = \"Other\"",
                "answer_root = \"ROGDINFResponse\"",
            )
            .replace("personal_signature = false", "personal_signature = true")
        },
        None,
    );
    assert!(matches!(
        Package::open(&dir),
        Err(PackageError::NoPersonalId(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_form_and_the_mapping_must_agree() {
    let dir = copy("sfr_snils", "form");
    let form = std::fs::read_to_string(dir.join(FORM)).unwrap();
    // A field the mapping puts nowhere.
    std::fs::write(
        dir.join(FORM),
        format!("{form}\n[[field]]\nkey = \"note\"\nlabel = \"Примечание\"\ntype = \"text\"\n"),
    )
    .unwrap();
    rewrite(&dir, |t| t, Some(FORM));
    assert!(matches!(Package::open(&dir), Err(PackageError::Form(m)) if m.contains("note")));
    // A field the mapping takes that the form lacks.
    let without = form.replace("key = \"passport_issuer\"", "key = \"issuer\"");
    std::fs::write(dir.join(FORM), without).unwrap();
    rewrite(&dir, |t| t, Some(FORM));
    assert!(matches!(Package::open(&dir), Err(PackageError::Form(_))));
    // A choice the mapping does not know.
    let more = form.replace(
        "choices = [\"Мужской\", \"Женский\"]",
        "choices = [\"Мужской\", \"Женский\", \"Иной\"]",
    );
    std::fs::write(dir.join(FORM), more).unwrap();
    rewrite(&dir, |t| t, Some(FORM));
    assert!(matches!(
        Package::open(&dir),
        Err(PackageError::Sample { why, .. }) if why.contains("Иной")
    ));
    // A sample value the staff form itself would refuse.
    std::fs::write(dir.join(FORM), &form).unwrap();
    rewrite(&dir, |t| t, Some(FORM));
    let sample = std::fs::read_to_string(dir.join(SAMPLE_FORM)).unwrap();
    std::fs::write(
        dir.join(SAMPLE_FORM),
        sample.replace("01.05.1980", "31.02.1980"),
    )
    .unwrap();
    rewrite(&dir, |t| t, Some(SAMPLE_FORM));
    assert!(matches!(
        Package::open(&dir),
        Err(PackageError::Sample { why, .. }) if why.contains("birth_date")
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_description_with_a_bad_field_or_a_path_outside_is_refused() {
    let dir = copy("mvd_stay", "description");
    let orig = std::fs::read_to_string(dir.join(DESCRIPTION)).unwrap();
    for (from, to) in [
        ("code = \"mvd_stay\"", "code = \"МВД\""),
        ("version = \"1.1.0\"", "version = \"\""),
        (
            "request_root = \"stayingPlaceRegistrationRequest\"",
            "request_root = \"a b\"",
        ),
        (
            "personal_signature = false",
            "personal_signature = false\nextra = 1",
        ),
        ("\"PROVENANCE.md\" = \"", "\"../PROVENANCE.md\" = \""),
    ] {
        std::fs::write(dir.join(DESCRIPTION), orig.replace(from, to)).unwrap();
        assert!(
            matches!(
                Package::open(&dir),
                Err(PackageError::Description(_) | PackageError::Outside(_))
            ),
            "{to}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
