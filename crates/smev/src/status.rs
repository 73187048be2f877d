//! SMEV's interaction statuses (`InteractionStatusType`: `requestIsQueued`, …) in the words
//! of SMEV's own schema: the `xs:documentation` of each value in the basic types XSD of the
//! version the node speaks, read from the schema the node ships. Staff read these in
//! histories; the codes stay in the log.

use super::envelope::Version;
use quick_xml::events::Event;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::xsd::{BASIC_1_1, BASIC_1_3};

/// The documented values of `InteractionStatusType` in one basic XSD.
fn read(xsd: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rd = quick_xml::Reader::from_str(xsd);
    let (mut inside, mut value, mut doc) = (false, None::<String>, false);
    loop {
        match rd.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "simpleType" => {
                    inside = e
                        .try_get_attribute("name")
                        .ok()
                        .flatten()
                        .is_some_and(|a| a.value.as_ref() == "InteractionStatusType");
                }
                "enumeration" if inside => {
                    value = e
                        .try_get_attribute("value")
                        .ok()
                        .flatten()
                        .map(|a| a.value.to_string());
                }
                "documentation" if value.is_some() => doc = true,
                _ => {}
            },
            Ok(Event::Text(t)) if doc => {
                if let Some(v) = &value {
                    let s = t.xml_content(quick_xml::XmlVersion::Implicit1_0);
                    out.insert(v.clone(), s.trim().trim_end_matches('.').to_string());
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "documentation" => doc = false,
                "enumeration" => value = None,
                "simpleType" => inside = false,
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

fn table(v: Version) -> &'static HashMap<String, String> {
    static V11: OnceLock<HashMap<String, String>> = OnceLock::new();
    static V13: OnceLock<HashMap<String, String>> = OnceLock::new();
    match v {
        Version::V1_1 => V11.get_or_init(|| read(BASIC_1_1)),
        Version::V1_3 => V13.get_or_init(|| read(BASIC_1_3)),
    }
}

/// The schema's words for `code`, or the code itself when the schema does not list it
/// (a newer SMEV may add values; staff then see what SMEV sent).
pub fn words(v: Version, code: &str) -> String {
    match table(v).get(code) {
        Some(w) => w.clone(),
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_of_both_versions_has_its_words() {
        // The two versions document the same value differently: each is read from its own.
        for (v, code, said) in [
            (
                Version::V1_1,
                "requestIsQueued",
                "Запрос находится в очереди на асинхронную валидацию",
            ),
            (
                Version::V1_1,
                "requestIsAcceptedBySmev",
                "Запрос доставляется поставщику",
            ),
            (
                Version::V1_3,
                "requestIsAcceptedBySmev",
                "Запрос прошел асинхронную валидацию",
            ),
            (
                Version::V1_3,
                "responseIsAcceptedBySmev",
                "Ответ на запрос прошел асинхронную валидацию",
            ),
        ] {
            assert_eq!(words(v, code), said, "{code}");
        }
        assert!(
            table(Version::V1_1).len() >= 8,
            "{:?}",
            table(Version::V1_1)
        );
        assert!(
            table(Version::V1_3).len() >= 13,
            "{:?}",
            table(Version::V1_3)
        );
        assert!(
            table(Version::V1_3)
                .values()
                .all(|w| w.chars().any(|c| c.is_alphabetic()) && !w.is_ascii())
        );
        assert_eq!(words(Version::V1_3, "somethingNew"), "somethingNew");
    }
}
