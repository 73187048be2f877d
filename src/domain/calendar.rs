//! Производственный календарь: working days for deadlines and overdue counts.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, Duration, Weekday};

/// Saturdays and Sundays are days off unless moved; `holidays` are extra days off and
/// `workdays` are weekend days made working by a transfer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    pub holidays: BTreeSet<Date>,
    pub workdays: BTreeSet<Date>,
}

impl Calendar {
    pub fn is_working(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The date `n` working days after `from` (the day of receipt does not count).
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.saturating_add(Duration::days(1));
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
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
        let weekend = |d: &Date| matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        let mut n = (days / 7) * 5;
        let mut d = from.saturating_add(Duration::days(days - days % 7));
        while d < to {
            d = d.saturating_add(Duration::days(1));
            if !weekend(&d) {
                n += 1;
            }
        }
        let after = from.next_day().unwrap_or(from);
        for h in self.holidays.range(after..=to) {
            if !weekend(h) && !self.workdays.contains(h) {
                n -= 1;
            }
        }
        for w in self.workdays.range(after..=to) {
            if weekend(w) {
                n += 1;
            }
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
        let mut c = Calendar::default();
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
            let base = date!(2025 - 01 - 01);
            let day = |n: i64| base.saturating_add(Duration::days(n));
            let c = Calendar {
                holidays: holidays.into_iter().map(day).collect(),
                workdays: workdays.into_iter().map(day).collect(),
            };
            let (a, b) = (day(from), day(from + len));
            proptest::prop_assert_eq!(c.working_days_between(a, b), day_by_day(&c, a, b));
        }
    }
}
