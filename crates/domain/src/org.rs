//! Bodies, their departments, staff, roles and rights.

use super::ids::{DeptId, GroupId, OrgId, RoleId, Ts, UserId};
use serde::{Deserialize, Serialize};

/// Орган: a council or district body. Several may share a node; each sees only its own data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    pub short_name: String,
    pub oktmo: String,
    pub ogrn: String,
    pub inn: String,
    /// КПП: an agency's statement names the body by it (Росреестр's declarant), empty until
    /// an administrator gives it.
    pub kpp: String,
    /// The body's date of state registration (ЕГРЮЛ), for the same statements.
    pub registered: Option<time::Date>,
    /// Postal address, phone and e-mail for answers, as one line: what a paper interagency
    /// request names for its answer (210-ФЗ ст. 7.2 ч. 1 п. 6). Empty until an administrator
    /// gives it.
    pub contacts: String,
}

impl Org {
    /// The short name where there is one, else the full name.
    pub fn display_name(&self) -> &str {
        if self.short_name.trim().is_empty() {
            &self.name
        } else {
            &self.short_name
        }
    }
}

/// Подразделение. Departments nest through `parent`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: DeptId,
    pub org: OrgId,
    pub parent: Option<DeptId>,
    pub name: String,
}

/// Группа: the specialists of one district who share «Задачи группы».
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub org: OrgId,
    pub name: String,
}

/// Право. The rights named in the manuals; roles are sets of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// Просмотр задач.
    ViewTasks,
    /// Обработка задач поселений (в том числе с ЕПГУ).
    ProcessCouncilTasks,
    /// Запуск услуги.
    LaunchService,
    /// Взаимодействие с региональными и муниципальными органами.
    Regional,
    /// Межведомственное взаимодействие.
    Interagency,
    /// Создание заявок.
    CreateApplications,
    /// Назначение исполнителей.
    AssignExecutors,
    /// Принятие решения.
    Decide,
    /// Утверждение.
    Approve,
    /// Суперправа исполнителя.
    SuperRights,
    /// Просмотр всех заявок (мониторинг).
    Monitoring,
    /// Администрирование каталога и пользователей.
    Administer,
}

impl Right {
    pub const ALL: [Right; 12] = [
        Right::ViewTasks,
        Right::ProcessCouncilTasks,
        Right::LaunchService,
        Right::Regional,
        Right::Interagency,
        Right::CreateApplications,
        Right::AssignExecutors,
        Right::Decide,
        Right::Approve,
        Right::SuperRights,
        Right::Monitoring,
        Right::Administer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Right::ViewTasks => "Просмотр задач",
            Right::ProcessCouncilTasks => "Обработка задач поселений (в том числе с ЕПГУ)",
            Right::LaunchService => "Запуск услуги",
            Right::Regional => "Взаимодействие с региональными и муниципальными органами",
            Right::Interagency => "Межведомственное взаимодействие",
            Right::CreateApplications => "Создание заявок",
            Right::AssignExecutors => "Назначение исполнителей",
            Right::Decide => "Принятие решения",
            Right::Approve => "Утверждение",
            Right::SuperRights => "Суперправа",
            Right::Monitoring => "Просмотр всех заявок (мониторинг)",
            Right::Administer => "Администрирование",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// A set of rights as a bit mask: cheap to copy into a session and to test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rights(pub u32);

impl Rights {
    pub fn has(self, r: Right) -> bool {
        self.0 & r.bit() != 0
    }
    pub fn with(self, r: Right) -> Rights {
        Rights(self.0 | r.bit())
    }
    pub fn union(self, o: Rights) -> Rights {
        Rights(self.0 | o.0)
    }
    pub fn iter(self) -> impl Iterator<Item = Right> {
        Right::ALL.into_iter().filter(move |r| self.has(*r))
    }
}

impl FromIterator<Right> for Rights {
    fn from_iter<I: IntoIterator<Item = Right>>(iter: I) -> Self {
        iter.into_iter().fold(Rights::default(), Rights::with)
    }
}

/// Роль: a named set of rights, defined per node as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub id: RoleId,
    pub code: String,
    pub name: String,
    pub rights: Rights,
}

/// Пользователь (сотрудник).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub org: OrgId,
    pub dept: Option<DeptId>,
    pub login: String,
    /// ФИО as shown on screen.
    pub full_name: String,
    /// PHC string of an argon2id hash.
    pub password_hash: String,
    /// A first (or reset) password must be changed before anything else is allowed.
    pub must_change_password: bool,
    pub roles: Vec<RoleId>,
    /// Rights resolved from `roles` when they were last assigned, so a check needs no extra read.
    pub rights: Rights,
    pub groups: Vec<GroupId>,
    pub active: bool,
    pub created: Ts,
    /// Wrong passwords in a row since the last successful login or lockout.
    pub failed_logins: u32,
    /// Logins are refused until then, after too many wrong passwords.
    pub locked_until: Option<Ts>,
    /// Должность and the official phone or e-mail: what a document prepared by this person
    /// names (a paper interagency request: 210-ФЗ ст. 7.2 ч. 1 п. 8). Empty until given.
    pub position: String,
    pub phone: String,
}

impl User {
    /// Фамилия И. О. — the short form used in narrow columns.
    pub fn short_name(&self) -> String {
        short_name(&self.full_name).unwrap_or_else(|| self.login.clone())
    }
}

/// Личный сертификат сотрудника (ЭП-СП). `container` is a PKCS#12 sealed with the employee's
/// PIN (see `smev::personal`); the node never holds the key in the clear between signatures.
/// One per user: the row's key is the user's id, and importing again replaces it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalCert {
    pub id: UserId,
    pub org: OrgId,
    pub container: Vec<u8>,
    /// The certificate's common name and organisation.
    pub subject: String,
    pub serial: String,
    pub not_before: Ts,
    pub not_after: Ts,
    pub imported: Ts,
    /// Wrong PINs in a row; at the limit the certificate is blocked until imported again.
    pub failed_pins: u32,
    pub blocked: bool,
}

impl std::fmt::Debug for PersonalCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The container stays out of logs even sealed: it is what a PIN guesser needs.
        f.debug_struct("PersonalCert")
            .field("user", &self.id)
            .field("subject", &self.subject)
            .field("serial", &self.serial)
            .field("blocked", &self.blocked)
            .finish_non_exhaustive()
    }
}

/// «Иванова М. С.» of «Иванова Марина Сергеевна»; `None` for an empty name.
pub fn short_name(full_name: &str) -> Option<String> {
    let mut parts = full_name.split_whitespace();
    let last = parts.next()?;
    let initials: String = parts
        .filter_map(|p| p.chars().next())
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ");
    Some(if initials.is_empty() {
        last.to_string()
    } else {
        format!("{last} {initials}")
    })
}
