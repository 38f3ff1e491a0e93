//! Feature fixtures: tiny wikis in strings with a `$0` cursor, answers drawn back as text.

use crate::ide::completion::completions;
use crate::ide::completion_table::CompletionTable;
use crate::ide::definition::definitions;
use crate::index::{Index, IndexSettings};
use crate::layout::Layout;
use crate::title::TitleRules;

const CURSOR: &str = "$0";

/// Builds an index from `//- path` sections (`//- path -> target` for a symlink); returns it with
/// the path and text of the section holding the cursor and the cursor's byte offset.
pub(super) fn fixture(layout: Layout, fixture: &str) -> (Index, String, String, usize) {
    let index = Index::new(IndexSettings {
        layout,
        rules: TitleRules::default(),
        variant_folding: true,
        wiki_base_urls: Vec::new(),
    });
    let mut cursor = None;
    for section in fixture.split("//- ").filter(|section| !section.trim().is_empty()) {
        let (header, text) = section.split_once('\n').unwrap_or((section, ""));
        let header = header.trim();
        let flavor_of =
            |path: &str| crate::syntax::Flavor::from_extension(path.rsplit('.').next().unwrap_or("")).expect("wiki");
        match header.split_once(" -> ") {
            Some((path, target)) => {
                index.set_symlink(path, flavor_of(path), index.symlink_target(path, target));
            }
            None => {
                if let Some(offset) = text.find(CURSOR) {
                    let text = text.replacen(CURSOR, "", 1);
                    cursor = Some((header.to_string(), text.clone(), offset));
                    index.set_document_text(header, flavor_of(header), &text);
                } else {
                    index.set_document_text(header, flavor_of(header), text);
                }
            }
        }
    }
    let (path, text, offset) = cursor.expect("a $0 cursor in the fixture");
    (index, path, text, offset)
}

fn check_definition(layout: Layout, wiki: &str, expected: &str) {
    let (index, path, text, offset) = fixture(layout, wiki);
    let document = index.document_by_path(&path).expect("the cursor's document");
    let found: Vec<String> = definitions(&index, &document, offset)
        .iter()
        .map(|definition| {
            let origin = &text[definition.origin_span.range()];
            format!(
                "{origin} => {} {}..{}",
                definition.target_path, definition.target_span.start, definition.target_span.end
            )
        })
        .collect();
    assert_eq!(found.join("\n"), expected.trim(), "\nfixture:\n{wiki}");
}

fn check_completion(layout: Layout, wiki: &str, expected: &str) {
    let (index, path, text, offset) = fixture(layout, wiki);
    let table = CompletionTable::build(&index);
    let found = completions(&index, &table, &path, &text, offset);
    let mut lines: Vec<String> = found
        .items
        .iter()
        .map(|item| {
            format!(
                "{} [{}] => {}",
                item.label,
                &text[item.replace.range()],
                item.insert_text
            )
        })
        .collect();
    if found.incomplete {
        lines.push("(incomplete)".to_string());
    }
    assert_eq!(lines.join("\n"), expected.trim(), "\nfixture:\n{wiki}");
}

#[test]
fn definition_of_export_path_link_goes_to_the_page() {
    check_definition(
        Layout::Export,
        r#"
//- Page/A.md
中𠀀 [B]($0../Page/B_\(x\).md "wikilink")
//- Page/B_(x).md
text
"#,
        r#"[B](../Page/B_\(x\).md "wikilink") => Page/B_(x).md 0..0"#,
    );
}

