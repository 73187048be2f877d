//! What SMEV answers: the HTTP body (plain XML or MTOM multipart, brief §1) read into the
//! few shapes the worker acts on. The SMEV signature of every message is verified here and
//! its verdict handed on with the message, so that the worker can still store and Ack
//! (`accepted="false"`) a message whose signature fails.
//!
//! Parsing accepts every `…/types/1.x` namespace: test environments answer in 1.2 whatever
//! version the node sends.

use super::dsig::{self, SignatureError, Verified};
use super::envelope::{SOAP, XOP};
use super::xml::{self, Element, XmlError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use std::collections::HashMap;

const TYPES_PREFIX: &str = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/";

#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error("multipart: {0}")]
    Multipart(String),
    #[error("the reply is not UTF-8")]
    Encoding,
    #[error("the reply is not well-formed XML: {0}")]
    Xml(#[from] XmlError),
    #[error("unexpected reply: {0}")]
    Shape(String),
    #[error("the reply is longer than {0} bytes (max_message_bytes): cut off unread")]
    TooLarge(u64),
}

/// The id to acknowledge a message by, found in its bytes without parsing them as a tree:
/// for a message that could not be read (a DTD, bad UTF-8, nesting too deep, cut off at the
/// size limit), so that it can still be refused with an Ack and leave the queue. As the
/// parser does, SMEV's `MessageMetadata/MessageId` first, else the sender's `MessageID`;
/// only a value that looks like an id (a UUID's characters, 8 to 64 of them).
pub fn message_id_in_raw(raw: &[u8]) -> Option<String> {
    ["MessageId", "MessageID"]
        .into_iter()
        .find_map(|name| first_element_text(raw, name.as_bytes()))
}

fn first_element_text(raw: &[u8], name: &[u8]) -> Option<String> {
    let mut at = 0;
    while let Some(i) = find(raw, name, at) {
        at = i + name.len();
        // `<name>` or `<prefix:name>`, an opening tag with nothing after the name.
        let before = i.checked_sub(1).map(|j| raw[j]);
        let opening = match before {
            Some(b'<') => true,
            Some(b':') => raw[..i - 1]
                .iter()
                .rposition(|&b| b == b'<')
                .is_some_and(|lt| {
                    let prefix = &raw[lt + 1..i - 1];
                    !prefix.is_empty()
                        && prefix
                            .iter()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                }),
            _ => false,
        };
        if !opening || raw.get(at) != Some(&b'>') {
            continue;
        }
        let text = &raw[at + 1..];
        let end = text.iter().position(|&b| b == b'<')?;
        let v = std::str::from_utf8(&text[..end]).ok()?.trim();
        if (8..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Some(v.to_string());
        }
    }
    None
}

fn shape(s: impl Into<String>) -> ReplyError {
    ReplyError::Shape(s.into())
}

/// `MessageMetadata`: routing data SMEV fills in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    pub message_id: Option<String>,
    pub message_type: String,
    pub sender_mnemonic: String,
    pub sender_name: String,
    pub sending_timestamp: String,
    pub status: Option<String>,
}

/// A file that came with a message.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedFile {
    pub id: String,
    pub mime: String,
    pub bytes: Bytes,
}

/// The content of a received request or response.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// The business data: one element of the type's namespace.
    Primary(Box<Element>),
    /// `RequestRejected`: (code, description) pairs.
    Rejected(Vec<(String, String)>),
    /// `RequestStatus`.
    Status {
        code: i64,
        description: String,
        params: Vec<(String, String)>,
    },
    /// `AsyncProcessingStatus` sent by SMEV in the provider's place.
    Async(AsyncStatus),
    /// `Cancel` (1.1): the consumer withdrew the request with this MessageID.
    Cancel(String),
}

/// SMEV's own processing notice (`AsyncProcessingStatus`), as the node takes it.
pub use volost_domain::received::AsyncStatus;

