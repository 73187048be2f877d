//! argon2id password hashes, computed in a fixed amount of memory.
//!
//! Each run needs its memory cost (19 MiB by default) at once. The argon2 crate would
//! allocate it per run, from the calling thread's allocator arena, and glibc keeps what a
//! thread's arena once held: 120 wrong logins at once left a daemon at 626 MiB resident with
//! only two running at a time. So [`RUNNING`] buffers are made once and lent to the runs;
//! [`WAITING`] more runs wait up to [`WAIT`] for one, and the rest are refused as busy.

use super::{Error, Options, Result};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

const RUNNING: usize = 2;
const WAITING: usize = 32;
const WAIT: Duration = Duration::from_secs(10);
/// A stored hash asking for more memory than this is not ours: refused, not computed.
const MAX_M_KIB: u32 = 256 * 1024;

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
fn in_slot<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> Result<T> {
    let busy = || Error::Busy("password checks");
    let mut st = SLOTS.state.lock().unwrap_or_else(|p| p.into_inner());
    // The buffers exist from the first run on; before it, made here.
    static MADE: std::sync::Once = std::sync::Once::new();
    MADE.call_once(|| st.0 = (0..RUNNING).map(|_| Vec::new()).collect());
    if st.0.is_empty() {
        if st.1 >= WAITING {
            tracing::warn!("password check refused: {WAITING} already waiting");
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
    let Some(mut buf) = st.0.pop() else {
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
    if buf.len() < blocks {
        buf.resize(blocks, Block::default());
    }
    let mut lent = Lent(Some(buf));
    let buf = lent
        .0
        .as_mut()
        .map(|b| &mut b[..blocks])
        .unwrap_or_default();
    Ok(f(buf))
}

fn params(opts: &Options) -> Result<Params> {
    Params::new(opts.argon_m_kib, opts.argon_t, opts.argon_p, None)
        .map_err(|e| Error::Conflict(format!("Неверные параметры argon2: {e}")))
}

/// The raw argon2 output of `password` with `salt` into `out`, in a lent buffer.
fn compute(argon: &Argon2, p: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<()> {
    in_slot(p.block_count(), |blocks| {
        argon.hash_password_into_with_memory(password, salt, out, blocks)
    })?
    .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// A new PHC string (`$argon2id$v=19$m=…`) for `password`.
pub(crate) fn hash_password(opts: &Options, password: &str) -> Result<String> {
    let p = params(opts)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p.clone());
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut raw = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut raw)
        .map_err(|e| Error::Internal(format!("salt: {e}")))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(&argon, &p, password.as_bytes(), salt_bytes, &mut out)?;
    let bad = |e: argon2::password_hash::Error| Error::Internal(format!("password hash: {e}"));
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&p).map_err(bad)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(bad)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash`, with the parameters stored in it (so
/// old hashes keep working); `Err` only when too many checks are waiting.
pub(crate) fn verify_password(hash: &str, password: &str) -> Result<bool> {
    let Some((argon, p, salt, expected)) = parse(hash) else {
        return Ok(false);
    };
    let mut raw = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut raw) else {
        return Ok(false);
    };
    let mut out = vec![0u8; expected.len()];
    if compute(&argon, &p, password.as_bytes(), salt, &mut out).is_err() {
        return Ok(false);
    }
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out).is_ok_and(|o| o == expected))
}

type Parsed<'a> = (
    Argon2<'static>,
    Params,
    argon2::password_hash::Salt<'a>,
    Output,
);

fn parse(hash: &str) -> Option<Parsed<'_>> {
    let h = PasswordHash::new(hash).ok()?;
    let alg = Algorithm::try_from(h.algorithm).ok()?;
    let version = match h.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::V0x13,
    };
    let p = Params::try_from(&h).ok()?;
    if p.m_cost() > MAX_M_KIB {
        tracing::warn!(
            m_kib = p.m_cost(),
            "a password hash asks for too much memory"
        );
        return None;
    }
    Some((Argon2::new(alg, version, p.clone()), p, h.salt?, h.hash?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn hashes_are_standard_phc_strings_both_ways() {
        let opts = Options {
            argon_m_kib: 64,
            argon_t: 1,
            argon_p: 1,
            ..Options::default()
        };
        let h = hash_password(&opts, "пароль-1").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        assert!(verify_password(&h, "пароль-1").unwrap());
        assert!(!verify_password(&h, "пароль-2").unwrap());
        // The argon2 crate reads ours, and we read its.
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(
            Argon2::default()
                .verify_password("пароль-1".as_bytes(), &parsed)
                .is_ok()
        );
        let theirs = argon2::PasswordHasher::hash_password(
            &Argon2::new(Algorithm::Argon2id, Version::V0x13, params(&opts).unwrap()),
            b"secret-9",
            &SaltString::generate(&mut rand::rngs::OsRng),
        )
        .unwrap()
        .to_string();
        assert!(verify_password(&theirs, "secret-9").unwrap());
        assert!(!verify_password("not a hash", "x").unwrap());
    }
}
