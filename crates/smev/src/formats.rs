//! The formats the node's messages are written in, as the core asks for them
//! ([`volost_core::service::Formats`]): a kind's business element, the portal's and the regional
//! exchange's, and SMEV's words for its status codes in the schema version in use.

use super::envelope::Version;
use super::kinds::Kinds;
use super::personal::SIGNED_DATA_ID;
use super::profile::Profile;
use super::{business, regional, status};
use std::collections::BTreeMap;
use std::sync::Arc;
use volost_core::service::{self, Exchange, PortalResult, RequestContext, RequestError};
use volost_domain::RequestKind;
use volost_domain::received::RegionalMessage;

pub struct Formats {
    /// The node's signer: only asked whether its certificate may sign now.
    pub signer: Arc<dyn super::signer::Signer>,
    pub version: Version,
    /// The kinds' packages: what requests are written with.
    pub kinds: Arc<Kinds>,
}

fn id(signed: bool) -> Option<&'static str> {
    signed.then_some(SIGNED_DATA_ID)
}

impl service::Formats for Formats {
    fn can_sign(&self) -> Result<(), String> {
        super::signer::in_time(self.signer.cert()).map_err(|e| e.russian())
    }

    fn request(
        &self,
        k: &RequestKind,
        data: &BTreeMap<String, String>,
        cx: &RequestContext<'_>,
        signed: bool,
    ) -> Result<service::Outgoing, RequestError> {
        // Only a package writes a request: the agency's schema is the format, and a kind
        // without one has none the node may invent.
        self.kinds.request(&k.code, data, cx, signed)
    }

    fn answer(
        &self,
        k: &RequestKind,
        answer: &BTreeMap<String, String>,
        signed: bool,
    ) -> Result<String, String> {
        // A packaged kind's answer is the package's, or none: the node invents no element
        // for an agency's ВС.
        if let Some(r) = self.kinds.answer(&k.code, answer, signed) {
            return r;
        }
        business::to_xml(
            &k.namespace,
            &k.answer_root,
            &k.answer_fields,
            answer,
            id(signed),
        )
        .map_err(|e| e.to_string())
    }

    fn regional_request(&self, m: &RegionalMessage, signed: bool) -> String {
        regional::request_xml(m, id(signed))
    }

    fn regional_answer(&self, answer: &str, files: &[(String, String)]) -> String {
        regional::answer_xml(answer, files, None)
    }

    fn portal_reply(&self, intake: &str, r: &PortalResult) -> Result<Option<String>, String> {
        self.kinds.portal_reply(intake, r)
    }

    fn status_words(&self, code: &str) -> String {
        status::words(self.version, code)
    }
}

/// The exchange the core is handed for the node's `[smev]` profile.
pub fn exchange(p: &Profile, kinds: Arc<Kinds>) -> Exchange {
    Exchange {
        formats: Arc::new(Formats {
            signer: p.key.clone(),
            version: p.version,
            kinds,
        }),
        max_attachment_bytes: p.max_attachment_bytes,
        regional: p.regional.clone(),
    }
}
