//! `volost check`: every row decodes, every index entry a row implies is present with the
//! right value, and the index holds nothing else. Streams, so it runs in bounded memory on a
//! database of any size.

use super::tables::INDEX;
use super::{Read, Record, Rx, StoreError};
use crate::domain::*;
use redb::ReadableTableMetadata;

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

fn check_type<R: Record>(
    rx: &Rx,
    rep: &mut CheckReport,
    expected: &mut u64,
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

pub fn run(rx: &Rx) -> Result<CheckReport, StoreError> {
    let mut rep = CheckReport::default();
    let mut expected = 0u64;
    check_type::<Org>(rx, &mut rep, &mut expected)?;
    check_type::<Department>(rx, &mut rep, &mut expected)?;
    check_type::<Group>(rx, &mut rep, &mut expected)?;
    check_type::<Role>(rx, &mut rep, &mut expected)?;
    check_type::<User>(rx, &mut rep, &mut expected)?;
    check_type::<Service>(rx, &mut rep, &mut expected)?;
    check_type::<RequestKind>(rx, &mut rep, &mut expected)?;
    check_type::<Applicant>(rx, &mut rep, &mut expected)?;
    check_type::<Application>(rx, &mut rep, &mut expected)?;
    check_type::<Process>(rx, &mut rep, &mut expected)?;
    check_type::<Task>(rx, &mut rep, &mut expected)?;
    check_type::<OutgoingRequest>(rx, &mut rep, &mut expected)?;
    check_type::<IncomingRequest>(rx, &mut rep, &mut expected)?;
    check_type::<RegionalRequest>(rx, &mut rep, &mut expected)?;
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
