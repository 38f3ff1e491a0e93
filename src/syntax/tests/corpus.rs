//! Real and generated pages: the chinapedia sample and gen_wiki.py output with its truth file.

use super::{parse_as, position, render_link};
use crate::syntax::{Flavor, Link, LinkSyntax};

/// 0-based line and UTF-16 column.
type Position = (usize, usize);

const SAMPLE: &str = include_str!("../testdata/sample-zh-page.md");

fn count(links: &[Link], syntax: LinkSyntax) -> usize {
    links.iter().filter(|l| l.syntax == syntax).count()
}

#[test]
fn sample_page_finds_every_link() {
    let parsed = parse_as(Flavor::Markdown, SAMPLE);
    assert_eq!(parsed.links.len(), 43);
    assert_eq!(count(&parsed.links, LinkSyntax::MarkdownPath), 38);
    assert_eq!(count(&parsed.links, LinkSyntax::WikiUrl), 4);
    assert_eq!(count(&parsed.links, LinkSyntax::Template), 1);
    assert!(parsed.problems.is_empty());
    let headings: Vec<_> = parsed.headings.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(headings, ["職能", "参考文献", "外部連結", "參見"]);
}

#[test]
fn sample_page_exact_links() {
    let parsed = parse_as(Flavor::Markdown, SAMPLE);
    let rendered: Vec<String> = parsed.links.iter().map(|l| render_link(SAMPLE, l)).collect();
    let expect = [
        "MarkdownPath target=../Page/英語.md label=英語 @0:61-0:91",
        "MarkdownPath target=../Page/香港經濟貿易辦事處_(內地).md label=駐內地經貿辦隸屬 @4:125-4:175",
        "MarkdownPath target=../Page/香港經濟貿易辦事處_(內地).md label=香港經濟貿易辦事處 (內地) @23:8-23:64",
        "Template target=- @29:0-29:5",
        "WikiUrl target=Category:2002年建立政府機構 label=Category:2002年建立政府機構 @34:0-34:85",
    ];
    for line in expect {
        assert!(rendered.iter().any(|r| r == line), "missing {line}\nin {rendered:#?}");
    }
}

/// Every truth entry's `line col..end_col` must be exactly one link's span.
fn check_against_truth(text: &str, truth: &str, flavor: Flavor) {
    let parsed = parse_as(flavor, text);
    let spans: Vec<(Position, Position, &Link)> = parsed
        .links
        .iter()
        .map(|l| {
            (
                position(text, l.span.start as usize),
                position(text, l.span.end as usize),
                l,
            )
        })
        .collect();
    let mut checked = 0;
    for entry in truth.lines() {
        let fields: Vec<&str> = entry.splitn(5, ' ').collect();
        let [line, col, end_col, syntax, target] = fields[..] else {
            panic!("bad truth {entry}")
        };
        let (line, col, end_col): (usize, usize, usize) =
            (line.parse().unwrap(), col.parse().unwrap(), end_col.parse().unwrap());
        let found = spans
            .iter()
            .find(|(s, e, _)| *s == (line, col) && *e == (line, end_col));
        let Some((_, _, link)) = found else {
            panic!("no link at {entry}")
        };
        let written = match link.anchor(text) {
            Some(anchor) => format!("{}#{anchor}", link.target(text)),
            None => link.target(text).to_string(),
        };
        if syntax == "wiki" {
            assert_eq!(written, target, "target of {entry}");
        } else {
            let path = format!("../Page/{}", target.replace(' ', "_"));
            assert_eq!(written.replacen(".md", "", 1), path, "target of {entry}");
        }
        checked += 1;
    }
    assert!(checked > 10);
}

#[test]
fn generated_mediawiki_style_matches_truth() {
    let text = include_str!("../testdata/gen-mediawiki.md");
    check_against_truth(text, include_str!("../testdata/gen-mediawiki.truth"), Flavor::Markdown);
    check_against_truth(text, include_str!("../testdata/gen-mediawiki.truth"), Flavor::Wikitext);
}

#[test]
fn generated_both_style_matches_truth() {
    let text = include_str!("../testdata/gen-both.md");
    check_against_truth(text, include_str!("../testdata/gen-both.truth"), Flavor::Markdown);
}
