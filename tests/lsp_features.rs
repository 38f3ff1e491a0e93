//! End-to-end wiki features over stdio: definition, completion, diagnostics (pushed and pulled)
//! and watched files, on small wikis written to a temporary folder by each test.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{Server, TempWiki};

const DIAGNOSTICS_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16,
}

/// What the test client declares, beyond progress support (which every session here has, so
/// that it can wait for indexing to end).
#[derive(Clone, Default)]
struct ClientSetup {
    /// Sent as `initializationOptions`.
    initialization_options: Option<Value>,
    utf8: bool,
    pull_diagnostics: bool,
    /// Declared as the specification spells it, `workspace.diagnostics.refreshSupport`.
    diagnostic_refresh: bool,
    watch_files: bool,
}

fn start(wiki: &TempWiki, setup: ClientSetup) -> (Server, Value) {
    let mut text_document = json!({ "definition": { "linkSupport": true } });
    if setup.pull_diagnostics {
        text_document["diagnostic"] = json!({});
    } else {
        text_document["publishDiagnostics"] = json!({ "versionSupport": true });
    }
    let mut capabilities = json!({
        "window": { "workDoneProgress": true },
        "textDocument": text_document,
    });
    if setup.utf8 {
        capabilities["general"] = json!({ "positionEncodings": ["utf-8", "utf-16"] });
    }
    if setup.watch_files {
        capabilities["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    }
    if setup.diagnostic_refresh {
        capabilities["workspace"]["diagnostics"] = json!({ "refreshSupport": true });
    }
    let mut server = Server::start();
    let mut params = json!({
        "processId": null,
        "rootUri": wiki.root_uri(),
        "capabilities": capabilities,
    });
    if let Some(options) = &setup.initialization_options {
        params["initializationOptions"] = options.clone();
    }
    let result = server.initialize_with(params);
    server.answer_server_request("window/workDoneProgress/create", Value::Null);
    if setup.watch_files {
        let registration = server.answer_server_request("client/registerCapability", Value::Null);
        assert_eq!(
            registration["params"]["registrations"][0]["method"],
            "workspace/didChangeWatchedFiles"
        );
    }
    if setup.diagnostic_refresh {
        // Diagnostics pulled before every page was known were empty: the client is asked to
        // pull again once the pages are known, and again when the link graph is complete.
        server.answer_server_request("workspace/diagnostic/refresh", Value::Null);
        server.answer_server_request("workspace/diagnostic/refresh", Value::Null);
    }
    wait_for_indexing(&mut server);
    (server, result)
}

/// Reads `$/progress` until the indexing's end; returns the messages seen on the way.
fn wait_for_indexing(server: &mut Server) -> Vec<String> {
    let mut messages = Vec::new();
    loop {
        let progress = server.wait_notification("$/progress", DIAGNOSTICS_TIMEOUT);
        let value = &progress["params"]["value"];
        messages.push(format!(
            "{} {}",
            value["kind"].as_str().unwrap_or_default(),
            value["message"]
                .as_str()
                .or(value["title"].as_str())
                .unwrap_or_default()
        ));
        if value["kind"] == "end" {
            return messages;
        }
    }
}

fn open(server: &mut Server, uri: &str, text: &str) {
    let text_document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": text_document }));
}

fn replace_all(server: &mut Server, uri: &str, version: i32, text: &str) {
    server.change(uri, version, json!([{ "text": text }]));
}

/// The column of byte `byte` of a one-line `text`, in `encoding`.
fn column(text: &str, byte: usize, encoding: Encoding) -> u64 {
    match encoding {
        Encoding::Utf8 => byte as u64,
        Encoding::Utf16 => text[..byte].encode_utf16().count() as u64,
    }
}

fn range(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({
        "start": { "line": start.0, "character": start.1 },
        "end": { "line": end.0, "character": end.1 },
    })
}

fn definition(server: &mut Server, uri: &str, line: u64, character: u64) -> Value {
    let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
    server
        .request("textDocument/definition", params)
        .expect("definition failed")
}

fn completion(server: &mut Server, uri: &str, line: u64, character: u64) -> Value {
    let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
    server
        .request("textDocument/completion", params)
        .expect("completion failed")
}

fn wait_diagnostics(server: &mut Server, uri: &str, version: i64) -> Vec<Value> {
    let notification =
        server.wait_notification_matching("textDocument/publishDiagnostics", DIAGNOSTICS_TIMEOUT, |params| {
            params["uri"] == uri && params["version"] == version
        });
    notification["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn export_wiki(name: &str) -> TempWiki {
    TempWiki::new(
        name,
        &[
            ("Page/B.md", "# B\n\n## 歷史\n\n第一行。\n"),
            ("Page/內地.md", "內地是……\n"),
            ("Page/內蒙古.md", "[內地](../Page/內地.md \"wikilink\")\n"),
            ("Page/政制及內地事務局.md", "[內地](../Page/內地.md \"wikilink\")\n"),
        ],
        &[("Redirect/別名.md", "../Page/B.md")],
    )
}

#[test]
fn definition_on_a_page_link_through_a_redirect_and_to_an_anchor() {
    let wiki = export_wiki("definition");
    let (mut server, _) = start(&wiki, ClientSetup::default());
    let uri = wiki.uri("Page/A.md");
    let text = "中𠀀 [B](../Page/B.md \"wikilink\") [別](../Page/別名.md#歷史 \"wikilink\")";
    open(&mut server, &uri, text);
    let first_link = text.find("[B]").expect("first link");
    let first_end = text.find(" [別]").expect("second link");
    let result = definition(&mut server, &uri, 0, column(text, first_link + 1, Encoding::Utf16));
    assert_eq!(result[0]["targetUri"], wiki.uri("Page/B.md"));
    assert_eq!(result[0]["targetRange"], range((0, 0), (0, 0)));
    let origin = range(
        (0, column(text, first_link, Encoding::Utf16)),
        (0, column(text, first_end, Encoding::Utf16)),
    );
    assert_eq!(result[0]["originSelectionRange"], origin);

    let second_link = first_end + 1;
    let result = definition(&mut server, &uri, 0, column(text, second_link + 1, Encoding::Utf16));
    assert_eq!(result[0]["targetUri"], wiki.uri("Page/B.md"), "{result}");
    // `## 歷史` is the third line: 5 UTF-16 units.
    assert_eq!(result[0]["targetRange"], range((2, 0), (2, 5)));
    let nothing = definition(&mut server, &uri, 0, 0);
    assert_eq!(nothing, Value::Null);
    // The push for the opened version may still be on its way: read it, so none is left unread.
    wait_diagnostics(&mut server, &uri, 1);
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn definition_on_a_template_in_a_wikitext_tree() {
    let wiki = TempWiki::new(
        "template",
        &[("Template:Infobox.wiki", "infobox\n"), ("A.wiki", "{{Infobox|x=1}}\n")],
        &[],
    );
    let (mut server, _) = start(&wiki, ClientSetup::default());
    let uri = wiki.uri("A.wiki");
    open(&mut server, &uri, "{{Infobox|x=1}}\n");
    let result = definition(&mut server, &uri, 0, 4);
    assert_eq!(result[0]["targetUri"], wiki.uri("Template:Infobox.wiki"), "{result}");
    assert_eq!(result[0]["originSelectionRange"], range((0, 0), (0, 15)));
    // The push for the opened version may still be on its way: read it, so none is left unread.
    wait_diagnostics(&mut server, &uri, 1);
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn completion_edits_exactly_the_typed_range_in_both_encodings() {
    let wiki = export_wiki("completion");
    for encoding in [Encoding::Utf16, Encoding::Utf8] {
        let setup = ClientSetup {
            utf8: encoding == Encoding::Utf8,
            ..ClientSetup::default()
        };
        let (mut server, _) = start(&wiki, setup);
        let uri = wiki.uri("Page/A.md");
        let bracket_line = "中𠀀 [[內";
        let path_line = "中𠀀 [x](../Page/內";
        open(&mut server, &uri, &format!("{bracket_line}\n{path_line}\n"));

        let cursor = column(bracket_line, bracket_line.len(), encoding);
        let typed_start = column(bracket_line, bracket_line.find("內").expect("typed"), encoding);
        let list = completion(&mut server, &uri, 0, cursor);
        let item = &list["items"][0];
        assert_eq!(item["label"], "內地", "{encoding:?}: {list}");
        assert_eq!(item["textEdit"]["newText"], "內地]]");
        assert_eq!(
            item["textEdit"]["range"],
            range((0, typed_start), (0, cursor)),
            "{encoding:?}"
        );
        assert_eq!(list["items"][1]["label"], "內蒙古", "{list}");

        let cursor = column(path_line, path_line.len(), encoding);
        let typed_start = column(path_line, path_line.find("內").expect("typed"), encoding);
        let list = completion(&mut server, &uri, 1, cursor);
        let item = &list["items"][0];
        assert_eq!(item["label"], "內地", "{encoding:?}: {list}");
        assert_eq!(item["textEdit"]["newText"], "內地.md \"wikilink\")");
        assert_eq!(
            item["textEdit"]["range"],
            range((1, typed_start), (1, cursor)),
            "{encoding:?}"
        );

        let resolved = server
            .request("completionItem/resolve", item.clone())
            .expect("resolve failed");
        assert_eq!(resolved["documentation"]["value"], "內地是……");
        // The push for the opened version may still be on its way: read it, so none is left unread.
        wait_diagnostics(&mut server, &uri, 1);
        server.take_notifications();
        server.shutdown_and_exit();
    }
}

#[test]
fn completion_finds_traditional_titles_from_simplified_text() {
    let wiki = export_wiki("variants");
    let (mut server, _) = start(&wiki, ClientSetup::default());
    let uri = wiki.uri("Page/A.md");
    open(&mut server, &uri, "[[内地");
    let list = completion(&mut server, &uri, 0, 4);
    let labels: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["label"].as_str())
        .collect();
    assert_eq!(labels, ["內地", "政制及內地事務局"], "{list}");
    // The editor filters by the typed text: it must not drop what the server matched by folding.
    assert!(list["items"][0]["filterText"]
        .as_str()
        .is_some_and(|filter| filter.starts_with("内地")));
    // The push for the opened version may still be on its way: read it, so none is left unread.
    wait_diagnostics(&mut server, &uri, 1);
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn diagnostics_are_pushed_after_open_and_follow_edits() {
    let wiki = export_wiki("push");
    let (mut server, _) = start(&wiki, ClientSetup::default());
    let uri = wiki.uri("Page/A.md");
    open(&mut server, &uri, "中𠀀 [B](../Page/B.md \"wikilink\")\n");
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), Vec::<String>::new());

    replace_all(&mut server, &uri, 2, "中𠀀 [C](../Page/C.md \"wikilink\")\n");
    let diagnostics = wait_diagnostics(&mut server, &uri, 2);
    assert_eq!(codes(&diagnostics), ["broken-link"]);
    assert_eq!(diagnostics[0]["range"], range((0, 4), (0, 32)));

    replace_all(&mut server, &uri, 3, "中𠀀 [B](../Page/B.md \"wikilink\")\n");
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 3)), Vec::<String>::new());
    server.shutdown_and_exit();
}

