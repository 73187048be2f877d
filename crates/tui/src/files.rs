//! «Файлы»: the tab of a card that lists its files, adds one from a path, saves one to a
//! path and removes one; and the reading of local files that a form's file fields share.
//!
//! Paths are the staff member's own: the TUI runs as their account, so it reads and writes
//! what they may, and the daemon only ever sees a plain name and the bytes.

use crate::app::{App, AppTab, Banner, Dialog, Screen};
use crate::effect::Pending;
use crate::keymap::Cmd;
use crate::requests::{ReqRef, ReqTab};
use crate::text;
use crate::widgets::Field;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use volost_api::{Bytes, call};
use volost_domain::{Attachment, FileId, FileOwner, file_name, size_label};

/// The «Файлы» tab of a card.
pub struct FilesTab {
    pub owner: FileOwner,
    /// `None` when they could not be read (no right, or the link failed: the banner says).
    pub files: Option<Vec<Attachment>>,
    pub row: usize,
}

impl FilesTab {
    pub fn selected(&self) -> Option<&Attachment> {
        self.files.as_ref()?.get(self.row)
    }

    /// The name of file `id` as a form field shows it (a field holds the file's id).
    pub fn name_of(&self, id: &str) -> Option<String> {
        let files = self.files.as_ref()?;
        let f = files.iter().find(|f| f.id.to_string() == id)?;
        Some(format!("{} ({})", f.name, size_label(f.size)))
    }
}

impl From<ReqRef> for FileOwner {
    fn from(r: ReqRef) -> FileOwner {
        match r {
            ReqRef::Out(id) => FileOwner::Outgoing(id),
            ReqRef::In(id) => FileOwner::Incoming(id),
            ReqRef::Reg(id) => FileOwner::Regional(id),
        }
    }
}

/// `~` and `~/…` are the user's home; a relative path is taken from the home too, because
/// the working directory of a console session means nothing to staff.
pub(crate) fn expand(raw: &str) -> PathBuf {
    let raw = raw.trim();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match (raw.strip_prefix('~'), &home) {
        (Some(rest), Some(h)) => h.join(rest.trim_start_matches('/')),
        _ if Path::new(raw).is_absolute() => PathBuf::from(raw),
        (_, Some(h)) => h.join(raw),
        (_, None) => PathBuf::from(raw),
    }
}

pub(crate) fn io_problem(e: &std::io::Error, path: &Path) -> String {
    let p = path.display();
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("{}: {p}", text::FILE_NOT_FOUND),
        std::io::ErrorKind::PermissionDenied => format!("{}: {p}", text::FILE_NO_ACCESS),
        std::io::ErrorKind::AlreadyExists => format!("{}: {p}", text::FILE_EXISTS),
        _ => format!("{}: {p} ({e})", text::FILE_IO_ERROR),
    }
}

/// What is wrong with a path typed into a file field, checked without reading the file.
pub fn local_problem(raw: &str) -> Option<String> {
    let path = expand(raw);
    match std::fs::metadata(&path) {
        Err(e) => Some(io_problem(&e, &path)),
        Ok(m) if m.is_dir() => Some(text::FILE_IS_DIR.into()),
        // A device or a pipe could be read for ever.
        Ok(m) if !m.is_file() => Some(text::FILE_NOT_REGULAR.into()),
        Ok(_) => None,
    }
}

/// Reads the file at a typed path: its plain name and bytes, refused above `max` bytes
/// before anything is read.
pub fn read_local(raw: &str, max: u64) -> Result<(String, Vec<u8>), String> {
    if raw.trim().is_empty() {
        return Err(text::FILE_PATH_NEEDED.into());
    }
    if let Some(p) = local_problem(raw) {
        return Err(p);
    }
    let path = expand(raw);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = file_name(&name)?;
    let f = std::fs::File::open(&path).map_err(|e| io_problem(&e, &path))?;
    let size = f.metadata().map_err(|e| io_problem(&e, &path))?.len();
    let too_big = |n: u64| {
        format!(
            "{} ({}): {} {}",
            text::FILE_TOO_BIG,
            size_label(n),
            text::FILE_LIMIT,
            size_label(max)
        )
    };
    if size > max {
        return Err(too_big(size));
    }
    // The file may grow while it is read: never more than the limit and one byte.
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    f.take(max + 1)
        .read_to_end(&mut data)
        .map_err(|e| io_problem(&e, &path))?;
    if data.len() as u64 > max {
        return Err(too_big(data.len() as u64));
    }
    if data.is_empty() {
        return Err(format!("{}: {}", text::FILE_EMPTY, path.display()));
    }
    Ok((name, data))
}

/// Writes a file where staff said: into a folder under its own name, or as the path typed.
/// Never over an existing file; a half-written file is removed.
pub fn save_local(raw: &str, name: &str, data: &[u8]) -> Result<PathBuf, String> {
    if raw.trim().is_empty() {
        return Err(text::FILE_PATH_NEEDED.into());
    }
    let mut path = expand(raw);
    if path.is_dir() {
        path.push(file_name(name)?);
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io_problem(&e, &path))?;
    if let Err(e) = f.write_all(data).and_then(|()| f.sync_all()) {
        drop(f);
        let _ = std::fs::remove_file(&path);
        return Err(io_problem(&e, &path));
    }
    Ok(path)
}

