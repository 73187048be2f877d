//! Which table each domain type lives in and which index entries it implies. The key
//! builders here are the only definition of each index's layout: queries use the same
//! functions for their range bounds.

use super::codec;
use super::keys::Key;
use super::summary::*;
use super::tables::{self, Ix, Rows};
use super::{Record, StoreError};
use volost_domain::*;

type Out = Vec<(Vec<u8>, Vec<u8>)>;

fn summary<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    codec::encode(1, v)
}

macro_rules! plain_record {
    ($ty:ty, $table:expr, $kind:literal) => {
        impl Record for $ty {
            const TABLE: Rows = $table;
            const KIND: &'static str = $kind;
            fn key(&self) -> u64 {
                self.id.0
            }
        }
    };
}

plain_record!(Department, tables::DEPARTMENTS, "department");
plain_record!(Group, tables::GROUPS, "group");
plain_record!(Role, tables::ROLES, "role");
plain_record!(PersonalCert, tables::PERSONAL_CERTS, "personal_cert");

pub fn login_key(login: &str) -> Key {
    Key::new(Ix::UserLogin as u8).text(login, 64)
}

impl Record for Org {
    const TABLE: Rows = tables::ORGS;
    const KIND: &'static str = "org";
    /// 2: `kpp` and `registered`; 3: `contacts`.
    const VERSION: u8 = 3;
    fn key(&self) -> u64 {
        self.id.0
    }
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        let o: OrgV2 = match version {
            1 => {
                let o: OrgV1 = codec::body("org v1", body)?;
                OrgV2 {
                    id: o.id,
                    name: o.name,
                    short_name: o.short_name,
                    oktmo: o.oktmo,
                    ogrn: o.ogrn,
                    inn: o.inn,
                    kpp: String::new(),
                    registered: None,
                }
            }
            2 => codec::body("org v2", body)?,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "org row of unknown version {version}"
                )));
            }
        };
        Ok(Org {
            id: o.id,
            name: o.name,
            short_name: o.short_name,
            oktmo: o.oktmo,
            ogrn: o.ogrn,
            inn: o.inn,
            kpp: o.kpp,
            registered: o.registered,
            contacts: String::new(),
        })
    }
}

/// A body as version 2 stored it, before its contacts.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct OrgV2 {
    id: OrgId,
    name: String,
    short_name: String,
    oktmo: String,
    ogrn: String,
    inn: String,
    kpp: String,
    registered: Option<time::Date>,
}

/// A body as version 1 stored it, before its КПП and date of registration.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct OrgV1 {
    id: OrgId,
    name: String,
    short_name: String,
    oktmo: String,
    ogrn: String,
    inn: String,
}

/// A user as version 1 stored it, before the login lockout.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct UserV1 {
    id: UserId,
    org: OrgId,
    dept: Option<DeptId>,
    login: String,
    full_name: String,
    password_hash: String,
    must_change_password: bool,
    roles: Vec<RoleId>,
    rights: Rights,
    groups: Vec<GroupId>,
    active: bool,
    created: Ts,
}

impl Record for User {
    const TABLE: Rows = tables::USERS;
    const KIND: &'static str = "user";
    /// 2: `failed_logins` and `locked_until`; 3: `position` and `phone`.
    const VERSION: u8 = 3;
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        out.push((login_key(&self.login).u64(self.id.0).0, Vec::new()));
        Ok(())
    }
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        let u: UserV2 = match version {
            1 => {
                let u: UserV1 = codec::body("user v1", body)?;
                UserV2 {
                    id: u.id,
                    org: u.org,
                    dept: u.dept,
                    login: u.login,
                    full_name: u.full_name,
                    password_hash: u.password_hash,
                    must_change_password: u.must_change_password,
                    roles: u.roles,
                    rights: u.rights,
                    groups: u.groups,
                    active: u.active,
                    created: u.created,
                    failed_logins: 0,
                    locked_until: None,
                }
            }
            2 => codec::body("user v2", body)?,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "user row of unknown version {version}"
                )));
            }
        };
        Ok(User {
            id: u.id,
            org: u.org,
            dept: u.dept,
            login: u.login,
            full_name: u.full_name,
            password_hash: u.password_hash,
            must_change_password: u.must_change_password,
            roles: u.roles,
            rights: u.rights,
            groups: u.groups,
            active: u.active,
            created: u.created,
            failed_logins: u.failed_logins,
            locked_until: u.locked_until,
            position: String::new(),
            phone: String::new(),
        })
    }
}

