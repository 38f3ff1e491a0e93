//! Go to definition: from the link under the cursor to the page it names (through redirects),
//! the heading its anchor names, its category page or its template page.

use crate::facts::{LinkFact, LinkKind};
use crate::index::{Document, DocumentId, Index};
use crate::resolve::{self, Resolution};
use crate::syntax::Span;

/// Where a link leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// The whole link under the cursor, in the origin document.
    pub origin_span: Span,
    /// The target document, root-relative.
    pub target_path: String,
    /// The heading the anchor names, or `0..0` (the top of the page).
    pub target_span: Span,
}

/// The targets of the link at `offset`: one page, several when the link is ambiguous, none when
/// the cursor is on no link or the link leads nowhere.
///
/// `document` is the origin document with facts of the text `offset` refers to; it may be a
/// fresher copy than the index holds, and is then preferred for links to itself.
pub fn definitions(index: &Index, document: &Document, offset: usize) -> Vec<Definition> {
    let Some(link) = link_at(document, offset) else {
        return Vec::new();
    };
    match link.kind() {
        LinkKind::Page
        | LinkKind::Template
        | LinkKind::Redirect
        | LinkKind::CategoryMembership
        | LinkKind::OnlinePage => {}
        LinkKind::Media | LinkKind::Interwiki | LinkKind::OutsideRoot => return Vec::new(),
    }
    let targets = match resolve::resolve_target(index, document, link.target()) {
        Resolution::Found(found) => vec![found.document],
        Resolution::Ambiguous(candidates) => candidates,
        Resolution::Missing | Resolution::BrokenRedirect { .. } => Vec::new(),
    };
    targets
        .into_iter()
        .filter_map(|target| definition_in(index, document, link, target))
        .collect()
}

/// The innermost link containing `offset`; a link ending exactly at the cursor counts, so that
/// the cursor right after `]]` still finds it.
pub(crate) fn link_at(document: &Document, offset: usize) -> Option<&LinkFact> {
    let inside = |link: &&LinkFact| link.span.start as usize <= offset && offset < link.span.end as usize;
    let innermost = |link: &&LinkFact| link.span.end - link.span.start;
    document
        .facts
        .links
        .iter()
        .filter(inside)
        .min_by_key(innermost)
        .or_else(|| {
            document
                .facts
                .links
                .iter()
                .filter(|link| link.span.end as usize == offset)
                .min_by_key(innermost)
        })
}

fn definition_in(index: &Index, origin: &Document, link: &LinkFact, target: DocumentId) -> Option<Definition> {
    let stored;
    let target_document = if target == origin.id {
        origin
    } else {
        stored = index.document(target)?;
        &stored
    };
    let target_span = link
        .anchor()
        .and_then(|anchor| resolve::anchor_heading(index, target_document, anchor))
        .map(|heading| heading.span)
        .unwrap_or_default();
    Some(Definition {
        origin_span: link.span,
        target_path: target_document.path.to_string(),
        target_span,
    })
}
