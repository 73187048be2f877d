//! `volost serve`: the one process that owns the database. It serves the local API (Unix
//! socket, [`local`]) and the HTTP endpoint ([`http`]), runs the background jobs ([`jobs`]),
//! tells systemd when it is ready and alive, and on SIGTERM finishes the operations in flight
//! before it exits.
//!
//! Beside it, what the process needs: the local API's dispatch and sessions ([`api`]),
//! backups ([`backup`]), the appliance's setup ([`setup`]) and the shutdown signal
//! ([`shutdown`]).

pub mod api;
pub mod backup;
pub mod desk;
pub mod kinds;
pub mod paper;
pub mod setup;
pub mod shutdown;

pub mod gate;
pub mod http;
pub mod jobs;
pub mod listen;
pub mod local;
pub mod lookup;
pub mod tls;
pub mod web;

use crate::api::{Api, Sessions};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use volost_config::Config;
use volost_core::clock::SystemClock;
use volost_core::service::{Node, Options};
use volost_smev::LinkState;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("{0}")]
    Config(#[from] volost_config::ConfigError),
    #[error("cannot open the database: {0}")]
    Node(#[from] volost_core::Error),
    #[error("cannot listen on {what}: {source}")]
    Listen {
        what: String,
        source: std::io::Error,
    },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("configuration: {0}")]
    Invalid(String),
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
}

/// Threads that run requests and jobs at once (see `run`).
pub const MAX_BLOCKING_THREADS: usize = 64;

pub use crate::shutdown::Shutdown;

/// What the HTTP handlers and the jobs share.
pub struct State {
    pub api: Arc<Api>,
    pub started: Instant,
    /// Where the database lives: its free space is reported (`/health`, `/metrics`).
    pub data_dir: std::path::PathBuf,
    misses: lookup::Limiter,
    http_counts: Mutex<BTreeMap<(String, u16), u64>>,
    jobs: jobs::Counters,
    /// Admission of HTTP connections; who is privileged (loopback, monitoring).
    pub gate: Arc<gate::Gate>,
    /// The trust directory as the exchange reads it (`[smev] trust_dir`).
    pub trust: Arc<volost_smev::trust::TrustDir>,
}

impl State {
    pub fn new(
        api: Arc<Api>,
        data_dir: std::path::PathBuf,
        gate: Arc<gate::Gate>,
        trust: Arc<volost_smev::trust::TrustDir>,
    ) -> State {
        State {
            trust,
            api,
            started: Instant::now(),
            data_dir,
            misses: lookup::Limiter::default(),
            http_counts: Mutex::new(BTreeMap::new()),
            jobs: jobs::Counters::default(),
            gate,
        }
    }

    /// Whether systemd-timesyncd has set the clock from a time server since boot: SMEV
    /// refuses messages whose timestamps are off. `None` where timesyncd does not run.
    pub fn clock_synchronized(&self) -> Option<bool> {
        let dir = std::path::Path::new("/run/systemd/timesync");
        dir.is_dir().then(|| dir.join("synchronized").exists())
    }

    /// Free and total bytes of the filesystem the database is on.
    pub fn disk(&self) -> Option<(u64, u64)> {
        volost_store::space(&self.data_dir)
    }

    fn count_http(&self, route: &str, status: u16) {
        let mut m = self.http_counts.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry((route.to_string(), status)).or_insert(0) += 1;
    }

