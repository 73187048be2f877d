//! A staff member's ЭП-СП made with their own token in their PC, through the CryptoPro
//! browser plug-in (CAdESCOM), on the staff web page — the node's half. The node builds the
//! business element and its `ds:SignedInfo` (the SMEV transform, exclusive c14n) as for any
//! signature and hands the page the Streebog-256 digest of the `SignedInfo`; the page gives it
//! to `CAdESCOM.HashedData.SetHashValue` (algorithm `CADESCOM_HASH_ALGORITHM_CP_GOST_3411_2012_256`)
//! and `CAdESCOM.RawSignature.SignHash` signs it with the certificate the clerk picked; the
//! page sends back that signature and the certificate (`Certificate.Export`, base64). The node
//! assembles the `ds:Signature` only when the value verifies against that certificate over
//! exactly the digest it handed out.
//!
//! The plug-in's `SignHash` gives the signature as CryptoAPI lays it out, least significant
//! byte first, where XMLDSig's GOST signature is most significant first (CryptoPro's forum,
//! «младший байт по младшему адресу»): the value is turned round. The value as given is tried
//! too, so a plug-in that already lays it out as XMLDSig does also works; either way only a
//! value that verifies against the certificate is used. Not tested against the plug-in
//! itself, which runs only on a PC with КриптоПро CSP: the tests play its part with the
//! OpenSSL engine, in the layout described here.

use super::dsig::{self, Prepared, SignatureError};
use super::personal::{PersonalError, SIGNED_DATA_ID};
use super::xml::parse;
use base64::Engine as _;
use openssl::x509::X509;

