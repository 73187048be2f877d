//! Trust (issue 31): whose signatures the node takes. SMEV's signature only from a
//! certificate of the trust directory's `smev/` (the simulator's key, never configured, is
//! refused as SMEV's: the message acknowledged `accepted="false"` and kept), and nothing
//! taken from the queues until one is there; an employee's ЭП-СП only on a chain to a CA root
//! of the directory, in time and not revoked by a CRL the node holds — with CAs and CRLs
//! made here; the daemon reads the directory again when it changes. And the command line:
//! `volost trust` and `volost smev verify`.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::personal::*;
use common::sim::*;
use common::*;
use std::path::Path;
use std::process::Command;
use volost::api::{Client, call};
use volost::domain::*;
use volost::smev::sim::Scenario;
use volost::smev::trust::ca;
use volost::smev::{dsig, gost, keys, xml};

type Card = (OutgoingRequest, Vec<HistoryEntry>);

/// The request's card once it is no longer on its way (answered, or in error).
fn settled(c: &mut Client, id: OutReqId) -> Card {
    until("the request settled", || {
        let card: Card = c.ask(call::Outgoing { id }).unwrap();
        matches!(card.0.status, OutStatus::Answered | OutStatus::Error).then_some(card)
    })
}

/// Only `files` in `dir` (certificates kept as PEM).
fn only(dir: &Path, files: &[(&str, Vec<u8>)]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// SMEV's signature from a key the node was never given: nothing is polled while `smev/` is
/// empty (/health says why), a message signed by a stranger is refused with an Ack
/// `accepted="false"` and kept, and once the simulator's certificate is added — no restart —
/// the exchange runs.
#[test]
fn smev_s_signature_is_taken_only_from_a_configured_certificate() {
    let (dir, ids) = node_with_requests(3);
    let sim = Sim::start(&dir.path().join("dump"));
    let cfg = smev_config(dir.path(), &sim);
    let exchange = dir.path().join("trust/smev");
    let sim_cert = std::fs::read(&sim.cert).unwrap();
    only(&exchange, &[]);
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");

    // Sending needs no trust; SMEV's receipt is not taken as SMEV's, and the card says so.
    let _: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap();
    until("the link down for want of SMEV's certificate", || {
        let (_, h) = d.get("/health", "");
        let h: serde_json::Value = serde_json::from_str(&h).unwrap();
        h["smev"]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("no certificate of the exchange"))
            .then_some(())
    });
    assert_eq!(
        sim.state().calls.get("GetResponse"),
        None,
        "no queue polled without SMEV's certificate"
    );

    // A stranger's certificate as SMEV's: the simulator's answer is refused and kept.
    let stranger = dir.path().join("stranger");
    let made = Command::new(BIN)
        .args(["smev", "keygen", "--out"])
        .arg(&stranger)
        .output()
        .unwrap();
    assert!(made.status.success());
    only(
        &exchange,
        &[(
            "other.pem",
            std::fs::read(stranger.join(keys::CERT_FILE)).unwrap(),
        )],
    );
    let (req, history) = settled(&mut c, ids[0]);
    assert_eq!(req.status, OutStatus::Error, "{history:#?}");
    assert!(req.answer.is_empty());
    let why = req.error.clone().unwrap();
    assert!(
        why.contains("подпись СМЭВ под ответом не принята: сертификат не доверенный"),
        "{why}"
    );
    assert!(
        history
            .iter()
            .any(|h| h.comment.contains("подпись СМЭВ под квитанцией не принята")),
        "{history:#?}"
    );
    // The answer refused (and the status messages before it, signed by the same key).
    until("the answer refused to SMEV", || {
        (!sim.state().rejected_acks.is_empty()).then_some(())
    });
    assert!(sim.state().acked.is_empty(), "{:?}", sim.state());

    // The simulator's own certificate added while the daemon runs: the exchange goes on.
    std::fs::write(exchange.join("sim.pem"), &sim_cert).unwrap();
    let _: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[1],
            pin: None,
            browser: false,
        })
        .unwrap();
    let (req, history) = settled(&mut c, ids[1]);
    assert_eq!(req.status, OutStatus::Answered, "{history:#?}");
    assert!(
        !history.iter().any(|h| h.comment.contains("не принята")),
        "{history:#?}"
    );
    drop(c);
    d.stop();
    let node = open_node(dir.path());
    let inbox = node.exchange_inbox(100).unwrap();
    assert!(
        inbox
            .iter()
            .any(|e| e.verdict.contains("сертификат не доверенный")),
        "{inbox:#?}"
    );
    check_ok(&node);
}

