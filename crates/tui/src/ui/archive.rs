//! Drawing «Архив»: one line per finished process; an opened one shows its documents from
//! before the first task, then its tasks, each with the documents made while it was open.

use super::empty;
use crate::screens::archive::{ArchiveView, Line as TreeLine};
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};
use volost_api::ArchiveDoc;
use volost_domain::{Action, Verdict, display_date, size_label};

pub(super) fn draw(f: &mut Frame, area: Rect, v: &ArchiveView, offset: time::UtcOffset) {
    let mut title = format!(" {} ", text::ARCHIVE);
    if !v.search.is_empty() {
        let s = &v.search;
        let parts: Vec<&str> = [&s.number, &s.applicant, &s.service, &s.from, &s.to]
            .into_iter()
            .map(String::as_str)
            .filter(|x| !x.is_empty())
            .collect();
        title = format!(
            " {} · {}: {} ",
            text::ARCHIVE,
            text::AR_SEARCHED,
            parts.join(", ")
        );
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(super::cut(&title, (area.width as usize).saturating_sub(2)));
    let lines = v.lines();
    if lines.is_empty() {
        let what = if v.search.is_empty() {
            text::AR_EMPTY
        } else {
            text::AR_NOTHING
        };
        return empty(f, area, block, what);
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [hint, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let more = if v.next.is_some() {
        format!(" · {}", text::AR_MORE)
    } else {
        String::new()
    };
    f.render_widget(
        Paragraph::new(format!(" {}{more}", text::ARCHIVE_HINT))
            .style(Style::default().add_modifier(Modifier::DIM)),
        hint,
    );
    let dim = Style::default().add_modifier(Modifier::DIM);
    let items: Vec<ListItem> = lines
        .iter()
        .map(|l| {
            ListItem::new(match l {
                TreeLine::Process(r, open) => {
                    let mark = if *open { "[-]" } else { "[+]" };
                    let verdict = match r.verdict {
                        Some(Verdict::Approve) => text::AR_APPROVED,
                        Some(Verdict::Refuse) => text::AR_REFUSED,
                        None => "",
                    };
                    Line::from(vec![
                        Span::raw(format!("{mark} ")),
                        Span::styled(
                            r.number.clone().unwrap_or_else(|| text::AR_NO_APP.into()),
                            Style::default().add_modifier(Modifier::BOLD),
                        ),
                        Span::raw(format!("  {}  ", display_date(r.finished.date(offset)))),
                        Span::styled(format!("{verdict:<9}"), dim),
                        Span::raw(format!(
                            " {}  {}",
                            r.applicant.as_deref().unwrap_or(""),
                            r.service
                        )),
                    ])
                }
                TreeLine::Task(t, service) => {
                    let name = t
                        .name
                        .strip_suffix(&format!(" ({service})"))
                        .unwrap_or(&t.name);
                    let done = match (&t.executor, t.completed) {
                        (Some(who), Some(at)) => format!("{}  {who}", at.display(offset)),
                        _ => text::AR_NOT_DONE.to_string(),
                    };
                    let mut spans = vec![Span::styled(format!("    {done}  "), dim)];
                    if t.overdue_days > 0 {
                        spans.push(Span::styled(
                            format!("! {} {}  ", t.overdue_days, text::WORKING_DAYS),
                            Style::default().fg(Color::Red),
                        ));
                    }
                    spans.push(Span::raw(name.to_string()));
                    Line::from(spans)
                }
                TreeLine::Doc(d, depth) => {
                    let pad = "    ".repeat(usize::from(*depth));
                    let what = match d {
                        ArchiveDoc::File { name, size, .. } => {
                            format!("{} «{name}», {}", text::AR_DOC_FILE, size_label(*size))
                        }
                        ArchiveDoc::Outgoing {
                            number,
                            kind,
                            status,
                            ..
                        } => format!(
                            "{} {number} · {kind} · {}",
                            text::AR_DOC_REQUEST,
                            status.label()
                        ),
                        ArchiveDoc::Decision { verdict, reason } => {
                            format!(
                                "{}: {} · {reason}",
                                text::AR_DOC_DECISION,
                                Action::Decide(*verdict).label()
                            )
                        }
                    };
                    let before = if *depth == 1 {
                        format!(" ({})", text::AR_BEFORE)
                    } else {
                        String::new()
                    };
                    Line::from(vec![
                        Span::raw(format!("{pad}• {what}")),
                        Span::styled(before, dim),
                    ])
                }
            })
        })
        .collect();
    let mut st = ListState::default().with_selected(Some(v.sel));
    f.render_stateful_widget(
        List::new(items).highlight_style(Style::default().add_modifier(Modifier::REVERSED)),
        body,
        &mut st,
    );
}
