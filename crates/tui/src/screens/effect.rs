//! What a screen asks of the daemon or of the program, as data. A screen's `handle` is pure:
//! it changes its own state and returns an `Effect`; [`crate::app::App::run`] is the one
//! runner that carries it out (the daemon call, the screen that follows) and gives a refusal
//! back to the screen that asked. Every screen works so (`crate::screens`), and the runner
//! (`crate::run`) is the only code that talks to the daemon.

use volost_domain::{Action, AppId, FileId, FileOwner, InReqId, OrgId, RegReqId, TaskId};

/// A question over the screen; what «yes» does is a [`Pending`].
pub type Dialog = crate::widgets::dialog::Dialog<Pending>;

/// What a dialog does when the user says yes.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    TakeOver(TaskId),
    Complete(TaskId),
    Finish(TaskId),
    SetDue(TaskId),
    /// An action on an application; the inputs are the comment, or reason and message.
    Act(AppId, Action),
    /// «Результат выдан заявителю»: the day is typed (today's to begin with).
    HandOver(AppId),
    /// «Отказать в приёме документов»: the grounds are typed.
    RefuseIntake(AppId),
    /// «Напечатать документ о результате»: the result's number and the text are typed.
    PrintResult(AppId),
    /// `:` — go to the section whose name holds what was typed.
    Jump,
    /// `/` — a task by a word of its name, an application by its number.
    Search,
    /// Leave a form, losing what was typed.
    LeaveForm,
    /// Leave the program, which would lose something (see [`App::quit_needs_asking`]).
    Quit,
    /// Leave the template editor, losing its changes.
    LeaveTemplate,
    /// A new regional request to the body chosen (`Provider::Other`: typed in the dialog), for an
    /// application or on its own.
    NewRegional(Provider, Option<AppId>),
    /// «Исполнить» a regional request: the answer is typed.
    CompleteRegional(RegReqId),
    /// «Назначить на себя» an incoming request held by a colleague (a supervisor's take-over).
    ClaimIncoming(InReqId),
    /// «Комментарий» to an incoming request: the text is typed.
    CommentIncoming(InReqId),
    /// «Добавить файл» to the owner: the path is typed.
    AddFile(FileOwner),
    /// «Сохранить файл»: where to is typed.
    SaveFile(FileId),
    /// A spreadsheet made on the node, to be written where the dialog says.
    SaveExport(Box<volost_api::ExportReply>),
    /// A signed registry's path was typed, for the node to check and take.
    ImportRegistry,
    RemoveFile(FileId),
    /// A new user with the role (code) chosen: login and name are typed.
    AddUser(String),
    ResetPassword(String),
    /// A user's position and phone, typed.
    UserContacts(volost_domain::UserId),
    AddDepartment,
    /// «Повторить первоначальную настройку» on the node's console.
    RequestSetup,
    /// «Сведения об органе»: ОГРН, ИНН, КПП and the date of registration typed.
    OrgDetails,
    /// A date made a day off (true) or a working day.
    CalendarDay(bool),
    ImportCalendar,
    ImportKind,
    /// «Поиск в архиве»: number, applicant, service, period are typed.
    ArchiveSearch,
    /// «Период» of «Статистика»: dates and a department are typed.
    StatsPeriod,
    /// The PIN of the user's personal certificate (ЭП-СП), for what it signs.
    Pin(PinFor),
}

/// The provider body of a new regional request, as chosen from the menu.
#[derive(Clone, Debug, PartialEq)]
pub enum Provider {
    /// A body on this node: delivered at once.
    Local(OrgId, String),
    /// A body of the regional directory: sent over РСМЭВ.
    Remote(volost_domain::RegionalBody),
    /// Another body, typed by name.
    Other,
}

/// What a PIN of ЭП-СП is typed for.
#[derive(Clone, Debug, PartialEq)]
pub enum PinFor {
    /// «Отправить» an outgoing request (opened from the application, if it was).
    Submit(volost_domain::OutReqId, Option<AppId>),
    /// Save the answer to an incoming request: the answer form is still on screen.
    Answer(InReqId),
    /// «Подписать ЭП-СП и отправить» a regional request over РСМЭВ.
    Regional(volost_domain::RegReqId, Option<AppId>),
}

