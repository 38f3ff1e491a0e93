//! End-to-end information features over stdio on the fixture wikis: hover, document symbols,
//! workspace symbols, document links and semantic tokens, in UTF-16 and UTF-8.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};
use support::Server;

const INDEXING_TIMEOUT: Duration = Duration::from_secs(10);

fn fixture_root(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .canonicalize()
        .expect("the fixture folder")
}

fn uri_of(root: &std::path::Path, path: &str) -> String {
    tower_lsp::lsp_types::Url::from_file_path(root.join(path))
        .expect("an absolute path")
        .to_string()
}

#[derive(Clone, Copy)]
struct Client {
    utf8: bool,
    markdown: bool,
    hierarchical: bool,
    semantic_tokens: bool,
}

const FULL_CLIENT: Client = Client {
    utf8: false,
    markdown: true,
    hierarchical: true,
    semantic_tokens: true,
};

/// Starts a server on a fixture root, waits for indexing to end and opens `path`.
fn start(root: &std::path::Path, client: Client, path: &str) -> (Server, String) {
    let mut text_document = json!({
        "hover": { "contentFormat": if client.markdown { json!(["markdown", "plaintext"]) } else { json!(["plaintext"]) } },
        "documentSymbol": { "hierarchicalDocumentSymbolSupport": client.hierarchical },
    });
    if client.semantic_tokens {
        text_document["semanticTokens"] = json!({
            "requests": { "full": true, "range": true },
            "tokenTypes": ["class", "enum", "macro"],
            "tokenModifiers": ["deprecated"],
            "formats": ["relative"],
        });
    }
    let mut capabilities = json!({ "window": { "workDoneProgress": true }, "textDocument": text_document });
    if client.utf8 {
        capabilities["general"] = json!({ "positionEncodings": ["utf-8", "utf-16"] });
    }
    let mut server = Server::start();
    let root_uri = tower_lsp::lsp_types::Url::from_file_path(root)
        .expect("absolute")
        .to_string();
    let result =
        server.initialize_with(json!({ "processId": null, "rootUri": root_uri, "capabilities": capabilities }));
    assert_eq!(
        result["capabilities"]["semanticTokensProvider"].is_object(),
        client.semantic_tokens,
        "semantic tokens are advertised exactly to clients that ask"
    );
    server.answer_server_request("window/workDoneProgress/create", Value::Null);
    loop {
        let progress = server.wait_notification("$/progress", INDEXING_TIMEOUT);
        if progress["params"]["value"]["kind"] == "end" {
            break;
        }
    }
    let uri = uri_of(root, path);
    let text = std::fs::read_to_string(root.join(path)).expect("the fixture file");
    server.open(&uri, &text);
    (server, uri)
}

fn finish(mut server: Server) {
    server.take_notifications();
    server.shutdown_and_exit();
}

/// The position of the first occurrence of `needle` on line `line` of `text`, plus `offset`
/// characters.
fn position(text: &str, line: usize, needle: &str, offset: usize, utf8: bool) -> Value {
    let line_text = text.lines().nth(line).expect("the line");
    let start = line_text.find(needle).expect("the needle on that line");
    let byte = start + needle.chars().take(offset).map(char::len_utf8).sum::<usize>();
    let column = if utf8 {
        byte
    } else {
        line_text[..byte].encode_utf16().count()
    };
    json!({ "line": line, "character": column })
}

fn hover(server: &mut Server, uri: &str, position: Value) -> Value {
    server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
        .expect("hover answered")
}

fn range_text(range: &Value) -> String {
    format!(
        "{}:{}-{}:{}",
        range["start"]["line"], range["start"]["character"], range["end"]["line"], range["end"]["character"]
    )
}

