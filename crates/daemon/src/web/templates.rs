//! «Шаблоны документов» for administrators: a template's text, its preview with sample data,
//! saving it (only when it prints) and going back to the starter one.

use super::Web;
use super::files::pdf;
use super::pages::{self, Flash};
use super::routes::{At, Csrf, Signed, St, html, posted, redirect, say, signed, status};
use crate::api::{ApiError, call};
use crate::listen::Peer;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use volost_domain::DocumentKind;

pub async fn templates(State(web): St, Extension(peer): At, headers: HeaderMap) -> Response {
    let s = match signed(&web, peer, &headers, "/templates").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut kinds = Vec::new();
    for kind in DocumentKind::ALL {
        match web
            .ask(Some(&s.token), peer, call::DocTemplate { kind })
            .await
        {
            Ok(t) => kinds.push((kind, t.edited.is_some())),
            Err(e) => return s.fail(&e),
        }
    }
    html(StatusCode::OK, pages::templates(&s.me(), &kinds))
}

fn kind_of(code: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::from_code(code)
        .ok_or_else(|| ApiError::new(404, "not_found", "Нет такого документа"))
}

#[derive(Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<u8>,
}

pub async fn template_page(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<Saved>,
) -> Response {
    let s = match signed(&web, peer, &headers, &format!("/templates/{code}")).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let kind = match kind_of(&code) {
        Ok(k) => k,
        Err(e) => return s.fail(&e),
    };
    match web
        .ask(Some(&s.token), peer, call::DocTemplate { kind })
        .await
    {
        Ok(t) => {
            let flash = match q.saved {
                Some(1) => Flash::Done("Шаблон сохранён: документы печатаются по нему"),
                Some(2) => Flash::Done("Возвращён типовой шаблон"),
                _ => Flash::None,
            };
            html(StatusCode::OK, pages::template(&s.me(), &t, &t.text, flash))
        }
        Err(e) => s.fail(&e),
    }
}

/// A template form's POST: the session (an administrator's, the API decides) and the kind.
async fn form_of(
    web: &Web,
    peer: Peer,
    headers: &HeaderMap,
    csrf: &str,
    code: &str,
) -> Result<(Signed, DocumentKind), Response> {
    let s = posted(web, peer, headers, csrf, &format!("/templates/{code}")).await?;
    match kind_of(code) {
        Ok(k) => Ok((s, k)),
        Err(e) => Err(s.fail(&e)),
    }
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    text: String,
}

pub async fn template_save(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<TemplateForm>,
) -> Response {
    let here = format!("/templates/{code}");
    let (s, kind) = match form_of(&web, peer, &headers, &f._csrf, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Browsers send a textarea's lines with CR LF.
    let text = f.text.replace("\r\n", "\n");
    let args = call::SetDocTemplate {
        kind,
        text: Some(text.clone()),
    };
    match web.ask(Some(&s.token), peer, args).await {
        Ok(_) => redirect(&format!("{here}?saved=1")),
        Err(e) if e.status == 422 => {
            // The text stays as typed, with the line typst named.
            match web
                .ask(Some(&s.token), peer, call::DocTemplate { kind })
                .await
            {
                Ok(t) => html(
                    status(&e),
                    pages::template(&s.me(), &t, &text, Flash::Error(&say(&e))),
                ),
                Err(e) => s.fail(&e),
            }
        }
        Err(e) => s.fail(&e),
    }
}

pub async fn template_preview(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<TemplateForm>,
) -> Response {
    let (s, kind) = match form_of(&web, peer, &headers, &f._csrf, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let args = call::PreviewDocTemplate {
        kind,
        text: f.text.replace("\r\n", "\n"),
    };
    match web.ask(Some(&s.token), peer, args).await {
        Ok(p) => pdf(&p.name, p.data.0, true),
        Err(e) => s.fail(&e),
    }
}

pub async fn template_reset(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<Csrf>,
) -> Response {
    let here = format!("/templates/{code}");
    let (s, kind) = match form_of(&web, peer, &headers, &f._csrf, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let args = call::SetDocTemplate { kind, text: None };
    match web.ask(Some(&s.token), peer, args).await {
        Ok(_) => redirect(&format!("{here}?saved=2")),
        Err(e) => s.fail(&e),
    }
}
