//! Заявка на услугу and its lifecycle. [`transition`] is the one place that decides which step
//! is legal from which status; the service layer adds rights and writes the result.

use super::ids::{AppId, ApplicantId, DeptId, OrgId, ProcessId, ServiceId, Ts, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Статус заявки, shown verbatim from the manual.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Черновик
    Draft,
    /// Зарегистрировано
    Registered,
    /// Принятие решения
    Deciding,
    /// Утверждение положительного результата
    ApprovingPositive,
    /// Утверждение отказа
    ApprovingRefusal,
    /// Утвержден положительный результат
    ApprovedPositive,
    /// Утвержден отказ
    ApprovedRefusal,
    /// Работа по заявке завершена
    Closed,
}

impl Status {
    /// The status's stable name outside the node (the public status lookup's JSON, an
    /// intake package's status table).
    pub fn stable_name(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Registered => "registered",
            Status::Deciding => "deciding",
            Status::ApprovingPositive => "approving_positive",
            Status::ApprovingRefusal => "approving_refusal",
            Status::ApprovedPositive => "approved_positive",
            Status::ApprovedRefusal => "approved_refusal",
            Status::Closed => "closed",
        }
    }

    pub const ALL: [Status; 8] = [
        Status::Draft,
        Status::Registered,
        Status::Deciding,
        Status::ApprovingPositive,
        Status::ApprovingRefusal,
        Status::ApprovedPositive,
        Status::ApprovedRefusal,
        Status::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Черновик",
            Status::Registered => "Зарегистрировано",
            Status::Deciding => "Принятие решения",
            Status::ApprovingPositive => "Утверждение положительного результата",
            Status::ApprovingRefusal => "Утверждение отказа",
            Status::ApprovedPositive => "Утвержден положительный результат",
            Status::ApprovedRefusal => "Утвержден отказ",
            Status::Closed => "Работа по заявке завершена",
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Источник заявки. New sources go at the end: rows and index summaries store the position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    /// Личный приём
    Manual,
    /// ЕПГУ
    Epgu,
    /// РПГУ
    Rpgu,
    /// МФЦ: an application the МФЦ took and passed on, entered by the council's staff (the
    /// services' passports list the МФЦ among the places of provision).
    Mfc,
}

impl Source {
    pub const ALL: [Source; 4] = [Source::Manual, Source::Epgu, Source::Rpgu, Source::Mfc];

    pub fn label(self) -> &'static str {
        match self {
            Source::Manual => "Личный приём",
            Source::Epgu => "ЕПГУ",
            Source::Rpgu => "РПГУ",
            Source::Mfc => "МФЦ",
        }
    }
    /// Came over SMEV from a portal, which hears of every status change.
    pub fn from_portal(self) -> bool {
        matches!(self, Source::Epgu | Source::Rpgu)
    }
}

/// Решение по заявке.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Одобрить
    Approve,
    /// Отказать
    Refuse,
}

/// The decision as the executor wrote it: reason, files and the message for the applicant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: String,
    pub message: String,
    pub files: Vec<String>,
    pub by: UserId,
    pub at: Ts,
}

/// Заявка.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    // The first seven fields are read alone by `store::records::AppHead`: keep their order.
    pub id: AppId,
    pub org: OrgId,
    pub dept: Option<DeptId>,
    /// Human number per year, `2026-000123`; given at creation.
    pub number: String,
    pub service: ServiceId,
    pub applicant: ApplicantId,
    pub source: Source,
    pub status: Status,
    /// Form values by field key, normalised by the validators.
    pub data: BTreeMap<String, String>,
    pub created_by: Option<UserId>,
    pub created: Ts,
    pub registered: Option<Ts>,
    pub assignee: Option<UserId>,
    pub decision: Option<Decision>,
    /// Due date by the service's deadline in working days, set at registration.
    pub due: Option<time::Date>,
    pub process: Option<ProcessId>,
    pub updated: Ts,
    /// Code the applicant needs to look up the status (printed on the receipt).
    pub access_code: String,
    /// The names its list sorts by, as they were when it was last written.
    pub names: AppNames,
    /// «Опись принятых документов»: what the applicant handed in on paper, as the receipt
    /// lists it. Empty for an application that came from a portal.
    pub inventory: Vec<Received>,
    /// «Результат выдан заявителю»: set once the result is handed over in person.
    pub handed: Option<HandedOver>,
}

