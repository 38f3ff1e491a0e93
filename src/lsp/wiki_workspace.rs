//! The wiki side of the server: workspace roots with their index and configuration, the open
//! documents' place in the index, and diagnostics (pushed, debounced and versioned, or pulled).
//!
//! # Ordering and blocking
//!
//! The document listener runs inside the step that applied an edit, so it only records the new
//! rope and spawns a task. That task indexes the text on a blocking thread, waits for a quiet
//! moment, then computes diagnostics on a blocking thread. Index updates of open documents are
//! serialised per root and carry the document version: an update older than the one already
//! applied is dropped, so a slow parse can never overwrite a newer one. Diagnostics are computed
//! while holding that same lock, so findings always match the version they are published for.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp::lsp_types::{Diagnostic, FileEvent, MessageType, Url};
use tower_lsp::Client;

use super::convert::to_lsp_diagnostic;
use super::documents::Document as OpenDocument;
use super::progress::IndexingProgress;
use super::root::{load_config, lock, needs_reindexing, Root};
use super::state::DocumentListener;
use crate::config::{Config, CONFIG_FILE_NAME};
use crate::diagnostics;
use crate::index::Index;
use crate::text::Encoding;
use crate::{cache, vfs, workspace};

/// Diagnostics wait this long after the last change, so a burst of changes (fast typing, an
/// editor's multi-part edit) is checked once. Checking a normal page takes under a millisecond
/// (see the latency benchmark), so the wait is kept short: edit→diagnostics stays under 20 ms.
const DIAGNOSTICS_DEBOUNCE: Duration = Duration::from_millis(10);
const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);

/// What the client said it can do, as far as the wiki features care.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientFeatures {
    pub work_done_progress: bool,
    pub watched_files_dynamic_registration: bool,
    pub push_diagnostics: bool,
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    /// `workspace.codeLens.refreshSupport`: lenses shown while loading can be asked for again.
    pub code_lens_refresh: bool,
    /// `workspace.semanticTokens.refreshSupport`.
    pub semantic_tokens_refresh: bool,
    pub definition_link_support: bool,
    /// Hovers may be Markdown (else plain text).
    pub hover_markdown: bool,
    /// Document symbols may nest (`DocumentSymbol`), else flat `SymbolInformation`.
    pub hierarchical_document_symbols: bool,
    /// The client asks for semantic tokens; only then are they advertised.
    pub semantic_tokens: bool,
    /// `workspace.workspaceEdit.documentChanges` with the `create`, `rename` and `delete`
    /// resource operations: edits can move and create files.
    pub workspace_edit_file_operations: bool,
    /// `textDocument.rename.prepareSupport`.
    pub prepare_rename_support: bool,
}

/// The open documents as last changed: version and text.
#[derive(Clone)]
struct LatestText {
    version: i32,
    rope: Rope,
}

pub struct WikiWorkspace {
    client: Client,
    roots: RwLock<Vec<Arc<Root>>>,
    client_features: OnceLock<ClientFeatures>,
    encoding: OnceLock<Encoding>,
    latest: DashMap<Url, LatestText>,
    /// What was last pushed for each open document (version and diagnostics): the same answer
    /// again (a load stage ending without changing it) is not sent twice.
    published: DashMap<Url, (i32, Vec<Diagnostic>)>,
    progress_token_counter: AtomicU64,
    initialized: AtomicBool,
    /// Requests waiting for a root to load (see [`WaitingRequest`]).
    waiting_requests: AtomicUsize,
    /// Rule severities from the editor's settings; they override each root's `wikils.toml`.
    editor_rules: RwLock<std::collections::BTreeMap<crate::diagnostics::Code, crate::config::RuleSetting>>,
}

impl WikiWorkspace {
    pub fn new(client: Client) -> WikiWorkspace {
        WikiWorkspace {
            client,
            roots: RwLock::new(Vec::new()),
            client_features: OnceLock::new(),
            encoding: OnceLock::new(),
            latest: DashMap::new(),
            published: DashMap::new(),
            progress_token_counter: AtomicU64::new(0),
            initialized: AtomicBool::new(false),
            waiting_requests: AtomicUsize::new(0),
            editor_rules: RwLock::new(std::collections::BTreeMap::new()),
        }
    }

