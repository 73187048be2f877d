//! Personal signatures of staff (ЭП-СП): the signature of one employee over the business data
//! of a request or an answer, carried in `PersonalSignature` beside it (brief §7). The key
//! lives in a PKCS#12 container sealed with the employee's PIN; the node keeps the container
//! and opens it only with the PIN typed for one signature.
//!
//! A container imported from a CA's token export is resealed here: a PIN is short, and the
//! container sits in the node's database and its backups, where it may be copied and guessed
//! at offline. The PIN goes through argon2id ([`PIN_M_KIB`] of memory, [`PIN_T`] passes; a
//! graphics card gains little on memory-hard work), and what comes out is the password of the
//! PKCS#12 inside (PBKDF2, [`SEAL_ITERATIONS`] rounds, on top). Before, PBKDF2 alone took
//! 78.5 ms a try, and a 4-digit PIN fell in 13 minutes (issue 27).
//!
//! The sealed form: [`MAGIC`], `m_kib` and `t` (big-endian u32), a 16-byte salt, the PKCS#12.
//! Containers sealed before it (a bare PKCS#12 opened with the PIN itself) still open.

use super::dsig::{self, SignatureError};
use super::gost::{self, GostError};
use super::keys::{self, NodeKey, Pkcs12Error};
use super::xml::{XmlError, parse};
use openssl::x509::X509;

/// The `Id` of the business element a personal signature references.
pub const SIGNED_DATA_ID: &str = "PERSONAL_SIGNED_DATA";

/// PBKDF2 rounds of a sealed container: an opening (MAC, key and certificate) takes about a
/// tenth of a second on the build machines (`openssl pkcs12 -noout` on a sealed container:
/// 75 ms of CPU), nothing beside a person typing a PIN and a great deal to someone trying
/// every PIN.
pub const SEAL_ITERATIONS: u32 = 200_000;

/// The shortest PIN a container may be sealed with.
pub const MIN_PIN: usize = 6;

/// The argon2id cost of a PIN: 64 MiB and 3 passes, about half a second here.
pub const PIN_M_KIB: u32 = 64 * 1024;
pub const PIN_T: u32 = 3;
pub const MAGIC: &[u8] = b"VPIN1\0";
const SALT: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PersonalError {
    #[error("{0}")]
    Gost(#[from] GostError),
    #[error("{0}")]
    Container(Pkcs12Error),
    #[error("wrong PIN")]
    WrongPin,
    #[error("the PIN must have at least {MIN_PIN} characters")]
    ShortPin,
    #[error("the certificate cannot be read: {0}")]
    Certificate(String),
    #[error("the business data cannot be signed: {0}")]
    Sign(String),
}

impl From<SignatureError> for PersonalError {
    fn from(e: SignatureError) -> Self {
        PersonalError::Sign(e.to_string())
    }
}

impl From<XmlError> for PersonalError {
    fn from(e: XmlError) -> Self {
        PersonalError::Sign(e.to_string())
    }
}

/// What a personal certificate says, for people and for the expiry checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFacts {
    /// Common name and organisation.
    pub subject: String,
    /// The serial number in hex, as CAs print it.
    pub serial: String,
    /// Validity, in Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
}

impl CertFacts {
    pub fn of(cert: &X509) -> Result<CertFacts, PersonalError> {
        let bad = |e: openssl::error::ErrorStack| PersonalError::Certificate(e.to_string());
        let serial = cert
            .serial_number()
            .to_bn()
            .and_then(|b| b.to_hex_str().map(|h| h.to_string()))
            .map_err(bad)?;
        Ok(CertFacts {
            subject: keys::subject(cert),
            serial,
            not_before: unix(cert.not_before())?,
            not_after: unix(cert.not_after())?,
        })
    }
}

fn unix(t: &openssl::asn1::Asn1TimeRef) -> Result<i64, PersonalError> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0)
        .map_err(|e| PersonalError::Certificate(e.to_string()))?;
    let d = epoch
        .diff(t)
        .map_err(|e| PersonalError::Certificate(e.to_string()))?;
    Ok(i64::from(d.days) * 86_400 + i64::from(d.secs))
}

