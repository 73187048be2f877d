//! The node as a provider: requests other agencies send it (GetRequest) become «Запрос
//! получен», applications from the portals are registered automatically, and what staff do
//! with them goes back over SMEV (SendResponse) to the `ReplyTo` each came with.
//!
//! A request taken in is one transaction (the journal entry, the new request or application,
//! its files and its [`Route`]). A request the node cannot take (an unknown type, data its
//! form refuses, a service nobody here provides) changes nothing but the journal, and is
//! answered with `RequestRejected` so that the sender learns why.

use super::exchange::{Receipt, profile, sender};
use super::formats::{Exchange, PortalResult};
use super::personal::{self, Presigned};
use super::{Actor, Error, Node, Result, W, files};
use std::collections::BTreeMap;
pub use volost_api::view::RouteView;
use volost_domain::Answer as ResponseContent;
use volost_domain::received::{Business, Content, PortalApplication, Reading, Received};
use volost_domain::*;
use volost_store::records::{route_message_key, route_of_key};
use volost_store::{Read, Record};

/// Working days an agency's request is due in (Federal Law 210-FZ, art. 7.2: five).
const ANSWER_DAYS: u32 = 5;

/// Files received over SMEV are limited by SMEV; this only guards the database.
pub(super) const MAX_RECEIVED_FILE: u64 = 64 << 20;

/// Why a request was not taken in: the code and words of the `RequestRejected` it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: RejectCode,
    pub why: String,
}

impl Refusal {
    fn new(code: RejectCode, why: impl Into<String>) -> Refusal {
        Refusal {
            code,
            why: why.into(),
        }
    }

    /// A refusal for an error of the service layer that the request's content caused;
    /// `None` for the node's own trouble (storage, a bug), which must not be answered.
    pub fn of(e: &Error) -> Option<Refusal> {
        match e {
            Error::Invalid(_)
            | Error::NotAllowed(_)
            | Error::NotFound { .. }
            | Error::InvalidTransition { .. }
            | Error::Conflict(_) => {
                Some(Refusal::new(RejectCode::UnknownRequestDescription, e.ru()))
            }
            _ => None,
        }
    }
}

/// The route of `about`, if it came over SMEV.
pub(crate) fn route_of(t: &impl Read, about: Routed) -> Result<Option<Route>> {
    super::list::first_with_prefix(t, &route_of_key(about).0)
}

fn route_by_message(t: &impl Read, message_id: &str) -> Result<Option<Route>> {
    super::list::first_with_prefix(t, &route_message_key(message_id).0)
}

/// A request message taken from the queue. `refused` is set on the second pass, after the
/// first one failed on the request's content and was rolled back.
pub(super) fn take(
    w: &mut W,
    channel: Channel,
    m: &Received,
    refused: Option<&Refusal>,
) -> Result<Receipt> {
    if let Err(e) = &m.smev_signature {
        // Not answered: whoever it claims to be from did not necessarily send it.
        return Ok(super::exchange::signature_kept(e));
    }
    if let Content::Cancel(reference) = &m.content {
        return cancel(w, reference);
    }
    let Some(reply_to) = m.reply_to.as_deref() else {
        return Ok(Receipt::Kept("a request without ReplyTo".into()));
    };
    if let Some(r) = refused {
        queue_refusal(w, channel, reply_to, r)?;
        return Ok(Receipt::Kept(format!("refused: {}", r.why)));
    }
    if let Some(r) = route_by_message(&w.tx, &m.sender_message_id)? {
        return Ok(Receipt::Kept(format!(
            "a request with MessageID {} was taken in before ({:?})",
            m.sender_message_id, r.about
        )));
    }
    // The regional exchange carries regional requests, SMEV everything else: an answer goes
    // back the way its request came, so what comes the wrong way is refused at the door.
    if let Content::Primary(body) = &m.content {
        let regional = matches!(body.read, Reading::RegionalRequest(_));
        match channel {
            Channel::Regional if !regional => {
                return Err(Error::NotAllowed(format!(
                    "Через РСМЭВ принимаются только запросы Р-сведений, а не {{{}}}{}",
                    body.ns, body.root
                )));
            }
            Channel::Federal if regional => {
                return Err(Error::NotAllowed(
                    "Запрос Р-сведений принимается только через РСМЭВ".into(),
                ));
            }
            _ => {}
        }
    }
    match &m.content {
        Content::Primary(Business {
            read: Reading::Portal(a),
            ..
        }) => {
            let a = a
                .as_ref()
                .map_err(|e| Error::invalid("Заявление", e.clone()))?;
            application(w, m, a, reply_to)
        }
        Content::Primary(Business {
            read: Reading::RegionalRequest(r),
            ..
        }) => {
            let r = r
                .as_ref()
                .map_err(|e| Error::invalid("Запрос Р-сведений", e.clone()))?;
            super::regional::take(w, m, r, reply_to)
        }
        Content::Primary(body) => incoming(w, m, body, reply_to),
        other => Ok(Receipt::Kept(format!(
            "a request message of unexpected content {}",
            match other {
                Content::Rejected(_) => "RequestRejected",
                Content::Status { .. } => "RequestStatus",
                Content::Cancel(_) => "Cancel",
                _ => "AsyncProcessingStatus",
            }
        ))),
    }
}