/// A CA made here: its root, and the agency employee's certificate (serial 7) it issued,
/// naming `crl_url` as where its CRL is published when given.
struct Agency {
    root: openssl::x509::X509,
    root_key: openssl::pkey::PKey<openssl::pkey::Private>,
    now: i64,
}

/// A node whose staff member «spec» signs `n` requests of a kind that asks for ЭП-СП, and
/// a simulator answering with the agency employee's signature: its keys (`--keys`) are the
/// CA's certificate, also pinned as SMEV's in `smev/`, which needs no CRL. The trust
/// directory's top holds nothing yet.
fn agency_exchange(
    n: usize,
    crl_url: Option<&str>,
) -> (
    tempfile::TempDir,
    Vec<OutReqId>,
    Sim,
    std::path::PathBuf,
    Agency,
) {
    let fx = fixture();
    let kind = personal_kind(&fx);
    let ids = outgoing(&fx, fx.spec, &kind, n);
    let dir = for_daemon(fx);
    import_cert(dir.path(), "spec", "Иванова Марина Сергеевна");
    gost::init().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let year = (now - 86_400, now + 365 * 86_400);
    let (root_key, agency_key) = (gost::generate_key().unwrap(), gost::generate_key().unwrap());
    let root = ca::issue(&root_key, "УЦ ведомства", None, year, 1).unwrap();
    let cn = "Петров Пётр, ЗАГС";
    let agency = match crl_url {
        Some(url) => ca::issue_published(&agency_key, cn, (&root, &root_key), year, 7, url),
        None => ca::issue(&agency_key, cn, Some((&root, &root_key)), year, 7),
    }
    .unwrap();
    let sim_keys = dir.path().join("dump.keys");
    std::fs::create_dir_all(&sim_keys).unwrap();
    std::fs::write(
        sim_keys.join(keys::KEY_FILE),
        agency_key.private_key_to_pem_pkcs8().unwrap(),
    )
    .unwrap();
    std::fs::write(sim_keys.join(keys::CERT_FILE), agency.to_pem().unwrap()).unwrap();
    let sim = Sim::start(&dir.path().join("dump"));
    let cfg = smev_config(dir.path(), &sim);
    top(&dir.path().join("trust"), &[]);
    (
        dir,
        ids,
        sim,
        cfg,
        Agency {
            root,
            root_key,
            now,
        },
    )
}

/// The trust directory's top (the CAs of staff and agencies) holding only `files`.
fn top(trust: &Path, files: &[(&str, Vec<u8>)]) {
    for e in std::fs::read_dir(trust).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::remove_file(p).unwrap();
        }
    }
    for (name, bytes) in files {
        std::fs::write(trust.join(name), bytes).unwrap();
    }
}

/// Signed with the PIN and sent; the card once the answer came.
fn answered(c: &mut Client, id: OutReqId) -> Card {
    submit(c, id, Some(PIN)).unwrap();
    settled(c, id)
}

/// An agency's answer signed (ЭП-СП) by an employee whose certificate the CA issued:
/// trusted with the CA's root but no CRL («не удалось проверить отзыв», the answer taken),
/// «сертификат отозван» once the CA's CRL names it, «сертификат не доверенный» without the
/// root (a self-signed one is the same: no chain).
#[test]
fn an_answer_s_personal_signature_is_judged_by_the_ca_and_its_crl() {
    let (dir, ids, _sim, cfg, ca) = agency_exchange(3, None);
    let trust = dir.path().join("trust");
    let root = ("root.pem", ca.root.to_pem().unwrap());
    top(&trust, std::slice::from_ref(&root));
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");

    let (req, history) = answered(&mut c, ids[0]);
    assert_eq!(req.status, OutStatus::Answered, "{history:#?}");
    let v = req.personal.received.unwrap();
    assert!(v.valid, "{v:?}");
    assert_eq!(v.label(), "не удалось проверить отзыв");
    assert!(v.note().contains("Петров Пётр"), "{v:?}");

    let crl = ca::crl(&ca.root, &ca.root_key, &[7], ca.now).unwrap();
    top(&trust, &[root, ("root.crl", crl.to_der().unwrap())]);
    let (req, history) = answered(&mut c, ids[1]);
    assert_eq!(req.status, OutStatus::Error, "{history:#?}");
    assert!(req.answer.is_empty());
    let v = req.personal.received.unwrap();
    assert_eq!(v.label(), "сертификат отозван");
    assert!(
        req.error
            .unwrap()
            .contains("ЭП-СП ответа: сертификат отозван"),
        "{history:#?}"
    );

    top(&trust, &[]);
    let (req, history) = answered(&mut c, ids[2]);
    assert_eq!(req.status, OutStatus::Error, "{history:#?}");
    let v = req.personal.received.unwrap();
    assert_eq!(v.label(), "сертификат не доверенный", "{v:?}");
    drop(c);
    d.stop();
    check_ok(&open_node(dir.path()));
}

