//! The pluggable signer (issue 31): the `command` provider, with a stand-in for a certified
//! tool built on Debian's OpenSSL GOST engine (`openssl pkeyutl -sign`: the digest in, the
//! raw signature out), signs the node's exchange end to end with the real daemon and the
//! simulator, which checks every signature; what it signs verifies with `openssl` itself
//! (`dgst` over the envelope's `SignedInfo`, `cms` over a packet's signature), independent of
//! the node's own verifier. A tool's failures — too slow, another key, an error, garbage —
//! are clear errors, and /health names the engine as uncertified.
//!
//! Not tested here: a real certified tool (КриптоПро's `cryptcp`/`csptest`, a vendor's
//! signing service) — none is in Debian; the stand-in speaks the same protocol.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::sim::*;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use volost::api::call;
use volost::domain::*;
use volost::smev::signer::{self, CommandSigner, Provider, SignError, Signer};
use volost::smev::{dsig, keys, signed_data, xml};

/// A script in `dir` named `name` running `body` (`$1` is the key file).
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// The stand-in for a certified tool: the digest on stdin, the raw signature on stdout.
fn stand_in(dir: &Path) -> PathBuf {
    script(
        dir,
        "sign-digest",
        "exec openssl pkeyutl -sign -engine gost -inkey \"$1\"",
    )
}

