//! Signing in and out: the login form, the forced and the voluntary password change, and
//! entering the main screen with the sections the user's rights give.

use crate::keymap::Cmd;
use crate::screens::effect::Effect;
use crate::text;
use crate::widgets::{Field, Form};
use crossterm::event::KeyEvent;

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
