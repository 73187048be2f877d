//! Staff's personal certificates (ЭП-СП): imported by an administrator, opened with the
//! employee's PIN for one signature, blocked after [`MAX_WRONG_PINS`] wrong PINs in a row
//! like a hardware token. The crypto is `smev::personal`'s; this module keeps the rows and
//! the rules.

use super::{Actor, Error, Node, Result, W};
use crate::domain::*;
use crate::smev::keys::NodeKey;
use crate::smev::personal::{self, PersonalError};
use crate::store::Read;
pub use volost_api::view::CertView;

/// Wrong PINs in a row before a certificate is blocked.
pub const MAX_WRONG_PINS: u32 = 5;

pub use volost_api::view::WARN_DAYS;

/// An employee's key, opened with their PIN for the operation at hand.
pub struct Signer {
    pub key: NodeKey,
    pub subject: String,
}

/// An employee's ЭП-СП made before the operation's write transaction (a token or a
/// certified tool takes its time, and writers wait for nobody), over exactly `business`.
pub struct Presigned {
    pub business: String,
    pub signature: String,
    pub subject: String,
}

impl Signer {
    /// Signs `business` now, outside any transaction.
    pub(super) fn presign(&self, business: String) -> Result<Presigned> {
        let signature = personal::sign(&business, &self.key)
            .map_err(|e| Error::Internal(format!("personal signature failed: {e}")))?;
        Ok(Presigned {
            business,
            signature,
            subject: self.subject.clone(),
        })
    }
}

/// The ЭП-СП of the business element `business` (made with `Id="PERSONAL_SIGNED_DATA"`) for
/// a kind that asks for one; `None` when the kind does not.
pub(super) fn signature_for(
    k: &RequestKind,
    business: &str,
    pre: Option<&Presigned>,
) -> Result<Option<String>> {
    if !k.sign_personal {
        return Ok(None);
    }
    signature_of(business, pre).map(Some)
}

/// The signature made before the transaction, when it is over this very `business`; the
/// data changed in between when it is not, and nothing is sent.
pub(super) fn signature_of(business: &str, pre: Option<&Presigned>) -> Result<String> {
    match pre {
        None => Err(Error::PinRequired),
        Some(p) if p.business == business => Ok(p.signature.clone()),
        Some(_) => Err(Error::Conflict(
            "Данные изменились, пока ставилась подпись ЭП-СП: повторите действие".into(),
        )),
    }
}

/// The business element's `Id`, when the kind signs it personally.
pub(super) fn business_id(k: &RequestKind) -> Option<&'static str> {
    k.sign_personal.then_some(personal::SIGNED_DATA_ID)
}

fn user_in_org(w: &W, login: &str) -> Result<User> {
    let u =
        super::auth::find_login(&w.tx, login)?.ok_or_else(|| Error::not_found("user", login))?;
    w.who.same_org(u.org, "user", login, u)
}

fn cert_view(c: &PersonalCert, login: &str, now: Ts) -> CertView {
    CertView {
        login: login.into(),
        subject: c.subject.clone(),
        serial: c.serial.clone(),
        not_before: c.not_before,
        not_after: c.not_after,
        days_left: (c.not_after.0 - now.0).div_euclid(86_400_000),
        blocked: c.blocked,
    }
}

impl Node {
    /// `volost user cert`: an administrator imports a staff member's container. `password`
    /// opens the container as issued; `pin` is what the employee will type to sign (it may
    /// be the same). A container that does not open, a key that is not GOST R 34.10-2012 or
    /// a certificate that has already ended changes nothing.
    pub fn import_personal_cert(
        &self,
        actor: Actor,
        login: &str,
        p12: &[u8],
        password: &str,
        pin: &str,
    ) -> Result<CertView> {
        // Outside the transaction: resealing derives keys slowly on purpose.
        let (container, facts) = personal::import(p12, password, pin).map_err(|e| match e {
            PersonalError::WrongPin => {
                Error::invalid("Контейнер", "Неверный пароль контейнера PKCS#12")
            }
            PersonalError::ShortPin => Error::invalid(
                "PIN-код",
                format!(
                    "PIN-код должен быть не короче {} символов",
                    personal::MIN_PIN
                ),
            ),
            PersonalError::Gost(crate::smev::gost::GostError::NotGostKey) => Error::invalid(
                "Контейнер",
                "Ключ в контейнере не ГОСТ Р 34.10-2012 (256 бит)",
            ),
            other => Error::invalid(
                "Контейнер",
                format!("Контейнер PKCS#12 не читается: {other}"),
            ),
        })?;
        self.write(actor, "personal_cert.import", |w| {
            w.who.require("personal_cert.import", Right::Administer)?;
            let u = user_in_org(w, login)?;
            if facts.not_after * 1000 <= w.now.0 {
                return Err(Error::invalid(
                    "Сертификат",
                    "Срок действия сертификата уже истёк",
                ));
            }
            let c = PersonalCert {
                id: u.id,
                org: u.org,
                container: container.clone(),
                subject: facts.subject.clone(),
                serial: facts.serial.clone(),
                not_before: Ts(facts.not_before * 1000),
                not_after: Ts(facts.not_after * 1000),
                imported: w.now,
                failed_pins: 0,
                blocked: false,
            };
            w.tx.put(&c)?;
            w.target("user", u.id);
            Ok(cert_view(&c, &u.login, w.now))
        })
    }

