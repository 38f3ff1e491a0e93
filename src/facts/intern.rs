//! The string interner behind every [`Symbol`]: titles, paths, anchors.
//!
//! Made for a million-page workspace, where it holds ~3.4M strings:
//! - resolving a symbol takes no lock: strings sit in an append-only array of slots indexed by
//!   the symbol, each slot a range of a text block that never moves (a string interned alone is
//!   a block of its own), so the hot paths that turn symbols back into text (resolution,
//!   completion, diagnostics) never contend;
//! - lookups take a read lock on one of [`SHARDS`] hash tables that hold only `(hash, index)`
//!   pairs (8 bytes a string, where `lasso`'s two maps, one per direction, took ~50);
//! - [`Interner::intern_block`] interns a whole batch (the strings of an index cache) one shard
//!   at a time, each table grown once and locked once, the shards in parallel, and keeps the
//!   batch's text as one block.
//!
//! Symbols are dense: the `n`th index handed out is symbol `n` (see [`Symbol::into_usize`]); a
//! batch leaves an index unused for each of its strings that was interned already.

use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{OnceLock, RwLock, RwLockWriteGuard};

use crossbeam_utils::CachePadded;
use hashbrown::HashTable;
use rayon::prelude::*;

/// An interned string: a title, a path or an anchor. Cheap to copy, compare and hash; only the
/// [`Interner`] that made it can resolve it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(NonZeroU32);

impl Symbol {
    /// The symbol's index: the number of symbols its interner had handed out before it.
    pub fn into_usize(self) -> usize {
        self.0.get() as usize - 1
    }

    /// The symbol as a nonzero number below 2^28 (the interner hands out no more).
    pub fn to_raw(self) -> u32 {
        self.0.get()
    }

    /// The symbol of a [`Symbol::to_raw`] number; `None` for 0.
    pub fn from_raw(raw: u32) -> Option<Symbol> {
        NonZeroU32::new(raw).map(Symbol)
    }

    /// The symbol of index `index`, if it fits.
    pub fn try_from_usize(index: usize) -> Option<Symbol> {
        u32::try_from(index)
            .ok()
            .and_then(|index| index.checked_add(1))
            .and_then(NonZeroU32::new)
            .map(Symbol)
    }
}

/// Lock shards of the lookup tables: enough that two threads rarely meet, few enough that a
/// batch gives each a good share.
const SHARDS: usize = 64;

/// One string in a shard's table: the low half of its hash (rehashing never rereads the string)
/// and its index.
#[derive(Clone, Copy)]
struct Slot {
    hash: u32,
    index: u32,
}

type Table = HashTable<Slot>;

/// Where an interned string's bytes are: `blocks[block][start..end]`. A string interned alone
/// is a block of its own.
#[derive(Clone, Copy)]
struct Stored {
    block: u32,
    start: u32,
    end: u32,
}

/// Slots per chunk, and chunks: at most 2^28 - 1 strings (80 times what a million pages need;
/// packed link facts keep a symbol in 28 bits, see `LinkFact`);
/// chunks are allocated as they fill, so at most one is partly unused.
const CHUNK_BITS: u32 = 16;
const CHUNKS: usize = 1 << 12;

/// An append-only array of strings that never moves what it holds: a reader finds a symbol's
/// string with three atomic loads and no lock, while writers fill other slots.
struct Slots {
    chunks: Box<[OnceLock<Chunk>]>,
}

type Chunk = Box<[Place]>;

/// Where one string is, once set: [`Stored`] in three words, the block's number plus one
/// written last (0 while unset) with `Release`, so a reader that sees the block sees the
/// range. 12 bytes, where a `OnceLock<Stored>` took 16 and a call into `Once` to fill (~5% of a
/// warm start's first stage at 1M pages, 3.35M strings).
#[derive(Default)]
struct Place {
    block: AtomicU32,
    start: AtomicU32,
    end: AtomicU32,
}

