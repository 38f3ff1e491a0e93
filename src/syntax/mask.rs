//! Regions that are not markup (code blocks, code spans, `<nowiki>`, `<pre>`, comments, ...).
//!
//! They are computed once, before any link scanning, as a sorted list of disjoint byte ranges;
//! the scanners then only look at the gaps between them.

use super::Flavor;
use memchr::{memchr, memchr2, memmem};

/// Whether a masked region disappears for a reader (comments) or shows its text literally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MaskKind {
    Comment,
    Literal,
}

/// One masked region; `inner` is its content without delimiters (fences, backticks, tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MaskRange {
    pub start: usize,
    pub end: usize,
    pub inner_start: usize,
    pub inner_end: usize,
    pub kind: MaskKind,
}

impl MaskRange {
    pub(crate) fn literal(start: usize, end: usize, inner_start: usize, inner_end: usize) -> MaskRange {
        MaskRange {
            start,
            end,
            inner_start,
            inner_end,
            kind: MaskKind::Literal,
        }
    }
}

/// Sorted, disjoint masked ranges of one document.
pub(crate) struct Mask {
    ranges: Vec<MaskRange>,
}

/// Tags whose content MediaWiki (or the brief) treats as literal text.
const LITERAL_TAGS: [&[u8]; 6] = [b"nowiki", b"pre", b"code", b"math", b"syntaxhighlight", b"source"];

/// How far an opening tag's attributes may run before we stop believing it is a tag.
const MAX_OPEN_TAG_BYTES: usize = 2048;

impl Mask {
    pub(crate) fn compute(text: &str, flavor: Flavor) -> Mask {
        let mut ranges = Vec::new();
        if flavor == Flavor::Markdown {
            super::mask_blocks::collect_markdown_code_blocks(text.as_bytes(), &mut ranges);
        }
        let blocks = ranges.clone();
        InlineMasker::new(text.as_bytes(), flavor).collect(&blocks, &mut ranges);
        Mask {
            ranges: sort_and_merge(ranges),
        }
    }

    pub(crate) fn ranges(&self) -> &[MaskRange] {
        &self.ranges
    }

    /// The unmasked gaps `(start, end)` of a text of length `len`, in order.
    pub(crate) fn segments(&self, len: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        gaps_between(&self.ranges, len)
    }

    /// The masked range containing `offset`, if any.
    pub(crate) fn range_at(&self, offset: usize) -> Option<&MaskRange> {
        let index = self.ranges.partition_point(|r| r.end <= offset);
        self.ranges.get(index).filter(|r| r.start <= offset)
    }
}

fn gaps_between(ranges: &[MaskRange], len: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    let mut index = 0;
    std::iter::from_fn(move || loop {
        match ranges.get(index) {
            Some(range) => {
                index += 1;
                let gap = (pos, range.start.max(pos));
                pos = pos.max(range.end);
                if gap.0 < gap.1 {
                    return Some(gap);
                }
            }
            None => {
                if pos < len {
                    let gap = (pos, len);
                    pos = len;
                    return Some(gap);
                }
                return None;
            }
        }
    })
}

fn sort_and_merge(mut ranges: Vec<MaskRange>) -> Vec<MaskRange> {
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<MaskRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start < last.end => {
                last.end = last.end.max(range.end);
            }
            _ => merged.push(range),
        }
    }
    merged
}

/// True when the byte at `pos` is preceded by an odd number of backslashes (Markdown escape).
pub(crate) fn is_backslash_escaped(bytes: &[u8], pos: usize) -> bool {
    let before = bytes.get(..pos).unwrap_or(&[]);
    before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Finds comments, literal tags and (Markdown) code spans, left to right, outside code blocks.
struct InlineMasker<'a> {
    bytes: &'a [u8],
    markdown: bool,
    /// Per literal tag: a search for its closing tag from this offset already failed.
    closing_tag_missing_from: [usize; LITERAL_TAGS.len()],
    /// Backtick run lengths whose search for a closer failed, with the limit searched to.
    failed_code_span_lengths: Vec<(usize, usize)>,
    paragraph_end_cache: (usize, usize),
}

