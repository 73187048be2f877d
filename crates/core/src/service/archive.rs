//! «Архив»: finished process instances, each with its tasks and the documents made while
//! they were open. A person sees a process here only if they completed one of its tasks;
//! monitoring and administrators see every finished process of their body.

use super::applicants::{ApplicantQuery, applicant_prefix};
use super::list::{self, MAX_PAGE, Page, Span};
use super::{Actor, Error, Node, R, Result, Who};
use std::collections::BTreeMap;
pub use volost_api::view::{
    ArchiveDoc, ArchiveFilter, ArchiveQuery, ArchiveRow, ArchiveTask, ArchiveTree,
};
use volost_domain::*;
use volost_store::Read;
use volost_store::records::{
    app_by_applicant_prefix, app_number_key, archive_prefix, archive_user_prefix, out_list_prefix,
};
use volost_store::summary::{ArchiveSummary, OutSummary, ReqCol};

/// Monitoring and administrators see the whole body's archive; everyone else their own.
fn sees_all(who: &Who) -> bool {
    who.user.is_none() || who.rights.has(Right::Monitoring) || who.rights.has(Right::Administer)
}

fn may_see(who: &Who, p: &Process) -> bool {
    p.org == who.org
        && p.finished.is_some()
        && (sees_all(who) || who.user_id().is_some_and(|u| p.executors.contains(&u)))
}

fn filter_ok(f: &ArchiveFilter, p: &Process) -> bool {
    let fin = p.finished.map_or(i64::MIN, |t| t.0);
    f.service.is_none_or(|s| p.service == s)
        && f.from.is_none_or(|x| fin >= x.0)
        && f.to.is_none_or(|x| fin < x.0)
}

fn check_filter(f: &ArchiveFilter) -> Result<()> {
    if let (Some(a), Some(b)) = (f.from, f.to)
        && a >= b
    {
        return Err(Error::invalid(
            "Период",
            "Начало периода должно быть раньше его конца",
        ));
    }
    Ok(())
}

/// The processes of the applications `f.number` or `f.applicant` name: few, so they are read
/// directly rather than found by scanning the archive.
fn by_application(r: &R, f: &ArchiveFilter) -> Result<Vec<ProcessId>> {
    let mut apps = Vec::new();
    if let Some(n) = f.number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        apps = list::ids_with_prefix(&r.rx, &app_number_key(r.who.org, n).0, MAX_PAGE)?;
    }
    if let Some(a) = f
        .applicant
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        let prefix = applicant_prefix(r.who.org, &ApplicantQuery::guess(a))?;
        let mut of_applicants = Vec::new();
        for who in list::ids_with_prefix(&r.rx, &prefix, 100)? {
            let p = app_by_applicant_prefix(ApplicantId(who)).0;
            of_applicants.extend(list::ids_with_prefix(&r.rx, &p, MAX_PAGE)?);
        }
        apps = if f.number.is_some() {
            apps.into_iter()
                .filter(|a| of_applicants.contains(a))
                .collect()
        } else {
            of_applicants
        };
    }
    let mut out = Vec::new();
    for a in r.rx.get_many::<Application>(&apps)?.into_iter().flatten() {
        if a.org == r.who.org
            && let Some(p) = a.process
        {
            out.push(p);
        }
    }
    Ok(out)
}

fn application_of(r: &R, p: &Process) -> Result<Option<Application>> {
    p.application
        .map(|a| r.load::<Application>(a.0))
        .transpose()
}

fn row(
    r: &R,
    p: &Process,
    app: Option<&Application>,
    names: &mut BTreeMap<ServiceId, String>,
) -> Result<ArchiveRow> {
    let service = match names.get(&p.service) {
        Some(n) => n.clone(),
        None => {
            let s: Service = r.load(p.service.0)?;
            names.insert(p.service, s.name.clone());
            s.name
        }
    };
    let applicant = match app {
        Some(a) => Some(r.load::<Applicant>(a.applicant.0)?.name),
        None => None,
    };
    Ok(ArchiveRow {
        process: p.id,
        service,
        application: p.application,
        number: app.as_ref().map(|a| a.number.clone()),
        applicant,
        result: app.as_ref().map(|a| a.status),
        verdict: app
            .as_ref()
            .and_then(|a| a.decision.as_ref())
            .map(|d| d.verdict),
        started: p.started,
        finished: p.finished.unwrap_or(p.started),
        tasks: p.tasks.len(),
    })
}

