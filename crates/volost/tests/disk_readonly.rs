//! A data partition that ext4 turns read-only under the running daemon, as it does after a disk
//! error with `errors=remount-ro` (the image mounts its data partition so). The error is a real
//! one: ext4's own `trigger_fs_error` on a loop-mounted file system. Staff go on reading and
//! signing in, /health says `read_only`, every change is refused with the reason; after a
//! kill -9 the daemon starts on the read-only disk (its file needs a repair that cannot be
//! written) and serves everything acknowledged before.
//!
//! Needs root and a loop device (as CI has); elsewhere it says so and checks nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use volost::Actor;
use volost::api::{Client, call};
use volost::domain::*;

/// The loop mount, taken down at the end whatever happens.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn run(cmd: &mut Command) -> bool {
    cmd.output().map(|o| o.status.success()).unwrap_or(false)
}

/// The block device's name under /sys/fs/ext4 for the file system mounted at `at`.
fn ext4_name(at: &Path) -> String {
    let out = Command::new("findmnt")
        .args(["-no", "SOURCE"])
        .arg(at)
        .output()
        .unwrap();
    let src = String::from_utf8(out.stdout).unwrap();
    src.trim().rsplit('/').next().unwrap().to_string()
}

fn read_only_mount(dir: &Path) -> Option<Mount> {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: a loop mount needs root");
        return None;
    }
    let img = dir.join("disk.img");
    let data = dir.join("data");
    let keep = dir.join("data.made");
    std::fs::rename(&data, &keep).unwrap();
    std::fs::create_dir(&data).unwrap();
    assert!(run(Command::new("truncate").args(["-s", "256M"]).arg(&img)));
    assert!(run(Command::new("mkfs.ext4").args(["-q", "-F"]).arg(&img)));
    if !run(Command::new("mount")
        .args(["-o", "loop,errors=remount-ro"])
        .arg(&img)
        .arg(&data))
    {
        eprintln!("skipped: no loop device to mount a file system on");
        return None;
    }
    let m = Mount(data.clone());
    assert!(run(Command::new("cp")
        .arg("-a")
        .arg(keep.join("volost.redb"))
        .arg(&data)));
    Some(m)
}

fn kill9(d: &mut Daemon) {
    let pid = nix::unistd::Pid::from_raw(d.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).unwrap();
    d.child.wait().unwrap();
}

fn health(d: &Daemon) -> serde_json::Value {
    let (s, body) = d.get("/health", "");
    // 503: a monitor must see that the node cannot take changes; the body says why.
    assert_eq!(s, 503, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// What a staff member does when the disk cannot be written: signs in, reads her queue and
/// every process acknowledged before, and is told why a change is refused.
fn desk_reads(d: &Daemon, acked: &[ProcessId], svc: ServiceId) {
    let mut c = Client::connect(&d.socket).unwrap();
    c.login("spec", "password-1").unwrap();
    let q: volost::service::Page<volost::service::TaskRow> = c
        .ask(call::Queue(volost::service::TaskQuery::new(Queue::Group)))
        .unwrap();
    // The task made before the daemon started and one for each process launched since.
    assert_eq!(q.rows.len(), 1 + acked.len());
    for id in acked {
        c.ask(call::ProcessMap { process: *id })
            .unwrap_or_else(|e| panic!("process {id:?} not readable: {e}"));
    }
    let e = c
        .ask(call::LaunchService {
            service: svc,
            dept: None,
        })
        .unwrap_err();
    let api = e.api().expect("an API error");
    assert_eq!((api.status, api.code.as_str()), (503, "read_only"));
    assert!(api.message.contains("только для чтения"), "{}", api.message);
    let h = health(d);
    assert_eq!(h["status"], "read_only", "{h}");
    assert_eq!(h["database"]["ok"], true, "{h}");
}

#[test]
fn a_disk_turned_read_only_by_ext4_keeps_the_desk_reading_and_the_daemon_starts_on_it() {
    let (dir, _) = node_with_tasks(1, 0);
    let svc = {
        let node = open_node(dir.path());
        node.services(Actor::System(OrgId(1)), false).unwrap()[0].id
    };
    let Some(_mount) = read_only_mount(dir.path()) else {
        return;
    };
    let data = dir.path().join("data");
    let cfg = config(dir.path(), "");
    let mut d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    let acked: Vec<ProcessId> = (0..5)
        .map(|_| {
            c.ask(call::LaunchService {
                service: svc,
                dept: None,
            })
            .unwrap()
            .id
        })
        .collect();

    // A real ext4 error: the kernel aborts the journal and remounts the partition read-only.
    std::fs::write(
        format!("/sys/fs/ext4/{}/trigger_fs_error", ext4_name(&data)),
        "volost test",
    )
    .unwrap();
    assert!(
        std::fs::write(data.join("probe"), b"x").is_err(),
        "still writable"
    );
    desk_reads(&d, &acked, svc);
    // The session opened before goes on too.
    c.ask(call::Whoami).unwrap();

    // A crash on the read-only disk: the file was never closed, and the daemon still starts.
    kill9(&mut d);
    drop(d);
    let d = Daemon::start(dir.path(), &cfg);
    desk_reads(&d, &acked, svc);
    let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(log.contains("repaired in memory"), "{log}");
    d.stop();
    // Nothing was written to the disk's file: it is as the crash left it, and once the
    // partition is repaired the next start finds the acknowledged processes there.
    println!(
        "read-only under the daemon: {} acknowledged processes readable, changes refused with \
         503 read_only, /health read_only; started again after kill -9 on the read-only disk",
        acked.len()
    );
}
