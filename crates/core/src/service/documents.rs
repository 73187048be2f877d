//! Документы на бумаге: the inventory of what an applicant handed in, and documents printed
//! from templates (issue 30, docs/design/paper.md).
//!
//! The core gathers a document's data in a read and hands it with the template to the
//! [`Documents`] port (typst, in `volost-docs`, set by the daemon and the CLI): rendering
//! never runs inside a write transaction. The PDF is then kept on the application's card, in
//! a write of its own, with its history entry; the same document rendered again is the same
//! bytes and is not kept twice.

use super::applications::{may_open, no_rights};
use super::{Actor, Error, Node, R, Result, W};
use serde_json::{Value, json};
use std::sync::Arc;
use volost_domain::*;
use volost_store::Read;

/// Makes PDFs from templates: the adapter the daemon and the CLI hand the node.
pub trait Documents: Send + Sync {
    /// The starter template of a kind of document, as the catalog ships it.
    fn starter(&self, kind: DocumentKind) -> Option<String>;
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

    fn documents(&self) -> Result<&Arc<dyn Documents>> {
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

    /// A document of `kind` for an application, rendered from its template and kept on the
    /// card (see [`Printed`]).
    pub fn print(&self, actor: Actor, id: AppId, kind: DocumentKind) -> Result<Printed> {
        let (data, number) = self.read(actor, |r| {
            let app: Application = r.load(id.0)?;
            if !may_open(&r.rx, &r.who, &app)? {
                return Err(no_rights(&app));
            }
            let data = match kind {
                DocumentKind::Receipt => receipt(r, &app)?,
            };
            Ok((data, app.number))
        })?;
        let docs = self.documents()?;
        let template = docs.starter(kind).ok_or_else(|| {
            Error::NotAllowed(format!("Нет шаблона документа «{}»", kind.title()))
        })?;
        let today = self.now().date(self.options().utc_offset);
        let ident = format!("{number}/{}", kind.code());
        let pdf = docs
            .render(&template, &data, today, &ident)
            .map_err(|why| Error::invalid(kind.title(), why))?;
        let name = format!("{} {number}.pdf", kind.file_stem());
        let max = self.options().max_file_bytes;
        let file = self.write(actor, "application.print", |w| {
            w.target("application", id);
            w.target("document", kind.code());
            let app: Application = w.load(id.0)?;
            let owner = FileOwner::Application(id);
            let sha = volost_store::sha256_hex(&pdf);
            if let Some(f) = super::files::files_of(&w.tx, owner)?
                .into_iter()
                .find(|f| f.sha256 == sha)
            {
                return Ok(Some(f.id));
            }
            if app.status == Status::Closed || !super::files::may_change(&w.who) {
                return Ok(None);
            }
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
    app.updated = w.now;
    w.tx.put(&app)?;
    w.target("application", app.id);
    let (docs, sheets) = totals(&app.inventory);
    w.history(
        Entity::Application,
        app.id.0,
        "Изменена опись принятых документов",
        format!("документов: {docs}, листов: {sheets}"),
    )?;
    Ok(app)
}

/// Documents and sheets of an inventory: lines, and sheets of every copy together.
fn totals(items: &[Received]) -> (usize, u32) {
    (
        items.len(),
        items
            .iter()
            .map(|r| r.copies.saturating_mul(r.sheets))
            .sum(),
    )
}

/// The receipt's data: the body, the application, the applicant, the service, the inventory,
/// the deadline and the access code. Only for a registered application with an inventory:
/// the receipt is what the desk gives when it accepts documents.
fn receipt(r: &R, app: &Application) -> Result<Value> {
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
    let day = |t: Ts| display_date(t.date(r.offset));
    let (count, sheets) = totals(&app.inventory);
    Ok(json!({
        "org": {
            "name": org.name,
            "oktmo": org.oktmo,
            "ogrn": org.ogrn,
            "inn": org.inn,
        },
        "number": app.number,
        "registered": day(app.registered.unwrap_or(app.created)),
        "source": app.source.label(),
        "applicant": {
            "name": applicant.name,
            "organisation": applicant.kind == ApplicantKind::Organisation,
            "passport": applicant.passport,
            "address": applicant.address,
            "phone": applicant.phone,
        },
        "service": {
            "code": service.code,
            "name": service.name,
            "deadline_days": service.deadline_days,
        },
        "documents": app.inventory.iter().map(|d| json!({
            "name": d.name,
            "original": d.original,
            "copies": d.copies,
            "sheets": d.sheets,
        })).collect::<Vec<_>>(),
        "count": count,
        "sheets": sheets,
        "due": app.due.map(display_date),
        "access_code": display_access_code(&app.access_code),
        "accepted_by": accepted.map(|u| json!({
            "name": u.full_name,
            "short": u.short_name(),
        })),
    }))
}