    /// An administrator removes a staff member's certificate (it was revoked, or they left).
    pub fn remove_personal_cert(&self, actor: Actor, login: &str) -> Result<()> {
        self.write(actor, "personal_cert.remove", |w| {
            w.who.require("personal_cert.remove", Right::Administer)?;
            let u = user_in_org(w, login)?;
            if w.tx.get::<PersonalCert>(u.id.0)?.is_none() {
                return Err(Error::NotAllowed(format!(
                    "У пользователя {login} нет сертификата ЭП-СП"
                )));
            }
            w.tx.delete::<PersonalCert>(u.id.0)?;
            w.target("user", u.id);
            Ok(())
        })
    }

    /// The acting employee's own certificate, if they have one.
    pub fn my_personal_cert(&self, actor: Actor) -> Result<Option<CertView>> {
        self.read(actor, |r| {
            let me = r.who.user.as_ref().ok_or(Error::Unauthenticated)?;
            Ok(r.rx
                .get::<PersonalCert>(me.id.0)?
                .map(|c| cert_view(&c, &me.login, r.now)))
        })
    }

    /// Every personal certificate of the body, for administrators.
    pub fn personal_certs(&self, actor: Actor) -> Result<Vec<CertView>> {
        self.read(actor, |r| {
            r.who.require("personal_cert.list", Right::Administer)?;
            let mut out = Vec::new();
            for c in r.rx.all::<PersonalCert>()? {
                if c.org != r.who.org {
                    continue;
                }
                let login =
                    r.rx.get::<User>(c.id.0)?
                        .map_or_else(String::new, |u| u.login);
                out.push(cert_view(&c, &login, r.now));
            }
            Ok(out)
        })
    }

    /// Opens the acting employee's key with `pin`, outside any transaction (the key
    /// derivation is slow on purpose). A wrong PIN is counted; at [`MAX_WRONG_PINS`] the
    /// certificate is blocked until an administrator imports it again. `None` in, `None` out.
    pub(super) fn unlock(&self, actor: Actor, pin: Option<&str>) -> Result<Option<Signer>> {
        let Some(pin) = pin else {
            return Ok(None);
        };
        let Actor::User(me) = actor else {
            return Err(Error::NotAllowed("ЭП-СП ставит только сотрудник".into()));
        };
        let (cert, now) = self.read(actor, |r| Ok((r.rx.get::<PersonalCert>(me.0)?, r.now)))?;
        let Some(cert) = cert else {
            return Err(Error::NotAllowed(
                "У вас нет сертификата ЭП-СП: обратитесь к администратору узла".into(),
            ));
        };
        if cert.blocked {
            return Err(Error::NotAllowed(format!(
                "ЭП-СП заблокирована после {MAX_WRONG_PINS} неверных PIN-кодов: обратитесь \
                 к администратору узла"
            )));
        }
        if cert.not_after <= now {
            return Err(Error::NotAllowed(format!(
                "Срок действия сертификата ЭП-СП истёк {}: обратитесь к администратору узла",
                cert.not_after.display(self.options().utc_offset)
            )));
        }
        match personal::open(&cert.container, pin) {
            Ok(key) => {
                if cert.failed_pins != 0 {
                    self.pin_outcome(actor, me, true)?;
                }
                if personal::is_legacy(&cert.container) {
                    self.reseal(actor, me, &key, pin, &cert.container);
                }
                Ok(Some(Signer {
                    key,
                    subject: cert.subject,
                }))
            }
            Err(PersonalError::WrongPin) => {
                let left = self.pin_outcome(actor, me, false)?;
                tracing::warn!(user = me.0, left, "wrong PIN of a personal certificate");
                Err(Error::WrongPin { left })
            }
            Err(e) => Err(Error::Internal(format!(
                "personal container of user {} does not open: {e}",
                me.0
            ))),
        }
    }

