//! The runner's side of archive: the daemon calls its effects ask for.

use crate::app::{App, Banner, Dialog, Screen};
use crate::screens::archive::*;
use crate::text;
use std::collections::BTreeMap;
use volost_api::call;
use volost_api::{ArchiveFilter, ArchiveQuery};
use volost_domain::ProcessId;

impl App {
    /// Opens «Архив» with no search, reading its first processes.
    pub(crate) fn open_archive(&mut self) {
        let services = match self.conn.ask(call::Services { all: true }) {
            Ok(s) => s,
            Err(e) => return self.failed(&e),
        };
        let v = ArchiveView {
            search: Search::default(),
            filter: ArchiveFilter::default(),
            rows: Vec::new(),
            next: None,
            open: BTreeMap::new(),
            sel: 0,
            services,
        };
        self.screen = Screen::Archive(Box::new(v));
        self.archive_reload();
    }

    /// Reads the archive again from the top with the current search (opened trees close).
    pub(crate) fn archive_reload(&mut self) {
        let Screen::Archive(v) = &mut self.screen else {
            return;
        };
        let q = ArchiveQuery {
            filter: v.filter.clone(),
            after: None,
            limit: CHUNK,
        };
        match self.conn.ask(call::Archive(q)) {
            Ok(p) => {
                v.rows = p.rows;
                v.next = p.next;
                v.open.clear();
                v.sel = 0;
            }
            Err(e) => self.failed(&e),
        }
    }

    /// The next chunk, appended, when the cursor has reached the end of what is read; the
    /// cursor then moves `by` lines.
    pub(crate) fn archive_more(&mut self, by: usize) {
        let Screen::Archive(v) = &mut self.screen else {
            return;
        };
        let Some(after) = v.next.clone() else {
            return;
        };
        let q = ArchiveQuery {
            filter: v.filter.clone(),
            after: Some(after),
            limit: CHUNK,
        };
        match self.conn.ask(call::Archive(q)) {
            Ok(p) => {
                v.rows.extend(p.rows);
                v.next = p.next;
            }
            Err(e) => return self.failed(&e),
        }
        let n = v.lines().len();
        v.sel = (v.sel + by).min(n.saturating_sub(1));
    }

    /// Reads the tree of an archived process, opened under its line.
    pub(crate) fn open_process(&mut self, p: ProcessId) {
        match self.conn.ask(call::ArchiveProcess { process: p }) {
            Ok(t) => {
                if let Screen::Archive(v) = &mut self.screen {
                    v.open.insert(p, t);
                }
            }
            Err(e) => self.failed(&e),
        }
    }

    /// The search dialog was filled in.
    pub(crate) fn archive_search(&mut self, mut d: Dialog) {
        let offset = self.offset;
        let Screen::Archive(v) = &mut self.screen else {
            return;
        };
        let s = Search {
            number: d.value(0),
            applicant: d.value(1),
            service: d.value(2),
            from: d.value(3),
            to: d.value(4),
        };
        match parse(&s, &v.services, offset) {
            Ok(f) => {
                v.search = s;
                v.filter = f;
                self.archive_reload();
                if let Screen::Archive(v) = &self.screen
                    && v.rows.is_empty()
                    && self.banner.is_none()
                {
                    self.banner = Some(Banner::Info(text::AR_NOTHING.into()));
                }
            }
            Err((i, msg)) => {
                d.refuse(i, msg);
                self.dialog = Some(d);
            }
        }
    }
}
