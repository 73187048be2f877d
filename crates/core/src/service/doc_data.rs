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
    /// Postal address, phone and e-mail, one line; empty until an administrator gives them.
    contacts: String,
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
    /// The act that approved the service's administrative regulation, as the registry cites it.
    regulation: String,
}

fn service_data(s: Service) -> ServiceData {
    ServiceData {
        code: s.code,
        name: s.name,
        deadline_days: s.deadline_days,
        regulation: s.regulation,
    }
}

fn person(a: Applicant) -> Person {
    Person {
        organisation: a.kind == ApplicantKind::Organisation,
        name: a.name,
        passport: a.passport,
        address: a.address,
        phone: a.phone,
    }
}

fn staff(u: User) -> Staff {
    Staff {
        short: u.short_name(),
        name: u.full_name,
    }
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

/// The staff member `id` names, when it names one still on file: who accepted, refused or
/// prepared a document.
pub(crate) fn user(r: &R, id: Option<UserId>) -> Result<Option<User>> {
    match id {
        Some(u) => Ok(r.rx.get::<User>(u.0)?),
        None => Ok(None),
    }
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
    let accepted = user(r, app.created_by)?;
    let (count, sheets) = super::documents::totals(&app.inventory);
    value(&Receipt {
        org: body(org),
        number: app.number.clone(),
        registered: display_date(app.registered.unwrap_or(app.created).date(r.offset)),
        source: app.source.label(),
        applicant: person(applicant),
        service: service_data(service),
        documents: app.inventory.clone(),
        count,
        sheets,
        due: app.due.map(display_date),
        access_code: display_access_code(&app.access_code),
        accepted_by: accepted.map(staff),
    })
}

/// «Уведомление об отказе в приёме документов».
#[derive(Serialize)]
struct Refusal {
    org: Body,
    number: String,
    /// The day of the refusal, `ДД.ММ.ГГГГ`.
    day: String,
    applicant: Person,
    service: ServiceData,
    /// What was brought, as the inventory lists it (may be empty).
    documents: Vec<Received>,
    /// The grounds, as the desk typed them (lines kept).
    reasons: String,
    refused_by: Option<Staff>,
}

/// The refusal to accept the documents of draft `app`, on `day`, for `reasons`.
pub(crate) fn refusal(
    r: &R,
    app: &Application,
    day: time::Date,
    reasons: &str,
    by: Option<User>,
) -> Result<Value> {
    let org: Org = r.load(app.org.0)?;
    let applicant: Applicant = r.load(app.applicant.0)?;
    let service: Service = r.load(app.service.0)?;
    value(&Refusal {
        org: body(org),
        number: app.number.clone(),
        day: display_date(day),
        applicant: person(applicant),
        service: service_data(service),
        documents: app.inventory.clone(),
        reasons: reasons.to_string(),
        refused_by: by.map(staff),
    })
}

/// A line of a paper request: a field of the kind's form and what the request holds in it.
#[derive(Serialize)]
struct Line {
    label: String,
    value: String,
}

/// Who prepared a document, as a paper request names them (210-ФЗ ст. 7.2 ч. 1 п. 8).
#[derive(Serialize)]
struct Preparer {
    name: String,
    short: String,
    position: String,
    phone: String,
}

/// «Межведомственный запрос» on paper.
#[derive(Serialize)]
struct PaperRequest {
    org: Body,
    /// The body the request goes to: the kind's agency.
    agency: String,
    /// The kind of information asked for.
    kind: String,
    number: String,
    /// The day it is printed, `ДД.ММ.ГГГГ`.
    day: String,
    /// The number of the application it serves, if any.
    application: Option<String>,
    service: Option<ServiceData>,
    fields: Vec<Line>,
    prepared_by: Option<Preparer>,
}

/// The paper form of outgoing request `req` of kind `kind`, printed on `day` by `by`.
pub(crate) fn paper_request(
    r: &R,
    req: &OutgoingRequest,
    kind: &RequestKind,
    day: time::Date,
    by: Option<User>,
) -> Result<Value> {
    let org: Org = r.load(req.org.0)?;
    let (application, service) = match req.application {
        Some(a) => {
            let app: Application = r.load(a.0)?;
            let service: Service = r.load(app.service.0)?;
            (Some(app.number), Some(service_data(service)))
        }
        None => (None, None),
    };
    let mut fields = Vec::new();
    for f in &kind.fields {
        let Some(v) = req.data.get(&f.key).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        // A file field holds the file's id: the paper names the file, enclosed with it.
        let value = if f.ftype == FieldType::File {
            match v.parse::<u64>().ok().map(|id| r.rx.get::<Attachment>(id)) {
                Some(Ok(Some(a))) => format!("прилагается: {}", a.name),
                _ => continue,
            }
        } else {
            v.clone()
        };
        fields.push(Line {
            label: f.label.clone(),
            value,
        });
    }
    value(&PaperRequest {
        org: body(org),
        agency: kind.agency.clone(),
        kind: kind.name.clone(),
        number: req.number.clone(),
        day: display_date(day),
        application,
        service,
        fields,
        prepared_by: by.map(preparer),
    })
}

/// The result a document is of: its place in the service's list and its name there.
#[derive(Serialize)]
struct ResultName {
    number: usize,
    name: String,
}

/// The decision as a result document cites it.
#[derive(Serialize)]
struct Outcome {
    /// `approve` or `refuse`.
    verdict: &'static str,
    /// «Положительное решение» or «Отказ».
    label: &'static str,
    reason: String,
    by: Option<Staff>,
    /// The day it was taken, `ДД.ММ.ГГГГ`.
    day: String,
}

/// The federal act that set a document's form, for the blank that stands until the body put
/// the form in.
#[derive(Serialize)]
struct Form {
    title: &'static str,
    act: &'static str,
}

/// «Документ о результате предоставления услуги», and the federal forms' documents (the same
/// data: the form's template reads what it needs).
#[derive(Serialize)]
struct ResultDoc {
    org: Body,
    number: String,
    /// The day of registration, `ДД.ММ.ГГГГ`.
    registered: String,
    /// The day it is printed.
    day: String,
    applicant: Person,
    service: ServiceData,
    result: ResultName,
    /// What the executor typed: the document's own text (lines kept).
    text: String,
    decision: Option<Outcome>,
    prepared_by: Option<Preparer>,
    form: Option<Form>,
}

/// What a result document of `app` needs besides the rows: its kind, which of the
/// service's results it is (1-based) and its name, the text, the day and who prints it.
pub(crate) struct ResultOf<'a> {
    pub kind: DocumentKind,
    pub number: usize,
    pub name: &'a str,
    pub text: &'a str,
    pub day: time::Date,
    pub by: Option<User>,
}