    pub fn configure(&self, features: ClientFeatures, encoding: Encoding) {
        let _ = self.client_features.set(features);
        let _ = self.encoding.set(encoding);
    }

    /// Takes the rule severities an editor sends (in `initializationOptions.rules` or the
    /// `wikils.rules` settings) and returns the entries that could not be used.
    pub fn set_editor_rules(&self, rules: &serde_json::Value) -> Vec<String> {
        let (rules, problems) = crate::config::rules_from_editor_settings(rules);
        *self
            .editor_rules
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = rules;
        problems
    }

    /// A root's configuration with the editor's rule severities applied.
    pub(crate) fn effective_config(&self, root: &Root) -> crate::config::Config {
        let mut config = (*root.config()).clone();
        let editor_rules = self
            .editor_rules
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        config
            .rules
            .extend(editor_rules.iter().map(|(code, setting)| (*code, *setting)));
        config
    }

    pub fn client_features(&self) -> ClientFeatures {
        self.client_features.get().copied().unwrap_or_default()
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or(Encoding::Utf16)
    }

    /// The root holding a file URI, and the file's root-relative path. A file outside every
    /// root gets a root of its own (the nearest folder with `wikils.toml`, `Page/` or `.git`),
    /// loaded in the background.
    pub fn locate(self: &Arc<Self>, uri: &Url) -> Option<(Arc<Root>, String)> {
        if uri.scheme() != "file" {
            return None;
        }
        let path = uri.to_file_path().ok()?;
        if let Some(found) = self.root_containing(&path) {
            return Some(found);
        }
        if !self.initialized.load(Ordering::SeqCst) {
            return None;
        }
        let root = self.add_root(workspace::find_root(&path));
        let relative = vfs::relative_path(&root.path, &path);
        Some((root, relative))
    }

    /// [`WikiWorkspace::locate`] for requests answered from the index: `None` until the root
    /// knows every page, since a root that knows only some would answer wrongly (a variant
    /// spelling found instead of the page not registered yet, a heading of a page not read).
    /// The clients that can be told to ask again are, when the names are known.
    pub fn locate_known(self: &Arc<Self>, uri: &Url) -> Option<(Arc<Root>, String)> {
        self.locate(uri)
            .filter(|(root, _)| root.names_known.load(Ordering::SeqCst))
    }

    fn root_containing(&self, path: &Path) -> Option<(Arc<Root>, String)> {
        let roots = self.roots.read().unwrap_or_else(PoisonError::into_inner);
        let root = roots
            .iter()
            .filter(|root| path.starts_with(&root.path))
            .max_by_key(|root| root.path.components().count())?;
        Some((Arc::clone(root), vfs::relative_path(&root.path, path)))
    }

    /// Adds a root and starts loading it; an existing root of that path is returned as it is.
    fn add_root(self: &Arc<Self>, path: PathBuf) -> Arc<Root> {
        let root = {
            let mut roots = self.roots.write().unwrap_or_else(PoisonError::into_inner);
            if let Some(existing) = roots.iter().find(|root| root.path == path) {
                return Arc::clone(existing);
            }
            let config = match load_config(&path) {
                Ok(config) => config,
                Err(message) => {
                    eprintln!("{message}");
                    let client = self.client.clone();
                    tokio::spawn(async move { client.show_message(MessageType::ERROR, message).await });
                    Config::default()
                }
            };
            let root = Arc::new(Root::new(path, config));
            roots.push(Arc::clone(&root));
            root
        };
        let workspace = Arc::clone(self);
        let loading = Arc::clone(&root);
        tokio::spawn(async move { workspace.load(loading).await });
        root
    }

    /// `initialized`: registers file watching and starts loading every `file:` workspace root;
    /// returns at once.
    pub fn start(self: &Arc<Self>, root_uris: Vec<Url>) {
        self.initialized.store(true, Ordering::SeqCst);
        for uri in root_uris {
            if uri.scheme() != "file" {
                continue;
            }
            if let Ok(path) = uri.to_file_path() {
                self.add_root(path);
            }
        }
        if self.client_features().watched_files_dynamic_registration {
            // A task of its own: the `initialized` handler must not wait for the client's answer,
            // or a client that never answers would hold one of the few handler slots forever.
            let client = self.client.clone();
            tokio::spawn(async move {
                let registration = watched_files_registration();
                if let Err(error) = client.register_capability(vec![registration]).await {
                    let message = format!("wikils: cannot watch files: {error}");
                    client.log_message(MessageType::WARNING, message).await;
                }
            });
        }
    }

