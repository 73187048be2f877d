//! «Первоначальная настройка»: what the setup screen asks and hands to the node. The checks
//! and the writing of the machine's files are the core's (`volost::setup`).

use crate::view::{FieldError, NewOrg, NodeSetup};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Labels of the answers, as the setup screen shows them and as errors name them.
pub mod label {
    pub const NAME: &str = "Наименование органа";
    pub const OKTMO: &str = "ОКТМО";
    pub const OGRN: &str = "ОГРН";
    pub const INN: &str = "ИНН";
    pub const ADMIN: &str = "Логин администратора";
    pub const PASSWORD: &str = "Пароль администратора";
    pub const REPEAT: &str = "Пароль ещё раз";
    pub const NETWORK: &str = "Сеть";
    pub const ADDRESS: &str = "Адрес/маска";
    pub const GATEWAY: &str = "Шлюз";
    pub const DNS: &str = "DNS-серверы";
    pub const ZONE: &str = "Часовой пояс";
    pub const ENDPOINT: &str = "Адрес СМЭВ";
    pub const CONTAINER: &str = "Контейнер ключа узла";
    pub const CONTAINER_PASSWORD: &str = "Пароль контейнера";
    pub const SIGNER: &str = "Подпись ЭП-ОВ";
    pub const PKCS11_MODULE: &str = "Библиотека токена";
    pub const PKCS11_TOKEN: &str = "Метка токена";
    pub const PKCS11_KEY_ID: &str = "Идентификатор ключа";
    pub const PKCS11_PIN: &str = "PIN-код токена";
    pub const SIGN_COMMAND: &str = "Команда подписи";
    pub const CERT: &str = "Сертификат узла";
}

/// Who signs the node's messages (ЭП-ОВ), as `[smev] signer` names it.
pub const SIGNERS: [&str; 3] = ["engine", "pkcs11", "command"];

/// Who signs for the node as the configuration says now (never the PIN): what the setup
/// screen starts from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SigningNow {
    pub signer: String,
    pub pkcs11_module: String,
    pub pkcs11_token: String,
    pub pkcs11_key_id: String,
    pub sign_command: String,
    pub cert: String,
}

/// A time zone of Russia. None of them has summer time, so the offset is fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone {
    /// The tz database's name (`/usr/share/zoneinfo/…`).
    pub name: &'static str,
    /// As the installer knows it.
    pub city: &'static str,
    pub offset: &'static str,
}

pub const ZONES: &[Zone] = &[
    Zone {
        name: "Europe/Kaliningrad",
        city: "Калининград",
        offset: "+02:00",
    },
    Zone {
        name: "Europe/Moscow",
        city: "Москва",
        offset: "+03:00",
    },
    Zone {
        name: "Europe/Samara",
        city: "Самара",
        offset: "+04:00",
    },
    Zone {
        name: "Asia/Yekaterinburg",
        city: "Екатеринбург",
        offset: "+05:00",
    },
    Zone {
        name: "Asia/Omsk",
        city: "Омск",
        offset: "+06:00",
    },
    Zone {
        name: "Asia/Novosibirsk",
        city: "Новосибирск",
        offset: "+07:00",
    },
    Zone {
        name: "Asia/Barnaul",
        city: "Барнаул",
        offset: "+07:00",
    },
    Zone {
        name: "Asia/Krasnoyarsk",
        city: "Красноярск",
        offset: "+07:00",
    },
    Zone {
        name: "Asia/Irkutsk",
        city: "Иркутск",
        offset: "+08:00",
    },
    Zone {
        name: "Asia/Yakutsk",
        city: "Якутск",
        offset: "+09:00",
    },
    Zone {
        name: "Asia/Vladivostok",
        city: "Владивосток",
        offset: "+10:00",
    },
    Zone {
        name: "Asia/Magadan",
        city: "Магадан",
        offset: "+11:00",
    },
    Zone {
        name: "Asia/Kamchatka",
        city: "Петропавловск-Камчатский",
        offset: "+12:00",
    },
];

pub fn zone(name: &str) -> Option<&'static Zone> {
    ZONES.iter().find(|z| z.name == name)
}

