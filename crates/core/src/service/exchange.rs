//! The SMEV exchange as operations of the node. Staff send a request: it is checked, given
//! its MessageID and put in the outbox as an intent in one transaction («Запрос готов к
//! отправке»). The worker builds and signs its envelope outside any write transaction,
//! keeps the signed bytes (`exchange_prepared`) before the first attempt, and sends those
//! same bytes on every attempt. It then reports what became of each outbox message and hands over
//! every message it receives; each report is one transaction, committed before the worker
//! tells SMEV anything (an Ack), so a crash between the two only makes SMEV deliver again,
//! and the journal of received messages recognises the repeat.
//!
//! The worker keeps no state of its own: after a restart the outbox and the statuses here
//! are all it needs.

use super::formats::{Exchange, RequestContext, RequestError};
use super::personal::{self, PersonalKey, Presigned};
use super::{Actor, Error, Node, Result, W, files};
use std::sync::Arc;
use volost_domain::received::{AsyncStatus, Content, Received};
use volost_domain::*;
use volost_store::records::{inbox_message_key, out_message_key};
use volost_store::{Read, Record, tables};

/// The node itself, when no body is known yet (a message nobody's request matches).
const NODE: OrgId = OrgId(0);

use super::provider::{MAX_RECEIVED_FILE, Refusal};

/// What became of one attempt to send an outbox message.
#[derive(Clone, Debug, PartialEq)]
pub enum SendOutcome {
    /// SMEV took it; `status` is its interaction status (`requestIsQueued`, …).
    Accepted {
        status: Option<String>,
        note: Option<String>,
    },
    /// A transport failure or SMEV's own trouble: try again at `next` (unix ms).
    Retry { error: String, next: Ts },
    /// SMEV refused it, or the worker gave up: it will not be sent as it stands.
    Refused { reason: String },
}

/// A message the worker took from a queue.
pub enum Inbound<'a> {
    /// A response (GetResponse) or a request to this node (GetRequest).
    Message(&'a Received),
    /// One of SMEV's own notices (GetStatus).
    Notice {
        status: &'a AsyncStatus,
        signature: &'a std::result::Result<String, String>,
    },
    /// Bytes the worker could not read as a message: why, in English, and the id found in
    /// them (by the adapter), under which it is kept once.
    Unreadable {
        why: &'a str,
        message_id: Option<&'a str>,
    },
}

/// What the node made of a received message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// It moved a request on; the words say how (English, for the log).
    Applied(String),
    /// The same message was received before; nothing changed. `refused`: that first copy was
    /// not taken for its SMEV signature (and SMEV was told so), so this one is refused too —
    /// a repeat is answered as the message was, whatever this copy's own signature.
    Duplicate { refused: bool },
    /// Kept in the journal for inspection and not taken as good; why.
    Kept(String),
}

/// The reason a message is kept, not taken, when its SMEV signature fails.
const SIGNATURE_KEPT: &str = "SMEV signature";

/// A message kept, not taken, for its SMEV signature.
pub(super) fn signature_kept(e: impl std::fmt::Display) -> Receipt {
    Receipt::Kept(format!("{SIGNATURE_KEPT}: {e}"))
}

/// A MIME type from a file name, for the attachment header SMEV checks against
/// `(text|image|audio|video|application)/…`.
pub(super) fn mime_of(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "txt" => "text/plain",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "tif" | "tiff" => "image/tiff",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "sig" | "p7s" => "application/pkcs7-signature",
        _ => "application/octet-stream",
    }
}

/// A new MessageID: an RFC 4122 version 1 UUID in lower case (brief §6), which is what
/// SMEV accepts. The node part is random per process, as RFC 4122 allows when no MAC
/// address is to be disclosed.
pub fn new_message_id() -> String {
    use std::sync::OnceLock;
    static NODE: OnceLock<[u8; 6]> = OnceLock::new();
    let node = NODE.get_or_init(|| {
        let mut n: [u8; 6] = rand::random();
        // The multicast bit marks a node id that is not a MAC address.
        n[0] |= 0x01;
        n
    });
    uuid::Uuid::now_v1(node).hyphenated().to_string()
}