    /// Loads (or reloads) a root's files into its current index, with progress, then brings
    /// the open documents and their diagnostics up to date.
    async fn load(self: Arc<Self>, root: Arc<Root>) {
        root.loading.store(true, Ordering::SeqCst);
        root.index().set_links_complete(false);
        let progress = match self.client_features().work_done_progress {
            true => {
                let number = self.progress_token_counter.fetch_add(1, Ordering::SeqCst);
                IndexingProgress::begin(&self.client, number, &root.path).await
            }
            false => None,
        };
        let counts = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let names = Arc::new(tokio::sync::Notify::new());
        let mut loading = {
            let root = Arc::clone(&root);
            let counts = Arc::clone(&counts);
            let names = Arc::clone(&names);
            // A thread of its own, not one of the runtime's blocking threads: loads of several
            // roots must never leave the requests without a thread to run on.
            let (sender, receiver) = tokio::sync::oneshot::channel();
            let spawned = std::thread::Builder::new()
                .name("wikils-index".to_string())
                .spawn(move || {
                    let config = root.config();
                    let index = root.index();
                    let progress = |done: usize, total: usize| {
                        counts.0.fetch_max(done, Ordering::Relaxed);
                        counts.1.store(total, Ordering::Relaxed);
                    };
                    let fingerprint = cache::settings_fingerprint(&index.settings, &config);
                    root.cache.fingerprint.store(fingerprint, Ordering::SeqCst);
                    root.cache.records.clear();
                    let cache = &root.cache;
                    let names_known = || names.notify_one();
                    let loaded = cache::load_root_staged(
                        &root.path,
                        &config,
                        &index,
                        &cache.options,
                        &cache.records,
                        &progress,
                        &names_known,
                    );
                    let _ = sender.send(loaded);
                });
            if let Err(error) = spawned {
                eprintln!("wikils: cannot start an indexing thread: {error}");
            }
            receiver
        };
        let report = loop {
            let names_known = root.names_known.load(Ordering::SeqCst);
            tokio::select! {
                finished = &mut loading => break finished.ok(),
                () = names.notified(), if !names_known => {
                    self.names_became_known(&root).await;
                }
                () = tokio::time::sleep(PROGRESS_INTERVAL) => {
                    root.titles_changed();
                    let (done, total) = (counts.0.load(Ordering::Relaxed), counts.1.load(Ordering::Relaxed));
                    if let Some(progress) = &progress {
                        progress.report(done, total, names_known).await;
                    }
                }
            }
        };
        if !root.names_known.load(Ordering::SeqCst) {
            // The loader ended without saying (its thread failed to start, or panicked).
            self.names_became_known(&root).await;
        }
        root.titles_changed();
        let mut cache_is_stale = false;
        if let Some((report, cache_use)) = report {
            // Stderr, not the client: a root that does not exist yet is common and not worth a
            // message in the editor.
            for skipped in &report.skipped {
                eprintln!(
                    "wikils: skipped {}: {}",
                    root.path.join(&skipped.path).display(),
                    skipped.reason
                );
            }
            eprintln!("{}", cache_use.describe(&root.path));
            cache_is_stale = cache_use.worth_writing();
        }
        root.index().set_links_complete(true);
        root.loading.store(false, Ordering::SeqCst);
        self.ask_to_request_again();
        self.reindex_open_documents(&root).await;
        let table_root = Arc::clone(&root);
        let _ = tokio::task::spawn_blocking(move || table_root.rebuild_completion_table()).await;
        self.refresh_all_diagnostics().await;
        // The end comes last, so a client that waits for it finds everything up to date.
        let indexed = root.index().document_count();
        if let Some(progress) = &progress {
            progress.end(indexed).await;
        }
        if cache_is_stale {
            super::cache_writer::write_now(&root).await;
        } else {
            super::cache_writer::watch_for_changes(&root);
        }
    }

