//! Trust (issue 31, docs/design/signing.md): a signature is trusted only when its certificate
//! chains to a certificate the node was given (a CA's root, or SMEV's own certificate), is
//! inside its validity, and is not revoked by a CRL the node holds. The trust directory holds
//! those certificates and CRLs as files (PEM or DER), put there by `volost trust add` and
//! `volost trust crl`; it is read whole, within bounds, when a check needs it.
//!
//! A certificate given directly is an anchor even when it is not a CA's (SMEV's certificate
//! is trusted as itself): OpenSSL's partial-chain verification. CRLs are asked of the
//! signer's certificate (OpenSSL's `CRL_CHECK`), not of the intermediate CAs above it: a
//! revoked intermediate is the CA's to announce by revoking what it issued.

use super::gost::{self, GostError};
use openssl::stack::Stack;
use openssl::x509::store::{X509Lookup, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509, X509Crl, X509StoreContext};
use std::path::{Path, PathBuf};

/// The most files a trust directory may hold, and the largest one read: roots, SMEV's
/// certificates and CRLs of a region are a few dozen files of kilobytes (a large CA's CRL is
/// megabytes).
const MAX_FILES: usize = 512;
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{0}")]
    Gost(#[from] GostError),
    #[error("{path}: {why}")]
    File { path: PathBuf, why: String },
    #[error("the trust directory {0} holds more than {MAX_FILES} files")]
    TooMany(PathBuf),
    #[error("{0}")]
    Crypto(String),
}

impl TrustError {
    pub fn russian(&self) -> String {
        match self {
            TrustError::File { path, why } => format!("{}: {why}", path.display()),
            TrustError::TooMany(dir) => format!(
                "В каталоге доверия {} больше {MAX_FILES} файлов",
                dir.display()
            ),
            other => format!("Проверка доверия невозможна: {other}"),
        }
    }
}

fn crypto(e: openssl::error::ErrorStack) -> TrustError {
    TrustError::Crypto(e.to_string())
}

/// What a certificate's check says, as the card and `volost smev verify` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Chains to an anchor, in its validity, and a CRL of its issuer says it is not revoked.
    Trusted,
    /// No chain to a certificate the node was given (OpenSSL's reason, in English).
    Untrusted(String),
    Revoked,
    /// It, or a certificate of its chain, has ended.
    Expired,
    /// It, or a certificate of its chain, has not begun yet.
    NotYetValid,
    /// Trusted and in time, but no current CRL of its issuer is held.
    RevocationUnknown,
}

impl Verdict {
    /// The words staff read («ЭП-СП верна» is the caller's: it knows which signature).
    pub fn russian(&self) -> &'static str {
        match self {
            Verdict::Trusted => "сертификат доверенный",
            Verdict::Untrusted(_) => "сертификат не доверенный",
            Verdict::Revoked => "сертификат отозван",
            Verdict::Expired => "срок действия истёк",
            Verdict::NotYetValid => "срок действия ещё не начался",
            Verdict::RevocationUnknown => "не удалось проверить отзыв",
        }
    }

    pub fn trusted(&self) -> bool {
        *self == Verdict::Trusted
    }
}

/// The file a certificate or CRL is kept under in the trust directory: the SHA-256 of its
/// DER (so the same one added twice is one file), and its kind.
pub fn file_name(der: &[u8], crl: bool) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(der);
    let hex: String = hash.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{}", if crl { "crl" } else { "pem" })
}

/// Writes `bytes` into `dir` as `name` (0644), whole or not at all: a reader of the
/// directory never meets half a file (it skips `.NAME.new`).
pub fn keep(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.new"));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(path)
}