/// The exchange, or the refusal staff see when it is off or its key cannot sign now: what
/// a staff member's sending or answering asks first.
pub(super) fn profile(w: &W, what: &str) -> Result<Arc<Exchange>> {
    let x = profile_on(w, what)?;
    can_sign(&x)?;
    Ok(x)
}

/// The exchange, or the refusal when it is off. What the node queues by itself (a refusal
/// of a message it received, a status to the portal) asks only this: receiving goes on
/// whatever the key, and the worker says in its log why it cannot sign.
pub(super) fn profile_on(w: &W, what: &str) -> Result<Arc<Exchange>> {
    w.exchange.clone().ok_or_else(|| exchange_off(what))
}

/// The node's key may sign now; or the refusal, before anything is queued.
pub(super) fn can_sign(x: &Exchange) -> Result<()> {
    x.formats.can_sign().map_err(Error::Conflict)
}

fn exchange_off(what: &str) -> Error {
    Error::NotAllowed(format!(
        "Обмен со СМЭВ на этом узле не настроен: {what} сохранён, но отправить его \
         нельзя. Обратитесь к администратору."
    ))
}

/// The business element request `req` of kind `k` sends for body `org`, from its checked
/// form, validated against the kind's package: built before the write that queues it.
fn outgoing_business(
    x: &Exchange,
    (k, org): (&RequestKind, &Org),
    req: &OutgoingRequest,
    now: time::OffsetDateTime,
) -> Result<super::Outgoing> {
    super::applications::check_form(&k.fields, &req.data)?;
    let cx = RequestContext {
        number: &req.number,
        now,
        body: org,
    };
    x.formats
        .request(k, &req.data, &cx, k.sign_personal)
        .map_err(|e| match e {
            RequestError::Form(m) => Error::invalid("Запрос не отправлен", m),
            RequestError::Kind(m) => misconfigured(k, &m),
        })
}

/// A request's element built outside the write, with what it was built from: the write
/// takes it only when the request and its kind are still those.
pub(super) struct Built {
    business: String,
    packet: Option<Packet>,
    data: std::collections::BTreeMap<String, String>,
    kind: RequestKind,
    pre: Option<Presigned>,
}

/// A kind whose business element cannot be written: its configuration is wrong.
pub(super) fn misconfigured(k: &RequestKind, why: &str) -> Error {
    Error::NotAllowed(format!("Вид сведений «{}» настроен неверно: {why}", k.name))
}

fn submit(w: &mut W, id: OutReqId, built: &Built) -> Result<OutgoingRequest> {
    w.who.require("outgoing.submit", Right::Interagency)?;
    let mut req: OutgoingRequest = w.load(id.0)?;
    if out_transition(req.status, OutEvent::Prepared).is_none() {
        return Err(Error::InvalidTransition {
            from: req.status.label(),
            action: "Отправить",
        });
    }
    let k: RequestKind = w.load(req.kind.0)?;
    if req.data != built.data || k != built.kind {
        return Err(Error::Conflict(
            "Запрос или вид сведений изменились, пока запрос готовился к отправке: повторите"
                .into(),
        ));
    }
    let body = built.business.clone();
    let personal_signature = personal::signature_for(&k, &body, built.pre.as_ref())?;
    // Files bound to a form field travel under the field's key, the rest as fileN.
    let message_files: Vec<MessageFile> =
        super::provider::attachments(w, FileOwner::Outgoing(id), None)?
            .into_iter()
            .map(|(f, _)| f)
            .collect();
    let message_id = queue_request(
        w,
        (req.org, Outbound::Request(id)),
        &body,
        personal_signature.as_deref(),
        &message_files,
        built.packet.clone(),
    )?;
    req.message_id = Some(message_id.clone());
    req.error = None;
    req.personal.signed_by = personal_signature
        .is_some()
        .then(|| built.pre.as_ref().map(|s| s.subject.clone()))
        .flatten();
    w.tx.put(&req)?;
    let mut detail = format!("MessageID {message_id}");
    if !message_files.is_empty() {
        detail.push_str(&format!(", файлов: {}", message_files.len()));
    }
    if let Some(by) = &req.personal.signed_by {
        detail.push_str(&format!(", ЭП-СП: {by}"));
    }
    super::requests::out_event(w, id, OutEvent::Prepared, &detail)
}

