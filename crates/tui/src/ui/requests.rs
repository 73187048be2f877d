//! Drawing requests: the three request lists, a request card, and an application card's
//! tabs of its requests.

use super::table::selectable;
use super::{card_frame, empty, history, labelled, menu_popup, scrolled};
use crate::screens::requests::{ReqTab, ReqView};
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row};
use volost_api::{OutRow, RegRow};

// At 80 columns the number and the status must show whole: the dates go first.
pub(super) fn out_rows(rows: &[OutRow], wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>> {
    rows.iter()
        .map(|r| {
            let mut cells = vec![Cell::from(r.number.clone()), Cell::from(r.kind.clone())];
            if wide {
                cells.push(Cell::from(r.agency.clone()));
            }
            cells.push(Cell::from(r.status.label()));
            if wide {
                cells.push(Cell::from(r.created.display(offset)));
                cells.push(Cell::from(r.updated.display(offset)));
            }
            Row::new(cells)
        })
        .collect()
}

pub(super) fn out_header(wide: bool) -> (Vec<&'static str>, Vec<Constraint>) {
    if wide {
        (
            vec![
                text::COL_NUMBER,
                text::COL_KIND,
                text::COL_AGENCY,
                text::COL_STATUS,
                text::COL_REQ_CREATED,
                text::COL_UPDATED,
            ],
            vec![
                Constraint::Length(14),
                Constraint::Min(20),
                Constraint::Length(18),
                Constraint::Length(30),
                Constraint::Length(16),
                Constraint::Length(16),
            ],
        )
    } else {
        (
            vec![text::COL_NUMBER, text::COL_KIND, text::COL_STATUS],
            // «Запрос не принят в ведомстве», the longest status, whole.
            vec![
                Constraint::Length(14),
                Constraint::Min(10),
                Constraint::Length(28),
            ],
        )
    }
}

pub(super) fn reg_rows(rows: &[RegRow], wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>> {
    rows.iter()
        .map(|r| {
            let mut cells = vec![
                Cell::from(r.subject.clone()),
                Cell::from(r.counterpart.clone()),
                Cell::from(if r.to_us {
                    text::DIR_TO_US
                } else {
                    text::DIR_FROM_US
                }),
                Cell::from(r.status.label()),
            ];
            if wide {
                cells.push(Cell::from(r.created.display(offset)));
            }
            Row::new(cells)
        })
        .collect()
}

pub(super) fn reg_header(wide: bool) -> (Vec<&'static str>, Vec<Constraint>) {
    let mut header = vec![
        text::COL_SUBJECT,
        text::COL_BODY,
        text::COL_DIRECTION,
        text::COL_STATUS,
    ];
    let mut widths = vec![
        Constraint::Min(14),
        // The body's name is what tells requests apart: a third of the width, at least 16.
        Constraint::Max(if wide { 40 } else { 28 }),
        Constraint::Length(if wide { 12 } else { 6 }),
        Constraint::Length(9),
    ];
    if wide {
        header.push(text::COL_REQ_CREATED);
        widths.push(Constraint::Length(16));
    }
    (header, widths)
}

/// An application card's tab of its interagency (`out`) or regional (`reg`) requests.
pub(super) fn app_requests(
    f: &mut Frame,
    area: Rect,
    out: Option<&[OutRow]>,
    reg: Option<&[RegRow]>,
    selected: usize,
    offset: time::UtcOffset,
) {
    let wide = area.width >= 110;
    let block = Block::default();
    let (header, widths, rows) = match (out, reg) {
        (Some(o), _) => {
            let (h, w) = out_header(wide);
            (h, w, out_rows(o, wide, offset))
        }
        (None, Some(r)) => {
            let (h, w) = reg_header(wide);
            (h, w, reg_rows(r, wide, offset))
        }
        (None, None) => return empty(f, area, block, text::NO_RIGHT_TAB),
    };
    if rows.is_empty() {
        return empty(f, area, block, text::EMPTY_REQUESTS);
    }
    selectable(f, area, block, header, rows, widths, selected);
}

pub(super) fn card(
    f: &mut Frame,
    area: Rect,
    v: &ReqView,
    offset: time::UtcOffset,
    people: &[(volost_domain::UserId, String)],
) {
    let selected = ReqTab::ALL.iter().position(|x| *x == v.tab).unwrap_or(0);
    let labels: Vec<&str> = ReqTab::ALL.iter().map(|t| t.label()).collect();
    let body = card_frame(f, area, &format!(" {} ", v.title), &labels, selected);
    match v.tab {
        ReqTab::Data => lines(f, body, &v.data, v),
        ReqTab::Answer if v.answer.is_empty() => {
            f.render_widget(Paragraph::new(text::NO_ANSWER), body);
        }
        ReqTab::Answer => lines(f, body, &v.answer, v),
        ReqTab::Files => super::files::files(f, body, &v.files, &[], offset),
        ReqTab::History => history(f, body, &v.history, offset, people),
    }
    if let Some(m) = &v.menu {
        menu_popup(f, area, m);
    }
}

/// Labelled lines, scrolled as the card is; a label with no value is a heading.
fn lines(f: &mut Frame, area: Rect, kv: &[(String, String)], v: &ReqView) {
    let longest = kv
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(16);
    let kw = longest.min(area.width as usize / 3).max(12);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let out: Vec<Line> = kv
        .iter()
        .flat_map(|(k, val)| {
            if val.is_empty() {
                vec![Line::styled(k.clone(), bold)]
            } else {
                labelled(k, val, kw, area.width as usize)
            }
        })
        .collect();
    scrolled(f, area, out, v.scroll, &v.scroll_max);
}
