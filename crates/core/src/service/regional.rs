//! «Запросы Р-сведений»: the universal request between bodies of a region (DOMAIN.md).
//!
//! A request to a body on this node is delivered at once: both bodies see the one row. A
//! request to a body of the regional directory (`[smev] regional_bodies`) travels over the
//! regional exchange (РСМЭВ), which speaks SMEV 3 at an endpoint of its own: «Отправить»
//! signs it (ЭП-ОВ, and ЭП-СП when the employee gives a PIN) and commits it to the same
//! outbox as SMEV messages; the worker of the regional channel sends it, and the answer
//! comes back through GetResponse. A request from a body elsewhere comes through
//! GetRequest, is held by the body it names by ИНН, and its answer («Исполнить») goes
//! back to its `ReplyTo`. Statuses stay Новый → Исполнено; how far the message has got is
//! [`RemoteState`], beside them.

use super::exchange::{Receipt, sender};
use super::formats::Exchange;
use super::list::{self, Cursor, Page, Span};
use super::personal::{self, PersonalKey, Presigned};
use super::provider::{
    MAX_RECEIVED_FILE, attachments, default_name, message_files, queue, route_of,
};
use super::{Actor, Error, Node, Result, W, files, history};
use std::sync::Arc;
pub use volost_api::view::RegionalInput;
use volost_domain::Answer as ResponseContent;
use volost_domain::received::RegionalMessage;
use volost_domain::received::{AsyncStatus, Business, Content, Reading, Received};
use volost_domain::*;
use volost_store::records::{reg_list_prefix, reg_message_key};
use volost_store::{Read, Record};

/// The profile with the regional exchange on, or the refusal staff see.
fn regional_profile(w: &W) -> Result<(Arc<Exchange>, Vec<RegionalBody>)> {
    let p = w.exchange.clone();
    match p.as_ref().and_then(|p| p.regional.clone()) {
        Some(dir) => Ok((p.ok_or_else(|| Error::Internal("no profile".into()))?, dir)),
        None => Err(Error::NotAllowed(
            "Региональный обмен (РСМЭВ) на этом узле не настроен: запрос можно направить \
             только органу этого узла. Обратитесь к администратору."
                .into(),
        )),
    }
}

fn load_visible(t: &impl Read, who: OrgId, id: RegReqId) -> Result<RegionalRequest> {
    t.get::<RegionalRequest>(id.0)?
        .filter(|q| q.org == who || q.provider_org == Some(who))
        .ok_or_else(|| Error::not_found("regional_request", id))
}

/// Notes what happened to a regional request in its history without changing its status.
fn note(w: &mut W, id: RegReqId, what: impl Into<String>, detail: impl Into<String>) -> Result<()> {
    w.history(Entity::Regional, id.0, what, detail)
}

/// Records that `req` is now in its status, with `detail`, in its history.
fn moved(w: &mut W, req: &RegionalRequest, detail: impl Into<String>) -> Result<()> {
    w.moved(
        Entity::Regional,
        req.id.0,
        req.status as u8,
        req.status.label(),
        detail,
    )
}

fn set_state(w: &mut W, req: &mut RegionalRequest, state: RemoteState) -> Result<()> {
    if let Some(r) = req.remote.as_mut() {
        r.state = state;
    }
    w.tx.put(&*req)?;
    Ok(())
}

/// What a regional request `req` from body `me` says to the body at the other end.
fn request_message(
    t: &impl Read,
    me: &Org,
    req: &RegionalRequest,
    remote: &Remote,
) -> Result<RegionalMessage> {
    Ok(RegionalMessage {
        sender_name: me.name.clone(),
        sender_inn: me.inn.clone(),
        recipient: remote.body.clone(),
        subject: req.subject.clone(),
        comment: req.comment.clone(),
        files: message_files(t, FileOwner::Regional(req.id), None)?
            .into_iter()
            .map(|(f, name, _)| (f.content_id, name))
            .collect(),
    })
}

