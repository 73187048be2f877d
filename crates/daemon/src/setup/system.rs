//! The machine's side of the setup: the network file of systemd-networkd, the time zone, the
//! node's key container and the keys of `volost.toml` the answers touch. Paths are taken under
//! a root directory, `/` on the appliance, so that tests write into a temporary one.
//!
//! Each file is written whole to a temporary name and renamed over the old one, so a power
//! cut leaves the old file or the new, never half of one. The configuration keeps its
//! comments and every key the setup does not touch (toml_edit), and is parsed as the daemon
//! parses it before it replaces the old one.

use super::signing::Signing;
use super::{Answers, Network, zone};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The network file the setup owns; the image ships it with DHCP.
pub const NETWORK_FILE: &str = "etc/systemd/network/80-volost.network";

#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path}: {reason}")]
    Config { path: String, reason: String },
    #[error("no time zone {0} in the tz database of this machine")]
    Zone(String),
}

impl SystemError {
    /// For the installer on the console.
    pub fn ru(&self) -> String {
        match self {
            SystemError::Io { path, reason } => format!("Не удалось записать {path}: {reason}"),
            SystemError::Config { path, reason } => {
                format!("файл настроек {path} не принят: {reason}")
            }
            SystemError::Zone(z) => format!("На этой машине нет часового пояса {z}"),
        }
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SystemError + '_ {
    move |e| SystemError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Who owns the files the daemon reads (the key container and its password): the daemon's
/// user. `None` leaves them to whoever runs the setup (a development machine has no such
/// user).
#[derive(Clone, Copy, Debug)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
}

impl Owner {
    pub fn of_user(name: &str) -> Option<Owner> {
        let u = nix::unistd::User::from_name(name).ok().flatten()?;
        Some(Owner {
            uid: u.uid.as_raw(),
            gid: u.gid.as_raw(),
        })
    }
}

/// What changed, so that the caller restarts what reads it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub network: bool,
    pub time_zone: bool,
    pub config: bool,
    /// The secret key of backups, made by this setup: the installer takes it off the node.
    pub backup_key: Option<PathBuf>,
}

/// What the machine's files say now, to start the setup screen from.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Current {
    pub network: Network,
    pub time_zone: Option<String>,
    pub smev_endpoint: String,
    pub container: Option<PathBuf>,
    pub signing: super::SigningNow,
}

pub fn current(root: &Path, config: &Path) -> Current {
    let network = std::fs::read_to_string(root.join(NETWORK_FILE))
        .map(|t| parse_network(&t))
        .unwrap_or_default();
    let time_zone = std::fs::read_to_string(root.join("etc/timezone"))
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|z| zone(z).is_some());
    let cfg = volost_config::Config::load(config).unwrap_or_default();
    Current {
        network,
        time_zone,
        smev_endpoint: cfg.smev.endpoint.clone(),
        container: cfg.smev.pkcs12.clone(),
        signing: super::SigningNow {
            signer: cfg.smev.signer.clone(),
            pkcs11_module: path_text(cfg.smev.pkcs11_module.as_deref()),
            pkcs11_token: cfg.smev.pkcs11_token.clone(),
            pkcs11_key_id: cfg.smev.pkcs11_key_id.clone(),
            sign_command: cfg.smev.sign_command.join(" "),
            cert: match cfg.smev.signer.as_str() {
                "engine" => String::new(),
                _ => path_text(cfg.smev.cert.as_deref()),
            },
        },
    }
}

fn path_text(p: Option<&Path>) -> String {
    p.map(|p| p.display().to_string()).unwrap_or_default()
}

/// The machine's IPv4 addresses with their prefixes, other than loopback, for the installer
/// to note.
pub fn addresses() -> Vec<String> {
    let Ok(all) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    all.filter_map(|i| {
        let ip = i.address?.as_sockaddr_in()?.ip();
        let mask = i.netmask?.as_sockaddr_in()?.ip();
        (!ip.is_loopback()).then(|| format!("{ip}/{}", u32::from(mask).count_ones()))
    })
    .collect()
}

/// The network file as the setup writes it.
pub fn network_file(n: &Network) -> String {
    let mut s = String::from(
        "# Written by the setup screen (volost setup); it is written again when the setup\n\
         # is saved.\n[Match]\nType=ether\n\n[Network]\n",
    );
    match n {
        Network::Dhcp => s.push_str("DHCP=yes\n"),
        Network::Static {
            address,
            gateway,
            dns,
        } => {
            s.push_str(&format!(
                "Address={}\nGateway={}\n",
                address.trim(),
                gateway.trim()
            ));
            for d in dns {
                s.push_str(&format!("DNS={}\n", d.trim()));
            }
        }
    }
    s
}

