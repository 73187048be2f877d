//! Printed documents: a typst template and a document's data in, a PDF/A out.
//!
//! A template is typst markup an administrator can read and edit. It sees exactly two
//! things of the outside world: the document's data, as the file `data.json` (`#let d =
//! json("data.json")`), and the fonts of one folder (Debian's `fonts-paratype` on the node:
//! PT Serif, PT Sans, PT Mono), so the same template and data give the same PDF on any
//! machine. Every other file, package or font is refused; the date is the one given.
//!
//! A template that does not compile is refused with the line typst names
//! ([`DocError::Template`]), so an edit can be shown back to the one who made it.
//!
//! The renderer knows nothing of the node: no database, no HTTP, no SMEV. The node builds
//! the data (`volost_core`'s documents) and keeps the PDF.

mod world;

use std::path::{Path, PathBuf};
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::Smart;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

/// Where Debian's `fonts-paratype` puts its fonts: the folder the node's documents are set
/// in (the `.deb` and the image depend on the package).
pub const DEFAULT_FONTS: &str = "/usr/share/fonts/truetype/paratype";

/// The largest template accepted, in bytes: a page of markup is a few kilobytes.
pub const MAX_TEMPLATE: usize = 256 * 1024;
/// The largest document data accepted, in bytes of JSON: a journal for a year of a council
/// is well under a megabyte.
pub const MAX_DATA: usize = 4 * 1024 * 1024;
/// The most pages one document may have: a template that loops away is refused, not kept.
pub const MAX_PAGES: usize = 500;
/// Fonts read from the folder at most, and the largest font file: bounds what start reads.
const MAX_FONT_FILES: usize = 64;
const MAX_FONT_BYTES: u64 = 32 * 1024 * 1024;

/// Why a document could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocError {
    /// The fonts folder is missing, unreadable or holds no font.
    #[error("fonts in {dir}: {why}")]
    Fonts { dir: PathBuf, why: String },
    /// The template is wrong: typst's message and the line of the template it is on.
    #[error("{}", match .line { Some(l) => format!("line {l}: {message}"), None => message.clone() })]
    Template {
        line: Option<usize>,
        message: String,
    },
    /// The template or its data is larger than allowed, or the document has too many pages.
    #[error("{0}")]
    TooLarge(String),
    /// The PDF could not be written (typst's exporter refused the document).
    #[error("PDF: {0}")]
    Pdf(String),
}

impl DocError {
    /// The problem in Russian, for the administrator who edits a template or the staff
    /// member who asked for a document. Typst's own message stays English (it is what its
    /// documentation says), after the line it is on.
    pub fn russian(&self) -> String {
        match self {
            DocError::Fonts { dir, .. } => format!(
                "Не найдены шрифты документов в {} (пакет fonts-paratype)",
                dir.display()
            ),
            DocError::Template {
                line: Some(l),
                message,
            } => format!("Ошибка в шаблоне, строка {l}: {message}"),
            DocError::Template {
                line: None,
                message,
            } => format!("Ошибка в шаблоне: {message}"),
            DocError::TooLarge(what) => format!("Документ не сформирован: {what}"),
            DocError::Pdf(why) => format!("Не удалось записать PDF: {why}"),
        }
    }
}

/// A day as the document is dated: what typst's `datetime.today()` returns.
pub type Day = time::Date;

