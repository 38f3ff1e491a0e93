//! The persistent index cache: a root's documents and their facts on disk, so reopening an
//! unchanged workspace reads one file instead of parsing every page.
//!
//! # What is stored, and why this way
//!
//! One file, `<root>/.wikils/index-v<N>.bin` (or the user cache folder when the root is not
//! writable; `WIKILS_CACHE_DIR` overrides both, `WIKILS_CACHE=off` disables the cache). It holds,
//! per document, its root-relative path, flavor, symlink target, the repair warning it was read
//! with, the stamp of its file (size, mtime, ctime, inode) and its facts — links, headings,
//! problems, variant blocks — with every string written once in a string table, and the title it
//! defines. The maps derived from facts (backlinks, category members, folded titles) are stored
//! too: adding 4.4M links one by one to sharded maps was most of a warm load at 100k pages
//! (measured: 5.9 of 7 s wall), while installing stored maps is one insert per key. The stored
//! maps are derived at write time from exactly the documents written, never copied from the live
//! maps, which may already hold newer changes. After [`crate::index::Index::restore`] installs
//! the cached state whole, changed, new and deleted files go through the index's ordinary
//! incremental path.
//!
//! The format ([`format`]) is a fixed header (magic, format version, wikils version, a
//! fingerprint of the settings that change facts, and per section its offset, length and
//! CRC-32) followed by twelve sections of fixed-width little-endian records. The file is read with
//! one `read`, every checksum is verified, and records are decoded in parallel without a parser;
//! every value is range-checked, so a damaged file is an error, never a panic or a wrong index.
//! `unsafe` stays forbidden: no mmap, no transmutes. The bytes are freed before the index fills,
//! so the file and the index are not both held at the peak.
//!
//! # When a cached document is trusted
//!
//! Only when the file's stamp on disk equals the stamp taken *before* its text was read for the
//! facts in the cache, and the file is still one the walk finds. Everything else is read again:
//! new and changed files, files whose stamp could not be taken, and files modified within
//! [`RACY_WINDOW`] of being read (a file changed twice within the file system's timestamp
//! granularity could otherwise keep its stamp with new content; such files get no stamp and are
//! re-read next time). Files the walk no longer finds are dropped. Contents are not hashed: that
//! would mean reading every file, which is what the cache exists to avoid; ctime and inode catch
//! the tools that set mtime back, and renames.
//!
//! Any mismatch of the header (format, wikils version, settings fingerprint) or a checksum throws
//! the whole cache away: the root is indexed from its files, as without a cache. The full
//! rebuild stays the reference: tests check that a cached load gives the same
//! [`crate::index::Index::canonical_dump`].

pub mod format;
mod load;
mod stamp;

pub(crate) use load::read_and_stamp;
pub use load::{load_root_into, write_cache, CacheUse, WriteReport};
pub use stamp::{DiskRecord, DiskRecords, FileStamp, RACY_WINDOW};

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::index::IndexSettings;

/// The cache file's name inside a root's `.wikils/` folder.
pub fn file_name() -> String {
    format!("index-v{}.bin", format::FORMAT_VERSION)
}

/// Where a root's cache is read from and written to, and how stamps are trusted.
#[derive(Clone, Debug)]
pub struct CacheOptions {
    /// Tried in order; the first that reads (or writes) is used. Empty: no cache.
    pub locations: Vec<PathBuf>,
    /// See [`RACY_WINDOW`]; tests on files written a moment ago set it to zero.
    pub racy_window: Duration,
}

impl CacheOptions {
    /// The locations the environment asks for (see [`locations`]), with the standard window.
    pub fn for_root(root: &Path) -> CacheOptions {
        CacheOptions {
            locations: locations(root),
            racy_window: RACY_WINDOW,
        }
    }
}

/// Where a root's cache may be, in the order they are tried: nowhere when `WIKILS_CACHE=off`;
/// `WIKILS_CACHE_DIR` alone when set; else the root's `.wikils/` folder, then the user cache
/// folder (for roots that are not writable).
pub fn locations(root: &Path) -> Vec<PathBuf> {
    if std::env::var("WIKILS_CACHE").is_ok_and(|value| value == "off" || value == "0") {
        return Vec::new();
    }
    let per_root_name = || {
        let mut hasher = rustc_hash::FxHasher::default();
        root.hash(&mut hasher);
        format!("{:016x}-{}", hasher.finish(), file_name())
    };
    if let Some(folder) = std::env::var_os("WIKILS_CACHE_DIR").filter(|folder| !folder.is_empty()) {
        return vec![PathBuf::from(folder).join(per_root_name())];
    }
    let mut locations = vec![root.join(".wikils").join(file_name())];
    let user_cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|folder| !folder.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")));
    if let Some(user_cache) = user_cache {
        locations.push(user_cache.join("wikils").join(per_root_name()));
    }
    locations
}

/// What the facts of a root depend on besides the files: a cache written under other settings
/// is never used.
pub fn settings_fingerprint(settings: &IndexSettings, config: &Config) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    format!(
        "{settings:?}|{:?}|{:?}|{}",
        config.include, config.exclude, config.max_file_size
    )
    .hash(&mut hasher);
    hasher.finish()
}
