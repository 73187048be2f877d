//! The mapping from a staff form to a kind's request: the request element written out in
//! the schema's order, with the places that take a value marked. This is the node's own
//! configuration language, not a business format (no published standard maps a form to an
//! XSD-shaped document short of XSLT, a programming language an administrator would have to
//! write); the agency's schema decides what the result must be, and it is validated against
//! it before anything is signed.
//!
//! In text and attribute values, `{SOURCE | CONV | …}` is replaced:
//! - sources: `form.KEY` (a field of the staff form), `gen.guid` (a new GUID each time),
//!   `gen.today` (the node's date, `xs:date`), `gen.now` (the node's time, `xs:dateTime`
//!   with its offset), `body.oktmo`, `body.inn`, `body.ogrn`, `body.kpp`, `body.name`,
//!   `body.registered` (the requesting body; its date of state registration as `xs:date`),
//!   `request.number`;
//! - conversions, in order: `date` («ДД.ММ.ГГГГ» → `xs:date`), `digits` (only the digits:
//!   СНИЛС «123-456-789 01» → `12345678901`), `ru_date` (`xs:date` → «ДД.ММ.ГГГГ», for
//!   what comes in: [`super::intake`]), `upper`, `trim`, `slice(FROM,TO)` (characters
//!   FROM..TO, TO optional), `map(Мужской=Male, Женский=Female)` (a choice to the schema's
//!   enumeration; any other value is refused).
//!
//! `{{` and `}}` stand for literal braces. An element with `v:if="form.KEY"` is kept only when
//! that field is filled (`v:if="!form.KEY"`: only when it is empty); `v:choose` keeps the
//! first of its child elements whose `v:if` holds (one without `v:if` is the default) and
//! stands for it: one-of groups such as ОГРН or ИНН. The `v` prefix is bound to
//! [`NS`]; nothing of it reaches the output.

use crate::envelope::esc;
use crate::xml::{Attr, Element, Node};
use std::collections::BTreeMap;

/// The namespace of the mapping's marks.
pub const NS: &str = "urn://volost/kind-mapping/1";

/// What a mapping draws values from besides the form.
pub struct Context<'a> {
    pub form: &'a BTreeMap<String, String>,
    /// The node's time, at its offset.
    pub now: time::OffsetDateTime,
    pub body: &'a Body,
    /// The request's registration number, where it has one.
    pub number: Option<&'a str>,
    /// Makes a new GUID (tests give fixed ones).
    pub guid: &'a mut dyn FnMut() -> String,
}

/// The requesting body's codes.
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub name: String,
    pub oktmo: String,
    pub inn: String,
    pub ogrn: String,
    pub kpp: String,
    /// The date of state registration, `xs:date`; empty when the node has none.
    pub registered: String,
}

/// Why a form could not be mapped; `field` is the form's key, which the caller turns into
/// the form's own label.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("поле {field} не заполнено, а агентство его требует")]
    Missing { field: String },
    #[error("поле {field}: «{value}» не дата ДД.ММ.ГГГГ")]
    Date { field: String, value: String },
    #[error("поле {field}: значение «{value}» не из списка ({allowed})")]
    NotAChoice {
        field: String,
        value: String,
        allowed: String,
    },
    #[error("в описании отображения: {0}")]
    Template(String),
}

/// A new random GUID, for `gen.guid`.
pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Renders the mapping `template` (the parsed request element with its marks) for `cx`.
pub fn render(template: &Element, cx: &mut Context<'_>) -> Result<String, MappingError> {
    let mut out = match apply(template, cx)? {
        Some(e) => e,
        None => return Err(MappingError::Template("корневой элемент выпал".into())),
    };
    tidy(&mut out);
    let mut decls = BTreeMap::new();
    declarations(&out, &mut decls)?;
    let mut s = String::new();
    write(&out, Some(&decls), &mut s);
    Ok(s)
}

/// The element with its marks applied, or `None` when a `v:if` leaves it out.
fn apply(e: &Element, cx: &mut Context<'_>) -> Result<Option<Element>, MappingError> {
    if e.ns.as_deref() == Some(NS) {
        return Err(MappingError::Template(format!(
            "v:{} может стоять только внутри элемента",
            e.local
        )));
    }
    if let Some(cond) = mark(e, "if")
        && !holds(cond, cx.form)?
    {
        return Ok(None);
    }
    let mut out = Element {
        prefix: e.prefix.clone(),
        ns: e.ns.clone(),
        local: e.local.clone(),
        attrs: Vec::new(),
        children: Vec::new(),
    };
    for a in &e.attrs {
        if a.ns.as_deref() == Some(NS) {
            continue;
        }
        out.attrs.push(Attr {
            value: fill(&a.value, cx)?,
            ..a.clone()
        });
    }
    for c in &e.children {
        match c {
            Node::Element(k) if k.is(NS, "choose") => {
                if let Some(chosen) = choose(k, cx)? {
                    out.children.push(Node::Element(chosen));
                }
            }
            Node::Element(k) => {
                if let Some(k) = apply(k, cx)? {
                    out.children.push(Node::Element(k));
                }
            }
            Node::Text(t) => out.children.push(Node::Text(fill(t, cx)?)),
            Node::Pi(..) => {}
        }
    }
    Ok(Some(out))
}

