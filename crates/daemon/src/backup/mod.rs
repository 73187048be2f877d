//! Online backups and restore. A backup is a new redb file holding every table as of one read
//! transaction, so it is consistent while staff keep working. It carries a mark of
//! completeness written in the same commit as its data, is encrypted to the configured age
//! public key ([`seal`]), is written under a `.partial` name and renamed only once complete
//! and synced, and is copied to a second directory when one is configured. A restore works
//! on a copy and never writes to the backup it is given; it refuses a file without the mark.

pub mod seal;
pub mod sftp;

use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use volost_config::BackupConfig;
use volost_core::service::{Error, Node, Result, db_path};
use volost_domain::Ts;
use volost_store::{BACKUP_MARK, Read, Store, StoreError, check};

const PREFIX: &str = "volost-";
const PLAIN: &str = ".redb";
const SEALED: &str = ".redb.age";
const PARTIAL: &str = ".partial";

fn io(what: &str, path: &Path, e: &std::io::Error) -> Error {
    tracing::error!("{what} {}: {e}", path.display());
    if matches!(e.raw_os_error(), Some(28) | Some(122)) {
        Error::Storage(StoreError::DiskFull)
    } else if matches!(e.raw_os_error(), Some(13) | Some(30)) {
        Error::Storage(StoreError::ReadOnly)
    } else {
        Error::Storage(StoreError::Io(format!("{what} {}: {e}", path.display())))
    }
}

fn refused(why: impl Into<String>) -> Error {
    Error::NotAllowed(why.into())
}

/// Makes a rename durable: the directory entry itself is synced.
fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("sync", dir, &e))
}

/// A new file only its owner may read (backups hold every password hash and personal file).
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

fn sync_file(path: &Path) -> Result<()> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("sync", path, &e))
}

/// What a backup says of itself, in its mark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// The order backups were taken in: one more than any before it in the directory.
    pub seq: u64,
    pub taken: Ts,
    pub version: String,
}

/// Where backups go and how long they stay, from `[backup]`.
#[derive(Clone)]
pub struct Plan {
    pub dir: PathBuf,
    pub keep: usize,
    pub keep_days: u64,
    pub recipient: Option<age::x25519::Recipient>,
    pub copy_to: Option<PathBuf>,
    pub sftp: Option<sftp::Target>,
}

impl Plan {
    pub fn of(c: &BackupConfig) -> std::result::Result<Plan, String> {
        Ok(Plan {
            dir: c.dir.clone(),
            keep: c.keep,
            keep_days: c.keep_days,
            recipient: match c.recipient.trim() {
                "" => None,
                r => Some(seal::recipient(r)?),
            },
            copy_to: c.copy_to.clone(),
            sftp: match c.sftp.trim() {
                "" => None,
                url => Some(sftp::Target::parse(url, &c.sftp_key, &c.sftp_known_hosts)?),
            },
        })
    }

    /// Into `dir` only, unencrypted, keeping `keep` (tests, `volost backup --dir`).
    pub fn plain(dir: &Path, keep: usize) -> Plan {
        Plan {
            dir: dir.to_path_buf(),
            keep,
            keep_days: 0,
            recipient: None,
            copy_to: None,
            sftp: None,
        }
    }
}

/// A backup file in a directory: its order and the time in its name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    seq: u64,
    name: String,
    path: PathBuf,
}

/// `volost-YYYYMMDD-HHMMSS-mmm-sNNNNNN.redb[.age]`; names from before the sequence number
/// (`volost-YYYYMMDD-HHMMSS-mmm.redb`) are older than every numbered one.
fn parse(name: &str) -> Option<u64> {
    let stem = name
        .strip_prefix(PREFIX)?
        .strip_suffix(SEALED)
        .or_else(|| name.strip_prefix(PREFIX)?.strip_suffix(PLAIN))?;
    let parts: Vec<&str> = stem.split('-').collect();
    match parts.as_slice() {
        [_, _, _] => Some(0),
        [_, _, _, s] => s.strip_prefix('s')?.parse().ok(),
        _ => None,
    }
}

