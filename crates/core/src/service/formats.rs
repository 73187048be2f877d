//! What the core asks of the exchange adapter: the business elements of the messages it
//! sends, written from its data in the formats the adapter knows (an agency's kind, the
//! portal's, the regional exchange's), and SMEV's words for its status codes. The core
//! decides what to send and when; how it is written, signed and sent is the adapter's, so
//! the core holds no XML and no crypto. The daemon hands both over with
//! [`super::Node::set_exchange`].

use std::collections::BTreeMap;
use std::sync::Arc;
use volost_domain::received::RegionalMessage;
use volost_domain::{RegionalBody, RequestKind, Status};

/// The business elements of the node's messages. Each is cheap and pure: it runs inside
/// the operation's write transaction, where the element is built again to compare with the
/// one an employee's ЭП-СП was made over before it.
pub trait Formats: Send + Sync {
    /// The request of kind `k` with the form values `data`. `signed`: it carries the `Id`
    /// an ЭП-СП references. Why not, in English, when the kind is misconfigured.
    fn request(
        &self,
        k: &RequestKind,
        data: &BTreeMap<String, String>,
        signed: bool,
    ) -> Result<String, String>;
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
    /// A decision's result for the portal an application came from.
    fn portal_result(&self, r: &PortalResult) -> String;
    /// The portal's code of an application status.
    fn portal_status(&self, s: Status) -> i64;
    /// SMEV's words for one of its status codes (the code itself when it has none).
    fn status_words(&self, code: &str) -> String;
}

/// A decision's result as the portal gets it.
pub struct PortalResult<'a> {
    pub order: &'a str,
    pub number: &'a str,
    pub status: Status,
    pub message: &'a str,
    /// (content id, name) of each file.
    pub files: &'a [(String, String)],
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
