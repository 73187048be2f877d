//! The runner's side of «Файлы».

use crate::app::{App, Banner, Dialog, Screen};
use crate::local::{read_local, save_local};
use crate::screens::effect::Pending;
use crate::text;
use crate::widgets::Field;
use crate::widgets::files::FilesTab;
use volost_api::{Bytes, call};
use volost_domain::{FileId, FileOwner, size_label};

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
        let max_bytes = self.max_file();
        FilesTab {
            owner,
            files,
            row,
            max_bytes,
        }
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
        match self.conn.ask(call) {
            Ok(r) => self.ask_where(text::EXPORT_TITLE, r),
            Err(e) => self.failed(&e),
        }
    }

    /// The registration journal of the days, made on the node, then where to keep it.
    pub(crate) fn print_journal(&mut self, from: time::Date, to: time::Date) {
        match self.conn.ask(call::PrintJournal { from, to }) {
            Ok(p) => self.ask_where(
                volost_domain::DocumentKind::Journal.title(),
                volost_api::ExportReply {
                    name: p.name,
                    data: p.data,
                },
            ),
            Err(e) => self.failed(&e),
        }
    }

    /// A file made on the node: the dialog asking where to keep it.
    fn ask_where(&mut self, title: &'static str, reply: volost_api::ExportReply) {
        let mut path = Field::new(text::SAVE_TO, false);
        path.value = format!("~/{}", reply.name).into();
        self.dialog = Some(Dialog::new(
            title,
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
