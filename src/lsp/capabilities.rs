//! What the server tells the client at `initialize`: the position encoding and the capabilities.

use tower_lsp::lsp_types::{
    InitializeParams, PositionEncodingKind, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, Url,
};

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

pub fn server_capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(position_encoding_kind(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..TextDocumentSyncOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}
