//! Reading official calendars from files, in two formats:
//!
//! - the open data set «Производственный календарь» of data.gov.ru
//!   (`7708660670-proizvcalendar`): a CSV whose header begins «Год/Месяц», one row per year,
//!   each month's cell listing the days that are not ordinary working days («*» a shortened
//!   pre-holiday working day, «+» a day off moved there), then «Всего рабочих дней». Served
//!   in UTF-8 or Windows-1251; both are read.
//! - the node's own list of a decree's transfers (the format of `decrees.toml`), for a decree
//!   an administrator types in before any data set carries it.
//!
//! Every problem names its line and is in Russian: an administrator reads it.

use super::YearDays;
use super::law::{self, Transfer, weekend};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, Month};

/// Files larger than this are not calendars.
pub const MAX_FILE: usize = 1 << 20;
const MONTHS: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];
/// Years a calendar may describe: beyond these a typo is likelier than a calendar.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// Reads either format; `name` is what the years' source says they came from.
pub fn parse(bytes: &[u8], name: &str) -> Result<BTreeMap<i32, YearDays>, String> {
    if bytes.len() > MAX_FILE {
        return Err(format!(
            "Файл календаря больше {} КБ: это не календарь",
            MAX_FILE / 1024
        ));
    }
    let text = decode(bytes);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let years = if t.starts_with("\"Год/Месяц\"") || t.starts_with("Год/Месяц") {
        open_data_csv(t, name)?
    } else {
        decrees(t)?
    };
    if years.is_empty() {
        return Err("В файле нет ни одного года".into());
    }
    Ok(years)
}

/// UTF-8 when it is valid UTF-8, Windows-1251 otherwise (the data set's other encoding).
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1251.decode(bytes).0,
    }
}

fn open_data_csv(text: &str, name: &str) -> Result<BTreeMap<i32, YearDays>, String> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = rd
        .headers()
        .map_err(|e| format!("Заголовок файла не читается: {e}"))?
        .clone();
    let month_cols: Vec<usize> = MONTHS
        .iter()
        .map(|m| {
            header
                .iter()
                .position(|h| h.trim() == *m)
                .ok_or_else(|| format!("В заголовке нет столбца «{m}»"))
        })
        .collect::<Result<_, _>>()?;
    let total_col = header.iter().position(|h| h.trim() == "Всего рабочих дней");
    let mut out = BTreeMap::new();
    for (i, rec) in rd.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("Строка {line}: {e}"))?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let year: i32 = rec
            .get(0)
            .and_then(|y| y.trim().parse().ok())
            .filter(|y| YEARS.contains(y))
            .ok_or_else(|| format!("Строка {line}: год не указан или вне 1990–2100"))?;
        let mut off = BTreeSet::new();
        let mut listed_weekends = BTreeSet::new();
        for (m, col) in month_cols.iter().enumerate() {
            let month = Month::try_from(m as u8 + 1).map_err(|e| e.to_string())?;
            let cell = rec.get(*col).unwrap_or("");
            for tok in cell.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let shortened = tok.ends_with('*');
                let num = tok.trim_end_matches(['*', '+']);
                let day = num
                    .parse::<u8>()
                    .ok()
                    .and_then(|d| Date::from_calendar_date(year, month, d).ok())
                    .ok_or_else(|| {
                        format!(
                            "Строка {line}, {year}, «{}»: «{tok}» — не день месяца",
                            MONTHS[m]
                        )
                    })?;
                if shortened {
                    // A shortened day is worked; it is listed only to say it is shorter.
                    continue;
                }
                if weekend(day) {
                    listed_weekends.insert(day);
                } else {
                    off.insert(day);
                }
            }
        }
        let mut work = BTreeSet::new();
        let mut d = first_day(year)?;
        while d.year() == year {
            if weekend(d) && !listed_weekends.contains(&d) {
                work.insert(d);
            }
            d = d.next_day().ok_or("дата вне допустимого диапазона")?;
        }
        let y = YearDays {
            off,
            work,
            source: format!("{name} (открытые данные «Производственный календарь»)"),
        };
        if let Some(c) = total_col
            && let Some(total) = rec.get(c).and_then(|t| t.trim().parse::<usize>().ok())
        {
            let counted = working_days(&y, year)?;
            if counted != total {
                return Err(format!(
                    "Строка {line}, {year}: по дням месяцев выходит {counted} рабочих дней, \
                     а в столбце «Всего рабочих дней» — {total}; файл повреждён"
                ));
            }
        }
        if out.insert(year, y).is_some() {
            return Err(format!("Строка {line}: {year} год уже был в файле"));
        }
    }
    Ok(out)
}