/// Документ из описи принятых документов.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    /// Наименование документа, usually one of the service's list.
    pub name: String,
    /// Подлинник (true) or копия.
    pub original: bool,
    /// Количество экземпляров.
    pub copies: u32,
    /// Количество листов (of one copy).
    pub sheets: u32,
}

/// The most documents one inventory may list, and the limits of one line: what a council's
/// desk takes in, with room to spare.
pub const MAX_RECEIVED: usize = 60;
pub const MAX_RECEIVED_NAME: usize = 300;
pub const MAX_COPIES: u32 = 99;
pub const MAX_SHEETS: u32 = 9_999;

/// An inventory as staff typed it, checked: names trimmed and not empty, counts in range.
/// The error is Russian and names the line.
pub fn check_inventory(items: Vec<Received>) -> Result<Vec<Received>, String> {
    if items.len() > MAX_RECEIVED {
        return Err(format!("В описи не больше {MAX_RECEIVED} документов"));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            let n = i + 1;
            r.name = r.name.trim().to_string();
            if r.name.is_empty() {
                return Err(format!("Строка {n} описи: укажите наименование документа"));
            }
            if r.name.chars().count() > MAX_RECEIVED_NAME || r.name.chars().any(char::is_control)
            {
                return Err(format!(
                    "Строка {n} описи: наименование длиннее {MAX_RECEIVED_NAME} знаков или содержит недопустимые символы"
                ));
            }
            if !(1..=MAX_COPIES).contains(&r.copies) {
                return Err(format!(
                    "Строка {n} описи: экземпляров от 1 до {MAX_COPIES}"
                ));
            }
            if !(1..=MAX_SHEETS).contains(&r.sheets) {
                return Err(format!("Строка {n} описи: листов от 1 до {MAX_SHEETS}"));
            }
            Ok(r)
        })
        .collect()
}

/// «Результат выдан заявителю»: the day, who handed it over and when that was recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedOver {
    pub on: time::Date,
    pub by: UserId,
    pub at: Ts,
}

/// The names a list of applications sorts by: what staff read in its columns. Applicants and
/// staff are never renamed; a service renamed in its passport renames them here too.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AppNames {
    pub service: String,
    pub applicant: String,
    /// The executor's short name («Иванова М. С.»), empty before one is named.
    pub assignee: String,
}

/// Действие над заявкой: the operations of the lifecycle, named as on the buttons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// Зарегистрировать
    Register,
    /// Назначить исполнителя
    AssignExecutor(UserId),
    /// Одобрить / Отказать
    Decide(Verdict),
    /// Отправить на доработку
    SendBack,
    /// Опубликовать результат
    Publish,
    /// Завершить работу по заявке
    Close,
}

impl Action {
    pub fn label(&self) -> &'static str {
        match self {
            Action::Register => "Зарегистрировать",
            Action::AssignExecutor(_) => "Назначить исполнителя",
            Action::Decide(Verdict::Approve) => "Одобрить",
            Action::Decide(Verdict::Refuse) => "Отказать",
            Action::SendBack => "Отправить на доработку",
            Action::Publish => "Опубликовать результат",
            Action::Close => "Завершить работу по заявке",
        }
    }
}

/// The lifecycle of DOMAIN.md as one function: the status after `action` from `from`, or
/// `None` when the step is not allowed. `super_rights` makes a decision final at once.
pub fn transition(from: Status, action: &Action, super_rights: bool) -> Option<Status> {
    use Status::*;
    Some(match (from, action) {
        (Draft, Action::Register) => Registered,
        // Reassigning during the decision is the «change the executor» of the manuals.
        (Registered | Deciding, Action::AssignExecutor(_)) => Deciding,
        (Deciding, Action::Decide(Verdict::Approve)) if super_rights => ApprovedPositive,
        (Deciding, Action::Decide(Verdict::Refuse)) if super_rights => ApprovedRefusal,
        (Deciding, Action::Decide(Verdict::Approve)) => ApprovingPositive,
        (Deciding, Action::Decide(Verdict::Refuse)) => ApprovingRefusal,
        (ApprovingPositive | ApprovingRefusal, Action::SendBack) => Deciding,
        (ApprovingPositive, Action::Publish) => ApprovedPositive,
        (ApprovingRefusal, Action::Publish) => ApprovedRefusal,
        (ApprovedPositive | ApprovedRefusal, Action::Close) => Closed,
        _ => return None,
    })
}

