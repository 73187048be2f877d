//! `cargo bench --bench smev`: the cost of SMEV's signatures (issue 5), on one core.
//!
//! 1. The limit: raw GOST R 34.10-2012 (256) signatures of a SignedInfo-sized input through
//!    the same OpenSSL engine (`gost::sign`), and Streebog-256 throughput beside the `openssl`
//!    command's own (`openssl dgst -md_gost12_256` over 64 MB). `openssl speed` of OpenSSL 3.0
//!    has no GOST signature test and does not see the engine's digests, so the raw signing
//!    rate is taken with the same EVP calls directly.
//! 2. Build + sign a SendRequest with 10 KB of business data (`envelope::send_request`:
//!    MessageID, fragment, exclusive c14n, SMEV transform, digest, SignedInfo, signature).
//! 3. Verify that envelope as SMEV would (`dsig::verify_in` over the parsed document).
//! 4. Parse a 1 MB GetResponse (MTOM: signed XML with 100 KB of business data and a 900 KB
//!    attachment) with its SMEV signature checked (`reply::parse`).
//!
//! `VOLOST_BENCH_SECS` sets each measurement's length (default 5 s).

use bytes::Bytes;
use std::process::Command;
use std::time::Instant;
use volost::smev::envelope::{self, RequestData, SIGNED_BY_SMEV, SOAP, Version, XOP};
use volost::smev::keys::NodeKey;
use volost::smev::{dsig, gost, reply, xml};

mod common;
use common::{bench_secs, rate, ratio};

fn key(cn: &str) -> NodeKey {
    let key = gost::generate_key().expect("key");
    let cert = gost::self_signed(&key, cn, cn, 365).expect("cert");
    NodeKey { key, cert }
}

/// Business data of about `size` bytes in 100-byte fields.
fn business(size: usize) -> String {
    let mut s = String::from("<b:Request xmlns:b=\"urn://x-artefacts-example/bench/1.0.0\">");
    let mut i = 0;
    while s.len() < size {
        s.push_str(&format!(
            "<b:f{i}>Алтайский край, Заречный район, с. Успенка, ул. Пушкина, д. {i}</b:f{i}>"
        ));
        i += 1;
    }
    s.push_str("</b:Request>");
    s
}

/// Streebog-256 by the `openssl` command itself over a 64 MB file: bytes per second, if it
/// runs here. (`openssl speed` of OpenSSL 3.0 fetches digests from providers only and does
/// not see the engine's.)
fn openssl_streebog() -> Option<f64> {
    let path = std::env::temp_dir().join(format!("volost-bench-{}", std::process::id()));
    let size = 64usize << 20;
    std::fs::write(&path, vec![0u8; size]).ok()?;
    let t0 = Instant::now();
    let out = Command::new("openssl")
        .args(["dgst", "-engine", "gost", "-md_gost12_256"])
        .arg(&path)
        .output()
        .ok()?;
    let took = t0.elapsed();
    let _ = std::fs::remove_file(&path);
    out.status
        .success()
        .then(|| size as f64 / took.as_secs_f64())
}

/// A GetResponse of about 1 MB: the signed Response with `xml_kb` of business data, and an
/// attachment of `file_kb` as an MTOM part.
fn get_response(smev: &NodeKey, xml_kb: usize, file_kb: usize) -> (String, Bytes) {
    let v = Version::V1_1;
    let data = business(xml_kb * 1024).replace("b:Request", "b:Response");
    let response = format!(
        "<tns:Response xmlns:tns=\"{}\" xmlns:basic=\"{}\" Id=\"{SIGNED_BY_SMEV}\">\
         <tns:OriginalMessageId>{}</tns:OriginalMessageId>\
         <tns:SenderProvidedResponseData Id=\"SIGNED_BY_PROVIDER\"><tns:MessageID>{}</tns:MessageID>\
         <tns:To>node</tns:To><basic:MessagePrimaryContent>{data}</basic:MessagePrimaryContent>\
         <basic:AttachmentHeaderList><basic:AttachmentHeader><basic:contentId>file1</basic:contentId>\
         <basic:MimeType>application/pdf</basic:MimeType></basic:AttachmentHeader></basic:AttachmentHeaderList>\
         </tns:SenderProvidedResponseData><tns:MessageMetadata><tns:MessageId>{}</tns:MessageId>\
         <tns:MessageType>RESPONSE</tns:MessageType><tns:Sender><tns:Mnemonic>BENCH</tns:Mnemonic>\
         <tns:HumanReadableName>Бенчмарк</tns:HumanReadableName></tns:Sender>\
         <tns:SendingTimestamp>2026-11-23T10:00:00.000+07:00</tns:SendingTimestamp>\
         <tns:Status>responseIsAcceptedBySmev</tns:Status></tns:MessageMetadata></tns:Response>",
        v.types(),
        v.basic(),
        envelope::new_message_id(),
        envelope::new_message_id(),
        envelope::new_message_id(),
    );
    let tree = xml::parse(&response).expect("response");
    let sig = dsig::sign(&tree, SIGNED_BY_SMEV, smev).expect("sign");
    let soap = format!(
        "<soap:Envelope xmlns:soap=\"{SOAP}\"><soap:Body><tns:GetResponseResponse xmlns:tns=\"{}\" \
         xmlns:basic=\"{}\"><tns:ResponseMessage>{response}<basic:AttachmentContentList>\
         <basic:AttachmentContent><basic:Id>file1</basic:Id><basic:Content>\
         <xop:Include xmlns:xop=\"{XOP}\" href=\"cid:file1\"/></basic:Content>\
         </basic:AttachmentContent></basic:AttachmentContentList>\
         <tns:SMEVSignature>{sig}</tns:SMEVSignature></tns:ResponseMessage>\
         </tns:GetResponseResponse></soap:Body></soap:Envelope>",
        v.types(),
        v.basic()
    );
    let boundary = "uuid:bench-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type=\"text/xml\"\r\n\
         Content-ID: <root.message@cxf.apache.org>\r\n\r\n{soap}\r\n--{boundary}\r\n\
         Content-Type: application/octet-stream\r\nContent-ID: <file1>\r\n\r\n"
    )
    .into_bytes();
    body.extend((0..file_kb * 1024).map(|i| (i * 31 % 251) as u8));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!(
        "multipart/related; type=\"application/xop+xml\"; boundary=\"{boundary}\"; \
         start=\"<root.message@cxf.apache.org>\"; start-info=\"text/xml\""
    );
    (ct, Bytes::from(body))
}

