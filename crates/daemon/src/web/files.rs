//! An application's card and its files: scans uploaded, files downloaded, documents printed.

use super::Web;
use super::guard;
use super::pages::{self, Card, Flash, RequestFiles};
use super::routes::{At, Csrf, Signed, St, html, pct, posted, redirect, say, signed};
use crate::api::{ApiError, Bytes, call};
use crate::listen::Peer;
use axum::extract::{Extension, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use volost_api::ListArgs;
use volost_api::view::{OutFilter, RegFilter, ReqCol};
use volost_domain::{AppId, DocumentKind, FileId, FileOwner, file_name, size_label};

#[derive(Deserialize)]
pub struct CardQuery {
    #[serde(default)]
    added: Option<usize>,
}

/// An application's card and its files, as `s` may see them.
async fn card_of(web: &Web, peer: Peer, s: &Signed, number: &str) -> Result<Card, ApiError> {
    let args = call::ApplicationByNumber {
        number: number.to_string(),
    };
    let card = web.ask(Some(&s.token), peer, args).await?;
    let owner = FileOwner::Application(card.app.id);
    let files = web.ask(Some(&s.token), peer, call::Files { owner }).await?;
    let answers = answers(web, peer, s, card.app.id).await;
    Ok(Card {
        card,
        files,
        answers,
    })
}

/// How many of an application's requests the card lists the files of.
const REQUESTS_SHOWN: usize = 20;

/// The files of the application's interagency and regional requests (the agencies' answers
/// among them), for those who may see the requests; the others see none, as in the TUI.
async fn answers(web: &Web, peer: Peer, s: &Signed, app: AppId) -> Vec<RequestFiles> {
    let tok = Some(s.token.as_str());
    // Each request: whose files, and how the card names it.
    let mut requests: Vec<(FileOwner, String)> = Vec::new();
    let args = ListArgs {
        filter: OutFilter {
            application: Some(app),
            ..Default::default()
        },
        sort: ReqCol::Created,
        desc: false,
        after: None,
        limit: REQUESTS_SHOWN,
    };
    if let Ok(page) = web.ask(tok, peer, call::OutgoingList(args)).await {
        requests.extend(page.rows.into_iter().map(|r| {
            let title = format!(
                "{} {} ({}), {}",
                r.number,
                r.kind,
                r.agency,
                r.status.label()
            );
            (FileOwner::Outgoing(r.id), title)
        }));
    }
    let args = ListArgs {
        filter: RegFilter {
            application: Some(app),
            ..Default::default()
        },
        sort: ReqCol::Created,
        desc: false,
        after: None,
        limit: REQUESTS_SHOWN,
    };
    if let Ok(page) = web.ask(tok, peer, call::RegionalList(args)).await {
        requests.extend(page.rows.into_iter().map(|r| {
            let title = format!(
                "Р-сведения: {} ({}), {}",
                r.subject,
                r.counterpart,
                r.status.label()
            );
            (FileOwner::Regional(r.id), title)
        }));
    }
    let mut out = Vec::new();
    for (owner, title) in requests {
        if let Ok(files) = web.ask(tok, peer, call::Files { owner }).await
            && !files.is_empty()
        {
            out.push(RequestFiles { title, files });
        }
    }
    out
}

pub async fn card(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(q): Query<CardQuery>,
) -> Response {
    let s = match signed(&web, peer, &headers, &format!("/a/{number}")).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match card_of(&web, peer, &s, &number).await {
        Ok(c) => {
            let done = q.added.map(|n| format!("Добавлено файлов: {n}"));
            let flash = done.as_deref().map_or(Flash::None, Flash::Done);
            html(StatusCode::OK, pages::card(&s.me(), &c, flash))
        }
        Err(e) => s.fail(&e),
    }
}

/// A file as the browser sent it: a plain name (old browsers sent the PC's whole path).
struct Upload {
    name: String,
    data: Vec<u8>,
}

/// Reads an upload form: its CSRF token first, then its files, each within the node's limit.
async fn read_upload(mut m: Multipart, max: u64) -> Result<(String, Vec<Upload>), String> {
    let too_big = || format!("Файл больше допустимых {}", size_label(max));
    let mut csrf = String::new();
    let mut files = Vec::new();
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(_) => return Err("Файлы пришли не полностью: повторите".into()),
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(|_| "Неверная форма")?,
            Some("file") => {
                let raw = field.file_name().unwrap_or("").to_string();
                let name = raw.rsplit(['/', '\\']).next().unwrap_or("").to_string();
                let data = match field.bytes().await {
                    Ok(b) => b.to_vec(),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(too_big());
                    }
                    Err(_) => return Err("Файлы пришли не полностью: повторите".into()),
                };
                // An empty file field: nothing was picked.
                if !(name.is_empty() && data.is_empty()) {
                    files.push(Upload { name, data });
                }
            }
            _ => {}
        }
    }
    Ok((csrf, files))
}