fn send(w: &mut W, id: RegReqId, pre: Option<&Presigned>) -> Result<RegionalRequest> {
    w.who.require("regional.send", Right::Regional)?;
    w.who.person()?;
    let mut req: RegionalRequest = w.load(id.0)?;
    let remote = match &req.remote {
        Some(r) if !r.incoming => r.clone(),
        // Our answer to a body elsewhere did not go: it is signed and queued again.
        Some(r) if r.state == RemoteState::AnswerNotSent && req.status == RegStatus::Done => {
            answer_out(w, &mut req)?;
            return Ok(req);
        }
        _ => {
            return Err(Error::NotAllowed(
                "Этот запрос не отправляется через РСМЭВ: получатель на этом узле или \
                 указан только по наименованию"
                    .into(),
            ));
        }
    };
    if req.status != RegStatus::New || !remote.state.sendable() {
        return Err(Error::InvalidTransition {
            from: remote.state.label(),
            action: "Отправить",
        });
    }
    // Refused at once when the regional exchange is off or the key cannot sign; its runner
    // signs later.
    let (x, _) = regional_profile(w)?;
    super::exchange::can_sign(&x)?;
    // Nothing of an earlier sending may still be waiting to go.
    let pending: Vec<u64> =
        w.tx.all::<OutboxItem>()?
            .into_iter()
            .filter(|i| i.what == Outbound::RegionalRequest(id))
            .map(|i| i.id)
            .collect();
    for i in pending {
        w.tx.delete::<OutboxItem>(i)?;
    }
    let me: Org = w.load(req.org.0)?;
    let files = attachments(w, FileOwner::Regional(id), None)?;
    let message = request_message(&w.tx, &me, &req, &remote)?;
    // Signed ЭП-СП when the employee gave a PIN, before this transaction.
    let business = x.formats.regional_request(&message, pre.is_some());
    let personal_signature = pre
        .map(|p| personal::signature_of(&business, Some(p)))
        .transpose()?;
    let message_files: Vec<_> = files.into_iter().map(|(f, _)| f).collect();
    let message_id = super::exchange::queue_request(
        w,
        (req.org, Outbound::RegionalRequest(id)),
        &business,
        personal_signature.as_deref(),
        &message_files,
        None,
    )?;
    let signed_by = pre.map(|s| s.subject.clone());
    let mut earlier = remote.earlier.clone();
    earlier.extend(remote.message_id.clone());
    req.remote = Some(Remote {
        message_id: Some(message_id.clone()),
        state: RemoteState::Queued,
        personal: Personal {
            signed_by: signed_by.clone(),
            received: None,
        },
        earlier,
        ..remote
    });
    w.tx.put(&req)?;
    w.target("regional_request", id);
    let mut detail = format!("получатель {}, MessageID {message_id}", req.provider);
    if !message_files.is_empty() {
        detail.push_str(&format!(", файлов: {}", message_files.len()));
    }
    if let Some(by) = signed_by {
        detail.push_str(&format!(", ЭП-СП: {by}"));
    }
    note(w, id, "Запрос в очереди РСМЭВ", detail)?;
    Ok(req)
}

