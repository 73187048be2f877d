//! The main screen: the menu of sections, the current section's list (one of five kinds) and
//! its filter panel, and the pop-up menus of «Новая заявка» and «Запуск услуги». It owns
//! that state and handles its commands purely; reading a list is asked of the runner.

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::Effect;
use crate::screens::effect::Pending;
use crate::screens::menu::Menu;
use crate::screens::requests::ReqRef;
use crate::text;
use crate::widgets::Field;
use crate::widgets::filter::{For, Panel};
use crate::widgets::list::{AppList, InList, OutList, RegList, TaskList};
use crossterm::event::KeyEvent;
use volost_domain::Right;
use volost_domain::{Queue, TaskId};

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

/// The main screen's state. The filter panels stay as set while the user opens cards and
/// comes back.
pub struct MainView {
    /// The sections the user's rights give, in menu order.
    pub sections: Vec<Section>,
    pub section: usize,
    /// The menu, not the list, has the focus.
    pub menu_focus: bool,
    pub list: TaskList,
    pub apps: AppList,
    pub out: OutList,
    pub inc: InList,
    pub reg: RegList,
    pub task_filter: Panel,
    pub app_filter: Panel,
    pub out_filter: Panel,
    pub in_filter: Panel,
    pub reg_filter: Panel,
    /// The filter panel of the current list is open.
    pub filtering: bool,
    /// A menu over the list (the services of «Новая заявка», the steps of «Запуск услуги»).
    pub popup: Option<Menu>,
}

impl Default for MainView {
    fn default() -> Self {
        MainView {
            sections: Vec::new(),
            section: 0,
            menu_focus: false,
            list: TaskList::new(Queue::Group),
            apps: AppList::new(),
            out: OutList::new(),
            inc: InList::new(),
            reg: RegList::new(),
            task_filter: Panel::tasks(),
            app_filter: Panel::apps(),
            out_filter: Panel::outgoing(),
            in_filter: Panel::incoming(),
            reg_filter: Panel::regional(),
            filtering: false,
            popup: None,
        }
    }
}

impl MainView {
    pub fn current(&self) -> Option<Section> {
        self.sections.get(self.section).copied()
    }

    /// The kind of list the current section shows.
    pub fn list_kind(&self) -> For {
        self.current().map_or(For::Tasks, Section::list)
    }

    /// The filter panel of the current list.
    pub fn panel(&self) -> &Panel {
        match self.list_kind() {
            For::Tasks => &self.task_filter,
            For::Apps => &self.app_filter,
            For::Outgoing => &self.out_filter,
            For::Incoming => &self.in_filter,
            For::Regional => &self.reg_filter,
        }
    }

    pub fn panel_mut(&mut self) -> &mut Panel {
        match self.list_kind() {
            For::Tasks => &mut self.task_filter,
            For::Apps => &mut self.app_filter,
            For::Outgoing => &mut self.out_filter,
            For::Incoming => &mut self.in_filter,
            For::Regional => &mut self.reg_filter,
        }
    }

    /// The selected task of the task list, if any.
    pub fn selected_task(&self) -> Option<TaskId> {
        self.list.current().map(|r| r.id)
    }

    /// The current list's query takes its panel's filters (`today` and `offset` make its
    /// relative periods and dates).
    pub fn set_filters(&mut self, today: time::Date, offset: time::UtcOffset) {
        match self.list_kind() {
            For::Tasks => self.list.query.filter = self.task_filter.task_filter(today, offset),
            For::Apps => self.apps.query.filter = self.app_filter.app_filter(today, offset),
            For::Outgoing => self.out.query.filter = self.out_filter.out_filter(today, offset),
            For::Incoming => self.inc.query.filter = self.in_filter.in_filter(),
            For::Regional => self.reg.query.filter = self.reg_filter.reg_filter(),
        }
    }

    /// The current list from its first chunk again (its chunk is then read).
    pub fn rewind(&mut self) {
        match self.list_kind() {
            For::Tasks => self.list.rewind(),
            For::Apps => self.apps.rewind(),
            For::Outgoing => self.out.rewind(),
            For::Incoming => self.inc.rewind(),
            For::Regional => self.reg.rewind(),
        }
    }

    /// The section `i` starts afresh: its list from the top, sorted as it starts.
    pub fn reset_list(&mut self, s: Section) {
        match (s.queue(), s.list()) {
            (Some(q), _) => self.list = TaskList::new(q),
            (None, For::Apps) => self.apps = AppList::new(),
            (None, For::Outgoing) => self.out = OutList::new(),
            (None, For::Incoming) => self.inc = InList::new(),
            (None, _) => self.reg = RegList::new(),
        }
    }

    fn step(&mut self, delta: isize) -> Option<Effect> {
        let read = match self.list_kind() {
            For::Tasks => self.list.step(delta),
            For::Apps => self.apps.step(delta),
            For::Outgoing => self.out.step(delta),
            For::Incoming => self.inc.step(delta),
            For::Regional => self.reg.step(delta),
        };
        read.then_some(Effect::ReadChunk)
    }

    /// F6 the next sort column, Shift+F6 the other direction; the list from the top.
    fn sort(&mut self, cmd: Cmd) -> Option<Effect> {
        let next = cmd == Cmd::Sort;
        match self.list_kind() {
            For::Tasks => self.list.sort(next),
            For::Apps => self.apps.sort(next),
            For::Outgoing => self.out.sort(next),
            For::Incoming => self.inc.sort(next),
            For::Regional => self.reg.sort(next),
        }
        Some(Effect::Reload)
    }