#[test]
fn creating_and_deleting_a_page_updates_open_documents_diagnostics() {
    let wiki = export_wiki("watched");
    let setup = ClientSetup {
        watch_files: true,
        ..ClientSetup::default()
    };
    let (mut server, _) = start(&wiki, setup);
    let uri = wiki.uri("Page/A.md");
    open(&mut server, &uri, "[C](../Page/C.md \"wikilink\")\n");
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), ["broken-link"]);

    wiki.write("Page/C.md", "C\n");
    let created = json!({ "changes": [{ "uri": wiki.uri("Page/C.md"), "type": 1 }] });
    server.notify("workspace/didChangeWatchedFiles", created);
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), Vec::<String>::new());

    wiki.remove("Page/C.md");
    let deleted = json!({ "changes": [{ "uri": wiki.uri("Page/C.md"), "type": 3 }] });
    server.notify("workspace/didChangeWatchedFiles", deleted);
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), ["broken-link"]);
    server.shutdown_and_exit();
}

#[test]
fn pull_diagnostics_answer_for_the_current_text() {
    let wiki = export_wiki("pull");
    let setup = ClientSetup {
        pull_diagnostics: true,
        ..ClientSetup::default()
    };
    let (mut server, initialize_result) = start(&wiki, setup);
    assert_eq!(
        initialize_result["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    let uri = wiki.uri("Page/A.md");
    open(&mut server, &uri, "[B](../Page/B.md#沒有 \"wikilink\")\n");
    let params = json!({ "textDocument": { "uri": uri } });
    let report = server
        .request("textDocument/diagnostic", params.clone())
        .expect("diagnostic failed");
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(codes(&items), ["broken-anchor"]);

    replace_all(&mut server, &uri, 2, "[B](../Page/B.md#歷史 \"wikilink\")\n");
    let report = server
        .request("textDocument/diagnostic", params)
        .expect("diagnostic failed");
    assert_eq!(report["items"], json!([]));
    assert!(!server.has_queued("textDocument/publishDiagnostics"));
    server.shutdown_and_exit();
}

#[test]
fn editor_rule_settings_apply_at_startup_and_when_changed() {
    let wiki = export_wiki("editor-rules");
    let setup = ClientSetup {
        initialization_options: Some(json!({ "rules": { "broken-link": "off", "no-such-rule": "error" } })),
        ..ClientSetup::default()
    };
    let (mut server, _) = start(&wiki, setup);
    server.wait_notification("window/logMessage", DIAGNOSTICS_TIMEOUT);
    let warning = server.wait_notification("window/showMessage", DIAGNOSTICS_TIMEOUT);
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no-such-rule"),
        "{warning}"
    );
    let uri = wiki.uri("Page/A.md");
    open(&mut server, &uri, "[C](../Page/C.md \"wikilink\")\n");
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), Vec::<String>::new());

    let settings = json!({ "settings": { "wikils": { "rules": { "broken-link": "hint" } } } });
    server.notify("workspace/didChangeConfiguration", settings);
    let diagnostics = wait_diagnostics(&mut server, &uri, 1);
    assert_eq!(codes(&diagnostics), ["broken-link"]);
    assert_eq!(diagnostics[0]["severity"], 4);
    server.shutdown_and_exit();
}

