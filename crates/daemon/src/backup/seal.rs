//! Encryption of backups with age (age-encryption.org/v1, X25519): the node encrypts to a
//! public key from its configuration; the secret that opens a backup is not needed to take
//! one. The secret half is made once (`volost backup --keygen`, or by the first setup, which
//! writes it beside the configuration on the system partition for the installer to take off
//! the node) and a restore is given it.

use age::secrecy::ExposeSecret;
use std::io::{BufReader, Read, Write};
use std::path::Path;

/// The first bytes of every age file.
pub const MAGIC: &[u8] = b"age-encryption.org/v1";

/// The public key from its text (`age1…`), or why not, in English for the configuration.
pub use volost_config::recipient;

/// A new key pair: the secret (`AGE-SECRET-KEY-1…`) and its public key (`age1…`).
pub fn keygen() -> (String, String) {
    let id = age::x25519::Identity::generate();
    (
        id.to_string().expose_secret().to_string(),
        id.to_public().to_string(),
    )
}

/// The secret key from a file, as `volost backup keygen` wrote it (comment lines allowed).
pub fn identity(path: &Path) -> Result<age::x25519::Identity, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .ok_or_else(|| format!("{}: no AGE-SECRET-KEY-… line", path.display()))?
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Encrypts `input` to `to` into `output`, streaming.
pub fn seal(
    to: &age::x25519::Recipient,
    input: impl Read,
    output: impl Write,
) -> std::io::Result<()> {
    let enc = age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient))
        .map_err(std::io::Error::other)?;
    let mut w = enc.wrap_output(output)?;
    std::io::copy(&mut BufReader::new(input), &mut w)?;
    w.finish()?.flush()
}

/// Decrypts `input` with `id` into `output`, streaming; a wrong key or a damaged file is an
/// error and leaves `output` unfinished for the caller to throw away.
pub fn open(
    id: &age::x25519::Identity,
    input: impl Read,
    mut output: impl Write,
) -> Result<u64, String> {
    let d = age::Decryptor::new(BufReader::new(input)).map_err(|e| e.to_string())?;
    let mut r = d
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .map_err(|e| e.to_string())?;
    let n = std::io::copy(&mut r, &mut output).map_err(|e| e.to_string())?;
    output.flush().map_err(|e| e.to_string())?;
    Ok(n)
}

/// Whether the file at `path` is an age file.
pub fn is_sealed(path: &Path) -> bool {
    let mut head = [0u8; 21];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == MAGIC)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn what_is_sealed_opens_only_with_its_secret() {
        let (secret, public) = keygen();
        assert!(public.starts_with("age1"));
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k");
        std::fs::write(&key, format!("# backup key\n{secret}\n")).unwrap();
        let data = vec![7u8; 300_000];
        let mut sealed = Vec::new();
        seal(&recipient(&public).unwrap(), &data[..], &mut sealed).unwrap();
        assert!(sealed.starts_with(MAGIC));
        assert!(
            !sealed.windows(64).any(|w| w == &data[..64]),
            "not in the clear"
        );
        let mut back = Vec::new();
        open(&identity(&key).unwrap(), &sealed[..], &mut back).unwrap();
        assert_eq!(back, data);
        let (other, _) = keygen();
        std::fs::write(&key, other).unwrap();
        assert!(open(&identity(&key).unwrap(), &sealed[..], &mut Vec::new()).is_err());
        let mut cut = sealed.clone();
        cut.truncate(sealed.len() - 100);
        let (secret_again, _) = (secret, ());
        std::fs::write(&key, secret_again).unwrap();
        assert!(
            open(&identity(&key).unwrap(), &cut[..], &mut Vec::new()).is_err(),
            "a cut-off file is refused"
        );
        assert!(recipient("age1nonsense").is_err());
    }
}
