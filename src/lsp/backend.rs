//! The tower-lsp `LanguageServer` implementation: adapters from LSP messages to the state.
//!
//! # Why edits are applied in arrival order
//!
//! tower-lsp may run several handlers at once, so a handler that awaited before applying its
//! change could be overtaken by the next `didChange`. Every document notification here therefore
//! applies its change completely, synchronously, before its first `.await`, and holds no DashMap
//! guard across an await. That prefix runs in arrival order because of how the futures are
//! driven (see `transport.rs` for the details checked against tower-lsp 0.20's source): each
//! handler future is created in arrival order, queued FIFO, and first polled in that order, all
//! on one task, so the synchronous prefix of notification N finishes before that of N + 1
//! starts. Anything slow (telling the client about a rejection, and later diagnostics) happens
//! after the change has been applied.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types;
use tower_lsp::lsp_types::{
    CodeActionParams, CodeActionResponse, Location, PrepareRenameResponse, ReferenceParams, RenameParams,
    TextDocumentPositionParams, WorkspaceEdit,
};
use tower_lsp::lsp_types::{
    CompletionItem, CompletionParams, CompletionResponse, CreateFilesParams, DeleteFilesParams,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentDiagnosticParams, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    FileChangeType, FileEvent, FullDocumentDiagnosticReport, GotoDefinitionParams, GotoDefinitionResponse,
    InitializeParams, InitializeResult, InitializedParams, MessageType, RelatedFullDocumentDiagnosticReport,
    RenameFilesParams, ServerInfo, Url, WorkspaceDiagnosticParams, WorkspaceDiagnosticReport,
    WorkspaceDiagnosticReportResult, WorkspaceDocumentDiagnosticReport, WorkspaceFullDocumentDiagnosticReport,
};
use tower_lsp::lsp_types::{
    DocumentLink, DocumentLinkParams, DocumentSymbolParams, DocumentSymbolResponse, Hover, HoverParams,
    SemanticTokensParams, SemanticTokensRangeParams, SemanticTokensRangeResult, SemanticTokensResult,
    SymbolInformation, WorkspaceSymbolParams,
};
use tower_lsp::LanguageServer;

use super::capabilities::{client_features, negotiate_position_encoding, server_capabilities, workspace_roots};
use super::raw_result::RawResultSlot;
use super::state::ServerState;
use super::wiki_workspace::WikiWorkspace;

