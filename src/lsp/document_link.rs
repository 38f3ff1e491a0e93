//! `textDocument/documentLink`: every link of an open document that resolves, as a file URI.
//!
//! A link with an anchor gets a `#L<line>` fragment (1-based): VS Code opens file URIs with such
//! a fragment at that line; other clients open the file.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{DocumentLink, DocumentLinkParams, Url};

use super::convert::span_to_range;
use super::definition::document_at_version;
use super::wiki_workspace::WikiWorkspace;
use crate::ide::document_link::document_links;

pub fn document_link(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    version: i32,
    params: &DocumentLinkParams,
) -> Option<Vec<DocumentLink>> {
    let (root, relative) = workspace.locate_known(&params.text_document.uri)?;
    let encoding = workspace.encoding();
    let index = root.index();
    let document = document_at_version(&root, &index, &relative, version, rope)?;
    let links = document_links(&index, &document)
        .into_iter()
        .filter_map(|link| {
            let mut target = Url::from_file_path(root.path.join(&link.target_path)).ok()?;
            if let Some(line) = link.target_line {
                target.set_fragment(Some(&format!("L{}", line + 1)));
            }
            Some(DocumentLink {
                range: span_to_range(rope, link.span, encoding),
                target: Some(target),
                tooltip: Some(link.tooltip),
                data: None,
            })
        })
        .collect();
    Some(links)
}
