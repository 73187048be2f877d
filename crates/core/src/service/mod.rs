//! The service layer: every command and query of the node. Each takes the acting user,
//! checks rights and organisation here (never in a UI), runs in one redb transaction and,
//! for writes, appends to the audit log in that same transaction.
//!
//! **Invariant**: nothing outside `store` and `service` opens a table. The CLI, the local API,
//! the HTTP endpoint and the SMEV worker call [`Node`].

mod admin;
mod answers;
mod applicants;
mod applications;
mod archive;
mod auth;
mod calendar;
mod catalog;
mod commit;
mod doc_data;
mod doc_templates;
mod documents;
mod error;
mod exchange;
mod exports;
mod files;
mod formats;
pub mod guard;
mod history;
mod jobs;
mod list;
mod packages;
mod paper_request;
mod paper_result;
mod passwords;
mod personal;
mod provider;
mod public;
mod regional;
mod registry;
mod report;
mod requests;
mod setup;
mod tasks;
pub mod uploads;

pub use admin::*;
pub use applicants::*;
pub use applications::*;
pub use archive::*;
pub use auth::*;
pub use calendar::{CalendarImport, CalendarStatus, Recomputed};
pub use commit::GroupStats;
pub use documents::{Documents, Printed};
pub use error::{Error, FieldError, Result};
pub use exchange::{Inbound, Receipt, SendOutcome, new_message_id};
pub use exports::{ExportFile, Exported};
pub use files::{FileData, LOOSE_TTL_MS};
pub use formats::{
    Exchange, Formats, Outgoing, Packages, PortalResult, RequestContext, RequestError,
};
pub use jobs::Gauges;
pub use list::{Cursor, MAX_PAGE, Page};
pub use packages::{MAX_PACKAGE_BYTES, MAX_PACKAGE_FILES};
pub use paper_result::{MAX_RESULT_TEXT, ResultPrint};
pub use personal::{CertView, MAX_WRONG_PINS, NewPersonalCert, PersonalKey, WARN_DAYS};
pub use provider::RouteView;
pub use public::PublicStatus;
pub use regional::RegionalInput;
pub use registry::RegistryImport;
pub use report::*;
pub use requests::*;
pub use setup::{NodeSetup, SetupInfo};
pub use tasks::*;
pub use volost_store::summary::{AppCol, AppScope, ReqCol, TaskCol};

use crate::clock::Clock;
use std::path::Path;
use std::sync::Arc;
use volost_domain::*;
use volost_store::{Read, Record, Rx, Store, Tx};

/// Who is acting. Sessions resolve to a user; the node itself acts for SMEV and jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    /// The node itself, on behalf of a body (portal intake, background jobs).
    System(OrgId),
}

/// Tunables of the service layer that differ between production and tests.
#[derive(Clone, Debug)]
pub struct Options {
    /// argon2id memory in KiB, iterations and lanes.
    pub argon_m_kib: u32,
    pub argon_t: u32,
    pub argon_p: u32,
    /// The node's local time offset (for dates, deadlines and «Сегодня»).
    pub utc_offset: time::UtcOffset,
    /// Wrong passwords in a row before an account is locked, and for how long (ms).
    pub max_failed_logins: u32,
    pub lockout_ms: i64,
    /// The largest attachment, in bytes.
    pub max_file_bytes: u64,
    /// What one person may upload in a day, and the free space uploads never take ([`uploads`]).
    pub upload_bytes_per_day: u64,
    pub reserve_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            // OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
            argon_m_kib: 19 * 1024,
            argon_t: 2,
            argon_p: 1,
            utc_offset: time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC),
            max_failed_logins: 5,
            lockout_ms: 15 * 60_000,
            max_file_bytes: 10 * 1024 * 1024,
            upload_bytes_per_day: 200 << 20,
            reserve_bytes: 128 << 20,
        }
    }
}

impl Options {
    /// Cheap hashing for tests, where hundreds of users are made.
    pub fn for_tests() -> Options {
        Options {
            argon_m_kib: 64,
            argon_t: 1,
            argon_p: 1,
            ..Options::default()
        }
    }
}

/// What is called when a commit has put a message in the outbox ([`Node::on_outbox`]).
type OutboxHook = Box<dyn Fn() + Send + Sync>;

