//! The TUI's state and what keys do to it. Drawing is in `ui`; this module never draws and
//! `ui` never changes state, so a screen is a pure function of `App` (and the snapshot tests
//! build `App`s directly).

use crate::conn::Conn;
use crate::filter::{For, Panel};
use crate::form::{DataForm, Purpose};
use crate::keymap::{Cmd, Ctx, lookup};
use crate::requests::{ReqAction, ReqRef, ReqView};
use crate::text;
use crate::widgets::files::{FilesKey, FilesTab};
use crossterm::event::KeyEvent;
use volost_api::ClientError;
use volost_api::LinkState;
use volost_api::{ActionInput, ApplicationCard, OutRow, ProcessMap, RegRow, TaskCard, UserView};
use volost_api::{Op, SessionInfo, call};
use volost_domain::{
    Action, AppId, Department, DeptId, Org, Queue, RequestKind, Right, Service, TaskId, UserId,
};

use crate::effect::Effect;
use crate::effect::{Pending, Provider};
use crate::list::Query;
pub use crate::list::{AppList, CHUNK, InList, OutList, RegList, TaskList};
pub use crate::screens::main::MainView;
use crate::session::{login_form, password_form};
use crate::widgets::{Answer, Field, Form};

/// A section of the menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    GroupTasks,
    MyTasks,
    DoneTasks,
    Applications,
    Outgoing,
    Incoming,
    Regional,
    /// «Архив»: a screen of its own (a tree), not a list.
    Archive,
    /// «Статистика»: a screen of its own (charts).
    Stats,
    /// «Реестр услуг»: a screen of its own (the service passports).
    Registry,
    /// «Администрирование»: a screen of its own, not a list.
    Admin,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::GroupTasks,
        Section::MyTasks,
        Section::DoneTasks,
        Section::Applications,
        Section::Outgoing,
        Section::Incoming,
        Section::Regional,
        Section::Archive,
        Section::Stats,
        Section::Registry,
        Section::Admin,
    ];

    /// The section's own key, the same for every role (a section the user's rights do not
    /// give is left out of the menu, and the others keep their keys): 1…9, 0, and «a» (Ф on
    /// the Russian layout) for «Администрирование», which only administrators see.
    pub fn key(self) -> char {
        match self {
            Section::GroupTasks => '1',
            Section::MyTasks => '2',
            Section::DoneTasks => '3',
            Section::Applications => '4',
            Section::Outgoing => '5',
            Section::Incoming => '6',
            Section::Regional => '7',
            Section::Archive => '8',
            Section::Stats => '9',
            Section::Registry => '0',
            Section::Admin => 'a',
        }
    }

    /// Sections that are screens of their own, opened from the menu with Enter.
    pub fn own_screen(self) -> bool {
        matches!(
            self,
            Section::Archive | Section::Stats | Section::Registry | Section::Admin
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Section::Applications => text::APPLICATIONS,
            Section::Outgoing => text::OUTGOING,
            Section::Incoming => text::INCOMING,
            Section::Regional => text::REGIONAL,
            Section::Admin => text::ADMIN,
            Section::Archive => text::ARCHIVE,
            Section::Stats => text::STATS,
            Section::Registry => text::REGISTRY,
            s => s.queue().map(Queue::label).unwrap_or_default(),
        }
    }

    /// The filter panel (and kind of list) of the section.
    pub fn list(self) -> For {
        match self {
            Section::GroupTasks
            | Section::MyTasks
            | Section::DoneTasks
            | Section::Archive
            | Section::Stats
            | Section::Registry
            | Section::Admin => For::Tasks,
            Section::Applications => For::Apps,
            Section::Outgoing => For::Outgoing,
            Section::Incoming => For::Incoming,
            Section::Regional => For::Regional,
        }
    }

    /// The task queue the section lists, if it lists one.
    pub fn queue(self) -> Option<Queue> {
        match self {
            Section::GroupTasks => Some(Queue::Group),
            Section::MyTasks => Some(Queue::Mine),
            Section::DoneTasks => Some(Queue::Done),
            _ => None,
        }
    }

    pub(crate) fn right(self) -> Right {
        match self {
            Section::Outgoing | Section::Incoming => Right::Interagency,
            Section::Regional => Right::Regional,
            Section::Admin => Right::Administer,
            Section::Stats => Right::Monitoring,
            _ => Right::ViewTasks,
        }
    }
}

