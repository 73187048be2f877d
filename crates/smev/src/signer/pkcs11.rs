//! The `pkcs11` provider: a token (Рутокен ЭЦП 2.0, JaCarta ГОСТ, a КриптоПро HSM) that signs
//! GOST R 34.10-2012 on the chip, through its vendor's PKCS#11 module, with the `cryptoki`
//! crate. The key never leaves the token; the node hands it the digest (`CKM_GOSTR3410` signs
//! a digest the caller made) and gets the 64-byte signature back, which [`super::sign_digest`]
//! checks against the certificate before it is used — so a module that lays the signature out
//! otherwise, or a key that is not the certificate's, is a clear error and not a message SMEV
//! rejects.
//!
//! One thread owns the token's session: it logs in once and signs every digest in turn, as a
//! token does one operation at a time anyway. A session the token lost (pulled out and put
//! back, the module restarted) is opened again once per signature; a PIN the token refused is
//! never tried again until the node restarts, so that the node cannot lock the token by
//! retrying. Callers wait at most `sign_timeout_secs`, and at most [`QUEUE`] of them wait.

use super::{Provider, SignError, Signer};
use crate::keys;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::vendor_defined::VendorDefinedMechanism;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use openssl::x509::X509;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Signatures that may wait for the token at once; more are refused at once as «busy».
const QUEUE: usize = 16;

/// What `[smev]` says of the token.
#[derive(Clone, Debug)]
pub struct TokenSettings {
    pub module: PathBuf,
    pub label: String,
    pub key_id: Vec<u8>,
    pub pin_file: PathBuf,
    pub mechanism: u64,
    /// The certificate's file; none takes the token's certificate with the key's `CKA_ID`.
    pub cert: Option<PathBuf>,
    pub timeout: Duration,
    /// Where a PIN file the token refused is remembered, so that a node restarted over and
    /// over (by systemd, after each refusal) does not offer the token the same wrong PIN
    /// until it locks.
    pub data_dir: PathBuf,
}

impl TokenSettings {
    /// From a checked `[smev]` section with `signer = "pkcs11"`.
    pub fn from_config(cfg: &volost_config::SmevConfig, data_dir: &Path) -> Option<TokenSettings> {
        Some(TokenSettings {
            module: cfg.pkcs11_module.clone()?,
            label: cfg.pkcs11_token.clone(),
            key_id: volost_config::key_id(&cfg.pkcs11_key_id)?,
            pin_file: cfg.pkcs11_pin_file.clone()?,
            mechanism: cfg.pkcs11_mechanism,
            cert: cfg.cert.clone(),
            timeout: Duration::from_secs(cfg.sign_timeout_secs),
            data_dir: data_dir.to_path_buf(),
        })
    }
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the PKCS#11 module {module} could not be used: {why}")]
    Module { module: PathBuf, why: String },
    #[error("the PIN file {path}: {why}")]
    PinFile { path: PathBuf, why: String },
    #[error("no token labelled «{label}» is present (tokens present: {present})")]
    NoToken { label: String, present: String },
    #[error(
        "the token «{label}» cannot sign with the mechanism {mechanism:#x} ({why}): it makes no GOST R 34.10-2012 signature of a digest"
    )]
    NoMechanism {
        label: String,
        mechanism: u64,
        why: String,
    },
    #[error(
        "the token «{label}» refused the PIN of {path} ({why}); it is not offered again until the file changes, so that the token does not lock"
    )]
    Pin {
        label: String,
        path: PathBuf,
        why: String,
    },
    #[error("the token «{label}» holds no private key with CKA_ID {id}")]
    NoKey { label: String, id: String },
    #[error(
        "the token «{label}» holds no certificate with CKA_ID {id}: write it there or set [smev] cert"
    )]
    NoCert { label: String, id: String },
    #[error("the token «{label}»: {what} failed: {why}")]
    Failed {
        label: String,
        what: &'static str,
        why: String,
    },
    #[error("the token «{label}» is busy: {QUEUE} signatures wait for it already")]
    Busy { label: String },
    #[error("the token «{label}»'s thread has stopped")]
    Gone { label: String },
}

impl TokenError {
    /// The problem in Russian, for the one who asked for the signature.
    pub fn russian(&self) -> String {
        match self {
            TokenError::NoToken { label, .. } => {
                format!("Токен «{label}» не вставлен: подпись не создана, ничего не отправлено")
            }
            TokenError::Pin { label, .. } => format!(
                "Токен «{label}» не принял PIN-код: подпись не создана. PIN больше не \
                 вводится, пока не изменится файл с ним, чтобы токен не заблокировался"
            ),
            TokenError::NoMechanism { label, .. } => format!(
                "Токен «{label}» не умеет подписывать по ГОСТ Р 34.10-2012: подпись не создана"
            ),
            TokenError::Busy { label } => {
                format!("Токен «{label}» занят другими подписями: попробуйте ещё раз")
            }
            other => format!("Токен не создал подпись: {other}"),
        }
    }
}

