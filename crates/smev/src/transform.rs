//! The SMEV transform, `urn://smev-gov-ru/xmldsig/transform`, as the protocol brief
//! (`shared/smev/README.md`, section 8) gives the Java reference's behaviour. No crate does
//! it. Its input is the exclusive canonical form of the signed element; the transform parses
//! that again, so its result depends only on the element's tree ([`super::xml`]), which is
//! what this writes from.

use super::xml::{Element, Node};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TransformError {
    /// The reference implementation refuses these; so does the node.
    #[error("element <{0}> has no namespace")]
    NoNamespace(String),
}

/// The transformed octets of `root` and its subtree.
pub fn transform(root: &Element) -> Result<Vec<u8>, TransformError> {
    let mut w = Writer {
        out: String::with_capacity(1024),
        counter: 0,
        scopes: Vec::new(),
    };
    w.element(root)?;
    Ok(w.out.into_bytes())
}

struct Writer {
    out: String,
    /// The last `nsN` handed out; never reset or reused.
    counter: u32,
    /// Per open output element, the (URI, prefix) pairs it declared.
    scopes: Vec<Vec<(String, String)>>,
}

impl Writer {
    fn bound(&self, uri: &str) -> Option<String> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter())
            .find(|(u, _)| u == uri)
            .map(|(_, p)| p.clone())
    }

    /// The prefix for `uri`: one an open ancestor (or this element) declared, or a new one
    /// declared here.
    fn prefix(&mut self, uri: &str, declared: &mut Vec<(String, String)>) -> String {
        if let Some(p) = declared.iter().find(|(u, _)| u == uri).map(|(_, p)| p) {
            return p.clone();
        }
        if let Some(p) = self.bound(uri) {
            return p;
        }
        self.counter += 1;
        let p = format!("ns{}", self.counter);
        declared.push((uri.to_string(), p.clone()));
        p
    }

    fn element(&mut self, e: &Element) -> Result<(), TransformError> {
        let Some(uri) = e.ns.as_deref() else {
            return Err(TransformError::NoNamespace(e.local.clone()));
        };
        let mut declared = Vec::new();
        let own = self.prefix(uri, &mut declared);
        // Qualified attributes first, by namespace URI then local name; then unqualified
        // ones by local name. Plain code-unit order, as Java's String.compareTo.
        let mut attrs: Vec<_> = e.attrs.iter().collect();
        attrs.sort_by(|a, b| match (&a.ns, &b.ns) {
            (Some(x), Some(y)) => utf16_cmp(x, y).then_with(|| utf16_cmp(&a.local, &b.local)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => utf16_cmp(&a.local, &b.local),
        });
        let prefixes: Vec<Option<String>> = attrs
            .iter()
            .map(|a| a.ns.as_deref().map(|u| self.prefix(u, &mut declared)))
            .collect();
        self.out.push('<');
        self.out.push_str(&own);
        self.out.push(':');
        self.out.push_str(&e.local);
        for (u, p) in &declared {
            self.out.push_str(" xmlns:");
            self.out.push_str(p);
            self.out.push_str("=\"");
            escape_attr(u, &mut self.out);
            self.out.push('"');
        }
        for (a, p) in attrs.iter().zip(&prefixes) {
            self.out.push(' ');
            if let Some(p) = p {
                self.out.push_str(p);
                self.out.push(':');
            }
            self.out.push_str(&a.local);
            self.out.push_str("=\"");
            escape_attr(&a.value, &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
        self.scopes.push(declared);
        for n in &e.children {
            match n {
                Node::Element(c) => self.element(c)?,
                Node::Text(t) if t.chars().all(|c| c <= '\u{20}') => {}
                Node::Text(t) => escape_text(t, &mut self.out),
                Node::Pi(..) => {}
            }
        }
        self.scopes.pop();
        self.out.push_str("</");
        self.out.push_str(&own);
        self.out.push(':');
        self.out.push_str(&e.local);
        self.out.push('>');
        Ok(())
    }
}

fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Attribute values and namespace URIs, as Woodstox writes them: c14n's escapes
/// (`c14n::escape_attr`), but with lower-case hex, which changes the digest, so the two
/// stay apart.
fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xa;"),
            '\r' => out.push_str("&#xd;"),
            c => out.push(c),
        }
    }
}