/// A CA's publication point on loopback: serves whatever `body` holds, to any GET.
fn publish(body: std::sync::Arc<std::sync::Mutex<Vec<u8>>>) -> String {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut head = [0u8; 4096];
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let _ = s.read(&mut head);
            let b = body.lock().unwrap().clone();
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    b.len()
                )
                .as_bytes(),
            );
            let _ = s.write_all(&b);
        }
    });
    format!("http://{addr}/ca.crl")
}

/// The CA's CRL taken from the distribution point its employee's certificate names: the
/// first signature met (SMEV's receipt, by the same simulator key) names it and makes the
/// daemon fetch it at once, and the answer that follows is «сертификат отозван». `volost trust refresh`
/// fetches on demand, and refuses what is not a trusted CA's CRL.
#[test]
fn crls_are_fetched_from_the_distribution_points_of_the_certificates_met() {
    let body = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let url = publish(body.clone());
    let (dir, ids, sim, cfg, ca) = agency_exchange(1, Some(&url));
    let revoking = ca::crl(&ca.root, &ca.root_key, &[7], ca.now).unwrap();
    *body.lock().unwrap() = revoking.to_der().unwrap();
    let trust = dir.path().join("trust");
    top(&trust, &[("root.pem", ca.root.to_pem().unwrap())]);
    // SMEV trusted by its CA here (not its certificate, which names the distribution
    // point): the address is learned from the first signature met.
    only(
        &trust.join("smev"),
        &[("root.pem", ca.root.to_pem().unwrap())],
    );
    // Time for the fetch between the receipt and the answer.
    sim.scenario(&Scenario::answer_after(3000));
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    let health = || -> serde_json::Value { serde_json::from_str(&d.get("/health", "").1).unwrap() };
    assert_eq!(health()["trust"]["crls"], 0);

    submit(&mut c, ids[0], Some(PIN)).unwrap();
    until("the CRL fetched", || {
        (health()["trust"]["crls"] == 1).then_some(())
    });
    let (req, history) = settled(&mut c, ids[0]);
    assert_eq!(req.status, OutStatus::Error, "{history:#?}");
    assert_eq!(req.personal.received.unwrap().label(), "сертификат отозван");
    let h = health();
    assert_eq!(
        h["trust"]["crl_refresh_failed"],
        serde_json::json!([]),
        "{h}"
    );
    assert_eq!(h["trust"]["exchange_certificates"], 1, "{h}");
    drop(c);
    d.stop();

    let refresh = |url: &str| {
        let out = Command::new(BIN)
            .args(["trust", "refresh", "--url", url, "--config"])
            .arg(&cfg)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = refresh(&url);
    assert!(ok && text.contains("СОС уже актуален"), "{text}");
    // Not a CRL, then another CA's: refused, the one held kept.
    *body.lock().unwrap() = b"<html>maintenance</html>".to_vec();
    let (ok, text) = refresh(&url);
    assert!(!ok && text.contains("not a CRL"), "{text}");
    let other_key = gost::generate_key().unwrap();
    let other = ca::issue(
        &other_key,
        "Чужой УЦ",
        None,
        (ca.now - 60, ca.now + 86_400),
        1,
    )
    .unwrap();
    *body.lock().unwrap() = ca::crl(&other, &other_key, &[], ca.now)
        .unwrap()
        .to_der()
        .unwrap();
    let (ok, text) = refresh(&url);
    assert!(!ok && text.contains("not issued by a trusted CA"), "{text}");
    let crls = std::fs::read_dir(&trust)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "crl")
        })
        .count();
    assert_eq!(crls, 1);
}