/// The PKCS#12 password a PIN stands for: argon2id of it, in hex.
fn derive(pin: &str, salt: &[u8], m_kib: u32, t: u32) -> Result<String, PersonalError> {
    let fail = |e: String| PersonalError::Certificate(format!("PIN derivation: {e}"));
    if m_kib > 1024 * 1024 || t > 100 {
        return Err(fail("parameters out of range".into()));
    }
    let p = argon2::Params::new(m_kib, t, 1, Some(32)).map_err(|e| fail(e.to_string()))?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        p.clone(),
    );
    let mut out = [0u8; 32];
    volost_core::kdf::in_slot(p.block_count(), |blocks| {
        argon.hash_password_into_with_memory(pin.as_bytes(), salt, &mut out, blocks)
    })
    .map_err(|e| fail(e.to_string()))?
    .map_err(|e| fail(e.to_string()))?;
    Ok(out.iter().map(|b| format!("{b:02x}")).collect())
}

/// Seals `key` and `cert` into a container that opens with `pin`.
pub fn seal(key: &NodeKey, pin: &str) -> Result<Vec<u8>, PersonalError> {
    seal_with(key, pin, PIN_M_KIB, PIN_T)
}

/// [`seal`] at a given argon2id cost (cheaper ones for tests).
pub fn seal_with(key: &NodeKey, pin: &str, m_kib: u32, t: u32) -> Result<Vec<u8>, PersonalError> {
    if pin.chars().count() < MIN_PIN {
        return Err(PersonalError::ShortPin);
    }
    let mut salt = [0u8; SALT];
    openssl::rand::rand_bytes(&mut salt)
        .map_err(|e| PersonalError::Gost(GostError::Crypto(e.to_string())))?;
    let password = derive(pin, &salt, m_kib, t)?;
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&m_kib.to_be_bytes());
    out.extend_from_slice(&t.to_be_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&pkcs12(key, &password)?);
    Ok(out)
}

fn pkcs12(key: &NodeKey, password: &str) -> Result<Vec<u8>, PersonalError> {
    gost::init()?;
    let crypto =
        |e: openssl::error::ErrorStack| PersonalError::Gost(GostError::Crypto(e.to_string()));
    let mut b = openssl::pkcs12::Pkcs12::builder();
    b.name("ЭП-СП")
        .pkey(&key.key)
        .cert(&key.cert)
        .key_iter(SEAL_ITERATIONS)
        .mac_iter(SEAL_ITERATIONS);
    b.build2(password).and_then(|p| p.to_der()).map_err(crypto)
}

/// Takes a container as a CA or `volost smev keygen --personal` issued it (opened with its
/// `password`) and reseals it with `pin`. Returns the sealed container and what its
/// certificate says.
pub fn import(
    p12: &[u8],
    password: &str,
    pin: &str,
) -> Result<(Vec<u8>, CertFacts), PersonalError> {
    let key = keys::open_pkcs12(p12, password).map_err(|e| match e {
        Pkcs12Error::Password => PersonalError::WrongPin,
        other => PersonalError::Container(other),
    })?;
    gost::check_key(&key.key)?;
    let facts = CertFacts::of(&key.cert)?;
    Ok((seal(&key, pin)?, facts))
}

/// Whether `container` was sealed before the PIN went through argon2id (and should be
/// sealed again once its PIN is known).
pub fn is_legacy(container: &[u8]) -> bool {
    !container.starts_with(MAGIC)
}

/// Opens a sealed container with the PIN typed for one signature.
pub fn open(container: &[u8], pin: &str) -> Result<NodeKey, PersonalError> {
    let wrong = |e| match e {
        Pkcs12Error::Password => PersonalError::WrongPin,
        other => PersonalError::Container(other),
    };
    let Some(rest) = container.strip_prefix(MAGIC) else {
        return keys::open_pkcs12(container, pin).map_err(wrong);
    };
    let bad = || PersonalError::Container(Pkcs12Error::Format("a cut-off container".into()));
    let (m, rest) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
    let (t, rest) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
    let (salt, der) = rest.split_first_chunk::<SALT>().ok_or_else(bad)?;
    let password = derive(pin, salt, u32::from_be_bytes(*m), u32::from_be_bytes(*t))?;
    keys::open_pkcs12(der, &password).map_err(wrong)
}

