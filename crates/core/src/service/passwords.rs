//! argon2id password hashes, computed in the node's fixed argon2 memory ([`crate::kdf`]).

use super::{Error, Options, Result};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// A stored hash asking for more memory than this is not ours: refused, not computed.
const MAX_M_KIB: u32 = 256 * 1024;

fn params(opts: &Options) -> Result<Params> {
    Params::new(opts.argon_m_kib, opts.argon_t, opts.argon_p, None)
        .map_err(|e| Error::Conflict(format!("Неверные параметры argon2: {e}")))
}

/// The raw argon2 output of `password` with `salt` into `out`, in a lent buffer.
fn compute(argon: &Argon2, p: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<()> {
    crate::kdf::in_slot(p.block_count(), |blocks| {
        argon.hash_password_into_with_memory(password, salt, out, blocks)
    })
    .map_err(|_| Error::Busy("password checks"))?
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
