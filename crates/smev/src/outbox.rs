//! The outbox's runner half: an intent the service layer committed becomes the signed SOAP
//! envelope that every attempt then sends. It runs in the exchange worker, outside any write
//! transaction, so a slow signer (a token, an external certified tool) holds up the worker
//! alone and never the staff's writes.

use super::envelope::{self, Attachment, EnvelopeError, RequestData};
use super::profile::Profile;
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
            })
            .collect()
    };
    match intent {
        Intent::Request {
            business,
            personal_signature,
            files: list,
        } => envelope::send_request(
            p.version,
            &RequestData {
                message_id,
                reference: None,
                node_id: &p.node_id,
                business,
                personal_signature: personal_signature.as_deref(),
                attachments: &attach(list),
                test: p.test,
            },
            &p.key,
        ),
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
            &p.key,
        ),
    }
}
