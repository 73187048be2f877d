//! The views of the calendar calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// What a change of the calendar moved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recomputed {
    pub tasks: u32,
    pub applications: u32,
}

/// The result of an import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarImport {
    /// The years taken, each with its working days.
    pub years: Vec<(i32, u32)>,
    pub moved: Recomputed,
}

/// How far the calendar is final, for the status line and `/health`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarStatus {
    pub today: time::Date,
    /// The last day of the confirmed years from today's on; `None` when this year itself has
    /// no decree loaded.
    pub confirmed_until: Option<time::Date>,
}
