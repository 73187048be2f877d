//! The CLI's commands. The shell user is the node's operator: commands act as the body
//! itself (`Actor::System`), which the audit log records as such.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::sync::Arc;
use volost::api::{Client, Op, call};
use volost::clock::SystemClock;
use volost::config::{self, Config};
use volost::domain::*;
use volost::service::{NewOrg, NewUser, TaskQuery};
use volost::{Actor, Node, Options};

pub(crate) fn open(data: &Path) -> Result<Node> {
    Ok(Node::open(data, Arc::new(SystemClock), Options::default())?)
}

/// The first body of the node: CLI commands act for it.
pub(crate) fn operator(node: &Node) -> Actor {
    let _ = node;
    Actor::System(OrgId(1))
}

pub fn init(
    data: &Path,
    name: &str,
    oktmo: &str,
    ogrn: &str,
    inn: &str,
    admin: &str,
    setup: bool,
) -> Result<()> {
    let org = NewOrg {
        name: name.into(),
        short_name: String::new(),
        oktmo: oktmo.into(),
        ogrn: ogrn.into(),
        inn: inn.into(),
        ..Default::default()
    };
    let r = Node::init(data, &org, admin, Arc::new(SystemClock), Options::default())?;
    println!("Узел создан: {}", data.display());
    println!("Организация: {}", name);
    println!("Администратор: {}", r.admin.login);
    if setup {
        // The data directory is the daemon's alone; the marker asks for the setup screen.
        let marker = data.join(volost::setup::PENDING);
        std::fs::write(&marker, b"")
            .with_context(|| format!("Не удалось записать {}", marker.display()))?;
        println!("Пароль администратора задаётся на экране первоначальной настройки (консоль).");
        return Ok(());
    }
    println!(
        "Одноразовый пароль (показан один раз, смените при первом входе): {}",
        r.password
    );
    Ok(())
}

pub fn user_add(data: &Path, login: &str, name: &str, roles: &[String]) -> Result<()> {
    let node = open(data)?;
    let actor = operator(&node);
    let groups = node
        .groups(actor)?
        .into_iter()
        .take(1)
        .map(|g| g.id)
        .collect();
    let (u, pw) = node.add_user(
        actor,
        &NewUser {
            login: login.into(),
            full_name: name.into(),
            dept: None,
            roles: roles.to_vec(),
            groups,
        },
    )?;
    println!("Пользователь {} создан.", u.login);
    println!("Одноразовый пароль (смените при первом входе): {pw}");
    Ok(())
}

pub fn user_passwd(data: &Path, config: Option<&Path>, login: &str) -> Result<()> {
    // A running daemon holds the database: it resets the password (before, this command was
    // refused while the node ran, so a locked-out administrator had to stop the node).
    let socket = load_config(config).ok().map(|c| c.local_api.socket);
    if let Some(mut c) = socket.and_then(|s| Client::connect(&s).ok()) {
        let pw: String = c
            .ask(call::OperatorPasswd {
                login: login.into(),
            })
            .map_err(|e| anyhow::anyhow!("{}", e.ru()))?;
        println!("Новый одноразовый пароль для {login}: {pw}");
        return Ok(());
    }
    let node = open(data)?;
    let pw = node.reset_password(operator(&node), login)?;
    println!("Новый одноразовый пароль для {login}: {pw}");
    Ok(())
}

pub fn user_list(data: &Path) -> Result<()> {
    let node = open(data)?;
    let users = node.list_users(operator(&node))?;
    let certs = node.personal_certs(operator(&node))?;
    let off = node.options().utc_offset;
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            let cert = certs.iter().find(|c| c.login == u.login);
            vec![
                u.login.clone(),
                u.full_name.clone(),
                u.roles.join(", "),
                if !u.active {
                    "заблокирован".into()
                } else if u.must_change_password {
                    "ждёт смены пароля".into()
                } else {
                    "активен".into()
                },
                match cert {
                    None => "—".into(),
                    Some(c) => c
                        .warning()
                        .unwrap_or_else(|| format!("до {}", display_date(c.not_after.date(off)))),
                },
            ]
        })
        .collect();
    print_table(&["Логин", "ФИО", "Роли", "Состояние", "ЭП-СП"], &rows);
    Ok(())
}