impl App {
    /// The largest file the node takes (the session tells it).
    fn max_file(&self) -> u64 {
        self.session
            .as_ref()
            .map_or(volost_config::NodeConfig::default().max_file_bytes, |s| {
                s.max_file_bytes
            })
    }

    /// The files of an owner, for a card's tab, with line `row` selected where it still is.
    pub(crate) fn load_files(&mut self, owner: FileOwner, row: usize) -> FilesTab {
        let files = match self.conn.ask(call::Files { owner }) {
            Ok(f) => Some(f),
            // A user who may see the card but not change it still sees its files; a refusal
            // here leaves the tab saying so rather than closing the card.
            Err(e) if e.api().is_some_and(|a| a.status != 401) => None,
            Err(e) => {
                self.failed(&e);
                None
            }
        };
        let row = row.min(files.as_ref().map_or(0, Vec::len).saturating_sub(1));
        FilesTab { owner, files, row }
    }

    /// The «Файлы» tab open now, if the screen is a card on it.
    fn files_tab(&mut self) -> Option<&mut FilesTab> {
        match &mut self.screen {
            Screen::App(v) if v.tab == AppTab::Files && v.menu.is_none() => Some(&mut v.files),
            Screen::Req(v) if v.tab == ReqTab::Files && v.menu.is_none() => Some(&mut v.files),
            _ => None,
        }
    }

    pub(crate) fn on_files_tab(&self) -> bool {
        match &self.screen {
            Screen::App(v) => v.tab == AppTab::Files && v.menu.is_none(),
            Screen::Req(v) => v.tab == ReqTab::Files && v.menu.is_none(),
            _ => false,
        }
    }

    /// A key on the «Файлы» tab; `false` leaves it to the card (Esc, Tab, F5 ...).
    pub(crate) fn files_key(&mut self, cmd: Cmd) -> bool {
        let Some(tab) = self.files_tab() else {
            return false;
        };
        let n = tab.files.as_ref().map_or(0, Vec::len);
        match cmd {
            Cmd::Up => tab.row = tab.row.saturating_sub(1),
            Cmd::Down => tab.row = (tab.row + 1).min(n.saturating_sub(1)),
            Cmd::Add => {
                let owner = tab.owner;
                self.dialog = Some(Dialog::new(
                    text::ADD_FILE,
                    format!("{} {}", text::ADD_FILE_TEXT, size_label(self.max_file())),
                    vec![Field::new(text::FILE_PATH, false)],
                    Pending::AddFile(owner),
                ));
            }
            Cmd::Open => {
                let Some(f) = tab.selected().cloned() else {
                    return true;
                };
                let mut path = Field::new(text::SAVE_TO, false);
                path.value = format!("~/{}", f.name).into();
                self.dialog = Some(Dialog::new(
                    text::SAVE_FILE,
                    format!("«{}», {}", f.name, size_label(f.size)),
                    vec![path],
                    Pending::SaveFile(f.id),
                ));
            }
            Cmd::Remove => {
                let Some(f) = tab.selected().cloned() else {
                    return true;
                };
                self.dialog = Some(Dialog::new(
                    text::REMOVE_FILE,
                    format!("{} «{}»?", text::REMOVE_FILE_TEXT, f.name),
                    Vec::new(),
                    Pending::RemoveFile(f.id),
                ));
            }
            _ => return false,
        }
        true
    }

    /// The card read again: its files, and its history, which tells of the change.
    fn refresh_files(&mut self) {
        match &self.screen {
            Screen::App(v) => {
                let id = v.card.app.id;
                self.open_app(id);
            }
            Screen::Req(v) => {
                let (id, from) = (v.id, v.from_app);
                self.open_request(id, from);
            }
            _ => {}
        }
    }

    /// «Добавить файл»: the path typed in the dialog.
    pub(crate) fn add_file(&mut self, mut d: Dialog, owner: FileOwner) {
        let typed = d.value(0);
        let (name, data) = match read_local(&typed, self.max_file()) {
            Ok(x) => x,
            Err(msg) => {
                d.refuse(0, msg);
                self.dialog = Some(d);
                return;
            }
        };
        let call = call::AddFile {
            owner: Some(owner),
            name,
            data: Bytes(data),
        };
        match self.conn.ask(call) {
            Ok(f) => {
                self.banner = Some(Banner::Info(format!("{}: «{}»", text::FILE_ADDED, f.name)));
                self.refresh_files();
            }
            Err(e) => self.keep_dialog(d, &e),
        }
    }

