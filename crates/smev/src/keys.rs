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
    #[error("{path}: {reason}")]
    Container { path: PathBuf, reason: String },
    #[error("{path}: the password file must not be readable by others (chmod 600)")]
    OpenPasswordFile { path: PathBuf },
    #[error(
        "the node's key is not configured: set [smev] key and cert, or pkcs12 (signer = \"engine\"), or cert and sign_command (signer = \"command\"), or pkcs11_* (signer = \"pkcs11\")"
    )]
    NotConfigured,
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

/// A certificate from a PEM file.
pub fn load_cert(path: &Path) -> Result<X509, KeyError> {
    // A GOST key in a certificate is read when the certificate is: the engine comes first.
    gost::init()?;
    X509::from_pem(&std::fs::read(path).map_err(io(path))?).map_err(|e| KeyError::Certificate {
        path: path.to_path_buf(),
        reason: e.to_string(),
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

/// A GOST key with its certificate: the node's organisation key (ЭП-ОВ), which signs every
/// call to SMEV, or a staff member's personal key (ЭП-СП) opened for one signature.
pub struct NodeKey {
    pub key: PKey<Private>,
    pub cert: X509,
}

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself, not even in a debug print.
        f.debug_struct("NodeKey")
            .field("subject", &subject(&self.cert))
            .finish_non_exhaustive()
    }
}

impl NodeKey {
    /// From the `[smev]` section: PEM key and certificate, or a PKCS#12 container.
    pub fn load(cfg: &volost_config::SmevConfig) -> Result<NodeKey, KeyError> {
        match (&cfg.key, &cfg.cert, &cfg.pkcs12, &cfg.password_file) {
            (Some(k), Some(c), _, _) => {
                let (key, cert) = load_pem(k, c)?;
                Ok(NodeKey { key, cert })
            }
            (_, _, Some(p12), Some(pass)) => load_pkcs12(p12, pass),
            _ => Err(KeyError::NotConfigured),
        }
    }

    /// Whole days until the certificate ends (negative once it has), as of `now_unix`.
    pub fn days_left(&self, now_unix: i64) -> Result<i64, KeyError> {
        days_left(&self.cert, now_unix)
    }

    pub fn subject(&self) -> String {
        subject(&self.cert)
    }
}

/// Whole days from `now_unix` until `cert` ends.
pub fn days_left(cert: &X509, now_unix: i64) -> Result<i64, KeyError> {
    let now = openssl::asn1::Asn1Time::from_unix(now_unix).map_err(|e| KeyError::Certificate {
        path: PathBuf::new(),
        reason: e.to_string(),
    })?;
    let d = now
        .diff(cert.not_after())
        .map_err(|e| KeyError::Certificate {
            path: PathBuf::new(),
            reason: e.to_string(),
        })?;
    Ok(i64::from(d.days))
}

/// The certificate's common name and organisation, as people read them.
pub fn subject(cert: &X509) -> String {
    use openssl::nid::Nid;
    [Nid::COMMONNAME, Nid::ORGANIZATIONNAME]
        .into_iter()
        .filter_map(|n| cert.subject_name().entries_by_nid(n).next())
        .filter_map(|e| e.data().to_string().ok())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A PKCS#12 container whose password is the first line of `pass`, a file only its owner
/// may read: a password in a world-readable file is as good as none.
pub fn load_pkcs12(p12: &Path, pass: &Path) -> Result<NodeKey, KeyError> {
    let password = read_secret(pass)?;
    let password = password.as_str();
    let der = std::fs::read(p12).map_err(io(p12))?;
    open_pkcs12(&der, password).map_err(|e| match e {
        Pkcs12Error::Gost(g) => KeyError::Gost(g),
        other => KeyError::Container {
            path: p12.to_path_buf(),
            reason: other.to_string(),
        },
    })
}

/// The first line of `path`, a file holding a password or PIN, which only its owner may read.
pub fn read_secret(path: &Path) -> Result<String, KeyError> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.mode() & 0o077 != 0 {
        return Err(KeyError::OpenPasswordFile {
            path: path.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

/// Why a PKCS#12 container did not open.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Pkcs12Error {
    #[error("{0}")]
    Gost(#[from] GostError),
    #[error("not a PKCS#12 container: {0}")]
    Format(String),
    #[error("wrong password, or a container this node cannot read")]
    Password,
    #[error("the container lacks the key or its certificate")]
    Incomplete,
    #[error("the key in the container does not belong to its certificate")]
    Mismatch,
}

/// The key and certificate in a PKCS#12 container (DER) opened with `password`.
pub fn open_pkcs12(der: &[u8], password: &str) -> Result<NodeKey, Pkcs12Error> {
    gost::init()?;
    let parsed = openssl::pkcs12::Pkcs12::from_der(der)
        .map_err(|e| Pkcs12Error::Format(e.to_string()))?
        .parse2(password)
        .map_err(|_| Pkcs12Error::Password)?;
    let (Some(key), Some(cert)) = (parsed.pkey, parsed.cert) else {
        return Err(Pkcs12Error::Incomplete);
    };
    if !cert.public_key().is_ok_and(|p| p.public_eq(&key)) {
        return Err(Pkcs12Error::Mismatch);
    }
    Ok(NodeKey { key, cert })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_pkcs12_container_loads_only_with_a_private_password_file() {
        let dir = tempfile::tempdir().expect("dir");
        gost::init().expect("gost");
        let key = gost::generate_key().expect("key");
        let cert = gost::self_signed(&key, "Тест", "Сельсовет", 30).expect("cert");
        let p12 = openssl::pkcs12::Pkcs12::builder()
            .name("node")
            .pkey(&key)
            .cert(&cert)
            .build2("секрет")
            .expect("p12");
        let p12_path = dir.path().join("node.p12");
        std::fs::write(&p12_path, p12.to_der().expect("der")).expect("write");
        let pass = dir.path().join("pass");
        std::fs::write(&pass, "секрет\n").expect("write");

        std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = load_pkcs12(&p12_path, &pass).expect_err("open file");
        assert!(matches!(e, KeyError::OpenPasswordFile { .. }), "{e}");

        std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let k = load_pkcs12(&p12_path, &pass).expect("loads");
        assert_eq!(k.subject(), "Тест, Сельсовет");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!((29..=30).contains(&k.days_left(now).expect("days")));

        std::fs::write(&pass, "не тот\n").expect("write");
        let e = load_pkcs12(&p12_path, &pass).expect_err("wrong password");
        assert!(e.to_string().contains("wrong password"), "{e}");
    }
}