/// How the node reaches the council's network.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase", deny_unknown_fields)]
pub enum Network {
    /// An address from the network's DHCP server.
    #[default]
    Dhcp,
    /// A fixed address with its prefix length, the gateway and the DNS servers.
    Static {
        address: String,
        gateway: String,
        #[serde(default)]
        dns: Vec<String>,
    },
}

/// Everything the setup asks.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    pub org: NewOrg,
    #[serde(default = "default_admin")]
    pub admin_login: String,
    pub admin_password: String,
    #[serde(default)]
    pub network: Network,
    pub time_zone: String,
    /// Empty: the exchange stays off.
    #[serde(default)]
    pub smev_endpoint: String,
    /// A PKCS#12 container to install as the node's key; empty keeps the one configured.
    #[serde(default)]
    pub container: String,
    #[serde(default)]
    pub container_password: String,
    /// Who signs: `engine` (the container above: uncertified, for checking only), `pkcs11`
    /// (a token: its module, label, key id and PIN; empty PIN keeps the one installed),
    /// `command` (a certified tool: its command line, split at spaces, and the node's
    /// certificate). Empty: the container, as before this was asked.
    #[serde(default)]
    pub signer: String,
    #[serde(default)]
    pub pkcs11_module: String,
    #[serde(default)]
    pub pkcs11_token: String,
    #[serde(default)]
    pub pkcs11_key_id: String,
    #[serde(default)]
    pub pkcs11_pin: String,
    #[serde(default)]
    pub sign_command: String,
    /// The node's certificate file: for `command`, and for `pkcs11` when the token holds
    /// none (empty takes the token's).
    #[serde(default)]
    pub cert: String,
}

fn default_admin() -> String {
    "admin".into()
}

impl std::fmt::Debug for Answers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the passwords, not even in a debug print.
        f.debug_struct("Answers")
            .field("org", &self.org)
            .field("admin_login", &self.admin_login)
            .field("network", &self.network)
            .field("time_zone", &self.time_zone)
            .field("smev_endpoint", &self.smev_endpoint)
            .field("container", &self.container)
            .field("signer", &self.signer)
            .field("pkcs11_module", &self.pkcs11_module)
            .field("pkcs11_token", &self.pkcs11_token)
            .field("pkcs11_key_id", &self.pkcs11_key_id)
            .field("sign_command", &self.sign_command)
            .field("cert", &self.cert)
            .finish_non_exhaustive()
    }
}

impl Answers {
    /// The part the database keeps.
    pub fn node(&self) -> NodeSetup {
        NodeSetup {
            org: self.org.clone(),
            admin_login: self.admin_login.trim().to_string(),
            admin_password: self.admin_password.clone(),
        }
    }