/// A user as version 2 stored it, before the position and phone.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct UserV2 {
    id: UserId,
    org: OrgId,
    dept: Option<DeptId>,
    login: String,
    full_name: String,
    password_hash: String,
    must_change_password: bool,
    roles: Vec<RoleId>,
    rights: Rights,
    groups: Vec<GroupId>,
    active: bool,
    created: Ts,
    failed_logins: u32,
    locked_until: Option<Ts>,
}

pub fn service_code_key(org: OrgId, code: &str) -> Key {
    Key::new(Ix::ServiceCode as u8).u64(org.0).text(code, 64)
}

/// A service as version 1 stored it, before the passport named its regulation.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct ServiceV1 {
    id: ServiceId,
    org: OrgId,
    code: String,
    name: String,
    deadline_days: u32,
    fee: String,
    places: Vec<String>,
    documents: Vec<String>,
    results: Vec<String>,
    steps: Vec<Step>,
    fields: Vec<Field>,
    active: bool,
}

/// A service as version 2 stored it, before its intake package.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct ServiceV2 {
    id: ServiceId,
    org: OrgId,
    code: String,
    name: String,
    deadline_days: u32,
    fee: String,
    regulation: String,
    places: Vec<String>,
    documents: Vec<String>,
    results: Vec<String>,
    steps: Vec<Step>,
    fields: Vec<Field>,
    active: bool,
}

impl Record for Service {
    const TABLE: Rows = tables::SERVICES;
    const KIND: &'static str = "service";
    /// 2: `regulation`; 3: `intake`.
    const VERSION: u8 = 3;
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        out.push((
            service_code_key(self.org, &self.code).u64(self.id.0).0,
            Vec::new(),
        ));
        Ok(())
    }
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        let s: ServiceV2 = match version {
            1 => {
                let s: ServiceV1 = codec::body("service v1", body)?;
                ServiceV2 {
                    id: s.id,
                    org: s.org,
                    code: s.code,
                    name: s.name,
                    deadline_days: s.deadline_days,
                    fee: s.fee,
                    regulation: String::new(),
                    places: s.places,
                    documents: s.documents,
                    results: s.results,
                    steps: s.steps,
                    fields: s.fields,
                    active: s.active,
                }
            }
            2 => codec::body("service v2", body)?,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "service row of unknown version {version}"
                )));
            }
        };
        Ok(Service {
            id: s.id,
            org: s.org,
            code: s.code,
            name: s.name,
            deadline_days: s.deadline_days,
            fee: s.fee,
            regulation: s.regulation,
            places: s.places,
            documents: s.documents,
            results: s.results,
            steps: s.steps,
            fields: s.fields,
            active: s.active,
            intake: None,
        })
    }
}

pub fn kind_code_key(org: OrgId, code: &str) -> Key {
    Key::new(Ix::KindCode as u8).u64(org.0).text(code, 64)
}

pub fn template_kind_key(org: OrgId, kind: DocumentKind) -> Key {
    Key::new(Ix::TemplateKind as u8)
        .u64(org.0)
        .text(kind.code(), 32)
}

impl Record for DocTemplate {
    const TABLE: Rows = tables::DOC_TEMPLATES;
    const KIND: &'static str = "doc_template";
    const VERSION: u8 = 1;
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        out.push((
            template_kind_key(self.org, self.kind).u64(self.id.0).0,
            Vec::new(),
        ));
        Ok(())
    }
}

pub fn package_code_key(code: &str) -> Key {
    Key::new(Ix::PackageCode as u8).text(code, 64)
}

impl Record for KindPackage {
    const TABLE: Rows = tables::KIND_PACKAGES;
    const KIND: &'static str = "kind_package";
    /// 2: `info.intake`.
    const VERSION: u8 = 2;
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        out.push((
            package_code_key(&self.info.code).u64(self.id.0).0,
            Vec::new(),
        ));
        Ok(())
    }
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        if version != 1 {
            return Err(StoreError::Corrupt(format!(
                "kind_package row of unknown version {version}"
            )));
        }
        let p: KindPackageV1 = codec::body("kind_package v1", body)?;
        let i = p.info;
        Ok(KindPackage {
            id: p.id,
            info: PackageInfo {
                code: i.code,
                name: i.name,
                agency: i.agency,
                namespace: i.namespace,
                version: i.version,
                request_root: i.request_root,
                answer_root: i.answer_root,
                personal_signature: i.personal_signature,
                note: i.note,
                fields: i.fields,
                intake: None,
            },
            digest: p.digest,
            files: p.files,
            installed: p.installed,
            installed_by: p.installed_by,
        })
    }
}

/// A package as version 1 stored it, before intake packages.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct KindPackageV1 {
    id: PackageId,
    info: PackageInfoV1,
    digest: String,
    files: Vec<PackageFile>,
    installed: Ts,
    installed_by: Option<UserId>,
}

