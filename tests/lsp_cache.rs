//! End-to-end: a second session on the same wiki starts from the index cache the first one
//! wrote, and answers exactly as the first did; a file changed in between is read again.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use support::{Server, TempWiki};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Files written by a test are a moment old, and the cache trusts no file changed within two
/// seconds of being read: they are dated an hour back, as a wiki on disk would be (`touch -h`
/// also dates symlinks themselves, which the standard library cannot).
fn age_files(wiki: &TempWiki, paths: &[&str]) {
    for path in paths {
        let status = std::process::Command::new("touch")
            .args(["-h", "-d", "1 hour ago"])
            .arg(wiki.root.join(path))
            .status()
            .expect("touch");
        assert!(status.success(), "touch {path}");
    }
}

/// Starts a session on the wiki, waits for the cache log line matching `cache_line`, then for
/// indexing to end; returns the server and the log line.
fn start(wiki: &TempWiki, cache_line: &str, environment: &[(&str, &str)]) -> (Server, String) {
    let mut server = Server::start_with_environment(environment);
    server.initialize_with(json!({
        "processId": null,
        "rootUri": wiki.root_uri(),
        "capabilities": {
            "window": { "workDoneProgress": true },
            "textDocument": { "publishDiagnostics": { "versionSupport": true } },
        },
    }));
    server.answer_server_request("window/workDoneProgress/create", Value::Null);
    loop {
        let progress = server.wait_notification("$/progress", TIMEOUT);
        if progress["params"]["value"]["kind"] == "end" {
            break;
        }
    }
    let message = wait_for_log_line(&server, cache_line);
    (server, message)
}

