//! `volost trust`: the certificates the node trusts and the CRLs it holds (issue 31), as
//! files in `[smev] trust_dir`; and the trust verdict `volost smev verify` adds to each
//! sound signature.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use volost::smev::trust::{self, Stores, TrustStore, Verdict};

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

fn keep(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    trust::keep(dir, name, bytes)
        .with_context(|| format!("не удалось записать {}", dir.join(name).display()))
}

/// `volost trust add [--smev] FILE`: a CA's root (with its intermediates, in one PEM bundle)
/// becomes trusted for staff and agency signatures, or (`smev`) SMEV's certificate or its CA
/// for the exchange's own; each certificate is kept as a file of its own.
pub fn add(dir: &Path, file: &Path, smev: bool) -> Result<()> {
    let dir = if smev {
        dir.join(trust::EXCHANGE_DIR)
    } else {
        dir.to_path_buf()
    };
    volost::smev::gost::init().context("ГОСТ-алгоритмы OpenSSL недоступны")?;
    let Some(certs) = trust::parse_certs(&read(file)?) else {
        bail!(
            "{}: это не сертификат (ожидается PEM или DER)",
            file.display()
        );
    };
    for cert in certs {
        let der = cert.to_der()?;
        let path = keep(&dir, &trust::file_name(&der, false), &cert.to_pem()?)?;
        let role = if smev {
            "СМЭВ"
        } else {
            "УЦ, сотрудники"
        };
        println!(
            "Доверенный сертификат ({role}): {}",
            trust::describe_cert(&cert)
        );
        println!("Сохранён: {}", path.display());
    }
    Ok(())
}

/// `volost trust crl FILE`: a CRL of a trusted CA, checked against its issuer first; kept
/// beside that CA (the exchange's CRLs in smev/).
pub fn crl(dir: &Path, file: &Path) -> Result<()> {
    volost::smev::gost::init().context("ГОСТ-алгоритмы OpenSSL недоступны")?;
    let Some(list) = trust::parse_crl(&read(file)?) else {
        bail!(
            "{}: это не список отозванных сертификатов (CRL)",
            file.display()
        );
    };
    let stores = Stores::open(dir).map_err(|e| anyhow::anyhow!(e.russian()))?;
    let place = if stores.staff.issued(&list) {
        dir.to_path_buf()
    } else if stores.exchange.issued(&list) {
        dir.join(trust::EXCHANGE_DIR)
    } else {
        bail!(
            "СОС выпущен не доверенным УЦ или его подпись неверна: сначала добавьте корневой \
             сертификат УЦ (volost trust add)"
        );
    };
    let der = list.to_der()?;
    let path = keep(&place, &trust::file_name(&der, true), &der)?;
    println!("{}", trust::describe_crl(&list));
    println!("Сохранён: {}", path.display());
    Ok(())
}

/// `volost trust refresh`: one round of the daemon's CRL refresh, with `extra` addresses.
pub fn refresh(dir: &Path, extra: &[String]) -> Result<()> {
    use volost::smev::trust::refresh;
    volost::smev::gost::init().context("ГОСТ-алгоритмы OpenSSL недоступны")?;
    let stores = Stores::open(dir).map_err(|e| anyhow::anyhow!(e.russian()))?;
    let mut urls = refresh::urls(&stores, extra);
    urls.dedup();
    if urls.is_empty() {
        bail!(
            "ни один сертификат в {} не называет точку распространения СОС: укажите --url",
            dir.display()
        );
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut failed = 0;
    for (url, got) in rt.block_on(refresh::fetch_all(dir, &urls)) {
        match got {
            Ok(refresh::Fetched::Kept(p)) => {
                println!("{url}: новый СОС сохранён в {}", p.display())
            }
            Ok(refresh::Fetched::Current) => println!("{url}: СОС уже актуален"),
            Err(e) => {
                failed += 1;
                println!("{url}: не получен ({e})");
            }
        }
    }
    if failed > 0 {
        bail!("не обновлено СОС: {failed}");
    }
    Ok(())
}

/// `volost trust list`: the exchange's certificates, then the CAs of staff and agencies.
pub fn list(dir: &Path) -> Result<()> {
    let stores = Stores::open(dir).map_err(|e| anyhow::anyhow!(e.russian()))?;
    let sections = [
        (
            "СМЭВ",
            &stores.exchange,
            "сообщения СМЭВ не принимаются: volost trust add --smev ФАЙЛ",
        ),
        (
            "УЦ сотрудников и ведомств",
            &stores.staff,
            "ни одна ЭП-СП не будет доверенной",
        ),
    ];
    for (name, store, empty) in sections {
        println!("{name}:");
        if store.certs.is_empty() {
            println!("  нет доверенных сертификатов: {empty}");
        }
        for c in &store.certs {
            println!("  {}", trust::describe_cert(c));
        }
        for c in &store.revocations {
            println!("  {}", trust::describe_crl(c));
        }
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
