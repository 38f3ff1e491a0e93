//! End-to-end references, rename, willRenameFiles and quick fixes over stdio, on copies of the
//! fixture wikis: every workspace edit is applied to the copy as an editor would, and the real
//! `wikils check` then says what changed.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use support::{Server, TempWiki};

const INDEXING_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16,
}

/// A copy of a fixture wiki (symlinks kept as symlinks) in a temporary folder.
fn copy_fixture(name: &str) -> TempWiki {
    let wiki = TempWiki::new(name, &[], &[]);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    copy_tree(&source, &wiki.root);
    wiki
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating a folder");
    for entry in std::fs::read_dir(from).expect("reading a fixture folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("a file type");
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).expect("reading a symlink");
            std::os::unix::fs::symlink(link, &target).expect("copying a symlink");
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copying a file");
        }
    }
}

fn start(wiki: &TempWiki, encoding: Encoding, file_operations: bool) -> Server {
    let mut capabilities = json!({
        "window": { "workDoneProgress": true },
        "textDocument": { "rename": { "prepareSupport": true }, "codeAction": {} },
        "workspace": { "workspaceEdit": { "documentChanges": file_operations } },
    });
    if file_operations {
        capabilities["workspace"]["workspaceEdit"]["resourceOperations"] = json!(["create", "rename", "delete"]);
    }
    if encoding == Encoding::Utf8 {
        capabilities["general"] = json!({ "positionEncodings": ["utf-8"] });
    }
    let mut server = Server::start();
    let result = server.initialize_with(json!({
        "processId": null,
        "rootUri": wiki.root_uri(),
        "capabilities": capabilities,
    }));
    let expected_encoding = match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::Utf16 => "utf-16",
    };
    assert_eq!(result["capabilities"]["positionEncoding"], expected_encoding);
    assert_eq!(result["capabilities"]["referencesProvider"], true);
    assert_eq!(result["capabilities"]["renameProvider"]["prepareProvider"], true);
    assert_eq!(
        result["capabilities"]["workspace"]["fileOperations"]["willRename"]["filters"][0]["pattern"]["glob"],
        "**/*.{md,markdown,wiki,wikitext,mediawiki}"
    );
    server.answer_server_request("window/workDoneProgress/create", Value::Null);
    loop {
        let progress = server.wait_notification("$/progress", INDEXING_TIMEOUT);
        if progress["params"]["value"]["kind"] == "end" {
            break;
        }
    }
    server
}