/// A message taken from a queue: a response to our request, or a request to us.
#[derive(Debug)]
pub struct Received {
    /// `MessageMetadata/MessageId`: what the Ack names.
    pub message_id: String,
    /// The sender's own `MessageID`.
    pub sender_message_id: String,
    /// The request this one answers (`OriginalMessageId`), for responses.
    pub original_id: Option<String>,
    /// `ReplyTo` of a request, copied verbatim into our answer.
    pub reply_to: Option<String>,
    pub metadata: Metadata,
    pub content: Content,
    pub files: Vec<ReceivedFile>,
    /// The sender marked it as a test message.
    pub test: bool,
    /// `SMEVSignature` checked: the certificate it verified with, or why it failed. Whether
    /// that certificate is SMEV's is the trust store's to say (`trust::Stores`).
    pub smev_signature: Result<Verified, SignatureError>,
    /// The personal signature (ЭП-СП) over the business data checked, if it had one.
    pub personal_signature: Option<Result<Verified, SignatureError>>,
}

/// A SOAP fault, with SMEV's detail when it sent one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fault {
    pub code: String,
    pub string: String,
    /// The detail element's local name: `SMEVFailure`, `MessageIsAlreadySent`, …
    pub kind: String,
    pub smev_code: String,
    pub description: String,
}

/// What the worker does after a fault (brief §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultClass {
    /// SMEV's trouble or a full queue: try again later with the same message.
    Retry,
    /// `MessageIsAlreadySent`: an earlier try went through although its reply was lost.
    AlreadySent,
    /// Anything else: the message is refused as it stands.
    Refused,
}

impl Fault {
    pub fn class(&self) -> FaultClass {
        match self.kind.as_str() {
            "SMEVFailure" | "DestinationOverflow" => FaultClass::Retry,
            "MessageIsAlreadySent" => FaultClass::AlreadySent,
            "" if self.code.ends_with("Server") && self.description.is_empty() => FaultClass::Retry,
            _ => FaultClass::Refused,
        }
    }

    /// One line for history and logs.
    pub fn summary(&self) -> String {
        let mut s = if self.kind.is_empty() {
            self.code.clone()
        } else {
            self.kind.clone()
        };
        for part in [&self.smev_code, &self.description, &self.string] {
            if !part.is_empty() && !s.contains(part.as_str()) {
                s.push_str(": ");
                s.push_str(part);
            }
        }
        s
    }
}

#[derive(Debug)]
pub enum Reply {
    /// SendRequest/SendResponse: SMEV took the message.
    Accepted {
        metadata: Metadata,
        smev_signature: Result<Verified, SignatureError>,
    },
    /// An empty queue, or an Ack's reply.
    Empty,
    /// GetResponse/GetRequest gave a message.
    Message(Box<Received>),
    /// GetStatus gave one of SMEV's notices.
    Notice {
        status: AsyncStatus,
        smev_signature: Result<Verified, SignatureError>,
    },
    Fault(Fault),
}

/// The XML of a reply and its MTOM parts, by Content-ID.
pub struct Unpacked {
    pub xml: Bytes,
    pub parts: HashMap<String, (String, Bytes)>,
}

