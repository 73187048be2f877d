//! Drawing «Администрирование»: a tab strip and one table per tab.

use super::{card_frame, empty, menu_popup, selectable};
use crate::screens::admin::{AdminTab, AdminView};
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Cell, Row};

pub(super) fn draw(f: &mut Frame, area: Rect, v: &AdminView) {
    let selected = AdminTab::ALL.iter().position(|x| *x == v.tab).unwrap_or(0);
    let labels: Vec<&str> = AdminTab::ALL.iter().map(|t| t.label()).collect();
    let body = card_frame(f, area, &format!(" {} ", text::ADMIN), &labels, selected);
    let role_name = |code: &str| {
        v.roles
            .iter()
            .find(|r| r.code == code)
            .map_or(code.to_string(), |r| r.name.clone())
    };
    let (header, widths, rows): (Vec<&str>, Vec<Constraint>, Vec<Row>) = match v.tab {
        AdminTab::Users => (
            vec![
                text::COL_LOGIN,
                text::COL_FULL_NAME,
                text::COL_ROLES,
                text::COL_STATE_USER,
            ],
            vec![
                Constraint::Length(12),
                Constraint::Min(16),
                Constraint::Length(22),
                Constraint::Length(17),
            ],
            v.users
                .iter()
                .map(|u| {
                    let roles: Vec<String> = u.roles.iter().map(|r| role_name(r)).collect();
                    let state = if !u.active {
                        text::ST_BLOCKED
                    } else if u.must_change_password {
                        text::ST_TEMP
                    } else {
                        text::ST_ACTIVE
                    };
                    Row::new(vec![
                        Cell::from(u.login.clone()),
                        Cell::from(u.full_name.clone()),
                        Cell::from(roles.join(", ")),
                        Cell::from(state),
                    ])
                })
                .collect(),
        ),
        AdminTab::Roles => (
            vec![text::COL_NAME, text::COL_RIGHTS],
            vec![Constraint::Length(28), Constraint::Min(20)],
            v.roles
                .iter()
                .map(|r| {
                    // One right per line: the labels are long and must be read whole.
                    let rights: Vec<&str> = r.rights.iter().map(|x| x.label()).collect();
                    Row::new(vec![
                        Cell::from(r.name.clone()),
                        Cell::from(rights.join("\n")),
                    ])
                    .height(rights.len().max(1) as u16)
                })
                .collect(),
        ),
        AdminTab::Departments => (
            vec![text::COL_NAME, text::COL_PARENT],
            vec![Constraint::Min(20), Constraint::Percentage(40)],
            v.depts
                .iter()
                .map(|d| {
                    let parent = d
                        .parent
                        .and_then(|p| v.depts.iter().find(|x| x.id == p))
                        .map_or(String::new(), |p| p.name.clone());
                    Row::new(vec![Cell::from(d.name.clone()), Cell::from(parent)])
                })
                .collect(),
        ),
        AdminTab::Calendar => (
            vec![text::COL_DATE_YEAR, text::COL_DAY],
            vec![Constraint::Length(12), Constraint::Min(10)],
            v.calendar_rows()
                .into_iter()
                .map(|(when, what)| Row::new(vec![Cell::from(when), Cell::from(what)]))
                .collect(),
        ),
        AdminTab::Services => (
            vec![
                text::COL_CODE,
                text::COL_NAME,
                text::COL_DEADLINE,
                text::COL_STATE_USER,
            ],
            vec![
                Constraint::Length(14),
                Constraint::Min(20),
                Constraint::Length(11),
                Constraint::Length(10),
            ],
            v.services
                .iter()
                .map(|s| {
                    Row::new(vec![
                        Cell::from(s.code.clone()),
                        Cell::from(s.name.clone()),
                        Cell::from(s.deadline_days.to_string()),
                        Cell::from(if s.active {
                            text::ST_SERVICE_ON
                        } else {
                            text::ST_SERVICE_OFF
                        }),
                    ])
                })
                .collect(),
        ),
        AdminTab::Kinds => (
            vec![
                text::COL_NAME,
                text::COL_AGENCY,
                text::COL_SIGN,
                text::COL_STATE_USER,
            ],
            vec![
                Constraint::Min(20),
                Constraint::Length(16),
                Constraint::Length(6),
                Constraint::Length(10),
            ],
            v.kinds
                .iter()
                .map(|k| {
                    Row::new(vec![
                        Cell::from(k.name.clone()),
                        Cell::from(k.agency.clone()),
                        Cell::from(if k.sign_personal { text::YES } else { "" }),
                        Cell::from(if k.active {
                            text::ST_SERVICE_ON
                        } else {
                            text::ST_SERVICE_OFF
                        }),
                    ])
                })
                .collect(),
        ),
    };
    if rows.is_empty() {
        empty(f, body, Block::default(), text::NOT_SET);
    } else {
        selectable(f, body, Block::default(), header, rows, widths, v.row);
    }
    if let Some(m) = &v.menu {
        menu_popup(f, area, m);
    }
}
