//! Applications from the portals (ЕПГУ, РПГУ) as business XML, and what goes back to them.
//!
//! The real portals send each service in a schema of its own. This node, whose services are
//! configuration, takes one schema for all of them: the service is named by its registry
//! code, the applicant by the usual attributes, and each form value by its field's key, so a
//! new service needs no new schema. Files come as attachments, each named by the `File`
//! element that points at it. Status changes go back as `RequestStatus` with the codes of
//! [`status_code`]; the result of a decision as an `ApplicationResult` element with the
//! decision's files attached.
//!
//! ```xml
//! <p:Application xmlns:p="urn://volost/portal/application/1.0">
//!   <p:Portal>EPGU</p:Portal> <p:OrderId>1234567890</p:OrderId>
//!   <p:ServiceCode>2200000000161234567</p:ServiceCode> <p:Oktmo>01601402</p:Oktmo>
//!   <p:Applicant><p:Name>…</p:Name><p:Snils>…</p:Snils>…</p:Applicant>
//!   <p:Field key="purpose">…</p:Field>
//!   <p:File key="plan" contentId="file1" name="план.pdf"/>
//! </p:Application>
//! ```

use super::envelope::esc;
use super::xml::Element;
use std::collections::BTreeMap;
use std::fmt::Write;
use volost_domain::{ApplicantInput, ApplicantKind, Source, Status};

/// The namespace of the portal schema.
pub const NS: &str = "urn://volost/portal/application/1.0";
/// The root of an application.
pub const APPLICATION: &str = "Application";
/// The root of a decision's result sent back.
pub const RESULT: &str = "ApplicationResult";

