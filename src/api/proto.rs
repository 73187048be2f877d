//! The local API's messages. One request is one JSON object on one line:
//! `{"token": "...", "call": {"op": "claim", "args": {"id": 7, "take_over": false}}}`;
//! one reply is one line: `{"ok": ...}` or `{"error": {"status": 409, "code": ..., ...}}`.
//! Every operation a staff client can ask for is a variant of [`Call`]; unknown operations,
//! unknown fields and wrong types are refused before anything runs.

use crate::catalog::{KindSpec, ServiceSpec};
use crate::domain::*;
use crate::service::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One request: the session token (absent only for `login`) and the call.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub call: Call,
}

/// Every operation of the local API, named as in the service layer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    tag = "op",
    content = "args",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum Call {
    // Sessions.
    Login {
        login: String,
        password: String,
    },
    Logout,
    /// The session's user, rights and whether the first password must still be changed.
    Whoami,
    /// A number that grows with every change on the node (see `Node::change_seq`).
    Changes,
    /// What a screen polls while idle: [`Pulse`].
    Pulse,
    ChangePassword {
        old: String,
        new: String,
    },

    // Tasks and processes.
    Queue(TaskQuery),
    Task {
        id: TaskId,
    },
    Claim {
        id: TaskId,
        #[serde(default)]
        take_over: bool,
    },
    ReturnToGroup {
        id: TaskId,
    },
    SetDue {
        id: TaskId,
        due: time::Date,
    },
    Complete {
        id: TaskId,
        #[serde(default)]
        finish: bool,
        #[serde(default)]
        comment: String,
    },
    LaunchService {
        service: ServiceId,
        #[serde(default)]
        dept: Option<DeptId>,
    },
    ProcessMap {
        process: ProcessId,
    },
    ProcessTasks {
        process: ProcessId,
    },
    /// «Архив»: finished processes, newest first.
    Archive(ArchiveQuery),
    ArchiveProcess {
        process: ProcessId,
    },
    /// «Отчёт за период».
    Report(ReportQuery),
    /// The period report or the journal of outgoing requests as a spreadsheet.
    Export {
        what: Exported,
        format: crate::export::FileFormat,
    },

    // Applications and applicants.
    Applications(AppQuery),
    Application {
        id: AppId,
    },
    ApplicationByNumber {
        number: String,
    },
    CreateApplication(NewApplication),
    UpdateDraft {
        id: AppId,
        data: BTreeMap<String, String>,
    },
    Act {
        id: AppId,
        input: ActionInput,
    },
    CreateApplicant(ApplicantInput),
    FindApplicants {
        query: ApplicantQuery,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    Applicant {
        id: ApplicantId,
    },

    // Interagency requests.
    CreateOutgoing {
        kind: KindId,
        #[serde(default)]
        application: Option<AppId>,
        data: BTreeMap<String, String>,
    },
    Outgoing {
        id: OutReqId,
    },
    /// «Отправить»: sign and queue for SMEV; `pin` opens the employee's ЭП-СП when the kind
    /// asks for one.
    SubmitOutgoing {
        id: OutReqId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<Pin>,
    },
    /// «Вернуть в работу» after «не отправлен» or «выявлена ошибка».
    ReopenOutgoing {
        id: OutReqId,
    },
    OutgoingList(ListArgs<OutFilter>),
    IncomingList(ListArgs<InFilter>),
    Incoming {
        id: InReqId,
    },
    /// Where something received over an exchange came from (`None`: made here).
    Route {
        about: Routed,
    },
    AnswerIncoming {
        id: InReqId,
        answer: BTreeMap<String, String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<Pin>,
    },
    ClaimIncoming {
        id: InReqId,
        #[serde(default)]
        take_over: bool,
    },
    ReturnIncoming {
        id: InReqId,
    },
    CommentIncoming {
        id: InReqId,
        comment: String,
    },
    CreateRegional(RegionalInput),
    /// «Отправить» a regional request over the regional exchange; with `pin`, signed ЭП-СП.
    SendRegional {
        id: RegReqId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<Pin>,
    },
    CompleteRegional {
        id: RegReqId,
        answer: String,
    },
    Regional {
        id: RegReqId,
    },
    RegionalList(ListArgs<RegFilter>),

    // Files.
    /// «Добавить файл» to an owner, or an upload for a form's file field (`owner` absent).
    AddFile {
        #[serde(default)]
        owner: Option<FileOwner>,
        name: String,
        data: Bytes,
    },
    Files {
        owner: FileOwner,
    },
    /// One file with its bytes (`FileReply`).
    File {
        id: FileId,
    },
    RemoveFile {
        id: FileId,
    },

    // Catalog.
    Services {
        #[serde(default)]
        all: bool,
    },
    Service {
        id: ServiceId,
    },
    RequestKinds,
    AddService(ServiceSpec),
    AddRequestKind(KindSpec),
    SetServiceActive {
        id: ServiceId,
        active: bool,
    },
    SetPassport {
        id: ServiceId,
        passport: ServicePassport,
    },
    UpdateService {
        id: ServiceId,
        spec: ServiceSpec,
    },
    UpdateRequestKind {
        id: KindId,
        spec: KindSpec,
    },

    // Administration.
    Org,
    /// The other bodies on this node (providers of regional requests).
    Bodies,
    /// The bodies of the regional directory, reached over the regional exchange.
    RegionalBodies,
    Departments,
    AddDepartment {
        name: String,
        #[serde(default)]
        parent: Option<DeptId>,
    },
    Groups,
    AddGroup {
        name: String,
    },
    Roles,
    Calendar,
    SetCalendarDay {
        date: time::Date,
        off: bool,
    },
    /// Official years from a file (the data.gov.ru data set or a list of decrees).
    ImportCalendar {
        name: String,
        data: Bytes,
    },
    Users,
    AddUser(NewUser),
    ResetPassword {
        login: String,
    },
    SetUserActive {
        user: UserId,
        active: bool,
    },
    SetUserRoles {
        user: UserId,
        roles: Vec<String>,
        groups: Vec<GroupId>,
    },
    AuditTail {
        #[serde(default = "default_limit")]
        n: usize,
    },

    // Operator calls: allowed to the node's own OS user and root, with no session.
    /// An online backup into the configured directory; answers with its path.
    Backup,
    /// `volost check` through the running daemon: every row read, every index entry matched.
    /// No session: whoever reaches the socket (support over SSH) may run it; it tells counts
    /// and faults, never the data.
    Check,
    /// SMEV messages that could not be read and were refused, newest first (operators only:
    /// `volost smev unreadable`).
    Unreadable {
        #[serde(default = "default_limit")]
        n: usize,
    },
    /// The bytes of one of them, as received (the first MiB of one cut off at the limit).
    UnreadableBytes {
        id: u64,
    },
    /// `volost user passwd` beside the running daemon: a new one-time password for `login`,
    /// which also lifts every lockout of it (operators only).
    OperatorPasswd {
        login: String,
    },
    /// What the setup screen starts from (operators only).
    SetupInfo,
    /// The setup screen's body and administrator, saved in one transaction (operators only).
    Setup(NodeSetup),
    /// «Повторить первоначальную настройку»: an administrator asks for the setup screen on
    /// the console.
    RequestSetup,
    /// «Реестр услуг» of the body, signed with the node's key (ЭП-ОВ), as XML text.
    RegistryExport,
    /// A signed registry's passports taken into the body's services.
    RegistryImport {
        text: String,
    },
}

fn default_limit() -> usize {
    50
}

/// A page of a request list: filters, sort column and direction, where to go on, how many.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListArgs<F> {
    #[serde(default)]
    pub filter: F,
    pub sort: ReqCol,
    #[serde(default)]
    pub desc: bool,
    #[serde(default)]
    pub after: Option<Cursor>,
    #[serde(default = "default_limit")]
    pub limit: usize,
}

