//! The link graph: which pages link to which, counted through the one resolver.
//!
//! # What counts as a link to a page
//! One definition, [`counted_links`], serves the whole-wiki graph ([`LinkGraph::build`], used by
//! `wikils check --orphans` and `wikils graph`) and the backlinks of one page
//! ([`page_backlinks`], used by the editor's code lens):
//! - Only page links count (`[[X]]`, `[[:Category:X]]`, `[x](../Page/X.md)`): a category
//!   membership, a template use or a link to the online wiki is not a link to a page.
//! - A link counts for the page it finally resolves to: through redirects and
//!   Traditional/Simplified folding, as [`crate::resolve`] decides. Ambiguous and broken links
//!   count for nothing.
//! - Redirect pages are aliases, not content: their own link to their target is not counted,
//!   and a link to a redirect counts for the page it leads to.
//! - A page linking to itself (`[[#Section]]`, or its own title) does not count.
//!
//! The graph's lists (orphans, dead ends, most linked) name *articles*: main-namespace pages
//! that are not redirects. Links from any other document (a category page's text, a template, a
//! file outside the layout's folders) still count as inbound links of the pages they reach.

use rayon::prelude::*;

use crate::facts::{HeadingFact, LinkKind, LinkTarget, Symbol};
use crate::index::{namespace_of_full_title, Document, DocumentId, Index, SymlinkTarget};
use crate::resolve::{self, Resolution};
use crate::title::Namespace;

/// Spellings tried per title when looking for links written in the other Chinese script.
const MAX_VARIANT_SPELLINGS: usize = 4096;

/// The pages one document links to, each with how many of its links lead there. Each distinct
/// target is resolved once. `wanted` picks which written targets to look at (all of them for the
/// whole graph, the few that may name one page for its backlinks).
pub fn counted_links(index: &Index, from: &Document, wanted: impl Fn(LinkTarget) -> bool) -> Vec<(DocumentId, u32)> {
    counted_links_resolved_by(from, wanted, |target| linked_page(index, from, target))
}

/// The page a written title or path leads to, through the resolver.
fn linked_page(index: &Index, from: &Document, target: LinkTarget) -> Option<DocumentId> {
    match resolve::resolve_target(index, from, target) {
        Resolution::Found(found) => Some(found.document),
        _ => None,
    }
}

/// Entries a worker's resolution cache holds before it starts over, bounding its memory.
const RESOLUTION_CACHE_LIMIT: usize = 1 << 20;

/// [`counted_links`] with the resolution supplied: the whole graph remembers what each written
/// target resolved to, as a title or path means the same page from every document.
fn counted_links_resolved_by(
    from: &Document,
    wanted: impl Fn(LinkTarget) -> bool,
    mut resolve: impl FnMut(LinkTarget) -> Option<DocumentId>,
) -> Vec<(DocumentId, u32)> {
    if from.is_redirect() {
        return Vec::new();
    }
    // Sorted and grouped rather than searched: a long page holds thousands of links.
    let mut targets: Vec<(bool, Symbol)> = from
        .facts
        .links
        .iter()
        .filter(|link| link.kind() == LinkKind::Page)
        .filter_map(|link| match link.target() {
            target @ LinkTarget::Title(symbol) if wanted(target) => Some((false, symbol)),
            target @ LinkTarget::Path(symbol) if wanted(target) => Some((true, symbol)),
            _ => None,
        })
        .collect();
    targets.sort_unstable();
    let mut pages: Vec<(DocumentId, u32)> = Vec::new();
    for group in targets.chunk_by(|a, b| a == b) {
        let (is_path, symbol) = group[0];
        let target = if is_path {
            LinkTarget::Path(symbol)
        } else {
            LinkTarget::Title(symbol)
        };
        let Some(page) = resolve(target) else {
            continue;
        };
        if page != from.id {
            pages.push((page, u32::try_from(group.len()).unwrap_or(u32::MAX)));
        }
    }
    // Several written targets may lead to one page (its title, a redirect, a variant).
    pages.sort_unstable_by_key(|&(page, _)| page);
    pages.dedup_by(|later, earlier| {
        let same_page = later.0 == earlier.0;
        if same_page {
            earlier.1 = earlier.1.saturating_add(later.1);
        }
        same_page
    });
    pages
}

