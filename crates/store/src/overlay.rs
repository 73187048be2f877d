//! A database file on a read-only disk, opened after an unclean stop.
//!
//! redb repairs a file that was not closed cleanly as it opens it, and that repair writes
//! (at least the header; with the allocator's state recorded at each commit, nothing more).
//! Its read-only open refuses such a file outright. When ext4 remounts the data partition
//! read-only after a disk error, the writer that was open is gone uncleanly by definition, so
//! without this the node could not show staff anything until the disk was repaired. Here the
//! repair's writes land in memory, over the unchanged file: staff read what was last
//! committed, every change is refused, and the file is left exactly as the disk holds it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

const BLOCK: u64 = 4096;
/// What the repair may write before the open gives up: a quick repair writes a header, a
/// full one (a file from a build that recorded no allocator state) a few pages per region.
const MAX_BYTES: usize = 64 << 20;

/// The storage read as it is, with writes kept in memory in blocks of 4 KiB.
#[derive(Debug, Clone)]
pub struct Overlay {
    base: Arc<dyn redb::StorageBackend>,
    state: Arc<Mutex<State>>,
}

/// A file opened for reading: the base of an overlay on a read-only disk.
#[derive(Debug)]
struct ReadFile(File);

impl redb::StorageBackend for ReadFile {
    fn len(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        self.0.read_exact_at(out, offset)
    }

    fn set_len(&self, _: u64) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(30))
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, _: u64, _: &[u8]) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(30))
    }
}

#[derive(Debug)]
struct State {
    len: u64,
    /// Bytes of the file at and past this offset are gone (the storage was shrunk) and read as
    /// zeros if it grows again.
    file_end: u64,
    blocks: BTreeMap<u64, Box<[u8]>>,
}

impl Overlay {
    /// Over the database file at `path`, opened for reading only and held with a shared lock
    /// (flock, which redb's writer also takes exclusively): when the disk is writable again,
    /// the node opens the file for writing only once no read over the overlay is in flight,
    /// as a writer reusing pages under such a read would tear it.
    pub fn open(path: &Path) -> io::Result<Overlay> {
        let file = File::open(path)?;
        file.try_lock_shared().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => io::Error::new(
                io::ErrorKind::WouldBlock,
                "the database is held for writing by another handle",
            ),
            std::fs::TryLockError::Error(e) => e,
        })?;
        Overlay::over(ReadFile(file))
    }

    /// Over any storage (the fault-injecting disk of the reliability tests).
    pub fn over(base: impl redb::StorageBackend) -> io::Result<Overlay> {
        let len = base.len()?;
        Ok(Overlay {
            base: Arc::new(base),
            state: Arc::new(Mutex::new(State {
                len,
                file_end: len,
                blocks: BTreeMap::new(),
            })),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads `out.len()` bytes of the underlying file at `offset`, zeros past its end.
    fn read_file(&self, file_end: u64, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let have = file_end.saturating_sub(offset).min(out.len() as u64) as usize;
        self.base.read(offset, &mut out[..have])?;
        out[have..].fill(0);
        Ok(())
    }
}

impl redb::StorageBackend for Overlay {
    fn len(&self) -> io::Result<u64> {
        Ok(self.state().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let s = self.state();
        let end = offset
            .checked_add(out.len() as u64)
            .filter(|&e| e <= s.len)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end"))?;
        let mut at = offset;
        while at < end {
            let block = at / BLOCK * BLOCK;
            let from = (at - block) as usize;
            let n = ((block + BLOCK).min(end) - at) as usize;
            let dst = &mut out[(at - offset) as usize..][..n];
            match s.blocks.get(&block) {
                Some(b) => dst.copy_from_slice(&b[from..from + n]),
                None => self.read_file(s.file_end, at, dst)?,
            }
            at += n as u64;
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut s = self.state();
        if len < s.len {
            s.file_end = s.file_end.min(len);
            let cut = len.div_ceil(BLOCK) * BLOCK;
            s.blocks.retain(|&b, _| b < cut);
            // The part of the last block past the new end must read as zeros if it grows.
            let tail = len / BLOCK * BLOCK;
            if let Some(b) = s.blocks.get_mut(&tail) {
                b[(len - tail) as usize..].fill(0);
            }
        }
        s.len = len;
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut s = self.state();
        let end = offset
            .checked_add(data.len() as u64)
            .ok_or_else(|| io::Error::other("write past the end"))?;
        let mut at = offset;
        while at < end {
            let block = at / BLOCK * BLOCK;
            let from = (at - block) as usize;
            let n = ((block + BLOCK).min(end) - at) as usize;
            if !s.blocks.contains_key(&block) {
                if (s.blocks.len() + 1) * BLOCK as usize > MAX_BYTES {
                    return Err(io::Error::other(
                        "the repair of a read-only database needs more memory than allowed",
                    ));
                }
                let mut b = vec![0u8; BLOCK as usize].into_boxed_slice();
                self.read_file(s.file_end, block, &mut b)?;
                s.blocks.insert(block, b);
            }
            if let Some(b) = s.blocks.get_mut(&block) {
                b[from..from + n].copy_from_slice(&data[(at - offset) as usize..][..n]);
            }
            at += n as u64;
        }
        s.len = s.len.max(end);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::StorageBackend as _;

    #[test]
    fn writes_stay_in_memory_and_read_back_over_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("f");
        let orig: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &orig).expect("write");
        let o = Overlay::open(&p).expect("open");
        o.write(4090, &[7; 20]).expect("write across blocks");
        let mut got = vec![0; 10_000];
        o.read(0, &mut got).expect("read");
        let mut want = orig.clone();
        want[4090..4110].fill(7);
        assert_eq!(got, want);
        // Shrunk and grown again: what was cut reads as zeros, not the file's old bytes.
        o.set_len(5000).expect("shrink");
        o.set_len(9000).expect("grow");
        let mut tail = vec![1; 4000];
        o.read(5000, &mut tail).expect("read");
        assert!(tail.iter().all(|&b| b == 0));
        let mut past = [0u8; 1];
        assert!(o.read(9000, &mut past).is_err());
        assert_eq!(
            std::fs::read(&p).expect("read"),
            orig,
            "the file is untouched"
        );
        // A writer cannot take the file while the overlay reads it, and can once it is gone.
        let other = File::open(&p).expect("open");
        assert!(other.try_lock().is_err(), "held shared by the overlay");
        drop(o);
        other.try_lock().expect("free once the overlay is dropped");
    }
}