/// A question over the screen; what «yes» does is a [`Pending`].
pub type Dialog = crate::widgets::dialog::Dialog<Pending>;

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
    Admin(Box<crate::admin::AdminView>),
    Archive(Box<crate::archive::ArchiveView>),
    Stats(Box<crate::stats::StatsView>),
    Registry(Box<crate::registry::RegistryView>),
    /// The template editor of a service or request kind.
    Template(Box<crate::template::TemplateView>),
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

impl Card {
    /// A command on the card: Tab turns its tabs here; the rest is asked of the runner.
    pub fn handle(&mut self, cmd: Option<Cmd>) -> Option<crate::effect::Effect> {
        use crate::effect::Effect;
        match cmd? {
            Cmd::Back => Some(Effect::List),
            Cmd::Open => Some(match self.card.task.application {
                Some(app) => Effect::OpenApplicationAt(app, AppTab::Data),
                None => Effect::Info(text::TASK_NO_APP),
            }),
            Cmd::NextTab => {
                let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                self.tab = Tab::ALL[(i + 1) % Tab::ALL.len()];
                None
            }
            other => Some(Effect::Task(other, self.card.task.id)),
        }
    }
}

/// The tabs of an application card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppTab {
    Data,
    /// «Файлы» of the application (a form's file fields and those added on the card).
    Files,
    /// «Межведомственные запросы» made for the application.
    Outgoing,
    /// «Запросы Р-сведений» made for it.
    Regional,
    History,
}

impl AppTab {
    pub const ALL: [AppTab; 5] = [
        AppTab::Data,
        AppTab::Files,
        AppTab::Outgoing,
        AppTab::Regional,
        AppTab::History,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AppTab::Data => text::TAB_DATA,
            AppTab::Files => text::TAB_FILES,
            AppTab::Outgoing => text::TAB_OUTGOING,
            AppTab::Regional => text::TAB_REGIONAL,
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
    /// A request card's «Действия».
    ReqActions(Vec<ReqAction>),
    /// «Новый запрос»: the kind of sведений, for an application or on its own.
    Kinds(Vec<RequestKind>, Option<AppId>),
    /// «Новый запрос Р-сведений»: the provider bodies to choose from.
    Providers(Vec<Provider>, Option<AppId>),
    /// «Действия» of the administration screen.
    Admin(Vec<crate::admin::AdminAction>),
    /// A new user's role.
    Roles(Vec<volost_domain::Role>),
}

/// A pop-up menu: its title, its lines, the selected one.
pub struct Menu {
    pub title: &'static str,
    pub items: Vec<String>,
    pub selected: usize,
    pub kind: MenuKind,
}

impl Menu {
    /// ↑ in the menu: the line above, never past the first.
    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    /// ↓ in the menu: the line below, never past the last.
    pub fn down(&mut self) {
        self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1));
    }
}

/// Scrolls a card's text: a line for ↑/↓, ten for PgUp/PgDn, never past `max`.
pub(crate) fn scroll_by(scroll: &mut u16, max: u16, cmd: Cmd) {
    *scroll = match cmd {
        Cmd::Up => scroll.saturating_sub(1),
        Cmd::PageUp => scroll.saturating_sub(10),
        Cmd::Down => scroll.saturating_add(1),
        Cmd::PageDown => scroll.saturating_add(10),
        _ => *scroll,
    }
    .min(max);
}

/// An application card, and a menu over it when one is open.
pub struct AppView {
    pub card: ApplicationCard,
    pub tab: AppTab,
    pub menu: Option<Menu>,
    /// The application's interagency requests; None without the right to see them.
    pub out: Option<Vec<OutRow>>,
    /// Its regional requests; None without the right.
    pub reg: Option<Vec<RegRow>>,
    /// The selected line of a requests tab.
    pub row: usize,
    pub files: FilesTab,
    /// How far the data tab is scrolled (a service's form may be longer than the screen).
    pub scroll: u16,
    /// The furthest the data tab can scroll, as the last drawing found it: only the drawing
    /// knows the width the values wrap at.
    pub scroll_max: std::cell::Cell<u16>,
    /// The task card this application was opened from: `Esc` goes back to it.
    pub from_task: Option<TaskId>,
}

