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
    let (ok, text) = volost(&["smev", "verify", good.to_str().unwrap()]);
    assert!(
        ok && text.contains("подпись верна") && text.contains("Тестовый узел"),
        "{text}"
    );
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, msg.replace("<t:MessageID>1<", "<t:MessageID>2<")).unwrap();
    let (ok, text) = volost(&["smev", "verify", bad.to_str().unwrap()]);
    assert!(
        !ok && text.contains("неверных подписей: 1 из 1")
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
