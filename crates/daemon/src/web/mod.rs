//! «Окно документов»: the staff web page, on a listener of its own (`[web]`), always HTTPS.
//! Staff sign in with their node accounts and attach scans to an application, download its
//! files and print its documents from the browser (the PC's own printer and scanner).
//!
//! Every action is an API call through [`Api::ask`]: the same sessions, lockout, first
//! password, rights and audit as the TUI on the socket; this module only turns forms into
//! calls and views into pages ([`pages`]). The listener has its own connection gate and
//! limits (an upload holds a file in memory, so only `max_uploads` are read at once).

pub mod cert;
mod files;
mod guard;
mod pages;
mod routes;
mod sign;
mod templates;

use crate::api::{Api, ApiError, Caller};
use crate::listen::Peer;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use volost_api::Op;

pub struct Web {
    api: Arc<Api>,
    /// CryptoPro's `cadesplugin_api.js`, as the installer put it (`[web] cadesplugin_api`).
    plugin_script: std::path::PathBuf,
    /// Uploads read at once.
    uploads: tokio::sync::Semaphore,
}

/// A multipart request's own bytes beside the file (boundaries, headers, the CSRF field).
const FORM_OVERHEAD: usize = 64 * 1024;

/// The largest body of any other form: a template's text (at most 256 KB, Cyrillic tripled by
/// URL encoding) with room to spare.
const FORM_LIMIT: usize = 1 << 20;

impl Web {
    pub fn new(api: Arc<Api>, max_uploads: usize, plugin_script: std::path::PathBuf) -> Web {
        Web {
            api,
            plugin_script,
            uploads: tokio::sync::Semaphore::new(max_uploads),
        }
    }

    /// Runs an API operation on a blocking thread (the service layer blocks), as the
    /// client at `peer`.
    async fn ask<R>(&self, token: Option<&str>, peer: Peer, args: R) -> Result<R::Reply, ApiError>
    where
        R: Op + Send + 'static,
        R::Reply: Send + 'static,
    {
        let api = self.api.clone();
        let token = token.map(str::to_string);
        let caller = Caller {
            addr: Some(peer.0.ip()),
            ..Caller::default()
        };
        tokio::task::spawn_blocking(move || api.ask(token.as_deref(), &caller, args))
            .await
            .unwrap_or_else(|_| Err(ApiError::new(500, "internal", "Внутренняя ошибка узла")))
    }
}

/// The page's address as staff type it: `[web] url`, or the listening address with the
/// machine's first LAN address for an unspecified one.
pub fn url(cfg: &volost_config::WebConfig, bound: Option<std::net::SocketAddr>) -> Option<String> {
    if !cfg.url.is_empty() {
        return Some(cfg.url.trim_end_matches('/').to_string());
    }
    let b = bound?;
    let ip = if b.ip().is_unspecified() {
        cert::machine_names()
            .iter()
            .filter_map(|n| n.parse::<std::net::IpAddr>().ok())
            .find(|ip| ip.is_ipv4() && !ip.is_loopback())
            .unwrap_or(b.ip())
    } else {
        b.ip()
    };
    Some(match ip {
        std::net::IpAddr::V6(v6) => format!("https://[{v6}]:{}", b.port()),
        v4 => format!("https://{v4}:{}", b.port()),
    })
}

/// The routes, for the router and the tests alike.
pub fn router(web: Arc<Web>, max_file_bytes: u64, timeout: Duration) -> Router {
    let upload = usize::try_from(max_file_bytes).unwrap_or(usize::MAX) + FORM_OVERHEAD;
    // Every body but an upload's is a small form: a crowd of connections each sending a
    // large one to any other address holds little memory.
    let forms = Router::new()
        .route("/", get(routes::home))
        .route("/login", get(routes::login_page).post(routes::login))
        .route("/logout", post(routes::logout))
        .route(
            "/password",
            get(routes::password_page).post(routes::password),
        )
        .route("/tasks", get(routes::tasks))
        .route("/sign", get(sign::page))
        .route("/sign/pending", get(sign::pending))
        .route("/sign/done", post(sign::done))
        .route("/sign/declined", post(sign::declined))
        .route("/sign/cadesplugin_api.js", get(sign::plugin_script))
        .route("/a", get(routes::find))
        .route("/a/{number}", get(files::card))
        .route("/a/{number}/print/{kind}", post(files::print))
        .route("/files/{id}", get(files::download))
        .route("/templates", get(templates::templates))
        .route(
            "/templates/{kind}",
            get(templates::template_page).post(templates::template_save),
        )
        .route(
            "/templates/{kind}/preview",
            post(templates::template_preview),
        )
        .route("/templates/{kind}/reset", post(templates::template_reset))
        .route("/static/{version}/{name}", get(routes::asset))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(RequestBodyLimitLayer::new(FORM_LIMIT));
    // An upload is read only with one of `max_uploads` permits (`files::upload`).
    let uploads = Router::new()
        .route("/a/{number}/files", post(files::upload))
        .layer(DefaultBodyLimit::max(upload))
        .layer(RequestBodyLimitLayer::new(upload));
    forms
        .merge(uploads)
        .fallback(routes::not_found)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // Outermost, so that what the layers above refuse gets a page and the headers too.
        .layer(axum::middleware::map_response(finish))
        .with_state(web)
}

/// Every answer leaves hardened; what a layer refused with an empty body gets a page.
async fn finish(res: Response) -> Response {
    let status = res.status();
    let is = |r: &Response, kind: &[u8]| {
        r.headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(kind))
    };
    let is_html = |r: &Response| is(r, b"text/html");
    // The signing page's script reads the node's answers as JSON, refusals included.
    let said = |r: &Response| is_html(r) || is(r, b"application/json");
    let mut res = if (status.is_client_error() || status.is_server_error()) && !said(&res) {
        let msg = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "Слишком большой запрос: файл больше допустимого",
            StatusCode::REQUEST_TIMEOUT => "Запрос выполнялся слишком долго: повторите",
            StatusCode::METHOD_NOT_ALLOWED => "Этот адрес не принимает такой запрос",
            _ => "Неверный запрос",
        };
        routes::page(status, pages::error(None, msg))
    } else {
        res
    };
    let page = is_html(&res);
    guard::harden(res.headers_mut(), page);
    res
}
