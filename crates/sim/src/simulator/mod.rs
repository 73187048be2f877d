//! `volost smev-sim`: the federal side of the exchange on loopback, for tests and the demo.
//!
//! A real HTTP server that takes the node's envelopes, checks them as SMEV does (the caller's
//! signature over the right element, the MessageID's form and uniqueness), and answers as
//! SMEV does: receipts and messages signed with the simulator's own key, every reply in MTOM
//! multipart. Each request it takes is answered by a script of steps (a status message, the
//! answer, a rejection, SMEV's own refusal), each after a delay. Faults are injected on
//! demand through `POST /sim/faults` (`DELETE` drops those not yet met) or at random
//! through `POST /sim/chaos`; `GET /sim/state` tells what it has seen.

mod agencies;
mod consumer;
mod poison;
mod provider;
pub mod schema;

use consumer::{Notice, Queued};
pub use consumer::{Scenario, Step};
pub use poison::{PoisonKind, PoisonOrder};
pub use provider::{
    AgencyRequest, CancelOrder, OfferReceipt, OfferedFile, PortalOrder, SimResponse,
};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use volost_smev::dsig;
use volost_smev::envelope::{self, SIGNED_BY_SMEV, SOAP, Version, esc};
use volost_smev::keys::NodeKey;
use volost_smev::xml::{self, Element};

/// A fault to inject into one of the next calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Take the message, then answer with a bare 502: the reply is lost.
    Drop,
    /// A 500 with no SOAP in it, the message not taken.
    Http500,
    /// A SOAP fault of this kind (`SMEVFailure`, `InvalidContent`, …), the message not taken.
    SoapFault(String),
    /// The next message given out stays in the queue after its Ack and comes again.
    Duplicate,
    /// The next GetResponse gives the newest message waiting instead of the oldest.
    Reorder,
    /// Wait this many milliseconds before answering.
    Delay(u64),
    /// The next reply is not well-formed XML.
    Malformed,
    /// The next reply's SMEV signature does not match its content.
    BadSignature,
}

/// A fault aimed at the next call of one operation (`SendRequest`, `GetResponse`, …), or at
/// the next call it can apply to when `op` is absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injection {
    #[serde(default)]
    pub op: Option<String>,
    pub fault: Fault,
}

impl Injection {
    pub fn any(fault: Fault) -> Injection {
        Injection { op: None, fault }
    }

    pub fn on(op: &str, fault: Fault) -> Injection {
        Injection {
            op: Some(op.into()),
            fault,
        }
    }
}

impl Fault {
    /// A short name for the figures (`chaos_drawn`): the snake_case tag and its argument.
    pub fn name(&self) -> String {
        match self {
            Fault::Drop => "drop".into(),
            Fault::Http500 => "http500".into(),
            Fault::SoapFault(kind) => format!("soap_fault {kind}"),
            Fault::Duplicate => "duplicate".into(),
            Fault::Reorder => "reorder".into(),
            Fault::Delay(ms) => format!("delay {ms} ms"),
            Fault::Malformed => "malformed".into(),
            Fault::BadSignature => "bad_signature".into(),
        }
    }

    /// Whether this fault applies to a call of `op`.
    fn applies_to(&self, op: &str) -> bool {
        match self {
            Fault::Duplicate | Fault::Reorder | Fault::BadSignature => {
                op == "GetResponse" || op == "GetRequest"
            }
            Fault::Drop => op == "SendRequest" || op == "SendResponse",
            _ => true,
        }
    }
}

