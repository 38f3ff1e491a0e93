//! LSP line/column positions ↔ rope char indices, in the negotiated encoding (UTF-8 or UTF-16).
//!
//! Part of [`crate::text`], the one module that converts positions: this half works on the
//! editor's ropes, the other on plain strings. Lines end at LF, CR or CRLF only (ropey is built with `cr_lines` and
//! without `unicode_lines`), which is how LSP counts lines.
//!
//! Clamping rules, from the LSP specification:
//! - a column past the end of a line means the end of that line (before its line ending);
//! - a column that falls inside a character (inside a UTF-16 surrogate pair, or inside a
//!   multi-byte UTF-8 sequence) means the start of that character;
//! - a line past the end of the document is an error for edits ([`position_to_char`]), because
//!   guessing would silently desynchronise the document, and is clamped to the end of the
//!   document for queries ([`position_to_char_clamped`]).

use ropey::Rope;

use crate::text::Encoding;

/// A position whose line does not exist in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionOutOfRange {
    pub line: u32,
    pub line_count: usize,
}

impl std::fmt::Display for PositionOutOfRange {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "line {} is past the end of the document ({} lines)",
            self.line, self.line_count
        )
    }
}

impl std::error::Error for PositionOutOfRange {}

/// The char index of a position; an error if the line does not exist.
pub fn position_to_char(rope: &Rope, line: u32, column: u32, encoding: Encoding) -> Result<usize, PositionOutOfRange> {
    let line_index = line as usize;
    if line_index >= rope.len_lines() {
        return Err(PositionOutOfRange {
            line,
            line_count: rope.len_lines(),
        });
    }
    let line_start_char = rope.line_to_char(line_index);
    let line_end_char = line_start_char + line_content_len_chars(rope, line_index);
    let column = column as usize;
    // Work in absolute code units of the whole rope: ropey answers these in O(log n), and its
    // unit → char conversions return the char containing a unit, which is exactly the
    // "inside a character means its start" rule.
    let char_index = match encoding {
        Encoding::Utf16 => {
            let line_start_unit = rope.char_to_utf16_cu(line_start_char);
            let line_end_unit = rope.char_to_utf16_cu(line_end_char);
            let target_unit = line_start_unit.saturating_add(column).min(line_end_unit);
            rope.utf16_cu_to_char(target_unit)
        }
        Encoding::Utf8 => {
            let line_start_byte = rope.char_to_byte(line_start_char);
            let line_end_byte = rope.char_to_byte(line_end_char);
            let target_byte = line_start_byte.saturating_add(column).min(line_end_byte);
            rope.byte_to_char(target_byte)
        }
    };
    Ok(char_index)
}

/// The char index of a position, a line past the end meaning the end of the document.
pub fn position_to_char_clamped(rope: &Rope, line: u32, column: u32, encoding: Encoding) -> usize {
    position_to_char(rope, line, column, encoding).unwrap_or_else(|_| rope.len_chars())
}

/// The position (line, column) of a char index, clamped to the end of the document.
pub fn char_to_position(rope: &Rope, char_index: usize, encoding: Encoding) -> (u32, u32) {
    let char_index = char_index.min(rope.len_chars());
    let line_index = rope.char_to_line(char_index);
    let line_start_char = rope.line_to_char(line_index);
    let column = match encoding {
        Encoding::Utf16 => rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start_char),
        Encoding::Utf8 => rope.char_to_byte(char_index) - rope.char_to_byte(line_start_char),
    };
    (saturating_u32(line_index), saturating_u32(column))
}

/// The position of a byte offset (clamped to the document; inside a character means its start).
pub fn byte_to_position(rope: &Rope, byte: usize, encoding: Encoding) -> (u32, u32) {
    let byte = byte.min(rope.len_bytes());
    char_to_position(rope, rope.byte_to_char(byte), encoding)
}

/// The byte offset of a position, clamped as for queries ([`position_to_char_clamped`]).
pub fn position_to_byte_clamped(rope: &Rope, line: u32, column: u32, encoding: Encoding) -> usize {
    rope.char_to_byte(position_to_char_clamped(rope, line, column, encoding))
}

/// The number of chars on a line, not counting its line ending (LF, CR or CRLF).
pub fn line_content_len_chars(rope: &Rope, line_index: usize) -> usize {
    let line = rope.line(line_index);
    let mut len = line.len_chars();
    // With `cr_lines`, a CR or LF can only appear in a line slice as (part of) its ending.
    if len > 0 && line.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && line.char(len - 1) == '\r' {
        len -= 1;
    }
    len
}

fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn char_of(text: &str, line: u32, column: u32, encoding: Encoding) -> Option<usize> {
        position_to_char(&Rope::from_str(text), line, column, encoding).ok()
    }

    #[test]
    fn lines_end_only_at_lf_cr_and_crlf() {
        let rope = Rope::from_str("a\nb\rc\r\nd\u{2028}e\u{85}f");
        assert_eq!(rope.len_lines(), 4);
        assert_eq!(line_content_len_chars(&rope, 3), 5);
    }

    #[test]
    fn chinese_columns_differ_by_encoding() {
        // 中 is 3 bytes in UTF-8 and 1 unit in UTF-16.
        assert_eq!(char_of("中文x", 0, 1, Encoding::Utf16), Some(1));
        assert_eq!(char_of("中文x", 0, 3, Encoding::Utf8), Some(1));
        assert_eq!(char_of("中文x", 0, 6, Encoding::Utf8), Some(2));
    }

    #[test]
    fn astral_character_inside_surrogate_pair_clamps_to_its_start() {
        // 𠀀 is 2 UTF-16 units and 4 UTF-8 bytes.
        assert_eq!(char_of("𠀀a", 0, 1, Encoding::Utf16), Some(0));
        assert_eq!(char_of("𠀀a", 0, 2, Encoding::Utf16), Some(1));
        assert_eq!(char_of("𠀀a", 0, 3, Encoding::Utf8), Some(0));
        assert_eq!(char_of("𠀀a", 0, 4, Encoding::Utf8), Some(1));
    }

    #[test]
    fn column_past_line_end_clamps_before_the_line_ending() {
        assert_eq!(char_of("ab\r\ncd", 0, 99, Encoding::Utf16), Some(2));
        assert_eq!(char_of("ab\rcd", 0, 99, Encoding::Utf8), Some(2));
        assert_eq!(char_of("ab\ncd", 1, 99, Encoding::Utf16), Some(5));
        assert_eq!(char_of("ab\r\ncd", 1, 0, Encoding::Utf16), Some(4));
    }

    #[test]
    fn line_past_the_end_is_an_error_for_edits_and_clamped_for_queries() {
        let rope = Rope::from_str("a\n");
        assert_eq!(position_to_char(&rope, 1, 0, Encoding::Utf16), Ok(2));
        assert_eq!(
            position_to_char(&rope, 2, 0, Encoding::Utf16),
            Err(PositionOutOfRange { line: 2, line_count: 2 })
        );
        assert_eq!(position_to_char_clamped(&rope, 7, 3, Encoding::Utf16), 2);
        assert_eq!(char_of("", 0, 5, Encoding::Utf8), Some(0));
    }

    #[test]
    fn byte_offsets_convert_in_both_encodings() {
        let rope = Rope::from_str("中\r\n𠀀a");
        assert_eq!(byte_to_position(&rope, 9, Encoding::Utf16), (1, 2));
        assert_eq!(byte_to_position(&rope, 9, Encoding::Utf8), (1, 4));
        // Inside 𠀀 means its start; past the end means the end.
        assert_eq!(byte_to_position(&rope, 7, Encoding::Utf16), (1, 0));
        assert_eq!(byte_to_position(&rope, 99, Encoding::Utf16), (1, 3));
        assert_eq!(position_to_byte_clamped(&rope, 1, 2, Encoding::Utf16), 9);
        assert_eq!(position_to_byte_clamped(&rope, 1, 4, Encoding::Utf8), 9);
        assert_eq!(position_to_byte_clamped(&rope, 5, 0, Encoding::Utf8), 10);
    }

    #[test]
    fn char_to_position_round_trips_on_mixed_text() {
        let text = "中文\r\n𠀀𠮷a\rb\n\n";
        let rope = Rope::from_str(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            for char_index in 0..=rope.len_chars() {
                let (line, column) = char_to_position(&rope, char_index, encoding);
                let back = position_to_char(&rope, line, column, encoding);
                // The one char index without a position of its own is the LF of a CRLF.
                if char_index == 3 {
                    assert_eq!(back, Ok(2));
                } else {
                    assert_eq!(back, Ok(char_index), "{encoding:?} char {char_index}");
                }
            }
        }
        assert_eq!(char_to_position(&rope, 5, Encoding::Utf16), (1, 2));
        assert_eq!(char_to_position(&rope, 5, Encoding::Utf8), (1, 4));
    }
}
