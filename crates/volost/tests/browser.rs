//! «Окно документов» in a real browser: Debian's Chromium, headless, driven over the DevTools
//! protocol. A clerk signs in, finds an application, attaches a scan with the file picker and
//! another by dropping it on the form (the page's script), sees them on the card in the TUI,
//! and takes the receipt as the browser receives it. The browser trusts exactly the node's
//! own certificate (its key's hash), as a PC does once the clerk accepts it.
#![allow(clippy::unwrap_used)]

mod common;
use common::chromium::*;
use common::daemon::*;
use common::tmux::{find_application, signed_in_as};
use common::web::node_with_page;
use common::*;
use std::time::Duration;
use volost::domain::*;

#[test]
fn in_chromium_a_clerk_attaches_scans_seen_in_the_tui_and_takes_the_receipt() {
    let (dir, d, addr, app) = node_with_page("");
    let data = dir.path().join("data");
    let browser = launch(dir.path(), &addr, &data);
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(20));

    // Signing in: the page the node's address opens, typed as a person types.
    sign_in(&tab, &addr, "spec", "password-1");
    // The session cookie is out of the page's scripts' reach.
    assert_eq!(js(&tab, "document.cookie"), "");

    // The application by its number, from the search box of the header.
    tab.wait_for_element("input[name=number]")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str(&app.number)
        .unwrap()
        .press_key("Enter")
        .unwrap();
    heading(&tab, &format!("Заявка {}", app.number));
    assert!(text_of(&tab, "dl.facts").contains(&display_access_code(&app.access_code)));

    // A scan from the PC through the file picker.
    let scan = dir.path().join("скан-паспорта.pdf");
    let bytes: Vec<u8> = (0..150_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(&scan, &bytes).unwrap();
    let input = tab.wait_for_element("#file").unwrap();
    input.set_input_files(&[scan.to_str().unwrap()]).unwrap();
    tab.wait_for_element("#upload button")
        .unwrap()
        .click()
        .unwrap();
    assert_eq!(text_of(&tab, "p.done"), "Добавлено файлов: 1");
    assert!(text_of(&tab, "#files table").contains("скан-паспорта.pdf"));

    // Another dropped onto the form: the page's script sends it as if picked.
    tab.evaluate(
        "(() => { const dt = new DataTransfer();
           dt.items.add(new File(['доверенность'], 'доверенность.txt', {type: 'text/plain'}));
           document.getElementById('drop').dispatchEvent(
             new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
         })()",
        false,
    )
    .unwrap();
    tab.wait_for_element("p.done").unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while !text_of(&tab, "#files table").contains("доверенность.txt") {
        assert!(
            std::time::Instant::now() < until,
            "the dropped file never arrived"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    shoot(&tab, &dir, "web-card.png");

    // The clerk at the terminal sees both on the card's «Файлы».
    let t = signed_in_as(&d, "browser", "", "spec");
    t.keys(&[":"]);
    t.text("заявки");
    t.keys(&["Enter"]);
    t.wait_for("Заявки на услуги ·");
    find_application(&t, &app.number);
    t.keys(&["Tab"]);
    t.wait_for("Наименование документа");
    t.keys(&["Tab"]);
    let s = t.wait_for("доверенность.txt");
    assert!(s.contains("скан-паспорта.pdf"), "{s}");
    drop(t);

    // The receipt, as the browser receives it when the clerk presses its button.
    let got = js(
        &tab,
        "(async () => {
           const csrf = document.querySelector('#print input[name=_csrf]').value;
           const r = await fetch(document.querySelector('#print form').action,
             {method: 'POST', body: new URLSearchParams({_csrf: csrf})});
           const b = new Uint8Array(await r.arrayBuffer());
           let s = ''; for (const x of b) s += String.fromCharCode(x);
           return r.headers.get('content-type') + ' ' + btoa(s);
         })()",
    );
    let (ctype, b64) = got.split_once(' ').unwrap();
    assert_eq!(ctype, "application/pdf");
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let text = pdf_text(&pdf);
    for want in [
        format!("Заявление № {}", app.number),
        display_access_code(&app.access_code),
    ] {
        assert!(text.contains(&want), "{want:?} not in: {text}");
    }
    // And the scan comes back byte for byte.
    let kept = open_files(&d, &app);
    let f = kept.iter().find(|f| f.name == "скан-паспорта.pdf").unwrap();
    let back = js(
        &tab,
        &format!(
            "(async () => {{
               const b = new Uint8Array(await (await fetch('/files/{}')).arrayBuffer());
               let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s);
             }})()",
            f.id.0
        ),
    );
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(back)
            .unwrap(),
        bytes
    );

    // The administrator, in a browser session of their own, edits the receipt's template:
    // the link in the header, the kinds, the text, saved.
    let ctx = browser.new_context().unwrap();
    let admin = ctx.new_tab().unwrap();
    admin.set_default_timeout(Duration::from_secs(20));
    admin
        .navigate_to(&format!("https://{addr}/login"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    admin
        .wait_for_element("input[name=login]")
        .unwrap()
        .click()
        .unwrap();
    admin.type_str("admin").unwrap();
    admin
        .wait_for_element("input[name=password]")
        .unwrap()
        .click()
        .unwrap();
    admin
        .type_str("password-1")
        .unwrap()
        .press_key("Enter")
        .unwrap();
    heading(&admin, "Мои задачи");
    admin
        .find_element_by_xpath("//a[text()='Шаблоны документов']")
        .unwrap()
        .click()
        .unwrap();
    heading(&admin, "Шаблоны документов");
    admin
        .find_element_by_xpath("//a[text()='Расписка в получении документов']")
        .unwrap()
        .click()
        .unwrap();
    heading(&admin, "Шаблон: Расписка в получении документов");
    shoot(&admin, &dir, "web-template.png");
    // A line added at the top of the starter text, as typed in the browser's textarea.
    admin.wait_for_element("textarea").unwrap().click().unwrap();
    admin.press_key("Home").unwrap();
    js(
        &admin,
        "(() => { const t = document.querySelector('textarea'); t.setSelectionRange(0, 0); return ''; })()",
    );
    admin.type_str("// Берёзовский сельсовет\n").unwrap();
    admin
        .find_element_by_xpath("//button[text()='Сохранить']")
        .unwrap()
        .click()
        .unwrap();
    assert_eq!(
        text_of(&admin, "p.done"),
        "Шаблон сохранён: документы печатаются по нему"
    );
    assert!(js(&admin, "document.querySelector('textarea').value").starts_with("// Берёзовский"));
    drop(admin);
    drop(tab);
    drop(browser);
    d.stop();
}

fn open_files(d: &Daemon, app: &Application) -> Vec<Attachment> {
    let mut c = d.login("spec", "password-1");
    c.ask(volost::api::call::Files {
        owner: FileOwner::Application(app.id),
    })
    .unwrap()
}
