//! What a template sees of the world: itself, `data.json`, the renderer's fonts and one date.

use super::{DocError, Renderer};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

/// The name the data has in a template: `json("data.json")`.
pub const DATA_FILE: &str = "data.json";

pub(crate) struct DocWorld<'a> {
    renderer: &'a Renderer,
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Datetime,
}

/// A day as typst's date (at midnight when `with_time`).
pub(crate) fn day(d: super::Day, with_time: bool) -> Datetime {
    if with_time {
        Datetime::Datetime(d.midnight())
    } else {
        Datetime::Date(d)
    }
}

fn file_id(name: &str) -> FileId {
    // Both names are constants of this module: a bad one is a bug here, found by any test.
    #[allow(clippy::expect_used)]
    let path = VirtualPath::new(name).expect("a valid virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, path))
}

impl<'a> DocWorld<'a> {
    pub fn new(
        renderer: &'a Renderer,
        template: &str,
        data: Vec<u8>,
        today: super::Day,
    ) -> DocWorld<'a> {
        DocWorld {
            renderer,
            main: Source::new(file_id("template.typ"), template.to_string()),
            data_id: file_id(DATA_FILE),
            data: Bytes::new(data),
            today: day(today, false),
        }
    }

    /// The first error typst gave, with the template's line when it points into it (an
    /// error inside a function points to the call in the template through its trace).
    pub fn template_error(&self, errors: &[SourceDiagnostic]) -> DocError {
        let e = errors
            .iter()
            .find(|e| e.severity == Severity::Error)
            .or(errors.first());
        let Some(e) = e else {
            return DocError::Template {
                line: None,
                message: "unknown error".into(),
            };
        };
        let spans = std::iter::once(e.span).chain(e.trace.iter().map(|t| t.span.into()));
        let line = spans.into_iter().find_map(|span| match span.get() {
            DiagSpanKind::Number { id, num, sub_range } if id == self.main.id() => {
                let range = self.main.range(num, sub_range)?;
                self.main.lines().byte_to_line(range.start).map(|l| l + 1)
            }
            _ => None,
        });
        DocError::Template {
            line,
            message: super::first(std::slice::from_ref(e)),
        }
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(refused(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(refused(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// A template may read only its data: any other file or package is refused, so a template
/// never reaches the node's disk.
fn refused(id: FileId) -> FileError {
    FileError::Other(Some(
        format!(
            "a template reads only {DATA_FILE}, not {}",
            id.get().vpath().get_with_slash()
        )
        .into(),
    ))
}