#[test]
fn hover_in_the_export_fixture() {
    let root = fixture_root("export");
    let path = "Page/首頁.md";
    let text = std::fs::read_to_string(root.join(path)).expect("fixture");
    for utf8 in [false, true] {
        let (mut server, uri) = start(&root, Client { utf8, ..FULL_CLIENT }, path);
        let found = hover(&mut server, &uri, position(&text, 2, "[政制及內地事務局]", 3, utf8));
        assert_eq!(found["contents"]["kind"], "markdown");
        assert_eq!(
            found["contents"]["value"],
            "**政制及內地事務局** `Page/政制及內地事務局.md`\n\n政制及內地事務局是香港特別行政區政府的決策局。\n\nCategories: 香港\n\n2 documents link here"
        );
        // `**首頁**連到` is 8 UTF-16 units and 16 bytes; the link is 42 units, 74 bytes.
        let expected_range = if utf8 { "2:16-2:90" } else { "2:8-2:50" };
        assert_eq!(range_text(&found["range"]), expected_range);

        let astral = hover(
            &mut server,
            &uri,
            position(&text, 12, "[[政制及內地事務局#職能|全形]]", 3, utf8),
        );
        assert_eq!(
            astral["contents"]["value"],
            "**政制及內地事務局** `Page/政制及內地事務局.md`\n\nSection **職能** (line 3)\n\n政制及內地事務局是香港特別行政區政府的決策局。\n\nCategories: 香港\n\n2 documents link here"
        );
        let expected_range = if utf8 { "12:40-12:82" } else { "12:20-12:38" };
        assert_eq!(range_text(&astral["range"]), expected_range);

        let through_redirect = hover(&mut server, &uri, position(&text, 7, "[別名]", 1, utf8));
        assert_eq!(
            through_redirect["contents"]["value"],
            "**政制及內地事務局** `Page/政制及內地事務局.md`\n\nThrough the redirect `Redirect/別名.md`\n\n政制及內地事務局是香港特別行政區政府的決策局。\n\nCategories: 香港\n\n2 documents link here"
        );
        let broken = hover(&mut server, &uri, position(&text, 4, "[不存在]", 1, utf8));
        assert_eq!(
            broken["contents"]["value"],
            "**Broken link**: no page \\`不存在的頁面\\` (looked for Page/不存在的頁面.md, Redirect/不存在的頁面.md and Traditional/Simplified variants)"
        );
        let category = hover(&mut server, &uri, position(&text, 25, "[Category:香港]", 1, utf8));
        assert_eq!(
            category["contents"]["value"],
            "**Category:香港** `Category/香港.md`\n\n政制及內地事務局\n\n2 members: **政制及內地事務局**, **首頁**"
        );
        let template = hover(&mut server, &uri, position(&text, 21, "{{Reflist}}", 2, utf8));
        assert_eq!(
            template["contents"]["value"],
            "**Template:Reflist** `Template/Reflist.md`\n\nReflist\n\nUsed by 1 document"
        );
        let nothing = hover(&mut server, &uri, position(&text, 0, "首頁", 0, utf8));
        assert_eq!(nothing, Value::Null);
        finish(server);
    }
}

#[test]
fn hover_reads_the_editors_unsaved_copy_of_the_target_and_speaks_plain_text_when_asked() {
    let root = fixture_root("wikitext");
    let path = "Main_Page.wiki";
    let text = std::fs::read_to_string(root.join(path)).expect("fixture");
    let client = Client {
        markdown: false,
        ..FULL_CLIENT
    };
    let (mut server, uri) = start(&root, client, path);
    let target = hover(&mut server, &uri, position(&text, 0, "[[Target]]", 2, false));
    assert_eq!(target["contents"]["kind"], "plaintext");
    // Redirect_Page.wiki is an alias of Target, not a page linking to it (as the lens counts).
    assert_eq!(
        target["contents"]["value"],
        "Target Target.wiki\n\nText.\n\n1 document links here"
    );
    // The target's unsaved text wins over the disk's.
    server.open(&uri_of(&root, "Target.wiki"), "== Section ==\n未儲存的 ''文字''。\n");
    let target = hover(&mut server, &uri, position(&text, 0, "[[Target]]", 2, false));
    assert_eq!(
        target["contents"]["value"],
        "Target Target.wiki\n\n未儲存的 文字。\n\n1 document links here"
    );
    let ambiguous = hover(&mut server, &uri, position(&text, 1, "[[Dup]]", 2, false));
    assert_eq!(
        ambiguous["contents"]["value"],
        "Ambiguous link: Dup names a/Dup.wiki, b/Dup.wiki"
    );
    let infobox = hover(&mut server, &uri, position(&text, 2, "{{Infobox", 3, false));
    assert_eq!(
        infobox["contents"]["value"],
        "Template:Infobox Template:Infobox.wiki\n\nUsed by 1 document"
    );
    let category = hover(&mut server, &uri, position(&text, 10, "[[Category:Foo]]", 3, false));
    assert_eq!(
        category["contents"]["value"],
        "Category:Foo Category:Foo.wiki\n\nFoo category\n\n1 member: Main Page"
    );
    let variant = hover(&mut server, &uri, position(&text, 7, "[[中文页]]", 3, false));
    assert_eq!(
        variant["contents"]["value"],
        "中文頁 中文頁.wiki\n\nWritten 中文页, found as its Traditional/Simplified variant 中文頁\n\n中文\n\n1 document links here"
    );
    finish(server);
}