    /// The index of a loading root knows every page: open documents go into it, the file events
    /// held back meanwhile are applied, and the open documents' diagnostics (right from now on,
    /// as pending pages are read on first use) are refreshed. The load goes on.
    async fn names_became_known(self: &Arc<Self>, root: &Arc<Root>) {
        let held_back = {
            let mut held_back = lock(&root.held_back_rereads);
            root.names_known.store(true, Ordering::SeqCst);
            std::mem::take(&mut *held_back)
        };
        let rereading = Arc::clone(root);
        let _ = tokio::task::spawn_blocking(move || {
            for path in held_back {
                rereading.reread_file(&path);
            }
        })
        .await;
        self.reindex_open_documents(root).await;
        root.titles_changed();
        self.ask_to_request_again();
        self.refresh_all_diagnostics().await;
        let table_root = Arc::clone(root);
        let _ = tokio::task::spawn_blocking(move || table_root.rebuild_completion_table()).await;
    }

    /// Clients that can be told to ask again for lenses and semantic tokens are, when a load
    /// stage ends: before the names were known there were none; lenses said "indexing…" until
    /// the links were read. Tasks of their own: the load must not wait for the client.
    fn ask_to_request_again(&self) {
        let features = self.client_features();
        if features.code_lens_refresh {
            let client = self.client.clone();
            tokio::spawn(async move { client.code_lens_refresh().await });
        }
        if features.semantic_tokens_refresh {
            let client = self.client.clone();
            tokio::spawn(async move { client.semantic_tokens_refresh().await });
        }
    }

    /// After a (re)load, the open documents' texts replace what was read from disk.
    async fn reindex_open_documents(self: &Arc<Self>, root: &Arc<Root>) {
        let open: Vec<(Url, LatestText)> = self
            .latest
            .iter()
            .map(|entry| (entry.key().clone(), entry.value().clone()))
            .collect();
        let workspace = Arc::clone(self);
        let root = Arc::clone(root);
        let _ = tokio::task::spawn_blocking(move || {
            lock(&root.indexed_versions).clear();
            for (uri, latest) in open {
                if let Some((owner, relative)) = workspace.locate(&uri) {
                    if Arc::ptr_eq(&owner, &root) {
                        let _ = root.index_open_document(&relative, latest.version, &latest.rope);
                    }
                }
            }
        })
        .await;
    }

    /// `workspace/didChangeWatchedFiles`: re-reads just the changed files; a changed
    /// `wikils.toml` reloads its root's configuration (and its index when the change affects
    /// what is indexed or how).
    pub async fn files_changed(self: &Arc<Self>, changes: Vec<FileEvent>) {
        let workspace = Arc::clone(self);
        let (reloads, files_reread) = tokio::task::spawn_blocking(move || workspace.apply_file_changes(changes))
            .await
            .unwrap_or_default();
        // Reindexing a root can take minutes: it must not hold a handler slot that long.
        let workspace = Arc::clone(self);
        tokio::spawn(async move {
            let mut refresh = files_reread > 0;
            for root in reloads {
                // A reindexed root has refreshed the diagnostics already.
                refresh |= !workspace.reload_configuration(root).await;
            }
            if refresh {
                workspace.refresh_all_diagnostics().await;
            }
        });
    }

    /// Applies file events to the index; returns the roots whose configuration file changed and
    /// how many files were read again.
    fn apply_file_changes(self: &Arc<Self>, changes: Vec<FileEvent>) -> (Vec<Arc<Root>>, usize) {
        let mut files_reread = 0;
        let mut configuration_changed: Vec<Arc<Root>> = Vec::new();
        for change in changes {
            let Ok(path) = change.uri.to_file_path() else { continue };
            let Some((root, relative)) = self.root_containing(&path) else {
                continue;
            };
            if relative == CONFIG_FILE_NAME {
                if !configuration_changed.iter().any(|known| Arc::ptr_eq(known, &root)) {
                    configuration_changed.push(root);
                }
                continue;
            }
            // The editor's text of an open document wins over the disk, even over its deletion:
            // the editor may save it again.
            if self.latest.contains_key(&change.uri) {
                continue;
            }
            root.reread_file(&path);
            root.titles_changed();
            files_reread += 1;
        }
        (configuration_changed, files_reread)
    }

