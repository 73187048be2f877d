//! Межведомственные запросы (outgoing and incoming) and запросы Р-сведений, with their exact
//! status sets. Their transport over SMEV is `smev/`'s business; the statuses live here.

use super::ids::{AppId, DeptId, InReqId, KindId, OrgId, OutReqId, RegReqId, Ts, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Статус исходящего запроса.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OutStatus {
    /// Запрос сформирован
    Formed,
    /// Запрос готов к отправке
    Ready,
    /// Запрос отправлен
    Sent,
    /// Запрос принят в ведомстве
    Accepted,
    /// Получен ответ от ведомства
    Answered,
    /// Запрос не отправлен
    NotSent,
    /// Выявлена ошибка
    Error,
    /// Запрос не принят в ведомстве
    Rejected,
}

impl OutStatus {
    pub const ALL: [OutStatus; 8] = [
        OutStatus::Formed,
        OutStatus::Ready,
        OutStatus::Sent,
        OutStatus::Accepted,
        OutStatus::Answered,
        OutStatus::NotSent,
        OutStatus::Error,
        OutStatus::Rejected,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OutStatus::Formed => "Запрос сформирован",
            OutStatus::Ready => "Запрос готов к отправке",
            OutStatus::Sent => "Запрос отправлен",
            OutStatus::Accepted => "Запрос принят в ведомстве",
            OutStatus::Answered => "Получен ответ от ведомства",
            OutStatus::NotSent => "Запрос не отправлен",
            OutStatus::Error => "Выявлена ошибка",
            OutStatus::Rejected => "Запрос не принят в ведомстве",
        }
    }

    /// A final status: the exchange about this request is over.
    pub fn is_final(self) -> bool {
        matches!(self, OutStatus::Answered | OutStatus::Rejected)
    }
}

/// What happened to an outgoing request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutEvent {
    /// Data checked and signed: ready for the exchange.
    Prepared,
    /// SMEV took the message.
    Sent,
    /// A status message: the provider accepted it.
    AcceptedByAgency,
    /// The answer arrived.
    AnswerReceived,
    /// The transport gave up, or SMEV refused the message.
    NotSent,
    /// A fault or an invalid answer.
    Error,
    /// The provider rejected the request.
    RejectedByAgency,
    /// Staff edit the data again after a failure.
    Reopen,
}

/// The outgoing lifecycle as one function, like [`super::application::transition`].
pub fn out_transition(from: OutStatus, ev: OutEvent) -> Option<OutStatus> {
    use OutStatus::*;
    Some(match (from, ev) {
        (Formed, OutEvent::Prepared) => Ready,
        (Ready, OutEvent::Sent) => Sent,
        (Ready, OutEvent::NotSent) => NotSent,
        (Sent, OutEvent::AcceptedByAgency) => Accepted,
        (Sent | Accepted, OutEvent::AnswerReceived) => Answered,
        (Sent | Accepted, OutEvent::RejectedByAgency) => Rejected,
        (Ready | Sent | Accepted, OutEvent::Error) => Error,
        (NotSent | Error | Ready, OutEvent::Reopen) => Formed,
        _ => return None,
    })
}

/// Исходящий межведомственный запрос.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutgoingRequest {
    pub id: OutReqId,
    pub org: OrgId,
    pub dept: Option<DeptId>,
    pub kind: KindId,
    /// Номер запроса, given when it is saved.
    pub number: String,
    pub application: Option<AppId>,
    pub status: OutStatus,
    pub data: BTreeMap<String, String>,
    pub answer: BTreeMap<String, String>,
    pub created_by: UserId,
    pub executor: UserId,
    pub created: Ts,
    pub sent: Option<Ts>,
    pub answered: Option<Ts>,
    pub updated: Ts,
    /// SMEV MessageID, given before the first attempt and kept across retries.
    pub message_id: Option<String>,
    pub error: Option<String>,
    /// ЭП-СП: who signed the request, and the verdict on the answer's.
    pub personal: Personal,
}

