//! Storage on redb. This crate owns the file, the tables and the encoding; it knows the
//! domain's types only to derive their index entries. Nothing but the core touches a table.
//!
//! **Invariant**: every index entry is derived from a row by [`Record::index`] and written by
//! [`Tx::put`] in the same write transaction as the row, so an index can never disagree with
//! its rows; `check` recomputes all of them to prove it.

pub mod check;
pub mod codec;
pub mod history;
pub mod keys;
mod migrate;
mod overlay;
pub mod records;
pub mod summary;
pub mod tables;

/// The storage under a database, for a disk of the caller's ([`Store::create_with_backend`]).
pub use redb::StorageBackend;
use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    WriteTransaction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tables::{AUDIT, HISTORY, INDEX, META, Rows, TASK_NAMES};

/// SHA-256 of `data` in lowercase hex: an attachment's digest, recorded when it is stored
/// and recomputed by `check`.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    sha2::Sha256::digest(data)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The layout version of the whole database. Raised when tables or keys change shape; a
/// database from a newer build is refused rather than misread.
/// Takes group and other access away from a database file made before files were made 0600
/// (or copied in with a wider mode). On a read-only filesystem it stays as it is.
pub fn private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path)
        && m.permissions().mode() & 0o077 != 0
        && std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).is_ok()
    {
        tracing::info!(path = %path.display(), "database file made 0600");
    }
}

/// The meta key of a backup's mark of completeness ([`Store::backup_to`]).
pub const BACKUP_MARK: &str = "backup";
pub const SCHEMA_VERSION: u32 = 5;

/// Below this much free space on the database's filesystem, a write may fail for want of
/// room: `/health` and the staff's status line say so before it happens (the writes
/// themselves fail cleanly, redb's commit being atomic).
pub const LOW_SPACE: u64 = 64 << 20;

/// Free (for the daemon's user, without root's reserve) and total bytes of the filesystem
/// `dir` is on.
pub fn space(dir: &std::path::Path) -> Option<(u64, u64)> {
    let s = nix::sys::statvfs::statvfs(dir).ok()?;
    let block = s.fragment_size() as u64;
    Some((
        s.blocks_available() as u64 * block,
        s.blocks() as u64 * block,
    ))
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is held by another process (is `volost serve` running?)")]
    Locked,
    #[error("the disk is full")]
    DiskFull,
    /// The file cannot be written: a read-only mount (ext4 remounts itself so after disk
    /// errors) or no permission. Reads go on where the file could be opened for them.
    #[error("the data directory is read-only")]
    ReadOnly,
    #[error("database schema {found} is newer than this build understands ({supported})")]
    TooNew { found: u32, supported: u32 },
    #[error("no database at {0}; run `volost init` first")]
    Missing(String),
    #[error("database corrupt: {0}")]
    Corrupt(String),
    #[error("I/O error: {0}")]
    Io(String),
    #[error("storage error: {0}")]
    Db(String),
}

impl StoreError {
    fn from_io(e: &std::io::Error) -> StoreError {
        // ENOSPC, EDQUOT and EFBIG (a file-size limit) mean the same to staff: no room to
        // write.
        if matches!(e.raw_os_error(), Some(27) | Some(28) | Some(122)) {
            StoreError::DiskFull
        } else if matches!(e.raw_os_error(), Some(13) | Some(30)) {
            // EACCES, EROFS.
            StoreError::ReadOnly
        } else {
            StoreError::Io(e.to_string())
        }
    }
}

impl From<redb::StorageError> for StoreError {
    fn from(e: redb::StorageError) -> Self {
        match &e {
            redb::StorageError::Io(io) => StoreError::from_io(io),
            redb::StorageError::Corrupted(s) => StoreError::Corrupt(s.clone()),
            _ => StoreError::Db(e.to_string()),
        }
    }
}

macro_rules! via_storage {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                let e: redb::Error = e.into();
                match e {
                    redb::Error::DatabaseAlreadyOpen => StoreError::Locked,
                    redb::Error::Io(io) => StoreError::from_io(&io),
                    redb::Error::Corrupted(s) => StoreError::Corrupt(s),
                    other => StoreError::Db(other.to_string()),
                }
            }
        }
    )*};
}
via_storage!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::CommitError
);

