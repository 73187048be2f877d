//! The TUI end to end, as a person uses it: the real daemon, the real `volost tui` in tmux,
//! keys sent with `send-keys`, the screen read with `capture-pane`.
#![allow(clippy::unwrap_used)]

mod common;

use common::daemon::*;
use common::sim::{Sim, for_daemon, regional_config};
use common::tmux::*;
use std::process::Command;
use std::time::{Duration, Instant};
use volost::domain::*;

/// Types a new application's form as staff do: the applicant (ФИО, СНИЛС), then each field
/// of the service, leaving alone those the applicant part has filled by itself (the name's
/// parts, СНИЛС) and typing `file` into a required file field. Gives what each field holds.
fn type_application(
    t: &Tmux,
    fields: &[Field],
    file: Option<&str>,
) -> std::collections::BTreeMap<String, String> {
    let (name, snils) = ("Семёнов Пётр Ильич", "112-233-445 95");
    t.text(name);
    t.keys(&["Tab"]);
    t.text(snils);
    // ИНН, паспорт, телефон, адрес, then the source (left at «Личный приём»).
    for _ in 0..6 {
        t.keys(&["Tab"]);
    }
    let mut held = std::collections::BTreeMap::new();
    for f in fields {
        let filled = match (f.ftype, f.key.as_str()) {
            (FieldType::Snils, _) => Some(snils),
            (_, "surname" | "last_name" | "family_name") => Some("Семёнов"),
            (_, "first_name") => Some("Пётр"),
            (_, "patronymic" | "middle_name") => Some("Ильич"),
            _ => None,
        };
        if let Some(v) = filled {
            held.insert(f.key.clone(), v.to_string());
        } else {
            match (f.ftype, file) {
                (FieldType::Choice, _) => t.keys(&["Right"]),
                (FieldType::File, Some(path)) if f.required => t.text(path),
                (FieldType::File, _) => {}
                _ => {
                    let v = volost::demo::sample_value(f);
                    t.text(&v);
                    held.insert(f.key.clone(), v);
                }
            }
        }
        t.keys(&["Tab"]);
    }
    held
}

