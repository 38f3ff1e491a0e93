//! What a link's target means (a page title, a path, this document or nothing), and the
//! per-thread cache that spares classifying the same target twice.

use crate::layout::{self, Layout};
use crate::syntax::{self, LinkSyntax};
use crate::title::{self, Namespace, Title, TitleTarget};

use super::{anchor_key, github_slug, FactsContext, LinkKind, LinkTarget, Symbol};

/// What links' raw targets mean, per thread. The same few hundred thousand targets recur
/// millions of times across a wiki; classifying one costs title parsing, path joining and
/// interning, while a hit here costs one hash of the raw text, with no lock shared between
/// threads. Entries hold symbols of one index, so the cache starts over when another index asks.
/// Anchors and heading texts, a few thousand that recur on every page (`參見`, `外部連結`), keep
/// their interned keys here too: the shared interner is a large table behind locks.
///
/// A class depends on the raw target and on what picks the map it is kept in: the syntax, the
/// leading colon and whether the link has an anchor (`[[#x]]` against `[[]]`) for titles, the
/// document's folder for relative paths. The map is picked once per link (per document for the
/// folder), so a lookup hashes and compares only the target as written, with no key built.
struct ClassificationCache {
    index_id: u64,
    /// Entries in all maps, bounded by [`CLASSIFICATION_CACHE_LIMIT`].
    entries: usize,
    /// Title-like syntaxes, by [`title_slot`].
    titles: [ClassMap; TITLE_SLOTS],
    /// Relative paths (Markdown and HTML links alike), per folder of the linking document.
    folders: rustc_hash::FxHashMap<Box<str>, ClassMap>,
    /// Anchors of links and headings as written, with their interned key ([`anchor_key`]).
    anchor_keys: rustc_hash::FxHashMap<Box<str>, Symbol>,
    /// Headings' text, with their interned slug ([`github_slug`]).
    slugs: rustc_hash::FxHashMap<Box<str>, Symbol>,
}

type Class = Option<(LinkKind, LinkTarget)>;
type ClassMap = hashbrown::HashMap<TargetKey, PackedClass, TargetKeyHasher>;

/// A raw target as the cache keeps it: 96 bits of its XXH3-128 hash, not its bytes. An entry,
/// class included, takes 16 bytes, where one with the bytes inline took 64; at a million pages
/// each thread meets some 2.5M distinct targets, and a table four times smaller keeps them all
/// in the memory one with bytes held for 1M, with no comparison of text on a hit. Two distinct
/// targets share a key with a probability of about n²/2⁹⁷ (4·10⁻¹⁷ for the 2.57M targets of a
/// generated million-page wiki), a risk taken as rustc takes it with its 128-bit fingerprints:
/// such a pair would give the second target the first one's class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TargetKey([u32; 3]);

impl TargetKey {
    fn new(target: &str) -> TargetKey {
        let hash = xxhash_rust::xxh3::xxh3_128(target.as_bytes());
        TargetKey([hash as u32, (hash >> 32) as u32, (hash >> 64) as u32])
    }
}

// The key is a hash already: the table takes its first 64 bits as they are.
impl std::hash::Hash for TargetKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from(self.0[0]) | u64::from(self.0[1]) << 32);
    }
}

/// Hands a [`TargetKey`]'s bits to the table unchanged.
#[derive(Clone, Copy, Default)]
struct TargetKeyHasher;

impl std::hash::BuildHasher for TargetKeyHasher {
    type Hasher = PassThrough;

    fn build_hasher(&self) -> PassThrough {
        PassThrough(0)
    }
}

#[derive(Default)]
struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is called (by `TargetKey`); any other input is folded in, not lost.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
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

const TITLE_SLOTS: usize = 16;

/// The map of [`ClassificationCache::titles`] for a link that is not a relative path.
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

/// Entries kept per thread before the cache starts over, bounding its memory: at most ~136 MB
/// a thread (the tables double as they grow: 8M buckets of 16 bytes and a control byte), what
/// 1M entries of 64 bytes took before. A generated million-page wiki has 2.57M distinct
/// targets, nearly all of which each thread meets.
const CLASSIFICATION_CACHE_LIMIT: usize = 1 << 22;

