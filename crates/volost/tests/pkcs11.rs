//! The `pkcs11` signer (issue 31) against SoftHSM 2 (Debian's `softhsm2`): a software token
//! behind a real PKCS#11 module, set up with the tools an installer uses (`softhsm2-util`,
//! OpenSC's `pkcs11-tool`). The node loads the module, finds the token by its label, logs in
//! with the PIN from a 0600 file, finds the key by its `CKA_ID` and the certificate beside it,
//! and signs the node's digest on the token; each way it can fail is a clear error.
//!
//! Untested here, and why: a GOST R 34.10-2012 signature made by a token. SoftHSM 2.6 in
//! Debian has no GOST mechanism (built on OpenSSL 3, which it uses without the GOST engine),
//! and no other software token in Debian has one. So the token here holds an ECDSA P-256 key
//! and the node is told to sign with `CKM_ECDSA`: the signature it gets back is the token's
//! signature of exactly the node's digest (OpenSSL verifies it against the token's public
//! key), and the node's own check refuses it, as it is not a GOST signature of the
//! certificate's key. `CKM_GOSTR3410` itself is proven only by the refusal of a token that
//! lacks it. On Рутокен or JaCarta the first signature at start checks the layout of theirs.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use openssl::bn::BigNum;
use openssl::ec::EcKey;
use openssl::ecdsa::EcdsaSig;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use volost::smev::keys;
use volost::smev::signer::{self, Pkcs11Signer, SignError, Signer, TokenError, TokenSettings};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const LABEL: &str = "volost-test";
const PIN: &str = "246810";
const CKM_ECDSA: u64 = 0x1041;

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn pkcs11_tool(args: &[&str]) -> String {
    let mut all = vec!["--module", MODULE, "--token-label", LABEL];
    all.extend_from_slice(args);
    run("pkcs11-tool", &all)
}

fn secret_file(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{text}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

/// A token labelled [`LABEL`] holding an ECDSA key with `CKA_ID` 01 and, beside it, the
/// node's GOST certificate from `volost smev keygen`; returns the token's public key and the
/// certificate's file.
fn token(dir: &Path) -> (EcKey<openssl::pkey::Public>, PathBuf) {
    let tokens = dir.join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!("directories.tokendir = {}\n", tokens.display()),
    )
    .unwrap();
    // SAFETY: set before any thread of this test starts, and this binary has one test.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &conf) };
    run(
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            LABEL,
            "--pin",
            PIN,
            "--so-pin",
            "13579135",
        ],
    );
    pkcs11_tool(&[
        "--login",
        "--pin",
        PIN,
        "--keypairgen",
        "--key-type",
        "EC:prime256v1",
        "--id",
        "01",
        "--label",
        "node",
    ]);
    let keydir = dir.join("keys");
    std::fs::create_dir(&keydir).unwrap();
    run(BIN, &["smev", "keygen", "--out", keydir.to_str().unwrap()]);
    let cert = keydir.join(keys::CERT_FILE);
    let der = dir.join("cert.der");
    run(
        "openssl",
        &[
            "x509",
            "-in",
            cert.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            der.to_str().unwrap(),
        ],
    );
    pkcs11_tool(&[
        "--login",
        "--pin",
        PIN,
        "--write-object",
        der.to_str().unwrap(),
        "--type",
        "cert",
        "--id",
        "01",
        "--label",
        "node",
    ]);
    let public = dir.join("public.der");
    pkcs11_tool(&[
        "--read-object",
        "--type",
        "pubkey",
        "--id",
        "01",
        "-o",
        public.to_str().unwrap(),
    ]);
    let key = openssl::pkey::PKey::public_key_from_der(&std::fs::read(&public).unwrap())
        .unwrap()
        .ec_key()
        .unwrap();
    (key, cert)
}

