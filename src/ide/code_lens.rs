//! Code lens: "N backlinks" on a page's title heading (or its first line), counted by
//! [`crate::graph::page_backlinks`], the definition `check --orphans` and `wikils graph` use.

use crate::graph;
use crate::index::{Document, Index};
use crate::syntax::Span;

/// The backlinks lens of one page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BacklinksLens {
    /// The title heading, or an empty span at the start of the document.
    pub span: Span,
    /// Distinct documents linking to the page.
    pub linking_pages: usize,
    /// What the editor shows: `12 backlinks`, `1 backlink`, `no backlinks`, or
    /// `backlinks: indexing…` while the index does not hold every file's links yet.
    pub title: String,
}

/// The lens for a page; `None` for a redirect, whose links count for the page it leads to.
pub fn backlinks_lens(index: &Index, document: &Document) -> Option<BacklinksLens> {
    if document.is_redirect() {
        return None;
    }
    let linking_pages = graph::page_backlinks(index, document).documents.len();
    let span = graph::title_heading(document).map_or(Span::default(), |heading| heading.span);
    let title = match linking_pages {
        _ if !index.links_complete() => "backlinks: indexing…".to_string(),
        0 => "no backlinks".to_string(),
        1 => "1 backlink".to_string(),
        many => format!("{many} backlinks"),
    };
    Some(BacklinksLens {
        span,
        linking_pages,
        title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::tests::fixture_index;
    use crate::layout::Layout;

    fn lens(fixture: &str, path: &str) -> Option<(String, String)> {
        let (index, _) = fixture_index(Layout::Export, fixture);
        let document = index.document_by_path(path).expect("document");
        let text = fixture
            .split("//- ")
            .find_map(|section| section.strip_prefix(path))
            .map(|text| text.trim_start_matches(['\n']).to_string())
            .unwrap_or_default();
        backlinks_lens(&index, &document).map(|lens| (text[lens.span.range()].to_string(), lens.title))
    }

    const WIKI: &str = "//- Page/甲.md\n前言\n## 節 𠀀\n//- Page/乙.md\n[[甲]] [[甲]]\n//- Page/丙.md\n[[甲|丙]] [[乙]]\n//- Redirect/別名.md -> ../Page/甲.md\n";

    #[test]
    fn counts_linking_pages_on_the_title_heading() {
        assert_eq!(
            lens(WIKI, "Page/甲.md"),
            Some(("".to_string(), "2 backlinks".to_string()))
        );
        assert_eq!(
            lens(WIKI, "Page/乙.md"),
            Some(("".to_string(), "1 backlink".to_string()))
        );
        assert_eq!(
            lens(WIKI, "Page/丙.md"),
            Some(("".to_string(), "no backlinks".to_string()))
        );
        assert_eq!(lens(WIKI, "Redirect/別名.md"), None);
        let titled = "//- Page/甲.md\n# 甲 𠀀\n## 節\n//- Page/乙.md\n[[甲]]\n";
        assert_eq!(
            lens(titled, "Page/甲.md"),
            Some(("# 甲 𠀀".to_string(), "1 backlink".to_string()))
        );
    }
}
