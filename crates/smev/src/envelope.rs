//! The SOAP envelopes the node sends to SMEV, each with its signed element and the node's
//! detached signature beside it (`CallerInformationSystemSignature`, brief §2 and §7).
//!
//! Every signed element is written as a fragment that declares the namespaces it uses, signed
//! on its own and then embedded: exclusive c14n makes its digest independent of the envelope
//! around it, so the envelope is assembled by plain concatenation and never re-serialized.

use super::dsig::{self, SignatureError};
use super::signer::Signer;
use super::xml;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::fmt::Write;

pub const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const XOP: &str = "http://www.w3.org/2004/08/xop/include";

/// The customary `Id` values (brief §6).
pub const SIGNED_BY_CONSUMER: &str = "SIGNED_BY_CONSUMER";
pub const SIGNED_BY_CALLER: &str = "SIGNED_BY_CALLER";
pub const SIGNED_BY_SMEV: &str = "SIGNED_BY_SMEV";

/// The schema version whose namespaces the envelopes use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V1_1,
    V1_3,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        match s {
            "1.1" => Some(Version::V1_1),
            "1.3" => Some(Version::V1_3),
            _ => None,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Version::V1_1 => "1.1",
            Version::V1_3 => "1.3",
        }
    }

    pub fn types(self) -> String {
        format!(
            "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/{}",
            self.suffix()
        )
    }

    pub fn basic(self) -> String {
        format!(
            "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/{}",
            self.suffix()
        )
    }

    pub fn faults(self) -> String {
        format!(
            "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/{}",
            self.suffix()
        )
    }

    /// The version whose namespaces `types_ns` is, if any.
    pub fn of_types(types_ns: &str) -> Option<Version> {
        [Version::V1_1, Version::V1_3]
            .into_iter()
            .find(|v| v.types() == types_ns)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("signing: {0}")]
    Signature(#[from] SignatureError),
    #[error("the business data is not well-formed XML: {0}")]
    Business(String),
    #[error("{0}")]
    Packet(#[from] crate::packet::PacketError),
}

/// A file sent inside the message.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: String,
    pub mime: String,
    pub bytes: Vec<u8>,
    /// The sender's detached CMS signature over the bytes (`SignaturePKCS7`), where the
    /// ВС asks for one.
    pub signature: Option<Vec<u8>>,
}

/// The consumer's request (`SenderProvidedRequestData`).
#[derive(Clone, Debug)]
pub struct RequestData<'a> {
    pub message_id: &'a str,
    pub reference: Option<&'a str>,
    pub node_id: &'a str,
    /// The business element, with its own namespace declarations.
    pub business: &'a str,
    /// A `ds:Signature` over the business data (ЭП-СП), when its kind asks for one.
    pub personal_signature: Option<&'a str>,
    pub attachments: &'a [Attachment],
    pub test: bool,
}

/// What a provider's answer carries (`SenderProvidedResponseData`), exactly one kind: the
/// domain's [`Answer`](volost_domain::Answer), which the outbox keeps until it is signed.
pub use volost_domain::{Answer as ResponseContent, RejectCode};

/// The selector of GetRequest and GetResponse: which type of message to take, or any.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selector<'a> {
    /// Namespace URI and root element name of the wanted business type.
    pub business_type: Option<(&'a str, &'a str)>,
    pub node_id: &'a str,
}

/// Text for an XML text node or a double-quoted attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// An `xs:dateTime` with the offset, as SMEV writes them.
pub use volost_domain::xml_datetime as timestamp;

/// Signs `fragment` (whose root has `Id="id"`) and returns the fragment, unchanged, with the
/// `ds:Signature` that goes into the caller's signature element.
fn signed(fragment: &str, id: &str, key: &dyn Signer) -> Result<String, EnvelopeError> {
    let tree = xml::parse(fragment).map_err(|e| EnvelopeError::Business(e.to_string()))?;
    // The business data is checked in the tree about to be signed: parsing it separately
    // cost as much again for a large message.
    if let Some(pc) = tree.elements().find(|e| e.local == "MessagePrimaryContent") {
        check_business(pc)?;
    }
    Ok(dsig::sign(&tree, id, key)?)
}

