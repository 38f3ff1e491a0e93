//! `textDocument/completion` and `completionItem/resolve`: adapters around
//! [`crate::ide::completion`], run on a blocking thread.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use serde::{Deserialize, Serialize};
use tower_lsp::lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, MarkupContent, MarkupKind, TextEdit,
};

use super::wiki_workspace::WikiWorkspace;
use crate::ide::completion::{self, CompletionKind};
use crate::syntax::Span;
use crate::text::rope::{byte_to_position, position_to_char_clamped};
use crate::vfs;

/// Lines of a page shown when an item is resolved.
const PREVIEW_LINES: usize = 5;
/// Enough for five lines of any real page; a preview never reads a large page whole.
const PREVIEW_BYTES: u64 = 16 * 1024;

/// What an item carries to `completionItem/resolve`: the file to preview.
#[derive(Debug, Serialize, Deserialize)]
struct ResolveData {
    root: PathBuf,
    path: String,
}

pub fn completion(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    params: &CompletionParams,
) -> Option<CompletionResponse> {
    let uri = &params.text_document_position.text_document.uri;
    let position = params.text_document_position.position;
    let (root, relative) = workspace.locate(uri)?;
    let encoding = workspace.encoding();
    let cursor_char = position_to_char_clamped(rope, position.line, position.character, encoding);
    // Link contexts never span lines, so only the cursor's line is handed to the feature.
    let line_index = rope.char_to_line(cursor_char);
    let line_start_byte = rope.line_to_byte(line_index);
    let line_text = rope.line(line_index).to_string();
    let offset_in_line = rope.char_to_byte(cursor_char) - line_start_byte;
    let index = root.index();
    let (table, stale) = root.completion_table();
    let mut found = completion::completions(&index, &table, &relative, &line_text, offset_in_line);
    found.incomplete |= stale;
    let to_range = |span: Span| {
        let (start_line, start_column) = byte_to_position(rope, line_start_byte + span.start as usize, encoding);
        let (end_line, end_column) = byte_to_position(rope, line_start_byte + span.end as usize, encoding);
        tower_lsp::lsp_types::Range::new(
            tower_lsp::lsp_types::Position::new(start_line, start_column),
            tower_lsp::lsp_types::Position::new(end_line, end_column),
        )
    };
    let items = found
        .items
        .into_iter()
        .enumerate()
        .map(|(rank, item)| CompletionItem {
            label: item.label,
            kind: Some(item_kind(item.kind)),
            detail: item.detail,
            sort_text: Some(format!("{rank:04}")),
            filter_text: Some(item.filter_text),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                to_range(item.replace),
                item.insert_text,
            ))),
            data: item.document_path.and_then(|path| {
                serde_json::to_value(ResolveData {
                    root: root.path.clone(),
                    path,
                })
                .ok()
            }),
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: found.incomplete,
        items,
    }))
}

fn item_kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Page => CompletionItemKind::FILE,
        CompletionKind::Redirect => CompletionItemKind::REFERENCE,
        CompletionKind::Category => CompletionItemKind::FOLDER,
        CompletionKind::Template => CompletionItemKind::MODULE,
        CompletionKind::Heading => CompletionItemKind::PROPERTY,
    }
}

/// Adds the first lines of the page an item names; an item without a page comes back as it is.
pub fn resolve(mut item: CompletionItem) -> CompletionItem {
    let Some(data) = item
        .data
        .clone()
        .and_then(|data| serde_json::from_value::<ResolveData>(data).ok())
    else {
        return item;
    };
    // The path came from the client: it must stay inside the root it names.
    if data.path.split('/').any(|part| part == "..") {
        return item;
    }
    let Ok(start) = vfs::read_document_start(&data.root.join(&data.path), PREVIEW_BYTES) else {
        return item;
    };
    let preview = completion::preview_lines(&start, PREVIEW_LINES);
    if !preview.is_empty() {
        item.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::PlainText,
            value: preview,
        }));
    }
    item
}
