//! End-to-end protocol tests: initialize, malformed input, errors, panics, shutdown and exit.

mod support;

use serde_json::{json, Value};
use support::Server;

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn error_code(error: &Value) -> i64 {
    error["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error with a code, got {error}"))
}

#[test]
fn initialize_negotiates_utf8_only_when_offered() {
    let cases: [(Option<&[&str]>, &str); 4] = [
        (Some(&["utf-16", "utf-8"]), "utf-8"),
        (Some(&["utf-32", "utf-16"]), "utf-16"),
        (Some(&[]), "utf-16"),
        (None, "utf-16"),
    ];
    for (offer, expected) in cases {
        let mut server = Server::start();
        let result = server.initialize(offer);
        assert_eq!(result["capabilities"]["positionEncoding"], expected, "offer {offer:?}");
        assert_eq!(
            result["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental sync"
        );
        assert_eq!(result["capabilities"]["textDocumentSync"]["openClose"], true);
        assert_eq!(result["serverInfo"]["name"], "wikils");
        server.shutdown_and_exit();
    }
}

#[test]
fn request_before_initialize_is_refused_with_server_not_initialized() {
    let mut server = Server::start();
    let error = server.request("wikils/documentState", json!({ "uri": "file:///a.md" }));
    assert_eq!(error.map_err(|error| error_code(&error)), Err(-32002));
    server.initialize(None);
    server.shutdown_and_exit();
}

/// References answers bypass tower-lsp's serialization (see `transport.rs`); its refusals must not.
#[test]
fn references_before_initialize_is_refused_with_server_not_initialized() {
    let mut server = Server::start();
    let params = json!({
        "textDocument": { "uri": "file:///a.md" },
        "position": { "line": 0, "character": 0 },
        "context": { "includeDeclaration": true },
    });
    let body = server.request_raw(json!("early"), "textDocument/references", params);
    let response: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(response["id"], "early");
    assert_eq!(error_code(&response["error"]), -32002);
    assert!(response.get("result").is_none(), "{response}");
    server.initialize(None);
    server.shutdown_and_exit();
}

#[test]
fn shutdown_with_null_params_is_accepted() {
    let mut server = Server::start();
    server.initialize(None);
    server.send_message(&json!({ "jsonrpc": "2.0", "id": 900, "method": "shutdown", "params": null }));
    assert_eq!(server.wait_response(900), Ok(Value::Null));
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit().code(), Some(0));
}

/// tower-lsp marks the server as shut down before it decodes `shutdown`'s params, so `shutdown`
/// with params used to be answered −32602 while every later request was refused and `exit`
/// ended with code 1; `shutdown` and `exit` take no params, so theirs are ignored now.
#[test]
fn shutdown_and_exit_with_params_are_accepted() {
    let mut server = Server::start();
    server.initialize(None);
    server.send_message(&json!({ "jsonrpc": "2.0", "id": 901, "method": "shutdown", "params": {} }));
    assert_eq!(server.wait_response(901), Ok(Value::Null));
    server.send_message(&json!({ "jsonrpc": "2.0", "method": "exit", "params": { "unexpected": [1] } }));
    assert_eq!(server.wait_for_exit().code(), Some(0));
}

#[test]
fn unknown_method_is_method_not_found() {
    let mut server = Server::start();
    server.initialize(None);
    let error = server.request("wikils/noSuchMethod", json!({}));
    assert_eq!(error.map_err(|error| error_code(&error)), Err(-32601));
    server.shutdown_and_exit();
}