/// Commits a SendRequest of `business` (with its ЭП-СП and files) to the outbox for `org`
/// under a new MessageID; returns the MessageID. The exchange's runner builds and signs the
/// envelope, outside this transaction.
pub(super) fn queue_request(
    w: &mut W,
    (org, what): (OrgId, Outbound),
    business: &str,
    personal_signature: Option<&str>,
    files: &[MessageFile],
    packet: Option<Packet>,
) -> Result<String> {
    let message_id = new_message_id();
    let intent = match packet {
        None => Intent::Request {
            business: business.into(),
            personal_signature: personal_signature.map(str::to_string),
            files: files.to_vec(),
        },
        Some(packet) => Intent::RequestWithPacket {
            business: business.into(),
            personal_signature: personal_signature.map(str::to_string),
            files: files.to_vec(),
            packet,
        },
    };
    enqueue(w, org, what, &message_id, OutBody::Intent(intent))?;
    Ok(message_id)
}

/// Commits a message to the outbox, due at once.
pub(super) fn enqueue(
    w: &mut W,
    org: OrgId,
    what: Outbound,
    message_id: &str,
    body: OutBody,
) -> Result<OutboxItem> {
    let item = OutboxItem {
        id: w.tx.next_id(OutboxItem::KIND)?,
        org,
        what,
        message_id: message_id.into(),
        body,
        attempts: 0,
        created: w.now,
        next_attempt: w.now,
        last_error: None,
    };
    w.tx.put(&item)?;
    w.target("outbox", item.id);
    Ok(item)
}

/// The outgoing request whose MessageID is `message_id`, if any.
fn outgoing_by_message(t: &impl Read, message_id: &str) -> Result<Option<OutgoingRequest>> {
    super::list::first_with_prefix(t, &out_message_key(message_id).0)
}

pub(super) fn outbox_of(t: &impl Read, message_id: &str) -> Result<Option<OutboxItem>> {
    let mut found = None;
    t.scan_rows(tables::OUTBOX, 0, &mut |_, v| {
        let item = OutboxItem::decode(v)?;
        if item.message_id == message_id {
            found = Some(item);
            return Ok(false);
        }
        Ok(true)
    })?;
    Ok(found)
}

/// Acts for the body that owns `org`'s rows from here on in this transaction.
fn act_for(w: &mut W, org: OrgId) {
    w.who.org = org;
}

/// Moves `req` by `ev` unless the lifecycle forbids it, in which case the event only goes
/// into its history; returns whether it moved.
fn move_or_note(w: &mut W, req: &OutgoingRequest, ev: OutEvent, detail: &str) -> Result<bool> {
    if out_transition(req.status, ev).is_some() {
        super::requests::out_event(w, req.id, ev, detail)?;
        Ok(true)
    } else {
        w.history(
            Entity::Outgoing,
            req.id.0,
            "Сообщение СМЭВ не изменило статус",
            format!("в статусе «{}»: {detail}", req.status.label()),
        )?;
        Ok(false)
    }
}