#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct PackageInfoV1 {
    code: String,
    name: String,
    agency: String,
    namespace: String,
    version: String,
    request_root: String,
    answer_root: Option<String>,
    personal_signature: bool,
    note: Option<String>,
    fields: Vec<Field>,
}

impl Record for RequestKind {
    const TABLE: Rows = tables::KINDS;
    const KIND: &'static str = "request_kind";
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        out.push((
            kind_code_key(self.org, &self.code).u64(self.id.0).0,
            Vec::new(),
        ));
        Ok(())
    }
}

pub fn applicant_snils_key(org: OrgId, snils: &str) -> Key {
    Key::new(Ix::ApplicantSnils as u8)
        .u64(org.0)
        .text(snils, 32)
}
pub fn applicant_inn_key(org: OrgId, inn: &str) -> Key {
    Key::new(Ix::ApplicantInn as u8).u64(org.0).text(inn, 32)
}
/// Name keys are not terminated, so that a prefix of a name finds every longer name.
pub fn applicant_name_prefix(org: OrgId, name: &str) -> Vec<u8> {
    let mut k = Key::new(Ix::ApplicantName as u8).u64(org.0).0;
    k.extend(validate::normalize_name(name).bytes().filter(|b| *b != 0));
    k
}

impl Record for Applicant {
    const TABLE: Rows = tables::APPLICANTS;
    const KIND: &'static str = "applicant";
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        if let Some(s) = &self.snils {
            out.push((
                applicant_snils_key(self.org, s).u64(self.id.0).0,
                Vec::new(),
            ));
        }
        if let Some(s) = &self.inn {
            out.push((applicant_inn_key(self.org, s).u64(self.id.0).0, Vec::new()));
        }
        let mut name = applicant_name_prefix(self.org, &self.name);
        name.push(0);
        name.extend_from_slice(&self.id.0.to_be_bytes());
        out.push((name, Vec::new()));
        Ok(())
    }
}

pub fn app_list_prefix(org: OrgId, scope: AppScope, col: AppCol) -> Key {
    let (s, sid) = scope.bytes();
    Key::new(Ix::AppList as u8)
        .u64(org.0)
        .u8(s)
        .u64(sid)
        .u8(col as u8)
}
pub fn app_number_key(org: OrgId, number: &str) -> Key {
    Key::new(Ix::AppNumber as u8).u64(org.0).text(number, 32)
}
pub fn app_by_applicant_prefix(applicant: ApplicantId) -> Key {
    Key::new(Ix::AppByApplicant as u8).u64(applicant.0)
}

fn due_i32(d: Option<time::Date>) -> i32 {
    d.map(|d| d.to_julian_day()).unwrap_or(i32::MAX)
}

/// The leading fields of an [`Application`], in its field order: what a list shows of an
/// application it only mentions (a task row's number), read without decoding the form.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct AppHead {
    pub id: AppId,
    pub org: OrgId,
    pub dept: Option<DeptId>,
    pub number: String,
    pub service: ServiceId,
    pub applicant: ApplicantId,
    /// Where it came from: the group queue marks portal applications.
    pub source: Source,
}

impl AppHead {
    /// postcard reads fields in order and ignores what follows, so the head of a current row
    /// decodes on its own; a row of an older version goes through the full upgrade.
    pub fn decode(bytes: &[u8]) -> Result<AppHead, StoreError> {
        let (v, body) = codec::split(bytes)?;
        if v == Application::VERSION {
            return codec::body("application head", body);
        }
        let a = Application::decode(bytes)?;
        Ok(AppHead {
            id: a.id,
            org: a.org,
            dept: a.dept,
            number: a.number,
            service: a.service,
            applicant: a.applicant,
            source: a.source,
        })
    }
}