/// Splits an MTOM body (`multipart/related`) into the root XML and the other parts; a plain
/// XML body comes back as it is. The parts are slices of `body`, not copies.
pub fn unpack(content_type: &str, body: Bytes) -> Result<Unpacked, ReplyError> {
    let ct = content_type.trim();
    if !ct.to_ascii_lowercase().starts_with("multipart/") {
        return Ok(Unpacked {
            xml: body,
            parts: HashMap::new(),
        });
    }
    let param = |name: &str| -> Option<String> {
        ct.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    let boundary = param("boundary")
        .filter(|b| !b.is_empty() && b.len() <= 200)
        .ok_or_else(|| ReplyError::Multipart("no boundary".into()))?;
    let start = param("start").map(|s| s.trim_matches(['<', '>']).to_string());
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    let mut pieces = Vec::new();
    let mut pos =
        find(&body, d, 0).ok_or_else(|| ReplyError::Multipart("no first boundary".into()))?;
    loop {
        let after = pos + d.len();
        if body.get(after..after + 2) == Some(b"--") {
            break;
        }
        let head_start = after + crlf_len(&body, after);
        let next = find(&body, d, head_start)
            .ok_or_else(|| ReplyError::Multipart("a part without its closing boundary".into()))?;
        // The CRLF before a boundary belongs to the boundary.
        let mut end = next;
        if end >= 2 && &body[end - 2..end] == b"\r\n" {
            end -= 2;
        } else if end >= 1 && body[end - 1] == b'\n' {
            end -= 1;
        }
        pieces.push((head_start, end));
        pos = next;
    }
    let mut root: Option<Bytes> = None;
    let mut parts = HashMap::new();
    for (i, (s, e)) in pieces.into_iter().enumerate() {
        let part = body.slice(s..e.max(s));
        let sep = find(&part, b"\r\n\r\n", 0)
            .map(|p| (p, 4))
            .or_else(|| find(&part, b"\n\n", 0).map(|p| (p, 2)))
            .ok_or_else(|| ReplyError::Multipart("a part without headers".into()))?;
        let head = std::str::from_utf8(&part[..sep.0])
            .map_err(|_| ReplyError::Multipart("part headers are not text".into()))?;
        let mut id = None;
        let mut mime = String::from("application/octet-stream");
        for line in head.lines() {
            if let Some((k, v)) = line.split_once(':') {
                if k.trim().eq_ignore_ascii_case("content-id") {
                    id = Some(v.trim().trim_matches(['<', '>']).to_string());
                } else if k.trim().eq_ignore_ascii_case("content-type") {
                    mime = v.split(';').next().unwrap_or("").trim().to_string();
                }
            }
        }
        let content = part.slice(sep.0 + sep.1..);
        let is_root = match (&start, &id) {
            (Some(st), Some(id)) => st == id,
            (None, _) => i == 0,
            _ => false,
        };
        if is_root && root.is_none() {
            root = Some(content);
        } else if let Some(id) = id {
            parts.insert(id, (mime, content));
        }
    }
    let xml = root.ok_or_else(|| ReplyError::Multipart("no root part".into()))?;
    Ok(Unpacked { xml, parts })
}

fn crlf_len(b: &[u8], at: usize) -> usize {
    match b.get(at..at + 2) {
        Some(b"\r\n") => 2,
        Some([b'\n', _]) => 1,
        _ => 0,
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Reads an HTTP reply from SMEV. `status` is the HTTP status: SOAP faults come with 500.
pub fn parse(content_type: &str, body: Bytes) -> Result<Reply, ReplyError> {
    let u = unpack(content_type, body)?;
    let text = std::str::from_utf8(&u.xml).map_err(|_| ReplyError::Encoding)?;
    let doc = xml::parse(text)?;
    if !doc.is(SOAP, "Envelope") {
        return Err(shape(format!(
            "root element {} is not a SOAP envelope",
            doc.local
        )));
    }
    let body = doc
        .child(SOAP, "Body")
        .ok_or_else(|| shape("no soap:Body"))?;
    let op = body
        .elements()
        .next()
        .ok_or_else(|| shape("an empty soap:Body"))?;
    if op.is(SOAP, "Fault") {
        return Ok(Reply::Fault(fault(op)));
    }
    let types = op.ns.clone().unwrap_or_default();
    let Some(ver) = types.strip_prefix(TYPES_PREFIX) else {
        return Err(shape(format!("{} is not of the SMEV namespaces", op.local)));
    };
    let basic = format!("{TYPES_PREFIX}basic/{ver}");
    let ns = Ns {
        types: &types,
        basic: &basic,
    };
    match op.local.as_str() {
        "SendRequestResponse" | "SendResponseResponse" => {
            let m = need(op, ns.types, "MessageMetadata")?;
            Ok(Reply::Accepted {
                metadata: metadata(&ns, m),
                smev_signature: smev_signature(&doc, op, m, &ns),
            })
        }
        "AckResponse" => Ok(Reply::Empty),
        "GetResponseResponse" => match op.child(ns.types, "ResponseMessage") {
            None => Ok(Reply::Empty),
            Some(msg) => Ok(Reply::Message(Box::new(response(
                &doc, msg, &ns, &u.parts,
            )?))),
        },
        "GetRequestResponse" => match op.child(ns.types, "RequestMessage") {
            None => Ok(Reply::Empty),
            Some(msg) => Ok(Reply::Message(Box::new(request(&doc, msg, &ns, &u.parts)?))),
        },
        "GetStatusResponse" => match op.child(ns.types, "SmevAsyncProcessingMessage") {
            None => Ok(Reply::Empty),
            Some(msg) => {
                let data = need(msg, ns.types, "AsyncProcessingStatusData")?;
                let st = need(data, ns.types, "AsyncProcessingStatus")?;
                Ok(Reply::Notice {
                    status: async_status(&ns, st),
                    smev_signature: smev_signature(&doc, msg, data, &ns),
                })
            }
        },
        other => Err(shape(format!("unknown reply {other}"))),
    }
}

struct Ns<'a> {
    types: &'a str,
    basic: &'a str,
}

/// The child `name` that the schema requires of `e`.
fn need<'a>(e: &'a Element, ns: &str, name: &str) -> Result<&'a Element, ReplyError> {
    e.child(ns, name)
        .ok_or_else(|| shape(format!("{} without {name}", e.local)))
}

