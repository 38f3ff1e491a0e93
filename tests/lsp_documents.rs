//! End-to-end document synchronisation: the server's text must always equal the editor's.
//!
//! Positions are computed by [`Shadow`], a deliberately plain re-implementation of LSP's rules
//! (lines end at LF, CR, CRLF; columns in UTF-8 bytes or UTF-16 units; past the line end clamps;
//! inside a character clamps to its start), independent of the server's rope code.

use wikils::testing::XorShift;

mod support;

use serde_json::{json, Value};
use support::Server;

const URI: &str = "file:///wiki/%E4%B8%AD%E6%96%87.md";

#[derive(Clone, Copy, Debug)]
enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn offer(self) -> Option<&'static [&'static str]> {
        match self {
            Encoding::Utf8 => Some(&["utf-8", "utf-16"]),
            Encoding::Utf16 => None,
        }
    }

    fn units(self, character: char) -> usize {
        match self {
            Encoding::Utf8 => character.len_utf8(),
            Encoding::Utf16 => character.len_utf16(),
        }
    }
}

/// The editor's copy of the document.
#[derive(Clone)]
struct Shadow {
    text: String,
    encoding: Encoding,
}

impl Shadow {
    /// Byte ranges of each line's content (without its line ending).
    fn lines(&self) -> Vec<std::ops::Range<usize>> {
        let bytes = self.text.as_bytes();
        let mut lines = Vec::new();
        let mut start = 0;
        let mut index = 0;
        while index < bytes.len() {
            match bytes[index] {
                b'\r' if bytes.get(index + 1) == Some(&b'\n') => {
                    lines.push(start..index);
                    index += 2;
                    start = index;
                }
                b'\r' | b'\n' => {
                    lines.push(start..index);
                    index += 1;
                    start = index;
                }
                _ => index += 1,
            }
        }
        lines.push(start..bytes.len());
        lines
    }

    fn line_length_in_units(&self, line: &std::ops::Range<usize>) -> usize {
        self.text[line.clone()]
            .chars()
            .map(|character| self.encoding.units(character))
            .sum()
    }

    /// The byte offset of an LSP position, with LSP's clamping.
    fn offset(&self, line: usize, column: usize) -> usize {
        let lines = self.lines();
        let line = &lines[line];
        let mut units = 0;
        for (offset, character) in self.text[line.clone()].char_indices() {
            let width = self.encoding.units(character);
            if units + width > column {
                return line.start + offset;
            }
            units += width;
        }
        line.end
    }

    fn apply(&mut self, start: (usize, usize), end: (usize, usize), new_text: &str) {
        let start = self.offset(start.0, start.1);
        let end = self.offset(end.0, end.1);
        self.text.replace_range(start..end, new_text);
    }
}

fn change(start: (usize, usize), end: (usize, usize), text: &str) -> Value {
    json!({
        "range": {
            "start": { "line": start.0, "character": start.1 },
            "end": { "line": end.0, "character": end.1 },
        },
        "text": text,
    })
}

fn start_with_document(encoding: Encoding, text: &str) -> (Server, Shadow) {
    let mut server = Server::start();
    server.initialize(encoding.offer());
    server.open(URI, text);
    (
        server,
        Shadow {
            text: text.to_string(),
            encoding,
        },
    )
}

/// (line, column) in the negotiated encoding.
type LinePosition = (usize, usize);
/// One range edit: start, end, new text.
type RangeEdit<'a> = (LinePosition, LinePosition, &'a str);

/// Sends one didChange with these edits, applies them to the shadow, and checks the server.
fn edit_and_check(server: &mut Server, shadow: &mut Shadow, version: i32, edits: &[RangeEdit]) {
    let changes: Vec<Value> = edits
        .iter()
        .map(|(start, end, text)| change(*start, *end, text))
        .collect();
    for (start, end, text) in edits {
        shadow.apply(*start, *end, text);
    }
    server.change(URI, version, Value::Array(changes));
    assert_eq!(
        server.document_state(URI),
        Some((i64::from(version), shadow.text.clone())),
        "{:?}",
        shadow.encoding
    );
}

#[test]
fn open_then_document_state_returns_the_text() {
    let mut server = Server::start();
    server.initialize(None);
    assert_eq!(server.document_state(URI), None);
    server.open(URI, "# 中文\r\n[[𠀀]]\r");
    assert_eq!(server.document_state(URI), Some((1, "# 中文\r\n[[𠀀]]\r".to_string())));
    server.close(URI);
    assert_eq!(server.document_state(URI), None);
    server.shutdown_and_exit();
}

