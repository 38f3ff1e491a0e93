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
