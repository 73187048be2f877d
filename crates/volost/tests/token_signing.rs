//! ЭП-СП with the employee's own token, through «Подпись токеном» on the staff web page
//! (issue 31): the clerk sends a request in the TUI (in tmux), and at the PIN dialog presses
//! F4; the TUI says where to sign and goes on; in Debian's Chromium, headless, the clerk's
//! page shows what waits and its digest, the CryptoPro plug-in signs it, the node checks the
//! signature, the certificate's registration and its trust, and the request goes to SMEV
//! (the simulator) with the ЭП-СП, which the agency finds valid; the TUI says so.
//!
//! The plug-in itself runs only on a PC with КриптоПро CSP and a token: here a stand-in
//! takes its place in the page — the same CAdESCOM objects and calls (`CAdESCOM.Store`,
//! `HashedData.SetHashValue`, `RawSignature.SignHash`, `Certificate.Export`) — and signs the
//! digest with the employee's key through the test, in CryptoAPI's byte order (least
//! significant first), as the plug-in gives it. What is tested is the node's half and the
//! page's script; the plug-in's own behaviour (its layout, its certificate store) is not.
#![allow(clippy::unwrap_used)]

mod common;

use common::chromium::*;
use common::daemon::*;
use common::personal::*;
use common::sim::*;
use common::tmux::{Tmux, signed_in};
use common::*;
use headless_chrome::protocol::cdp::Page::AddScriptToEvaluateOnNewDocument;
use std::time::Duration;
use volost::api::call;
use volost::domain::*;

/// The stand-in for the CryptoPro plug-in: `window.cadesplugin` as `cadesplugin_api.js`
/// makes it, with one certificate (`CERT`), whose `SignHash` leaves the digest in
/// `window.__token.asked` for the test and waits for `window.__token.answer(hash, signature)`.
const STAND_IN: &str = r#"
(() => {
  const waiting = new Map();
  window.__token = { asked: [], answer: (hash, sig) => { const w = waiting.get(hash); waiting.delete(hash); if (w) w(sig); } };
  const cert = {
    SubjectName: Promise.resolve("CN=Иванова Марина Сергеевна"),
    ValidToDate: Promise.resolve("01.01.2030"),
    HasPrivateKey: async () => true,
    Export: async (encoding) => { if (encoding !== 0) throw new Error("encoding"); return "CERT"; },
  };
  const cp = Promise.resolve();
  Object.assign(cp, {
    CAPICOM_CURRENT_USER_STORE: 2, CAPICOM_MY_STORE: "My", CAPICOM_STORE_OPEN_MAXIMUM_ALLOWED: 2,
    CADESCOM_HASH_ALGORITHM_CP_GOST_3411_2012_256: 101, CADESCOM_ENCODE_BASE64: 0,
    CreateObjectAsync: async (name) => {
      if (name === "CAdESCOM.Store") {
        return { Open: async () => {}, Close: async () => {},
                 Certificates: Promise.resolve({ Count: Promise.resolve(1), Item: async (i) => cert }) };
      }
      if (name === "CAdESCOM.HashedData") {
        const h = { alg: 0, value: "" };
        return { propset_Algorithm: async (a) => { h.alg = a; },
                 SetHashValue: async (v) => { if (h.alg !== 101) throw new Error("algorithm first"); h.value = v; },
                 _h: h };
      }
      if (name === "CAdESCOM.RawSignature") {
        return { SignHash: (hashed, c) => new Promise((resolve) => {
          if (c !== cert) throw new Error("certificate");
          waiting.set(hashed._h.value, resolve);
          window.__token.asked.push(hashed._h.value);
        }) };
      }
      throw new Error("no object " + name);
    },
  });
  window.cadesplugin = cp;
})();
"#;

/// `:` → «Исходящие запросы».
fn outgoing_section(t: &Tmux) {
    t.keys(&[":"]);
    t.wait_for("Перейти к разделу");
    t.text("Исходящ");
    t.keys(&["Enter"]);
    t.wait_for("Исходящие запросы ·");
}

/// The selected request opened, «Действия» → «Отправить».
fn send_open_request(t: &Tmux) {
    t.keys(&["Enter"]);
    t.wait_for("Запрос сформирован");
    t.keys(&["F2"]);
    t.wait_for("Отправить");
    t.keys(&["Enter"]);
}

