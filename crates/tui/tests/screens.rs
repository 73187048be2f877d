//! Snapshot tests of every screen at 80x24 and 160x48 (ratatui's `TestBackend`, insta). The
//! states are built directly: drawing is a pure function of `App`.
#![allow(clippy::unwrap_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use volost_api::LinkState;
use volost_api::SessionInfo;
use volost_api::{AppRow, ApplicationCard};
use volost_api::{InRow, OutRow, RegRow, TaskRow};
use volost_api::{MapStep, ProcessMap, StepState, TaskCard};
use volost_domain::*;
use volost_tui::app::{App, AppTab, AppView, Banner, Card, Dialog, Screen, Section, Tab, TaskList};
use volost_tui::conn::Conn;
use volost_tui::screens::effect::{Pending, PinFor};
use volost_tui::screens::requests::{ReqRef, ReqTab, ReqView};
use volost_tui::widgets::Field;
use volost_tui::widgets::files::FilesTab;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn app() -> App {
    let mut a = App::new(Conn::new(Path::new("/nonexistent/volost.sock")));
    a.now = "23.11.2026 10:00".into();
    a.offset = time::UtcOffset::from_hms(7, 0, 0).unwrap();
    // The body's staff, as histories name them.
    a.people = vec![
        (UserId(2), "Иванова Марина Сергеевна".into()),
        (UserId(3), "Кузнецов Игорь Петрович".into()),
    ];
    a
}

fn session(must_change: bool) -> SessionInfo {
    // A specialist's rights.
    let rights = [
        Right::ViewTasks,
        Right::ProcessCouncilTasks,
        Right::LaunchService,
        Right::CreateApplications,
        Right::Decide,
        Right::Interagency,
        Right::Regional,
    ]
    .into_iter()
    .collect::<Rights>();
    SessionInfo {
        token: None,
        user: UserId(2),
        org: OrgId(1),
        login: "ivanova".into(),
        full_name: "Иванова Марина Сергеевна".into(),
        dept: None,
        rights,
        groups: vec![GroupId(1)],
        must_change_password: must_change,
        idle_timeout_minutes: 30,
        utc_offset_seconds: 7 * 3600,
        max_file_bytes: 10 << 20,
        personal_cert: None,
        web: None,
    }
}

fn org() -> Org {
    Org {
        id: OrgId(1),
        name: "Администрация Петропавловского сельсовета Заречного района Алтайского края".into(),
        short_name: "Петропавловский сельсовет".into(),
        oktmo: "01634412".into(),
        ogrn: "1022200000019".into(),
        inn: String::new(),
        kpp: String::new(),
        registered: None,
        contacts: String::new(),
    }
}

fn rows() -> Vec<TaskRow> {
    let names = [
        "Приём и регистрация заявления (Выдача выписки из похозяйственной книги)",
        "Проверка документов (Присвоение адреса объекту адресации)",
        "Направление межведомственных запросов и получение ответов (Выдача разрешения на снос)",
        "Подписание постановления главой сельсовета (Утверждение схемы расположения участка)",
        "Выдача (направление) результата заявителю (Совершение нотариальных действий)",
    ];
    (0..12)
        .map(|i| TaskRow {
            id: TaskId(100 + i),
            name: names[i as usize % names.len()].into(),
            author: "Кузнецов И. П.".into(),
            holder: None,
            created: Ts(1_795_402_800_000 - (20 - i as i64) * 86_400_000),
            due: time::Date::from_calendar_date(2026, time::Month::November, 10 + i as u8).unwrap(),
            overdue_days: if i < 4 { 9 - 2 * i as u32 } else { 0 },
            application: Some(format!("2026-00{:04}", 120 + i)),
            source: Some(if i == 1 { Source::Epgu } else { Source::Manual }),
        })
        .collect()
}

fn main_app(section: usize) -> App {
    let mut a = app();
    a.session = Some(session(false));
    a.org = Some(org());
    a.main.sections = Section::ALL.to_vec();
    a.main.section = section;
    a.main.list = TaskList::new(Section::ALL[section].queue().unwrap_or(Queue::Group));
    a.main.list.rows = rows();
    a.main.list.selected = 2;
    a.screen = Screen::Main;
    a.smev = Some(LinkState::Up);
    a
}

