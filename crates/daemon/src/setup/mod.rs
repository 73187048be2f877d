//! «Первоначальная настройка» of the appliance: what the installer answers on the console at
//! the first boot (and an administrator may change later), checked here and written by
//! [`system`] into the machine's files. The part the database holds (the body, the
//! administrator) goes through the daemon as [`NodeSetup`].
//!
//! Answers come from the setup screen of the TUI, or from a TOML file (`volost setup
//! --answers FILE`) for support preparing many councils.

pub mod signing;
pub mod system;

use std::path::Path;
use volost_core::service::FieldError;

/// The marker in the data directory that asks for the setup screen on the console: made by
/// `volost init` at the first boot and by an administrator's «Повторить настройку», removed
/// once the setup is saved (or, when it was done before, left without saving).
pub const PENDING: &str = "setup-pending";

pub use volost_api::setup::*;

/// The answers the machine's files take, checked: what is wrong, under the screen's
/// labels — the screen's own checks ([`Answers::check_form`]) and the key container opened
/// with its password. The body and the password are checked again by the daemon.
pub fn check(a: &Answers) -> Vec<FieldError> {
    let mut errs = a.check_form();
    if a.signer() == "engine" && !a.container.trim().is_empty() {
        let mut bad = |field: &str, message: String| {
            errs.push(FieldError {
                field: field.into(),
                message,
            })
        };
        match open_container(Path::new(a.container.trim()), &a.container_password) {
            Err(ContainerError::File(m)) => bad(label::CONTAINER, m),
            Err(ContainerError::Password) => bad(
                label::CONTAINER_PASSWORD,
                "Неверный пароль контейнера".into(),
            ),
            Ok(_) => {}
        }
    }
    errs
}

/// Why a container did not open, by the field to correct.
#[derive(Debug)]
pub enum ContainerError {
    File(String),
    Password,
}

/// Opens the container as the daemon will, so that a wrong file or password is said here.
pub fn open_container(
    path: &Path,
    password: &str,
) -> Result<volost_smev::keys::NodeKey, ContainerError> {
    use volost_smev::keys::{Pkcs12Error, open_pkcs12};
    let der = std::fs::read(path)
        .map_err(|e| ContainerError::File(format!("Не удалось прочитать файл: {e}")))?;
    open_pkcs12(&der, password).map_err(|e| match e {
        Pkcs12Error::Password => ContainerError::Password,
        other => ContainerError::File(format!("Не контейнер ключа ГОСТ: {other}")),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn answers() -> Answers {
        Answers {
            org: volost_core::service::NewOrg {
                name: "Администрация Берёзовского сельсовета".into(),
                ..volost_core::service::NewOrg::default()
            },
            admin_login: "admin".into(),
            admin_password: "long-enough-1".into(),
            network: Network::Static {
                address: "192.168.10.20/24".into(),
                gateway: "192.168.10.1".into(),
                dns: vec!["192.168.10.1".into(), "77.88.8.8".into()],
            },
            time_zone: "Asia/Barnaul".into(),
            smev_endpoint: "http://smev3-n0.test.gosuslugi.ru:7500/smev/v1.2/ws".into(),
            container: String::new(),
            container_password: String::new(),
            ..Answers::default()
        }
    }

    fn fields(a: &Answers) -> Vec<(String, String)> {
        check(a).into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn good_answers_pass_and_each_bad_one_is_named() {
        assert!(fields(&answers()).is_empty());
        let mut a = answers();
        a.network = Network::Static {
            address: "192.168.10.20".into(),
            gateway: "10.0.0.1".into(),
            dns: vec!["8.8.8".into()],
        };
        a.time_zone = "Europe/Berlin".into();
        a.smev_endpoint = "smev.local".into();
        a.container = "/nonexistent/node.p12".into();
        let f: Vec<String> = fields(&a).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            f,
            [
                label::ADDRESS,
                label::DNS,
                label::ZONE,
                label::ENDPOINT,
                label::CONTAINER
            ]
        );
        let mut a = answers();
        a.network = Network::Static {
            address: "192.168.10.20/24".into(),
            gateway: "192.168.11.1".into(),
            dns: vec![],
        };
        assert_eq!(
            fields(&a),
            [(
                label::GATEWAY.to_string(),
                "Не в сети адреса узла".to_string()
            )]
        );
    }

    #[test]
    fn answers_file_reads_and_debug_hides_passwords() {
        let text = r#"
            admin_password = "long-enough-1"
            time_zone = "Europe/Moscow"
            [org]
            name = "Администрация"
            oktmo = "01601000"
            [network]
            mode = "static"
            address = "10.0.0.5/24"
            gateway = "10.0.0.1"
        "#;
        let a: Answers = toml::from_str(text).unwrap();
        assert_eq!(a.admin_login, "admin");
        assert!(matches!(a.network, Network::Static { .. }));
        assert!(fields(&a).is_empty());
        assert!(!format!("{a:?}").contains("long-enough"));
        assert!(toml::from_str::<Answers>("admin_pasword = \"x\"").is_err());
    }
}
