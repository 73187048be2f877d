//! History of entities and the audit log: written only from here.

use super::{Actor, Node, Result, W};
use volost_domain::*;
use volost_store::{self as store, Read, Tx, codec};

pub(crate) fn append(tx: &mut Tx, e: Entity, id: u64, entry: HistoryEntry) -> Result<()> {
    Ok(store::history::append(tx, e, id, &entry)?)
}

pub(crate) fn read(t: &impl Read, e: Entity, id: u64) -> Result<Vec<HistoryEntry>> {
    Ok(store::history::read(t, e, id)?)
}

pub(crate) fn audit(w: &mut W, op: &str) -> Result<()> {
    let seq = w.tx.audit_next_seq()?;
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
    /// A number that grows with every write to the node: lists on screen compare it to
    /// refresh when another session changed something.
    pub fn change_seq(&self, actor: Actor) -> Result<u64> {
        self.read(actor, |r| Ok(r.rx.audit_last_seq()?))
    }

    /// The last `n` audit entries of the actor's body (administrators and monitoring only).
    pub fn audit_tail(&self, actor: Actor, n: usize) -> Result<Vec<AuditEntry>> {
        let n = n.min(super::MAX_PAGE);
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
