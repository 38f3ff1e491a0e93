//! The title table completion searches: every page title of one index, per namespace, with its
//! match key and backlink count.
//!
//! Built once per index change batch (a million titles take about two seconds on two cores, on
//! a background thread); a query then costs a binary search for prefix matches plus, when those
//! are too few, a sequential scan in most-linked-first order that stops as soon as enough fuzzy
//! matches are found, so the first matches found are also the best ranked. A 64-bit character
//! mask per title rejects most non-matches with one `AND`; a scan that still runs past its
//! budget returns what it found, marked incomplete. Measured on a million synthetic titles
//! (`completion_speed_on_a_million_titles`): prefix queries take microseconds to 3 ms, a full
//! fuzzy scan about 1 ms.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::facts::Symbol;
use crate::index::{namespace_of_full_title, Index};
use crate::layout::REDIRECT_FOLDER;
use crate::title::{self, Namespace};

/// A query scanning longer than this returns what it found, marked incomplete.
const FUZZY_SCAN_BUDGET: Duration = Duration::from_millis(6);
const ENTRIES_BETWEEN_CLOCK_CHECKS: usize = 4096;

/// One title to put in the table.
#[derive(Clone, Debug)]
pub struct TableTitle<'a> {
    pub title: Symbol,
    /// The canonical full title (`Category:X`), borrowed (from the interner): a million titles
    /// copied out took ~80 MB more while a table was built beside the one in use.
    pub full_title: &'a str,
    pub backlinks: u32,
    /// Every document defining the title is an alias in the export's `Redirect/` folder.
    pub alias_only: bool,
}

#[derive(Clone, Copy, Debug)]
struct TitleEntry {
    key_start: u32,
    key_len: u32,
    /// Where the name starts in the full title (after `Category:`).
    name_start: u32,
    title: Symbol,
    backlinks: u32,
    alias_only: bool,
}

/// Enough slots for every `Namespace` as a number.
const NAMESPACE_SLOTS: usize = Namespace::MediaWiki as usize + 1;

/// A title with its namespace, its match key and where its name starts in the full title, as
/// the table is built.
struct KeyedTitle {
    namespace: Namespace,
    key: String,
    name_start: u32,
    title: Symbol,
    backlinks: u32,
    alias_only: bool,
}

/// One namespace's titles, laid out most linked first so that the fuzzy scan reads keys and
/// masks sequentially; prefix search goes through `by_key`.
#[derive(Debug, Default)]
struct NamespaceTitles {
    /// Every key, concatenated in entry order: one allocation, scanned in cache order.
    keys: String,
    /// Most linked first.
    entries: Vec<TitleEntry>,
    /// The character mask of each entry, apart so that rejecting one reads 8 bytes.
    masks: Vec<u64>,
    /// Entry indexes sorted by key.
    by_key: Vec<u32>,
}

/// A title that matched a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TitleMatch {
    pub title: Symbol,
    /// Byte offset of the name in the full title (0 in the main namespace).
    pub name_start: usize,
    pub backlinks: u32,
    pub alias_only: bool,
    pub prefix_match: bool,
}

#[derive(Debug, Default)]
pub struct CompletionTable {
    namespaces: Vec<(Namespace, NamespaceTitles)>,
    variant_folding: bool,
    title_count: usize,
}

impl CompletionTable {
    /// The table of every title the index defines now.
    pub fn build(index: &Index) -> CompletionTable {
        let mut defined: Vec<(Symbol, bool)> = index
            .documents()
            .iter()
            .filter_map(|document| {
                let alias = document.path.starts_with(REDIRECT_FOLDER)
                    && document.path.as_bytes().get(REDIRECT_FOLDER.len()) == Some(&b'/');
                Some((document.title?, alias))
            })
            .collect();
        // A title is an alias only when no document defining it is a page of its own.
        defined.sort_unstable_by_key(|&(title, alias)| (title.into_usize(), alias));
        defined.dedup_by_key(|(title, _)| *title);
        let titles: Vec<TableTitle> = defined
            .into_par_iter()
            .map(|(title, alias_only)| TableTitle {
                title,
                full_title: index.resolve_symbol(title),
                backlinks: u32::try_from(index.backlink_count(title)).unwrap_or(u32::MAX),
                alias_only,
            })
            .collect();
        CompletionTable::from_titles(titles, index.settings.variant_folding)
    }