    /// «Сохранить файл»: fetched from the node and written where the dialog says.
    pub(crate) fn save_file(&mut self, d: Dialog, id: FileId) {
        let reply = match self.conn.ask(call::File { id }) {
            Ok(r) => r,
            Err(e) => return self.failed(&e),
        };
        self.save_where_typed(d, &reply.file.name, &reply.data.0);
    }

    /// Writes `data` where the dialog's one line says; a path that will not do keeps the
    /// dialog open with the reason.
    fn save_where_typed(&mut self, mut d: Dialog, name: &str, data: &[u8]) {
        match save_local(&d.value(0), name, data) {
            Ok(p) => {
                self.banner = Some(Banner::Info(format!(
                    "{}: {}",
                    text::FILE_SAVED,
                    p.display()
                )));
            }
            Err(msg) => {
                d.refuse(0, msg);
                self.dialog = Some(d);
            }
        }
    }

    /// «В Excel»: the node makes the workbook; the dialog asks where to write it.
    pub(crate) fn export(&mut self, what: volost_api::Exported) {
        let call = call::Export {
            what,
            format: volost_api::FileFormat::Xlsx,
        };
        let reply = match self.conn.ask(call) {
            Ok(r) => r,
            Err(e) => return self.failed(&e),
        };
        let mut path = Field::new(text::SAVE_TO, false);
        path.value = format!("~/{}", reply.name).into();
        self.dialog = Some(Dialog::new(
            text::EXPORT_TITLE,
            format!(
                "«{}», {}",
                reply.name,
                size_label(reply.data.0.len() as u64)
            ),
            vec![path],
            Pending::SaveExport(Box::new(reply)),
        ));
    }

    /// The workbook (or signed registry) made on the node is written where the dialog says;
    /// the dialog still holds it for another try.
    pub(crate) fn save_export(&mut self, d: Dialog, f: volost_api::ExportReply) {
        self.save_where_typed(d, &f.name, &f.data.0);
    }

    pub(crate) fn remove_file(&mut self, id: FileId) {
        match self.conn.ask(call::RemoveFile { id }) {
            Ok(()) => {
                self.banner = Some(Banner::Info(text::FILE_REMOVED.into()));
                self.refresh_files();
            }
            Err(e) => self.failed(&e),
        }
    }

    /// Uploads the files the form's file fields name, before the form is saved; a path
    /// uploaded once is not sent again when the form is saved a second time. `false` when
    /// a file could not be read or was refused: the message stands next to its field.
    pub(crate) fn upload_form_files(&mut self) -> bool {
        let max = self.max_file();
        let Screen::Fill(form) = &mut self.screen else {
            return true;
        };
        let todo: Vec<(usize, String)> = form
            .file_inputs()
            .into_iter()
            .filter(|(_, path)| !form.uploads.contains_key(path))
            .collect();
        for (i, path) in todo {
            let uploaded = read_local(&path, max).and_then(|(name, data)| {
                let call = call::AddFile {
                    owner: None,
                    name,
                    data: Bytes(data),
                };
                self.conn.ask(call).map_err(|e| e.ru())
            });
            let Screen::Fill(form) = &mut self.screen else {
                return false;
            };
            match uploaded {
                Ok(f) => {
                    form.uploads.insert(path, f.id);
                }
                Err(msg) => {
                    form.refuse(i, msg);
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn local_files_are_read_within_the_limit_and_saved_without_overwriting() {
        let dir = std::env::temp_dir().join(format!("volost-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("скан паспорта.pdf");
        std::fs::write(&src, b"%PDF-1.4 test").unwrap();
        let p = src.to_string_lossy().into_owned();

        let (name, data) = read_local(&p, 1024).unwrap();
        assert_eq!(
            (name.as_str(), data.as_slice()),
            ("скан паспорта.pdf", &b"%PDF-1.4 test"[..])
        );
        assert!(read_local(&p, 5).unwrap_err().contains(text::FILE_TOO_BIG));
        assert!(read_local("", 5).is_err());
        assert_eq!(
            read_local(&dir.to_string_lossy(), 1024).unwrap_err(),
            text::FILE_IS_DIR
        );
        assert!(
            read_local("/dev/zero", 1024)
                .unwrap_err()
                .contains(text::FILE_NOT_REGULAR)
        );
        assert!(
            read_local(&dir.join("нет.pdf").to_string_lossy(), 1024)
                .unwrap_err()
                .starts_with(text::FILE_NOT_FOUND)
        );

        // Into a folder under its own name; never over a file already there.
        let out = save_local(&dir.to_string_lossy(), "копия.pdf", b"abc").unwrap();
        assert_eq!(out, dir.join("копия.pdf"));
        assert_eq!(std::fs::read(&out).unwrap(), b"abc");
        let again = save_local(&out.to_string_lossy(), "копия.pdf", b"xyz").unwrap_err();
        assert!(again.starts_with(text::FILE_EXISTS), "{again}");
        assert_eq!(std::fs::read(&out).unwrap(), b"abc");
        // A name from the node that is not plain is never joined to a folder.
        assert!(save_local(&dir.to_string_lossy(), "../x", b"abc").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
