//! «Окно документов» over real HTTPS, as a browser speaks to it (the browser itself drives it
//! in `tests/browser.rs`): sign-in with the TUI's accounts and lockout, the first password,
//! scans attached and refused, the receipt printed and downloaded, every form's CSRF token,
//! the headers, the audit.
#![allow(clippy::unwrap_used)]

mod common;
use common::daemon::*;
use common::web::{self, Resp, node_with_page};
use common::*;
use volost::domain::*;

fn location(r: &Resp) -> &str {
    r.header("location").unwrap_or("")
}

#[test]
fn a_clerk_signs_in_attaches_scans_and_takes_the_receipt() {
    let (dir, d, addr, app) = node_with_page("");
    let mut b = web::connect(&addr, &dir.path().join("data"));

    // Not signed in: every page leads to the sign-in form, and back after it.
    assert_eq!(location(&b.get("/")), "/login");
    let r = b.get(&format!("/a/{}", app.number));
    assert_eq!(r.status, 303);
    assert_eq!(location(&r), format!("/login?next=/a/{}", app.number));
    let page = b.get("/login");
    let pre = page.all("set-cookie").join("\n");
    for want in [
        "__Host-volost-pre=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(pre.contains(want), "{want} not in {pre}");
    }
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));

    // A wrong password is the TUI's refusal, in Russian; a form from elsewhere is refused.
    let r = b.sign_in("spec", "wrong-password");
    assert_eq!(r.status, 401);
    assert!(
        r.text().contains("Неверное имя пользователя или пароль"),
        "{}",
        r.text()
    );
    let mut stranger = web::connect(&addr, &dir.path().join("data"));
    let r = stranger.form(
        "/login",
        &[
            ("login", "spec"),
            ("password", "password-1"),
            ("_pre", "00112233445566778899aabbccddeeff"),
        ],
    );
    assert_eq!(r.status, 403, "no sign-in without the form's own token");
    assert!(!stranger.cookies.contains_key("__Host-volost"));

    let r = b.sign_in("spec", "password-1");
    assert_eq!((r.status, location(&r)), (303, "/tasks"));
    let session = r.all("set-cookie").join("\n");
    assert!(
        session.contains("__Host-volost=") && session.contains("HttpOnly"),
        "{session}"
    );
    let tasks = b.get("/tasks");
    assert_eq!(tasks.status, 200);
    assert!(tasks.text().contains("Мои задачи"));

    // The card: its facts and the access code the receipt carries.
    let card = b.get(&format!("/a/{}", app.number));
    assert_eq!(card.status, 200, "{}", card.text());
    let t = card.text();
    assert!(t.contains(&display_access_code(&app.access_code)), "{t}");
    assert!(t.contains("Файлов нет"), "{t}");
    // The files of its interagency request, to download beside its own.
    assert!(
        t.contains("Файлы запросов") && t.contains("Ответ СФР.pdf"),
        "{t}"
    );
    let csrf = card.hidden("_csrf");

    let mut c = d.login("spec", "password-1");
    let owner = FileOwner::Application(app.id);
    let files = |c: &mut volost::api::Client| -> Vec<Attachment> {
        c.ask(volost::api::call::Files { owner }).unwrap()
    };
    let up = format!("/a/{}/files", app.number);

    // Refused, each in words, and nothing kept: no token, a form from another site, an
    // empty file, a name with a path, no file at all.
    let r = b.upload(&up, "", &[("скан.pdf", b"%PDF-1.4 scan")]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("Форма устарела"), "{}", r.text());
    b.origin = Some("https://evil.example".into());
    let r = b.upload(&up, &csrf, &[("скан.pdf", b"%PDF-1.4 scan")]);
    assert_eq!(r.status, 400, "a form posted from another site");
    b.origin = Some(format!("https://{addr}"));
    let r = b.upload(&up, &csrf, &[("пусто.pdf", b"")]);
    assert!(r.text().contains("пуст"), "{}", r.text());
    let r = b.upload(
        &up,
        &csrf,
        &[("скан.pdf", b"%PDF-1.4 ok"), (".hidden", b"x")],
    );
    assert!(
        r.text().contains("точки"),
        "one bad file keeps none: {}",
        r.text()
    );
    let r = b.upload(&up, &csrf, &[]);
    assert!(r.text().contains("Выберите файл"), "{}", r.text());
    assert!(files(&mut c).is_empty(), "nothing kept");

    // Two scans at once: both on the card, the clerk's own.
    let scan: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let r = b.upload(
        &up,
        &csrf,
        &[
            ("паспорт.pdf", &scan),
            ("C:\\Users\\clerk\\Desktop\\заявление.txt", b"text"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(location(&r).ends_with("?added=2#files"));
    let kept = files(&mut c);
    let names: Vec<&str> = kept.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["паспорт.pdf", "заявление.txt"],
        "the PC's path is dropped"
    );
    let me = c.ask(volost::api::call::Whoami).unwrap().user;
    assert!(kept.iter().all(|f| f.added_by == Some(me)));
    let card = b.get(&format!("/a/{}?added=2", app.number));
    assert!(card.text().contains("Добавлено файлов: 2"));
    assert!(card.text().contains("паспорт.pdf"));

    // Downloaded as kept; a file that is not a PDF is only ever saved, never shown.
    let pdf = kept.iter().find(|f| f.name == "паспорт.pdf").unwrap();
    let r = b.get(&format!("/files/{}", pdf.id.0));
    assert_eq!(r.body, scan);
    let txt = kept.iter().find(|f| f.name == "заявление.txt").unwrap();
    let r = b.get(&format!("/files/{}?view=1", txt.id.0));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(r.header("content-security-policy"), Some("sandbox"));

    // The receipt: printed, kept on the card, opened in the browser to print.
    let r = b.form(
        &format!("/a/{}/print/receipt", app.number),
        &[("_csrf", &csrf)],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = b.get(location(&r).to_string().as_str());
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("inline")
    );
    let text = pdf_text(&r.body);
    for want in [
        format!("Заявление № {}", app.number),
        display_access_code(&app.access_code),
    ] {
        assert!(text.contains(&want), "{want:?} not in: {text}");
    }
    assert_eq!(files(&mut c).len(), 3, "the receipt is on the card");

    // Signing out ends the session for good: the old cookie opens nothing.
    let old = b.cookies.clone();
    let r = b.form("/logout", &[("_csrf", &csrf)]);
    assert_eq!((r.status, location(&r)), (303, "/login"));
    b.cookies = old;
    assert_eq!(b.get("/tasks").status, 303);
    drop(c);
    d.stop();

    // The audit log says who added, took and printed what.
    let node = open_node(dir.path());
    let admin = volost::Actor::User(node.user_by_login("admin").unwrap().unwrap().id);
    let ops: Vec<String> = node
        .audit_tail(admin, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.user == Some(me))
        .map(|e| e.op)
        .collect();
    for op in [
        "file.add",
        "file.download",
        "application.print",
        "auth.logout",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} not in {ops:?}");
    }
}

