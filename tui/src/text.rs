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

pub const TAB_DATA: &str = "Данные";
pub const TAB_HISTORY: &str = "История";
pub const TAB_MAP: &str = "Карта процесса";
pub const COMMENT: &str = "Комментарий";
pub const COMPLETE_TITLE: &str = "Выполнить задачу";
pub const COMPLETE_TEXT: &str = "Задача будет выполнена, процесс перейдёт к следующему шагу.";
pub const FINISH_TITLE: &str = "Завершить процесс";
pub const FINISH_TEXT: &str =
    "Процесс будет завершён целиком: оставшиеся шаги не выполняются. Это нельзя отменить.";
pub const DUE_TITLE: &str = "Срок исполнения";
pub const DUE_TEXT: &str = "Новый срок исполнения задачи.";
pub const DUE_FIELD: &str = "Дата (ДД.ММ.ГГГГ)";
pub const BAD_DATE: &str = "Введите дату как ДД.ММ.ГГГГ";
pub const DUE_SET: &str = "Срок исполнения изменён";
pub const TAKE_OVER_TITLE: &str = "Задача у другого исполнителя";
pub const TAKE_OVER_QUESTION: &str = "Забрать задачу себе?";
pub const COMPLETED: &str = "Задача выполнена";
pub const FINISHED: &str = "Процесс завершён";
pub const CONFIRM_HINT: &str = "Enter — да, Esc — нет";
pub const INPUT_HINT: &str = "Enter — готово, Esc — отмена";
pub const CARD_TASK: &str = "Задача";
pub const CARD_SERVICE_STEP: &str = "Шаг регламента";
pub const CARD_HOLDER: &str = "Исполнитель";
pub const CARD_NOBODY: &str = "не назначен (в группе)";
pub const CARD_CREATED: &str = "Дата начала";
pub const CARD_DUE: &str = "Срок исполнения";
pub const CARD_COMPLETED: &str = "Выполнена";
pub const STEP_DONE: &str = "✓";
pub const STEP_CURRENT: &str = "▶";
pub const STEP_AHEAD: &str = "·";
pub const PROCESS_FINISHED: &str = "Процесс завершён";
pub const NO_HISTORY: &str = "Записей в истории нет";
pub const APPLICATIONS: &str = "Заявки на услуги";
pub const NO_ACTIONS: &str = "В этом статусе действий нет";
pub const ACTIONS_TITLE: &str = "Действия";
pub const DECIDE_APPROVE: &str =
    "Положительное решение по заявке. Укажите основание и сообщение заявителю.";
pub const DECIDE_REFUSE: &str = "Отказ по заявке. Укажите основание отказа и сообщение заявителю.";
pub const REASON: &str = "Основание";
pub const MESSAGE: &str = "Сообщение заявителю";
pub const CLOSE_TEXT: &str = "Работа по заявке будет завершена. Это нельзя отменить.";
pub const ACT_TEXT: &str = "Выполнить действие над заявкой?";
pub const DONE: &str = "Выполнено";
pub const COL_NUMBER: &str = "Номер";
pub const COL_STATUS: &str = "Статус";
pub const COL_SERVICE: &str = "Услуга";
pub const COL_APPLICANT: &str = "Заявитель";
pub const COL_ASSIGNEE: &str = "Исполнитель";
pub const APP_NUMBER: &str = "Номер заявки";
pub const APP_STATUS: &str = "Статус";
pub const APP_SERVICE: &str = "Услуга";
pub const APP_APPLICANT: &str = "Заявитель";
pub const APP_CREATED: &str = "Создана";
pub const APP_DUE: &str = "Срок";
pub const APP_ASSIGNEE: &str = "Исполнитель";
pub const APP_DECISION: &str = "Решение";
pub const APP_FORM: &str = "Данные заявления";
pub const NOT_SET: &str = "—";
pub const COL_UPDATED: &str = "Дата изменения";
pub const EMPTY_APPS: &str = "Заявок нет";
pub const EXECUTOR_TITLE: &str = "Назначить исполнителя";
pub const ASSIGN_TITLE: &str = "Назначить исполнителя";
pub const ASSIGN_TEXT: &str = "Исполнитель заявки";
pub const JUMP_TITLE: &str = "Перейти к разделу";
pub const JUMP_FIELD: &str = "Часть названия раздела";
pub const NO_SUCH_SECTION: &str = "Нет такого раздела";