fn shot(name: &str, a: &App) {
    for (w, h) in SIZES {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| volost_tui::ui::draw(f, a)).unwrap();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

#[test]
fn smev_link_down_in_the_status_line() {
    let mut a = main_app(0);
    a.smev = Some(LinkState::Down);
    shot("smev_down", &a);
}

/// A full disk is everyone's news: the status line says it on every screen.
#[test]
fn disk_full_in_the_status_line() {
    let mut a = main_app(0);
    a.disk_low = true;
    shot("disk_full", &a);
}

/// 06.12.2026 with no decree for 2027 loaded: an administrator is told, a specialist is not
/// (her cards say «срок предварительный» instead).
#[test]
fn calendar_ending_in_the_status_line() {
    let mut a = main_app(0);
    a.calendar = Some(volost_api::CalendarStatus {
        today: time::Date::from_calendar_date(2026, time::Month::December, 6).unwrap(),
        confirmed_until: time::Date::from_calendar_date(2026, time::Month::December, 31).ok(),
    });
    shot("calendar_specialist", &a);
    if let Some(s) = &mut a.session {
        s.rights = s.rights.with(Right::Administer);
    }
    shot("calendar_admin", &a);
}

#[test]
fn login() {
    shot("login", &app());
}

#[test]
fn login_refused() {
    let mut a = app();
    if let Screen::Login(f) = &mut a.screen {
        f.fields[0].value = "ivanova".into();
        f.focus = 1;
        f.message = Some("Неверное имя пользователя или пароль".into());
    }
    shot("login_refused", &a);
}

#[test]
fn forced_password_change() {
    let mut a = app();
    a.session = Some(session(true));
    a.screen = Screen::Password {
        form: {
            let mut f = volost_tui::widgets::Form {
                title: volost_tui::text::CHANGE_TITLE,
                intro: Some(volost_tui::text::CHANGE_FORCED),
                fields: ["Текущий пароль", "Новый пароль", "Повторите новый пароль"]
                    .iter()
                    .map(|l| volost_tui::widgets::Field {
                        label: l,
                        value: Default::default(),
                        secret: true,
                        error: None,
                    })
                    .collect(),
                ..Default::default()
            };
            f.fields[0].value = "Xk3-tmp".into();
            f.fields[1].error = Some(volost_tui::text::REQUIRED.into());
            f
        },
        forced: true,
    };
    shot("password_forced", &a);
}

#[test]
fn group_tasks() {
    shot("group_tasks", &main_app(0));
}

#[test]
fn my_tasks_with_help() {
    let mut a = main_app(1);
    a.help = true;
    shot("my_tasks_help", &a);
}

#[test]
fn an_error_banner_and_an_empty_list() {
    let mut a = main_app(2);
    a.main.list.rows.clear();
    a.banner = Some(Banner::Error(
        "Задача уже назначена на: Петров А. Н.".into(),
    ));
    shot("done_empty_error", &a);
}

fn card_app(tab: Tab) -> App {
    let mut a = main_app(1);
    let task = Task {
        id: TaskId(104),
        org: OrgId(1),
        group: GroupId(1),
        process: ProcessId(40),
        service: ServiceId(3),
        application: Some(AppId(17)),
        step: 1,
        name: "Проверка документов (Присвоение адреса объекту адресации)".into(),
        name_id: 2,
        author: UserId(5),
        created: Ts(1_795_402_800_000 - 3 * 86_400_000),
        due: time::Date::from_calendar_date(2026, time::Month::November, 25).unwrap(),
        holder: Some(UserId(2)),
        completed: None,
        withdrawn: false,
        names: TaskNames {
            author: "Кузнецов П. И.".into(),
            holder: "Иванова М. С.".into(),
        },
    };
    let entry = |h: i64, what: &str, comment: &str| HistoryEntry {
        at: Ts(1_795_402_800_000 - h * 3_600_000),
        by: Some(UserId(2)),
        what: what.into(),
        comment: comment.into(),
        status: None,
    };
    let steps = [
        (
            "Приём и регистрация заявления",
            StepState::Done,
            Some("Кузнецов И. П."),
        ),
        (
            "Проверка документов",
            StepState::Current,
            Some("Иванова М. С."),
        ),
        (
            "Подготовка постановления о присвоении адреса",
            StepState::Ahead,
            None,
        ),
        ("Выдача результата заявителю", StepState::Ahead, None),
    ];
    a.screen = Screen::Card(Box::new(Card {
        card: TaskCard {
            task,
            application: Some("2026-000123".into()),
            due_provisional: false,
            holder: Some("Иванова М. С.".into()),
            history: vec![
                entry(50, "Задача создана", ""),
                entry(2, "Назначить на себя", ""),
                entry(
                    1,
                    "Срок исполнения",
                    "Срок: 25.11.2026 (по просьбе заявителя)",
                ),
            ],
        },
        map: Some(ProcessMap {
            service: "Присвоение адреса объекту адресации".into(),
            finished: false,
            steps: steps
                .iter()
                .map(|(n, s, e)| MapStep {
                    name: (*n).into(),
                    state: *s,
                    executor: e.map(String::from),
                })
                .collect(),
        }),
        tab,
    }));
    a
}

#[test]
fn task_card_tabs() {
    shot("card_data", &card_app(Tab::Data));
    shot("card_history", &card_app(Tab::History));
    shot("card_map", &card_app(Tab::Map));
}

#[test]
fn dialogs() {
    let mut a = card_app(Tab::Data);
    a.dialog = Some(Dialog {
        title: volost_tui::text::COMPLETE_TITLE,
        text: volost_tui::text::COMPLETE_TEXT.into(),
        inputs: vec![Field {
            label: volost_tui::text::COMMENT,
            value: "Документы в порядке".into(),
            secret: false,
            error: None,
        }],
        focus: 0,
        then: Pending::Complete(TaskId(104)),
    });
    shot("dialog_complete", &a);
    let mut a = main_app(0);
    a.dialog = Some(Dialog {
        title: volost_tui::text::TAKE_OVER_TITLE,
        text: format!(
            "Задача уже назначена на: Петров А. Н.\n{}",
            volost_tui::text::TAKE_OVER_QUESTION
        ),
        inputs: Vec::new(),
        focus: 0,
        then: Pending::TakeOver(TaskId(101)),
    });
    shot("dialog_take_over", &a);
}

fn app_rows() -> Vec<AppRow> {
    let people = [
        "Яковлева Мария Васильевна",
        "Ильин Тимур Кузьмич",
        "Захаров Станислав Олегович",
    ];
    (0..9)
        .map(|i| AppRow {
            id: AppId(200 + i),
            number: format!("2026-{:06}", 300 - i),
            status: Status::ALL[1 + i as usize % 6],
            service: "Выдача выписки из похозяйственной книги".into(),
            applicant: people[i as usize % 3].into(),
            source: [Source::Manual, Source::Epgu, Source::Manual, Source::Mfc][i as usize % 4],
            assignee: (i % 2 == 0).then(|| "Иванова М. С.".into()),
            created: Ts(1_795_402_800_000 - i as i64 * 86_400_000),
            due: time::Date::from_calendar_date(2026, time::Month::December, 1 + i as u8).ok(),
            overdue_days: if i == 3 { 2 } else { 0 },
        })
        .collect()
}

#[test]
fn applications_list() {
    let mut a = main_app(3);
    a.main.apps.rows = app_rows();
    a.main.apps.selected = 1;
    shot("applications", &a);
}

fn field(key: &str, label: &str) -> volost_domain::Field {
    volost_domain::Field {
        key: key.into(),
        label: label.into(),
        ftype: FieldType::Text,
        required: true,
        choices: Vec::new(),
        max_len: None,
        min: None,
        max: None,
        hint: None,
    }
}

fn app_card(tab: AppTab, menu: Option<usize>) -> App {
    let mut a = main_app(3);
    let at = |h: i64| Ts(1_795_402_800_000 - h * 3_600_000);
    let service = Service {
        id: ServiceId(3),
        org: OrgId(1),
        code: "vypiska".into(),
        name: "Выдача выписки из похозяйственной книги".into(),
        deadline_days: 10,
        fee: String::new(),
        regulation: String::new(),
        places: Vec::new(),
        documents: Vec::new(),
        results: Vec::new(),
        steps: Vec::new(),
        fields: vec![
            field("surname", "Фамилия заявителя"),
            field("first_name", "Имя заявителя"),
            field(
                "purpose",
                "Цель получения выписки (для предъявления по месту требования)",
            ),
            volost_domain::Field {
                ftype: FieldType::File,
                ..field("plan", "Схема расположения участка")
            },
        ],
        active: true,
        intake: None,
    };
    let data = [
        ("surname", "Яковлева"),
        ("first_name", "Мария"),
        ("purpose", "Для оформления субсидии"),
        ("plan", "71"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let app = Application {
        id: AppId(200),
        org: OrgId(1),
        dept: None,
        number: "2026-000300".into(),
        service: ServiceId(3),
        applicant: ApplicantId(9),
        source: Source::Manual,
        status: Status::Deciding,
        data,
        created_by: Some(UserId(2)),
        created: at(30),
        registered: Some(at(29)),
        assignee: Some(UserId(2)),
        decision: None,
        due: time::Date::from_calendar_date(2026, time::Month::December, 7).ok(),
        process: Some(ProcessId(40)),
        updated: at(29),
        access_code: "12345678".into(),
        names: Default::default(),
        inventory: Vec::new(),
        handed: None,
    };
    let entry = |h: i64, what: &str, comment: &str| HistoryEntry {
        at: at(h),
        by: Some(UserId(2)),
        what: what.into(),
        comment: comment.into(),
        status: None,
    };
    a.screen = Screen::App(Box::new(AppView {
        card: ApplicationCard {
            app,
            service,
            applicant: Applicant {
                id: ApplicantId(9),
                org: OrgId(1),
                kind: ApplicantKind::Person,
                name: "Яковлева Мария Васильевна".into(),
                snils: Some("112-233-445 95".into()),
                inn: None,
                ogrn: None,
                passport: None,
                birth_date: None,
                address: "с. Петропавловское, ул. Ленина, 5".into(),
                phone: None,
                created: at(30),
            },
            assignee: Some("Иванова М. С.".into()),
            history: vec![
                entry(30, "Создана заявка (Черновик)", ""),
                entry(29, "Зарегистрировать → Зарегистрировано", ""),
                entry(
                    29,
                    "Исполнитель назначен автоматически → Принятие решения",
                    "",
                ),
            ],
            actions: vec![
                Action::AssignExecutor(UserId(0)),
                Action::Decide(Verdict::Approve),
                Action::Decide(Verdict::Refuse),
            ],
            // Registered 07.12.2026 for 30 working days: the count runs into 2027, whose
            // decree is not loaded.
            due_provisional: true,
            tasks: vec![volost_api::ProcessTask {
                id: TaskId(77),
                name: "Приём и регистрация заявления (Присвоение адреса)".into(),
                queue: Queue::Mine,
                who: Some("Иванова М. С.".into()),
                due: time::Date::from_calendar_date(2026, time::Month::December, 8).unwrap(),
                withdrawn: false,
            }],
            overdue_days: 0,
            hand_over: false,
            refuse_intake: false,
            print_result: false,
        },
        tab,
        from_task: None,
        menu: None,
        out: Some(out_rows()),
        reg: Some(Vec::new()),
        row: 1,
        files: FilesTab {
            owner: FileOwner::Application(AppId(200)),
            files: Some(vec![
                Attachment {
                    id: FileId(71),
                    org: OrgId(1),
                    owner: Some(FileOwner::Application(AppId(200))),
                    field: Some("plan".into()),
                    name: "схема_участка.pdf".into(),
                    size: 734_003,
                    sha256: String::new(),
                    added_by: Some(UserId(2)),
                    added: at(30),
                },
                Attachment {
                    id: FileId(75),
                    org: OrgId(1),
                    owner: Some(FileOwner::Application(AppId(200))),
                    field: None,
                    name: "паспорт заявителя (скан).jpg".into(),
                    size: 2_310_144,
                    sha256: String::new(),
                    added_by: Some(UserId(2)),
                    added: at(28),
                },
            ]),
            row: 1,
            max_bytes: 10 << 20,
        },
        scroll: 0,
        scroll_max: Default::default(),
    }));
    if let (Screen::App(v), Some(sel)) = (&mut a.screen, menu) {
        let mut m = v.actions_menu();
        m.selected = sel;
        v.menu = Some(m);
    }
    a
}

#[test]
fn application_card() {
    shot("app_card_data", &app_card(AppTab::Data, None));
    shot("app_card_history", &app_card(AppTab::History, None));
    shot("app_card_actions", &app_card(AppTab::Data, Some(1)));
    shot("app_card_outgoing", &app_card(AppTab::Outgoing, None));
    shot("app_card_regional_empty", &app_card(AppTab::Regional, None));
    shot("app_card_files", &app_card(AppTab::Files, None));
    // A node that serves «Окно документов»: the card's page on its bottom border.
    let mut a = app_card(AppTab::Files, None);
    if let Some(s) = &mut a.session {
        s.web = Some("https://10.0.0.5:8443".into());
    }
    assert_eq!(
        a.web_link().as_deref(),
        Some("https://10.0.0.5:8443/a/2026-000300")
    );
    shot("app_card_files_web_link", &a);
    // A draft at the desk: «Зарегистрировать», then «Отказать в приёме документов».
    let mut a = app_card(AppTab::Data, None);
    if let Screen::App(v) = &mut a.screen {
        v.card.app.status = volost_domain::Status::Draft;
        v.card.actions = vec![volost_domain::Action::Register];
        v.card.refuse_intake = true;
        v.menu = Some(v.actions_menu());
    }
    shot("app_card_draft_actions", &a);
    shot(
        "app_card_inventory_empty",
        &app_card(AppTab::Inventory, None),
    );
    let mut a = app_card(AppTab::Inventory, None);
    let Screen::App(v) = &mut a.screen else {
        unreachable!()
    };
    v.card.app.inventory = inventory();
    v.row = 1;
    shot("app_card_inventory", &a);
}

/// Two documents received: the statement in the original and a copy of the passport.
fn inventory() -> Vec<Received> {
    vec![
        Received {
            name: "Заявление о выдаче выписки из похозяйственной книги".into(),
            original: true,
            copies: 1,
            sheets: 1,
        },
        Received {
            name: "Документ, удостоверяющий личность заявителя".into(),
            original: false,
            copies: 1,
            sheets: 2,
        },
    ]
}

/// «Опись»: a line added through its form (opened with the service's next document), one
/// changed and one removed, the receipt asked for — all decided on plain state.
#[test]
fn the_inventory_tab_adds_changes_removes_and_prints() {
    use volost_tui::keymap::Cmd;
    use volost_tui::screens::effect::Effect;
    use volost_tui::screens::form::Purpose;
    let mut a = app_card(AppTab::Inventory, None);
    let Screen::App(v) = &mut a.screen else {
        unreachable!()
    };
    v.card.service.documents = vec![
        "Заявление о выдаче выписки из похозяйственной книги".into(),
        "Документ, удостоверяющий личность заявителя".into(),
    ];
    v.card.app.inventory = inventory()[..1].to_vec();
    let Some(Effect::Fill(form)) = v.handle(Some(Cmd::Add)) else {
        panic!("F7 opens the line's form")
    };
    assert!(matches!(
        form.purpose,
        Purpose::Inventory { line: None, .. }
    ));
    assert_eq!(
        form.inputs[0].value,
        "Документ, удостоверяющий личность заявителя"
    );
    assert_eq!(form.inputs[2].value, "1");
    let mut data = form.data();
    data.insert("original".into(), "Копия".into());
    data.insert("sheets".into(), "2".into());
    let items = volost_tui::screens::inventory::with_line(&v.card.app.inventory, None, &data);
    assert_eq!(items, inventory());
    let mut shown = main_app(3);
    shown.screen = Screen::Fill(form);
    shot("inventory_form", &shown);
    let Screen::App(v) = &mut a.screen else {
        unreachable!()
    };
    v.card.app.inventory = inventory();
    v.handle(Some(Cmd::Down));
    assert_eq!(v.row, 1);
    assert!(matches!(
        v.handle(Some(Cmd::Edit)),
        Some(Effect::Fill(f)) if matches!(f.purpose, Purpose::Inventory { line: Some(1), .. })
    ));
    assert!(matches!(
        v.handle(Some(Cmd::Remove)),
        Some(Effect::SetInventory(AppId(200), items)) if items == inventory()[..1]
    ));
    assert!(matches!(
        v.handle(Some(Cmd::Print)),
        Some(Effect::Print(AppId(200), DocumentKind::Receipt))
    ));
}

/// A form longer than the screen: values wrap under themselves, the last row says more is
/// below, and ↓ / PgDn scroll no further than the end.
#[test]
fn a_long_application_card_scrolls() {
    let mut a = app_card(AppTab::Data, None);
    let Screen::App(v) = &mut a.screen else {
        unreachable!()
    };
    let template = v.card.service.fields[0].clone();
    for i in 1..=14 {
        let mut f = template.clone();
        f.key = format!("extra{i}");
        f.label = format!("Дополнительное сведение {i}");
        v.card
            .app
            .data
            .insert(f.key.clone(), format!("значение {i}"));
        v.card.service.fields.push(f);
    }
    v.card.app.data.insert(
        "extra1".into(),
        "Для государственной регистрации права на земельный участок под индивидуальное жилищное строительство".into(),
    );
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| volost_tui::ui::draw(f, &a)).unwrap();
    insta::assert_snapshot!("app_card_long_top_80x24", t.backend());
    let key = |c| crossterm::event::KeyEvent::from(c);
    for _ in 0..5 {
        a.handle_key(key(crossterm::event::KeyCode::PageDown));
    }
    t.draw(|f| volost_tui::ui::draw(f, &a)).unwrap();
    insta::assert_snapshot!("app_card_long_end_80x24", t.backend());
    let Screen::App(v) = &a.screen else {
        unreachable!()
    };
    assert_eq!(v.scroll, v.scroll_max.get(), "no further than the end");
    a.handle_key(key(crossterm::event::KeyCode::Up));
    let Screen::App(v) = &a.screen else {
        unreachable!()
    };
    assert_eq!(v.scroll + 1, v.scroll_max.get());
}

#[test]
fn new_application_form() {
    let mut a = main_app(3);
    let svc = match app_card(AppTab::Data, None).screen {
        Screen::App(v) => v.card.service.clone(),
        _ => unreachable!(),
    };
    let mut form = volost_tui::screens::form::DataForm::application(svc);
    form.inputs[0].value = "Семёнов Пётр Ильич".into();
    form.inputs[1].value = "112-233-445 96".into();
    form.check(1);
    form.focus = 6;
    form.message = Some(volost_tui::text::FIX_FIELDS.into());
    a.screen = Screen::Fill(Box::new(form));
    shot("new_app_form", &a);
    // Esc with typed data asks first; «нет» keeps the form, «да» leaves it.
    let esc = || crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc);
    let enter = || crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter);
    a.handle_key(esc());
    assert!(a.dialog.is_some());
    a.handle_key(esc());
    assert!(a.dialog.is_none() && matches!(a.screen, Screen::Fill(_)));
    // Ctrl+C with typed data asks too, and Esc goes back to the form as it was.
    let ctrl_c = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('c'),
        crossterm::event::KeyModifiers::CONTROL,
    );
    a.handle_key(ctrl_c);
    assert!(!a.quit);
    assert_eq!(
        a.dialog.as_ref().map(|d| d.title),
        Some(volost_tui::text::QUIT_TITLE)
    );
    shot("quit_with_typed_data", &a);
    a.handle_key(esc());
    assert!(a.dialog.is_none() && matches!(a.screen, Screen::Fill(_)) && !a.quit);
    a.handle_key(esc());
    a.handle_key(enter());
    assert!(matches!(a.screen, Screen::Main));
}