/// What the trust directory holds.
pub struct TrustStore {
    pub certs: Vec<X509>,
    pub revocations: Vec<X509Crl>,
    /// The CRLs' files: OpenSSL's store takes CRLs from files.
    crl_files: Vec<PathBuf>,
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, TrustError> {
    let file = |why: String| TrustError::File {
        path: path.to_path_buf(),
        why,
    };
    let meta = std::fs::metadata(path).map_err(|e| file(e.to_string()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(file(format!("larger than {MAX_FILE_BYTES} bytes")));
    }
    std::fs::read(path).map_err(|e| file(e.to_string()))
}

/// The certificates of PEM bytes (a bundle: a root with its intermediates, as CAs publish
/// them) or of one DER certificate; `None` when there are none.
pub fn parse_certs(bytes: &[u8]) -> Option<Vec<X509>> {
    match X509::stack_from_pem(bytes) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => X509::from_der(bytes).ok().map(|c| vec![c]),
    }
}

/// A CRL from PEM or DER bytes.
pub fn parse_crl(bytes: &[u8]) -> Option<X509Crl> {
    X509Crl::from_pem(bytes)
        .or_else(|_| X509Crl::from_der(bytes))
        .ok()
}

impl TrustStore {
    /// The certificates and CRLs of `dir` (a missing directory holds nothing). A file that
    /// is neither is refused by name: the directory is the installer's, kept clean.
    pub fn open(dir: &Path) -> Result<TrustStore, TrustError> {
        gost::init()?;
        let mut store = TrustStore {
            certs: Vec::new(),
            revocations: Vec::new(),
            crl_files: Vec::new(),
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(store),
            Err(e) => {
                return Err(TrustError::File {
                    path: dir.to_path_buf(),
                    why: e.to_string(),
                });
            }
        };
        let mut paths = Vec::new();
        for e in entries {
            let e = e.map_err(|e| TrustError::File {
                path: dir.to_path_buf(),
                why: e.to_string(),
            })?;
            if paths.len() >= MAX_FILES {
                return Err(TrustError::TooMany(dir.to_path_buf()));
            }
            // A file being written (`.NAME.new`) is not one yet; a link is followed.
            let hidden = e.file_name().to_string_lossy().starts_with('.');
            if !hidden && std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()) {
                paths.push(e.path());
            }
        }
        paths.sort();
        for p in paths {
            let bytes = read_bounded(&p)?;
            if let Some(c) = parse_certs(&bytes) {
                store.certs.extend(c);
            } else if let Some(c) = parse_crl(&bytes) {
                store.revocations.push(c);
                store.crl_files.push(p);
            } else {
                return Err(TrustError::File {
                    path: p,
                    why: "neither a certificate nor a CRL".into(),
                });
            }
        }
        Ok(store)
    }

    /// `None` when the chain verifies; OpenSSL's error code and words otherwise.
    fn verify(
        &self,
        cert: &X509,
        now: i64,
        crl: bool,
    ) -> Result<Option<(i32, &'static str)>, TrustError> {
        let mut b = X509StoreBuilder::new().map_err(crypto)?;
        for c in &self.certs {
            b.add_cert(c.clone()).map_err(crypto)?;
        }
        if crl {
            let lookup = b.add_lookup(X509Lookup::file()).map_err(crypto)?;
            for p in &self.crl_files {
                // PEM first; a DER file is read as such.
                let path = p.as_path();
                if lookup
                    .load_crl_file(path, openssl::ssl::SslFiletype::PEM)
                    .is_err()
                {
                    lookup
                        .load_crl_file(path, openssl::ssl::SslFiletype::ASN1)
                        .map_err(crypto)?;
                }
            }
        }
        let mut param = X509VerifyParam::new().map_err(crypto)?;
        param.set_time(now);
        let mut flags = X509VerifyFlags::PARTIAL_CHAIN;
        if crl {
            flags |= X509VerifyFlags::CRL_CHECK;
        }
        param.set_flags(flags).map_err(crypto)?;
        b.set_param(&param).map_err(crypto)?;
        let store = b.build();
        let chain = Stack::new().map_err(crypto)?;
        let mut ctx = X509StoreContext::new().map_err(crypto)?;
        ctx.init(&store, cert, &chain, |c| {
            Ok(match c.verify_cert()? {
                true => None,
                false => Some((c.error().as_raw(), c.error().error_string())),
            })
        })
        .map_err(crypto)
    }

    /// Whether `cert` itself was given (SMEV's certificate, pinned): the installer vouched for
    /// that very certificate, so no CRL is asked of it.
    fn pinned(&self, cert: &X509) -> bool {
        let Ok(der) = cert.to_der() else {
            return false;
        };
        self.certs
            .iter()
            .any(|c| c.to_der().is_ok_and(|d| d == der))
    }

    /// Whether a certificate of this store issued `list` and its signature verifies.
    pub fn issued(&self, list: &X509Crl) -> bool {
        self.certs.iter().any(|c| {
            c.subject_name()
                .try_cmp(list.issuer_name())
                .is_ok_and(|o| o.is_eq())
                && c.public_key()
                    .ok()
                    .is_some_and(|k| list.verify(&k).unwrap_or(false))
        })
    }

    /// The verdict on `cert` at `now` (unix seconds).
    pub fn check(&self, cert: &X509, now: i64) -> Result<Verdict, TrustError> {
        use openssl_sys as ffi;
        match self.verify(cert, now, false)? {
            None => {}
            Some((ffi::X509_V_ERR_CERT_HAS_EXPIRED, _)) => return Ok(Verdict::Expired),
            Some((ffi::X509_V_ERR_CERT_NOT_YET_VALID, _)) => return Ok(Verdict::NotYetValid),
            Some((_, why)) => return Ok(Verdict::Untrusted(why.to_string())),
        }
        if self.pinned(cert) {
            return Ok(Verdict::Trusted);
        }
        Ok(match self.verify(cert, now, true)? {
            None => Verdict::Trusted,
            Some((ffi::X509_V_ERR_CERT_REVOKED, _)) => Verdict::Revoked,
            // No CRL of the issuer, one out of date, or one that does not verify: unknown.
            Some(_) => Verdict::RevocationUnknown,
        })
    }
}