/// Signs `business`, a business element whose root carries `Id="PERSONAL_SIGNED_DATA"`
/// (see `business::to_xml`), and returns the `ds:Signature` for `PersonalSignature`.
pub fn sign(business: &str, key: &NodeKey) -> Result<String, PersonalError> {
    let doc = parse(business)?;
    Ok(dsig::sign(&doc, SIGNED_DATA_ID, key)?)
}

/// A test container for a staff member, made like `keygen` makes the node's pair: for demos
/// and tests only; a real one comes from an accredited CA.
pub fn test_container(cn: &str, org: &str, days: u32, pin: &str) -> Result<Vec<u8>, PersonalError> {
    let key = gost::generate_key()?;
    let cert = gost::self_signed(&key, cn, org, days)?;
    // As a CA issues one: a PKCS#12 under a password, which `import` reseals.
    pkcs12(&NodeKey { key, cert }, pin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::business;
    use crate::xml::Element;

    #[test]
    fn a_container_opens_only_with_its_pin_and_signs_the_business_data() {
        let c = test_container("Иванова Анна Петровна", "Сельсовет", 365, "2468").expect("make");
        assert_eq!(open(&c, "1357").err(), Some(PersonalError::WrongPin));
        let key = open(&c, "2468").expect("opens");
        let facts = CertFacts::of(&key.cert).expect("facts");
        assert_eq!(facts.subject, "Иванова Анна Петровна, Сельсовет");
        assert!(facts.not_after - facts.not_before >= 364 * 86_400);

        let body = business::to_xml(
            "urn://x",
            "Request",
            &[],
            &Default::default(),
            Some(SIGNED_DATA_ID),
        )
        .expect("xml");
        let sig = sign(&body, &key).expect("sign");
        // Beside the data, as in a message: it verifies, and a changed copy does not.
        let doc = parse(&format!("<m xmlns=\"urn://m\">{body}{sig}</m>")).expect("doc");
        let signature: &Element = doc.elements().nth(1).expect("signature element");
        let v = dsig::verify(&doc, signature).expect("verifies");
        assert_eq!(v.reference, SIGNED_DATA_ID);
        let forged = body.replace("<b:Request", "<b:Request x=\"1\"");
        let doc = parse(&format!("<m xmlns=\"urn://m\">{forged}{sig}</m>")).expect("doc");
        let signature = doc.elements().nth(1).expect("signature element");
        assert_eq!(
            dsig::verify(&doc, signature).err(),
            Some(SignatureError::DigestMismatch)
        );
    }

    #[test]
    fn an_imported_container_is_resealed_with_the_pin_through_argon2() {
        let c = test_container("Петров", "", 30, "old-password").expect("make");
        assert_eq!(
            import(&c, "wrong", "135790").err(),
            Some(PersonalError::WrongPin)
        );
        assert_eq!(
            import(&c, "old-password", "1234").err(),
            Some(PersonalError::ShortPin),
            "four digits are no longer a PIN"
        );
        assert!(matches!(
            import(b"not a container", "x", "135790"),
            Err(PersonalError::Container(Pkcs12Error::Format(_)))
        ));
        let (sealed, facts) = import(&c, "old-password", "987654").expect("import");
        assert_eq!(facts.subject, "Петров");
        assert!(sealed.starts_with(MAGIC) && !is_legacy(&sealed));
        assert_eq!(
            sealed[MAGIC.len()..MAGIC.len() + 4],
            PIN_M_KIB.to_be_bytes()
        );
        // Not a PKCS#12 that opens with the PIN: the PIN must go through argon2id first.
        assert!(keys::open_pkcs12(&sealed[MAGIC.len() + 24..], "987654").is_err());
        assert!(open(&sealed, "old-password").is_err());
        assert_eq!(open(&sealed, "987655").err(), Some(PersonalError::WrongPin));
        assert!(open(&sealed, "987654").is_ok());
        // A container sealed before (a bare PKCS#12 under the PIN) still opens.
        assert!(is_legacy(&c));
        assert!(open(&c, "old-password").is_ok());
        assert!(
            open(&sealed[..40], "987654").is_err(),
            "a cut-off container"
        );
    }
}