/// What the simulator has seen, for tests (`GET /sim/state`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SimState {
    /// Calls per operation.
    pub calls: BTreeMap<String, u64>,
    /// MessageIDs of the requests taken, in order.
    pub requests: Vec<String>,
    /// Envelopes refused, with the reason.
    pub refused: Vec<String>,
    /// Messages acknowledged, and with `accepted="false"`.
    pub acked: Vec<String>,
    pub rejected_acks: Vec<String>,
    /// Deliveries of unreadable messages (`/sim/poison`), counting each repeat.
    #[serde(default)]
    pub poison_given: u64,
    pub queued: usize,
    /// Envelopes that passed the schema check (none when `xmllint` is missing).
    pub validated: u64,
    /// The sender's MessageIDs of the requests and applications offered to the node.
    pub offered: Vec<String>,
    /// What the node answered them with (SendResponse), in order.
    pub responses: Vec<SimResponse>,
    /// The check of each request's ЭП-СП, by its MessageID, for requests that carried one.
    #[serde(default)]
    pub personal: BTreeMap<String, volost_domain::SignatureVerdict>,
    /// Faults drawn by chaos, by operation and fault (`SendRequest: http500`, …).
    #[serde(default)]
    pub chaos_drawn: BTreeMap<String, u64>,
}

/// Faults at random (`POST /sim/chaos`): each call, with `percent` chance, meets one of
/// `faults` that can apply to it, drawn from a generator seeded with `seed`. Unlike a queue
/// of faults, a retried call is as likely to get through as the first one was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chaos {
    pub seed: u64,
    pub percent: u32,
    pub faults: Vec<Injection>,
}

struct Inner {
    scenario: Scenario,
    faults: VecDeque<Injection>,
    chaos: Option<(Chaos, rand::rngs::StdRng)>,
    seen: HashSet<String>,
    queue: Vec<Queued>,
    /// Unreadable messages, given out before anything else of their queue until acked.
    poison: Vec<poison::Poison>,
    notices: VecDeque<Notice>,
    /// Requests and applications waiting for the node's GetRequest.
    offers: Vec<provider::Offered>,
    /// Each `ReplyTo` given out, with the sender's MessageID of its request.
    routes: std::collections::HashMap<String, String>,
    state: SimState,
    dumped: u64,
}

/// What the simulated providers answer for a type of request: the answer root and form.
type AnswerForms = std::collections::HashMap<(String, String), (String, Vec<volost_domain::Field>)>;

pub struct Sim {
    key: NodeKey,
    /// The answer forms of the starter catalog's kinds, so that its answers are valid
    /// for them; another type gets its own fields echoed.
    forms: AnswerForms,
    /// SMEV's schemas, when `xmllint` is there to check against them.
    schemas: Option<schema::Schemas>,
    /// The agencies' own schemas and sample answers (the starter packages).
    agencies: Option<agencies::Agencies>,
    dump: Option<PathBuf>,
    inner: Mutex<Inner>,
}

type Shared = Arc<Sim>;

