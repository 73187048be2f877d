//! The runner's side of tasks: a task's card and the commands on a task.

use crate::app::*;

use crate::keymap::Cmd;
use crate::text;
use volost_api::{Op, call};
use volost_domain::{Right, TaskId};

use crate::screens::effect::Pending;
use crate::widgets::Field;

impl App {
    /// Opens the card of task `id`.
    pub(crate) fn open_card(&mut self, id: TaskId) {
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
    pub(crate) fn task_command(&mut self, cmd: Cmd, id: TaskId) {
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
    pub(crate) fn claim(&mut self, id: TaskId, take_over: bool) {
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

    pub(crate) fn act<R: Op + Clone>(&mut self, call: R, done: &str, id: TaskId) {
        match self.conn.ask(call) {
            Ok(_) => self.done(done, id),
            Err(e) => self.failed(&e),
        }
    }

    /// After an action: the card shows the task as it is now, or, once the task has left
    /// the user's hands, the list comes back with the next task selected.
    pub(crate) fn done(&mut self, message: &str, id: TaskId) {
        self.banner = Some(Banner::Info(message.to_string()));
        if matches!(self.screen, Screen::Card(_)) {
            self.open_card(id);
        } else {
            self.reload();
        }
    }
}