/// Whether a document is an article: a main-namespace page that is not a redirect.
pub fn is_article(index: &Index, document: &Document) -> bool {
    !document.is_redirect()
        && document
            .title
            .is_some_and(|title| namespace_of_full_title(index.resolve_symbol(title)) == Namespace::Main)
}

/// The heading that titles a page: its first heading, when that is of level 1 (`# Title`,
/// `= Title =`). Findings and code lenses about the whole page sit there, or at the start of the
/// file when there is none.
pub fn title_heading(document: &Document) -> Option<&HeadingFact> {
    document.facts.headings.first().filter(|heading| heading.level == 1)
}

/// The links into one page and out of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// Distinct documents linking to the page.
    pub linking_pages: u32,
    /// Links to the page, all of them (a document linking twice counts twice).
    pub inbound_links: u32,
    /// Distinct other pages the page links to.
    pub linked_pages: u32,
}

/// The link graph of a whole index.
pub struct LinkGraph {
    /// Every document, sorted by path, with its counts.
    pages: Vec<(std::sync::Arc<Document>, PageLinks)>,
}

impl LinkGraph {
    /// Resolves every link of every document once, in parallel.
    pub fn build(index: &Index) -> LinkGraph {
        let mut documents = index.documents();
        documents.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let outgoing: Vec<Vec<(DocumentId, u32)>> = documents
            .par_iter()
            .map_init(rustc_hash::FxHashMap::default, |cache, document| {
                if cache.len() >= RESOLUTION_CACHE_LIMIT {
                    cache.clear();
                }
                let resolve = |target: LinkTarget| {
                    let key = match target {
                        LinkTarget::Title(symbol) => (false, symbol),
                        LinkTarget::Path(symbol) => (true, symbol),
                        LinkTarget::SameDocument | LinkTarget::None => return None,
                    };
                    *cache.entry(key).or_insert_with(|| linked_page(index, document, target))
                };
                counted_links_resolved_by(document, |_| true, resolve)
            })
            .collect();
        let slots = documents
            .iter()
            .map(|document| document.id.0 as usize + 1)
            .max()
            .unwrap_or(0);
        // Document ids are dense (handed out by a counter), so a vector indexed by id is the map.
        let mut position_of_id = vec![usize::MAX; slots];
        for (position, document) in documents.iter().enumerate() {
            position_of_id[document.id.0 as usize] = position;
        }
        let mut counts = vec![PageLinks::default(); documents.len()];
        for (position, pages) in outgoing.iter().enumerate() {
            counts[position].linked_pages = u32::try_from(pages.len()).unwrap_or(u32::MAX);
            for &(target, links) in pages {
                let Some(&target_position) = position_of_id.get(target.0 as usize) else {
                    continue;
                };
                if let Some(target_counts) = counts.get_mut(target_position) {
                    target_counts.linking_pages += 1;
                    target_counts.inbound_links = target_counts.inbound_links.saturating_add(links);
                }
            }
        }
        LinkGraph {
            pages: documents.into_iter().zip(counts).collect(),
        }
    }

    /// Every document with its counts, sorted by path.
    pub fn pages(&self) -> impl Iterator<Item = (&Document, PageLinks)> {
        self.pages.iter().map(|(document, links)| (&**document, *links))
    }

    /// The counts of one document.
    pub fn links_of(&self, path: &str) -> Option<PageLinks> {
        self.pages
            .binary_search_by(|(document, _)| (*document.path).cmp(path))
            .ok()
            .map(|position| self.pages[position].1)
    }
}

/// An article nothing links to.
pub fn is_orphan(index: &Index, document: &Document, links: PageLinks) -> bool {
    links.linking_pages == 0 && is_article(index, document)
}

