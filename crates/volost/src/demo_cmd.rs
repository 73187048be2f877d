//! The demo and the SMEV simulator as commands (`volost demo`, `volost smev-sim`): built
//! with the binary's default feature `demo` only, so that the package a council installs
//! carries neither (`volost-sim` is in no shipped build; tests/architecture.rs).

use crate::cli::{open, operator, print_tasks};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::sync::Arc;
use volost::api::{Client, call};
use volost::clock::SystemClock;
use volost::config::Config;
use volost::domain::*;
use volost::service::{NewOrg, TaskQuery};
use volost::{Actor, Node, Options};

pub fn demo_seed(data: &Path, n: usize, seed: u64) -> Result<()> {
    let node = open(data)?;
    with_packages(&node, data)?;
    let started = std::time::Instant::now();
    let rep = volost::demo::seed(&node, operator(&node), n, seed)?;
    println!(
        "Добавлено заявок: {}, процессов: {}, межведомственных запросов: {} за {:.1} с",
        rep.applications,
        rep.processes,
        rep.outgoing,
        started.elapsed().as_secs_f64()
    );
    println!(
        "Сотрудники (пароль {}): {}",
        volost::demo::DEMO_PASSWORD,
        rep.users.join(", ")
    );
    Ok(())
}

/// The kinds' packages in before the demo's data is made, as the daemon would have them:
/// the demo's requests are made on the packages' forms.
fn with_packages(node: &Node, data: &Path) -> Result<()> {
    let kinds = volost::daemon::kinds::open(data)?;
    volost::daemon::kinds::start(node, Arc::new(kinds));
    Ok(())
}

/// The README's run command until the TUI lands: a demo node, seeded once, and its group queue.
pub fn demo(data: &Path) -> Result<()> {
    if !volost::service::db_path(data).exists() {
        println!("Создаю демонстрационный узел в {} ...", data.display());
        let org = NewOrg {
            name: "Администрация Петропавловского сельсовета Заречного района Алтайского края"
                .into(),
            short_name: "Петропавловский сельсовет".into(),
            oktmo: "01634412".into(),
            ogrn: "1022200000019".into(),
            inn: volost::demo::offers::DEMO_INN.into(),
            kpp: "223401001".into(),
            registered: Some(time::macros::date!(2002 - 12 - 18)),
        };
        let r = Node::init(
            data,
            &org,
            "admin",
            Arc::new(SystemClock),
            Options::default(),
        )?;
        node_ready(&r.node)?;
        with_packages(&r.node, data)?;
        println!("Администратор: admin, одноразовый пароль: {}", r.password);
        let rep = volost::demo::seed(&r.node, Actor::System(r.org), 2000, 1)?;
        println!(
            "Заявок: {}, процессов: {}, запросов: исходящих {}, входящих {}, Р-сведений {}",
            rep.applications, rep.processes, rep.outgoing, rep.incoming, rep.regional
        );
        println!(
            "Сотрудники (пароль {}): {}",
            volost::demo::DEMO_PASSWORD,
            rep.users.join(", ")
        );
        drop(r);
    }
    serve_demo(data)
}