/// A password or PIN: the first line of `file` (which only its owner may read), else typed
/// at the terminal without echo, else the first line of standard input (for scripts).
fn secret(file: Option<&Path>, prompt: &str) -> Result<String> {
    use std::io::IsTerminal;
    if let Some(f) = file {
        return volost::smev::keys::read_secret(f).map_err(|e| match e {
            volost::smev::keys::KeyError::OpenPasswordFile { .. } => anyhow::anyhow!(
                "{}: файл с паролем не должен быть доступен другим (chmod 600)",
                f.display()
            ),
            other => anyhow::anyhow!("не удалось прочитать {}: {other}", f.display()),
        });
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt).context("не удалось прочитать ввод");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("не удалось прочитать стандартный ввод")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn print_cert(c: &volost::service::CertView, off: time::UtcOffset) {
    println!("Владелец: {}", c.subject);
    println!("Серийный номер: {}", c.serial);
    println!(
        "Действителен: с {} по {} (осталось дней: {})",
        c.not_before.display(off),
        c.not_after.display(off),
        c.days_left
    );
    if let Some(w) = c.warning() {
        println!("Внимание: {w}");
    }
}

/// `volost user cert LOGIN FILE`: a staff member's personal certificate (ЭП-СП).
pub fn user_cert(
    data: &Path,
    login: &str,
    file: &Path,
    password_file: Option<&Path>,
    pin_file: Option<&Path>,
) -> Result<()> {
    let p12 = std::fs::read(file).with_context(|| format!("нет файла {}", file.display()))?;
    let node = open(data)?;
    let password = secret(password_file, "Пароль контейнера: ")?;
    let pin = match pin_file {
        Some(_) => secret(pin_file, "")?,
        None => password.clone(),
    };
    let c = volost::smev::staff::import_cert(&node, operator(&node), login, &p12, &password, &pin)?;
    println!("Сертификат ЭП-СП пользователя {login} загружен.");
    print_cert(&c, node.options().utc_offset);
    Ok(())
}

/// `volost user cert --token`: the certificate of a key on the employee's own token.
pub fn user_token_cert(data: &Path, login: &str, file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("нет файла {}", file.display()))?;
    let node = open(data)?;
    let c = volost::smev::staff::import_token_cert(&node, operator(&node), login, &bytes)?;
    println!(
        "Сертификат ЭП-СП пользователя {login} загружен: ключ на его токене, подпись — в окне \
         документов («Подпись токеном»)."
    );
    print_cert(&c, node.options().utc_offset);
    Ok(())
}

pub fn user_cert_remove(data: &Path, login: &str) -> Result<()> {
    let node = open(data)?;
    node.remove_personal_cert(operator(&node), login)?;
    println!("Сертификат ЭП-СП пользователя {login} удалён.");
    Ok(())
}