/// Bounds that keep one message from filling the database.
const MAX_FIELDS: usize = 200;
const MAX_FILES: usize = 50;
const MAX_TEXT: usize = 4000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PortalError {
    #[error("не указано: {0}")]
    Missing(&'static str),
    #[error("неизвестный портал «{0}» (ожидается EPGU или RPGU)")]
    Portal(String),
    #[error("неизвестный вид заявителя «{0}»")]
    Kind(String),
    #[error("поле «{0}» указано дважды")]
    Repeated(String),
    #[error("слишком много полей или файлов")]
    TooMany,
    #[error("значение длиннее {MAX_TEXT} знаков: {0}")]
    TooLong(String),
}

pub use volost_domain::received::{PortalApplication, PortalFile};

fn text(e: &Element, name: &str) -> Result<String, PortalError> {
    let t = e
        .child(NS, name)
        .map(|c| c.text().trim().to_string())
        .unwrap_or_default();
    if t.chars().count() > MAX_TEXT {
        return Err(PortalError::TooLong(name.into()));
    }
    Ok(t)
}

fn required(e: &Element, name: &'static str) -> Result<String, PortalError> {
    let t = text(e, name)?;
    if t.is_empty() {
        return Err(PortalError::Missing(name));
    }
    Ok(t)
}

/// Reads `{NS}Application`. What the values mean is checked later against the service's
/// form, like any form.
pub fn parse(e: &Element) -> Result<PortalApplication, PortalError> {
    let portal = match required(e, "Portal")?.as_str() {
        "EPGU" | "ЕПГУ" => Source::Epgu,
        "RPGU" | "РПГУ" => Source::Rpgu,
        other => return Err(PortalError::Portal(other.into())),
    };
    let a = e
        .child(NS, "Applicant")
        .ok_or(PortalError::Missing("Applicant"))?;
    let kind = match text(a, "Kind")?.as_str() {
        "" | "person" => ApplicantKind::Person,
        "entrepreneur" => ApplicantKind::Entrepreneur,
        "organisation" | "organization" => ApplicantKind::Organisation,
        other => return Err(PortalError::Kind(other.into())),
    };
    let applicant = ApplicantInput {
        kind: Some(kind),
        name: required(a, "Name")?,
        snils: text(a, "Snils")?,
        inn: text(a, "Inn")?,
        ogrn: text(a, "Ogrn")?,
        passport: text(a, "Passport")?,
        birth_date: text(a, "BirthDate")?,
        address: text(a, "Address")?,
        phone: text(a, "Phone")?,
    };
    let mut fields = BTreeMap::new();
    let mut files = Vec::new();
    for c in e.elements().filter(|c| c.ns.as_deref() == Some(NS)) {
        match c.local.as_str() {
            "Field" => {
                let key = c.attr("key").ok_or(PortalError::Missing("Field/@key"))?;
                let v = c.text().trim().to_string();
                if v.chars().count() > MAX_TEXT {
                    return Err(PortalError::TooLong(key.into()));
                }
                if fields.insert(key.to_string(), v).is_some() {
                    return Err(PortalError::Repeated(key.into()));
                }
            }
            "File" => files.push(PortalFile {
                key: c.attr("key").unwrap_or("").to_string(),
                content_id: c
                    .attr("contentId")
                    .ok_or(PortalError::Missing("File/@contentId"))?
                    .to_string(),
                name: c.attr("name").unwrap_or("").trim().to_string(),
            }),
            _ => {}
        }
        if fields.len() > MAX_FIELDS || files.len() > MAX_FILES {
            return Err(PortalError::TooMany);
        }
    }
    Ok(PortalApplication {
        portal,
        order_id: required(e, "OrderId")?,
        service_code: required(e, "ServiceCode")?,
        oktmo: text(e, "Oktmo")?,
        applicant,
        fields,
        files,
    })
}

/// The application as XML: what the simulator, playing the portal, sends.
pub fn to_xml(a: &PortalApplication) -> String {
    let mut s = format!("<p:{APPLICATION} xmlns:p=\"{NS}\">");
    let portal = if a.portal == Source::Rpgu {
        "RPGU"
    } else {
        "EPGU"
    };
    let _ = write!(
        s,
        "<p:Portal>{portal}</p:Portal><p:OrderId>{}</p:OrderId><p:ServiceCode>{}</p:ServiceCode>",
        esc(&a.order_id),
        esc(&a.service_code)
    );
    if !a.oktmo.is_empty() {
        let _ = write!(s, "<p:Oktmo>{}</p:Oktmo>", esc(&a.oktmo));
    }
    let p = &a.applicant;
    let kind = match p.kind {
        Some(ApplicantKind::Entrepreneur) => "entrepreneur",
        Some(ApplicantKind::Organisation) => "organisation",
        _ => "person",
    };
    let _ = write!(s, "<p:Applicant><p:Kind>{kind}</p:Kind>");
    for (name, v) in [
        ("Name", &p.name),
        ("Snils", &p.snils),
        ("Inn", &p.inn),
        ("Ogrn", &p.ogrn),
        ("Passport", &p.passport),
        ("BirthDate", &p.birth_date),
        ("Address", &p.address),
        ("Phone", &p.phone),
    ] {
        if !v.is_empty() {
            let _ = write!(s, "<p:{name}>{}</p:{name}>", esc(v));
        }
    }
    s.push_str("</p:Applicant>");
    for (k, v) in &a.fields {
        let _ = write!(s, "<p:Field key=\"{}\">{}</p:Field>", esc(k), esc(v));
    }
    for f in &a.files {
        let _ = write!(
            s,
            "<p:File key=\"{}\" contentId=\"{}\" name=\"{}\"/>",
            esc(&f.key),
            esc(&f.content_id),
            esc(&f.name)
        );
    }
    let _ = write!(s, "</p:{APPLICATION}>");
    s
}

/// The code a status is reported to the portal under (`RequestStatus/StatusCode`).
pub fn status_code(s: Status) -> i64 {
    match s {
        Status::Draft => 1,
        Status::Registered => 2,
        Status::Deciding => 3,
        Status::ApprovingPositive => 4,
        Status::ApprovingRefusal => 5,
        Status::ApprovedPositive => 6,
        Status::ApprovedRefusal => 7,
        Status::Closed => 8,
    }
}

/// The result of a decision for the applicant's personal account: the status, the message
/// and the files (attachments named by `files`' content ids).
pub fn result_xml(
    order_id: &str,
    number: &str,
    status: Status,
    message: &str,
    files: &[(String, String)],
) -> String {
    let mut s = format!(
        "<p:{RESULT} xmlns:p=\"{NS}\"><p:OrderId>{}</p:OrderId><p:Number>{}</p:Number>\
         <p:Status code=\"{}\">{}</p:Status>",
        esc(order_id),
        esc(number),
        status_code(status),
        esc(status.label())
    );
    if !message.is_empty() {
        let _ = write!(s, "<p:Message>{}</p:Message>", esc(message));
    }
    for (cid, name) in files {
        let _ = write!(
            s,
            "<p:File contentId=\"{}\" name=\"{}\"/>",
            esc(cid),
            esc(name)
        );
    }
    let _ = write!(s, "</p:{RESULT}>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml;

    fn sample() -> PortalApplication {
        PortalApplication {
            portal: Source::Epgu,
            order_id: "1234567890".into(),
            service_code: "2200000000161234567".into(),
            oktmo: "01601402".into(),
            applicant: ApplicantInput {
                kind: Some(ApplicantKind::Person),
                name: "Петрова Анна <Сергеевна>".into(),
                snils: "112-233-445 95".into(),
                birth_date: "1980-05-01".into(),
                ..ApplicantInput::default()
            },
            fields: [("purpose".to_string(), "для & банка".to_string())].into(),
            files: vec![PortalFile {
                key: "plan".into(),
                content_id: "file1".into(),
                name: "план \"участка\".pdf".into(),
            }],
        }
    }

    #[test]
    fn an_application_goes_to_xml_and_back() {
        let a = sample();
        let e = xml::parse(&to_xml(&a)).expect("well-formed");
        assert!(e.is(NS, APPLICATION));
        assert_eq!(parse(&e), Ok(a));
    }

    #[test]
    fn a_bad_application_says_what_is_wrong() {
        let mut a = sample();
        a.applicant.name.clear();
        let e = xml::parse(&to_xml(&a)).expect("xml");
        assert_eq!(parse(&e), Err(PortalError::Missing("Name")));
        let twice = format!(
            "<p:Application xmlns:p=\"{NS}\"><p:Portal>EPGU</p:Portal><p:OrderId>1</p:OrderId>\
             <p:ServiceCode>x</p:ServiceCode><p:Applicant><p:Name>А</p:Name></p:Applicant>\
             <p:Field key=\"a\">1</p:Field><p:Field key=\"a\">2</p:Field></p:Application>"
        );
        let e = xml::parse(&twice).expect("xml");
        assert_eq!(parse(&e), Err(PortalError::Repeated("a".into())));
        let other = twice.replace("EPGU", "MFC");
        let e = xml::parse(&other).expect("xml");
        assert_eq!(parse(&e), Err(PortalError::Portal("MFC".into())));
    }

    #[test]
    fn every_status_has_its_own_code() {
        let codes: std::collections::BTreeSet<i64> =
            Status::ALL.iter().map(|s| status_code(*s)).collect();
        assert_eq!(codes.len(), Status::ALL.len());
        let r = result_xml("1", "2026-000001", Status::ApprovedPositive, "Готово", &[]);
        let e = xml::parse(&r).expect("xml");
        assert!(e.is(NS, RESULT));
    }
}
