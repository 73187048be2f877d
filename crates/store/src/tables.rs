//! Every redb table of the node, in one place. Rows are `u64 -> versioned postcard`; all
//! secondary indexes share one table whose keys start with an [`Ix`] byte.

use redb::TableDefinition;

pub type Rows = TableDefinition<'static, u64, &'static [u8]>;

/// Node-wide settings and counters: `schema`, `seq:<table>`, `appno:<year>`, `calendar`, ...
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Secondary indexes, written in the same transaction as their rows (see `Record::put`).
pub const INDEX: TableDefinition<&[u8], &[u8]> = TableDefinition::new("index");
/// History of entities: key `[entity u8][id u64][seq u32]`.
pub const HISTORY: TableDefinition<&[u8], &[u8]> = TableDefinition::new("history");
/// The audit log, by sequence number.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// Interned task names (for «название содержит» filters without reading rows): text -> id.
pub const TASK_NAMES: TableDefinition<&str, u32> = TableDefinition::new("task_names");

pub const ORGS: Rows = TableDefinition::new("orgs");
pub const DEPARTMENTS: Rows = TableDefinition::new("departments");
pub const GROUPS: Rows = TableDefinition::new("groups");
pub const ROLES: Rows = TableDefinition::new("roles");
pub const USERS: Rows = TableDefinition::new("users");
pub const SERVICES: Rows = TableDefinition::new("services");
pub const KINDS: Rows = TableDefinition::new("request_kinds");
pub const APPLICANTS: Rows = TableDefinition::new("applicants");
pub const APPLICATIONS: Rows = TableDefinition::new("applications");
pub const PROCESSES: Rows = TableDefinition::new("processes");
pub const TASKS: Rows = TableDefinition::new("tasks");
pub const OUTGOING: Rows = TableDefinition::new("outgoing_requests");
pub const INCOMING: Rows = TableDefinition::new("incoming_requests");
pub const REGIONAL: Rows = TableDefinition::new("regional_requests");
/// Attachment rows (`Attachment`, postcard like every row).
pub const FILES: Rows = TableDefinition::new("files");
/// The bytes of each attachment, as they are, under the attachment's id.
pub const FILE_DATA: Rows = TableDefinition::new("file_data");

/// Signed SMEV messages waiting to be sent (`OutboxItem`).
pub const OUTBOX: Rows = TableDefinition::new("outbox");
/// Every message received from SMEV (`InboxEntry`); its bytes are in [`INBOX_DATA`].
pub const INBOX: Rows = TableDefinition::new("inbox");
pub const INBOX_DATA: Rows = TableDefinition::new("inbox_data");
/// Where answers to requests and applications received over SMEV go (`Route`).
pub const ROUTES: Rows = TableDefinition::new("routes");
/// Staff's personal certificates (ЭП-СП) by user id (`PersonalCert`).
pub const PERSONAL_CERTS: Rows = TableDefinition::new("personal_certs");
/// Kinds' packages (`KindPackage`): the agency's schemas, the mapping, the form, the samples.
pub const KIND_PACKAGES: Rows = TableDefinition::new("kind_packages");
/// Document templates a body's administrator edited (`DocTemplate`).
pub const DOC_TEMPLATES: Rows = TableDefinition::new("doc_templates");

/// Index kinds: the first byte of every key in [`INDEX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Ix {
    /// `[login text][user id]`
    UserLogin = 1,
    /// `[queue][scope id][column][sort value][task id]` -> task summary
    TaskList = 2,
    /// `[org][scope][column][sort value][app id]` -> application summary
    AppList = 3,
    /// `[org][number text][app id]`
    AppNumber = 4,
    /// `[applicant id][app id]`
    AppByApplicant = 5,
    /// `[org][snils text][applicant id]`
    ApplicantSnils = 6,
    /// `[org][inn text][applicant id]`
    ApplicantInn = 7,
    /// `[org][normalised name][applicant id]`
    ApplicantName = 8,
    /// `[process id][task id]`
    TaskByProcess = 9,
    /// `[org][column][sort value][request id]` -> outgoing summary
    OutList = 10,
    /// `[message id text][request id]`
    OutMessageId = 11,
    /// `[org][column][sort value][request id]` -> incoming summary
    InList = 12,
    /// `[org][code text][service id]`
    ServiceCode = 13,
    /// `[org][code text][kind id]`
    KindCode = 14,
    /// `[org][status][created][regional id]`; also under the provider org
    RegList = 15,
    /// Schema 1 only: `[executor user][task id]`, dropped by the migration to schema 2 for
    /// [`Ix::ArchiveByUser`]. The byte stays reserved.
    TaskByExecutor = 16,
    /// `[owner kind][owner id][file id]` for files attached to something
    FileOwner = 17,
    /// `[org][added][file id]` for files uploaded and not yet attached (purged after a day)
    FileLoose = 18,
    /// `[org][finished][process id]` -> archive summary: the body's finished processes
    Archive = 19,
    /// `[executor user][finished][process id]` -> archive summary: the finished processes a
    /// person executed a task of (what «Архив» shows them)
    ArchiveByUser = 20,
    /// `[message id text][inbox id]`: messages received, to recognise a duplicate
    InboxMessageId = 21,
    /// `[routed tag][routed id][route id]`: the reply address of an incoming request or a
    /// portal application
    RouteOf = 22,
    /// `[sender's message id text][route id]`: a repeated request, and what a `Cancel` names
    RouteMessage = 23,
    /// `[message id text][regional id]`: a regional request's MessageID in the regional
    /// exchange, which answers name
    RegMessageId = 24,
    /// `[code text][package id]`: a kind's package by the kind's code (one per code)
    PackageCode = 25,
    /// `[org][document kind code text][template id]`: a body's template of a document kind
    TemplateKind = 26,
}

/// Every row table, for the integrity check.
pub const ALL_ROWS: [(&str, Rows); 23] = [
    ("orgs", ORGS),
    ("departments", DEPARTMENTS),
    ("groups", GROUPS),
    ("roles", ROLES),
    ("users", USERS),
    ("services", SERVICES),
    ("request_kinds", KINDS),
    ("applicants", APPLICANTS),
    ("applications", APPLICATIONS),
    ("processes", PROCESSES),
    ("tasks", TASKS),
    ("outgoing_requests", OUTGOING),
    ("incoming_requests", INCOMING),
    ("regional_requests", REGIONAL),
    ("files", FILES),
    ("file_data", FILE_DATA),
    ("outbox", OUTBOX),
    ("inbox", INBOX),
    ("inbox_data", INBOX_DATA),
    ("routes", ROUTES),
    ("personal_certs", PERSONAL_CERTS),
    ("kind_packages", KIND_PACKAGES),
    ("doc_templates", DOC_TEMPLATES),
];
