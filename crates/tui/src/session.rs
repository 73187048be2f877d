//! Signing in and out: the login form, the forced and the voluntary password change, and
//! entering the main screen with the sections the user's rights give.

use crate::app::*;
use crate::effect::Effect;
use crate::keymap::Cmd;
use crate::text;
use crate::widgets::{Field, Form};
use crossterm::event::KeyEvent;
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

/// A command on the login form; what it asks for, if anything. Enter moves on to the next
/// field, as in every form, and sends from the last one.
pub fn handle_login(form: &mut Form, cmd: Option<Cmd>, key: &KeyEvent) -> Option<Effect> {
    match cmd {
        Some(Cmd::Submit) if form.focus == 0 && form.value(1).is_empty() => {
            form.focus = 1;
            None
        }
        Some(Cmd::Submit) if form.focus + 1 < form.fields.len() => {
            form.focus += 1;
            None
        }
        Some(Cmd::Submit) => form.require_all().then(|| Effect::SignIn {
            login: form.value(0).trim().to_string(),
            password: form.value(1).to_string(),
        }),
        Some(Cmd::Back) => Some(Effect::Quit),
        other => {
            move_or_type(form, other, key);
            None
        }
    }
}

/// A command on the password-change form (`forced`: the first login's, which cannot be
/// skipped: leaving it ends the session).
pub fn handle_password(
    form: &mut Form,
    forced: bool,
    cmd: Option<Cmd>,
    key: &KeyEvent,
) -> Option<Effect> {
    match cmd {
        Some(Cmd::Submit) if form.focus + 1 < form.fields.len() => {
            form.focus += 1;
            None
        }
        Some(Cmd::Submit) => {
            if !form.require_all() {
                return None;
            }
            if form.value(1) != form.value(2) {
                form.fields[2].error = Some(text::PASSWORDS_DIFFER.into());
                form.focus = 2;
                return None;
            }
            Some(Effect::ChangePassword {
                old: form.value(0).to_string(),
                new: form.value(1).to_string(),
            })
        }
        Some(Cmd::Back) if forced => Some(Effect::Logout),
        Some(Cmd::Back) => Some(Effect::Main),
        other => {
            move_or_type(form, other, key);
            None
        }
    }
}

/// Tab and the arrows move between the fields; other keys edit the focused one.
fn move_or_type(form: &mut Form, cmd: Option<Cmd>, key: &KeyEvent) {
    let n = form.fields.len();
    match cmd {
        Some(Cmd::NextField) => form.focus = (form.focus + 1) % n,
        Some(Cmd::PrevField) => form.focus = (form.focus + n - 1) % n,
        _ => form.type_key(*key),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyCode;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::from(c)
    }

    fn typed(form: &mut Form, s: &str) {
        for c in s.chars() {
            form.type_key(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn the_login_form_asks_to_sign_in_only_when_both_fields_are_filled() {
        let mut f = login_form();
        let enter = key(KeyCode::Enter);
        typed(&mut f, " ivanova ");
        // Enter on the login moves to the password; nothing is asked yet.
        assert!(handle_login(&mut f, Some(Cmd::Submit), &enter).is_none());
        assert_eq!(f.focus, 1);
        // Enter on an empty password: «Требуется», nothing asked.
        assert!(handle_login(&mut f, Some(Cmd::Submit), &enter).is_none());
        assert_eq!(f.fields[1].error.as_deref(), Some(text::REQUIRED));
        typed(&mut f, "demo-volost");
        assert!(matches!(
            handle_login(&mut f, Some(Cmd::Submit), &enter),
            Some(Effect::SignIn { login, password }) if login == "ivanova" && password == "demo-volost"
        ));
        assert!(matches!(
            handle_login(&mut f, Some(Cmd::Back), &key(KeyCode::Esc)),
            Some(Effect::Quit)
        ));
        // Shift+Tab goes back to the login, wrapping round.
        handle_login(&mut f, Some(Cmd::PrevField), &key(KeyCode::BackTab));
        assert_eq!(f.focus, 0);
    }

    #[test]
    fn the_password_form_checks_the_repeat_and_leaves_as_its_kind_says() {
        let mut f = password_form(true);
        let enter = key(KeyCode::Enter);
        typed(&mut f, "old-one-2026");
        handle_password(&mut f, true, Some(Cmd::Submit), &enter);
        typed(&mut f, "Новый-пароль-1");
        handle_password(&mut f, true, Some(Cmd::Submit), &enter);
        typed(&mut f, "Новый-пароль-2");
        assert_eq!(f.focus, 2);
        assert!(handle_password(&mut f, true, Some(Cmd::Submit), &enter).is_none());
        assert_eq!(f.fields[2].error.as_deref(), Some(text::PASSWORDS_DIFFER));
        f.fields[2].value = "Новый-пароль-1".into();
        assert!(matches!(
            handle_password(&mut f, true, Some(Cmd::Submit), &enter),
            Some(Effect::ChangePassword { old, new })
                if old == "old-one-2026" && new == "Новый-пароль-1"
        ));
        // The first login's change cannot be skipped: leaving it ends the session.
        let esc = key(KeyCode::Esc);
        assert!(matches!(
            handle_password(&mut f, true, Some(Cmd::Back), &esc),
            Some(Effect::Logout)
        ));
        assert!(matches!(
            handle_password(&mut f, false, Some(Cmd::Back), &esc),
            Some(Effect::Main)
        ));
        // A password is never printed, not even in a failed test's message.
        let e = Effect::SignIn {
            login: "ivanova".into(),
            password: "Секрет".into(),
        };
        assert!(!format!("{e:?}").contains("Секрет"));
    }
}
