//! Drawing a card's «Файлы» tab.

use super::{empty, selectable};
use crate::text;
use crate::widgets::files::FilesTab;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Cell, Row};
use volost_domain::{Field, size_label};

/// The files of a card, oldest first; `fields` name the form field a file fills.
pub(super) fn files(
    f: &mut Frame,
    area: Rect,
    tab: &FilesTab,
    fields: &[Field],
    offset: time::UtcOffset,
) {
    let block = Block::default();
    let Some(list) = &tab.files else {
        return empty(f, area, block, text::NO_FILES_RIGHT);
    };
    if list.is_empty() {
        return empty(f, area, block, text::NO_FILES);
    }
    let wide = area.width >= 100;
    let rows = list
        .iter()
        .map(|a| {
            let mut cells = vec![Cell::from(a.name.clone())];
            if wide {
                let field = a.field.as_ref().map(|k| {
                    fields
                        .iter()
                        .find(|f| &f.key == k)
                        .map_or_else(|| k.clone(), |f| f.label.clone())
                });
                cells.push(Cell::from(field.unwrap_or_default()));
            }
            cells.push(Cell::from(size_label(a.size)));
            cells.push(Cell::from(a.added.display(offset)));
            Row::new(cells)
        })
        .collect();
    let mut header = vec![text::COL_FILE];
    let mut widths = vec![Constraint::Min(16)];
    if wide {
        header.push(text::COL_FIELD);
        widths.push(Constraint::Percentage(40));
    }
    header.extend([text::COL_SIZE, text::COL_ADDED]);
    widths.extend([Constraint::Length(9), Constraint::Length(16)]);
    selectable(f, area, block, header, rows, widths, tab.row);
}
