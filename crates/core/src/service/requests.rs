//! Межведомственные запросы and запросы Р-сведений as entities with their statuses. Their
//! transport (SMEV) calls these operations; staff call them from the cards.

use super::list::{self, Cursor, Page, Span};
use super::personal::{self, PersonalKey};
use super::{Actor, Error, Node, Result, W, history};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
pub use volost_api::view::{InFilter, InRow, OutFilter, OutRow, RegFilter, RegRow};
use volost_domain::*;
use volost_store::records::{in_list_prefix, out_list_prefix};
use volost_store::summary::{InSummary, OutSummary, ReqCol};
use volost_store::{Read, Record};

fn check_kind_form(
    fields: &[Field],
    data: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    super::applications::check_form(fields, data)
}

pub(crate) fn create_outgoing(
    w: &mut W,
    kind: KindId,
    application: Option<AppId>,
    data: &BTreeMap<String, String>,
) -> Result<OutgoingRequest> {
    w.who.require("outgoing.create", Right::Interagency)?;
    let me = w.who.person()?;
    let k: RequestKind = w.load(kind.0)?;
    if let Some(a) = application {
        let _: Application = w.load(a.0)?;
    }
    let data = check_kind_form(&k.fields, data)?;
    let year = w.today().year();
    let seq = w.tx.bump(&format!("outno:{year}"))?;
    let req = OutgoingRequest {
        id: OutReqId(w.tx.next_id(OutgoingRequest::KIND)?),
        org: w.who.org,
        dept: w.who.user.as_ref().and_then(|u| u.dept),
        kind,
        number: format!("МВ-{year}-{seq:06}"),
        application,
        status: OutStatus::Formed,
        data,
        answer: BTreeMap::new(),
        created_by: me,
        executor: me,
        created: w.now,
        sent: None,
        answered: None,
        updated: w.now,
        message_id: None,
        error: None,
        personal: Personal::default(),
    };
    w.tx.put(&req)?;
    w.target("outgoing_request", req.id);
    w.moved(
        Entity::Outgoing,
        req.id.0,
        req.status as u8,
        OutStatus::Formed.label(),
        "",
    )?;
    if let Some(a) = application {
        w.history(
            Entity::Application,
            a.0,
            format!("Создан межведомственный запрос {}", req.number),
            k.name.clone(),
        )?;
    }
    super::files::bind_form_files(w, &k.fields, &req.data, FileOwner::Outgoing(req.id))?;
    Ok(req)
}

pub(crate) fn receive_incoming(w: &mut W, input: &IncomingInput) -> Result<IncomingRequest> {
    w.who.require("incoming.receive", Right::Interagency)?;
    let k: RequestKind = w.load(input.kind.0)?;
    let data = check_kind_form(&k.fields, &input.data)?;
    let cal = w.calendar()?;
    let year = w.today().year();
    let seq = w.tx.bump(&format!("inno:{year}"))?;
    let req = IncomingRequest {
        id: InReqId(w.tx.next_id(IncomingRequest::KIND)?),
        org: w.who.org,
        dept: None,
        kind: k.id,
        number: format!("ВХ-{year}-{seq:06}"),
        consumer_number: input.consumer_number.clone(),
        status: InStatus::Received,
        data,
        answer: BTreeMap::new(),
        executor: None,
        previous_executor: None,
        received: w.now,
        updated: w.now,
        planned: cal.add_working_days(w.today(), input.planned_days.max(1)),
        message_id: input.message_id.clone(),
        personal: Personal::default(),
    };
    w.tx.put(&req)?;
    w.target("incoming_request", req.id);
    w.moved(
        Entity::Incoming,
        req.id.0,
        req.status as u8,
        InStatus::Received.label(),
        "",
    )?;
    super::files::bind_form_files(w, &k.fields, &req.data, FileOwner::Incoming(req.id))?;
    Ok(req)
}