    /// A key on the main screen: the pop-up menu's, the filter panel's, or the list's and
    /// the menu's.
    pub fn handle(&mut self, cmd: Option<Cmd>, key: &KeyEvent) -> Option<Effect> {
        if let Some(m) = &mut self.popup {
            match cmd? {
                Cmd::Back => self.popup = None,
                Cmd::Up => m.up(),
                Cmd::Down => m.down(),
                Cmd::Submit => return self.popup.take().map(|m| Effect::MenuChosen(Box::new(m))),
                _ => {}
            }
            return None;
        }
        if self.filtering {
            let panel = self.panel_mut();
            if panel.edit(key) {
                return None;
            }
            match cmd? {
                Cmd::Back => self.filtering = false,
                Cmd::Up => panel.up(),
                Cmd::Down => panel.down(),
                Cmd::NextChoice => panel.cycle(true),
                Cmd::PrevChoice => panel.cycle(false),
                Cmd::Toggle => panel.space(),
                Cmd::ClearFilters => panel.clear(),
                // The panel stays open with the date to correct.
                Cmd::Submit => match panel.bad_date() {
                    Some(msg) => return Some(Effect::Error(msg)),
                    None => {
                        self.filtering = false;
                        return Some(Effect::ApplyFilters);
                    }
                },
                _ => {}
            }
            return None;
        }
        self.command(cmd?)
    }

    fn command(&mut self, cmd: Cmd) -> Option<Effect> {
        let kind = self.list_kind();
        match cmd {
            Cmd::FocusMenu => self.menu_focus = !self.menu_focus,
            Cmd::Filter => {
                self.filtering = true;
                return Some(Effect::LoadPicks);
            }
            Cmd::Search => return Some(Effect::Confirm(Box::new(self.search_dialog()))),
            Cmd::Jump => {
                let names: Vec<_> = self.sections.iter().map(|s| s.label()).collect();
                return Some(Effect::Confirm(Box::new(Dialog::new(
                    text::JUMP_TITLE,
                    names.join(", "),
                    vec![Field::new(text::JUMP_FIELD, false)],
                    Pending::Jump,
                ))));
            }
            Cmd::Launch => return Some(Effect::Launch),
            Cmd::NewApp => return Some(Effect::NewApplication),
            Cmd::Section(k) => {
                return Some(
                    match self.sections.iter().position(|s| s.key() == char::from(k)) {
                        Some(i) => {
                            self.menu_focus = false;
                            Effect::OpenSection(i)
                        }
                        None => Effect::Info(text::NO_SECTION),
                    },
                );
            }
            Cmd::Up if self.menu_focus => self.section = self.section.saturating_sub(1),
            Cmd::Down if self.menu_focus => {
                self.section = (self.section + 1).min(self.sections.len().saturating_sub(1));
            }
            Cmd::Submit if self.menu_focus => {
                self.menu_focus = false;
                return Some(Effect::OpenSection(self.section));
            }
            Cmd::Up => return self.step(-1),
            Cmd::Down => return self.step(1),
            Cmd::PageUp => return self.step(-20),
            Cmd::PageDown => return self.step(20),
            Cmd::Top => {
                self.rewind();
                return Some(Effect::Reload);
            }
            Cmd::Refresh => return Some(Effect::Reload),
            Cmd::Export if kind == For::Outgoing => {
                let what = volost_api::Exported::Journal(self.out.query.filter.clone());
                return Some(Effect::Export(what));
            }
            Cmd::Sort | Cmd::SortDirection => return self.sort(cmd),
            Cmd::Open => {
                return match kind {
                    For::Outgoing => self.out.current().map(|r| ReqRef::Out(r.id)),
                    For::Incoming => self.inc.current().map(|r| ReqRef::In(r.id)),
                    For::Regional => self.reg.current().map(|r| ReqRef::Reg(r.id)),
                    For::Apps => {
                        return self.apps.current().map(|r| {
                            Effect::OpenApplicationAt(
                                r.id,
                                crate::screens::application::AppTab::Data,
                            )
                        });
                    }
                    For::Tasks => return self.selected_task().map(Effect::OpenTask),
                }
                .map(|r| Effect::OpenRequest(r, None));
            }
            Cmd::Add => {
                return Some(Effect::NewRequest {
                    regional: kind == For::Regional,
                    application: None,
                });
            }
            Cmd::Claim | Cmd::ReturnToGroup | Cmd::Complete | Cmd::Finish | Cmd::SetDue => {
                return self.selected_task().map(|id| Effect::Task(cmd, id));
            }
            Cmd::ChangePassword => return Some(Effect::PasswordForm),
            _ => {}
        }
        None
    }

    /// `/`: an application by its number in «Заявки», a task by a word of its name elsewhere.
    fn search_dialog(&self) -> Dialog {
        let apps = self.current() == Some(Section::Applications);
        let (intro, label) = if apps {
            (text::SEARCH_APP, text::APP_NUMBER)
        } else {
            (text::SEARCH_TASK, text::FL_NAME)
        };
        Dialog::new(
            text::SEARCH_TITLE,
            intro,
            vec![Field::new(label, false)],
            Pending::Search,
        )
    }
}
