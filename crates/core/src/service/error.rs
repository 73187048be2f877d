//! The one error type of the service layer. `Display` is English for logs; [`Error::ru`] is
//! what staff read.

use volost_api::ApiError;
pub use volost_api::view::FieldError;
use volost_domain::Right;
use volost_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("user is unknown or blocked")]
    Unauthenticated,
    #[error("account locked after wrong passwords until {until}")]
    LockedOut { until: String },
    #[error("the first password must be changed before anything else")]
    PasswordChangeRequired,
    #[error("forbidden: {op} needs right {right:?}")]
    Forbidden { op: &'static str, right: Right },
    #[error("forbidden: {0}")]
    NotAllowed(String),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("illegal step «{action}» from status «{from}»")]
    InvalidTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error("task is already held by {holder}")]
    AlreadyClaimed { holder: String },
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The kind asks for the employee's personal signature (ЭП-СП): the client asks for the
    /// PIN and calls again with it.
    #[error("a personal signature is required: the PIN was not given")]
    PinRequired,
    #[error("wrong PIN of the personal certificate, {left} tries left")]
    WrongPin { left: u32 },
    /// Too much of a costly kind of work is waiting already (password checks): try again.
    #[error("busy: {0}")]
    Busy(&'static str),
    /// An upload refused: the person's daily budget, or the room kept for the database.
    #[error("upload refused: {0:?}")]
    NoRoom(super::uploads::Refusal),
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// A bug in the node: logged in full, shown to staff as a request to call support.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn not_found(what: &'static str, id: impl ToString) -> Error {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// The message for staff, in Russian.
    pub fn ru(&self) -> String {
        match self {
            Error::BadCredentials => "Неверное имя пользователя или пароль".into(),
            Error::Unauthenticated => "Пользователь не найден или заблокирован".into(),
            Error::LockedOut { until } => format!(
                "Слишком много неверных паролей с этого рабочего места: вход отсюда \
                 заблокирован до {until}"
            ),
            Error::PasswordChangeRequired => "Необходимо сменить первоначальный пароль".into(),
            Error::Forbidden { right, .. } => {
                format!("Недостаточно прав: требуется право «{}»", right.label())
            }
            Error::NotAllowed(m) => m.clone(),
            Error::NotFound { what, id } => format!("Не найдено: {} {id}", what_ru(what)),
            Error::InvalidTransition { from, action } => {
                format!("Действие «{action}» недоступно в статусе «{from}»")
            }
            Error::AlreadyClaimed { holder } => format!("Задача уже назначена на: {holder}"),
            Error::Invalid(fields) => fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
            Error::Conflict(m) => m.clone(),
            Error::Busy(_) => "Узел занят: слишком много входов одновременно. Повторите через \
                               минуту"
                .into(),
            Error::PinRequired => {
                "Для этого вида сведений нужна ЭП-СП: введите PIN-код личного сертификата".into()
            }
            Error::WrongPin { left: 0 } => {
                "Неверный PIN-код: ЭП-СП заблокирована, обратитесь к администратору узла".into()
            }
            Error::WrongPin { left } => format!("Неверный PIN-код ЭП-СП: осталось попыток {left}"),
            Error::NoRoom(super::uploads::Refusal::Budget { mib }) => format!(
                "Файл не принят: за сегодня вы уже загрузили {mib} МБ, больше одному сотруднику \
                 в день нельзя. Продолжите завтра или обратитесь к администратору"
            ),
            Error::NoRoom(super::uploads::Refusal::Reserve) => {
                "Файл не принят: на диске узла мало места, оставшееся бережётся для работы с \
                 заявками. Обратитесь к администратору"
                    .into()
            }
            Error::Storage(e) => match e {
                StoreError::Locked => {
                    "База данных занята другим процессом (возможно, уже запущен volost serve)"
                        .into()
                }
                StoreError::DiskFull => {
                    "Диск заполнен: изменения не сохранены. Обратитесь к администратору".into()
                }
                StoreError::ReadOnly => "Раздел данных доступен только для чтения: изменения \
                                         не сохранены. Обратитесь к администратору"
                    .into(),
                StoreError::TooNew { .. } => {
                    "База данных создана более новой версией программы: обновите volost".into()
                }
                StoreError::Missing(_) => "База данных не найдена: выполните volost init".into(),
                StoreError::Corrupt(_) => {
                    "Нарушена целостность базы данных: обратитесь в поддержку".into()
                }
                StoreError::Io(_) | StoreError::Db(_) => {
                    "Ошибка хранилища: изменения не сохранены".into()
                }
            },
            Error::Internal(_) => {
                "Внутренняя ошибка узла: изменения не сохранены. Обратитесь в поддержку".into()
            }
        }
    }
}

fn what_ru(what: &str) -> &'static str {
    match what {
        "application" => "заявка",
        "applicant" => "заявитель",
        "task" => "задача",
        "process" => "процесс",
        "service" => "услуга",
        "request_kind" => "вид сведений",
        "user" => "пользователь",
        "department" => "подразделение",
        "group" => "группа",
        "role" => "роль",
        "org" => "организация",
        "outgoing_request" => "исходящий запрос",
        "incoming_request" => "входящий запрос",
        "regional_request" => "запрос Р-сведений",
        _ => "объект",
    }
}

/// What the local API answers for an error of the node: an HTTP-like status, a code the
/// clients match on, the Russian message and the fields at fault.
impl From<&Error> for ApiError {
    fn from(e: &Error) -> ApiError {
        let (status, code) = match e {
            Error::BadCredentials => (401, "bad_credentials"),
            Error::Unauthenticated => (401, "unauthenticated"),
            Error::LockedOut { .. } => (423, "locked_out"),
            Error::PasswordChangeRequired => (403, "password_change_required"),
            Error::Forbidden { .. } | Error::NotAllowed(_) => (403, "forbidden"),
            Error::NotFound { .. } => (404, "not_found"),
            Error::InvalidTransition { .. } => (409, "invalid_transition"),
            Error::AlreadyClaimed { .. } => (409, "already_claimed"),
            Error::Invalid(_) => (422, "invalid"),
            Error::Conflict(_) => (409, "conflict"),
            Error::Busy(_) => (503, "busy"),
            Error::PinRequired => (428, "pin_required"),
            Error::WrongPin { left: 0 } => (423, "pin_blocked"),
            Error::WrongPin { .. } => (403, "wrong_pin"),
            Error::NoRoom(super::uploads::Refusal::Budget { .. }) => (507, "upload_budget"),
            Error::NoRoom(super::uploads::Refusal::Reserve) => (507, "upload_reserve"),
            Error::Storage(StoreError::DiskFull) => (507, "disk_full"),
            Error::Storage(StoreError::ReadOnly) => (503, "read_only"),
            Error::Storage(StoreError::Locked) => (503, "database_locked"),
            Error::Storage(_) => (500, "storage"),
            Error::Internal(_) => (500, "internal"),
        };
        ApiError {
            status,
            code: code.into(),
            message: e.ru(),
            fields: match e {
                Error::Invalid(f) => f.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::from(&e)
    }
}
