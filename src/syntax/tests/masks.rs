//! Nothing is extracted inside code, `<nowiki>`, `<pre>`, comments and escaped brackets.

use super::{check_md, check_wiki};

#[test]
fn fenced_code_blocks() {
    check_md(
        "```rust\n[[A]] [x](B.md)\n```\n[[C]]\n~~~~\n{{D}}\n~~~\nstill code [[E]]\n~~~~~\n[[F]]",
        "DoubleBracket target=C @3:0-3:5\nDoubleBracket target=F @9:0-9:5",
    );
}

#[test]
fn unclosed_fence_runs_to_the_end_and_backtick_info_rules() {
    check_md("```\n[[A]]", "");
    check_md("``` a`b\n[[A]]\n```", "DoubleBracket target=A @1:0-1:5");
}

#[test]
fn indented_code_only_where_commonmark_has_it() {
    check_md(
        "para\n\n    [[Code]]\n\n  - [[Item]]\n      - [[Nested]]\n\n    - [[AfterBlank]]\ntext\n    [[Continuation]]",
        "DoubleBracket target=Item @4:4-4:12
         DoubleBracket target=Nested @5:8-5:18
         DoubleBracket target=AfterBlank @7:6-7:20
         DoubleBracket target=Continuation @9:4-9:20",
    );
}

#[test]
fn wikitext_has_no_indented_code_or_fences() {
    check_wiki(
        "a\n\n    [[A]]\n```\n[[B]]\n```",
        "DoubleBracket target=A @2:4-2:9\nDoubleBracket target=B @4:0-4:5",
    );
}

#[test]
fn code_spans() {
    check_md(
        "`[[A]]` ``x ` [[B]]`` [[C]] `unclosed [[D]]",
        "DoubleBracket target=C @0:22-0:27\nDoubleBracket target=D @0:38-0:43",
    );
    check_md(r"\`[[E]]`", "DoubleBracket target=E @0:2-0:7");
}

#[test]
fn literal_tags_and_comments() {
    check_wiki(
        "<nowiki>[[A]]</nowiki> <nowiki/>[[B]] <pre class=x>{{C}}</pre> <code>[[D]]</CODE> <math>{{E}}</math> <syntaxhighlight lang=\"c\">[[F]]</syntaxhighlight> <source>[[G]]</source> <!-- [[H]] --> [[I]]",
        "DoubleBracket target=B @0:32-0:37\nDoubleBracket target=I @0:189-0:194",
    );
    check_md("<!-- [[A]]\n\n[[B]]", "");
    check_wiki(
        "<nowiki>[[A]] [[B]]",
        "DoubleBracket target=A @0:8-0:13\nDoubleBracket target=B @0:14-0:19",
    );
}

#[test]
fn comment_inside_link_target_does_not_break_scanning() {
    check_wiki(
        "[[A]]<!-- ]] -->[[B]]",
        "DoubleBracket target=A @0:0-0:5\nDoubleBracket target=B @0:16-0:21",
    );
}

#[test]
fn escaped_brackets_in_markdown() {
    check_md(r"\[\[A\]\] \[[B]] [[C]]", "DoubleBracket target=C @0:17-0:22");
    check_wiki(r"\[[B]]", "DoubleBracket target=B @0:1-0:6");
}
