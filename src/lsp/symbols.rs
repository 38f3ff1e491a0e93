//! `textDocument/documentSymbol` and `workspace/symbol`: adapters around
//! [`crate::ide::document_symbol`] and [`crate::ide::workspace_symbol`].

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, Location, Range, SymbolInformation, SymbolKind, Url,
    WorkspaceSymbolParams,
};

use super::convert::span_to_range;
use super::wiki_workspace::WikiWorkspace;
use crate::ide::document_symbol::{document_symbols, SectionSymbol};
use crate::ide::workspace_symbol::{workspace_symbols, TitleSymbol};
use crate::syntax::Flavor;
use crate::text::Encoding;
use crate::title::Namespace;

/// Titles returned for one `workspace/symbol` query, at most.
pub const WORKSPACE_SYMBOL_LIMIT: usize = 200;

/// The heading tree of an open wiki document (any open `.md`/`.wiki` file, inside a root or not:
/// headings need no index).
pub fn document_symbol(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    params: &DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let uri = &params.text_document.uri;
    let flavor = Flavor::from_path(std::path::Path::new(uri.path()))?;
    let encoding = workspace.encoding();
    let sections = document_symbols(&rope.to_string(), flavor);
    if workspace.client_features().hierarchical_document_symbols {
        let symbols = sections
            .iter()
            .map(|section| nested_symbol(rope, section, encoding))
            .collect();
        Some(DocumentSymbolResponse::Nested(symbols))
    } else {
        let mut flat = Vec::new();
        for section in &sections {
            flatten(rope, uri, section, None, encoding, &mut flat);
        }
        Some(DocumentSymbolResponse::Flat(flat))
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol type.
fn nested_symbol(rope: &Rope, section: &SectionSymbol, encoding: Encoding) -> DocumentSymbol {
    DocumentSymbol {
        name: section.name.clone(),
        detail: None,
        kind: SymbolKind::STRING,
        tags: None,
        deprecated: None,
        range: span_to_range(rope, section.span, encoding),
        selection_range: span_to_range(rope, section.selection_span, encoding),
        children: Some(
            section
                .children
                .iter()
                .map(|child| nested_symbol(rope, child, encoding))
                .collect(),
        ),
    }
}

#[allow(deprecated)]
fn flatten(
    rope: &Rope,
    uri: &Url,
    section: &SectionSymbol,
    container: Option<&str>,
    encoding: Encoding,
    out: &mut Vec<SymbolInformation>,
) {
    out.push(SymbolInformation {
        name: section.name.clone(),
        kind: SymbolKind::STRING,
        tags: None,
        deprecated: None,
        location: Location::new(uri.clone(), span_to_range(rope, section.span, encoding)),
        container_name: container.map(str::to_string),
    });
    for child in &section.children {
        flatten(rope, uri, child, Some(&section.name), encoding, out);
    }
}

/// Page titles of every root matching the query, best first, at most [`WORKSPACE_SYMBOL_LIMIT`].
/// Each points at the top of its file.
pub fn workspace_symbol(workspace: &Arc<WikiWorkspace>, params: &WorkspaceSymbolParams) -> Vec<SymbolInformation> {
    let mut found = Vec::new();
    for root in workspace.roots() {
        // A stale table (a title added a moment ago) still answers; the next query sees the new one.
        let (table, _stale) = root.completion_table();
        let index = root.index();
        let remaining = WORKSPACE_SYMBOL_LIMIT.saturating_sub(found.len());
        for symbol in workspace_symbols(&index, &table, &params.query, remaining) {
            if let Ok(uri) = Url::from_file_path(root.path.join(&symbol.path)) {
                found.push(symbol_information(symbol, uri));
            }
        }
    }
    found
}

#[allow(deprecated)]
fn symbol_information(symbol: TitleSymbol, uri: Url) -> SymbolInformation {
    let kind = match symbol.namespace {
        Namespace::Main => SymbolKind::FILE,
        Namespace::Category => SymbolKind::NAMESPACE,
        Namespace::Template | Namespace::Module => SymbolKind::FUNCTION,
        _ => SymbolKind::MODULE,
    };
    SymbolInformation {
        name: symbol.title,
        kind,
        tags: None,
        deprecated: None,
        location: Location::new(uri, Range::default()),
        container_name: symbol.alias_only.then(|| "redirect".to_string()),
    }
}
