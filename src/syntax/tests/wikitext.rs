//! Double brackets, templates, redirects, variant blocks and unclosed constructs.

use super::{check_md, check_problems, check_wiki, parse_as};
use crate::syntax::{Flavor, Span};

#[test]
fn double_bracket_forms() {
    check_wiki(
        "[[T]] [[T|label]] [[T#Section|l]] [[#Sec]] [[Category:X]] [[Category:X|key]] [[:Category:X]] [[en:Foo]] [[Foo (bar)|]] [[ spaced  |x]]",
        "DoubleBracket target=T @0:0-0:5
         DoubleBracket target=T label=label @0:6-0:17
         DoubleBracket target=T anchor=Section label=l @0:18-0:33
         DoubleBracket target= anchor=Sec @0:34-0:42
         DoubleBracket target=Category:X @0:43-0:57
         DoubleBracket target=Category:X label=key @0:58-0:76
         DoubleBracket target=Category:X colon @0:77-0:92
         DoubleBracket target=en:Foo @0:93-0:103
         DoubleBracket target=Foo (bar) label= @0:104-0:118
         DoubleBracket target=spaced label=x @0:119-0:134",
    );
}

#[test]
fn target_span_is_trimmed_and_excludes_colon_and_anchor() {
    let text = "[[ :Category:X # Sec | y]]";
    let link = &parse_as(Flavor::Wikitext, text).links[0];
    assert_eq!(&text[link.target_span.range()], "Category:X");
    assert_eq!(&text[link.anchor_span.unwrap().range()], "Sec");
    assert!(link.leading_colon);
    let text = "[[#Sec]]";
    let link = &parse_as(Flavor::Wikitext, text).links[0];
    assert_eq!(link.target_span, Span::new(2, 2));
}

#[test]
fn escaped_titles_and_anchors_decode_and_plain_ones_read_as_written() {
    let text = "[[𠀀中文#節 𠀀]] [[A&amp;𠀀#x%20y|l]] {{模板&#39;𠀀}} [[A\\(b\\)]]";
    let parsed = parse_as(Flavor::Wikitext, text);
    let read: Vec<(&str, Option<&str>)> = parsed
        .links
        .iter()
        .map(|link| (link.target(text), link.anchor(text)))
        .collect();
    assert_eq!(
        read,
        [
            ("𠀀中文", Some("節 𠀀")),
            ("A&𠀀", Some("x y")),
            ("模板'𠀀", None),
            ("A\\(b\\)", None),
        ]
    );
}

#[test]
fn file_caption_with_nested_links_in_document_order() {
    check_wiki(
        "[[File:a.png|thumb|caption with [[Nested]] and [[B|b]]\nsecond line]] after",
        "DoubleBracket target=File:a.png label=thumb|caption with [[Nested]] and [[B|b]]\nsecond line @0:0-1:13
         DoubleBracket target=Nested @0:32-0:42
         DoubleBracket target=B label=b @0:47-0:54",
    );
}

#[test]
fn double_brackets_also_in_markdown_with_entities_decoded() {
    check_md(
        "x [[Tom&#39;s &amp; B#S&#32;1]] y",
        "DoubleBracket target=Tom's & B anchor=S 1 @0:2-0:31",
    );
}

#[test]
fn invalid_targets_are_not_links_and_not_problems() {
    check_wiki("[[a<b]] [[a{b]] [[a}b]] [[a]b]] [[]] [[|x]] [[ ]] [[#]]", "");
    check_problems(Flavor::Wikitext, "[[a<b]] [[a{b]] [[]]", "");
}

#[test]
fn triple_brackets_keep_the_inner_link() {
    check_wiki(
        "[[[A]]] [[B]]]",
        "DoubleBracket target=A @0:1-0:6\nDoubleBracket target=B @0:8-0:13",
    );
}

