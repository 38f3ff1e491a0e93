//! LSP base-protocol framing (`Content-Length` headers) that recovers from malformed input.
//!
//! A bad frame yields one error item and the decoder resynchronises on the next
//! `Content-Length` header, so a client bug costs one message, not the session.

use serde_json::Value;

/// One item read from the input.
#[derive(Debug, PartialEq)]
pub enum IncomingFrame {
    Message(Value),
    InvalidJson(String),
    InvalidHeader(String),
}

const HEADER_TERMINATOR: &[u8] = b"\r\n\r\n";
const CONTENT_LENGTH_HEADER: &[u8] = b"Content-Length";
/// A header block longer than this is garbage, not a header still arriving.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// A body longer than this is a corrupt length, not a document (the largest wiki pages are a few MB).
const MAX_CONTENT_LENGTH: usize = 256 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct FrameDecoder {
    buffer: Vec<u8>,
    /// Bytes before this have been consumed; compacted on the next `extend`.
    consumed: usize,
}

impl FrameDecoder {
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buffer.drain(..self.consumed);
        self.consumed = 0;
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete item, or `None` when more input is needed.
    pub fn next_frame(&mut self) -> Option<IncomingFrame> {
        let pending = &self.buffer[self.consumed..];
        if pending.is_empty() {
            return None;
        }
        let Some(header_len) = find(pending, HEADER_TERMINATOR) else {
            if pending.len() <= MAX_HEADER_BYTES {
                return None;
            }
            let skip = find(&pending[1..], CONTENT_LENGTH_HEADER)
                .map(|position| position + 1)
                .unwrap_or(pending.len() - (CONTENT_LENGTH_HEADER.len() - 1));
            self.consumed += skip;
            return Some(IncomingFrame::InvalidHeader(format!(
                "skipped {skip} bytes that are not an LSP header"
            )));
        };
        let content_length = match parse_content_length(&pending[..header_len]) {
            Ok(content_length) => content_length,
            Err(detail) => {
                // Resynchronise on the next header, which may start inside this block when
                // garbage (say, the tail of a body whose length was too short) precedes it.
                let skip = find(&pending[1..], CONTENT_LENGTH_HEADER)
                    .map(|position| position + 1)
                    .unwrap_or(header_len + HEADER_TERMINATOR.len());
                self.consumed += skip;
                return Some(IncomingFrame::InvalidHeader(detail));
            }
        };
        let body_start = header_len + HEADER_TERMINATOR.len();
        let body_end = body_start + content_length;
        let body = pending.get(body_start..body_end)?;
        match serde_json::from_slice::<Value>(body) {
            Ok(message) => {
                self.consumed += body_end;
                Some(IncomingFrame::Message(message))
            }
            Err(error) => {
                // A Content-Length that was too long swallows the start of the next message;
                // give those bytes back so that message still gets through.
                let next_header = find(body, CONTENT_LENGTH_HEADER).filter(|&position| position > 0);
                self.consumed += next_header.map_or(body_end, |position| body_start + position);
                Some(IncomingFrame::InvalidJson(error.to_string()))
            }
        }
    }
}

