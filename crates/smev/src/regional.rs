//! Regional requests (Запрос Р-сведений) as business XML for the regional exchange (РСМЭВ).
//!
//! The universal request between bodies of a region has one schema for every subject: who
//! asks, whom (by ИНН, and the `NodeID` of the system that serves the body, by which the
//! exchange routes it), the subject and the comment; files travel as attachments, each named
//! by a `File` element. The answer is free text, with files of its own.
//!
//! ```xml
//! <r:RegionalRequest xmlns:r="urn://volost/regional/1.0">
//!   <r:SenderName>Администрация Заречного сельсовета</r:SenderName><r:SenderINN>…</r:SenderINN>
//!   <r:RecipientName>…</r:RecipientName><r:RecipientINN>…</r:RecipientINN>
//!   <r:RecipientNode>rayon-1</r:RecipientNode>
//!   <r:Subject>…</r:Subject><r:Comment>…</r:Comment>
//!   <r:File contentId="file1" name="справка.pdf"/>
//! </r:RegionalRequest>
//! <r:RegionalAnswer xmlns:r="urn://volost/regional/1.0"><r:Answer>…</r:Answer></r:RegionalAnswer>
//! ```

use super::envelope::esc;
use super::xml::Element;
use std::fmt::Write;
use volost_domain::RegionalBody;

pub const NS: &str = "urn://volost/regional/1.0";
pub const REQUEST: &str = "RegionalRequest";
pub const ANSWER: &str = "RegionalAnswer";

/// Bounds that keep one message from filling the database.
const MAX_TEXT: usize = 4000;
const MAX_FILES: usize = 50;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegionalError {
    #[error("не указано: {0}")]
    Missing(&'static str),
    #[error("значение длиннее {MAX_TEXT} знаков: {0}")]
    TooLong(&'static str),
    #[error("слишком много файлов")]
    TooMany,
}

pub use volost_domain::received::RegionalMessage;

fn open(root: &str, id: Option<&str>) -> String {
    let id = id
        .map(|i| format!(" Id=\"{}\"", esc(i)))
        .unwrap_or_default();
    format!("<r:{root} xmlns:r=\"{NS}\"{id}>")
}

fn put(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, "<r:{name}>{}</r:{name}>", esc(value));
}

/// The request's business element; `id` marks it for a personal signature.
pub fn request_xml(m: &RegionalMessage, id: Option<&str>) -> String {
    let mut s = open(REQUEST, id);
    put(&mut s, "SenderName", &m.sender_name);
    put(&mut s, "SenderINN", &m.sender_inn);
    put(&mut s, "RecipientName", &m.recipient.name);
    put(&mut s, "RecipientINN", &m.recipient.inn);
    put(&mut s, "RecipientNode", &m.recipient.node);
    put(&mut s, "Subject", &m.subject);
    put(&mut s, "Comment", &m.comment);
    for (cid, name) in &m.files {
        let _ = write!(
            s,
            "<r:File contentId=\"{}\" name=\"{}\"/>",
            esc(cid),
            esc(name)
        );
    }
    let _ = write!(s, "</r:{REQUEST}>");
    s
}

/// The answer's business element.
pub fn answer_xml(answer: &str, files: &[(String, String)], id: Option<&str>) -> String {
    let mut s = open(ANSWER, id);
    put(&mut s, "Answer", answer);
    for (cid, name) in files {
        let _ = write!(
            s,
            "<r:File contentId=\"{}\" name=\"{}\"/>",
            esc(cid),
            esc(name)
        );
    }
    let _ = write!(s, "</r:{ANSWER}>");
    s
}

fn text(e: &Element, name: &'static str) -> Result<String, RegionalError> {
    let t = e
        .child(NS, name)
        .map(|c| c.text().trim().to_string())
        .unwrap_or_default();
    if t.chars().count() > MAX_TEXT {
        return Err(RegionalError::TooLong(name));
    }
    Ok(t)
}

fn required(e: &Element, name: &'static str) -> Result<String, RegionalError> {
    let t = text(e, name)?;
    if t.is_empty() {
        return Err(RegionalError::Missing(name));
    }
    Ok(t)
}

fn files(e: &Element) -> Result<Vec<(String, String)>, RegionalError> {
    let out: Vec<(String, String)> = e
        .elements()
        .filter(|c| c.is(NS, "File"))
        .map(|c| {
            (
                c.attr("contentId").unwrap_or("").to_string(),
                c.attr("name").unwrap_or("").to_string(),
            )
        })
        .collect();
    if out.len() > MAX_FILES {
        return Err(RegionalError::TooMany);
    }
    Ok(out)
}

/// Reads `{NS}RegionalRequest`.
pub fn parse_request(e: &Element) -> Result<RegionalMessage, RegionalError> {
    Ok(RegionalMessage {
        sender_name: required(e, "SenderName")?,
        sender_inn: text(e, "SenderINN")?,
        recipient: RegionalBody {
            name: text(e, "RecipientName")?,
            inn: required(e, "RecipientINN")?,
            node: text(e, "RecipientNode")?,
        },
        subject: required(e, "Subject")?,
        comment: text(e, "Comment")?,
        files: files(e)?,
    })
}

/// Reads `{NS}RegionalAnswer`: the answer's text and its files' names.
pub fn parse_answer(e: &Element) -> Result<(String, Vec<(String, String)>), RegionalError> {
    Ok((required(e, "Answer")?, files(e)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_and_an_answer_read_back_as_written() {
        let m = RegionalMessage {
            sender_name: "Администрация <Заречного> сельсовета".into(),
            sender_inn: "2234000011".into(),
            recipient: RegionalBody {
                name: "Администрация района".into(),
                inn: "2234000022".into(),
                node: "rayon-1".into(),
            },
            subject: "Сведения о ЛПХ & земле".into(),
            comment: String::new(),
            files: vec![("file1".into(), "справка.pdf".into())],
        };
        let xml = request_xml(&m, Some("PERSONAL_SIGNED_DATA"));
        let e = crate::xml::parse(&xml).expect("xml");
        assert!(e.is(NS, REQUEST));
        assert_eq!(e.attr("Id"), Some("PERSONAL_SIGNED_DATA"));
        assert_eq!(parse_request(&e), Ok(m));

        let a = crate::xml::parse(&answer_xml("Сведений нет", &[], None)).expect("xml");
        assert_eq!(parse_answer(&a), Ok(("Сведений нет".into(), vec![])));
    }

    #[test]
    fn missing_and_oversized_values_are_refused() {
        let e = crate::xml::parse(&format!(
            "<r:RegionalRequest xmlns:r=\"{NS}\"><r:SenderName>А</r:SenderName>\
             <r:RecipientINN>1</r:RecipientINN></r:RegionalRequest>"
        ))
        .expect("xml");
        assert_eq!(parse_request(&e), Err(RegionalError::Missing("Subject")));
        let long = "я".repeat(MAX_TEXT + 1);
        let a = crate::xml::parse(&answer_xml(&long, &[], None)).expect("xml");
        assert_eq!(parse_answer(&a), Err(RegionalError::TooLong("Answer")));
    }
}
