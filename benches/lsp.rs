//! Editor latency benchmark: the real `wikils lsp --stdio` binary on a generated export wiki,
//! driven by a small client over stdio as an editor would drive it.
//!
//! ```sh
//! cargo bench --bench lsp -- --pages 100000          # generates target/bench-wiki/md-100000 once
//! cargo bench --bench lsp -- --dir /path/to/wiki      # any existing export wiki with _truth.json
//! ```
//!
//! Startup, as a user sees it, in every session: right after `initialized` the client opens
//! gen_wiki's probe page, pulls its diagnostics once (the client does not advertise
//! `workspace.diagnostics.refreshSupport`, so the server holds the request until its answer is
//! meaningful) and asks the definitions of a fixed sample of up to 20 of its links (to pages,
//! anchors, redirects, Traditional/Simplified variants, and broken ones, classified by
//! `_truth.json`) in rounds every ~25 ms, until the `$/progress` end of indexing. Then it asks the
//! same again: those answers are the reference. Reported, from spawn: *definitions correct*, the
//! first round from which on every answer equals the reference; *diagnostics answered*, the
//! arrival of the startup pull, and whether it equals the reference (as sets of range, code and
//! message); *fully indexed*, the `$/progress` end; each also as a ratio to the warm read floor
//! of the same tree, measured in the same run. A round that was all right followed by one that is
//! not, or a pulled answer that differs from the reference, is printed loudly: both are server bugs.
//!
//! After startup: the server's peak RSS, p50/p99/max latencies of definition, references,
//! completion, workspace/symbol and edit→diagnostics (pulled: the computation; pushed: including
//! the server's debounce). Sessions 1 and 2 start cold (each with an empty index cache folder);
//! session 3 starts warm, from session 1's cache. `WIKILS_BENCH_BINARY=<path>` runs another
//! `wikils` binary than the one cargo built (a copy of an earlier build, to compare).

#![allow(clippy::print_stdout)] // A benchmark reports on stdout.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wikils::config::Config;

/// Longest wait from spawn to the end of indexing, and for any answer asked during it: a 2-core
/// machine shared with other builds took 6 minutes for 1M pages.
const READY_TIMEOUT: Duration = Duration::from_secs(1800);
/// Longest wait for any one response or notification once the server is ready.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for the server to exit after `exit`, before it is killed.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pages opened for definition requests.
const OPENED_PAGES: usize = 50;
/// `workspace/symbol` queries measured.
const WORKSPACE_SYMBOL_QUERIES: usize = 200;
/// What the server logs when it loaded a root from its index cache.
const CACHE_USED: &str = "from the index cache";
/// Links of the probe page whose definitions are polled during startup.
const SAMPLE_LINKS: usize = 20;
/// Interval between the starts of two polling rounds (a round still waits for the previous one's
/// answers).
const POLL_INTERVAL: Duration = Duration::from_millis(25);

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
    warm_only: bool,
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
        warm_only: false,
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
            "--warm-only" => options.warm_only = true,
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
    /// `session 1 (pull client)`: says which session failed.
    name: &'static str,
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Arrival>,
    responses: HashMap<i64, Arrival>,
    notifications: VecDeque<Arrival>,
    next_id: i64,
    spawned: Instant,
    stderr_tail: std::sync::Arc<std::sync::Mutex<VecDeque<String>>>,
    /// Arrival of the first `$/progress` end: the end of indexing.
    indexing_ended: Option<Instant>,
    /// The server's memory by phase: name, resident at its end and peak during it (MiB).
    phases: Vec<(&'static str, f64, f64)>,
}

