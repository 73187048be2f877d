//! Шаблоны документов: a body's own text of a document's template. An administrator saves
//! it only after it renders with the kind's sample data (every field a template may read),
//! so a template that is kept prints any application; a wrong one is refused with the line
//! typst names, and nothing changes.

use super::{Actor, Error, Node, Result};
pub use volost_api::view::TemplateView;
use volost_domain::*;
use volost_store::records::template_kind_key;
use volost_store::{Read, Record};

/// The body's template of `kind`, if an administrator saved one.
pub(crate) fn find(t: &impl Read, org: OrgId, kind: DocumentKind) -> Result<Option<DocTemplate>> {
    let prefix = template_kind_key(org, kind).0;
    let ids = super::list::ids_with_prefix(t, &prefix, 1)?;
    Ok(match ids.first() {
        Some(id) => t.get::<DocTemplate>(*id)?,
        None => None,
    })
}

impl Node {
    fn starter(&self, kind: DocumentKind) -> Result<String> {
        self.documents()?
            .starter(kind)
            .ok_or_else(|| Error::NotAllowed(format!("Нет шаблона документа «{}»", kind.title())))
    }

    /// The text `kind` prints with for the actor's body: its own, or the starter one. A
    /// kind whose form a federal act sets prints only with the body's own text: its starter
    /// is a blank that names the act, never a stand-in of the form.
    pub(crate) fn template_text(
        &self,
        t: &impl Read,
        org: OrgId,
        kind: DocumentKind,
    ) -> Result<String> {
        match (find(t, org, kind)?, kind.federal_form()) {
            (Some(own), _) => Ok(own.text),
            (None, None) => self.starter(kind),
            (None, Some(act)) => Err(Error::Conflict(format!(
                "Форма документа «{}» утверждена {act}. Узел не поставляет её текст: \
                 администратор вносит форму из акта в «Шаблоны документов», и документ \
                 печатается по ней",
                kind.title()
            ))),
        }
    }

    /// A document's template as it prints now, for an administrator.
    pub fn doc_template(&self, actor: Actor, kind: DocumentKind) -> Result<TemplateView> {
        let starter = self.starter(kind)?;
        self.read(actor, |r| {
            r.who.require("template.read", Right::Administer)?;
            let own = find(&r.rx, r.who.org, kind)?;
            Ok(match own {
                Some(t) => TemplateView {
                    kind,
                    edited: Some((t.updated, super::applications::user_name(&r.rx, t.by)?)),
                    text: t.text,
                    starter: starter.clone(),
                },
                None => TemplateView {
                    kind,
                    text: starter.clone(),
                    starter: starter.clone(),
                    edited: None,
                },
            })
        })
    }

    /// `text` rendered as `kind` with the kind's sample data, kept nowhere: the preview an
    /// administrator looks at before saving. Rendered outside any transaction.
    pub fn preview_doc_template(
        &self,
        actor: Actor,
        kind: DocumentKind,
        text: &str,
    ) -> Result<super::Printed> {
        self.read(actor, |r| {
            r.who.require("template.preview", Right::Administer)
        })?;
        let today = self.now().date(self.options().utc_offset);
        let data = super::doc_data::sample(kind)?;
        let pdf = self
            .documents()?
            .render(text, &data, today, &format!("preview/{}", kind.code()))
            .map_err(|why| Error::invalid("Шаблон", why))?;
        Ok(super::Printed {
            name: format!("{} (образец).pdf", kind.file_stem()),
            data: pdf,
            file: None,
        })
    }

    /// Saves the body's own text of `kind`'s template after it renders with the sample data
    /// (rendered outside any transaction); `None` removes it, and the starter one prints.
    pub fn set_doc_template(
        &self,
        actor: Actor,
        kind: DocumentKind,
        text: Option<String>,
    ) -> Result<TemplateView> {
        // The right first: a person without it learns nothing of the template's errors.
        self.read(actor, |r| r.who.require("template.set", Right::Administer))?;
        if let Some(t) = &text {
            let bare = |t: &str| t.split_whitespace().collect::<String>();
            if kind.federal_form().is_some() && bare(t) == bare(&self.starter(kind)?) {
                return Err(Error::invalid(
                    "Шаблон",
                    "Это заготовка, а не форма: внесите в шаблон форму из акта, который она \
                     называет",
                ));
            }
            let today = self.now().date(self.options().utc_offset);
            self.documents()?
                .check(t, &super::doc_data::sample(kind)?, today)
                .map_err(|why| Error::invalid("Шаблон", why))?;
        }
        self.write(actor, "template.set", |w| {
            w.who.require("template.set", Right::Administer)?;
            w.target("template", kind.code());
            let own = find(&w.tx, w.who.org, kind)?;
            match (&text, own) {
                (None, Some(t)) => {
                    w.tx.delete::<DocTemplate>(t.id.0)?;
                }
                (None, None) => {}
                (Some(text), own) => {
                    let id = match own {
                        Some(t) => t.id,
                        None => TemplateId(w.tx.next_id(DocTemplate::KIND)?),
                    };
                    w.tx.put(&DocTemplate {
                        id,
                        org: w.who.org,
                        kind,
                        text: text.clone(),
                        updated: w.now,
                        by: w.who.user_id(),
                    })?;
                }
            }
            Ok(())
        })?;
        self.doc_template(actor, kind)
    }
}
