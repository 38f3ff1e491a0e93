//! Our stdio transport for tower-lsp's `LspService`: framing that survives malformed input,
//! a panic guard around every handler, and a prompt, correct exit.
//!
//! # Why not `tower_lsp::Server`
//!
//! tower-lsp 0.20's `Server::serve` reads stdin through tokio-util's `FramedRead`. On the first
//! frame whose body is not valid JSON (or not a JSON-RPC message) it does send the right error
//! (−32700 or −32600, id null), but tokio-util 0.7 ends a `FramedRead` stream after any decoder
//! error, so `serve` then returns and the server stops reading: one bad frame kills it. It also
//! only notices `exit` when the next message or EOF arrives, and never tells the caller whether
//! `shutdown` came first. This module replaces just that loop and keeps tower-lsp's service
//! (routing, initialize/shutdown state, cancellation) untouched.
//!
//! # Why handlers run their synchronous prefix in arrival order
//!
//! Checked against tower-lsp 0.20 (`transport.rs`, `service/layers.rs`, `jsonrpc/router.rs`,
//! `service/pending.rs`), whose pipeline this module keeps as it is:
//! 1. One reader loop calls `service.call(request)` for each message in arrival order. `call`
//!    only builds the handler future (routing, param decoding, registering the request id for
//!    cancellation); no handler code runs yet.
//! 2. The future goes into a FIFO channel, drained by `buffer_unordered(N)`, which moves futures
//!    into a `FuturesUnordered` in channel order. `FuturesUnordered::push` enqueues the new task
//!    on its ready-to-run queue, a FIFO, so every future gets its first poll in push order, and
//!    each layer (`Pending::execute`, the router's `async move`, our raw-result scope and panic
//!    guard) polls the inner future straight away on that first poll.
//! 3. Everything is polled by one task (`join!` below; nothing is spawned), so two handlers never
//!    run at the same instant.
//!
//! Hence the code of a handler before its first real suspension point runs to completion before
//! the next message's handler starts. Handlers may interleave after that; `backend.rs` therefore
//! applies each edit entirely in that prefix.
//!
//! # Why some results bypass tower-lsp's router
//!
//! tower-lsp's router turns a handler's answer into a `serde_json::Value` tree before it reaches
//! us: about 2.7 KB per `Location` (maps with `String` keys), so a references answer for a hub
//! page at a million pages, hundreds of thousands of locations, cost over a gigabyte at its
//! peak. Each request's handler therefore runs inside a `RawResultSlot`: a handler with a
//! large answer (`references`) serializes it into bytes itself, leaves them in the slot and
//! returns `Ok(None)`; when that request's response is a success, the transport writes those
//! bytes as its `result`. Error responses (cancelled, not initialized, a panic) go out as
//! tower-lsp made them, and the slot is dropped. Routing, the initialize/shutdown checks and
//! cancellation stay tower-lsp's. Every outgoing message is serialized once, straight to bytes.

use std::panic::AssertUnwindSafe;

use futures::channel::mpsc;
use futures::future::{self, BoxFuture};
use futures::{stream, FutureExt, SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_lsp::{ClientSocket, ExitedError, LspService};
use tower_service::Service;

use super::backend::Backend;
use super::framing::{FrameDecoder, IncomingFrame};
use super::raw_result::RawResultSlot;

/// How many handlers may be in flight at once. More than one, so that a slow request does not
/// hold up `$/cancelRequest`; ordering does not depend on it (see above). Requests that arrive
/// while a root is loading wait for it without a thread (pulled diagnostics until the pages are
/// known, definitions, hovers, links, lenses and tokens likewise), and an editor reopening its
/// tabs sends several per document: a slot each must leave room for the edits behind them.
/// Blocking work is bounded separately (the runtime's blocking threads).
pub(crate) const MAX_CONCURRENT_HANDLERS: usize = 16;
/// Handler futures waiting for a slot; reading pauses when it is full (back-pressure).
const HANDLER_QUEUE_SIZE: usize = 100;
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// How the session ended, for the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// `exit` was received (or the input ended); `shutdown_requested` is read afterwards.
    InputFinished,
    /// Reading stdin or writing stdout failed.
    IoFailed,
}