#[test]
fn clients_that_can_refresh_are_asked_to_pull_again_when_indexing_ends() {
    let wiki = export_wiki("refresh");
    let setup = ClientSetup {
        pull_diagnostics: true,
        diagnostic_refresh: true,
        ..ClientSetup::default()
    };
    let (server, _) = start(&wiki, setup);
    server.shutdown_and_exit();
}

#[test]
fn adding_a_heading_in_one_open_document_fixes_anchors_in_another() {
    let wiki = export_wiki("headings");
    let (mut server, _) = start(&wiki, ClientSetup::default());
    let page_b = wiki.uri("Page/B.md");
    let page_a = wiki.uri("Page/A.md");
    let text_b = "# B\n\n## 歷史\n\n第一行。\n";
    open(&mut server, &page_b, text_b);
    assert_eq!(codes(&wait_diagnostics(&mut server, &page_b, 1)), Vec::<String>::new());
    open(&mut server, &page_a, "[新](../Page/B.md#新節 \"wikilink\")\n");
    assert_eq!(codes(&wait_diagnostics(&mut server, &page_a, 1)), ["broken-anchor"]);

    replace_all(&mut server, &page_b, 2, &format!("{text_b}\n## 新節\n"));
    assert_eq!(codes(&wait_diagnostics(&mut server, &page_b, 2)), Vec::<String>::new());
    assert_eq!(codes(&wait_diagnostics(&mut server, &page_a, 1)), Vec::<String>::new());
    server.shutdown_and_exit();
}