#[test]
fn unclosed_links_are_problems() {
    let text = "[[A\nmore]] text [[B|c\n\n[[C|ok]] [[D";
    check_wiki(text, "DoubleBracket target=C label=ok @3:0-3:8");
    check_problems(
        Flavor::Wikitext,
        text,
        "UnclosedLink @0:0-0:3
         UnclosedLink @1:12-1:17
         UnclosedLink @3:9-3:12",
    );
}

#[test]
fn unclosed_file_caption_ends_at_blank_line() {
    let text = "[[File:x.png|a\nb\n\nc]]";
    check_wiki(text, "");
    check_problems(Flavor::Wikitext, text, "UnclosedLink @0:0-1:1");
}

#[test]
fn templates_nested_with_links() {
    check_wiki(
        "{{A|{{B}}|[[C]]}} {{ Infobox person\n| name = {{lang|en|x}}\n}}",
        "Template target=A @0:0-0:17
         Template target=B @0:4-0:9
         DoubleBracket target=C @0:10-0:15
         Template target=Infobox person @0:18-2:2
         Template target=lang @1:9-1:22",
    );
}

#[test]
fn parameters_parser_functions_and_magic_words_are_not_templates() {
    check_wiki(
        "{{{param|{{D}}}}} {{#if:x|[[E]]|{{F}}}} {{PAGENAME}} {{DEFAULTSORT:x}} {{lc:X}} {{ns:0}} {{!}} {{CURRENTMONTHABBREV}} {{NUMBEROFADMINS}} {{UCFIRST:x}}",
        "Template target=D @0:9-0:14
         DoubleBracket target=E @0:26-0:31
         Template target=F @0:32-0:37",
    );
}

#[test]
fn subst_names_the_template_and_leading_colon_is_kept() {
    check_wiki(
        "{{subst:Foo|x}} {{safesubst: Bar}} {{:Main Page}} {{Template:Baz}} {{-}}",
        "Template target=Foo @0:0-0:15
         Template target=Bar @0:16-0:34
         Template target=Main Page colon @0:35-0:49
         Template target=Template:Baz @0:50-0:66
         Template target=- @0:67-0:72",
    );
}

#[test]
fn templates_in_markdown_files() {
    check_md(
        "## 外部連結\n\n{{-}}\n{{Reflist}}\n",
        "Template target=- @2:0-2:5\nTemplate target=Reflist @3:0-3:11",
    );
}

#[test]
fn unclosed_templates_are_problems() {
    let text = "{{A|[[B]]\n\nmore {{C}}";
    check_wiki(text, "DoubleBracket target=B @0:4-0:9\nTemplate target=C @2:5-2:10");
    check_problems(Flavor::Wikitext, text, "UnclosedTemplate @0:0-2:10");
}

#[test]
fn link_inside_closing_template_is_unclosed() {
    let text = "{{A|[[B}} x";
    check_wiki(text, "Template target=A @0:0-0:9");
    check_problems(Flavor::Wikitext, text, "UnclosedLink @0:4-0:7");
}

#[test]
fn redirects() {
    check_wiki(
        "#REDIRECT [[Target#Sec]]\n[[Other]]",
        "Redirect target=Target anchor=Sec @0:0-0:24\nDoubleBracket target=Other @1:0-1:9",
    );
    check_wiki("\u{feff}  #redirect:[[A|b]]", "Redirect target=A label=b @0:3-0:20");
    check_wiki("#重定向 [[甲]]", "Redirect target=甲 @0:0-0:10");
    check_wiki("#重新導向[[乙]]", "Redirect target=乙 @0:0-0:10");
    check_wiki("#REDIRECCIÓN [[C]]", "Redirect target=C @0:0-0:18");
    check_wiki("#WEITERLEITUNG [[D]]", "Redirect target=D @0:0-0:20");
    check_wiki("#転送 [[E]]", "Redirect target=E @0:0-0:9");
    check_wiki("text\n#REDIRECT [[F]]", "DoubleBracket target=F @1:10-1:15");
    check_md("#REDIRECT [[G]]", "Redirect target=G @0:0-0:15");
}

