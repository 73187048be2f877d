//! The production calendar as the node keeps it: the shipped decrees, the years an
//! administrator imported and the days they marked; and moving open due dates when any of it
//! changes.

use super::{Actor, Error, Node, Result, W};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
pub use volost_api::view::{CalendarImport, CalendarStatus, Recomputed};
use volost_domain::calendar::{YearDays, import};
use volost_domain::*;
use volost_store::records::app_list_prefix;
use volost_store::summary::{AppCol, AppScope};
use volost_store::{Read, codec};

/// Version 1 stored the days off of the starter catalog's one year and the administrator's
/// changes together, as the whole calendar.
#[derive(Deserialize)]
struct CalendarV1 {
    holidays: BTreeSet<time::Date>,
    workdays: BTreeSet<time::Date>,
}

fn stored_v1(t: &impl Read) -> Result<Option<CalendarV1>> {
    match t.meta_get("calendar")? {
        Some(b) => match codec::split(&b)? {
            (1, body) => Ok(Some(codec::body("calendar", body)?)),
            _ => Ok(None),
        },
        None => Ok(None),
    }
}

/// What the database holds: the imported years and the marks, never the shipped years, so
/// that a node's update brings a newly published decree with it.
fn stored(t: &impl Read) -> Result<Calendar> {
    if let Some(old) = stored_v1(t)? {
        // Each old day is a mark only where the law and the decrees do not say it already:
        // the starter's 2026 list is exactly the decree's, so it goes.
        let mut c = Calendar::official();
        for d in old.holidays {
            c.mark(d, true);
        }
        for d in old.workdays {
            c.mark(d, false);
        }
        c.years.clear();
        return Ok(c);
    }
    match t.meta_get("calendar")? {
        None => Ok(Calendar::default()),
        Some(b) => Ok(codec::body("calendar", codec::split(&b)?.1)?),
    }
}

/// The calendar a version-1 node counted by: Saturdays and Sundays, and its lists, with no
/// law for any year — so a deadline across New Year 2026/27 ignored the January holidays.
fn as_counted_by_v1(old: &CalendarV1) -> Calendar {
    let years = (1990..=2100)
        .map(|y| {
            let of =
                |s: &BTreeSet<time::Date>| s.iter().copied().filter(|d| d.year() == y).collect();
            (
                y,
                YearDays {
                    off: of(&old.holidays),
                    work: of(&old.workdays),
                    source: String::new(),
                },
            )
        })
        .collect();
    Calendar {
        years,
        ..Calendar::default()
    }
}

/// The shipped decrees the due dates were last counted by.
fn settled_shipped(t: &impl Read) -> Result<Option<BTreeMap<i32, YearDays>>> {
    match t.meta_get("calendar_shipped")? {
        Some(b) => Ok(Some(codec::body("calendar_shipped", codec::split(&b)?.1)?)),
        None => Ok(None),
    }
}

/// The calendar every deadline is counted by.
pub(crate) fn load(t: &impl Read) -> Result<Calendar> {
    let own = stored(t)?;
    let mut c = Calendar::official();
    c.years.extend(own.years);
    c.holidays = own.holidays;
    c.workdays = own.workdays;
    Ok(c)
}

fn save(w: &mut W, own: &Calendar) -> Result<()> {
    w.tx.meta_put("calendar", &codec::encode(2, own)?)?;
    Ok(())
}

/// The first day whose state differs between the two calendars.
fn first_change(old: &Calendar, new: &Calendar) -> Option<time::Date> {
    let mut days: BTreeSet<time::Date> = BTreeSet::new();
    let years: BTreeSet<i32> = old.years.keys().chain(new.years.keys()).copied().collect();
    for y in years {
        let (a, b) = (old.year(y), new.year(y));
        if a.off != b.off || a.work != b.work {
            days.extend(a.off.iter().chain(&a.work).chain(&b.off).chain(&b.work));
        }
    }
    days.extend(old.holidays.symmetric_difference(&new.holidays));
    days.extend(old.workdays.symmetric_difference(&new.workdays));
    days.into_iter()
        .find(|d| old.is_working(*d) != new.is_working(*d))
}

/// The due date that keeps the same number of working days from `start` under `new` as
/// `due` had under `old`; `None` when nothing between them changed.
fn moved_due(
    old: &Calendar,
    new: &Calendar,
    start: time::Date,
    due: time::Date,
) -> Option<time::Date> {
    let n = old.working_days_between(start, due);
    if new.working_days_between(start, due) == n {
        return None;
    }
    let d = new.add_working_days(start, n);
    (d != due).then_some(d)
}

