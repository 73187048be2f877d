//! A small namespace-resolved tree of an XML document: what exclusive canonicalization
//! ([`super::c14n`]) and the SMEV transform ([`super::transform`]) both walk. Parsed with
//! quick-xml; entities and character references resolved, line ends and attribute values
//! normalized as an XML parser must, comments dropped (neither algorithm keeps them here).
//! A DOCTYPE is refused: SMEV messages have none, and it is the door to entity bombs.

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Deeper than any SMEV message; a bound on the recursion of the writers.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    #[error("malformed XML at byte {pos}: {reason}")]
    Malformed { pos: u64, reason: String },
    #[error("XML nested deeper than {MAX_DEPTH} elements")]
    TooDeep,
    #[error("a DOCTYPE is not accepted")]
    Doctype,
    #[error("no root element")]
    Empty,
}

/// Two elements carry the `Id` a reference names.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("two elements have the same Id")]
pub struct AmbiguousId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    /// The prefix as written in the source (`None` for an unprefixed attribute).
    pub prefix: Option<String>,
    /// The namespace URI; an unprefixed attribute has none.
    pub ns: Option<String>,
    pub local: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub prefix: Option<String>,
    pub ns: Option<String>,
    pub local: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    /// Adjacent character data (text, references, CDATA) merged into one node.
    Text(String),
    /// A processing instruction inside the root: target and data.
    Pi(String, String),
}

