//! HTTPS for the HTTP endpoint when `tls_cert` and `tls_key` are set: OpenSSL (the library
//! the SMEV signatures use too), TLS 1.2 and later with Mozilla's intermediate settings.
//! Handshakes run each in a task of their own with a time limit, so a slow or silent client
//! holds up nobody else's connection.

use super::Shutdown;
use openssl::ssl::{Ssl, SslAcceptor, SslFiletype, SslMethod};
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_openssl::SslStream;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The acceptor for the certificate chain and key in PEM files; errors name the file.
pub fn acceptor(cert: &Path, key: &Path) -> Result<SslAcceptor, String> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())
        .map_err(|e| format!("TLS setup: {e}"))?;
    b.set_certificate_chain_file(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    b.set_private_key_file(key, SslFiletype::PEM)
        .map_err(|e| format!("{}: {e}", key.display()))?;
    b.check_private_key()
        .map_err(|e| format!("{} does not match {}: {e}", key.display(), cert.display()))?;
    Ok(b.build())
}

/// Connections that finished their handshake, for `axum::serve`.
pub struct TlsListener {
    rx: mpsc::Receiver<(SslStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl TlsListener {
    pub fn new(l: TcpListener, acceptor: SslAcceptor, mut shutdown: Shutdown) -> TlsListener {
        let addr = l
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (tcp, peer) = tokio::select! {
                    r = l.accept() => match r {
                        Ok(c) => c,
                        Err(e) => {
                            tracing::warn!("https accept failed: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                    _ = shutdown.wait() => return,
                };
                let (tx, acceptor) = (tx.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let hs = async {
                        let ssl = Ssl::new(acceptor.context()).map_err(|e| e.to_string())?;
                        let mut s = SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
                        Pin::new(&mut s).accept().await.map_err(|e| e.to_string())?;
                        Ok::<_, String>(s)
                    };
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, hs).await {
                        Ok(Ok(s)) => {
                            let _ = tx.send((s, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        TlsListener { rx, addr }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = SslStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accept loop ended at shutdown; the server stops asking soon after.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
