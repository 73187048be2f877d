//! Drawing: a pure function of [`App`]. Colours are the 16 basic ones, so the Linux console
//! (`TERM=linux`) shows the same screen as an SSH terminal; meaning never rests on colour
//! alone (overdue rows also say «просрочена»).

mod admin;
mod archive;
mod files;
mod inventory;
mod registry;
mod requests;
pub mod setup;
mod stats;
mod table;
mod template;

use crate::app::{App, AppTab, AppView, Banner, Card, Dialog, Screen, Tab};
use crate::keymap::{self, Ctx};
use crate::text;
use crate::widgets::Form;
use crate::widgets::filter::For;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, List, ListItem, ListState, Paragraph, Row, Table, Tabs, Wrap,
};
use table::selectable;
use volost_api::LinkState;
use volost_api::StepState;
use volost_domain::{FieldType, HistoryEntry, Queue, UserId, display_date};

/// The end of the text being typed. A full block: the Linux console's fonts (tty1) have it,
/// where they lack the thinner bar.
pub(crate) const CURSOR: &str = "█";

fn key_style() -> Style {
    Style::default().fg(Color::Black).bg(Color::Cyan)
}

pub fn draw(f: &mut Frame, app: &App) {
    let [top, body, banner, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    status_line(f, top, app);
    match &app.screen {
        Screen::Login(form) | Screen::Password { form, .. } => form_box(f, body, form),
        Screen::Main => main(f, body, app),
        Screen::Card(c) => card(f, body, c, app.offset, &app.people),
        Screen::App(v) => {
            let may_edit = app.has(volost_domain::Right::CreateApplications);
            app_card(f, body, v, app.offset, may_edit, &app.people);
            if let Some(url) = app.web_link() {
                web_link(f, body, &url);
            }
        }
        Screen::Fill(form) => data_form(f, body, form),
        Screen::Req(v) => requests::card(f, body, v, app.offset, &app.people),
        Screen::Admin(v) => admin::draw(f, body, v),
        Screen::Archive(v) => archive::draw(f, body, v, app.offset),
        Screen::Stats(v) => stats::draw(f, body, v),
        Screen::Registry(v) => registry::draw(f, body, v),
        Screen::Template(v) => template::draw(f, body, v),
    }
    if let (Screen::Main, Some(m)) = (&app.screen, &app.main.popup) {
        menu_popup(f, body, m);
    }
    if matches!(app.screen, Screen::Main) && app.main.filtering {
        filter_panel(f, body, app.panel());
    }
    if let Some(d) = &app.dialog {
        dialog(f, body, d);
    }
    banner_line(f, banner, app);
    let ctx = if app.help { Ctx::Help } else { app.ctx() };
    footer(f, foot, ctx, app.shows_no_writes());
    if app.help {
        // The help lists the keys of the screen under it.
        help(f, body, app.screen_ctx(), app.shows_no_writes());
    }
}

fn status_line(f: &mut Frame, area: Rect, app: &App) {
    let who = match &app.session {
        Some(s) => format!(" {} ({})", s.full_name, s.login),
        None => format!(" {}", text::TITLE),
    };
    let org = app
        .org
        .as_ref()
        .map(|o| {
            if o.short_name.is_empty() {
                o.name.clone()
            } else {
                o.short_name.clone()
            }
        })
        .unwrap_or_default();
    let mut left = if org.is_empty() {
        who
    } else {
        format!("{who} · {org}")
    };
    if app.read_only() {
        left = format!("{left} · {}", text::READ_ONLY);
    }
    let base = Style::default().fg(Color::White).bg(Color::Blue);
    // The SMEV link and the clock always show; the left part gives way, cut with «…».
    let (smev, smev_style) = match app.smev {
        None => (String::new(), base),
        Some(LinkState::NotConfigured) => (text::SMEV_NOT_CONFIGURED.to_string(), base),
        Some(LinkState::Up) => (text::SMEV_UP.to_string(), base),
        Some(LinkState::Down) => (
            text::SMEV_DOWN.to_string(),
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ),
    };
    // A failing link stands out as a red block; a working one is a quiet «… ·».
    let smev = match app.smev {
        None => String::new(),
        Some(LinkState::Down) => format!(" {} {smev} ", text::SMEV),
        Some(_) => format!("{} {smev} · ", text::SMEV),
    };
    let clock = match app.smev {
        Some(LinkState::Down) => format!(" {} ", app.now),
        _ => format!("{} ", app.now),
    };
    // A personal certificate about to end (or blocked) is the user's to act on: it shows
    // until an administrator imports a new one.
    // The node's own certificate near its end stops the whole exchange: everyone sees it,
    // so that someone calls the administrator in time. On a narrow screen the warnings take
    // their short forms, so that the link and the clock still show.
    let warnings = |short: bool| -> String {
        let personal = app
            .session
            .as_ref()
            .and_then(|s| s.personal_cert.as_ref())
            .and_then(|c| {
                c.warning()
                    .map(|w| if short { c.short_warning() } else { w })
            });
        let node = app.node_cert_days.and_then(|d| match (d, short) {
            (..0, false) => Some(text::NODE_CERT_ENDED.to_string()),
            (..0, true) => Some(text::NODE_CERT_ENDED_SHORT.to_string()),
            (0..volost_api::WARN_DAYS, false) => Some(format!("{} {d} дн.", text::NODE_CERT_DAYS)),
            (0..volost_api::WARN_DAYS, true) => {
                Some(format!("{} {d} дн.", text::NODE_CERT_DAYS_SHORT))
            }
            _ => None,
        });
        let crypto = app.uncertified.then(|| {
            if short {
                text::UNCERTIFIED_SHORT
            } else {
                text::UNCERTIFIED
            }
            .to_string()
        });
        let disk = app.disk_low.then(|| {
            if short {
                text::DISK_LOW_SHORT
            } else {
                text::DISK_LOW
            }
            .to_string()
        });
        // Administrators load the next year's decree; a month and a half is the time the
        // government's decree usually leaves before New Year.
        let admin = app
            .session
            .as_ref()
            .is_some_and(|s| s.rights.has(volost_domain::Right::Administer));
        let calendar = app
            .calendar
            .filter(|_| admin)
            .and_then(|c| match c.confirmed_until {
                Some(until) if (until - c.today).whole_days() >= CALENDAR_WARN_DAYS => None,
                Some(until) => Some(format!(
                    "{} {}",
                    if short {
                        text::CALENDAR_UNTIL_SHORT
                    } else {
                        text::CALENDAR_UNTIL
                    },
                    volost_domain::display_date(until)
                )),
                None => Some(
                    if short {
                        text::CALENDAR_NONE_SHORT
                    } else {
                        text::CALENDAR_NONE
                    }
                    .to_string(),
                ),
            });
        disk.into_iter()
            .chain(calendar)
            .chain(personal)
            .chain(node)
            .chain(crypto)
            .map(|w| format!(" {w} "))
            .collect()
    };
    let fixed = smev.chars().count() + clock.chars().count();
    let mut cert = warnings(false);
    if cert.chars().count() + fixed + 24 > area.width as usize {
        cert = warnings(true);
    }
    let right = cert.chars().count() + smev.chars().count() + clock.chars().count();
    let room = (area.width as usize).saturating_sub(right + 1);
    let left = cut(&left, room);
    let pad = (area.width as usize).saturating_sub(left.chars().count() + right);
    let line = Line::from(vec![
        Span::raw(format!("{left}{}", " ".repeat(pad))),
        Span::styled(cert, Style::default().fg(Color::Black).bg(Color::Yellow)),
        Span::styled(smev, smev_style),
        Span::raw(clock),
    ]);
    f.render_widget(Paragraph::new(line).style(base), area);
}

/// A due date, with «срок предварительный» when a year it is counted over has no decree.
fn due_line(d: time::Date, provisional: bool) -> String {
    if provisional {
        format!("{} ({})", display_date(d), text::DUE_PROVISIONAL)
    } else {
        display_date(d)
    }
}

/// Days before the confirmed calendar ends when administrators start to see it.
const CALENDAR_WARN_DAYS: i64 = 45;

/// What an input shows: a password or PIN as dots, one per character typed.
use crate::widgets::input::spans as input_spans;

/// `s` cut to `w` characters, the last one «…» when something was cut.
fn cut(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        return s.to_string();
    }
    let mut out: String = s.chars().take(w.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn banner_line(f: &mut Frame, area: Rect, app: &App) {
    let (text, style) = match &app.banner {
        Some(Banner::Info(t)) => (t.as_str(), Style::default().fg(Color::Green)),
        Some(Banner::Error(t)) => (t.as_str(), Style::default().fg(Color::White).bg(Color::Red)),
        None => ("", Style::default()),
    };
    let room = (area.width as usize).saturating_sub(1);
    f.render_widget(
        Paragraph::new(format!(" {}", cut(text, room))).style(style),
        area,
    );
}

/// The keys that work now, as many as fit ([`keymap::footer_fit`]).
fn footer(f: &mut Frame, area: Rect, ctx: Ctx, read_only: bool) {
    let mut spans = Vec::new();
    for (key, label) in keymap::footer_fit(ctx, read_only, area.width as usize) {
        spans.push(Span::styled(key, key_style()));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn form_box(f: &mut Frame, area: Rect, form: &Form) {
    let intro_lines = form.intro.map_or(0, |_| 3);
    let h = 2 + intro_lines + 3 * form.fields.len() as u16 + 2;
    let b = centered(area, 64, h);
    f.render_widget(Clear, b);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", form.title))
        .title_alignment(Alignment::Center);
    let inner = block.inner(b);
    f.render_widget(block, b);
    let mut y = inner.y;
    if let Some(intro) = form.intro {
        let r = Rect {
            y,
            height: 2,
            ..inner
        };
        f.render_widget(Paragraph::new(intro).wrap(Wrap { trim: true }), r);
        y += intro_lines;
    }
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label = Rect {
            y,
            height: 1,
            ..inner
        };
        let mut l = vec![Span::raw(field.label)];
        if let Some(e) = &field.error {
            l.push(Span::styled(
                format!("  {e}"),
                Style::default().fg(Color::Red),
            ));
        }
        f.render_widget(Paragraph::new(Line::from(l)), label);
        let room = usize::from(inner.width).saturating_sub(1).max(8);
        let shown = input_spans(&field.value, room, field.secret, focused, CURSOR);
        let style = if focused {
            Style::default().fg(Color::Black).bg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED)
        };
        let input = Rect {
            y: y + 1,
            height: 1,
            ..inner
        };
        f.render_widget(Paragraph::new(Line::from(shown)).style(style), input);
        y += 3;
    }
    if let Some(m) = &form.message {
        let r = Rect {
            y,
            height: 2.min(inner.bottom().saturating_sub(y)),
            ..inner
        };
        f.render_widget(
            Paragraph::new(m.as_str())
                .style(Style::default().fg(Color::Red))
                .wrap(Wrap { trim: true }),
            r,
        );
    }
}

/// Below this width the section menu, while the list has the focus, is a rail of the
/// sections' keys: at 80 columns the list needs the 17 columns the names take (a task's
/// name was cut to 20 characters). The list's title names the section; Tab opens the menu.
const RAIL_BELOW: u16 = 100;

fn main(f: &mut Frame, area: Rect, app: &App) {
    let rail = area.width < RAIL_BELOW && !app.main.menu_focus;
    let menu_w = match (rail, area.width >= 120) {
        (true, _) => 5,
        (false, true) => 28,
        (false, false) => 22,
    };
    let [menu, list] =
        Layout::horizontal([Constraint::Length(menu_w), Constraint::Min(20)]).areas(area);
    let items: Vec<ListItem> = app
        .main
        .sections
        .iter()
        .map(|s| {
            ListItem::new(if rail {
                format!(" {}", s.key())
            } else {
                format!("{} {}", s.key(), s.label())
            })
        })
        .collect();
    let mut st = ListState::default().with_selected(Some(app.main.section));
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(border(app.main.menu_focus));
    if !rail {
        block = block.title(format!(" {} ", text::MENU));
    }
    f.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(Style::default().add_modifier(Modifier::REVERSED)),
        menu,
        &mut st,
    );
    let title = app.current().map(|s| s.label()).unwrap_or("");
    let (focused, o, n) = (!app.main.menu_focus, app.offset, app.panel().active());
    if app.current().is_some_and(crate::app::Section::own_screen) {
        // Not a list: the menu's cursor rests on it until Enter opens its screen.
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border(focused))
            .title(format!(" {title} "));
        return empty(f, list, block, text::OPEN_SCREEN);
    }
    match app.list_kind() {
        For::Tasks => table::draw(f, list, &app.main.list, title, focused, o, n),
        For::Apps => table::draw(f, list, &app.main.apps, text::APPLICATIONS, focused, o, n),
        For::Outgoing => table::draw(f, list, &app.main.out, text::OUTGOING, focused, o, n),
        For::Incoming => table::draw(f, list, &app.main.inc, text::INCOMING, focused, o, n),
        For::Regional => table::draw(f, list, &app.main.reg, text::REGIONAL, focused, o, n),
    }
}

