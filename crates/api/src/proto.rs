//! The local API's messages. One request is one JSON object on one line:
//! `{"token": "...", "call": {"op": "claim", "args": {"id": 7, "take_over": false}}}`;
//! one reply is one line: `{"ok": ...}` or `{"error": {"status": 409, "code": ..., ...}}`.
//! Every operation a staff client can ask for is a variant of [`Call`]; unknown operations,
//! unknown fields and wrong types are refused before anything runs.

pub use crate::ops::Call;
use crate::view::default_limit;
use crate::view::*;
use serde::{Deserialize, Serialize};
use volost_domain::*;

/// One request: the session token (absent only for `login`) and the call.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub call: Call,
}

/// A page of a request list: filters, sort column and direction, where to go on, how many.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListArgs<F> {
    #[serde(default)]
    pub filter: F,
    pub sort: ReqCol,
    #[serde(default)]
    pub desc: bool,
    #[serde(default)]
    pub after: Option<Cursor>,
    #[serde(default = "default_limit")]
    pub limit: usize,
}

/// The PIN of a personal certificate (ЭП-СП). It is never printed, not even in a debug log
/// of the call it came in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pin(pub String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

impl Pin {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Bytes that travel as base64 text in JSON (a file's content).
#[derive(Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use base64::Engine;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use base64::Engine;
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Bytes)
            .map_err(|e| serde::de::Error::custom(format!("not base64: {e}")))
    }
}

/// What `check` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckReply {
    /// Rows per table.
    pub rows: Vec<(String, u64)>,
    pub index_entries: u64,
    /// What is wrong, one line each; empty when the database is whole.
    pub problems: Vec<String>,
}

/// What `export` answers: a file name to offer and the bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportReply {
    pub name: String,
    pub data: Bytes,
}

/// What `print` answers: the PDF's name and bytes, and the file it is kept as on the card
/// (`None` when the one who asked may not change the card).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrintReply {
    pub name: String,
    pub data: Bytes,
    pub file: Option<FileId>,
}

/// What `file` answers: the file's row and its bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileReply {
    pub file: Attachment,
    pub data: Bytes,
}

/// A reply line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Ok(serde_json::Value),
    Error(ApiError),
}

/// The one error shape of the local API and the HTTP endpoint. `status` is the HTTP status
/// the error maps to (also on the socket, so clients handle both alike); `code` is stable
/// English for programs; `message` is Russian, for the person at the screen; `fields` are
/// the form fields to correct.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "bad_request", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// What an idle screen polls: whether anything changed, and the SMEV link for the status line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pulse {
    pub changes: u64,
    pub smev: LinkSnapshot,
    /// The database's disk is (nearly) full: writes may be refused.
    #[serde(default)]
    pub disk_low: bool,
    /// How far the production calendar is confirmed (administrators are warned near its end).
    #[serde(default)]
    pub calendar: Option<CalendarStatus>,
}

/// What `whoami` and `login` answer: the session's user without the password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Absent in `whoami` answers; `login` gives it once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub user: UserId,
    pub org: OrgId,
    pub login: String,
    pub full_name: String,
    pub dept: Option<DeptId>,
    pub rights: Rights,
    pub groups: Vec<GroupId>,
    pub must_change_password: bool,
    /// Minutes of idleness after which the session ends.
    pub idle_timeout_minutes: u64,
    /// The node's local time offset from UTC, in seconds (dates on screen are in it).
    pub utc_offset_seconds: i32,
    /// The largest file the node takes, so a client refuses a bigger one before sending it.
    #[serde(default)]
    pub max_file_bytes: u64,
    /// The user's personal certificate (ЭП-СП), if an administrator imported one.
    #[serde(default)]
    pub personal_cert: Option<CertView>,
    /// «Окно документов»'s address (`https://10.0.0.5:8443`), when the node serves it.
    #[serde(default)]
    pub web: Option<String>,
}

/// What `add_user` and `reset_password` answer: the one-time password, shown once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneTimePassword {
    pub user: UserId,
    pub login: String,
    pub password: String,
}
