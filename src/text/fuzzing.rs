//! The position-conversion check behind the `positions` fuzz target and its seeded twin: string
//! and rope conversions agree with each other and with a plain count, round trip, and clamp.
//!
//! Part of [`crate::text`] because it counts UTF-16 units itself, as an independent reference.

use ropey::Rope;

use super::rope::{byte_to_position, position_to_byte_clamped, position_to_char};
use super::{Encoding, LineIndex, Position};

/// Any bytes: the text is the lossy UTF-8 of the bytes after the first eight, which pick
/// positions (in and out of range) to convert. Panics when a conversion breaks its contract.
#[doc(hidden)]
pub fn check_positions(data: &[u8]) {
    let (seed, rest) = data.split_at(data.len().min(8));
    let text = String::from_utf8_lossy(rest);
    let mut seed_bytes = [0u8; 8];
    seed_bytes[..seed.len()].copy_from_slice(seed);
    check_positions_in_text(&text, u64::from_le_bytes(seed_bytes));
}

/// [`check_positions`] on text; `seed` picks the out-of-range positions.
#[doc(hidden)]
pub fn check_positions_in_text(text: &str, seed: u64) {
    // Long inputs: every boundary of the first few kilobytes is plenty and keeps a run fast.
    const MAX_CHECKED_OFFSETS: usize = 4096;
    let lines = LineIndex::new(text);
    let rope = Rope::from_str(text);
    assert_eq!(lines.line_count(), rope.len_lines(), "line counts of {text:?}");
    let reference_lines = reference_line_ranges(text);
    assert_eq!(lines.line_count(), reference_lines.len(), "line count of {text:?}");
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        let offsets = text
            .char_indices()
            .map(|(offset, _)| offset)
            .chain([text.len()])
            .take(MAX_CHECKED_OFFSETS);
        for offset in offsets {
            let position = lines.position(text, offset, encoding);
            let expected = reference_position(text, &reference_lines, offset, encoding);
            assert_eq!(position, expected, "{encoding:?} position of {offset} in {text:?}");
            let from_rope = byte_to_position(&rope, offset, encoding);
            assert_eq!(
                (position.line, position.column),
                from_rope,
                "rope {encoding:?} {offset} in {text:?}"
            );
            // An offset between CR and LF is inside a line ending: it maps to the line's end.
            let inside_crlf =
                offset > 0 && text.as_bytes()[offset - 1] == b'\r' && text.as_bytes().get(offset) == Some(&b'\n');
            let round_trip = if inside_crlf { offset - 1 } else { offset };
            assert_eq!(
                lines.offset(text, position, encoding),
                round_trip,
                "{encoding:?} round trip of {offset} in {text:?}"
            );
            assert_eq!(
                position_to_byte_clamped(&rope, position.line, position.column, encoding),
                round_trip,
                "rope {encoding:?} round trip of {offset} in {text:?}"
            );
        }
        let mut state = seed | 1;
        for _ in 0..32 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let line = match state % 4 {
                0 => u32::MAX,
                _ => (state >> 8) as u32 % (lines.line_count() as u32 + 3),
            };
            let column = match (state >> 40) % 4 {
                0 => u32::MAX,
                _ => (state >> 44) as u32 % 64,
            };
            check_any_position(
                text,
                &lines,
                &rope,
                &reference_lines,
                Position::new(line, column),
                encoding,
            );
        }
    }
    // Offsets past the end and inside characters clamp, never panic.
    for offset in [text.len() + 1, usize::MAX] {
        let end = lines.position(text, text.len(), Encoding::Utf16);
        assert_eq!(lines.position(text, offset, Encoding::Utf16), end);
        assert_eq!(byte_to_position(&rope, offset, Encoding::Utf16), (end.line, end.column));
    }
}

/// Any position, possibly past the end of its line or of the text: string and rope conversions
/// give the same clamped offset, on a character boundary, and edits refuse lines past the end.
fn check_any_position(
    text: &str,
    lines: &LineIndex,
    rope: &Rope,
    reference_lines: &[std::ops::Range<usize>],
    position: Position,
    encoding: Encoding,
) {
    let offset = lines.offset(text, position, encoding);
    assert!(text.is_char_boundary(offset), "{position:?} → {offset} in {text:?}");
    let expected = match reference_lines.get(position.line as usize) {
        None => text.len(),
        Some(line) => {
            let mut units = 0;
            let mut clamped = line.end;
            for (relative, character) in text[line.clone()].char_indices() {
                let width = units_of(character, encoding);
                if units + width > position.column as usize {
                    clamped = line.start + relative;
                    break;
                }
                units += width;
            }
            clamped
        }
    };
    assert_eq!(offset, expected, "{encoding:?} offset of {position:?} in {text:?}");
    assert_eq!(
        position_to_byte_clamped(rope, position.line, position.column, encoding),
        offset,
        "rope {encoding:?} offset of {position:?} in {text:?}"
    );
    let for_edits = position_to_char(rope, position.line, position.column, encoding);
    assert_eq!(
        for_edits.is_err(),
        position.line as usize >= reference_lines.len(),
        "{position:?} in {text:?}"
    );
}

fn units_of(character: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => character.len_utf8(),
        Encoding::Utf16 => character.len_utf16(),
    }
}

/// Each line's content (without its ending), lines ending at LF, CR or CRLF: a plain loop.
fn reference_line_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let (mut start, mut index) = (0, 0);
    while index < bytes.len() {
        let ending = match bytes[index] {
            b'\r' if bytes.get(index + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if ending == 0 {
            index += 1;
            continue;
        }
        ranges.push(start..index);
        index += ending;
        start = index;
    }
    ranges.push(start..bytes.len());
    ranges
}

fn reference_position(text: &str, lines: &[std::ops::Range<usize>], offset: usize, encoding: Encoding) -> Position {
    // The last line whose start is at or before the offset; an offset between CR and LF counts
    // the CR, one column past the line's content (which clamps back to the content's end).
    let line = lines.iter().rposition(|line| line.start <= offset).unwrap_or(0);
    let column: usize = text[lines[line].start..offset]
        .chars()
        .map(|character| units_of(character, encoding))
        .sum();
    Position::new(line as u32, column as u32)
}
