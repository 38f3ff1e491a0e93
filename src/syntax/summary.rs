//! A page's summary for hovers: its first paragraph as a reader sees it, without headings,
//! templates, tables, comments, categories or media, links reduced to their labels.

use super::heading_text::visible_text_hiding;
use super::mask::Mask;
use super::{Flavor, Link, LinkSyntax, ParseOptions, Span};
use crate::title::{self, Namespace, TitleRules, TitleTarget};

/// The first paragraph of `text` with visible text, markup stripped, cut after `max_chars`
/// characters (with `…`); empty when the page has no prose.
pub fn first_paragraph(text: &str, flavor: Flavor, max_chars: usize) -> String {
    let parsed = super::parse(text, &ParseOptions::new(flavor));
    let mask = Mask::compute(text, flavor);
    let bytes = text.as_bytes();
    let rules = TitleRules::default();
    let hidden = |link: &Link| is_hidden_in_summary(text, link, &rules);
    let mut paragraph: Option<(usize, usize)> = None;
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end = memchr::memchr(b'\n', &bytes[line_start..]).map_or(text.len(), |at| line_start + at);
        let mut next = line_end + 1;
        let line = text.get(line_start..line_end).unwrap_or("");
        let trimmed = line.trim();
        let skipped_until = structural_block_end(text, &parsed, &mask, line_start, line_end, trimmed);
        if skipped_until.is_some() || trimmed.is_empty() {
            // Whatever is skipped, the scan moves forward.
            next = skipped_until.unwrap_or(next).max(line_start + 1);
            if let Some((start, end)) = paragraph.take() {
                let summary = paragraph_text(text, start, end, &|piece| {
                    visible_text_hiding(text, piece, &mask, flavor, &parsed.links, &hidden)
                });
                if !summary.is_empty() {
                    return truncated(summary, max_chars);
                }
            }
        } else {
            let start = paragraph.map_or(line_start, |(start, _)| start);
            paragraph = Some((start, line_end));
        }
        line_start = next;
    }
    match paragraph {
        Some((start, end)) => truncated(
            paragraph_text(text, start, end, &|piece| {
                visible_text_hiding(text, piece, &mask, flavor, &parsed.links, &hidden)
            }),
            max_chars,
        ),
        None => String::new(),
    }
}

/// The visible text of `start..end` without its footnotes (`<ref>…</ref>`, `<ref … />`), which
/// the Walk would otherwise show: a tag's content stays visible.
fn paragraph_text(text: &str, start: usize, end: usize, visible: &dyn Fn(Span) -> String) -> String {
    let mut joined = String::new();
    let mut position = start;
    for (ref_start, ref_end) in footnotes(text, start, end) {
        joined.push_str(&visible(Span::new(position, ref_start)));
        // Pieces come back trimmed: a space around the footnote separated words.
        let spaced_before = text.get(..ref_start).and_then(|before| before.chars().next_back());
        let spaced_after = text.get(ref_end..).and_then(|after| after.chars().next());
        if spaced_before.is_some_and(char::is_whitespace) || spaced_after.is_some_and(char::is_whitespace) {
            joined.push(' ');
        }
        position = ref_end;
    }
    joined.push_str(&visible(Span::new(position, end)));
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `<ref>` elements inside `start..end`, in order.
fn footnotes(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let Some(paragraph) = text.get(start..end) else {
        return Vec::new();
    };
    let lower = paragraph.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|rest| rest.find("<ref")).map(|at| from + at) {
        let after_name = lower.as_bytes().get(at + 4).copied();
        let Some(tag_end) = lower[at..].find('>').map(|close| at + close + 1) else {
            break;
        };
        if !matches!(after_name, Some(b'>' | b' ' | b'/')) {
            from = at + 4;
            continue;
        }
        let element_end = if lower[..tag_end].ends_with("/>") {
            tag_end
        } else {
            lower[tag_end..]
                .find("</ref>")
                .map_or(tag_end, |close| tag_end + close + "</ref>".len())
        };
        found.push((start + at, start + element_end));
        from = element_end;
    }
    found
}

