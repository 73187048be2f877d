//! The agencies' real schemas of the starter catalog (`kinds/` at the workspace's root):
//! each compiles, its sample request validates, and what is wrong with a broken one is said
//! with its line, as `xmllint --schema` would say it.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use volost_xsd::{Invalid, Schema, SchemaError};

/// Each starter kind: its ВС's namespace, main schema, request root and answer root (none
/// where the answer's schema is unpublished).
const KINDS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "fns_egrul",
        "urn://x-artefacts-fns-vipul-tosmv-ru/311-14/4.0.6",
        "fns-vipul-tosmv-ru.xsd",
        "FNSVipULRequest",
        Some("FNSVipULResponse"),
    ),
    (
        "egrn_extract",
        "urn://x-artefacts-rosreestr-gov-ru/virtual-services/egrn-statement/1.1.2",
        "rosreestr-statement.xsd",
        "Request",
        Some("Response"),
    ),
    (
        "egrn_land_plot",
        "urn://x-artefacts-rosreestr-gov-ru/virtual-services/egrn-statement/1.1.2",
        "rosreestr-statement.xsd",
        "Request",
        Some("Response"),
    ),
    (
        "mvd_residence",
        "urn://mvd/guvm/living-place-registration/1.1.0",
        "guvm-living-place-registration-1.1.0.xsd",
        "livingPlaceRegistrationRequest",
        Some("livingPlaceRegistrationResponse"),
    ),
    (
        "mvd_stay",
        "urn://mvd/guvm/staying-place-registration/1.1.0",
        "guvm-staying-place-registration-1.1.0.xsd",
        "stayingPlaceRegistrationRequest",
        Some("stayingPlaceRegistrationResponse"),
    ),
    (
        "sfr_snils",
        "http://kvs.pfr.com/snils-by-additionalData/1.0.1",
        "snils-by-additionalData-1.0.1.xsd",
        "SnilsByAdditionalDataRequest",
        Some("SnilsByAdditionalDataResponse"),
    ),
    (
        "sfr_pensions",
        "http://kvs.pfr.com/pensions-on-date/1.0.1",
        "schema.xsd",
        "PensionsOnDateRequest",
        Some("PensionsOnDateResponse"),
    ),
    (
        "fri_disability",
        "http://kvs.fri.com/extraction-invalid-data/1.0.3",
        "DERIVED-request-only.xsd",
        "ExtractionInvalidDataRequest",
        None,
    ),
    (
        "zags_birth",
        "urn://x-artefacts-zags-rogdinf/root/112-51/4.0.1",
        "zags-rogdinf-ru-root.xsd",
        "ROGDINFRequest",
        Some("ROGDINFResponse"),
    ),
    (
        "zags_death",
        "urn://x-artefacts-zags-fatalinf/root/112-52/4.0.1",
        "zags-fatalinf-ru-root.xsd",
        "FATALINFRequest",
        Some("FATALINFResponse"),
    ),
];

fn kinds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kinds")
}

#[test]
fn every_starter_schema_compiles_and_its_sample_request_validates() {
    for (code, ns, main, root, answer) in KINDS {
        let dir = kinds().join(code);
        let mut s =
            Schema::compile(&dir.join("xsd"), main).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(s.declares(ns, root), "{code}: {root}");
        if let Some(a) = answer {
            assert!(s.declares(ns, a), "{code}: {a}");
        }
        assert!(!s.declares(ns, "NoSuchRoot"));
        let sample = std::fs::read(dir.join("samples/request.xml")).unwrap();
        assert!(
            String::from_utf8_lossy(&sample).contains(&format!(":{root}")),
            "{code}: the sample is a {root}"
        );
        s.validate(&sample)
            .unwrap_or_else(|e| panic!("{code}: the sample does not validate: {e}"));
    }
}