#[test]
fn a_changed_configuration_file_applies_to_open_documents() {
    let wiki = export_wiki("configuration");
    let setup = ClientSetup {
        watch_files: true,
        ..ClientSetup::default()
    };
    let (mut server, _) = start(&wiki, setup);
    let uri = wiki.uri("Page/A.md");
    open(&mut server, &uri, "[C](../Page/C.md \"wikilink\")\n");
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), ["broken-link"]);

    wiki.write("wikils.toml", "[rules]\nbroken-link = \"off\"\n");
    let created = json!({ "changes": [{ "uri": wiki.uri("wikils.toml"), "type": 1 }] });
    server.notify("workspace/didChangeWatchedFiles", created);
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), Vec::<String>::new());

    // Folding off changes how titles are read: the root is indexed again, with progress.
    wiki.write("wikils.toml", "variant-folding = false\n");
    let changed = json!({ "changes": [{ "uri": wiki.uri("wikils.toml"), "type": 2 }] });
    server.notify("workspace/didChangeWatchedFiles", changed);
    server.answer_server_request("window/workDoneProgress/create", Value::Null);
    wait_for_indexing(&mut server);
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), ["broken-link"]);
    server.shutdown_and_exit();
}

#[test]
fn files_renamed_and_deleted_in_the_editor_update_the_index() {
    let wiki = export_wiki("file-operations");
    let (mut server, initialize_result) = start(&wiki, ClientSetup::default());
    let operations = &initialize_result["capabilities"]["workspace"]["fileOperations"];
    assert_eq!(
        operations["didRename"]["filters"][0]["pattern"]["glob"],
        "**/*.{md,markdown,wiki,wikitext,mediawiki}"
    );
    let uri = wiki.uri("Page/A.md");
    open(
        &mut server,
        &uri,
        "[B](../Page/B.md \"wikilink\") [C](../Page/C.md \"wikilink\")\n",
    );
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), ["broken-link"]);

    wiki.write("Page/C.md", "# C\n");
    wiki.remove("Page/B.md");
    let renamed = json!({ "files": [{ "oldUri": wiki.uri("Page/B.md"), "newUri": wiki.uri("Page/C.md") }] });
    server.notify("workspace/didRenameFiles", renamed);
    let diagnostics = wait_diagnostics(&mut server, &uri, 1);
    assert_eq!(codes(&diagnostics), ["broken-link"]);
    assert_eq!(
        diagnostics[0]["range"]["start"]["character"], 0,
        "now [B] is the broken one"
    );

    wiki.remove("Page/C.md");
    server.notify(
        "workspace/didDeleteFiles",
        json!({ "files": [{ "uri": wiki.uri("Page/C.md") }] }),
    );
    assert_eq!(
        codes(&wait_diagnostics(&mut server, &uri, 1)),
        ["broken-link", "broken-link"]
    );
    server.shutdown_and_exit();
}

