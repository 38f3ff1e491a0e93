//! What the navigation and editing adapters share: bringing open documents into the index
//! before a workspace-wide question, the text of any document (the editor's, else the disk's),
//! and core edits as a `WorkspaceEdit`.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{
    CreateFile, CreateFileOptions, DeleteFile, DocumentChangeOperation, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, Range, RenameFile, ResourceOp, TextDocumentEdit, TextEdit, Url,
    WorkspaceEdit,
};

use super::convert::span_to_range;
use super::root::Root;
use super::wiki_workspace::WikiWorkspace;
use crate::ide::link_edit;
use crate::ide::rename::RenamePlan;
use crate::text::Encoding;
use crate::vfs;

/// Puts every open document of `root` in its index at its latest version, so that a question
/// about the whole workspace sees links typed but not yet indexed (indexing after a change
/// runs in the background and may not have happened yet).
pub fn index_open_documents(workspace: &Arc<WikiWorkspace>, root: &Arc<Root>) {
    for (uri, version, rope) in workspace.open_documents() {
        let Some((document_root, relative)) = workspace.locate(&uri) else {
            continue;
        };
        if Arc::ptr_eq(&document_root, root) {
            drop(root.index_open_document(&relative, version, &rope));
        }
    }
}

/// Documents' texts by root-relative path, each read once: the editor's text for open
/// documents (with its version), else the file on disk.
pub struct DocumentTexts<'a> {
    workspace: &'a Arc<WikiWorkspace>,
    root: &'a Root,
    cache: std::sync::Mutex<HashMap<String, Option<VersionedText>>>,
}

/// An open document's version (`None` when read from disk) and text.
type VersionedText = (Option<i32>, Rope);

impl<'a> DocumentTexts<'a> {
    pub fn new(workspace: &'a Arc<WikiWorkspace>, root: &'a Root) -> DocumentTexts<'a> {
        DocumentTexts {
            workspace,
            root,
            cache: std::sync::Mutex::new(HashMap::new()),
        }
    }

    pub fn uri(&self, relative: &str) -> Option<Url> {
        Url::from_file_path(self.root.path.join(relative)).ok()
    }

    /// The open version (if open) and text of a document.
    pub fn get(&self, relative: &str) -> Option<VersionedText> {
        let mut cache = super::root::lock(&self.cache);
        cache
            .entry(relative.to_string())
            .or_insert_with(|| {
                let uri = self.uri(relative)?;
                if let Some((version, rope)) = self.workspace.latest_text(&uri) {
                    return Some((Some(version), rope));
                }
                let max_size = self.root.config().max_file_size;
                let text = vfs::read_document(&self.root.path.join(relative), max_size).ok()?.text;
                Some((None, Rope::from_str(&text)))
            })
            .clone()
    }

    pub fn text(&self, relative: &str) -> Option<String> {
        self.get(relative).map(|(_, rope)| rope.to_string())
    }

    pub fn rope(&self, relative: &str) -> Option<Rope> {
        self.get(relative).map(|(_, rope)| rope)
    }

    fn version(&self, relative: &str) -> Option<i32> {
        self.get(relative).and_then(|(version, _)| version)
    }

    /// Core edits of one document as LSP text edits.
    pub fn text_edits(
        &self,
        relative: &str,
        edits: &[link_edit::TextEdit],
        encoding: Encoding,
    ) -> Option<Vec<TextEdit>> {
        let rope = self.rope(relative)?;
        Some(
            edits
                .iter()
                .map(|edit| TextEdit::new(span_to_range(&rope, edit.span, encoding), edit.new_text.clone()))
                .collect(),
        )
    }

    fn document_edit(
        &self,
        relative: &str,
        edits: &[link_edit::TextEdit],
        encoding: Encoding,
    ) -> Option<DocumentChangeOperation> {
        Some(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: self.uri(relative)?,
                version: self.version(relative),
            },
            edits: self
                .text_edits(relative, edits, encoding)?
                .into_iter()
                .map(OneOf::Left)
                .collect(),
        }))
    }

    /// A rename plan as one workspace edit. With file operations: the text edits (on the files'
    /// current paths), then each symlinked redirect deleted and created again as a redirect
    /// page, then the page file's move. Without them (a client that only takes `changes`) the
    /// file cannot be moved nor a symlink replaced: only the text edits are sent, and the
    /// editor's user has to move the file.
    pub fn workspace_edit(&self, plan: &RenamePlan, encoding: Encoding, file_operations: bool) -> WorkspaceEdit {
        if !file_operations {
            let changes: HashMap<Url, Vec<TextEdit>> = plan
                .edits
                .iter()
                .filter_map(|(path, edits)| Some((self.uri(path)?, self.text_edits(path, edits, encoding)?)))
                .collect();
            return WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            };
        }
        let mut operations: Vec<DocumentChangeOperation> = plan
            .edits
            .iter()
            .filter_map(|(path, edits)| self.document_edit(path, edits, encoding))
            .collect();
        for (path, text) in &plan.replaced_symlinks {
            let Some(uri) = self.uri(path) else { continue };
            operations.extend(create_file_operations(
                uri.clone(),
                text,
                Some(DeleteFile { uri, options: None }),
            ));
        }
        if let Some((old, new)) = &plan.file_rename {
            if let (Some(old_uri), Some(new_uri)) = (self.uri(old), self.uri(new)) {
                operations.push(DocumentChangeOperation::Op(ResourceOp::Rename(RenameFile {
                    old_uri,
                    new_uri,
                    options: None,
                    annotation_id: None,
                })));
            }
        }
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(operations)),
            ..WorkspaceEdit::default()
        }
    }
}

/// Creates a file holding `text` (after deleting what was there, when `replacing` says so).
pub fn create_file_operations(uri: Url, text: &str, replacing: Option<DeleteFile>) -> Vec<DocumentChangeOperation> {
    let mut operations = Vec::new();
    if let Some(delete) = replacing {
        operations.push(DocumentChangeOperation::Op(ResourceOp::Delete(delete)));
    }
    operations.push(DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
        uri: uri.clone(),
        options: Some(CreateFileOptions {
            overwrite: Some(false),
            ignore_if_exists: Some(true),
        }),
        annotation_id: None,
    })));
    operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
        edits: vec![OneOf::Left(TextEdit::new(
            Range::new(Position::new(0, 0), Position::new(0, 0)),
            text.to_string(),
        ))],
    }));
    operations
}
