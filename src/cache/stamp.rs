//! File stamps: what the cache compares to decide that a file is unchanged since it was read.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dashmap::DashMap;

/// Files modified this close to the moment they were read get no stamp: file systems keep
/// timestamps in ticks (a few milliseconds on ext4, a second or two elsewhere), and a second
/// change within the same tick would leave the stamp as it was.
pub const RACY_WINDOW: Duration = Duration::from_secs(2);

/// Size, times and inode of a file (a symlink's own, never its target's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub modified_ns: i64,
    pub changed_ns: i64,
    pub inode: u64,
}

impl FileStamp {
    /// The stamp of the file at `path`, not following a symlink; `None` when it cannot be read.
    pub fn of_path(path: &Path) -> Option<FileStamp> {
        let metadata = std::fs::symlink_metadata(path).ok()?;
        Some(FileStamp::of_metadata(&metadata))
    }

    #[cfg(unix)]
    pub fn of_metadata(metadata: &std::fs::Metadata) -> FileStamp {
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            size: metadata.len(),
            modified_ns: metadata.mtime().saturating_mul(1_000_000_000) + metadata.mtime_nsec(),
            changed_ns: metadata.ctime().saturating_mul(1_000_000_000) + metadata.ctime_nsec(),
            inode: metadata.ino(),
        }
    }

    #[cfg(not(unix))]
    pub fn of_metadata(metadata: &std::fs::Metadata) -> FileStamp {
        let nanoseconds = |time: std::io::Result<SystemTime>| {
            time.ok()
                .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |duration| duration.as_nanos() as i64)
        };
        FileStamp {
            size: metadata.len(),
            modified_ns: nanoseconds(metadata.modified()),
            changed_ns: nanoseconds(metadata.created()),
            inode: 0,
        }
    }

    /// The stamp in 8 bytes, never 0: what the cache keeps and compares. Two different stamps
    /// share a digest with a chance of 2^-64, which is what a file changed without its size,
    /// times or inode changing as seen by the cache would need.
    pub fn digest(&self) -> u64 {
        let mut digest = 0x9E37_79B9_7F4A_7C15u64;
        for value in [self.size, self.modified_ns as u64, self.changed_ns as u64, self.inode] {
            digest = (digest ^ value).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            digest ^= digest >> 31;
            digest = digest.wrapping_mul(0x94D0_49BB_1331_11EB);
            digest ^= digest >> 29;
        }
        digest.max(1)
    }

    /// True when the file last changed more than `window` before `read_at`, so that a later
    /// change must show in its stamp.
    pub fn settled_at(&self, read_at: SystemTime, window: Duration) -> bool {
        let read_at_ns = read_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |duration| duration.as_nanos() as i64);
        // The mtime, not the ctime: content changes move the mtime, and a tool that sets the
        // mtime back still moves the ctime, which the comparison of stamps catches.
        read_at_ns - self.modified_ns > window.as_nanos() as i64
    }
}

/// What the cache records about a file besides its facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskRecord {
    /// The file's [`FileStamp::digest`].
    pub stamp: u64,
    /// The repair the file was read with (invalid UTF-8), reported again when it is reused.
    pub warning: Option<Box<str>>,
}

type SymbolMap<V> = DashMap<crate::facts::Symbol, V, rustc_hash::FxBuildHasher>;

/// The stamps of the documents whose facts in the index are exactly what their files held when
/// stamped, by the symbol of the root-relative path in the index's interner (the index interns
/// every document's path anyway: a key costs 4 bytes and no allocation, which at 1M files saves
/// ~150 MiB over keys of their own). A document without an entry is never written to the cache.
/// Each stamp is its 8-byte digest, and the few repair warnings sit in a map of their own: an
/// entry of the stamps' map is 16 bytes (56 with the whole stamp and the warning inline, 120 MiB
/// at 1M files with the tables' slack; 36 MiB now).
///
/// A root reindexed with a new index clears its records; a stamp inserted late by a read for the
/// old index would then sit under another path's symbol. It can never pass for that file's
/// stamp: stamps hold the inode, so the next load finds the file changed and reads it.
///
/// The order of updates makes a cache write safe while documents change: a stamp is inserted
/// only *after* the facts read from its file are in the index, and removed *before* facts from
/// anywhere else (an editor's unsaved text) go in. The writer takes a document, then its stamp,
/// then checks that the index still holds the same document; see [`super::write_cache`]. A
/// warning is set before its stamp and removed after it, so a stamp is never seen with an older
/// read's warning.
#[derive(Default)]
pub struct DiskRecords {
    stamps: SymbolMap<u64>,
    warnings: SymbolMap<Box<str>>,
}

impl DiskRecords {
    pub fn insert(&self, path: crate::facts::Symbol, record: DiskRecord) {
        match record.warning {
            Some(warning) => {
                self.warnings.insert(path, warning);
            }
            // Looked up first: a shard's read lock, where a removal would take its write lock
            // for each of a million files that have no warning.
            None if self.warnings.contains_key(&path) => {
                self.warnings.remove(&path);
            }
            None => {}
        }
        self.stamps.insert(path, record.stamp);
    }

    pub fn remove(&self, path: &crate::facts::Symbol) {
        self.stamps.remove(path);
        // As in `insert`: nearly every file has no warning, and each read removes its record.
        if self.warnings.contains_key(path) {
            self.warnings.remove(path);
        }
    }

    pub fn get(&self, path: &crate::facts::Symbol) -> Option<DiskRecord> {
        let stamp = *self.stamps.get(path)?;
        let warning = self.warnings.get(path).map(|warning| warning.value().clone());
        Some(DiskRecord { stamp, warning })
    }

    pub fn clear(&self) {
        self.stamps.clear();
        self.warnings.clear();
    }

    pub fn len(&self) -> usize {
        self.stamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stamps.is_empty()
    }

    /// Approximate heap bytes of the two maps.
    pub fn memory_estimate(&self) -> usize {
        let stamps = self.stamps.capacity() * (std::mem::size_of::<(crate::facts::Symbol, u64)>() + 1);
        let warnings: usize = self.warnings.iter().map(|entry| entry.value().len() + 32).sum();
        stamps + warnings
    }
}
