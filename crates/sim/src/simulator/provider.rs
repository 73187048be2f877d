//! The simulator as the agencies and portals that ask the node. `POST /sim/portal` queues an
//! application from ЕПГУ or РПГУ, `POST /sim/request` an agency's request and
//! `POST /sim/cancel` a withdrawal; GetRequest hands them out, each with a `ReplyTo` of its
//! own. SendResponse takes the node's answers, as SMEV does only to a `ReplyTo` it gave out,
//! and `GET /sim/state` lists them in `responses`.

use super::{
    Fault, Refusal, Shared, Sim, empty, fault_response, metadata, mtom, refuse, signed_reply,
    take_fault,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use volost_smev::envelope::{self, SIGNED_BY_SMEV, Version, esc};
use volost_smev::xml::Element;

/// A file offered with a request or an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferedFile {
    /// The attachment's content id.
    pub id: String,
    /// The form field it fills (portal applications; for agencies the id is the key).
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(default = "pdf")]
    pub mime: String,
    /// The bytes, in base64.
    pub base64: String,
}

fn pdf() -> String {
    "application/pdf".into()
}

/// An application the simulated portal sends (`POST /sim/portal`): the document in the
/// service's own delivery schema (ЕПГУ's «концентратор» `FormData`, say), as the portal
/// writes it, and its files as the message's attachments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalOrder {
    /// `EPGU` (default) or `RPGU`.
    #[serde(default)]
    pub portal: String,
    /// The business element, which must be well-formed XML.
    pub document: String,
    #[serde(default)]
    pub files: Vec<OfferedFile>,
}

/// A request a simulated agency sends (`POST /sim/request`): the type's namespace and root,
/// one child per field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyRequest {
    pub namespace: String,
    pub root: String,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub files: Vec<OfferedFile>,
    /// The agency's name as SMEV gives it.
    #[serde(default)]
    pub sender: String,
    /// Sign the business data with an employee's personal signature (ЭП-СП)...
    #[serde(default)]
    pub sign_personal: bool,
    /// ...and then change it, so that the signature no longer matches.
    #[serde(default)]
    pub forge_personal: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelOrder {
    /// The sender's MessageID of the request withdrawn.
    pub message_id: String,
}

/// What `POST /sim/portal`, `/sim/request` and `/sim/cancel` answer: the MessageID the
/// sender gave the message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferReceipt {
    pub message_id: String,
}

/// Between the business data and its personal signature in an offer's text: never in XML.
const PERSONAL_MARK: &str = "\u{0}personal\u{0}";

/// One SendResponse the node made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimResponse {
    pub message_id: String,
    /// The sender's MessageID of the request it answers (found by its `To`).
    pub answers: String,
    /// `primary`, `status` or `rejected`.
    pub kind: String,
    /// The business element's local name, for `primary`.
    pub root: String,
    /// `primary`: each child's text by name (attributes as `name@attr`); `status`: `code`,
    /// `description` and the parameters; `rejected`: each code with its description.
    pub fields: BTreeMap<String, String>,
    /// Attachments: content id and size.
    pub files: Vec<(String, usize)>,
    /// The check of the answer's ЭП-СП, when it carried one.
    #[serde(default)]
    pub personal: Option<volost_domain::SignatureVerdict>,
}

/// A request waiting in the node's incoming queue.
#[derive(Clone, Debug)]
pub(super) struct Offered {
    /// `MessageMetadata/MessageId`, what the Ack names.
    pub(super) message_id: String,
    pub(super) sender_message_id: String,
    pub(super) reply_to: String,
    pub(super) sender: (String, String),
    /// The business element, or `None` for a Cancel of `cancel`.
    pub(super) business: Option<String>,
    pub(super) cancel: String,
    /// Content id, MIME type, bytes.
    pub(super) files: Vec<(String, String, Vec<u8>)>,
    pub(super) again: bool,
}

pub(super) fn decode(files: &[OfferedFile]) -> Result<Vec<(String, String, Vec<u8>)>, String> {
    files
        .iter()
        .map(|f| {
            B64.decode(f.base64.as_bytes())
                .map(|b| (f.id.clone(), f.mime.clone(), b))
                .map_err(|e| format!("file {}: {e}", f.id))
        })
        .collect()
}

