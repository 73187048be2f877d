//! Документы на бумаге: the inventory of what an applicant handed in, and documents printed
//! from templates (issue 30, docs/design/paper.md).
//!
//! The core gathers a document's data in a read and hands it with the template to the
//! [`Documents`] port (typst, in `volost-docs`, set by the daemon and the CLI): rendering
//! never runs inside a write transaction. The PDF is then kept on the application's card, in
//! a write of its own, with its history entry; the same document rendered again is the same
//! bytes and is not kept twice.

use super::applications::{may_open, no_rights};
use super::{Actor, AppCol, AppFilter, AppQuery, Error, Node, Result, W};
use serde_json::Value;
use std::sync::Arc;
use volost_domain::*;

/// The most applications one journal lists: a council's several years; a longer period is
/// refused rather than rendered into thousands of pages.
const MAX_JOURNAL_ROWS: usize = 10_000;

/// Makes PDFs from templates: the adapter the daemon and the CLI hand the node.
pub trait Documents: Send + Sync {
    /// The starter template of a kind of document, as the catalog ships it.
    fn starter(&self, kind: DocumentKind) -> Option<String>;
    /// Whether `template` renders with `data`; or why not, in Russian, with the line.
    fn check(
        &self,
        template: &str,
        data: &Value,
        today: time::Date,
    ) -> std::result::Result<(), String>;
    /// `template` filled with `data`, dated `today`, as a PDF; or why not, in Russian (a
    /// template's error names its line).
    fn render(
        &self,
        template: &str,
        data: &Value,
        today: time::Date,
        ident: &str,
    ) -> std::result::Result<Vec<u8>, String>;
}

/// A document made for an application: its file name, its bytes and the file it is kept as
/// on the card (`None` when the one asking may not change the card: they still get it).
#[derive(Clone, Debug, PartialEq)]
pub struct Printed {
    pub name: String,
    pub data: Vec<u8>,
    pub file: Option<FileId>,
}

impl Node {
    /// The adapter that renders documents; the daemon and the CLI set it at start.
    pub fn set_documents(&self, d: Arc<dyn Documents>) {
        let _ = self.documents.set(d);
    }

    pub(super) fn documents(&self) -> Result<&Arc<dyn Documents>> {
        self.documents
            .get()
            .ok_or_else(|| Error::NotAllowed("Печать документов на этом узле не подключена".into()))
    }

    /// «Опись принятых документов»: what the applicant handed in, as the receipt lists it.
    /// Staff of the desk change it until the work on the application is finished.
    pub fn set_inventory(
        &self,
        actor: Actor,
        id: AppId,
        items: Vec<Received>,
    ) -> Result<Application> {
        self.write(actor, "application.inventory", |w| {
            set_inventory(w, id, items.clone())
        })
    }