/// A short name of what PKCS#11 said (cryptoki's own text is a paragraph of the standard).
fn why(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, f) => format!("{rv:?} in {f:?}"),
        other => other.to_string(),
    }
}

fn rv(e: &CkError) -> Option<RvError> {
    match e {
        CkError::Pkcs11(rv, _) => Some(*rv),
        _ => None,
    }
}

/// The mechanism by its number. cryptoki names no GOST R 34.10 mechanism and makes one only
/// from the vendors' range, so `CKM_GOSTR3410` (0x1201, from the standard's own range) is
/// made from its number: `MechanismType` is `#[repr(transparent)]` over `CK_MECHANISM_TYPE`
/// (cryptoki relies on that itself, to read a module's list of mechanisms into a vector).
fn mechanism_type(value: u64) -> MechanismType {
    const _: () = assert!(
        std::mem::size_of::<MechanismType>()
            == std::mem::size_of::<cryptoki_sys::CK_MECHANISM_TYPE>()
    );
    let raw = value as cryptoki_sys::CK_MECHANISM_TYPE;
    // (Not `MechanismType::try_from`: it logs an error for every number it does not name.)
    MechanismType::new_vendor_defined(raw)
        // SAFETY: same size and, by `repr(transparent)`, the same layout; every value is a
        // valid CK_MECHANISM_TYPE, and a module answers CKR_MECHANISM_INVALID to one it lacks.
        .unwrap_or_else(|_| unsafe {
            std::mem::transmute::<cryptoki_sys::CK_MECHANISM_TYPE, MechanismType>(raw)
        })
}

/// The module, loaded and initialised once per process: PKCS#11 allows one `C_Initialize`
/// per process, and a module stays loaded until the process ends.
fn module(path: &Path) -> Result<Pkcs11, TokenError> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let failed = |why: String| TokenError::Module {
        module: path.to_path_buf(),
        why,
    };
    let mut modules = MODULES
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| failed("an earlier load panicked".into()))?;
    if let Some(m) = modules.get(path) {
        return Ok(m.clone());
    }
    let m = Pkcs11::new(path).map_err(|e| failed(why(&e)))?;
    match m.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(failed(why(&e))),
    }
    modules.insert(path.to_path_buf(), m.clone());
    Ok(m)
}

/// The slot holding the token labelled `label`.
fn find_slot(ctx: &Pkcs11, label: &str) -> Result<Slot, TokenError> {
    let failed = |what: &'static str| {
        move |e: CkError| TokenError::Failed {
            label: label.to_string(),
            what,
            why: why(&e),
        }
    };
    let mut present = Vec::new();
    for slot in ctx
        .get_slots_with_token()
        .map_err(failed("listing the slots"))?
    {
        let info = ctx
            .get_token_info(slot)
            .map_err(failed("reading a token's label"))?;
        let here = info.label().trim_end().to_string();
        if here == label {
            return Ok(slot);
        }
        present.push(format!("«{here}»"));
    }
    Err(TokenError::NoToken {
        label: label.to_string(),
        present: if present.is_empty() {
            "none".into()
        } else {
            present.join(", ")
        },
    })
}

/// The token's session, owned by its thread.
struct Token {
    ctx: Pkcs11,
    slot: Slot,
    label: String,
    key_id: Vec<u8>,
    pin: AuthPin,
    pin_file: PathBuf,
    /// The PIN file's stamp and where it is kept when the token refuses the PIN.
    pin_stamp: String,
    data_dir: PathBuf,
    mechanism: MechanismType,
    session: Option<(Session, ObjectHandle)>,
    /// A PIN the token refused: never offered again.
    refused: Option<TokenError>,
}