pub struct Backend {
    pub state: Arc<ServerState>,
    pub wiki: Arc<WikiWorkspace>,
    /// Problems with the settings in `initializationOptions`, shown once `initialized` arrives.
    pub initialization_problems: std::sync::Mutex<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct DocumentStateParams {
    pub uri: Url,
}

/// The server's copy of an open document, for tests that compare it with their own.
#[derive(Debug, Serialize)]
pub struct DocumentStateResult {
    pub version: i32,
    pub text: String,
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = negotiate_position_encoding(&params);
        let features = client_features(&params);
        self.state.set_position_encoding(encoding);
        self.state.set_workspace_roots(workspace_roots(&params));
        self.wiki.configure(features, encoding);
        if let Some(rules) = params
            .initialization_options
            .as_ref()
            .and_then(|options| options.get("rules"))
        {
            let problems = self.wiki.set_editor_rules(rules);
            // The client may not be sent messages before `initialize` is answered.
            *self
                .initialization_problems
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = problems;
        }
        Ok(InitializeResult {
            capabilities: server_capabilities(encoding, features),
            server_info: Some(ServerInfo {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Clients send either the whole settings object or just the `wikils` section.
        let settings = params.settings.get("wikils").unwrap_or(&params.settings);
        let Some(rules) = settings.get("rules") else { return };
        let problems = self.wiki.set_editor_rules(rules);
        self.report_settings_problems(problems).await;
        self.wiki.refresh_all_diagnostics().await;
    }

    async fn initialized(&self, _: InitializedParams) {
        let problems = std::mem::take(
            &mut *self
                .initialization_problems
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.report_settings_problems(problems).await;
        self.wiki.start(self.state.workspace_roots());
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.record_shutdown_request();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        // Synchronous, before any await: see the module documentation.
        let item = params.text_document;
        let document = self
            .state
            .documents
            .open(item.uri.clone(), &item.text, item.version, item.language_id);
        self.state.notify_document_changed(&item.uri, &document);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Synchronous, before any await: see the module documentation.
        let uri = params.text_document.uri;
        let applied = self.state.documents.apply_changes(
            &uri,
            params.text_document.version,
            &params.content_changes,
            self.state.position_encoding(),
        );
        match applied {
            Ok(document) => self.state.notify_document_changed(&uri, &document),
            Err(rejection) => {
                let message = format!(
                    "wikils ignored a change to {uri}: {rejection}. Its copy of the document may \
                     now differ from the editor's; close and reopen the file to resynchronise."
                );
                eprintln!("{message}");
                let client = &self.state.client;
                client.log_message(MessageType::WARNING, &message).await;
                client.show_message(MessageType::WARNING, &message).await;
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        // Synchronous, before any await: see the module documentation.
        let uri = params.text_document.uri;
        self.state.documents.close(&uri);
        self.state.notify_document_closed(&uri);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.wiki.files_changed(params.changes).await;
    }

    // Files created, renamed or deleted from the editor are handled like the watcher's events, for
    // clients that send these and no watcher events.
    async fn did_create_files(&self, params: CreateFilesParams) {
        let events = params
            .files
            .into_iter()
            .filter_map(|file| file_event(&file.uri, FileChangeType::CREATED));
        self.wiki.files_changed(events.collect()).await;
    }

    async fn did_rename_files(&self, params: RenameFilesParams) {
        let events = params.files.into_iter().flat_map(|file| {
            [
                file_event(&file.old_uri, FileChangeType::DELETED),
                file_event(&file.new_uri, FileChangeType::CREATED),
            ]
        });
        self.wiki.files_changed(events.flatten().collect()).await;
    }

    async fn did_delete_files(&self, params: DeleteFilesParams) {
        let events = params
            .files
            .into_iter()
            .filter_map(|file| file_event(&file.uri, FileChangeType::DELETED));
        self.wiki.files_changed(events.collect()).await;
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let uri = &params.text_document_position_params.text_document.uri;
        let Some(document) = self.state.documents.snapshot(uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        self.wiki
            .wait_for_names(&params.text_document_position_params.text_document.uri)
            .await;
        run_blocking(move || super::definition::goto_definition(&wiki, &document.rope, document.version, &params)).await
    }

    /// Under the transport, the answer is serialized on the blocking thread and handed over in
    /// the request's raw-result slot (see `transport.rs`); `Ok(None)` then stands for it.
    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let raw_result = RawResultSlot::of_current_request();
        let uri = &params.text_document_position.text_document.uri;
        self.refuse_while_links_load(uri)?;
        let Some(document) = self.state.documents.snapshot(uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        let Some(raw_result) = raw_result else {
            return run_blocking(move || super::references::references(&wiki, &document.rope, &params)).await;
        };
        match run_blocking(move || super::references::references_json(&wiki, &document.rope, &params)).await? {
            Some(Ok(json)) => raw_result.store(json),
            Some(Err(error)) => return Err(internal_error(&error)),
            None => {}
        }
        Ok(None)
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.refuse_while_links_load(&params.text_document.uri)?;
        let Some(document) = self.state.documents.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        run_blocking(move || super::rename::prepare_rename(&wiki, &document.rope, &params)).await?
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.refuse_while_links_load(&params.text_document_position.text_document.uri)?;
        let Some(document) = self
            .state
            .documents
            .snapshot(&params.text_document_position.text_document.uri)
        else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        run_blocking(move || super::rename::rename(&wiki, &document.rope, &params)).await?
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        for file in &params.files {
            if let Ok(uri) = Url::parse(&file.old_uri) {
                self.refuse_while_links_load(&uri)?;
            }
        }
        let wiki = Arc::clone(&self.wiki);
        run_blocking(move || super::rename::will_rename_files(&wiki, &params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(document) = self.state.documents.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        self.wiki.wait_for_names(&params.text_document.uri).await;
        run_blocking(move || super::code_actions::code_actions(&wiki, &document.rope, document.version, &params)).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = &params.text_document_position.text_document.uri;
        let Some(document) = self.state.documents.snapshot(uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        run_blocking(move || super::completion::completion(&wiki, &document.rope, &params)).await
    }

    async fn code_lens(&self, params: lsp_types::CodeLensParams) -> Result<Option<Vec<lsp_types::CodeLens>>> {
        let Some(document) = self.state.documents.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        self.wiki.wait_for_names(&params.text_document.uri).await;
        run_blocking(move || super::code_lens::code_lens(&wiki, &document.rope, document.version, &params)).await
    }

    async fn folding_range(
        &self,
        params: lsp_types::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp_types::FoldingRange>>> {
        let Some(document) = self.state.documents.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        run_blocking(move || super::folding::folding_range(&document.rope, &params)).await
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        run_blocking(move || super::completion::resolve(item)).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = &params.text_document_position_params.text_document.uri;
        let Some(document) = self.state.documents.snapshot(uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        self.wiki
            .wait_for_names(&params.text_document_position_params.text_document.uri)
            .await;
        run_blocking(move || super::hover::hover(&wiki, &document.rope, document.version, &params)).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some(document) = self.state.documents.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        run_blocking(move || super::symbols::document_symbol(&wiki, &document.rope, &params)).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<Vec<SymbolInformation>>> {
        let wiki = Arc::clone(&self.wiki);
        run_blocking(move || Some(super::symbols::workspace_symbol(&wiki, &params))).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let Some(document) = self.state.documents.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        self.wiki.wait_for_names(&params.text_document.uri).await;
        run_blocking(move || super::document_link::document_link(&wiki, &document.rope, document.version, &params))
            .await
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let Some(document) = self.state.documents.snapshot(&uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        self.wiki.wait_for_names(&uri).await;
        let tokens = run_blocking(move || {
            super::semantic_tokens::semantic_tokens(&wiki, &document.rope, document.version, &uri, None)
        });
        Ok(tokens.await?.map(SemanticTokensResult::Tokens))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let uri = params.text_document.uri;
        let Some(document) = self.state.documents.snapshot(&uri) else {
            return Ok(None);
        };
        let wiki = Arc::clone(&self.wiki);
        let range = params.range;
        self.wiki.wait_for_names(&uri).await;
        let tokens = run_blocking(move || {
            super::semantic_tokens::semantic_tokens(&wiki, &document.rope, document.version, &uri, Some(range))
        });
        Ok(tokens.await?.map(SemanticTokensRangeResult::Tokens))
    }

    async fn workspace_diagnostic(&self, _: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        self.wiki.wait_for_all_roots_to_load().await;
        let wiki = Arc::clone(&self.wiki);
        let reports = run_blocking(move || wiki.workspace_diagnostics()).await?;
        let items = reports
            .into_iter()
            .map(|(uri, version, items)| {
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version: version.map(i64::from),
                    full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
                })
            })
            .collect();
        Ok(WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport {
            items,
        }))
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        self.wiki.wait_for_diagnostics_to_be_meaningful(&uri).await;
        let wiki = Arc::clone(&self.wiki);
        let items = run_blocking(move || {
            let (version, rope) = wiki.latest_text(&uri)?;
            wiki.compute_diagnostics(&uri, version, &rope)
        })
        .await?
        .unwrap_or_default();
        let report = RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
        };
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            report,
        )))
    }
}

/// Runs a feature on a blocking thread, so the async runtime keeps serving other messages; a
/// panic in the feature becomes an internal-error response.
pub(crate) async fn run_blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| internal_error(&error))
}

fn internal_error(error: &dyn std::fmt::Display) -> tower_lsp::jsonrpc::Error {
    let mut response = tower_lsp::jsonrpc::Error::internal_error();
    response.message = format!("wikils: {error}").into();
    response
}

fn file_event(uri: &str, typ: FileChangeType) -> Option<FileEvent> {
    Url::parse(uri).ok().map(|uri| FileEvent { uri, typ })
}

impl Backend {
    /// Requests whose answer needs every page's links fail, saying why, while those links are
    /// still being read: a partial list of references or a rename that misses links would be a
    /// silent wrong answer.
    fn refuse_while_links_load(&self, uri: &Url) -> Result<()> {
        match self.wiki.links_still_loading(uri) {
            None => Ok(()),
            Some(reason) => {
                let mut error = tower_lsp::jsonrpc::Error::new(tower_lsp::jsonrpc::ErrorCode::ServerError(-32803));
                error.message = reason.into();
                Err(error)
            }
        }
    }

    async fn report_settings_problems(&self, problems: Vec<String>) {
        if problems.is_empty() {
            return;
        }
        let message = format!("wikils: ignored settings: {}", problems.join("; "));
        self.state.client.log_message(MessageType::WARNING, &message).await;
        self.state.client.show_message(MessageType::WARNING, message).await;
    }

    /// `wikils/documentState`: the stored text and version, or null when the document is not open.
    pub async fn document_state(&self, params: DocumentStateParams) -> Result<Option<DocumentStateResult>> {
        Ok(self
            .state
            .documents
            .snapshot(&params.uri)
            .map(|document| DocumentStateResult {
                version: document.version,
                text: document.rope.to_string(),
            }))
    }

    /// `wikils/debugPanic`: registered only when `WIKILS_TEST_PANIC=1`, to prove that a panicking
    /// handler becomes an error response and leaves the server running.
    pub async fn debug_panic(&self) -> Result<()> {
        panic_deliberately()
    }
}

fn panic_deliberately() -> Result<()> {
    panic!("wikils/debugPanic: deliberate panic requested by a test")
}