/// The yellow border of the part of the screen that has the keys.
pub(super) fn border(focused: bool) -> Style {
    if focused {
        Style::default().fg(Color::Yellow)
    } else {
        Style::default()
    }
}

/// The keys of the screen under the help. When they do not fit in one column (80x24 has
/// room for about 17), they go in two.
fn help(f: &mut Frame, area: Rect, ctx: Ctx, read_only: bool) {
    let entries = keymap::help(ctx, read_only);
    let room = area.height.saturating_sub(4) as usize;
    let columns = if entries.len() > room { 2 } else { 1 };
    let per = entries.len().div_ceil(columns);
    let col_w: usize = if columns == 2 { 38 } else { 58 };
    let key_w = if columns == 2 { 12 } else { 18 };
    let edits = matches!(
        ctx,
        Ctx::Form | Ctx::Dialog | Ctx::AppForm | Ctx::DataForm | Ctx::Filter | Ctx::Setup
    );
    let h = per as u16 + 4 + u16::from(edits);
    let b = centered(area, (col_w * columns) as u16 + 2, h);
    f.render_widget(Clear, b);
    let cell = |e: &keymap::Binding| {
        vec![
            Span::styled(
                format!("{:<key_w$}", cut(&e.keys.join(", "), key_w - 1)),
                Style::default().fg(Color::Cyan),
            ),
            Span::raw(format!(
                "{:<w$}",
                cut(e.label, col_w - key_w - 1),
                w = col_w - key_w
            )),
        ]
    };
    let lines: Vec<Line> = (0..per)
        .map(|r| {
            let mut spans = Vec::new();
            for c in 0..columns {
                if let Some(e) = entries.get(c * per + r) {
                    spans.extend(cell(e));
                }
            }
            Line::from(spans)
        })
        .chain([Line::raw("")])
        .chain(edits.then(|| Line::raw(text::HELP_EDIT)))
        .chain([Line::raw(text::HELP_CLOSE)])
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", text::HELP_TITLE)),
        ),
        b,
    );
}