fn open(server: &mut Server, wiki: &TempWiki, path: &str) -> String {
    let text = std::fs::read_to_string(wiki.root.join(path)).expect("reading a page");
    let text_document = json!({ "uri": wiki.uri(path), "languageId": "markdown", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": text_document }));
    text
}

/// The position of the first `needle` in `text` (plus `shift` bytes), in `encoding`.
fn position_of(text: &str, needle: &str, shift: usize, encoding: Encoding) -> Value {
    let byte = text.find(needle).expect("the needle") + shift;
    let line_start = text[..byte].rfind('\n').map_or(0, |newline| newline + 1);
    let line = text[..byte].matches('\n').count();
    let column = match encoding {
        Encoding::Utf8 => byte - line_start,
        Encoding::Utf16 => text[line_start..byte].encode_utf16().count(),
    };
    json!({ "line": line, "character": column })
}

/// The byte offset of an LSP position in `text`.
fn byte_of(text: &str, position: &Value, encoding: Encoding) -> usize {
    let line = position["line"].as_u64().expect("a line") as usize;
    let character = position["character"].as_u64().expect("a character") as usize;
    let line_start = if line == 0 {
        0
    } else {
        text.match_indices('\n').nth(line - 1).expect("the line exists").0 + 1
    };
    let mut units = 0;
    for (offset, c) in text[line_start..].char_indices() {
        if units >= character || c == '\n' {
            return line_start + offset;
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    text.len()
}

fn path_of(wiki: &TempWiki, uri: &Value) -> std::path::PathBuf {
    let url = tower_lsp::lsp_types::Url::parse(uri.as_str().expect("a uri")).expect("a valid uri");
    let path = url.to_file_path().expect("a file uri");
    assert!(path.starts_with(&wiki.root), "{path:?} is outside the wiki");
    path
}

fn apply_text_edits(wiki: &TempWiki, uri: &Value, edits: &[Value], encoding: Encoding) {
    let path = path_of(wiki, uri);
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            let start = byte_of(&text, &edit["range"]["start"], encoding);
            let end = byte_of(&text, &edit["range"]["end"], encoding);
            (start, end, edit["newText"].as_str().expect("new text").to_string())
        })
        .collect();
    spans.sort_by_key(|span| std::cmp::Reverse(span.0));
    for (start, end, new_text) in spans {
        text.replace_range(start..end, &new_text);
    }
    std::fs::write(&path, text).expect("writing an edited file");
}

/// Applies a workspace edit to the files as an editor does, in order.
fn apply(wiki: &TempWiki, edit: &Value, encoding: Encoding) {
    if let Some(changes) = edit["changes"].as_object() {
        for (uri, edits) in changes {
            apply_text_edits(wiki, &json!(uri), edits.as_array().expect("edits"), encoding);
        }
    }
    for operation in edit["documentChanges"].as_array().into_iter().flatten() {
        match operation["kind"].as_str() {
            Some("create") => {
                let path = path_of(wiki, &operation["uri"]);
                std::fs::create_dir_all(path.parent().expect("a folder")).expect("creating a folder");
                std::fs::write(path, "").expect("creating a file");
            }
            Some("delete") => std::fs::remove_file(path_of(wiki, &operation["uri"])).expect("deleting a file"),
            Some("rename") => {
                let new_path = path_of(wiki, &operation["newUri"]);
                assert!(!new_path.exists(), "renaming over {new_path:?}");
                std::fs::rename(path_of(wiki, &operation["oldUri"]), new_path).expect("renaming a file");
            }
            _ => apply_text_edits(
                wiki,
                &operation["textDocument"]["uri"],
                operation["edits"].as_array().expect("edits"),
                encoding,
            ),
        }
    }
}

/// `wikils check --format json` on the wiki: findings as (path, code), and their UTF-16 ranges.
fn check(wiki: &TempWiki) -> Vec<(String, String, Value)> {
    let output = Command::new(env!("CARGO_BIN_EXE_wikils"))
        .args(["check", "--format", "json", "--no-progress", "."])
        .current_dir(&wiki.root)
        .output()
        .expect("running wikils check");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            let path = finding["path"]
                .as_str()
                .expect("a path")
                .trim_start_matches("./")
                .to_string();
            (
                path,
                finding["code"].as_str().expect("a code").to_string(),
                finding["range"].clone(),
            )
        })
        .collect()
}

fn counts_by_code(findings: &[(String, String, Value)]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, code, _) in findings {
        *counts.entry(code.clone()).or_default() += 1;
    }
    counts
}

/// No code has more findings after than before; returns the codes that lost some.
fn assert_no_new_findings(before: &[(String, String, Value)], after: &[(String, String, Value)]) -> Vec<String> {
    let (before_counts, after_counts) = (counts_by_code(before), counts_by_code(after));
    for (code, count) in &after_counts {
        assert!(
            before_counts.get(code).copied().unwrap_or(0) >= *count,
            "new `{code}` findings:\nbefore {before:#?}\nafter {after:#?}"
        );
    }
    before_counts
        .iter()
        .filter(|(code, count)| after_counts.get(*code).copied().unwrap_or(0) < **count)
        .map(|(code, _)| code.clone())
        .collect()
}

