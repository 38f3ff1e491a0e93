//! Rule fixtures: tiny wikis in strings, each finding drawn back as `path:line:col code`.

use crate::config::Config;
use crate::index::{Index, IndexSettings};
use crate::layout::Layout;
use crate::title::TitleRules;

/// Builds an index from `//- path` sections (`//- path -> target` for a symlink) and renders every
/// finding of every document, sorted by path.
fn findings(layout: Layout, fixture: &str, config: &Config) -> String {
    let index = Index::new(IndexSettings {
        layout,
        rules: TitleRules::default(),
        variant_folding: config.variant_folding,
        wiki_base_urls: Vec::new(),
    });
    for section in fixture.split("//- ").filter(|section| !section.trim().is_empty()) {
        let (header, text) = section.split_once('\n').unwrap_or((section, ""));
        let header = header.trim();
        match header.split_once(" -> ") {
            Some((path, target)) => {
                let flavor =
                    crate::syntax::Flavor::from_extension(path.rsplit('.').next().unwrap_or("")).expect("wiki file");
                index.set_symlink(path, flavor, index.symlink_target(path, target));
            }
            None => {
                let flavor =
                    crate::syntax::Flavor::from_extension(header.rsplit('.').next().unwrap_or("")).expect("wiki file");
                index.set_document_text(header, flavor, text);
            }
        }
    }
    let mut documents = index.documents();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    let mut lines = Vec::new();
    for document in documents {
        for finding in super::document_findings(&index, &document, config) {
            lines.push(format!(
                "{}:{}:{} {} {}",
                document.path,
                finding.start.line + 1,
                finding.start.column + 1,
                finding.code.name(),
                finding.message
            ));
        }
    }
    lines.join("\n")
}

fn check(layout: Layout, fixture: &str, expected: &str) {
    let actual = findings(layout, fixture, &Config::default());
    assert_eq!(actual.trim(), expected.trim(), "\nactual:\n{actual}\n");
}

#[test]
fn export_path_link_to_missing_page_names_the_files_looked_for() {
    check(
        Layout::Export,
        r#"
//- Page/A.md
中𠀀 [B](../Page/B_\(x\).md "wikilink")
"#,
        "Page/A.md:1:5 broken-link broken link: no page `B (x)` (looked for Page/B_(x).md, Redirect/B_(x).md)",
    );
}

