//! The runner's side of session: the daemon calls its effects ask for.

use crate::app::*;
use crate::screens::effect::Effect;
use crate::screens::session::*;
use crate::text;
use volost_api::{SessionInfo, call};

impl App {
    /// Signs in with a known login and password (the demo opens the TUI this way).
    pub fn sign_in(&mut self, login: &str, password: &str) {
        if let Screen::Login(form) = &mut self.screen {
            form.fields[0].value = login.into();
            form.fields[1].value = password.into();
            form.focus = 1;
        }
        self.run(Effect::SignIn {
            login: login.trim().to_string(),
            password: password.to_string(),
        });
    }

    /// The session's effects: sign in, change the password, leave. A refusal goes back
    /// into the form that asked, under its fields.
    pub(crate) fn run_session(&mut self, e: Effect) {
        match e {
            Effect::SignIn { login, password } => {
                match self.conn.ask(call::Login { login, password }) {
                    Ok(s) => {
                        self.conn.set_token(s.token.clone());
                        self.start_session(s);
                    }
                    Err(e) => {
                        if let Screen::Login(form) = &mut self.screen {
                            form.fields[1].value.clear();
                            form.focus = 1;
                            form.message = Some(match e.api() {
                                Some(a) => a.message.clone(),
                                None => e.ru(),
                            });
                        }
                    }
                }
            }
            Effect::ChangePassword { old, new } => {
                match self.conn.ask(call::ChangePassword { old, new }) {
                    Ok(()) => {
                        self.banner = Some(Banner::Info(text::PASSWORD_CHANGED.into()));
                        if let Some(s) = &mut self.session {
                            s.must_change_password = false;
                        }
                        self.screen = Screen::Main;
                        self.enter_main();
                    }
                    Err(e) => {
                        let Screen::Password { form, .. } = &mut self.screen else {
                            return;
                        };
                        match e.api().map(|a| (a.message.clone(), a.fields.clone())) {
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
                    }
                }
            }
            Effect::Quit => self.quit = true,
            Effect::Logout => self.logout(),
            Effect::Main => self.screen = Screen::Main,
            // `App::run` sends only the session's effects here.
            _ => {}
        }
    }

    /// After a login: the forced change first, if due; else the main screen, on the
    /// section the user was on (a section with a screen of its own opens it).
    pub(crate) fn start_session(&mut self, s: SessionInfo) {
        let forced = s.must_change_password;
        self.offset = time::UtcOffset::from_whole_seconds(s.utc_offset_seconds)
            .unwrap_or(time::UtcOffset::UTC);
        self.main.sections = Section::ALL
            .into_iter()
            .filter(|x| s.rights.has(x.right()))
            .collect();
        self.session = Some(s);
        if forced {
            self.screen = Screen::Password {
                form: password_form(true),
                forced: true,
            };
        } else {
            self.screen = Screen::Main;
            self.enter_main();
        }
    }

    pub(crate) fn enter_main(&mut self) {
        if self.org.is_none() {
            self.org = self.conn.ask(call::Org).ok();
        }
        self.open_section(
            self.main
                .section
                .min(self.main.sections.len().saturating_sub(1)),
        );
    }

    pub(crate) fn logout(&mut self) {
        let _ = self.conn.ask(call::Logout);
        self.conn.set_token(None);
        self.session = None;
        self.screen = Screen::Login(login_form());
    }
}
