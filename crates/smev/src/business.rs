//! A request kind's form as business XML and back (brief §9): the kind's namespace and root
//! element name the type of information; each filled field becomes a child element named by
//! the field's key, in the form's order. Files travel as attachments, not in the XML.

use super::envelope::esc;
use super::xml::Element;
use std::collections::BTreeMap;
use std::fmt::Write;
use volost_domain::{Field, FieldType};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BusinessError {
    #[error("«{0}» is not an XML name")]
    Name(String),
    #[error("the answer is {{{found_ns}}}{found}, not {{{ns}}}{root}")]
    WrongRoot {
        ns: String,
        root: String,
        found_ns: String,
        found: String,
    },
    #[error("field {0} is repeated in the answer")]
    Repeated(String),
    #[error("field {0} is not plain text")]
    Nested(String),
}

/// Whether `s` is an NCName of the ASCII kind field keys use.
fn ncname(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || matches!(x, '_' | '-' | '.'))
}

/// The business element of a request or answer: `<b:root xmlns:b="ns">` with a child per
/// filled field that is not a file. `id` goes on the root when a personal signature (ЭП-СП)
/// is to reference it.
pub fn to_xml(
    ns: &str,
    root: &str,
    fields: &[Field],
    data: &BTreeMap<String, String>,
    id: Option<&str>,
) -> Result<String, BusinessError> {
    if !ncname(root) {
        return Err(BusinessError::Name(root.into()));
    }
    let mut s = format!("<b:{root} xmlns:b=\"{}\"", esc(ns));
    if let Some(id) = id {
        let _ = write!(s, " Id=\"{}\"", esc(id));
    }
    s.push('>');
    for f in fields {
        if f.ftype == FieldType::File {
            continue;
        }
        let Some(v) = data.get(&f.key).filter(|v| !v.is_empty()) else {
            continue;
        };
        if !ncname(&f.key) {
            return Err(BusinessError::Name(f.key.clone()));
        }
        let _ = write!(s, "<b:{k}>{}</b:{k}>", esc(v), k = f.key);
    }
    let _ = write!(s, "</b:{root}>");
    Ok(s)
}

/// The values of `fields` found in a business element, which must be `{ns}root`. Children
/// the form does not know are left out (a provider may send more than the form shows); the
/// caller validates the values like any form.
pub fn from_xml(
    ns: &str,
    root: &str,
    fields: &[Field],
    e: &Element,
) -> Result<BTreeMap<String, String>, BusinessError> {
    if !e.is(ns, root) {
        return Err(BusinessError::WrongRoot {
            ns: ns.into(),
            root: root.into(),
            found_ns: e.ns.clone().unwrap_or_default(),
            found: e.local.clone(),
        });
    }
    let mut out = BTreeMap::new();
    for c in e.elements() {
        if c.ns.as_deref() != Some(ns) {
            continue;
        }
        let Some(f) = fields.iter().find(|f| f.key == c.local) else {
            continue;
        };
        if c.elements().next().is_some() {
            return Err(BusinessError::Nested(f.key.clone()));
        }
        if out
            .insert(f.key.clone(), c.text().trim().to_string())
            .is_some()
        {
            return Err(BusinessError::Repeated(f.key.clone()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml;

    fn field(key: &str, ftype: FieldType) -> Field {
        Field {
            key: key.into(),
            label: key.into(),
            ftype,
            required: false,
            choices: vec![],
            max_len: None,
            min: None,
            max: None,
            hint: None,
        }
    }

    #[test]
    fn a_form_goes_to_xml_and_back_without_files_and_empty_fields() {
        let fields = [
            field("cadastral_number", FieldType::Text),
            field("address", FieldType::Text),
            field("scan", FieldType::File),
            field("note", FieldType::Text),
        ];
        let data: BTreeMap<String, String> = [
            ("cadastral_number", "22:14:010203:145"),
            ("address", "с. Первомайское, ул. Мира, 5 <кв. 2> & \"двор\""),
            ("scan", "17"),
            ("note", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let ns = "urn://x-artefacts-rosreestr-gov-ru/virtual-services/egrn-statement/1.1.2";
        let x = to_xml(ns, "Request", &fields, &data, None).expect("xml");
        assert!(!x.contains("scan") && !x.contains("note"), "{x}");
        let e = xml::parse(&x).expect("well-formed");
        let back = from_xml(ns, "Request", &fields, &e).expect("back");
        assert_eq!(back.len(), 2);
        assert_eq!(back["address"], data["address"]);
        let e = from_xml(ns, "Response", &fields, &e).expect_err("wrong root");
        assert!(e.to_string().contains("Response"), "{e}");
        let bad = xml::parse(&format!(
            "<b:Response xmlns:b=\"{ns}\"><b:address>1</b:address><b:address>2</b:address></b:Response>"
        ))
        .expect("xml");
        assert_eq!(
            from_xml(ns, "Response", &fields, &bad),
            Err(BusinessError::Repeated("address".into()))
        );
        assert!(to_xml(ns, "bad root", &fields, &data, None).is_err());
    }
}
