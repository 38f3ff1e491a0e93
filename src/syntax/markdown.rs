//! Markdown inline links `[label](dest "title")` and HTML anchors `<a href="…">label</a>`.
//!
//! Brackets are matched with a stack (as CommonMark's delimiter algorithm does), so a line of a
//! million `[` costs linear time; destinations are parsed with a length cap for the same reason.

use super::decode::Escapes;
use super::destination::{classify_destination, Destination, Scanned};
use super::mask::{find_closing_tag, is_backslash_escaped, line_is_blank, Mask};
use super::{Link, LinkSyntax, ParseOptions, Span};
use memchr::{memchr, memchr3};

/// Longest destination or title we parse; real ones are far shorter.
const MAX_DESTINATION_BYTES: usize = 4096;
/// cmark's limit on nested parentheses in a bare destination.
const MAX_PAREN_DEPTH: usize = 32;

pub(crate) fn collect_markdown_links(text: &str, mask: &Mask, options: &ParseOptions, out: &mut Vec<Link>) {
    collect_bracket_links(text, mask, options, out);
    collect_html_anchors(text, mask, options, out);
}

struct Opener {
    at: usize,
    image: bool,
}

fn collect_bracket_links(text: &str, mask: &Mask, options: &ParseOptions, out: &mut Vec<Link>) {
    let bytes = text.as_bytes();
    let mut openers: Vec<Opener> = Vec::new();
    let mut pos = 0;
    for (seg_start, seg_end) in mask.segments(bytes.len()) {
        pos = pos.max(seg_start);
        while pos < seg_end {
            let window = bytes.get(pos..seg_end).unwrap_or(&[]);
            let found = if openers.is_empty() {
                memchr(b'[', window)
            } else {
                memchr3(b'[', b']', b'\n', window)
            };
            let Some(offset) = found else { break };
            let at = pos + offset;
            pos = at + 1;
            match bytes.get(at) {
                Some(b'[') if !is_backslash_escaped(bytes, at) => {
                    let image = at > 0 && bytes.get(at - 1) == Some(&b'!') && !is_backslash_escaped(bytes, at - 1);
                    openers.push(Opener { at, image });
                }
                Some(b']') if !is_backslash_escaped(bytes, at) => {
                    let Some(opener) = openers.pop() else {
                        continue;
                    };
                    if let Some(end) = close_bracket(text, &opener, at, options, out) {
                        openers.clear();
                        pos = end;
                    }
                }
                Some(b'\n') if line_is_blank(bytes, at + 1) => openers.clear(),
                _ => {}
            }
        }
    }
}

/// Handles the `]` at `close` matching `opener`; returns the link end if `](…)` parsed.
fn close_bracket(
    text: &str,
    opener: &Opener,
    close: usize,
    options: &ParseOptions,
    out: &mut Vec<Link>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(close + 1) != Some(&b'(') {
        return None;
    }
    let parsed = parse_inline_destination(bytes, close + 2)?;
    if !opener.image {
        let destination = classify_destination(
            text,
            parsed.start,
            parsed.end,
            Escapes::Markdown,
            LinkSyntax::MarkdownPath,
            options,
            parsed.scanned,
        );
        if let Some(destination) = destination {
            let span = Span::new(opener.at, parsed.link_end);
            out.push(link_from(destination, span, Some(Span::new(opener.at + 1, close))));
        }
    }
    Some(parsed.link_end)
}

fn link_from(destination: Destination, span: Span, label: Option<Span>) -> Link {
    Link {
        syntax: destination.syntax,
        span,
        label,
        target_span: destination.target_span,
        anchor_span: destination.anchor_span,
        target_decoded: destination.target,
        anchor_decoded: destination.anchor,
        leading_colon: false,
    }
}

/// The raw destination `start..end` (without `<>`) and the offset after the closing `)`.
struct InlineDestination {
    start: usize,
    end: usize,
    link_end: usize,
    /// What the scan of a bare destination saw on the way (`None` for `<…>`).
    scanned: Option<Scanned>,
}

