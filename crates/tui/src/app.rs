//! The TUI's state — the screen on top, the main screen under it, a dialog or the help over
//! them, the status line's facts — and where a key goes: through the keymap to the dialog
//! or the screen, whose effect the runner (`crate::run`) carries out. Drawing is in `ui`;
//! this module never draws and `ui` never changes state, so a screen is a pure function of
//! `App` (and the snapshot tests build `App`s directly).

use crate::conn::Conn;
use crate::keymap::{Cmd, Ctx, lookup};
use crate::screens::effect::{Effect, Pending};
use crate::screens::form::{DataForm, Purpose};
use crate::screens::requests::ReqView;
use crate::screens::session::login_form;
use crate::text;
use crate::widgets::filter::{For, Panel};
use crate::widgets::{Answer, Form};
use crossterm::event::KeyEvent;
use volost_api::{LinkState, SessionInfo};
use volost_domain::{Org, Queue, RequestKind, Right, UserId};

// The screens' and widgets' types the rest of the TUI (and its tests) name through `App`.
pub use crate::screens::application::{AppTab, AppView};
pub use crate::screens::effect::Dialog;
pub use crate::screens::main::{MainView, Section};
pub use crate::screens::menu::{Menu, MenuKind};
pub use crate::screens::task::{Card, Tab};
pub use crate::widgets::list::{AppList, CHUNK, InList, OutList, RegList, TaskList};

/// The screen on top.
pub enum Screen {
    Login(Form),
    Password {
        form: Form,
        forced: bool,
    },
    Main,
    Card(Box<Card>),
    // Boxed: a card with its form data is large, and screens move by value.
    App(Box<AppView>),
    /// A form generated from a template: a new application, a request, an answer.
    Fill(Box<DataForm>),
    Req(Box<ReqView>),
    Admin(Box<crate::screens::admin::AdminView>),
    Archive(Box<crate::screens::archive::ArchiveView>),
    Stats(Box<crate::screens::stats::StatsView>),
    Registry(Box<crate::screens::registry::RegistryView>),
    /// The template editor of a service or request kind.
    Template(Box<crate::screens::template::TemplateView>),
}

/// A line over the footer: what just happened, or went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Banner {
    Info(String),
    Error(String),
}

pub struct App {
    pub conn: Conn,
    pub session: Option<SessionInfo>,
    pub org: Option<Org>,
    pub screen: Screen,
    /// The main screen's state: it stays while cards are open over it.
    pub main: MainView,
    pub help: bool,
    pub banner: Option<Banner>,
    pub quit: bool,
    /// The clock shown in the status line (set by the event loop, fixed in tests).
    pub now: String,
    /// The node's local time offset, from the session.
    pub offset: time::UtcOffset,
    /// The node's change number when the list was last read (see [`App::tick`]).
    pub seen: u64,
    /// The SMEV link as the daemon last told it (status line); none before the first pulse.
    pub smev: Option<LinkState>,
    pub dialog: Option<Dialog>,
    /// The body's request kinds, read once per session when a request is first shown.
    pub kinds: Option<Vec<RequestKind>>,
    /// The body's staff by id, for the names on request cards.
    pub people: Vec<(UserId, String)>,
    /// A send or an answer waiting for its ЭП-СП in the web page, on a connection of its own.
    pub token_wait: Option<crate::screens::effect::TokenWait>,
    /// The demo's PIN of ЭП-СП, shown in the PIN dialog so that a newcomer can sign.
    pub demo_pin: Option<String>,
    /// Days left on the node's own certificate (ЭП-ОВ), as the exchange worker read it.
    pub node_cert_days: Option<i64>,
    /// The node signs with uncertified cryptography (the OpenSSL engine).
    pub uncertified: bool,
    /// How far the production calendar is confirmed, as the last pulse said.
    pub calendar: Option<volost_api::CalendarStatus>,
    /// The node's disk is (nearly) full: the status line says so to everyone.
    pub disk_low: bool,
}

impl App {
    /// The address of the page in «Окно документов» that shows what this screen shows, when
    /// the node serves it: an application's card.
    pub fn web_link(&self) -> Option<String> {
        let web = self.session.as_ref()?.web.as_ref()?;
        match &self.screen {
            Screen::App(v) => Some(format!("{web}/a/{}", v.card.app.number)),
            _ => None,
        }
    }

