//! The HTTP endpoint: health and metrics for monitoring, the applicants' status lookup, and
//! the OpenAPI document of these routes. Every error, including the framework's own (404,
//! 405, 408, 413), leaves as the one JSON error shape.

use super::State;
use super::gate::Client;
use super::listen::Peer;
use crate::api::ApiError;
use axum::Router;
use axum::extract::{Extension, MatchedPath, Path, Query, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// Every route, for the router and the OpenAPI document alike (a test holds them together).
pub const ROUTES: [&str; 4] = [
    "/health",
    "/metrics",
    "/api/v1/applications/{number}/status",
    "/api/v1/openapi.json",
];

pub fn router(state: Arc<State>, body_limit: usize, timeout: Duration) -> Router {
    Router::new()
        .route(ROUTES[0], get(health))
        .route(ROUTES[1], get(metrics))
        .route(ROUTES[2], get(status))
        .route(ROUTES[3], get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(RequestBodyLimitLayer::new(body_limit))
        // Outermost, so it sees (and shapes) what the two layers above refuse.
        .layer(middleware::from_fn_with_state(state.clone(), shape))
        .with_state(state)
}

fn json(status: StatusCode, v: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            b,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn error(e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, &serde_json::json!({ "error": e }))
}

async fn not_found() -> Response {
    error(&ApiError::new(404, "not_found", "Нет такого адреса"))
}

async fn method_not_allowed() -> Response {
    error(&ApiError::new(
        405,
        "method_not_allowed",
        "Этот адрес не принимает такой метод",
    ))
}

/// Counts requests per route and status for `/metrics`, and gives a JSON body to the errors
/// that layers produce with an empty one (timeouts, oversized bodies).
async fn shape(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let status = res.status();
    state.count_http(&route, status.as_u16());
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (code, msg) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "Слишком большой запрос"),
            StatusCode::REQUEST_TIMEOUT => ("timeout", "Запрос выполнялся слишком долго"),
            _ => ("bad_request", "Неверный запрос"),
        };
        return error(&ApiError::new(status.as_u16(), code, msg));
    }
    res
}

/// Whether the request comes from the node itself or a monitoring address: only they see
/// /health's details and /metrics.
fn privileged(state: &State, peer: Option<&Extension<Peer>>) -> bool {
    peer.is_some_and(|p| state.gate.is_privileged(p.0.0.ip()))
}

async fn health(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    peer: Option<Extension<Peer>>,
) -> Response {
    let details = privileged(&state, peer.as_ref());
    let node = state.api.node.clone();
    // The outbox is read in the same blocking task: a backlog that grows while the link is
    // up is what support should see first.
    let db = tokio::task::spawn_blocking(move || {
        node.store().read()?;
        Ok::<_, volost_core::Error>((
            node.exchange_backlog()?,
            node.store().read_only(),
            node.calendar_status()?,
            node.staff_certs_ending()?,
        ))
    })
    .await;
    let (db_ok, backlog, read_only, calendar, staff) = match db {
        Ok(Ok((b, ro, c, s))) => (true, Some(b), ro, Some(c), Some(s)),
        _ => (false, None, false, None, None),
    };
    let smev = state.api.link.snapshot();
    let mut smev_json = serde_json::to_value(&smev).unwrap_or_default();
    if let (Some((waiting, oldest)), Some(o)) = (backlog, smev_json.as_object_mut()) {
        o.insert("outbox".into(), waiting.into());
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        o.insert(
            "outbox_oldest_seconds".into(),
            oldest.map(|t| (now - t.0 / 1000).max(0)).into(),
        );
    }
    let disk = state.disk();
    let disk_low = disk.is_some_and(|(free, _)| free < volost_store::LOW_SPACE);
    let body = serde_json::json!({
        "status": match (db_ok, read_only, disk_low) {
            (false, _, _) => "failing",
            (true, true, _) => "read_only",
            (true, false, true) => "disk_full",
            (true, false, false) => "ok",
        },
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": state.started.elapsed().as_secs(),
        "database": { "ok": db_ok, "read_only": read_only },
        // Deadlines past `confirmed_until` are counted by the Labour Code alone until the
        // government's decree for their year is loaded (`volost calendar import`).
        "calendar": calendar.map(|c| serde_json::json!({
            "confirmed_until": c.confirmed_until.map(|d| d.to_string()),
            "provisional_from": c.confirmed_until
                .and_then(|d| d.next_day())
                .unwrap_or_else(|| {
                    time::Date::from_calendar_date(c.today.year(), time::Month::January, 1)
                        .unwrap_or(c.today)
                })
                .to_string(),
        })),
        // The OpenSSL engine signs only for tests and the demo: support sees it at once.
        "signing": smev.signer.as_ref().map(|provider| serde_json::json!({
            "provider": provider,
            "certified": !smev.uncertified,
            "warning": smev.uncertified.then_some(volost_smev::signer::UNCERTIFIED),
        })),
        // Staff certificates (ЭП-СП) near their end: each staff member sees their own on the
        // status line; support sees them all coming here.
        "staff_certificates": staff.map(|(ending, ended)| serde_json::json!({
            "ending_within_days": volost_core::service::WARN_DAYS,
            "ending": ending,
            "ended": ended,
        })),
        "smev": smev_json,
        "rsmev": state.api.regional_link.snapshot(),
        // Whose signatures the exchange takes, and what the CRL refresh could not fetch.
        "trust": trust_json(&state).await,
        "disk": disk.map(|(free, total)| serde_json::json!({
            "free_bytes": free,
            "total_bytes": total,
            "low": disk_low,
        })),
        // A clock not yet set from a time server is a warning, not a failure: the node
        // works, but SMEV may refuse its messages' timestamps.
        "clock": { "synchronized": state.clock_synchronized() },
    });
    let up = db_ok && !read_only && !disk_low;
    let status = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    if !details {
        // The LAN learns up or down; versions, paths and the SMEV link are support's.
        return json(
            status,
            &serde_json::json!({ "status": if up { "up" } else { "down" } }),
        );
    }
    json(status, &body)
}

