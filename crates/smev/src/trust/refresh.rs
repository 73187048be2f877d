//! CRLs taken from their distribution points (the `crlDistributionPoints` of the
//! certificates the node meets) when the network allows, so that a revocation the CA
//! announced reaches the verdicts without anyone copying files.
//!
//! Where the addresses come from: the certificates of the trust directory (an intermediate
//! CA names its root's CRL), and every certificate whose signature the exchange judged
//! ([`Learned`]): that is how a staff member's or an agency's CA gets its CRL asked for. A
//! CRL is kept only when a certificate of the directory issued and signed it, and only
//! when it is newer than the one held of that CA, which it replaces. Only `http://`: CAs
//! publish CRLs over plain HTTP (they are signed), and the node carries no TLS for it.

use super::{MAX_FILE_BYTES, Stores, TrustDir};
use openssl::x509::{X509, X509Crl};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The most distribution points remembered: a council meets a handful of CAs.
const MAX_URLS: usize = 64;
/// The longest one CRL's download may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// The `http://` distribution points of `cert`'s CRL.
pub fn distribution_points(cert: &X509) -> Vec<String> {
    let Some(points) = cert.crl_distribution_points() else {
        return Vec::new();
    };
    points
        .iter()
        .filter_map(|p| p.distpoint().and_then(|d| d.fullname()))
        .flat_map(|names| names.iter().filter_map(|n| n.uri()))
        .filter(|u| u.len() <= 2048 && u.to_ascii_lowercase().starts_with("http://"))
        .map(str::to_string)
        .collect()
}

/// Distribution points met while judging signatures, and a wake-up for the refresher when
/// one is new.
#[derive(Default)]
pub struct Learned {
    urls: Mutex<BTreeSet<String>>,
    pub new: tokio::sync::Notify,
}

impl Learned {
    /// Remembers `cert`'s distribution points (at most [`MAX_URLS`] in all).
    pub fn note(&self, cert: &X509) {
        let mut fresh = false;
        {
            let mut urls = self.urls.lock().unwrap_or_else(|p| p.into_inner());
            for u in distribution_points(cert) {
                if urls.len() < MAX_URLS && urls.insert(u) {
                    fresh = true;
                }
            }
        }
        if fresh {
            self.new.notify_one();
        }
    }

    pub fn urls(&self) -> Vec<String> {
        let urls = self.urls.lock().unwrap_or_else(|p| p.into_inner());
        urls.iter().cloned().collect()
    }
}

/// What became of one distribution point.
#[derive(Debug)]
pub enum Fetched {
    /// A newer CRL kept, in this file.
    Kept(PathBuf),
    /// The one held is as new.
    Current,
}

/// Every distribution point to ask: those of the directory's certificates and `learned`.
pub fn urls(stores: &Stores, learned: &[String]) -> Vec<String> {
    let mut all: BTreeSet<String> = learned.iter().cloned().collect();
    for c in stores.exchange.certs.iter().chain(&stores.staff.certs) {
        all.extend(distribution_points(c));
    }
    all.into_iter().take(MAX_URLS).collect()
}

/// Downloads `url`, at most [`MAX_FILE_BYTES`], within [`FETCH_TIMEOUT`].
pub async fn download(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let get = async {
        let mut resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status().as_u16()));
        }
        if resp.content_length().is_some_and(|l| l > MAX_FILE_BYTES) {
            return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
            if (body.len() + chunk.len()) as u64 > MAX_FILE_BYTES {
                return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(FETCH_TIMEOUT, get)
        .await
        .map_err(|_| format!("no answer in {} s", FETCH_TIMEOUT.as_secs()))?
}

/// Keeps the CRL `bytes` in `dir` when a certificate there issued it and it is newer than
/// the one held of that CA, removing the older ones.
pub fn keep_crl(dir: &Path, bytes: &[u8]) -> Result<Fetched, String> {
    let list = super::parse_crl(bytes).ok_or("not a CRL")?;
    let stores = Stores::open(dir).map_err(|e| e.to_string())?;
    let (place, store) = if stores.staff.issued(&list) {
        (dir.to_path_buf(), &stores.staff)
    } else if stores.exchange.issued(&list) {
        (dir.join(super::EXCHANGE_DIR), &stores.exchange)
    } else {
        return Err("not issued by a trusted CA, or its signature does not verify".into());
    };
    let same_issuer = |c: &X509Crl| {
        c.issuer_name()
            .try_cmp(list.issuer_name())
            .is_ok_and(|o| o.is_eq())
    };
    let held: Vec<(usize, &X509Crl)> = store
        .revocations
        .iter()
        .enumerate()
        .filter(|(_, c)| same_issuer(c))
        .collect();
    if held
        .iter()
        .any(|(_, c)| c.last_update() >= list.last_update())
    {
        return Ok(Fetched::Current);
    }
    let der = list.to_der().map_err(|e| e.to_string())?;
    let path = super::keep(&place, &super::file_name(&der, true), &der)
        .map_err(|e| format!("{}: {e}", place.display()))?;
    for (i, _) in held {
        if let Some(old) = store.crl_files.get(i)
            && *old != path
        {
            let _ = std::fs::remove_file(old);
        }
    }
    Ok(Fetched::Kept(path))
}

fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

/// Each of `urls` asked for its CRL, kept into `dir` or refused.
pub async fn fetch_all(dir: &Path, urls: &[String]) -> Vec<(String, Result<Fetched, String>)> {
    let client = match client() {
        Ok(c) => c,
        Err(e) => return urls.iter().map(|u| (u.clone(), Err(e.clone()))).collect(),
    };
    let mut out = Vec::new();
    for url in urls {
        let got = match download(&client, url).await {
            Ok(bytes) => {
                let dir = dir.to_path_buf();
                tokio::task::spawn_blocking(move || keep_crl(&dir, &bytes))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
            }
            Err(e) => Err(e),
        };
        out.push((url.clone(), got));
    }
    out
}

/// One round: every distribution point asked, each CRL kept or refused; the failures, in
/// English, for the log and /health.
pub async fn round(trust: &TrustDir) -> Vec<(String, String)> {
    let urls = match trust.stores() {
        Ok(s) => urls(&s, &trust.learned.urls()),
        Err(e) => return vec![(trust.path().display().to_string(), e.to_string())],
    };
    let mut failed = Vec::new();
    for (url, got) in fetch_all(trust.path(), &urls).await {
        match got {
            Ok(Fetched::Kept(p)) => tracing::info!(%url, file = %p.display(), "a newer CRL kept"),
            Ok(Fetched::Current) => tracing::debug!(%url, "the CRL held is current"),
            Err(e) => {
                tracing::warn!(%url, "CRL not refreshed: {e}");
                failed.push((url, e));
            }
        }
    }
    failed
}

/// Refreshes the CRLs at start, every `every`, and at once when a signature names a
/// distribution point not met before; until `stop`.
pub async fn run(
    trust: std::sync::Arc<TrustDir>,
    every: Duration,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        let failed = round(&trust).await;
        trust.set_refresh_failures(failed);
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(every) => {}
            _ = trust.learned.new.notified() => {}
        }
    }
}
