//! `volost calendar`: working days after a date, a year's days off, and importing official
//! years. Without `--user` the calendar is the one the node ships (the decrees and the
//! Labour Code); with it, the node's own, with the years and days its administrator set.

use crate::cli::{Seat, parse_day};
use anyhow::{Context, Result, bail};
use std::path::Path;
use volost::api::{Bytes, call};
use volost::domain::calendar::{law, weekend};
use volost::domain::{Calendar, display_date};

fn calendar(config: Option<&Path>, user: Option<&str>) -> Result<Calendar> {
    match user {
        None => Ok(Calendar::official()),
        Some(login) => Seat::open(config, login)?.ask(call::Calendar, |n, a| n.calendar(a)),
    }
}

/// `volost calendar due --from DD.MM.YYYY --days N`.
pub fn due(config: Option<&Path>, user: Option<&str>, from: &str, days: u32) -> Result<()> {
    if days > 10_000 {
        bail!("не больше 10000 рабочих дней");
    }
    let from = parse_day(from)?;
    let cal = calendar(config, user)?;
    let due = cal.add_working_days(from, days);
    if cal.confirmed_through(from, due) {
        println!("{}", display_date(due));
    } else {
        let open: Vec<String> = (from.year()..=due.year())
            .filter(|y| !cal.is_confirmed(*y))
            .map(|y| y.to_string())
            .collect();
        println!(
            "{} предварительно: на {} год постановление о переносе выходных дней не загружено, \
             дни считаны по ст. 112 ТК РФ",
            display_date(due),
            open.join(", ")
        );
    }
    Ok(())
}

/// `volost calendar show --year YYYY`.
pub fn show(config: Option<&Path>, user: Option<&str>, year: i32) -> Result<()> {
    if !(1990..=2100).contains(&year) {
        bail!("год вне 1990–2100");
    }
    let cal = calendar(config, user)?;
    let y = cal.year(year);
    if cal.is_confirmed(year) {
        println!("Производственный календарь на {year} год: {}", y.source);
    } else {
        println!(
            "Производственный календарь на {year} год — ПРЕДВАРИТЕЛЬНЫЙ: постановление о переносе \
             выходных дней не загружено, дни считаны по ст. 112 ТК РФ"
        );
    }
    let first = time::Date::from_calendar_date(year, time::Month::January, 1)?;
    let mut off = Vec::new();
    let mut work = Vec::new();
    let mut total = 0;
    let mut d = first;
    while d.year() == year {
        let working = cal.is_working(d);
        total += u32::from(working);
        let mark = cal.holidays.contains(&d) || cal.workdays.contains(&d);
        if !working && !weekend(d) {
            let why = match (law::holiday_name(d), mark) {
                (_, true) => "отметка администратора",
                (Some(name), _) => name,
                (None, _) => "перенесённый выходной день",
            };
            off.push(format!("  {} {}  {why}", display_date(d), weekday(d)));
        }
        if working && weekend(d) {
            let why = if mark {
                "отметка администратора"
            } else {
                "рабочий день по переносу"
            };
            work.push(format!("  {} {}  {why}", display_date(d), weekday(d)));
        }
        d = d.next_day().context("дата вне допустимого диапазона")?;
    }
    println!("Нерабочие дни с понедельника по пятницу ({}):", off.len());
    for l in &off {
        println!("{l}");
    }
    if work.is_empty() {
        println!("Рабочих суббот и воскресений нет.");
    } else {
        println!("Рабочие субботы и воскресенья ({}):", work.len());
        for l in &work {
            println!("{l}");
        }
    }
    println!("Всего рабочих дней: {total}");
    Ok(())
}

fn weekday(d: time::Date) -> &'static str {
    use time::Weekday::*;
    match d.weekday() {
        Monday => "пн",
        Tuesday => "вт",
        Wednesday => "ср",
        Thursday => "чт",
        Friday => "пт",
        Saturday => "сб",
        Sunday => "вс",
    }
}

/// `volost calendar import FILE`.
pub fn import(config: Option<&Path>, login: &str, file: &Path) -> Result<()> {
    let meta = std::fs::metadata(file)
        .with_context(|| format!("не удалось прочитать {}", file.display()))?;
    if meta.len() > volost::domain::calendar::import::MAX_FILE as u64 {
        bail!("{}: файл больше 1 МБ — это не календарь", file.display());
    }
    let data =
        std::fs::read(file).with_context(|| format!("не удалось прочитать {}", file.display()))?;
    let name = file
        .file_name()
        .map_or_else(|| "файл".to_string(), |n| n.to_string_lossy().into_owned());
    let mut seat = Seat::open(config, login)?;
    let call = call::ImportCalendar {
        name: name.clone(),
        data: Bytes(data.clone()),
    };
    let r: volost::service::CalendarImport =
        seat.ask(call, |n, a| n.import_calendar(a, &data, &name))?;
    for (y, days) in &r.years {
        println!("Загружен {y} год: рабочих дней {days}");
    }
    println!(
        "Сроки пересчитаны: задач {}, заявок {}",
        r.moved.tasks, r.moved.applications
    );
    Ok(())
}
