//! End-to-end harness: runs the real `wikils` binary over stdio, as an editor would.
//!
//! A reader thread parses the server's `Content-Length` frames and hands every message to the
//! test thread, which routes responses by id and queues notifications, so a test reads like an
//! editor session: initialize, open, change, ask, wait for a notification, shut down.

#![allow(dead_code)] // Each test file uses a different part of the harness.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Each message with its body as the server sent it.
    incoming: Receiver<(Value, Vec<u8>)>,
    responses: HashMap<i64, Value>,
    /// Earlier responses to an id that was answered again (the client reused a request id).
    earlier_responses: HashMap<i64, Vec<Value>>,
    /// Responses with a null id: the server's answers to frames it could not read.
    responses_without_id: VecDeque<Value>,
    /// The ids (as JSON text) of requests whose responses are kept as sent, by
    /// [`Server::request_raw`], and those responses.
    raw_response_ids: HashSet<String>,
    raw_responses: HashMap<String, Vec<u8>>,
    /// Notifications and server-to-client requests, in arrival order.
    notifications: VecDeque<Value>,
    stderr: Arc<Mutex<String>>,
    next_request_id: i64,
    /// The index cache folder of this server (`WIKILS_CACHE_DIR`), removed with it: a test run
    /// never writes into the user's cache folder.
    _cache_folder: Option<tempfile::TempDir>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with_environment(&[])
    }

    pub fn start_with_environment(environment: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wikils"));
        command.arg("lsp").arg("--stdio");
        command.env_remove("WIKILS_TEST_PANIC");
        command.env_remove("WIKILS_TEST_REQUESTS");
        command.env_remove("WIKILS_CACHE");
        // Tests that share a cache between servers pass their own `WIKILS_CACHE_DIR`.
        let cache_folder = if environment.iter().any(|(name, _)| *name == "WIKILS_CACHE_DIR") {
            None
        } else {
            let folder = tempfile::tempdir().expect("temporary cache folder");
            command.env("WIKILS_CACHE_DIR", folder.path());
            Some(folder)
        };
        for (name, value) in environment {
            command.env(name, value);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("failed to start the wikils binary");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr_pipe = child.stderr.take().expect("piped stderr");
        let (sender, incoming) = mpsc::channel();
        thread::spawn(move || read_frames(BufReader::new(stdout), sender));
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_sink = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut collected = stderr_sink.lock().unwrap_or_else(|e| e.into_inner());
                collected.push_str(&line);
                collected.push('\n');
            }
        });
        Server {
            child,
            stdin,
            incoming,
            responses: HashMap::new(),
            earlier_responses: HashMap::new(),
            responses_without_id: VecDeque::new(),
            raw_response_ids: HashSet::new(),
            raw_responses: HashMap::new(),
            notifications: VecDeque::new(),
            stderr,
            next_request_id: 1,
            _cache_folder: cache_folder,
        }
    }

    /// Sends `initialize` (offering the given position encodings, or none) and `initialized`;
    /// returns the `InitializeResult`.
    pub fn initialize(&mut self, encoding_offer: Option<&[&str]>) -> Value {
        let mut capabilities = json!({});
        if let Some(encodings) = encoding_offer {
            capabilities = json!({ "general": { "positionEncodings": encodings } });
        }
        let params = json!({
            "processId": null,
            "rootUri": "file:///wiki",
            "capabilities": capabilities,
        });
        let result = self.request("initialize", params).expect("initialize failed");
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        let text_document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": text_document }));
    }

    pub fn change(&mut self, uri: &str, version: i32, content_changes: Value) {
        let params = json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": content_changes,
        });
        self.notify("textDocument/didChange", params);
    }

    pub fn close(&mut self, uri: &str) {
        self.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    }

    /// `wikils/documentState`: the server's (version, text), or `None` when not open.
    pub fn document_state(&mut self, uri: &str) -> Option<(i64, String)> {
        let state = self
            .request("wikils/documentState", json!({ "uri": uri }))
            .expect("documentState failed");
        if state.is_null() {
            return None;
        }
        let version = state["version"].as_i64().expect("a numeric version");
        let text = state["text"].as_str().expect("a string text").to_string();
        Some((version, text))
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send_message(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits (bounded) for its response: `Ok(result)` or `Err(error)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        self.wait_response(id)
    }

    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_request_id;
        self.next_request_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send_message(&message);
        id
    }

    pub fn wait_response(&mut self, id: i64) -> Result<Value, Value> {
        self.wait_response_within(id, REQUEST_TIMEOUT)
    }

    /// [`Server::wait_response`] with another bound, for requests on huge inputs in debug builds.
    pub fn wait_response_within(&mut self, id: i64, timeout: Duration) -> Result<Value, Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(response) = self.responses.remove(&id) {
                return match response.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(response.get("result").cloned().unwrap_or(Value::Null)),
                };
            }
            self.receive_one(deadline, &format!("the response to request {id}"));
        }
    }

    /// Waits (bounded) for the next notification with this method; earlier ones of other
    /// methods stay queued.
    pub fn wait_notification(&mut self, method: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let position = self
                .notifications
                .iter()
                .position(|message| message["method"] == method);
            if let Some(position) = position {
                return self.notifications.remove(position).expect("a queued notification");
            }
            self.receive_one(deadline, &format!("a `{method}` notification"));
        }
    }

    /// Waits (bounded) for a response with a null id, the answer to an unreadable frame.
    pub fn wait_response_without_id(&mut self) -> Value {
        let deadline = Instant::now() + REQUEST_TIMEOUT;
        loop {
            if let Some(response) = self.responses_without_id.pop_front() {
                return response;
            }
            self.receive_one(deadline, "a response with a null id");
        }
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is still open");
        stdin.write_all(bytes).expect("writing to the server failed");
        stdin.flush().expect("flushing to the server failed");
    }

    pub fn send_message(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serialisable message");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        self.send_bytes(&frame);
    }

    /// `shutdown`, then `exit`: the process must end promptly with code 0, and every message
    /// it sent must have been read by the test.
    pub fn shutdown_and_exit(mut self) {
        let shutdown = self.request("shutdown", Value::Null);
        assert_eq!(shutdown, Ok(Value::Null), "shutdown failed");
        self.notify("exit", Value::Null);
        let status = self.wait_for_exit();
        assert_eq!(
            status.code(),
            Some(0),
            "exit code after shutdown; stderr:\n{}",
            self.stderr()
        );
        self.drain_until_stdout_closes();
        assert!(
            self.notifications.is_empty()
                && self.responses_without_id.is_empty()
                && self.responses.is_empty()
                && self.earlier_responses.is_empty(),
            "unread messages at the end of the session: {:?} {:?} {:?}",
            self.notifications,
            self.responses_without_id,
            self.responses
        );
    }

    /// Sends a request with any id (a string, say) and waits (bounded) for its response, which
    /// is returned as the body the server sent, for tests of the bytes themselves.
    pub fn request_raw(&mut self, id: Value, method: &str, params: Value) -> Vec<u8> {
        let key = id.to_string();
        self.raw_response_ids.insert(key.clone());
        self.send_message(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + REQUEST_TIMEOUT;
        loop {
            if let Some(body) = self.raw_responses.remove(&key) {
                return body;
            }
            self.receive_one(deadline, &format!("the response to request {key}"));
        }
    }

    /// Waits (bounded) for the process to end after `exit`.
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for the server failed") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {EXIT_TIMEOUT:?}; stderr:\n{}",
                self.stderr()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn take_notifications(&mut self) -> Vec<Value> {
        self.notifications.drain(..).collect()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn drain_until_stdout_closes(&mut self) {
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            match self
                .incoming
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok((message, body)) => self.route(message, body),
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("the server's stdout stayed open after exit")
                }
            }
        }
    }

    fn receive_one(&mut self, deadline: Instant, waiting_for: &str) {
        match self
            .incoming
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok((message, body)) => self.route(message, body),
            Err(RecvTimeoutError::Timeout) => panic!(
                "timed out waiting for {waiting_for}; queued notifications: {:?}; stderr:\n{}",
                self.notifications,
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "the server closed its stdout while the test waited for {waiting_for}; stderr:\n{}",
                self.stderr()
            ),
        }
    }

    fn route(&mut self, message: Value, body: Vec<u8>) {
        let is_response = message.get("method").is_none();
        if let Some(id) = message.get("id").map(Value::to_string) {
            if is_response && self.raw_response_ids.remove(&id) {
                self.raw_responses.insert(id, body);
                return;
            }
        }
        match (is_response, message.get("id").and_then(Value::as_i64)) {
            (true, Some(id)) => {
                if let Some(earlier) = self.responses.insert(id, message) {
                    self.earlier_responses.entry(id).or_default().push(earlier);
                }
            }
            (true, None) => self.responses_without_id.push_back(message),
            (false, _) => self.notifications.push_back(message),
        }
    }
}

impl Server {
    /// Waits (bounded) until `count` responses with this id have arrived (a client that reuses
    /// an id gets one answer per request) and returns them, each `Ok(result)` or `Err(error)`.
    pub fn wait_responses(&mut self, id: i64, count: usize) -> Vec<Result<Value, Value>> {
        let deadline = Instant::now() + REQUEST_TIMEOUT;
        loop {
            let earlier = self.earlier_responses.get(&id).map_or(0, Vec::len);
            let arrived = earlier + usize::from(self.responses.contains_key(&id));
            if arrived >= count {
                let mut all = self.earlier_responses.remove(&id).unwrap_or_default();
                all.extend(self.responses.remove(&id));
                return all
                    .into_iter()
                    .map(|response| match response.get("error") {
                        Some(error) => Err(error.clone()),
                        None => Ok(response.get("result").cloned().unwrap_or(Value::Null)),
                    })
                    .collect();
            }
            self.receive_one(deadline, &format!("{count} responses to request {id}"));
        }
    }

    /// The server's peak resident memory so far (VmHWM), in KiB, where /proc tells.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Closes the server's stdin, as an editor that dies would.
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Never leave a server behind, whatever the test did.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses `Content-Length` frames until the server closes its stdout.
fn read_frames(mut stdout: BufReader<impl Read>, sender: mpsc::Sender<(Value, Vec<u8>)>) {
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
        let message = serde_json::from_slice(&body).expect("the server sent invalid JSON");
        if sender.send((message, body)).is_err() {
            return;
        }
    }
}

impl Server {
    /// Sends `initialize` with the given parameters and `initialized`; returns the result.
    pub fn initialize_with(&mut self, params: Value) -> Value {
        let result = self.request("initialize", params).expect("initialize failed");
        self.notify("initialized", json!({}));
        result
    }

    /// Waits (bounded) for the next notification or server request with this method whose
    /// params satisfy `matches`; others stay queued.
    pub fn wait_notification_matching(
        &mut self,
        method: &str,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let position = self
                .notifications
                .iter()
                .position(|message| message["method"] == method && matches(&message["params"]));
            if let Some(position) = position {
                return self.notifications.remove(position).expect("a queued notification");
            }
            self.receive_one(deadline, &format!("a matching `{method}` message"));
        }
    }

    /// The next notification or server-to-client request, whatever its method.
    pub fn next_message(&mut self, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(message) = self.notifications.pop_front() {
                return message;
            }
            self.receive_one(deadline, "any message");
        }
    }

    /// Waits for a server-to-client request with this method and answers it with `result`.
    pub fn answer_server_request(&mut self, method: &str, result: Value) -> Value {
        let request = self.wait_notification(method, REQUEST_TIMEOUT);
        let id = request["id"].clone();
        self.send_message(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
        request
    }

    /// Whether a message with this method is queued now (nothing is waited for).
    pub fn has_queued(&self, method: &str) -> bool {
        self.notifications.iter().any(|message| message["method"] == method)
    }
}

/// A wiki written to a fresh folder for one test, removed when dropped.
pub struct TempWiki {
    pub root: std::path::PathBuf,
}

impl TempWiki {
    /// `files` are (root-relative path, text); `symlinks` are (path, target as written).
    pub fn new(name: &str, files: &[(&str, &str)], symlinks: &[(&str, &str)]) -> TempWiki {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let unique = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let root = std::env::temp_dir().join(format!("wikils-{name}-{}-{unique}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("creating the test wiki");
        let wiki = TempWiki {
            root: root.canonicalize().expect("a canonical temp folder"),
        };
        for (path, text) in files {
            wiki.write(path, text);
        }
        for (path, target) in symlinks {
            let link = wiki.root.join(path);
            std::fs::create_dir_all(link.parent().expect("a parent folder")).expect("creating a folder");
            std::os::unix::fs::symlink(target, &link).expect("creating a symlink");
        }
        wiki
    }

    pub fn write(&self, path: &str, text: &str) {
        let file = self.root.join(path);
        std::fs::create_dir_all(file.parent().expect("a parent folder")).expect("creating a folder");
        std::fs::write(file, text).expect("writing a test file");
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.root.join(path)).expect("removing a test file");
    }

    pub fn uri(&self, path: &str) -> String {
        tower_lsp::lsp_types::Url::from_file_path(self.root.join(path))
            .expect("an absolute path")
            .to_string()
    }

    pub fn root_uri(&self) -> String {
        tower_lsp::lsp_types::Url::from_file_path(&self.root)
            .expect("an absolute path")
            .to_string()
    }
}

impl Drop for TempWiki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