/// Serves one LSP session until `exit`, the end of the input, or an I/O error.
pub async fn serve(
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite + Unpin,
    mut service: LspService<Backend>,
    socket: ClientSocket,
) -> SessionEnd {
    let (client_requests, mut client_responses) = socket.split();
    let (client_requests, client_requests_abort) = stream::abortable(client_requests);
    let (outgoing_tx, outgoing_rx) = mpsc::unbounded::<MessageBody>();
    let (mut handlers_tx, handlers_rx) = mpsc::channel::<BoxFuture<'static, Option<MessageBody>>>(HANDLER_QUEUE_SIZE);

    let read_input = {
        let outgoing_tx = outgoing_tx.clone();
        async move {
            let mut input = input;
            let mut decoder = FrameDecoder::default();
            let mut chunk = vec![0u8; READ_CHUNK_BYTES];
            loop {
                while let Some(frame) = decoder.next_frame() {
                    let request = match classify_frame(frame) {
                        Classified::Request(request) => request,
                        Classified::ClientResponse(response) => {
                            if client_responses.send(response).await.is_err() {
                                return SessionEnd::InputFinished;
                            }
                            continue;
                        }
                        Classified::Reply(error_response) => {
                            send_outgoing(&outgoing_tx, &error_response);
                            continue;
                        }
                        Classified::Ignored => continue,
                    };
                    let is_exit = request.method() == "exit";
                    let method = request.method().to_string();
                    let id = request.id().cloned();
                    let ready = future::poll_fn(|context| service.poll_ready(context)).await;
                    if let Err(ExitedError { .. }) = ready {
                        return SessionEnd::InputFinished;
                    }
                    let raw_result = RawResultSlot::default();
                    let handler = raw_result.clone().scope(service.call(request)).boxed();
                    let handler = guard_against_panics(method, id, handler, outgoing_tx.clone())
                        .map(move |response| response.map(|response| serialize_response(&response, raw_result.take())));
                    if handlers_tx.send(handler.boxed()).await.is_err() {
                        return SessionEnd::InputFinished;
                    }
                    if is_exit {
                        return SessionEnd::InputFinished;
                    }
                }
                match input.read(&mut chunk).await {
                    Ok(0) => return SessionEnd::InputFinished,
                    Ok(read) => decoder.extend(&chunk[..read]),
                    Err(error) => {
                        eprintln!("wikils: reading stdin failed: {error}");
                        return SessionEnd::IoFailed;
                    }
                }
            }
        }
    };

    let run_handlers = {
        let outgoing_tx = outgoing_tx.clone();
        handlers_rx
            .buffer_unordered(MAX_CONCURRENT_HANDLERS)
            .for_each(move |response| {
                if let Some(response) = response {
                    // As in `send_outgoing`: a failed send means the writer has already stopped.
                    let _ = outgoing_tx.unbounded_send(response);
                }
                future::ready(())
            })
    };
    drop(outgoing_tx);

    let input_and_handlers = async move {
        // `read_input` owns the queue's sender and drops it when it returns, which lets
        // `run_handlers` finish once the in-flight handlers are done.
        let (session_end, ()) = futures::join!(read_input, run_handlers);
        // No handler is left that could talk to the client, so its stream may end too.
        client_requests_abort.abort();
        session_end
    };

    let write_output = async move {
        let mut output = output;
        let mut messages = stream::select(outgoing_rx, client_requests.map(|request| serialize_message(&request)));
        while let Some(message) = messages.next().await {
            if let Err(error) = write_frame(&mut output, &message).await {
                eprintln!("wikils: writing stdout failed: {error}");
                return SessionEnd::IoFailed;
            }
        }
        SessionEnd::InputFinished
    };

    let (input_end, output_end) = futures::join!(input_and_handlers, write_output);
    if output_end == SessionEnd::IoFailed {
        return SessionEnd::IoFailed;
    }
    input_end
}

enum Classified {
    Request(Request),
    ClientResponse(Response),
    /// An error the transport answers itself (parse error, invalid request).
    Reply(Response),
    Ignored,
}