fn main() {
    gost::init().expect("Debian's gost engine (libengine-gost-openssl)");
    let d = bench_secs(5);
    let node = key("Бенчмарк узла");
    let smev = key("Бенчмарк СМЭВ");
    println!(
        "SMEV signatures, one thread, {} s per measurement",
        d.as_secs()
    );

    // 1. The limit.
    let signed_info = vec![b'x'; 700];
    let raw_sign = rate(d, || {
        gost::sign(&node.key, &signed_info).expect("sign");
    });
    let raw_verify = rate(d, || {
        let s = gost::sign(&node.key, &signed_info).expect("sign");
        assert!(gost::verify(&node.cert, &signed_info, &s).expect("verify"));
    });
    let block = vec![7u8; 16384];
    let ours_streebog = rate(d, || {
        gost::digest(&block).expect("digest");
    }) * block.len() as f64;
    let speed = openssl_streebog();
    println!("raw GOST sign (700 B, EVP through the engine): {raw_sign:.0}/s");
    println!("raw GOST sign + verify: {raw_verify:.0}/s");
    println!(
        "Streebog-256 on 16 KB: {:.1} MB/s; openssl dgst -md_gost12_256 (64 MB): {}; ratio {}",
        ours_streebog / 1e6,
        speed.map_or("not available".into(), |s| format!("{:.1} MB/s", s / 1e6)),
        speed.map_or("-".into(), |s| ratio(ours_streebog, s))
    );

    // 2. Build + sign a SendRequest with 10 KB of business data.
    let data = business(10 * 1024);
    let build = || {
        envelope::send_request(
            Version::V1_1,
            &RequestData {
                message_id: &envelope::new_message_id(),
                reference: None,
                node_id: "",
                business: &data,
                personal_signature: None,
                attachments: &[],
                test: false,
            },
            &node,
        )
        .expect("envelope")
    };
    let built = rate(d, || {
        build();
    });
    println!(
        "build + sign SendRequest (10 KB business data): {built:.0}/s = {} of the raw sign rate",
        ratio(built, raw_sign)
    );

    // 3. Verify it.
    let env = build();
    let verified = rate(d, || {
        let doc = xml::parse(&env).expect("xml");
        let op = doc
            .elements()
            .nth(1)
            .and_then(|b| b.elements().next())
            .expect("op");
        let sig = op
            .elements()
            .last()
            .expect("CallerInformationSystemSignature");
        dsig::verify_in(&doc, sig).expect("verifies");
    });
    println!(
        "parse + verify that SendRequest: {verified:.0}/s = {} of raw sign + verify",
        ratio(verified, raw_verify)
    );

    // 4. Parse a 1 MB GetResponse.
    let (ct, body) = get_response(&smev, 100, 900);
    let size = body.len();
    let parsed = rate(d, || {
        match reply::parse(&ct, body.clone()).expect("parses") {
            reply::Reply::Message(m) => {
                m.smev_signature.as_ref().expect("SMEV signature");
                assert_eq!(m.files.len(), 1);
            }
            other => panic!("{other:?}"),
        }
    });
    println!(
        "parse a {:.2} MB GetResponse (MTOM, SMEV signature checked): {parsed:.1}/s = {:.1} MB/s",
        size as f64 / 1e6,
        parsed * size as f64 / 1e6
    );
}
