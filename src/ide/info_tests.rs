//! Fixtures for the information features: hover, document symbols, workspace symbols, document
//! links and semantic tokens. Same format as `tests.rs`: `//- path` sections and a `$0` cursor.

use super::tests::fixture;
use crate::ide::hover::hover;
use crate::layout::Layout;

/// The texts of a fixture's sections, cursor removed, as a hover's `read_text` would find them.
fn section_texts(wiki: &str) -> Vec<(String, String)> {
    wiki.split("//- ")
        .filter(|section| !section.trim().is_empty())
        .filter_map(|section| {
            let (header, text) = section.split_once('\n').unwrap_or((section, ""));
            let header = header.trim();
            (!header.contains(" -> ")).then(|| (header.to_string(), text.replacen("$0", "", 1)))
        })
        .collect()
}

fn check_hover(layout: Layout, wiki: &str, expected: &str) {
    let (index, path, text, offset) = fixture(layout, wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let texts = section_texts(wiki);
    let read_text = |path: &str| {
        texts
            .iter()
            .find(|(section, _)| section == path)
            .map(|(_, text)| text.clone())
    };
    let found = match hover(&index, &document, offset, &read_text) {
        Some(found) => format!("{}\n---\n{}", &text[found.span.range()], found.markdown()),
        None => String::new(),
    };
    assert_eq!(found, expected.trim(), "\nfixture:\n{wiki}");
}

#[test]
fn hover_on_a_page_link_shows_title_path_summary_categories_and_backlinks() {
    check_hover(
        Layout::Export,
        r#"
//- Page/A.md
中𠀀 [B]($0../Page/B_\(x\).md "wikilink")
//- Page/B_(x).md
# B (x)

{{Infobox}}
**B** 是[一個](../Page/C.md "wikilink")*頁面*<!-- 註 -->。
第二行 [[File:X.png|thumb|圖]]

下一段
[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 "wikilink")
[[Category:Foo_bar]]
//- Page/C.md
[[B (x)]]
"#,
        r#"
[B](../Page/B_\(x\).md "wikilink")
---
**B (x)** `Page/B_(x).md`

B 是一個頁面。 第二行

Categories: 香港 · Foo bar

2 documents link here
"#,
    );
}

#[test]
fn hover_through_a_redirect_and_a_variant_names_both_and_the_section() {
    check_hover(
        Layout::Export,
        r#"
//- Page/A.md
[[政制及内地事务局$0#職能]]
//- Page/政制及內地事務局.md
決策局。
## 職能
//- Redirect/政制及内地事务局.md -> ../Page/政制及內地事務局.md
"#,
        r#"
[[政制及内地事务局#職能]]
---
**政制及內地事務局** `Page/政制及內地事務局.md`

Through the redirect `Redirect/政制及内地事务局.md`

Section **職能** (line 2)

決策局。

1 document links here
"#,
    );
    check_hover(
        Layout::Tree,
        "
//- A.wiki
[[內地$0]]
//- 内地.wiki
簡體。
",
        "
[[內地]]
---
**内地** `内地.wiki`

Written `內地`, found as its Traditional/Simplified variant `内地`

簡體。

1 document links here
",
    );
}

#[test]
fn hover_on_a_category_lists_its_members_sorted() {
    check_hover(
        Layout::Tree,
        "
//- Z.wiki
[[Category:Foo$0]]
//- B.wiki
[[Category:Foo|sort]]
//- Category:Foo.wiki
Foo 分類。
",
        "
[[Category:Foo]]
---
**Category:Foo** `Category:Foo.wiki`

Foo 分類。

2 members: **B**, **Z**
",
    );
    check_hover(
        Layout::Tree,
        "//- A.wiki\n[[:Category:Nothing$0]]\n",
        "[[:Category:Nothing]]\n---\n**Category:Nothing** (no category page)\n\n0 members",
    );
}

#[test]
fn hover_on_a_template_shows_its_summary_and_uses() {
    check_hover(
        Layout::Tree,
        "
//- A.wiki
{{Info$0box|x=1}}
//- Template:Infobox.wiki
<noinclude>資訊框 *說明*</noinclude>
{{{name}}}
",
        r"
{{Infobox|x=1}}
---
**Template:Infobox** `Template:Infobox.wiki`

資訊框 \*說明\*

Used by 1 document
",
    );
}

#[test]
fn hover_on_a_broken_link_says_what_was_looked_for() {
    check_hover(
        Layout::Export,
        r#"
//- Page/A.md
𠀀[[不存在$0的頁面]]
"#,
        r"
[[不存在的頁面]]
---
**Broken link**: no page \`不存在的頁面\` (looked for Page/不存在的頁面.md, Redirect/不存在的頁面.md and Traditional/Simplified variants)
",
    );
}

#[test]
fn hover_on_a_same_page_anchor_shows_the_heading() {
    check_hover(
        Layout::Tree,
        "//- A.wiki\n== 歷史 ==\n[[#歷$0史]] [[#沒有]]\n",
        "[[#歷史]]\n---\nSection **歷史** (line 1)",
    );
    check_hover(
        Layout::Tree,
        "//- A.wiki\n== 歷史 ==\n[[#歷史]] [[#沒$0有]]\n",
        "[[#沒有]]\n---\n**Broken anchor**: no heading `沒有`",
    );
}

#[test]
fn hover_off_links_and_on_interwiki_links_is_empty() {
    check_hover(Layout::Tree, "//- A.wiki\nplain $0text [[en:Foo]]\n", "");
    check_hover(Layout::Tree, "//- A.wiki\n[[en:F$0oo]]\n", "");
}

fn check_document_symbols(flavor: crate::syntax::Flavor, text: &str, expected: &str) {
    fn draw(symbols: &[SectionSymbol], text: &str, depth: usize, lines: &mut Vec<String>) {
        for symbol in symbols {
            lines.push(format!(
                "{}{} [{}] {:?}",
                "  ".repeat(depth),
                symbol.name,
                &text[symbol.selection_span.range()],
                &text[symbol.span.range()]
            ));
            draw(&symbol.children, text, depth + 1, lines);
        }
    }
    let mut lines = Vec::new();
    draw(&document_symbols(text, flavor), text, 0, &mut lines);
    assert_eq!(lines.join("\n"), expected.trim(), "\ntext:\n{text}");
}

use crate::ide::document_symbol::{document_symbols, SectionSymbol};
use crate::syntax::Flavor;

#[test]
fn document_symbols_nest_markdown_headings_by_level_with_their_sections() {
    check_document_symbols(
        Flavor::Markdown,
        "前言\n# 甲𠀀\n一\n### 乙 [[B|丙]]\n二\n\n## 丁\n三\n\n戊\n===\n# \n",
        r####"
甲𠀀 [甲𠀀] "# 甲𠀀\n一\n### 乙 [[B|丙]]\n二\n\n## 丁\n三"
  乙 丙 [乙 [[B|丙]]] "### 乙 [[B|丙]]\n二"
  丁 [丁] "## 丁\n三"
戊 [戊] "戊\n==="
(untitled) [# ] "# "
"####,
    );
}

#[test]
fn document_symbols_of_wikitext_headings_and_an_empty_document() {
    check_document_symbols(
        Flavor::Wikitext,
        "== 歷史 ==\nx\n=== 早期 ===\ny\n== 參考 ==\n",
        r#"
歷史 [歷史] "== 歷史 ==\nx\n=== 早期 ===\ny"
  早期 [早期] "=== 早期 ===\ny"
參考 [參考] "== 參考 =="
"#,
    );
    check_document_symbols(Flavor::Wikitext, "", "");
}

fn check_workspace_symbols(wiki: &str, query: &str, limit: usize, expected: &str) {
    let (index, _, _, _) = fixture(Layout::Export, &format!("//- Page/Cursor.md\n$0\n{wiki}"));
    let table = crate::ide::completion_table::CompletionTable::build(&index);
    let found: Vec<String> = crate::ide::workspace_symbol::workspace_symbols(&index, &table, query, limit)
        .iter()
        .map(|symbol| {
            format!(
                "{} {:?} {}{}",
                symbol.title,
                symbol.namespace,
                symbol.path,
                if symbol.alias_only { " (alias)" } else { "" }
            )
        })
        .collect();
    assert_eq!(found.join("\n"), expected.trim(), "\nquery: {query}");
}

const SYMBOL_WIKI: &str = r#"
//- Page/政制及內地事務局.md
x
//- Page/內地.md
[[政制及內地事務局]] [[內地事務]]
//- Page/內地事務.md
[[內地]]
//- Page/B.md
[[內地]] [[Category:內地]]
//- Category/內地.md
c
//- Redirect/内地别名.md -> ../Page/內地.md
"#;

#[test]
fn workspace_symbols_match_across_scripts_exact_then_prefix_then_fuzzy() {
    check_workspace_symbols(
        SYMBOL_WIKI,
        "内地",
        10,
        "
內地 Main Page/內地.md
Category:內地 Category Category/內地.md
內地事務 Main Page/內地事務.md
内地别名 Main Redirect/内地别名.md (alias)
政制及內地事務局 Main Page/政制及內地事務局.md
",
    );
    check_workspace_symbols(
        SYMBOL_WIKI,
        "内地",
        2,
        "內地 Main Page/內地.md\nCategory:內地 Category Category/內地.md",
    );
}

#[test]
fn workspace_symbols_with_a_namespace_prefix_search_that_namespace() {
    check_workspace_symbols(SYMBOL_WIKI, "分類:内", 10, "Category:內地 Category Category/內地.md");
    check_workspace_symbols(SYMBOL_WIKI, "zzz", 10, "");
}

fn check_document_links(layout: Layout, wiki: &str, expected: &str) {
    let (index, path, text, _) = fixture(layout, wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let found: Vec<String> = crate::ide::document_link::document_links(&index, &document)
        .iter()
        .map(|link| {
            format!(
                "{} => {} {:?} {}",
                &text[link.span.range()],
                link.target_path,
                link.target_line,
                link.tooltip
            )
        })
        .collect();
    assert_eq!(found.join("\n"), expected.trim(), "\nfixture:\n{wiki}");
}

#[test]
fn document_links_lead_to_files_and_heading_lines_and_skip_broken_links() {
    check_document_links(
        Layout::Export,
        r#"
//- Page/A.md
$0𠀀[甲](../Page/B.md#歷史 "wikilink") [[B#沒有]] [[不存在]] [[別名]] {{Reflist}}
[網上](https://zh.wikipedia.org/wiki/B "wikilink") [本頁](#節)
## 節
[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 "wikilink")
//- Page/B.md
intro

== 歷史 ==
//- Template/Reflist.md
r
//- Category/香港.md
c
//- Redirect/別名.md -> ../Page/B.md
"#,
        r#"
[甲](../Page/B.md#歷史 "wikilink") => Page/B.md Some(2) B
[[B#沒有]] => Page/B.md None B
[[別名]] => Page/B.md None B
{{Reflist}} => Template/Reflist.md None Template:Reflist
[本頁](#節) => Page/A.md Some(2) A
[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 "wikilink") => Category/香港.md None Category:香港
"#,
    );
}

fn check_semantic_tokens(layout: Layout, wiki: &str, within: Option<(usize, usize)>, expected: &str) {
    use crate::ide::semantic_tokens::semantic_tokens;
    let (index, path, text, _) = fixture(layout, wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let within = within.map(|(start, end)| crate::syntax::Span::new(start, end));
    let found: Vec<String> = semantic_tokens(&index, &document, within)
        .iter()
        .map(|token| {
            format!(
                "{:?}{} {:?}",
                token.kind,
                if token.broken { " broken" } else { "" },
                &text[token.span.range()]
            )
        })
        .collect();
    assert_eq!(found.join("\n"), expected.trim(), "\nfixture:\n{wiki}");
}

#[test]
fn semantic_tokens_mark_kinds_and_broken_links_and_split_nested_ones() {
    check_semantic_tokens(
        Layout::Tree,
        "
//- A.wiki
$0[[B]] [[Nowhere]] [[B#Nope]] {{Infobox|x=[[B]] y}} {{Missing}} [[Category:C]] [[:Category:D]] [[en:X]]
//- B.wiki
b
//- Template:Infobox.wiki
i
",
        None,
        r#"
Page "[[B]]"
Page broken "[[Nowhere]]"
Page broken "[[B#Nope]]"
Template "{{Infobox|x="
Page "[[B]]"
Template " y}}"
Template broken "{{Missing}}"
Category "[[Category:C]]"
Category "[[:Category:D]]"
"#,
    );
    check_semantic_tokens(
        Layout::Tree,
        "//- A.wiki\n$0[[B]] [[C]] [[D]]\n//- B.wiki\n",
        Some((7, 8)),
        r#"Page broken "[[C]]""#,
    );
}

#[test]
fn hover_on_a_large_category_lists_the_first_members_and_counts_the_rest() {
    let mut wiki = String::from("//- A.wiki\n[[Category:大$0]]\n");
    for number in (0..13).rev() {
        wiki.push_str(&format!("//- P{number:02}.wiki\n[[Category:大]]\n"));
    }
    check_hover(
        Layout::Tree,
        &wiki,
        "[[Category:大]]\n---\n**Category:大** (no category page)\n\n14 members: **A**, **P00**, **P01**, **P02**, **P03**, **P04**, **P05**, **P06**, **P07**, **P08**, … (4 more)",
    );
}