    pub fn new(conn: Conn) -> App {
        App {
            conn,
            session: None,
            org: None,
            screen: Screen::Login(login_form()),
            main: MainView::default(),
            help: false,
            banner: None,
            quit: false,
            now: String::new(),
            offset: time::UtcOffset::UTC,
            seen: 0,
            smev: None,
            demo_pin: None,
            node_cert_days: None,
            uncertified: false,
            calendar: None,
            disk_low: false,
            dialog: None,
            kinds: None,
            people: Vec::new(),
            token_wait: None,
        }
    }

    /// The commands that apply now.
    pub fn ctx(&self) -> Ctx {
        if self.help {
            Ctx::Help
        } else if self.dialog.is_some() {
            Ctx::Dialog
        } else {
            self.screen_ctx()
        }
    }

    /// The commands of the screen itself (under the help, when it is open).
    pub fn screen_ctx(&self) -> Ctx {
        match &self.screen {
            Screen::Login(_) | Screen::Password { .. } => Ctx::Form,
            Screen::Card(_) => Ctx::Card,
            Screen::App(v) if v.menu.is_some() => Ctx::ActionMenu,
            Screen::App(v) if v.on_files() => Ctx::Files,
            Screen::App(v) if v.on_inventory() => Ctx::Inventory,
            Screen::Req(v) if v.on_files() => Ctx::Files,
            Screen::App(v) if matches!(v.tab, AppTab::Outgoing | AppTab::Regional) => {
                Ctx::AppRequests
            }
            Screen::App(_) => Ctx::AppCard,
            Screen::Fill(f) if matches!(f.purpose, Purpose::Application(_)) => Ctx::AppForm,
            Screen::Fill(_) => Ctx::DataForm,
            Screen::Req(v) if v.menu.is_some() => Ctx::ActionMenu,
            Screen::Req(_) => Ctx::ReqCard,
            Screen::Admin(v) if v.menu.is_some() => Ctx::ActionMenu,
            Screen::Admin(_) => Ctx::Admin,
            Screen::Archive(_) => Ctx::Archive,
            Screen::Stats(_) => Ctx::Stats,
            Screen::Registry(_) => Ctx::Registry,
            Screen::Template(_) => Ctx::Template,
            Screen::Main if self.main.popup.is_some() => Ctx::ActionMenu,
            Screen::Main if self.main.filtering => Ctx::Filter,
            Screen::Main if self.main.menu_focus => Ctx::Menu,
            Screen::Main => match self.current().map(Section::list) {
                Some(For::Apps) => Ctx::Apps,
                Some(For::Outgoing) => Ctx::Outgoing,
                Some(For::Regional) => Ctx::Regional,
                Some(For::Incoming) => Ctx::Incoming,
                _ if self.main.list.query.queue == Queue::Mine => Ctx::MyTasks,
                _ => Ctx::Tasks,
            },
        }
    }

    /// The kind of list the current section shows.
    pub fn list_kind(&self) -> For {
        self.main.list_kind()
    }

    /// The filter panel of the current list.
    pub fn panel(&self) -> &Panel {
        self.main.panel()
    }

    pub fn current(&self) -> Option<Section> {
        self.main.current()
    }

    /// A session whose rights change nothing (regional support): it sees everything its
    /// rights allow, and no command that writes is offered or run.
    pub fn read_only(&self) -> bool {
        self.session.as_ref().is_some_and(|s| {
            s.rights
                .iter()
                .all(|r| matches!(r, Right::ViewTasks | Right::Monitoring))
        })
    }

    /// Does the signed-in user have right `r`?
    pub fn has(&self, r: Right) -> bool {
        self.session.as_ref().is_some_and(|s| s.rights.has(r))
    }

    /// The footer and the help leave out what changes data: in a read-only session, and in
    /// «Реестр услуг» for anyone but an administrator (the passports are theirs to change).
    pub fn shows_no_writes(&self) -> bool {
        let registry_reader =
            matches!(self.screen, Screen::Registry(_)) && !self.has(Right::Administer);
        self.read_only() || registry_reader
    }

