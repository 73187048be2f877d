//! «Статистика / отчёт за период»: what a body did in a period, for a department and its
//! subordinate departments or for the whole body.
//!
//! The period is in local dates, both ends included. An application counts as received in
//! the period when it was created in it and is not a draft; its decision counts whenever it
//! came. Tasks and outgoing requests count when they were created in the period.

use super::list::{self, Span};
use super::{Actor, Error, Node, R, Result};
use std::collections::{BTreeMap, BTreeSet};
pub use volost_api::view::{AddresseeLine, ExecutorLine, Report, ReportQuery, ServiceLine};
use volost_domain::*;
use volost_store::Read;
use volost_store::records::{app_list_prefix, out_list_prefix, task_list_prefix};
use volost_store::summary::{AppCol, AppScope, AppSummary, OutSummary, ReqCol, TaskCol};

/// Longest period one report covers, so that a mistyped year cannot hold the node.
pub const MAX_REPORT_DAYS: i64 = 3 * 366;

/// `dept` and every department under it.
fn subtree(all: &[Department], dept: DeptId) -> BTreeSet<u64> {
    let mut out = BTreeSet::from([dept.0]);
    loop {
        let before = out.len();
        for d in all {
            if d.parent.is_some_and(|p| out.contains(&p.0)) {
                out.insert(d.id.0);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

fn period(r: &R, q: &ReportQuery) -> Result<(Ts, Ts)> {
    if q.from > q.to {
        return Err(Error::invalid("Период", "Начало периода позже его конца"));
    }
    if (q.to - q.from).whole_days() >= MAX_REPORT_DAYS {
        return Err(Error::invalid(
            "Период",
            "Период отчёта — не больше трёх лет",
        ));
    }
    let at = |d: time::Date| Ts::from_datetime(d.midnight().assume_offset(r.offset));
    Ok((at(q.from), at(q.to.next_day().unwrap_or(q.to))))
}

/// Every entry of `span`, page by page (a report reads the whole period).
fn all_ids<S: serde::de::DeserializeOwned>(
    r: &R,
    span: &Span,
    mut keep: impl FnMut(&S) -> bool,
) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let (ids, next) = list::scan::<S>(
            &r.rx,
            span,
            false,
            after.as_ref(),
            list::MAX_PAGE,
            &mut keep,
        )?;
        out.extend(ids);
        match next {
            Some(c) => after = Some(c),
            None => return Ok(out),
        }
    }
}

fn report(r: &R, q: &ReportQuery) -> Result<Report> {
    if !(r.who.rights.has(Right::Monitoring) || r.who.rights.has(Right::Administer)) {
        return Err(Error::Forbidden {
            op: "report",
            right: Right::Monitoring,
        });
    }
    let (from, to) = period(r, q)?;
    let depts: Vec<Department> =
        r.rx.all::<Department>()?
            .into_iter()
            .filter(|d| d.org == r.who.org)
            .collect();
    let (scope, dept_name) = match q.dept {
        Some(d) => {
            let dept: Department = r.load(d.0)?;
            (Some(subtree(&depts, d)), Some(dept.name))
        }
        None => (None, None),
    };
    let in_scope = |d: Option<u64>| {
        scope
            .as_ref()
            .is_none_or(|s| d.is_some_and(|d| s.contains(&d)))
    };
    let cal = super::calendar::load(&r.rx)?;
    let day = |t: Ts| t.date(r.offset);

    // Applications.
    let base = app_list_prefix(r.who.org, AppScope::All, AppCol::Created);
    let span = Span::new(base.clone())
        .period(base, Some(from), Some(to))
        .created_in_key(Some(from), Some(to));
    let mut lines: BTreeMap<u64, ServiceLine> = BTreeMap::new();
    let mut decided = Vec::new();
    // Everything comes from the list index's summaries (schema 3): no row is read.
    all_ids::<AppSummary>(r, &span, |s| {
        if s.status == Status::Draft.code() || !in_scope(s.dept) {
            return false;
        }
        let line = lines.entry(s.service).or_default();
        line.received += 1;
        if let Some(n) = line.by_source.get_mut(usize::from(s.source)) {
            *n += 1;
        }
        if let Some(d) = s.decided {
            if d.approved {
                line.approved += 1;
            } else {
                line.refused += 1;
            }
            let days = cal.working_days_between(day(Ts(d.from)), day(Ts(d.at)));
            decided.push((s.service, days));
        }
        false
    })?;
    let mut sums: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    let (mut all_sum, mut all_n) = (0, 0);
    let mut total = ServiceLine {
        service: "Итого".into(),
        ..Default::default()
    };
    for (svc, days) in decided {
        let (sum, n) = sums.entry(svc).or_default();
        if let Some(l) = lines.get_mut(&svc) {
            add_days(l, days, sum, n);
        }
        add_days(&mut total, days, &mut all_sum, &mut all_n);
    }
    let mut services = Vec::new();
    for (id, mut l) in lines {
        l.service =
            r.rx.get::<Service>(id)?
                .map_or_else(|| format!("услуга {id}"), |s| s.name);
        total.received += l.received;
        total.approved += l.approved;
        total.refused += l.refused;
        for (t, x) in total.by_source.iter_mut().zip(l.by_source) {
            *t += x;
        }
        services.push(l);
    }
    services.sort_by(|a, b| b.received.cmp(&a.received).then(a.service.cmp(&b.service)));

    // Tasks: the body's groups hold «Задачи группы» and «Завершённые задачи», its people
    // «Мои задачи».
    let groups: Vec<Group> = r.rx.all()?;
    let users: Vec<User> = r.rx.all()?;
    let mut scopes: Vec<(Queue, u64)> = Vec::new();
    for g in groups.iter().filter(|g| g.org == r.who.org) {
        scopes.push((Queue::Group, g.id.0));
        scopes.push((Queue::Done, g.id.0));
    }
    for u in users.iter().filter(|u| u.org == r.who.org) {
        scopes.push((Queue::Mine, u.id.0));
    }
    let today = r.today();
    let today_jd = today.to_julian_day();
    let (mut tasks, mut tasks_overdue) = (0, 0);
    let mut per_user: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    let mut task_ids = Vec::new();
    for (queue, id) in scopes {
        let base = task_list_prefix(queue, id, TaskCol::Created);
        let span = Span::new(base.clone())
            .period(base, Some(from), Some(to))
            .created_in_key(Some(from), Some(to));
        // A task of the whole body is counted from its summary: late when done after its
        // due day, or open past it. A department's are read for their process's department.
        let from_summary = scope.is_none();
        task_ids.extend(all_ids::<volost_store::summary::TaskSummary>(
            r,
            &span,
            |s| {
                if !from_summary {
                    return true;
                }
                tasks += 1;
                // A task closed with its application was nobody's to do: not late, not work.
                if s.withdrawn {
                    return false;
                }
                let late = match s.completed {
                    Some((_, at)) => day(Ts(at)).to_julian_day() > s.due,
                    None => today_jd > s.due,
                };
                tasks_overdue += u64::from(late);
                if let Some((by, _)) = s.completed {
                    let e = per_user.entry(by).or_default();
                    e.0 += 1;
                    e.1 += u64::from(late);
                }
                false
            },
        )?);
    }
    let mut process_dept: BTreeMap<u64, Option<u64>> = BTreeMap::new();
    for t in r.rx.get_many::<Task>(&task_ids)?.into_iter().flatten() {
        if t.org != r.who.org {
            continue;
        }
        if scope.is_some() {
            let d = match process_dept.get(&t.process.0) {
                Some(d) => *d,
                None => {
                    let d =
                        r.rx.get::<Process>(t.process.0)?
                            .and_then(|p| p.dept)
                            .map(|d| d.0);
                    process_dept.insert(t.process.0, d);
                    d
                }
            };
            if !in_scope(d) {
                continue;
            }
        }
        tasks += 1;
        if t.withdrawn {
            continue;
        }
        let late = match t.completed {
            Some((_, at)) => day(at) > t.due,
            None => today > t.due,
        };
        if late {
            tasks_overdue += 1;
        }
        if let Some((by, _)) = t.completed {
            let e = per_user.entry(by.0).or_default();
            e.0 += 1;
            e.1 += u64::from(late);
        }
    }
    let mut executors: Vec<ExecutorLine> = per_user
        .into_iter()
        .map(|(u, (done, overdue))| ExecutorLine {
            name: users
                .iter()
                .find(|x| x.id.0 == u)
                .map_or_else(|| format!("пользователь {u}"), User::short_name),
            done,
            overdue,
        })
        .collect();
    executors.sort_by(|a, b| b.done.cmp(&a.done).then(a.name.cmp(&b.name)));

    // Outgoing requests.
    let base = out_list_prefix(r.who.org, ReqCol::Created);
    let span = Span::new(base.clone())
        .period(base, Some(from), Some(to))
        .created_in_key(Some(from), Some(to));
    let mut per_status: BTreeMap<u8, u64> = BTreeMap::new();
    let mut per_kind: BTreeMap<u64, (u64, u64, i64)> = BTreeMap::new();
    all_ids::<OutSummary>(r, &span, |s| {
        if in_scope(s.dept) {
            *per_status.entry(s.status).or_default() += 1;
            let e = per_kind.entry(s.kind).or_default();
            e.0 += 1;
            if let (Some(sent), Some(ans)) = (s.sent, s.answered) {
                e.1 += 1;
                e.2 += ans - sent;
            }
        }
        false
    })?;
    let requests = OutStatus::ALL
        .iter()
        .map(|s| (*s, per_status.get(&(*s as u8)).copied().unwrap_or(0)))
        .collect();
    let mut by_agency: BTreeMap<String, (u64, u64, i64)> = BTreeMap::new();
    for (kind, (n, answered, ms)) in per_kind {
        let agency =
            r.rx.get::<RequestKind>(kind)?
                .map_or_else(|| format!("вид сведений {kind}"), |k| k.agency);
        let e = by_agency.entry(agency).or_default();
        e.0 += n;
        e.1 += answered;
        e.2 += ms;
    }
    let addressees = by_agency
        .into_iter()
        .map(|(agency, (count, answered, ms))| AddresseeLine {
            agency,
            count,
            answered,
            avg_answer_hours: (answered > 0).then(|| ms as f64 / answered as f64 / 3_600_000.0),
        })
        .collect();

    Ok(Report {
        from: q.from,
        to: q.to,
        dept: dept_name,
        services,
        total,
        tasks,
        tasks_overdue,
        executors,
        requests,
        addressees,
    })
}

/// Counts one decision's working days into a line's average and maximum.
fn add_days(line: &mut ServiceLine, days: u32, sum: &mut u64, n: &mut u64) {
    *sum += u64::from(days);
    *n += 1;
    line.max_days = Some(line.max_days.map_or(days, |m| m.max(days)));
    line.avg_days = Some(*sum as f64 / *n as f64);
}

impl Node {
    /// «Отчёт за период».
    pub fn report(&self, actor: Actor, q: &ReportQuery) -> Result<Report> {
        self.read(actor, |r| report(r, q))
    }
}
