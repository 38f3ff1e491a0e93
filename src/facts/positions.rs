//! Link positions packed as variable-length deltas: a few bytes per link instead of the 16 of
//! two `Position`s, read back in document order (diagnostics walk links in order).
//!
//! Each link contributes its start relative to the previous link's start, then its end relative
//! to its own start. Links are in document order (by start), so both deltas are forward: a
//! position relative to an earlier one is written as `line delta, column`, where the column is
//! itself a delta when the line delta is 0. Numbers are LEB128 varints: a link on one line
//! costs 4–6 bytes.

use crate::text::Position;

/// The start and end positions (UTF-16 line/column) of a document's links, packed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedPositions {
    bytes: Box<[u8]>,
}

impl PackedPositions {
    /// Packs `(start, end)` pairs given in document order.
    pub fn pack(pairs: impl IntoIterator<Item = (Position, Position)>) -> PackedPositions {
        let pairs = pairs.into_iter();
        // A link on one line takes 4–6 bytes: room for 6 spares the buffer's regrowth.
        let mut bytes = Vec::with_capacity(pairs.size_hint().0 * 6);
        let mut previous = Position::default();
        for (start, end) in pairs {
            push_relative(&mut bytes, previous, start);
            push_relative(&mut bytes, start, end);
            previous = start;
        }
        // Copied into an allocation of the exact size: shrinking `bytes` in place could keep
        // its doubled capacity (mimalloc keeps a block that shrinks by less than half).
        PackedPositions {
            bytes: bytes.as_slice().into(),
        }
    }

    /// The `(start, end)` pairs, in the order they were packed.
    pub fn iter(&self) -> PositionsIter<'_> {
        PositionsIter {
            bytes: &self.bytes,
            previous: Position::default(),
        }
    }

    /// Heap bytes used.
    pub fn heap_size(&self) -> usize {
        self.bytes.len()
    }

    /// The packed form, e.g. to store it (the index cache); [`PackedPositions::from_bytes`]
    /// takes it back.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Positions from [`PackedPositions::as_bytes`]. Malformed bytes never panic: reading stops
    /// at the first incomplete number.
    pub fn from_bytes(bytes: &[u8]) -> PackedPositions {
        PackedPositions { bytes: bytes.into() }
    }

    /// Positions from stored bytes that must hold exactly `count` pairs: `None` when they hold
    /// fewer or more, end inside a number, or hold a number too large for 32 bits, so damaged
    /// bytes are rejected rather than read as other positions.
    pub fn checked_from_bytes(bytes: &[u8], count: usize) -> Option<PackedPositions> {
        let mut rest = bytes;
        for _ in 0..count {
            // Two positions of two numbers each.
            for _ in 0..4 {
                read_varint_strict(&mut rest)?;
            }
        }
        rest.is_empty().then(|| PackedPositions::from_bytes(bytes))
    }
}

/// Reads packed positions back; see [`PackedPositions::iter`].
pub struct PositionsIter<'a> {
    bytes: &'a [u8],
    previous: Position,
}

impl Iterator for PositionsIter<'_> {
    type Item = (Position, Position);

    fn next(&mut self) -> Option<(Position, Position)> {
        if self.bytes.is_empty() {
            return None;
        }
        let start = read_relative(&mut self.bytes, self.previous)?;
        let end = read_relative(&mut self.bytes, start)?;
        self.previous = start;
        Some((start, end))
    }
}

/// Writes `position` relative to `base`. A position before its base (never produced by links
/// in document order) is written as if it were on the base's line at the base's column.
fn push_relative(bytes: &mut Vec<u8>, base: Position, position: Position) {
    let line_delta = position.line.saturating_sub(base.line);
    push_varint(bytes, line_delta);
    let column = if line_delta == 0 {
        position.column.saturating_sub(base.column)
    } else {
        position.column
    };
    push_varint(bytes, column);
}

fn read_relative(bytes: &mut &[u8], base: Position) -> Option<Position> {
    let line_delta = read_varint(bytes)?;
    let column = read_varint(bytes)?;
    Some(if line_delta == 0 {
        Position::new(base.line, base.column.saturating_add(column))
    } else {
        Position::new(base.line.saturating_add(line_delta), column)
    })
}

