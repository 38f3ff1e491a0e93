//! What a link's target means (a page title, a path, this document or nothing), and the caches
//! that spare classifying the same target twice: one table of classes shared by every thread
//! ([`ClassCache`]), and per-thread maps of anchors and heading slugs.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use crate::layout::{self, Layout};
use crate::syntax::{self, LinkSyntax};
use crate::title::{self, Namespace, Title, TitleTarget};

use super::{anchor_key, github_slug, FactsContext, LinkKind, LinkTarget, Symbol};

/// Anchors and heading texts of links and headings, per thread, with their interned keys: a few
/// thousand that recur on every page (`參見`, `外部連結`), where the interner is a large table
/// behind locks. Entries hold symbols of one index, so the maps start over when another index
/// asks.
struct AnchorCache {
    index_id: u64,
    /// Entries in both maps, bounded by [`ANCHOR_CACHE_LIMIT`].
    entries: usize,
    /// Anchors of links and headings as written, with their interned key ([`anchor_key`]).
    anchor_keys: rustc_hash::FxHashMap<Box<str>, Symbol>,
    /// Headings' text, with their interned slug ([`github_slug`]).
    slugs: rustc_hash::FxHashMap<Box<str>, Symbol>,
}

/// Anchor and slug entries kept per thread before the maps start over, bounding their memory.
const ANCHOR_CACHE_LIMIT: usize = 1 << 18;

thread_local! {
    static ANCHORS: std::cell::RefCell<AnchorCache> = std::cell::RefCell::new(AnchorCache {
        index_id: u64::MAX,
        entries: 0,
        anchor_keys: rustc_hash::FxHashMap::default(),
        slugs: rustc_hash::FxHashMap::default(),
    });
}

/// Frees this thread's anchor and slug maps, once a bulk load is done with them.
pub fn release_anchor_cache() {
    ANCHORS.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.anchor_keys = rustc_hash::FxHashMap::default();
            cache.slugs = rustc_hash::FxHashMap::default();
            cache.entries = 0;
            cache.index_id = u64::MAX;
        }
    });
}

impl AnchorCache {
    fn clear(&mut self) {
        self.anchor_keys.clear();
        self.slugs.clear();
        self.entries = 0;
    }
}

/// What links' raw targets mean, for one index, shared by every thread. The same targets recur
/// millions of times across a wiki (44M links to 2.57M distinct targets in a generated
/// million-page wiki); classifying one costs title parsing, path joining and interning (a
/// lookup at random places in a table of millions of strings), while a hit here costs a hash of
/// the raw text and one read of a 16-byte entry, with no lock. Shared, each target is
/// classified once whatever the number of threads, and the memory does not grow with them: per
/// thread, each core met nearly every target, and kept them all.
///
/// A class depends on the raw target and on what the link's key is seeded with: the
/// syntax, the leading colon and whether the link has an anchor (`[[#x]]` against `[[]]`) for
/// titles, the document's folder for relative paths.
pub struct ClassCache {
    table: RwLock<Arc<ClassTable>>,
}

/// Slots of a new table, and at most: 2^23 slots take 128 MB, room for 6M targets.
const MIN_SLOTS: usize = 1 << 12;
const MAX_SLOTS: usize = 1 << 23;

/// Probes before a lookup gives up (a table is at most three quarters full; at that load a
/// linear probe takes 2.5 slots on average).
const MAX_PROBES: usize = 32;

impl Default for ClassCache {
    fn default() -> Self {
        ClassCache::new()
    }
}

impl ClassCache {
    pub fn new() -> ClassCache {
        ClassCache {
            table: RwLock::new(Arc::new(ClassTable::with_slots(MIN_SLOTS))),
        }
    }

