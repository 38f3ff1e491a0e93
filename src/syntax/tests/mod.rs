//! Tests of the wiki syntax parser, in a compact fixture style: each link is rendered back as
//! `Syntax target=… anchor=… label=… @line:col-line:col` (0-based lines, UTF-16 columns).

mod corpus;
mod digests;
mod headings;
mod markdown;
mod masks;
mod random;
mod wikitext;

use super::{parse, Flavor, Link, ParseOptions, Parsed, Span};

/// LSP-style position of a byte offset: 0-based line and UTF-16 column.
pub(super) fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].encode_utf16().count();
    (line, column)
}

pub(super) fn render_span(text: &str, span: Span) -> String {
    let (l1, c1) = position(text, span.start as usize);
    let (l2, c2) = position(text, span.end as usize);
    format!("@{l1}:{c1}-{l2}:{c2}")
}

pub(super) fn render_link(text: &str, link: &Link) -> String {
    let mut out = format!("{:?} target={}", link.syntax, link.target(text));
    if let Some(anchor) = link.anchor(text) {
        out.push_str(&format!(" anchor={anchor}"));
    }
    if let Some(label) = link.label {
        out.push_str(&format!(" label={}", &text[label.range()]));
    }
    if link.leading_colon {
        out.push_str(" colon");
    }
    out.push(' ');
    out.push_str(&render_span(text, link.span));
    out
}

pub(super) fn parse_as(flavor: Flavor, text: &str) -> Parsed {
    parse(text, &ParseOptions::new(flavor))
}

pub(super) fn render_links(text: &str, parsed: &Parsed) -> String {
    parsed
        .links
        .iter()
        .map(|l| render_link(text, l))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn render_problems(text: &str, parsed: &Parsed) -> String {
    let problems = parsed.problems.iter();
    problems
        .map(|p| format!("{:?} {}", p.kind, render_span(text, p.span)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Strips the common indentation of an expected block so fixtures can be indented.
pub(super) fn expected(block: &str) -> String {
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn check_md(text: &str, expect: &str) {
    check_flavor(Flavor::Markdown, text, expect);
}

pub(super) fn check_wiki(text: &str, expect: &str) {
    check_flavor(Flavor::Wikitext, text, expect);
}

pub(super) fn check_flavor(flavor: Flavor, text: &str, expect: &str) {
    let parsed = parse_as(flavor, text);
    assert_eq!(render_links(text, &parsed), expected(expect), "links of {text:?}");
}

pub(super) fn check_problems(flavor: Flavor, text: &str, expect: &str) {
    let parsed = parse_as(flavor, text);
    assert_eq!(render_problems(text, &parsed), expected(expect), "problems of {text:?}");
}
