//! Printed documents: the core's [`Documents`] port on `volost-docs` (typst).
//!
//! The fonts are read when the first document is asked for, not at start: a node that never
//! prints does not hold them, and a node whose fonts are missing still starts and says so
//! when a document is asked for (and in its log).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use volost_core::service::{Documents, Node};
use volost_docs::Renderer;
use volost_domain::DocumentKind;

pub struct Paper {
    fonts: PathBuf,
    renderer: OnceLock<Result<Renderer, volost_docs::DocError>>,
}

impl Paper {
    pub fn new(fonts: PathBuf) -> Paper {
        Paper {
            fonts,
            renderer: OnceLock::new(),
        }
    }

    fn renderer(&self) -> Result<&Renderer, String> {
        self.renderer
            .get_or_init(|| {
                let r = Renderer::new(&self.fonts);
                if let Err(e) = &r {
                    tracing::error!(error = %e, "documents cannot be printed");
                }
                r
            })
            .as_ref()
            .map_err(volost_docs::DocError::russian)
    }
}

impl Documents for Paper {
    fn starter(&self, kind: DocumentKind) -> Option<String> {
        volost_docs::starter(kind.code()).map(str::to_string)
    }

    fn check(
        &self,
        template: &str,
        data: &serde_json::Value,
        today: time::Date,
    ) -> Result<(), String> {
        self.renderer()?
            .check(template, data, today)
            .map(|_| ())
            .map_err(|e| e.russian())
    }

    fn render(
        &self,
        template: &str,
        data: &serde_json::Value,
        today: time::Date,
        ident: &str,
    ) -> Result<Vec<u8>, String> {
        let r = self.renderer()?;
        let started = std::time::Instant::now();
        let pdf = r.render(template, data, today, ident).map_err(|e| {
            tracing::warn!(ident, error = %e, "document not rendered");
            e.russian()
        })?;
        tracing::debug!(
            ident,
            bytes = pdf.len(),
            ms = started.elapsed().as_millis() as u64,
            "document rendered"
        );
        Ok(pdf)
    }
}

/// Hands `node` the renderer with the fonts of `[documents] fonts`.
pub fn start(node: &Node, cfg: &volost_config::DocumentsConfig) {
    node.set_documents(Arc::new(Paper::new(cfg.fonts.clone())));
}