/// Acts for `org` from here on in this transaction.
fn act_for(w: &mut W, org: OrgId) {
    w.who.org = org;
}

/// Stores the message's files: those a form field names (by content id = field key, or by
/// the portal's `File` elements) go into `data` as loose files for the form to bind; the
/// rest come back to be attached to the new owner.
fn take_files<'m>(
    w: &mut W,
    m: &'m Received,
    form: &[Field],
    named: &[(String, String, String)],
    data: &mut BTreeMap<String, String>,
) -> Result<Vec<(String, &'m [u8])>> {
    // A value for a file field can only come from a file of this message.
    for f in form.iter().filter(|f| f.ftype == FieldType::File) {
        data.remove(&f.key);
    }
    let mut plain = Vec::new();
    for f in &m.files {
        let given = named.iter().find(|(_, cid, _)| *cid == f.id);
        let key = match given {
            Some((k, _, _)) => k.as_str(),
            None => f.id.as_str(),
        };
        let name = given
            .map(|(_, _, n)| n.clone())
            .filter(|n| file_name(n).is_ok())
            .unwrap_or_else(|| default_name(&f.id, &f.mime));
        let field = form
            .iter()
            .find(|x| x.ftype == FieldType::File && x.key == key);
        match field {
            Some(x) if !data.contains_key(&x.key) => {
                let a = files::store(w, None, &name, &f.bytes, MAX_RECEIVED_FILE)?;
                data.insert(x.key.clone(), a.id.0.to_string());
            }
            _ => plain.push((name, &f.bytes[..])),
        }
    }
    if let Some((_, cid, _)) = named
        .iter()
        .find(|(_, cid, _)| !m.files.iter().any(|f| f.id == *cid))
    {
        return Err(Error::invalid(
            "Файлы",
            format!("Во вложениях нет файла {cid}"),
        ));
    }
    Ok(plain)
}

/// A name for a file that came without one: its content id and the extension of its type.
pub(super) fn default_name(id: &str, mime: &str) -> String {
    let ext = match mime {
        "application/pdf" => "pdf",
        "application/xml" | "text/xml" => "xml",
        "text/plain" => "txt",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/tiff" => "tif",
        "application/zip" => "zip",
        _ => "bin",
    };
    let stem: String = id
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        .take(64)
        .collect();
    let stem = if stem.is_empty() {
        "файл".into()
    } else {
        stem
    };
    format!("{stem}.{ext}")
}

fn attach_plain(w: &mut W, owner: FileOwner, plain: &[(String, &[u8])]) -> Result<()> {
    for (name, bytes) in plain {
        files::store(w, Some(owner), name, bytes, MAX_RECEIVED_FILE)?;
    }
    Ok(())
}

pub(super) fn put_route(
    w: &mut W,
    m: &Received,
    about: Routed,
    reply_to: &str,
    order: &str,
) -> Result<()> {
    let r = Route {
        id: w.tx.next_id(Route::KIND)?,
        org: w.who.org,
        about,
        reply_to: reply_to.into(),
        message_id: m.sender_message_id.clone(),
        sender: sender(m),
        order: order.into(),
        test: m.test,
        received: w.now,
    };
    w.tx.put(&r)?;
    w.target("route", r.id);
    Ok(())
}

