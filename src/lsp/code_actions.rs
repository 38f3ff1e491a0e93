//! `textDocument/codeAction`: the quick fixes of [`crate::ide::code_actions`] for the range, as
//! LSP code actions naming the diagnostics they fix.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, DocumentChangeOperation,
    DocumentChanges, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit,
    WorkspaceEdit,
};

use super::convert::span_to_range;
use super::definition::document_at_version;
use super::wiki_workspace::WikiWorkspace;
use super::workspace_edit::create_file_operations;
use crate::ide::code_actions;
use crate::syntax::Span;
use crate::text::rope::position_to_byte_clamped;

pub fn code_actions(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    version: i32,
    params: &CodeActionParams,
) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let (root, relative) = workspace.locate_known(uri)?;
    let encoding = workspace.encoding();
    let start = position_to_byte_clamped(rope, params.range.start.line, params.range.start.character, encoding);
    let end = position_to_byte_clamped(rope, params.range.end.line, params.range.end.character, encoding);
    let index = root.index();
    let text = rope.to_string();
    // Editors ask for code actions whenever the cursor moves: reuse the indexed version.
    let document = document_at_version(&root, &index, &relative, version, rope)?;
    let config = workspace.effective_config(&root);
    let range = Span::new(start.min(end), start.max(end));
    let file_operations = workspace.client_features().workspace_edit_file_operations;
    let actions = code_actions::code_actions(&index, &document, &text, range, &config)
        .into_iter()
        .filter_map(|action| {
            let finding_range = span_to_range(rope, action.finding_span, encoding);
            let diagnostics: Vec<Diagnostic> = params
                .context
                .diagnostics
                .iter()
                .filter(|diagnostic| {
                    diagnostic.range == finding_range
                        && diagnostic.code == Some(NumberOrString::String(action.fixes.name().to_string()))
                })
                .cloned()
                .collect();
            let edits: Vec<TextEdit> = action
                .edits
                .iter()
                .map(|edit| TextEdit::new(span_to_range(rope, edit.span, encoding), edit.new_text.clone()))
                .collect();
            let edit = match &action.create_file {
                // Creating a file needs resource operations; a client without them gets no such action.
                Some((path, initial_text)) => {
                    if !file_operations {
                        return None;
                    }
                    let new_uri = tower_lsp::lsp_types::Url::from_file_path(root.path.join(path)).ok()?;
                    WorkspaceEdit {
                        document_changes: Some(DocumentChanges::Operations(create_file_operations(
                            new_uri,
                            initial_text,
                            None,
                        ))),
                        ..WorkspaceEdit::default()
                    }
                }
                None if file_operations => WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Operations(vec![DocumentChangeOperation::Edit(
                        TextDocumentEdit {
                            text_document: OptionalVersionedTextDocumentIdentifier {
                                uri: uri.clone(),
                                version: Some(version),
                            },
                            edits: edits.into_iter().map(OneOf::Left).collect(),
                        },
                    )])),
                    ..WorkspaceEdit::default()
                },
                None => WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                },
            };
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: action.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                edit: Some(edit),
                is_preferred: action.is_preferred.then_some(true),
                ..CodeAction::default()
            }))
        })
        .collect();
    Some(actions)
}
