//! The views of the report calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    pub from: time::Date,
    /// The last day of the period (included).
    pub to: time::Date,
    /// The department, with its subordinates; `None` for the whole body.
    #[serde(default)]
    pub dept: Option<DeptId>,
}

/// One service's line: applications received and decided.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceLine {
    pub service: String,
    pub received: u64,
    /// Received per source (Личный приём, ЕПГУ, РПГУ, МФЦ), in that order.
    pub by_source: [u64; 4],
    pub approved: u64,
    pub refused: u64,
    /// Working days from registration to decision, over the decided applications.
    pub avg_days: Option<f64>,
    pub max_days: Option<u32>,
}

/// Work of one executor: tasks of the period they completed, and how many late.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecutorLine {
    pub name: String,
    pub done: u64,
    pub overdue: u64,
}

/// Outgoing requests to one addressee agency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddresseeLine {
    pub agency: String,
    /// Requests made in the period.
    pub count: u64,
    pub answered: u64,
    /// Hours from sending to the answer, over the answered ones.
    pub avg_answer_hours: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: time::Date,
    pub to: time::Date,
    /// The department's name, when the report is for one.
    pub dept: Option<String>,
    /// Services with applications in the period, most received first.
    pub services: Vec<ServiceLine>,
    /// The sum of the service lines (its `service` is «Итого»).
    pub total: ServiceLine,
    /// Tasks created in the period, and those done late or open past their due date.
    pub tasks: u64,
    pub tasks_overdue: u64,
    /// Executors by tasks done, most first.
    pub executors: Vec<ExecutorLine>,
    /// Outgoing requests of the period per status, in the order of `OutStatus::ALL`.
    pub requests: Vec<(OutStatus, u64)>,
    pub addressees: Vec<AddresseeLine>,
}

/// What to write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Exported {
    /// «Отчёт за период».
    Report(ReportQuery),
    /// «Журнал исходящих запросов» of the requests the filter selects.
    Journal(OutFilter),
}

/// What a file is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}
