//! `volost.toml`: the daemon's one configuration file. Every key has a default, so an empty
//! file is a valid configuration; unknown keys and bad values are refused at start with the
//! line and the reason. `appliance/volost.toml` is the commented example of every key.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_PATH: &str = "/etc/volost/volost.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    /// toml's message names the line and column and quotes the line.
    #[error("{path}: {reason}")]
    Parse { path: String, reason: String },
    #[error("{path}: [{section}] {key}: {reason}")]
    Value {
        path: String,
        section: &'static str,
        key: &'static str,
        reason: String,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub node: NodeConfig,
    pub local_api: LocalApiConfig,
    pub http: HttpConfig,
    pub sessions: SessionConfig,
    pub backup: BackupConfig,
    pub jobs: JobsConfig,
    pub smev: SmevConfig,
    pub log: LogConfig,
    pub documents: DocumentsConfig,
    pub web: WebConfig,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodeConfig {
    /// Where the database lives (its own partition on the appliance).
    pub data_dir: PathBuf,
    /// The council's local time, for dates on screen and working days: `+07:00`.
    pub utc_offset: String,
    /// The largest attachment staff may add, in bytes (1 KiB to 64 MiB).
    pub max_file_bytes: u64,
    /// What one staff member may upload in a day, in MiB (1 to 1 048 576).
    pub upload_mib_per_day: u64,
    /// Free space on the data partition that uploads never take, kept for the database's
    /// own work, in MiB (0 to 1 048 576).
    pub reserve_mib: u64,
    /// A node that serves a council for real: uncertified cryptography (`[smev] signer =
    /// "engine"`) is refused, as 63-ФЗ requires certified means for qualified signatures.
    pub production: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalApiConfig {
    /// The Unix socket staff sessions (TUI) connect to.
    pub socket: PathBuf,
    /// The group that owns the socket (mode 0660): staff accounts are its members. Empty
    /// keeps the daemon's own group.
    pub group: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Address and port of the HTTP endpoint; empty turns it off.
    pub listen: String,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    /// PEM certificate chain and key; both set turns on TLS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Connections open at once, from everyone; a tenth is kept for loopback and `monitoring`.
    pub max_connections: usize,
    /// Connections open at once from one address (an IPv6 /64 counts as one).
    pub max_connections_per_client: usize,
    /// The whole request head must arrive within this many seconds.
    pub header_timeout_secs: u64,
    /// A connection with no request and no byte moving for this long is closed.
    pub idle_timeout_secs: u64,
    /// Longest request head (request line and headers), bytes.
    pub max_head_bytes: usize,
    /// Addresses besides loopback that see /health's details and /metrics.
    pub monitoring: Vec<std::net::IpAddr>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    pub idle_timeout_minutes: u64,
    pub max_failed_logins: u32,
    pub lockout_minutes: u64,
    /// The OS account the TUI on the physical console runs as (tty1): its logins are never
    /// locked out, so whoever sits at the machine can always sign in. Empty: none.
    pub console_user: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    pub dir: PathBuf,
    /// Hours between scheduled backups; 0 turns them off.
    pub interval_hours: u64,
    /// How many backups to keep.
    pub keep: usize,
    /// Backups older than this many days are deleted too, beyond the newest one; 0: by
    /// count only.
    pub keep_days: u64,
    /// The age public key (`age1…`) backups are encrypted to. Its secret half is made by
    /// `volost backup keygen` and kept off the node: it is needed only to restore.
    pub recipient: String,
    /// A second directory (another disk) every backup is copied to; empty: none.
    pub copy_to: Option<PathBuf>,
    /// Another machine every backup is copied to, `sftp://user@host[:port]/dir`; empty: none.
    pub sftp: String,
    /// The private key the node signs in to the SFTP server with.
    pub sftp_key: PathBuf,
    /// The SFTP server's host key, as `ssh-keyscan` writes it.
    pub sftp_known_hosts: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Minutes between runs of the overdue-task job.
    pub overdue_interval_minutes: u64,
}

/// The link to SMEV 3. No endpoint means no exchange: requests are kept «сформирован».
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmevConfig {
    /// The SMEV endpoint (`http://…`); empty turns the exchange off.
    pub endpoint: String,
    /// The schema version of the envelopes: `1.1` or `1.3`.
    pub version: String,
    /// The node's organisation key (ЭП-ОВ) and certificate as PEM files…
    pub key: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    /// …or as one PKCS#12 container, whose password is the first line of a 0600 file.
    pub pkcs12: Option<PathBuf>,
    pub password_file: Option<PathBuf>,
    /// Who makes the node's signatures: `engine` (Debian's OpenSSL GOST engine with the key
    /// above: not certified, for tests and the demo, refused when `[node] production`),
    /// `command` (an external certified tool, `sign_command`, with the certificate `cert`) or
    /// `pkcs11` (a token through its vendor's PKCS#11 module, `pkcs11_*`).
    pub signer: String,
    /// The token's PKCS#11 module (a vendor's library, such as Рутокен's
    /// `librtpkcs11ecp.so`), the token's label, the key's `CKA_ID` in hex and the file
    /// (mode 0600) whose first line is the user PIN. The certificate is `cert` when given,
    /// else the token's certificate with the same `CKA_ID`.
    pub pkcs11_module: Option<PathBuf>,
    pub pkcs11_token: String,
    pub pkcs11_key_id: String,
    pub pkcs11_pin_file: Option<PathBuf>,
    /// The signing mechanism: `CKM_GOSTR3410` (0x1201), which signs a GOST R 34.10-2012
    /// (256) digest on the tokens of Рутокен and JaCarta; a module that names it otherwise
    /// gives its own number here.
    pub pkcs11_mechanism: u64,
    /// The signing tool and its arguments: it reads the 32-byte digest on its input and
    /// prints the 64-byte GOST signature (raw or base64).
    pub sign_command: Vec<String>,
    /// The longest a signing tool may take, in seconds.
    pub sign_timeout_secs: u64,
    /// Certificates the node trusts (CA roots, SMEV's own) and the CRLs it holds, as files:
    /// `volost trust add` and `volost trust crl` put them there.
    pub trust_dir: PathBuf,
    /// Hours between two refreshes of the CRLs from their distribution points (1 to 168);
    /// a signature that names a new one is refreshed at once.
    pub crl_refresh_hours: u64,
    /// Seconds between polls of the SMEV queues.
    pub poll_interval_secs: u64,
    /// Longest wait for one HTTP exchange with SMEV, in seconds.
    pub timeout_secs: u64,
    /// The first pause before sending again, in seconds; each next pause is twice as long,
    /// up to ten minutes.
    pub retry_first_secs: u64,
    /// How long the worker keeps retrying a send before the request is «не отправлен».
    pub give_up_minutes: u64,
    /// Largest total of inline attachments in one message, in bytes.
    pub max_attachment_bytes: u64,
    /// Largest reply read from SMEV, in bytes; a longer one is cut off, refused with an Ack
    /// `accepted="false"` and never held whole in memory.
    pub max_message_bytes: u64,
    /// Days before the certificate's end from which the node warns.
    pub cert_warn_days: u64,
    /// Marks outgoing requests as test messages (`TestMessage`): providers must not act on
    /// them. For a test environment.
    pub test_messages: bool,
    /// `NodeID` of this node's SMEV adapter, when the operator assigned one. The regional
    /// exchange routes requests to this node's bodies by it.
    pub node_id: String,
    /// The regional exchange (РСМЭВ, the same protocol); empty: regional requests reach
    /// only the bodies on this node.
    pub regional_endpoint: String,
    /// The bodies of the region on other nodes that regional requests can be sent to.
    pub regional_bodies: Vec<volost_domain::RegionalBody>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter: `info`, `volost=debug`, ...
    pub level: String,
    /// `text` (journald adds the time) or `json`.
    pub format: String,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            data_dir: PathBuf::from("/var/lib/volost"),
            utc_offset: "+07:00".into(),
            max_file_bytes: 10 * 1024 * 1024,
            upload_mib_per_day: 200,
            reserve_mib: 128,
            production: false,
        }
    }
}

