//! SMEV keys and signatures from the command line, as an installer or support uses them.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use volost::smev::{dsig, keys, xml};

fn volost(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_volost"))
        .args(args)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn keygen_makes_a_private_key_and_a_certificate_that_sign_a_message_verify_can_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keys");
    let o = out.to_str().unwrap();
    let (ok, text) = volost(&["smev", "keygen", "--out", o, "--org", "Администрация"]);
    assert!(ok, "{text}");
    let (kp, cp) = (out.join(keys::KEY_FILE), out.join(keys::CERT_FILE));
    let mode = std::fs::metadata(&kp).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the private key is the owner's only");
    let before = std::fs::read(&kp).unwrap();
    // A second run never replaces a key that may be in use.
    let (ok, text) = volost(&["smev", "keygen", "--out", o]);
    assert!(!ok && text.contains("Ошибка"), "{text}");
    assert_eq!(std::fs::read(&kp).unwrap(), before);
    let (ok, text) = volost(&["smev", "keygen", "--out", o, "--days", "0"]);
    assert!(!ok && text.contains("от 1 до 3650"), "{text}");

    // The pair signs a message; `volost smev verify` accepts it and refuses a changed one.
    let (key, cert) = keys::load_pem(&kp, &cp).unwrap();
    let key = keys::NodeKey { key, cert };
    let data = "<t:SenderProvidedRequestData xmlns:t=\"urn:t\" Id=\"SIGNED_BY_CONSUMER\">\
                <t:MessageID>1</t:MessageID></t:SenderProvidedRequestData>";
    let sig = dsig::sign(&xml::parse(data).unwrap(), "SIGNED_BY_CONSUMER", &key).unwrap();
    let msg = format!(
        "<t:SendRequestRequest xmlns:t=\"urn:t\">{data}\
         <t:CallerInformationSystemSignature>{sig}</t:CallerInformationSystemSignature>\
         </t:SendRequestRequest>"
    );
    let good = dir.path().join("good.xml");
    std::fs::write(&good, &msg).unwrap();
    // Sound, but its certificate is not one the node trusts: refused, and said why.
    let trust = dir.path().join("trust");
    let cfg = dir.path().join("volost.toml");
    std::fs::write(
        &cfg,
        format!("[smev]\ntrust_dir = \"{}\"\n", trust.display()),
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let verify = |file: &std::path::Path| {
        volost(&["smev", "verify", file.to_str().unwrap(), "--config", cfg])
    };
    let (ok, text) = verify(&good);
    assert!(
        !ok && text.contains("подпись верна, сертификат не доверенный")
            && text.contains("не подтверждено подписей: 1 из 1"),
        "{text}"
    );
    // Its certificate added to the trust directory (as a CA's root would be): trusted.
    let (ok, text) = volost(&["trust", "add", cp.to_str().unwrap(), "--config", cfg]);
    assert!(
        ok && text.contains("Доверенный сертификат (УЦ, сотрудники): Тестовый узел"),
        "{text}"
    );
    let (ok, text) = volost(&["trust", "list", "--config", cfg]);
    assert!(ok && text.contains("Тестовый узел"), "{text}");
    let (ok, text) = volost(&["trust", "add", kp.to_str().unwrap(), "--config", cfg]);
    assert!(!ok && text.contains("это не сертификат"), "{text}");
    let (ok, text) = verify(&good);
    assert!(
        ok && text.contains("подпись верна, сертификат доверенный")
            && text.contains("Тестовый узел"),
        "{text}"
    );
    // Another directory named on the command line: the empty one trusts nothing.
    let empty = dir.path().join("empty");
    let (ok, text) = volost(&[
        "smev",
        "verify",
        good.to_str().unwrap(),
        "--trust",
        empty.to_str().unwrap(),
    ]);
    assert!(!ok && text.contains("сертификат не доверенный"), "{text}");
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, msg.replace("<t:MessageID>1<", "<t:MessageID>2<")).unwrap();
    let (ok, text) = verify(&bad);
    assert!(
        !ok && text.contains("не подтверждено подписей: 1 из 1")
            && text.contains(
                "CallerInformationSystemSignature (подписывает SenderProvidedRequestData)"
            )
            && text.contains("данные изменены после подписи"),
        "{text}"
    );

    // A certificate of another key is refused when the pair is loaded.
    let other = dir.path().join("other");
    assert!(volost(&["smev", "keygen", "--out", other.to_str().unwrap()]).0);
    assert!(matches!(
        keys::load_pem(&kp, &other.join(keys::CERT_FILE)),
        Err(keys::KeyError::Mismatch { .. })
    ));
}
