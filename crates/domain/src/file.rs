//! Файлы: documents attached to an application or a request. The bytes live in their own
//! table; the row here describes them.

use super::ids::{AppId, FileId, InReqId, OrgId, OutReqId, RegReqId, Ts, UserId};
use serde::{Deserialize, Serialize};

/// The largest name a file may have, in bytes: what every Linux filesystem accepts, so a file
/// can always be saved back under its own name.
pub const MAX_NAME_BYTES: usize = 255;

/// How many files one application or request may hold.
pub const MAX_FILES_PER_OWNER: usize = 100;

/// К чему приложен файл.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileOwner {
    /// Заявка.
    Application(AppId),
    /// Исходящий запрос.
    Outgoing(OutReqId),
    /// Входящий запрос (the answer's files).
    Incoming(InReqId),
    /// Запрос Р-сведений.
    Regional(RegReqId),
}

impl FileOwner {
    /// The owner as `(kind byte, id)`, for index keys.
    pub fn parts(self) -> (u8, u64) {
        match self {
            FileOwner::Application(id) => (1, id.0),
            FileOwner::Outgoing(id) => (2, id.0),
            FileOwner::Incoming(id) => (3, id.0),
            FileOwner::Regional(id) => (4, id.0),
        }
    }
}

/// Файл (вложение).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: FileId,
    pub org: OrgId,
    /// `None` while the file is only uploaded: a form that names it has not been saved yet.
    /// Such a file is seen by its uploader alone and removed after a day.
    pub owner: Option<FileOwner>,
    /// The key of the form field this file fills, when it came through a form.
    pub field: Option<String>,
    /// Имя файла: a plain name, never a path.
    pub name: String,
    pub size: u64,
    /// SHA-256 of the bytes, hex; `volost check` recomputes it.
    pub sha256: String,
    /// `None` when the node itself received the file (SMEV).
    pub added_by: Option<UserId>,
    pub added: Ts,
}

/// Checks a file's name as staff or a sender gave it: a plain name (no directory, no `..`,
/// no control characters) that fits a filesystem. Returns it trimmed, or a Russian message.
pub fn file_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Укажите имя файла".into());
    }
    if name.contains(['/', '\\']) {
        return Err("Имя файла не может содержать «/» или «\\»".into());
    }
    if name.starts_with('.') {
        return Err("Имя файла не может начинаться с точки".into());
    }
    if name.chars().any(char::is_control) {
        return Err("Имя файла содержит недопустимые символы".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "Имя файла длиннее {MAX_NAME_BYTES} байт; сократите его"
        ));
    }
    Ok(name.to_string())
}

/// A size for staff: «12 КБ», «3,4 МБ».
pub fn size_label(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} Б")
    } else if bytes < MB {
        format!("{} КБ", bytes.div_ceil(KB))
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        format!("{},{} МБ", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        assert_eq!(file_name("  скан.pdf ").as_deref(), Ok("скан.pdf"));
        for bad in [
            "",
            "  ",
            "../etc/passwd",
            "a/b.pdf",
            "a\\b",
            ".",
            "..",
            ".bashrc",
            "a\nb",
        ] {
            assert!(file_name(bad).is_err(), "{bad:?} accepted");
        }
        assert!(file_name(&"я".repeat(128)).is_err());
        assert!(file_name(&"я".repeat(127)).is_ok());
    }

    #[test]
    fn sizes_read_as_staff_say_them() {
        assert_eq!(size_label(0), "0 Б");
        assert_eq!(size_label(1000), "1000 Б");
        assert_eq!(size_label(1025), "2 КБ");
        assert_eq!(size_label(10 * 1024 * 1024), "10,0 МБ");
        assert_eq!(size_label(3_565_158), "3,4 МБ");
    }
}
