//! Headings: ATX (`## x`) and setext (`x` over `===`/`---`) in Markdown, `== x ==` everywhere.
//!
//! Lines are classified one at a time, remembering just enough of the previous lines to know
//! whether a `---` underlines a paragraph or is a thematic break.

use super::heading_text::visible_text;
use super::mask::{Mask, MaskKind};
use super::{Flavor, Heading, Link, Span};
use memchr::memchr;

/// What the lines before the current one were, as far as setext headings care.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Previous {
    Paragraph { start: usize, end: usize },
    ListItem,
    Other,
}

struct Line {
    start: usize,
    /// End without the line ending.
    end: usize,
}

pub(crate) fn collect_headings(text: &str, mask: &Mask, flavor: Flavor, links: &[Link]) -> Vec<Heading> {
    let bytes = text.as_bytes();
    let markdown = flavor == Flavor::Markdown;
    let mut headings = Vec::new();
    let mut previous = Previous::Other;
    let mut line_start = 0;
    while line_start < bytes.len() {
        let newline = memchr(b'\n', bytes.get(line_start..).unwrap_or(&[])).map(|i| line_start + i);
        let next_start = newline.map_or(bytes.len(), |n| n + 1);
        let mut end = newline.unwrap_or(bytes.len());
        if end > line_start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        let line = Line { start: line_start, end };
        line_start = next_start;
        if mask
            .range_at(line.start)
            .is_some_and(|r| r.start < line.start || r.end > line.end)
        {
            previous = Previous::Other;
            continue;
        }
        let found = if markdown {
            markdown_line(text, mask, &line, &mut previous)
        } else {
            wikitext_heading(text, mask, &line, false)
        };
        if let Some((level, span, text_span)) = found {
            let visible = visible_text(text, text_span, mask, flavor, links);
            headings.push(Heading {
                level,
                span,
                text_span,
                text: visible,
            });
        }
    }
    headings
}

type Found = (u8, Span, Span);

fn markdown_line(text: &str, mask: &Mask, line: &Line, previous: &mut Previous) -> Option<Found> {
    let bytes = text.as_bytes();
    let content = bytes.get(line.start..line.end).unwrap_or(&[]);
    let indent = content.iter().take_while(|&&b| b == b' ').count();
    let rest = content.get(indent..).unwrap_or(&[]);
    if rest.iter().all(|b| b.is_ascii_whitespace()) {
        *previous = Previous::Other;
        return None;
    }
    if indent <= 3 {
        if let Previous::Paragraph { start, end } = *previous {
            if let Some(level) = setext_underline_level(rest) {
                *previous = Previous::Other;
                let text_span = trimmed(bytes, start, end);
                return Some((level, Span::new(start, line.end), text_span));
            }
        }
        if let Some(found) = atx_heading(bytes, line, line.start + indent) {
            *previous = Previous::Other;
            return Some(found);
        }
    }
    if let Some(found) = wikitext_heading(text, mask, line, true) {
        *previous = Previous::Other;
        return Some(found);
    }
    *previous = classify_markdown_line(rest, indent, line, *previous);
    None
}

fn classify_markdown_line(rest: &[u8], indent: usize, line: &Line, previous: Previous) -> Previous {
    let is_list_item =
        matches!(rest, [b'-' | b'*' | b'+', b' ' | b'\t', ..] | [b'-' | b'*' | b'+']) || ordered_list_marker(rest);
    let is_break_or_fence = thematic_break(rest) || rest.starts_with(b"```") || rest.starts_with(b"~~~");
    if is_list_item {
        return Previous::ListItem;
    }
    if is_break_or_fence || rest.starts_with(b">") || rest.starts_with(b"|") {
        return Previous::Other;
    }
    match previous {
        Previous::Paragraph { start, .. } => Previous::Paragraph { start, end: line.end },
        Previous::ListItem => Previous::ListItem,
        Previous::Other if indent < 4 => Previous::Paragraph {
            start: line.start,
            end: line.end,
        },
        Previous::Other => Previous::Other,
    }
}

