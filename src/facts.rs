//! What one document contributes to the index: its links, headings and problems, classified and
//! interned, with byte ranges and UTF-16 positions.
//!
//! Facts are built once per parse and are immutable; the index adds and removes them whole. Link
//! targets are interned symbols, so a link costs a few dozen bytes and no heap string.

use lasso::{Spur, ThreadedRodeo};

mod positions;

pub use positions::{PackedPositions, PositionsIter};

use crate::layout::{self, Layout};
use crate::syntax::{self, Flavor, LinkSyntax, ParseOptions, ProblemKind, Span};
use crate::text::{self, Position};
use crate::title::{self, Namespace, Title, TitleRules, TitleTarget};

/// An interned string: a title, a path or an anchor.
pub type Symbol = Spur;
pub type Interner = ThreadedRodeo<Spur, rustc_hash::FxBuildHasher>;

/// What a link means for the wiki.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// A link to a page (or a category or template page, via `[[:Category:X]]` or a path).
    Page,
    /// `[[Category:X]]` or a category URL: the document is a member of the category.
    CategoryMembership,
    /// `{{X}}`: a use of a template.
    Template,
    /// `#REDIRECT [[X]]`.
    Redirect,
    /// `[label](https://zh.wikipedia.org/wiki/X)`: the page on the online wiki.
    OnlinePage,
    /// `[[File:x.png]]`: media is not part of the workspace.
    Media,
    /// `[[en:Foo]]`: another wiki.
    Interwiki,
    /// A relative path leaving the workspace root: reported, never followed.
    OutsideRoot,
}

/// Where a link points, before resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A normalised full title (`Category:X`, `Foo bar`).
    Title(Symbol),
    /// A root-relative file path that no layout folder names (tree layouts, stray files).
    Path(Symbol),
    /// The document itself: `[[#Section]]`, `[x](#section)`.
    SameDocument,
    /// Nothing to resolve (interwiki, media, outside the root).
    None,
}

/// One classified link. Its UTF-16 positions are kept apart, packed, in
/// [`DocumentFacts::link_positions`]: 20 bytes here instead of 36, for 44M links at 1M pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkFact {
    pub span: Span,
    pub kind: LinkKind,
    pub syntax: LinkSyntax,
    /// [`LinkTarget`] split in two, so a fact takes 20 bytes instead of 24. Read it with
    /// [`LinkFact::target`].
    target_kind: TargetKind,
    target_symbol: Option<Symbol>,
    /// The anchor key (see [`anchor_key`]), if the link has one.
    pub anchor: Option<Symbol>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TargetKind {
    Title,
    Path,
    SameDocument,
    None,
}

impl LinkFact {
    /// A link fact from its parts, for facts that were not parsed here (e.g. read from a cache;
    /// their positions go in [`DocumentFacts::link_positions`]).
    pub fn new(span: Span, kind: LinkKind, syntax: LinkSyntax, target: LinkTarget, anchor: Option<Symbol>) -> LinkFact {
        let (target_kind, target_symbol) = split_target(target);
        LinkFact {
            span,
            kind,
            syntax,
            target_kind,
            target_symbol,
            anchor,
        }
    }

    pub fn target(&self) -> LinkTarget {
        match (self.target_kind, self.target_symbol) {
            (TargetKind::Title, Some(symbol)) => LinkTarget::Title(symbol),
            (TargetKind::Path, Some(symbol)) => LinkTarget::Path(symbol),
            (TargetKind::SameDocument, _) => LinkTarget::SameDocument,
            _ => LinkTarget::None,
        }
    }
}

