//! Double-bracket links, templates and `-{…}-` variant blocks, in both flavors.
//!
//! One left-to-right pass with a stack of open constructs, so nesting (`{{A|{{B}}|[[C]]}}`,
//! captions with links) costs nothing extra and unclosed openers never cause rescans. Link openers
//! die at the end of their line (file captions: at a blank line); dead entries are marked in
//! place and popped lazily, which keeps the pass linear.

use super::mask::{is_backslash_escaped, line_is_blank, Mask};
use super::wikilink::{double_bracket_link, is_file_target, redirect_directive, template_link};
use super::{Flavor, LinkSyntax, Parsed, Problem, ProblemKind, Span};
use memchr::memmem::Finder;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenKind {
    Link,
    Template,
    Parameter,
    Variant,
}

struct Open {
    kind: OpenKind,
    start: usize,
    pipe: Option<usize>,
    /// The target (or template name) contains a character that rules the construct out.
    invalid: bool,
    dead: bool,
    is_file: bool,
}

/// Bytes that matter while something is open.
const EVENT_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"[]{}|\n<>";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// The next occurrence of a two-byte pattern, searched for once per stretch of text: with nothing
/// open, only `[[`, `{{` and `-{` can start something, and these are rare in an export page,
/// whose forty single `[` (Markdown links) would otherwise each stop the search.
struct NextPattern {
    finder: &'static Finder<'static>,
    /// The first occurrence at or after `searched_from` (`usize::MAX`: none).
    found: usize,
    searched_from: usize,
}

static DOUBLE_BRACKET: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"[["));
static DOUBLE_BRACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"{{"));
static VARIANT_OPENER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"-{"));

impl NextPattern {
    fn new(finder: &'static Finder<'static>) -> NextPattern {
        NextPattern {
            finder,
            found: 0,
            searched_from: usize::MAX,
        }
    }

    /// The first occurrence at or after `from`.
    fn at_or_after(&mut self, bytes: &[u8], from: usize) -> usize {
        if self.searched_from > from || self.found < from {
            self.searched_from = from;
            self.found = bytes
                .get(from..)
                .and_then(|rest| self.finder.find(rest))
                .map_or(usize::MAX, |offset| from + offset);
        }
        self.found
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    markdown: bool,
    stack: Vec<Open>,
    /// `(stack index, start)` of link openers pushed on the current line.
    line_links: Vec<(usize, usize)>,
    /// `(stack index, start)` of file links whose caption continues past a line end.
    caption_links: Vec<(usize, usize)>,
    open_braces: usize,
    double_brackets: NextPattern,
    double_braces: NextPattern,
    variant_openers: NextPattern,
    out: &'a mut Parsed,
}

pub(crate) fn collect_wikitext(text: &str, mask: &Mask, flavor: Flavor, out: &mut Parsed) {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        markdown: flavor == Flavor::Markdown,
        stack: Vec::new(),
        line_links: Vec::new(),
        caption_links: Vec::new(),
        open_braces: 0,
        double_brackets: NextPattern::new(&DOUBLE_BRACKET),
        double_braces: NextPattern::new(&DOUBLE_BRACE),
        variant_openers: NextPattern::new(&VARIANT_OPENER),
        out,
    };
    let mut pos = 0;
    for (seg_start, seg_end) in mask.segments(text.len()) {
        pos = scanner.scan_segment(pos.max(seg_start), seg_end);
    }
    scanner.finish();
    mark_redirect(text, &mut out.links);
}

/// Turns the `[[…]]` right after a leading `#REDIRECT` into the `Redirect` link.
fn mark_redirect(text: &str, links: &mut [super::Link]) {
    let Some((directive_start, bracket)) = redirect_directive(text) else {
        return;
    };
    let found = links
        .iter_mut()
        .find(|l| l.syntax == LinkSyntax::DoubleBracket && l.span.start as usize == bracket);
    if let Some(link) = found {
        link.syntax = LinkSyntax::Redirect;
        link.span.start = directive_start as u32;
    }
}

