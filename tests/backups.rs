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
    for e in std::fs::read_dir(&backups).unwrap() {
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
