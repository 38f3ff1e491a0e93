//! Find references: every link in the workspace that leads to a page (through redirects,
//! Traditional/Simplified variants and paths), to a heading, or to a missing page.
//!
//! Candidates come from the index's backlinks, keyed by the target as written: the page's title,
//! the other-script spellings of it, its path, and the same for every redirect to it. Each
//! candidate link is then confirmed by the resolver, so the answer is what go-to-definition
//! would say for every link it lists.

use rustc_hash::FxHashSet;

use crate::facts::{anchor_key, HeadingFact, LinkFact, LinkKind, LinkTarget, Symbol};
use crate::ide::definition::link_at;
use crate::index::{namespace_of_full_title, Document, DocumentId, Index};
use crate::resolve::{self, Resolution};
use crate::syntax::Span;
use crate::text::Position;
use crate::title::Namespace;

/// What references are asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceTarget {
    /// A page: links to it, wherever written and however spelled.
    Page(DocumentId),
    /// A heading (by its index in the page's headings): links with an anchor naming it.
    Heading { page: DocumentId, heading: usize },
    /// A title or path no page has: the links naming it.
    Missing(Symbol),
}

/// One place that refers to the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Root-relative path of the document holding it.
    pub path: String,
    pub span: Span,
    /// The span's start and end as UTF-16 line/column, when the facts know them (links): the
    /// server then needs no text to answer a UTF-16 client, where reading every referring file
    /// would cost seconds for a page linked from tens of thousands.
    pub utf16_range: Option<(Position, Position)>,
    /// The page itself (its title heading or top) or the heading itself.
    pub is_declaration: bool,
}

/// What the cursor at `offset` in `document` (whose text is `text`) asks references for: the
/// link under it, the heading under it (the title heading meaning the page), or the page when
/// the cursor is on the first line (anywhere, on a category page).
pub fn target_at(index: &Index, document: &Document, text: &str, offset: usize) -> Option<ReferenceTarget> {
    if let Some(link) = link_at(document, offset) {
        return link_target(index, document, link);
    }
    let headings = &document.facts.headings;
    if let Some(position) = headings.iter().position(|heading| heading.span.contains(offset)) {
        let is_title = title_heading(index, document).is_some_and(|title| title.span == headings[position].span);
        return Some(match is_title {
            true => ReferenceTarget::Page(document.id),
            false => ReferenceTarget::Heading {
                page: document.id,
                heading: position,
            },
        });
    }
    // On a category page, anywhere off its links and headings means the category itself.
    let is_category = document
        .title
        .is_some_and(|title| namespace_of_full_title(index.resolve_symbol(title)) == Namespace::Category);
    let first_line_end = text.find(['\n', '\r']).unwrap_or(text.len());
    let on_page = is_category || (offset <= first_line_end && document.title.is_some());
    on_page.then_some(ReferenceTarget::Page(document.id))
}

fn link_target(index: &Index, document: &Document, link: &LinkFact) -> Option<ReferenceTarget> {
    if matches!(
        link.kind(),
        LinkKind::Media | LinkKind::Interwiki | LinkKind::OutsideRoot
    ) {
        return None;
    }
    match resolve::resolve_target(index, document, link.target()) {
        Resolution::Found(_) if link.target() == LinkTarget::SameDocument => {
            let anchor = link.anchor()?;
            let heading = resolve::anchor_heading(index, document, anchor)?;
            let position = document
                .facts
                .headings
                .iter()
                .position(|candidate| candidate == heading)?;
            Some(ReferenceTarget::Heading {
                page: document.id,
                heading: position,
            })
        }
        Resolution::Found(found) => Some(ReferenceTarget::Page(found.document)),
        Resolution::Missing => match link.target() {
            LinkTarget::Title(symbol) | LinkTarget::Path(symbol) => Some(ReferenceTarget::Missing(symbol)),
            LinkTarget::SameDocument | LinkTarget::None => None,
        },
        Resolution::Ambiguous(_) | Resolution::BrokenRedirect { .. } => None,
    }
}

/// The heading that names the page: its first heading, when that heading's text is the page's
/// title (with or without the namespace prefix).
pub fn title_heading<'document>(index: &Index, document: &'document Document) -> Option<&'document HeadingFact> {
    let heading = document.facts.headings.first()?;
    let title = index.resolve_symbol(document.title?);
    let name = title.split_once(':').map_or(title, |(_, name)| name);
    let heading_text = index.resolve_symbol(heading.anchor);
    let matches = |candidate: &str| {
        let key = anchor_key(candidate);
        heading_text == key
            || index
                .folded_key(heading_text)
                .is_some_and(|folded| Some(folded) == index.folded_key(&key))
    };
    (matches(title) || matches(name)).then_some(heading)
}