/// `Call::op` and `Call::OPS` from one list, so that neither can miss a variant (the match
/// is exhaustive; the list is the same).
macro_rules! names {
    ($($v:ident => $n:literal),* $(,)?) => {
        impl Call {
            /// Every operation's stable name (the rights table's test checks it covers them).
            pub const OPS: &'static [&'static str] = &[$($n),*];

            /// The stable name of the operation, for logs.
            pub fn op(&self) -> &'static str {
                match self { $(Call::$v { .. } => $n,)* }
            }
        }
    };
}

names! {
            Login => "login", Logout => "logout", Whoami => "whoami", Changes => "changes", Pulse => "pulse",
            ChangePassword => "change_password", Queue => "queue", Task => "task",
            Claim => "claim", ReturnToGroup => "return_to_group", SetDue => "set_due",
            Complete => "complete", LaunchService => "launch_service",
            ProcessMap => "process_map", ProcessTasks => "process_tasks",
            Archive => "archive", ArchiveProcess => "archive_process", Report => "report", Export => "export",
            Applications => "applications",
            Application => "application", ApplicationByNumber => "application_by_number",
            CreateApplication => "create_application", UpdateDraft => "update_draft",
            Act => "act", CreateApplicant => "create_applicant",
            FindApplicants => "find_applicants", Applicant => "applicant",
            CreateOutgoing => "create_outgoing", Outgoing => "outgoing",
            SubmitOutgoing => "submit_outgoing", ReopenOutgoing => "reopen_outgoing",
            OutgoingList => "outgoing_list", IncomingList => "incoming_list",
            AnswerIncoming => "answer_incoming", ClaimIncoming => "claim_incoming",
            ReturnIncoming => "return_incoming", CommentIncoming => "comment_incoming", CreateRegional => "create_regional",
            CompleteRegional => "complete_regional", SendRegional => "send_regional",
            RegionalBodies => "regional_bodies", Services => "services",
            Incoming => "incoming", Route => "route", Regional => "regional", RegionalList => "regional_list",
            AddFile => "add_file", Files => "files", File => "file", RemoveFile => "remove_file",
            Service => "service", RequestKinds => "request_kinds", AddService => "add_service",
            AddRequestKind => "add_request_kind", SetServiceActive => "set_service_active",
            SetPassport => "set_passport", UpdateService => "update_service",
            UpdateRequestKind => "update_request_kind",
            Org => "org", Bodies => "bodies", Departments => "departments", AddDepartment => "add_department",
            Groups => "groups", AddGroup => "add_group", Roles => "roles",
            Calendar => "calendar", SetCalendarDay => "set_calendar_day", ImportCalendar => "import_calendar", Users => "users",
            AddUser => "add_user", ResetPassword => "reset_password",
            SetUserActive => "set_user_active", SetUserRoles => "set_user_roles",
            AuditTail => "audit_tail", Backup => "backup", Check => "check",
            Unreadable => "unreadable", UnreadableBytes => "unreadable_bytes",
            OperatorPasswd => "operator_passwd",
            RegistryExport => "registry_export",
            SetupInfo => "setup_info", Setup => "setup", RequestSetup => "request_setup",
    RegistryImport => "registry_import",
}

