//! Documents a ВС takes zipped in one attachment beside its element. Росреестр's
//! egrn-statement 1.1.2 is the case: its `Request` only describes the attachment, while the
//! statement itself (`EGRNRequest`) and the package's inventory (`request`) travel as XML
//! files inside a ZIP, each with the body's detached signature beside it as `FILE.sig`
//! (docs/research/egrn-query/REPORT.md). Each document has its own schema set and its own
//! mapping in the package, made from the same staff form as the element; the node validates
//! each before anything is signed. The archive and the signatures are made later, by the
//! exchange's runner, which holds the node's key (`outbox`).

use super::package::{Package, PackageError, SAMPLE_FORM};
use crate::xml::Element;
use serde::Deserialize;

/// No packet holds more documents; Росреестр's has two.
const MAX_DOCUMENTS: usize = 16;

/// `[packet]` in `kind.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PacketSpec {
    /// The attachment's file name, also its content id in SMEV (`request.zip`).
    pub name: String,
    #[serde(rename = "document")]
    pub documents: Vec<DocumentSpec>,
}

/// `[[packet.document]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// Its name in the archive (`app_1.xml`), which the element's mapping names too.
    pub file: String,
    /// The main schema document, a path in the package.
    pub schema: String,
    /// The mapping that makes it from the staff form, a path in the package.
    pub mapping: String,
    /// A published document of this kind, a path in the package; it must validate.
    #[serde(default)]
    pub sample: Option<String>,
    /// Whether the body's detached signature travels beside it as `FILE.sig`.
    #[serde(default)]
    pub signed: bool,
}

/// A plain file name: no folder, nothing a ZIP reader could take for a path.
fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl PacketSpec {
    fn check(&self, p: &Package) -> Result<(), PackageError> {
        let bad = |m: String| Err(PackageError::Description(format!("packet: {m}")));
        if !plain_name(&self.name) || !self.name.ends_with(".zip") {
            return bad(format!("name «{}»: имя файла .zip без папок", self.name));
        }
        if self.documents.is_empty() || self.documents.len() > MAX_DOCUMENTS {
            return bad(format!("от 1 до {MAX_DOCUMENTS} документов"));
        }
        let mut names = std::collections::BTreeSet::new();
        for d in &self.documents {
            if !plain_name(&d.file) {
                return bad(format!("file «{}»: имя файла без папок", d.file));
            }
            for n in [d.file.clone(), format!("{}.sig", d.file)] {
                if !names.insert(n.clone()) {
                    return bad(format!("имя «{n}» встречается дважды"));
                }
            }
            for path in [Some(&d.schema), Some(&d.mapping), d.sample.as_ref()]
                .into_iter()
                .flatten()
            {
                if !p.description.files.contains_key(path) {
                    return bad(format!("{path} должен быть в списке files"));
                }
            }
        }
        Ok(())
    }
}

/// The package's packet spec; `None` when it has none.
pub fn spec(p: &Package) -> Option<&PacketSpec> {
    p.description.packet.as_ref()
}

/// The documents' mappings, parsed, in the spec's order (empty without a packet).
pub fn templates(p: &Package) -> Result<Vec<Element>, PackageError> {
    let Some(s) = spec(p) else {
        return Ok(Vec::new());
    };
    s.documents
        .iter()
        .map(|d| p.read_mapping(&d.mapping, None))
        .collect()
}

/// Checks a package's packet when it opens: its spec, each document's schema set (pinned
/// by the package's hashes), its sample, and the sample form mapped through it.
pub fn check(p: &Package) -> Result<(), PackageError> {
    let Some(s) = spec(p) else {
        return Ok(());
    };
    s.check(p)?;
    let templates = templates(p)?;
    let form_text =
        std::fs::read(p.dir.join(SAMPLE_FORM)).map_err(|e| PackageError::Unreadable {
            path: SAMPLE_FORM.into(),
            why: e.to_string(),
        })?;
    let form: std::collections::BTreeMap<String, String> = serde_json::from_slice(&form_text)
        .map_err(|e| PackageError::Sample {
            path: SAMPLE_FORM.into(),
            why: e.to_string(),
        })?;
    for (d, t) in s.documents.iter().zip(&templates) {
        let mut schema = p.schema_at(&d.schema)?;
        if let Some(sample) = &d.sample {
            let data = std::fs::read(p.dir.join(sample)).map_err(|e| PackageError::Unreadable {
                path: sample.clone(),
                why: e.to_string(),
            })?;
            schema.validate(&data).map_err(|e| PackageError::Sample {
                path: sample.clone(),
                why: e.to_string(),
            })?;
        }
        super::package::render_sample(
            t,
            &mut schema,
            &form,
            &format!("{SAMPLE_FORM} → {}", d.file),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_are_plain_file_names() {
        for ok in ["app_1.xml", "request.xml", "req-1.zip"] {
            assert!(plain_name(ok), "{ok}");
        }
        for bad in [
            "",
            "../a.xml",
            "a/b.xml",
            ".hidden",
            "a b.xml",
            "файл.xml",
            "C:x",
        ] {
            assert!(!plain_name(bad), "{bad}");
        }
    }
}
