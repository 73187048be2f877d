//! GOST R 34.11-2012 (Streebog, 256 bits) and GOST R 34.10-2012 (256 bits) through OpenSSL
//! and Debian's gost engine (`libengine-gost-openssl`). OpenSSL 3's provider route has no
//! GOST on Debian 12, so the engine is loaded by id and made the default for every method
//! it has; after that the `openssl` crate's ordinary types (digests, keys, certificates,
//! signers) work with GOST keys. The few engine calls the crate does not wrap are declared
//! here, and nowhere else.

use foreign_types::ForeignTypeRef;
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, Id, PKey, PKeyRef, Private};
use openssl::pkey_ctx::PkeyCtx;
use openssl::sign::{Signer, Verifier};
use openssl::x509::X509;
use std::ffi::{CString, c_char, c_int, c_uint, c_void};
use std::sync::OnceLock;

/// `NID_id_GostR3410_2012_256`.
const NID_GOST2012_256: c_int = 979;
const ENGINE_METHOD_ALL: c_uint = 0xFFFF;

unsafe extern "C" {
    fn ENGINE_by_id(id: *const c_char) -> *mut c_void;
    fn ENGINE_init(e: *mut c_void) -> c_int;
    fn ENGINE_set_default(e: *mut c_void, flags: c_uint) -> c_int;
    fn ENGINE_free(e: *mut c_void) -> c_int;
    fn EVP_PKEY_CTX_ctrl_str(
        ctx: *mut openssl_sys::EVP_PKEY_CTX,
        kind: *const c_char,
        value: *const c_char,
    ) -> c_int;
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum GostError {
    #[error("the GOST engine of OpenSSL is not available (install libengine-gost-openssl): {0}")]
    NoEngine(String),
    #[error("GOST operation failed: {0}")]
    Crypto(String),
    #[error("the key is not a GOST R 34.10-2012 (256) key")]
    NotGostKey,
}

fn crypto(e: openssl::error::ErrorStack) -> GostError {
    GostError::Crypto(e.to_string())
}

/// Loads the engine once per process; every GOST function calls this first.
pub fn init() -> Result<(), GostError> {
    static DONE: OnceLock<Result<(), GostError>> = OnceLock::new();
    DONE.get_or_init(|| {
        openssl::init();
        let id = CString::new("gost").map_err(|e| GostError::NoEngine(e.to_string()))?;
        // SAFETY: plain calls into libcrypto with a valid C string; the engine pointer is
        // checked for null and released with ENGINE_free after it is made the default (the
        // default keeps its own reference).
        unsafe {
            let e = ENGINE_by_id(id.as_ptr());
            if e.is_null() {
                return Err(GostError::NoEngine(
                    openssl::error::ErrorStack::get().to_string(),
                ));
            }
            let ok = ENGINE_init(e) == 1 && ENGINE_set_default(e, ENGINE_METHOD_ALL) == 1;
            ENGINE_free(e);
            if !ok {
                return Err(GostError::NoEngine(
                    openssl::error::ErrorStack::get().to_string(),
                ));
            }
        }
        Ok(())
    })
    .clone()
}

/// GOST R 34.11-2012 (256).
pub fn streebog() -> Result<MessageDigest, GostError> {
    init()?;
    MessageDigest::from_name("md_gost12_256")
        .ok_or_else(|| GostError::NoEngine("md_gost12_256 unknown".into()))
}

/// The 32 bytes of the digest, in the order OpenSSL prints them (what XMLDSig's
/// DigestValue carries).
pub fn digest(data: &[u8]) -> Result<[u8; 32], GostError> {
    let h = openssl::hash::hash(streebog()?, data).map_err(crypto)?;
    h.as_ref()
        .try_into()
        .map_err(|_| GostError::Crypto("digest is not 32 bytes".into()))
}

pub fn check_key<T: HasPublic>(k: &PKeyRef<T>) -> Result<(), GostError> {
    if k.id() == Id::from_raw(NID_GOST2012_256) {
        Ok(())
    } else {
        Err(GostError::NotGostKey)
    }
}

/// The 64-byte signature (s || r, as OpenSSL and XMLDSig lay it out) of `data`, hashed
/// with Streebog-256.
pub fn sign(key: &PKeyRef<Private>, data: &[u8]) -> Result<Vec<u8>, GostError> {
    check_key(key)?;
    let mut s = Signer::new(streebog()?, key).map_err(crypto)?;
    s.update(data).map_err(crypto)?;
    s.sign_to_vec().map_err(crypto)
}

/// Whether `sig` is a valid signature of `data` by the certificate's key.
pub fn verify(cert: &X509, data: &[u8], sig: &[u8]) -> Result<bool, GostError> {
    init()?;
    let key = cert.public_key().map_err(crypto)?;
    check_key(&key)?;
    let mut v = Verifier::new(streebog()?, &key).map_err(crypto)?;
    v.update(data).map_err(crypto)?;
    // A malformed signature is a failed check, not a crypto error.
    Ok(v.verify(sig).unwrap_or(false))
}

/// The signer's certificate of a detached CMS signature `sig` over `data`, when the
/// signature is sound (its chain is not checked here: trust is the caller's).
pub fn cms_verify_detached(sig: &[u8], data: &[u8]) -> Result<X509, GostError> {
    use openssl::cms::{CMSOptions, CmsContentInfo};
    use openssl::stack::Stack;
    use openssl::x509::store::X509StoreBuilder;
    init()?;
    let mut cms = CmsContentInfo::from_der(sig).map_err(crypto)?;
    let store = X509StoreBuilder::new().map_err(crypto)?.build();
    let none: Stack<X509> = Stack::new().map_err(crypto)?;
    cms.verify(
        Some(&none),
        Some(&store),
        Some(data),
        None,
        CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::BINARY,
    )
    .map_err(crypto)?;
    signer_certificate(sig).ok_or_else(|| GostError::Crypto("no signer certificate".into()))
}

/// The first certificate a DER CMS SignedData carries.
fn signer_certificate(der: &[u8]) -> Option<X509> {
    let pkcs7 = openssl::pkcs7::Pkcs7::from_der(der).ok()?;
    let signed = pkcs7.signed()?;
    signed.certificates()?.iter().next().map(|c| c.to_owned())
}

/// A new GOST R 34.10-2012 (256) key on the parameter set A.
pub fn generate_key() -> Result<PKey<Private>, GostError> {
    init()?;
    let mut ctx = PkeyCtx::new_id(Id::from_raw(NID_GOST2012_256)).map_err(crypto)?;
    ctx.keygen_init().map_err(crypto)?;
    let (k, v) = (c"paramset", c"A");
    // SAFETY: the context pointer is valid for the lifetime of `ctx`; both strings are
    // NUL-terminated constants.
    let r = unsafe { EVP_PKEY_CTX_ctrl_str(ctx.as_ptr(), k.as_ptr(), v.as_ptr()) };
    if r <= 0 {
        return Err(crypto(openssl::error::ErrorStack::get()));
    }
    ctx.keygen().map_err(crypto)
}

/// A private key from PEM (PKCS#8), checked to be a GOST 2012 (256) key.
pub fn key_from_pem(pem: &[u8]) -> Result<PKey<Private>, GostError> {
    init()?;
    let k = PKey::private_key_from_pem(pem).map_err(crypto)?;
    check_key(&k)?;
    Ok(k)
}

/// A self-signed certificate for `key`, valid from now for `days`: the test certificate of
/// `volost smev keygen`, for demos and tests (a real node gets its certificate from an
/// accredited CA). `cn` and `org` may be Cyrillic.
pub fn self_signed(
    key: &PKeyRef<Private>,
    cn: &str,
    org: &str,
    days: u32,
) -> Result<X509, GostError> {
    use openssl::asn1::Asn1Time;
    let (from, until) = (
        Asn1Time::days_from_now(0).map_err(crypto)?,
        Asn1Time::days_from_now(days).map_err(crypto)?,
    );
    self_signed_between(key, cn, org, &from, &until)
}

/// [`self_signed`] valid between two moments (a test's certificate that has ended, or has
/// not begun).
pub fn self_signed_between(
    key: &PKeyRef<Private>,
    cn: &str,
    org: &str,
    from: &openssl::asn1::Asn1TimeRef,
    until: &openssl::asn1::Asn1TimeRef,
) -> Result<X509, GostError> {
    use openssl::bn::BigNum;
    use openssl::x509::{X509Builder, X509NameBuilder};
    check_key(key)?;
    let mut name = X509NameBuilder::new().map_err(crypto)?;
    name.append_entry_by_text("C", "RU").map_err(crypto)?;
    if !org.is_empty() {
        name.append_entry_by_text("O", org).map_err(crypto)?;
    }
    name.append_entry_by_text("CN", cn).map_err(crypto)?;
    let name = name.build();
    let mut b = X509Builder::new().map_err(crypto)?;
    b.set_version(2).map_err(crypto)?;
    let mut serial = BigNum::new().map_err(crypto)?;
    serial
        .rand(127, openssl::bn::MsbOption::MAYBE_ZERO, false)
        .map_err(crypto)?;
    let serial = serial.to_asn1_integer().map_err(crypto)?;
    b.set_serial_number(&serial).map_err(crypto)?;
    b.set_subject_name(&name).map_err(crypto)?;
    b.set_issuer_name(&name).map_err(crypto)?;
    b.set_pubkey(key).map_err(crypto)?;
    b.set_not_before(from).map_err(crypto)?;
    b.set_not_after(until).map_err(crypto)?;
    b.sign(key, streebog()?).map_err(crypto)?;
    Ok(b.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streebog_matches_the_standards_vector_and_a_key_signs_and_verifies() {
        // GOST R 34.11-2012 of the empty message, as OpenSSL prints it.
        let h = digest(b"").expect("digest");
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb"
        );
        let key = generate_key().expect("key");
        let sig = sign(&key, b"data").expect("sign");
        assert_eq!(sig.len(), 64);
        let pem = key.private_key_to_pem_pkcs8().expect("pem");
        assert!(key_from_pem(&pem).is_ok());
        let rsa = PKey::from_rsa(openssl::rsa::Rsa::generate(1024).expect("rsa")).expect("pkey");
        assert_eq!(sign(&rsa, b"x"), Err(GostError::NotGostKey));
    }
}