/// The answer to a request from a body elsewhere goes back to it, with the files the
/// answering body added.
fn answer_out(w: &mut W, req: &mut RegionalRequest) -> Result<()> {
    let Some(route) = route_of(&w.tx, Routed::Regional(req.id))? else {
        return Ok(());
    };
    let own: Vec<String> = files::files_of(&w.tx, FileOwner::Regional(req.id))?
        .into_iter()
        .filter(|f| f.added_by.is_some())
        .map(|f| f.id.0.to_string())
        .collect();
    let files = attachments(w, FileOwner::Regional(req.id), Some(&own))?;
    let names: Vec<(String, String)> = files
        .iter()
        .map(|(f, name)| (f.content_id.clone(), name.clone()))
        .collect();
    let x = super::exchange::profile(w, "ответ")?;
    let business = x.formats.regional_answer(&req.answer, &names);
    let message_files: Vec<_> = files.into_iter().map(|(f, _)| f).collect();
    let id = queue(
        w,
        Outbound::RegionalAnswer(req.id),
        &route.reply_to,
        ResponseContent::Primary {
            business,
            personal_signature: None,
        },
        &message_files,
    )?;
    set_state(w, req, RemoteState::AnswerQueued)?;
    let to = req
        .sent_from_elsewhere()
        .map_or(route.sender.clone(), |b| b.name.clone());
    let mut detail = format!("получатель {to}, MessageID {id}");
    if !message_files.is_empty() {
        detail.push_str(&format!(", файлов: {}", message_files.len()));
    }
    note(w, req.id, "Ответ в очереди РСМЭВ", detail)
}

/// A regional request from a body elsewhere, taken from the regional exchange's GetRequest.
pub(super) fn take(
    w: &mut W,
    m: &Received,
    msg: &RegionalMessage,
    reply_to: &str,
) -> Result<Receipt> {
    let org =
        w.tx.all::<Org>()?
            .into_iter()
            .find(|o| !o.inn.is_empty() && o.inn == msg.recipient.inn)
            .ok_or_else(|| {
                Error::NotAllowed(format!(
                    "Орган с ИНН {} этим узлом не обслуживается",
                    msg.recipient.inn
                ))
            })?;
    if !msg.sender_inn.is_empty() {
        volost_domain::validate::inn(&msg.sender_inn)
            .map_err(|e| Error::invalid("ИНН отправителя", e))?;
    }
    // A body of the directory is named as the directory names it, not as it names itself.
    let sender_name = w
        .exchange
        .as_ref()
        .and_then(|p| p.regional.as_ref())
        .and_then(|dir| dir.iter().find(|b| b.inn == msg.sender_inn))
        .map_or_else(|| msg.sender_name.clone(), |b| b.name.clone());
    let verdict = m.personal_signature.clone();
    if let Some(v) = verdict.as_ref().filter(|v| !v.valid) {
        return Err(Error::NotAllowed(format!("ЭП-СП запроса: {}", v.problem())));
    }
    w.who.org = org.id;
    let req = RegionalRequest {
        id: RegReqId(w.tx.next_id(RegionalRequest::KIND)?),
        org: org.id,
        provider: org.name.clone(),
        provider_org: Some(org.id),
        application: None,
        subject: msg.subject.clone(),
        comment: msg.comment.clone(),
        files: Vec::new(),
        status: RegStatus::New,
        answer: String::new(),
        created_by: UserId(0),
        created: w.now,
        completed: None,
        remote: Some(Remote {
            incoming: true,
            body: RegionalBody {
                name: sender_name.clone(),
                inn: msg.sender_inn.clone(),
                node: String::new(),
            },
            message_id: Some(m.sender_message_id.clone()),
            state: RemoteState::Received,
            personal: Personal {
                signed_by: None,
                received: verdict.clone(),
            },
            earlier: Vec::new(),
        }),
    };
    w.tx.put(&req)?;
    w.target("regional_request", req.id);
    store_files(w, req.id, m, &msg.files)?;
    super::provider::put_route(w, m, Routed::Regional(req.id), reply_to, "")?;
    moved(w, &req, "")?;
    let mut detail = format!(
        "от {} (через {}), MessageID {}",
        msg.sender_name,
        sender(m),
        m.sender_message_id
    );
    if let Some(v) = verdict {
        detail.push_str("; ");
        detail.push_str(&v.note());
    }
    note(w, req.id, "Запрос получен через РСМЭВ", detail)?;
    Ok(Receipt::Applied(format!(
        "regional request {} from {}",
        req.id, msg.sender_inn
    )))
}