fn parse_content_length(header_block: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(header_block).map_err(|_| "the header is not valid UTF-8".to_string())?;
    let mut content_length = None;
    for line in text.split("\r\n") {
        let shown: String = line.chars().take(80).collect();
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line {shown:?}"));
        };
        let is_token = !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
        if !is_token {
            return Err(format!("malformed header line {shown:?}"));
        }
        if name.eq_ignore_ascii_case("Content-Length") {
            let shown_value: String = value.trim().chars().take(40).collect();
            let length = value
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("invalid Content-Length {shown_value:?}"))?;
            // Never wait for (or buffer towards) a body this large: the length is corrupt, and
            // the bytes that follow are read as garbage up to the next header.
            let length = usize::try_from(length)
                .ok()
                .filter(|&length| length <= MAX_CONTENT_LENGTH)
                .ok_or_else(|| {
                    format!(
                        "Content-Length {length} exceeds the limit of {} MiB; the message is skipped",
                        MAX_CONTENT_LENGTH >> 20
                    )
                })?;
            content_length = Some(length);
        }
    }
    content_length.ok_or_else(|| "missing Content-Length header".to_string())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn decode_all(input: &str) -> Vec<IncomingFrame> {
        let mut decoder = FrameDecoder::default();
        // Feed byte by byte: frames must not depend on how reads are split.
        let mut frames = Vec::new();
        for byte in input.as_bytes() {
            decoder.extend(std::slice::from_ref(byte));
            while let Some(frame) = decoder.next_frame() {
                frames.push(frame);
            }
        }
        frames
    }

    fn is_message(frame: &IncomingFrame) -> bool {
        matches!(frame, IncomingFrame::Message(_))
    }

    #[test]
    fn valid_frames_with_content_type_and_cjk_bodies() {
        let input = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n{}{}",
            frame(r#"{"a":"中文𠀀"}"#),
            frame("[1]")
        );
        let frames = decode_all(&input);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0], IncomingFrame::Message(serde_json::json!({"a": "中文𠀀"})));
    }

    #[test]
    fn invalid_json_costs_one_frame() {
        let frames = decode_all(&format!("{}{}", frame("{not json"), frame("{}")));
        assert!(matches!(frames[0], IncomingFrame::InvalidJson(_)));
        assert!(is_message(&frames[1]) && frames.len() == 2);
    }

    #[test]
    fn too_short_content_length_resynchronises_on_the_next_header() {
        let input = format!("Content-Length: 3\r\n\r\n{{\"a\":1}}{}", frame("{}"));
        let frames = decode_all(&input);
        assert!(matches!(frames[0], IncomingFrame::InvalidJson(_)));
        assert!(matches!(frames[1], IncomingFrame::InvalidHeader(_)));
        assert!(is_message(&frames[2]) && frames.len() == 3);
    }

    #[test]
    fn too_long_content_length_gives_back_the_next_message() {
        let input = format!("Content-Length: 20\r\n\r\n{{}}{}", frame("{\"b\":2}"));
        let frames = decode_all(&input);
        assert!(matches!(frames[0], IncomingFrame::InvalidJson(_)));
        assert_eq!(frames[1], IncomingFrame::Message(serde_json::json!({"b": 2})));
        assert_eq!(frames.len(), 2);
    }

    #[test]
    fn a_content_length_over_the_limit_is_refused_without_waiting_for_the_body() {
        let input = format!("Content-Length: 2147483648\r\n\r\n{{\"a\":1}}{}", frame("{}"));
        let frames = decode_all(&input);
        let IncomingFrame::InvalidHeader(detail) = &frames[0] else {
            panic!("an invalid header first, got {frames:?}");
        };
        assert!(detail.contains("2147483648 exceeds the limit of 256 MiB"), "{detail}");
        assert_eq!(frames.last(), Some(&IncomingFrame::Message(serde_json::json!({}))));
        let too_big_for_u64 = decode_all(&format!(
            "Content-Length: 99999999999999999999999\r\n\r\n{}",
            frame("1")
        ));
        assert!(
            matches!(&too_big_for_u64[0], IncomingFrame::InvalidHeader(detail) if detail.contains("invalid Content-Length"))
        );
        assert_eq!(
            too_big_for_u64.last(),
            Some(&IncomingFrame::Message(serde_json::json!(1)))
        );
    }

    #[test]
    fn garbage_headers_are_skipped() {
        let input = format!("Content-Length: x\r\n\r\n{}garbage\r\n\r\n{}", frame("1"), frame("2"));
        let frames = decode_all(&input);
        let messages: Vec<_> = frames.iter().filter(|frame| is_message(frame)).collect();
        assert_eq!(messages.len(), 2);
        assert!(matches!(frames[0], IncomingFrame::InvalidHeader(_)));
    }
}
