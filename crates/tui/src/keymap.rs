//! The one command registry: every command with its keys, its Russian label and the screens
//! where it works. Key handling, the footer and the `F1`/`?` help all read this table, so they
//! cannot disagree.
//!
//! Letter keys are bound in both layouts (the Latin letter and the Cyrillic one on the same
//! physical key), because staff type Russian and switch layouts rarely; function keys work in
//! both.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Help,
    Back,
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    NextField,
    PrevField,
    Submit,
    /// The section of this key (its ASCII byte: `1`…`9`, `0`, `a`).
    Section(u8),
    FocusMenu,
    Refresh,
    Sort,
    SortDirection,
    Claim,
    ReturnToGroup,
    ChangePassword,
    Open,
    Complete,
    /// In the PIN dialog: sign with the employee's own token through the web page instead.
    SignWithToken,
    Finish,
    SetDue,
    NextTab,
    Actions,
    Jump,
    NewApp,
    Save,
    Lookup,
    NextChoice,
    PrevChoice,
    Filter,
    Toggle,
    ClearFilters,
    Launch,
    Search,
    Add,
    Remove,
    Edit,
    /// Move the selected line of a template up or down.
    MoveUp,
    MoveDown,
    /// Write what is on screen as a spreadsheet.
    Export,
    /// Write the registry signed with the node's key: an administrator's act.
    ExportSigned,
    /// Print a document from its template (kept on the card's «Файлы»).
    Print,
}

impl Cmd {
    /// Commands that change something on the node: a read-only session (regional support)
    /// neither sees nor runs them.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Cmd::Claim
                | Cmd::ReturnToGroup
                | Cmd::Complete
                | Cmd::Finish
                | Cmd::SetDue
                | Cmd::Actions
                | Cmd::NewApp
                | Cmd::Save
                | Cmd::Launch
                | Cmd::Add
                | Cmd::Remove
                | Cmd::Edit
                | Cmd::MoveUp
                | Cmd::MoveDown
                | Cmd::ExportSigned
                | Cmd::Print
        )
    }
}

/// Where the user is: which commands apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// A form (login, password change): typing goes into the field.
    Form,
    /// A list of tasks.
    Tasks,
    /// «Мои задачи»: a list of tasks the user holds.
    MyTasks,
    /// The section menu has the focus.
    Menu,
    /// The help overlay.
    Help,
    /// A task card.
    Card,
    /// A question or a one-line input over the screen.
    Dialog,
    /// «Заявки на услуги».
    Apps,
    /// An application card.
    AppCard,
    /// The menu of an application's actions.
    ActionMenu,
    /// The form of a new application.
    AppForm,
    /// The filter panel of a list.
    Filter,
    /// «Исходящие запросы»: a list where new requests are made, and its journal exported.
    Outgoing,
    /// «Запросы Р-сведений»: a list where new requests are made.
    Regional,
    /// «Входящие запросы».
    Incoming,
    /// A request card.
    ReqCard,
    /// An application card on its tab of interagency or regional requests.
    AppRequests,
    /// The form of a request or of an answer (no applicant part).
    DataForm,
    /// «Администрирование».
    Admin,
    /// A card on its «Файлы» tab.
    Files,
    /// An application card on its «Опись» tab.
    Inventory,
    /// «Архив»: the tree of finished processes.
    Archive,
    /// «Статистика».
    Stats,
    /// «Реестр услуг».
    Registry,
    /// The template editor of a service or request kind.
    Template,
    /// «Первоначальная настройка» on the console.
    Setup,
}

impl Ctx {
    pub const ALL: [Ctx; 26] = [
        Form,
        Tasks,
        MyTasks,
        Menu,
        Help,
        Card,
        Dialog,
        Apps,
        AppCard,
        ActionMenu,
        AppForm,
        Filter,
        Outgoing,
        Regional,
        Incoming,
        ReqCard,
        AppRequests,
        DataForm,
        Admin,
        Files,
        Inventory,
        Archive,
        Stats,
        Registry,
        Template,
        Setup,
    ];
}

/// One row of the registry.
pub struct Binding {
    pub cmd: Cmd,
    /// Keys as shown on screen, the first one in the footer.
    pub keys: &'static [&'static str],
    pub label: &'static str,
    /// In the footer (the rest are in the help only).
    pub footer: bool,
    pub ctx: &'static [Ctx],
}

use Ctx::*;

