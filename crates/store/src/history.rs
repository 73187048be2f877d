//! How history entries are keyed and encoded: `[entity][id u64][seq u32]`, a version byte,
//! then postcard. Version 2 added [`HistoryEntry::status`]; version 1 entries are still read.

use super::keys::Key;
use super::{Read, StoreError, Tx, codec};
use serde::Deserialize;
use volost_domain::{Entity, HistoryEntry, Ts, UserId};

pub const VERSION: u8 = 2;

pub fn prefix(e: Entity, id: u64) -> Key {
    Key::new(e as u8).u64(id)
}

/// A history entry as version 1 wrote it: without `status`.
#[derive(Deserialize)]
struct V1 {
    at: Ts,
    by: Option<UserId>,
    what: String,
    comment: String,
}

pub fn decode(bytes: &[u8]) -> Result<HistoryEntry, StoreError> {
    let (v, body) = codec::split(bytes)?;
    match v {
        VERSION => codec::body("history", body),
        1 => {
            let e: V1 = codec::body("history v1", body)?;
            Ok(HistoryEntry {
                at: e.at,
                by: e.by,
                what: e.what,
                comment: e.comment,
                status: None,
            })
        }
        v if v > VERSION => Err(StoreError::TooNew {
            found: u32::from(v),
            supported: u32::from(VERSION),
        }),
        v => Err(StoreError::Corrupt(format!(
            "history entry of unknown version {v}"
        ))),
    }
}

/// Appends after the entity's last entry: one reverse lookup, however long the history.
pub fn append(tx: &mut Tx, e: Entity, id: u64, entry: &HistoryEntry) -> Result<(), StoreError> {
    let p = prefix(e, id);
    let seq = match tx.history_last_key(&p.0)? {
        Some(k) => {
            let tail: [u8; 4] = k
                .get(k.len().saturating_sub(4)..)
                .and_then(|t| t.try_into().ok())
                .ok_or_else(|| StoreError::Corrupt("short history key".into()))?;
            u32::from_be_bytes(tail)
                .checked_add(1)
                .ok_or_else(|| StoreError::Corrupt("history sequence overflow".into()))?
        }
        None => 0,
    };
    tx.history_put(&p.u32(seq).0, &codec::encode(VERSION, entry)?)
}

pub fn read(t: &impl Read, e: Entity, id: u64) -> Result<Vec<HistoryEntry>, StoreError> {
    t.history_raw(&prefix(e, id).0)?
        .iter()
        .map(|b| decode(b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct OldEntry<'a> {
        at: Ts,
        by: Option<UserId>,
        what: &'a str,
        comment: &'a str,
    }

    #[test]
    fn version_1_entries_are_read_without_a_status() {
        let old = OldEntry {
            at: Ts(1_795_402_800_000),
            by: Some(UserId(7)),
            what: "Зарегистрировано",
            comment: "",
        };
        let bytes = codec::encode(1, &old).expect("encode");
        let e = decode(&bytes).expect("v1 decodes");
        assert_eq!(e.what, "Зарегистрировано");
        assert_eq!(e.by, Some(UserId(7)));
        assert_eq!(e.status, None);

        let mut newer = codec::encode(VERSION, &e).expect("encode");
        assert_eq!(decode(&newer).expect("v2 decodes"), e);
        newer[0] = VERSION + 1;
        assert!(matches!(decode(&newer), Err(StoreError::TooNew { .. })));
    }
}