    /// The current table, for one document's links (one lock a document, none a link).
    fn table(&self) -> Arc<ClassTable> {
        self.table
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces a table three quarters full with one twice its size holding what it held
    /// (unless another thread did already, or it is as large as allowed). Classes added to the
    /// old table meanwhile are lost, which only costs classifying them again.
    fn grow(&self, full: &Arc<ClassTable>) {
        let mut table = self.table.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !Arc::ptr_eq(&table, full) || full.slots.len() >= MAX_SLOTS {
            return;
        }
        let grown = ClassTable::with_slots(full.slots.len() * 2);
        for slot in full.slots.iter() {
            let (low, high) = (slot[0].load(Ordering::Acquire), slot[1].load(Ordering::Acquire));
            if low != 0 && high != 0 {
                grown.insert(low, high);
            }
        }
        *table = Arc::new(grown);
    }

    /// Adds `key`'s class to `table` (the caller's current table), growing the cache first if
    /// `table` is full, and then taking its new table as the caller's. When the cache is as
    /// large as allowed, the class is not kept.
    fn add(&self, table: &mut Arc<ClassTable>, key: TargetKey, class: PackedClass) {
        if table.is_full() {
            self.grow(table);
            *table = self.table();
        }
        if !table.is_full() {
            table.insert(key.low, u64::from(key.high) << 32 | u64::from(class.0));
        }
    }

    /// Empties the cache, freeing its table: after a bulk load, only edits would hit it.
    pub fn release(&self) {
        *self.table.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Arc::new(ClassTable::with_slots(MIN_SLOTS));
    }
}

/// An open-addressing table of classes, filled without locks: a slot is two words, the key's
/// first 64 bits, then its last 32 above the packed class. A writer claims an empty slot by
/// swapping its first word in, then stores the second (`Release`); a reader that finds the
/// first word but not yet the second takes it as a miss. Slots are never emptied.
struct ClassTable {
    slots: Box<[[AtomicU64; 2]]>,
    used: AtomicUsize,
}

impl ClassTable {
    fn with_slots(count: usize) -> ClassTable {
        ClassTable {
            slots: std::iter::repeat_with(Default::default).take(count).collect(),
            used: AtomicUsize::new(0),
        }
    }

    fn is_full(&self) -> bool {
        self.used.load(Ordering::Relaxed) >= self.slots.len() / 4 * 3
    }

    fn probe(&self, low: u64) -> impl Iterator<Item = &[AtomicU64; 2]> {
        let mask = self.slots.len() - 1;
        let start = low as usize;
        (0..MAX_PROBES).filter_map(move |step| self.slots.get(start.wrapping_add(step) & mask))
    }

    /// Reads the first slot of each key's probe, so that the lookups that follow find them in
    /// cache: the reads do not depend on one another, and the CPU overlaps their misses.
    fn touch(&self, keys: &[TargetKey]) {
        let mask = self.slots.len() - 1;
        let mut seen = 0;
        for key in keys {
            if let Some(slot) = self.slots.get(key.low as usize & mask) {
                seen ^= slot[0].load(Ordering::Relaxed);
            }
        }
        std::hint::black_box(seen);
    }