impl Slots {
    fn new() -> Slots {
        Slots {
            chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect(),
        }
    }

    fn get(&self, index: usize) -> Option<Stored> {
        let chunk = self.chunks.get(index >> CHUNK_BITS)?.get()?;
        let place = chunk.get(index & ((1 << CHUNK_BITS) - 1))?;
        let block = place.block.load(Ordering::Acquire).checked_sub(1)?;
        Some(Stored {
            block,
            start: place.start.load(Ordering::Relaxed),
            end: place.end.load(Ordering::Relaxed),
        })
    }

    /// Fills the slot of `index`, which no one else fills and no one reads before this returns
    /// (indices are handed out once, a symbol is given out only after its slot is set, and
    /// [`Interner::take_indices`] refuses those beyond the last chunk).
    fn set(&self, index: usize, stored: Stored) {
        let Some(chunk) = self.chunks.get(index >> CHUNK_BITS) else {
            return;
        };
        let chunk = chunk.get_or_init(|| std::iter::repeat_with(Place::default).take(1 << CHUNK_BITS).collect());
        let place = &chunk[index & ((1 << CHUNK_BITS) - 1)];
        place.start.store(stored.start, Ordering::Relaxed);
        place.end.store(stored.end, Ordering::Relaxed);
        // Blocks never outnumber indices, which stay below 2^28: the sum cannot overflow.
        place.block.store(stored.block + 1, Ordering::Release);
    }

    /// Bytes of the slots allocated so far.
    fn allocated(&self) -> usize {
        let chunks = self.chunks.iter().filter(|chunk| chunk.get().is_some()).count();
        self.chunks.len() * std::mem::size_of::<OnceLock<Chunk>>()
            + (chunks << CHUNK_BITS) * std::mem::size_of::<Place>()
    }
}

pub struct Interner {
    slots: Slots,
    /// The next index to hand out.
    next: AtomicUsize,
    /// The texts strings are pieces of: a batch's whole text, or one string.
    blocks: boxcar::Vec<Box<str>>,
    shards: Box<[CachePadded<RwLock<Table>>]>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner::new()
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Interner").field("len", &self.len()).finish()
    }
}

fn hash_of(string: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(string)
}

/// The shard of a full hash: its top bits (the tables use the low half).
fn shard_of(hash: u64) -> usize {
    (hash >> (64 - SHARDS.trailing_zeros())) as usize
}

/// The hash a table sees for a slot: the stored half spread over 64 bits (hashbrown takes its
/// tag from the top bits and its bucket from the low ones).
fn table_hash(half: u32) -> u64 {
    u64::from(half).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(half)
}

impl Interner {
    pub fn new() -> Interner {
        Interner {
            slots: Slots::new(),
            next: AtomicUsize::new(0),
            blocks: boxcar::Vec::new(),
            shards: (0..SHARDS)
                .map(|_| CachePadded::new(RwLock::new(Table::new())))
                .collect(),
        }
    }

