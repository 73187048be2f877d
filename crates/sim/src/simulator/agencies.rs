//! The agencies as the simulator plays them (issue 29): the starter catalog's packages,
//! loaded as the node loads them. A request of a packaged kind must validate against the
//! agency's schema — SMEV refuses one that does not with `InvalidContent` — and is answered
//! with the package's sample answer, about the person asked: where an element of the answer
//! and one of the request have the same name (`FamilyName`, `BirthDate`), the request's
//! value is put in, as a register answers about whom it was asked. Kinds with no package or
//! no sample answer are answered the old way (the form's fields).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::collections::BTreeMap;
use std::sync::Arc;
use volost_core::service::Packages;
use volost_smev::kinds::{Kinds, Loaded, starter};
use volost_smev::xml::{Element, Node};

pub struct Agencies {
    kinds: Kinds,
}

impl Agencies {
    /// The starter packages, written out under the system's temporary directory.
    pub fn load() -> Result<Agencies, String> {
        let dir = std::env::temp_dir().join(format!("volost-sim-kinds-{}", std::process::id()));
        let kinds = Kinds::new(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (code, files) in starter::PACKAGES {
            kinds
                .load(&starter::package_files(files))
                .map_err(|e| format!("{code}: {e}"))?;
        }
        Ok(Agencies { kinds })
    }

    fn package(&self, req: &Element) -> Option<Arc<Loaded>> {
        self.kinds
            .for_request(req.ns.as_deref().unwrap_or(""), &req.local)
    }

    /// `Some(why)` when `req` is a packaged kind's request the agency's schema refuses.
    pub fn refuses(&self, req: &Element) -> Option<String> {
        let l = self.package(req)?;
        let xml = volost_smev::c14n::canonical_text(req);
        l.validate(xml.as_bytes()).err()
    }

    /// For a kind whose ВС takes documents zipped beside the element (Росреестр's), what is
    /// wrong with the attachment the request `doc` carries (its header in `data`), as (SMEV's fault code, why): SMEV checks the
    /// attachment's signature (`SignaturePKCS7`), the agency the archive — every document
    /// there, valid against its schema, with the sender's sound signature beside it where
    /// its package signs it. `None` when all is right or the kind has no packet.
    pub fn packet_refusal(
        &self,
        req: &Element,
        (doc, data): (&Element, &Element),
        basic: &str,
    ) -> Option<(&'static str, String)> {
        let l = self.package(req)?;
        let spec = l.package.description.packet.clone()?;
        let content = |why: String| Some(("InvalidContent", why));
        let header = data
            .child(basic, "AttachmentHeaderList")
            .into_iter()
            .flat_map(Element::elements)
            .find(|h| text(h, basic, "contentId") == spec.name);
        let Some(header) = header else {
            return content(format!("no attachment {} beside the request", spec.name));
        };
        if text(header, basic, "MimeType") != volost_smev::packet::MIME {
            return content(format!(
                "{} is not {}",
                spec.name,
                volost_smev::packet::MIME
            ));
        }
        // The contents travel beside SenderProvidedRequestData, in SendRequestRequest.
        let bytes = doc
            .descendants()
            .into_iter()
            .filter(|e| e.is(basic, "AttachmentContentList"))
            .flat_map(Element::elements)
            .find(|c| text(c, basic, "Id") == spec.name)
            .and_then(|c| B64.decode(text(c, basic, "Content")).ok());
        let Some(zip) = bytes else {
            return content(format!("no content of attachment {}", spec.name));
        };
        let sig = B64
            .decode(text(header, basic, "SignaturePKCS7"))
            .unwrap_or_default();
        let signer = match volost_smev::gost::cms_verify_detached(&sig, &zip) {
            Ok(c) => c,
            Err(e) => {
                return Some((
                    "SignatureVerificationFault",
                    format!("SignaturePKCS7 of {}: {e}", spec.name),
                ));
            }
        };
        let files = match volost_smev::packet::read(&zip) {
            Ok(f) => f,
            Err(e) => return content(e.to_string()),
        };
        let file = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, b)| b);
        for d in &spec.documents {
            let Some(doc) = file(&d.file) else {
                return content(format!("{} has no {}", spec.name, d.file));
            };
            if let Err(e) = l.validate_document(&d.file, doc) {
                return content(format!("{}: {e}", d.file));
            }
            if d.signed {
                let sound = file(&format!("{}.sig", d.file))
                    .and_then(|s| volost_smev::gost::cms_verify_detached(s, doc).ok());
                let same = sound.is_some_and(
                    |c| matches!((c.to_der(), signer.to_der()), (Ok(a), Ok(b)) if a == b),
                );
                if !same {
                    return content(format!(
                        "{}.sig is not the sender's signature of it",
                        d.file
                    ));
                }
            }
        }
        None
    }

    /// The answer to `req` from its package's sample, with the request's values and the
    /// scenario's `extra` put where names meet; `None` when the kind has no sample answer.
    pub fn answer(&self, req: &Element, extra: &BTreeMap<String, String>) -> Option<String> {
        let l = self.package(req)?;
        let sample = l.sample_answer()?;
        let mut answer = volost_smev::xml::parse(std::str::from_utf8(&sample).ok()?).ok()?;
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        leaves(req, &mut values);
        for (k, v) in extra {
            values.insert(plain(k), v.clone());
        }
        fill(&mut answer, &values);
        let text = volost_smev::c14n::canonical_text(&answer);
        if l.validate(text.as_bytes()).is_ok() {
            return Some(text);
        }
        // The request's values do not fit the answer's types: the sample as it is.
        let as_is = volost_smev::xml::parse(std::str::from_utf8(&sample).ok()?).ok()?;
        Some(volost_smev::c14n::canonical_text(&as_is))
    }
}

/// The trimmed text of `e`'s child `local` in `ns`.
fn text(e: &Element, ns: &str, local: &str) -> String {
    e.child(ns, local)
        .map(|c| c.text().trim().to_string())
        .unwrap_or_default()
}

/// A name with case and `_` ignored: a form key meets an element's name.
fn plain(s: &str) -> String {
    s.replace('_', "").to_lowercase()
}

/// The request's leaf values by plain name (the first of each name).
fn leaves(e: &Element, out: &mut BTreeMap<String, String>) {
    for c in e.elements() {
        if c.elements().next().is_none() {
            out.entry(plain(&c.local)).or_insert_with(|| c.text());
        } else {
            leaves(c, out);
        }
    }
}

fn fill(e: &mut Element, values: &BTreeMap<String, String>) {
    for c in e.children.iter_mut() {
        if let Node::Element(k) = c {
            if k.elements().next().is_none() {
                if let Some(v) = values.get(&plain(&k.local)) {
                    k.children = vec![Node::Text(v.clone())];
                }
            } else {
                fill(k, values);
            }
        }
    }
}