#[test]
fn choosing_the_service_of_a_new_application() {
    let mut a = main_app(3);
    a.main.apps.rows = app_rows();
    let names = [
        "Выдача выписки из похозяйственной книги",
        "Присвоение адреса объекту адресации, изменение и аннулирование такого адреса",
        "Выдача разрешения (ордера) на проведение земляных работ",
    ];
    a.main.popup = Some(volost_tui::app::Menu {
        title: volost_tui::text::CHOOSE_SERVICE,
        items: names.iter().map(|n| n.to_string()).collect(),
        selected: 1,
        kind: volost_tui::app::MenuKind::Services(Vec::new()),
    });
    shot("new_app_services", &a);
}

#[test]
fn the_filter_panel() {
    let mut a = main_app(0);
    for c in "выписк".chars() {
        a.main.task_filter.type_char(c);
    }
    a.main.task_filter.focus = 1;
    a.main.task_filter.cycle(true);
    a.main.filtering = true;
    shot("filter_panel", &a);
}

#[test]
fn read_only_support() {
    let mut a = main_app(0);
    if let Some(s) = &mut a.session {
        s.rights = Rights::default()
            .with(Right::ViewTasks)
            .with(Right::Monitoring);
        s.login = "orlov".into();
        s.full_name = "Орлов Денис Андреевич".into();
    }
    shot("read_only", &a);
    a.handle_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::F(2),
    ));
    assert!(matches!(a.banner, Some(Banner::Info(ref m)) if m.contains("только для просмотра")));
}