/// A row type: its table, its id, its index entries and how to read older encodings.
pub trait Record: Serialize + DeserializeOwned + Sized {
    const TABLE: Rows;
    /// English name used in errors and audit targets.
    const KIND: &'static str;
    const VERSION: u8 = 1;

    fn key(&self) -> u64;

    /// The index entries this row implies, as `(key, value)`. Pure: depends on the row only.
    fn index(&self, _out: &mut Vec<(Vec<u8>, Vec<u8>)>) -> Result<(), StoreError> {
        Ok(())
    }

    /// Reads a row written with an older `version` of this type (the migration path).
    fn upgrade(version: u8, _body: &[u8]) -> Result<Self, StoreError> {
        Err(StoreError::Corrupt(format!(
            "{} row of unknown version {version}",
            Self::KIND
        )))
    }

    fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        let (v, b) = codec::split(bytes)?;
        if v == Self::VERSION {
            codec::body(Self::KIND, b)
        } else if v > Self::VERSION {
            Err(StoreError::TooNew {
                found: u32::from(v),
                supported: u32::from(Self::VERSION),
            })
        } else {
            Self::upgrade(v, b)
        }
    }

    fn encode(&self) -> Result<Vec<u8>, StoreError> {
        codec::encode(Self::VERSION, self)
    }
}

/// The database file.
///
/// After a write fails on I/O (a full disk, a disk error) redb refuses every later operation
/// (`PreviousIo`) until the file is opened again. The store does that itself, at the next
/// operation that finds the database so: the operations that fail meanwhile fail with a
/// clear error, and work resumes as soon as the file opens again (when space returned) — the
/// daemon need not be restarted, and its sessions stay.
pub struct Store {
    /// `None` while the file is being opened again (an old transaction may still hold it).
    db: RwLock<Option<Arc<Db>>>,
    /// Opens the database again: the file at its path, or the same storage backend.
    opener: Opener,
    /// Opens it for reading only, when it cannot be written.
    ro_opener: RoOpener,
    /// The file's directory, for its filesystem's free space; `None` on a storage backend.
    dir: Option<PathBuf>,
}

/// How every database is opened: a repair (after an unclean stop of a file last written
/// without the allocator's state, by an older build) says how far it has got, as it may
/// take a while on a large file.
fn builder() -> redb::Builder {
    let mut b = redb::Builder::new();
    let said = std::cell::Cell::new(-1i64);
    b.set_repair_callback(move |s| {
        let tenth = (s.progress() * 10.0) as i64;
        if tenth != said.replace(tenth) {
            tracing::warn!(
                "repairing the database after an unclean stop: {}%",
                tenth * 10
            );
        }
    });
    b
}

/// The open database: writable, or — when its file cannot be written — readable only, so
/// that staff can still look things up while every change is refused with the reason.
enum Db {
    Rw(Database),
    Ro(redb::ReadOnlyDatabase),
    /// Not closed cleanly and on a disk that cannot be written: opened over
    /// [`overlay::Overlay`], whose writes (the repair's) stay in memory. Never written to.
    Recovered(Database),
}

impl Db {
    fn begin_read(&self) -> Result<ReadTransaction, redb::TransactionError> {
        match self {
            Db::Rw(d) | Db::Recovered(d) => d.begin_read(),
            Db::Ro(d) => d.begin_read(),
        }
    }

    fn begin_write(&self) -> Result<WriteTransaction, redb::TransactionError> {
        match self {
            Db::Rw(d) => d.begin_write(),
            // `Store::db` opens the file for writing before a write, so this is reached only
            // if that failed; EROFS says why.
            Db::Ro(_) | Db::Recovered(_) => {
                Err(redb::StorageError::Io(std::io::Error::from_raw_os_error(30)).into())
            }
        }
    }
}

