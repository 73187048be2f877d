//! HTTPS for the HTTP endpoint when `tls_cert` and `tls_key` are set: OpenSSL (the library
//! the SMEV signatures use too), TLS 1.2 and later with Mozilla's intermediate settings.
//! Handshakes run in each connection's own task with a time limit (see [`super::listen`]).

use openssl::ssl::{Ssl, SslAcceptor, SslFiletype, SslMethod};
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_openssl::SslStream;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The acceptor a listener hands each new connection, replaceable while it serves (the web
/// page's own certificate, made again when the machine's addresses change).
pub struct Acceptor(std::sync::RwLock<SslAcceptor>);

impl Acceptor {
    pub fn new(a: SslAcceptor) -> Acceptor {
        Acceptor(std::sync::RwLock::new(a))
    }

    /// The acceptor now (a reference-counted handle: cheap).
    pub fn get(&self) -> SslAcceptor {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Connections from now on get `a`; those open keep theirs.
    pub fn set(&self, a: SslAcceptor) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = a;
    }
}

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

/// The server side of the handshake on `tcp`, within [`HANDSHAKE_TIMEOUT`]: a slow or
/// silent client holds only its own connection, which the gate has already counted.
pub async fn handshake(
    acceptor: &SslAcceptor,
    tcp: TcpStream,
) -> Result<SslStream<TcpStream>, String> {
    let hs = async {
        let ssl = Ssl::new(acceptor.context()).map_err(|e| e.to_string())?;
        let mut s = SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
        Pin::new(&mut s).accept().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(s)
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, hs).await {
        Ok(r) => r,
        Err(_) => Err("timed out".into()),
    }
}
