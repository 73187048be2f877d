//! Drawing: a pure function of [`App`]. Colours are the 16 basic ones, so the Linux console
//! (`TERM=linux`) shows the same screen as an SSH terminal; meaning never rests on colour
//! alone (overdue rows also say «просрочена»).

use crate::app::{App, Banner, Form, Screen, TaskList};
use crate::keymap::{self, Ctx};
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, List, ListItem, ListState, Paragraph, Row, Table, TableState, Wrap,
};
use volost::domain::{Queue, display_date};
use volost::service::TaskCol;

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
    }
    banner_line(f, banner, app);
    let ctx = if app.help { Ctx::Help } else { app.ctx() };
    footer(f, foot, ctx);
    if app.help {
        // The help lists the keys of the screen under it.
        help(f, body, app.screen_ctx());
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
    let left = if org.is_empty() {
        who
    } else {
        format!("{who} · {org}")
    };
    let right = format!("{} ", app.now);
    // The clock always shows; the left part gives way, cut with «…».
    let room = (area.width as usize).saturating_sub(right.chars().count() + 1);
    let left = cut(&left, room);
    let pad = (area.width as usize).saturating_sub(left.chars().count() + right.chars().count());
    let line = format!("{left}{}{right}", " ".repeat(pad));
    f.render_widget(
        Paragraph::new(line).style(Style::default().fg(Color::White).bg(Color::Blue)),
        area,
    );
}

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
    f.render_widget(Paragraph::new(format!(" {text}")).style(style), area);
}

fn footer(f: &mut Frame, area: Rect, ctx: Ctx) {
    let mut spans = Vec::new();
    for (k, label) in keymap::footer(ctx) {
        spans.push(Span::styled(k, key_style()));
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
        let shown = if field.secret {
            "•".repeat(field.value.chars().count())
        } else {
            field.value.clone()
        };
        let cursor = if focused { "▏" } else { "" };
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
        f.render_widget(
            Paragraph::new(format!("{shown}{cursor}")).style(style),
            input,
        );
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

fn main(f: &mut Frame, area: Rect, app: &App) {
    let menu_w = if area.width >= 120 { 28 } else { 22 };
    let [menu, list] =
        Layout::horizontal([Constraint::Length(menu_w), Constraint::Min(20)]).areas(area);
    let items: Vec<ListItem> = app
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| ListItem::new(format!("{} {}", i + 1, s.label())))
        .collect();
    let mut st = ListState::default().with_selected(Some(app.section));
    let border = |focused: bool| {
        if focused {
            Style::default().fg(Color::Yellow)
        } else {
            Style::default()
        }
    };
    f.render_stateful_widget(
        List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(border(app.menu_focus))
                    .title(format!(" {} ", text::MENU)),
            )
            .highlight_style(Style::default().add_modifier(Modifier::REVERSED)),
        menu,
        &mut st,
    );
    let title = app.current().map(|s| s.label()).unwrap_or("");
    tasks(f, list, &app.list, title, !app.menu_focus, app.offset);
}

fn col_label(c: TaskCol) -> &'static str {
    match c {
        TaskCol::Created => text::COL_CREATED,
        TaskCol::Due => text::COL_DUE,
        TaskCol::Name => text::COL_TASK,
        TaskCol::Author => text::COL_AUTHOR,
    }
}

fn tasks(
    f: &mut Frame,
    area: Rect,
    l: &TaskList,
    title: &str,
    focused: bool,
    offset: time::UtcOffset,
) {
    let wide = area.width >= 110;
    let q = &l.query;
    let arrow = if q.desc { "↓" } else { "↑" };
    let info = format!(
        " {title} · {}: {} {arrow} · № {} ",
        text::SORTED_BY,
        col_label(q.sort),
        if l.rows.is_empty() { 0 } else { l.position() }
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            Style::default().fg(Color::Yellow)
        } else {
            Style::default()
        })
        .title(info);
    if l.rows.is_empty() {
        f.render_widget(
            Paragraph::new(format!(" {}", text::EMPTY_LIST)).block(block),
            area,
        );
        return;
    }
    let show_holder = q.queue == Queue::Done;
    let mut header = vec![text::COL_APPLICATION, text::COL_TASK];
    if wide {
        header.push(if show_holder {
            text::COL_HOLDER
        } else {
            text::COL_AUTHOR
        });
        header.push(text::COL_CREATED);
    }
    header.push(text::COL_DUE);
    header.push(if wide {
        text::COL_STATE
    } else {
        text::COL_OVERDUE
    });
    let rows: Vec<Row> = l
        .rows
        .iter()
        .map(|t| {
            let overdue = t.overdue_days > 0;
            let mut cells = vec![
                Cell::from(t.application.clone().unwrap_or_default()),
                Cell::from(t.name.clone()),
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
                (true, true) => {
                    format!(
                        "{} {} {}",
                        text::OVERDUE,
                        t.overdue_days,
                        text::WORKING_DAYS
                    )
                }
                (true, false) => format!("! {} {}", t.overdue_days, text::WORKING_DAYS),
            }));
            let row = Row::new(cells);
            if overdue {
                row.style(Style::default().fg(Color::Red))
            } else {
                row
            }
        })
        .collect();
    let mut widths = vec![Constraint::Length(11), Constraint::Min(20)];
    if wide {
        widths.push(Constraint::Length(16));
        widths.push(Constraint::Length(16));
    }
    widths.push(Constraint::Length(10));
    widths.push(Constraint::Length(if wide { 22 } else { 12 }));
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
        .block(block)
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    let mut st = TableState::default().with_selected(Some(l.selected));
    f.render_stateful_widget(table, area, &mut st);
}

fn help(f: &mut Frame, area: Rect, ctx: Ctx) {
    let entries = keymap::help(ctx);
    let h = entries.len() as u16 + 4;
    let b = centered(area, 60, h);
    f.render_widget(Clear, b);
    let lines: Vec<Line> = entries
        .iter()
        .map(|e| {
            Line::from(vec![
                Span::styled(
                    format!("{:<18}", e.keys.join(", ")),
                    Style::default().fg(Color::Cyan),
                ),
                Span::raw(e.label),
            ])
        })
        .chain([Line::raw(""), Line::raw(text::HELP_CLOSE)])
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
