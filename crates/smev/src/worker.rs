//! The exchange worker in the daemon: sends what the outbox holds and polls SMEV's queues.
//!
//! Order of effects, which is what makes a crash anywhere harmless:
//! - a message is in the outbox, committed, before its first attempt, and every attempt
//!   sends the same bytes under the same MessageID (a retry after a lost reply meets
//!   `MessageIsAlreadySent`, which counts as sent);
//! - a received message is journalled and applied in one transaction before the Ack; a
//!   crash before the Ack makes SMEV deliver it again and the journal knows it.
//!
//! It writes the link's state ([`Link`]) after every exchange; it holds nothing else.
//!
//! One worker runs per channel: SMEV itself, and the regional exchange (РСМЭВ) when it is
//! configured. Both speak the same protocol; each sends only its channel's outbox messages
//! and polls its own endpoint.

use super::Link;
use super::decode;
use super::envelope::{self, Selector};
use super::profile::Profile;
use super::reply::{self, FaultClass, Reply};
use super::trust::{Stores, TrustDir};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;
use volost_core::service::{Inbound, Node, Receipt, SendOutcome};
use volost_domain::{Channel, OutBody, OutboxItem, Ts};

/// Messages taken from one queue in one round, so that a long queue cannot starve sending.
const MAX_PER_ROUND: usize = 50;
/// The longest pause between two attempts to send one message.
const MAX_BACKOFF: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("HTTP: {0}")]
    Http(String),
    #[error("HTTP status {status}: {body}")]
    Status { status: u16, body: String },
    #[error("{0}")]
    Reply(#[from] reply::ReplyError),
}

pub struct Worker {
    node: Arc<Node>,
    profile: Arc<Profile>,
    link: Arc<Link>,
    client: reqwest::Client,
    channel: Channel,
    endpoint: String,
    poll: Duration,
    give_up: Duration,
    retry_first: Duration,
    warn_days: i64,
    max_message: u64,
    /// The kinds' packages an agency's answer is checked with.
    kinds: Option<Arc<super::kinds::Kinds>>,
    /// Whose signatures are trusted: SMEV's certificates and the CAs of staff and agencies.
    trust: Arc<TrustDir>,
}

/// Of a reply over the size limit, what is kept: enough to find its ids for the Ack and for
/// support to see what it was.
const KEPT_OF_TOO_LARGE: usize = 1 << 20;

/// One HTTP exchange: the reply's bytes as they came, and what they say.
struct Exchanged {
    raw: Bytes,
    reply: Result<Reply, reply::ReplyError>,
}