/// A result document of application `app` (of service `service`).
pub(crate) fn result(
    r: &R,
    app: &Application,
    service: Service,
    of: ResultOf<'_>,
) -> Result<Value> {
    let org: Org = r.load(app.org.0)?;
    let applicant: Applicant = r.load(app.applicant.0)?;
    let decision = match &app.decision {
        Some(d) => Some(Outcome {
            verdict: match d.verdict {
                Verdict::Approve => "approve",
                Verdict::Refuse => "refuse",
            },
            label: verdict_label(d.verdict),
            reason: d.reason.clone(),
            by: r.rx.get::<User>(d.by.0)?.map(staff),
            day: display_date(d.at.date(r.offset)),
        }),
        None => None,
    };
    value(&ResultDoc {
        org: body(org),
        number: app.number.clone(),
        registered: display_date(app.registered.unwrap_or(app.created).date(r.offset)),
        day: display_date(of.day),
        applicant: person(applicant),
        service: service_data(service),
        result: ResultName {
            number: of.number,
            name: of.name.to_string(),
        },
        text: of.text.to_string(),
        decision,
        prepared_by: of.by.map(preparer),
        form: form(of.kind),
    })
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Approve => "Положительное решение",
        Verdict::Refuse => "Отказ",
    }
}

fn form(kind: DocumentKind) -> Option<Form> {
    kind.federal_form().map(|act| Form {
        title: kind.title(),
        act,
    })
}

fn preparer(u: User) -> Preparer {
    Preparer {
        short: u.short_name(),
        name: u.full_name,
        position: u.position,
        phone: u.phone,
    }
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
        contacts: org.contacts,
    }
}