/// Every reference to what is under the cursor. `document` may be fresher than the index's copy
/// and is then used for its own links. Sorted by path, then position.
pub fn references(
    index: &Index,
    document: &Document,
    text: &str,
    offset: usize,
    include_declaration: bool,
) -> Vec<Reference> {
    match target_at(index, document, text, offset) {
        Some(target) => references_to(index, document, target, include_declaration),
        None => Vec::new(),
    }
}

/// Every reference to `target`, the declaration included when asked.
pub fn references_to(
    index: &Index,
    fresh: &Document,
    target: ReferenceTarget,
    include_declaration: bool,
) -> Vec<Reference> {
    let mut found = Vec::new();
    match target {
        ReferenceTarget::Page(page) => {
            if include_declaration {
                if let Some(page_document) = document_or_fresh(index, fresh, page) {
                    let span = title_heading(index, &page_document).map_or(Span::default(), |heading| heading.span);
                    found.push(declaration(&page_document, span));
                }
            }
            for_each_positioned_link_to_page(index, fresh, page, |document, link| {
                found.push(reference(document, link));
            });
        }
        ReferenceTarget::Heading { page, heading } => {
            let Some(page_document) = document_or_fresh(index, fresh, page) else {
                return found;
            };
            let Some(heading_fact) = page_document.facts.headings.get(heading).copied() else {
                return found;
            };
            if include_declaration {
                found.push(declaration(&page_document, heading_fact.span));
            }
            for_each_positioned_link_to_heading(index, fresh, &page_document, &heading_fact, |document, link| {
                found.push(reference(document, link));
            });
        }
        ReferenceTarget::Missing(symbol) => {
            let mut candidates = index.backlinks_of(symbol);
            candidates.extend(index.members_of(symbol));
            for_each_candidate_link(index, fresh, candidates, |document, link| {
                let target = link.fact.target();
                let named = target == LinkTarget::Title(symbol) || target == LinkTarget::Path(symbol);
                if named && resolve::resolve_target(index, document, target) == Resolution::Missing {
                    found.push(reference(document, link));
                }
            });
        }
    }
    found.sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    found.dedup();
    found
}

/// Calls `f` with every link, in any document, that resolves to `page` (or through it, when it
/// is a redirect); `#anchor`-only links inside the page are not links to the page and are left
/// out.
pub fn for_each_link_to_page(
    index: &Index,
    fresh: &Document,
    page: DocumentId,
    mut f: impl FnMut(&Document, &LinkFact),
) {
    for_each_positioned_link_to_page(index, fresh, page, |document, link| f(document, link.fact));
}

/// [`for_each_link_to_page`], each link with its positions.
fn for_each_positioned_link_to_page(
    index: &Index,
    fresh: &Document,
    page: DocumentId,
    mut f: impl FnMut(&Document, PositionedLink),
) {
    let (symbols, candidates) = names_and_candidates(index, fresh, page);
    for_each_candidate_link(index, fresh, candidates, |document, link| {
        let named = match link.fact.target() {
            LinkTarget::Title(symbol) | LinkTarget::Path(symbol) => symbols.contains(&symbol),
            LinkTarget::SameDocument | LinkTarget::None => false,
        };
        if !named
            || matches!(
                link.fact.kind(),
                LinkKind::Media | LinkKind::Interwiki | LinkKind::OutsideRoot
            )
        {
            return;
        }
        // A redirect page is reached by the links naming it, which resolve through it.
        if let Resolution::Found(found) = resolve::resolve_target(index, document, link.fact.target()) {
            if found.document == page || found.via_redirect == Some(page) {
                f(document, link);
            }
        }
    });
}

/// Calls `f` with every link whose anchor names `heading` of `page`, from other pages and from
/// the page itself.
pub fn for_each_link_to_heading(
    index: &Index,
    fresh: &Document,
    page: &Document,
    heading: &HeadingFact,
    mut f: impl FnMut(&Document, &LinkFact),
) {
    for_each_positioned_link_to_heading(index, fresh, page, heading, |document, link| f(document, link.fact));
}

