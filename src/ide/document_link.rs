//! Document links: every internal link that leads somewhere, with the file it opens and the
//! line of the heading its anchor names. Broken and ambiguous links get none (diagnostics
//! explain them); links to the online wiki keep the editor's own URL handling.

use crate::facts::{LinkKind, LinkTarget};
use crate::index::{Document, Index};
use crate::resolve::{self, Resolution};
use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentLinkTarget {
    /// The whole link in the document.
    pub span: Span,
    /// The target document, root-relative.
    pub target_path: String,
    /// The line (0-based) of the heading the anchor names, when it has one that exists.
    pub target_line: Option<u32>,
    /// The target's title, or its path when it has none.
    pub tooltip: String,
}

/// The links of `document` that resolve to exactly one document, in document order.
///
/// Resolution is a few hash lookups per link, so every link is resolved now rather than
/// through `documentLink/resolve`, which would cost the editor a round trip per link.
pub fn document_links(index: &Index, document: &Document) -> Vec<DocumentLinkTarget> {
    document
        .facts
        .links
        .iter()
        .filter(|link| {
            matches!(
                link.kind(),
                LinkKind::Page | LinkKind::Template | LinkKind::Redirect | LinkKind::CategoryMembership
            )
        })
        .filter_map(|link| {
            let Resolution::Found(found) = resolve::resolve_target(index, document, link.target()) else {
                return None;
            };
            let stored;
            let target = if link.target() == LinkTarget::SameDocument || found.document == document.id {
                document
            } else {
                stored = index.document(found.document)?;
                &stored
            };
            let target_line = link
                .anchor()
                .and_then(|anchor| resolve::anchor_heading(index, target, anchor))
                .map(|heading| heading.start.line);
            let tooltip = match target.title {
                Some(title) => index.resolve_symbol(title).to_string(),
                None => target.path.to_string(),
            };
            Some(DocumentLinkTarget {
                span: link.span,
                target_path: target.path.to_string(),
                target_line,
                tooltip,
            })
        })
        .collect()
}