#[test]
fn export_link_through_redirect_symlink_resolves() {
    check(
        Layout::Export,
        r#"
//- Page/A.md
[x](../Page/Alias.md "wikilink") [[Alias#Sec]] [[Alias#Nope]]
//- Page/B.md
## Sec
//- Redirect/Alias.md -> ../Page/B.md
"#,
        "Page/A.md:1:48 broken-anchor broken anchor: `Page/B.md` has no heading `Nope`",
    );
}

#[test]
fn variant_link_names_the_existing_title() {
    check(
        Layout::Export,
        r#"
//- Page/A.md
[[政制及内地事务局]]
//- Page/政制及內地事務局.md
x
"#,
        "Page/A.md:1:1 variant-link variant link: `政制及内地事务局` exists as `政制及內地事務局` (Traditional/Simplified variant)",
    );
}

#[test]
fn variant_folding_off_makes_variants_broken() {
    let config = Config {
        variant_folding: false,
        ..Config::default()
    };
    let actual = findings(
        Layout::Export,
        "//- Page/A.md\n[[内地]]\n//- Page/內地.md\nx\n",
        &config,
    );
    assert_eq!(
        actual,
        "Page/A.md:1:1 broken-link broken link: no page `内地` (looked for Page/内地.md, Redirect/内地.md)"
    );
}

#[test]
fn exact_title_wins_over_variants() {
    check(
        Layout::Export,
        "//- Page/A.md\n[[内地]] [[內地]]\n//- Page/內地.md\nx\n//- Page/内地.md\ny\n",
        "",
    );
}

#[test]
fn tree_layout_resolves_by_stem_and_path_suffix() {
    check(
        Layout::Tree,
        r#"
//- notes/Main.wiki
[[Dup]] [[a/Dup]] [[Other page]] [[other_page]]
//- a/Dup.wiki
//- b/Dup.wiki
//- Other_page.md
"#,
        "notes/Main.wiki:1:1 ambiguous-link ambiguous link: `Dup` matches 2 pages: a/Dup.wiki, b/Dup.wiki",
    );
}

#[test]
fn tree_layout_markdown_path_links_resolve_relative_to_the_document() {
    check(
        Layout::Tree,
        r#"
//- docs/A.md
[b](B.md) [c](../C.md) [up](../../Outside.md) [gone](Gone.md#x)
//- docs/B.md
//- C.md
"#,
        "docs/A.md:1:24 broken-link broken link: the path leaves the workspace\n\
         docs/A.md:1:47 broken-link broken link: no page `docs/Gone.md` (looked for docs/Gone.md)",
    );
}

#[test]
fn wikitext_redirect_is_followed_and_broken_ones_reported() {
    check(
        Layout::Tree,
        r#"
//- Main.wiki
[[Short]] [[Broken]] [[Loop one]]
//- Short.wiki
#REDIRECT [[Target]]
//- Target.wiki
x
//- Broken.wiki
#REDIRECT [[Nowhere]]
//- Loop_one.wiki
#REDIRECT [[Loop two]]
//- Loop_two.wiki
#REDIRECT [[Loop one]]
"#,
        "Broken.wiki:1:1 broken-redirect broken redirect: its target `Nowhere` does not exist\n\
         Loop_one.wiki:1:1 broken-redirect broken redirect: redirect loop\n\
         Loop_two.wiki:1:1 broken-redirect broken redirect: redirect loop\n\
         Main.wiki:1:11 broken-link broken link: `Broken` is a redirect that leads nowhere (its target `Nowhere` does not exist)\n\
         Main.wiki:1:22 broken-link broken link: `Loop one` is a redirect that leads nowhere (redirect loop)",
    );
}

#[test]
fn categories_templates_media_and_interwiki() {
    check(
        Layout::Tree,
        r#"
//- Main.wiki
[[Category:Exists]] [[Category:Missing]] [[:Category:Missing]] [[category:exists]]
{{Box}} {{Nobox}} [[File:X.png]] [[en:Foo]] [[Image:Y.jpg|[[Nested missing]]]]
//- Category:Exists.wiki
//- Template:Box.wiki
"#,
        "Main.wiki:1:42 broken-link broken link: no page `Category:Missing` (looked for a file named Category:Missing.*)\n\
         Main.wiki:1:64 duplicate-category duplicate category: already in Category:Exists\n\
         Main.wiki:2:9 broken-link broken link: no template `Template:Nobox` (looked for a file named Template:Nobox.*)\n\
         Main.wiki:2:59 broken-link broken link: no page `Nested missing` (looked for a file named Nested_missing.*)",
    );
}

#[test]
fn missing_templates_are_not_reported_when_the_workspace_has_none() {
    check(Layout::Tree, "//- Main.wiki\n{{Anything}}\n", "");
}

#[test]
fn online_link_to_a_local_page_is_a_hint() {
    check(
        Layout::Export,
        r#"
//- Page/A.md
[B](https://zh.wikipedia.org/wiki/B_page "wikilink") [C](https://zh.wikipedia.org/wiki/C "wikilink")
[Category:X](https://zh.wikipedia.org/wiki/Category:X "wikilink")
//- Page/B_page.md
"#,
        "Page/A.md:1:1 local-page-linked-as-url `B page` is a page of this workspace (Page/B_page.md): link to it instead of the online wiki",
    );
}

#[test]
fn unclosed_constructs_and_masked_regions() {
    check(
        Layout::Tree,
        "//- A.wiki\n<!-- [[Gone]] --> <nowiki>[[Gone]]</nowiki>\n[[Open\n{{Open\n",
        "A.wiki:2:1 unclosed-link unclosed link: `[[` without `]]`\n\
         A.wiki:3:1 unclosed-template unclosed template: `{{` without `}}`",
    );
}

#[test]
fn same_page_anchors_use_headings_and_slugs() {
    check(
        Layout::Tree,
        "//- A.md\n## Some Heading\n[a](#some-heading) [[#Some_Heading]] [b](#missing)\n",
        "A.md:2:38 broken-anchor broken anchor: this page has no heading `missing`",
    );
}

#[test]
fn rules_turned_off_report_nothing() {
    let mut config = Config::default();
    config
        .rules
        .insert(super::Code::BrokenLink, crate::config::RuleSetting::Off);
    assert_eq!(findings(Layout::Tree, "//- A.wiki\n[[Gone]]\n", &config), "");
}

#[test]
fn symlink_outside_the_workspace_is_a_broken_redirect() {
    check(
        Layout::Export,
        "//- Page/A.md\n//- Redirect/Out.md -> ../../elsewhere/X.md\n",
        "Redirect/Out.md:1:1 broken-redirect broken redirect: points outside the workspace: ../../elsewhere/X.md",
    );
}

#[test]
fn a_redirect_spelled_as_a_variant_of_its_missing_target_is_a_loop_not_a_crash() {
    // `内务` redirects to `內務`, which does not exist; the only title folding like `內務` is the
    // redirect itself. Following it through the variant used to recurse until the stack overflowed.
    check(
        Layout::Export,
        "//- Redirect/内务.md -> ../Page/內務.md\n//- Page/A.md\n[[内务]] [[內務]]\n",
        "Page/A.md:1:1 broken-link broken link: `内务` is a redirect that leads nowhere (redirect loop)\n\
         Page/A.md:1:8 broken-link broken link: `內務` is a redirect that leads nowhere (redirect loop)\n\
         Redirect/内务.md:1:1 broken-redirect broken redirect: redirect loop",
    );
}
