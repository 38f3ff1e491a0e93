//! Markdown links, HTML anchors and wiki URLs.

use super::{check_md, parse_as};
use crate::syntax::{parse, Decoded, Flavor, LinkSyntax, ParseOptions};

#[test]
fn wikilink_with_title() {
    check_md(
        "See [英語](../Page/英語.md \"wikilink\") here",
        "MarkdownPath target=../Page/英語.md label=英語 @0:4-0:34",
    );
}

#[test]
fn destination_forms_angle_brackets_fragments_and_titles() {
    check_md(
        "[a](<Some page.md>) [b](../Page/A.md#Sec) [c](#Only) [d](x.md 'single') [e](y.wiki (paren))",
        "MarkdownPath target=Some page.md label=a @0:0-0:19
         MarkdownPath target=../Page/A.md anchor=Sec label=b @0:20-0:41
         MarkdownPath target= anchor=Only label=c @0:42-0:52
         MarkdownPath target=x.md label=d @0:53-0:71
         MarkdownPath target=y.wiki label=e @0:72-0:91",
    );
}

/// The one scan of a bare destination finds its end, its fragment's `#` and whether decoding
/// can change it; these are the cases where each is easy to get wrong.
#[test]
fn bare_destination_scan_finds_fragments_and_escapes() {
    check_md(
        "[a](A&#35;B.md#C) [b](A\\#B.md#C) [c](A%28b%29.md#%E4%B8%AD) [d](x\u{1}y.md) [e](x\u{1}(y).md) [f](A_(b).md#c)",
        "MarkdownPath target=A#B.md anchor=C label=a @0:0-0:17
         MarkdownPath target=A#B.md anchor=C label=b @0:18-0:32
         MarkdownPath target=A(b).md anchor=中 label=c @0:33-0:59
         MarkdownPath target=x\u{1}y.md label=d @0:60-0:71
         MarkdownPath target=A_(b).md anchor=c label=f @0:86-0:101",
    );
}

#[test]
fn target_and_anchor_spans_are_raw_text() {
    let text = "[x](../Page/A\\(b\\).md#S%20t \"wikilink\")";
    let link = &parse_as(Flavor::Markdown, text).links[0];
    assert_eq!(&text[link.target_span.range()], "../Page/A\\(b\\).md");
    assert_eq!(&text[link.anchor_span.unwrap().range()], "S%20t");
    assert_eq!(link.target(text), "../Page/A(b).md");
    assert_eq!(link.anchor(text), Some("S t"));
}

