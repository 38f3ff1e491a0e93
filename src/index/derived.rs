//! The maps derived from a set of documents, as the index cache writes them: keys and counts
//! from one pass over the documents, no `Vec` per key, the document positions placed a piece at
//! a time in further passes as they are written.
//!
//! The cache file records each map's keys in the order [`Index::derive_maps`] gives them, which
//! is the iteration order of an `FxHashMap` filled one document after another; readers do not
//! care, but the bytes of a cache must stay the same for the same index. That order depends only
//! on the keys' hashes and on the order they were first inserted (there is never a removal), not
//! on the values: so the keys go into an `FxHashMap` of the same kind, in the same order, each
//! mapped to a slot number, and that map's order is the order written. At a million pages the
//! backlinks are ~40M positions; a vector per key (with its growth slack and header, and a copy
//! of the whole map into a list of pairs) cost more than the positions themselves, and holding
//! the positions at all costs more than walking the documents again.

use rustc_hash::FxHashMap;

use super::{distinct_targets, Document, Index, SymlinkTarget};
use crate::facts::{LinkKind, LinkTarget, Symbol};

/// One derived map: each key with its values, the keys in the order written, the values of all
/// keys one key after another.
#[derive(Debug, PartialEq, Eq)]
pub struct FlatMap<V> {
    pub keys: Vec<Symbol>,
    /// How many values each key has, in the order of `keys`.
    pub counts: Vec<u32>,
    pub values: Vec<V>,
}

impl<V> FlatMap<V> {
    /// Each key with its values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Symbol, &[V])> {
        let mut rest = self.values.as_slice();
        self.keys.iter().zip(&self.counts).map(move |(key, count)| {
            let (values, after) = rest.split_at(*count as usize);
            rest = after;
            (*key, values)
        })
    }
}

/// [`super::DerivedMaps`] in the same order (see the module's documentation), the maps of
/// document positions as keys and counts only: their values are placed a piece at a time when
/// they are written ([`PositionMap::for_each_piece`]).
#[derive(Debug)]
pub struct FlatDerivedMaps {
    pub backlinks: PositionMap,
    pub members: PositionMap,
    pub folded_titles: FlatMap<Symbol>,
}

/// Which of a document's distinct targets a [`PositionMap`] is keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keyed {
    Categories,
    Targets,
}

/// Target (or category) → the positions of the documents linking to it, each once, ascending:
/// the keys in the order written and how many positions each has. The positions themselves are
/// not held: [`PositionMap::for_each_piece`] places them in passes over the documents.
#[derive(Debug)]
pub struct PositionMap {
    pub keys: Vec<Symbol>,
    pub counts: Vec<u32>,
    keyed: Keyed,
    /// Each key's rank in `keys`, indexed by its symbol ([`lasso::Key::into_usize`]; symbols
    /// are dense); [`NOT_A_KEY`] for the others.
    rank_by_symbol: Vec<u32>,
}

const NOT_A_KEY: u32 = u32::MAX;

impl PositionMap {
    fn new(keys: KeysInMapOrder, keyed: Keyed) -> PositionMap {
        let (ordered, counts, _) = keys.order();
        let symbols = ordered.iter().map(|key| key.into_usize() + 1).max().unwrap_or(0);
        let mut rank_by_symbol = vec![NOT_A_KEY; symbols];
        for (rank, key) in ordered.iter().enumerate() {
            rank_by_symbol[key.into_usize()] = rank as u32;
        }
        PositionMap {
            keys: ordered,
            counts,
            keyed,
            rank_by_symbol,
        }
    }

    fn rank(&self, key: Symbol) -> Option<usize> {
        match self.rank_by_symbol.get(key.into_usize()) {
            Some(&rank) if rank != NOT_A_KEY => Some(rank as usize),
            _ => None,
        }
    }

    /// Calls `f` with every value, in order (each key's positions after the previous key's), in
    /// pieces of whole keys holding at most `piece` values (a key with more is a piece of its
    /// own). Each piece takes one pass over `documents`, which must be the documents the map was
    /// derived from: at a million pages the backlinks alone are ~40M positions.
    pub fn for_each_piece<'a, E>(
        &self,
        documents: impl Iterator<Item = &'a Document> + Clone,
        piece: usize,
        mut f: impl FnMut(&[u32]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut first = 0;
        while first < self.keys.len() {
            // Keys `first..last`, and for each where its values begin in the piece and where its
            // next one goes.
            let mut cursors = Vec::new();
            let mut length = 0usize;
            let mut last = first;
            while last < self.keys.len() {
                let count = self.counts[last] as usize;
                if last > first && length + count > piece {
                    break;
                }
                cursors.push((length, length));
                length += count;
                last += 1;
            }
            let mut values = vec![0u32; length];
            for (position, document) in documents.clone().enumerate() {
                let position = position as u32;
                for_each_key(document, self.keyed, |key| {
                    let Some(rank) = self.rank(key).filter(|rank| (first..last).contains(rank)) else {
                        return;
                    };
                    let (begin, next) = &mut cursors[rank - first];
                    // A document counts once per key, however many of its links name it: its
                    // position is then the key's last value so far.
                    if *next > *begin && values[*next - 1] == position {
                        return;
                    }
                    values[*next] = position;
                    *next += 1;
                });
            }
            f(&values)?;
            first = last;
        }
        Ok(())
    }
}