/// The time in a backup's name (UTC), for retention by age.
fn time_of(name: &str) -> Option<time::OffsetDateTime> {
    let t = name.strip_prefix(PREFIX)?.get(..19)?;
    let fmt = time::macros::format_description!(
        "[year][month][day]-[hour][minute][second]-[subsecond digits:3]"
    );
    time::PrimitiveDateTime::parse(t, &fmt)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

fn entries(dir: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io("read", dir, &e)),
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(seq) = parse(&name) {
            out.push(Entry {
                seq,
                name,
                path: e.path(),
            });
        }
    }
    out.sort();
    Ok(out)
}

/// The backups in `dir`, oldest first, in the order they were taken.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(entries(dir)?.into_iter().map(|e| e.path).collect())
}

/// Removes what a crashed backup left in `dir`: files under a `.partial` name are garbage by
/// construction. Returns how many.
pub fn clean_leftovers(dir: &Path) -> usize {
    let Ok(rd) = fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(PREFIX) && name.ends_with(PARTIAL) && fs::remove_file(e.path()).is_ok()
        {
            tracing::warn!(path = %e.path().display(), "an unfinished backup removed");
            n += 1;
        }
    }
    n
}

fn name(at: Ts, seq: u64, sealed: bool) -> String {
    let t = at.to_datetime();
    format!(
        "{PREFIX}{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}-s{seq:06}{}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond(),
        if sealed { SEALED } else { PLAIN }
    )
}

/// Takes a backup as `plan` says; returns its path.
pub fn take(node: &Node, plan: &Plan) -> Result<PathBuf> {
    let dir = &plan.dir;
    fs::create_dir_all(dir).map_err(|e| io("create", dir, &e))?;
    clean_leftovers(dir);
    let mut seq = entries(dir)?.last().map_or(0, |e| e.seq);
    if let Some(c) = &plan.copy_to {
        seq = seq.max(entries(c)?.last().map_or(0, |e| e.seq));
    }
    let mark = Mark {
        seq: seq + 1,
        taken: node.now(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let final_name = name(mark.taken, mark.seq, plan.recipient.is_some());
    let path = dir.join(&final_name);
    let plain = dir.join(format!(
        "{}{PLAIN}{PARTIAL}",
        &final_name[..final_name.find(PLAIN).unwrap_or(final_name.len())]
    ));
    let started = std::time::Instant::now();
    let bytes = serde_json::to_vec(&mark).map_err(|e| Error::Internal(e.to_string()))?;
    let made = node
        .store()
        .backup_to(&plain, &bytes)
        .map_err(Error::from)
        .and_then(|()| match &plan.recipient {
            None => Ok(plain.clone()),
            Some(to) => {
                let sealed = dir.join(format!("{final_name}{PARTIAL}"));
                let r = fs::File::open(&plain)
                    .and_then(|i| private_file(&sealed).map(|o| (i, o)))
                    .and_then(|(i, o)| seal::seal(to, i, o));
                let _ = fs::remove_file(&plain);
                r.map(|()| sealed.clone())
                    .map_err(|e| io("encrypt", &sealed, &e))
            }
        });
    let partial = match made {
        Ok(p) => p,
        Err(e) => {
            clean_leftovers(dir);
            return Err(e);
        }
    };
    sync_file(&partial)?;
    fs::rename(&partial, &path).map_err(|e| io("rename", &partial, &e))?;
    sync_dir(dir)?;
    let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    tracing::info!(
        path = %path.display(),
        bytes = size,
        seq = mark.seq,
        encrypted = plan.recipient.is_some(),
        ms = started.elapsed().as_millis() as u64,
        "backup taken"
    );
    if plan.recipient.is_none() {
        tracing::warn!(
            "the backup is not encrypted: set [backup] recipient (volost backup keygen)"
        );
    }
    prune(dir, plan, node.now())?;
    if let Some(c) = &plan.copy_to {
        copy_to(&path, c, &final_name).map_err(|e| {
            refused(format!(
                "Копия сохранена в {}, но не скопирована в {}: {}",
                path.display(),
                c.display(),
                e.ru()
            ))
        })?;
        prune(c, plan, node.now())?;
    }
    if let Some(t) = &plan.sftp {
        sftp::upload(t, &path, &final_name, plan.keep).map_err(|e| {
            tracing::error!(target = %t.display(), "backup not copied over SFTP: {e}");
            refused(format!(
                "Копия сохранена в {}, но не отправлена на {}: {e}",
                path.display(),
                t.display()
            ))
        })?;
    }
    Ok(path)
}

fn copy_to(path: &Path, dir: &Path, name: &str) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| io("create", dir, &e))?;
    clean_leftovers(dir);
    let partial = dir.join(format!("{name}{PARTIAL}"));
    fs::File::open(path)
        .and_then(|mut i| private_file(&partial).and_then(|mut o| std::io::copy(&mut i, &mut o)))
        .map_err(|e| {
            let _ = fs::remove_file(&partial);
            io("copy", &partial, &e)
        })?;
    sync_file(&partial)?;
    let to = dir.join(name);
    fs::rename(&partial, &to).map_err(|e| io("rename", &partial, &e))?;
    sync_dir(dir)?;
    tracing::info!(path = %to.display(), "backup copied");
    Ok(())
}