fn card(f: &mut Frame, area: Rect, c: &Card, offset: time::UtcOffset, people: &[(UserId, String)]) {
    let t = &c.card.task;
    let selected = Tab::ALL.iter().position(|x| *x == c.tab).unwrap_or(0);
    let labels: Vec<&str> = Tab::ALL.iter().map(|t| t.label()).collect();
    let title = format!(" {}: {} ", text::CARD_TASK, t.name);
    let body = card_frame(f, area, &title, &labels, selected);
    match c.tab {
        Tab::Data => {
            let kv = |k: &str, v: String| {
                Line::from(vec![
                    Span::styled(
                        format!("{k:<18}"),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(v),
                ])
            };
            let mut lines = vec![
                kv(text::CARD_TASK, t.name.clone()),
                kv(
                    text::CARD_HOLDER,
                    c.card
                        .holder
                        .clone()
                        .unwrap_or_else(|| text::CARD_NOBODY.into()),
                ),
                kv(text::CARD_CREATED, t.created.display(offset)),
                kv(text::CARD_DUE, due_line(t.due, c.card.due_provisional)),
            ];
            if let Some(n) = &c.card.application {
                lines.push(kv(
                    text::CARD_APPLICATION,
                    format!("{n} ({})", text::CARD_OPEN_APP),
                ));
            }
            if let Some((_, at)) = t.completed {
                let label = if t.withdrawn {
                    text::CARD_WITHDRAWN
                } else {
                    text::CARD_COMPLETED
                };
                lines.push(kv(label, at.display(offset)));
            }
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        }
        Tab::History => history(f, body, &c.card.history, offset, people),
        Tab::Map => {
            let Some(m) = &c.map else {
                return;
            };
            let mut lines: Vec<Line> = vec![Line::raw(m.service.clone()), Line::raw("")];
            for (i, st) in m.steps.iter().enumerate() {
                let (mark, style) = match st.state {
                    StepState::Done => (text::STEP_DONE, Style::default().fg(Color::Green)),
                    StepState::Current => (
                        text::STEP_CURRENT,
                        Style::default()
                            .fg(Color::Yellow)
                            .add_modifier(Modifier::BOLD),
                    ),
                    StepState::Ahead => (text::STEP_AHEAD, Style::default()),
                };
                let who = st
                    .executor
                    .clone()
                    .map(|e| format!(" — {e}"))
                    .unwrap_or_default();
                lines.push(Line::styled(
                    cut(
                        &format!(" {mark} {}. {}{who}", i + 1, st.name),
                        body.width as usize,
                    ),
                    style,
                ));
                if i + 1 < m.steps.len() {
                    lines.push(Line::raw("   │"));
                }
            }
            if m.finished {
                lines.push(Line::raw(""));
                lines.push(Line::raw(text::PROCESS_FINISHED));
            }
            f.render_widget(Paragraph::new(lines), body);
        }
    }
}

fn dialog(f: &mut Frame, area: Rect, d: &Dialog) {
    // The text wraps inside the 68 columns of the box; each of its lines counts as many
    // rows as it takes, so the hint at the bottom is never cut off.
    let width = 70.min(area.width);
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    let text: Vec<String> = d
        .text
        .lines()
        .flat_map(|l| wrap_words(l, inner_w))
        .collect();
    let text_lines = text.len();
    let h = 2 + text_lines as u16 + 3 * d.inputs.len() as u16 + 2;
    let b = centered(area, width, h);
    f.render_widget(Clear, b);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(format!(" {} ", d.title));
    let inner = block.inner(b);
    f.render_widget(block, b);
    let mut lines: Vec<Line> = text.into_iter().map(Line::raw).collect();
    for (i, field) in d.inputs.iter().enumerate() {
        lines.push(Line::raw(""));
        let mut l = vec![Span::raw(field.label)];
        if let Some(e) = &field.error {
            l.push(Span::styled(
                format!("  {e}"),
                Style::default().fg(Color::Red),
            ));
        }
        lines.push(Line::from(l));
        let focused = i == d.focus;
        let room = usize::from(b.width).saturating_sub(4).max(8);
        lines.push(
            Line::from(input_spans(
                &field.value,
                room,
                field.secret,
                focused,
                CURSOR,
            ))
            .style(if focused {
                Style::default().fg(Color::Black).bg(Color::White)
            } else {
                Style::default().add_modifier(Modifier::UNDERLINED)
            }),
        );
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(if d.inputs.is_empty() {
        text::CONFIRM_HINT
    } else {
        text::INPUT_HINT
    }));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// A label in a column `kw` wide, then its value, which wraps under itself (not under the
/// labels) in the rest of `width`. A longer label wraps in its column too: cut, «Сведения
/// подготовлены за период с» and «… по» looked the same.
fn labelled(k: &str, val: &str, kw: usize, width: usize) -> Vec<Line<'static>> {
    let vw = width.saturating_sub(kw + 1).max(8);
    // A label's leading spaces say how deep it stands (an answer's tree): each of its lines
    // keeps them.
    let trimmed = k.trim_start_matches(' ');
    let indent = (k.len() - trimmed.len()).min(kw / 2);
    let labels: Vec<String> = wrap_words(trimmed, kw - indent)
        .into_iter()
        .map(|l| format!("{}{l}", " ".repeat(indent)))
        .collect();
    let values = wrap_words(val, vw);
    (0..labels.len().max(values.len()))
        .map(|i| {
            let label = labels.get(i).map_or("", String::as_str);
            Line::from(vec![
                Span::styled(
                    format!("{label:<kw$} "),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(values.get(i).cloned().unwrap_or_default()),
            ])
        })
        .collect()
}

/// `lines` from `scroll` on; `max` learns how far they can scroll. When more is below, the
/// last row says so, with the keys that show it.
fn scrolled(f: &mut Frame, area: Rect, lines: Vec<Line>, scroll: u16, max: &std::cell::Cell<u16>) {
    let total = lines.len();
    let h = area.height as usize;
    max.set(total.saturating_sub(h) as u16);
    let from = (scroll as usize).min(total.saturating_sub(h));
    let mut shown: Vec<Line> = lines.into_iter().skip(from).take(h).collect();
    if from + h < total && !shown.is_empty() {
        shown.pop();
        shown.push(Line::styled(
            text::MORE_BELOW,
            Style::default().add_modifier(Modifier::DIM | Modifier::BOLD),
        ));
    }
    f.render_widget(Paragraph::new(shown), area);
}

/// `s` broken at spaces into lines of at most `width` characters (a longer word is cut).
pub(crate) fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for w in s.split_whitespace() {
        let mut w: String = w.to_string();
        loop {
            let cur = out.last_mut().map_or(0, |l| l.chars().count());
            let wl = w.chars().count();
            if cur > 0 && cur + 1 + wl <= width {
                if let Some(l) = out.last_mut() {
                    l.push(' ');
                    l.push_str(&w);
                }
                break;
            }
            if cur > 0 {
                out.push(String::new());
                continue;
            }
            if wl <= width {
                if let Some(l) = out.last_mut() {
                    l.push_str(&w);
                }
                break;
            }
            let head: String = w.chars().take(width).collect();
            w = w.chars().skip(width).collect();
            if let Some(l) = out.last_mut() {
                l.push_str(&head);
            }
            out.push(String::new());
        }
    }
    out
}

/// `may_edit`: the user may change a draft (the card says how).
fn app_card(
    f: &mut Frame,
    area: Rect,
    v: &AppView,
    offset: time::UtcOffset,
    may_edit: bool,
    people: &[(UserId, String)],
) {
    let c = &v.card;
    let a = &c.app;
    let selected = AppTab::ALL.iter().position(|x| *x == v.tab).unwrap_or(0);
    let labels: Vec<&str> = AppTab::ALL.iter().map(|t| t.label()).collect();
    let title = format!(" {} {} · {} ", text::APP_NUMBER, a.number, a.status.label());
    let body = card_frame(f, area, &title, &labels, selected);
    match v.tab {
        AppTab::Data => {
            // Labels get the width of the longest, up to a third of the card, cut with «…».
            let longest = c
                .service
                .fields
                .iter()
                .map(|f| f.label.chars().count())
                .max()
                .unwrap_or(0)
                .max(16);
            let kw = longest.min(body.width as usize / 3).max(12);
            let kv = |k: &str, val: String| labelled(k, &val, kw, body.width as usize);
            let status = if may_edit && a.status == volost_domain::Status::Draft {
                format!(
                    "{} ({} — {})",
                    a.status.label(),
                    crate::keymap::key_of(crate::keymap::Cmd::Edit, Ctx::AppCard),
                    text::EDIT_DRAFT.to_lowercase()
                )
            } else {
                a.status.label().into()
            };
            let mut lines: Vec<Line> = [
                kv(text::APP_STATUS, status),
                kv(text::APP_SERVICE, c.service.name.clone()),
                kv(text::APP_SOURCE, a.source.label().to_string()),
                kv(text::APP_APPLICANT, c.applicant.name.clone()),
                kv(text::APP_CREATED, a.created.display(offset)),
                kv(
                    text::APP_DUE,
                    a.due
                        .map_or_else(|| text::NOT_SET.into(), |d| due_line(d, c.due_provisional)),
                ),
                kv(
                    text::APP_ASSIGNEE,
                    c.assignee.clone().unwrap_or_else(|| text::NOT_SET.into()),
                ),
            ]
            .concat();
            if let Some(d) = &a.decision {
                lines.extend(kv(
                    text::APP_DECISION,
                    format!("{} — {}", d.reason, d.message),
                ));
                if !d.files.is_empty() {
                    let names: Vec<String> = d
                        .files
                        .iter()
                        .map(|id| v.files.name_of(id).unwrap_or_else(|| id.clone()))
                        .collect();
                    lines.extend(kv(text::DECISION_FILES, names.join("; ")));
                }
            }
            if let Some(h) = &a.handed {
                let who = people
                    .iter()
                    .find(|(id, _)| *id == h.by)
                    .and_then(|(_, n)| volost_domain::short_name(n))
                    .unwrap_or_default();
                lines.extend(kv(
                    text::HANDED,
                    format!("{}, {who}", display_date(h.on))
                        .trim_end_matches(", ")
                        .to_string(),
                ));
            }
            if !c.tasks.is_empty() {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    text::APP_PROCESS,
                    Style::default().add_modifier(Modifier::BOLD),
                ));
                // As «Карта процесса» marks steps: done ones with who did them, the open
                // one with who holds it (or «в группе») and its due date.
                for t in &c.tasks {
                    let line = match (t.queue, &t.who) {
                        _ if t.withdrawn => {
                            format!("{} {} — {}", text::STEP_AHEAD, t.name, text::TASK_WITHDRAWN)
                        }
                        (Queue::Done, Some(w)) => format!("{} {} — {w}", text::STEP_DONE, t.name),
                        (Queue::Done, None) => format!("{} {}", text::STEP_DONE, t.name),
                        (_, w) => format!(
                            "{} {} — {}, {} {}",
                            text::STEP_CURRENT,
                            t.name,
                            w.as_deref().unwrap_or(text::CARD_NOBODY),
                            text::APP_TASK_DUE,
                            display_date(t.due)
                        ),
                    };
                    let width = (body.width as usize).saturating_sub(3).max(10);
                    for (i, part) in wrap_words(&line, width).into_iter().enumerate() {
                        let indent = if i == 0 { " " } else { "   " };
                        lines.push(Line::raw(format!("{indent}{part}")));
                    }
                }
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                text::APP_FORM,
                Style::default().add_modifier(Modifier::BOLD),
            ));
            for field in &c.service.fields {
                let val = a.data.get(&field.key).cloned().unwrap_or_default();
                // A file field holds the file's id: staff read its name.
                let val = match field.ftype {
                    FieldType::File => v.files.name_of(&val).unwrap_or(val),
                    _ => val,
                };
                lines.extend(kv(&field.label, val));
            }
            scrolled(f, body, lines, v.scroll, &v.scroll_max);
        }
        AppTab::Inventory => inventory::inventory(f, body, &a.inventory, v.row),
        AppTab::Files => files::files(f, body, &v.files, &c.service.fields, offset),
        AppTab::Outgoing => {
            requests::app_requests(f, body, v.out.as_deref(), None, v.row, offset);
        }
        AppTab::Regional => {
            requests::app_requests(f, body, None, v.reg.as_deref(), v.row, offset);
        }
        AppTab::History => history(f, body, &c.history, offset, people),
    }
    if let Some(m) = &v.menu {
        menu_popup(f, area, m);
    }
}

