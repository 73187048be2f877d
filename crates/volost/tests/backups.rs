//! Backups that cannot lie, through the real binary: `volost backup` killed at random moments
//! leaves nothing that passes for a backup, and what it leaves is cleaned up; an encrypted
//! backup made with `volost backup --keygen` and `[backup] recipient` restores only with its
//! secret key and says what it installed.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::*;
use std::process::Command;
use std::time::Duration;

fn run(args: &[&str], cfg: &std::path::Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--config")
        .arg(cfg)
        .output()
        .unwrap()
}

#[test]
fn a_killed_backup_leaves_nothing_to_restore_and_an_encrypted_one_restores_with_its_key() {
    let (dir, _) = node_with_tasks(300, 2);
    let keyfile = dir.path().join("backup.key");
    let out = Command::new(BIN)
        .args(["backup", "--keygen"])
        .arg(&keyfile)
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let recipient = said
        .lines()
        .find_map(|l| l.strip_prefix("recipient = "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&keyfile), 0o600);
    let second = dir.path().join("second-disk");
    let cfg = config(
        dir.path(),
        &format!(
            "[backup]\ndir = \"{}/backups\"\ninterval_hours = 0\nkeep = 3\nrecipient = \"{recipient}\"\ncopy_to = \"{}\"\n",
            dir.path().display(),
            second.display()
        ),
    );
    // config() already wrote a [backup] table: keep only the last one.
    let text = std::fs::read_to_string(&cfg).unwrap();
    let first = text.find("[backup]").unwrap();
    let end = first + text[first..].find("[log]").unwrap();
    std::fs::write(&cfg, format!("{}{}", &text[..first], &text[end..])).unwrap();

    // Killed at random moments (no daemon: `volost backup` opens the database itself).
    let backups = dir.path().join("backups");
    let mut killed = 0;
    for i in 0..8u64 {
        let mut child = Command::new(BIN)
            .args(["backup", "--config"])
            .arg(&cfg)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + i * 7));
        if child.try_wait().unwrap().is_none() {
            let _ = child.kill();
            killed += 1;
        }
        let _ = child.wait();
    }
    assert!(killed > 0, "no run was killed mid-way");
    // Whatever was left under a partial name is not a backup: restore refuses it.
    let other = tempfile::tempdir().unwrap();
    let cfg2 = config(other.path(), "");
    // Every run may have been killed before it made the directory: then nothing is left.
    for e in std::fs::read_dir(&backups).into_iter().flatten() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".partial") {
            let out = run(
                &[
                    "restore",
                    p.to_str().unwrap(),
                    "--identity",
                    keyfile.to_str().unwrap(),
                ],
                &cfg2,
            );
            assert!(!out.status.success(), "{} restored", p.display());
        }
    }
    // The next backup cleans the leftovers, and the backups kept are whole.
    let out = run(&["backup"], &cfg);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().all(|n| n.ends_with(".redb.age")), "{left:?}");
    assert!(left.len() <= 3, "{left:?}");
    let newest = volost::backup::list(&backups).unwrap().pop().unwrap();
    assert_eq!(mode(&newest), 0o600);
    assert!(volost::backup::seal::is_sealed(&newest));
    assert_eq!(
        volost::backup::list(&second).unwrap().len(),
        left.len().min(3)
    );

    // Without the key nothing is restored; with it, all, and the output says what.
    let out = run(&["restore", newest.to_str().unwrap()], &cfg2);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--identity"));
    let out = run(
        &[
            "restore",
            newest.to_str().unwrap(),
            "--identity",
            keyfile.to_str().unwrap(),
        ],
        &cfg2,
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("задач 300"), "{said}");
    let node = open_node(other.path());
    check_ok(&node);
}

/// OpenSSH's sshd on loopback for one test, with host and client keys of its own; killed
/// when dropped. Needs Debian's openssh-server (CI installs it).
struct Sshd {
    child: std::process::Child,
    port: u16,
    client_key: std::path::PathBuf,
    known_hosts: std::path::PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &std::path::Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "ssh-keygen");
}