/// One file of the trust directory as `volost trust list` shows it.
pub fn describe_cert(c: &X509) -> String {
    format!(
        "{}; выдан: {}; действует с {} по {}",
        super::keys::subject(c),
        issuer(c),
        c.not_before(),
        c.not_after()
    )
}

fn issuer(c: &X509) -> String {
    use openssl::nid::Nid;
    c.issuer_name()
        .entries_by_nid(Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
        .unwrap_or_default()
}

pub fn describe_crl(c: &X509Crl) -> String {
    use openssl::nid::Nid;
    let by = c
        .issuer_name()
        .entries_by_nid(Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
        .unwrap_or_default();
    format!(
        "СОС {by}; выпущен {}; следующий {}; отозвано: {}",
        c.last_update(),
        c.next_update().map_or("—".into(), |t| t.to_string()),
        c.get_revoked().map_or(0, |r| r.len())
    )
}

pub mod ca;
mod held;
pub mod refresh;

pub use held::{EXCHANGE_DIR, Stores, TrustDir};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use openssl::pkey::{PKey, Private};

    fn issue(
        key: &PKey<Private>,
        cn: &str,
        ca: Option<(&X509, &PKey<Private>)>,
        window: (i64, i64),
        serial: u32,
    ) -> X509 {
        ca::issue(key, cn, ca, window, serial).unwrap()
    }

    fn crl(c: &X509, key: &PKey<Private>, serials: &[u32], now: i64) -> X509Crl {
        ca::crl(c, key, serials, now).unwrap()
    }

    #[test]
    fn a_certificate_is_trusted_only_on_a_chain_in_time_and_not_revoked() {
        gost::init().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let year = (now - 86_400, now + 365 * 86_400);
        let ca_key = gost::generate_key().unwrap();
        let ca = issue(&ca_key, "УЦ региона", None, year, 1);
        let staff_key = gost::generate_key().unwrap();
        let staff = issue(&staff_key, "Иванова", Some((&ca, &ca_key)), year, 10);
        let revoked = issue(&staff_key, "Петрова", Some((&ca, &ca_key)), year, 11);
        let ended = issue(
            &staff_key,
            "Сидорова",
            Some((&ca, &ca_key)),
            (now - 400 * 86_400, now - 86_400),
            12,
        );
        let stranger = issue(&staff_key, "Самоподписанный", None, year, 13);
        let early = issue(
            &staff_key,
            "Кузнецова",
            Some((&ca, &ca_key)),
            (now + 86_400, now + 30 * 86_400),
            14,
        );

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("root.pem"), ca.to_pem().unwrap()).unwrap();
        let store = TrustStore::open(dir.path()).unwrap();
        assert_eq!(
            store.check(&staff, now).unwrap(),
            Verdict::RevocationUnknown
        );
        assert!(matches!(
            store.check(&stranger, now).unwrap(),
            Verdict::Untrusted(_)
        ));
        assert_eq!(store.check(&ended, now).unwrap(), Verdict::Expired);
        assert_eq!(store.check(&early, now).unwrap(), Verdict::NotYetValid);

        // The CA's CRL (DER, as CAs publish them) revokes one of the two.
        let list = crl(&ca, &ca_key, &[11], now);
        std::fs::write(dir.path().join("ca.crl"), list.to_der().unwrap()).unwrap();
        let store = TrustStore::open(dir.path()).unwrap();
        assert_eq!(store.revocations.len(), 1);
        assert_eq!(store.check(&staff, now).unwrap(), Verdict::Trusted);
        assert_eq!(store.check(&revoked, now).unwrap(), Verdict::Revoked);
        // A month on, the CRL is out of date: revocation cannot be checked.
        let later = now + 30 * 86_400;
        assert_eq!(
            store.check(&staff, later).unwrap(),
            Verdict::RevocationUnknown
        );

        // A certificate given directly (SMEV's own) is an anchor as itself.
        std::fs::write(dir.path().join("smev.pem"), stranger.to_pem().unwrap()).unwrap();
        let store = TrustStore::open(dir.path()).unwrap();
        assert_eq!(store.check(&stranger, now).unwrap(), Verdict::Trusted);

        // A stray file is refused by name; a missing directory holds nothing.
        std::fs::write(dir.path().join("notes.txt"), "не сертификат").unwrap();
        let e = TrustStore::open(dir.path()).err().unwrap();
        assert!(e.to_string().contains("notes.txt"), "{e}");
        let none = TrustStore::open(&dir.path().join("absent")).unwrap();
        assert!(matches!(
            none.check(&staff, now).unwrap(),
            Verdict::Untrusted(_)
        ));
    }
}
