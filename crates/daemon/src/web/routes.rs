//! The handlers: a form or a link in, API calls, a page (or a file) out.

use super::Web;
use super::guard::{self, PRE, SESSION};
use super::pages::{self, Flash, Me};
use crate::api::{ApiError, Bytes, SessionInfo, call};
use crate::listen::Peer;
use axum::extract::{Extension, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use serde::Deserialize;
use std::sync::Arc;
use volost_api::view::{ApplicationCard, TaskQuery};
use volost_domain::{DocumentKind, FileId, FileOwner, Queue, file_name, size_label};

type St = State<Arc<Web>>;
type At = Extension<Peer>;

pub(super) fn page(status: StatusCode, m: Markup) -> Response {
    html(status, m)
}

fn html(status: StatusCode, m: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        m.into_string(),
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    let loc = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, loc)]).into_response()
}

/// What the API refused, for staff: its message and each field's.
fn say(e: &ApiError) -> String {
    let mut s = e.message.clone();
    for f in &e.fields {
        s.push_str(&format!(" {}: {}.", f.field, f.message));
    }
    s
}

fn status(e: &ApiError) -> StatusCode {
    StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn to_login(here: &str) -> Response {
    redirect(&format!("/login?next={}", pct(here)))
}

/// A signed-in session: the user, the token, the CSRF token of its forms.
struct Signed {
    token: String,
    info: SessionInfo,
    csrf: String,
}

impl Signed {
    fn me(&self) -> Me<'_> {
        Me {
            info: &self.info,
            csrf: &self.csrf,
        }
    }

    fn fail(&self, e: &ApiError) -> Response {
        if e.status == 401 {
            return to_login("/tasks");
        }
        html(status(e), pages::error(Some(&self.me()), &say(e)))
    }
}

/// The session of a request, or where the browser must go instead: the sign-in page, or the
/// password page while the first password is not changed.
async fn signed(
    web: &Web,
    peer: Peer,
    headers: &HeaderMap,
    here: &str,
) -> Result<Signed, Response> {
    let Some(token) = guard::cookie(headers, SESSION) else {
        return Err(to_login(here));
    };
    match web.ask(Some(token), peer, call::Whoami).await {
        Ok(info) if info.must_change_password && here != "/password" => Err(redirect("/password")),
        Ok(info) => Ok(Signed {
            token: token.to_string(),
            csrf: guard::csrf(token),
            info,
        }),
        Err(e) if e.status == 401 => Err(to_login(here)),
        Err(e) => Err(html(status(&e), pages::error(None, &say(&e)))),
    }
}

/// A form's POST: from a page of this node, with its session's CSRF token.
async fn posted(
    web: &Web,
    peer: Peer,
    headers: &HeaderMap,
    csrf: &str,
    here: &str,
) -> Result<Signed, Response> {
    let s = signed(web, peer, headers, here).await?;
    if !guard::same_origin(headers) || !guard::same(csrf, &s.csrf) {
        tracing::info!(addr = %peer.0.ip(), here, "web form refused: bad CSRF token or origin");
        return Err(html(
            StatusCode::FORBIDDEN,
            pages::error(
                Some(&s.me()),
                "Форма устарела или отправлена не со страницы узла: обновите страницу и \
                 повторите",
            ),
        ));
    }
    Ok(s)
}

pub async fn home(headers: HeaderMap) -> Response {
    if guard::cookie(&headers, SESSION).is_some() {
        redirect("/tasks")
    } else {
        redirect("/login")
    }
}

#[derive(Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

fn login_form(error: Option<&str>, login: &str, next: &str, code: StatusCode) -> Response {
    let pre = guard::random();
    let mut r = html(code, pages::login(error, login, &pre, next));
    r.headers_mut()
        .append(header::SET_COOKIE, guard::set_cookie(PRE, Some(&pre)));
    r
}