fn ordered_list_marker(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=9).contains(&digits)
        && matches!(rest.get(digits), Some(b'.' | b')'))
        && matches!(rest.get(digits + 1), None | Some(b' ' | b'\t'))
}

fn thematic_break(rest: &[u8]) -> bool {
    let Some(&marker) = rest.first() else {
        return false;
    };
    if !matches!(marker, b'-' | b'*' | b'_') {
        return false;
    }
    rest.iter().all(|&b| b == marker || b == b' ' || b == b'\t') && rest.iter().filter(|&&b| b == marker).count() >= 3
}

fn setext_underline_level(rest: &[u8]) -> Option<u8> {
    let marker = *rest.first()?;
    let level = match marker {
        b'=' => 1,
        b'-' => 2,
        _ => return None,
    };
    let run = rest.iter().take_while(|&&b| b == marker).count();
    rest.get(run..)?
        .iter()
        .all(|b| b.is_ascii_whitespace())
        .then_some(level)
}

fn atx_heading(bytes: &[u8], line: &Line, hashes_start: usize) -> Option<Found> {
    let level = bytes
        .get(hashes_start..line.end)?
        .iter()
        .take_while(|&&b| b == b'#')
        .count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let after = hashes_start + level;
    if after < line.end && !matches!(bytes.get(after), Some(b' ' | b'\t')) {
        return None;
    }
    let (start, mut end) = trimmed_pair(bytes, after, line.end);
    let closing = bytes.get(start..end)?.iter().rev().take_while(|&&b| b == b'#').count();
    let before_closing = end - closing;
    if closing > 0 && (before_closing == start || matches!(bytes.get(before_closing - 1), Some(b' ' | b'\t'))) {
        end = trimmed_pair(bytes, start, before_closing).1;
    }
    let level = u8::try_from(level).ok()?;
    Some((level, Span::new(line.start, line.end), Span::new(start, end.max(start))))
}

/// `== x ==`: MediaWiki takes the smaller `=` count as the level; extra `=` are text.
fn wikitext_heading(text: &str, mask: &Mask, line: &Line, markdown: bool) -> Option<Found> {
    let bytes = text.as_bytes();
    if bytes.get(line.start) != Some(&b'=') {
        return None;
    }
    let end = end_before_trailing_comments(bytes, mask, line);
    let content = bytes.get(line.start..end)?;
    let leading = content.iter().take_while(|&&b| b == b'=').count();
    let trailing = content.iter().rev().take_while(|&&b| b == b'=').count();
    if leading == content.len() {
        if markdown || content.len() < 3 {
            return None;
        }
        let level = ((content.len() - 1) / 2).min(6);
        let text_span = Span::new(line.start + level, end - level);
        return Some((u8::try_from(level).ok()?, Span::new(line.start, line.end), text_span));
    }
    let level = leading.min(trailing).min(6);
    if level == 0 {
        return None;
    }
    let (start, stop) = trimmed_pair(bytes, line.start + level, end - level);
    let level = u8::try_from(level).ok()?;
    Some((
        level,
        Span::new(line.start, line.end),
        Span::new(start, stop.max(start)),
    ))
}

/// The line end before trailing whitespace and `<!-- comments -->`.
fn end_before_trailing_comments(bytes: &[u8], mask: &Mask, line: &Line) -> usize {
    let mut end = trimmed_pair(bytes, line.start, line.end).1;
    while end > line.start {
        let Some(range) = mask.range_at(end - 1) else {
            break;
        };
        if range.kind != MaskKind::Comment || range.start <= line.start {
            break;
        }
        end = trimmed_pair(bytes, line.start, range.start).1;
    }
    end
}

fn trimmed_pair(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && bytes.get(start).is_some_and(u8::is_ascii_whitespace) {
        start += 1;
    }
    while end > start && bytes.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        end -= 1;
    }
    (start, end)
}

fn trimmed(bytes: &[u8], start: usize, end: usize) -> Span {
    let (start, end) = trimmed_pair(bytes, start, end);
    Span::new(start, end)
}
