//! ATX, setext and wikitext headings and their visible text.

use super::{parse_as, render_span};
use crate::syntax::Flavor;

fn headings(flavor: Flavor, text: &str) -> String {
    let parsed = parse_as(flavor, text);
    let rendered = parsed.headings.iter().map(|h| {
        let written = &text[h.text_span.range()];
        format!("{} {:?} {:?} {}", h.level, h.text, written, render_span(text, h.span))
    });
    rendered.collect::<Vec<_>>().join("\n")
}

fn check(flavor: Flavor, text: &str, expect: &str) {
    assert_eq!(headings(flavor, text), super::expected(expect), "headings of {text:?}");
}

#[test]
fn atx_headings() {
    check(
        Flavor::Markdown,
        "# One\n## Two ##\n   ### Three #\n#NoSpace\n####### Seven\n    # Code\n##\n###### Six",
        r#"1 "One" "One" @0:0-0:5
           2 "Two" "Two" @1:0-1:9
           3 "Three" "Three" @2:0-2:14
           2 "" "" @6:0-6:2
           6 "Six" "Six" @7:0-7:10"#,
    );
}

#[test]
fn setext_headings_and_thematic_breaks() {
    check(
        Flavor::Markdown,
        "Title\n===\n\nSub\ntwo lines\n---\n\n---\n- item\n---\npara\n  ---  ",
        r#"1 "Title" "Title" @0:0-1:3
           2 "Sub two lines" "Sub\ntwo lines" @3:0-5:3
           2 "para" "para" @10:0-11:7"#,
    );
}

#[test]
fn wikitext_headings_with_unequal_markers_and_trailing_comments() {
    check(
        Flavor::Wikitext,
        "== A ==\n=== B ==\n== C === <!-- c -->  \n======= D =======\n= E\n=F=\n =G=",
        r#"2 "A" "A" @0:0-0:7
           2 "= B" "= B" @1:0-1:8
           2 "C =" "C =" @2:0-2:21
           6 "= D =" "= D =" @3:0-3:17
           1 "F" "F" @5:0-5:3"#,
    );
}

#[test]
fn wikitext_headings_in_markdown_but_not_setext_in_wikitext() {
    check(Flavor::Markdown, "== 職能 ==\n", r#"2 "職能" "職能" @0:0-0:8"#);
    check(Flavor::Wikitext, "Title\n---\n## x", "");
}

#[test]
fn heading_text_is_what_a_reader_sees() {
    check(
        Flavor::Wikitext,
        "== [[Foo|bar]] ''baz'' '''q''' [[Plain]] {{T}} <span>s</span> &amp; <!--x--> <nowiki>''n''</nowiki> ==",
        r#"2 "bar baz q Plain s & ''n''" "[[Foo|bar]] ''baz'' '''q''' [[Plain]] {{T}} <span>s</span> &amp; <!--x--> <nowiki>''n''</nowiki>" @0:0-0:102"#,
    );
    check(
        Flavor::Markdown,
        "## [香港](../Page/香港.md \"wikilink\") **粗** _em_ snake_case `co*de` [ext](http://x.org) \\*lit",
        r#"2 "香港 粗 em snake_case co*de ext *lit" "[香港](../Page/香港.md \"wikilink\") **粗** _em_ snake_case `co*de` [ext](http://x.org) \\*lit" @0:0-0:89"#,
    );
}

#[test]
fn headings_inside_code_are_ignored_and_crlf_is_excluded() {
    check(
        Flavor::Markdown,
        "```\n# Not\n```\n<!--\n== No ==\n-->\n# Yes\r\n",
        r#"1 "Yes" "Yes" @6:0-6:5"#,
    );
}
