//! The setup screen: one line per answer under the part's heading, the focused line's hint
//! or fault under them all, the keys at the foot.

use super::footer;
use crate::keymap::Ctx;
use crate::screens::setup::SetupView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

const TITLE: &str = " volost — первоначальная настройка узла ";

pub fn draw(f: &mut Frame, v: &SetupView) {
    let [body, foot] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
    let block = Block::default().borders(Borders::ALL).title(TITLE);
    let inner = block.inner(body);
    f.render_widget(block, body);
    if let Some(done) = &v.done {
        let mut lines = vec![
            Line::styled(
                "Настройка сохранена.",
                Style::default()
                    .fg(Color::Green)
                    .add_modifier(Modifier::BOLD),
            ),
            Line::raw(""),
        ];
        lines.extend(done.iter().map(|l| Line::raw(l.as_str())));
        lines.push(Line::raw(""));
        lines.push(Line::raw(
            "Нажмите любую клавишу: откроется вход сотрудников.",
        ));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let [intro, form, note] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(4),
    ])
    .areas(inner);
    let now = match &v.address_now {
        Some(a) => format!("Адрес узла сейчас: {a}. "),
        None => String::new(),
    };
    f.render_widget(
        Paragraph::new(format!(
            "{now}Русская раскладка: Ctrl+Shift. Поле с ← → — выбор из списка."
        ))
        .style(Style::default().fg(Color::Cyan))
        .wrap(Wrap { trim: true }),
        intro,
    );
    let label_w = 22usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = 0;
    for i in v.items() {
        if let Some(h) = i.heading() {
            lines.push(Line::styled(
                h,
                Style::default().add_modifier(Modifier::BOLD),
            ));
        }
        let focused = i == v.focus;
        if focused {
            focus_line = lines.len();
        }
        let err = v.error(i);
        let label_style = if err.is_some() {
            Style::default().fg(Color::Red)
        } else {
            Style::default()
        };
        let mark = if err.is_some() { "!" } else { " " };
        let value_style = if focused {
            Style::default().fg(Color::Black).bg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED)
        };
        let width = (form.width as usize).saturating_sub(label_w + 4);
        let mut spans = vec![Span::styled(
            format!("{mark} {:<label_w$} ", i.label()),
            label_style,
        )];
        match v.input(i) {
            // A text line: the window around its cursor while typed.
            Some(t) => spans.extend(
                super::input_spans(t, width, i.secret(), focused, super::CURSOR)
                    .into_iter()
                    // The cursor keeps its own colours; the rest is the field's.
                    .map(|s| {
                        if s.style == Style::default() {
                            s.style(value_style)
                        } else {
                            s
                        }
                    }),
            ),
            None => spans.push(Span::styled(v.shown(i), value_style)),
        }
        lines.push(Line::from(spans));
    }
    // Keep the focused line in view on a short console.
    let h = form.height as usize;
    let top = focus_line.saturating_sub(h.saturating_sub(1));
    f.render_widget(Paragraph::new(lines).scroll((top as u16, 0)), form);
    let (text, style) = match (&v.message, v.error(v.focus)) {
        (Some(m), _) => (m.clone(), Style::default().fg(Color::White).bg(Color::Red)),
        (None, Some(e)) => (
            format!("{}: {e}", v.focus.label()),
            Style::default().fg(Color::Red),
        ),
        (None, None) => (v.focus.hint().to_string(), Style::default()),
    };
    let note_area = Rect {
        y: note.y + 1,
        height: note.height.saturating_sub(1),
        ..note
    };
    f.render_widget(
        Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
        note_area,
    );
    footer(f, foot, Ctx::Setup, false);
}