/// The most the page may send: a certificate (a few KiB in base64) and a signature.
pub const MAX_CERT_B64: usize = 16 * 1024;
pub const MAX_SIGNATURE_HEX: usize = 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PluginError {
    #[error("{0}")]
    Personal(#[from] PersonalError),
    #[error("{0}")]
    Signature(#[from] SignatureError),
    #[error("the certificate the page sent is not one: {0}")]
    Certificate(String),
    #[error("the signature the page sent is not one: {0}")]
    Value(String),
    #[error("the signature does not verify against the certificate over the digest handed out")]
    Invalid,
}

impl PluginError {
    /// For the staff member at the page.
    pub fn russian(&self) -> String {
        match self {
            PluginError::Invalid => "Подпись токена не сходится с выбранным сертификатом или \
                                     с подписываемыми данными: ничего не отправлено"
                .into(),
            PluginError::Certificate(_) => {
                "Браузер передал не сертификат: выберите сертификат ещё раз".into()
            }
            PluginError::Value(_) => "Плагин КриптоПро вернул не подпись".into(),
            other => format!("Подпись не собрана: {other}"),
        }
    }
}

/// The `SignedInfo` of the ЭП-СП of `business` (whose root carries `Id="PERSONAL_SIGNED_DATA"`)
/// and the digest the plug-in signs.
pub fn prepare(business: &str) -> Result<Prepared, PluginError> {
    let doc = parse(business).map_err(PersonalError::from)?;
    Ok(dsig::prepare(&doc, SIGNED_DATA_ID)?)
}

/// The digest as `HashedData.SetHashValue` takes it: hex digits.
pub fn hash_hex(p: &Prepared) -> String {
    hex::encode_upper(p.digest)
}

/// The certificate `Certificate.Export(CADESCOM_ENCODE_BASE64)` gave.
pub fn certificate(b64: &str) -> Result<X509, PluginError> {
    if b64.len() > MAX_CERT_B64 {
        return Err(PluginError::Certificate(format!(
            "more than {MAX_CERT_B64} bytes"
        )));
    }
    let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| PluginError::Certificate(e.to_string()))?;
    super::gost::init().map_err(|e| PluginError::Certificate(e.to_string()))?;
    X509::from_der(&der).map_err(|e| PluginError::Certificate(e.to_string()))
}

/// The signature `RawSignature.SignHash` gave, as hex digits (spaces allowed): 64 bytes.
fn value(hex: &str) -> Result<Vec<u8>, PluginError> {
    if hex.len() > MAX_SIGNATURE_HEX {
        return Err(PluginError::Value(format!(
            "more than {MAX_SIGNATURE_HEX} characters"
        )));
    }
    let digits: String = hex.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let value = hex::decode(digits).map_err(|e| PluginError::Value(format!("not hex: {e}")))?;
    if value.len() != super::signer::SIGNATURE_LEN {
        return Err(PluginError::Value(format!(
            "{} bytes, not {}",
            value.len(),
            super::signer::SIGNATURE_LEN
        )));
    }
    Ok(value)
}

/// The `ds:Signature` for `PersonalSignature` from what the page sent back: the plug-in's
/// signature of [`hash_hex`] and the certificate it was made with. Refused unless it
/// verifies against the certificate over exactly the digest of `p`.
pub fn assemble(p: &Prepared, cert_b64: &str, signature_hex: &str) -> Result<String, PluginError> {
    let cert = certificate(cert_b64)?;
    let given = value(signature_hex)?;
    let turned: Vec<u8> = given.iter().rev().copied().collect();
    for v in [turned, given] {
        match dsig::assemble(p, &cert, &v) {
            Ok(sig) => return Ok(sig),
            Err(SignatureError::Invalid) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(PluginError::Invalid)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::gost;
    use crate::keys::NodeKey;

    fn key(cn: &str) -> NodeKey {
        let key = gost::generate_key().unwrap();
        let cert = gost::self_signed(&key, cn, "Сельсовет", 30).unwrap();
        NodeKey { key, cert }
    }

    fn b64(cert: &X509) -> String {
        base64::engine::general_purpose::STANDARD.encode(cert.to_der().unwrap())
    }

    /// The plug-in's part played by the engine: the hex digest in, the signature out least
    /// significant byte first, as CryptoAPI lays it out.
    fn plug_in(k: &NodeKey, hash: &str, turn: bool) -> String {
        let mut sig = crate::signer::sign_digest(k, &hex::decode(hash).unwrap()).unwrap();
        if turn {
            sig.reverse();
        }
        hex::encode(sig)
    }

    const BUSINESS: &str = "<t:Request xmlns:t=\"urn:t\" Id=\"PERSONAL_SIGNED_DATA\">\
                            <t:Snils>112-233-445 95</t:Snils></t:Request>";

    #[test]
    fn what_the_plug_in_signs_becomes_a_personal_signature_that_verifies() {
        let k = key("Иванова Мария Петровна");
        let p = prepare(BUSINESS).unwrap();
        assert_eq!(hash_hex(&p).len(), 64);
        for turn in [true, false] {
            let sig = assemble(&p, &b64(&k.cert), &plug_in(&k, &hash_hex(&p), turn)).unwrap();
            // Checked as any received ЭП-СП is: over the business element it stands beside.
            let doc = parse(&format!("<w xmlns:ds=\"{}\">{BUSINESS}{sig}</w>", dsig::DS)).unwrap();
            let s = doc
                .elements()
                .find(|e| e.is(dsig::DS, "Signature"))
                .unwrap();
            let v = dsig::verify(&doc, s).unwrap();
            assert_eq!(v.reference, SIGNED_DATA_ID);
            assert!(v.signer().contains("Иванова"));
        }
    }

    #[test]
    fn another_certificate_other_data_or_garbage_is_refused() {
        let k = key("Иванова Мария Петровна");
        let other = key("Петров Пётр Петрович");
        let p = prepare(BUSINESS).unwrap();
        let sig = plug_in(&k, &hash_hex(&p), true);
        assert_eq!(
            assemble(&p, &b64(&other.cert), &sig),
            Err(PluginError::Invalid)
        );
        // Signed over other data than the digest handed out.
        let changed = prepare(&BUSINESS.replace("95", "96")).unwrap();
        assert_eq!(
            assemble(&changed, &b64(&k.cert), &sig),
            Err(PluginError::Invalid)
        );
        assert!(matches!(
            assemble(&p, "not a certificate", &sig),
            Err(PluginError::Certificate(_))
        ));
        assert!(matches!(
            assemble(&p, &b64(&k.cert), "abc"),
            Err(PluginError::Value(_))
        ));
        assert!(matches!(
            assemble(&p, &b64(&k.cert), &"0".repeat(2000)),
            Err(PluginError::Value(_))
        ));
        assert!(
            PluginError::Invalid
                .russian()
                .contains("ничего не отправлено")
        );
        // A business element without the personal Id is not signed.
        assert!(prepare("<t:R xmlns:t=\"urn:t\"/>").is_err());
    }
}