fn parse_network(text: &str) -> Network {
    let value = |key: &str| {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().to_string())
            .collect::<Vec<_>>()
    };
    match (value("Address").first(), value("Gateway").first()) {
        (Some(a), Some(g)) => Network::Static {
            address: a.clone(),
            gateway: g.clone(),
            dns: value("DNS"),
        },
        _ => Network::Dhcp,
    }
}

/// Writes `bytes` to `path` by a temporary file and a rename, with `mode` and, if given, the
/// owner; synced, so that a power cut right after leaves the new file.
fn replace(path: &Path, bytes: &[u8], mode: u32, owner: Option<Owner>) -> Result<(), SystemError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = dir.join(format!(
        ".{}.volost-setup",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
        if let Some(o) = owner {
            std::os::unix::fs::fchown(&f, Some(o.uid), Some(o.gid))?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(path)(e)
    })
}

/// What the answers make of the configuration: the new text, refused (before anything is
/// written) if the daemon would refuse it. An exchange needs the node's key: its absence is
/// said against the container's line.
pub fn check(config: &Path, a: &Answers) -> Result<(), Vec<volost_core::service::FieldError>> {
    let smev_dir = config.parent().unwrap_or(Path::new("/")).join("smev");
    match planned_config(config, a, &smev_dir, None) {
        Ok(_) => {
            let installed = volost_config::Config::load(config).ok().and_then(|c| {
                Some(super::signing::Installed {
                    pin_file: c.smev.pkcs11_pin_file?,
                    data_dir: c.node.data_dir,
                })
            });
            let errs = super::signing::check(a, installed.as_ref());
            if errs.is_empty() { Ok(()) } else { Err(errs) }
        }
        Err(e) => {
            let (field, message) = match &e {
                SystemError::Config { reason, .. } if reason.contains("node's key") => (
                    super::label::CONTAINER,
                    "Для обмена СМЭВ нужен ключ узла: укажите контейнер".to_string(),
                ),
                SystemError::Zone(_) => (super::label::ZONE, e.ru()),
                _ => ("", e.ru()),
            };
            Err(vec![volost_core::service::FieldError {
                field: field.into(),
                message,
            }])
        }
    }
}

/// Backups are encrypted from the first setup on: with no `[backup] recipient` configured,
/// a key pair is made and its secret half written beside the configuration (on the system
/// partition, apart from the data partition and its backups), for the installer to take off
/// the node. A key file left by an earlier setup is used again, never replaced.
fn backup_key(
    config_dir: &Path,
    text: &str,
) -> Result<Option<(PathBuf, Option<String>, String)>, SystemError> {
    let configured = volost_config::Config::parse(text, "volost.toml")
        .map(|c| !c.backup.recipient.trim().is_empty())
        .unwrap_or(false);
    if configured {
        return Ok(None);
    }
    let path = config_dir.join("backup.key");
    if path.exists() {
        let id = crate::backup::seal::identity(&path).map_err(|reason| SystemError::Config {
            path: path.display().to_string(),
            reason,
        })?;
        return Ok(Some((path, None, id.to_public().to_string())));
    }
    let (secret, public) = crate::backup::seal::keygen();
    Ok(Some((path, Some(secret), public)))
}

/// The token's PIN file `config` names now, if any.
fn installed_pin(config: &Path) -> Option<PathBuf> {
    volost_config::Config::load(config)
        .ok()
        .and_then(|c| c.smev.pkcs11_pin_file)
}

/// The configuration's text now and as the answers make it, checked as the daemon checks it.
fn planned_config(
    config: &Path,
    a: &Answers,
    smev_dir: &Path,
    recipient: Option<&str>,
) -> Result<(String, String), SystemError> {
    let zone = zone(&a.time_zone).ok_or_else(|| SystemError::Zone(a.time_zone.clone()))?;
    let text = match std::fs::read_to_string(config) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(config)(e)),
    };
    let edited = edit_config(
        &text,
        zone.offset,
        a.smev_endpoint.trim(),
        &Signing::of(a, smev_dir, installed_pin(config).as_deref()),
        recipient,
    )
    .map_err(|reason| SystemError::Config {
        path: config.display().to_string(),
        reason,
    })?;
    volost_config::Config::parse(&edited, &config.display().to_string()).map_err(|e| {
        SystemError::Config {
            path: config.display().to_string(),
            reason: match e {
                volost_config::ConfigError::Value {
                    section,
                    key,
                    reason,
                    ..
                } => format!("[{section}] {key}: {reason}"),
                other => other.to_string(),
            },
        }
    })?;
    Ok((text, edited))
}