impl Default for LocalApiConfig {
    fn default() -> Self {
        LocalApiConfig {
            socket: PathBuf::from("/run/volost/volost.sock"),
            group: "volost".into(),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: "127.0.0.1:8080".into(),
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 10,
            tls_cert: None,
            tls_key: None,
            max_connections: 256,
            max_connections_per_client: 16,
            header_timeout_secs: 5,
            idle_timeout_secs: 30,
            max_head_bytes: 16 * 1024,
            monitoring: Vec::new(),
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_timeout_minutes: 30,
            max_failed_logins: 5,
            lockout_minutes: 15,
            console_user: "volost-console".into(),
        }
    }
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            dir: PathBuf::from("/var/lib/volost/backups"),
            interval_hours: 24,
            keep: 7,
            keep_days: 0,
            recipient: String::new(),
            copy_to: None,
            sftp: String::new(),
            sftp_key: PathBuf::from("/etc/volost/backup-sftp.key"),
            sftp_known_hosts: PathBuf::from("/etc/volost/backup-sftp.known_hosts"),
        }
    }
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            overdue_interval_minutes: 15,
        }
    }
}

impl Default for SmevConfig {
    fn default() -> Self {
        SmevConfig {
            endpoint: String::new(),
            version: "1.1".into(),
            key: None,
            cert: None,
            pkcs12: None,
            password_file: None,
            signer: "engine".into(),
            sign_command: Vec::new(),
            sign_timeout_secs: 10,
            pkcs11_module: None,
            pkcs11_token: String::new(),
            pkcs11_key_id: String::new(),
            pkcs11_pin_file: None,
            pkcs11_mechanism: CKM_GOSTR3410,
            trust_dir: PathBuf::from("/etc/volost/trust"),
            crl_refresh_hours: 6,
            poll_interval_secs: 10,
            timeout_secs: 30,
            retry_first_secs: 5,
            give_up_minutes: 24 * 60,
            max_attachment_bytes: 5 * 1024 * 1024,
            // SMEV carries up to 5 MiB of files inside a message (larger ones go by its file
            // store); in base64 with the envelope around, well under this.
            max_message_bytes: 16 * 1024 * 1024,
            cert_warn_days: 30,
            test_messages: false,
            node_id: String::new(),
            regional_endpoint: String::new(),
            regional_bodies: Vec::new(),
        }
    }
}

