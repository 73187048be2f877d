//! A second copy of each backup on another machine, over SFTP (`[backup] sftp`): the council's
//! file server or the district's, so that losing the VM's disk does not lose the backups.
//!
//! The server is known in advance: its host key must be in `sftp_known_hosts` (as OpenSSH
//! writes it, `ssh-keyscan -p PORT HOST`), and the node signs in with the key in `sftp_key`,
//! never a password. The file goes up under a `.partial` name and is renamed once it is all
//! there and synced, so the other side never holds a half backup under a backup's name;
//! retention there is the same as here, by the order in the names.

use super::{PARTIAL, parse};
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one network step may take before the copy is given up.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where the copies go: `sftp://user@host[:port]/dir`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub dir: String,
    pub key: PathBuf,
    pub known_hosts: PathBuf,
}

impl Target {
    /// The target from the configuration's text, or why not (English, for the configuration
    /// error that names the key).
    pub fn parse(url: &str, key: &Path, known_hosts: &Path) -> Result<Target, String> {
        let u = volost_config::sftp_url(url)?;
        if !key.is_absolute() || !known_hosts.is_absolute() {
            return Err("sftp_key and sftp_known_hosts must be absolute paths".into());
        }
        Ok(Target {
            user: u.user,
            host: u.host,
            port: u.port,
            dir: u.dir,
            key: key.into(),
            known_hosts: known_hosts.into(),
        })
    }

    /// `user@host:port/dir`, for messages.
    pub fn display(&self) -> String {
        format!("{}@{}:{}{}", self.user, self.host, self.port, self.dir)
    }

    fn session(&self) -> Result<ssh2::Session, String> {
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| format!("адрес {} не найден: {e}", self.host))?
            .next()
            .ok_or_else(|| format!("адрес {} не найден", self.host))?;
        let tcp = TcpStream::connect_timeout(&addr, TIMEOUT)
            .map_err(|e| format!("нет соединения с {}:{}: {e}", self.host, self.port))?;
        let mut s = ssh2::Session::new().map_err(|e| e.to_string())?;
        s.set_timeout(TIMEOUT.as_millis() as u32);
        s.set_tcp_stream(tcp);
        s.handshake().map_err(|e| format!("SSH: {e}"))?;
        self.check_host(&s)?;
        s.userauth_pubkey_file(&self.user, None, &self.key, None)
            .map_err(|e| format!("вход по ключу {} не принят: {e}", self.key.display()))?;
        Ok(s)
    }

    /// The server must be the one in `known_hosts`: a backup holds every password hash.
    fn check_host(&self, s: &ssh2::Session) -> Result<(), String> {
        let mut kh = s.known_hosts().map_err(|e| e.to_string())?;
        kh.read_file(&self.known_hosts, ssh2::KnownHostFileKind::OpenSSH)
            .map_err(|e| format!("{}: {e}", self.known_hosts.display()))?;
        let (key, _) = s.host_key().ok_or("сервер не назвал свой ключ")?;
        match kh.check_port(&self.host, self.port, key) {
            ssh2::CheckResult::Match => Ok(()),
            ssh2::CheckResult::Mismatch => Err(format!(
                "ключ сервера {} не совпадает с записанным в {}: копия не отправлена",
                self.host,
                self.known_hosts.display()
            )),
            _ => Err(format!(
                "сервера {} нет в {}",
                self.host,
                self.known_hosts.display()
            )),
        }
    }
}

/// Uploads `path` as `name` into the target's directory, then keeps there the newest `keep`
/// backups (in the order taken) and removes leftovers of copies that were cut off.
pub fn upload(t: &Target, path: &Path, name: &str, keep: usize) -> Result<(), String> {
    let s = t.session()?;
    let sftp = s.sftp().map_err(|e| format!("SFTP: {e}"))?;
    let dir = Path::new(&t.dir);
    let partial = dir.join(format!("{name}{PARTIAL}"));
    let to = dir.join(name);
    let sent = (|| -> Result<(), String> {
        let mut local =
            std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut remote = sftp
            .open_mode(
                &partial,
                ssh2::OpenFlags::WRITE | ssh2::OpenFlags::CREATE | ssh2::OpenFlags::TRUNCATE,
                0o600,
                ssh2::OpenType::File,
            )
            .map_err(|e| format!("{}: {e}", partial.display()))?;
        std::io::copy(&mut local, &mut remote).map_err(|e| format!("передача: {e}"))?;
        remote.flush().map_err(|e| format!("передача: {e}"))?;
        // OpenSSH's fsync@openssh.com: on disk over there before it takes a backup's name.
        // A server without the extension still gets the rename after a complete transfer.
        if let Err(e) = remote.fsync() {
            tracing::warn!("SFTP server has no fsync: {e}");
        }
        drop(remote);
        sftp.rename(
            &partial,
            &to,
            Some(ssh2::RenameFlags::OVERWRITE | ssh2::RenameFlags::ATOMIC),
        )
        .map_err(|e| format!("переименование {}: {e}", to.display()))
    })();
    if let Err(e) = sent {
        let _ = sftp.unlink(&partial);
        return Err(e);
    }
    tracing::info!(target = %t.display(), name, "backup copied over SFTP");
    let mut ours: Vec<(u64, PathBuf)> = Vec::new();
    for (p, _) in sftp.readdir(dir).map_err(|e| format!("{}: {e}", t.dir))? {
        let Some(n) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if n.starts_with(super::PREFIX) && n.ends_with(PARTIAL) {
            let _ = sftp.unlink(&p);
        } else if let Some(seq) = parse(n) {
            ours.push((seq, p));
        }
    }
    ours.sort();
    let extra = ours.len().saturating_sub(keep.max(1));
    for (_, p) in &ours[..extra] {
        sftp.unlink(p)
            .map_err(|e| format!("удаление старой копии {}: {e}", p.display()))?;
        tracing::info!(path = %p.display(), "old backup removed over SFTP");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_with_their_port_and_refused_when_incomplete() {
        let (k, h) = (Path::new("/k"), Path::new("/h"));
        let t = Target::parse("sftp://backup@files.local:2222/srv/volost/", k, h).expect("ok");
        assert_eq!(
            (t.user.as_str(), t.host.as_str(), t.port, t.dir.as_str()),
            ("backup", "files.local", 2222, "/srv/volost")
        );
        let t = Target::parse("sftp://b@10.0.0.9/copies", k, h).expect("ok");
        assert_eq!((t.port, t.dir.as_str()), (22, "/copies"));
        let t = Target::parse("sftp://b@[fd00::9]:2200/c", k, h).expect("ipv6");
        assert_eq!((t.host.as_str(), t.port), ("fd00::9", 2200));
        let t = Target::parse("sftp://b@[fd00::9]/c", k, h).expect("ipv6 without a port");
        assert_eq!((t.host.as_str(), t.port), ("fd00::9", 22));
        for bad in [
            "ftp://b@h/c",
            "sftp://h/c",
            "sftp://b@h",
            "sftp://b@h:x/c",
            "sftp://@h/c",
        ] {
            assert!(Target::parse(bad, k, h).is_err(), "{bad}");
        }
        assert!(Target::parse("sftp://b@h/c", Path::new("k"), h).is_err());
    }
}