impl Record for Application {
    const TABLE: Rows = tables::APPLICATIONS;
    const KIND: &'static str = "application";
    /// 2: `names` (schema 4 fills them in rows of version 1); 3: `inventory`, `handed`.
    const VERSION: u8 = 3;
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        let paper = (Vec::<Received>::new(), None::<HandedOver>);
        match version {
            1 => codec::with_tail("application v1", body, &(AppNames::default(), paper)),
            2 => codec::with_tail("application v2", body, &paper),
            _ => Err(StoreError::Corrupt(format!(
                "application row of unknown version {version}"
            ))),
        }
    }
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        let id = self.id.0;
        let sum = summary(&AppSummary {
            status: self.status.code(),
            service: self.service.0,
            source: self.source as u8,
            created: self.created.0,
            due: self.due.map(|d| d.to_julian_day()),
            assignee: self.assignee.map(|u| u.0),
            created_by: self.created_by.map(|u| u.0),
            dept: self.dept.map(|d| d.0),
            applicant: self.applicant.0,
            decided: self
                .decision
                .as_ref()
                .filter(|_| self.status >= Status::ApprovingPositive)
                .map(|d| DecidedSummary {
                    approved: d.verdict == Verdict::Approve,
                    from: self.registered.unwrap_or(self.created).0,
                    at: d.at.0,
                }),
        })?;
        let sort = |k: Key, col: AppCol| match col {
            AppCol::Created => k.i64(self.created.0),
            // Applications without a due date (drafts) sort after every dated one.
            AppCol::Due => k.i64(i64::from(due_i32(self.due))).i64(self.created.0),
            AppCol::Status => k.u8(self.status.code()).i64(self.created.0),
            AppCol::Updated => k.i64(self.updated.0),
            // Names as the task queue's «Задача» is keyed: normalised, 48 bytes, then the
            // creation time, so that every list key still ends with `created ++ id`.
            AppCol::Service => k.text(&self.names.service, 48).i64(self.created.0),
            AppCol::Applicant => k.text(&self.names.applicant, 48).i64(self.created.0),
            // No UTF-8 text holds the byte 0xff: applications with no executor come last.
            AppCol::Assignee => match self.names.assignee.as_str() {
                "" => k.u8(0xff).i64(self.created.0),
                n => k.text(n, 48).i64(self.created.0),
            },
        };
        for col in AppCol::ALL {
            out.push((
                sort(app_list_prefix(self.org, AppScope::All, col), col)
                    .u64(id)
                    .0,
                sum.clone(),
            ));
        }
        // An executor's own list sorts by every column too (schema 4; before, by creation
        // only, and a specialist's sort did nothing).
        if let Some(a) = self.assignee {
            for col in AppCol::EXECUTOR {
                let k = sort(app_list_prefix(self.org, AppScope::Assignee(a.0), col), col);
                out.push((k.u64(id).0, sum.clone()));
            }
        }
        out.push((app_number_key(self.org, &self.number).u64(id).0, Vec::new()));
        out.push((
            app_by_applicant_prefix(self.applicant).u64(id).0,
            Vec::new(),
        ));
        Ok(())
    }
}

pub fn archive_prefix(org: OrgId) -> Key {
    Key::new(Ix::Archive as u8).u64(org.0)
}
pub fn archive_user_prefix(user: UserId) -> Key {
    Key::new(Ix::ArchiveByUser as u8).u64(user.0)
}

/// A process as version 1 stored it, before it recorded its executors.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct ProcessV1 {
    pub id: ProcessId,
    pub org: OrgId,
    pub dept: Option<DeptId>,
    pub group: GroupId,
    pub service: ServiceId,
    pub application: Option<AppId>,
    pub started_by: UserId,
    pub started: Ts,
    pub step: u32,
    pub tasks: Vec<TaskId>,
    pub finished: Option<Ts>,
}

impl Record for Process {
    const TABLE: Rows = tables::PROCESSES;
    const KIND: &'static str = "process";
    /// 2: `executors`.
    const VERSION: u8 = 2;
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        let Some(fin) = self.finished else {
            return Ok(());
        };
        let sum = summary(&ArchiveSummary {
            service: self.service.0,
            dept: self.dept.map(|d| d.0),
            started: self.started.0,
        })?;
        for u in &self.executors {
            let k = archive_user_prefix(*u).i64(fin.0).u64(self.id.0);
            out.push((k.0, sum.clone()));
        }
        let k = archive_prefix(self.org).i64(fin.0).u64(self.id.0);
        out.push((k.0, sum));
        Ok(())
    }
    /// A version 1 row has no executors; `Store::open` fills them in from the tasks once
    /// (schema 2), so this empty list is never what a query sees.
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        if version != 1 {
            return Err(StoreError::Corrupt(format!(
                "process row of unknown version {version}"
            )));
        }
        let p: ProcessV1 = codec::body("process v1", body)?;
        Ok(Process {
            id: p.id,
            org: p.org,
            dept: p.dept,
            group: p.group,
            service: p.service,
            application: p.application,
            started_by: p.started_by,
            started: p.started,
            step: p.step,
            tasks: p.tasks,
            finished: p.finished,
            executors: Vec::new(),
        })
    }
}

pub fn task_list_prefix(queue: Queue, scope: u64, col: TaskCol) -> Key {
    Key::new(Ix::TaskList as u8)
        .u8(queue as u8)
        .u64(scope)
        .u8(col as u8)
}
pub fn task_by_process_prefix(p: ProcessId) -> Key {
    Key::new(Ix::TaskByProcess as u8).u64(p.0)
}