#[test]
fn several_workspace_folders_are_separate_wikis() {
    let first = TempWiki::new("multi-root-a", &[("Page/Only_in_a.md", "a\n")], &[]);
    let second = TempWiki::new("multi-root-b", &[("Page/Only_in_b.md", "## 節\n")], &[]);
    let mut server = Server::start();
    server.initialize_with(json!({
        "processId": null,
        "workspaceFolders": [
            { "uri": first.root_uri(), "name": "a" },
            { "uri": second.root_uri(), "name": "b" },
        ],
        "capabilities": {
            "window": { "workDoneProgress": true },
            "textDocument": { "publishDiagnostics": { "versionSupport": true }, "definition": { "linkSupport": true } },
        },
    }));
    let mut ended = 0;
    while ended < 2 {
        let message = server.next_message(DIAGNOSTICS_TIMEOUT);
        match message["method"].as_str() {
            Some("window/workDoneProgress/create") => {
                server.send_message(&json!({ "jsonrpc": "2.0", "id": message["id"], "result": null }));
            }
            Some("$/progress") if message["params"]["value"]["kind"] == "end" => ended += 1,
            _ => {}
        }
    }
    let uri = second.uri("Page/B.md");
    let text = "[x](../Page/Only_in_b.md#節 \"wikilink\") [y](../Page/Only_in_a.md \"wikilink\")\n";
    open(&mut server, &uri, text);
    let diagnostics = wait_diagnostics(&mut server, &uri, 1);
    assert_eq!(
        codes(&diagnostics),
        ["broken-link"],
        "a page of the other root does not count"
    );
    let result = definition(&mut server, &uri, 0, 1);
    assert_eq!(result[0]["targetUri"], second.uri("Page/Only_in_b.md"));
    server.take_notifications();
    server.shutdown_and_exit();
}