fn parse_inline_destination(bytes: &[u8], open: usize) -> Option<InlineDestination> {
    let mut pos = skip_link_whitespace(bytes, open);
    let (start, end, scanned) = if bytes.get(pos) == Some(&b'<') {
        let (start, end) = scan_angle_destination(bytes, pos + 1)?;
        pos = end + 1;
        (start, end, None)
    } else {
        let (end, scanned) = scan_bare_destination(bytes, pos)?;
        let start = pos;
        pos = end;
        (start, end, scanned)
    };
    let before_title = pos;
    pos = skip_link_whitespace(bytes, pos);
    if pos > before_title {
        if let Some(after_title) = scan_title(bytes, pos) {
            pos = skip_link_whitespace(bytes, after_title);
        }
    }
    (bytes.get(pos) == Some(&b')')).then_some(InlineDestination {
        start,
        end,
        link_end: pos + 1,
        scanned,
    })
}

/// Spaces, tabs and at most one line ending.
fn skip_link_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    let mut newlines = 0;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b' ' | b'\t' | b'\r' => {}
            b'\n' if newlines == 0 => newlines += 1,
            _ => break,
        }
        pos += 1;
    }
    pos
}

fn scan_angle_destination(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let mut pos = start;
    loop {
        if pos - start > MAX_DESTINATION_BYTES {
            return None;
        }
        match *bytes.get(pos)? {
            b'>' => return Some((start, pos)),
            b'\n' | b'<' => return None,
            b'\\' if bytes.get(pos + 1).is_some_and(u8::is_ascii_punctuation) => pos += 2,
            _ => pos += 1,
        }
    }
}

/// Bytes that end, complicate or (`#`, `&`, `%`) mark something in a bare destination;
/// everything else is skipped in a tight loop.
const BARE_DESTINATION_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b <= b' ' as usize {
        table[b] = true;
        b += 1;
    }
    table[0x7f] = true;
    table[b'(' as usize] = true;
    table[b')' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'#' as usize] = true;
    table[b'&' as usize] = true;
    table[b'%' as usize] = true;
    table
};

/// Scans a bare destination in one pass over a byte table: its end, and what
/// [`classify_destination`] would otherwise search the destination for again (destinations are
/// tens of bytes long, where each `memchr` costs more in setup than in searching). The findings
/// are `None` in the rare case described below.
fn scan_bare_destination(bytes: &[u8], start: usize) -> Option<(usize, Option<Scanned>)> {
    let limit = (start + MAX_DESTINATION_BYTES).min(bytes.len());
    let mut scanned = Scanned {
        fragment: None,
        escapes: false,
    };
    let mut pos = start;
    let mut depth = 0;
    // A destination without parentheses, escapes, tabs, CRs or DEL runs on through other
    // control bytes to its `)`, space or line end, as it always has here; any other destination
    // stops at every control byte, as CommonMark says. So the first control byte passed is kept
    // until the destination turns out to be of the second kind.
    let mut plain = true;
    let mut control_passed = None;
    loop {
        // A slice and `position`: no bounds check per byte (this loop is most of a link's scan).
        pos += bytes
            .get(pos..limit)
            .unwrap_or(&[])
            .iter()
            .position(|&b| BARE_DESTINATION_SPECIAL[usize::from(b)])
            .unwrap_or(limit.saturating_sub(pos));
        let Some(&b) = bytes.get(pos) else { break };
        if pos >= limit {
            return None;
        }
        let complicates = matches!(b, b'\\' | b'(' | b'\t' | b'\r' | 0x7f);
        if complicates && plain {
            plain = false;
            if let Some(control) = control_passed {
                // It ends there after all; what was found beyond it does not count.
                return Some((control, None));
            }
        }
        match b {
            b'\\' => {
                scanned.escapes = true;
                if bytes.get(pos + 1).is_some_and(u8::is_ascii_punctuation) {
                    pos += 1;
                }
            }
            b'#' => {
                // Not `&#39;` (a character reference); an escaped `\#` was skipped above.
                if scanned.fragment.is_none() && !super::destination::is_numeric_entity_hash(bytes, pos) {
                    scanned.fragment = Some(pos);
                }
            }
            b'&' | b'%' => scanned.escapes = true,
            b'(' => {
                depth += 1;
                if depth > MAX_PAREN_DEPTH {
                    return None;
                }
            }
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            b' ' | b'\n' | b'\t' | b'\r' | 0x7f => break,
            _ if plain => {
                control_passed.get_or_insert(pos);
            }
            _ => break,
        }
        pos += 1;
    }
    (depth == 0).then_some((pos, Some(scanned)))
}