fn out_rows() -> Vec<OutRow> {
    let kinds = [
        ("Сведения о зарегистрированных правах (ЕГРН)", "Росреестр"),
        ("Сведения о регистрации по месту жительства", "МВД России"),
        ("Сведения из ЕГРЮЛ", "ФНС России"),
    ];
    (0..6)
        .map(|i| OutRow {
            id: OutReqId(500 + i),
            number: format!("МВ-2026-{:06}", 40 - i),
            kind: kinds[i as usize % 3].0.into(),
            agency: kinds[i as usize % 3].1.into(),
            status: OutStatus::ALL[i as usize % 8],
            created: Ts(1_795_402_800_000 - i as i64 * 86_400_000),
            updated: Ts(1_795_402_800_000 - i as i64 * 3_600_000),
        })
        .collect()
}

#[test]
fn request_lists() {
    let mut a = main_app(4);
    a.main.out.rows = out_rows();
    a.main.out.selected = 2;
    shot("outgoing", &a);

    let mut a = main_app(5);
    a.main.inc.rows = (0..4)
        .map(|i| InRow {
            id: InReqId(600 + i),
            number: format!("ВХ-2026-{:06}", 12 - i),
            kind: "Сведения о составе семьи (похозяйственная книга)".into(),
            status: if i == 3 {
                InStatus::Answered
            } else {
                InStatus::Received
            },
            received: Ts(1_795_402_800_000 - (8 - i as i64) * 86_400_000),
            planned: time::Date::from_calendar_date(2026, time::Month::November, 20 + i as u8)
                .unwrap(),
            overdue: i < 2,
        })
        .collect();
    shot("incoming", &a);

    let mut a = main_app(6);
    a.main.reg.rows = vec![
        RegRow {
            id: RegReqId(700),
            subject: "Сведения о земельном участке 22:14:050101:12".into(),
            counterpart: "Администрация Заречного района".into(),
            to_us: false,
            status: RegStatus::New,
            created: Ts(1_795_402_800_000 - 86_400_000),
        },
        RegRow {
            id: RegReqId(701),
            subject: "Копия постановления о присвоении адреса".into(),
            counterpart: "Берёзовский сельсовет".into(),
            to_us: true,
            status: RegStatus::Done,
            created: Ts(1_795_402_800_000 - 5 * 86_400_000),
        },
    ];
    shot("regional", &a);
}

fn request_card(tab: ReqTab) -> App {
    let mut a = main_app(4);
    let at = |h: i64| Ts(1_795_402_800_000 - h * 3_600_000);
    let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
    a.screen = Screen::Req(Box::new(ReqView {
        id: ReqRef::Out(OutReqId(502)),
        number: "МВ-2026-000038".into(),
        title: "Номер запроса МВ-2026-000038 · Сведения из ЕГРЮЛ".into(),
        tab,
        data: vec![
            kv("Номер запроса", "МВ-2026-000038"),
            kv("Статус", OutStatus::Answered.label()),
            kv("Вид сведений", "Сведения из ЕГРЮЛ"),
            kv("Ведомство", "ФНС России"),
            kv("Заявка", "2026-000300"),
            kv("Исполнитель", "Иванова Марина Сергеевна"),
            kv("Дата создания", &at(30).display(a.offset)),
            kv("Дата отправки", &at(29).display(a.offset)),
            kv("Дата ответа", &at(3).display(a.offset)),
            kv("", ""),
            kv("Сведения запроса", ""),
            kv("ОГРН", "1022200000019"),
        ],
        answer: vec![
            kv("Полное наименование", "ООО «Заречное»"),
            kv("Адрес", "с. Петропавловское, ул. Ленина, 1"),
        ],
        history: vec![
            HistoryEntry {
                at: at(30),
                by: Some(UserId(2)),
                what: OutStatus::Formed.label().into(),
                comment: String::new(),
                status: Some(0),
            },
            HistoryEntry {
                at: at(3),
                by: None,
                what: OutStatus::Answered.label().into(),
                comment: String::new(),
                status: Some(4),
            },
        ],
        actions: Vec::new(),
        menu: None,
        from_app: Some(AppId(200)),
        files: FilesTab {
            owner: FileOwner::Outgoing(OutReqId(502)),
            files: Some(Vec::new()),
            row: 0,
            max_bytes: 10 << 20,
        },
        scroll: 0,
        scroll_max: Default::default(),
    }));
    a
}

