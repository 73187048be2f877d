//! Requests: the cards of outgoing, incoming and regional requests, the tabs of an
//! application card that list its requests, and making new ones. A card is turned into
//! labelled lines when it is read, so one drawing serves the three kinds.

use crate::keymap::Cmd;
use crate::screens::application::AppTab;
use crate::screens::effect::Effect;
use crate::screens::menu::{Menu, MenuKind};
use crate::text;
use crate::widgets::files::FilesTab;
use std::ops::ControlFlow;
use volost_domain::{AppId, HistoryEntry, InReqId, OutReqId, RegReqId, RequestKind, Ts};

/// Which request a card shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReqRef {
    Out(OutReqId),
    In(InReqId),
    Reg(RegReqId),
}

/// The tabs of a request card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReqTab {
    Data,
    Answer,
    Files,
    History,
}

impl ReqTab {
    pub const ALL: [ReqTab; 4] = [ReqTab::Data, ReqTab::Answer, ReqTab::Files, ReqTab::History];

    pub fn label(self) -> &'static str {
        match self {
            ReqTab::Data => text::TAB_DATA,
            ReqTab::Answer => text::TAB_ANSWER,
            ReqTab::Files => text::TAB_FILES,
            ReqTab::History => text::TAB_HISTORY,
        }
    }
}

/// What can be done to a request from its card.
#[derive(Clone, Debug, PartialEq)]
pub enum ReqAction {
    /// «Сформировать ответ» to an incoming request: its kind's answer form.
    Answer(Box<RequestKind>),
    /// «Исполнить» a regional request sent to this body.
    Complete,
    /// «Назначить на себя» an incoming request; with the holder's name when a supervisor
    /// takes it from a colleague.
    Claim(Option<String>),
    /// «Вернуть предыдущему исполнителю».
    ReturnPrevious,
    /// «Комментарий»: into the request's history only.
    Comment,
    /// «Отправить» a request «сформирован» through SMEV.
    Send,
    /// «Вернуть в работу» a request «не отправлен» or with «выявлена ошибка».
    Reopen,
    /// «Отправить» a regional request over РСМЭВ; signed with ЭП-СП when `true`.
    SendRegional(bool),
    /// «Отправить ответ повторно»: our answer to a body elsewhere did not go.
    ResendAnswer,
    /// «Напечатать запрос на бумаге»: for when SMEV is down; kept on «Файлы».
    PrintPaper,
}

impl ReqAction {
    pub fn label(&self) -> &'static str {
        match self {
            ReqAction::Answer(_) => text::MAKE_ANSWER,
            ReqAction::Complete => text::COMPLETE_REGIONAL,
            ReqAction::Claim(_) => text::CLAIM_INCOMING,
            ReqAction::ReturnPrevious => text::RETURN_PREVIOUS,
            ReqAction::Comment => text::COMMENT_INCOMING,
            ReqAction::Send => text::SEND_REQUEST,
            ReqAction::Reopen => text::REOPEN_REQUEST,
            ReqAction::SendRegional(false) => text::SEND_REQUEST,
            ReqAction::SendRegional(true) => text::SEND_SIGNED,
            ReqAction::ResendAnswer => text::RESEND_ANSWER,
            ReqAction::PrintPaper => text::PRINT_REQUEST,
        }
    }
}

/// Labelled lines of a card; a label with no value is a heading.
type Lines = Vec<(String, String)>;

/// A request card: title, labelled lines of data and answer, history, the actions of its
/// status, and a menu over it.
pub struct ReqView {
    pub id: ReqRef,
    pub number: String,
    pub title: String,
    pub tab: ReqTab,
    pub data: Vec<(String, String)>,
    pub answer: Vec<(String, String)>,
    pub history: Vec<HistoryEntry>,
    pub actions: Vec<ReqAction>,
    pub menu: Option<Menu>,
    /// The application card it was opened from: Esc goes back there.
    pub from_app: Option<AppId>,
    pub files: FilesTab,
    /// How far the data or answer tab is scrolled, and how far it can be (see `AppView`).
    pub scroll: u16,
    pub scroll_max: std::cell::Cell<u16>,
}