fn push_varint(bytes: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        bytes.push((value as u8) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

fn read_varint(bytes: &mut &[u8]) -> Option<u32> {
    let mut value = 0u32;
    for shift in (0..35).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u32::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

/// A varint of at most 32 bits, or `None` when the bytes end inside it or it is longer.
fn read_varint_strict(bytes: &mut &[u8]) -> Option<u32> {
    let mut value = 0u32;
    for shift in (0..32).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        let part = u32::from(byte & 0x7f);
        // The fifth byte may carry only the top 4 bits.
        if shift == 28 && part > 0x0f {
            return None;
        }
        value |= part << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::XorShift;

    fn position(line: u32, column: u32) -> Position {
        Position::new(line, column)
    }

    #[test]
    fn round_trips_nested_and_multiline_links() {
        let pairs = vec![
            (position(0, 0), position(0, 7)),
            // Nested: starts after the previous start, ends before the previous end.
            (position(0, 3), position(0, 5)),
            (position(2, 200), position(4, 1)),
            (position(2, 300), position(2, 301)),
            (position(70_000, u32::MAX - 1), position(70_000, u32::MAX)),
            (position(u32::MAX, 0), position(u32::MAX, 0)),
        ];
        let packed = PackedPositions::pack(pairs.clone());
        assert_eq!(packed.iter().collect::<Vec<_>>(), pairs);
        let stored = PackedPositions::from_bytes(packed.as_bytes());
        assert_eq!(stored.iter().collect::<Vec<_>>(), pairs);
        // One-line links near the previous one take a few bytes each.
        assert_eq!(PackedPositions::pack(pairs[..2].to_vec()).heap_size(), 8);
    }

    #[test]
    fn round_trips_random_positions_in_order() {
        let mut random = XorShift(7);
        let mut pairs = Vec::new();
        let mut start = position(0, 0);
        for _ in 0..10_000 {
            start = if random.below(3) == 0 {
                position(start.line + random.below(1000) as u32 + 1, random.below(100_000) as u32)
            } else {
                position(start.line, start.column + random.below(300) as u32)
            };
            let end = if random.below(5) == 0 {
                position(start.line + random.below(4) as u32 + 1, random.below(500) as u32)
            } else {
                position(start.line, start.column + random.below(70_000) as u32)
            };
            pairs.push((start, end));
        }
        let packed = PackedPositions::pack(pairs.clone());
        assert_eq!(packed.iter().collect::<Vec<_>>(), pairs);
    }

    #[test]
    fn checked_bytes_must_hold_exactly_the_count() {
        let pairs = vec![
            (position(0, 0), position(0, 7)),
            (position(3, 1), position(3, u32::MAX)),
        ];
        let packed = PackedPositions::pack(pairs.clone());
        let bytes = packed.as_bytes();
        let checked =
            PackedPositions::checked_from_bytes(bytes, 2).map(|positions| positions.iter().collect::<Vec<_>>());
        assert_eq!(checked, Some(pairs));
        assert_eq!(PackedPositions::checked_from_bytes(bytes, 1), None);
        assert_eq!(PackedPositions::checked_from_bytes(bytes, 3), None);
        assert_eq!(PackedPositions::checked_from_bytes(&bytes[..bytes.len() - 1], 2), None);
        assert_eq!(
            PackedPositions::checked_from_bytes(&[], 0),
            Some(PackedPositions::default())
        );
        // A number over 32 bits: five bytes whose last carries more than 4 bits.
        assert_eq!(
            PackedPositions::checked_from_bytes(&[0xff, 0xff, 0xff, 0xff, 0x1f, 0, 0, 0], 1),
            None
        );
        assert!(PackedPositions::checked_from_bytes(&[0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0], 1).is_some());
    }

    #[test]
    fn empty_and_truncated_input_end_the_iteration() {
        assert_eq!(PackedPositions::default().iter().next(), None);
        let truncated = PositionsIter {
            bytes: &[0x80],
            previous: Position::default(),
        };
        assert_eq!(truncated.count(), 0);
    }
}
