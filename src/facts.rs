//! What one document contributes to the index: its links, headings and problems, classified and
//! interned, with byte ranges and UTF-16 positions.
//!
//! Facts are built once per parse and are immutable; the index adds and removes them whole. Link
//! targets are interned symbols, so a link costs a few dozen bytes and no heap string.

mod classify;
mod intern;
mod positions;

pub use classify::{release_anchor_cache, ClassCache};
pub use positions::{PackedPositions, PositionsIter};

use crate::layout::Layout;
use crate::syntax::{self, Flavor, LinkSyntax, ParseOptions, ProblemKind, Span};
use crate::text::{self, Position};
use crate::title::TitleRules;

pub use intern::{Interner, Symbol};

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
/// [`DocumentFacts::link_positions`], and the rest takes 16 bytes (44M links at 1M pages): the
/// span, then two words that each hold a symbol (see [`Symbol::to_raw`]: 28 bits, 0 for none)
/// under 4 bits of the rest: the target's with the link kind, the anchor's with the syntax, and
/// one bit each of the target's kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LinkFact {
    pub span: Span,
    target: u32,
    anchor: u32,
}

const SYMBOL_BITS: u32 = 28;
const SYMBOL_MASK: u32 = (1 << SYMBOL_BITS) - 1;

// The enumerations in their declaration order, as the packed bits and the cache's records
// hold them (a test checks the order).
pub(crate) const LINK_KINDS: [LinkKind; 8] = [
    LinkKind::Page,
    LinkKind::CategoryMembership,
    LinkKind::Template,
    LinkKind::Redirect,
    LinkKind::OnlinePage,
    LinkKind::Media,
    LinkKind::Interwiki,
    LinkKind::OutsideRoot,
];
pub(crate) const LINK_SYNTAXES: [LinkSyntax; 6] = [
    LinkSyntax::MarkdownPath,
    LinkSyntax::HtmlAnchor,
    LinkSyntax::WikiUrl,
    LinkSyntax::DoubleBracket,
    LinkSyntax::Template,
    LinkSyntax::Redirect,
];

impl LinkFact {
    /// A link fact from its parts (the positions go in [`DocumentFacts::link_positions`]).
    pub fn new(span: Span, kind: LinkKind, syntax: LinkSyntax, target: LinkTarget, anchor: Option<Symbol>) -> LinkFact {
        let (target_kind, target_symbol) = match target {
            LinkTarget::Title(symbol) => (0u32, Some(symbol)),
            LinkTarget::Path(symbol) => (1, Some(symbol)),
            LinkTarget::SameDocument => (2, None),
            LinkTarget::None => (3, None),
        };
        let raw = |symbol: Option<Symbol>| symbol.map_or(0, Symbol::to_raw) & SYMBOL_MASK;
        LinkFact {
            span,
            target: raw(target_symbol) | (kind as u32) << SYMBOL_BITS | (target_kind >> 1) << 31,
            anchor: raw(anchor) | (syntax as u32) << SYMBOL_BITS | (target_kind & 1) << 31,
        }
    }

    pub fn kind(&self) -> LinkKind {
        LINK_KINDS[(self.target >> SYMBOL_BITS & 7) as usize]
    }

    pub fn syntax(&self) -> LinkSyntax {
        LINK_SYNTAXES
            .get((self.anchor >> SYMBOL_BITS & 7) as usize)
            .copied()
            .unwrap_or(LinkSyntax::MarkdownPath)
    }

    /// The anchor key (see [`anchor_key`]), if the link has one.
    pub fn anchor(&self) -> Option<Symbol> {
        Symbol::from_raw(self.anchor & SYMBOL_MASK)
    }

    pub fn target(&self) -> LinkTarget {
        let symbol = Symbol::from_raw(self.target & SYMBOL_MASK);
        match ((self.target >> 31) << 1 | self.anchor >> 31, symbol) {
            (0, Some(symbol)) => LinkTarget::Title(symbol),
            (1, Some(symbol)) => LinkTarget::Path(symbol),
            (2, _) => LinkTarget::SameDocument,
            _ => LinkTarget::None,
        }
    }
}

impl std::fmt::Debug for LinkFact {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LinkFact")
            .field("span", &self.span)
            .field("kind", &self.kind())
            .field("syntax", &self.syntax())
            .field("target", &self.target())
            .field("anchor", &self.anchor())
            .finish()
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
    pub links: Box<[LinkFact]>,
    /// The start and end (UTF-16 line/column) of each link, in the order of `links`; read them
    /// with [`DocumentFacts::links_with_positions`].
    pub link_positions: PackedPositions,
    pub headings: Box<[HeadingFact]>,
    pub problems: Box<[ProblemFact]>,
    pub variant_blocks: Box<[Span]>,
}

impl DocumentFacts {
    /// True when the document contributes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty() && self.headings.is_empty() && self.problems.is_empty() && self.variant_blocks.is_empty()
    }

    /// The target of the document's `#REDIRECT`, if it is a redirect page.
    pub fn redirect_target(&self) -> Option<&LinkFact> {
        const _: () = assert!(std::mem::size_of::<LinkFact>() == 16);
        self.links.iter().find(|link| link.kind() == LinkKind::Redirect)
    }

    /// Each link with its start and end positions (UTF-16 line/column), in document order.
    pub fn links_with_positions(&self) -> impl Iterator<Item = (&LinkFact, Position, Position)> {
        self.links
            .iter()
            .zip(self.link_positions.iter())
            .map(|(link, (start, end))| (link, start, end))
    }
}

