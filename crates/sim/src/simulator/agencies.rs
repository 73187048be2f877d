//! The agencies as the simulator plays them (issue 29): the starter catalog's packages,
//! loaded as the node loads them. A request of a packaged kind must validate against the
//! agency's schema — SMEV refuses one that does not with `InvalidContent` — and is answered
//! with the package's sample answer, about the person asked: where an element of the answer
//! and one of the request have the same name (`FamilyName`, `BirthDate`), the request's
//! value is put in, as a register answers about whom it was asked. Kinds with no package or
//! no sample answer are answered the old way (the form's fields).

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