/// An article that links to no other page.
pub fn is_dead_end(index: &Index, document: &Document, links: PageLinks) -> bool {
    links.linked_pages == 0 && is_article(index, document)
}

/// The documents linking to one page, and how many links they hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backlinks {
    /// Sorted by id.
    pub documents: Vec<DocumentId>,
    pub links: u32,
}

/// The backlinks of one page, as [`LinkGraph::build`] counts them, without building the graph:
/// the index's backlink map gives the documents that write a title or path that may lead to the
/// page (its own, its redirects', and their Traditional/Simplified spellings), and the resolver
/// confirms each of their links.
pub fn page_backlinks(index: &Index, page: &Document) -> Backlinks {
    if page.is_redirect() {
        return Backlinks::default();
    }
    let mut names = names_of(index, page);
    let mut seen: rustc_hash::FxHashSet<DocumentId> = std::iter::once(page.id).collect();
    let mut candidates: Vec<DocumentId> = Vec::new();
    let mut next_name = 0;
    while let Some(&name) = names.get(next_name) {
        next_name += 1;
        for linking in index.backlinks(name) {
            if !seen.insert(linking) {
                continue;
            }
            let Some(linking_document) = index.document(linking) else {
                continue;
            };
            if !linking_document.is_redirect() {
                candidates.push(linking);
            } else if leads_to(index, &linking_document, page.id) {
                names.extend(names_of(index, &linking_document));
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    let wanted = |target: LinkTarget| match target {
        LinkTarget::Title(symbol) | LinkTarget::Path(symbol) => names.binary_search(&symbol).is_ok(),
        LinkTarget::SameDocument | LinkTarget::None => false,
    };
    let mut backlinks = Backlinks::default();
    candidates.sort_unstable();
    for candidate in candidates {
        let Some(document) = index.document(candidate) else {
            continue;
        };
        let links: u32 = counted_links(index, &document, wanted)
            .into_iter()
            .filter(|&(target, _)| target == page.id)
            .map(|(_, links)| links)
            .sum();
        if links > 0 {
            backlinks.documents.push(candidate);
            backlinks.links = backlinks.links.saturating_add(links);
        }
    }
    backlinks
}

/// Whether a redirect document finally leads to `page`.
pub(crate) fn leads_to(index: &Index, redirect: &Document, page: DocumentId) -> bool {
    let target = match (redirect.symlink.as_deref(), redirect.redirect) {
        (Some(SymlinkTarget::Target(target)), _) => *target,
        (None, Some(target)) => target,
        _ => return false,
    };
    matches!(resolve::resolve_target(index, redirect, target), Resolution::Found(found) if found.document == page)
}

/// The symbols a link may be written with to name this document: its path, its title and the
/// title's Traditional/Simplified spellings, and in tree layouts `folder/Title` suffixes of
/// its path. Only symbols the interner already holds can be link targets.
pub(crate) fn names_of(index: &Index, document: &Document) -> Vec<Symbol> {
    let mut names = vec![document.path_symbol];
    let Some(title) = document.title else {
        return names;
    };
    names.push(title);
    let title_text = index.resolve_symbol(title);
    if index.folded_key(title_text).is_some() {
        let spellings = crate::title::spellings_folding_like(title_text, MAX_VARIANT_SPELLINGS).unwrap_or_default();
        names.extend(spellings.iter().filter_map(|spelling| index.interner.get(spelling)));
    }
    if index.settings.layout == crate::layout::Layout::Tree {
        let stem = crate::layout::strip_wiki_extension(&document.path).unwrap_or(&document.path);
        let rules = &index.settings.rules;
        let mut suffix_start = 0;
        while let Some(slash) = stem[suffix_start..].find('/') {
            let suffix = &stem[suffix_start..];
            if let crate::title::TitleTarget::Page(title) = crate::title::parse_title(suffix, rules) {
                names.extend(index.interner.get(title.full()));
            }
            suffix_start += slash + 1;
        }
    }
    names
}

#[cfg(test)]
mod tests;
