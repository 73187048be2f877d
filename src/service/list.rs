//! Paged scans over list indexes: filters are tested on the index entry's summary, so a page
//! costs a range scan plus one row read per shown row, never a scan of the table.

use super::Result;
use crate::store::keys::prefix_end;
use crate::store::{Read, StoreError, codec};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Where the next page starts: the last index key the previous page looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub Vec<u8>);

/// One page of a list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Present when there may be more rows after this page.
    pub next: Option<Cursor>,
}

/// The ids (trailing u64 of each key) of up to `limit` index entries starting with `prefix`.
pub(crate) fn ids_with_prefix(t: &impl Read, prefix: &[u8], limit: usize) -> Result<Vec<u64>> {
    let end = prefix_end(prefix).unwrap_or_else(|| vec![0xff; prefix.len() + 1]);
    let mut out = Vec::new();
    t.scan_index(prefix, &end, false, &mut |k, _| {
        if out.len() == limit {
            return Ok(false);
        }
        out.extend(crate::store::keys::trailing_id(k));
        Ok(true)
    })?;
    Ok(out)
}

/// Longest scan for one page. A filter that matches almost nothing ends a page early with
/// a cursor, so no single request holds the database for long.
pub const MAX_SCAN: usize = 200_000;

/// Scans `prefix` in order (or reversed) from `after`, keeping entries whose summary passes
/// `keep`, until `limit` are found. Returns the ids (trailing u64 of each key) and the cursor.
pub(crate) fn scan<S: DeserializeOwned>(
    t: &impl Read,
    prefix: &[u8],
    desc: bool,
    after: Option<&Cursor>,
    limit: usize,
    mut keep: impl FnMut(&S) -> bool,
) -> Result<(Vec<u64>, Option<Cursor>)> {
    if let Some(c) = after
        && !c.0.starts_with(prefix)
    {
        // A cursor from another list is refused rather than followed outside this prefix.
        return Err(super::Error::invalid("cursor", "Неверная позиция списка"));
    }
    let end = prefix_end(prefix).unwrap_or_else(|| vec![0xff; prefix.len() + 1]);
    let (from, to) = match (after, desc) {
        (Some(c), false) => {
            let mut s = c.0.clone();
            s.push(0);
            (s, end)
        }
        (Some(c), true) => (prefix.to_vec(), c.0.clone()),
        (None, _) => (prefix.to_vec(), end),
    };
    let mut ids = Vec::with_capacity(limit);
    let mut scanned = 0usize;
    let mut last: Option<Vec<u8>> = None;
    let mut more = false;
    t.scan_index(&from, &to, desc, &mut |k, v| {
        if ids.len() == limit || scanned == MAX_SCAN {
            more = true;
            return Ok(false);
        }
        scanned += 1;
        last = Some(k.to_vec());
        let (_, body) = codec::split(v)?;
        let s: S = codec::body("summary", body)?;
        if keep(&s) {
            let id = crate::store::keys::trailing_id(k)
                .ok_or_else(|| StoreError::Corrupt("short list key".into()))?;
            ids.push(id);
        }
        Ok(true)
    })?;
    let next = if more { last.map(Cursor) } else { None };
    Ok((ids, next))
}