/// The demo's SMEV: the simulator on a free loopback port in a thread of this process, and
/// the node's test key in the data directory, so that a request sent from the TUI goes out
/// and its answer comes back a few seconds later.
fn demo_smev(data: &Path) -> Result<volost::config::SmevConfig> {
    use volost::smev::{gost, keys as k, sim};
    gost::init()?;
    let dir = data.join("smev");
    if !dir.join(k::KEY_FILE).exists() {
        k::keygen(
            &dir,
            "Петропавловский сельсовет (демо)",
            "Петропавловский сельсовет",
            3650,
        )?;
    }
    // The simulators' keys are made anew at each start; the demo's trust directory takes
    // their certificates as the exchanges' (and as the agencies' employees', whose ЭП-СП
    // the simulator makes with the same key) and nothing else.
    let trust = data.join("trust");
    let _ = std::fs::remove_dir_all(&trust);
    let exchange = trust.join(volost::smev::trust::EXCHANGE_DIR);
    std::fs::create_dir_all(&exchange)?;
    let trusted = |name: &str, pem: &[u8]| -> Result<()> {
        std::fs::write(exchange.join(name), pem)?;
        std::fs::write(trust.join(name), pem)?;
        Ok(())
    };
    let key = gost::generate_key()?;
    let cert = gost::self_signed(&key, "СМЭВ (имитатор)", "Имитатор СМЭВ", 3650)?;
    trusted("smev-sim.pem", &cert.to_pem()?)?;
    let simulator = std::sync::Arc::new(sim::Sim::new(
        k::NodeKey { key, cert },
        sim::Scenario::answer_after(4000),
        None,
    ));
    let addr = spawn_sim("smev-sim", simulator)?;
    // The regional exchange, with a body of the region that has asked the council.
    let key = gost::generate_key()?;
    let cert = gost::self_signed(&key, "РСМЭВ (имитатор)", "Имитатор РСМЭВ", 3650)?;
    trusted("rsmev-sim.pem", &cert.to_pem()?)?;
    let regional = std::sync::Arc::new(sim::Sim::new(
        k::NodeKey { key, cert },
        sim::Scenario::answer_after(3000),
        None,
    ));
    volost::demo::offers::queue_regional(&regional);
    let raddr = spawn_sim("rsmev-sim", regional)?;
    Ok(volost::config::SmevConfig {
        endpoint: format!("http://{addr}/smev/v1.1/ws"),
        key: Some(dir.join(k::KEY_FILE)),
        cert: Some(dir.join(k::CERT_FILE)),
        poll_interval_secs: 2,
        retry_first_secs: 2,
        node_id: "petropavlovsk".into(),
        regional_endpoint: format!("http://{raddr}/ws"),
        regional_bodies: volost::demo::offers::regional_bodies(),
        trust_dir: trust,
        ..Default::default()
    })
}

/// Serves a simulator on a free loopback port from a thread of its own.
fn spawn_sim(
    name: &str,
    simulator: std::sync::Arc<volost::smev::sim::Sim>,
) -> Result<std::net::SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(_) => return,
            };
            rt.block_on(async move {
                if let Ok(l) = tokio::net::TcpListener::from_std(listener) {
                    let _ = volost::smev::sim::serve(l, simulator, std::future::pending()).await;
                }
            });
        })?;
    Ok(addr)
}

/// The demo node as a real daemon in this process: the local API on a socket in the data
/// directory, HTTP on 127.0.0.1:8080 (or a free port), until Ctrl-C. What it prints comes
/// through the local API, as a staff client sees it.
fn serve_demo(data: &Path) -> Result<()> {
    let mut cfg = Config::default();
    cfg.node.data_dir = data.to_path_buf();
    cfg.local_api.socket = data.join("volost.sock");
    cfg.local_api.group = String::new();
    cfg.backup.dir = data.join("backups");
    if std::net::TcpListener::bind(&cfg.http.listen).is_err() {
        cfg.http.listen = "127.0.0.1:0".into();
    }
    // «Окно документов» on this machine, with the node's own certificate for it.
    cfg.web.listen = "127.0.0.1:8443".into();
    if std::net::TcpListener::bind(&cfg.web.listen).is_err() {
        cfg.web.listen = "127.0.0.1:0".into();
    }
    match demo_smev(data) {
        Ok(smev) => cfg.smev = smev,
        // The demo works without the exchange; requests then stay «сформирован».
        Err(e) => eprintln!("Имитатор СМЭВ не запущен: {e:#}"),
    }
    let node = Arc::new(Node::open(
        data,
        Arc::new(SystemClock),
        volost::daemon::options(&cfg)?,
    )?);
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    let daemon = std::thread::spawn(move || {
        volost::daemon::run_with(
            cfg,
            node,
            move |b| {
                let _ = tx.send(b.clone());
            },
            Some(stop_rx),
        )
    });
    let Ok(bound) = rx.recv() else {
        return match daemon.join() {
            Ok(r) => Ok(r?),
            Err(_) => bail!("служба узла остановилась при запуске"),
        };
    };
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        // The demo's main job: the staff TUI on the running node, signed in as a specialist.
        let r = volost_tui::run(
            &bound.socket,
            Some(volost_tui::DemoLogin {
                login: "ivanova",
                password: volost::demo::DEMO_PASSWORD,
                pin: volost::demo::DEMO_PIN,
            }),
        );
        let _ = stop_tx.send(());
        r?;
        return match daemon.join() {
            Ok(r) => Ok(r?),
            Err(_) => bail!("служба узла завершилась с ошибкой"),
        };
    }
    let mut c = Client::connect(&bound.socket).map_err(|e| anyhow::anyhow!("{}", e.ru()))?;
    let api = |e: volost::api::client::ClientError| anyhow::anyhow!("{}", e.ru());
    let me = c
        .login("ivanova", volost::demo::DEMO_PASSWORD)
        .map_err(api)?;
    let mut q = TaskQuery::new(Queue::Group);
    q.limit = 15;
    q.sort = volost::service::TaskCol::Due;
    let page: volost::service::Page<volost::service::TaskRow> =
        c.ask(call::Queue(q)).map_err(api)?;
    println!();
    println!("{} — {} ({})", Queue::Group.label(), me.full_name, me.login);
    print_tasks(&page.rows, Options::default().utc_offset);
    let apps: volost::service::Page<volost::service::AppRow> = c
        .ask(call::Applications(volost::service::AppQuery {
            limit: 1,
            ..Default::default()
        }))
        .map_err(api)?;
    println!();
    println!("Узел работает (остановка: Ctrl-C).");
    println!("  Локальный API:  {}", bound.socket.display());
    if let Some(http) = bound.http {
        println!("  Состояние:      curl http://{http}/health");
        println!("  Метрики:        curl http://{http}/metrics");
        if let Some(row) = apps.rows.first() {
            let card: volost::service::ApplicationCard =
                c.ask(call::Application { id: row.id }).map_err(api)?;
            println!(
                "  Статус заявки:  curl 'http://{http}/api/v1/applications/{}/status?code={}'",
                card.app.number, card.app.access_code
            );
        }
    }
    if let Some(url) = &me.web {
        println!("  Окно документов: {url} (сертификат узла: браузер спросит о доверии)");
    }
    println!(
        "  Вход сотрудников: ivanova, petrov, ... (пароль {}, PIN-код ЭП-СП {})",
        volost::demo::DEMO_PASSWORD,
        volost::demo::DEMO_PIN
    );
    drop(c);
    drop(stop_tx);
    match daemon.join() {
        Ok(r) => Ok(r?),
        Err(_) => bail!("служба узла завершилась с ошибкой"),
    }
}

