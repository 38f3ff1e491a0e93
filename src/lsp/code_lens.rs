//! `textDocument/codeLens`: the backlinks lens of [`crate::ide::code_lens`] on the page's title.
//!
//! The lens is a label (`12 backlinks`) whose command is empty: VS Code draws it as plain text
//! and Neovim as virtual text, with no client code. A command that opens the list would need
//! client code in each editor (VS Code's `editor.action.showReferences` expects `Uri` and
//! `Position` objects that a server's JSON arguments do not become; rust-analyzer and marksman
//! ship client-side commands for this), so the list is left to Find References.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{CodeLens, CodeLensParams, Command};

use super::convert::span_to_range;
use super::definition::document_at_version;
use super::wiki_workspace::WikiWorkspace;
use crate::ide::code_lens::backlinks_lens;

/// The lenses of an open document whose text, at `version`, is `rope`.
pub fn code_lens(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    version: i32,
    params: &CodeLensParams,
) -> Option<Vec<CodeLens>> {
    let (root, relative) = workspace.locate_known(&params.text_document.uri)?;
    // The index holds this version of the page before counting (a redirect made or unmade by the
    // edit changes the answer): this waits for the background indexing of the edit, or indexes
    // the text now; the lock is released at once.
    drop(root.index_open_document(&relative, version, rope));
    let index = root.index();
    // The title heading is found in the editor's text; the backlinks come from the index.
    let document = document_at_version(&root, &index, &relative, version, rope)?;
    let lens = backlinks_lens(&index, &document)?;
    Some(vec![CodeLens {
        range: span_to_range(rope, lens.span, workspace.encoding()),
        command: Some(Command {
            title: lens.title,
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }])
}