impl AppView {
    /// The number of lines on the requests tab open now.
    fn rows(&self) -> usize {
        match self.tab {
            AppTab::Outgoing => self.out.as_ref().map_or(0, Vec::len),
            AppTab::Regional => self.reg.as_ref().map_or(0, Vec::len),
            _ => 0,
        }
    }

    /// The request selected on the requests tab open now.
    fn selected_request(&self) -> Option<ReqRef> {
        match self.tab {
            AppTab::Outgoing => self.out.as_ref()?.get(self.row).map(|r| ReqRef::Out(r.id)),
            AppTab::Regional => self.reg.as_ref()?.get(self.row).map(|r| ReqRef::Reg(r.id)),
            _ => None,
        }
    }

    /// A command on the application card: its menu, tabs, scrolling and selection change
    /// here; what needs the daemon or another screen is asked of the runner.
    /// The «Файлы» tab is open with no menu over it: it takes its keys first.
    pub fn on_files(&self) -> bool {
        self.tab == AppTab::Files && self.menu.is_none()
    }

    pub fn handle(&mut self, cmd: Option<Cmd>) -> Option<crate::effect::Effect> {
        use crate::effect::Effect;
        let id = self.card.app.id;
        let cmd = cmd?;
        if self.on_files() {
            match self.files.handle(cmd) {
                FilesKey::NotMine => {}
                FilesKey::Done => return None,
                FilesKey::Ask(a) => return Some(crate::files::ask(a, self.files.limit())),
            }
        }
        match (cmd, &mut self.menu) {
            (Cmd::Back, Some(_)) => self.menu = None,
            (Cmd::Back, None) => {
                return Some(match self.from_task {
                    Some(t) => Effect::OpenTask(t),
                    None => Effect::List,
                });
            }
            (Cmd::Up, Some(m)) => m.up(),
            (Cmd::Down, Some(m)) => m.down(),
            (Cmd::Submit, Some(_)) => {
                return self
                    .menu
                    .take()
                    .map(|m| Effect::ApplicationAction(id, Box::new(m)));
            }
            (Cmd::Actions, None) if self.card.actions.is_empty() => {
                return Some(Effect::Info(text::NO_ACTIONS));
            }
            (Cmd::Actions, None) => self.menu = Some(self.actions_menu()),
            (Cmd::NextTab, None) => {
                let i = AppTab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                self.tab = AppTab::ALL[(i + 1) % AppTab::ALL.len()];
                self.row = 0;
            }
            (c @ (Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown), None)
                if self.tab == AppTab::Data =>
            {
                scroll_by(&mut self.scroll, self.scroll_max.get(), c);
            }
            (Cmd::Up, None) => self.row = self.row.saturating_sub(1),
            (Cmd::Down, None) => self.row = (self.row + 1).min(self.rows().saturating_sub(1)),
            (Cmd::Open, None) => {
                return self
                    .selected_request()
                    .map(|r| Effect::OpenRequest(r, Some(id)));
            }
            (Cmd::Add, None) => {
                return Some(Effect::NewRequest {
                    regional: self.tab == AppTab::Regional,
                    application: Some(id),
                });
            }
            (Cmd::Refresh, None) => return Some(Effect::RefreshApplication(id)),
            (Cmd::Edit, None) if self.card.app.status == volost_domain::Status::Draft => {
                let form = DataForm::draft(&self.card.app, &self.card.service, &self.files);
                return Some(Effect::Fill(Box::new(form)));
            }
            (Cmd::Edit, None) => return Some(Effect::Info(text::NOT_A_DRAFT)),
            _ => {}
        }
        None
    }

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
    /// The demo's PIN of ЭП-СП, shown in the PIN dialog so that a newcomer can sign.
    pub demo_pin: Option<String>,
    /// Days left on the node's own certificate (ЭП-ОВ), as the exchange worker read it.
    pub node_cert_days: Option<i64>,
    /// How far the production calendar is confirmed, as the last pulse said.
    pub calendar: Option<volost_api::CalendarStatus>,
    /// The node's disk is (nearly) full: the status line says so to everyone.
    pub disk_low: bool,
}