/// `v:choose`: the first alternative whose condition holds.
fn choose(c: &Element, cx: &mut Context<'_>) -> Result<Option<Element>, MappingError> {
    for alt in c.elements() {
        let holds_here = match mark(alt, "if") {
            Some(cond) => holds(cond, cx.form)?,
            None => true,
        };
        if holds_here {
            return apply(alt, cx);
        }
    }
    Ok(None)
}

fn mark<'e>(e: &'e Element, name: &str) -> Option<&'e str> {
    e.attrs
        .iter()
        .find(|a| a.ns.as_deref() == Some(NS) && a.local == name)
        .map(|a| a.value.as_str())
}

/// `form.KEY` (filled) or `!form.KEY` (empty).
fn holds(cond: &str, form: &BTreeMap<String, String>) -> Result<bool, MappingError> {
    let (negate, src) = match cond.trim().strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, cond.trim()),
    };
    let key = src
        .strip_prefix("form.")
        .ok_or_else(|| MappingError::Template(format!("v:if=\"{cond}\": ожидается form.КЛЮЧ")))?;
    let filled = form.get(key).is_some_and(|v| !v.trim().is_empty());
    Ok(filled != negate)
}

/// Replaces every `{…}` of `text`.
fn fill(text: &str, cx: &mut Context<'_>) -> Result<String, MappingError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("{{") {
            out.push('{');
            rest = t;
        } else if let Some(t) = tail.strip_prefix("}}") {
            out.push('}');
            rest = t;
        } else if let Some(t) = tail.strip_prefix('{') {
            let end = t
                .find('}')
                .ok_or_else(|| MappingError::Template(format!("незакрытая «{{» в «{text}»")))?;
            out.push_str(&eval(&t[..end], cx)?);
            rest = &t[end + 1..];
        } else {
            return Err(MappingError::Template(format!("лишняя «}}» в «{text}»")));
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// One `SOURCE | CONV | …`.
fn eval(expr: &str, cx: &mut Context<'_>) -> Result<String, MappingError> {
    let mut parts = split_pipes(expr).into_iter();
    let source = parts.next().unwrap_or_default();
    let field = source.strip_prefix("form.").map(str::to_string);
    let mut v = match source.as_str() {
        s if s.starts_with("form.") => cx
            .form
            .get(&s["form.".len()..])
            .map(|v| v.trim().to_string())
            .unwrap_or_default(),
        "gen.guid" => (cx.guid)(),
        "gen.today" => iso(cx.now.date()),
        "gen.now" => volost_domain::xml_datetime(cx.now),
        "body.oktmo" => cx.body.oktmo.clone(),
        "body.inn" => cx.body.inn.clone(),
        "body.ogrn" => cx.body.ogrn.clone(),
        "body.kpp" => cx.body.kpp.clone(),
        "body.name" => cx.body.name.clone(),
        "body.registered" => cx.body.registered.clone(),
        "request.number" => cx.number.unwrap_or_default().to_string(),
        other => {
            return Err(MappingError::Template(format!(
                "неизвестный источник «{other}»"
            )));
        }
    };
    let name = field.clone().unwrap_or_else(|| source.clone());
    if v.is_empty() {
        return Err(MappingError::Missing { field: name });
    }
    for conv in parts {
        v = convert(&conv, v, &name)?;
    }
    Ok(v)
}

/// Splits at `|` outside parentheses, each part trimmed.
pub(super) fn split_pipes(expr: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0usize;
    for c in expr.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '|' if depth == 0 => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(super) fn convert(conv: &str, v: String, field: &str) -> Result<String, MappingError> {
    let (name, args) = match conv.split_once('(') {
        Some((n, a)) => (
            n.trim(),
            Some(a.strip_suffix(')').ok_or_else(|| {
                MappingError::Template(format!("«{conv}»: нет закрывающей скобки"))
            })?),
        ),
        None => (conv.trim(), None),
    };
    match (name, args) {
        // «ДД.ММ.ГГГГ» as staff type it, or a date already in `xs:date`'s form.
        ("date", None) => volost_domain::parse_date(&v)
            .map(iso)
            .ok_or(MappingError::Date {
                field: field.to_string(),
                value: v,
            }),
        // The other way: a date of the agency's document as staff read it.
        ("ru_date", None) => volost_domain::parse_date(&v)
            .map(volost_domain::display_date)
            .ok_or(MappingError::Date {
                field: field.to_string(),
                value: v,
            }),
        ("digits", None) => Ok(v.chars().filter(char::is_ascii_digit).collect()),
        ("upper", None) => Ok(v.to_uppercase()),
        ("trim", None) => Ok(v.trim().to_string()),
        ("slice", Some(a)) => {
            let (from, to) = match a.split_once(',') {
                Some((f, t)) => (f.trim(), Some(t.trim())),
                None => (a.trim(), None),
            };
            let num = |s: &str| {
                s.parse::<usize>()
                    .map_err(|_| MappingError::Template(format!("«{conv}»: не число «{s}»")))
            };
            let from = num(from)?;
            let to = to.map(num).transpose()?;
            let chars: Vec<char> = v.chars().collect();
            let to = to.unwrap_or(chars.len()).min(chars.len());
            Ok(chars
                .get(from.min(to)..to)
                .unwrap_or_default()
                .iter()
                .collect())
        }
        ("map", Some(a)) => {
            let pairs: Vec<(&str, &str)> = a
                .split(',')
                .filter_map(|p| p.split_once('='))
                .map(|(k, x)| (k.trim(), x.trim()))
                .collect();
            pairs
                .iter()
                .find(|(k, _)| *k == v)
                .map(|(_, x)| x.to_string())
                .ok_or_else(|| MappingError::NotAChoice {
                    field: field.to_string(),
                    value: v.clone(),
                    allowed: pairs.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
                })
        }
        _ => Err(MappingError::Template(format!(
            "неизвестное преобразование «{conv}»"
        ))),
    }
}

/// Drops the template's indentation: whitespace between elements.
fn tidy(e: &mut Element) {
    if e.elements().next().is_some() {
        e.children
            .retain(|c| !matches!(c, Node::Text(t) if t.trim().is_empty()));
    }
    for c in &mut e.children {
        if let Node::Element(k) = c {
            tidy(k);
        }
    }
}

/// Every prefix the output uses, with its namespace; one prefix must not name two.
fn declarations(e: &Element, out: &mut BTreeMap<String, String>) -> Result<(), MappingError> {
    let mut bind = |prefix: &Option<String>, ns: &Option<String>| -> Result<(), MappingError> {
        if let (Some(p), Some(n)) = (prefix, ns) {
            match out.get(p) {
                Some(old) if old != n => {
                    return Err(MappingError::Template(format!(
                        "префикс {p} назван для двух пространств имён"
                    )));
                }
                _ => {
                    out.insert(p.clone(), n.clone());
                }
            }
        }
        Ok(())
    };
    bind(&e.prefix, &e.ns)?;
    for a in &e.attrs {
        bind(&a.prefix, &a.ns)?;
    }
    if e.prefix.is_none() && e.ns.is_some() {
        return Err(MappingError::Template(format!(
            "элемент {} без префикса: в отображении у каждого элемента ВС свой префикс",
            e.local
        )));
    }
    for k in e.elements() {
        declarations(k, out)?;
    }
    Ok(())
}

fn qname(prefix: &Option<String>, local: &str) -> String {
    match prefix {
        Some(p) => format!("{p}:{local}"),
        None => local.to_string(),
    }
}

fn write(e: &Element, decls: Option<&BTreeMap<String, String>>, s: &mut String) {
    let name = qname(&e.prefix, &e.local);
    s.push('<');
    s.push_str(&name);
    for (p, ns) in decls.into_iter().flatten() {
        s.push_str(&format!(" xmlns:{p}=\"{}\"", esc(ns)));
    }
    for a in &e.attrs {
        s.push_str(&format!(
            " {}=\"{}\"",
            qname(&a.prefix, &a.local),
            esc(&a.value)
        ));
    }
    if e.children.is_empty() {
        s.push_str("/>");
        return;
    }
    s.push('>');
    for c in &e.children {
        match c {
            Node::Element(k) => write(k, None, s),
            Node::Text(t) => s.push_str(&esc(t)),
            Node::Pi(..) => {}
        }
    }
    s.push_str(&format!("</{name}>"));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::xml::parse;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn run(template: &str, f: &BTreeMap<String, String>) -> Result<String, MappingError> {
        let body = Body {
            name: "Администрация".into(),
            oktmo: "01612420".into(),
            ..Body::default()
        };
        let mut n = 0;
        let mut guid = || {
            n += 1;
            format!("00000000-0000-0000-0000-00000000000{n}")
        };
        let mut cx = Context {
            form: f,
            now: time::macros::datetime!(2026-12-07 10:30 +7),
            body: &body,
            number: Some("2026-000001"),
            guid: &mut guid,
        };
        render(&parse(template).unwrap(), &mut cx)
    }

    const T: &str = r#"<r:Req xmlns:r="urn:r" xmlns:c="urn:c" xmlns:v="urn://volost/kind-mapping/1" Id="{gen.guid}" Дата="{gen.today}">
      <c:Name>{form.name | upper}</c:Name>
      <c:Patronymic v:if="form.patronymic">{form.patronymic}</c:Patronymic>
      <r:Born>{form.born | date}</r:Born>
      <r:Snils>{form.snils | digits}</r:Snils>
      <r:Sex>{form.sex | map(Мужской=Male, Женский=Female)}</r:Sex>
      <v:choose>
        <r:Ogrn v:if="form.ogrn">{form.ogrn}</r:Ogrn>
        <r:Inn v:if="form.inn">{form.inn}</r:Inn>
        <r:Oktmo>{body.oktmo}</r:Oktmo>
      </v:choose>
      <r:Series>{form.passport | digits | slice(0,4)}</r:Series>
      <r:Note>{{№}} {request.number}</r:Note>
    </r:Req>"#;

    #[test]
    fn a_form_is_mapped_with_its_conversions_conditions_and_choices() {
        let f = form(&[
            ("name", "Петрова"),
            ("born", "01.05.1980"),
            ("snils", "123-456-789 01"),
            ("sex", "Женский"),
            ("inn", "2201001234"),
            ("passport", "01 04 123456"),
        ]);
        assert_eq!(
            run(T, &f).unwrap(),
            "<r:Req xmlns:c=\"urn:c\" xmlns:r=\"urn:r\" \
             Id=\"00000000-0000-0000-0000-000000000001\" Дата=\"2026-12-07\">\
             <c:Name>ПЕТРОВА</c:Name><r:Born>1980-05-01</r:Born><r:Snils>12345678901</r:Snils>\
             <r:Sex>Female</r:Sex><r:Inn>2201001234</r:Inn><r:Series>0104</r:Series>\
             <r:Note>{№} 2026-000001</r:Note></r:Req>"
        );
        // The patronymic is there when typed; with neither ОГРН nor ИНН the default stands.
        let mut g = f.clone();
        g.insert("patronymic".into(), "Сергеевна".into());
        g.remove("inn");
        let out = run(T, &g).unwrap();
        assert!(
            out.contains("<c:Patronymic>Сергеевна</c:Patronymic>"),
            "{out}"
        );
        assert!(out.contains("<r:Oktmo>01612420</r:Oktmo>"), "{out}");
    }

    #[test]
    fn what_the_agency_needs_and_the_form_lacks_is_refused_by_field() {
        let f = form(&[
            ("name", "Петрова"),
            ("born", "31.02.1980"),
            ("snils", "1"),
            ("sex", "Женский"),
            ("passport", "0104"),
        ]);
        assert_eq!(
            run(T, &f),
            Err(MappingError::Date {
                field: "born".into(),
                value: "31.02.1980".into()
            })
        );
        let mut g = f.clone();
        g.insert("born".into(), "01.05.1980".into());
        g.insert("sex".into(), "Ж".into());
        assert!(matches!(
            run(T, &g),
            Err(MappingError::NotAChoice { field, .. }) if field == "sex"
        ));
        g.remove("name");
        assert_eq!(
            run(T, &g),
            Err(MappingError::Missing {
                field: "name".into()
            })
        );
    }

    #[test]
    fn a_broken_template_is_said_so() {
        let f = form(&[("a", "1")]);
        for t in [
            r#"<r:R xmlns:r="urn:r">{form.a</r:R>"#,
            r#"<r:R xmlns:r="urn:r">{nope.a}</r:R>"#,
            r#"<r:R xmlns:r="urn:r">{form.a | rot13}</r:R>"#,
            r#"<r:R xmlns:r="urn:r" xmlns:v="urn://volost/kind-mapping/1"><r:X v:if="a"/></r:R>"#,
            r#"<R xmlns="urn:r">{form.a}</R>"#,
        ] {
            assert!(matches!(run(t, &f), Err(MappingError::Template(_))), "{t}");
        }
    }
}