#[test]
fn document_symbols_nested_and_flat() {
    let root = fixture_root("export");
    let (mut server, uri) = start(&root, FULL_CLIENT, "Page/政制及內地事務局.md");
    let symbols = server
        .request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }))
        .expect("answered");
    assert_eq!(
        symbols,
        json!([{
            "name": "職能", "kind": 15,
            "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 6, "character": 67 } },
            "selectionRange": { "start": { "line": 2, "character": 3 }, "end": { "line": 2, "character": 5 } },
            "children": [],
        }])
    );
    finish(server);

    let root = fixture_root("wikitext");
    let client = Client {
        hierarchical: false,
        utf8: true,
        ..FULL_CLIENT
    };
    let (mut server, uri) = start(&root, client, "Main_Page.wiki");
    let symbols = server
        .request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }))
        .expect("answered");
    assert_eq!(
        symbols,
        json!([{
            "name": "中文", "kind": 15,
            "location": {
                "uri": uri,
                "range": { "start": { "line": 6, "character": 0 }, "end": { "line": 11, "character": 21 } },
            },
        }])
    );
    finish(server);
}

fn workspace_symbols(server: &mut Server, root: &std::path::Path, query: &str) -> Vec<String> {
    let found = server
        .request("workspace/symbol", json!({ "query": query }))
        .expect("answered");
    found
        .as_array()
        .expect("a list")
        .iter()
        .map(|symbol| {
            let file = relative(root, symbol["location"]["uri"].as_str().unwrap_or_default());
            let container = symbol["containerName"]
                .as_str()
                .map(|name| format!(" ({name})"))
                .unwrap_or_default();
            format!(
                "{} {} {} {}{container}",
                symbol["name"].as_str().unwrap_or_default(),
                symbol["kind"],
                file,
                range_text(&symbol["location"]["range"])
            )
        })
        .collect()
}

/// A file URI as a root-relative path, with its `#fragment` if any.
fn relative(root: &std::path::Path, uri: &str) -> String {
    let Ok(url) = tower_lsp::lsp_types::Url::parse(uri) else {
        return format!("<not a URI: {uri}>");
    };
    let path = url.to_file_path().unwrap_or_default();
    let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
    match url.fragment() {
        Some(fragment) => format!("{relative}#{fragment}"),
        None => relative,
    }
}

#[test]
fn workspace_symbols_find_traditional_titles_from_simplified_queries() {
    let root = fixture_root("export");
    let (mut server, _) = start(&root, FULL_CLIENT, "Page/首頁.md");
    assert_eq!(
        workspace_symbols(&mut server, &root, "政制及内地事务局"),
        ["政制及內地事務局 1 Page/政制及內地事務局.md 0:0-0:0"]
    );
    assert_eq!(
        workspace_symbols(&mut server, &root, "务内"),
        ["务内 1 Page/务内.md 0:0-0:0", "務內 1 Page/務內.md 0:0-0:0",]
    );
    assert_eq!(
        workspace_symbols(&mut server, &root, "分類:香"),
        ["Category:香港 3 Category/香港.md 0:0-0:0"]
    );
    assert_eq!(
        workspace_symbols(&mut server, &root, "别名"),
        [
            "別名 1 Redirect/別名.md 0:0-0:0 (redirect)",
            "壞別名 1 Redirect/壞別名.md 0:0-0:0 (redirect)",
        ]
    );
    finish(server);
}

#[test]
fn document_links_in_both_fixtures() {
    let root = fixture_root("export");
    let (mut server, uri) = start(&root, FULL_CLIENT, "Page/政制及內地事務局.md");
    let links = server
        .request("textDocument/documentLink", json!({ "textDocument": { "uri": uri } }))
        .expect("answered");
    assert_eq!(
        links,
        json!([
            {
                "range": { "start": { "line": 4, "character": 2 }, "end": { "line": 4, "character": 32 } },
                "target": uri_of(&root, "Page/首頁.md"),
                "tooltip": "首頁",
            },
            {
                "range": { "start": { "line": 6, "character": 0 }, "end": { "line": 6, "character": 67 } },
                "target": uri_of(&root, "Category/香港.md"),
                "tooltip": "Category:香港",
            },
        ])
    );
    finish(server);

    let root = fixture_root("wikitext");
    let (mut server, uri) = start(&root, FULL_CLIENT, "Main_Page.wiki");
    let links = server
        .request("textDocument/documentLink", json!({ "textDocument": { "uri": uri } }))
        .expect("answered");
    let summary: Vec<String> = links
        .as_array()
        .expect("a list")
        .iter()
        .map(|link| {
            let target = relative(&root, link["target"].as_str().unwrap_or_default());
            format!("{} {target}", range_text(&link["range"]))
        })
        .collect();
    assert_eq!(
        summary,
        [
            "0:25-0:35 Target.wiki",
            "0:37-0:65 Target.wiki#L1",
            "0:70-0:85 Target.wiki",
            "1:22-1:39 Category:Foo.wiki",
            "1:58-1:67 a/Dup.wiki",
            "2:0-2:27 Template:Infobox.wiki",
            "2:15-2:25 Target.wiki",
            "3:51-3:61 Target.wiki",
            "4:0-4:17 Target.wiki",
            "7:0-7:7 中文頁.wiki",
            "7:8-7:15 中文頁.wiki",
            "10:0-10:16 Category:Foo.wiki",
            "11:0-11:21 Category:Foo.wiki",
        ]
    );
    finish(server);
}