/// A response to one of our requests, applied to it. Each exchange answers only what went
/// through it: regional requests the regional one, the others SMEV.
fn apply_response(w: &mut W, channel: Channel, m: &Received) -> Result<Receipt> {
    let Some(orig) = m.original_id.as_deref() else {
        return Ok(Receipt::Kept("a response without OriginalMessageId".into()));
    };
    if channel == Channel::Regional {
        return match super::regional::by_message(&w.tx, orig)? {
            Some(r) => super::regional::apply_response(w, m, r),
            None => Ok(Receipt::Kept(format!(
                "no regional request has MessageID {orig}"
            ))),
        };
    }
    let Some(mut req) = outgoing_by_message(&w.tx, orig)? else {
        return Ok(Receipt::Kept(format!("no request has MessageID {orig}")));
    };
    act_for(w, req.org);
    w.target("outgoing_request", req.id);
    if let Err(e) = &m.smev_signature {
        let why = format!("подпись СМЭВ под ответом не принята: {e}");
        move_or_note(w, &req, OutEvent::Error, &why)?;
        return Ok(signature_kept(e));
    }
    if req.status == OutStatus::Ready {
        // SMEV took the request although its reply to SendRequest was lost: an answer can
        // only follow a message that went through.
        if let Some(item) = outbox_of(&w.tx, orig)? {
            w.tx.delete::<OutboxItem>(item.id)?;
        }
        req = super::requests::out_event(w, req.id, OutEvent::Sent, "СМЭВ приняла запрос")?;
    }
    let k: RequestKind =
        w.tx.get(req.kind.0)?
            .ok_or_else(|| Error::not_found("request_kind", req.kind))?;
    match &m.content {
        Content::Primary(body) => {
            let packaged = super::packages::has_package(&w.tx, &k.code)?;
            let parsed = super::answers::judge(body, &k, packaged);
            let answer = match parsed {
                Ok(a) => a,
                Err(why) => {
                    if packaged {
                        // Kept whole where staff can open it and support can read why.
                        super::answers::keep(w, &req, &body.raw)?;
                    }
                    let detail = format!("ответ не соответствует виду сведений: {why}");
                    move_or_note(w, &req, OutEvent::Error, &detail)?;
                    return Ok(Receipt::Kept(format!("invalid answer: {why}")));
                }
            };
            if out_transition(req.status, OutEvent::AnswerReceived).is_none() {
                move_or_note(w, &req, OutEvent::AnswerReceived, "ответ получен повторно")?;
                return Ok(Receipt::Kept(format!(
                    "an answer to request {} in status {:?}",
                    req.number, req.status
                )));
            }
            let verdict = m.personal_signature.clone();
            if let Some(v) = verdict.as_ref().filter(|v| !v.valid) {
                // An answer whose signer cannot be trusted is not taken as the answer; the
                // verdict stays on the card for staff to see why.
                req.personal.received = Some(v.clone());
                w.tx.put(&req)?;
                let detail = format!("ЭП-СП ответа: {}", v.problem());
                move_or_note(w, &req, OutEvent::Error, &detail)?;
                return Ok(Receipt::Kept(format!(
                    "a bad personal signature: {}",
                    v.reason
                )));
            }
            // The files first: once the request is answered its files no longer change.
            for f in &m.files {
                let name = if file_name(&f.id).is_ok() {
                    f.id.clone()
                } else {
                    format!("вложение-{}", f.bytes.len())
                };
                files::store(
                    w,
                    Some(FileOwner::Outgoing(req.id)),
                    &name,
                    &f.bytes,
                    MAX_RECEIVED_FILE,
                )?;
            }
            if packaged {
                super::answers::keep(w, &req, &body.raw)?;
            }
            req.answer = answer;
            req.updated = w.now;
            req.personal.received = verdict;
            w.tx.put(&req)?;
            let mut detail = format!("от {}", sender(m));
            if let Some(v) = &req.personal.received {
                detail.push_str("; ");
                detail.push_str(&v.note());
            }
            super::requests::out_event(w, req.id, OutEvent::AnswerReceived, &detail)?;
            Ok(Receipt::Applied(format!("answer to {}", req.number)))
        }
        Content::Status {
            code, description, ..
        } => {
            let detail = format!("статус {code}: {description}");
            if req.status == OutStatus::Sent {
                super::requests::out_event(w, req.id, OutEvent::AcceptedByAgency, &detail)?;
            } else {
                w.history(Entity::Outgoing, req.id.0, "Статус от ведомства", detail)?;
            }
            Ok(Receipt::Applied(format!("status {code} of {}", req.number)))
        }
        Content::Rejected(reasons) => {
            let detail = rejection(reasons);
            move_or_note(w, &req, OutEvent::RejectedByAgency, &detail)?;
            Ok(Receipt::Applied(format!("rejection of {}", req.number)))
        }
        Content::Async(st) => notice(w, &req, st),
        Content::Cancel(_) => Ok(Receipt::Kept("a Cancel in a response queue".into())),
    }
}

