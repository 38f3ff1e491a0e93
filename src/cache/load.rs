//! Loading a root through its cache (reusing the facts of unchanged files, reading the rest) and
//! writing the cache from an index.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use super::format::{self, CachedDocument, DocumentDetails, DocumentRecords};
use super::stamp::{DiskRecord, DiskRecords, FileStamp};
use super::CacheOptions;
use crate::config::Config;
use crate::facts::Interner;
use crate::index::{Document, FlatDerivedMaps, Index, PositionMap};
use crate::vfs::{self, FileKind, WalkedFile};
use crate::workspace::{self, IndexedFile, LoadReport};

/// How a load used the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// The cache at `path` was valid: `reused` files came from it, `changed` and `added` files
    /// were read, `removed` cached files are gone.
    Used {
        path: PathBuf,
        reused: usize,
        changed: usize,
        added: usize,
        removed: usize,
    },
    /// No cache was used, and why; every file was read.
    NotUsed { reason: String },
}

impl CacheUse {
    /// True when the cache on disk no longer matches what was loaded, so it is worth writing.
    pub fn worth_writing(&self) -> bool {
        match self {
            CacheUse::Used {
                changed,
                added,
                removed,
                ..
            } => changed + added + removed > 0,
            CacheUse::NotUsed { .. } => true,
        }
    }

    /// One line for the log.
    pub fn describe(&self, root: &Path) -> String {
        match self {
            CacheUse::Used {
                path,
                reused,
                changed,
                added,
                removed,
            } => format!(
                "wikils: loaded {} from the index cache {}: {reused} files unchanged, {changed} changed, {added} new, {removed} gone",
                root.display(),
                path.display()
            ),
            CacheUse::NotUsed { reason } => format!(
                "wikils: index cache of {} not used ({reason}); reading every file",
                root.display()
            ),
        }
    }
}