type Opener = Box<dyn Fn() -> Result<Database, redb::DatabaseError> + Send + Sync>;
/// Opens the database for reading only: [`Db::Ro`], or [`Db::Recovered`] when it needs a repair.
type RoOpener = Box<dyn Fn() -> Result<Db, redb::DatabaseError> + Send + Sync>;

/// Opens for reading only; a file that needs a repair is repaired in memory over the file.
fn open_read_only<B: redb::StorageBackend>(
    ro: impl FnOnce() -> Result<redb::ReadOnlyDatabase, redb::DatabaseError>,
    overlay: impl FnOnce() -> std::io::Result<B>,
) -> Result<Db, redb::DatabaseError> {
    match ro() {
        Err(redb::DatabaseError::RepairAborted) => {
            tracing::warn!(
                "the database was not closed cleanly and its disk is read-only: it is repaired \
                 in memory and served for reading"
            );
            Ok(Db::Recovered(builder().create_with_backend(overlay()?)?))
        }
        r => r.map(Db::Ro),
    }
}

impl Store {
    /// Creates a new database file; refuses to touch an existing one.
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::Db(format!("{} already exists", path.display())));
        }
        // Made here with mode 0600 (redb initialises an empty file): staff data and password
        // hashes are nobody else's to read, whatever the umask.
        {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| StoreError::Db(format!("{}: {e}", path.display())))?;
        }
        let db = builder().create(path)?;
        Store::of(Db::Rw(db), Self::file_openers(path))
            .at(path)
            .with_schema()
    }

    fn file_openers(path: &Path) -> (Opener, RoOpener) {
        let (rw, ro): (PathBuf, PathBuf) = (path.to_path_buf(), path.to_path_buf());
        (
            Box::new(move || builder().open(&rw)),
            Box::new(move || {
                open_read_only(
                    || builder().open_read_only(&ro),
                    || overlay::Overlay::open(&ro),
                )
            }),
        )
    }

    /// A new database on a storage backend of the caller's (the fault-injecting disk of the
    /// reliability tests). `backend` is cloned to open the database again after a failure,
    /// so its clones must share one storage.
    pub fn create_with_backend<B>(backend: B) -> Result<Store, StoreError>
    where
        B: redb::StorageBackend + Clone,
    {
        let db = builder().create_with_backend(backend.clone())?;
        Store::of(Db::Rw(db), Self::backend_openers(backend)).with_schema()
    }

    /// An existing database on a storage backend, as [`Store::open`] opens a file.
    pub fn open_with_backend<B>(backend: B) -> Result<Store, StoreError>
    where
        B: redb::StorageBackend + Clone,
    {
        let openers = Self::backend_openers(backend);
        Store::first_open(openers)?.checked()
    }

    fn backend_openers<B>(backend: B) -> (Opener, RoOpener)
    where
        B: redb::StorageBackend + Clone,
    {
        let ro = backend.clone();
        (
            Box::new(move || builder().create_with_backend(backend.clone())),
            Box::new(move || {
                open_read_only(
                    || builder().open_read_only_with_backend(ro.clone()),
                    || overlay::Overlay::over(ro.clone()),
                )
            }),
        )
    }

    /// Opens for writing, or for reading only when the file cannot be written.
    fn first_open(openers: (Opener, RoOpener)) -> Result<Store, StoreError> {
        let db = match (openers.0)() {
            Ok(db) => Db::Rw(db),
            Err(e) => match StoreError::from(e) {
                StoreError::ReadOnly => {
                    let db = (openers.1)().map_err(StoreError::from)?;
                    tracing::warn!(
                        "the database cannot be written (read-only data directory): open for \
                         reading only; every change is refused until it can be"
                    );
                    db
                }
                e => return Err(e),
            },
        };
        Ok(Store::of(db, openers))
    }

    fn with_schema(self) -> Result<Store, StoreError> {
        let mut tx = self.begin()?;
        tx.meta_put("schema", &SCHEMA_VERSION.to_be_bytes())?;
        tx.commit()?;
        Ok(self)
    }

    /// Opens an existing database, checking that this build understands its schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        private(path);
        Store::first_open(Self::file_openers(path))?
            .at(path)
            .checked()
    }

    /// The schema checked (a newer one refused) and older ones migrated.
    fn checked(self) -> Result<Store, StoreError> {
        let store = self;
        let rx = store.read()?;
        let found = match rx.meta_get("schema")? {
            Some(b) => {
                let arr: [u8; 4] = b
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("schema version".into()))?;
                u32::from_be_bytes(arr)
            }
            None => return Err(StoreError::Corrupt("no schema version".into())),
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        drop(rx);
        migrate::run(&store, found)?;
        Ok(store)
    }

    fn of(db: Db, (opener, ro_opener): (Opener, RoOpener)) -> Store {
        Store {
            db: RwLock::new(Some(Arc::new(db))),
            opener,
            ro_opener,
            dir: None,
        }
    }

    fn at(mut self, path: &Path) -> Store {
        self.dir = path.parent().map(Path::to_path_buf);
        self
    }

    /// Free bytes on the database's filesystem (for the daemon's user), if it is a file.
    pub fn free_bytes(&self) -> Option<u64> {
        space(self.dir.as_deref()?).map(|(free, _)| free)
    }

    /// Whether the database is open for reading only (its file cannot be written).
    pub fn read_only(&self) -> bool {
        let slot = self.db.read().unwrap_or_else(|p| p.into_inner());
        matches!(slot.as_deref(), Some(Db::Ro(_) | Db::Recovered(_)))
    }

    /// The open database, opened again first if an earlier failure closed it, and for
    /// writing first if `write` and it was open for reading only.
    fn db(&self, write: bool) -> Result<Arc<Db>, StoreError> {
        let usable = |db: &Db| !write || matches!(db, Db::Rw(_));
        if let Some(db) = &*self.db.read().unwrap_or_else(|p| p.into_inner())
            && usable(db)
        {
            return Ok(db.clone());
        }
        let mut slot = self.db.write().unwrap_or_else(|p| p.into_inner());
        if let Some(db) = &*slot
            && usable(db)
        {
            return Ok(db.clone());
        }
        // A read-only handle holds the file's lock: it goes before the file is opened for
        // writing, and comes back at once if the file is still read-only (on any other
        // failure the next read opens it again).
        let was_read_only = slot.take().is_some();
        // The file was not closed cleanly: redb checks and repairs it as it opens, which
        // needs room to write; until then this fails and the next operation tries again.
        match (self.opener)().map_err(StoreError::from) {
            Ok(db) => {
                if was_read_only {
                    tracing::info!("the data directory is writable again");
                } else {
                    tracing::info!("database opened again after a failed write");
                }
                let db = Arc::new(Db::Rw(db));
                *slot = Some(db.clone());
                Ok(db)
            }
            Err(StoreError::ReadOnly) => {
                match (self.ro_opener)() {
                    Ok(db) => {
                        if !was_read_only {
                            tracing::warn!(
                                "the data directory is read-only: reads go on, changes are refused"
                            );
                        }
                        let db = Arc::new(db);
                        *slot = Some(db.clone());
                        if !write {
                            return Ok(db);
                        }
                    }
                    // Not closed cleanly, it needs a repair that needs writing.
                    Err(e) => tracing::warn!("database not open again yet, read-only: {e}"),
                }
                Err(StoreError::ReadOnly)
            }
            Err(e) => {
                tracing::warn!("database not open again yet: {e}");
                Err(e)
            }
        }
    }

    /// Runs `f` on the database; if redb says an earlier write failed, closes it so that the
    /// next operation opens it again, and says the failure.
    fn with_db<T>(
        &self,
        write: bool,
        f: impl Fn(&Db) -> Result<T, redb::TransactionError>,
    ) -> Result<T, StoreError> {
        let db = self.db(write)?;
        match f(&db) {
            Err(redb::TransactionError::Storage(redb::StorageError::PreviousIo)) => {
                let mut slot = self.db.write().unwrap_or_else(|p| p.into_inner());
                if slot.as_ref().is_some_and(|d| Arc::ptr_eq(d, &db)) {
                    tracing::warn!("a write failed earlier: the database is opened again");
                    *slot = None;
                }
                drop(slot);
                drop(db);
                // One more try at once: usually nothing else holds the old file.
                let db = self.db(write)?;
                f(&db).map_err(StoreError::from)
            }
            r => r.map_err(StoreError::from),
        }
    }

    pub fn begin(&self) -> Result<Tx, StoreError> {
        let mut w = self.with_db(true, |db| db.begin_write())?;
        // Each commit records the allocator's state (and commits in two phases), so that
        // opening after a power cut or SIGKILL need not walk the whole file to rebuild it:
        // 27 s against a few ms at a million applications (BENCHMARKS.md, recovery), for
        // about half a millisecond more per commit. It also lets a read-only data directory
        // be opened for reading after an unclean stop.
        w.set_quick_repair(true);
        Ok(Tx { w, writes: 0 })
    }

    pub fn read(&self) -> Result<Rx, StoreError> {
        Ok(Rx {
            r: self.with_db(false, |db| db.begin_read())?,
        })
    }

    /// Copies the database as of one read transaction (a consistent online backup).
    /// Copies every table as of one read transaction into a new database at `dest`, with
    /// `mark` under meta key `backup` in the same commit: a file without the mark was never
    /// finished.
    pub fn backup_to(&self, dest: &Path, mark: &[u8]) -> Result<(), StoreError> {
        let rx = self.read()?;
        let out = Store::create(dest)?;
        let mut tx = out.begin()?;
        rx.copy_into(&mut tx)?;
        tx.meta_put(BACKUP_MARK, mark)?;
        tx.commit()
    }
}

