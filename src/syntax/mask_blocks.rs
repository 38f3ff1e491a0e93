//! Markdown code blocks (fenced and indented), found line by line as CommonMark would.
//!
//! List items matter: the exports indent nested items (`  - a`, `      - b`), and a line is only
//! indented code when it is indented four columns past the enclosing list item's content.

use super::mask::{line_is_blank, MaskRange};
use memchr::memchr;

struct OpenFence {
    start: usize,
    content_start: usize,
    marker: u8,
    len: usize,
    container_indent: usize,
}

struct OpenIndentedCode {
    start: usize,
    end: usize,
    min_indent: usize,
}

struct BlockScanner {
    ranges: Vec<MaskRange>,
    fence: Option<OpenFence>,
    indented: Option<OpenIndentedCode>,
    /// Content indents of the open list items, outermost first.
    list_indents: Vec<usize>,
    previous_blank: bool,
    /// The previous line was paragraph text, which an indented line would continue.
    previous_text: bool,
}

pub(crate) fn collect_markdown_code_blocks(bytes: &[u8], out: &mut Vec<MaskRange>) {
    let mut scanner = BlockScanner {
        ranges: Vec::new(),
        fence: None,
        indented: None,
        list_indents: Vec::new(),
        previous_blank: true,
        previous_text: false,
    };
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end = memchr(b'\n', bytes.get(line_start..).unwrap_or(&[])).map_or(bytes.len(), |i| line_start + i);
        scanner.line(bytes, line_start, line_end);
        line_start = line_end + 1;
    }
    scanner.finish(bytes.len());
    out.extend(scanner.ranges);
}

/// Indentation of a line in columns (tabs to multiples of 4) and in bytes.
fn measure_indent(line: &[u8]) -> (usize, usize) {
    let mut columns = 0;
    let mut bytes = 0;
    for &b in line {
        match b {
            b' ' => columns += 1,
            b'\t' => columns += 4 - columns % 4,
            _ => break,
        }
        bytes += 1;
    }
    (columns, bytes)
}

impl BlockScanner {
    fn line(&mut self, bytes: &[u8], start: usize, end: usize) {
        let line = bytes.get(start..end).unwrap_or(&[]);
        if self.continue_fence(line, start, end) {
            return;
        }
        let blank = line_is_blank(bytes, start);
        let (indent, indent_bytes) = measure_indent(line);
        if self.continue_indented_code(blank, indent, end) {
            return;
        }
        if blank {
            self.previous_blank = true;
            self.previous_text = false;
            return;
        }
        if self.previous_blank {
            while self.list_indents.last().is_some_and(|&c| c > indent) {
                self.list_indents.pop();
            }
        }
        let container = self.list_indents.last().copied().unwrap_or(0);
        let content = line.get(indent_bytes..).unwrap_or(&[]);
        if indent >= container + 4 && !self.previous_text {
            self.indented = Some(OpenIndentedCode {
                start,
                end,
                min_indent: container + 4,
            });
        } else if let Some((marker, len)) = fence_opening(content) {
            self.fence = Some(OpenFence {
                start,
                content_start: (end + 1).min(bytes.len()),
                marker,
                len,
                container_indent: container,
            });
            self.previous_text = false;
        } else if let Some(marker_width) = list_marker_width(content) {
            while self.list_indents.last().is_some_and(|&c| c > indent) {
                self.list_indents.pop();
            }
            self.list_indents.push(indent + marker_width);
            self.previous_text = true;
        } else {
            self.previous_text = !content.starts_with(b"#");
        }
        self.previous_blank = false;
    }

    /// Inside a fence, every line is code until the closing fence; returns true if consumed.
    fn continue_fence(&mut self, line: &[u8], start: usize, end: usize) -> bool {
        let Some(fence) = &self.fence else {
            return false;
        };
        let (indent, indent_bytes) = measure_indent(line);
        let content = line.get(indent_bytes..).unwrap_or(&[]);
        let run = content.iter().take_while(|&&b| b == fence.marker).count();
        let closes = indent <= fence.container_indent + 3
            && run >= fence.len
            && content.get(run..).unwrap_or(&[]).iter().all(u8::is_ascii_whitespace);
        if closes {
            self.ranges
                .push(MaskRange::literal(fence.start, end, fence.content_start, start));
            self.fence = None;
            self.previous_blank = false;
            self.previous_text = false;
        }
        true
    }

    /// Extends an open indented code block; returns true if the line belongs to it.
    fn continue_indented_code(&mut self, blank: bool, indent: usize, end: usize) -> bool {
        let Some(code) = &mut self.indented else {
            return false;
        };
        if blank {
            return true;
        }
        if indent >= code.min_indent {
            code.end = end;
            return true;
        }
        self.ranges
            .push(MaskRange::literal(code.start, code.end, code.start, code.end));
        self.indented = None;
        false
    }

    fn finish(&mut self, len: usize) {
        if let Some(fence) = self.fence.take() {
            self.ranges
                .push(MaskRange::literal(fence.start, len, fence.content_start, len));
        }
        if let Some(code) = self.indented.take() {
            self.ranges
                .push(MaskRange::literal(code.start, code.end, code.start, code.end));
        }
    }
}

/// A fence opening line (after indentation): the marker byte and run length.
fn fence_opening(content: &[u8]) -> Option<(u8, usize)> {
    let marker = *content.first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = content.iter().take_while(|&&b| b == marker).count();
    if len < 3 {
        return None;
    }
    let info = content.get(len..).unwrap_or(&[]);
    if marker == b'`' && memchr(b'`', info).is_some() {
        return None;
    }
    Some((marker, len))
}

/// Width of a list item marker plus its following spaces (`- `, `* `, `+ `, `1. `, `2) `).
fn list_marker_width(content: &[u8]) -> Option<usize> {
    let digits = content.iter().take_while(|b| b.is_ascii_digit()).count();
    let marker_len = match content.first()? {
        b'-' | b'*' | b'+' => 1,
        _ if (1..=9).contains(&digits) && matches!(content.get(digits), Some(b'.' | b')')) => digits + 1,
        _ => return None,
    };
    let after = content.get(marker_len..).unwrap_or(&[]);
    let spaces = after.iter().take_while(|&&b| b == b' ').count();
    match after.first() {
        None | Some(b'\r') => Some(marker_len + 1),
        Some(b' ') if spaces <= 4 => Some(marker_len + spaces),
        Some(b' ') => Some(marker_len + 1),
        Some(b'\t') => Some(marker_len + 1),
        _ => None,
    }
}
