//! Positions: the one module that converts byte offsets to lines and columns (UTF-8 or UTF-16) and back.
//!
//! A line ends at LF, CR or CRLF, as LSP counts lines. Columns past the end of a line are clamped
//! to the line's end; lines past the end of the text are clamped to the end of the text.
//!
//! Every method takes the text the index was built from. Given another text they still never
//! panic: offsets are clamped to that text and snapped back to its character boundaries.

use std::ops::Range;

#[doc(hidden)]
pub mod fuzzing;
pub mod rope;

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// A zero-based line and column, the column counted in the encoding's code units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn new(line: u32, column: u32) -> Position {
        Position { line, column }
    }
}

/// Line starts of one text, for converting offsets and positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

/// Number of UTF-16 code units needed for `s`.
///
/// Every byte that is not a continuation byte starts one character (one unit), and every
/// four-byte leader (0xF0..) starts an astral character that needs a second unit. Counting into a
/// `u8` per chunk lets the compiler keep 16 bytes per vector register; widening each byte to
/// `usize` defeats vectorisation and measured about 15 times slower (1.8 µs against 0.1 µs per KB).
/// A chunk of 96 bytes (a multiple of the vector width) leaves no scalar tail inside the loop.
pub fn utf16_len(s: &str) -> usize {
    // Each byte adds at most 2, so a chunk adds at most 192 and cannot overflow a u8.
    const CHUNK_BYTES: usize = 96;
    s.as_bytes()
        .chunks(CHUNK_BYTES)
        .map(|chunk| {
            let units_in_chunk = chunk.iter().fold(0u8, |units, &byte| {
                units + u8::from((byte & 0xC0) != 0x80) + u8::from(byte >= 0xF0)
            });
            usize::from(units_in_chunk)
        })
        .sum()
}

/// Offsets beyond `u32::MAX` cannot be stored; texts that large are not edited in a language
/// server, so saturating keeps the index total instead of panicking.
fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The largest character boundary of `text` at or before `offset` (clamped to the text).
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut boundary = offset.min(text.len());
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    boundary
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 40 + 1);
        line_starts.push(0);
        let mut search_from = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[search_from..]) {
            let ending_start = search_from + found;
            let is_crlf = bytes[ending_start] == b'\r' && bytes.get(ending_start + 1) == Some(&b'\n');
            let next_line_start = ending_start + if is_crlf { 2 } else { 1 };
            line_starts.push(saturating_u32(next_line_start));
            search_from = next_line_start;
        }
        LineIndex {
            line_starts,
            len: saturating_u32(text.len()),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Length in bytes of the text the index was built from.
    pub fn text_len(&self) -> usize {
        self.len as usize
    }

    /// Byte offset where `line` starts, or `None` past the last line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get(line as usize).map(|&start| start as usize)
    }

    /// The line that contains `offset`; an offset inside a line ending belongs to the line it ends.
    fn line_of_offset(&self, offset: usize) -> usize {
        let offset = saturating_u32(offset);
        // line_starts[0] == 0 <= offset, so the partition point is at least 1.
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The position of a byte offset (clamped to the text; an offset inside a character counts
    /// as the start of that character).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of_offset(offset);
        let line_start = self.line_starts.get(line).map_or(0, |&start| start as usize);
        let before_offset = text.get(line_start.min(offset)..offset).unwrap_or("");
        let column = match encoding {
            Encoding::Utf8 => before_offset.len(),
            Encoding::Utf16 if before_offset.is_ascii() => before_offset.len(),
            Encoding::Utf16 => utf16_len(before_offset),
        };
        Position {
            line: saturating_u32(line),
            column: saturating_u32(column),
        }
    }

    /// Positions of both ends of a byte range.
    pub fn range(&self, text: &str, range: Range<usize>, encoding: Encoding) -> (Position, Position) {
        let start = self.position(text, range.start, encoding);
        // The end is usually on the same line, so the line search and counting restart there.
        let end = self.position(text, range.end.max(range.start), encoding);
        (start, end)
    }

    /// The byte offset of a position (clamped: past the end of a line is its end, before the
    /// line ending; past the last line is the end of the text).
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        if position.line as usize >= self.line_starts.len() {
            return text.len();
        }
        let content = self.line_range(text, position.line);
        let line_text = text.get(content.clone()).unwrap_or("");
        let column = position.column as usize;
        match encoding {
            Encoding::Utf8 => floor_char_boundary(text, content.start + column.min(line_text.len())),
            Encoding::Utf16 if line_text.is_ascii() => content.start + column.min(line_text.len()),
            Encoding::Utf16 => {
                let mut units_before = 0;
                for (char_offset, character) in line_text.char_indices() {
                    let units_after = units_before + character.len_utf16();
                    // A column inside a surrogate pair snaps back to the start of its character.
                    if units_after > column {
                        return content.start + char_offset;
                    }
                    units_before = units_after;
                }
                content.end
            }
        }
    }

    /// Byte offsets of both ends of a position range.
    pub fn offset_range(&self, text: &str, start: Position, end: Position, encoding: Encoding) -> Range<usize> {
        let start_offset = self.offset(text, start, encoding);
        let end_offset = self.offset(text, end, encoding);
        start_offset..end_offset.max(start_offset)
    }

    /// The byte range of a line's content, without its line ending.
    pub fn line_range(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let line = line as usize;
        let Some(&start) = self.line_starts.get(line) else {
            return text.len()..text.len();
        };
        let start = floor_char_boundary(text, start as usize);
        let end = match self.line_starts.get(line + 1) {
            None => text.len(),
            Some(&next_start) => {
                let next_start = (next_start as usize).min(text.len());
                let bytes = text.as_bytes();
                let mut end = next_start;
                if end > start && bytes.get(end - 1) == Some(&b'\n') {
                    end -= 1;
                    if end > start && bytes.get(end - 1) == Some(&b'\r') {
                        end -= 1;
                    }
                } else if end > start && bytes.get(end - 1) == Some(&b'\r') {
                    end -= 1;
                }
                floor_char_boundary(text, end)
            }
        };
        start..end.max(start)
    }
}