/// The fonts and typst's standard library, loaded once and shared by every render
/// (`Send + Sync`: the daemon keeps one).
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl Renderer {
    /// Reads every font of `dir` (not its subfolders).
    pub fn new(dir: &Path) -> Result<Renderer, DocError> {
        let fail = |why: String| DocError::Fonts {
            dir: dir.to_path_buf(),
            why,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| fail(e.to_string()))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf"))
            })
            .collect();
        // A stable order gives the same font indices, hence the same PDF, on every start.
        paths.sort();
        if paths.len() > MAX_FONT_FILES {
            return Err(fail(format!(
                "{} font files, more than {MAX_FONT_FILES}",
                paths.len()
            )));
        }
        let mut fonts = Vec::new();
        for p in &paths {
            let len = std::fs::metadata(p)
                .map_err(|e| fail(format!("{}: {e}", p.display())))?
                .len();
            if len > MAX_FONT_BYTES {
                return Err(fail(format!("{}: larger than 32 MB", p.display())));
            }
            let data = std::fs::read(p).map_err(|e| fail(format!("{}: {e}", p.display())))?;
            fonts.extend(Font::iter(typst::foundations::Bytes::new(data)));
        }
        if fonts.is_empty() {
            return Err(fail("no TrueType or OpenType font".into()));
        }
        Ok(Renderer {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        })
    }

    /// The families of the fonts read, for the administrator's help.
    pub fn families(&self) -> Vec<String> {
        let mut f: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        f.dedup();
        f
    }

    /// `template` with `data`, dated `today`, as a PDF/A-2b (the archival PDF: fonts
    /// embedded, nothing fetched). `ident` names the document stably (an application's
    /// number and the document's kind), so the same document rendered again has the same
    /// identifier.
    pub fn render(
        &self,
        template: &str,
        data: &serde_json::Value,
        today: Day,
        ident: &str,
    ) -> Result<Vec<u8>, DocError> {
        let doc = self.compile(template, data, today)?;
        let standards = PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|e| DocError::Pdf(e.message().to_string()))?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some("volost".into())),
            // PDF/A wants the document's date: the day it is dated, never the clock, so the
            // same document rendered again is the same bytes.
            timestamp: Some(typst_pdf::Timestamp::new_utc(world::day(today, true))),
            page_ranges: None,
            standards,
            tagged: true,
            pretty: false,
        };
        let pdf = typst_pdf::pdf(&doc, &options).map_err(|errors| DocError::Pdf(first(&errors)));
        // typst memoises every step; without eviction its caches grow with every document
        // the daemon renders. Entries unused for a few renders go.
        typst::comemo::evict(8);
        pdf
    }

    /// Compiles `template` with `data` and throws the result away: whether an edited template
    /// works, and on which line it does not.
    pub fn check(
        &self,
        template: &str,
        data: &serde_json::Value,
        today: Day,
    ) -> Result<usize, DocError> {
        let pages = self.compile(template, data, today).map(|d| d.pages().len());
        typst::comemo::evict(8);
        pages
    }

    fn compile(
        &self,
        template: &str,
        data: &serde_json::Value,
        today: Day,
    ) -> Result<PagedDocument, DocError> {
        if template.len() > MAX_TEMPLATE {
            return Err(DocError::TooLarge(format!(
                "шаблон больше {} КБ",
                MAX_TEMPLATE / 1024
            )));
        }
        let json = serde_json::to_vec(data).map_err(|e| DocError::TooLarge(e.to_string()))?;
        if json.len() > MAX_DATA {
            return Err(DocError::TooLarge(format!(
                "данные документа больше {} МБ",
                MAX_DATA / 1024 / 1024
            )));
        }
        let world = world::DocWorld::new(self, template, json, today);
        let doc = typst::compile::<PagedDocument>(&world)
            .output
            .map_err(|errors| world.template_error(&errors))?;
        if doc.pages().len() > MAX_PAGES {
            return Err(DocError::TooLarge(format!(
                "в документе {} страниц, больше {MAX_PAGES}",
                doc.pages().len()
            )));
        }
        Ok(doc)
    }
}

/// The first error of a list typst gave, as text (its message and hints).
fn first(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .find(|e| e.severity == Severity::Error)
        .or(errors.first())
        .map(|e| {
            let mut s = e.message.to_string();
            for h in &e.hints {
                s.push_str("; ");
                s.push_str(&h.v);
            }
            s
        })
        .unwrap_or_else(|| "unknown error".into())
}

#[cfg(test)]
mod tests;

/// The blank template of a document whose form a federal act sets: it names the act and says
/// the administrator puts the form in; the node prints such a document only with a text of
/// the body's own.
pub const FEDERAL_BLANK: &str = include_str!("../templates/federal.typ");

/// The starter templates the catalog ships, by the code of the document's kind: what a new
/// node prints with until an administrator edits them.
pub fn starter(code: &str) -> Option<&'static str> {
    match code {
        "receipt" => Some(include_str!("../templates/receipt.typ")),
        "journal" => Some(include_str!("../templates/journal.typ")),
        "refusal" => Some(include_str!("../templates/refusal.typ")),
        "request" => Some(include_str!("../templates/request.typ")),
        "result" => Some(include_str!("../templates/result.typ")),
        // The forms a federal act sets: a blank that names the act, never a stand-in of the
        // form; the node prints such a kind only with the body's own text.
        "address_refusal" | "household_land" | "redevelopment" | "housing_commission" => {
            Some(FEDERAL_BLANK)
        }
        _ => None,
    }
}
