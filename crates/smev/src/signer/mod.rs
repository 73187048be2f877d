//! The signature step, pluggable (issue 31, docs/design/signing.md). The node builds what is
//! signed itself — XMLDSig's `SignedInfo` after the SMEV transform, CMS's signed attributes —
//! and hands a [`Signer`] only the Streebog-256 digest of it; the signer returns the raw
//! GOST R 34.10-2012 (256) signature. So a certified provider (a PKCS#11 token, an external
//! certified tool) replaces only that step, and every envelope stays the node's own.
//!
//! Providers: `engine` (Debian's OpenSSL GOST engine with a key file: uncertified, for tests,
//! the demo and the simulator, refused when `[node] production = true`); `command` (an
//! external tool: the digest on its standard input, the signature on its output, within a
//! time limit). Whatever signs, the signature is checked against the certificate before it
//! is used, so a tool that signs with another key is a clear error, not a rejected message.

use super::gost::{self, GostError};
use super::keys::{KeyError, NodeKey};
use openssl::pkey_ctx::PkeyCtx;
use openssl::x509::X509;
use std::time::Duration;

mod command;
mod pkcs11;
pub use command::CommandSigner;
pub use pkcs11::{Pkcs11Signer, TokenError, TokenSettings};

/// The length of a Streebog-256 digest and of a GOST R 34.10-2012 (256) signature.
pub const DIGEST_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

/// Who makes the node's signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// Debian's OpenSSL GOST engine and a key file: not certified cryptography.
    Engine,
    /// An external certified tool or signing service, called per signature.
    Command,
    /// A token that signs on its chip, through its vendor's PKCS#11 module.
    Pkcs11,
}

impl Provider {
    pub fn code(self) -> &'static str {
        match self {
            Provider::Engine => "engine",
            Provider::Command => "command",
            Provider::Pkcs11 => "pkcs11",
        }
    }

    /// Certified under 63-ФЗ, as far as the node can tell: the engine never is; a command or
    /// a token is what the installer configured (the node cannot check a certificate of
    /// conformity, only that the signatures verify).
    pub fn certified(self) -> bool {
        self != Provider::Engine
    }
}

/// What staff and support read where the engine signs (/health, the setup screen, the
/// status line).
pub const UNCERTIFIED: &str = "несертифицированное СКЗИ — только для проверки";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error("{0}")]
    Gost(#[from] GostError),
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("a digest to sign must be {DIGEST_LEN} bytes, not {0}")]
    Digest(usize),
    #[error("the signing tool {program} could not be started: {why}")]
    Start { program: String, why: String },
    #[error("the signing tool {program} gave no signature within {secs} s and was stopped")]
    Timeout { program: String, secs: u64 },
    #[error("the signing tool {program} failed ({status}): {stderr}")]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("the signing tool {program} printed no signature: {why}")]
    Output { program: String, why: String },
    #[error(
        "the signature does not verify against the certificate {subject}: the signer's key is another one"
    )]
    WrongKey { subject: String },
    #[error(
        "the certificate {subject} is valid {from} to {until}, not now: nothing is signed with it"
    )]
    OutOfTime {
        subject: String,
        from: String,
        until: String,
        ended: bool,
    },
}

impl SignError {
    /// The problem in Russian, for the one who asked for the signature.
    pub fn russian(&self) -> String {
        match self {
            SignError::Timeout { secs, .. } => format!(
                "Средство подписи не ответило за {secs} с: подпись не создана, ничего не отправлено"
            ),
            SignError::WrongKey { .. } => {
                "Подпись средства подписи не проверяется сертификатом узла (другой ключ или \
                 другой формат подписи): подпись не создана"
                    .into()
            }
            SignError::Start { .. } | SignError::Failed { .. } | SignError::Output { .. } => {
                format!("Средство подписи не создало подпись: {self}")
            }
            SignError::OutOfTime {
                subject,
                until,
                ended: true,
                ..
            } => format!(
                "Срок действия сертификата «{subject}» истёк ({until}): им ничего не \
                 подписывается и не отправляется. Нужен новый сертификат"
            ),
            SignError::OutOfTime { subject, from, .. } => format!(
                "Сертификат «{subject}» действует только с {from}: им пока ничего не \
                 подписывается"
            ),
            SignError::Token(e) => e.russian(),
            SignError::Gost(_) | SignError::Digest(_) => format!("Подпись не создана: {self}"),
        }
    }
}

