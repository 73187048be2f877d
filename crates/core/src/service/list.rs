//! Paged scans over list indexes: filters are tested on the index entry's summary, so a page
//! costs a range scan plus one row read per shown row, never a scan of the table.

use super::Result;
use serde::de::DeserializeOwned;
pub use volost_api::view::{Cursor, Page};
use volost_domain::Ts;
use volost_store::keys::{Key, prefix_end, prefix_upper};
use volost_store::{Read, StoreError, codec};

/// The ids (trailing u64 of each key) of up to `limit` index entries starting with `prefix`.
pub(crate) fn ids_with_prefix(t: &impl Read, prefix: &[u8], limit: usize) -> Result<Vec<u64>> {
    let limit = limit.min(MAX_PAGE);
    let end = prefix_upper(prefix);
    let mut out = Vec::new();
    t.scan_index(prefix, &end, false, &mut |k, _| {
        if out.len() == limit {
            return Ok(false);
        }
        out.extend(volost_store::keys::trailing_id(k));
        Ok(true)
    })?;
    Ok(out)
}

/// The row the first index entry under `prefix` names, if any (lookups by a unique key:
/// a MessageID, a route).
pub(crate) fn first_with_prefix<T: volost_store::Record>(
    t: &impl Read,
    prefix: &[u8],
) -> Result<Option<T>> {
    match ids_with_prefix(t, prefix, 1)?.first() {
        Some(id) => Ok(t.get::<T>(*id)?),
        None => Ok(None),
    }
}

/// Longest scan for one page. A filter that matches almost nothing ends a page early with
/// a cursor, so no single request holds the database for long.
pub const MAX_SCAN: usize = 200_000;

/// Most rows one page may hold, whatever a client asks for: a page is built in memory.
pub const MAX_PAGE: usize = 1000;

/// The part of a list index one query reads: keys that start with `prefix` and, when the
/// query's filters allow a tighter range (a period on the sort column, say), lie in `[lo, hi)`.
pub(crate) struct Span {
    prefix: Vec<u8>,
    lo: Option<Vec<u8>>,
    hi: Option<Vec<u8>>,
    /// `[from, to)` of the creation time that the last 16 bytes of every key hold
    /// (`created i64 ++ id u64`), tested on the key before the summary is decoded.
    created: Option<(i64, i64)>,
}

impl Span {
    pub fn new(prefix: Key) -> Span {
        Span {
            prefix: prefix.0,
            lo: None,
            hi: None,
            created: None,
        }
    }
    /// Keys from `k` on (it must start with the prefix to narrow anything).
    pub fn from(mut self, k: Key) -> Span {
        if self.lo.as_ref().is_none_or(|lo| k.0 > *lo) {
            self.lo = Some(k.0);
        }
        self
    }
    /// Keys before `k`.
    pub fn until(mut self, k: Key) -> Span {
        if self.hi.as_ref().is_none_or(|hi| k.0 < *hi) {
            self.hi = Some(k.0);
        }
        self
    }
    /// Keys that start with `k`, a longer prefix.
    pub fn within(self, k: Key) -> Span {
        let end = prefix_end(&k.0);
        let s = self.from(k);
        match end {
            Some(e) => s.until(Key(e)),
            None => s,
        }
    }
    /// Keys `k ++ created ++ …` with `created` in `[from, to)`: the period filter of a list
    /// whose key has the creation time right after `k`.
    pub fn period(self, k: Key, from: Option<Ts>, to: Option<Ts>) -> Span {
        let s = match from {
            Some(x) => self.from(k.clone().i64(x.0)),
            None => self,
        };
        match to {
            Some(x) => s.until(k.i64(x.0)),
            None => s,
        }
    }
    /// For lists whose keys end with `created i64 ++ id u64`: skips entries created outside
    /// `[from, to)` by their key alone. Most entries a period filter passes over fail it, and
    /// the key test is cheaper than decoding their summaries.
    pub fn created_in_key(mut self, from: Option<Ts>, to: Option<Ts>) -> Span {
        if from.is_some() || to.is_some() {
            self.created = Some((from.map_or(i64::MIN, |t| t.0), to.map_or(i64::MAX, |t| t.0)));
        }
        self
    }
    fn key_created_ok(&self, k: &[u8]) -> bool {
        let Some((from, to)) = self.created else {
            return true;
        };
        let Some(b) = k.len().checked_sub(16).and_then(|s| k.get(s..s + 8)) else {
            return true;
        };
        let Ok(b) = <[u8; 8]>::try_from(b) else {
            return true;
        };
        let c = (u64::from_be_bytes(b) ^ (1 << 63)) as i64;
        from <= c && c < to
    }
    /// `[from, to)` of the scan from `after`, in the direction asked.
    fn range(&self, after: Option<&Cursor>, desc: bool) -> (Vec<u8>, Vec<u8>) {
        let end = prefix_upper(&self.prefix);
        let mut from = self.prefix.clone();
        let mut to = end;
        if let Some(lo) = &self.lo
            && *lo > from
        {
            from.clone_from(lo);
        }
        if let Some(hi) = &self.hi
            && *hi < to
        {
            to.clone_from(hi);
        }
        match (after, desc) {
            (Some(c), false) if c.0 > from => from.clone_from(&c.0),
            (Some(c), true) => {
                // The cursor's own entry is next, so the exclusive end is just past it.
                let mut end = c.0.clone();
                end.push(0);
                if end < to {
                    to = end;
                }
            }
            _ => {}
        }
        (from, to)
    }
}

