//! `textDocument/hover`: converts the position, calls [`crate::ide::hover`] with a reader that
//! prefers the editor's unsaved text to the disk, and returns Markdown (or plain text).

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind, Url};

use super::convert::span_to_range;
use super::definition::document_at_version;
use super::wiki_workspace::WikiWorkspace;
use crate::ide::hover;
use crate::text::rope::position_to_byte_clamped;
use crate::vfs;

pub fn hover(workspace: &Arc<WikiWorkspace>, rope: &Rope, version: i32, params: &HoverParams) -> Option<Hover> {
    let uri = &params.text_document_position_params.text_document.uri;
    let position = params.text_document_position_params.position;
    let (root, relative) = workspace.locate_known(uri)?;
    let encoding = workspace.encoding();
    let offset = position_to_byte_clamped(rope, position.line, position.character, encoding);
    let index = root.index();
    let document = document_at_version(&root, &index, &relative, version, rope)?;
    let max_size = root.config().max_file_size;
    let read_text = |path: &str| -> Option<String> {
        let absolute = root.path.join(path);
        if let Some((_, open)) = Url::from_file_path(&absolute)
            .ok()
            .and_then(|target_uri| workspace.latest_text(&target_uri))
        {
            return Some(open.to_string());
        }
        vfs::read_document(&absolute, max_size)
            .ok()
            .map(|document| document.text)
    };
    let found = hover::hover(&index, &document, offset, &read_text)?;
    let (kind, value) = if workspace.client_features().hover_markdown {
        (MarkupKind::Markdown, found.markdown())
    } else {
        (MarkupKind::PlainText, found.plaintext())
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind, value }),
        range: Some(span_to_range(rope, found.span, encoding)),
    })
}
