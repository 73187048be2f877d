//! A line of text being typed, with its cursor: the one editor every text field of the TUI
//! uses (login, forms, dialogs, the filter panel). ←/→ move by a character, Home/End to the
//! ends, Backspace and Delete take the character before or under the cursor, and a paste
//! goes in at the cursor in one piece.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The text and where the cursor stands in it (a count of characters, not bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    at: usize,
}

impl TextInput {
    /// `text` with the cursor after its end, where typing goes on.
    pub fn new(text: impl Into<String>) -> TextInput {
        let text = text.into();
        let at = text.chars().count();
        TextInput { text, at }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Replaces the text; the cursor goes after its end.
    pub fn set(&mut self, text: impl Into<String>) {
        *self = TextInput::new(text);
    }

    pub fn clear(&mut self) {
        *self = TextInput::default();
    }

    /// Where the cursor stands, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.at
    }

    fn byte(&self, at: usize) -> usize {
        self.text
            .char_indices()
            .nth(at)
            .map_or(self.text.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, c: char) {
        let i = self.byte(self.at);
        self.text.insert(i, c);
        self.at += 1;
    }

    /// A pasted text at the cursor. TextInput breaks stay (as `\n`) where the field may hold
    /// several lines; elsewhere each becomes a space. Other control characters are left out.
    pub fn paste(&mut self, s: &str, multiline: bool) {
        let s = s.replace("\r\n", "\n").replace('\r', "\n");
        let s = if multiline {
            s
        } else {
            s.trim_end_matches('\n').replace('\n', " ")
        };
        for c in s.chars().filter(|c| !c.is_control() || *c == '\n') {
            self.insert(c);
        }
    }

    /// Takes the character before the cursor; whether there was one.
    pub fn backspace(&mut self) -> bool {
        if self.at == 0 {
            return false;
        }
        self.at -= 1;
        let i = self.byte(self.at);
        self.text.remove(i);
        true
    }

    /// Takes the character under the cursor; whether there was one.
    pub fn delete(&mut self) -> bool {
        if self.at >= self.text.chars().count() {
            return false;
        }
        let i = self.byte(self.at);
        self.text.remove(i);
        true
    }

    /// One key of editing; whether the key was one (a character, Backspace, Delete, ←, →,
    /// Home, End). Keys with Ctrl or Alt are commands, not text.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        let n = self.text.chars().count();
        match key.code {
            KeyCode::Char(c) => self.insert(c),
            KeyCode::Backspace => {
                self.backspace();
            }
            KeyCode::Delete => {
                self.delete();
            }
            KeyCode::Left => self.at = self.at.saturating_sub(1),
            KeyCode::Right => self.at = (self.at + 1).min(n),
            KeyCode::Home => self.at = 0,
            KeyCode::End => self.at = n,
            _ => return false,
        }
        true
    }

    /// What to show in `width` columns: the text before the cursor, the character under it
    /// (`None` at the end) and the text after, cut so that the cursor stays in sight; a cut
    /// side is marked «…». A line break shows as «⏎». `mask` shows every character as «•».
    pub fn window(&self, width: usize, mask: bool) -> (String, Option<char>, String) {
        let shown: Vec<char> = self
            .text
            .chars()
            .map(|c| match c {
                _ if mask => '•',
                '\n' => '⏎',
                c => c,
            })
            .collect();
        let width = width.max(3);
        let n = shown.len();
        // n + 1 cells: the cursor may stand after the last character. The window keeps the
        // cursor in sight with up to a third of the width after it.
        let keep_after = (n - self.at).min((width - 2) / 2);
        let from = (self.at + keep_after + 1)
            .saturating_sub(width)
            .min((n + 1).saturating_sub(width));
        let to = (from + width).min(n);
        let mut before: String = shown[from..self.at].iter().collect();
        let under = shown.get(self.at).copied();
        let mut after: String = shown
            .get(self.at + 1..to.max(self.at + 1))
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        if from > 0 && !before.is_empty() {
            before.replace_range(..before.chars().next().map_or(0, char::len_utf8), "…");
        }
        if to < n && !after.is_empty() {
            after.pop();
            after.push('…');
        }
        (before, under, after)
    }
}