    /// The table of `titles`. Built in place: one list of keyed titles, sorted by namespace and
    /// most linked first, then each namespace's run moved into its table (the build is what
    /// sets the server's peak memory at the end of a load, beside the table still in use).
    pub fn from_titles(titles: Vec<TableTitle>, variant_folding: bool) -> CompletionTable {
        let title_count = titles.len();
        let mut keyed: Vec<KeyedTitle> = titles
            .into_par_iter()
            .map(|title| {
                let namespace = namespace_of_full_title(title.full_title);
                let name_start = match namespace {
                    Namespace::Main => 0,
                    other => other.canonical_name().len() + 1,
                };
                KeyedTitle {
                    namespace,
                    key: match_key(title.full_title.get(name_start..).unwrap_or_default(), variant_folding),
                    name_start: name_start as u32,
                    title: title.title,
                    backlinks: title.backlinks,
                    alias_only: title.alias_only,
                }
            })
            .collect();
        // The table's namespaces in the order they first appear, each with its place.
        let mut namespaces: Vec<(Namespace, NamespaceTitles)> = Vec::new();
        let mut rank = [0u8; NAMESPACE_SLOTS];
        for title in &keyed {
            if !namespaces.iter().any(|(known, _)| *known == title.namespace) {
                rank[title.namespace as usize] = namespaces.len() as u8;
                namespaces.push((title.namespace, NamespaceTitles::default()));
            }
        }
        // Equal counts keep the titles' order.
        keyed.par_sort_by_key(|title| (rank[title.namespace as usize], std::cmp::Reverse(title.backlinks)));
        for title in keyed {
            let Some((_, table)) = namespaces.get_mut(usize::from(rank[title.namespace as usize])) else {
                continue;
            };
            table.masks.push(character_mask(&title.key));
            table.entries.push(TitleEntry {
                key_start: table.keys.len() as u32,
                key_len: title.key.len() as u32,
                name_start: title.name_start,
                title: title.title,
                backlinks: title.backlinks,
                alias_only: title.alias_only,
            });
            table.keys.push_str(&title.key);
        }
        for (_, table) in &mut namespaces {
            let mut by_key: Vec<u32> = (0..table.entries.len() as u32).collect();
            let (keys, entries) = (&table.keys, &table.entries);
            by_key.par_sort_unstable_by(|&a, &b| {
                entry_key(keys, &entries[a as usize]).cmp(entry_key(keys, &entries[b as usize]))
            });
            table.by_key = by_key;
        }
        CompletionTable {
            namespaces,
            variant_folding,
            title_count,
        }
    }

    /// The namespaces that have titles, in the table's order.
    pub fn namespaces(&self) -> Vec<Namespace> {
        self.namespaces.iter().map(|(namespace, _)| *namespace).collect()
    }

    pub fn title_count(&self) -> usize {
        self.title_count
    }

    /// The key a typed text is matched by: `_` as space, lower case, variants folded.
    pub fn query_key(&self, typed: &str) -> String {
        match_key(typed, self.variant_folding)
    }