/// An interagency request: its type names a request kind of a body on this node.
fn incoming(w: &mut W, m: &Received, body: &Business, reply_to: &str) -> Result<Receipt> {
    let ns = body.ns.clone();
    let kinds: Vec<RequestKind> =
        w.tx.all::<RequestKind>()?
            .into_iter()
            .filter(|k| k.active && k.namespace == ns && k.root == body.root)
            .collect();
    let Some(first) = kinds.first() else {
        return Err(Error::NotAllowed(format!(
            "Вид сведений {{{ns}}}{} на этом узле не обслуживается",
            body.root
        )));
    };
    let mut data = body
        .fields(&ns, &body.root, &first.fields)
        .map_err(|e| Error::invalid("Бизнес-данные", e.to_string()))?;
    // Several bodies of the node serve the type: the one whose ОКТМО the request names.
    let mut kind = first.clone();
    if kinds.len() > 1
        && let Some(oktmo) = data.get("oktmo")
    {
        for k in &kinds {
            if w.tx.get::<Org>(k.org.0)?.is_some_and(|o| &o.oktmo == oktmo) {
                kind = k.clone();
            }
        }
    }
    act_for(w, kind.org);
    let verdict = m.personal_signature.clone();
    match &verdict {
        Some(v) if !v.valid => {
            return Err(Error::NotAllowed(format!("ЭП-СП запроса: {}", v.problem())));
        }
        None if kind.sign_personal => {
            return Err(Error::NotAllowed(format!(
                "Вид сведений «{}» требует ЭП-СП, а запрос ею не подписан",
                kind.name
            )));
        }
        _ => {}
    }
    let plain = take_files(w, m, &kind.fields, &[], &mut data)?;
    let mut req = super::requests::receive_incoming(
        w,
        &super::requests::IncomingInput {
            kind: kind.id,
            consumer_number: m.sender_message_id.clone(),
            message_id: m.sender_message_id.clone(),
            data,
            planned_days: ANSWER_DAYS,
        },
    )?;
    attach_plain(w, FileOwner::Incoming(req.id), &plain)?;
    put_route(w, m, Routed::Incoming(req.id), reply_to, "")?;
    let mut detail = format!("от {}, MessageID {}", sender(m), m.sender_message_id);
    if let Some(v) = verdict {
        detail.push_str("; ");
        detail.push_str(&v.note());
        req.personal.received = Some(v);
        w.tx.put(&req)?;
    }
    w.history(
        Entity::Incoming,
        req.id.0,
        "Запрос получен через СМЭВ",
        detail,
    )?;
    Ok(Receipt::Applied(format!(
        "incoming request {} of kind {}",
        req.number, kind.code
    )))
}

/// An application from a portal: registered at once, its status sent back.
fn application(w: &mut W, m: &Received, a: &PortalApplication, reply_to: &str) -> Result<Receipt> {
    let services: Vec<Service> = w
        .tx
        .all::<Service>()?
        .into_iter()
        .filter(|s| s.active && s.code == a.service_code && s.intake.as_deref() == Some(&a.intake))
        .collect();
    let mut service = None;
    for s in &services {
        let here = a.oktmo.is_empty()
            || w.tx
                .get::<Org>(s.org.0)?
                .is_some_and(|o| o.oktmo == a.oktmo);
        if here && service.is_none() {
            service = Some(s.clone());
        }
    }
    let Some(service) = service else {
        return Err(Error::NotAllowed(format!(
            "Услуга с кодом {} {}на этом узле не предоставляется",
            a.service_code,
            if a.oktmo.is_empty() {
                String::new()
            } else {
                format!("по ОКТМО {} ", a.oktmo)
            }
        )));
    };
    act_for(w, service.org);
    let mut data = a.fields.clone();
    let named: Vec<(String, String, String)> = a
        .files
        .iter()
        .map(|f| (f.key.clone(), f.content_id.clone(), f.name.clone()))
        .collect();
    let plain = take_files(w, m, &service.fields, &named, &mut data)?;
    let applicant = known_applicant(w, &a.applicant)?;
    let app = super::applications::create_application(
        w,
        &super::applications::NewApplication {
            service: service.id,
            dept: None,
            applicant,
            data,
            source: a.portal,
        },
    )?;
    attach_plain(w, FileOwner::Application(app.id), &plain)?;
    put_route(w, m, Routed::Application(app.id), reply_to, &a.order_id)?;
    w.history(
        Entity::Application,
        app.id.0,
        format!("Заявление принято с {}", a.portal.label()),
        format!("номер на портале {}", a.order_id),
    )?;
    let app = super::applications::act(
        w,
        app.id,
        &super::applications::ActionInput::new(Action::Register),
    )?;
    Ok(Receipt::Applied(format!(
        "application {} from {} (order {})",
        app.number,
        a.portal.label(),
        a.order_id
    )))
}

