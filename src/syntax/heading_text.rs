//! A heading's text as a reader sees it: links become their labels, markup and tags vanish.
//!
//! Links come from the parse itself (so nesting is already resolved); the walk keeps an explicit
//! stack of pending label ends instead of recursing, so deeply nested input cannot overflow.

use super::mask::{Mask, MaskKind, MaskRange};
use super::{Flavor, Link, LinkSyntax, Span};

/// How far `](…)` of a non-wiki Markdown link is searched for its `)`.
const MAX_HIDDEN_DESTINATION: usize = 2048;
/// How far a `<tag …>` is searched for its `>`.
const MAX_TAG_BYTES: usize = 512;

pub(crate) fn visible_text(text: &str, span: Span, mask: &Mask, flavor: Flavor, links: &[Link]) -> String {
    visible_text_hiding(text, span, mask, flavor, links, &|_| false)
}

/// [`visible_text`], with the links `hidden` selects removed whole, like templates.
pub(crate) fn visible_text_hiding(
    text: &str,
    span: Span,
    mask: &Mask,
    flavor: Flavor,
    links: &[Link],
    hidden: &dyn Fn(&Link) -> bool,
) -> String {
    let (start, end) = (span.start as usize, span.end as usize);
    let first_link = links.partition_point(|l| (l.span.start as usize) < start);
    let links = links.get(first_link..).unwrap_or(&[]);
    // Most headings (`== 歷史 ==`) hold no link, no masked region and no markup: then the walk
    // would copy them as they are, so the copy is all there is to do.
    let no_link_inside = links.first().is_none_or(|link| link.span.start as usize >= end);
    let first_mask_inside = mask.ranges().partition_point(|r| r.start < start);
    let no_mask_inside = mask.ranges().get(first_mask_inside).is_none_or(|r| r.start >= end);
    if no_link_inside && no_mask_inside {
        if let Some(plain) = text.get(start..end).and_then(plain_text) {
            return plain;
        }
    }
    walked_text(text, start, end, mask, flavor, links, hidden)
}

/// A piece without markup as the walk shows it: itself, if it holds no byte the walk could
/// drop or change (in either flavor) and its whitespace is single spaces between words.
fn plain_text(piece: &str) -> Option<String> {
    const MARKUP: &[u8] = b"'<&\\*_![]";
    if piece.bytes().any(|b| MARKUP.contains(&b)) {
        return None;
    }
    let mut after_space = true; // no leading space
    for c in piece.chars() {
        let space = c.is_whitespace();
        if space && (c != ' ' || after_space) {
            return None;
        }
        after_space = space;
    }
    (!after_space || piece.is_empty()).then(|| piece.to_string())
}

/// The walk behind [`visible_text_hiding`]; `links` start at or after `start`.
fn walked_text(
    text: &str,
    start: usize,
    end: usize,
    mask: &Mask,
    flavor: Flavor,
    links: &[Link],
    hidden: &dyn Fn(&Link) -> bool,
) -> String {
    let first_mask = mask.ranges().partition_point(|r| r.end <= start);
    let masks = mask.ranges().get(first_mask..).unwrap_or(&[]);
    let mut walk = Walk {
        text,
        flavor,
        out: String::new(),
        label_ends: Vec::new(),
        hidden,
    };
    walk.run(start, end, links, masks);
    let decoded = html_escape::decode_html_entities(&walk.out).into_owned();
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Walk<'a> {
    text: &'a str,
    flavor: Flavor,
    out: String,
    /// `(label end, link end)`: when the walk reaches a label's end it jumps past its link.
    label_ends: Vec<(usize, usize)>,
    hidden: &'a dyn Fn(&Link) -> bool,
}

