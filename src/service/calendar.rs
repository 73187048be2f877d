//! The production calendar as the node keeps it: the shipped decrees, the years an
//! administrator imported and the days they marked; and moving open due dates when any of it
//! changes.

use super::{Actor, Error, Node, Result, W};
use crate::domain::calendar::{YearDays, import};
use crate::domain::*;
use crate::store::records::app_list_prefix;
use crate::store::summary::{AppCol, AppScope};
use crate::store::{Read, codec};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Version 1 stored the days off of the starter catalog's one year and the administrator's
/// changes together, as the whole calendar.
#[derive(Deserialize)]
struct CalendarV1 {
    holidays: BTreeSet<time::Date>,
    workdays: BTreeSet<time::Date>,
}

/// What the database holds: the imported years and the marks, never the shipped years, so
/// that a node's update brings a newly published decree with it.
fn stored(t: &impl Read) -> Result<Calendar> {
    match t.meta_get("calendar")? {
        None => Ok(Calendar::default()),
        Some(b) => match codec::split(&b)? {
            (1, body) => {
                let old: CalendarV1 = codec::body("calendar", body)?;
                // Each old day is a mark only where the law and the decrees do not say it
                // already: the starter's 2026 list is exactly the decree's, so it goes.
                let mut c = Calendar::official();
                for d in old.holidays {
                    c.mark(d, true);
                }
                for d in old.workdays {
                    c.mark(d, false);
                }
                c.years.clear();
                Ok(c)
            }
            (_, body) => Ok(codec::body("calendar", body)?),
        },
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

/// What a change of the calendar moved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recomputed {
    pub tasks: u32,
    pub applications: u32,
}

/// The result of an import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarImport {
    /// The years taken, each with its working days.
    pub years: Vec<(i32, u32)>,
    pub moved: Recomputed,
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
            app_ids.extend(crate::store::keys::trailing_id(k));
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

/// Applies `change` to the stored calendar and moves what it moves.
fn change(w: &mut W, change: impl FnOnce(&mut Calendar) -> Result<()>) -> Result<Recomputed> {
    w.who.require("calendar.set", Right::Administer)?;
    let old = load(&w.tx)?;
    let mut own = stored(&w.tx)?;
    change(&mut own)?;
    save(w, &own)?;
    let new = load(&w.tx)?;
    recompute(w, &old, &new)
}

/// How far the calendar is final, for the status line and `/health`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarStatus {
    pub today: time::Date,
    /// The last day of the confirmed years from today's on; `None` when this year itself has
    /// no decree loaded.
    pub confirmed_until: Option<time::Date>,
}

impl Node {
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
