//! Производственный календарь: working days for deadlines and overdue counts.
//!
//! A year's days off come from one of two places. A *confirmed* year is one whose official
//! calendar the node holds: the government's decree on transfers of days off, shipped with
//! the node ([`official`]) or imported by an administrator. Any other year follows the Labour
//! Code alone ([`law`]): every deadline still has a date, marked provisional. Over both, an
//! administrator may mark single days (a regional holiday, a correction).

pub mod import;
pub mod law;
pub mod official;

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, Duration};

pub use law::weekend;

/// One year's official calendar: the days that differ from «Monday to Friday worked».
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct YearDays {
    /// Weekdays that are not worked: holidays and days off moved onto them.
    pub off: BTreeSet<Date>,
    /// Saturdays and Sundays that are worked, by a transfer.
    pub work: BTreeSet<Date>,
    /// Where the year comes from: the decree, or the file an administrator imported.
    pub source: String,
}

/// The production calendar of the node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// The administrator's marks: days off and working days over whatever the year says.
    pub holidays: BTreeSet<Date>,
    pub workdays: BTreeSet<Date>,
    /// Confirmed years, by year.
    pub years: BTreeMap<i32, YearDays>,
}

impl Calendar {
    /// The shipped official years and no marks.
    pub fn official() -> Calendar {
        Calendar {
            years: official::years(),
            ..Calendar::default()
        }
    }