fn sshd(dir: &std::path::Path) -> Sshd {
    let bin = std::path::Path::new("/usr/sbin/sshd");
    assert!(
        bin.exists(),
        "needs OpenSSH's server: apt-get install openssh-server"
    );
    std::fs::create_dir_all("/run/sshd").unwrap();
    let (host, client) = (dir.join("host_key"), dir.join("client_key"));
    keygen(&host);
    keygen(&client);
    let port = free_port();
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
    let me = nix::unistd::User::from_uid(nix::unistd::geteuid())
        .unwrap()
        .unwrap()
        .name;
    let cfg = dir.join("sshd_config");
    std::fs::write(
        &cfg,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {h}\nAuthorizedKeysFile {d}/authorized_keys\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
             PidFile none\nPermitRootLogin prohibit-password\nAllowUsers {me}\n\
             Subsystem sftp internal-sftp\n",
            h = host.display(),
            d = dir.display()
        ),
    )
    .unwrap();
    let pubkey = std::fs::read_to_string(dir.join("host_key.pub")).unwrap();
    let known_hosts = dir.join("known_hosts");
    let mut fields = pubkey.split_whitespace();
    let (kind, key) = (fields.next().unwrap(), fields.next().unwrap());
    std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {kind} {key}\n")).unwrap();
    let child = Command::new(bin)
        .args(["-D", "-e", "-f"])
        .arg(&cfg)
        .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < until, "sshd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Sshd {
        child,
        port,
        client_key: client,
        known_hosts,
    }
}

#[test]
fn every_backup_is_copied_over_sftp_to_a_known_server_only() {
    let (dir, _) = node_with_tasks(20, 0);
    let ssh_dir = dir.path().join("ssh");
    std::fs::create_dir_all(&ssh_dir).unwrap();
    let server = sshd(&ssh_dir);
    let remote = dir.path().join("district-server");
    std::fs::create_dir_all(&remote).unwrap();
    let me = nix::unistd::User::from_uid(nix::unistd::geteuid())
        .unwrap()
        .unwrap()
        .name;
    let write_cfg = |known_hosts: &std::path::Path| {
        let cfg = config(dir.path(), "");
        let text = std::fs::read_to_string(&cfg).unwrap();
        let text = text.replacen(
            "keep = 3\n",
            &format!(
                "keep = 2\nsftp = \"sftp://{me}@127.0.0.1:{}{}\"\nsftp_key = \"{}\"\nsftp_known_hosts = \"{}\"\n",
                server.port,
                remote.display(),
                server.client_key.display(),
                known_hosts.display()
            ),
            1,
        );
        std::fs::write(&cfg, text).unwrap();
        cfg
    };
    let cfg = write_cfg(&server.known_hosts);
    let local = dir.path().join("backups");
    let names = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    for _ in 0..3 {
        let out = run(&["backup"], &cfg);
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // The same files, byte for byte, and the same retention on both sides.
    let here = names(&local);
    assert_eq!(here.len(), 2, "{here:?}");
    assert_eq!(names(&remote), here);
    for n in &here {
        assert_eq!(
            std::fs::read(local.join(n)).unwrap(),
            std::fs::read(remote.join(n)).unwrap()
        );
    }

    // A server whose key is not the one recorded: nothing is sent, the local backup stays,
    // and the message says why.
    let stranger = ssh_dir.join("stranger");
    keygen(&stranger);
    let pubkey = std::fs::read_to_string(ssh_dir.join("stranger.pub")).unwrap();
    let mut f = pubkey.split_whitespace();
    let wrong = ssh_dir.join("wrong_known_hosts");
    std::fs::write(
        &wrong,
        format!(
            "[127.0.0.1]:{} {} {}\n",
            server.port,
            f.next().unwrap(),
            f.next().unwrap()
        ),
    )
    .unwrap();
    let cfg = write_cfg(&wrong);
    let out = run(&["backup"], &cfg);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("не совпадает"), "{said}");
    assert_eq!(names(&remote), here, "nothing sent");
    assert_eq!(names(&local).len(), 2);
    assert_ne!(names(&local), here, "the new backup is kept here");
}
