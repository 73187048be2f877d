//! Документ о результате предоставления услуги: one of the service's results printed from
//! the application's card while it is examined or after the decision, with the text the
//! executor typed. A result whose form a federal act sets prints as that form's kind, only
//! with the body's own template (`doc_templates.rs`). Rendered outside any transaction; kept
//! on the card once, and while the decision waits for approval it joins the decision's
//! files, so a portal application's result travels with it when it is published.

use super::applications::{may_open, no_rights};
use super::documents::kept_already;
use super::{Actor, Error, Node, Printed, Result};
use volost_domain::*;

/// The longest text of a result document, in characters: a few pages.
pub const MAX_RESULT_TEXT: usize = 20_000;

/// What [`Node::print_result`] prints: which of the service's results (1-based, as the card
/// numbers them), as which kind (`None`: the kind its name calls for), with what text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultPrint {
    pub result: usize,
    pub kind: Option<DocumentKind>,
    pub text: String,
}

/// The statuses a result document is printed in: examined, decided, approved; not before
/// (nothing is decided yet) and not after the work is closed (the card no longer changes).
fn printable(s: Status) -> bool {
    matches!(
        s,
        Status::Deciding
            | Status::ApprovingPositive
            | Status::ApprovingRefusal
            | Status::ApprovedPositive
            | Status::ApprovedRefusal
    )
}

/// Whether `who` may print a result document of `app` now (the card offers it).
pub(crate) fn may_print_result(who: &super::Who, app: &Application) -> bool {
    who.user.is_some()
        && (who.rights.has(Right::Decide) || who.rights.has(Right::Approve))
        && printable(app.status)
}

fn require(who: &super::Who, op: &'static str) -> Result<()> {
    if who.rights.has(Right::Approve) {
        return Ok(());
    }
    who.require(op, Right::Decide)
}

fn not_now() -> Error {
    Error::Conflict(
        "Документ о результате печатается, когда заявление рассматривается или решение по нему \
         принято, до завершения работы по заявке"
            .into(),
    )
}

/// The result `n` (1-based) of `service`, or why not.
fn nth(service: &Service, n: usize) -> Result<&str> {
    match n.checked_sub(1).and_then(|i| service.results.get(i)) {
        Some(name) => Ok(name),
        None if service.results.is_empty() => Err(Error::Conflict(format!(
            "У услуги «{}» не указаны результаты: их вносят в реестр услуг",
            service.name
        ))),
        None => Err(Error::invalid(
            "Результат",
            format!(
                "Нет результата с номером {n}: у услуги их {}",
                service.results.len()
            ),
        )),
    }
}

impl Node {
    /// A result document of application `id`, kept on its card (the same bytes once).
    pub fn print_result(&self, actor: Actor, id: AppId, p: &ResultPrint) -> Result<Printed> {
        const OP: &str = "application.print_result";
        let text = p.text.trim();
        if text.chars().count() > MAX_RESULT_TEXT {
            return Err(Error::invalid(
                "Текст документа",
                format!("Не длиннее {MAX_RESULT_TEXT} знаков"),
            ));
        }
        let today = self.now().date(self.options().utc_offset);
        let (data, number, kind, template) = self.read(actor, |r| {
            require(&r.who, OP)?;
            let app: Application = r.load(id.0)?;
            if !may_open(&r.rx, &r.who, &app)? {
                return Err(no_rights(&app));
            }
            if !printable(app.status) {
                return Err(not_now());
            }
            let service: Service = r.load(app.service.0)?;
            let name = nth(&service, p.result)?.to_string();
            let kind = p.kind.unwrap_or_else(|| DocumentKind::for_result(&name));
            if !kind.of_result() {
                return Err(Error::invalid(
                    "Вид документа",
                    format!("«{}» — не документ о результате услуги", kind.title()),
                ));
            }
            // The decision's reason is the text when none was typed: a refusal states it.
            let text = match (text, &app.decision) {
                ("", Some(d)) if !d.reason.trim().is_empty() => d.reason.trim().to_string(),
                ("", _) => {
                    return Err(Error::invalid(
                        "Текст документа",
                        "Введите текст документа: решение по заявке ещё не принято или не \
                         содержит обоснования",
                    ));
                }
                (t, _) => t.to_string(),
            };
            let by = super::doc_data::user(r, r.who.user_id())?;
            let of = super::doc_data::ResultOf {
                kind,
                number: p.result,
                name: &name,
                text: &text,
                day: today,
                by,
            };
            let data = super::doc_data::result(r, &app, service, of)?;
            let template = self.template_text(&r.rx, r.who.org, kind)?;
            Ok((data, app.number, kind, template))
        })?;
        let (pdf, name) = self.render_doc(kind, &template, &data, today, &number)?;
        let max = self.options().max_file_bytes;
        let file = self.write(actor, OP, |w| {
            require(&w.who, OP)?;
            w.target("application", id);
            w.target("document", kind.code());
            let mut app: Application = w.load(id.0)?;
            if !printable(app.status) {
                return Err(not_now());
            }
            let owner = FileOwner::Application(id);
            let file = match kept_already(w, owner, &pdf)? {
                Some(f) => f,
                None => super::files::store(w, Some(owner), &name, &pdf, max)?.id,
            };
            let waiting = matches!(
                app.status,
                Status::ApprovingPositive | Status::ApprovingRefusal
            );
            let joins = match &mut app.decision {
                Some(d) if waiting && !d.files.contains(&file.0.to_string()) => {
                    d.files.push(file.0.to_string());
                    true
                }
                _ => false,
            };
            if joins {
                w.save_app(&mut app, "Напечатан документ о результате", name.clone())?;
            } else {
                w.history(
                    Entity::Application,
                    id.0,
                    "Напечатан документ о результате",
                    &name,
                )?;
            }
            Ok(file)
        })?;
        Ok(Printed {
            name,
            data: pdf,
            file: Some(file),
        })
    }
}