#[test]
fn a_broken_request_is_refused_with_the_line_of_each_problem() {
    let dir = kinds().join("sfr_snils");
    let mut s = Schema::compile(&dir.join("xsd"), "snils-by-additionalData-1.0.1.xsd").unwrap();
    let good = std::fs::read_to_string(dir.join("samples/request.xml")).unwrap();
    // An element the schema does not have, where it expects the person's name.
    let bad = good.replacen("<smev:FamilyName>", "<smev:Surname>", 1);
    let bad = bad.replacen("</smev:FamilyName>", "</smev:Surname>", 1);
    assert_ne!(bad, good, "the sample names a FamilyName");
    match s.validate(bad.as_bytes()) {
        Err(Invalid::Schema(p)) => {
            assert!(!p.is_empty());
            assert!(p[0].line.is_some(), "{p:?}");
            assert!(p[0].message.contains("Surname"), "{p:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.validate(b"<a><b></a>"), Err(Invalid::NotXml));
    // SMEV's content carries no DTD; one that does is refused before libxml2 reads it.
    let dtd = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"e\">]>{}",
        good.trim_start_matches(|c| c != '<')
            .split_once("?>")
            .map_or(good.as_str(), |(_, b)| b)
    );
    assert_eq!(s.validate(dtd.as_bytes()), Err(Invalid::Dtd));
    // The schema stays usable after refusals.
    s.validate(good.as_bytes()).unwrap();
}

/// A folder of its own with `files` written into it.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("volost-xsd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const HEAD: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">"#;

#[test]
fn a_schema_set_never_reaches_outside_its_folder() {
    for (name, location) in [
        ("url", "http://example.invalid/x.xsd"),
        ("absolute", "/etc/x.xsd"),
        ("climbs", "../x.xsd"),
    ] {
        let dir = folder(
            name,
            &[(
                "main.xsd",
                &format!(
                    "{HEAD}<xs:include schemaLocation=\"{location}\"/><xs:element name=\"a\"/></xs:schema>"
                ),
            )],
        );
        match Schema::compile(&dir, "main.xsd") {
            Err(SchemaError::Outside { location: l, .. }) => assert_eq!(l, location),
            other => panic!("{name}: {other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    // Nor is the main schema named outside it.
    let dir = folder("main", &[("main.xsd", "<x/>")]);
    assert!(matches!(
        Schema::compile(&dir, "../main.xsd"),
        Err(SchemaError::Outside { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_schema_is_refused_and_a_good_include_is_followed() {
    let dir = folder(
        "broken",
        &[(
            "main.xsd",
            &format!("{HEAD}<xs:element name=\"a\" type=\"Missing\"/></xs:schema>"),
        )],
    );
    match Schema::compile(&dir, "main.xsd") {
        Err(SchemaError::Invalid { problems, .. }) => {
            assert!(
                problems.iter().any(|p| p.message.contains("Missing")),
                "{problems:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(
        Schema::compile(Path::new("/nonexistent/volost"), "main.xsd"),
        Err(SchemaError::Unreadable { .. })
    ));
    let dir = folder(
        "include",
        &[
            (
                "main.xsd",
                &format!(
                    "{HEAD}<xs:include schemaLocation=\"types/t.xsd\"/><xs:element name=\"a\" type=\"T\"/></xs:schema>"
                ),
            ),
            (
                "types/t.xsd",
                &format!(
                    "{HEAD}<xs:simpleType name=\"T\"><xs:restriction base=\"xs:date\"/></xs:simpleType></xs:schema>"
                ),
            ),
        ],
    );
    let mut s = Schema::compile(&dir, "main.xsd").unwrap();
    assert_eq!(s.files().len(), 2);
    s.validate(br#"<a xmlns="urn:t">2026-12-07</a>"#).unwrap();
    // «07.12.2026» is how staff type a date, not an xs:date.
    assert!(matches!(
        s.validate(br#"<a xmlns="urn:t">07.12.2026</a>"#),
        Err(Invalid::Schema(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