/// Writes what the answers say into the machine's files under `root`, and the configuration
/// at `config`. `owner` gets the key container and its password file.
pub fn apply(
    root: &Path,
    config: &Path,
    a: &Answers,
    owner: Option<Owner>,
) -> Result<Applied, SystemError> {
    let mut applied = Applied::default();
    let zone = zone(&a.time_zone).ok_or_else(|| SystemError::Zone(a.time_zone.clone()))?;
    let smev_dir = config.parent().unwrap_or(Path::new("/")).join("smev");
    let config_dir = config.parent().unwrap_or(Path::new("/"));
    let current = std::fs::read_to_string(config).unwrap_or_default();
    let key = backup_key(config_dir, &current)?;
    // The configuration first: it is the one that can be refused.
    let (text, edited) = planned_config(config, a, &smev_dir, key.as_ref().map(|k| k.2.as_str()))?;
    // The secret before the configuration names its public half: a backup is never
    // encrypted to a key that was not kept.
    if let Some((path, secret, public)) = &key {
        if let Some(secret) = secret {
            let body = format!(
                "# volost: секретный ключ резервных копий, создан при первоначальной настройке.\n\
                 # Унесите его с узла и храните отдельно: без него копии не восстановить\n\
                 # (volost restore --identity ЭТОТ_ФАЙЛ).\n# public key: {public}\n{secret}\n"
            );
            replace(path, body.as_bytes(), 0o600, None)?;
        }
        applied.backup_key = Some(path.clone());
    }
    let signing = Signing::of(a, &smev_dir, installed_pin(config).as_deref());
    if let Signing::Token { pin_file, .. } = &signing
        && !a.pkcs11_pin.is_empty()
    {
        replace(
            pin_file,
            format!("{}\n", a.pkcs11_pin).as_bytes(),
            0o600,
            owner,
        )?;
    }
    if let Signing::Container(Some((p12, pass))) = &signing {
        let src = Path::new(a.container.trim());
        // Installing the file that is already installed: nothing to copy.
        if std::fs::canonicalize(src).ok() != std::fs::canonicalize(p12).ok() {
            let der = std::fs::read(src).map_err(io(src))?;
            replace(p12, &der, 0o600, owner)?;
        }
        replace(
            pass,
            format!("{}\n", a.container_password).as_bytes(),
            0o600,
            owner,
        )?;
    }
    if edited != text {
        // The configuration keeps its mode and owner (root:volost 0640 from the package).
        let (mode, keep) = match std::fs::metadata(config) {
            Ok(m) => (
                m.mode() & 0o7777,
                Some(Owner {
                    uid: m.uid(),
                    gid: m.gid(),
                }),
            ),
            Err(_) => (0o640, None),
        };
        replace(config, edited.as_bytes(), mode, keep)?;
        applied.config = true;
    }

    let net_path = root.join(NETWORK_FILE);
    let net = network_file(&a.network);
    if std::fs::read_to_string(&net_path).ok().as_deref() != Some(net.as_str()) {
        replace(&net_path, net.as_bytes(), 0o644, None)?;
        applied.network = true;
    }

    let zoneinfo = root.join("usr/share/zoneinfo");
    if zoneinfo.is_dir() && !zoneinfo.join(zone.name).exists() {
        return Err(SystemError::Zone(zone.name.into()));
    }
    let tz_path = root.join("etc/timezone");
    if std::fs::read_to_string(&tz_path)
        .ok()
        .as_deref()
        .map(str::trim)
        != Some(zone.name)
    {
        replace(&tz_path, format!("{}\n", zone.name).as_bytes(), 0o644, None)?;
        let localtime = root.join("etc/localtime");
        let tmp = root.join("etc/.localtime.volost-setup");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(Path::new("/usr/share/zoneinfo").join(zone.name), &tmp)
            .and_then(|()| std::fs::rename(&tmp, &localtime))
            .map_err(io(&localtime))?;
        applied.time_zone = true;
    }
    Ok(applied)
}

