//! The filter panel of a list: DOMAIN.md's filters for that list, several at once, each
//! switched on or off on its own; periods by preset (Вчера / Сегодня / Завтра / ...) in the
//! node's local time.

use super::TextInput;
use crate::text;
use crossterm::event::{KeyCode, KeyEvent};
use volost_api::{AppFilter, InFilter, OutFilter, RegFilter, TaskFilter};
use volost_domain::{InStatus, OutStatus, RegStatus, Source, Status, Ts, UserId};

/// A period preset, in local days relative to today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Yesterday,
    Today,
    Tomorrow,
    Week,
    Month,
}

/// The start of day `d` at the node's `offset`, as a timestamp.
pub fn midnight(d: time::Date, offset: time::UtcOffset) -> Ts {
    Ts::from_datetime(
        d.midnight()
            .assume_offset(offset)
            .to_offset(time::UtcOffset::UTC),
    )
}

impl Period {
    pub const ALL: [Period; 5] = [
        Period::Yesterday,
        Period::Today,
        Period::Tomorrow,
        Period::Week,
        Period::Month,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Period::Yesterday => text::P_YESTERDAY,
            Period::Today => text::P_TODAY,
            Period::Tomorrow => text::P_TOMORROW,
            Period::Week => text::P_WEEK,
            Period::Month => text::P_MONTH,
        }
    }

    /// `[from, to)` in UTC milliseconds for `today` at `offset`.
    pub fn range(self, today: time::Date, offset: time::UtcOffset) -> (Ts, Ts) {
        let day = |d| midnight(d, offset);
        let (a, b) = match self {
            Period::Yesterday => (today.previous_day().unwrap_or(today), today),
            Period::Today => (today, today.next_day().unwrap_or(today)),
            Period::Tomorrow => {
                let t = today.next_day().unwrap_or(today);
                (t, t.next_day().unwrap_or(t))
            }
            Period::Week => (
                today - time::Duration::days(6),
                today.next_day().unwrap_or(today),
            ),
            Period::Month => (
                today - time::Duration::days(29),
                today.next_day().unwrap_or(today),
            ),
        };
        (day(a), day(b))
    }
}

/// What a row of the panel holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(TextInput),
    /// One of `options` (labels).
    Choice {
        options: Vec<String>,
        at: usize,
    },
    /// A flag with no value («Только просроченные»).
    Flag,
    /// One of the body's people or services: ids with their names.
    Pick {
        options: Vec<(u64, String)>,
        at: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub label: &'static str,
    pub on: bool,
    pub value: Value,
}

/// Which list the panel filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum For {
    Tasks,
    Apps,
    Outgoing,
    Incoming,
    Regional,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub target: For,
    pub rows: Vec<Row>,
    pub focus: usize,
}

fn row(label: &'static str, value: Value) -> Row {
    Row {
        label,
        on: false,
        value,
    }
}

fn periods() -> Value {
    Value::Choice {
        options: Period::ALL.iter().map(|p| p.label().to_string()).collect(),
        at: 1,
    }
}

fn statuses(labels: impl IntoIterator<Item = &'static str>) -> Value {
    Value::Choice {
        options: labels.into_iter().map(String::from).collect(),
        at: 0,
    }
}

/// The rows of a creation period: a preset (labelled for the list's gender: «Создана»
/// for a task or an application, «Дата создания» for a request), and the dates typed.
fn period_rows(label: &'static str) -> [Row; 3] {
    [
        row(label, periods()),
        row(text::FL_FROM, Value::Text(TextInput::default())),
        row(text::FL_TO, Value::Text(TextInput::default())),
    ]
}

impl Panel {
    pub fn tasks() -> Panel {
        Panel {
            target: For::Tasks,
            rows: [row(text::FL_NAME, Value::Text(TextInput::default()))]
                .into_iter()
                .chain(period_rows(text::FL_CREATED))
                .chain([row(text::FL_OVERDUE, Value::Flag)])
                .collect(),
            focus: 0,
        }
    }

    pub fn apps() -> Panel {
        Panel {
            target: For::Apps,
            rows: vec![
                row(
                    text::FL_STATUS,
                    Value::Choice {
                        options: Status::ALL.iter().map(|s| s.label().to_string()).collect(),
                        at: 2,
                    },
                ),
                // «Есть ли заявления с ЕПГУ?»: ЕПГУ comes first after the default.
                row(
                    text::FL_SOURCE,
                    Value::Choice {
                        options: Source::ALL.iter().map(|s| s.label().to_string()).collect(),
                        at: 1,
                    },
                ),
            ]
            .into_iter()
            .chain(period_rows(text::FL_CREATED))
            .chain([row(text::FL_OVERDUE, Value::Flag)])
            .collect(),
            focus: 0,
        }
    }

