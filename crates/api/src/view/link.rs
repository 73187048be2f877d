//! The views of the link calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// What staff see in the status line as «СМЭВ: …».
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// «не настроен»: no endpoint in the configuration; nothing is sent or received.
    #[default]
    NotConfigured,
    /// «на связи»: the last exchange with SMEV succeeded.
    Up,
    /// «нет связи»: the last exchange failed at the transport; the worker keeps retrying.
    Down,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkSnapshot {
    pub state: LinkState,
    /// Transport failures since the daemon started.
    pub errors_total: u64,
    pub last_error: Option<String>,
    /// Unix seconds of the last successful exchange, if any.
    #[serde(default)]
    pub last_contact: Option<i64>,
    /// Days until the node's certificate ends, once the worker has read it.
    #[serde(default)]
    pub cert_days_left: Option<i64>,
    /// Messages that could not be read, refused to SMEV and kept for support
    /// (`volost smev unreadable`), since the daemon started; the last one's reason.
    #[serde(default)]
    pub unreadable_total: u64,
    #[serde(default)]
    pub last_unreadable: Option<String>,
    /// Who signs the node's messages (`[smev] signer`: `engine`, `command`), once loaded.
    #[serde(default)]
    pub signer: Option<String>,
    /// The signer is not certified cryptography (the OpenSSL engine): «несертифицированное
    /// СКЗИ — только для проверки» on /health and the status line.
    #[serde(default)]
    pub uncertified: bool,
}
