//! The node's organisation key (ЭП-ОВ) and certificate as files. `volost smev keygen` makes
//! a test pair for demos and tests; a real node gets its certificate from an accredited CA.

use super::gost::{self, GostError};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const KEY_FILE: &str = "node-key.pem";
pub const CERT_FILE: &str = "node-cert.pem";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Gost(#[from] GostError),
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: not a PEM certificate: {reason}")]
    Certificate { path: PathBuf, reason: String },
    #[error("the key {key} does not belong to the certificate {cert}")]
    Mismatch { key: PathBuf, cert: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |error| KeyError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// The key and certificate written by [`keygen`].
pub struct Written {
    pub key: PathBuf,
    pub cert: PathBuf,
    pub not_after: String,
}

/// Writes a new GOST key (mode 0600) and a self-signed certificate for it into `dir`.
/// Existing files are never overwritten: a key may already be in use.
pub fn keygen(dir: &Path, cn: &str, org: &str, days: u32) -> Result<Written, KeyError> {
    let key = gost::generate_key()?;
    let cert = gost::self_signed(&key, cn, org, days)?;
    let crypto = |e: openssl::error::ErrorStack| KeyError::Gost(GostError::Crypto(e.to_string()));
    let key_pem = key.private_key_to_pem_pkcs8().map_err(crypto)?;
    let cert_pem = cert.to_pem().map_err(crypto)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let (kp, cp) = (dir.join(KEY_FILE), dir.join(CERT_FILE));
    for (path, bytes, mode) in [(&kp, &key_pem, 0o600), (&cp, &cert_pem, 0o644)] {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(path)
            .map_err(io(path))?;
        f.write_all(bytes).map_err(io(path))?;
        f.sync_all().map_err(io(path))?;
    }
    Ok(Written {
        key: kp,
        cert: cp,
        not_after: cert.not_after().to_string(),
    })
}

/// A key and its certificate from PEM files.
pub fn load_pem(key: &Path, cert: &Path) -> Result<(PKey<Private>, X509), KeyError> {
    let k = gost::key_from_pem(&std::fs::read(key).map_err(io(key))?)?;
    let c = X509::from_pem(&std::fs::read(cert).map_err(io(cert))?).map_err(|e| {
        KeyError::Certificate {
            path: cert.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    let belongs = c.public_key().map(|p| p.public_eq(&k)).unwrap_or(false);
    if !belongs {
        return Err(KeyError::Mismatch {
            key: key.to_path_buf(),
            cert: cert.to_path_buf(),
        });
    }
    Ok((k, c))
}