    pub fn outgoing() -> Panel {
        Panel {
            target: For::Outgoing,
            rows: [row(
                text::FL_STATUS,
                statuses(OutStatus::ALL.map(OutStatus::label)),
            )]
            .into_iter()
            .chain(period_rows(text::FL_REQ_CREATED))
            .collect(),
            focus: 0,
        }
    }

    pub fn incoming() -> Panel {
        Panel {
            target: For::Incoming,
            rows: vec![row(
                text::FL_STATUS,
                statuses(InStatus::ALL.map(InStatus::label)),
            )],
            focus: 0,
        }
    }

    pub fn regional() -> Panel {
        Panel {
            target: For::Regional,
            rows: vec![row(
                text::FL_STATUS,
                statuses([RegStatus::New.label(), RegStatus::Done.label()]),
            )],
            focus: 0,
        }
    }

    /// The panel of a list.
    pub fn of(target: For) -> Panel {
        match target {
            For::Tasks => Panel::tasks(),
            For::Apps => Panel::apps(),
            For::Outgoing => Panel::outgoing(),
            For::Incoming => Panel::incoming(),
            For::Regional => Panel::regional(),
        }
    }

    /// How many filters are on (shown in the list's title).
    pub fn active(&self) -> usize {
        self.rows.iter().filter(|r| r.on).count()
    }

    pub fn toggle(&mut self) {
        if let Some(r) = self.rows.get_mut(self.focus) {
            r.on = !r.on;
        }
    }

    /// Space: a space in a text row («Название содержит» may hold words), the switch in the
    /// others. A text row is switched on by typing and off by erasing it.
    pub fn space(&mut self) {
        match self.rows.get(self.focus).map(|r| &r.value) {
            Some(Value::Text(_)) => self.type_char(' '),
            _ => self.toggle(),
        }
    }

    pub fn clear(&mut self) {
        for r in &mut self.rows {
            r.on = false;
        }
    }

    pub fn up(&mut self) {
        self.focus = self.focus.saturating_sub(1);
    }

    pub fn down(&mut self) {
        self.focus = (self.focus + 1).min(self.rows.len().saturating_sub(1));
    }

    /// ←/→ on a choice; typing switches a text filter on.
    pub fn cycle(&mut self, forward: bool) {
        let Some(row) = self.rows.get_mut(self.focus) else {
            return;
        };
        let (n, at) = match &mut row.value {
            Value::Choice { options, at } => (options.len(), at),
            Value::Pick { options, at } => (options.len(), at),
            _ => return,
        };
        let n = n.max(1);
        *at = if forward {
            (*at + 1) % n
        } else {
            (*at + n - 1) % n
        };
        row.on = true;
    }

    /// Adds the rows that need the body's data (people, services) once it is known.
    pub fn add_picks(&mut self, people: Vec<(u64, String)>, services: Vec<(u64, String)>) {
        if self
            .rows
            .iter()
            .any(|r| matches!(r.value, Value::Pick { .. }))
        {
            return;
        }
        let picks = match self.target {
            For::Tasks => vec![(text::FL_AUTHOR, people), (text::FL_SERVICE, services)],
            For::Apps => vec![(text::FL_ASSIGNEE, people), (text::FL_SERVICE, services)],
            For::Incoming => vec![(text::FL_ASSIGNEE, people)],
            For::Outgoing | For::Regional => Vec::new(),
        };
        for (label, options) in picks {
            if !options.is_empty() {
                self.rows.push(row(label, Value::Pick { options, at: 0 }));
            }
        }
    }

    fn pick(&self, label: &str) -> Option<u64> {
        match self.row(label).map(|r| &r.value) {
            Some(Value::Pick { options, at }) => options.get(*at).map(|o| o.0),
            _ => None,
        }
    }

