//! Every word the TUI shows, in one place (the domain's own labels — statuses, queues,
//! actions — come from the core's `label()` functions, which are the manual's words).

pub const TITLE: &str = "volost — рабочее место специалиста";
pub const LOGIN_TITLE: &str = "Вход в систему";
pub const LOGIN: &str = "Имя пользователя";
pub const PASSWORD: &str = "Пароль";
pub const LOGIN_HINT: &str = "Введите имя пользователя и пароль, затем Enter";
pub const CHANGE_TITLE: &str = "Смена пароля";
pub const CHANGE_FORCED: &str =
    "Это первый вход с временным паролем: придумайте свой пароль, чтобы продолжить";
pub const OLD_PASSWORD: &str = "Текущий пароль";
pub const NEW_PASSWORD: &str = "Новый пароль";
pub const REPEAT_PASSWORD: &str = "Повторите новый пароль";
pub const PASSWORDS_DIFFER: &str = "Новые пароли не совпадают";
pub const REQUIRED: &str = "Требуется";
pub const PASSWORD_CHANGED: &str = "Пароль изменён";
pub const MENU: &str = "Разделы";
pub const EMPTY_LIST: &str = "Задач нет";
pub const HELP_TITLE: &str = "Справка: клавиши этого экрана";
pub const HELP_CLOSE: &str = "Esc — закрыть справку";
pub const NO_CONNECTION: &str =
    "Нет связи с узлом. Повторите действие через минуту; введённое сохранено";
pub const CLAIMED: &str = "Задача назначена на вас";
pub const RETURNED: &str = "Задача возвращена в группу";
pub const SORTED_BY: &str = "Сортировка";
pub const PAGE: &str = "Стр.";
pub const OVERDUE: &str = "просрочена";
pub const WORKING_DAYS: &str = "р. д.";

/// Column headers of task lists, as in the manual.
pub const COL_APPLICATION: &str = "Заявка";
pub const COL_TASK: &str = "Задача";
pub const COL_AUTHOR: &str = "Автор";
pub const COL_HOLDER: &str = "Исполнитель";
pub const COL_CREATED: &str = "Дата начала";
pub const COL_DUE: &str = "Срок";
pub const COL_STATE: &str = "Состояние";
pub const COL_OVERDUE: &str = "Просрочка";
