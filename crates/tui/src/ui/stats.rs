//! Drawing «Статистика»: the figures of the period in two lines, the overdue share as a
//! gauge, bar charts per service and per executor, and the outgoing requests.

use super::{cut, empty};
use crate::screens::stats::StatsView;
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Gauge, Paragraph, Wrap};
use volost_api::Report;
use volost_domain::display_date;

pub(super) fn draw(f: &mut Frame, area: Rect, v: &StatsView) {
    let mut title = format!(
        " {} · {} — {}",
        text::STATS,
        display_date(v.from),
        display_date(v.to)
    );
    if let Some(p) = v.preset {
        title.push_str(&format!(" ({})", p.label()));
    }
    if let Some((_, name)) = &v.dept {
        title.push_str(&format!(" · {name}"));
    }
    title.push(' ');
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(super::cut(&title, (area.width as usize).saturating_sub(2)));
    let Some(r) = &v.report else {
        return empty(f, area, block, text::ST_NO_REPORT);
    };
    let inner = block.inner(area);
    f.render_widget(block, area);
    let wide = inner.width >= 120;
    let requests_h = if inner.height >= 36 { 8 } else { 2 };
    let [figures, gauge, charts, requests] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(requests_h),
    ])
    .areas(inner);
    f.render_widget(
        Paragraph::new(figures_text(r)).wrap(Wrap { trim: true }),
        figures,
    );
    let share = if r.tasks == 0 {
        0.0
    } else {
        r.tasks_overdue as f64 / r.tasks as f64
    };
    f.render_widget(
        Gauge::default()
            .ratio(share.clamp(0.0, 1.0))
            .gauge_style(Style::default().fg(Color::Red))
            .label(format!(
                "{}: {} {} {} ({:.0} %)",
                text::ST_OVERDUE,
                r.tasks_overdue,
                text::ST_OF,
                r.tasks,
                share * 100.0
            )),
        gauge,
    );
    let [left, right] = if wide {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(charts)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(charts)
    };
    let label_w = usize::from(left.width / 3).clamp(12, 48);
    let services: Vec<Bar> = r
        .services
        .iter()
        .map(|s| Bar::with_label(cut(&s.service, label_w), s.received))
        .collect();
    chart(f, left, text::ST_BY_SERVICE, services);
    let label_w = usize::from(right.width / 3).clamp(12, 30);
    let executors: Vec<Bar> = r
        .executors
        .iter()
        .map(|e| {
            Bar::with_label(cut(&e.name, label_w), e.done)
                .text_value(format!("{} / {}", e.done, e.overdue))
        })
        .collect();
    chart(f, right, text::ST_BY_EXECUTOR, executors);
    requests_part(f, requests, r);
}

fn figures_text(r: &Report) -> String {
    let t = &r.total;
    let days = match (t.avg_days, t.max_days) {
        (Some(avg), Some(max)) => format!(
            "{}: {} {}, {} {max} {}",
            text::ST_DAYS,
            text::ST_AVG,
            decimal(avg),
            text::ST_MAX,
            text::WORKING_DAYS
        ),
        _ => format!("{}: —", text::ST_DAYS),
    };
    format!(
        "{}: {} ({} {}, {} {}, {} {}, {} {}) · {} {}, {} {} · {days}",
        text::ST_RECEIVED,
        t.received,
        text::ST_MANUAL,
        t.by_source[0],
        text::ST_EPGU,
        t.by_source[1],
        text::ST_RPGU,
        t.by_source[2],
        text::ST_MFC,
        t.by_source[3],
        text::ST_APPROVED,
        t.approved,
        text::ST_REFUSED,
        t.refused,
    )
}

/// A figure with one decimal and the Russian decimal comma.
fn decimal(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn chart(f: &mut Frame, area: Rect, title: &str, bars: Vec<Bar>) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "));
    if bars.is_empty() {
        return empty(f, area, block, text::ST_NOTHING);
    }
    f.render_widget(
        BarChart::horizontal(bars)
            .block(block)
            .bar_width(1)
            .bar_gap(0)
            .bar_style(Style::default().fg(Color::Cyan))
            .value_style(
                Style::default()
                    .fg(Color::Black)
                    .bg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
            ),
        area,
    );
}

/// Outgoing requests: per status in one line when room is short, else per addressee too.
fn requests_part(f: &mut Frame, area: Rect, r: &Report) {
    let statuses: Vec<String> = r
        .requests
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{} {n}", s.label()))
        .collect();
    let head = if statuses.is_empty() {
        format!("{}: {}", text::ST_REQUESTS, text::ST_NONE)
    } else {
        format!("{}: {}", text::ST_REQUESTS, statuses.join(" · "))
    };
    let mut lines = vec![head];
    for a in &r.addressees {
        let hours = a.avg_answer_hours.map_or("—".to_string(), decimal);
        lines.push(format!(
            "  {}: {} {}, {} {}, {} {hours} {}",
            a.agency,
            text::ST_MADE,
            a.count,
            text::ST_ANSWERED,
            a.answered,
            text::ST_ANSWER_TIME,
            text::ST_HOURS
        ));
    }
    f.render_widget(
        Paragraph::new(lines.join("\n")).wrap(Wrap { trim: false }),
        area,
    );
}
