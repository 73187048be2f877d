//! The calendar as the Labour Code makes it (ст. 112 ТК РФ), with a government decree's
//! transfers of days off applied on top. A year nobody has published a decree for is this
//! function with no transfers: correct in everything the law fixes by itself, and provisional
//! only in what the government will still decide (two of the January holidays that fall on a
//! weekend are moved by the decree, and a decree may move other days off).

use super::YearDays;
use std::collections::BTreeSet;
use time::{Date, Duration, Month, Weekday};

/// Нерабочие праздничные дни, ст. 112 ч. 1 ТК РФ.
pub const HOLIDAYS: [(Month, u8, &str); 14] = [
    (Month::January, 1, "Новогодние каникулы"),
    (Month::January, 2, "Новогодние каникулы"),
    (Month::January, 3, "Новогодние каникулы"),
    (Month::January, 4, "Новогодние каникулы"),
    (Month::January, 5, "Новогодние каникулы"),
    (Month::January, 6, "Новогодние каникулы"),
    (Month::January, 7, "Рождество Христово"),
    (Month::January, 8, "Новогодние каникулы"),
    (Month::February, 23, "День защитника Отечества"),
    (Month::March, 8, "Международный женский день"),
    (Month::May, 1, "Праздник Весны и Труда"),
    (Month::May, 9, "День Победы"),
    (Month::June, 12, "День России"),
    (Month::November, 4, "День народного единства"),
];

/// One transfer of a decree: the day off `from` (a Saturday or Sunday) is moved to `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Transfer {
    pub from: Date,
    pub to: Date,
}

pub fn weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The holidays of ст. 112 ч. 1 in `year`.
pub fn holidays(year: i32) -> Vec<Date> {
    HOLIDAYS
        .iter()
        .filter_map(|(m, d, _)| Date::from_calendar_date(year, *m, *d).ok())
        .collect()
}

/// The holiday's name, if `d` is one of ст. 112 ч. 1.
pub fn holiday_name(d: Date) -> Option<&'static str> {
    HOLIDAYS
        .iter()
        .find(|(m, day, _)| d.month() == *m && d.day() == *day)
        .map(|(_, _, n)| *n)
}