    /// A container sealed before PINs went through argon2id is sealed again now that its
    /// PIN is known. Best effort: the signature goes on if this fails, and the next opening
    /// tries again.
    fn reseal(
        &self,
        actor: Actor,
        me: UserId,
        key: &crate::smev::keys::NodeKey,
        pin: &str,
        old: &[u8],
    ) {
        let sealed = match personal::seal(key, pin) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(user = me.0, "personal container not resealed: {e}");
                return;
            }
        };
        let r = self.write(actor, "personal_cert.reseal", |w| {
            let mut c: PersonalCert =
                w.tx.get(me.0)?
                    .ok_or_else(|| Error::not_found("user", me))?;
            // Another import in between wins.
            if c.container == old {
                c.container = sealed.clone();
                w.tx.put(&c)?;
            }
            w.target("user", me);
            Ok(())
        });
        if let Err(e) = r {
            tracing::warn!(user = me.0, "personal container not resealed: {e}");
        }
    }

    /// Records a PIN's outcome; returns the tries left.
    fn pin_outcome(&self, actor: Actor, me: UserId, right: bool) -> Result<u32> {
        let op = if right {
            "personal_cert.pin"
        } else {
            "personal_cert.wrong_pin"
        };
        self.write(actor, op, |w| {
            let mut c: PersonalCert =
                w.tx.get(me.0)?
                    .ok_or_else(|| Error::not_found("user", me))?;
            if right {
                c.failed_pins = 0;
            } else {
                c.failed_pins += 1;
                if c.failed_pins >= MAX_WRONG_PINS {
                    c.blocked = true;
                    super::history::audit(w, "personal_cert.blocked")?;
                }
            }
            w.tx.put(&c)?;
            w.target("user", me);
            Ok(MAX_WRONG_PINS.saturating_sub(c.failed_pins))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_made_before_the_write_stands_only_for_the_same_element() {
        let pre = Presigned {
            business: "<a Id=\"PERSONAL_SIGNED_DATA\">1</a>".into(),
            signature: "<ds:Signature/>".into(),
            subject: "Иванова".into(),
        };
        assert_eq!(
            signature_of(&pre.business, Some(&pre)).expect("same"),
            "<ds:Signature/>"
        );
        // The data changed between the signature and the write: nothing goes with it.
        assert!(matches!(
            signature_of("<a Id=\"PERSONAL_SIGNED_DATA\">2</a>", Some(&pre)),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            signature_of(&pre.business, None),
            Err(Error::PinRequired)
        ));
    }

    #[test]
    fn a_container_sealed_before_argon2_is_sealed_again_at_its_first_signature() {
        let dir = tempfile::tempdir().expect("tmp");
        let r = Node::init(
            &dir.path().join("data"),
            &super::super::NewOrg {
                name: "Администрация".into(),
                ..Default::default()
            },
            "admin",
            std::sync::Arc::new(crate::clock::FixedClock::new(Ts(1_795_402_800_000))),
            super::super::Options::for_tests(),
        )
        .expect("init");
        let node = r.node;
        let me = r.admin.id;
        node.change_password(Actor::User(me), &r.password, "Другой-пароль-2026")
            .expect("first password changed");
        let pin = "864209";
        let p12 = personal::test_container("Админ", "", 30, pin).expect("container");
        node.import_personal_cert(Actor::System(OrgId(1)), "admin", &p12, pin, pin)
            .expect("import");
        // As an older version left it: the bare PKCS#12 under the PIN.
        let mut tx = node.store().begin().expect("tx");
        let mut c: PersonalCert = tx.get(me.0).expect("get").expect("cert");
        c.container = p12.clone();
        tx.put(&c).expect("put");
        tx.commit().expect("commit");
        assert!(
            node.unlock(Actor::User(me), Some(pin))
                .expect("unlock")
                .is_some()
        );
        let c: PersonalCert = node
            .store()
            .read()
            .expect("rx")
            .get(me.0)
            .expect("get")
            .expect("c");
        assert!(!personal::is_legacy(&c.container), "sealed again");
        assert!(
            node.unlock(Actor::User(me), Some(pin))
                .expect("unlock")
                .is_some()
        );
        assert!(matches!(
            node.unlock(Actor::User(me), Some("000000")),
            Err(Error::WrongPin { .. })
        ));
    }

    #[test]
    fn the_warning_comes_a_month_before_the_end() {
        let mut v = CertView {
            login: "ivanova".into(),
            subject: "Иванова".into(),
            serial: "01".into(),
            not_before: Ts(0),
            not_after: Ts(0),
            days_left: 400,
            blocked: false,
        };
        assert_eq!(v.warning(), None);
        v.days_left = 12;
        assert_eq!(v.warning().as_deref(), Some("ЭП-СП: осталось 12 дн."));
        v.days_left = -1;
        assert_eq!(
            v.warning().as_deref(),
            Some("ЭП-СП: срок сертификата истёк")
        );
        v.blocked = true;
        assert_eq!(v.warning().as_deref(), Some("ЭП-СП заблокирована"));
    }
}