#[test]
fn edits_with_chinese_astral_characters_and_all_line_endings() {
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        let (mut server, mut shadow) = start_with_document(encoding, "中文𠀀x\r\n\r\nab\rcd\n");
        let after_astral = match encoding {
            Encoding::Utf8 => 10,
            Encoding::Utf16 => 4,
        };
        // Insert after 𠀀 on a CRLF line.
        edit_and_check(
            &mut server,
            &mut shadow,
            2,
            &[((0, after_astral), (0, after_astral), "[[")],
        );
        // A column inside 𠀀 clamps to its start, a column past the end clamps to the line end.
        edit_and_check(
            &mut server,
            &mut shadow,
            3,
            &[
                ((0, after_astral - 1), (0, after_astral - 1), "|"),
                ((1, 99), (1, 99), "空"),
            ],
        );
        // Join the lone-CR line with the next one, then split it with CRLF.
        edit_and_check(
            &mut server,
            &mut shadow,
            4,
            &[((2, 2), (3, 0), ""), ((2, 1), (2, 1), "\r\n")],
        );
        // Replace across lines, then delete everything on the last (empty) line: a no-op.
        edit_and_check(
            &mut server,
            &mut shadow,
            5,
            &[((0, 0), (2, 1), "𠮷\r"), ((3, 0), (3, 5), "")],
        );
        // A full-text change replaces everything.
        server.change(URI, 6, json!([{ "text": "全文\n替换" }]));
        assert_eq!(server.document_state(URI), Some((6, "全文\n替换".to_string())));
        shadow.text = "全文\n替换".to_string();
        edit_and_check(
            &mut server,
            &mut shadow,
            7,
            &[((1, 99), (1, 99), "\n"), ((2, 0), (2, 0), "末")],
        );
        server.shutdown_and_exit();
    }
}

#[test]
fn a_bad_change_is_rejected_whole_and_reported() {
    let (mut server, _) = start_with_document(Encoding::Utf16, "ab\ncd");
    // The first change is fine, the second names a line that does not exist.
    server.change(
        URI,
        2,
        json!([change((0, 0), (0, 0), "x"), change((5, 0), (5, 0), "y")]),
    );
    let shown = server.wait_notification("window/showMessage", support::REQUEST_TIMEOUT);
    assert_eq!(shown["params"]["type"], 2, "a warning");
    assert!(shown["params"]["message"]
        .as_str()
        .is_some_and(|message| message.contains("reopen")));
    server.wait_notification("window/logMessage", support::REQUEST_TIMEOUT);
    assert_eq!(server.document_state(URI), Some((1, "ab\ncd".to_string())));

    // Start after end.
    server.change(URI, 2, json!([change((1, 1), (0, 1), "z")]));
    server.wait_notification("window/showMessage", support::REQUEST_TIMEOUT);
    server.wait_notification("window/logMessage", support::REQUEST_TIMEOUT);

    // A good change, then the same version again: stale.
    server.change(URI, 2, json!([change((0, 0), (0, 0), "x")]));
    server.change(URI, 2, json!([change((0, 0), (0, 0), "y")]));
    server.wait_notification("window/showMessage", support::REQUEST_TIMEOUT);
    server.wait_notification("window/logMessage", support::REQUEST_TIMEOUT);
    assert_eq!(server.document_state(URI), Some((2, "xab\ncd".to_string())));

    // A change to a document that is not open.
    server.change("file:///not-open.md", 5, json!([change((0, 0), (0, 0), "x")]));
    server.wait_notification("window/showMessage", support::REQUEST_TIMEOUT);
    server.wait_notification("window/logMessage", support::REQUEST_TIMEOUT);
    assert_eq!(server.document_state("file:///not-open.md"), None);
    server.shutdown_and_exit();
}

const ALPHABET: [&str; 11] = ["中", "文", "𠀀", "𠮷", "\r\n", "\n", "\r", "a", "[", "]", "b"];

fn random_text(random: &mut XorShift, max_tokens: usize) -> String {
    (0..random.below(max_tokens + 1))
        .map(|_| ALPHABET[random.below(ALPHABET.len())])
        .collect()
}

fn random_position(random: &mut XorShift, shadow: &Shadow) -> (usize, usize) {
    let lines = shadow.lines();
    let line = random.below(lines.len());
    // Up to two units past the end, so that clamping and mid-character columns get exercised.
    let column = random.below(shadow.line_length_in_units(&lines[line]) + 3);
    (line, column)
}

