//! Pathological input: a single 10 MB line full of links, a million `[[` and a million `{{`
//! without closing. `check` and the server must finish and answer sensibly; time and peak
//! memory are printed (never asserted), and the README reports them for release builds.
//!
//! Debug builds are slow, so `cargo test` runs a tenth of each size; `WIKILS_FULL_BOUNDS=1`
//! runs the full sizes (`cargo test --release --test resource_bounds -- --nocapture`).

mod support;

use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};
use support::{Server, TempWiki};

fn scale() -> usize {
    match std::env::var("WIKILS_FULL_BOUNDS").as_deref() {
        Ok("1") => 1,
        _ => 10,
    }
}

/// `[[链接]]` links on one line, about 10 MB (under the default max-file-size).
fn long_line() -> (String, usize) {
    let piece = "中文𠀀 [[链接]] ";
    let count = 10 * 1000 * 1000 / piece.len() / scale();
    (piece.repeat(count), count)
}

fn unclosed(opener: &str) -> String {
    opener.repeat(1_000_000 / scale())
}

struct Checked {
    findings: Vec<Value>,
    summary: Value,
}

fn check(wiki: &TempWiki) -> Checked {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wikils"))
        .args(["check", "--format", "json", "--no-progress"])
        .arg(&wiki.root)
        .output()
        .expect("running check");
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    eprintln!("check {}: {:?}", wiki.root.display(), started.elapsed());
    Checked {
        findings: report["findings"].as_array().cloned().unwrap_or_default(),
        summary: report["summary"].clone(),
    }
}

fn codes(findings: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = findings
        .iter()
        .map(|finding| finding["code"].as_str().unwrap_or_default().to_string())
        .collect();
    codes.dedup();
    codes
}

#[test]
fn check_finishes_on_pathological_pages_with_exact_findings() {
    let (line, links) = long_line();
    let wiki = TempWiki::new(
        "bounds-check",
        &[
            ("Page/链接.md", "# 链接\n"),
            ("Page/长.md", &line),
            ("Page/开.md", &unclosed("[[")),
            ("Page/模.md", &unclosed("{{")),
        ],
        &[],
    );
    let checked = check(&wiki);
    assert_eq!(checked.summary["files"], 4);
    assert_eq!(checked.summary["links"], links as u64, "every link of the long line");
    // All links of the long line resolve; the unclosed openers are reported, the `{{` ones
    // capped at the per-document limit.
    let by_path = |path: &str| -> Vec<Value> {
        checked
            .findings
            .iter()
            .filter(|finding| finding["path"].as_str().is_some_and(|found| found.ends_with(path)))
            .cloned()
            .collect()
    };
    assert_eq!(by_path("Page/长.md").len(), 0);
    let unclosed_links = by_path("Page/开.md");
    assert_eq!(codes(&unclosed_links), ["unclosed-link"]);
    assert_eq!(unclosed_links.len(), 1);
    // Each `[[` opens inside the previous one's target; only the innermost is left unclosed.
    let last_opener = 2 * (1_000_000 / scale() - 1);
    assert_eq!(
        unclosed_links[0]["range"]["start"],
        json!({ "line": 0, "character": last_opener })
    );
    let unclosed_templates = by_path("Page/模.md");
    assert_eq!(codes(&unclosed_templates), ["unclosed-template"]);
    assert_eq!(unclosed_templates.len(), wikils::syntax::MAX_PROBLEMS_PER_DOCUMENT);
}

#[test]
fn the_server_answers_on_pathological_documents() {
    let wiki = TempWiki::new(
        "bounds-server",
        &[("Page/链接.md", "# 链接\n"), ("Page/甲.md", "甲\n")],
        &[],
    );
    let mut server = Server::start();
    server.initialize_with(json!({
        "processId": null,
        "rootUri": wiki.root_uri(),
        "capabilities": { "textDocument": { "diagnostic": {} } },
    }));
    let timeout = std::time::Duration::from_secs(300);
    let ask = |server: &mut Server, method: &str, params: Value| -> Value {
        let started = Instant::now();
        let id = server.send_request(method, params);
        let answer = server.wait_response_within(id, timeout).expect(method);
        eprintln!("{method}: {:?}", started.elapsed());
        answer
    };
    let position = |uri: &str, line: usize, character: usize| json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });

    // One long line of links: definition in its middle, completion after one of its `[[`.
    let (line, links) = long_line();
    let long = wiki.uri("Page/长.md");
    server.open(&long, &line);
    let piece_units = "中文𠀀 [[链接]] ".encode_utf16().count();
    let middle = links / 2 * piece_units;
    let definition = ask(&mut server, "textDocument/definition", position(&long, 0, middle + 6));
    assert_eq!(definition[0]["uri"], wiki.uri("Page/链接.md"), "{definition}");
    // The first answers may come before the title table is built, marked incomplete: the
    // editor asks again, and so does this test.
    let mut completion = Value::Null;
    for _ in 0..100 {
        completion = ask(&mut server, "textDocument/completion", position(&long, 0, middle + 7));
        if completion["isIncomplete"] == false {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let labels: Vec<&str> = completion["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["label"].as_str())
        .collect();
    assert!(labels.contains(&"链接") && labels.contains(&"甲"), "{labels:?}");
    let diagnostics = ask(
        &mut server,
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": long } }),
    );
    assert_eq!(diagnostics["items"], json!([]));

    // A million `[[`: one unclosed link; completion at the very end offers pages.
    let brackets = wiki.uri("Page/开.md");
    let text = unclosed("[[");
    server.open(&brackets, &text);
    let diagnostics = ask(
        &mut server,
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": brackets } }),
    );
    assert_eq!(diagnostics["items"].as_array().map(Vec::len), Some(1), "{diagnostics}");
    let definition = ask(
        &mut server,
        "textDocument/definition",
        position(&brackets, 0, text.len() / 2),
    );
    assert_eq!(definition, Value::Null);
    let completion = ask(
        &mut server,
        "textDocument/completion",
        position(&brackets, 0, text.len()),
    );
    assert!(
        completion["items"].as_array().is_some_and(|items| !items.is_empty()),
        "{completion}"
    );

    // A million `{{`: problems capped per document.
    let braces = wiki.uri("Page/模.md");
    server.open(&braces, &unclosed("{{"));
    let diagnostics = ask(
        &mut server,
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": braces } }),
    );
    let count = diagnostics["items"].as_array().map(Vec::len);
    assert_eq!(count, Some(wikils::syntax::MAX_PROBLEMS_PER_DOCUMENT));

    eprintln!("server peak RSS: {:?} KiB", server.peak_rss_kib());
    server.shutdown_and_exit();
}