/// The actions that make sense from a status (what the «Действия» menu offers).
pub fn actions_from(status: Status) -> Vec<Action> {
    let candidates = [
        Action::Register,
        Action::AssignExecutor(UserId(0)),
        Action::Decide(Verdict::Approve),
        Action::Decide(Verdict::Refuse),
        Action::SendBack,
        Action::Publish,
        Action::Close,
    ];
    candidates
        .into_iter()
        .filter(|a| transition(status, a, false).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_actions() -> Vec<Action> {
        vec![
            Action::Register,
            Action::AssignExecutor(UserId(1)),
            Action::Decide(Verdict::Approve),
            Action::Decide(Verdict::Refuse),
            Action::SendBack,
            Action::Publish,
            Action::Close,
        ]
    }

    /// The whole table: every (status, action) pair, legal ones named, all others refused.
    #[test]
    fn every_transition_legal_and_illegal() {
        use Status::*;
        let legal: &[(Status, usize, bool, Status)] = &[
            (Draft, 0, false, Registered),
            (Registered, 1, false, Deciding),
            (Deciding, 1, false, Deciding),
            (Deciding, 2, false, ApprovingPositive),
            (Deciding, 3, false, ApprovingRefusal),
            (Deciding, 2, true, ApprovedPositive),
            (Deciding, 3, true, ApprovedRefusal),
            (ApprovingPositive, 4, false, Deciding),
            (ApprovingRefusal, 4, false, Deciding),
            (ApprovingPositive, 5, false, ApprovedPositive),
            (ApprovingRefusal, 5, false, ApprovedRefusal),
            (ApprovedPositive, 6, false, Closed),
            (ApprovedRefusal, 6, false, Closed),
        ];
        let acts = all_actions();
        for from in Status::ALL {
            for (i, a) in acts.iter().enumerate() {
                for sup in [false, true] {
                    let expected = legal
                        .iter()
                        .find(|(f, ai, s, _)| {
                            *f == from && *ai == i && (*s == sup || (i != 2 && i != 3))
                        })
                        .map(|l| l.3);
                    assert_eq!(
                        transition(from, a, sup),
                        expected,
                        "{from:?} {a:?} super={sup}"
                    );
                }
            }
        }
    }

    #[test]
    fn closed_is_final() {
        assert!(actions_from(Status::Closed).is_empty());
    }
}

/// Digits in the access code of a new application: 10¹² codes, so that guessing one within
/// the lookup's limits is hopeless (RELIABILITY.md), and still one short line on a receipt.
pub const ACCESS_CODE_DIGITS: usize = 12;

/// An access code as typed (spaces and dashes between the groups allowed), as stored; `None`
/// when it cannot be one. Applications before 2026-12 have 8-digit codes, still accepted.
pub fn normalize_access_code(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .collect();
    (digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() == ACCESS_CODE_DIGITS || digits.len() == 8))
        .then_some(digits)
}

/// An access code in groups of four, as the receipt prints it: `1234 5678 9012`.
pub fn display_access_code(code: &str) -> String {
    let b = code.as_bytes();
    b.chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An application number as typed, as stored (`2026-000123`); `None` when no application
/// can have it.
pub fn canonical_number(typed: &str) -> Option<String> {
    let t = typed.trim();
    let (year, seq) = t.split_once('-')?;
    let digits = |s: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    (digits(year, 4, 4) && digits(seq, 6, 9)).then(|| t.to_string())
}

#[cfg(test)]
mod access_tests {
    use super::*;

    #[test]
    fn codes_and_numbers_are_read_as_typed_and_nothing_else() {
        assert_eq!(
            normalize_access_code(" 1234 5678-9012 ").as_deref(),
            Some("123456789012")
        );
        assert_eq!(
            normalize_access_code("12345678").as_deref(),
            Some("12345678")
        );
        for bad in [
            "",
            "1234",
            "12345678901",
            "1234567890123",
            "1234\u{0}5678",
            "abcdefgh",
        ] {
            assert_eq!(normalize_access_code(bad), None, "{bad:?}");
        }
        assert_eq!(display_access_code("123456789012"), "1234 5678 9012");
        assert_eq!(
            canonical_number(" 2026-000123 ").as_deref(),
            Some("2026-000123")
        );
        for bad in [
            "2026-123",
            "2026 000123",
            "2026-000123\u{0}",
            "26-000123",
            "2026-0001234567",
        ] {
            assert_eq!(canonical_number(bad), None, "{bad:?}");
        }
    }
}