impl ReqView {
    /// A command on the request card: its menu, tabs and scrolling are its own; what needs
    /// the daemon or another screen is asked of the runner.
    /// The «Файлы» tab is open with no menu over it: it takes its keys first.
    pub fn on_files(&self) -> bool {
        self.tab == ReqTab::Files && self.menu.is_none()
    }

    pub fn handle(&mut self, cmd: Cmd) -> Option<Effect> {
        if self.on_files()
            && let ControlFlow::Break(e) = crate::screens::files::handle(&mut self.files, cmd)
        {
            return e;
        }
        match (cmd, &mut self.menu) {
            (Cmd::Back, Some(_)) => self.menu = None,
            (Cmd::Back, None) => {
                return Some(match self.from_app {
                    Some(app) => Effect::OpenApplicationAt(
                        app,
                        match self.id {
                            ReqRef::Reg(_) => AppTab::Regional,
                            _ => AppTab::Outgoing,
                        },
                    ),
                    None => Effect::List,
                });
            }
            (Cmd::Up, Some(m)) => m.up(),
            (Cmd::Down, Some(m)) => m.down(),
            (Cmd::Submit, Some(_)) => {
                return self.menu.take().map(|m| Effect::RequestAction(Box::new(m)));
            }
            (Cmd::Actions, None) if self.actions.is_empty() => {
                return Some(Effect::Info(text::NO_ACTIONS));
            }
            (Cmd::Actions, None) => self.menu = Some(self.actions_menu()),
            (Cmd::NextTab, None) => {
                let i = ReqTab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                self.tab = ReqTab::ALL[(i + 1) % ReqTab::ALL.len()];
                self.scroll = 0;
            }
            (Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown, None) => {
                crate::screens::application::scroll_by(
                    &mut self.scroll,
                    self.scroll_max.get(),
                    cmd,
                );
            }
            (Cmd::Refresh, None) => return Some(Effect::OpenRequest(self.id, self.from_app)),
            _ => {}
        }
        None
    }

    /// A card on its first tab, with no menu open; `open_request` sets where it came from.
    pub(crate) fn new(
        id: ReqRef,
        title: String,
        number: String,
        data: Lines,
        answer: Lines,
    ) -> ReqView {
        ReqView {
            id,
            number,
            title,
            tab: ReqTab::Data,
            data,
            answer,
            history: Vec::new(),
            actions: Vec::new(),
            menu: None,
            from_app: None,
            files: FilesTab {
                owner: id.into(),
                files: None,
                row: 0,
                max_bytes: 0,
            },
            scroll: 0,
            scroll_max: Default::default(),
        }
    }

    pub fn actions_menu(&self) -> Menu {
        Menu {
            title: text::ACTIONS_TITLE,
            items: self.actions.iter().map(|a| a.label().to_string()).collect(),
            selected: 0,
            kind: MenuKind::ReqActions(self.actions.clone()),
        }
    }
}

pub(crate) fn at(t: Option<Ts>, offset: time::UtcOffset) -> String {
    t.map(|t| t.display(offset))
        .unwrap_or_else(|| text::NOT_SET.into())
}

/// A kind's fields with their values, in the kind's order; keys the kind does not know (an
/// older template) are shown by key after them.
pub(crate) fn labelled(
    fields: &[volost_domain::Field],
    values: &std::collections::BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields
        .iter()
        .filter_map(|f| values.get(&f.key).map(|v| (f.label.clone(), v.clone())))
        .collect();
    out.extend(
        values
            .iter()
            .filter(|(k, _)| !fields.iter().any(|f| &f.key == *k))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    out
}

pub(crate) fn headed(head: &str, mut lines: Vec<(String, String)>) -> Vec<(String, String)> {
    if !lines.is_empty() {
        lines.insert(0, (String::new(), String::new()));
        lines.insert(1, (head.to_string(), String::new()));
    }
    lines
}