/// Every reference to 政制及內地事務局 in the export fixture, UTF-16 ranges (line, column, line,
/// column): the page's top (it has no title heading), the category page's link, and the plain,
/// variant, anchored (twice), alias, online and full-width links of 首頁, the last after 𠀀𠀀.
const DEPARTMENT_REFERENCES: [(&str, [u32; 4]); 9] = [
    ("Category/香港.md", [2, 0, 2, 42]),
    ("Page/政制及內地事務局.md", [0, 0, 0, 0]),
    ("Page/首頁.md", [2, 8, 2, 50]),
    ("Page/首頁.md", [2, 51, 2, 93]),
    ("Page/首頁.md", [5, 4, 5, 43]),
    ("Page/首頁.md", [6, 4, 6, 43]),
    ("Page/首頁.md", [7, 4, 7, 34]),
    ("Page/首頁.md", [8, 4, 8, 59]),
    ("Page/首頁.md", [12, 20, 12, 38]),
];

/// A UTF-16 server on `wiki` with 首頁 open, and the position and params (declaration included)
/// of a references request on its first link to 政制及內地事務局.
fn references_to_the_department_page(wiki: &TempWiki) -> (Server, Value, Value) {
    let mut server = start(wiki, Encoding::Utf16, true);
    let text = open(&mut server, wiki, "Page/首頁.md");
    let position = position_of(&text, "../Page/政制及內地事務局.md", 0, Encoding::Utf16);
    let params = json!({
        "textDocument": { "uri": wiki.uri("Page/首頁.md") },
        "position": position,
        "context": { "includeDeclaration": true },
    });
    (server, position, params)
}

#[test]
fn references_list_every_link_to_the_page_in_utf16() {
    let wiki = copy_fixture("export");
    let (mut server, position, params) = references_to_the_department_page(&wiki);
    let locations = server.request("textDocument/references", params).expect("references");
    let found: Vec<String> = locations
        .as_array()
        .expect("locations")
        .iter()
        .map(|location| {
            let path = path_of(&wiki, &location["uri"]);
            let relative = path
                .strip_prefix(&wiki.root)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            let range = &location["range"];
            format!(
                "{relative} {}:{}-{}:{}",
                range["start"]["line"], range["start"]["character"], range["end"]["line"], range["end"]["character"]
            )
        })
        .collect();
    let expected: Vec<String> = DEPARTMENT_REFERENCES
        .iter()
        .map(|(path, [start_line, start_column, end_line, end_column])| {
            format!("{path} {start_line}:{start_column}-{end_line}:{end_column}")
        })
        .collect();
    assert_eq!(found, expected, "{locations:#}");

    // A link typed in another open document and not saved is a reference too.
    open(&mut server, &wiki, "Page/What?.md");
    let unsaved = "𠀀 [[政制及內地事務局|局]]\n";
    server.change(&wiki.uri("Page/What?.md"), 2, json!([{ "text": unsaved }]));
    let params = json!({
        "textDocument": { "uri": wiki.uri("Page/首頁.md") },
        "position": position,
        "context": { "includeDeclaration": false },
    });
    let locations = server.request("textDocument/references", params).expect("references");
    let typed: Vec<&Value> = locations
        .as_array()
        .expect("locations")
        .iter()
        .filter(|location| location["uri"] == wiki.uri("Page/What?.md"))
        .collect();
    assert_eq!(typed.len(), 1, "{locations:#}");
    assert_eq!(
        typed[0]["range"],
        json!({ "start": { "line": 0, "character": 3 }, "end": { "line": 0, "character": 17 } })
    );
    server.take_notifications();
    server.shutdown_and_exit();
}

/// A JSON-RPC success response and nothing else: a duplicated or extra key fails to parse.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SuccessResponse {
    jsonrpc: String,
    id: Value,
    result: Value,
}