/// A link title `"…"`, `'…'` or `(…)` starting at `start`; returns the offset after it.
fn scan_title(bytes: &[u8], start: usize) -> Option<usize> {
    let closing = match *bytes.get(start)? {
        b'"' => b'"',
        b'\'' => b'\'',
        b'(' => b')',
        _ => return None,
    };
    let limit = (start + MAX_DESTINATION_BYTES).min(bytes.len());
    let mut pos = start + 1;
    while pos < limit {
        pos += memchr3(closing, b'\\', b'\n', bytes.get(pos..limit)?)?;
        match *bytes.get(pos)? {
            b'\\' => pos += 2,
            b'\n' if line_is_blank(bytes, pos + 1) => return None,
            b'\n' => pos += 1,
            _ => return Some(pos + 1),
        }
    }
    None
}

fn collect_html_anchors(text: &str, mask: &Mask, options: &ParseOptions, out: &mut Vec<Link>) {
    let bytes = text.as_bytes();
    let mut closing_missing_from = usize::MAX;
    let mut pos = 0;
    for (seg_start, seg_end) in mask.segments(bytes.len()) {
        pos = pos.max(seg_start);
        while pos < seg_end {
            let Some(offset) = memchr(b'<', bytes.get(pos..seg_end).unwrap_or(&[])) else {
                break;
            };
            let at = pos + offset;
            pos = at + 1;
            let Some(tag) = parse_anchor_open_tag(bytes, at) else {
                continue;
            };
            let closing = if tag.end >= closing_missing_from {
                None
            } else {
                let found = find_closing_tag(bytes, tag.end, b"a");
                if found.is_none() {
                    closing_missing_from = tag.end;
                }
                found
            };
            let Some((href_start, href_end)) = tag.href else {
                continue;
            };
            let destination = classify_destination(
                text,
                href_start,
                href_end,
                Escapes::HtmlOrWikitext,
                LinkSyntax::HtmlAnchor,
                options,
                None,
            );
            let Some(destination) = destination else {
                continue;
            };
            let (span, label) = match closing {
                Some((close_start, close_end)) => (Span::new(at, close_end), Some(Span::new(tag.end, close_start))),
                None => (Span::new(at, tag.end), None),
            };
            out.push(link_from(destination, span, label));
            pos = span.end as usize;
        }
    }
}

struct AnchorOpenTag {
    end: usize,
    href: Option<(usize, usize)>,
}

/// Parses `<a attr=value …>` at `at`: the tag end and the `href` value's range.
fn parse_anchor_open_tag(bytes: &[u8], at: usize) -> Option<AnchorOpenTag> {
    if !matches!(bytes.get(at + 1), Some(b'a' | b'A')) || !bytes.get(at + 2)?.is_ascii_whitespace() {
        return None;
    }
    let limit = (at + MAX_DESTINATION_BYTES).min(bytes.len());
    let mut pos = at + 2;
    let mut href = None;
    loop {
        while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        if pos >= limit {
            return None;
        }
        match *bytes.get(pos)? {
            b'>' => return Some(AnchorOpenTag { end: pos + 1, href }),
            b'/' if bytes.get(pos + 1) == Some(&b'>') => return Some(AnchorOpenTag { end: pos + 2, href }),
            b'<' => return None,
            _ => {}
        }
        let name_start = pos;
        while pos < limit
            && bytes
                .get(pos)
                .is_some_and(|&b| !b.is_ascii_whitespace() && !b"=>/<".contains(&b))
        {
            pos += 1;
        }
        let name = bytes.get(name_start..pos)?;
        if pos == name_start {
            pos += 1;
            continue;
        }
        let (value, after) = parse_attribute_value(bytes, pos, limit)?;
        pos = after;
        if name.eq_ignore_ascii_case(b"href") && href.is_none() {
            href = value;
        }
    }
}

/// After an attribute name at `pos`: the optional `= value` range and the offset after it.
fn parse_attribute_value(bytes: &[u8], mut pos: usize, limit: usize) -> Option<(Option<(usize, usize)>, usize)> {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    if bytes.get(pos) != Some(&b'=') {
        return Some((None, pos));
    }
    pos += 1;
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    match *bytes.get(pos)? {
        quote @ (b'"' | b'\'') => {
            let start = pos + 1;
            let end = start + memchr(quote, bytes.get(start..limit)?)?;
            Some((Some((start, end)), end + 1))
        }
        _ => {
            let start = pos;
            while pos < limit && bytes.get(pos).is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>') {
                pos += 1;
            }
            Some((Some((start, pos)), pos))
        }
    }
}
