//! The node's side of the SMEV exchange as rows: the outbox of messages waiting to go
//! and the journal of every message received. The protocol itself is `smev/`'s.

use super::ids::{AppId, InReqId, OrgId, OutReqId, RegReqId, Ts};
use serde::{Deserialize, Serialize};

/// What an outbox message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outbound {
    /// SendRequest of an outgoing request.
    Request(OutReqId),
    /// SendResponse: the answer to an incoming request.
    Response(InReqId),
    /// SendResponse to the portal: a status change or the result of an application.
    PortalStatus(AppId),
    /// SendResponse refusing a request the node could not take (`RequestRejected`).
    Refusal,
    /// SendRequest of a regional request to a body on another node (regional exchange).
    RegionalRequest(RegReqId),
    /// SendResponse: the answer to a regional request from another node.
    RegionalAnswer(RegReqId),
    /// `RequestRejected` of a regional message the node could not take.
    RegionalRefusal,
}

impl Outbound {
    /// The exchange the message goes through.
    pub fn channel(self) -> Channel {
        match self {
            Outbound::RegionalRequest(_)
            | Outbound::RegionalAnswer(_)
            | Outbound::RegionalRefusal => Channel::Regional,
            _ => Channel::Federal,
        }
    }
}

/// Which exchange: SMEV 3 itself, or the region's own (РСМЭВ), which speaks the same
/// protocol at an endpoint of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Federal,
    Regional,
}

impl Channel {
    /// For staff: «СМЭВ» or «РСМЭВ».
    pub fn label(self) -> &'static str {
        match self {
            Channel::Federal => "СМЭВ",
            Channel::Regional => "РСМЭВ",
        }
    }

    /// For the log and the journal.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Federal => "federal",
            Channel::Regional => "regional",
        }
    }
}

/// A message committed before its first attempt and kept, under the same MessageID, until
/// SMEV takes it or the worker gives up. The operation that sends it commits an intent; the
/// exchange's runner builds and signs the envelope outside any write transaction and stores
/// it here before the first attempt, so every attempt sends the same bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: u64,
    pub org: OrgId,
    pub what: Outbound,
    pub message_id: String,
    pub body: OutBody,
    pub attempts: u32,
    pub created: Ts,
    pub next_attempt: Ts,
    pub last_error: Option<String>,
}

impl OutboxItem {
    /// The signed envelope, once the runner has made it.
    pub fn envelope(&self) -> Option<&str> {
        match &self.body {
            OutBody::Signed(e) => Some(e),
            OutBody::Intent(_) => None,
        }
    }
}

/// What an outbox message sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OutBody {
    /// What to build and sign: the runner has not prepared it yet.
    Intent(Intent),
    /// The SOAP envelope exactly as it is sent, every time.
    Signed(String),
}

/// A message to build: its content as the node made it, without the envelope and the node's
/// signature (ЭП-ОВ).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Intent {
    /// SendRequest of a business element.
    Request {
        business: String,
        /// The employee's signature over the business element (ЭП-СП), made when it was sent.
        personal_signature: Option<String>,
        files: Vec<MessageFile>,
    },
    /// SendResponse to the message `reply_to`.
    Response {
        reply_to: String,
        content: Answer,
        files: Vec<MessageFile>,
    },
    /// SendRequest of a business element with documents the runner zips into one
    /// attachment, signing those that say so (Росреестр's statement). A variant of its own,
    /// after the others, so that intents stored before it still read.
    RequestWithPacket {
        business: String,
        personal_signature: Option<String>,
        files: Vec<MessageFile>,
        packet: Packet,
    },
}

/// Documents that travel zipped in one attachment beside a request's element, as its ВС
/// asks; the element names them by their file names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    /// The attachment's file name and SMEV content id (`request.zip`).
    pub name: String,
    pub documents: Vec<PacketDocument>,
}

/// One document of a [`Packet`], validated against its schema when it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketDocument {
    /// Its name in the archive.
    pub file: String,
    pub xml: String,
    /// Whether the body's detached signature goes beside it as `FILE.sig`.
    pub signed: bool,
}

/// The content of a SendResponse (`SenderProvidedResponseData`), exactly one kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// The business answer, with its ЭП-СП if any.
    Primary {
        business: String,
        personal_signature: Option<String>,
    },
    /// `RequestRejected`: one or more codes with reasons.
    Rejected(Vec<(RejectCode, String)>),
    /// `RequestStatus`: an intermediate business status.
    Status {
        code: i64,
        description: String,
        params: Vec<(String, String)>,
    },
}

/// `RejectCode` of the SMEV schema: why a provider refuses a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RejectCode {
    AccessDenied,
    NoData,
    UnknownRequestDescription,
    Failure,
}

impl RejectCode {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::AccessDenied => "ACCESS_DENIED",
            RejectCode::NoData => "NO_DATA",
            RejectCode::UnknownRequestDescription => "UNKNOWN_REQUEST_DESCRIPTION",
            RejectCode::Failure => "FAILURE",
        }
    }

    pub fn parse(s: &str) -> Option<RejectCode> {
        [
            RejectCode::AccessDenied,
            RejectCode::NoData,
            RejectCode::UnknownRequestDescription,
            RejectCode::Failure,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    /// The reason as staff read it.
    pub fn label(self) -> &'static str {
        match self {
            RejectCode::AccessDenied => "нет доступа",
            RejectCode::NoData => "сведения не найдены",
            RejectCode::UnknownRequestDescription => "запрос не распознан",
            RejectCode::Failure => "сбой у поставщика",
        }
    }
}

/// A stored file that travels with a message, under its content id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFile {
    pub content_id: String,
    pub mime: String,
    pub file: crate::FileId,
}

/// A message received from SMEV, kept as it came (its bytes are in `inbox_data`), with what
/// the node made of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxEntry {
    pub id: u64,
    pub received: Ts,
    /// The call that brought it: `GetResponse`, `GetRequest`, `GetStatus`.
    pub call: String,
    /// `MessageMetadata/MessageId`, empty when the message could not be read.
    pub message_id: String,
    /// What became of it, in English: `applied: …`, `kept: <reason>`.
    pub verdict: String,
    pub size: u64,
}

/// What came to the node as a request over SMEV and is answered to its `ReplyTo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Routed {
    /// Входящий запрос from another agency.
    Incoming(InReqId),
    /// Заявка from ЕПГУ/РПГУ.
    Application(AppId),
    /// Запрос Р-сведений from a body on another node.
    Regional(RegReqId),
}

impl Routed {
    /// The index tag and id of the routed thing.
    pub fn parts(self) -> (u8, u64) {
        match self {
            Routed::Incoming(i) => (1, i.0),
            Routed::Application(a) => (2, a.0),
            Routed::Regional(r) => (3, r.0),
        }
    }
}

/// Where the answers about something received over SMEV go, and who sent it. `reply_to` is
/// SMEV's opaque address, copied verbatim into every answer (brief §4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub id: u64,
    pub org: OrgId,
    pub about: Routed,
    pub reply_to: String,
    /// The sender's own MessageID (what a `Cancel` names).
    pub message_id: String,
    /// `MessageMetadata/Sender`: the human-readable name, or the mnemonic.
    pub sender: String,
    /// The portal's own number of an application; empty for an interagency request.
    pub order: String,
    /// The request was a test message; answers stay test messages.
    pub test: bool,
    pub received: Ts,
}