    /// How many symbols were handed out: an upper bound of every symbol's index. (A string
    /// that a block held twice leaves one index unused.)
    pub fn len(&self) -> usize {
        self.next.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The symbol of `string`, if it is interned.
    pub fn get(&self, string: impl AsRef<str>) -> Option<Symbol> {
        let string = string.as_ref();
        let hash = hash_of(string);
        let table = read(&self.shards[shard_of(hash)]);
        self.find(&table, string, hash)
    }

    /// The symbol of `string`, interning it first if needed.
    pub fn get_or_intern(&self, string: impl AsRef<str>) -> Symbol {
        let string = string.as_ref();
        let hash = hash_of(string);
        let shard = &self.shards[shard_of(hash)];
        if let Some(symbol) = self.find(&read(shard), string, hash) {
            return symbol;
        }
        let mut table = write(shard);
        // Another thread may have interned it between the two locks.
        if let Some(symbol) = self.find(&table, string, hash) {
            return symbol;
        }
        let index = self.take_indices(1);
        let block = self.add_block(string.into());
        self.slots.set(
            index,
            Stored {
                block,
                start: 0,
                end: string.len() as u32,
            },
        );
        insert(&mut table, hash, index);
        symbol_of(index)
    }

    /// The text of `symbol`. A symbol of another interner gives whatever string has its index
    /// here, or `""`, never a panic.
    pub fn resolve(&self, symbol: &Symbol) -> &str {
        let Some(Stored { block, start, end }) = self.slots.get(symbol.into_usize()) else {
            return "";
        };
        self.blocks
            .get(block as usize)
            .and_then(|text| text.get(start as usize..end as usize))
            .unwrap_or("")
    }

    /// Interns the pieces `spans` of `text` (byte ranges on character boundaries; others are
    /// interned as `""`) and returns their symbols in the same order. The text is kept whole and
    /// new strings point into it, so a batch costs no allocation per string. Made for the index
    /// cache's string table (a million pages: 3.4M strings), where memory traffic is what costs:
    /// - the batch takes one run of indices, the `n`th string index `first + n`, so strings
    ///   used in the order they were written resolve from neighbouring slots (an index is left
    ///   unused where the string was interned already);
    /// - one pass in order reads the text: it hashes each string and fills its slot (before the
    ///   string enters a table, so whoever finds it can resolve it);
    /// - each shard's strings are then listed (hash half and position), and the shard's table
    ///   is grown once and filled from that list in one pass while it sits in cache, the shards
    ///   in parallel, without touching the text (at random places, one cache miss a string)
    ///   unless two hashes' halves agree.
    pub fn intern_block(&self, text: Box<str>, spans: &[Range<u32>]) -> Vec<Symbol> {
        // 8 bytes: the shard is chosen by the top bits of the hash and the tables use only its
        // low half, so the rest need not be kept (3.35M items at 1M pages, all first-touched
        // memory on a warm start); the string is found through its slot.
        struct Item {
            half: u32,
            position: u32,
        }
        let count = spans.len();
        let block = self.add_block(text);
        let text = self.blocks.get(block as usize).map_or("", |text| text);
        let first = self.take_indices(count);
        // In order, the only pass that reads the text: each string's hash, and its slot filled
        // before it can enter a table (a string interned already leaves its index unused, slot
        // and all). A span that is not a piece of the text reads as "" here and when resolved.
        let hashes: Vec<u64> = spans
            .par_iter()
            .enumerate()
            .map(|(position, span)| {
                let (start, end) = match text.get(span.start as usize..span.end as usize) {
                    Some(_) => (span.start, span.end),
                    None => (0, 0),
                };
                self.slots.set(first + position, Stored { block, start, end });
                hash_of(piece(text, &(start..end)))
            })
            .collect();
        let mut by_shard: Vec<Vec<Item>> = (0..SHARDS)
            .map(|_| Vec::with_capacity(count / SHARDS * 9 / 8))
            .collect();
        for (position, hash) in hashes.into_iter().enumerate() {
            by_shard[shard_of(hash)].push(Item {
                half: hash as u32,
                position: position as u32,
            });
        }
        // The tables alone, each in cache while it fills: a string's text is read again only
        // where another string has the same hash half.
        let found: Vec<Vec<(u32, u32)>> = by_shard
            .into_par_iter()
            .enumerate()
            .map(|(shard, items)| {
                let mut table = write(&self.shards[shard]);
                table.reserve(items.len(), |slot| table_hash(slot.hash));
                let mut known = Vec::new();
                for item in items {
                    let index = first + item.position as usize;
                    let hash = u64::from(item.half);
                    match self.find_with(&table, hash, || self.resolve(&symbol_of(index))) {
                        Some(symbol) => known.push((item.position, symbol.into_usize() as u32)),
                        None => insert(&mut table, hash, index),
                    }
                }
                known
            })
            .collect();
        let mut symbols: Vec<Symbol> = (first..first + count).map(symbol_of).collect();
        for (position, index) in found.into_iter().flatten() {
            symbols[position as usize] = symbol_of(index as usize);
        }
        symbols
    }

    /// Approximate heap bytes: the strings, their slots, the tables.
    pub fn current_memory_usage(&self) -> usize {
        let tables: usize = self
            .shards
            .iter()
            .map(|shard| read(shard).capacity() * (std::mem::size_of::<Slot>() + 1))
            .sum();
        // A block is its text and, in the vector of blocks, a `Box<str>` and a flag.
        let blocks: usize = self.blocks.iter().map(|(_, text)| text.len() + 24).sum();
        blocks + self.slots.allocated() + tables
    }

    /// Hands out `count` consecutive indices, the first returned.
    fn take_indices(&self, count: usize) -> usize {
        let first = self.next.fetch_add(count, Ordering::AcqRel);
        if first + count >= CHUNKS << CHUNK_BITS {
            // 268M strings: far beyond any workspace this serves (~3.4M at 1M pages).
            panic!("the interner is full ({first} strings)");
        }
        first
    }

    fn add_block(&self, text: Box<str>) -> u32 {
        // A block is at least one string, so there are never more blocks than indices.
        self.blocks.push(text) as u32
    }

    fn find(&self, table: &Table, string: &str, hash: u64) -> Option<Symbol> {
        self.find_with(table, hash, || string)
    }

    /// [`Interner::find`] with the string asked for only where a slot's hash half matches.
    fn find_with<'s>(&'s self, table: &Table, hash: u64, string: impl Fn() -> &'s str) -> Option<Symbol> {
        let half = hash as u32;
        table
            .find(table_hash(half), |slot| {
                slot.hash == half && self.resolve(&symbol_of(slot.index as usize)) == string()
            })
            .map(|slot| symbol_of(slot.index as usize))
    }
}