/// Makes GOST R 34.10-2012 (256) signatures for one certificate.
pub trait Signer: Send + Sync + std::fmt::Debug {
    /// The certificate the signatures carry and verify against.
    fn cert(&self) -> &X509;
    fn provider(&self) -> Provider;
    /// The raw signature (64 bytes, laid out as XMLDSig and CMS carry GOST signatures) of a
    /// Streebog-256 `digest`, not yet checked.
    fn sign_raw(&self, digest: &[u8]) -> Result<Vec<u8>, SignError>;
    /// The key is known to be the certificate's (the engine's pair is checked when it is
    /// loaded), so its signatures need no check each: a check costs three signatures.
    fn key_matches_cert(&self) -> bool {
        false
    }
}

/// Refuses a certificate outside its validity now: an expired certificate never signs.
pub fn in_time(cert: &X509) -> Result<(), SignError> {
    let crypto = |e: openssl::error::ErrorStack| SignError::Gost(GostError::Crypto(e.to_string()));
    let now = openssl::asn1::Asn1Time::days_from_now(0).map_err(crypto)?;
    let ended = cert.not_after() < now;
    if ended || cert.not_before() > now {
        return Err(SignError::OutOfTime {
            subject: super::keys::subject(cert),
            from: cert.not_before().to_string(),
            until: cert.not_after().to_string(),
            ended,
        });
    }
    Ok(())
}

/// The signature of `digest` by `signer`, whose certificate must be valid now; checked
/// against the certificate unless the key is known to be its.
pub fn sign_digest(signer: &dyn Signer, digest: &[u8]) -> Result<Vec<u8>, SignError> {
    if digest.len() != DIGEST_LEN {
        return Err(SignError::Digest(digest.len()));
    }
    in_time(signer.cert())?;
    let sig = signer.sign_raw(digest)?;
    if !signer.key_matches_cert() && !verify_digest(signer.cert(), digest, &sig)? {
        return Err(SignError::WrongKey {
            subject: super::keys::subject(signer.cert()),
        });
    }
    Ok(sig)
}

/// The signature of `data` (hashed with Streebog-256) by `signer`, checked.
pub fn sign(signer: &dyn Signer, data: &[u8]) -> Result<Vec<u8>, SignError> {
    sign_digest(signer, &gost::digest(data)?)
}

/// Whether `sig` is a valid signature of the Streebog-256 `digest` by the certificate's key.
pub fn verify_digest(cert: &X509, digest: &[u8], sig: &[u8]) -> Result<bool, SignError> {
    gost::init()?;
    let crypto = |e: openssl::error::ErrorStack| SignError::Gost(GostError::Crypto(e.to_string()));
    let key = cert.public_key().map_err(crypto)?;
    gost::check_key(&key)?;
    if sig.len() != SIGNATURE_LEN {
        return Ok(false);
    }
    let mut ctx = PkeyCtx::new(&key).map_err(crypto)?;
    ctx.verify_init().map_err(crypto)?;
    // A malformed signature is a failed check, not a crypto error.
    Ok(ctx.verify(digest, sig).unwrap_or(false))
}

impl Signer for NodeKey {
    fn cert(&self) -> &X509 {
        &self.cert
    }

    fn provider(&self) -> Provider {
        Provider::Engine
    }

    fn key_matches_cert(&self) -> bool {
        // `keys::load_pem` and the PKCS#12 loader refuse a key that is not the certificate's.
        true
    }

