//! A specialist's day with applications and their processes, in the real TUI at 80×24: she
//! claims the task of an ЕПГУ application, opens the application from the task card, another
//! user refuses it and her task leaves «Мои задачи» for «Архив»; a desk application she takes
//! to «Работа по заявке завершена» leaves no open task behind.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::tmux::*;
use common::*;
use volost::api::call;
use volost::domain::*;
use volost::service::*;

/// The node of the fixture with an ЕПГУ application registered as the exchange registers
/// one (the portal's delivery over SMEV is `tests/provider.rs`'s), and a desk application
/// the specialist registered herself. Gives their numbers.
fn node() -> (tempfile::TempDir, String, String) {
    let fx = fixture();
    let svc = service(&fx);
    let portal = volost::Actor::System(fx.org);
    let app = fx
        .node
        .create_application(
            portal,
            &NewApplication {
                service: svc.id,
                dept: None,
                applicant: ApplicantRef::New(person("Семёнова Анна Петровна", "112-233-445 95")),
                data: form(&svc),
                source: Source::Epgu,
            },
        )
        .unwrap();
    fx.node
        .act(portal, app.id, &ActionInput::new(Action::Register))
        .unwrap();
    let desk = draft(&fx, fx.spec);
    fx.node
        .act(fx.spec, desk.id, &ActionInput::new(Action::Register))
        .unwrap();
    let dir = common::sim::for_daemon(fx);
    (dir, app.number, desk.number)
}

#[test]
fn a_specialist_works_an_epgu_application_from_its_task_and_the_desk_one_to_the_end() {
    let (dir, epgu, desk) = node();
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = signed_in(&d, "process", "");
    t.resize(80, 24);

    // The group queue marks the portal's application.
    let s = t.wait_for("Задачи группы ·");
    assert!(s.contains(&epgu) && s.contains("ЕПГУ · "), "{s}");
    // Sorted by due date then creation, the ЕПГУ task is first: she takes it.
    t.keys(&["F2"]);
    t.wait_for("Задача назначена на вас");
    t.keys(&["2"]);
    t.wait_for("Мои задачи ·");
    t.keys(&["Enter"]);
    // The card draws in more than one write: wait for its last line, not its title.
    t.wait_for(&format!("{epgu} (Enter — открыть)"));

    // From the task card to its application: the source and the process are on the card.
    t.keys(&["Enter"]);
    let s = t.wait_for(&format!("Номер заявки {epgu}"));
    assert!(s.contains("Источник") && s.contains("ЕПГУ"), "{s}");
    let s = t.wait_for("Процесс");
    assert!(
        s.contains("▶ Приём и регистрация заявления — Иванова М. С., срок"),
        "{s}"
    );

    // The head names the super-rights executor, who refuses: the application ends.
    let mut head = d.login("head", "password-1");
    let mut sup = d.login("super", "password-1");
    let row = {
        let q = AppQuery {
            filter: AppFilter {
                source: Some(Source::Epgu),
                ..AppFilter::default()
            },
            ..AppQuery::default()
        };
        let page: Page<AppRow> = head.ask(call::Applications(q)).unwrap();
        assert_eq!(
            page.rows.len(),
            1,
            "the source filter finds the ЕПГУ application"
        );
        page.rows[0].id
    };
    let sup_id = {
        let users: Vec<UserView> = head.ask(call::Users).unwrap();
        users.iter().find(|u| u.login == "super").unwrap().id
    };
    let _: Application = head
        .ask(call::Act {
            id: row,
            input: ActionInput::new(Action::AssignExecutor(sup_id)),
        })
        .unwrap();
    let _: Application = sup
        .ask(call::Act {
            id: row,
            input: ActionInput::new(Action::Decide(Verdict::Refuse))
                .with_reason("Земельный участок не в границах поселения", "Отказано"),
        })
        .unwrap();

    // On her screen the card follows (F5): refused, the task closed with it.
    t.keys(&["F5"]);
    let s = t.wait_for("Утвержден отказ");
    assert!(
        s.contains("Приём и регистрация заявления — снята с заявкой"),
        "{s}"
    );
    // The history names who did what: Tab to «История», past the inventory, files and
    // requests.
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab"]);
    let s = t.wait_for("Кузнецов И. П.");
    assert!(s.contains("Соколова Т. И."), "the head's step is hers: {s}");
    assert!(s.contains("узел"), "the registration was the node's: {s}");
    // Back to the task card it was opened from: the task is «Снята с заявкой».
    t.keys(&["Escape"]);
    t.wait_for("Снята с заявкой");
    t.keys(&["Escape"]);
    t.wait_for("Мои задачи ·");
    t.wait_for("Задач нет");
    // «Архив» holds the finished process.
    t.keys(&["8"]);
    let s = t.wait_for(&epgu);
    assert!(s.contains("Отказано"), "{s}");
    t.keys(&["Escape"]);

    // The desk application: found by number, approved, published by the head, closed.
    t.keys(&["4"]);
    t.wait_for("Заявки на услуги ·");
    find_application(&t, &desk);
    approve(
        &t,
        "Документы представлены в полном объёме",
        "Выписка готова",
    );
    let desk_id = {
        let card: ApplicationCard = head
            .ask(call::ApplicationByNumber {
                number: desk.clone(),
            })
            .unwrap();
        card.app.id
    };
    let _: Application = head
        .ask(call::Act {
            id: desk_id,
            input: ActionInput::new(Action::Publish),
        })
        .unwrap();
    t.keys(&["F5"]);
    t.wait_for("Утвержден положительный результат");
    t.keys(&["F2"]);
    t.wait_for("Завершить работу по заявке");
    t.keys(&["Enter"]);
    t.wait_for("Это нельзя отменить");
    t.keys(&["Enter"]);
    t.wait_for("Работа по заявке завершена");
    t.keys(&["Escape"]);
    // No task of either application waits in the group queue.
    t.keys(&["1"]);
    t.wait_for("Задачи группы ·");
    t.wait_for("Задач нет");
    t.keys(&["8"]);
    let s = t.wait_for(&desk);
    assert!(s.contains(&epgu), "both processes are in her «Архив»: {s}");
    t.keys(&["F10"]);
    drop(t);
    d.stop();

    let node = open_node(dir.path());
    let rep = node.check().unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
}

