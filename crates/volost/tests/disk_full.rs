//! A full disk under the real daemon: a write that finds no room is refused with «Диск
//! заполнен» and changes nothing, nothing acknowledged is lost, and work resumes as soon as
//! space returns — without restarting the daemon (redb refuses everything after a failed
//! write until the file is opened again; the store does that itself). The "disk" is the
//! daemon's file-size limit (RLIMIT_FSIZE), raised again while it runs.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use volost::Actor;
use volost::api::{Client, call};
use volost::domain::*;

fn set_fsize(pid: i32, bytes: u64) {
    let lim = nix::libc::rlimit {
        rlim_cur: bytes,
        rlim_max: nix::libc::RLIM_INFINITY,
    };
    // SAFETY: prlimit with a valid rlimit and a null old-limit pointer.
    let rc =
        unsafe { nix::libc::prlimit(pid, nix::libc::RLIMIT_FSIZE, &lim, std::ptr::null_mut()) };
    assert_eq!(rc, 0, "prlimit");
}

/// The daemon, killed if the test fails half-way.
struct Guard(std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_full_disk_refuses_writes_and_work_resumes_when_space_returns() {
    let (dir, _) = node_with_tasks(0, 0);
    let svc = {
        let node = open_node(dir.path());
        let s = node
            .services(Actor::System(OrgId(1)), false)
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
        s.id
    };
    let cfg = config(dir.path(), "");
    let db = dir.path().join("data/volost.redb");
    let limit = std::fs::metadata(&db).unwrap().len() + (256 << 10);
    let log = std::fs::File::create(dir.path().join("daemon.log")).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--config"])
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(log);
    // SAFETY: between fork and exec only async-signal-safe calls: the limit, and SIGXFSZ
    // ignored (kept across exec) so that a write past the limit fails with EFBIG instead of
    // killing the daemon.
    unsafe {
        cmd.pre_exec(move || {
            let lim = nix::libc::rlimit {
                rlim_cur: limit,
                rlim_max: nix::libc::RLIM_INFINITY,
            };
            nix::libc::setrlimit(nix::libc::RLIMIT_FSIZE, &lim);
            nix::libc::signal(nix::libc::SIGXFSZ, nix::libc::SIG_IGN);
            Ok(())
        });
    }
    let mut guard = Guard(cmd.spawn().unwrap());
    let child = &mut guard.0;
    let socket = dir.path().join("volost.sock");
    let until = Instant::now() + Duration::from_secs(20);
    while Client::connect(&socket).is_err() {
        assert!(Instant::now() < until, "daemon did not come up");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut c = Client::connect(&socket).unwrap();
    c.login("spec", "password-1").unwrap();

    // Writes until the disk is full: each acknowledged process is kept.
    let mut acked = Vec::new();
    let refused = loop {
        match c.ask(call::LaunchService {
            service: svc,
            dept: None,
        }) {
            Ok(p) => acked.push(p.id),
            Err(e) => break e,
        }
        assert!(acked.len() < 100_000, "the disk never filled");
    };
    let api = refused.api().expect("an API error").clone();
    assert_eq!((api.status, api.code.as_str()), (507, "disk_full"));
    assert!(api.message.contains("Диск заполнен"), "{}", api.message);
    // Still full: refused again, cleanly, and reads still answer.
    let again = c
        .ask(call::LaunchService {
            service: svc,
            dept: None,
        })
        .unwrap_err();
    assert_eq!(again.api().map(|a| a.status), Some(507));
    let n_before = acked.len();

    // Space returns: work resumes on the same daemon, the same session.
    set_fsize(child.id() as i32, nix::libc::RLIM_INFINITY);
    let p: Process = c
        .ask(call::LaunchService {
            service: svc,
            dept: None,
        })
        .unwrap();
    acked.push(p.id);
    for id in &acked {
        c.ask(call::ProcessMap { process: *id })
            .unwrap_or_else(|e| panic!("process {id:?} lost: {e}"));
    }
    println!(
        "disk full after {n_before} acknowledged writes; refused with 507; resumed; {} present",
        acked.len()
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
    let out = Command::new(BIN)
        .args(["check", "--data"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