impl Sim {
    pub fn new(key: NodeKey, scenario: Scenario, dump: Option<PathBuf>) -> Sim {
        let forms = volost_core::catalog::Starter::builtin()
            .map(|st| {
                st.kinds
                    .into_iter()
                    .map(|k| ((k.namespace, k.root), (k.answer_root, k.answer_fields)))
                    .collect()
            })
            .unwrap_or_default();
        let schemas = match schema::Schemas::prepare() {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("envelopes will not be checked against the schemas: {e}");
                None
            }
        };
        let agencies = match agencies::Agencies::load() {
            Ok(a) => Some(a),
            Err(e) => {
                tracing::warn!(
                    "business data will not be checked against the agencies' schemas: {e}"
                );
                None
            }
        };
        Sim {
            key,
            forms,
            schemas,
            agencies,
            dump,
            inner: Mutex::new(Inner {
                scenario,
                faults: VecDeque::new(),
                chaos: None,
                seen: HashSet::new(),
                queue: Vec::new(),
                poison: Vec::new(),
                notices: VecDeque::new(),
                offers: Vec::new(),
                routes: std::collections::HashMap::new(),
                state: SimState::default(),
                dumped: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The simulator's routes: `POST /` (any path) for SOAP, `/sim/*` for control.
pub fn router(sim: Arc<Sim>) -> axum::Router {
    axum::Router::new()
        .route("/sim/state", get(state))
        .route("/sim/faults", post(faults).delete(clear_faults))
        .route("/sim/chaos", post(chaos))
        .route("/sim/scenario", post(scenario))
        .route("/sim/portal", post(provider::portal))
        .route("/sim/request", post(provider::request))
        .route("/sim/cancel", post(provider::cancel))
        .route("/sim/poison", post(add_poison))
        .fallback(post(soap))
        .with_state(sim)
}

async fn state(State(sim): State<Shared>) -> axum::Json<SimState> {
    let g = sim.lock();
    let mut s = g.state.clone();
    s.queued = g.queue.len() + g.notices.len() + g.offers.len();
    axum::Json(s)
}

async fn add_poison(
    State(sim): State<Shared>,
    axum::Json(o): axum::Json<PoisonOrder>,
) -> axum::Json<OfferReceipt> {
    let p = poison::Poison::new(&o);
    let message_id = p.message_id.clone();
    sim.lock().poison.push(p);
    axum::Json(OfferReceipt { message_id })
}

async fn faults(
    State(sim): State<Shared>,
    axum::Json(f): axum::Json<Vec<Injection>>,
) -> StatusCode {
    sim.lock().faults.extend(f);
    StatusCode::NO_CONTENT
}

/// Drops the faults not yet met and ends chaos (`DELETE /sim/faults`).
async fn clear_faults(State(sim): State<Shared>) -> StatusCode {
    let mut g = sim.lock();
    g.faults.clear();
    g.chaos = None;
    StatusCode::NO_CONTENT
}

async fn chaos(State(sim): State<Shared>, axum::Json(c): axum::Json<Chaos>) -> StatusCode {
    use rand::SeedableRng;
    let rng = rand::rngs::StdRng::seed_from_u64(c.seed);
    sim.lock().chaos = Some((c, rng));
    StatusCode::NO_CONTENT
}

/// Chaos's draw for a call of `op`: a fault put first in the queue, met by this call (or,
/// for one that needs a message to act on, by the next call that has one).
fn draw_chaos(sim: &Sim, op: &str) {
    use rand::Rng;
    let mut g = sim.lock();
    let Some((chaos, rng)) = g.chaos.as_mut() else {
        return;
    };
    if rng.gen_range(0..100) >= chaos.percent {
        return;
    }
    let fitting: Vec<&Injection> = chaos
        .faults
        .iter()
        .filter(|i| i.op.as_deref().is_none_or(|o| o == op) && i.fault.applies_to(op))
        .collect();
    if fitting.is_empty() {
        return;
    }
    let fault = fitting[rng.gen_range(0..fitting.len())].fault.clone();
    let key = format!("{op}: {}", fault.name());
    *g.state.chaos_drawn.entry(key).or_default() += 1;
    g.faults.push_front(Injection::on(op, fault));
}

async fn scenario(State(sim): State<Shared>, axum::Json(s): axum::Json<Scenario>) -> StatusCode {
    sim.lock().scenario = s;
    StatusCode::NO_CONTENT
}

/// A fault for `op`, taken off the list if one applies.
fn take_fault(sim: &Sim, op: &str, pred: impl Fn(&Fault) -> bool) -> Option<Fault> {
    let mut g = sim.lock();
    let i = g.faults.iter().position(|i| {
        i.op.as_deref().is_none_or(|o| o == op) && i.fault.applies_to(op) && pred(&i.fault)
    })?;
    g.faults.remove(i).map(|i| i.fault)
}

fn soap_fault(kind: &str, code: &str, text: &str) -> String {
    // The faults schema wants at least one ValidationError in an InvalidContent, with the
    // position the validator stopped at (none known here: 0).
    let validation = if kind == "InvalidContent" {
        format!(
            "<f:ValidationError errorPosition=\"0\">{}</f:ValidationError>",
            esc(text)
        )
    } else {
        String::new()
    };
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP}\"><soap:Body><soap:Fault>\
         <faultcode>soap:Client</faultcode><faultstring>{}</faultstring><detail>\
         <f:{kind} xmlns:f=\"{}\"><b:Code xmlns:b=\"{}\">{code}</b:Code>\
         <b:Description xmlns:b=\"{}\">{}</b:Description>{validation}</f:{kind}></detail>\
         </soap:Fault></soap:Body></soap:Envelope>",
        esc(text),
        Version::V1_1.faults(),
        Version::V1_1.basic(),
        Version::V1_1.basic(),
        esc(text)
    )
}

fn fault_response(kind: &str, code: &str, text: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        soap_fault(kind, code, text),
    )
        .into_response()
}

/// Wraps a reply in MTOM as SMEV does, with `files` as parts.
fn mtom(xml: String, files: &[(String, Vec<u8>)]) -> Response {
    let boundary = format!("uuid:{}", envelope::new_message_id());
    let mut body = Vec::with_capacity(xml.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type=\"text/xml\"\r\n\
             Content-Transfer-Encoding: binary\r\nContent-ID: <root.message@cxf.apache.org>\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(xml.as_bytes());
    for (cid, bytes) in files {
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n\
                 Content-Transfer-Encoding: binary\r\nContent-ID: <{cid}>\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            format!(
                "multipart/related; type=\"application/xop+xml\"; boundary=\"{boundary}\"; \
                 start=\"<root.message@cxf.apache.org>\"; start-info=\"text/xml\""
            ),
        )],
        body,
    )
        .into_response()
}

