//! Spreadsheets as operations: the period report and the journal of outgoing requests, each
//! read under the same rights as on screen and written by [`crate::export`].

use super::{Actor, Error, Node, Result};
use crate::export::{self, FileFormat};
pub use volost_api::view::Exported;
use volost_domain::display_date;

/// A spreadsheet made on the node: a file name to offer and the bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportFile {
    pub name: String,
    pub data: Vec<u8>,
}

impl Node {
    /// `what` as a file of `format`.
    pub fn export(&self, actor: Actor, what: &Exported, format: FileFormat) -> Result<ExportFile> {
        let offset = self.options().utc_offset;
        let (stem, tables) = match what {
            Exported::Report(q) => {
                let r = self.report(actor, q)?;
                (
                    format!("Отчёт {}–{}", display_date(r.from), display_date(r.to)),
                    export::report_tables(&r),
                )
            }
            Exported::Journal(f) => {
                let rows = self.outgoing_journal(actor, f)?;
                let today = self.now().date(offset);
                let title = format!(
                    "Журнал исходящих межведомственных запросов на {} (запросов: {})",
                    display_date(today),
                    rows.len()
                );
                (
                    format!("Журнал запросов {}", display_date(today)),
                    vec![export::journal_table(&rows, offset, &title)],
                )
            }
        };
        let data = match format {
            FileFormat::Csv => export::csv(&tables).into_bytes(),
            FileFormat::Xlsx => {
                export::xlsx(&tables).map_err(|e| Error::Internal(e.to_string()))?
            }
        };
        Ok(ExportFile {
            name: format!("{stem}.{}", format.extension()),
            data,
        })
    }
}
