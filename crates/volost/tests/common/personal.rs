//! Staff members' personal signatures (ЭП-СП) for the tests: a container made and
//! imported with the CLI, and a kind that asks for ЭП-СП.

use super::daemon::*;
use super::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use volost::api::{Client, Pin, call};
use volost::domain::*;

pub const PIN: &str = "246802";

/// A kind that asks for ЭП-СП: the tests' own package (no published ВС of the starter
/// catalog lets its root carry the `Id` SMEV's ЭП-СП references).
pub fn personal_kind(fx: &Fx) -> RequestKind {
    let k = test_kind(fx, "test_personal");
    assert!(k.sign_personal);
    k
}

pub fn volost(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// Makes a test container for `name` with `volost smev keygen --personal` and imports it
/// for `login` with `volost user cert`, the PIN being the container's password.
pub fn import_cert(dir: &Path, login: &str, name: &str) -> String {
    let pin = dir.join(format!("{login}.pin"));
    std::fs::write(&pin, format!("{PIN}\n")).unwrap();
    std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = dir.join(format!("{login}-cert"));
    let made = volost(&[
        "smev",
        "keygen",
        "--personal",
        "--name",
        name,
        "--org",
        "Тестовый сельсовет",
        "--out",
        out.to_str().unwrap(),
        "--pin-file",
        pin.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{made:?}");
    let p12 = out.join("personal.p12");
    let data = dir.join("data");
    // A wrong container password changes nothing.
    let wrong = Command::new(BIN)
        .args(["user", "cert", "--data", data.to_str().unwrap(), login])
        .arg(&p12)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"not the password\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("Неверный пароль контейнера"), "{err}");
    let ok = volost(&[
        "user",
        "cert",
        "--data",
        data.to_str().unwrap(),
        login,
        p12.to_str().unwrap(),
        "--password-file",
        pin.to_str().unwrap(),
    ]);
    assert!(ok.status.success(), "{ok:?}");
    let printed = String::from_utf8_lossy(&ok.stdout).to_string();
    assert!(printed.contains(name), "{printed}");
    printed
}

pub fn submit(
    c: &mut Client,
    id: OutReqId,
    pin: Option<&str>,
) -> std::result::Result<OutgoingRequest, String> {
    c.ask(call::SubmitOutgoing {
        id,
        pin: pin.map(|p| Pin(p.into())),
        browser: false,
    })
    .map_err(code)
}