impl Element {
    /// The value of the unqualified attribute `local`.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.local == local
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element named `ns`:`local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, local))
    }

    /// The text of the element's own text children, joined.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every element of the subtree, this one first, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = vec![self];
        while let Some(e) = stack.pop() {
            out.push(e);
            let kids: Vec<&Element> = e.elements().collect();
            stack.extend(kids.into_iter().rev());
        }
        out
    }

    /// The one element of the subtree whose unqualified `Id` attribute is `id`. Two such
    /// elements make the reference ambiguous, which a signature check must refuse.
    pub fn by_id(&self, id: &str) -> Result<Option<&Element>, AmbiguousId> {
        let mut found = self
            .descendants()
            .into_iter()
            .filter(|e| e.attr("Id") == Some(id));
        let first = found.next();
        match found.next() {
            Some(_) => Err(AmbiguousId),
            None => Ok(first),
        }
    }
}

/// Parses a whole document into its root element.
pub fn parse(xml: &str) -> Result<Element, XmlError> {
    let mut r = NsReader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let bad = |r: &NsReader<&[u8]>, e: &dyn std::fmt::Display| XmlError::Malformed {
        pos: r.buffer_position(),
        reason: e.to_string(),
    };
    loop {
        // The resolved name borrows the reader: own it at once.
        let step = r.read_resolved_event().map(|(res, ev)| {
            let ns = match res {
                ResolveResult::Bound(n) => namespace(n.as_ref()).map(Some),
                ResolveResult::Unbound => Ok(None),
                ResolveResult::Unknown(p) => Err(format!("unknown namespace prefix {p}")),
            };
            (ns, ev)
        });
        let (ns, ev) = match step {
            Ok(x) => x,
            Err(e) => return Err(bad(&r, &e)),
        };
        let ns = ns.map_err(|e| bad(&r, &e))?;
        // Namespaces in XML: no element is in the namespace of namespace declarations (its
        // prefix `xmlns` names none); the reader binds it all the same.
        if ns.as_deref() == Some("http://www.w3.org/2000/xmlns/") {
            return Err(bad(&r, &"an element with the prefix xmlns"));
        }
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) => {
                if root.is_some() {
                    return Err(bad(&r, &"content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let name = s.name();
                check_qname(
                    name.prefix().map(|p| p.into_inner()),
                    name.local_name().into_inner(),
                )
                .map_err(|e| bad(&r, &e))?;
                let mut el = Element {
                    prefix: name.prefix().map(owned),
                    ns,
                    local: owned(name.local_name()),
                    attrs: Vec::new(),
                    children: Vec::new(),
                };
                for a in s.attributes() {
                    let a = a.map_err(|e| bad(&r, &e))?;
                    if a.key.as_namespace_binding().is_some() {
                        continue;
                    }
                    check_qname(
                        a.key.prefix().map(|p| p.into_inner()),
                        a.key.local_name().into_inner(),
                    )
                    .map_err(|e| bad(&r, &e))?;
                    let (res, local) = r.resolver().resolve_attribute(a.key);
                    let ns = match res {
                        ResolveResult::Bound(n) => {
                            Some(namespace(n.as_ref()).map_err(|e| bad(&r, &e))?)
                        }
                        ResolveResult::Unbound => None,
                        ResolveResult::Unknown(p) => {
                            return Err(bad(&r, &format!("unknown namespace prefix {p}")));
                        }
                    };
                    let value = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| bad(&r, &e))?
                        .into_owned();
                    check_chars(&value).map_err(|e| bad(&r, &e))?;
                    if a.value.contains('<') {
                        return Err(bad(&r, &"'<' in an attribute value"));
                    }
                    el.attrs.push(Attr {
                        prefix: a.key.prefix().map(owned),
                        ns,
                        local: owned(local),
                        value,
                    });
                }
                if matches!(ev, Event::Start(_)) {
                    stack.push(el);
                } else {
                    close(el, &mut stack, &mut root);
                }
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(el, &mut stack, &mut root),
                None => return Err(bad(&r, &"unexpected end tag")),
            },
            Event::Text(t) => {
                let s = t.xml_content(XmlVersion::Implicit1_0);
                push_text(&mut stack, &s, &root, &r)?;
            }
            Event::CData(c) => {
                let s = c.xml_content(XmlVersion::Implicit1_0).into_owned();
                push_text(&mut stack, &s, &root, &r)?;
            }
            Event::GeneralRef(g) => {
                let ch = match g.resolve_char_ref().map_err(|e| bad(&r, &e))? {
                    Some(c) => c,
                    None => match g.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(bad(&r, &format!("unknown entity &{other};"))),
                    },
                };
                push_text(&mut stack, ch.encode_utf8(&mut [0; 4]), &root, &r)?;
            }
            Event::PI(p) => {
                if let Some(top) = stack.last_mut() {
                    top.children.push(Node::Pi(
                        p.target().to_string(),
                        p.content().trim_start().to_string(),
                    ));
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed {
            pos: r.buffer_position(),
            reason: "unclosed element".into(),
        });
    }
    root.ok_or(XmlError::Empty)
}

/// XML 1.0's NameStartChar.
fn name_start(c: char) -> bool {
    c == '_'
        || c.is_ascii_alphabetic()
        || matches!(c,
            '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
            | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0's NameChar.
fn name_char(c: char) -> bool {
    name_start(c)
        || c.is_ascii_digit()
        || matches!(c, '-' | '.' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// The reader takes a name as whatever stands before `=` or `>`; a name with a quote or a
/// control character in it is malformed XML, and the transform would write it back as
/// something no parser reads (found by fuzzing).
fn check_qname(prefix: Option<&str>, local: &str) -> Result<(), String> {
    for s in prefix.into_iter().chain([local]) {
        let mut cs = s.chars();
        let ok = cs.next().is_some_and(name_start) && cs.all(name_char);
        if !ok {
            return Err(format!("{s:?} is not an XML name"));
        }
    }
    Ok(())
}

/// XML 1.0's Char: no control characters but tab and line ends, no U+FFFE/U+FFFF.
fn check_chars(s: &str) -> Result<(), String> {
    match s
        .chars()
        .find(|c| matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}'))
    {
        Some(c) => Err(format!("character U+{:04X} is not allowed in XML", c as u32)),
        None => Ok(()),
    }
}

/// A namespace name as its declaration's value means it: the reader hands the raw value, so
/// references are resolved and white space normalised here, as for any attribute value.
/// Without this `xmlns:a="urn:x&amp;y"` named another namespace than the one it declares, and
/// the transform, writing it escaped, did not reproduce itself (found by fuzzing).
fn namespace(raw: &str) -> Result<String, String> {
    if raw.contains('<') {
        return Err(format!("'<' in the namespace name {raw:?}"));
    }
    // The usual case, on every element of every message: nothing to resolve or normalise.
    if !raw.contains(['&', '\t', '\n', '\r']) {
        check_chars(raw)?;
        return Ok(raw.to_string());
    }
    let spaced: String = raw
        .chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let uri = quick_xml::escape::unescape(&spaced)
        .map(|s| s.into_owned())
        .map_err(|e| format!("namespace name {raw:?}: {e}"))?;
    check_chars(&uri)?;
    Ok(uri)
}

fn owned<T: AsRef<str>>(t: T) -> String {
    t.as_ref().to_string()
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None => *root = Some(el),
    }
}

fn push_text(
    stack: &mut [Element],
    s: &str,
    root: &Option<Element>,
    r: &NsReader<&[u8]>,
) -> Result<(), XmlError> {
    check_chars(s).map_err(|reason| XmlError::Malformed {
        pos: r.buffer_position(),
        reason,
    })?;
    match stack.last_mut() {
        Some(top) => {
            if let Some(Node::Text(t)) = top.children.last_mut() {
                t.push_str(s);
            } else {
                top.children.push(Node::Text(s.to_string()));
            }
            Ok(())
        }
        // Outside the root only whitespace may stand.
        None if s.chars().all(char::is_whitespace) => Ok(()),
        None => Err(XmlError::Malformed {
            pos: r.buffer_position(),
            reason: if root.is_some() {
                "text after the root element".into()
            } else {
                "text before the root element".into()
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the reader lets through and XML does not (each found by fuzzing the transform).
    #[test]
    fn malformed_names_characters_and_namespaces_are_refused() {
        for bad in [
            "<a xmlns=\"u\" b\"c=\"1\"/>",
            "<a xmlns=\"u\" b=\"x<y\"/>",
            "<a xmlns=\"u<\"/>",
            "<a xmlns=\"u\">\u{1}</a>",
            "<a xmlns=\"u\" b=\"&#x1;\"/>",
            "<1a xmlns=\"u\"/>",
            "<xmlns:a/>",
        ] {
            assert!(
                matches!(parse(bad), Err(XmlError::Malformed { .. })),
                "{bad:?} taken"
            );
        }
        let ok =
            parse("<a:Б xmlns:a=\"urn:x&amp;y\" c-d.e=\"&lt;\">\tт</a:Б>").expect("well-formed");
        assert_eq!(ok.ns.as_deref(), Some("urn:x&y"));
    }

    #[test]
    fn names_resolve_and_character_data_merges() {
        let e = parse(
            "<?xml version=\"1.0\"?><!-- c --><a:r xmlns:a=\"urn:a\" xmlns=\"urn:d\" x=\"1\" \
             a:y=\"t&#9;&amp;\"><k>A &amp; B<![CDATA[<c>]]>&#x41;</k></a:r>",
        )
        .expect("parses");
        assert_eq!((e.ns.as_deref(), e.local.as_str()), (Some("urn:a"), "r"));
        assert_eq!(e.attr("x"), Some("1"));
        // Attribute-value normalization turns the tab reference into a tab, literal ones
        // into spaces.
        assert_eq!(e.attrs[1].ns.as_deref(), Some("urn:a"));
        assert_eq!(e.attrs[1].value, "t\t&");
        let k = e.child("urn:d", "k").expect("default namespace");
        assert_eq!(k.text(), "A & B<c>A");
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(matches!(
            parse("<a><b></a>"),
            Err(XmlError::Malformed { .. })
        ));
        assert!(matches!(parse("<p:a/>"), Err(XmlError::Malformed { .. })));
        assert!(matches!(
            parse("<a>&foo;</a>"),
            Err(XmlError::Malformed { .. })
        ));
        assert_eq!(
            parse("<!DOCTYPE a [<!ENTITY x \"y\">]><a/>"),
            Err(XmlError::Doctype)
        );
        assert_eq!(parse(""), Err(XmlError::Empty));
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&deep), Err(XmlError::TooDeep));
        assert!(parse("<a/><b/>").is_err());
    }

    #[test]
    fn an_id_names_one_element_or_the_reference_is_ambiguous() {
        let e = parse("<a Id=\"x\"><b Id=\"y\"/><c><d Id=\"z\"/></c></a>").expect("parses");
        assert_eq!(
            e.by_id("z").expect("unique").map(|e| e.local.as_str()),
            Some("d")
        );
        assert_eq!(e.by_id("q"), Ok(None));
        let two = parse("<a><b Id=\"x\"/><b Id=\"x\"/></a>").expect("parses");
        assert!(two.by_id("x").is_err());
        let order: Vec<&str> = e.descendants().iter().map(|e| e.local.as_str()).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}
