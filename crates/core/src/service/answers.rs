//! An agency's answer to an outgoing request (issue 29): judged on arrival — by its kind's
//! package's verdict, which the adapter read against the agency's schema, or, for a kind
//! without a package, by its answer form — kept whole on the request, and read back for the
//! card through the package.

use super::{Actor, Error, Node, Result, W, files};
use std::collections::BTreeMap;
use volost_api::view::AnswerView;
use volost_domain::received::{Business, Reading};
use volost_domain::*;
use volost_store::Read;

use super::provider::MAX_RECEIVED_FILE;

/// The answer's values for the request's answer form, or why it is not an answer of kind
/// `k` (`packaged`: the kind has a package, whose verdict decides).
pub(super) fn judge(
    body: &Business,
    k: &RequestKind,
    packaged: bool,
) -> std::result::Result<BTreeMap<String, String>, String> {
    if packaged {
        // The agency's schema is the judge, as the package read it; the answer's
        // own form keeps what of it is plain values (a summary, where it has one).
        match &body.answer {
            // Two kinds may speak one ВС (Росреестр's extracts): the package that judged
            // the answer is the one whose answer root it is, and its verdict stands for both.
            Some(c)
                if c.code == k.code || (body.ns == k.namespace && body.root == k.answer_root) =>
            {
                match &c.problem {
                    None => Ok(answer_values(body, k)),
                    Some(p) => Err(p.clone()),
                }
            }
            // The agency has not published its answer's schema: an element of the
            // ВС's namespace is taken as its answer, unchecked (the card says so).
            None if k.answer_root.is_empty() && body.ns == k.namespace => {
                Ok(answer_values(body, k))
            }
            _ => Err(format!(
                "пришёл элемент {{{}}}{}, а ответ этого вида — {{{}}}{}",
                body.ns, body.root, k.namespace, k.answer_root
            )),
        }
    } else {
        body.fields(&k.namespace, &k.answer_root, &k.answer_fields)
            .map_err(|e| e.to_string())
            .and_then(|data| {
                super::applications::check_form(&k.answer_fields, &data).map_err(|e| e.ru())
            })
    }
}

/// The answer's plain values the kind's answer form names (its elements in the root's
/// namespace that hold a value, a key meeting an element's name with case and `_` ignored:
/// `snils` and `Snils`), each checked like a form's field; what does not pass is left out,
/// since the schema has judged the answer already.
fn answer_values(body: &Business, k: &RequestKind) -> BTreeMap<String, String> {
    let check = |f: &Field, v: &str| volost_domain::validate::field(f, v.trim()).is_ok();
    // What the package's summary read, where it maps one.
    if let Some(c) = body.answer.as_ref().filter(|c| !c.summary.is_empty()) {
        return k
            .answer_fields
            .iter()
            .filter(|f| f.ftype != FieldType::File)
            .filter_map(|f| {
                let v = c.summary.get(&f.key)?;
                check(f, v).then(|| (f.key.clone(), v.trim().to_string()))
            })
            .collect();
    }
    let Reading::Fields(children) = &body.read else {
        return Default::default();
    };
    k.answer_fields
        .iter()
        .filter(|f| f.ftype != FieldType::File)
        .filter_map(|f| {
            let plain = |s: &str| s.replace('_', "").to_lowercase();
            let v = children
                .iter()
                .find(|(name, _)| plain(name) == plain(&f.key))
                .and_then(|(_, v)| v.clone())?;
            volost_domain::validate::field(f, v.trim())
                .is_ok()
                .then(|| (f.key.clone(), v.trim().to_string()))
        })
        .collect()
}

/// The agency's answer element, kept on the request as a file staff can open (`ответ
/// ведомства.xml`), marked as the answer for the card to read.
pub(super) fn keep(w: &mut W, req: &OutgoingRequest, raw: &str) -> Result<()> {
    if raw.is_empty() {
        return Ok(());
    }
    let mut a = files::store(
        w,
        Some(FileOwner::Outgoing(req.id)),
        ANSWER_FILE,
        raw.as_bytes(),
        MAX_RECEIVED_FILE,
    )?;
    a.field = Some(ANSWER_FIELD.into());
    w.tx.put(&a)?;
    Ok(())
}

/// The name and the mark of an agency's answer kept on its request.
const ANSWER_FILE: &str = "ответ ведомства.xml";
const ANSWER_FIELD: &str = "answer.xml";

impl Node {
    /// The agency's answer to an outgoing request as staff read it: the answer kept on the
    /// request (`ответ ведомства.xml`), read by its kind's package — the tree with the
    /// schema's labels and, when it is not a valid answer, why. `None` when no such answer
    /// is kept (none came yet, or the kind has no package).
    pub fn outgoing_answer(&self, actor: Actor, id: OutReqId) -> Result<Option<AnswerView>> {
        let found = self.read(actor, |r| {
            r.who.require("outgoing.view", Right::Interagency)?;
            let req: OutgoingRequest = r.load(id.0)?;
            let k: RequestKind = r.load(req.kind.0)?;
            let files = super::files::files_of(&r.rx, FileOwner::Outgoing(id))?;
            let Some(f) = files
                .iter()
                .rev()
                .find(|f| f.field.as_deref() == Some(ANSWER_FIELD))
            else {
                return Ok(None);
            };
            let data =
                r.rx.get_raw(volost_store::tables::FILE_DATA, f.id.0)?
                    .ok_or_else(|| Error::not_found("file data", f.id))?;
            Ok(Some((k.code, data)))
        })?;
        let Some((code, data)) = found else {
            return Ok(None);
        };
        // Read outside the transaction: a schema may be compiled on this thread first.
        let p = self.packages()?;
        p.read_answer(&code, &data)
            .map(Some)
            .map_err(|why| Error::Internal(format!("answer of kind {code} unreadable: {why}")))
    }
}
