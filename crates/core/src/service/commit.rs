//! Group commit: write operations that arrive together share one redb write transaction and
//! one fsync, and each caller returns only after that durable commit.
//!
//! There is no writer thread. Each caller runs its own operation inside the shared open
//! transaction, one at a time under the mutex; the caller that finds nobody else still
//! arriving commits for all. While a commit is syncing, new arrivals wait, and then form the
//! next group together: the longer a sync takes, the larger the next group.
//!
//! An operation that fails before writing anything leaves the shared transaction as it was
//! (the common case: rights, status and validation are checked before any write). One that
//! fails after writing cannot be undone on its own (redb offers no savepoint inside a dirty
//! transaction), so the whole transaction is dropped and the operations already applied to it
//! run again in the next one. That is why operations are `Fn`: they are functions of the
//! database state and their input, and none of them has been answered yet.

use super::{Error, Node, Result, W, history, resolve};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, MutexGuard};
use volost_store::{StoreError, Tx};

#[derive(Default)]
pub(crate) struct Group {
    state: Mutex<State>,
    cv: Condvar,
}

#[derive(Default)]
struct State {
    /// The transaction collecting operations, and its epoch.
    open: Option<(Tx, u64)>,
    /// Operations applied to `open` that wait for its commit.
    applied: usize,
    /// Callers that have arrived and not yet run their operation.
    arriving: usize,
    committing: bool,
    next_epoch: u64,
    /// How finished epochs ended, with the number of callers yet to read it.
    outcomes: HashMap<u64, (Outcome, usize)>,
    /// Figures for `/metrics`.
    stats: GroupStats,
}

#[derive(Clone)]
enum Outcome {
    Committed,
    /// Dropped because an operation failed after writing: the others run again.
    Retry,
    Failed(StoreError),
}

/// Counters of the group commit since the node opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupStats {
    pub commits: u64,
    pub operations: u64,
    pub largest_group: u64,
    pub retried_groups: u64,
    /// Time spent in commits (writing pages and syncing), in microseconds.
    pub commit_micros: u64,
}

impl Group {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is only changed by this module's own code, which does not panic while
        // holding the lock (operations run under `catch_unwind`), so a poisoned lock still
        // holds consistent counters.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.cv.wait(g).unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn stats(&self) -> GroupStats {
        self.lock().stats
    }
}

impl Node {
    /// Runs one write operation in the current group: resolve the actor, run `f`, audit; the
    /// result is returned once the group's transaction is durably committed.
    pub(crate) fn grouped<T>(
        &self,
        actor: super::Actor,
        op: &'static str,
        allow_pending_password: bool,
        f: impl Fn(&mut W) -> Result<T>,
    ) -> Result<T> {
        let g = &self.group;
        let mut st = g.lock();
        st.arriving += 1;
        loop {
            while st.committing {
                st = g.wait(st);
            }
            let (tx, epoch) = match st.open.take() {
                Some(open) => open,
                None => match self.store.begin() {
                    Ok(tx) => {
                        st.next_epoch += 1;
                        (tx, st.next_epoch)
                    }
                    Err(e) => {
                        st.arriving -= 1;
                        g.cv.notify_all();
                        return Err(e.into());
                    }
                },
            };
            let before = tx.writes();
            let who = match resolve(&tx, actor, allow_pending_password) {
                Ok(who) => who,
                Err(e) => {
                    st.open = Some((tx, epoch));
                    st.arriving -= 1;
                    drop(self.commit_if_last(st));
                    return Err(e);
                }
            };
            let mut w = self.writer(tx, who);
            let out = catch_unwind(AssertUnwindSafe(|| {
                let out = f(&mut w)?;
                history::audit(&mut w, op)?;
                Ok(out)
            }))
            .unwrap_or_else(|_| {
                tracing::error!(op, "operation panicked; its group is rolled back");
                Err(Error::Internal(format!("{op} panicked")))
            });
            let dirty = w.tx.writes() != before;
            let targets = std::mem::take(&mut w.targets);
            let tx = w.tx;
            st.arriving -= 1;
            let value = match out {
                Ok(v) => {
                    st.open = Some((tx, epoch));
                    st.applied += 1;
                    v
                }
                Err(e) if dirty => {
                    drop(tx);
                    if st.applied > 0 {
                        let waiting = st.applied;
                        st.outcomes.insert(epoch, (Outcome::Retry, waiting));
                        st.stats.retried_groups += 1;
                    }
                    st.applied = 0;
                    g.cv.notify_all();
                    tracing::debug!(op, error = %e, "failed after writing; group rolled back");
                    return Err(e);
                }
                Err(e) => {
                    st.open = Some((tx, epoch));
                    drop(self.commit_if_last(st));
                    return Err(e);
                }
            };
            st = self.commit_if_last(st);
            loop {
                if let Some((outcome, left)) = st.outcomes.get_mut(&epoch) {
                    let outcome = outcome.clone();
                    *left -= 1;
                    if *left == 0 {
                        st.outcomes.remove(&epoch);
                    }
                    match outcome {
                        Outcome::Committed => {
                            tracing::debug!(op, ?targets, "committed");
                            if targets.iter().any(|t| t.starts_with("outbox:")) {
                                self.outbox_changed();
                            }
                            return Ok(value);
                        }
                        Outcome::Failed(e) => return Err(e.into()),
                        Outcome::Retry => {
                            st.arriving += 1;
                            break;
                        }
                    }
                }
                st = g.wait(st);
                st = self.commit_if_last(st);
            }
        }
    }