/// The PIN of a personal certificate (ЭП-СП). It is never printed, not even in a debug log
/// of the call it came in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pin(pub String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

impl Pin {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Bytes that travel as base64 text in JSON (a file's content).
#[derive(Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use base64::Engine;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use base64::Engine;
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Bytes)
            .map_err(|e| serde::de::Error::custom(format!("not base64: {e}")))
    }
}

/// What `check` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckReply {
    /// Rows per table.
    pub rows: Vec<(String, u64)>,
    pub index_entries: u64,
    /// What is wrong, one line each; empty when the database is whole.
    pub problems: Vec<String>,
}

/// What `export` answers: a file name to offer and the bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportReply {
    pub name: String,
    pub data: Bytes,
}

/// What `file` answers: the file's row and its bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileReply {
    pub file: Attachment,
    pub data: Bytes,
}

/// A reply line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Ok(serde_json::Value),
    Error(ApiError),
}

/// The one error shape of the local API and the HTTP endpoint. `status` is the HTTP status
/// the error maps to (also on the socket, so clients handle both alike); `code` is stable
/// English for programs; `message` is Russian, for the person at the screen; `fields` are
/// the form fields to correct.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "bad_request", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<&Error> for ApiError {
    fn from(e: &Error) -> ApiError {
        use crate::store::StoreError;
        let (status, code) = match e {
            Error::BadCredentials => (401, "bad_credentials"),
            Error::Unauthenticated => (401, "unauthenticated"),
            Error::LockedOut { .. } => (423, "locked_out"),
            Error::PasswordChangeRequired => (403, "password_change_required"),
            Error::Forbidden { .. } | Error::NotAllowed(_) => (403, "forbidden"),
            Error::NotFound { .. } => (404, "not_found"),
            Error::InvalidTransition { .. } => (409, "invalid_transition"),
            Error::AlreadyClaimed { .. } => (409, "already_claimed"),
            Error::Invalid(_) => (422, "invalid"),
            Error::Conflict(_) => (409, "conflict"),
            Error::Busy(_) => (503, "busy"),
            Error::PinRequired => (428, "pin_required"),
            Error::WrongPin { left: 0 } => (423, "pin_blocked"),
            Error::WrongPin { .. } => (403, "wrong_pin"),
            Error::NoRoom(crate::service::uploads::Refusal::Budget { .. }) => {
                (507, "upload_budget")
            }
            Error::NoRoom(crate::service::uploads::Refusal::Reserve) => (507, "upload_reserve"),
            Error::Storage(StoreError::DiskFull) => (507, "disk_full"),
            Error::Storage(StoreError::ReadOnly) => (503, "read_only"),
            Error::Storage(StoreError::Locked) => (503, "database_locked"),
            Error::Storage(_) => (500, "storage"),
            Error::Internal(_) => (500, "internal"),
        };
        ApiError {
            status,
            code: code.into(),
            message: e.ru(),
            fields: match e {
                Error::Invalid(f) => f.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::from(&e)
    }
}

/// What an idle screen polls: whether anything changed, and the SMEV link for the status line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pulse {
    pub changes: u64,
    pub smev: crate::smev::LinkSnapshot,
    /// The database's disk is (nearly) full: writes may be refused.
    #[serde(default)]
    pub disk_low: bool,
    /// How far the production calendar is confirmed (administrators are warned near its end).
    #[serde(default)]
    pub calendar: Option<crate::service::CalendarStatus>,
}