/// The node: the database and the rules.
pub struct Node {
    store: Store,
    clock: Arc<dyn Clock>,
    opts: Options,
    group: commit::Group,
    /// Verified against for unknown logins (see `auth::Node::login`), made on first use.
    dummy_hash: std::sync::OnceLock<String>,
    /// Wrong passwords per login and source ([`guard`]).
    guard: guard::LoginGuard,
    /// Bytes uploaded per person today ([`uploads`]).
    uploads: uploads::Uploads,
    /// The SMEV key and settings, once the daemon has loaded them: what signs the messages
    /// operations put in the outbox.
    exchange: std::sync::OnceLock<Arc<Exchange>>,
    /// What reads the kinds' packages, once the daemon or the CLI has set it.
    packages: std::sync::OnceLock<Arc<dyn Packages>>,
    /// What renders printed documents, once the daemon or the CLI has set it.
    documents: std::sync::OnceLock<Arc<dyn Documents>>,
    /// Bumped after each commit that put something in the outbox: the exchange workers
    /// sleep until then (or until their next poll or retry) instead of reading the outbox.
    outbox: std::sync::RwLock<Vec<OutboxHook>>,
}

/// The acting party inside a transaction, resolved and checked once per operation.
pub(crate) struct Who {
    pub user: Option<User>,
    pub org: OrgId,
    pub rights: Rights,
}

impl Who {
    pub fn user_id(&self) -> Option<UserId> {
        self.user.as_ref().map(|u| u.id)
    }

    /// The user id, for operations only a person can do.
    pub fn person(&self) -> Result<UserId> {
        self.user_id()
            .ok_or_else(|| Error::NotAllowed("Операция доступна только сотруднику".into()))
    }

    pub fn require(&self, op: &'static str, right: Right) -> Result<()> {
        if self.rights.has(right) {
            Ok(())
        } else {
            Err(Error::Forbidden { op, right })
        }
    }

    /// Another body's object is reported as absent, so that its existence does not leak.
    pub fn same_org<T>(
        &self,
        org: OrgId,
        what: &'static str,
        id: impl ToString,
        v: T,
    ) -> Result<T> {
        if org == self.org {
            Ok(v)
        } else {
            Err(Error::not_found(what, id))
        }
    }

    pub fn in_group(&self, g: GroupId) -> bool {
        self.user.as_ref().is_some_and(|u| u.groups.contains(&g))
    }
}

/// A write in progress: the transaction, the actor, the time and what to audit.
pub(crate) struct W {
    pub tx: Tx,
    pub who: Who,
    pub now: Ts,
    pub offset: time::UtcOffset,
    pub targets: Vec<String>,
    /// The node's SMEV profile, `None` when the exchange is not configured.
    pub exchange: Option<Arc<Exchange>>,
}

impl W {
    pub fn today(&self) -> time::Date {
        self.now.date(self.offset)
    }

    pub fn target(&mut self, kind: &str, id: impl std::fmt::Display) {
        self.targets.push(format!("{kind}:{id}"));
    }

    /// Loads a row of the actor's own body, or `NotFound`.
    pub fn load<R: Record + HasOrg>(&self, id: u64) -> Result<R> {
        load_row(&self.tx, &self.who, id)
    }

    /// A history entry for a change that keeps the entity's status.
    pub fn history(
        &mut self,
        e: Entity,
        id: u64,
        what: impl Into<String>,
        comment: impl Into<String>,
    ) -> Result<()> {
        self.entry(e, id, None, what.into(), comment.into())
    }

    /// A history entry for a change that moved the entity into status `code`.
    pub fn moved(
        &mut self,
        e: Entity,
        id: u64,
        code: u8,
        what: impl Into<String>,
        comment: impl Into<String>,
    ) -> Result<()> {
        self.entry(e, id, Some(code), what.into(), comment.into())
    }

    fn entry(
        &mut self,
        e: Entity,
        id: u64,
        status: Option<u8>,
        what: String,
        comment: String,
    ) -> Result<()> {
        let entry = HistoryEntry {
            at: self.now,
            by: self.who.user_id(),
            what,
            comment,
            status,
        };
        history::append(&mut self.tx, e, id, entry)
    }

    pub fn calendar(&self) -> Result<Calendar> {
        calendar::load(&self.tx)
    }

    /// Keeps an application changed without a change of status: `updated` now, the row, the
    /// audit's target and a line of its history.
    pub fn save_app(
        &mut self,
        app: &mut Application,
        what: impl Into<String>,
        comment: impl Into<String>,
    ) -> Result<()> {
        app.updated = self.now;
        self.tx.put(&*app)?;
        self.target("application", app.id);
        self.history(Entity::Application, app.id.0, what, comment)
    }
}

/// A read: a snapshot and the actor.
pub(crate) struct R {
    pub rx: Rx,
    pub who: Who,
    pub now: Ts,
    pub offset: time::UtcOffset,
}

impl R {
    pub fn today(&self) -> time::Date {
        self.now.date(self.offset)
    }

    /// The moment of this read at the node's offset.
    pub fn local_now(&self) -> time::OffsetDateTime {
        self.now.to_datetime().to_offset(self.offset)
    }

    pub fn load<T: Record + HasOrg>(&self, id: u64) -> Result<T> {
        load_row(&self.rx, &self.who, id)
    }

