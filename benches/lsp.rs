//! Editor latency benchmark: the real `wikils lsp --stdio` binary on a generated export wiki,
//! driven by a small client over stdio as an editor would drive it.
//!
//! ```sh
//! cargo bench --bench lsp -- --pages 100000          # generates target/bench-wiki/md-100000 once
//! cargo bench --bench lsp -- --dir /path/to/wiki      # any existing export wiki with _truth.json
//! ```
//!
//! Reports the time from spawn to the end of indexing (`$/progress` end) and the server's peak
//! RSS, p50/p99/max latencies of definition, completion, workspace/symbol and edit→diagnostics (pulled: the
//! computation; pushed: including the server's debounce), and the warm read floor of the same
//! tree, measured in the same run, as the baseline for indexing. Sessions 1 and 2 start cold
//! (each with an empty index cache folder); session 3 starts warm, from session 1's cache.

#![allow(clippy::print_stdout)] // A benchmark reports on stdout.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wikils::config::Config;

/// Longest wait for indexing a root: a 2-core machine shared with other builds took 6 minutes
/// for 1M pages.
const READY_TIMEOUT: Duration = Duration::from_secs(1800);
/// Longest wait for any one response or notification once the server is ready.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for the server to exit after `exit`, before it is killed.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pages opened for definition requests.
const OPENED_PAGES: usize = 50;
/// `workspace/symbol` queries measured.
const WORKSPACE_SYMBOL_QUERIES: usize = 200;

mod common;

use common::{generated_wiki, read_floor};

use wikils::testing::XorShift;
use wikils::text::utf16_len;

struct Options {
    pages: u32,
    dir: Option<PathBuf>,
    definitions: usize,
    references: usize,
    completions: usize,
    edits: usize,
    rounds: u32,
}

fn options() -> Options {
    let mut options = Options {
        pages: 100_000,
        dir: None,
        definitions: 2_000,
        references: 300,
        completions: 1_000,
        edits: 100,
        rounds: 3,
    };
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        let mut number = |default: usize| arguments.next().and_then(|value| value.parse().ok()).unwrap_or(default);
        match argument.as_str() {
            "--pages" => options.pages = number(options.pages as usize) as u32,
            "--definitions" => options.definitions = number(options.definitions),
            "--references" => options.references = number(options.references),
            "--completions" => options.completions = number(options.completions),
            "--edits" => options.edits = number(options.edits),
            "--rounds" => options.rounds = number(options.rounds as usize).max(1) as u32,
            "--dir" => options.dir = arguments.next().map(PathBuf::from),
            _ => {} // `cargo bench` passes `--bench`.
        }
    }
    options
}

/// A message from the server, with the instant its frame was read.
struct Arrival {
    at: Instant,
    message: Value,
}

/// A client session with one `wikils lsp --stdio` child. The child is killed when this is dropped,
/// whatever happened.
struct Session {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Arrival>,
    responses: HashMap<i64, Arrival>,
    notifications: VecDeque<Arrival>,
    next_id: i64,
    spawned: Instant,
    stderr_tail: std::sync::Arc<std::sync::Mutex<VecDeque<String>>>,
}