/// The scope a task's queue is listed under: the group for «Задачи группы» and «Завершённые
/// задачи», the holder for «Мои задачи».
pub fn task_scope(t: &Task) -> u64 {
    match (t.queue(), t.holder) {
        (Queue::Mine, Some(h)) => h.0,
        _ => t.group.0,
    }
}

impl Record for Task {
    const TABLE: Rows = tables::TASKS;
    const KIND: &'static str = "task";
    /// 2: `withdrawn`; 3: `names` (schema 5 fills them in older rows).
    const VERSION: u8 = 3;
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => codec::with_tail("task v1", body, &(false, TaskNames::default())),
            2 => codec::with_tail("task v2", body, &TaskNames::default()),
            _ => appended::<Self, _>(version, body, &()),
        }
    }
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        let id = self.id.0;
        let sum = summary(&TaskSummary {
            author: self.author.0,
            created: self.created.0,
            due: self.due.to_julian_day(),
            name_id: self.name_id,
            service: self.service.0,
            holder: self.holder.map(|h| h.0),
            completed: self.completed.map(|(by, at)| (by.0, at.0)),
            withdrawn: self.withdrawn,
        })?;
        let scope = task_scope(self);
        for col in TaskCol::ALL {
            let k = task_list_prefix(self.queue(), scope, col);
            let k = match col {
                TaskCol::Created => k.i64(self.created.0),
                TaskCol::Due => k.date(self.due).i64(self.created.0),
                TaskCol::Name => k.text(&self.name, 48).i64(self.created.0),
                TaskCol::Author => k.text(&self.names.author, 48).i64(self.created.0),
                // As «Исполнитель» of applications: tasks nobody held come last.
                TaskCol::Holder => match self.names.holder.as_str() {
                    "" => k.u8(0xff).i64(self.created.0),
                    n => k.text(n, 48).i64(self.created.0),
                },
                // Applications are numbered in the order they are made, so their ids sort
                // as their numbers do; a task of no application comes last.
                TaskCol::Application => k
                    .u64(self.application.map_or(u64::MAX, |a| a.0))
                    .i64(self.created.0),
            };
            out.push((k.u64(id).0, sum.clone()));
        }
        out.push((task_by_process_prefix(self.process).u64(id).0, Vec::new()));
        Ok(())
    }
}

pub fn out_list_prefix(org: OrgId, col: ReqCol) -> Key {
    Key::new(Ix::OutList as u8).u64(org.0).u8(col as u8)
}
pub fn out_message_key(message_id: &str) -> Key {
    Key::new(Ix::OutMessageId as u8).text(message_id, 64)
}

impl Record for OutgoingRequest {
    const TABLE: Rows = tables::OUTGOING;
    const KIND: &'static str = "outgoing_request";
    /// 2: `personal` (ЭП-СП).
    const VERSION: u8 = 2;
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        appended::<Self, _>(version, body, &Personal::default())
    }
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        let id = self.id.0;
        let sum = summary(&OutSummary {
            status: self.status as u8,
            kind: self.kind.0,
            dept: self.dept.map(|d| d.0),
            executor: self.executor.0,
            application: self.application.map(|a| a.0),
            created: self.created.0,
            sent: self.sent.map(|t| t.0),
            updated: self.updated.0,
            answered: self.answered.map(|t| t.0),
        })?;
        out.push((
            out_list_prefix(self.org, ReqCol::Created)
                .i64(self.created.0)
                .u64(id)
                .0,
            sum.clone(),
        ));
        out.push((
            out_list_prefix(self.org, ReqCol::Updated)
                .i64(self.updated.0)
                .u64(id)
                .0,
            sum.clone(),
        ));
        let k = out_list_prefix(self.org, ReqCol::Status)
            .u8(self.status as u8)
            .i64(self.created.0);
        out.push((k.u64(id).0, sum));
        if let Some(m) = &self.message_id {
            out.push((out_message_key(m).u64(id).0, Vec::new()));
        }
        Ok(())
    }
}

pub fn in_list_prefix(org: OrgId, col: ReqCol) -> Key {
    Key::new(Ix::InList as u8).u64(org.0).u8(col as u8)
}

impl Record for IncomingRequest {
    const TABLE: Rows = tables::INCOMING;
    const KIND: &'static str = "incoming_request";
    /// 2: `personal` (ЭП-СП).
    const VERSION: u8 = 2;
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        appended::<Self, _>(version, body, &Personal::default())
    }
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        let id = self.id.0;
        let sum = summary(&InSummary {
            status: self.status as u8,
            kind: self.kind.0,
            dept: self.dept.map(|d| d.0),
            executor: self.executor.map(|u| u.0),
            received: self.received.0,
            updated: self.updated.0,
            planned: self.planned.to_julian_day(),
        })?;
        out.push((
            in_list_prefix(self.org, ReqCol::Created)
                .i64(self.received.0)
                .u64(id)
                .0,
            sum.clone(),
        ));
        out.push((
            in_list_prefix(self.org, ReqCol::Updated)
                .i64(self.updated.0)
                .u64(id)
                .0,
            sum.clone(),
        ));
        let k = in_list_prefix(self.org, ReqCol::Planned)
            .date(self.planned)
            .i64(self.received.0);
        out.push((k.u64(id).0, sum));
        Ok(())
    }
}