    /// «Журнал регистрации заявлений» of the days `from`..=`to` (a year at most): every
    /// application of the body that came in then, drafts aside, oldest first. For those who
    /// see all the body's applications (a head, monitoring); not kept on any card.
    pub fn print_journal(&self, actor: Actor, from: time::Date, to: time::Date) -> Result<Printed> {
        if to < from {
            return Err(Error::invalid("Период", "Начало периода позже его конца"));
        }
        if (to - from).whole_days() > 366 {
            return Err(Error::invalid(
                "Период",
                "Журнал печатается не больше чем за год",
            ));
        }
        self.read(actor, |r| {
            let wide = [Right::Monitoring, Right::Approve, Right::AssignExecutors]
                .iter()
                .any(|x| r.who.rights.has(*x));
            if wide {
                Ok(())
            } else {
                Err(Error::Forbidden {
                    op: "journal.print",
                    right: Right::Monitoring,
                })
            }
        })?;
        let offset = self.options().utc_offset;
        let at = |d: time::Date| Ts::from_datetime(d.midnight().assume_offset(offset));
        let mut q = AppQuery {
            mine: false,
            sort: AppCol::Created,
            desc: false,
            filter: AppFilter {
                statuses: Status::ALL
                    .into_iter()
                    .filter(|s| *s != Status::Draft)
                    .collect(),
                created_from: Some(at(from)),
                created_to: Some(at(to.next_day().unwrap_or(to))),
                ..AppFilter::default()
            },
            after: None,
            limit: 500,
        };
        let mut rows = Vec::new();
        loop {
            let page = self.applications(actor, &q)?;
            rows.extend(page.rows.into_iter().map(|a| super::doc_data::JournalRow {
                number: a.number,
                received: display_date(a.created.date(offset)),
                applicant: a.applicant,
                service: a.service,
                source: a.source.label(),
                due: a.due.map(display_date),
                status: a.status.label(),
            }));
            if rows.len() > MAX_JOURNAL_ROWS {
                return Err(Error::invalid(
                    "Период",
                    format!(
                        "За период больше {MAX_JOURNAL_ROWS} заявлений: возьмите период короче"
                    ),
                ));
            }
            match page.next {
                Some(c) => q.after = Some(c),
                None => break,
            }
        }
        let org = self.org(actor)?;
        let data = super::doc_data::journal(org, (from, to), rows)?;
        let kind = DocumentKind::Journal;
        let template = self.read(actor, |r| self.template_text(&r.rx, r.who.org, kind))?;
        let today = self.now().date(offset);
        let ident = format!(
            "{}/{}/{}",
            kind.code(),
            display_date(from),
            display_date(to)
        );
        let pdf = self
            .documents()?
            .render(&template, &data, today, &ident)
            .map_err(|why| Error::invalid(kind.title(), why))?;
        self.write(actor, "journal.print", |w| {
            w.target("document", kind.code());
            Ok(())
        })?;
        Ok(Printed {
            name: format!(
                "{} {}–{}.pdf",
                kind.file_stem(),
                display_date(from),
                display_date(to)
            ),
            data: pdf,
            file: None,
        })
    }

    /// «Результат выдан заявителю»: the day the applicant took the result in person, and
    /// who handed it over. Once, after the result is approved (or the work closed).
    pub fn hand_over(&self, actor: Actor, id: AppId, on: time::Date) -> Result<Application> {
        self.write(actor, "application.hand_over", |w| {
            w.who
                .require("application.hand_over", Right::CreateApplications)?;
            let Some(by) = w.who.user_id() else {
                return Err(Error::NotAllowed("Результат выдаёт сотрудник".into()));
            };
            let mut app: Application = w.load(id.0)?;
            if !may_open(&w.tx, &w.who, &app)? {
                return Err(no_rights(&app));
            }
            if let Some(h) = &app.handed {
                return Err(Error::Conflict(format!(
                    "Результат уже выдан заявителю {}",
                    display_date(h.on)
                )));
            }
            if !result_ready(app.status) {
                return Err(Error::Conflict(
                    "Результат выдаётся заявителю после того, как он утверждён".into(),
                ));
            }
            if on > w.today() {
                return Err(Error::invalid(
                    "Дата выдачи",
                    "Дата выдачи не может быть позже сегодняшней",
                ));
            }
            if let Some(d) = app.decision.as_ref().map(|d| d.at.date(w.offset))
                && on < d
            {
                return Err(Error::invalid(
                    "Дата выдачи",
                    format!("Дата выдачи раньше решения ({})", display_date(d)),
                ));
            }
            app.handed = Some(HandedOver { on, by, at: w.now });
            w.save_app(&mut app, "Результат выдан заявителю", display_date(on))?;
            Ok(app)
        })
    }

