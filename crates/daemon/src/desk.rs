//! ЭП-СП made with the employee's own token in their PC, through the staff web page (issue 31):
//! «the signing desk». An operation that needs the signature (a request sent, an answer given)
//! runs as always, outside its write transaction; its [`BrowserKey`] puts the digest of the
//! `SignedInfo` on the desk under the employee's name and waits. The web page, signed in as
//! the same employee, takes it (`SigningPending`), has the CryptoPro plug-in sign it with the
//! certificate the clerk picks, and hands back the signature and the certificate
//! (`SigningDone`). The desk takes it only when it verifies over exactly that digest
//! (`volost_smev::plugin`), the certificate is the one registered for the employee, and it is
//! trusted (a chain to the trust directory's CA roots, in its time, not revoked); then the
//! waiting operation goes on with it. Nothing else crosses: the page never sees the data
//! signed, only what it is (in words) and its digest.
//!
//! Bounded: one signature waits per employee and [`MAX_WAITING`] in all; each waits
//! [`WAIT`] at most, then the operation is refused and nothing is sent.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use volost_api::view::SigningView;
use volost_core::service::{Error, PersonalKey, Result};
use volost_domain::UserId;
use volost_smev::dsig::{Prepared, Verified};
use volost_smev::trust::TrustDir;
use volost_smev::{personal, plugin};

/// How long an operation waits for the signature in the web page.
pub const WAIT: Duration = Duration::from_secs(180);
/// Signatures waiting at once, in all.
pub const MAX_WAITING: usize = 32;

/// What the waiting operation gets: the `ds:Signature` and who made it, or why not.
type Outcome = std::result::Result<(String, String), Error>;

struct Slot {
    id: String,
    what: String,
    prepared: Prepared,
    /// The serial and subject of the certificate registered for the employee: the token's
    /// must be it (the node keeps no more of a token's certificate than what it says).
    serial: String,
    subject: String,
    until: Instant,
    reply: SyncSender<Outcome>,
}

pub struct Desk {
    slots: Mutex<HashMap<UserId, Slot>>,
    /// The node is stopping: nothing more waits, and what waited is refused.
    closed: std::sync::atomic::AtomicBool,
    trust: Arc<TrustDir>,
    wait: Duration,
}

fn stopping() -> Error {
    Error::Conflict(
        "Узел останавливается: подпись ЭП-СП не поставлена, ничего не отправлено".into(),
    )
}

fn busy() -> Error {
    Error::Internal("the signing desk's lock is poisoned".into())
}

impl Desk {
    pub fn new(trust: Arc<TrustDir>) -> Desk {
        Desk::with_wait(trust, WAIT)
    }

    pub fn with_wait(trust: Arc<TrustDir>, wait: Duration) -> Desk {
        Desk {
            slots: Mutex::new(HashMap::new()),
            closed: std::sync::atomic::AtomicBool::new(false),
            trust,
            wait,
        }
    }