/// A response whose content the node could not take (a file it cannot store, say): kept in
/// the journal, and the request it answers learns why, so that the exchange goes on.
fn response_refused(w: &mut W, m: &Received, r: &Refusal) -> Result<Receipt> {
    let orig = m.original_id.as_deref().unwrap_or_default();
    let detail = format!("ответ не принят: {}", r.why);
    if let Some(req) = outgoing_by_message(&w.tx, orig)? {
        act_for(w, req.org);
        w.target("outgoing_request", req.id);
        move_or_note(w, &req, OutEvent::Error, &detail)?;
    } else if let Some(q) = super::regional::by_message(&w.tx, orig)? {
        act_for(w, q.org);
        w.target("regional_request", q.id);
        w.history(Entity::Regional, q.id.0, "Ответ отклонён", detail)?;
    }
    Ok(Receipt::Kept(format!("refused: {}", r.why)))
}

/// SMEV's status code in the words of its schema, for staff (the code stays in the log).
pub(super) fn status_words(w: &W, code: &str) -> String {
    w.exchange
        .as_ref()
        .map_or_else(|| code.to_string(), |x| x.formats.status_words(code))
}

/// An exchange's notice in words for the history, and whether it refuses the message.
pub(super) fn notice_words(w: &W, channel: Channel, st: &AsyncStatus) -> (String, bool) {
    let mut detail = format!("{}: {}", channel.label(), status_words(w, &st.category));
    if !st.details.is_empty() {
        detail.push_str(&format!(" — {}", st.details));
    }
    if let Some((code, d)) = &st.fault {
        detail.push_str(&format!(" ({code} {d})"));
    }
    let refused = st.category.ends_with("IsRejectedBySmev") || st.fault.is_some();
    (detail, refused)
}