/// UTF-16 positions of many byte offsets of one text, in the order given, computed in a single
/// forward pass. An offset inside a character counts as that character's start; one beyond the
/// text as its end.
///
/// Facts need the position of every link; converting each offset on its own would rescan long
/// lines once per link, which is quadratic on a 10 MB single-line page. The offsets are sorted
/// with their indices packed beside them, so the answer comes back in input order without a
/// search per lookup, and the line endings are found by one scan over the text, which stops
/// after the last offset. Facts give a few runs that are already in order (link ends, heading
/// starts, problem ends): the stable sort finds such runs and merges them, where the unstable
/// one partitioned them again (a sixth of this function's instructions).
pub fn positions_in_order(text: &str, offsets: &[u32]) -> Vec<Position> {
    let mut order: Vec<u64> = offsets
        .iter()
        .enumerate()
        .map(|(index, &offset)| {
            let offset = floor_char_boundary(text, offset as usize) as u64;
            (offset << 32) | index as u64
        })
        .collect();
    // The keys are distinct (their index is part of them), so stable or not orders them alike.
    order.sort();
    let mut positions = vec![Position::default(); offsets.len()];
    let bytes = text.as_bytes();
    let mut pending = order.into_iter().peekable();
    // The line being walked, and the offset (on it) whose column is `column`.
    let (mut line, mut previous, mut column) = (0u32, 0usize, 0u32);
    let mut place_up_to = |limit: usize, line: u32, previous: &mut usize, column: &mut u32| {
        while let Some(&key) = pending.peek() {
            let offset = (key >> 32) as usize;
            if offset > limit {
                return true;
            }
            *column += text.get(*previous..offset).map_or(0, utf16_len) as u32;
            *previous = offset;
            if let Some(slot) = positions.get_mut((key & u64::from(u32::MAX)) as usize) {
                *slot = Position { line, column: *column };
            }
            pending.next();
        }
        false
    };
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        // CR LF is one line ending, which ends at the LF.
        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            continue;
        }
        // Offsets up to the line ending itself are on this line.
        if !place_up_to(at, line, &mut previous, &mut column) {
            return positions;
        }
        line += 1;
        previous = at + 1;
        column = 0;
    }
    place_up_to(usize::MAX, line, &mut previous, &mut column);
    positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::XorShift;

    const BOTH_ENCODINGS: [Encoding; 2] = [Encoding::Utf8, Encoding::Utf16];

    fn position(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    #[test]
    fn empty_text_has_one_empty_line() {
        let index = LineIndex::new("");
        assert_eq!(index.line_count(), 1);
        assert_eq!(index.line_range("", 0), 0..0);
        assert_eq!(index.line_range("", 5), 0..0);
        for encoding in BOTH_ENCODINGS {
            assert_eq!(index.position("", 0, encoding), position(0, 0));
            assert_eq!(index.position("", 10, encoding), position(0, 0));
            assert_eq!(index.offset("", position(0, 0), encoding), 0);
            assert_eq!(index.offset("", position(3, 7), encoding), 0);
        }
    }

    #[test]
    fn chinese_columns_differ_between_encodings() {
        let text = "中文ab";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 3, Encoding::Utf8), position(0, 3));
        assert_eq!(index.position(text, 3, Encoding::Utf16), position(0, 1));
        assert_eq!(index.position(text, 7, Encoding::Utf16), position(0, 3));
        assert_eq!(index.offset(text, position(0, 2), Encoding::Utf16), 6);
        assert_eq!(index.offset(text, position(0, 6), Encoding::Utf8), 6);
    }

    #[test]
    fn astral_character_takes_two_utf16_units() {
        let text = "a𠀀b";
        assert_eq!("𠀀".len(), 4);
        assert_eq!(utf16_len(text), 4);
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 5, Encoding::Utf16), position(0, 3));
        assert_eq!(index.position(text, 5, Encoding::Utf8), position(0, 5));
        assert_eq!(index.offset(text, position(0, 3), Encoding::Utf16), 5);
        // Column 2 is between the two surrogates: snap back to the character's start.
        assert_eq!(index.offset(text, position(0, 2), Encoding::Utf16), 1);
    }

    #[test]
    fn offset_inside_character_counts_as_its_start() {
        let text = "x中y";
        let index = LineIndex::new(text);
        for inside in 2..=3 {
            assert_eq!(index.position(text, inside, Encoding::Utf8), position(0, 1));
            assert_eq!(index.position(text, inside, Encoding::Utf16), position(0, 1));
        }
        // A UTF-8 column inside a character also snaps back.
        assert_eq!(index.offset(text, position(0, 2), Encoding::Utf8), 1);
    }

    #[test]
    fn crlf_is_one_line_ending_and_lone_cr_ends_a_line() {
        let text = "ab\r\ncd\ref\ngh";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_range(text, 0), 0..2);
        assert_eq!(index.line_range(text, 1), 4..6);
        assert_eq!(index.line_range(text, 2), 7..9);
        assert_eq!(index.line_range(text, 3), 10..12);
        assert_eq!(index.position(text, 4, Encoding::Utf8), position(1, 0));
        assert_eq!(index.position(text, 7, Encoding::Utf16), position(2, 0));
        // Offsets inside the line ending stay on the line they end.
        assert_eq!(index.position(text, 3, Encoding::Utf8), position(0, 3));
        // Past the line's end clamps before the line ending.
        assert_eq!(index.offset(text, position(0, 99), Encoding::Utf8), 2);
        assert_eq!(index.offset(text, position(1, 99), Encoding::Utf16), 6);
    }

    #[test]
    fn trailing_line_endings_start_an_empty_line() {
        for text in ["a\n", "a\r", "a\r\n"] {
            let index = LineIndex::new(text);
            assert_eq!(index.line_count(), 2, "{text:?}");
            assert_eq!(index.line_range(text, 1), text.len()..text.len());
            assert_eq!(index.position(text, text.len(), Encoding::Utf16), position(1, 0));
        }
    }

    #[test]
    fn last_line_without_newline_and_positions_past_the_end() {
        let text = "一\n二三";
        let index = LineIndex::new(text);
        assert_eq!(index.line_range(text, 1), 4..10);
        assert_eq!(index.position(text, 1000, Encoding::Utf16), position(1, 2));
        assert_eq!(index.position(text, 1000, Encoding::Utf8), position(1, 6));
        assert_eq!(index.offset(text, position(1, 1000), Encoding::Utf16), 10);
        assert_eq!(index.offset(text, position(9, 0), Encoding::Utf8), 10);
        assert_eq!(index.line_range(text, 9), 10..10);
        assert_eq!(index.line_start(1), Some(4));
        assert_eq!(index.line_start(2), None);
    }

    #[test]
    fn range_and_offset_range_convert_both_ends() {
        let text = "中\n𠀀x";
        let index = LineIndex::new(text);
        let (start, end) = index.range(text, 0..9, Encoding::Utf16);
        assert_eq!((start, end), (position(0, 0), position(1, 3)));
        assert_eq!(index.offset_range(text, start, end, Encoding::Utf16), 0..9);
        let (_, inside_astral) = index.range(text, 4..6, Encoding::Utf16);
        assert_eq!(inside_astral, position(1, 0));
    }

    fn assert_round_trips_every_boundary(text: &str) {
        let index = LineIndex::new(text);
        for encoding in BOTH_ENCODINGS {
            for (offset, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                let converted = index.position(text, offset, encoding);
                let back = index.offset(text, converted, encoding);
                // A boundary between CR and LF is inside a line ending: it clamps to the line's end.
                let inside_crlf = offset > 0
                    && text.as_bytes().get(offset - 1) == Some(&b'\r')
                    && text.as_bytes().get(offset) == Some(&b'\n');
                if inside_crlf {
                    assert_eq!(back, offset - 1, "{text:?} {offset} {encoding:?}");
                } else {
                    assert_eq!(back, offset, "{text:?} {offset} {encoding:?}");
                }
            }
        }
    }

    #[test]
    fn every_boundary_of_a_mixed_string_round_trips() {
        assert_round_trips_every_boundary("ab中文\r\n𠀀x\ré\n\n漢字𠀀𠀁 end\r\n");
        assert_round_trips_every_boundary("");
        assert_round_trips_every_boundary("\r\r\n\n");
    }

    #[test]
    fn utf16_len_matches_std() {
        for sample in ["", "abc", "中文", "𠀀", "aé中𠀀\r\n"] {
            assert_eq!(utf16_len(sample), sample.encode_utf16().count());
        }
        // Every piece of a text longer than two chunks: whole chunks, tails of every length,
        // astral characters across a chunk's end.
        let text = "a𠀀中é文\r\n😀b".repeat(12);
        for (start, _) in text.char_indices() {
            for (end, _) in text.char_indices().filter(|&(end, _)| end >= start) {
                let piece = &text[start..end];
                assert_eq!(utf16_len(piece), piece.encode_utf16().count(), "{start}..{end}");
            }
        }
    }

    /// A tiny xorshift generator: reproducible random input without extra crates.

    #[test]
    fn seeded_random_texts_round_trip_and_never_panic() {
        const ALPHABET: [char; 10] = ['a', ' ', '\n', '\r', '中', '𠀀', 'é', '文', '\t', '😀'];
        let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..500 {
            let length = (random.next_u64() % 40) as usize;
            let text: String = (0..length)
                .map(|_| ALPHABET[(random.next_u64() % ALPHABET.len() as u64) as usize])
                .collect();
            assert_round_trips_every_boundary(&text);
            let index = LineIndex::new(&text);
            for _ in 0..20 {
                let offset = (random.next_u64() % 200) as usize;
                let line = (random.next_u64() % 12) as u32;
                let column = (random.next_u64() % 60) as u32;
                for encoding in BOTH_ENCODINGS {
                    let converted = index.position(&text, offset, encoding);
                    assert!(converted.line < index.line_count() as u32);
                    let back = index.offset(&text, position(line, column), encoding);
                    assert!(text.is_char_boundary(back));
                    let range = index.line_range(&text, line);
                    assert!(range.start <= range.end && range.end <= text.len());
                }
            }
            // A different text than the one indexed must not panic either.
            let other = "中";
            let _ = index.position(other, offset_of_random(&mut random), Encoding::Utf16);
            let _ = index.offset(other, position(1, 1), Encoding::Utf8);
            let _ = index.line_range(other, 2);
        }
    }

    /// The seeded twin of the `positions` fuzz target (`fuzz/`): the same check on seeded bytes.
    /// `WIKILS_FUZZ_ITERATIONS` runs more of them.
    #[test]
    fn seeded_bytes_pass_the_positions_fuzz_check() {
        const PIECES: [&[u8]; 12] = [
            b"a",
            b" ",
            b"\n",
            b"\r",
            b"\r\n",
            "中".as_bytes(),
            "𠀀".as_bytes(),
            "é".as_bytes(),
            b"\xF0\x9F",
            b"\xFF",
            b"\t",
            b"[[",
        ];
        let iterations = crate::testing::iterations_from_environment("WIKILS_FUZZ_ITERATIONS", 400);
        let mut random = XorShift(0xA076_1D64_78BD_642F);
        for _ in 0..iterations {
            let mut bytes = random.next_u64().to_le_bytes().to_vec();
            for _ in 0..random.below(48) {
                bytes.extend_from_slice(PIECES[random.below(PIECES.len())]);
            }
            crate::fuzzing::check_positions(&bytes);
        }
    }

    fn offset_of_random(random: &mut XorShift) -> usize {
        (random.next_u64() % 50) as usize
    }

    #[test]
    fn utf16_columns_match_a_reference_count() {
        let text = "x𠀀中\ny";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
            let expected = text[line_start..offset].encode_utf16().count() as u32;
            assert_eq!(index.position(text, offset, Encoding::Utf16).column, expected);
        }
    }

    #[test]
    fn positions_in_order_agree_with_line_index_on_mixed_text() {
        let text = "a中\r\n𠀀b\rc\n\n中文𠀀x\r\n";
        let index = LineIndex::new(text);
        // Every byte offset (inside characters too) and beyond the end, reversed and repeated:
        // the answer follows the input order.
        let mut offsets: Vec<u32> = (0..=text.len() as u32 + 2).rev().collect();
        offsets.extend([3, 0, 3]);
        let positions = positions_in_order(text, &offsets);
        assert_eq!(positions.len(), offsets.len());
        for (offset, position) in offsets.iter().zip(&positions) {
            assert_eq!(
                *position,
                index.position(text, floor_char_boundary(text, *offset as usize), Encoding::Utf16),
                "offset {offset}"
            );
        }
        assert_eq!(positions_in_order(text, &[]), Vec::new());
        assert_eq!(positions_in_order("", &[0, 5]), vec![Position::default(); 2]);
    }

    /// Facts' shape: runs already in order (link ends, heading starts, problem ends), merged.
    #[test]
    fn positions_in_order_of_sorted_runs() {
        let text = "[[中]] 𠀀 [[a]]\n== 節 ==\n{{𠀀 [[b\r\nx";
        let index = LineIndex::new(text);
        let len = text.len() as u32;
        let runs: [&[u32]; 3] = [&[0, 7, 13, 18], &[19], &[35, len, 31, len]];
        let offsets = runs.concat();
        let positions = positions_in_order(text, &offsets);
        for (offset, position) in offsets.iter().zip(&positions) {
            assert_eq!(
                *position,
                index.position(text, *offset as usize, Encoding::Utf16),
                "offset {offset}"
            );
        }
        assert_eq!(positions[4], position(1, 0));
        assert_eq!(positions[8], position(3, 1));
    }
}
