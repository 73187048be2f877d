//! The TUI's state and what keys do to it. Drawing is in `ui`; this module never draws and
//! `ui` never changes state, so a screen is a pure function of `App` (and the snapshot tests
//! build `App`s directly).

use crate::conn::Conn;
use crate::keymap::{Cmd, Ctx, lookup};
use crate::text;
use crossterm::event::{KeyCode, KeyEvent};
use volost::api::client::ClientError;
use volost::api::{Call, SessionInfo};
use volost::domain::{
    Action, AppId, Department, DeptId, Org, Process, Queue, Right, Service, Task, TaskId, Verdict,
};
use volost::service::{
    ActionInput, AppCol, ApplicationCard, ProcessMap, TaskCard, TaskCol, UserView,
};

pub use crate::list::{AppList, CHUNK, TaskList};

/// A section of the menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    GroupTasks,
    MyTasks,
    DoneTasks,
    Applications,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::GroupTasks,
        Section::MyTasks,
        Section::DoneTasks,
        Section::Applications,
    ];

    pub fn label(self) -> &'static str {
        match self.queue() {
            Some(q) => q.label(),
            None => text::APPLICATIONS,
        }
    }

    /// The task queue the section lists, if it lists one.
    pub fn queue(self) -> Option<Queue> {
        match self {
            Section::GroupTasks => Some(Queue::Group),
            Section::MyTasks => Some(Queue::Mine),
            Section::DoneTasks => Some(Queue::Done),
            Section::Applications => None,
        }
    }

    fn right(self) -> Right {
        Right::ViewTasks
    }
}

/// A text field of a form.
#[derive(Clone, Debug, Default)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    pub secret: bool,
    /// The message shown next to the field.
    pub error: Option<String>,
}

impl Field {
    fn new(label: &'static str, secret: bool) -> Field {
        Field {
            label,
            secret,
            ..Field::default()
        }
    }
}

/// A small form: fields, the focused one, and a message under them.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub title: &'static str,
    pub intro: Option<&'static str>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub message: Option<String>,
}

impl Form {
    fn type_key(&mut self, key: KeyEvent) {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        match key.code {
            KeyCode::Char(c) => {
                f.value.push(c);
                f.error = None;
            }
            KeyCode::Backspace => {
                f.value.pop();
            }
            _ => {}
        }
    }

    fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(|f| f.value.as_str()).unwrap_or("")
    }

    /// Marks empty fields «Требуется»; true when all are filled.
    fn require_all(&mut self) -> bool {
        let mut ok = true;
        for f in &mut self.fields {
            if f.value.is_empty() {
                f.error = Some(text::REQUIRED.into());
                ok = false;
            }
        }
        ok
    }
}

pub enum Screen {
    Login(Form),
    Password { form: Form, forced: bool },
    Main,
    Card(Card),
    // Boxed: a card with its form data is large, and screens move by value.
    App(Box<AppView>),
    NewApp(Box<crate::form::AppForm>),
}

/// The tabs of a task card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Data,
    History,
    Map,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Data, Tab::History, Tab::Map];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Data => text::TAB_DATA,
            Tab::History => text::TAB_HISTORY,
            Tab::Map => text::TAB_MAP,
        }
    }
}

/// A task card: the task, its history, the map of its process.
pub struct Card {
    pub card: TaskCard,
    pub map: Option<ProcessMap>,
    pub tab: Tab,
}

/// What a dialog does when the user says yes.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    TakeOver(TaskId),
    Complete(TaskId),
    Finish(TaskId),
    SetDue(TaskId),
    /// An action on an application; the inputs are the comment, or reason and message.
    Act(AppId, Action),
    /// `:` — go to the section whose name holds what was typed.
    Jump,
    /// `/` — a task by a word of its name, an application by its number.
    Search,
    /// Leave the new-application form, losing what was typed.
    LeaveForm,
}

/// A question, or lines to type, over the screen.
pub struct Dialog {
    pub title: &'static str,
    pub text: String,
    /// The lines to type, if the dialog asks for any.
    pub inputs: Vec<Field>,
    pub focus: usize,
    pub then: Pending,
}

impl Dialog {
    fn new(
        title: &'static str,
        text: impl Into<String>,
        inputs: Vec<Field>,
        then: Pending,
    ) -> Dialog {
        Dialog {
            title,
            text: text.into(),
            inputs,
            focus: 0,
            then,
        }
    }

    fn value(&self, i: usize) -> String {
        self.inputs
            .get(i)
            .map(|f| f.value.trim().to_string())
            .unwrap_or_default()
    }
}

/// The tabs of an application card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppTab {
    Data,
    History,
}

impl AppTab {
    pub const ALL: [AppTab; 2] = [AppTab::Data, AppTab::History];

    pub fn label(self) -> &'static str {
        match self {
            AppTab::Data => text::TAB_DATA,
            AppTab::History => text::TAB_HISTORY,
        }
    }
}

/// What a pop-up menu over a card chooses.
pub enum MenuKind {
    /// «Действия»: exactly the actions of the application's current status.
    Actions(Vec<Action>),
    /// «Назначить исполнителя»: the body's active staff.
    Executors(Vec<UserView>),
    /// «Новая заявка»: the services of the body.
    Services(Vec<Service>),
    /// «Запуск услуги», first step: the department (or the body as a whole).
    LaunchDepts(Vec<Option<Department>>),
    /// «Запуск услуги», second step: the service, in the department chosen.
    LaunchServices(Option<DeptId>, Vec<Service>),
}