impl Session {
    /// Starts the server with its index cache in `cache_folder`.
    fn spawn(name: &'static str, cache_folder: &Path) -> Session {
        let spawned = Instant::now();
        // `WIKILS_BENCH_BINARY` runs another build (a copy of an earlier one, to compare).
        let binary = std::env::var_os("WIKILS_BENCH_BINARY").unwrap_or_else(|| env!("CARGO_BIN_EXE_wikils").into());
        let mut child = Command::new(binary)
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
            name,
            child,
            stdin,
            incoming,
            responses: HashMap::new(),
            notifications: VecDeque::new(),
            next_id: 1,
            spawned,
            stderr_tail,
            indexing_ended: None,
            phases: Vec::new(),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (bounded) for a line of the server's log containing one of `needles`; returns it.
    fn wait_for_log_line(&self, needles: &[&str], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.stderr();
            if let Some(line) = log
                .lines()
                .find(|line| needles.iter().any(|needle| line.contains(needle)))
            {
                return line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "none of {needles:?} in the server's log:\n{log}"
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
        let (answer, at) = self.wait_answer(id, Instant::now() + REQUEST_TIMEOUT, method);
        if let Some(error) = answer.get("error") {
            panic!("`{method}` failed: {error}");
        }
        (answer, at)
    }

    /// Waits until `deadline` for the response to request `id`; returns its result, or
    /// `{"error": …}` for an error response (during startup an error is an answer the user sees,
    /// compared like any other), with its arrival instant.
    fn wait_answer(&mut self, id: i64, deadline: Instant, method: &str) -> (Value, Instant) {
        loop {
            if let Some(arrival) = self.responses.remove(&id) {
                let answer = match arrival.message.get("error") {
                    Some(error) => json!({ "error": error }),
                    None => arrival.message.get("result").cloned().unwrap_or(Value::Null),
                };
                return (answer, arrival.at);
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

    /// `session 1 (pull client), 0.120 s after the spawn, before the end of indexing`.
    fn whereabouts(&self) -> String {
        let indexing = match self.indexing_ended {
            Some(_) => "after",
            None => "before",
        };
        let elapsed = self.spawned.elapsed().as_secs_f64();
        format!(
            "{}, {elapsed:.3} s after the spawn, {indexing} the end of indexing",
            self.name
        )
    }

    fn receive_one(&mut self, deadline: Instant, waiting_for: &str) {
        if !self.receive_before(deadline, waiting_for) {
            panic!(
                "{}: timed out waiting for {waiting_for}; server stderr:\n{}",
                self.whereabouts(),
                self.stderr()
            );
        }
    }

    /// Handles one message from the server if one arrives before `until`; false if none did.
    fn receive_before(&mut self, until: Instant, waiting_for: &str) -> bool {
        let arrival = match self
            .incoming
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            Ok(arrival) => arrival,
            Err(RecvTimeoutError::Timeout) => return false,
            Err(RecvTimeoutError::Disconnected) => panic!(
                "{}: the server closed its stdout while the bench waited for {waiting_for}; stderr:\n{}",
                self.whereabouts(),
                self.stderr()
            ),
        };
        let method = arrival.message.get("method").cloned();
        let id = arrival.message.get("id").cloned();
        match (method, id) {
            // A server-to-client request (progress token, registration, refresh): accepted.
            (Some(_), Some(id)) => self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null })),
            // Progress is not kept (a 1M-page load reports thousands of times); its first end is
            // the end of indexing.
            (Some(method), None) if method == "$/progress" => {
                if arrival.message["params"]["value"]["kind"] == "end" && self.indexing_ended.is_none() {
                    self.indexing_ended = Some(arrival.at);
                }
            }
            (Some(_), None) => self.notifications.push_back(arrival),
            (None, Some(id)) => {
                let id = id.as_i64().expect("responses to the bench have numeric ids");
                self.responses.insert(id, arrival);
            }
            (None, None) => panic!("a response without an id: {}", arrival.message),
        }
        true
    }

    /// `initialize` + `initialized`. The client never advertises
    /// `workspace.diagnostics.refreshSupport`: the server then holds a diagnostics pull until its
    /// answer is meaningful, which is what [`Session::startup`] measures.
    fn initialize(&mut self, root: &Path, text_document: Value) {
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
        let (answer, _) = self.wait_answer(id, self.spawned + READY_TIMEOUT, "initialize");
        assert!(answer.get("error").is_none(), "`initialize` failed: {answer}");
        self.notify("initialized", json!({}));
    }

    /// What a user sees while the server starts, asked right after `initialized`: opens the
    /// probe page, pulls its diagnostics once, and asks the definitions of its sample links in
    /// rounds (all links at once, the next round no earlier than `POLL_INTERVAL` after the
    /// previous one started and never before its answers) until the `$/progress` end of
    /// indexing; then the same questions again, for the reference answers.
    fn startup(&mut self, probe: &Probe) -> Startup {
        let deadline = self.spawned + READY_TIMEOUT;
        self.open(&probe.uri, &probe.text);
        let pull = self.send_request("textDocument/diagnostic", probe.diagnostic_params());
        let mut polling = Polling::new(probe.links.len());
        while self.indexing_ended.is_none() {
            assert!(
                Instant::now() < deadline,
                "indexing did not end within {READY_TIMEOUT:?} of the spawn; stderr:\n{}",
                self.stderr()
            );
            let sent = Instant::now();
            let (answers, answered) = self.definitions(probe, deadline);
            polling.record(answered - self.spawned, answers);
            let next_round = sent + POLL_INTERVAL;
            // Reading on while waiting: the server may be waiting for an answer (its progress token).
            while self.indexing_ended.is_none() && Instant::now() < next_round {
                self.receive_before(next_round, "the end of indexing");
            }
        }
        let fully_indexed = self.indexing_ended.expect("the loop ends at the end of indexing") - self.spawned;
        let (pulled, pulled_at) = self.wait_answer(pull, deadline, "textDocument/diagnostic (sent at startup)");
        let (reference_definitions, reference_answered) = self.definitions(probe, Instant::now() + REQUEST_TIMEOUT);
        for (link, answer) in probe.links.iter().zip(&reference_definitions) {
            assert!(
                answer.get("error").is_none(),
                "definition at {} failed after indexing ended: {answer}",
                link.describe()
            );
        }
        let (reference_diagnostics, _) = self.request("textDocument/diagnostic", probe.diagnostic_params());
        Startup {
            fully_indexed,
            polling,
            reference_definitions,
            reference_answered: reference_answered - self.spawned,
            diagnostics_answered: pulled_at - self.spawned,
            diagnostics: pulled,
            reference_diagnostics,
        }
    }

    /// One round: the definition of every sample link, all sent before any answer is awaited;
    /// returns the answers in link order and the arrival of the last one.
    fn definitions(&mut self, probe: &Probe, deadline: Instant) -> (Vec<Value>, Instant) {
        let ids: Vec<i64> = probe
            .links
            .iter()
            .map(|link| self.send_request("textDocument/definition", link.definition_params(&probe.uri)))
            .collect();
        let mut last = None;
        let answers = ids
            .into_iter()
            .map(|id| {
                let (answer, at) = self.wait_answer(id, deadline, "textDocument/definition");
                last = last.max(Some(at));
                answer
            })
            .collect();
        (answers, last.unwrap_or_else(Instant::now))
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

    /// The server's peak resident set (VmHWM) over the whole session, in MiB.
    fn peak_rss_mb(&self) -> f64 {
        let now = common::status_mb(&self.pid().to_string(), "VmHWM:");
        self.phases.iter().map(|(_, _, peak)| *peak).fold(now, f64::max)
    }

    /// Ends a phase of the session: records the server's resident memory now and its peak since
    /// the previous phase ended, then resets the peak for the next one (when the kernel lets it:
    /// otherwise each phase's peak is the session's peak so far).
    fn end_phase(&mut self, name: &'static str) {
        let process = self.pid().to_string();
        let peak = common::status_mb(&process, "VmHWM:");
        let resident = common::status_mb(&process, "VmRSS:");
        self.phases.push((name, resident, peak));
        common::reset_peak_rss(&process);
    }

    /// One line: each phase's resident memory at its end and peak during it.
    fn describe_phases(&self) -> String {
        self.phases
            .iter()
            .map(|(name, resident, peak)| format!("{name} {resident:.0} / {peak:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
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

/// The probe page, opened first in every session, and the links of it whose definitions are
/// polled during startup.
struct Probe {
    relative: String,
    uri: String,
    text: String,
    links: Vec<SampleLink>,
}

impl Probe {
    fn load(root: &Path, relative: &str) -> Probe {
        let path = root.join(relative);
        let text = std::fs::read_to_string(&path).expect("reading the probe file");
        let planted = planted_links(&root.join("_truth.json"), relative);
        let links = sample_links(&text, &planted);
        assert!(!links.is_empty(), "the probe page {relative} has no links to sample");
        Probe {
            relative: relative.to_string(),
            uri: file_uri(&path),
            text,
            links,
        }
    }

    fn diagnostic_params(&self) -> Value {
        json!({ "textDocument": { "uri": self.uri } })
    }

    /// `20 links: 9 page, 3 page#anchor, …`, kinds in sample order.
    fn describe_links(&self) -> String {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for link in &self.links {
            let label = link.label();
            match counts.iter_mut().find(|(known, _)| *known == label) {
                Some((_, count)) => *count += 1,
                None => counts.push((label, 1)),
            }
        }
        let counts: Vec<String> = counts.iter().map(|(kind, count)| format!("{count} {kind}")).collect();
        format!("{} links: {}", self.links.len(), counts.join(", "))
    }
}

/// A link of the probe page: a cursor inside it, (line, UTF-16 column), and what it links to.
#[derive(Clone, Copy)]
struct SampleLink {
    line: usize,
    character: usize,
    kind: &'static str,
    /// Written as a wiki link, `[[…]]`, rather than a Markdown one.
    wiki: bool,
}

impl SampleLink {
    fn definition_params(&self, uri: &str) -> Value {
        json!({
            "textDocument": { "uri": uri },
            "position": { "line": self.line, "character": self.character },
        })
    }

    /// `page`, or `[[page]]` for a wiki link.
    fn label(&self) -> String {
        match self.wiki {
            true => format!("[[{}]]", self.kind),
            false => self.kind.to_string(),
        }
    }

    fn describe(&self) -> String {
        format!("the {} link at {}:{}", self.label(), self.line, self.character)
    }
}

/// A link gen_wiki planted (broken, or resolvable only by a wiki-aware resolver), as
/// `_truth.json` records it: line, UTF-16 columns of its first character and past its end.
struct PlantedLink {
    line: usize,
    start: usize,
    end: usize,
    kind: &'static str,
}

/// The links gen_wiki planted in one file. `_truth.json` is ~1 GB at 1M pages, so it is streamed;
/// each entry is written as `{"file":"<path>",…}` and is found by that text.
fn planted_links(truth: &Path, file: &str) -> Vec<PlantedLink> {
    const CHUNK_BYTES: usize = 8 << 20;
    // Longer than any entry: a match this far before the end of the buffer is parsed whole.
    const LONGEST_ENTRY_BYTES: usize = 64 << 10;
    let needle = format!(
        "{{\"file\":{},",
        serde_json::to_string(file).expect("a path serialises")
    );
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut reader = std::fs::File::open(truth).expect("the wiki has a _truth.json (gen_wiki.py)");
    let mut buffer = Vec::new();
    let mut planted = Vec::new();
    loop {
        let filled = buffer.len();
        buffer.resize(filled + CHUNK_BYTES, 0);
        let read = reader.read(&mut buffer[filled..]).expect("reading _truth.json");
        buffer.truncate(filled + read);
        let parsed_up_to = match read {
            0 => buffer.len(),
            _ => buffer.len().saturating_sub(LONGEST_ENTRY_BYTES),
        };
        for at in finder.find_iter(&buffer).take_while(|&at| at < parsed_up_to) {
            let entry = serde_json::Deserializer::from_slice(&buffer[at..])
                .into_iter::<Value>()
                .next()
                .and_then(Result::ok)
                .expect("a well-formed entry of the probe file in _truth.json");
            let number = |key: &str| {
                entry[key]
                    .as_u64()
                    .unwrap_or_else(|| panic!("no `{key}` in the _truth.json entry {entry}")) as usize
            };
            let kind = match entry["kind"].as_str() {
                Some("missing_page") => "missing_page",
                Some("missing_anchor") => "missing_anchor",
                Some("redlink") => "redlink",
                Some("variant") => "variant",
                Some("redirect") => "redirect",
                _ => "other planted",
            };
            planted.push(PlantedLink {
                line: number("line"),
                start: number("col"),
                end: number("end_col"),
                kind,
            });
        }
        if read == 0 {
            return planted;
        }
        buffer.drain(..parsed_up_to);
    }
}

/// Up to `SAMPLE_LINKS` links of the probe page, drawn in turn from each kind (to a page, to a
/// heading of a page, to a redirect, to a Traditional/Simplified variant, broken ones) and syntax,
/// so that answers that depend on pages, headings and redirects the server has not loaded yet are
/// all watched, and spread over the page. The cursor is inside a Markdown link's destination, or
/// just after a wiki link's `[[`.
fn sample_links(text: &str, planted: &[PlantedLink]) -> Vec<SampleLink> {
    const KINDS: [&str; 8] = [
        "page",
        "missing_page",
        "page#anchor",
        "redirect",
        "variant",
        "missing_anchor",
        "redlink",
        "other planted",
    ];
    // Bucket 2 × kind for Markdown links, 2 × kind + 1 for wiki links.
    let mut buckets: Vec<Vec<SampleLink>> = vec![Vec::new(); 2 * KINDS.len()];
    for (line_number, line) in text.lines().enumerate() {
        // Destinations end at their title (` "wikilink"`); `\)` may occur inside them.
        let markdown = line.match_indices("](../Page/").map(|(byte, _)| {
            let destination = &line[byte + 2..];
            let end = destination.find(' ').or_else(|| destination.find(')'));
            (byte + 3, &destination[..end.unwrap_or(destination.len())], false)
        });
        let wiki = line.match_indices("[[").map(|(byte, _)| {
            let target = &line[byte + 2..];
            (
                byte + 2,
                &target[..target.find([']', '|']).unwrap_or(target.len())],
                true,
            )
        });
        for (cursor, target, wiki) in markdown.chain(wiki) {
            if target.starts_with("Category:") {
                continue;
            }
            let character = utf16_len(&line[..cursor]);
            let kind = planted
                .iter()
                .find(|link| link.line == line_number && link.start < character && character < link.end)
                .map_or(if target.contains('#') { "page#anchor" } else { "page" }, |link| {
                    link.kind
                });
            let slot = KINDS.iter().position(|known| *known == kind).unwrap_or(KINDS.len() - 1);
            buckets[2 * slot + usize::from(wiki)].push(SampleLink {
                line: line_number,
                character,
                kind,
                wiki,
            });
        }
    }
    // One more from each bucket that has one, in turn; then that many, evenly spaced, from each.
    let mut quotas = vec![0; buckets.len()];
    let mut taken = 0;
    while taken < SAMPLE_LINKS && buckets.iter().zip(&quotas).any(|(bucket, quota)| bucket.len() > *quota) {
        for (bucket, quota) in buckets.iter().zip(&mut quotas) {
            if taken < SAMPLE_LINKS && bucket.len() > *quota {
                *quota += 1;
                taken += 1;
            }
        }
    }
    let mut sample: Vec<SampleLink> = buckets
        .iter()
        .zip(quotas)
        .flat_map(|(bucket, quota)| (0..quota).map(move |taken| bucket[taken * bucket.len() / quota]))
        .collect();
    sample.sort_by_key(|link| (link.line, link.character));
    sample
}

/// The definition answers of the rounds asked during startup. A 1M-page load lasts minutes,
/// thousands of rounds, so each link's distinct answers are kept once and a round holds indices.
struct Polling {
    distinct: Vec<Vec<Value>>,
    rounds: Vec<Round>,
}

/// One polling round, timed from the spawn; `answers[link]` indexes `Polling::distinct[link]`.
struct Round {
    answered: Duration,
    answers: Vec<usize>,
}

impl Polling {
    fn new(links: usize) -> Polling {
        Polling {
            distinct: vec![Vec::new(); links],
            rounds: Vec::new(),
        }
    }

    fn record(&mut self, answered: Duration, answers: Vec<Value>) {
        let answers = answers
            .into_iter()
            .zip(&mut self.distinct)
            .map(
                |(answer, distinct)| match distinct.iter().position(|known| *known == answer) {
                    Some(index) => index,
                    None => {
                        distinct.push(answer);
                        distinct.len() - 1
                    }
                },
            )
            .collect();
        self.rounds.push(Round { answered, answers });
    }
}

/// A session's startup, timed from the spawn.
struct Startup {
    fully_indexed: Duration,
    polling: Polling,
    reference_definitions: Vec<Value>,
    reference_answered: Duration,
    diagnostics_answered: Duration,
    /// The answer to the diagnostics pull sent right after opening the probe page.
    diagnostics: Value,
    /// The answer to the same pull sent after the end of indexing.
    reference_diagnostics: Value,
}

/// How the definitions polled during startup compare with the reference answers.
struct DefinitionsVerdict {
    /// When the first round from which on every answer equals the reference was answered; the
    /// reference round's answer time when no polling round qualifies.
    correct: Duration,
    /// The number of that round, `rounds` for the reference round.
    correct_from: usize,
    rounds: usize,
    /// Answers of the earlier rounds without a target where the reference has one.
    not_yet: usize,
    /// Other answers of the earlier rounds that differ from the reference (another target, a
    /// target where the reference has none, an error), with the first of them.
    wrong: usize,
    first_wrong: Option<String>,
    /// A round whose answers were all right, followed by one that was not: a server bug.
    regression: Option<String>,
}

impl Startup {
    fn definitions_verdict(&self, probe: &Probe) -> DefinitionsVerdict {
        let rounds = &self.polling.rounds;
        let reference: Vec<Option<usize>> = self
            .polling
            .distinct
            .iter()
            .zip(&self.reference_definitions)
            .map(|(distinct, reference)| distinct.iter().position(|answer| answer == reference))
            .collect();
        let is_right = |round: &Round, link: usize| Some(round.answers[link]) == reference[link];
        let all_right = |round: &Round| (0..reference.len()).all(|link| is_right(round, link));
        let correct_from = rounds
            .iter()
            .rposition(|round| !all_right(round))
            .map_or(0, |last| last + 1);
        let mut verdict = DefinitionsVerdict {
            correct: rounds
                .get(correct_from)
                .map_or(self.reference_answered, |round| round.answered),
            correct_from,
            rounds: rounds.len(),
            not_yet: 0,
            wrong: 0,
            first_wrong: None,
            regression: None,
        };
        let difference = |round: &Round, link: usize| {
            let answer = &self.polling.distinct[link][round.answers[link]];
            let expected = &self.reference_definitions[link];
            format!(
                "{} answered {} instead of {}",
                probe.links[link].describe(),
                describe_definitions(answer, expected),
                describe_definitions(expected, answer)
            )
        };
        for round in &rounds[..correct_from] {
            for link in (0..reference.len()).filter(|&link| !is_right(round, link)) {
                let answer = &self.polling.distinct[link][round.answers[link]];
                if answer.is_null() && !self.reference_definitions[link].is_null() {
                    verdict.not_yet += 1;
                } else {
                    verdict.wrong += 1;
                    verdict.first_wrong.get_or_insert_with(|| {
                        format!("{} at {:.3} s", difference(round, link), round.answered.as_secs_f64())
                    });
                }
            }
        }
        if let Some(right) = rounds[..correct_from].iter().position(all_right) {
            let (later, round) = rounds
                .iter()
                .enumerate()
                .skip(right + 1)
                .find(|(_, round)| !all_right(round))
                .expect("a round before the correct ones is not all right");
            let differences: Vec<String> = (0..reference.len())
                .filter(|&link| !is_right(round, link))
                .map(|link| difference(round, link))
                .collect();
            verdict.regression = Some(format!(
                "round {right} (answered {:.3} s) had every definition right, round {later} ({:.3} s) did not: {}",
                rounds[right].answered.as_secs_f64(),
                round.answered.as_secs_f64(),
                differences.join("; ")
            ));
        }
        verdict
    }

    /// `None` when the diagnostics pulled at startup equal the reference, as sets of (range,
    /// code, message); otherwise what differs.
    fn diagnostics_difference(&self) -> Option<String> {
        diagnostics_difference(&self.diagnostics, &self.reference_diagnostics)
    }
}

/// A definition answer in a line: the targets' file names and positions, or `nothing`. The whole
/// answer when `other` would read the same (the two differ in a detail).
fn describe_definitions(answer: &Value, other: &Value) -> String {
    let describe = |answer: &Value| match answer {
        Value::Null => "nothing".to_string(),
        Value::Array(targets) => {
            let targets: Vec<String> = targets
                .iter()
                .map(|target| {
                    let uri = target["targetUri"].as_str().or(target["uri"].as_str()).unwrap_or("?");
                    let name = percent_encoding::percent_decode_str(uri.rsplit('/').next().unwrap_or(uri));
                    let range = target.get("targetSelectionRange").unwrap_or(&target["range"]);
                    let start = &range["start"];
                    format!("{}@{}:{}", name.decode_utf8_lossy(), start["line"], start["character"])
                })
                .collect();
            format!("[{}]", targets.join(", "))
        }
        other => other.to_string(),
    };
    let described = describe(answer);
    match described == describe(other) {
        true => answer.to_string(),
        false => described,
    }
}

/// The findings of a diagnostics report as a user compares them: a set of (range, code, message).
fn diagnostic_set(report: &Value) -> BTreeSet<(String, String, String)> {
    let items = report["items"].as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let (start, end) = (&item["range"]["start"], &item["range"]["end"]);
            let range = format!(
                "{}:{}–{}:{}",
                start["line"], start["character"], end["line"], end["character"]
            );
            let code = item["code"]
                .as_str()
                .map_or_else(|| item["code"].to_string(), str::to_string);
            let message = item["message"].as_str().unwrap_or_default().to_string();
            (range, code, message)
        })
        .collect()
}

/// `None` when `answered` and `reference` hold the same findings; otherwise a summary of the
/// difference with a few examples.
fn diagnostics_difference(answered: &Value, reference: &Value) -> Option<String> {
    if let Some(error) = answered.get("error") {
        return Some(format!("the answer was an error: {error}"));
    }
    let (answered, reference) = (diagnostic_set(answered), diagnostic_set(reference));
    if answered == reference {
        return None;
    }
    let examples = |findings: Vec<&(String, String, String)>| {
        let shown: Vec<String> = findings
            .iter()
            .take(3)
            .map(|(range, code, message)| format!("{range} {code} {message:?}"))
            .collect();
        format!("{} (e.g. {})", findings.len(), shown.join("; "))
    };
    let missing: Vec<_> = reference.difference(&answered).collect();
    let extra: Vec<_> = answered.difference(&reference).collect();
    Some(format!(
        "{} findings against {} in the reference; missing {}; extra {}",
        answered.len(),
        reference.len(),
        if missing.is_empty() {
            "0".to_string()
        } else {
            examples(missing)
        },
        if extra.is_empty() {
            "0".to_string()
        } else {
            examples(extra)
        },
    ))
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
    let probe = Probe::load(&root, &probe_file(&root.join("_truth.json")));
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
    if options.warm_only {
        warm_only(&root, &probe, floor_time, options.rounds);
        return;
    }

    let pages = sample_pages(&root, OPENED_PAGES, &probe.relative);
    let titles: Vec<String> = pages
        .iter()
        .filter_map(|(relative, _)| relative.strip_prefix("Page/")?.strip_suffix(".md").map(str::to_string))
        .collect();
    let mut random = XorShift(1);

    // Session 1, a client that pulls diagnostics: ready, definition, completion, pull. It starts
    // without an index cache, and writes one (waited for before the latencies are measured).
    let cache_folder = tempfile::tempdir().expect("a folder for the index cache");
    let mut session = Session::spawn("session 1 (pull client)", cache_folder.path());
    let pull_client = json!({
        "definition": { "linkSupport": true },
        "completion": {},
        "diagnostic": {},
    });
    session.initialize(&root, pull_client);
    let startup_pull = session.startup(&probe);
    session.end_phase("startup");
    let cache_written = session.wait_for_log_line(&["wikils: wrote the index cache"], Duration::from_secs(600));
    session.end_phase("cache write");

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
    session.end_phase("definitions");

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
    session.end_phase("references");

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

    // Edit→diagnostics, pulled: the computation itself. The probe page is open since startup, at
    // version 1.
    let probe_uri = probe.uri.clone();
    let first_line = utf16_len(probe.text.lines().next().unwrap_or_default());
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
    session.end_phase("completion, symbols, edits");
    let peak_pull = session.peak_rss_mb();
    let phases_pull = session.describe_phases();
    session.shutdown();

    // Session 3, a warm start: the same tree with session 1's cache.
    let mut session = Session::spawn("session 3 (warm)", cache_folder.path());
    session.initialize(&root, json!({}));
    let startup_warm = session.startup(&probe);
    // The server may also refuse the cache (and read every file): reported, not fatal.
    let cache_used = session.wait_for_log_line(&[CACHE_USED, "wikils: index cache of"], REQUEST_TIMEOUT);
    let peak_warm = session.peak_rss_mb();
    session.shutdown();

    // Session 2, a client that takes pushed diagnostics: the same edits, waited for by version.
    // Its cache folder is empty: a cold start, like session 1.
    let empty_cache_folder = tempfile::tempdir().expect("a folder for the index cache");
    let mut session = Session::spawn("session 2 (push client)", empty_cache_folder.path());
    let push_client = json!({ "publishDiagnostics": { "versionSupport": true } });
    session.initialize(&root, push_client);
    let startup_push = session.startup(&probe);
    session.end_phase("startup");
    // What this client shows first for the probe page, open since startup: the first push.
    let opened_version = |params: &Value| params["uri"] == probe_uri.as_str() && params["version"] == 1;
    let (first_push, first_push_at) =
        session.wait_notification("textDocument/publishDiagnostics", REQUEST_TIMEOUT, opened_version);
    let first_push_at = first_push_at - session.spawned;
    let first_push = json!({ "items": first_push["diagnostics"] });
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
    session.end_phase("edits");
    // The cold session writes its cache in the background: its peak counts the whole write.
    let cache_written_push = session.wait_for_log_line(&["wikils: wrote the index cache"], Duration::from_secs(600));
    session.end_phase("rest of the cache write");
    let peak_push = session.peak_rss_mb();
    let phases_push = session.describe_phases();
    session.shutdown();

    let seconds = |duration: Duration| duration.as_secs_f64();
    let cell = |duration: Duration| {
        format!(
            "{:>8.3} s {:>6.2}×",
            seconds(duration),
            seconds(duration) / seconds(floor_time)
        )
    };
    println!(
        "wiki: {} ({files} files, {:.1} MB); probe {}; threads (bench) {}",
        root.display(),
        bytes as f64 / 1e6,
        probe.relative,
        rayon::current_num_threads()
    );
    println!(
        "probe sample: {}, definitions asked every {POLL_INTERVAL:?} until the end of indexing",
        probe.describe_links()
    );
    println!(
        "| startup, from spawn                  | definitions correct | diagnostics answered         | fully indexed      | peak RSS  |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| read floor (walk + read, warm)       |                     |                              | {:>8.3} s      1× |           |",
        seconds(floor_time)
    );
    let first_push = Some((first_push_at, &first_push));
    let sessions = [
        ("session 1, cold (pull client)", &startup_pull, peak_pull, None),
        ("session 2, cold (push client)", &startup_push, peak_push, first_push),
        ("session 3, warm (from the cache)", &startup_warm, peak_warm, None),
    ];
    for (name, startup, peak, _) in sessions {
        let verdict = startup.definitions_verdict(&probe);
        let agreement = match startup.diagnostics_difference() {
            None => "ok",
            Some(_) => "MISMATCH",
        };
        println!(
            "| {name:<36} | {}  | {} {agreement:<8}  | {} | {peak:>5.0} MiB |",
            cell(verdict.correct),
            cell(startup.diagnostics_answered),
            cell(startup.fully_indexed),
        );
    }
    println!();
    for (number, (_, startup, _, first_push)) in (1..).zip(sessions) {
        let verdict = startup.definitions_verdict(&probe);
        let correct = match verdict.correct_from < verdict.rounds {
            true => format!("every answer right from round {} on", verdict.correct_from),
            false => "no round with every answer right; right in the reference round".to_string(),
        };
        println!(
            "session {number}: definitions: {} rounds before the end of indexing, {correct} (answered {:.3} s); \
             earlier, {} answers had no target where the reference has one, {} differed otherwise",
            verdict.rounds,
            seconds(verdict.correct),
            verdict.not_yet,
            verdict.wrong,
        );
        if let Some(first_wrong) = &verdict.first_wrong {
            println!("!!! WRONG ANSWERS, session {number}: {} definitions during loading were neither the reference nor empty; first: {first_wrong}", verdict.wrong);
        }
        if let Some(regression) = &verdict.regression {
            println!("!!! SERVER BUG, session {number}: definitions went wrong again: {regression}");
        }
        let findings = diagnostic_set(&startup.diagnostics).len();
        match startup.diagnostics_difference() {
            None => println!(
                "session {number}: diagnostics pulled at startup: answered {:.3} s, {findings} findings, equal to the reference",
                seconds(startup.diagnostics_answered)
            ),
            Some(difference) => println!(
                "!!! MISMATCH, session {number}: the diagnostics pulled at startup (answered {:.3} s) differ from the reference pulled after indexing: {difference}",
                seconds(startup.diagnostics_answered)
            ),
        }
        let Some((pushed_at, pushed)) = first_push else {
            continue;
        };
        match diagnostics_difference(pushed, &startup.reference_diagnostics) {
            None => println!(
                "session {number}: first push for the probe page: {:.3} s, {} findings, equal to the reference",
                seconds(pushed_at),
                diagnostic_set(pushed).len()
            ),
            Some(difference) => println!(
                "!!! MISMATCH, session {number}: the first push for the probe page ({:.3} s) differs from the reference: {difference}",
                seconds(pushed_at)
            ),
        }
    }
    println!();
    println!("session 1: {}", cache_written.trim_start_matches("wikils: "));
    println!("session 2: {}", cache_written_push.trim_start_matches("wikils: "));
    println!("session 3: {}", cache_used.trim_start_matches("wikils: "));
    println!("session 1, server memory by phase (MiB, resident at its end / peak during it): {phases_pull}");
    println!("session 2, server memory by phase (MiB, resident at its end / peak during it): {phases_push}");
    if !cache_used.contains(CACHE_USED) {
        println!("!!! CACHE NOT USED, session 3: the warm session read every file (line above)");
    }
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

/// `--warm-only`: warm starts alone, `--rounds` of them, from an index cache kept beside the tree
/// (`<tree>.lsp-cache/`; a cold session writes it first when the server does not use it), so a
/// faster warm start can be measured again and again, and binaries compared
/// (`WIKILS_BENCH_BINARY`), without two cold sessions each time.
fn warm_only(root: &Path, probe: &Probe, floor: Duration, rounds: u32) {
    let cache_folder = root.with_extension("lsp-cache");
    std::fs::create_dir_all(&cache_folder).expect("a folder for the index cache");
    let warm_session = || {
        let mut session = Session::spawn("warm session", &cache_folder);
        session.initialize(root, json!({}));
        let startup = session.startup(probe);
        session.end_phase("startup");
        let cache_used = session.wait_for_log_line(&[CACHE_USED, "wikils: index cache of"], REQUEST_TIMEOUT);
        let peak = session.peak_rss_mb();
        println!(
            "server memory (MiB, resident at the end / peak): {}",
            session.describe_phases()
        );
        session.shutdown();
        (startup, cache_used, peak)
    };
    let (mut startup, mut cache_used, mut peak) = warm_session();
    if !cache_used.contains(CACHE_USED) {
        println!(
            "writing the index cache into {} ({})",
            cache_folder.display(),
            cache_used.trim()
        );
        let mut session = Session::spawn("cold session (writes the cache)", &cache_folder);
        session.initialize(root, json!({}));
        // Answers what the server asks (its progress token) until indexing ends.
        session.startup(probe);
        session.wait_for_log_line(&["wikils: wrote the index cache"], Duration::from_secs(900));
        session.shutdown();
        (startup, cache_used, peak) = warm_session();
    }
    println!("read floor (walk + read, warm): {:.3} s", floor.as_secs_f64());
    for round in 0..rounds {
        if round > 0 {
            (startup, cache_used, peak) = warm_session();
        }
        assert!(cache_used.contains(CACHE_USED), "the cache was not used: {cache_used}");
        let verdict = startup.definitions_verdict(probe);
        assert!(verdict.regression.is_none(), "{:?}", verdict.regression);
        assert!(
            startup.diagnostics_difference().is_none(),
            "the diagnostics pulled at startup differ from the reference"
        );
        println!(
            "warm start {}: definitions right {:.3} s ({:.2}× floor), diagnostics {:.3} s, fully indexed {:.3} s, peak RSS {peak:.0} MiB",
            round + 1,
            verdict.correct.as_secs_f64(),
            verdict.correct.as_secs_f64() / floor.as_secs_f64(),
            startup.diagnostics_answered.as_secs_f64(),
            startup.fully_indexed.as_secs_f64(),
        );
    }
}