const LISTS: &[Ctx] = &[Tasks, MyTasks, Menu, Apps, Outgoing, Regional, Incoming];
const PAGED: &[Ctx] = &[Tasks, MyTasks, Apps, Outgoing, Regional, Incoming];
/// Where PgUp/PgDn/Home move through a long list.
const SCROLLS: &[Ctx] = &[
    Tasks, MyTasks, Apps, Outgoing, Regional, Incoming, Archive, Registry,
];
/// Where ↑/↓ (and j/k) move a selection (or scroll, on a card's data).
const MOVES: &[Ctx] = &[
    AppCard,
    ReqCard,
    Tasks,
    MyTasks,
    Menu,
    Apps,
    ActionMenu,
    Outgoing,
    Regional,
    Incoming,
    AppRequests,
    Admin,
    Files,
    Archive,
    Registry,
    Template,
];
const CARDS: &[Ctx] = &[Card, AppCard, ReqCard, AppRequests, Admin, Files, Inventory];
/// Screens with tabs: the cards, and the template editor (which has nothing to read again).
const TABBED: &[Ctx] = &[
    Card,
    AppCard,
    ReqCard,
    AppRequests,
    Admin,
    Files,
    Inventory,
    Template,
];

pub const BINDINGS: &[Binding] = &[
    Binding {
        cmd: Cmd::Save,
        keys: &["F2"],
        label: "Сохранить настройку",
        footer: true,
        ctx: &[Setup],
    },
    Binding {
        cmd: Cmd::NextChoice,
        keys: &["→", "←"],
        label: "Выбор",
        footer: true,
        ctx: &[Setup],
    },
    Binding {
        cmd: Cmd::NextField,
        keys: &["Tab", "↓", "Enter"],
        label: "Следующее поле",
        footer: true,
        ctx: &[Setup],
    },
    Binding {
        cmd: Cmd::PrevField,
        keys: &["Shift+Tab", "↑"],
        label: "Предыдущее поле",
        footer: false,
        ctx: &[Setup],
    },
    Binding {
        cmd: Cmd::Back,
        keys: &["Esc"],
        label: "Отмена",
        footer: true,
        ctx: &[Setup],
    },
    Binding {
        cmd: Cmd::Help,
        keys: &["F1", "?"],
        label: "Справка",
        footer: true,
        ctx: &[
            Tasks,
            MyTasks,
            Menu,
            Help,
            Card,
            Apps,
            AppCard,
            Outgoing,
            Regional,
            Incoming,
            ReqCard,
            AppRequests,
            Admin,
            Files,
            Inventory,
            Archive,
            Stats,
            Registry,
            Template,
        ],
    },
    Binding {
        cmd: Cmd::Help,
        // Where letters are typed, `?` is text.
        keys: &["F1"],
        label: "Справка",
        footer: true,
        ctx: &[Form, AppForm, DataForm],
    },
    Binding {
        cmd: Cmd::Back,
        keys: &["Esc"],
        label: "Назад",
        footer: true,
        ctx: &[
            Form,
            Help,
            Card,
            Dialog,
            AppCard,
            ActionMenu,
            AppForm,
            Filter,
            ReqCard,
            AppRequests,
            DataForm,
            Admin,
            Files,
            Inventory,
            Archive,
            Stats,
            Registry,
            Template,
        ],
    },
    Binding {
        cmd: Cmd::Claim,
        keys: &["F2"],
        label: "Назначить на себя",
        footer: true,
        ctx: &[Tasks],
    },
    Binding {
        cmd: Cmd::Claim,
        keys: &["F2"],
        label: "Назначить на себя",
        footer: true,
        ctx: &[Card],
    },
    Binding {
        cmd: Cmd::ReturnToGroup,
        keys: &["F3"],
        label: "Вернуть в группу",
        footer: true,
        ctx: &[MyTasks, Card],
    },
    Binding {
        cmd: Cmd::Open,
        keys: &["Enter"],
        label: "Открыть заявку",
        footer: true,
        ctx: &[Card],
    },
    Binding {
        cmd: Cmd::Filter,
        keys: &["f"],
        label: "Фильтр",
        footer: true,
        ctx: PAGED,
    },
    Binding {
        cmd: Cmd::Search,
        // `/` is `.` on the Russian layout.
        keys: &["/", "."],
        label: "Поиск",
        footer: false,
        ctx: &[Tasks, MyTasks, Apps, Archive],
    },
    Binding {
        cmd: Cmd::Filter,
        keys: &["f"],
        label: "Поиск",
        footer: true,
        ctx: &[Archive],
    },
    Binding {
        cmd: Cmd::ClearFilters,
        keys: &["Del"],
        label: "Сбросить поиск",
        footer: true,
        ctx: &[Archive],
    },
    Binding {
        cmd: Cmd::Open,
        keys: &["Enter"],
        label: "Раскрыть / сохранить",
        footer: true,
        ctx: &[Archive],
    },
    Binding {
        cmd: Cmd::Refresh,
        keys: &["F5"],
        label: "Обновить",
        footer: false,
        ctx: &[Archive, Stats],
    },
    Binding {
        cmd: Cmd::NextChoice,
        keys: &["→", "←"],
        label: "Другой период",
        footer: true,
        ctx: &[Stats],
    },
    Binding {
        cmd: Cmd::Filter,
        keys: &["f"],
        label: "Период и подразделение",
        footer: true,
        ctx: &[Stats],
    },
    Binding {
        cmd: Cmd::Edit,
        keys: &["Enter", "F4"],
        label: "Изменить",
        footer: true,
        ctx: &[Registry],
    },
    Binding {
        cmd: Cmd::PageDown,
        keys: &["PgDn", "PgUp"],
        label: "Листать",
        footer: true,
        ctx: &[Registry],
    },
    Binding {
        cmd: Cmd::PageDown,
        keys: &["PgDn", "PgUp"],
        label: "Листать",
        footer: true,
        ctx: &[AppCard, ReqCard],
    },
    Binding {
        cmd: Cmd::Refresh,
        keys: &["F5"],
        label: "Обновить",
        footer: false,
        ctx: &[Registry],
    },
    Binding {
        cmd: Cmd::Edit,
        keys: &["F4"],
        label: "Изменить шаблон (вкладки «Услуги» и «Виды сведений»)",
        // Two tabs of six: there it is also in «Действия».
        footer: false,
        ctx: &[Admin],
    },
    Binding {
        cmd: Cmd::Edit,
        keys: &["Enter", "F4"],
        label: "Изменить",
        footer: true,
        ctx: &[Template],
    },
    Binding {
        cmd: Cmd::Add,
        keys: &["F7"],
        label: "Добавить",
        footer: true,
        ctx: &[Template],
    },
    Binding {
        cmd: Cmd::Remove,
        keys: &["Del"],
        label: "Удалить",
        footer: true,
        ctx: &[Template],
    },
    Binding {
        cmd: Cmd::MoveUp,
        keys: &["["],
        label: "Выше",
        footer: false,
        ctx: &[Template],
    },
    Binding {
        cmd: Cmd::MoveDown,
        keys: &["]"],
        label: "Ниже",
        footer: false,
        ctx: &[Template],
    },
    Binding {
        cmd: Cmd::Save,
        keys: &["F2"],
        label: "Сохранить",
        footer: true,
        ctx: &[Template],
    },
    Binding {
        cmd: Cmd::Toggle,
        keys: &["Пробел"],
        label: "Включить / выключить",
        footer: true,
        ctx: &[Filter],
    },
    Binding {
        cmd: Cmd::NextChoice,
        keys: &["→", "←"],
        label: "Другое значение",
        footer: false,
        ctx: &[Filter],
    },
    Binding {
        cmd: Cmd::ClearFilters,
        keys: &["Del"],
        label: "Выключить все",
        footer: true,
        ctx: &[Filter],
    },
    Binding {
        cmd: Cmd::Submit,
        keys: &["Enter"],
        label: "Применить",
        footer: true,
        ctx: &[Filter],
    },
    Binding {
        cmd: Cmd::Launch,
        keys: &["F7"],
        label: "Запуск услуги",
        footer: false,
        ctx: &[Tasks],
    },
    Binding {
        cmd: Cmd::NewApp,
        keys: &["F7"],
        label: "Новая заявка",
        footer: true,
        ctx: &[Apps],
    },
    Binding {
        cmd: Cmd::Add,
        keys: &["F7"],
        label: "Новый запрос",
        footer: true,
        ctx: &[Outgoing, Regional, AppRequests],
    },
    Binding {
        cmd: Cmd::Export,
        keys: &["F8"],
        label: "В Excel",
        footer: true,
        ctx: &[Stats, Outgoing],
    },
    Binding {
        cmd: Cmd::Print,
        keys: &["F7"],
        label: "Журнал регистрации заявлений за период (PDF)",
        // The footer of «Статистика» is full at 80 columns; F1 lists it.
        footer: false,
        ctx: &[Stats],
    },
    Binding {
        cmd: Cmd::ExportSigned,
        keys: &["F8"],
        label: "Выгрузить",
        footer: true,
        ctx: &[Registry],
    },
    Binding {
        cmd: Cmd::Add,
        keys: &["F7"],
        label: "Загрузить",
        footer: true,
        ctx: &[Registry],
    },
    Binding {
        cmd: Cmd::Add,
        keys: &["F7"],
        label: "Добавить",
        footer: true,
        ctx: &[Admin],
    },
    Binding {
        cmd: Cmd::Add,
        keys: &["F7"],
        label: "Добавить",
        footer: true,
        ctx: &[Files],
    },
    Binding {
        cmd: Cmd::Open,
        keys: &["Enter"],
        label: "Сохранить",
        footer: true,
        ctx: &[Files],
    },
    Binding {
        cmd: Cmd::Remove,
        keys: &["Del"],
        label: "Удалить",
        footer: true,
        ctx: &[Files],
    },
    Binding {
        cmd: Cmd::Save,
        keys: &["F2"],
        label: "Сохранить черновик",
        footer: true,
        ctx: &[AppForm],
    },
    Binding {
        cmd: Cmd::Save,
        keys: &["F2"],
        label: "Сохранить",
        footer: true,
        ctx: &[DataForm],
    },
    Binding {
        cmd: Cmd::Lookup,
        keys: &["F3"],
        label: "Найти по СНИЛС / ИНН",
        footer: true,
        ctx: &[AppForm],
    },
    Binding {
        cmd: Cmd::NextChoice,
        keys: &["→", "←"],
        label: "Следующий / предыдущий вариант (поле с выбором)",
        footer: false,
        ctx: &[AppForm, DataForm],
    },
    Binding {
        cmd: Cmd::Actions,
        keys: &["F2"],
        label: "Действия",
        footer: true,
        ctx: &[AppCard, ReqCard, AppRequests, Admin, Files, Inventory],
    },
    Binding {
        cmd: Cmd::Add,
        keys: &["F7"],
        label: "Добавить",
        footer: true,
        ctx: &[Inventory],
    },
    Binding {
        cmd: Cmd::Remove,
        keys: &["Del"],
        label: "Удалить",
        footer: true,
        ctx: &[Inventory],
    },
    Binding {
        cmd: Cmd::Open,
        keys: &["Enter"],
        label: "Изменить",
        footer: true,
        ctx: &[Inventory],
    },
    Binding {
        cmd: Cmd::Edit,
        keys: &["F4"],
        label: "Изменить строку",
        footer: false,
        ctx: &[Inventory],
    },
    Binding {
        cmd: Cmd::Print,
        keys: &["F8"],
        label: "Расписка",
        footer: true,
        ctx: &[Inventory],
    },
    Binding {
        cmd: Cmd::Edit,
        keys: &["F4"],
        label: "Изменить черновик",
        // Only drafts: the card itself says so (see `key_of`), not every card's footer.
        footer: false,
        ctx: &[AppCard],
    },
    Binding {
        cmd: Cmd::Complete,
        keys: &["F4"],
        label: "Выполнить",
        footer: true,
        ctx: &[MyTasks, Card],
    },
    Binding {
        cmd: Cmd::SetDue,
        keys: &["F7"],
        label: "Срок исполнения",
        footer: false,
        ctx: &[MyTasks, Card],
    },
    Binding {
        cmd: Cmd::Finish,
        keys: &["F8"],
        label: "Завершить процесс",
        footer: false,
        ctx: &[MyTasks, Card],
    },
    Binding {
        cmd: Cmd::Open,
        keys: &["Enter"],
        label: "Открыть",
        footer: true,
        ctx: PAGED,
    },
    Binding {
        cmd: Cmd::Open,
        keys: &["Enter"],
        label: "Открыть запрос",
        footer: true,
        ctx: &[AppRequests],
    },
    Binding {
        cmd: Cmd::NextTab,
        keys: &["Tab"],
        label: "Следующая вкладка",
        footer: false,
        ctx: TABBED,
    },
    Binding {
        cmd: Cmd::Submit,
        keys: &["Enter"],
        label: "Да / Готово",
        footer: true,
        ctx: &[Dialog],
    },
    Binding {
        cmd: Cmd::SignWithToken,
        keys: &["F4"],
        label: "Подписать токеном (в диалоге PIN-кода)",
        footer: false,
        ctx: &[Dialog],
    },
    Binding {
        cmd: Cmd::Refresh,
        keys: &["F5"],
        label: "Обновить",
        footer: true,
        ctx: PAGED,
    },
    Binding {
        cmd: Cmd::Refresh,
        keys: &["F5"],
        label: "Обновить",
        footer: false,
        ctx: CARDS,
    },
    Binding {
        cmd: Cmd::Sort,
        keys: &["F6", "s"],
        label: "Сортировка",
        footer: true,
        ctx: PAGED,
    },
    Binding {
        cmd: Cmd::SortDirection,
        keys: &["Shift+F6", "S"],
        label: "Обратный порядок",
        footer: false,
        ctx: PAGED,
    },
    Binding {
        cmd: Cmd::Submit,
        keys: &["Enter"],
        label: "Выбрать",
        footer: true,
        ctx: &[Form, Menu, ActionMenu],
    },
    Binding {
        cmd: Cmd::NextField,
        keys: &["Tab", "↓"],
        label: "Следующее поле",
        footer: false,
        ctx: &[Form, Dialog, AppForm, DataForm],
    },
    Binding {
        cmd: Cmd::PrevField,
        keys: &["Shift+Tab", "↑"],
        label: "Предыдущее поле",
        footer: false,
        ctx: &[Form, AppForm, DataForm],
    },
    Binding {
        cmd: Cmd::FocusMenu,
        keys: &["Tab"],
        label: "Меню / список",
        footer: false,
        ctx: LISTS,
    },
    Binding {
        cmd: Cmd::Jump,
        keys: &[":"],
        label: "Перейти к разделу",
        footer: false,
        ctx: LISTS,
    },
    Binding {
        cmd: Cmd::Section(b'1'),
        keys: &["1…9", "0", "a"],
        label: "Раздел по его клавише",
        footer: false,
        ctx: LISTS,
    },
    Binding {
        cmd: Cmd::Up,
        keys: &["↑", "k"],
        label: "Вверх",
        footer: false,
        ctx: MOVES,
    },
    Binding {
        cmd: Cmd::Up,
        keys: &["↑"],
        label: "Вверх",
        footer: false,
        ctx: &[Filter],
    },
    Binding {
        cmd: Cmd::Down,
        keys: &["↓", "j"],
        label: "Вниз",
        footer: false,
        ctx: MOVES,
    },
    Binding {
        cmd: Cmd::Down,
        keys: &["↓"],
        label: "Вниз",
        footer: false,
        ctx: &[Filter],
    },
    Binding {
        cmd: Cmd::PageUp,
        keys: &["PgUp"],
        label: "Предыдущая страница",
        footer: false,
        ctx: SCROLLS,
    },
    Binding {
        cmd: Cmd::PageDown,
        keys: &["PgDn"],
        label: "Следующая страница",
        footer: false,
        ctx: SCROLLS,
    },
    Binding {
        cmd: Cmd::Top,
        keys: &["Home"],
        label: "В начало списка",
        footer: false,
        ctx: SCROLLS,
    },
    Binding {
        cmd: Cmd::ChangePassword,
        keys: &["F9"],
        label: "Сменить пароль",
        footer: false,
        ctx: LISTS,
    },
    Binding {
        cmd: Cmd::Quit,
        keys: &["Ctrl+C"],
        label: "Выход из программы",
        footer: false,
        ctx: &[Form],
    },
    Binding {
        cmd: Cmd::Quit,
        keys: &["F10", "q"],
        label: "Выход",
        footer: true,
        ctx: LISTS,
    },
];