#[test]
fn the_first_password_the_lockout_and_the_limits_are_the_nodes() {
    let (dir, d, addr, app) = node_with_page("max_file_bytes = 65536\n");
    let mut admin = d.login("admin", "password-1");
    let otp = admin
        .ask(volost::api::call::AddUser(volost::service::NewUser {
            login: "novikova".into(),
            full_name: "Новикова Анна Петровна".into(),
            dept: None,
            roles: vec!["specialist".into()],
            groups: Vec::new(),
        }))
        .unwrap();
    let mut b = web::connect(&addr, &dir.path().join("data"));

    // The one-time password leads to the password page, and nowhere else until changed.
    let r = b.sign_in("novikova", &otp.password);
    assert_eq!(location(&r), "/password");
    assert_eq!(location(&b.get("/tasks")), "/password");
    let page = b.get("/password");
    assert!(page.text().contains("смените первоначальный пароль"));
    let csrf = page.hidden("_csrf");
    let r = b.form(
        "/password",
        &[
            ("_csrf", &csrf),
            ("old", &otp.password),
            ("new", "Zarechny-2026!"),
            ("repeat", "other"),
        ],
    );
    assert!(r.text().contains("не совпадают"));
    let r = b.form(
        "/password",
        &[
            ("_csrf", &csrf),
            ("old", &otp.password),
            ("new", "Zarechny-2026!"),
            ("repeat", "Zarechny-2026!"),
        ],
    );
    assert_eq!((r.status, location(&r)), (303, "/tasks"), "{}", r.text());
    assert_eq!(b.get("/tasks").status, 200);

    // Rights as in the TUI: no body's application is opened by a stranger to it.
    let r = b.get("/a/1999-999999");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("Не найдено"), "{}", r.text());

    // A file past the node's limit is refused in words, and nothing is kept; a body past
    // it with the form around is refused before it is read whole.
    let mut clerk = web::connect(&addr, &dir.path().join("data"));
    clerk.sign_in("spec", "password-1");
    let up = format!("/a/{}/files", app.number);
    let csrf = clerk.get(&format!("/a/{}", app.number)).hidden("_csrf");
    let r = clerk.upload(&up, &csrf, &[("big.pdf", &vec![7u8; 100 << 10])]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("больше допустимых 64 КБ"), "{}", r.text());
    let r = clerk.announce(&up, "multipart/form-data; boundary=x", 200 << 10);
    assert_eq!(r.status, 413);
    assert!(r.text().contains("Слишком большой"), "{}", r.text());
    let owner = FileOwner::Application(app.id);
    let mut c = d.login("spec", "password-1");
    assert!(
        c.ask(volost::api::call::Files { owner })
            .unwrap()
            .is_empty()
    );
    // Any other form is small: a large body to the sign-in is refused from its head.
    let r = clerk.announce("/login", "application/x-www-form-urlencoded", 2 << 20);
    assert_eq!(r.status, 413);

    // Wrong passwords from one address lock the login there, as on the socket.
    let mut attacker = web::connect(&addr, &dir.path().join("data"));
    let mut last = String::new();
    for _ in 0..6 {
        last = attacker.sign_in("spec", "guess").text();
    }
    assert!(last.contains("вход отсюда заблокирован"), "{last}");
    let r = attacker.sign_in("spec", "password-1");
    assert_ne!(
        location(&r),
        "/tasks",
        "locked out even with the right password"
    );
    // The clerk at the TUI is not locked out by it.
    assert!(d.client().login("spec", "password-1").is_ok());

    d.stop();
}

