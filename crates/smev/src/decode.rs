//! A received message read for the node: the envelope's facts, the verdicts on its
//! signatures, and its business element read into what the core knows
//! (`domain::received`). The core takes that and never sees the XML.

use super::kinds::Kinds;
use super::regional;
use super::reply;
use super::trust::Stores;
use super::xml::Element;
use volost_domain::received::{self, Business, Reading};

/// What `m` says, for [`volost_core::service::Node::exchange_receive`]; an agency's answer
/// is checked by the package whose answer it is, among `kinds`; its signatures' certificates
/// by `trust` at `now` (unix seconds).
pub fn for_node(
    m: reply::Received,
    kinds: Option<&Kinds>,
    trust: &Stores,
    now: i64,
) -> received::Received {
    let sender = if m.metadata.sender_name.is_empty() {
        m.metadata.sender_mnemonic
    } else {
        m.metadata.sender_name
    };
    received::Received {
        message_id: m.message_id,
        sender_message_id: m.sender_message_id,
        original_id: m.original_id,
        reply_to: m.reply_to,
        sender,
        content: content(m.content, kinds),
        files: m
            .files
            .into_iter()
            .map(|f| received::ReceivedFile {
                id: f.id,
                mime: f.mime,
                bytes: f.bytes.into(),
            })
            .collect(),
        test: m.test,
        smev_signature: trust.judge_exchange(m.smev_signature, now),
        personal_signature: m.personal_signature.map(|p| trust.judge_personal(p, now)),
    }
}

fn content(c: reply::Content, kinds: Option<&Kinds>) -> received::Content {
    match c {
        reply::Content::Primary(e) => received::Content::Primary(business(&e, kinds)),
        reply::Content::Rejected(r) => received::Content::Rejected(r),
        reply::Content::Status {
            code,
            description,
            params,
        } => received::Content::Status {
            code,
            description,
            params,
        },
        reply::Content::Async(s) => received::Content::Async(s),
        reply::Content::Cancel(id) => received::Content::Cancel(id),
    }
}

/// The business element read by its root: the formats the node knows by name, an agency's
/// element as its children, kept as it came and checked by its kind's package.
pub fn business(e: &Element, kinds: Option<&Kinds>) -> Business {
    let mut raw = String::new();
    let mut answer = None;
    let read = if let Some(app) = kinds.and_then(|k| k.intake(e)) {
        Reading::Portal(app.map(Box::new))
    } else if e.is(regional::NS, regional::REQUEST) {
        Reading::RegionalRequest(regional::parse_request(e).map_err(|x| x.to_string()))
    } else if e.is(regional::NS, regional::ANSWER) {
        Reading::RegionalAnswer(regional::parse_answer(e).map_err(|x| x.to_string()))
    } else {
        // The canonical form stands alone: every namespace it uses is declared in it.
        raw = super::c14n::canonical_text(e);
        answer = kinds
            .and_then(|k| k.check_answer(e, raw.as_bytes()))
            .map(Box::new);
        Reading::Fields(
            e.elements()
                .filter(|c| c.ns.is_some() && c.ns == e.ns)
                .map(|c| {
                    let leaf = c.elements().next().is_none();
                    (c.local.clone(), leaf.then(|| c.text()))
                })
                .collect(),
        )
    };
    Business {
        ns: e.ns.clone().unwrap_or_default(),
        root: e.local.clone(),
        read,
        raw,
        answer,
    }
}
