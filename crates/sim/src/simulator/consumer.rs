//! The simulator as the providers the node asks: every request it takes is answered by the
//! scenario's steps (a status, the answer, a rejection, SMEV's refusal), each after a delay,
//! through GetResponse and GetStatus.

use super::{
    AnswerForms, Fault, Refusal, SIM_SENDER, Sim, empty, fault_response, metadata, mtom, refuse,
    signed_reply, take_fault,
};
use axum::response::Response;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use volost_smev::envelope::{self, SIGNED_BY_SMEV, Version, esc};
use volost_smev::keys::NodeKey;
use volost_smev::regional;
use volost_smev::xml::Element;

/// One step of the simulated provider's work on a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// A `RequestStatus` message: the agency took the request.
    Status {
        after_ms: u64,
        code: i64,
        description: String,
    },
    /// The business answer: the request's fields echoed under the answer root, with
    /// `fields` added.
    Answer {
        after_ms: u64,
        #[serde(default)]
        fields: BTreeMap<String, String>,
        /// Files attached to the answer.
        #[serde(default)]
        files: Vec<super::OfferedFile>,
    },
    /// `RequestRejected` with a code (`NO_DATA`, …).
    Reject {
        after_ms: u64,
        code: String,
        description: String,
    },
    /// SMEV's own refusal of the business data, as a GetStatus notice.
    SmevReject { after_ms: u64, details: String },
}

/// The script a request is answered by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub steps: Vec<Step>,
}

impl Scenario {
    /// A status after `ms`, the answer after twice that.
    pub fn answer_after(ms: u64) -> Scenario {
        Scenario {
            steps: vec![
                Step::Status {
                    after_ms: ms,
                    code: 1,
                    description: "Запрос принят к исполнению".into(),
                },
                Step::Answer {
                    after_ms: ms * 2,
                    fields: BTreeMap::new(),
                    files: Vec::new(),
                },
            ],
        }
    }
}

/// A message waiting in the node's response queue.
#[derive(Clone, Debug)]
pub(super) struct Queued {
    pub(super) due: Instant,
    /// `MessageMetadata/MessageId`, what the Ack names.
    pub(super) message_id: String,
    /// `SenderProvidedResponseData` content, without the element itself.
    pub(super) content: String,
    pub(super) original_id: String,
    pub(super) files: Vec<(String, String, Vec<u8>)>,
    /// Delivered once already and kept for a duplicate delivery.
    pub(super) again: bool,
}

/// A SMEV notice waiting for GetStatus.
#[derive(Clone, Debug)]
pub(super) struct Notice {
    pub(super) due: Instant,
    pub(super) original_id: String,
    pub(super) category: String,
    pub(super) details: String,
}

pub(super) fn send_request(
    sim: &Sim,
    doc: &Element,
    data: &Element,
    types: &str,
    basic: &str,
) -> Result<Response, Refusal> {
    let id = super::message_id(data, types)?;
    let business = data
        .child(basic, "MessagePrimaryContent")
        .and_then(|p| p.elements().next())
        .ok_or_else(|| refuse("InvalidContent", "no business data"))?
        .clone();
    // SMEV validates the business data against the schema registered for its type, and
    // refuses what does not pass before it takes the message.
    if let Some(why) = sim.agencies.as_ref().and_then(|a| a.refuses(&business)) {
        return Err(refuse("InvalidContent", why));
    }
    if let Some((code, why)) = sim
        .agencies
        .as_ref()
        .and_then(|a| a.packet_refusal(&business, (doc, data), basic))
    {
        return Err(refuse(code, why));
    }
    let personal = volost_smev::reply::personal_signature(doc, data, &business, types);
    let mut g = sim.lock();
    if !g.seen.insert(id.clone()) {
        drop(g);
        return Err(refuse(
            "MessageIsAlreadySent",
            format!("SMEV-301: {id} was sent before"),
        ));
    }
    g.state.requests.push(id.clone());
    let mut scenario = g.scenario.clone();
    // The agency checks the employee's signature before anything else: a bad one is refused
    // (SMEV itself does not look at it). A signed request gets a signed answer.
    let sign_answer = personal.as_ref().is_some_and(|v| v.valid);
    if let Some(v) = personal {
        if !v.valid {
            scenario.steps = vec![Step::Reject {
                after_ms: 0,
                code: "ACCESS_DENIED".into(),
                description: format!("ЭП-СП запроса не верна: {}", v.reason),
            }];
        }
        g.state.personal.insert(id.clone(), v);
    }
    let start = Instant::now();
    for step in scenario.steps {
        let mut files = Vec::new();
        let (after_ms, content) = match step {
            Step::SmevReject { after_ms, details } => {
                g.notices.push_back(Notice {
                    due: start + Duration::from_millis(after_ms),
                    original_id: id.clone(),
                    category: "requestIsRejectedBySmev".into(),
                    details,
                });
                continue;
            }
            Step::Status {
                after_ms,
                code,
                description,
            } => (
                after_ms,
                format!(
                    "<tns:RequestStatus><tns:StatusCode>{code}</tns:StatusCode>\
                     <tns:StatusDescription>{}</tns:StatusDescription></tns:RequestStatus>",
                    esc(&description)
                ),
            ),
            Step::Answer {
                after_ms,
                fields,
                files: attached,
            } => {
                files = super::provider::decode(&attached).map_err(|e| refuse("SMEVFailure", e))?;
                let key = sign_answer.then_some(&sim.key);
                let mut content = answer(sim, &business, &fields, key);
                if !files.is_empty() {
                    content.push_str("<basic:AttachmentHeaderList>");
                    for (id, mime, _) in &files {
                        content.push_str(&format!(
                            "<basic:AttachmentHeader><basic:contentId>{}</basic:contentId>\
                             <basic:MimeType>{}</basic:MimeType></basic:AttachmentHeader>",
                            esc(id),
                            esc(mime)
                        ));
                    }
                    content.push_str("</basic:AttachmentHeaderList>");
                }
                (after_ms, content)
            }
            Step::Reject {
                after_ms,
                code,
                description,
            } => (
                after_ms,
                format!(
                    "<tns:RequestRejected><tns:RejectionReasonCode>{}</tns:RejectionReasonCode>\
                     <tns:RejectionReasonDescription>{}</tns:RejectionReasonDescription>\
                     </tns:RequestRejected>",
                    esc(&code),
                    esc(&description)
                ),
            ),
        };
        g.queue.push(Queued {
            due: start + Duration::from_millis(after_ms),
            message_id: envelope::new_message_id(),
            content,
            original_id: id.clone(),
            files,
            again: false,
        });
    }
    drop(g);
    let meta = metadata(&id, "REQUEST", "requestIsQueued", SIM_SENDER);
    let xml = signed_reply(sim, "SendRequestResponse", None, &meta, "", false)
        .map_err(|e| refuse("SMEVFailure", e))?;
    Ok(mtom(xml, &[]))
}

