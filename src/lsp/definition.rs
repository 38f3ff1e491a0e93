//! `textDocument/definition`: converts the position, calls [`crate::ide::definition`] on a
//! blocking thread, and converts the targets back to `LocationLink`s.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location, LocationLink, Range, Url};

use super::convert::span_to_range;
use super::root::Root;
use super::wiki_workspace::WikiWorkspace;
use crate::ide::definition::{self, Definition};
use crate::index::{Document, DocumentId, Index};
use crate::syntax::Flavor;
use crate::text::rope::position_to_byte_clamped;
use crate::text::Encoding;
use crate::vfs;

/// Answers a definition request for an open document whose text is `rope`.
pub fn goto_definition(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    version: i32,
    params: &GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let uri = &params.text_document_position_params.text_document.uri;
    let position = params.text_document_position_params.position;
    let (root, relative) = workspace.locate_known(uri)?;
    let encoding = workspace.encoding();
    let offset = position_to_byte_clamped(rope, position.line, position.character, encoding);
    let index = root.index();
    let document = document_at_version(&root, &index, &relative, version, rope)?;
    let definitions = definition::definitions(&index, &document, offset);
    let links: Vec<LocationLink> = definitions
        .iter()
        .filter_map(|found| location_link(workspace, &root, rope, found, encoding))
        .collect();
    if links.is_empty() {
        return None;
    }
    if workspace.client_features().definition_link_support {
        Some(GotoDefinitionResponse::Link(links))
    } else {
        let locations = links
            .into_iter()
            .map(|link| Location::new(link.target_uri, link.target_selection_range))
            .collect();
        Some(GotoDefinitionResponse::Array(locations))
    }
}

/// The facts of an open document at `version`, whose text is `rope`, for a request about it.
/// The index usually holds this very version already (edits are indexed as they arrive);
/// otherwise the text the request refers to is parsed, so that positions match what the editor
/// shows. Parsing costs O(document), seconds for a 10 MB page, hence the check first.
pub(crate) fn document_at_version(
    root: &Root,
    index: &Index,
    relative: &str,
    version: i32,
    rope: &Rope,
) -> Option<Arc<Document>> {
    match root.indexed_document_at_version(relative, version) {
        Some(document) => Some(document),
        None => fresh_document(index, relative, &rope.to_string()).map(Arc::new),
    }
}

pub(crate) fn fresh_document(index: &Index, relative: &str, text: &str) -> Option<Document> {
    let flavor = Flavor::from_path(std::path::Path::new(relative))?;
    let stored = index.document_by_path(relative);
    let title = index
        .settings
        .layout
        .title_of_path(relative, &index.settings.rules)
        .and_then(|title| index.interner.get(title.full()));
    let facts = index.facts_for_text(relative, flavor, text);
    Some(Document::detached(
        stored.as_ref().map_or(DocumentId(u32::MAX), |document| document.id),
        relative,
        index.interner.get_or_intern(relative),
        title,
        flavor,
        facts,
    ))
}

fn location_link(
    workspace: &Arc<WikiWorkspace>,
    root: &Root,
    origin_rope: &Rope,
    found: &Definition,
    encoding: Encoding,
) -> Option<LocationLink> {
    let target_path = root.path.join(&found.target_path);
    let target_uri = Url::from_file_path(&target_path).ok()?;
    let target_range = if found.target_span.end == 0 {
        Range::default()
    } else {
        // The heading's position needs the target's text: the editor's, when it is open.
        let target_rope = match workspace.latest_text(&target_uri) {
            Some((_, rope)) => rope,
            None => {
                let max_size = root.config().max_file_size;
                let text = vfs::read_document(&target_path, max_size).ok()?.text;
                Rope::from_str(&text)
            }
        };
        span_to_range(&target_rope, found.target_span, encoding)
    };
    Some(LocationLink {
        origin_selection_range: Some(span_to_range(origin_rope, found.origin_span, encoding)),
        target_uri,
        target_range,
        target_selection_range: target_range,
    })
}