/// The tokens of `Page/首頁.md` in UTF-8 columns: the same as in UTF-16 where a line is ASCII.
const EXPECTED_UTF8: [&str; 23] = [
    "2:16+74 page",
    "2:93+74 page",
    "4:4+53 page broken",
    "5:4+63 page",
    "6:4+63 page broken",
    "7:4+38 page",
    "7:45+44 page broken",
    "8:4+75 page",
    "9:4+38 page",
    "10:4+74 page",
    "10:81+36 page",
    "10:120+37 page",
    "11:4+44 page",
    "11:51+34 page",
    "11:88+35 page",
    "12:12+25 page broken",
    "12:40+42 page",
    "13:4+17 page",
    "13:24+26 page broken",
    "21:0+11 template",
    "22:0+22 template broken",
    "25:0+75 category",
    "26:0+75 category",
];

/// Decodes semantic tokens to `line:column+length type [modifiers]`.
fn decoded_tokens(answer: &Value) -> Vec<String> {
    let data: Vec<u64> = answer["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|number| number.as_u64().unwrap_or(u64::MAX))
        .collect();
    let (mut line, mut column) = (0, 0);
    data.chunks(5)
        .map(|token| {
            line += token[0];
            column = if token[0] == 0 { column + token[1] } else { token[1] };
            let kind = ["page", "category", "template"][token[3] as usize];
            let broken = if token[4] == 1 { " broken" } else { "" };
            format!("{line}:{column}+{} {kind}{broken}", token[2])
        })
        .collect()
}

#[test]
fn semantic_tokens_full_and_range_in_both_encodings() {
    let root = fixture_root("export");
    for utf8 in [false, true] {
        let (mut server, uri) = start(&root, Client { utf8, ..FULL_CLIENT }, "Page/首頁.md");
        let full = server
            .request(
                "textDocument/semanticTokens/full",
                json!({ "textDocument": { "uri": uri } }),
            )
            .expect("answered");
        let tokens = decoded_tokens(&full);
        // Line 12: `  - 𠀀𠀀[[不存在的頁面二]]　[[政制及內地事務局#職能|全形]]`.
        let line_12: Vec<&String> = tokens.iter().filter(|token| token.starts_with("12:")).collect();
        let expected_12 = if utf8 {
            ["12:12+25 page broken", "12:40+42 page"]
        } else {
            ["12:8+11 page broken", "12:20+18 page"]
        };
        assert_eq!(line_12, expected_12);
        // Every link line of the page; code, comments, the unclosed `{{Reflist` and the online
        // link to a missing page give none.
        let expected_utf16 = [
            "2:8+42 page",
            "2:51+42 page",
            "4:4+35 page broken",
            "5:4+39 page",
            "6:4+39 page broken",
            "7:4+30 page",
            "7:35+32 page broken",
            "8:4+55 page",
            "9:4+30 page",
            "10:4+46 page",
            "10:51+36 page",
            "10:88+37 page",
            "11:4+44 page",
            "11:49+34 page",
            "11:84+35 page",
            "12:8+11 page broken",
            "12:20+18 page",
            "13:4+9 page",
            "13:14+12 page broken",
            "21:0+11 template",
            "22:0+10 template broken",
            "25:0+67 category",
            "26:0+67 category",
        ];
        if utf8 {
            assert_eq!(tokens, EXPECTED_UTF8);
        } else {
            assert_eq!(tokens, expected_utf16);
        }
        let range = server
            .request(
                "textDocument/semanticTokens/range",
                json!({
                    "textDocument": { "uri": uri },
                    "range": { "start": { "line": 12, "character": 0 }, "end": { "line": 13, "character": 0 } },
                }),
            )
            .expect("answered");
        assert_eq!(decoded_tokens(&range), expected_12);
        finish(server);
    }
}