pub fn reg_list_prefix(org: OrgId) -> Key {
    Key::new(Ix::RegList as u8).u64(org.0)
}

/// Reads a version 1 row of a type whose version 2 appended one field, `tail` its value for
/// the old rows.
fn appended<T: Record, U: serde::Serialize>(
    version: u8,
    body: &[u8],
    tail: &U,
) -> Result<T, StoreError> {
    if version != 1 {
        return Err(StoreError::Corrupt(format!(
            "{} row of unknown version {version}",
            T::KIND
        )));
    }
    codec::with_tail(&format!("{} v1", T::KIND), body, tail)
}

pub fn reg_message_key(message_id: &str) -> Key {
    Key::new(Ix::RegMessageId as u8).text(message_id, 64)
}

impl Record for RegionalRequest {
    const TABLE: Rows = tables::REGIONAL;
    const KIND: &'static str = "regional_request";
    /// 2: `remote` (the regional exchange).
    const VERSION: u8 = 2;
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        appended::<Self, _>(version, body, &None::<Remote>)
    }
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        let k = |org: OrgId| {
            reg_list_prefix(org)
                .u8(self.status as u8)
                .i64(self.created.0)
                .u64(self.id.0)
                .0
        };
        out.push((k(self.org), Vec::new()));
        if let Some(p) = self.provider_org
            && p != self.org
        {
            out.push((k(p), Vec::new()));
        }
        // Only our own MessageIDs: answers name them. A request from elsewhere is found by
        // its route (`RouteMessage`), and a sender's id must never be taken for ours.
        if let Some(r) = self.remote.as_ref().filter(|r| !r.incoming) {
            for m in r.message_id.iter().chain(&r.earlier) {
                out.push((reg_message_key(m).u64(self.id.0).0, Vec::new()));
            }
        }
        Ok(())
    }
}

pub fn file_owner_prefix(owner: FileOwner) -> Key {
    let (kind, id) = owner.parts();
    Key::new(Ix::FileOwner as u8).u8(kind).u64(id)
}

pub fn file_loose_prefix(org: OrgId) -> Key {
    Key::new(Ix::FileLoose as u8).u64(org.0)
}

impl Record for Attachment {
    const TABLE: Rows = tables::FILES;
    const KIND: &'static str = "file";
    fn key(&self) -> u64 {
        self.id.0
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        let k = match self.owner {
            Some(o) => file_owner_prefix(o).u64(self.id.0),
            None => file_loose_prefix(self.org).i64(self.added.0).u64(self.id.0),
        };
        out.push((k.0, Vec::new()));
        Ok(())
    }
}

/// An outbox message as version 1 stored it: always signed in the transaction that queued it.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct OutboxItemV1 {
    id: u64,
    org: OrgId,
    what: Outbound,
    message_id: String,
    envelope: String,
    attempts: u32,
    created: Ts,
    next_attempt: Ts,
    last_error: Option<String>,
}

impl Record for OutboxItem {
    const TABLE: Rows = tables::OUTBOX;
    const KIND: &'static str = "outbox";
    /// 2: `body`, an intent until the exchange's runner signs it.
    const VERSION: u8 = 2;
    fn key(&self) -> u64 {
        self.id
    }
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        if version != 1 {
            return Err(StoreError::Corrupt(format!(
                "outbox row of unknown version {version}"
            )));
        }
        let o: OutboxItemV1 = codec::body("outbox v1", body)?;
        Ok(OutboxItem {
            id: o.id,
            org: o.org,
            what: o.what,
            message_id: o.message_id,
            body: OutBody::Signed(o.envelope),
            attempts: o.attempts,
            created: o.created,
            next_attempt: o.next_attempt,
            last_error: o.last_error,
        })
    }
}

impl Record for InboxEntry {
    const TABLE: Rows = tables::INBOX;
    const KIND: &'static str = "inbox";
    fn key(&self) -> u64 {
        self.id
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        if !self.message_id.is_empty() {
            out.push((
                inbox_message_key(&self.message_id).u64(self.id).0,
                Vec::new(),
            ));
        }
        Ok(())
    }
}