#[test]
fn a_pc_of_the_lan_cannot_hold_the_page_from_the_others() {
    let (dir, d, addr, _) = node_with_page("");
    let data = dir.path().join("data");
    web::connect(&addr, &data);
    // One PC opens 40 connections and never says hello (no TLS handshake): it holds its share
    // (24) until the handshake's time limit, the rest are closed at once.
    let mut held = Vec::new();
    for _ in 0..40 {
        if let Ok(s) = web::tcp_from(Some([127, 0, 0, 2]), &addr) {
            held.push(s);
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let closed = |held: &[std::net::TcpStream]| {
        use std::io::Read;
        held.iter()
            .filter(|s| {
                s.set_nonblocking(true).unwrap();
                let mut r: &std::net::TcpStream = s;
                let gone = match r.read(&mut [0u8; 1]) {
                    Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
                    Ok(_) => true,
                };
                s.set_nonblocking(false).unwrap();
                gone
            })
            .count()
    };
    assert_eq!(closed(&held), 40 - 24, "all beyond its share closed");
    // Another PC signs in and works meanwhile.
    let mut clerk = web::connect(&addr, &data);
    clerk.from = Some([127, 0, 0, 3]);
    assert_eq!(location(&clerk.sign_in("spec", "password-1")), "/tasks");
    assert_eq!(clerk.get("/tasks").status, 200);
    // The silent ones are let go after the handshake's limit (10 s).
    std::thread::sleep(std::time::Duration::from_secs(11));
    assert_eq!(closed(&held), 40, "every silent connection closed");
    d.stop();
}

#[test]
fn an_administrator_edits_a_template_with_a_preview() {
    let (dir, d, addr, app) = node_with_page("");
    let data = dir.path().join("data");
    // A clerk has no templates to edit: not in the header, refused at the address.
    let mut clerk = web::connect(&addr, &data);
    clerk.sign_in("spec", "password-1");
    assert!(!clerk.get("/tasks").text().contains("Шаблоны документов"));
    let r = clerk.get("/templates/receipt");
    assert_eq!(r.status, 403);
    assert!(r.text().contains("Недостаточно прав"), "{}", r.text());

    let mut admin = web::connect(&addr, &data);
    admin.sign_in("admin", "password-1");
    let list = admin.get("/templates");
    assert_eq!(list.status, 200, "{}", list.text());
    assert!(list.text().contains("Расписка в получении документов"));
    assert!(list.text().contains("типовому шаблону"));
    let page = admin.get("/templates/receipt");
    let csrf = page.hidden("_csrf");
    assert!(
        page.text().contains("json(&quot;data.json&quot;)"),
        "the starter text, escaped"
    );

    // A broken template: the preview and the save both name its line; nothing is kept.
    let broken = "#let d = json(\"data.json\")\r\n= Расписка № #d.number\r\n#d.nosuchfield\r\n";
    let r = admin.form(
        "/templates/receipt/preview",
        &[("_csrf", &csrf), ("text", broken)],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("строка 3"), "{}", r.text());
    let r = admin.form("/templates/receipt", &[("_csrf", &csrf), ("text", broken)]);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("строка 3"), "{}", r.text());
    assert!(
        r.text().contains("#d.nosuchfield"),
        "the text stays as typed"
    );

    // A good one: the preview is a PDF of the sample; saved, the clerk's receipt prints by it.
    let own = "#let d = json(\"data.json\")\r\n= Расписка Берёзовского сельсовета № #d.number\r\nКод: #d.access_code\r\n";
    let r = admin.form(
        "/templates/receipt/preview",
        &[("_csrf", &csrf), ("text", own)],
    );
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(pdf_text(&r.body).contains("Расписка Берёзовского сельсовета"));
    let r = admin.form("/templates/receipt", &[("_csrf", &csrf), ("text", own)]);
    assert_eq!(location(&r), "/templates/receipt?saved=1");
    assert!(
        admin
            .get("/templates/receipt?saved=1")
            .text()
            .contains("Шаблон сохранён")
    );
    assert!(admin.get("/templates").text().contains("шаблону органа"));
    let ccsrf = clerk.get(&format!("/a/{}", app.number)).hidden("_csrf");
    let r = clerk.form(
        &format!("/a/{}/print/receipt", app.number),
        &[("_csrf", &ccsrf)],
    );
    let pdf = clerk.get(location(&r).to_string().as_str());
    let text = pdf_text(&pdf.body);
    assert!(text.contains("Расписка Берёзовского сельсовета"), "{text}");
    assert!(
        text.contains(&display_access_code(&app.access_code)),
        "{text}"
    );

    // Back to the starter one.
    let r = admin.form("/templates/receipt/reset", &[("_csrf", &csrf)]);
    assert_eq!(location(&r), "/templates/receipt?saved=2");
    assert!(admin.get("/templates").text().contains("типовому шаблону"));
    d.stop();
}