/// The references answer is serialized by the handler and spliced into the response by the
/// transport (see `transport.rs`), not built by tower-lsp: its bytes must still be one JSON-RPC
/// response under the request's own id, string or number, with the locations the
/// `Vec<Location>` path gave; errors and empty answers stay tower-lsp's.
#[test]
fn references_answers_are_whole_responses_under_the_requests_id() {
    let wiki = copy_fixture("export");
    let (mut server, _, params) = references_to_the_department_page(&wiki);

    // Cancelled in the same write: the cancel's handler runs right after the request's first
    // step, long before the blocking search can finish, so the answer is always −32800.
    // An i32: lsp-types reads `$/cancelRequest` ids as `NumberOrString` with an `i32`.
    let cancelled_id = 900_001;
    let request =
        json!({ "jsonrpc": "2.0", "id": cancelled_id, "method": "textDocument/references", "params": params });
    let cancel = json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": cancelled_id } });
    let mut frames = Vec::new();
    for message in [request, cancel] {
        let body = serde_json::to_string(&message).expect("serialisable");
        frames.extend_from_slice(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }
    server.send_bytes(&frames);
    let cancelled = server.wait_response(cancelled_id);
    assert_eq!(cancelled.map_err(|error| error["code"].clone()), Err(json!(-32800)));

    let expected: Vec<Value> = DEPARTMENT_REFERENCES
        .into_iter()
        .map(|(path, [start_line, start_column, end_line, end_column])| {
            json!({
                "uri": wiki.uri(path),
                "range": {
                    "start": { "line": start_line, "character": start_column },
                    "end": { "line": end_line, "character": end_column },
                },
            })
        })
        .collect();
    for id in [json!("references \"1\" 首頁"), json!(-7)] {
        let body = server.request_raw(id.clone(), "textDocument/references", params.clone());
        let response: SuccessResponse = serde_json::from_slice(&body)
            .unwrap_or_else(|error| panic!("{error} in {}", String::from_utf8_lossy(&body)));
        assert_eq!(response.jsonrpc, "2.0");
        assert_eq!(response.id, id);
        assert_eq!(response.result, Value::Array(expected.clone()), "{}", response.result);
    }

    let not_open = json!({
        "textDocument": { "uri": wiki.uri("Page/What?.md") },
        "position": { "line": 0, "character": 0 },
        "context": { "includeDeclaration": true },
    });
    let body = server.request_raw(json!("not open"), "textDocument/references", not_open);
    assert_eq!(
        String::from_utf8_lossy(&body),
        r#"{"jsonrpc":"2.0","result":null,"id":"not open"}"#
    );
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn rename_in_utf8_moves_the_page_and_check_finds_nothing_new() {
    let wiki = copy_fixture("export");
    let before = check(&wiki);
    let mut server = start(&wiki, Encoding::Utf8, true);
    let text = open(&mut server, &wiki, "Page/首頁.md");
    let position = position_of(&text, "[[政制及內地事務局#職能|全形]]", 5, Encoding::Utf8);
    let document = json!({ "uri": wiki.uri("Page/首頁.md") });
    let prepared = server
        .request(
            "textDocument/prepareRename",
            json!({ "textDocument": document, "position": position }),
        )
        .expect("prepareRename");
    assert_eq!(prepared["placeholder"], "政制及內地事務局");
    let line = text.lines().nth(12).expect("line 13");
    let target_start = line.find("政制及內地事務局#").expect("the target");
    assert_eq!(
        prepared["range"],
        json!({
            "start": { "line": 12, "character": target_start },
            "end": { "line": 12, "character": target_start + "政制及內地事務局".len() },
        })
    );
    // References in UTF-8: the full-width link after 𠀀𠀀 starts at byte column 40 (UTF-16: 20).
    let references = server
        .request(
            "textDocument/references",
            json!({ "textDocument": document, "position": position, "context": { "includeDeclaration": false } }),
        )
        .expect("references");
    let last = references
        .as_array()
        .and_then(|locations| locations.last())
        .expect("locations");
    assert_eq!(
        last["range"],
        json!({ "start": { "line": 12, "character": 40 }, "end": { "line": 12, "character": 82 } })
    );
    assert_eq!(references.as_array().map(Vec::len), Some(8));
    let params = json!({ "textDocument": document, "position": position, "newName": "新政制局 (2026)" });
    let edit = server.request("textDocument/rename", params).expect("rename");
    apply(&wiki, &edit, Encoding::Utf8);
    assert!(wiki.root.join("Page/新政制局_(2026).md").is_file());
    assert!(!wiki.root.join("Page/政制及內地事務局.md").exists());
    let home = std::fs::read_to_string(wiki.root.join("Page/首頁.md")).expect("home page");
    assert!(
        home.contains(r#"[政制及內地事務局](../Page/新政制局_\(2026\).md "wikilink")"#),
        "{home}"
    );
    assert!(home.contains("[[新政制局 (2026)#職能|全形]]"), "{home}");
    let alias = std::fs::read_to_string(wiki.root.join("Redirect/別名.md")).expect("the alias");
    assert_eq!(alias, "#REDIRECT [[新政制局 (2026)]]\n");
    let after = check(&wiki);
    // The variant link was rewritten to the new title, and the online link names a title no
    // local page has any more: two findings less, and none new.
    assert_eq!(
        assert_no_new_findings(&before, &after),
        ["local-page-linked-as-url", "variant-link"]
    );

    let bad = json!({ "textDocument": document, "position": position, "newName": "首頁" });
    let error = server.request("textDocument/rename", bad).expect_err("a collision");
    assert_eq!(error["message"], "a page `首頁` already exists");
    let url = position_of(&text, "https://zh.wikipedia.org/wiki/政制", 0, Encoding::Utf8);
    let error = server
        .request(
            "textDocument/prepareRename",
            json!({ "textDocument": document, "position": url }),
        )
        .expect_err("an online link");
    assert_eq!(error["code"], -32803);
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn rename_in_a_wikitext_tree_keeps_check_clean() {
    let wiki = copy_fixture("wikitext");
    let before = check(&wiki);
    let mut server = start(&wiki, Encoding::Utf16, true);
    let text = open(&mut server, &wiki, "Main_Page.wiki");
    let position = position_of(&text, "[[target#Section", 3, Encoding::Utf16);
    let document = json!({ "uri": wiki.uri("Main_Page.wiki") });
    let params = json!({ "textDocument": document, "position": position, "newName": "目標 𠀀" });
    let edit = server.request("textDocument/rename", params).expect("rename");
    apply(&wiki, &edit, Encoding::Utf16);
    assert!(wiki.root.join("目標_𠀀.wiki").is_file());
    let main = std::fs::read_to_string(wiki.root.join("Main_Page.wiki")).expect("main page");
    assert!(
        main.starts_with("'''Main Page''' links to [[目標 𠀀]], [[目標 𠀀#Section|a section]] and [[目標 𠀀#Nope]]."),
        "{main}"
    );
    let redirect = std::fs::read_to_string(wiki.root.join("Redirect_Page.wiki")).expect("redirect page");
    assert_eq!(redirect.trim_end(), "#REDIRECT [[目標 𠀀]]");
    let after = check(&wiki);
    assert_eq!(assert_no_new_findings(&before, &after), Vec::<String>::new());
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn will_rename_files_rewrites_links_to_the_moved_page() {
    let wiki = copy_fixture("export");
    let before = check(&wiki);
    let mut server = start(&wiki, Encoding::Utf16, true);
    let (old, new) = ("Page/政制及內地事務局.md", "Page/政制局.md");
    let params = json!({ "files": [{ "oldUri": wiki.uri(old), "newUri": wiki.uri(new) }] });
    let edit = server
        .request("workspace/willRenameFiles", params)
        .expect("willRenameFiles");
    apply(&wiki, &edit, Encoding::Utf16);
    std::fs::rename(wiki.root.join(old), wiki.root.join(new)).expect("the editor's move");
    let home = std::fs::read_to_string(wiki.root.join("Page/首頁.md")).expect("home page");
    assert!(
        home.contains(r#"[政制及內地事務局](../Page/政制局.md "wikilink")"#),
        "{home}"
    );
    let category = std::fs::read_to_string(wiki.root.join("Category/香港.md")).expect("category page");
    assert!(category.contains("(../Page/政制局.md"), "{category}");
    let after = check(&wiki);
    assert_eq!(
        assert_no_new_findings(&before, &after),
        ["local-page-linked-as-url", "variant-link"]
    );
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn without_file_operations_rename_sends_only_text_changes() {
    let wiki = copy_fixture("export");
    let mut server = start(&wiki, Encoding::Utf16, false);
    let text = open(&mut server, &wiki, "Page/首頁.md");
    let position = position_of(&text, "../Page/政制及內地事務局.md", 0, Encoding::Utf16);
    let params = json!({
        "textDocument": { "uri": wiki.uri("Page/首頁.md") },
        "position": position,
        "newName": "政制局",
    });
    let edit = server.request("textDocument/rename", params).expect("rename");
    assert!(edit["documentChanges"].is_null(), "{edit:#}");
    let changes = edit["changes"].as_object().expect("changes");
    let mut changed: Vec<String> = changes
        .keys()
        .map(|uri| {
            let path = path_of(&wiki, &json!(uri));
            path.strip_prefix(&wiki.root)
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    changed.sort();
    // No move and no replaced symlink can be expressed: only the links are rewritten.
    assert_eq!(changed, ["Category/香港.md", "Page/首頁.md"]);
    server.take_notifications();
    server.shutdown_and_exit();
}

/// Asks for the quick fixes at the first finding with `code` in 首頁.md, applies the first
/// action named `title_start…`, and returns the findings after.
fn fix_first(
    server: &mut Server,
    wiki: &TempWiki,
    version: &mut i32,
    code: &str,
    title_start: &str,
) -> Vec<(String, String, Value)> {
    let before = check(wiki);
    let (_, _, range) = before
        .iter()
        .find(|(path, found, _)| path == "Page/首頁.md" && found == code)
        .expect("the finding")
        .clone();
    let uri = wiki.uri("Page/首頁.md");
    let params = json!({
        "textDocument": { "uri": uri },
        "range": range,
        "context": { "diagnostics": [] },
    });
    let actions = server.request("textDocument/codeAction", params).expect("codeAction");
    let action = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|action| {
            action["title"]
                .as_str()
                .is_some_and(|title| title.starts_with(title_start))
        })
        .unwrap_or_else(|| panic!("no action `{title_start}` in {actions:#}"))
        .clone();
    assert_eq!(action["kind"], "quickfix");
    apply(wiki, &action["edit"], Encoding::Utf16);
    *version += 1;
    let text = std::fs::read_to_string(wiki.root.join("Page/首頁.md")).expect("home page");
    server.change(&uri, *version, json!([{ "text": text }]));
    let after = check(wiki);
    let fixed = assert_no_new_findings(&before, &after);
    assert_eq!(fixed, [code.to_string()], "{action:#}");
    after
}

#[test]
fn each_quick_fix_removes_its_finding() {
    let wiki = copy_fixture("export");
    let mut server = start(&wiki, Encoding::Utf16, true);
    open(&mut server, &wiki, "Page/首頁.md");
    let mut version = 1;
    fix_first(
        &mut server,
        &wiki,
        &mut version,
        "variant-link",
        "Link to the existing page `政制及內地事務局`",
    );
    fix_first(
        &mut server,
        &wiki,
        &mut version,
        "local-page-linked-as-url",
        "Link to the local page `政制及內地事務局`",
    );
    fix_first(
        &mut server,
        &wiki,
        &mut version,
        "ambiguous-link",
        "Link to `Page/務內.md`",
    );
    fix_first(
        &mut server,
        &wiki,
        &mut version,
        "duplicate-category",
        "Remove duplicate category `Category:香港`",
    );
    fix_first(
        &mut server,
        &wiki,
        &mut version,
        "broken-link",
        "Create page `不存在的頁面` at `Page/不存在的頁面.md`",
    );
    let created = std::fs::read_to_string(wiki.root.join("Page/不存在的頁面.md")).expect("the new page");
    assert_eq!(created, "# 不存在的頁面\n");
    server.take_notifications();
    server.shutdown_and_exit();
}
