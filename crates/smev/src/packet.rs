//! A request's packet as it travels: its documents and their signatures in one ZIP
//! (Росреестр's egrn-statement 1.1.2, docs/research/egrn-query/REPORT.md §4). Every file
//! sits at the archive's root; a signed document has the body's detached CMS signature
//! beside it as `FILE.sig` (DER), which is how Росреестр's requirements for electronic
//! documents lay out a signature. The published package that SMEV's test environment took
//! carries its signatures encapsulated instead; the detached form is the one the
//! requirements name, and the one other published clients send.

use super::signed_data;
use super::signer::Signer;
use std::io::{Cursor, Read, Write};
use volost_domain::Packet;
use zip::write::SimpleFileOptions;

/// The packet's MIME type in SMEV's attachment header.
pub const MIME: &str = "application/zip";

/// Each document of the archive begins with it.
pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// No archive the node reads holds more entries, nor a larger entry, nor more in all: a
/// statement and its inventory are a few kilobytes each.
pub const MAX_ENTRIES: usize = 64;
pub const MAX_ENTRY: u64 = 4 << 20;
pub const MAX_TOTAL: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    #[error("signing the packet's document {file}: {why}")]
    Sign { file: String, why: String },
    #[error("the packet's archive: {0}")]
    Zip(String),
}

fn zip_err(e: impl std::fmt::Display) -> PacketError {
    PacketError::Zip(e.to_string())
}

/// The archive of `packet`, its signed documents signed with the node's key. Entries carry
/// a fixed time, so the same packet makes the same bytes but for the signatures.
pub fn archive(packet: &Packet, key: &dyn Signer) -> Result<Vec<u8>, PacketError> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for d in &packet.documents {
        // A file of its own, so it says what it is; the signature covers exactly its bytes.
        let bytes = format!("{DECLARATION}{}", d.xml);
        w.start_file(d.file.as_str(), opts).map_err(zip_err)?;
        w.write_all(bytes.as_bytes()).map_err(zip_err)?;
        if d.signed {
            let now = std::time::SystemTime::now();
            let sig = signed_data::detached(key, bytes.as_bytes(), now).map_err(|e| {
                PacketError::Sign {
                    file: d.file.clone(),
                    why: e.to_string(),
                }
            })?;
            w.start_file(format!("{}.sig", d.file), opts)
                .map_err(zip_err)?;
            w.write_all(&sig).map_err(zip_err)?;
        }
    }
    Ok(w.finish().map_err(zip_err)?.into_inner())
}

/// The files of an archive by name, bounded in count and size (a ZIP's declared sizes are
/// not trusted: each entry is read up to its limit). A name with a folder is refused.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, PacketError> {
    let mut a = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_err)?;
    if a.len() > MAX_ENTRIES {
        return Err(PacketError::Zip(format!("more than {MAX_ENTRIES} entries")));
    }
    let mut out = Vec::with_capacity(a.len());
    let mut total = 0u64;
    for i in 0..a.len() {
        let f = a.by_index(i).map_err(zip_err)?;
        let name = f.name().map_err(zip_err)?.to_string();
        if name.contains(['/', '\\']) || name.starts_with('.') || f.is_dir() {
            return Err(PacketError::Zip(format!("{name}: not a plain file name")));
        }
        let mut data = Vec::new();
        f.take(MAX_ENTRY + 1)
            .read_to_end(&mut data)
            .map_err(zip_err)?;
        if data.len() as u64 > MAX_ENTRY {
            return Err(PacketError::Zip(format!(
                "{name}: larger than {MAX_ENTRY} bytes"
            )));
        }
        total += data.len() as u64;
        if total > MAX_TOTAL {
            return Err(PacketError::Zip(format!(
                "larger than {MAX_TOTAL} bytes in all"
            )));
        }
        out.push((name, data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::gost;
    use crate::keys::NodeKey;
    use volost_domain::PacketDocument;

    fn key() -> NodeKey {
        let k = gost::generate_key().unwrap();
        let cert = gost::self_signed(&k, "Узел", "Администрация", 30).unwrap();
        NodeKey { key: k, cert }
    }

    #[test]
    fn documents_and_their_detached_signatures_travel_in_one_archive() {
        let key = key();
        let packet = Packet {
            name: "request.zip".into(),
            documents: vec![
                PacketDocument {
                    file: "app_1.xml".into(),
                    xml: "<a>заявление</a>".into(),
                    signed: true,
                },
                PacketDocument {
                    file: "note.xml".into(),
                    xml: "<n/>".into(),
                    signed: false,
                },
            ],
        };
        let files = read(&archive(&packet, &key).unwrap()).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["app_1.xml", "app_1.xml.sig", "note.xml"]);
        assert_eq!(
            files[0].1,
            format!("{DECLARATION}<a>заявление</a>").as_bytes()
        );
        let signer = gost::cms_verify_detached(&files[1].1, &files[0].1).unwrap();
        assert_eq!(signer.to_der().unwrap(), key.cert.to_der().unwrap());
        // The signature stands for that document only.
        assert!(gost::cms_verify_detached(&files[1].1, "<a>другое</a>".as_bytes()).is_err());
    }

    #[test]
    fn an_archive_with_a_folder_or_too_large_an_entry_is_refused() {
        let opts = SimpleFileOptions::default();
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("../evil.xml", opts).unwrap();
        w.write_all(b"x").unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert!(read(&bytes).is_err());

        // A deflated entry that expands past the limit (a ZIP bomb's shape).
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file(
            "big.xml",
            opts.compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        w.write_all(&vec![b'a'; (MAX_ENTRY + 10) as usize]).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert!(bytes.len() < 100_000, "it compresses well");
        assert!(
            read(&bytes)
                .unwrap_err()
                .to_string()
                .contains("larger than")
        );
        assert!(read(b"not a zip").is_err());
    }
}