    /// A document of `kind` for an application, rendered from its template and kept on the
    /// card (see [`Printed`]).
    pub fn print(&self, actor: Actor, id: AppId, kind: DocumentKind) -> Result<Printed> {
        let (data, number, template) = self.read(actor, |r| {
            let app: Application = r.load(id.0)?;
            if !may_open(&r.rx, &r.who, &app)? {
                return Err(no_rights(&app));
            }
            let data = match kind {
                DocumentKind::Receipt => super::doc_data::receipt(r, &app)?,
                DocumentKind::Journal => {
                    return Err(Error::invalid(
                        "Вид документа",
                        "Журнал печатается за период, не по заявке",
                    ));
                }
                DocumentKind::Request => {
                    return Err(Error::invalid(
                        "Вид документа",
                        "Межведомственный запрос печатается с карточки запроса, не заявки",
                    ));
                }
                DocumentKind::Refusal => {
                    return Err(Error::invalid(
                        "Вид документа",
                        "Уведомление печатается при отказе в приёме документов (\
                         «Действия» → «Отказать в приёме документов»)",
                    ));
                }
                DocumentKind::Result
                | DocumentKind::AddressRefusal
                | DocumentKind::HouseholdLand
                | DocumentKind::Redevelopment
                | DocumentKind::HousingCommission => {
                    return Err(Error::invalid(
                        "Вид документа",
                        "Документ о результате печатается с текстом («Действия» → «Напечатать \
                         документ о результате»)",
                    ));
                }
            };
            let template = self.template_text(&r.rx, r.who.org, kind)?;
            Ok((data, app.number, template))
        })?;
        let today = self.now().date(self.options().utc_offset);
        let (pdf, name) = self.render_doc(kind, &template, &data, today, &number)?;
        let max = self.options().max_file_bytes;
        let file = self.write(actor, "application.print", |w| {
            w.target("application", id);
            w.target("document", kind.code());
            let app: Application = w.load(id.0)?;
            if let Some(f) = kept_already(w, FileOwner::Application(id), &pdf)? {
                return Ok(Some(f));
            }
            if app.status == Status::Closed || !super::files::may_change(&w.who) {
                return Ok(None);
            }
            let owner = FileOwner::Application(id);
            Ok(Some(
                super::files::store(w, Some(owner), &name, &pdf, max)?.id,
            ))
        })?;
        Ok(Printed {
            name,
            data: pdf,
            file,
        })
    }
}

/// The file of `owner` with exactly these bytes, if one is kept: a document printed again
/// the same is not kept twice.
pub(crate) fn kept_already(w: &W, owner: FileOwner, pdf: &[u8]) -> Result<Option<FileId>> {
    let sha = volost_store::sha256_hex(pdf);
    Ok(super::files::files_of(&w.tx, owner)?
        .into_iter()
        .find(|f| f.sha256 == sha)
        .map(|f| f.id))
}

impl Node {
    /// `template` rendered as a document of `kind` about `number` (an application's or a
    /// request's), dated `today`: the PDF and its file name. Never inside a transaction.
    pub(crate) fn render_doc(
        &self,
        kind: DocumentKind,
        template: &str,
        data: &Value,
        today: time::Date,
        number: &str,
    ) -> Result<(Vec<u8>, String)> {
        let pdf = self
            .documents()?
            .render(template, data, today, &format!("{number}/{}", kind.code()))
            .map_err(|why| Error::invalid(kind.title(), why))?;
        Ok((pdf, format!("{} {number}.pdf", kind.file_stem())))
    }
}

/// The longest grounds of a refusal to accept documents, in characters: a page's worth.
const MAX_REASONS: usize = 2000;