impl Session {
    /// Starts the server with its index cache in `cache_folder`.
    fn spawn(cache_folder: &Path) -> Session {
        let spawned = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_wikils"))
            .args(["lsp", "--stdio"])
            .env("WIKILS_CACHE_DIR", cache_folder)
            .env_remove("WIKILS_CACHE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("failed to start the wikils binary");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (sender, incoming) = mpsc::channel();
        thread::spawn(move || read_frames(BufReader::new(stdout), sender));
        let stderr_tail = std::sync::Arc::new(std::sync::Mutex::new(VecDeque::new()));
        let sink = std::sync::Arc::clone(&stderr_tail);
        thread::spawn(move || {
            // Drained so the server never blocks on a full pipe; the last lines explain a failure.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut tail = sink.lock().unwrap_or_else(|e| e.into_inner());
                if tail.len() == 20 {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        Session {
            child,
            stdin,
            incoming,
            responses: HashMap::new(),
            notifications: VecDeque::new(),
            next_id: 1,
            spawned,
            stderr_tail,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (bounded) for a line of the server's log containing `needle`; returns it.
    fn wait_for_log_line(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.stderr().lines().find(|line| line.contains(needle)) {
                return line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no `{needle}` in the server's log:\n{}",
                self.stderr()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr(&self) -> String {
        let tail = self.stderr_tail.lock().unwrap_or_else(|e| e.into_inner());
        tail.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serialisable message");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        self.stdin
            .write_all(&frame)
            .and_then(|()| self.stdin.flush())
            .expect("writing to the server failed");
    }

    fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({ "jsonrpc": "2.0", "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
    }

    fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
        id
    }

    /// Sends a request and waits (bounded) for its result; returns it with its arrival instant.
    fn request(&mut self, method: &str, params: Value) -> (Value, Instant) {
        let id = self.send_request(method, params);
        self.wait_response(id, method)
    }

    fn wait_response(&mut self, id: i64, method: &str) -> (Value, Instant) {
        let deadline = Instant::now() + REQUEST_TIMEOUT;
        loop {
            if let Some(arrival) = self.responses.remove(&id) {
                if let Some(error) = arrival.message.get("error") {
                    panic!("`{method}` failed: {error}");
                }
                return (
                    arrival.message.get("result").cloned().unwrap_or(Value::Null),
                    arrival.at,
                );
            }
            self.receive_one(deadline, &format!("the response to `{method}`"));
        }
    }

    /// Waits (bounded) for a notification with this method whose params match; notifications
    /// that do not match are dropped, so nothing piles up during a long run.
    fn wait_notification(
        &mut self,
        method: &str,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> (Value, Instant) {
        let deadline = Instant::now() + timeout;
        loop {
            while let Some(arrival) = self.notifications.pop_front() {
                if arrival.message["method"] == method && matches(&arrival.message["params"]) {
                    return (arrival.message["params"].clone(), arrival.at);
                }
            }
            self.receive_one(deadline, &format!("a matching `{method}` notification"));
        }
    }

    fn receive_one(&mut self, deadline: Instant, waiting_for: &str) {
        let arrival = match self
            .incoming
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(arrival) => arrival,
            Err(RecvTimeoutError::Timeout) => {
                panic!("timed out waiting for {waiting_for}; server stderr:\n{}", self.stderr())
            }
            Err(RecvTimeoutError::Disconnected) => panic!(
                "the server closed its stdout while the bench waited for {waiting_for}; stderr:\n{}",
                self.stderr()
            ),
        };
        let method = arrival.message.get("method").cloned();
        let id = arrival.message.get("id").cloned();
        match (method, id) {
            // A server-to-client request (progress token, registration, refresh): accepted.
            (Some(_), Some(id)) => self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null })),
            (Some(_), None) => self.notifications.push_back(arrival),
            (None, Some(id)) => {
                let id = id.as_i64().expect("responses to the bench have numeric ids");
                self.responses.insert(id, arrival);
            }
            (None, None) => panic!("a response without an id: {}", arrival.message),
        }
    }

    /// `initialize` + `initialized`, then waits for the end of indexing; returns spawn→ready.
    fn initialize(&mut self, root: &Path, text_document: Value) -> Duration {
        let root_uri = file_uri(root);
        let params = json!({
            "processId": std::process::id(),
            "rootUri": root_uri,
            "capabilities": {
                "window": { "workDoneProgress": true },
                "textDocument": text_document,
            },
        });
        let id = self.send_request("initialize", params);
        let deadline = Instant::now() + READY_TIMEOUT;
        while !self.responses.contains_key(&id) {
            self.receive_one(deadline, "the response to `initialize`");
        }
        self.responses.remove(&id);
        self.notify("initialized", json!({}));
        let remaining = deadline.saturating_duration_since(Instant::now());
        let (_, ended) = self.wait_notification("$/progress", remaining, |params| params["value"]["kind"] == "end");
        ended - self.spawned
    }

    fn open(&mut self, uri: &str, text: &str) {
        let document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
    }

    /// An incremental `didChange` replacing `range` ((line, UTF-16 column) pairs) with `text`.
    /// Edit `edit` of a series: even ones type `x` at the end of the first line (`first_line`
    /// UTF-16 units long), odd ones delete it again.
    fn type_or_delete(&mut self, uri: &str, version: i32, edit: usize, first_line: usize) {
        if edit % 2 == 0 {
            self.change(uri, version, (0, first_line), (0, first_line), "x");
        } else {
            self.change(uri, version, (0, first_line), (0, first_line + 1), "");
        }
    }

    fn change(&mut self, uri: &str, version: i32, start: (usize, usize), end: (usize, usize), text: &str) {
        let change = json!({
            "range": {
                "start": { "line": start.0, "character": start.1 },
                "end": { "line": end.0, "character": end.1 },
            },
            "text": text,
        });
        let params = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] });
        self.notify("textDocument/didChange", params);
    }

    /// The server's peak resident set (VmHWM), in MB.
    fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kilobytes| kilobytes / 1024.0)
    }