/// `<soap:Envelope>` around one body element `op` of the types namespace, whose content is
/// `inner` followed by the caller's signature over `fragment`.
fn envelope(
    v: Version,
    op: &str,
    fragment: &str,
    id: &str,
    after: &str,
    key: &dyn Signer,
) -> Result<String, EnvelopeError> {
    let sig = signed(fragment, id, key)?;
    let mut s = String::with_capacity(fragment.len() + after.len() + sig.len() + 512);
    let _ = write!(
        s,
        "<soap:Envelope xmlns:soap=\"{SOAP}\"><soap:Header/><soap:Body>\
         <tns:{op} xmlns:tns=\"{}\" xmlns:basic=\"{}\">",
        v.types(),
        v.basic()
    );
    s.push_str(fragment);
    s.push_str(after);
    let _ = write!(
        s,
        "<tns:CallerInformationSystemSignature>{sig}</tns:CallerInformationSystemSignature>\
         </tns:{op}></soap:Body></soap:Envelope>"
    );
    Ok(s)
}

fn ns_decls(v: Version) -> String {
    format!("xmlns:tns=\"{}\" xmlns:basic=\"{}\"", v.types(), v.basic())
}

fn attachment_headers(s: &mut String, list: &[Attachment]) {
    if list.is_empty() {
        return;
    }
    s.push_str("<basic:AttachmentHeaderList>");
    for a in list {
        let _ = write!(
            s,
            "<basic:AttachmentHeader><basic:contentId>{}</basic:contentId>\
             <basic:MimeType>{}</basic:MimeType>",
            esc(&a.id),
            esc(&a.mime)
        );
        if let Some(sig) = &a.signature {
            let _ = write!(
                s,
                "<basic:SignaturePKCS7>{}</basic:SignaturePKCS7>",
                B64.encode(sig)
            );
        }
        s.push_str("</basic:AttachmentHeader>");
    }
    s.push_str("</basic:AttachmentHeaderList>");
}

fn attachment_contents(list: &[Attachment]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut s = String::from("<basic:AttachmentContentList>");
    for a in list {
        let _ = write!(
            s,
            "<basic:AttachmentContent><basic:Id>{}</basic:Id><basic:Content>{}</basic:Content>\
             </basic:AttachmentContent>",
            esc(&a.id),
            B64.encode(&a.bytes)
        );
    }
    s.push_str("</basic:AttachmentContentList>");
    s
}

/// SendRequest: the consumer's request, signed by the node.
pub fn send_request(
    v: Version,
    d: &RequestData,
    key: &dyn Signer,
) -> Result<String, EnvelopeError> {
    let mut f = String::with_capacity(d.business.len() + 1024);
    let _ = write!(
        f,
        "<tns:SenderProvidedRequestData {} Id=\"{SIGNED_BY_CONSUMER}\">\
         <tns:MessageID>{}</tns:MessageID>",
        ns_decls(v),
        esc(d.message_id)
    );
    if let Some(r) = d.reference {
        let _ = write!(
            f,
            "<tns:ReferenceMessageID>{}</tns:ReferenceMessageID>",
            esc(r)
        );
    }
    if !d.node_id.is_empty() {
        let _ = write!(f, "<tns:NodeID>{}</tns:NodeID>", esc(d.node_id));
    }
    f.push_str("<basic:MessagePrimaryContent>");
    f.push_str(d.business);
    f.push_str("</basic:MessagePrimaryContent>");
    if let Some(p) = d.personal_signature {
        let _ = write!(f, "<tns:PersonalSignature>{p}</tns:PersonalSignature>");
    }
    attachment_headers(&mut f, d.attachments);
    if d.test {
        f.push_str("<tns:TestMessage/>");
    }
    f.push_str("</tns:SenderProvidedRequestData>");
    envelope(
        v,
        "SendRequestRequest",
        &f,
        SIGNED_BY_CONSUMER,
        &attachment_contents(d.attachments),
        key,
    )
}