/// Статус входящего запроса.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum InStatus {
    /// Запрос получен
    Received,
    /// Сформирован ответ
    Answered,
}

impl InStatus {
    pub const ALL: [InStatus; 2] = [InStatus::Received, InStatus::Answered];

    pub fn label(self) -> &'static str {
        match self {
            InStatus::Received => "Запрос получен",
            InStatus::Answered => "Сформирован ответ",
        }
    }
}

/// Входящий межведомственный запрос.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncomingRequest {
    pub id: InReqId,
    pub org: OrgId,
    pub dept: Option<DeptId>,
    pub kind: KindId,
    pub number: String,
    /// Номер в системе потребителя.
    pub consumer_number: String,
    pub status: InStatus,
    pub data: BTreeMap<String, String>,
    pub answer: BTreeMap<String, String>,
    pub executor: Option<UserId>,
    pub previous_executor: Option<UserId>,
    pub received: Ts,
    pub updated: Ts,
    /// Плановая дата исполнения.
    pub planned: time::Date,
    pub message_id: String,
    /// ЭП-СП: the verdict on the request's, and who signed the answer.
    pub personal: Personal,
}

/// Personal signatures (ЭП-СП) over the business data of a request and its answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personal {
    /// Who of this node's staff signed what the node sent: the certificate's subject.
    pub signed_by: Option<String>,
    /// The verdict on the signature of what the other side sent, when it carried one.
    pub received: Option<SignatureVerdict>,
}

/// The check of a personal signature received: «ЭП-СП верна», «ЭП-СП не верна», or what
/// the trust check found of a sound signature's certificate ([`TRUST_VERDICTS`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureVerdict {
    /// The signature is sound and may be acted on: its certificate trusted, or trusted with
    /// its revocation unchecked (the card says so).
    pub valid: bool,
    /// The signer named by the certificate (empty when it could not be read).
    pub signer: String,
    /// Why it is not «ЭП-СП верна»: a trust verdict's words first ([`TRUST_VERDICTS`], then
    /// OpenSSL's reason), or why the signature does not verify (English, for support);
    /// empty when it is. Kept in this field, not a new one, so that the rows written before
    /// the trust check read as they are: verdicts of then were «верна» or «не верна».
    pub reason: String,
}

/// What the trust check says of a sound signature whose certificate is not simply trusted,
/// in the words of the card.
pub const TRUST_VERDICTS: [&str; 5] = [
    "сертификат не доверенный",
    "сертификат отозван",
    "срок действия истёк",
    "срок действия ещё не начался",
    "не удалось проверить отзыв",
];

impl SignatureVerdict {
    pub fn label(&self) -> &'static str {
        if let Some(w) = TRUST_VERDICTS.iter().find(|w| self.reason.starts_with(*w)) {
            return w;
        }
        if self.valid {
            "ЭП-СП верна"
        } else {
            "ЭП-СП не верна"
        }
    }

    /// What is wrong, for a refusal or a history line: «сертификат отозван», or «не верна:
    /// <why>».
    pub fn problem(&self) -> String {
        if TRUST_VERDICTS.iter().any(|w| self.reason.starts_with(w)) {
            self.reason.clone()
        } else {
            format!("не верна: {}", self.reason)
        }
    }

    /// «ЭП-СП верна (Иванова Анна Петровна, Сельсовет)», for cards and history.
    pub fn note(&self) -> String {
        if self.signer.is_empty() {
            self.label().to_string()
        } else {
            format!("{} ({})", self.label(), self.signer)
        }
    }
}

/// Статус запроса Р-сведений.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegStatus {
    /// Новый
    New,
    /// Исполнено
    Done,
}

impl RegStatus {
    pub fn label(self) -> &'static str {
        match self {
            RegStatus::New => "Новый",
            RegStatus::Done => "Исполнено",
        }
    }
}

