//! End-to-end code lens ("N backlinks") and folding ranges (sections, comments) over stdio, in
//! UTF-16 and UTF-8.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{Server, TempWiki};

const TIMEOUT: Duration = Duration::from_secs(10);

const TITLED_PAGE: &str = "前言 𠀀\n# 甲 𠀀𠀀 標題\n\n## 節\n內容 𠀀\n\n";

fn wiki() -> TempWiki {
    TempWiki::new(
        "lens",
        &[
            ("Page/甲.md", TITLED_PAGE),
            ("Page/乙.md", "[[甲]] and [[甲|again]]\n"),
            ("Page/丙.md", "[[內地]]\n"),
            ("Page/内地.md", "no heading\n"),
            ("Page/丁.md", "[[別名]] [[丁]]\n"),
        ],
        &[("Redirect/別名.md", "../Page/甲.md")],
    )
}

fn start(wiki: &TempWiki, utf8: bool) -> Server {
    let mut capabilities = json!({
        "window": { "workDoneProgress": true },
        "textDocument": {
            // Pulled, so that nothing is pushed, and a pull settles a changed document's index.
            "diagnostic": {},
            "codeLens": {},
            "foldingRange": { "lineFoldingOnly": true },
        },
    });
    if utf8 {
        capabilities["general"] = json!({ "positionEncodings": ["utf-8"] });
    }
    let mut server = Server::start();
    let result = server.initialize_with(json!({
        "processId": null,
        "rootUri": wiki.root_uri(),
        "capabilities": capabilities,
    }));
    assert_eq!(
        result["capabilities"]["codeLensProvider"],
        json!({ "resolveProvider": false })
    );
    assert_eq!(result["capabilities"]["foldingRangeProvider"], true);
    server.answer_server_request("window/workDoneProgress/create", Value::Null);
    loop {
        let progress = server.wait_notification("$/progress", TIMEOUT);
        if progress["params"]["value"]["kind"] == "end" {
            break;
        }
    }
    server
}

fn open(server: &mut Server, uri: &str, text: &str) {
    let text_document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": text_document }));
}

/// Pulls a document's diagnostics, which indexes its current text first: after this, the index
/// holds the edit however the background indexing of it is going.
fn settle(server: &mut Server, uri: &str) {
    let report = server
        .request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }))
        .expect("diagnostic answers");
    assert_eq!(report["kind"], "full");
}

/// Each lens as `line:character-line:character title command`.
fn lenses(server: &mut Server, uri: &str) -> Vec<String> {
    let result = server
        .request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }))
        .expect("codeLens answers");
    result
        .as_array()
        .map(|lenses| {
            lenses
                .iter()
                .map(|lens| {
                    let range = &lens["range"];
                    format!(
                        "{}:{}-{}:{} {} {:?}",
                        range["start"]["line"],
                        range["start"]["character"],
                        range["end"]["line"],
                        range["end"]["character"],
                        lens["command"]["title"].as_str().unwrap_or_default(),
                        lens["command"]["command"].as_str().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn backlinks_lens_counts_through_redirects_and_variants_in_both_encodings() {
    let wiki = wiki();
    for (utf8, title_end) in [(false, 11), (true, 21)] {
        let mut server = start(&wiki, utf8);
        let titled = wiki.uri("Page/甲.md");
        open(&mut server, &titled, TITLED_PAGE);
        assert_eq!(
            lenses(&mut server, &titled),
            [format!("1:0-1:{title_end} 2 backlinks \"\"")],
            "utf8: {utf8}"
        );
        let variant = wiki.uri("Page/内地.md");
        open(&mut server, &variant, "no heading\n");
        assert_eq!(lenses(&mut server, &variant), ["0:0-0:0 1 backlink \"\""]);
        let alone = wiki.uri("Page/丁.md");
        open(&mut server, &alone, "[[別名]] [[丁]]\n");
        assert_eq!(lenses(&mut server, &alone), ["0:0-0:0 no backlinks \"\""]);
        server.shutdown_and_exit();
    }
}

#[test]
fn backlinks_lens_follows_edits_of_the_linking_page() {
    let wiki = wiki();
    let mut server = start(&wiki, false);
    let titled = wiki.uri("Page/甲.md");
    open(&mut server, &titled, TITLED_PAGE);
    let linking = wiki.uri("Page/乙.md");
    open(&mut server, &linking, "[[甲]] and [[甲|again]]\n");
    server.change(&linking, 2, json!([{ "text": "no links now\n" }]));
    settle(&mut server, &linking);
    assert_eq!(lenses(&mut server, &titled), ["1:0-1:11 1 backlink \"\""]);
    server.shutdown_and_exit();
}

#[test]
fn folding_ranges_are_nested_sections_as_whole_lines() {
    let wiki = wiki();
    let mut server = start(&wiki, true);
    let titled = wiki.uri("Page/甲.md");
    open(&mut server, &titled, TITLED_PAGE);
    let ranges = server
        .request(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": titled } }),
        )
        .expect("foldingRange answers");
    assert_eq!(
        ranges,
        json!([
            { "startLine": 1, "endLine": 4, "kind": "region" },
            { "startLine": 3, "endLine": 4, "kind": "region" },
        ])
    );
    let wikitext = wiki.uri("Page/甲.wiki");
    let text = "== 𠀀 ==\n一\n=== 乙 ===\n二\n== 丙 ==\n三\n<!-- 註\n-->\n";
    let text_document = json!({ "uri": wikitext, "languageId": "wikitext", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": text_document }));
    let ranges = server
        .request(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": wikitext } }),
        )
        .expect("foldingRange answers");
    assert_eq!(
        ranges,
        json!([
            { "startLine": 0, "endLine": 3, "kind": "region" },
            { "startLine": 2, "endLine": 3, "kind": "region" },
            { "startLine": 4, "endLine": 7, "kind": "region" },
            { "startLine": 6, "endLine": 7, "kind": "comment" },
        ])
    );
    server.shutdown_and_exit();
}