/// Sorts a frame per JSON-RPC 2.0: invalid JSON → −32700 and an object that is not a request,
/// notification or response → −32600, both answered with the request's id when it can be read
/// and null otherwise. Batches are not part of LSP and are answered −32600.
fn classify_frame(frame: IncomingFrame) -> Classified {
    let value = match frame {
        IncomingFrame::Message(value) => value,
        IncomingFrame::InvalidJson(detail) | IncomingFrame::InvalidHeader(detail) => {
            eprintln!("wikils: malformed message: {detail}");
            let mut error = Error::parse_error();
            error.data = Some(Value::String(detail));
            return Classified::Reply(Response::from_error(Id::Null, error));
        }
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<Id>(id.clone()).ok())
        .unwrap_or(Id::Null);
    let invalid_request = |detail: String| {
        eprintln!("wikils: invalid request: {detail}");
        let mut error = Error::invalid_request();
        error.data = Some(Value::String(detail));
        Classified::Reply(Response::from_error(id.clone(), error))
    };
    if !value.is_object() {
        return invalid_request("a message must be a JSON object".to_string());
    }
    if value.get("method").is_some() {
        let mut value = value;
        spell_workspace_diagnostics_as_lsp_types_expects(&mut value);
        // `"params": null` is how some clients say "no params" (for `shutdown`, say); tower-lsp
        // would answer −32602 and the client could never shut the server down cleanly.
        // `shutdown` and `exit` take no params at all, so any params they carry are dropped:
        // tower-lsp marks the server as shut down before it decodes them, so a `shutdown` with
        // params used to be answered −32602 while every later request was refused.
        if let Some(message) = value.as_object_mut() {
            let takes_no_params = matches!(message.get("method").and_then(Value::as_str), Some("shutdown" | "exit"));
            if takes_no_params || message.get("params").is_some_and(Value::is_null) {
                message.remove("params");
            }
        }
        return match serde_json::from_value::<Request>(value) {
            Ok(request) => Classified::Request(request),
            Err(error) => invalid_request(error.to_string()),
        };
    }
    if value.get("result").is_some() || value.get("error").is_some() {
        return match serde_json::from_value::<Response>(value) {
            Ok(response) => Classified::ClientResponse(response),
            Err(error) => {
                // Never answer a response: the client would not know what to do with it.
                eprintln!("wikils: ignoring a malformed response from the client: {error}");
                Classified::Ignored
            }
        };
    }
    invalid_request("a message needs a `method`, a `result` or an `error`".to_string())
}

/// The LSP specification names the client capability `workspace.diagnostics` (with its
/// `refreshSupport`), but lsp-types 0.94, under tower-lsp 0.20, reads `workspace.diagnostic` and
/// would drop what clients send. Copying it across in `initialize` lets the server see that a
/// client (VS Code, for one) can be asked to pull diagnostics again once indexing ends.
fn spell_workspace_diagnostics_as_lsp_types_expects(message: &mut Value) {
    if message.get("method").and_then(Value::as_str) != Some("initialize") {
        return;
    }
    let Some(workspace) = message
        .pointer_mut("/params/capabilities/workspace")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if !workspace.contains_key("diagnostic") {
        if let Some(diagnostics) = workspace.get("diagnostics").cloned() {
            workspace.insert("diagnostic".to_string(), diagnostics);
        }
    }
}

/// Turns a panic in a handler into an internal-error response (−32603) for requests and a log
/// message for notifications, instead of unwinding through the transport and killing the server.
///
/// `catch_unwind` polls the handler on its own first poll, so this keeps the ordering argument
/// above intact. Handlers never leave shared state half-updated across a panic: edits are
/// applied to a rope clone that is stored only at the end.
fn guard_against_panics(
    method: String,
    id: Option<Id>,
    handler: BoxFuture<'static, Result<Option<Response>, ExitedError>>,
    outgoing_tx: mpsc::UnboundedSender<MessageBody>,
) -> impl std::future::Future<Output = Option<Response>> {
    AssertUnwindSafe(handler)
        .catch_unwind()
        .map(move |outcome| match outcome {
            Ok(response) => response.unwrap_or(None),
            Err(payload) => {
                let panic_text = payload
                    .downcast_ref::<&str>()
                    .map(|text| text.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_string());
                let message = format!("wikils: internal error while handling `{method}`: {panic_text}");
                eprintln!("{message}");
                let reply = id.map(|id| {
                    let error = Error {
                        code: ErrorCode::InternalError,
                        message: message.clone().into(),
                        data: None,
                    };
                    Response::from_error(id, error)
                });
                let log_message = serde_json::json!({
                    "jsonrpc": "2.0",
                    "method": "window/logMessage",
                    "params": { "type": 1, "message": message },
                });
                send_outgoing(&outgoing_tx, &log_message);
                reply
            }
        })
}

