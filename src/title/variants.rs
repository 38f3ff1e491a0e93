//! Traditional/Simplified folding with a per-character table derived once from OpenCC's dictionaries.
//!
//! Phrase-level OpenCC conversion is not idempotent and costs about 600 ns per short title; a
//! character table costs a few nanoseconds per character, and closing it under itself makes
//! folding idempotent by construction. The table is not hand-made: every CJK code point is run
//! through OpenCC's converters one character at a time and the single-character answers are kept.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;

/// The unified ideographs (Extension A and the main block) are where nearly every title character
/// lives, so they get a direct-indexed table; everything else goes through a binary search.
const DENSE_FIRST: u32 = 0x3400;
const DENSE_LAST: u32 = 0x9FFF;

/// Every block that holds ideographs OpenCC may convert: Extension A, the unified block,
/// compatibility ideographs, Extensions B–I and the compatibility supplement.
const CANDIDATE_RANGES: [RangeInclusive<u32>; 5] = [
    0x3400..=0x4DBF,
    0x4E00..=0x9FFF,
    0xF900..=0xFAFF,
    0x20000..=0x2FA1F,
    0x30000..=0x323AF,
];

/// Standard Traditional first, then the Hong Kong and Taiwan variant forms (衞, 著, 裏…) that
/// plain T2s leaves alone. The first converter that changes a character decides its mapping.
const CONVERTERS: [BuiltinConfig; 3] =
    [BuiltinConfig::T2s, BuiltinConfig::Hk2s, BuiltinConfig::Tw2s];

/// Bytes below this lead byte are code points below U+3000: nothing there is ever folded.
const FIRST_CJK_LEAD_BYTE: u8 = 0xE3;

pub(super) struct FoldTable {
    /// Indexed by `code point - DENSE_FIRST`; `'\0'` means the character folds to itself.
    dense: Box<[char]>,
    /// Sorted by source character.
    sparse: Vec<(char, char)>,
}

impl FoldTable {
    fn build() -> FoldTable {
        let candidates: Vec<char> = CANDIDATE_RANGES
            .iter()
            .flat_map(|range| range.clone().filter_map(char::from_u32))
            .collect();
        // One newline-separated string per converter: one call instead of 100k, and a newline is in
        // no dictionary key, so no phrase can match across two candidates.
        let mut joined_candidates = String::with_capacity(candidates.len() * 5);
        for &candidate in &candidates {
            joined_candidates.push(candidate);
            joined_candidates.push('\n');
        }
        let mut single_step: HashMap<char, char> = HashMap::new();
        for config in CONVERTERS {
            let Ok(converter) = OpenCC::from_config(config) else {
                continue;
            };
            let converted = converter.convert(&joined_candidates);
            for (&source, target_text) in candidates.iter().zip(converted.split('\n')) {
                let mut target_chars = target_text.chars();
                if let (Some(target), None) = (target_chars.next(), target_chars.next()) {
                    if target != source {
                        single_step.entry(source).or_insert(target);
                    }
                }
            }
        }
        let mut dense = vec!['\0'; (DENSE_LAST - DENSE_FIRST + 1) as usize].into_boxed_slice();
        let mut sparse = Vec::new();
        for &source in single_step.keys() {
            let target = fixed_point(source, &single_step);
            if target == source {
                continue;
            }
            let code_point = source as u32;
            match dense.get_mut(code_point.wrapping_sub(DENSE_FIRST) as usize) {
                Some(slot) if code_point >= DENSE_FIRST => *slot = target,
                _ => sparse.push((source, target)),
            }
        }
        sparse.sort_unstable();
        FoldTable { dense, sparse }
    }

    fn fold_char(&self, character: char) -> Option<char> {
        let code_point = character as u32;
        if code_point < DENSE_FIRST {
            return None;
        }
        if code_point <= DENSE_LAST {
            return self
                .dense
                .get((code_point - DENSE_FIRST) as usize)
                .copied()
                .filter(|&target| target != '\0');
        }
        self.sparse
            .binary_search_by_key(&character, |&(source, _)| source)
            .ok()
            .map(|found| self.sparse[found].1)
    }
}

/// Follows single-step mappings to the end of the chain, so that folding twice changes nothing.
/// A cycle (none exists in OpenCC's data today) resolves to its smallest member, which every
/// member of the cycle reaches alike.
fn fixed_point(source: char, single_step: &HashMap<char, char>) -> char {
    let mut chain = vec![source];
    let mut current = source;
    while let Some(&next) = single_step.get(&current) {
        if next == current {
            return current;
        }
        if chain.contains(&next) {
            let cycle_start = chain.iter().position(|&member| member == next).unwrap_or(0);
            return chain[cycle_start..].iter().copied().min().unwrap_or(next);
        }
        chain.push(next);
        current = next;
    }
    current
}

fn table() -> &'static FoldTable {
    static TABLE: OnceLock<FoldTable> = OnceLock::new();
    TABLE.get_or_init(FoldTable::build)
}

/// Builds the table now rather than on the first title that needs it.
pub(super) fn prepare() {
    let _ = table();
}

/// Whether `s` has any character at or above U+3000: without one, folding cannot change it.
fn may_contain_ideographs(s: &str) -> bool {
    !s.is_ascii() && s.bytes().any(|byte| byte >= FIRST_CJK_LEAD_BYTE)
}

pub(super) fn fold_variants(s: &str) -> Cow<'_, str> {
    if !may_contain_ideographs(s) {
        return Cow::Borrowed(s);
    }
    let table = table();
    let mut folded: Option<String> = None;
    for (offset, character) in s.char_indices() {
        let target = table.fold_char(character);
        match (&mut folded, target) {
            (Some(output), replacement) => output.push(replacement.unwrap_or(character)),
            (None, Some(replacement)) => {
                let mut output = String::with_capacity(s.len() + 4);
                output.push_str(&s[..offset]);
                output.push(replacement);
                folded = Some(output);
            }
            (None, None) => {}
        }
    }
    folded.map_or(Cow::Borrowed(s), Cow::Owned)
}

/// Whether folding changes `s`, without allocating.
pub(super) fn has_variant_characters(s: &str) -> bool {
    may_contain_ideographs(s) && {
        let table = table();
        s.chars()
            .any(|character| table.fold_char(character).is_some())
    }
}