fn now_text() -> String {
    envelope::timestamp(time::OffsetDateTime::now_utc())
}

/// `<tns:op>[<tns:wrapper>]signed after<tns:SMEVSignature/>[</tns:wrapper>]</tns:op>`, the
/// signature over `signed` (whose Id is SIGNED_BY_SMEV). `tamper` changes the signed content
/// after signing, as a bad relay would.
fn signed_reply(
    sim: &Sim,
    op: &str,
    wrapper: Option<&str>,
    signed: &str,
    after: &str,
    tamper: bool,
) -> Result<String, String> {
    let v = Version::V1_1;
    let tree = xml::parse(signed).map_err(|e| e.to_string())?;
    let sig = dsig::sign(&tree, SIGNED_BY_SMEV, &sim.key).map_err(|e| e.to_string())?;
    let signed = if tamper {
        signed.replacen("</tns:MessageType>", "-X</tns:MessageType>", 1)
    } else {
        signed.to_string()
    };
    let (open, close) = match wrapper {
        Some(w) => (format!("<tns:{w}>"), format!("</tns:{w}>")),
        None => (String::new(), String::new()),
    };
    Ok(format!(
        "<soap:Envelope xmlns:soap=\"{SOAP}\"><soap:Body><tns:{op} xmlns:tns=\"{}\" \
         xmlns:basic=\"{}\">{open}{signed}{after}<tns:SMEVSignature>{sig}</tns:SMEVSignature>\
         {close}</tns:{op}></soap:Body></soap:Envelope>",
        v.types(),
        v.basic()
    ))
}

/// `AttachmentContentList` pointing at the MTOM parts named `ids` (empty for none).
fn xop_contents<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for id in ids {
        s.push_str(&format!(
            "<basic:AttachmentContent><basic:Id>{}</basic:Id><basic:Content>\
             <xop:Include xmlns:xop=\"{}\" href=\"cid:{}\"/></basic:Content>\
             </basic:AttachmentContent>",
            esc(id),
            envelope::XOP,
            esc(id)
        ));
    }
    if s.is_empty() {
        s
    } else {
        format!("<basic:AttachmentContentList>{s}</basic:AttachmentContentList>")
    }
}

/// The sender SMEV names in the simulated providers' messages.
const SIM_SENDER: (&str, &str) = ("SIM", "Имитатор СМЭВ");

