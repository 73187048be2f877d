//! The starter catalog's kind packages, built into the binary from `kinds/` (`build.rs`).
//! libxml2 compiles a schema set from files, so a package is written out to a folder before
//! it is opened.

use super::package::{Package, PackageError};
use std::path::Path;

/// A package's files: each path in the package with its bytes.
pub type Files = &'static [(&'static str, &'static [u8])];

/// Each package's code with its files.
pub const PACKAGES: &[(&str, Files)] = include!(concat!(env!("OUT_DIR"), "/starter_kinds.rs"));

/// A package's files as the node keeps them.
pub fn package_files(files: Files) -> Vec<volost_domain::PackageFile> {
    files
        .iter()
        .map(|(path, data)| volost_domain::PackageFile {
            path: (*path).to_string(),
            data: data.to_vec(),
        })
        .collect()
}

/// The codes of the starter packages.
pub fn codes() -> impl Iterator<Item = &'static str> {
    PACKAGES.iter().map(|(c, _)| *c)
}

/// Writes the package `code` into `dest/code` and opens it there (all its checks run).
pub fn open(code: &str, dest: &Path) -> Result<Option<Package>, PackageError> {
    let Some((_, files)) = PACKAGES.iter().find(|(c, _)| *c == code) else {
        return Ok(None);
    };
    let dir = dest.join(code);
    for (path, data) in *files {
        let p = dir.join(path);
        let written = p
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&p, data));
        written.map_err(|e| PackageError::Unreadable {
            path: (*path).to_string(),
            why: e.to_string(),
        })?;
    }
    Package::open(&dir).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_built_in_packages_are_the_starter_catalog_and_each_opens() {
        let codes: Vec<_> = codes().collect();
        assert_eq!(codes.len(), 10, "{codes:?}");
        let dir = tempfile::tempdir().unwrap();
        for c in codes {
            let p = open(c, dir.path()).unwrap().unwrap();
            assert_eq!(p.description.code, c);
        }
        assert!(open("household_book", dir.path()).unwrap().is_none());
    }
}
