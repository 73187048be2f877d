//! History of entities and the audit log: written only from here.

use super::{Actor, Node, Result, W};
use crate::domain::*;
use crate::store::keys::Key;
use crate::store::{Read, Tx, codec};

fn prefix(e: Entity, id: u64) -> Key {
    Key::new(e as u8).u64(id)
}

pub(crate) fn append(tx: &mut Tx, e: Entity, id: u64, entry: HistoryEntry) -> Result<()> {
    let p = prefix(e, id);
    let seq = tx.history_raw(&p.0)?.len() as u32;
    tx.history_put(&p.u32(seq).0, &codec::encode(1, &entry)?)?;
    Ok(())
}

pub(crate) fn read(t: &impl Read, e: Entity, id: u64) -> Result<Vec<HistoryEntry>> {
    t.history_raw(&prefix(e, id).0)?
        .iter()
        .map(|b| {
            let (_, body) = codec::split(b)?;
            Ok(codec::body("history", body)?)
        })
        .collect()
}

pub(crate) fn audit(w: &mut W, op: &str) -> Result<()> {
    let seq = w.tx.bump("seq:audit")?;
    let entry = AuditEntry {
        seq,
        at: w.now,
        user: w.who.user_id(),
        org: Some(w.who.org),
        op: op.to_string(),
        target: w.targets.join(","),
    };
    w.tx.audit_put(seq, &codec::encode(1, &entry)?)?;
    Ok(())
}

impl Node {
    /// The last `n` audit entries of the actor's body (administrators and monitoring only).
    pub fn audit_tail(&self, actor: Actor, n: usize) -> Result<Vec<AuditEntry>> {
        self.read(actor, |r| {
            if !r.who.rights.has(Right::Administer) {
                r.who.require("audit.read", Right::Monitoring)?;
            }
            let mut out = Vec::new();
            // Entries of other bodies are skipped, so read more than asked for.
            for b in r.rx.audit_tail(n.saturating_mul(8).max(n))? {
                let (_, body) = codec::split(&b)?;
                let e: AuditEntry = codec::body("audit", body)?;
                if e.org == Some(r.who.org) {
                    out.push(e);
                    if out.len() == n {
                        break;
                    }
                }
            }
            Ok(out)
        })
    }
}
