//! The official calendars shipped with the node: the government's decrees on transfers of
//! days off (`decrees.toml`), each year computed from the Labour Code and its decree.

use super::YearDays;
use std::collections::BTreeMap;

const DECREES: &str = include_str!("decrees.toml");

/// The shipped years, read once: every list page counts by them. The file is checked by the
/// tests below, so a broken one never ships; should it still not read, no year is confirmed
/// and every deadline says so.
pub fn years() -> BTreeMap<i32, YearDays> {
    static YEARS: std::sync::OnceLock<BTreeMap<i32, YearDays>> = std::sync::OnceLock::new();
    YEARS
        .get_or_init(|| match super::import::decrees(DECREES) {
            Ok(y) => y,
            Err(e) => {
                tracing::error!(error = %e, "the shipped calendar of decrees does not read");
                BTreeMap::new()
            }
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::super::Calendar;
    use super::*;
    use time::macros::date;

    #[test]
    fn the_shipped_decrees_read_and_give_the_official_year_lengths() {
        let y = super::super::import::decrees(DECREES).expect("decrees.toml");
        // Working days of the official calendars: 2024 — 248, 2025 — 247, 2026 — 247.
        for (year, days) in [(2024, 248), (2025, 247), (2026, 247)] {
            assert_eq!(
                super::super::import::working_days(&y[&year], year),
                Ok(days),
                "{year}"
            );
        }
        assert!(
            !y.contains_key(&2027),
            "no decree for 2027 was published by 06.12.2026"
        );
    }

    /// Due dates across New Year 2026/2027: 2026 is confirmed, 2027 by the Labour Code.
    #[test]
    fn due_dates_across_new_year_2026_2027() {
        let c = Calendar::official();
        // From Friday 25.12.2026, 10 working days: 28, 29, 30 December (Mon–Wed) = 3;
        // 31 December is off (moved from Sunday 4 January, Постановление № 1466);
        // 1–8 January 2027 are the holidays of ст. 112 (2 and 3 January a weekend);
        // 11–15 January = 5 more (8), 18, 19 January = 10. Due Tuesday 19.01.2027.
        assert_eq!(
            c.add_working_days(date!(2026 - 12 - 25), 10),
            date!(2027 - 01 - 19)
        );
        // Thirty working days from 07.12.2026 (a 30-day service registered on a Monday):
        // December: 8–11 (4), 14–18 (9), 21–25 (14), 28–30 (17); 31.12 off;
        // January 2027: 11–15 (22), 18–22 (27), 25, 26, 27 (30). Due Wednesday 27.01.2027.
        assert_eq!(
            c.add_working_days(date!(2026 - 12 - 07), 30),
            date!(2027 - 01 - 27)
        );
        assert!(!c.confirmed_through(date!(2026 - 12 - 07), date!(2027 - 01 - 27)));
        assert!(c.confirmed_through(date!(2026 - 12 - 01), date!(2026 - 12 - 30)));
        assert_eq!(
            c.confirmed_until(date!(2026 - 12 - 06)),
            Some(date!(2026 - 12 - 31))
        );
        // Counting back gives the same number.
        assert_eq!(
            c.working_days_between(date!(2026 - 12 - 07), date!(2027 - 01 - 27)),
            30
        );
    }

    /// Due dates across New Year 2027/2028, both years by the Labour Code (no decree yet).
    #[test]
    fn due_dates_across_new_year_2027_2028() {
        let c = Calendar::official();
        // From Monday 20.12.2027, 10 working days: 21–24 December (4), 27–31 December (9):
        // 31 December 2027 is a Friday and, without a decree, a working day; January 2028:
        // 1 January a Saturday, 2 a Sunday, 3–7 Monday–Friday holidays, 8 January a
        // Saturday holiday, 9 a Sunday; Monday 10 January = 10. Due 10.01.2028.
        assert_eq!(
            c.add_working_days(date!(2027 - 12 - 20), 10),
            date!(2028 - 01 - 10)
        );
        // 23 February 2028 is a Wednesday, 8 March a Wednesday: no transfer by law.
        // From Friday 18.02.2028, 5 working days: 21, 22 (2); 23 February off; 24, 25 (4);
        // Monday 28 February = 5.
        assert_eq!(
            c.add_working_days(date!(2028 - 02 - 18), 5),
            date!(2028 - 02 - 28)
        );
    }

    /// An imported decree for 2027 moves the dates, and the year becomes confirmed.
    #[test]
    fn a_decree_for_2027_moves_due_dates() {
        let mut c = Calendar::official();
        let before = c.add_working_days(date!(2026 - 12 - 25), 10);
        // A decree moving Saturday 2 January to Friday 31 December 2027 changes nothing
        // inside this span; one moving it to Monday 11 January does: due a day later.
        let y = super::super::import::decrees(
            "[[year]]\nyear = 2027\ndecree = \"Проверочное\"\ntransfers = [[\"2027-01-02\", \"2027-01-11\"]]\n",
        )
        .expect("decree");
        c.years.extend(y);
        assert_eq!(before, date!(2027 - 01 - 19));
        assert_eq!(
            c.add_working_days(date!(2026 - 12 - 25), 10),
            date!(2027 - 01 - 20)
        );
        assert!(c.confirmed_through(date!(2026 - 12 - 25), date!(2027 - 01 - 20)));
    }
}