    /// What the screen can check itself, under its labels: required answers, the address
    /// with its prefix, a gateway in its network, the DNS servers, the zone, the endpoint.
    /// (The key container is opened by the node's saver, which checks all of this again.)
    pub fn check_form(&self) -> Vec<FieldError> {
        let a = self;
        let mut errs = Vec::new();
        let mut bad = |field: &str, message: String| {
            errs.push(FieldError {
                field: field.into(),
                message,
            })
        };
        if a.org.name.trim().is_empty() {
            bad(label::NAME, "Требуется".into());
        }
        if a.admin_password.is_empty() {
            bad(label::PASSWORD, "Требуется".into());
        }
        if let Network::Static {
            address,
            gateway,
            dns,
        } = &a.network
        {
            match parse_cidr(address) {
                Err(m) => bad(label::ADDRESS, m),
                Ok((ip, prefix)) => match gateway.trim().parse::<IpAddr>() {
                    Err(_) => bad(label::GATEWAY, "Не адрес IP".into()),
                    Ok(gw) if !same_subnet(ip, gw, prefix) => {
                        bad(label::GATEWAY, "Не в сети адреса узла".into())
                    }
                    Ok(gw) if gw == ip => bad(label::GATEWAY, "Совпадает с адресом узла".into()),
                    Ok(_) => {}
                },
            }
            if let Some(d) = dns.iter().find(|d| d.trim().parse::<IpAddr>().is_err()) {
                bad(label::DNS, format!("Не адрес IP: {d}"));
            }
        }
        if zone(&a.time_zone).is_none() {
            bad(label::ZONE, "Выберите из списка".into());
        }
        if let Err(m) = check_endpoint(&a.smev_endpoint) {
            bad(label::ENDPOINT, m);
        }
        let absolute = |p: &str| p.trim().starts_with('/');
        match a.signer() {
            "engine" => {}
            "pkcs11" => {
                if !absolute(&a.pkcs11_module) {
                    bad(
                        label::PKCS11_MODULE,
                        "Полный путь к библиотеке PKCS#11 токена, например \
                         /usr/lib/librtpkcs11ecp.so"
                            .into(),
                    );
                }
                if a.pkcs11_token.trim().is_empty() {
                    bad(label::PKCS11_TOKEN, "Требуется".into());
                }
                if !a.pkcs11_key_id.trim().is_empty()
                    && !a
                        .pkcs11_key_id
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == ' ')
                {
                    bad(
                        label::PKCS11_KEY_ID,
                        "Шестнадцатеричные цифры, например 01".into(),
                    );
                }
                if a.pkcs11_key_id.trim().is_empty() {
                    bad(label::PKCS11_KEY_ID, "Требуется".into());
                }
                if !a.cert.trim().is_empty() && !absolute(&a.cert) {
                    bad(label::CERT, "Полный путь к файлу".into());
                }
            }
            "command" => {
                if !absolute(&a.sign_command) {
                    bad(
                        label::SIGN_COMMAND,
                        "Полный путь к программе и её параметры через пробел".into(),
                    );
                }
                if !absolute(&a.cert) {
                    bad(label::CERT, "Полный путь к файлу сертификата".into());
                }
            }
            other => bad(
                label::SIGNER,
                format!("Неизвестное средство подписи «{other}»"),
            ),
        }
        errs
    }

    /// Who signs, `engine` when not said.
    pub fn signer(&self) -> &str {
        match self.signer.trim() {
            "" => "engine",
            s => s,
        }
    }
}

/// `10.0.0.5/24` (or an IPv6 address with its prefix).
pub fn parse_cidr(s: &str) -> Result<(IpAddr, u8), String> {
    let (ip, prefix) = s
        .trim()
        .split_once('/')
        .ok_or("Адрес с маской через «/», например 192.168.1.20/24")?;
    let ip: IpAddr = ip.parse().map_err(|_| "Не адрес IP".to_string())?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    match prefix.parse::<u8>() {
        Ok(p) if (1..=max).contains(&p) => Ok((ip, p)),
        _ => Err(format!("Длина маски от 1 до {max}")),
    }
}

fn same_subnet(a: IpAddr, b: IpAddr, prefix: u8) -> bool {
    let bits = |ip: IpAddr| -> (u128, u32) {
        match ip {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let ((x, wx), (y, wy)) = (bits(a), bits(b));
    if wx != wy {
        return false;
    }
    let shift = wx - u32::from(prefix);
    x.checked_shr(shift) == y.checked_shr(shift)
}

fn check_endpoint(s: &str) -> Result<(), String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(());
    }
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or("Адрес начинается с http:// или https://")?;
    let host = rest.split(['/', '?']).next().unwrap_or("");
    if host.is_empty() || host.chars().any(char::is_whitespace) {
        return Err("Нет имени узла СМЭВ в адресе".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn cidr_and_subnets() {
        assert_eq!(
            parse_cidr("10.1.2.3/8").unwrap(),
            ("10.1.2.3".parse().unwrap(), 8)
        );
        assert!(parse_cidr("10.1.2.3/33").is_err());
        assert!(parse_cidr("10.1.2.3/0").is_err());
        assert!(parse_cidr("fd00::5/64").is_ok());
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(same_subnet(ip("10.1.2.3"), ip("10.200.0.1"), 8));
        assert!(!same_subnet(ip("10.1.2.3"), ip("11.1.2.3"), 8));
        assert!(!same_subnet(ip("10.1.2.3"), ip("10.1.2.1"), 32));
        assert!(!same_subnet(ip("10.1.2.3"), ip("fd00::1"), 8));
    }
}