#[test]
fn request_card_tabs() {
    shot("request_card_data", &request_card(ReqTab::Data));
    shot("request_card_answer", &request_card(ReqTab::Answer));
    shot("request_card_history", &request_card(ReqTab::History));
    shot("request_card_files_empty", &request_card(ReqTab::Files));
}

/// A request signed with the employee's ЭП-СП, the answer's verified; the PIN dialog over
/// the card; and the status line's warning about a certificate near its end.
#[test]
fn personal_signature() {
    let mut a = request_card(ReqTab::Data);
    if let Screen::Req(v) = &mut a.screen {
        let at = v.data.iter().position(|(k, _)| k.is_empty()).unwrap_or(0);
        v.data.insert(
            at,
            (
                volost_tui::text::R_PERSONAL_ANSWER.into(),
                "ЭП-СП верна (Орлова Нина Павловна, ФНС России)".into(),
            ),
        );
        v.data.insert(
            at,
            (
                volost_tui::text::R_PERSONAL_REQUEST.into(),
                "Иванова Марина Сергеевна, Петропавловский сельсовет".into(),
            ),
        );
    }
    let cert = volost_api::CertView {
        login: "ivanova".into(),
        subject: "Иванова Марина Сергеевна, Петропавловский сельсовет".into(),
        serial: "0A1B".into(),
        not_before: Ts(0),
        not_after: Ts(0),
        days_left: 12,
        blocked: false,
        on_token: false,
    };
    if let Some(s) = &mut a.session {
        s.personal_cert = Some(cert.clone());
    }
    a.node_cert_days = Some(9);
    shot("personal_card", &a);
    a.dialog = Some(Dialog {
        title: volost_tui::text::PIN_TITLE,
        text: format!("{} {}", volost_tui::text::PIN_TEXT, cert.subject),
        inputs: vec![Field {
            label: volost_tui::text::PIN,
            value: "1234".into(),
            secret: true,
            error: Some("Неверный PIN-код ЭП-СП: осталось попыток 4".into()),
        }],
        focus: 0,
        then: Pending::Pin(PinFor::Submit(OutReqId(502), Some(AppId(200)))),
    });
    shot("personal_pin", &a);
}

#[test]
fn request_form_and_filter() {
    let mut a = main_app(4);
    let mut ogrn = field("ogrn", "ОГРН");
    ogrn.hint = Some("13 цифр".into());
    let kind = RequestKind {
        id: KindId(1),
        org: OrgId(1),
        code: "egrul".into(),
        name: "Сведения из ЕГРЮЛ".into(),
        agency: "ФНС России".into(),
        namespace: "urn://x-artefacts-fns-egrul/root/260-18/4.0.1".into(),
        root: "EGRULRequest".into(),
        answer_root: "EGRULResponse".into(),
        sign_personal: false,
        fields: vec![ogrn, field("inn", "ИНН организации")],
        answer_fields: Vec::new(),
        active: true,
    };
    let mut form = volost_tui::screens::form::DataForm::outgoing(kind, Some(AppId(200)));
    form.inputs[0].value = "102220000001".into();
    form.check(0);
    form.focus = 1;
    a.screen = Screen::Fill(Box::new(form));
    shot("request_form", &a);

    let mut a = main_app(4);
    a.main.out.rows = out_rows();
    a.main.out_filter.focus = 2;
    for c in "01.11.2026".chars() {
        a.main.out_filter.type_char(c);
    }
    a.main.filtering = true;
    shot("outgoing_filter", &a);
}

#[test]
fn administration() {
    let mut a = main_app(0);
    let role = |code: &str, name: &str, rights: &[Right]| Role {
        id: RoleId(1),
        code: code.into(),
        name: name.into(),
        rights: rights.iter().copied().collect(),
    };
    let user = |id: u64, login: &str, name: &str, role: &str, active: bool, temp: bool| {
        volost_api::UserView {
            id: UserId(id),
            login: login.into(),
            full_name: name.into(),
            dept: None,
            roles: vec![role.into()],
            groups: vec![GroupId(1)],
            must_change_password: temp,
            active,
            position: String::new(),
            phone: String::new(),
        }
    };
    let day = |m: time::Month, d: u8| time::Date::from_calendar_date(2026, m, d).unwrap();
    let mut v = volost_tui::screens::admin::AdminView {
        tab: volost_tui::screens::admin::AdminTab::Users,
        row: 1,
        users: vec![
            user(1, "admin", "Администратор", "admin", true, false),
            user(
                2,
                "ivanova",
                "Иванова Марина Сергеевна",
                "specialist",
                true,
                false,
            ),
            user(
                3,
                "petrov",
                "Петров Алексей Николаевич",
                "specialist",
                false,
                false,
            ),
            user(4, "novikova", "Новикова Анна Юрьевна", "head", true, true),
        ],
        roles: vec![
            role(
                "admin",
                "Администратор",
                &[Right::Administer, Right::ViewTasks],
            ),
            role(
                "specialist",
                "Специалист",
                &[Right::ViewTasks, Right::Decide, Right::Interagency],
            ),
            role(
                "head",
                "Руководитель",
                &[Right::Approve, Right::AssignExecutors],
            ),
        ],
        depts: Vec::new(),
        groups: Vec::new(),
        calendar: Calendar {
            holidays: [day(time::Month::January, 1), day(time::Month::December, 31)]
                .into_iter()
                .collect(),
            workdays: [day(time::Month::December, 27)].into_iter().collect(),
            ..Calendar::official()
        },
        services: Vec::new(),
        kinds: Vec::new(),
        menu: None,
    };
    a.screen = Screen::Admin(Box::new(v));
    shot("admin_users", &a);
    if let Screen::Admin(b) = &mut a.screen {
        b.tab = volost_tui::screens::admin::AdminTab::Roles;
    }
    shot("admin_roles", &a);
    v = match std::mem::replace(&mut a.screen, Screen::Main) {
        Screen::Admin(b) => *b,
        _ => unreachable!(),
    };
    v.tab = volost_tui::screens::admin::AdminTab::Calendar;
    v.row = 0;
    a.screen = Screen::Admin(Box::new(v));
    shot("admin_calendar", &a);
}

