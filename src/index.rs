//! The workspace index: every document's facts, and the maps built from them (pages by title,
//! variant-folded titles, backlinks, category members).
//!
//! Built for a million pages: link targets are interned symbols, maps are sharded (`DashMap`) so
//! documents can be added from many threads, and a document is updated by difference — its old
//! facts are removed from every map and its new ones added. A bulk load defers its documents'
//! links and adds a chunk of documents' at a time ([`Index::deferring_links`]); until then such a
//! document contributes nothing to the backlinks and members. [`Index::canonical_dump`] renders the
//! whole index as sorted text, so tests can check that incremental updates and a full rebuild
//! agree.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

use dashmap::DashMap;

use crate::facts::{self, ClassCache, DocumentFacts, FactsBox, FactsContext, Interner, LinkKind, LinkTarget, Symbol};
use crate::layout::Layout;
use crate::syntax::{Flavor, ParseOptions};
use crate::title::{self, Namespace, TitleRules};

mod derived;
pub use derived::{FlatDerivedMaps, FlatMap, PositionMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(pub u32);

/// Where a symlinked document points (an export's `Redirect/*.md`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymlinkTarget {
    /// The page the link points at, as a title or root-relative path.
    Target(LinkTarget),
    /// The link cannot be followed; the string says why.
    Broken(String),
}

/// One file of the workspace and what it contributes.
#[derive(Debug)]
pub struct Document {
    pub id: DocumentId,
    /// Root-relative, `/`-separated.
    pub path: Box<str>,
    pub path_symbol: Symbol,
    /// The page title this document defines, if it is a page in the layout.
    pub title: Option<Symbol>,
    pub flavor: Flavor,
    /// Set for symlinks, whose content is their target's and is not parsed. Boxed, as few
    /// documents are symlinks: see [`FactsBox`] for why a document's size matters.
    pub symlink: Option<Box<SymlinkTarget>>,
    /// The target of the document's `#REDIRECT`, kept apart from the links because every link
    /// resolution through this page asks for it.
    pub redirect: Option<LinkTarget>,
    pub facts: FactsBox,
    /// The file has not been read yet (a root that is still loading): only its path, title and
    /// flavor are known, its facts are empty and it contributes nothing but its title.
    /// [`Index::document`] reads it through the index's [`FactSource`] on first use, so a reader
    /// never mistakes it for an empty page.
    pub pending: bool,
    /// Its links are not in the backlinks and members maps yet: a bulk load read it and adds
    /// them with many others (see [`Index::deferring_links`]). Changes only while the update
    /// gate is held alone, so an update (which holds it shared) sees it steady.
    links_deferred: std::sync::atomic::AtomicBool,
}

/// Reads pending documents on demand, while a root's files are still being read: installed by
/// whoever loads the root (the core itself never touches the disk).
pub trait FactSource: Send + Sync {
    /// Reads the file at the root-relative `path` into `index` (with
    /// [`Index::set_disk_document_text`] and friends), or removes the document when the file
    /// is gone or cannot be read.
    fn load(&self, index: &Index, path: &str);
}

impl Document {
    /// A document of read text that no index holds (an editor's text, say, answered from
    /// before the index takes it in), for the functions that read documents.
    pub fn detached(
        id: DocumentId,
        path: &str,
        path_symbol: Symbol,
        title: Option<Symbol>,
        flavor: Flavor,
        facts: DocumentFacts,
    ) -> Document {
        Document {
            id,
            path: path.into(),
            path_symbol,
            title,
            flavor,
            symlink: None,
            redirect: facts.redirect_target().map(|link| link.target()),
            facts: facts.into(),
            pending: false,
            links_deferred: AtomicBool::new(false),
        }
    }

    /// A redirect page: a symlink, or a document starting with `#REDIRECT`.
    pub fn is_redirect(&self) -> bool {
        self.symlink.is_some() || self.redirect.is_some()
    }
}

/// A document as the index cache saved it, without its facts: the title it defines is known.
pub struct RestoredDocument {
    pub path: Box<str>,
    pub path_symbol: Symbol,
    pub title: Option<Symbol>,
    pub flavor: Flavor,
    pub symlink: Option<SymlinkTarget>,
}

/// The maps derived from a set of documents (positions in that set stand for document ids), as
/// the index cache saves them: building them link by link costs more than reading them.
#[derive(Debug, Default)]
pub struct DerivedMaps {
    pub backlinks: Vec<(Symbol, Vec<u32>)>,
    pub members: Vec<(Symbol, Vec<u32>)>,
    pub folded_titles: Vec<(Symbol, Vec<Symbol>)>,
}

/// Settings the index needs to turn text into facts.
#[derive(Clone, Debug)]
pub struct IndexSettings {
    pub layout: Layout,
    pub rules: TitleRules,
    pub variant_folding: bool,
    pub wiki_base_urls: Vec<String>,
}

pub struct Index {
    pub settings: IndexSettings,
    pub interner: Interner,
    /// What link targets mean, shared by the threads that build facts (see [`ClassCache`]).
    classes: ClassCache,
    markdown_options: ParseOptions,
    wikitext_options: ParseOptions,
    next_id: AtomicU32,
    documents: FastMap<DocumentId, Arc<Document>>,
    ids_by_path: FastMap<Symbol, DocumentId>,
    /// Title → the documents defining it (more than one: duplicates, or a page and an alias).
    pages: FastMap<Symbol, Ids<DocumentId>>,
    /// Variant-folded title → the titles folding to it; only titles that contain Chinese.
    folded_titles: FastMap<Symbol, Ids<Symbol>>,
    /// Link target (title or path symbol) → the documents linking to it, each once.
    backlinks: FastMap<Symbol, Ids<DocumentId>>,
    /// Category title → member documents, each once.
    members: FastMap<Symbol, Ids<DocumentId>>,
    pages_per_namespace: [AtomicUsize; NAMESPACE_COUNT],
    /// Unique per index in this process: caches of symbols are keyed by it.
    id: u64,
    update_locks: [std::sync::Mutex<()>; UPDATE_LOCK_STRIPES],
    /// Paths whose text comes from an editor: what is read from disk never replaces them.
    pinned: FastMap<Symbol, ()>,
    /// Every update holds this shared; the second stage of a cache restore, and adding a bulk
    /// load's deferred links, hold it alone.
    update_gate: std::sync::RwLock<()>,
    /// Documents set with their links left out of the maps (see [`Index::deferring_links`]),
    /// until [`Index::add_deferred_links`].
    deferred: std::sync::Mutex<Vec<Arc<Document>>>,
    /// Every file's links are in the maps (backlinks, members): false while a root loads, so
    /// counts shown from them can say they are partial.
    links_complete: std::sync::atomic::AtomicBool,
    /// How pending documents are read on first use; `None` once every file has been read.
    fact_source: std::sync::RwLock<Option<Arc<dyn FactSource>>>,
}