/// Called for each index entry `(key, value)`; returns whether to go on.
pub type IndexVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<bool, StoreError> + 'a;
/// Called for each row `(id, bytes)`; returns whether to go on.
pub type RowVisitor<'a> = dyn FnMut(u64, &[u8]) -> Result<bool, StoreError> + 'a;
type RangeItem<'a> = Result<
    (
        redb::AccessGuard<'a, &'static [u8]>,
        redb::AccessGuard<'a, &'static [u8]>,
    ),
    redb::StorageError,
>;

/// Read access shared by read and write transactions, so a query runs inside either.
pub trait Read {
    fn get_raw(&self, t: Rows, id: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// Several rows of one table, opening it once (a list page's rows).
    fn get_many_raw(&self, t: Rows, ids: &[u64]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    /// Visits index entries with keys in `[from, to)`, in order or reversed, until `f` says stop.
    fn scan_index(
        &self,
        from: &[u8],
        to: &[u8],
        rev: bool,
        f: &mut IndexVisitor,
    ) -> Result<(), StoreError>;
    /// Visits every row of a table in id order until `f` says stop.
    fn scan_rows(&self, t: Rows, after: u64, f: &mut RowVisitor) -> Result<(), StoreError>;
    fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn history_raw(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The key of the last history entry under `prefix`, if any.
    fn history_last_key(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    fn audit_tail(&self, n: usize) -> Result<Vec<Vec<u8>>, StoreError>;
    fn task_names(&self) -> Result<Vec<(String, u32)>, StoreError>;
    fn count_rows(&self, t: Rows) -> Result<u64, StoreError>;

    fn get<R: Record>(&self, id: u64) -> Result<Option<R>, StoreError>
    where
        Self: Sized,
    {
        self.get_raw(R::TABLE, id)?
            .map(|b| R::decode(&b))
            .transpose()
    }

    /// The rows with these ids, in order; `None` where there is none.
    fn get_many<R: Record>(&self, ids: &[u64]) -> Result<Vec<Option<R>>, StoreError>
    where
        Self: Sized,
    {
        self.get_many_raw(R::TABLE, ids)?
            .into_iter()
            .map(|b| b.map(|b| R::decode(&b)).transpose())
            .collect()
    }

    /// Every row of a small table (catalog, users, departments).
    fn all<R: Record>(&self) -> Result<Vec<R>, StoreError>
    where
        Self: Sized,
    {
        let mut out = Vec::new();
        self.scan_rows(R::TABLE, 0, &mut |_, v| {
            out.push(R::decode(v)?);
            Ok(true)
        })?;
        Ok(out)
    }
}

fn scan_table<T: ReadableTable<&'static [u8], &'static [u8]>>(
    t: &T,
    from: &[u8],
    to: &[u8],
    rev: bool,
    f: &mut IndexVisitor,
) -> Result<(), StoreError> {
    let range = t.range::<&[u8]>(from..to)?;
    let mut visit = |item: RangeItem| -> Result<bool, StoreError> {
        let (k, v) = item?;
        f(k.value(), v.value())
    };
    if rev {
        for item in range.rev() {
            if !visit(item)? {
                break;
            }
        }
    } else {
        for item in range {
            if !visit(item)? {
                break;
            }
        }
    }
    Ok(())
}

macro_rules! impl_read {
    ($ty:ty, $field:ident) => {
        impl Read for $ty {
            fn get_raw(&self, t: Rows, id: u64) -> Result<Option<Vec<u8>>, StoreError> {
                let table = match self.$field.open_table(t) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                Ok(table.get(id)?.map(|g| g.value().to_vec()))
            }

            fn get_many_raw(
                &self,
                t: Rows,
                ids: &[u64],
            ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
                let table = match self.$field.open_table(t) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => {
                        return Ok(vec![None; ids.len()]);
                    }
                    Err(e) => return Err(e.into()),
                };
                ids.iter()
                    .map(|id| Ok(table.get(*id)?.map(|g| g.value().to_vec())))
                    .collect()
            }

            fn scan_index(
                &self,
                from: &[u8],
                to: &[u8],
                rev: bool,
                f: &mut IndexVisitor,
            ) -> Result<(), StoreError> {
                match self.$field.open_table(INDEX) {
                    Ok(t) => scan_table(&t, from, to, rev, f),
                    Err(redb::TableError::TableDoesNotExist(_)) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }

            fn scan_rows(&self, t: Rows, after: u64, f: &mut RowVisitor) -> Result<(), StoreError> {
                let table = match self.$field.open_table(t) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
                    Err(e) => return Err(e.into()),
                };
                for item in table.range(after..)? {
                    let (k, v) = item?;
                    if !f(k.value(), v.value())? {
                        break;
                    }
                }
                Ok(())
            }

            fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
                match self.$field.open_table(META) {
                    Ok(t) => Ok(t.get(key)?.map(|g| g.value().to_vec())),
                    Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            }

            fn history_raw(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
                let t = match self.$field.open_table(HISTORY) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                    Err(e) => return Err(e.into()),
                };
                let end = keys::prefix_upper(prefix);
                let mut out = Vec::new();
                for item in t.range::<&[u8]>(prefix..end.as_slice())? {
                    let (_, v) = item?;
                    out.push(v.value().to_vec());
                }
                Ok(out)
            }

            fn history_last_key(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
                let t = match self.$field.open_table(HISTORY) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                let end = keys::prefix_upper(prefix);
                match t.range::<&[u8]>(prefix..end.as_slice())?.next_back() {
                    Some(item) => Ok(Some(item?.0.value().to_vec())),
                    None => Ok(None),
                }
            }

            fn audit_tail(&self, n: usize) -> Result<Vec<Vec<u8>>, StoreError> {
                let t = match self.$field.open_table(AUDIT) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                    Err(e) => return Err(e.into()),
                };
                let mut out = Vec::new();
                for item in t.iter()?.rev().take(n) {
                    let (_, v) = item?;
                    out.push(v.value().to_vec());
                }
                Ok(out)
            }

            fn task_names(&self) -> Result<Vec<(String, u32)>, StoreError> {
                let t = match self.$field.open_table(TASK_NAMES) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                    Err(e) => return Err(e.into()),
                };
                let mut out = Vec::new();
                for item in t.iter()? {
                    let (k, v) = item?;
                    out.push((k.value().to_string(), v.value()));
                }
                Ok(out)
            }

            fn count_rows(&self, t: Rows) -> Result<u64, StoreError> {
                match self.$field.open_table(t) {
                    Ok(t) => Ok(t.len()?),
                    Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
                    Err(e) => Err(e.into()),
                }
            }
        }
    };
}