/// The letters of the Russian ЙЦУКЕН layout on the keys of the Latin QWERTY ones.
fn latin(c: char) -> char {
    const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбю";
    const EN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.";
    let lower = c.to_lowercase().next().unwrap_or(c);
    match RU.chars().position(|r| r == lower) {
        Some(i) => {
            let l = EN.chars().nth(i).unwrap_or(c);
            if c.is_uppercase() {
                l.to_ascii_uppercase()
            } else {
                l
            }
        }
        None => c,
    }
}

/// A key as the terminal meant it. An Enter typed before the TUI put the terminal in raw
/// mode (typing ahead while it starts, over a slow SSH link) was turned into a line feed by
/// the terminal's cooked mode, and reaches the TUI as Ctrl+J: it is an Enter. Ignored, it
/// left the login unsent, and the section key typed after it went into the password.
pub fn normalize(key: KeyEvent) -> KeyEvent {
    match key.code {
        KeyCode::Char('j') if key.modifiers == KeyModifiers::CONTROL => {
            KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
        }
        _ => key,
    }
}

/// The command `key` means in `ctx`, if any. In a form, printable keys are text, not commands.
pub fn lookup(ctx: Ctx, key: KeyEvent) -> Option<Cmd> {
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') | KeyCode::Char('q') => Some(Cmd::Quit),
            _ => None,
        };
    }
    let cmd = match key.code {
        KeyCode::F(1) => Cmd::Help,
        KeyCode::F(2)
            if matches!(
                ctx,
                AppCard | ReqCard | AppRequests | Admin | Files | Inventory
            ) =>
        {
            Cmd::Actions
        }
        KeyCode::F(4) if ctx == Inventory => Cmd::Edit,
        KeyCode::F(4) if ctx == Dialog => Cmd::SignWithToken,
        KeyCode::Enter if ctx == Inventory => Cmd::Open,
        KeyCode::F(7) if ctx == Inventory => Cmd::Add,
        KeyCode::Delete if ctx == Inventory => Cmd::Remove,
        KeyCode::F(8) if ctx == Inventory => Cmd::Print,
        KeyCode::F(7) if ctx == Stats => Cmd::Print,
        KeyCode::F(2) if matches!(ctx, AppForm | DataForm | Template | Setup) => Cmd::Save,
        KeyCode::F(4) | KeyCode::Enter if matches!(ctx, Registry | Template) => Cmd::Edit,
        KeyCode::F(4) if ctx == Admin => Cmd::Edit,
        KeyCode::F(7) if matches!(ctx, Template | Registry) => Cmd::Add,
        KeyCode::Delete if ctx == Template => Cmd::Remove,
        KeyCode::Char('[' | 'х' | 'Х') if ctx == Template => Cmd::MoveUp,
        KeyCode::Char(']' | 'ъ' | 'Ъ') if ctx == Template => Cmd::MoveDown,
        KeyCode::F(3) if ctx == AppForm => Cmd::Lookup,
        KeyCode::F(7) if ctx == Apps => Cmd::NewApp,
        KeyCode::F(7) if matches!(ctx, Outgoing | Regional | AppRequests | Admin | Files) => {
            Cmd::Add
        }
        KeyCode::F(7) if ctx == Tasks => Cmd::Launch,
        KeyCode::Insert if ctx == Apps => Cmd::NewApp,
        KeyCode::F(2) => Cmd::Claim,
        KeyCode::F(3) => Cmd::ReturnToGroup,
        KeyCode::F(4) if ctx == AppCard => Cmd::Edit,
        KeyCode::F(4) => Cmd::Complete,
        KeyCode::F(7) => Cmd::SetDue,
        KeyCode::F(8) if matches!(ctx, Stats | Outgoing) => Cmd::Export,
        KeyCode::F(8) if ctx == Registry => Cmd::ExportSigned,
        KeyCode::F(8) => Cmd::Finish,
        KeyCode::F(5) => Cmd::Refresh,
        KeyCode::F(6) if shift => Cmd::SortDirection,
        KeyCode::F(6) => Cmd::Sort,
        KeyCode::F(9) => Cmd::ChangePassword,
        KeyCode::F(10) => Cmd::Quit,
        KeyCode::Esc => Cmd::Back,
        KeyCode::Enter
            if matches!(ctx, Tasks | MyTasks | Apps | Outgoing | Regional | Incoming) =>
        {
            Cmd::Open
        }
        KeyCode::Enter if matches!(ctx, AppRequests | Files | Archive | Card) => Cmd::Open,
        KeyCode::Enter if ctx == Setup => Cmd::NextField,
        KeyCode::Enter => Cmd::Submit,
        KeyCode::Right if matches!(ctx, AppForm | DataForm | Filter | Stats | Setup) => {
            Cmd::NextChoice
        }
        KeyCode::Left if matches!(ctx, AppForm | DataForm | Filter | Stats | Setup) => {
            Cmd::PrevChoice
        }
        KeyCode::Char(' ') if ctx == Filter => Cmd::Toggle,
        KeyCode::Delete if ctx == Filter => Cmd::ClearFilters,
        KeyCode::Delete if ctx == Files => Cmd::Remove,
        KeyCode::Delete if ctx == Archive => Cmd::ClearFilters,
        KeyCode::Tab | KeyCode::Down if matches!(ctx, AppForm | DataForm | Setup) => Cmd::NextField,
        KeyCode::BackTab | KeyCode::Up if matches!(ctx, AppForm | DataForm | Setup) => {
            Cmd::PrevField
        }
        KeyCode::Tab if ctx == Form => Cmd::NextField,
        KeyCode::Tab if TABBED.contains(&ctx) => Cmd::NextTab,
        KeyCode::Tab | KeyCode::Down if ctx == Dialog => Cmd::NextField,
        KeyCode::BackTab if ctx == Form => Cmd::PrevField,
        KeyCode::Tab | KeyCode::BackTab => Cmd::FocusMenu,
        KeyCode::Up if ctx == Form => Cmd::PrevField,
        KeyCode::Down if ctx == Form => Cmd::NextField,
        KeyCode::Up => Cmd::Up,
        KeyCode::Down => Cmd::Down,
        KeyCode::PageUp => Cmd::PageUp,
        KeyCode::PageDown => Cmd::PageDown,
        KeyCode::Home => Cmd::Top,
        KeyCode::Char(_) if matches!(ctx, Form | Dialog | AppForm | DataForm | Filter | Setup) => {
            return None;
        }
        // `:` is Shift+Ж on the Russian layout.
        KeyCode::Char(':' | 'Ж') => Cmd::Jump,
        KeyCode::Char('/' | '.') => Cmd::Search,
        KeyCode::Char(c) => match latin(c) {
            '?' => Cmd::Help,
            'q' => Cmd::Quit,
            'k' => Cmd::Up,
            'j' => Cmd::Down,
            's' => Cmd::Sort,
            'f' => Cmd::Filter,
            'S' => Cmd::SortDirection,
            d @ ('0'..='9' | 'a') => Cmd::Section(d as u8),
            _ => return None,
        },
        _ => return None,
    };
    if ctx == Help {
        // Whatever closes the help is «Назад»; other keys wait.
        return matches!(cmd, Cmd::Back | Cmd::Help | Cmd::Quit).then_some(Cmd::Back);
    }
    // «→, ←» (and «PgDn, PgUp») is one line of the registry for the two directions.
    let same = |b: &Binding| {
        std::mem::discriminant(&b.cmd) == std::mem::discriminant(&cmd)
            || (b.cmd == Cmd::NextChoice && cmd == Cmd::PrevChoice)
            || (b.cmd == Cmd::PageDown && cmd == Cmd::PageUp)
    };
    BINDINGS
        .iter()
        .any(|b| same(b) && b.ctx.contains(&ctx))
        .then_some(cmd)
}