/// A pop-up menu: its title, its lines, the selected one.
pub struct Menu {
    pub title: &'static str,
    pub items: Vec<String>,
    pub selected: usize,
    pub kind: MenuKind,
}

/// An application card, and a menu over it when one is open.
pub struct AppView {
    pub card: ApplicationCard,
    pub tab: AppTab,
    pub menu: Option<Menu>,
}

impl AppView {
    /// The «Действия» menu.
    pub fn actions_menu(&self) -> Menu {
        let acts = self.card.actions.clone();
        Menu {
            title: text::ACTIONS_TITLE,
            items: acts.iter().map(|a| a.label().to_string()).collect(),
            selected: 0,
            kind: MenuKind::Actions(acts),
        }
    }
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
    pub sections: Vec<Section>,
    pub section: usize,
    pub menu_focus: bool,
    pub list: TaskList,
    pub apps: AppList,
    pub help: bool,
    pub banner: Option<Banner>,
    pub quit: bool,
    /// The clock shown in the status line (set by the event loop, fixed in tests).
    pub now: String,
    /// The node's local time offset, from the session.
    pub offset: time::UtcOffset,
    /// The node's change number when the list was last read (see [`App::tick`]).
    pub seen: u64,
    pub dialog: Option<Dialog>,
    /// A menu over the main screen (the services of «Новая заявка»).
    pub popup: Option<Menu>,
    /// The filter panels of the task queues and of the applications; they stay as set while
    /// the user opens cards and comes back.
    pub task_filter: crate::filter::Panel,
    pub app_filter: crate::filter::Panel,
    /// The filter panel of the current list is open.
    pub filtering: bool,
}

fn login_form() -> Form {
    Form {
        title: text::LOGIN_TITLE,
        intro: Some(text::LOGIN_HINT),
        fields: vec![
            Field::new(text::LOGIN, false),
            Field::new(text::PASSWORD, true),
        ],
        ..Form::default()
    }
}

fn password_form(forced: bool) -> Form {
    Form {
        title: text::CHANGE_TITLE,
        intro: forced.then_some(text::CHANGE_FORCED),
        fields: vec![
            Field::new(text::OLD_PASSWORD, true),
            Field::new(text::NEW_PASSWORD, true),
            Field::new(text::REPEAT_PASSWORD, true),
        ],
        ..Form::default()
    }
}

impl App {
    pub fn new(conn: Conn) -> App {
        App {
            conn,
            session: None,
            org: None,
            screen: Screen::Login(login_form()),
            sections: Vec::new(),
            section: 0,
            menu_focus: false,
            list: TaskList::new(Queue::Group),
            apps: AppList::new(),
            help: false,
            banner: None,
            quit: false,
            now: String::new(),
            offset: time::UtcOffset::UTC,
            seen: 0,
            dialog: None,
            popup: None,
            task_filter: crate::filter::Panel::tasks(),
            app_filter: crate::filter::Panel::apps(),
            filtering: false,
        }
    }

    /// Called when no key came for a while: if another session changed something, the list
    /// is read again, keeping its filters, sort, chunk and selection.
    pub fn tick(&mut self) {
        if !matches!(self.screen, Screen::Main) || self.session.is_none() {
            return;
        }
        match self.conn.call::<u64>(Call::Changes) {
            Ok(seq) if seq != self.seen => {
                self.seen = seq;
                self.reload();
            }
            Ok(_) => {}
            Err(e) => self.failed(&e),
        }
    }

