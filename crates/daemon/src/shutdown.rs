//! The daemon's shutdown signal, which its servers, jobs and the exchange workers wait for.
//! Its own module so that the workers, which the daemon starts, need nothing of the daemon.

use tokio::sync::watch;

/// A shutdown signal every task can wait for.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    pub fn pair() -> (watch::Sender<bool>, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (tx, Shutdown(rx))
    }

    /// Resolves once shutdown has begun (or the sender is gone).
    pub async fn wait(&mut self) {
        let _ = self.0.wait_for(|v| *v).await;
    }
}