pub(crate) fn print_tasks(rows: &[volost::service::TaskRow], off: time::UtcOffset) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|t| {
            vec![
                t.application.clone().unwrap_or_default(),
                t.name.clone(),
                t.author.clone(),
                t.created.display(off),
                display_date(t.due),
                if t.overdue_days > 0 {
                    format!("просрочена на {} р. д.", t.overdue_days)
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    print_table(
        &["Заявка", "Задача", "Автор", "Дата начала", "Срок", ""],
        &rows,
    );
}

pub fn check(data: Option<&Path>, config: Option<&Path>) -> Result<()> {
    // A running daemon holds its database: it checks it (for support over SSH too). Another
    // database (a backup, a copy) is opened here.
    let cfg = load_config(config)?;
    let data = data.unwrap_or(&cfg.node.data_dir);
    let its_own =
        std::fs::canonicalize(data).ok() == std::fs::canonicalize(&cfg.node.data_dir).ok();
    let daemon = if its_own {
        Client::connect(&cfg.local_api.socket).ok()
    } else {
        None
    };
    let rep = match daemon.ok_or(()) {
        Ok(mut c) => c
            .ask(call::Check)
            .map_err(|e| anyhow::anyhow!("{}", e.ru()))?,
        Err(_) => {
            let r = open(data)?.check()?;
            volost::api::CheckReply {
                rows: r.rows.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
                index_entries: r.index_entries,
                problems: r.problems,
            }
        }
    };
    let ok = rep.problems.is_empty();
    for (t, n) in &rep.rows {
        println!("{t:<20} {n:>10}");
    }
    println!("{:<20} {:>10}", "index entries", rep.index_entries);
    if ok {
        println!("Проверка пройдена: все записи читаются, индексы совпадают со строками.");
        Ok(())
    } else {
        for p in &rep.problems {
            println!("ОШИБКА: {p}");
        }
        bail!("найдено ошибок: {}", rep.problems.len())
    }
}

/// `volost smev unreadable`: through the running daemon (it holds the database), or from the
/// data directory when it is stopped.
pub fn smev_unreadable(config: Option<&Path>, save: Option<&Path>, limit: usize) -> Result<()> {
    use volost::domain::InboxEntry;
    let cfg = load_config(config)?;
    let api = |e: volost::api::client::ClientError| anyhow::anyhow!("{}", e.ru());
    let mut daemon = Client::connect(&cfg.local_api.socket).ok();
    let node = match daemon {
        Some(_) => None,
        None => Some(open(&cfg.node.data_dir)?),
    };
    let list: Vec<InboxEntry> = match (&mut daemon, &node) {
        (Some(c), _) => c.ask(call::Unreadable { n: limit }).map_err(api)?,
        (None, Some(n)) => n.exchange_unreadable(limit)?,
        (None, None) => Vec::new(),
    };
    if list.is_empty() {
        println!("Непрочитанных сообщений СМЭВ нет.");
        return Ok(());
    }
    let offset = cfg.utc_offset().map_err(|e| anyhow::anyhow!(e))?;
    for e in &list {
        println!(
            "{:>6}  {}  {:<12} {:>10} Б  {}  {}",
            e.id,
            e.received.display(offset),
            e.call,
            e.size,
            if e.message_id.starts_with("sha256:") {
                "(без MessageID)"
            } else {
                &e.message_id
            },
            e.verdict.trim_start_matches("kept: unreadable: "),
        );
    }
    if let Some(dir) = save {
        std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        for e in &list {
            let bytes = match (&mut daemon, &node) {
                (Some(c), _) => c.ask(call::UnreadableBytes { id: e.id }).map_err(api)?.0,
                (None, Some(n)) => n.exchange_inbox_bytes(e.id)?.unwrap_or_default(),
                (None, None) => Vec::new(),
            };
            let path = dir.join(format!("{}.xml", e.id));
            std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
        }
        println!("Сохранено в {}: {} файлов.", dir.display(), list.len());
    }
    Ok(())
}

pub fn queue(data: &Path, login: &str, queue: &str, limit: usize) -> Result<()> {
    let node = open(data)?;
    let user = node
        .user_by_login(login)?
        .with_context(|| format!("нет пользователя {login}"))?;
    let q = match queue {
        "group" => Queue::Group,
        "mine" => Queue::Mine,
        "done" => Queue::Done,
        other => bail!("неизвестная очередь «{other}»: group, mine или done"),
    };
    let actor = Actor::User(user.id);
    let mut tq = TaskQuery::new(q);
    tq.limit = limit;
    tq.sort = volost::service::TaskCol::Due;
    let page = node.queue(actor, &tq)?;
    let off = node.options().utc_offset;
    println!("{} — {} ({})", q.label(), user.full_name, user.login);
    print_tasks(&page.rows, off);
    if page.next.is_some() {
        println!("… показаны первые {limit}");
    }
    Ok(())
}

/// A plain text table, columns cut to fit 160 characters in all.
fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let cut = |s: &str, w: usize| -> String {
        if s.chars().count() > w {
            format!("{}…", s.chars().take(w - 1).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count()).min(60);
        }
    }
    let line = |cells: Vec<String>| {
        let s: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:<w$}", cut(c, widths[i]), w = widths[i]))
            .collect();
        println!("{}", s.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for r in rows {
        line(r.clone());
    }
}

/// The configuration named on the command line, else the default file, else the built-in
/// defaults (a development machine has no /etc/volost).
pub fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(p) => Ok(Config::load(p)?),
        None if Path::new(config::DEFAULT_PATH).exists() => {
            Ok(Config::load(Path::new(config::DEFAULT_PATH))?)
        }
        None => {
            tracing::info!("no {}: built-in defaults", config::DEFAULT_PATH);
            Ok(Config::default())
        }
    }
}

/// Logging of the daemon, as the configuration says: plain text for journald (which adds
/// the time) or one JSON object per line.
fn init_daemon_log(cfg: &Config) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log.level)
        .with_context(|| format!("[log] level «{}»", cfg.log.level))?;
    use std::io::IsTerminal;
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let r = if cfg.log.format == "json" {
        b.json().try_init()
    } else {
        b.without_time().try_init()
    };
    r.map_err(|e| anyhow::anyhow!("logging: {e}"))
}