/// SendResponse: the provider's answer to a request received, addressed by its `ReplyTo`.
pub fn send_response(
    v: Version,
    message_id: &str,
    reply_to: &str,
    content: &ResponseContent,
    attachments: &[Attachment],
    key: &dyn Signer,
) -> Result<String, EnvelopeError> {
    let mut f = String::with_capacity(1024);
    let _ = write!(
        f,
        "<tns:SenderProvidedResponseData {} Id=\"{SIGNED_BY_CALLER}\">\
         <tns:MessageID>{}</tns:MessageID><tns:To>{}</tns:To>",
        ns_decls(v),
        esc(message_id),
        esc(reply_to)
    );
    match content {
        ResponseContent::Primary {
            business,
            personal_signature,
        } => {
            f.push_str("<basic:MessagePrimaryContent>");
            f.push_str(business);
            f.push_str("</basic:MessagePrimaryContent>");
            if let Some(p) = personal_signature {
                let _ = write!(f, "<tns:PersonalSignature>{p}</tns:PersonalSignature>");
            }
            attachment_headers(&mut f, attachments);
        }
        ResponseContent::Rejected(reasons) => {
            for (code, why) in reasons {
                let _ = write!(
                    f,
                    "<tns:RequestRejected><tns:RejectionReasonCode>{}</tns:RejectionReasonCode>\
                     <tns:RejectionReasonDescription>{}</tns:RejectionReasonDescription>\
                     </tns:RequestRejected>",
                    code.as_str(),
                    esc(&cut(why, 4000))
                );
            }
        }
        ResponseContent::Status {
            code,
            description,
            params,
        } => {
            let _ = write!(
                f,
                "<tns:RequestStatus><tns:StatusCode>{code}</tns:StatusCode>"
            );
            for (k, val) in params {
                let _ = write!(
                    f,
                    "<tns:StatusParameter><tns:Key>{}</tns:Key><tns:Value>{}</tns:Value>\
                     </tns:StatusParameter>",
                    esc(k),
                    esc(val)
                );
            }
            let _ = write!(
                f,
                "<tns:StatusDescription>{}</tns:StatusDescription></tns:RequestStatus>",
                esc(&cut(description, 4000))
            );
        }
    }
    f.push_str("</tns:SenderProvidedResponseData>");
    let after = match content {
        ResponseContent::Primary { .. } => attachment_contents(attachments),
        _ => String::new(),
    };
    envelope(v, "SendResponseRequest", &f, SIGNED_BY_CALLER, &after, key)
}

fn selector(v: Version, s: &Selector, now: time::OffsetDateTime) -> String {
    let mut f = format!(
        "<basic:MessageTypeSelector xmlns:basic=\"{}\" Id=\"{SIGNED_BY_CALLER}\">",
        v.basic()
    );
    if let Some((ns, root)) = s.business_type {
        let _ = write!(
            f,
            "<basic:NamespaceURI>{}</basic:NamespaceURI>\
             <basic:RootElementLocalName>{}</basic:RootElementLocalName>",
            esc(ns),
            esc(root)
        );
    }
    let _ = write!(f, "<basic:Timestamp>{}</basic:Timestamp>", timestamp(now));
    if !s.node_id.is_empty() {
        let _ = write!(f, "<basic:NodeID>{}</basic:NodeID>", esc(s.node_id));
    }
    f.push_str("</basic:MessageTypeSelector>");
    f
}

/// GetResponse: takes the next answer waiting for this node (a fresh signature every poll).
pub fn get_response(
    v: Version,
    s: &Selector,
    now: time::OffsetDateTime,
    key: &dyn Signer,
) -> Result<String, EnvelopeError> {
    let f = selector(v, s, now);
    envelope(v, "GetResponseRequest", &f, SIGNED_BY_CALLER, "", key)
}

