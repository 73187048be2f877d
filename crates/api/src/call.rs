//! One struct per operation of the local API: what it takes. [`crate::Call`] wraps each,
//! and [`crate::Op`] names what each answers, so a client cannot read a reply as anything
//! but what the daemon's dispatch returns for it (both sides are checked by the compiler).

use crate::proto::{Bytes, ListArgs, Pin};
use crate::view::default_limit;
use crate::view::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use volost_domain::spec::{KindSpec, ServiceSpec};
use volost_domain::*;

// ── Sessions

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub login: String,
    pub password: String,
}

// Passwords never reach a log through `{:?}`: the call is printed without them.
impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("login", &self.login)
            .field("password", &"***")
            .finish()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logout;

/// The session's user, rights and whether the first password must still be changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Whoami;

/// A number that grows with every change on the node (see `Node::change_seq`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes;

/// What a screen polls while idle: [`Pulse`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pulse;

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub old: String,
    pub new: String,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePassword { old: ***, new: *** }")
    }
}

// ── Tasks and processes

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Queue(pub TaskQuery);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: TaskId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub id: TaskId,
    #[serde(default)]
    pub take_over: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnToGroup {
    pub id: TaskId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDue {
    pub id: TaskId,
    pub due: time::Date,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complete {
    pub id: TaskId,
    #[serde(default)]
    pub finish: bool,
    #[serde(default)]
    pub comment: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchService {
    pub service: ServiceId,
    #[serde(default)]
    pub dept: Option<DeptId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessMap {
    pub process: ProcessId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessTasks {
    pub process: ProcessId,
}

/// «Архив»: finished processes, newest first.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Archive(pub ArchiveQuery);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveProcess {
    pub process: ProcessId,
}

/// «Отчёт за период».
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Report(pub ReportQuery);

/// The period report or the journal of outgoing requests as a spreadsheet.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub what: Exported,
    pub format: FileFormat,
}

// ── Applications and applicants

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Applications(pub AppQuery);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub id: AppId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationByNumber {
    pub number: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreateApplication(pub NewApplication);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateDraft {
    pub id: AppId,
    pub data: BTreeMap<String, String>,
}

/// «Опись принятых документов» of an application, replaced whole.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetInventory {
    pub id: AppId,
    pub items: Vec<Received>,
}

/// «Журнал регистрации заявлений» of the days `from`..=`to`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintJournal {
    pub from: time::Date,
    pub to: time::Date,
}

/// A kind of document's template as it prints now.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocTemplate {
    pub kind: DocumentKind,
}

/// The body's own text of a document's template, checked by rendering it first; `None` goes
/// back to the starter template.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDocTemplate {
    pub kind: DocumentKind,
    pub text: Option<String>,
}

/// «Отказать в приёме документов» of a draft, with the grounds: the notice is printed and
/// kept on the card.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefuseIntake {
    pub id: AppId,
    pub reasons: String,
}

/// A document of the service's result `result` (1-based, the service's list) printed from
/// the card and kept on it; `kind` only where the document is another than its name calls
/// for (a federal form's); `text` is the document's own (empty: the decision's reason).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintResult {
    pub id: AppId,
    pub result: usize,
    #[serde(default)]
    pub kind: Option<DocumentKind>,
    #[serde(default)]
    pub text: String,
}

/// An outgoing request on paper (for when SMEV is down), kept on its files.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintRequest {
    pub id: OutReqId,
}

/// A template's text rendered with the kind's sample data, not kept: what it would print.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewDocTemplate {
    pub kind: DocumentKind,
    pub text: String,
}

/// «Результат выдан заявителю» on day `on`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandOver {
    pub id: AppId,
    pub on: time::Date,
}

/// A document of an application printed from its template (and kept on its card).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Print {
    pub id: AppId,
    pub kind: DocumentKind,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    pub id: AppId,
    pub input: ActionInput,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreateApplicant(pub ApplicantInput);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindApplicants {
    pub query: ApplicantQuery,
    #[serde(default = "default_limit")]
    pub limit: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub id: ApplicantId,
}

// ── Interagency requests

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateOutgoing {
    pub kind: KindId,
    #[serde(default)]
    pub application: Option<AppId>,
    pub data: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outgoing {
    pub id: OutReqId,
}

/// «Отправить»: sign and queue for SMEV; `pin` opens the employee's ЭП-СП when the kind
/// asks for one.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitOutgoing {
    pub id: OutReqId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    /// Signed ЭП-СП by the employee's own token in the staff web page (the CryptoPro
    /// plug-in) instead of a PIN: the call waits until it is signed there, or refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub browser: bool,
}