#[test]
fn a_clerk_signs_with_the_token_in_the_web_page_and_the_request_goes_with_it() {
    let fx = fixture();
    let kind = personal_kind(&fx);
    let ids = outgoing(&fx, fx.spec, &kind, 2);
    let dir = for_daemon(fx);
    let d0 = dir.path();
    import_cert(d0, "spec", "Иванова Марина Сергеевна");
    // The employee's token holds this key (the container `volost user cert` took).
    let p12 = std::fs::read(d0.join("spec-cert/personal.p12")).unwrap();
    let token = volost::smev::keys::open_pkcs12(&p12, PIN).unwrap();
    let cert_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(token.cert.to_der().unwrap())
    };
    let sim = Sim::start(&d0.join("dump"));
    let cfg = smev_config(d0, &sim);
    let addr = format!("127.0.0.1:{}", free_port());
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!("[web]\nlisten = \"{addr}\"\n"));
    std::fs::write(&cfg, text).unwrap();
    let d = Daemon::start(d0, &cfg);

    // «Исходящие запросы» → the request → «Действия» → «Отправить»: the PIN dialog offers
    // the token; F4, and the TUI says where to sign.
    let t = signed_in(&d, "token", "");
    outgoing_section(&t);
    send_open_request(&t);
    let s = t.wait_for("Подпись ЭП-СП");
    assert!(s.contains("F4"), "{s}");
    t.keys(&["F4"]);
    let s = t.wait_for("Подпишите токеном в окне документов");
    assert!(s.contains("/sign"), "{s}");

    let browser = launch(d0, &addr, &d0.join("data"));
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(20));
    tab.call_method(AddScriptToEvaluateOnNewDocument {
        source: STAND_IN.replace("\"CERT\"", &format!("\"{cert_b64}\"")),
        world_name: None,
        include_command_line_api: None,
        run_immediately: None,
    })
    .unwrap();
    sign_in(&tab, &addr, "spec", "password-1");
    tab.navigate_to(&format!("https://{addr}/sign"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    heading(&tab, "Подпись токеном");
    until("the waiting signature on the page", || {
        (text_of(&tab, "#sign-what") == "Межведомственный запрос").then_some(())
    });
    shoot(&tab, &dir, "token-signing-waiting.png");
    let shown = text_of(&tab, "#sign-hash");
    assert_eq!(shown.len(), 64, "{shown}");

    // The first try: the employee's certificate is not yet trusted (no CA of it in the trust
    // directory): refused on the page, and the signature still waits.
    let sign_once = |tab: &headless_chrome::Tab, shown: &str| {
        tab.wait_for_element("#sign-go").unwrap().click().unwrap();
        let t0 = std::time::Instant::now();
        let hash = loop {
            let h = js(tab, "window.__token.asked.shift() || ''");
            if !h.is_empty() {
                break h;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "the plug-in was never asked: {}",
                text_of(tab, "#sign-status")
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(hash, shown, "the plug-in is handed the digest shown");
        let mut sig =
            volost::smev::signer::sign_digest(&token, &hex::decode(&hash).unwrap()).unwrap();
        sig.reverse();
        js(
            tab,
            &format!(
                "(() => {{ window.__token.answer('{hash}', '{}'); return ''; }})()",
                hex::encode(&sig)
            ),
        );
    };
    sign_once(&tab, &shown);
    let mut last = String::new();
    let t0 = std::time::Instant::now();
    while !last.contains("сертификат не доверенный") {
        assert!(t0.elapsed() < Duration::from_secs(20), "no refusal: {last}");
        std::thread::sleep(Duration::from_millis(50));
        last = text_of(&tab, "#sign-status");
    }
    assert_eq!(text_of(&tab, "#sign-what"), "Межведомственный запрос");

    // Its CA (the self-signed test certificate is its own) put in the trust directory: the
    // node reads it at once, and the same signature goes through.
    std::fs::write(d0.join("trust/staff-ca.pem"), token.cert.to_pem().unwrap()).unwrap();
    sign_once(&tab, &shown);
    until("the signature taken", || {
        let s = text_of(&tab, "#sign-status");
        s.starts_with("Подписано").then_some(s)
    });
    shoot(&tab, &dir, "token-signing-signed.png");
    // The TUI, which went on meanwhile, says the request went.
    t.wait_for("Запрос подписан и передаётся в СМЭВ");
    let mut c = d.login("spec", "password-1");
    // The list's first row was sent; the other waits for the second part.
    let card = |c: &mut volost::api::Client, id| -> OutgoingRequest {
        let (r, _): (OutgoingRequest, Vec<HistoryEntry>) = c.ask(call::Outgoing { id }).unwrap();
        r
    };
    let (first, second) = if card(&mut c, ids[0]).message_id.is_some() {
        (ids[0], ids[1])
    } else {
        (ids[1], ids[0])
    };
    let sent = card(&mut c, first);
    let signer = sent.personal.signed_by.clone().unwrap();
    assert!(signer.starts_with("Иванова Марина Сергеевна"), "{signer}");

    // The agency finds the ЭП-СП valid, as made with the PIN.
    let mid = sent.message_id.clone().unwrap();
    until("the answer", || {
        let (r, _): (OutgoingRequest, Vec<HistoryEntry>) =
            c.ask(call::Outgoing { id: first }).unwrap();
        (r.status == OutStatus::Answered).then_some(())
    });
    let at_agency = &sim.state().personal[&mid];
    assert!(at_agency.valid, "{at_agency:?}");
    assert_eq!(at_agency.signer, signer);

    // Nothing waits now.
    assert!(c.ask(call::SigningPending::default()).unwrap().is_none());

    // As a CA issues it for a token: the node keeps only the certificate (`--token`; a
    // container is not one), and the TUI sends the clerk to the page without a PIN dialog.
    let data = d0.join("data");
    let data = data.to_str().unwrap();
    let p12_path = d0.join("spec-cert/personal.p12");
    // The daemon holds the database: the certificate is registered through a stopped node.
    t.keys(&["F10"]);
    drop(t);
    d.stop();
    let register = |file: &std::path::Path| {
        let file = file.to_str().unwrap();
        volost(&["user", "cert", "--token", "--data", data, "spec", file])
    };
    let wrong = register(&p12_path);
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("не сертификат"),
        "{wrong:?}"
    );
    let pem = d0.join("spec-token.pem");
    std::fs::write(&pem, token.cert.to_pem().unwrap()).unwrap();
    let ok = register(&pem);
    assert!(ok.status.success(), "{ok:?}");
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("ключ на его токене"),
        "{ok:?}"
    );
    let d = Daemon::start(d0, &cfg);
    let mut c = d.login("spec", "password-1");
    let e = c
        .ask(call::SubmitOutgoing {
            id: second,
            pin: Some(volost::api::Pin(PIN.into())),
            browser: false,
        })
        .unwrap_err();
    assert!(e.to_string().contains("на вашем токене"), "{e}");
    let t = signed_in(&d, "token2", "");
    outgoing_section(&t);
    // The second request: the first is sent already.
    let s = t.wait_for("Запрос сформирован");
    let lines: Vec<&str> = s.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains("Запрос сформирован"))
        .unwrap();
    let first = lines
        .iter()
        .position(|l| {
            l.contains("Запрос готов")
                || l.contains("Запрос отправлен")
                || l.contains("Получен ответ")
        })
        .unwrap_or(row);
    if first < row {
        t.keys(&["Down"]);
    }
    send_open_request(&t);
    let s = t.wait_for("Подпишите токеном в окне документов");
    assert!(!s.contains("Введите PIN-код"), "{s}");
    // Sessions live in the daemon's memory: the restarted node asks the page to sign in.
    sign_in(&tab, &addr, "spec", "password-1");
    tab.navigate_to(&format!("https://{addr}/sign"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    until("the second signature on the page", || {
        (text_of(&tab, "#sign-what") == "Межведомственный запрос").then_some(())
    });
    let shown = text_of(&tab, "#sign-hash");
    sign_once(&tab, &shown);
    t.wait_for("Запрос подписан и передаётся в СМЭВ");
    let again = card(&mut c, second);
    assert_eq!(again.personal.signed_by.as_deref(), Some(signer.as_str()));
    t.keys(&["F10"]);
    drop(t);
    drop(tab);
    drop(browser);
    d.stop();
}