/// A history tab: newest first, when, what, the comment.
pub(crate) fn history(
    f: &mut Frame,
    area: Rect,
    entries: &[HistoryEntry],
    offset: time::UtcOffset,
    people: &[(UserId, String)],
) {
    if entries.is_empty() {
        f.render_widget(Paragraph::new(text::NO_HISTORY), area);
        return;
    }
    // What happened gets the room it needs up to 30% of the width; the comment (a reason,
    // a MessageID, who signed) wraps under itself rather than being cut.
    let width = area.width as usize;
    let what_w = entries
        .iter()
        .map(|h| h.what.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(12, (width * 3 / 10).max(12));
    // Who did each step: a staff member by their short name, the node itself («узел») for
    // what the exchange and the portal did.
    const WHO_W: usize = 14;
    let who = |h: &HistoryEntry| match h.by {
        None => text::BY_NODE.to_string(),
        Some(u) => people
            .iter()
            .find(|(id, _)| *id == u)
            .and_then(|(_, n)| volost_domain::short_name(n))
            .unwrap_or_default(),
    };
    let comment_w = width.saturating_sub(16 + WHO_W + what_w + 3).max(10);
    let rows: Vec<Row> = entries
        .iter()
        .rev()
        .map(|h| {
            let what = wrap_words(&h.what, what_w);
            let comment = wrap_words(&h.comment, comment_w);
            let height = what.len().max(comment.len()).max(1) as u16;
            Row::new(vec![
                Cell::from(h.at.display(offset)),
                Cell::from(cut(&who(h), WHO_W)),
                Cell::from(what.join("\n")),
                Cell::from(comment.join("\n")),
            ])
            .height(height)
        })
        .collect();
    let widths = [
        Constraint::Length(16),
        Constraint::Length(WHO_W as u16),
        Constraint::Length(what_w as u16),
        Constraint::Min(10),
    ];
    f.render_widget(Table::new(rows, widths), area);
}

/// A menu over the screen: its title, lines, the selected one.
fn menu_popup(f: &mut Frame, area: Rect, m: &crate::app::Menu) {
    let b = Rect {
        x: area.x + 2,
        y: area.y + 3,
        // As wide as the longest line (or the title), at least 72, within the screen.
        width: (m.items.iter().map(|i| i.chars().count()).max().unwrap_or(0) as u16 + 2)
            .max(m.title.chars().count() as u16 + 4)
            .max(72)
            .min(area.width.saturating_sub(4)),
        height: (m.items.len() as u16 + 2).min(area.height.saturating_sub(3)),
    };
    f.render_widget(Clear, b);
    let room = b.width.saturating_sub(2) as usize;
    let items: Vec<ListItem> = m
        .items
        .iter()
        .map(|a| ListItem::new(cut(a, room)))
        .collect();
    let mut st = ListState::default().with_selected(Some(m.selected));
    f.render_stateful_widget(
        List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(Style::default().fg(Color::Yellow))
                    .title(format!(" {} ", m.title)),
            )
            .highlight_style(Style::default().add_modifier(Modifier::REVERSED)),
        b,
        &mut st,
    );
}

