//! Folding ranges: one per section, from its heading to the last non-blank line before the next
//! heading of the same or a higher level (so sections nest), for Markdown and MediaWiki alike.
//!
//! Ranges are whole lines: clients that fold only lines (`lineFoldingOnly`) and those that do not
//! show them the same way. Blank lines closing a section stay visible, as separators.

use crate::syntax::{self, Flavor, ParseOptions};
use crate::text::{Encoding, LineIndex};

/// A range of lines to fold, zero-based and inclusive; the start line stays visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldingRange {
    pub start_line: u32,
    pub end_line: u32,
}

/// The sections of a document.
pub fn folding_ranges(text: &str, flavor: Flavor) -> Vec<FoldingRange> {
    let headings = syntax::parse(text, &ParseOptions::new(flavor)).headings;
    let lines = LineIndex::new(text);
    let last_line = u32::try_from(lines.line_count().saturating_sub(1)).unwrap_or(u32::MAX);
    let is_blank = |line: u32| text[lines.line_range(text, line)].trim().is_empty();
    let close = |start_line: u32, before_line: u32, ranges: &mut Vec<FoldingRange>| {
        let mut end_line = before_line;
        while end_line > start_line && is_blank(end_line) {
            end_line -= 1;
        }
        if end_line > start_line {
            ranges.push(FoldingRange { start_line, end_line });
        }
    };
    let mut ranges = Vec::new();
    let mut open: Vec<(u8, u32)> = Vec::new();
    for heading in &headings {
        let line = lines.position(text, heading.span.start as usize, Encoding::Utf8).line;
        while let Some(&(level, start_line)) = open.last() {
            if level < heading.level {
                break;
            }
            open.pop();
            close(start_line, line.saturating_sub(1), &mut ranges);
        }
        open.push((heading.level, line));
    }
    while let Some((_, start_line)) = open.pop() {
        close(start_line, last_line, &mut ranges);
    }
    ranges.sort_by_key(|range| (range.start_line, std::cmp::Reverse(range.end_line)));
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each range drawn as `start-end first words of the start line`.
    fn check(path: &str, text: &str, expected: &str) {
        let flavor = Flavor::from_path(std::path::Path::new(path)).expect("a wiki file");
        let ranges = folding_ranges(text, flavor);
        let lines: Vec<&str> = text.lines().collect();
        let drawn: Vec<String> = ranges
            .iter()
            .map(|range| {
                format!(
                    "{}-{} {}",
                    range.start_line,
                    range.end_line,
                    lines.get(range.start_line as usize).unwrap_or(&"")
                )
            })
            .collect();
        assert_eq!(drawn.join("\n"), expected.trim());
    }

    #[test]
    fn markdown_sections_nest_and_end_before_blank_lines() {
        check(
            "a.md",
            "# 標題 𠀀\n\n前言\n\n## 歷史\n內容 𠀀𠀀\n\n### 早期\n細節\n\n## 職能\n事務\n\n\n",
            "
0-11 # 標題 𠀀
4-8 ## 歷史
7-8 ### 早期
10-11 ## 職能",
        );
    }

    #[test]
    fn wikitext_sections_and_a_setext_heading() {
        check(
            "a.wiki",
            "== 甲 ==\n一\n=== 乙 ===\n二\n== 丙 ==\n三",
            "
0-3 == 甲 ==
2-3 === 乙 ===
4-5 == 丙 ==",
        );
        check("b.md", "標題\n===\n內容\n\n", "0-2 標題");
    }

    #[test]
    fn empty_sections_and_headingless_text_fold_nothing() {
        check("a.md", "# 一\n# 二\n\n# 三", "");
        check("b.md", "", "");
        check("c.md", "只有文字\n第二行", "");
    }
}
