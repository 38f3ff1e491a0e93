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

#[test]
fn shutdown_with_null_params_is_accepted() {
    let mut server = Server::start();
    server.initialize(None);
    server.send_message(&json!({ "jsonrpc": "2.0", "id": 900, "method": "shutdown", "params": null }));
    assert_eq!(server.wait_response(900), Ok(Value::Null));
    server.notify("exit", Value::Null);
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
