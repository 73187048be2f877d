//! The page's certificate when the installer names none: the node's own, made for the
//! machine's host name and addresses. Browsers ask once to trust it (or the installer adds it
//! to the council's PCs); it is made again when the machine's names change (a new address
//! from the setup screen or DHCP) or when it nears its end, and never replaces a certificate
//! the node did not make.

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::x509::extension::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
};
use openssl::x509::{X509, X509NameBuilder};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// How long the node's own certificate is valid: within what browsers accept of a
/// certificate (398 days), made again a month before its end.
const VALID_DAYS: u32 = 397;
const RENEW_DAYS: u32 = 30;

/// What the node's own certificate names, kept beside it: the marker that it is the node's
/// (to be made again), and what it was made for.
const MARKER: &str = "names";

/// The machine's names: its host name, `localhost`, and every address it has.
pub fn machine_names() -> Vec<String> {
    let mut names = vec!["localhost".to_string()];
    if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let h = h.trim();
        if !h.is_empty() && h != "localhost" {
            names.push(h.to_string());
        }
    }
    let mut ips: Vec<IpAddr> = vec![IpAddr::from([127, 0, 0, 1])];
    // Through netlink: the service's sandbox must allow AF_NETLINK (volost.service).
    let found = nix::ifaddrs::getifaddrs();
    if let Err(e) = &found {
        // Once: the names are looked at again every few seconds.
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            tracing::warn!("web page: the machine's addresses could not be read: {e}");
        });
    }
    if let Ok(addrs) = found {
        for a in addrs {
            let ip = a.address.as_ref().and_then(|s| {
                s.as_sockaddr_in()
                    .map(|v4| IpAddr::V4(v4.ip()))
                    .or_else(|| s.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip())))
            });
            if let Some(ip) = ip
                && !ips.contains(&ip)
                && !is_link_local(&ip)
            {
                ips.push(ip);
            }
        }
    }
    names.extend(ips.iter().map(IpAddr::to_string));
    names
}

fn is_link_local(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

/// Makes the node's own certificate in `dir` (again) when it is missing, nears its end or
/// does not name all of `names`; a pair in `dir` the node did not make is left alone.
/// Returns whether it made one.
pub fn ensure(dir: &Path, names: &[String]) -> Result<bool, String> {
    let (cert, key, marker) = (dir.join("cert.pem"), dir.join("key.pem"), dir.join(MARKER));
    let made_for = std::fs::read_to_string(&marker).ok();
    let present = cert.exists() && key.exists();
    if present && made_for.is_none() {
        return Ok(false);
    }
    let fresh = present
        && made_for.as_deref().is_some_and(|m| {
            let had: Vec<&str> = m.lines().collect();
            names.iter().all(|n| had.contains(&n.as_str()))
        })
        && !expiring(&cert);
    if fresh {
        return Ok(false);
    }
    make(dir, names)?;
    tracing::info!(names = %names.join(" "), dir = %dir.display(), "web page: the node's own certificate made");
    Ok(true)
}

/// How often the machine's names are looked at again: an address from DHCP may come after
/// the daemon started, and it comes and goes.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(15);

/// Keeps the node's own certificate naming the machine while the daemon runs: a new one is
/// served to connections from then on.
pub async fn renew(
    dir: PathBuf,
    acceptor: std::sync::Arc<crate::tls::Acceptor>,
    mut shutdown: crate::Shutdown,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(RECHECK) => {}
            _ = shutdown.wait() => return,
        }
        let d = dir.clone();
        let made = tokio::task::spawn_blocking(move || {
            if !ensure(&d, &machine_names())? {
                return Ok(None);
            }
            crate::tls::acceptor(&d.join("cert.pem"), &d.join("key.pem")).map(Some)
        })
        .await;
        match made {
            Ok(Ok(Some(a))) => acceptor.set(a),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => tracing::warn!("web page: the certificate could not be made again: {e}"),
            Err(e) => tracing::warn!("web page: certificate check failed: {e}"),
        }
    }
}

fn expiring(cert: &Path) -> bool {
    let Ok(pem) = std::fs::read(cert) else {
        return true;
    };
    let Ok(c) = X509::from_pem(&pem) else {
        return true;
    };
    let Ok(soon) = Asn1Time::days_from_now(RENEW_DAYS) else {
        return true;
    };
    c.not_after() < soon
}

