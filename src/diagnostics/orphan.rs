//! `orphan-page`: an article no other page links to, as the link graph ([`crate::graph`]) counts.

use super::{Code, Finding};
use crate::config::Config;
use crate::graph;
use crate::index::{Document, Index};
use crate::syntax::Span;
use crate::text::Position;

/// The finding for an orphan article, at its title heading (or the start of the file), when the
/// rule is on. `links` are the page's counts in the link graph.
pub fn orphan_finding(index: &Index, document: &Document, links: graph::PageLinks, config: &Config) -> Option<Finding> {
    let severity = config.severity(Code::OrphanPage)?;
    if !graph::is_orphan(index, document, links) {
        return None;
    }
    let (span, start) = match graph::title_heading(document) {
        Some(heading) => (heading.span, heading.start),
        None => (Span::default(), Position::default()),
    };
    let title = document
        .title
        .map(|title| index.resolve_symbol(title).to_string())
        .unwrap_or_default();
    Some(Finding {
        code: Code::OrphanPage,
        severity,
        span,
        start,
        end: start,
        message: format!("orphan page: no other page links to `{title}`"),
        related: Vec::new(),
        suggestion: None,
    })
}
