//! The `volost` binary: the node's command line. Errors end here as `anyhow`, printed in
//! Russian for people and in English in the log.

mod calendar_cmd;
mod cli;
mod console_setup;
#[cfg(feature = "demo")]
mod demo_cmd;
mod kind_cmd;
mod paper_cmd;
mod trust_cmd;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "volost",
    version,
    about = "Узел муниципальных услуг сельсовета"
)]
struct Cli {
    /// Without a command, on a terminal: the staff TUI (as `volost tui`).
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// The staff terminal UI, connected to the running daemon.
    Tui {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        /// The daemon's socket (default: [local_api] socket of the configuration).
        #[arg(long)]
        socket: Option<PathBuf>,
    },
    /// Run the node daemon: owns the database, serves the local API and the HTTP endpoint.
    Serve {
        /// Configuration file (default /etc/volost/volost.toml; built-in defaults if absent).
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Take an online backup now (through the running daemon, or directly if it is stopped).
    Backup {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        /// Instead: make the key pair backups are encrypted with. The secret goes into this
        /// file (mode 0600), to be kept off the node; the public key is printed for
        /// `[backup] recipient`.
        #[arg(long)]
        keygen: Option<PathBuf>,
    },
    /// Replace the database with a backup (the daemon must be stopped); the backup is
    /// checked first and the current database is kept beside it.
    Restore {
        /// The backup file (volost-YYYYMMDD-HHMMSS-mmm-sNNNNNN.redb[.age], UTC).
        file: PathBuf,
        /// The secret key of an encrypted backup (from `volost backup --keygen`).
        #[arg(long)]
        identity: Option<PathBuf>,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Create a node: database, starter catalog, first administrator (password printed once).
    Init {
        #[arg(long, env = "VOLOST_DATA", default_value = "/var/lib/volost")]
        data: PathBuf,
        /// Full name of the body.
        #[arg(long, default_value = "Администрация сельсовета")]
        org_name: String,
        #[arg(long, default_value = "")]
        oktmo: String,
        #[arg(long, default_value = "")]
        ogrn: String,
        #[arg(long, default_value = "")]
        inn: String,
        /// Login of the first administrator.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// The appliance's first boot: no password is printed; the setup screen on the
        /// console (`volost setup`) asks for it, and the rest of the setup.
        #[arg(long)]
        setup: bool,
    },
    /// «Первоначальная настройка» (root, on the node): the body and its codes, the
    /// administrator's password, network, time zone, SMEV. A screen on this terminal, or the
    /// answers of a TOML file. The console shows it at the first boot and when an
    /// administrator asks for it.
    Setup {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        /// Answers from this file instead of the screen.
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Where the machine's files are (network, time zone): other than / for tests.
        #[arg(long, default_value = "/", hide = true)]
        root: PathBuf,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Demo data; without a subcommand, builds a demo node and shows its group queue.
    #[cfg(feature = "demo")]
    Demo {
        #[command(subcommand)]
        cmd: Option<DemoCmd>,
        /// Demo data directory.
        #[arg(long, default_value = "demo-data")]
        data: PathBuf,
    },
    /// Check the database: every row readable, every index matching its rows.
    Check {
        /// The data directory (default: the configuration's `[node] data_dir`).
        #[arg(long, env = "VOLOST_DATA")]
        data: Option<PathBuf>,
        /// Through the daemon of this configuration when it runs (it holds the database).
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// SMEV 3: keys and signatures.
    Smev {
        #[command(subcommand)]
        cmd: SmevCmd,
    },
    /// A simulator of SMEV 3 on loopback, for tests and the demo: checks the node's
    /// envelopes and signatures, answers by a scenario, injects faults on demand.
    #[cfg(feature = "demo")]
    SmevSim {
        /// Address to listen on (loopback).
        #[arg(long, default_value = "127.0.0.1:7500")]
        listen: String,
        /// Directory of the simulator's own key and certificate (made if missing); without
        /// it, a key is made for this run only.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Write every envelope received into this directory.
        #[arg(long)]
        dump: Option<PathBuf>,
        /// The scenario: a JSON file of steps; by default a status, then the answer.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Milliseconds to the status message (the answer follows after as many again).
        #[arg(long, default_value_t = 2000)]
        answer_after_ms: u64,
    },
    /// «Отчёт за период» as a staff member with the right sees it: on screen, or as CSV or
    /// Excel. Through the running daemon (asks the user's password), or straight from the
    /// database when the daemon is stopped.
    Report {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        /// Whose view (a head, an administrator or a monitoring role).
        #[arg(long)]
        user: String,
        /// First day of the period: 01.11.2026 or 2026-11-01.
        #[arg(long)]
        from: String,
        /// Last day of the period (included).
        #[arg(long)]
        to: String,
        /// A department by name, with its subordinates; the whole body without it.
        #[arg(long)]
        dept: Option<String>,
        /// table, csv or xlsx.
        #[arg(long, default_value = "table")]
        format: String,
        /// The file to write (csv and xlsx); by default a name of the period in this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A document printed from its template as a PDF: of an application (`receipt`: the
    /// receipt for the documents received; `result`: a document of the service's result;
    /// each also kept on the application's card), or of a period (`journal`: the
    /// registration journal). Through the
    /// running daemon (asks the user's password), or straight from the database when the
    /// daemon is stopped.
    Document {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        user: String,
        /// The application's number, as on its card: 2026-000123 (a document of one
        /// application).
        #[arg(long)]
        application: Option<String>,
        /// The kind of document: receipt, refusal (the notice of a refusal to accept a
        /// draft's documents, with --reason), result (a document of the service's result,
        /// with --result and --text), a result whose form a federal act sets
        /// (address_refusal, household_land, redevelopment, housing_commission: printed once
        /// an administrator put the form into its template), or journal (the registration
        /// journal of a period). An interagency request on paper is printed from its card in
        /// the TUI.
        #[arg(long, default_value = "receipt")]
        kind: String,
        /// The grounds of a refusal to accept documents (--kind refusal), as the notice says
        /// them.
        #[arg(long)]
        reason: Option<String>,
        /// Which of the service's results (its number in the service's list, from 1); by
        /// default the one the decision calls for.
        #[arg(long)]
        result: Option<usize>,
        /// The result document's own text (lines kept); by default the decision's reason.
        #[arg(long)]
        text: Option<String>,
        /// The journal's first day: 01.12.2026 or 2026-12-01.
        #[arg(long)]
        from: Option<String>,
        /// The journal's last day (included).
        #[arg(long)]
        to: Option<String>,
        /// The file to write; by default the document's name in this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The certificates the node trusts — CA roots, SMEV's own — and the CRLs it holds, in
    /// `[smev] trust_dir`: `add FILE` a certificate, `crl FILE` a CRL of a trusted CA (its
    /// signature checked), `list` what is there.
    Trust {
        #[command(subcommand)]
        cmd: TrustCmd,
    },
    /// A printed document's template (typst markup), as an administrator reads and changes
    /// it: `show` prints it, `set FILE` saves a file's text after it renders with the sample
    /// data (a wrong template is refused with its line), `reset` goes back to the starter one.
    Template {
        #[command(subcommand)]
        cmd: TemplateCmd,
    },
    /// The journal of outgoing requests («Журнал запросов») as CSV or Excel.
    Journal {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        user: String,
        /// Requests created from this day…
        #[arg(long)]
        from: Option<String>,
        /// …to this day (included).
        #[arg(long)]
        to: Option<String>,
        /// csv or xlsx.
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// «Реестр услуг»: the body's service passports as an XML file signed with the node's
    /// key (ЭП-ОВ), and such a file taken back after its signature verifies.
    Registry {
        #[command(subcommand)]
        cmd: RegistryCmd,
    },
    /// Writes for reliability tests (the image's power cut): as an administrator, marks days
    /// of the production calendar from 01.01.2040 on, one write each, and prints every day
    /// the daemon acknowledged as it comes; with --verify, reads such a list on standard
    /// input and checks every day is there. The password: VOLOST_PASSWORD, else asked.
    Load {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        user: String,
        #[arg(long, default_value_t = 1000)]
        count: u32,
        #[arg(long)]
        verify: bool,
    },
    /// Kinds of information as packages on the agencies' schemas: import one from a folder,
    /// list those the node keeps.
    Kind {
        #[command(subcommand)]
        cmd: KindCmd,
    },
    /// The body's details as agencies' statements name it: show them, or set its ОГРН, ИНН,
    /// КПП and date of state registration (Росреестр's statement needs them all).
    Org {
        #[command(subcommand)]
        cmd: OrgCmd,
    },
    /// «Производственный календарь»: working days after a date, a year's days off, and
    /// importing a year's official calendar.
    Calendar {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// Print a task queue as a staff member sees it.
    Queue {
        #[arg(long, env = "VOLOST_DATA", default_value = "/var/lib/volost")]
        data: PathBuf,
        /// Whose view.
        #[arg(long)]
        user: String,
        /// group, mine or done.
        #[arg(long, default_value = "group")]
        queue: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// The date N working days after the given one («предварительно» when a year on the way
    /// has no decree loaded).
    Due {
        #[arg(long)]
        from: String,
        #[arg(long)]
        days: u32,
        /// Count by this node's calendar, as this user (default: the calendar the node ships).
        #[arg(long)]
        user: Option<String>,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// The year's days off on weekdays and its worked Saturdays and Sundays.
    Show {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        user: Option<String>,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Load official years: the data.gov.ru data set «Производственный календарь» (CSV) or a
    /// list of decrees in the node's format; open due dates move with them.
    Import {
        file: PathBuf,
        /// An administrator.
        #[arg(long)]
        user: String,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum KindCmd {
    /// Import a kind's package from a folder (kind.toml, the agency's XSDs, the mapping, the
    /// form, the samples): checked whole, then kept; it replaces the package of its code.
    Import {
        dir: PathBuf,
        /// An administrator.
        #[arg(long)]
        user: String,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// The packages the node keeps: each kind with its ВС namespace, root and version.
    List {
        #[arg(long)]
        user: String,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum OrgCmd {
    /// The body's name and codes.
    Show {
        #[arg(long)]
        user: String,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Set the ОГРН, ИНН, КПП and date of state registration (an empty value clears it).
    Set {
        #[arg(long)]
        ogrn: Option<String>,
        #[arg(long)]
        inn: Option<String>,
        #[arg(long)]
        kpp: Option<String>,
        /// 01.11.2002 or 2002-11-01.
        #[arg(long)]
        registered: Option<String>,
        /// Postal address, phone and e-mail for answers, one line (printed documents name it).
        #[arg(long)]
        contacts: Option<String>,
        /// An administrator.
        #[arg(long)]
        user: String,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; prints a one-time password that must be changed at first login.
    Add {
        #[arg(long, env = "VOLOST_DATA", default_value = "/var/lib/volost")]
        data: PathBuf,
        #[arg(long)]
        login: String,
        /// ФИО.
        #[arg(long)]
        name: String,
        /// Role codes (specialist, head, super, admin, support); repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Reset a user's password to a new one-time password (through the running daemon, or
    /// directly when it is stopped); it also lifts the user's lockouts.
    Passwd {
        #[arg(long, env = "VOLOST_DATA", default_value = "/var/lib/volost")]
        data: PathBuf,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        login: String,
    },
    /// List users.
    List {
        #[arg(long, env = "VOLOST_DATA", default_value = "/var/lib/volost")]
        data: PathBuf,
    },
    /// Import a staff member's personal certificate (ЭП-СП) from a PKCS#12 container, or
    /// remove it. The container's password is asked for; the PIN the employee types to sign
    /// is the same password unless --pin-file names another. With --token, FILE is the
    /// certificate of a key on the employee's own token (PEM or DER): they sign with it in
    /// the staff web page («Подпись токеном»).
    Cert {
        #[arg(long, env = "VOLOST_DATA", default_value = "/var/lib/volost")]
        data: PathBuf,
        login: String,
        /// The container (.p12 / .pfx).
        #[arg(required_unless_present = "remove")]
        file: Option<PathBuf>,
        /// A file (mode 0600) whose first line is the container's password.
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// A file (mode 0600) whose first line is the new PIN.
        #[arg(long)]
        pin_file: Option<PathBuf>,
        /// Remove the user's certificate instead (revoked, or they left).
        #[arg(long, conflicts_with = "file")]
        remove: bool,
        /// FILE is the certificate of a key on the employee's token, not a container.
        #[arg(long, conflicts_with_all = ["password_file", "pin_file", "remove"])]
        token: bool,
    },
}

/// Whose template of which kind `volost template` reads or changes.
#[derive(clap::Args)]
struct TemplateOf {
    #[arg(long, env = "VOLOST_CONFIG")]
    config: Option<PathBuf>,
    /// An administrator.
    #[arg(long)]
    user: String,
    /// The kind of document: receipt or journal.
    #[arg(long)]
    kind: String,
}

#[derive(Subcommand)]
enum TrustCmd {
    /// Trust a certificate (PEM or DER): a CA's root of staff and agency certificates, or
    /// with --smev SMEV's (or the regional exchange's) certificate, or their CA.
    Add {
        file: PathBuf,
        /// The certificate signs as the exchange (SMEVSignature), kept apart in smev/:
        /// no other certificate is taken as SMEV's.
        #[arg(long)]
        smev: bool,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Hold a CRL (PEM or DER) of a trusted CA.
    Crl {
        file: PathBuf,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Fetch the CRLs from their distribution points now: those the directory's
    /// certificates name and --url; each kept when a trusted CA issued it and it is newer.
    Refresh {
        /// A distribution point to ask besides (http://…), repeatable.
        #[arg(long)]
        url: Vec<String>,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
    /// List the trusted certificates and the CRLs held.
    List {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TemplateCmd {
    /// Prints the template that prints now (the body's own, or the starter one).
    Show {
        #[command(flatten)]
        of: TemplateOf,
        /// The catalog's starter text, whatever prints now.
        #[arg(long)]
        starter: bool,
    },
    /// Saves FILE's text as the body's own template of the kind, once it renders.
    Set {
        #[command(flatten)]
        of: TemplateOf,
        file: PathBuf,
    },
    /// Goes back to the starter template of the kind.
    Reset {
        #[command(flatten)]
        of: TemplateOf,
    },
}

#[derive(Subcommand)]
enum RegistryCmd {
    /// Write the signed registry of the administrator's body.
    Export {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        /// An administrator of the body.
        #[arg(long)]
        user: String,
        /// The file to write; by default «Реестр услуг ДАТА.xml» in this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Verify a signed registry and take its passports into the body's services.
    Import {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        user: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum SmevCmd {
    /// Make a test GOST R 34.10-2012 key (node-key.pem, mode 0600) and a self-signed
    /// certificate (node-cert.pem) for demos and tests; never overwrites.
    Keygen {
        /// Directory to write into.
        #[arg(long)]
        out: PathBuf,
        /// Certificate's common name.
        #[arg(long, default_value = NODE_CERT_NAME)]
        name: String,
        /// Certificate's organisation.
        #[arg(long, default_value = "")]
        org: String,
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// Make a staff member's personal container (ЭП-СП, personal.p12) instead, sealed
        /// with a PIN (asked for, or the first line of --pin-file), for `volost user cert`.
        #[arg(long)]
        personal: bool,
        #[arg(long, requires = "personal")]
        pin_file: Option<PathBuf>,
    },
    /// Verify every XMLDSig signature of a SOAP message file (as SMEV sent or received it),
    /// and that each signer's certificate is trusted: it chains to a certificate of the
    /// node's trust directory (or of --trust DIR), is in time and is not revoked.
    Verify {
        file: PathBuf,
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        /// Another trust directory than the configuration's.
        #[arg(long)]
        trust: Option<PathBuf>,
    },
    /// List the messages from SMEV that could not be read and were refused; with --save,
    /// write each one's bytes into a directory (ID.xml) for a closer look.
    Unreadable {
        #[arg(long, env = "VOLOST_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        save: Option<PathBuf>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Print the SMEV transform (after exclusive c14n) of an XML file, or of the element
    /// with this Id in it: the bytes a signature's digest is taken over.
    Transform {
        file: PathBuf,
        #[arg(long)]
        id: Option<String>,
    },
    /// Print the business XML the node would send for a kind of information, made by its
    /// package from the package's sample form (--example) or from form values in a JSON
    /// object (--form), and checked against the agency's schema; exit 1 with the reason when
    /// it would be refused.
    Business {
        /// The kind's code (fns_egrul, zags_birth, ...).
        #[arg(long)]
        kind: String,
        #[arg(long, conflicts_with = "form", required_unless_present = "form")]
        example: bool,
        #[arg(long)]
        form: Option<PathBuf>,
        /// Where the ВС takes documents zipped beside the element (Росреестр's statement):
        /// write each into this folder, as the archive would hold it (unsigned).
        #[arg(long)]
        documents: Option<PathBuf>,
    },
    /// Read an answer's business XML as if it had arrived for a kind of information, and
    /// print what staff see (the schema's labels and the values); exit 1 when it is not a
    /// valid answer of this kind.
    Answer {
        #[arg(long)]
        kind: String,
        file: PathBuf,
    },
}

#[cfg(feature = "demo")]
#[derive(Subcommand)]
enum DemoCmd {
    /// Add realistic demo data to an existing node.
    Seed {
        #[arg(long, env = "VOLOST_DATA", default_value = "/var/lib/volost")]
        data: PathBuf,
        #[arg(long, default_value_t = 2000)]
        applications: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// The common name of `volost smev keygen`'s test certificate when none is given.
const NODE_CERT_NAME: &str = "Тестовый узел volost";

fn main() {
    let cli = Cli::parse();
    // Commands that print a listing end quietly when its reader goes (`| head`), as a Unix
    // tool does. The daemon and the screens keep Rust's default (a closed socket is an
    // error to handle, not the end of the process).
    if matches!(
        cli.cmd,
        Some(
            Cmd::Report { .. }
                | Cmd::Document { .. }
                | Cmd::Template { .. }
                | Cmd::Journal { .. }
                | Cmd::Check { .. }
                | Cmd::Queue { .. }
                | Cmd::User { .. }
                | Cmd::Smev { .. }
                | Cmd::Calendar { .. }
                | Cmd::Kind { .. }
                | Cmd::Org { .. }
        )
    ) {
        // SAFETY: at the start of main, before any thread; SIG_DFL is async-signal-safe.
        let _ = unsafe {
            nix::sys::signal::signal(
                nix::sys::signal::Signal::SIGPIPE,
                nix::sys::signal::SigHandler::SigDfl,
            )
        };
    }
    #[cfg(feature = "demo")]
    let demo_log = match &cli.cmd {
        // The demo's node runs in this process under the TUI: its log goes to a file in the
        // demo's directory, never onto the staff's screen, where its lines stayed.
        Some(Cmd::Demo { cmd: None, data }) => Some(data.join("volost.log")),
        _ => None,
    };
    #[cfg(not(feature = "demo"))]
    let demo_log: Option<PathBuf> = None;
    if let Some(path) = demo_log {
        let file = std::fs::create_dir_all(path.parent().unwrap_or(std::path::Path::new(".")))
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
            });
        match file {
            Ok(f) => tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("VOLOST_LOG")
                        .unwrap_or_else(|_| "info".into()),
                )
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(f))
                .init(),
            Err(e) => eprintln!("Журнал демо-узла не открыт ({}): {e}", path.display()),
        }
    } else if !matches!(cli.cmd, Some(Cmd::Serve { .. } | Cmd::Tui { .. }) | None) {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_env("VOLOST_LOG")
                    .unwrap_or_else(|_| "warn".into()),
            )
            .with_writer(std::io::stderr)
            .init();
    }
    if let Err(e) = run(cli) {
        match e.downcast_ref::<volost::Error>() {
            Some(ve) => {
                tracing::error!("{ve}");
                eprintln!("Ошибка: {}", ve.ru());
            }
            None => eprintln!("Ошибка: {e:#}"),
        }
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let Some(cmd) = cli.cmd else {
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
            return cli::tui(None, None);
        }
        let mut c = <Cli as clap::CommandFactory>::command();
        c.print_help()?;
        return Ok(());
    };
    match cmd {
        Cmd::Tui { config, socket } => cli::tui(config.as_deref(), socket.as_deref()),
        Cmd::Serve { config } => cli::serve(config.as_deref()),
        Cmd::Backup {
            keygen: Some(out), ..
        } => cli::backup_keygen(&out),
        Cmd::Backup { config, .. } => cli::backup(config.as_deref()),
        Cmd::Restore {
            file,
            config,
            identity,
        } => cli::restore(&file, config.as_deref(), identity.as_deref()),
        Cmd::Init {
            data,
            org_name,
            oktmo,
            ogrn,
            inn,
            admin,
            setup,
        } => cli::init(&data, &org_name, &oktmo, &ogrn, &inn, &admin, setup),
        Cmd::Load {
            config,
            user,
            count,
            verify,
        } => cli::load(config.as_deref(), &user, count, verify),
        Cmd::Kind { cmd } => match cmd {
            KindCmd::Import { dir, user, config } => {
                kind_cmd::import(config.as_deref(), &user, &dir)
            }
            KindCmd::List { user, config } => kind_cmd::list(config.as_deref(), &user),
        },
        Cmd::Org { cmd } => match cmd {
            OrgCmd::Show { user, config } => cli::org_show(config.as_deref(), &user),
            OrgCmd::Set {
                ogrn,
                inn,
                kpp,
                registered,
                contacts,
                user,
                config,
            } => cli::org_set(
                config.as_deref(),
                &user,
                &cli::OrgSet {
                    ogrn: ogrn.as_deref(),
                    inn: inn.as_deref(),
                    kpp: kpp.as_deref(),
                    registered: registered.as_deref(),
                    contacts: contacts.as_deref(),
                },
            ),
        },
        Cmd::Calendar { cmd } => match cmd {
            CalendarCmd::Due {
                from,
                days,
                user,
                config,
            } => calendar_cmd::due(config.as_deref(), user.as_deref(), &from, days),
            CalendarCmd::Show { year, user, config } => {
                calendar_cmd::show(config.as_deref(), user.as_deref(), year)
            }
            CalendarCmd::Import { file, user, config } => {
                calendar_cmd::import(config.as_deref(), &user, &file)
            }
        },
        Cmd::Setup {
            config,
            answers,
            root,
        } => console_setup::run(config.as_deref(), answers.as_deref(), &root),
        Cmd::User {
            cmd:
                UserCmd::Add {
                    data,
                    login,
                    name,
                    roles,
                },
        } => cli::user_add(&data, &login, &name, &roles),
        Cmd::User {
            cmd:
                UserCmd::Passwd {
                    data,
                    config,
                    login,
                },
        } => cli::user_passwd(&data, config.as_deref(), &login),
        Cmd::User {
            cmd: UserCmd::List { data },
        } => cli::user_list(&data),
        Cmd::User {
            cmd:
                UserCmd::Cert {
                    data,
                    login,
                    file,
                    password_file,
                    pin_file,
                    remove,
                    token,
                },
        } => match file.filter(|_| !remove) {
            Some(file) if token => cli::user_token_cert(&data, &login, &file),
            Some(file) => cli::user_cert(
                &data,
                &login,
                &file,
                password_file.as_deref(),
                pin_file.as_deref(),
            ),
            None => cli::user_cert_remove(&data, &login),
        },
        #[cfg(feature = "demo")]
        Cmd::Demo {
            cmd:
                Some(DemoCmd::Seed {
                    data,
                    applications,
                    seed,
                }),
            ..
        } => demo_cmd::demo_seed(&data, applications, seed),
        #[cfg(feature = "demo")]
        Cmd::Demo { cmd: None, data } => demo_cmd::demo(&data),
        Cmd::Check { data, config } => cli::check(data.as_deref(), config.as_deref()),
        Cmd::Smev {
            cmd:
                SmevCmd::Keygen {
                    out,
                    name,
                    org,
                    days,
                    personal,
                    pin_file,
                },
        } => {
            if personal {
                cli::smev_keygen_personal(&out, &name, &org, days, pin_file.as_deref())
            } else {
                cli::smev_keygen(&out, &name, &org, days)
            }
        }
        Cmd::Smev {
            cmd:
                SmevCmd::Verify {
                    file,
                    config,
                    trust,
                },
        } => cli::smev_verify(&file, &trust_cmd::dir(config.as_deref(), trust.as_deref())?),
        Cmd::Smev {
            cmd:
                SmevCmd::Unreadable {
                    config,
                    save,
                    limit,
                },
        } => cli::smev_unreadable(config.as_deref(), save.as_deref(), limit),
        Cmd::Smev {
            cmd: SmevCmd::Transform { file, id },
        } => cli::smev_transform(&file, id.as_deref()),
        Cmd::Smev {
            cmd:
                SmevCmd::Business {
                    kind,
                    form,
                    documents,
                    ..
                },
        } => kind_cmd::business(&kind, form.as_deref(), documents.as_deref()),
        Cmd::Smev {
            cmd: SmevCmd::Answer { kind, file },
        } => kind_cmd::answer(&kind, &file),
        #[cfg(feature = "demo")]
        Cmd::SmevSim {
            listen,
            keys,
            dump,
            scenario,
            answer_after_ms,
        } => demo_cmd::smev_sim(
            &listen,
            keys.as_deref(),
            dump,
            scenario.as_deref(),
            answer_after_ms,
        ),
        Cmd::Report {
            config,
            user,
            from,
            to,
            dept,
            format,
            out,
        } => cli::report(
            config.as_deref(),
            &user,
            (&from, &to),
            dept.as_deref(),
            &format,
            out.as_deref(),
        ),
        Cmd::Document {
            config,
            user,
            application,
            kind,
            reason,
            result,
            text,
            from,
            to,
            out,
        } => paper_cmd::document(
            config.as_deref(),
            &user,
            &kind,
            paper_cmd::Of {
                application: application.as_deref(),
                from: from.as_deref(),
                to: to.as_deref(),
                reason: reason.as_deref(),
                result,
                text: text.as_deref(),
            },
            out.as_deref(),
        ),
        Cmd::Trust { cmd } => match cmd {
            TrustCmd::Add { file, smev, config } => {
                trust_cmd::add(&trust_cmd::dir(config.as_deref(), None)?, &file, smev)
            }
            TrustCmd::Crl { file, config } => {
                trust_cmd::crl(&trust_cmd::dir(config.as_deref(), None)?, &file)
            }
            TrustCmd::Refresh { url, config } => {
                trust_cmd::refresh(&trust_cmd::dir(config.as_deref(), None)?, &url)
            }
            TrustCmd::List { config } => trust_cmd::list(&trust_cmd::dir(config.as_deref(), None)?),
        },
        Cmd::Template { cmd } => {
            let (of, act) = match &cmd {
                TemplateCmd::Show { of, starter } => {
                    (of, paper_cmd::TemplateAct::Show { starter: *starter })
                }
                TemplateCmd::Set { of, file } => (of, paper_cmd::TemplateAct::Set(file)),
                TemplateCmd::Reset { of } => (of, paper_cmd::TemplateAct::Reset),
            };
            paper_cmd::template(of.config.as_deref(), &of.user, &of.kind, act)
        }
        Cmd::Journal {
            config,
            user,
            from,
            to,
            format,
            out,
        } => cli::journal(
            config.as_deref(),
            &user,
            (from.as_deref(), to.as_deref()),
            &format,
            out.as_deref(),
        ),
        Cmd::Registry {
            cmd: RegistryCmd::Export { config, user, out },
        } => cli::registry_export(config.as_deref(), &user, out.as_deref()),
        Cmd::Registry {
            cmd: RegistryCmd::Import { config, user, file },
        } => cli::registry_import(config.as_deref(), &user, &file),
        Cmd::Queue {
            data,
            user,
            queue,
            limit,
        } => cli::queue(&data, &user, &queue, limit),
    }
}