/// Printed documents (issue 30).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentsConfig {
    /// The folder of fonts documents are set in: Debian's `fonts-paratype`, which the
    /// package depends on. Only these fonts are used, so a document looks the same on any
    /// machine.
    pub fonts: PathBuf,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        DocumentsConfig {
            fonts: PathBuf::from("/usr/share/fonts/truetype/paratype"),
        }
    }
}

/// «Окно документов»: the staff web page (issue 30), always over HTTPS.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// Address and port staff PCs reach the page on; empty turns it off.
    pub listen: String,
    /// The address as staff type it (`https://10.0.0.5:8443`), for the TUI's link; empty:
    /// made from the listening address and the machine's first LAN address.
    pub url: String,
    /// PEM certificate chain and key. Unset: the node's own, made on first start in
    /// `data_dir/web/` for the machine's names and addresses, and made again when they change.
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Connections open at once, from everyone.
    pub max_connections: usize,
    /// Connections open at once from one address.
    pub max_connections_per_client: usize,
    /// Uploads read at once: each holds up to `[node] max_file_bytes` in memory.
    pub max_uploads: usize,
    /// The longest a request may take (an upload of a large scan over a slow LAN included).
    pub request_timeout_secs: u64,
    pub header_timeout_secs: u64,
    pub idle_timeout_secs: u64,
    /// CryptoPro's `cadesplugin_api.js`, which the page «Подпись токеном» needs to reach the
    /// plug-in in staff PCs: CryptoPro distributes it, the installer puts it here.
    pub cadesplugin_api: PathBuf,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: String::new(),
            url: String::new(),
            cert: None,
            key: None,
            max_connections: 128,
            max_connections_per_client: 24,
            cadesplugin_api: PathBuf::from("/usr/share/volost/web/cadesplugin_api.js"),
            max_uploads: 4,
            request_timeout_secs: 120,
            header_timeout_secs: 10,
            idle_timeout_secs: 60,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: "text".into(),
        }
    }
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Parses and checks the text of a configuration; `path` names it in messages.
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            reason: e.to_string(),
        })?;
        cfg.check(path)?;
        Ok(cfg)
    }

    fn check(&self, path: &str) -> Result<(), ConfigError> {
        let bad = |section, key, reason: String| ConfigError::Value {
            path: path.into(),
            section,
            key,
            reason,
        };
        let absolute = |section, key, p: &Path| {
            if p.is_absolute() {
                Ok(())
            } else {
                Err(bad(section, key, "must be an absolute path".into()))
            }
        };
        let within = |section, key, v: u64, lo: u64, hi: u64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(bad(section, key, format!("must be between {lo} and {hi}")))
            }
        };
        self.utc_offset()
            .map_err(|r| bad("node", "utc_offset", r))?;
        absolute("node", "data_dir", &self.node.data_dir)?;
        within(
            "node",
            "max_file_bytes",
            self.node.max_file_bytes,
            1024,
            64 << 20,
        )?;
        within(
            "node",
            "upload_mib_per_day",
            self.node.upload_mib_per_day,
            1,
            1 << 20,
        )?;
        within("node", "reserve_mib", self.node.reserve_mib, 0, 1 << 20)?;
        absolute("local_api", "socket", &self.local_api.socket)?;
        if !self.http.listen.is_empty() {
            self.http
                .listen
                .parse::<SocketAddr>()
                .map_err(|e| bad("http", "listen", format!("not an address:port ({e})")))?;
        }
        let http = &self.http;
        within(
            "http",
            "body_limit_bytes",
            http.body_limit_bytes as u64,
            1024,
            16 << 20,
        )?;
        within(
            "http",
            "request_timeout_secs",
            http.request_timeout_secs,
            1,
            600,
        )?;
        within(
            "http",
            "max_connections",
            http.max_connections as u64,
            16,
            65_536,
        )?;
        within(
            "http",
            "max_connections_per_client",
            http.max_connections_per_client as u64,
            1,
            http.max_connections as u64,
        )?;
        within(
            "http",
            "header_timeout_secs",
            http.header_timeout_secs,
            1,
            120,
        )?;
        within("http", "idle_timeout_secs", http.idle_timeout_secs, 1, 3600)?;
        within(
            "http",
            "max_head_bytes",
            http.max_head_bytes as u64,
            8192,
            1 << 20,
        )?;
        let web = &self.web;
        if !web.listen.is_empty() {
            web.listen
                .parse::<SocketAddr>()
                .map_err(|e| bad("web", "listen", format!("not an address:port ({e})")))?;
        }
        if !web.url.is_empty() && !web.url.starts_with("https://") {
            return Err(bad("web", "url", "must be an https:// address".into()));
        }
        if web.cert.is_some() != web.key.is_some() {
            return Err(bad(
                "web",
                "cert",
                "cert and key must be set together".into(),
            ));
        }
        within(
            "web",
            "max_connections",
            web.max_connections as u64,
            4,
            10_000,
        )?;
        within(
            "web",
            "max_connections_per_client",
            web.max_connections_per_client as u64,
            1,
            web.max_connections as u64,
        )?;
        within("web", "max_uploads", web.max_uploads as u64, 1, 64)?;
        within(
            "web",
            "request_timeout_secs",
            web.request_timeout_secs,
            1,
            3600,
        )?;
        within(
            "web",
            "header_timeout_secs",
            web.header_timeout_secs,
            1,
            300,
        )?;
        within("web", "idle_timeout_secs", web.idle_timeout_secs, 1, 3600)?;
        if http.tls_cert.is_some() != http.tls_key.is_some() {
            return Err(bad(
                "http",
                "tls_cert",
                "tls_cert and tls_key must be set together".into(),
            ));
        }
        let sessions = &self.sessions;
        within(
            "sessions",
            "idle_timeout_minutes",
            sessions.idle_timeout_minutes,
            1,
            1440,
        )?;
        within(
            "sessions",
            "max_failed_logins",
            sessions.max_failed_logins.into(),
            1,
            100,
        )?;
        within(
            "sessions",
            "lockout_minutes",
            sessions.lockout_minutes,
            1,
            1440,
        )?;
        absolute("backup", "dir", &self.backup.dir)?;
        within("backup", "keep", self.backup.keep as u64, 1, 1000)?;
        within("backup", "keep_days", self.backup.keep_days, 0, 36_500)?;
        if !self.backup.recipient.is_empty() {
            recipient(&self.backup.recipient).map_err(|r| bad("backup", "recipient", r))?;
        }
        if let Some(p) = &self.backup.copy_to {
            absolute("backup", "copy_to", p)?;
        }
        if !self.backup.sftp.trim().is_empty() {
            sftp_url(&self.backup.sftp).map_err(|r| bad("backup", "sftp", r))?;
            for (key, p) in [
                ("sftp_key", &self.backup.sftp_key),
                ("sftp_known_hosts", &self.backup.sftp_known_hosts),
            ] {
                absolute("backup", key, p)?;
            }
        }
        within(
            "jobs",
            "overdue_interval_minutes",
            self.jobs.overdue_interval_minutes,
            1,
            1440,
        )?;
        self.check_smev(path)?;
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(bad("log", "format", "must be \"text\" or \"json\"".into()));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| bad("log", "level", e.to_string()))?;
        Ok(())
    }

    fn check_smev(&self, path: &str) -> Result<(), ConfigError> {
        let s = &self.smev;
        let bad = |key, reason: &str| ConfigError::Value {
            path: path.into(),
            section: "smev",
            key,
            reason: reason.into(),
        };
        let within = |key, v: u64, lo: u64, hi: u64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(bad(key, &format!("must be between {lo} and {hi}")))
            }
        };
        if !matches!(s.version.as_str(), "1.1" | "1.3") {
            return Err(bad("version", "must be \"1.1\" or \"1.3\""));
        }
        within("poll_interval_secs", s.poll_interval_secs, 1, 3600)?;
        within("timeout_secs", s.timeout_secs, 1, 600)?;
        within("retry_first_secs", s.retry_first_secs, 1, 600)?;
        within("give_up_minutes", s.give_up_minutes, 1, 7 * 24 * 60)?;
        within(
            "max_attachment_bytes",
            s.max_attachment_bytes,
            1024,
            64 << 20,
        )?;
        within("max_message_bytes", s.max_message_bytes, 64 << 10, 1 << 30)?;
        within("cert_warn_days", s.cert_warn_days, 1, 365)?;
        within("sign_timeout_secs", s.sign_timeout_secs, 1, 300)?;
        within("crl_refresh_hours", s.crl_refresh_hours, 1, 168)?;
        match s.signer.as_str() {
            "engine" => {
                let keyed = s.key.is_some() || s.pkcs12.is_some();
                if self.node.production && keyed {
                    return Err(bad(
                        "signer",
                        "\"engine\" is not certified cryptography (несертифицированное СКЗИ — \
                         только для проверки) and [node] production = true refuses it: set \
                         signer = \"command\" with a certified tool",
                    ));
                }
                if !s.sign_command.is_empty() {
                    return Err(bad("sign_command", "is for signer = \"command\""));
                }
            }
            "command" => {
                let Some(program) = s.sign_command.first() else {
                    return Err(bad("sign_command", "signer = \"command\" needs the tool"));
                };
                if !std::path::Path::new(program).is_absolute() {
                    return Err(bad("sign_command", "the tool must be an absolute path"));
                }
                if s.cert.is_none() || s.key.is_some() || s.pkcs12.is_some() {
                    return Err(bad(
                        "signer",
                        "\"command\" signs with the tool's key: give the certificate (cert), \
                         not key or pkcs12",
                    ));
                }
            }
            "pkcs11" => {
                if s.key.is_some() || s.pkcs12.is_some() || !s.sign_command.is_empty() {
                    return Err(bad(
                        "signer",
                        "\"pkcs11\" signs with the token's key: give pkcs11_module, \
                         pkcs11_token, pkcs11_key_id and pkcs11_pin_file (and cert, or none to \
                         take the token's), not key, pkcs12 or sign_command",
                    ));
                }
                if s.pkcs11_module.is_none() {
                    return Err(bad("pkcs11_module", "signer = \"pkcs11\" needs the module"));
                }
                if s.pkcs11_pin_file.is_none() {
                    return Err(bad(
                        "pkcs11_pin_file",
                        "signer = \"pkcs11\" needs the file with the PIN",
                    ));
                }
                if s.pkcs11_token.trim().is_empty() || s.pkcs11_token.chars().count() > 32 {
                    return Err(bad("pkcs11_token", "the token's label, 1 to 32 characters"));
                }
                if key_id(&s.pkcs11_key_id).is_none() {
                    return Err(bad(
                        "pkcs11_key_id",
                        "the key's CKA_ID in hex, 1 to 64 bytes (as pkcs11-tool --list-objects shows it)",
                    ));
                }
            }
            _ => {
                return Err(bad(
                    "signer",
                    "must be \"engine\", \"command\" or \"pkcs11\"",
                ));
            }
        }
        if s.signer != "pkcs11"
            && (s.pkcs11_module.is_some()
                || s.pkcs11_pin_file.is_some()
                || !s.pkcs11_token.is_empty()
                || !s.pkcs11_key_id.is_empty())
        {
            return Err(bad(
                "pkcs11_module",
                "the pkcs11_* settings are for signer = \"pkcs11\"",
            ));
        }
        if s.node_id.chars().count() > 50 {
            return Err(bad("node_id", "at most 50 characters"));
        }
        if !s.trust_dir.is_absolute() {
            return Err(bad("trust_dir", "must be an absolute path"));
        }
        for (key, p) in [
            ("key", &s.key),
            ("cert", &s.cert),
            ("pkcs12", &s.pkcs12),
            ("password_file", &s.password_file),
            ("pkcs11_module", &s.pkcs11_module),
            ("pkcs11_pin_file", &s.pkcs11_pin_file),
        ] {
            if p.as_ref().is_some_and(|p| !p.is_absolute()) {
                return Err(bad(key, "must be an absolute path"));
            }
        }
        if s.pkcs12.is_some() && (s.key.is_some() || s.cert.is_some()) {
            return Err(bad(
                "pkcs12",
                "give either pkcs12 or key and cert, not both",
            ));
        }
        if s.pkcs12.is_some() != s.password_file.is_some() {
            return Err(bad("password_file", "pkcs12 and password_file go together"));
        }
        if s.signer == "engine" && s.key.is_some() != s.cert.is_some() {
            return Err(bad("cert", "key and cert must be set together"));
        }
        if !s.regional_bodies.is_empty() && s.regional_endpoint.is_empty() {
            return Err(bad(
                "regional_bodies",
                "a directory of regional bodies needs regional_endpoint",
            ));
        }
        if !s.regional_endpoint.is_empty() && s.node_id.trim().is_empty() {
            return Err(bad(
                "node_id",
                "the regional exchange routes requests to this node by its node_id: set it",
            ));
        }
        let mut inns = std::collections::BTreeSet::new();
        for b in &s.regional_bodies {
            if !inns.insert(b.inn.as_str()) {
                return Err(bad(
                    "regional_bodies",
                    &format!("ИНН {} appears twice", b.inn),
                ));
            }
            if b.name.trim().is_empty() || b.node.trim().is_empty() {
                return Err(bad("regional_bodies", "each body needs a name and a node"));
            }
            if let Err(why) = volost_domain::validate::inn(&b.inn) {
                return Err(bad(
                    "regional_bodies",
                    &format!("{}: ИНН {}: {why}", b.name, b.inn),
                ));
            }
        }
        if s.endpoint.is_empty() {
            if !s.regional_endpoint.is_empty() {
                return Err(bad(
                    "regional_endpoint",
                    "the regional exchange needs the SMEV endpoint and key as well",
                ));
            }
            return Ok(());
        }
        for (key, url) in [
            ("endpoint", &s.endpoint),
            ("regional_endpoint", &s.regional_endpoint),
        ] {
            if url.is_empty() && key == "regional_endpoint" {
                continue;
            }
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.parse::<url::Url>().is_err()
            {
                return Err(bad(key, "must be an http:// or https:// address"));
            }
        }
        if s.signer == "engine" && s.key.is_none() && s.pkcs12.is_none() {
            return Err(bad(
                "endpoint",
                "the exchange needs the node's key: set key and cert, or pkcs12",
            ));
        }
        Ok(())
    }

    /// `node.utc_offset` as an offset: `+07:00`, `+7`, `-03:30`.
    pub fn utc_offset(&self) -> Result<time::UtcOffset, String> {
        parse_offset(&self.node.utc_offset)
    }
}

