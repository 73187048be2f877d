//! «Администрирование»: the body's users, roles, departments, holiday calendar, services and
//! request kinds, one tab each, with the changes an administrator makes from the terminal.
//! Service and request-kind templates open in the template editor (`template.rs`).

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::Effect;
use crate::screens::effect::Pending;
use crate::screens::menu::{Menu, MenuKind};
use crate::screens::template::TemplateView;
use crate::text;
use crate::widgets::Field;
use volost_api::UserView;
use volost_domain::{Calendar, Department, Group, RequestKind, Role, Service, UserId};

/// The tabs of «Администрирование».
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminTab {
    Users,
    Roles,
    Departments,
    Calendar,
    Services,
    Kinds,
}

impl AdminTab {
    pub const ALL: [AdminTab; 6] = [
        AdminTab::Users,
        AdminTab::Roles,
        AdminTab::Departments,
        AdminTab::Calendar,
        AdminTab::Services,
        AdminTab::Kinds,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AdminTab::Users => text::AD_USERS,
            AdminTab::Roles => text::AD_ROLES,
            AdminTab::Departments => text::AD_DEPTS,
            AdminTab::Calendar => text::AD_CALENDAR,
            AdminTab::Services => text::AD_SERVICES,
            AdminTab::Kinds => text::AD_KINDS,
        }
    }
}

/// What «Действия» on the administration screen can do.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminAction {
    ResetPassword(String),
    /// A user's position and phone, as the dialog opens with them.
    UserContacts(UserId, String, String),
    SetUserActive(UserId, bool),
    SetServiceActive(volost_domain::ServiceId, bool),
    /// Mark a date as a day off (true) or a working day.
    CalendarDay(bool),
    /// Load official years from a file.
    ImportCalendar,
    /// Load a kind's package from a folder.
    ImportKind,
    /// Open the template editor of the selected service or kind.
    EditTemplate,
    /// The setup screen on the node's console, for the body's codes, the network, SMEV.
    RequestSetup,
    /// The body's ОГРН, ИНН, КПП and date of registration, as agencies' statements name it.
    OrgDetails,
}

impl AdminAction {
    pub fn label(&self) -> &'static str {
        match self {
            AdminAction::ResetPassword(_) => text::AD_RESET,
            AdminAction::UserContacts(..) => text::AD_CONTACTS,
            AdminAction::SetUserActive(_, true) => text::AD_UNBLOCK,
            AdminAction::SetUserActive(_, false) => text::AD_BLOCK,
            AdminAction::SetServiceActive(_, true) => text::AD_SERVICE_ON,
            AdminAction::SetServiceActive(_, false) => text::AD_SERVICE_OFF,
            AdminAction::CalendarDay(true) => text::AD_DAY_OFF,
            AdminAction::CalendarDay(false) => text::AD_WORKDAY,
            AdminAction::ImportCalendar => text::AD_CAL_IMPORT,
            AdminAction::ImportKind => text::AD_KIND_IMPORT,
            AdminAction::EditTemplate => text::AD_EDIT_TEMPLATE,
            AdminAction::RequestSetup => text::AD_SETUP,
            AdminAction::OrgDetails => text::AD_ORG,
        }
    }
}

/// The administration screen: everything it shows, read when it opens or after a change.
pub struct AdminView {
    pub tab: AdminTab,
    pub row: usize,
    pub users: Vec<UserView>,
    pub roles: Vec<Role>,
    pub depts: Vec<Department>,
    pub groups: Vec<Group>,
    pub calendar: Calendar,
    pub services: Vec<Service>,
    pub kinds: Vec<RequestKind>,
    pub menu: Option<Menu>,
}

impl AdminView {
    pub fn rows(&self) -> usize {
        match self.tab {
            AdminTab::Users => self.users.len(),
            AdminTab::Roles => self.roles.len(),
            AdminTab::Departments => self.depts.len(),
            AdminTab::Calendar => self.calendar_rows().len(),
            AdminTab::Services => self.services.len(),
            AdminTab::Kinds => self.kinds.len(),
        }
    }

