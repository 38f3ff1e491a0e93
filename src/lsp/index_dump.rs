//! `wikils/indexDump`, for tests only: each root's index as [`crate::index::Index::canonical_dump`]
//! text, so a test can compare the index the server kept up to date with a full rebuild.

use serde::Serialize;
use tower_lsp::jsonrpc::Result;

use super::backend::Backend;

/// The environment variable that registers `wikils/indexDump` (a dump of a large wiki is
/// hundreds of megabytes, so editors never get it).
pub const TEST_REQUESTS_ENVIRONMENT_VARIABLE: &str = "WIKILS_TEST_REQUESTS";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RootDump {
    pub path: String,
    /// Still reading files: the dump is not complete yet.
    pub loading: bool,
    pub dump: String,
}

impl Backend {
    pub async fn index_dump(&self) -> Result<Vec<RootDump>> {
        let wiki = std::sync::Arc::clone(&self.wiki);
        super::backend::run_blocking(move || {
            wiki.roots()
                .iter()
                .map(|root| RootDump {
                    path: root.path.to_string_lossy().into_owned(),
                    loading: root.loading.load(std::sync::atomic::Ordering::SeqCst),
                    dump: root.index().canonical_dump(),
                })
                .collect()
        })
        .await
    }
}
