//! The views of the requests calls: what the daemon answers and the inputs it takes.

#[allow(unused_imports)]
use super::*;

/// Filters of the outgoing module.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutFilter {
    pub statuses: Vec<OutStatus>,
    pub kind: Option<KindId>,
    pub depts: Vec<DeptId>,
    pub application: Option<AppId>,
    pub created_from: Option<Ts>,
    pub created_to: Option<Ts>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutRow {
    pub id: OutReqId,
    pub number: String,
    pub kind: String,
    pub agency: String,
    pub status: OutStatus,
    pub created: Ts,
    pub updated: Ts,
}

/// Filters of the incoming module.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InFilter {
    pub statuses: Vec<InStatus>,
    pub kind: Option<KindId>,
    pub executor: Option<UserId>,
    pub depts: Vec<DeptId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InRow {
    pub id: InReqId,
    pub number: String,
    pub kind: String,
    pub status: InStatus,
    pub received: Ts,
    pub planned: time::Date,
    /// Not answered and past its planned date.
    pub overdue: bool,
}

/// Filters of the regional module.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegFilter {
    pub statuses: Vec<RegStatus>,
    pub application: Option<AppId>,
}

/// A line of «Запросы Р-сведений»: a request this body sent, or one sent to it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegRow {
    pub id: RegReqId,
    pub subject: String,
    /// The other body: the provider of a request we sent, the sender of one sent to us.
    pub counterpart: String,
    /// Sent to this body (it is ours to answer).
    pub to_us: bool,
    pub status: RegStatus,
    pub created: Ts,
}

/// What staff fill in for «Новый запрос Р-сведений». The provider is a body on this node
/// (`provider_org`, `provider` then only overrides its name), a body of the regional
/// directory (`remote`, not together with `provider_org`), or a name only (a body reached
/// some other way, the request kept here for the record).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionalInput {
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub provider_org: Option<OrgId>,
    /// ИНН of a body of the regional directory.
    #[serde(default)]
    pub remote: Option<String>,
    #[serde(default)]
    pub application: Option<AppId>,
    pub subject: String,
    #[serde(default)]
    pub comment: String,
}

/// What staff are told of a [`Route`]: who sent it and as what. The reply address stays on
/// the node.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RouteView {
    pub sender: String,
    /// The sender's MessageID.
    pub message_id: String,
    /// The portal's own number of an application; empty for a request.
    pub order: String,
    /// A test message: not to be acted on.
    pub test: bool,
    pub received: Ts,
}