/// «Вернуть в работу» after «не отправлен» or «выявлена ошибка».
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReopenOutgoing {
    pub id: OutReqId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OutgoingList(pub ListArgs<OutFilter>);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncomingList(pub ListArgs<InFilter>);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incoming {
    pub id: InReqId,
}

/// Where something received over an exchange came from (`None`: made here).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub about: Routed,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerIncoming {
    pub id: InReqId,
    pub answer: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    /// Signed ЭП-СП by the employee's own token in the staff web page (the CryptoPro
    /// plug-in) instead of a PIN: the call waits until it is signed there, or refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub browser: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimIncoming {
    pub id: InReqId,
    #[serde(default)]
    pub take_over: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnIncoming {
    pub id: InReqId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentIncoming {
    pub id: InReqId,
    pub comment: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreateRegional(pub RegionalInput);

/// «Отправить» a regional request over the regional exchange; with `pin`, signed ЭП-СП.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRegional {
    pub id: RegReqId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Pin>,
    /// Signed ЭП-СП by the employee's own token in the staff web page (the CryptoPro
    /// plug-in) instead of a PIN: the call waits until it is signed there, or refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub browser: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteRegional {
    pub id: RegReqId,
    pub answer: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regional {
    pub id: RegReqId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionalList(pub ListArgs<RegFilter>);

// ── Files

/// «Добавить файл» to an owner, or an upload for a form's file field (`owner` absent).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddFile {
    #[serde(default)]
    pub owner: Option<FileOwner>,
    pub name: String,
    pub data: Bytes,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Files {
    pub owner: FileOwner,
}

/// One file with its bytes (`FileReply`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub id: FileId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveFile {
    pub id: FileId,
}

// ── Catalog

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Services {
    #[serde(default)]
    pub all: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: ServiceId,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestKinds;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AddService(pub ServiceSpec);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetServiceActive {
    pub id: ServiceId,
    pub active: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPassport {
    pub id: ServiceId,
    pub passport: ServicePassport,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    pub id: ServiceId,
    pub spec: ServiceSpec,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequestKind {
    pub id: KindId,
    pub spec: KindSpec,
}

// ── Administration

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org;

/// Sets the body's ОГРН, ИНН, КПП and date of state registration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetOrgDetails(pub crate::view::OrgDetails);

/// The other bodies on this node (providers of regional requests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bodies;

/// The bodies of the regional directory, reached over the regional exchange.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionalBodies;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Departments;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddDepartment {
    pub name: String,
    #[serde(default)]
    pub parent: Option<DeptId>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groups;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddGroup {
    pub name: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCalendarDay {
    pub date: time::Date,
    pub off: bool,
}

/// Official years from a file (the data.gov.ru data set or a list of decrees).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindPackages;

/// The agency's answer kept on an outgoing request, read by its kind's package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutgoingAnswer {
    pub id: OutReqId,
}

/// A kind's package: each file by its path in the package.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportKind {
    pub files: Vec<(String, Bytes)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportCalendar {
    pub name: String,
    pub data: Bytes,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Users;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AddUser(pub NewUser);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub login: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetUserActive {
    pub user: UserId,
    pub active: bool,
}

/// A user's position and official phone or e-mail, as documents name the person.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetUserContacts {
    pub user: UserId,
    pub position: String,
    pub phone: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetUserRoles {
    pub user: UserId,
    pub roles: Vec<String>,
    pub groups: Vec<GroupId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditTail {
    #[serde(default = "default_limit")]
    pub n: usize,
}

// ── Operator calls: allowed to the node's own OS user and root, with no session

/// An online backup into the configured directory; answers with its path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backup;

/// `volost check` through the running daemon: every row read, every index entry matched.
/// No session: whoever reaches the socket (support over SSH) may run it; it tells counts
/// and faults, never the data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check;

/// SMEV messages that could not be read and were refused, newest first (operators only:
/// `volost smev unreadable`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unreadable {
    #[serde(default = "default_limit")]
    pub n: usize,
}

/// The bytes of one of them, as received (the first MiB of one cut off at the limit).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreadableBytes {
    pub id: u64,
}

/// `volost user passwd` beside the running daemon: a new one-time password for `login`,
/// which also lifts every lockout of it (operators only).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorPasswd {
    pub login: String,
}

/// What the setup screen starts from (operators only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupInfo;

/// The setup screen's body and administrator, saved in one transaction (operators only).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Setup(pub NodeSetup);

/// «Повторить первоначальную настройку»: an administrator asks for the setup screen on
/// the console.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSetup;

/// «Реестр услуг» of the body, signed with the node's key (ЭП-ОВ), as XML text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryExport;

/// A signed registry's passports taken into the body's services.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryImport {
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows_in_a_debug_print() {
        let login = format!(
            "{:?}",
            Login {
                login: "ivanova".into(),
                password: "Секрет-2026".into(),
            }
        );
        assert!(
            login.contains("ivanova") && !login.contains("Секрет"),
            "{login}"
        );
        let change = format!(
            "{:?}",
            ChangePassword {
                old: "Старый-2026".into(),
                new: "Новый-2026".into(),
            }
        );
        assert!(!change.contains("2026"), "{change}");
    }
}

/// The signature the staff web page is asked to make now for the caller, if any.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningPending {}

/// What the CryptoPro plug-in made of [`SigningPending`]'s digest: the signature (hex, as
/// `RawSignature.SignHash` gives it) and the certificate (base64).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningDone {
    pub id: String,
    pub certificate: String,
    pub signature: String,
}

/// The staff member at the page declines the signature asked: the operation waiting for it
/// is refused, and nothing is sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningDeclined {
    pub id: String,
}
