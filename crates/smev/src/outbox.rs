//! The outbox's runner half: an intent the service layer committed becomes the signed SOAP
//! envelope that every attempt then sends. It runs in the exchange worker, outside any write
//! transaction, so a slow signer (a token, an external certified tool) holds up the worker
//! alone and never the staff's writes.

use super::envelope::{self, Attachment, EnvelopeError, RequestData};
use super::profile::Profile;
use super::{packet, signed_data};
use volost_domain::Intent;

/// Builds and signs the envelope of `intent` under `message_id`; `files` are the bytes of
/// the intent's files, in its order.
pub fn build(
    p: &Profile,
    message_id: &str,
    intent: &Intent,
    files: Vec<Vec<u8>>,
) -> Result<String, EnvelopeError> {
    let attach = |list: &[volost_domain::MessageFile]| -> Vec<Attachment> {
        list.iter()
            .zip(files)
            .map(|(f, bytes)| Attachment {
                id: f.content_id.clone(),
                mime: f.mime.clone(),
                bytes,
                signature: None,
            })
            .collect()
    };
    let request = |business: &str, personal: Option<&str>, attachments: &[Attachment]| {
        envelope::send_request(
            p.version,
            &RequestData {
                message_id,
                reference: None,
                node_id: &p.node_id,
                business,
                personal_signature: personal,
                attachments,
                test: p.test,
            },
            p.key.as_ref(),
        )
    };
    match intent {
        Intent::Request {
            business,
            personal_signature,
            files: list,
        } => request(business, personal_signature.as_deref(), &attach(list)),
        Intent::RequestWithPacket {
            business,
            personal_signature,
            files: list,
            packet: docs,
        } => {
            // The archive is made and signed here, with the node's key, outside any write;
            // the signed envelope that keeps it is what every attempt sends.
            let zip = packet::archive(docs, p.key.as_ref())?;
            let now = std::time::SystemTime::now();
            let signature = signed_data::detached(p.key.as_ref(), &zip, now).map_err(|e| {
                packet::PacketError::Sign {
                    file: docs.name.clone(),
                    why: e.to_string(),
                }
            })?;
            let mut all = vec![Attachment {
                id: docs.name.clone(),
                mime: packet::MIME.into(),
                bytes: zip,
                signature: Some(signature),
            }];
            all.extend(attach(list));
            request(business, personal_signature.as_deref(), &all)
        }
        Intent::Response {
            reply_to,
            content,
            files: list,
        } => envelope::send_response(
            p.version,
            message_id,
            reply_to,
            content,
            &attach(list),
            p.key.as_ref(),
        ),
    }
}
