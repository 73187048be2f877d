//! Dates as staff type them: `ДД.ММ.ГГГГ`, told apart from a day the calendar has not.

use crate::text;

/// A date as staff type it: `ДД.ММ.ГГГГ`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    read_date(s).ok()
}

/// [`parse_date`] with what is wrong: the form ([`text::BAD_DATE`]), or a day the calendar
/// has not, «31.02.2026» ([`text::NO_SUCH_DATE`]).
pub fn read_date(s: &str) -> Result<time::Date, &'static str> {
    let parts: Vec<&str> = s.trim().split('.').collect();
    let number = |p: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let [d, m, y] = parts[..] else {
        return Err(text::BAD_DATE);
    };
    let (Some(d), Some(m), Some(y)) = (number(d, 1..=2), number(m, 1..=2), number(y, 4..=4)) else {
        return Err(text::BAD_DATE);
    };
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or(text::NO_SUCH_DATE)?;
    let day = u8::try_from(d).map_err(|_| text::NO_SUCH_DATE)?;
    time::Date::from_calendar_date(y as i32, month, day).map_err(|_| text::NO_SUCH_DATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_that_does_not_exist_is_told_apart_from_a_wrong_form() {
        let d = |y, m, d| time::Date::from_calendar_date(y, m, d).ok();
        assert_eq!(
            read_date(" 28.02.2026 ").ok(),
            d(2026, time::Month::February, 28)
        );
        assert_eq!(read_date("1.3.2026").ok(), d(2026, time::Month::March, 1));
        assert_eq!(
            read_date("29.02.2028").ok(),
            d(2028, time::Month::February, 29)
        );
        for none in [
            "31.02.2026",
            "29.02.2027",
            "00.01.2026",
            "32.01.2026",
            "15.13.2026",
        ] {
            assert_eq!(read_date(none), Err(text::NO_SUCH_DATE), "{none}");
        }
        for bad in [
            "",
            "28.02",
            "28.02.26",
            "28-02-2026",
            "28.02.2026.1",
            "+1.02.2026",
            "аа.02.2026",
        ] {
            assert_eq!(read_date(bad), Err(text::BAD_DATE), "{bad}");
        }
    }
}