    /// Signs in with a known login and password (the demo opens the TUI this way).
    pub fn sign_in(&mut self, login: &str, password: &str) {
        if let Screen::Login(form) = &mut self.screen {
            form.fields[0].value = login.into();
            form.fields[1].value = password.into();
            form.focus = 1;
        }
        self.submit_form();
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
            Screen::App(_) => Ctx::AppCard,
            Screen::NewApp(_) => Ctx::AppForm,
            Screen::Main if self.popup.is_some() => Ctx::ActionMenu,
            Screen::Main if self.filtering => Ctx::Filter,
            Screen::Main if self.menu_focus => Ctx::Menu,
            Screen::Main if self.current() == Some(Section::Applications) => Ctx::Apps,
            Screen::Main if self.list.query.queue == Queue::Mine => Ctx::MyTasks,
            Screen::Main => Ctx::Tasks,
        }
    }

    pub fn current(&self) -> Option<Section> {
        self.sections.get(self.section).copied()
    }

    /// A failed call: the daemon's Russian message, or the connection banner; an ended
    /// session goes back to the login screen.
    fn failed(&mut self, e: &ClientError) {
        match e.api() {
            Some(a) if a.status == 401 => {
                let mut f = login_form();
                if let Some(s) = &self.session {
                    f.fields[0].value.clone_from(&s.login);
                    f.focus = 1;
                }
                f.message = Some(a.message.clone());
                self.session = None;
                self.conn.set_token(None);
                self.screen = Screen::Login(f);
            }
            Some(a) => self.banner = Some(Banner::Error(a.message.clone())),
            None => self.banner = Some(Banner::Error(text::NO_CONNECTION.into())),
        }
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

    pub fn handle_key(&mut self, key: KeyEvent) {
        let ctx = self.ctx();
        let cmd = lookup(ctx, key);
        if self.read_only() && cmd.is_some_and(Cmd::writes) {
            self.banner = Some(Banner::Info(text::READ_ONLY_REFUSED.into()));
            return;
        }
        if cmd == Some(Cmd::Quit) {
            self.quit = true;
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
        if let Some(d) = &mut self.dialog {
            match cmd {
                Some(Cmd::Back) => self.dialog = None,
                Some(Cmd::Submit) => self.confirm(),
                Some(Cmd::NextField) if !d.inputs.is_empty() => {
                    d.focus = (d.focus + 1) % d.inputs.len();
                }
                _ => {
                    if let Some(f) = d.inputs.get_mut(d.focus) {
                        match key.code {
                            KeyCode::Char(c) => f.value.push(c),
                            KeyCode::Backspace => {
                                f.value.pop();
                            }
                            _ => {}
                        }
                        f.error = None;
                    }
                }
            }
            return;
        }
        match &mut self.screen {
            Screen::Login(form) | Screen::Password { form, .. } => match cmd {
                Some(Cmd::NextField) => form.focus = (form.focus + 1) % form.fields.len(),
                Some(Cmd::PrevField) => {
                    form.focus = (form.focus + form.fields.len() - 1) % form.fields.len();
                }
                Some(Cmd::Submit) => self.submit_form(),
                Some(Cmd::Back) => self.back_from_form(),
                _ => form.type_key(key),
            },
            Screen::Main if self.popup.is_some() => match cmd {
                Some(Cmd::Back) => self.popup = None,
                Some(Cmd::Up) => {
                    if let Some(m) = &mut self.popup {
                        m.selected = m.selected.saturating_sub(1);
                    }
                }
                Some(Cmd::Down) => {
                    if let Some(m) = &mut self.popup {
                        m.selected = (m.selected + 1).min(m.items.len().saturating_sub(1));
                    }
                }
                Some(Cmd::Submit) => {
                    if let Some(m) = self.popup.take() {
                        self.popup_chosen(m);
                    }
                }
                _ => {}
            },
            Screen::Main if self.filtering => {
                let apps = self.current() == Some(Section::Applications);
                let panel = if apps {
                    &mut self.app_filter
                } else {
                    &mut self.task_filter
                };
                match cmd {
                    Some(Cmd::Back) => self.filtering = false,
                    Some(Cmd::Up) => panel.up(),
                    Some(Cmd::Down) => panel.down(),
                    Some(Cmd::NextChoice) => panel.cycle(true),
                    Some(Cmd::PrevChoice) => panel.cycle(false),
                    Some(Cmd::Toggle) => panel.toggle(),
                    Some(Cmd::ClearFilters) => panel.clear(),
                    Some(Cmd::Submit) => {
                        self.filtering = false;
                        self.apply_filters();
                    }
                    _ => match key.code {
                        KeyCode::Char(c) => panel.type_char(c),
                        KeyCode::Backspace => panel.backspace(),
                        _ => {}
                    },
                }
            }
            Screen::Main => {
                if let Some(cmd) = cmd {
                    self.banner = None;
                    self.main_command(cmd);
                }
            }
            Screen::NewApp(form) => match cmd {
                Some(Cmd::Back) if form.inputs.iter().any(|i| !i.value.trim().is_empty()) => {
                    self.dialog = Some(Dialog::new(
                        text::LEAVE_TITLE,
                        text::LEAVE_TEXT,
                        Vec::new(),
                        Pending::LeaveForm,
                    ));
                }
                Some(Cmd::Back) => {
                    self.screen = Screen::Main;
                }
                Some(Cmd::NextField) => form.move_focus(true),
                Some(Cmd::PrevField) => form.move_focus(false),
                Some(Cmd::Save) => self.save_form(),
                Some(Cmd::Lookup) => self.lookup_applicant(),
                Some(Cmd::NextChoice) => form.cycle_choice(true),
                Some(Cmd::PrevChoice) => form.cycle_choice(false),
                _ => match key.code {
                    KeyCode::Char(c) => form.type_char(c),
                    KeyCode::Backspace => form.backspace(),
                    _ => {}
                },
            },
            Screen::Card(c) => match cmd {
                Some(Cmd::Back) => {
                    self.screen = Screen::Main;
                    self.reload();
                }
                Some(Cmd::NextTab) => {
                    let i = Tab::ALL.iter().position(|t| *t == c.tab).unwrap_or(0);
                    c.tab = Tab::ALL[(i + 1) % Tab::ALL.len()];
                }
                Some(cmd) => {
                    self.banner = None;
                    let id = c.card.task.id;
                    self.task_command(cmd, id);
                }
                None => {}
            },
            Screen::App(v) => match (cmd, &mut v.menu) {
                (Some(Cmd::Back), Some(_)) => v.menu = None,
                (Some(Cmd::Back), None) => {
                    self.screen = Screen::Main;
                    self.reload();
                }
                (Some(Cmd::Up), Some(m)) => m.selected = m.selected.saturating_sub(1),
                (Some(Cmd::Down), Some(m)) => {
                    m.selected = (m.selected + 1).min(m.items.len().saturating_sub(1));
                }
                (Some(Cmd::Submit), Some(_)) => {
                    let id = v.card.app.id;
                    if let Some(m) = v.menu.take() {
                        self.chosen(id, m);
                    }
                }
                (Some(Cmd::Actions), None) => {
                    if v.card.actions.is_empty() {
                        self.banner = Some(Banner::Info(text::NO_ACTIONS.into()));
                    } else {
                        v.menu = Some(v.actions_menu());
                    }
                }
                (Some(Cmd::NextTab), None) => {
                    let i = AppTab::ALL.iter().position(|t| *t == v.tab).unwrap_or(0);
                    v.tab = AppTab::ALL[(i + 1) % AppTab::ALL.len()];
                }
                (Some(Cmd::Refresh), None) => {
                    let id = v.card.app.id;
                    self.open_app(id);
                }
                _ => {}
            },
        }
    }

    /// A line of the main screen's menu was chosen.
    fn popup_chosen(&mut self, m: Menu) {
        match m.kind {
            MenuKind::Services(list) => {
                if let Some(svc) = list.into_iter().nth(m.selected) {
                    self.screen = Screen::NewApp(Box::new(crate::form::AppForm::new(svc)));
                }
            }
            MenuKind::LaunchDepts(depts) => {
                let dept = depts.get(m.selected).cloned().flatten();
                match self
                    .conn
                    .call::<Vec<Service>>(Call::Services { all: false })
                {
                    Ok(list) => {
                        self.popup = Some(Menu {
                            title: text::LAUNCH_SERVICE,
                            items: list.iter().map(|s| s.name.clone()).collect(),
                            selected: 0,
                            kind: MenuKind::LaunchServices(dept.map(|d| d.id), list),
                        });
                    }
                    Err(e) => self.failed(&e),
                }
            }
            MenuKind::LaunchServices(dept, list) => {
                let Some(svc) = list.get(m.selected) else {
                    return;
                };
                let call = Call::LaunchService {
                    service: svc.id,
                    dept,
                };
                match self.conn.call::<Process>(call) {
                    Ok(_) => {
                        self.banner =
                            Some(Banner::Info(format!("{}: {}", text::LAUNCHED, svc.name)));
                        self.reload();
                    }
                    Err(e) => self.failed(&e),
                }
            }
            MenuKind::Actions(_) | MenuKind::Executors(_) => {}
        }
    }

    /// The people and services the filter panels offer, read once per session.
    fn load_picks(&mut self) {
        let people = match self.conn.call::<Vec<UserView>>(Call::Users) {
            Ok(list) => list
                .into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id.0, u.full_name))
                .collect(),
            Err(_) => Vec::new(),
        };
        let services: Vec<(u64, String)> = match self
            .conn
            .call::<Vec<Service>>(Call::Services { all: false })
        {
            Ok(list) => list.into_iter().map(|s| (s.id.0, s.name)).collect(),
            Err(_) => Vec::new(),
        };
        self.task_filter.add_picks(people.clone(), services.clone());
        self.app_filter.add_picks(people, services);
    }

    /// Puts the panel's filters into the current list's query and reads it from the top.
    fn apply_filters(&mut self) {
        let today = time::OffsetDateTime::now_utc()
            .to_offset(self.offset)
            .date();
        if self.current() == Some(Section::Applications) {
            self.apps.query.filter = self.app_filter.app_filter(today, self.offset);
        } else {
            self.list.query.filter = self.task_filter.task_filter(today, self.offset);
        }
        self.restart();
    }

    /// «Сохранить черновик»: the draft is created and its card opens, where
    /// «Зарегистрировать» is among the actions. Refused fields get their messages.
    fn save_form(&mut self) {
        let Screen::NewApp(form) = &mut self.screen else {
            return;
        };
        for i in 0..form.inputs.len() {
            form.check(i);
        }
        if let Some(i) = form.inputs.iter().position(|i| i.error.is_some()) {
            form.focus = i;
            form.message = Some(text::FIX_FIELDS.into());
            return;
        }
        let req = form.request();
        match self
            .conn
            .call::<volost::domain::Application>(Call::CreateApplication(req))
        {
            Ok(app) => {
                self.banner = Some(Banner::Info(format!(
                    "{} {}",
                    text::DRAFT_SAVED,
                    app.number
                )));
                self.open_app(app.id);
            }
            Err(e) => match e.api() {
                Some(a) if !a.fields.is_empty() => {
                    let fields = a.fields.clone();
                    let msg = a.message.clone();
                    if let Screen::NewApp(form) = &mut self.screen {
                        form.show_errors(&fields);
                        form.message = Some(msg);
                    }
                }
                _ => self.failed(&e),
            },
        }
    }

    /// «Найти заявителя»: by the СНИЛС (or ИНН) typed; one record found fills the applicant.
    fn lookup_applicant(&mut self) {
        let Screen::NewApp(form) = &mut self.screen else {
            return;
        };
        let Some(q) = form.lookup_key() else {
            form.message = Some(text::LOOKUP_NEEDS_KEY.into());
            return;
        };
        let found = self
            .conn
            .call::<Vec<volost::domain::Applicant>>(Call::FindApplicants { query: q, limit: 5 });
        let Screen::NewApp(form) = &mut self.screen else {
            return;
        };
        match found {
            Ok(list) => match list.first() {
                Some(a) => {
                    form.fill_applicant(a);
                    form.message = Some(format!("{}: {}", text::APPLICANT_FOUND, a.name));
                }
                None => form.message = Some(text::APPLICANT_NOT_FOUND.into()),
            },
            Err(e) => match e.api() {
                Some(a) => {
                    let (fields, msg) = (a.fields.clone(), a.message.clone());
                    form.show_errors(&fields);
                    form.message = Some(msg);
                }
                None => form.message = Some(e.ru()),
            },
        }
    }

    /// A line of a card's menu was chosen.
    fn chosen(&mut self, id: AppId, m: Menu) {
        match m.kind {
            MenuKind::Actions(acts) => match acts.get(m.selected).cloned() {
                Some(Action::AssignExecutor(_)) => match self
                    .conn
                    .call::<Vec<UserView>>(Call::Users)
                {
                    Ok(users) => {
                        let users: Vec<UserView> = users.into_iter().filter(|u| u.active).collect();
                        if let Screen::App(v) = &mut self.screen {
                            v.menu = Some(Menu {
                                title: text::EXECUTOR_TITLE,
                                items: users
                                    .iter()
                                    .map(|u| format!("{} ({})", u.full_name, u.roles.join(", ")))
                                    .collect(),
                                selected: 0,
                                kind: MenuKind::Executors(users),
                            });
                        }
                    }
                    Err(e) => self.failed(&e),
                },
                Some(a) => self.ask_action(id, a),
                None => {}
            },
            MenuKind::Services(_) | MenuKind::LaunchDepts(_) | MenuKind::LaunchServices(..) => {}
            MenuKind::Executors(users) => {
                if let Some(u) = users.get(m.selected) {
                    self.dialog = Some(Dialog::new(
                        text::ASSIGN_TITLE,
                        format!("{}: {}", text::ASSIGN_TEXT, u.full_name),
                        vec![Field::new(text::COMMENT, false)],
                        Pending::Act(id, Action::AssignExecutor(u.id)),
                    ));
                }
            }
        }
    }

    /// Opens the card of application `id` (keeping the tab when it is open already).
    fn open_app(&mut self, id: AppId) {
        let card = match self.conn.call::<ApplicationCard>(Call::Application { id }) {
            Ok(c) => c,
            Err(e) => return self.failed(&e),
        };
        let tab = match &self.screen {
            Screen::App(v) => v.tab,
            _ => AppTab::Data,
        };
        self.screen = Screen::App(Box::new(AppView {
            card,
            tab,
            menu: None,
        }));
    }

    /// The dialog for an application action: a decision asks for its reason and the
    /// message to the applicant; every other step for an optional comment.
    fn ask_action(&mut self, id: AppId, a: Action) {
        let title = a.label();
        let (text, inputs) = match a {
            Action::Decide(v) => (
                if v == Verdict::Approve {
                    text::DECIDE_APPROVE
                } else {
                    text::DECIDE_REFUSE
                },
                vec![
                    Field::new(text::REASON, false),
                    Field::new(text::MESSAGE, false),
                ],
            ),
            Action::Close => (text::CLOSE_TEXT, vec![Field::new(text::COMMENT, false)]),
            _ => (text::ACT_TEXT, vec![Field::new(text::COMMENT, false)]),
        };
        self.dialog = Some(Dialog::new(title, text, inputs, Pending::Act(id, a)));
    }

    /// The selected task of the list, if any.
    fn selected_task(&self) -> Option<TaskId> {
        self.list.rows.get(self.list.selected).map(|r| r.id)
    }

    /// Opens the card of task `id`.
    fn open_card(&mut self, id: TaskId) {
        let card = match self.conn.call::<TaskCard>(Call::Task { id }) {
            Ok(c) => c,
            Err(e) => return self.failed(&e),
        };
        let map = self
            .conn
            .call::<ProcessMap>(Call::ProcessMap {
                process: card.task.process,
            })
            .ok();
        let tab = match &self.screen {
            Screen::Card(c) => c.tab,
            _ => Tab::Data,
        };
        self.screen = Screen::Card(Card { card, map, tab });
    }

    /// A task action from the list or the card.
    fn task_command(&mut self, cmd: Cmd, id: TaskId) {
        match cmd {
            Cmd::Claim => self.claim(id, false),
            Cmd::ReturnToGroup => {
                self.act(Call::ReturnToGroup { id }, text::RETURNED, id);
            }
            Cmd::Complete => {
                self.dialog = Some(Dialog::new(
                    text::COMPLETE_TITLE,
                    text::COMPLETE_TEXT,
                    vec![Field::new(text::COMMENT, false)],
                    Pending::Complete(id),
                ));
            }
            Cmd::Finish => {
                self.dialog = Some(Dialog::new(
                    text::FINISH_TITLE,
                    text::FINISH_TEXT,
                    vec![Field::new(text::COMMENT, false)],
                    Pending::Finish(id),
                ));
            }
            Cmd::SetDue => {
                self.dialog = Some(Dialog::new(
                    text::DUE_TITLE,
                    text::DUE_TEXT,
                    vec![Field::new(text::DUE_FIELD, false)],
                    Pending::SetDue(id),
                ));
            }
            Cmd::Refresh => self.open_card(id),
            _ => {}
        }
    }

    /// «Назначить на себя». A task someone else holds is taken over only after a question
    /// naming the holder, and only by those who may assign executors (the daemon checks).
    fn claim(&mut self, id: TaskId, take_over: bool) {
        match self.conn.call::<Task>(Call::Claim { id, take_over }) {
            Ok(t) => self.done(&format!("{}: {}", text::CLAIMED, t.name), id),
            Err(e) => match e.api() {
                Some(a) if a.code == "already_claimed" && !take_over => {
                    let may = self
                        .session
                        .as_ref()
                        .is_some_and(|s| s.rights.has(Right::AssignExecutors));
                    if may {
                        self.dialog = Some(Dialog::new(
                            text::TAKE_OVER_TITLE,
                            format!("{}\n{}", a.message, text::TAKE_OVER_QUESTION),
                            Vec::new(),
                            Pending::TakeOver(id),
                        ));
                    } else {
                        self.failed(&e);
                    }
                }
                _ => self.failed(&e),
            },
        }
    }

    fn act(&mut self, call: Call, done: &str, id: TaskId) {
        match self.conn.call::<serde_json::Value>(call) {
            Ok(_) => self.done(done, id),
            Err(e) => self.failed(&e),
        }
    }

    /// After an action: the card shows the task as it is now, or, once the task has left
    /// the user's hands, the list comes back with the next task selected.
    fn done(&mut self, message: &str, id: TaskId) {
        self.banner = Some(Banner::Info(message.to_string()));
        if matches!(self.screen, Screen::Card(_)) {
            self.open_card(id);
        } else {
            self.reload();
        }
    }

    /// The user said yes to the dialog.
    fn confirm(&mut self) {
        let Some(d) = self.dialog.take() else {
            return;
        };
        let typed = d.value(0);
        match d.then.clone() {
            Pending::TakeOver(id) => self.claim(id, true),
            Pending::Complete(id) | Pending::Finish(id) => {
                let finish = matches!(d.then, Pending::Finish(_));
                let call = Call::Complete {
                    id,
                    finish,
                    comment: typed,
                };
                match self.conn.call::<Option<Task>>(call) {
                    Ok(_) => {
                        let msg = if finish {
                            text::FINISHED
                        } else {
                            text::COMPLETED
                        };
                        self.banner = Some(Banner::Info(msg.into()));
                        // The task is done: back to the list, where the next one is selected.
                        self.screen = Screen::Main;
                        self.reload();
                    }
                    Err(e) => self.failed(&e),
                }
            }
            Pending::SetDue(id) => match parse_date(&typed) {
                Some(due) => self.act(Call::SetDue { id, due }, text::DUE_SET, id),
                None => {
                    let mut d = d;
                    if let Some(f) = d.inputs.first_mut() {
                        f.error = Some(text::BAD_DATE.into());
                    }
                    self.dialog = Some(d);
                }
            },
            Pending::LeaveForm => self.screen = Screen::Main,
            Pending::Jump => {
                let want = typed.to_lowercase();
                let found = self
                    .sections
                    .iter()
                    .position(|s| !want.is_empty() && s.label().to_lowercase().contains(&want));
                match found {
                    Some(i) => {
                        self.menu_focus = false;
                        self.open_section(i);
                    }
                    None => {
                        let mut d = d;
                        if let Some(f) = d.inputs.first_mut() {
                            f.error = Some(text::NO_SUCH_SECTION.into());
                        }
                        self.dialog = Some(d);
                    }
                }
            }
            Pending::Search if self.current() == Some(Section::Applications) => {
                match self
                    .conn
                    .call::<ApplicationCard>(Call::ApplicationByNumber { number: typed })
                {
                    Ok(card) => self.open_app(card.app.id),
                    Err(e) => {
                        let mut d = d;
                        if let (Some(f), Some(a)) = (d.inputs.first_mut(), e.api()) {
                            f.error = Some(a.message.clone());
                            self.dialog = Some(d);
                        } else {
                            self.failed(&e);
                        }
                    }
                }
            }
            Pending::Search => {
                // The same filter as the panel's «Название содержит», switched on.
                let p = &mut self.task_filter;
                if let Some(r) = p.rows.iter_mut().find(|r| r.label == text::FL_NAME) {
                    r.value = crate::filter::Value::Text(typed.clone());
                    r.on = !typed.is_empty();
                }
                self.apply_filters();
            }
            Pending::Act(id, action) => {
                let input = match action {
                    Action::Decide(_) => {
                        let (reason, message) = (d.value(0), d.value(1));
                        ActionInput::new(action.clone()).with_reason(&reason, &message)
                    }
                    _ => ActionInput::new(action.clone()).with_comment(&typed),
                };
                match self.conn.call::<serde_json::Value>(Call::Act { id, input }) {
                    Ok(_) => {
                        self.banner =
                            Some(Banner::Info(format!("{}: {}", text::DONE, action.label())));
                        self.open_app(id);
                    }
                    Err(e) => {
                        // The daemon names the fields to correct; the dialog stays open.
                        let mut d = d;
                        if let Some(a) = e.api() {
                            for fe in &a.fields {
                                let at = d.inputs.iter().position(|f| f.label == fe.field);
                                if let Some(f) = at.and_then(|i| d.inputs.get_mut(i)) {
                                    f.error = Some(fe.message.clone());
                                }
                            }
                            if !a.fields.is_empty() {
                                self.dialog = Some(d);
                            }
                        }
                        self.failed(&e);
                    }
                }
            }
        }
    }

    fn back_from_form(&mut self) {
        match &self.screen {
            Screen::Password { forced: false, .. } => self.screen = Screen::Main,
            Screen::Password { forced: true, .. } => {
                // Leaving the forced change means leaving: nothing else is allowed.
                self.logout();
            }
            _ => self.quit = true,
        }
    }

    fn submit_form(&mut self) {
        let screen = std::mem::replace(&mut self.screen, Screen::Main);
        self.screen = match screen {
            Screen::Login(mut form) => {
                if form.focus == 0 && form.value(1).is_empty() {
                    form.focus = 1;
                    Screen::Login(form)
                } else if !form.require_all() {
                    Screen::Login(form)
                } else {
                    let call = Call::Login {
                        login: form.value(0).trim().to_string(),
                        password: form.value(1).to_string(),
                    };
                    match self.conn.call::<SessionInfo>(call) {
                        Ok(s) => {
                            self.conn.set_token(s.token.clone());
                            self.start_session(s)
                        }
                        Err(e) => {
                            form.fields[1].value.clear();
                            form.focus = 1;
                            form.message = Some(match e.api() {
                                Some(a) => a.message.clone(),
                                None => e.ru(),
                            });
                            Screen::Login(form)
                        }
                    }
                }
            }
            Screen::Password { mut form, forced } => {
                if !form.require_all() {
                    Screen::Password { form, forced }
                } else if form.value(1) != form.value(2) {
                    form.fields[2].error = Some(text::PASSWORDS_DIFFER.into());
                    form.focus = 2;
                    Screen::Password { form, forced }
                } else {
                    let call = Call::ChangePassword {
                        old: form.value(0).to_string(),
                        new: form.value(1).to_string(),
                    };
                    match self.conn.call::<()>(call) {
                        Ok(()) => {
                            self.banner = Some(Banner::Info(text::PASSWORD_CHANGED.into()));
                            if let Some(s) = &mut self.session {
                                s.must_change_password = false;
                            }
                            self.enter_main();
                            Screen::Main
                        }
                        Err(e) => {
                            let msg = e.api().map(|a| (a.message.clone(), a.fields.clone()));
                            match msg {
                                Some((m, fields)) => {
                                    for fe in fields {
                                        let at = [text::OLD_PASSWORD, text::NEW_PASSWORD]
                                            .iter()
                                            .position(|l| *l == fe.field);
                                        if let Some(i) = at {
                                            form.fields[i].error = Some(fe.message);
                                        }
                                    }
                                    form.message = Some(m);
                                }
                                None => form.message = Some(e.ru()),
                            }
                            Screen::Password { form, forced }
                        }
                    }
                }
            }
            other => other,
        };
    }

    /// After a login: the forced change first, if due; else the main screen.
    fn start_session(&mut self, s: SessionInfo) -> Screen {
        let forced = s.must_change_password;
        self.offset = time::UtcOffset::from_whole_seconds(s.utc_offset_seconds)
            .unwrap_or(time::UtcOffset::UTC);
        self.sections = Section::ALL
            .into_iter()
            .filter(|x| s.rights.has(x.right()))
            .collect();
        self.session = Some(s);
        if forced {
            Screen::Password {
                form: password_form(true),
                forced: true,
            }
        } else {
            self.enter_main();
            Screen::Main
        }
    }

    fn enter_main(&mut self) {
        if self.org.is_none() {
            self.org = self.conn.call::<Org>(Call::Org).ok();
        }
        self.open_section(self.section.min(self.sections.len().saturating_sub(1)));
    }

    fn logout(&mut self) {
        let _ = self.conn.call::<()>(Call::Logout);
        self.conn.set_token(None);
        self.session = None;
        self.screen = Screen::Login(login_form());
    }

    pub fn open_section(&mut self, i: usize) {
        let Some(s) = self.sections.get(i).copied() else {
            return;
        };
        self.section = i;
        let today = time::OffsetDateTime::now_utc()
            .to_offset(self.offset)
            .date();
        match s.queue() {
            Some(q) => {
                self.list = TaskList::new(q);
                self.list.query.filter = self.task_filter.task_filter(today, self.offset);
            }
            None => {
                self.apps = AppList::new();
                self.apps.query.filter = self.app_filter.app_filter(today, self.offset);
            }
        }
        self.reload();
    }

    /// Reads the current list's chunk again (and notes the node's change number first, so
    /// that a change made meanwhile is seen by the next tick).
    fn reload(&mut self) {
        if let Ok(seq) = self.conn.call::<u64>(Call::Changes) {
            self.seen = seq;
        }
        let r = match self.current() {
            Some(Section::Applications) => self.apps.load(&mut self.conn),
            _ => self.list.load(&mut self.conn),
        };
        if let Err(e) = r {
            self.failed(&e);
        }
    }

    fn move_by(&mut self, delta: isize) {
        let r = match self.current() {
            Some(Section::Applications) => self.apps.move_by(&mut self.conn, delta),
            _ => self.list.move_by(&mut self.conn, delta),
        };
        if let Err(e) = r {
            self.failed(&e);
        }
    }

    fn restart(&mut self) {
        if let Ok(seq) = self.conn.call::<u64>(Call::Changes) {
            self.seen = seq;
        }
        let r = match self.current() {
            Some(Section::Applications) => self.apps.restart(&mut self.conn),
            _ => self.list.restart(&mut self.conn),
        };
        if let Err(e) = r {
            self.failed(&e);
        }
    }

    fn main_command(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::FocusMenu => self.menu_focus = !self.menu_focus,
            Cmd::Filter => {
                self.load_picks();
                self.filtering = true;
            }
            Cmd::Search => {
                let apps = self.current() == Some(Section::Applications);
                self.dialog = Some(Dialog::new(
                    text::SEARCH_TITLE,
                    if apps {
                        text::SEARCH_APP
                    } else {
                        text::SEARCH_TASK
                    },
                    vec![Field::new(
                        if apps {
                            text::APP_NUMBER
                        } else {
                            text::FL_NAME
                        },
                        false,
                    )],
                    Pending::Search,
                ));
            }
            Cmd::Launch => match self.conn.call::<Vec<Department>>(Call::Departments) {
                Ok(list) => {
                    let body = self
                        .org
                        .as_ref()
                        .map(|o| format!("{} ({})", text::WHOLE_BODY, o.short_name))
                        .unwrap_or_else(|| text::WHOLE_BODY.to_string());
                    let mut items = vec![body];
                    items.extend(list.iter().map(|d| d.name.clone()));
                    let mut depts = vec![None];
                    depts.extend(list.into_iter().map(Some));
                    self.popup = Some(Menu {
                        title: text::LAUNCH_DEPT,
                        items,
                        selected: 0,
                        kind: MenuKind::LaunchDepts(depts),
                    });
                }
                Err(e) => self.failed(&e),
            },
            Cmd::NewApp => match self
                .conn
                .call::<Vec<Service>>(Call::Services { all: false })
            {
                Ok(list) => {
                    self.popup = Some(Menu {
                        title: text::CHOOSE_SERVICE,
                        items: list.iter().map(|s| s.name.clone()).collect(),
                        selected: 0,
                        kind: MenuKind::Services(list),
                    });
                }
                Err(e) => self.failed(&e),
            },
            Cmd::Jump => {
                self.dialog = Some(Dialog::new(
                    text::JUMP_TITLE,
                    self.sections
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                    vec![Field::new(text::JUMP_FIELD, false)],
                    Pending::Jump,
                ));
            }
            Cmd::Section(n) if usize::from(n) < self.sections.len() => {
                self.menu_focus = false;
                self.open_section(usize::from(n));
            }
            Cmd::Up if self.menu_focus => self.section = self.section.saturating_sub(1),
            Cmd::Down if self.menu_focus => {
                self.section = (self.section + 1).min(self.sections.len().saturating_sub(1));
            }
            Cmd::Submit if self.menu_focus => {
                self.menu_focus = false;
                self.open_section(self.section);
            }
            Cmd::Up => self.move_by(-1),
            Cmd::Down => self.move_by(1),
            Cmd::PageUp => self.move_by(-20),
            Cmd::PageDown => self.move_by(20),
            Cmd::Top => self.restart(),
            Cmd::Refresh => self.reload(),
            Cmd::Sort | Cmd::SortDirection if self.current() == Some(Section::Applications) => {
                let q = &mut self.apps.query;
                if cmd == Cmd::Sort {
                    let i = AppCol::ALL.iter().position(|c| *c == q.sort).unwrap_or(0);
                    q.sort = AppCol::ALL[(i + 1) % AppCol::ALL.len()];
                } else {
                    q.desc = !q.desc;
                }
                self.restart();
            }
            Cmd::Sort | Cmd::SortDirection => {
                let q = &mut self.list.query;
                if cmd == Cmd::Sort {
                    let i = TaskCol::ALL.iter().position(|c| *c == q.sort).unwrap_or(0);
                    q.sort = TaskCol::ALL[(i + 1) % TaskCol::ALL.len()];
                } else {
                    q.desc = !q.desc;
                }
                self.restart();
            }
            Cmd::Open if self.current() == Some(Section::Applications) => {
                if let Some(id) = self.apps.current().map(|r| r.id) {
                    self.open_app(id);
                }
            }
            Cmd::Open => {
                if let Some(id) = self.selected_task() {
                    self.open_card(id);
                }
            }
            Cmd::Claim | Cmd::ReturnToGroup | Cmd::Complete | Cmd::Finish | Cmd::SetDue => {
                if let Some(id) = self.selected_task() {
                    self.task_command(cmd, id);
                }
            }
            Cmd::ChangePassword => {
                self.screen = Screen::Password {
                    form: password_form(false),
                    forced: false,
                };
            }
            _ => {}
        }
    }
}

/// A date as staff type it: `ДД.ММ.ГГГГ`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let mut it = s.trim().split('.');
    let d: u8 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let y: i32 = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}