/// The first key of `cmd` in `ctx`, for a screen that names it in its own words.
pub fn key_of(cmd: Cmd, ctx: Ctx) -> &'static str {
    BINDINGS
        .iter()
        .find(|b| b.cmd == cmd && b.ctx.contains(&ctx))
        .map_or("", |b| b.keys[0])
}

/// The footer's entries for `ctx`: key and label.
pub fn footer(ctx: Ctx, read_only: bool) -> Vec<(&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.footer && b.ctx.contains(&ctx) && !(read_only && b.cmd.writes()))
        .map(|b| (b.keys[0], b.label))
        .collect()
}

/// The footer as it fits in `width` columns. The first entry («Справка») and the last
/// («Выход» or «Назад») stay; the middle ones follow in registry order while they fit.
/// Each entry takes its key, a space, its label and two spaces (none after the last).
pub fn footer_fit(ctx: Ctx, read_only: bool, width: usize) -> Vec<(&'static str, &'static str)> {
    let all = footer(ctx, read_only);
    let w = |e: &(&str, &str)| e.0.chars().count() + e.1.chars().count() + 3;
    let mut keep = vec![false; all.len()];
    let mut used = 0;
    let last = all.len().saturating_sub(1);
    for i in [0, last].into_iter().chain(1..last) {
        if let Some(e) = all.get(i)
            && !keep[i]
            && used + w(e) <= width + 2
        {
            keep[i] = true;
            used += w(e);
        }
    }
    all.into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect()
}

