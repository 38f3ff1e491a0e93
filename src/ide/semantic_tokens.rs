//! Semantic tokens: links to pages, categories and templates, marked broken when they lead
//! nowhere. Tokens never overlap: a link nested in another (`{{Infobox|name=[[X]]}}`) splits
//! the outer token around it.

use crate::facts::{LinkFact, LinkKind, LinkTarget};
use crate::index::{namespace_of_full_title, Document, Index};
use crate::resolve::{self, Resolution};
use crate::syntax::Span;
use crate::title::Namespace;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Page,
    Category,
    Template,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: TokenKind,
    /// The link leads nowhere (a missing page, a broken redirect, a missing heading).
    pub broken: bool,
}

/// The tokens of `document` overlapping `within` (the whole document when `None`), in order
/// and disjoint. Tokens may span lines; the protocol edge splits them.
pub fn semantic_tokens(index: &Index, document: &Document, within: Option<Span>) -> Vec<SemanticToken> {
    let templates_exist = index.pages_in_namespace(Namespace::Template) > 0;
    let mut nested: Vec<SemanticToken> = document
        .facts
        .links
        .iter()
        .filter(|link| within.is_none_or(|within| link.span.start < within.end && within.start < link.span.end))
        .filter_map(|link| link_token(index, document, link, templates_exist))
        .collect();
    nested.sort_by_key(|token| (token.span.start, std::cmp::Reverse(token.span.end)));
    flatten(nested)
}

fn link_token(index: &Index, document: &Document, link: &LinkFact, templates_exist: bool) -> Option<SemanticToken> {
    let token = |kind, broken| {
        Some(SemanticToken {
            span: link.span,
            kind,
            broken,
        })
    };
    let is_category = match link.target() {
        LinkTarget::Title(title) => namespace_of_full_title(index.resolve_symbol(title)) == Namespace::Category,
        _ => false,
    };
    match link.kind() {
        LinkKind::Media | LinkKind::Interwiki => None,
        LinkKind::OutsideRoot => token(TokenKind::Page, true),
        // Categories need no page of their own to have members.
        LinkKind::CategoryMembership => token(TokenKind::Category, false),
        _ if is_category => token(TokenKind::Category, false),
        LinkKind::OnlinePage => match resolve::resolve_target(index, document, link.target()) {
            Resolution::Found(_) | Resolution::Ambiguous(_) => token(TokenKind::Page, false),
            Resolution::Missing | Resolution::BrokenRedirect { .. } => None,
        },
        LinkKind::Page | LinkKind::Redirect | LinkKind::Template => {
            let kind = if link.kind() == LinkKind::Template {
                TokenKind::Template
            } else {
                TokenKind::Page
            };
            let broken = match resolve::resolve_target(index, document, link.target()) {
                Resolution::Found(found) => link.anchor().is_some_and(|anchor| {
                    let target = if found.document == document.id {
                        None
                    } else {
                        index.document(found.document)
                    };
                    !resolve::has_anchor(index, target.as_deref().unwrap_or(document), anchor)
                }),
                Resolution::Ambiguous(_) => false,
                // As in diagnostics: without any template page, a missing one says nothing.
                Resolution::Missing if kind == TokenKind::Template => templates_exist,
                Resolution::Missing | Resolution::BrokenRedirect { .. } => true,
            };
            token(kind, broken)
        }
    }
}

/// Turns tokens sorted by start (outer before inner) into disjoint pieces: an inner token
/// takes its span out of the outer one.
fn flatten(sorted: Vec<SemanticToken>) -> Vec<SemanticToken> {
    let mut pieces = Vec::with_capacity(sorted.len());
    let mut open: Vec<SemanticToken> = Vec::new();
    let mut position = 0u32;
    let piece = |pieces: &mut Vec<SemanticToken>, token: SemanticToken, from: u32, to: u32| {
        let start = from.max(token.span.start);
        if start < to {
            pieces.push(SemanticToken {
                span: Span { start, end: to },
                ..token
            });
        }
    };
    for mut token in sorted {
        while let Some(&top) = open.last() {
            if top.span.end > token.span.start {
                break;
            }
            piece(&mut pieces, top, position, top.span.end);
            position = position.max(top.span.end);
            open.pop();
        }
        if let Some(&top) = open.last() {
            piece(&mut pieces, top, position, token.span.start);
            // Links never cross, but a token must not outlive the one containing it.
            token.span.end = token.span.end.min(top.span.end);
        }
        position = position.max(token.span.start);
        open.push(token);
    }
    while let Some(top) = open.pop() {
        piece(&mut pieces, top, position, top.span.end);
        position = position.max(top.span.end);
    }
    pieces
}