/// One thing to do outside the screen.
pub enum Effect {
    /// Sign in with these credentials.
    SignIn { login: String, password: String },
    /// Change the signed-in user's password.
    ChangePassword { old: String, new: String },
    /// Leave the program.
    Quit,
    /// End the session: back to the login form.
    Logout,
    /// Back to the main screen.
    Main,
    /// «Сведения об органе»: the dialog with the body's codes as they are.
    EditOrgDetails,
    /// Back to the main screen, its list read again (what was done on a card may have
    /// changed it).
    List,
    /// Say something in the banner.
    Info(&'static str),
    /// Open a task's card.
    OpenTask(volost_domain::TaskId),
    /// Open an application's card on one of its tabs.
    OpenApplicationAt(volost_domain::AppId, crate::screens::application::AppTab),
    /// A line of a request card's «Действия» was chosen.
    RequestAction(Box<crate::screens::menu::Menu>),
    /// Send an application's inventory as it is now (a line removed).
    SetInventory(volost_domain::AppId, Vec<volost_domain::Received>),
    /// Print a document of an application (kept on its card).
    Print(volost_domain::AppId, volost_domain::DocumentKind),
    /// Print the registration journal of these days (and ask where to keep it).
    PrintJournal(time::Date, time::Date),
    /// Read an application's card again.
    RefreshApplication(volost_domain::AppId),
    /// A line of an application's «Действия» was chosen: the action, with the dialog it
    /// asks first.
    ApplicationAction(volost_domain::AppId, Box<crate::screens::menu::Menu>),
    /// Open a request's card, from the application it was opened on.
    OpenRequest(
        crate::screens::requests::ReqRef,
        Option<volost_domain::AppId>,
    ),
    /// «Новый запрос» (interagency, or regional), for an application.
    NewRequest {
        regional: bool,
        application: Option<volost_domain::AppId>,
    },
    /// A question over the screen; what «yes» does is the dialog's own (`Dialog::then`).
    Confirm(Box<Dialog>),
    /// The user said yes to the dialog: what its `then` says is done with what was typed.
    Answer(Box<Dialog>),
    /// Sign with the employee's own token, in the staff web page, instead of the PIN.
    SignWithToken(PinFor),
    /// Leave the form on the screen without saving it.
    LeaveForm,
    /// Save the form on the screen (a draft application, a request, an answer): checked,
    /// its files uploaded, then sent.
    SaveForm,
    /// «Найти по СНИЛС / ИНН» for the form's applicant.
    LookupApplicant,
    /// Open a form on the screen («Изменить черновик»).
    Fill(Box<crate::screens::form::DataForm>),
    /// Say what went wrong in the banner.
    Error(String),
    /// Read the main screen's list again (from where its cursor stands).
    Reload,
    /// Read the chunk the main screen's list moved to.
    ReadChunk,
    /// The filter panel was closed with Enter: the list takes its filters.
    ApplyFilters,
    /// The filter panel opened: the people and services it offers are read.
    LoadPicks,
    /// Open the `i`-th section of the menu.
    OpenSection(usize),
    /// «Запуск услуги»: the departments to choose from.
    Launch,
    /// «Новая заявка»: the services to choose from.
    NewApplication,
    /// A line of the main screen's pop-up menu was chosen.
    MenuChosen(Box<crate::screens::menu::Menu>),
    /// Make a spreadsheet on the node (and ask where to keep it).
    Export(volost_api::Exported),
    /// The password-change form, asked for by the user.
    PasswordForm,
    /// Open «Администрирование» on a tab (read again).
    OpenAdmin(crate::screens::admin::AdminTab),
    /// A change chosen from the administration screen's menu.
    AdminChange(crate::screens::admin::AdminAction),
    /// Open the template editor on a template.
    OpenTemplate(Box<crate::screens::template::TemplateView>),
    /// A line's form over the template editor.
    EditTemplateLine(crate::screens::template::LineRef),
    /// Save the template in the editor.
    SaveTemplate,
    /// Leave the template editor (for the administration screen's tab it came from).
    LeaveTemplate,
    /// Read «Статистика»'s report again.
    ReadReport,
    /// Open «Реестр услуг» (read again), keeping the service selected.
    OpenRegistry(Option<volost_domain::ServiceId>),
    /// Make the signed registry file (and ask where to keep it).
    ExportRegistry,
    /// Read «Архив» from the top again.
    ReadArchive,
    /// Read the next chunk of «Архив», then move the cursor by this many lines.
    ArchiveMore(usize),
    /// Read the tree of an archived process.
    OpenProcess(volost_domain::ProcessId),
    /// A command on a task (claim, return, complete, finish, set the due date): run by the
    /// runner, with the dialogs some of them ask first (those still belong to `App`).
    Task(crate::keymap::Cmd, volost_domain::TaskId),
}

// Credentials never reach a log or a test's failure message.
impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::SignIn { login, .. } => {
                write!(f, "SignIn {{ login: {login:?}, password: *** }}")
            }
            Effect::ChangePassword { .. } => f.write_str("ChangePassword { *** }"),
            Effect::Quit => f.write_str("Quit"),
            Effect::Logout => f.write_str("Logout"),
            Effect::Main => f.write_str("Main"),
            Effect::EditOrgDetails => f.write_str("EditOrgDetails"),
            Effect::List => f.write_str("List"),
            Effect::Info(m) => write!(f, "Info({m:?})"),
            Effect::Task(cmd, id) => write!(f, "Task({cmd:?}, {id:?})"),
            Effect::OpenTask(id) => write!(f, "OpenTask({id:?})"),
            Effect::OpenApplicationAt(id, tab) => write!(f, "OpenApplicationAt({id:?}, {tab:?})"),
            Effect::RequestAction(m) => write!(f, "RequestAction({})", m.selected),
            Effect::RefreshApplication(id) => write!(f, "RefreshApplication({id:?})"),
            Effect::SetInventory(id, items) => write!(f, "SetInventory({id:?}, {items:?})"),
            Effect::Print(id, kind) => write!(f, "Print({id:?}, {kind:?})"),
            Effect::PrintJournal(from, to) => write!(f, "PrintJournal({from}, {to})"),
            Effect::ApplicationAction(id, m) => {
                write!(f, "ApplicationAction({id:?}, {:?})", m.selected)
            }
            Effect::OpenRequest(r, from) => write!(f, "OpenRequest({r:?}, {from:?})"),
            Effect::NewRequest {
                regional,
                application,
            } => write!(f, "NewRequest({regional}, {application:?})"),
            Effect::Fill(_) => f.write_str("Fill(..)"),
            Effect::Confirm(d) => write!(f, "Confirm({:?})", d.title),
            Effect::Answer(d) => write!(f, "Answer({:?})", d.then),
            Effect::SignWithToken(w) => write!(f, "SignWithToken({w:?})"),
            Effect::LeaveForm => f.write_str("LeaveForm"),
            Effect::SaveForm => f.write_str("SaveForm"),
            Effect::LookupApplicant => f.write_str("LookupApplicant"),
            Effect::Error(m) => write!(f, "Error({m:?})"),
            Effect::Reload => f.write_str("Reload"),
            Effect::ReadChunk => f.write_str("ReadChunk"),
            Effect::ApplyFilters => f.write_str("ApplyFilters"),
            Effect::LoadPicks => f.write_str("LoadPicks"),
            Effect::OpenSection(i) => write!(f, "OpenSection({i})"),
            Effect::Launch => f.write_str("Launch"),
            Effect::NewApplication => f.write_str("NewApplication"),
            Effect::MenuChosen(m) => write!(f, "MenuChosen({})", m.selected),
            Effect::Export(_) => f.write_str("Export(..)"),
            Effect::PasswordForm => f.write_str("PasswordForm"),
            Effect::OpenAdmin(t) => write!(f, "OpenAdmin({t:?})"),
            Effect::AdminChange(a) => write!(f, "AdminChange({a:?})"),
            Effect::OpenTemplate(_) => f.write_str("OpenTemplate(..)"),
            Effect::EditTemplateLine(l) => write!(f, "EditTemplateLine({l:?})"),
            Effect::SaveTemplate => f.write_str("SaveTemplate"),
            Effect::LeaveTemplate => f.write_str("LeaveTemplate"),
            Effect::ReadReport => f.write_str("ReadReport"),
            Effect::OpenRegistry(s) => write!(f, "OpenRegistry({s:?})"),
            Effect::ExportRegistry => f.write_str("ExportRegistry"),
            Effect::ReadArchive => f.write_str("ReadArchive"),
            Effect::ArchiveMore(n) => write!(f, "ArchiveMore({n})"),
            Effect::OpenProcess(p) => write!(f, "OpenProcess({p:?})"),
        }
    }
}

/// A send or an answer waiting for its signature in the web page, on a connection and a
/// thread of its own; the runner looks for the outcome on each tick.
pub struct TokenWait {
    pub what: PinFor,
    pub answer: std::sync::mpsc::Receiver<Result<&'static str, volost_api::ClientError>>,
}