    /// The rows of a list page, read with the table opened once.
    pub fn load_many<T: Record + HasOrg>(&self, ids: &[u64]) -> Result<Vec<T>> {
        let rows = self.rx.get_many::<T>(ids)?;
        ids.iter()
            .zip(rows)
            .map(|(id, row)| {
                let row = row.ok_or_else(|| Error::not_found(T::KIND, id))?;
                self.who.same_org(row.org(), T::KIND, id, row)
            })
            .collect()
    }
}

/// A row of `who`'s own body, read in a read or a write transaction, or `NotFound`.
pub(crate) fn load_row<T: Record + HasOrg>(t: &impl Read, who: &Who, id: u64) -> Result<T> {
    let row: T = t.get(id)?.ok_or_else(|| Error::not_found(T::KIND, id))?;
    who.same_org(row.org(), T::KIND, id, row)
}

/// Rows that belong to one body.
pub trait HasOrg {
    fn org(&self) -> OrgId;
}

macro_rules! has_org {
    ($($t:ty),*) => {$(impl HasOrg for $t { fn org(&self) -> OrgId { self.org } })*};
}
has_org!(
    DocTemplate,
    Department,
    Group,
    User,
    Service,
    RequestKind,
    Applicant,
    Application,
    Process,
    Task,
    OutgoingRequest,
    IncomingRequest,
    RegionalRequest
);
impl HasOrg for Org {
    fn org(&self) -> OrgId {
        self.id
    }
}

fn resolve<T: Read>(t: &T, actor: Actor, allow_pending_password: bool) -> Result<Who> {
    match actor {
        Actor::System(org) => Ok(Who {
            user: None,
            org,
            rights: Right::ALL.into_iter().collect(),
        }),
        Actor::User(id) => {
            let user: User = t.get(id.0)?.ok_or(Error::Unauthenticated)?;
            if !user.active {
                return Err(Error::Unauthenticated);
            }
            if user.must_change_password && !allow_pending_password {
                return Err(Error::PasswordChangeRequired);
            }
            Ok(Who {
                org: user.org,
                rights: user.rights,
                user: Some(user),
            })
        }
    }
}

impl Node {
    pub fn new(store: Store, clock: Arc<dyn Clock>, opts: Options) -> Node {
        Node {
            store,
            clock,
            opts,
            group: commit::Group::default(),
            dummy_hash: std::sync::OnceLock::new(),
            guard: guard::LoginGuard::default(),
            uploads: uploads::Uploads::default(),
            exchange: std::sync::OnceLock::new(),
            packages: std::sync::OnceLock::new(),
            documents: std::sync::OnceLock::new(),
            outbox: std::sync::RwLock::new(Vec::new()),
        }
    }