/// GetRequest: takes the next request addressed to this node as a provider.
pub fn get_request(
    v: Version,
    s: &Selector,
    now: time::OffsetDateTime,
    key: &dyn Signer,
) -> Result<String, EnvelopeError> {
    let f = selector(v, s, now);
    envelope(v, "GetRequestRequest", &f, SIGNED_BY_CALLER, "", key)
}

/// Ack: confirms a received message (by its `MessageMetadata/MessageId`); `accepted` false
/// says its SMEV signature was refused and the message ignored.
pub fn ack(
    v: Version,
    message_id: &str,
    accepted: bool,
    key: &dyn Signer,
) -> Result<String, EnvelopeError> {
    let f = format!(
        "<basic:AckTargetMessage xmlns:basic=\"{}\" Id=\"{SIGNED_BY_CALLER}\" accepted=\"{accepted}\">{}</basic:AckTargetMessage>",
        v.basic(),
        esc(message_id)
    );
    envelope(v, "AckRequest", &f, SIGNED_BY_CALLER, "", key)
}

/// GetStatus: takes the next of SMEV's own processing notices for this node.
pub fn get_status(
    v: Version,
    now: time::OffsetDateTime,
    key: &dyn Signer,
) -> Result<String, EnvelopeError> {
    let f = format!(
        "<basic:Timestamp xmlns:basic=\"{}\" Id=\"{SIGNED_BY_CALLER}\">{}</basic:Timestamp>",
        v.basic(),
        timestamp(now)
    );
    envelope(v, "GetStatusRequest", &f, SIGNED_BY_CALLER, "", key)
}

/// `MessagePrimaryContent` must hold one element with a namespace and nothing else (SMEV
/// routes by its qualified name, brief §9).
fn check_business(pc: &xml::Element) -> Result<(), EnvelopeError> {
    let mut elements = pc.elements();
    let (Some(e), None) = (elements.next(), elements.next()) else {
        return Err(EnvelopeError::Business(
            "the business data must be one element".into(),
        ));
    };
    let stray_text = pc.children.iter().any(|n| match n {
        xml::Node::Text(t) => !t.trim().is_empty(),
        _ => false,
    });
    if stray_text {
        return Err(EnvelopeError::Business(
            "text beside the business element".into(),
        ));
    }
    if e.ns.is_none() {
        return Err(EnvelopeError::Business(
            "the root element has no namespace".into(),
        ));
    }
    Ok(())
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A new MessageID (the core mints those of the messages it commits).
pub use volost_core::service::new_message_id;

/// Whether `s` is a MessageID SMEV accepts: a version 1 UUID written in lower case.
pub fn is_message_id(s: &str) -> bool {
    s.len() == 36
        && !s.bytes().any(|b| b.is_ascii_uppercase())
        && uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 1)
}

