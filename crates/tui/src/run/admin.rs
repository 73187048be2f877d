//! The runner's side of admin: the daemon calls its effects ask for.

use crate::app::{App, Banner, Dialog, Screen};
use crate::screens::admin::*;
use crate::screens::effect::Pending;
use crate::text;
use crate::widgets::Field;
use volost_api::NewUser;
use volost_api::{Op, call};

impl App {
    /// Opens «Администрирование» on `tab`, reading what it shows.
    pub(crate) fn open_admin(&mut self, tab: AdminTab) {
        let row = match &self.screen {
            Screen::Admin(v) if v.tab == tab => v.row,
            _ => 0,
        };
        let read = |app: &mut App| -> Result<AdminView, volost_api::ClientError> {
            Ok(AdminView {
                tab,
                row,
                users: app.conn.ask(call::Users)?,
                roles: app.conn.ask(call::Roles)?,
                depts: app.conn.ask(call::Departments)?,
                groups: app.conn.ask(call::Groups)?,
                calendar: app.conn.ask(call::Calendar)?,
                services: app.conn.ask(call::Services { all: true })?,
                kinds: app.conn.ask(call::RequestKinds)?,
                menu: None,
            })
        };
        match read(self) {
            Ok(mut v) => {
                v.row = v.row.min(v.rows().saturating_sub(1));
                self.screen = Screen::Admin(Box::new(v));
            }
            Err(e) => self.failed(&e),
        }
    }

    /// «Заблокировать», «Разблокировать», «Отключить», «Включить» from the menu.
    pub(crate) fn admin_change(&mut self, a: AdminAction) {
        match a {
            AdminAction::SetUserActive(user, active) => {
                self.admin_call(call::SetUserActive { user, active }, text::AD_SAVED);
            }
            AdminAction::SetServiceActive(id, active) => {
                self.admin_call(call::SetServiceActive { id, active }, text::AD_SAVED);
            }
            _ => {}
        }
    }

    /// A change from the administration screen; the screen is read again after it.
    fn admin_call<R: Op + Clone>(&mut self, call: R, done: &str) {
        match self.conn.ask(call) {
            Ok(_) => {
                self.banner = Some(Banner::Info(done.into()));
                self.reopen_admin();
            }
            Err(e) => self.failed(&e),
        }
    }

    /// «Сведения об органе»: the body's codes as the node keeps them, to change.
    pub(crate) fn org_dialog(&mut self) {
        let o = self.org.clone().unwrap_or_else(|| volost_domain::Org {
            id: volost_domain::OrgId(0),
            name: String::new(),
            short_name: String::new(),
            oktmo: String::new(),
            ogrn: String::new(),
            inn: String::new(),
            kpp: String::new(),
            registered: None,
            contacts: String::new(),
        });
        self.dialog = Some(Dialog::new(
            text::AD_ORG,
            text::AD_ORG_TEXT,
            vec![
                Field::with(text::AD_ORG_OGRN, &o.ogrn),
                Field::with(text::AD_ORG_INN, &o.inn),
                Field::with(text::AD_ORG_KPP, &o.kpp),
                Field::with(
                    text::AD_ORG_REGISTERED,
                    &o.registered
                        .map(volost_domain::display_date)
                        .unwrap_or_default(),
                ),
                Field::with(text::AD_ORG_CONTACTS, &o.contacts),
            ],
            Pending::OrgDetails,
        ));
    }

    fn reopen_admin(&mut self) {
        if let Screen::Admin(v) = &self.screen {
            let tab = v.tab;
            self.open_admin(tab);
        }
    }