fn metadata(message_id: &str, kind: &str, status: &str, sender: (&str, &str)) -> String {
    let v = Version::V1_1;
    format!(
        "<tns:MessageMetadata xmlns:tns=\"{}\" Id=\"{SIGNED_BY_SMEV}\"><tns:MessageId>{message_id}</tns:MessageId>\
         <tns:MessageType>{kind}</tns:MessageType><tns:Sender><tns:Mnemonic>{}</tns:Mnemonic>\
         <tns:HumanReadableName>{}</tns:HumanReadableName></tns:Sender>\
         <tns:SendingTimestamp>{}</tns:SendingTimestamp><tns:DestinationName>unknown</tns:DestinationName>\
         <tns:SupplementaryData><tns:InteractionType>NotDetected</tns:InteractionType></tns:SupplementaryData>\
         <tns:Status>{status}</tns:Status></tns:MessageMetadata>",
        v.types(),
        esc(sender.0),
        esc(sender.1),
        now_text()
    )
}

/// The body operation and the element its caller had to sign.
fn signed_element<'a>(op: &'a Element, types: &str, basic: &str) -> Option<&'a Element> {
    match op.local.as_str() {
        "SendRequestRequest" => op.child(types, "SenderProvidedRequestData"),
        "SendResponseRequest" => op.child(types, "SenderProvidedResponseData"),
        "GetResponseRequest" | "GetRequestRequest" => op.child(basic, "MessageTypeSelector"),
        "AckRequest" => op.child(basic, "AckTargetMessage"),
        "GetStatusRequest" => op.child(basic, "Timestamp"),
        _ => None,
    }
}

async fn soap(State(sim): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let action = headers
        .get("SOAPAction")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim_matches('"')
        .trim_start_matches("urn:")
        .to_string();
    if let Some(dir) = &sim.dump {
        let n = {
            let mut g = sim.lock();
            g.dumped += 1;
            g.dumped
        };
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::write(dir.join(format!("{n:06}-{action}.xml")), &body);
    }
    *sim.lock().state.calls.entry(action.clone()).or_insert(0) += 1;
    draw_chaos(&sim, &action);
    if let Some(Fault::Delay(ms)) = take_fault(&sim, &action, |f| matches!(f, Fault::Delay(_))) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if take_fault(&sim, &action, |f| *f == Fault::Http500).is_some() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "injected failure").into_response();
    }
    if let Some(Fault::SoapFault(kind)) =
        take_fault(&sim, &action, |f| matches!(f, Fault::SoapFault(_)))
    {
        return fault_response(&kind, "SMEV-500", "Injected fault");
    }
    let malformed = take_fault(&sim, &action, |f| *f == Fault::Malformed).is_some();
    let reply = handle(&sim, &action, &body);
    let reply = match reply {
        Ok(r) => r,
        Err((kind, why)) => {
            sim.lock()
                .state
                .refused
                .push(format!("{action}: {kind}: {why}"));
            return fault_response(&kind, "SMEV-100", &why);
        }
    };
    if malformed {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/xml")],
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><broken",
        )
            .into_response();
    }
    if matches!(action.as_str(), "SendRequest" | "SendResponse")
        && take_fault(&sim, &action, |f| *f == Fault::Drop).is_some()
    {
        return (StatusCode::BAD_GATEWAY, "").into_response();
    }
    reply
}

type Refusal = (String, String);

/// The sender's `MessageID` in `data`, which must be a version 1 UUID.
fn message_id(data: &Element, types: &str) -> Result<String, Refusal> {
    let id = data
        .child(types, "MessageID")
        .map(|e| e.text())
        .unwrap_or_default();
    if !envelope::is_message_id(&id) {
        return Err(refuse(
            "InvalidMessageIdFormat",
            format!("{id} is not a version 1 UUID"),
        ));
    }
    Ok(id)
}

fn refuse(kind: &str, why: impl Into<String>) -> Refusal {
    (kind.to_string(), why.into())
}

