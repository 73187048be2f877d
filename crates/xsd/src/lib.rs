//! XSD validation with libxml2, for the agencies' schemas of a kind's package.
//!
//! A [`Schema`] is compiled from a folder and the path of its main XSD in it. Every schema
//! document it reaches through `xs:import`, `xs:include`, `xs:redefine` or `xs:override`
//! must be a file inside that folder, named by a relative path: a package never makes the
//! node fetch anything, and the hashes it pins cover everything it uses. Documents are read
//! with no network access and no DTD; a document that declares one is refused before libxml2
//! sees it (SMEV's content has none).
//!
//! libxml2's contexts are not shared between threads: a `Schema` is `!Send`, and a caller
//! that validates on several threads compiles one per thread.

use libxml::parser::{Parser, ParserOptions};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
use libxml::tree::{Document, Node};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// One thing libxml2 found wrong, with the line of the document it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<u32>,
    /// libxml2's message (English, as `xmllint` prints it), trimmed.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a schema set could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{file}: cannot read it: {why}")]
    Unreadable { file: PathBuf, why: String },
    #[error("{file}: schemaLocation «{location}» is not a file inside the package")]
    Outside { file: PathBuf, location: String },
    #[error("{file}: not a schema: {}", list(.problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

/// Why a document does not validate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Invalid {
    #[error("not well-formed XML")]
    NotXml,
    #[error("a DTD is not allowed")]
    Dtd,
    #[error("{}", list(.0))]
    Schema(Vec<Problem>),
}

fn list(p: &[Problem]) -> String {
    p.iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A compiled schema set, ready to validate documents.
pub struct Schema {
    ctx: SchemaValidationContext,
    /// Every schema document the set reads, the main one first (for hashes and listings).
    files: Vec<PathBuf>,
    /// The global elements the set declares, as (target namespace, name).
    roots: Vec<(String, String)>,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema")
            .field("files", &self.files)
            .finish()
    }
}

fn options() -> ParserOptions<'static> {
    // Strict (no recovery from a broken document) and quiet: libxml2 would print a broken
    // document's errors to the process's stderr.
    ParserOptions {
        recover: false,
        no_net: true,
        no_def_dtd: true,
        no_error: true,
        no_warning: true,
        ..ParserOptions::default()
    }
}

fn problems(errs: Vec<libxml::error::StructuredError>) -> Vec<Problem> {
    errs.into_iter()
        .map(|e| Problem {
            line: e
                .line
                .and_then(|l| u32::try_from(l).ok())
                .filter(|l| *l > 0),
            message: e.message.unwrap_or_default().trim().to_string(),
        })
        .collect()
}

/// The global elements a schema document declares, in its target namespace.
fn globals(doc: &Document) -> Vec<(String, String)> {
    let Some(root) = doc.get_root_element() else {
        return Vec::new();
    };
    let ns = root.get_attribute("targetNamespace").unwrap_or_default();
    root.get_child_elements()
        .into_iter()
        .filter(|e| e.get_name() == "element")
        .filter_map(|e| e.get_attribute("name"))
        .map(|name| (ns.clone(), name))
        .collect()
}

/// The `schemaLocation`s a schema document names for other schema documents.
fn locations(doc: &Document) -> Vec<String> {
    fn walk(n: &Node, out: &mut Vec<String>) {
        let local = n.get_name();
        if matches!(
            local.as_str(),
            "import" | "include" | "redefine" | "override"
        ) && let Some(l) = n.get_attribute("schemaLocation")
        {
            out.push(l);
        }
        for c in n.get_child_elements() {
            walk(&c, out);
        }
    }
    let mut out = Vec::new();
    if let Some(root) = doc.get_root_element() {
        walk(&root, &mut out);
    }
    out
}

/// `location`, named from `from`'s folder, as a path inside `dir`; `None` when it is a URL,
/// absolute, or climbs out.
fn inside(dir: &Path, from: &Path, location: &str) -> Option<PathBuf> {
    if location.contains(':') || location.starts_with('/') || location.contains('\\') {
        return None;
    }
    let mut p = from.parent()?.to_path_buf();
    for c in Path::new(location).components() {
        match c {
            Component::Normal(s) => p.push(s),
            Component::CurDir => {}
            Component::ParentDir => {
                if !p.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    p.starts_with(dir).then_some(p)
}

impl Schema {
    /// Compiles the schema set whose main document is `main`, a path inside `dir`.
    pub fn compile(dir: &Path, main: &str) -> Result<Schema, SchemaError> {
        let dir = dir.canonicalize().map_err(|e| SchemaError::Unreadable {
            file: dir.to_path_buf(),
            why: e.to_string(),
        })?;
        let first = inside(&dir, &dir.join("x"), main).ok_or_else(|| SchemaError::Outside {
            file: dir.clone(),
            location: main.to_string(),
        })?;
        // Every document the set reaches, checked before libxml2 compiles it.
        let mut files = Vec::new();
        let mut roots = Vec::new();
        let mut seen = BTreeSet::new();
        let mut todo = vec![first.clone()];
        while let Some(file) = todo.pop() {
            if !seen.insert(file.clone()) {
                continue;
            }
            let text = std::fs::read(&file).map_err(|e| SchemaError::Unreadable {
                file: file.clone(),
                why: e.to_string(),
            })?;
            if has_dtd(&text) {
                return Err(SchemaError::Unreadable {
                    file,
                    why: "a DTD is not allowed".into(),
                });
            }
            let doc = Parser::default()
                .parse_string_with_options(&text, options())
                .map_err(|_| SchemaError::Unreadable {
                    file: file.clone(),
                    why: "not well-formed XML".into(),
                })?;
            for l in locations(&doc) {
                match inside(&dir, &file, &l) {
                    Some(p) => todo.push(p),
                    None => {
                        return Err(SchemaError::Outside { file, location: l });
                    }
                }
            }
            roots.extend(globals(&doc));
            files.push(file);
        }
        let path = first.to_string_lossy().into_owned();
        // The crate panics only where libxml2 could not allocate a context; a schema that
        // cannot be compiled must still not take the process down.
        let compiled = std::panic::catch_unwind(|| {
            let mut parser = SchemaParserContext::from_file(&path);
            SchemaValidationContext::from_parser(&mut parser)
        });
        match compiled {
            Ok(Ok(ctx)) => Ok(Schema { ctx, files, roots }),
            Ok(Err(errs)) => Err(SchemaError::Invalid {
                file: first,
                problems: problems(errs),
            }),
            Err(_) => Err(SchemaError::Invalid {
                file: first,
                problems: vec![Problem {
                    line: None,
                    message: "libxml2 could not make a schema context".into(),
                }],
            }),
        }
    }

    /// The schema documents the set reads, the main one first.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Whether the set declares a global element `name` in namespace `ns`: what a document
    /// of it may have as its root.
    pub fn declares(&self, ns: &str, name: &str) -> bool {
        self.roots.iter().any(|(n, e)| n == ns && e == name)
    }

    /// Validates a document against the schema set.
    pub fn validate(&mut self, xml: &[u8]) -> Result<(), Invalid> {
        if has_dtd(xml) {
            return Err(Invalid::Dtd);
        }
        let doc = Parser::default()
            .parse_string_with_options(xml, options())
            .map_err(|_| Invalid::NotXml)?;
        self.ctx
            .validate_document(&doc)
            .map_err(|e| Invalid::Schema(problems(e)))
    }
}

/// Whether the document declares a DTD (which could define entities).
fn has_dtd(xml: &[u8]) -> bool {
    xml.windows(9).any(|w| w.eq_ignore_ascii_case(b"<!DOCTYPE"))
}