fn archive_page(r: &R, q: &ArchiveQuery) -> Result<Page<ArchiveRow>> {
    r.who.require("archive.list", Right::ViewTasks)?;
    let f = &q.filter;
    check_filter(f)?;
    let limit = q.limit.clamp(1, MAX_PAGE);
    let mut names = BTreeMap::new();
    let direct = f.number.as_deref().is_some_and(|s| !s.trim().is_empty())
        || f.applicant.as_deref().is_some_and(|s| !s.trim().is_empty());
    if direct {
        let mut found: Vec<Process> =
            r.rx.get_many::<Process>(
                &by_application(r, f)?
                    .iter()
                    .map(|p| p.0)
                    .collect::<Vec<_>>(),
            )?
            .into_iter()
            .flatten()
            .filter(|p| may_see(&r.who, p) && filter_ok(f, p))
            .collect();
        found.sort_by_key(|p| std::cmp::Reverse((p.finished, p.id)));
        found.truncate(limit);
        let rows = found
            .iter()
            .map(|p| row(r, p, application_of(r, p)?.as_ref(), &mut names))
            .collect::<Result<_>>()?;
        return Ok(Page { rows, next: None });
    }
    let base = if sees_all(&r.who) {
        archive_prefix(r.who.org)
    } else {
        archive_user_prefix(r.who.person()?)
    };
    let span = Span::new(base.clone()).period(base, f.from, f.to);
    let (ids, next) =
        list::scan::<ArchiveSummary>(&r.rx, &span, true, q.after.as_ref(), limit, |s| {
            f.service.is_none_or(|x| s.service == x.0)
        })?;
    let rows = r
        .load_many::<Process>(&ids)?
        .iter()
        .map(|p| row(r, p, application_of(r, p)?.as_ref(), &mut names))
        .collect::<Result<_>>()?;
    Ok(Page { rows, next })
}

/// The outgoing requests made for `app` while `p` ran: a scan of the body's requests created
/// in that time, testing the application on the index entries.
fn requests_of(r: &R, p: &Process, app: AppId) -> Result<Vec<(Ts, ArchiveDoc)>> {
    let base = out_list_prefix(r.who.org, ReqCol::Created);
    let until = p.finished.map(|t| Ts(t.0.saturating_add(1)));
    let span = Span::new(base.clone())
        .period(base, Some(p.started), until)
        .created_in_key(Some(p.started), until);
    let (ids, _) = list::scan::<OutSummary>(&r.rx, &span, false, None, MAX_PAGE, |s| {
        s.application == Some(app.0)
    })?;
    let mut out = Vec::new();
    for q in r.load_many::<OutgoingRequest>(&ids)? {
        let kind: RequestKind = r.load(q.kind.0)?;
        out.push((
            q.created,
            ArchiveDoc::Outgoing {
                id: q.id,
                number: q.number,
                kind: kind.name,
                status: q.status,
            },
        ));
    }
    Ok(out)
}

fn tree(r: &R, id: ProcessId) -> Result<ArchiveTree> {
    r.who.require("archive.view", Right::ViewTasks)?;
    let p: Process = r.load(id.0)?;
    if !may_see(&r.who, &p) {
        return Err(Error::not_found("process", id));
    }
    let app = application_of(r, &p)?;
    let row = row(r, &p, app.as_ref(), &mut BTreeMap::new())?;
    let cal = super::calendar::load(&r.rx)?;
    let mut docs: Vec<(Ts, ArchiveDoc)> = Vec::new();
    if let Some(app) = app {
        let a = app.id;
        for f in super::files::files_of(&r.rx, FileOwner::Application(a))? {
            docs.push((
                f.added,
                ArchiveDoc::File {
                    id: f.id,
                    name: f.name,
                    size: f.size,
                },
            ));
        }
        docs.extend(requests_of(r, &p, a)?);
        if let Some(d) = app.decision {
            docs.push((
                d.at,
                ArchiveDoc::Decision {
                    verdict: d.verdict,
                    reason: d.reason,
                },
            ));
        }
    }
    docs.sort_by_key(|(t, _)| *t);
    let mut tasks = Vec::new();
    for t in r.load_many::<Task>(&p.tasks.iter().map(|t| t.0).collect::<Vec<_>>())? {
        let executor = super::applications::user_name(&r.rx, t.completed.map(|c| c.0))?;
        let overdue_days = t.completed.map_or(0, |(_, at)| {
            cal.working_days_between(t.due, at.date(r.offset))
        });
        tasks.push(ArchiveTask {
            id: t.id,
            name: t.name,
            executor,
            created: t.created,
            due: t.due,
            completed: t.completed.map(|c| c.1),
            overdue_days,
            documents: Vec::new(),
        });
    }
    // Each document goes under the task that was open when it was made: the first one
    // completed at or after its time (the last task takes what came after the end).
    let first_start = tasks.first().map_or(i64::MAX, |t| t.created.0);
    let mut before = Vec::new();
    for (at, d) in docs {
        if at.0 < first_start {
            before.push(d);
            continue;
        }
        let i = tasks
            .iter()
            .position(|t| t.completed.is_none_or(|c| c.0 >= at.0))
            .unwrap_or(tasks.len().saturating_sub(1));
        if let Some(t) = tasks.get_mut(i) {
            t.documents.push(d);
        }
    }
    Ok(ArchiveTree { row, before, tasks })
}

impl Node {
    /// A page of «Архив», newest first.
    pub fn archive(&self, actor: Actor, q: &ArchiveQuery) -> Result<Page<ArchiveRow>> {
        self.read(actor, |r| archive_page(r, q))
    }

    /// One finished process of «Архив» as a tree.
    pub fn archive_process(&self, actor: Actor, id: ProcessId) -> Result<ArchiveTree> {
        self.read(actor, |r| tree(r, id))
    }
}
