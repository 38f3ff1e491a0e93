//! `textDocument/references`: converts the position, calls [`crate::ide::references`] on a
//! blocking thread, and converts each reference to a `Location` in its document's text, collected
//! or serialized straight to JSON.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{self, Location, Range, ReferenceParams};

use super::convert::span_to_range;
use super::definition::fresh_document;
use super::wiki_workspace::WikiWorkspace;
use super::workspace_edit::{index_open_documents, DocumentTexts};
use crate::ide::references;
use crate::text::rope::position_to_byte_clamped;
use crate::text::Encoding;

/// Answers a references request for an open document whose text is `rope`.
pub fn references(workspace: &Arc<WikiWorkspace>, rope: &Rope, params: &ReferenceParams) -> Option<Vec<Location>> {
    let mut locations = Vec::new();
    for_each_location(workspace, rope, params, |location| locations.push(location))?;
    Some(locations)
}

/// The answer of [`fn@references`] as a serialized JSON array, each location written straight into
/// the buffer: an answer at a million pages can hold hundreds of thousands of them, and this is
/// what the transport writes (see `transport.rs` on why not tower-lsp's `Value` tree).
pub fn references_json(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    params: &ReferenceParams,
) -> Option<serde_json::Result<Vec<u8>>> {
    let mut json = b"[".to_vec();
    let mut failure = None;
    for_each_location(workspace, rope, params, |location| {
        if failure.is_some() {
            return;
        }
        if json.len() > b"[".len() {
            json.push(b',');
        }
        if let Err(error) = serde_json::to_writer(&mut json, &location) {
            failure = Some(error);
        }
    })?;
    json.push(b']');
    Some(match failure {
        Some(error) => Err(error),
        None => Ok(json),
    })
}

/// Hands each reference's `Location` to `sink`, in the core's order (sorted by path); `None`
/// when the document is outside the workspace or cannot be read.
fn for_each_location(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    params: &ReferenceParams,
    sink: impl FnMut(Location),
) -> Option<()> {
    let uri = &params.text_document_position.text_document.uri;
    let position = params.text_document_position.position;
    let (root, relative) = workspace.locate(uri)?;
    let encoding = workspace.encoding();
    let offset = position_to_byte_clamped(rope, position.line, position.character, encoding);
    index_open_documents(workspace, &root);
    let index = root.index();
    let text = rope.to_string();
    let document = fresh_document(&index, &relative, &text)?;
    let found = references::references(&index, &document, &text, offset, params.context.include_declaration);
    let texts = DocumentTexts::new(workspace, &root);
    // References come sorted by path: a document's URI is built once for all its links.
    let mut last_uri: Option<(&str, lsp_types::Url)> = None;
    let locations = found.iter().filter_map(|reference| {
        let uri = match &last_uri {
            Some((path, uri)) if *path == reference.path => uri.clone(),
            _ => {
                let uri = texts.uri(&reference.path)?;
                last_uri = Some((&reference.path, uri.clone()));
                uri
            }
        };
        let range = match (encoding, reference.utf16_range) {
            (Encoding::Utf16, Some((start, end))) if reference.path != relative => Range::new(
                lsp_types::Position::new(start.line, start.column),
                lsp_types::Position::new(end.line, end.column),
            ),
            _ if reference.path == relative => span_to_range(rope, reference.span, encoding),
            _ => span_to_range(&texts.rope(&reference.path)?, reference.span, encoding),
        };
        Some(Location::new(uri, range))
    });
    locations.for_each(sink);
    Some(())
}