impl Walk<'_> {
    fn run(&mut self, start: usize, end: usize, links: &[Link], masks: &[MaskRange]) {
        let mut pos = start;
        let mut link_index = 0;
        let mut mask_index = 0;
        while pos < end {
            while links.get(link_index).is_some_and(|l| (l.span.start as usize) < pos) {
                link_index += 1;
            }
            while masks.get(mask_index).is_some_and(|m| m.start < pos) {
                mask_index += 1;
            }
            let link = links.get(link_index).filter(|l| (l.span.end as usize) <= end);
            let masked = masks.get(mask_index).filter(|m| m.end <= end);
            let label_end = self.label_ends.last().map(|&(e, _)| e);
            let boundary = [
                link.map(|l| l.span.start as usize),
                masked.map(|m| m.start),
                label_end,
                Some(end),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(end)
            .max(pos);
            self.reduce_piece(pos, boundary);
            pos = boundary;
            if pos >= end {
                break;
            }
            if let Some((_, link_end)) = self.label_ends.last().copied().filter(|&(e, _)| e == pos) {
                self.label_ends.pop();
                pos = link_end;
            } else if let Some(link) = link.filter(|l| l.span.start as usize == pos) {
                pos = self.enter_link(link);
            } else if let Some(range) = masked.filter(|m| m.start == pos) {
                if range.kind == MaskKind::Literal {
                    self.out
                        .push_str(self.text.get(range.inner_start..range.inner_end).unwrap_or(""));
                }
                pos = range.end;
            } else {
                self.reduce_piece(pos, pos + 1);
                pos += 1;
            }
        }
    }

    /// Starts showing a link; returns where the walk continues.
    fn enter_link(&mut self, link: &Link) -> usize {
        let end = link.span.end as usize;
        if link.syntax == LinkSyntax::Template || (self.hidden)(link) {
            return end;
        }
        if let Some(label) = link.label.filter(|l| l.start < l.end) {
            self.label_ends.push((label.end as usize, end));
            return label.start as usize;
        }
        let shown = match link.syntax {
            LinkSyntax::DoubleBracket | LinkSyntax::Redirect => {
                let shown_end = link.anchor_span.map_or(link.target_span.end, |a| a.end);
                self.text
                    .get(link.target_span.start as usize..shown_end as usize)
                    .unwrap_or("")
            }
            _ => link.target(self.text),
        };
        self.out.push_str(shown);
        end
    }

    /// Copies `start..end` without emphasis quotes, tags and (Markdown) emphasis and brackets.
    fn reduce_piece(&mut self, start: usize, end: usize) {
        let Some(piece) = self.text.get(start..end) else {
            return;
        };
        let markdown = self.flavor == Flavor::Markdown;
        let bytes = piece.as_bytes();
        let has_destinations = markdown && memchr::memmem::find(bytes, b"](").is_some();
        let paren_ends = if has_destinations {
            matching_paren_ends(bytes)
        } else {
            Default::default()
        };
        let mut chars = piece.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let next = bytes.get(i + 1).copied();
            match c {
                '\'' if next == Some(b'\'') => while chars.next_if(|&(_, c)| c == '\'').is_some() {},
                '<' if next.is_some_and(|b| b.is_ascii_alphabetic() || b == b'/') => {
                    let window = bytes.get(i..(i + MAX_TAG_BYTES).min(bytes.len())).unwrap_or(&[]);
                    match memchr::memchr(b'>', window) {
                        Some(close) => skip_to(&mut chars, i + close + 1),
                        None => self.out.push(c),
                    }
                }
                '\\' if markdown && next.is_some_and(|b| b.is_ascii_punctuation()) => {
                    if let Some((_, escaped)) = chars.next() {
                        self.out.push(escaped);
                    }
                }
                '*' if markdown => {}
                '_' if markdown && is_emphasis_underscore(piece, i) => {}
                '!' if markdown && next == Some(b'[') => {}
                '[' if markdown => {}
                ']' if markdown && next == Some(b'(') => {
                    skip_to(&mut chars, hidden_destination_end(&paren_ends, i + 1));
                }
                ']' if markdown => {}
                _ => self.out.push(c),
            }
        }
    }
}

fn skip_to(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, offset: usize) {
    while chars.next_if(|&(i, _)| i < offset).is_some() {}
}

/// `_` is emphasis unless it sits between two word characters (`snake_case`).
fn is_emphasis_underscore(piece: &str, at: usize) -> bool {
    let before = piece.get(..at).and_then(|s| s.chars().next_back());
    let after = piece.get(at + 1..).and_then(|s| s.chars().next());
    !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
}

/// For every `(` in `bytes`, the offset after its matching `)`; computed in one pass so that
/// many unclosed `](` cost linear time.
fn matching_paren_ends(bytes: &[u8]) -> std::collections::HashMap<usize, usize> {
    let mut matches = std::collections::HashMap::new();
    let mut open = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => open.push(i),
            b')' => {
                if let Some(start) = open.pop() {
                    matches.insert(start, i + 1);
                }
            }
            _ => {}
        }
    }
    matches
}

/// Offset after the `)` closing the `(` at `open`, or `open + 1` when there is none nearby.
fn hidden_destination_end(matches: &std::collections::HashMap<usize, usize>, open: usize) -> usize {
    match matches.get(&open) {
        Some(&end) if end - open <= MAX_HIDDEN_DESTINATION => end,
        _ => open + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, ParseOptions};
    use crate::testing::XorShift;

    /// Wherever the copy stands in for the walk, both give the same text: random pieces of
    /// random markup, in both flavors, with CJK, astral characters and Unicode spaces.
    #[test]
    fn plain_pieces_read_as_the_walk_reads_them() {
        const PIECES: [&str; 22] = [
            "中",
            "𠀀",
            "a",
            " ",
            "  ",
            "\u{3000}",
            "\t",
            "\n",
            "'",
            "''",
            "<b>",
            "<",
            "&amp;",
            "&",
            "\\(",
            "*",
            "_",
            "![",
            "[[A|b]]",
            "[x](y.md)",
            "<!-- c -->",
            "`c`",
        ];
        let mut random = XorShift(0x5EED_0F4E_AD00);
        let mut plain = 0;
        for _ in 0..3000 {
            let text: String = (0..random.below(12))
                .map(|_| PIECES[random.below(PIECES.len())])
                .collect();
            for flavor in [Flavor::Markdown, Flavor::Wikitext] {
                let parsed = parse(&text, &ParseOptions::new(flavor));
                let mask = Mask::compute(&text, flavor);
                let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
                let start = boundaries[random.below(boundaries.len())];
                let end = boundaries[random.below(boundaries.len())].max(start);
                let first_link = parsed.links.partition_point(|l| (l.span.start as usize) < start);
                let links = &parsed.links[first_link..];
                let walked = walked_text(&text, start, end, &mask, flavor, links, &|_| false);
                let shown = visible_text(&text, Span::new(start, end), &mask, flavor, &parsed.links);
                assert_eq!(shown, walked, "{text:?} {start}..{end} {flavor:?}");
                plain += usize::from(text.get(start..end).and_then(plain_text).is_some());
            }
        }
        assert!(plain > 500, "the copy stood in only {plain} times");
    }
}