/// Targets and anchors are read through their spans; only those that decoding changes keep a
/// copy, and which escapes apply depends on the syntax (HTML attributes keep backslashes).
#[test]
fn decoded_targets_keep_a_copy_only_when_escapes_change_them() {
    let text = "[a](../Page/中文_𠀀.md#節𠀀) [b](../Page/𠀀_\\(書\\).md#A%20𠀀) [c](../Page/A%zz&x.md#&amp;) \
                <a href=\"../Page/𠀀_\\(書\\).md#S%20t\">d</a> [e](https://zh.wikipedia.org/wiki/中&amp;文#節%E7%AF%80)";
    let parsed = parse_as(Flavor::Markdown, text);
    let read: Vec<(&str, Option<&str>, bool, bool)> = parsed
        .links
        .iter()
        .map(|link| {
            (
                link.target(text),
                link.anchor(text),
                link.target_decoded == Decoded::AsWritten,
                link.anchor_decoded == Decoded::AsWritten,
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("../Page/中文_𠀀.md", Some("節𠀀"), true, true),
            ("../Page/𠀀_(書).md", Some("A 𠀀"), false, false),
            // `%zz` and a bare `&` decode to themselves: nothing kept.
            ("../Page/A%zz&x.md", Some("&"), true, false),
            ("../Page/𠀀_\\(書\\).md", Some("S t"), true, false),
            ("中&文", Some("節節"), false, false),
        ]
    );
}

#[test]
fn labels_with_escaped_and_nested_brackets_and_markup() {
    check_md(
        r"[a \[b\] c](A.md) [x [y] **z**](B.md) [`code]`](C.md)",
        r"MarkdownPath target=A.md label=a \[b\] c @0:0-0:17
          MarkdownPath target=B.md label=x [y] **z** @0:18-0:37
          MarkdownPath target=C.md label=`code]` @0:38-0:53",
    );
}

#[test]
fn destination_decoding_escapes_percent_entities() {
    check_md(
        r"[a](../Page/\(+\)-ネオメントール.md) [b](../Page/香港經濟貿易辦事處_\(內地\).md) [c](%E4%B8%AD%20x.md) [d](Tom&amp;Jerry.md)",
        r"MarkdownPath target=../Page/(+)-ネオメントール.md label=a @0:0-0:29
          MarkdownPath target=../Page/香港經濟貿易辦事處_(內地).md label=b @0:30-0:62
          MarkdownPath target=中 x.md label=c @0:63-0:84
          MarkdownPath target=Tom&Jerry.md label=d @0:85-0:106",
    );
}

#[test]
fn file_names_with_punctuation_and_leading_dots() {
    check_md(
        r#"[a](../Page/.hack.md) [b](../Page/What\?.md) [c](../Page/Rock_\'n\'_Roll!.md) [d](../Page/$100+,\"x\".md) [e](../Page/A_&_B.md)"#,
        r#"MarkdownPath target=../Page/.hack.md label=a @0:0-0:21
           MarkdownPath target=../Page/What?.md label=b @0:22-0:44
           MarkdownPath target=../Page/Rock_'n'_Roll!.md label=c @0:45-0:77
           MarkdownPath target=../Page/$100+,"x".md label=d @0:78-0:105
           MarkdownPath target=../Page/A_&_B.md label=e @0:106-0:127"#,
    );
}

#[test]
fn non_wiki_destinations_are_not_links() {
    check_md(
        "[a](http://example.com/x.md) ![img](../Page/A.md) [b](pic.png) [c]() [d] [e][ref] [f](mailto:a.md)",
        "",
    );
}

#[test]
fn html_anchors() {
    check_md(
        r#"<a href="../Page/X.md" title="wikilink">label</a> <A class=x HREF='../Page/Tom&#39;s&amp;.md#S'>y</A>"#,
        "HtmlAnchor target=../Page/X.md label=label @0:0-0:49
         HtmlAnchor target=../Page/Tom's&.md anchor=S label=y @0:50-0:101",
    );
}

#[test]
fn html_anchor_to_wiki_url_and_other_sites() {
    check_md(
        r#"<a href="https://zh.wikipedia.org/wiki/六月">x</a> <a href="https://example.com/">y</a>"#,
        "WikiUrl target=六月 label=x @0:0-0:48",
    );
}

#[test]
fn wiki_urls_of_all_shapes() {
    check_md(
        "[a](https://zh.wikipedia.org/wiki/Category:X \"wikilink\")
[b](https://zh-yue.wikipedia.org/wiki/Foo_bar#Sec)
[c](http://en.m.wikipedia.org/wiki/A%20B)
[d](https://zh.wikipedia.org/zh-hans/中国)
[e](https://zh.wikipedia.org/zh-tw/台灣?variant=x)
[f](https://zh.wikipedia.org/w/index.php?title=Foo&action=edit)
[g](https://zh.wikipedia.org/index.php?action=raw&title=Bar#S)
[h](https://zh.wikipedia.org/wiki/Club_\\(行星\\) \"wikilink\")",
        "WikiUrl target=Category:X label=a @0:0-0:56
         WikiUrl target=Foo_bar anchor=Sec label=b @1:0-1:50
         WikiUrl target=A B label=c @2:0-2:41
         WikiUrl target=中国 label=d @3:0-3:40
         WikiUrl target=台灣 label=e @4:0-4:48
         WikiUrl target=Foo label=f @5:0-5:63
         WikiUrl target=Bar anchor=S label=g @6:0-6:62
         WikiUrl target=Club_(行星) label=h @7:0-7:57",
    );
}

#[test]
fn non_wiki_urls_are_ignored() {
    check_md(
        "[a](https://zh.wikipedia.org/wiki/) [b](https://wikipedia.org/wiki/X) [c](https://zh.wikipedia.org.evil/wiki/X) [d](https://zh.wikipedia.org/static/x.md)",
        "",
    );
}

#[test]
fn configured_wiki_base_urls() {
    let mut options = ParseOptions::new(Flavor::Markdown);
    options
        .wiki_base_urls
        .push("https://wiki.example.org/wiki/".to_string());
    let text = "[x](https://wiki.example.org/wiki/Main_Page#Top) [y](https://wiki.example.org/other/Z)";
    let parsed = parse(text, &options);
    assert_eq!(parsed.links.len(), 1);
    assert_eq!(parsed.links[0].syntax, LinkSyntax::WikiUrl);
    assert_eq!(parsed.links[0].target(text), "Main_Page");
    assert_eq!(parsed.links[0].anchor(text), Some("Top"));
}

#[test]
fn astral_characters_and_fullwidth_punctuation_shift_utf16_columns() {
    check_md(
        "𠀀𠮷：[甲](A.md)，\u{3000}[乙](../Page/𠮷.md \"wikilink\")。",
        "MarkdownPath target=A.md label=甲 @0:5-0:14
         MarkdownPath target=../Page/𠮷.md label=乙 @0:16-0:45",
    );
}

#[test]
fn crlf_line_endings() {
    check_md(
        "a\r\n[x](A.md)\r\n\r\n  - [y](B.md)\r\n",
        "MarkdownPath target=A.md label=x @1:0-1:9
         MarkdownPath target=B.md label=y @3:4-3:13",
    );
}

#[test]
fn link_may_not_contain_link_and_blank_line_resets_brackets() {
    check_md(
        "[a [b](B.md) c](C.md) [x\n\ny](D.md)",
        "MarkdownPath target=B.md label=b @0:3-0:12",
    );
}

#[test]
fn empty_text() {
    check_md("", "");
    assert_eq!(parse_as(Flavor::Wikitext, ""), Default::default());
}