fn handle(sim: &Sim, action: &str, body: &[u8]) -> Result<Response, Refusal> {
    let text = std::str::from_utf8(body).map_err(|_| refuse("InvalidContent", "not UTF-8"))?;
    let doc = xml::parse(text).map_err(|e| refuse("InvalidContent", e.to_string()))?;
    if !doc.is(SOAP, "Envelope") || doc.child(SOAP, "Header").is_none() {
        return Err(refuse(
            "SignatureVerificationFault",
            "PoorSOAPEnvelopeFormat: no soap:Header",
        ));
    }
    let op = doc
        .child(SOAP, "Body")
        .and_then(|b| b.elements().next())
        .ok_or_else(|| refuse("InvalidContent", "an empty soap:Body"))?;
    let types = op.ns.clone().unwrap_or_default();
    let Some(v) = Version::of_types(&types) else {
        return Err(refuse(
            "InvalidContent",
            format!("unknown namespace {types}"),
        ));
    };
    let basic = v.basic();
    if let Some(x) = &sim.schemas {
        x.validate(v, op)
            .map_err(|e| refuse("InvalidContent", format!("ValidationError: {e}")))?;
        sim.lock().state.validated += 1;
    }
    let expected = format!("{action}Request");
    if op.local != expected {
        return Err(refuse(
            "InvalidContent",
            format!("SOAPAction {action} with body {}", op.local),
        ));
    }
    let target = signed_element(op, &types, &basic)
        .ok_or_else(|| refuse("InvalidContent", "the element to sign is missing"))?;
    let sig = op
        .child(&types, "CallerInformationSystemSignature")
        .ok_or_else(|| refuse("SignatureVerificationFault", "NoSignatureFound"))?;
    if op.elements().last().map(|e| e.local.as_str()) != Some("CallerInformationSystemSignature") {
        return Err(refuse(
            "InvalidContent",
            "CallerInformationSystemSignature is not last",
        ));
    }
    let verified = dsig::verify_in(&doc, sig).map_err(|e| {
        refuse(
            "SignatureVerificationFault",
            format!("SignatureIsInvalid: {e}"),
        )
    })?;
    if target.attr("Id") != Some(verified.reference.as_str()) {
        return Err(refuse(
            "SignatureVerificationFault",
            "IncorrectSignatureTarget",
        ));
    }
    let poisoned = {
        let mut g = sim.lock();
        let body = g
            .poison
            .iter()
            .find(|p| p.queue == action)
            .map(|p| p.body.clone());
        if body.is_some() {
            g.state.poison_given += 1;
        }
        body
    };
    if let Some(body) = poisoned {
        return Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            body,
        )
            .into_response());
    }
    match action {
        "SendRequest" => consumer::send_request(sim, &doc, target, &types, &basic),
        "GetResponse" => Ok(consumer::get_response(sim)),
        "GetStatus" => Ok(consumer::get_status(sim)),
        "GetRequest" => Ok(provider::get_request(sim)),
        "SendResponse" => provider::send_response(sim, &doc, op, target, &types, &basic),
        "Ack" => ack(sim, target),
        other => Err(refuse(
            "InvalidContent",
            format!("{other} is not simulated"),
        )),
    }
}

fn empty(op: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP}\"><soap:Body><tns:{op} xmlns:tns=\"{}\"/></soap:Body></soap:Envelope>",
        Version::V1_1.types()
    )
}

fn ack(sim: &Sim, target: &Element) -> Result<Response, Refusal> {
    let id = target.text().trim().to_string();
    let accepted = target.attr("accepted") != Some("false");
    let mut g = sim.lock();
    let g = &mut *g;
    // A message delivered twice on purpose stays for its second delivery.
    if let Some(i) = g.poison.iter().position(|p| p.message_id == id) {
        g.poison.remove(i);
    } else if let Some(i) = g.queue.iter().position(|q| q.message_id == id) {
        if !std::mem::take(&mut g.queue[i].again) {
            g.queue.remove(i);
        }
    } else if let Some(i) = g.offers.iter().position(|q| q.message_id == id) {
        if !std::mem::take(&mut g.offers[i].again) {
            g.offers.remove(i);
        }
    } else {
        return Err(refuse(
            "TargetMessageIsNotFound",
            format!("no message {id}"),
        ));
    }
    if accepted {
        g.state.acked.push(id);
    } else {
        g.state.rejected_acks.push(id);
    }
    Ok(mtom(empty("AckResponse"), &[]))
}

/// Serves the simulator on `listener` until `stop` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    sim: Arc<Sim>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(sim))
        .with_graceful_shutdown(stop)
        .await
}