/// A read transaction: a consistent snapshot.
pub struct Rx {
    r: ReadTransaction,
}

/// A write transaction. Dropped without [`Tx::commit`], it leaves nothing behind.
pub struct Tx {
    w: WriteTransaction,
    /// Writes attempted so far. Group commit compares it before and after an operation: a
    /// failed operation that wrote nothing leaves the shared transaction usable.
    writes: u64,
}

impl_read!(Rx, r);
impl_read!(Tx, w);

impl Tx {
    pub fn commit(self) -> Result<(), StoreError> {
        self.w.commit()?;
        Ok(())
    }

    /// How many writes this transaction has attempted (see the field).
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Inserts or replaces a row and brings its index entries up to date: entries of the old
    /// version that the new one no longer implies are removed, new ones inserted.
    pub fn put<R: Record>(&mut self, row: &R) -> Result<(), StoreError> {
        self.writes += 1;
        let id = row.key();
        let bytes = row.encode()?;
        let old = {
            let mut t = self.w.open_table(R::TABLE)?;
            t.insert(id, bytes.as_slice())?.map(|g| g.value().to_vec())
        };
        let mut old_ix = Vec::new();
        if let Some(old) = old {
            R::decode(&old)?.index(&mut old_ix)?;
        }
        let mut new_ix = Vec::new();
        row.index(&mut new_ix)?;
        let mut ix = self.w.open_table(INDEX)?;
        for (k, _) in &old_ix {
            if !new_ix.iter().any(|(nk, _)| nk == k) {
                ix.remove(k.as_slice())?;
            }
        }
        for (k, v) in &new_ix {
            let same = old_ix.iter().any(|(ok, ov)| ok == k && ov == v);
            if !same {
                ix.insert(k.as_slice(), v.as_slice())?;
            }
        }
        Ok(())
    }