    /// The node stops: every operation waiting is refused at once (the page that would sign
    /// is already gone), and none waits again.
    pub fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut slots) = self.slots.lock() {
            for (_, slot) in slots.drain() {
                let _ = slot.reply.send(Err(stopping()));
            }
        }
    }

    fn put(
        &self,
        user: UserId,
        what: &str,
        prepared: Prepared,
        registered: (&str, &str),
    ) -> Result<(String, Receiver<Outcome>)> {
        if self.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(stopping());
        }
        let mut slots = self.slots.lock().map_err(|_| busy())?;
        let now = Instant::now();
        slots.retain(|_, s| s.until > now);
        if slots.contains_key(&user) {
            return Err(Error::Conflict(
                "Другая подпись уже ждёт вас в окне документов: подпишите или отклоните её".into(),
            ));
        }
        if slots.len() >= MAX_WAITING {
            return Err(Error::Busy("signatures waiting in the web page"));
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (reply, answer) = mpsc::sync_channel(1);
        slots.insert(
            user,
            Slot {
                id: id.clone(),
                what: what.into(),
                prepared,
                serial: registered.0.into(),
                subject: registered.1.into(),
                until: now + self.wait,
                reply,
            },
        );
        Ok((id, answer))
    }

    fn take_back(&self, user: UserId, id: &str) {
        if let Ok(mut slots) = self.slots.lock()
            && slots.get(&user).is_some_and(|s| s.id == id)
        {
            slots.remove(&user);
        }
    }

    /// The signature waiting for `user`, for the page.
    pub fn pending(&self, user: UserId) -> Result<Option<SigningView>> {
        let slots = self.slots.lock().map_err(|_| busy())?;
        let now = Instant::now();
        Ok(slots
            .get(&user)
            .filter(|s| s.until > now)
            .map(|s| SigningView {
                id: s.id.clone(),
                hash: plugin::hash_hex(&s.prepared),
                what: s.what.clone(),
                seconds_left: s.until.saturating_duration_since(now).as_secs(),
            }))
    }

    /// What the page made of signature `id`: taken when it verifies, is the employee's
    /// registered certificate and is trusted; otherwise refused in words, and the signature
    /// still waits (the clerk may pick another certificate).
    pub fn done(&self, user: UserId, id: &str, certificate: &str, signature: &str) -> Result<()> {
        let gone = || {
            Error::Conflict("Эта подпись больше не ждёт: действие отменено или время вышло".into())
        };
        // What is checked is copied out: the checks (two GOST verifications, the trust
        // directory) run without the lock every page's poll takes.
        let (prepared, serial, subject) = {
            let slots = self.slots.lock().map_err(|_| busy())?;
            let slot = slots
                .get(&user)
                .filter(|s| s.id == id && s.until > Instant::now())
                .ok_or_else(gone)?;
            (
                slot.prepared.clone(),
                slot.serial.clone(),
                slot.subject.clone(),
            )
        };
        let refused = |m: String| Error::invalid("Подпись", m);
        let cert = plugin::certificate(certificate).map_err(|e| refused(e.russian()))?;
        let facts = personal::CertFacts::of(&cert)
            .map_err(|e| refused(format!("Сертификат не читается: {e}")))?;
        if !facts.serial.eq_ignore_ascii_case(&serial) || facts.subject != subject {
            return Err(refused(format!(
                "Выбран сертификат «{}», а за вами закреплён другой: выберите свой или \
                 обратитесь к администратору",
                facts.subject
            )));
        }
        let signed = plugin::assemble(&prepared, certificate, signature)
            .map_err(|e| refused(e.russian()))?;
        let stores = self
            .trust
            .stores()
            .map_err(|e| Error::Internal(format!("trust directory: {e}")))?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let verdict = stores.judge_personal(
            Ok(Verified {
                cert,
                reference: personal::SIGNED_DATA_ID.into(),
            }),
            now,
        );
        if !verdict.valid {
            return Err(refused(format!("Подпись не принята: {}", verdict.label())));
        }
        let mut slots = self.slots.lock().map_err(|_| busy())?;
        // Still the same signature waiting (not declined, not timed out meanwhile).
        if slots.get(&user).is_none_or(|s| s.id != id) {
            return Err(gone());
        }
        let Some(slot) = slots.remove(&user) else {
            return Err(gone());
        };
        // The operation may have given up a moment ago: then nothing waits for it.
        let _ = slot.reply.send(Ok((signed, facts.subject)));
        Ok(())
    }

    /// The clerk declines signature `id` at the page: the operation is refused.
    pub fn declined(&self, user: UserId, id: &str) -> Result<()> {
        let mut slots = self.slots.lock().map_err(|_| busy())?;
        let slot = match slots.get(&user) {
            Some(s) if s.id == id => slots.remove(&user),
            _ => None,
        };
        // Signed from another tab, or given up: saying «nothing was sent» would be untrue.
        let Some(slot) = slot else {
            return Err(Error::Conflict(
                "Эта подпись больше не ждёт: она уже поставлена или действие отменено".into(),
            ));
        };
        let _ = slot.reply.send(Err(Error::Conflict(
            "Подпись ЭП-СП отклонена в окне документов: ничего не отправлено".into(),
        )));
        Ok(())
    }
}

/// The employee's key on their own token, reached through the web page.
pub struct BrowserKey {
    desk: Arc<Desk>,
    user: UserId,
    what: String,
    serial: String,
    registered_subject: String,
    subject: OnceLock<String>,
}

impl BrowserKey {
    /// For `user`, whose registered certificate has `serial` and `subject`; `what` names
    /// the signed thing for the page.
    pub fn new(
        desk: Arc<Desk>,
        user: UserId,
        what: String,
        (serial, subject): (String, String),
    ) -> BrowserKey {
        BrowserKey {
            desk,
            user,
            what,
            serial,
            registered_subject: subject,
            subject: OnceLock::new(),
        }
    }
}

impl PersonalKey for BrowserKey {
    fn subject(&self) -> &str {
        self.subject.get().map_or("", String::as_str)
    }

