//! What the server tells the client at `initialize`: the position encoding and the capabilities.

use tower_lsp::lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions, DiagnosticOptions,
    DiagnosticServerCapabilities, DocumentLinkOptions, FileOperationFilter, FileOperationPattern,
    FileOperationRegistrationOptions, HoverProviderCapability, InitializeParams, MarkupKind, OneOf,
    PositionEncodingKind, RenameOptions, ResourceOperationKind, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, Url, WorkspaceFileOperationsServerCapabilities,
    WorkspaceServerCapabilities,
};

/// The files whose creation, renaming and deletion in the editor the server wants to hear about.
const WIKI_FILE_GLOB: &str = "**/*.{md,markdown,wiki,wikitext,mediawiki}";

fn wiki_file_operations() -> FileOperationRegistrationOptions {
    FileOperationRegistrationOptions {
        filters: vec![FileOperationFilter {
            scheme: Some("file".to_string()),
            pattern: FileOperationPattern {
                glob: WIKI_FILE_GLOB.to_string(),
                matches: None,
                options: None,
            },
        }],
    }
}

use super::wiki_workspace::ClientFeatures;
use crate::text::Encoding;

/// UTF-8 when the client offers it (no conversion cost for us), else UTF-16, which LSP makes
/// mandatory for every client.
pub fn negotiate_position_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_deref())
        .unwrap_or_default();
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

pub fn position_encoding_kind(encoding: Encoding) -> PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
    }
}

/// The workspace folders, or the single root URI of clients that predate workspace folders.
pub fn workspace_roots(params: &InitializeParams) -> Vec<Url> {
    match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders.iter().map(|folder| folder.uri.clone()).collect(),
        _ => params.root_uri.iter().cloned().collect(),
    }
}

/// The client capabilities the wiki features depend on. A client that declares no diagnostics
/// support at all gets none pushed.
pub fn client_features(params: &InitializeParams) -> ClientFeatures {
    let capabilities = &params.capabilities;
    let text_document = capabilities.text_document.as_ref();
    let workspace = capabilities.workspace.as_ref();
    ClientFeatures {
        work_done_progress: capabilities
            .window
            .as_ref()
            .and_then(|window| window.work_done_progress)
            .unwrap_or(false),
        watched_files_dynamic_registration: workspace
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false),
        push_diagnostics: text_document.is_some_and(|text_document| text_document.publish_diagnostics.is_some()),
        pull_diagnostics: text_document.is_some_and(|text_document| text_document.diagnostic.is_some()),
        diagnostic_refresh: workspace
            .and_then(|workspace| workspace.diagnostic.as_ref())
            .and_then(|diagnostic| diagnostic.refresh_support)
            .unwrap_or(false),
        code_lens_refresh: workspace
            .and_then(|workspace| workspace.code_lens.as_ref())
            .and_then(|code_lens| code_lens.refresh_support)
            .unwrap_or(false),
        semantic_tokens_refresh: workspace
            .and_then(|workspace| workspace.semantic_tokens.as_ref())
            .and_then(|tokens| tokens.refresh_support)
            .unwrap_or(false),
        definition_link_support: text_document
            .and_then(|text_document| text_document.definition.as_ref())
            .and_then(|definition| definition.link_support)
            .unwrap_or(false),
        hover_markdown: text_document
            .and_then(|text_document| text_document.hover.as_ref())
            .and_then(|hover| hover.content_format.as_ref())
            .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
        hierarchical_document_symbols: text_document
            .and_then(|text_document| text_document.document_symbol.as_ref())
            .and_then(|symbols| symbols.hierarchical_document_symbol_support)
            .unwrap_or(false),
        semantic_tokens: text_document.is_some_and(|text_document| text_document.semantic_tokens.is_some()),
        workspace_edit_file_operations: workspace
            .and_then(|workspace| workspace.workspace_edit.as_ref())
            .is_some_and(|edit| {
                let operations = edit.resource_operations.as_deref().unwrap_or_default();
                edit.document_changes == Some(true)
                    && [
                        ResourceOperationKind::Create,
                        ResourceOperationKind::Rename,
                        ResourceOperationKind::Delete,
                    ]
                    .iter()
                    .all(|operation| operations.contains(operation))
            }),
        prepare_rename_support: text_document
            .and_then(|text_document| text_document.rename.as_ref())
            .and_then(|rename| rename.prepare_support)
            .unwrap_or(false),
    }
}

pub fn server_capabilities(encoding: Encoding, features: ClientFeatures) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(position_encoding_kind(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..TextDocumentSyncOptions::default()
        })),
        definition_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(tower_lsp::lsp_types::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        folding_range_provider: Some(tower_lsp::lsp_types::FoldingRangeProviderCapability::Simple(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(match features.prepare_rename_support {
            true => OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            }),
            false => OneOf::Left(true),
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        completion_provider: Some(CompletionOptions {
            resolve_provider: Some(true),
            trigger_characters: Some(["[", "{", "/", "#", ":"].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        // A client that pulls gets nothing pushed, so it never shows the same finding twice.
        diagnostic_provider: features.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("wikils".to_string()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                ..DiagnosticOptions::default()
            })
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: None,
            file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                did_create: Some(wiki_file_operations()),
                did_rename: Some(wiki_file_operations()),
                did_delete: Some(wiki_file_operations()),
                will_rename: Some(wiki_file_operations()),
                ..WorkspaceFileOperationsServerCapabilities::default()
            }),
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        semantic_tokens_provider: features
            .semantic_tokens
            .then(super::semantic_tokens::semantic_tokens_options),
        ..ServerCapabilities::default()
    }
}