    /// Why leaving the program now would lose something, if it would: the demo's node stops
    /// with it for every session; a form or a template holds what was typed.
    pub fn quit_needs_asking(&self) -> Option<&'static str> {
        if self.demo_pin.is_some() && self.session.is_some() {
            return Some(text::QUIT_DEMO);
        }
        match &self.screen {
            Screen::Fill(form) if form.changed() => Some(text::QUIT_UNSAVED),
            Screen::Template(v) if v.dirty => Some(text::QUIT_UNSAVED),
            _ => None,
        }
    }

    /// A paste (the terminal's bracketed paste): the whole text goes into the focused text
    /// field at its cursor, line breaks kept where the field holds several lines. Without
    /// it, a terminal types a pasted text key by key and each line break is an Enter, which
    /// sends the form half-filled.
    pub fn paste(&mut self, text: &str) {
        if self.help {
            return;
        }
        if let Some(d) = &mut self.dialog {
            return d.paste(text);
        }
        match &mut self.screen {
            Screen::Login(form) | Screen::Password { form, .. } => form.paste(text),
            Screen::Main if self.main.filtering => self.main.panel_mut().paste(text),
            Screen::Fill(form) => form.paste(text),
            _ => {}
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        let ctx = self.ctx();
        let cmd = lookup(ctx, key);
        if self.read_only() && cmd.is_some_and(Cmd::writes) {
            self.banner = Some(Banner::Info(text::READ_ONLY_REFUSED.into()));
            return;
        }
        if cmd == Some(Cmd::Quit) {
            // Asked first where leaving loses something; Ctrl+C or F10 again in the question
            // leaves.
            let asked = self
                .dialog
                .as_ref()
                .is_some_and(|d| matches!(d.then, Pending::Quit));
            match self.quit_needs_asking() {
                Some(why) if !asked => {
                    self.dialog = Some(Dialog::new(
                        text::QUIT_TITLE,
                        why,
                        Vec::new(),
                        Pending::Quit,
                    ));
                }
                _ => self.quit = true,
            }
            return;
        }
        if self.help {
            if cmd.is_some() {
                self.help = false;
            }
            return;
        }
        if cmd == Some(Cmd::Help) {
            self.help = true;
            return;
        }
        if cmd == Some(Cmd::SignWithToken)
            && let Some(Pending::Pin(what)) = self.dialog.as_ref().map(|d| d.then.clone())
        {
            self.dialog = None;
            self.run(Effect::SignWithToken(what));
            return;
        }
        if let Some(d) = &mut self.dialog {
            match d.handle(cmd, &key) {
                Some(Answer::No) => self.dialog = None,
                Some(Answer::Yes) => {
                    if let Some(d) = self.dialog.take() {
                        self.run(Effect::Answer(Box::new(d)));
                    }
                }
                None => {}
            }
            return;
        }
        // A key on the list and section screens and on a request card puts the last
        // message away; on the other cards and forms it stays until something new is said.
        let clears = matches!(
            self.screen,
            Screen::Main
                | Screen::Req(_)
                | Screen::Admin(_)
                | Screen::Archive(_)
                | Screen::Stats(_)
                | Screen::Registry(_)
                | Screen::Template(_)
        );
        if clears && cmd.is_some() {
            self.banner = None;
        }
        // What the screen needs from outside comes in as an argument: its handling is pure.
        let (today, may_edit) = (self.today(), self.has(Right::Administer));
        let effect = match &mut self.screen {
            Screen::Login(form) => crate::screens::session::handle_login(form, cmd, &key),
            Screen::Password { form, forced } => {
                crate::screens::session::handle_password(form, *forced, cmd, &key)
            }
            Screen::Main => self.main.handle(cmd, &key),
            Screen::Fill(form) => form.handle(cmd, &key),
            Screen::Card(c) => c.handle(cmd),
            Screen::App(v) => v.handle(cmd),
            Screen::Req(v) => cmd.and_then(|c| v.handle(c)),
            Screen::Admin(v) => cmd.and_then(|c| v.handle(c)),
            Screen::Archive(v) => cmd.and_then(|c| v.handle(c)),
            Screen::Stats(v) => cmd.and_then(|c| v.handle(c, today)),
            Screen::Registry(v) => cmd.and_then(|c| v.handle(c, may_edit)),
            Screen::Template(v) => cmd.and_then(|c| v.handle(c)),
        };
        if let Some(e) = effect {
            self.run(e);
        }
    }

    /// The node's local date now.
    pub(crate) fn today(&self) -> time::Date {
        time::OffsetDateTime::now_utc()
            .to_offset(self.offset)
            .date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyCode;
    use volost_api::TaskCard;

    #[test]
    fn leaving_asks_first_only_where_something_would_be_lost() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), crossterm::event::KeyModifiers::CONTROL);
        let app = || {
            App::new(crate::conn::Conn::new(std::path::Path::new(
                "/nonexistent/s",
            )))
        };
        // Nothing typed: out at once.
        let mut a = app();
        a.handle_key(ctrl_c);
        assert!(a.quit);
        // The demo's node stops with the program: asked; Esc stays, Ctrl+C again leaves.
        let mut a = app();
        a.demo_pin = Some("123456".into());
        a.session = Some(volost_api::SessionInfo {
            token: None,
            user: volost_domain::UserId(2),
            org: volost_domain::OrgId(1),
            login: "demo".into(),
            full_name: "Иванова М. С.".into(),
            dept: None,
            rights: Default::default(),
            groups: Vec::new(),
            must_change_password: false,
            idle_timeout_minutes: 30,
            utc_offset_seconds: 0,
            max_file_bytes: 0,
            personal_cert: None,
            web: None,
        });
        a.screen = Screen::Main;
        a.handle_key(KeyEvent::from(KeyCode::F(10)));
        assert!(!a.quit);
        assert_eq!(a.dialog.as_ref().map(|d| d.title), Some(text::QUIT_TITLE));
        a.handle_key(KeyEvent::from(KeyCode::Esc));
        assert!(!a.quit && a.dialog.is_none());
        a.handle_key(KeyEvent::from(KeyCode::F(10)));
        a.handle_key(ctrl_c);
        assert!(a.quit);
        // Enter in the question leaves too.
        a.quit = false;
        a.handle_key(ctrl_c);
        a.handle_key(KeyEvent::from(KeyCode::Enter));
        assert!(a.quit);
    }

    #[test]
    fn a_field_is_edited_in_the_middle_and_a_paste_keeps_its_lines() {
        let mut a = App::new(crate::conn::Conn::new(std::path::Path::new(
            "/nonexistent/volost.sock",
        )));
        let key = |a: &mut App, code| a.handle_key(KeyEvent::from(code));
        // The login form: a typo mended where it is, not by erasing the word.
        for c in "ivonova".chars() {
            key(&mut a, KeyCode::Char(c));
        }
        for code in [KeyCode::Home, KeyCode::Right, KeyCode::Right] {
            key(&mut a, code);
        }
        key(&mut a, KeyCode::Delete);
        key(&mut a, KeyCode::Char('a'));
        key(&mut a, KeyCode::End);
        key(&mut a, KeyCode::Char('!'));
        key(&mut a, KeyCode::Left);
        key(&mut a, KeyCode::Backspace);
        let Screen::Login(form) = &a.screen else {
            panic!("the login form")
        };
        assert_eq!(form.value(0), "ivanov!");
        // A multi-line text pasted into a form's text field keeps its lines; a choice still
        // turns with ←/→.
        let mut s = volost_domain::Service {
            fields: vec![
                volost_domain::Field {
                    key: "purpose".into(),
                    label: "Цель".into(),
                    ftype: volost_domain::FieldType::Text,
                    required: false,
                    choices: Vec::new(),
                    max_len: None,
                    min: None,
                    max: None,
                    hint: None,
                },
                volost_domain::Field {
                    key: "ok".into(),
                    label: "Согласие".into(),
                    ftype: volost_domain::FieldType::Choice,
                    required: false,
                    choices: vec!["Да".into(), "Нет".into()],
                    max_len: None,
                    min: None,
                    max: None,
                    hint: None,
                },
            ],
            ..crate::screens::form::tests::sample_service()
        };
        s.active = true;
        let mut form = DataForm::application(s);
        let purpose = form.inputs.len() - 2;
        form.focus = purpose;
        a.screen = Screen::Fill(Box::new(form));
        a.paste("для банка;\r\nкопия в МФЦ");
        key(&mut a, KeyCode::Home);
        key(&mut a, KeyCode::Char('1'));
        key(&mut a, KeyCode::Char(' '));
        key(&mut a, KeyCode::Down);
        key(&mut a, KeyCode::Right);
        let Screen::Fill(form) = &a.screen else {
            panic!("the form")
        };
        assert_eq!(form.inputs[purpose].value, "1 для банка;\nкопия в МФЦ");
        assert_eq!(form.inputs[purpose + 1].value, "Да");
    }

    #[test]
    fn a_section_keeps_its_key_whatever_the_role() {
        let mut a = App::new(crate::conn::Conn::new(std::path::Path::new(
            "/nonexistent/volost.sock",
        )));
        // A specialist's menu has no interagency, statistics or administration sections:
        // «Заявки на услуги» is still 4, «Реестр услуг» 0, as for an administrator.
        a.main.sections = vec![
            Section::GroupTasks,
            Section::MyTasks,
            Section::DoneTasks,
            Section::Applications,
            Section::Archive,
            Section::Registry,
        ];
        a.screen = Screen::Main;
        a.handle_key(KeyEvent::from(KeyCode::Char('4')));
        assert_eq!(a.current(), Some(Section::Applications));
        // «a» (Ф) is «Администрирование», which a specialist has not: said so, nothing moves.
        a.handle_key(KeyEvent::from(KeyCode::Char('ф')));
        assert_eq!(a.current(), Some(Section::Applications));
        assert!(
            matches!(&a.banner, Some(Banner::Info(m)) if m == text::NO_SECTION),
            "{:?}",
            a.banner
        );
        let keys: Vec<char> = Section::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(
            keys.iter().collect::<std::collections::BTreeSet<_>>().len(),
            11
        );
    }

    #[test]
    fn a_task_card_turns_its_tabs_itself_and_asks_the_runner_for_the_rest() {
        use crate::screens::effect::Effect;
        use volost_domain::{AppId, TaskId};
        use volost_domain::{GroupId, OrgId, ProcessId, ServiceId, Task, TaskNames, Ts, UserId};
        let task = Task {
            id: TaskId(7),
            org: OrgId(1),
            group: GroupId(1),
            process: ProcessId(1),
            service: ServiceId(1),
            application: Some(AppId(3)),
            step: 0,
            name: "Проверка документов".into(),
            name_id: 1,
            author: UserId(1),
            created: Ts(0),
            due: time::macros::date!(2026 - 12 - 10),
            holder: None,
            completed: None,
            withdrawn: false,
            names: TaskNames::default(),
        };
        let mut c = Card {
            card: TaskCard {
                task,
                application: Some("2026-000003".into()),
                due_provisional: false,
                holder: None,
                history: Vec::new(),
            },
            map: None,
            tab: Tab::Data,
        };
        assert!(c.handle(Some(Cmd::NextTab)).is_none());
        assert_eq!(c.tab, Tab::History);
        assert!(matches!(c.handle(Some(Cmd::Back)), Some(Effect::List)));
        assert!(matches!(
            c.handle(Some(Cmd::Open)),
            Some(Effect::OpenApplicationAt(AppId(3), AppTab::Data))
        ));
        assert!(matches!(
            c.handle(Some(Cmd::Claim)),
            Some(Effect::Task(Cmd::Claim, TaskId(7)))
        ));
        c.card.task.application = None;
        assert!(matches!(
            c.handle(Some(Cmd::Open)),
            Some(Effect::Info(m)) if m == text::TASK_NO_APP
        ));
        assert!(c.handle(None).is_none());
    }

    #[test]
    fn enter_in_the_password_form_moves_on_and_sends_from_the_last_field() {
        let mut a = App::new(crate::conn::Conn::new(std::path::Path::new(
            "/nonexistent/volost.sock",
        )));
        a.screen = Screen::Password {
            form: crate::screens::session::password_form(true),
            forced: true,
        };
        let enter = KeyEvent::from(KeyCode::Enter);
        let focus = |a: &App| match &a.screen {
            Screen::Password { form, .. } => Some(form.focus),
            _ => None,
        };
        let n = match &a.screen {
            Screen::Password { form, .. } => form.fields.len(),
            _ => 0,
        };
        assert!(n > 1);
        for i in 1..n {
            a.handle_key(enter);
            assert_eq!(focus(&a), Some(i), "Enter moves to field {i}");
        }
        // On the last field Enter sends: the empty form is refused where it stands.
        a.handle_key(enter);
        assert!(matches!(a.screen, Screen::Password { .. }));
    }
}