fn first_day(year: i32) -> Result<Date, String> {
    Date::from_calendar_date(year, Month::January, 1).map_err(|e| e.to_string())
}

/// Working days of the year by `y` alone.
pub fn working_days(y: &YearDays, year: i32) -> Result<usize, String> {
    let mut n = 0;
    let mut d = first_day(year)?;
    while d.year() == year {
        if y.work.contains(&d) || (!weekend(d) && !y.off.contains(&d)) {
            n += 1;
        }
        d = d.next_day().ok_or("дата вне допустимого диапазона")?;
    }
    Ok(n)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecreeFile {
    year: Vec<Decree>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decree {
    year: i32,
    decree: String,
    #[serde(default)]
    transfers: Vec<(String, String)>,
}

/// The node's list of decrees: each year is the Labour Code's with the decree's transfers.
pub fn decrees(text: &str) -> Result<BTreeMap<i32, YearDays>, String> {
    let f: DecreeFile = toml::from_str(text).map_err(|e| {
        format!("Файл не похож ни на набор «Производственный календарь» (CSV), ни на список постановлений: {e}")
    })?;
    let mut out = BTreeMap::new();
    for d in f.year {
        let y = d.year;
        if !YEARS.contains(&y) {
            return Err(format!("Год {y} вне 1990–2100"));
        }
        if d.decree.trim().is_empty() {
            return Err(format!("{y}: не указано постановление (decree)"));
        }
        let mut transfers = Vec::new();
        for (from, to) in &d.transfers {
            let parse =
                |s: &str| crate::parse_date(s).ok_or_else(|| format!("{y}: «{s}» — не дата"));
            let (from, to) = (parse(from)?, parse(to)?);
            if from.year() != y || to.year() != y {
                return Err(format!(
                    "{y}: перенос {} → {} выходит за пределы года",
                    crate::display_date(from),
                    crate::display_date(to)
                ));
            }
            if !weekend(from) || weekend(to) {
                return Err(format!(
                    "{y}: перенос {} → {}: переносится суббота или воскресенье на будний день",
                    crate::display_date(from),
                    crate::display_date(to)
                ));
            }
            transfers.push(Transfer { from, to });
        }
        if out
            .insert(y, law::year(y, &transfers, d.decree.trim()))
            .is_some()
        {
            return Err(format!("{y} год указан дважды"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const HEADER: &str = "\"Год/Месяц\",\"Январь\",\"Февраль\",\"Март\",\"Апрель\",\"Май\",\"Июнь\",\"Июль\",\"Август\",\"Сентябрь\",\"Октябрь\",\"Ноябрь\",\"Декабрь\",\"Всего рабочих дней\",\"Всего праздничных и выходных дней\",\"Количество рабочих часов при 40-часовой рабочей неделе\",\"Количество рабочих часов при 36-часовой рабочей неделе\",\"Количество рабочих часов при 24-часовой рабочей неделе\"";

    /// 2026 as the data set writes a year (checked against Постановление № 1466 and ст. 112).
    const ROW_2026: &str = "2026,\"1,2,3,4,5,6,7,8,9,10,11,17,18,24,25,31\",\"1,7,8,14,15,21,22,23,28\",\"1,7,8,9,14,15,21,22,28,29\",\"4,5,11,12,18,19,25,26,30*\",\"1,2,3,8*,9,10,11,16,17,23,24,30,31\",\"6,7,11*,12,13,14,20,21,27,28\",\"4,5,11,12,18,19,25,26\",\"1,2,8,9,15,16,22,23,29,30\",\"5,6,12,13,19,20,26,27\",\"3,4,10,11,17,18,24,25,31\",\"1,3*,4,7,8,14,15,21,22,28,29\",\"5,6,12,13,19,20,26,27,30*,31+\",247,118,1971,1773.4,1180.6";

    /// A row of the data set verbatim (as vendored in shlima/russian_calendar, calendar.csv).
    const ROW_2023: &str = "2023,\"1,2,3,4,5,6,7,8,14,15,21,22,28,29\",\"4,5,11,12,18,19,22*,23,25,26\",\"4,5,7*,8,11,12,18,19,25,26\",\"1,2,8,9,15,16,22,23,29,30\",\"1,6,7,8*,9,13,14,20,21,27,28\",\"3,4,10,11,12,17,18,24,25\",\"1,2,8,9,15,16,22,23,29,30\",\"5,6,12,13,19,20,26,27\",\"2,3,9,10,16,17,23,24,30\",\"1,7,8,14,15,21,22,28,29\",\"3*,4,5,6+,11,12,18,19,25,26\",\"2,3,9,10,16,17,23,24,30,31\",249,116,1988,1788.8,1191.6";

    #[test]
    fn the_open_data_set_and_the_decree_agree_on_2026() {
        let csv = format!("{HEADER}\n{ROW_2026}\n");
        let from_csv = parse(csv.as_bytes(), "calendar.csv").expect("csv");
        let from_law = super::super::official::years();
        assert_eq!(from_csv[&2026].off, from_law[&2026].off);
        assert_eq!(from_csv[&2026].work, from_law[&2026].work);
        // The same file in Windows-1251, as the portal also serves it.
        let (cp, _, _) = encoding_rs::WINDOWS_1251.encode(&csv);
        assert_eq!(
            parse(&cp, "x").expect("cp1251")[&2026].off,
            from_csv[&2026].off
        );
    }

    #[test]
    fn a_verbatim_row_of_the_data_set_is_read() {
        let y = parse(format!("{HEADER}\n{ROW_2023}\n").as_bytes(), "x").expect("2023");
        let y = &y[&2023];
        // «6+»: a day off moved onto Monday 6 November; «3*»: a shortened working Friday.
        assert!(y.off.contains(&date!(2023 - 11 - 06)));
        assert!(!y.off.contains(&date!(2023 - 11 - 03)));
        assert!(y.work.is_empty());
        assert_eq!(working_days(y, 2023), Ok(249));
    }

    #[test]
    fn a_count_that_disagrees_with_the_days_is_refused() {
        let bad = ROW_2026.replace(",247,", ",248,");
        let e = parse(format!("{HEADER}\n{bad}\n").as_bytes(), "x").expect_err("refused");
        assert!(e.contains("247") && e.contains("248"), "{e}");
        let bad = ROW_2026.replace("\"1,7,8,14", "\"1,7,8,32");
        let e = parse(format!("{HEADER}\n{bad}\n").as_bytes(), "x").expect_err("refused");
        assert!(e.contains("«32»") && e.contains("Февраль"), "{e}");
    }

    #[test]
    fn a_decree_typed_in_is_read_and_checked() {
        let y = decrees(
            "[[year]]\nyear = 2027\ndecree = \"Постановление\"\ntransfers = [[\"2027-01-02\", \"2027-05-04\"]]\n",
        )
        .expect("decree");
        assert!(y[&2027].off.contains(&date!(2027 - 05 - 04)));
        for bad in [
            "[[year]]\nyear = 2027\ndecree = \"П\"\ntransfers = [[\"2027-01-04\", \"2027-05-04\"]]\n",
            "[[year]]\nyear = 2027\ndecree = \"П\"\ntransfers = [[\"2027-01-02\", \"2028-05-04\"]]\n",
            "[[year]]\nyear = 2027\ndecree = \"\"\n",
            "не календарь",
        ] {
            assert!(parse(bad.as_bytes(), "x").is_err(), "{bad}");
        }
        assert!(parse(&vec![b' '; MAX_FILE + 1], "x").is_err());
    }
}
