//! `volost document` and `volost template`: printed documents and their templates, through
//! the running daemon or straight from the stopped database (as `volost report`).

use crate::cli::{Seat, write_export};
use anyhow::{Context, Result};
use std::path::Path;
use volost::api::call;
use volost::domain::DocumentKind;

fn kind_of(code: &str) -> Result<DocumentKind> {
    DocumentKind::from_code(code).with_context(|| {
        let known: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.code()).collect();
        format!("неизвестный вид документа «{code}»: {}", known.join(", "))
    })
}

/// What a document is of: an application by its number, or a period.
pub struct Of<'a> {
    pub application: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// The grounds of a refusal to accept documents.
    pub reason: Option<&'a str>,
    /// Which of the service's results a result document is of (from 1), and its text.
    pub result: Option<usize>,
    pub text: Option<&'a str>,
}

/// `volost document`: a document printed from its template, written to a file; one of an
/// application is also kept on its card, as when printed from the TUI.
pub fn document(
    config: Option<&Path>,
    login: &str,
    kind: &str,
    of: Of<'_>,
    out: Option<&Path>,
) -> Result<()> {
    let kind = kind_of(kind)?;
    if kind == DocumentKind::Request {
        anyhow::bail!(
            "межведомственный запрос печатается с его карточки в терминале: «Действия» → \
             «Напечатать запрос на бумаге»"
        );
    }
    if !kind.of_application() {
        let (Some(from), Some(to)) = (of.from, of.to) else {
            anyhow::bail!("для журнала укажите период: --from и --to");
        };
        let (from, to) = (crate::cli::parse_day(from)?, crate::cli::parse_day(to)?);
        let mut seat = Seat::open(config, login)?;
        let p: volost::api::PrintReply = seat.ask(call::PrintJournal { from, to }, |n, a| {
            n.print_journal(a, from, to)
                .map(volost::api::dispatch::printed)
        })?;
        return write_export(&p.name, &p.data.0, out);
    }
    let Some(number) = of.application else {
        anyhow::bail!("укажите заявку: --application НОМЕР");
    };
    let mut seat = Seat::open(config, login)?;
    let card: volost::api::ApplicationCard = seat.ask(
        call::ApplicationByNumber {
            number: number.to_string(),
        },
        |n, a| n.application_by_number(a, number),
    )?;
    let id = card.app.id;
    let p: volost::api::PrintReply = if kind.of_result() {
        let results = &card.service.results;
        let result = of.result.unwrap_or_else(|| {
            // A federal form's kind: the result of that form; otherwise the decision's.
            results
                .iter()
                .position(|r| kind != DocumentKind::Result && DocumentKind::for_result(r) == kind)
                .map(|i| i + 1)
                .unwrap_or_else(|| {
                    volost::domain::default_result(
                        results,
                        card.app.decision.as_ref().map(|d| d.verdict),
                    )
                })
        });
        let args = call::PrintResult {
            id,
            result,
            // `result` prints as the result's name calls for; a federal code insists.
            kind: (kind != DocumentKind::Result).then_some(kind),
            text: of.text.unwrap_or_default().to_string(),
        };
        let p = volost::service::ResultPrint {
            result,
            kind: args.kind,
            text: args.text.clone(),
        };
        seat.ask(args, |n, a| {
            n.print_result(a, id, &p)
                .map(volost::api::dispatch::printed)
        })?
    } else if kind == DocumentKind::Refusal {
        let Some(reasons) = of.reason else {
            anyhow::bail!("укажите основания отказа: --reason ТЕКСТ");
        };
        let reasons = reasons.to_string();
        seat.ask(
            call::RefuseIntake {
                id,
                reasons: reasons.clone(),
            },
            |n, a| {
                n.refuse_intake(a, id, &reasons)
                    .map(volost::api::dispatch::printed)
            },
        )?
    } else {
        seat.ask(call::Print { id, kind }, |n, a| {
            n.print(a, id, kind).map(volost::api::dispatch::printed)
        })?
    };
    write_export(&p.name, &p.data.0, out)?;
    if p.file.is_some() {
        println!("Документ сохранён и в карточке заявки {}", card.app.number);
    }
    Ok(())
}

/// What `volost template` does with a kind's template.
pub enum TemplateAct<'a> {
    /// Print the text that prints now (`starter`: the catalog's).
    Show { starter: bool },
    /// Save a file's text as the body's own, after it renders with the sample data.
    Set(&'a Path),
    /// Go back to the starter template.
    Reset,
}

/// `volost template`: a document's template, read or changed by an administrator.
pub fn template(
    config: Option<&Path>,
    login: &str,
    kind: &str,
    act: TemplateAct<'_>,
) -> Result<()> {
    let kind = kind_of(kind)?;
    let mut seat = Seat::open(config, login)?;
    let text = match act {
        TemplateAct::Show { .. } => None,
        TemplateAct::Set(file) => Some(Some(read_template(file)?)),
        TemplateAct::Reset => Some(None),
    };
    let view: volost::api::TemplateView = match text {
        None => seat.ask(call::DocTemplate { kind }, |n, a| n.doc_template(a, kind))?,
        Some(text) => seat.ask(
            call::SetDocTemplate {
                kind,
                text: text.clone(),
            },
            |n, a| n.set_doc_template(a, kind, text.clone()),
        )?,
    };
    match act {
        TemplateAct::Show { starter: true } => print!("{}", view.starter),
        TemplateAct::Show { starter: false } => print!("{}", view.text),
        TemplateAct::Set(_) => println!(
            "Шаблон «{}» сохранён: документы печатаются по нему",
            kind.title()
        ),
        TemplateAct::Reset => println!("Шаблон «{}»: снова стартовый", kind.title()),
    }
    Ok(())
}

/// A template's file: UTF-8 text, no larger than a template may be.
fn read_template(file: &Path) -> Result<String> {
    let meta = std::fs::metadata(file).with_context(|| format!("нет файла {}", file.display()))?;
    if meta.len() > volost::docs::MAX_TEMPLATE as u64 {
        anyhow::bail!(
            "{}: шаблон больше {} КБ",
            file.display(),
            volost::docs::MAX_TEMPLATE / 1024
        );
    }
    let bytes =
        std::fs::read(file).with_context(|| format!("не удалось прочитать {}", file.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{}: не текст в UTF-8", file.display()))
}