/// `volost smev-sim`: serves the simulator until Ctrl-C or SIGTERM.
pub fn smev_sim(
    listen: &str,
    keys: Option<&Path>,
    dump: Option<std::path::PathBuf>,
    scenario: Option<&Path>,
    answer_after_ms: u64,
) -> Result<()> {
    use volost::smev::{gost, keys as k, sim};
    let addr: std::net::SocketAddr = listen
        .parse()
        .with_context(|| format!("«{listen}» — не адрес:порт"))?;
    if !addr.ip().is_loopback() {
        bail!("имитатор СМЭВ слушает только адреса loopback (127.0.0.1, ::1)");
    }
    gost::init().context("ГОСТ-алгоритмы OpenSSL недоступны (нужен libengine-gost-openssl)")?;
    let key = match keys {
        Some(dir) => {
            let (kp, cp) = (dir.join(k::KEY_FILE), dir.join(k::CERT_FILE));
            if !kp.exists() {
                k::keygen(dir, "СМЭВ (имитатор)", "Имитатор СМЭВ", 3650)?;
            }
            let (key, cert) = k::load_pem(&kp, &cp)?;
            k::NodeKey { key, cert }
        }
        None => {
            let key = gost::generate_key()?;
            let cert = gost::self_signed(&key, "СМЭВ (имитатор)", "Имитатор СМЭВ", 3650)?;
            k::NodeKey { key, cert }
        }
    };
    let scenario = match scenario {
        None => sim::Scenario::answer_after(answer_after_ms),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("не удалось прочитать {}", p.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{}: не сценарий имитатора", p.display()))?
        }
    };
    let sim = std::sync::Arc::new(sim::Sim::new(key, scenario, dump));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("не удалось занять {addr}"))?;
        println!("Имитатор СМЭВ слушает http://{}", l.local_addr()?);
        sim::serve(l, sim, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        anyhow::Ok(())
    })
}

/// The demo's database is whole before it is served.
fn node_ready(node: &Node) -> Result<()> {
    let rep = node.check()?;
    if !rep.ok() {
        bail!("проверка базы не прошла: {:?}", rep.problems);
    }
    Ok(())
}