/// Walks a root and fills `index` (empty, with settings from `config`), taking unchanged files'
/// facts from the cache when there is a valid one and reading the others. `records` receives the
/// stamp of every file whose facts are now in the index.
pub fn load_root_into(
    root: &Path,
    config: &Config,
    index: &Index,
    options: &CacheOptions,
    records: &Arc<DiskRecords>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (LoadReport, CacheUse) {
    load_root_staged(root, config, index, options, records, progress, &|| {})
}

/// [`load_root_into`] in two stages, calling `names_known` between them, as soon as the index
/// knows every page and can answer: with a valid cache, once the cached state is restored (before
/// the walk: files changed since are validated afterwards, so answers may be stale until the
/// load returns); without one, once the walk has registered every file as a pending document
/// (see [`crate::index::Document::pending`]), read on first use through a fact source installed
/// for the rest of the load, while the files are read in parallel. When this returns, every
/// file is read or validated and no document is pending.
pub fn load_root_staged(
    root: &Path,
    config: &Config,
    index: &Index,
    options: &CacheOptions,
    records: &Arc<DiskRecords>,
    progress: &(dyn Fn(usize, usize) + Sync),
    names_known: &(dyn Fn() + Sync),
) -> (LoadReport, CacheUse) {
    let fingerprint = super::settings_fingerprint(&index.settings, config);
    let read_any = |file: &WalkedFile| read_and_stamp(index, file, config, options.racy_window, records);
    let cache_file = open_first_cache(&options.locations);
    let install_fact_source = || {
        let (source_config, source_records) = (config.clone(), Arc::clone(records));
        let racy_window = options.racy_window;
        index.set_fact_source(Some(Arc::new(workspace::DiskFacts {
            root: root.to_path_buf(),
            config: config.clone(),
            read: move |index: &Index, file: &WalkedFile| {
                read_and_stamp(index, file, &source_config, racy_window, &source_records)
            },
        })));
    };
    let names = cache_file.and_then(|(path, file, length)| {
        let located = |reason: String| format!("{}: {reason}", path.display());
        let reader = std::io::BufReader::with_capacity(1 << 16, file);
        let (names, rest) = format::read_names(reader, length, fingerprint, &index.interner).map_err(located)?;
        let cached = names.documents;
        check_sorted(&cached, &index.interner).map_err(located)?;
        // Before the pending documents go in: none is ever seen without a way to read it.
        install_fact_source();
        let staged = index
            .restore_names(
                cached.len(),
                &|position| cached.document(position, &index.interner),
                names.folded_titles,
            )
            .ok_or_else(|| "the index was not empty".to_string())?;
        Ok((path, cached, staged, rest))
    });
    let loaded = match names {
        Ok((path, cached, staged, rest)) => {
            names_known();
            // The facts are decoded while the root is walked: the one is mostly CPU, the other
            // mostly system calls.
            let ((files, skipped), facts) = std::thread::scope(|scope| {
                let walking = scope.spawn(|| vfs::walk(root, config));
                let facts = rest.read_facts(&index.interner);
                let walked = walking.join().unwrap_or_else(|_| (Vec::new(), Vec::new()));
                (walked, facts)
            });
            // The names passed their checks and stay; without the facts, every document still
            // pending is read from its file below, as without a cache.
            let details = match facts {
                Ok(facts) => {
                    index.restore_facts(staged, facts.facts, facts.maps);
                    Ok(facts.details)
                }
                Err(reason) => {
                    drop(staged);
                    Err(format!("{}: {reason}", path.display()))
                }
            };
            let matches = match_files(&files, &cached, &index.interner);
            let mut matched = vec![false; cached.len()];
            for entry in matches.iter().flatten() {
                matched[*entry] = true;
            }
            let removed: Vec<&str> = (0..cached.len())
                .filter(|entry| !matched[*entry])
                .map(|entry| index.interner.resolve(&cached.path_symbol(entry)))
                .collect();
            // The index now holds what the cache held; what changed on disk is applied by
            // difference, as any later change would be.
            let reused = AtomicUsize::new(0);
            let changed = AtomicUsize::new(0);
            let report = workspace::index_files(index, &files, skipped, progress, &|position, file| {
                let Some(entry) = matches[position] else {
                    return read_any(file);
                };
                if index.is_pinned(&file.relative) {
                    // The editor's text stands; it is read again when the editor lets go.
                    return Ok(IndexedFile::default());
                }
                let holds_cached_facts = index
                    .document_as_indexed_by_path(&file.relative)
                    .is_some_and(|document| !document.pending);
                if let (Ok(details), true) = (&details, holds_cached_facts) {
                    if let Some(indexed) = unchanged(&cached, details, entry, file, records, &index.interner) {
                        reused.fetch_add(1, Ordering::Relaxed);
                        return Ok(indexed);
                    }
                }
                changed.fetch_add(1, Ordering::Relaxed);
                read_any(file).inspect_err(|_| {
                    index.remove_disk_document(&file.relative);
                })
            });
            removed.par_iter().for_each(|path| {
                index.remove_disk_document(path);
            });
            let used = match details {
                Err(reason) => CacheUse::NotUsed { reason },
                Ok(_) => CacheUse::Used {
                    path,
                    reused: reused.into_inner(),
                    changed: changed.into_inner(),
                    added: files.len() - (cached.len() - removed.len()),
                    removed: removed.len(),
                },
            };
            (report, used)
        }
        Err(reason) => {
            let (files, skipped) = vfs::walk(root, config);
            install_fact_source();
            // After the source: a pending document is never seen without a way to read it.
            workspace::add_names(index, &files);
            names_known();
            let report = workspace::index_files(index, &files, skipped, progress, &|_, file| {
                test_delay("WIKILS_TEST_READ_DELAY_MS");
                // Read on first use already, or held by an editor: nothing to do. Symlinks are
                // indexed already, but read again for their stamps (a `readlink`).
                if matches!(file.kind, FileKind::Regular) && !index.is_pending(&file.relative) {
                    return Ok(IndexedFile::default());
                }
                read_any(file).inspect_err(|_| {
                    index.remove_disk_document(&file.relative);
                })
            });
            (report, CacheUse::NotUsed { reason })
        }
    };
    index.set_fact_source(None);
    loaded
}

/// The first cache file found, opened, with its length; the reasons every location failed
/// otherwise.
fn open_first_cache(locations: &[PathBuf]) -> Result<(PathBuf, std::fs::File, u64), String> {
    if locations.is_empty() {
        return Err("switched off".to_string());
    }
    let mut reasons = Vec::new();
    for path in locations {
        let opened = std::fs::File::open(path).and_then(|file| {
            let length = file.metadata()?.len();
            Ok((file, length))
        });
        match opened {
            Ok((file, length)) => return Ok((path.clone(), file, length)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => reasons.push(format!("{}: {error}", path.display())),
        }
    }
    if reasons.is_empty() {
        Err("no cache yet".to_string())
    } else {
        Err(reasons.join("; "))
    }
}

/// Debug builds only (what `cargo test` runs): `WIKILS_TEST_READ_DELAY_MS` slows the background
/// read of each file, so tests can speak to a server whose links are still loading. Nothing in
/// release builds.
fn test_delay(variable: &str) {
    #[cfg(debug_assertions)]
    if let Some(milliseconds) = std::env::var(variable).ok().and_then(|value| value.parse().ok()) {
        std::thread::sleep(Duration::from_millis(milliseconds));
    }
    #[cfg(not(debug_assertions))]
    let _ = variable;
}

/// A cache whose documents are out of order is damaged.
fn check_sorted(cached: &DocumentRecords, interner: &Interner) -> Result<(), String> {
    let path = |entry: usize| interner.resolve(&cached.path_symbol(entry));
    match (1..cached.len())
        .into_par_iter()
        .any(|entry| path(entry - 1) >= path(entry))
    {
        true => Err("documents are not sorted by path".to_string()),
        false => Ok(()),
    }
}

/// For each walked file (sorted by path), the cached document of the same path. Both lists are
/// sorted, so one merge pass does it.
fn match_files(files: &[WalkedFile], cached: &DocumentRecords, interner: &Interner) -> Vec<Option<usize>> {
    let mut matches = vec![None; files.len()];
    let mut file = 0;
    for entry in 0..cached.len() {
        let path = interner.resolve(&cached.path_symbol(entry));
        while file < files.len() && files[file].relative.as_str() < path {
            file += 1;
        }
        if file < files.len() && files[file].relative == path {
            matches[file] = Some(entry);
            file += 1;
        }
    }
    matches
}

/// Records the stamp of a cached document's file when it is unchanged, and returns what reading
/// it would have reported; `None` when it must be read again.
fn unchanged(
    cached: &DocumentRecords,
    details: &DocumentDetails,
    entry: usize,
    file: &WalkedFile,
    records: &DiskRecords,
    interner: &Interner,
) -> Option<IndexedFile> {
    let stamp = FileStamp::of_path(&file.absolute())?.digest();
    let is_symlink = matches!(file.kind, FileKind::Symlink(_));
    let expected = details.stamp(entry, interner);
    if stamp != expected.stamp || cached.flavor(entry) != file.flavor || cached.is_symlink(entry) != is_symlink {
        return None;
    }
    records.insert(
        cached.path_symbol(entry),
        DiskRecord {
            stamp,
            warning: expected.warning.clone(),
        },
    );
    Some(IndexedFile {
        bytes_read: 0,
        warning: expected.warning.as_deref().map(String::from),
        held_by_editor: false,
        metadata: None,
    })
}

/// Reads a file into the index and records its stamp, taken before the read, when the file had
/// settled by then.
pub(crate) fn read_and_stamp(
    index: &Index,
    file: &WalkedFile,
    config: &Config,
    racy_window: Duration,
    records: &DiskRecords,
) -> Result<IndexedFile, String> {
    let stamped_at = SystemTime::now();
    // A regular file's stamp comes from the open file, before its bytes are read (one lookup of
    // the path, not two); a symlink's is taken here, before it is read.
    let symlink_stamp = match file.kind {
        FileKind::Symlink(_) => FileStamp::of_path(&file.absolute()),
        FileKind::Regular => None,
    };
    // Interned already in a staged load (its names stage), else by the read below.
    let known_path = index.interner.get(&file.relative);
    if let Some(path) = known_path {
        records.remove(&path);
    }
    let indexed = workspace::index_file(index, file, config)?;
    if indexed.held_by_editor {
        // The index holds the editor's text, which no stamp of the file describes.
        return Ok(indexed);
    }
    let stamp = match &indexed.metadata {
        Some(metadata) => Some(FileStamp::of_metadata(metadata)),
        None => symlink_stamp,
    };
    if let Some(stamp) = stamp.filter(|stamp| stamp.settled_at(stamped_at, racy_window)) {
        records.insert(
            known_path.unwrap_or_else(|| index.interner.get_or_intern(&file.relative)),
            DiskRecord {
                stamp: stamp.digest(),
                warning: indexed.warning.as_deref().map(Box::from),
            },
        );
    }
    Ok(indexed)
}

/// What a cache write did.
#[derive(Clone, Debug)]
pub struct WriteReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub documents: usize,
    pub links: usize,
    pub elapsed: Duration,
}

/// Writes the cache of a root: the documents of `index` that have a record, as they are now.
/// `fingerprint` is [`super::settings_fingerprint`] of the configuration the index was loaded
/// with.
/// Written to a temporary file and renamed, so a reader sees the old cache or the new one, never
/// half of one. Tries the locations in turn; the error names why each failed.
pub fn write_cache(
    options: &CacheOptions,
    fingerprint: u64,
    index: &Index,
    records: &DiskRecords,
) -> Result<WriteReport, String> {
    if options.locations.is_empty() {
        return Err("switched off".to_string());
    }
    let started = Instant::now();
    let documents = documents_to_write(index, records);
    // Derived from the very documents written, never read from the live maps, which may already
    // hold newer changes.
    let maps = index.derive_flat_maps(documents.iter().map(|(document, _)| &**document));
    let maps = (&maps, POSITIONS_PIECE);
    let written_at_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |duration| duration.as_nanos() as i64);
    let mut reasons = Vec::new();
    for path in &options.locations {
        match write_at(path, &documents, maps, index, fingerprint, written_at_ns) {
            Ok(written) => {
                return Ok(WriteReport {
                    path: path.clone(),
                    bytes: written.bytes,
                    documents: documents.len(),
                    links: written.links,
                    elapsed: started.elapsed(),
                })
            }
            Err(error) => reasons.push(format!("{}: {error}", path.display())),
        }
    }
    Err(reasons.join("; "))
}