    /// The dialogs of the administration screen were filled in.
    pub(crate) fn admin_confirm(&mut self, d: Dialog, then: Pending) {
        match then {
            Pending::AddUser(role) => {
                let groups = match &self.screen {
                    Screen::Admin(v) => v.groups.iter().take(1).map(|g| g.id).collect(),
                    _ => Vec::new(),
                };
                let u = NewUser {
                    login: d.value(0),
                    full_name: d.value(1),
                    dept: None,
                    roles: vec![role],
                    groups,
                };
                match self.conn.ask(call::AddUser(u)) {
                    Ok(p) => {
                        // The temporary password is shown once, to be handed over.
                        self.banner = Some(Banner::Info(format!(
                            "{} {}: {} {}",
                            text::AD_USER_ADDED,
                            p.login,
                            text::AD_TEMP_PASSWORD,
                            p.password
                        )));
                        self.reopen_admin();
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::UserContacts(user) => {
                let args = call::SetUserContacts {
                    user,
                    position: d.value(0),
                    phone: d.value(1),
                };
                match self.conn.ask(args) {
                    Ok(()) => {
                        self.banner = Some(Banner::Info(text::AD_SAVED.into()));
                        self.reopen_admin();
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::ResetPassword(login) => match self.conn.ask(call::ResetPassword { login }) {
                Ok(p) => {
                    self.banner = Some(Banner::Info(format!(
                        "{} {}: {} {}",
                        text::AD_PASSWORD_RESET,
                        p.login,
                        text::AD_TEMP_PASSWORD,
                        p.password
                    )));
                    self.reopen_admin();
                }
                Err(e) => self.failed(&e),
            },
            Pending::AddDepartment => {
                let call = call::AddDepartment {
                    name: d.value(0),
                    parent: None,
                };
                match self.conn.ask(call) {
                    Ok(_) => {
                        self.banner = Some(Banner::Info(text::AD_SAVED.into()));
                        self.reopen_admin();
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::RequestSetup => self.admin_call(call::RequestSetup, text::AD_SETUP_ASKED),
            Pending::OrgDetails => {
                let day = d.value(3);
                let registered = if day.trim().is_empty() {
                    None
                } else {
                    match crate::widgets::date::read_date(&day) {
                        Ok(date) => Some(date),
                        Err(why) => {
                            let mut d = d;
                            d.refuse(3, why);
                            self.dialog = Some(d);
                            return;
                        }
                    }
                };
                let details = volost_api::view::OrgDetails {
                    ogrn: d.value(0).trim().to_string(),
                    inn: d.value(1).trim().to_string(),
                    kpp: d.value(2).trim().to_string(),
                    registered,
                    contacts: d.value(4).trim().to_string(),
                };
                match self.conn.ask(call::SetOrgDetails(details)) {
                    Ok(org) => {
                        self.org = Some(org);
                        self.banner = Some(Banner::Info(text::AD_SAVED.into()));
                        self.reopen_admin();
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::ImportCalendar => {
                let path = crate::local::expand(&d.value(0));
                let data = std::fs::metadata(&path)
                    .and_then(|m| {
                        if m.len() > volost_domain::calendar::import::MAX_FILE as u64 {
                            Err(std::io::Error::other("больше 1 МБ"))
                        } else {
                            std::fs::read(&path)
                        }
                    })
                    .map_err(|e| crate::local::io_problem(&e, &path));
                let data = match data {
                    Ok(b) => b,
                    Err(problem) => {
                        let mut d = d;
                        d.refuse(0, problem);
                        self.dialog = Some(d);
                        return;
                    }
                };
                let name = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let call = call::ImportCalendar {
                    name,
                    data: volost_api::Bytes(data),
                };
                match self.conn.ask(call) {
                    Ok(r) => {
                        let years: Vec<String> =
                            r.years.iter().map(|(y, _)| y.to_string()).collect();
                        self.banner = Some(Banner::Info(format!(
                            "{} {}; {} {}, {} {}",
                            text::AD_CAL_LOADED,
                            years.join(", "),
                            text::AD_CAL_MOVED,
                            r.moved.tasks,
                            text::AD_CAL_MOVED_APPS,
                            r.moved.applications
                        )));
                        self.reopen_admin();
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::ImportKind => {
                let files = match crate::local::read_folder(
                    &d.value(0),
                    volost_api::view::MAX_PACKAGE_FILES,
                    volost_api::view::MAX_PACKAGE_BYTES,
                ) {
                    Ok(f) => f,
                    Err(problem) => {
                        let mut d = d;
                        d.refuse(0, problem);
                        self.dialog = Some(d);
                        return;
                    }
                };
                let call = call::ImportKind {
                    files: files
                        .into_iter()
                        .map(|(p, b)| (p, volost_api::Bytes(b)))
                        .collect(),
                };
                match self.conn.ask(call) {
                    Ok(r) => {
                        let what = if r.unchanged {
                            text::AD_KIND_SAME
                        } else if r.replaced {
                            text::AD_KIND_REPLACED
                        } else {
                            text::AD_KIND_LOADED
                        };
                        self.banner = Some(Banner::Info(format!(
                            "{what} {} {} {} «{}»",
                            r.info.code,
                            text::AD_KIND_VERSION,
                            r.info.version,
                            r.info.name
                        )));
                        self.reopen_admin();
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::CalendarDay(off) => match crate::widgets::date::read_date(&d.value(0)) {
                Ok(date) => self.admin_call(call::SetCalendarDay { date, off }, text::AD_SAVED),
                Err(why) => {
                    let mut d = d;
                    d.refuse(0, why);
                    self.dialog = Some(d);
                }
            },
            _ => {}
        }
    }
}