    /// The calendar tab's lines: each confirmed year with its decree, the year after the last
    /// one marked provisional, then the administrator's marks in date order.
    pub fn calendar_rows(&self) -> Vec<(String, String)> {
        let c = &self.calendar;
        let mut rows: Vec<(String, String)> = c
            .years
            .iter()
            .map(|(y, d)| {
                // The decree's number and date; its title («О переносе…») says nothing more.
                let act = d.source.split(" «").next().unwrap_or(&d.source);
                (y.to_string(), format!("{}: {act}", text::CAL_CONFIRMED))
            })
            .collect();
        if let Some(last) = c.years.keys().next_back() {
            rows.push(((last + 1).to_string(), text::CAL_PROVISIONAL.into()));
        }
        let mut days: Vec<(time::Date, bool)> = c
            .holidays
            .iter()
            .map(|d| (*d, true))
            .chain(c.workdays.iter().map(|d| (*d, false)))
            .collect();
        days.sort();
        rows.extend(days.into_iter().map(|(d, off)| {
            (
                volost_domain::display_date(d),
                if off { text::DAY_OFF } else { text::DAY_WORK }.to_string(),
            )
        }));
        rows
    }

    /// The actions of the selected line (or of the tab, for the calendar).
    fn actions(&self) -> Vec<AdminAction> {
        match self.tab {
            AdminTab::Users => self
                .users
                .get(self.row)
                .map(|u| {
                    vec![
                        AdminAction::ResetPassword(u.login.clone()),
                        AdminAction::UserContacts(u.id, u.position.clone(), u.phone.clone()),
                        AdminAction::SetUserActive(u.id, !u.active),
                    ]
                })
                .unwrap_or_default(),
            AdminTab::Services => self
                .services
                .get(self.row)
                .map(|s| {
                    vec![
                        AdminAction::EditTemplate,
                        AdminAction::SetServiceActive(s.id, !s.active),
                    ]
                })
                .unwrap_or_default(),
            AdminTab::Kinds if !self.kinds.is_empty() => {
                vec![AdminAction::EditTemplate, AdminAction::ImportKind]
            }
            AdminTab::Kinds => vec![AdminAction::ImportKind],
            AdminTab::Calendar => vec![
                AdminAction::CalendarDay(true),
                AdminAction::CalendarDay(false),
                AdminAction::ImportCalendar,
            ],
            // The body's own details are the setup's.
            AdminTab::Departments => vec![AdminAction::OrgDetails, AdminAction::RequestSetup],
            _ => Vec::new(),
        }
    }
}

impl AdminView {
    /// A command on the administration screen: its tabs, lines and menus are its own; the
    /// rest is asked of the runner.
    pub fn handle(&mut self, cmd: Cmd) -> Option<Effect> {
        match (cmd, &mut self.menu) {
            (Cmd::Back, Some(_)) => self.menu = None,
            (Cmd::Back, None) => return Some(Effect::OpenSection(0)),
            (Cmd::Up, Some(m)) => m.up(),
            (Cmd::Down, Some(m)) => m.down(),
            (Cmd::Submit, Some(_)) => return self.menu.take().and_then(|m| self.chosen(m)),
            (Cmd::Up, None) => self.row = self.row.saturating_sub(1),
            (Cmd::Down, None) => self.row = (self.row + 1).min(self.rows().saturating_sub(1)),
            (Cmd::NextTab, None) => {
                let i = AdminTab::ALL
                    .iter()
                    .position(|t| *t == self.tab)
                    .unwrap_or(0);
                self.tab = AdminTab::ALL[(i + 1) % AdminTab::ALL.len()];
                self.row = 0;
            }
            (Cmd::Actions, None) => {
                let acts = self.actions();
                if acts.is_empty() {
                    return Some(Effect::Info(text::NO_ACTIONS_HERE));
                }
                self.menu = Some(Menu {
                    title: text::ACTIONS_TITLE,
                    items: acts.iter().map(|a| a.label().to_string()).collect(),
                    selected: 0,
                    kind: MenuKind::Admin(acts),
                });
            }
            (Cmd::Add, None) => match self.tab {
                AdminTab::Users => {
                    let roles = self.roles.clone();
                    self.menu = Some(Menu {
                        title: text::AD_CHOOSE_ROLE,
                        items: roles.iter().map(|r| r.name.clone()).collect(),
                        selected: 0,
                        kind: MenuKind::Roles(roles),
                    });
                }
                AdminTab::Departments => {
                    return ask(Dialog::new(
                        text::AD_ADD_DEPT,
                        text::AD_ADD_DEPT_TEXT,
                        vec![Field::new(text::AD_DEPT_NAME, false)],
                        Pending::AddDepartment,
                    ));
                }
                AdminTab::Calendar => return ask(day_dialog(true)),
                AdminTab::Services => return self.template(true),
                // A kind comes with its agency's schemas: a package, never a bare form.
                AdminTab::Kinds => return ask(import_kind()),
                AdminTab::Roles => return Some(Effect::Info(text::AD_ROLES_HINT)),
            },
            (Cmd::Edit, None) => return self.template(false),
            (Cmd::Refresh, None) => return Some(Effect::OpenAdmin(self.tab)),
            _ => {}
        }
        None
    }

