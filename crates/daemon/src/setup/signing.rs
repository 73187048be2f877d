//! Who signs the node's messages (ЭП-ОВ), as the setup screen asks it: the container (Debian's
//! OpenSSL engine, for checking only), a token through its PKCS#11 module, or a certified
//! tool. The answers are tried as the daemon will use them — the token opened with the PIN
//! and made to sign once, the tool run once — so that a wrong module, label, key, PIN or
//! certificate is said against its line on the screen, not found by the daemon at start.

use super::{Answers, label};
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml_edit::{Array, Table, value};
use volost_core::service::FieldError;
use volost_smev::signer::{self, SignError, TokenError};

/// Where the setup keeps the token's PIN: beside the configuration, mode 0600.
pub const PIN_FILE: &str = "token.pin";

/// What the answers make of `[smev]`'s signing keys.
#[derive(Debug, PartialEq, Eq)]
pub enum Signing {
    /// Nothing said: the keys stay as they are.
    Keep,
    /// The engine, with a container installed at these paths (none keeps the configured).
    Container(Option<(PathBuf, PathBuf)>),
    Token {
        module: String,
        token: String,
        key_id: String,
        pin_file: PathBuf,
        cert: Option<String>,
    },
    Command {
        command: Vec<String>,
        cert: String,
    },
}

/// The token's PIN as an earlier setup left it, and where the daemon remembers a PIN the
/// token refused: with no PIN typed, the setup tries that one, as the daemon would.
#[derive(Clone, Debug)]
pub struct Installed {
    pub pin_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Signing {
    /// `installed_pin`: the PIN file configured now, kept when no PIN is typed.
    pub fn of(a: &Answers, smev_dir: &Path, installed_pin: Option<&Path>) -> Signing {
        let container = (!a.container.trim().is_empty())
            .then(|| (smev_dir.join("node.p12"), smev_dir.join("node.p12.pass")));
        match a.signer.trim() {
            "" if container.is_none() => Signing::Keep,
            "pkcs11" => Signing::Token {
                module: a.pkcs11_module.trim().into(),
                token: a.pkcs11_token.trim().into(),
                key_id: a.pkcs11_key_id.trim().into(),
                pin_file: match installed_pin {
                    Some(p) if a.pkcs11_pin.is_empty() => p.to_path_buf(),
                    _ => smev_dir.join(PIN_FILE),
                },
                cert: Some(a.cert.trim().to_string()).filter(|c| !c.is_empty()),
            },
            "command" => Signing::Command {
                command: command_line(&a.sign_command),
                cert: a.cert.trim().into(),
            },
            _ => Signing::Container(container),
        }
    }

    /// Sets the keys of `[smev]`, removing those of the other providers.
    pub fn edit(&self, smev: &mut Table) {
        let drop = |smev: &mut Table, keys: &[&str]| keys.iter().for_each(|k| drop(smev.remove(k)));
        const TOKEN: [&str; 5] = [
            "pkcs11_module",
            "pkcs11_token",
            "pkcs11_key_id",
            "pkcs11_pin_file",
            "pkcs11_mechanism",
        ];
        const ENGINE: [&str; 3] = ["key", "pkcs12", "password_file"];
        match self {
            Signing::Keep => {}
            Signing::Container(c) => {
                drop(smev, &TOKEN);
                drop(smev, &["sign_command"]);
                smev["signer"] = value("engine");
                if let Some((p12, pass)) = c {
                    drop(smev, &["key", "cert"]);
                    smev["pkcs12"] = value(p12.display().to_string());
                    smev["password_file"] = value(pass.display().to_string());
                }
            }
            Signing::Token {
                module,
                token,
                key_id,
                pin_file,
                cert,
            } => {
                drop(smev, &ENGINE);
                drop(smev, &["sign_command", "cert"]);
                smev["signer"] = value("pkcs11");
                smev["pkcs11_module"] = value(module.as_str());
                smev["pkcs11_token"] = value(token.as_str());
                smev["pkcs11_key_id"] = value(key_id.as_str());
                smev["pkcs11_pin_file"] = value(pin_file.display().to_string());
                if let Some(c) = cert {
                    smev["cert"] = value(c.as_str());
                }
            }
            Signing::Command { command, cert } => {
                drop(smev, &ENGINE);
                drop(smev, &TOKEN);
                smev["signer"] = value("command");
                smev["sign_command"] = value(command.iter().map(String::as_str).collect::<Array>());
                smev["cert"] = value(cert.as_str());
            }
        }
    }
}

/// A command line as the screen takes it: the program and its arguments, at spaces.
fn command_line(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn field(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.into(),
        message,
    }
}

/// Tries the token or the tool the answers name, as the daemon will use it; the faults under
/// the screen's labels. `installed` is what an earlier setup left, used when no PIN is typed.
pub fn check(a: &Answers, installed: Option<&Installed>) -> Vec<FieldError> {
    match a.signer.trim() {
        "pkcs11" => check_token(a, installed),
        "command" => check_command(a),
        _ => Vec::new(),
    }
}

fn check_token(a: &Answers, installed: Option<&Installed>) -> Vec<FieldError> {
    let Some(key_id) = volost_config::key_id(&a.pkcs11_key_id) else {
        return vec![field(
            label::PKCS11_KEY_ID,
            "Шестнадцатеричные цифры, например 01".into(),
        )];
    };
    // The typed PIN goes to the token from a file of the setup's own, as the daemon's will;
    // its refusal is not remembered for the daemon (the installer is typing it now). The
    // installed one is tried as the daemon tries it: a refusal it remembers is honoured.
    let Ok(scratch) = tempfile::tempdir() else {
        return vec![field("", "Не удалось создать временный каталог".into())];
    };
    let mut data_dir = scratch.path().to_path_buf();
    let pin_file = if a.pkcs11_pin.is_empty() {
        match installed {
            Some(i) => {
                data_dir = i.data_dir.clone();
                i.pin_file.clone()
            }
            None => return vec![field(label::PKCS11_PIN, "Требуется".into())],
        }
    } else {
        let p = scratch.path().join(PIN_FILE);
        if volost_smev::trust::keep(
            scratch.path(),
            PIN_FILE,
            format!("{}\n", a.pkcs11_pin).as_bytes(),
        )
        .and_then(|_| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
        })
        .is_err()
        {
            return vec![field(
                "",
                "Не удалось записать PIN во временный файл".into(),
            )];
        }
        p
    };
    let settings = signer::TokenSettings {
        module: PathBuf::from(a.pkcs11_module.trim()),
        label: a.pkcs11_token.trim().into(),
        key_id,
        pin_file,
        mechanism: volost_config::CKM_GOSTR3410,
        cert: Some(PathBuf::from(a.cert.trim())).filter(|c| !c.as_os_str().is_empty()),
        timeout: Duration::from_secs(30),
        data_dir,
    };
    let token = match signer::Pkcs11Signer::open(&settings) {
        Ok(t) => t,
        Err(e) => return vec![token_fault(&e)],
    };
    match signer::sign(&token, b"volost setup: the token's key and the certificate") {
        Ok(_) => Vec::new(),
        Err(SignError::Token(e)) => vec![token_fault(&e)],
        Err(e @ SignError::WrongKey { .. }) => vec![field(
            label::PKCS11_KEY_ID,
            format!(
                "Подпись этого ключа не проверяется сертификатом: {}",
                e.russian()
            ),
        )],
        Err(e) => vec![field(label::PKCS11_TOKEN, e.russian())],
    }
}