/// Запрос Р-сведений: a universal request between bodies of the region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionalRequest {
    pub id: RegReqId,
    pub org: OrgId,
    /// The provider body, by name (it may live on another node).
    pub provider: String,
    /// Set when the provider body lives on this node.
    pub provider_org: Option<OrgId>,
    pub application: Option<AppId>,
    pub subject: String,
    pub comment: String,
    pub files: Vec<String>,
    pub status: RegStatus,
    pub answer: String,
    pub created_by: UserId,
    pub created: Ts,
    pub completed: Option<Ts>,
    /// Set when the request travels over the regional exchange (РСМЭВ): to a body on
    /// another node, or from one.
    pub remote: Option<Remote>,
}

impl RegionalRequest {
    /// Whether `org` is the body asked: a request from another node is held by the body it
    /// was sent to, which is both `org` and `provider_org`.
    pub fn is_to(&self, org: OrgId) -> bool {
        self.provider_org == Some(org)
            && (self.org != org || self.remote.as_ref().is_some_and(|r| r.incoming))
    }

    /// The body at the other end, as `org` sees it.
    pub fn sent_from_elsewhere(&self) -> Option<&RegionalBody> {
        self.remote.as_ref().filter(|r| r.incoming).map(|r| &r.body)
    }
}

/// A body of the region on another node, as the directory in `[smev]` names it: regional
/// requests to it go over the regional exchange.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionalBody {
    pub name: String,
    /// ИНН: what the body is known by in the exchange.
    pub inn: String,
    /// The `NodeID` of the information system that serves it.
    pub node: String,
}

/// A regional request over the regional exchange: who is at the other end and how far the
/// message has got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote {
    /// Sent to a body on this node by a body elsewhere (otherwise: sent from here).
    pub incoming: bool,
    pub body: RegionalBody,
    /// The MessageID of the request in the exchange (ours, or the sender's).
    pub message_id: Option<String>,
    pub state: RemoteState,
    /// ЭП-СП: who signed what this node sent, and the verdict on what it received.
    pub personal: Personal,
    /// Our earlier MessageIDs of this request, when it was sent again: a late answer to one
    /// of them still finds it.
    pub earlier: Vec<String>,
}

/// Where a regional request stands in the regional exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RemoteState {
    /// не отправлен: saved, «Отправить» not chosen yet.
    Draft,
    /// в очереди: signed and in the outbox.
    Queued,
    /// отправлен: the exchange took it.
    Sent,
    /// не отправлен: the exchange refused it or could not be reached in time.
    NotSent,
    /// отклонён: the body asked refused it.
    Rejected,
    /// ответ получен
    Answered,
    /// получен: came in from a body elsewhere.
    Received,
    /// ответ в очереди: the answer to a request from elsewhere is in the outbox.
    AnswerQueued,
    /// ответ не принят: the answer that came back could not be taken (a bad signature, an
    /// unreadable answer); the request may be sent again.
    AnswerRefused,
    /// ответ отправлен: the exchange took our answer.
    AnswerSent,
    /// ответ не отправлен: the exchange refused our answer or could not be reached in time;
    /// it may be sent again.
    AnswerNotSent,
}

impl RemoteState {
    pub fn label(self) -> &'static str {
        match self {
            RemoteState::Draft => "не отправлен",
            RemoteState::Queued => "в очереди на отправку",
            RemoteState::Sent => "отправлен",
            RemoteState::NotSent => "не отправлен (ошибка)",
            RemoteState::Rejected => "отклонён получателем",
            RemoteState::Answered => "ответ получен",
            RemoteState::Received => "получен",
            RemoteState::AnswerQueued => "ответ в очереди на отправку",
            RemoteState::AnswerRefused => "ответ не принят",
            RemoteState::AnswerSent => "ответ отправлен",
            RemoteState::AnswerNotSent => "ответ не отправлен (ошибка)",
        }
    }

    /// «Отправить» may be chosen: a request never sent, or whose sending ended without an
    /// answer to take; an answer of ours that did not go.
    pub fn sendable(self) -> bool {
        matches!(
            self,
            RemoteState::Draft
                | RemoteState::NotSent
                | RemoteState::Rejected
                | RemoteState::AnswerRefused
                | RemoteState::AnswerNotSent
        )
    }
}
