//! The protocol edge: serves LSP over stdio with tower-lsp. The only module that knows LSP exists.
//!
//! # Code map
//! - [`transport`]: our stdio loop around tower-lsp's service (malformed input, panics, exit).
//! - [`raw_result`]: a result a handler serializes itself, written by the transport in place of
//!   tower-lsp's (references, whose answers can be huge).
//! - [`framing`]: `Content-Length` framing that recovers from bad frames.
//! - [`backend`]: the `LanguageServer` impl; adapters only, and the in-order edit argument.
//! - [`state`]: shared state and the [`state::DocumentListener`] hook features plug into.
//! - [`documents`]: open documents (rope, version, language); all-or-nothing `didChange`.
//! - [`capabilities`]: position-encoding negotiation, client features, advertised capabilities.
//! - [`wiki_workspace`]: roots, their index and configuration, loading with progress, open
//!   documents in the index, watched files, and diagnostics (pushed or pulled).
//! - [`root`]: one workspace root: configuration, index, completion table, open versions.
//! - [`progress`]: `$/progress` while indexing.
//! - [`convert`]: byte spans to ranges, findings to diagnostics.
//! - [`definition`], [`completion`]: adapters around the features in [`crate::ide`].
//! - [`hover`], [`symbols`] (document and workspace symbols), [`document_link`],
//!   [`semantic_tokens`] (split per line, delta-encoded): adapters around the information
//!   features in [`crate::ide`].
//! - [`code_lens`] ("N backlinks" on a page's title), [`folding`] (sections): adapters too.
//! - [`references`] (`textDocument/references`), [`rename`] (`prepareRename`, `rename`,
//!   `workspace/willRenameFiles`), [`code_actions`] (quick fixes): adapters too;
//!   [`workspace_edit`] brings open documents into the index first and builds workspace edits
//!   (`documentChanges` with file operations when the client takes them, else `changes`).
//! - [`index_dump`]: `wikils/indexDump`, a test-only request comparing the index with a rebuild.
//!
//! # Invariants
//! - Stdout carries only the protocol; logs go to stderr and `window/logMessage`.
//! - A document change is applied whole, in arrival order, before its handler's first await.
//! - A panic in a handler becomes an error response; it never ends the server.

pub mod backend;
pub mod cache_writer;
pub mod capabilities;
pub mod code_actions;
pub mod code_lens;
pub mod completion;
pub mod convert;
pub mod definition;
pub mod document_link;
pub mod documents;
pub mod folding;
pub mod framing;
pub mod hover;
pub mod index_dump;
pub mod progress;
pub mod raw_result;
pub mod references;
pub mod rename;
pub mod root;
pub mod semantic_tokens;
pub mod state;
pub mod symbols;
pub mod transport;
pub mod wiki_workspace;
pub mod workspace_edit;

use std::sync::Arc;

use tower_lsp::LspService;

use self::backend::Backend;
use self::state::{DocumentListener, ServerState};
use self::transport::SessionEnd;
use self::wiki_workspace::{WikiDocumentListener, WikiWorkspace};

/// The environment variable that enables the `wikils/debugPanic` request, for tests only.
pub const TEST_PANIC_ENVIRONMENT_VARIABLE: &str = "WIKILS_TEST_PANIC";

/// Serves LSP on stdin/stdout until `exit` or the end of the input; returns the exit code:
/// 0 when `shutdown` came first, 1 otherwise (as LSP specifies for `exit`).
/// Requests and short jobs only: indexing a root runs on a thread of its own.
const MAX_BLOCKING_THREADS: usize = 4;

pub fn run_stdio() -> i32 {
    // Feature requests run on blocking threads. Tokio would start up to 512 of them under a burst
    // of requests, each growing its own allocator heap and link-classification cache; a few are
    // plenty when every request takes about a millisecond, and the cores are only two or four.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("wikils: cannot start the async runtime: {error}");
            return 1;
        }
    };
    let (session_end, state) = runtime.block_on(async {
        let (service, socket) = build_service();
        let state = Arc::clone(&service.inner().state);
        let session_end = transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await;
        (session_end, state)
    });
    // Tokio reads stdin on a blocking thread that may sit in `read` forever; waiting for it
    // would make `exit` hang until the editor closes the pipe.
    runtime.shutdown_background();
    match session_end {
        SessionEnd::InputFinished if state.shutdown_requested() => 0,
        SessionEnd::InputFinished | SessionEnd::IoFailed => 1,
    }
}

fn build_service() -> (LspService<Backend>, tower_lsp::ClientSocket) {
    let builder = LspService::build(|client| {
        let wiki = Arc::new(WikiWorkspace::new(client.clone()));
        let listener: Arc<dyn DocumentListener> = Arc::new(WikiDocumentListener(Arc::clone(&wiki)));
        Backend {
            state: Arc::new(ServerState::new(client, vec![listener])),
            wiki,
            initialization_problems: std::sync::Mutex::new(Vec::new()),
        }
    })
    .custom_method("wikils/documentState", Backend::document_state);
    let test_requests_enabled =
        std::env::var(index_dump::TEST_REQUESTS_ENVIRONMENT_VARIABLE).is_ok_and(|value| value == "1");
    let builder = if test_requests_enabled {
        builder.custom_method("wikils/indexDump", Backend::index_dump)
    } else {
        builder
    };
    let test_panic_enabled = std::env::var(TEST_PANIC_ENVIRONMENT_VARIABLE).is_ok_and(|value| value == "1");
    let builder = if test_panic_enabled {
        builder.custom_method("wikils/debugPanic", Backend::debug_panic)
    } else {
        builder
    };
    builder.finish()
}
