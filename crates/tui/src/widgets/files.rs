//! «Файлы», the tab of a card that lists its files: moving along them, and the three things
//! asked of the card (add one, save one, remove one).

use crate::keymap::Cmd;
use volost_domain::{Attachment, FileOwner, size_label};

/// The «Файлы» tab of a card.
pub struct FilesTab {
    pub owner: FileOwner,
    /// `None` when they could not be read (no right, or the link failed: the banner says).
    pub files: Option<Vec<Attachment>>,
    pub row: usize,
    /// The largest file the node takes, said in the dialog that adds one.
    pub max_bytes: u64,
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

/// What the tab asks of its card: the card asks the question (a path, or yes and no).
#[derive(Clone, Debug, PartialEq)]
pub enum FilesAsk {
    Add(FileOwner),
    Save(Attachment),
    Remove(Attachment),
}

/// A key on the tab.
#[derive(Clone, Debug, PartialEq)]
pub enum FilesKey {
    /// Not the tab's (Esc, Tab, F5 ...): the card takes it.
    NotMine,
    /// The tab moved.
    Done,
    Ask(FilesAsk),
}

impl FilesTab {
    pub fn handle(&mut self, cmd: Cmd) -> FilesKey {
        let n = self.files.as_ref().map_or(0, Vec::len);
        match cmd {
            Cmd::Up => self.row = self.row.saturating_sub(1),
            Cmd::Down => self.row = (self.row + 1).min(n.saturating_sub(1)),
            Cmd::Add => return FilesKey::Ask(FilesAsk::Add(self.owner)),
            // Nothing selected: nothing to save or remove.
            Cmd::Open | Cmd::Remove => {
                if let Some(f) = self.selected().cloned() {
                    return FilesKey::Ask(if cmd == Cmd::Open {
                        FilesAsk::Save(f)
                    } else {
                        FilesAsk::Remove(f)
                    });
                }
            }
            _ => return FilesKey::NotMine,
        }
        FilesKey::Done
    }

    /// «Добавить файл»'s limit, as its dialog says it.
    pub fn limit(&self) -> String {
        size_label(self.max_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use volost_domain::{AppId, FileId, OrgId, Ts};

    #[test]
    fn the_tab_moves_along_its_files_and_asks_its_card_for_the_rest() {
        let file = |id| Attachment {
            id: FileId(id),
            org: OrgId(1),
            owner: None,
            field: None,
            name: format!("скан {id}.pdf"),
            size: 1000,
            sha256: String::new(),
            added_by: None,
            added: Ts(0),
        };
        let mut t = FilesTab {
            owner: FileOwner::Application(AppId(1)),
            files: Some(vec![file(1), file(2)]),
            row: 0,
            max_bytes: 1 << 20,
        };
        assert_eq!(t.handle(Cmd::Down), FilesKey::Done);
        assert_eq!(t.handle(Cmd::Down), FilesKey::Done);
        assert_eq!(t.row, 1);
        assert_eq!(t.handle(Cmd::Open), FilesKey::Ask(FilesAsk::Save(file(2))));
        assert_eq!(
            t.handle(Cmd::Add),
            FilesKey::Ask(FilesAsk::Add(FileOwner::Application(AppId(1))))
        );
        assert_eq!(t.handle(Cmd::Back), FilesKey::NotMine);
        // Files that could not be read: nothing to save or remove.
        t.files = None;
        assert_eq!(t.handle(Cmd::Remove), FilesKey::Done);
        assert_eq!(t.limit(), "1,0 МБ");
    }
}