/// The answer's business element. For a kind of the starter catalog: its answer root, each
/// answer field filled from the request's field of the same key or with a valid sample. For
/// another type: the root renamed (`…Request` → `…Response`) and the request's fields
/// echoed. `extra` is added or replaces either.
pub(super) fn answer(
    sim: &Sim,
    req: &Element,
    extra: &BTreeMap<String, String>,
    personal: Option<&NodeKey>,
) -> String {
    let id = personal.map(|_| volost_smev::personal::SIGNED_DATA_ID);
    let real = || sim.agencies.as_ref()?.answer(req, extra);
    let b = if req.is(regional::NS, regional::REQUEST) {
        regional_answer(req, extra, id)
    } else if let Some(b) = real() {
        b
    } else {
        kind_answer(&sim.forms, req, extra, id)
    };
    // The agency's employee signs the answer as the node's signed the request.
    let sig = personal
        .and_then(|k| volost_smev::personal::sign(&b, k).ok())
        .map(|s| format!("<tns:PersonalSignature>{s}</tns:PersonalSignature>"))
        .unwrap_or_default();
    format!("<basic:MessagePrimaryContent>{b}</basic:MessagePrimaryContent>{sig}")
}

/// A regional body's answer: `extra`'s `Answer`, or a plain reply naming the subject.
fn regional_answer(req: &Element, extra: &BTreeMap<String, String>, id: Option<&str>) -> String {
    let subject = req
        .child(regional::NS, "Subject")
        .map(|e| e.text())
        .unwrap_or_default();
    let text = extra.get("Answer").cloned().unwrap_or_else(|| {
        format!("По запросу «{subject}» сообщаем: сведения в органе имеются, копия документа будет направлена почтой.")
    });
    regional::answer_xml(&text, &[], id)
}

fn kind_answer(
    forms: &AnswerForms,
    req: &Element,
    extra: &BTreeMap<String, String>,
    id: Option<&str>,
) -> String {
    let ns = req.ns.clone().unwrap_or_default();
    // What the request says of the same thing the answer's form asks, by name: a form key
    // (`family_name`) meets the agency's element (`FamilyName`) with case and `_` ignored.
    let plain = |s: &str| s.replace('_', "").to_lowercase();
    let children: BTreeMap<String, String> = req
        .elements()
        .map(|e| (e.local.clone(), e.text()))
        .collect();
    let echoed: BTreeMap<String, String> = children
        .iter()
        .map(|(k, v)| (plain(k), v.clone()))
        .collect();
    // Values a real register could hold, about a person of its own.
    let mut rng = rand::rngs::StdRng::from_entropy();
    let p = crate::demo::person(&mut rng);
    let today = time::OffsetDateTime::now_utc().date();
    let (root, mut fields) = match forms.get(&(ns.clone(), req.local.clone())) {
        Some((root, form)) => (
            root.clone(),
            form.iter()
                .filter(|f| f.ftype != volost_domain::FieldType::File)
                .map(|f| {
                    let v = echoed
                        .get(&plain(&f.key))
                        .cloned()
                        .unwrap_or_else(|| crate::demo::value_for(f, &p, &mut rng, today));
                    (f.key.clone(), v)
                })
                .collect::<BTreeMap<_, _>>(),
        ),
        None => (
            match req.local.strip_suffix("Request") {
                Some(stem) => format!("{stem}Response"),
                None => format!("{}Response", req.local),
            },
            children,
        ),
    };
    fields.extend(extra.clone());
    let id = id
        .map(|i| format!(" Id=\"{}\"", esc(i)))
        .unwrap_or_default();
    let mut b = format!("<a:{root} xmlns:a=\"{}\"{id}>", esc(&ns));
    for (k, v) in &fields {
        b.push_str(&format!("<a:{k}>{}</a:{k}>", esc(v)));
    }
    b.push_str(&format!("</a:{root}>"));
    b
}

