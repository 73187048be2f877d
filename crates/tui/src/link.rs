//! OSC 8 hyperlinks: the address of a page in «Окно документов», drawn as text by the
//! screens, is made a link the clerk can click (Windows Terminal, most Linux terminals) by
//! writing it again over itself inside the OSC 8 sequence, after ratatui has drawn the frame.
//! Terminals that do not know OSC 8 ignore the sequence and show the same text; the Linux
//! console would print it, so there the text stays plain.

use ratatui::buffer::Buffer;
use std::io::Write;

/// Where `text` stands in the frame: the first row that holds it, and its column.
pub fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    let want: Vec<String> = text.chars().map(String::from).collect();
    let area = buf.area;
    for y in area.y..area.y + area.height {
        let row: Vec<&str> = (area.x..area.x + area.width)
            .map(|x| buf[(x, y)].symbol())
            .collect();
        if let Some(i) = row.windows(want.len()).position(|w| w == want.as_slice()) {
            return Some((area.x + i as u16, y));
        }
    }
    None
}

/// Whether the terminal may be sent OSC 8.
fn supported() -> bool {
    std::env::var("TERM").map_or(true, |t| t != "linux" && t != "dumb")
}

/// Makes `url`, where the frame shows it, a link.
pub fn mark(buf: &Buffer, url: &str) -> std::io::Result<()> {
    if !supported() || url.chars().any(|c| c.is_control()) {
        return Ok(());
    }
    let Some((x, y)) = find(buf, url) else {
        return Ok(());
    };
    let mut out = std::io::stdout().lock();
    crossterm::queue!(
        out,
        crossterm::cursor::SavePosition,
        crossterm::cursor::MoveTo(x, y),
        crossterm::style::Print(format!("\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\")),
        crossterm::cursor::RestorePosition
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn finds_the_address_in_the_frame() {
        let mut b = Buffer::empty(Rect::new(0, 0, 40, 3));
        b.set_string(
            3,
            2,
            "С ПК: https://10.0.0.5:8443/a/1",
            ratatui::style::Style::default(),
        );
        assert_eq!(find(&b, "https://10.0.0.5:8443/a/1"), Some((9, 2)));
        assert_eq!(find(&b, "https://10.0.0.6"), None);
    }
}
