//! Link resolution: the one module that decides what a link points at.
//!
//! A title is looked up exactly; a redirect (an export's `Redirect/` symlink or a `#REDIRECT`
//! page) is followed to its final page; failing that, when variant folding is on, a title that
//! exists only in the other Chinese script is found through its folded form. In tree layouts a
//! `[[dir/Name]]` target matches the page whose path ends with it.

use crate::facts::{HeadingFact, LinkTarget, Symbol};
use crate::index::{Document, DocumentId, Index, SymlinkTarget};

/// Redirect chains longer than this are reported as loops.
const MAX_REDIRECT_HOPS: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Found(Found),
    /// Nothing by that title or path.
    Missing,
    /// Several pages match; none is preferred.
    Ambiguous(Vec<DocumentId>),
    /// A redirect on the way is broken: its document and why.
    BrokenRedirect {
        redirect: DocumentId,
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The final page.
    pub document: DocumentId,
    /// The first redirect followed, if any.
    pub via_redirect: Option<DocumentId>,
    /// The existing title matched by Traditional/Simplified folding, if the written one
    /// did not exist.
    pub via_variant: Option<Symbol>,
}

/// Resolves a link target as seen from the document `from`.
pub fn resolve_target(index: &Index, from: &Document, target: LinkTarget) -> Resolution {
    match target {
        LinkTarget::SameDocument => Resolution::Found(Found {
            document: from.id,
            via_redirect: None,
            via_variant: None,
        }),
        LinkTarget::None => Resolution::Missing,
        LinkTarget::Title(title) => resolve_title(index, title),
        LinkTarget::Path(path) => match index.document_id_by_path_symbol(path) {
            Some(document) => follow_redirects(index, document, None),
            None => Resolution::Missing,
        },
    }
}

/// Resolves a normalised full title.
pub fn resolve_title(index: &Index, title: Symbol) -> Resolution {
    match find_title(index, title) {
        TitleMatch::One(document) => follow_redirects(index, document, None),
        TitleMatch::Several(documents) => Resolution::Ambiguous(documents),
        TitleMatch::None => resolve_by_variant(index, title),
    }
}

enum TitleMatch {
    One(DocumentId),
    Several(Vec<DocumentId>),
    None,
}

/// The documents defining exactly this title. A real page wins over an alias of the same name.
fn find_title(index: &Index, title: Symbol) -> TitleMatch {
    let mut documents = match index.with_documents_titled(title, |documents| match documents {
        [] => None,
        [only] => Some(Ok(*only)),
        several => Some(Err(several.to_vec())),
    }) {
        Some(Ok(only)) => return TitleMatch::One(only),
        Some(Err(several)) => several,
        None => documents_by_path_suffix(index, title),
    };
    // Ids follow the order a parallel load happened to insert documents in; paths are the same
    // on every run, so which alias wins and the order of candidates never change.
    documents.sort_by_cached_key(|&id| index.document(id).map(|document| document.path.clone()));
    match documents.len() {
        0 => TitleMatch::None,
        1 => TitleMatch::One(documents[0]),
        _ => {
            let pages: Vec<DocumentId> = documents
                .iter()
                .copied()
                .filter(|&id| index.document(id).is_some_and(|document| !document.is_redirect()))
                .collect();
            match pages.len() {
                1 => TitleMatch::One(pages[0]),
                0 => TitleMatch::One(documents[0]),
                _ => TitleMatch::Several(pages),
            }
        }
    }
}

/// Tree layouts: `[[folder/Name]]` names the page `Name` whose path ends with `folder/Name`.
fn documents_by_path_suffix(index: &Index, title: Symbol) -> Vec<DocumentId> {
    if index.settings.layout != crate::layout::Layout::Tree {
        return Vec::new();
    }
    let title_text = index.resolve_symbol(title);
    let Some((_, last)) = title_text.rsplit_once('/') else {
        return Vec::new();
    };
    let rules = &index.settings.rules;
    let last = crate::title::normalize_name(last, rules);
    let Some(last_symbol) = index.interner.get(&last) else {
        return Vec::new();
    };
    let wanted = crate::title::normalize_name(title_text, rules);
    index
        .documents_titled(last_symbol)
        .into_iter()
        .filter(|&id| {
            index.document(id).is_some_and(|document| {
                let stem = crate::layout::strip_wiki_extension(&document.path).unwrap_or(&document.path);
                let stem = crate::title::normalize_name(stem, rules);
                stem == wanted || stem.ends_with(&format!("/{wanted}"))
            })
        })
        .collect()
}