/// A document's facts behind a pointer, read as [`DocumentFacts`] through `Deref`; none at all
/// when they are empty. A document is 64 bytes instead of 144 with them inline, which matters
/// for the million pending documents of a starting root (they have no facts yet): allocating
/// and first touching them was a fifth of a warm start's names stage at 1M pages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactsBox(Option<Box<DocumentFacts>>);

impl FactsBox {
    pub fn new(facts: DocumentFacts) -> FactsBox {
        FactsBox((!facts.is_empty()).then(|| Box::new(facts)))
    }

    /// True when there is no box (the facts are empty).
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }

    /// The facts to change, boxed first when there were none. Whoever fills them must leave
    /// them non-empty (the box of empty facts is not dropped again).
    pub fn make_mut(&mut self) -> &mut DocumentFacts {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<DocumentFacts> for FactsBox {
    fn from(facts: DocumentFacts) -> FactsBox {
        FactsBox::new(facts)
    }
}

impl std::ops::Deref for FactsBox {
    type Target = DocumentFacts;

    fn deref(&self) -> &DocumentFacts {
        static EMPTY: std::sync::LazyLock<DocumentFacts> = std::sync::LazyLock::new(DocumentFacts::default);
        match &self.0 {
            Some(facts) => facts,
            None => &EMPTY,
        }
    }
}

/// What facts building needs to know about the workspace.
pub struct FactsContext<'a> {
    pub layout: Layout,
    pub rules: &'a TitleRules,
    pub parse_options_markdown: &'a ParseOptions,
    pub parse_options_wikitext: &'a ParseOptions,
    pub interner: &'a Interner,
    /// What the index's link targets mean, shared by the threads that build facts.
    pub classes: &'a ClassCache,
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
    let headings = classify::with_classifier(path, context, |classifier| {
        let classes = classifier.classify_all(&parsed.links, text);
        for ((link, ends), class) in parsed.links.iter().zip(link_ends.chunks_exact(2)).zip(classes) {
            let Some((kind, target)) = class else {
                continue;
            };
            let anchor = link.anchor(text).map(|anchor| classifier.anchor_key(anchor));
            links.push(LinkFact::new(link.span, kind, link.syntax, target, anchor));
            kept_ends.push((ends[0], ends[1]));
        }
        parsed
            .headings
            .iter()
            .zip(heading_starts)
            .map(|(heading, &start)| HeadingFact {
                level: heading.level,
                span: heading.span,
                start,
                anchor: classifier.anchor_key(&heading.text),
                slug: classifier.slug(&heading.text),
            })
            .collect()
    });
    links.shrink_to_fit();
    let link_positions = PackedPositions::pack(kept_ends);
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
        links: links.into(),
        link_positions,
        headings,
        problems,
        variant_blocks: parsed.variant_blocks.into(),
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
    fn boxed_facts_read_as_the_facts_and_empty_ones_take_no_box() {
        assert_eq!(std::mem::size_of::<FactsBox>(), 8);
        let empty = FactsBox::new(DocumentFacts::default());
        assert!(empty.0.is_none());
        assert!(empty.is_empty());
        assert_eq!(*empty, DocumentFacts::default());
        let facts = DocumentFacts {
            variant_blocks: vec![Span { start: 3, end: 9 }].into(),
            ..DocumentFacts::default()
        };
        let boxed = FactsBox::from(facts.clone());
        assert!(boxed.0.is_some());
        assert_eq!(*boxed, facts);
        assert_eq!(boxed.variant_blocks.len(), 1);
    }

    #[test]
    fn packed_link_facts_give_back_every_part() {
        let symbols = [
            Symbol::try_from_usize(0),
            Symbol::try_from_usize(12_345),
            Symbol::try_from_usize((1 << SYMBOL_BITS) - 2),
        ]
        .map(|symbol| symbol.expect("fits"));
        for (kind_index, kind) in LINK_KINDS.iter().enumerate() {
            assert_eq!(*kind as usize, kind_index);
            for (syntax_index, syntax) in LINK_SYNTAXES.iter().enumerate() {
                assert_eq!(*syntax as usize, syntax_index);
                for symbol in symbols {
                    let targets = [
                        LinkTarget::Title(symbol),
                        LinkTarget::Path(symbol),
                        LinkTarget::SameDocument,
                        LinkTarget::None,
                    ];
                    for target in targets {
                        for anchor in [None, Some(symbol), Some(symbols[0])] {
                            let span = Span {
                                start: 7,
                                end: u32::MAX,
                            };
                            let fact = LinkFact::new(span, *kind, *syntax, target, anchor);
                            assert_eq!(
                                (fact.span, fact.kind(), fact.syntax(), fact.target(), fact.anchor()),
                                (span, *kind, *syntax, target, anchor)
                            );
                        }
                    }
                }
            }
        }
    }

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