    fn sign(&self, business: &str) -> Result<String> {
        let prepared = plugin::prepare(business)
            .map_err(|e| Error::Internal(format!("personal signature: {e}")))?;
        let (id, answer) = self.desk.put(
            self.user,
            &self.what,
            prepared,
            (&self.serial, &self.registered_subject),
        )?;
        tracing::info!(
            user = self.user.0,
            "a personal signature waits in the web page"
        );
        match answer.recv_timeout(self.desk.wait) {
            Ok(Ok((signature, subject))) => {
                let _ = self.subject.set(subject);
                Ok(signature)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => {
                self.desk.take_back(self.user, &id);
                Err(Error::Conflict(format!(
                    "Подпись ЭП-СП не поставлена в окне документов за {} мин: ничего не \
                     отправлено",
                    self.desk.wait.as_secs() / 60
                )))
            }
        }
    }
}

/// The acting employee's ЭП-СП key for one operation: opened with `pin` (the container the
/// node keeps), or on their token through the web page when `browser`; `None` when neither
/// is asked (the operation says whether it needs one). `what` names the signed thing.
pub fn personal_key(
    desk: Option<&Arc<Desk>>,
    node: &volost_core::service::Node,
    actor: volost_core::Actor,
    pin: Option<&str>,
    browser: bool,
    what: &str,
) -> Result<Option<Box<dyn PersonalKey>>> {
    if !browser {
        return volost_smev::staff::unlock(node, actor, pin);
    }
    let volost_core::Actor::User(me) = actor else {
        return Err(Error::NotAllowed("ЭП-СП ставит только сотрудник".into()));
    };
    let Some(desk) = desk else {
        return Err(Error::NotAllowed(
            "Окно документов выключено: подпись токеном недоступна".into(),
        ));
    };
    let cert = node.personal_cert_to_sign(actor)?;
    Ok(Some(Box::new(BrowserKey::new(
        desk.clone(),
        me,
        what.into(),
        (cert.serial, cert.subject),
    ))))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const BUSINESS: &str = "<t:R xmlns:t=\"urn:t\" Id=\"PERSONAL_SIGNED_DATA\">1</t:R>";

    fn desk(wait: Duration) -> (tempfile::TempDir, Arc<Desk>) {
        let dir = tempfile::tempdir().unwrap();
        let trust = Arc::new(TrustDir::new(dir.path().to_path_buf()));
        (dir, Arc::new(Desk::with_wait(trust, wait)))
    }

    fn waiting(desk: &Arc<Desk>, user: UserId) -> std::thread::JoinHandle<Result<String>> {
        let key = BrowserKey::new(
            desk.clone(),
            user,
            "Запрос".into(),
            ("01".into(), "И".into()),
        );
        let h = std::thread::spawn(move || key.sign(BUSINESS));
        let t0 = Instant::now();
        while desk.pending(user).unwrap().is_none() {
            assert!(t0.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(5));
        }
        h
    }

    #[test]
    fn one_signature_waits_per_employee_seen_only_by_them_and_declined_or_timed_out() {
        let (_dir, d) = desk(Duration::from_secs(30));
        let (me, other) = (UserId(7), UserId(8));
        let h = waiting(&d, me);
        let p = d.pending(me).unwrap().unwrap();
        assert_eq!((p.what.as_str(), p.hash.len()), ("Запрос", 64));
        assert!(d.pending(other).unwrap().is_none());
        // A second one for the same employee waits for nobody: refused at once.
        let again = BrowserKey::new(d.clone(), me, "Запрос".into(), ("01".into(), "И".into()));
        assert!(matches!(again.sign(BUSINESS), Err(Error::Conflict(_))));
        // Another's page, or an id of another time, takes nothing.
        assert!(matches!(
            d.done(other, &p.id, "", ""),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            d.done(me, "stale", "", ""),
            Err(Error::Conflict(_))
        ));
        // Garbage from the page is refused and the signature still waits.
        assert!(matches!(
            d.done(me, &p.id, "not a certificate", "00"),
            Err(Error::Invalid(_))
        ));
        assert!(d.pending(me).unwrap().is_some());
        d.declined(me, &p.id).unwrap();
        let e = h.join().unwrap().unwrap_err();
        assert!(e.ru().contains("отклонена"), "{e}");
        assert!(d.pending(me).unwrap().is_none());

        // Declining what no longer waits (signed in another tab) is not «nothing sent».
        assert!(matches!(d.declined(me, &p.id), Err(Error::Conflict(_))));

        let (_dir, d) = desk(Duration::from_millis(200));
        let h = waiting(&d, me);
        let e = h.join().unwrap().unwrap_err();
        assert!(e.ru().contains("не поставлена"), "{e}");
        assert!(d.pending(me).unwrap().is_none());

        // The node stops: what waits is refused at once, and nothing waits again.
        let (_dir, d) = desk(Duration::from_secs(30));
        let h = waiting(&d, me);
        d.close();
        let e = h.join().unwrap().unwrap_err();
        assert!(e.ru().contains("останавливается"), "{e}");
        let key = BrowserKey::new(d.clone(), other, "Запрос".into(), ("01".into(), "И".into()));
        assert!(
            key.sign(BUSINESS)
                .unwrap_err()
                .ru()
                .contains("останавливается")
        );
    }
}
