//! `$/progress` for indexing: "Indexing 12,345 / 100,000 files", with a token created through
//! `window/workDoneProgress/create`, for clients that said they show progress.

use std::path::Path;

use tower_lsp::lsp_types::notification::Progress;
use tower_lsp::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp::lsp_types::{
    NumberOrString, ProgressParams, ProgressParamsValue, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressCreateParams, WorkDoneProgressEnd, WorkDoneProgressReport,
};
use tower_lsp::Client;

/// One indexing run's progress, as the client shows it.
pub struct IndexingProgress {
    client: Client,
    token: NumberOrString,
}

impl IndexingProgress {
    /// Creates a progress token with the client and begins; `None` when the client refused the
    /// token.
    pub async fn begin(client: &Client, number: u64, root: &Path) -> Option<IndexingProgress> {
        let token = NumberOrString::String(format!("wikils/indexing/{number}"));
        let created = client
            .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams { token: token.clone() })
            .await;
        if created.is_err() {
            return None;
        }
        let progress = IndexingProgress {
            client: client.clone(),
            token,
        };
        let begin = WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title: format!("Indexing {}", root.display()),
            cancellable: Some(false),
            message: None,
            percentage: Some(0),
        });
        progress.send(begin).await;
        Some(progress)
    }

    /// `names_known`: every page is known, so definitions, completion and diagnostics of open
    /// documents are right already; what remains is the link graph.
    pub async fn report(&self, done: usize, total: usize, names_known: bool) {
        let percentage = (total > 0).then(|| (done * 100 / total) as u32);
        let report = WorkDoneProgress::Report(WorkDoneProgressReport {
            cancellable: Some(false),
            message: Some(progress_message(done, total, names_known)),
            percentage,
        });
        self.send(report).await;
    }

    pub async fn end(&self, indexed: usize) {
        let end = WorkDoneProgress::End(WorkDoneProgressEnd {
            message: Some(format!("Indexed {} files", thousands(indexed))),
        });
        self.send(end).await;
    }

    async fn send(&self, progress: WorkDoneProgress) {
        let params = ProgressParams {
            token: self.token.clone(),
            value: ProgressParamsValue::WorkDone(progress),
        };
        self.client.send_notification::<Progress>(params).await;
    }
}

fn progress_message(done: usize, total: usize, names_known: bool) -> String {
    match names_known {
        false => format!("Indexing {} / {} files", thousands(done), thousands(total)),
        true => format!(
            "Pages ready; reading links {} / {} files",
            thousands(done),
            thousands(total)
        ),
    }
}

/// `12345` → `12,345`.
fn thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_use_thousands_separators() {
        assert_eq!(
            progress_message(12_345, 100_000, false),
            "Indexing 12,345 / 100,000 files"
        );
        assert_eq!(progress_message(5, 9, true), "Pages ready; reading links 5 / 9 files");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
