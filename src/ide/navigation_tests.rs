//! Fixtures for references, rename and code actions: tiny wikis with a `$0` cursor, answers
//! drawn back as text (the referring links, or the files after the edits).

use std::collections::BTreeMap;

use crate::config::Config;
use crate::ide::code_actions::code_actions;
use crate::ide::link_edit::TextEdit;
use crate::ide::references::references;
use crate::ide::rename::{file_moved, prepare_rename, rename, RenamePlan};
use crate::ide::tests::fixture;
use crate::layout::Layout;
use crate::syntax::Span;

/// Every section's text by path, the cursor removed (symlinks are left out).
fn texts_of(wiki: &str) -> BTreeMap<String, String> {
    wiki.split("//- ")
        .filter(|section| !section.trim().is_empty())
        .filter_map(|section| {
            let (header, text) = section.split_once('\n').unwrap_or((section, ""));
            (!header.contains(" -> ")).then(|| (header.trim().to_string(), text.replacen("$0", "", 1)))
        })
        .collect()
}

fn check_references(layout: Layout, wiki: &str, include_declaration: bool, expected: &str) {
    let (index, path, text, offset) = fixture(layout, wiki);
    let texts = texts_of(wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let found: Vec<String> = references(&index, &document, &text, offset, include_declaration)
        .iter()
        .map(|reference| {
            let shown = &texts[&reference.path][reference.span.range()];
            let mark = if reference.is_declaration { " (declaration)" } else { "" };
            format!(
                "{} {}..{} {shown}{mark}",
                reference.path, reference.span.start, reference.span.end
            )
        })
        .collect();
    assert_eq!(found.join("\n"), expected.trim(), "\nfixture:\n{wiki}");
}

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut result = text.to_string();
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
    for edit in sorted {
        result.replace_range(edit.span.range(), &edit.new_text);
    }
    result
}

fn render_plan(plan: &RenamePlan, texts: &BTreeMap<String, String>) -> String {
    let mut out = Vec::new();
    if let Some((old, new)) = &plan.file_rename {
        out.push(format!("rename {old} -> {new}"));
    }
    for (path, edits) in &plan.edits {
        out.push(format!("//- {path}\n{}", apply(&texts[path], edits).trim_end()));
    }
    for (path, text) in &plan.replaced_symlinks {
        out.push(format!("symlink {path} => {}", text.trim_end()));
    }
    out.join("\n")
}