/// Mostly inserts and short deletions, with the occasional multi-line replacement, so that the
/// document settles at a few hundred characters over many lines instead of shrinking to nothing.
fn random_edit(random: &mut XorShift, shadow: &Shadow) -> (LinePosition, LinePosition, String) {
    let start = random_position(random, shadow);
    let long_document = shadow.text.len() > 3_000;
    let short_document = shadow.text.len() < 300;
    match random.below(10) {
        _ if long_document => {
            let other = random_position(random, shadow);
            let (start, end) = if start <= other { (start, other) } else { (other, start) };
            (start, end, String::new())
        }
        0..=5 => (start, start, random_text(random, 6)),
        6 | 7 => (start, (start.0, start.1 + 1 + random.below(4)), String::new()),
        8 if !short_document => {
            let other = random_position(random, shadow);
            let (start, end) = if start <= other { (start, other) } else { (other, start) };
            (start, end, random_text(random, 3))
        }
        _ => (start, (start.0, start.1 + random.below(4)), random_text(random, 3)),
    }
}

/// Steps per randomized session: `WIKILS_STRESS_STEPS` scales a local run up (the README's
/// figures); the default keeps `cargo test` quick.
fn stress_steps() -> i32 {
    std::env::var("WIKILS_STRESS_STEPS")
        .ok()
        .and_then(|steps| steps.parse().ok())
        .unwrap_or(400)
}

/// A request sent during the session, with the editor's text when it was sent.
struct SentRequest {
    id: i64,
    method: &'static str,
    cancelled: bool,
    shadow_then: Shadow,
}

impl Shadow {
    /// Whether an LSP range lies within the text: existing lines, columns up to the line end.
    fn contains_range(&self, range: &Value) -> bool {
        let lines = self.lines();
        let valid = |position: &Value| {
            let (Some(line), Some(column)) = (position["line"].as_u64(), position["character"].as_u64()) else {
                return false;
            };
            lines
                .get(line as usize)
                .is_some_and(|content| column as usize <= self.line_length_in_units(content))
        };
        let key = |position: &Value| (position["line"].as_u64(), position["character"].as_u64());
        valid(&range["start"]) && valid(&range["end"]) && key(&range["start"]) <= key(&range["end"])
    }
}

const STRESS_PAGES: [(&str, &str); 3] = [
    ("Page/链接.md", "# 链接\n\n## 歷史\n"),
    ("Page/中文.md", "[[链接#歷史]] [[文]]\n"),
    ("Page/文.md", "𠀀\n"),
];
const STRESS_DOCUMENT: &str = "Page/编辑.md";

fn start_stress_session(encoding: Encoding, wiki: &support::TempWiki, text: &str) -> Server {
    let mut capabilities = json!({ "textDocument": { "diagnostic": {} } });
    if let Some(offer) = encoding.offer() {
        capabilities["general"] = json!({ "positionEncodings": offer });
    }
    let mut server = Server::start();
    server.initialize_with(json!({ "processId": null, "rootUri": wiki.root_uri(), "capabilities": capabilities }));
    server.open(&wiki.uri(STRESS_DOCUMENT), text);
    server
}

fn pulled_diagnostics(server: &mut Server, uri: &str) -> Value {
    let report = server
        .request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }))
        .expect("diagnostics");
    report["items"].clone()
}

/// Checks an answer against the text the request was sent for: no error unless cancelled
/// (−32800), and every range in this document lies within that text.
/// Returns whether the request was cancelled before it finished.
fn check_answer(request: &SentRequest, answer: Result<Value, Value>, uri: &str, root_uri: &str) -> bool {
    let result = match answer {
        Ok(result) => result,
        Err(error) if request.cancelled && error["code"] == -32800 => return true,
        Err(error) => panic!("{} failed: {error}", request.method),
    };
    let text = &request.shadow_then;
    match request.method {
        "textDocument/completion" => {
            for item in result["items"].as_array().expect("a completion list") {
                let range = &item["textEdit"]["range"];
                assert!(text.contains_range(range), "completion edit {item} in {:?}", text.text);
            }
        }
        "textDocument/definition" => {
            let locations = match result {
                Value::Null => Vec::new(),
                Value::Array(locations) => locations,
                location => vec![location],
            };
            for location in locations {
                let target = location["uri"].as_str().expect("a location uri");
                assert!(target.starts_with(root_uri), "{location}");
                if target == uri {
                    assert!(text.contains_range(&location["range"]), "{location} in {:?}", text.text);
                }
            }
        }
        _ => {
            // Diagnostics are computed for the latest version, not for this one: only their shape.
            assert!(result["items"].is_array(), "{result}");
        }
    }
    false
}