pub async fn login_page(Query(q): Query<Next>) -> Response {
    let next = guard::local_path(&q.next).unwrap_or("/tasks");
    login_form(None, "", next, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    _pre: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = guard::local_path(&f.next).unwrap_or("/tasks").to_string();
    let pre_ok = guard::cookie(&headers, PRE).is_some_and(|c| guard::same(c, &f._pre));
    if !pre_ok || !guard::same_origin(&headers) {
        return login_form(
            Some("Страница входа устарела: введите логин и пароль ещё раз"),
            &f.login,
            &next,
            StatusCode::FORBIDDEN,
        );
    }
    let args = call::Login {
        login: f.login.trim().to_string(),
        password: f.password,
    };
    match web.ask(None, peer, args).await {
        Ok(info) => {
            let Some(token) = info.token else {
                return login_form(Some("Вход не удался"), &f.login, &next, StatusCode::OK);
            };
            tracing::info!(login = %info.login, addr = %peer.0.ip(), "web session opened");
            let to = if info.must_change_password {
                "/password"
            } else {
                &next
            };
            let mut r = redirect(to);
            let h = r.headers_mut();
            h.append(header::SET_COOKIE, guard::set_cookie(SESSION, Some(&token)));
            h.append(header::SET_COOKIE, guard::set_cookie(PRE, None));
            r
        }
        Err(e) => login_form(Some(&say(&e)), &f.login, &next, status(&e)),
    }
}

#[derive(Deserialize)]
pub struct Csrf {
    #[serde(default)]
    _csrf: String,
}

pub async fn logout(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Form(f): Form<Csrf>,
) -> Response {
    let s = match posted(&web, peer, &headers, &f._csrf, "/tasks").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let _ = web.ask(Some(&s.token), peer, call::Logout).await;
    let mut r = redirect("/login");
    r.headers_mut()
        .append(header::SET_COOKIE, guard::set_cookie(SESSION, None));
    r
}

pub async fn password_page(State(web): St, Extension(peer): At, headers: HeaderMap) -> Response {
    match signed(&web, peer, &headers, "/password").await {
        Ok(s) => html(StatusCode::OK, pages::password(&s.me(), None)),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    old: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub async fn password(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let s = match posted(&web, peer, &headers, &f._csrf, "/password").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if f.new != f.repeat {
        let page = pages::password(&s.me(), Some("Новый пароль и повтор не совпадают"));
        return html(StatusCode::BAD_REQUEST, page);
    }
    let args = call::ChangePassword {
        old: f.old,
        new: f.new,
    };
    match web.ask(Some(&s.token), peer, args).await {
        Ok(()) => redirect("/tasks"),
        Err(e) if e.status == 401 => to_login("/password"),
        Err(e) => html(status(&e), pages::password(&s.me(), Some(&say(&e)))),
    }
}

/// How many of one's tasks the page lists; the rest are in the TUI's queue.
const TASKS_SHOWN: usize = 100;

pub async fn tasks(State(web): St, Extension(peer): At, headers: HeaderMap) -> Response {
    let s = match signed(&web, peer, &headers, "/tasks").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut q = TaskQuery::new(Queue::Mine);
    q.limit = TASKS_SHOWN;
    match web.ask(Some(&s.token), peer, call::Queue(q)).await {
        Ok(page) => html(
            StatusCode::OK,
            pages::tasks(&s.me(), &page.rows, page.next.is_some()),
        ),
        Err(e) => s.fail(&e),
    }
}

#[derive(Deserialize)]
pub struct Number {
    #[serde(default)]
    number: String,
}

pub async fn find(Query(q): Query<Number>) -> Response {
    let n = q.number.trim();
    if n.is_empty() {
        return redirect("/tasks");
    }
    redirect(&format!("/a/{}", pct(n)))
}

#[derive(Deserialize)]
pub struct CardQuery {
    #[serde(default)]
    added: Option<usize>,
}

/// An application's card and its files, as `s` may see them.
async fn card_of(
    web: &Web,
    peer: Peer,
    s: &Signed,
    number: &str,
) -> Result<(ApplicationCard, Vec<volost_domain::Attachment>), ApiError> {
    let args = call::ApplicationByNumber {
        number: number.to_string(),
    };
    let card = web.ask(Some(&s.token), peer, args).await?;
    let owner = FileOwner::Application(card.app.id);
    let files = web.ask(Some(&s.token), peer, call::Files { owner }).await?;
    Ok((card, files))
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
        Ok((c, files)) => {
            let done = q.added.map(|n| format!("Добавлено файлов: {n}"));
            let flash = done.as_deref().map_or(Flash::None, Flash::Done);
            html(StatusCode::OK, pages::card(&s.me(), &c, &files, flash))
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
        Ok((c, files)) => html(
            StatusCode::BAD_REQUEST,
            pages::card(&s.me(), &c, &files, Flash::Error(msg)),
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

fn pdf(name: &str, data: Vec<u8>, inline: bool) -> Response {
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

pub async fn asset(Path((version, name)): Path<(String, String)>) -> Response {
    let (body, kind): (&'static str, &'static str) = match name.as_str() {
        "app.css" => (include_str!("static/app.css"), "text/css; charset=utf-8"),
        "app.js" => (
            include_str!("static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return not_found().await,
    };
    let cache = if version == env!("CARGO_PKG_VERSION") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, cache)],
        body,
    )
        .into_response()
}

pub async fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        pages::error(None, "Нет такой страницы"),
    )
}