    /// Up to `limit` titles of a namespace matching `typed`: prefix matches first (exact match,
    /// then most linked), then fuzzy (in-order characters) matches, most linked first. The flag
    /// says the list is incomplete (more matched, or the scan was cut short).
    pub fn matching_titles(
        &self,
        namespace: Namespace,
        typed: &str,
        limit: usize,
        accept: &dyn Fn(&TitleMatch) -> bool,
    ) -> (Vec<TitleMatch>, bool) {
        let Some((_, table)) = self.namespaces.iter().find(|(existing, _)| *existing == namespace) else {
            return (Vec::new(), false);
        };
        let query = self.query_key(typed);
        let keys = table.keys.as_str();
        let as_match = |entry: &TitleEntry, prefix_match: bool| TitleMatch {
            title: entry.title,
            name_start: entry.name_start as usize,
            backlinks: entry.backlinks,
            alias_only: entry.alias_only,
            prefix_match,
        };

        if query.is_empty() {
            // Everything matches: the most linked titles, without sorting a million entries.
            let mut matches = Vec::new();
            for entry in &table.entries {
                let candidate = as_match(entry, true);
                if accept(&candidate) {
                    if matches.len() == limit {
                        return (matches, true);
                    }
                    matches.push(candidate);
                }
            }
            return (matches, false);
        }
        let key_of = |entry_index: &u32| entry_key(keys, &table.entries[*entry_index as usize]);
        let prefix_start = table
            .by_key
            .partition_point(|entry_index| key_of(entry_index) < query.as_str());
        let prefix_len =
            table.by_key[prefix_start..].partition_point(|entry_index| key_of(entry_index).starts_with(query.as_str()));
        let mut prefix_matches: Vec<&TitleEntry> = table.by_key[prefix_start..prefix_start + prefix_len]
            .iter()
            .map(|&entry_index| &table.entries[entry_index as usize])
            .filter(|entry| accept(&as_match(entry, true)))
            .collect();
        let rank = |entry: &&TitleEntry| {
            let exact = entry.key_len as usize == query.len();
            (
                !exact,
                std::cmp::Reverse(entry.backlinks),
                entry.key_len,
                entry.key_start,
            )
        };
        let mut incomplete = false;
        if prefix_matches.len() > limit {
            prefix_matches.select_nth_unstable_by_key(limit, rank);
            prefix_matches.truncate(limit);
            incomplete = true;
        }
        prefix_matches.sort_unstable_by_key(rank);
        let mut matches: Vec<TitleMatch> = prefix_matches.iter().map(|entry| as_match(entry, true)).collect();
        if matches.len() >= limit {
            return (matches, incomplete);
        }

        let query_mask = character_mask(&query);
        let started = Instant::now();
        for (scanned, (entry, &mask)) in table.entries.iter().zip(&table.masks).enumerate() {
            if scanned % ENTRIES_BETWEEN_CLOCK_CHECKS == ENTRIES_BETWEEN_CLOCK_CHECKS - 1
                && started.elapsed() > FUZZY_SCAN_BUDGET
            {
                incomplete = true;
                break;
            }
            if mask & query_mask != query_mask {
                continue;
            }
            let key = entry_key(keys, entry);
            // Prefix matches were all collected above.
            if key.starts_with(query.as_str()) || !is_subsequence(&query, key) {
                continue;
            }
            let candidate = as_match(entry, false);
            if !accept(&candidate) {
                continue;
            }
            matches.push(candidate);
            if matches.len() >= limit {
                incomplete = true;
                break;
            }
        }
        (matches, incomplete)
    }
}

fn entry_key<'keys>(keys: &'keys str, entry: &TitleEntry) -> &'keys str {
    let start = entry.key_start as usize;
    keys.get(start..start + entry.key_len as usize).unwrap_or_default()
}

/// Lower case, `_` as space, Traditional/Simplified folded (when folding is on).
pub fn match_key(text: &str, variant_folding: bool) -> String {
    let spaced = text.replace('_', " ");
    let folded = if variant_folding {
        title::fold_variants(&spaced).into_owned()
    } else {
        spaced
    };
    folded.to_lowercase()
}

/// One bit per character class (a hash of the character): a key can contain a query's
/// characters only if its mask has all of the query's bits.
fn character_mask(key: &str) -> u64 {
    key.chars().fold(0u64, |mask, character| {
        mask | 1u64 << ((character as u32).wrapping_mul(0x9E37_79B1) >> 26)
    })
}