fn split_target(target: LinkTarget) -> (TargetKind, Option<Symbol>) {
    match target {
        LinkTarget::Title(symbol) => (TargetKind::Title, Some(symbol)),
        LinkTarget::Path(symbol) => (TargetKind::Path, Some(symbol)),
        LinkTarget::SameDocument => (TargetKind::SameDocument, None),
        LinkTarget::None => (TargetKind::None, None),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadingFact {
    pub level: u8,
    pub span: Span,
    pub start: Position,
    /// The heading text as a MediaWiki anchor key (see [`anchor_key`]); also its display text.
    pub anchor: Symbol,
    /// The GitHub-style slug (`Some heading` → `some-heading`), which Markdown links use.
    pub slug: Symbol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProblemFact {
    pub kind: ProblemKind,
    pub span: Span,
    pub start: Position,
    pub end: Position,
}

/// Everything one document contributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentFacts {
    pub links: Vec<LinkFact>,
    /// The start and end (UTF-16 line/column) of each link, in the order of `links`; read them
    /// with [`DocumentFacts::links_with_positions`].
    pub link_positions: PackedPositions,
    pub headings: Vec<HeadingFact>,
    pub problems: Vec<ProblemFact>,
    pub variant_blocks: Vec<Span>,
}

impl DocumentFacts {
    /// The target of the document's `#REDIRECT`, if it is a redirect page.
    pub fn redirect_target(&self) -> Option<&LinkFact> {
        const _: () = assert!(std::mem::size_of::<LinkFact>() == 20);
        self.links.iter().find(|link| link.kind == LinkKind::Redirect)
    }

    /// Each link with its start and end positions (UTF-16 line/column), in document order.
    pub fn links_with_positions(&self) -> impl Iterator<Item = (&LinkFact, Position, Position)> {
        self.links
            .iter()
            .zip(self.link_positions.iter())
            .map(|(link, (start, end))| (link, start, end))
    }
}

/// What facts building needs to know about the workspace.
pub struct FactsContext<'a> {
    pub layout: Layout,
    pub rules: &'a TitleRules,
    pub parse_options_markdown: &'a ParseOptions,
    pub parse_options_wikitext: &'a ParseOptions,
    pub interner: &'a Interner,
    /// Identifies the index the symbols belong to, for the classification cache.
    pub index_id: u64,
}

/// Parses a document and classifies what it contains. `path` is root-relative, `/`-separated.
pub fn document_facts(text: &str, path: &str, flavor: Flavor, context: &FactsContext) -> DocumentFacts {
    let options = match flavor {
        Flavor::Markdown => context.parse_options_markdown,
        Flavor::Wikitext => context.parse_options_wikitext,
    };
    let parsed = syntax::parse(text, options);

    // Every offset whose position a fact keeps, in one list: link starts and ends, heading
    // starts, problem starts and ends; `positions` answers in this order.
    let mut offsets: Vec<u32> =
        Vec::with_capacity(parsed.links.len() * 2 + parsed.headings.len() + parsed.problems.len() * 2);
    offsets.extend(parsed.links.iter().flat_map(|link| [link.span.start, link.span.end]));
    offsets.extend(parsed.headings.iter().map(|heading| heading.span.start));
    offsets.extend(
        parsed
            .problems
            .iter()
            .flat_map(|problem| [problem.span.start, problem.span.end]),
    );
    let positions = text::positions_in_order(text, &offsets);
    let (link_ends, rest) = positions.split_at(parsed.links.len() * 2);
    let (heading_starts, problem_ends) = rest.split_at(parsed.headings.len());

    let mut links: Vec<LinkFact> = Vec::with_capacity(parsed.links.len());
    // The positions of the links kept (some classify to nothing), in step with `links`.
    let mut kept_ends: Vec<(Position, Position)> = Vec::with_capacity(parsed.links.len());
    with_classification_cache(path, context, |classify| {
        for (link, ends) in parsed.links.iter().zip(link_ends.chunks_exact(2)) {
            let Some((kind, target)) = classify(link, link.target(text)) else {
                continue;
            };
            let (target_kind, target_symbol) = split_target(target);
            links.push(LinkFact {
                span: link.span,
                kind,
                syntax: link.syntax,
                target_kind,
                target_symbol,
                anchor: link
                    .anchor(text)
                    .map(|anchor| context.interner.get_or_intern(anchor_key(anchor))),
            });
            kept_ends.push((ends[0], ends[1]));
        }
    });
    links.shrink_to_fit();
    let link_positions = PackedPositions::pack(kept_ends);
    let headings = parsed
        .headings
        .iter()
        .zip(heading_starts)
        .map(|(heading, &start)| HeadingFact {
            level: heading.level,
            span: heading.span,
            start,
            anchor: context.interner.get_or_intern(anchor_key(&heading.text)),
            slug: context.interner.get_or_intern(github_slug(&heading.text)),
        })
        .collect();
    let problems = parsed
        .problems
        .iter()
        .zip(problem_ends.chunks_exact(2))
        .map(|(problem, ends)| ProblemFact {
            kind: problem.kind,
            span: problem.span,
            start: ends[0],
            end: ends[1],
        })
        .collect();
    DocumentFacts {
        links,
        link_positions,
        headings,
        problems,
        variant_blocks: parsed.variant_blocks,
    }
}

/// What links' raw targets mean, per thread. The same few hundred thousand targets recur
/// millions of times across a wiki; classifying one costs title parsing, path joining and
/// interning, while a hit here costs one hash of the raw text, with no lock shared between
/// threads. Entries hold symbols of one index, so the cache starts over when another index asks.
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
}