impl Node {
    /// «Отказать в приёме документов»: the desk does not accept what an applicant brought for
    /// a draft, and gives the notice with the grounds typed. The notice is kept on the card
    /// with a history line that quotes the grounds; the draft stays (the applicant may come
    /// back with what was missing). Rendered outside any transaction.
    pub fn refuse_intake(&self, actor: Actor, id: AppId, reasons: &str) -> Result<Printed> {
        const OP: &str = "application.refuse_intake";
        let kind = DocumentKind::Refusal;
        let reasons = reasons.trim();
        if reasons.is_empty() {
            return Err(Error::invalid(
                "Основания отказа",
                "Укажите, почему документы не приняты",
            ));
        }
        if reasons.chars().count() > MAX_REASONS {
            return Err(Error::invalid(
                "Основания отказа",
                format!("Не длиннее {MAX_REASONS} знаков"),
            ));
        }
        let draft_only = || {
            Error::Conflict(
                "Отказать в приёме документов можно только до регистрации заявления".into(),
            )
        };
        let today = self.now().date(self.options().utc_offset);
        let (data, number, template) = self.read(actor, |r| {
            r.who.require(OP, Right::CreateApplications)?;
            let app: Application = r.load(id.0)?;
            if !may_open(&r.rx, &r.who, &app)? {
                return Err(no_rights(&app));
            }
            if app.status != Status::Draft {
                return Err(draft_only());
            }
            let by = super::doc_data::user(r, r.who.user_id())?;
            let data = super::doc_data::refusal(r, &app, today, reasons, by)?;
            let template = self.template_text(&r.rx, r.who.org, kind)?;
            Ok((data, app.number, template))
        })?;
        let (pdf, name) = self.render_doc(kind, &template, &data, today, &number)?;
        let max = self.options().max_file_bytes;
        let file = self.write(actor, OP, |w| {
            w.who.require(OP, Right::CreateApplications)?;
            w.target("application", id);
            let app: Application = w.load(id.0)?;
            if app.status != Status::Draft {
                return Err(draft_only());
            }
            let file = match kept_already(w, FileOwner::Application(id), &pdf)? {
                Some(f) => f,
                None => {
                    let owner = FileOwner::Application(id);
                    super::files::store(w, Some(owner), &name, &pdf, max)?.id
                }
            };
            w.history(
                Entity::Application,
                id.0,
                "Отказано в приёме документов",
                reasons,
            )?;
            Ok(file)
        })?;
        Ok(Printed {
            name,
            data: pdf,
            file: Some(file),
        })
    }
}

/// The result is approved, so it may be handed over (the work may be closed already: the
/// applicant comes when they come).
fn result_ready(s: Status) -> bool {
    matches!(
        s,
        Status::ApprovedPositive | Status::ApprovedRefusal | Status::Closed
    )
}

/// Whether `who` may refuse to accept the documents of `app` now (the card offers it).
pub(crate) fn may_refuse_intake(who: &super::Who, app: &Application) -> bool {
    who.user.is_some() && who.rights.has(Right::CreateApplications) && app.status == Status::Draft
}

/// Whether `who` may record the hand-over of `app`'s result now (the card offers it).
pub(crate) fn may_hand_over(who: &super::Who, app: &Application) -> bool {
    who.user.is_some()
        && who.rights.has(Right::CreateApplications)
        && app.handed.is_none()
        && result_ready(app.status)
}

/// [`Node::set_inventory`] inside a write (the demo's batch uses it too); `items` checked.
pub(crate) fn set_inventory(w: &mut W, id: AppId, items: Vec<Received>) -> Result<Application> {
    w.who
        .require("application.inventory", Right::CreateApplications)?;
    let items = check_inventory(items).map_err(|m| Error::invalid("Опись", m))?;
    let mut app: Application = w.load(id.0)?;
    if !may_open(&w.tx, &w.who, &app)? {
        return Err(no_rights(&app));
    }
    if app.status == Status::Closed {
        return Err(Error::Conflict(
            "Работа по заявке завершена: опись уже не изменяется".into(),
        ));
    }
    if app.inventory == items {
        return Ok(app);
    }
    app.inventory = items;
    let (docs, sheets) = totals(&app.inventory);
    w.save_app(
        &mut app,
        "Изменена опись принятых документов",
        format!("документов: {docs}, листов: {sheets}"),
    )?;
    Ok(app)
}

/// Documents and sheets of an inventory: lines, and sheets of every copy together.
pub(crate) fn totals(items: &[Received]) -> (usize, u32) {
    (
        items.len(),
        items
            .iter()
            .map(|r| r.copies.saturating_mul(r.sheets))
            .sum(),
    )
}