/// The new application form: the applicant, then the service's fields; two lines per field
/// (label with «Требуется» or the message, then the value), scrolled to keep the focus in view.
/// A form from a template: the applicant's part (for an application), then the fields.
fn data_form(f: &mut Frame, area: Rect, form: &crate::screens::form::DataForm) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(cut(
            &format!(" {} ", form.title),
            (area.width as usize).saturating_sub(2),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [msg_area, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    if let Some(m) = &form.message {
        f.render_widget(
            Paragraph::new(m.as_str()).style(Style::default().fg(Color::Yellow)),
            msg_area,
        );
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = 0;
    for (i, inp) in form.inputs.iter().enumerate() {
        if i == 0 && form.applicant_len > 0 {
            let mut head = text::SECTION_APPLICANT.to_string();
            if let Some((_, name)) = &form.existing {
                head = format!("{head} — {name} ({})", text::APPLICANT_LINKED);
            }
            lines.push(Line::styled(
                head,
                Style::default().add_modifier(Modifier::BOLD),
            ));
        }
        if i == form.applicant_len && i > 0 {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                text::APP_FORM,
                Style::default().add_modifier(Modifier::BOLD),
            ));
        }
        let mut label = vec![Span::raw(inp.label.clone())];
        match &inp.error {
            Some(e) => label.push(Span::styled(
                format!("  {e}"),
                Style::default().fg(Color::Red),
            )),
            None if inp.required && inp.value.trim().is_empty() => label.push(Span::styled(
                format!("  {}", text::REQUIRED),
                Style::default().fg(Color::Yellow),
            )),
            None => {}
        }
        if let Some(h) = &inp.hint {
            label.push(Span::styled(
                format!("  ({h})"),
                Style::default().fg(Color::DarkGray),
            ));
        }
        lines.push(Line::from(label));
        let focused = i == form.focus;
        if focused {
            focus_line = lines.len();
        }
        // A value wider than the form shows the window around the cursor while typed and its
        // beginning otherwise.
        let room = usize::from(body.width).saturating_sub(4).max(8);
        let mut spans = vec![Span::raw("  ")];
        spans.extend(input_spans(&inp.value, room, false, focused, CURSOR));
        lines.push(Line::from(spans).style(if focused {
            Style::default().fg(Color::Black).bg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED)
        }));
    }
    let h = body.height as usize;
    let scroll = focus_line.saturating_sub(h.saturating_sub(2));
    f.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), body);
}