#[test]
fn workspace_diagnostics_cover_closed_documents_in_the_negotiated_encoding() {
    for (utf8, column) in [(false, 3), (true, 7)] {
        let wiki = TempWiki::new(
            "workspace-pull",
            &[("Page/A.md", "x\n中𠀀[[Gone]]\n"), ("Page/B.md", "[[A]]\n")],
            &[],
        );
        let setup = ClientSetup {
            utf8,
            pull_diagnostics: true,
            ..ClientSetup::default()
        };
        let (mut server, initialize_result) = start(&wiki, setup);
        assert_eq!(
            initialize_result["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"],
            true
        );
        let report = server
            .request("workspace/diagnostic", json!({ "previousResultIds": [] }))
            .expect("workspace diagnostic failed");
        let items = report["items"].as_array().cloned().unwrap_or_default();
        let summary: Vec<(String, Vec<String>)> = items
            .iter()
            .map(|item| {
                let uri = item["uri"].as_str().unwrap_or_default();
                let name = uri.rsplit('/').next().unwrap_or_default().to_string();
                (
                    name,
                    codes(item["items"].as_array().map(Vec::as_slice).unwrap_or_default()),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("A.md".to_string(), vec!["broken-link".to_string()]),
                ("B.md".to_string(), vec![])
            ]
        );
        assert_eq!(items[0]["items"][0]["range"], range((1, column), (1, column + 8)));
        server.shutdown_and_exit();
    }
}

/// A page created in the editor (opened, not yet on disk) mends the links to it in the other
/// open documents at once, and closing it unsaved breaks them again.
#[test]
fn a_page_opened_in_the_editor_mends_links_to_it_and_closing_it_unsaved_breaks_them() {
    let wiki = export_wiki("new-page");
    let (mut server, _) = start(&wiki, ClientSetup::default());
    let uri = wiki.uri("Page/A.md");
    open(&mut server, &uri, "[新](../Page/新頁.md \"wikilink\") [[新頁]]\n");
    assert_eq!(
        codes(&wait_diagnostics(&mut server, &uri, 1)),
        ["broken-link", "broken-link"]
    );

    let new_page = wiki.uri("Page/新頁.md");
    open(&mut server, &new_page, "# 新頁\n");
    wait_diagnostics(&mut server, &new_page, 1);
    assert_eq!(codes(&wait_diagnostics(&mut server, &uri, 1)), Vec::<String>::new());

    server.close(&new_page);
    assert_eq!(
        codes(&wait_diagnostics(&mut server, &uri, 1)),
        ["broken-link", "broken-link"]
    );
    server.take_notifications();
    server.shutdown_and_exit();
}