impl Token {
    fn open(s: &TokenSettings) -> Result<(Token, X509), TokenError> {
        let pin = keys::read_secret(&s.pin_file).map_err(|e| TokenError::PinFile {
            path: s.pin_file.clone(),
            why: match e {
                keys::KeyError::OpenPasswordFile { .. } => {
                    "must not be readable by others (chmod 600)".into()
                }
                other => other.to_string(),
            },
        })?;
        let pin_stamp = stamp(&s.pin_file);
        let refusal = s.data_dir.join(REFUSED_PIN);
        if std::fs::read_to_string(&refusal).is_ok_and(|t| t.trim() == pin_stamp) {
            return Err(TokenError::Pin {
                label: s.label.clone(),
                path: s.pin_file.clone(),
                why: format!("refused before, as {} says", refusal.display()),
            });
        }
        let ctx = module(&s.module)?;
        let slot = find_slot(&ctx, &s.label)?;
        let mechanism = mechanism_type(s.mechanism);
        let no_mechanism = |why: String| TokenError::NoMechanism {
            label: s.label.clone(),
            mechanism: s.mechanism,
            why,
        };
        match ctx.get_mechanism_info(slot, mechanism) {
            Ok(info) if info.sign() => {}
            Ok(_) => return Err(no_mechanism("not for signing".into())),
            Err(e) => return Err(no_mechanism(why(&e))),
        }
        let mut token = Token {
            ctx,
            slot,
            label: s.label.clone(),
            key_id: s.key_id.clone(),
            pin: AuthPin::from(pin),
            pin_file: s.pin_file.clone(),
            pin_stamp,
            data_dir: s.data_dir.clone(),
            mechanism,
            session: None,
            refused: None,
        };
        let session = token.login()?;
        let cert = match &s.cert {
            Some(path) => keys::load_cert(path).map_err(|e| TokenError::Failed {
                label: s.label.clone(),
                what: "reading the certificate",
                why: e.to_string(),
            })?,
            None => token.certificate(&session.0)?,
        };
        token.session = Some(session);
        Ok((token, cert))
    }

    /// A session logged in as the user, and the key in it.
    fn login(&mut self) -> Result<(Session, ObjectHandle), TokenError> {
        if let Some(e) = &self.refused {
            return Err(e.clone());
        }
        // A token pulled out and another put in the same reader never gets this PIN: the
        // slot is the one holding the token of this label, found again when it changed.
        let same = self
            .ctx
            .get_token_info(self.slot)
            .is_ok_and(|i| i.label().trim_end() == self.label);
        if !same {
            self.slot = find_slot(&self.ctx, &self.label)?;
        }
        let label = self.label.clone();
        let failed = |what: &'static str| {
            let label = label.clone();
            move |e: CkError| TokenError::Failed {
                label,
                what,
                why: why(&e),
            }
        };
        let session = self
            .ctx
            .open_ro_session(self.slot)
            .map_err(failed("opening a session"))?;
        match session.login(UserType::User, Some(&self.pin)) {
            // The module is the process's: another session may have logged in already.
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => {
                let pin_said = matches!(
                    rv(&e),
                    Some(
                        RvError::PinIncorrect
                            | RvError::PinLocked
                            | RvError::PinExpired
                            | RvError::PinLenRange
                            | RvError::PinInvalid
                    )
                );
                if !pin_said {
                    return Err(failed("logging in")(e));
                }
                let refused = TokenError::Pin {
                    label: self.label.clone(),
                    path: self.pin_file.clone(),
                    why: why(&e),
                };
                self.refused = Some(refused.clone());
                let remembered = format!("{}\n", self.pin_stamp);
                if let Err(e) =
                    crate::trust::keep(&self.data_dir, REFUSED_PIN, remembered.as_bytes())
                {
                    tracing::warn!(error = %e, "the token's refusal of the PIN could not be remembered");
                }
                return Err(refused);
            }
        }
        // A PIN the token took: a refusal remembered of an earlier file is over.
        let _ = std::fs::remove_file(self.data_dir.join(REFUSED_PIN));
        let keys = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(self.key_id.clone()),
            ])
            .map_err(failed("looking for the key"))?;
        let Some(key) = keys.first().copied() else {
            return Err(TokenError::NoKey {
                label: self.label.clone(),
                id: hex::encode(&self.key_id),
            });
        };
        Ok((session, key))
    }

    /// The token's certificate of the key.
    fn certificate(&self, session: &Session) -> Result<X509, TokenError> {
        let failed = |what: &'static str, why: String| TokenError::Failed {
            label: self.label.clone(),
            what,
            why,
        };
        let no_cert = || TokenError::NoCert {
            label: self.label.clone(),
            id: hex::encode(&self.key_id),
        };
        let certs = session
            .find_objects(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::Id(self.key_id.clone()),
            ])
            .map_err(|e| failed("looking for the certificate", why(&e)))?;
        let cert = certs.first().copied().ok_or_else(no_cert)?;
        let attrs = session
            .get_attributes(cert, &[AttributeType::Value])
            .map_err(|e| failed("reading the certificate", why(&e)))?;
        let der = attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::Value(v) => Some(v),
                _ => None,
            })
            .ok_or_else(no_cert)?;
        // OpenSSL decodes the key when it parses the certificate and keeps a failure: GOST's
        // algorithms must be known first.
        crate::gost::init().map_err(|e| failed("loading GOST", e.to_string()))?;
        X509::from_der(&der).map_err(|e| failed("reading the certificate", e.to_string()))
    }

    fn sign(&mut self, digest: &[u8]) -> Result<Vec<u8>, TokenError> {
        let mechanism =
            Mechanism::VendorDefined(VendorDefinedMechanism::new::<()>(self.mechanism, None));
        // Twice at most: a session the token lost is opened again once.
        for again in [true, false] {
            let (session, key) = match self.session.take() {
                Some(s) => s,
                None => self.login()?,
            };
            match session.sign(&mechanism, key, digest) {
                Ok(sig) => {
                    self.session = Some((session, key));
                    return Ok(sig);
                }
                Err(e) if again && lost(&e) => {
                    tracing::warn!(token = %self.label, error = %why(&e), "the token's session is lost: logging in again");
                }
                Err(e) => {
                    if !lost(&e) {
                        self.session = Some((session, key));
                    }
                    return Err(TokenError::Failed {
                        label: self.label.clone(),
                        what: "signing",
                        why: why(&e),
                    });
                }
            }
        }
        Err(TokenError::Gone {
            label: self.label.clone(),
        })
    }
}

