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
const ALL_IDEOGRAPH_RANGES: &[RangeInclusive<u32>] = &[
    0x3400..=0x4DBF,
    0x4E00..=0x9FFF,
    0xF900..=0xFAFF,
    0x20000..=0x2FA1F,
    0x30000..=0x323AF,
];

/// The Hong Kong and Taiwan variant dictionaries only have keys in the dense range; their second
/// stage is T2s's own, which the first pass already ran over every block. Skipping the other
/// blocks halves the build; a test checks that the full scan gives the same table.
const VARIANT_RANGES: &[RangeInclusive<u32>] = &[DENSE_FIRST..=DENSE_LAST];

/// One converter run over some blocks, one character at a time.
struct ConverterPass {
    config: BuiltinConfig,
    ranges: &'static [RangeInclusive<u32>],
}

/// Standard Traditional first, then the Hong Kong and Taiwan variant forms (衞, 著, 裏…) that
/// plain T2s leaves alone. The first pass that changes a character decides its mapping.
const PASSES: [ConverterPass; 3] = [
    ConverterPass {
        config: BuiltinConfig::T2s,
        ranges: ALL_IDEOGRAPH_RANGES,
    },
    ConverterPass {
        config: BuiltinConfig::Hk2s,
        ranges: VARIANT_RANGES,
    },
    ConverterPass {
        config: BuiltinConfig::Tw2s,
        ranges: VARIANT_RANGES,
    },
];

/// Bytes below this lead byte are code points below U+3000: nothing there is ever folded.
const FIRST_CJK_LEAD_BYTE: u8 = 0xE3;

#[derive(PartialEq, Eq, Debug)]
pub(super) struct FoldTable {
    /// Indexed by `code point - DENSE_FIRST`; `'\0'` means the character folds to itself.
    dense: Box<[char]>,
    /// Sorted by source character.
    sparse: Vec<(char, char)>,
}

/// The characters a pass changes, each with the single character it becomes.
fn single_character_conversions(pass: &ConverterPass) -> Vec<(char, char)> {
    let Ok(converter) = OpenCC::from_config(pass.config) else {
        return Vec::new();
    };
    let candidates: Vec<char> = pass
        .ranges
        .iter()
        .flat_map(|range| range.clone().filter_map(char::from_u32))
        .collect();
    // One newline-separated string: one call instead of tens of thousands, and a newline is in no
    // dictionary key, so no phrase can match across two candidates.
    let mut joined_candidates = String::with_capacity(candidates.len() * 5);
    for &candidate in &candidates {
        joined_candidates.push(candidate);
        joined_candidates.push('\n');
    }
    let converted = converter.convert(&joined_candidates);
    let mut changes = Vec::new();
    for (&source, target_text) in candidates.iter().zip(converted.split('\n')) {
        let mut target_chars = target_text.chars();
        if let (Some(target), None) = (target_chars.next(), target_chars.next()) {
            if target != source {
                changes.push((source, target));
            }
        }
    }
    changes
}

impl FoldTable {
    fn build() -> FoldTable {
        FoldTable::build_from(&PASSES)
    }