/// Moves an outgoing request by an exchange event; refuses what the lifecycle does not allow.
pub(crate) fn out_event(
    w: &mut W,
    id: OutReqId,
    ev: OutEvent,
    detail: &str,
) -> Result<OutgoingRequest> {
    let mut req: OutgoingRequest = w.load(id.0)?;
    let to = out_transition(req.status, ev).ok_or(Error::InvalidTransition {
        from: req.status.label(),
        action: match ev {
            OutEvent::Prepared => "Подготовить к отправке",
            OutEvent::Sent => "Отправить",
            OutEvent::AcceptedByAgency => "Принят в ведомстве",
            OutEvent::AnswerReceived => "Получен ответ",
            OutEvent::NotSent => "Не отправлен",
            OutEvent::Error => "Ошибка",
            OutEvent::RejectedByAgency => "Не принят в ведомстве",
            OutEvent::Reopen => "Исправить",
        },
    })?;
    match ev {
        OutEvent::Sent => req.sent = Some(w.now),
        OutEvent::AnswerReceived => req.answered = Some(w.now),
        OutEvent::Error | OutEvent::NotSent | OutEvent::RejectedByAgency => {
            req.error = Some(detail.into())
        }
        _ => {}
    }
    req.status = to;
    req.updated = w.now;
    w.tx.put(&req)?;
    w.target("outgoing_request", req.id);
    w.moved(Entity::Outgoing, req.id.0, to as u8, to.label(), detail)?;
    Ok(req)
}

/// A line of the journal of outgoing requests («Формирование журнала запросов в Excel»).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalRow {
    pub number: String,
    pub agency: String,
    pub kind: String,
    pub status: OutStatus,
    pub created: Ts,
    pub sent: Option<Ts>,
    pub answered: Option<Ts>,
    pub dept: String,
    pub executor: String,
    /// The application's number, empty when the request was made on its own.
    pub application: String,
    pub message_id: String,
}

/// The most lines one journal holds: a filter that selects more is refused, so that one
/// export cannot hold the node.
pub const MAX_JOURNAL_ROWS: usize = 100_000;

/// Incoming request as the exchange delivers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingInput {
    pub kind: KindId,
    pub consumer_number: String,
    pub message_id: String,
    pub data: BTreeMap<String, String>,
    pub planned_days: u32,
}

/// `map[key]`, loaded once.
fn cached<V: Clone>(
    map: &mut BTreeMap<u64, V>,
    key: u64,
    load: impl FnOnce() -> Result<V>,
) -> Result<V> {
    if let Some(v) = map.get(&key) {
        return Ok(v.clone());
    }
    let v = load()?;
    map.insert(key, v.clone());
    Ok(v)
}

/// A page of the ids of outgoing requests `f` selects, in `sort`'s order.
fn out_ids(
    r: &super::R,
    f: &OutFilter,
    sort: ReqCol,
    desc: bool,
    after: Option<&Cursor>,
    limit: usize,
) -> Result<(Vec<u64>, Option<Cursor>)> {
    let sort = if matches!(sort, ReqCol::Planned) {
        ReqCol::Created
    } else {
        sort
    };
    let statuses: Vec<u8> = f.statuses.iter().map(|s| *s as u8).collect();
    let base = out_list_prefix(r.who.org, sort);
    let span = match (sort, &statuses[..]) {
        (ReqCol::Created, _) => Span::new(base.clone()).period(base, f.created_from, f.created_to),
        (ReqCol::Status, [one]) => {
            let k = base.clone().u8(*one);
            Span::new(base)
                .within(k.clone())
                .period(k, f.created_from, f.created_to)
        }
        _ => Span::new(base),
    };
    // Created and status keys end with `created ++ id`, updated keys do not.
    let span = if sort == ReqCol::Updated {
        span
    } else {
        span.created_in_key(f.created_from, f.created_to)
    };
    list::scan::<OutSummary>(&r.rx, &span, desc, after, limit, |s| {
        (statuses.is_empty() || statuses.contains(&s.status))
            && f.kind.is_none_or(|k| s.kind == k.0)
            && f.application.is_none_or(|a| s.application == Some(a.0))
            && (f.depts.is_empty() || s.dept.is_some_and(|d| f.depts.iter().any(|x| x.0 == d)))
            && f.created_from.is_none_or(|x| s.created >= x.0)
            && f.created_to.is_none_or(|x| s.created < x.0)
    })
}

impl Node {
    /// Saves a new outgoing request («Запрос сформирован»); it gets its number now.
    pub fn create_outgoing(
        &self,
        actor: Actor,
        kind: KindId,
        application: Option<AppId>,
        data: &BTreeMap<String, String>,
    ) -> Result<OutgoingRequest> {
        self.write(actor, "outgoing.create", |w| {
            create_outgoing(w, kind, application, data)
        })
    }