/// The time inside a version 1 MessageID, as unix seconds (SMEV refuses stale ones).
pub fn message_id_time(s: &str) -> Option<i64> {
    let u = uuid::Uuid::parse_str(s).ok()?;
    let (secs, _) = u.get_timestamp()?.to_unix();
    i64::try_from(secs).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gost;
    use crate::keys::NodeKey;

    pub(crate) fn test_key() -> NodeKey {
        gost::init().expect("gost");
        let key = gost::generate_key().expect("key");
        let cert = gost::self_signed(&key, "Узел", "Сельсовет", 30).expect("cert");
        NodeKey { key, cert }
    }

    fn body_op(env: &str) -> xml::Element {
        let doc = xml::parse(env).expect("well-formed");
        assert!(doc.is(SOAP, "Envelope"));
        assert!(doc.child(SOAP, "Header").is_some(), "SMEV needs a Header");
        let body = doc.child(SOAP, "Body").expect("Body");
        body.elements().next().expect("op").clone()
    }

    #[test]
    fn message_ids_are_lower_case_version_1_uuids_of_now() {
        let a = new_message_id();
        let b = new_message_id();
        assert_ne!(a, b);
        assert!(is_message_id(&a), "{a}");
        assert!(!is_message_id(&a.to_uppercase()));
        assert!(
            !is_message_id("1b4e28ba-2fa1-41d2-883f-0016d3cca427"),
            "a version 4 UUID"
        );
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let t = message_id_time(&a).expect("time");
        assert!((now - t).abs() < 5, "{now} {t}");
    }

    #[test]
    fn a_send_request_is_signed_over_its_request_data_and_verifies_in_place() {
        let k = test_key();
        let id = new_message_id();
        let business =
            "<r:Request xmlns:r=\"urn://test/kind/1.0\"><r:a>x &amp; y</r:a></r:Request>";
        let att = [Attachment {
            id: "f1".into(),
            mime: "application/pdf".into(),
            bytes: b"%PDF-1.4 test".to_vec(),
            signature: None,
        }];
        let d = RequestData {
            message_id: &id,
            reference: None,
            node_id: "",
            business,
            personal_signature: None,
            attachments: &att,
            test: true,
        };
        let env = send_request(Version::V1_1, &d, &k).expect("envelope");
        let doc = xml::parse(&env).expect("parse");
        let op = body_op(&env);
        let types = Version::V1_1.types();
        assert!(op.is(&types, "SendRequestRequest"));
        let names: Vec<&str> = op.elements().map(|e| e.local.as_str()).collect();
        assert_eq!(
            names,
            [
                "SenderProvidedRequestData",
                "AttachmentContentList",
                "CallerInformationSystemSignature"
            ]
        );
        let data = op.child(&types, "SenderProvidedRequestData").expect("data");
        assert_eq!(data.child(&types, "MessageID").expect("id").text(), id);
        assert!(data.child(&types, "TestMessage").is_some());
        let v = dsig::verify_in(
            &doc,
            op.child(&types, "CallerInformationSystemSignature")
                .expect("sig"),
        )
        .expect("verifies inside the envelope");
        assert_eq!(v.reference, SIGNED_BY_CONSUMER);
    }

    #[test]
    fn polls_acks_and_answers_verify_and_refuse_bad_business_data() {
        let k = test_key();
        let now = time::OffsetDateTime::now_utc();
        let sel = Selector {
            business_type: Some(("urn://test/kind/1.0", "Response")),
            node_id: "n1",
        };
        let v = Version::V1_3;
        let types = v.types();
        for env in [
            get_response(v, &sel, now, &k).expect("get response"),
            get_request(v, &Selector::default(), now, &k).expect("get request"),
            ack(v, &new_message_id(), true, &k).expect("ack"),
            get_status(v, now, &k).expect("status"),
            send_response(
                v,
                &new_message_id(),
                "eyJ0byI6Im5vZGUifQ==",
                &ResponseContent::Rejected(vec![(RejectCode::NoData, "Нет сведений".into())]),
                &[],
                &k,
            )
            .expect("send response"),
        ] {
            let doc = xml::parse(&env).expect("parse");
            let op = body_op(&env);
            let sig = op
                .child(&types, "CallerInformationSystemSignature")
                .expect("signature last");
            assert_eq!(
                op.elements().last().map(|e| e.local.as_str()),
                Some("CallerInformationSystemSignature")
            );
            dsig::verify_in(&doc, sig).expect("verifies");
        }
        let e = send_request(
            v,
            &RequestData {
                message_id: "x",
                reference: None,
                node_id: "",
                business: "<Request><a/></Request>",
                personal_signature: None,
                attachments: &[],
                test: false,
            },
            &k,
        )
        .expect_err("no namespace");
        assert!(e.to_string().contains("namespace"), "{e}");
        let e = send_request(
            v,
            &RequestData {
                message_id: "x",
                reference: None,
                node_id: "",
                business: "<a:R xmlns:a=\"urn:x\"/><a:S xmlns:a=\"urn:x\"/>",
                personal_signature: None,
                attachments: &[],
                test: false,
            },
            &k,
        )
        .expect_err("two elements");
        assert!(e.to_string().contains("one element"), "{e}");
    }
}
