//! What each fuzz target checks, in one place: the targets in `fuzz_targets/` call these, and
//! `crates/volost/tests/fuzz_regressions.rs` runs them in `cargo test` over every committed input
//! (`fuzz/corpus/<target>/` and the crashes kept in `fuzz/regressions/<target>/`). A panic is
//! a finding.
#![allow(dead_code)]

use std::sync::OnceLock;
use volost_domain::{Field, validate};

/// A target's check: panics on a finding.
pub type Check = fn(&[u8]);

/// The targets, by name: what `fuzz/run` runs and the directories are named after.
pub const TARGETS: [(&str, Check); 4] = [
    ("smev_reply", smev_reply),
    ("smev_transform", smev_transform),
    ("validators", validators),
    ("api_json", api_json),
];

const TYPES: [&str; 4] = [
    "text/xml; charset=utf-8",
    "multipart/related; type=\"application/xop+xml\"; boundary=\"uuid:b\"; start=\"<root>\"",
    "multipart/related; boundary=uuid:b",
    "multipart/related; boundary=\"\"",
];

/// An HTTP reply from SMEV, as the worker reads it: the first byte picks the Content-Type (a
/// plain SOAP body or MTOM with the boundary the seeds use), the rest is the body. Whatever
/// comes, `reply::parse` answers Ok or Err.
pub fn smev_reply(data: &[u8]) {
    let Some((pick, body)) = data.split_first() else {
        return;
    };
    let ct = TYPES[*pick as usize % TYPES.len()];
    let _ = volost_smev::reply::parse(ct, bytes::Bytes::copy_from_slice(body));
}

/// The XML namespace, bound to `xml` without a declaration.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The SMEV transform (`urn://smev-gov-ru/xmldsig/transform`) on any XML the parser takes:
/// what it writes is XML the parser takes again and that transforms to itself (the
/// transform's output is already in its normal form).
///
/// Except for attributes (or elements) in the XML namespace (`xml:lang`): like SMEV's reference
/// implementation, which the digests must match, the transform gives them an `nsN` prefix
/// declared for that namespace, which Namespaces in XML forbids. The output is hashed, never
/// parsed, so it stays as SMEV computes it; there only the absence of a panic is checked
/// (found by fuzzing, kept in fuzz/regressions/smev_transform/xml-namespace-attribute.xml).
pub fn smev_transform(data: &[u8]) {
    use volost_smev::{transform, xml};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(root) = xml::parse(text) else {
        return;
    };
    let Ok(out) = transform::transform(&root) else {
        return;
    };
    let out = String::from_utf8(out).expect("the transform writes UTF-8");
    let in_xml_ns = root.descendants().iter().any(|e| {
        e.ns.as_deref() == Some(XML_NS) || e.attrs.iter().any(|a| a.ns.as_deref() == Some(XML_NS))
    });
    if in_xml_ns {
        return;
    }
    let again = xml::parse(&out).expect("the transform writes XML the parser takes");
    let twice = transform::transform(&again).expect("its own output transforms");
    let twice = String::from_utf8(twice).expect("UTF-8");
    // A comment or processing instruction inside text splits it into pieces the transform
    // writes one by one, as SMEV's reference writes one StAX event at a time, and whether a
    // `>` is escaped depends on where its piece begins; the output has no such splits, so
    // from there on the transform must be stable.
    if text.contains("<!--") || text.contains("<?") {
        let thrice = xml::parse(&twice).expect("the transform writes XML the parser takes");
        let thrice = transform::transform(&thrice).expect("its own output transforms");
        assert_eq!(
            String::from_utf8_lossy(&thrice),
            twice,
            "the transform of its own output differs"
        );
        return;
    }
    assert_eq!(twice, out, "the transform of its own output differs");
}

fn fields() -> &'static [Field] {
    static FIELDS: OnceLock<Vec<Field>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let st = volost_core::catalog::Starter::builtin().expect("the starter catalog");
        st.services
            .iter()
            .flat_map(|s| s.fields.iter().cloned())
            .chain(
                st.kinds
                    .iter()
                    .flat_map(|k| k.fields.iter().chain(k.answer_fields.iter()).cloned()),
            )
            .collect()
    })
}

fn stable(name: &str, check: fn(&str) -> Result<String, String>, input: &str) {
    if let Ok(norm) = check(input) {
        assert_eq!(
            check(&norm),
            Ok(norm.clone()),
            "{name}: {input:?} → {norm:?}"
        );
    }
}

/// The form-field validators on any text: every field of the starter catalog's services and
/// request kinds (the first byte picks one) and the identifiers' own checks. What one accepts
/// it accepts again unchanged (the normal form is stable), so a value saved once is never
/// refused or altered when the form is saved again.
pub fn validators(data: &[u8]) {
    let Some((pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let fields = fields();
    let f = &fields[*pick as usize % fields.len()];
    if let Ok(Some(norm)) = validate::field(f, &text) {
        assert_eq!(
            validate::field(f, &norm),
            Ok(Some(norm.clone())),
            "field {} ({:?}): {text:?} → {norm:?}",
            f.key,
            f.ftype
        );
    }
    stable("snils", validate::snils, &text);
    stable("inn", validate::inn, &text);
    stable("ogrn", validate::ogrn, &text);
    stable("passport", validate::passport, &text);
    stable("phone", validate::phone, &text);
    let _ = validate::normalize_name(&text);
}

/// A request line of the local API: any bytes are taken or refused, and a request taken is
/// written back as JSON that reads as the same request.
pub fn api_json(data: &[u8]) {
    let Ok(req) = serde_json::from_slice::<volost_api::Request>(data) else {
        return;
    };
    let text = serde_json::to_string(&req).expect("a request writes as JSON");
    let back: volost_api::Request = serde_json::from_str(&text).expect("and reads back");
    assert_eq!(
        serde_json::to_string(&back).expect("again"),
        text,
        "the request changed on the way back"
    );
}
