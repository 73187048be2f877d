//! «Файлы» of a card: the questions its tab asks (a path to add from or save to, yes or no
//! to removing), and what the answers do — read or write a local file and ask the node.

use crate::app::Dialog;
use crate::effect::{Effect, Pending};
use crate::screens::requests::ReqRef;
use crate::text;
use crate::widgets::Field;
use crate::widgets::files::FilesAsk;
use volost_domain::{FileOwner, size_label};

/// The question a «Файлы» tab asks before it adds, saves or removes a file.
pub fn ask(a: FilesAsk, limit: String) -> Effect {
    let d = match a {
        FilesAsk::Add(owner) => Dialog::new(
            text::ADD_FILE,
            format!("{} {limit}", text::ADD_FILE_TEXT),
            vec![Field::new(text::FILE_PATH, false)],
            Pending::AddFile(owner),
        ),
        FilesAsk::Save(f) => Dialog::new(
            text::SAVE_FILE,
            format!("«{}», {}", f.name, size_label(f.size)),
            vec![Field::with(text::SAVE_TO, &format!("~/{}", f.name))],
            Pending::SaveFile(f.id),
        ),
        FilesAsk::Remove(f) => Dialog::new(
            text::REMOVE_FILE,
            format!("{} «{}»?", text::REMOVE_FILE_TEXT, f.name),
            Vec::new(),
            Pending::RemoveFile(f.id),
        ),
    };
    Effect::Confirm(Box::new(d))
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