/// Text as Woodstox writes it. `>` is escaped only where its writer escapes it: in a text
/// shorter than 12 UTF-16 units when it comes first or after `]`; in longer texts (written
/// in 512-unit chunks) at a chunk's start, after `]`, or right after a character that was
/// itself escaped.
fn escape_text(s: &str, out: &mut String) {
    const SHORT: usize = 12;
    const CHUNK: usize = 512;
    let short = s.encode_utf16().count() < SHORT;
    let mut pos = 0usize;
    let mut prev: Option<char> = None;
    let mut prev_escaped = false;
    for c in s.chars() {
        let chunk_start = pos.is_multiple_of(CHUNK);
        let escaped = match c {
            '&' => {
                out.push_str("&amp;");
                true
            }
            '<' => {
                out.push_str("&lt;");
                true
            }
            '\r' => {
                out.push_str("&#xd;");
                true
            }
            '\u{7f}'..='\u{9f}' => {
                out.push_str(&format!("&#x{:x};", c as u32));
                true
            }
            '>' if (short && (pos == 0 || prev == Some(']')))
                || (!short && (chunk_start || prev == Some(']') || prev_escaped)) =>
            {
                out.push_str("&gt;");
                true
            }
            c => {
                out.push(c);
                false
            }
        };
        prev = Some(c);
        prev_escaped = escaped;
        pos += c.len_utf16();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    fn t(xml: &str) -> String {
        String::from_utf8(transform(&parse(xml).expect("parses")).expect("transforms"))
            .expect("utf-8")
    }

    /// The shared cases: every input gives exactly the expected octets.
    #[test]
    fn the_published_cases() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/testdata/transform-cases");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).expect("cases") {
            let path = entry.expect("entry").path();
            let name = path.to_string_lossy().to_string();
            let Some(stem) = name.strip_suffix(".input.xml") else {
                continue;
            };
            let input = std::fs::read_to_string(&path).expect("input");
            let expected =
                std::fs::read_to_string(format!("{stem}.expected.xml")).expect("expected");
            assert_eq!(t(&input), expected, "{name}");
            n += 1;
        }
        assert_eq!(n, 8, "all eight cases ran");
    }

    /// As SMEV's reference implementation does (the digests must match): an attribute in the
    /// XML namespace gets a declared `nsN` prefix like any other. Not well-formed for a
    /// namespace-aware parser, but only ever hashed.
    #[test]
    fn xml_lang_is_prefixed_like_any_namespaced_attribute() {
        assert_eq!(
            t("<a xmlns=\"u\" xml:lang=\"ru\"/>"),
            "<ns1:a xmlns:ns1=\"u\" xmlns:ns2=\"http://www.w3.org/XML/1998/namespace\" \
             ns2:lang=\"ru\"></ns1:a>"
        );
    }

    /// A namespace name is its declaration's value with references resolved (fuzzing found
    /// it taken raw, so the output did not transform to itself).
    #[test]
    fn references_in_a_namespace_name_are_resolved() {
        assert_eq!(
            t("<a xmlns=\"urn:x&amp;y&#x41;\"/>"),
            "<ns1:a xmlns:ns1=\"urn:x&amp;yA\"></ns1:a>"
        );
    }

    #[test]
    fn greater_than_follows_the_writers_chunks() {
        assert_eq!(
            t("<a xmlns=\"u\">]&gt;x</a>"),
            "<ns1:a xmlns:ns1=\"u\">]&gt;x</ns1:a>"
        );
        assert_eq!(
            t("<a xmlns=\"u\">x&gt;y</a>"),
            "<ns1:a xmlns:ns1=\"u\">x>y</ns1:a>"
        );
        // Long text: after an escaped character, and at the start.
        let long = "&gt;abcdefghijklmn&amp;&gt;z";
        assert_eq!(
            t(&format!("<a xmlns=\"u\">{long}</a>")),
            "<ns1:a xmlns:ns1=\"u\">&gt;abcdefghijklmn&amp;&gt;z</ns1:a>"
        );
        // Control characters of the C1 block and CR.
        assert_eq!(
            t("<a xmlns=\"u\">a&#x85;b&#xD;c</a>"),
            "<ns1:a xmlns:ns1=\"u\">a&#x85;b&#xd;c</ns1:a>"
        );
    }

    #[test]
    fn an_element_without_a_namespace_is_refused() {
        let e = parse("<a xmlns=\"u\"><b xmlns=\"\"/></a>").expect("parses");
        assert_eq!(transform(&e), Err(TransformError::NoNamespace("b".into())));
    }
}