/// Stores a message's files under the request, named as its business data names them.
fn store_files(w: &mut W, id: RegReqId, m: &Received, named: &[(String, String)]) -> Result<()> {
    for f in &m.files {
        let name = named
            .iter()
            .find(|(cid, _)| *cid == f.id)
            .map(|(_, n)| n.clone())
            .filter(|n| file_name(n).is_ok())
            .unwrap_or_else(|| default_name(&f.id, &f.mime));
        // `store` writes the file's size and digest into the history.
        files::store(
            w,
            Some(FileOwner::Regional(id)),
            &name,
            &f.bytes,
            MAX_RECEIVED_FILE,
        )?;
    }
    Ok(())
}

/// The regional request this node sent as `message_id` (now or before), if any.
pub(super) fn by_message(t: &impl Read, message_id: &str) -> Result<Option<RegionalRequest>> {
    let found: Option<RegionalRequest> =
        list::first_with_prefix(t, &reg_message_key(message_id).0)?;
    Ok(found.filter(|q| q.remote.as_ref().is_some_and(|r| !r.incoming)))
}

/// An answer to a request of ours that cannot be taken: the request says why and may be sent
/// again.
pub(super) fn refuse_answer(w: &mut W, req: &mut RegionalRequest, why: String) -> Result<()> {
    if req.status == RegStatus::New {
        set_state(w, req, RemoteState::AnswerRefused)?;
    }
    note(w, req.id, "Ответ отклонён", why)
}

/// An answer, a status or a rejection from the body a regional request went to.
pub(super) fn apply_response(w: &mut W, m: &Received, mut req: RegionalRequest) -> Result<Receipt> {
    w.who.org = req.org;
    w.target("regional_request", req.id);
    if let Err(e) = &m.smev_signature {
        refuse_answer(
            w,
            &mut req,
            format!("подпись РСМЭВ под ответом не верна ({e})"),
        )?;
        return Ok(super::exchange::signature_kept(e));
    }
    if req
        .remote
        .as_ref()
        .is_some_and(|r| r.state == RemoteState::Queued)
    {
        // The exchange took the request although its reply to SendRequest was lost.
        if let Some(item) =
            super::exchange::outbox_of(&w.tx, &m.original_id.clone().unwrap_or_default())?
        {
            w.tx.delete::<OutboxItem>(item.id)?;
        }
        set_state(w, &mut req, RemoteState::Sent)?;
    }
    match &m.content {
        Content::Primary(Business {
            read: Reading::RegionalAnswer(read),
            ..
        }) => {
            if req.status == RegStatus::Done {
                note(w, req.id, "Ответ получен повторно", sender(m))?;
                return Ok(Receipt::Kept(format!(
                    "a second answer to regional {}",
                    req.id
                )));
            }
            let (answer, named) = match read.clone() {
                Ok(a) => a,
                Err(e) => {
                    refuse_answer(w, &mut req, format!("ответ не прочитан: {e}"))?;
                    return Ok(Receipt::Kept(format!("invalid regional answer: {e}")));
                }
            };
            if let Some(v) = m.personal_signature.as_ref().filter(|v| !v.valid) {
                if let Some(r) = req.remote.as_mut() {
                    r.personal.received = Some(v.clone());
                }
                refuse_answer(w, &mut req, format!("ЭП-СП ответа: {}", v.problem()))?;
                return Ok(Receipt::Kept(format!(
                    "a bad personal signature: {}",
                    v.reason
                )));
            }
            // The files first: once the request is done its files no longer change.
            store_files(w, req.id, m, &named)?;
            req.status = RegStatus::Done;
            req.answer = answer;
            req.completed = Some(w.now);
            if let Some(r) = req.remote.as_mut() {
                r.state = RemoteState::Answered;
                r.personal.received = m.personal_signature.clone();
            }
            w.tx.put(&req)?;
            let mut detail = format!("от {} через РСМЭВ", req.provider);
            if let Some(v) = &m.personal_signature {
                detail.push_str("; ");
                detail.push_str(&v.note());
            }
            moved(w, &req, detail)?;
            Ok(Receipt::Applied(format!("answer to regional {}", req.id)))
        }
        Content::Primary(body) => {
            let why = format!("ответ неизвестного вида {{{}}}{}", body.ns, body.root);
            refuse_answer(w, &mut req, why.clone())?;
            Ok(Receipt::Kept(why))
        }
        Content::Status {
            code, description, ..
        } => {
            note(
                w,
                req.id,
                "Статус от получателя",
                format!("{code}: {description}"),
            )?;
            Ok(Receipt::Applied(format!(
                "status {code} of regional {}",
                req.id
            )))
        }
        Content::Rejected(reasons) => {
            let detail = super::exchange::rejection(reasons);
            if req.status == RegStatus::New {
                set_state(w, &mut req, RemoteState::Rejected)?;
            }
            note(w, req.id, "Получатель отклонил запрос", detail)?;
            Ok(Receipt::Applied(format!(
                "rejection of regional {}",
                req.id
            )))
        }
        Content::Async(st) => notice(w, req, st),
        Content::Cancel(_) => Ok(Receipt::Kept("a Cancel in a response queue".into())),
    }
}

