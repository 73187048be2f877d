//! The local API's transport: a Unix socket, newline-delimited JSON, one request at a time
//! per connection. Each request runs on a blocking thread to the end even if the client goes
//! away, so a dropped connection leaves the whole operation or none of it.

use super::Shutdown;
use crate::api::{Api, ApiError, Caller, Reply, Request};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;

/// Longest request line: a file of the node's largest size in base64 with room around it,
/// and never under 1 MiB (forms are small).
pub fn line_limit(max_file_bytes: u64) -> usize {
    let b64 = max_file_bytes.div_ceil(3).saturating_mul(4);
    usize::try_from(b64.saturating_add(64 * 1024))
        .unwrap_or(usize::MAX)
        .max(1 << 20)
}

/// Binds the socket: a stale file from a crashed run is replaced, a live daemon is not.
pub fn bind(path: &Path, group: &str) -> std::io::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                format!("{} is served by a running daemon", path.display()),
            ));
        }
        std::fs::remove_file(path)?;
    }
    let l = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
    if !group.is_empty() {
        match nix::unistd::Group::from_name(group) {
            Ok(Some(g)) => std::os::unix::fs::chown(path, None, Some(g.gid.as_raw()))?,
            _ => tracing::warn!(
                group,
                "group not found: the socket keeps the daemon's group, so only the daemon's \
                 user and root can connect"
            ),
        }
    }
    Ok(l)
}

fn caller_of(s: &UnixStream) -> Caller {
    let me = nix::unistd::geteuid().as_raw();
    match s.peer_cred() {
        Ok(c) => Caller {
            uid: Some(c.uid()),
            pid: c.pid(),
            operator: c.uid() == 0 || c.uid() == me,
            addr: None,
        },
        Err(_) => Caller::default(),
    }
}

/// Connections open at once on the socket, and from one user: a council has a dozen staff,
/// each with a terminal or two; a runaway script of one of them must not shut out the rest.
pub const MAX_CONNECTIONS: usize = 512;
pub const MAX_PER_USER: usize = 64;

/// Accepts connections until shutdown, then waits for the connections' requests in flight.
pub async fn serve(listener: UnixListener, api: Arc<Api>, mut shutdown: Shutdown) {
    let mut conns = JoinSet::new();
    let mut per_user: std::collections::HashMap<Option<u32>, usize> = Default::default();
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => {
                    let caller = caller_of(&s);
                    let mine = per_user.get(&caller.uid).copied().unwrap_or(0);
                    // The operator (root, the daemon's own user) is never refused: it is how
                    // support gets in to see what is wrong.
                    if !caller.operator && (conns.len() >= MAX_CONNECTIONS || mine >= MAX_PER_USER) {
                        tracing::warn!(uid = caller.uid, open = conns.len(), "local connection refused: over the limit");
                        tokio::spawn(refuse(s));
                        continue;
                    }
                    tracing::debug!(uid = caller.uid, pid = caller.pid, "local connection");
                    *per_user.entry(caller.uid).or_insert(0) += 1;
                    let (api, sd) = (api.clone(), shutdown.clone());
                    conns.spawn(async move {
                        connection(s, caller, api, sd).await;
                        caller.uid
                    });
                }
                Err(e) => {
                    tracing::warn!("local accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            Some(done) = conns.join_next(), if !conns.is_empty() => {
                if let Ok(uid) = done
                    && let Some(n) = per_user.get_mut(&uid)
                {
                    *n -= 1;
                    if *n == 0 {
                        per_user.remove(&uid);
                    }
                }
            }
            _ = shutdown.wait() => break,
        }
    }
    drop(listener);
    while conns.join_next().await.is_some() {}
}

/// Tells a refused client why, briefly, and closes.
async fn refuse(mut s: UnixStream) {
    let reply = Reply::Error(ApiError::new(
        503,
        "too_many_connections",
        "Слишком много подключений к узлу: закройте лишние окна и повторите",
    ));
    if let Ok(mut out) = serde_json::to_vec(&reply) {
        out.push(b'\n');
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), s.write_all(&out)).await;
    }
}

/// Reads one line of at most `max` bytes; `Ok(None)` at a clean end of stream.
async fn read_line<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    buf: &mut Vec<u8>,
    max: usize,
) -> Result<Option<()>, ApiError> {
    buf.clear();
    let n = (&mut *r)
        .take(max as u64 + 1)
        .read_until(b'\n', buf)
        .await
        .map_err(|e| ApiError::bad_request(format!("Ошибка чтения запроса: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        if buf.len() > max {
            return Err(ApiError::new(
                413,
                "too_large",
                format!("Запрос больше {max} байт"),
            ));
        }
        // The peer closed mid-line: a partial request is never run.
        return Ok(None);
    }
    Ok(Some(()))
}

fn parse(line: &[u8]) -> Result<Request, ApiError> {
    serde_json::from_slice(line).map_err(|e| {
        let code = if e.is_syntax() || e.is_eof() {
            "malformed_json"
        } else {
            "bad_request"
        };
        ApiError::new(400, code, format!("Неверный запрос: {e}"))
    })
}

async fn connection(s: UnixStream, caller: Caller, api: Arc<Api>, mut shutdown: Shutdown) {
    let (rd, mut wr) = s.into_split();
    let mut rd = BufReader::new(rd);
    let mut buf = Vec::with_capacity(1024);
    let max = line_limit(api.node.options().max_file_bytes);
    loop {
        let line = tokio::select! {
            l = read_line(&mut rd, &mut buf, max) => l,
            _ = shutdown.wait() => break,
        };
        let (reply, close) = match line {
            Ok(None) => break,
            Err(e) => (Reply::Error(e), true),
            Ok(Some(())) => match parse(&buf) {
                Err(e) => (Reply::Error(e), false),
                Ok(req) => {
                    let api = api.clone();
                    let r = tokio::task::spawn_blocking(move || api.handle(req, &caller)).await;
                    let reply = match r {
                        Ok(Ok(v)) => Reply::Ok(v),
                        Ok(Err(e)) => Reply::Error(e),
                        Err(e) => {
                            tracing::error!("request task failed: {e}");
                            Reply::Error(ApiError::new(500, "internal", "Внутренняя ошибка узла"))
                        }
                    };
                    (reply, false)
                }
            },
        };
        let mut out = match serde_json::to_vec(&reply) {
            Ok(v) => v,
            Err(e) => {
                tracing::error!("reply not serialisable: {e}");
                break;
            }
        };
        out.push(b'\n');
        if wr.write_all(&out).await.is_err() || close {
            break;
        }
    }
}