/// A document as it is written, with the record of the file its facts were read from.
pub(super) type DocumentToWrite = (Arc<Document>, DiskRecord);

/// The documents of `index` that have a record, as they are now, sorted by path: what a cache
/// holds. Holding them keeps what is written consistent while the index changes.
pub(super) fn documents_to_write(index: &Index, records: &DiskRecords) -> Vec<DocumentToWrite> {
    // One list the length of the index's, filtered in place: a parallel `filter_map` would
    // collect pieces and then copy them into a second list (56 bytes a document).
    let kept: Vec<Option<DocumentToWrite>> = index
        .documents()
        .into_par_iter()
        .map(|document| {
            // An open document's text may be the editor's, whatever record there is.
            if index.is_pinned(&document.path) {
                return None;
            }
            let record = records.get(&document.path_symbol)?;
            // The record must belong to these facts: see `DiskRecords`.
            let current = index.document_by_path(&document.path)?;
            Arc::ptr_eq(&current, &document).then_some((document, record))
        })
        .collect();
    let mut documents: Vec<DocumentToWrite> = kept.into_iter().flatten().collect();
    documents.par_sort_unstable_by(|a, b| a.0.path.cmp(&b.0.path));
    documents
}

/// A document to write as the format's writer takes it.
pub(super) fn cached_document((document, record): &DocumentToWrite) -> CachedDocument<'_> {
    CachedDocument {
        path: document.path_symbol,
        title: document.title,
        flavor: document.flavor,
        symlink: document.symlink.as_deref(),
        warning: record.warning.as_deref(),
        stamp: record.stamp,
        facts: &document.facts,
    }
}