/// The applicant the registry already has under the same СНИЛС (a person) or ИНН, or a new
/// one.
fn known_applicant(w: &mut W, input: &ApplicantInput) -> Result<super::applications::ApplicantRef> {
    let checked = super::applicants::check_applicant(input)?;
    let q = match (&checked.snils, &checked.inn) {
        (Some(s), _) if checked.kind == ApplicantKind::Person => {
            Some(super::applicants::ApplicantQuery::Snils(s.clone()))
        }
        (_, Some(i)) => Some(super::applicants::ApplicantQuery::Inn(i.clone())),
        _ => None,
    };
    if let Some(q) = q {
        let prefix = super::applicants::applicant_prefix(w.who.org, &q)?;
        if let Some(id) = super::list::ids_with_prefix(&w.tx, &prefix, 1)?.first() {
            return Ok(super::applications::ApplicantRef::Existing(ApplicantId(
                *id,
            )));
        }
    }
    Ok(super::applications::ApplicantRef::New(input.clone()))
}

/// The consumer withdrew a request (1.1 `Cancel`): noted where staff see it.
fn cancel(w: &mut W, reference: &str) -> Result<Receipt> {
    let Some(r) = route_by_message(&w.tx, reference)? else {
        return Ok(Receipt::Kept(format!(
            "a Cancel of unknown MessageID {reference}"
        )));
    };
    act_for(w, r.org);
    if let Routed::Application(a) = r.about {
        return withdraw(w, a, &r.sender, reference);
    }
    let (e, id) = match r.about {
        Routed::Incoming(i) => (Entity::Incoming, i.0),
        Routed::Application(a) => (Entity::Application, a.0),
        Routed::Regional(r) => (Entity::Regional, r.0),
    };
    w.history(e, id, "Отправитель отозвал запрос", r.sender.clone())?;
    Ok(Receipt::Applied(format!("Cancel of {reference}")))
}

/// The applicant withdrew a portal application: an open one ends as «Работа по заявке
/// завершена» with its process, so nobody goes on working on it; one that had ended keeps
/// its status and only notes the withdrawal. Nothing goes back to the portal: the node's
/// portal format has no status for a withdrawal, and the real portal's is not built yet.
fn withdraw(w: &mut W, id: AppId, sender: &str, reference: &str) -> Result<Receipt> {
    const WHY: &str = "заявитель отозвал заявление";
    let mut app: Application = w.load(id.0)?;
    if application_ended(app.status) {
        w.history(
            Entity::Application,
            id.0,
            "Заявитель отозвал заявление",
            sender,
        )?;
        return Ok(Receipt::Applied(format!(
            "Cancel of {reference}, application had ended"
        )));
    }
    app.status = Status::Closed;
    app.updated = w.now;
    w.tx.put(&app)?;
    w.target("application", app.id);
    w.moved(
        Entity::Application,
        id.0,
        app.status.code(),
        "Заявитель отозвал заявление → Работа по заявке завершена",
        sender,
    )?;
    super::tasks::end_with_application(w, &app, Some(WHY))?;
    Ok(Receipt::Applied(format!(
        "Cancel of {reference}: application closed"
    )))
}