    /// Removes a row and its index entries; `false` when there was none.
    pub fn delete<R: Record>(&mut self, id: u64) -> Result<bool, StoreError> {
        self.writes += 1;
        let old = {
            let mut t = self.w.open_table(R::TABLE)?;
            t.remove(id)?.map(|g| g.value().to_vec())
        };
        let Some(old) = old else {
            return Ok(false);
        };
        let mut old_ix = Vec::new();
        R::decode(&old)?.index(&mut old_ix)?;
        let mut ix = self.w.open_table(INDEX)?;
        for (k, _) in &old_ix {
            ix.remove(k.as_slice())?;
        }
        Ok(true)
    }

    /// Stores bytes as they are under `id` in a table of raw values (an attachment's data).
    pub fn put_raw(&mut self, t: Rows, id: u64, bytes: &[u8]) -> Result<(), StoreError> {
        self.writes += 1;
        self.w.open_table(t)?.insert(id, bytes)?;
        Ok(())
    }

    pub fn delete_raw(&mut self, t: Rows, id: u64) -> Result<(), StoreError> {
        self.writes += 1;
        self.w.open_table(t)?.remove(id)?;
        Ok(())
    }

    /// Writes an index entry as it is, for tests that build an old database by hand.
    #[cfg(test)]
    pub(crate) fn index_put_raw(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.w.open_table(INDEX)?.insert(key, value)?;
        Ok(())
    }

