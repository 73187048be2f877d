//! The «Опись» tab of an application card: the documents received, one line each.

use crate::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use volost_domain::Received;

pub(crate) fn inventory(f: &mut Frame, area: Rect, items: &[Received], row: usize) {
    if items.is_empty() {
        f.render_widget(
            Paragraph::new(text::INVENTORY_EMPTY).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let header = Row::new(["№", "Наименование документа", "П/К", "Экз.", "Листов"])
        .style(Style::default().add_modifier(Modifier::BOLD));
    let name_w = (area.width as usize)
        .saturating_sub(4 + 4 + 5 + 7 + 4)
        .max(10);
    let rows: Vec<Row> = items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let name = super::wrap_words(&r.name, name_w);
            let height = name.len().max(1) as u16;
            let style = if i == row {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from((i + 1).to_string()),
                Cell::from(name.join("\n")),
                Cell::from(if r.original {
                    "подл."
                } else {
                    "копия"
                }),
                Cell::from(r.copies.to_string()),
                Cell::from(r.sheets.to_string()),
            ])
            .height(height)
            .style(style)
        })
        .collect();
    let sheets: u32 = items
        .iter()
        .map(|r| r.copies.saturating_mul(r.sheets))
        .sum();
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Min(10),
            Constraint::Length(5),
            Constraint::Length(4),
            Constraint::Length(6),
        ],
    )
    .header(header);
    let [list, total] =
        ratatui::layout::Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    f.render_widget(table, list);
    f.render_widget(
        Paragraph::new(format!("Документов: {}, листов: {sheets}", items.len())),
        total,
    );
}