impl Record for Route {
    const TABLE: Rows = tables::ROUTES;
    const KIND: &'static str = "route";
    fn key(&self) -> u64 {
        self.id
    }
    fn index(&self, out: &mut Out) -> Result<(), StoreError> {
        out.push((route_of_key(self.about).u64(self.id).0, Vec::new()));
        out.push((
            route_message_key(&self.message_id).u64(self.id).0,
            Vec::new(),
        ));
        Ok(())
    }
}

/// The prefix under which the route of `about` is found.
pub fn route_of_key(about: Routed) -> Key {
    let (tag, id) = about.parts();
    Key::new(Ix::RouteOf as u8).u8(tag).u64(id)
}

/// The prefix under which the route of a request with the sender's MessageID is found.
pub fn route_message_key(message_id: &str) -> Key {
    Key::new(Ix::RouteMessage as u8).text(message_id, 64)
}

/// `[Ix::InboxMessageId][message id]`: the prefix under which a message received is found.
pub fn inbox_message_key(message_id: &str) -> Key {
    Key::new(Ix::InboxMessageId as u8).text(message_id, 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A task row written before schema 4 (version 1, no `withdrawn`) reads as not withdrawn.
    #[test]
    fn a_version_1_task_reads_as_not_withdrawn() {
        #[derive(serde::Serialize)]
        struct TaskV1 {
            id: TaskId,
            org: OrgId,
            group: GroupId,
            process: ProcessId,
            service: ServiceId,
            application: Option<AppId>,
            step: u32,
            name: String,
            name_id: u32,
            author: UserId,
            created: Ts,
            due: time::Date,
            holder: Option<UserId>,
            completed: Option<(UserId, Ts)>,
        }
        let due = time::Date::from_calendar_date(2026, time::Month::December, 7).expect("date");
        let old = TaskV1 {
            id: TaskId(4),
            org: OrgId(1),
            group: GroupId(1),
            process: ProcessId(2),
            service: ServiceId(3),
            application: Some(AppId(5)),
            step: 0,
            name: "Приём и регистрация".into(),
            name_id: 1,
            author: UserId(7),
            created: Ts(1_795_402_800_000),
            due,
            holder: Some(UserId(7)),
            completed: None,
        };
        let t = Task::decode(&codec::encode(1, &old).expect("encode")).expect("v1 decodes");
        assert_eq!((t.id, t.due, t.holder), (TaskId(4), due, Some(UserId(7))));
        assert!(!t.withdrawn);
    }

    #[test]
    fn an_application_head_decodes_from_the_full_row() {
        let a = Application {
            id: AppId(42),
            org: OrgId(1),
            dept: Some(DeptId(3)),
            number: "2026-000042".into(),
            service: ServiceId(5),
            applicant: ApplicantId(9),
            source: Source::Mfc,
            status: Status::Registered,
            data: BTreeMap::from([("fio".to_string(), "Семёнов Пётр Ильич".to_string())]),
            created_by: Some(UserId(2)),
            created: Ts(1_795_402_800_000),
            registered: None,
            assignee: None,
            decision: None,
            due: None,
            process: None,
            updated: Ts(1_795_402_800_000),
            access_code: "12345678".into(),
            names: AppNames::default(),
            inventory: Vec::new(),
            handed: None,
        };
        // A row of version 2 is this one without the last two fields (postcard writes an
        // empty list and `None` as one zero byte each): it reads as the same application.
        let v3 = a.encode().expect("encode");
        assert_eq!(v3[0], 3);
        assert_eq!(&v3[v3.len() - 2..], &[0, 0]);
        let mut v2 = v3[..v3.len() - 2].to_vec();
        v2[0] = 2;
        assert_eq!(Application::decode(&v2).expect("v2"), a);
        let head = AppHead::decode(&a.encode().expect("encode")).expect("head");
        assert_eq!(
            head,
            AppHead {
                id: AppId(42),
                org: OrgId(1),
                dept: Some(DeptId(3)),
                number: "2026-000042".into(),
                service: ServiceId(5),
                applicant: ApplicantId(9),
                source: Source::Mfc,
            }
        );
    }

    #[test]
    fn a_version_1_user_reads_with_no_failed_logins() {
        let v1 = UserV1 {
            id: UserId(3),
            org: OrgId(1),
            dept: None,
            login: "ivanova".into(),
            full_name: "Иванова Марина Сергеевна".into(),
            password_hash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA".into(),
            must_change_password: false,
            roles: vec![RoleId(1)],
            rights: Rights::default(),
            groups: vec![GroupId(1)],
            active: true,
            created: Ts(1_795_402_800_000),
        };
        let bytes = codec::encode(1, &v1).expect("encode");
        let u = User::decode(&bytes).expect("upgrade");
        assert_eq!(
            (u.login.as_str(), u.failed_logins, u.locked_until),
            ("ivanova", 0, None)
        );
        assert_eq!(User::decode(&u.encode().expect("encode")).expect("v3"), u);
        // A version 2 row (the lockout, no position) reads with neither position nor phone.
        let v2 = UserV2 {
            id: u.id,
            org: u.org,
            dept: None,
            login: "petrov".into(),
            full_name: "Петров Алексей Николаевич".into(),
            password_hash: u.password_hash.clone(),
            must_change_password: false,
            roles: vec![RoleId(1)],
            rights: Rights::default(),
            groups: vec![GroupId(1)],
            active: true,
            created: Ts(1_795_402_800_000),
            failed_logins: 2,
            locked_until: None,
        };
        let p = User::decode(&codec::encode(2, &v2).expect("encode")).expect("upgrade");
        assert_eq!(
            (p.failed_logins, p.position.as_str(), p.phone.as_str()),
            (2, "", "")
        );
        let mut newer = u.encode().expect("encode");
        newer[0] = User::VERSION + 1;
        assert!(matches!(
            User::decode(&newer),
            Err(StoreError::TooNew { .. })
        ));
    }

    #[test]
    fn a_version_1_body_reads_with_no_kpp_nor_date_of_registration() {
        let v1 = OrgV1 {
            id: OrgId(1),
            name: "Администрация Петропавловского сельсовета".into(),
            short_name: "Петропавловский сельсовет".into(),
            oktmo: "01612420".into(),
            ogrn: "1022201234567".into(),
            inn: "2235001234".into(),
        };
        let o = Org::decode(&codec::encode(1, &v1).expect("encode")).expect("upgrade");
        assert_eq!(
            (o.inn.as_str(), o.kpp.as_str(), o.registered),
            ("2235001234", "", None)
        );
        assert_eq!(Org::decode(&o.encode().expect("encode")).expect("v3"), o);
    }

    #[test]
    fn a_version_2_body_reads_with_no_contacts() {
        let v2 = OrgV2 {
            id: OrgId(1),
            name: "Администрация Петропавловского сельсовета".into(),
            short_name: "Петропавловский сельсовет".into(),
            oktmo: "01612420".into(),
            ogrn: "1022201234567".into(),
            inn: "2235001234".into(),
            kpp: "223501001".into(),
            registered: None,
        };
        let o = Org::decode(&codec::encode(2, &v2).expect("encode")).expect("upgrade");
        assert_eq!((o.kpp.as_str(), o.contacts.as_str()), ("223501001", ""));
        assert_eq!(Org::decode(&o.encode().expect("encode")).expect("v3"), o);
    }

    #[test]
    fn a_version_1_outbox_message_reads_as_signed() {
        let v1 = OutboxItemV1 {
            id: 4,
            org: OrgId(1),
            what: Outbound::Request(OutReqId(2)),
            message_id: "6f1c0a52-d2a1-11f0-8000-0242ac120002".into(),
            envelope: "<s:Envelope/>".into(),
            attempts: 2,
            created: Ts(1_795_402_800_000),
            next_attempt: Ts(1_795_402_860_000),
            last_error: Some("timeout".into()),
        };
        let bytes = codec::encode(1, &v1).expect("encode");
        let o = OutboxItem::decode(&bytes).expect("upgrade");
        assert_eq!(o.envelope(), Some("<s:Envelope/>"));
        assert_eq!(
            (o.attempts, o.message_id.as_str()),
            (2, v1.message_id.as_str())
        );
        assert_eq!(
            OutboxItem::decode(&o.encode().expect("encode")).expect("v2"),
            o
        );
    }

    #[test]
    fn a_version_1_service_reads_with_no_regulation() {
        let v1 = ServiceV1 {
            id: ServiceId(7),
            org: OrgId(1),
            code: "3000000000100000001".into(),
            name: "Выдача выписки из похозяйственной книги".into(),
            deadline_days: 5,
            fee: "Бесплатно".into(),
            places: vec!["Администрация сельсовета".into()],
            documents: vec!["Паспорт".into()],
            results: vec!["Выписка".into()],
            steps: vec![Step {
                name: "Рассмотрение".into(),
                roles: vec![RoleId(1)],
                days: 5,
            }],
            fields: Vec::new(),
            active: true,
        };
        let s = Service::decode(&codec::encode(1, &v1).expect("encode")).expect("upgrade");
        assert_eq!(
            (s.code.as_str(), s.regulation.as_str()),
            (v1.code.as_str(), "")
        );
        assert_eq!(s.places, v1.places);
        assert_eq!(
            Service::decode(&s.encode().expect("encode")).expect("v2"),
            s
        );
    }
}
