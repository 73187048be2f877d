//! `volost check`: every row decodes, every index entry a row implies is present with the
//! right value, and the index holds nothing else. Streams, so it runs in bounded memory on a
//! database of any size.

use super::tables::INDEX;
use super::{Read, Record, Rx, StoreError};
use redb::ReadableTableMetadata;
use volost_domain::*;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub rows: Vec<(&'static str, u64)>,
    pub index_entries: u64,
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

const MAX_PROBLEMS: usize = 100;

/// A rule a row must keep beyond its index entries: `Some(problem)` when broken.
type Rule<'a, R> = &'a dyn Fn(&Rx, &R) -> Result<Option<String>, StoreError>;

fn no_rule<R>(_: &Rx, _: &R) -> Result<Option<String>, StoreError> {
    Ok(None)
}

fn check_type<R: Record>(
    rx: &Rx,
    rep: &mut CheckReport,
    expected: &mut u64,
    rule: Rule<R>,
) -> Result<(), StoreError> {
    let ix = match rx.r.open_table(INDEX) {
        Ok(t) => Some(t),
        Err(redb::TableError::TableDoesNotExist(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let mut n = 0u64;
    let mut entries = Vec::new();
    rx.scan_rows(R::TABLE, 0, &mut |id, bytes| {
        n += 1;
        let row = match R::decode(bytes) {
            Ok(r) => r,
            Err(e) => {
                if rep.problems.len() < MAX_PROBLEMS {
                    rep.problems.push(format!("{} {id}: {e}", R::KIND));
                }
                return Ok(true);
            }
        };
        if row.key() != id {
            rep.problems.push(format!(
                "{} {id}: stored under the wrong key {}",
                R::KIND,
                row.key()
            ));
        }
        if let Some(p) = rule(rx, &row)?
            && rep.problems.len() < MAX_PROBLEMS
        {
            rep.problems.push(format!("{} {id}: {p}", R::KIND));
        }
        entries.clear();
        row.index(&mut entries)?;
        for (k, v) in &entries {
            *expected += 1;
            let found = match &ix {
                Some(t) => t.get(k.as_slice())?.map(|g| g.value() == v.as_slice()),
                None => None,
            };
            let problem = match found {
                Some(true) => continue,
                Some(false) => "index entry has a stale value",
                None => "index entry missing",
            };
            if rep.problems.len() < MAX_PROBLEMS {
                rep.problems
                    .push(format!("{} {id}: {problem} (index {})", R::KIND, k[0]));
            }
        }
        Ok(true)
    })?;
    rep.rows.push((R::KIND, n));
    Ok(())
}

/// The status a row holds is the one its last status-changing history entry recorded.
fn status_rule(rx: &Rx, e: Entity, id: u64, status: u8) -> Result<Option<String>, StoreError> {
    let last = super::history::read(rx, e, id)?
        .into_iter()
        .rev()
        .find_map(|h| h.status);
    Ok(match last {
        Some(s) if s == status => None,
        Some(s) => Some(format!(
            "status {status} differs from its history's last status {s}"
        )),
        None => Some(format!("status {status} has no history entry")),
    })
}

/// List queries seek by this: a task is never due before the day it was created (UTC, with
/// a day for the node's offset).
fn due_rule(_: &Rx, t: &Task) -> Result<Option<String>, StoreError> {
    let created = t.created.date(time::UtcOffset::UTC);
    let floor = created.previous_day().unwrap_or(created);
    Ok((t.due < floor).then(|| format!("due {} before its creation {created}", t.due)))
}

/// A task is open only while its process and its application are: an application that
/// ended closes its process's tasks with it.
fn open_task_rule(rx: &Rx, t: &Task) -> Result<Option<String>, StoreError> {
    if let Some(p) = due_rule(rx, t)? {
        return Ok(Some(p));
    }
    if t.completed.is_some() {
        return Ok(None);
    }
    if let Some(p) = rx.get::<Process>(t.process.0)?
        && p.finished.is_some()
    {
        return Ok(Some(format!("open, but its process {} is finished", p.id)));
    }
    if let Some(id) = t.application
        && let Some(a) = rx.get::<Application>(id.0)?
        && application_ended(a.status)
    {
        return Ok(Some(format!(
            "open, but its application {} ended («{}»)",
            a.number,
            a.status.label()
        )));
    }
    Ok(None)
}

/// An attachment's bytes are there, of its size and digest.
fn file_rule(rx: &Rx, f: &Attachment) -> Result<Option<String>, StoreError> {
    let Some(data) = rx.get_raw(super::tables::FILE_DATA, f.id.0)? else {
        return Ok(Some("its data is missing".into()));
    };
    if data.len() as u64 != f.size {
        return Ok(Some(format!(
            "holds {} bytes where {} were recorded",
            data.len(),
            f.size
        )));
    }
    let digest = super::sha256_hex(&data);
    Ok((digest != f.sha256).then(|| format!("data digest {digest} differs from {}", f.sha256)))
}

/// A package's digest is its `kind.toml`'s, which pins the rest (the adapter checks those
/// hashes when it loads the package); one package per kind code.
fn package_rule(rx: &Rx, p: &KindPackage) -> Result<Option<String>, StoreError> {
    let Some(desc) = p.files.iter().find(|f| f.path == "kind.toml") else {
        return Ok(Some("has no kind.toml".into()));
    };
    let digest = super::sha256_hex(&desc.data);
    if digest != p.digest {
        return Ok(Some(format!(
            "kind.toml's digest {digest} differs from {}",
            p.digest
        )));
    }
    let prefix = super::records::package_code_key(&p.info.code).0;
    let mut others = 0;
    rx.scan_index(
        &prefix,
        &super::keys::prefix_upper(&prefix),
        false,
        &mut |k, _| {
            if super::keys::trailing_id(k) != Some(p.id.0) {
                others += 1;
            }
            Ok(true)
        },
    )?;
    Ok((others > 0).then(|| format!("another package has the code {}", p.info.code)))
}

pub fn run(rx: &Rx) -> Result<CheckReport, StoreError> {
    let mut rep = CheckReport::default();
    let mut expected = 0u64;
    check_type::<Org>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Department>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Group>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Role>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<User>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Service>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<RequestKind>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Applicant>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Application>(rx, &mut rep, &mut expected, &|rx, row: &Application| {
        status_rule(rx, Entity::Application, row.id.0, row.status.code())
    })?;
    check_type::<Process>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Task>(rx, &mut rep, &mut expected, &open_task_rule)?;
    check_type::<OutgoingRequest>(rx, &mut rep, &mut expected, &|rx, row: &OutgoingRequest| {
        status_rule(rx, Entity::Outgoing, row.id.0, row.status as u8)
    })?;
    check_type::<IncomingRequest>(rx, &mut rep, &mut expected, &|rx, row: &IncomingRequest| {
        status_rule(rx, Entity::Incoming, row.id.0, row.status as u8)
    })?;
    check_type::<RegionalRequest>(rx, &mut rep, &mut expected, &|rx, row: &RegionalRequest| {
        status_rule(rx, Entity::Regional, row.id.0, row.status as u8)
    })?;
    check_type::<Attachment>(rx, &mut rep, &mut expected, &file_rule)?;
    check_type::<OutboxItem>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<Route>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<PersonalCert>(rx, &mut rep, &mut expected, &|rx, c: &PersonalCert| {
        Ok(match rx.get::<User>(c.id.0)? {
            None => Some("its user is missing".into()),
            Some(u) if u.org != c.org => Some("its user belongs to another body".into()),
            Some(_) => None,
        })
    })?;
    check_type::<KindPackage>(rx, &mut rep, &mut expected, &package_rule)?;
    check_type::<DocTemplate>(rx, &mut rep, &mut expected, &no_rule)?;
    check_type::<InboxEntry>(rx, &mut rep, &mut expected, &|rx, e: &InboxEntry| {
        Ok(match rx.get_raw(super::tables::INBOX_DATA, e.id)? {
            None => Some("its bytes are missing".into()),
            Some(b) if b.len() as u64 != e.size => Some(format!(
                "holds {} bytes where {} were recorded",
                b.len(),
                e.size
            )),
            Some(_) => None,
        })
    })?;
    let blobs = rx.count_rows(super::tables::FILE_DATA)?;
    let files = rep
        .rows
        .iter()
        .find(|r| r.0 == Attachment::KIND)
        .map_or(0, |r| r.1);
    if blobs != files {
        rep.problems.push(format!(
            "file_data holds {blobs} entries where there are {files} files"
        ));
    }
    let actual = match rx.r.open_table(INDEX) {
        Ok(t) => t.len()?,
        Err(redb::TableError::TableDoesNotExist(_)) => 0,
        Err(e) => return Err(e.into()),
    };
    rep.index_entries = actual;
    // Every expected entry is present (checked above) and keys are unique per row, so equal
    // counts mean the index holds nothing else.
    if actual != expected {
        rep.problems.push(format!(
            "index holds {actual} entries where the rows imply {expected}: {} orphaned",
            actual.saturating_sub(expected)
        ));
    }
    Ok(rep)
}
