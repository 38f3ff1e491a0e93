//! One workspace root: its configuration, its index, the completion table built from it, and
//! the versions of its open documents that the index holds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use ropey::Rope;

use crate::config::Config;
use crate::ide::completion_table::CompletionTable;
use crate::index::Index;
use crate::syntax::Flavor;
use crate::{cache, vfs, workspace};

/// How often completion rebuilds its title table, at most, while a root is loading.
const REBUILD_INTERVAL_WHILE_LOADING: Duration = Duration::from_secs(5);

/// One workspace root: its configuration, its index, and the completion table built from it.
pub struct Root {
    pub path: PathBuf,
    pub config: RwLock<Arc<Config>>,
    pub index: RwLock<Arc<Index>>,
    /// Bumped whenever the set of titles may have changed; the completion table follows it.
    titles_generation: AtomicU64,
    completion_table: Mutex<CompletionTableSlot>,
    /// Files are being read into the index: answers that need every document's links (the
    /// link graph: backlinks, references, rename, orphans, workspace diagnostics) are not
    /// complete yet.
    pub loading: AtomicBool,
    /// The index knows every page of the root (restored from the cache, or walked and registered
    /// as pending documents read on first use), so diagnostics and definitions of open documents
    /// are right although the load goes on. Set, and file events held back while it was unset
    /// applied, under `held_back_rereads`.
    pub names_known: AtomicBool,
    /// Files that changed on disk while the names were not known yet: the index belongs to the
    /// loader until then (a cache can only be restored into an empty index).
    pub held_back_rereads: Mutex<Vec<PathBuf>>,
    /// Root-relative path of each open document → the version the index holds.
    pub indexed_versions: Mutex<HashMap<String, i32>>,
    /// An edit changed what other documents' links may resolve to (an open document's headings,
    /// or a page that exists only in the editor appeared) since the other documents'
    /// diagnostics were last refreshed.
    pub others_may_resolve_differently: AtomicBool,
    /// The persistent index cache: where it is, and the stamps of the files whose facts the
    /// index holds as read from disk (see [`cache::DiskRecords`]).
    pub cache: RootCache,
}

/// A root's side of the index cache.
pub struct RootCache {
    pub options: cache::CacheOptions,
    pub records: Arc<cache::DiskRecords>,
    /// Bumped by every change read from disk; a write waits until it stops moving.
    pub changes: AtomicU64,
    /// A write is under way (writes never overlap).
    pub writing: AtomicBool,
    /// The settings fingerprint of the configuration the index was last loaded with.
    pub fingerprint: AtomicU64,
    /// `changes` when the cache was last written or loaded.
    pub written_changes: AtomicU64,
    /// The task that writes after changes is running.
    pub watching: AtomicBool,
}

#[derive(Default)]
struct CompletionTableSlot {
    table: Option<Arc<CompletionTable>>,
    built_for_generation: u64,
    built_at: Option<Instant>,
    rebuilding: bool,
}

impl Root {
    pub fn new(path: PathBuf, config: Config) -> Root {
        let index = Index::new(workspace::index_settings(&path, &config));
        let cache_options = cache::CacheOptions::for_root(&path);
        Root {
            path,
            config: RwLock::new(Arc::new(config)),
            index: RwLock::new(Arc::new(index)),
            titles_generation: AtomicU64::new(1),
            completion_table: Mutex::new(CompletionTableSlot::default()),
            // A new root is loading until its first load ends.
            loading: AtomicBool::new(true),
            names_known: AtomicBool::new(false),
            held_back_rereads: Mutex::new(Vec::new()),
            indexed_versions: Mutex::new(HashMap::new()),
            others_may_resolve_differently: AtomicBool::new(false),
            cache: RootCache {
                options: cache_options,
                records: Arc::default(),
                changes: AtomicU64::new(0),
                writing: AtomicBool::new(false),
                fingerprint: AtomicU64::new(0),
                written_changes: AtomicU64::new(0),
                watching: AtomicBool::new(false),
            },
        }
    }

