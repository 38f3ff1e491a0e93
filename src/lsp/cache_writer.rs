//! When the server writes a root's index cache: after a load that found the cache missing or
//! stale, and after files changed on disk once things have been quiet for a while. Writes run on
//! a thread of their own, so requests never wait for them; a failed write is logged, never fatal.
//! Outcomes go to stderr (the editor's server log), not to the client as messages.
//! Nothing is written at shutdown (a million pages take seconds to write, and the editor waits
//! for the server to exit): changes made since the last write are found stale by their stamps
//! and read again at the next start.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::root::Root;

/// Changes read from disk are written to the cache once none came for this long.
const IDLE_BEFORE_WRITING: Duration = Duration::from_secs(20);

/// Writes the cache now, logs the outcome, and from then on writes it again after changes.
pub async fn write_now(root: &Arc<Root>) {
    if root.cache.options.locations.is_empty() {
        return; // Switched off.
    }
    if let Some(message) = write(root).await {
        eprintln!("{message}");
    }
    watch_for_changes(root);
}

/// Writes the cache on a thread of its own; the message to log, `None` when another write was
/// under way.
async fn write(root: &Arc<Root>) -> Option<String> {
    let changes = root.cache.changes.load(Ordering::SeqCst);
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let writing = Arc::clone(root);
    let spawned = std::thread::Builder::new()
        .name("wikils-cache".to_string())
        .spawn(move || {
            let _ = sender.send(writing.write_cache());
        });
    if let Err(error) = spawned {
        return Some(format!(
            "wikils: cannot start a thread to write the index cache: {error}"
        ));
    }
    match receiver.await.ok()?? {
        Ok(written) => {
            root.cache.written_changes.store(changes, Ordering::SeqCst);
            Some(format!(
                "wikils: wrote the index cache {} ({} documents, {:.1} MB, {:.2} s)",
                written.path.display(),
                written.documents,
                written.bytes as f64 / 1e6,
                written.elapsed.as_secs_f64()
            ))
        }
        Err(reason) => Some(format!(
            "wikils: cannot write the index cache of {}: {reason}",
            root.path.display()
        )),
    }
}

/// Starts (once per root) a task that writes the cache when files changed on disk since the
/// last write and nothing changed for `IDLE_BEFORE_WRITING`.
pub fn watch_for_changes(root: &Arc<Root>) {
    if root.cache.options.locations.is_empty() {
        return;
    }
    if root.cache.watching.swap(true, Ordering::SeqCst) {
        return;
    }
    let root = Arc::clone(root);
    tokio::spawn(async move {
        let mut seen = root.cache.changes.load(Ordering::SeqCst);
        loop {
            tokio::time::sleep(IDLE_BEFORE_WRITING).await;
            let now = root.cache.changes.load(Ordering::SeqCst);
            let quiet = now == seen;
            seen = now;
            let unwritten = now != root.cache.written_changes.load(Ordering::SeqCst);
            if quiet && unwritten && !root.loading.load(Ordering::SeqCst) {
                if let Some(message) = write(&root).await {
                    eprintln!("{message}");
                }
            }
        }
    });
}
