//! «Файлы» of a card: the keys its tab takes and the questions it asks (a path to add from
//! or save to, yes or no to removing); what the answers do is the runner's (`run/files.rs`).

use crate::keymap::Cmd;
use crate::screens::effect::Dialog;
use crate::screens::effect::{Effect, Pending};
use crate::screens::requests::ReqRef;
use crate::text;
use crate::widgets::Field;
use crate::widgets::files::{FilesAsk, FilesKey, FilesTab};
use std::ops::ControlFlow;
use volost_domain::{FileOwner, size_label};

/// A key on a card's open «Файлы» tab: `Continue` when it is not the tab's (the card takes
/// it), else what the tab asks for, if anything.
pub fn handle(tab: &mut FilesTab, cmd: Cmd) -> ControlFlow<Option<Effect>> {
    match tab.handle(cmd) {
        FilesKey::NotMine => ControlFlow::Continue(()),
        FilesKey::Done => ControlFlow::Break(None),
        FilesKey::Ask(a) => ControlFlow::Break(Some(ask(a, tab.limit()))),
    }
}

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