#[test]
fn a_token_is_found_logged_in_and_signs_the_node_s_digest_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (public, cert_file) = token(d);
    let pin = secret_file(d, "token.pin", PIN, 0o600);
    let settings = TokenSettings {
        module: MODULE.into(),
        label: LABEL.into(),
        key_id: vec![1],
        pin_file: pin.clone(),
        mechanism: CKM_ECDSA,
        cert: None,
        timeout: Duration::from_secs(10),
        data_dir: d.join("data"),
    };

    // The token's own certificate, found by the key's CKA_ID.
    let token = Pkcs11Signer::open(&settings).unwrap();
    let cert = keys::load_cert(&cert_file).unwrap();
    assert_eq!(token.cert().to_der().unwrap(), cert.to_der().unwrap());
    assert_eq!(token.provider().code(), "pkcs11");
    assert!(token.provider().certified());

    // The node's digest, signed on the token: the token's signature of exactly it.
    let digest = volost::smev::gost::digest(b"<ds:SignedInfo/>").unwrap();
    for _ in 0..3 {
        let sig = token.sign_raw(&digest).unwrap();
        assert_eq!(sig.len(), 64);
        let sig = EcdsaSig::from_private_components(
            BigNum::from_slice(&sig[..32]).unwrap(),
            BigNum::from_slice(&sig[32..]).unwrap(),
        )
        .unwrap();
        assert!(sig.verify(&digest, &public).unwrap());
        let other = volost::smev::gost::digest(b"other").unwrap();
        assert!(!sig.verify(&other, &public).unwrap());
    }
    // An ECDSA signature is no GOST signature of the certificate's key: the node's check
    // refuses it before anything is sent.
    let e = signer::sign_digest(&token, &digest).unwrap_err();
    assert!(matches!(e, SignError::WrongKey { .. }), "{e}");
    drop(token);

    // A certificate given in volost.toml is the one used.
    let given = Pkcs11Signer::open(&TokenSettings {
        cert: Some(cert_file.clone()),
        ..settings.clone()
    })
    .unwrap();
    assert_eq!(keys::subject(given.cert()), keys::subject(&cert));
    drop(given);

    // Each way it fails, said.
    let fails = |s: TokenSettings| Pkcs11Signer::open(&s).unwrap_err();
    let e = fails(TokenSettings {
        mechanism: volost::config::CKM_GOSTR3410,
        ..settings.clone()
    });
    assert!(
        matches!(
            e,
            TokenError::NoMechanism {
                mechanism: 0x1201,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.russian().contains("ГОСТ Р 34.10-2012"), "{}", e.russian());
    let e = fails(TokenSettings {
        label: "Rutoken ECP".into(),
        ..settings.clone()
    });
    assert!(e.to_string().contains(&format!("«{LABEL}»")), "{e}");
    assert!(e.russian().contains("не вставлен"), "{}", e.russian());
    let e = fails(TokenSettings {
        key_id: vec![2],
        ..settings.clone()
    });
    assert_eq!(
        e,
        TokenError::NoKey {
            label: LABEL.into(),
            id: "02".into()
        }
    );
    let e = fails(TokenSettings {
        pin_file: secret_file(d, "open.pin", PIN, 0o644),
        ..settings.clone()
    });
    assert!(e.to_string().contains("chmod 600"), "{e}");
    let wrong = TokenSettings {
        pin_file: secret_file(d, "wrong.pin", "11111111", 0o600),
        ..settings.clone()
    };
    let e = fails(wrong.clone());
    assert!(
        matches!(e, TokenError::Pin { ref why, .. } if why.contains("PinIncorrect")),
        "{e}"
    );
    assert!(
        e.russian().contains("PIN больше не вводится"),
        "{}",
        e.russian()
    );
    // Not offered again, even by a node started anew, until the file changes.
    let e = fails(wrong.clone());
    assert!(
        matches!(e, TokenError::Pin { ref why, .. } if why.contains("refused before")),
        "{e}"
    );
    secret_file(d, "wrong.pin", PIN, 0o600);
    Pkcs11Signer::open(&wrong).unwrap();
    assert!(!d.join("data/token-pin-refused").exists());
    let e = fails(TokenSettings {
        module: d.join("absent.so"),
        ..settings.clone()
    });
    assert!(matches!(e, TokenError::Module { .. }), "{e}");
    // The wrong PIN did not lock the token: the right one still opens it.
    Pkcs11Signer::open(&settings).unwrap();

    // The daemon, configured so, refuses to start and says why: a token without GOST…
    let (node, _) = node_with_tasks(0, 0);
    let smev = |extra: &str| {
        config(
            node.path(),
            &format!(
                "[smev]\nendpoint = \"http://127.0.0.1:9/smev\"\ntrust_dir = \"{d}/trust\"\n\
                 signer = \"pkcs11\"\npkcs11_module = \"{MODULE}\"\npkcs11_token = \"{LABEL}\"\n\
                 pkcs11_key_id = \"01\"\npkcs11_pin_file = \"{pin}\"\n{extra}",
                d = d.display(),
                pin = pin.display()
            ),
        )
    };
    let said = refused(&smev(""));
    assert!(
        said.contains("cannot sign with the mechanism 0x1201"),
        "{said}"
    );
    // …and one whose signature does not verify against the certificate, at its first.
    let said = refused(&smev(&format!("pkcs11_mechanism = {CKM_ECDSA}\n")));
    assert!(
        said.contains("does not verify against the certificate"),
        "{said}"
    );

    // The setup screen's «Токен (PKCS#11)»: the token is opened with the typed PIN before
    // anything is saved, and what is wrong is said against its line.
    use volost::setup::{Answers, label, signing};
    let answers = |pin: &str| Answers {
        signer: "pkcs11".into(),
        pkcs11_module: MODULE.into(),
        pkcs11_token: LABEL.into(),
        pkcs11_key_id: "01".into(),
        pkcs11_pin: pin.into(),
        ..common::setup_answers()
    };
    let said = |a: &Answers| -> Vec<(String, String)> {
        signing::check(a, None)
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    };
    assert!(answers(PIN).check_form().is_empty());
    // A token without GOST is refused before the PIN is offered: no try of it is spent.
    let wrong = said(&answers("00000000"));
    assert_eq!(wrong[0].0, label::PKCS11_TOKEN, "{wrong:?}");
    let gost = said(&answers(PIN));
    assert_eq!(gost[0].0, label::PKCS11_TOKEN, "{gost:?}");
    assert!(gost[0].1.contains("ГОСТ Р 34.10-2012"), "{gost:?}");
    let none = said(&Answers {
        pkcs11_token: "JaCarta".into(),
        ..answers(PIN)
    });
    assert!(
        none[0].1.contains(&format!("вставлены: «{LABEL}»")),
        "{none:?}"
    );
    // No PIN typed and none installed: the PIN's line.
    assert_eq!(said(&answers(""))[0].0, label::PKCS11_PIN);
    // The installed PIN file is used when none is typed.
    assert_eq!(
        signing::check(
            &answers(""),
            Some(&signing::Installed {
                pin_file: pin.clone(),
                data_dir: d.join("data"),
            })
        )[0]
        .field,
        label::PKCS11_TOKEN
    );
}
