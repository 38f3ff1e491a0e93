//! Positions: the one module that converts byte offsets to lines and columns (UTF-8 or UTF-16) and back.
//!
//! A line ends at LF, CR or CRLF, as LSP counts lines. Columns past the end of a line are clamped
//! to the line's end; lines past the end of the text are clamped to the end of the text.

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

/// Line starts of one text, for converting offsets and positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let _ = text;
        LineIndex { line_starts: vec![0], len: 0 }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The position of a byte offset (clamped to the text; an offset inside a character counts
    /// as the start of that character).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let _ = (text, offset, encoding);
        Position::default()
    }

    /// The byte offset of a position (clamped: past the end of a line is its end, before the
    /// line ending; past the last line is the end of the text).
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let _ = (text, position, encoding);
        0
    }

    /// The byte range of a line's content, without its line ending.
    pub fn line_range(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let _ = (text, line);
        0..0
    }
}