/// The configuration's text with the setup's keys set, everything else as it was.
pub fn edit_config(
    text: &str,
    utc_offset: &str,
    endpoint: &str,
    signing: &Signing,
    backup_recipient: Option<&str>,
) -> Result<String, String> {
    use toml_edit::{DocumentMut, Item, Table, value};
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    fn table<'d>(doc: &'d mut DocumentMut, name: &str) -> Result<&'d mut Table, String> {
        let item = doc.entry(name).or_insert_with(|| Item::Table(Table::new()));
        item.as_table_mut()
            .ok_or_else(|| format!("[{name}] is not a table"))
    }
    table(&mut doc, "node")?["utc_offset"] = value(utc_offset);
    let smev = table(&mut doc, "smev")?;
    smev["endpoint"] = value(endpoint);
    signing.edit(smev);
    if let Some(r) = backup_recipient {
        table(&mut doc, "backup")?["recipient"] = value(r);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_config_keeps_its_comments_and_other_keys() {
        let (_, public) = crate::backup::seal::keygen();
        let text = "# head\n[node]\n# the zone\nutc_offset = \"+03:00\"\nmax_file_bytes = 2048\n\
                    [smev]\nkey = \"/k.pem\"\ncert = \"/c.pem\"\nendpoint = \"\"\n";
        let out = edit_config(
            text,
            "+07:00",
            "http://smev:7500/ws",
            &Signing::Container(Some(("/etc/volost/smev/node.p12".into(), "/p".into()))),
            Some(&public),
        )
        .unwrap();
        assert!(out.starts_with("# head\n[node]\n# the zone\nutc_offset = \"+07:00\"\n"));
        assert!(out.contains("max_file_bytes = 2048"));
        assert!(out.contains("endpoint = \"http://smev:7500/ws\""));
        assert!(out.contains("pkcs12 = \"/etc/volost/smev/node.p12\""));
        assert!(!out.contains("key = ") && !out.contains("cert = "));
        volost_config::Config::parse(&out, "t").unwrap();
        // An empty file gets the tables it needs.
        assert!(
            out.contains(&format!("[backup]\nrecipient = \"{public}\"")),
            "{out}"
        );
        let out = edit_config("", "+02:00", "", &Signing::Keep, None).unwrap();
        let cfg = volost_config::Config::parse(&out, "t").unwrap();
        assert_eq!(cfg.utc_offset().unwrap().whole_hours(), 2);
        assert!(edit_config("node = 1\n", "+02:00", "", &Signing::Keep, None).is_err());
    }

    #[test]
    fn each_signer_s_keys_replace_the_others() {
        let engine = "[smev]\nendpoint = \"http://smev:7500/ws\"\nkey = \"/k.pem\"\n\
                      cert = \"/c.pem\"\n# the node's key\n";
        let token = Signing::Token {
            module: "/usr/lib/librtpkcs11ecp.so".into(),
            token: "Rutoken ECP".into(),
            key_id: "01".into(),
            pin_file: "/etc/volost/smev/token.pin".into(),
            cert: None,
        };
        let out = edit_config(engine, "+07:00", "http://smev:7500/ws", &token, None).unwrap();
        let cfg = volost_config::Config::parse(&out, "t").unwrap();
        assert_eq!(cfg.smev.signer, "pkcs11");
        assert_eq!(cfg.smev.pkcs11_token, "Rutoken ECP");
        assert!(cfg.smev.key.is_none() && cfg.smev.cert.is_none());
        assert!(out.contains("# the node's key"));
        let tool = Signing::Command {
            command: vec!["/usr/local/bin/sign".into(), "--key".into(), "node".into()],
            cert: "/etc/volost/smev/node-cert.pem".into(),
        };
        let out = edit_config(&out, "+07:00", "http://smev:7500/ws", &tool, None).unwrap();
        let cfg = volost_config::Config::parse(&out, "t").unwrap();
        assert_eq!(cfg.smev.signer, "command");
        assert_eq!(cfg.smev.sign_command.len(), 3);
        assert!(cfg.smev.pkcs11_module.is_none());
        let back = Signing::Container(Some(("/n.p12".into(), "/n.pass".into())));
        let out = edit_config(&out, "+07:00", "http://smev:7500/ws", &back, None).unwrap();
        let cfg = volost_config::Config::parse(&out, "t").unwrap();
        assert_eq!(cfg.smev.signer, "engine");
        assert!(cfg.smev.sign_command.is_empty() && cfg.smev.cert.is_none());
    }

    #[test]
    fn network_files_read_back_as_written() {
        for n in [
            Network::Dhcp,
            Network::Static {
                address: "10.0.0.5/24".into(),
                gateway: "10.0.0.1".into(),
                dns: vec!["10.0.0.1".into(), "77.88.8.8".into()],
            },
        ] {
            assert_eq!(parse_network(&network_file(&n)), n);
        }
    }
}