/// The administrator loads a year's decree from a file on the admin screen: the tab lists the
/// year as confirmed, with the act it came from, and a file that is not a calendar is refused
/// next to its path, in Russian, with nothing changed.
/// The administrator signed in, on «Администрирование» at 80x24.
fn admin_screen(d: &Daemon, tag: &str) -> Tmux {
    let t = signed_in_as(d, tag, "", "admin");
    t.keys(&[":"]);
    t.wait_for("Перейти к разделу");
    t.text("админ");
    t.keys(&["Enter"]);
    t.wait_for("Пользователи │ Роли");
    t.resize(80, 24);
    t
}

#[test]
fn an_administrator_loads_a_years_decree_from_a_file() {
    let (dir, _) = node_with_tasks(0, 0);
    let decree = dir.path().join("постановление-2027.toml");
    std::fs::write(
        &decree,
        "[[year]]\nyear = 2027\ndecree = \"Проверочное постановление № 1\"\n\
         transfers = [[\"2027-01-02\", \"2027-01-11\"]]\n",
    )
    .unwrap();
    let junk = dir.path().join("не-календарь.csv");
    std::fs::write(&junk, "\"Год/Месяц\",\"Январь\"\n2027,\"1\"\n").unwrap();
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = admin_screen(&d, "calendar");
    // Users, roles, departments, then the calendar.
    t.keys(&["Tab", "Tab", "Tab"]);
    let s = t.wait_for("Дата / год");
    assert!(s.contains("2027") && s.contains("предварительный"), "{s}");
    let load = |path: &std::path::Path| {
        t.keys(&["F2"]);
        t.wait_for("Загрузить календарь из файла");
        t.keys(&["Down", "Down", "Enter"]);
        t.wait_for("Путь к файлу");
        t.text(&path.to_string_lossy());
        t.keys(&["Enter"]);
    };
    load(&junk);
    t.wait_for("нет столбца «Февраль»");
    t.keys(&["Escape"]);
    load(&decree);
    let s = t.wait_for("Загружен календарь на 2027");
    assert!(s.contains("сроки пересчитаны"), "{s}");
    t.wait_for("утверждён: Проверочное постановление № 1");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
    let node = open_node(dir.path());
    let admin = volost::Actor::User(node.user_by_login("admin").unwrap().unwrap().id);
    let cal = node.calendar(admin).unwrap();
    assert!(cal.is_confirmed(2027));
    assert!(!cal.is_working(time::macros::date!(2027 - 01 - 11)));
}

