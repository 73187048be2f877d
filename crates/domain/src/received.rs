//! A message the exchange took from a queue, as the node takes it in: the exchange adapter
//! has read the envelope, checked its signatures and read the business element into what
//! the node knows — a kind's values, a portal application, a regional request or answer.
//! The XML itself, its schemas and its signatures never reach the core.

use crate::{ApplicantInput, RegionalBody, SignatureVerdict, Source};
use std::collections::BTreeMap;

/// A response to one of the node's requests, or a request to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    /// The exchange's id of the message: what its Ack names.
    pub message_id: String,
    /// The sender's own `MessageID`.
    pub sender_message_id: String,
    /// The request this one answers (`OriginalMessageId`), for responses.
    pub original_id: Option<String>,
    /// `ReplyTo` of a request, copied verbatim into the node's answer.
    pub reply_to: Option<String>,
    /// Who sent it, as the exchange names them (its name, or its mnemonic).
    pub sender: String,
    pub content: Content,
    pub files: Vec<ReceivedFile>,
    /// The sender marked it as a test message.
    pub test: bool,
    /// The verdict on the exchange's signature: the signer, or why it failed (English).
    pub smev_signature: Result<String, String>,
    /// The verdict on the personal signature (ЭП-СП) over the business data, if it had one.
    pub personal_signature: Option<SignatureVerdict>,
}

/// A file that came with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedFile {
    /// Its content id in the message.
    pub id: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// The content of a received request or response.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// The business data.
    Primary(Business),
    /// `RequestRejected`: (code, description) pairs.
    Rejected(Vec<(String, String)>),
    /// `RequestStatus`.
    Status {
        code: i64,
        description: String,
        params: Vec<(String, String)>,
    },
    /// The exchange's own notice in the provider's place.
    Async(AsyncStatus),
    /// The consumer withdrew the request with this MessageID.
    Cancel(String),
}

/// The exchange's own processing notice (`AsyncProcessingStatus`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncStatus {
    pub original_id: String,
    pub category: String,
    pub details: String,
    pub fault: Option<(String, String)>,
}

/// A business element: its root's namespace and name, and what the adapter read in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Business {
    pub ns: String,
    pub root: String,
    pub read: Reading,
    /// An agency's element as it came, for the card (empty for the node's own formats).
    pub raw: String,
    /// The verdict of the package whose answer root this element is, when one is.
    pub answer: Option<Box<AnswerCheck>>,
}

/// What a kind's package says of an agency's answer, read by the adapter against the
/// agency's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerCheck {
    /// The kind whose answer root the element is.
    pub code: String,
    /// Why it is not a valid answer of that kind; `None` when it is.
    pub problem: Option<String>,
    /// The answer form's values the package's summary reads from it (answer form key →
    /// value); empty where the package maps none.
    pub summary: std::collections::BTreeMap<String, String>,
}

/// What a business element was read as. A format the adapter knows but whose reading
/// failed carries why, in Russian, for the refusal or the card.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    /// An agency's element (a request of a kind, an answer to one): the children in the
    /// root's namespace in document order, by local name, with their text — `None` for a
    /// child that holds elements — for the kind's form to take its fields from.
    Fields(Vec<(String, Option<String>)>),
    /// An application from a portal.
    Portal(Result<Box<PortalApplication>, String>),
    /// A regional request from a body elsewhere.
    RegionalRequest(Result<RegionalMessage, String>),
    /// The answer to a regional request: its text and its files' (content id, name).
    RegionalAnswer(Result<(String, Vec<(String, String)>), String>),
}

/// A file of a portal application: the field it fills, the attachment that holds it, its
/// name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalFile {
    pub key: String,
    pub content_id: String,
    pub name: String,
}

/// An application as the portal sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct PortalApplication {
    pub portal: Source,
    /// The intake package the portal delivered it in (the service must use that one).
    pub intake: String,
    /// The portal's own number of the application.
    pub order_id: String,
    pub service_code: String,
    /// ОКТМО of the place of provision, which picks the body when several on the node
    /// provide the service.
    pub oktmo: String,
    pub applicant: ApplicantInput,
    pub fields: BTreeMap<String, String>,
    pub files: Vec<PortalFile>,
}

/// A regional request as it travels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionalMessage {
    pub sender_name: String,
    pub sender_inn: String,
    pub recipient: RegionalBody,
    pub subject: String,
    pub comment: String,
    /// Content id and file name of each attachment.
    pub files: Vec<(String, String)>,
}

/// Why a kind's values could not be taken from a business element.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FieldsError {
    #[error("ожидался элемент {{{ns}}}{root}, а пришёл {{{found_ns}}}{found}")]
    WrongRoot {
        ns: String,
        root: String,
        found_ns: String,
        found: String,
    },
    #[error("элемент {0} повторяется")]
    Repeated(String),
    #[error("элемент {0} содержит вложенные элементы вместо значения")]
    Nested(String),
    #[error("{0}")]
    Unreadable(String),
}

impl Business {
    /// The values of `fields` in this element, which must be `{ns}root`. Children the form
    /// does not know are left out (a provider may send more than the form shows); the
    /// caller checks the values like any form.
    pub fn fields(
        &self,
        ns: &str,
        root: &str,
        fields: &[crate::Field],
    ) -> Result<BTreeMap<String, String>, FieldsError> {
        if self.ns != ns || self.root != root {
            return Err(FieldsError::WrongRoot {
                ns: ns.into(),
                root: root.into(),
                found_ns: self.ns.clone(),
                found: self.root.clone(),
            });
        }
        let Reading::Fields(children) = &self.read else {
            return Err(FieldsError::Unreadable(format!(
                "{{{}}}{} — не сведения вида",
                self.ns, self.root
            )));
        };
        let mut out = BTreeMap::new();
        for (local, text) in children {
            let Some(f) = fields.iter().find(|f| &f.key == local) else {
                continue;
            };
            let Some(text) = text else {
                return Err(FieldsError::Nested(f.key.clone()));
            };
            if out.insert(f.key.clone(), text.trim().to_string()).is_some() {
                return Err(FieldsError::Repeated(f.key.clone()));
            }
        }
        Ok(out)
    }
}
