//! The server's shared state: client handle, open documents, workspace roots, position encoding.
//!
//! Locks here are synchronous and short; none is ever held across an `.await`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use tower_lsp::lsp_types::Url;
use tower_lsp::Client;

use super::documents::{Document, DocumentStore};
use crate::text::Encoding;

/// Told about every applied change, in the order the changes were applied.
///
/// This is where features that follow the text plug in (diagnostics, the workspace index).
/// Listeners are called synchronously, inside the step that applied the change, so they must
/// be quick: record the new snapshot and schedule the real work elsewhere (a debounced task on
/// a blocking thread), never compute it here.
pub trait DocumentListener: Send + Sync {
    fn document_changed(&self, uri: &Url, document: &Document);
    fn document_closed(&self, uri: &Url);
}

pub struct ServerState {
    pub client: Client,
    pub documents: DocumentStore,
    workspace_roots: RwLock<Vec<Url>>,
    position_encoding: OnceLock<Encoding>,
    shutdown_requested: AtomicBool,
    document_listeners: Vec<Arc<dyn DocumentListener>>,
}

impl ServerState {
    pub fn new(client: Client, document_listeners: Vec<Arc<dyn DocumentListener>>) -> ServerState {
        ServerState {
            client,
            documents: DocumentStore::default(),
            workspace_roots: RwLock::new(Vec::new()),
            position_encoding: OnceLock::new(),
            shutdown_requested: AtomicBool::new(false),
            document_listeners,
        }
    }

    /// The negotiated encoding; UTF-16 until `initialize` has negotiated one, as LSP says.
    pub fn position_encoding(&self) -> Encoding {
        self.position_encoding.get().copied().unwrap_or(Encoding::Utf16)
    }

    /// Set once, by `initialize` (tower-lsp refuses a second `initialize`).
    pub fn set_position_encoding(&self, encoding: Encoding) {
        let _ = self.position_encoding.set(encoding);
    }

    pub fn workspace_roots(&self) -> Vec<Url> {
        self.workspace_roots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_workspace_roots(&self, roots: Vec<Url>) {
        *self.workspace_roots.write().unwrap_or_else(PoisonError::into_inner) = roots;
    }

    pub fn shutdown_requested(&self) -> bool {
        self.shutdown_requested.load(Ordering::SeqCst)
    }

    pub fn record_shutdown_request(&self) {
        self.shutdown_requested.store(true, Ordering::SeqCst);
    }

    pub fn notify_document_changed(&self, uri: &Url, document: &Document) {
        for listener in &self.document_listeners {
            listener.document_changed(uri, document);
        }
    }

    pub fn notify_document_closed(&self, uri: &Url) {
        for listener in &self.document_listeners {
            listener.document_closed(uri);
        }
    }
}
