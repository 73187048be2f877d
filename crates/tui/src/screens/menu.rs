//! The pop-up menus over a screen: their lines and what each kind of menu chooses.

use crate::screens::admin::AdminAction;
use crate::screens::effect::Provider;
use crate::screens::requests::ReqAction;
use volost_api::UserView;
use volost_domain::{Action, AppId, Department, DeptId, RequestKind, Role, Service};

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
    Admin(Vec<AdminAction>),
    /// A new user's role.
    Roles(Vec<Role>),
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