/// The spans of `input` drawn in `width` columns. Unfocused, the text from its start; focused,
/// the window around the cursor, with the character under it shown inverted and a block
/// after the end (`cursor`).
pub fn spans(
    input: &TextInput,
    width: usize,
    mask: bool,
    focused: bool,
    cursor: &'static str,
) -> Vec<ratatui::text::Span<'static>> {
    use ratatui::style::{Color, Style};
    use ratatui::text::Span;
    if !focused {
        let mut t = TextInput::new(input.as_str());
        t.at = 0;
        let (before, under, after) = t.window(width, mask);
        let mut s = before;
        s.extend(under);
        s.push_str(&after);
        return vec![Span::raw(s)];
    }
    let (before, under, after) = input.window(width, mask);
    let inverted = Style::default().fg(Color::White).bg(Color::Black);
    let mut out = vec![Span::raw(before)];
    match under {
        Some(c) => out.push(Span::styled(c.to_string(), inverted)),
        None => out.push(Span::raw(cursor)),
    }
    out.push(Span::raw(after));
    out
}

impl std::ops::Deref for TextInput {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl From<&str> for TextInput {
    fn from(s: &str) -> TextInput {
        TextInput::new(s)
    }
}

impl From<String> for TextInput {
    fn from(s: String) -> TextInput {
        TextInput::new(s)
    }
}

impl PartialEq<str> for TextInput {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for TextInput {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for TextInput {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

impl PartialEq<TextInput> for &str {
    fn eq(&self, other: &TextInput) -> bool {
        *self == other.text
    }
}

impl PartialEq<TextInput> for String {
    fn eq(&self, other: &TextInput) -> bool {
        *self == other.text
    }
}

impl std::fmt::Display for TextInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn keys(l: &mut TextInput, codes: &[KeyCode]) {
        for c in codes {
            assert!(l.edit(&key(*c)), "{c:?}");
        }
    }

    #[test]
    fn a_word_is_changed_in_the_middle_without_erasing_the_rest() {
        // The path the TUI proposed, with one folder to change: before, 40–60 Backspaces.
        let mut l = TextInput::new("/home/ivanova/Документы/скан.pdf");
        keys(&mut l, &[KeyCode::Home]);
        for _ in 0.."/home/".chars().count() {
            keys(&mut l, &[KeyCode::Right]);
        }
        for _ in 0.."ivanova".chars().count() {
            keys(&mut l, &[KeyCode::Delete]);
        }
        for c in "petrov".chars() {
            keys(&mut l, &[KeyCode::Char(c)]);
        }
        assert_eq!(l.as_str(), "/home/petrov/Документы/скан.pdf");
        keys(
            &mut l,
            &[KeyCode::End, KeyCode::Left, KeyCode::Left, KeyCode::Left],
        );
        keys(&mut l, &[KeyCode::Backspace, KeyCode::Char(',')]);
        assert_eq!(l.as_str(), "/home/petrov/Документы/скан,pdf");
        // At the ends nothing moves past them, and nothing is taken that is not there.
        keys(&mut l, &[KeyCode::End, KeyCode::Right, KeyCode::Delete]);
        keys(&mut l, &[KeyCode::Home, KeyCode::Left, KeyCode::Backspace]);
        assert_eq!(l.as_str(), "/home/petrov/Документы/скан,pdf");
        assert_eq!(l.cursor(), 0);
        // A command key is not text.
        assert!(!l.edit(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(!l.edit(&key(KeyCode::Enter)));
    }

    #[test]
    fn a_paste_keeps_its_line_breaks_where_the_field_holds_lines() {
        let mut l = TextInput::new("Ответ: ");
        l.paste("сведений нет;\r\nзапрос повторить\rчерез месяц\n", true);
        assert_eq!(
            l.as_str(),
            "Ответ: сведений нет;\nзапрос повторить\nчерез месяц\n"
        );
        let mut one = TextInput::new("");
        one.paste("ivanova\n", false);
        assert_eq!(one.as_str(), "ivanova");
        one.paste("a\nb\u{7}", false);
        assert_eq!(one.as_str(), "ivanovaa b");
    }

    #[test]
    fn the_window_keeps_the_cursor_in_sight() {
        let mut l = TextInput::new("абвгдежзийклмнопрст");
        // At the end: the tail, the cursor after it.
        let (b, u, a) = l.window(8, false);
        assert_eq!((b.as_str(), u, a.as_str()), ("…нопрст", None, ""));
        keys(&mut l, &[KeyCode::Home]);
        let (b, u, a) = l.window(8, false);
        assert_eq!((b.as_str(), u, a.as_str()), ("", Some('а'), "бвгдеж…"));
        for _ in 0..9 {
            keys(&mut l, &[KeyCode::Right]);
        }
        let (b, u, a) = l.window(8, false);
        assert_eq!(b.chars().count() + 1 + a.chars().count(), 8);
        assert_eq!(u, Some('й'));
        let (b, u, a) = TextInput::new("секрет").window(20, true);
        assert_eq!((b.as_str(), u, a.as_str()), ("••••••", None, ""));
        let (b, _, _) = TextInput::new("а\nб").window(20, false);
        assert_eq!(b, "а⏎б");
    }
}
