//! Folding ranges: one per section, from its heading to the last non-blank line before the next
//! heading of the same or a higher level (so sections nest), for Markdown and MediaWiki alike;
//! and one per comment or literal block (code fence, `<pre>`…) that spans several lines.
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
    pub kind: FoldingKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldingKind {
    Section,
    /// `<!-- … -->`.
    Comment,
    /// A code block, `<pre>`, `<nowiki>` and the like.
    Literal,
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
            ranges.push(FoldingRange {
                start_line,
                end_line,
                kind: FoldingKind::Section,
            });
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
    for region in syntax::literal_regions(text, flavor) {
        let start_line = lines.position(text, region.span.start as usize, Encoding::Utf8).line;
        // A region ending with its line's newline ends on that line, not the next.
        let last_byte = (region.span.end as usize)
            .saturating_sub(1)
            .max(region.span.start as usize);
        let end_line = lines.position(text, last_byte, Encoding::Utf8).line;
        if end_line > start_line {
            let kind = if region.is_comment {
                FoldingKind::Comment
            } else {
                FoldingKind::Literal
            };
            ranges.push(FoldingRange {
                start_line,
                end_line,
                kind,
            });
        }
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
                    "{}-{} {:?} {}",
                    range.start_line,
                    range.end_line,
                    range.kind,
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
0-11 Section # 標題 𠀀
4-8 Section ## 歷史
7-8 Section ### 早期
10-11 Section ## 職能",
        );
    }

    #[test]
    fn wikitext_sections_and_a_setext_heading() {
        check(
            "a.wiki",
            "== 甲 ==\n一\n=== 乙 ===\n二\n== 丙 ==\n三",
            "
0-3 Section == 甲 ==
2-3 Section === 乙 ===
4-5 Section == 丙 ==",
        );
        check("b.md", "標題\n===\n內容\n\n", "0-2 Section 標題");
    }

    #[test]
    fn comments_and_code_blocks_spanning_lines_fold_too() {
        check(
            "a.md",
            "# 甲
<!-- 註
𠀀 -->
```
[[不算]]
# 不是標題
```
`一行`
<!-- 一行 -->
",
            "
0-8 Section # 甲
1-2 Comment <!-- 註
3-6 Literal ```",
        );
        check(
            "b.wiki",
            "<pre>
一
</pre>
<nowiki>二</nowiki>
",
            "0-2 Literal <pre>",
        );
    }

    #[test]
    fn empty_sections_and_headingless_text_fold_nothing() {
        check("a.md", "# 一\n# 二\n\n# 三", "");
        check("b.md", "", "");
        check("c.md", "只有文字\n第二行", "");
    }
}