fn send_outgoing(outgoing_tx: &mpsc::UnboundedSender<MessageBody>, message: &impl serde::Serialize) {
    // The receiver lives until every sender is gone, so a failed send only means that the
    // writer already stopped after an I/O error; there is no one left to tell.
    let _ = outgoing_tx.unbounded_send(serialize_message(message));
}

/// One outgoing message's JSON, in pieces written one after the other, so that a result a
/// handler serialized itself is written from its own buffer rather than copied into a new one.
#[derive(Debug)]
struct MessageBody(Vec<Vec<u8>>);

impl MessageBody {
    fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }
}

fn serialize_message(message: &impl serde::Serialize) -> MessageBody {
    match serde_json::to_vec(message) {
        Ok(body) => MessageBody(vec![body]),
        Err(error) => unserialisable_message(&error),
    }
}

/// The response to one request: tower-lsp's, except that a success whose handler left its
/// serialized result in the request's [`RawResultSlot`] carries that result instead of the
/// handler's `null`. Error responses never do: the raw result is dropped with them.
fn serialize_response(response: &Response, raw_result: Option<Vec<u8>>) -> MessageBody {
    let Some(result) = raw_result.filter(|_| response.is_ok()) else {
        return serialize_message(response);
    };
    match serde_json::to_vec(response.id()) {
        Ok(id) => MessageBody(vec![
            br#"{"jsonrpc":"2.0","result":"#.to_vec(),
            result,
            [br#","id":"#.as_slice(), &id, b"}"].concat(),
        ]),
        Err(error) => unserialisable_message(&error),
    }
}

fn unserialisable_message(error: &serde_json::Error) -> MessageBody {
    let log_message = serde_json::json!({
        "jsonrpc": "2.0",
        "method": "window/logMessage",
        "params": { "type": 1, "message": format!("wikils: unserialisable message: {error}") },
    });
    MessageBody(vec![log_message.to_string().into_bytes()])
}

async fn write_frame(output: &mut (impl AsyncWrite + Unpin), body: &MessageBody) -> std::io::Result<()> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    output.write_all(header.as_bytes()).await?;
    for piece in &body.0 {
        output.write_all(piece).await?;
    }
    output.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(body: &MessageBody) -> String {
        String::from_utf8(body.0.concat()).expect("UTF-8 JSON")
    }

    #[test]
    fn a_success_carries_the_raw_result_under_its_own_id() {
        let raw_result = br#"[{"uri":"file:///a.md"}]"#;
        let response = Response::from_ok(Id::String("refs \"7\"".to_string()), Value::Null);
        let body = serialize_response(&response, Some(raw_result.to_vec()));
        assert_eq!(
            text_of(&body),
            r#"{"jsonrpc":"2.0","result":[{"uri":"file:///a.md"}],"id":"refs \"7\""}"#
        );
        let response = Response::from_ok(Id::Number(-3), Value::Null);
        let body = serialize_response(&response, Some(b"[]".to_vec()));
        assert_eq!(text_of(&body), r#"{"jsonrpc":"2.0","result":[],"id":-3}"#);
    }

    #[test]
    fn an_error_is_sent_as_it_is_and_the_raw_result_dropped() {
        let response = Response::from_error(Id::Number(4), Error::request_cancelled());
        let body = serialize_response(&response, Some(b"[1,2]".to_vec()));
        assert_eq!(
            text_of(&body),
            r#"{"jsonrpc":"2.0","error":{"code":-32800,"message":"Canceled"},"id":4}"#
        );
    }

    #[test]
    fn a_success_without_a_raw_result_is_tower_lsps() {
        let response = Response::from_ok(Id::Number(5), serde_json::json!([1, { "a": null }]));
        let body = serialize_response(&response, None);
        assert_eq!(text_of(&body), r#"{"jsonrpc":"2.0","result":[1,{"a":null}],"id":5}"#);
    }

    #[test]
    fn a_frame_counts_the_bytes_of_every_piece() {
        let body = MessageBody(vec![b"[1,".to_vec(), "\"é\"".as_bytes().to_vec(), b"]".to_vec()]);
        let mut output = Vec::new();
        futures::executor::block_on(write_frame(&mut output, &body)).expect("writing to memory");
        assert_eq!(output, "Content-Length: 8\r\n\r\n[1,\"é\"]".as_bytes());
    }
}