#[test]
fn archive() {
    use volost_api::{ArchiveDoc, ArchiveRow, ArchiveTask, ArchiveTree};
    use volost_tui::screens::archive::{ArchiveView, Search};
    let mut a = main_app(7);
    let day =
        |d: u8, h: i64| Ts(1_795_402_800_000 - i64::from(23 - d) * 86_400_000 + h * 3_600_000);
    let svc = "Выдача выписки из похозяйственной книги";
    let row = |n: u64, applicant: &str, verdict| ArchiveRow {
        process: ProcessId(n),
        service: svc.into(),
        application: Some(AppId(n)),
        number: Some(format!("2026-00{:04}", 100 + n)),
        applicant: Some(applicant.into()),
        result: Some(Status::Closed),
        verdict,
        started: day(10 + n as u8, 0),
        finished: day(12 + n as u8, 5),
        tasks: 2,
    };
    let rows = vec![
        row(3, "Семёнов Пётр Ильич", Some(Verdict::Approve)),
        row(2, "Орлова Анна Викторовна", Some(Verdict::Refuse)),
        row(1, "Ковалёв Сергей Павлович", None),
    ];
    let task =
        |id: u64, step: &str, who: &str, at: Ts, overdue: u32, docs: Vec<ArchiveDoc>| ArchiveTask {
            id: TaskId(id),
            name: format!("{step} ({svc})"),
            executor: Some(who.into()),
            created: at,
            due: time::Date::from_calendar_date(2026, time::Month::November, 14).unwrap(),
            completed: Some(at),
            overdue_days: overdue,
            documents: docs,
        };
    let tree = ArchiveTree {
        row: rows[1].clone(),
        before: vec![ArchiveDoc::File {
            id: FileId(1),
            name: "заявление.pdf".into(),
            size: 48_213,
        }],
        tasks: vec![
            task(
                21,
                "Приём и регистрация заявления",
                "Иванова М. С.",
                day(13, 2),
                0,
                vec![
                    ArchiveDoc::Outgoing {
                        id: OutReqId(5),
                        number: "2026-М-000017".into(),
                        kind: "Сведения из ЕГРН".into(),
                        status: OutStatus::Answered,
                    },
                    ArchiveDoc::Decision {
                        verdict: Verdict::Refuse,
                        reason: "Не представлены документы".into(),
                    },
                ],
            ),
            task(
                22,
                "Подписание выписки главой сельсовета",
                "Соколова Т. И.",
                day(17, 4),
                2,
                Vec::new(),
            ),
        ],
    };
    let v = ArchiveView {
        search: Search::default(),
        filter: Default::default(),
        rows,
        next: Some(volost_api::Cursor(vec![1])),
        open: [(ProcessId(2), tree)].into_iter().collect(),
        sel: 2,
        services: Vec::new(),
    };
    a.screen = Screen::Archive(Box::new(v));
    shot("archive_tree", &a);
    let v = ArchiveView {
        search: Search {
            applicant: "Кузьмин".into(),
            ..Search::default()
        },
        filter: Default::default(),
        rows: Vec::new(),
        next: None,
        open: Default::default(),
        sel: 0,
        services: Vec::new(),
    };
    a.screen = Screen::Archive(Box::new(v));
    shot("archive_nothing_found", &a);
}

#[test]
fn statistics() {
    use volost_api::{AddresseeLine, ExecutorLine, Report, ServiceLine};
    use volost_tui::screens::stats::{Preset, StatsView};
    let mut a = main_app(8);
    let line = |name: &str, n: u64, ok: u64, no: u64| ServiceLine {
        service: name.into(),
        received: n,
        by_source: [n - n / 3, n / 3, 0, 0],
        approved: ok,
        refused: no,
        avg_days: Some(1.5),
        max_days: Some(4),
    };
    let services = vec![
        line("Выдача выписки из похозяйственной книги", 34, 20, 6),
        line(
            "Присвоение адреса объекту адресации, изменение и аннулирование такого адреса",
            21,
            15,
            2,
        ),
        line("Совершение нотариальных действий", 9, 7, 1),
    ];
    let mut total = line("Итого", 64, 42, 9);
    total.by_source = [43, 21, 0, 0];
    let exec = |name: &str, done: u64, overdue: u64| ExecutorLine {
        name: name.into(),
        done,
        overdue,
    };
    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::November, d).unwrap();
    let r = Report {
        from: day(1),
        to: day(23),
        dept: None,
        services,
        total,
        tasks: 180,
        tasks_overdue: 27,
        executors: vec![
            exec("Иванова М. С.", 71, 9),
            exec("Петров А. Н.", 52, 4),
            exec("Соколова Т. И.", 30, 0),
        ],
        requests: vec![
            (OutStatus::Sent, 4),
            (OutStatus::Answered, 12),
            (OutStatus::NotSent, 0),
        ],
        addressees: vec![AddresseeLine {
            agency: "Росреестр".into(),
            count: 16,
            answered: 12,
            avg_answer_hours: Some(26.25),
        }],
    };
    a.screen = Screen::Stats(Box::new(StatsView {
        preset: Some(Preset::ThisMonth),
        from: day(1),
        to: day(23),
        dept: None,
        report: Some(r),
    }));
    shot("statistics", &a);
}

fn registry_service() -> Service {
    Service {
        id: ServiceId(1),
        org: OrgId(1),
        code: "2200000000163001001".into(),
        name: "Выдача выписки из похозяйственной книги".into(),
        deadline_days: 5,
        fee: "Бесплатно".into(),
        regulation: "Постановление администрации Петропавловского сельсовета от 12.03.2024 № 17 \
                     «Об утверждении административного регламента»"
            .into(),
        places: vec![
            "Администрация сельсовета, с. Петропавловское, ул. Центральная, 1, каб. 2".into(),
            "МФЦ Заречного района (по соглашению)".into(),
        ],
        documents: vec![
            "Заявление".into(),
            "Документ, удостоверяющий личность заявителя".into(),
        ],
        results: vec![
            "Выписка из похозяйственной книги".into(),
            "Уведомление об отказе".into(),
        ],
        steps: vec![
            Step {
                name: "Приём и регистрация заявления".into(),
                roles: vec![RoleId(1)],
                days: 1,
            },
            Step {
                name: "Подготовка выписки".into(),
                roles: vec![RoleId(1)],
                days: 3,
            },
            Step {
                name: "Подписание главой".into(),
                roles: vec![RoleId(2)],
                days: 1,
            },
        ],
        fields: vec![
            field("purpose", "Цель получения выписки"),
            volost_domain::Field {
                ftype: FieldType::Choice,
                required: false,
                choices: vec!["Лично".into(), "Почтой".into()],
                ..field("delivery", "Способ получения результата")
            },
            volost_domain::Field {
                ftype: FieldType::Number,
                min: Some(1900),
                max: Some(2100),
                ..field("year", "Год, с которого нужны сведения")
            },
        ],
        active: true,
        intake: None,
    }
}

fn registry_roles() -> Vec<Role> {
    vec![
        Role {
            id: RoleId(1),
            code: "specialist".into(),
            name: "Специалист".into(),
            rights: Rights::default(),
        },
        Role {
            id: RoleId(2),
            code: "head".into(),
            name: "Руководитель".into(),
            rights: Rights::default(),
        },
    ]
}

#[test]
fn service_registry() {
    let mut a = main_app(9);
    let full = registry_service();
    let bare = Service {
        id: ServiceId(2),
        code: "2200000000163001014".into(),
        name: "Выдача архивных справок, архивных выписок и копий архивных документов".into(),
        regulation: String::new(),
        places: Vec::new(),
        deadline_days: 20,
        ..full.clone()
    };
    let off = Service {
        id: ServiceId(3),
        name: "Совершение нотариальных действий главой местной администрации поселения".into(),
        active: false,
        ..full.clone()
    };
    a.screen = Screen::Registry(Box::new(volost_tui::screens::registry::RegistryView {
        org: org(),
        services: vec![full, bare, off],
        roles: registry_roles(),
        sel: 0,
        scroll: 0,
    }));
    shot("registry", &a);
    if let Screen::Registry(v) = &mut a.screen {
        v.sel = 1;
    }
    shot("registry_incomplete", &a);
    let form = volost_tui::screens::registry::passport_form(&registry_service());
    a.screen = Screen::Fill(Box::new(form));
    shot("registry_passport_form", &a);
}

