//! «Подпись токеном»: the page where an employee signs, with their own token and the CryptoPro
//! plug-in in their PC, what the node waits for (the signing desk, `crate::desk`). The page
//! polls for the signature waiting, hands the plug-in its digest and sends back what it made;
//! the node judges it. CryptoPro's `cadesplugin_api.js`, which the page needs to reach the
//! plug-in, is CryptoPro's to distribute: the installer puts it at `[web] cadesplugin_api`
//! and the node serves it from there.

use super::Web;
use super::pages;
use super::routes::{At, St, html, signed};
use crate::api::{ApiError, call};
use axum::extract::{Extension, Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The most of CryptoPro's script the node serves (it is some 100 KB).
const MAX_PLUGIN_SCRIPT: u64 = 4 << 20;

fn json(status: StatusCode, v: &serde_json::Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        v.to_string(),
    )
        .into_response()
}

fn answer(r: Result<(), ApiError>, done: &str) -> Response {
    match r {
        Ok(()) => json(
            StatusCode::OK,
            &serde_json::json!({"ok": true, "message": done}),
        ),
        Err(e) => json(
            super::routes::status(&e),
            &serde_json::json!({"ok": false, "message": super::routes::say(&e)}),
        ),
    }
}

pub async fn page(State(web): St, Extension(peer): At, headers: HeaderMap) -> Response {
    match signed(&web, peer, &headers, "/sign").await {
        Ok(s) => html(StatusCode::OK, pages::sign(&s.me())),
        Err(r) => r,
    }
}

/// The page's poll: the session only looked at, not kept alive (an unattended page must not
/// hold a session open past its idle limit).
pub async fn pending(State(web): St, Extension(peer): At, headers: HeaderMap) -> Response {
    let Some(token) = super::guard::cookie(&headers, super::guard::SESSION) else {
        return json(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({"ok": false, "message": "Сеанс закончился: войдите заново"}),
        );
    };
    match web
        .ask(Some(token), peer, call::SigningPending::default())
        .await
    {
        Ok(v) => json(StatusCode::OK, &serde_json::json!(v)),
        Err(e) if e.status == 401 => json(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({"ok": false, "message": "Сеанс закончился: войдите заново"}),
        ),
        Err(e) => answer(Err(e), ""),
    }
}

#[derive(Deserialize)]
pub struct Done {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    certificate: String,
    #[serde(default)]
    signature: String,
}

/// A POST of the page's script (same origin, its session's CSRF token): `args` asked of the
/// API, its answer in JSON with `done` for success.
async fn post<R>(
    web: &Web,
    peer: crate::listen::Peer,
    headers: &HeaderMap,
    csrf: &str,
    args: R,
    done: &str,
) -> Response
where
    R: volost_api::Op<Reply = ()> + Send + 'static,
{
    let token = match super::routes::posted(web, peer, headers, csrf, "/sign").await {
        Ok(s) => s.token,
        Err(_) => {
            return json(
                StatusCode::FORBIDDEN,
                &serde_json::json!({"ok": false, "message":
                    "Страница устарела или открыта не с узла: обновите её"}),
            );
        }
    };
    answer(web.ask(Some(&token), peer, args).await, done)
}

pub async fn done(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Form(f): Form<Done>,
) -> Response {
    let args = call::SigningDone {
        id: f.id,
        certificate: f.certificate,
        signature: f.signature,
    };
    post(
        &web,
        peer,
        &headers,
        &f._csrf,
        args,
        "Подписано: действие продолжается",
    )
    .await
}

#[derive(Deserialize)]
pub struct Declined {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    id: String,
}

pub async fn declined(
    State(web): St,
    Extension(peer): At,
    headers: HeaderMap,
    Form(f): Form<Declined>,
) -> Response {
    let args = call::SigningDeclined { id: f.id };
    let done = "Подпись отклонена: ничего не отправлено";
    post(&web, peer, &headers, &f._csrf, args, done).await
}

/// CryptoPro's script, from where the installer put it; without it the page says what to do.
pub async fn plugin_script(State(web): St) -> Response {
    let path = web.plugin_script.clone();
    let read = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let f = std::fs::File::open(&path)?;
        let mut body = Vec::new();
        f.take(MAX_PLUGIN_SCRIPT).read_to_end(&mut body)?;
        Ok::<_, std::io::Error>(body)
    })
    .await;
    match read {
        Ok(Ok(body)) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            body,
        )
            .into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            "// cadesplugin_api.js is not installed on the node ([web] cadesplugin_api)\n",
        )
            .into_response(),
    }
}
