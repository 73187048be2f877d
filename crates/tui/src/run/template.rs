//! The runner's side of template: the daemon calls its effects ask for.

use crate::app::{App, Banner, Screen};
use crate::screens::admin::AdminTab;
use crate::screens::form::Purpose;
use crate::screens::template::*;
use crate::text;
use volost_api::call;

impl App {
    pub(crate) fn leave_template(&mut self) {
        let tab = match &self.screen {
            Screen::Template(v) if !v.is_service() => AdminTab::Kinds,
            _ => AdminTab::Services,
        };
        self.open_admin(tab);
    }

    /// F4 or F7 in the editor: the line's form over the template.
    pub(crate) fn edit_template_line(&mut self, line: LineRef) {
        if let Screen::Template(editor) = std::mem::replace(&mut self.screen, Screen::Main) {
            self.screen = Screen::Fill(Box::new(editor.form(line)));
        }
    }

    pub(crate) fn save_template(&mut self) {
        let Screen::Template(v) = &self.screen else {
            return;
        };
        // Each arm its own call: the replies differ (a new id, or nothing).
        let (saved, tab) = match &v.spec {
            Spec::Service(Some(id), spec) => (
                self.conn
                    .ask(call::UpdateService {
                        id: *id,
                        spec: spec.clone(),
                    })
                    .map(drop),
                AdminTab::Services,
            ),
            Spec::Service(None, spec) => (
                self.conn.ask(call::AddService(spec.clone())).map(drop),
                AdminTab::Services,
            ),
            Spec::Kind(id, spec) => (
                self.conn
                    .ask(call::UpdateRequestKind {
                        id: *id,
                        spec: spec.clone(),
                    })
                    .map(drop),
                AdminTab::Kinds,
            ),
        };
        match saved {
            Ok(()) => {
                self.open_admin(tab);
                self.banner = Some(Banner::Info(text::TP_SAVED.into()));
            }
            Err(e) => self.failed(&e),
        }
    }

    /// F2 in a line's form: the line goes into the template, which opens again.
    pub(crate) fn save_template_line(&mut self) {
        let Screen::Fill(form) = std::mem::replace(&mut self.screen, Screen::Main) else {
            return;
        };
        let mut form = form;
        let Purpose::Template { editor, line } = &mut form.purpose else {
            self.screen = Screen::Fill(form);
            return;
        };
        let line = *line;
        let mut candidate = (**editor).clone();
        match candidate.apply(line, &form) {
            Ok(()) => self.screen = Screen::Template(Box::new(candidate)),
            Err(m) => {
                form.message = Some(m);
                self.screen = Screen::Fill(form);
            }
        }
    }

    /// Esc from a line's form: the template as it was.
    pub(crate) fn leave_template_line(&mut self) {
        let Screen::Fill(form) = std::mem::replace(&mut self.screen, Screen::Main) else {
            return;
        };
        match form.purpose {
            Purpose::Template { editor, .. } => self.screen = Screen::Template(editor),
            _ => self.screen = Screen::Fill(form),
        }
    }
}
