//! Messages no node can read, put at the head of a queue (`POST /sim/poison`): what a broken
//! or hostile sender can make SMEV deliver. Each is given out at every Get of its queue until
//! it is acknowledged, as SMEV does, so that a node that cannot refuse it is stuck behind it.

use super::envelope::{self, SOAP, Version};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoisonKind {
    /// A document type declaration, which SOAP forbids.
    Doctype,
    /// «A billion laughs»: entities that expand to gigabytes.
    EntityBomb,
    /// 10 000 elements, each inside the one before.
    Deep,
    /// Bytes that are not UTF-8 in the content.
    BadUtf8,
    /// `size` bytes of content: more than the node reads.
    Huge,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoisonOrder {
    /// `GetResponse` or `GetRequest`.
    pub queue: String,
    pub kind: PoisonKind,
    #[serde(default)]
    pub size: usize,
}

#[derive(Clone)]
pub(super) struct Poison {
    pub queue: String,
    pub message_id: String,
    pub body: bytes::Bytes,
}

impl Poison {
    pub fn new(o: &PoisonOrder) -> Poison {
        let id = envelope::new_message_id();
        let v = Version::V1_1;
        let (prolog, content): (String, Vec<u8>) = match o.kind {
            PoisonKind::Doctype => (
                "<!DOCTYPE e [<!ENTITY x \"boom\">]>".into(),
                b"<d>&x;</d>".to_vec(),
            ),
            PoisonKind::EntityBomb => {
                let mut d = String::from("<!DOCTYPE e [<!ENTITY l0 \"lol\">");
                for i in 1..10 {
                    let p = i - 1;
                    d.push_str(&format!(
                        "<!ENTITY l{i} \"&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};\">"
                    ));
                }
                d.push_str("]>");
                (d, b"<d>&l9;</d>".to_vec())
            }
            PoisonKind::Deep => (
                String::new(),
                ["<a>".repeat(10_000), "</a>".repeat(10_000)]
                    .concat()
                    .into_bytes(),
            ),
            PoisonKind::BadUtf8 => (String::new(), b"<d>\xff\xfe\xc3</d>".to_vec()),
            PoisonKind::Huge => {
                let mut c = b"<d>".to_vec();
                c.resize(o.size.max(16), b'A');
                c.extend_from_slice(b"</d>");
                (String::new(), c)
            }
        };
        let (op, msg, data) = match o.queue.as_str() {
            "GetRequest" => ("GetRequestResponse", "RequestMessage", "Request"),
            _ => ("GetResponseResponse", "ResponseMessage", "Response"),
        };
        let provided = format!("SenderProvided{data}Data");
        let mut body = format!(
            "{prolog}<soap:Envelope xmlns:soap=\"{SOAP}\"><soap:Body>\
             <tns:{op} xmlns:tns=\"{t}\"><tns:{msg}><tns:{data} Id=\"SIGNED_BY_SMEV\">\
             <tns:{provided} Id=\"SIGNED_BY_CALLER\"><tns:MessageID>{id}</tns:MessageID>\
             <tns:MessagePrimaryContent>",
            t = v.types(),
        )
        .into_bytes();
        body.extend_from_slice(&content);
        body.extend_from_slice(
            format!(
                "</tns:MessagePrimaryContent></tns:{provided}></tns:{data}></tns:{msg}>\
                 </tns:{op}></soap:Body></soap:Envelope>"
            )
            .as_bytes(),
        );
        Poison {
            queue: o.queue.clone(),
            message_id: id,
            body: body.into(),
        }
    }
}
