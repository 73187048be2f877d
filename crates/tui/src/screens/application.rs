//! An application's card: its data, files, requests and history, and the menu of the
//! actions its status allows.

use crate::screens::menu::{Menu, MenuKind};

use crate::keymap::Cmd;
use crate::screens::form::DataForm;
use crate::screens::requests::ReqRef;
use crate::text;
use crate::widgets::files::FilesTab;
use std::ops::ControlFlow;
use volost_api::{ApplicationCard, OutRow, RegRow};
use volost_domain::TaskId;

pub use crate::screens::main::MainView;
pub use crate::widgets::list::{AppList, CHUNK, InList, OutList, RegList, TaskList};

/// The tabs of an application card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppTab {
    Data,
    /// «Опись»: the documents received, and the receipt.
    Inventory,
    /// «Файлы» of the application (a form's file fields and those added on the card).
    Files,
    /// «Межведомственные запросы» made for the application.
    Outgoing,
    /// «Запросы Р-сведений» made for it.
    Regional,
    History,
}

impl AppTab {
    pub const ALL: [AppTab; 6] = [
        AppTab::Data,
        AppTab::Inventory,
        AppTab::Files,
        AppTab::Outgoing,
        AppTab::Regional,
        AppTab::History,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AppTab::Data => text::TAB_DATA,
            AppTab::Inventory => text::TAB_INVENTORY,
            AppTab::Files => text::TAB_FILES,
            AppTab::Outgoing => text::TAB_OUTGOING,
            AppTab::Regional => text::TAB_REGIONAL,
            AppTab::History => text::TAB_HISTORY,
        }
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

/// A line of «Действия» that is not a step of the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    /// «Отказать в приёме документов» (a draft, at the desk).
    RefuseIntake,
    /// «Напечатать документ о результате» (in examination and after the decision).
    PrintResult,
    /// «Результат выдан заявителю».
    HandOver,
}

impl Extra {
    pub fn label(self) -> &'static str {
        match self {
            Extra::RefuseIntake => text::REFUSE_INTAKE,
            Extra::PrintResult => text::PRINT_RESULT,
            Extra::HandOver => text::HAND_OVER,
        }
    }
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

    /// The «Опись» tab is open with no menu over it: it takes its keys first.
    pub fn on_inventory(&self) -> bool {
        self.tab == AppTab::Inventory && self.menu.is_none()
    }

    pub fn handle(&mut self, cmd: Option<Cmd>) -> Option<crate::screens::effect::Effect> {
        use crate::screens::effect::Effect;
        let id = self.card.app.id;
        let cmd = cmd?;
        if self.on_files()
            && let ControlFlow::Break(e) = crate::screens::files::handle(&mut self.files, cmd)
        {
            return e;
        }
        if self.on_inventory()
            && let ControlFlow::Break(e) = crate::screens::inventory::handle(self, cmd)
        {
            return e;
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
            (Cmd::Actions, None)
                if self.card.actions.is_empty()
                    && !self.card.hand_over
                    && !self.card.refuse_intake
                    && !self.card.print_result =>
            {
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

    /// The lines of «Действия» after the lifecycle's actions, as the card offers them.
    pub fn extras(&self) -> Vec<Extra> {
        let mut out = Vec::new();
        if self.card.refuse_intake {
            out.push(Extra::RefuseIntake);
        }
        if self.card.print_result {
            out.push(Extra::PrintResult);
        }
        if self.card.hand_over {
            out.push(Extra::HandOver);
        }
        out
    }

    /// The «Действия» menu: the lifecycle's actions, then the [`Extra`] lines.
    pub fn actions_menu(&self) -> Menu {
        let acts = self.card.actions.clone();
        let mut items: Vec<String> = acts.iter().map(|a| a.label().to_string()).collect();
        items.extend(self.extras().iter().map(|x| x.label().to_string()));
        Menu {
            title: text::ACTIONS_TITLE,
            items,
            selected: 0,
            kind: MenuKind::Actions(acts),
        }
    }
}
