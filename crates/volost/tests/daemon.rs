//! The real daemon (`volost serve`, the built binary) on a temporary directory, driven the way
//! staff clients and monitoring drive it: the local API over its Unix socket, the HTTP
//! endpoint over TCP, SIGTERM to stop.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use volost::Actor;
use volost::api::{Bytes, FileReply, SessionInfo, call};
use volost::domain::*;
use volost::service::*;
use volost::smev::LinkState;

#[test]
fn twenty_clients_claim_the_same_tasks_and_exactly_one_wins_each() {
    let (dir, tasks) = node_with_tasks(10, 20);
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let results: Vec<Vec<(TaskId, std::result::Result<UserId, String>)>> =
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..20)
                .map(|i| {
                    let (d, tasks) = (&d, &tasks);
                    s.spawn(move || {
                        let mut c = d.login(&format!("clerk{i}"), "password-1");
                        tasks
                            .iter()
                            .map(|t| {
                                let r = c
                                    .ask(call::Claim {
                                        id: *t,
                                        take_over: false,
                                    })
                                    .map(|t| t.holder.unwrap())
                                    .map_err(code);
                                (*t, r)
                            })
                            .collect()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
    let mut winners = std::collections::HashMap::new();
    for (t, r) in results.iter().flatten() {
        match r {
            Ok(u) => assert!(winners.insert(*t, *u).is_none(), "two winners for {t:?}"),
            Err(c) => assert_eq!(c, "already_claimed", "a loser must hear why"),
        }
    }
    assert_eq!(winners.len(), tasks.len(), "every task was won once");
    d.stop();

    // What was answered is what is stored: no claim lost, none doubled.
    let node = open_node(dir.path());
    for (t, u) in &winners {
        let card = node.task(Actor::User(*u), *t).unwrap();
        assert_eq!(card.task.holder, Some(*u));
    }
    check_ok(&node);
    let claims = node
        .audit_tail(Actor::System(OrgId(1)), 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.op == "task.claim")
        .count();
    assert_eq!(claims, tasks.len());
}

#[test]
fn sessions_login_lockout_first_login_and_logout() {
    let (dir, _) = node_with_tasks(1, 0);
    // A user with a one-time password, as an administrator makes one.
    let otp = {
        let node = open_node(dir.path());
        let admin = Actor::User(node.user_by_login("admin").unwrap().unwrap().id);
        let group = node.groups(admin).unwrap()[0].id;
        let (_, pw) = node
            .add_user(
                admin,
                &NewUser {
                    login: "novice".into(),
                    full_name: "Новикова Ольга Петровна".into(),
                    dept: None,
                    roles: vec!["specialist".into()],
                    groups: vec![group],
                },
            )
            .unwrap();
        pw
    };
    let cfg = config(dir.path(), "[sessions]\nmax_failed_logins = 3\n");
    let d = Daemon::start(dir.path(), &cfg);

    // Forced change of the first password: everything else is refused until then.
    let mut c = d.client();
    let info = c.login("novice", &otp).unwrap();
    assert!(info.must_change_password);
    let q = call::Queue(TaskQuery::new(Queue::Group));
    assert_eq!(
        code(c.ask(q.clone()).unwrap_err()),
        "password_change_required"
    );
    c.ask(call::ChangePassword {
        old: otp.clone(),
        new: "Сосна-Берёза-2026".into(),
    })
    .unwrap();
    let me: SessionInfo = c.ask(call::Whoami).unwrap();
    assert!(!me.must_change_password);
    c.ask(q.clone()).unwrap();

    // Logout ends the token.
    c.ask(call::Logout).unwrap();
    assert_eq!(code(c.ask(call::Whoami).unwrap_err()), "unauthorized");

    // A forged token and no token.
    let mut f = d.client();
    f.set_token(Some("00".repeat(32)));
    assert_eq!(code(f.ask(call::Whoami).unwrap_err()), "unauthorized");
    f.set_token(None);
    assert_eq!(code(f.ask(call::Whoami).unwrap_err()), "unauthorized");

    // Lockout after three wrong passwords; then even the right one is refused.
    for _ in 0..2 {
        assert_eq!(
            code(f.login("spec", "wrong").unwrap_err()),
            "bad_credentials"
        );
    }
    assert_eq!(code(f.login("spec", "wrong").unwrap_err()), "locked_out");
    let e = f.login("spec", "password-1").unwrap_err();
    assert_eq!(code(e), "locked_out");
    // The operator resets the password beside the running daemon (before, refused while
    // it ran); the reset lifts the lockout.
    let out = Command::new(BIN)
        .args(["user", "passwd", "--config"])
        .arg(&cfg)
        .arg("spec")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pw = said.rsplit(": ").next().unwrap().trim().to_string();
    assert!(f.login("spec", &pw).unwrap().must_change_password);
    d.stop();
    let node = open_node(dir.path());
    let ops: Vec<String> = node
        .audit_tail(Actor::System(OrgId(1)), 50)
        .unwrap()
        .into_iter()
        .map(|e| e.op)
        .collect();
    for op in [
        "auth.login",
        "user.change_password",
        "auth.logout",
        "auth.failed",
        "auth.locked",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} not audited: {ops:?}");
    }
}

#[test]
fn a_file_several_times_a_form_travels_over_the_socket_intact_and_the_limit_holds() {
    let (dir, _) = node_with_tasks(0, 0);
    let cfg = config(dir.path(), "");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace("[node]\n", "[node]\nmax_file_bytes = 4000000\n"),
    )
    .unwrap();
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    // Bigger than a form's line, smaller than the configured limit; every byte value.
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let f: Attachment = c
        .ask(call::AddFile {
            owner: None,
            name: "скан.tif".into(),
            data: Bytes(bytes.clone()),
        })
        .unwrap();
    assert_eq!(f.size, 3_000_000);
    let got: FileReply = c.ask(call::File { id: f.id }).unwrap();
    assert_eq!(got.file, f);
    assert!(got.data.0 == bytes, "the bytes came back changed");
    // Over the limit: the service layer's Russian refusal, and the session goes on.
    let e = c
        .ask(call::AddFile {
            owner: None,
            name: "огромный.tif".into(),
            data: Bytes(vec![1u8; 4_000_001]),
        })
        .unwrap_err();
    assert!(e.ru().contains("больше допустимых"), "{}", e.ru());
    c.ask(call::Whoami).unwrap();
    d.stop();
}

#[test]
fn an_idle_session_expires() {
    let (dir, _) = node_with_tasks(0, 0);
    let cfg = config(dir.path(), "[sessions]\nidle_timeout_minutes = 1\n");
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    c.ask(call::Whoami).unwrap();
    // An idle screen keeps asking whether anything changed: that is not activity. With no
    // SMEV endpoint configured the status line's link is «не подключена».
    let mut polls = 0;
    let until = Instant::now() + Duration::from_secs(61);
    while Instant::now() < until {
        if let Ok(p) = c.ask(call::Pulse) {
            assert_eq!(p.smev.state, LinkState::NotConfigured);
            polls += 1;
        }
        if c.ask(call::Changes).is_ok() {
            polls += 1;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(polls > 40, "polling worked while the session was young");
    assert_eq!(code(c.ask(call::Whoami).unwrap_err()), "session_expired");
    // A new login works.
    c.login("spec", "password-1").unwrap();
    c.ask(call::Whoami).unwrap();
    d.stop();
}

#[test]
fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let (dir, tasks) = node_with_tasks(2, 0);
    // A registered application with its receipt's access code.
    let app = registered_application(dir.path());
    let (number, access, label) = (app.number, app.access_code, app.status.label());
    let before = audit_len(dir.path());
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let mut c = d.login("spec", "password-1");
    let token = c.token().unwrap().to_string();
    let line = |body: &str| format!("{{\"token\":\"{token}\",\"call\":{body}}}\n");

    // The local API: each refusal names its reason; the connection stays usable.
    let cases = [
        ("{not json\n".to_string(), "malformed_json"),
        (
            line(r#"{"op":"claim","args":{"id":1,"evil":2}}"#),
            "bad_request",
        ),
        (line(r#"{"op":"claim","args":{"id":"one"}}"#), "bad_request"),
        (line(r#"{"op":"drop_database"}"#), "bad_request"),
        (
            format!("{{\"token\":\"{token}\",\"extra\":1,\"call\":{{\"op\":\"whoami\"}}}}\n"),
            "bad_request",
        ),
        (
            r#"{"token":"forged","call":{"op":"claim","args":{"id":1}}}"#.to_string() + "\n",
            "unauthorized",
        ),
    ];
    for (req, want) in &cases {
        let reply = c.raw(req.as_bytes()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(v["error"]["code"], *want, "{req} -> {reply}");
        assert!(v["error"]["status"].as_u64().unwrap() >= 400);
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    c.ask(call::Whoami).unwrap();

    // An oversized line is refused and the connection closed.
    let mut big = d.client();
    let huge = format!(
        "{{\"call\":{{\"op\":\"login\",\"args\":{{\"login\":\"{}\"",
        "x".repeat(volost::daemon::local::line_limit(
            volost::Options::default().max_file_bytes
        ))
    );
    let reply = big.raw(huge.as_bytes()).unwrap_or_default();
    assert!(reply.contains("too_large"), "{reply}");

    // A client that sends a whole request but not its end of line, and leaves: a request
    // is only run once complete, so nothing runs.
    {
        let mut s = std::os::unix::net::UnixStream::connect(&d.socket).unwrap();
        let req = line(&format!(
            r#"{{"op":"claim","args":{{"id":{}}}}}"#,
            tasks[0].0
        ));
        s.write_all(req.trim_end().as_bytes()).unwrap();
    }
    // One that sends a whole request and leaves at once: the operation still runs whole.
    {
        let mut s = std::os::unix::net::UnixStream::connect(&d.socket).unwrap();
        let req = line(&format!(
            r#"{{"op":"claim","args":{{"id":{}}}}}"#,
            tasks[1].0
        ));
        s.write_all(req.as_bytes()).unwrap();
    }

    // HTTP.
    let st = format!("/api/v1/applications/{number}/status");
    let (s, b) = d.get(&st, "");
    assert_eq!(s, 400, "{b}");
    assert!(b.contains("access_code_required"));
    let (s, b) = d.get(&format!("{st}?code=00000000"), "");
    assert_eq!(s, 404, "{b}");
    let (s, b) = d.get(&format!("{st}?code={access}&x=1"), "");
    assert_eq!(s, 400, "{b}");
    let (s, b) = d.get(&format!("{st}?code={access}"), "");
    assert_eq!(s, 200, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["status"], label);
    assert_eq!(v["number"], number);
    assert!(
        !b.contains("Семёнов"),
        "no personal data in the public answer"
    );
    let (s, _) = d.get(&st, &format!("X-Access-Code: {access}\r\n"));
    assert_eq!(s, 200);
    let (s, b) = http(
        &d.http,
        &format!(
            "POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n{}",
            "x".repeat(100_000)
        ),
    );
    assert_eq!(s, 413, "{b}");
    assert!(b.contains("\"code\":\"too_large\""), "{b}");
    let (s, b) = http(
        &d.http,
        "POST /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(s, 405, "{b}");
    let (s, b) = d.get("/nowhere", "");
    assert_eq!(s, 404);
    assert!(b.contains("\"status\":404"));
    let (s, _) = http(&d.http, "NONSENSE\r\n\r\n");
    assert_eq!(s, 400);

    // Malformed numbers and codes are refused as such, and counted nowhere.
    let (s, b) = d.get("/api/v1/applications/2026-00%2001/status?code=1", "");
    assert_eq!(s, 400, "{b}");
    assert!(b.contains("bad_number"), "{b}");
    let (s, b) = d.get(&format!("{st}?code=12%0034"), "");
    assert_eq!(s, 400, "{b}");
    assert!(b.contains("bad_access_code"), "{b}");
    // The code as the receipt prints it, in groups of four, is read as one.
    let grouped = volost::domain::display_access_code(&access).replace(' ', "%20");
    assert_eq!(d.get(&format!("{st}?code={grouped}"), "").0, 200);
    // Twenty wrong codes from one client (one was above), then even the right one waits
    // (tests/attacks.rs shows the applicant elsewhere is still answered).
    for _ in 0..volost::daemon::lookup::CLIENT_MISSES - 1 {
        assert_eq!(d.get(&format!("{st}?code=111111111111"), "").0, 404);
    }
    assert_eq!(d.get(&format!("{st}?code={access}"), "").0, 429);

    // Monitoring.
    let (s, b) = d.get("/health", "");
    assert_eq!(s, 200);
    assert!(
        b.contains("\"database\":{\"ok\":true,\"read_only\":false}"),
        "{b}"
    );
    assert!(b.contains("\"state\":\"not_configured\""), "{b}");
    // The data's free space, so that a filling disk is seen before writes stop.
    let h: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert!(h["disk"]["free_bytes"].as_u64().unwrap() > 0, "{b}");
    assert!(
        h["disk"]["total_bytes"].as_u64().unwrap() >= h["disk"]["free_bytes"].as_u64().unwrap()
    );
    assert_eq!(h["disk"]["low"], false);
    // How far the production calendar is confirmed: a year's decree covers it to 31
    // December; deadlines from the next 1 January on are provisional until one is loaded.
    let cal = &h["calendar"];
    assert!(
        cal["provisional_from"]
            .as_str()
            .is_some_and(|d| d.ends_with("-01-01")),
        "{b}"
    );
    if let Some(until) = cal["confirmed_until"].as_str() {
        assert!(until.ends_with("-12-31"), "{b}");
    }
    let (s, b) = d.get("/metrics", "");
    assert_eq!(s, 200);
    assert!(b.contains("volost_disk_free_bytes "), "{b}");
    // The launched task and the registered application's first step.
    assert!(b.contains("volost_tasks{queue=\"group\"} 2"), "{b}");
    assert!(b.contains("volost_smev_errors_total 0"));
    let (s, b) = d.get("/api/v1/openapi.json", "");
    assert_eq!(s, 200);
    let doc: serde_json::Value = serde_json::from_str(&b).unwrap();
    for r in volost::daemon::http::ROUTES {
        assert!(doc["paths"].get(r).is_some());
    }
    d.stop();
    // Only the login and the abandoned-but-whole claim were written: refusals wrote nothing.
    assert_eq!(audit_len(dir.path()), before + 2);
    let node = open_node(dir.path());
    let spec = Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
    assert_eq!(node.task(spec, tasks[0]).unwrap().task.holder, None);
    assert!(node.task(spec, tasks[1]).unwrap().task.holder.is_some());
    check_ok(&node);
}

#[test]
fn restart_keeps_everything_and_a_backup_taken_during_writes_restores() {
    let (dir, tasks) = node_with_tasks(200, 4);
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);

    // Four clients claim tasks while the operator takes a backup.
    let acked = std::sync::Mutex::new(Vec::<(TaskId, Instant)>::new());
    let backup_started = std::sync::OnceLock::<Instant>::new();
    std::thread::scope(|s| {
        for i in 0..4 {
            let (d, tasks, acked) = (&d, &tasks, &acked);
            s.spawn(move || {
                let mut c = d.login(&format!("clerk{i}"), "password-1");
                for t in tasks.iter().skip(i).step_by(4) {
                    c.ask(call::Claim {
                        id: *t,
                        take_over: false,
                    })
                    .unwrap();
                    acked.lock().unwrap().push((*t, Instant::now()));
                }
            });
        }
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(400));
            backup_started.set(Instant::now()).unwrap();
            let out = Command::new(BIN)
                .args(["backup", "--config"])
                .arg(&d.cfg)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        });
    });
    // `volost check` while the daemon holds the database: the daemon checks it.
    let out = Command::new(BIN)
        .args(["check", "--config"])
        .arg(&d.cfg)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("Проверка пройдена"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let began = *backup_started.get().unwrap();
    let before_backup: Vec<TaskId> = acked
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(t, _)| *t)
        .collect();

    // Restart: everything acknowledged is there.
    d.stop();
    let d = Daemon::start(dir.path(), &cfg);

    // SIGTERM while clients are writing: the daemon finishes what it has started, exits 0,
    // and every claim it answered is there after the next start.
    let done = std::sync::Mutex::new(Vec::<TaskId>::new());
    {
        // Everything back in the group, to be claimed again.
        let mut c = d.login("spec", "password-1");
        for t in &tasks {
            let _ = c.ask(call::ReturnToGroup { id: *t });
        }
    }
    std::thread::scope(|s| {
        for i in 0..4 {
            let (d, done, tasks) = (&d, &done, &tasks);
            s.spawn(move || {
                let mut c = d.login(&format!("clerk{i}"), "password-1");
                for t in tasks.iter().skip(i).step_by(4) {
                    match c.ask(call::Claim {
                        id: *t,
                        take_over: false,
                    }) {
                        Ok(_) => done.lock().unwrap().push(*t),
                        // The daemon is going: the connection closes; nothing half-done.
                        Err(_) => break,
                    }
                }
            });
        }
        std::thread::sleep(Duration::from_millis(40));
        let pid = nix::unistd::Pid::from_raw(d.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    });
    let mut d = d;
    assert!(d.child.wait().unwrap().success());
    drop(d);
    let d = Daemon::start(dir.path(), &cfg);
    {
        let mut c = d.login("spec", "password-1");
        for t in done.lock().unwrap().iter() {
            let card: TaskCard = c.ask(call::Task { id: *t }).unwrap();
            assert!(
                card.task.holder.is_some(),
                "answered claim of {t:?} lost at SIGTERM"
            );
        }
        // Claim what is left, so that the checks below see every task held.
        for t in &tasks {
            let _ = c.ask(call::Claim {
                id: *t,
                take_over: false,
            });
        }
    }
    let mut c = d.login("spec", "password-1");
    for t in &tasks {
        let card: TaskCard = c.ask(call::Task { id: *t }).unwrap();
        assert!(card.task.holder.is_some(), "claim of {t:?} lost in restart");
    }
    d.stop();

    // Restore the backup into a fresh directory: consistent, and it holds every claim
    // acknowledged before the backup began.
    let backups = volost::backup::list(&dir.path().join("backups")).unwrap();
    assert_eq!(backups.len(), 1);
    let other = tempfile::tempdir().unwrap();
    let cfg2 = config(other.path(), "");
    let out = Command::new(BIN)
        .arg("restore")
        .arg(&backups[0])
        .arg("--config")
        .arg(&cfg2)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It says what it installed.
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("копия № 1") && said.contains("задач 200"),
        "{said}"
    );
    // What a `volost backup` killed mid-way leaves (a database never finished: here an
    // empty one under the partial name) is refused, and nothing changes.
    let half = dir
        .path()
        .join("backups/volost-20261206-000000-000-s000009.redb.partial");
    drop(volost::store::Store::create(&half).unwrap());
    let out = Command::new(BIN)
        .arg("restore")
        .arg(&half)
        .arg("--config")
        .arg(&cfg2)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("не завершена"), "{err}");
    assert!(
        !other.path().join("data/volost.redb.restoring").exists(),
        "nothing of the refused file left behind"
    );
    let node = open_node(other.path());
    check_ok(&node);
    let spec = Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
    let kept = before_backup.len();
    for t in before_backup {
        assert!(
            node.task(spec, t).unwrap().task.holder.is_some(),
            "{t:?} missing from backup"
        );
    }
    println!(
        "backup during writes: {} claims acknowledged to 4 clients while the backup ran, {kept} \
         of them before it began, all {kept} in the restored copy; its check passed",
        acked.lock().unwrap().len()
    );
}

#[test]
fn a_bad_configuration_is_refused_with_the_line_and_nothing_starts() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("volost.toml");
    std::fs::write(&p, "[http]\nlisten = \"127.0.0.1:8080\"\nbody_limt = 5\n").unwrap();
    let err = refused(&p);
    assert!(err.contains("body_limt") && err.contains("line 3"), "{err}");
}

/// A self-signed certificate for `localhost` and its key, as PEM files in `dir`.
fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::x509::extension::SubjectAlternativeName;
    use openssl::x509::{X509Builder, X509NameBuilder};
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
    let mut n = X509NameBuilder::new().unwrap();
    n.append_entry_by_text("CN", "localhost").unwrap();
    let n = n.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_serial_number(&BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(&n).unwrap();
    b.set_issuer_name(&n).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    let san = SubjectAlternativeName::new()
        .dns("localhost")
        .ip("127.0.0.1")
        .build(&b.x509v3_context(None, None))
        .unwrap();
    b.append_extension(san).unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    let (c, k) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&c, b.build().to_pem().unwrap()).unwrap();
    std::fs::write(&k, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    (c, k)
}

#[test]
fn https_when_configured_and_a_mismatched_key_is_refused_at_start() {
    let (dir, _) = node_with_tasks(0, 0);
    let (cert, key) = self_signed(dir.path(), "node");
    let (_, other_key) = self_signed(dir.path(), "other");

    let tls = |key: &Path| {
        format!(
            "tls_cert = \"{}\"\ntls_key = \"{}\"\n",
            cert.display(),
            key.display()
        )
    };
    let bad = config_with(dir.path(), &tls(&other_key), "");
    let err = refused(&bad);
    assert!(
        err.contains("other.key") && err.contains("mismatch"),
        "{err}"
    );

    let good = config_with(dir.path(), &tls(&key), "");
    let d = Daemon::start(dir.path(), &good);
    let mut conn =
        openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls_client()).unwrap();
    conn.set_ca_file(&cert).unwrap();
    let conn = conn.build();
    let tcp = TcpStream::connect(&d.http).unwrap();
    let mut s = conn.connect("localhost", tcp).unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("\"status\":\"ok\""));
    // Plain HTTP to the HTTPS port gets no HTTP answer.
    let mut p = TcpStream::connect(&d.http).unwrap();
    p.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    p.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut buf = String::new();
    let _ = p.read_to_string(&mut buf);
    assert!(!buf.starts_with("HTTP/1.1 200"));
    d.stop();
}

#[test]
fn systemd_hears_ready_watchdog_and_stopping() {
    let (dir, _) = node_with_tasks(0, 0);
    let cfg = config(dir.path(), "");
    let notify = dir.path().join("notify.sock");
    let sock = std::os::unix::net::UnixDatagram::bind(&notify).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let d = Daemon::start_with(
        dir.path(),
        &cfg,
        &[
            ("NOTIFY_SOCKET", notify.to_str().unwrap()),
            ("WATCHDOG_USEC", "200000"),
        ],
    );
    let mut heard = Vec::new();
    let mut buf = [0u8; 256];
    while !(heard.iter().any(|m: &String| m.contains("READY=1"))
        && heard.iter().any(|m| m.contains("WATCHDOG=1")))
    {
        let n = sock.recv(&mut buf).expect("a notification within 10 s");
        heard.push(String::from_utf8_lossy(&buf[..n]).to_string());
    }
    d.stop();
    let mut stopping = false;
    while let Ok(n) = sock.recv(&mut buf) {
        if String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1") {
            stopping = true;
            break;
        }
    }
    assert!(stopping, "no STOPPING=1 after SIGTERM; heard {heard:?}");
}