impl<'a> InlineMasker<'a> {
    fn new(bytes: &'a [u8], flavor: Flavor) -> Self {
        InlineMasker {
            bytes,
            markdown: flavor == Flavor::Markdown,
            closing_tag_missing_from: [usize::MAX; LITERAL_TAGS.len()],
            failed_code_span_lengths: Vec::new(),
            paragraph_end_cache: (usize::MAX, 0),
        }
    }

    fn collect(&mut self, blocks: &[MaskRange], out: &mut Vec<MaskRange>) {
        let mut pos = 0;
        for (seg_start, seg_end) in gaps_between(blocks, self.bytes.len()) {
            pos = pos.max(seg_start);
            while pos < seg_end {
                let window = self.bytes.get(pos..seg_end).unwrap_or(&[]);
                let found = if self.markdown {
                    memchr2(b'<', b'`', window)
                } else {
                    memchr(b'<', window)
                };
                let Some(offset) = found else { break };
                let at = pos + offset;
                let next = if self.bytes.get(at) == Some(&b'<') {
                    self.mask_at_angle_bracket(at, out)
                } else {
                    self.mask_code_span(at, seg_end, out)
                };
                pos = next.max(at + 1);
            }
        }
    }

    /// Masks a comment or literal tag starting at `<`; returns where scanning resumes.
    fn mask_at_angle_bracket(&mut self, at: usize, out: &mut Vec<MaskRange>) -> usize {
        if self.markdown && is_backslash_escaped(self.bytes, at) {
            return at + 1;
        }
        let rest = self.bytes.get(at..).unwrap_or(&[]);
        if rest.starts_with(b"<!--") {
            let body = at + 4;
            let (inner_end, end) = match memmem::find(self.bytes.get(body..).unwrap_or(&[]), b"-->") {
                Some(i) => (body + i, body + i + 3),
                None => (self.bytes.len(), self.bytes.len()),
            };
            out.push(MaskRange {
                start: at,
                end,
                inner_start: body,
                inner_end,
                kind: MaskKind::Comment,
            });
            return end;
        }
        match self.literal_tag_range(at) {
            Some(range) => {
                out.push(range);
                range.end
            }
            None => at + 1,
        }
    }

    fn literal_tag_range(&mut self, at: usize) -> Option<MaskRange> {
        let name_start = at + 1;
        let name_len = self
            .bytes
            .get(name_start..)?
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let name = self.bytes.get(name_start..name_start + name_len)?;
        let tag_index = LITERAL_TAGS.iter().position(|t| t.eq_ignore_ascii_case(name))?;
        let after_name = *self.bytes.get(name_start + name_len)?;
        if !(after_name.is_ascii_whitespace() || after_name == b'>' || after_name == b'/') {
            return None;
        }
        let window_end = (name_start + name_len + MAX_OPEN_TAG_BYTES).min(self.bytes.len());
        let tag_body = self.bytes.get(name_start + name_len..window_end)?;
        let open_end = name_start + name_len + memchr(b'>', tag_body)? + 1;
        if self.bytes.get(open_end - 2) == Some(&b'/') {
            return Some(MaskRange::literal(at, open_end, open_end, open_end));
        }
        match self.find_closing_tag_memoized(tag_index, open_end) {
            Some((close_start, close_end)) => Some(MaskRange::literal(at, close_end, open_end, close_start)),
            None => Some(MaskRange::literal(at, open_end, open_end, open_end)),
        }
    }