/// The server logs what the cache did to stderr (the editor's server log); waits (bounded) for
/// a line containing `needle`.
fn wait_for_log_line(server: &Server, needle: &str) -> String {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        if let Some(line) = server.stderr().lines().find(|line| line.contains(needle)) {
            return line.to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no `{needle}` in stderr:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn diagnostics_of(server: &mut Server, wiki: &TempWiki, path: &str) -> Vec<Value> {
    let uri = wiki.uri(path);
    let text = std::fs::read_to_string(wiki.root.join(path)).expect("read");
    let text_document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": text_document }));
    let notification = server.wait_notification_matching("textDocument/publishDiagnostics", TIMEOUT, |params| {
        params["uri"] == uri.as_str() && params["version"] == 1
    });
    notification["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn summary(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            format!(
                "{} {}:{} {}",
                diagnostic["code"].as_str().unwrap_or_default(),
                diagnostic["range"]["start"]["line"],
                diagnostic["range"]["start"]["character"],
                diagnostic["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// Every file under `folder`, relative to it, sorted.
fn files_under(folder: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("read_dir").map_while(Result::ok) {
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(folder).expect("under the folder");
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn a_second_session_starts_from_the_cache_with_the_same_diagnostics() {
    let cache_home = tempfile::tempdir().expect("temp dir");
    let cache_home_path = cache_home.path().to_string_lossy().into_owned();
    // The default location: `$XDG_CACHE_HOME/wikils/<hash>-<root name>/`, nothing in the root.
    let environment = [("WIKILS_CACHE_DIR", ""), ("XDG_CACHE_HOME", cache_home_path.as_str())];
    let files = [
        (
            "Page/甲.md",
            "# 甲\n\n𠀀 [乙](../Page/乙.md#歷史 \"wikilink\") [無](../Page/無.md \"wikilink\") [乙](../Page/乙.md#沒有 \"wikilink\")\n",
        ),
        ("Page/乙.md", "## 歷史\n[甲](../Page/甲.md#不存在 \"wikilink\")\n"),
        ("Page/內地.md", "[[甲]]\n"),
    ];
    let wiki = TempWiki::new("cache", &files, &[("Redirect/別名.md", "../Page/甲.md")]);
    age_files(&wiki, &["Page/甲.md", "Page/乙.md", "Page/內地.md", "Redirect/別名.md"]);

    let files_before = files_under(&wiki.root);
    let (mut first, line) = start(&wiki, "index cache of", &environment);
    assert!(line.ends_with("not used (no cache yet); reading every file"), "{line}");
    let written = wait_for_log_line(&first, "wikils: wrote the index cache");
    assert!(written.contains("(4 documents"), "{written}");
    let first_diagnostics = summary(&diagnostics_of(&mut first, &wiki, "Page/甲.md"));
    assert_eq!(
        first_diagnostics,
        [
            "broken-link 2:35 broken link: no page `無` (looked for Page/無.md, Redirect/無.md and Traditional/Simplified variants)",
            "broken-anchor 2:64 broken anchor: `Page/乙.md` has no heading `沒有`",
        ]
    );
    first.shutdown_and_exit();
    assert_eq!(files_under(&wiki.root), files_before, "the workspace is left as it was");
    let root_folder = wikils::cache::root_folder_name(&wiki.root);
    assert!(root_folder.contains("-wikils-cache-"), "{root_folder}");
    assert_eq!(
        files_under(cache_home.path()),
        [format!(
            "wikils/{root_folder}/index-v{}.bin",
            wikils::cache::format::FORMAT_VERSION
        )]
    );

    let (mut second, line) = start(&wiki, "from the index cache", &environment);
    assert!(
        line.ends_with(": 4 files unchanged, 0 changed, 0 new, 0 gone"),
        "{line}"
    );
    assert_eq!(
        summary(&diagnostics_of(&mut second, &wiki, "Page/甲.md")),
        first_diagnostics
    );
    second.shutdown_and_exit();

    // A changed page is read again: its new heading is the one `乙` links to.
    wiki.write("Page/甲.md", "# 甲\n\n## 不存在\n");
    let (mut third, line) = start(&wiki, "from the index cache", &environment);
    assert!(
        line.ends_with(": 3 files unchanged, 1 changed, 0 new, 0 gone"),
        "{line}"
    );
    assert_eq!(
        summary(&diagnostics_of(&mut third, &wiki, "Page/乙.md")),
        Vec::<String>::new()
    );
    third.shutdown_and_exit();
}

#[test]
fn a_wikils_folder_in_the_root_opts_in_and_wikils_cache_off_disables() {
    let files = [("Page/甲.md", "# 甲\n[[乙]]\n"), ("Page/乙.md", "[[甲]]\n")];
    let wiki = TempWiki::new("cache-opt-in", &files, &[]);
    age_files(&wiki, &["Page/甲.md", "Page/乙.md"]);
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache_dir_path = cache_dir.path().to_string_lossy().into_owned();

    // Switched off: nothing is read or written anywhere.
    let off = [("WIKILS_CACHE_DIR", cache_dir_path.as_str()), ("WIKILS_CACHE", "off")];
    let (server, line) = start(&wiki, "index cache of", &off);
    assert!(line.ends_with("not used (switched off); reading every file"), "{line}");
    server.shutdown_and_exit();
    assert_eq!(files_under(cache_dir.path()), Vec::<String>::new());

    // A `.wikils/` folder the user made holds the cache, with a `.gitignore`.
    std::fs::create_dir(wiki.root.join(".wikils")).expect("mkdir");
    let environment = [("WIKILS_CACHE_DIR", cache_dir_path.as_str())];
    let (first, _) = start(&wiki, "index cache of", &environment);
    wait_for_log_line(&first, "wikils: wrote the index cache");
    first.shutdown_and_exit();
    assert_eq!(
        files_under(&wiki.root.join(".wikils")),
        [
            ".gitignore".to_string(),
            format!("index-v{}.bin", wikils::cache::format::FORMAT_VERSION)
        ]
    );
    assert_eq!(files_under(cache_dir.path()), Vec::<String>::new());
    let (second, line) = start(&wiki, "from the index cache", &environment);
    assert!(line.contains("/.wikils/index-v"), "{line}");
    assert!(
        line.ends_with(": 2 files unchanged, 0 changed, 0 new, 0 gone"),
        "{line}"
    );
    second.shutdown_and_exit();
}