/// An administrator loads a kind's package from a folder on the «Виды сведений» tab: a
/// folder that is not a package is refused in the dialog, ФНС's ЕГРИП (not in the starter
/// catalog) is loaded and its kind appears.
#[test]
fn an_administrator_loads_a_kind_s_package_from_a_folder() {
    let (dir, _) = node_with_tasks(0, 0);
    let egrip = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kinds/fns_egrip");
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = admin_screen(&d, "kinds");
    // Users, roles, departments, the calendar, services, then the kinds.
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab"]);
    t.wait_for("Получение СНИЛС");
    let load = |path: &std::path::Path| {
        t.keys(&["F7"]);
        t.wait_for("Путь к папке пакета");
        t.text(&path.to_string_lossy());
        t.keys(&["Enter"]);
    };
    // A folder, but no package.
    let junk = dir.path().join("не-пакет");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(junk.join("readme.txt"), "схемы потом").unwrap();
    load(&junk);
    t.wait_for("нет файла kind.toml");
    t.keys(&["Escape"]);
    load(&egrip);
    t.wait_for("Загружен пакет fns_egrip версии 4.0.5");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
    let node = open_node(dir.path());
    let admin = volost::Actor::User(node.user_by_login("admin").unwrap().unwrap().id);
    let k = node
        .request_kinds(admin)
        .unwrap()
        .into_iter()
        .find(|k| k.code == "fns_egrip")
        .expect("the kind the package made");
    assert_eq!(
        k.namespace,
        "urn://x-artefacts-fns-vipip-tosmv-ru/311-15/4.0.5"
    );
}

#[test]
fn an_administrator_gives_the_body_s_kpp_and_date_of_registration() {
    let (dir, _) = node_with_tasks(0, 0);
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = admin_screen(&d, "org");
    // Users, roles, then the departments, whose actions hold the body's codes.
    t.keys(&["Tab", "Tab"]);
    // The node has no departments: the tab shows its dash.
    t.wait_for("│ —");
    t.keys(&["F2"]);
    t.wait_for("Сведения об органе");
    t.keys(&["Enter"]);
    // The dialog opens with the codes the node keeps.
    let s = t.wait_for("Дата регистрации");
    assert!(s.contains("223401001") && s.contains("20.11.2002"), "{s}");
    let retype = |v: &str| {
        t.keys(&["End"]);
        for _ in 0..12 {
            t.keys(&["BSpace"]);
        }
        t.text(v);
    };
    // ОГРН, ИНН, then the КПП: a wrong one is refused in the dialog, nothing saved.
    t.keys(&["Tab", "Tab"]);
    retype("12345");
    t.keys(&["Enter"]);
    t.wait_for("9 знаков");
    retype("223501001");
    // The address and contacts that documents print for answers, after the date.
    t.keys(&["Tab", "Tab"]);
    t.text("659000, с. Берёзовка, ул. Центральная, д. 1; тел. (38535) 2-12-34");
    t.keys(&["Enter"]);
    t.wait_for("Сохранено");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
    let node = open_node(dir.path());
    let admin = volost::Actor::User(node.user_by_login("admin").unwrap().unwrap().id);
    let o = node.org(admin).unwrap();
    assert_eq!(o.kpp, "223501001");
    assert_eq!(o.registered, Some(time::macros::date!(2002 - 11 - 20)));
    assert_eq!(
        o.contacts,
        "659000, с. Берёзовка, ул. Центральная, д. 1; тел. (38535) 2-12-34"
    );
}