#[test]
fn template_editor() {
    use volost_tui::screens::template::{TemplateView, TplTab};
    let mut a = main_app(10);
    let mut v = TemplateView::service(&registry_service(), registry_roles());
    a.screen = Screen::Template(Box::new(v.clone()));
    shot("template_steps", &a);
    v.tab = TplTab::Fields;
    v.row = 1;
    v.dirty = true;
    a.screen = Screen::Template(Box::new(v.clone()));
    shot("template_fields", &a);
    let form = Box::new(v).form(volost_tui::screens::template::LineRef::Field {
        answer: false,
        at: Some(1),
    });
    a.screen = Screen::Fill(Box::new(form));
    shot("template_field_form", &a);
}

fn setup_view() -> volost_tui::screens::setup::SetupView {
    use volost_tui::screens::setup::{SetupView, Start};
    SetupView::new(Start {
        org: volost_api::NewOrg {
            name: "Администрация сельсовета".into(),
            ..Default::default()
        },
        admin_login: "admin".into(),
        network: volost_api::setup::Network::Dhcp,
        time_zone: Some("Asia/Barnaul".into()),
        cancellable: false,
        address_now: Some("192.168.1.34/24".into()),
        ..Default::default()
    })
}

fn setup_shot(name: &str, v: &volost_tui::screens::setup::SetupView) {
    for (w, h) in SIZES {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| volost_tui::ui::setup::draw(f, v)).unwrap();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

/// The first boot's setup: the answers, a static address chosen, faults by the lines, and
/// what the installer reads when it is saved.
#[test]
fn first_boot_setup() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use volost_tui::screens::setup::{Item, Outcome, Refusal};
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    let mut v = setup_view();
    setup_shot("setup_first_boot", &v);
    let saved = std::cell::RefCell::new(Vec::new());
    let mut save = |a: &volost_api::setup::Answers| -> Result<Vec<String>, Refusal> {
        saved.borrow_mut().push(a.clone());
        Ok(vec!["Орган: Администрация сельсовета".into()])
    };
    // Esc cannot leave the first setup: the administrator has no password yet.
    v.handle_key(key(KeyCode::Esc), &mut save);
    assert_eq!(v.outcome, None);
    assert!(v.message.is_some());
    // To the network line, a static address, and a gateway outside its network.
    while v.focus != Item::Network {
        v.handle_key(key(KeyCode::Tab), &mut save);
    }
    v.handle_key(key(KeyCode::Right), &mut save);
    v.set(Item::Password, "berezovka-2026".into());
    v.set(Item::Repeat, "berezovka-2026".into());
    v.set(Item::Address, "10.0.0.5/24".into());
    v.set(Item::Gateway, "10.0.1.1".into());
    v.handle_key(key(KeyCode::F(2)), &mut save);
    assert_eq!(v.focus, Item::Gateway);
    assert!(saved.borrow().is_empty());
    setup_shot("setup_refused", &v);
    v.set(Item::Gateway, "10.0.0.1".into());
    v.handle_key(key(KeyCode::F(2)), &mut save);
    assert_eq!(saved.borrow().len(), 1);
    assert_eq!(saved.borrow()[0].time_zone, "Asia/Barnaul");
    setup_shot("setup_saved", &v);
    v.handle_key(key(KeyCode::Enter), &mut save);
    assert_eq!(v.outcome, Some(Outcome::Saved));
}

/// The node's signer chosen on the setup screen: the token's lines replace the container's,
/// and the token's refusal of the PIN is said against its line.
#[test]
fn the_setup_offers_the_token_and_says_its_refusal_on_its_line() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use volost_api::setup::label;
    use volost_tui::screens::setup::{Item, Refusal};
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    let mut v = setup_view();
    let saved = std::cell::RefCell::new(Vec::new());
    let mut save = |a: &volost_api::setup::Answers| -> Result<Vec<String>, Refusal> {
        saved.borrow_mut().push(a.clone());
        Err(Refusal {
            fields: vec![volost_api::FieldError {
                field: label::PKCS11_PIN.into(),
                message: "Токен не принял PIN-код".into(),
            }],
            message: None,
        })
    };
    while v.focus != Item::Signer {
        v.handle_key(key(KeyCode::Tab), &mut save);
    }
    assert!(v.items().contains(&Item::Container));
    v.handle_key(key(KeyCode::Right), &mut save);
    assert!(!v.items().contains(&Item::Container));
    assert!(v.items().contains(&Item::Pkcs11Pin));
    v.set(Item::Password, "berezovka-2026".into());
    v.set(Item::Repeat, "berezovka-2026".into());
    v.set(Item::Pkcs11Module, "/usr/lib/librtpkcs11ecp.so".into());
    v.set(Item::Pkcs11Token, "Rutoken ECP".into());
    v.set(Item::Pkcs11KeyId, "01".into());
    v.set(Item::Pkcs11Pin, "12345678".into());
    v.handle_key(key(KeyCode::F(2)), &mut save);
    let a = &saved.borrow()[0];
    assert_eq!(
        (
            a.signer.as_str(),
            a.pkcs11_token.as_str(),
            a.pkcs11_pin.as_str()
        ),
        ("pkcs11", "Rutoken ECP", "12345678")
    );
    assert_eq!(v.focus, Item::Pkcs11Pin);
    setup_shot("setup_token_refused", &v);
}

/// The application card decides on plain state what it can and asks for the rest: no
/// terminal, no daemon.
#[test]
fn the_application_card_handles_its_commands_on_plain_state() {
    use volost_tui::keymap::Cmd;
    use volost_tui::screens::effect::Effect;
    let mut a = app_card(AppTab::Data, None);
    let Screen::App(v) = &mut a.screen else {
        panic!("the application card")
    };
    assert!(v.handle(Some(Cmd::NextTab)).is_none());
    assert_eq!(v.tab, AppTab::Inventory);
    v.tab = AppTab::Outgoing;
    assert!(matches!(
        v.handle(Some(Cmd::Add)),
        Some(Effect::NewRequest {
            regional: false,
            application: Some(AppId(200))
        })
    ));
    // «Действия» opens its menu here; Esc closes it here; Enter asks for the action.
    assert!(v.handle(Some(Cmd::Actions)).is_none());
    assert!(v.menu.is_some());
    assert!(v.handle(Some(Cmd::Back)).is_none());
    assert!(v.menu.is_none());
    v.handle(Some(Cmd::Actions));
    assert!(matches!(
        v.handle(Some(Cmd::Submit)),
        Some(Effect::ApplicationAction(AppId(200), _))
    ));
    assert!(v.menu.is_none());
    // Not a draft: said so; back out to the list.
    assert!(matches!(
        v.handle(Some(Cmd::Edit)),
        Some(Effect::Info(m)) if m == volost_tui::text::NOT_A_DRAFT
    ));
    assert!(matches!(v.handle(Some(Cmd::Back)), Some(Effect::List)));
    v.from_task = Some(TaskId(104));
    assert!(matches!(
        v.handle(Some(Cmd::Back)),
        Some(Effect::OpenTask(TaskId(104)))
    ));
}

