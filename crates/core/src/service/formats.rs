//! What the core asks of the exchange adapter: the business elements of the messages it
//! sends, written from its data in the formats the adapter knows (an agency's kind, the
//! portal's, the regional exchange's), and SMEV's words for its status codes. The core
//! decides what to send and when; how it is written, signed and sent is the adapter's, so
//! the core holds no XML and no crypto. The daemon hands both over with
//! [`super::Node::set_exchange`].

use std::collections::BTreeMap;
use std::sync::Arc;
use volost_api::view::AnswerView;
use volost_domain::received::RegionalMessage;
use volost_domain::{
    KindPackage, Org, PackageFile, PackageInfo, Packet, RegionalBody, RequestKind, Status,
};

/// What a request sends, built and validated: its business element, and the documents
/// zipped beside it where its ВС asks for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub business: String,
    pub packet: Option<Packet>,
}

/// What a request's element is built with besides its form: the requesting body's codes,
/// the request's number and the day it is sent.
pub struct RequestContext<'a> {
    pub number: &'a str,
    /// The node's time at its offset (the request's date, a statement's moment).
    pub now: time::OffsetDateTime,
    pub body: &'a Org,
}

/// Why a request's element could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The agency's schema does not take what the form holds: staff's words, in the form's
    /// own labels, for the form to show.
    Form(String),
    /// The kind cannot be written at all (its package is missing or broken): for the
    /// administrator.
    Kind(String),
}

/// The business elements of the node's messages. A request's element is built before the
/// write transaction that queues it (it is validated against the agency's schema, which is
/// not for a write transaction to wait on) and the write takes it as built; the others are
/// cheap and pure and run inside the write.
pub trait Formats: Send + Sync {
    /// Whether the node's key may sign now (its certificate inside its validity), or why
    /// not, in Russian: checked before a message is queued, so nothing waits in the outbox
    /// for a signature that cannot be made.
    fn can_sign(&self) -> Result<(), String>;
    /// The request of kind `k` with the form values `data`, validated against the kind's
    /// package. `signed`: it carries the `Id` an ЭП-СП references.
    fn request(
        &self,
        k: &RequestKind,
        data: &BTreeMap<String, String>,
        cx: &RequestContext<'_>,
        signed: bool,
    ) -> Result<Outgoing, RequestError>;
    /// The answer of kind `k` with the values `answer`.
    fn answer(
        &self,
        k: &RequestKind,
        answer: &BTreeMap<String, String>,
        signed: bool,
    ) -> Result<String, String>;
    /// A regional request.
    fn regional_request(&self, m: &RegionalMessage, signed: bool) -> String;
    /// The answer to a regional request: its text and its files' (content id, name).
    fn regional_answer(&self, answer: &str, files: &[(String, String)]) -> String;
    /// What the portal an application came through is told of its status `r`: the
    /// business element the intake package `intake` writes (its status table's code, the
    /// decision's message), or `None` when the table does not report this status.
    fn portal_reply(&self, intake: &str, r: &PortalResult) -> Result<Option<String>, String>;
    /// SMEV's words for one of its status codes (the code itself when it has none).
    fn status_words(&self, code: &str) -> String;
}

/// An application's status as its portal is told: the files of a decision travel as the
/// message's attachments.
pub struct PortalResult<'a> {
    pub order: &'a str,
    pub number: &'a str,
    pub status: Status,
    /// The decision's message to the applicant, empty before a decision.
    pub message: &'a str,
}

/// The exchange, once the daemon has configured it: its settings and its formats.
#[derive(Clone)]
pub struct Exchange {
    pub formats: Arc<dyn Formats>,
    /// The largest total of files in one message, in bytes.
    pub max_attachment_bytes: u64,
    /// The regional exchange is on: the bodies of the region it reaches.
    pub regional: Option<Vec<RegionalBody>>,
}

/// The kinds' packages, as the adapter reads them: the core keeps a package's files and
/// what the adapter says of them, and never reads them itself. Checking one compiles the
/// agency's schemas and validates the samples, which takes milliseconds: never inside a
/// write transaction.
pub trait Packages: Send + Sync {
    /// Checks a package's files (all of its checks) and makes it the one its kind code is
    /// written with from now on; what it says of itself, or why it is refused, in Russian.
    fn load(&self, files: &[PackageFile]) -> Result<PackageInfo, String>;
    /// The package the node keeps for `code` was removed or replaced by one that failed:
    /// forget it.
    fn unload(&self, code: &str);
    /// An agency's answer of kind `code` as staff see it, read by the kind's package.
    fn read_answer(&self, code: &str, xml: &[u8]) -> Result<AnswerView, String>;
}

/// A stored package, loaded again when the node starts.
pub fn reload(p: &dyn Packages, k: &KindPackage) -> Result<(), String> {
    let info = p.load(&k.files)?;
    if info.code != k.info.code {
        p.unload(&info.code);
        return Err(format!(
            "the package stored as {} says it is {}",
            k.info.code, info.code
        ));
    }
    Ok(())
}