fn text_of(e: &Element, ns: &str, name: &str) -> String {
    e.child(ns, name).map(|c| c.text()).unwrap_or_default()
}

fn fault(f: &Element) -> Fault {
    // faultcode and faultstring are unqualified in SOAP 1.1.
    let plain = |name: &str| {
        f.elements()
            .find(|e| e.local == name && e.ns.is_none())
            .map(|e| e.text().trim().to_string())
            .unwrap_or_default()
    };
    let mut out = Fault {
        code: plain("faultcode"),
        string: plain("faultstring"),
        ..Fault::default()
    };
    if let Some(detail) = f.elements().find(|e| e.local == "detail")
        && let Some(d) = detail.elements().next()
    {
        out.kind = d.local.clone();
        let inner = |name: &str| {
            d.elements()
                .find(|e| e.local == name)
                .map(|e| e.text().trim().to_string())
                .unwrap_or_default()
        };
        out.smev_code = inner("Code");
        out.description = inner("Description");
    }
    out
}

fn metadata(ns: &Ns, m: &Element) -> Metadata {
    let sender = m.child(ns.types, "Sender");
    Metadata {
        message_id: m
            .child(ns.types, "MessageId")
            .map(|e| e.text().trim().to_string()),
        message_type: text_of(m, ns.types, "MessageType"),
        sender_mnemonic: sender
            .map(|s| text_of(s, ns.types, "Mnemonic"))
            .unwrap_or_default(),
        sender_name: sender
            .map(|s| text_of(s, ns.types, "HumanReadableName"))
            .unwrap_or_default(),
        sending_timestamp: text_of(m, ns.types, "SendingTimestamp"),
        status: m
            .child(ns.types, "Status")
            .map(|e| e.text().trim().to_string()),
    }
}

/// Verifies `SMEVSignature` inside `holder`, which must sign `signed`.
fn smev_signature(
    doc: &Element,
    holder: &Element,
    signed: &Element,
    ns: &Ns,
) -> Result<Verified, SignatureError> {
    let container = holder
        .child(ns.types, "SMEVSignature")
        .ok_or(SignatureError::Missing)?;
    let v = dsig::verify_in(doc, container)?;
    if signed.attr("Id") != Some(v.reference.as_str()) {
        return Err(SignatureError::BadReference(v.reference));
    }
    Ok(v)
}

