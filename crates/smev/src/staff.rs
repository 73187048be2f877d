//! The staff's personal keys (ЭП-СП) as the exchange adapter holds them: a container imported
//! by an administrator is opened with its password and sealed with the employee's PIN here,
//! and opened with the PIN for one operation, which gets it as a [`PersonalKey`]. The rows
//! and the rules (blocking after wrong PINs, expiry) are the core's
//! (`service::personal`); the crypto is [`super::personal`]'s.

use super::keys::NodeKey;
use super::personal::{self, PersonalError};
use volost_core::service::{Actor, CertView, Error, NewPersonalCert, Node, PersonalKey, Result};
use volost_domain::Ts;

/// An employee's key, opened.
pub struct Unlocked {
    key: NodeKey,
    subject: String,
}

impl PersonalKey for Unlocked {
    fn subject(&self) -> &str {
        &self.subject
    }

    fn sign(&self, business: &str) -> Result<String> {
        personal::sign(business, &self.key)
            .map_err(|e| Error::Internal(format!("personal signature failed: {e}")))
    }
}

/// `volost user cert`: opens a staff member's container with `password` (as issued), seals
/// it with `pin` (what the employee will type to sign; it may be the same) outside any
/// transaction — the key derivation is slow on purpose — and gives it to the node. A
/// container that does not open or whose key is not GOST R 34.10-2012 changes nothing.
pub fn import_cert(
    node: &Node,
    actor: Actor,
    login: &str,
    p12: &[u8],
    password: &str,
    pin: &str,
) -> Result<CertView> {
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
        PersonalError::Gost(super::gost::GostError::NotGostKey) => Error::invalid(
            "Контейнер",
            "Ключ в контейнере не ГОСТ Р 34.10-2012 (256 бит)",
        ),
        other => Error::invalid(
            "Контейнер",
            format!("Контейнер PKCS#12 не читается: {other}"),
        ),
    })?;
    node.import_personal_cert(
        actor,
        login,
        NewPersonalCert {
            container,
            subject: facts.subject,
            serial: facts.serial,
            not_before: Ts(facts.not_before.saturating_mul(1000)),
            not_after: Ts(facts.not_after.saturating_mul(1000)),
        },
    )
}

/// `volost user cert --token`: the certificate of a key on the staff member's own token (PEM
/// or DER); the node keeps only the certificate, and the employee signs in the web page.
pub fn import_token_cert(node: &Node, actor: Actor, login: &str, cert: &[u8]) -> Result<CertView> {
    let bad = |m: String| Error::invalid("Сертификат", m);
    super::gost::init().map_err(|e| bad(e.to_string()))?;
    let cert = openssl::x509::X509::from_pem(cert)
        .or_else(|_| openssl::x509::X509::from_der(cert))
        .map_err(|_| bad("Файл не сертификат (ни PEM, ни DER)".into()))?;
    let key = cert
        .public_key()
        .map_err(|e| bad(format!("Ключ сертификата не читается: {e}")))?;
    super::gost::check_key(&key)
        .map_err(|_| bad("Ключ сертификата не ГОСТ Р 34.10-2012 (256 бит)".into()))?;
    let facts = personal::CertFacts::of(&cert).map_err(|e| bad(e.to_string()))?;
    node.import_personal_cert(
        actor,
        login,
        NewPersonalCert {
            // Empty: the key is on the token; nothing here opens with a PIN.
            container: Vec::new(),
            subject: facts.subject,
            serial: facts.serial,
            not_before: Ts(facts.not_before.saturating_mul(1000)),
            not_after: Ts(facts.not_after.saturating_mul(1000)),
        },
    )
}

/// Opens the acting employee's key with `pin`, outside any transaction. A wrong PIN is
/// counted by the node; a right one after wrong ones clears the count. `None` in, `None` out.
pub fn unlock(
    node: &Node,
    actor: Actor,
    pin: Option<&str>,
) -> Result<Option<Box<dyn PersonalKey>>> {
    let Some(pin) = pin else {
        return Ok(None);
    };
    let cert = node.personal_cert_to_sign(actor)?;
    if cert.container.is_empty() {
        return Err(Error::NotAllowed(
            "Ваш сертификат ЭП-СП — на вашем токене: подписывайте им в окне документов (F4 \
             в диалоге PIN-кода)"
                .into(),
        ));
    }
    match personal::open(&cert.container, pin) {
        Ok(key) => {
            if cert.failed_pins != 0 {
                node.personal_pin(actor, true)?;
            }
            if personal::is_legacy(&cert.container) {
                reseal(node, actor, &key, pin, &cert.container);
            }
            Ok(Some(Box::new(Unlocked {
                key,
                subject: cert.subject,
            })))
        }
        Err(PersonalError::WrongPin) => {
            let left = node.personal_pin(actor, false)?;
            tracing::warn!(
                user = cert.id.0,
                left,
                "wrong PIN of a personal certificate"
            );
            Err(Error::WrongPin { left })
        }
        Err(e) => Err(Error::Internal(format!(
            "personal container of user {} does not open: {e}",
            cert.id.0
        ))),
    }
}

/// A container sealed before PINs went through argon2id is sealed again now that its PIN is
/// known. Best effort: the signature goes on if this fails, and the next opening tries again.
fn reseal(node: &Node, actor: Actor, key: &NodeKey, pin: &str, old: &[u8]) {
    let r = personal::seal(key, pin)
        .map_err(|e| e.to_string())
        .and_then(|sealed| {
            node.reseal_personal_cert(actor, old, sealed)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = r {
        tracing::warn!("personal container not resealed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use volost_core::service::Options;
    use volost_domain::{OrgId, PersonalCert};
    use volost_store::Read;

    #[test]
    fn a_container_sealed_before_argon2_is_sealed_again_at_its_first_signature() {
        let dir = tempfile::tempdir().expect("tmp");
        let r = Node::init(
            &dir.path().join("data"),
            &volost_core::service::NewOrg {
                name: "Администрация".into(),
                ..Default::default()
            },
            "admin",
            std::sync::Arc::new(volost_core::clock::FixedClock::new(Ts(1_795_402_800_000))),
            Options::for_tests(),
        )
        .expect("init");
        let node = r.node;
        let me = r.admin.id;
        node.change_password(Actor::User(me), &r.password, "Другой-пароль-2026")
            .expect("first password changed");
        let pin = "864209";
        let p12 = personal::test_container("Админ", "", 30, pin).expect("container");
        import_cert(&node, Actor::System(OrgId(1)), "admin", &p12, pin, pin).expect("import");
        // As an older version left it: the bare PKCS#12 under the PIN.
        let mut tx = node.store().begin().expect("tx");
        let mut c: PersonalCert = tx.get(me.0).expect("get").expect("cert");
        c.container = p12.clone();
        tx.put(&c).expect("put");
        tx.commit().expect("commit");
        assert!(
            unlock(&node, Actor::User(me), Some(pin))
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
            unlock(&node, Actor::User(me), Some(pin))
                .expect("unlock")
                .is_some()
        );
        assert!(matches!(
            unlock(&node, Actor::User(me), Some("000000")),
            Err(Error::WrongPin { .. })
        ));
    }
}
