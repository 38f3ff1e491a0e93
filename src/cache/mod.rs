//! The persistent index cache: a root's documents and their facts on disk, so reopening an
//! unchanged workspace reads one file instead of parsing every page.
//!
//! # What is stored, and why this way
//!
//! One file per root, `index-v<N>.bin` in the root's folder of the user cache folder (writing
//! one removes those of older versions beside it)
//! (`$XDG_CACHE_HOME/wikils/` or `~/.cache/wikils/`, `WIKILS_CACHE_DIR` instead when set; the
//! root's folder is named by a hash of its canonical path and the end of its name), or in
//! `<root>/.wikils/` when that folder exists (the user opted in; the server never creates
//! anything inside a workspace). `WIKILS_CACHE=off` disables the cache. It holds,
//! per document, its root-relative path, flavor, symlink target, the repair warning it was read
//! with, the stamp of its file (size, mtime, ctime, inode, as a 64-bit digest) and its facts — links, headings,
//! problems, variant blocks — with every string written once in a string table, and the title it
//! defines. The maps derived from facts (backlinks, category members, folded titles) are stored
//! too: adding 4.4M links one by one to sharded maps was most of a warm load at 100k pages
//! (measured: 5.9 of 7 s wall), while installing stored maps is one insert per key. The stored
//! maps are derived at write time from exactly the documents written, never copied from the live
//! maps, which may already hold newer changes. After [`crate::index::Index::restore_names`] and
//! [`crate::index::Index::restore_facts`] install the cached state whole, changed, new and deleted files go through the index's ordinary
//! incremental path.
//!
//! The format ([`mod@format`]) is a fixed header (magic, format version, wikils version, a
//! fingerprint of the settings that change facts, and per section its offset, length and
//! CRC-32) followed by fifteen sections of fixed-width little-endian records, those a warm start
//! needs before it can answer (the names' strings, the documents, the folded titles; 95 MB of
//! the 1.55 GB file at 1M pages) first and apart from the rest; link records
//! hold no positions (as `LinkFact` does not): each document's packed positions are stored as
//! is, and must decode to exactly one pair per link. The file is read one section at a time,
//! the per-document sections in pieces of a few MB, each checksum verified and each piece
//! decoded in parallel without a parser before the next is read, so the file's bytes are never
//! held whole next to the facts decoded from them; strings go into the interner at once. Every
//! value is range-checked, so a damaged file is an error, never a panic or a wrong index.
//! `unsafe` stays forbidden: no mmap, no transmutes.
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
#[cfg(test)]
mod write_tests;

pub(crate) use load::read_and_stamp;
pub use load::{load_root_into, load_root_staged, write_cache, CacheUse, WriteReport};
pub use stamp::{DiskRecord, DiskRecords, FileStamp, RACY_WINDOW};

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::index::IndexSettings;

/// The cache file's name inside a root's cache folder.
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
/// the root's own `.wikils/` folder when it already exists (the user opted in: wikils never
/// creates anything inside a workspace); then the root's folder in the user cache folder —
/// `WIKILS_CACHE_DIR` when set, else `$XDG_CACHE_HOME/wikils`, else `~/.cache/wikils`. No
/// location when none of these is known.
pub fn locations(root: &Path) -> Vec<PathBuf> {
    if std::env::var("WIKILS_CACHE").is_ok_and(|value| value == "off" || value == "0") {
        return Vec::new();
    }
    let mut locations = Vec::new();
    let in_root = root.join(".wikils");
    if in_root.is_dir() {
        locations.push(in_root.join(file_name()));
    }
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let user_cache = non_empty("WIKILS_CACHE_DIR").map(PathBuf::from).or_else(|| {
        non_empty("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .map(|folder| folder.join("wikils"))
    });
    if let Some(user_cache) = user_cache {
        locations.push(user_cache.join(root_folder_name(root)).join(file_name()));
    }
    locations
}

/// A root's folder in the user cache: a hash of its canonical path (two roots never share a
/// cache) and, to be recognisable when listed, the end of its name.
pub fn root_folder_name(root: &Path) -> String {
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    // FNV-1a over the path's bytes: stable across Rust and crate versions, so an upgrade
    // finds the same folder instead of leaving the old one behind.
    let hash = canonical
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        });
    let name: String = canonical
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let readable: String = name
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if readable.is_empty() {
        format!("{hash:016x}")
    } else {
        format!("{hash:016x}-{readable}")
    }
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