/// [`for_each_link_to_heading`], each link with its positions.
fn for_each_positioned_link_to_heading(
    index: &Index,
    fresh: &Document,
    page: &Document,
    heading: &HeadingFact,
    mut f: impl FnMut(&Document, PositionedLink),
) {
    let names_heading = |link: &LinkFact| {
        link.anchor()
            .and_then(|anchor| resolve::anchor_heading(index, page, anchor))
            .is_some_and(|found| found.span == heading.span)
    };
    for_each_positioned_link_to_page(index, fresh, page.id, |document, link| {
        if names_heading(link.fact) {
            f(document, link);
        }
    });
    for link in positioned_links(page) {
        if link.fact.target() == LinkTarget::SameDocument && names_heading(link.fact) {
            f(page, link);
        }
    }
}

/// The symbols links to `page` are written with (its titles and paths, those of its redirects,
/// and their other-script spellings) and the documents holding such links.
fn names_and_candidates(index: &Index, fresh: &Document, page: DocumentId) -> (FxHashSet<Symbol>, Vec<DocumentId>) {
    let mut symbols: FxHashSet<Symbol> = FxHashSet::default();
    let mut candidates: Vec<DocumentId> = Vec::new();
    let mut aliases = vec![page];
    let mut seen_aliases: FxHashSet<DocumentId> = FxHashSet::default();
    seen_aliases.insert(page);
    while let Some(alias) = aliases.pop() {
        let Some(alias_document) = document_or_fresh(index, fresh, alias) else {
            continue;
        };
        // The same names the link graph counts by (one definition of "links to this page").
        let names = crate::graph::names_of(index, &alias_document);
        if let Some(title) = alias_document.title {
            if namespace_of_full_title(index.resolve_symbol(title)) == Namespace::Category {
                candidates.extend(index.members_of(title));
            }
        }
        for name in names {
            if !symbols.insert(name) {
                continue;
            }
            for linking in index.backlinks_of(name) {
                candidates.push(linking);
                let Some(linking_document) = index.document(linking) else {
                    continue;
                };
                if linking_document.is_redirect()
                    && seen_aliases.insert(linking)
                    && crate::graph::leads_to(index, &linking_document, page)
                {
                    aliases.push(linking);
                }
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    (symbols, candidates)
}

/// A link with its start and end (UTF-16 line/column), when the facts know them: the positions
/// are packed beside the links and can only be read in order, so they are read once per
/// document, as its links are walked.
#[derive(Clone, Copy)]
struct PositionedLink<'a> {
    fact: &'a LinkFact,
    utf16_range: Option<(Position, Position)>,
}

fn positioned_links(document: &Document) -> impl Iterator<Item = PositionedLink<'_>> {
    let mut positions = document.facts.link_positions.iter().fuse();
    document.facts.links.iter().map(move |fact| PositionedLink {
        fact,
        utf16_range: positions.next(),
    })
}

/// Calls `f` with every link of every candidate document, the fresh document standing in for
/// its indexed copy and always looked at (its new links may not be indexed yet).
fn for_each_candidate_link(
    index: &Index,
    fresh: &Document,
    mut candidates: Vec<DocumentId>,
    mut f: impl FnMut(&Document, PositionedLink),
) {
    candidates.retain(|&candidate| candidate != fresh.id);
    for link in positioned_links(fresh) {
        f(fresh, link);
    }
    for candidate in candidates {
        if let Some(document) = index.document(candidate) {
            for link in positioned_links(&document) {
                f(&document, link);
            }
        }
    }
}

/// The document with this id: the fresh copy when it is the one asked about.
pub(crate) fn document_or_fresh<'a>(index: &Index, fresh: &'a Document, id: DocumentId) -> Option<DocumentRef<'a>> {
    if id == fresh.id {
        return Some(DocumentRef::Fresh(fresh));
    }
    index.document(id).map(DocumentRef::Stored)
}

/// A document borrowed from the request or shared with the index.
pub(crate) enum DocumentRef<'a> {
    Fresh(&'a Document),
    Stored(std::sync::Arc<Document>),
}

impl std::ops::Deref for DocumentRef<'_> {
    type Target = Document;

    fn deref(&self) -> &Document {
        match self {
            DocumentRef::Fresh(document) => document,
            DocumentRef::Stored(document) => document,
        }
    }
}

fn reference(document: &Document, link: PositionedLink) -> Reference {
    Reference {
        path: document.path.to_string(),
        span: link.fact.span,
        utf16_range: link.utf16_range,
        is_declaration: false,
    }
}

fn declaration(document: &Document, span: Span) -> Reference {
    Reference {
        path: document.path.to_string(),
        span,
        utf16_range: None,
        is_declaration: true,
    }
}