    /// A line of a menu was chosen: a question first, or a change for the runner to make.
    fn chosen(&self, m: Menu) -> Option<Effect> {
        match m.kind {
            MenuKind::Admin(acts) => match acts.into_iter().nth(m.selected)? {
                AdminAction::ResetPassword(login) => ask(Dialog::new(
                    text::AD_RESET,
                    format!("{} {login}?", text::AD_RESET_TEXT),
                    Vec::new(),
                    Pending::ResetPassword(login),
                )),
                AdminAction::UserContacts(user, position, phone) => ask(Dialog::new(
                    text::AD_CONTACTS,
                    text::AD_CONTACTS_TEXT,
                    vec![
                        Field::with(text::AD_POSITION, &position),
                        Field::with(text::AD_PHONE, &phone),
                    ],
                    Pending::UserContacts(user),
                )),
                a @ (AdminAction::SetUserActive(..) | AdminAction::SetServiceActive(..)) => {
                    Some(Effect::AdminChange(a))
                }
                AdminAction::EditTemplate => self.template(false),
                // The runner holds the body's current codes the dialog opens with.
                AdminAction::OrgDetails => Some(Effect::EditOrgDetails),
                AdminAction::RequestSetup => ask(Dialog::new(
                    text::AD_SETUP,
                    text::AD_SETUP_TEXT,
                    Vec::new(),
                    Pending::RequestSetup,
                )),
                AdminAction::CalendarDay(off) => ask(day_dialog(off)),
                AdminAction::ImportKind => ask(import_kind()),
                AdminAction::ImportCalendar => ask(Dialog::new(
                    text::AD_CAL_IMPORT,
                    text::AD_CAL_IMPORT_TEXT,
                    vec![Field::new(text::AD_CAL_PATH, false)],
                    Pending::ImportCalendar,
                )),
            },
            MenuKind::Roles(roles) => {
                let r = roles.into_iter().nth(m.selected)?;
                ask(Dialog::new(
                    text::AD_ADD_USER,
                    format!("{}: {}", text::AD_ROLE, r.name),
                    vec![
                        Field::new(text::LOGIN, false),
                        Field::new(text::AD_FULL_NAME, false),
                    ],
                    Pending::AddUser(r.code),
                ))
            }
            _ => None,
        }
    }

    /// F4 (the selected template) or F7 (a new one) on «Услуги» or «Виды сведений»: the
    /// template editor.
    fn template(&self, new: bool) -> Option<Effect> {
        let roles = self.roles.clone();
        let editor = match (self.tab, new) {
            (AdminTab::Services, true) => Some(TemplateView::new_service(roles)),
            (AdminTab::Services, false) => self
                .services
                .get(self.row)
                .map(|s| TemplateView::service(s, roles)),
            (AdminTab::Kinds, false) => self
                .kinds
                .get(self.row)
                .map(|k| TemplateView::kind(k, roles)),
            _ => None,
        };
        Some(match editor {
            Some(e) => Effect::OpenTemplate(Box::new(e)),
            None => Effect::Info(text::TP_WHERE),
        })
    }
}

/// «Загрузить пакет вида сведений»: the folder's path.
fn import_kind() -> Dialog {
    Dialog::new(
        text::AD_KIND_IMPORT,
        text::AD_KIND_IMPORT_TEXT,
        vec![Field::new(text::AD_KIND_PATH, false)],
        Pending::ImportKind,
    )
}

fn ask(d: Dialog) -> Option<Effect> {
    Some(Effect::Confirm(Box::new(d)))
}

/// «Сделать выходным» (`off`) or «Сделать рабочим» a date.
fn day_dialog(off: bool) -> Dialog {
    Dialog::new(
        if off {
            text::AD_DAY_OFF
        } else {
            text::AD_WORKDAY
        },
        text::AD_DAY_TEXT,
        vec![Field::new(text::DUE_FIELD, false)],
        Pending::CalendarDay(off),
    )
}