#[test]
fn variant_blocks_nest_and_links_inside_are_found() {
    let text = "a -{zh-cn:[[中]]; zh-tw:-{x}-}- b -{ {{T}} }- -{{{P}}}-";
    let parsed = parse_as(Flavor::Wikitext, text);
    assert_eq!(
        parsed.variant_blocks,
        vec![Span::new(2, 32), Span::new(25, 30), Span::new(35, 46)]
    );
    check_wiki(text, "DoubleBracket target=中 @0:10-0:15\nTemplate target=T @0:36-0:41");
}

/// With nothing open, the scanner jumps from one `[[`, `{{` or `-{` to the next: a variant
/// opened right where another closed, runs of three or four, escapes and single brackets
/// between them must read as they would byte by byte (escaped, `\\[[C]]` and `\\{{D}}` open
/// nothing).
#[test]
fn openers_after_single_brackets_closes_and_escapes() {
    let text = "[a](x.md) -{a}-{b}- [[[A]]] {{{{B}}}} \\[[C]] \\{{D}} {x} [y] [[E]]";
    let parsed = parse_as(Flavor::Markdown, text);
    assert_eq!(parsed.variant_blocks, vec![Span::new(10, 15), Span::new(14, 19)]);
    check_md(
        text,
        "MarkdownPath target=x.md label=a @0:0-0:9
         DoubleBracket target=A @0:21-0:26
         Template target=B @0:30-0:35
         DoubleBracket target=E @0:60-0:65",
    );
}

#[test]
fn million_unclosed_brackets_stay_linear() {
    let text = "[[".repeat(1_000_000);
    let parsed = parse_as(Flavor::Markdown, &text);
    assert!(parsed.links.is_empty());
    assert_eq!(parsed.problems.len(), 1);
    let text = "[[a ".repeat(500_000);
    let parsed = parse_as(Flavor::Markdown, &text);
    assert_eq!(parsed.problems.len(), crate::syntax::MAX_PROBLEMS_PER_DOCUMENT);
    let nested = format!("{}x{}", "[[a|".repeat(100_000), "]]".repeat(100_000));
    assert_eq!(parse_as(Flavor::Wikitext, &nested).links.len(), 100_000);
    let braces = "{{".repeat(500_000) + &"}}".repeat(500_000) + &"-{".repeat(300_000);
    assert_eq!(parse_as(Flavor::Wikitext, &braces).problems.len(), 0);
    // Timings are never asserted (a loaded CI machine made this flaky); the release figures
    // are in the README's Reliability section (`tests/resource_bounds.rs`).
}

#[test]
fn bracketed_markdown_label_is_not_a_wiki_link() {
    check_md(
        "[[1]](#cite_note-1) [[A]] (x)",
        "MarkdownPath target= anchor=cite_note-1 label=[1] @0:0-0:19\nDoubleBracket target=A @0:20-0:25",
    );
    check_wiki("[[1]](x)", "DoubleBracket target=1 @0:0-0:5");
}

#[test]
fn crlf_in_wikitext_links_headings_and_problems() {
    let text = "== 標題 ==\r\n[[A|b]]\r\n[[C\r\n";
    check_wiki(text, "DoubleBracket target=A label=b @1:0-1:7");
    check_problems(Flavor::Wikitext, text, "UnclosedLink @2:0-2:3");
    let parsed = parse_as(Flavor::Wikitext, text);
    assert_eq!(parsed.headings.len(), 1);
    assert_eq!(parsed.headings[0].text, "標題");
    assert_eq!(&text[parsed.headings[0].span.range()], "== 標題 ==");
}

#[test]
fn unclosed_parameter_and_parser_function_arguments() {
    let text = "{{#if:{{X}}|[[Y]]}} {{{a|b}}";
    check_wiki(text, "Template target=X @0:6-0:11\nDoubleBracket target=Y @0:12-0:17");
    check_problems(Flavor::Wikitext, text, "UnclosedTemplate @0:20-0:28");
}