    fn build_from(passes: &[ConverterPass]) -> FoldTable {
        // Converting is most of the build (tens of ms); the first pass, the largest, runs on a
        // second thread while this one runs the rest.
        let changes_per_pass: Vec<Vec<(char, char)>> = match passes.split_first() {
            None => Vec::new(),
            Some((first, rest)) => std::thread::scope(|scope| {
                let spawned = std::thread::Builder::new()
                    .name("wikils-variant-table".to_string())
                    .spawn_scoped(scope, || single_character_conversions(first));
                let rest_changes: Vec<_> = rest.iter().map(single_character_conversions).collect();
                let first_changes = match spawned.ok().and_then(|handle| handle.join().ok()) {
                    Some(changes) => changes,
                    None => single_character_conversions(first),
                };
                std::iter::once(first_changes).chain(rest_changes).collect()
            }),
        };
        let mut single_step: HashMap<char, char> = HashMap::new();
        for (source, target) in changes_per_pass.into_iter().flatten() {
            single_step.entry(source).or_insert(target);
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
        s.chars().any(|character| table.fold_char(character).is_some())
    }
}

/// Folded character → the other characters that fold to it, built on first use from the table.
fn spellings_table() -> &'static HashMap<char, Vec<char>> {
    static SPELLINGS: OnceLock<HashMap<char, Vec<char>>> = OnceLock::new();
    SPELLINGS.get_or_init(|| {
        let table = table();
        let mut spellings: HashMap<char, Vec<char>> = HashMap::new();
        let dense = table.dense.iter().enumerate().filter_map(|(slot, &target)| {
            let source = char::from_u32(DENSE_FIRST + slot as u32)?;
            (target != '\0').then_some((source, target))
        });
        for (source, target) in dense.chain(table.sparse.iter().copied()) {
            spellings.entry(target).or_default().push(source);
        }
        for sources in spellings.values_mut() {
            sources.sort_unstable();
        }
        spellings
    })
}

/// Every string folding like `s` (itself included), as long as there are at most `limit`; `None`
/// when there are more. A title has a handful of characters with one or two other forms, so
/// this is a few strings, where scanning every known title would be a million.
pub(super) fn variant_spellings(s: &str, limit: usize) -> Option<Vec<String>> {
    let mut spellings = vec![String::new()];
    if !may_contain_ideographs(s) {
        return Some(vec![s.to_string()]);
    }
    let table = table();
    let inverse = spellings_table();
    for character in s.chars() {
        let folded = table.fold_char(character).unwrap_or(character);
        let others = inverse.get(&folded).map_or(&[][..], Vec::as_slice);
        if others.is_empty() {
            spellings.iter_mut().for_each(|spelling| spelling.push(character));
            continue;
        }
        let mut forms = vec![folded];
        forms.extend(others.iter().copied().filter(|&other| other != folded));
        if spellings.len() * forms.len() > limit {
            return None;
        }
        spellings = spellings
            .iter()
            .flat_map(|spelling| {
                forms.iter().map(move |&form| {
                    let mut longer = spelling.clone();
                    longer.push(form);
                    longer
                })
            })
            .collect();
    }
    Some(spellings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_blocks_for_variant_passes_loses_nothing() {
        let full_passes = [
            ConverterPass {
                config: BuiltinConfig::T2s,
                ranges: ALL_IDEOGRAPH_RANGES,
            },
            ConverterPass {
                config: BuiltinConfig::Hk2s,
                ranges: ALL_IDEOGRAPH_RANGES,
            },
            ConverterPass {
                config: BuiltinConfig::Tw2s,
                ranges: ALL_IDEOGRAPH_RANGES,
            },
        ];
        let full_table = FoldTable::build_from(&full_passes);
        assert_eq!(&full_table, table());
        assert!(
            table().sparse.len() > 100,
            "astral Traditional characters are folded too"
        );
    }

    #[test]
    fn variant_spellings_fold_alike_and_include_the_original() {
        let mut spellings = variant_spellings("務內x", 64).expect("few spellings");
        spellings.sort();
        assert!(spellings.contains(&"務內x".to_string()));
        assert!(spellings.contains(&"务内x".to_string()));
        assert!(spellings.len() >= 4, "{spellings:?}");
        for spelling in &spellings {
            assert_eq!(fold_variants(spelling), fold_variants("務內x"));
        }
        assert_eq!(variant_spellings("abc", 1), Some(vec!["abc".to_string()]));
        assert_eq!(variant_spellings("務內務內務內務內", 4), None);
    }

    #[test]
    fn cycles_resolve_to_their_smallest_member() {
        let single_step: HashMap<char, char> = [('c', 'a'), ('a', 'b'), ('b', 'c'), ('d', 'a')].into_iter().collect();
        for source in ['a', 'b', 'c', 'd'] {
            assert_eq!(fixed_point(source, &single_step), 'a');
        }
        assert_eq!(fixed_point('z', &single_step), 'z');
    }
}
