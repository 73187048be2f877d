//! Files on the staff member's side: a path typed in a dialog or a form, read within the
//! node's limit, or written where staff said without overwriting anything.
//!
//! Paths are the staff member's own: the TUI runs as their account, so it reads and writes
//! what they may, and the daemon only ever sees a plain name and the bytes.

use crate::text;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use volost_domain::{file_name, size_label};

/// `~` and `~/…` are the user's home; a relative path is taken from the home too, because
/// the working directory of a console session means nothing to staff.
pub fn expand(raw: &str) -> PathBuf {
    let raw = raw.trim();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match (raw.strip_prefix('~'), &home) {
        (Some(rest), Some(h)) => h.join(rest.trim_start_matches('/')),
        _ if Path::new(raw).is_absolute() => PathBuf::from(raw),
        (_, Some(h)) => h.join(raw),
        (_, None) => PathBuf::from(raw),
    }
}

pub fn io_problem(e: &std::io::Error, path: &Path) -> String {
    let p = path.display();
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("{}: {p}", text::FILE_NOT_FOUND),
        std::io::ErrorKind::PermissionDenied => format!("{}: {p}", text::FILE_NO_ACCESS),
        std::io::ErrorKind::AlreadyExists => format!("{}: {p}", text::FILE_EXISTS),
        _ => format!("{}: {p} ({e})", text::FILE_IO_ERROR),
    }
}

/// What is wrong with a path typed into a file field, checked without reading the file.
pub fn local_problem(raw: &str) -> Option<String> {
    let path = expand(raw);
    match std::fs::metadata(&path) {
        Err(e) => Some(io_problem(&e, &path)),
        Ok(m) if m.is_dir() => Some(text::FILE_IS_DIR.into()),
        // A device or a pipe could be read for ever.
        Ok(m) if !m.is_file() => Some(text::FILE_NOT_REGULAR.into()),
        Ok(_) => None,
    }
}

/// Reads the file at a typed path: its plain name and bytes, refused above `max` bytes
/// before anything is read.
pub fn read_local(raw: &str, max: u64) -> Result<(String, Vec<u8>), String> {
    if raw.trim().is_empty() {
        return Err(text::FILE_PATH_NEEDED.into());
    }
    if let Some(p) = local_problem(raw) {
        return Err(p);
    }
    let path = expand(raw);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = file_name(&name)?;
    let f = std::fs::File::open(&path).map_err(|e| io_problem(&e, &path))?;
    let size = f.metadata().map_err(|e| io_problem(&e, &path))?.len();
    let too_big = |n: u64| {
        format!(
            "{} ({}): {} {}",
            text::FILE_TOO_BIG,
            size_label(n),
            text::FILE_LIMIT,
            size_label(max)
        )
    };
    if size > max {
        return Err(too_big(size));
    }
    // The file may grow while it is read: never more than the limit and one byte.
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    f.take(max + 1)
        .read_to_end(&mut data)
        .map_err(|e| io_problem(&e, &path))?;
    if data.len() as u64 > max {
        return Err(too_big(data.len() as u64));
    }
    if data.is_empty() {
        return Err(format!("{}: {}", text::FILE_EMPTY, path.display()));
    }
    Ok((name, data))
}

/// Writes a file where staff said: into a folder under its own name, or as the path typed.
/// Never over an existing file; a half-written file is removed.
pub fn save_local(raw: &str, name: &str, data: &[u8]) -> Result<PathBuf, String> {
    if raw.trim().is_empty() {
        return Err(text::FILE_PATH_NEEDED.into());
    }
    let mut path = expand(raw);
    if path.is_dir() {
        path.push(file_name(name)?);
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io_problem(&e, &path))?;
    if let Err(e) = f.write_all(data).and_then(|()| f.sync_all()) {
        drop(f);
        let _ = std::fs::remove_file(&path);
        return Err(io_problem(&e, &path));
    }
    Ok(path)
}

