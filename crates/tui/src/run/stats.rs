//! The runner's side of stats: the daemon calls its effects ask for.

use crate::app::{App, Dialog, Screen};
use crate::screens::stats::*;
use crate::text;
use crate::widgets::date::read_date;
use volost_api::call;
use volost_domain::Department;

impl App {
    /// Opens «Статистика» for the current month.
    pub(crate) fn open_stats(&mut self) {
        let (from, to) = Preset::ThisMonth.days(self.today());
        self.screen = Screen::Stats(Box::new(StatsView {
            preset: Some(Preset::ThisMonth),
            from,
            to,
            dept: None,
            report: None,
        }));
        self.stats_reload();
    }

    pub(crate) fn stats_reload(&mut self) {
        let Screen::Stats(v) = &mut self.screen else {
            return;
        };
        match self.conn.ask(call::Report(v.query())) {
            Ok(r) => v.report = Some(r),
            Err(e) => self.failed(&e),
        }
    }

    /// The period dialog was filled in.
    pub(crate) fn stats_period(&mut self, mut d: Dialog) {
        let from = read_date(&d.value(0));
        let to = read_date(&d.value(1));
        let want = d.value(2).to_lowercase();
        let dept = if want.is_empty() {
            Ok(None)
        } else {
            match self.conn.ask(call::Departments) {
                Ok(all) => {
                    let found: Vec<&Department> = all
                        .iter()
                        .filter(|x| x.name.to_lowercase().contains(&want))
                        .collect();
                    match found[..] {
                        [one] => Ok(Some((one.id, one.name.clone()))),
                        [] => Err(text::ST_NO_DEPT),
                        _ => Err(text::ST_MANY_DEPTS),
                    }
                }
                Err(e) => return self.failed(&e),
            }
        };
        match (from, to, dept) {
            (Err(why), _, _) => d.refuse(0, why),
            (_, Err(why), _) => d.refuse(1, why),
            (Ok(a), Ok(b), _) if a > b => d.refuse(1, text::ST_BACKWARDS),
            (_, _, Err(msg)) => d.refuse(2, msg),
            (Ok(from), Ok(to), Ok(dept)) => {
                if let Screen::Stats(v) = &mut self.screen {
                    (v.from, v.to, v.dept, v.preset) = (from, to, dept, None);
                }
                return self.stats_reload();
            }
        }
        self.dialog = Some(d);
    }
}