/// Positions of documents (backlinks, members) are placed in pieces of this many values (4
/// bytes each), a pass over the documents per piece: at a million pages the backlinks are ~40M
/// positions, a few passes.
pub(super) const POSITIONS_PIECE: usize = 8 << 20;

/// The derived maps of the documents written, and the size of the pieces their positions are
/// placed in.
pub(super) type MapsOfDocuments<'m> = (&'m FlatDerivedMaps, usize);

/// The values of a map of positions in `documents`, placed in pieces of `piece`.
struct PositionsOf<'a> {
    map: &'a PositionMap,
    documents: &'a [DocumentToWrite],
    piece: usize,
}

impl format::PositionValues for PositionsOf<'_> {
    fn each_piece(&self, put: &mut dyn FnMut(&[u32]) -> std::io::Result<()>) -> std::io::Result<()> {
        let documents = self.documents.iter().map(|(document, _)| &**document);
        self.map.for_each_piece(documents, self.piece, put)
    }
}

/// Writes `documents` and their `maps` in the cache format to `out`.
pub(super) fn write_documents<W: std::io::Write + std::io::Seek>(
    out: W,
    documents: &[DocumentToWrite],
    (maps, piece): MapsOfDocuments,
    index: &Index,
    fingerprint: u64,
    written_at_ns: i64,
) -> std::io::Result<format::Written> {
    let backlinks = PositionsOf {
        map: &maps.backlinks,
        documents,
        piece,
    };
    let members = PositionsOf {
        map: &maps.members,
        documents,
        piece,
    };
    let maps = format::MapsToWrite {
        backlinks: format::PositionsToWrite {
            keys: &maps.backlinks.keys,
            counts: &maps.backlinks.counts,
            values: &backlinks,
        },
        members: format::PositionsToWrite {
            keys: &maps.members.keys,
            counts: &maps.members.counts,
            values: &members,
        },
        folded_titles: &maps.folded_titles,
    };
    let documents = || documents.iter().map(cached_document);
    format::write(out, documents, &maps, &index.interner, fingerprint, written_at_ns)
}