/// The files of a folder typed in a dialog (a kind's package): each regular file under it by
/// its path inside it, `/`-separated; a link or a device is refused, and reading stops past
/// `max_files` files or `max_bytes` bytes.
pub fn read_folder(
    raw: &str,
    max_files: usize,
    max_bytes: u64,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    fn walk(
        root: &Path,
        rel: &Path,
        out: &mut Vec<(String, Vec<u8>)>,
        total: &mut u64,
        (max_files, max_bytes): (usize, u64),
    ) -> Result<(), String> {
        let here = root.join(rel);
        let rd = std::fs::read_dir(&here).map_err(|e| io_problem(&e, &here))?;
        let mut entries: Vec<_> = rd
            .collect::<Result<_, _>>()
            .map_err(|e| io_problem(&e, &here))?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            let rel = rel.join(e.file_name());
            let path = root.join(&rel);
            let t = e.file_type().map_err(|e| io_problem(&e, &path))?;
            if t.is_dir() {
                walk(root, &rel, out, total, (max_files, max_bytes))?;
            } else if t.is_file() {
                if out.len() >= max_files {
                    return Err(format!("{} {max_files}", text::FOLDER_TOO_MANY));
                }
                let data = std::fs::read(&path).map_err(|e| io_problem(&e, &path))?;
                *total += data.len() as u64;
                if *total > max_bytes {
                    return Err(format!(
                        "{} {}",
                        text::FOLDER_TOO_BIG,
                        size_label(max_bytes)
                    ));
                }
                let name = rel
                    .to_str()
                    .ok_or_else(|| format!("{}: {}", text::FILE_IO_ERROR, rel.display()))?;
                out.push((name.replace('\\', "/"), data));
            } else {
                return Err(format!("{}: {}", text::FILE_NOT_REGULAR, path.display()));
            }
        }
        Ok(())
    }
    if raw.trim().is_empty() {
        return Err(text::FILE_PATH_NEEDED.into());
    }
    let root = expand(raw);
    match std::fs::metadata(&root) {
        Err(e) => return Err(io_problem(&e, &root)),
        Ok(m) if !m.is_dir() => return Err(text::FOLDER_NEEDED.into()),
        Ok(_) => {}
    }
    let mut out = Vec::new();
    let mut total = 0;
    walk(
        &root,
        Path::new(""),
        &mut out,
        &mut total,
        (max_files, max_bytes),
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn local_files_are_read_within_the_limit_and_saved_without_overwriting() {
        let dir = std::env::temp_dir().join(format!("volost-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("скан паспорта.pdf");
        std::fs::write(&src, b"%PDF-1.4 test").unwrap();
        let p = src.to_string_lossy().into_owned();

        let (name, data) = read_local(&p, 1024).unwrap();
        assert_eq!(
            (name.as_str(), data.as_slice()),
            ("скан паспорта.pdf", &b"%PDF-1.4 test"[..])
        );
        assert!(read_local(&p, 5).unwrap_err().contains(text::FILE_TOO_BIG));
        assert!(read_local("", 5).is_err());
        assert_eq!(
            read_local(&dir.to_string_lossy(), 1024).unwrap_err(),
            text::FILE_IS_DIR
        );
        assert!(
            read_local("/dev/zero", 1024)
                .unwrap_err()
                .contains(text::FILE_NOT_REGULAR)
        );
        assert!(
            read_local(&dir.join("нет.pdf").to_string_lossy(), 1024)
                .unwrap_err()
                .starts_with(text::FILE_NOT_FOUND)
        );

        // Into a folder under its own name; never over a file already there.
        let out = save_local(&dir.to_string_lossy(), "копия.pdf", b"abc").unwrap();
        assert_eq!(out, dir.join("копия.pdf"));
        assert_eq!(std::fs::read(&out).unwrap(), b"abc");
        let again = save_local(&out.to_string_lossy(), "копия.pdf", b"xyz").unwrap_err();
        assert!(again.starts_with(text::FILE_EXISTS), "{again}");
        assert_eq!(std::fs::read(&out).unwrap(), b"abc");
        // A name from the node that is not plain is never joined to a folder.
        assert!(save_local(&dir.to_string_lossy(), "../x", b"abc").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