/// Where a line that is not prose ends its block: a heading, a template or table starting the
/// line, a Markdown table row, a redirect, or a masked region (comment, code) covering it.
fn structural_block_end(
    text: &str,
    parsed: &super::Parsed,
    mask: &Mask,
    line_start: usize,
    line_end: usize,
    trimmed: &str,
) -> Option<usize> {
    if let Some(heading) = parsed
        .headings
        .iter()
        .find(|heading| heading.span.range().contains(&line_start))
    {
        return Some(heading.span.end as usize + 1);
    }
    let line = text.get(line_start..line_end)?;
    let content_start = line_start + (line.len() - line.trim_start().len());
    let content_end = line_start + line.trim_end().len();
    if let Some(range) = mask.range_at(content_start) {
        if range.end >= content_end {
            return Some(range.end + 1);
        }
    }
    if trimmed.starts_with("{{") {
        // A template opening the line is skipped whole, lines included.
        let template_end = parsed
            .links
            .iter()
            .find(|link| link.span.start as usize == content_start && link.syntax == LinkSyntax::Template)
            .map(|link| link.span.end as usize);
        return Some(template_end.unwrap_or(line_end + 1));
    }
    if trimmed.starts_with("{|") {
        let after = text.get(line_end..)?;
        let close = after
            .match_indices('\n')
            .find(|(at, _)| after[at + 1..].trim_start().starts_with("|}"))
            .map(|(at, _)| line_end + at + 1);
        return Some(close.map_or(text.len(), |close| {
            memchr::memchr(b'\n', &text.as_bytes()[close..]).map_or(text.len(), |at| close + at + 1)
        }));
    }
    if trimmed.starts_with('|') || trimmed.starts_with('!') || trimmed.starts_with("__") {
        return Some(line_end + 1);
    }
    if let Some(link) = parsed
        .links
        .iter()
        .find(|link| link.span.start as usize == content_start && link.syntax == LinkSyntax::Redirect)
    {
        return Some(link.span.end as usize);
    }
    None
}

/// Categories, media and interwiki links show nothing a reader would call the page's text.
fn is_hidden_in_summary(text: &str, link: &Link, rules: &TitleRules) -> bool {
    if matches!(link.syntax, LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor) || link.leading_colon {
        return false;
    }
    match title::parse_title(link.target(text), rules) {
        TitleTarget::Page(title) => matches!(
            title.namespace,
            Namespace::Category | Namespace::File | Namespace::Media
        ),
        TitleTarget::Interwiki { .. } => true,
        TitleTarget::Invalid(_) => false,
    }
}

fn truncated(text: String, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str, flavor: Flavor) -> String {
        first_paragraph(text, flavor, 20)
    }

    #[test]
    fn skips_headings_templates_tables_and_comments() {
        let text = "== 歷史 ==\n{{Infobox\n| name = x\n}}\n<!-- 註解\n-->\n{| class=x\n| a\n|}\n'''粗體'''[[A|甲]]與[[B]]，{{lang|en|x}}<ref>r</ref>。\n第二行\n\n下一段";
        assert_eq!(summary(text, Flavor::Wikitext), "粗體甲與B，。 第二行");
        let text = "甲<ref name=x>注[[A]]</ref>乙<REF name=y />丙<references/>丁 a <ref>x</ref> b<ref>未閉";
        assert_eq!(first_paragraph(text, Flavor::Wikitext, 100), "甲乙丙丁 a b未閉");
    }

    #[test]
    fn hides_categories_and_media_and_cuts_on_a_character() {
        let text = "# 首頁\n\n[[File:X.png|thumb|圖]] **首頁**連到[政制](../Page/政制.md \"wikilink\")𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀\n[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 \"wikilink\")";
        assert_eq!(
            summary(text, Flavor::Markdown),
            "首頁連到政制𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀…"
        );
    }

    #[test]
    fn a_page_without_prose_has_no_summary() {
        assert_eq!(summary("#REDIRECT [[X]]\n", Flavor::Wikitext), "");
        assert_eq!(summary("", Flavor::Markdown), "");
        assert_eq!(summary("{{A}}\n\n== B ==\n", Flavor::Wikitext), "");
    }
}