/// Queues one message for GetRequest; returns the sender's MessageID.
fn offer(
    sim: &Sim,
    sender: (String, String),
    business: Option<String>,
    cancel: String,
    files: Vec<(String, String, Vec<u8>)>,
) -> String {
    let sender_message_id = envelope::new_message_id();
    // Opaque to the node (brief §4); SMEV's own are base64 too.
    let reply_to = B64.encode(format!(
        "{{\"sim\":\"{}\",\"n\":{}}}",
        sender_message_id,
        rand::random::<u32>()
    ));
    let mut g = sim.lock();
    g.routes.insert(reply_to.clone(), sender_message_id.clone());
    g.state.offered.push(sender_message_id.clone());
    g.offers.push(Offered {
        message_id: envelope::new_message_id(),
        sender_message_id: sender_message_id.clone(),
        reply_to,
        sender,
        business,
        cancel,
        files,
        again: false,
    });
    sender_message_id
}

impl Sim {
    /// Queues an application from the portal for GetRequest; returns its MessageID.
    pub fn offer_portal(&self, o: &PortalOrder) -> Result<String, String> {
        let files = decode(&o.files)?;
        let sender = match o.portal.as_str() {
            "" | "EPGU" => ("EPGU", "ЕПГУ"),
            "RPGU" => ("RPGU", "РПГУ"),
            other => return Err(format!("unknown portal {other}")),
        };
        let e = volost_smev::xml::parse(&o.document).map_err(|e| e.to_string())?;
        Ok(offer(
            self,
            (sender.0.into(), sender.1.into()),
            Some(volost_smev::c14n::canonical_text(&e)),
            String::new(),
            files,
        ))
    }

    /// Queues an agency's request for GetRequest; returns its MessageID.
    pub fn offer_request(&self, r: &AgencyRequest) -> Result<String, String> {
        let files = decode(&r.files)?;
        let ok_name = |s: &str| {
            s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if !ok_name(&r.root) || !r.fields.keys().all(|k| ok_name(k)) {
            return Err("the root and field names must be plain XML names".into());
        }
        let id = if r.sign_personal {
            format!(" Id=\"{}\"", volost_smev::personal::SIGNED_DATA_ID)
        } else {
            String::new()
        };
        let mut x = format!("<a:{} xmlns:a=\"{}\"{id}>", r.root, esc(&r.namespace));
        for (k, v) in &r.fields {
            x.push_str(&format!("<a:{k}>{}</a:{k}>", esc(v)));
        }
        x.push_str(&format!("</a:{}>", r.root));
        if r.sign_personal {
            let sig = volost_smev::personal::sign(&x, &self.key).map_err(|e| e.to_string())?;
            if r.forge_personal {
                x = x.replacen("\">", "\"><a:forged>1</a:forged>", 1);
            }
            x.push_str(PERSONAL_MARK);
            x.push_str(&sig);
        }
        let sender = if r.sender.is_empty() {
            "Ведомство (имитатор)".to_string()
        } else {
            r.sender.clone()
        };
        Ok(offer(
            self,
            ("AGENCY".into(), sender),
            Some(x),
            String::new(),
            files,
        ))
    }
}

fn receipt(r: Result<String, String>) -> Response {
    match r {
        Ok(message_id) => axum::Json(OfferReceipt { message_id }).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e).into_response(),
    }
}

pub(super) async fn portal(
    State(sim): State<Shared>,
    axum::Json(o): axum::Json<PortalOrder>,
) -> Response {
    receipt(sim.offer_portal(&o))
}

pub(super) async fn request(
    State(sim): State<Shared>,
    axum::Json(r): axum::Json<AgencyRequest>,
) -> Response {
    receipt(sim.offer_request(&r))
}

pub(super) async fn cancel(
    State(sim): State<Shared>,
    axum::Json(c): axum::Json<CancelOrder>,
) -> Response {
    receipt(Ok(offer(
        &sim,
        ("AGENCY".into(), "Ведомство (имитатор)".into()),
        None,
        c.message_id,
        Vec::new(),
    )))
}