    /// The year's days off without the administrator's marks: the official calendar where
    /// there is one, the Labour Code's otherwise.
    pub fn year(&self, year: i32) -> Cow<'_, YearDays> {
        match self.years.get(&year) {
            Some(y) => Cow::Borrowed(y),
            None => Cow::Owned(law::year(year, &[], "")),
        }
    }

    pub fn is_confirmed(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Every year from `from` to `to` is confirmed: a date counted over them is final.
    pub fn confirmed_through(&self, from: Date, to: Date) -> bool {
        let (a, b) = (from.year().min(to.year()), from.year().max(to.year()));
        (a..=b).all(|y| self.is_confirmed(y))
    }

    /// The last day of the confirmed years that run on without a gap from `today`'s year;
    /// `None` when `today`'s own year is not confirmed.
    pub fn confirmed_until(&self, today: Date) -> Option<Date> {
        let mut y = today.year();
        if !self.is_confirmed(y) {
            return None;
        }
        while self.is_confirmed(y + 1) {
            y += 1;
        }
        Date::from_calendar_date(y, time::Month::December, 31).ok()
    }

    /// Whether `d` is worked by the year alone, without the marks.
    fn base_working(year: &YearDays, d: Date) -> bool {
        year.work.contains(&d) || (!weekend(d) && !year.off.contains(&d))
    }

    pub fn is_working(&self, d: Date) -> bool {
        self.working_in(&self.year(d.year()), d)
    }

    /// Whether `d` is worked: the administrator's mark if there is one, else `year`'s days
    /// (`year` is `d`'s, looked up once by callers that walk many days).
    fn working_in(&self, year: &YearDays, d: Date) -> bool {
        if self.workdays.contains(&d) {
            true
        } else if self.holidays.contains(&d) {
            false
        } else {
            Self::base_working(year, d)
        }
    }

    /// Sets the administrator's mark for `d` so that it is a day off (`off`) or worked; a
    /// mark that would say what the year says already is removed instead.
    pub fn mark(&mut self, d: Date, off: bool) {
        self.holidays.remove(&d);
        self.workdays.remove(&d);
        let base = Self::base_working(&self.year(d.year()), d);
        match (off, base) {
            (true, true) => {
                self.holidays.insert(d);
            }
            (false, false) => {
                self.workdays.insert(d);
            }
            _ => {}
        }
    }

    /// The date `n` working days after `from` (the day of receipt does not count).
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        let mut left = n;
        let mut cur = d.year();
        let mut year = self.year(cur);
        while left > 0 {
            d = d.saturating_add(Duration::days(1));
            if d.year() != cur {
                cur = d.year();
                year = self.year(cur);
            }
            if self.working_in(&year, d) {
                left -= 1;
            }
        }
        d
    }

    /// The dates from `after` (exclusive) to `to` (inclusive) whose state differs from the
    /// weekday rule, each with whether it is worked. Each year's days are looked up once: a
    /// year without a decree is computed from the law, and list pages call this per row.
    fn exceptions(&self, after: Date, to: Date) -> Vec<(Date, bool)> {
        let Some(first) = after.next_day() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for y in first.year()..=to.year() {
            let year = self.year(y);
            let mut days: BTreeSet<Date> = BTreeSet::new();
            days.extend(year.off.range(first..=to));
            days.extend(year.work.range(first..=to));
            days.extend(
                self.holidays
                    .range(first..=to)
                    .chain(self.workdays.range(first..=to))
                    .filter(|d| d.year() == y),
            );
            for d in days {
                let worked = self.working_in(&year, d);
                if worked == weekend(d) {
                    out.push((d, worked));
                }
            }
        }
        out
    }

    /// Working days strictly after `from` up to and including `to`; 0 when `to <= from`.
    /// Used as «просрочено на N рабочих дней» with `from` = the due date.
    /// Counts by whole weeks and the calendar's exceptions, not day by day: a list page
    /// computes it for every row, and old tasks are overdue by hundreds of days.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        if to <= from {
            return 0;
        }
        let days = (to - from).whole_days();
        let mut n = (days / 7) * 5;
        let mut d = from.saturating_add(Duration::days(days - days % 7));
        while d < to {
            d = d.saturating_add(Duration::days(1));
            if !weekend(d) {
                n += 1;
            }
        }
        for (_, worked) in self.exceptions(from, to) {
            n += if worked { 1 } else { -1 };
        }
        u32::try_from(n.max(0)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn skips_weekends_and_holidays() {
        let mut c = Calendar::official();
        // Friday + 1 working day = Monday.
        assert_eq!(
            c.add_working_days(date!(2026 - 11 - 20), 1),
            date!(2026 - 11 - 23)
        );
        c.holidays.insert(date!(2026 - 11 - 23));
        assert_eq!(
            c.add_working_days(date!(2026 - 11 - 20), 1),
            date!(2026 - 11 - 24)
        );
        c.workdays.insert(date!(2026 - 11 - 21));
        assert_eq!(
            c.add_working_days(date!(2026 - 11 - 20), 1),
            date!(2026 - 11 - 21)
        );
        assert_eq!(
            c.working_days_between(date!(2026 - 11 - 20), date!(2026 - 11 - 24)),
            2
        );
        assert_eq!(
            c.working_days_between(date!(2026 - 11 - 24), date!(2026 - 11 - 20)),
            0
        );
    }

    fn day_by_day(c: &Calendar, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.saturating_add(Duration::days(1));
            if c.is_working(d) {
                n += 1;
            }
        }
        n
    }

    proptest::proptest! {
        #[test]
        fn counting_by_weeks_agrees_with_counting_days(
            from in 0i64..800,
            len in -10i64..800,
            holidays in proptest::collection::vec(0i64..1700, 0..40),
            workdays in proptest::collection::vec(0i64..1700, 0..15),
        ) {
            let base = date!(2024 - 01 - 01);
            let day = |n: i64| base.saturating_add(Duration::days(n));
            // The shipped years (2024–2026) and the law's beyond, under random marks.
            let c = Calendar {
                holidays: holidays.into_iter().map(day).collect(),
                workdays: workdays.into_iter().map(day).collect(),
                ..Calendar::official()
            };
            let (a, b) = (day(from), day(from + len));
            proptest::prop_assert_eq!(c.working_days_between(a, b), day_by_day(&c, a, b));
        }
    }
}

#[cfg(test)]
mod mark_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_mark_is_kept_only_where_it_changes_the_day() {
        let mut c = Calendar::official();
        // 09.01.2026 is off by the decree: marking it off stores nothing.
        c.mark(date!(2026 - 01 - 09), true);
        assert!(c.holidays.is_empty());
        // Marking it worked overrides the decree.
        c.mark(date!(2026 - 01 - 09), false);
        assert!(c.is_working(date!(2026 - 01 - 09)));
        assert_eq!(c.workdays.len(), 1);
        // And back: the mark goes, the decree rules again.
        c.mark(date!(2026 - 01 - 09), true);
        assert!(!c.is_working(date!(2026 - 01 - 09)) && c.workdays.is_empty());
        // A regional holiday on a Wednesday.
        c.mark(date!(2026 - 10 - 14), true);
        assert!(!c.is_working(date!(2026 - 10 - 14)));
        assert_eq!(
            c.working_days_between(date!(2026 - 10 - 12), date!(2026 - 10 - 16)),
            3
        );
    }
}