pub fn serve(config: Option<&Path>) -> Result<()> {
    let cfg = match load_config(config) {
        Ok(c) => c,
        Err(e) => {
            // No logger yet: say it on stderr, which journald keeps.
            eprintln!("volost: configuration refused: {e:#}");
            return Err(e);
        }
    };
    init_daemon_log(&cfg)?;
    tracing::info!(data = %cfg.node.data_dir.display(), "starting volost {}", env!("CARGO_PKG_VERSION"));
    volost::daemon::run(cfg)?;
    Ok(())
}

pub fn backup(config: Option<&Path>) -> Result<()> {
    let cfg = load_config(config)?;
    let path: String = match Client::connect(&cfg.local_api.socket) {
        Ok(mut c) => c
            .ask(call::Backup)
            .map_err(|e| anyhow::anyhow!("{}", e.ru()))?,
        Err(_) => {
            // No daemon: the database is ours to open.
            let node = Node::open(
                &cfg.node.data_dir,
                Arc::new(SystemClock),
                volost::daemon::options(&cfg)?,
            )?;
            let plan = volost::backup::Plan::of(&cfg.backup).map_err(|e| anyhow::anyhow!(e))?;
            volost::backup::take(&node, &plan)?.display().to_string()
        }
    };
    println!("Резервная копия сохранена: {path}");
    Ok(())
}

/// `volost backup --keygen FILE`.
pub fn backup_keygen(out: &Path) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let (secret, public) = volost::backup::seal::keygen();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .with_context(|| format!("{}: не создан (файл уже есть?)", out.display()))?;
    writeln!(
        f,
        "# volost: секретный ключ резервных копий. Храните вне узла; нужен только для\n\
         # восстановления (volost restore --identity ЭТОТ_ФАЙЛ).\n# public key: {public}\n{secret}"
    )?;
    f.sync_all()?;
    println!("Секретный ключ записан в {} (режим 0600).", out.display());
    println!("Унесите его с узла: без него зашифрованные копии не восстановить.");
    println!("Открытый ключ для volost.toml, раздел [backup]:");
    println!("recipient = \"{public}\"");
    Ok(())
}

pub fn restore(file: &Path, config: Option<&Path>, identity: Option<&Path>) -> Result<()> {
    let cfg = load_config(config)?;
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let r = volost::backup::restore(file, &cfg.node.data_dir, &stamp, identity)?;
    let offset = cfg.utc_offset().map_err(|e| anyhow::anyhow!(e))?;
    println!(
        "База восстановлена из {} (копия № {} от {}) в {}.",
        file.display(),
        r.mark.seq,
        r.mark.taken.display(offset),
        cfg.node.data_dir.display(),
    );
    println!(
        "Установлено: заявлений {}, задач {}, межведомственных запросов: исходящих {}, \
         входящих {}; файлов {}. Проверка пройдена ({} записей индексов).",
        r.rows("application"),
        r.rows("task"),
        r.rows("outgoing_request"),
        r.rows("incoming_request"),
        r.rows("file"),
        r.check.index_entries
    );
    if let Some(p) = r.previous {
        println!("Прежняя база сохранена как {}", p.display());
    }
    Ok(())
}

/// `volost` (no command) and `volost tui`: the staff TUI on the running daemon.
pub fn tui(config: Option<&Path>, socket: Option<&Path>) -> Result<()> {
    let socket = match socket {
        Some(s) => s.to_path_buf(),
        None => load_config(config)?.local_api.socket,
    };
    // Say it plainly before the screen is taken over, if nobody is there.
    if let Err(e) = Client::connect(&socket) {
        bail!("{}", e.ru());
    }
    volost_tui::run(&socket, None)?;
    Ok(())
}

/// `volost smev keygen`.
pub fn smev_keygen(out: &Path, name: &str, org: &str, days: u32) -> Result<()> {
    if !(1..=3650).contains(&days) {
        bail!("срок действия сертификата — от 1 до 3650 дней");
    }
    let w = volost::smev::keys::keygen(out, name, org, days)
        .context("не удалось создать тестовый ключ")?;
    println!(
        "Ключ ЭП-ОВ (ГОСТ Р 34.10-2012, 256 бит): {}",
        w.key.display()
    );
    println!(
        "Сертификат (самоподписанный, для демонстрации и тестов): {}",
        w.cert.display()
    );
    println!("Действителен до: {}", w.not_after);
    Ok(())
}

