//! Personal signatures of staff (ЭП-СП): the signature of one employee over the business data
//! of a request or an answer, carried in `PersonalSignature` beside it (brief §7). The key
//! lives in a PKCS#12 container sealed with the employee's PIN; the node keeps the container
//! and opens it only with the PIN typed for one signature.
//!
//! A container imported from a CA's token export is resealed here with a slow key derivation
//! (PBKDF2, [`SEAL_ITERATIONS`] rounds): a PIN is short, and the container sits in the node's
//! database and its backups, where it may be copied and guessed at offline.

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
pub const MIN_PIN: usize = 4;

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

/// Seals `key` and `cert` into a container that opens with `pin`.
pub fn seal(key: &NodeKey, pin: &str) -> Result<Vec<u8>, PersonalError> {
    if pin.chars().count() < MIN_PIN {
        return Err(PersonalError::ShortPin);
    }
    gost::init()?;
    let crypto =
        |e: openssl::error::ErrorStack| PersonalError::Gost(GostError::Crypto(e.to_string()));
    let mut b = openssl::pkcs12::Pkcs12::builder();
    b.name("ЭП-СП")
        .pkey(&key.key)
        .cert(&key.cert)
        .key_iter(SEAL_ITERATIONS)
        .mac_iter(SEAL_ITERATIONS);
    b.build2(pin).and_then(|p| p.to_der()).map_err(crypto)
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

/// Opens a sealed container with the PIN typed for one signature.
pub fn open(container: &[u8], pin: &str) -> Result<NodeKey, PersonalError> {
    keys::open_pkcs12(container, pin).map_err(|e| match e {
        Pkcs12Error::Password => PersonalError::WrongPin,
        other => PersonalError::Container(other),
    })
}

/// Signs `business`, a business element whose root carries `Id="PERSONAL_SIGNED_DATA"`
/// (see `business::to_xml`), and returns the `ds:Signature` for `PersonalSignature`.
pub fn sign(business: &str, key: &NodeKey) -> Result<String, PersonalError> {
    let doc = parse(business)?;
    Ok(dsig::sign(&doc, SIGNED_DATA_ID, &key.key, &key.cert)?)
}

/// A test container for a staff member, made like `keygen` makes the node's pair: for demos
/// and tests only; a real one comes from an accredited CA.
pub fn test_container(cn: &str, org: &str, days: u32, pin: &str) -> Result<Vec<u8>, PersonalError> {
    let key = gost::generate_key()?;
    let cert = gost::self_signed(&key, cn, org, days)?;
    seal(&NodeKey { key, cert }, pin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smev::business;
    use crate::smev::xml::Element;

    #[test]
    fn a_container_opens_only_with_its_pin_and_signs_the_business_data() {
        let c = test_container("Иванова Анна Петровна", "Сельсовет", 365, "2468").expect("make");
        assert_eq!(open(&c, "1357").err(), Some(PersonalError::WrongPin));
        assert_eq!(
            test_container("X", "", 1, "12").err(),
            Some(PersonalError::ShortPin)
        );
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
    fn an_imported_container_is_resealed_with_the_pin() {
        let c = test_container("Петров", "", 30, "old-password").expect("make");
        assert_eq!(
            import(&c, "wrong", "1234").err(),
            Some(PersonalError::WrongPin)
        );
        assert!(matches!(
            import(b"not a container", "x", "1234"),
            Err(PersonalError::Container(Pkcs12Error::Format(_)))
        ));
        let (sealed, facts) = import(&c, "old-password", "9876").expect("import");
        assert_eq!(facts.subject, "Петров");
        assert!(open(&sealed, "old-password").is_err());
        assert!(open(&sealed, "9876").is_ok());
    }
}