/// Moves the due dates of open tasks and applications from `old` to `new`, each with a line
/// of history. Only entries due on or after the first changed day can move, and the due-date
/// indexes find those without reading the rest.
fn recompute(w: &mut W, old: &Calendar, new: &Calendar) -> Result<Recomputed> {
    let mut out = Recomputed::default();
    let Some(first) = first_change(old, new) else {
        return Ok(out);
    };
    let why = "Срок пересчитан по производственному календарю";
    let orgs = w.tx.all::<Org>()?;
    let mut task_ids = Vec::new();
    for org in &orgs {
        task_ids.extend(super::jobs::tasks_due_in(
            &w.tx,
            org.id,
            first,
            time::Date::MAX,
        )?);
    }
    for id in task_ids {
        let Some(mut t) = w.tx.get::<Task>(id)? else {
            continue;
        };
        if t.completed.is_some() {
            continue;
        }
        let start = t.created.date(w.offset);
        if let Some(due) = moved_due(old, new, start, t.due) {
            let what = format!("{why}: {} → {}", display_date(t.due), display_date(due));
            t.due = due;
            w.tx.put(&t)?;
            w.history(Entity::Task, t.id.0, what, "")?;
            out.tasks += 1;
        }
    }
    let mut app_ids = Vec::new();
    for org in &orgs {
        let prefix = app_list_prefix(org.id, AppScope::All, AppCol::Due);
        let from = prefix.clone().i64(i64::from(first.to_julian_day()));
        let to = prefix.i64(i64::from(i32::MAX));
        w.tx.scan_index(&from.0, &to.0, false, &mut |k, _| {
            app_ids.extend(volost_store::keys::trailing_id(k));
            Ok(true)
        })?;
    }
    for id in app_ids {
        let Some(mut a) = w.tx.get::<Application>(id)? else {
            continue;
        };
        let (Some(due), Some(reg)) = (a.due, a.registered) else {
            continue;
        };
        if a.status >= Status::ApprovedPositive {
            continue;
        }
        if let Some(d) = moved_due(old, new, reg.date(w.offset), due) {
            let what = format!("{why}: {} → {}", display_date(due), display_date(d));
            a.due = Some(d);
            w.tx.put(&a)?;
            w.history(Entity::Application, a.id.0, what, "")?;
            out.applications += 1;
        }
    }
    Ok(out)
}

/// The calendar the due dates in the database were counted by: version 1's, or the decrees
/// the node shipped when they were last settled with the node's own years and marks.
fn counted_by(t: &impl Read) -> Result<Calendar> {
    if let Some(v1) = stored_v1(t)? {
        return Ok(as_counted_by_v1(&v1));
    }
    let mut c = stored(t)?;
    // A database no version settled yet was made by this one.
    let mut years = settled_shipped(t)?.unwrap_or_else(volost_domain::calendar::official::years);
    years.extend(std::mem::take(&mut c.years));
    c.years = years;
    Ok(c)
}

/// Applies `change` to the stored calendar and moves what it moves, from the calendar the
/// due dates were counted by (so an edit made before the daemon settled an update moves what
/// the update would have moved too).
fn change_as(w: &mut W, change: impl FnOnce(&mut Calendar) -> Result<()>) -> Result<Recomputed> {
    let old = counted_by(&w.tx)?;
    let mut own = stored(&w.tx)?;
    change(&mut own)?;
    save(w, &own)?;
    let shipped = volost_domain::calendar::official::years();
    w.tx.meta_put("calendar_shipped", &codec::encode(1, &shipped)?)?;
    let new = load(&w.tx)?;
    recompute(w, &old, &new)
}

/// An administrator's change of the calendar.
fn change(w: &mut W, change: impl FnOnce(&mut Calendar) -> Result<()>) -> Result<Recomputed> {
    w.who.require("calendar.set", Right::Administer)?;
    change_as(w, change)
}