/// `volost smev keygen --personal`: a test container of ЭП-СП for a staff member.
pub fn smev_keygen_personal(
    out: &Path,
    name: &str,
    org: &str,
    days: u32,
    pin_file: Option<&Path>,
) -> Result<()> {
    use std::io::{IsTerminal, Write};
    use std::os::unix::fs::OpenOptionsExt;
    if !(1..=3650).contains(&days) {
        bail!("срок действия сертификата — от 1 до 3650 дней");
    }
    if name == crate::NODE_CERT_NAME {
        bail!("укажите ФИО владельца сертификата: --name \"Фамилия Имя Отчество\"");
    }
    let pin = secret(pin_file, "PIN-код нового контейнера: ")?;
    if pin_file.is_none()
        && std::io::stdin().is_terminal()
        && secret(None, "PIN-код ещё раз: ")? != pin
    {
        bail!("PIN-коды не совпали");
    }
    let der = volost::smev::personal::test_container(name, org, days, &pin)
        .context("не удалось создать контейнер")?;
    std::fs::create_dir_all(out).with_context(|| format!("нет каталога {}", out.display()))?;
    let path = out.join("personal.p12");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("не удалось создать {} (он уже есть?)", path.display()))?;
    f.write_all(&der)?;
    f.sync_all()?;
    println!(
        "Контейнер ЭП-СП (PKCS#12, самоподписанный, для демонстрации и тестов): {}",
        path.display()
    );
    println!("Владелец: {name}; действителен дней: {days}");
    println!("Загрузите его: volost user cert ЛОГИН {}", path.display());
    Ok(())
}

/// `volost smev verify`: every `ds:Signature` of the message, checked as the worker checks
/// what it receives, each against the element its place in the message says it signs, and
/// its certificate against the trust directory (`trust`): a sound signature whose
/// certificate is not trusted fails too.
pub fn smev_verify(file: &Path, trust: &Path) -> Result<()> {
    use volost::smev::{inspect, xml};
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("не удалось прочитать {}", file.display()))?;
    let doc = xml::parse(&text).context("файл не является корректным XML")?;
    let checks = inspect::signatures(&doc);
    if checks.is_empty() {
        bail!("в сообщении нет подписей (ds:Signature)");
    }
    let stores =
        volost::smev::trust::Stores::open(trust).map_err(|e| anyhow::anyhow!(e.russian()))?;
    let mut bad = 0;
    for c in &checks {
        let place = match &c.expected {
            Some(e) => format!("{} (подписывает {e})", c.container),
            None => c.container.clone(),
        };
        match &c.outcome {
            Ok(s) => {
                // SMEV's signature is trusted only as the exchange's, as the worker takes it.
                let store = match c.container.as_str() {
                    "SMEVSignature" => &stores.exchange,
                    _ => &stores.staff,
                };
                let v = crate::trust_cmd::verdict(store, s)?;
                if !v.trusted() {
                    bad += 1;
                }
                // OpenSSL's reason after the verdict: what support looks at next.
                let verdict = match &v {
                    volost::smev::trust::Verdict::Untrusted(why) => {
                        format!("{} ({why})", v.russian())
                    }
                    _ => v.russian().to_string(),
                };
                println!(
                    "{place}: подпись верна, {verdict}; элемент #{}, подписал {}, сертификат действителен до {}",
                    s.reference, s.signer, s.not_after
                );
            }
            Err(why) => {
                bad += 1;
                println!("{place}: подпись НЕ верна: {why}");
            }
        }
    }
    if bad > 0 {
        bail!(
            "не подтверждено подписей: {bad} из {} (доверенные сертификаты: {})",
            checks.len(),
            trust.display()
        );
    }
    Ok(())
}

/// `volost smev transform`: what the digest of a signature over the element is taken over.
pub fn smev_transform(file: &Path, id: Option<&str>) -> Result<()> {
    use std::io::Write;
    use volost::smev::{transform, xml};
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("не удалось прочитать {}", file.display()))?;
    let doc = xml::parse(&text).context("файл не является корректным XML")?;
    let target = match id {
        None => &doc,
        Some(id) => match doc.by_id(id) {
            Ok(Some(e)) => e,
            Ok(None) => bail!("в файле нет элемента с Id=\"{id}\""),
            Err(_) => bail!("Id=\"{id}\" встречается в файле несколько раз"),
        },
    };
    let out = transform::transform(target).context("преобразование СМЭВ невозможно")?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

