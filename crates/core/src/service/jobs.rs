//! The daemon's background work as operations of the service layer: marking overdue tasks,
//! and the figures `/metrics` reports. The node acts here (`Actor::System`), and the audit log
//! records it as such.

use super::{Actor, Node, Result};
use serde::{Deserialize, Serialize};
use volost_domain::*;
use volost_store::keys::prefix_upper;
use volost_store::records::{in_list_prefix, out_list_prefix, task_list_prefix};
use volost_store::summary::{InSummary, ReqCol, TaskCol};
use volost_store::{Read, codec, tables};

/// Node-wide counts for monitoring.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Gauges {
    /// Tasks in «Задачи группы», «Мои задачи», «Завершённые задачи».
    pub tasks_group: u64,
    pub tasks_mine: u64,
    pub tasks_done: u64,
    /// Open tasks past their due date.
    pub tasks_overdue: u64,
    /// Outgoing interagency requests per status.
    pub outgoing: Vec<(OutStatus, u64)>,
    /// Incoming interagency requests per status.
    pub incoming: Vec<(InStatus, u64)>,
}

/// Where in a task list key the column byte and a `Due` key's date are: after the index
/// byte, the queue byte and the scope id.
const TASK_COL_AT: usize = 10;
/// Where an outgoing list key of the status column holds the status: after the index byte,
/// the body id and the column byte.
const OUT_STATUS_AT: usize = 10;

/// The first day whose overdue tasks are not yet marked; yesterday before the first run.
fn overdue_through(t: &impl Read, key: &str, today: time::Date) -> Result<time::Date> {
    Ok(match t.meta_get(key)? {
        Some(b) => <[u8; 4]>::try_from(b.as_slice())
            .ok()
            .and_then(|b| time::Date::from_julian_day(i32::from_be_bytes(b)).ok())
            .unwrap_or(today),
        None => today.previous_day().unwrap_or(today),
    })
}

/// Open tasks of `org` due in `[from, to)`: a range of the due-date column of each of its
/// groups' and users' queues.
pub(super) fn tasks_due_in(
    t: &impl Read,
    org: OrgId,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<u64>> {
    let mut scopes: Vec<(Queue, u64)> = Vec::new();
    for g in t.all::<Group>()? {
        if g.org == org {
            scopes.push((Queue::Group, g.id.0));
        }
    }
    for u in t.all::<User>()? {
        if u.org == org {
            scopes.push((Queue::Mine, u.id.0));
        }
    }
    let mut ids = Vec::new();
    for (queue, scope) in scopes {
        let p = task_list_prefix(queue, scope, TaskCol::Due);
        let (lo, hi) = (p.clone().date(from).0, p.date(to).0);
        t.scan_index(&lo, &hi, false, &mut |k, _| {
            ids.extend(volost_store::keys::trailing_id(k));
            Ok(true)
        })?;
    }
    Ok(ids)
}

fn whole(prefix: &[u8]) -> (Vec<u8>, Vec<u8>) {
    (prefix.to_vec(), prefix_upper(prefix))
}

impl Node {
    /// Counts for `/metrics`. Reads index keys only (no rows), in one snapshot; writers go on.
    pub fn gauges(&self) -> Result<Gauges> {
        let rx = self.store().read()?;
        let today = self.now().date(self.options().utc_offset).to_julian_day();
        let mut g = Gauges::default();
        for queue in [Queue::Group, Queue::Mine] {
            let (from, to) = whole(&[tables::Ix::TaskList as u8, queue as u8]);
            let (mut count, mut overdue) = (0u64, 0u64);
            rx.scan_index(&from, &to, false, &mut |k, _| {
                match k.get(TASK_COL_AT).copied() {
                    Some(c) if c == TaskCol::Created as u8 => count += 1,
                    Some(c) if c == TaskCol::Due as u8 => {
                        let due = k
                            .get(TASK_COL_AT + 1..TASK_COL_AT + 5)
                            .and_then(|b| <[u8; 4]>::try_from(b).ok())
                            .map(|b| u32::from_be_bytes(b) as i32);
                        if due.is_some_and(|d| d < today) {
                            overdue += 1;
                        }
                    }
                    _ => {}
                }
                Ok(true)
            })?;
            match queue {
                Queue::Group => g.tasks_group = count,
                _ => g.tasks_mine = count,
            }
            g.tasks_overdue += overdue;
        }
        let all = rx.count_rows(tables::TASKS)?;
        g.tasks_done = all.saturating_sub(g.tasks_group + g.tasks_mine);

        let mut out = [0u64; 256];
        let mut inc = [0u64; 256];
        for org in rx.all::<Org>()? {
            let (from, to) = whole(&out_list_prefix(org.id, ReqCol::Status).0);
            rx.scan_index(&from, &to, false, &mut |k, _| {
                if let Some(s) = k.get(OUT_STATUS_AT) {
                    out[usize::from(*s)] += 1;
                }
                Ok(true)
            })?;
            // Incoming lists have no status column: the status is in the entry's summary.
            let (from, to) = whole(&in_list_prefix(org.id, ReqCol::Created).0);
            rx.scan_index(&from, &to, false, &mut |_, v| {
                let (_, body) = codec::split(v)?;
                let s: InSummary = codec::body("summary", body)?;
                inc[usize::from(s.status)] += 1;
                Ok(true)
            })?;
        }
        g.outgoing = OutStatus::ALL
            .iter()
            .map(|s| (*s, out[usize::from(*s as u8)]))
            .collect();
        g.incoming = InStatus::ALL
            .iter()
            .map(|s| (*s, inc[usize::from(*s as u8)]))
            .collect();
        Ok(g)
    }

    /// The overdue job: every open task whose due date passed since the job's last run gets
    /// «Срок исполнения истёк» in its history, once. The day up to which tasks were marked is
    /// kept per body, so a node that was off for a week catches up on its next start. Tasks
    /// overdue before the first run are not marked (their lists show them overdue anyway).
    /// Returns how many tasks were marked.
    pub fn mark_overdue(&self) -> Result<u64> {
        let rx = self.store().read()?;
        let orgs: Vec<Org> = rx.all()?;
        let today = self.now().date(self.options().utc_offset);
        let mut marked = 0;
        for org in orgs {
            let key = format!("overdue_through:{}", org.id.0);
            // Most runs find nothing: they stay reads, with no write and no audit entry.
            let through = overdue_through(&rx, &key, today)?;
            if through >= today || tasks_due_in(&rx, org.id, through, today)?.is_empty() {
                continue;
            }
            marked += self.write(Actor::System(org.id), "task.overdue", |w| {
                let today = w.today();
                let through = overdue_through(&w.tx, &key, today)?;
                let mut n = 0;
                for id in tasks_due_in(&w.tx, org.id, through, today)? {
                    let t: Task = w.load(id)?;
                    if t.completed.is_some() || t.due >= today {
                        continue;
                    }
                    w.history(
                        Entity::Task,
                        id,
                        "Срок исполнения истёк",
                        format!("Срок исполнения: {}", display_date(t.due)),
                    )?;
                    w.target("task", id);
                    n += 1;
                }
                w.tx.meta_put(&key, &today.to_julian_day().to_be_bytes())?;
                Ok(n)
            })?;
        }
        if marked > 0 {
            tracing::info!(marked, "overdue tasks marked");
        }
        Ok(marked)
    }
}
