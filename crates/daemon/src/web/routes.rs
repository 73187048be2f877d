//! The handlers: a form or a link in, API calls, a page (or a file) out.

use super::Web;
use super::guard::{self, PRE, SESSION};
use super::pages::{self, Me};
use crate::api::{ApiError, SessionInfo, call};
use crate::listen::Peer;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use serde::Deserialize;
use std::sync::Arc;
use volost_api::view::TaskQuery;
use volost_domain::Queue;

pub(super) type St = State<Arc<Web>>;
pub(super) type At = Extension<Peer>;

pub(super) fn page(status: StatusCode, m: Markup) -> Response {
    html(status, m)
}

pub(super) fn html(status: StatusCode, m: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        m.into_string(),
    )
        .into_response()
}

pub(super) fn redirect(to: &str) -> Response {
    let loc = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, loc)]).into_response()
}

/// What the API refused, for staff: its message and each field's.
pub(super) fn say(e: &ApiError) -> String {
    let mut s = e.message.clone();
    for f in &e.fields {
        s.push_str(&format!(" {}: {}.", f.field, f.message));
    }
    s
}

pub(super) fn status(e: &ApiError) -> StatusCode {
    StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub(super) fn pct(s: &str) -> String {
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
pub(super) struct Signed {
    pub(super) token: String,
    pub(super) info: SessionInfo,
    pub(super) csrf: String,
}

impl Signed {
    pub(super) fn me(&self) -> Me<'_> {
        Me {
            info: &self.info,
            csrf: &self.csrf,
        }
    }

    pub(super) fn fail(&self, e: &ApiError) -> Response {
        if e.status == 401 {
            return to_login("/tasks");
        }
        html(status(e), pages::error(Some(&self.me()), &say(e)))
    }
}

/// The session of a request, or where the browser must go instead: the sign-in page, or the
/// password page while the first password is not changed.
pub(super) async fn signed(
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
pub(super) async fn posted(
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
    pub(super) _csrf: String,
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

pub async fn asset(Path((version, name)): Path<(String, String)>) -> Response {
    let (body, kind): (&'static str, &'static str) = match name.as_str() {
        "app.css" => (include_str!("static/app.css"), "text/css; charset=utf-8"),
        "app.js" => (
            include_str!("static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "sign.js" => (
            include_str!("static/sign.js"),
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