/// Scans `span` in order (or reversed) from `after`, keeping entries whose summary passes
/// `keep`, until `limit` are found. Returns the ids (trailing u64 of each key) and the cursor.
pub(crate) fn scan<S: DeserializeOwned>(
    t: &impl Read,
    span: &Span,
    desc: bool,
    after: Option<&Cursor>,
    limit: usize,
    mut keep: impl FnMut(&S) -> bool,
) -> Result<(Vec<u64>, Option<Cursor>)> {
    scan_entries(t, span, desc, after, limit, |v| {
        let (_, body) = codec::split(v)?;
        let s: S = codec::body("summary", body)?;
        Ok(keep(&s))
    })
}

/// [`scan`] over an index whose entries carry no summary: every entry in the span is kept.
pub(crate) fn scan_all(
    t: &impl Read,
    span: &Span,
    desc: bool,
    after: Option<&Cursor>,
    limit: usize,
) -> Result<(Vec<u64>, Option<Cursor>)> {
    scan_entries(t, span, desc, after, limit, |_| Ok(true))
}

fn scan_entries(
    t: &impl Read,
    span: &Span,
    desc: bool,
    after: Option<&Cursor>,
    limit: usize,
    mut keep: impl FnMut(&[u8]) -> std::result::Result<bool, StoreError>,
) -> Result<(Vec<u64>, Option<Cursor>)> {
    if let Some(c) = after
        && !c.0.starts_with(&span.prefix)
    {
        // A cursor from another list is refused rather than followed outside this prefix.
        return Err(super::Error::invalid("cursor", "Неверная позиция списка"));
    }
    let limit = limit.min(MAX_PAGE);
    let (from, to) = span.range(after, desc);
    let mut ids = Vec::with_capacity(limit);
    if from >= to {
        return Ok((ids, None));
    }
    let mut scanned = 0usize;
    let mut next = None;
    t.scan_index(&from, &to, desc, &mut |k, v| {
        if ids.len() == limit || scanned == MAX_SCAN {
            // Only the stopping key is copied: a scan may pass 10^5 entries.
            next = Some(Cursor(k.to_vec()));
            return Ok(false);
        }
        scanned += 1;
        if !span.key_created_ok(k) {
            return Ok(true);
        }
        if keep(v)? {
            let id = volost_store::keys::trailing_id(k)
                .ok_or_else(|| StoreError::Corrupt("short list key".into()))?;
            ids.push(id);
        }
        Ok(true)
    })?;
    Ok((ids, next))
}