    fn sign_raw(&self, digest: &[u8]) -> Result<Vec<u8>, SignError> {
        gost::check_key(&self.key)?;
        let crypto =
            |e: openssl::error::ErrorStack| SignError::Gost(GostError::Crypto(e.to_string()));
        let mut ctx = PkeyCtx::new(&self.key).map_err(crypto)?;
        ctx.sign_init().map_err(crypto)?;
        let mut out = Vec::with_capacity(SIGNATURE_LEN);
        ctx.sign_to_vec(digest, &mut out).map_err(crypto)?;
        Ok(out)
    }
}

/// Why the node's signer could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("{0}")]
    Token(#[from] TokenError),
    /// The first signature, made at start, failed or did not verify.
    #[error("{0}")]
    Sign(#[from] SignError),
}

/// The node's signer as `[smev]` configures it: `signer = "engine"` (the key file or PKCS#12
/// container), `"command"` (`sign_command`, with the certificate `cert`) or `"pkcs11"` (a
/// token, which signs once here so that a key or a layout that does not match the
/// certificate is found at start, not at the first message; a PIN the token refused is
/// remembered in `data_dir`).
pub fn load(
    cfg: &volost_config::SmevConfig,
    data_dir: &std::path::Path,
) -> Result<Box<dyn Signer>, LoadError> {
    match cfg.signer.as_str() {
        "pkcs11" => {
            let settings =
                TokenSettings::from_config(cfg, data_dir).ok_or(KeyError::NotConfigured)?;
            let token = Pkcs11Signer::open(&settings)?;
            sign(&token, b"volost: the token's key and the certificate")?;
            Ok(Box::new(token))
        }
        "command" => {
            let path = cfg.cert.as_deref().ok_or(KeyError::NotConfigured)?;
            let cert = super::keys::load_cert(path)?;
            let timeout = Duration::from_secs(cfg.sign_timeout_secs);
            CommandSigner::new(cert, &cfg.sign_command, timeout)
                .map(|s| Box::new(s) as Box<dyn Signer>)
                .ok_or(LoadError::Key(KeyError::NotConfigured))
        }
        _ => Ok(Box::new(NodeKey::load(cfg)?)),
    }
}

/// The node's signer's subject, with the provider where it is not certified: what logs,
/// /health and the setup screen name.
pub fn describe(s: &dyn Signer) -> String {
    let subject = super::keys::subject(s.cert());
    if s.provider().certified() {
        subject
    } else {
        format!("{subject} ({UNCERTIFIED})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key() -> NodeKey {
        let key = gost::generate_key().unwrap();
        let cert = gost::self_signed(&key, "Тест", "Тест", 1).unwrap();
        NodeKey { key, cert }
    }

    #[test]
    fn the_engine_signs_a_digest_as_it_signs_the_data() {
        let k = key();
        let data = b"<ds:SignedInfo/>";
        let sig = sign(&k, data).unwrap();
        // The same check as every received signature: over the data, hashed by the verifier.
        assert!(gost::verify(&k.cert, data, &sig).unwrap());
        assert!(!gost::verify(&k.cert, b"other", &sig).unwrap());
        assert_eq!(sign_digest(&k, b"short"), Err(SignError::Digest(5)));
    }

    #[test]
    fn an_expired_certificate_or_one_not_yet_valid_never_signs() {
        use openssl::asn1::Asn1Time;
        let key = gost::generate_key().unwrap();
        let day = 86_400;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let at = |t: i64| Asn1Time::from_unix(t).unwrap();
        for (from, until, ended) in [
            (now - 30 * day, now - day, true),
            (now + day, now + 30 * day, false),
        ] {
            let cert = gost::self_signed_between(&key, "Узел", "Сельсовет", &at(from), &at(until))
                .unwrap();
            let k = NodeKey {
                key: key.clone(),
                cert,
            };
            let e = sign(&k, b"data").unwrap_err();
            assert!(
                matches!(e, SignError::OutOfTime { ended: e2, .. } if e2 == ended),
                "{e}"
            );
            let ru = e.russian();
            assert!(
                ru.contains(if ended {
                    "истёк"
                } else {
                    "действует только с"
                }),
                "{ru}"
            );
        }
    }
}