    /// `shutdown` and `exit`, bounded; the child is killed by `Drop` whatever happens here.
    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + EXIT_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        eprintln!("the server did not exit within {EXIT_TIMEOUT:?} of `exit`; killing it");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `Content-Length` frames until the server closes its stdout, stamping each on arrival.
fn read_frames(mut stdout: BufReader<impl Read>, sender: mpsc::Sender<Arrival>) {
    loop {
        let mut content_length = None;
        loop {
            let mut line = String::new();
            match stdout.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length:") {
                content_length = value.trim().parse::<usize>().ok();
            }
        }
        let content_length = content_length.expect("the server sent a frame without Content-Length");
        let mut body = vec![0; content_length];
        if stdout.read_exact(&mut body).is_err() {
            return;
        }
        let at = Instant::now();
        let message = serde_json::from_slice(&body).expect("the server sent invalid JSON");
        if sender.send(Arrival { at, message }).is_err() {
            return;
        }
    }
}

fn file_uri(path: &Path) -> String {
    let absolute = path.canonicalize().expect("an existing path");
    tower_lsp::lsp_types::Url::from_file_path(absolute)
        .expect("an absolute path")
        .to_string()
}

/// A cursor inside a link of a page: (line, UTF-16 column).
fn link_positions(text: &str) -> Vec<(usize, usize)> {
    let mut positions = Vec::new();
    for (line_number, line) in text.lines().enumerate() {
        for (byte, _) in line.match_indices("](../") {
            // Inside the destination, just after `](`.
            positions.push((line_number, utf16_len(&line[..byte + 3])));
        }
    }
    positions
}

/// An open page: its URI, its text and the link positions in it.
struct OpenPage {
    uri: String,
    text: String,
    links: Vec<(usize, usize)>,
}

struct Latencies {
    name: &'static str,
    samples: Vec<Duration>,
}

impl Latencies {
    fn new(name: &'static str) -> Latencies {
        Latencies {
            name,
            samples: Vec::new(),
        }
    }

    fn percentile(&self, fraction: f64) -> Duration {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
        sorted.get(index).copied().unwrap_or_default()
    }

    fn row(&self, note: &str) {
        let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
        println!(
            "| {:<36} | {:>6} | {:>8.2} | {:>8.2} | {:>8.2} | {note}",
            self.name,
            self.samples.len(),
            ms(self.percentile(0.5)),
            ms(self.percentile(0.99)),
            ms(self.samples.iter().max().copied().unwrap_or_default()),
        );
    }
}

