//! «Архив»: finished processes as a tree — a process opens into its tasks, each task shows
//! the documents made while it was open — searched by number, applicant, service and period.

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::Effect;
use crate::screens::effect::Pending;
use crate::text;
use crate::widgets::Field;
use crate::widgets::date::read_date;
use crate::widgets::filter::midnight;
use std::collections::BTreeMap;
use volost_api::{ArchiveDoc, ArchiveFilter, ArchiveRow, ArchiveTask, ArchiveTree, Cursor};
use volost_domain::{ProcessId, Service};

/// How many processes one read brings; the next ones come when the cursor reaches the end.
pub(crate) const CHUNK: usize = 100;

/// The search as typed, kept to fill the dialog again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Search {
    pub number: String,
    pub applicant: String,
    pub service: String,
    pub from: String,
    pub to: String,
}

impl Search {
    pub fn is_empty(&self) -> bool {
        *self == Search::default()
    }
}

/// One line of the tree as drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Line<'a> {
    Process(&'a ArchiveRow, bool),
    /// A task and the name of its service, which the task's own name repeats.
    Task(&'a ArchiveTask, &'a str),
    /// A document: under the process itself (made before the first task) or under a task.
    Doc(&'a ArchiveDoc, u16),
}

pub struct ArchiveView {
    pub search: Search,
    pub filter: ArchiveFilter,
    pub rows: Vec<ArchiveRow>,
    pub next: Option<Cursor>,
    /// The processes opened, with their trees.
    pub open: BTreeMap<ProcessId, ArchiveTree>,
    /// The selected line of [`ArchiveView::lines`].
    pub sel: usize,
    pub services: Vec<Service>,
}

impl ArchiveView {
    /// The tree as it is drawn: every process, and under each opened one its documents from
    /// before the first task, then its tasks with theirs.
    pub fn lines(&self) -> Vec<Line<'_>> {
        let mut out = Vec::new();
        for r in &self.rows {
            let tree = self.open.get(&r.process);
            out.push(Line::Process(r, tree.is_some()));
            if let Some(t) = tree {
                out.extend(t.before.iter().map(|d| Line::Doc(d, 1)));
                for task in &t.tasks {
                    out.push(Line::Task(task, &r.service));
                    out.extend(task.documents.iter().map(|d| Line::Doc(d, 2)));
                }
            }
        }
        out
    }

    /// The process the selected line belongs to.
    fn selected_process(&self) -> Option<ProcessId> {
        let lines = self.lines();
        lines
            .get(..=self.sel.min(lines.len().saturating_sub(1)))?
            .iter()
            .rev()
            .find_map(|l| match l {
                Line::Process(r, _) => Some(r.process),
                _ => None,
            })
    }
}

/// The filter the typed search means, or the field and message of what is wrong with it.
pub(crate) fn parse(
    s: &Search,
    services: &[Service],
    offset: time::UtcOffset,
) -> Result<ArchiveFilter, (usize, String)> {
    let date = |i: usize, v: &str| match v.trim() {
        "" => Ok(None),
        t => read_date(t).map(Some).map_err(|why| (i, why.to_string())),
    };
    let from = date(3, &s.from)?.map(|d| midnight(d, offset));
    let to = date(4, &s.to)?.map(|d| midnight(d.next_day().unwrap_or(d), offset));
    let want = s.service.trim().to_lowercase();
    let service = if want.is_empty() {
        None
    } else {
        let found: Vec<&Service> = services
            .iter()
            .filter(|x| x.name.to_lowercase().contains(&want) || x.code.to_lowercase() == want)
            .collect();
        match found[..] {
            [one] => Some(one.id),
            [] => return Err((2, text::AR_NO_SERVICE.into())),
            _ => return Err((2, text::AR_MANY_SERVICES.into())),
        }
    };
    let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    Ok(ArchiveFilter {
        number: text(&s.number),
        applicant: text(&s.applicant),
        service,
        from,
        to,
    })
}