/// Commits a SendResponse to `reply_to` to the outbox under a new MessageID; returns the
/// MessageID. The exchange's runner builds and signs the envelope, outside this transaction.
pub(super) fn queue(
    w: &mut W,
    what: Outbound,
    reply_to: &str,
    content: ResponseContent,
    attachments: &[MessageFile],
) -> Result<String> {
    super::exchange::profile_on(w, "ответ")?;
    let message_id = super::exchange::new_message_id();
    let intent = Intent::Response {
        reply_to: reply_to.into(),
        content,
        files: attachments.to_vec(),
    };
    let org = w.who.org;
    super::exchange::enqueue(w, org, what, &message_id, OutBody::Intent(intent))?;
    Ok(message_id)
}

fn queue_refusal(w: &mut W, channel: Channel, reply_to: &str, r: &Refusal) -> Result<()> {
    if w.exchange.is_none() {
        tracing::warn!("a refusal not sent: the exchange is off");
        return Ok(());
    }
    queue(
        w,
        match channel {
            Channel::Federal => Outbound::Refusal,
            Channel::Regional => Outbound::RegionalRefusal,
        },
        reply_to,
        ResponseContent::Rejected(vec![(r.code, r.why.clone())]),
        &[],
    )?;
    Ok(())
}

/// The files of `owner` (those of `only`, when given) as message attachments, with their
/// names and sizes: bound to a form field, a file travels under the field's key, the rest as
/// fileN.
pub(super) fn message_files(
    t: &impl Read,
    owner: FileOwner,
    only: Option<&[String]>,
) -> Result<Vec<(MessageFile, String, u64)>> {
    let mut out = Vec::new();
    for (i, f) in files::files_of(t, owner)?.into_iter().enumerate() {
        if only.is_some_and(|ids| !ids.contains(&f.id.0.to_string())) {
            continue;
        }
        out.push((
            MessageFile {
                content_id: f.field.clone().unwrap_or_else(|| format!("file{}", i + 1)),
                mime: super::exchange::mime_of(&f.name).into(),
                file: f.id,
            },
            f.name,
            f.size,
        ));
    }
    Ok(out)
}

/// [`message_files`] within the profile's limit. Their bytes are read by the runner that
/// builds the message, not here.
pub(super) fn attachments(
    w: &W,
    owner: FileOwner,
    only: Option<&[String]>,
) -> Result<Vec<(MessageFile, String)>> {
    let limit = w
        .exchange
        .as_ref()
        .map_or(u64::MAX, |p| p.max_attachment_bytes);
    let list = message_files(&w.tx, owner, only)?;
    let total: u64 = list.iter().map(|(_, _, size)| size).sum();
    if total > limit {
        return Err(Error::invalid(
            "Файлы",
            format!(
                "Файлы занимают {}, а через СМЭВ можно отправить не более {}",
                size_label(total),
                size_label(limit)
            ),
        ));
    }
    Ok(list.into_iter().map(|(f, name, _)| (f, name)).collect())
}

/// The business element of the answer `answer` (checked) of kind `k`.
pub(crate) fn answer_business(
    x: &Exchange,
    k: &RequestKind,
    answer: &BTreeMap<String, String>,
) -> Result<String> {
    x.formats
        .answer(k, answer, k.sign_personal)
        .map_err(|e| super::exchange::misconfigured(k, &e))
}

/// Staff formed the answer to `req`: when it came over SMEV, the answer goes back to it,
/// with the ЭП-СП `pre` made before the transaction when the kind asks for one.
pub(crate) fn answer_out(
    w: &mut W,
    req: &mut IncomingRequest,
    k: &RequestKind,
    pre: Option<&Presigned>,
) -> Result<()> {
    let Some(route) = route_of(&w.tx, Routed::Incoming(req.id))? else {
        return Ok(());
    };
    let x = profile(w, "ответ")?;
    let business = answer_business(&x, k, &req.answer)?;
    let personal_signature = personal::signature_for(k, &business, pre)?;
    if personal_signature.is_some() {
        req.personal.signed_by = pre.map(|s| s.subject.clone());
        w.tx.put(&*req)?;
    }
    // The answer's own files: those its form's file fields hold.
    let files: Vec<MessageFile> = attachments(w, FileOwner::Incoming(req.id), None)?
        .into_iter()
        .map(|(f, _)| f)
        .filter(|f| k.answer_fields.iter().any(|x| x.key == f.content_id))
        .collect();
    let id = queue(
        w,
        Outbound::Response(req.id),
        &route.reply_to,
        ResponseContent::Primary {
            business,
            personal_signature,
        },
        &files,
    )?;
    let mut detail = format!("получатель {}, MessageID {id}", route.sender);
    if let Some(by) = &req.personal.signed_by {
        detail.push_str(&format!(", ЭП-СП: {by}"));
    }
    w.history(Entity::Incoming, req.id.0, "Ответ в очереди СМЭВ", detail)
}

