//! `textDocument/foldingRange`: the sections of [`crate::ide::folding`] as line ranges.
//!
//! Only lines are sent (no characters), which is what `lineFoldingOnly` clients require and what
//! the others draw the same way.

use ropey::Rope;
use tower_lsp::lsp_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

use crate::ide::folding::{folding_ranges, FoldingKind};
use crate::syntax::Flavor;

/// The folding ranges of an open document whose text is `rope`.
pub fn folding_range(rope: &Rope, params: &FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let path = params.text_document.uri.to_file_path().ok()?;
    let flavor = Flavor::from_path(&path)?;
    let ranges = folding_ranges(&rope.to_string(), flavor)
        .into_iter()
        .map(|range| FoldingRange {
            start_line: range.start_line,
            start_character: None,
            end_line: range.end_line,
            end_character: None,
            kind: Some(match range.kind {
                FoldingKind::Comment => FoldingRangeKind::Comment,
                FoldingKind::Section | FoldingKind::Literal => FoldingRangeKind::Region,
            }),
            collapsed_text: None,
        })
        .collect();
    Some(ranges)
}
