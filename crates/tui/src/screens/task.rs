//! A task's card: the task, its history, the map of its process, a tab each.

use crate::screens::application::AppTab;

use crate::keymap::Cmd;
use crate::text;
use volost_api::{ProcessMap, TaskCard};

pub use crate::screens::main::MainView;
pub use crate::widgets::list::{AppList, CHUNK, InList, OutList, RegList, TaskList};

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
    pub fn handle(&mut self, cmd: Option<Cmd>) -> Option<crate::screens::effect::Effect> {
        use crate::screens::effect::Effect;
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
