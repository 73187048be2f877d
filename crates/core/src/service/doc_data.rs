//! What a printed document says, as its template reads it (`data.json`): one struct per
//! kind, made from the rows of an application, and a sample of each that a template is
//! checked with before it is kept (`doc_templates.rs`). The field names are the templates'
//! contract: the starter templates and any an administrator wrote read them.

use super::{Error, R, Result};
use serde::Serialize;
use serde_json::Value;
use volost_domain::*;
use volost_store::Read;

#[derive(Serialize)]
struct Body {
    name: String,
    oktmo: String,
    ogrn: String,
    inn: String,
}

#[derive(Serialize)]
struct Person {
    name: String,
    organisation: bool,
    passport: Option<String>,
    address: String,
    phone: Option<String>,
}

#[derive(Serialize)]
struct ServiceData {
    code: String,
    name: String,
    deadline_days: u32,
}

#[derive(Serialize)]
struct Staff {
    name: String,
    short: String,
}

/// «Расписка в получении документов».
#[derive(Serialize)]
struct Receipt {
    org: Body,
    number: String,
    /// The day of registration, `ДД.ММ.ГГГГ`.
    registered: String,
    source: &'static str,
    applicant: Person,
    service: ServiceData,
    /// The inventory: `name`, `original`, `copies`, `sheets` each.
    documents: Vec<Received>,
    count: usize,
    sheets: u32,
    due: Option<String>,
    /// As printed: `1234 5678 9012`.
    access_code: String,
    accepted_by: Option<Staff>,
}

fn value(data: &impl Serialize) -> Result<Value> {
    serde_json::to_value(data).map_err(|e| Error::Internal(format!("document data: {e}")))
}

/// The receipt of a registered application with an inventory: what the desk gives when it
/// accepts documents.
pub(crate) fn receipt(r: &R, app: &Application) -> Result<Value> {
    let refuse = |m: &str| Err(Error::Conflict(m.into()));
    if app.status == Status::Draft {
        return refuse("Расписка выдаётся после регистрации заявления");
    }
    if app.inventory.is_empty() {
        return refuse(
            "Опись принятых документов пуста: заполните её на карточке заявки (вкладка «Опись»)",
        );
    }
    let org: Org = r.load(app.org.0)?;
    let applicant: Applicant = r.load(app.applicant.0)?;
    let service: Service = r.load(app.service.0)?;
    let accepted = match app.created_by {
        Some(u) => r.rx.get::<User>(u.0)?,
        None => None,
    };
    let (count, sheets) = super::documents::totals(&app.inventory);
    value(&Receipt {
        org: body(org),
        number: app.number.clone(),
        registered: display_date(app.registered.unwrap_or(app.created).date(r.offset)),
        source: app.source.label(),
        applicant: Person {
            name: applicant.name,
            organisation: applicant.kind == ApplicantKind::Organisation,
            passport: applicant.passport,
            address: applicant.address,
            phone: applicant.phone,
        },
        service: ServiceData {
            code: service.code,
            name: service.name,
            deadline_days: service.deadline_days,
        },
        documents: app.inventory.clone(),
        count,
        sheets,
        due: app.due.map(display_date),
        access_code: display_access_code(&app.access_code),
        accepted_by: accepted.map(|u| Staff {
            short: u.short_name(),
            name: u.full_name,
        }),
    })
}

/// One application in the registration journal.
#[derive(Serialize)]
pub(crate) struct JournalRow {
    pub number: String,
    /// The day it came in, `ДД.ММ.ГГГГ`.
    pub received: String,
    pub applicant: String,
    pub service: String,
    pub source: &'static str,
    pub due: Option<String>,
    pub status: &'static str,
}

/// «Журнал регистрации заявлений» of a period.
#[derive(Serialize)]
struct Journal {
    org: Body,
    from: String,
    to: String,
    rows: Vec<JournalRow>,
    count: usize,
}

pub(crate) fn journal(
    org: Org,
    (from, to): (time::Date, time::Date),
    rows: Vec<JournalRow>,
) -> Result<Value> {
    value(&Journal {
        org: body(org),
        from: display_date(from),
        to: display_date(to),
        count: rows.len(),
        rows,
    })
}

fn body(org: Org) -> Body {
    Body {
        name: org.name,
        oktmo: org.oktmo,
        ogrn: org.ogrn,
        inn: org.inn,
    }
}

/// A document of `kind` with made-up but complete data: every field a template may read is
/// there (the optional ones filled), so a template that renders it renders any application.
pub(crate) fn sample(kind: DocumentKind) -> Result<Value> {
    match kind {
        DocumentKind::Journal => value(&Journal {
            org: sample_body(),
            from: "01.12.2026".into(),
            to: "31.12.2026".into(),
            rows: vec![
                JournalRow {
                    number: "2026-000001".into(),
                    received: "01.12.2026".into(),
                    applicant: "Образцова Мария Сергеевна".into(),
                    service: "Выдача выписки из похозяйственной книги".into(),
                    source: Source::Manual.label(),
                    due: Some("08.12.2026".into()),
                    status: Status::Registered.label(),
                },
                JournalRow {
                    number: "2026-000002".into(),
                    received: "02.12.2026".into(),
                    applicant: "Образцов Пётр Ильич".into(),
                    service: "Присвоение адреса объекту адресации".into(),
                    source: Source::Epgu.label(),
                    due: None,
                    status: Status::Closed.label(),
                },
            ],
            count: 2,
        }),
        DocumentKind::Receipt => value(&Receipt {
            org: sample_body(),
            number: "2026-000001".into(),
            registered: "01.12.2026".into(),
            source: Source::Manual.label(),
            applicant: Person {
                name: "Образцова Мария Сергеевна".into(),
                organisation: false,
                passport: Some("0100 000000".into()),
                address: "с. Образцовое, ул. Центральная, д. 1".into(),
                phone: Some("+7 900 000-00-00".into()),
            },
            service: ServiceData {
                code: "0000000000000000001".into(),
                name: "Выдача выписки из похозяйственной книги".into(),
                deadline_days: 5,
            },
            documents: vec![
                Received {
                    name: "Заявление".into(),
                    original: true,
                    copies: 1,
                    sheets: 1,
                },
                Received {
                    name: "Документ, удостоверяющий личность заявителя".into(),
                    original: false,
                    copies: 1,
                    sheets: 2,
                },
            ],
            count: 2,
            sheets: 3,
            due: Some("08.12.2026".into()),
            access_code: "0000 0000 0000".into(),
            accepted_by: Some(Staff {
                name: "Образцова Анна Ивановна".into(),
                short: "Образцова А. И.".into(),
            }),
        }),
    }
}

fn sample_body() -> Body {
    Body {
        name: "Администрация Образцового сельсовета".into(),
        oktmo: "01601402".into(),
        ogrn: "1022200000000".into(),
        inn: "2201000000".into(),
    }
}
