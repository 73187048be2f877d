//! XMLDSig in SMEV 3's profile (protocol brief, section 7): one same-document Reference to
//! an element's `Id`, transformed by exclusive c14n and the SMEV transform, digested with
//! Streebog-256; `ds:SignedInfo` canonicalized (exclusive c14n) and signed with
//! GOST R 34.10-2012 (256); the signer's certificate in `ds:KeyInfo`. The signature is
//! detached: a sibling of the signed element, never inside it.
//!
//! Verification accepts only this profile: another algorithm, a reference outside the
//! document, an `Id` that two elements share or a transform not listed here is refused, not
//! skipped.

use super::c14n::{canonical_text, canonicalize};
use super::gost::{self, GostError};
use super::signer::{SignError, Signer};
use super::transform::{TransformError, transform};
use super::xml::{Element, XmlError, parse};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use openssl::x509::X509;

pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const SMEV_TRANSFORM: &str = "urn://smev-gov-ru/xmldsig/transform";
pub const GOST_SIGNATURE: &str =
    "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256";
pub const GOST_DIGEST: &str = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("{0}")]
    Xml(#[from] XmlError),
    #[error("{0}")]
    Transform(#[from] TransformError),
    #[error("{0}")]
    Gost(#[from] GostError),
    #[error("{0}")]
    Sign(#[from] SignError),
    #[error("no ds:Signature where one is required")]
    Missing,
    #[error("ds:{0} is missing from the signature")]
    Incomplete(&'static str),
    #[error("unsupported algorithm {0}")]
    Unsupported(String),
    #[error("the reference {0:?} names no single element of the message")]
    BadReference(String),
    #[error("the digest of the signed element does not match: the data were changed")]
    DigestMismatch,
    #[error("the signature value does not verify against the certificate it carries")]
    Invalid,
    #[error("the certificate in ds:KeyInfo cannot be read: {0}")]
    Certificate(String),
}

/// What a signature that verified tells about its signer.
#[derive(Debug)]
pub struct Verified {
    pub cert: X509,
    /// The `Id` of the element it signs.
    pub reference: String,
}

impl Verified {
    /// The signer as people read it: the certificate's common name and organisation.
    pub fn signer(&self) -> String {
        super::keys::subject(&self.cert)
    }
}

/// The `ds:Signature` element, as text, that signs `target` (whose `Id` attribute must be
/// `id`) by `signer`, carrying its certificate. The caller puts it beside the target; the digest
/// depends only on the target's names, attributes and text, so the target may be given as
/// it stands alone and embedded afterwards.
pub fn sign(target: &Element, id: &str, signer: &dyn Signer) -> Result<String, SignatureError> {
    let p = prepare(target, id)?;
    // `sign_digest` checked the value already (or the key is known to be the certificate's).
    let value = super::signer::sign_digest(signer, &p.digest)?;
    signature_element(&p, signer.cert(), &value)
}

/// A signature half made: the `ds:SignedInfo` over the target, and the Streebog-256 digest
/// of it that a signer elsewhere (a token in a staff member's PC) signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// In its canonical form: signed and sent as it is, so that no re-serialization can
    /// change it.
    pub info: String,
    pub digest: [u8; 32],
}

/// The `ds:SignedInfo` of a signature of `target` (whose `Id` must be `id`) and its digest.
pub fn prepare(target: &Element, id: &str) -> Result<Prepared, SignatureError> {
    if target.attr("Id") != Some(id) {
        return Err(SignatureError::BadReference(id.to_string()));
    }
    let digest = gost::digest(&transform(target)?)?;
    let info_text = format!(
        "<ds:SignedInfo xmlns:ds=\"{DS}\">\
         <ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
         <ds:SignatureMethod Algorithm=\"{GOST_SIGNATURE}\"/>\
         <ds:Reference URI=\"#{}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{EXC_C14N}\"/><ds:Transform Algorithm=\"{SMEV_TRANSFORM}\"/>\
         </ds:Transforms><ds:DigestMethod Algorithm=\"{GOST_DIGEST}\"/>\
         <ds:DigestValue>{}</ds:DigestValue></ds:Reference></ds:SignedInfo>",
        attr_escape(id),
        B64.encode(digest)
    );
    let info = canonical_text(&parse(&info_text)?);
    let digest = gost::digest(info.as_bytes())?;
    Ok(Prepared { info, digest })
}

/// The `ds:Signature` of a prepared `SignedInfo` with the signature `value` (64 bytes, as
/// XMLDSig carries GOST) by `cert`'s key; refused unless the value verifies against it.
pub fn assemble(p: &Prepared, cert: &X509, value: &[u8]) -> Result<String, SignatureError> {
    if !super::signer::verify_digest(cert, &p.digest, value)? {
        return Err(SignatureError::Invalid);
    }
    signature_element(p, cert, value)
}

fn signature_element(p: &Prepared, cert: &X509, value: &[u8]) -> Result<String, SignatureError> {
    let der = cert
        .to_der()
        .map_err(|e| SignatureError::Certificate(e.to_string()))?;
    Ok(format!(
        "<ds:Signature xmlns:ds=\"{DS}\">{}<ds:SignatureValue>{}</ds:SignatureValue>\
         <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data>\
         </ds:KeyInfo></ds:Signature>",
        p.info,
        B64.encode(value),
        B64.encode(der)
    ))
}

fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

fn child<'a>(e: &'a Element, name: &'static str) -> Result<&'a Element, SignatureError> {
    e.child(DS, name).ok_or(SignatureError::Incomplete(name))
}

fn algorithm(e: &Element) -> &str {
    e.attr("Algorithm").unwrap_or("")
}

fn b64(text: &str) -> Result<Vec<u8>, SignatureError> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    B64.decode(clean)
        .map_err(|e| SignatureError::Certificate(format!("bad base64: {e}")))
}

/// Verifies the `ds:Signature` element `sig` of the document `doc` against the certificate
/// the signature carries.
pub fn verify(doc: &Element, sig: &Element) -> Result<Verified, SignatureError> {
    if !sig.is(DS, "Signature") {
        return Err(SignatureError::Missing);
    }
    let info = child(sig, "SignedInfo")?;
    let c14n = child(info, "CanonicalizationMethod")?;
    if algorithm(c14n) != EXC_C14N {
        return Err(SignatureError::Unsupported(algorithm(c14n).to_string()));
    }
    let method = child(info, "SignatureMethod")?;
    if algorithm(method) != GOST_SIGNATURE {
        return Err(SignatureError::Unsupported(algorithm(method).to_string()));
    }
    let mut refs = info.elements().filter(|e| e.is(DS, "Reference"));
    let reference = refs.next().ok_or(SignatureError::Incomplete("Reference"))?;
    if refs.next().is_some() {
        return Err(SignatureError::Unsupported(
            "more than one ds:Reference".into(),
        ));
    }
    let uri = reference.attr("URI").unwrap_or("");
    let id = uri
        .strip_prefix('#')
        .filter(|i| !i.is_empty())
        .ok_or_else(|| SignatureError::BadReference(uri.to_string()))?;
    let target = doc
        .by_id(id)
        .ok()
        .flatten()
        .ok_or_else(|| SignatureError::BadReference(uri.to_string()))?;
    let mut smev = false;
    if let Some(ts) = reference.child(DS, "Transforms") {
        for t in ts.elements() {
            match algorithm(t) {
                EXC_C14N => {}
                SMEV_TRANSFORM => smev = true,
                other => return Err(SignatureError::Unsupported(other.to_string())),
            }
        }
    }
    let dm = child(reference, "DigestMethod")?;
    if algorithm(dm) != GOST_DIGEST {
        return Err(SignatureError::Unsupported(algorithm(dm).to_string()));
    }
    let expected = b64(&child(reference, "DigestValue")?.text())?;
    let octets = if smev {
        transform(target)?
    } else {
        canonicalize(target)
    };
    if gost::digest(&octets)?.as_slice() != expected.as_slice() {
        return Err(SignatureError::DigestMismatch);
    }
    let cert_text = child(sig, "KeyInfo")
        .and_then(|k| child(k, "X509Data"))
        .and_then(|x| child(x, "X509Certificate"))?
        .text();
    let cert = X509::from_der(&b64(&cert_text)?)
        .map_err(|e| SignatureError::Certificate(e.to_string()))?;
    let value = b64(&child(sig, "SignatureValue")?.text())?;
    if !gost::verify(&cert, &canonicalize(info), &value)? {
        return Err(SignatureError::Invalid);
    }
    Ok(Verified {
        cert,
        reference: id.to_string(),
    })
}

/// The first `ds:Signature` inside `container` (e.g. `SMEVSignature`), verified.
pub fn verify_in(doc: &Element, container: &Element) -> Result<Verified, SignatureError> {
    let sig = container
        .child(DS, "Signature")
        .ok_or(SignatureError::Missing)?;
    verify(doc, sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPES: &str = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1";

    fn sample(name: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/testdata/samples")
            .join(name);
        std::fs::read_to_string(p).expect("sample")
    }

    fn smev_signature(doc: &Element) -> Result<Verified, SignatureError> {
        let body = doc.elements().nth(1).expect("Body");
        let resp = body.elements().next().expect("SendRequestResponse");
        verify_in(
            doc,
            resp.child(TYPES, "SMEVSignature").expect("SMEVSignature"),
        )
    }

    /// A real SMEV test-environment signature: digest and signature both check out.
    #[test]
    fn a_real_smev_signature_verifies_and_a_changed_one_does_not() {
        let compact = sample("smev3-test-SendRequestResponse-compact-signedinfo.xml");
        let v = smev_signature(&parse(&compact).expect("parses")).expect("verifies");
        assert_eq!(v.reference, "SIGNED_BY_SMEV");
        // Re-indented after signing: the digest still matches, the signature does not.
        let published = sample("smev3-test-SendRequestResponse-as-published.xml");
        assert_eq!(
            smev_signature(&parse(&published).expect("parses")).err(),
            Some(SignatureError::Invalid)
        );
        // One changed character of the signed data.
        let tampered = compact.replace("requestIsQueued", "requestIsQueuee");
        assert_eq!(
            smev_signature(&parse(&tampered).expect("parses")).err(),
            Some(SignatureError::DigestMismatch)
        );
        // A reference to nothing, and a foreign algorithm.
        let nowhere = compact.replace("URI=\"#SIGNED_BY_SMEV\"", "URI=\"#ELSEWHERE\"");
        assert!(matches!(
            smev_signature(&parse(&nowhere).expect("parses")),
            Err(SignatureError::BadReference(_))
        ));
        let rsa = compact.replace(GOST_SIGNATURE, "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
        assert!(matches!(
            smev_signature(&parse(&rsa).expect("parses")),
            Err(SignatureError::Unsupported(_))
        ));
    }

    #[test]
    fn the_node_signs_what_it_sends_and_the_signature_survives_embedding() {
        let key = gost::generate_key().expect("key");
        let cert = gost::self_signed(&key, "Тестовый узел", "Администрация", 30).expect("cert");
        let key = crate::keys::NodeKey { key, cert };
        let data = "<ns:SenderProvidedRequestData xmlns:ns=\"urn:t\" Id=\"SIGNED_BY_CONSUMER\">\
                    <ns:MessageID>x</ns:MessageID><b:Doc xmlns:b=\"urn:b\">Иванов &amp; сын</b:Doc>\
                    </ns:SenderProvidedRequestData>";
        let sig = sign(&parse(data).expect("parses"), "SIGNED_BY_CONSUMER", &key).expect("signs");
        // Embedded in an envelope with other prefixes and whitespace around it.
        let doc = format!(
            "<e:Env xmlns:e=\"urn:e\" xmlns:t=\"urn:t\" xmlns=\"urn:b\">\n  <t:Req>\
             <t:SenderProvidedRequestData Id=\"SIGNED_BY_CONSUMER\"><t:MessageID>x</t:MessageID>\
             <Doc>Иванов &amp; сын</Doc></t:SenderProvidedRequestData>\n  \
             <t:CallerInformationSystemSignature>{sig}</t:CallerInformationSystemSignature>\
             </t:Req></e:Env>"
        );
        let doc = parse(&doc).expect("parses");
        let req = doc.elements().next().expect("Req");
        let holder = req
            .child("urn:t", "CallerInformationSystemSignature")
            .expect("holder");
        let v = verify_in(&doc, holder).expect("verifies");
        assert_eq!(v.reference, "SIGNED_BY_CONSUMER");
        assert_eq!(
            sign(&parse(data).expect("parses"), "OTHER", &key).err(),
            Some(SignatureError::BadReference("OTHER".into()))
        );
    }
}
