//! Loading a workspace root: walk it, read and parse every wiki file in parallel, and index them.
//!
//! Shared by `wikils check` and the language server, so both see the same pages.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::config::Config;
use crate::index::{Index, IndexSettings, SymlinkTarget};
use crate::layout::Layout;
use crate::title::TitleRules;
use crate::vfs::{self, FileKind, Skipped, WalkedFile};

pub struct LoadedRoot {
    pub root: PathBuf,
    pub config: Config,
    pub index: Index,
    /// Files left out, and why.
    pub skipped: Vec<Skipped>,
    /// Files indexed with a repair (e.g. invalid UTF-8).
    pub warnings: Vec<Skipped>,
    pub bytes_read: u64,
}

/// The index settings a configuration asks for at this root.
pub fn index_settings(root: &Path, config: &Config) -> IndexSettings {
    IndexSettings {
        layout: Layout::detect(root, config.layout),
        rules: TitleRules {
            capitalize_first: config.capitalize_first,
        },
        variant_folding: config.variant_folding,
        wiki_base_urls: config.wiki_base_urls.clone(),
    }
}

/// Walks and indexes a root. `progress(done, total)` is called from worker threads.
pub fn load_root(root: &Path, config: Config, progress: &(dyn Fn(usize, usize) + Sync)) -> LoadedRoot {
    let index = Index::new(index_settings(root, &config));
    let report = load_root_into(root, &config, &index, progress);
    LoadedRoot {
        root: root.to_path_buf(),
        config,
        index,
        skipped: report.skipped,
        warnings: report.warnings,
        bytes_read: report.bytes_read,
    }
}

/// What loading a root into an index left out or repaired.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Skipped>,
    pub bytes_read: u64,
}