/// A day as staff type it: `01.11.2026` or `2026-11-01`.
pub(crate) fn parse_day(s: &str) -> Result<time::Date> {
    let ru = time::macros::format_description!("[day].[month].[year]");
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    // The parser's own words are English and about its internals: staff read only ours.
    time::Date::parse(s.trim(), ru)
        .or_else(|_| time::Date::parse(s.trim(), iso))
        .map_err(|_| anyhow::anyhow!("«{s}» — не дата (ожидается 01.11.2026 или 2026-11-01)"))
}

/// `volost org show`: the body's details, as agencies' statements name it.
pub fn org_show(config: Option<&Path>, login: &str) -> Result<()> {
    let mut seat = Seat::open(config, login)?;
    let o: volost::domain::Org = seat.ask(call::Org, |n, a| n.org(a))?;
    print_org(&o);
    Ok(())
}

/// What `volost org set` changes; a code not given stays as it is.
pub struct OrgSet<'a> {
    pub ogrn: Option<&'a str>,
    pub inn: Option<&'a str>,
    pub kpp: Option<&'a str>,
    pub registered: Option<&'a str>,
    pub contacts: Option<&'a str>,
}

/// `volost org set`: the body's ОГРН, ИНН, КПП and date of state registration (an
/// administrator).
pub fn org_set(config: Option<&Path>, login: &str, set: &OrgSet<'_>) -> Result<()> {
    let mut seat = Seat::open(config, login)?;
    let now: volost::domain::Org = seat.ask(call::Org, |n, a| n.org(a))?;
    let or_now = |v: Option<&str>, now: String| v.map_or(now, str::to_string);
    let details = volost::api::view::OrgDetails {
        ogrn: or_now(set.ogrn, now.ogrn),
        inn: or_now(set.inn, now.inn),
        kpp: or_now(set.kpp, now.kpp),
        registered: match set.registered {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(parse_day(s)?),
            None => now.registered,
        },
        contacts: or_now(set.contacts, now.contacts),
    };
    let o: volost::domain::Org = seat.ask(call::SetOrgDetails(details.clone()), |n, a| {
        n.set_org_details(a, &details)
    })?;
    print_org(&o);
    Ok(())
}

fn print_org(o: &volost::domain::Org) {
    let or_none = |s: &str| {
        if s.is_empty() {
            "не указан".to_string()
        } else {
            s.to_string()
        }
    };
    println!("{}", o.name);
    println!("ОКТМО: {}", or_none(&o.oktmo));
    println!("ОГРН: {}", or_none(&o.ogrn));
    println!("ИНН: {}", or_none(&o.inn));
    println!("КПП: {}", or_none(&o.kpp));
    println!(
        "Дата государственной регистрации: {}",
        o.registered
            .map_or_else(|| "не указана".into(), volost::domain::display_date)
    );
    println!("Адрес и контакты: {}", or_none(&o.contacts));
}

/// Where a staff member's query runs: the running daemon, signed in as them, or the database
/// itself when the daemon is stopped (the operator of the machine may open it).
pub(crate) enum Seat {
    Daemon(Client),
    Direct(Box<Node>, Actor),
}

impl Drop for Seat {
    /// A session of the CLI ends with it, so that scripts running it do not fill the user's
    /// sessions and sign them out of their TUI.
    fn drop(&mut self) {
        if let Seat::Daemon(c) = self {
            let _ = c.ask(call::Logout);
        }
    }
}

impl Seat {
    pub(crate) fn open(config: Option<&Path>, login: &str) -> Result<Seat> {
        let cfg = load_config(config)?;
        if let Ok(mut c) = Client::connect(&cfg.local_api.socket) {
            let password = match std::env::var("VOLOST_PASSWORD") {
                Ok(p) => p,
                Err(_) => secret(None, &format!("Пароль {login}: "))?,
            };
            c.login(login, &password)
                .map_err(|e| anyhow::anyhow!("{}", e.ru()))?;
            return Ok(Seat::Daemon(c));
        }
        let node = Node::open(
            &cfg.node.data_dir,
            Arc::new(SystemClock),
            volost::daemon::options(&cfg)?,
        )?;
        // The database is this process's now: so is the folder packages are written out to.
        let kinds = volost::daemon::kinds::open(&cfg.node.data_dir)
            .context("папка пакетов видов сведений")?;
        node.set_packages(Arc::new(kinds));
        volost::daemon::paper::start(&node, &cfg.documents);
        let user = node
            .user_by_login(login)?
            .with_context(|| format!("нет пользователя {login}"))?;
        Ok(Seat::Direct(Box::new(node), Actor::User(user.id)))
    }

