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

fn randomized_session(encoding: Encoding, seed: u64) {
    const STEPS: i32 = 3_000;
    const CHECK_EVERY: i32 = 50;
    let mut random = XorShift(seed);
    let (mut server, mut shadow) = start_with_document(encoding, "# 标题\r\n正文[[链接]]\n");
    for version in 2..STEPS + 2 {
        let mut changes = Vec::new();
        if random.below(300) == 0 {
            let text = random_text(&mut random, 200);
            changes.push(json!({ "text": text }));
            shadow.text = text;
        }
        for _ in 0..1 + random.below(3) {
            let (start, end, new_text) = random_edit(&mut random, &shadow);
            shadow.apply(start, end, &new_text);
            changes.push(change(start, end, &new_text));
        }
        server.change(URI, version, Value::Array(changes));
        if version % CHECK_EVERY == 0 || version == STEPS + 1 {
            let state = server.document_state(URI);
            assert_eq!(
                state,
                Some((i64::from(version), shadow.text.clone())),
                "{encoding:?} seed {seed} version {version}"
            );
        }
    }
    assert!(server.take_notifications().is_empty(), "no edit may be rejected");
    server.shutdown_and_exit();
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
