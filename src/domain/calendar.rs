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
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.saturating_add(Duration::days(1));
            if self.is_working(d) {
                n += 1;
            }
        }
        n
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
}