    pub fn index(&self) -> Arc<Index> {
        self.index.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn config(&self) -> Arc<Config> {
        self.config.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn titles_changed(&self) {
        self.titles_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The completion table of the current index, and whether it is stale (built from an older
    /// index, or not built yet and empty): the caller then marks its answer incomplete, so the
    /// editor asks again. Building never happens on the caller's thread; a million titles take
    /// seconds, and a request must not wait for them.
    pub fn completion_table(self: &Arc<Self>) -> (Arc<CompletionTable>, bool) {
        let generation = self.titles_generation.load(Ordering::SeqCst);
        let mut slot = lock(&self.completion_table);
        if slot.table.is_some() && slot.built_for_generation == generation {
            return (slot.table.clone().unwrap_or_default(), false);
        }
        // While a root loads its titles change every moment; rebuilding each time would take
        // the cores away from loading itself.
        let recently_built = slot
            .built_at
            .is_some_and(|built_at| built_at.elapsed() < REBUILD_INTERVAL_WHILE_LOADING);
        let loading = self.loading.load(Ordering::SeqCst);
        let wait = slot.rebuilding || (loading && recently_built);
        if !wait {
            slot.rebuilding = true;
            let root = Arc::clone(self);
            rayon::spawn(move || root.rebuild_completion_table());
        }
        (slot.table.clone().unwrap_or_default(), true)
    }

    /// Builds the completion table of the current index and stores it.
    pub fn rebuild_completion_table(&self) {
        let generation = self.titles_generation.load(Ordering::SeqCst);
        let table = Arc::new(CompletionTable::build(&self.index()));
        let mut slot = lock(&self.completion_table);
        slot.table = Some(table);
        slot.built_for_generation = generation;
        slot.built_at = Some(Instant::now());
        slot.rebuilding = false;
    }

    /// Puts an open document's text in the index unless a newer version is already there, and
    /// returns the lock under which the index holds that version (`None`: a newer one is there).
    pub fn index_open_document(
        &self,
        relative: &str,
        version: i32,
        rope: &Rope,
    ) -> Option<MutexGuard<'_, HashMap<String, i32>>> {
        // Until every name is known the index is the loader's alone; the open documents are
        // indexed as soon as it is (`WikiWorkspace::names_known`).
        if !self.names_known.load(Ordering::SeqCst) {
            return None;
        }
        let mut indexed = lock(&self.indexed_versions);
        match indexed.get(relative) {
            Some(&indexed_version) if indexed_version > version => return None,
            Some(&indexed_version) if indexed_version == version => return Some(indexed),
            _ => {}
        }
        let flavor = Flavor::from_path(Path::new(relative))?;
        let index = self.index();
        let headings_before = heading_keys(&index, relative);
        let newly_indexed = index.document_by_path(relative).is_none();
        // Before the editor's text goes in: the cache must never pair it with the file's stamp,
        // and the loader must never replace it with the file's text.
        index.pin(relative);
        if let Some(path) = index.interner.get(relative) {
            self.cache.records.remove(&path);
        }
        index.set_document_text(relative, flavor, &rope.to_string());
        if newly_indexed {
            // A new, unsaved page: completion should offer its title too, and links to it in
            // other documents are no longer broken.
            self.titles_changed();
            let linked = index.document_by_path(relative).is_some_and(|document| {
                crate::graph::names_of(&index, &document)
                    .into_iter()
                    .any(|name| index.backlink_count(name) > 0)
            });
            if linked {
                self.others_may_resolve_differently.store(true, Ordering::SeqCst);
            }
        }
        let headings_after = heading_keys(&index, relative);
        if headings_before != headings_after {
            // Other documents' anchors may point at these headings.
            self.others_may_resolve_differently.store(true, Ordering::SeqCst);
        }
        indexed.insert(relative.to_string(), version);
        Some(indexed)
    }

    /// The indexed document at `relative` if the index holds exactly this version of it (read
    /// under the lock that `index_open_document` updates it under, so the two match).
    pub fn indexed_document_at_version(&self, relative: &str, version: i32) -> Option<Arc<crate::index::Document>> {
        let indexed = lock(&self.indexed_versions);
        if indexed.get(relative) != Some(&version) {
            return None;
        }
        self.index().document_by_path(relative)
    }

    /// After a document is closed, the index goes back to what the disk holds. True when the
    /// document is gone from the index: it existed only in the editor.
    pub fn restore_from_disk(&self, relative: &str) -> bool {
        let mut indexed = lock(&self.indexed_versions);
        indexed.remove(relative);
        let index = self.index();
        index.unpin(relative);
        let was_indexed = index.document_by_path(relative).is_some();
        self.reread_file(&self.path.join(relative));
        self.titles_changed();
        was_indexed && index.document_by_path(relative).is_none()
    }

    /// Reads one file again (or forgets it, when it is gone or no longer a wiki file). Held back
    /// until the names are known (see `held_back_rereads`).
    pub fn reread_file(&self, absolute: &Path) {
        {
            let mut held_back = lock(&self.held_back_rereads);
            if !self.names_known.load(Ordering::SeqCst) {
                held_back.push(absolute.to_path_buf());
                return;
            }
        }
        let index = self.index();
        let config = self.config();
        let relative = vfs::relative_path(&self.path, absolute);
        let records = &self.cache.records;
        let window = self.cache.options.racy_window;
        let indexed = vfs::walked_file(&self.path, absolute, &config)
            .is_some_and(|file| cache::read_and_stamp(&index, &file, &config, window, records).is_ok());
        if !indexed {
            if let Some(path) = index.interner.get(&relative) {
                records.remove(&path);
            }
            index.remove_disk_document(&relative);
        }
        self.cache.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// Writes the index cache of this root; `None` when a write is already under way.
    pub fn write_cache(&self) -> Option<Result<cache::WriteReport, String>> {
        if self.cache.writing.swap(true, Ordering::SeqCst) {
            return None;
        }
        let fingerprint = self.cache.fingerprint.load(Ordering::SeqCst);
        let written = cache::write_cache(&self.cache.options, fingerprint, &self.index(), &self.cache.records);
        self.cache.writing.store(false, Ordering::SeqCst);
        Some(written)
    }
}

/// What other documents' anchors can match in a document (nothing, when it is not indexed).
fn heading_keys(index: &Index, relative: &str) -> Vec<(crate::facts::Symbol, crate::facts::Symbol)> {
    index
        .document_by_path(relative)
        .map(|document| {
            document
                .facts
                .headings
                .iter()
                .map(|heading| (heading.anchor, heading.slug))
                .collect()
        })
        .unwrap_or_default()
}

pub fn load_config(root: &Path) -> Result<Config, String> {
    Config::load(root).map_err(|error| format!("wikils: {error}; using the default settings"))
}

/// Whether a new configuration changes which files are indexed or how titles are read.
pub fn needs_reindexing(old: &Config, new: &Config) -> bool {
    old.layout != new.layout
        || old.wiki_base_urls != new.wiki_base_urls
        || old.include != new.include
        || old.exclude != new.exclude
        || old.variant_folding != new.variant_folding
        || old.capitalize_first != new.capitalize_first
        || old.max_file_size != new.max_file_size
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