fn keygen(dir: &Path) -> (PathBuf, PathBuf) {
    let out = Command::new(BIN)
        .args(["smev", "keygen", "--out"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    (dir.join(keys::KEY_FILE), dir.join(keys::CERT_FILE))
}

fn tool(cert: &Path, command: &[&Path], timeout: Duration) -> CommandSigner {
    let cert = keys::load_cert(cert).unwrap();
    let args: Vec<String> = command.iter().map(|p| p.display().to_string()).collect();
    CommandSigner::new(cert, &args, timeout).unwrap()
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn what_a_tool_signs_verifies_with_openssl_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let (key, cert) = keygen(tmp.path());
    let s = tool(
        &cert,
        &[&stand_in(tmp.path()), &key],
        Duration::from_secs(10),
    );
    assert_eq!(s.provider(), Provider::Command);
    assert!(s.provider().certified());

    // XMLDSig: the SignedInfo goes out in its canonical form, so its bytes in the message are
    // exactly what was signed; `openssl dgst` checks the value against the certificate's key.
    let data = "<t:SenderProvidedRequestData xmlns:t=\"urn:t\" Id=\"SIGNED_BY_CONSUMER\">\
                <t:MessageID>1</t:MessageID></t:SenderProvidedRequestData>";
    let sig = dsig::sign(&xml::parse(data).unwrap(), "SIGNED_BY_CONSUMER", &s).unwrap();
    let start = sig.find("<ds:SignedInfo").unwrap();
    let end = sig.find("</ds:SignedInfo>").unwrap() + "</ds:SignedInfo>".len();
    let value = sig
        .split("<ds:SignatureValue>")
        .nth(1)
        .and_then(|r| r.split("</ds:SignatureValue>").next())
        .unwrap();
    use base64::Engine;
    let value = base64::engine::general_purpose::STANDARD
        .decode(value)
        .unwrap();
    let d = tmp.path();
    std::fs::write(d.join("info.xml"), &sig[start..end]).unwrap();
    std::fs::write(d.join("value.bin"), &value).unwrap();
    let (ok, text) = openssl(&[
        "x509",
        "-engine",
        "gost",
        "-in",
        cert.to_str().unwrap(),
        "-pubkey",
        "-noout",
    ]);
    assert!(ok, "{text}");
    std::fs::write(d.join("pub.pem"), text.trim_start_matches(|c| c != '-')).unwrap();
    let p = |n: &str| d.join(n).display().to_string();
    let dgst = |file: &str| {
        openssl(&[
            "dgst",
            "-engine",
            "gost",
            "-md_gost12_256",
            "-verify",
            &p("pub.pem"),
            "-signature",
            &p("value.bin"),
            &p(file),
        ])
    };
    let (ok, text) = dgst("info.xml");
    assert!(ok && text.contains("Verified OK"), "{text}");
    let changed = sig[start..end].replace("<ds:DigestValue>", "<ds:DigestValue>A");
    std::fs::write(d.join("other.xml"), changed).unwrap();
    let (ok, _) = dgst("other.xml");
    assert!(!ok, "a changed SignedInfo does not verify");
    // And the node's own check, as `volost smev verify` makes it.
    let msg = format!(
        "<t:SendRequestRequest xmlns:t=\"urn:t\">{data}\
         <t:CallerInformationSystemSignature>{sig}</t:CallerInformationSystemSignature>\
         </t:SendRequestRequest>"
    );
    std::fs::write(d.join("msg.xml"), &msg).unwrap();
    std::fs::create_dir_all(d.join("trust")).unwrap();
    std::fs::copy(&cert, d.join("trust/node.pem")).unwrap();
    let out = Command::new(BIN)
        .args(["smev", "verify"])
        .arg(d.join("msg.xml"))
        .arg("--trust")
        .arg(d.join("trust"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    // CMS: a packet's detached signature, built by the node around the tool's value.
    let zip = b"PK\x03\x04 the packet";
    let cms = signed_data::detached(&s, zip, std::time::SystemTime::now()).unwrap();
    std::fs::write(d.join("packet.zip"), zip).unwrap();
    std::fs::write(d.join("packet.zip.sig"), &cms).unwrap();
    let (ok, text) = openssl(&[
        "cms",
        "-verify",
        "-engine",
        "gost",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &p("packet.zip.sig"),
        "-content",
        &p("packet.zip"),
        "-noverify",
        "-out",
        "/dev/null",
    ]);
    assert!(ok && text.contains("Verification successful"), "{text}");
}

/// The setup screen's «Сертифицированная программа подписи»: the tool is run once with the
/// certificate before anything is saved, and a fault is said against its line.
#[test]
fn the_setup_tries_the_tool_and_names_the_line_at_fault() {
    use volost::setup::{Answers, label, signing};
    let tmp = tempfile::tempdir().unwrap();
    let (key, cert) = keygen(tmp.path());
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let (other_key, _) = keygen(&other);
    let answers = |command: String, cert: &Path| Answers {
        signer: "command".into(),
        sign_command: command,
        cert: cert.display().to_string(),
        ..setup_answers()
    };
    let tool = stand_in(tmp.path()).display().to_string();
    let good = answers(format!("{tool} {}", key.display()), &cert);
    assert!(good.check_form().is_empty());
    assert_eq!(signing::check(&good, None), []);
    let fields = |a: &Answers| -> Vec<String> {
        signing::check(a, None)
            .into_iter()
            .map(|e| e.field)
            .collect()
    };
    // Another key than the certificate's: the certificate's line.
    assert_eq!(
        fields(&answers(format!("{tool} {}", other_key.display()), &cert)),
        [label::CERT]
    );
    // A tool that fails: its own line.
    assert_eq!(
        fields(&answers("/bin/false".into(), &cert)),
        [label::SIGN_COMMAND]
    );
    assert_eq!(
        fields(&answers(format!("{tool} {}", key.display()), &key)),
        [label::CERT]
    );
    // A relative program is refused by the form itself.
    let relative = answers("sign-digest".into(), &cert);
    assert_eq!(
        relative
            .check_form()
            .into_iter()
            .map(|e| e.field)
            .collect::<Vec<_>>(),
        [label::SIGN_COMMAND]
    );
}

#[test]
fn a_tool_s_failures_are_clear_and_sign_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (key, cert) = keygen(&d.join("node"));
    let (other, _) = keygen(&d.join("other"));
    let digest = [1u8; 32];
    let fails = |command: &[&Path], timeout: u64| {
        signer::sign_digest(&tool(&cert, command, Duration::from_secs(timeout)), &digest)
            .unwrap_err()
    };

    // Another key than the certificate's: caught before the signature is used.
    let e = fails(&[&stand_in(d), &other], 10);
    assert!(matches!(e, SignError::WrongKey { .. }), "{e}");
    assert!(e.russian().contains("другой ключ"), "{}", e.russian());
    // Too slow: stopped at the limit.
    let slow = script(d, "slow", "sleep 30");
    let t0 = std::time::Instant::now();
    let e = fails(&[&slow], 1);
    assert!(matches!(e, SignError::Timeout { secs: 1, .. }), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert!(
        e.russian().contains("не ответило за 1 с"),
        "{}",
        e.russian()
    );
    // A tool that leaves something behind holding its output: stopped at the limit too.
    let lingering = script(d, "lingering", "cat >/dev/null; sleep 30 & exit 0");
    let t0 = std::time::Instant::now();
    let e = fails(&[&lingering], 1);
    assert!(matches!(e, SignError::Timeout { .. }), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    // An error of its own: its message is what staff and the log read.
    let broken = script(d, "broken", "echo 'token not present' >&2; exit 3");
    let e = fails(&[&broken], 10);
    assert!(e.to_string().contains("token not present"), "{e}");
    // Garbage, or a flood, on its output.
    let garbage = script(d, "garbage", "cat >/dev/null; echo 'not a signature'");
    assert!(matches!(fails(&[&garbage], 10), SignError::Output { .. }));
    let flood = script(d, "flood", "cat >/dev/null; yes | head -c 10000000");
    assert!(matches!(fails(&[&flood], 10), SignError::Output { .. }));
    // Not there at all.
    let e = fails(&[Path::new("/nonexistent/sign")], 10);
    assert!(matches!(e, SignError::Start { .. }), "{e}");
    // The stand-in itself, for comparison, signs.
    let good = tool(&cert, &[&stand_in(d), &key], Duration::from_secs(10));
    assert_eq!(signer::sign_digest(&good, &digest).unwrap().len(), 64);
}

/// The daemon with `signer = "command"`: staff send a request, the worker signs its
/// envelopes (and polls and Acks) through the tool, the simulator checks each signature and
/// answers; /health and /metrics name the provider as certified. The same node on the engine
/// is flagged.
#[test]
fn the_exchange_runs_on_a_signing_tool_and_health_names_the_provider() {
    let (dir, ids) = node_with_requests(1);
    let sim = Sim::start(&dir.path().join("dump"));
    let k = dir.path().join("keys");
    let tool = stand_in(dir.path());
    let cfg = config(
        dir.path(),
        &format!(
            "[smev]\nendpoint = \"http://{}/smev/v1.1/ws\"\nsigner = \"command\"\n\
             cert = \"{}\"\nsign_command = [\"{}\", \"{}\"]\n\
             poll_interval_secs = 1\nretry_first_secs = 1\ntimeout_secs = 3\n\
             trust_dir = \"{}\"\n",
            sim.addr,
            k.join("node-cert.pem").display(),
            tool.display(),
            k.join("node-key.pem").display(),
            trust_sim(dir.path(), &sim).display(),
        ),
    );
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    let sent: OutgoingRequest = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap();
    let mid = sent.message_id.unwrap();
    until("the answer", || {
        let (r, _): (OutgoingRequest, Vec<HistoryEntry>) =
            c.ask(call::Outgoing { id: ids[0] }).unwrap();
        (r.status == OutStatus::Answered).then_some(())
    });
    let st = sim.state();
    assert_eq!(st.requests, [mid]);
    assert!(
        st.refused.is_empty(),
        "every signature passed: {:?}",
        st.refused
    );
    assert_eq!(st.acked.len(), 2, "the status and the answer acknowledged");
    let (_, body) = d.get("/health", "");
    let h: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(h["signing"]["provider"], "command", "{h}");
    assert_eq!(h["signing"]["certified"], true, "{h}");
    assert!(h["signing"]["warning"].is_null(), "{h}");
    let (_, m) = d.get("/metrics", "");
    assert!(
        m.contains("volost_signer_certified{provider=\"command\"} 1"),
        "{m}"
    );
    drop(c);
    d.stop();

    // The engine: it works, and says it is for tests only.
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let (_, body) = d.get("/health", "");
    let h: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(h["signing"]["provider"], "engine", "{h}");
    assert_eq!(h["signing"]["certified"], false, "{h}");
    assert_eq!(
        h["signing"]["warning"], "несертифицированное СКЗИ — только для проверки",
        "{h}"
    );
    // The status line hears it with every pulse.
    let mut c = d.login("spec", "password-1");
    let p: volost::api::proto::Pulse = c.ask(call::Pulse).unwrap();
    assert!(
        p.smev.uncertified && p.smev.signer.as_deref() == Some("engine"),
        "{p:?}"
    );
    drop(c);
    d.stop();
    check_ok(&open_node(dir.path()));
}

/// The node's certificate has ended: staff are refused in words when they send, nothing is
/// queued, and the request stays as it was.
#[test]
fn an_expired_node_certificate_refuses_before_anything_is_queued() {
    let (dir, ids) = node_with_requests(1);
    let sim = Sim::start(&dir.path().join("dump"));
    let k = dir.path().join("keys");
    let (key, _) = keys::load_pem(&k.join(keys::KEY_FILE), &k.join(keys::CERT_FILE)).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let at = |t: i64| openssl::asn1::Asn1Time::from_unix(t).unwrap();
    let day = 86_400;
    let ended = volost::smev::gost::self_signed_between(
        &key,
        "Тестовый узел",
        "Администрация",
        &at(now - 400 * day),
        &at(now - day),
    )
    .unwrap();
    std::fs::write(k.join(keys::CERT_FILE), ended.to_pem().unwrap()).unwrap();
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut c = d.login("spec", "password-1");
    let e = c
        .ask(call::SubmitOutgoing {
            id: ids[0],
            pin: None,
            browser: false,
        })
        .unwrap_err();
    let ru = e.ru();
    assert!(
        ru.contains("Срок действия сертификата") && ru.contains("истёк"),
        "{ru}"
    );
    let (r, _): (OutgoingRequest, Vec<HistoryEntry>) =
        c.ask(call::Outgoing { id: ids[0] }).unwrap();
    assert_eq!(r.status, OutStatus::Formed);
    assert!(r.message_id.is_none());
    // The worker cannot sign its polls either: /health says so, not «up».
    until("the link down for its signature", || {
        let (_, body) = d.get("/health", "");
        let h: serde_json::Value = serde_json::from_str(&body).ok()?;
        let why = h["smev"]["last_error"].as_str()?.to_string();
        (h["smev"]["state"] == "down" && why.contains("cannot sign")).then_some(())
    });
    drop(c);
    d.stop();
    let node = open_node(dir.path());
    assert!(node.exchange_outbox().unwrap().is_empty());
    check_ok(&node);
}

/// A staff certificate (ЭП-СП) ten days from its end: the staff member sees it on their
/// status line (tests/personal.rs); support sees it on /health and /metrics.
#[test]
fn staff_certificates_near_their_end_show_on_health_and_metrics() {
    let (dir, _) = node_with_requests(0);
    let d = dir.path();
    let pin = d.join("spec.pin");
    std::fs::write(&pin, "246813\n").unwrap();
    std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(0o600)).unwrap();
    let made = Command::new(BIN)
        .args([
            "smev",
            "keygen",
            "--personal",
            "--name",
            "Петрова Анна Ивановна",
        ])
        .args(["--org", "Тестовый сельсовет", "--days", "10", "--out"])
        .arg(d.join("spec-cert"))
        .arg("--pin-file")
        .arg(&pin)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let imported = Command::new(BIN)
        .args(["user", "cert", "--data"])
        .arg(d.join("data"))
        .arg("spec")
        .arg(d.join("spec-cert/personal.p12"))
        .arg("--password-file")
        .arg(&pin)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let daemon = Daemon::start(d, &config(d, ""));
    let (_, body) = daemon.get("/health", "");
    let h: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(h["staff_certificates"]["ending"], 1, "{h}");
    assert_eq!(h["staff_certificates"]["ended"], 0, "{h}");
    assert_eq!(h["staff_certificates"]["ending_within_days"], 30, "{h}");
    let (_, m) = daemon.get("/metrics", "");
    assert!(m.contains("volost_staff_certs_ending 1"), "{m}");
    assert!(m.contains("volost_staff_certs_ended 0"), "{m}");
    // No exchange configured: nothing signs, and /health names no signer.
    assert!(h["signing"].is_null(), "{h}");
    daemon.stop();
}