#[test]
fn invalid_json_gets_a_parse_error_and_the_server_keeps_going() {
    let mut server = Server::start();
    server.initialize(None);
    server.send_bytes(&frame(r#"{"jsonrpc":"2.0","method":"#));
    let response = server.wait_response_without_id();
    assert_eq!(
        (error_code(&response["error"]), &response["id"]),
        (-32700, &Value::Null)
    );
    assert_eq!(server.document_state("file:///a.md"), None);
    server.shutdown_and_exit();
}

#[test]
fn json_that_is_not_a_message_is_an_invalid_request() {
    let mut server = Server::start();
    server.initialize(None);
    server.send_bytes(&frame(r#"{"jsonrpc":"2.0","id":77,"params":{}}"#));
    let response = server.wait_response(77).map_err(|error| error_code(&error));
    assert_eq!(response, Err(-32600));
    server.send_bytes(&frame(r#"[1,2]"#));
    assert_eq!(error_code(&server.wait_response_without_id()["error"]), -32600);
    assert_eq!(server.document_state("file:///a.md"), None);
    server.shutdown_and_exit();
}

#[test]
fn wrong_content_lengths_cost_only_the_broken_frame() {
    let mut server = Server::start();
    server.initialize(None);
    let request = r#"{"jsonrpc":"2.0","id":900,"method":"wikils/documentState","params":{"uri":"file:///a.md"}}"#;

    // Too long: the body swallows the start of the next frame, which the server gives back.
    let mut too_long = b"Content-Length: 40\r\n\r\n{}".to_vec();
    too_long.extend(frame(request));
    server.send_bytes(&too_long);
    assert_eq!(error_code(&server.wait_response_without_id()["error"]), -32700);
    assert_eq!(server.wait_response(900), Ok(Value::Null));

    // Too short: the tail of the body is garbage before the next header.
    let short_body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    server.send_bytes(format!("Content-Length: 10\r\n\r\n{short_body}").as_bytes());
    assert_eq!(server.document_state("file:///a.md"), None);
    let parse_errors = [server.wait_response_without_id(), server.wait_response_without_id()];
    assert!(parse_errors
        .iter()
        .all(|response| error_code(&response["error"]) == -32700));

    // No Content-Length at all.
    server.send_bytes(b"Content-Type: text/plain\r\n\r\n");
    assert_eq!(error_code(&server.wait_response_without_id()["error"]), -32700);
    assert_eq!(server.document_state("file:///a.md"), None);
    server.shutdown_and_exit();
}

#[test]
fn a_panicking_handler_becomes_an_internal_error_and_the_server_survives() {
    let mut server = Server::start_with_environment(&[("WIKILS_TEST_PANIC", "1")]);
    server.initialize(None);
    server.open("file:///a.md", "中文");
    let error = server
        .request("wikils/debugPanic", Value::Null)
        .expect_err("a panic is an error");
    assert_eq!(error_code(&error), -32603);
    assert!(error["message"]
        .as_str()
        .is_some_and(|message| message.contains("debugPanic")));
    let log = server.wait_notification("window/logMessage", support::REQUEST_TIMEOUT);
    assert_eq!(log["params"]["type"], 1);
    assert_eq!(server.document_state("file:///a.md"), Some((1, "中文".to_string())));
    server.shutdown_and_exit();
}

#[test]
fn the_panic_request_does_not_exist_without_the_test_variable() {
    let mut server = Server::start();
    server.initialize(None);
    let error = server.request("wikils/debugPanic", Value::Null);
    assert_eq!(error.map_err(|error| error_code(&error)), Err(-32601));
    server.shutdown_and_exit();
}

#[test]
fn exit_without_shutdown_ends_with_code_1() {
    let mut server = Server::start();
    server.initialize(None);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit().code(), Some(1));
}

#[test]
fn exit_is_prompt_even_while_stdin_stays_open() {
    let mut server = Server::start();
    server.initialize(Some(&["utf-8"]));
    server.open("file:///a.md", "text");
    let started = std::time::Instant::now();
    server.shutdown_and_exit();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "exit took {:?}",
        started.elapsed()
    );
}

#[test]
fn unknown_command_line_prints_usage_and_exits_2() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wikils"))
        .arg("--bogus")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "stdout carries only the protocol");
    assert!(String::from_utf8_lossy(&output.stderr).to_lowercase().contains("usage"));
}

/// After a fault, the server must still answer; `documentState` of a document that is not open
/// is null.
fn assert_still_usable(server: &mut Server) {
    assert_eq!(server.document_state("file:///wiki/still-usable.md"), None);
}

#[test]
fn a_reused_request_id_gets_an_answer_per_request() {
    let mut server = Server::start();
    server.initialize(None);
    server.open("file:///wiki/a.md", "中文𠀀");
    // Both in one write, so the second arrives while the first may still be pending: LSP leaves
    // the outcome open, but each request gets exactly one answer, either a result or −32600.
    let request = r#"{"jsonrpc":"2.0","id":500,"method":"wikils/documentState","params":{"uri":"file:///wiki/a.md"}}"#;
    let mut both = frame(request);
    both.extend(frame(request));
    server.send_bytes(&both);
    let answers = server.wait_responses(500, 2);
    assert_eq!(answers.len(), 2);
    for answer in answers {
        match answer {
            Ok(state) => assert_eq!(state, json!({ "version": 1, "text": "中文𠀀" })),
            Err(error) => assert_eq!(error_code(&error), -32600),
        }
    }
    assert_still_usable(&mut server);
    server.shutdown_and_exit();
}

/// Debug builds copy a 20 MB message several times (JSON, params, rope, answer) at a few MB/s.
const HUGE_INPUT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

fn huge_document_state(server: &mut Server, uri: &str) -> (i64, String) {
    let id = server.send_request("wikils/documentState", json!({ "uri": uri }));
    let state = server
        .wait_response_within(id, HUGE_INPUT_TIMEOUT)
        .expect("documentState");
    let text = state["text"].as_str().expect("an open document").to_string();
    (state["version"].as_i64().expect("a version"), text)
}

/// 8 MB under `cargo test` (debug builds copy it slowly), 20 MB with `WIKILS_FULL_BOUNDS=1`.
fn huge_message_megabytes() -> usize {
    match std::env::var("WIKILS_FULL_BOUNDS").as_deref() {
        Ok("1") => 20,
        _ => 8,
    }
}

#[test]
fn a_huge_document_is_opened_whole() {
    let mut server = Server::start();
    server.initialize(Some(&["utf-8"]));
    let line = "中文𠀀 plain text without links\r\n";
    let text = line.repeat(huge_message_megabytes() * 1024 * 1024 / line.len());
    server.open("file:///wiki/huge.md", &text);
    let (version, stored) = huge_document_state(&mut server, "file:///wiki/huge.md");
    assert_eq!((version, stored.len(), stored == text), (1, text.len(), true));
    // An edit at its very end still lands where the editor put it.
    let last_line = text.matches("\r\n").count();
    server.change(
        "file:///wiki/huge.md",
        2,
        json!([{ "range": { "start": { "line": last_line, "character": 0 }, "end": { "line": last_line, "character": 0 } }, "text": "末" }]),
    );
    let (version, stored) = huge_document_state(&mut server, "file:///wiki/huge.md");
    assert_eq!(
        (version, stored.len(), stored.ends_with("\r\n末")),
        (2, text.len() + "末".len(), true)
    );
    server.shutdown_and_exit();
}

#[test]
fn a_content_length_of_2_gb_is_refused_without_waiting_for_its_body() {
    let mut server = Server::start();
    server.initialize(None);
    let mut bytes = b"Content-Length: 2147483648\r\n\r\n{\"jsonrpc\":\"2.0\"}".to_vec();
    bytes.extend(frame(
        r#"{"jsonrpc":"2.0","id":901,"method":"wikils/documentState","params":{"uri":"file:///a.md"}}"#,
    ));
    server.send_bytes(&bytes);
    let refused = server.wait_response_without_id();
    assert_eq!(error_code(&refused["error"]), -32700);
    assert!(
        refused["error"]["data"]
            .as_str()
            .is_some_and(|detail| detail.contains("exceeds the limit")),
        "{refused}"
    );
    // The body that follows is skipped up to the next header, whose request gets through.
    assert_eq!(server.wait_response(901), Ok(Value::Null));
    assert_still_usable(&mut server);
    server.shutdown_and_exit();
}

#[test]
fn a_frame_cut_off_by_the_end_of_input_ends_the_session_without_a_crash() {
    let mut server = Server::start();
    server.initialize(None);
    server.send_bytes(b"Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":3,\"meth");
    server.close_stdin();
    // The input ended without `shutdown`: exit code 1, as for `exit` without `shutdown`.
    assert_eq!(server.wait_for_exit().code(), Some(1));
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

#[test]
fn cancelling_unknown_or_finished_requests_is_ignored() {
    let mut server = Server::start();
    server.initialize(None);
    server.notify("$/cancelRequest", json!({ "id": 123_456 }));
    server.notify("$/cancelRequest", json!({ "id": "not-a-request" }));
    server.notify("$/cancelRequest", json!({ "id": null }));
    server.notify("$/cancelRequest", json!({}));
    assert_still_usable(&mut server);
    // A request that already finished: its id is cancelled after the answer.
    let id = server.send_request("wikils/documentState", json!({ "uri": "file:///a.md" }));
    assert_eq!(server.wait_response(id), Ok(Value::Null));
    server.notify("$/cancelRequest", json!({ "id": id }));
    assert_still_usable(&mut server);
    server.shutdown_and_exit();
}

#[test]
fn notifications_with_wrong_params_are_ignored() {
    let mut server = Server::start();
    server.initialize(None);
    server.open("file:///wiki/a.md", "中文");
    let wrong: [(&str, Value); 9] = [
        (
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": "file:///wiki/b.md" } }),
        ),
        ("textDocument/didOpen", json!("a string")),
        (
            "textDocument/didChange",
            json!({ "textDocument": { "uri": "file:///wiki/a.md", "version": 2 }, "contentChanges": "x" }),
        ),
        (
            "textDocument/didChange",
            json!({ "textDocument": { "uri": "not a uri", "version": 2 }, "contentChanges": [] }),
        ),
        ("textDocument/didChange", json!([1, 2, 3])),
        ("textDocument/didClose", json!({ "textDocument": 5 })),
        (
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": "file:///wiki/a.md", "type": 99 }] }),
        ),
        ("workspace/didChangeConfiguration", json!(null)),
        ("wikils/unknownNotification", json!({ "anything": true })),
    ];
    for (method, params) in wrong {
        server.notify(method, params);
    }
    assert_eq!(
        server.document_state("file:///wiki/a.md"),
        Some((1, "中文".to_string()))
    );
    assert_eq!(server.document_state("file:///wiki/b.md"), None);
    assert_still_usable(&mut server);
    server.shutdown_and_exit();
}

#[test]
fn requests_with_wrong_params_are_invalid_params() {
    let mut server = Server::start();
    server.initialize(None);
    server.open("file:///wiki/a.md", "[[中文]]");
    let position = |line: Value, character: Value| json!({ "textDocument": { "uri": "file:///wiki/a.md" }, "position": { "line": line, "character": character } });
    let wrong: [(&str, Value); 7] = [
        ("textDocument/completion", json!({})),
        ("textDocument/completion", json!("a string")),
        ("textDocument/definition", position(json!(-1), json!(0))),
        ("textDocument/definition", position(json!(0), json!("x"))),
        ("textDocument/definition", position(json!(4_294_967_296_u64), json!(0))),
        ("textDocument/diagnostic", json!({ "textDocument": {} })),
        ("wikils/documentState", json!({ "uri": 5 })),
    ];
    for (method, params) in wrong {
        let answer = server.request(method, params.clone());
        assert_eq!(
            answer.map_err(|error| error_code(&error)),
            Err(-32602),
            "{method} {params}"
        );
    }
    // Positions far out of range are clamped, not errors.
    let far = server.request(
        "textDocument/definition",
        position(json!(4_000_000_000_u32), json!(4_000_000_000_u32)),
    );
    assert_eq!(far, Ok(Value::Null));
    assert_still_usable(&mut server);
    server.shutdown_and_exit();
}

#[test]
fn messages_out_of_lifecycle_order() {
    let mut server = Server::start();
    // A notification before `initialize` is dropped, as LSP says.
    server.open("file:///wiki/a.md", "中文");
    server.initialize(None);
    assert_eq!(server.document_state("file:///wiki/a.md"), None);
    // A second `initialize` is refused.
    let again = server.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(again.map_err(|error| error_code(&error)), Err(-32600));
    // A request sent as a notification (no id) gets no answer and changes nothing.
    server.notify("textDocument/completion", json!({}));
    assert_still_usable(&mut server);
    // After `shutdown`, requests are refused with −32600 and `exit` still ends the process.
    assert_eq!(server.request("shutdown", Value::Null), Ok(Value::Null));
    let late = server.request("wikils/documentState", json!({ "uri": "file:///a.md" }));
    assert_eq!(late.map_err(|error| error_code(&error)), Err(-32600));
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit().code(), Some(0));
}