impl ArchiveView {
    /// A command on «Архив»: moving and closing trees are its own; reading the archive, a
    /// process's tree and saving a file are asked of the runner.
    pub fn handle(&mut self, cmd: Cmd) -> Option<Effect> {
        let n = self.lines().len();
        match cmd {
            Cmd::Back => return Some(Effect::OpenSection(0)),
            Cmd::Up => self.sel = self.sel.saturating_sub(1),
            Cmd::PageUp => self.sel = self.sel.saturating_sub(20),
            Cmd::Top => self.sel = 0,
            Cmd::Down | Cmd::PageDown => {
                let d = if cmd == Cmd::Down { 1 } else { 20 };
                // Past what is read: the next chunk first, then the cursor moves.
                if self.sel + d >= n && self.next.is_some() {
                    return Some(Effect::ArchiveMore(d));
                }
                self.sel = (self.sel + d).min(n.saturating_sub(1));
            }
            Cmd::Open => return self.open(),
            Cmd::Filter | Cmd::Search => {
                let s = &self.search;
                let field = |label, value: &str| {
                    let mut f = Field::new(label, false);
                    f.value = value.into();
                    f
                };
                return Some(Effect::Confirm(Box::new(Dialog::new(
                    text::AR_SEARCH,
                    text::AR_SEARCH_TEXT,
                    vec![
                        field(text::AR_NUMBER, &s.number),
                        field(text::AR_APPLICANT, &s.applicant),
                        field(text::AR_SERVICE, &s.service),
                        field(text::AR_FROM, &s.from),
                        field(text::AR_TO, &s.to),
                    ],
                    Pending::ArchiveSearch,
                ))));
            }
            Cmd::ClearFilters => {
                self.search = Search::default();
                self.filter = ArchiveFilter::default();
                return Some(Effect::ReadArchive);
            }
            Cmd::Refresh => return Some(Effect::ReadArchive),
            _ => {}
        }
        None
    }

    /// Enter: a process opens into its tree (read by the runner) or closes; a file is saved.
    fn open(&mut self) -> Option<Effect> {
        if let Some(Line::Doc(ArchiveDoc::File { id, name, .. }, _)) = self.lines().get(self.sel) {
            let mut path = Field::new(text::SAVE_TO, false);
            path.value = format!("~/{name}").into();
            return Some(Effect::Confirm(Box::new(Dialog::new(
                text::SAVE_FILE,
                format!("«{name}»"),
                vec![path],
                Pending::SaveFile(*id),
            ))));
        }
        let p = self.selected_process()?;
        if self.open.remove(&p).is_some() {
            // Closing from a line inside the tree puts the cursor on the process.
            self.sel = self
                .lines()
                .iter()
                .position(|l| matches!(l, Line::Process(r, _) if r.process == p))
                .unwrap_or(0);
            return None;
        }
        Some(Effect::OpenProcess(p))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use volost_domain::ServiceId;

    /// The starter catalog's services, as a node serves them.
    fn services() -> Vec<Service> {
        let starter = volost_domain::spec::Starter::builtin().unwrap();
        starter
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| s.to_service(ServiceId(i as u64 + 1), volost_domain::OrgId(1), &[]))
            .collect()
    }

    #[test]
    fn a_typed_search_becomes_a_filter_or_points_at_the_wrong_field() {
        let services = services();
        let extract = services
            .iter()
            .find(|s| s.name.contains("похозяйств"))
            .unwrap();
        let family = services
            .iter()
            .find(|s| s.name.contains("составе семьи"))
            .unwrap();
        let utc = time::UtcOffset::UTC;
        let mut s = Search {
            service: "похозяйств".into(),
            from: "01.11.2026".into(),
            to: "30.11.2026".into(),
            ..Search::default()
        };
        let f = parse(&s, &services, utc).unwrap();
        assert_eq!(f.service, Some(extract.id));
        // «по 30.11» takes in the whole of the 30th.
        assert_eq!(f.to.unwrap().0 - f.from.unwrap().0, 30 * 24 * 3_600_000);
        s.service = "выдача".into();
        assert_eq!(parse(&s, &services, utc).unwrap_err().0, 2);
        s.service = family.code.to_uppercase();
        assert_eq!(parse(&s, &services, utc).unwrap().service, Some(family.id));
        // November has no 31st: said so, not «введите как ДД.ММ.ГГГГ».
        s.to = "31.11.2026".into();
        assert_eq!(
            parse(&s, &services, utc).unwrap_err(),
            (4, text::NO_SUCH_DATE.into())
        );
        s.to = "31/11/2026".into();
        assert_eq!(
            parse(&s, &services, utc).unwrap_err(),
            (4, text::BAD_DATE.into())
        );
    }
}