    /// Reads a root's configuration again; true when the root was indexed again because of it.
    async fn reload_configuration(self: &Arc<Self>, root: Arc<Root>) -> bool {
        let path = root.path.clone();
        let Ok(loaded) = tokio::task::spawn_blocking(move || load_config(&path)).await else {
            return false;
        };
        let config = match loaded {
            Ok(config) => config,
            Err(message) => {
                self.client.show_message(MessageType::ERROR, message).await;
                return false;
            }
        };
        let reindex = needs_reindexing(&root.config(), &config);
        let settings = workspace::index_settings(&root.path, &config);
        *root.config.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(config);
        if reindex {
            // The new index holds no open document yet: forget the versions the old one held.
            {
                let _held_back = lock(&root.held_back_rereads);
                root.names_known.store(false, Ordering::SeqCst);
                root.loading.store(true, Ordering::SeqCst);
                let mut indexed = lock(&root.indexed_versions);
                let index = Index::new(settings);
                index.set_links_complete(false);
                *root.index.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(index);
                indexed.clear();
            }
            root.titles_changed();
            Arc::clone(self).load(root).await;
        }
        reindex
    }

    /// Brings diagnostics of every open document up to date: pushed again, or the client asked
    /// to pull again.
    pub async fn refresh_all_diagnostics(self: &Arc<Self>) {
        let features = self.client_features();
        if features.pull_diagnostics {
            if features.diagnostic_refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            return;
        }
        let open: Vec<Url> = self.latest.iter().map(|entry| entry.key().clone()).collect();
        for uri in open {
            self.publish_diagnostics(uri).await;
        }
    }

    async fn publish_diagnostics(self: &Arc<Self>, uri: Url) {
        if !self.client_features().push_diagnostics {
            return;
        }
        let Some(latest) = self.latest.get(&uri).map(|entry| entry.value().clone()) else {
            return;
        };
        let version = latest.version;
        let workspace = Arc::clone(self);
        let computed_for = uri.clone();
        let computed =
            tokio::task::spawn_blocking(move || workspace.compute_diagnostics(&computed_for, version, &latest.rope))
                .await
                .ok()
                .flatten();
        let Some(diagnostics) = computed else { return };
        // Never publish what was computed for a version the editor has already moved past.
        if self.latest.get(&uri).is_some_and(|entry| entry.version == version) {
            let repeated = match self.published.entry(uri.clone()) {
                dashmap::Entry::Occupied(entry) if *entry.get() == (version, diagnostics.clone()) => true,
                entry => {
                    entry.insert((version, diagnostics.clone()));
                    false
                }
            };
            if !repeated {
                self.client.publish_diagnostics(uri, diagnostics, Some(version)).await;
            }
        }
    }

    /// The diagnostics of an open document at `version` (whose text is `rope`); `None` when the
    /// index already holds a newer version, or its root is still loading.
    pub fn compute_diagnostics(self: &Arc<Self>, uri: &Url, version: i32, rope: &Rope) -> Option<Vec<Diagnostic>> {
        let (root, relative) = self.locate(uri)?;
        // An index that does not know every page yet would report links to them as broken; the
        // diagnostics are refreshed as soon as it does.
        if !root.names_known.load(Ordering::SeqCst) {
            return None;
        }
        let _indexed = root.index_open_document(&relative, version, rope)?;
        let index = root.index();
        let config = self.effective_config(&root);
        let document = index.document_by_path(&relative)?;
        let findings = diagnostics::document_findings(&index, &document, &config);
        let encoding = self.encoding();
        Some(
            findings
                .iter()
                .map(|finding| to_lsp_diagnostic(finding, rope, encoding, &root.path))
                .collect(),
        )
    }

    /// Waits, without blocking the runtime, until the root of `uri` has finished loading, when
    /// the client cannot be asked to pull diagnostics again: an answer computed before would be
    /// empty (a half-loaded index is never used for diagnostics) and such a client would show
    /// nothing until the next edit.
    pub async fn wait_for_diagnostics_to_be_meaningful(self: &Arc<Self>, uri: &Url) {
        let Some((root, _)) = self.locate(uri) else { return };
        self.wait_for_roots(&[root], |root| !root.names_known.load(Ordering::SeqCst))
            .await;
    }