fn token_fault(e: &TokenError) -> FieldError {
    let line = match e {
        TokenError::Module { .. } => label::PKCS11_MODULE,
        TokenError::Pin { .. } | TokenError::PinFile { .. } => label::PKCS11_PIN,
        TokenError::NoKey { .. } => label::PKCS11_KEY_ID,
        TokenError::NoCert { .. } => label::CERT,
        _ => label::PKCS11_TOKEN,
    };
    let message = match e {
        TokenError::Module { why, .. } => format!("Библиотека не загружается: {why}"),
        TokenError::NoToken { present, .. } => {
            format!("Токена с такой меткой нет (вставлены: {present})")
        }
        TokenError::Pin { .. } => "Токен не принял PIN-код".into(),
        TokenError::NoKey { id, .. } => {
            format!("На токене нет закрытого ключа с идентификатором {id}")
        }
        TokenError::NoCert { .. } => {
            "На токене нет сертификата этого ключа: укажите файл сертификата".into()
        }
        other => other.russian(),
    };
    field(line, message)
}

fn check_command(a: &Answers) -> Vec<FieldError> {
    let cert = match volost_smev::keys::load_cert(Path::new(a.cert.trim())) {
        Ok(c) => c,
        Err(e) => return vec![field(label::CERT, format!("Не сертификат: {e}"))],
    };
    let command = command_line(&a.sign_command);
    let Some(tool) = signer::CommandSigner::new(cert, &command, Duration::from_secs(30)) else {
        return vec![field(label::SIGN_COMMAND, "Требуется".into())];
    };
    match signer::sign(&tool, b"volost setup: the tool's key and the certificate") {
        Ok(_) => Vec::new(),
        Err(e @ SignError::WrongKey { .. }) => vec![field(label::CERT, e.russian())],
        Err(e @ SignError::OutOfTime { .. }) => vec![field(label::CERT, e.russian())],
        Err(e) => vec![field(label::SIGN_COMMAND, e.russian())],
    }
}