    /// Removes every index entry whose key starts with `prefix` (an index a migration drops);
    /// returns how many there were.
    pub(crate) fn remove_index_prefix(&mut self, prefix: &[u8]) -> Result<u64, StoreError> {
        self.writes += 1;
        let end = keys::prefix_upper(prefix);
        let mut ix = self.w.open_table(INDEX)?;
        let mut gone = 0;
        // Entries are removed as the iterator yields them.
        for item in ix.extract_from_if(prefix..end.as_slice(), |_, _| true)? {
            item?;
            gone += 1;
        }
        Ok(gone)
    }

    /// Draws the next id of a table's counter.
    pub fn next_id(&mut self, counter: &str) -> Result<u64, StoreError> {
        self.bump(&format!("seq:{counter}"))
    }

    /// Increments a named counter in `meta` and returns its new value (ids, numbers per year).
    pub fn bump(&mut self, key: &str) -> Result<u64, StoreError> {
        self.writes += 1;
        let mut t = self.w.open_table(META)?;
        let cur = match t.get(key)? {
            Some(g) => {
                let arr: [u8; 8] = g
                    .value()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt(format!("counter {key}")))?;
                u64::from_be_bytes(arr)
            }
            None => 0,
        };
        let next = cur + 1;
        t.insert(key, next.to_be_bytes().as_slice())?;
        Ok(next)
    }

    pub fn meta_remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.writes += 1;
        let mut t = self.w.open_table(META)?;
        t.remove(key)?;
        Ok(())
    }

    pub fn meta_put(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.writes += 1;
        let mut t = self.w.open_table(META)?;
        t.insert(key, value)?;
        Ok(())
    }

    pub fn history_put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.writes += 1;
        let mut t = self.w.open_table(HISTORY)?;
        t.insert(key, value)?;
        Ok(())
    }

    /// The next audit sequence number: one past the last entry. The log is append-only, so
    /// its last key is the counter, and a write touches one B-tree fewer than a `meta` counter.
    pub fn audit_next_seq(&self) -> Result<u64, StoreError> {
        let t = self.w.open_table(AUDIT)?;
        let last = match t.last()? {
            Some((k, _)) => k.value(),
            None => 0,
        };
        Ok(last + 1)
    }

    pub fn audit_put(&mut self, seq: u64, value: &[u8]) -> Result<(), StoreError> {
        self.writes += 1;
        let mut t = self.w.open_table(AUDIT)?;
        t.insert(seq, value)?;
        Ok(())
    }

    /// The interned id of a task name, creating it on first use.
    pub fn intern_task_name(&mut self, name: &str) -> Result<u32, StoreError> {
        {
            let t = self.w.open_table(TASK_NAMES)?;
            if let Some(g) = t.get(name)? {
                return Ok(g.value());
            }
        }
        let id = u32::try_from(self.bump("seq:task_names")?)
            .map_err(|_| StoreError::Corrupt("too many task names".into()))?;
        self.writes += 1;
        let mut t = self.w.open_table(TASK_NAMES)?;
        t.insert(name, id)?;
        Ok(id)
    }

    /// Raw index access for `check --repair` and tests that break an index on purpose.
    pub fn index_insert_raw(&mut self, k: &[u8], v: &[u8]) -> Result<(), StoreError> {
        self.writes += 1;
        let mut t = self.w.open_table(INDEX)?;
        t.insert(k, v)?;
        Ok(())
    }
}

