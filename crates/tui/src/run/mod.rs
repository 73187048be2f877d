//! The one effect runner: [`crate::app::App::run`] and what it calls, a file per screen. It
//! is the only code that talks to the daemon (`Conn::ask`): it carries out what screens ask
//! for, and gives a refusal back to the screen that asked.

mod admin;
mod application;
mod archive;
mod files;
mod main;
mod registry;
mod requests;
mod session;
mod stats;
mod tasks;
mod template;

use crate::app::*;

use crate::screens::form::Purpose;
use crate::text;
use volost_api::ActionInput;
use volost_api::ClientError;
use volost_api::call;
use volost_domain::Action;

use crate::screens::effect::Pending;
pub use crate::screens::main::MainView;
use crate::screens::session::{login_form, password_form};
use crate::widgets::date::read_date;
pub use crate::widgets::list::{AppList, CHUNK, InList, OutList, RegList, TaskList};

impl App {
    /// Called when no key came for a while: if another session changed something, the list
    /// is read again, keeping its filters, sort, chunk and selection.
    /// The status line's SMEV state is kept fresh on every screen.
    pub fn tick(&mut self) {
        if self.session.is_none() {
            return;
        }
        self.token_signed();
        match self.conn.ask(call::Pulse) {
            Ok(p) => {
                self.smev = Some(p.smev.state);
                self.node_cert_days = p.smev.cert_days_left;
                self.uncertified = p.smev.uncertified;
                self.disk_low = p.disk_low;
                self.calendar = p.calendar;
                if p.changes != self.seen {
                    match &self.screen {
                        Screen::Main => {
                            self.seen = p.changes;
                            self.reload();
                        }
                        // An open request card follows the exchange: «отправлен», «получен
                        // ответ» appear without F5. Not while its menu is open.
                        // A card follows what colleagues (and the node) do to it: a status,
                        // a holder, a due date, a file or a line of history appears without
                        // F5. Not while its menu or a dialog over it is open.
                        Screen::App(v) if v.menu.is_none() && self.dialog.is_none() => {
                            self.seen = p.changes;
                            let (id, tab) = (v.card.app.id, v.tab);
                            self.open_app_at(id, tab);
                        }
                        Screen::Card(c) if self.dialog.is_none() => {
                            self.seen = p.changes;
                            let id = c.card.task.id;
                            self.open_card(id);
                        }
                        Screen::Req(v) if v.menu.is_none() && self.dialog.is_none() => {
                            self.seen = p.changes;
                            let (id, from, tab, scroll) = (v.id, v.from_app, v.tab, v.scroll);
                            self.open_request(id, from);
                            if let Screen::Req(v) = &mut self.screen {
                                v.tab = tab;
                                v.scroll = scroll;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Err(e) => self.failed(&e),
        }
    }

    /// Notes the node's change number (and the SMEV link) before a list is read, so that a
    /// change made meanwhile is seen by the next tick.
    fn note_changes(&mut self) {
        if let Ok(p) = self.conn.ask(call::Pulse) {
            self.seen = p.changes;
            self.smev = Some(p.smev.state);
            self.node_cert_days = p.smev.cert_days_left;
            self.uncertified = p.smev.uncertified;
            self.disk_low = p.disk_low;
            self.calendar = p.calendar;
        }
    }

    /// A failed call: the daemon's Russian message, or the connection banner; an ended
    /// session goes back to the login screen.
    pub(crate) fn failed(&mut self, e: &ClientError) {
        match e.api() {
            Some(a) if a.status == 401 => {
                let mut f = login_form();
                if let Some(s) = &self.session {
                    f.fields[0].value.set(s.login.clone());
                    f.focus = 1;
                }
                f.message = Some(a.message.clone());
                self.session = None;
                self.conn.set_token(None);
                self.screen = Screen::Login(f);
            }
            Some(a) => self.banner = Some(Banner::Error(a.message.clone())),
            None => self.banner = Some(Banner::Error(text::NO_CONNECTION.into())),
        }
    }

    /// «Сохранить» a request or answer form: checked field by field, its files uploaded,
    /// then sent.
    fn save_checked_request(&mut self) {
        let valid = match &mut self.screen {
            Screen::Fill(f) => f.validate(),
            _ => false,
        };
        if valid && self.upload_form_files() {
            self.save_request_form();
        }
    }

    /// The one effect runner: carries out what a screen asked for (`effect::Effect`).
    pub fn run(&mut self, e: crate::screens::effect::Effect) {
        use crate::screens::effect::Effect;
        match e {
            Effect::List => {
                self.screen = Screen::Main;
                self.reload();
            }
            Effect::Info(m) => self.banner = Some(Banner::Info(m.into())),
            Effect::Task(cmd, id) => {
                self.banner = None;
                self.task_command(cmd, id);
            }
            Effect::OpenTask(id) => self.open_card(id),
            Effect::OpenApplicationAt(id, tab) => self.open_app_at(id, tab),
            Effect::RequestAction(m) => self.request_chosen(*m),
            Effect::RefreshApplication(id) => self.open_app(id),
            Effect::SetInventory(id, items) => self.set_inventory(id, items),
            Effect::Print(id, kind) => self.print(id, kind),
            Effect::PrintJournal(from, to) => self.print_journal(from, to),
            Effect::ApplicationAction(id, m) => self.chosen(id, *m),
            Effect::OpenRequest(r, from) => self.open_request(r, from),
            Effect::NewRequest {
                regional,
                application,
            } => self.new_request(regional, application),
            Effect::Fill(form) => self.screen = Screen::Fill(form),
            Effect::Confirm(d) => self.dialog = Some(*d),
            Effect::EditOrgDetails => self.org_dialog(),
            Effect::Answer(d) => self.confirm(*d),
            Effect::SignWithToken(what) => self.sign_with_token(what),
            Effect::LeaveForm => self.leave_form(),
            Effect::SaveForm => match &self.screen {
                Screen::Fill(f) if matches!(f.purpose, Purpose::Application(_)) => {
                    self.save_form();
                }
                Screen::Fill(_) => self.save_checked_request(),
                _ => {}
            },
            Effect::LookupApplicant => self.lookup_applicant(),
            Effect::Error(m) => self.banner = Some(Banner::Error(m)),
            Effect::Reload => self.reload(),
            Effect::ReadChunk => self.read_chunk(),
            Effect::ApplyFilters => self.apply_filters(),
            Effect::LoadPicks => self.load_picks(),
            Effect::OpenSection(i) => self.open_section(i),
            Effect::Launch => self.launch(),
            Effect::NewApplication => self.new_application(),
            Effect::MenuChosen(m) => self.popup_chosen(*m),
            Effect::Export(what) => self.export(what),
            Effect::OpenAdmin(tab) => self.open_admin(tab),
            Effect::AdminChange(a) => self.admin_change(a),
            Effect::OpenTemplate(v) => self.screen = Screen::Template(v),
            Effect::EditTemplateLine(line) => self.edit_template_line(line),
            Effect::SaveTemplate => self.save_template(),
            Effect::LeaveTemplate => self.leave_template(),
            Effect::ReadReport => self.stats_reload(),
            Effect::OpenRegistry(keep) => self.open_registry(keep),
            Effect::ExportRegistry => self.export_registry(),
            Effect::ReadArchive => self.archive_reload(),
            Effect::ArchiveMore(by) => self.archive_more(by),
            Effect::OpenProcess(p) => self.open_process(p),
            Effect::PasswordForm => {
                self.screen = Screen::Password {
                    form: password_form(false),
                    forced: false,
                };
            }
            Effect::SignIn { .. }
            | Effect::ChangePassword { .. }
            | Effect::Quit
            | Effect::Logout
            | Effect::Main => self.run_session(e),
        }
    }

    /// The body's staff by id, read once per session: request cards and histories name them.
    pub(crate) fn ensure_people(&mut self) {
        if self.people.is_empty()
            && let Ok(list) = self.conn.ask(call::Users)
        {
            self.people = list.into_iter().map(|u| (u.id, u.full_name)).collect();
        }
    }

    /// The daemon refused a form: its messages go next to the fields they name.
    pub(crate) fn form_refused(&mut self, e: &ClientError) {
        match e.api() {
            Some(a) if !a.fields.is_empty() => {
                let fields = a.fields.clone();
                let msg = a.message.clone();
                if let Screen::Fill(form) = &mut self.screen {
                    form.show_errors(&fields);
                    form.message = Some(msg);
                }
            }
            _ => self.failed(e),
        }
    }

    /// The user said yes to the dialog `d` (taken off the screen; a refusal puts it back).
    fn confirm(&mut self, d: Dialog) {
        let typed = d.value(0);
        match d.then.clone() {
            Pending::TakeOver(id) => self.claim(id, true),
            Pending::Complete(id) | Pending::Finish(id) => {
                let finish = matches!(d.then, Pending::Finish(_));
                let call = call::Complete {
                    id,
                    finish,
                    comment: typed,
                };
                match self.conn.ask(call) {
                    Ok(_) => {
                        let msg = if finish {
                            text::FINISHED
                        } else {
                            text::COMPLETED
                        };
                        self.banner = Some(Banner::Info(msg.into()));
                        // The task is done: back to the list, where the next one is selected.
                        self.screen = Screen::Main;
                        self.reload();
                    }
                    Err(e) => self.failed(&e),
                }
            }
            Pending::SetDue(id) => match read_date(&typed) {
                Ok(due) => self.act(call::SetDue { id, due }, text::DUE_SET, id),
                Err(why) => {
                    let mut d = d;
                    d.refuse(0, why);
                    self.dialog = Some(d);
                }
            },
            Pending::LeaveForm => self.leave_form(),
            Pending::Quit => self.quit = true,
            Pending::LeaveTemplate => self.leave_template(),
            Pending::NewRegional(choice, app) => self.create_regional(d, choice, app),
            Pending::CompleteRegional(id) => self.complete_regional(d, id),
            Pending::ClaimIncoming(id) => self.claim_incoming(id, true),
            Pending::CommentIncoming(id) => self.comment_incoming(d, id),
            Pending::AddFile(owner) => self.add_file(d, owner),
            Pending::SaveFile(id) => self.save_file(d, id),
            Pending::SaveExport(f) => self.save_export(d, *f),
            Pending::ImportRegistry => self.import_registry(d),
            Pending::RemoveFile(id) => self.remove_file(id),
            Pending::ArchiveSearch => self.archive_search(d),
            Pending::StatsPeriod => self.stats_period(d),
            Pending::Pin(what) => {
                let pin = d
                    .inputs
                    .first()
                    .map(|f| f.value.to_string())
                    .unwrap_or_default();
                self.signed(what, Some(pin));
            }
            p @ (Pending::AddUser(_)
            | Pending::ResetPassword(_)
            | Pending::UserContacts(_)
            | Pending::AddDepartment
            | Pending::RequestSetup
            | Pending::OrgDetails
            | Pending::CalendarDay(_)
            | Pending::ImportCalendar
            | Pending::ImportKind) => self.admin_confirm(d, p),
            Pending::Jump => {
                let want = typed.to_lowercase();
                let found = self
                    .main
                    .sections
                    .iter()
                    .position(|s| !want.is_empty() && s.label().to_lowercase().contains(&want));
                match found {
                    Some(i) => {
                        self.main.menu_focus = false;
                        self.open_section(i);
                    }
                    None => {
                        let mut d = d;
                        d.refuse(0, text::NO_SUCH_SECTION);
                        self.dialog = Some(d);
                    }
                }
            }
            Pending::Search if self.current() == Some(Section::Applications) => {
                match self.conn.ask(call::ApplicationByNumber { number: typed }) {
                    Ok(card) => self.open_app(card.app.id),
                    Err(e) => {
                        let mut d = d;
                        if let (Some(f), Some(a)) = (d.inputs.first_mut(), e.api()) {
                            f.error = Some(a.message.clone());
                            self.dialog = Some(d);
                        } else {
                            self.failed(&e);
                        }
                    }
                }
            }
            Pending::Search => {
                // The same filter as the panel's «Название содержит», switched on.
                let p = &mut self.main.task_filter;
                if let Some(r) = p.rows.iter_mut().find(|r| r.label == text::FL_NAME) {
                    r.value = crate::widgets::filter::Value::Text(typed.as_str().into());
                    r.on = !typed.is_empty();
                }
                self.apply_filters();
            }
            Pending::RefuseIntake(id) => {
                match self.conn.ask(call::RefuseIntake { id, reasons: typed }) {
                    Ok(p) => {
                        self.open_app_at(id, crate::screens::application::AppTab::Files);
                        self.banner = Some(Banner::Info(format!(
                            "{}: «{}»",
                            text::REFUSAL_PRINTED,
                            p.name
                        )));
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::PrintResult(id) => {
                let Ok(result) = d.value(0).trim().parse::<usize>() else {
                    let mut d = d;
                    d.refuse(0, text::RESULT_NUMBER_BAD);
                    self.dialog = Some(d);
                    return;
                };
                let args = call::PrintResult {
                    id,
                    result,
                    kind: None,
                    text: d.value(1),
                };
                match self.conn.ask(args) {
                    Ok(p) => {
                        self.open_app_at(id, crate::screens::application::AppTab::Files);
                        self.banner = Some(Banner::Info(format!(
                            "{}: «{}»",
                            text::RESULT_PRINTED,
                            p.name
                        )));
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
            Pending::HandOver(id) => match crate::widgets::date::read_date(&typed) {
                Ok(on) => match self.conn.ask(call::HandOver { id, on }) {
                    Ok(_) => {
                        self.banner =
                            Some(Banner::Info(format!("{}: {}", text::DONE, text::HAND_OVER)));
                        self.open_app(id);
                    }
                    Err(e) => self.keep_dialog(d, &e),
                },
                Err(why) => {
                    let mut d = d;
                    d.refuse(0, why);
                    self.dialog = Some(d);
                }
            },
            Pending::Act(id, action) => {
                let input = match action {
                    Action::Decide(_) => {
                        let (reason, message) = (d.value(0), d.value(1));
                        let mut input =
                            ActionInput::new(action.clone()).with_reason(&reason, &message);
                        match result_files(&d.value(2), &self.card_files()) {
                            Ok(ids) => input.files = ids,
                            Err(why) => {
                                let mut d = d;
                                d.refuse(2, why);
                                self.dialog = Some(d);
                                return;
                            }
                        }
                        input
                    }
                    _ => ActionInput::new(action.clone()).with_comment(&typed),
                };
                match self.conn.ask(call::Act { id, input }) {
                    Ok(_) => {
                        self.banner =
                            Some(Banner::Info(format!("{}: {}", text::DONE, action.label())));
                        self.open_app(id);
                    }
                    Err(e) => self.keep_dialog(d, &e),
                }
            }
        }
    }

    /// A refused dialog: the daemon names the fields to correct, and then the dialog stays
    /// open with the messages next to them.
    pub(crate) fn keep_dialog(&mut self, mut d: Dialog, e: &ClientError) {
        if let Some(a) = e.api() {
            for fe in &a.fields {
                // A one-line dialog takes the message whatever the daemon calls the field
                // («Путь к файлу» here is «Файл» there).
                let at = d
                    .inputs
                    .iter()
                    .position(|f| f.label == fe.field)
                    .or_else(|| (d.inputs.len() == 1).then_some(0));
                if let Some(f) = at.and_then(|i| d.inputs.get_mut(i)) {
                    f.error = Some(fe.message.clone());
                }
            }
            if !a.fields.is_empty() {
                self.dialog = Some(d);
            }
        }
        self.failed(e);
    }
}

/// The ids of the files a decision carries, from their numbers as the dialog listed them
/// («1 3», «1, 3»).
fn result_files(typed: &str, files: &[volost_domain::Attachment]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in typed.split([' ', ',', ';']).filter(|p| !p.is_empty()) {
        let f = part
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| files.get(i))
            .ok_or_else(|| format!("{} {part}", text::NO_SUCH_FILE))?;
        let id = f.id.0.to_string();
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}