    /// One query: `call` to the daemon, or `direct` on the database; both answer the reply
    /// type the call names.
    pub(crate) fn ask<R: Op>(
        &mut self,
        call: R,
        direct: impl FnOnce(&Node, Actor) -> volost::service::Result<R::Reply>,
    ) -> Result<R::Reply> {
        match self {
            Seat::Daemon(c) => c.ask(call).map_err(|e| anyhow::anyhow!("{}", e.ru())),
            Seat::Direct(n, a) => direct(n, *a).map_err(|e| anyhow::anyhow!("{}", e.ru())),
        }
    }

    fn export(
        &mut self,
        what: volost::service::Exported,
        format: volost::export::FileFormat,
    ) -> Result<(String, Vec<u8>)> {
        let call = call::Export {
            what: what.clone(),
            format,
        };
        let r: volost::api::ExportReply = self.ask(call, |n, a| {
            n.export(a, &what, format)
                .map(|f| volost::api::ExportReply {
                    name: f.name,
                    data: volost::api::Bytes(f.data),
                })
        })?;
        Ok((r.name, r.data.0))
    }
}

fn file_format(s: &str) -> Result<volost::export::FileFormat> {
    match s {
        "csv" => Ok(volost::export::FileFormat::Csv),
        "xlsx" => Ok(volost::export::FileFormat::Xlsx),
        other => bail!("неизвестный формат «{other}»: csv или xlsx"),
    }
}

pub(crate) fn write_export(name: &str, data: &[u8], out: Option<&Path>) -> Result<()> {
    let path = out.map_or_else(|| std::path::PathBuf::from(name), Path::to_path_buf);
    std::fs::write(&path, data)
        .with_context(|| format!("не удалось записать {}", path.display()))?;
    println!("Записан файл {} ({} байт)", path.display(), data.len());
    Ok(())
}

/// `volost report`: the period report on screen or as a file.
pub fn report(
    config: Option<&Path>,
    login: &str,
    (from, to): (&str, &str),
    dept: Option<&str>,
    format: &str,
    out: Option<&Path>,
) -> Result<()> {
    use volost::service::{Exported, ReportQuery};
    let (from, to) = (parse_day(from)?, parse_day(to)?);
    let mut seat = Seat::open(config, login)?;
    let dept = match dept {
        None => None,
        Some(name) => {
            let all: Vec<Department> = seat.ask(call::Departments, |n, a| n.departments(a))?;
            let found = all
                .into_iter()
                .find(|d| d.name.to_lowercase() == name.trim().to_lowercase())
                .with_context(|| format!("в органе нет подразделения «{name}»"))?;
            Some(found.id)
        }
    };
    let q = ReportQuery { from, to, dept };
    if format != "table" {
        let (name, data) = seat.export(Exported::Report(q), file_format(format)?)?;
        return write_export(&name, &data, out);
    }
    let r: volost::service::Report = seat.ask(call::Report(q.clone()), |n, a| n.report(a, &q))?;
    let org: Org = seat.ask(call::Org, |n, a| n.org(a))?;
    println!("{}\n", org.name);
    for t in volost::export::report_tables(&r) {
        println!("{}", t.title);
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(volost::export::Cell::text).collect())
            .collect();
        print_table(&t.headers, &rows);
        println!();
    }
    Ok(())
}

/// `volost journal`: the journal of outgoing requests as a file.
pub fn journal(
    config: Option<&Path>,
    login: &str,
    (from, to): (Option<&str>, Option<&str>),
    format: &str,
    out: Option<&Path>,
) -> Result<()> {
    use volost::service::{Exported, OutFilter};
    let format = file_format(format)?;
    let cfg_offset = load_config(config)?
        .utc_offset()
        .map_err(|e| anyhow::anyhow!(e))?;
    let at = |d: time::Date| Ts::from_datetime(d.midnight().assume_offset(cfg_offset));
    let filter = OutFilter {
        created_from: from.map(parse_day).transpose()?.map(at),
        created_to: to
            .map(parse_day)
            .transpose()?
            .map(|d| at(d.next_day().unwrap_or(d))),
        ..Default::default()
    };
    if let (Some(a), Some(b)) = (filter.created_from, filter.created_to)
        && a >= b
    {
        bail!("начало периода позже его конца");
    }
    let mut seat = Seat::open(config, login)?;
    let (name, data) = seat.export(Exported::Journal(filter), format)?;
    write_export(&name, &data, out)
}

