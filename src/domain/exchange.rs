//! The node's side of the SMEV exchange as rows: the outbox of signed messages waiting to go
//! and the journal of every message received. The protocol itself is `smev/`'s.

use super::ids::{InReqId, OrgId, OutReqId, Ts};
use serde::{Deserialize, Serialize};

/// What an outbox message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outbound {
    /// SendRequest of an outgoing request.
    Request(OutReqId),
    /// SendResponse: the answer to an incoming request.
    Response(InReqId),
}

/// A signed message committed before its first attempt and kept, under the same MessageID,
/// until SMEV takes it or the worker gives up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: u64,
    pub org: OrgId,
    pub what: Outbound,
    pub message_id: String,
    /// The SOAP envelope exactly as it is sent, every time.
    pub envelope: String,
    pub attempts: u32,
    pub created: Ts,
    pub next_attempt: Ts,
    pub last_error: Option<String>,
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
