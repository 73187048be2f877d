//! `volost trust`: the certificates the node trusts and the CRLs it holds (issue 31), as
//! files in `[smev] trust_dir`; and the trust verdict `volost smev verify` adds to each
//! sound signature.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use volost::smev::trust::{self, TrustStore, Verdict};

/// The trust directory: `--trust`, or the configuration's.
pub fn dir(config: Option<&Path>, explicit: Option<&Path>) -> Result<PathBuf> {
    match explicit {
        Some(d) => Ok(d.to_path_buf()),
        None => Ok(crate::cli::load_config(config)?.smev.trust_dir),
    }
}

fn read(file: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(file).with_context(|| format!("нет файла {}", file.display()))?;
    if meta.len() > 16 * 1024 * 1024 {
        bail!("{}: файл больше 16 МБ", file.display());
    }
    std::fs::read(file).with_context(|| format!("не удалось прочитать {}", file.display()))
}

/// Writes `bytes` into `dir` as `name` (0644), whole or not at all.
fn keep(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("каталог {}", dir.display()))?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.new"));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("не удалось записать {}", path.display()));
    }
    Ok(path)
}

/// `volost trust add FILE`: a CA's root (with its intermediates, in one PEM bundle) or
/// SMEV's certificate becomes trusted; each certificate is kept as a file of its own.
pub fn add(dir: &Path, file: &Path) -> Result<()> {
    volost::smev::gost::init().context("ГОСТ-алгоритмы OpenSSL недоступны")?;
    let Some(certs) = trust::parse_certs(&read(file)?) else {
        bail!(
            "{}: это не сертификат (ожидается PEM или DER)",
            file.display()
        );
    };
    for cert in certs {
        let der = cert.to_der()?;
        let path = keep(dir, &trust::file_name(&der, false), &cert.to_pem()?)?;
        println!("Доверенный сертификат: {}", trust::describe_cert(&cert));
        println!("Сохранён: {}", path.display());
    }
    Ok(())
}

/// `volost trust crl FILE`: a CRL of a trusted CA, checked against its issuer first.
pub fn crl(dir: &Path, file: &Path) -> Result<()> {
    volost::smev::gost::init().context("ГОСТ-алгоритмы OpenSSL недоступны")?;
    let Some(list) = trust::parse_crl(&read(file)?) else {
        bail!(
            "{}: это не список отозванных сертификатов (CRL)",
            file.display()
        );
    };
    let store = TrustStore::open(dir).map_err(|e| anyhow::anyhow!(e.russian()))?;
    let issued = store.certs.iter().any(|c| {
        c.subject_name()
            .try_cmp(list.issuer_name())
            .is_ok_and(|o| o.is_eq())
            && c.public_key()
                .ok()
                .is_some_and(|k| list.verify(&k).unwrap_or(false))
    });
    if !issued {
        bail!(
            "СОС выпущен не доверенным УЦ или его подпись неверна: сначала добавьте корневой \
             сертификат УЦ (volost trust add)"
        );
    }
    let der = list.to_der()?;
    let path = keep(dir, &trust::file_name(&der, true), &der)?;
    println!("{}", trust::describe_crl(&list));
    println!("Сохранён: {}", path.display());
    Ok(())
}

/// `volost trust list`.
pub fn list(dir: &Path) -> Result<()> {
    let store = TrustStore::open(dir).map_err(|e| anyhow::anyhow!(e.russian()))?;
    if store.certs.is_empty() {
        println!(
            "В {} нет доверенных сертификатов: ни одна подпись не будет доверенной",
            dir.display()
        );
    }
    for c in &store.certs {
        println!("{}", trust::describe_cert(c));
    }
    for c in &store.revocations {
        println!("{}", trust::describe_crl(c));
    }
    Ok(())
}

/// The trust verdict on a sound signature's certificate, as `smev verify` prints it.
pub fn verdict(store: &TrustStore, signed: &volost::smev::inspect::Signed) -> Result<Verdict> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    store
        .check(&signed.cert, now)
        .map_err(|e| anyhow::anyhow!(e.russian()))
}
