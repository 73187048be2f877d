//! «Реестр услуг» passed on and taken back through the real daemon: exported signed with the
//! node's key, verified, changed and signed again, imported; tampered files, another body's
//! registry, an unknown service and a user without the right change nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::sim::*;
use common::*;
use volost::api::{Client, call};
use volost::domain::*;
use volost::registry::{self, Registry};
use volost::smev::keys::{self, NodeKey};

fn key(dir: &std::path::Path) -> NodeKey {
    let (key, cert) = keys::load_pem(
        &dir.join("keys").join(keys::KEY_FILE),
        &dir.join("keys").join(keys::CERT_FILE),
    )
    .unwrap();
    NodeKey { key, cert }
}

fn passports(c: &mut Client) -> Vec<ServicePassport> {
    let all: Vec<Service> = c.ask(call::Services { all: true }).unwrap();
    let mut p: Vec<ServicePassport> = all.iter().map(Service::passport).collect();
    p.sort_by(|a, b| a.code.cmp(&b.code));
    p
}

fn import(c: &mut Client, text: String) -> Result<volost::service::RegistryImport, String> {
    c.ask(call::RegistryImport { text })
        .map_err(|e| e.to_string())
}

#[test]
fn a_signed_registry_goes_out_and_comes_back_and_a_tampered_one_changes_nothing() {
    let dir = for_daemon(fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &smev_config(dir.path(), &sim));
    let mut admin = d.login("admin", "password-1");
    let before = passports(&mut admin);

    let text: String = admin.ask(call::RegistryExport).unwrap();
    let (reg, signer) = registry::read_signed(&text).unwrap();
    assert_eq!(
        reg.services, before,
        "every passport of the body, as it stands"
    );
    assert_eq!(reg.body.inn, FIXTURE_INN);
    assert!(!signer.name.is_empty());

    // Changed after signing: refused, nothing taken.
    let first = &before[0];
    let tampered = text.replacen(
        &format!("<r:Name>{}</r:Name>", first.name),
        "<r:Name>Другое наименование</r:Name>",
        1,
    );
    assert_ne!(tampered, text);
    let e = import(&mut admin, tampered).unwrap_err();
    assert!(e.contains("данные изменены после подписи"), "{e}");
    assert_eq!(passports(&mut admin), before);

    // Changed and signed again with the node's key: taken.
    let k = key(dir.path());
    let mut edited: Registry = reg.clone();
    edited.services[0].deadline_days = 7;
    edited.services[0].fee = "350 руб.".into();
    let r = import(&mut admin, registry::signed_xml(&edited, &k).unwrap()).unwrap();
    assert_eq!(r.updated.len(), before.len());
    let after = passports(&mut admin);
    assert_eq!(
        (after[0].deadline_days, after[0].fee.as_str()),
        (7, "350 руб.")
    );
    assert_eq!(after[1..], before[1..]);

    // Signed with a key of somebody else's making: the signature holds, the signer does not.
    volost::smev::gost::init().unwrap();
    let stranger = {
        let key = volost::smev::gost::generate_key().unwrap();
        let cert = volost::smev::gost::self_signed(&key, "Кто-то", "Где-то", 30).unwrap();
        NodeKey { key, cert }
    };
    let e = import(
        &mut admin,
        registry::signed_xml(&edited, &stranger).unwrap(),
    )
    .unwrap_err();
    assert!(e.contains("подписан не ключом этого узла"), "{e}");

    // Another body's registry, and a code this body has no service of: refused whole.
    let mut other = edited.clone();
    other.body.inn = "2234000024".into();
    let e = import(&mut admin, registry::signed_xml(&other, &k).unwrap()).unwrap_err();
    assert!(e.contains("Реестр другого органа"), "{e}");
    let mut unknown = edited.clone();
    unknown.services[1].deadline_days = 99;
    unknown.services.push(ServicePassport {
        code: "0000000000000000000".into(),
        ..edited.services[0].clone()
    });
    let e = import(&mut admin, registry::signed_xml(&unknown, &k).unwrap()).unwrap_err();
    assert!(
        e.contains("Услуги с кодом 0000000000000000000 в органе нет"),
        "{e}"
    );
    assert_eq!(
        passports(&mut admin),
        after,
        "nothing of a refused file is taken"
    );

    // A specialist may neither export nor import.
    let mut spec = d.login("spec", "password-1");
    assert!(spec.ask(call::RegistryExport).is_err());
    assert!(import(&mut spec, text).is_err());

    // The CLI through the running daemon.
    let out = dir.path().join("реестр.xml");
    let run = std::process::Command::new(BIN)
        .args(["registry", "export", "--user", "admin", "--out"])
        .arg(&out)
        .args(["--config", dir.path().join("volost.toml").to_str().unwrap()])
        .env("VOLOST_PASSWORD", "password-1")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (again, _) = registry::read_signed(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(again.services, after);
    let bad = dir.path().join("плохой.xml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&out).unwrap().replacen(
            "<r:DeadlineDays>7<",
            "<r:DeadlineDays>8<",
            1,
        ),
    )
    .unwrap();
    let run = std::process::Command::new(BIN)
        .args(["registry", "import", "--user", "admin"])
        .arg(&bad)
        .args(["--config", dir.path().join("volost.toml").to_str().unwrap()])
        .env("VOLOST_PASSWORD", "password-1")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success() && said.contains("подпись реестра не верна"),
        "{said}"
    );
    drop((admin, spec));
    d.stop();
    check_ok(&open_node(dir.path()));
}
