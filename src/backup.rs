//! Online backups and restore. A backup is a new redb file holding every table as of one read
//! transaction, so it is consistent while staff keep working; it is written under a
//! `.partial` name and renamed only once complete and synced, so a crash mid-way never leaves
//! a file that looks like a backup.

use crate::service::{Error, Node, Result, db_path};
use crate::store::{Store, StoreError, check};
use std::fs;
use std::path::{Path, PathBuf};

const PREFIX: &str = "volost-";
const SUFFIX: &str = ".redb";

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

/// Makes a rename durable: the directory entry itself is synced.
fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("sync", dir, &e))
}

fn name(at: crate::domain::Ts) -> String {
    let t = at.to_datetime();
    format!(
        "{PREFIX}{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}{SUFFIX}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Takes a backup into `dir` (made if missing) and keeps the newest `keep` there.
pub fn take(node: &Node, dir: &Path, keep: usize) -> Result<PathBuf> {
    fs::create_dir_all(dir).map_err(|e| io("create", dir, &e))?;
    // Names are UTC times to the millisecond; a name already taken moves on by a millisecond,
    // so that the order of names stays the order of backups.
    let mut at = node.now();
    let mut path = dir.join(name(at));
    while path.exists() {
        at = crate::domain::Ts(at.0 + 1);
        path = dir.join(name(at));
    }
    let partial = path.with_extension("redb.partial");
    // A leftover from a crashed run is garbage by construction.
    let _ = fs::remove_file(&partial);
    let started = std::time::Instant::now();
    if let Err(e) = node.store().backup_to(&partial) {
        let _ = fs::remove_file(&partial);
        return Err(e.into());
    }
    fs::rename(&partial, &path).map_err(|e| io("rename", &partial, &e))?;
    sync_dir(dir)?;
    let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    tracing::info!(
        path = %path.display(),
        bytes = size,
        ms = started.elapsed().as_millis() as u64,
        "backup taken"
    );
    prune(dir, keep)?;
    Ok(path)
}

/// The backups in `dir`, oldest first (their names sort by time).
pub fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io("read", dir, &e)),
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
            out.push(e.path());
        }
    }
    out.sort();
    Ok(out)
}

fn prune(dir: &Path, keep: usize) -> Result<()> {
    let all = list(dir)?;
    let extra = all.len().saturating_sub(keep.max(1));
    for old in &all[..extra] {
        fs::remove_file(old).map_err(|e| io("remove", old, &e))?;
        tracing::info!(path = %old.display(), "old backup removed");
    }
    Ok(())
}

/// What `restore` did.
#[derive(Debug)]
pub struct Restored {
    /// Where the database that was replaced was moved, if there was one.
    pub previous: Option<PathBuf>,
    pub check: check::CheckReport,
}

/// Replaces the database in `data_dir` with `backup`. The backup is checked first (every
/// row and index); a failing one is refused and nothing changes. The current database is
/// kept beside, renamed. Refuses while the daemon holds the database.
pub fn restore(backup: &Path, data_dir: &Path, stamp: &str) -> Result<Restored> {
    let report = {
        let store = Store::open(backup)?;
        check::run(&store.read()?)?
    };
    if !report.ok() {
        return Err(Error::Storage(StoreError::Corrupt(format!(
            "backup {} fails the check: {}",
            backup.display(),
            report.problems.join("; ")
        ))));
    }
    let target = db_path(data_dir);
    let previous = if target.exists() {
        // Opening it proves no daemon holds it; the handle is dropped before the rename. A
        // database too damaged to open is what a restore is for, so only a lock refuses.
        if let Err(StoreError::Locked) = Store::open(&target) {
            return Err(StoreError::Locked.into());
        }
        let aside = data_dir.join(format!("volost.redb.before-restore-{stamp}"));
        fs::rename(&target, &aside).map_err(|e| io("rename", &target, &e))?;
        Some(aside)
    } else {
        fs::create_dir_all(data_dir).map_err(|e| io("create", data_dir, &e))?;
        None
    };
    let tmp = data_dir.join("volost.redb.restoring");
    fs::copy(backup, &tmp).map_err(|e| io("copy", backup, &e))?;
    fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("sync", &tmp, &e))?;
    fs::rename(&tmp, &target).map_err(|e| io("rename", &tmp, &e))?;
    sync_dir(data_dir)?;
    Ok(Restored {
        previous,
        check: report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::domain::Ts;
    use crate::service::{NewOrg, Options};
    use std::sync::Arc;

    #[test]
    fn backups_are_named_in_time_order_and_pruned_to_keep() {
        let dir = tempfile::tempdir().expect("tmp");
        let clock = Arc::new(FixedClock::new(Ts(1_795_402_800_000)));
        let r = Node::init(
            &dir.path().join("data"),
            &NewOrg {
                name: "Администрация сельсовета".into(),
                ..NewOrg::default()
            },
            "admin",
            clock.clone(),
            Options::for_tests(),
        )
        .expect("init");
        let to = dir.path().join("backups");
        // Three in the same millisecond, then one later: names keep the order taken.
        let mut taken = Vec::new();
        for _ in 0..3 {
            taken.push(take(&r.node, &to, 10).expect("backup"));
        }
        clock.advance_ms(60_000);
        taken.push(take(&r.node, &to, 2).expect("backup"));
        let left = list(&to).expect("list");
        assert_eq!(left, taken[2..].to_vec());
        let name = left[1].file_name().map(|n| n.to_string_lossy().to_string());
        assert_eq!(name.as_deref(), Some("volost-20261123-030100-000.redb"));
        // A backup is a database that opens and passes the check.
        let store = Store::open(&left[1]).expect("open backup");
        assert!(
            check::run(&store.read().expect("read"))
                .expect("check")
                .ok()
        );
    }
}