fn async_status(ns: &Ns, st: &Element) -> AsyncStatus {
    AsyncStatus {
        original_id: text_of(st, ns.types, "OriginalMessageId").trim().into(),
        category: text_of(st, ns.types, "StatusCategory").trim().into(),
        details: text_of(st, ns.types, "StatusDetails"),
        fault: st.child(ns.types, "SmevFault").map(|f| {
            (
                text_of(f, ns.basic, "Code"),
                text_of(f, ns.basic, "Description"),
            )
        }),
    }
}

fn files(
    ns: &Ns,
    data: &Element,
    list: Option<&Element>,
    parts: &HashMap<String, (String, Bytes)>,
) -> Result<Vec<ReceivedFile>, ReplyError> {
    let mut mimes = HashMap::new();
    if let Some(h) = data.child(ns.basic, "AttachmentHeaderList") {
        for a in h.elements() {
            mimes.insert(
                text_of(a, ns.basic, "contentId").trim().to_string(),
                text_of(a, ns.basic, "MimeType").trim().to_string(),
            );
        }
    }
    let mut out = Vec::new();
    let Some(list) = list else {
        if !mimes.is_empty() {
            return Err(shape("attachment headers without their contents"));
        }
        return Ok(out);
    };
    for c in list.elements() {
        let id = text_of(c, ns.basic, "Id").trim().to_string();
        let content = need(c, ns.basic, "Content")?;
        let bytes = match content.child(XOP, "Include") {
            Some(inc) => {
                let href = inc.attr("href").unwrap_or("");
                let cid = href.strip_prefix("cid:").unwrap_or(href);
                let decoded = percent_decode(cid);
                parts
                    .get(&decoded)
                    .or_else(|| parts.get(cid))
                    .map(|(_, b)| b.clone())
                    .ok_or_else(|| shape(format!("no MTOM part {decoded}")))?
            }
            None => {
                let clean: String = content
                    .text()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                Bytes::from(
                    B64.decode(clean)
                        .map_err(|e| shape(format!("attachment {id}: bad base64: {e}")))?,
                )
            }
        };
        let mime = mimes
            .remove(&id)
            .ok_or_else(|| shape(format!("attachment {id} has no header")))?;
        out.push(ReceivedFile { id, mime, bytes });
    }
    if let Some(id) = mimes.keys().next() {
        return Err(shape(format!("attachment header {id} has no content")));
    }
    Ok(out)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `PersonalSignature` (ЭП-СП) of `data` over its business element checked, if it
/// carries one: the certificate it verified with, or why it does not verify. Personal
/// signatures sign the business element itself; a reference to anything else is refused.
pub fn personal_check(
    doc: &Element,
    data: &Element,
    business: &Element,
    types: &str,
) -> Option<Result<Verified, SignatureError>> {
    let check = |p: &Element| {
        let v = dsig::verify_in(doc, p)?;
        if business.attr("Id") != Some(v.reference.as_str()) {
            return Err(SignatureError::BadReference(v.reference));
        }
        Ok(v)
    };
    data.child(types, "PersonalSignature").map(check)
}

/// [`personal_check`] as a verdict without the trust check: for the simulator, whose
/// agencies take any employee's signature that verifies.
pub fn personal_signature(
    doc: &Element,
    data: &Element,
    business: &Element,
    types: &str,
) -> Option<volost_domain::SignatureVerdict> {
    personal_check(doc, data, business, types).map(|r| match r {
        Ok(v) => volost_domain::SignatureVerdict {
            valid: true,
            signer: v.signer(),
            reason: String::new(),
        },
        Err(e) => volost_domain::SignatureVerdict {
            valid: false,
            signer: String::new(),
            reason: e.to_string(),
        },
    })
}

fn primary(
    doc: &Element,
    ns: &Ns,
    data: &Element,
) -> Result<(Content, Option<Result<Verified, SignatureError>>), ReplyError> {
    let pc = need(data, ns.basic, "MessagePrimaryContent")?;
    let business = pc
        .elements()
        .next()
        .ok_or_else(|| shape("an empty MessagePrimaryContent"))?;
    let personal = personal_check(doc, data, business, ns.types);
    Ok((Content::Primary(Box::new(business.clone())), personal))
}

fn response(
    doc: &Element,
    msg: &Element,
    ns: &Ns,
    parts: &HashMap<String, (String, Bytes)>,
) -> Result<Received, ReplyError> {
    let resp = need(msg, ns.types, "Response")?;
    let data = need(resp, ns.types, "SenderProvidedResponseData")?;
    let mut personal = None;
    let content = if data.child(ns.basic, "MessagePrimaryContent").is_some() {
        let (c, p) = primary(doc, ns, data)?;
        personal = p;
        c
    } else if let Some(st) = data.child(ns.types, "RequestStatus") {
        Content::Status {
            code: text_of(st, ns.types, "StatusCode")
                .trim()
                .parse()
                .map_err(|_| shape("StatusCode is not a number"))?,
            description: text_of(st, ns.types, "StatusDescription"),
            params: st
                .elements()
                .filter(|e| e.local == "StatusParameter")
                .map(|p| (text_of(p, ns.types, "Key"), text_of(p, ns.types, "Value")))
                .collect(),
        }
    } else if let Some(st) = data.child(ns.types, "AsyncProcessingStatus") {
        Content::Async(async_status(ns, st))
    } else {
        let rejected: Vec<(String, String)> = data
            .elements()
            .filter(|e| e.local == "RequestRejected")
            .map(|r| {
                (
                    text_of(r, ns.types, "RejectionReasonCode")
                        .trim()
                        .to_string(),
                    text_of(r, ns.types, "RejectionReasonDescription"),
                )
            })
            .collect();
        if rejected.is_empty() {
            return Err(shape("a response with no content"));
        }
        Content::Rejected(rejected)
    };
    Ok(Received {
        original_id: resp
            .child(ns.types, "OriginalMessageId")
            .map(|e| e.text().trim().to_string()),
        files: files(
            ns,
            data,
            msg.child(ns.basic, "AttachmentContentList"),
            parts,
        )?,
        personal_signature: personal,
        ..received(doc, msg, ns, resp, data, content)
    })
}

/// What every received message has: its ids, its metadata (inside `signed`, the element
/// `SMEVSignature` signs) and SMEV's verdict; the sender's `MessageID` is in `data`.
fn received(
    doc: &Element,
    msg: &Element,
    ns: &Ns,
    signed: &Element,
    data: &Element,
    content: Content,
) -> Received {
    let metadata = signed
        .child(ns.types, "MessageMetadata")
        .map(|m| metadata(ns, m))
        .unwrap_or_default();
    let sender_message_id = text_of(data, ns.types, "MessageID").trim().to_string();
    Received {
        message_id: metadata
            .message_id
            .clone()
            .unwrap_or_else(|| sender_message_id.clone()),
        sender_message_id,
        original_id: None,
        reply_to: None,
        metadata,
        content,
        files: Vec::new(),
        test: false,
        smev_signature: smev_signature(doc, msg, signed, ns),
        personal_signature: None,
    }
}

fn request(
    doc: &Element,
    msg: &Element,
    ns: &Ns,
    parts: &HashMap<String, (String, Bytes)>,
) -> Result<Received, ReplyError> {
    if let Some(cancel) = msg.child(ns.types, "Cancel") {
        let reference = text_of(cancel, ns.basic, "MessageReference").trim().into();
        return Ok(received(
            doc,
            msg,
            ns,
            cancel,
            cancel,
            Content::Cancel(reference),
        ));
    }
    let req = need(msg, ns.types, "Request")?;
    let data = need(req, ns.types, "SenderProvidedRequestData")?;
    let (content, personal) = primary(doc, ns, data)?;
    Ok(Received {
        reply_to: Some(
            req.child(ns.types, "ReplyTo")
                .map(|e| e.text())
                .ok_or_else(|| shape("a request without ReplyTo"))?,
        ),
        files: files(
            ns,
            data,
            msg.child(ns.basic, "AttachmentContentList"),
            parts,
        )?,
        test: data.child(ns.types, "TestMessage").is_some(),
        personal_signature: personal,
        ..received(doc, msg, ns, req, data, content)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Bytes {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/testdata/samples")
            .join(name);
        Bytes::from(std::fs::read(p).expect("sample"))
    }

    #[test]
    fn the_real_send_request_response_is_accepted_with_a_valid_smev_signature() {
        let names: Vec<String> = std::fs::read_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/testdata/samples"),
        )
        .expect("samples")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml") && n.contains("compact"))
        .collect();
        assert!(!names.is_empty(), "a compact sample");
        let r = parse("text/xml; charset=utf-8", sample(&names[0])).expect("parses");
        let Reply::Accepted {
            metadata,
            smev_signature,
        } = r
        else {
            panic!("accepted expected: {r:?}");
        };
        assert_eq!(metadata.message_type, "REQUEST");
        assert!(metadata.message_id.is_some());
        smev_signature.expect("SMEV's signature verifies");
    }

    #[test]
    fn a_fault_is_classified_by_its_detail() {
        let f = |detail: &str| {
            format!(
                "<s:Envelope xmlns:s=\"{SOAP}\"><s:Body><s:Fault><faultcode>s:Server</faultcode>\
                 <faultstring>x</faultstring><detail><f:{detail} xmlns:f=\"{TYPES_PREFIX}faults/1.1\">\
                 <Code xmlns=\"{TYPES_PREFIX}basic/1.1\">SMEV-301</Code></f:{detail}></detail>\
                 </s:Fault></s:Body></s:Envelope>"
            )
        };
        let class = |d: &str| match parse("text/xml", Bytes::from(f(d))).expect("parse") {
            Reply::Fault(f) => f.class(),
            other => panic!("{other:?}"),
        };
        assert_eq!(class("SMEVFailure"), FaultClass::Retry);
        assert_eq!(class("DestinationOverflow"), FaultClass::Retry);
        assert_eq!(class("MessageIsAlreadySent"), FaultClass::AlreadySent);
        assert_eq!(class("InvalidContent"), FaultClass::Refused);
        let Reply::Fault(fl) = parse("text/xml", Bytes::from(f("StaleMessageId"))).expect("p")
        else {
            panic!()
        };
        assert_eq!(fl.summary(), "StaleMessageId: SMEV-301: x");
    }

    #[test]
    fn mtom_parts_are_found_by_content_id_and_the_root_by_start() {
        let body = "--b1\r\nContent-Type: application/octet-stream\r\nContent-ID: <f@1>\r\n\r\n\
                    BIN\r\nARY\r\n--b1\r\nContent-Type: application/xop+xml; type=\"text/xml\"\r\n\
                    Content-ID: <root>\r\n\r\n<a/>\r\n--b1--\r\n";
        let u = unpack(
            "multipart/related; type=\"application/xop+xml\"; boundary=\"b1\"; start=\"<root>\"",
            Bytes::from(body),
        )
        .expect("unpack");
        assert_eq!(&u.xml[..], b"<a/>");
        assert_eq!(&u.parts["f@1"].1[..], b"BIN\r\nARY");
        assert_eq!(percent_decode("f%401"), "f@1");
        for bad in ["--b1\r\nContent-ID: <x>\r\n\r\nno end", "nothing"] {
            assert!(
                unpack("multipart/related; boundary=b1", Bytes::from(bad)).is_err(),
                "{bad}"
            );
        }
        assert!(unpack("multipart/related", Bytes::from("x")).is_err());
    }
}