    /// The Prometheus text of `/metrics`.
    pub fn metrics_text(&self) -> volost_core::service::Result<String> {
        use std::fmt::Write;
        let g = self.api.node.gauges()?;
        let c = self.api.node.commit_stats();
        let smev = self.api.link.snapshot();
        let mut s = String::with_capacity(4096);
        let mut metric = |name: &str, kind: &str, help: &str, rows: &[(String, u64)]| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, v) in rows {
                let _ = writeln!(s, "{name}{labels} {v}");
            }
        };
        let one = |v: u64| vec![(String::new(), v)];
        metric(
            "volost_tasks",
            "gauge",
            "Tasks per queue.",
            &[
                ("{queue=\"group\"}".into(), g.tasks_group),
                ("{queue=\"mine\"}".into(), g.tasks_mine),
                ("{queue=\"done\"}".into(), g.tasks_done),
            ],
        );
        metric(
            "volost_tasks_overdue",
            "gauge",
            "Open tasks past their due date.",
            &one(g.tasks_overdue),
        );
        metric(
            "volost_outgoing_requests",
            "gauge",
            "Outgoing interagency requests per status.",
            &g.outgoing
                .iter()
                .map(|(st, n)| (format!("{{status=\"{}\"}}", st.label()), *n))
                .collect::<Vec<_>>(),
        );
        metric(
            "volost_incoming_requests",
            "gauge",
            "Incoming interagency requests per status.",
            &g.incoming
                .iter()
                .map(|(st, n)| (format!("{{status=\"{}\"}}", st.label()), *n))
                .collect::<Vec<_>>(),
        );
        metric(
            "volost_smev_up",
            "gauge",
            "1 when the SMEV link works.",
            &one(u64::from(smev.state == LinkState::Up)),
        );
        metric(
            "volost_smev_errors_total",
            "counter",
            "Errors of the SMEV exchange.",
            &one(smev.errors_total),
        );
        metric(
            "volost_smev_unreadable_total",
            "counter",
            "Messages that could not be read, refused to SMEV and kept (`volost smev unreadable`), by channel.",
            &[
                ("{channel=\"smev\"}".into(), smev.unreadable_total),
                (
                    "{channel=\"rsmev\"}".into(),
                    self.api.regional_link.snapshot().unreadable_total,
                ),
            ],
        );
        if let Some((free, total)) = self.disk() {
            metric(
                "volost_disk_free_bytes",
                "gauge",
                "Free space on the filesystem of the database.",
                &one(free),
            );
            metric(
                "volost_disk_total_bytes",
                "gauge",
                "Size of the filesystem of the database.",
                &one(total),
            );
        }
        if let Some(synced) = self.clock_synchronized() {
            metric(
                "volost_clock_synchronized",
                "gauge",
                "1 when the system clock was set from a time server (systemd-timesyncd).",
                &one(u64::from(synced)),
            );
        }
        let regional = self.api.regional_link.snapshot();
        if regional.state != LinkState::NotConfigured {
            metric(
                "volost_rsmev_up",
                "gauge",
                "1 when the link to the regional exchange (РСМЭВ) works.",
                &one(u64::from(regional.state == LinkState::Up)),
            );
            metric(
                "volost_rsmev_errors_total",
                "counter",
                "Errors of the regional exchange.",
                &one(regional.errors_total),
            );
        }
        let (waiting, oldest) = self.api.node.exchange_backlog()?;
        metric(
            "volost_smev_outbox",
            "gauge",
            "Signed messages waiting in the outbox to be sent, to SMEV and to the regional exchange.",
            &one(waiting),
        );
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        metric(
            "volost_smev_outbox_oldest_seconds",
            "gauge",
            "Age of the oldest message in the outbox (0 when it is empty).",
            &one(oldest.map_or(0, |t| (now - t.0 / 1000).max(0) as u64)),
        );
        let (ending, ended) = self.api.node.staff_certs_ending()?;
        metric(
            "volost_staff_certs_ending",
            "gauge",
            "Staff certificates (ЭП-СП) that end within 30 days.",
            &one(ending),
        );
        metric(
            "volost_staff_certs_ended",
            "gauge",
            "Staff certificates (ЭП-СП) that have ended: they sign nothing.",
            &one(ended),
        );
        if let Some(provider) = &smev.signer {
            metric(
                "volost_signer_certified",
                "gauge",
                "1 when the node signs with certified cryptography (0: the OpenSSL engine, for tests only), by provider.",
                &[(
                    format!("{{provider=\"{provider}\"}}"),
                    u64::from(!smev.uncertified),
                )],
            );
        }
        if let Some(days) = smev.cert_days_left {
            metric(
                "volost_smev_cert_days_left",
                "gauge",
                "Whole days until the node's certificate (ЭП-ОВ) ends (0 once it has).",
                &one(days.max(0) as u64),
            );
        }
        metric(
            "volost_commit_groups_total",
            "counter",
            "Write transactions committed by group commit.",
            &one(c.commits),
        );
        metric(
            "volost_commit_operations_total",
            "counter",
            "Operations committed in those transactions.",
            &one(c.operations),
        );
        metric(
            "volost_commit_microseconds_total",
            "counter",
            "Time spent writing and syncing group commits.",
            &one(c.commit_micros),
        );
        metric(
            "volost_commit_retried_groups_total",
            "counter",
            "Groups rolled back and run again because one operation failed after writing.",
            &one(c.retried_groups),
        );
        metric(
            "volost_sessions",
            "gauge",
            "Live staff sessions.",
            &one(self.api.sessions.sweep() as u64),
        );
        metric(
            "volost_overdue_marked_total",
            "counter",
            "Tasks the overdue job has marked since start.",
            &one(self.jobs.overdue_marked()),
        );
        metric(
            "volost_backups_total",
            "counter",
            "Scheduled backups since start, by outcome.",
            &[
                ("{outcome=\"ok\"}".into(), self.jobs.backups_ok()),
                ("{outcome=\"failed\"}".into(), self.jobs.backups_failed()),
            ],
        );
        let http: Vec<(String, u64)> = self
            .http_counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|((r, st), n)| (format!("{{route=\"{r}\",status=\"{st}\"}}"), *n))
            .collect();
        metric(
            "volost_http_requests_total",
            "counter",
            "HTTP requests by route and status.",
            &http,
        );
        let (open, refused) = self.gate.counts();
        metric(
            "volost_http_connections",
            "gauge",
            "HTTP connections open now.",
            &one(open as u64),
        );
        metric(
            "volost_http_connections_refused_total",
            "counter",
            "HTTP connections closed unread: over the limit per client or in total.",
            &one(refused),
        );
        let (clients, numbers) = self.misses.sizes();
        metric(
            "volost_status_lookup_tracked",
            "gauge",
            "Clients and application numbers with wrong access codes counted now.",
            &[
                ("{of=\"clients\"}".into(), clients as u64),
                ("{of=\"numbers\"}".into(), numbers as u64),
            ],
        );
        metric(
            "volost_uptime_seconds",
            "gauge",
            "Seconds since the daemon started.",
            &one(self.started.elapsed().as_secs()),
        );
        Ok(s)
    }
}

