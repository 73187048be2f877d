//! The real daemon for the benchmarks that drive it over its socket and HTTP port.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use volost::api::Client;

const BIN: &str = env!("CARGO_BIN_EXE_volost");

pub struct Daemon {
    pub child: Child,
    pub socket: PathBuf,
    pub http: String,
}

impl Daemon {
    /// `volost serve` (the optimised binary) on `dir`, with `http_extra` lines in `[http]`.
    pub fn start(dir: &Path, http_extra: &str) -> Daemon {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let http = format!("127.0.0.1:{port}");
        let cfg = dir.join("volost.toml");
        std::fs::write(
            &cfg,
            format!(
                "[node]\ndata_dir = \"{d}\"\n[local_api]\nsocket = \"{d}/volost.sock\"\ngroup = \"\"\n\
                 [http]\nlisten = \"{http}\"\n{http_extra}[backup]\ninterval_hours = 0\ndir = \"{d}/backups\"\n\
                 [log]\nlevel = \"warn\"\n",
                d = dir.display()
            ),
        )
        .expect("config");
        let child = Command::new(BIN)
            .args(["serve", "--config"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start daemon");
        let d = Daemon {
            child,
            socket: dir.join("volost.sock"),
            http,
        };
        let until = Instant::now() + Duration::from_secs(30);
        while Client::connect(&d.socket).is_err() || std::net::TcpStream::connect(&d.http).is_err()
        {
            assert!(Instant::now() < until, "daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        d
    }

    pub fn login(&self, login: &str) -> Client {
        let mut c = Client::connect(&self.socket).expect("connect");
        c.login(login, "password-1").expect("login");
        c
    }

    pub fn metric(&self, name: &str) -> u64 {
        let mut s = std::net::TcpStream::connect(&self.http).expect("connect");
        use std::io::Write;
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
            .expect("send");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
    }
}
