//! The node's argon2 memory. Each argon2 run needs its memory cost at once (19 MiB for a
//! password, 64 MiB for a signing PIN). The argon2 crate would allocate it per run from the
//! calling thread's allocator arena, and glibc keeps what a thread's arena once held: 120
//! wrong logins at once left a daemon at 626 MiB resident with only two running at a time.
//! So [`RUNNING`] buffers are made once and lent to the runs; [`WAITING`] more runs wait up
//! to [`WAIT`] for one, and the rest are refused as busy. Used by the passwords of staff
//! (`service::passwords`) and the PINs of their signing keys (`smev::personal`).

use argon2::Block;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Too many argon2 runs are waiting already.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("too many password checks at once")]
pub struct Busy;

/// The size the lent buffers grow to (32 MiB of 1 KiB blocks); a larger run allocates its
/// own memory, which the allocator maps and returns whole.
const STANDING_BLOCKS: usize = 32 * 1024;

const RUNNING: usize = 2;
const WAITING: usize = 32;
const WAIT: Duration = Duration::from_secs(10);

struct Slots {
    /// Buffers free now (a run holds one), and runs waiting.
    state: Mutex<(Vec<Vec<Block>>, usize)>,
    freed: Condvar,
}

static SLOTS: Slots = Slots {
    state: Mutex::new((Vec::new(), 0)),
    freed: Condvar::new(),
};

/// Lends `f` a buffer of `blocks` blocks when one is free.
pub fn in_slot<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> Result<T, Busy> {
    let busy = || Busy;
    let mut st = SLOTS.state.lock().unwrap_or_else(|p| p.into_inner());
    // The buffers exist from the first run on; before it, made here.
    static MADE: std::sync::Once = std::sync::Once::new();
    MADE.call_once(|| st.0 = (0..RUNNING).map(|_| Vec::new()).collect());
    if st.0.is_empty() {
        if st.1 >= WAITING {
            tracing::warn!("an argon2 run refused: {WAITING} already waiting");
            return Err(busy());
        }
        st.1 += 1;
        let (s, timeout) = SLOTS
            .freed
            .wait_timeout_while(st, WAIT, |st| st.0.is_empty())
            .unwrap_or_else(|p| p.into_inner());
        st = s;
        st.1 -= 1;
        if timeout.timed_out() {
            return Err(busy());
        }
    }
    let Some(buf) = st.0.pop() else {
        return Err(busy());
    };
    drop(st);
    // Given back even if the run panics, so the slot is never lost.
    struct Lent(Option<Vec<Block>>);
    impl Drop for Lent {
        fn drop(&mut self) {
            if let Some(b) = self.0.take() {
                let mut st = SLOTS.state.lock().unwrap_or_else(|p| p.into_inner());
                st.0.push(b);
                SLOTS.freed.notify_one();
            }
        }
    }
    let mut lent = Lent(Some(buf));
    if blocks > STANDING_BLOCKS {
        // More than the buffers are kept at (a PIN's derivation): its own allocation, which
        // the allocator maps and unmaps whole at this size, so nothing of it stays.
        let mut own = vec![Block::default(); blocks];
        return Ok(f(&mut own));
    }
    if let Some(b) = lent.0.as_mut()
        && b.len() < blocks
    {
        b.resize(blocks, Block::default());
    }
    let buf = lent
        .0
        .as_mut()
        .map(|b| &mut b[..blocks])
        .unwrap_or_default();
    Ok(f(buf))
}