/// Walks a root and adds every file to an existing index, which may be read (the language
/// server answers from it) while it fills.
pub fn load_root_into(
    root: &Path,
    config: &Config,
    index: &Index,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> LoadReport {
    let (files, skipped) = vfs::walk(root, config);
    index_files(index, &files, skipped, progress, &|_, file| {
        index_file(index, file, config)
    })
}

/// Files read between two additions of their links to the index's maps: enough for each
/// shard's additions to come in a run, few enough that the transient lists stay small (~10 MB at
/// forty links a page) and that references see the links of a loading wiki in steps of about a
/// second.
const LINK_CHUNK_FILES: usize = 32_768;

/// Adds walked files to `index` in parallel with `index_one` (given each file's position in
/// `files`), collecting what was skipped or repaired, sorted by path; frees the classification
/// caches the load filled.
pub fn index_files(
    index: &Index,
    files: &[WalkedFile],
    mut skipped: Vec<Skipped>,
    progress: &(dyn Fn(usize, usize) + Sync),
    index_one: &(dyn Fn(usize, &WalkedFile) -> Result<IndexedFile, String> + Sync),
) -> LoadReport {
    let total = files.len();
    let done = AtomicUsize::new(0);
    let bytes_read = AtomicU64::new(0);
    let problems = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    let read_one = |position: usize, file: &WalkedFile| {
        match index.deferring_links(|| index_one(position, file)) {
            Ok(indexed) => {
                bytes_read.fetch_add(indexed.bytes_read, Ordering::Relaxed);
                if let Some(warning) = indexed.warning {
                    lock(&warnings).push(Skipped {
                        path: file.relative.clone(),
                        reason: warning,
                    });
                }
            }
            Err(reason) => lock(&problems).push(Skipped {
                path: file.relative.clone(),
                reason,
            }),
        }
        let done = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(done, total);
    };
    // A chunk of files at a time, each chunk's links then added to the maps together (see
    // `Index::deferring_links`).
    for (chunk, chunk_files) in files.chunks(LINK_CHUNK_FILES).enumerate() {
        chunk_files
            .par_iter()
            .enumerate()
            .for_each(|(at, file)| read_one(chunk * LINK_CHUNK_FILES + at, file));
        index.add_deferred_links();
    }
    rayon::broadcast(|_| crate::facts::release_anchor_cache());
    crate::facts::release_anchor_cache();
    index.release_classification_cache();
    skipped.extend(problems.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let mut warnings = warnings.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    warnings.sort_by(|a, b| a.path.cmp(&b.path));
    LoadReport {
        skipped,
        warnings,
        bytes_read: bytes_read.into_inner(),
    }
}

/// One file read into the index.
#[derive(Debug, Default)]
pub struct IndexedFile {
    pub bytes_read: u64,
    /// Set when the file was repaired while reading (e.g. invalid UTF-8).
    pub warning: Option<String>,
    /// An editor holds the path (see [`Index::pin`]): what was read did not go in.
    pub held_by_editor: bool,
    /// A regular file's metadata, taken from the open file before its bytes were read.
    pub metadata: Option<std::fs::Metadata>,
}

/// Reads one walked file (a symlink's target, or a regular file's text) into the index,
/// replacing what the index held for its path, unless an editor holds it (see [`Index::pin`]). An
/// error names why the file was left out.
pub fn index_file(index: &Index, file: &WalkedFile, config: &Config) -> Result<IndexedFile, String> {
    match &file.kind {
        FileKind::Symlink(_) => Ok(IndexedFile {
            held_by_editor: symlink_into(index, file).is_none(),
            ..IndexedFile::default()
        }),
        FileKind::Regular => {
            let document = vfs::read_document(&file.absolute(), config.max_file_size)?;
            let indexed = index.set_disk_document_text(&file.relative, file.flavor, &document.text);
            Ok(IndexedFile {
                bytes_read: document.text.len() as u64,
                warning: document.warning,
                held_by_editor: indexed.is_none(),
                metadata: Some(document.metadata),
            })
        }
    }
}

/// Registers every walked file in `index` before any is read, so every page name is known at
/// once: symlinks whole (their content is their target), regular files as pending documents
/// (see [`crate::index::Document::pending`]), which a [`DiskFacts`] source reads on first use.
/// Paths already indexed are left as they are.
pub fn add_names(index: &Index, files: &[WalkedFile]) {
    files.par_iter().for_each(|file| match &file.kind {
        FileKind::Symlink(_) => {
            if index.document_as_indexed_by_path(&file.relative).is_none() {
                // A symlink costs no read beyond the walk's: index it whole.
                let _ = symlink_into(index, file);
            }
        }
        FileKind::Regular => index.add_pending_document(&file.relative, file.flavor),
    });
}

fn symlink_into(index: &Index, file: &WalkedFile) -> Option<crate::index::DocumentId> {
    match &file.kind {
        FileKind::Symlink(Ok(link_path)) => {
            let target = index.symlink_target(&file.relative, link_path);
            index.set_disk_symlink(&file.relative, file.flavor, target)
        }
        FileKind::Symlink(Err(reason)) => {
            index.set_disk_symlink(&file.relative, file.flavor, SymlinkTarget::Broken(reason.clone()))
        }
        FileKind::Regular => None,
    }
}

/// Reads pending documents of a root from disk on first use (an index's
/// [`crate::index::FactSource`]), with `read` (e.g. [`index_file`], or a reader that also
/// records the file's stamp); a file that is gone, no longer a wiki file of the root, or
/// unreadable is removed from the index, as the full load would have left it out.
pub struct DiskFacts<F> {
    pub root: PathBuf,
    pub config: Config,
    pub read: F,
}

impl<F> crate::index::FactSource for DiskFacts<F>
where
    F: Fn(&Index, &WalkedFile) -> Result<IndexedFile, String> + Send + Sync,
{
    fn load(&self, index: &Index, path: &str) {
        let read = vfs::walked_file(&self.root, &self.root.join(path), &self.config)
            .is_some_and(|file| (self.read)(index, &file).is_ok());
        if !read {
            index.remove_disk_document(path);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The workspace root for a path: the nearest folder (the path itself, if a folder) holding
/// `wikils.toml`, a `Page/` folder or `.git`; else the path's own folder.
pub fn find_root(path: &Path) -> PathBuf {
    let start = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut current = Some(start.as_path());
    while let Some(folder) = current {
        if folder.join(crate::config::CONFIG_FILE_NAME).is_file()
            || folder.join("Page").is_dir()
            || folder.join(".git").exists()
        {
            return folder.to_path_buf();
        }
        current = folder.parent();
    }
    start
}