/// Service options from the configuration.
pub fn options(cfg: &Config) -> Result<Options, DaemonError> {
    Ok(Options {
        utc_offset: cfg.utc_offset().map_err(DaemonError::Invalid)?,
        max_failed_logins: cfg.sessions.max_failed_logins,
        lockout_ms: cfg.sessions.lockout_minutes as i64 * 60_000,
        max_file_bytes: cfg.node.max_file_bytes,
        upload_bytes_per_day: cfg.node.upload_mib_per_day << 20,
        reserve_bytes: cfg.node.reserve_mib << 20,
        ..Options::default()
    })
}

/// Where the daemon listens, once bound (the HTTP port may be 0 in tests).
#[derive(Clone, Debug)]
pub struct Bound {
    pub socket: std::path::PathBuf,
    pub http: Option<std::net::SocketAddr>,
    /// «Окно документов», when `[web] listen` is set.
    pub web: Option<std::net::SocketAddr>,
}

/// Serves `node` until `shutdown` fires; `ready` is called once both listeners are bound.
pub async fn serve(
    cfg: Config,
    node: Arc<Node>,
    shutdown: Shutdown,
    ready: impl FnOnce(&Bound),
) -> Result<(), DaemonError> {
    // What a backup killed mid-way left is garbage by construction.
    for dir in std::iter::once(&cfg.backup.dir).chain(cfg.backup.copy_to.as_ref()) {
        let n = crate::backup::clean_leftovers(dir);
        if n > 0 {
            tracing::warn!(dir = %dir.display(), n, "unfinished backups removed at start");
        }
    }
    if cfg.backup.recipient.trim().is_empty() {
        tracing::warn!(
            "backups are not encrypted: make a key with `volost backup --keygen FILE` and set \
             [backup] recipient"
        );
    }
    let sessions = Sessions::new(Duration::from_secs(cfg.sessions.idle_timeout_minutes * 60));
    let mut api = Api::new(node.clone(), sessions, cfg.backup.clone());
    api.data_dir = Some(cfg.node.data_dir.clone());
    if !cfg.sessions.console_user.is_empty() {
        match nix::unistd::User::from_name(&cfg.sessions.console_user) {
            Ok(Some(u)) => api.console_uid = Some(u.uid.as_raw()),
            // The default names the image's account; elsewhere it is absent, as it may be.
            _ => tracing::info!(
                user = %cfg.sessions.console_user,
                "[sessions] console_user not found: no login is exempt from the lockout"
            ),
        }
    }
    // The kinds' packages the node keeps, ready before anything is sent with them.
    let kinds = Arc::new(
        kinds::open(&cfg.node.data_dir)
            .map_err(|e| DaemonError::Invalid(format!("kinds' packages: {e}")))?,
    );
    kinds::start(&node, kinds.clone());
    paper::start(&node, &cfg.documents);
    let profile = if cfg.smev.endpoint.is_empty() {
        None
    } else {
        let p = volost_smev::profile::Profile::load(&cfg.smev, &cfg.node.data_dir)
            .map_err(|e| DaemonError::Invalid(format!("[smev]: {e}")))?;
        let signer = volost_smev::signer::describe(p.key.as_ref());
        tracing::info!(endpoint = %cfg.smev.endpoint, %signer, provider = p.key.provider().code(), "SMEV exchange on");
        let p = Arc::new(p);
        node.set_exchange(volost_smev::formats::exchange(&p, kinds.clone()));
        Some(p)
    };
    if let Some(p) = &profile {
        api.link.set_signer(p.key.provider());
    }
    api.exchange = profile.clone();
    let trust = Arc::new(volost_smev::trust::TrustDir::new(
        cfg.smev.trust_dir.clone(),
    ));
    let web = web_listener(&cfg).await?;
    if let Some((l, _)) = &web {
        api.web_url = web::url(&cfg.web, l.local_addr().ok());
        // ЭП-СП on a token goes through the page: without it, only the PIN signs.
        api.desk = Some(Arc::new(desk::Desk::new(trust.clone())));
    }
    let api = Arc::new(api);
    let h = &cfg.http;
    let gate = gate::Gate::new(
        gate::Limits {
            total: h.max_connections,
            per_client: h.max_connections_per_client,
            reserved: (h.max_connections / 10).max(4),
        },
        h.monitoring.clone(),
    );
    let state = Arc::new(State::new(
        api.clone(),
        cfg.node.data_dir.clone(),
        gate.clone(),
        trust.clone(),
    ));

    let unix = local::bind(&cfg.local_api.socket, &cfg.local_api.group).map_err(|source| {
        DaemonError::Listen {
            what: cfg.local_api.socket.display().to_string(),
            source,
        }
    })?;
    let tcp = if cfg.http.listen.is_empty() {
        None
    } else {
        let l = tokio::net::TcpListener::bind(&cfg.http.listen)
            .await
            .map_err(|source| DaemonError::Listen {
                what: cfg.http.listen.clone(),
                source,
            })?;
        Some(l)
    };
    let tls = match (&cfg.http.tls_cert, &cfg.http.tls_key) {
        (Some(c), Some(k)) => Some(tls::acceptor(c, k).map_err(DaemonError::Tls)?),
        _ => None,
    };
    let bound = Bound {
        socket: cfg.local_api.socket.clone(),
        http: tcp.as_ref().and_then(|l| l.local_addr().ok()),
        web: web.as_ref().and_then(|(l, _)| l.local_addr().ok()),
    };
    tracing::info!(
        socket = %bound.socket.display(),
        http = ?bound.http,
        tls = tls.is_some(),
        web = ?bound.web,
        "listening"
    );

    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(local::serve(unix, api.clone(), shutdown.clone()));
    if let Some(l) = tcp {
        let app = http::router(
            state.clone(),
            cfg.http.body_limit_bytes,
            Duration::from_secs(cfg.http.request_timeout_secs),
        );
        let limits = listen::ConnLimits {
            header_timeout: Duration::from_secs(h.header_timeout_secs),
            idle_timeout: Duration::from_secs(h.idle_timeout_secs),
            max_head_bytes: h.max_head_bytes,
            drain: Duration::from_secs(h.request_timeout_secs),
        };
        let tls = tls.map(|a| Arc::new(tls::Acceptor::new(a)));
        tasks.spawn(listen::serve(l, tls, app, gate, limits, shutdown.clone()));
    }
    if let Some((l, acceptor)) = web {
        let w = &cfg.web;
        let gate = gate::Gate::new(
            gate::Limits {
                total: w.max_connections,
                per_client: w.max_connections_per_client,
                reserved: 0,
            },
            Vec::new(),
        );
        let app = web::router(
            Arc::new(web::Web::new(
                api.clone(),
                w.max_uploads,
                w.cadesplugin_api.clone(),
            )),
            cfg.node.max_file_bytes,
            Duration::from_secs(w.request_timeout_secs),
        );
        let limits = listen::ConnLimits {
            header_timeout: Duration::from_secs(w.header_timeout_secs),
            idle_timeout: Duration::from_secs(w.idle_timeout_secs),
            max_head_bytes: h.max_head_bytes,
            drain: Duration::from_secs(h.request_timeout_secs),
        };
        let acceptor = Arc::new(tls::Acceptor::new(acceptor));
        if w.cert.is_none() {
            tasks.spawn(web::cert::renew(
                cfg.node.data_dir.join("web"),
                acceptor.clone(),
                shutdown.clone(),
            ));
        }
        tasks.spawn(listen::serve(
            l,
            Some(acceptor),
            app,
            gate,
            limits,
            shutdown.clone(),
        ));
    }
    jobs::spawn(&mut tasks, &cfg, state.clone(), shutdown.clone());
    if let Some(p) = profile {
        use volost_domain::Channel;
        let mut channels = vec![(Channel::Federal, api.link.clone())];
        if !cfg.smev.regional_endpoint.is_empty() {
            tracing::info!(endpoint = %cfg.smev.regional_endpoint, bodies = cfg.smev.regional_bodies.len(), "regional exchange on");
            channels.push((Channel::Regional, api.regional_link.clone()));
        }
        let mut stop = shutdown.clone();
        tasks.spawn(volost_smev::trust::refresh::run(
            trust.clone(),
            Duration::from_secs(cfg.smev.crl_refresh_hours * 3600),
            async move { stop.wait().await },
        ));
        for (channel, link) in channels {
            let w = volost_smev::worker::Worker::new(
                node.clone(),
                p.clone(),
                link,
                &cfg.smev,
                channel,
                Some(kinds.clone()),
                trust.clone(),
            )
            .map_err(|e| DaemonError::Invalid(format!("[smev]: {e}")))?;
            let mut stop = shutdown.clone();
            tasks.spawn(w.run(async move { stop.wait().await }));
        }
    }
    ready(&bound);
    // A signature waiting in the web page cannot come once the page's listener stops: what
    // waits is refused at once, so that in-flight calls end within systemd's stop limit.
    if let Some(desk) = api.desk.clone() {
        let mut stop = shutdown.clone();
        tasks.spawn(async move {
            stop.wait().await;
            desk.close();
        });
    }
    while tasks.join_next().await.is_some() {}
    let _ = std::fs::remove_file(&cfg.local_api.socket);
    tracing::info!("all connections finished");
    Ok(())
}