/// A document of `kind` with made-up but complete data: every field a template may read is
/// there (the optional ones filled), so a template that renders it renders any application.
pub(crate) fn sample(kind: DocumentKind) -> Result<Value> {
    match kind {
        DocumentKind::Result
        | DocumentKind::AddressRefusal
        | DocumentKind::HouseholdLand
        | DocumentKind::Redevelopment
        | DocumentKind::HousingCommission => value(&ResultDoc {
            org: sample_body(),
            number: "2026-000001".into(),
            registered: "01.12.2026".into(),
            day: "05.12.2026".into(),
            applicant: sample_person(),
            service: sample_service(),
            result: ResultName {
                number: 1,
                name: "Выписка из похозяйственной книги".into(),
            },
            text: "Образцова Мария Сергеевна зарегистрирована по адресу: с. Образцовое, \
                   ул. Центральная, д. 1.\nВыписка выдана для представления по месту требования."
                .into(),
            decision: Some(Outcome {
                verdict: "approve",
                label: verdict_label(Verdict::Approve),
                reason: "Сведения подтверждены записями похозяйственной книги".into(),
                by: Some(sample_staff()),
                day: "04.12.2026".into(),
            }),
            prepared_by: Some(sample_preparer()),
            form: form(kind),
        }),
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
        DocumentKind::Refusal => value(&Refusal {
            org: sample_body(),
            number: "2026-000001".into(),
            day: "01.12.2026".into(),
            applicant: sample_person(),
            service: sample_service(),
            documents: vec![Received {
                name: "Заявление".into(),
                original: true,
                copies: 1,
                sheets: 1,
            }],
            reasons: "Документ, удостоверяющий личность, не представлен.\nЗаявление не подписано заявителем."
                .into(),
            refused_by: Some(sample_staff()),
        }),
        DocumentKind::Request => value(&PaperRequest {
            org: sample_body(),
            agency: "Отделение Фонда пенсионного и социального страхования".into(),
            kind: "Сведения о страховом номере индивидуального лицевого счёта".into(),
            number: "МВ-2026-000001".into(),
            day: "01.12.2026".into(),
            application: Some("2026-000001".into()),
            service: Some(sample_service()),
            fields: vec![
                Line {
                    label: "Фамилия".into(),
                    value: "Образцова".into(),
                },
                Line {
                    label: "Дата рождения".into(),
                    value: "01.01.1980".into(),
                },
            ],
            prepared_by: Some(sample_preparer()),
        }),
        DocumentKind::Receipt => value(&Receipt {
            org: sample_body(),
            number: "2026-000001".into(),
            registered: "01.12.2026".into(),
            source: Source::Manual.label(),
            applicant: sample_person(),
            service: sample_service(),
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
            accepted_by: Some(sample_staff()),
        }),
    }
}

fn sample_staff() -> Staff {
    Staff {
        name: "Образцова Анна Ивановна".into(),
        short: "Образцова А. И.".into(),
    }
}

fn sample_preparer() -> Preparer {
    Preparer {
        name: "Образцова Анна Ивановна".into(),
        short: "Образцова А. И.".into(),
        position: "Специалист 1 категории".into(),
        phone: "(38500) 2-00-00".into(),
    }
}

fn sample_service() -> ServiceData {
    ServiceData {
        code: "0000000000000000001".into(),
        name: "Выдача выписки из похозяйственной книги".into(),
        deadline_days: 5,
        regulation: "Постановление администрации от 01.02.2026 № 1".into(),
    }
}

fn sample_person() -> Person {
    Person {
        name: "Образцова Мария Сергеевна".into(),
        organisation: false,
        passport: Some("0100 000000".into()),
        address: "с. Образцовое, ул. Центральная, д. 1".into(),
        phone: Some("+7 900 000-00-00".into()),
    }
}

fn sample_body() -> Body {
    Body {
        name: "Администрация Образцового сельсовета".into(),
        oktmo: "01601402".into(),
        ogrn: "1022200000000".into(),
        inn: "2201000000".into(),
        contacts: "659000, с. Образцовое, ул. Центральная, д. 1; тел. (38500) 2-00-00".into(),
    }
}