async fn metrics(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    peer: Option<Extension<Peer>>,
) -> Response {
    if !privileged(&state, peer.as_ref()) {
        return error(&ApiError::new(
            403,
            "forbidden",
            "Метрики доступны только с самого узла и с адресов мониторинга",
        ));
    }
    let st = state.clone();
    match tokio::task::spawn_blocking(move || st.metrics_text()).await {
        Ok(Ok(text)) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Ok(Err(e)) => error(&e.into()),
        Err(_) => error(&ApiError::new(500, "internal", "Внутренняя ошибка узла")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusParams {
    code: Option<String>,
}

async fn status(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    peer: Option<Extension<Peer>>,
    Path(number): Path<String>,
    params: Result<Query<StatusParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Query(params) = match params {
        Ok(p) => p,
        Err(e) => {
            return error(&ApiError::bad_request(format!(
                "Неверные параметры запроса: {}",
                e.body_text()
            )));
        }
    };
    // The code may come in a header, so that it stays out of proxies' access logs.
    let code = headers
        .get("x-access-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(params.code)
        .unwrap_or_default();
    if code.trim().is_empty() {
        return error(&ApiError::new(
            400,
            "access_code_required",
            "Укажите код доступа из расписки о приёме заявления",
        ));
    }
    // Only well-formed numbers and codes are looked up or counted: no variant of a number
    // gets limits of its own, and nothing an attacker sends is kept but a fixed-size count.
    let Some(number) = volost_domain::canonical_number(&number) else {
        return error(&ApiError::new(
            400,
            "bad_number",
            "Неверный номер заявления: он выглядит так: 2026-000123",
        ));
    };
    let Some(code) = volost_domain::normalize_access_code(&code) else {
        return error(&ApiError::new(
            400,
            "bad_access_code",
            "Код доступа — 12 цифр из расписки о приёме заявления",
        ));
    };
    let client = Client::of(peer.map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |p| p.0.0.ip()));
    if let Err(why) = state.misses.admit(client, &number) {
        tracing::info!(?client, number, ?why, "status lookup refused");
        return error(&ApiError::new(
            429,
            "too_many_attempts",
            "Слишком много неверных кодов доступа: повторите через 15 минут",
        ));
    }
    let node = state.api.node.clone();
    let n = number.clone();
    let r = tokio::task::spawn_blocking(move || node.public_status(&n, &code)).await;
    match r {
        Ok(Ok(s)) => json(StatusCode::OK, &s),
        Ok(Err(volost_core::Error::NotFound { .. })) => {
            state.misses.miss(client, &number);
            error(&ApiError::new(
                404,
                "not_found",
                "Заявление с таким номером и кодом доступа не найдено",
            ))
        }
        Ok(Err(e)) => error(&e.into()),
        Err(_) => error(&ApiError::new(500, "internal", "Внутренняя ошибка узла")),
    }
}

async fn openapi() -> Response {
    let mut res = json(StatusCode::OK, &openapi_doc());
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600"),
    );
    res
}

/// The OpenAPI 3.1 document of [`ROUTES`].
pub fn openapi_doc() -> serde_json::Value {
    use serde_json::json;
    let err = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "volost node",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP endpoint of a volost node: monitoring and the applicants' status lookup. Staff work through the local API (Unix socket), not here."
        },
        "paths": {
            ROUTES[0]: {"get": {
                "summary": "Health of the database and the SMEV link. Details go only to the node itself and the configured monitoring addresses; any other client gets {\"status\": \"up\"} or {\"status\": \"down\"}",
                "responses": {
                    "200": {"description": "The node works", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
                    "503": {"description": "The database cannot be read", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
                }
            }},
            ROUTES[1]: {"get": {
                "summary": "Prometheus metrics: tasks per queue, overdue tasks, requests per status, SMEV errors, group commit",
                "responses": {
                    "200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}},
                    "403": err("Not from the node itself or a monitoring address")
                }
            }},
            ROUTES[2]: {"get": {
                "summary": "Status of an application, for its applicant",
                "parameters": [
                    {"name": "number", "in": "path", "required": true, "schema": {"type": "string"}, "example": "2026-000123"},
                    {"name": "code", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Access code from the receipt (or the X-Access-Code header)"},
                    {"name": "X-Access-Code", "in": "header", "required": false, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {"description": "The status", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublicStatus"}}}},
                    "400": err("No access code, a malformed number or code, or bad parameters"),
                    "404": err("No application with this number and code"),
                    "429": err("Too many wrong codes from this client, or for this number from clients that guessed wrong")
                }
            }},
            ROUTES[3]: {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}
            }}
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string", "description": "Stable, English"},
                    "message": {"type": "string", "description": "For people, Russian"},
                    "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }
            }}},
            "Health": {"type": "object", "properties": {
                "status": {"enum": ["ok", "read_only", "disk_full", "failing", "up", "down"]},
                "version": {"type": "string"},
                "uptime_seconds": {"type": "integer"},
                "database": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
                "smev": {"type": "object", "properties": {
                    "state": {"enum": ["not_configured", "up", "down"]},
                    "errors_total": {"type": "integer"},
                    "last_error": {"type": ["string", "null"]},
                    "last_contact": {"type": ["integer", "null"], "description": "Unix seconds of the last successful exchange"}
                }}
            }},
            "PublicStatus": {"type": "object", "required": ["number", "service", "status", "status_code", "submitted", "updated"], "properties": {
                "number": {"type": "string"},
                "service": {"type": "string"},
                "status": {"type": "string", "description": "As staff see it, Russian"},
                "status_code": {"enum": ["registered", "deciding", "approving_positive", "approving_refusal", "approved_positive", "approved_refusal", "closed"]},
                "submitted": {"type": "string", "description": "ДД.ММ.ГГГГ"},
                "due": {"type": ["string", "null"]},
                "decided": {"type": ["string", "null"]},
                "updated": {"type": "string"}
            }}
        }}
    })
}

/// The trust directory on /health: how many certificates of the exchange and of CAs, CRLs
/// held, and the last CRL refresh's failures (addresses and why, for support).
async fn trust_json(state: &Arc<State>) -> serde_json::Value {
    let trust = state.trust.clone();
    let stores = tokio::task::spawn_blocking(move || trust.stores()).await;
    let failed: Vec<_> = state
        .trust
        .refresh_failures()
        .into_iter()
        .map(|(url, why)| serde_json::json!({ "url": url, "error": why }))
        .collect();
    match stores {
        Ok(Ok(s)) => serde_json::json!({
            "exchange_certificates": s.exchange.certs.len(),
            "ca_certificates": s.staff.certs.len(),
            "crls": s.exchange.revocations.len() + s.staff.revocations.len(),
            "crl_refresh_failed": failed,
        }),
        Ok(Err(e)) => serde_json::json!({ "error": e.to_string() }),
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_lists_every_route() {
        let doc = openapi_doc();
        let paths = doc["paths"].as_object().map(|m| m.len());
        assert_eq!(paths, Some(ROUTES.len()));
        for r in ROUTES {
            assert!(doc["paths"].get(r).is_some(), "{r} missing from openapi");
        }
    }
}