    /// Calls `hook` after every commit that put a message in the outbox, so that an
    /// exchange worker sleeps until then (or its next poll or retry) instead of reading the
    /// outbox. The hook runs on the committing thread and must not block.
    pub fn on_outbox(&self, hook: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut hooks) = self.outbox.write() {
            hooks.push(Box::new(hook));
        }
    }

    /// Tells the hooks that a commit put a message in the outbox.
    fn outbox_changed(&self) {
        if let Ok(hooks) = self.outbox.read() {
            for h in hooks.iter() {
                h();
            }
        }
    }

    /// Turns the SMEV exchange on: from now on operations put what they send in the outbox,
    /// written in `x`'s formats, for the exchange's runner to sign and send. Set once, by the
    /// daemon at start; a second call is ignored.
    pub fn set_exchange(&self, x: Exchange) {
        let _ = self.exchange.set(Arc::new(x));
    }

    /// Whether the exchange is on.
    pub fn exchange_on(&self) -> bool {
        self.exchange.get().is_some()
    }

    /// Opens the database in `dir` (`volost.redb`).
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, opts: Options) -> Result<Node> {
        Ok(Node::new(Store::open(&db_path(dir))?, clock, opts))
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn now(&self) -> Ts {
        self.clock.now()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs one write operation: resolve the actor, run `f`, audit, commit (in a group with
    /// the operations of other callers arriving at the same time; see [`commit`]). If `f`
    /// fails, nothing of it remains. `f` may run more than once (see [`commit`]).
    pub(crate) fn write<T>(
        &self,
        actor: Actor,
        op: &'static str,
        f: impl Fn(&mut W) -> Result<T>,
    ) -> Result<T> {
        self.grouped(actor, op, false, f)
    }

    /// The context one write operation runs in, at the clock's present.
    fn writer(&self, tx: Tx, who: Who) -> W {
        W {
            tx,
            who,
            now: self.clock.now(),
            offset: self.opts.utc_offset,
            targets: Vec::new(),
            exchange: self.exchange.get().cloned(),
        }
    }

    /// Counters of the group commit (for `/metrics`).
    pub fn commit_stats(&self) -> GroupStats {
        self.group.stats()
    }

    /// Runs many operations of the same actor in one transaction (bulk loads, the demo seed).
    pub fn batch<T>(
        &self,
        actor: Actor,
        op: &'static str,
        f: impl FnOnce(&mut Batch) -> Result<T>,
    ) -> Result<T> {
        self.solo(actor, op, |w| f(&mut Batch { w }))
    }

    /// One transaction of its own, outside group commit: for bulk work whose closure cannot
    /// run twice (it draws random numbers, fills the caller's tables). redb's single writer
    /// lock orders it with the groups.
    fn solo<T>(
        &self,
        actor: Actor,
        op: &'static str,
        f: impl FnOnce(&mut W) -> Result<T>,
    ) -> Result<T> {
        let tx = self.store.begin()?;
        let who = resolve(&tx, actor, false)?;
        let mut w = self.writer(tx, who);
        let out = f(&mut w)?;
        history::audit(&mut w, op)?;
        w.tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, actor: Actor, f: impl FnOnce(&R) -> Result<T>) -> Result<T> {
        let rx = self.store.read()?;
        let who = resolve(&rx, actor, false)?;
        let r = R {
            rx,
            who,
            now: self.clock.now(),
            offset: self.opts.utc_offset,
        };
        f(&r)
    }

    /// `volost check`: integrity of rows and indexes.
    pub fn check(&self) -> Result<volost_store::check::CheckReport> {
        Ok(volost_store::check::run(&self.store.read()?)?)
    }
}

/// Operations inside one shared transaction (see [`Node::batch`]).
pub struct Batch<'a> {
    pub(crate) w: &'a mut W,
}

pub fn db_path(dir: &Path) -> std::path::PathBuf {
    dir.join("volost.redb")
}

impl Batch<'_> {
    /// Sets the time the following operations are recorded at (the demo's past).
    pub fn at(&mut self, ts: Ts) {
        self.w.now = ts;
    }

    /// Acts as another party for the following operations, with that party's rights.
    pub fn act_as(&mut self, actor: Actor) -> Result<()> {
        self.w.who = resolve(&self.w.tx, actor, false)?;
        Ok(())
    }

    pub fn create_application(&mut self, n: &NewApplication) -> Result<Application> {
        applications::create_application(self.w, n)
    }

    pub fn act(&mut self, id: AppId, input: &ActionInput) -> Result<Application> {
        applications::act(self.w, id, input)
    }

    pub fn application(&mut self, id: AppId) -> Result<Application> {
        self.w.load(id.0)
    }

    /// «Опись принятых документов» (see `Node::set_inventory`).
    pub fn set_inventory(&mut self, id: AppId, items: Vec<Received>) -> Result<Application> {
        documents::set_inventory(self.w, id, items)
    }

    /// An upload for a form's file field (see `Node::add_file`).
    pub fn upload(&mut self, name: &str, data: &[u8]) -> Result<Attachment> {
        files::store(self.w, None, name, data, Options::default().max_file_bytes)
    }

    pub fn create_outgoing(
        &mut self,
        kind: KindId,
        app: Option<AppId>,
        data: &std::collections::BTreeMap<String, String>,
    ) -> Result<OutgoingRequest> {
        requests::create_outgoing(self.w, kind, app, data)
    }

    pub fn outgoing_event(
        &mut self,
        id: OutReqId,
        ev: OutEvent,
        detail: &str,
    ) -> Result<OutgoingRequest> {
        requests::out_event(self.w, id, ev, detail)
    }

    /// The open task of a process, if any.
    pub fn open_task(&mut self, p: ProcessId) -> Result<Option<TaskId>> {
        let p: Process = self.w.load(p.0)?;
        if p.finished.is_some() {
            return Ok(None);
        }
        Ok(p.tasks.last().copied())
    }

    pub fn claim(&mut self, id: TaskId, take_over: bool) -> Result<Task> {
        tasks::claim(self.w, id, take_over)
    }

    pub fn complete(&mut self, id: TaskId, finish: bool, comment: &str) -> Result<Option<Task>> {
        tasks::complete(self.w, id, finish, comment)
    }

    pub fn launch(&mut self, service: ServiceId, dept: Option<DeptId>) -> Result<Process> {
        tasks::launch(self.w, service, dept)
    }
}

impl Node {
    /// Sets a known password that needs no change: only for demo users on a demo node.
    pub fn set_demo_password(&self, actor: Actor, user: UserId, password: &str) -> Result<()> {
        let hash = auth::hash_password(&self.opts, password)?;
        self.write(actor, "user.demo_password", |w| {
            w.who.require("user.demo_password", Right::Administer)?;
            let mut u: User = w.load(user.0)?;
            u.password_hash = hash.clone();
            u.must_change_password = false;
            w.tx.put(&u)?;
            w.target("user", u.id);
            Ok(())
        })
    }
}