#[test]
fn log_in_claim_a_task_see_another_sessions_claim_and_complete_from_the_card() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is needed for this test (apt-get install tmux; .ci/run installs it)");
    }
    let (dir, tasks) = node_with_tasks(3, 0);
    let step: String = {
        let node = open_node(dir.path());
        let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
        node.task(spec, tasks[0])
            .unwrap()
            .task
            .name
            .chars()
            .take(14)
            .collect()
    };
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let name = format!("volost-e2e-{}", std::process::id());
    let t = Tmux::start(&name, &format!("{BIN} tui --socket {}", d.socket.display()));
    t.wait_for("Вход в систему");
    t.text("spec");
    t.keys(&["Enter"]);
    t.text("wrong");
    t.keys(&["Enter"]);
    t.wait_for("Неверное имя пользователя или пароль");
    t.text("password-1");
    t.keys(&["Enter"]);
    let s = t.wait_for("Задачи группы ·");
    assert!(s.contains("Иванова Марина Сергеевна (spec)"), "{s}");
    assert!(
        s.contains("F2 Назначить на себя"),
        "the footer shows the keys: {s}"
    );

    // «Назначить на себя» on the first task, then «Мои задачи» shows it.
    t.keys(&["F2"]);
    t.wait_for("Задача назначена на вас");
    t.keys(&["2"]);
    let s = t.wait_for("Мои задачи ·");
    assert!(s.contains("F3 Вернуть в группу"), "{s}");
    assert_eq!(
        s.matches(&step).count(),
        1,
        "the claimed task is listed: {s}"
    );

    // Another session claims a second task: the list on screen follows without a key.
    let mut other = d.login("spec", "password-1");
    let group: volost::service::Page<volost::service::TaskRow> = other
        .ask(volost::api::call::Queue(volost::service::TaskQuery::new(
            Queue::Group,
        )))
        .unwrap();
    let _: Task = other
        .ask(volost::api::call::Claim {
            id: group.rows[0].id,
            take_over: false,
        })
        .unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while t.screen().matches(&step).count() != 2 {
        assert!(Instant::now() < until, "not refreshed:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    // Open the card; what another session does to the task appears on it without a key.
    t.keys(&["Enter"]);
    t.wait_for("Карта процесса");
    let mine: volost::service::Page<volost::service::TaskRow> = other
        .ask(volost::api::call::Queue(volost::service::TaskQuery::new(
            Queue::Mine,
        )))
        .unwrap();
    let due = time::macros::date!(2027 - 12 - 30);
    for row in &mine.rows {
        let _: Task = other
            .ask(volost::api::call::SetDue { id: row.id, due })
            .unwrap();
    }
    t.wait_for("30.12.2027");
    // «Выполнить» with a comment: the task leaves «Мои задачи».
    t.keys(&["F4"]);
    t.wait_for("Выполнить задачу");
    t.text("Документы проверены");
    t.keys(&["Enter"]);
    let s = t.wait_for("Задача выполнена");
    assert_eq!(
        s.matches(&step).count(),
        1,
        "one task left in Мои задачи: {s}"
    );
    // The help names the keys of this screen.
    t.keys(&["F1"]);
    t.wait_for("Справка: клавиши этого экрана");
    t.keys(&["Escape"]);
    t.keys(&["F10"]);
    let until = Instant::now() + Duration::from_secs(5);
    while t.alive() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(t);
    d.stop();

    let node = open_node(dir.path());
    let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
    let held: Vec<TaskId> = tasks
        .iter()
        .copied()
        .filter(|id| node.task(spec, *id).unwrap().task.holder.is_some())
        .collect();
    assert_eq!(
        held.len(),
        2,
        "the task claimed from the TUI and the other session's"
    );
}

#[test]
fn jump_by_name_and_a_daemon_restart_leads_back_to_login_with_the_name_kept() {
    let (dir, _) = node_with_tasks(2, 0);
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = signed_in(&d, "restart", "");
    t.wait_for("Задачи группы ·");

    // `:` and part of a section's name.
    t.keys(&[":"]);
    t.wait_for("Перейти к разделу");
    t.text("заверш");
    t.keys(&["Enter"]);
    t.wait_for("Завершённые задачи ·");

    // The daemon goes away: a clear banner, the screen stays.
    d.stop();
    t.keys(&["F5"]);
    t.wait_for("Нет связи с узлом");
    // It comes back (sessions live in its memory, so this one is over): the login screen
    // says so, with the user name already filled in.
    let d = Daemon::start(dir.path(), &cfg);
    t.keys(&["F5"]);
    let s = t.wait_for("Сеанс не найден");
    assert!(s.contains("Вход в систему") && s.contains("spec"), "{s}");
    t.text("password-1");
    t.keys(&["Enter"]);
    // Back in the section the user was in.
    t.wait_for("Завершённые задачи ·");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
}

/// The whole lifecycle of DOMAIN.md from the TUI: a specialist types an application,
/// registers it, makes an interagency and a regional request from its card and decides; the
/// head publishes the result and closes the work.
#[test]
fn an_application_from_the_form_to_closing_with_its_requests() {
    let (dir, _) = node_with_tasks(0, 0);
    // The kind: СФР's СНИЛС, whose package maps its whole form; `at` is its place in the
    // list the clerk picks from.
    let (fields, kind, at) = {
        let node = open_node(dir.path());
        let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
        let kinds = node.request_kinds(spec).unwrap();
        let at = kinds.iter().position(|k| k.code == "sfr_snils").unwrap();
        (
            node.services(spec, false).unwrap().remove(0).fields,
            kinds[at].clone(),
            at,
        )
    };
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = signed_in(&d, "form", "");
    t.wait_for("Задачи группы ·");
    t.keys(&[":"]);
    t.text("заявки");
    t.keys(&["Enter"]);
    t.wait_for("Заявки на услуги ·");
    t.keys(&["F7"]);
    t.wait_for("выберите услугу");
    t.keys(&["Enter"]);
    t.wait_for("Новая заявка ·");
    let typed = type_application(&t, &fields, None);
    t.keys(&["F2"]);
    let s = t.wait_for("Черновик сохранён");
    let number = s
        .split("Черновик сохранён: заявка ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    // The applicant first came without a document: «Действия» → «Отказать в приёме
    // документов», the grounds typed; the notice is printed onto «Файлы», the draft stays.
    t.keys(&["F2"]);
    t.wait_for("Отказать в приёме документов");
    t.keys(&["Down", "Enter"]);
    t.wait_for("Основания отказа");
    t.keys(&["Enter"]);
    t.wait_for("Укажите, почему документы не приняты");
    t.text("Не представлен документ, удостоверяющий личность");
    t.keys(&["Enter"]);
    let s = t.wait_for("Уведомление об отказе сохранено в файлах заявки");
    assert!(
        s.contains(&format!("Отказ в приёме документов {number}.pdf")),
        "{s}"
    );
    // Round the tabs back from «Файлы» to «Данные».
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.wait_for("Заявитель");
    // «Действия» → «Зарегистрировать» → confirm.
    t.keys(&["F2"]);
    t.wait_for("Зарегистрировать");
    t.keys(&["Enter"]);
    t.wait_for("Выполнить действие над заявкой?");
    t.keys(&["Enter"]);
    let s = t.wait_for("Выполнено: Зарегистрировать");
    assert!(
        s.contains("Принятие решения"),
        "created and registered by one person: {s}"
    );

    // «Опись»: the documents she took at the desk, one line each (the form opens with the
    // service's next document), then the receipt printed onto «Файлы».
    t.keys(&["Tab"]);
    t.wait_for("Опись пуста");
    t.keys(&["F7"]);
    t.wait_for("Документ в опись ·");
    // Наименование, подлинник или копия, экземпляров, then the sheets.
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("1");
    t.keys(&["F2"]);
    t.wait_for("Документов: 1, листов: 1");
    t.keys(&["F7"]);
    t.wait_for("Документ в опись ·");
    t.keys(&["Tab", "Right", "Tab", "Tab"]);
    t.text("2");
    t.keys(&["F2"]);
    let s = t.wait_for("Документов: 2, листов: 3");
    assert!(s.contains("копия") && s.contains("подл."), "{s}");
    t.keys(&["F8"]);
    let s = t.wait_for("Сохранено в файлах заявки");
    let receipt = format!("Расписка {number}.pdf");
    assert!(s.contains(&receipt), "{s}");

    // An interagency request from the card's tab (after «Файлы»): the kind, its form, saved.
    t.keys(&["Tab"]);
    t.wait_for("Запросов нет");
    t.keys(&["F7"]);
    t.wait_for("выберите вид сведений");
    for _ in 0..at {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    t.wait_for(&format!("Новый запрос · {}", kind.name));
    for f in kind.fields.iter().filter(|f| f.ftype != FieldType::File) {
        match f.ftype {
            FieldType::Choice => t.keys(&["Right"]),
            _ => t.text(&volost::demo::sample_value(f)),
        }
        t.keys(&["Tab"]);
    }
    t.keys(&["F2"]);
    t.wait_for("Запрос сохранён: МВ-");
    // SMEV is down: the request on paper, kept on its «Файлы».
    t.keys(&["F2"]);
    t.wait_for("Напечатать запрос на бумаге");
    t.keys(&["Down", "Enter"]);
    t.wait_for("Запрос на бумаге сохранён в файлах запроса");
    t.keys(&["Escape"]);
    t.wait_for("Запрос сформирован");
    // A regional request to a body outside the node, typed by name.
    t.keys(&["Tab"]);
    t.wait_for("Запросов нет");
    t.keys(&["F7"]);
    t.wait_for("Другой орган");
    t.keys(&["Enter"]);
    t.wait_for("Новый запрос Р-сведений");
    t.text("МФЦ Алтайского края");
    t.keys(&["Tab"]);
    t.text("Сведения о составе семьи");
    t.keys(&["Enter"]);
    t.wait_for("Запрос сохранён: Сведения о составе семьи");
    t.keys(&["Escape"]);
    let s = t.wait_for("МФЦ Алтайского");
    assert!(s.contains("Новый"), "{s}");

    // The result document, printed with its text before the decision: «Действия» →
    // «Напечатать документ о результате», the service's first result offered.
    t.keys(&["F2"]);
    let s = t.wait_for("Напечатать документ о результате");
    let lines: Vec<&str> = s.lines().collect();
    let at = |w: &str| lines.iter().position(|l| l.contains(w)).unwrap();
    let downs = at("Напечатать документ о результате") - at("Одобрить");
    for _ in 0..downs {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    let s = t.wait_for("Результат (номер)");
    assert!(s.contains("1. Выписка из похозяйственной книги"), "{s}");
    t.keys(&["Tab"]);
    t.text("Хозяйство ведёт заявитель; выписка выдана для представления в банк");
    t.keys(&["Enter"]);
    t.wait_for("Документ о результате сохранён в файлах заявки");

    // The decision: «Одобрить», with its reason, the message to the applicant, and the
    // result document among the result's files, chosen by its number in the dialog's list.
    t.keys(&["F2"]);
    t.wait_for("Одобрить");
    t.keys(&["Enter"]);
    let s = t.wait_for("Файлы результата (номера)");
    let pick = s
        .lines()
        .find_map(|l| {
            let (n, name) = l.trim_matches(['│', ' ']).split_once(" — ")?;
            name.starts_with("Результат").then(|| n.trim().to_string())
        })
        .unwrap_or_else(|| panic!("the result document is not listed: {s}"));
    t.text("Документы представлены в полном объёме");
    t.keys(&["Tab"]);
    t.text("Выписка готова");
    t.keys(&["Tab"]);
    t.text("99");
    t.keys(&["Enter"]);
    t.wait_for("Нет файла с номером 99");
    for _ in 0..2 {
        t.keys(&["BSpace"]);
    }
    t.text(&pick);
    t.keys(&["Enter"]);
    t.wait_for("Утверждение положительного результата");
    // Round the tabs to «Данные», which names the result's file.
    for _ in 0..6 {
        if t.screen().contains("Файлы результата") {
            break;
        }
        t.keys(&["Tab"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    let s = t.wait_for("Файлы результата");
    assert!(
        s.contains("Результат 20"),
        "the data tab names the result's file: {s}"
    );
    t.keys(&["F10"]);
    drop(t);

    // The head finds it by number, publishes the result and closes the work.
    let h = signed_in_as(&d, "head", "", "head");
    h.keys(&[":"]);
    h.text("заявки");
    h.keys(&["Enter"]);
    h.wait_for("Заявки на услуги ·");
    find_application(&h, &number);
    h.keys(&["F2"]);
    h.wait_for("Опубликовать результат");
    h.keys(&["Down", "Enter"]);
    h.wait_for("Выполнить действие над заявкой?");
    h.keys(&["Enter"]);
    h.wait_for("Утвержден положительный результат");
    // The applicant comes for the result: the desk records it, on today's date.
    h.keys(&["F2"]);
    h.wait_for("Результат выдан заявителю");
    // After «Завершить работу по заявке» and «Напечатать документ о результате».
    h.keys(&["Down", "Down", "Enter"]);
    h.wait_for("Дата выдачи");
    h.keys(&["Enter"]);
    let s = h.wait_for("Выполнено: Результат выдан заявителю");
    assert!(
        s.contains("Результат выдан") && s.contains("Соколова Т. И."),
        "{s}"
    );
    h.keys(&["F2"]);
    h.wait_for("Завершить работу по заявке");
    h.keys(&["Enter"]);
    h.wait_for("Это нельзя отменить");
    h.keys(&["Enter"]);
    h.wait_for("Работа по заявке завершена");
    h.keys(&["F10"]);
    drop(h);
    d.stop();

    let node = open_node(dir.path());
    let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
    let page = node
        .applications(spec, &volost::service::AppQuery::default())
        .unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].status, Status::Closed);
    assert_eq!(page.rows[0].applicant, "Семёнов Пётр Ильич");
    let app = page.rows[0].id;
    // What was typed is what was stored, the fields the applicant part filled included.
    let card = node.application(spec, app).unwrap();
    for (k, v) in &typed {
        assert_eq!(card.app.data.get(k), Some(v), "field {k}");
    }
    // The receipt she printed is on the card: the number, both documents, the access code.
    assert_eq!(card.app.inventory.len(), 2);
    assert!(card.app.handed.is_some(), "the hand-over is recorded");
    let files = node.files(spec, FileOwner::Application(app)).unwrap();
    let kept = files.iter().find(|f| f.name == receipt).unwrap();
    let refusal = files
        .iter()
        .find(|f| f.name == format!("Отказ в приёме документов {number}.pdf"))
        .unwrap();
    let text = common::pdf_text(&node.file(spec, refusal.id).unwrap().data);
    assert!(
        text.contains("Не представлен документ, удостоверяющий личность"),
        "{text}"
    );
    // The result document she printed went with the decision, with the text she typed.
    let result = files
        .iter()
        .find(|f| f.name == format!("Результат {number}.pdf"))
        .unwrap();
    let decision = card.app.decision.as_ref().unwrap();
    assert_eq!(decision.files, [result.id.0.to_string()]);
    let text = common::pdf_text(&node.file(spec, result.id).unwrap().data).replace('\n', " ");
    assert!(
        text.contains("ВЫПИСКА ИЗ ПОХОЗЯЙСТВЕННОЙ КНИГИ")
            && text.contains("для представления в банк"),
        "{text}"
    );
    let text = common::pdf_text(&node.file(spec, kept.id).unwrap().data);
    for want in [
        format!("Заявление № {number}"),
        card.app.inventory[1].name.clone(),
        "Всего принято документов: 2, листов: 3.".to_string(),
        volost::domain::display_access_code(&card.app.access_code),
    ] {
        assert!(text.contains(&want), "{want:?} not in: {text}");
    }
    let out = node
        .outgoing_list(
            spec,
            &volost::service::OutFilter {
                application: Some(app),
                ..Default::default()
            },
            volost::service::ReqCol::Created,
            false,
            None,
            10,
        )
        .unwrap();
    assert_eq!(out.rows.len(), 1);
    assert_eq!(out.rows[0].kind, kind.name);
    let paper = node
        .files(spec, FileOwner::Outgoing(out.rows[0].id))
        .unwrap();
    let text = common::pdf_text(&node.file(spec, paper[0].id).unwrap().data);
    assert!(text.contains("МЕЖВЕДОМСТВЕННЫЙ ЗАПРОС"), "{text}");
    let reg = node
        .regional_list(
            spec,
            &volost::service::RegFilter {
                application: Some(app),
                ..Default::default()
            },
            false,
            None,
            10,
        )
        .unwrap();
    assert_eq!(reg.rows.len(), 1);
    assert_eq!(reg.rows[0].counterpart, "МФЦ Алтайского края");
    assert!(node.check().unwrap().ok());
}

#[test]
fn files_from_a_forms_path_and_from_the_card_reach_the_node_and_save_back_intact() {
    let (dir, _) = node_with_tasks(0, 0);
    let (index, fields) = {
        let node = open_node(dir.path());
        let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
        node.services(spec, false)
            .unwrap()
            .into_iter()
            .enumerate()
            .find(|(_, s)| {
                s.fields
                    .iter()
                    .any(|f| f.ftype == FieldType::File && f.required)
            })
            .map(|(i, s)| (i, s.fields))
            .unwrap()
    };
    let files = dir.path().join("my");
    std::fs::create_dir_all(&files).unwrap();
    let scheme: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(files.join("схема.pdf"), &scheme).unwrap();
    std::fs::write(files.join("доверенность.txt"), "Доверяю получить выписку").unwrap();
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = signed_in(&d, "files", "");
    t.wait_for("Задачи группы ·");
    t.keys(&[":"]);
    t.text("заявки");
    t.keys(&["Enter"]);
    // The service's form with the applicant typed, then every field, the file as `file`.
    let fill = |file: &str| {
        t.wait_for("Заявки на услуги ·");
        t.keys(&["F7"]);
        t.wait_for("выберите услугу");
        for _ in 0..index {
            t.keys(&["Down"]);
        }
        t.keys(&["Enter"]);
        t.wait_for("Новая заявка ·");
        type_application(&t, &fields, Some(file))
    };
    // A wrong path is named next to its field and nothing is saved.
    fill(&files.join("нет-такого.pdf").to_string_lossy());
    t.keys(&["F2"]);
    t.wait_for("Файл не найден");
    // Esc, «Выйти без сохранения?», then the form again with the right path.
    t.keys(&["Escape"]);
    t.wait_for("Выйти без сохранения");
    t.keys(&["Enter"]);
    let typed = fill(&files.join("схема.pdf").to_string_lossy());
    t.keys(&["F2"]);
    let s = t.wait_for("Черновик сохранён");
    // Long labels wrap in their column, so the file field may be further down the card.
    t.keys(&["NPage"]);
    let below = t.wait_for("схема.pdf (196 КБ)");
    assert!(
        below.contains("схема.pdf (196 КБ)"),
        "the field shows its file: {below}"
    );

    // The draft is changed: F4, its form with the file kept by name, saved again.
    assert!(s.contains("F4 — изменить черновик"), "{s}");
    t.keys(&["F4"]);
    let s = t.wait_for("Изменить черновик ·");
    assert!(
        s.contains(&fields[0].label) && s.contains(&typed[&fields[0].key]),
        "the draft's data, typed before: {s}"
    );
    t.keys(&["F2"]);
    t.wait_for("Данные черновика сохранены");
    t.keys(&["NPage"]);
    let s = t.wait_for("схема.pdf (196 КБ)");
    assert!(s.contains("схема.pdf (196 КБ)"), "the file stays: {s}");

    // «Файлы» (past «Опись»): the form's file, then one added from a path.
    t.keys(&["Tab"]);
    t.wait_for("Опись пуста");
    t.keys(&["Tab"]);
    t.wait_for("схема.pdf");
    t.keys(&["F7"]);
    t.wait_for("Путь к файлу");
    t.text(&files.join("доверенность.txt").to_string_lossy());
    t.keys(&["Enter"]);
    let s = t.wait_for("Файл добавлен");
    assert!(s.contains("доверенность.txt"), "{s}");
    // Saved back into a folder: the same bytes; a second save never overwrites.
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    t.keys(&["Enter"]);
    t.wait_for("Куда сохранить");
    for _ in 0.."~/схема.pdf".chars().count() {
        t.keys(&["BSpace"]);
    }
    t.text(&out.to_string_lossy());
    t.keys(&["Enter"]);
    t.wait_for("Файл сохранён");
    assert_eq!(std::fs::read(out.join("схема.pdf")).unwrap(), scheme);
    t.keys(&["Enter"]);
    t.wait_for("Куда сохранить");
    for _ in 0.."~/схема.pdf".chars().count() {
        t.keys(&["BSpace"]);
    }
    t.text(&out.to_string_lossy());
    t.keys(&["Enter"]);
    t.wait_for("Такой файл уже есть");
    t.keys(&["Escape"]);
    // The one added on the card is removed, after a question.
    t.keys(&["Down", "Delete"]);
    t.wait_for("Удалить файл «доверенность.txt»?");
    t.keys(&["Enter"]);
    let s = t.wait_for("Файл удалён");
    assert!(!s.contains("доверенность.txt"), "{s}");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
    let node = open_node(dir.path());
    assert!(node.check().unwrap().ok());
}

#[test]
fn an_incoming_request_is_claimed_taken_over_by_the_supervisor_and_commented() {
    let (dir, _) = node_with_tasks(0, 0);
    {
        let node = open_node(dir.path());
        let org = node.user_by_login("spec").unwrap().unwrap().org;
        let sys = volost::Actor::System(org);
        let kind = node.request_kinds(sys).unwrap().remove(0);
        let data = kind
            .fields
            .iter()
            .map(|f| (f.key.clone(), volost::demo::sample_value(f)))
            .collect();
        node.receive_incoming(
            sys,
            &volost::service::IncomingInput {
                kind: kind.id,
                consumer_number: "77-9".into(),
                message_id: "e9b5a0e2-0b6f-11ef-9262-0242ac120002".into(),
                data,
                planned_days: 5,
            },
        )
        .unwrap();
    }
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let open = |t: &Tmux| {
        t.keys(&[":"]);
        t.text("входящие");
        t.keys(&["Enter"]);
        t.wait_for("ВХ-2026-000001");
        t.keys(&["Enter"]);
        t.wait_for("Номер в системе потребителя");
    };
    let t = signed_in(&d, "incoming", "");
    open(&t);
    t.keys(&["F2"]);
    t.wait_for("Назначить на себя");
    t.keys(&["Down", "Enter"]);
    let s = t.wait_for("Запрос назначен на вас");
    assert!(s.contains("Иванова Марина Сергеевна"), "{s}");
    t.keys(&["F10"]);
    drop(t);

    // The supervisor is told who holds it before taking it, then comments.
    let k = signed_in_as(&d, "incoming-super", "", "super");
    open(&k);
    k.keys(&["F2"]);
    k.wait_for("Назначить на себя");
    k.keys(&["Down", "Enter"]);
    k.wait_for("Исполнитель: Иванова Марина Сергеевна. Забрать запрос себе?");
    k.keys(&["Enter"]);
    let s = k.wait_for("Запрос назначен на вас");
    assert!(s.contains("Предыдущий исполнитель"), "{s}");
    k.keys(&["F2"]);
    k.wait_for("Комментарий");
    // Сформировать ответ, Вернуть предыдущему исполнителю, Комментарий.
    k.keys(&["Down", "Down", "Enter"]);
    k.wait_for("только в историю");
    k.text("Уточнить адрес");
    k.keys(&["Enter"]);
    k.wait_for("Комментарий добавлен в историю");
    k.keys(&["Tab", "Tab", "Tab"]);
    k.wait_for("Уточнить адрес");
    k.keys(&["F10"]);
    drop(k);
    d.stop();
    assert!(open_node(dir.path()).check().unwrap().ok());
}

#[test]
fn launch_a_service_then_filter_the_queue() {
    let (dir, _) = node_with_tasks(0, 0);
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    // The Linux console's terminal: 16 colours, no extras.
    let t = signed_in(&d, "launch", "TERM=linux");
    t.wait_for("Задач нет");
    // «Запуск услуги»: the department (the whole body), then the service.
    t.keys(&["F7"]);
    t.wait_for("выберите подразделение");
    t.keys(&["Enter"]);
    t.wait_for("Запуск услуги: выберите услугу");
    t.keys(&["Enter"]);
    let s = t.wait_for("Услуга запущена");
    assert!(
        s.contains("№ 1"),
        "the first task is in the group queue: {s}"
    );
    // Only overdue ones: none yet. Then every filter off again.
    t.keys(&["f"]);
    t.wait_for("Только просроченные");
    t.keys(&["Down", "Down", "Down", "Down", "Space", "Enter"]);
    t.wait_for("Фильтр: 1");
    t.wait_for("Задач нет");
    t.keys(&["f", "Delete", "Enter"]);
    let s = t.wait_for("№ 1");
    assert!(!s.contains("Фильтр:"), "{s}");
    // A resize redraws: wider shows the author and start columns, 80x24 drops them.
    t.resize(160, 48);
    t.wait_for("Дата начала");
    t.resize(80, 24);
    let until = Instant::now() + Duration::from_secs(10);
    while t.screen().contains("Дата начала") {
        assert!(
            Instant::now() < until,
            "not redrawn at 80x24:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.wait_for("F10 Выход");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
}

/// An administrator adds a user from «Администрирование»: the role from a menu, the login
/// and name typed, and the one-time password shown to hand over.
#[test]
fn an_administrator_adds_a_user() {
    let (dir, _) = node_with_tasks(0, 0);
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = signed_in_as(&d, "admin", "", "admin");
    t.keys(&[":"]);
    t.text("админ");
    t.keys(&["Enter"]);
    t.wait_for("Пользователи │ Роли");
    t.keys(&["F7"]);
    t.wait_for("выберите роль");
    t.keys(&["Enter"]);
    t.wait_for("Новый пользователь");
    t.text("novikova");
    t.keys(&["Tab"]);
    t.text("Новикова Анна Юрьевна");
    t.keys(&["Enter"]);
    let s = t.wait_for("временный пароль ");
    assert!(s.contains("Пользователь добавлен: novikova"), "{s}");
    t.wait_for("Новикова Анна Юрьевна");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
    let node = open_node(dir.path());
    let u = node.user_by_login("novikova").unwrap().unwrap();
    assert_eq!(u.full_name, "Новикова Анна Юрьевна");
    assert!(u.must_change_password);
}

/// An administrator fills in a passport in «Реестр услуг», then adds a field to the service's
/// application form in the template editor of «Администрирование».
#[test]
fn an_administrator_edits_a_passport_and_a_template() {
    let (dir, _) = node_with_tasks(0, 0);
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let t = signed_in_as(&d, "registry", "", "admin");
    t.keys(&[":"]);
    t.text("реестр");
    t.keys(&["Enter"]);
    t.wait_for("Реестр услуг ·");
    t.wait_for("Административный регламент: не заполнено");
    t.keys(&["Enter"]);
    t.wait_for("Изменить паспорт ·");
    // Код, наименование, срок, плата, then the regulation.
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.text("Постановление № 17");
    t.keys(&["F2"]);
    let s = t.wait_for("Паспорт услуги сохранён");
    assert!(
        s.contains("Административный регламент: Постановление № 17"),
        "{s}"
    );
    t.keys(&["Escape"]);
    t.keys(&[":"]);
    t.text("админ");
    t.keys(&["Enter"]);
    t.wait_for("Пользователи │ Роли");
    // Users, roles, departments, calendar, then services.
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.wait_for("включена");
    t.keys(&["F4"]);
    t.wait_for("Шаблон услуги ·");
    // It opens on the steps; the form's fields are the next tab.
    t.keys(&["Tab"]);
    t.wait_for("Ключ");
    t.keys(&["F7"]);
    t.wait_for("Поле формы ·");
    t.text("komment");
    t.keys(&["Tab"]);
    t.text("Комментарий заявителя");
    t.keys(&["F2"]);
    t.wait_for("изменён, F2 — сохранить");
    t.wait_for("komment");
    t.keys(&["F2"]);
    t.wait_for("Шаблон сохранён");
    t.keys(&["F10"]);
    drop(t);
    d.stop();
    let node = open_node(dir.path());
    let admin = volost::Actor::User(node.user_by_login("admin").unwrap().unwrap().id);
    let svc = node.services(admin, true).unwrap().remove(0);
    assert_eq!(svc.regulation, "Постановление № 17");
    let f = svc.fields.iter().find(|f| f.key == "komment").unwrap();
    assert_eq!(f.label, "Комментарий заявителя");
}

/// The head of the body reads «Статистика» for this month and finds a finished process in
/// «Архив» with its task.
#[test]
fn the_head_reads_the_statistics_and_the_archive() {
    let (dir, tasks) = node_with_tasks(2, 0);
    {
        let node = open_node(dir.path());
        let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
        node.claim(spec, tasks[0], false).unwrap();
        node.complete(spec, tasks[0], true, "Выписка выдана")
            .unwrap();
    }
    let cfg = config(dir.path(), "");
    let d = Daemon::start(dir.path(), &cfg);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let t = signed_in_as(&d, "stats", &format!("HOME={}", home.display()), "head");
    t.keys(&[":"]);
    t.text("стат");
    t.keys(&["Enter"]);
    let s = t.wait_for("Статистика ·");
    assert!(
        s.contains("Просрочено задач") && s.contains("F8 В Excel"),
        "{s}"
    );
    // «В Excel»: the workbook lands in the home folder under the period's name.
    t.keys(&["F8"]);
    let s = t.wait_for("Выгрузка в Excel");
    assert!(s.contains("~/Отчёт "), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Файл сохранён");
    let saved: Vec<_> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let bytes = std::fs::read(&saved[0]).unwrap();
    assert!(bytes.starts_with(b"PK"), "an .xlsx is a zip");
    // «Журнал регистрации»: the period's journal as a PDF, beside it.
    t.keys(&["F7"]);
    let s = t.wait_for("~/Журнал регистрации заявлений ");
    assert!(s.contains(".pdf"), "{s}");
    t.keys(&["Enter"]);
    let t0 = Instant::now();
    let journal = loop {
        let pdf = std::fs::read_dir(&home)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "pdf"));
        if let Some(p) = pdf {
            break p;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(200));
    let text = common::pdf_text(&std::fs::read(&journal).unwrap());
    assert!(text.contains("ЖУРНАЛ РЕГИСТРАЦИИ ЗАЯВЛЕНИЙ"), "{text}");
    t.keys(&["Escape"]);
    t.keys(&[":"]);
    t.text("архив");
    t.keys(&["Enter"]);
    t.wait_for("Завершённые процессы");
    t.keys(&["Enter"]);
    let s = t.wait_for("Иванова");
    assert!(s.contains("Выдача выписки"), "{s}");
    t.keys(&["F10"]);
}

#[test]
fn a_regional_request_to_a_body_of_the_region_goes_out_and_its_answer_comes_back() {
    let dir = for_daemon(common::fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let rsim = Sim::start(&dir.path().join("rdump"));
    let d = Daemon::start(dir.path(), &regional_config(dir.path(), &sim, &rsim));
    let t = signed_in(&d, "regional", "");
    t.keys(&[":"]);
    t.text("р-сведений");
    t.keys(&["Enter"]);
    t.wait_for("Запросы Р-сведений · ");
    t.keys(&["F7"]);
    t.wait_for("выберите орган-поставщик");
    // No other body on this node: the directory's body comes first.
    let s = t.wait_for("Администрация Ключевского района (РСМЭВ)");
    assert!(s.contains("Другой орган"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Через региональную систему обмена (РСМЭВ) в орган");
    t.text("Сведения о пастбищах");
    t.keys(&["Tab"]);
    t.text("Площади по кадастровым кварталам");
    t.keys(&["Enter"]);
    let s = t.wait_for("Запрос сохранён");
    assert!(
        s.contains("Обмен через РСМЭВ") && s.contains("не отправлен"),
        "{s}"
    );
    t.keys(&["F2"]);
    t.wait_for("Отправить");
    t.keys(&["Enter"]);
    t.wait_for("Запрос подписан и передаётся в РСМЭВ");
    // The open card follows the exchange without F5.
    let s = t.wait_for("ответ получен");
    assert!(s.contains("Исполнено"), "{s}");
    t.keys(&["Tab"]);
    t.wait_for("По запросу «Сведения о пастбищах» сообщаем");
    t.keys(&["F10"]);
    drop(t);
    assert_eq!(rsim.state().requests.len(), 1);
    d.stop();
    assert!(open_node(dir.path()).check().unwrap().ok());
}

#[test]
fn an_administrator_exports_the_signed_registry_and_takes_it_back() {
    let dir = for_daemon(common::fixture());
    let sim = Sim::start(&dir.path().join("dump"));
    let d = Daemon::start(dir.path(), &common::sim::smev_config(dir.path(), &sim));
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let t = signed_in_as(
        &d,
        "registry-file",
        &format!("HOME={}", home.display()),
        "admin",
    );
    t.keys(&[":"]);
    t.text("реестр");
    t.keys(&["Enter"]);
    let s = t.wait_for("Реестр услуг ·");
    assert!(
        s.contains("F8 Выгрузить") && s.contains("F7 Загрузить"),
        "{s}"
    );
    t.keys(&["F8"]);
    t.wait_for("Выгрузка реестра услуг");
    t.keys(&["Enter"]);
    let s = t.wait_for("Файл сохранён");
    let saved: Vec<_> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{s}");
    let text = std::fs::read_to_string(&saved[0]).unwrap();
    assert!(volost::registry::read_signed(&text).is_ok());

    // A changed copy is refused in words and the dialog stays; the file as signed is taken.
    let changed = home.join("изменённый.xml");
    std::fs::write(
        &changed,
        text.replacen("<r:DeadlineDays>", "<r:DeadlineDays>1", 1),
    )
    .unwrap();
    t.keys(&["F7"]);
    t.wait_for("Загрузка реестра услуг");
    t.text("~/изменённый.xml");
    t.keys(&["Enter"]);
    t.wait_for("данные изменены после подписи");
    t.keys(&["Escape"]);
    t.keys(&["F7"]);
    t.wait_for("Загрузка реестра услуг");
    t.text(&format!(
        "~/{}",
        saved[0].file_name().unwrap().to_string_lossy()
    ));
    t.keys(&["Enter"]);
    t.wait_for("Паспорта услуг обновлены:");
    t.keys(&["F10"]);
}

/// A clerk sends a request of a packaged kind from its card and reads the agency's answer
/// on the card's «Ответ» tab, named by the agency's schema, with the values that came.
#[test]
fn an_agency_s_answer_is_read_on_the_card_by_its_schema_s_labels() {
    let (dir, ids) = common::sim::node_with_requests(1);
    let family = {
        let node = open_node(dir.path());
        let spec = volost::Actor::User(node.user_by_login("spec").unwrap().unwrap().id);
        let (req, _) = node.outgoing(spec, ids[0]).unwrap();
        req.data["family_name"].clone()
    };
    let sim = Sim::start(&dir.path().join("dump"));
    sim.scenario(&volost::smev::sim::Scenario::answer_after(100));
    let d = Daemon::start(dir.path(), &common::sim::smev_config(dir.path(), &sim));
    let t = signed_in(&d, "answer", "");
    t.wait_for("Задачи группы ·");
    t.keys(&[":"]);
    t.text("исходящие");
    t.keys(&["Enter"]);
    t.wait_for("МВ-2026-000001");
    t.keys(&["Enter"]);
    t.wait_for("Запрос сформирован");
    t.keys(&["F2"]);
    t.wait_for("Отправить");
    t.keys(&["Enter"]);
    t.wait_for("Запрос подписан");
    // The card is read again each time it is opened.
    let t0 = Instant::now();
    loop {
        t.keys(&["Escape"]);
        t.wait_for("МВ-2026-000001");
        t.keys(&["Enter"]);
        let s = t.wait_for("Номер запроса");
        if s.contains("Получен ответ") {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(40), "no answer: {s}");
        std::thread::sleep(Duration::from_millis(300));
    }
    t.keys(&["Tab"]);
    // The SNILS is only in the answer: the «Ответ» tab is drawn.
    let s = t.wait_for("11223344595");
    assert!(
        s.contains(&family) && s.contains("11223344595") && s.contains("Male"),
        "{s}"
    );
    t.keys(&["F10"]);
    drop(t);
    d.stop();
}
