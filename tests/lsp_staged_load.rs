//! The server answers before it has read every file: once the walk has registered every page,
//! diagnostics, definitions and hovers of open documents are right (pages are read on first
//! use), while answers that need every page's links say they are not ready instead of being
//! partial. The debug-build hook `WIKILS_TEST_READ_DELAY_MS` keeps the background read going
//! for seconds, so the test speaks to the server in that state.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{Server, TempWiki};

const TIMEOUT: Duration = Duration::from_secs(60);
/// Per file read in the background: 120 files on at most a few threads take seconds.
const READ_DELAY_MS: &str = "40";
const FILLER_PAGES: usize = 120;

const PAGE_A: &str = "# A\n\n[B](../Page/B.md \"wikilink\") [節](../Page/B.md#節_𠀀 \"wikilink\") \
                      [無](../Page/B.md#無 \"wikilink\") [[內地#歷史]] [[Missing]] [[別名]]\n";

fn wiki() -> TempWiki {
    let mut files: Vec<(String, String)> = vec![
        ("Page/A.md".to_string(), PAGE_A.to_string()),
        ("Page/B.md".to_string(), "# B\n\n## 節 𠀀\n\n[[A]]\n".to_string()),
        ("Page/内地.md".to_string(), "## 历史\n".to_string()),
    ];
    for number in 0..FILLER_PAGES {
        files.push((format!("Page/F{number}.md"), format!("[[A]] [[F{}]]\n", number + 1)));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    TempWiki::new("staged", &files, &[("Redirect/別名.md", "../Page/B.md")])
}

fn start(wiki: &TempWiki) -> Server {
    let mut server = Server::start_with_environment(&[("WIKILS_TEST_READ_DELAY_MS", READ_DELAY_MS)]);
    server.initialize_with(json!({
        "processId": null,
        "rootUri": wiki.root_uri(),
        "capabilities": {
            "window": { "workDoneProgress": true },
            // Pulled without refresh support: the server holds the pull until its answer is
            // meaningful.
            "textDocument": { "diagnostic": {}, "hover": { "contentFormat": ["markdown"] } },
        },
    }));
    server.answer_server_request("window/workDoneProgress/create", Value::Null);
    server
}

fn codes(report: &Value) -> Vec<String> {
    let mut codes: Vec<String> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            format!(
                "{} {}",
                item["code"].as_str().unwrap_or(""),
                item["range"]["start"]["character"]
            )
        })
        .collect();
    codes.sort();
    codes
}

fn wait_for_indexing_end(server: &mut Server) {
    loop {
        let progress = server.wait_notification("$/progress", TIMEOUT);
        if progress["params"]["value"]["kind"] == "end" {
            return;
        }
    }
}

#[test]
fn open_pages_are_answered_right_while_links_still_load() {
    let wiki = wiki();
    let mut server = start(&wiki);
    let started = Instant::now();
    let uri = wiki.uri("Page/A.md");
    server.open(&uri, PAGE_A);
    let early = server
        .request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }))
        .expect("diagnostics");
    let definition = server
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 1 } }),
        )
        .expect("definition");
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 1 } }),
        )
        .expect("hover");
    let references = server.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": uri },
            "position": { "line": 0, "character": 2 },
            "context": { "includeDeclaration": false },
        }),
    );
    // All of that was answered while the files were still being read.
    assert!(
        !server.has_queued("$/progress") || {
            let queued = server.take_notifications();
            queued.iter().all(|message| message["params"]["value"]["kind"] != "end")
        },
        "indexing ended before the test could ask (after {:?})",
        started.elapsed()
    );
    let error = references.expect_err("references need every page's links");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("still reading the links"),
        "{error}"
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("still indexing"),
        "{hover}"
    );
    assert!(
        definition.to_string().contains("Page/B.md"),
        "definition of [B] before the load ended: {definition}"
    );

    wait_for_indexing_end(&mut server);
    let late = server
        .request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }))
        .expect("diagnostics");
    assert_eq!(
        codes(&early),
        codes(&late),
        "the same findings before and after the load"
    );
    // `#無` is not a heading of B; `Missing` does not exist; the rest resolve (an anchor of an
    // unread page, a variant spelling with a variant anchor, a redirect).
    let found = codes(&late);
    assert!(found.iter().any(|code| code.starts_with("broken-anchor")), "{found:?}");
    assert!(found.iter().any(|code| code.starts_with("broken-link")), "{found:?}");
    assert_eq!(found.len(), 3, "{found:?}");
    let references = server
        .request(
            "textDocument/references",
            json!({
                "textDocument": { "uri": uri },
                "position": { "line": 0, "character": 2 },
                "context": { "includeDeclaration": false },
            }),
        )
        .expect("references once the links are read");
    assert!(
        references
            .as_array()
            .is_some_and(|locations| locations.len() > FILLER_PAGES),
        "{references}"
    );
    server.take_notifications();
    server.shutdown_and_exit();
}