/// Checks every file before any is kept, so that one bad file keeps none of them.
fn check_uploads(files: &[Upload], max: u64) -> Result<(), String> {
    if files.is_empty() {
        return Err("Выберите файл".into());
    }
    for f in files {
        let name = file_name(&f.name)?;
        if f.data.is_empty() {
            return Err(format!("Файл «{name}» пуст"));
        }
        if f.data.len() as u64 > max {
            return Err(format!(
                "Файл «{name}» ({}) больше допустимых {}",
                size_label(f.data.len() as u64),
                size_label(max)
            ));
        }
    }
    Ok(())
}

pub async fn upload(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path(number): Path<String>,
    m: Multipart,
) -> Response {
    let here = format!("/a/{number}");
    let s = match signed(&web, peer, &headers, &here).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    // Waits here, not in memory: the body is read only with a permit.
    let Ok(_permit) = web.uploads.acquire().await else {
        return s.fail(&ApiError::new(503, "busy", "Узел останавливается"));
    };
    let max = s.info.max_file_bytes;
    let (csrf, files) = match read_upload(m, max).await {
        Ok(x) => x,
        Err(msg) => return upload_refused(&web, peer, &s, &number, &msg).await,
    };
    if !guard::same_origin(&headers) || !guard::same(&csrf, &s.csrf) {
        let msg = "Форма устарела: обновите страницу и приложите файлы снова";
        return upload_refused(&web, peer, &s, &number, msg).await;
    }
    if let Err(msg) = check_uploads(&files, max) {
        return upload_refused(&web, peer, &s, &number, &msg).await;
    }
    let args = call::ApplicationByNumber {
        number: number.clone(),
    };
    let id = match web.ask(Some(&s.token), peer, args).await {
        Ok(c) => c.app.id,
        Err(e) => return s.fail(&e),
    };
    let n = files.len();
    for f in files {
        let args = call::AddFile {
            owner: Some(FileOwner::Application(id)),
            name: f.name.clone(),
            data: Bytes(f.data),
        };
        if let Err(e) = web.ask(Some(&s.token), peer, args).await {
            let msg = format!("Файл «{}» не добавлен: {}", f.name, say(&e));
            return upload_refused(&web, peer, &s, &number, &msg).await;
        }
    }
    redirect(&format!("{}?added={n}#files", pct(&here)))
}

async fn upload_refused(web: &Web, peer: Peer, s: &Signed, number: &str, msg: &str) -> Response {
    match card_of(web, peer, s, number).await {
        Ok(c) => html(
            StatusCode::BAD_REQUEST,
            pages::card(&s.me(), &c, Flash::Error(msg)),
        ),
        Err(e) => s.fail(&e),
    }
}

pub async fn print(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path((number, kind)): Path<(String, String)>,
    Form(f): Form<Csrf>,
) -> Response {
    let s = match posted(&web, peer, &headers, &f._csrf, &format!("/a/{number}")).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(kind) = DocumentKind::from_code(&kind).filter(|k| k.of_application()) else {
        return s.fail(&ApiError::new(404, "not_found", "Нет такого документа"));
    };
    let args = call::ApplicationByNumber { number };
    let id = match web.ask(Some(&s.token), peer, args).await {
        Ok(c) => c.app.id,
        Err(e) => return s.fail(&e),
    };
    match web
        .ask(Some(&s.token), peer, call::Print { id, kind })
        .await
    {
        // Kept on the card: opened from there, so the address can be printed again.
        Ok(p) => match p.file {
            Some(file) => redirect(&format!("/files/{}?view=1", file.0)),
            None => pdf(&p.name, p.data.0, true),
        },
        Err(e) => s.fail(&e),
    }
}

#[derive(Deserialize)]
pub struct View {
    #[serde(default)]
    view: Option<u8>,
}

pub async fn download(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Query(q): Query<View>,
) -> Response {
    let s = match signed(&web, peer, &headers, &format!("/files/{id}")).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match web
        .ask(Some(&s.token), peer, call::File { id: FileId(id) })
        .await
    {
        Ok(f) => {
            let inline = q.view == Some(1) && pages::is_pdf(&f.file.name);
            tracing::info!(file = id, login = %s.info.login, addr = %peer.0.ip(), "web download");
            if pages::is_pdf(&f.file.name) {
                pdf(&f.file.name, f.data.0, inline)
            } else {
                attachment(&f.file.name, f.data.0)
            }
        }
        Err(e) => s.fail(&e),
    }
}

fn disposition(kind: &str, name: &str) -> HeaderValue {
    // RFC 6266: the UTF-8 name percent-encoded, for every browser councils have.
    let v = format!("{kind}; filename*=UTF-8''{}", pct(name).replace('/', "%2F"));
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

pub(super) fn pdf(name: &str, data: Vec<u8>, inline: bool) -> Response {
    let kind = if inline { "inline" } else { "attachment" };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition(kind, name)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        data,
    )
        .into_response()
}

/// Any other file: always saved, never shown, so an uploaded page cannot run in the node's
/// origin.
fn attachment(name: &str, data: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_DISPOSITION, disposition("attachment", name)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
        ],
        data,
    )
        .into_response()
}
