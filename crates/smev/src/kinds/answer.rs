//! An agency's answer as staff read it: its tree, each element and attribute named by the
//! schema's own Russian `xs:documentation` where the schema has one (the element's, or its
//! type's), by its XML name where not. Nothing is left out or summarised here: the answer is
//! shown as the agency sent it.

use crate::xml::{Element, Node};
use std::collections::BTreeMap;

const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// The labels a schema set gives its elements and attributes, by (namespace, name).
#[derive(Debug, Default)]
pub struct Labels {
    elements: BTreeMap<(String, String), String>,
    attributes: BTreeMap<String, String>,
}

/// The first `xs:annotation/xs:documentation` of a declaration, on one line.
fn documentation(e: &Element) -> Option<String> {
    let text = e
        .child(XS, "annotation")?
        .elements()
        .find(|d| d.is(XS, "documentation"))?
        .text();
    let one: Vec<&str> = text.split_whitespace().collect();
    let s = one.join(" ");
    let s = s.trim_end_matches('.').to_string();
    (!s.is_empty()).then_some(s)
}

impl Labels {
    /// Reads the labels of the schema documents `texts` (each an XSD's text).
    pub fn from_schemas<'a>(texts: impl IntoIterator<Item = &'a str>) -> Labels {
        let mut l = Labels::default();
        // Types first, so that an element with no documentation of its own takes its type's.
        let docs: Vec<Element> = texts
            .into_iter()
            .filter_map(|t| crate::xml::parse(t).ok())
            .collect();
        let mut types: BTreeMap<String, String> = BTreeMap::new();
        for d in &docs {
            for e in d.descendants() {
                if (e.is(XS, "complexType") || e.is(XS, "simpleType") || e.is(XS, "group"))
                    && let (Some(name), Some(doc)) = (e.attr("name"), documentation(e))
                {
                    types.entry(name.to_string()).or_insert(doc);
                }
            }
        }
        for d in &docs {
            let ns = d.attr("targetNamespace").unwrap_or_default().to_string();
            for e in d.descendants() {
                let Some(name) = e.attr("name") else {
                    continue;
                };
                let doc = documentation(e).or_else(|| {
                    let ty = e.attr("type")?;
                    let local = ty.rsplit(':').next().unwrap_or(ty);
                    types.get(local).cloned()
                });
                let Some(doc) = doc else {
                    continue;
                };
                if e.is(XS, "element") {
                    l.elements
                        .entry((ns.clone(), name.to_string()))
                        .or_insert(doc);
                } else if e.is(XS, "attribute") {
                    l.attributes.entry(name.to_string()).or_insert(doc);
                }
            }
        }
        l
    }

    fn element(&self, e: &Element) -> String {
        self.elements
            .get(&(e.ns.clone().unwrap_or_default(), e.local.clone()))
            .cloned()
            .unwrap_or_else(|| e.local.clone())
    }
}

/// One line of an answer as staff see it: how deep it stands, its label and its value
/// (empty for an element that holds others).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub depth: usize,
    pub label: String,
    pub value: String,
}

/// The answer `root` as lines, in document order.
pub fn lines(root: &Element, labels: &Labels) -> Vec<Line> {
    let mut out = Vec::new();
    walk(root, labels, 0, &mut out);
    out
}

/// An `xs:date` (`2026-03-02`) as staff write dates (`02.03.2026`); any other value as is.
fn staff_date(v: &str) -> String {
    let b = v.as_bytes();
    let iso = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if iso {
        format!("{}.{}.{}", &v[8..10], &v[5..7], &v[..4])
    } else {
        v.to_string()
    }
}

fn walk(e: &Element, labels: &Labels, depth: usize, out: &mut Vec<Line>) {
    let leaf = e.elements().next().is_none();
    out.push(Line {
        depth,
        label: labels.element(e),
        value: if leaf {
            staff_date(e.text().trim())
        } else {
            String::new()
        },
    });
    for a in &e.attrs {
        out.push(Line {
            depth: depth + 1,
            label: labels
                .attributes
                .get(&a.local)
                .cloned()
                .unwrap_or_else(|| a.local.clone()),
            value: staff_date(&a.value),
        });
    }
    for c in &e.children {
        if let Node::Element(k) = c {
            walk(k, labels, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_answer_is_named_by_its_schema_s_documentation() {
        let xsd = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a" xmlns:a="urn:a">
          <xs:simpleType name="SnilsType"><xs:annotation><xs:documentation>СНИЛС.</xs:documentation></xs:annotation>
            <xs:restriction base="xs:string"/></xs:simpleType>
          <xs:element name="Answer"><xs:annotation><xs:documentation>Ответ
              ведомства</xs:documentation></xs:annotation>
            <xs:complexType><xs:sequence>
              <xs:element name="Snils" type="a:SnilsType"/>
              <xs:element name="Other" type="xs:string"/>
            </xs:sequence><xs:attribute name="Code" type="xs:string">
              <xs:annotation><xs:documentation>Код ответа</xs:documentation></xs:annotation>
            </xs:attribute></xs:complexType>
          </xs:element>
        </xs:schema>"#;
        let labels = Labels::from_schemas([xsd]);
        let answer = crate::xml::parse(
            r#"<a:Answer xmlns:a="urn:a" Code="0"><a:Snils>11223344595</a:Snils><a:Other> x </a:Other></a:Answer>"#,
        )
        .unwrap();
        let all = lines(&answer, &labels);
        let got: Vec<(usize, &str, &str)> = all
            .iter()
            .map(|l| (l.depth, l.label.as_str(), l.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "Ответ ведомства", ""),
                (1, "Код ответа", "0"),
                (1, "СНИЛС", "11223344595"),
                (1, "Other", "x"),
            ]
        );
    }
}