/// The exchange's own word on a regional request: a refusal means it was not sent.
pub(super) fn notice(w: &mut W, mut req: RegionalRequest, st: &AsyncStatus) -> Result<Receipt> {
    w.who.org = req.org;
    w.target("regional_request", req.id);
    let (detail, refused) = super::exchange::notice_words(w, Channel::Regional, st);
    if refused && req.status == RegStatus::New {
        // The exchange has given its word: an attempt still queued must not follow it.
        if let Some(item) = super::exchange::outbox_of(&w.tx, &st.original_id)? {
            w.tx.delete::<OutboxItem>(item.id)?;
        }
        set_state(w, &mut req, RemoteState::NotSent)?;
        note(w, req.id, "Запрос не отправлен", detail)?;
    } else {
        note(w, req.id, "Уведомление РСМЭВ", detail)?;
    }
    Ok(Receipt::Applied(format!(
        "notice {} on regional {}",
        st.category, req.id
    )))
}

/// What became of an attempt to send a regional message.
pub(super) fn sent(w: &mut W, what: Outbound, outcome: &super::SendOutcome) -> Result<()> {
    use super::SendOutcome::*;
    let id = match what {
        Outbound::RegionalRequest(id) | Outbound::RegionalAnswer(id) => id,
        _ => return Ok(()),
    };
    let Some(mut req) = w.tx.get::<RegionalRequest>(id.0)? else {
        return Ok(());
    };
    w.target("regional_request", id);
    let request = matches!(what, Outbound::RegionalRequest(_));
    match (outcome, request) {
        (Accepted { status, note: n }, _) => {
            if request
                && req
                    .remote
                    .as_ref()
                    .is_some_and(|r| r.state == RemoteState::Queued)
            {
                set_state(w, &mut req, RemoteState::Sent)?;
            }
            if !request {
                set_state(w, &mut req, RemoteState::AnswerSent)?;
            }
            let mut detail = status
                .as_deref()
                .map(|s| super::exchange::status_words(w, s))
                .unwrap_or_default();
            if let Some(n) = n {
                detail.push_str(&format!("; {n}"));
            }
            let what = if request {
                "РСМЭВ приняла запрос"
            } else {
                "РСМЭВ приняла ответ"
            };
            note(w, id, what, detail)
        }
        (Refused { reason }, true) => {
            set_state(w, &mut req, RemoteState::NotSent)?;
            note(w, id, "Запрос не отправлен", reason.clone())
        }
        (Refused { reason }, false) => {
            set_state(w, &mut req, RemoteState::AnswerNotSent)?;
            note(w, id, "Ответ не отправлен", reason.clone())
        }
        (Retry { .. }, _) => Ok(()),
    }
}

