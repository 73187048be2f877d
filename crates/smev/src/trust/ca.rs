//! A certification authority for demos and tests, as `volost smev keygen`'s self-signed
//! certificate is: a GOST root, certificates it issues, and its CRLs. A real node trusts an
//! accredited CA's root and takes its CRLs from it.

use crate::gost::{self, GostError};
use openssl::asn1::{Asn1Integer, Asn1Object, Asn1OctetString, Asn1Time};
use openssl::bn::BigNum;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{BasicConstraints, SubjectKeyIdentifier};
use openssl::x509::{
    X509, X509Builder, X509Crl, X509CrlBuilder, X509Extension, X509NameBuilder, X509RevokedBuilder,
};

fn crypto(e: openssl::error::ErrorStack) -> GostError {
    GostError::Crypto(e.to_string())
}

fn at(t: i64) -> Result<Asn1Time, GostError> {
    Asn1Time::from_unix(t).map_err(crypto)
}

/// A certificate for `key` named `cn`, issued by `ca` (a root of its own when `None`),
/// valid from `from` to `until` (unix seconds), with serial `serial`.
pub fn issue(
    key: &PKey<Private>,
    cn: &str,
    ca: Option<(&X509, &PKey<Private>)>,
    window: (i64, i64),
    serial: u32,
) -> Result<X509, GostError> {
    build(key, cn, ca, window, serial, None)
}

/// [`issue`] with a CRL distribution point: where the CA publishes the CRL that would
/// revoke it.
pub fn issue_published(
    key: &PKey<Private>,
    cn: &str,
    ca: (&X509, &PKey<Private>),
    window: (i64, i64),
    serial: u32,
    crl_url: &str,
) -> Result<X509, GostError> {
    build(key, cn, Some(ca), window, serial, Some(crl_url))
}

fn build(
    key: &PKey<Private>,
    cn: &str,
    ca: Option<(&X509, &PKey<Private>)>,
    (from, until): (i64, i64),
    serial: u32,
    crl_url: Option<&str>,
) -> Result<X509, GostError> {
    let mut name = X509NameBuilder::new().map_err(crypto)?;
    name.append_entry_by_text("CN", cn).map_err(crypto)?;
    let name = name.build();
    let mut b = X509Builder::new().map_err(crypto)?;
    b.set_version(2).map_err(crypto)?;
    let serial = BigNum::from_u32(serial)
        .and_then(|n| n.to_asn1_integer())
        .map_err(crypto)?;
    b.set_serial_number(&serial).map_err(crypto)?;
    b.set_subject_name(&name).map_err(crypto)?;
    b.set_issuer_name(ca.map_or(&name, |(c, _)| c.subject_name()))
        .map_err(crypto)?;
    b.set_pubkey(key).map_err(crypto)?;
    b.set_not_before(&*at(from)?).map_err(crypto)?;
    b.set_not_after(&*at(until)?).map_err(crypto)?;
    if ca.is_none() {
        let bc = BasicConstraints::new()
            .critical()
            .ca()
            .build()
            .map_err(crypto)?;
        b.append_extension(bc).map_err(crypto)?;
        // Its key's identifier, which its CRLs name (OpenSSL requires it of a CRL).
        let ski = SubjectKeyIdentifier::new()
            .build(&b.x509v3_context(None, None))
            .map_err(crypto)?;
        b.append_extension(ski).map_err(crypto)?;
    }
    if let Some(url) = crl_url {
        // CRLDistributionPoints: SEQUENCE { DistributionPoint { [0] { [0] fullName {
        // [6] URI } } } }, each length short for an address of the tests' size.
        let u = url.as_bytes();
        let short = |n: usize| {
            u8::try_from(n)
                .ok()
                .filter(|n| *n < 0x80)
                .ok_or_else(|| GostError::Crypto("distribution point too long".into()))
        };
        let mut der = vec![0x86, short(u.len())?];
        der.extend_from_slice(u);
        for tag in [0xa0, 0xa0, 0x30, 0x30] {
            let mut outer = vec![tag, short(der.len())?];
            outer.extend_from_slice(&der);
            der = outer;
        }
        b.append_extension(extension("2.5.29.31", &der)?)
            .map_err(crypto)?;
    }
    b.sign(ca.map_or(key, |(_, k)| k), gost::streebog()?)
        .map_err(crypto)?;
    Ok(b.build())
}

fn extension(oid: &str, der: &[u8]) -> Result<X509Extension, GostError> {
    let oid = Asn1Object::from_str(oid).map_err(crypto)?;
    let value = Asn1OctetString::new_from_bytes(der).map_err(crypto)?;
    X509Extension::new_from_der(&oid, false, &value).map_err(crypto)
}

/// A CRL of root `ca` revoking `serials`, issued at `now` for a week.
pub fn crl(
    ca: &X509,
    key: &PKey<Private>,
    serials: &[u32],
    now: i64,
) -> Result<X509Crl, GostError> {
    let mut b = X509CrlBuilder::new().map_err(crypto)?;
    b.set_issuer_name(ca.subject_name()).map_err(crypto)?;
    // authorityKeyIdentifier: SEQUENCE { [0] keyIdentifier }, the CA's key id.
    let id = ca
        .subject_key_id()
        .ok_or_else(|| GostError::Crypto("the CA has no key identifier".into()))?
        .as_slice()
        .to_vec();
    let len = u8::try_from(id.len())
        .ok()
        .filter(|l| *l < 120)
        .ok_or_else(|| GostError::Crypto("key identifier too long".into()))?;
    let mut aki = vec![0x30, len + 2, 0x80, len];
    aki.extend_from_slice(&id);
    b.append_extension(extension("2.5.29.35", &aki)?)
        .map_err(crypto)?;
    // cRLNumber: INTEGER 1.
    b.append_extension(extension("2.5.29.20", &[0x02, 0x01, 0x01])?)
        .map_err(crypto)?;
    b.set_last_update(&*at(now - 3600)?).map_err(crypto)?;
    b.set_next_update(&*at(now + 7 * 86_400)?).map_err(crypto)?;
    for s in serials {
        let mut r = X509RevokedBuilder::new().map_err(crypto)?;
        let n: Asn1Integer = BigNum::from_u32(*s)
            .and_then(|n| n.to_asn1_integer())
            .map_err(crypto)?;
        r.set_serial_number(&n).map_err(crypto)?;
        r.set_revocation_date(&*at(now - 60)?).map_err(crypto)?;
        b.add_revoked(r.build()).map_err(crypto)?;
    }
    b.sign(key, gost::streebog()?).map_err(crypto)?;
    b.build().map_err(crypto)
}