fn make(dir: &Path, names: &[String]) -> Result<(), String> {
    let e = |what: &'static str| move |err: openssl::error::ErrorStack| format!("{what}: {err}");
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(e("curve"))?;
    let key = PKey::from_ec_key(EcKey::generate(&group).map_err(e("key"))?).map_err(e("key"))?;
    let mut name = X509NameBuilder::new().map_err(e("name"))?;
    let cn = names.get(1).map(String::as_str).unwrap_or("localhost");
    name.append_entry_by_nid(Nid::COMMONNAME, cn)
        .map_err(e("name"))?;
    name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "volost: Окно документов")
        .map_err(e("name"))?;
    let name = name.build();
    let mut b = X509::builder().map_err(e("certificate"))?;
    b.set_version(2).map_err(e("version"))?;
    let mut serial = BigNum::new().map_err(e("serial"))?;
    serial
        .rand(127, MsbOption::MAYBE_ZERO, false)
        .map_err(e("serial"))?;
    let serial = serial.to_asn1_integer().map_err(e("serial"))?;
    b.set_serial_number(&serial).map_err(e("serial"))?;
    b.set_subject_name(&name).map_err(e("subject"))?;
    b.set_issuer_name(&name).map_err(e("issuer"))?;
    b.set_pubkey(&key).map_err(e("key"))?;
    // A day back, so that a PC whose clock runs behind still takes it.
    let from = Asn1Time::from_unix(now_secs() - 86_400).map_err(e("time"))?;
    let until = Asn1Time::days_from_now(VALID_DAYS).map_err(e("time"))?;
    b.set_not_before(&from).map_err(e("time"))?;
    b.set_not_after(&until).map_err(e("time"))?;
    b.append_extension(
        BasicConstraints::new()
            .critical()
            .build()
            .map_err(e("ext"))?,
    )
    .map_err(e("ext"))?;
    b.append_extension(
        KeyUsage::new()
            .critical()
            .digital_signature()
            .key_agreement()
            .build()
            .map_err(e("ext"))?,
    )
    .map_err(e("ext"))?;
    b.append_extension(
        ExtendedKeyUsage::new()
            .server_auth()
            .build()
            .map_err(e("ext"))?,
    )
    .map_err(e("ext"))?;
    let mut san = SubjectAlternativeName::new();
    for n in names {
        if n.parse::<IpAddr>().is_ok() {
            san.ip(n);
        } else {
            san.dns(n);
        }
    }
    let san = san
        .build(&b.x509v3_context(None, None))
        .map_err(e("names"))?;
    b.append_extension(san).map_err(e("names"))?;
    b.sign(&key, MessageDigest::sha256()).map_err(e("sign"))?;
    let cert = b.build().to_pem().map_err(e("pem"))?;
    let key = key.private_key_to_pem_pkcs8().map_err(e("pem"))?;
    write(&dir.join("key.pem"), &key, 0o600)?;
    write(&dir.join("cert.pem"), &cert, 0o644)?;
    write(&dir.join(MARKER), names.join("\n").as_bytes(), 0o644)
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Written whole under a temporary name and renamed, so a power cut leaves the old or the new.
fn write(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let r = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    r.map_err(|err| format!("{}: {err}", path.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn made_once_again_for_new_names_and_never_over_a_foreign_one() {
        let d = tempfile::tempdir().unwrap();
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        assert!(ensure(d.path(), &names).unwrap());
        let (c, k) = (d.path().join("cert.pem"), d.path().join("key.pem"));
        let first = std::fs::read(&c).unwrap();
        crate::tls::acceptor(&c, &k).unwrap();
        ensure(d.path(), &names).unwrap();
        assert_eq!(
            std::fs::read(&c).unwrap(),
            first,
            "kept while it names the machine"
        );
        let more = [names.clone(), vec!["10.0.0.5".to_string()]].concat();
        ensure(d.path(), &more).unwrap();
        let again = std::fs::read(&c).unwrap();
        assert_ne!(again, first, "made again for a new address");
        let text = X509::from_pem(&again).unwrap().to_text().unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("IP Address:10.0.0.5"), "{text}");
        std::fs::remove_file(d.path().join(MARKER)).unwrap();
        ensure(d.path(), &["other".to_string()]).unwrap();
        assert_eq!(
            std::fs::read(&c).unwrap(),
            again,
            "not the node's: left alone"
        );
    }
}