/// The next request for the node, as SMEV gives it: `Request` (or `Cancel`) signed by SMEV,
/// the files as MTOM parts.
pub(super) fn get_request(sim: &Sim) -> Response {
    let reorder = take_fault(sim, "GetRequest", |f| *f == Fault::Reorder).is_some();
    let pick = {
        let g = sim.lock();
        if reorder {
            g.offers.last().cloned()
        } else {
            g.offers.first().cloned()
        }
    };
    let Some(o) = pick else {
        return mtom(empty("GetRequestResponse"), &[]);
    };
    if take_fault(sim, "GetRequest", |f| *f == Fault::Duplicate).is_some() {
        let mut g = sim.lock();
        if let Some(x) = g.offers.iter_mut().find(|x| x.message_id == o.message_id) {
            x.again = true;
        }
    }
    let tamper = take_fault(sim, "GetRequest", |f| *f == Fault::BadSignature).is_some();
    let v = Version::V1_1;
    let meta = metadata(
        &o.message_id,
        "REQUEST",
        "requestIsAcceptedBySmev",
        (&o.sender.0, &o.sender.1),
    )
    .replace(&format!(" Id=\"{SIGNED_BY_SMEV}\""), "")
    .replace(&format!(" xmlns:tns=\"{}\"", v.types()), "");
    let signed = match &o.business {
        Some(b) => {
            // A personal signature travels with the business data it signs (see
            // `offer_request`), and goes after MessagePrimaryContent in the message.
            let (business, personal) = match b.split_once(PERSONAL_MARK) {
                Some((b, sig)) => (
                    b,
                    format!("<tns:PersonalSignature>{sig}</tns:PersonalSignature>"),
                ),
                None => (b.as_str(), String::new()),
            };
            let mut headers = String::new();
            if !o.files.is_empty() {
                headers.push_str("<basic:AttachmentHeaderList>");
                for (id, mime, _) in &o.files {
                    headers.push_str(&format!(
                        "<basic:AttachmentHeader><basic:contentId>{}</basic:contentId>\
                         <basic:MimeType>{}</basic:MimeType></basic:AttachmentHeader>",
                        esc(id),
                        esc(mime)
                    ));
                }
                headers.push_str("</basic:AttachmentHeaderList>");
            }
            format!(
                "<tns:Request xmlns:tns=\"{}\" xmlns:basic=\"{}\" Id=\"{SIGNED_BY_SMEV}\">\
                 <tns:SenderProvidedRequestData Id=\"SIGNED_BY_CONSUMER\">\
                 <tns:MessageID>{}</tns:MessageID><basic:MessagePrimaryContent>{}\
                 </basic:MessagePrimaryContent>{}{headers}</tns:SenderProvidedRequestData>{meta}\
                 <tns:ReplyTo>{}</tns:ReplyTo></tns:Request>",
                v.types(),
                v.basic(),
                o.sender_message_id,
                business,
                personal,
                esc(&o.reply_to)
            )
        }
        None => format!(
            "<tns:Cancel xmlns:tns=\"{}\" xmlns:basic=\"{}\" Id=\"{SIGNED_BY_SMEV}\">\
             <basic:MessageReference>{}</basic:MessageReference>\
             <tns:MessageID>{}</tns:MessageID>{meta}</tns:Cancel>",
            v.types(),
            v.basic(),
            esc(&o.cancel),
            o.sender_message_id
        ),
    };
    let contents = super::xop_contents(o.files.iter().map(|(id, _, _)| id.as_str()));
    let parts: Vec<(String, Vec<u8>)> = o
        .files
        .iter()
        .map(|(id, _, b)| (id.clone(), b.clone()))
        .collect();
    match signed_reply(
        sim,
        "GetRequestResponse",
        Some("RequestMessage"),
        &signed,
        &contents,
        tamper,
    ) {
        Ok(xml) => mtom(xml, &parts),
        Err(e) => fault_response("SMEVFailure", "SMEV-500", &e),
    }
}

/// The texts of `e`'s children by name, and their attributes as `name@attr`.
fn children(e: &Element) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in e.elements() {
        out.insert(c.local.clone(), c.text().trim().to_string());
        for a in &c.attrs {
            if a.ns.is_none() {
                out.insert(format!("{}@{}", c.local, a.local), a.value.clone());
            }
        }
    }
    out
}

/// The leaves below `e`'s children by their paths (`changeOrderInfo/statusCode/techCode`).
fn nested(e: &Element, prefix: &str, out: &mut BTreeMap<String, String>) {
    for c in e.elements() {
        let path = if prefix.is_empty() {
            c.local.clone()
        } else {
            format!("{prefix}/{}", c.local)
        };
        if c.elements().next().is_none() {
            if !prefix.is_empty() {
                out.insert(path, c.text().trim().to_string());
            }
        } else {
            nested(c, &path, out);
        }
    }
}