/// The symbol of an index [`Interner::take_indices`] handed out (so it fits).
fn symbol_of(index: usize) -> Symbol {
    Symbol::try_from_usize(index).unwrap_or(Symbol(NonZeroU32::MAX))
}

/// Adds the string of `index` to its shard's table, where it is missing.
fn insert(table: &mut Table, hash: u64, index: usize) {
    let half = hash as u32;
    table.insert_unique(
        table_hash(half),
        Slot {
            hash: half,
            index: index as u32,
        },
        |slot| table_hash(slot.hash),
    );
}

/// The piece `span` of `text`, or `""` when `span` is not one.
fn piece<'a>(text: &'a str, span: &Range<u32>) -> &'a str {
    text.get(span.start as usize..span.end as usize).unwrap_or("")
}

fn read(shard: &RwLock<Table>) -> std::sync::RwLockReadGuard<'_, Table> {
    // A panic while a table was held cannot leave it half-changed in a way lookups mind.
    shard.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(shard: &RwLock<Table>) -> RwLockWriteGuard<'_, Table> {
    shard.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_each_string_once_and_resolves_it() {
        let interner = Interner::new();
        let a = interner.get_or_intern("內務");
        let b = interner.get_or_intern("内务");
        assert_ne!(a, b);
        assert_eq!(interner.get_or_intern("內務"), a);
        assert_eq!(interner.get("内务"), Some(b));
        assert_eq!(interner.get("𠀀"), None);
        assert_eq!(interner.resolve(&a), "內務");
        assert_eq!(interner.resolve(&b), "内务");
        assert_eq!(interner.len(), 2);
        assert_eq!((a.into_usize(), b.into_usize()), (0, 1));
        let empty = interner.get_or_intern("");
        assert_eq!(interner.resolve(&empty), "");
        assert_eq!(interner.get(""), Some(empty));
    }

    #[test]
    fn a_batch_agrees_with_one_at_a_time() {
        let interner = Interner::new();
        let early = interner.get_or_intern("page 7");
        let owned: Vec<String> = (0..20_000).map(|n| format!("page {}", n % 15_000)).collect();
        let batch: Vec<&str> = owned.iter().map(String::as_str).collect();
        let (text, spans) = block_of(&batch);
        let symbols = interner.intern_block(text, &spans);
        assert_eq!(symbols.len(), batch.len());
        // One index for "page 7", then one run for the batch, where the indices of its 5,000
        // repeats and of "page 7" stay unused.
        assert_eq!(interner.len(), 20_001);
        let distinct: std::collections::HashSet<Symbol> = symbols.iter().copied().collect();
        assert_eq!(distinct.len(), 15_000);
        assert_eq!(symbols[7], early);
        for (string, symbol) in batch.iter().zip(&symbols) {
            assert_eq!(interner.resolve(symbol), *string);
            assert_eq!(interner.get(string), Some(*symbol));
        }
        assert_eq!(symbols[3], symbols[15_003]);
    }

    fn block_of(strings: &[&str]) -> (Box<str>, Vec<Range<u32>>) {
        let mut text = String::new();
        let mut spans = Vec::new();
        for string in strings {
            let start = text.len() as u32;
            text.push_str(string);
            spans.push(start..text.len() as u32);
        }
        (text.into(), spans)
    }

    #[test]
    fn blocks_and_single_strings_mix_across_threads() {
        let interner = Interner::new();
        let words: Vec<String> = (0..30_000).map(|n| format!("內務{n}𠀀")).collect();
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let (single, batch) = std::thread::scope(|scope| {
            let single = scope.spawn(|| {
                refs.iter()
                    .rev()
                    .map(|word| interner.get_or_intern(word))
                    .collect::<Vec<_>>()
            });
            let (text, spans) = block_of(&refs);
            let batch = interner.intern_block(text, &spans);
            (single.join().expect("no panic"), batch)
        });
        let single: Vec<Symbol> = single.into_iter().rev().collect();
        assert_eq!(single, batch);
        for (word, symbol) in refs.iter().zip(&batch) {
            assert_eq!(interner.resolve(symbol), *word);
        }
        // A span off a character boundary is the empty string, not a panic.
        let symbols = interner.intern_block("𠀀x".into(), &[1..3, 4..5, 9..12]);
        assert_eq!(symbols[0], interner.get("").expect("interned"));
        assert_eq!(interner.resolve(&symbols[1]), "x");
        assert_eq!(symbols[2], symbols[0]);
    }

    #[test]
    fn strings_cross_chunks() {
        let interner = Interner::new();
        let words: Vec<String> = (0..(1 << CHUNK_BITS) + 10).map(|n| n.to_string()).collect();
        let symbols: Vec<Symbol> = words.iter().map(|word| interner.get_or_intern(word)).collect();
        let last = symbols.last().copied().expect("interned");
        assert_eq!(last.into_usize(), 1 << CHUNK_BITS | 9);
        assert_eq!(interner.resolve(&last), words[words.len() - 1]);
        assert_eq!(
            interner.resolve(&symbols[(1 << CHUNK_BITS) - 1]),
            words[(1 << CHUNK_BITS) - 1]
        );
        assert!(interner.current_memory_usage() > (2 << CHUNK_BITS) * 12);
    }

    #[test]
    fn threads_interning_the_same_strings_agree() {
        let interner = Interner::new();
        let words: Vec<String> = (0..5_000).map(|n| format!("標題{n}")).collect();
        let per_thread: Vec<Vec<Symbol>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        words
                            .iter()
                            .map(|word| interner.get_or_intern(word))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("no panic"))
                .collect()
        });
        assert_eq!(interner.len(), words.len());
        for symbols in &per_thread[1..] {
            assert_eq!(symbols, &per_thread[0]);
        }
    }

    #[test]
    fn a_symbol_out_of_range_resolves_to_nothing() {
        let interner = Interner::new();
        let other = Interner::new();
        let symbol = other.get_or_intern("x");
        assert_eq!(interner.resolve(&symbol), "");
        assert_eq!(Symbol::try_from_usize(u32::MAX as usize), None);
    }
}