fn resolve_by_variant(index: &Index, title: Symbol) -> Resolution {
    match variant_match(index, title) {
        VariantMatch::None => Resolution::Missing,
        VariantMatch::One(document, spelling) => follow_redirects(index, document, Some(spelling)),
        VariantMatch::Several(documents) => Resolution::Ambiguous(documents),
    }
}

enum VariantMatch {
    None,
    /// The one document defining the one other spelling that exists, and that spelling.
    One(DocumentId, Symbol),
    Several(Vec<DocumentId>),
}

/// The pages spelled like `title` in the other Chinese script, without following redirects
/// (the caller follows them, so a redirect whose own title is a variant of its missing target
/// is seen as the loop it is).
fn variant_match(index: &Index, title: Symbol) -> VariantMatch {
    let candidates: Vec<Symbol> = index
        .titles_folding_like(index.resolve_symbol(title))
        .into_iter()
        .filter(|&candidate| candidate != title)
        .collect();
    match candidates.as_slice() {
        [] => VariantMatch::None,
        [only] => match find_title(index, *only) {
            TitleMatch::One(document) => VariantMatch::One(document, *only),
            TitleMatch::Several(documents) => VariantMatch::Several(documents),
            TitleMatch::None => VariantMatch::None,
        },
        several => {
            let mut documents: Vec<DocumentId> = several
                .iter()
                .flat_map(|&candidate| index.documents_titled(candidate))
                .collect();
            documents.sort_by_cached_key(|&id| index.document(id).map(|document| document.path.clone()));
            VariantMatch::Several(documents)
        }
    }
}

/// Follows redirects from `start` to the final page, detecting loops and broken links.
fn follow_redirects(index: &Index, start: DocumentId, via_variant: Option<Symbol>) -> Resolution {
    let mut current = start;
    let mut via_redirect = None;
    let mut seen = vec![start];
    loop {
        let Some(document) = index.document(current) else {
            return Resolution::Missing;
        };
        let next_target = match (document.symlink.as_deref(), document.redirect) {
            (Some(SymlinkTarget::Broken(reason)), _) => {
                return Resolution::BrokenRedirect {
                    redirect: current,
                    reason: reason.clone(),
                }
            }
            (Some(SymlinkTarget::Target(target)), _) => *target,
            (None, Some(redirect)) => redirect,
            (None, None) => {
                return Resolution::Found(Found {
                    document: current,
                    via_redirect,
                    via_variant,
                });
            }
        };
        via_redirect.get_or_insert(current);
        let next = match next_target {
            LinkTarget::Title(title) => match find_title(index, title) {
                TitleMatch::One(next) => Some(next),
                // Followed by this loop, so a chain through variants is checked for loops too.
                _ => match variant_match(index, title) {
                    VariantMatch::One(next, _) => Some(next),
                    _ => None,
                },
            },
            LinkTarget::Path(path) => index.document_id_by_path_symbol(path),
            LinkTarget::SameDocument | LinkTarget::None => None,
        };
        let Some(next) = next else {
            let reason = format!("its target `{}` does not exist", describe_target(index, next_target));
            return Resolution::BrokenRedirect {
                redirect: current,
                reason,
            };
        };
        if seen.contains(&next) || seen.len() > MAX_REDIRECT_HOPS {
            return Resolution::BrokenRedirect {
                redirect: current,
                reason: "redirect loop".to_string(),
            };
        }
        seen.push(next);
        current = next;
    }
}

/// A target as a user would write it: the title, or the path.
pub fn describe_target(index: &Index, target: LinkTarget) -> String {
    match target {
        LinkTarget::Title(symbol) | LinkTarget::Path(symbol) => index.resolve_symbol(symbol).to_string(),
        LinkTarget::SameDocument => "this page".to_string(),
        LinkTarget::None => "nothing".to_string(),
    }
}

/// Whether a page has a heading with this anchor key, by MediaWiki key, GitHub slug, or (when
/// folding is on) the folded MediaWiki key.
pub fn has_anchor(index: &Index, document: &Document, anchor: Symbol) -> bool {
    anchor_heading(index, document, anchor).is_some()
}

/// The heading an anchor key names on a page, matched as [`has_anchor`] says.
pub fn anchor_heading<'document>(
    index: &Index,
    document: &'document Document,
    anchor: Symbol,
) -> Option<&'document HeadingFact> {
    let headings = &document.facts.headings;
    if let Some(heading) = headings
        .iter()
        .find(|heading| heading.anchor == anchor || heading.slug == anchor)
    {
        return Some(heading);
    }
    let anchor_text = index.resolve_symbol(anchor);
    let folded = index.folded_key(anchor_text)?;
    headings
        .iter()
        .find(|heading| index.folded_key(index.resolve_symbol(heading.anchor)).as_deref() == Some(folded.as_str()))
}
