//! The real daemon for tests: the built `volost` binary serving a node on a temporary
//! directory, stopped with SIGTERM; and the raw clients the tests speak to it with.

use super::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use volost::api::Client;
use volost::domain::*;
use volost::{Actor, Node, Options};

pub const BIN: &str = env!("CARGO_BIN_EXE_volost");

pub struct Daemon {
    pub child: Child,
    pub cfg: PathBuf,
    pub socket: PathBuf,
    pub http: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Writes a configuration for a node in `dir` (its database in `dir/data`), with more keys
/// for the `[http]` table and more tables after it.
pub fn config_with(dir: &Path, http_extra: &str, extra: &str) -> PathBuf {
    let port = free_port();
    let text = format!(
        "[node]\ndata_dir = \"{d}/data\"\n\
         [local_api]\nsocket = \"{d}/volost.sock\"\ngroup = \"\"\n\
         [http]\nlisten = \"127.0.0.1:{port}\"\nbody_limit_bytes = 4096\n{http_extra}\
         [backup]\ndir = \"{d}/backups\"\ninterval_hours = 0\nkeep = 3\n\
         [log]\nlevel = \"info\"\n{extra}",
        d = dir.display()
    );
    let p = dir.join("volost.toml");
    std::fs::write(&p, text).unwrap();
    p
}

pub fn config(dir: &Path, extra: &str) -> PathBuf {
    config_with(dir, "", extra)
}

impl Daemon {
    pub fn start(dir: &Path, cfg: &Path) -> Daemon {
        Daemon::start_with(dir, cfg, &[])
    }

    pub fn start_with(dir: &Path, cfg: &Path, env: &[(&str, &str)]) -> Daemon {
        Daemon::start_as(dir, cfg, env, None)
    }

    /// Under a memory limit: `prlimit --data`, which counts the heap and every private
    /// writable mapping (thread stacks, allocator arenas in use); past it, allocation fails
    /// and the daemon dies, as under a VM's or a cgroup's limit.
    pub fn start_limited(dir: &Path, cfg: &Path, data_bytes: u64) -> Daemon {
        Daemon::start_as(dir, cfg, &[], Some(data_bytes))
    }

    fn start_as(dir: &Path, cfg: &Path, env: &[(&str, &str)], data: Option<u64>) -> Daemon {
        let text = std::fs::read_to_string(cfg).unwrap();
        let listen = text
            .lines()
            .find_map(|l| l.strip_prefix("listen = \""))
            .unwrap()
            .trim_end_matches('"')
            .to_string();
        let log = std::fs::File::create(dir.join("daemon.log")).unwrap();
        let mut cmd = match data {
            None => Command::new(BIN),
            Some(bytes) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--data={bytes}")).arg("--").arg(BIN);
                c
            }
        };
        let child = cmd
            .args(["serve", "--config"])
            .arg(cfg)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let d = Daemon {
            child,
            cfg: cfg.to_path_buf(),
            socket: dir.join("volost.sock"),
            http: listen,
        };
        let until = Instant::now() + Duration::from_secs(20);
        while Client::connect(&d.socket).is_err() || TcpStream::connect(&d.http).is_err() {
            assert!(Instant::now() < until, "daemon did not come up");
            std::thread::sleep(Duration::from_millis(20));
        }
        d
    }

    pub fn client(&self) -> Client {
        Client::connect(&self.socket).unwrap()
    }

    pub fn login(&self, login: &str, password: &str) -> Client {
        let mut c = self.client();
        c.login(login, password).unwrap();
        c
    }

    /// SIGTERM, and the exit status must be success.
    pub fn stop(mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let st = self.child.wait().unwrap();
        assert!(st.success(), "daemon exited with {st}");
        assert!(!self.socket.exists(), "socket left behind");
    }

    /// A line of `/proc/PID/status` in KiB: `VmRSS` now, `VmHWM` the peak.
    pub fn memory_kib(&self, field: &str) -> u64 {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| {
                let log = self.socket.with_file_name("daemon.log");
                let log = std::fs::read_to_string(log).unwrap_or_default();
                panic!("no {field} in /proc/PID/status (the daemon ended?):\n{text}\n{log}")
            })
    }

    /// Whether the daemon process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// `GET path` with extra request lines; returns the status and the body.
    pub fn get(&self, path: &str, headers: &str) -> (u16, String) {
        http(
            &self.http,
            &format!("GET {path} HTTP/1.1\r\nHost: t\r\n{headers}Connection: close\r\n\r\n"),
        )
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One raw HTTP/1.1 exchange: what a client sends is exactly what the test says.
pub fn http(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    let body = out.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    (status, body.to_string())
}

pub fn code(e: volost::api::client::ClientError) -> String {
    e.api()
        .map(|a| a.code.clone())
        .unwrap_or_else(|| format!("{e}"))
}

/// A node with staff `spec`, `spec2`, ... (password `password-1`), closed so the daemon can
/// own it. Returns the directory, the group and the ids of `tasks` open tasks in the group.
pub fn node_with_tasks(tasks: usize, extra_users: usize) -> (tempfile::TempDir, Vec<TaskId>) {
    let fx = fixture();
    // As a node the daemon has run on: its start imports nothing the test would count.
    with_packages(&fx);
    let svc = service(&fx);
    let mut ids = Vec::new();
    for _ in 0..tasks {
        let p = fx.node.launch_service(fx.spec, svc.id, None).unwrap();
        ids.push(p.tasks[0]);
    }
    for i in 0..extra_users {
        add(
            &fx.node,
            fx.admin,
            &format!("clerk{i}"),
            "Сидорова Анна Павловна",
            "specialist",
            fx.group,
        );
    }
    let Fx { dir, node, .. } = fx;
    drop(node);
    std::fs::rename(dir.path().join("volost.redb"), {
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        dir.path().join("data/volost.redb")
    })
    .unwrap();
    (dir, ids)
}

pub fn open_node(dir: &Path) -> Node {
    Node::open(
        &dir.join("data"),
        std::sync::Arc::new(volost::clock::SystemClock),
        Options::for_tests(),
    )
    .unwrap()
}

/// Runs `volost serve` with `cfg`, which must fail to start; returns what it said.
pub fn refused(cfg: &Path) -> String {
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(cfg)
        .output()
        .unwrap();
    assert!(!out.status.success(), "started with {}", cfg.display());
    String::from_utf8_lossy(&out.stderr).to_string()
}

pub fn audit_len(dir: &Path) -> usize {
    open_node(dir)
        .audit_tail(Actor::System(OrgId(1)), 1000)
        .unwrap()
        .len()
}

/// An application registered by `spec` in the node at `dir` (closed again), with the number
/// and access code its receipt carries.
pub fn registered_application(dir: &Path) -> volost::domain::Application {
    use volost::domain::*;
    use volost::service::*;
    let node = open_node(dir);
    let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
    let svc = node.services(spec, false).unwrap().remove(0);
    let app = node
        .create_application(
            spec,
            &NewApplication {
                service: svc.id,
                dept: None,
                applicant: ApplicantRef::New(super::person("Семёнов Пётр Ильич", "112-233-445 95")),
                data: super::values(&svc.fields),
                source: Source::Manual,
            },
        )
        .unwrap();
    node.act(spec, app.id, &ActionInput::new(Action::Register))
        .unwrap()
}