fn check_rename(layout: Layout, wiki: &str, new_name: &str, expected: &str) {
    let (index, path, text, offset) = fixture(layout, wiki);
    let texts = texts_of(wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let read = |path: &str| texts.get(path).cloned();
    let found = match rename(&index, &document, &text, offset, new_name, &read) {
        Ok(plan) => render_plan(&plan, &texts),
        Err(message) => format!("error: {message}"),
    };
    assert_eq!(found, expected.trim(), "\nfixture:\n{wiki}");
}

fn check_prepare_rename(layout: Layout, wiki: &str, expected: &str) {
    let (index, path, text, offset) = fixture(layout, wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let found = match prepare_rename(&index, &document, &text, offset) {
        Ok((span, name)) => format!("{} => {name}", &text[span.range()]),
        Err(message) => format!("error: {message}"),
    };
    assert_eq!(found, expected.trim(), "\nfixture:\n{wiki}");
}

fn check_code_actions(layout: Layout, wiki: &str, expected: &str) {
    let (index, path, text, offset) = fixture(layout, wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let actions = code_actions(&index, &document, &text, Span::new(offset, offset), &Config::default());
    let found: Vec<String> = actions
        .iter()
        .map(|action| {
            let mut line = format!("{:?}: {}", action.fixes, action.title);
            if action.is_preferred {
                line.push_str(" (preferred)");
            }
            if let Some((path, initial)) = &action.create_file {
                line.push_str(&format!("\n  create {path}: {initial:?}"));
            }
            if !action.edits.is_empty() {
                line.push_str(&format!("\n  => {}", apply(&text, &action.edits).trim_end()));
            }
            line
        })
        .collect();
    assert_eq!(found.join("\n"), expected.trim(), "\nfixture:\n{wiki}");
}

/// An export with a page reached by path, by variant spelling, through a symlinked and a
/// `#REDIRECT` alias, and with an anchor; lines before the links hold CJK and astral characters.
const EXPORT_WIKI: &str = r#"
//- Page/政制及內地事務局.md
# 政制及內地事務局

𠀀中 ## 職能

## 職能
[本節](#職能) [[#職能|同頁]]
//- Page/首頁.md
𠀀𠀀中文
[政制](../Page/政制及內地事務局.md "wikilink") [[政制及内地事务局]] [別名](../Page/別名.md "wikilink")
[職能](../Page/政制及內地事務局.md#職能 "wikilink") [[轉向]] [[政制及內地事務局#職能|全形]]
[網上](https://zh.wikipedia.org/wiki/政制及內地事務局 "wikilink")
//- Page/轉向.md
#REDIRECT [[政制及內地事務局]]
//- Redirect/別名.md -> ../Page/政制及內地事務局.md
"#;

fn with_cursor(wiki: &str, path: &str, before: &str) -> String {
    let (head, section) = wiki.split_once(&format!("//- {path}\n")).expect("section");
    let at = section.find(before).expect("cursor text");
    format!("{head}//- {path}\n{}$0{}", &section[..at], &section[at..])
}

#[test]
fn references_of_a_page_from_a_link_cover_paths_variants_redirects_and_urls() {
    let wiki = with_cursor(EXPORT_WIKI, "Page/首頁.md", "../Page/政制");
    check_references(
        Layout::Export,
        &wiki,
        true,
        r#"
Page/政制及內地事務局.md 0..26 # 政制及內地事務局 (declaration)
Page/轉向.md 0..38 #REDIRECT [[政制及內地事務局]]
Page/首頁.md 15..71 [政制](../Page/政制及內地事務局.md "wikilink")
Page/首頁.md 72..100 [[政制及内地事务局]]
Page/首頁.md 101..139 [別名](../Page/別名.md "wikilink")
Page/首頁.md 140..203 [職能](../Page/政制及內地事務局.md#職能 "wikilink")
Page/首頁.md 204..214 [[轉向]]
Page/首頁.md 215..257 [[政制及內地事務局#職能|全形]]
Page/首頁.md 258..333 [網上](https://zh.wikipedia.org/wiki/政制及內地事務局 "wikilink")
"#,
    );
}

#[test]
fn references_from_the_title_line_equal_those_from_a_link() {
    let wiki = with_cursor(EXPORT_WIKI, "Page/政制及內地事務局.md", "內地事務局\n");
    let (index, path, text, offset) = fixture(Layout::Export, &wiki);
    let document = index.document_by_path(&path).expect("document");
    let from_title = references(&index, &document, &text, offset, false);
    assert_eq!(from_title.len(), 8, "{from_title:?}");
    assert!(from_title
        .iter()
        .all(|reference| reference.path != "Page/政制及內地事務局.md"));
}

#[test]
fn references_of_a_heading_are_its_anchor_links_here_and_elsewhere() {
    let wiki = with_cursor(EXPORT_WIKI, "Page/政制及內地事務局.md", "能\n[本節]");
    check_references(
        Layout::Export,
        &wiki,
        false,
        r#"
Page/政制及內地事務局.md 57..74 [本節](#職能)
Page/政制及內地事務局.md 75..93 [[#職能|同頁]]
Page/首頁.md 140..203 [職能](../Page/政制及內地事務局.md#職能 "wikilink")
Page/首頁.md 215..257 [[政制及內地事務局#職能|全形]]
"#,
    );
}

#[test]
fn references_of_a_category_are_its_members_links() {
    check_references(
        Layout::Tree,
        "
//- A.wiki
[[Category:甲$0]] [[Category:乙]]
//- B.wiki
中𠀀 [[Category:甲|排序]]
",
        false,
        "
A.wiki 0..16 [[Category:甲]]
B.wiki 8..31 [[Category:甲|排序]]
",
    );
}

#[test]
fn references_anywhere_on_a_category_page_are_its_members() {
    check_references(
        Layout::Export,
        r#"
//- Category/香港.md
# Category:香港

中𠀀 說$0明
//- Page/A.md
[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 "wikilink")
//- Page/B.md
[[Category:香港|排]] [[:Category:香港]]
"#,
        true,
        r#"
Category/香港.md 0..17 # Category:香港 (declaration)
Page/A.md 0..75 [Category:香港](https://zh.wikipedia.org/wiki/Category:香港 "wikilink")
Page/B.md 0..23 [[Category:香港|排]]
Page/B.md 24..44 [[:Category:香港]]
"#,
    );
}

#[test]
fn references_of_a_missing_page_are_the_links_naming_it() {
    check_references(
        Layout::Tree,
        "
//- A.wiki
[[沒$0有]] [[有]]
//- B.wiki
[[沒有|x]]
//- 有.wiki
",
        false,
        "
A.wiki 0..10 [[沒有]]
B.wiki 0..12 [[沒有|x]]
",
    );
}

#[test]
fn references_off_links_and_headings_find_nothing() {
    check_references(Layout::Tree, "//- A.wiki\n\ntext $0here [[B]]\n//- B.wiki\n", true, "");
    check_references(Layout::Tree, "//- A.wiki\n[[en:Foo$0]]\n", true, "");
}

#[test]
fn rename_page_moves_the_file_and_rewrites_every_link_in_its_syntax() {
    let wiki = with_cursor(EXPORT_WIKI, "Page/首頁.md", "[[政制及内地");
    check_rename(
        Layout::Export,
        &wiki,
        "新局 (2026)",
        r#"
rename Page/政制及內地事務局.md -> Page/新局_(2026).md
//- Page/政制及內地事務局.md
# 新局 (2026)

𠀀中 ## 職能

## 職能
[本節](#職能) [[#職能|同頁]]
//- Page/轉向.md
#REDIRECT [[新局 (2026)]]
//- Page/首頁.md
𠀀𠀀中文
[政制](../Page/新局_\(2026\).md "wikilink") [[新局 (2026)]] [別名](../Page/別名.md "wikilink")
[職能](../Page/新局_\(2026\).md#職能 "wikilink") [[轉向]] [[新局 (2026)#職能|全形]]
[網上](https://zh.wikipedia.org/wiki/政制及內地事務局 "wikilink")
symlink Redirect/別名.md => #REDIRECT [[新局 (2026)]]
"#,
    );
}

#[test]
fn rename_page_from_its_title_heading_works_like_from_a_link() {
    let from_link = with_cursor(EXPORT_WIKI, "Page/首頁.md", "[[政制及内地");
    let from_title = with_cursor(EXPORT_WIKI, "Page/政制及內地事務局.md", "事務局\n");
    let plan = |wiki: &str| {
        let (index, path, text, offset) = fixture(Layout::Export, wiki);
        let texts = texts_of(wiki);
        let document = index.document_by_path(&path).expect("document");
        let read = |path: &str| texts.get(path).cloned();
        render_plan(
            &rename(&index, &document, &text, offset, "新局", &read).expect("renamed"),
            &texts,
        )
    };
    assert_eq!(plan(&from_link), plan(&from_title));
}

#[test]
fn rename_rejects_bad_names_collisions_and_other_wikis() {
    let wiki = with_cursor(EXPORT_WIKI, "Page/首頁.md", "[[政制及内地");
    for (name, error) in [
        ("", "error: the new name is empty"),
        ("A#B", "error: `A#B` is not a valid title: title contains #"),
        (
            "A|B",
            "error: `A|B` is not a valid title: title contains one of [ ] { } | < >",
        ),
        ("首頁", "error: a page `首頁` already exists"),
        (
            "首页",
            "error: a page `首頁` already exists (the same title in the other Chinese script)",
        ),
        (
            "Category:X",
            "error: `Category:X` is in another namespace: moving pages between namespaces is not supported",
        ),
    ] {
        check_rename(Layout::Export, &wiki, name, error);
    }
    check_prepare_rename(
        Layout::Tree,
        "//- A.wiki\n[[en:Fo$0o]]\n",
        "error: cannot rename a page of another wiki",
    );
    check_prepare_rename(
        Layout::Tree,
        "//- A.wiki\n[[File:X.p$0ng]]\n",
        "error: cannot rename media: files are not part of the workspace",
    );
    let online = with_cursor(EXPORT_WIKI, "Page/首頁.md", "https://zh");
    check_prepare_rename(
        Layout::Export,
        &online,
        "error: cannot rename through a link to the online wiki; rename the local page",
    );
}

#[test]
fn prepare_rename_gives_the_link_target_or_the_heading_text() {
    let wiki = with_cursor(EXPORT_WIKI, "Page/首頁.md", "[[政制及内地");
    check_prepare_rename(Layout::Export, &wiki, "政制及内地事务局 => 政制及內地事務局");
    let heading = with_cursor(EXPORT_WIKI, "Page/政制及內地事務局.md", "能\n[本節]");
    check_prepare_rename(Layout::Export, &heading, "職能 => 職能");
}

#[test]
fn rename_heading_rewrites_its_anchor_links() {
    let wiki = with_cursor(EXPORT_WIKI, "Page/政制及內地事務局.md", "能\n[本節]");
    check_rename(
        Layout::Export,
        &wiki,
        "新職 能",
        r#"
//- Page/政制及內地事務局.md
# 政制及內地事務局

𠀀中 ## 職能

## 新職 能
[本節](#新職_能) [[#新職 能|同頁]]
//- Page/首頁.md
𠀀𠀀中文
[政制](../Page/政制及內地事務局.md "wikilink") [[政制及内地事务局]] [別名](../Page/別名.md "wikilink")
[職能](../Page/政制及內地事務局.md#新職_能 "wikilink") [[轉向]] [[政制及內地事務局#新職 能|全形]]
[網上](https://zh.wikipedia.org/wiki/政制及內地事務局 "wikilink")
"#,
    );
}

#[test]
fn rename_in_a_tree_keeps_folder_extension_labels_and_sort_keys() {
    check_rename(
        Layout::Tree,
        "
//- a/Old.wiki
= Old =
[[Category:Old$0]]
//- b/B.wiki
𠀀 [[Old|label]] [[old#x]] [[:Category:Old]]
//- Category:Old.wiki
",
        "New",
        "
rename Category:Old.wiki -> Category:New.wiki
//- a/Old.wiki
= Old =
[[Category:New]]
//- b/B.wiki
𠀀 [[Old|label]] [[old#x]] [[:Category:New]]
",
    );
    check_rename(
        Layout::Tree,
        "
//- a/Old.wiki
= Old =
//- b/B.wiki
𠀀 [[Ol$0d|label]] [[old#x]] [[Old]]
",
        "New",
        "
rename a/Old.wiki -> a/New.wiki
//- a/Old.wiki
= New =
//- b/B.wiki
𠀀 [[New|label]] [[New#x]] [[New]]
",
    );
}

#[test]
fn moving_a_page_file_rewrites_links_but_not_the_file() {
    let wiki = EXPORT_WIKI.replace("//- Page/首頁.md\n", "//- Page/首頁.md\n$0");
    let (index, _, _, _) = fixture(Layout::Export, &wiki);
    let texts = texts_of(&wiki);
    let read = |path: &str| texts.get(path).cloned();
    let plan = file_moved(&index, "Page/政制及內地事務局.md", "Page/搬走.md", &read);
    assert_eq!(plan.file_rename, None);
    let rendered = render_plan(&plan, &texts);
    assert!(
        rendered.contains(r#"[政制](../Page/搬走.md "wikilink") [[搬走]]"#),
        "{rendered}"
    );
    assert!(
        rendered.contains("symlink Redirect/別名.md => #REDIRECT [[搬走]]"),
        "{rendered}"
    );
    assert!(rendered.contains("//- Page/政制及內地事務局.md\n# 搬走"), "{rendered}");
}

#[test]
fn code_action_creates_a_missing_page_in_its_namespace_folder() {
    check_code_actions(
        Layout::Export,
        r#"
//- Page/A.md
𠀀中 [缺](../Page/不存$0在_頁.md "wikilink")
//- Page/B.md
"#,
        r##"
BrokenLink: Create page `不存在 頁` at `Page/不存在_頁.md` (preferred)
  create Page/不存在_頁.md: "# 不存在 頁\n"
"##,
    );
    check_code_actions(
        Layout::Export,
        "
//- Page/A.md
𠀀 {{沒有$0}}
//- Template/B.md
",
        r##"
BrokenLink: Create page `Template:沒有` at `Template/沒有.md` (preferred)
  create Template/沒有.md: "# Template:沒有\n"
"##,
    );
}

#[test]
fn code_action_retargets_a_variant_link_to_the_existing_title() {
    check_code_actions(
        Layout::Export,
        r#"
//- Page/A.md
𠀀中 [[政制及内地事$0务局|局]] [x](../Page/政制及内地事务局.md "wikilink")
//- Page/政制及內地事務局.md
"#,
        r#"
VariantLink: Link to the existing page `政制及內地事務局` (preferred)
  => 𠀀中 [[政制及內地事務局|局]] [x](../Page/政制及内地事务局.md "wikilink")
"#,
    );
}

#[test]
fn code_action_turns_an_online_url_into_a_local_link() {
    check_code_actions(
        Layout::Export,
        r#"
//- Page/A.md
𠀀中 [局](https://zh.wikipedia.org/wiki/B_(x$0) "wikilink")
//- Page/B_(x).md
"#,
        r#"
LocalPageLinkedAsUrl: Link to the local page `B (x)` (preferred)
  => 𠀀中 [局](../Page/B_\(x\).md "wikilink")
"#,
    );
}

#[test]
fn code_action_offers_each_candidate_of_an_ambiguous_link() {
    check_code_actions(
        Layout::Tree,
        "
//- A.wiki
𠀀 [[Du$0p|d]]
//- a/Dup.wiki
//- b/Dup.wiki
",
        "
AmbiguousLink: Link to `a/Dup.wiki`
  => 𠀀 [[a/Dup|d]]
AmbiguousLink: Link to `b/Dup.wiki`
  => 𠀀 [[b/Dup|d]]
",
    );
}

#[test]
fn code_action_removes_a_duplicate_category() {
    check_code_actions(
        Layout::Tree,
        "
//- A.wiki
中
[[Category:X]]
[[Category:X$0|sort]]
tail
",
        "
DuplicateCategory: Remove duplicate category `Category:X` (preferred)
  => 中
[[Category:X]]
tail
",
    );
}

#[test]
fn renaming_an_alias_keeps_it_among_the_aliases() {
    check_rename(
        Layout::Export,
        r#"
//- Redirect/別名.md
#REDIRECT [[甲]] $0
//- Page/甲.md
𠀀 [[別名|x]] [y](../Page/別名.md "wikilink")
"#,
        "新別名",
        r#"
rename Redirect/別名.md -> Redirect/新別名.md
//- Page/甲.md
𠀀 [[新別名|x]] [y](../Page/新別名.md "wikilink")
"#,
    );
}

#[test]
fn navigation_features_answer_at_every_offset_without_panicking() {
    let text = "# 內\r\n中𠀀 [[內#歷|x]] {{T|[[a]]}} [C](../Page/B_\\(x\\).md#s \"wikilink\") [[Category:香]]\n[[Category:香]] [網](https://zh.wikipedia.org/wiki/內) [Category:香\r\n](#) [[::x [[:Category:";
    let wiki = format!(
        "//- Page/A.md\n{text}$0\n//- Page/內.md\n## 歷\n//- Page/B_(x).md\n//- Redirect/R.md -> ../Page/內.md\n"
    );
    let (index, path, text, _) = fixture(Layout::Export, &wiki);
    let texts = texts_of(&wiki);
    let read = |path: &str| texts.get(path).cloned();
    let document = index.document_by_path(&path).expect("the document");
    for offset in 0..=text.len() + 2 {
        let _ = references(&index, &document, &text, offset, true);
        let _ = prepare_rename(&index, &document, &text, offset);
        let _ = rename(&index, &document, &text, offset, "新", &read);
        let range = Span::new(offset.saturating_sub(3), offset);
        let _ = code_actions(&index, &document, &text, range, &Config::default());
    }
}