    /// An exchange event for an outgoing request (the SMEV worker, or staff for Reopen).
    pub fn outgoing_event(
        &self,
        actor: Actor,
        id: OutReqId,
        ev: OutEvent,
        detail: &str,
    ) -> Result<OutgoingRequest> {
        self.write(actor, "outgoing.event", |w| {
            w.who.require("outgoing.event", Right::Interagency)?;
            out_event(w, id, ev, detail)
        })
    }

    pub fn outgoing(
        &self,
        actor: Actor,
        id: OutReqId,
    ) -> Result<(OutgoingRequest, Vec<HistoryEntry>)> {
        self.read(actor, |r| {
            r.who.require("outgoing.view", Right::Interagency)?;
            let req: OutgoingRequest = r.load(id.0)?;
            let h = history::read(&r.rx, Entity::Outgoing, id.0)?;
            Ok((req, h))
        })
    }

    /// The journal of the outgoing requests `f` selects, oldest first, as one snapshot.
    pub fn outgoing_journal(&self, actor: Actor, f: &OutFilter) -> Result<Vec<JournalRow>> {
        self.read(actor, |r| {
            r.who.require("outgoing.journal", Right::Interagency)?;
            let mut ids = Vec::new();
            let mut after = None;
            loop {
                let (page, next) =
                    out_ids(r, f, ReqCol::Created, false, after.as_ref(), list::MAX_PAGE)?;
                ids.extend(page);
                if ids.len() > MAX_JOURNAL_ROWS {
                    return Err(Error::invalid(
                        "Период",
                        format!(
                            "В журнал попадает больше {MAX_JOURNAL_ROWS} запросов: сократите \
                             период или уточните отбор"
                        ),
                    ));
                }
                match next {
                    Some(c) => after = Some(c),
                    None => break,
                }
            }
            let mut kinds: BTreeMap<u64, (String, String)> = BTreeMap::new();
            let mut people: BTreeMap<u64, String> = BTreeMap::new();
            let mut depts: BTreeMap<u64, String> = BTreeMap::new();
            let mut apps: BTreeMap<u64, String> = BTreeMap::new();
            let mut rows = Vec::with_capacity(ids.len());
            for q in
                r.rx.get_many::<OutgoingRequest>(&ids)?
                    .into_iter()
                    .flatten()
            {
                let (agency, kind) = cached(&mut kinds, q.kind.0, || {
                    let k: RequestKind = r.load(q.kind.0)?;
                    Ok((k.agency, k.name))
                })?;
                let executor = cached(&mut people, q.executor.0, || {
                    Ok(r.rx
                        .get::<User>(q.executor.0)?
                        .map(|u| u.short_name())
                        .unwrap_or_default())
                })?;
                let dept = match q.dept {
                    Some(d) => cached(&mut depts, d.0, || {
                        Ok(r.rx
                            .get::<Department>(d.0)?
                            .map(|x| x.name)
                            .unwrap_or_default())
                    })?,
                    None => String::new(),
                };
                let application = match q.application {
                    Some(a) => cached(&mut apps, a.0, || {
                        Ok(r.rx
                            .get::<Application>(a.0)?
                            .map(|x| x.number)
                            .unwrap_or_default())
                    })?,
                    None => String::new(),
                };
                rows.push(JournalRow {
                    number: q.number,
                    agency,
                    kind,
                    status: q.status,
                    created: q.created,
                    sent: q.sent,
                    answered: q.answered,
                    dept,
                    executor,
                    application,
                    message_id: q.message_id.unwrap_or_default(),
                });
            }
            Ok(rows)
        })
    }