    /// Commits the open transaction if nobody else is still arriving to join it.
    fn commit_if_last<'a>(&'a self, mut st: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        if st.committing || st.arriving > 0 {
            return st;
        }
        let Some((tx, epoch)) = st.open.take() else {
            return st;
        };
        let n = std::mem::take(&mut st.applied);
        if n == 0 {
            // Only failed operations, which wrote nothing: nothing to commit.
            return st;
        }
        st.committing = true;
        drop(st);
        // A duration for /metrics, not a time any rule reads.
        #[allow(clippy::disallowed_methods)]
        let started = std::time::Instant::now();
        let result = tx.commit();
        let took = started.elapsed().as_micros() as u64;
        let mut st = self.group.lock();
        st.committing = false;
        st.stats.commit_micros += took;
        let outcome = match result {
            Ok(()) => {
                st.stats.commits += 1;
                st.stats.operations += n as u64;
                st.stats.largest_group = st.stats.largest_group.max(n as u64);
                Outcome::Committed
            }
            Err(e) => {
                tracing::error!(error = %e, operations = n, "group commit failed");
                Outcome::Failed(e)
            }
        };
        st.outcomes.insert(epoch, (outcome, n));
        self.group.cv.notify_all();
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::service::{Actor, Options};
    use std::sync::{Arc, Barrier};
    use volost_domain::OrgId;
    use volost_store::{Read, Store};

    fn counter(node: &Node, key: &str) -> Option<u64> {
        let rx = node.store.read().ok()?;
        let b = rx.meta_get(key).ok()??;
        Some(u64::from_be_bytes(b.try_into().ok()?))
    }

    /// Operations that fail after writing (and one that panics) must take nothing of theirs
    /// into the database and nothing of anyone else's out of it, however they are grouped.
    #[test]
    fn failures_in_a_group_leave_the_others_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::create(&dir.path().join("t.redb")).expect("create");
        let node = Arc::new(Node::new(
            store,
            Arc::new(SystemClock),
            Options::for_tests(),
        ));
        let n = 24;
        let start = Arc::new(Barrier::new(n));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let node = node.clone();
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    (0..10)
                        .map(|round| {
                            node.write(Actor::System(OrgId(1)), "test.bump", |w| {
                                w.tx.bump(&format!("t:{i}:{round}"))?;
                                match (i % 6, round % 3) {
                                    (1, 0) => Err(Error::Conflict("after a write".into())),
                                    (2, 1) => panic!("a bug in an operation"),
                                    _ => Ok(()),
                                }
                            })
                            .is_ok()
                        })
                        .collect::<Vec<bool>>()
                })
            })
            .collect();
        let results: Vec<Vec<bool>> = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect();
        for (i, rounds) in results.iter().enumerate() {
            for (round, ok) in rounds.iter().enumerate() {
                let should_fail = matches!((i % 6, round % 3), (1, 0) | (2, 1));
                assert_eq!(*ok, !should_fail, "op {i}/{round}");
                let expect = if should_fail { None } else { Some(1) };
                assert_eq!(
                    counter(&node, &format!("t:{i}:{round}")),
                    expect,
                    "op {i}/{round}"
                );
            }
        }
        let stats = node.commit_stats();
        let ok = results.iter().flatten().filter(|ok| **ok).count() as u64;
        assert_eq!(stats.operations, ok, "{stats:?}");
    }
}
