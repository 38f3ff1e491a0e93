//! The checks behind the fuzz targets (`fuzz/`) and their seeded twins under `cargo test`: one
//! function per target, taking arbitrary bytes and panicking on any broken invariant.
//!
//! Both callers run exactly this code, so a crash found by a long fuzzing run reproduces as a
//! unit test by feeding it the same bytes. Not part of the API.

use crate::facts::DocumentFacts;
use crate::index::{Index, IndexSettings};
use crate::layout::Layout;
use crate::syntax::{self, Flavor, ParseOptions, Parsed, Span};
use crate::text::{Encoding, LineIndex, Position};
use crate::title::TitleRules;

#[doc(hidden)]
pub use crate::text::fuzzing::check_positions;

/// Any bytes, read as lossy UTF-8, parsed in both flavors and turned into facts: never panics,
/// every span lies within the text on character boundaries, lists come in document order, and
/// parsing or building facts twice gives the same result.
#[doc(hidden)]
pub fn check_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // The first byte picks the layout, so both ways of classifying links get exercised.
    let layout = match data.first() {
        Some(byte) if byte & 1 == 1 => Layout::Tree,
        _ => Layout::Export,
    };
    check_parse_text(&text, layout);
}

/// [`check_parse`] on text.
#[doc(hidden)]
pub fn check_parse_text(text: &str, layout: Layout) {
    for flavor in [Flavor::Markdown, Flavor::Wikitext] {
        let options = ParseOptions::new(flavor);
        let parsed = syntax::parse(text, &options);
        assert_parsed_well_formed(text, &parsed);
        assert_eq!(
            parsed,
            syntax::parse(text, &options),
            "parsing is not deterministic: {text:?}"
        );
    }
    let index = Index::new(IndexSettings {
        layout,
        rules: TitleRules::default(),
        variant_folding: true,
        wiki_base_urls: Vec::new(),
    });
    for (path, flavor) in [("Page/模糊.md", Flavor::Markdown), ("模糊.wiki", Flavor::Wikitext)] {
        let facts = index.facts_for_text(path, flavor, text);
        assert_facts_well_formed(text, &facts);
        assert_eq!(
            facts,
            index.facts_for_text(path, flavor, text),
            "facts are not deterministic: {text:?}"
        );
    }
}

fn assert_span_ok(text: &str, span: Span) {
    let range = span.range();
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{span:?} out of {text:?}"
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{span:?} not on character boundaries in {text:?}"
    );
}

/// Spans within the text and on character boundaries, nested as documented, in document order.
#[doc(hidden)]
pub fn assert_parsed_well_formed(text: &str, parsed: &Parsed) {
    for link in &parsed.links {
        let spans = [Some(link.span), link.label, Some(link.target_span), link.anchor_span];
        spans.into_iter().flatten().for_each(|span| assert_span_ok(text, span));
        assert!(
            link.span.start <= link.target_span.start && link.target_span.end <= link.span.end,
            "target outside its link: {link:?} in {text:?}"
        );
    }
    for heading in &parsed.headings {
        assert_span_ok(text, heading.span);
        assert_span_ok(text, heading.text_span);
    }
    parsed
        .problems
        .iter()
        .for_each(|problem| assert_span_ok(text, problem.span));
    parsed
        .variant_blocks
        .iter()
        .for_each(|&span| assert_span_ok(text, span));
    assert!(
        parsed
            .links
            .windows(2)
            .all(|pair| pair[0].span.start <= pair[1].span.start),
        "links out of order in {text:?}"
    );
    assert!(
        parsed
            .headings
            .windows(2)
            .all(|pair| pair[0].span.start < pair[1].span.start),
        "headings out of order in {text:?}"
    );
    assert!(
        parsed
            .problems
            .windows(2)
            .all(|pair| pair[0].span.start <= pair[1].span.start),
        "problems out of order in {text:?}"
    );
}

/// Facts' spans are well formed and their stored UTF-16 positions are those of their spans.
fn assert_facts_well_formed(text: &str, facts: &DocumentFacts) {
    let lines = LineIndex::new(text);
    let position = |offset: u32| -> Position { lines.position(text, offset as usize, Encoding::Utf16) };
    assert_eq!(
        facts.links_with_positions().count(),
        facts.links.len(),
        "a position per link"
    );
    for (link, start, end) in facts.links_with_positions() {
        assert_span_ok(text, link.span);
        assert_eq!(
            (start, end),
            (position(link.span.start), position(link.span.end)),
            "link positions of {:?} in {text:?}",
            link.span
        );
    }
    for heading in &facts.headings {
        assert_span_ok(text, heading.span);
        assert_eq!(heading.start, position(heading.span.start), "heading in {text:?}");
    }
    for problem in &facts.problems {
        assert_span_ok(text, problem.span);
        assert_eq!(
            (problem.start, problem.end),
            (position(problem.span.start), position(problem.span.end)),
            "problem positions in {text:?}"
        );
    }
}
