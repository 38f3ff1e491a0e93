//! What one document contributes to the index: its links, headings and problems, classified and
//! interned, with byte ranges and UTF-16 positions.
//!
//! Facts are built once per parse and are immutable; the index adds and removes them whole. Link
//! targets are interned symbols, so a link costs a few dozen bytes and no heap string.

use lasso::{Spur, ThreadedRodeo};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkFact {
    pub span: Span,
    pub start: Position,
    pub end: Position,
    pub kind: LinkKind,
    pub syntax: LinkSyntax,
    /// [`LinkTarget`] split in two, so a fact takes 36 bytes instead of 40: 4.4M of them at
    /// 100k pages. Read it with [`LinkFact::target`].
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
    /// A link fact from its parts, for facts that were not parsed here (the index cache).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        span: Span,
        start: Position,
        end: Position,
        kind: LinkKind,
        syntax: LinkSyntax,
        target: LinkTarget,
        anchor: Option<Symbol>,
    ) -> LinkFact {
        let (target_kind, target_symbol) = split_target(target);
        LinkFact {
            span,
            start,
            end,
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
    pub headings: Vec<HeadingFact>,
    pub problems: Vec<ProblemFact>,
    pub variant_blocks: Vec<Span>,
}

impl DocumentFacts {
    /// The target of the document's `#REDIRECT`, if it is a redirect page.
    pub fn redirect_target(&self) -> Option<&LinkFact> {
        const _: () = assert!(std::mem::size_of::<LinkFact>() == 36);
        self.links.iter().find(|link| link.kind == LinkKind::Redirect)
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

    let mut offsets: Vec<u32> = Vec::with_capacity(parsed.links.len() * 2 + parsed.headings.len());
    offsets.extend(parsed.links.iter().flat_map(|link| [link.span.start, link.span.end]));
    offsets.extend(parsed.headings.iter().map(|heading| heading.span.start));
    offsets.extend(
        parsed
            .problems
            .iter()
            .flat_map(|problem| [problem.span.start, problem.span.end]),
    );
    let positions = text::SortedPositions::new(text, offsets);

    let mut links: Vec<LinkFact> = parsed
        .links
        .iter()
        .filter_map(|link| {
            let (kind, target) = classify_link_cached(link, path, context)?;
            let (target_kind, target_symbol) = split_target(target);
            Some(LinkFact {
                span: link.span,
                start: positions.get(link.span.start),
                end: positions.get(link.span.end),
                kind,
                syntax: link.syntax,
                target_kind,
                target_symbol,
                anchor: link
                    .anchor
                    .as_deref()
                    .map(|anchor| context.interner.get_or_intern(anchor_key(anchor))),
            })
        })
        .collect();
    links.shrink_to_fit();
    let headings = parsed
        .headings
        .iter()
        .map(|heading| HeadingFact {
            level: heading.level,
            span: heading.span,
            start: positions.get(heading.span.start),
            anchor: context.interner.get_or_intern(anchor_key(&heading.text)),
            slug: context.interner.get_or_intern(github_slug(&heading.text)),
        })
        .collect();
    let problems = parsed
        .problems
        .iter()
        .map(|problem| ProblemFact {
            kind: problem.kind,
            span: problem.span,
            start: positions.get(problem.span.start),
            end: positions.get(problem.span.end),
        })
        .collect();
    DocumentFacts {
        links,
        headings,
        problems,
        variant_blocks: parsed.variant_blocks,
    }
}

/// What links' raw targets mean, per thread. The same few hundred thousand targets recur
/// millions of times across a wiki; classifying one costs title parsing, path joining and
/// interning, while a hit here costs one hash of the raw text, with no lock shared between
/// threads. Entries hold symbols of one index, so the cache starts over when another index asks.
struct ClassificationCache {
    index_id: u64,
    key: String,
    classes: rustc_hash::FxHashMap<Box<str>, Option<(LinkKind, LinkTarget)>>,
}

/// Entries kept per thread before the cache starts over, bounding its memory.
const CLASSIFICATION_CACHE_LIMIT: usize = 1 << 20;

thread_local! {
    static CLASSIFICATIONS: std::cell::RefCell<ClassificationCache> = std::cell::RefCell::new(ClassificationCache {
        index_id: u64::MAX,
        key: String::new(),
        classes: rustc_hash::FxHashMap::default(),
    });
}

/// Frees this thread's classification cache. After a bulk load the cores' caches hold every
/// target of the wiki (~10 MB each at 100k pages) and would only be hit again by edits.
pub fn release_classification_cache() {
    CLASSIFICATIONS.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.classes = rustc_hash::FxHashMap::default();
            cache.index_id = u64::MAX;
        }
    });
}

fn classify_link_cached(link: &syntax::Link, path: &str, context: &FactsContext) -> Option<(LinkKind, LinkTarget)> {
    CLASSIFICATIONS.with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return classify_link(link, path, context);
        };
        let cache = &mut *cache;
        if cache.index_id != context.index_id || cache.classes.len() >= CLASSIFICATION_CACHE_LIMIT {
            cache.index_id = context.index_id;
            cache.classes.clear();
        }
        // The key: what the meaning depends on, the syntax, the leading colon, the document's
        // folder for relative paths, and the raw target.
        cache.key.clear();
        cache.key.push(char::from(b'A' + link.syntax as u8));
        cache.key.push(if link.leading_colon { ':' } else { '-' });
        if matches!(link.syntax, LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor) {
            cache
                .key
                .push_str(path.rsplit_once('/').map_or("", |(folder, _)| folder));
        }
        cache.key.push('\0');
        cache.key.push_str(&link.target);
        if let Some(class) = cache.classes.get(cache.key.as_str()) {
            return *class;
        }
        let class = classify_link(link, path, context);
        cache.classes.insert(cache.key.as_str().into(), class);
        class
    })
}

fn classify_link(link: &syntax::Link, path: &str, context: &FactsContext) -> Option<(LinkKind, LinkTarget)> {
    let intern_title = |title: &Title| LinkTarget::Title(context.interner.get_or_intern(title.full()));
    match link.syntax {
        LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor => {
            if link.target.is_empty() {
                return Some((LinkKind::Page, LinkTarget::SameDocument));
            }
            let Some(joined) = layout::join_relative(path, &link.target) else {
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
        LinkSyntax::WikiUrl => match title::parse_title(&link.target, context.rules) {
            TitleTarget::Page(title) if title.namespace == Namespace::Category => {
                Some((LinkKind::CategoryMembership, intern_title(&title)))
            }
            TitleTarget::Page(title) if !title.name.is_empty() => Some((LinkKind::OnlinePage, intern_title(&title))),
            _ => None,
        },
        LinkSyntax::DoubleBracket | LinkSyntax::Redirect => {
            let redirect = link.syntax == LinkSyntax::Redirect;
            match title::parse_title(&link.target, context.rules) {
                TitleTarget::Page(title) if title.name.is_empty() => {
                    (link.anchor.is_some()).then_some((LinkKind::Page, LinkTarget::SameDocument))
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
        LinkSyntax::Template => match title::parse_title(&link.target, context.rules) {
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
pub fn anchor_key(text: &str) -> String {
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
    key
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
    }

    #[test]
    fn github_slug_lowercases_and_drops_punctuation() {
        assert_eq!(github_slug("Hello, World!"), "hello-world");
        assert_eq!(github_slug("職能 (2002)"), "職能-2002");
    }
}