/// A provider's `RequestRejected` reasons in words: «сведения не найдены: …; …».
pub(super) fn rejection(reasons: &[(String, String)]) -> String {
    reasons
        .iter()
        .map(|(c, d)| {
            let label = RejectCode::parse(c).map_or(c.as_str(), |c| c.label());
            format!("{label}: {d}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn sender(m: &Received) -> String {
    m.sender.clone()
}

/// What became of a SendResponse goes into the history of what it answered.
fn response_sent(w: &mut W, what: Outbound, outcome: &SendOutcome) -> Result<()> {
    let (e, id) = match what {
        Outbound::Response(i) => (Entity::Incoming, i.0),
        Outbound::PortalStatus(a) => (Entity::Application, a.0),
        Outbound::RegionalRequest(_) | Outbound::RegionalAnswer(_) => {
            return super::regional::sent(w, what, outcome);
        }
        Outbound::Request(_) | Outbound::Refusal | Outbound::RegionalRefusal => return Ok(()),
    };
    match outcome {
        SendOutcome::Accepted { status, .. } => {
            let words = status
                .as_deref()
                .map(|s| status_words(w, s))
                .unwrap_or_default();
            w.history(e, id, "СМЭВ приняла ответ", words)
        }
        SendOutcome::Refused { reason } => w.history(e, id, "Ответ не отправлен", reason.clone()),
        SendOutcome::Retry { .. } => Ok(()),
    }
}

/// SMEV's own word on a request: a refusal is an error of the request; anything else is
/// only noted.
fn notice(w: &mut W, req: &OutgoingRequest, st: &AsyncStatus) -> Result<Receipt> {
    let (detail, refused) = notice_words(w, Channel::Federal, st);
    if refused {
        move_or_note(w, req, OutEvent::Error, &detail)?;
    } else {
        w.history(Entity::Outgoing, req.id.0, "Уведомление СМЭВ", detail)?;
    }
    Ok(Receipt::Applied(format!(
        "SMEV notice {} on {}",
        st.category, req.number
    )))
}

/// Journals and applies one received message. `refused` is set on the second pass over a
/// request whose first pass failed on its content (see [`Node::exchange_receive`]).
fn receive(
    w: &mut W,
    channel: Channel,
    call: &str,
    raw: &[u8],
    inbound: &Inbound,
    refused: Option<&Refusal>,
) -> Result<Receipt> {
    let key = match inbound {
        Inbound::Message(m) if !m.message_id.is_empty() => m.message_id.clone(),
        Inbound::Unreadable {
            message_id: Some(id),
            ..
        } => (*id).to_string(),
        // Notices and unreadable bytes carry no id of their own: their digest is one.
        _ => format!("sha256:{}", &volost_store::sha256_hex(raw)[..40]),
    };
    let seen = super::list::ids_with_prefix(&w.tx, &inbox_message_key(&key).0, 1)?;
    if let Some(first) = seen.first() {
        // Repeats are not journalled, so the one entry is the first copy's.
        let refused =
            w.tx.get::<InboxEntry>(*first)?
                .is_some_and(|e| e.verdict.starts_with(&format!("kept: {SIGNATURE_KEPT}")));
        return Ok(Receipt::Duplicate { refused });
    }
    let receipt = match inbound {
        Inbound::Unreadable { why, .. } => Receipt::Kept(format!("unreadable: {why}")),
        Inbound::Notice { status, signature } => match signature {
            Err(e) => signature_kept(e),
            Ok(_) if channel == Channel::Regional => {
                match super::regional::by_message(&w.tx, &status.original_id)? {
                    Some(r) => super::regional::notice(w, r, status)?,
                    None => Receipt::Kept(format!(
                        "a notice about unknown MessageID {}",
                        status.original_id
                    )),
                }
            }
            Ok(_) => match outgoing_by_message(&w.tx, &status.original_id)? {
                None => Receipt::Kept(format!(
                    "a notice about unknown MessageID {}",
                    status.original_id
                )),
                Some(req) => {
                    act_for(w, req.org);
                    w.target("outgoing_request", req.id);
                    notice(w, &req, status)?
                }
            },
        },
        // The request queue holds requests and their withdrawals; the response queue,
        // answers to ours.
        Inbound::Message(m) if call == "GetRequest" => {
            super::provider::take(w, channel, m, refused)?
        }
        Inbound::Message(m) => match refused {
            Some(r) => response_refused(w, m, r)?,
            None => apply_response(w, channel, m)?,
        },
    };
    let id = w.tx.next_id(InboxEntry::KIND)?;
    let verdict = match &receipt {
        Receipt::Applied(s) => format!("applied: {s}"),
        Receipt::Kept(s) => format!("kept: {s}"),
        Receipt::Duplicate { .. } => "duplicate".into(),
    };
    w.tx.put(&InboxEntry {
        id,
        received: w.now,
        call: match channel {
            Channel::Federal => call.into(),
            Channel::Regional => format!("{call} ({})", channel.label()),
        },
        message_id: key,
        verdict,
        size: raw.len() as u64,
    })?;
    w.tx.put_raw(tables::INBOX_DATA, id, raw)?;
    w.target("inbox", id);
    Ok(receipt)
}

fn inbound_id(i: &Inbound) -> String {
    match i {
        Inbound::Message(m) => m.message_id.clone(),
        _ => String::new(),
    }
}

impl Node {
    /// «Отправить»: checks the request, gives it its MessageID and puts it in the outbox
    /// («Запрос готов к отправке»); the worker signs it with the node's key and sends it.
    /// A kind that asks for ЭП-СП needs the employee's `key`, opened with their PIN; without it the call fails
    /// with `PinRequired` and changes nothing.
    pub fn submit_outgoing(
        &self,
        actor: Actor,
        id: OutReqId,
        key: Option<&dyn PersonalKey>,
    ) -> Result<OutgoingRequest> {
        // The element is built and validated, and the ЭП-СП made over it, before the write
        // transaction; the write takes them when nothing changed in between.
        let built = self.read(actor, |r| {
            r.who.require("outgoing.submit", Right::Interagency)?;
            let x = self
                .exchange
                .get()
                .cloned()
                .ok_or_else(|| exchange_off("запрос"))?;
            can_sign(&x)?;
            let req: OutgoingRequest = r.load(id.0)?;
            if out_transition(req.status, OutEvent::Prepared).is_none() {
                return Err(Error::InvalidTransition {
                    from: req.status.label(),
                    action: "Отправить",
                });
            }
            let k: RequestKind = r.load(req.kind.0)?;
            let org: Org =
                r.rx.get(req.org.0)?
                    .ok_or_else(|| Error::not_found("org", req.org))?;
            let out = outgoing_business(&x, (&k, &org), &req, r.local_now())?;
            Ok(Built {
                business: out.business,
                packet: out.packet,
                data: req.data,
                kind: k,
                pre: None,
            })
        })?;
        let built = match key {
            Some(s) if built.kind.sign_personal => {
                let pre = personal::presign(s, built.business.clone())?;
                Built {
                    pre: Some(pre),
                    ..built
                }
            }
            _ => built,
        };
        self.write(actor, "outgoing.submit", |w| submit(w, id, &built))
    }

    /// «Вернуть в работу»: a request that was not sent or met an error goes back to
    /// «Запрос сформирован»; sending it again gives it a new MessageID.
    pub fn reopen_outgoing(&self, actor: Actor, id: OutReqId) -> Result<OutgoingRequest> {
        self.write(actor, "outgoing.reopen", |w| {
            w.who.require("outgoing.reopen", Right::Interagency)?;
            w.who.person()?;
            let req: OutgoingRequest = w.load(id.0)?;
            if !matches!(req.status, OutStatus::NotSent | OutStatus::Error) {
                return Err(Error::InvalidTransition {
                    from: req.status.label(),
                    action: "Вернуть в работу",
                });
            }
            super::requests::out_event(w, id, OutEvent::Reopen, "")
        })
    }

    /// The outbox messages of `channel` due at `now`, oldest first: what the worker sends
    /// next; and when the next of the others falls due.
    pub fn exchange_due(&self, channel: Channel, now: Ts) -> Result<(Vec<OutboxItem>, Option<Ts>)> {
        let rx = self.store().read()?;
        let mut due = Vec::new();
        let mut later: Option<Ts> = None;
        rx.scan_rows(tables::OUTBOX, 0, &mut |_, v| {
            let item = OutboxItem::decode(v)?;
            if item.what.channel() != channel {
                return Ok(true);
            }
            if item.next_attempt <= now {
                due.push(item);
            } else if later.is_none_or(|t| item.next_attempt < t) {
                later = Some(item.next_attempt);
            }
            Ok(true)
        })?;
        Ok((due, later))
    }

    /// Outbox message `id` as it is now, with the bytes of its files when it is still an
    /// intent (in the intent's order): what the exchange's runner needs to build it. `None`
    /// when it is gone (an answer that arrived first settled it).
    pub fn exchange_intent(&self, id: u64) -> Result<Option<(OutboxItem, Vec<Vec<u8>>)>> {
        let rx = self.store().read()?;
        let Some(item) = rx.get::<OutboxItem>(id)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        if let OutBody::Intent(
            Intent::Request { files, .. }
            | Intent::Response { files, .. }
            | Intent::RequestWithPacket { files, .. },
        ) = &item.body
        {
            for f in files {
                bytes.push(
                    rx.get_raw(tables::FILE_DATA, f.file.0)?
                        .ok_or_else(|| Error::Internal(format!("file {} has no data", f.file)))?,
                );
            }
        }
        Ok(Some((item, bytes)))
    }

    /// The runner signed outbox message `item`: its envelope is kept and is what every
    /// attempt sends. Answers the message as it is now (`None`: it is gone).
    pub fn exchange_prepared(
        &self,
        item: &OutboxItem,
        envelope: &str,
    ) -> Result<Option<OutboxItem>> {
        self.write(Actor::System(item.org), "smev.prepared", |w| {
            let Some(mut it) = w.tx.get::<OutboxItem>(item.id)? else {
                return Ok(None);
            };
            // Signed before, by a runner that got here first: those bytes stand.
            if let OutBody::Intent(_) = it.body {
                it.body = OutBody::Signed(envelope.to_string());
                w.tx.put(&it)?;
                w.target("outbox", it.id);
            }
            Ok(Some(it))
        })
    }

    /// Every message in the outbox (for `/health` and the tests).
    pub fn exchange_outbox(&self) -> Result<Vec<OutboxItem>> {
        Ok(self.store().read()?.all::<OutboxItem>()?)
    }

    /// The worker reports what became of one attempt to send outbox message `item`.
    pub fn exchange_sent(&self, item: &OutboxItem, outcome: &SendOutcome) -> Result<()> {
        self.write(Actor::System(item.org), "smev.sent", |w| {
            // Gone already: an answer that arrived first settled it.
            let Some(mut it) = w.tx.get::<OutboxItem>(item.id)? else {
                return Ok(());
            };
            w.target("outbox", it.id);
            match outcome {
                SendOutcome::Retry { error, next } => {
                    it.attempts += 1;
                    it.last_error = Some(error.clone());
                    it.next_attempt = *next;
                    w.tx.put(&it)?;
                    return Ok(());
                }
                SendOutcome::Accepted { .. } | SendOutcome::Refused { .. } => {
                    w.tx.delete::<OutboxItem>(it.id)?;
                }
            }
            let id = match it.what {
                Outbound::Request(id) => id,
                other => return response_sent(w, other, outcome),
            };
            let req: OutgoingRequest = w.load(id.0)?;
            match outcome {
                SendOutcome::Accepted { status, note } => {
                    let mut detail = match status {
                        Some(s) => format!("СМЭВ: {}", status_words(w, s)),
                        None => "СМЭВ приняла запрос".into(),
                    };
                    if let Some(n) = note {
                        detail.push_str(&format!("; {n}"));
                    }
                    move_or_note(w, &req, OutEvent::Sent, &detail)?;
                }
                SendOutcome::Refused { reason } => {
                    move_or_note(w, &req, OutEvent::NotSent, reason)?;
                }
                SendOutcome::Retry { .. } => {}
            }
            Ok(())
        })
    }

    /// The worker of `channel` hands over a message received by `call`, with its bytes as
    /// they came.
    /// It is journalled and applied in one transaction; the worker Acks only after this.
    ///
    /// A request whose content the node refuses (an unknown type, a form that does not
    /// pass) leaves nothing of itself: that transaction is dropped, and a second one
    /// journals the message and queues a `RequestRejected` saying why.
    pub fn exchange_receive(
        &self,
        channel: Channel,
        call: &str,
        raw: &[u8],
        inbound: &Inbound,
    ) -> Result<Receipt> {
        let first = self.write(Actor::System(NODE), "smev.receive", |w| {
            receive(w, channel, call, raw, inbound, None)
        });
        // A request is answered with the refusal; a response is kept and its request told.
        let refusal = match (&first, inbound) {
            (Err(e), Inbound::Message(_)) => Refusal::of(e),
            _ => None,
        };
        match refusal {
            Some(r) => {
                tracing::warn!(message_id = %inbound_id(inbound), "message refused: {}", r.why);
                self.write(Actor::System(NODE), "smev.refuse", |w| {
                    receive(w, channel, call, raw, inbound, Some(&r))
                })
            }
            None => first,
        }
    }

    /// The journal of received messages, newest first, and the bytes of one of them.
    pub fn exchange_inbox(&self, limit: usize) -> Result<Vec<InboxEntry>> {
        let mut all = self.store().read()?.all::<InboxEntry>()?;
        all.reverse();
        all.truncate(limit);
        Ok(all)
    }

    /// The received messages that could not be read (and were refused to SMEV), newest first.
    pub fn exchange_unreadable(&self, limit: usize) -> Result<Vec<InboxEntry>> {
        let mut out = Vec::new();
        let rx = self.store().read()?;
        for e in rx.all::<InboxEntry>()?.into_iter().rev() {
            if out.len() >= limit {
                break;
            }
            if e.verdict.starts_with("kept: unreadable") {
                out.push(e);
            }
        }
        Ok(out)
    }

    pub fn exchange_inbox_bytes(&self, id: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.store().read()?.get_raw(tables::INBOX_DATA, id)?)
    }

    /// Counts for `/health` and `/metrics`: messages waiting in the outbox and the oldest
    /// one's first save (unix ms).
    pub fn exchange_backlog(&self) -> Result<(u64, Option<Ts>)> {
        let rx = self.store().read()?;
        let n = rx.count_rows(tables::OUTBOX)?;
        // Ids grow with time, so the first row is the oldest: one decode, not n.
        let mut oldest = None;
        rx.scan_rows(tables::OUTBOX, 0, &mut |_, v| {
            oldest = Some(OutboxItem::decode(v)?.created);
            Ok(false)
        })?;
        Ok((n, oldest))
    }
}