impl Worker {
    pub fn new(
        node: Arc<Node>,
        profile: Arc<Profile>,
        link: Arc<Link>,
        cfg: &volost_config::SmevConfig,
        channel: Channel,
        kinds: Option<Arc<super::kinds::Kinds>>,
        trust: Arc<TrustDir>,
    ) -> Result<Worker, TransportError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .connect_timeout(Duration::from_secs(cfg.timeout_secs.min(10)))
            .build()
            .map_err(|e| TransportError::Http(e.to_string()))?;
        Ok(Worker {
            node,
            profile,
            link,
            client,
            channel,
            endpoint: match channel {
                Channel::Federal => cfg.endpoint.clone(),
                Channel::Regional => cfg.regional_endpoint.clone(),
            },
            poll: Duration::from_secs(cfg.poll_interval_secs),
            give_up: Duration::from_secs(cfg.give_up_minutes * 60),
            retry_first: Duration::from_secs(cfg.retry_first_secs),
            warn_days: cfg.cert_warn_days as i64,
            max_message: cfg.max_message_bytes,
            kinds,
            trust,
        })
    }

    /// Runs until `stop` resolves: sends what is due, polls every poll interval, and in between
    /// sleeps until the next retry falls due or an operation puts a message in the outbox.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        use tokio::time::Instant;
        let (bump, mut outbox) = tokio::sync::watch::channel(0u64);
        self.node
            .on_outbox(move || bump.send_modify(|n| *n = n.wrapping_add(1)));
        let mut next_poll = Instant::now();
        let mut next_cert_check = Instant::now();
        loop {
            if Instant::now() >= next_cert_check {
                self.check_certificate();
                next_cert_check += Duration::from_secs(6 * 3600);
            }
            outbox.borrow_and_update();
            let next_send = self.send_due().await;
            if Instant::now() >= next_poll {
                self.poll_round().await;
                next_poll = Instant::now() + self.poll;
            }
            let mut wake = next_poll;
            if let Some(t) = next_send {
                let ms = t.0 - Self::now().unix_timestamp() * 1000;
                wake = wake.min(Instant::now() + Duration::from_millis(ms.max(0) as u64));
            }
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep_until(wake) => {}
                // The node outlives its workers, so the sender cannot go while one waits.
                _ = outbox.changed() => {}
            }
        }
        tracing::info!(channel = self.channel.name(), "SMEV worker stopped");
    }

    fn check_certificate(&self) {
        // One key serves both channels: the federal worker speaks for it.
        if self.channel != Channel::Federal {
            return;
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match super::keys::days_left(self.profile.key.cert(), now) {
            Ok(days) => {
                self.link.set_cert_days(Some(days));
                if days < 0 {
                    tracing::error!(
                        subject = %super::keys::subject(self.profile.key.cert()),
                        "the node's SMEV certificate has expired; SMEV will refuse every message"
                    );
                } else if days <= self.warn_days {
                    tracing::warn!(
                        subject = %super::keys::subject(self.profile.key.cert()),
                        days,
                        "the node's SMEV certificate expires soon"
                    );
                }
            }
            Err(e) => tracing::error!("cannot read the certificate's end date: {e}"),
        }
    }

    fn now() -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }

    /// Posts one envelope; SOAP faults come back as replies, everything else that is not a
    /// 200 with XML is a transport error.
    async fn call(&self, op: &str, envelope: String) -> Result<Exchanged, TransportError> {
        let resp = self
            .client
            .post(&self.endpoint)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", format!("urn:{op}"))
            .body(envelope)
            .send()
            .await
            .map_err(|e| TransportError::Http(without_url(e)))?;
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("text/xml")
            .to_string();
        let (raw, whole) = self.read_limited(resp).await?;
        if !whole {
            return Ok(Exchanged {
                raw,
                reply: Err(reply::ReplyError::TooLarge(self.max_message)),
            });
        }
        let parsed = reply::parse(&ct, raw.clone());
        match (status, parsed) {
            (200, r) => Ok(Exchanged { raw, reply: r }),
            (_, Ok(Reply::Fault(f))) => Ok(Exchanged {
                raw,
                reply: Ok(Reply::Fault(f)),
            }),
            (status, _) => Err(TransportError::Status {
                status,
                body: String::from_utf8_lossy(&raw[..raw.len().min(200)]).into_owned(),
            }),
        }
    }

    /// The reply's body, read chunk by chunk up to `max_message` bytes. Past the limit the
    /// rest is never read (the connection is dropped) and only the first
    /// [`KEPT_OF_TOO_LARGE`] bytes are kept; the flag says whether the body came whole.
    async fn read_limited(
        &self,
        mut resp: reqwest::Response,
    ) -> Result<(Bytes, bool), TransportError> {
        let limit = usize::try_from(self.max_message).unwrap_or(usize::MAX);
        if resp.content_length().is_some_and(|n| n > self.max_message) {
            tracing::warn!(
                length = resp.content_length(),
                limit,
                "a reply longer than max_message_bytes"
            );
        }
        let mut buf = bytes::BytesMut::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| TransportError::Http(without_url(e)))?
        {
            if buf.len() + chunk.len() > limit {
                let room = KEPT_OF_TOO_LARGE.saturating_sub(buf.len()).min(chunk.len());
                buf.extend_from_slice(&chunk[..room]);
                buf.truncate(KEPT_OF_TOO_LARGE);
                return Ok((buf.freeze(), false));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok((buf.freeze(), true))
    }

    fn contact(&self) {
        self.link.up(Self::now().unix_timestamp());
    }

    /// Sends the due messages of this channel; returns when the next one falls due.
    async fn send_due(&self) -> Option<Ts> {
        let now = Ts(Self::now().unix_timestamp() * 1000);
        let (due, mut next) = match blocking(|| self.node.exchange_due(self.channel, now)) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!("cannot read the outbox: {e}");
                // Try again in a second rather than sleep a whole poll interval.
                return Some(Ts(now.0 + 1000));
            }
        };
        for item in due {
            let Some(outcome) = self.send_one(&item).await else {
                continue;
            };
            if let SendOutcome::Retry { next: at, .. } = &outcome {
                next = Some(next.map_or(*at, |n| n.min(*at)));
            }
            tracing::info!(channel = self.channel.name(), message_id = %item.message_id, attempt = item.attempts + 1, ?outcome, "SMEV send");
            if let Err(e) = blocking(|| self.node.exchange_sent(&item, &outcome)) {
                tracing::error!(message_id = %item.message_id, "cannot record a send: {e}");
                next = Some(Ts(now.0 + 1000));
            }
        }
        next
    }

    /// The signed envelope of `item`: as stored, or built and signed now from its intent and
    /// stored before anything is sent. `Ok(None)`: the message is gone.
    fn prepare(&self, item: &OutboxItem) -> Result<Option<String>, String> {
        if let Some(e) = item.envelope() {
            return Ok(Some(e.to_string()));
        }
        let Some((now, files)) = self
            .node
            .exchange_intent(item.id)
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        let OutBody::Intent(intent) = &now.body else {
            return Ok(now.envelope().map(str::to_string));
        };
        let env = super::outbox::build(&self.profile, &now.message_id, intent, files)
            .map_err(|e| format!("не удалось подписать сообщение: {e}"))?;
        let kept = self
            .node
            .exchange_prepared(&now, &env)
            .map_err(|e| format!("подписанное сообщение не сохранено: {e}"))?;
        Ok(kept.and_then(|k| k.envelope().map(str::to_string)))
    }

    async fn send_one(&self, item: &OutboxItem) -> Option<SendOutcome> {
        let op = match item.what {
            volost_domain::Outbound::Request(_) | volost_domain::Outbound::RegionalRequest(_) => {
                "SendRequest"
            }
            _ => "SendResponse",
        };
        // Tried again after a pause, or given up once the message is older than `give_up`;
        // `why` says to staff what kept it (SMEV away, or the node's key).
        let retry_or_give_up = |error: String, why: &dyn Fn(u64) -> String| {
            let age = Self::now().unix_timestamp() * 1000 - item.created.0;
            if age >= self.give_up.as_millis() as i64 {
                return SendOutcome::Refused {
                    reason: why(self.give_up.as_secs() / 60),
                };
            }
            SendOutcome::Retry {
                error,
                next: Ts(Self::now().unix_timestamp() * 1000
                    + backoff(self.retry_first, item.attempts).as_millis() as i64),
            }
        };
        let retry = |error: String| {
            let why = |min| {
                format!(
                    "{} недоступна дольше {min} мин.: {error}",
                    self.channel.label()
                )
            };
            retry_or_give_up(error.clone(), &why)
        };
        // Signed outside any write transaction: a slow signer delays this worker only.
        let envelope = match blocking(|| self.prepare(item)) {
            Ok(Some(e)) => e,
            Ok(None) => return None,
            Err(e) => {
                tracing::error!(message_id = %item.message_id, "{e}");
                // Not SMEV's fault: the refusal staff read says what is, not «недоступна».
                let why = |min| {
                    format!(
                        "Сообщение не удалось подписать ключом узла за {min} мин.: обратитесь \
                         к администратору узла"
                    )
                };
                return Some(retry_or_give_up(e, &why));
            }
        };
        Some(match self.call(op, envelope).await {
            Err(e) => {
                self.link.down(e.to_string());
                retry(e.to_string())
            }
            Ok(x) => {
                self.contact();
                match x.reply {
                    Ok(Reply::Accepted {
                        metadata,
                        smev_signature,
                    }) => SendOutcome::Accepted {
                        status: metadata.status,
                        note: blocking(|| self.trust.stores())
                            .map_err(|e| e.to_string())
                            .and_then(|t| {
                                t.judge_exchange(smev_signature, Self::now().unix_timestamp())
                            })
                            .err()
                            .map(|e| format!("подпись СМЭВ под квитанцией не принята: {e}")),
                    },
                    Ok(Reply::Fault(f)) => match f.class() {
                        FaultClass::Retry => retry(f.summary()),
                        FaultClass::AlreadySent => SendOutcome::Accepted {
                            status: None,
                            note: Some("сообщение уже было принято СМЭВ".into()),
                        },
                        FaultClass::Refused => SendOutcome::Refused {
                            reason: format!(
                                "{} отклонила сообщение: {}",
                                self.channel.label(),
                                f.summary()
                            ),
                        },
                    },
                    Ok(other) => retry(format!("unexpected reply to {op}: {other:?}")),
                    Err(e) => retry(format!("unreadable reply to {op}: {e}")),
                }
            }
        })
    }

    /// One round of polls: answers to our requests, requests to this node (from agencies
    /// and the portals), then SMEV's notices.
    async fn poll_round(&self) {
        // Nothing is taken from a queue unless SMEV's signature can be told from another's:
        // taken and refused, every message to the council would be lost to it.
        let stores = match blocking(|| self.trust.stores()) {
            Ok(s) if s.knows_exchange() => s,
            Ok(_) => {
                self.link.down(format!(
                    "no certificate of the exchange in {}/{}: nothing is taken from the \
                     queues (volost trust add --smev FILE)",
                    self.trust.path().display(),
                    super::trust::EXCHANGE_DIR
                ));
                return;
            }
            Err(e) => {
                self.link.down(format!("the trust directory: {e}"));
                return;
            }
        };
        type Poll = fn(
            envelope::Version,
            &Selector,
            time::OffsetDateTime,
            &dyn super::signer::Signer,
        ) -> Result<String, envelope::EnvelopeError>;
        let queues: [(&str, Poll); 2] = [
            ("GetResponse", envelope::get_response),
            ("GetRequest", envelope::get_request),
        ];
        let selector = Selector {
            business_type: None,
            node_id: &self.profile.node_id,
        };
        for (op, poll) in queues {
            for _ in 0..MAX_PER_ROUND {
                // A signing tool may take its time: never on the runtime's own threads.
                let env = blocking(|| {
                    poll(
                        self.profile.version,
                        &selector,
                        Self::now(),
                        self.profile.key.as_ref(),
                    )
                });
                if !self.take(op, env, &stores).await {
                    break;
                }
            }
        }
        for _ in 0..MAX_PER_ROUND {
            let env = blocking(|| {
                envelope::get_status(self.profile.version, Self::now(), self.profile.key.as_ref())
            });
            if !self.take("GetStatus", env, &stores).await {
                break;
            }
        }
    }

    /// Takes one message from a queue; returns whether to go on with this queue.
    async fn take(
        &self,
        op: &str,
        env: Result<String, envelope::EnvelopeError>,
        trust: &Stores,
    ) -> bool {
        let env = match env {
            Ok(e) => e,
            Err(e) => {
                tracing::error!("cannot sign {op}: {e}");
                // Nothing reaches SMEV unsigned: /health and the status line say why.
                self.link.down(format!("cannot sign {op}: {e}"));
                return false;
            }
        };
        let x = match self.call(op, env).await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("{op}: {e}");
                self.link.down(e.to_string());
                return false;
            }
        };
        self.contact();
        let (inbound_result, ack) = match x.reply {
            Ok(Reply::Empty) => return false,
            Ok(Reply::Fault(f)) => {
                tracing::warn!("{op}: SMEV fault {}", f.summary());
                return false;
            }
            Ok(Reply::Message(m)) => {
                let now = Self::now().unix_timestamp();
                let m = blocking(|| decode::for_node(*m, self.kinds.as_deref(), trust, now));
                // Refused when SMEV's signature fails or is not SMEV's; kept either way.
                let ack = Some((m.message_id.clone(), m.smev_signature.is_ok()));
                (
                    blocking(|| {
                        self.node
                            .exchange_receive(self.channel, op, &x.raw, &Inbound::Message(&m))
                    }),
                    ack,
                )
            }
            Ok(Reply::Notice {
                status,
                smev_signature,
            }) => {
                let signature = trust.judge_exchange(smev_signature, Self::now().unix_timestamp());
                (
                    blocking(|| {
                        self.node.exchange_receive(
                            self.channel,
                            op,
                            &x.raw,
                            &Inbound::Notice {
                                status: &status,
                                signature: &signature,
                            },
                        )
                    }),
                    None,
                )
            }
            Ok(Reply::Accepted { .. }) => {
                tracing::warn!("{op}: SMEV answered with a send receipt");
                return false;
            }
            Err(e) => return self.refuse_unreadable(op, &x.raw, &e.to_string()).await,
        };
        match inbound_result {
            Ok(receipt) => {
                match &receipt {
                    Receipt::Kept(why) => tracing::warn!("{op}: message kept, not applied: {why}"),
                    Receipt::Duplicate { .. } => {
                        tracing::info!("{op}: a message received before")
                    }
                    Receipt::Applied(what) => tracing::info!("{op}: {what}"),
                }
                if let Some((id, accepted)) = ack {
                    // A repeat of a message refused for its signature is refused again, even
                    // when this copy's signature is sound: the node did not take it.
                    let refused = matches!(receipt, Receipt::Duplicate { refused: true });
                    self.ack(&id, accepted && !refused).await;
                }
                true
            }
            Err(e) => {
                // Not recorded, so not acknowledged: SMEV will deliver it again.
                tracing::error!("{op}: cannot record a received message: {e}");
                false
            }
        }
    }

    /// A message that cannot be read: kept once under the id found in its bytes, refused to
    /// SMEV with an Ack `accepted="false"` so that it leaves the queue and the messages behind
    /// it arrive, and counted for /health and /metrics. Before, it came back at every poll,
    /// stopped the queue and was stored again each time. Returns whether to go on.
    async fn refuse_unreadable(&self, op: &str, raw: &[u8], why: &str) -> bool {
        let id = reply::message_id_in_raw(raw);
        let inbound = Inbound::Unreadable {
            why,
            message_id: id.as_deref(),
        };
        let kept = blocking(|| self.node.exchange_receive(self.channel, op, raw, &inbound));
        if let Err(e) = &kept {
            // Not recorded, so not refused either: the next round tries again.
            tracing::error!("{op}: cannot record an unreadable message: {e}");
            return false;
        }
        if !matches!(kept, Ok(Receipt::Duplicate { .. })) {
            self.link.unreadable(why);
        }
        match id {
            Some(id) => {
                tracing::warn!(message_id = %id, "{op}: unreadable message refused and kept: {why}");
                self.ack(&id, false).await;
                true
            }
            None => {
                tracing::error!(
                    "{op}: unreadable message with no id to acknowledge it by: it stays in \
                     SMEV's queue ({why})"
                );
                false
            }
        }
    }

    async fn ack(&self, message_id: &str, accepted: bool) {
        let env = match blocking(|| {
            envelope::ack(
                self.profile.version,
                message_id,
                accepted,
                self.profile.key.as_ref(),
            )
        }) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!("cannot sign Ack: {e}");
                self.link.down(format!("cannot sign Ack: {e}"));
                return;
            }
        };
        match self.call("Ack", env).await {
            Ok(Exchanged {
                reply: Ok(Reply::Empty),
                ..
            }) => {}
            Ok(Exchanged {
                reply: Ok(Reply::Fault(f)),
                ..
            }) => tracing::warn!(message_id, "Ack: {}", f.summary()),
            Ok(_) => tracing::warn!(message_id, "Ack: unexpected reply"),
            Err(e) => {
                tracing::warn!(message_id, "Ack: {e}");
                self.link.down(e.to_string());
            }
        }
    }
}

/// The pause before attempt `attempts + 1`: `first` doubling to ten minutes, with a random
/// part so that many nodes coming back after an outage do not retry in step.
pub fn backoff(first: Duration, attempts: u32) -> Duration {
    let base = first.saturating_mul(1u32 << attempts.min(10));
    let base = base.min(MAX_BACKOFF);
    let jitter = rand::random::<u64>() % (base.as_millis() as u64 / 5 + 1);
    base + Duration::from_millis(jitter)
}

/// Runs a service call from async code; the service layer blocks on redb.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// reqwest's message with its causes (it keeps the one that says why to itself), without the
/// endpoint's address: the message reaches /health, the logs and support's screens.
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_grows_to_its_ceiling() {
        let five = Duration::from_secs(5);
        assert!(backoff(five, 0) >= five && backoff(five, 0) < Duration::from_secs(7));
        assert!(backoff(five, 3) >= Duration::from_secs(40));
        assert!(backoff(five, 30) <= MAX_BACKOFF + MAX_BACKOFF / 5);
    }
}
