//! The trust directory as the exchange holds it: read once, read again only when a file in
//! it changes, and the verdicts on received signatures.
//!
//! Two stores, because two questions: the certificates of the exchanges themselves
//! (`smev/`: SMEV's and the regional exchange's own certificates, or their CA) answer «did
//! SMEV sign this?»; the CA roots at the top answer «is this employee's or agency's
//! signature (ЭП-СП) qualified?». Were they one, any qualified certificate of the region's
//! CA could sign a message as SMEV.

use super::refresh::Learned;
use super::{TrustError, TrustStore, Verdict};
use crate::dsig::{SignatureError, Verified};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use volost_domain::SignatureVerdict;

/// The subdirectory of the exchanges' own certificates.
pub const EXCHANGE_DIR: &str = "smev";

/// What the trust directory holds, read at one moment.
pub struct Stores {
    /// SMEV's (and the regional exchange's) certificates or their CA: `smev/`.
    pub exchange: TrustStore,
    /// CA roots of staff and agency certificates: the top of the directory.
    pub staff: TrustStore,
    /// Where the CRLs of the certificates judged are published, for the refresher.
    learned: Option<Arc<Learned>>,
}

/// What a change to the directory shows as: each entry's name, length and time.
type Stamp = Vec<(std::ffi::OsString, u64, Option<SystemTime>)>;

/// The directory behind [`Stores`], opened again when what it holds changes (`volost trust
/// add`, a CRL refreshed, an installer's copy), so the daemon never needs a restart for it.
pub struct TrustDir {
    dir: PathBuf,
    held: Mutex<Option<(Stamp, Arc<Stores>)>>,
    /// CRL distribution points met in the signatures judged.
    pub learned: Arc<Learned>,
    /// The last CRL refresh's failures: (address, why).
    refresh_failures: Mutex<Vec<(String, String)>>,
}

fn stamp(dir: &Path, out: &mut Stamp) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    // Bounded as the store is: a directory past it is refused when opened anyway.
    for e in entries.flatten().take(super::MAX_FILES + 1) {
        let meta = std::fs::metadata(e.path()).ok();
        out.push((
            e.file_name(),
            meta.as_ref().map_or(0, |m| m.len()),
            meta.and_then(|m| m.modified().ok()),
        ));
    }
}

impl TrustDir {
    pub fn new(dir: PathBuf) -> TrustDir {
        TrustDir {
            dir,
            held: Mutex::new(None),
            learned: Arc::default(),
            refresh_failures: Mutex::default(),
        }
    }

    pub fn set_refresh_failures(&self, failed: Vec<(String, String)>) {
        *self
            .refresh_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = failed;
    }

    /// What the last CRL refresh could not fetch or keep.
    pub fn refresh_failures(&self) -> Vec<(String, String)> {
        self.refresh_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The stores as the directory is now.
    pub fn stores(&self) -> Result<Arc<Stores>, TrustError> {
        let mut now = Stamp::new();
        stamp(&self.dir, &mut now);
        stamp(&self.dir.join(EXCHANGE_DIR), &mut now);
        now.sort();
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((s, stores)) = held.as_ref()
            && *s == now
        {
            return Ok(stores.clone());
        }
        let mut stores = Stores::open(&self.dir)?;
        stores.learned = Some(self.learned.clone());
        let stores = Arc::new(stores);
        *held = Some((now, stores.clone()));
        Ok(stores)
    }
}

/// The Russian words of a verdict and OpenSSL's reason after them, as a signature verdict's
/// `reason` keeps them.
fn words(v: &Verdict) -> String {
    match v {
        Verdict::Untrusted(why) => format!("{}: {why}", v.russian()),
        other => other.russian().to_string(),
    }
}

impl Stores {
    pub fn open(dir: &Path) -> Result<Stores, TrustError> {
        Ok(Stores {
            exchange: TrustStore::open(&dir.join(EXCHANGE_DIR))?,
            staff: TrustStore::open(dir)?,
            learned: None,
        })
    }

    fn learn(&self, v: &Verified) {
        if let Some(l) = &self.learned {
            l.note(&v.cert);
        }
    }

    /// Whether any exchange's certificate is configured: without one nothing received can
    /// be taken as SMEV's.
    pub fn knows_exchange(&self) -> bool {
        !self.exchange.certs.is_empty()
    }

    /// The verdict on SMEV's signature of a message: the signer when it verifies and its
    /// certificate is one of the exchanges' (or issued by their CA) and in time; why not
    /// otherwise. A revocation that cannot be checked does not refuse the message (SMEV's
    /// certificate is usually pinned, and a stale CRL must not stop the exchange); it is
    /// logged.
    pub fn judge_exchange(
        &self,
        sig: Result<Verified, SignatureError>,
        now: i64,
    ) -> Result<String, String> {
        let v = sig.map_err(|e| e.to_string())?;
        self.learn(&v);
        match self.exchange.check(&v.cert, now) {
            Ok(Verdict::Trusted) => Ok(v.signer()),
            Ok(Verdict::RevocationUnknown) => {
                tracing::warn!(signer = %v.signer(), "the exchange's certificate: no current CRL of its CA");
                Ok(v.signer())
            }
            Ok(other) => Err(format!("{} ({})", words(&other), v.signer())),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The verdict on a personal signature (ЭП-СП) as the card shows it.
    pub fn judge_personal(
        &self,
        sig: Result<Verified, SignatureError>,
        now: i64,
    ) -> SignatureVerdict {
        let v = match sig {
            Ok(v) => v,
            Err(e) => {
                return SignatureVerdict {
                    valid: false,
                    signer: String::new(),
                    reason: e.to_string(),
                };
            }
        };
        let signer = v.signer();
        self.learn(&v);
        match self.staff.check(&v.cert, now) {
            Ok(Verdict::Trusted) => SignatureVerdict {
                valid: true,
                signer,
                reason: String::new(),
            },
            // Sound and on a trusted chain: acted on, the card saying what was not checked.
            Ok(Verdict::RevocationUnknown) => SignatureVerdict {
                valid: true,
                signer,
                reason: words(&Verdict::RevocationUnknown),
            },
            Ok(other) => SignatureVerdict {
                valid: false,
                signer,
                reason: words(&other),
            },
            Err(e) => SignatureVerdict {
                valid: false,
                signer,
                reason: words(&Verdict::Untrusted(e.to_string())),
            },
        }
    }
}
