//! `volost setup`: «Первоначальная настройка» of the appliance, on the console's screen or
//! from an answers file. The body and the administrator go to the daemon first (one
//! transaction, refused whole if wrong); then the machine's files; then what reads them is
//! restarted; then the marker that asked for the setup is removed.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::time::{Duration, Instant};
use volost::api::client::ClientError;
use volost::api::{Client, call};
use volost::config::{self, Config};
use volost::service::SetupInfo;
use volost::setup::system::{self, Owner};
use volost::setup::{Answers, PENDING, zone};
use volost_tui::screens::setup::{Outcome, Refusal, SetupView, Start};

/// The daemon starts beside the setup at the first boot: wait for its socket.
fn connect(cfg: &Config) -> Result<Client> {
    if let Ok(c) = Client::connect(&cfg.local_api.socket) {
        return Ok(c);
    }
    println!("Первоначальная настройка: ожидание службы volost…");
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        match Client::connect(&cfg.local_api.socket) {
            Ok(c) => return Ok(c),
            Err(e) if Instant::now() >= until => {
                bail!("{} ({e})", e.ru())
            }
            Err(_) => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

pub fn run(config_arg: Option<&Path>, answers: Option<&Path>, root: &Path) -> Result<()> {
    let config_path = config_arg.unwrap_or(Path::new(config::DEFAULT_PATH));
    let cfg = if config_path.exists() {
        Config::load(config_path)?
    } else {
        Config::default()
    };
    let mut client = connect(&cfg)?;
    let info: SetupInfo = client
        .ask(call::SetupInfo)
        .map_err(|e| anyhow::anyhow!(e.ru()))?;
    let marker = cfg.node.data_dir.join(PENDING);
    let on_machine = root == Path::new("/") && nix::unistd::geteuid().is_root();
    let port = cfg
        .http
        .listen
        .rsplit_once(':')
        .map_or("8080".to_string(), |(_, p)| p.to_string());
    let mut save = |a: &Answers| save(&mut client, config_path, root, on_machine, &port, a);
    let saved = match answers {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("Не удалось прочитать {}", file.display()))?;
            let a: Answers = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("Файл ответов {}: {e}", file.display()))?;
            let errs = volost::setup::check(&a);
            if !errs.is_empty() {
                let list: Vec<String> = errs
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                bail!("Ответы не приняты: {}", list.join("; "));
            }
            match save(&a) {
                Ok(lines) => {
                    if on_machine {
                        // The console's setup screen, if it is up, shows what is no longer so.
                        let _ = std::process::Command::new("systemctl")
                            .args(["--no-block", "stop", "volost-setup.service"])
                            .status();
                    }
                    println!("Настройка сохранена.");
                    lines.iter().for_each(|l| println!("{l}"));
                    true
                }
                Err(r) => {
                    let mut list: Vec<String> = r
                        .fields
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect();
                    list.extend(r.message);
                    bail!("Настройка не сохранена: {}", list.join("; "));
                }
            }
        }
        None => {
            let cur = system::current(root, config_path);
            let start = Start {
                org: volost::service::NewOrg {
                    name: info.org.name.clone(),
                    short_name: String::new(),
                    oktmo: info.org.oktmo.clone(),
                    ogrn: info.org.ogrn.clone(),
                    inn: info.org.inn.clone(),
                    ..Default::default()
                },
                admin_login: info.admin_login.clone(),
                network: cur.network,
                time_zone: cur.time_zone,
                smev_endpoint: cur.smev_endpoint,
                container: cur
                    .container
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                signing: cur.signing,
                cancellable: info.done,
                address_now: Some(system::addresses().join(", ")).filter(|s| !s.is_empty()),
            };
            volost_tui::run_setup(SetupView::new(start), save)? == Outcome::Saved
        }
    };
    // A setup done before and left without saving answers the request as well.
    if saved || info.done {
        match std::fs::remove_file(&marker) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove {}: {e}", marker.display()),
        }
    }
    Ok(())
}

fn refusal(e: ClientError) -> Refusal {
    match e {
        ClientError::Api(a) if !a.fields.is_empty() => Refusal {
            fields: a.fields,
            message: None,
        },
        e => Refusal {
            fields: Vec::new(),
            message: Some(e.ru()),
        },
    }
}

fn save(
    client: &mut Client,
    config_path: &Path,
    root: &Path,
    on_machine: bool,
    port: &str,
    a: &Answers,
) -> Result<Vec<String>, Refusal> {
    let errs = volost::setup::check(a);
    if !errs.is_empty() {
        return Err(Refusal {
            fields: errs,
            message: None,
        });
    }
    system::check(config_path, a).map_err(|errs| {
        let (fields, loose): (Vec<_>, Vec<_>) = errs.into_iter().partition(|e| !e.field.is_empty());
        Refusal {
            fields,
            message: loose.into_iter().map(|e| e.message).next(),
        }
    })?;
    client.ask(call::Setup(a.node())).map_err(refusal)?;
    tracing::info!("setup: the body and the administrator saved");
    let applied = system::apply(root, config_path, a, Owner::of_user("volost")).map_err(|e| {
        tracing::error!("setup: {e}");
        Refusal {
            fields: Vec::new(),
            message: Some(format!(
                "Орган и пароль сохранены, но {}. Исправьте и сохраните ещё раз.",
                lower_first(&e.ru())
            )),
        }
    })?;
    let mut lines = vec![
        format!("Орган: {}", a.org.name.trim()),
        format!(
            "Администратор: {} — входит с заданным паролем.",
            a.admin_login.trim()
        ),
    ];
    if on_machine {
        let restart = |unit: &str| {
            let ok = std::process::Command::new("systemctl")
                .args(["restart", unit])
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                tracing::error!("setup: systemctl restart {unit} failed");
            }
            ok
        };
        if applied.network && !restart("systemd-networkd") {
            lines.push("Сеть не перезапущена: перезагрузите узел.".into());
        }
        if applied.config && !restart("volost") {
            lines.push("Служба volost не перезапущена: перезагрузите узел.".into());
        }
    }
    lines.push(match &a.network {
        volost::setup::Network::Dhcp => match system::addresses().first() {
            Some(a) => format!("Сеть: DHCP; адрес узла сейчас {a}."),
            None => "Сеть: DHCP; адреса от маршрутизатора пока нет.".into(),
        },
        volost::setup::Network::Static { address, .. } => format!(
            "Сеть: постоянный адрес {}; проверка: http://{}:{port}/health",
            address.trim(),
            address.trim().split('/').next().unwrap_or("")
        ),
    });
    if let Some(z) = zone(&a.time_zone) {
        lines.push(format!("Часовой пояс: {} (UTC{})", z.city, z.offset));
    }
    if let Some(k) = &applied.backup_key {
        lines.push(format!(
            "Копии шифруются. Секретный ключ: {} — унесите его с узла и храните отдельно.",
            k.display()
        ));
    }
    lines.push(if a.smev_endpoint.trim().is_empty() {
        "Обмен СМЭВ выключен.".into()
    } else {
        format!("Обмен СМЭВ: {}", a.smev_endpoint.trim())
    });
    Ok(lines)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
