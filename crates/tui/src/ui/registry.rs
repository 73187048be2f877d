//! Drawing «Реестр услуг»: the body, its services, and the passport of the one selected — side
//! by side on a wide terminal, one above the other on a narrow one.

use super::{empty, selectable};
use crate::screens::registry::{RegistryView, missing};
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Wrap};
use volost_domain::Service;

pub(super) fn draw(f: &mut Frame, area: Rect, v: &RegistryView) {
    let org = &v.org;
    let mut codes = Vec::new();
    for (label, value) in [
        ("ОКТМО", &org.oktmo),
        ("ОГРН", &org.ogrn),
        ("ИНН", &org.inn),
    ] {
        if !value.is_empty() {
            codes.push(format!("{label} {value}"));
        }
    }
    let title = if codes.is_empty() {
        format!(" {} · {} ", text::REGISTRY, org.name)
    } else {
        format!(
            " {} · {} · {} ",
            text::REGISTRY,
            org.name,
            codes.join(" · ")
        )
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(super::cut(&title, (area.width as usize).saturating_sub(2)));
    if v.services.is_empty() {
        return empty(f, area, block, text::RG_NO_SERVICES);
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let wide = inner.width >= 120;
    let [list, passport] = if wide {
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(inner)
    } else {
        let list_h = (v.services.len() as u16 + 1).min(inner.height / 3).max(4);
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(3)]).areas(inner)
    };
    let rows: Vec<Row> = v
        .services
        .iter()
        .map(|s| {
            let state = if !s.active {
                Cell::from(text::RG_INACTIVE).style(Style::default().fg(Color::DarkGray))
            } else if missing(s).is_empty() {
                Cell::from(text::RG_COMPLETE)
            } else {
                Cell::from(text::RG_EMPTY).style(Style::default().fg(Color::Yellow))
            };
            Row::new(vec![
                Cell::from(s.name.clone()),
                Cell::from(s.deadline_days.to_string()),
                state,
            ])
        })
        .collect();
    selectable(
        f,
        list,
        Block::default(),
        vec![text::COL_NAME, text::COL_DAYS, text::RG_PASSPORT],
        rows,
        vec![
            Constraint::Min(20),
            Constraint::Length(9),
            Constraint::Length(18),
        ],
        v.sel,
    );
    if let Some(s) = v.selected() {
        let block = Block::default().borders(if wide { Borders::LEFT } else { Borders::TOP });
        f.render_widget(
            Paragraph::new(passport_lines(v, s))
                .block(block)
                .wrap(Wrap { trim: false })
                .scroll((v.scroll, 0)),
            passport,
        );
    }
}

fn passport_lines(v: &RegistryView, s: &Service) -> Vec<Line<'static>> {
    let head = Style::default().add_modifier(Modifier::BOLD);
    let warn = Style::default().fg(Color::Yellow);
    let mut out = vec![Line::styled(s.name.clone(), head)];
    let pair = |label: &str, value: String| -> Line<'static> {
        if value.trim().is_empty() {
            Line::from(vec![
                Span::styled(format!("{label}: "), head),
                Span::styled(text::RG_EMPTY, warn),
            ])
        } else {
            Line::from(vec![
                Span::styled(format!("{label}: "), head),
                Span::raw(value),
            ])
        }
    };
    out.push(pair(text::RG_CODE, s.code.clone()));
    out.push(pair(text::RG_BODY, v.org.name.clone()));
    out.push(pair(text::RG_REGULATION, s.regulation.clone()));
    let steps_sum: u32 = s.steps.iter().map(|st| st.days).sum();
    let mut deadline = format!("{} {}", s.deadline_days, text::RG_WORKDAYS);
    if steps_sum != s.deadline_days {
        deadline.push_str(&format!(" ({} — {steps_sum})", text::RG_STEPS_SUM));
    }
    out.push(pair(text::RG_DEADLINE, deadline));
    out.push(pair(text::RG_FEE, s.fee.clone()));
    for (label, items) in [
        (text::RG_PLACES, &s.places),
        (text::RG_DOCUMENTS, &s.documents),
        (text::RG_RESULTS, &s.results),
    ] {
        if items.is_empty() {
            out.push(pair(label, String::new()));
            continue;
        }
        out.push(Line::styled(format!("{label}:"), head));
        for i in items {
            out.push(Line::raw(format!("  • {i}")));
        }
    }
    out.push(Line::styled(format!("{}:", text::RG_STEPS), head));
    let role = |id| {
        v.roles
            .iter()
            .find(|r| r.id == id)
            .map_or(String::new(), |r| r.name.clone())
    };
    for (i, st) in s.steps.iter().enumerate() {
        let roles: Vec<String> = st.roles.iter().map(|r| role(*r)).collect();
        let mut line = format!(
            "  {}. {} — {} {}",
            i + 1,
            st.name,
            st.days,
            text::RG_WORKDAYS
        );
        if !roles.is_empty() {
            line.push_str(&format!(" ({})", roles.join(", ")));
        }
        out.push(Line::raw(line));
    }
    let required = s.fields.iter().filter(|f| f.required).count();
    out.push(pair(
        text::RG_FORM,
        format!(
            "{} — {}, {} — {required}",
            text::RG_FIELDS,
            s.fields.len(),
            text::RG_REQUIRED
        ),
    ));
    let lacks = missing(s);
    if !lacks.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("{}: {}", text::RG_INCOMPLETE, lacks.join(", ")),
            warn,
        ));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        text::RG_TEMPLATE_HINT,
        Style::default().fg(Color::DarkGray),
    ));
    out
}
