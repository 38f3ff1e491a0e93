//! Security: the server and `check` read only inside the workspace root (links and symlinks
//! pointing outside are reported, never followed for indexing), `check` never writes, and the
//! server writes nothing either, whatever the session.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use support::{Server, TempWiki};

/// What an outside file would add if it were read: a title and a link nobody else has.
const OUTSIDE_MARKER: &str = "外部秘密目标";

/// A wiki whose pages point outside the root in every way, and the outside folder they point at.
fn wiki_pointing_outside() -> (TempWiki, TempWiki) {
    let outside = TempWiki::new(
        "security-outside",
        &[
            ("秘密.md", &format!("[[{OUTSIDE_MARKER}]]\n")),
            ("Page/秘密.md", &format!("[[{OUTSIDE_MARKER}]]\n")),
        ],
        &[],
    );
    let outside_file = outside.root.join("秘密.md");
    let outside_path = outside_file.to_str().expect("a UTF-8 path");
    let outside_name = outside
        .root
        .file_name()
        .and_then(|name| name.to_str())
        .expect("a UTF-8 name");
    let relative_outside = format!("../../{outside_name}/秘密.md");
    let wiki = TempWiki::new(
        "security",
        &[
            (
                "Page/甲.md",
                "[外](../../秘密.md \"wikilink\") [绝对](/etc/秘密.md) [[乙]]\n",
            ),
            ("Page/乙.md", "乙\n"),
        ],
        &[
            ("Redirect/外.md", outside_path),
            ("Redirect/外相对.md", &relative_outside),
            ("Page/外链.md", outside_path),
            ("Page/外部目录", outside.root.to_str().expect("a UTF-8 path")),
        ],
    );
    (wiki, outside)
}

/// Every entry under a folder (not following symlinks): kind, size, mode and modification time.
fn tree_snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut entries = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("listing a folder") {
            let path = entry.expect("a folder entry").path();
            let metadata = std::fs::symlink_metadata(&path).expect("metadata");
            use std::os::unix::fs::MetadataExt;
            let description = format!(
                "{:?} {} {:o} {}.{}",
                metadata.file_type(),
                metadata.len(),
                metadata.mode(),
                metadata.mtime(),
                metadata.mtime_nsec()
            );
            entries.insert(path.to_string_lossy().into_owned(), description);
            if metadata.is_dir() {
                folders.push(path);
            }
        }
    }
    entries
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn set_mode_recursively(root: &Path, writable: bool) {
    let mode = if writable { "u+w" } else { "a-w" };
    let status = Command::new("chmod")
        .args(["-R", mode])
        .arg(root)
        .status()
        .expect("chmod runs");
    assert!(status.success());
}

#[test]
fn check_reports_links_leaving_the_root_never_reads_there_and_writes_nothing() {
    let (wiki, outside) = wiki_pointing_outside();
    // A copy of the binary outside the wiki, so an unprivileged user can run it.
    let tools = TempWiki::new("security-tools", &[], &[]);
    let binary = tools.root.join("wikils");
    std::fs::copy(env!("CARGO_BIN_EXE_wikils"), &binary).expect("copying the binary");
    let before = (tree_snapshot(&wiki.root), tree_snapshot(&outside.root));
    set_mode_recursively(&wiki.root, false);
    // As root, read-only modes do not stop writes: run as nobody then, so any write would fail.
    let mut command = if running_as_root() {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary);
        command
    } else {
        Command::new(&binary)
    };
    let output = command
        .args(["check", "--format", "json", "--no-progress"])
        .arg(&wiki.root)
        .current_dir(&wiki.root)
        .output()
        .expect("check runs");
    set_mode_recursively(&wiki.root, true);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)));
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            let path = finding["path"].as_str().unwrap_or_default();
            let path = path.rsplit_once("/Page/").map_or(path, |(_, page)| page);
            let path = path
                .rsplit_once("/Redirect/")
                .map_or(path.to_string(), |(_, page)| format!("Redirect/{page}"));
            format!(
                "{path} {} {}",
                finding["code"].as_str().unwrap_or_default(),
                finding["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    let outside_path = outside.root.join("秘密.md");
    let outside_path = outside_path.to_str().unwrap_or_default();
    let outside_name = outside
        .root
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    assert_eq!(
        lines,
        [
            format!("Redirect/外.md broken-redirect broken redirect: absolute symlink target {outside_path}"),
            format!(
                "Redirect/外相对.md broken-redirect broken redirect: points outside the workspace: \
                 ../../{outside_name}/秘密.md"
            ),
            format!("外链.md broken-redirect broken redirect: absolute symlink target {outside_path}"),
            // An absolute path is read from the root, as on a web server: still inside.
            "甲.md broken-link broken link: no page `etc/秘密.md` (looked for etc/秘密.md and \
             Traditional/Simplified variants)"
                .to_string(),
            "甲.md broken-link broken link: the path leaves the workspace".to_string(),
        ],
        "{report}"
    );
    let everything = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(
        !everything.contains(OUTSIDE_MARKER),
        "read outside the root: {everything}"
    );
    assert_eq!(
        (tree_snapshot(&wiki.root), tree_snapshot(&outside.root)),
        before,
        "check wrote"
    );
}

#[test]
fn the_server_never_reads_outside_the_root_nor_writes_anything() {
    let (wiki, outside) = wiki_pointing_outside();
    let before = (tree_snapshot(&wiki.root), tree_snapshot(&outside.root));
    let mut server = Server::start_with_environment(&[("WIKILS_TEST_REQUESTS", "1")]);
    server.initialize_with(json!({
        "processId": null,
        "rootUri": wiki.root_uri(),
        "capabilities": {
            "textDocument": { "diagnostic": {} },
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
        },
    }));
    server.answer_server_request("client/registerCapability", Value::Null);
    // A session that touches everything: open, edit, save, watched-file events (including
    // files outside the root and behind the symlinked folder), renames, diagnostics.
    let page = wiki.uri("Page/甲.md");
    server.open(&page, "[[乙]]\n");
    server.change(
        &page,
        2,
        json!([{ "text": "[外](../../秘密.md \"wikilink\") [[乙]] [[新]]\n" }]),
    );
    server.notify("textDocument/didSave", json!({ "textDocument": { "uri": page } }));
    let changes = [
        json!({ "uri": wiki.uri("Page/外部目录/秘密.md"), "type": 1 }),
        json!({ "uri": wiki.uri("Page/外链.md"), "type": 2 }),
        json!({ "uri": outside.uri("秘密.md"), "type": 2 }),
        json!({ "uri": wiki.uri("Page/乙.md"), "type": 3 }),
    ];
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": changes }));
    server.notify(
        "workspace/didRenameFiles",
        json!({ "files": [{ "oldUri": wiki.uri("Page/乙.md"), "newUri": wiki.uri("Page/丙.md") }] }),
    );
    let report = server
        .request("workspace/diagnostic", json!({ "previousResultIds": [] }))
        .expect("workspace/diagnostic");
    let id = server.send_request("wikils/indexDump", Value::Null);
    let dump = server.wait_response(id).expect("indexDump");
    server.close(&page);
    let everything = report.to_string() + &dump.to_string() + &server.stderr();
    assert!(
        !everything.contains(OUTSIDE_MARKER),
        "read outside the root: {everything}"
    );
    assert!(report.to_string().contains("the path leaves the workspace"), "{report}");
    assert!(report.to_string().contains("points outside the workspace"), "{report}");
    server.shutdown_and_exit();
    assert_eq!(
        (tree_snapshot(&wiki.root), tree_snapshot(&outside.root)),
        before,
        "the server wrote"
    );
}
