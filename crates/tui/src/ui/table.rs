//! The five lists of the main screen as one sortable table. Each kind of list says its
//! columns and its rows ([`Columns`]); the frame (name, sort column and direction, filters
//! on, the selected row's number), the empty list and the selection are drawn here once.

use super::{border, empty, requests};
use crate::app::{AppList, InList, OutList, RegList, TaskList};
use crate::text;
use crate::widgets::list::{List, Query, Sorted};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};
use volost_domain::{Queue, display_date};

/// From this width a list shows its wide columns (dates, the holder, the agency ...).
const WIDE: u16 = 110;

/// What a kind of list puts in the table.
pub(super) trait Columns {
    /// What the list says when it is empty.
    const EMPTY: &'static str;
    /// The header and the widths; `inner` is the width inside the frame.
    fn columns(&self, wide: bool, inner: u16) -> (Vec<&'static str>, Vec<Constraint>);
    fn rows(&self, wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>>;
}

/// The list `l` named `name`, in `area`; `filters` is how many filters are on.
pub(super) fn draw<Q, R>(
    f: &mut Frame,
    area: Rect,
    l: &List<Q, R>,
    name: &str,
    focused: bool,
    offset: time::UtcOffset,
    filters: usize,
) where
    Q: Query<Row = R> + Sorted,
    List<Q, R>: Columns,
{
    let q = &l.query;
    let arrow = if q.desc() { "↓" } else { "↑" };
    let on = if filters == 0 {
        String::new()
    } else {
        format!(" · {}: {filters}", text::FILTER_TITLE)
    };
    let position = if l.rows.is_empty() { 0 } else { l.position() };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border(focused))
        .title(format!(
            " {name} · {}: {} {arrow}{on} · № {position} ",
            text::SORTED_BY,
            q.sort_label(),
        ));
    if l.rows.is_empty() {
        return empty(f, area, block, <List<Q, R> as Columns>::EMPTY);
    }
    let wide = area.width >= WIDE;
    let (header, widths) = l.columns(wide, area.width.saturating_sub(2));
    selectable(
        f,
        area,
        block,
        header,
        l.rows(wide, offset),
        widths,
        l.selected,
    );
}

/// A table with a bold header and the selected row reversed.
pub(super) fn selectable(
    f: &mut Frame,
    area: Rect,
    block: Block,
    header: Vec<&str>,
    rows: Vec<Row>,
    widths: Vec<Constraint>,
    selected: usize,
) {
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
        .block(block)
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    let mut st = TableState::default().with_selected(Some(selected));
    f.render_stateful_widget(table, area, &mut st);
}

/// A row in red where something is overdue (its text says so too).
fn marked(cells: Vec<Cell<'static>>, overdue: bool) -> Row<'static> {
    let row = Row::new(cells);
    if overdue {
        row.style(Style::default().fg(Color::Red))
    } else {
        row
    }
}

impl Columns for TaskList {
    const EMPTY: &'static str = text::EMPTY_LIST;

    fn columns(&self, wide: bool, _inner: u16) -> (Vec<&'static str>, Vec<Constraint>) {
        let mut header = vec![text::COL_APPLICATION, text::COL_TASK];
        let mut widths = vec![Constraint::Length(11), Constraint::Min(20)];
        if wide {
            header.push(if self.query.queue == Queue::Done {
                text::COL_HOLDER
            } else {
                text::COL_AUTHOR
            });
            header.push(text::COL_CREATED);
            widths.extend([Constraint::Length(16), Constraint::Length(16)]);
        }
        header.push(text::COL_DUE);
        header.push(if wide {
            text::COL_STATE
        } else {
            text::COL_OVERDUE
        });
        widths.push(Constraint::Length(10));
        widths.push(Constraint::Length(if wide { 22 } else { 12 }));
        (header, widths)
    }

    fn rows(&self, wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>> {
        let show_holder = self.query.queue == Queue::Done;
        self.rows
            .iter()
            .map(|t| {
                let overdue = t.overdue_days > 0;
                // The group queue marks applications that did not come in person («ЕПГУ · …»).
                let name = match t.source {
                    Some(s) if s != volost_domain::Source::Manual => {
                        format!("{} · {}", s.label(), t.name)
                    }
                    _ => t.name.clone(),
                };
                let mut cells = vec![
                    Cell::from(t.application.clone().unwrap_or_default()),
                    Cell::from(name),
                ];
                if wide {
                    let who = if show_holder {
                        t.holder.clone().unwrap_or_default()
                    } else {
                        t.author.clone()
                    };
                    cells.push(Cell::from(who));
                    cells.push(Cell::from(t.created.display(offset)));
                }
                cells.push(Cell::from(display_date(t.due)));
                cells.push(Cell::from(match (overdue, wide) {
                    (false, _) => String::new(),
                    (true, true) => format!(
                        "{} {} {}",
                        text::OVERDUE,
                        t.overdue_days,
                        text::WORKING_DAYS
                    ),
                    (true, false) => format!("! {} {}", t.overdue_days, text::WORKING_DAYS),
                }));
                marked(cells, overdue)
            })
            .collect()
    }
}

impl Columns for AppList {
    const EMPTY: &'static str = text::EMPTY_APPS;

    fn columns(&self, wide: bool, inner: u16) -> (Vec<&'static str>, Vec<Constraint>) {
        // The status as long as the longest one shown needs, where there is room:
        // «Утверждение положительного результата» and «Утвержден положительный результат»
        // were both cut.
        let longest = self
            .rows
            .iter()
            .map(|a| a.status.label().chars().count())
            .max()
            .unwrap_or(0) as u16;
        if wide {
            let others = 11 + 20 + 24 + 16 + 16 + 12 + 6;
            let status = longest.clamp(18, inner.saturating_sub(others).max(18));
            (
                vec![
                    text::COL_NUMBER,
                    text::COL_STATUS,
                    text::COL_SERVICE,
                    text::COL_APPLICANT,
                    text::COL_ASSIGNEE,
                    text::APP_CREATED,
                    text::APP_DUE,
                ],
                vec![
                    Constraint::Length(11),
                    Constraint::Length(status),
                    Constraint::Min(20),
                    Constraint::Length(24),
                    Constraint::Length(16),
                    Constraint::Length(16),
                    Constraint::Length(12),
                ],
            )
        } else {
            // The applicant keeps 22 at least: a status cut at 25 still tells itself apart.
            let others = 11 + 22 + 12 + 3;
            let status = longest.clamp(18, inner.saturating_sub(others).max(18));
            (
                vec![
                    text::COL_NUMBER,
                    text::COL_STATUS,
                    text::COL_APPLICANT,
                    text::APP_DUE,
                ],
                vec![
                    Constraint::Length(11),
                    Constraint::Length(status),
                    Constraint::Min(10),
                    Constraint::Length(12),
                ],
            )
        }
    }

    fn rows(&self, wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>> {
        self.rows
            .iter()
            .map(|a| {
                // The applications that did not come in person are marked before the
                // applicant, as the group queue marks their tasks; most come in person, and
                // a column of «Личный приём» would take the room the status needs.
                let applicant = match a.source {
                    volost_domain::Source::Manual => a.applicant.clone(),
                    s => format!("{} · {}", s.label(), a.applicant),
                };
                let mut cells = vec![Cell::from(a.number.clone()), Cell::from(a.status.label())];
                if wide {
                    cells.push(Cell::from(a.service.clone()));
                    cells.push(Cell::from(applicant));
                    cells.push(Cell::from(a.assignee.clone().unwrap_or_default()));
                    cells.push(Cell::from(a.created.display(offset)));
                } else {
                    cells.push(Cell::from(applicant));
                }
                let due = a.due.map(display_date).unwrap_or_default();
                cells.push(Cell::from(if a.overdue_days > 0 {
                    format!("{due} !")
                } else {
                    due
                }));
                marked(cells, a.overdue_days > 0)
            })
            .collect()
    }
}

impl Columns for OutList {
    const EMPTY: &'static str = text::EMPTY_REQUESTS;

    fn columns(&self, wide: bool, _inner: u16) -> (Vec<&'static str>, Vec<Constraint>) {
        requests::out_header(wide)
    }

    fn rows(&self, wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>> {
        requests::out_rows(&self.rows, wide, offset)
    }
}

impl Columns for InList {
    const EMPTY: &'static str = text::EMPTY_REQUESTS;

    fn columns(&self, wide: bool, _inner: u16) -> (Vec<&'static str>, Vec<Constraint>) {
        let mut header = vec![text::COL_NUMBER, text::COL_KIND, text::COL_STATUS];
        let mut widths = vec![
            Constraint::Length(14),
            Constraint::Min(8),
            Constraint::Length(17),
        ];
        if wide {
            header.push(text::COL_RECEIVED);
            widths.push(Constraint::Length(16));
        }
        header.push(text::COL_PLANNED);
        widths.push(Constraint::Length(13));
        (header, widths)
    }

    fn rows(&self, wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>> {
        self.rows
            .iter()
            .map(|r| {
                let planned = display_date(r.planned);
                let mut cells = vec![
                    Cell::from(r.number.clone()),
                    Cell::from(r.kind.clone()),
                    Cell::from(r.status.label()),
                ];
                if wide {
                    cells.push(Cell::from(r.received.display(offset)));
                }
                // Meaning does not rest on colour alone: an overdue date says so.
                cells.push(Cell::from(if r.overdue {
                    format!("{planned} !")
                } else {
                    planned
                }));
                marked(cells, r.overdue)
            })
            .collect()
    }
}

impl Columns for RegList {
    const EMPTY: &'static str = text::EMPTY_REQUESTS;

    fn columns(&self, wide: bool, _inner: u16) -> (Vec<&'static str>, Vec<Constraint>) {
        requests::reg_header(wide)
    }

    fn rows(&self, wide: bool, offset: time::UtcOffset) -> Vec<Row<'static>> {
        requests::reg_rows(&self.rows, wide, offset)
    }
}
