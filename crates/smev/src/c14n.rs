//! Exclusive XML Canonicalization 1.0 without comments
//! (`http://www.w3.org/2001/10/xml-exc-c14n#`) of one element and its subtree, as XMLDSig
//! applies it to `ds:SignedInfo` and to a referenced element. No InclusiveNamespaces prefix
//! list: SMEV's profile uses none.
//!
//! The rules (W3C exc-c14n §3 with C14N 1.0 §2.3): an element renders the namespace
//! declarations it *visibly utilizes* (its own prefix, its attributes' prefixes) unless the
//! nearest output ancestor already rendered the same binding; declarations sorted by prefix
//! (the default first), attributes by namespace URI then local name; empty elements as a
//! start and an end tag; the escapes of §2.3.

use super::xml::{Element, Node};

pub fn canonicalize(root: &Element) -> Vec<u8> {
    canonical_text(root).into_bytes()
}

/// The canonical form as text (it is UTF-8 by definition), for embedding it as it is.
pub fn canonical_text(root: &Element) -> String {
    let mut out = String::with_capacity(1024);
    let mut rendered: Vec<Vec<(String, String)>> = Vec::new();
    element(root, &mut rendered, &mut out);
    out
}

/// The binding of `prefix` ("" for the default namespace) rendered by the nearest output
/// ancestor.
fn in_output<'a>(rendered: &'a [Vec<(String, String)>], prefix: &str) -> Option<&'a str> {
    rendered
        .iter()
        .rev()
        .flat_map(|s| s.iter())
        .find(|(p, _)| p == prefix)
        .map(|(_, u)| u.as_str())
}

fn element(e: &Element, rendered: &mut Vec<Vec<(String, String)>>, out: &mut String) {
    // Visibly utilized: the element's prefix (or the default namespace), and the prefixes of
    // its qualified attributes.
    let mut used: Vec<(String, String)> = Vec::new();
    let own = e.prefix.clone().unwrap_or_default();
    used.push((own.clone(), e.ns.clone().unwrap_or_default()));
    for a in &e.attrs {
        if let (Some(p), Some(u)) = (&a.prefix, &a.ns)
            && !used.iter().any(|(q, _)| q == p)
        {
            used.push((p.clone(), u.clone()));
        }
    }
    let mut decls: Vec<(String, String)> = used
        .into_iter()
        .filter(|(p, u)| match in_output(rendered, p) {
            Some(v) => v != u,
            // An empty default namespace needs no `xmlns=""` unless one was rendered.
            None => !(p.is_empty() && u.is_empty()),
        })
        .collect();
    decls.sort_by(|a, b| a.0.cmp(&b.0));
    let mut attrs: Vec<_> = e.attrs.iter().collect();
    attrs.sort_by(|a, b| {
        let (x, y) = (a.ns.as_deref().unwrap_or(""), b.ns.as_deref().unwrap_or(""));
        x.cmp(y).then_with(|| a.local.cmp(&b.local))
    });

    out.push('<');
    qname(&e.prefix, &e.local, out);
    for (p, u) in &decls {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        escape_attr(u, out);
        out.push('"');
    }
    for a in attrs {
        out.push(' ');
        qname(&a.prefix, &a.local, out);
        out.push_str("=\"");
        escape_attr(&a.value, out);
        out.push('"');
    }
    out.push('>');
    rendered.push(decls);
    for n in &e.children {
        match n {
            Node::Element(c) => element(c, rendered, out),
            Node::Text(t) => escape_text(t, out),
            Node::Pi(target, data) => {
                out.push_str("<?");
                out.push_str(target);
                if !data.is_empty() {
                    out.push(' ');
                    out.push_str(data);
                }
                out.push_str("?>");
            }
        }
    }
    rendered.pop();
    out.push_str("</");
    qname(&e.prefix, &e.local, out);
    out.push('>');
}

fn qname(prefix: &Option<String>, local: &str, out: &mut String) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    fn c(xml: &str, pick: impl Fn(&Element) -> &Element) -> String {
        let doc = parse(xml).expect("parses");
        String::from_utf8(canonicalize(pick(&doc))).expect("utf-8")
    }

    #[test]
    fn only_visibly_utilized_namespaces_travel_with_a_subtree() {
        let xml = "<s:Env xmlns:s=\"urn:s\" xmlns:ds=\"urn:ds\" xmlns=\"urn:d\" xmlns:x=\"urn:x\">\
                   <ds:Info  b=\"2\" x:z=\"3\" a=\"1\"><ds:M Algorithm=\"a&amp;b\"/>\
                   <k>t &gt; &#xD;</k></ds:Info></s:Env>";
        let got = c(xml, |d| d.elements().next().expect("Info"));
        assert_eq!(
            got,
            "<ds:Info xmlns:ds=\"urn:ds\" xmlns:x=\"urn:x\" a=\"1\" b=\"2\" x:z=\"3\">\
             <ds:M Algorithm=\"a&amp;b\"></ds:M><k xmlns=\"urn:d\">t &gt; &#xD;</k></ds:Info>"
        );
    }

    #[test]
    fn a_declaration_is_not_repeated_below_an_element_that_rendered_it() {
        let xml = "<a:r xmlns:a=\"urn:a\"><a:k><b xmlns=\"\"/></a:k>\n</a:r>";
        assert_eq!(
            c(xml, |d| d),
            "<a:r xmlns:a=\"urn:a\"><a:k><b></b></a:k>\n</a:r>"
        );
        // A default namespace undone below a rendered one.
        let xml = "<r xmlns=\"urn:d\"><b xmlns=\"\"/></r>";
        assert_eq!(c(xml, |d| d), "<r xmlns=\"urn:d\"><b xmlns=\"\"></b></r>");
    }
}
