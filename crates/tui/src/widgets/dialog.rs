//! A question, or a few lines to type, over the screen; and the small form of the sign-in
//! and password screens. Both are made of [`Field`]s. A dialog carries what «yes» does as
//! `then`, which it never looks into: the screen that opened it says what that is.

use super::TextInput;
use crate::keymap::Cmd;
use crossterm::event::KeyEvent;

/// A labelled line to type, with the message shown next to it.
#[derive(Clone, Debug, Default)]
pub struct Field {
    pub label: &'static str,
    pub value: TextInput,
    pub secret: bool,
    /// The message shown next to the field.
    pub error: Option<String>,
}

impl Field {
    pub fn new(label: &'static str, secret: bool) -> Field {
        Field {
            label,
            secret,
            ..Field::default()
        }
    }

    /// A field that opens holding `value`.
    pub fn with(label: &'static str, value: &str) -> Field {
        let mut f = Field::new(label, false);
        f.value = value.into();
        f
    }
}

/// A small form: fields, the focused one, and a message under them.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub title: &'static str,
    pub intro: Option<&'static str>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub message: Option<String>,
}

impl Form {
    /// A key typed into the focused field (editing keys; others do nothing).
    pub fn type_key(&mut self, key: KeyEvent) {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        if f.value.edit(&key) {
            f.error = None;
        }
    }

    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(|f| f.value.as_str()).unwrap_or("")
    }

    /// Marks empty fields «Требуется»; true when all are filled.
    pub fn require_all(&mut self) -> bool {
        let mut ok = true;
        for f in &mut self.fields {
            if f.value.is_empty() {
                f.error = Some(crate::text::REQUIRED.into());
                ok = false;
            }
        }
        ok
    }

    /// A paste goes into the focused field, on one line.
    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.value.paste(text, false);
            f.error = None;
        }
    }
}

/// What the user did to a dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Esc: the dialog closes and nothing is done.
    No,
    /// Enter: `then` is to be done with what was typed.
    Yes,
}

/// A question, or lines to type, over the screen; `then` is what «yes» does.
#[derive(Clone, Debug)]
pub struct Dialog<T> {
    pub title: &'static str,
    pub text: String,
    /// The lines to type, if the dialog asks for any.
    pub inputs: Vec<Field>,
    pub focus: usize,
    pub then: T,
}

impl<T> Dialog<T> {
    pub fn new(title: &'static str, text: impl Into<String>, inputs: Vec<Field>, then: T) -> Self {
        Dialog {
            title,
            text: text.into(),
            inputs,
            focus: 0,
            then,
        }
    }

    /// What was typed on line `i`, trimmed.
    pub fn value(&self, i: usize) -> String {
        self.inputs
            .get(i)
            .map(|f| f.value.trim().to_string())
            .unwrap_or_default()
    }

    /// Line `i` was refused: the message goes next to it and the cursor to it.
    pub fn refuse(&mut self, i: usize, message: impl Into<String>) {
        if let Some(f) = self.inputs.get_mut(i) {
            f.error = Some(message.into());
            self.focus = i;
        }
    }

    /// A key on the dialog: Esc and Enter answer it, Tab moves between its lines, the rest
    /// edits the focused line.
    pub fn handle(&mut self, cmd: Option<Cmd>, key: &KeyEvent) -> Option<Answer> {
        match cmd {
            Some(Cmd::Back) => return Some(Answer::No),
            Some(Cmd::Submit) => return Some(Answer::Yes),
            Some(Cmd::NextField) if !self.inputs.is_empty() => {
                self.focus = (self.focus + 1) % self.inputs.len();
            }
            _ => {
                if let Some(f) = self.inputs.get_mut(self.focus)
                    && f.value.edit(key)
                {
                    f.error = None;
                }
            }
        }
        None
    }

    /// A paste goes into the focused line, on one line.
    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.inputs.get_mut(self.focus) {
            f.value.paste(text, false);
            f.error = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyCode;

    #[test]
    fn a_dialog_edits_its_lines_moves_between_them_and_answers() {
        let key = |c| KeyEvent::from(KeyCode::Char(c));
        let mut d = Dialog::new(
            "Период",
            "",
            vec![Field::new("С", false), Field::with("По", "01.12.2026")],
            7u8,
        );
        assert_eq!(d.handle(None, &key('1')), None);
        assert_eq!(d.handle(Some(Cmd::NextField), &key('\t')), None);
        assert_eq!(d.focus, 1);
        d.refuse(0, "Такой даты нет");
        assert_eq!(d.focus, 0);
        // Typing into the refused line takes its message away.
        d.handle(None, &key('5'));
        assert_eq!(
            (d.value(0).as_str(), d.inputs[0].error.clone()),
            ("15", None)
        );
        assert_eq!(d.value(1), "01.12.2026");
        assert_eq!(d.handle(Some(Cmd::Submit), &key('\n')), Some(Answer::Yes));
        assert_eq!(d.handle(Some(Cmd::Back), &key('\u{1b}')), Some(Answer::No));
        assert_eq!(d.then, 7);
    }
}