#[test]
fn definition_follows_redirects_to_the_final_page_and_its_heading() {
    check_definition(
        Layout::Export,
        r#"
//- Page/A.md
[x](../Page/Alias.md "wikilink") [[Alias#Sec$0tion]]
//- Page/B.md
intro
## Section
//- Redirect/Alias.md -> ../Page/B.md
"#,
        "[[Alias#Section]] => Page/B.md 6..16",
    );
}

#[test]
fn definition_of_same_page_anchor_and_template() {
    check_definition(
        Layout::Tree,
        "
//- A.wiki
== 歷史 ==
[[#歷史]] {{Info$0box}}
//- Template:Infobox.wiki
x
",
        "{{Infobox}} => Template:Infobox.wiki 0..0",
    );
    check_definition(
        Layout::Tree,
        "
//- A.wiki
== 歷史 ==
[[#歷$0史]]
",
        "[[#歷史]] => A.wiki 0..12",
    );
}

#[test]
fn definition_finds_nothing_off_links_and_on_missing_pages() {
    check_definition(Layout::Tree, "//- A.wiki\nplain $0text [[Nowhere]]\n", "");
    check_definition(Layout::Tree, "//- A.wiki\n[[Nowh$0ere]]\n", "");
}

#[test]
fn definition_right_after_a_link_still_finds_it() {
    check_definition(
        Layout::Tree,
        "//- A.wiki\n[[B]]$0\n//- B.wiki\n",
        "[[B]] => B.wiki 0..0",
    );
}

#[test]
fn completion_after_double_bracket_writes_title_and_closing() {
    check_completion(
        Layout::Tree,
        "
//- A.wiki
中𠀀 [[內$0
//- 內地.wiki
//- 內蒙古.wiki
//- 外地.wiki
[[內地]] [[內地]]
",
        "
內地 [內] => 內地]]
內蒙古 [內] => 內蒙古]]
",
    );
}

#[test]
fn completion_is_variant_insensitive_and_fuzzy() {
    check_completion(
        Layout::Tree,
        "
//- A.wiki
[[内地$0]]
//- 政制及內地事務局.wiki
//- 內地.wiki
",
        "
內地 [内地] => 內地
政制及內地事務局 [内地] => 政制及內地事務局
",
    );
}

#[test]
fn completion_of_categories_and_templates() {
    check_completion(
        Layout::Tree,
        "
//- A.wiki
[[Category:香$0
//- Category:香港.wiki
//- 香港.wiki
",
        "Category:香港 [Category:香] => Category:香港]]",
    );
    check_completion(
        Layout::Tree,
        "
//- A.wiki
{{Ref$0}}
//- Template:Reflist.wiki
//- Reflist.wiki
",
        "Template:Reflist [Ref] => Reflist",
    );
}

#[test]
fn completion_of_export_paths_escapes_and_skips_aliases() {
    check_completion(
        Layout::Export,
        r#"
//- Page/A.md
𠀀 [x](../Page/B$0
//- Page/B_(x).md
//- Page/Bc.md
//- Redirect/Bd.md -> ../Page/Bc.md
"#,
        r#"
Bc [B] => Bc.md "wikilink")
B (x) [B] => B_\(x\).md "wikilink")
"#,
    );
}

#[test]
fn completion_of_export_category_labels_links_the_online_wiki() {
    check_completion(
        Layout::Export,
        "
//- Page/A.md
[Category:香$0
//- Category/香港.md
",
        r#"Category:香港 [Category:香] => Category:香港](https://zh.wikipedia.org/wiki/Category:香港 "wikilink")"#,
    );
}

#[test]
fn completion_of_anchors_lists_the_target_headings() {
    check_completion(
        Layout::Export,
        r#"
//- Page/A.md
[x](../Page/B.md#$0
//- Page/B.md
## 歷史 沿革
## 職能
"#,
        r#"
歷史 沿革 [] => 歷史_沿革 "wikilink")
職能 [] => 職能 "wikilink")
"#,
    );
    check_completion(
        Layout::Tree,
        "
//- A.wiki
[[B#職$0]]
//- B.wiki
== 歷史 ==
== 職能 ==
",
        "職能 [職] => 職能",
    );
}

#[test]
fn completion_outside_links_offers_nothing() {
    check_completion(Layout::Tree, "//- A.wiki\n[[B]] te$0xt\n//- B.wiki\n", "");
    check_completion(Layout::Tree, "//- A.wiki\n[[B|lab$0\n//- B.wiki\n", "");
}

/// `cargo test --release --lib completion_on_a_million_page_index -- --ignored --nocapture`:
/// the table built from a real index of a million export pages, and whole completion requests.
#[test]
#[ignore = "a benchmark; run it in release"]
fn completion_on_a_million_page_index() {
    use rayon::prelude::*;
    use std::time::Instant;
    const CHINESE: &str = "政制及內地事務局香港特別行政區政府駐粵經濟貿易辦事處中華人民共和國廣東省部門歷史地理文化";
    let chinese: Vec<char> = CHINESE.chars().collect();
    let title = |number: u64| -> String {
        let mut state = number.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let length = 2 + (state % 6) as usize;
        let mut title = String::new();
        for _ in 0..length {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            title.push(chinese[(state % chinese.len() as u64) as usize]);
        }
        title.push_str(&number.to_string());
        title
    };
    let index = Index::new(IndexSettings {
        layout: Layout::Export,
        rules: TitleRules::default(),
        variant_folding: true,
        wiki_base_urls: Vec::new(),
    });
    let started = Instant::now();
    (0..1_000_000u64).into_par_iter().for_each(|number| {
        let links: String = [number * 7 % 1_000_000, number * 13 % 1_000_000, number % 1000]
            .iter()
            .map(|&target| format!("[x](../Page/{}.md \"wikilink\") ", title(target)))
            .collect();
        index.set_document_text(
            &format!("Page/{}.md", title(number)),
            crate::syntax::Flavor::Markdown,
            &links,
        );
    });
    eprintln!(
        "index: {:?} for {} documents",
        started.elapsed(),
        index.document_count()
    );
    let started = Instant::now();
    let table = CompletionTable::build(&index);
    eprintln!("table: {:?} for {} titles", started.elapsed(), table.title_count());
    for line in [
        "中𠀀 [[",
        "中𠀀 [[政",
        "中𠀀 [[内地",
        "[x](../Page/廣東省部",
        "[[香粤贸",
        "[[不存在的字",
    ] {
        let started = Instant::now();
        let rounds = 20;
        let mut found = completions(&index, &table, "Page/A.md", line, line.len());
        for _ in 1..rounds {
            found = completions(&index, &table, "Page/A.md", line, line.len());
        }
        eprintln!(
            "completion {line:?}: {:?} per request, {} items, incomplete {}",
            started.elapsed() / rounds,
            found.items.len(),
            found.incomplete
        );
    }
}

#[test]
fn features_answer_at_every_offset_without_panicking() {
    let text =
        "中𠀀 [[內#歷|x]] {{T|[[a]]}} [C](../Page/B_\\(x\\).md#s \"wikilink\") [Category:香\r\n](#) [[::x [[:Category:";
    let wiki = format!("//- Page/A.md\n{text}$0\n//- Page/內.md\n## 歷\n//- Page/B_(x).md\n");
    let (index, path, text, _) = fixture(Layout::Export, &wiki);
    let table = CompletionTable::build(&index);
    let document = index.document_by_path(&path).expect("the document");
    for offset in 0..=text.len() + 2 {
        let _ = completions(&index, &table, &path, &text, offset);
        let _ = definitions(&index, &document, offset);
    }
}

#[test]
fn completion_of_export_paths_reads_escaped_parentheses_as_typed() {
    check_completion(
        Layout::Export,
        r#"
//- Page/A.md
[x](../Page/B_\($0
//- Page/B_(x).md
//- Page/Bc.md
"#,
        r#"B (x) [B_\(] => B_\(x\).md "wikilink")"#,
    );
}

#[test]
fn definition_of_export_category_and_template_goes_to_their_pages() {
    check_definition(
        Layout::Export,
        r#"
//- Page/A.md
[Category:香港]($0https://zh.wikipedia.org/wiki/Category:香港 "wikilink")
//- Category/香港.md
"#,
        r#"[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 "wikilink") => Category/香港.md 0..0"#,
    );
    check_definition(
        Layout::Export,
        "
//- Page/A.md
{{Ref$0list}}
//- Template/Reflist.md
",
        "{{Reflist}} => Template/Reflist.md 0..0",
    );
    check_definition(
        Layout::Export,
        r#"
//- Page/A.md
[Category:無]($0https://zh.wikipedia.org/wiki/Category:無 "wikilink")
"#,
        "",
    );
}