    fn get(&self, key: TargetKey) -> Option<PackedClass> {
        for slot in self.probe(key.low) {
            match slot[0].load(Ordering::Acquire) {
                0 => return None,
                low if low == key.low => {
                    let high = slot[1].load(Ordering::Acquire);
                    if high == 0 {
                        return None; // being written
                    }
                    if (high >> 32) as u32 == key.high {
                        return Some(PackedClass(high as u32));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Adds the entry whose words are `low` and `high` (both nonzero), unless its key is there.
    fn insert(&self, low: u64, high: u64) {
        for slot in self.probe(low) {
            let mut current = slot[0].load(Ordering::Acquire);
            if current == 0 {
                match slot[0].compare_exchange(0, low, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => {
                        slot[1].store(high, Ordering::Release);
                        self.used.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    Err(taken) => current = taken,
                }
            }
            if current == low {
                let stored = slot[1].load(Ordering::Acquire);
                // The same key, or one being written whose first 64 bits are the same: leave it.
                if stored == 0 || stored >> 32 == high >> 32 {
                    return;
                }
            }
        }
    }
}

type Class = Option<(LinkKind, LinkTarget)>;

/// A raw target as the cache keeps it: 96 bits of its XXH3-128 hash (seeded by what the link's
/// [`map_seed`] stands for), not its bytes, so an entry takes 16 bytes with its class and a hit
/// compares no text. Two distinct targets share a key with a probability of about n²/2⁹⁷
/// (4·10⁻¹⁷ for the 2.57M targets of a generated million-page wiki), a risk taken as rustc takes
/// it with its 128-bit fingerprints: such a pair would give the second target the first one's
/// class. Both parts are nonzero (a zero word marks an empty slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TargetKey {
    low: u64,
    high: u32,
}

impl TargetKey {
    fn new(seed: u64, target: &str) -> TargetKey {
        let hash = xxhash_rust::xxh3::xxh3_128_with_seed(target.as_bytes(), seed);
        TargetKey {
            low: (hash as u64).max(1),
            high: (hash >> 64) as u32 | 1,
        }
    }
}

/// The seed of a link's keys: the title slot (`0..16`, see [`title_slot`]), or for relative
/// paths the linking document's folder (`folder_seed`).
fn map_seed(link: &syntax::Link, folder_seed: u64) -> u64 {
    match link.syntax {
        LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor => folder_seed,
        _ => title_slot(link) as u64,
    }
}

/// The seed of relative paths' keys for documents in `folder`: its hash with the top bit set
/// (title slots are small numbers).
fn folder_seed(folder: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(folder.as_bytes()) | 1 << 63
}

/// A [`Class`] in 32 bits: the target's symbol in the low 28 ([`Symbol::to_raw`], 0 for none),
/// the link kind in the next 3, and the top bit telling a path from a title, or, with no
/// symbol, nothing to resolve from this document. The class `None` takes the code of
/// `(OutsideRoot, SameDocument)`, which classification never gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PackedClass(u32);

const KIND_SHIFT: u32 = 28;
const NO_CLASS: PackedClass = PackedClass((LinkKind::OutsideRoot as u32) << KIND_SHIFT);

impl PackedClass {
    /// `None` for a class with no code (see the type).
    fn pack(class: Class) -> Option<PackedClass> {
        let Some((kind, target)) = class else {
            return Some(NO_CLASS);
        };
        let (symbol, top) = match target {
            LinkTarget::Title(symbol) => (symbol.to_raw(), 0),
            LinkTarget::Path(symbol) => (symbol.to_raw(), 1),
            LinkTarget::SameDocument => (0, 0),
            LinkTarget::None => (0, 1),
        };
        let packed = PackedClass(symbol | (kind as u32) << KIND_SHIFT | top << 31);
        (symbol < 1 << KIND_SHIFT && packed != NO_CLASS).then_some(packed)
    }

    fn unpack(self) -> Class {
        if self == NO_CLASS {
            return None;
        }
        let kind = super::LINK_KINDS[(self.0 >> KIND_SHIFT & 7) as usize];
        let path = self.0 >> 31 == 1;
        let target = match (Symbol::from_raw(self.0 & ((1 << KIND_SHIFT) - 1)), path) {
            (Some(symbol), false) => LinkTarget::Title(symbol),
            (Some(symbol), true) => LinkTarget::Path(symbol),
            (None, false) => LinkTarget::SameDocument,
            (None, true) => LinkTarget::None,
        };
        Some((kind, target))
    }
}

/// What, besides its target, a link that is not a relative path is classified by: its syntax, a
/// leading colon and whether it has an anchor, as a number below 16 (a key's [`map_seed`]).
fn title_slot(link: &syntax::Link) -> usize {
    let syntax = match link.syntax {
        LinkSyntax::WikiUrl => 0,
        LinkSyntax::DoubleBracket => 1,
        LinkSyntax::Template => 2,
        LinkSyntax::Redirect => 3,
        LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor => 0,
    };
    syntax * 4 + usize::from(link.leading_colon) * 2 + usize::from(link.anchor_span.is_some())
}

/// Classifies the links of one document and interns its anchors and headings, through the
/// index's [`ClassCache`] and this thread's [`AnchorCache`] (borrowed once for the whole
/// document) when it is free.
pub(super) struct Classifier<'a> {
    path: &'a str,
    context: &'a FactsContext<'a>,
    table: Arc<ClassTable>,
    folder_seed: u64,
    anchors: Option<&'a mut AnchorCache>,
}

impl Classifier<'_> {
    /// What each of `links` (parsed from `text`) means, in order. Every key is made first and
    /// the slot each starts at is read ahead (see [`ClassTable::touch`]): at a million pages the
    /// table is far larger than the CPU's caches, and a lookup was a cache miss in a row of
    /// some forty, one after the other; read ahead, a document's misses overlap.
    pub(super) fn classify_all(&mut self, links: &[syntax::Link], text: &str) -> Vec<Class> {
        let keys: Vec<TargetKey> = links
            .iter()
            .map(|link| TargetKey::new(map_seed(link, self.folder_seed), link.target(text)))
            .collect();
        self.table.touch(&keys);
        links
            .iter()
            .zip(keys)
            .map(|(link, key)| self.classify(link, link.target(text), key))
            .collect()
    }

    /// What `link`, whose decoded target is `target` and key `key`, means.
    fn classify(&mut self, link: &syntax::Link, target: &str, key: TargetKey) -> Class {
        if let Some(class) = self.table.get(key) {
            return class.unpack();
        }
        let class = classify_link(link, target, self.path, self.context);
        if let Some(packed) = PackedClass::pack(class) {
            self.context.classes.add(&mut self.table, key, packed);
        }
        class
    }

    /// The interned [`anchor_key`] of an anchor or a heading's text.
    pub(super) fn anchor_key(&mut self, text: &str) -> Symbol {
        let interner = self.context.interner;
        self.cached(
            text,
            |cache| &mut cache.anchor_keys,
            || interner.get_or_intern(anchor_key(text)),
        )
    }

    /// The interned [`github_slug`] of a heading's text.
    pub(super) fn slug(&mut self, text: &str) -> Symbol {
        let interner = self.context.interner;
        self.cached(
            text,
            |cache| &mut cache.slugs,
            || interner.get_or_intern(github_slug(text)),
        )
    }

    fn cached(
        &mut self,
        text: &str,
        map: impl FnOnce(&mut AnchorCache) -> &mut rustc_hash::FxHashMap<Box<str>, Symbol>,
        intern: impl FnOnce() -> Symbol,
    ) -> Symbol {
        let Some(cache) = &mut self.anchors else {
            return intern();
        };
        if cache.entries >= ANCHOR_CACHE_LIMIT {
            cache.clear();
        }
        let map = map(cache);
        if let Some(&symbol) = map.get(text) {
            return symbol;
        }
        let symbol = intern();
        map.insert(text.into(), symbol);
        cache.entries += 1;
        symbol
    }
}

/// Runs `body` with a [`Classifier`] for the document at `path`.
pub(super) fn with_classifier<R>(path: &str, context: &FactsContext, body: impl FnOnce(&mut Classifier) -> R) -> R {
    let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
    let table = context.classes.table();
    let folder_seed = folder_seed(folder);
    ANCHORS.with(|cache| {
        let mut borrowed = cache.try_borrow_mut().ok();
        if let Some(cache) = borrowed.as_deref_mut() {
            if cache.index_id != context.index_id {
                cache.index_id = context.index_id;
                cache.clear();
            }
        }
        body(&mut Classifier {
            path,
            context,
            table,
            folder_seed,
            anchors: borrowed.as_deref_mut(),
        })
    })
}

/// What `link`, whose decoded target is `target`, means in the document at `path`.
fn classify_link(
    link: &syntax::Link,
    target: &str,
    path: &str,
    context: &FactsContext,
) -> Option<(LinkKind, LinkTarget)> {
    let intern_title = |title: &Title| LinkTarget::Title(context.interner.get_or_intern(title.full()));
    match link.syntax {
        LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor => {
            if target.is_empty() {
                return Some((LinkKind::Page, LinkTarget::SameDocument));
            }
            let Some(joined) = layout::join_relative(path, target) else {
                return Some((LinkKind::OutsideRoot, LinkTarget::None));
            };
            let target = match context.layout {
                Layout::Export => match context.layout.title_of_path(&joined, context.rules) {
                    Some(title) => intern_title(&title),
                    None => LinkTarget::Path(context.interner.get_or_intern(&joined)),
                },
                Layout::Tree => LinkTarget::Path(context.interner.get_or_intern(&joined)),
            };
            Some((LinkKind::Page, target))
        }
        LinkSyntax::WikiUrl => match title::parse_title(target, context.rules) {
            TitleTarget::Page(title) if title.namespace == Namespace::Category => {
                Some((LinkKind::CategoryMembership, intern_title(&title)))
            }
            TitleTarget::Page(title) if !title.name.is_empty() => Some((LinkKind::OnlinePage, intern_title(&title))),
            _ => None,
        },
        LinkSyntax::DoubleBracket | LinkSyntax::Redirect => {
            let redirect = link.syntax == LinkSyntax::Redirect;
            match title::parse_title(target, context.rules) {
                TitleTarget::Page(title) if title.name.is_empty() => {
                    (link.anchor_span.is_some()).then_some((LinkKind::Page, LinkTarget::SameDocument))
                }
                TitleTarget::Page(title) => {
                    let kind = match title.namespace {
                        _ if redirect => LinkKind::Redirect,
                        Namespace::File | Namespace::Media if !link.leading_colon => LinkKind::Media,
                        Namespace::Category if !link.leading_colon => LinkKind::CategoryMembership,
                        _ => LinkKind::Page,
                    };
                    let target = if kind == LinkKind::Media {
                        LinkTarget::None
                    } else {
                        intern_title(&title)
                    };
                    Some((kind, target))
                }
                TitleTarget::Interwiki { .. } => Some((LinkKind::Interwiki, LinkTarget::None)),
                TitleTarget::Invalid(_) => None,
            }
        }
        LinkSyntax::Template => match title::parse_title(target, context.rules) {
            TitleTarget::Page(title) if title.name.is_empty() => None,
            TitleTarget::Page(title) if title.namespace == Namespace::Main && !link.leading_colon => {
                let template = Title {
                    namespace: Namespace::Template,
                    name: title.name,
                };
                Some((LinkKind::Template, intern_title(&template)))
            }
            TitleTarget::Page(title) => Some((LinkKind::Template, intern_title(&title))),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Class, PackedClass, TargetKey};
    use crate::facts::{Symbol, LINK_KINDS};

    /// Every class classification gives comes back from its code; the one it never gives has
    /// none, rather than one that reads as another class.
    #[test]
    fn classes_pack_into_32_bits_and_back() {
        let symbols = [1, 2, 12_345, (1 << 28) - 1].map(|raw| Symbol::from_raw(raw).expect("nonzero"));
        let mut classes: Vec<Class> = vec![None];
        for kind in LINK_KINDS {
            classes.push(Some((kind, LinkTarget::SameDocument)));
            classes.push(Some((kind, LinkTarget::None)));
            for symbol in symbols {
                classes.push(Some((kind, LinkTarget::Title(symbol))));
                classes.push(Some((kind, LinkTarget::Path(symbol))));
            }
        }
        let mut codes = std::collections::HashSet::new();
        for class in classes {
            match PackedClass::pack(class) {
                Some(packed) => {
                    assert_eq!(packed.unpack(), class);
                    assert!(codes.insert(packed.0), "{class:?} shares a code");
                }
                None => assert_eq!(class, Some((LinkKind::OutsideRoot, LinkTarget::SameDocument))),
            }
        }
    }

    /// Threads adding and reading at once, through several growths: a key found always gives
    /// its own class, and the cache keeps nearly everything (a class added to a table while it
    /// is being replaced may be lost).
    #[test]
    fn the_shared_table_gives_back_what_threads_put_in() {
        use super::{ClassCache, MIN_SLOTS};
        let cache = ClassCache::new();
        let count: u32 = 40_000; // ~10 growths from 4096 slots
        let class_of = |n: u32| PackedClass(n * 7 % (1 << 28) + 1);
        let key_of = |n: u32| TargetKey::new(n as u64 % 3, &format!("../Page/中文_{n}𠀀.md"));
        std::thread::scope(|scope| {
            for thread in 0..4u32 {
                let cache = &cache;
                scope.spawn(move || {
                    let mut table = cache.table();
                    for n in (thread..count).step_by(2) {
                        match table.get(key_of(n)) {
                            Some(class) => assert_eq!(class, class_of(n)),
                            None => cache.add(&mut table, key_of(n), class_of(n)),
                        }
                    }
                });
            }
        });
        let table = cache.table();
        assert!(table.slots.len() > MIN_SLOTS * 8);
        let mut found = 0;
        for n in 0..count {
            if let Some(class) = table.get(key_of(n)) {
                assert_eq!(class, class_of(n));
                found += 1;
            }
        }
        assert!(found > count / 10 * 9, "{found} of {count} kept");
        assert_eq!(table.get(key_of(count)), None);
        cache.release();
        assert_eq!(cache.table().slots.len(), MIN_SLOTS);
        assert_eq!(cache.table().get(key_of(1)), None);
    }

    /// Keys are hashes of the bytes as written: equal for equal targets, apart for targets that
    /// differ in one byte, CJK and astral ones included.
    #[test]
    fn target_keys_hash_the_bytes_as_written() {
        let targets = [
            "",
            "𠀀",
            "../Page/中文_(𠀀).md",
            "../Page/中文_(𠀀).m",
            "../Page/中文_\\(𠀀\\).md",
            "https://zh.wikipedia.org/wiki/內務",
            "https://zh.wikipedia.org/wiki/内务",
        ];
        let keys: Vec<TargetKey> = targets.iter().map(|target| TargetKey::new(0, target)).collect();
        for (index, target) in targets.iter().enumerate() {
            assert_eq!(TargetKey::new(0, target), keys[index]);
            assert_ne!(TargetKey::new(1, target), keys[index], "the seed picks another map");
            for (other, key) in keys.iter().enumerate() {
                assert_eq!(other == index, *key == keys[index], "{target} / {}", targets[other]);
            }
        }
    }

    use crate::index::{Index, IndexSettings};
    use crate::layout::Layout;
    use crate::syntax::Flavor;
    use crate::title::TitleRules;

    use crate::facts::{LinkKind, LinkTarget};

    fn index() -> Index {
        Index::new(IndexSettings {
            layout: Layout::Export,
            rules: TitleRules::default(),
            variant_folding: true,
            wiki_base_urls: Vec::new(),
        })
    }

    /// Anchors and slugs are cached per thread, but a symbol belongs to one index's interner:
    /// another index (here one that interned other strings first) gets its own.
    #[test]
    fn anchors_and_slugs_come_from_the_index_that_asks() {
        let text = "== 外部 連結 ==\n[[A#外部_連結]] [[B#𠀀]]\n== 𠀀 ==";
        let first = index();
        let second = index();
        second.interner.get_or_intern("an earlier string");
        for index in [&first, &second, &first] {
            let facts = index.facts_for_text("Page/中文.wiki", Flavor::Wikitext, text);
            let name = |symbol| index.resolve_symbol(symbol).to_string();
            let headings: Vec<(String, String)> = facts
                .headings
                .iter()
                .map(|heading| (name(heading.anchor), name(heading.slug)))
                .collect();
            assert_eq!(
                headings,
                [
                    ("外部 連結".to_string(), "外部-連結".to_string()),
                    ("𠀀".to_string(), "𠀀".to_string())
                ]
            );
            let anchors: Vec<String> = facts.links.iter().filter_map(|link| link.anchor().map(name)).collect();
            assert_eq!(anchors, ["外部 連結", "𠀀"]);
        }
    }

    /// A relative path means another page from another folder: the cache keeps the two apart.
    #[test]
    fn relative_paths_classify_per_folder() {
        let index = index();
        let target = |path: &str| -> Vec<String> {
            index
                .facts_for_text(path, Flavor::Markdown, "[x](A_𠀀.md) [y](../Page/A_𠀀.md)")
                .links
                .iter()
                .map(|link| match link.target() {
                    LinkTarget::Title(symbol) => index.resolve_symbol(symbol).to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        };
        for _ in 0..2 {
            assert_eq!(target("Page/B.md"), ["A 𠀀", "A 𠀀"]);
            assert_eq!(target("Template/C.md"), ["Template:A 𠀀", "A 𠀀"]);
        }
    }

    /// The classification cache must not let one link's meaning leak to another with the same
    /// raw target: `[[#x]]` (this document) and `[[|x]]` (nothing) both have an empty target,
    /// and the answer must not depend on which the thread saw first.
    #[test]
    fn same_raw_target_with_and_without_anchor_classify_apart() {
        let index = index();
        let kinds = |text: &str| -> Vec<(LinkKind, LinkTarget)> {
            index
                .facts_for_text("Page/中文.wiki", Flavor::Wikitext, text)
                .links
                .iter()
                .map(|link| (link.kind(), link.target()))
                .collect()
        };
        let same_document = vec![(LinkKind::Page, LinkTarget::SameDocument)];
        assert_eq!(kinds("[[#節𠀀]]"), same_document);
        assert_eq!(kinds("[[|x]]"), Vec::new());
        assert_eq!(kinds("[[|x]] [[#節𠀀]]"), same_document);
        assert_eq!(kinds("[[#節𠀀]] [[|x]]"), same_document);
        // Targets that are empty once normalised reach the cache with the same raw text.
        for target in ["_", " ", "_ "] {
            let with_anchor = format!("[[{target}#節𠀀]]");
            let without = format!("[[{target}|x]]");
            assert_eq!(kinds(&without), Vec::new(), "{without}");
            assert_eq!(kinds(&format!("{without} {with_anchor}")), same_document, "{target:?}");
            assert_eq!(kinds(&format!("{with_anchor} {without}")), same_document, "{target:?}");
        }
    }
}
