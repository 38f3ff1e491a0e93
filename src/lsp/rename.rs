//! `textDocument/prepareRename`, `textDocument/rename` and `workspace/willRenameFiles`: adapters
//! around [`crate::ide::rename`]. A position that cannot be renamed, or a bad new name, gets an
//! error response whose message says why (editors show it).

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::{
    PrepareRenameResponse, RenameFilesParams, RenameParams, TextDocumentPositionParams, Url, WorkspaceEdit,
};

use super::convert::span_to_range;
use super::definition::fresh_document;
use super::wiki_workspace::WikiWorkspace;
use super::workspace_edit::{index_open_documents, DocumentTexts};
use crate::ide::rename;
use crate::ide::rename::RenamePlan;
use crate::text::rope::position_to_byte_clamped;

/// LSP's `RequestFailed`: the request was valid but could not be carried out.
const REQUEST_FAILED: i64 = -32803;

fn request_failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(REQUEST_FAILED),
        message: message.into(),
        data: None,
    }
}

pub fn prepare_rename(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    params: &TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some((root, relative)) = workspace.locate(&params.text_document.uri) else {
        return Ok(None);
    };
    let encoding = workspace.encoding();
    let offset = position_to_byte_clamped(rope, params.position.line, params.position.character, encoding);
    let index = root.index();
    let text = rope.to_string();
    let Some(document) = fresh_document(&index, &relative, &text) else {
        return Ok(None);
    };
    let (span, placeholder) = rename::prepare_rename(&index, &document, &text, offset).map_err(request_failed)?;
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: span_to_range(rope, span, encoding),
        placeholder,
    }))
}

pub fn rename(workspace: &Arc<WikiWorkspace>, rope: &Rope, params: &RenameParams) -> Result<Option<WorkspaceEdit>> {
    let position = &params.text_document_position;
    let Some((root, relative)) = workspace.locate(&position.text_document.uri) else {
        return Ok(None);
    };
    let encoding = workspace.encoding();
    let offset = position_to_byte_clamped(rope, position.position.line, position.position.character, encoding);
    index_open_documents(workspace, &root);
    let index = root.index();
    let text = rope.to_string();
    let Some(document) = fresh_document(&index, &relative, &text) else {
        return Ok(None);
    };
    let texts = DocumentTexts::new(workspace, &root);
    let read = |path: &str| texts.text(path);
    let plan = rename::rename(&index, &document, &text, offset, &params.new_name, &read).map_err(request_failed)?;
    let file_operations = workspace.client_features().workspace_edit_file_operations;
    Ok(Some(texts.workspace_edit(&plan, encoding, file_operations)))
}

/// The link edits for page files the editor is about to move; the editor moves them itself.
pub fn will_rename_files(workspace: &Arc<WikiWorkspace>, params: &RenameFilesParams) -> Option<WorkspaceEdit> {
    let encoding = workspace.encoding();
    let file_operations = workspace.client_features().workspace_edit_file_operations;
    let mut combined = WorkspaceEdit::default();
    for file in &params.files {
        let (Ok(old_uri), Ok(new_uri)) = (Url::parse(&file.old_uri), Url::parse(&file.new_uri)) else {
            continue;
        };
        let Some((root, old_path)) = workspace.locate(&old_uri) else {
            continue;
        };
        // The new path does not exist yet; it must be in the same root for links to follow.
        let Some(new_path) = new_uri.to_file_path().ok().filter(|path| path.starts_with(&root.path)) else {
            continue;
        };
        let new_path = crate::vfs::relative_path(&root.path, &new_path);
        index_open_documents(workspace, &root);
        let index = root.index();
        let texts = DocumentTexts::new(workspace, &root);
        let read = |path: &str| texts.text(path);
        let plan: RenamePlan = rename::file_moved(&index, &old_path, &new_path, &read);
        merge(&mut combined, texts.workspace_edit(&plan, encoding, file_operations));
    }
    let empty =
        combined.changes.as_ref().is_none_or(|changes| changes.is_empty()) && combined.document_changes.is_none();
    (!empty).then_some(combined)
}

fn merge(into: &mut WorkspaceEdit, edit: WorkspaceEdit) {
    use tower_lsp::lsp_types::DocumentChanges;
    if let Some(changes) = edit.changes {
        into.changes.get_or_insert_with(Default::default).extend(changes);
    }
    if let Some(DocumentChanges::Operations(operations)) = edit.document_changes {
        if operations.is_empty() {
            return;
        }
        match into
            .document_changes
            .get_or_insert_with(|| DocumentChanges::Operations(Vec::new()))
        {
            DocumentChanges::Operations(existing) => existing.extend(operations),
            DocumentChanges::Edits(_) => {}
        }
    }
}