/// `volost trust` and `volost smev verify` over a CA of the region's (made here): a staff
/// member's signature is sound but its certificate untrusted until the CA's root is added;
/// without the CA's CRL its revocation cannot be checked; a CRL of another CA is refused;
/// the CA's CRL says which certificates are revoked.
#[test]
fn volost_trust_and_smev_verify_give_each_verdict() {
    use volost::smev::trust::ca;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let year = (now - 86_400, now + 365 * 86_400);
    let gost = volost::smev::gost::generate_key;
    let (root_key, staff_key, other_key) = (gost().unwrap(), gost().unwrap(), gost().unwrap());
    let root = ca::issue(&root_key, "УЦ Алтайского края", None, year, 1).unwrap();
    let other = ca::issue(&other_key, "Чужой УЦ", None, year, 1).unwrap();
    let staff = ca::issue(
        &staff_key,
        "Иванова Анна",
        Some((&root, &root_key)),
        year,
        7,
    )
    .unwrap();
    let key = keys::NodeKey {
        key: staff_key,
        cert: staff,
    };
    let data = "<t:SenderProvidedRequestData xmlns:t=\"urn:t\" Id=\"SIGNED_BY_CONSUMER\">\
                <t:MessageID>1</t:MessageID></t:SenderProvidedRequestData>";
    let sig = dsig::sign(&xml::parse(data).unwrap(), "SIGNED_BY_CONSUMER", &key).unwrap();
    let msg = d.join("msg.xml");
    std::fs::write(
        &msg,
        format!(
            "<t:SendRequestRequest xmlns:t=\"urn:t\">{data}\
             <t:CallerInformationSystemSignature>{sig}</t:CallerInformationSystemSignature>\
             </t:SendRequestRequest>"
        ),
    )
    .unwrap();
    let cfg = d.join("volost.toml");
    std::fs::write(
        &cfg,
        format!("[smev]\ntrust_dir = \"{}\"\n", d.join("trust").display()),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .arg("--config")
            .arg(&cfg)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let file = |name: &str, bytes: Vec<u8>| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let verify = || run(&["smev", "verify", msg.to_str().unwrap()]);

    let (ok, text) = verify();
    assert!(
        !ok && text.contains("подпись верна, сертификат не доверенный"),
        "{text}"
    );
    let (ok, text) = run(&["trust", "add", &file("root.pem", root.to_pem().unwrap())]);
    assert!(ok && text.contains("УЦ Алтайского края"), "{text}");
    let (ok, text) = verify();
    assert!(!ok && text.contains("не удалось проверить отзыв"), "{text}");
    // Another CA's CRL, even well signed, is not taken.
    let foreign = ca::crl(&other, &other_key, &[], now).unwrap();
    let (ok, text) = run(&[
        "trust",
        "crl",
        &file("other.crl", foreign.to_der().unwrap()),
    ]);
    assert!(!ok && text.contains("не доверенным УЦ"), "{text}");
    // The CA's CRL, revoking her certificate.
    let revoking = ca::crl(&root, &root_key, &[7], now).unwrap();
    let (ok, text) = run(&[
        "trust",
        "crl",
        &file("root.crl", revoking.to_pem().unwrap()),
    ]);
    assert!(ok && text.contains("отозвано: 1"), "{text}");
    let (ok, text) = verify();
    assert!(
        !ok && text.contains("подпись верна, сертификат отозван"),
        "{text}"
    );
    let (ok, text) = run(&["trust", "list"]);
    assert!(
        ok && text.contains("УЦ Алтайского края") && text.contains("СОС"),
        "{text}"
    );
    // Not revoked by a CRL that names another serial: trusted.
    std::fs::remove_dir_all(d.join("trust")).unwrap();
    run(&["trust", "add", &file("root.pem", root.to_pem().unwrap())]);
    let clean = ca::crl(&root, &root_key, &[8], now).unwrap();
    let (ok, text) = run(&["trust", "crl", &file("clean.crl", clean.to_der().unwrap())]);
    assert!(ok, "{text}");
    let (ok, text) = verify();
    assert!(
        ok && text.contains("подпись верна, сертификат доверенный"),
        "{text}"
    );

    // The same signature as SMEV's: a CA of employees does not make anyone SMEV; only a
    // certificate added with --smev does.
    std::fs::write(
        &msg,
        format!(
            "<t:GetResponseResponse xmlns:t=\"urn:t\"><t:ResponseMessage>{data}\
             <t:SMEVSignature>{sig}</t:SMEVSignature></t:ResponseMessage>\
             </t:GetResponseResponse>"
        ),
    )
    .unwrap();
    let (ok, text) = verify();
    assert!(
        !ok && text.contains("SMEVSignature") && text.contains("сертификат не доверенный"),
        "{text}"
    );
    let (ok, text) = run(&[
        "trust",
        "add",
        "--smev",
        &file("smev.pem", key.cert.to_pem().unwrap()),
    ]);
    assert!(ok && text.contains("(СМЭВ)"), "{text}");
    let (ok, text) = verify();
    assert!(
        ok && text.contains("подпись верна, сертификат доверенный"),
        "{text}"
    );
    let (ok, text) = run(&["trust", "list"]);
    let smev_part = text.split("УЦ сотрудников").next().unwrap();
    assert!(ok && smev_part.contains("Иванова Анна"), "{text}");
}
