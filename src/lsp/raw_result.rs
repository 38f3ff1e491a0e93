//! A result a handler serializes itself, which the transport writes in place of tower-lsp's:
//! see "Why some results bypass tower-lsp's router" in `transport.rs`.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

tokio::task_local! {
    static RAW_RESULT: RawResultSlot;
}

/// Where a handler leaves its serialized JSON result. The transport scopes one around each
/// request's handler; a handler that fills it returns `Ok(None)` to tower-lsp, and the transport
/// writes these bytes as the response's `result` if the response is a success.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawResultSlot(Arc<Mutex<Option<Vec<u8>>>>);

impl RawResultSlot {
    /// The slot of the request being handled, or `None` outside the transport (unit tests, say),
    /// where the handler must answer the usual way.
    pub(crate) fn of_current_request() -> Option<RawResultSlot> {
        RAW_RESULT.try_with(RawResultSlot::clone).ok()
    }

    /// Runs `handler` with this slot as the current request's.
    pub(crate) fn scope<F: Future>(self, handler: F) -> impl Future<Output = F::Output> {
        RAW_RESULT.scope(self, handler)
    }

    /// Stores `json`, which must be one complete JSON value.
    pub(crate) fn store(&self, json: Vec<u8>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(json);
    }

    pub(crate) fn take(&self) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}