/// The staff web page's socket and TLS, when `[web] listen` is set: the installer's
/// certificate, or the node's own for this machine's names.
async fn web_listener(
    cfg: &Config,
) -> Result<Option<(tokio::net::TcpListener, openssl::ssl::SslAcceptor)>, DaemonError> {
    let w = &cfg.web;
    if w.listen.is_empty() {
        return Ok(None);
    }
    let (cert, key) = match (&w.cert, &w.key) {
        (Some(c), Some(k)) => (c.clone(), k.clone()),
        _ => {
            let dir = cfg.node.data_dir.join("web");
            web::cert::ensure(&dir, &web::cert::machine_names()).map_err(DaemonError::Tls)?;
            (dir.join("cert.pem"), dir.join("key.pem"))
        }
    };
    let acceptor = tls::acceptor(&cert, &key).map_err(DaemonError::Tls)?;
    let l = tokio::net::TcpListener::bind(&w.listen)
        .await
        .map_err(|source| DaemonError::Listen {
            what: w.listen.clone(),
            source,
        })?;
    Ok(Some((l, acceptor)))
}

/// `volost serve`: opens the database named by the configuration and serves it until
/// SIGTERM or SIGINT, telling systemd when it is ready and when it stops.
pub fn run(cfg: Config) -> Result<(), DaemonError> {
    let opts = options(&cfg)?;
    let node = Arc::new(Node::open(&cfg.node.data_dir, Arc::new(SystemClock), opts)?);
    run_with(
        cfg,
        node,
        |_| {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
            tracing::info!("ready");
        },
        None,
    )
}

/// Serves `node` on a runtime of its own until SIGTERM or SIGINT, or until `stop` is sent
/// (the demo runs this on a thread beside its TUI and stops it when the TUI closes).
pub fn run_with(
    cfg: Config,
    node: Arc<Node>,
    ready: impl FnOnce(&Bound),
    stop: Option<std::sync::mpsc::Receiver<()>>,
) -> Result<(), DaemonError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("volost")
        // Every request runs on a blocking thread; tokio's default of 512 such threads, each
        // with its stack, would let a crowd of clients take half a VM's memory. Requests
        // beyond these wait in tokio's queue, which costs a closure each.
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
        .map_err(DaemonError::Runtime)?;
    rt.block_on(async move {
        let (tx, shutdown) = Shutdown::pair();
        let tx = Arc::new(tx);
        if let Some(stop) = stop {
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                if stop.recv().is_ok() {
                    let _ = tx.send(true);
                }
            });
        }
        tokio::spawn(async move {
            signal().await;
            tracing::info!("stopping: finishing operations in flight");
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
            let _ = tx.send(true);
        });
        serve(cfg, node, shutdown, ready).await
    })
}

async fn signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
        }
        _ => {
            tracing::error!("cannot install signal handlers; stopping only on Ctrl-C");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