    /// A page of the outgoing module, newest first by default.
    pub fn outgoing_list(
        &self,
        actor: Actor,
        f: &OutFilter,
        sort: ReqCol,
        desc: bool,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<OutRow>> {
        self.read(actor, |r| {
            r.who.require("outgoing.list", Right::Interagency)?;
            let (ids, next) = out_ids(r, f, sort, desc, after, limit.clamp(1, 500))?;
            let mut rows = Vec::new();
            for id in ids {
                let q: OutgoingRequest = r.load(id)?;
                let k: RequestKind = r.load(q.kind.0)?;
                rows.push(OutRow {
                    id: q.id,
                    number: q.number,
                    kind: k.name,
                    agency: k.agency,
                    status: q.status,
                    created: q.created,
                    updated: q.updated,
                });
            }
            Ok(Page { rows, next })
        })
    }

    /// An incoming request with its history.
    pub fn incoming(
        &self,
        actor: Actor,
        id: InReqId,
    ) -> Result<(IncomingRequest, Vec<HistoryEntry>)> {
        self.read(actor, |r| {
            r.who.require("incoming.view", Right::Interagency)?;
            let req: IncomingRequest = r.load(id.0)?;
            let h = history::read(&r.rx, Entity::Incoming, id.0)?;
            Ok((req, h))
        })
    }

    /// An incoming request arrives («Запрос получен»). Called by the exchange for a body.
    pub fn receive_incoming(&self, actor: Actor, input: &IncomingInput) -> Result<IncomingRequest> {
        self.write(actor, "incoming.receive", |w| receive_incoming(w, input))
    }

    /// Staff enter the answer («Сформирован ответ»). An answer that goes back over SMEV for
    /// a kind that asks for ЭП-СП needs the employee's `key` (`PinRequired` without it).
    pub fn answer_incoming(
        &self,
        actor: Actor,
        id: InReqId,
        answer: &BTreeMap<String, String>,
        key: Option<&dyn PersonalKey>,
    ) -> Result<IncomingRequest> {
        // The ЭП-СП is made before the write transaction, over the answer the write will
        // build again and compare; only an answer that goes back over SMEV is signed.
        let pre = match (key, self.exchange.get()) {
            (Some(s), Some(x)) => self
                .read(actor, |r| {
                    let req: IncomingRequest = r.load(id.0)?;
                    let k: RequestKind = r.load(req.kind.0)?;
                    let routed = super::provider::route_of(&r.rx, Routed::Incoming(id))?;
                    if !k.sign_personal || routed.is_none() {
                        return Ok(None);
                    }
                    let answer = check_kind_form(&k.answer_fields, answer)?;
                    super::provider::answer_business(x, &k, &answer).map(Some)
                })?
                .map(|b| personal::presign(s, b))
                .transpose()?,
            _ => None,
        };
        self.write(actor, "incoming.answer", |w| {
            w.who.require("incoming.answer", Right::Interagency)?;
            let mut req: IncomingRequest = w.load(id.0)?;
            if req.status != InStatus::Received {
                return Err(Error::InvalidTransition {
                    from: req.status.label(),
                    action: "Сформировать ответ",
                });
            }
            let k: RequestKind = w.load(req.kind.0)?;
            req.answer = check_kind_form(&k.answer_fields, answer)?;
            req.status = InStatus::Answered;
            req.executor = w.who.user_id().or(req.executor);
            req.updated = w.now;
            w.tx.put(&req)?;
            w.target("incoming_request", req.id);
            w.moved(
                Entity::Incoming,
                req.id.0,
                req.status as u8,
                InStatus::Answered.label(),
                "",
            )?;
            super::files::bind_form_files(
                w,
                &k.answer_fields,
                &req.answer,
                FileOwner::Incoming(req.id),
            )?;
            super::provider::answer_out(w, &mut req, &k, pre.as_ref())?;
            Ok(req)
        })
    }

    /// «Назначить на себя»: the user becomes the executor; the one before is remembered for
    /// «Вернуть предыдущему исполнителю». Taking it from a colleague needs `take_over` and
    /// a supervisor's rights, as with tasks.
    pub fn claim_incoming(
        &self,
        actor: Actor,
        id: InReqId,
        take_over: bool,
    ) -> Result<IncomingRequest> {
        self.write(actor, "incoming.claim", |w| {
            w.who.require("incoming.claim", Right::Interagency)?;
            let me = w.who.person()?;
            let mut req: IncomingRequest = w.load(id.0)?;
            if req.status != InStatus::Received {
                return Err(Error::InvalidTransition {
                    from: req.status.label(),
                    action: "Назначить на себя",
                });
            }
            match req.executor {
                Some(u) if u == me => {
                    return Err(Error::NotAllowed("Запрос уже назначен на вас".into()));
                }
                Some(u) if !(take_over && w.who.rights.has(Right::SuperRights)) => {
                    let holder = super::applications::user_name(&w.tx, Some(u))?
                        .unwrap_or_else(|| u.to_string());
                    return Err(Error::AlreadyClaimed { holder });
                }
                _ => {}
            }
            req.previous_executor = req.executor;
            req.executor = Some(me);
            req.updated = w.now;
            w.tx.put(&req)?;
            w.target("incoming_request", req.id);
            let name = super::applications::user_name(&w.tx, Some(me))?.unwrap_or_default();
            w.history(Entity::Incoming, req.id.0, "Назначить на себя", name)?;
            Ok(req)
        })
    }

    /// «Вернуть предыдущему исполнителю»: by the executor, or a supervisor.
    pub fn return_incoming(&self, actor: Actor, id: InReqId) -> Result<IncomingRequest> {
        self.write(actor, "incoming.return", |w| {
            w.who.require("incoming.return", Right::Interagency)?;
            let mut req: IncomingRequest = w.load(id.0)?;
            if req.status != InStatus::Received {
                return Err(Error::InvalidTransition {
                    from: req.status.label(),
                    action: "Вернуть предыдущему исполнителю",
                });
            }
            let Some(prev) = req.previous_executor else {
                return Err(Error::NotAllowed(
                    "У запроса не было предыдущего исполнителя".into(),
                ));
            };
            if req.executor != w.who.user_id() && !w.who.rights.has(Right::SuperRights) {
                return Err(Error::NotAllowed(
                    "Вернуть запрос может его исполнитель или руководитель".into(),
                ));
            }
            req.executor = Some(prev);
            req.previous_executor = None;
            req.updated = w.now;
            w.tx.put(&req)?;
            w.target("incoming_request", req.id);
            let name = super::applications::user_name(&w.tx, Some(prev))?.unwrap_or_default();
            w.history(
                Entity::Incoming,
                req.id.0,
                "Вернуть предыдущему исполнителю",
                name,
            )?;
            Ok(req)
        })
    }

    /// A comment that goes only into the request's history.
    pub fn comment_incoming(&self, actor: Actor, id: InReqId, comment: &str) -> Result<()> {
        self.write(actor, "incoming.comment", |w| {
            w.who.require("incoming.comment", Right::Interagency)?;
            w.who.person()?;
            let comment = comment.trim();
            if comment.is_empty() {
                return Err(Error::invalid("Комментарий", "Требуется"));
            }
            if comment.chars().count() > 2000
                || comment.chars().any(|c| c.is_control() && c != '\n')
            {
                return Err(Error::invalid(
                    "Комментарий",
                    "Не более 2000 символов, без управляющих символов",
                ));
            }
            let req: IncomingRequest = w.load(id.0)?;
            w.target("incoming_request", req.id);
            w.history(Entity::Incoming, req.id.0, "Комментарий", comment)?;
            Ok(())
        })
    }

    pub fn incoming_list(
        &self,
        actor: Actor,
        f: &InFilter,
        sort: ReqCol,
        desc: bool,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Page<InRow>> {
        self.read(actor, |r| {
            r.who.require("incoming.list", Right::Interagency)?;
            let sort = match sort {
                ReqCol::Status => ReqCol::Created,
                s => s,
            };
            let statuses: Vec<u8> = f.statuses.iter().map(|s| *s as u8).collect();
            let span = Span::new(in_list_prefix(r.who.org, sort));
            let (ids, next) =
                list::scan::<InSummary>(&r.rx, &span, desc, after, limit.clamp(1, 500), |s| {
                    (statuses.is_empty() || statuses.contains(&s.status))
                        && f.kind.is_none_or(|k| s.kind == k.0)
                        && f.executor.is_none_or(|e| s.executor == Some(e.0))
                        && (f.depts.is_empty()
                            || s.dept.is_some_and(|d| f.depts.iter().any(|x| x.0 == d)))
                })?;
            let today = r.today();
            let mut rows = Vec::new();
            for id in ids {
                let q: IncomingRequest = r.load(id)?;
                let k: RequestKind = r.load(q.kind.0)?;
                rows.push(InRow {
                    id: q.id,
                    number: q.number,
                    kind: k.name,
                    status: q.status,
                    received: q.received,
                    planned: q.planned,
                    overdue: q.status == InStatus::Received && q.planned < today,
                });
            }
            Ok(Page { rows, next })
        })
    }
}