impl Node {
    /// «Новый запрос Р-сведений». To a body on this node it is delivered at once; to a body
    /// of the regional directory it waits for «Отправить».
    pub fn create_regional(&self, actor: Actor, input: &RegionalInput) -> Result<RegionalRequest> {
        self.write(actor, "regional.create", |w| {
            w.who.require("regional.create", Right::Regional)?;
            let me = w.who.person()?;
            if input.subject.trim().is_empty() {
                return Err(Error::invalid("Тема запроса", "Требуется"));
            }
            let mut provider = input.provider.trim().to_string();
            let mut remote = None;
            match (input.provider_org, input.remote.as_deref()) {
                (Some(_), Some(_)) => {
                    return Err(Error::invalid(
                        "Получатель",
                        "Укажите один орган: этого узла или из справочника РСМЭВ",
                    ));
                }
                (Some(p), None) => {
                    let o =
                        w.tx.get::<Org>(p.0)?
                            .ok_or_else(|| Error::not_found("org", p))?;
                    if provider.is_empty() {
                        provider = o.display_name().to_string();
                    }
                }
                (None, Some(inn)) => {
                    let (_, dir) = regional_profile(w)?;
                    let body = dir
                        .into_iter()
                        .find(|b| b.inn == inn.trim())
                        .ok_or_else(|| {
                            Error::invalid(
                                "Получатель",
                                format!("Органа с ИНН {inn} нет в справочнике РСМЭВ этого узла"),
                            )
                        })?;
                    provider = body.name.clone();
                    remote = Some(Remote {
                        incoming: false,
                        body,
                        message_id: None,
                        state: RemoteState::Draft,
                        personal: Personal::default(),
                        earlier: Vec::new(),
                    });
                }
                (None, None) => {}
            }
            if provider.is_empty() {
                return Err(Error::invalid("Получатель", "Требуется"));
            }
            if let Some(a) = input.application {
                let _: Application = w.load(a.0)?;
            }
            let req = RegionalRequest {
                id: RegReqId(w.tx.next_id(RegionalRequest::KIND)?),
                org: w.who.org,
                provider,
                provider_org: input.provider_org,
                application: input.application,
                subject: input.subject.trim().into(),
                comment: input.comment.trim().into(),
                files: Vec::new(),
                status: RegStatus::New,
                answer: String::new(),
                created_by: me,
                created: w.now,
                completed: None,
                remote,
            };
            w.tx.put(&req)?;
            w.target("regional_request", req.id);
            moved(w, &req, "")?;
            Ok(req)
        })
    }

    /// «Отправить» a regional request to a body of the regional directory: signed with the
    /// node's key, and with the employee's ЭП-СП when their `key` is given.
    pub fn send_regional(
        &self,
        actor: Actor,
        id: RegReqId,
        key: Option<&dyn PersonalKey>,
    ) -> Result<RegionalRequest> {
        // The ЭП-СП is made before the write transaction, over the element the write will
        // build again and compare.
        let pre = match (key, self.exchange.get()) {
            (Some(s), Some(x)) => self
                .read(actor, |r| {
                    let req: RegionalRequest = r.load(id.0)?;
                    let Some(remote) = req.remote.clone().filter(|x| !x.incoming) else {
                        return Ok(None);
                    };
                    let me: Org = r.load(req.org.0)?;
                    let message = request_message(&r.rx, &me, &req, &remote)?;
                    Ok(Some(x.formats.regional_request(&message, true)))
                })?
                .map(|b| personal::presign(s, b))
                .transpose()?,
            _ => None,
        };
        self.write(actor, "regional.send", |w| send(w, id, pre.as_ref()))
    }

