//! Drawing the template editor: a tab strip (passport or head, steps, fields) and a table.

use super::{card_frame, empty, selectable};
use crate::screens::template::{TemplateView, TplTab};
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Cell, Row};
use volost_domain::{Field, FieldType};

/// What bounds a field has, in a few words: its variants, length or range.
fn limits(f: &Field) -> String {
    let mut out = Vec::new();
    if f.ftype == FieldType::Choice {
        out.push(f.choices.join(" / "));
    }
    if let Some(n) = f.max_len {
        out.push(format!("≤ {n} зн."));
    }
    match (f.min, f.max) {
        (Some(a), Some(b)) => out.push(format!("{a}…{b}")),
        (Some(a), None) => out.push(format!("≥ {a}")),
        (None, Some(b)) => out.push(format!("≤ {b}")),
        (None, None) => {}
    }
    out.join("; ")
}

pub(super) fn draw(f: &mut Frame, area: Rect, v: &TemplateView) {
    let service = v.is_service();
    let tabs = v.tabs();
    let labels: Vec<&str> = tabs.iter().map(|t| t.label(service)).collect();
    let selected = tabs.iter().position(|t| *t == v.tab).unwrap_or(0);
    let body = card_frame(f, area, &v.title(), &labels, selected);
    let (header, widths, rows): (Vec<&str>, Vec<Constraint>, Vec<Row>) = match v.tab {
        TplTab::Head => (
            vec![text::COL_NAME, text::COL_VALUE],
            vec![Constraint::Length(34), Constraint::Min(20)],
            v.head()
                .into_iter()
                .map(|(l, val)| {
                    let val = if val.is_empty() {
                        text::RG_EMPTY.to_string()
                    } else {
                        val
                    };
                    Row::new(vec![Cell::from(l), Cell::from(val)])
                })
                .collect(),
        ),
        TplTab::Steps => (
            vec![
                text::COL_STEP_NO,
                text::COL_STEP,
                text::COL_ROLES_STEP,
                text::COL_DAYS,
            ],
            vec![
                Constraint::Length(3),
                Constraint::Min(20),
                Constraint::Percentage(35),
                Constraint::Length(9),
            ],
            v.steps()
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let roles: Vec<String> = s
                        .roles
                        .iter()
                        .map(|c| {
                            v.roles
                                .iter()
                                .find(|r| &r.code == c)
                                .map_or(c.clone(), |r| r.name.clone())
                        })
                        .collect();
                    Row::new(vec![
                        Cell::from((i + 1).to_string()),
                        Cell::from(s.name.clone()),
                        Cell::from(roles.join(", ")),
                        Cell::from(s.days.to_string()),
                    ])
                })
                .collect(),
        ),
        TplTab::Fields | TplTab::Answer => (
            vec![
                text::COL_KEY,
                text::COL_LABEL,
                text::COL_TYPE,
                text::COL_REQUIRED,
                text::COL_LIMITS,
            ],
            vec![
                Constraint::Length(14),
                Constraint::Min(20),
                Constraint::Length(8),
                Constraint::Length(6),
                Constraint::Percentage(25),
            ],
            v.fields()
                .iter()
                .map(|fl| {
                    Row::new(vec![
                        Cell::from(fl.key.clone()),
                        Cell::from(fl.label.clone()),
                        Cell::from(fl.ftype.label()),
                        Cell::from(if fl.required { text::YES } else { "" }),
                        Cell::from(limits(fl)),
                    ])
                })
                .collect(),
        ),
    };
    if rows.is_empty() {
        empty(f, body, Block::default(), text::TP_EMPTY);
    } else {
        selectable(f, body, Block::default(), header, rows, widths, v.row);
    }
}
