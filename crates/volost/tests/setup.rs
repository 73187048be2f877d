//! «Первоначальная настройка» end to end: the built `volost` makes a node for the setup
//! (`init --setup`), a real daemon serves it, and `volost setup --answers` saves the body,
//! the administrator, the network, the time zone and the SMEV key into the database and the
//! machine's files (under a temporary root). Wrong answers are refused whole.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::{BIN, Daemon, config};
use std::path::Path;
use std::process::Command;
use volost::api::{OneTimePassword, call};
use volost::service::NewUser;

const ANSWERS: &str = r#"
admin_password = "berezovka-2026"
time_zone = "Asia/Barnaul"
smev_endpoint = ""
[org]
name = "Администрация Берёзовского сельсовета"
oktmo = "01634412"
ogrn = "1022200000019"
inn = "2234000017"
[network]
mode = "static"
address = "10.20.30.40/24"
gateway = "10.20.30.1"
dns = ["10.20.30.1", "77.88.8.8"]
"#;

fn setup(dir: &Path, cfg: &Path, answers: &str) -> (bool, String) {
    let file = dir.join("answers.toml");
    std::fs::write(&file, answers).unwrap();
    let out = Command::new(BIN)
        .args(["setup", "--config"])
        .arg(cfg)
        .arg("--answers")
        .arg(&file)
        .arg("--root")
        .arg(dir.join("root"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn org_name(d: &Daemon, password: &str) -> String {
    let mut c = d.login("admin", password);
    c.ask(call::Org).unwrap().name
}

#[test]
fn the_setup_saves_the_body_the_password_and_the_machines_files() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "");
    let before_cfg = std::fs::read_to_string(&cfg).unwrap();
    let data = dir.path().join("data");
    let init = Command::new(BIN)
        .args(["init", "--setup", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(init.status.success());
    // No password on the screen or in the journal: the setup sets it.
    assert!(!String::from_utf8_lossy(&init.stdout).contains("Одноразовый пароль"));
    let marker = data.join(volost::setup::PENDING);
    assert!(marker.exists());
    let d = Daemon::start(dir.path(), &cfg);
    let info: volost::service::SetupInfo = d.client().ask(call::SetupInfo).unwrap();
    assert_eq!((info.admin_login.as_str(), info.done), ("admin", false));

    // Refused whole: a weak password, an exchange without a key, a zone not in Russia.
    for (bad, says) in [
        (
            ANSWERS.replace("berezovka-2026", "12345678"),
            "только из цифр",
        ),
        (
            ANSWERS.replace(
                "smev_endpoint = \"\"",
                "smev_endpoint = \"http://smev:7500/ws\"",
            ),
            "нужен ключ узла",
        ),
        (
            ANSWERS.replace("Asia/Barnaul", "Europe/Berlin"),
            "Часовой пояс",
        ),
        (ANSWERS.replace("10.20.30.1\"\n", "10.20.31.1\"\n"), "Шлюз"),
    ] {
        let (ok, out) = setup(dir.path(), &cfg, &bad);
        assert!(!ok, "{out}");
        assert!(out.contains(says), "{says}: {out}");
        assert_eq!(std::fs::read_to_string(&cfg).unwrap(), before_cfg);
        assert!(!dir.path().join("root/etc").exists());
        assert!(marker.exists());
        let info: volost::service::SetupInfo = d.client().ask(call::SetupInfo).unwrap();
        assert_eq!(info.org.name, "Администрация сельсовета");
        assert!(!info.done);
    }

    let (ok, out) = setup(dir.path(), &cfg, ANSWERS);
    assert!(ok, "{out}");
    assert!(out.contains("Настройка сохранена"), "{out}");
    assert!(!marker.exists());
    assert_eq!(
        org_name(&d, "berezovka-2026"),
        "Администрация Берёзовского сельсовета"
    );
    let root = dir.path().join("root");
    let net = std::fs::read_to_string(root.join(volost::setup::system::NETWORK_FILE)).unwrap();
    assert!(
        net.contains("Address=10.20.30.40/24\nGateway=10.20.30.1\nDNS=10.20.30.1\nDNS=77.88.8.8\n")
    );
    assert_eq!(
        std::fs::read_link(root.join("etc/localtime")).unwrap(),
        Path::new("/usr/share/zoneinfo/Asia/Barnaul")
    );
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("utc_offset = \"+07:00\""), "{text}");
    // Everything else of the configuration as it was.
    assert!(text.starts_with(before_cfg.lines().next().unwrap()));
    let info: volost::service::SetupInfo = d.client().ask(call::SetupInfo).unwrap();
    assert!(info.done);
    // Backups are encrypted from now on: the secret half beside the configuration, 0600,
    // apart from the data directory; the public half in [backup] recipient.
    let key = cfg.with_file_name("backup.key");
    assert!(out.contains("Копии шифруются"), "{out}");
    assert!(out.contains(&key.display().to_string()), "{out}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let id = volost::backup::seal::identity(&key).unwrap();
    let parsed = volost::config::Config::load(&cfg).unwrap();
    assert_eq!(parsed.backup.recipient, id.to_public().to_string());
    // A second setup keeps the key (backups made so far stay readable).
    let (ok, out) = setup(dir.path(), &cfg, ANSWERS);
    assert!(ok, "{out}");
    assert!(!out.contains("Копии шифруются"), "{out}");
    assert_eq!(
        volost::backup::seal::identity(&key)
            .unwrap()
            .to_public()
            .to_string(),
        parsed.backup.recipient
    );

    // An administrator asks for the setup again from the TUI; a specialist may not.
    let mut admin = d.login("admin", "berezovka-2026");
    let spec: OneTimePassword = admin
        .ask(call::AddUser(NewUser {
            login: "spec".into(),
            full_name: "Иванова Марина Сергеевна".into(),
            dept: None,
            roles: vec!["specialist".into()],
            groups: Vec::new(),
        }))
        .unwrap();
    let mut s = d.client();
    s.login("spec", &spec.password).unwrap();
    s.ask(call::ChangePassword {
        old: spec.password.clone(),
        new: "specialist-2026".into(),
    })
    .unwrap();
    let e = s.ask(call::RequestSetup).unwrap_err();
    assert_eq!(e.api().map(|a| a.status), Some(403));
    assert!(!marker.exists());
    admin.ask(call::RequestSetup).unwrap();
    assert!(marker.exists());
    d.stop();
}