    /// The bodies of the regional directory (empty when the regional exchange is off).
    pub fn regional_bodies(&self, actor: Actor) -> Result<Vec<RegionalBody>> {
        let dir = self
            .exchange
            .get()
            .and_then(|p| p.regional.clone())
            .unwrap_or_default();
        self.read(actor, |r| {
            r.who.require("regional.bodies", Right::Regional)?;
            Ok(dir.clone())
        })
    }

    /// A regional request with its history, seen by the body that sent it and by the provider.
    pub fn regional(
        &self,
        actor: Actor,
        id: RegReqId,
    ) -> Result<(RegionalRequest, Vec<HistoryEntry>)> {
        self.read(actor, |r| {
            r.who.require("regional.view", Right::Regional)?;
            let req = load_visible(&r.rx, r.who.org, id)?;
            let h = history::read(&r.rx, Entity::Regional, id.0)?;
            Ok((req, h))
        })
    }

    /// A page of «Запросы Р-сведений»: those this body sent and those sent to it, «Новый»
    /// before «Исполнено», oldest first within a status (newest first with `desc`).
    pub fn regional_list(
        &self,
        actor: Actor,
        f: &super::RegFilter,
        desc: bool,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<super::RegRow>> {
        self.read(actor, |r| {
            r.who.require("regional.list", Right::Regional)?;
            let base = reg_list_prefix(r.who.org);
            let span = match &f.statuses[..] {
                [one] => Span::new(base.clone()).within(base.u8(*one as u8)),
                _ => Span::new(base),
            };
            // The index holds no summary: the few rows a body has are read and tested.
            let (ids, next) = list::scan_all(&r.rx, &span, desc, after, limit.clamp(1, 500))?;
            let mut rows = Vec::new();
            for id in ids {
                let Some(q) = r.rx.get::<RegionalRequest>(id)? else {
                    continue;
                };
                if !(f.statuses.is_empty() || f.statuses.contains(&q.status))
                    || f.application.is_some_and(|a| q.application != Some(a))
                {
                    continue;
                }
                let to_us = q.is_to(r.who.org);
                let counterpart = match (to_us, q.sent_from_elsewhere()) {
                    (true, Some(b)) => b.name.clone(),
                    (true, None) => {
                        r.rx.get::<Org>(q.org.0)?
                            .map(|o| o.display_name().to_string())
                            .unwrap_or_default()
                    }
                    (false, _) => q.provider.clone(),
                };
                rows.push(super::RegRow {
                    id: q.id,
                    subject: q.subject,
                    counterpart,
                    to_us,
                    status: q.status,
                    created: q.created,
                });
            }
            Ok(Page { rows, next })
        })
    }

    /// The provider body answers a regional request («Исполнено»); an answer to a body
    /// elsewhere goes back over the regional exchange.
    pub fn complete_regional(
        &self,
        actor: Actor,
        id: RegReqId,
        answer: &str,
    ) -> Result<RegionalRequest> {
        self.write(actor, "regional.complete", |w| {
            w.who.require("regional.complete", Right::Regional)?;
            let mut req: RegionalRequest =
                w.tx.get(id.0)?
                    .ok_or_else(|| Error::not_found("regional_request", id))?;
            if req.provider_org != Some(w.who.org) {
                return Err(Error::not_found("regional_request", id));
            }
            if req.status == RegStatus::Done {
                return Err(Error::InvalidTransition {
                    from: req.status.label(),
                    action: "Исполнить",
                });
            }
            if answer.trim().is_empty() {
                return Err(Error::invalid("Ответ", "Требуется"));
            }
            req.status = RegStatus::Done;
            req.answer = answer.trim().into();
            req.completed = Some(w.now);
            w.tx.put(&req)?;
            w.target("regional_request", req.id);
            moved(w, &req, "")?;
            if req.sent_from_elsewhere().is_some() {
                answer_out(w, &mut req)?;
            }
            Ok(req)
        })
    }
}