fn randomized_session(encoding: Encoding, seed: u64) {
    let steps = stress_steps();
    let mut random = XorShift(seed);
    let wiki = support::TempWiki::new("stress", &STRESS_PAGES, &[]);
    let uri = wiki.uri(STRESS_DOCUMENT);
    let root_uri = wiki.root_uri();
    let initial = "# 标题\r\n正文[[链接]]\n\n[[中文#歷史|中]]\r\n";
    let mut server = start_stress_session(encoding, &wiki, initial);
    let mut shadow = Shadow {
        text: initial.to_string(),
        encoding,
    };
    let (mut edits, mut requests, mut cancelled, mut cancelled_in_time) = (0, 0, 0, 0);
    let mut in_flight: Vec<SentRequest> = Vec::new();
    for version in 2..steps + 2 {
        let mut changes = Vec::new();
        if random.below(300) == 0 {
            let text = random_text(&mut random, 200);
            changes.push(json!({ "text": text }));
            shadow.text = text;
        }
        for _ in 0..1 + random.below(4) {
            let (start, end, new_text) = random_edit(&mut random, &shadow);
            shadow.apply(start, end, &new_text);
            changes.push(change(start, end, &new_text));
        }
        edits += changes.len();
        server.change(&uri, version, Value::Array(changes));
        if random.below(4) == 0 {
            let method = [
                "textDocument/completion",
                "textDocument/definition",
                "textDocument/diagnostic",
            ][random.below(3)];
            let (line, character) = random_position(&mut random, &shadow);
            let params = match method {
                "textDocument/diagnostic" => json!({ "textDocument": { "uri": uri } }),
                _ => json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
            };
            let id = server.send_request(method, params);
            let cancel = random.below(3) == 0;
            if cancel {
                server.notify("$/cancelRequest", json!({ "id": id }));
                cancelled += 1;
            }
            requests += 1;
            in_flight.push(SentRequest {
                id,
                method,
                cancelled: cancel,
                shadow_then: Shadow {
                    text: shadow.text.clone(),
                    encoding,
                },
            });
        }
        // After every step, the server's text must be the editor's.
        let state = server.document_state(&uri);
        assert_eq!(
            state,
            Some((i64::from(version), shadow.text.clone())),
            "{encoding:?} seed {seed} version {version}"
        );
        if in_flight.len() > 8 || version == steps + 1 {
            for request in in_flight.drain(..) {
                let answer = server.wait_response(request.id);
                cancelled_in_time += usize::from(check_answer(&request, answer, &uri, &root_uri));
            }
        }
    }
    let rejections: Vec<Value> = server
        .take_notifications()
        .into_iter()
        .filter(|message| message["method"] == "window/showMessage")
        .collect();
    assert!(rejections.is_empty(), "no edit may be rejected: {rejections:?}");

    // No silent wrong answer: the diagnostics after thousands of edits are those of a server that
    // opened the final text directly.
    let after_edits = pulled_diagnostics(&mut server, &uri);
    let mut fresh = start_stress_session(encoding, &wiki, &shadow.text);
    assert_eq!(
        after_edits,
        pulled_diagnostics(&mut fresh, &uri),
        "{encoding:?} seed {seed}"
    );
    fresh.shutdown_and_exit();
    server.shutdown_and_exit();
    eprintln!(
        "{encoding:?} seed {seed:#x}: {edits} edits in {steps} didChange notifications, each checked \
         against the shadow; {requests} requests interleaved, {cancelled} of them cancelled \
         ({cancelled_in_time} before they finished)"
    );
}

#[test]
fn randomized_session_matches_the_shadow_in_utf16() {
    randomized_session(Encoding::Utf16, 0x9E37_79B9_7F4A_7C15);
}

#[test]
fn randomized_session_matches_the_shadow_in_utf8() {
    randomized_session(Encoding::Utf8, 0xD1B5_4A32_D192_ED03);
}

#[test]
fn many_changes_sent_without_waiting_are_applied_in_order() {
    // Each change depends on the previous one; any reordering would break the text.
    let (mut server, _) = start_with_document(Encoding::Utf16, "");
    let mut expected = String::new();
    for version in 2..502 {
        let character = if version % 2 == 0 { "中" } else { "𠀀" };
        let column = expected.encode_utf16().count();
        server.change(URI, version, json!([change((0, column), (0, column), character)]));
        expected.push_str(character);
    }
    let state = server.document_state(URI);
    assert_eq!(state, Some((501, expected)));
    server.shutdown_and_exit();
}
