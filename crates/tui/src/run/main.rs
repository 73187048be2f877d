//! The runner's side of the main screen: reading its lists, opening sections, the pop-up
//! menus' daemon calls.

use crate::app::*;

use crate::screens::form::DataForm;
use crate::text;
use crate::widgets::filter::For;
use volost_api::call;

use crate::widgets::list::Query;

impl App {
    /// A line of the main screen's menu was chosen.
    pub(crate) fn popup_chosen(&mut self, m: Menu) {
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

    /// The people and services the filter panels offer, read once per session.
    pub(crate) fn load_picks(&mut self) {
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
    pub(crate) fn apply_filters(&mut self) {
        let today = self.today();
        self.main.set_filters(today, self.offset);
        self.restart();
    }

    pub fn open_section(&mut self, i: usize) {
        let Some(s) = self.main.sections.get(i).copied() else {
            return;
        };
        match s {
            Section::Admin => return self.open_admin(crate::screens::admin::AdminTab::Users),
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
    pub(crate) fn read_chunk(&mut self) {
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
    pub(crate) fn restart(&mut self) {
        self.main.rewind();
        self.reload();
    }

    /// «Запуск услуги», first step: the departments to choose from.
    pub(crate) fn launch(&mut self) {
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
    pub(crate) fn new_application(&mut self) {
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