impl Node {
    /// After the node is updated: due dates counted by the calendar of an earlier version —
    /// one that shipped other decrees, or version 1's, which knew 2026 only — move to the
    /// current one, each with a line of history. The daemon runs it at start; when nothing
    /// changed it only reads.
    pub fn settle_calendar(&self) -> Result<Recomputed> {
        let shipped = volost_domain::calendar::official::years();
        let org = {
            let rx = self.store().read()?;
            if stored_v1(&rx)?.is_none() && settled_shipped(&rx)?.as_ref() == Some(&shipped) {
                return Ok(Recomputed::default());
            }
            match rx.all::<Org>()?.into_iter().next() {
                Some(o) => o,
                None => return Ok(Recomputed::default()),
            }
        };
        let moved = self.write(Actor::System(org.id), "calendar.settle", |w| {
            change_as(w, |_| Ok(()))
        })?;
        if moved != Recomputed::default() {
            tracing::info!(
                tasks = moved.tasks,
                applications = moved.applications,
                "due dates moved to this version's production calendar"
            );
        }
        Ok(moved)
    }

    /// Needs no session: it says nothing about any body's work.
    pub fn calendar_status(&self) -> Result<CalendarStatus> {
        let rx = self.store().read()?;
        let today = self.now().date(self.options().utc_offset);
        Ok(CalendarStatus {
            today,
            confirmed_until: load(&rx)?.confirmed_until(today),
        })
    }

    pub fn calendar(&self, actor: Actor) -> Result<Calendar> {
        self.read(actor, |r| load(&r.rx))
    }

    /// Marks a date as a day off (`off = true`) or as a working day, whatever its weekday.
    pub fn set_calendar_day(
        &self,
        actor: Actor,
        date: time::Date,
        off: bool,
    ) -> Result<Recomputed> {
        self.write(actor, "calendar.set", |w| {
            let merged = load(&w.tx)?;
            let moved = change(w, |own| {
                // The mark is judged against the merged calendar (the year's own days).
                let mut m = merged.clone();
                m.mark(date, off);
                own.holidays = m.holidays;
                own.workdays = m.workdays;
                Ok(())
            })?;
            w.target("calendar", display_date(date));
            Ok(moved)
        })
    }

    /// Imports official years from a file: the data.gov.ru open data set or a list of
    /// decrees. The years replace what the node had for them.
    pub fn import_calendar(
        &self,
        actor: Actor,
        bytes: &[u8],
        name: &str,
    ) -> Result<CalendarImport> {
        let years: BTreeMap<i32, YearDays> =
            import::parse(bytes, name).map_err(|m| Error::invalid("Файл календаря", m))?;
        let mut counted = Vec::new();
        for (y, d) in &years {
            let n = import::working_days(d, *y).map_err(|m| Error::invalid("Файл календаря", m))?;
            counted.push((*y, u32::try_from(n).unwrap_or(u32::MAX)));
        }
        self.write(actor, "calendar.import", |w| {
            let moved = change(w, |own| {
                own.years.extend(years.clone());
                Ok(())
            })?;
            w.target("calendar", name);
            Ok(CalendarImport {
                years: counted.clone(),
                moved,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use volost_store::Store;

    /// A node from before: the starter catalog's 2026 list and an administrator's two days
    /// stored as one version-1 calendar. The list is the decree's and goes; the two days stay
    /// as marks; every shipped year is there.
    #[test]
    fn a_version_1_calendar_keeps_only_the_administrators_days() {
        #[derive(serde::Serialize)]
        struct V1 {
            holidays: BTreeSet<time::Date>,
            workdays: BTreeSet<time::Date>,
        }
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::create(&dir.path().join("c.redb")).expect("store");
        let mut holidays: BTreeSet<time::Date> = volost_domain::calendar::official::years()[&2026]
            .off
            .clone();
        // A regional holiday on a Wednesday, and a Saturday worked.
        holidays.insert(date!(2026 - 10 - 14));
        let v1 = V1 {
            holidays,
            workdays: [date!(2026 - 11 - 28)].into_iter().collect(),
        };
        let mut tx = store.begin().expect("tx");
        tx.meta_put("calendar", &codec::encode(1, &v1).expect("encode"))
            .expect("put");
        tx.commit().expect("commit");
        let rx = store.read().expect("read");
        let own = stored(&rx).expect("stored");
        assert_eq!(
            own.holidays.into_iter().collect::<Vec<_>>(),
            [date!(2026 - 10 - 14)]
        );
        assert_eq!(
            own.workdays.into_iter().collect::<Vec<_>>(),
            [date!(2026 - 11 - 28)]
        );
        let c = load(&rx).expect("load");
        assert!(c.is_confirmed(2024) && c.is_confirmed(2025) && c.is_confirmed(2026));
        assert!(!c.is_working(date!(2026 - 10 - 14)) && c.is_working(date!(2026 - 11 - 28)));
        assert!(!c.is_working(date!(2026 - 12 - 31)), "the decree's day off");
    }
}