/// Why the node's ЭП-ОВ could not sign here (the cause follows it).
const NODE_KEY_NOT_LOADED: &str = "ключ ЭП-ОВ узла не загружен (volost.toml, [smev]: signer и \
                                   key и cert, pkcs12, sign_command или pkcs11_*)";

/// `volost registry export`: the body's registry signed with the node's key.
pub fn registry_export(config: Option<&Path>, login: &str, out: Option<&Path>) -> Result<()> {
    let cfg = load_config(config)?;
    let mut seat = Seat::open(config, login)?;
    let text: String = match &mut seat {
        Seat::Daemon(c) => c
            .ask(call::RegistryExport)
            .map_err(|e| anyhow::anyhow!("{}", e.ru()))?,
        Seat::Direct(n, a) => {
            volost::smev::gost::init()
                .context("ГОСТ-алгоритмы OpenSSL недоступны (нужен libengine-gost-openssl)")?;
            let key = volost::smev::signer::load(&cfg.smev, &cfg.node.data_dir)
                .context(NODE_KEY_NOT_LOADED)?;
            volost::registry::export(n, *a, Some(key.as_ref()))
                .map_err(|e| anyhow::anyhow!("{}", e.ru()))?
        }
    };
    let today = time::OffsetDateTime::now_utc()
        .to_offset(cfg.utc_offset().map_err(|e| anyhow::anyhow!(e))?)
        .date();
    let name = format!("Реестр услуг {}.xml", volost::domain::display_date(today));
    write_export(&name, text.as_bytes(), out)
}

/// `volost registry import`: a signed registry's passports into the body's services.
pub fn registry_import(config: Option<&Path>, login: &str, file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("не удалось прочитать {}", file.display()))?;
    let mut seat = Seat::open(config, login)?;
    let call = call::RegistryImport { text: text.clone() };
    let cfg = load_config(config)?;
    let key = match seat {
        Seat::Direct(..) => Some(
            volost::smev::signer::load(&cfg.smev, &cfg.node.data_dir)
                .context(NODE_KEY_NOT_LOADED)?,
        ),
        Seat::Daemon(_) => None,
    };
    let r: volost::service::RegistryImport = seat.ask(call, |n, a| {
        volost::registry::import(n, a, &text, key.as_deref())
    })?;
    println!("Подпись верна: {}", r.signer);
    println!(
        "Паспорта обновлены ({}): {}",
        r.updated.len(),
        r.updated.join(", ")
    );
    Ok(())
}

/// `volost load`: acknowledged writes, one line each, flushed as the daemon answers, so that
/// whoever reads the output (over SSH, on another machine) holds exactly what was
/// acknowledged when the power went.
pub fn load(config: Option<&Path>, login: &str, count: u32, verify: bool) -> Result<()> {
    use std::io::{BufRead, Write};
    let cfg = load_config(config)?;
    let mut c = Client::connect(&cfg.local_api.socket).map_err(|e| anyhow::anyhow!(e.ru()))?;
    let password = match std::env::var("VOLOST_PASSWORD") {
        Ok(p) => p,
        Err(_) => secret(None, &format!("Пароль {login}: "))?,
    };
    c.login(login, &password)
        .map_err(|e| anyhow::anyhow!(e.ru()))?;
    let first = time::macros::date!(2040 - 01 - 01);
    if verify {
        let cal: Calendar = c.ask(call::Calendar).map_err(|e| anyhow::anyhow!(e.ru()))?;
        let (mut acked, mut lost) = (0u64, Vec::new());
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            // A line cut by the power has no day: it was never acknowledged whole.
            let Ok(day) = parse_day(line.trim()) else {
                continue;
            };
            acked += 1;
            // A weekend marked off is off already: what counts is that the day is not a
            // working one.
            if cal.is_working(day) {
                lost.push(line);
            }
        }
        let _ = c.ask(call::Logout);
        println!(
            "acknowledged {acked}, present {}, lost {}",
            acked - lost.len() as u64,
            lost.len()
        );
        if !lost.is_empty() {
            bail!("Потеряны подтверждённые записи: {}", lost.join(", "));
        }
        return Ok(());
    }
    let out = std::io::stdout();
    for i in 0..count {
        let date = first + time::Duration::days(i64::from(i));
        c.ask(call::SetCalendarDay { date, off: true })
            .map_err(|e| anyhow::anyhow!(e.ru()))?;
        let mut o = out.lock();
        writeln!(o, "{}", display_date(date))?;
        o.flush()?;
    }
    let _ = c.ask(call::Logout);
    Ok(())
}
