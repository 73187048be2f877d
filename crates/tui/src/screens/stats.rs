//! «Статистика»: the period report of the body or of a department, drawn as charts. ←/→
//! step through the usual periods; `f` types any period and a department.

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::Effect;
use crate::screens::effect::Pending;
use crate::text;
use crate::widgets::Field;
use time::{Date, Month};
use volost_api::{Report, ReportQuery};
use volost_domain::DeptId;

/// The periods ←/→ step through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    ThisMonth,
    LastMonth,
    ThisYear,
    Today,
    Yesterday,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::ThisMonth,
        Preset::LastMonth,
        Preset::ThisYear,
        Preset::Today,
        Preset::Yesterday,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Preset::ThisMonth => text::ST_THIS_MONTH,
            Preset::LastMonth => text::ST_LAST_MONTH,
            Preset::ThisYear => text::ST_THIS_YEAR,
            Preset::Today => text::P_TODAY,
            Preset::Yesterday => text::P_YESTERDAY,
        }
    }

    /// First and last day of the period, for `today`.
    pub fn days(self, today: Date) -> (Date, Date) {
        let first = |d: Date| d.replace_day(1).unwrap_or(d);
        match self {
            Preset::ThisMonth => (first(today), today),
            Preset::LastMonth => {
                let end = first(today).previous_day().unwrap_or(today);
                (first(end), end)
            }
            Preset::ThisYear => (
                Date::from_calendar_date(today.year(), Month::January, 1).unwrap_or(today),
                today,
            ),
            Preset::Today => (today, today),
            Preset::Yesterday => {
                let y = today.previous_day().unwrap_or(today);
                (y, y)
            }
        }
    }
}

pub struct StatsView {
    /// The preset shown, or `None` for a period typed by hand.
    pub preset: Option<Preset>,
    pub from: Date,
    pub to: Date,
    pub dept: Option<(DeptId, String)>,
    pub report: Option<Report>,
}

impl StatsView {
    /// A command on «Статистика»: the presets and the period dialog are its own; reading
    /// the report and making the spreadsheet are asked of the runner. `today` dates the
    /// presets.
    pub fn handle(&mut self, cmd: Cmd, today: Date) -> Option<Effect> {
        match cmd {
            Cmd::Back => Some(Effect::OpenSection(0)),
            Cmd::NextChoice | Cmd::PrevChoice => {
                let n = Preset::ALL.len();
                let at = self
                    .preset
                    .and_then(|p| Preset::ALL.iter().position(|x| *x == p))
                    .map_or(0, |i| {
                        if cmd == Cmd::NextChoice {
                            (i + 1) % n
                        } else {
                            (i + n - 1) % n
                        }
                    });
                let p = Preset::ALL[at];
                (self.from, self.to) = p.days(today);
                self.preset = Some(p);
                Some(Effect::ReadReport)
            }
            Cmd::Filter => {
                let field = |label, value: String| {
                    let mut f = Field::new(label, false);
                    f.value = value.into();
                    f
                };
                let d = |d: Date| volost_domain::display_date(d);
                let dept = self.dept.as_ref().map(|x| x.1.clone()).unwrap_or_default();
                Some(Effect::Confirm(Box::new(Dialog::new(
                    text::ST_PERIOD,
                    text::ST_PERIOD_TEXT,
                    vec![
                        field(text::ST_FROM, d(self.from)),
                        field(text::ST_TO, d(self.to)),
                        field(text::ST_DEPT, dept),
                    ],
                    Pending::StatsPeriod,
                ))))
            }
            Cmd::Refresh => Some(Effect::ReadReport),
            Cmd::Export => Some(Effect::Export(volost_api::Exported::Report(self.query()))),
            // The registration journal of the same period (the whole body's).
            Cmd::Print => Some(Effect::PrintJournal(self.from, self.to)),
            _ => None,
        }
    }

    /// The report the screen shows: its period and department.
    pub fn query(&self) -> ReportQuery {
        ReportQuery {
            from: self.from,
            to: self.to,
            dept: self.dept.as_ref().map(|d| d.0),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn presets_cover_whole_months_and_the_year_so_far() {
        let d = |m, day| Date::from_calendar_date(2026, m, day).unwrap();
        let today = d(Month::March, 3);
        assert_eq!(
            Preset::LastMonth.days(today),
            (d(Month::February, 1), d(Month::February, 28))
        );
        assert_eq!(Preset::ThisMonth.days(today), (d(Month::March, 1), today));
        assert_eq!(Preset::ThisYear.days(today), (d(Month::January, 1), today));
        assert_eq!(
            Preset::LastMonth.days(d(Month::January, 10)),
            (
                Date::from_calendar_date(2025, Month::December, 1).unwrap(),
                Date::from_calendar_date(2025, Month::December, 31).unwrap()
            )
        );
    }
}