/// Keeps the newest `keep` in the order taken, and drops those older than `keep_days` by
/// the time in their names; never the newest. A clock set back makes a new backup's name
/// older, not its number: it stays.
fn prune(dir: &Path, plan: &Plan, now: Ts) -> Result<()> {
    let all = entries(dir)?;
    let Some((_, older)) = all.split_last() else {
        return Ok(());
    };
    let by_count = all.len().saturating_sub(plan.keep.max(1));
    let cutoff = (plan.keep_days > 0)
        .then(|| now.to_datetime() - time::Duration::days(plan.keep_days as i64));
    for (i, e) in older.iter().enumerate() {
        let too_old = cutoff.is_some_and(|c| time_of(&e.name).is_some_and(|t| t < c));
        if i < by_count || too_old {
            fs::remove_file(&e.path).map_err(|err| io("remove", &e.path, &err))?;
            tracing::info!(path = %e.path.display(), "old backup removed");
        }
    }
    Ok(())
}

/// What `restore` did.
#[derive(Debug)]
pub struct Restored {
    /// Where the database that was replaced was moved, if there was one.
    pub previous: Option<PathBuf>,
    pub check: check::CheckReport,
    pub mark: Mark,
}

impl Restored {
    /// Rows of a table in what was installed.
    pub fn rows(&self, table: &str) -> u64 {
        self.check
            .rows
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// Replaces the database in `data_dir` with `backup`, decrypted with the secret key in
/// `identity` when it is encrypted. The work is done on a copy beside the database: the
/// backup is only read. A file without the mark of a finished backup, or failing the check
/// (every row and index), is refused and nothing changes. The current database is kept
/// beside, renamed. Refuses while the daemon holds the database.
pub fn restore(
    backup: &Path,
    data_dir: &Path,
    stamp: &str,
    identity: Option<&Path>,
) -> Result<Restored> {
    // A backup is renamed from its `.partial` name only once it is whole and on disk; one
    // killed between the two may hold every byte, yet nothing said it was finished.
    if backup.to_string_lossy().ends_with(PARTIAL) {
        return Err(refused(format!(
            "{} — копия не завершена (имя оканчивается на {PARTIAL}): восстановление отменено",
            backup.display()
        )));
    }
    let target = db_path(data_dir);
    if target.exists() {
        // Opening it proves no daemon holds it; the handle is dropped at once. A database
        // too damaged to open is what a restore is for, so only a lock refuses.
        if let Err(StoreError::Locked) = Store::open(&target) {
            return Err(StoreError::Locked.into());
        }
    }
    fs::create_dir_all(data_dir).map_err(|e| io("create", data_dir, &e))?;
    let tmp = data_dir.join("volost.redb.restoring");
    let _ = fs::remove_file(&tmp);
    let staged = stage(backup, &tmp, identity).and_then(|()| admit(backup, &tmp));
    let (report, mark) = match staged {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    sync_file(&tmp)?;
    let previous = if target.exists() {
        let aside = data_dir.join(format!("volost.redb.before-restore-{stamp}"));
        fs::rename(&target, &aside).map_err(|e| io("rename", &target, &e))?;
        Some(aside)
    } else {
        None
    };
    fs::rename(&tmp, &target).map_err(|e| io("rename", &tmp, &e))?;
    sync_dir(data_dir)?;
    Ok(Restored {
        previous,
        check: report,
        mark,
    })
}

/// The backup's bytes, decrypted when sealed, into `tmp`.
fn stage(backup: &Path, tmp: &Path, identity: Option<&Path>) -> Result<()> {
    let input = fs::File::open(backup).map_err(|e| io("open", backup, &e))?;
    if seal::is_sealed(backup) {
        let Some(key) = identity else {
            return Err(refused(
                "Резервная копия зашифрована: укажите файл секретного ключа (--identity)",
            ));
        };
        let id = seal::identity(key).map_err(|e| refused(format!("Ключ не прочитан: {e}")))?;
        let out = private_file(tmp).map_err(|e| io("create", tmp, &e))?;
        seal::open(&id, input, out).map_err(|e| {
            refused(format!(
                "Копию {} не удалось расшифровать этим ключом или она повреждена: {e}",
                backup.display()
            ))
        })?;
        return Ok(());
    }
    let mut out = private_file(tmp).map_err(|e| io("create", tmp, &e))?;
    std::io::copy(&mut std::io::BufReader::new(input), &mut out)
        .map_err(|e| io("copy", backup, &e))?;
    Ok(())
}

/// Opens the staged copy: it must carry the mark of a finished backup and pass the check.
/// The mark is taken out of the copy, which becomes a node's database, not a backup.
fn admit(backup: &Path, tmp: &Path) -> Result<(check::CheckReport, Mark)> {
    let not_backup = || {
        refused(format!(
            "{} — не резервная копия или копия не завершена (нет отметки о завершении): \
             восстановление отменено",
            backup.display()
        ))
    };
    let store = Store::open(tmp).map_err(|_| not_backup())?;
    let mark: Mark = store
        .read()?
        .meta_get(BACKUP_MARK)?
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(not_backup)?;
    let report = check::run(&store.read()?)?;
    if !report.ok() {
        return Err(Error::Storage(StoreError::Corrupt(format!(
            "backup {} fails the check: {}",
            backup.display(),
            report.problems.join("; ")
        ))));
    }
    let mut tx = store.begin()?;
    tx.meta_remove(BACKUP_MARK)?;
    tx.commit()?;
    Ok((report, mark))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use volost_core::clock::FixedClock;
    use volost_core::service::{NewOrg, Options};
    use volost_domain::Ts;

    fn node(dir: &Path, clock: Arc<FixedClock>) -> Node {
        Node::init(
            &dir.join("data"),
            &NewOrg {
                name: "Администрация сельсовета".into(),
                ..NewOrg::default()
            },
            "admin",
            clock,
            Options::for_tests(),
        )
        .expect("init")
        .node
    }

    #[test]
    fn backups_keep_the_order_taken_even_when_the_clock_goes_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let clock = Arc::new(FixedClock::new(Ts(1_795_402_800_000)));
        let node = node(dir.path(), clock.clone());
        let to = dir.path().join("backups");
        // Three in the same millisecond, then one later: names keep the order taken.
        let mut taken = Vec::new();
        for _ in 0..3 {
            taken.push(take(&node, &Plan::plain(&to, 10)).expect("backup"));
        }
        clock.advance_ms(60_000);
        taken.push(take(&node, &Plan::plain(&to, 2)).expect("backup"));
        assert_eq!(list(&to).expect("list"), taken[2..].to_vec());
        let name = taken[3]
            .file_name()
            .map(|n| n.to_string_lossy().to_string());
        assert_eq!(
            name.as_deref(),
            Some("volost-20261123-030100-000-s000004.redb")
        );
        // The clock set back a day: the new backup is the newest all the same, and kept.
        clock.advance_ms(-86_400_000 - 60_000);
        let back = take(&node, &Plan::plain(&to, 2)).expect("backup");
        assert_eq!(
            list(&to).expect("list"),
            vec![taken[3].clone(), back.clone()]
        );
        // By age: a week's limit with the clock a year ahead drops all but the newest.
        clock.advance_ms(365 * 86_400_000);
        let mut plan = Plan::plain(&to, 10);
        plan.keep_days = 7;
        let newest = take(&node, &plan).expect("backup");
        assert_eq!(list(&to).expect("list"), vec![newest.clone()]);
        // A backup is a database that opens and passes the check, and carries its mark.
        let store = Store::open(&newest).expect("open backup");
        let rx = store.read().expect("read");
        assert!(check::run(&rx).expect("check").ok());
        let mark: Mark =
            serde_json::from_slice(&rx.meta_get(BACKUP_MARK).expect("meta").expect("mark"))
                .expect("json");
        assert_eq!(mark.seq, 6);
    }

    #[test]
    fn a_restore_refuses_what_is_not_a_finished_backup_and_never_writes_to_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let clock = Arc::new(FixedClock::new(Ts(1_795_402_800_000)));
        let node = node(dir.path(), clock);
        let (secret, public) = seal::keygen();
        let key = dir.path().join("backup.key");
        fs::write(&key, &secret).expect("key");
        let mut plan = Plan::plain(&dir.path().join("backups"), 3);
        plan.recipient = Some(seal::recipient(&public).expect("recipient"));
        plan.copy_to = Some(dir.path().join("second"));
        let sealed = take(&node, &plan).expect("backup");
        assert!(sealed.to_string_lossy().ends_with(".redb.age"));
        assert!(seal::is_sealed(&sealed));
        assert_eq!(list(&dir.path().join("second")).expect("list").len(), 1);
        drop(node);
        let data = dir.path().join("restored");
        // Not a backup: an empty database, as a crashed `volost backup` once left.
        let empty = dir.path().join("empty.redb");
        drop(Store::create(&empty).expect("create"));
        let e = restore(&empty, &data, "x", None).expect_err("empty");
        assert!(e.ru().contains("не завершена"), "{}", e.ru());
        // Encrypted: without the key, and with a wrong one, nothing happens.
        let before = fs::read(&sealed).expect("read");
        assert!(restore(&sealed, &data, "x", None).is_err());
        let other = dir.path().join("other.key");
        fs::write(&other, seal::keygen().0).expect("key");
        assert!(restore(&sealed, &data, "x", Some(&other)).is_err());
        assert!(!db_path(&data).exists(), "nothing installed");
        let r = restore(&sealed, &data, "x", Some(&key)).expect("restore");
        assert_eq!(r.mark.seq, 1);
        assert_eq!(r.rows("org"), 1);
        assert_eq!(
            fs::read(&sealed).expect("read"),
            before,
            "the backup is only read"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&sealed), 0o600);
        assert_eq!(
            mode(&list(&dir.path().join("second")).expect("list")[0]),
            0o600
        );
        assert_eq!(mode(&db_path(&data)), 0o600);
        // The installed database is a node's, not a backup: no mark in it.
        let store = Store::open(&db_path(&data)).expect("open");
        assert!(
            store
                .read()
                .expect("read")
                .meta_get(BACKUP_MARK)
                .expect("meta")
                .is_none()
        );
        // Leftovers of a crashed backup are cleaned at the next one.
        fs::write(dir.path().join("backups/volost-x.redb.partial"), b"half").expect("write");
        assert_eq!(clean_leftovers(&dir.path().join("backups")), 1);
    }
}