/// Calls `f` with each key of a map of `keyed` that `document` contributes, as
/// [`distinct_targets`] finds them but neither sorted nor deduplicated: the passes that place
/// positions skip the sort and the allocation (a pass per piece, a million documents each).
fn for_each_key(document: &Document, keyed: Keyed, mut f: impl FnMut(Symbol)) {
    if document.pending {
        return;
    }
    if keyed == Keyed::Targets {
        if let Some(SymlinkTarget::Target(LinkTarget::Title(target) | LinkTarget::Path(target))) =
            document.symlink.as_deref()
        {
            f(*target);
        }
    }
    for link in &document.facts.links {
        match (link.kind(), link.target(), keyed) {
            (LinkKind::CategoryMembership, LinkTarget::Title(category), Keyed::Categories) => f(category),
            (LinkKind::CategoryMembership, LinkTarget::Title(_), Keyed::Targets) => {}
            (_, LinkTarget::Title(target) | LinkTarget::Path(target), Keyed::Targets) => f(target),
            _ => {}
        }
    }
}

/// Keys numbered by first sight (their *slot*), in an `FxHashMap` filled exactly as
/// [`Index::derive_maps`] fills its map of the same keys, so both iterate in the same order.
#[derive(Default)]
struct KeysInMapOrder {
    // No capacity reserved up front: the map must grow as the reference's does.
    slots: FxHashMap<Symbol, u32>,
    counts_by_slot: Vec<u32>,
}

impl KeysInMapOrder {
    /// Counts one value of `key`; returns the key's slot.
    fn count(&mut self, key: Symbol) -> u32 {
        let next = self.counts_by_slot.len() as u32;
        let slot = *self.slots.entry(key).or_insert(next);
        if slot == next {
            self.counts_by_slot.push(0);
        }
        self.counts_by_slot[slot as usize] += 1;
        slot
    }

    /// The keys in the map's order with their counts, and each slot's rank in that order.
    fn order(&self) -> (Vec<Symbol>, Vec<u32>, Vec<u32>) {
        let mut keys = Vec::with_capacity(self.slots.len());
        let mut counts = Vec::with_capacity(self.slots.len());
        let mut rank_by_slot = vec![0u32; self.slots.len()];
        for (rank, (key, slot)) in self.slots.iter().enumerate() {
            keys.push(*key);
            counts.push(self.counts_by_slot[*slot as usize]);
            rank_by_slot[*slot as usize] = rank as u32;
        }
        (keys, counts, rank_by_slot)
    }
}

impl Index {
    /// The maps of [`Index::derive_maps`] over the same `documents` (positions in that sequence
    /// stand for ids), in the same order, in a fraction of the memory: the backlinks and members
    /// as keys and counts, their values placed when written. Folded keys are interned.
    pub fn derive_flat_maps<'a>(&self, documents: impl Iterator<Item = &'a Document>) -> FlatDerivedMaps {
        let mut backlinks = KeysInMapOrder::default();
        let mut members = KeysInMapOrder::default();
        let mut folded = KeysInMapOrder::default();
        // Each title once, with the slot of its folded key, in the order first seen.
        let mut folded_titles: Vec<(u32, Symbol)> = Vec::new();
        let mut titles_seen = SymbolSet::default();
        for document in documents {
            let (categories, targets) = distinct_targets(document);
            for category in categories {
                members.count(category);
            }
            for target in targets {
                backlinks.count(target);
            }
            if let Some(title) = document.title {
                if titles_seen.insert(title) {
                    if let Some(key) = self.folded_key(self.interner.resolve(&title)) {
                        let slot = folded.count(self.interner.get_or_intern(key));
                        folded_titles.push((slot, title));
                    }
                }
            }
        }
        drop(titles_seen);

        let (keys, counts, rank_by_slot) = folded.order();
        drop(folded);
        // A stable sort keeps each key's titles in the order they were seen.
        folded_titles.sort_by_key(|(slot, _)| rank_by_slot[*slot as usize]);
        let folded_titles = FlatMap {
            keys,
            counts,
            values: folded_titles.into_iter().map(|(_, title)| title).collect(),
        };
        FlatDerivedMaps {
            backlinks: PositionMap::new(backlinks, Keyed::Targets),
            members: PositionMap::new(members, Keyed::Categories),
            folded_titles,
        }
    }
}

/// A set of symbols as bits indexed by [`lasso::Key::into_usize`]: symbols are dense.
#[derive(Default)]
struct SymbolSet {
    words: Vec<u64>,
}

impl SymbolSet {
    /// Adds `symbol`; true when it was not there yet.
    fn insert(&mut self, symbol: Symbol) -> bool {
        let index = symbol.into_usize();
        let (word, bit) = (index / 64, 1u64 << (index % 64));
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let new = self.words[word] & bit == 0;
        self.words[word] |= bit;
        new
    }
}
