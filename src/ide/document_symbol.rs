//! Document symbols: the heading tree of one document, each heading owning its section (up to
//! the next heading of the same or a higher level).

use crate::syntax::{self, Flavor, ParseOptions, Span};

/// One heading and the headings below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionSymbol {
    /// The heading as a reader sees it.
    pub name: String,
    pub level: u8,
    /// The whole section: the heading line to the end of its last non-blank content.
    pub span: Span,
    /// The heading's text.
    pub selection_span: Span,
    pub children: Vec<SectionSymbol>,
}

/// Shown for a heading without text: editors refuse symbols with empty names.
const UNTITLED: &str = "(untitled)";

/// The heading tree of `text`, in document order. Headings are parsed from the text itself, so
/// an open document's unsaved edits are reflected.
pub fn document_symbols(text: &str, flavor: Flavor) -> Vec<SectionSymbol> {
    let headings = syntax::parse(text, &ParseOptions::new(flavor)).headings;
    let section_end = |index: usize| {
        let level = headings[index].level;
        let next = headings[index + 1..]
            .iter()
            .find(|heading| heading.level <= level)
            .map_or(text.len(), |heading| heading.span.start as usize);
        let start = headings[index].span.start as usize;
        // The section holds its heading line whole, trailing spaces included: editors require
        // the selection range to lie inside the range.
        let content_end = start + text.get(start..next).map_or(0, |section| section.trim_end().len());
        content_end.max(headings[index].span.end as usize)
    };
    // `open` holds the path from the root to the current heading; a heading closes every open
    // heading of the same or a deeper level and becomes a child of the one left on top.
    let mut roots: Vec<SectionSymbol> = Vec::new();
    let mut open: Vec<SectionSymbol> = Vec::new();
    for (index, heading) in headings.iter().enumerate() {
        while open.last().is_some_and(|last| last.level >= heading.level) {
            close_innermost(&mut open, &mut roots);
        }
        let selection_span = if heading.text_span.start < heading.text_span.end {
            heading.text_span
        } else {
            heading.span
        };
        open.push(SectionSymbol {
            name: if heading.text.is_empty() {
                UNTITLED.to_string()
            } else {
                heading.text.clone()
            },
            level: heading.level,
            span: Span::new(heading.span.start as usize, section_end(index)),
            selection_span,
            children: Vec::new(),
        });
    }
    while !open.is_empty() {
        close_innermost(&mut open, &mut roots);
    }
    roots
}

fn close_innermost(open: &mut Vec<SectionSymbol>, roots: &mut Vec<SectionSymbol>) {
    if let Some(closed) = open.pop() {
        match open.last_mut() {
            Some(parent) => parent.children.push(closed),
            None => roots.push(closed),
        }
    }
}