/// The file in the data directory that remembers a refused PIN file.
const REFUSED_PIN: &str = "token-pin-refused";

/// What changes when the PIN file is written: its length, time and inode.
fn stamp(path: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(path) {
        Ok(m) => format!("{} {} {}.{}", m.ino(), m.len(), m.mtime(), m.mtime_nsec()),
        Err(_) => String::new(),
    }
}

/// The token no longer knows the session: it was pulled out, or the module restarted.
fn lost(e: &CkError) -> bool {
    matches!(
        rv(e),
        Some(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::UserNotLoggedIn
                | RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid
        )
    )
}

struct Job {
    digest: Vec<u8>,
    deadline: Instant,
    reply: mpsc::Sender<Result<Vec<u8>, TokenError>>,
}

/// The node's key on a token.
pub struct Pkcs11Signer {
    cert: X509,
    label: String,
    /// None only while it is dropped.
    jobs: Option<SyncSender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    timeout: Duration,
}

impl Drop for Pkcs11Signer {
    /// Closes the token's session before it returns (the login lasts while any session of
    /// the process is open, so a signer opened next must not find this one's), unless the
    /// token hangs: then it is left to the process's end after the signing time limit.
    fn drop(&mut self) {
        self.jobs = None;
        let Some(thread) = self.thread.take() else {
            return;
        };
        let deadline = Instant::now() + self.timeout;
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("subject", &keys::subject(&self.cert))
            .field("token", &self.label)
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Loads the module, finds the token, logs in and finds the key and its certificate;
    /// then the token's thread signs. Nothing is signed yet: [`super::load`] makes the first
    /// signature and checks it.
    pub fn open(s: &TokenSettings) -> Result<Pkcs11Signer, TokenError> {
        let (mut token, cert) = Token::open(s)?;
        let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
        let label = s.label.clone();
        let thread = std::thread::Builder::new()
            .name("volost-token".into())
            .spawn(move || {
                for job in queue {
                    // Its caller has given up: the token's time goes to the next one.
                    if Instant::now() >= job.deadline {
                        continue;
                    }
                    let _ = job.reply.send(token.sign(&job.digest));
                }
            })
            .map_err(|e| TokenError::Failed {
                label: label.clone(),
                what: "starting the token's thread",
                why: e.to_string(),
            })?;
        Ok(Pkcs11Signer {
            cert,
            label,
            jobs: Some(jobs),
            thread: Some(thread),
            timeout: s.timeout,
        })
    }

    pub fn token(&self) -> &str {
        &self.label
    }
}

impl Signer for Pkcs11Signer {
    fn cert(&self) -> &X509 {
        &self.cert
    }

    fn provider(&self) -> Provider {
        Provider::Pkcs11
    }

    fn sign_raw(&self, digest: &[u8]) -> Result<Vec<u8>, SignError> {
        let deadline = Instant::now() + self.timeout;
        let (reply, answer) = mpsc::channel();
        let job = Job {
            digest: digest.to_vec(),
            deadline,
            reply,
        };
        let label = self.label.clone();
        let Some(jobs) = &self.jobs else {
            return Err(TokenError::Gone { label }.into());
        };
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(TokenError::Busy { label }.into()),
            Err(TrySendError::Disconnected(_)) => return Err(TokenError::Gone { label }.into()),
        }
        match answer.recv_timeout(self.timeout) {
            Ok(r) => r.map_err(SignError::from),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(SignError::Timeout {
                program: format!("token «{label}»"),
                secs: self.timeout.as_secs(),
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(TokenError::Gone { label }.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gost_s_mechanism_is_made_from_its_number() {
        assert_eq!(*mechanism_type(0x1201), 0x1201);
        assert_eq!(*mechanism_type(0x1041), 0x1041);
        assert_eq!(*mechanism_type(0xD432_1006), 0xD432_1006);
    }
}