impl App {
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
            calendar: None,
            disk_low: false,
            dialog: None,
            kinds: None,
            people: Vec::new(),
        }
    }

    /// Called when no key came for a while: if another session changed something, the list
    /// is read again, keeping its filters, sort, chunk and selection.
    /// The status line's SMEV state is kept fresh on every screen.
    pub fn tick(&mut self) {
        if self.session.is_none() {
            return;
        }
        match self.conn.ask(call::Pulse) {
            Ok(p) => {
                self.smev = Some(p.smev.state);
                self.node_cert_days = p.smev.cert_days_left;
                self.disk_low = p.disk_low;
                self.calendar = p.calendar;
                if p.changes != self.seen {
                    match &self.screen {
                        Screen::Main => {
                            self.seen = p.changes;
                            self.reload();
                        }
                        // An open request card follows the exchange: «отправлен», «получен
                        // ответ» appear without F5. Not while its menu is open.
                        // A card follows what colleagues (and the node) do to it: a status,
                        // a holder, a due date, a file or a line of history appears without
                        // F5. Not while its menu or a dialog over it is open.
                        Screen::App(v) if v.menu.is_none() && self.dialog.is_none() => {
                            self.seen = p.changes;
                            let (id, tab) = (v.card.app.id, v.tab);
                            self.open_app_at(id, tab);
                        }
                        Screen::Card(c) if self.dialog.is_none() => {
                            self.seen = p.changes;
                            let id = c.card.task.id;
                            self.open_card(id);
                        }
                        Screen::Req(v) if v.menu.is_none() && self.dialog.is_none() => {
                            self.seen = p.changes;
                            let (id, from, tab, scroll) = (v.id, v.from_app, v.tab, v.scroll);
                            self.open_request(id, from);
                            if let Screen::Req(v) = &mut self.screen {
                                v.tab = tab;
                                v.scroll = scroll;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Err(e) => self.failed(&e),
        }
    }

    /// Notes the node's change number (and the SMEV link) before a list is read, so that a
    /// change made meanwhile is seen by the next tick.
    fn note_changes(&mut self) {
        if let Ok(p) = self.conn.ask(call::Pulse) {
            self.seen = p.changes;
            self.smev = Some(p.smev.state);
            self.node_cert_days = p.smev.cert_days_left;
            self.disk_low = p.disk_low;
            self.calendar = p.calendar;
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

    /// A failed call: the daemon's Russian message, or the connection banner; an ended
    /// session goes back to the login screen.
    pub(crate) fn failed(&mut self, e: &ClientError) {
        match e.api() {
            Some(a) if a.status == 401 => {
                let mut f = login_form();
                if let Some(s) = &self.session {
                    f.fields[0].value.set(s.login.clone());
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

    /// «Сохранить» a request or answer form: checked field by field, its files uploaded,
    /// then sent.
    fn save_checked_request(&mut self) {
        let valid = match &mut self.screen {
            Screen::Fill(f) => f.validate(),
            _ => false,
        };
        if valid && self.upload_form_files() {
            self.save_request_form();
        }
    }

    /// The one effect runner: carries out what a screen asked for (`effect::Effect`).
    pub fn run(&mut self, e: crate::effect::Effect) {
        use crate::effect::Effect;
        match e {
            Effect::List => {
                self.screen = Screen::Main;
                self.reload();
            }
            Effect::Info(m) => self.banner = Some(Banner::Info(m.into())),
            Effect::Task(cmd, id) => {
                self.banner = None;
                self.task_command(cmd, id);
            }
            Effect::OpenTask(id) => self.open_card(id),
            Effect::OpenApplicationAt(id, tab) => self.open_app_at(id, tab),
            Effect::RequestAction(m) => self.request_chosen(*m),
            Effect::RefreshApplication(id) => self.open_app(id),
            Effect::ApplicationAction(id, m) => self.chosen(id, *m),
            Effect::OpenRequest(r, from) => self.open_request(r, from),
            Effect::NewRequest {
                regional,
                application,
            } => self.new_request(regional, application),
            Effect::Fill(form) => self.screen = Screen::Fill(form),
            Effect::Confirm(d) => self.dialog = Some(*d),
            Effect::Answer(d) => self.confirm(*d),
            Effect::LeaveForm => self.leave_form(),
            Effect::SaveForm => match &self.screen {
                Screen::Fill(f) if matches!(f.purpose, Purpose::Application(_)) => {
                    self.save_form();
                }
                Screen::Fill(_) => self.save_checked_request(),
                _ => {}
            },
            Effect::LookupApplicant => self.lookup_applicant(),
            Effect::Error(m) => self.banner = Some(Banner::Error(m)),
            Effect::Reload => self.reload(),
            Effect::ReadChunk => self.read_chunk(),
            Effect::ApplyFilters => self.apply_filters(),
            Effect::LoadPicks => self.load_picks(),
            Effect::OpenSection(i) => self.open_section(i),
            Effect::Launch => self.launch(),
            Effect::NewApplication => self.new_application(),
            Effect::MenuChosen(m) => self.popup_chosen(*m),
            Effect::Export(what) => self.export(what),
            Effect::OpenAdmin(tab) => self.open_admin(tab),
            Effect::AdminChange(a) => self.admin_change(a),
            Effect::OpenTemplate(v) => self.screen = Screen::Template(v),
            Effect::EditTemplateLine(line) => self.edit_template_line(line),
            Effect::SaveTemplate => self.save_template(),
            Effect::LeaveTemplate => self.leave_template(),
            Effect::ReadReport => self.stats_reload(),
            Effect::OpenRegistry(keep) => self.open_registry(keep),
            Effect::ExportRegistry => self.export_registry(),
            Effect::ReadArchive => self.archive_reload(),
            Effect::ArchiveMore(by) => self.archive_more(by),
            Effect::OpenProcess(p) => self.open_process(p),
            Effect::PasswordForm => {
                self.screen = Screen::Password {
                    form: password_form(false),
                    forced: false,
                };
            }
            Effect::SignIn { .. }
            | Effect::ChangePassword { .. }
            | Effect::Quit
            | Effect::Logout
            | Effect::Main => self.run_session(e),
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
        match &mut self.screen {
            // Screens that handle their commands purely and ask for effects.
            Screen::Login(form) => {
                if let Some(e) = crate::session::handle_login(form, cmd, &key) {
                    self.run(e);
                }
            }
            Screen::Password { form, forced } => {
                if let Some(e) = crate::session::handle_password(form, *forced, cmd, &key) {
                    self.run(e);
                }
            }
            Screen::Main => {
                if cmd.is_some() {
                    self.banner = None;
                }
                if let Some(e) = self.main.handle(cmd, &key) {
                    self.run(e);
                }
            }
            Screen::Fill(form) => {
                if let Some(e) = form.handle(cmd, &key) {
                    self.run(e);
                }
            }
            Screen::Card(c) => {
                if let Some(e) = c.handle(cmd) {
                    self.run(e);
                }
            }
            Screen::Req(v) => {
                if let Some(cmd) = cmd {
                    self.banner = None;
                    if let Some(e) = v.handle(cmd) {
                        self.run(e);
                    }
                }
            }
            Screen::Admin(_)
            | Screen::Archive(_)
            | Screen::Stats(_)
            | Screen::Registry(_)
            | Screen::Template(_) => {
                let Some(cmd) = cmd else { return };
                self.banner = None;
                let (today, may_edit) = (self.today(), self.has(Right::Administer));
                let e = match &mut self.screen {
                    Screen::Admin(v) => v.handle(cmd),
                    Screen::Archive(v) => v.handle(cmd),
                    Screen::Stats(v) => v.handle(cmd, today),
                    Screen::Registry(v) => v.handle(cmd, may_edit),
                    Screen::Template(v) => v.handle(cmd),
                    _ => None,
                };
                if let Some(e) = e {
                    self.run(e);
                }
            }
            Screen::App(v) => {
                if let Some(e) = v.handle(cmd) {
                    self.run(e);
                }
            }
        }
    }

    /// A line of the main screen's menu was chosen.
    fn popup_chosen(&mut self, m: Menu) {
        match m.kind {
            MenuKind::Services(list) => {
                if let Some(svc) = list.into_iter().nth(m.selected) {
                    self.screen = Screen::Fill(Box::new(DataForm::application(svc)));
                }
            }
            MenuKind::Kinds(..) | MenuKind::Providers(..) => self.request_menu_chosen(m),
            MenuKind::LaunchDepts(depts) => {
                let dept = depts.get(m.selected).cloned().flatten();
                match self.conn.ask(call::Services { all: false }) {
                    Ok(list) => {
                        self.main.popup = Some(Menu {
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
                let call = call::LaunchService {
                    service: svc.id,
                    dept,
                };
                match self.conn.ask(call) {
                    Ok(_) => {
                        self.banner =
                            Some(Banner::Info(format!("{}: {}", text::LAUNCHED, svc.name)));
                        self.reload();
                    }
                    Err(e) => self.failed(&e),
                }
            }
            MenuKind::Actions(_)
            | MenuKind::Executors(_)
            | MenuKind::ReqActions(_)
            | MenuKind::Admin(_)
            | MenuKind::Roles(_) => {}
        }
    }

    /// The body's staff by id, read once per session: request cards and histories name them.
    pub(crate) fn ensure_people(&mut self) {
        if self.people.is_empty()
            && let Ok(list) = self.conn.ask(call::Users)
        {
            self.people = list.into_iter().map(|u| (u.id, u.full_name)).collect();
        }
    }

    /// The people and services the filter panels offer, read once per session.
    fn load_picks(&mut self) {
        let people = match self.conn.ask(call::Users) {
            Ok(list) => list
                .into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id.0, u.full_name))
                .collect(),
            Err(_) => Vec::new(),
        };
        let services: Vec<(u64, String)> = match self.conn.ask(call::Services { all: false }) {
            Ok(list) => list.into_iter().map(|s| (s.id.0, s.name)).collect(),
            Err(_) => Vec::new(),
        };
        self.main
            .task_filter
            .add_picks(people.clone(), services.clone());
        self.main.in_filter.add_picks(people.clone(), Vec::new());
        self.main.app_filter.add_picks(people, services);
    }

    /// Puts the panel's filters into the current list's query and reads it from the top.
    fn apply_filters(&mut self) {
        let today = self.today();
        self.main.set_filters(today, self.offset);
        self.restart();
    }

    /// The daemon refused a form: its messages go next to the fields they name.
    pub(crate) fn form_refused(&mut self, e: &ClientError) {
        match e.api() {
            Some(a) if !a.fields.is_empty() => {
                let fields = a.fields.clone();
                let msg = a.message.clone();
                if let Screen::Fill(form) = &mut self.screen {
                    form.show_errors(&fields);
                    form.message = Some(msg);
                }
            }
            _ => self.failed(e),
        }
    }

    /// Opens the card of task `id`.
    fn open_card(&mut self, id: TaskId) {
        self.ensure_people();
        let card = match self.conn.ask(call::Task { id }) {
            Ok(c) => c,
            Err(e) => return self.failed(&e),
        };
        let map = self
            .conn
            .ask(call::ProcessMap {
                process: card.task.process,
            })
            .ok();
        let tab = match &self.screen {
            Screen::Card(c) => c.tab,
            _ => Tab::Data,
        };
        self.screen = Screen::Card(Box::new(Card { card, map, tab }));
    }

    /// A task action from the list or the card.
    fn task_command(&mut self, cmd: Cmd, id: TaskId) {
        match cmd {
            Cmd::Claim => self.claim(id, false),
            Cmd::ReturnToGroup => {
                self.act(call::ReturnToGroup { id }, text::RETURNED, id);
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
        match self.conn.ask(call::Claim { id, take_over }) {
            Ok(t) => self.done(&format!("{}: {}", text::CLAIMED, t.name), id),
            Err(e) => match e.api() {
                Some(a) if a.code == "already_claimed" && !take_over => {
                    if self.has(Right::AssignExecutors) {
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

    fn act<R: Op + Clone>(&mut self, call: R, done: &str, id: TaskId) {
        match self.conn.ask(call) {
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

    /// The user said yes to the dialog `d` (taken off the screen; a refusal puts it back).
    fn confirm(&mut self, d: Dialog) {
        let typed = d.value(0);
        match d.then.clone() {
            Pending::TakeOver(id) => self.claim(id, true),
            Pending::Complete(id) | Pending::Finish(id) => {
                let finish = matches!(d.then, Pending::Finish(_));
                let call = call::Complete {
                    id,
                    finish,
                    comment: typed,
                };
                match self.conn.ask(call) {
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
            Pending::SetDue(id) => match read_date(&typed) {
                Ok(due) => self.act(call::SetDue { id, due }, text::DUE_SET, id),
                Err(why) => {
                    let mut d = d;
                    d.refuse(0, why);
                    self.dialog = Some(d);
                }
            },
            Pending::LeaveForm => self.leave_form(),
            Pending::Quit => self.quit = true,
            Pending::LeaveTemplate => self.leave_template(),
            Pending::NewRegional(choice, app) => self.create_regional(d, choice, app),
            Pending::CompleteRegional(id) => self.complete_regional(d, id),
            Pending::ClaimIncoming(id) => self.claim_incoming(id, true),
            Pending::CommentIncoming(id) => self.comment_incoming(d, id),
            Pending::AddFile(owner) => self.add_file(d, owner),
            Pending::SaveFile(id) => self.save_file(d, id),
            Pending::SaveExport(f) => self.save_export(d, *f),
            Pending::ImportRegistry => self.import_registry(d),
            Pending::RemoveFile(id) => self.remove_file(id),
            Pending::ArchiveSearch => self.archive_search(d),
            Pending::StatsPeriod => self.stats_period(d),
            Pending::Pin(what) => {
                let pin = d
                    .inputs
                    .first()
                    .map(|f| f.value.to_string())
                    .unwrap_or_default();
                self.signed(what, Some(pin));
            }
            p @ (Pending::AddUser(_)
            | Pending::ResetPassword(_)
            | Pending::AddDepartment
            | Pending::RequestSetup
            | Pending::CalendarDay(_)
            | Pending::ImportCalendar) => self.admin_confirm(d, p),
            Pending::Jump => {
                let want = typed.to_lowercase();
                let found = self
                    .main
                    .sections
                    .iter()
                    .position(|s| !want.is_empty() && s.label().to_lowercase().contains(&want));
                match found {
                    Some(i) => {
                        self.main.menu_focus = false;
                        self.open_section(i);
                    }
                    None => {
                        let mut d = d;
                        d.refuse(0, text::NO_SUCH_SECTION);
                        self.dialog = Some(d);
                    }
                }
            }
            Pending::Search if self.current() == Some(Section::Applications) => {
                match self.conn.ask(call::ApplicationByNumber { number: typed }) {
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
                let p = &mut self.main.task_filter;
                if let Some(r) = p.rows.iter_mut().find(|r| r.label == text::FL_NAME) {
                    r.value = crate::filter::Value::Text(typed.as_str().into());
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
                match self.conn.ask(call::Act { id, input }) {
                    Ok(_) => {
                        self.banner =
                            Some(Banner::Info(format!("{}: {}", text::DONE, action.label())));
                        self.open_app(id);
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
        }
    }

    /// A refused dialog: the daemon names the fields to correct, and then the dialog stays
    /// open with the messages next to them.
    pub(crate) fn keep_dialog(&mut self, mut d: Dialog, e: &ClientError) {
        if let Some(a) = e.api() {
            for fe in &a.fields {
                // A one-line dialog takes the message whatever the daemon calls the field
                // («Путь к файлу» here is «Файл» there).
                let at = d
                    .inputs
                    .iter()
                    .position(|f| f.label == fe.field)
                    .or_else(|| (d.inputs.len() == 1).then_some(0));
                if let Some(f) = at.and_then(|i| d.inputs.get_mut(i)) {
                    f.error = Some(fe.message.clone());
                }
            }
            if !a.fields.is_empty() {
                self.dialog = Some(d);
            }
        }
        self.failed(e);
    }

    /// The node's local date now.
    pub(crate) fn today(&self) -> time::Date {
        time::OffsetDateTime::now_utc()
            .to_offset(self.offset)
            .date()
    }

    pub fn open_section(&mut self, i: usize) {
        let Some(s) = self.main.sections.get(i).copied() else {
            return;
        };
        match s {
            Section::Admin => return self.open_admin(crate::admin::AdminTab::Users),
            Section::Archive => {
                self.main.section = i;
                return self.open_archive();
            }
            Section::Stats => {
                self.main.section = i;
                return self.open_stats();
            }
            Section::Registry => {
                self.main.section = i;
                return self.open_registry(None);
            }
            _ => {}
        }
        self.main.section = i;
        self.screen = Screen::Main;
        self.main.reset_list(s);
        self.main.set_filters(self.today(), self.offset);
        self.reload();
    }

    /// Reads the current list's chunk again, noting the node's change number first.
    pub(crate) fn reload(&mut self) {
        self.note_changes();
        self.read_chunk();
    }

    /// Reads the chunk at the current list's cursor.
    fn read_chunk(&mut self) {
        let m = &mut self.main;
        let c = &mut self.conn;
        let r = match m.list_kind() {
            For::Tasks => c.ask(m.list.query.call()).map(|p| m.list.fill(p)),
            For::Apps => c.ask(m.apps.query.call()).map(|p| m.apps.fill(p)),
            For::Outgoing => c.ask(m.out.query.call()).map(|p| m.out.fill(p)),
            For::Incoming => c.ask(m.inc.query.call()).map(|p| m.inc.fill(p)),
            For::Regional => c.ask(m.reg.query.call()).map(|p| m.reg.fill(p)),
        };
        if let Err(e) = r {
            self.failed(&e);
        }
    }

    /// The current list from the top again (after a filter or sort change).
    fn restart(&mut self) {
        self.main.rewind();
        self.reload();
    }

    /// «Запуск услуги», first step: the departments to choose from.
    fn launch(&mut self) {
        match self.conn.ask(call::Departments) {
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
                self.main.popup = Some(Menu {
                    title: text::LAUNCH_DEPT,
                    items,
                    selected: 0,
                    kind: MenuKind::LaunchDepts(depts),
                });
            }
            Err(e) => self.failed(&e),
        }
    }

    /// «Новая заявка»: the services to choose from.
    fn new_application(&mut self) {
        match self.conn.ask(call::Services { all: false }) {
            Ok(list) => {
                self.main.popup = Some(Menu {
                    title: text::CHOOSE_SERVICE,
                    items: list.iter().map(|s| s.name.clone()).collect(),
                    selected: 0,
                    kind: MenuKind::Services(list),
                });
            }
            Err(e) => self.failed(&e),
        }
    }
}

/// A date as staff type it: `ДД.ММ.ГГГГ`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    read_date(s).ok()
}

/// [`parse_date`] with what is wrong: the form ([`text::BAD_DATE`]), or a day the calendar
/// has not, «31.02.2026» ([`text::NO_SUCH_DATE`]).
pub fn read_date(s: &str) -> Result<time::Date, &'static str> {
    let parts: Vec<&str> = s.trim().split('.').collect();
    let number = |p: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let [d, m, y] = parts[..] else {
        return Err(text::BAD_DATE);
    };
    let (Some(d), Some(m), Some(y)) = (number(d, 1..=2), number(m, 1..=2), number(y, 4..=4)) else {
        return Err(text::BAD_DATE);
    };
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or(text::NO_SUCH_DATE)?;
    let day = u8::try_from(d).map_err(|_| text::NO_SUCH_DATE)?;
    time::Date::from_calendar_date(y as i32, month, day).map_err(|_| text::NO_SUCH_DATE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyCode;

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
            ..crate::form::tests::sample_service()
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
        use crate::effect::Effect;
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
            form: crate::session::password_form(true),
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

    #[test]
    fn a_date_that_does_not_exist_is_told_apart_from_a_wrong_form() {
        let d = |y, m, d| time::Date::from_calendar_date(y, m, d).ok();
        assert_eq!(
            read_date(" 28.02.2026 ").ok(),
            d(2026, time::Month::February, 28)
        );
        assert_eq!(read_date("1.3.2026").ok(), d(2026, time::Month::March, 1));
        assert_eq!(
            read_date("29.02.2028").ok(),
            d(2028, time::Month::February, 29)
        );
        for none in [
            "31.02.2026",
            "29.02.2027",
            "00.01.2026",
            "32.01.2026",
            "15.13.2026",
        ] {
            assert_eq!(read_date(none), Err(text::NO_SUCH_DATE), "{none}");
        }
        for bad in [
            "",
            "28.02",
            "28.02.26",
            "28-02-2026",
            "28.02.2026.1",
            "+1.02.2026",
            "аа.02.2026",
        ] {
            assert_eq!(read_date(bad), Err(text::BAD_DATE), "{bad}");
        }
    }
}