pub(super) fn get_response(sim: &Sim) -> Response {
    let now = Instant::now();
    let reorder = take_fault(sim, "GetResponse", |f| *f == Fault::Reorder).is_some();
    let g = sim.lock();
    let due: Vec<usize> = (0..g.queue.len())
        .filter(|i| g.queue[*i].due <= now)
        .collect();
    let pick = if reorder { due.last() } else { due.first() };
    let Some(&i) = pick else {
        drop(g);
        return mtom(empty("GetResponseResponse"), &[]);
    };
    let q = g.queue[i].clone();
    drop(g);
    let duplicate = take_fault(sim, "GetResponse", |f| *f == Fault::Duplicate).is_some();
    if duplicate {
        let mut g = sim.lock();
        if let Some(item) = g.queue.iter_mut().find(|x| x.message_id == q.message_id) {
            item.again = true;
        }
    }
    let tamper = take_fault(sim, "GetResponse", |f| *f == Fault::BadSignature).is_some();
    let v = Version::V1_1;
    let resp = format!(
        "<tns:Response xmlns:tns=\"{}\" xmlns:basic=\"{}\" Id=\"{SIGNED_BY_SMEV}\">\
         <tns:OriginalMessageId>{}</tns:OriginalMessageId>\
         <tns:SenderProvidedResponseData Id=\"SIGNED_BY_PROVIDER\"><tns:MessageID>{}</tns:MessageID>\
         <tns:To>node</tns:To>{}</tns:SenderProvidedResponseData>{}</tns:Response>",
        v.types(),
        v.basic(),
        q.original_id,
        envelope::new_message_id(),
        q.content,
        metadata(
            &q.message_id,
            "RESPONSE",
            "responseIsAcceptedBySmev",
            SIM_SENDER
        )
        .replace(&format!(" Id=\"{SIGNED_BY_SMEV}\""), "")
        .replace(&format!(" xmlns:tns=\"{}\"", v.types()), ""),
    );
    let parts: Vec<(String, Vec<u8>)> = q
        .files
        .iter()
        .map(|(id, _, b)| (id.clone(), b.clone()))
        .collect();
    let contents = super::xop_contents(q.files.iter().map(|(id, _, _)| id.as_str()));
    match signed_reply(
        sim,
        "GetResponseResponse",
        Some("ResponseMessage"),
        &resp,
        &contents,
        tamper,
    ) {
        Ok(xml) => mtom(xml, &parts),
        Err(e) => fault_response("SMEVFailure", "SMEV-500", &e),
    }
}

pub(super) fn get_status(sim: &Sim) -> Response {
    let now = Instant::now();
    let mut g = sim.lock();
    let Some(i) = g.notices.iter().position(|n| n.due <= now) else {
        drop(g);
        return mtom(empty("GetStatusResponse"), &[]);
    };
    let Some(n) = g.notices.remove(i) else {
        drop(g);
        return mtom(empty("GetStatusResponse"), &[]);
    };
    drop(g);
    let v = Version::V1_1;
    let data = format!(
        "<tns:AsyncProcessingStatusData xmlns:tns=\"{}\" Id=\"{SIGNED_BY_SMEV}\"><tns:AsyncProcessingStatus>\
         <tns:OriginalMessageId>{}</tns:OriginalMessageId><tns:StatusCategory>{}</tns:StatusCategory>\
         <tns:StatusDetails>{}</tns:StatusDetails></tns:AsyncProcessingStatus></tns:AsyncProcessingStatusData>",
        v.types(),
        n.original_id,
        n.category,
        esc(&n.details)
    );
    match signed_reply(
        sim,
        "GetStatusResponse",
        Some("SmevAsyncProcessingMessage"),
        &data,
        "",
        false,
    ) {
        Ok(xml) => mtom(xml, &[]),
        Err(e) => fault_response("SMEVFailure", "SMEV-500", &e),
    }
}
