//! Signing in and out: the login form, the forced and the voluntary password change, and
//! entering the main screen with the sections the user's rights give.

use crate::app::*;
use crate::text;
use volost_api::{SessionInfo, call};

pub(crate) fn login_form() -> Form {
    Form {
        title: text::LOGIN_TITLE,
        intro: Some(text::LOGIN_HINT),
        fields: vec![
            Field::new(text::LOGIN, false),
            Field::new(text::PASSWORD, true),
        ],
        ..Form::default()
    }
}

pub(crate) fn password_form(forced: bool) -> Form {
    Form {
        title: text::CHANGE_TITLE,
        intro: forced.then_some(text::CHANGE_FORCED),
        fields: vec![
            Field::new(text::OLD_PASSWORD, true),
            Field::new(text::NEW_PASSWORD, true),
            Field::new(text::REPEAT_PASSWORD, true),
        ],
        ..Form::default()
    }
}

impl App {
    /// Signs in with a known login and password (the demo opens the TUI this way).
    pub fn sign_in(&mut self, login: &str, password: &str) {
        if let Screen::Login(form) = &mut self.screen {
            form.fields[0].value = login.into();
            form.fields[1].value = password.into();
            form.focus = 1;
        }
        self.submit_form();
    }

    pub(crate) fn back_from_form(&mut self) {
        match &self.screen {
            Screen::Password { forced: false, .. } => self.screen = Screen::Main,
            Screen::Password { forced: true, .. } => {
                // Leaving the forced change means leaving: nothing else is allowed.
                self.logout();
            }
            _ => self.quit = true,
        }
    }

    pub(crate) fn submit_form(&mut self) {
        let screen = std::mem::replace(&mut self.screen, Screen::Main);
        self.screen = match screen {
            Screen::Login(mut form) => {
                if form.focus == 0 && form.value(1).is_empty() {
                    form.focus = 1;
                    Screen::Login(form)
                } else if !form.require_all() {
                    Screen::Login(form)
                } else {
                    let call = call::Login {
                        login: form.value(0).trim().to_string(),
                        password: form.value(1).to_string(),
                    };
                    match self.conn.ask(call) {
                        Ok(s) => {
                            self.conn.set_token(s.token.clone());
                            self.start_session(s)
                        }
                        Err(e) => {
                            form.fields[1].value.clear();
                            form.focus = 1;
                            form.message = Some(match e.api() {
                                Some(a) => a.message.clone(),
                                None => e.ru(),
                            });
                            Screen::Login(form)
                        }
                    }
                }
            }
            Screen::Password { mut form, forced } => {
                if !form.require_all() {
                    Screen::Password { form, forced }
                } else if form.value(1) != form.value(2) {
                    form.fields[2].error = Some(text::PASSWORDS_DIFFER.into());
                    form.focus = 2;
                    Screen::Password { form, forced }
                } else {
                    let call = call::ChangePassword {
                        old: form.value(0).to_string(),
                        new: form.value(1).to_string(),
                    };
                    match self.conn.ask(call) {
                        Ok(()) => {
                            self.banner = Some(Banner::Info(text::PASSWORD_CHANGED.into()));
                            if let Some(s) = &mut self.session {
                                s.must_change_password = false;
                            }
                            self.enter_main();
                            Screen::Main
                        }
                        Err(e) => {
                            let msg = e.api().map(|a| (a.message.clone(), a.fields.clone()));
                            match msg {
                                Some((m, fields)) => {
                                    for fe in fields {
                                        let at = [text::OLD_PASSWORD, text::NEW_PASSWORD]
                                            .iter()
                                            .position(|l| *l == fe.field);
                                        if let Some(i) = at {
                                            form.fields[i].error = Some(fe.message);
                                        }
                                    }
                                    form.message = Some(m);
                                }
                                None => form.message = Some(e.ru()),
                            }
                            Screen::Password { form, forced }
                        }
                    }
                }
            }
            other => other,
        };
    }

    /// After a login: the forced change first, if due; else the main screen.
    pub(crate) fn start_session(&mut self, s: SessionInfo) -> Screen {
        let forced = s.must_change_password;
        self.offset = time::UtcOffset::from_whole_seconds(s.utc_offset_seconds)
            .unwrap_or(time::UtcOffset::UTC);
        self.sections = Section::ALL
            .into_iter()
            .filter(|x| s.rights.has(x.right()))
            .collect();
        self.session = Some(s);
        if forced {
            Screen::Password {
                form: password_form(true),
                forced: true,
            }
        } else {
            self.enter_main();
            Screen::Main
        }
    }

    pub(crate) fn enter_main(&mut self) {
        if self.org.is_none() {
            self.org = self.conn.ask(call::Org).ok();
        }
        self.open_section(self.section.min(self.sections.len().saturating_sub(1)));
    }

    pub(crate) fn logout(&mut self) {
        let _ = self.conn.ask(call::Logout);
        self.conn.set_token(None);
        self.session = None;
        self.screen = Screen::Login(login_form());
    }
}