fn write_at(
    path: &Path,
    documents: &[DocumentToWrite],
    maps: MapsOfDocuments,
    index: &Index,
    fingerprint: u64,
    written_at_ns: i64,
) -> std::io::Result<format::Written> {
    let folder = path.parent().ok_or_else(|| std::io::Error::other("no parent folder"))?;
    std::fs::create_dir_all(folder)?;
    if folder.file_name().is_some_and(|name| name == ".wikils") {
        let ignore = folder.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "# wikils' index cache: safe to delete, never commit.\n*\n")?;
        }
    }
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|file| write_documents(file, documents, maps, index, fingerprint, written_at_ns));
    let written = written.and_then(|written| std::fs::rename(&temporary, path).map(|()| written));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    if written.is_ok() {
        remove_older_formats(folder);
    }
    written
}

/// Removes the caches of older format versions beside a new one (`index-v<N>.bin`, N below the
/// current version): no wikils that reads this folder can use them, and at 1M pages each is
/// ~1.5 GB. Nothing else is touched; a file that cannot be removed stays.
fn remove_older_formats(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let version = name
            .to_str()
            .and_then(|name| name.strip_prefix("index-v"))
            .and_then(|rest| rest.strip_suffix(".bin"))
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u32>().ok());
        if version.is_some_and(|version| version < format::FORMAT_VERSION) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
