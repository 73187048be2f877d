//! The HTTP endpoint's accept loop and connections, in place of `axum::serve`, whose
//! connections have no header timeout, no idle timeout and no cap: with them a LAN client could
//! hold thousands of half-sent requests of 400 KB each (RELIABILITY.md, «Атаки из сети»).
//!
//! Each connection is admitted by the [`Gate`] before anything is read (and before the TLS
//! handshake), its request head must arrive whole within `header_timeout` and fit in
//! `max_head_bytes`, and it is closed after `idle_timeout` without a byte either way while no
//! request is being answered.

use super::Shutdown;
use super::gate::Gate;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The client's address, for the handlers (per-client limits, what /health tells whom).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

#[derive(Clone, Debug)]
pub struct ConnLimits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    /// hyper's read buffer, and so the longest request head (at least 8 KiB).
    pub max_head_bytes: usize,
    /// How long connections get to finish at shutdown.
    pub drain: Duration,
}

/// Accepts until shutdown, then gives open connections `drain` to finish.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<super::tls::Acceptor>>,
    app: Router,
    gate: Arc<Gate>,
    limits: ConnLimits,
    mut shutdown: Shutdown,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((tcp, peer)) => {
                    let Ok(ticket) = gate.admit(peer.ip()) else {
                        // Closed unread: refusing costs the node nothing it must keep.
                        tracing::debug!(%peer, "connection refused: over the limit");
                        continue;
                    };
                    let (app, limits, sd, tls) =
                        (app.clone(), limits.clone(), shutdown.clone(), tls.clone());
                    conns.spawn(async move {
                        let _ticket = ticket;
                        let _ = tcp.set_nodelay(true);
                        match tls {
                            None => connection(tcp, peer, app, &limits, sd).await,
                            Some(acceptor) => match super::tls::handshake(&acceptor.get(), tcp).await {
                                Ok(s) => connection(s, peer, app, &limits, sd).await,
                                Err(e) => tracing::debug!(%peer, "TLS handshake: {e}"),
                            },
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors, most likely: wait rather than spin.
                    tracing::warn!("http accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = shutdown.wait() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.drain + Duration::from_secs(1), async {
        while conns.join_next().await.is_some() {}
    })
    .await;
}

/// When the connection last moved a byte, and how many requests it is answering.
struct Activity {
    base: Instant,
    last_ms: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let now = self.base.elapsed().as_millis();
        let last = u128::from(self.last_ms.load(Ordering::Relaxed));
        Duration::from_millis(u64::try_from(now.saturating_sub(last)).unwrap_or(u64::MAX))
    }
}

/// Marks a request in progress while it lives.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(a: &Arc<Activity>) -> Busy {
        a.busy.fetch_add(1, Ordering::Relaxed);
        Busy(a.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// The connection's stream, noting every byte that moves.
struct Watched<I> {
    inner: I,
    activity: Arc<Activity>,
}

impl<I: AsyncRead + Unpin> AsyncRead for Watched<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Watched<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

async fn connection<I>(io: I, peer: SocketAddr, app: Router, l: &ConnLimits, mut shutdown: Shutdown)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity {
        base: Instant::now(),
        last_ms: AtomicU64::new(0),
        busy: AtomicUsize::new(0),
    });
    let io = Watched {
        inner: io,
        activity: activity.clone(),
    };
    let a = activity.clone();
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(Peer(peer));
        let busy = Busy::new(&a);
        let app = app.clone();
        async move {
            let res = app.oneshot(req.map(axum::body::Body::new)).await;
            drop(busy);
            res
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(l.header_timeout)
        .max_buf_size(l.max_head_bytes.max(8192))
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut closing: Option<Instant> = None;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(%peer, "http connection: {e}");
                }
                return;
            }
            _ = shutdown.wait(), if closing.is_none() => {
                conn.as_mut().graceful_shutdown();
                closing = Some(Instant::now());
            }
            _ = tick.tick() => {
                match closing {
                    // A client that reads no answer cannot hold its place past the drain.
                    Some(since) if since.elapsed() > l.drain => return,
                    Some(_) => {}
                    None if activity.busy.load(Ordering::Relaxed) == 0
                        && activity.idle_for() > l.idle_timeout =>
                    {
                        conn.as_mut().graceful_shutdown();
                        closing = Some(Instant::now());
                    }
                    None => {}
                }
            }
        }
    }
}