/// What `whoami` and `login` answer: the session's user without the password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Absent in `whoami` answers; `login` gives it once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub user: UserId,
    pub org: OrgId,
    pub login: String,
    pub full_name: String,
    pub dept: Option<DeptId>,
    pub rights: Rights,
    pub groups: Vec<GroupId>,
    pub must_change_password: bool,
    /// Minutes of idleness after which the session ends.
    pub idle_timeout_minutes: u64,
    /// The node's local time offset from UTC, in seconds (dates on screen are in it).
    pub utc_offset_seconds: i32,
    /// The largest file the node takes, so a client refuses a bigger one before sending it.
    #[serde(default)]
    pub max_file_bytes: u64,
    /// The user's personal certificate (ЭП-СП), if an administrator imported one.
    #[serde(default)]
    pub personal_cert: Option<CertView>,
}

/// What `add_user` and `reset_password` answer: the one-time password, shown once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneTimePassword {
    pub user: UserId,
    pub login: String,
    pub password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> std::result::Result<Request, String> {
        serde_json::from_str(s).map_err(|e| e.to_string())
    }

    #[test]
    fn the_wire_format_with_its_defaults() {
        let r = parse(r#"{"call":{"op":"claim","args":{"id":7}}}"#).expect("claim");
        assert!(matches!(
            r.call,
            Call::Claim {
                id: TaskId(7),
                take_over: false
            }
        ));
        assert!(r.token.is_none());
        let r = parse(r#"{"token":"t","call":{"op":"logout"}}"#).expect("logout");
        assert!(matches!(r.call, Call::Logout));
        let r = parse(r#"{"token":"t","call":{"op":"outgoing_list","args":{"sort":"Updated"}}}"#)
            .expect("list");
        match r.call {
            Call::OutgoingList(l) => {
                assert_eq!((l.sort, l.limit, l.desc), (ReqCol::Updated, 50, false));
            }
            other => panic!("{other:?}"),
        }
        // What goes out comes back.
        let c = Call::SetDue {
            id: TaskId(3),
            due: time::macros::date!(2026 - 12 - 01),
        };
        let back = parse(
            &serde_json::to_string(&Request {
                token: None,
                call: c,
            })
            .expect("ser"),
        )
        .expect("round trip");
        assert_eq!(back.call.op(), "set_due");
    }

    #[test]
    fn unknown_operations_and_fields_are_refused() {
        for bad in [
            r#"{"call":{"op":"drop_tables"}}"#,
            r#"{"call":{"op":"claim","args":{"id":7,"force":true}}}"#,
            r#"{"call":{"op":"outgoing_list","args":{"sort":"Updated","limit2":1}}}"#,
            r#"{"call":{"op":"queue","args":{"queue":"Group","sort":"Due","desc":false,"filter":{},"after":null,"limit":5,"extra":1}}}"#,
            r#"{"call":{"op":"whoami"},"admin":true}"#,
            r#"{"call":{"op":"claim","args":{"id":-1}}}"#,
        ] {
            assert!(parse(bad).is_err(), "accepted: {bad}");
        }
    }
}
