//! The link graph on small hand-made wikis: exact counts, and one definition for both paths.

use super::*;
use crate::ide::tests::fixture_index;
use crate::layout::Layout;

/// Redirects (a symlink and a chain of two), a link written in the other script, self links,
/// an ambiguous link, and links that are not page links (template, category membership).
const WIKI: &str = r#"
//- Page/A.md
[[B]] and [[B|again]], [[#top]], [[A]], [[內地]], [[Alias]], [[務内]]
//- Page/B.md
[[A]] {{T}} [[Category:K]]
//- Page/C.md
no links here
//- Page/内地.md
[[C]]
//- Page/D.md
[[Alias2]]
//- Page/Lonely.md
[[Lonely]] [[#x]]
//- Page/务内.md
//- Page/務內.md
//- Category/K.md
[[A]]
//- Template/T.md
//- Redirect/Alias.md -> ../Page/C.md
//- Redirect/Alias2.md -> Alias.md
"#;

fn graph_lines(index: &Index) -> String {
    LinkGraph::build(index)
        .pages()
        .map(|(document, links)| {
            format!(
                "{} in={}/{} out={}{}{}",
                document.path,
                links.linking_pages,
                links.inbound_links,
                links.linked_pages,
                if is_orphan(index, document, links) {
                    " orphan"
                } else {
                    ""
                },
                if is_dead_end(index, document, links) {
                    " dead-end"
                } else {
                    ""
                },
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn counts_resolve_through_redirects_and_variants_and_skip_self_and_ambiguous_links() {
    let (index, _) = fixture_index(Layout::Export, WIKI);
    let expected = "\
Category/K.md in=0/0 out=1
Page/A.md in=2/2 out=3
Page/B.md in=1/2 out=1
Page/C.md in=3/3 out=0 dead-end
Page/D.md in=0/0 out=1 orphan
Page/Lonely.md in=0/0 out=0 orphan dead-end
Page/内地.md in=1/1 out=1
Page/务内.md in=0/0 out=0 orphan dead-end
Page/務內.md in=0/0 out=0 orphan dead-end
Redirect/Alias.md in=0/0 out=0
Redirect/Alias2.md in=0/0 out=0
Template/T.md in=0/0 out=0";
    assert_eq!(graph_lines(&index), expected);
}

fn backlink_paths(index: &Index, path: &str) -> String {
    let page = index.document_by_path(path).expect("page in the fixture");
    let backlinks = page_backlinks(index, &page);
    let mut paths: Vec<String> = backlinks
        .documents
        .iter()
        .filter_map(|&id| index.document(id))
        .map(|document| document.path.to_string())
        .collect();
    paths.sort();
    format!("{} ({} links)", paths.join(" "), backlinks.links)
}

#[test]
fn one_page_backlinks_find_aliases_and_variant_spellings() {
    let (index, _) = fixture_index(Layout::Export, WIKI);
    assert_eq!(
        backlink_paths(&index, "Page/C.md"),
        "Page/A.md Page/D.md Page/内地.md (3 links)"
    );
    assert_eq!(backlink_paths(&index, "Page/内地.md"), "Page/A.md (1 links)");
    assert_eq!(backlink_paths(&index, "Page/B.md"), "Page/A.md (2 links)");
    assert_eq!(backlink_paths(&index, "Page/A.md"), "Category/K.md Page/B.md (2 links)");
    assert_eq!(backlink_paths(&index, "Page/Lonely.md"), " (0 links)");
    assert_eq!(backlink_paths(&index, "Redirect/Alias.md"), " (0 links)");
}

#[test]
fn one_page_backlinks_agree_with_the_whole_graph_on_every_page() {
    let (index, _) = fixture_index(Layout::Export, WIKI);
    for (document, links) in LinkGraph::build(&index).pages() {
        let backlinks = page_backlinks(&index, document);
        assert_eq!(
            (backlinks.documents.len() as u32, backlinks.links),
            (links.linking_pages, links.inbound_links),
            "{}",
            document.path
        );
    }
}

#[test]
fn tree_layout_counts_folder_suffix_links() {
    let (index, _) = fixture_index(
        Layout::Tree,
        "//- notes/A/Page.md\n//- notes/B/Page.md\n//- x.wiki\n[[A/Page]] [[Page]]\n",
    );
    assert_eq!(backlink_paths(&index, "notes/A/Page.md"), "x.wiki (1 links)");
    assert_eq!(backlink_paths(&index, "notes/B/Page.md"), " (0 links)");
    let graph = LinkGraph::build(&index);
    assert_eq!(
        graph.links_of("notes/A/Page.md").map(|links| links.inbound_links),
        Some(1)
    );
    assert_eq!(graph.links_of("x.wiki").map(|links| links.linked_pages), Some(1));
}