/// The request card, likewise on plain state.
#[test]
fn the_request_card_handles_its_commands_on_plain_state() {
    use volost_tui::keymap::Cmd;
    use volost_tui::screens::effect::Effect;
    let mut a = request_card(ReqTab::Data);
    let Screen::Req(v) = &mut a.screen else {
        panic!("the request card")
    };
    // No actions on this one: said so, no menu.
    assert!(matches!(
        v.handle(Cmd::Actions),
        Some(Effect::Info(m)) if m == volost_tui::text::NO_ACTIONS
    ));
    assert!(v.menu.is_none());
    assert!(v.handle(Cmd::NextTab).is_none());
    assert_ne!(v.tab, ReqTab::Data);
    assert!(matches!(
        v.handle(Cmd::Refresh),
        Some(Effect::OpenRequest(_, Some(AppId(200))))
    ));
    // Back goes to the application it was opened on, on its interagency tab.
    assert!(matches!(
        v.handle(Cmd::Back),
        Some(Effect::OpenApplicationAt(AppId(200), AppTab::Outgoing))
    ));
    v.from_app = None;
    assert!(matches!(v.handle(Cmd::Back), Some(Effect::List)));
}

/// The main screen on plain state: the menu, the list, sorting, paging, the filter panel and
/// the pop-up menu are its own; reading lists and opening cards are asked of the runner.
#[test]
fn the_main_screen_handles_its_commands_on_plain_state() {
    use crossterm::event::{KeyCode, KeyEvent};
    use volost_api::{Cursor, TaskCol};
    use volost_tui::keymap::Cmd;
    use volost_tui::screens::effect::Effect;
    let none = KeyEvent::from(KeyCode::Null);
    let mut m = main_app(0).main;
    // The list: ↓ moves inside the chunk with no reading; past its end with a next chunk,
    // the chunk is to be read and the cursor has moved on.
    assert!(m.handle(Some(Cmd::Down), &none).is_none());
    assert_eq!(m.list.selected, 3);
    m.list.next = Some(Cursor(vec![1]));
    assert!(matches!(
        m.handle(Some(Cmd::PageDown), &none),
        Some(Effect::ReadChunk)
    ));
    assert_eq!((m.list.selected, m.list.back.len()), (0, 1));
    // ↑ past the top goes back to the chunk before, to its last row.
    assert!(matches!(
        m.handle(Some(Cmd::Up), &none),
        Some(Effect::ReadChunk)
    ));
    assert!(m.list.back.is_empty());
    // F6 sorts by the next column, from the top.
    let before = m.list.query.sort;
    assert!(matches!(
        m.handle(Some(Cmd::Sort), &none),
        Some(Effect::Reload)
    ));
    assert_ne!(m.list.query.sort, before);
    assert_eq!(m.list.selected, 0);
    assert!(TaskCol::of(m.list.query.queue).contains(&m.list.query.sort));
    // Enter opens the selected task; a task command names it.
    m.list.selected = 1;
    let id = m.list.rows[1].id;
    assert!(matches!(m.handle(Some(Cmd::Open), &none), Some(Effect::OpenTask(t)) if t == id));
    assert!(matches!(
        m.handle(Some(Cmd::Claim), &none),
        Some(Effect::Task(Cmd::Claim, t)) if t == id
    ));
    // A section by its key; a key no section of this user has is said so.
    assert!(matches!(
        m.handle(Some(Cmd::Section(b'4')), &none),
        Some(Effect::OpenSection(3))
    ));
    m.sections.retain(|s| *s != Section::Admin);
    assert!(matches!(
        m.handle(Some(Cmd::Section(b'a')), &none),
        Some(Effect::Info(t)) if t == volost_tui::text::NO_SECTION
    ));
    // The menu: ↓ moves there, Enter opens.
    m.handle(Some(Cmd::FocusMenu), &none);
    m.handle(Some(Cmd::Down), &none);
    assert!(matches!(
        m.handle(Some(Cmd::Submit), &none),
        Some(Effect::OpenSection(1))
    ));
    assert!(!m.menu_focus);
    // The filter panel: opening it asks for its picks; a bad date keeps it open and says
    // why; Esc closes it with nothing read.
    assert!(matches!(
        m.handle(Some(Cmd::Filter), &none),
        Some(Effect::LoadPicks)
    ));
    assert!(m.filtering);
    assert!(matches!(
        m.handle(Some(Cmd::Submit), &none),
        Some(Effect::ApplyFilters)
    ));
    assert!(!m.filtering);
    // «/» asks its question with the dialog that carries what «yes» does.
    assert!(matches!(
        m.handle(Some(Cmd::Search), &none),
        Some(Effect::Confirm(d)) if matches!(d.then, Pending::Search)
    ));
}

/// The screens of their own sections, on plain state: the registry, the template editor and
/// the statistics move themselves and ask the runner for what reads or writes.
#[test]
fn the_section_screens_handle_their_commands_on_plain_state() {
    use volost_tui::keymap::Cmd;
    use volost_tui::screens::effect::Effect;
    use volost_tui::screens::stats::{Preset, StatsView};
    use volost_tui::screens::template::{LineRef, TemplateView, TplTab};
    // «Реестр услуг»: a reader moves and is told the passports are the administrator's.
    let mut r = volost_tui::screens::registry::RegistryView {
        org: org(),
        services: vec![registry_service(), registry_service()],
        roles: registry_roles(),
        sel: 0,
        scroll: 3,
    };
    assert!(r.handle(Cmd::Down, false).is_none());
    assert_eq!((r.sel, r.scroll), (1, 0));
    assert!(matches!(
        r.handle(Cmd::Edit, false),
        Some(Effect::Info(t)) if t == volost_tui::text::RG_ADMIN_ONLY
    ));
    assert!(matches!(r.handle(Cmd::Edit, true), Some(Effect::Fill(_))));
    assert!(matches!(
        r.handle(Cmd::ExportSigned, true),
        Some(Effect::ExportRegistry)
    ));
    assert!(matches!(
        r.handle(Cmd::Refresh, true),
        Some(Effect::OpenRegistry(Some(ServiceId(1))))
    ));
    assert!(matches!(
        r.handle(Cmd::Back, true),
        Some(Effect::OpenSection(0))
    ));
    // The template editor: tabs and lines are its own; a change makes leaving ask first.
    let mut t = TemplateView::service(&registry_service(), registry_roles());
    assert!(t.handle(Cmd::NextTab).is_none());
    assert_ne!(t.tab, TplTab::Head);
    assert!(matches!(t.handle(Cmd::Back), Some(Effect::LeaveTemplate)));
    t.dirty = true;
    assert!(matches!(
        t.handle(Cmd::Back),
        Some(Effect::Confirm(d)) if matches!(d.then, Pending::LeaveTemplate)
    ));
    assert!(matches!(
        t.handle(Cmd::Add),
        Some(Effect::EditTemplateLine(
            LineRef::Step(None) | LineRef::Field { at: None, .. }
        ))
    ));
    assert!(matches!(t.handle(Cmd::Save), Some(Effect::SaveTemplate)));
    // «Статистика»: the next preset is dated by the day given, then read.
    let today = time::Date::from_calendar_date(2026, time::Month::November, 23).unwrap();
    let mut s = StatsView {
        preset: Some(Preset::ThisMonth),
        from: today,
        to: today,
        dept: None,
        report: None,
    };
    assert!(matches!(
        s.handle(Cmd::NextChoice, today),
        Some(Effect::ReadReport)
    ));
    assert_ne!(s.preset, Some(Preset::ThisMonth));
    assert_eq!(s.preset.map(|p| p.days(today)), Some((s.from, s.to)));
    assert!(matches!(
        s.handle(Cmd::Export, today),
        Some(Effect::Export(volost_api::Exported::Report(q))) if q.from == s.from
    ));
}
