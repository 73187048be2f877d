//! The application card and the new-application form: opening a card on a tab, its
//! «Действия» and the dialog each asks, saving the form, and finding the applicant by СНИЛС
//! or ИНН.

use crate::app::*;
use crate::screens::application::Extra;
use crate::screens::effect::Pending;
use crate::screens::form::Purpose;
use crate::text;
use crate::widgets::Field;
use crate::widgets::list::Query;
use volost_api::UserView;
use volost_api::call;
use volost_domain::{Action, AppId, FileOwner, Right, Verdict};

impl App {
    /// «Сохранить черновик»: the draft is created and its card opens, where
    /// «Зарегистрировать» is among the actions. Refused fields get their messages.
    pub(crate) fn save_form(&mut self) {
        let Screen::Fill(form) = &mut self.screen else {
            return;
        };
        if !form.validate() || !self.upload_form_files() {
            return;
        }
        let Screen::Fill(form) = &self.screen else {
            return;
        };
        let Some(req) = form.request() else {
            return;
        };
        match self.conn.ask(call::CreateApplication(req)) {
            Ok(app) => {
                self.banner = Some(Banner::Info(format!(
                    "{} {}",
                    text::DRAFT_SAVED,
                    app.number
                )));
                self.open_app(app.id);
            }
            Err(e) => self.form_refused(&e),
        }
    }

    /// Esc from a form with nothing typed, or after «Выйти без сохранения?».
    pub(crate) fn leave_form(&mut self) {
        match &self.screen {
            Screen::Fill(f) if matches!(f.purpose, Purpose::Application(_)) => {
                self.screen = Screen::Main;
            }
            _ => self.leave_request_form(),
        }
    }

    /// «Найти заявителя»: by the СНИЛС (or ИНН) typed; one record found fills the applicant.
    pub(crate) fn lookup_applicant(&mut self) {
        let Screen::Fill(form) = &mut self.screen else {
            return;
        };
        let Some(q) = form.lookup_key() else {
            form.message = Some(text::LOOKUP_NEEDS_KEY.into());
            return;
        };
        let found = self.conn.ask(call::FindApplicants { query: q, limit: 5 });
        let Screen::Fill(form) = &mut self.screen else {
            return;
        };
        match found {
            Ok(list) => match list.first() {
                Some(a) => {
                    form.fill_applicant(a);
                    form.prefill(a);
                    form.message = Some(format!("{}: {}", text::APPLICANT_FOUND, a.name));
                }
                None => form.message = Some(text::APPLICANT_NOT_FOUND.into()),
            },
            Err(e) => match e.api() {
                Some(a) => {
                    let (fields, msg) = (a.fields.clone(), a.message.clone());
                    form.show_errors(&fields);
                    form.message = Some(msg);
                }
                None => form.message = Some(e.ru()),
            },
        }
    }

    /// A line of a card's menu was chosen.
    pub(crate) fn chosen(&mut self, id: AppId, m: Menu) {
        match m.kind {
            MenuKind::Actions(acts) => match acts.get(m.selected).cloned() {
                Some(Action::AssignExecutor(_)) => match self.conn.ask(call::Users) {
                    Ok(users) => {
                        let users: Vec<UserView> = users.into_iter().filter(|u| u.active).collect();
                        if let Screen::App(v) = &mut self.screen {
                            v.menu = Some(Menu {
                                title: text::EXECUTOR_TITLE,
                                items: users
                                    .iter()
                                    .map(|u| format!("{} ({})", u.full_name, u.roles.join(", ")))
                                    .collect(),
                                selected: 0,
                                kind: MenuKind::Executors(users),
                            });
                        }
                    }
                    Err(e) => self.failed(&e),
                },
                Some(a) => self.ask_action(id, a),
                None => {
                    let extra = match &self.screen {
                        Screen::App(v) => m
                            .selected
                            .checked_sub(acts.len())
                            .and_then(|i| v.extras().get(i).copied()),
                        _ => None,
                    };
                    match extra {
                        Some(Extra::HandOver) => {
                            let today = volost_domain::display_date(self.today());
                            self.dialog = Some(Dialog::new(
                                text::HAND_OVER,
                                text::HAND_OVER_TEXT.to_string(),
                                vec![Field::with(text::HAND_OVER_DATE, &today)],
                                Pending::HandOver(id),
                            ));
                        }
                        Some(Extra::PrintResult) => {
                            if let Screen::App(v) = &self.screen {
                                let results = &v.card.service.results;
                                let mut listed = String::from(text::PRINT_RESULT_TEXT);
                                for (i, r) in results.iter().enumerate() {
                                    listed.push_str(&format!("\n{}. {r}", i + 1));
                                }
                                let verdict = v.card.app.decision.as_ref().map(|d| d.verdict);
                                let n = volost_domain::default_result(results, verdict);
                                self.dialog = Some(Dialog::new(
                                    text::PRINT_RESULT,
                                    listed,
                                    vec![
                                        Field::with(text::RESULT_NUMBER, &n.to_string()),
                                        Field::new(text::RESULT_TEXT, false),
                                    ],
                                    Pending::PrintResult(id),
                                ));
                            }
                        }
                        Some(Extra::RefuseIntake) => {
                            self.dialog = Some(Dialog::new(
                                text::REFUSE_INTAKE,
                                text::REFUSE_INTAKE_TEXT.to_string(),
                                vec![Field::new(text::REFUSE_REASONS, false)],
                                Pending::RefuseIntake(id),
                            ));
                        }
                        None => {}
                    }
                }
            },
            MenuKind::Kinds(..) | MenuKind::Providers(..) => self.request_menu_chosen(m),
            MenuKind::Services(_)
            | MenuKind::LaunchDepts(_)
            | MenuKind::LaunchServices(..)
            | MenuKind::ReqActions(_)
            | MenuKind::Admin(_)
            | MenuKind::Roles(_) => {}
            MenuKind::Executors(users) => {
                if let Some(u) = users.get(m.selected) {
                    self.dialog = Some(Dialog::new(
                        text::ASSIGN_TITLE,
                        format!("{}: {}", text::ASSIGN_TEXT, u.full_name),
                        vec![Field::new(text::COMMENT, false)],
                        Pending::Act(id, Action::AssignExecutor(u.id)),
                    ));
                }
            }
        }
    }