/// An application changed status: when it came from a portal, the portal learns of it, in
/// the words of the intake package the application came through (its status table decides
/// which statuses it is told of). A published decision goes with its files.
pub(crate) fn portal_status(w: &mut W, app: &Application) -> Result<()> {
    if !app.source.from_portal() {
        return Ok(());
    }
    let Some(route) = route_of(&w.tx, Routed::Application(app.id))? else {
        return Ok(());
    };
    let not_sent = |w: &mut W, why: String| {
        w.history(
            Entity::Application,
            app.id.0,
            "Статус не отправлен на портал",
            why,
        )
    };
    let Some(x) = w.exchange.clone() else {
        return not_sent(w, "обмен со СМЭВ на этом узле не настроен".into());
    };
    // An ended certificate does not stop the work on the application: the portal is not
    // told, and the card's history says why.
    if let Err(why) = x.formats.can_sign() {
        return not_sent(w, why);
    }
    let service: Service = w.load(app.service.0)?;
    let Some(intake) = service.intake.clone() else {
        return not_sent(
            w,
            "у услуги нет пакета приёма заявлений портала (его статусов узел не знает)".into(),
        );
    };
    let final_decision = matches!(
        app.status,
        Status::ApprovedPositive | Status::ApprovedRefusal
    );
    let decision = app.decision.as_ref().filter(|_| final_decision);
    let reply = x.formats.portal_reply(
        &intake,
        &PortalResult {
            order: &route.order,
            number: &app.number,
            status: app.status,
            message: decision.map_or("", |d| d.message.as_str()),
        },
    );
    let business = match reply {
        Ok(Some(b)) => b,
        // The portal's table has no code for this step: it is not told of it.
        Ok(None) => return Ok(()),
        Err(e) => return not_sent(w, format!("пакет приёма {intake}: {e}")),
    };
    let files: Vec<MessageFile> = match decision {
        Some(d) => attachments(w, FileOwner::Application(app.id), Some(&d.files))?
            .into_iter()
            .map(|(f, _)| f)
            .collect(),
        None => Vec::new(),
    };
    let id = queue(
        w,
        Outbound::PortalStatus(app.id),
        &route.reply_to,
        ResponseContent::Primary {
            business,
            personal_signature: None,
        },
        &files,
    )?;
    w.history(
        Entity::Application,
        app.id.0,
        format!(
            "Статус «{}» поставлен в очередь на портал",
            app.status.label()
        ),
        if files.is_empty() {
            format!("MessageID {id}")
        } else {
            format!("MessageID {id}, файлов: {}", files.len())
        },
    )
}

impl Node {
    /// Where what came over an exchange came from: the sender, its MessageID, the portal's
    /// number. `None` for what was made on this node.
    pub fn route(&self, actor: Actor, about: Routed) -> Result<Option<RouteView>> {
        self.read(actor, |r| {
            match about {
                Routed::Incoming(id) => {
                    r.who.require("incoming.view", Right::Interagency)?;
                    let _: IncomingRequest = r.load(id.0)?;
                }
                Routed::Application(id) => {
                    let app: Application = r.load(id.0)?;
                    if !super::applications::may_open(&r.rx, &r.who, &app)? {
                        return Err(super::applications::no_rights(&app));
                    }
                }
                Routed::Regional(id) => {
                    r.who.require("regional.view", Right::Regional)?;
                    r.rx.get::<RegionalRequest>(id.0)?
                        .filter(|q| q.provider_org == Some(r.who.org))
                        .ok_or_else(|| Error::not_found("regional_request", id))?;
                }
            }
            Ok(route_of(&r.rx, about)?.map(|x| RouteView {
                sender: x.sender,
                message_id: x.message_id,
                order: x.order,
                test: x.test,
                received: x.received,
            }))
        })
    }
}