/// The year's days that differ from «Monday to Friday worked», by the law and `transfers`.
///
/// - Every holiday of ч. 1 is a day off.
/// - ч. 2: a Saturday or Sunday that is a holiday moves to the next working day after the
///   holiday, except the January holidays (1–8 January), whose weekend days only the
///   government moves, two of them a year, by its decree.
/// - ч. 5: the decree moves days off. A transfer makes `to` a day off; its `from` becomes a
///   working day unless it is a holiday, in which case the decree's transfer replaces the
///   automatic one of ч. 2 (2025: Sunday 23 February went to 8 May, not to Monday 24 February).
pub fn year(year: i32, transfers: &[Transfer], source: &str) -> YearDays {
    let hol = holidays(year);
    let is_holiday = |d: &Date| hol.contains(d);
    let moved_by_decree: BTreeSet<Date> = transfers.iter().map(|t| t.from).collect();
    let mut off: BTreeSet<Date> = hol.iter().copied().filter(|d| !weekend(*d)).collect();
    let mut work = BTreeSet::new();
    for t in transfers {
        // A decree moves days off onto weekdays; a weekend `to` is off already.
        if !weekend(t.to) {
            off.insert(t.to);
        }
        if !is_holiday(&t.from) && weekend(t.from) {
            work.insert(t.from);
        }
    }
    let working = |d: Date, off: &BTreeSet<Date>, work: &BTreeSet<Date>| {
        work.contains(&d) || (!off.contains(&d) && !weekend(d) && !is_holiday(&d))
    };
    for h in &hol {
        if !weekend(*h) || h.month() == Month::January && h.day() <= 8 {
            continue;
        }
        if moved_by_decree.contains(h) {
            continue;
        }
        let mut d = *h;
        loop {
            d = d.saturating_add(Duration::days(1));
            if working(d, &off, &work) {
                break;
            }
        }
        off.insert(d);
    }
    YearDays {
        off,
        work,
        source: source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn t(from: Date, to: Date) -> Transfer {
        Transfer { from, to }
    }

    /// Working days of a year: Monday–Friday less the weekdays off, plus the worked weekends.
    fn working_days(y: &YearDays, year: i32) -> usize {
        let mut d = Date::from_calendar_date(year, Month::January, 1).expect("date");
        let mut n = 0;
        while d.year() == year {
            if y.work.contains(&d) || (!weekend(d) && !y.off.contains(&d)) {
                n += 1;
            }
            d = d.saturating_add(Duration::days(1));
        }
        n
    }

    /// 2024 (Постановление от 10.08.2023 № 1314): the official calendar has 248 working days.
    #[test]
    fn year_2024_from_its_decree() {
        let y = year(
            2024,
            &[
                t(date!(2024 - 01 - 06), date!(2024 - 05 - 10)),
                t(date!(2024 - 01 - 07), date!(2024 - 12 - 31)),
                t(date!(2024 - 04 - 27), date!(2024 - 04 - 29)),
                t(date!(2024 - 11 - 02), date!(2024 - 04 - 30)),
                t(date!(2024 - 12 - 28), date!(2024 - 12 - 30)),
            ],
            "",
        );
        assert_eq!(working_days(&y, 2024), 248);
        let work: Vec<Date> = y.work.iter().copied().collect();
        assert_eq!(
            work,
            [
                date!(2024 - 04 - 27),
                date!(2024 - 11 - 02),
                date!(2024 - 12 - 28)
            ]
        );
    }

    /// 2025 (Постановление от 04.10.2024 № 1335): 247 working days; the decree moved
    /// Sunday 23 February and Saturday 8 March, so 24 February and 10 March were worked.
    #[test]
    fn year_2025_decree_replaces_the_automatic_transfer() {
        let y = year(
            2025,
            &[
                t(date!(2025 - 01 - 04), date!(2025 - 05 - 02)),
                t(date!(2025 - 01 - 05), date!(2025 - 12 - 31)),
                t(date!(2025 - 02 - 23), date!(2025 - 05 - 08)),
                t(date!(2025 - 03 - 08), date!(2025 - 06 - 13)),
                t(date!(2025 - 11 - 01), date!(2025 - 11 - 03)),
            ],
            "",
        );
        assert_eq!(working_days(&y, 2025), 247);
        assert!(!y.off.contains(&date!(2025 - 02 - 24)));
        assert!(!y.off.contains(&date!(2025 - 03 - 10)));
        assert!(y.work.contains(&date!(2025 - 11 - 01)));
    }

    /// 2026 (Постановление от 24.09.2025 № 1466): 247 working days; 9 March and 11 May are
    /// off by ч. 2 alone (8 March a Sunday, 9 May a Saturday).
    #[test]
    fn year_2026_automatic_transfers() {
        let y = year(
            2026,
            &[
                t(date!(2026 - 01 - 03), date!(2026 - 01 - 09)),
                t(date!(2026 - 01 - 04), date!(2026 - 12 - 31)),
            ],
            "",
        );
        assert_eq!(working_days(&y, 2026), 247);
        assert!(y.off.contains(&date!(2026 - 03 - 09)));
        assert!(y.off.contains(&date!(2026 - 05 - 11)));
        assert!(y.work.is_empty());
    }

    /// 2027 without a decree: 1 May (Saturday) → Monday 3 May, 9 May (Sunday) → Monday
    /// 10 May, 12 June (Saturday) → Monday 14 June; 2 and 3 January stay with the decree.
    #[test]
    fn year_2027_by_law_alone() {
        let y = year(2027, &[], "");
        let off: Vec<Date> = y.off.iter().copied().collect();
        assert_eq!(
            off,
            [
                date!(2027 - 01 - 01),
                date!(2027 - 01 - 04),
                date!(2027 - 01 - 05),
                date!(2027 - 01 - 06),
                date!(2027 - 01 - 07),
                date!(2027 - 01 - 08),
                date!(2027 - 02 - 23),
                date!(2027 - 03 - 08),
                date!(2027 - 05 - 03),
                date!(2027 - 05 - 10),
                date!(2027 - 06 - 14),
                date!(2027 - 11 - 04),
            ]
        );
    }
}