/// The filter panel: one line per filter, `[x]` when it is on; the focused one highlighted.
fn filter_panel(f: &mut Frame, area: Rect, p: &crate::widgets::filter::Panel) {
    use crate::widgets::filter::Value;
    let h = p.rows.len() as u16 + 4;
    let b = centered(area, 64, h);
    f.render_widget(Clear, b);
    let lines: Vec<Line> = p
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mark = if r.on { "[x]" } else { "[ ]" };
            let mut value = match &r.value {
                Value::Text(_) => String::new(),
                Value::Choice { options, at } => {
                    format!("◀ {} ▶", options.get(*at).map(String::as_str).unwrap_or(""))
                }
                Value::Flag => String::new(),
                Value::Pick { options, at } => {
                    format!(
                        "◀ {} ▶",
                        options.get(*at).map(|o| o.1.as_str()).unwrap_or("")
                    )
                }
            };
            if let Value::Text(t) = &r.value
                && i != p.focus
            {
                value = t.to_string();
            }
            let mut spans = vec![Span::raw(format!("{mark} {:<22}{value}", r.label))];
            if let Value::Text(t) = &r.value
                && i == p.focus
            {
                // 64 columns less the borders, the mark and the label.
                spans.extend(input_spans(t, 34, false, true, CURSOR));
            }
            if i == p.focus {
                Line::from(spans).style(Style::default().add_modifier(Modifier::REVERSED))
            } else {
                Line::from(spans)
            }
        })
        .chain([Line::raw(""), Line::raw(text::FILTER_HINT)])
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(Style::default().fg(Color::Yellow))
                .title(format!(" {} ", text::FILTER_TITLE)),
        ),
        b,
    );
}

/// A card's frame: the border with its title and the tab strip; returns the area under it.
/// The card's page in «Окно документов», on the card's bottom border: the terminal makes it
/// a link (see [`crate::link`]), or it is read and typed.
fn web_link(f: &mut Frame, area: Rect, url: &str) {
    let text = format!(" {} {url} ", text::WEB_LINK);
    let width = text.chars().count() as u16;
    if area.height < 3 || area.width < width + 4 {
        return;
    }
    let at = Rect {
        x: area.x + 2,
        y: area.y + area.height - 1,
        width,
        height: 1,
    };
    f.render_widget(Paragraph::new(text), at);
}

fn card_frame(f: &mut Frame, area: Rect, title: &str, tabs: &[&str], selected: usize) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(cut(title, (area.width as usize).saturating_sub(2)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [strip, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    f.render_widget(
        Tabs::new(tabs.iter().copied())
            .select(selected)
            .highlight_style(Style::default().add_modifier(Modifier::REVERSED)),
        strip,
    );
    body
}

/// A list with nothing in it (yet): its frame and the reason.
pub(super) fn empty(f: &mut Frame, area: Rect, block: Block, what: &str) {
    f.render_widget(Paragraph::new(format!(" {what}")).block(block), area);
}