    /// Opens the card of application `id` (keeping the tab when it is open already).
    pub(crate) fn open_app(&mut self, id: AppId) {
        let tab = match &self.screen {
            Screen::App(v) => v.tab,
            _ => AppTab::Data,
        };
        self.open_app_at(id, tab);
    }

    /// Opens the card of application `id` on `tab`, with its requests when the user may see
    /// them.
    pub(crate) fn open_app_at(&mut self, id: AppId, tab: AppTab) {
        self.ensure_people();
        let card = match self.conn.ask(call::Application { id }) {
            Ok(c) => c,
            Err(e) => return self.failed(&e),
        };
        // Borrows only the session: the reads below need the connection.
        let may = |r| self.session.as_ref().is_some_and(|s| s.rights.has(r));
        // The lists' own queries, narrowed to this application: one chunk is plenty.
        let out = may(Right::Interagency)
            .then(|| {
                let mut l = OutList::new();
                l.query.filter.application = Some(id);
                self.conn.ask(l.query.call()).ok().map(|p| p.rows)
            })
            .flatten();
        let reg = may(Right::Regional)
            .then(|| {
                let mut l = RegList::new();
                l.query.filter.application = Some(id);
                self.conn.ask(l.query.call()).ok().map(|p| p.rows)
            })
            .flatten();
        let (row, file_row, scroll) = match &self.screen {
            Screen::App(v) if v.card.app.id == id && v.tab == tab => (v.row, v.files.row, v.scroll),
            _ => (0, 0, 0),
        };
        let from_task = match &self.screen {
            Screen::Card(c) => Some(c.card.task.id),
            Screen::App(v) if v.card.app.id == id => v.from_task,
            _ => None,
        };
        let files = self.load_files(FileOwner::Application(id), file_row);
        self.screen = Screen::App(Box::new(AppView {
            from_task,
            card,
            tab,
            menu: None,
            out,
            reg,
            row,
            files,
            scroll,
            scroll_max: Default::default(),
        }));
    }

    /// The dialog for an application action: a decision asks for its reason and the
    /// message to the applicant; every other step for an optional comment.
    pub(crate) fn ask_action(&mut self, id: AppId, a: Action) {
        let title = a.label();
        let (text, inputs) = match a {
            Action::Decide(v) => {
                let mut intro = if v == Verdict::Approve {
                    text::DECIDE_APPROVE
                } else {
                    text::DECIDE_REFUSE
                }
                .to_string();
                let mut inputs = vec![
                    Field::new(text::REASON, false),
                    Field::new(text::MESSAGE, false),
                ];
                let files = self.card_files();
                if !files.is_empty() {
                    intro.push_str(&format!("\n{}", text::RESULT_FILES_LIST));
                    for (i, f) in files.iter().enumerate() {
                        intro.push_str(&format!("\n {} — {}", i + 1, f.name));
                    }
                    inputs.push(Field::new(text::RESULT_FILES, false));
                }
                (intro, inputs)
            }
            Action::Close => (
                text::CLOSE_TEXT.into(),
                vec![Field::new(text::COMMENT, false)],
            ),
            _ => (
                text::ACT_TEXT.into(),
                vec![Field::new(text::COMMENT, false)],
            ),
        };
        self.dialog = Some(Dialog::new(title, text, inputs, Pending::Act(id, a)));
    }
}

impl App {
    /// The files of the application card on screen, as its «Файлы» tab lists them.
    pub(crate) fn card_files(&self) -> Vec<volost_domain::Attachment> {
        match &self.screen {
            Screen::App(v) => v.files.files.clone().unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The inventory sent as it is now (a line removed); the card opens on «Опись» again.
    pub(crate) fn set_inventory(&mut self, id: AppId, items: Vec<volost_domain::Received>) {
        match self.conn.ask(call::SetInventory { id, items }) {
            Ok(_) => {
                self.banner = Some(Banner::Info(text::INVENTORY_SAVED.into()));
                self.open_app_at(id, AppTab::Inventory);
            }
            Err(e) => self.failed(&e),
        }
    }

    /// A document printed on the node: kept on the card, whose «Файлы» tab opens on it.
    pub(crate) fn print(&mut self, id: AppId, kind: volost_domain::DocumentKind) {
        match self.conn.ask(call::Print { id, kind }) {
            Ok(p) => {
                self.open_app_at(id, AppTab::Files);
                self.banner = Some(Banner::Info(format!("{}: «{}»", text::PRINTED, p.name)));
            }
            Err(e) => self.failed(&e),
        }
    }
}