type Class = Option<(LinkKind, LinkTarget)>;
type ClassMap = rustc_hash::FxHashMap<Box<str>, Class>;

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

/// Entries kept per thread before the cache starts over, bounding its memory.
const CLASSIFICATION_CACHE_LIMIT: usize = 1 << 20;

thread_local! {
    static CLASSIFICATIONS: std::cell::RefCell<ClassificationCache> = std::cell::RefCell::new(ClassificationCache {
        index_id: u64::MAX,
        entries: 0,
        titles: Default::default(),
        folders: rustc_hash::FxHashMap::default(),
    });
}

/// Frees this thread's classification cache. After a bulk load the cores' caches hold every
/// target of the wiki (~10 MB each at 100k pages) and would only be hit again by edits.
pub fn release_classification_cache() {
    CLASSIFICATIONS.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.titles = Default::default();
            cache.folders = rustc_hash::FxHashMap::default();
            cache.entries = 0;
            cache.index_id = u64::MAX;
        }
    });
}

impl ClassificationCache {
    fn clear(&mut self) {
        self.titles.iter_mut().for_each(ClassMap::clear);
        self.folders.clear();
        self.entries = 0;
    }
}

/// Runs `body` with a classifier for the links of the document at `path`, which borrows this
/// thread's cache once for the whole document.
fn with_classification_cache<R>(
    path: &str,
    context: &FactsContext,
    body: impl FnOnce(&mut dyn FnMut(&syntax::Link, &str) -> Class) -> R,
) -> R {
    CLASSIFICATIONS.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return body(&mut |link, target| classify_link(link, target, path, context));
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
        let result = body(&mut |link, target| {
            if cache.entries >= CLASSIFICATION_CACHE_LIMIT {
                cache.clear();
                folder_map.clear();
            }
            let map = match link.syntax {
                LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor => &mut folder_map,
                _ => &mut cache.titles[title_slot(link)],
            };
            if let Some(class) = map.get(target) {
                return *class;
            }
            let class = classify_link(link, target, path, context);
            map.insert(target.into(), class);
            cache.entries += 1;
            class
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

/// The key an anchor is compared by: MediaWiki treats `_` and space alike and ignores runs and
/// surrounding spaces; case matters.
/// Borrows the text when it already is a key (the common case: no `_`, single spaces between
/// words), so interning a link's anchor costs no allocation.
pub fn anchor_key(text: &str) -> std::borrow::Cow<'_, str> {
    if is_anchor_key(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut key = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c == '_' || c.is_whitespace())
        .filter(|word| !word.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    std::borrow::Cow::Owned(key)
}

/// Whether [`anchor_key`] would return the text unchanged.
fn is_anchor_key(text: &str) -> bool {
    let mut after_space = true; // no leading space
    for c in text.chars() {
        let space = c == ' ';
        if c == '_' || (c.is_whitespace() && !space) || (space && after_space) {
            return false;
        }
        after_space = space;
    }
    !after_space || text.is_empty()
}

/// GitHub's heading slug: lower-cased, punctuation dropped, spaces turned into `-`.
pub fn github_slug(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_key_treats_underscore_as_space() {
        assert_eq!(anchor_key(" 外部_連結  x "), "外部 連結 x");
        assert_eq!(anchor_key(""), "");
        for text in ["a", "外部 連結", "x y z", "𠀀 b"] {
            assert!(matches!(anchor_key(text), std::borrow::Cow::Borrowed(_)), "{text}");
        }
        for (text, key) in [
            (" a", "a"),
            ("a ", "a"),
            ("a  b", "a b"),
            ("a_b", "a b"),
            ("a\tb", "a b"),
            ("中\u{3000}文", "中 文"),
            (" ", ""),
        ] {
            assert_eq!(anchor_key(text), key, "{text:?}");
        }
    }

    #[test]
    fn github_slug_lowercases_and_drops_punctuation() {
        assert_eq!(github_slug("Hello, World!"), "hello-world");
        assert_eq!(github_slug("職能 (2002)"), "職能-2002");
    }
}

#[cfg(test)]
mod cache_tests {
    use crate::index::{Index, IndexSettings};
    use crate::layout::Layout;
    use crate::syntax::Flavor;
    use crate::title::TitleRules;

    use super::{LinkKind, LinkTarget};

    fn index() -> Index {
        Index::new(IndexSettings {
            layout: Layout::Export,
            rules: TitleRules::default(),
            variant_folding: true,
            wiki_base_urls: Vec::new(),
        })
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
                .map(|link| (link.kind, link.target()))
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