const UPDATE_LOCK_STRIPES: usize = 64;

thread_local! {
    /// The id of the index whose documents set on this thread defer their links (see
    /// [`Index::deferring_links`]); `u64::MAX` for none.
    static DEFERRING_LINKS: std::cell::Cell<u64> = const { std::cell::Cell::new(u64::MAX) };
}

/// The values of one key of the index's maps: up to four inline, in the 24 bytes a `Vec`'s
/// header takes, more on the heap. Nearly every title is defined once and folds alone, and most
/// link targets have a few linking documents: at 1M pages a `Vec` each meant millions of small
/// allocations of their own.
pub type Ids<T> = smallvec::SmallVec<[T; 4]>;
const _: () = assert!(std::mem::size_of::<Ids<DocumentId>>() == std::mem::size_of::<Vec<DocumentId>>());

const NAMESPACE_COUNT: usize = 13;

static NEXT_INDEX_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sharded maps keyed by small ids: Fx hashing, as SipHash's DoS resistance buys nothing here.
type FastMap<K, V> = DashMap<K, V, rustc_hash::FxBuildHasher>;

fn namespace_slot(namespace: Namespace) -> usize {
    namespace as usize
}

impl Index {
    pub fn new(settings: IndexSettings) -> Index {
        let mut markdown_options = ParseOptions::new(Flavor::Markdown);
        markdown_options.wiki_base_urls = settings.wiki_base_urls.clone();
        let mut wikitext_options = ParseOptions::new(Flavor::Wikitext);
        wikitext_options.wiki_base_urls = settings.wiki_base_urls.clone();
        Index {
            settings,
            interner: Interner::new(),
            classes: ClassCache::new(),
            id: NEXT_INDEX_ID.fetch_add(1, Ordering::Relaxed),
            update_locks: std::array::from_fn(|_| std::sync::Mutex::new(())),
            markdown_options,
            wikitext_options,
            next_id: AtomicU32::new(0),
            documents: FastMap::default(),
            ids_by_path: FastMap::default(),
            pages: FastMap::default(),
            folded_titles: FastMap::default(),
            backlinks: FastMap::default(),
            members: FastMap::default(),
            pages_per_namespace: Default::default(),
            pinned: FastMap::default(),
            update_gate: std::sync::RwLock::new(()),
            deferred: std::sync::Mutex::new(Vec::new()),
            fact_source: std::sync::RwLock::new(None),
            links_complete: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Whether the backlinks and category members hold every file's links (see
    /// [`Index::set_links_complete`]); true unless a loader said otherwise.
    pub fn links_complete(&self) -> bool {
        self.links_complete.load(Ordering::SeqCst)
    }

    /// A loader marks the index incomplete while it reads files, and complete when done.
    pub fn set_links_complete(&self, complete: bool) {
        self.links_complete.store(complete, Ordering::SeqCst);
    }

    /// Installs (or, with `None`, removes) what reads pending documents on first use.
    pub fn set_fact_source(&self, source: Option<Arc<dyn FactSource>>) {
        *self
            .fact_source
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = source;
    }

    /// The text of the document at `path` comes from an editor from now on: the `set_disk_*`
    /// updates and [`Index::remove_disk_document`] leave it alone until [`Index::unpin`].
    pub fn pin(&self, path: &str) {
        let path_symbol = self.interner.get_or_intern(path);
        let _serialized = self.lock_updates_of(path_symbol);
        self.pinned.insert(path_symbol, ());
    }

    /// The editor let go of `path`: the disk's version may replace it again.
    pub fn unpin(&self, path: &str) {
        if let Some(path_symbol) = self.interner.get(path) {
            let _serialized = self.lock_updates_of(path_symbol);
            self.pinned.remove(&path_symbol);
        }
    }

    pub fn is_pinned(&self, path: &str) -> bool {
        self.interner
            .get(path)
            .is_some_and(|symbol| self.pinned.contains_key(&symbol))
    }

    /// Adds a pending document for a file that has not been read yet (see
    /// [`Document::pending`]), unless the path is indexed already.
    pub fn add_pending_document(&self, path: &str, flavor: Flavor) {
        let path_symbol = self.interner.get_or_intern(path);
        let serialized = self.lock_updates_of(path_symbol);
        if self.ids_by_path.contains_key(&path_symbol) {
            return;
        }
        self.set_document_locked(
            &serialized,
            path_symbol,
            path,
            flavor,
            None,
            DocumentFacts::default(),
            true,
        );
    }

    /// Whether the document at `path` is indexed but not read yet, without reading it.
    pub fn is_pending(&self, path: &str) -> bool {
        let Some(symbol) = self.interner.get(path) else {
            return false;
        };
        let Some(id) = self.ids_by_path.get(&symbol).map(|entry| *entry) else {
            return false;
        };
        self.documents.get(&id).is_some_and(|document| document.pending)
    }

    /// Whether any document is still pending.
    pub fn has_pending_documents(&self) -> bool {
        self.documents.iter().any(|entry| entry.pending)
    }

    /// Frees the table of link classes a bulk load filled (see [`ClassCache`]): after it, only
    /// edits would hit it.
    pub fn release_classification_cache(&self) {
        self.classes.release();
    }

    /// Parses a document's text into facts, without touching the index.
    pub fn facts_for_text(&self, path: &str, flavor: Flavor, text: &str) -> DocumentFacts {
        let context = FactsContext {
            layout: self.settings.layout,
            rules: &self.settings.rules,
            parse_options_markdown: &self.markdown_options,
            parse_options_wikitext: &self.wikitext_options,
            interner: &self.interner,
            classes: &self.classes,
            index_id: self.id,
        };
        facts::document_facts(text, path, flavor, &context)
    }

    /// Parses a document's text into links and headings as written, with their parts' spans
    /// (what editing features need to rewrite a link), without touching the index.
    pub fn parse_text(&self, flavor: Flavor, text: &str) -> crate::syntax::Parsed {
        let options = match flavor {
            Flavor::Markdown => &self.markdown_options,
            Flavor::Wikitext => &self.wikitext_options,
        };
        crate::syntax::parse(text, options)
    }

    /// Adds or replaces the document at `path` with the given text.
    pub fn set_document_text(&self, path: &str, flavor: Flavor, text: &str) -> DocumentId {
        let facts = self.facts_for_text(path, flavor, text);
        self.set_document(path, flavor, None, facts)
    }

    /// Adds or replaces a symlinked document. `link_path` is the symlink's content.
    pub fn set_symlink(&self, path: &str, flavor: Flavor, link_target: SymlinkTarget) -> DocumentId {
        self.set_document(path, flavor, Some(link_target), DocumentFacts::default())
    }

    /// [`Index::set_document_text`] for text read from disk: nothing happens (`None`) while an
    /// editor holds the path (see [`Index::pin`]).
    pub fn set_disk_document_text(&self, path: &str, flavor: Flavor, text: &str) -> Option<DocumentId> {
        // The path is looked up once (a cache miss or three in a table of millions), for the
        // early check, which spares parsing a held document, and for the update.
        let path_symbol = self.interner.get_or_intern(path);
        if self.pinned.contains_key(&path_symbol) {
            return None;
        }
        let facts = self.facts_for_text(path, flavor, text);
        self.set_disk_document_of(path_symbol, path, flavor, None, facts)
    }

    /// [`Index::set_symlink`] for a symlink read from disk, unless an editor holds the path.
    pub fn set_disk_symlink(&self, path: &str, flavor: Flavor, link_target: SymlinkTarget) -> Option<DocumentId> {
        self.set_disk_document(path, flavor, Some(link_target), DocumentFacts::default())
    }

    /// [`Index::set_document`] for facts of a file on disk, unless an editor holds the path.
    pub fn set_disk_document(
        &self,
        path: &str,
        flavor: Flavor,
        symlink: Option<SymlinkTarget>,
        facts: DocumentFacts,
    ) -> Option<DocumentId> {
        self.set_disk_document_of(self.interner.get_or_intern(path), path, flavor, symlink, facts)
    }

    /// [`Index::set_disk_document`] for a path interned as `path_symbol` already.
    fn set_disk_document_of(
        &self,
        path_symbol: Symbol,
        path: &str,
        flavor: Flavor,
        symlink: Option<SymlinkTarget>,
        facts: DocumentFacts,
    ) -> Option<DocumentId> {
        let serialized = self.lock_updates_of(path_symbol);
        if self.pinned.contains_key(&path_symbol) {
            return None;
        }
        Some(self.set_document_locked(&serialized, path_symbol, path, flavor, symlink, facts, false))
    }

    /// [`Index::remove_document`] for a file gone from disk, unless an editor holds the path.
    pub fn remove_disk_document(&self, path: &str) -> bool {
        let Some(path_symbol) = self.interner.get(path) else {
            return false;
        };
        let serialized = self.lock_updates_of(path_symbol);
        if self.pinned.contains_key(&path_symbol) {
            return false;
        }
        self.remove_document_locked(&serialized, path_symbol)
    }

    /// The target of a symlink at `path` whose content is `link_path`, as a title or path.
    pub fn symlink_target(&self, path: &str, link_path: &str) -> SymlinkTarget {
        match crate::layout::join_relative(path, link_path) {
            None => SymlinkTarget::Broken(format!("points outside the workspace: {link_path}")),
            Some(joined) => SymlinkTarget::Target(self.path_target(&joined)),
        }
    }

    /// What a root-relative path names: a title in an export's namespace folders, else the path.
    pub fn path_target(&self, path: &str) -> LinkTarget {
        match self.settings.layout {
            Layout::Export => match self.settings.layout.title_of_path(path, &self.settings.rules) {
                Some(title) => LinkTarget::Title(self.interner.get_or_intern(title.full())),
                None => LinkTarget::Path(self.interner.get_or_intern(path)),
            },
            Layout::Tree => LinkTarget::Path(self.interner.get_or_intern(path)),
        }
    }

    /// Adds or replaces the document at `path` with facts built elsewhere (parsed text, or the
    /// index cache).
    pub fn set_document(
        &self,
        path: &str,
        flavor: Flavor,
        symlink: Option<SymlinkTarget>,
        facts: DocumentFacts,
    ) -> DocumentId {
        let path_symbol = self.interner.get_or_intern(path);
        let serialized = self.lock_updates_of(path_symbol);
        self.set_document_locked(&serialized, path_symbol, path, flavor, symlink, facts, false)
    }

    /// The body of [`Index::set_document`], for a caller holding the path's update lock.
    #[allow(clippy::too_many_arguments)]
    fn set_document_locked(
        &self,
        _serialized: &UpdateGuard<'_>,
        path_symbol: Symbol,
        path: &str,
        flavor: Flavor,
        symlink: Option<SymlinkTarget>,
        facts: DocumentFacts,
        pending: bool,
    ) -> DocumentId {
        let id = *self
            .ids_by_path
            .entry(path_symbol)
            .or_insert_with(|| DocumentId(self.next_id.fetch_add(1, Ordering::Relaxed)));
        // A path's title never changes: the document replaced (in a bulk load, the pending one
        // `add_names` made) already knows it, which saves parsing and interning it again.
        let known_title = self.documents.get(&id).map(|old| old.title);
        let title = known_title.unwrap_or_else(|| {
            self.settings
                .layout
                .title_of_path(path, &self.settings.rules)
                .map(|title| self.interner.get_or_intern(title.full()))
        });
        let redirect = facts.redirect_target().map(|link| link.target());
        let document = Arc::new(Document {
            id,
            path: path.into(),
            path_symbol,
            title,
            flavor,
            symlink: symlink.map(Box::new),
            redirect,
            facts: facts.into(),
            pending,
            links_deferred: AtomicBool::new(!pending && DEFERRING_LINKS.get() == self.id),
        });
        // The old entry is taken out of `documents` before its facts are removed from the other
        // maps, so no guard of one map is held while another is locked.
        let old = self.documents.insert(id, document.clone());
        match old {
            Some(old) => self.replace_contributions(&old, &document),
            None => self.add_contributions(&document),
        }
        if document.links_deferred.load(Ordering::Relaxed) {
            self.deferred
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(document);
        }
        id
    }

    /// Runs `load` (a bulk load reading files) so that the documents it sets on this thread
    /// leave their links out of the backlinks and members maps, for
    /// [`Index::add_deferred_links`] to add many documents' at once, each shard of the maps
    /// filled in one go while it sits in the CPU's caches. Pushed one document at a time, each
    /// of a page's forty targets cost cache misses in a map of millions (at 1M pages, 17% of
    /// indexing). Readers meanwhile see the document without its links in the maps, as if it
    /// were read a moment later.
    pub fn deferring_links<R>(&self, load: impl FnOnce() -> R) -> R {
        struct Restore(u64);
        impl Drop for Restore {
            fn drop(&mut self) {
                DEFERRING_LINKS.set(self.0);
            }
        }
        let _restore = Restore(DEFERRING_LINKS.replace(self.id));
        load()
    }

    /// Adds the links of every document set under [`Index::deferring_links`] since the last
    /// call, and still in the index as set, to the backlinks and members maps, shard by shard
    /// in parallel. Every update waits while this runs.
    pub fn add_deferred_links(&self) {
        use rayon::prelude::*;
        let none_deferred = || {
            self.deferred
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .is_empty()
        };
        if none_deferred() {
            // A warm load whose files were unchanged, say: updates need not wait.
            return;
        }
        let _gate = self
            .update_gate
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let deferred = std::mem::take(&mut *self.deferred.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        // A document replaced or removed since is left out: its replacement, if any, added its
        // own links or is in the list too.
        let linked: Vec<Linked> = deferred
            .par_iter()
            .filter(|document| {
                self.documents
                    .get(&document.id)
                    .is_some_and(|current| Arc::ptr_eq(current.value(), document))
            })
            .map(|document| {
                let (categories, targets) = distinct_targets(document);
                Linked {
                    id: document.id,
                    categories,
                    targets,
                }
            })
            .collect();
        let by_shard = |map: &FastMap<Symbol, Ids<DocumentId>>, pick: fn(&Linked) -> &[Symbol]| {
            let mut groups: Vec<Vec<(Symbol, DocumentId)>> = (0..map.shards().len()).map(|_| Vec::new()).collect();
            for linked in &linked {
                for &symbol in pick(linked) {
                    groups[map.determine_shard(map.hash_usize(&symbol))].push((symbol, linked.id));
                }
            }
            groups
        };
        let (members, backlinks) = rayon::join(
            || by_shard(&self.members, |linked| &linked.categories),
            || by_shard(&self.backlinks, |linked| &linked.targets),
        );
        let fill = |map: &FastMap<Symbol, Ids<DocumentId>>, groups: Vec<Vec<(Symbol, DocumentId)>>| {
            groups.into_par_iter().enumerate().for_each(|(shard, group)| {
                let entries = group
                    .into_iter()
                    .map(|(symbol, id)| (map.hash_usize(&symbol) as u64, symbol, id));
                push_in_shard(map, shard, entries);
            });
        };
        fill(&self.members, members);
        fill(&self.backlinks, backlinks);
        for document in &deferred {
            document.links_deferred.store(false, Ordering::Relaxed);
        }
    }

    /// A document replaced at the same path keeps its title (titles come from paths), so its
    /// title entries are left alone, and only the categories and targets that changed are
    /// added and removed, new ones first: a reader never sees the page undefined, nor a link
    /// that both versions have missing from the backlinks, while the update runs.
    fn replace_contributions(&self, old: &Document, new: &Document) {
        debug_assert_eq!(old.title, new.title, "the same path has the same title");
        let (old_categories, old_targets) = contributed_targets(old);
        let (new_categories, new_targets) = contributed_targets(new);
        for (map, old_symbols, new_symbols) in [
            (&self.members, &old_categories, &new_categories),
            (&self.backlinks, &old_targets, &new_targets),
        ] {
            // Both lists are sorted and deduplicated.
            for symbol in new_symbols {
                if old_symbols.binary_search(symbol).is_err() {
                    push(map, *symbol, new.id);
                }
            }
            for symbol in old_symbols {
                if new_symbols.binary_search(symbol).is_err() {
                    remove_value(map, symbol, old.id);
                }
            }
        }
    }

    /// The first stage of restoring a cache: fills an empty index with `count` documents, the
    /// `n`th made by `document(n)` (ids are those positions), pending (see
    /// [`Document::pending`]; symlinks too), with their titles and the stored `folded_titles`, so
    /// every page is known; no backlinks or members yet. Returns the documents as inserted, for
    /// [`Index::restore_facts`]; `None`, doing nothing, when the index is not empty.
    pub fn restore_names(
        &self,
        count: usize,
        document: &(dyn Fn(usize) -> RestoredDocument + Sync),
        folded_titles: Vec<(Symbol, Ids<Symbol>)>,
    ) -> Option<Vec<Arc<Document>>> {
        use rayon::prelude::*;
        let id_count = u32::try_from(count).ok()?;
        let _gate = self
            .update_gate
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.documents.is_empty()
            || self
                .next_id
                .compare_exchange(0, id_count, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            return None;
        }
        // The maps are grown once to their final size, so no shard rehashes while they fill.
        reserve(&self.documents, count);
        reserve(&self.ids_by_path, count);
        // Nearly every document is a page.
        reserve(&self.pages, count);
        reserve(&self.folded_titles, folded_titles.len());
        let inserted: Vec<Arc<Document>> = (0..count)
            .into_par_iter()
            .map(|position| {
                let restored = document(position);
                if let Some(title) = restored.title {
                    let namespace = namespace_of_full_title(self.interner.resolve(&title));
                    self.pages_per_namespace[namespace_slot(namespace)].fetch_add(1, Ordering::Relaxed);
                }
                Arc::new(Document {
                    id: DocumentId(position as u32),
                    path: restored.path,
                    path_symbol: restored.path_symbol,
                    title: restored.title,
                    flavor: restored.flavor,
                    // A symlink too: its target's backlink comes with the cached maps, or, should
                    // they fail to read, from reading the link again.
                    pending: true,
                    symlink: restored.symlink.map(Box::new),
                    redirect: None,
                    facts: FactsBox::default(),
                    links_deferred: AtomicBool::new(false),
                })
            })
            .collect();
        // Each map is filled a shard at a time, one thread holding the shard's lock for all its
        // entries: inserting entry by entry from both threads had every lock's cache line bounce
        // between the cores (~5% of this stage at 1M).
        fill_by_shard(
            &self.documents,
            count,
            |position| Some(inserted[position].id),
            |position| Arc::clone(&inserted[position]),
            |_, _| unreachable_duplicate(),
        );
        fill_by_shard(
            &self.ids_by_path,
            count,
            |position| Some(inserted[position].path_symbol),
            |position| inserted[position].id,
            |existing, id| *existing = id,
        );
        fill_by_shard(
            &self.pages,
            count,
            |position| inserted[position].title,
            |position| smallvec::smallvec![inserted[position].id],
            |existing, ids| existing.extend(ids),
        );
        fill_by_shard_owned(&self.folded_titles, folded_titles, |existing, titles| {
            existing.extend(titles)
        });
        Some(inserted)
    }

    /// The second stage of restoring a cache: each document of `staged` (as
    /// [`Index::restore_names`] returned them) that the index still holds exactly as inserted
    /// gets its cached `facts` (same order), and the cached backlinks and members of exactly those
    /// documents are merged into the maps, as [`Index::derive_maps`] built them. Documents changed
    /// since — read on first use, edited, removed — keep what they have, and their cached
    /// contributions are left out. Every update waits while this runs.
    pub fn restore_facts(&self, staged: Vec<Arc<Document>>, facts: Vec<FactsBox>, maps: DerivedMaps) {
        use rayon::prelude::*;
        let _gate = self
            .update_gate
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Each pending document is freed as soon as it is replaced, so the next one allocated
        // reuses its memory: the staged documents are never held beside all the loaded ones.
        let installed: Vec<bool> = staged
            .into_par_iter()
            .zip(facts.into_par_iter())
            .map(|(document, facts)| {
                let Some(mut entry) = self.documents.get_mut(&document.id) else {
                    return false;
                };
                if !Arc::ptr_eq(entry.value(), &document) {
                    return false;
                }
                if document.pending {
                    let loaded = Arc::new(Document {
                        id: document.id,
                        path: document.path.clone(),
                        path_symbol: document.path_symbol,
                        title: document.title,
                        flavor: document.flavor,
                        symlink: document.symlink.clone(),
                        redirect: facts.redirect_target().map(|link| link.target()),
                        facts,
                        pending: false,
                        links_deferred: AtomicBool::new(false),
                    });
                    let replaced = std::mem::replace(entry.value_mut(), loaded);
                    drop(entry);
                    drop(replaced);
                }
                true
            })
            .collect();
        let merge = |map: &FastMap<Symbol, Ids<DocumentId>>, entries: Vec<(Symbol, Vec<u32>)>| {
            reserve(map, entries.len());
            entries.into_par_iter().for_each(|(key, positions)| {
                // Collected in place: the cached vector becomes the map's.
                let ids: Vec<DocumentId> = positions
                    .into_iter()
                    .filter(|&position| installed.get(position as usize).copied().unwrap_or(false))
                    .map(DocumentId)
                    .collect();
                if ids.is_empty() {
                    return;
                }
                match map.entry(key) {
                    dashmap::Entry::Occupied(mut existing) => existing.get_mut().extend(ids),
                    dashmap::Entry::Vacant(vacant) => {
                        vacant.insert(Ids::from_vec(ids));
                    }
                }
            });
        };
        merge(&self.backlinks, maps.backlinks);
        merge(&self.members, maps.members);
    }

    /// The maps derived from `documents` alone, with positions in that list for ids: what
    /// [`Index::restore_facts`] takes. Folded keys are interned. The cache writer uses
    /// [`Index::derive_flat_maps`], the same maps in less memory; this plain version is the
    /// reference it is tested against.
    pub fn derive_maps(&self, documents: &[Arc<Document>]) -> DerivedMaps {
        let mut backlinks: rustc_hash::FxHashMap<Symbol, Vec<u32>> = Default::default();
        let mut members: rustc_hash::FxHashMap<Symbol, Vec<u32>> = Default::default();
        let mut folded: rustc_hash::FxHashMap<Symbol, Vec<Symbol>> = Default::default();
        let mut titles = rustc_hash::FxHashSet::default();
        for (position, document) in documents.iter().enumerate() {
            let position = position as u32;
            let (categories, targets) = distinct_targets(document);
            for category in categories {
                members.entry(category).or_default().push(position);
            }
            for target in targets {
                backlinks.entry(target).or_default().push(position);
            }
            if let Some(title) = document.title {
                if titles.insert(title) {
                    if let Some(key) = self.folded_key(self.interner.resolve(&title)) {
                        folded.entry(self.interner.get_or_intern(key)).or_default().push(title);
                    }
                }
            }
        }
        DerivedMaps {
            backlinks: backlinks.into_iter().collect(),
            members: members.into_iter().collect(),
            folded_titles: folded.into_iter().collect(),
        }
    }

    /// Removes the document at `path`, if indexed.
    pub fn remove_document(&self, path: &str) -> bool {
        let Some(path_symbol) = self.interner.get(path) else {
            return false;
        };
        let serialized = self.lock_updates_of(path_symbol);
        self.remove_document_locked(&serialized, path_symbol)
    }

    fn remove_document_locked(&self, _serialized: &UpdateGuard<'_>, path_symbol: Symbol) -> bool {
        let Some((_, id)) = self.ids_by_path.remove(&path_symbol) else {
            return false;
        };
        let Some((_, old)) = self.documents.remove(&id) else {
            return false;
        };
        self.remove_contributions(&old);
        true
    }

    /// Updates of one document are made one at a time: two updates racing (the initial load
    /// and an editor's change, say) could otherwise remove contributions the other has not
    /// added yet, and leave stale ones behind. Striped by path, so different documents still
    /// update in parallel; nothing else takes these locks, so they cannot deadlock.
    fn lock_updates_of(&self, path: Symbol) -> UpdateGuard<'_> {
        use std::hash::BuildHasher;
        let gate = self
            .update_gate
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let stripe = (rustc_hash::FxBuildHasher.hash_one(path) as usize) % self.update_locks.len();
        let stripe = self.update_locks[stripe]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        UpdateGuard {
            _stripe: stripe,
            _gate: gate,
        }
    }

    fn add_contributions(&self, document: &Document) {
        if let Some(title) = document.title {
            let newly_defined = define(&self.pages, title, document.id);
            let title_text = self.interner.resolve(&title);
            if newly_defined {
                if let Some(folded) = self.folded_key(title_text) {
                    push(&self.folded_titles, self.interner.get_or_intern(folded), title);
                }
            }
            self.pages_per_namespace[namespace_slot(namespace_of_full_title(title_text))]
                .fetch_add(1, Ordering::Relaxed);
        }
        let (categories, targets) = contributed_targets(document);
        for category in categories {
            push(&self.members, category, document.id);
        }
        for target in targets {
            push(&self.backlinks, target, document.id);
        }
    }

    fn remove_contributions(&self, document: &Document) {
        if let Some(title) = document.title {
            let now_undefined = remove_value(&self.pages, &title, document.id);
            let title_text = self.interner.resolve(&title);
            if now_undefined {
                if let Some(folded) = self.folded_key(title_text) {
                    if let Some(folded) = self.interner.get(&folded) {
                        remove_value(&self.folded_titles, &folded, title);
                    }
                }
            }
            self.pages_per_namespace[namespace_slot(namespace_of_full_title(title_text))]
                .fetch_sub(1, Ordering::Relaxed);
        }
        let (categories, targets) = contributed_targets(document);
        for category in categories {
            remove_value(&self.members, &category, document.id);
        }
        for target in targets {
            remove_value(&self.backlinks, &target, document.id);
        }
    }

    /// The variant-folded form of a title, when folding is on and the title has CJK characters
    /// (already-Simplified titles included: they are what Traditional spellings fold to).
    pub fn folded_key(&self, title: &str) -> Option<String> {
        if !self.settings.variant_folding || !title.chars().any(|c| c >= '\u{3000}') {
            return None;
        }
        Some(title::fold_variants(title).into_owned())
    }

    /// The document with this id; a pending one is read first, when the index has a
    /// [`FactSource`] (it stays pending, with empty facts, when it has none).
    pub fn document(&self, id: DocumentId) -> Option<Arc<Document>> {
        let document = self.documents.get(&id).map(|entry| entry.value().clone())?;
        if !document.pending {
            return Some(document);
        }
        let source = self
            .fact_source
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let Some(source) = source else {
            return Some(document);
        };
        source.load(self, &document.path);
        // The file may be gone (removed) or held by an editor (then already read).
        self.documents.get(&id).map(|entry| entry.value().clone())
    }

    /// The document at `path` as the index holds it now, pending or not, without reading.
    pub fn document_as_indexed_by_path(&self, path: &str) -> Option<Arc<Document>> {
        let symbol = self.interner.get(path)?;
        let id = *self.ids_by_path.get(&symbol)?;
        self.document_as_indexed(id)
    }

    /// The document with this id as the index holds it now, pending or not, without reading.
    pub fn document_as_indexed(&self, id: DocumentId) -> Option<Arc<Document>> {
        self.documents.get(&id).map(|entry| entry.value().clone())
    }

    pub fn document_by_path(&self, path: &str) -> Option<Arc<Document>> {
        let symbol = self.interner.get(path)?;
        let id = *self.ids_by_path.get(&symbol)?;
        self.document(id)
    }

    pub fn document_id_by_path_symbol(&self, path: Symbol) -> Option<DocumentId> {
        self.ids_by_path.get(&path).map(|entry| *entry)
    }

    pub fn document_count(&self) -> usize {
        self.documents.len()
    }

    /// All documents, in no particular order.
    pub fn documents(&self) -> Vec<Arc<Document>> {
        self.documents.iter().map(|entry| entry.value().clone()).collect()
    }

    /// Calls `f` with the documents defining a title, without copying them. `f` must not touch
    /// the index: a shard of the page map stays locked while it runs.
    pub fn with_documents_titled<R>(&self, title: Symbol, f: impl FnOnce(&[DocumentId]) -> R) -> R {
        match self.pages.get(&title) {
            Some(entry) => f(entry.value()),
            None => f(&[]),
        }
    }

    /// The documents defining a title.
    pub fn documents_titled(&self, title: Symbol) -> Vec<DocumentId> {
        self.pages.get(&title).map(|entry| entry.to_vec()).unwrap_or_default()
    }

    /// The existing titles that fold to the same form as `title` (itself included if it exists).
    pub fn titles_folding_like(&self, title: &str) -> Vec<Symbol> {
        let Some(folded) = self.folded_key(title) else {
            return Vec::new();
        };
        let Some(folded) = self.interner.get(&folded) else {
            return Vec::new();
        };
        self.folded_titles
            .get(&folded)
            .map(|entry| entry.to_vec())
            .unwrap_or_default()
    }

    /// The documents linking to a target (a title or path symbol as written in the link, or the
    /// target of a symlink), each once.
    pub fn backlinks_of(&self, target: Symbol) -> Vec<DocumentId> {
        self.backlinks
            .get(&target)
            .map(|entry| entry.to_vec())
            .unwrap_or_default()
    }

    /// The documents in a category, each once.
    pub fn members_of(&self, category: Symbol) -> Vec<DocumentId> {
        self.members
            .get(&category)
            .map(|entry| entry.to_vec())
            .unwrap_or_default()
    }

    /// How many documents link to a target, without copying the list (completion ranks by it).
    pub fn backlink_count(&self, target: Symbol) -> usize {
        self.backlinks.get(&target).map_or(0, |entry| entry.len())
    }

    /// The documents linking to a target (title or path symbol), each once, in no order.
    pub fn backlinks(&self, target: Symbol) -> Vec<DocumentId> {
        self.backlinks
            .get(&target)
            .map(|entry| entry.to_vec())
            .unwrap_or_default()
    }

    /// The documents in a category (by its full title), each once, in no order.
    pub fn category_members(&self, category: Symbol) -> Vec<DocumentId> {
        self.members
            .get(&category)
            .map(|entry| entry.to_vec())
            .unwrap_or_default()
    }

    pub fn pages_in_namespace(&self, namespace: Namespace) -> usize {
        self.pages_per_namespace[namespace_slot(namespace)].load(Ordering::Relaxed)
    }

    pub fn resolve_symbol(&self, symbol: Symbol) -> &str {
        self.interner.resolve(&symbol)
    }

    /// The whole index as sorted lines of text, independent of ids and interning order: two
    /// indexes hold the same facts exactly when their dumps are equal.
    pub fn canonical_dump(&self) -> String {
        let path_of = |id: &DocumentId| -> String {
            self.document(*id)
                .map(|document| document.path.to_string())
                .unwrap_or_else(|| format!("<dangling {}>", id.0))
        };
        let name = |symbol: &Symbol| self.interner.resolve(symbol).to_string();
        let mut lines: Vec<String> = Vec::new();
        for entry in self.documents.iter() {
            let document = entry.value();
            let title = document.title.as_ref().map(name).unwrap_or_default();
            lines.push(format!(
                "document {} title={title:?} symlink={:?}{}",
                document.path,
                document.symlink.as_ref().map(|target| self.describe_symlink(target)),
                if document.pending { " pending" } else { "" }
            ));
            for (link, start, end) in document.facts.links_with_positions() {
                let target = match link.target() {
                    LinkTarget::Title(symbol) => format!("title:{}", name(&symbol)),
                    LinkTarget::Path(symbol) => format!("path:{}", name(&symbol)),
                    LinkTarget::SameDocument => "self".to_string(),
                    LinkTarget::None => "none".to_string(),
                };
                let anchor = link.anchor().as_ref().map(name);
                lines.push(format!(
                    "  link {}..{} {:?} {:?} {target} anchor={anchor:?} at {}:{}-{}:{}",
                    link.span.start,
                    link.span.end,
                    link.kind(),
                    link.syntax(),
                    start.line,
                    start.column,
                    end.line,
                    end.column
                ));
            }
            for heading in &document.facts.headings {
                lines.push(format!(
                    "  heading {} {} {:?} {:?}",
                    heading.span.start,
                    heading.level,
                    name(&heading.anchor),
                    name(&heading.slug)
                ));
            }
            for problem in &document.facts.problems {
                lines.push(format!(
                    "  problem {:?} {}..{}",
                    problem.kind, problem.span.start, problem.span.end
                ));
            }
        }
        let mut dump_map = |label: &str, map: &FastMap<Symbol, Ids<DocumentId>>| {
            for entry in map.iter() {
                if entry.value().is_empty() {
                    continue;
                }
                let mut paths: Vec<String> = entry.value().iter().map(path_of).collect();
                paths.sort();
                lines.push(format!("{label} {} <- {}", name(entry.key()), paths.join(" ")));
            }
        };
        dump_map("page", &self.pages);
        dump_map("backlink", &self.backlinks);
        dump_map("member", &self.members);
        for entry in self.folded_titles.iter() {
            if entry.value().is_empty() {
                continue;
            }
            let mut titles: Vec<String> = entry.value().iter().map(name).collect();
            titles.sort();
            lines.push(format!("folded {} <- {}", name(entry.key()), titles.join(" ")));
        }
        for (slot, count) in self.pages_per_namespace.iter().enumerate() {
            lines.push(format!("namespace-count {slot} {}", count.load(Ordering::Relaxed)));
        }
        lines.sort();
        lines.join("\n")
    }

    fn describe_symlink(&self, target: &SymlinkTarget) -> String {
        match target {
            SymlinkTarget::Target(LinkTarget::Title(symbol)) => format!("title:{}", self.interner.resolve(symbol)),
            SymlinkTarget::Target(LinkTarget::Path(symbol)) => format!("path:{}", self.interner.resolve(symbol)),
            SymlinkTarget::Target(other) => format!("{other:?}"),
            SymlinkTarget::Broken(reason) => format!("broken:{reason}"),
        }
    }
}

/// Held while one document is updated: the path's stripe lock, and the update gate shared
/// (fields drop in order: the stripe first).
struct UpdateGuard<'a> {
    _stripe: std::sync::MutexGuard<'a, ()>,
    _gate: std::sync::RwLockReadGuard<'a, ()>,
}

/// The namespace of a canonical full title such as `Category:X`.
pub fn namespace_of_full_title(title: &str) -> Namespace {
    const NAMESPACES: [Namespace; 12] = [
        Namespace::Category,
        Namespace::Template,
        Namespace::File,
        Namespace::Help,
        Namespace::Project,
        Namespace::Portal,
        Namespace::User,
        Namespace::Module,
        Namespace::Draft,
        Namespace::Special,
        Namespace::Media,
        Namespace::MediaWiki,
    ];
    let Some((prefix, _)) = title.split_once(':') else {
        return Namespace::Main;
    };
    NAMESPACES
        .into_iter()
        .find(|namespace| namespace.canonical_name() == prefix)
        .unwrap_or(Namespace::Main)
}

/// The categories a document is in and the targets it links to, each once: the maps record
/// which documents link, not how often, and a page links to the same target many times. A
/// symlink's target counts as a link, so that the aliases of a page can be found from it.
/// What the maps hold for it, whether they hold it yet or not (see [`contributed_targets`]).
fn distinct_targets(document: &Document) -> (Vec<Symbol>, Vec<Symbol>) {
    let mut categories = Vec::new();
    let mut targets = Vec::with_capacity(document.facts.links.len() + 1);
    if document.pending {
        // Not read yet: it contributes its title only.
        return (categories, targets);
    }
    if let Some(SymlinkTarget::Target(LinkTarget::Title(target) | LinkTarget::Path(target))) =
        document.symlink.as_deref()
    {
        targets.push(*target);
    }
    for link in &document.facts.links {
        match (link.kind(), link.target()) {
            (LinkKind::CategoryMembership, LinkTarget::Title(category)) => categories.push(category),
            (_, LinkTarget::Title(target) | LinkTarget::Path(target)) => targets.push(target),
            _ => {}
        }
    }
    for symbols in [&mut categories, &mut targets] {
        symbols.sort_unstable();
        symbols.dedup();
    }
    (categories, targets)
}

/// A document's [`distinct_targets`], for [`Index::add_deferred_links`].
struct Linked {
    id: DocumentId,
    categories: Vec<Symbol>,
    targets: Vec<Symbol>,
}

/// [`distinct_targets`] as the maps hold them now: none while the document's links are deferred
/// (see [`Index::deferring_links`]).
fn contributed_targets(document: &Document) -> (Vec<Symbol>, Vec<Symbol>) {
    if document.links_deferred.load(Ordering::Relaxed) {
        return (Vec::new(), Vec::new());
    }
    distinct_targets(document)
}

/// Adds `id` to the documents defining `title`; true when it is the first. Nearly every title
/// has one document, so its vector is made for one (a vector's first push reserves four).
fn define(pages: &FastMap<Symbol, Ids<DocumentId>>, title: Symbol, id: DocumentId) -> bool {
    match pages.entry(title) {
        dashmap::Entry::Occupied(mut documents) => {
            documents.get_mut().push(id);
            false
        }
        dashmap::Entry::Vacant(vacant) => {
            vacant.insert(smallvec::smallvec![id]);
            true
        }
    }
}

/// Grows `map`'s shards to take `additional` more entries (spread evenly, with some room for
/// the spread's unevenness) without rehashing: for bulk inserts.
fn reserve<K: std::hash::Hash + Eq + Sync + Send, V: Sync + Send>(map: &FastMap<K, V>, additional: usize) {
    use rayon::prelude::*;
    let shards = map.shards();
    let per_shard = additional / shards.len() + additional / (shards.len() * 8) + 16;
    shards.par_iter().for_each(|shard| {
        let mut table = shard.write();
        table.reserve(per_shard, |(key, _)| map.hash_usize(key) as u64);
    });
}

/// Inserts `key(n)` → `value(n)` for each `n` of `0..count` whose key is not `None` into `map`,
/// shard by shard in parallel, each shard's entries in position order under one hold of its
/// lock; a key already there gets the new value through `merge`. For bulk loads.
fn fill_by_shard<K, V>(
    map: &FastMap<K, V>,
    count: usize,
    key: impl Fn(usize) -> Option<K> + Sync,
    value: impl Fn(usize) -> V + Sync,
    merge: impl Fn(&mut V, V) + Sync,
) where
    K: std::hash::Hash + Eq + Send + Sync,
    V: Send + Sync,
{
    use rayon::prelude::*;
    let shard_of: Vec<u32> = (0..count)
        .into_par_iter()
        .map(|position| match key(position) {
            Some(key) => map.determine_shard(map.hash_usize(&key)) as u32,
            None => u32::MAX,
        })
        .collect();
    let mut by_shard: Vec<Vec<u32>> = vec![Vec::new(); map.shards().len()];
    for (position, shard) in shard_of.into_iter().enumerate() {
        if let Some(positions) = by_shard.get_mut(shard as usize) {
            positions.push(position as u32);
        }
    }
    fill_shards(
        map,
        by_shard,
        |position| key(position as usize).map(|key| (key, value(position as usize))),
        merge,
    );
}

/// [`fill_by_shard`] for entries given by value, in the order given.
fn fill_by_shard_owned<K, V>(map: &FastMap<K, V>, entries: Vec<(K, V)>, merge: impl Fn(&mut V, V) + Sync)
where
    K: std::hash::Hash + Eq + Send + Sync,
    V: Send + Sync,
{
    let mut by_shard: Vec<Vec<(K, V)>> = (0..map.shards().len()).map(|_| Vec::new()).collect();
    for (key, value) in entries {
        let shard = map.determine_shard(map.hash_usize(&key));
        by_shard[shard].push((key, value));
    }
    fill_shards(map, by_shard, Some, merge);
}

/// Fills each shard of `map` from its group of `by_shard` (one group per shard, every entry's
/// key in that shard), the shards in parallel, each table grown once and locked once.
fn fill_shards<K, V, T: Send>(
    map: &FastMap<K, V>,
    by_shard: Vec<Vec<T>>,
    entry: impl Fn(T) -> Option<(K, V)> + Sync,
    merge: impl Fn(&mut V, V) + Sync,
) where
    K: std::hash::Hash + Eq + Send + Sync,
    V: Send + Sync,
{
    use rayon::prelude::*;
    let shards = map.shards();
    by_shard.into_par_iter().enumerate().for_each(|(shard, group)| {
        let mut table = shards[shard].write();
        let hash_of = |key: &K| map.hash_usize(key) as u64;
        table.reserve(group.len(), |(key, _)| hash_of(key));
        for (key, value) in group.into_iter().filter_map(&entry) {
            let hash = hash_of(&key);
            match table.get_mut(hash, |(existing, _)| *existing == key) {
                Some((_, existing)) => merge(existing.get_mut(), value),
                None => {
                    table.insert(hash, (key, dashmap::SharedValue::new(value)), |(key, _)| hash_of(key));
                }
            }
        }
    });
}

/// Document ids are positions in a fresh index: no two documents share one.
fn unreachable_duplicate() {
    debug_assert!(false, "two restored documents with one id");
}

fn push<K: std::hash::Hash + Eq, V>(map: &FastMap<K, Ids<V>>, key: K, value: V) {
    map.entry(key).or_default().push(value);
}

/// Pushes each `(hash, key, value)` of `entries` (keys of shard `shard`, with their hashes)
/// under one hold of the shard's lock. The table grows as it must: reserving room for every
/// entry would double tables whose keys are nearly all there already.
fn push_in_shard<V>(map: &FastMap<Symbol, Ids<V>>, shard: usize, entries: impl Iterator<Item = (u64, Symbol, V)>) {
    let Some(shard) = map.shards().get(shard) else {
        return;
    };
    let mut table = shard.write();
    for (hash, key, value) in entries {
        match table.get_mut(hash, |(existing, _)| *existing == key) {
            Some((_, values)) => values.get_mut().push(value),
            None => {
                table.insert(
                    hash,
                    (key, dashmap::SharedValue::new(smallvec::smallvec![value])),
                    |(key, _)| map.hash_usize(key) as u64,
                );
            }
        }
    }
}

/// Removes one occurrence of `value`, and the key when nothing is left; true when the key went.
fn remove_value<K, Q, V>(map: &FastMap<K, Ids<V>>, key: &Q, value: V) -> bool
where
    K: std::hash::Hash + Eq + std::borrow::Borrow<Q>,
    Q: std::hash::Hash + Eq + ?Sized,
    V: PartialEq,
{
    map.remove_if_mut(key, |_, values| {
        if let Some(position) = values.iter().position(|existing| *existing == value) {
            values.swap_remove(position);
        }
        values.is_empty()
    })
    .is_some()
}

/// Approximate heap bytes of each part of an index, for benchmarks: counted from lengths and
/// capacities, without allocator overhead.
#[derive(Clone, Debug, Default)]
pub struct MemoryEstimate {
    pub parts: Vec<(&'static str, usize)>,
}

impl MemoryEstimate {
    pub fn total(&self) -> usize {
        self.parts.iter().map(|(_, bytes)| bytes).sum()
    }
}

impl Index {
    /// Where the index's memory goes, roughly (see [`MemoryEstimate`]).
    pub fn memory_estimate(&self) -> MemoryEstimate {
        use std::mem::size_of;
        fn map_bytes<T>(map: &FastMap<Symbol, Ids<T>>) -> usize {
            // A DashMap entry: key, the list (values inline up to four), one control byte; then
            // the buffer of a longer list.
            let entries = map.len() * (size_of::<Symbol>() + size_of::<Ids<T>>() + 1);
            let values: usize = map
                .iter()
                .filter(|entry| entry.spilled())
                .map(|entry| entry.capacity() * size_of::<T>())
                .sum();
            entries + values
        }
        let (mut links, mut headings, mut other_facts, mut documents) = (0, 0, 0, 0);
        for entry in self.documents.iter() {
            let document = entry.value();
            let boxed_facts = if document.facts.is_empty() {
                0
            } else {
                size_of::<DocumentFacts>()
            };
            let boxed_symlink = document.symlink.as_ref().map_or(0, |_| size_of::<SymlinkTarget>());
            documents += 16
                + size_of::<Document>()
                + boxed_facts
                + boxed_symlink
                + document.path.len()
                + size_of::<(DocumentId, Arc<Document>)>()
                + 1;
            links +=
                document.facts.links.len() * size_of::<facts::LinkFact>() + document.facts.link_positions.heap_size();
            headings += document.facts.headings.len() * size_of::<facts::HeadingFact>();
            other_facts += document.facts.problems.len() * size_of::<facts::ProblemFact>()
                + document.facts.variant_blocks.len() * size_of::<crate::syntax::Span>();
        }
        MemoryEstimate {
            parts: vec![
                ("documents", documents + self.ids_by_path.len() * 9),
                ("link facts", links),
                ("heading facts", headings),
                ("problems, variant blocks", other_facts),
                ("pages", map_bytes(&self.pages)),
                ("folded titles", map_bytes(&self.folded_titles)),
                ("backlinks", map_bytes(&self.backlinks)),
                ("members", map_bytes(&self.members)),
                (
                    "interner (strings, slots, tables)",
                    self.interner.current_memory_usage(),
                ),
            ],
        }
    }
}