/// Every binding that works in `ctx`, for the help overlay.
pub fn help(ctx: Ctx, read_only: bool) -> Vec<&'static Binding> {
    BINDINGS
        .iter()
        .filter(|b| b.ctx.contains(&ctx) && !(read_only && b.cmd.writes()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enter_typed_ahead_of_raw_mode_is_an_enter() {
        let lf = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert_eq!(normalize(lf).code, KeyCode::Enter);
        assert_eq!(lookup(Ctx::Form, normalize(lf)), Some(Cmd::Submit));
        let j = KeyEvent::from(KeyCode::Char('j'));
        assert_eq!(normalize(j), j);
    }

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn at_80_columns_only_refresh_sort_and_open_give_way_in_the_footer() {
        // Those three are known to everyone or happen by themselves (the list refreshes on
        // its own); every other key must be visible on the smallest console.
        let may_go = [Cmd::Refresh, Cmd::Sort, Cmd::Open];
        for ctx in Ctx::ALL {
            for read_only in [false, true] {
                let shown = footer_fit(ctx, read_only, 80);
                for b in BINDINGS
                    .iter()
                    .filter(|b| b.footer && b.ctx.contains(&ctx) && !(read_only && b.cmd.writes()))
                {
                    assert!(
                        may_go.contains(&b.cmd) || shown.contains(&(b.keys[0], b.label)),
                        "{ctx:?}: «{} {}» does not fit at 80 columns",
                        b.keys[0],
                        b.label
                    );
                }
            }
        }
    }

    #[test]
    fn letters_work_in_both_layouts() {
        assert_eq!(lookup(Tasks, key(KeyCode::Char('j'))), Some(Cmd::Down));
        assert_eq!(lookup(Tasks, key(KeyCode::Char('о'))), Some(Cmd::Down));
        assert_eq!(lookup(Tasks, key(KeyCode::Char('й'))), Some(Cmd::Quit));
        assert_eq!(lookup(Tasks, key(KeyCode::Char('ы'))), Some(Cmd::Sort));
        assert_eq!(lookup(Tasks, key(KeyCode::Char('?'))), Some(Cmd::Help));
    }

    #[test]
    fn commands_apply_only_where_the_registry_says() {
        assert_eq!(lookup(Tasks, key(KeyCode::F(2))), Some(Cmd::Claim));
        assert_eq!(lookup(MyTasks, key(KeyCode::F(2))), None);
        assert_eq!(
            lookup(MyTasks, key(KeyCode::F(3))),
            Some(Cmd::ReturnToGroup)
        );
        // In a form, letters are text.
        assert_eq!(lookup(Form, key(KeyCode::Char('q'))), None);
        assert_eq!(lookup(Form, key(KeyCode::Esc)), Some(Cmd::Back));
    }

    /// Every key the registry shows does, in every screen it names, what the registry says:
    /// the footer, the help and the handling cannot disagree.
    #[test]
    fn the_registry_and_the_key_handling_agree() {
        let parse = |k: &str| -> Vec<KeyEvent> {
            let plain = |c| vec![key(c)];
            match k {
                "Enter" => plain(KeyCode::Enter),
                "Esc" => plain(KeyCode::Esc),
                "Tab" => plain(KeyCode::Tab),
                "Shift+Tab" => plain(KeyCode::BackTab),
                "↑" => plain(KeyCode::Up),
                "↓" => plain(KeyCode::Down),
                "→" => plain(KeyCode::Right),
                "←" => plain(KeyCode::Left),
                "PgUp" => plain(KeyCode::PageUp),
                "PgDn" => plain(KeyCode::PageDown),
                "Home" => plain(KeyCode::Home),
                "Del" => plain(KeyCode::Delete),
                "Пробел" => plain(KeyCode::Char(' ')),
                "Shift+F6" => vec![KeyEvent::new(KeyCode::F(6), KeyModifiers::SHIFT)],
                "Ctrl+C" => vec![KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)],
                "1…9" => (b'1'..=b'9')
                    .map(|d| key(KeyCode::Char(d as char)))
                    .collect(),
                f if f.starts_with('F') => plain(KeyCode::F(f[1..].parse().expect("F-key"))),
                c => plain(KeyCode::Char(c.chars().next().expect("a key"))),
            }
        };
        for b in BINDINGS {
            for ctx in b.ctx {
                for k in b.keys {
                    for ev in parse(k) {
                        let got = lookup(*ctx, ev);
                        let ok = match (b.cmd, got) {
                            (Cmd::Section(_), Some(Cmd::Section(_))) => true,
                            (Cmd::NextChoice, Some(Cmd::PrevChoice)) => true,
                            (Cmd::PageDown, Some(Cmd::PageUp)) => true,
                            (_, Some(Cmd::Back)) if *ctx == Help => true,
                            (want, got) => Some(want) == got,
                        };
                        assert!(
                            ok,
                            "{k} in {ctx:?}: registry says {:?}, handling does {got:?}",
                            b.cmd
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_footer_entry_is_a_working_key() {
        for ctx in Ctx::ALL {
            for (k, label) in footer(ctx, false) {
                let code = match k {
                    "F1" => KeyCode::F(1),
                    "F2" => KeyCode::F(2),
                    "F3" => KeyCode::F(3),
                    "F4" => KeyCode::F(4),
                    "F7" => KeyCode::F(7),
                    "F8" => KeyCode::F(8),
                    "f" => KeyCode::Char('f'),
                    "Пробел" => KeyCode::Char(' '),
                    "Del" => KeyCode::Delete,
                    "F5" => KeyCode::F(5),
                    "F6" => KeyCode::F(6),
                    "F10" => KeyCode::F(10),
                    "Enter" => KeyCode::Enter,
                    "Esc" => KeyCode::Esc,
                    "Tab" => KeyCode::Tab,
                    "→" => KeyCode::Right,
                    "PgDn" => KeyCode::PageDown,
                    other => panic!("footer key {other} has no test mapping"),
                };
                assert!(lookup(ctx, key(code)).is_some(), "{k} {label} in {ctx:?}");
            }
        }
    }
}