impl Rx {
    /// The sequence number of the last audit entry. Every write appends one, so a client that
    /// remembers it can tell cheaply whether anything changed since.
    pub fn audit_last_seq(&self) -> Result<u64, StoreError> {
        match self.r.open_table(AUDIT) {
            Ok(t) => Ok(t.last()?.map_or(0, |(k, _)| k.value())),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Copies every table into `tx` (the backup's body).
    fn copy_into(&self, tx: &mut Tx) -> Result<(), StoreError> {
        for (_, def) in tables::ALL_ROWS {
            let mut dst = tx.w.open_table(def)?;
            self.scan_rows(def, 0, &mut |k, v| {
                dst.insert(k, v)?;
                Ok(true)
            })?;
        }
        copy_table(&self.r, &tx.w, META)?;
        copy_table(&self.r, &tx.w, INDEX)?;
        copy_table(&self.r, &tx.w, HISTORY)?;
        copy_table(&self.r, &tx.w, AUDIT)?;
        copy_table(&self.r, &tx.w, TASK_NAMES)?;
        Ok(())
    }
}

fn copy_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    r: &ReadTransaction,
    w: &WriteTransaction,
    def: redb::TableDefinition<K, V>,
) -> Result<(), StoreError> {
    let src = match r.open_table(def) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut dst = w.open_table(def)?;
    for item in src.iter()? {
        let (k, v) = item?;
        dst.insert(k.value(), v.value())?;
    }
    Ok(())
}
