//! A detached CMS SignedData (RFC 5652) with GOST R 34.10-2012 (256) and Streebog-256, built
//! by the node around a [`Signer`]'s raw signature: a `.sig` file as Росреестр's packages
//! carry them, and SMEV's `SignaturePKCS7` over an attachment. The signed attributes are
//! the content type, the message digest and the signing time; the signer's certificate goes
//! with it. Verified as any CMS signature (`gost::cms_verify_detached`, `openssl cms`).

use super::gost;
use super::signer::{SignError, Signer, sign_digest};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
/// id-tc26-gost3411-12-256 (Streebog-256).
const STREEBOG_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.2.2");
/// id-tc26-gost3410-12-256: the signature algorithm as GOST CMS names it (RFC 9337).
const GOST_2012_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.1.1");

fn der_err(e: der::Error) -> SignError {
    SignError::Gost(gost::GostError::Crypto(format!("CMS: {e}")))
}

fn attribute(oid: Oid, value: Any) -> Result<Attribute, SignError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(der_err)?,
    })
}

fn algorithm(oid: Oid) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// The DER of a detached SignedData over `data`, signed by `signer` at `now`.
pub fn detached(
    signer: &dyn Signer,
    data: &[u8],
    now: std::time::SystemTime,
) -> Result<Vec<u8>, SignError> {
    let cert_der = signer
        .cert()
        .to_der()
        .map_err(|e| SignError::Gost(gost::GostError::Crypto(e.to_string())))?;
    let cert = Certificate::from_der(&cert_der).map_err(der_err)?;
    let digest = gost::digest(data)?;
    let time = UtcTime::from_system_time(now).map_err(der_err)?;
    let attrs = SetOfVec::try_from(vec![
        attribute(CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(der_err)?)?,
        attribute(
            MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(der_err)?)
                .map_err(der_err)?,
        )?,
        attribute(SIGNING_TIME, Any::encode_from(&time).map_err(der_err)?)?,
    ])
    .map_err(der_err)?;
    // What is signed is the attributes' DER as a SET (RFC 5652 5.4), not as the [0] field.
    let signed = attrs.to_der().map_err(der_err)?;
    let signature = sign_digest(signer, &gost::digest(&signed)?)?;
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: algorithm(STREEBOG_256),
        signed_attrs: Some(attrs),
        signature_algorithm: algorithm(GOST_2012_256),
        signature: OctetString::new(signature).map_err(der_err)?,
        unsigned_attrs: None,
    };
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![algorithm(STREEBOG_256)]).map_err(der_err)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(cert)]).map_err(der_err)?,
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![info]).map_err(der_err)?),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(der_err)?,
    }
    .to_der()
    .map_err(der_err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::keys::NodeKey;

    #[test]
    fn a_signature_built_here_verifies_as_openssl_s_own() {
        let key = gost::generate_key().unwrap();
        let cert = gost::self_signed(&key, "Тест", "Тест", 1).unwrap();
        let k = NodeKey { key, cert };
        let data = b"<statement/>";
        let sig = detached(&k, data, std::time::SystemTime::now()).unwrap();
        let signer = gost::cms_verify_detached(&sig, data).unwrap();
        assert_eq!(signer.to_der().unwrap(), k.cert.to_der().unwrap());
        assert!(gost::cms_verify_detached(&sig, b"<changed/>").is_err());
    }
}