    /// A key of editing in a text row (`TextInput::edit`); whether it took the key. Typing
    /// switches the row on, erasing its text switches it off.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let Some(Row {
            value: Value::Text(t),
            on,
            ..
        }) = self.rows.get_mut(self.focus)
        else {
            return false;
        };
        let took = t.edit(key);
        if took {
            *on = !t.is_empty();
        }
        took
    }

    /// A pasted text into a text row, as one line.
    pub fn paste(&mut self, s: &str) {
        if let Some(Row {
            value: Value::Text(t),
            on,
            ..
        }) = self.rows.get_mut(self.focus)
        {
            t.paste(s, false);
            *on = !t.is_empty();
        }
    }

    pub fn type_char(&mut self, c: char) {
        self.edit(&KeyEvent::from(KeyCode::Char(c)));
    }

    pub fn backspace(&mut self) {
        self.edit(&KeyEvent::from(KeyCode::Backspace));
    }

    fn row(&self, label: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.on && r.label == label)
    }

    /// A typed date of the period that is switched on but not a date: the message to show.
    pub fn bad_date(&self) -> Option<String> {
        [text::FL_FROM, text::FL_TO]
            .into_iter()
            .find_map(|l| match self.row(l).map(|r| &r.value) {
                Some(Value::Text(t)) if !t.trim().is_empty() => crate::widgets::date::read_date(t)
                    .err()
                    .map(|why| format!("{l}: {why}")),
                _ => None,
            })
    }

    fn typed(&self, label: &str) -> Option<time::Date> {
        match self.row(label).map(|r| &r.value) {
            Some(Value::Text(t)) => crate::widgets::date::parse_date(t),
            _ => None,
        }
    }

    /// `[from, to)`: the preset if it is on, narrowed by the typed dates («по» takes in the
    /// whole of its day).
    fn period(&self, today: time::Date, offset: time::UtcOffset) -> (Option<Ts>, Option<Ts>) {
        let preset = self
            .row(text::FL_CREATED)
            .or_else(|| self.row(text::FL_REQ_CREATED));
        let (mut from, mut to) = match preset.map(|r| &r.value) {
            Some(Value::Choice { at, .. }) => {
                let (a, b) = Period::ALL[(*at).min(Period::ALL.len() - 1)].range(today, offset);
                (Some(a), Some(b))
            }
            _ => (None, None),
        };
        let midnight = |d| midnight(d, offset);
        if let Some(d) = self.typed(text::FL_FROM) {
            let t = midnight(d);
            from = Some(from.map_or(t, |f| if t.0 > f.0 { t } else { f }));
        }
        if let Some(d) = self.typed(text::FL_TO) {
            let t = midnight(d.next_day().unwrap_or(d));
            to = Some(to.map_or(t, |x| if t.0 < x.0 { t } else { x }));
        }
        (from, to)
    }

    /// The index of the status chosen, when the status filter is on.
    fn status_at(&self) -> Option<usize> {
        match self.row(text::FL_STATUS).map(|r| &r.value) {
            Some(Value::Choice { at, .. }) => Some(*at),
            _ => None,
        }
    }

    /// The task filter the panel describes.
    pub fn task_filter(&self, today: time::Date, offset: time::UtcOffset) -> TaskFilter {
        let (created_from, created_to) = self.period(today, offset);
        TaskFilter {
            name_contains: match self.row(text::FL_NAME).map(|r| &r.value) {
                Some(Value::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
                _ => None,
            },
            created_from,
            created_to,
            overdue_only: self.row(text::FL_OVERDUE).is_some(),
            author: self.pick(text::FL_AUTHOR).map(volost_domain::UserId),
            service: self.pick(text::FL_SERVICE).map(volost_domain::ServiceId),
        }
    }

    /// The application filter the panel describes.
    pub fn app_filter(&self, today: time::Date, offset: time::UtcOffset) -> AppFilter {
        let (created_from, created_to) = self.period(today, offset);
        AppFilter {
            statuses: self
                .status_at()
                .and_then(|i| Status::ALL.get(i).copied())
                .into_iter()
                .collect(),
            created_from,
            created_to,
            overdue_only: self.row(text::FL_OVERDUE).is_some(),
            assignee: self.pick(text::FL_ASSIGNEE).map(volost_domain::UserId),
            service: self.pick(text::FL_SERVICE).map(volost_domain::ServiceId),
            source: match self.row(text::FL_SOURCE).map(|r| &r.value) {
                Some(Value::Choice { at, .. }) => Source::ALL.get(*at).copied(),
                _ => None,
            },
            ..AppFilter::default()
        }
    }

    pub fn out_filter(&self, today: time::Date, offset: time::UtcOffset) -> OutFilter {
        let (created_from, created_to) = self.period(today, offset);
        OutFilter {
            statuses: self
                .status_at()
                .and_then(|i| OutStatus::ALL.get(i).copied())
                .into_iter()
                .collect(),
            created_from,
            created_to,
            ..OutFilter::default()
        }
    }

    pub fn in_filter(&self) -> InFilter {
        InFilter {
            statuses: self
                .status_at()
                .and_then(|i| InStatus::ALL.get(i).copied())
                .into_iter()
                .collect(),
            executor: self.pick(text::FL_ASSIGNEE).map(UserId),
            ..InFilter::default()
        }
    }

    pub fn reg_filter(&self) -> RegFilter {
        RegFilter {
            statuses: self
                .status_at()
                .and_then(|i| [RegStatus::New, RegStatus::Done].get(i).copied())
                .into_iter()
                .collect(),
            ..RegFilter::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_local_days() {
        let off = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
        let today = time::macros::date!(2026 - 11 - 23);
        let (a, b) = Period::Today.range(today, off);
        // Local midnight at +07:00 is 17:00 UTC the day before.
        assert_eq!(a.to_datetime().hour(), 17);
        assert_eq!(b.0 - a.0, 86_400_000);
        let (y, _) = Period::Yesterday.range(today, off);
        assert_eq!(a.0 - y.0, 86_400_000);
    }

    #[test]
    fn only_switched_on_rows_filter() {
        let today = time::macros::date!(2026 - 11 - 23);
        let off = time::UtcOffset::UTC;
        let mut p = Panel::tasks();
        assert_eq!(p.task_filter(today, off), TaskFilter::default());
        for c in "выписк".chars() {
            p.type_char(c);
        }
        // A space is typed in the text, not taken as the switch.
        p.space();
        p.type_char('п');
        p.focus = 4;
        p.space();
        let f = p.task_filter(today, off);
        assert_eq!(f.name_contains.as_deref(), Some("выписк п"));
        assert!(f.overdue_only);
        assert!(f.created_from.is_none());
        p.focus = 0;
        p.toggle();
        assert!(
            p.task_filter(today, off).name_contains.is_none(),
            "switched off, kept"
        );
        assert_eq!(p.active(), 1);
        // Erasing the text switches its row off.
        p.toggle();
        for _ in 0.."выписк п".chars().count() {
            p.backspace();
        }
        assert!(!p.rows[0].on);
        assert_eq!(p.active(), 1);
        let mut a = Panel::apps();
        a.cycle(true);
        assert_eq!(a.app_filter(today, off).statuses, vec![Status::ALL[3]]);
        // People and services come from the node; ←/→ picks, and the filter carries the id.
        p.add_picks(
            vec![(2, "Иванова М. С.".into()), (3, "Петров А. Н.".into())],
            vec![(7, "Выдача выписки".into())],
        );
        p.add_picks(vec![(9, "x".into())], Vec::new());
        assert_eq!(p.rows.len(), 7, "added once");
        p.focus = 5;
        p.cycle(true);
        assert_eq!(
            p.task_filter(today, off).author,
            Some(volost_domain::UserId(3))
        );
        p.focus = 6;
        p.toggle();
        assert_eq!(
            p.task_filter(today, off).service,
            Some(volost_domain::ServiceId(7))
        );
    }

    #[test]
    fn typed_dates_bound_the_period_and_a_wrong_one_is_named() {
        let today = time::macros::date!(2026 - 11 - 23);
        let off = time::UtcOffset::UTC;
        let mut p = Panel::outgoing();
        let typed = |p: &mut Panel, at: usize, s: &str| {
            p.focus = at;
            for c in s.chars() {
                p.type_char(c);
            }
        };
        typed(&mut p, 2, "01.11.2026");
        typed(&mut p, 3, "10.11.2026");
        let f = p.out_filter(today, off);
        let day = |d: time::Date| Ts::from_datetime(d.midnight().assume_utc());
        assert_eq!(
            f.created_from,
            Some(day(time::macros::date!(2026 - 11 - 01)))
        );
        // «по» includes its whole day.
        assert_eq!(f.created_to, Some(day(time::macros::date!(2026 - 11 - 11))));
        assert!(p.bad_date().is_none());
        // With a preset on as well, the period is where both agree.
        p.focus = 1;
        p.toggle();
        let f = p.out_filter(today, off);
        assert_eq!(
            f.created_from,
            Some(day(time::macros::date!(2026 - 11 - 23)))
        );
        assert_eq!(f.created_to, Some(day(time::macros::date!(2026 - 11 - 11))));
        typed(&mut p, 3, "x");
        assert_eq!(
            p.bad_date().as_deref(),
            Some("По дату (ДД.ММ.ГГГГ): Введите дату как ДД.ММ.ГГГГ")
        );
        // Status: ←/→ picks one of the eight, the filter carries it.
        p.focus = 0;
        p.cycle(true);
        assert_eq!(p.out_filter(today, off).statuses, vec![OutStatus::Ready]);
    }
}