thread_local! {
    static CLASSIFICATIONS: std::cell::RefCell<ClassificationCache> = std::cell::RefCell::new(ClassificationCache {
        index_id: u64::MAX,
        entries: 0,
        titles: Default::default(),
        folders: rustc_hash::FxHashMap::default(),
        anchor_keys: rustc_hash::FxHashMap::default(),
        slugs: rustc_hash::FxHashMap::default(),
    });
}

/// Frees this thread's classification cache. After a bulk load the cores' caches hold every
/// target of the wiki (~10 MB each at 100k pages) and would only be hit again by edits.
pub fn release_classification_cache() {
    CLASSIFICATIONS.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.titles = Default::default();
            cache.folders = rustc_hash::FxHashMap::default();
            cache.anchor_keys = rustc_hash::FxHashMap::default();
            cache.slugs = rustc_hash::FxHashMap::default();
            cache.entries = 0;
            cache.index_id = u64::MAX;
        }
    });
}

impl ClassificationCache {
    fn clear(&mut self) {
        self.titles.iter_mut().for_each(ClassMap::clear);
        self.folders.clear();
        self.anchor_keys.clear();
        self.slugs.clear();
        self.entries = 0;
    }
}

/// Classifies the links of one document and interns its anchors and headings, through this
/// thread's cache (borrowed once for the whole document) when it is free.
pub(super) struct Classifier<'a> {
    path: &'a str,
    context: &'a FactsContext<'a>,
    /// The cache, and the document's folder map taken out of it for the document.
    cache: Option<(&'a mut ClassificationCache, &'a mut ClassMap)>,
}

impl Classifier<'_> {
    /// What `link`, whose decoded target is `target`, means.
    pub(super) fn classify(&mut self, link: &syntax::Link, target: &str) -> Class {
        let Some((cache, folder_map)) = &mut self.cache else {
            return classify_link(link, target, self.path, self.context);
        };
        if cache.entries >= CLASSIFICATION_CACHE_LIMIT {
            cache.clear();
            folder_map.clear();
        }
        let map = match link.syntax {
            LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor => &mut **folder_map,
            _ => &mut cache.titles[title_slot(link)],
        };
        let key = TargetKey::new(target);
        if let Some(class) = map.get(&key) {
            return class.unpack();
        }
        let class = classify_link(link, target, self.path, self.context);
        if let Some(packed) = PackedClass::pack(class) {
            map.insert(key, packed);
            cache.entries += 1;
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
        map: impl FnOnce(&mut ClassificationCache) -> &mut rustc_hash::FxHashMap<Box<str>, Symbol>,
        intern: impl FnOnce() -> Symbol,
    ) -> Symbol {
        let Some((cache, folder_map)) = &mut self.cache else {
            return intern();
        };
        if cache.entries >= CLASSIFICATION_CACHE_LIMIT {
            cache.clear();
            folder_map.clear();
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
    CLASSIFICATIONS.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return body(&mut Classifier {
                path,
                context,
                cache: None,
            });
        };
        let cache = &mut *cache;
        if cache.index_id != context.index_id {
            cache.index_id = context.index_id;
            cache.clear();
        }
        // The document's folder map is taken out for the document and put back after, so a
        // link to a relative path costs no lookup of the folder.
        let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        let (folder_key, mut folder_map) = cache
            .folders
            .remove_entry(folder)
            .unwrap_or_else(|| (folder.into(), ClassMap::default()));
        let result = body(&mut Classifier {
            path,
            context,
            cache: Some((&mut *cache, &mut folder_map)),
        });
        cache.folders.insert(folder_key, folder_map);
        result
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

    #[test]
    fn a_cache_entry_takes_16_bytes() {
        assert_eq!(std::mem::size_of::<(TargetKey, PackedClass)>(), 16);
    }

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
        let keys: Vec<TargetKey> = targets.iter().map(|target| TargetKey::new(target)).collect();
        for (index, target) in targets.iter().enumerate() {
            assert_eq!(TargetKey::new(target), keys[index]);
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
