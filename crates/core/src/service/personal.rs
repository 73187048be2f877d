//! Staff's personal certificates (ЭП-СП): imported by an administrator, opened with the
//! employee's PIN for one signature, blocked after [`MAX_WRONG_PINS`] wrong PINs in a row
//! like a hardware token. This module keeps the rows and the rules; the containers' crypto
//! (sealing, opening, signing) is the exchange adapter's (`crate::smev::staff`), which hands
//! an operation the opened key as a [`PersonalKey`].

use super::{Actor, Error, Node, Result, W};
pub use volost_api::view::CertView;
use volost_domain::*;
use volost_store::Read;

/// Wrong PINs in a row before a certificate is blocked.
pub const MAX_WRONG_PINS: u32 = 5;

pub use volost_api::view::WARN_DAYS;

/// An employee's key, opened with their PIN for the operation at hand.
pub trait PersonalKey: Send + Sync {
    /// Whose it is, as the certificate names them.
    fn subject(&self) -> &str;
    /// The `ds:Signature` over `business`, a business element whose root carries the `Id`
    /// personal signatures reference; why not, as an error staff can read, when it cannot
    /// sign (a key that breaks is [`Error::Internal`]).
    fn sign(&self, business: &str) -> Result<String>;
}

/// A container as the adapter resealed it at import, with what its certificate says.
pub struct NewPersonalCert {
    pub container: Vec<u8>,
    pub subject: String,
    pub serial: String,
    pub not_before: Ts,
    pub not_after: Ts,
}

/// An employee's ЭП-СП made before the operation's write transaction (a token or a
/// certified tool takes its time, and writers wait for nobody), over exactly `business`.
pub struct Presigned {
    pub business: String,
    pub signature: String,
    pub subject: String,
}

/// Signs `business` with `key` now, outside any transaction.
pub(super) fn presign(key: &dyn PersonalKey, business: String) -> Result<Presigned> {
    let signature = key.sign(&business)?;
    Ok(Presigned {
        business,
        signature,
        subject: key.subject().to_string(),
    })
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
        on_token: c.container.is_empty(),
    }
}

impl Node {
    /// `volost user cert`: an administrator imports a staff member's container, which the
    /// adapter opened with its password and sealed with the employee's PIN. A certificate that
    /// has already ended changes nothing.
    pub fn import_personal_cert(
        &self,
        actor: Actor,
        login: &str,
        new: NewPersonalCert,
    ) -> Result<CertView> {
        self.write(actor, "personal_cert.import", |w| {
            w.who.require("personal_cert.import", Right::Administer)?;
            let u = user_in_org(w, login)?;
            if new.not_after <= w.now {
                return Err(Error::invalid(
                    "Сертификат",
                    "Срок действия сертификата уже истёк",
                ));
            }
            let c = PersonalCert {
                id: u.id,
                org: u.org,
                container: new.container.clone(),
                subject: new.subject.clone(),
                serial: new.serial.clone(),
                not_before: new.not_before,
                not_after: new.not_after,
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

    /// Staff certificates (ЭП-СП) of every body that end within [`WARN_DAYS`], and those
    /// that have ended: for `/health` and `/metrics`, so support sees them coming.
    pub fn staff_certs_ending(&self) -> Result<(u64, u64)> {
        let rx = self.store().read()?;
        let now = self.now();
        let soon = Ts(now.0.saturating_add(WARN_DAYS * 86_400_000));
        let (mut ending, mut ended) = (0, 0);
        // A blocked certificate signs nothing already: it is the administrator's, not news.
        for c in rx.all::<PersonalCert>()?.into_iter().filter(|c| !c.blocked) {
            if c.not_after <= now {
                ended += 1;
            } else if c.not_after <= soon {
                ending += 1;
            }
        }
        Ok((ending, ended))
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

    /// The acting employee's certificate, for the adapter to open with the PIN they typed:
    /// refused when they have none, or it is blocked or has ended.
    pub fn personal_cert_to_sign(&self, actor: Actor) -> Result<PersonalCert> {
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
        Ok(cert)
    }

    /// Replaces the acting employee's container `old` with `sealed`, the same key sealed
    /// again (a container sealed before PINs went through argon2id, once its PIN is known).
    /// Another import in between wins.
    pub fn reseal_personal_cert(&self, actor: Actor, old: &[u8], sealed: Vec<u8>) -> Result<()> {
        let me = match actor {
            Actor::User(me) => me,
            Actor::System(_) => return Err(Error::Unauthenticated),
        };
        self.write(actor, "personal_cert.reseal", |w| {
            let mut c: PersonalCert =
                w.tx.get(me.0)?
                    .ok_or_else(|| Error::not_found("user", me))?;
            if c.container == old {
                c.container = sealed.clone();
                w.tx.put(&c)?;
            }
            w.target("user", me);
            Ok(())
        })
    }

    /// Records the outcome of a PIN the acting employee typed; returns the tries left. At
    /// [`MAX_WRONG_PINS`] wrong ones in a row the certificate is blocked until an
    /// administrator imports it again.
    pub fn personal_pin(&self, actor: Actor, right: bool) -> Result<u32> {
        let me = match actor {
            Actor::User(me) => me,
            Actor::System(_) => return Err(Error::Unauthenticated),
        };
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
    fn the_warning_comes_a_month_before_the_end() {
        let mut v = CertView {
            login: "ivanova".into(),
            subject: "Иванова".into(),
            serial: "01".into(),
            not_before: Ts(0),
            not_after: Ts(0),
            days_left: 400,
            blocked: false,
            on_token: false,
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