/// Every `step`-th page of `Page/`, sorted by name, skipping the probe file: a stable sample.
fn sample_pages(root: &Path, count: usize, probe: &str) -> Vec<(String, PathBuf)> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("Page"))
        .expect("the wiki has a Page folder")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md"))
        .collect();
    names.sort();
    let step = (names.len() / count.max(1)).max(1);
    names
        .iter()
        .step_by(step)
        .map(|name| format!("Page/{name}"))
        .filter(|relative| relative != probe)
        .take(count)
        .map(|relative| {
            let path = root.join(&relative);
            (relative, path)
        })
        .collect()
}

/// The `probe_file` named by gen_wiki's `_truth.json`, read from the start of the file: at 1M
/// pages the file is ~1 GB (every planted link), far too much to parse whole for one field.
fn probe_file(truth: &Path) -> String {
    const KEY: &str = "\"probe_file\"";
    let mut file = std::fs::File::open(truth).expect("the wiki has a _truth.json (gen_wiki.py)");
    let mut head = Vec::new();
    let mut chunk = vec![0; 1 << 20];
    loop {
        let read = file.read(&mut chunk).expect("reading _truth.json");
        head.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&head);
        if let Some(at) = text.find(KEY) {
            let value = text[at + KEY.len()..].trim_start().trim_start_matches(':');
            // The value is a JSON string; parse just that token.
            let mut values = serde_json::Deserializer::from_str(value).into_iter::<String>();
            if let Some(Ok(probe)) = values.next() {
                return probe;
            }
        }
        assert!(read > 0, "_truth.json names no probe_file");
    }
}