/// The node's answer: addressed to a `ReplyTo` given out, under a MessageID of its own.
pub(super) fn send_response(
    sim: &Sim,
    doc: &Element,
    op: &Element,
    data: &Element,
    types: &str,
    basic: &str,
) -> Result<Response, Refusal> {
    let id = super::message_id(data, types)?;
    let to = data
        .child(types, "To")
        .map(|e| e.text())
        .unwrap_or_default();
    let answers = sim.lock().routes.get(&to).cloned();
    let Some(answers) = answers else {
        return Err(refuse(
            "RecipientIsNotFound",
            "SMEV-402: To leads to no request",
        ));
    };
    let mut r = SimResponse {
        message_id: id.clone(),
        answers,
        kind: String::new(),
        root: String::new(),
        fields: BTreeMap::new(),
        files: Vec::new(),
        personal: None,
    };
    if let Some(pc) = data.child(basic, "MessagePrimaryContent") {
        let b = pc
            .elements()
            .next()
            .ok_or_else(|| refuse("InvalidContent", "empty MessagePrimaryContent"))?;
        r.kind = "primary".into();
        r.root = b.local.clone();
        r.fields = children(b);
        nested(b, "", &mut r.fields);
        r.personal = volost_smev::reply::personal_signature(doc, data, b, types);
    } else if let Some(st) = data.child(types, "RequestStatus") {
        r.kind = "status".into();
        for c in st.elements() {
            match c.local.as_str() {
                "StatusCode" => r.fields.insert("code".into(), c.text()),
                "StatusDescription" => r.fields.insert("description".into(), c.text()),
                "StatusParameter" => {
                    let kv = children(c);
                    r.fields.insert(
                        kv.get("Key").cloned().unwrap_or_default(),
                        kv.get("Value").cloned().unwrap_or_default(),
                    )
                }
                _ => None,
            };
        }
    } else {
        r.kind = "rejected".into();
        for rej in data.elements().filter(|e| e.local == "RequestRejected") {
            let kv = children(rej);
            r.fields.insert(
                kv.get("RejectionReasonCode").cloned().unwrap_or_default(),
                kv.get("RejectionReasonDescription")
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        if r.fields.is_empty() {
            return Err(refuse("InvalidContent", "a response with no content"));
        }
    }
    let mut sizes = BTreeMap::new();
    if let Some(list) = op.child(basic, "AttachmentContentList") {
        for c in list.elements() {
            let kv = children(c);
            let clean: String = kv
                .get("Content")
                .map(|t| t.chars().filter(|c| !c.is_whitespace()).collect())
                .unwrap_or_default();
            let bytes = B64
                .decode(clean.as_bytes())
                .map_err(|e| refuse("InvalidContent", format!("attachment: {e}")))?;
            sizes.insert(kv.get("Id").cloned().unwrap_or_default(), bytes.len());
        }
    }
    if let Some(h) = data.child(basic, "AttachmentHeaderList") {
        for a in h.elements() {
            let cid = children(a).get("contentId").cloned().unwrap_or_default();
            let size = sizes.remove(&cid).ok_or_else(|| {
                refuse(
                    "AttachmentContentMiscoordination",
                    format!("no content for header {cid}"),
                )
            })?;
            r.files.push((cid, size));
        }
    }
    if let Some(cid) = sizes.keys().next() {
        return Err(refuse(
            "AttachmentContentMiscoordination",
            format!("content {cid} has no header"),
        ));
    }
    let mut g = sim.lock();
    if !g.seen.insert(id.clone()) {
        drop(g);
        return Err(refuse(
            "MessageIsAlreadySent",
            format!("SMEV-301: {id} was sent before"),
        ));
    }
    g.state.responses.push(r);
    drop(g);
    let meta = metadata(
        &id,
        "RESPONSE",
        "responseIsAcceptedBySmev",
        super::SIM_SENDER,
    );
    let xml = signed_reply(sim, "SendResponseResponse", None, &meta, "", false)
        .map_err(|e| refuse("SMEVFailure", e))?;
    Ok(mtom(xml, &[]))
}
