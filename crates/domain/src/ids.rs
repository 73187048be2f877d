//! Typed identifiers. Every row is keyed by a `u64` drawn from a per-table counter; the newtype
//! keeps a task id from being passed where an application id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    /// Орган (организация).
    OrgId,
    /// Подразделение.
    DeptId,
    /// Пользователь (сотрудник).
    UserId,
    /// Роль.
    RoleId,
    /// Группа (районная группа, делящая «Задачи группы»).
    GroupId,
    /// Услуга.
    ServiceId,
    /// Вид сведений (тип межведомственного запроса).
    KindId,
    /// Заявитель.
    ApplicantId,
    /// Заявка.
    AppId,
    /// Экземпляр технологического процесса.
    ProcessId,
    /// Задача.
    TaskId,
    /// Исходящий межведомственный запрос.
    OutReqId,
    /// Входящий межведомственный запрос.
    InReqId,
    /// Запрос Р-сведений.
    RegReqId,
    /// Файл (вложение).
    FileId,
);

/// A moment in time: milliseconds since the Unix epoch, UTC. Stored as a plain integer so that
/// index keys sort by time and the codec needs no calendar logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ts(pub i64);

impl Ts {
    pub fn to_datetime(self) -> time::OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000_000;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }

    pub fn from_datetime(dt: time::OffsetDateTime) -> Ts {
        Ts((dt.unix_timestamp_nanos() / 1_000_000) as i64)
    }

    /// The local calendar date of this moment at the node's UTC offset.
    pub fn date(self, offset: time::UtcOffset) -> time::Date {
        self.to_datetime().to_offset(offset).date()
    }

    /// Local time as `ДД.ММ.ГГГГ ЧЧ:ММ`, the way staff read it.
    pub fn display(self, offset: time::UtcOffset) -> String {
        let dt = self.to_datetime().to_offset(offset);
        format!(
            "{:02}.{:02}.{} {:02}:{:02}",
            dt.day(),
            u8::from(dt.month()),
            dt.year(),
            dt.hour(),
            dt.minute()
        )
    }
}

/// `2026-12-04T14:00:00.000+07:00`: an instant as SMEV's messages and the registry file write
/// it (xs:dateTime with milliseconds and the offset).
pub fn xml_datetime(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
    );
    t.format(&f).unwrap_or_default()
}

/// A date as staff write it: `ДД.ММ.ГГГГ`.
pub fn display_date(d: time::Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

/// Parses `ДД.ММ.ГГГГ` or ISO `ГГГГ-ММ-ДД`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let s = s.trim();
    let (y, m, d) = if let Some((d, rest)) = s.split_once('.') {
        let (m, y) = rest.split_once('.')?;
        (y, m, d)
    } else {
        let mut it = s.splitn(3, '-');
        (it.next()?, it.next()?, it.next()?)
    };
    let y: i32 = y.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    let d: u8 = d.parse().ok()?;
    if !(1900..=2200).contains(&y) {
        return None;
    }
    time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}
