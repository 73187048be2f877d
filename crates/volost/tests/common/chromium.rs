//! Debian's Chromium, headless, driven over the DevTools protocol: «Окно документов» as a
//! clerk's browser sees it. The browser trusts exactly the node's own certificate (its key's
//! hash), as a PC does once the clerk accepts it.
#![allow(dead_code, clippy::unwrap_used)]

use headless_chrome::{Browser, LaunchOptions, Tab};
use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The `--ignore-certificate-errors-spki-list` value for the node's certificate.
pub fn spki_hash(data: &std::path::Path) -> String {
    use base64::Engine;
    let pem = std::fs::read(data.join("web/cert.pem")).unwrap();
    let cert = openssl::x509::X509::from_pem(&pem).unwrap();
    let der = cert.public_key().unwrap().public_key_to_der().unwrap();
    base64::engine::general_purpose::STANDARD.encode(openssl::sha::sha256(&der))
}

pub fn text_of(tab: &Tab, css: &str) -> String {
    tab.wait_for_element(css).unwrap().get_inner_text().unwrap()
}

/// Waits until the page's heading is `want` (a form's answer is a new page).
pub fn heading(tab: &Tab, want: &str) {
    let until = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = tab
            .find_element("h1")
            .and_then(|h| h.get_inner_text())
            .unwrap_or_default();
        if now == want {
            return;
        }
        if std::time::Instant::now() > until {
            let body = js(tab, "document.body.innerText");
            panic!("«{want}» never came; the page:\n{body}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn js(tab: &Tab, code: &str) -> String {
    let v = tab.evaluate(code, true).unwrap().value.unwrap();
    v.as_str().unwrap().to_string()
}

/// A headless Chromium for the page at `addr` of the node whose data is `data`, its profile
/// in `dir`.
pub fn launch(dir: &Path, addr: &str, data: &Path) -> Browser {
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "Debian's chromium is needed (apt-get install chromium; .ci/run installs it)"
    );
    // The node made its certificate at start; wait for the page before trusting it.
    super::web::connect(addr, data);
    let trust = format!("--ignore-certificate-errors-spki-list={}", spki_hash(data));
    let profile = dir.join("chromium");
    let user_data = format!("--user-data-dir={}", profile.display());
    Browser::new(LaunchOptions {
        headless: true,
        // CI runs as root, where Chromium's own sandbox cannot start.
        sandbox: false,
        path: Some(CHROMIUM.into()),
        window_size: Some((1280, 900)),
        idle_browser_timeout: Duration::from_secs(180),
        // A small /dev/shm (containers, some CI machines) must not crash the renderer.
        args: vec![
            OsStr::new(&trust),
            OsStr::new(&user_data),
            OsStr::new("--disable-dev-shm-usage"),
            OsStr::new("--disable-gpu"),
        ],
        ..Default::default()
    })
    .unwrap()
}

/// Signs in at the page's address as a person types it; the task list comes.
pub fn sign_in(tab: &Tab, addr: &str, login: &str, password: &str) {
    tab.navigate_to(&format!("https://{addr}/"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    assert_eq!(text_of(tab, "h1"), "Вход");
    tab.wait_for_element("input[name=login]")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str(login).unwrap();
    tab.wait_for_element("input[name=password]")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str(password).unwrap().press_key("Enter").unwrap();
    heading(tab, "Мои задачи");
}

/// A screenshot of the page, kept in `VOLOST_SCREENSHOTS` when it names a folder (to look at).
pub fn shoot(tab: &Tab, dir: &tempfile::TempDir, name: &str) {
    let shot = tab
        .capture_screenshot(
            headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption::Png,
            None,
            None,
            true,
        )
        .unwrap();
    assert!(shot.starts_with(b"\x89PNG"));
    std::fs::write(dir.path().join(name), &shot).unwrap();
    if let Ok(keep) = std::env::var("VOLOST_SCREENSHOTS") {
        std::fs::write(format!("{keep}/{name}"), &shot).unwrap();
    }
}