    /// Why a request about `uri` that needs every page's links (references, rename) cannot be
    /// answered now: its root is still reading them. `None` when it can.
    pub fn links_still_loading(self: &Arc<Self>, uri: &Url) -> Option<String> {
        let (root, _) = self.locate(uri)?;
        root.loading.load(Ordering::SeqCst).then(|| {
            format!(
                "wikils is still reading the links of {}: this needs all of them; try again when indexing ends",
                root.path.display()
            )
        })
    }

    /// Waits, without blocking the runtime, until the root of `uri` knows every page, for
    /// requests answered from the index (see [`WikiWorkspace::locate_known`]): a second or so
    /// after the start for an editor that reopens its documents. Bounded; the request answers
    /// nothing when the wait runs out.
    pub async fn wait_for_names(self: &Arc<Self>, uri: &Url) {
        const LONGEST_WAIT: Duration = Duration::from_secs(30);
        const POLL_INTERVAL: Duration = Duration::from_millis(10);
        let Some((root, _)) = self.locate(uri) else { return };
        if root.names_known.load(Ordering::SeqCst) {
            return;
        }
        let Some(_waiting) = WaitingRequest::enter(&self.waiting_requests) else {
            return;
        };
        let started = std::time::Instant::now();
        while !root.names_known.load(Ordering::SeqCst) && started.elapsed() < LONGEST_WAIT {
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// The same wait, for every root to be loaded completely (`workspace/diagnostic` reports
    /// every document).
    pub async fn wait_for_all_roots_to_load(self: &Arc<Self>) {
        self.wait_for_roots(&self.roots(), |root| root.loading.load(Ordering::SeqCst))
            .await;
    }

    /// Waits while `busy` holds for any of `roots`. Bounded, so a request never hangs on an
    /// endless load; no wait at all for clients that can be told to pull again.
    async fn wait_for_roots(&self, roots: &[Arc<Root>], busy: impl Fn(&Root) -> bool) {
        const LONGEST_WAIT: Duration = Duration::from_secs(120);
        const POLL_INTERVAL: Duration = Duration::from_millis(25);
        if self.client_features().diagnostic_refresh || !roots.iter().any(|root| busy(root)) {
            return;
        }
        let Some(_waiting) = WaitingRequest::enter(&self.waiting_requests) else {
            return;
        };
        let started = std::time::Instant::now();
        while roots.iter().any(|root| busy(root)) && started.elapsed() < LONGEST_WAIT {
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    pub(crate) fn roots(&self) -> Vec<Arc<Root>> {
        self.roots.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// `workspace/diagnostic`: the findings of every document of every loaded root, documents
    /// without findings included (with no items) so the client drops what it showed for them.
    /// Open documents are checked in their editor text; the others are read from disk, each
    /// into a rope so positions go through the same conversion as for open documents.
    pub fn workspace_diagnostics(self: &Arc<Self>) -> Vec<(Url, Option<i32>, Vec<Diagnostic>)> {
        use rayon::prelude::*;
        let encoding = self.encoding();
        let mut reports = Vec::new();
        for root in self.roots() {
            if root.loading.load(Ordering::SeqCst) {
                continue;
            }
            let index = root.index();
            let config = self.effective_config(&root);
            let max_file_size = config.max_file_size;
            let root_reports: Vec<(Url, Option<i32>, Vec<Diagnostic>)> = index
                .documents()
                .par_iter()
                .filter_map(|document| {
                    let uri = Url::from_file_path(root.path.join(&*document.path)).ok()?;
                    if let Some((version, rope)) = self.latest_text(&uri) {
                        let items = self.compute_diagnostics(&uri, version, &rope).unwrap_or_default();
                        return Some((uri, Some(version), items));
                    }
                    let findings = diagnostics::document_findings(&index, document, &config);
                    if findings.is_empty() {
                        return Some((uri, None, Vec::new()));
                    }
                    let rope = match document.symlink {
                        Some(_) => Rope::new(),
                        None => Rope::from_str(
                            &vfs::read_document(&root.path.join(&*document.path), max_file_size)
                                .ok()?
                                .text,
                        ),
                    };
                    let items = findings
                        .iter()
                        .map(|finding| to_lsp_diagnostic(finding, &rope, encoding, &root.path))
                        .collect();
                    Some((uri, None, items))
                })
                .collect();
            reports.extend(root_reports);
        }
        reports.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        reports
    }

    /// Every open document's latest version and text.
    pub fn open_documents(&self) -> Vec<(Url, i32, Rope)> {
        self.latest
            .iter()
            .map(|entry| (entry.key().clone(), entry.version, entry.rope.clone()))
            .collect()
    }

    /// The latest text of an open document.
    pub fn latest_text(&self, uri: &Url) -> Option<(i32, Rope)> {
        self.latest.get(uri).map(|entry| (entry.version, entry.rope.clone()))
    }

    async fn after_change(self: Arc<Self>, uri: Url, version: i32) {
        let Some(latest) = self.latest.get(&uri).map(|entry| entry.value().clone()) else {
            return;
        };
        if latest.version != version {
            return;
        }
        let workspace = Arc::clone(&self);
        let indexed_uri = uri.clone();
        let root = tokio::task::spawn_blocking(move || {
            let (root, relative) = workspace.locate(&indexed_uri)?;
            let _ = root.index_open_document(&relative, version, &latest.rope);
            Some(root)
        })
        .await
        .ok()
        .flatten();
        tokio::time::sleep(DIAGNOSTICS_DEBOUNCE).await;
        if self.latest.get(&uri).is_none_or(|entry| entry.version != version) {
            return;
        }
        let others_changed = root.is_some_and(|root| root.others_may_resolve_differently.swap(false, Ordering::SeqCst));
        if others_changed {
            self.refresh_all_diagnostics().await;
        } else {
            self.publish_diagnostics(uri).await;
        }
    }

    async fn after_close(self: Arc<Self>, uri: Url) {
        let workspace = Arc::clone(&self);
        let closed = uri.clone();
        let page_vanished = tokio::task::spawn_blocking(move || {
            // Reopened in the meantime: the editor's text stays.
            if workspace.latest.contains_key(&closed) {
                return false;
            }
            workspace
                .locate(&closed)
                .is_some_and(|(root, relative)| root.restore_from_disk(&relative))
        })
        .await
        .unwrap_or(false);
        if self.client_features().push_diagnostics && !self.latest.contains_key(&uri) {
            self.published.remove(&uri);
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        if page_vanished {
            // A page that existed only in the editor is gone: links to it are broken again.
            self.refresh_all_diagnostics().await;
        }
    }
}

/// One request waiting, without a thread, for a root to load. Each holds one of the transport's
/// handler slots (`transport::MAX_CONCURRENT_HANDLERS`), so at most half of them may wait: the
/// others stay free for edits and `$/cancelRequest`. A request beyond that answers at once
/// (nothing, or what the loading root can say).
struct WaitingRequest<'a>(&'a AtomicUsize);

impl<'a> WaitingRequest<'a> {
    const MOST: usize = super::transport::MAX_CONCURRENT_HANDLERS / 2;

    fn enter(count: &'a AtomicUsize) -> Option<WaitingRequest<'a>> {
        let entered = count
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |waiting| {
                (waiting < Self::MOST).then_some(waiting + 1)
            })
            .is_ok();
        entered.then_some(WaitingRequest(count))
    }
}

impl Drop for WaitingRequest<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Hands document changes from the protocol layer to the [`WikiWorkspace`].
pub struct WikiDocumentListener(pub Arc<WikiWorkspace>);

impl DocumentListener for WikiDocumentListener {
    fn document_changed(&self, uri: &Url, document: &OpenDocument) {
        self.0.latest.insert(
            uri.clone(),
            LatestText {
                version: document.version,
                rope: document.rope.clone(),
            },
        );
        let workspace = Arc::clone(&self.0);
        tokio::spawn(workspace.after_change(uri.clone(), document.version));
    }

    fn document_closed(&self, uri: &Url) {
        self.0.latest.remove(uri);
        tokio::spawn(Arc::clone(&self.0).after_close(uri.clone()));
    }
}

fn watched_files_registration() -> tower_lsp::lsp_types::Registration {
    use tower_lsp::lsp_types::{DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern};
    let watchers = [
        "**/*.{md,markdown,wiki,wikitext,mediawiki}".to_string(),
        format!("**/{CONFIG_FILE_NAME}"),
    ]
    .into_iter()
    .map(|pattern| FileSystemWatcher {
        glob_pattern: GlobPattern::String(pattern),
        kind: None,
    })
    .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    tower_lsp::lsp_types::Registration {
        id: "wikils-watched-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    }
}
