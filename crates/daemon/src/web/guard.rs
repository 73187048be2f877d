//! What stands between a browser and the API: the session cookie, the CSRF token of every
//! form, the origin of every POST, and the headers every answer carries.
//!
//! The session is the API's own token (the same table, idle timeout and lockout as the TUI's)
//! in a `__Host-` cookie: Secure, HttpOnly, SameSite=Strict, for this host and path `/` only.
//! A form's CSRF token is derived from the session's (a hash no page script can compute, as
//! the cookie is out of its reach); the sign-in form, which has no session yet, carries a
//! random one that must match a cookie of its own (double submit).

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "__Host-volost";
pub const PRE: &str = "__Host-volost-pre";

/// A cookie's value from the request, if it is there and looks like one of ours (hex).
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| (16..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` of a cookie of ours; `None` clears it.
pub fn set_cookie(name: &str, value: Option<&str>) -> HeaderValue {
    let v = match value {
        Some(v) => format!("{name}={v}; Path=/; Secure; HttpOnly; SameSite=Strict"),
        None => format!("{name}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"),
    };
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The CSRF token of the forms of a session.
pub fn csrf(session: &str) -> String {
    let d = openssl::sha::sha256(format!("volost-web-csrf\0{session}").as_bytes());
    crate::api::session::hex(&d[..16])
}

/// The sign-in form's own token (128 bits).
pub fn random() -> String {
    crate::api::session::random_hex::<16>()
}

/// Equal in constant time: a token is not guessed a byte at a time from timings.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a.as_bytes(), b.as_bytes())
}

/// A POST must come from a page of this node: a browser names the page's origin, which must
/// be this host over HTTPS. (Browsers send `Origin` on every POST; a request without it is not
/// a browser's form and still needs the CSRF token.)
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(o), Some(h)) => o.strip_prefix("https://") == Some(h),
        _ => false,
    }
}

/// A place to go back to after signing in: a path of this site only.
pub fn local_path(p: &str) -> Option<&str> {
    (p.starts_with('/') && !p.starts_with("//") && !p.contains(['\\', '\r', '\n']) && p.len() < 512)
        .then_some(p)
}

/// Headers every answer carries: no framing, no sniffing, no address sent to other sites,
/// scripts and styles of this node only.
pub fn harden(h: &mut HeaderMap, page: bool) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // `same-origin`, not `no-referrer`: under the latter a browser sends `Origin: null` with
    // the page's own forms (the Fetch standard), and the origin check could not tell them.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    if page {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; object-src 'none'; \
                 frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cookies_origins_and_paths() {
        let mut h = HeaderMap::new();
        let tok = "ab".repeat(32);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {SESSION}={tok}; {PRE}=zz")).unwrap(),
        );
        assert_eq!(cookie(&h, SESSION), Some(tok.as_str()));
        assert_eq!(cookie(&h, PRE), None, "not hex");
        assert!(same_origin(&h), "no Origin: the token decides");
        h.insert(header::HOST, HeaderValue::from_static("10.0.0.5:8443"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://10.0.0.5:8443"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://10.0.0.5:8443"),
        );
        assert!(!same_origin(&h));
        assert_eq!(local_path("/a/1"), Some("/a/1"));
        assert_eq!(local_path("//evil.example"), None);
        assert_eq!(local_path("https://evil.example"), None);
        assert_ne!(csrf("a"), csrf("b"));
        assert!(same(&csrf("a"), &csrf("a")));
        assert!(!same(&csrf("a"), &csrf("b")));
    }
}