fn main() {
    let options = options();
    let root = options.dir.clone().unwrap_or_else(|| generated_wiki(options.pages));
    let root = root.canonicalize().expect("the wiki root exists");
    let probe = probe_file(&root.join("_truth.json"));
    let config = Config::load(&root).expect("wikils.toml");

    // Baseline, same run: the warm read floor, fastest of several rounds.
    read_floor(&root, &config); // warm the page cache
    let mut floor = read_floor(&root, &config);
    for _ in 1..options.rounds {
        let next = read_floor(&root, &config);
        if next.0 < floor.0 {
            floor = next;
        }
    }
    let (floor_time, bytes, files) = floor;

    let pages = sample_pages(&root, OPENED_PAGES, &probe);
    let titles: Vec<String> = pages
        .iter()
        .filter_map(|(relative, _)| relative.strip_prefix("Page/")?.strip_suffix(".md").map(str::to_string))
        .collect();
    let mut random = XorShift(1);

    // Session 1, a client that pulls diagnostics: ready, definition, completion, pull. It starts
    // without an index cache, and writes one (waited for before the latencies are measured).
    let cache_folder = tempfile::tempdir().expect("a folder for the index cache");
    let mut session = Session::spawn(cache_folder.path());
    let pull_client = json!({
        "definition": { "linkSupport": true },
        "completion": {},
        "diagnostic": {},
    });
    let ready_pull = session.initialize(&root, pull_client);
    let cache_written = session.wait_for_log_line("wikils: wrote the index cache", Duration::from_secs(600));

    let mut opened: Vec<OpenPage> = Vec::new();
    for (_, path) in &pages {
        let text = std::fs::read_to_string(path).expect("reading a sample page");
        let uri = file_uri(path);
        session.open(&uri, &text);
        let links = link_positions(&text);
        if !links.is_empty() {
            opened.push(OpenPage { uri, text, links });
        }
    }
    assert!(!opened.is_empty(), "no links in the sample pages");

    let mut definition = Latencies::new("definition");
    let mut found = 0;
    for _ in 0..options.definitions {
        let page = &opened[random.below(opened.len())];
        let (line, character) = page.links[random.below(page.links.len())];
        let uri = &page.uri;
        let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        let sent = Instant::now();
        let (result, at) = session.request("textDocument/definition", params);
        definition.samples.push(at - sent);
        found += usize::from(!result.is_null());
    }

    // References from the same link positions: every link to the page across the wiki,
    // confirmed by the resolver; compared with definition's latency in this run.
    let mut references = Latencies::new("references");
    let mut locations = 0;
    for _ in 0..options.references {
        let page = &opened[random.below(opened.len())];
        let (line, character) = page.links[random.below(page.links.len())];
        let params = json!({
            "textDocument": { "uri": &page.uri },
            "position": { "line": line, "character": character },
            "context": { "includeDeclaration": false },
        });
        let sent = Instant::now();
        let (result, at) = session.request("textDocument/references", params);
        references.samples.push(at - sent);
        locations += result.as_array().map_or(0, Vec::len);
    }

    // Completion: a line appended to an open page is rewritten as if typed, then completed.
    let mut completion = Latencies::new("completion (didChange + completion)");
    let mut items = 0;
    let completion_uri = opened[0].uri.clone();
    let completion_text = opened[0].text.clone();
    let typing_line = completion_text.lines().count();
    let mut typed = String::new();
    let mut version = 1;
    if !completion_text.ends_with('\n') {
        version += 1;
        let last_line = completion_text.lines().last().unwrap_or_default();
        let end = (typing_line - 1, utf16_len(last_line));
        session.change(&completion_uri, version, end, end, "\n");
    }
    for round in 0..options.completions {
        let title = &titles[random.below(titles.len())];
        let prefix: String = title.chars().take(random.below(4)).collect();
        let line = if round % 4 == 3 {
            format!("見[x](../Page/{prefix}")
        } else {
            format!("見[[{prefix}")
        };
        version += 1;
        let sent = Instant::now();
        session.change(
            &completion_uri,
            version,
            (typing_line, 0),
            (typing_line, utf16_len(&typed)),
            &line,
        );
        let params = json!({
            "textDocument": { "uri": completion_uri },
            "position": { "line": typing_line, "character": utf16_len(&line) },
        });
        let (result, at) = session.request("textDocument/completion", params);
        completion.samples.push(at - sent);
        items += result["items"].as_array().map_or(0, Vec::len);
        typed = line;
    }

    // Workspace symbols: parts of sample titles (1–4 characters from a random start, every
    // other one folded to Simplified), answered from the completion's title table.
    let mut symbols = Latencies::new("workspace/symbol");
    let mut symbols_found = 0;
    for round in 0..WORKSPACE_SYMBOL_QUERIES {
        let title: Vec<char> = titles[random.below(titles.len())].chars().collect();
        let start = random.below(title.len().max(1));
        let part: String = title.iter().skip(start).take(1 + random.below(4)).collect();
        let query = if round % 2 == 0 {
            wikils::title::fold_variants(&part).into_owned()
        } else {
            part
        };
        let sent = Instant::now();
        let (result, at) = session.request("workspace/symbol", json!({ "query": query }));
        symbols.samples.push(at - sent);
        symbols_found += result.as_array().map_or(0, Vec::len);
    }

    // Edit→diagnostics, pulled: the computation itself.
    let probe_path = root.join(&probe);
    let probe_text = std::fs::read_to_string(&probe_path).expect("reading the probe file");
    let probe_uri = file_uri(&probe_path);
    let first_line = utf16_len(probe_text.lines().next().unwrap_or_default());
    session.open(&probe_uri, &probe_text);
    let mut pull = Latencies::new("edit→diagnostics, pull");
    let mut pulled_items = 0;
    for edit in 0..options.edits {
        let version = 2 + edit as i32;
        let sent = Instant::now();
        session.type_or_delete(&probe_uri, version, edit, first_line);
        let params = json!({ "textDocument": { "uri": probe_uri } });
        let (report, at) = session.request("textDocument/diagnostic", params);
        pull.samples.push(at - sent);
        pulled_items = report["items"].as_array().map_or(0, Vec::len);
    }
    let peak_pull = session.peak_rss_mb();
    session.shutdown();

    // Session 3, a warm start: the same tree with session 1's cache.
    let mut session = Session::spawn(cache_folder.path());
    let ready_warm = session.initialize(&root, json!({}));
    let cache_used = session.wait_for_log_line("from the index cache", REQUEST_TIMEOUT);
    let peak_warm = session.peak_rss_mb();
    session.shutdown();

    // Session 2, a client that takes pushed diagnostics: the same edits, waited for by version.
    // Its cache folder is empty: a cold start, like session 1.
    let empty_cache_folder = tempfile::tempdir().expect("a folder for the index cache");
    let mut session = Session::spawn(empty_cache_folder.path());
    let push_client = json!({ "publishDiagnostics": { "versionSupport": true } });
    let ready_push = session.initialize(&root, push_client);
    session.open(&probe_uri, &probe_text);
    let opened_version = |params: &Value| params["version"] == 1;
    session.wait_notification("textDocument/publishDiagnostics", REQUEST_TIMEOUT, opened_version);
    let mut push = Latencies::new("edit→diagnostics, push");
    let mut pushed_items = 0;
    for edit in 0..options.edits {
        let version = 2 + edit as i32;
        let sent = Instant::now();
        session.type_or_delete(&probe_uri, version, edit, first_line);
        let (params, at) = session.wait_notification("textDocument/publishDiagnostics", REQUEST_TIMEOUT, |params| {
            params["uri"] == probe_uri.as_str() && params["version"] == version
        });
        push.samples.push(at - sent);
        pushed_items = params["diagnostics"].as_array().map_or(0, Vec::len);
    }
    let peak_push = session.peak_rss_mb();
    session.shutdown();

    let seconds = |duration: Duration| duration.as_secs_f64();
    println!(
        "wiki: {} ({files} files, {:.1} MB); probe {probe}; threads (bench) {}",
        root.display(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!("| startup                              |   wall s | vs read floor | peak RSS |");
    println!("|---|---|---|---|");
    println!(
        "| read floor (walk + read, warm)       | {:>8.3} |            1× |          |",
        seconds(floor_time)
    );
    for (name, ready, peak) in [
        ("ready, session 1 (pull client)", ready_pull, peak_pull),
        ("ready, session 2 (push client)", ready_push, peak_push),
        ("ready from the cache, session 3", ready_warm, peak_warm),
    ] {
        println!(
            "| {name:<36} | {:>8.3} | {:>12.2}× | {peak:>5.0} MiB |",
            seconds(ready),
            seconds(ready) / seconds(floor_time)
        );
    }
    println!();
    println!("session 1: {}", cache_written.trim_start_matches("wikils: "));
    println!("session 3: {}", cache_used.trim_start_matches("wikils: "));
    println!();
    println!("| latency                              |      n |   p50 ms |   p99 ms |   max ms | notes");
    println!("|---|---|---|---|---|---|");
    definition.row(&format!(
        "{found} of {} answered with a target (null: a missing page), {} open pages",
        options.definitions,
        pages.len() + 1
    ));
    references.row(&format!(
        "{:.1} locations on average; p50 is {:.1}× definition's",
        locations as f64 / options.references.max(1) as f64,
        references.percentile(0.5).as_secs_f64() / definition.percentile(0.5).as_secs_f64().max(1e-9)
    ));
    completion.row(&format!(
        "[[ + 0–3 chars, every 4th ](../Page/; {:.1} items on average",
        items as f64 / options.completions.max(1) as f64
    ));
    symbols.row(&format!(
        "title parts, half folded to Simplified; {:.1} symbols on average (at most 200)",
        symbols_found as f64 / WORKSPACE_SYMBOL_QUERIES as f64
    ));
    pull.row(&format!("didChange → diagnostic response; {pulled_items} findings"));
    push.row(&format!(
        "didChange → publishDiagnostics, includes the server's 10 ms debounce; {pushed_items} findings"
    ));
}