/// Whether every character of `query` appears in `key`, in order.
pub fn is_subsequence(query: &str, key: &str) -> bool {
    let mut rest = key;
    for character in query.chars() {
        match rest.find(character) {
            Some(at) => rest = &rest[at + character.len_utf8()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(titles: &[(&str, u32)]) -> (CompletionTable, crate::facts::Interner) {
        let interner = crate::facts::Interner::new();
        let titles = titles
            .iter()
            .map(|(full_title, backlinks)| TableTitle {
                title: interner.get_or_intern(full_title),
                full_title,
                backlinks: *backlinks,
                alias_only: false,
            })
            .collect();
        (CompletionTable::from_titles(titles, false), interner)
    }

    fn names(table: &CompletionTable, interner: &crate::facts::Interner, namespace: Namespace, typed: &str) -> String {
        let (matches, incomplete) = table.matching_titles(namespace, typed, 3, &|_| true);
        let mut names: Vec<&str> = matches.iter().map(|found| interner.resolve(&found.title)).collect();
        if incomplete {
            names.push("…");
        }
        names.join(" ")
    }

    #[test]
    fn prefix_matches_come_first_then_fuzzy_by_backlinks() {
        let (table, interner) = table(&[("Abc", 1), ("Xaybzc", 50), ("Abd", 9), ("Ab", 0), ("Category:Abc", 100)]);
        assert_eq!(names(&table, &interner, Namespace::Main, "ab"), "Ab Abd Abc");
        assert_eq!(names(&table, &interner, Namespace::Main, "abc"), "Abc Xaybzc");
        assert_eq!(names(&table, &interner, Namespace::Category, "AB"), "Category:Abc");
        assert_eq!(names(&table, &interner, Namespace::Template, "ab"), "");
    }

    #[test]
    fn more_matches_than_the_limit_are_marked_incomplete() {
        let (table, interner) = table(&[("A1", 1), ("A2", 2), ("A3", 3), ("A4", 4)]);
        assert_eq!(names(&table, &interner, Namespace::Main, "a"), "A4 A3 A2 …");
        assert_eq!(names(&table, &interner, Namespace::Main, ""), "A4 A3 A2 …");
    }

    #[test]
    fn subsequence_matches_characters_in_order() {
        assert!(is_subsequence("內地", "政制及內地事務局"));
        assert!(!is_subsequence("地內", "政制及內地事務局"));
        assert!(is_subsequence("", "x"));
    }

    /// `cargo test --release --lib completion_speed -- --ignored --nocapture`: a million
    /// synthetic titles (Chinese and Latin), timing the build and the slowest kinds of query.
    #[test]
    #[ignore = "a benchmark; run it in release"]
    fn completion_speed_on_a_million_titles() {
        const CHINESE: &str = "政制及內地事務局香港特別行政區政府駐粵經濟貿易辦事處中華人民共和國廣東省部門";
        let chinese: Vec<char> = CHINESE.chars().collect();
        let interner = crate::facts::Interner::new();
        let mut seed = 0x2545_f491_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let full_titles: Vec<String> = (0..1_000_000)
            .map(|number| {
                let length = 2 + (next() % 8) as usize;
                let mut full_title: String = if number % 3 == 0 {
                    (0..length).map(|_| (b'a' + (next() % 26) as u8) as char).collect()
                } else {
                    (0..length)
                        .map(|_| chinese[(next() % chinese.len() as u64) as usize])
                        .collect()
                };
                full_title.push_str(&number.to_string());
                full_title
            })
            .collect();
        let titles: Vec<TableTitle> = full_titles
            .iter()
            .map(|full_title| TableTitle {
                title: interner.get_or_intern(full_title),
                full_title,
                backlinks: (next() % 1000) as u32,
                alias_only: false,
            })
            .collect();
        let started = Instant::now();
        let table = CompletionTable::from_titles(titles, true);
        eprintln!("build: {:?} for {} titles", started.elapsed(), table.title_count());
        for query in ["", "a", "ab", "政", "内地", "內地事務", "zqxj", "香粤贸", "不存在的字"] {
            let started = Instant::now();
            let mut found = 0;
            let rounds = 20;
            for _ in 0..rounds {
                found = table.matching_titles(Namespace::Main, query, 100, &|_| true).0.len();
            }
            eprintln!(
                "query {query:?}: {:?} per query, {found} items",
                started.elapsed() / rounds
            );
        }
    }
}