impl Scanner<'_> {
    fn scan_segment(&mut self, mut pos: usize, end: usize) -> usize {
        while pos < end {
            let window = self.bytes.get(pos..end).unwrap_or(&[]);
            let found = if self.stack.is_empty() {
                self.next_opener(pos).filter(|&at| at < end).map(|at| at - pos)
            } else {
                window.iter().position(|&b| EVENT_BYTES[usize::from(b)])
            };
            let Some(offset) = found else { return end };
            let at = pos + offset;
            pos = self.event(at, end);
        }
        pos
    }

    /// With nothing open, where the next event that can open something is: a `[` or `{` run of
    /// two or more (`[[`, `{{`: at the run's first byte, as a search for single bytes would stop
    /// there too), or a `{` after `-`, at or after `pos`; `None` if there is none. Every other `[`
    /// or `{` (single, or escaped down to one) changes nothing while the stack is empty.
    fn next_opener(&mut self, pos: usize) -> Option<usize> {
        let brackets = self.double_brackets.at_or_after(self.bytes, pos);
        let braces = self.double_braces.at_or_after(self.bytes, pos);
        // The `-` may sit just before `pos` (`}-{`: a variant closed there).
        let dash = self.variant_openers.at_or_after(self.bytes, pos.saturating_sub(1));
        let variant = if dash == usize::MAX { usize::MAX } else { dash + 1 };
        let next = brackets.min(braces).min(variant);
        (next != usize::MAX).then_some(next)
    }

    /// Handles the interesting byte at `at`; returns where scanning resumes.
    fn event(&mut self, at: usize, end: usize) -> usize {
        let byte = self.bytes.get(at).copied().unwrap_or(0);
        match byte {
            b'[' | b']' | b'{' | b'}' => {
                let run = super::mask::run_length(self.bytes, at, byte, end);
                let escaped = self.markdown && is_backslash_escaped(self.bytes, at);
                let (first, count) = if escaped { (at + 1, run - 1) } else { (at, run) };
                if escaped {
                    self.invalidate_top_target();
                }
                match byte {
                    b'[' => self.open_brackets(first, count),
                    b']' => self.close_brackets(first, count),
                    b'{' => self.open_braces(first, count),
                    _ => return self.close_braces(first, count),
                }
                at + run
            }
            b'|' => {
                self.record_pipe(at);
                at + 1
            }
            b'\n' => {
                self.end_line(at);
                at + 1
            }
            _ => {
                self.invalidate_top_target();
                at + 1
            }
        }
    }

    /// The innermost live opener, after discarding dead ones.
    fn top(&mut self) -> Option<&mut Open> {
        while self.stack.last().is_some_and(|o| o.dead) {
            self.stack.pop();
        }
        self.stack.last_mut()
    }

    /// A stray bracket, brace or angle bracket in a link target or template name voids it.
    fn invalidate_top_target(&mut self) {
        if let Some(top) = self.top() {
            if top.pipe.is_none() && matches!(top.kind, OpenKind::Link | OpenKind::Template) {
                top.invalid = true;
            }
        }
    }

    fn push(&mut self, kind: OpenKind, start: usize) {
        self.invalidate_top_target();
        if matches!(kind, OpenKind::Template | OpenKind::Parameter) {
            self.open_braces += 1;
        }
        if kind == OpenKind::Link {
            self.line_links.push((self.stack.len(), start));
        }
        self.stack.push(Open {
            kind,
            start,
            pipe: None,
            invalid: false,
            dead: false,
            is_file: false,
        });
    }

    /// `[[[x]]]` is `[` + `[[x]]`: only the last two brackets of a run open a link.
    fn open_brackets(&mut self, first: usize, count: usize) {
        if count >= 3 || count == 1 {
            self.invalidate_top_target();
        }
        if count >= 2 {
            self.push(OpenKind::Link, first + count - 2);
        }
    }

    fn close_brackets(&mut self, first: usize, count: usize) {
        let mut at = first;
        let mut left = count;
        while left >= 2 && self.top().is_some_and(|o| o.kind == OpenKind::Link) {
            self.close_link(at);
            at += 2;
            left -= 2;
        }
        if left > 0 {
            self.invalidate_top_target();
        }
    }

    fn close_link(&mut self, close: usize) {
        let Some(open) = self.stack.pop() else { return };
        // `[[1]](#cite_note-1)` is a Markdown link with a bracketed label, not a wiki link.
        let markdown_label = self.markdown && self.bytes.get(close + 2) == Some(&b'(');
        if open.invalid || markdown_label {
            return;
        }
        if let Some(link) = double_bracket_link(self.text, open.start, open.pipe, close) {
            self.out.links.push(link);
        }
    }

    fn open_braces(&mut self, first: usize, count: usize) {
        if count == 1 {
            let after_dash = first > 0 && self.bytes.get(first - 1) == Some(&b'-');
            if after_dash {
                self.push(OpenKind::Variant, first - 1);
            } else {
                self.invalidate_top_target();
            }
            return;
        }
        let mut left = count;
        let mut at = first;
        while left >= 2 {
            let take = if left == 2 || left == 4 { 2 } else { 3 };
            let kind = if take == 2 {
                OpenKind::Template
            } else {
                OpenKind::Parameter
            };
            self.push(kind, at);
            at += take;
            left -= take;
        }
        if left == 1 {
            self.invalidate_top_target();
        }
    }

    /// Matches a run of `}`; returns where scanning resumes (past a variant's closing `-`).
    fn close_braces(&mut self, first: usize, count: usize) -> usize {
        let mut at = first;
        let mut left = count;
        while left > 0 {
            let top_kind = self.top().map(|o| o.kind);
            match top_kind {
                Some(OpenKind::Parameter) if left >= 3 => {
                    self.pop_brace();
                    at += 3;
                    left -= 3;
                }
                Some(OpenKind::Template) if left >= 2 => {
                    self.close_template(at);
                    at += 2;
                    left -= 2;
                }
                Some(OpenKind::Variant) if left == 1 && self.bytes.get(at + 1) == Some(&b'-') => {
                    if let Some(open) = self.stack.pop() {
                        self.out.variant_blocks.push(Span::new(open.start, at + 2));
                    }
                    return at + 2;
                }
                Some(OpenKind::Link | OpenKind::Variant) if left >= 2 && self.open_braces > 0 => {
                    self.abandon_top_for_braces(at);
                }
                _ => {
                    self.invalidate_top_target();
                    break;
                }
            }
        }
        first + count
    }

    /// `{{A|[[B}}`: the template closes and the inner opener was never closed.
    fn abandon_top_for_braces(&mut self, at: usize) {
        let Some(open) = self.stack.pop() else { return };
        if open.kind == OpenKind::Link {
            self.problem(ProblemKind::UnclosedLink, open.start, at);
        }
    }

    fn pop_brace(&mut self) -> Option<Open> {
        let open = self.stack.pop()?;
        self.open_braces = self.open_braces.saturating_sub(1);
        Some(open)
    }

    fn close_template(&mut self, close: usize) {
        let Some(open) = self.pop_brace() else { return };
        if open.invalid {
            return;
        }
        if let Some(link) = template_link(self.text, open.start, open.pipe, close) {
            self.out.links.push(link);
        }
    }

    fn record_pipe(&mut self, at: usize) {
        let text = self.text;
        let Some(top) = self.top() else { return };
        if top.pipe.is_some() || !matches!(top.kind, OpenKind::Link | OpenKind::Template) {
            return;
        }
        top.pipe = Some(at);
        if top.kind == OpenKind::Link && !top.invalid {
            top.is_file = is_file_target(text, top.start, at);
        }
    }

    /// Link openers of this line die here, except file captions, which die at a blank line.
    fn end_line(&mut self, newline: usize) {
        if self.line_links.is_empty() && self.caption_links.is_empty() {
            return;
        }
        let line_end = if newline > 0 && self.bytes.get(newline - 1) == Some(&b'\r') {
            newline - 1
        } else {
            newline
        };
        let line_links = std::mem::take(&mut self.line_links);
        for (index, start) in line_links {
            match self.live_link(index, start) {
                Some(true) => self.caption_links.push((index, start)),
                Some(false) => self.kill_link(index, start, line_end),
                None => {}
            }
        }
        if line_is_blank(self.bytes, newline + 1) {
            let caption_links = std::mem::take(&mut self.caption_links);
            for (index, start) in caption_links {
                if self.live_link(index, start).is_some() {
                    self.kill_link(index, start, line_end);
                }
            }
        }
    }

    /// For a link opener still on the stack: whether it is a file link with a caption.
    fn live_link(&self, index: usize, start: usize) -> Option<bool> {
        let open = self.stack.get(index)?;
        let same = open.kind == OpenKind::Link && open.start == start && !open.dead;
        same.then_some(open.is_file && open.pipe.is_some())
    }

    fn kill_link(&mut self, index: usize, start: usize, end: usize) {
        if let Some(open) = self.stack.get_mut(index) {
            open.dead = true;
        }
        self.problem(ProblemKind::UnclosedLink, start, end);
    }

    fn problem(&mut self, kind: ProblemKind, start: usize, end: usize) {
        self.out.problems.push(Problem {
            kind,
            span: Span::new(start, end),
        });
    }

    fn finish(&mut self) {
        let len = self.text.len();
        let stack = std::mem::take(&mut self.stack);
        for open in stack.into_iter().filter(|o| !o.dead) {
            match open.kind {
                OpenKind::Link => self.problem(ProblemKind::UnclosedLink, open.start, len),
                OpenKind::Template | OpenKind::Parameter => {
                    self.problem(ProblemKind::UnclosedTemplate, open.start, len)
                }
                OpenKind::Variant => {}
            }
        }
    }
}