/// PKCS#11's mechanism for a GOST R 34.10 signature of a digest the caller made.
pub const CKM_GOSTR3410: u64 = 0x1201;

/// A key's `CKA_ID` from its hex (spaces and colons between bytes allowed, as tools print
/// it): 1 to 64 bytes.
pub fn key_id(text: &str) -> Option<Vec<u8>> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | ':')).collect();
    hex::decode(digits)
        .ok()
        .filter(|id| (1..=64).contains(&id.len()))
}

fn parse_offset(s: &str) -> Result<time::UtcOffset, String> {
    let bad = || format!("«{s}» is not a UTC offset like +07:00");
    let s = s.trim();
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1i8, &s[1..]),
        Some(b'-') => (-1i8, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    time::UtcOffset::from_hms(sign * h, sign * m, 0).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        let c = Config::parse("", "t.toml").expect("defaults");
        assert_eq!(c, Config::default());
        assert_eq!(
            c.utc_offset(),
            Ok(time::UtcOffset::from_hms(7, 0, 0).expect("offset"))
        );
    }

    #[test]
    fn the_shipped_example_is_valid_and_is_the_defaults() {
        let text = include_str!("../../../appliance/volost.toml");
        assert_eq!(
            Config::parse(text, "appliance/volost.toml").expect("example"),
            Config::default()
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line_and_reason() {
        let e = Config::parse("[http]\nlisten = \"127.0.0.1:8080\"\nlisen = 1\n", "v.toml")
            .expect_err("unknown key");
        let msg = e.to_string();
        assert!(msg.contains("line 3") && msg.contains("lisen"), "{msg}");

        let e = Config::parse("[http]\nbody_limit_bytes = \"big\"\n", "v.toml")
            .expect_err("wrong type");
        assert!(e.to_string().contains("line 2"), "{e}");

        let e = Config::parse("[http]\nlisten = \"localhost\"\n", "v.toml").expect_err("addr");
        assert!(e.to_string().contains("[http] listen"), "{e}");

        let e = Config::parse("[node]\nutc_offset = \"+25:00\"\n", "v.toml").expect_err("tz");
        assert!(e.to_string().contains("utc_offset"), "{e}");

        let e = Config::parse("[smev]\nendpoint = \"http://smev:7500/ws\"\n", "v.toml")
            .expect_err("no key");
        assert!(e.to_string().contains("needs the node's key"), "{e}");
        let e = Config::parse("[smev]\nkey = \"k.pem\"\ncert = \"/c.pem\"\n", "v.toml")
            .expect_err("relative");
        assert!(e.to_string().contains("[smev] key"), "{e}");
        let e = Config::parse("[smev]\npkcs12 = \"/n.p12\"\n", "v.toml").expect_err("pass");
        assert!(e.to_string().contains("password_file"), "{e}");
        let e = Config::parse("[smev]\nversion = \"1.2\"\n", "v.toml").expect_err("version");
        assert!(e.to_string().contains("[smev] version"), "{e}");
        let ok = "[smev]\nendpoint = \"http://127.0.0.1:7500/smev\"\nkey = \"/k.pem\"\ncert = \"/c.pem\"\n";
        assert!(Config::parse(ok, "v.toml").is_ok());

        let e = Config::parse("[log]\nformat = \"xml\"\n", "v.toml").expect_err("format");
        assert!(e.to_string().contains("[log] format"), "{e}");
    }

    #[test]
    fn the_signer_is_the_engine_or_a_tool_and_production_refuses_the_engine() {
        let base = "[smev]\nendpoint = \"http://127.0.0.1:7500/smev\"\n";
        let with = |extra: &str| Config::parse(&format!("{base}{extra}"), "v.toml");
        let engine = "key = \"/k.pem\"\ncert = \"/c.pem\"\n";
        assert_eq!(with(engine).expect("engine").smev.signer, "engine");
        let e = Config::parse(
            &format!("[node]\nproduction = true\n{base}{engine}"),
            "v.toml",
        )
        .expect_err("production");
        assert!(e.to_string().contains("несертифицированное СКЗИ"), "{e}");
        let tool = "signer = \"command\"\ncert = \"/c.pem\"\n\
                    sign_command = [\"/usr/local/bin/sign\", \"--key\", \"node\"]\n";
        let c = Config::parse(
            &format!("[node]\nproduction = true\n{base}{tool}"),
            "v.toml",
        )
        .expect("a tool in production");
        assert_eq!(c.smev.sign_command.len(), 3);
        let token = "signer = \"pkcs11\"\npkcs11_module = \"/usr/lib/librtpkcs11ecp.so\"\n\
                     pkcs11_token = \"Rutoken ECP\"\npkcs11_key_id = \"a1:B2\"\n\
                     pkcs11_pin_file = \"/etc/volost/token.pin\"\n";
        let c = Config::parse(
            &format!("[node]\nproduction = true\n{base}{token}"),
            "v.toml",
        )
        .expect("a token in production");
        assert_eq!(c.smev.pkcs11_mechanism, CKM_GOSTR3410);
        assert_eq!(key_id(&c.smev.pkcs11_key_id), Some(vec![0xa1, 0xb2]));
        let c = with(&format!("{token}pkcs11_mechanism = 0xD4321006\n")).expect("vendor's");
        assert_eq!(c.smev.pkcs11_mechanism, 0xD432_1006);
        for (bad, says) in [
            (
                "signer = \"command\"\ncert = \"/c.pem\"\n",
                "needs the tool",
            ),
            (
                "signer = \"command\"\ncert = \"/c.pem\"\nsign_command = [\"sign\"]\n",
                "absolute path",
            ),
            (
                "signer = \"command\"\nkey = \"/k.pem\"\ncert = \"/c.pem\"\nsign_command = [\"/s\"]\n",
                "not key or pkcs12",
            ),
            ("signer = \"pkcs12\"\n", "[smev] signer"),
            (
                "signer = \"pkcs11\"\npkcs11_module = \"/m.so\"\npkcs11_token = \"t\"\n\
                 pkcs11_pin_file = \"/pin\"\npkcs11_key_id = \"0g\"\n",
                "pkcs11_key_id",
            ),
            (
                "signer = \"pkcs11\"\npkcs11_token = \"t\"\npkcs11_pin_file = \"/pin\"\n\
                 pkcs11_key_id = \"01\"\n",
                "needs the module",
            ),
            (
                "signer = \"pkcs11\"\npkcs11_module = \"m.so\"\npkcs11_token = \"t\"\n\
                 pkcs11_pin_file = \"/pin\"\npkcs11_key_id = \"01\"\n",
                "absolute path",
            ),
            (
                "key = \"/k.pem\"\ncert = \"/c.pem\"\npkcs11_token = \"t\"\n",
                "are for signer = \"pkcs11\"",
            ),
            (
                "sign_timeout_secs = 0\nkey = \"/k.pem\"\ncert = \"/c.pem\"\n",
                "sign_timeout_secs",
            ),
        ] {
            let e = with(bad).expect_err(bad);
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn the_regional_exchange_needs_the_node_id_and_a_clean_directory() {
        let base = "[smev]\nendpoint = \"http://127.0.0.1:7500/smev\"\nkey = \"/k.pem\"\n\
                    cert = \"/c.pem\"\n";
        let body = |inn: &str| {
            format!("[[smev.regional_bodies]]\nname = \"Район\"\ninn = \"{inn}\"\nnode = \"r\"\n")
        };
        let with = |extra: &str| Config::parse(&format!("{base}{extra}"), "v.toml");
        let e = with("regional_endpoint = \"http://127.0.0.1:7600/ws\"\n").expect_err("node_id");
        assert!(e.to_string().contains("[smev] node_id"), "{e}");
        let on = "regional_endpoint = \"http://127.0.0.1:7600/ws\"\nnode_id = \"n1\"\n";
        assert!(with(&format!("{on}{}", body("2234000024"))).is_ok());
        let e = with(&body("2234000024")).expect_err("no endpoint");
        assert!(e.to_string().contains("needs regional_endpoint"), "{e}");
        let e = with(&format!("{on}{}", body("2234000025"))).expect_err("checksum");
        assert!(e.to_string().contains("ИНН 2234000025"), "{e}");
        let twice = format!("{on}{}{}", body("2234000024"), body("2234000024"));
        let e = with(&twice).expect_err("twice");
        assert!(e.to_string().contains("appears twice"), "{e}");
    }
}

/// The public key backups are encrypted to (`age1…`), or why not, in English for the
/// configuration's error.
pub fn recipient(text: &str) -> Result<age::x25519::Recipient, String> {
    text.trim()
        .parse()
        .map_err(|e| format!("not an age public key (age1…): {e}"))
}

/// Where backups are copied over SFTP: `sftp://user@host[:port]/dir`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SftpUrl {
    pub user: String,
    pub host: String,
    pub port: u16,
    /// Absolute, without a trailing slash.
    pub dir: String,
}

/// [`SftpUrl`] from its text, or why not (English, for the configuration's error).
pub fn sftp_url(url: &str) -> Result<SftpUrl, String> {
    let rest = url
        .trim()
        .strip_prefix("sftp://")
        .ok_or("must start with sftp://")?;
    let (auth, dir) = rest.split_once('/').ok_or("no directory after the host")?;
    let (user, hostport) = auth.split_once('@').ok_or("no user@ before the host")?;
    let port_of = |p: &str| p.parse::<u16>().map_err(|_| format!("bad port {p:?}"));
    let (host, port) = if let Some(h) = hostport.strip_prefix('[') {
        let (h, rest) = h.split_once(']').ok_or("no ] after an IPv6 address")?;
        match rest.strip_prefix(':') {
            Some(p) => (h, port_of(p)?),
            None if rest.is_empty() => (h, 22),
            None => return Err(format!("unexpected {rest:?} after the address")),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, port_of(p)?),
            None => (hostport, 22),
        }
    };
    if user.is_empty() || host.is_empty() {
        return Err("empty user or host".into());
    }
    Ok(SftpUrl {
        user: user.into(),
        host: host.into(),
        port,
        dir: format!("/{}", dir.trim_end_matches('/')),
    })
}