    /// Finds `</name\s*>` at or after `from`, case-insensitively.
    fn find_closing_tag_memoized(&mut self, tag_index: usize, from: usize) -> Option<(usize, usize)> {
        let missing_from = self.closing_tag_missing_from.get(tag_index).copied()?;
        if from >= missing_from {
            return None;
        }
        let name = LITERAL_TAGS.get(tag_index)?;
        if let Some(found) = find_closing_tag(self.bytes, from, name) {
            return Some(found);
        }
        if let Some(slot) = self.closing_tag_missing_from.get_mut(tag_index) {
            *slot = from;
        }
        None
    }

    /// Masks a code span opened by the backtick run at `at`; returns where scanning resumes.
    fn mask_code_span(&mut self, mut at: usize, seg_end: usize, out: &mut Vec<MaskRange>) -> usize {
        let run = run_length(self.bytes, at, b'`', seg_end);
        let mut len = run;
        if is_backslash_escaped(self.bytes, at) {
            at += 1;
            len -= 1;
        }
        let resume = at + len;
        if len == 0 {
            return resume;
        }
        let limit = self.paragraph_end(at).min(seg_end);
        if self
            .failed_code_span_lengths
            .iter()
            .any(|&(l, until)| l == len && limit <= until)
        {
            return resume;
        }
        let mut pos = resume;
        while pos < limit {
            let Some(i) = memchr(b'`', self.bytes.get(pos..limit).unwrap_or(&[])) else {
                break;
            };
            let close = pos + i;
            let close_len = run_length(self.bytes, close, b'`', limit);
            if close_len == len {
                out.push(MaskRange::literal(at, close + len, at + len, close));
                return close + len;
            }
            pos = close + close_len.max(1);
        }
        self.failed_code_span_lengths.retain(|&(l, _)| l != len);
        self.failed_code_span_lengths.push((len, limit));
        resume
    }

    /// End of the paragraph containing `at`: the start of the next blank line, or the text end.
    fn paragraph_end(&mut self, at: usize) -> usize {
        let (cached_from, cached_end) = self.paragraph_end_cache;
        if cached_from <= at && at < cached_end {
            return cached_end;
        }
        let end = next_blank_line_start(self.bytes, at);
        self.paragraph_end_cache = (at, end);
        end
    }
}

/// Length of the run of `byte` starting at `at`, not looking at or beyond `limit`.
pub(crate) fn run_length(bytes: &[u8], at: usize, byte: u8, limit: usize) -> usize {
    bytes
        .get(at..limit.min(bytes.len()))
        .unwrap_or(&[])
        .iter()
        .take_while(|&&b| b == byte)
        .count()
}

/// Offset of the first line after `at` that is empty or only whitespace (or the text length).
pub(crate) fn next_blank_line_start(bytes: &[u8], at: usize) -> usize {
    let mut pos = at;
    while let Some(i) = memchr(b'\n', bytes.get(pos..).unwrap_or(&[])) {
        let line_start = pos + i + 1;
        if line_is_blank(bytes, line_start) {
            return line_start;
        }
        pos = line_start;
    }
    bytes.len()
}

/// True when the line starting at `line_start` holds only spaces, tabs and a line ending.
pub(crate) fn line_is_blank(bytes: &[u8], line_start: usize) -> bool {
    let rest = bytes.get(line_start..).unwrap_or(&[]);
    let spaces = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t' || b == b'\r')
        .count();
    matches!(rest.get(spaces), None | Some(b'\n'))
}

/// Finds `</name\s*>` at or after `from`, ASCII case-insensitively: `(start, end)` of the tag.
pub(crate) fn find_closing_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<(usize, usize)> {
    let finder = memmem::Finder::new(b"</");
    let mut pos = from;
    while let Some(i) = finder.find(bytes.get(pos..).unwrap_or(&[])) {
        let close_start = pos + i;
        let name_start = close_start + 2;
        let candidate = bytes.get(name_start..name_start + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            let after = bytes.get(name_start + name.len()..).unwrap_or(&[]);
            let spaces = after.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if after.get(spaces) == Some(&b'>') {
                return Some((close_start, name_start + name.len() + spaces + 1));
            }
        }
        pos = close_start + 2;
    }
    None
}
