//! The bytes of the cache file: a fixed header, then fifteen sections of fixed-width
//! little-endian records, each with a CRC-32, in two stages. The first is what a warm start needs
//! before it can answer (every page's name): the strings of the names, the documents, the
//! keys and values of the folded titles. The second is everything else: the other strings, the
//! documents' details (stamps and record counts), links, headings, problems, variant blocks,
//! keys and values of backlinks and members, then the links' packed positions.
//!
//! Header (512 bytes): magic `WIKILSIX`, format version (u32), header length (u32), wikils
//! version (24 bytes, zero-padded), settings fingerprint (u64), time written (ns, i64), section
//! count (u32), padding, then per section offset (u64), length (u64), CRC-32 (u32), padding; the
//! CRC-32 of all that ends the header. Each of the two string sections: count (u32), count + 1
//! offsets (u32), the UTF-8 bytes; the second's strings are numbered on from the first's, and
//! the first holds every string the first stage refers to, in document order (paths, titles,
//! symlink targets, then the folded titles), so that they are read in the order they are used.
//! A document record (16 bytes) points at its strings by index; its details record (same
//! position in its section) holds its file's stamp and repair warning, and says how many records
//! of each kind follow it in the other sections, in document order, and how many bytes its
//! links' positions take ([`crate::facts::PackedPositions`] as is: link records hold no
//! positions, as `LinkFact` does not); documents are sorted by path. The derived maps
//! (backlinks, category members, folded titles) take two sections each: keys with their value
//! counts, then the values (document positions, or strings).

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use rayon::prelude::*;

use crate::facts::{
    DocumentFacts, FactsBox, HeadingFact, Interner, LinkFact, LinkTarget, PackedPositions, ProblemFact, Symbol,
    LINK_KINDS, LINK_SYNTAXES,
};
use crate::index::{DerivedMaps, FlatMap, RestoredDocument, SymlinkTarget};
use crate::syntax::{Flavor, ProblemKind, Span};
use crate::text::Position;

/// Bumped whenever the layout of the file or the meaning of a record changes.
pub const FORMAT_VERSION: u32 = 3;

const MAGIC: &[u8; 8] = b"WIKILSIX";
const HEADER_LENGTH: usize = 512;
const VERSION_FIELD_LENGTH: usize = 24;
const SECTION_COUNT: usize = 15;
const SECTION_TABLE_OFFSET: usize = 64;
const SECTION_ENTRY_LENGTH: usize = 24;
const HEADER_CRC_OFFSET: usize = HEADER_LENGTH - 4;

const STRINGS: usize = 0;
const DOCUMENTS: usize = 1;
const LINKS: usize = 2;
const HEADINGS: usize = 3;
const PROBLEMS: usize = 4;
const VARIANT_BLOCKS: usize = 5;
const BACKLINK_KEYS: usize = 6;
const MEMBER_KEYS: usize = 8;
const FOLDED_KEYS: usize = 10;
const FOLDED_VALUES: usize = 11;
const POSITIONS: usize = 12;
const FACT_STRINGS: usize = 13;
const DOCUMENT_DETAILS: usize = 14;

const DOCUMENT_RECORD: usize = 16;
const DETAILS_RECORD: usize = 32;
const LINK_RECORD: usize = 20;
const HEADING_RECORD: usize = 28;
const PROBLEM_RECORD: usize = 28;
const SPAN_RECORD: usize = 8;
const KEY_RECORD: usize = 8;
const VALUE_RECORD: usize = 4;
const RECORD_LENGTHS: [usize; SECTION_COUNT] = [
    1,
    DOCUMENT_RECORD,
    LINK_RECORD,
    HEADING_RECORD,
    PROBLEM_RECORD,
    SPAN_RECORD,
    KEY_RECORD,
    VALUE_RECORD,
    KEY_RECORD,
    VALUE_RECORD,
    KEY_RECORD,
    VALUE_RECORD,
    1,
    1,
    DETAILS_RECORD,
];
/// The sections of the records each document counts, in the order of its counts.
const PER_DOCUMENT: [usize; 5] = [LINKS, HEADINGS, PROBLEMS, VARIANT_BLOCKS, POSITIONS];

/// Where a details record holds its counts, in the order of [`PER_DOCUMENT`].
const COUNT_OFFSETS: [usize; 5] = [4, 8, 12, 16, 20];

/// "No string" in a string index.
const NO_STRING: u32 = u32::MAX;

/// Sections are checksummed in slices of this size in parallel, and the CRCs combined.
const CRC_SLICE: usize = 16 << 20;

// Enum values are stored as their index in these tables (`as u8` on write; a test checks that
// the two agree); link kinds and syntaxes in `facts::LINK_KINDS` and `facts::LINK_SYNTAXES`.
const FLAVORS: [Flavor; 2] = [Flavor::Markdown, Flavor::Wikitext];
const PROBLEM_KINDS: [ProblemKind; 2] = [ProblemKind::UnclosedLink, ProblemKind::UnclosedTemplate];

const TARGET_TITLE: u8 = 0;
const TARGET_PATH: u8 = 1;
const TARGET_SAME_DOCUMENT: u8 = 2;
const TARGET_NONE: u8 = 3;
/// Symlink kinds: a target as above, or one of these.
const SYMLINK_NONE: u8 = 10;
const SYMLINK_BROKEN: u8 = 11;

/// One document as the writer gets it.
pub struct CachedDocument<'a> {
    pub path: Symbol,
    pub title: Option<Symbol>,
    pub flavor: Flavor,
    pub symlink: Option<&'a SymlinkTarget>,
    pub warning: Option<&'a str>,
    /// [`super::FileStamp::digest`].
    pub stamp: u64,
    pub facts: &'a DocumentFacts,
}

/// A map of document positions as the writer takes it: the keys in the order written, each
/// key's number of values, and the values, given in order a piece at a time.
pub struct PositionsToWrite<'m> {
    pub keys: &'m [Symbol],
    pub counts: &'m [u32],
    pub values: &'m dyn PositionValues,
}

/// Gives a map's values (document positions) in order, a piece at a time, to `put`.
pub trait PositionValues {
    fn each_piece(&self, put: &mut dyn FnMut(&[u32]) -> io::Result<()>) -> io::Result<()>;
}

/// The derived maps of the documents written ([`crate::index::Index::derive_flat_maps`]).
pub struct MapsToWrite<'m> {
    pub backlinks: PositionsToWrite<'m>,
    pub members: PositionsToWrite<'m>,
    pub folded_titles: &'m FlatMap<Symbol>,
}

/// Sizes of what was written.
#[derive(Clone, Copy, Debug, Default)]
pub struct Written {
    pub bytes: u64,
    pub strings: usize,
    pub links: usize,
}

/// Writes a cache of the documents `documents` gives (sorted by path) to `out`, which must be
/// empty. `documents` is called once per pass over them (a few times) and must give the same
/// documents in the same order each time: they are streamed, never collected here. `maps` are
/// the maps derived from the same documents.
pub fn write<'d, W, I>(
    out: W,
    documents: impl Fn() -> I,
    maps: &MapsToWrite,
    interner: &Interner,
    fingerprint: u64,
    written_at_ns: i64,
) -> io::Result<Written>
where
    W: Write + Seek,
    I: Iterator<Item = CachedDocument<'d>>,
{
    let mut table = StringTable::new(interner);
    // The first stage's strings first, in the order it reads them.
    for document in documents() {
        table.symbol(document.path);
        if let Some(title) = document.title {
            table.symbol(title);
        }
        if let Some(symlink) = document.symlink {
            match symlink {
                SymlinkTarget::Target(target) => {
                    target_parts(*target, &mut table);
                }
                SymlinkTarget::Broken(reason) => {
                    table.text(reason);
                }
            }
        }
    }
    for (key, titles) in maps.folded_titles.iter() {
        table.symbol(key);
        for title in titles {
            table.symbol(*title);
        }
    }
    let names_strings = table.len();
    for document in documents() {
        if let Some(warning) = document.warning {
            table.text(warning);
        }
        for link in &document.facts.links {
            target_parts(link.target(), &mut table);
            if let Some(anchor) = link.anchor() {
                table.symbol(anchor);
            }
        }
        for heading in &document.facts.headings {
            table.symbol(heading.anchor);
            table.symbol(heading.slug);
        }
    }
    for key in maps.backlinks.keys.iter().chain(maps.members.keys) {
        table.symbol(*key);
    }

    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    out.write_all(&[0; HEADER_LENGTH])?;
    let mut sections = [(0u64, 0u64, 0u32); SECTION_COUNT];
    let mut offset = HEADER_LENGTH as u64;
    let mut section = |index: usize, write: &mut dyn FnMut(&mut Section<'_>) -> io::Result<()>| -> io::Result<()> {
        let mut writer = Section {
            out: &mut out,
            crc: crc32fast::Hasher::new(),
            length: 0,
        };
        write(&mut writer)?;
        sections[index] = (offset, writer.length, writer.crc.finalize());
        offset += writer.length;
        Ok(())
    };

    // The first stage's sections first, together at the start of the file.
    section(STRINGS, &mut |section| {
        write_strings(section, names_strings, || table.strings().take(names_strings))
    })?;
    section(DOCUMENTS, &mut |section| {
        for document in documents() {
            let (symlink_kind, symlink_string) = match document.symlink {
                None => (SYMLINK_NONE, NO_STRING),
                Some(SymlinkTarget::Target(target)) => target_parts(*target, &mut table),
                Some(SymlinkTarget::Broken(reason)) => (SYMLINK_BROKEN, table.text(reason)),
            };
            let title = document.title.map_or(NO_STRING, |title| table.symbol(title));
            let record = document_record(
                table.symbol(document.path),
                title,
                document.flavor,
                (symlink_kind, symlink_string),
            );
            section.put(&record)?;
        }
        Ok(())
    })?;
    section(FOLDED_KEYS, &mut |section| {
        for (key, count) in maps.folded_titles.keys.iter().zip(&maps.folded_titles.counts) {
            section.put(&table.symbol(*key).to_le_bytes())?;
            section.put(&count.to_le_bytes())?;
        }
        Ok(())
    })?;
    section(FOLDED_VALUES, &mut |section| {
        for title in &maps.folded_titles.values {
            section.put(&table.symbol(*title).to_le_bytes())?;
        }
        Ok(())
    })?;
    let fact_strings = table.len() - names_strings;
    section(FACT_STRINGS, &mut |section| {
        write_strings(section, fact_strings, || table.strings().skip(names_strings))
    })?;
    let mut links = 0;
    section(DOCUMENT_DETAILS, &mut |section| {
        for document in documents() {
            links += document.facts.links.len();
            let warning = document.warning.map_or(NO_STRING, |warning| table.text(warning));
            section.put(&details_record(warning, document.facts, document.stamp)?)?;
        }
        Ok(())
    })?;
    section(LINKS, &mut |section| {
        for document in documents() {
            for link in &document.facts.links {
                let mut record = [0u8; LINK_RECORD];
                let (target_kind, target) = target_parts(link.target(), &mut table);
                put_span(&mut record, 0, link.span);
                put_u32(&mut record, 8, target);
                put_u32(
                    &mut record,
                    12,
                    link.anchor().map_or(NO_STRING, |anchor| table.symbol(anchor)),
                );
                record[16] = link.kind() as u8;
                record[17] = link.syntax() as u8;
                record[18] = target_kind;
                section.put(&record)?;
            }
        }
        Ok(())
    })?;
    section(HEADINGS, &mut |section| {
        for document in documents() {
            for heading in &document.facts.headings {
                let mut record = [0u8; HEADING_RECORD];
                put_span(&mut record, 0, heading.span);
                put_position(&mut record, 8, heading.start);
                put_u32(&mut record, 16, table.symbol(heading.anchor));
                put_u32(&mut record, 20, table.symbol(heading.slug));
                record[24] = heading.level;
                section.put(&record)?;
            }
        }
        Ok(())
    })?;
    section(PROBLEMS, &mut |section| {
        for document in documents() {
            for problem in &document.facts.problems {
                let mut record = [0u8; PROBLEM_RECORD];
                put_span(&mut record, 0, problem.span);
                put_position(&mut record, 8, problem.start);
                put_position(&mut record, 16, problem.end);
                record[24] = problem.kind as u8;
                section.put(&record)?;
            }
        }
        Ok(())
    })?;
    section(VARIANT_BLOCKS, &mut |section| {
        for document in documents() {
            for span in &document.facts.variant_blocks {
                let mut record = [0u8; SPAN_RECORD];
                put_span(&mut record, 0, *span);
                section.put(&record)?;
            }
        }
        Ok(())
    })?;
    let document_maps = [(BACKLINK_KEYS, &maps.backlinks), (MEMBER_KEYS, &maps.members)];
    for (keys, map) in document_maps {
        section(keys, &mut |section| {
            for (key, count) in map.keys.iter().zip(map.counts) {
                section.put(&table.symbol(*key).to_le_bytes())?;
                section.put(&count.to_le_bytes())?;
            }
            Ok(())
        })?;
        section(keys + 1, &mut |section| {
            let mut bytes = Vec::new();
            map.values.each_piece(&mut |values| {
                for values in values.chunks(1 << 14) {
                    bytes.clear();
                    bytes.extend(values.iter().flat_map(|value| value.to_le_bytes()));
                    section.put(&bytes)?;
                }
                Ok(())
            })
        })?;
    }
    section(POSITIONS, &mut |section| {
        for document in documents() {
            section.put(document.facts.link_positions.as_bytes())?;
        }
        Ok(())
    })?;

    let header = header(fingerprint, written_at_ns, &sections);
    let mut out = out.into_inner().map_err(|error| error.into_error())?;
    out.seek(SeekFrom::Start(0))?;
    out.write_all(&header)?;
    out.flush()?;
    Ok(Written {
        bytes: offset,
        strings: table.len(),
        links,
    })
}

/// A strings section: the count, the offsets, the text.
fn write_strings<'s, I: Iterator<Item = &'s str>>(
    section: &mut Section<'_>,
    count: usize,
    strings: impl Fn() -> I,
) -> io::Result<()> {
    let count = checked_u32(count)?;
    section.put(&count.to_le_bytes())?;
    let mut end = 0u32;
    section.put(&end.to_le_bytes())?;
    for string in strings() {
        end = checked_u32(end as usize + string.len())?;
        section.put(&end.to_le_bytes())?;
    }
    for string in strings() {
        section.put(string.as_bytes())?;
    }
    Ok(())
}

/// A document's record: its path, title and symlink strings, its flavor and symlink kind.
fn document_record(path: u32, title: u32, flavor: Flavor, (symlink_kind, symlink): (u8, u32)) -> [u8; DOCUMENT_RECORD] {
    let mut record = [0u8; DOCUMENT_RECORD];
    put_u32(&mut record, 0, path);
    put_u32(&mut record, 4, title);
    put_u32(&mut record, 8, symlink);
    record[12] = flavor as u8;
    record[13] = symlink_kind;
    record
}

/// A document's details record: its warning string, its records' counts, its file's stamp.
fn details_record(warning: u32, facts: &DocumentFacts, stamp: u64) -> io::Result<[u8; DETAILS_RECORD]> {
    let mut record = [0u8; DETAILS_RECORD];
    put_u32(&mut record, 0, warning);
    let counts = [
        facts.links.len(),
        facts.headings.len(),
        facts.problems.len(),
        facts.variant_blocks.len(),
        facts.link_positions.as_bytes().len(),
    ];
    for (at, count) in COUNT_OFFSETS.into_iter().zip(counts) {
        put_u32(&mut record, at, checked_u32(count)?);
    }
    put_u64(&mut record, 24, stamp);
    Ok(record)
}

fn header(fingerprint: u64, written_at_ns: i64, sections: &[(u64, u64, u32); SECTION_COUNT]) -> [u8; HEADER_LENGTH] {
    let mut header = [0u8; HEADER_LENGTH];
    header[..8].copy_from_slice(MAGIC);
    put_u32(&mut header, 8, FORMAT_VERSION);
    put_u32(&mut header, 12, HEADER_LENGTH as u32);
    let version = wikils_version();
    header[16..16 + version.len()].copy_from_slice(version);
    put_u64(&mut header, 40, fingerprint);
    put_u64(&mut header, 48, written_at_ns as u64);
    put_u32(&mut header, 56, SECTION_COUNT as u32);
    for (index, (offset, length, crc)) in sections.iter().enumerate() {
        let at = SECTION_TABLE_OFFSET + index * SECTION_ENTRY_LENGTH;
        put_u64(&mut header, at, *offset);
        put_u64(&mut header, at + 8, *length);
        put_u32(&mut header, at + 16, *crc);
    }
    let crc = crc32fast::hash(&header[..HEADER_CRC_OFFSET]);
    put_u32(&mut header, HEADER_CRC_OFFSET, crc);
    header
}

/// The crate version, cut to the header's field.
fn wikils_version() -> &'static [u8] {
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    &version[..version.len().min(VERSION_FIELD_LENGTH)]
}

struct Section<'a> {
    out: &'a mut dyn Write,
    crc: crc32fast::Hasher,
    length: u64,
}

impl Section<'_> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.crc.update(bytes);
        self.length += bytes.len() as u64;
        self.out.write_all(bytes)
    }
}

/// Strings by first use; symbols are looked up by index, other strings by hash. A symbol's text
/// stays in the interner: the table keeps the symbol (4 bytes, not a 16-byte `&str`; millions).
struct StringTable<'a> {
    interner: &'a Interner,
    by_symbol: Vec<u32>,
    by_text: rustc_hash::FxHashMap<&'a str, u32>,
    /// The symbols in table order, the texts left out.
    symbols: Vec<Symbol>,
    /// The texts (strings that are not symbols: few), each with its index in the table.
    texts: Vec<(u32, &'a str)>,
}

impl<'a> StringTable<'a> {
    fn new(interner: &'a Interner) -> StringTable<'a> {
        StringTable {
            interner,
            by_symbol: vec![NO_STRING; interner.len()],
            by_text: rustc_hash::FxHashMap::default(),
            symbols: Vec::new(),
            texts: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.symbols.len() + self.texts.len()
    }

    fn symbol(&mut self, symbol: Symbol) -> u32 {
        let slot = symbol.into_usize();
        if slot >= self.by_symbol.len() {
            // Interned while the cache is written.
            self.by_symbol.resize(slot + 1, NO_STRING);
        }
        if self.by_symbol[slot] == NO_STRING {
            self.by_symbol[slot] = self.len() as u32;
            self.symbols.push(symbol);
        }
        self.by_symbol[slot]
    }

    fn text(&mut self, text: &'a str) -> u32 {
        let next = self.len() as u32;
        let id = *self.by_text.entry(text).or_insert(next);
        if id == next {
            self.texts.push((next, text));
        }
        id
    }

    /// Every string, in table order.
    fn strings(&self) -> impl Iterator<Item = &'a str> + '_ {
        let interner = self.interner;
        let mut symbols = self.symbols.iter();
        let mut texts = self.texts.iter().peekable();
        (0..self.len()).filter_map(move |id| match texts.next_if(|(at, _)| *at as usize == id) {
            Some((_, text)) => Some(*text),
            None => symbols.next().map(|symbol| interner.resolve(symbol)),
        })
    }
}

fn target_parts(target: LinkTarget, table: &mut StringTable) -> (u8, u32) {
    match target {
        LinkTarget::Title(symbol) => (TARGET_TITLE, table.symbol(symbol)),
        LinkTarget::Path(symbol) => (TARGET_PATH, table.symbol(symbol)),
        LinkTarget::SameDocument => (TARGET_SAME_DOCUMENT, NO_STRING),
        LinkTarget::None => (TARGET_NONE, NO_STRING),
    }
}

fn checked_u32(value: usize) -> io::Result<u32> {
    u32::try_from(value)
        .map_err(|_| io::Error::other("too large for the cache format (over 4 GiB of strings or 4G records)"))
}

fn put_u32(record: &mut [u8], at: usize, value: u32) {
    record[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(record: &mut [u8], at: usize, value: u64) {
    record[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn put_span(record: &mut [u8], at: usize, span: Span) {
    put_u32(record, at, span.start);
    put_u32(record, at + 4, span.end);
}

fn put_position(record: &mut [u8], at: usize, position: Position) {
    put_u32(record, at, position.line);
    put_u32(record, at + 4, position.column);
}

fn get_u32(record: &[u8], at: usize) -> u32 {
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&record[at..at + 4]);
    u32::from_le_bytes(bytes)
}

fn get_u64(record: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&record[at..at + 8]);
    u64::from_le_bytes(bytes)
}

fn get_span(record: &[u8], at: usize) -> Span {
    Span {
        start: get_u32(record, at),
        end: get_u32(record, at + 4),
    }
}

fn get_position(record: &[u8], at: usize) -> Position {
    Position {
        line: get_u32(record, at),
        column: get_u32(record, at + 4),
    }
}

fn enum_at<T: Copy>(table: &[T], byte: u8, what: &str) -> Result<T, String> {
    table
        .get(byte as usize)
        .copied()
        .ok_or_else(|| format!("unknown {what} {byte}"))
}

/// Per-document sections are read and decoded in pieces of about this size, so the file's
/// bytes are never held whole next to the facts decoded from them.
const READ_PIECE: usize = 8 << 20;

/// What a cached document's file was when it was read.
pub struct CachedStamp {
    /// [`super::FileStamp::digest`].
    pub stamp: u64,
    /// The repair the file was read with (invalid UTF-8).
    pub warning: Option<Box<str>>,
}

/// The first stage of reading a cache file: every document without its facts (sorted by path)
/// and the folded titles: what the index needs to know every page. [`Rest::read_facts`] reads
/// the rest of the same file.
pub struct Names {
    pub written_at_ns: i64,
    pub documents: DocumentRecords,
    /// Collected straight into the index's lists: most keys have one or two titles, kept inline.
    pub folded_titles: Vec<(Symbol, crate::index::Ids<Symbol>)>,
}

/// A section's records of `LENGTH` bytes, read whole and decoded one at a time as they are
/// needed. A record past the end reads as zeros (callers check the count first).
struct Records<const LENGTH: usize> {
    bytes: Vec<u8>,
}

impl<const LENGTH: usize> Records<LENGTH> {
    fn len(&self) -> usize {
        self.bytes.len() / LENGTH
    }

    fn get(&self, index: usize) -> &[u8] {
        self.bytes
            .get(index * LENGTH..(index + 1) * LENGTH)
            .unwrap_or(&[0; LENGTH])
    }
}

/// The cache's document records, checked, decoded one at a time as they are needed: a million
/// documents are never held twice, once as records and once decoded.
pub struct DocumentRecords {
    records: Records<DOCUMENT_RECORD>,
    symbols: Arc<Vec<Symbol>>,
}

impl DocumentRecords {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn record(&self, index: usize) -> &[u8] {
        self.records.get(index)
    }

    /// A string that [`DocumentRecords::check`] found in range.
    fn symbol(&self, id: u32) -> Symbol {
        self.symbols
            .get(id as usize)
            .or(self.symbols.first())
            .copied()
            .unwrap_or_else(|| Symbol::try_from_usize(0).unwrap_or_else(|| unreachable!("0 fits")))
    }

    fn optional_symbol(&self, id: u32) -> Option<Symbol> {
        (id != NO_STRING).then(|| self.symbol(id))
    }

    pub fn path_symbol(&self, index: usize) -> Symbol {
        self.symbol(get_u32(self.record(index), 0))
    }

    pub fn flavor(&self, index: usize) -> Flavor {
        FLAVORS
            .get(self.record(index)[12] as usize)
            .copied()
            .unwrap_or(Flavor::Markdown)
    }

    pub fn is_symlink(&self, index: usize) -> bool {
        self.record(index)[13] != SYMLINK_NONE
    }

    /// The document at `index`, its path resolved by `interner`.
    pub fn document(&self, index: usize, interner: &Interner) -> RestoredDocument {
        let record = self.record(index);
        let path_symbol = self.path_symbol(index);
        let symlink = match record[13] {
            SYMLINK_NONE => None,
            SYMLINK_BROKEN => Some(SymlinkTarget::Broken(
                interner.resolve(&self.symbol(get_u32(record, 8))).to_string(),
            )),
            kind => Some(SymlinkTarget::Target(
                target(kind, get_u32(record, 8), &self.symbols).unwrap_or(LinkTarget::None),
            )),
        };
        RestoredDocument {
            path: interner.resolve(&path_symbol).into(),
            path_symbol,
            title: self.optional_symbol(get_u32(record, 4)),
            flavor: self.flavor(index),
            symlink,
        }
    }

    /// Checks every record's strings and enumerations, so decoding cannot fail.
    fn check(&self) -> Result<(), String> {
        let symbol = |id: u32| match (id as usize) < self.symbols.len() {
            true => Ok(()),
            false => Err(format!("string {id} out of range")),
        };
        let optional = |id: u32| match id {
            NO_STRING => Ok(()),
            id => symbol(id),
        };
        self.records
            .bytes
            .par_chunks_exact(DOCUMENT_RECORD)
            .try_for_each(|record| {
                symbol(get_u32(record, 0))?;
                optional(get_u32(record, 4))?;
                enum_at(&FLAVORS, record[12], "flavor")?;
                match record[13] {
                    SYMLINK_NONE => Ok(()),
                    SYMLINK_BROKEN => symbol(get_u32(record, 8)),
                    kind => target(kind, get_u32(record, 8), &self.symbols).map(|_| ()),
                }
            })
    }
}

/// The cache's details of its documents (in the order of [`Names::documents`]): what validating
/// the cache against the files needs.
pub struct DocumentDetails {
    records: Records<DETAILS_RECORD>,
    /// Every string of the file, both sections'.
    symbols: Arc<Vec<Symbol>>,
}

impl DocumentDetails {
    /// The stamp of the file of the document at `index`, and its repair warning.
    pub fn stamp(&self, index: usize, interner: &Interner) -> CachedStamp {
        let record = self.records.get(index);
        let warning = match get_u32(record, 0) {
            NO_STRING => None,
            id => self.symbols.get(id as usize),
        };
        CachedStamp {
            stamp: get_u64(record, 24),
            warning: warning.map(|warning| interner.resolve(warning).into()),
        }
    }
}

/// The second stage: each document's facts, in the order of [`Names::documents`], and the
/// backlinks and category members derived from them (`folded_titles` left empty: it came with
/// the names).
pub struct Facts {
    /// Decoded straight into the index's boxes (a document with no facts has none): a list of
    /// whole `DocumentFacts` was 88 MB at 1M pages beside the boxes it was moved into.
    pub facts: Vec<FactsBox>,
    pub maps: DerivedMaps,
    pub details: DocumentDetails,
}

/// A cache file whose header, strings and documents were read: what reading its facts needs.
pub struct Rest<R: Read + Seek> {
    reader: SectionReader<R>,
    /// The first string section's.
    symbols: Arc<Vec<Symbol>>,
    document_count: usize,
}

/// Reads the first stage of a cache file (see [`Names`]): checks the header (format, wikils
/// version, `fingerprint`), then reads the strings, the documents and the folded titles, one
/// section at a time, checking each section's CRC-32 before decoding it. Strings go into
/// `interner`. Any mismatch is an error naming it; decoded values are range-checked, so a
/// damaged file is an error, never a panic or a wrong index.
pub fn read_names<R: Read + Seek>(
    mut file: R,
    file_length: u64,
    fingerprint: u64,
    interner: &Interner,
) -> Result<(Names, Rest<R>), String> {
    let read_error = |error: io::Error| format!("cannot read: {error}");
    if file_length == 0 {
        return Err("the file is empty".to_string());
    }
    let mut header = [0u8; HEADER_LENGTH];
    if file_length < HEADER_LENGTH as u64 {
        return Err("not a wikils index cache".to_string());
    }
    file.read_exact(&mut header).map_err(read_error)?;
    if &header[..8] != MAGIC {
        return Err("not a wikils index cache".to_string());
    }
    if get_u32(&header, HEADER_CRC_OFFSET) != crc32fast::hash(&header[..HEADER_CRC_OFFSET]) {
        return Err("the header's checksum does not match".to_string());
    }
    let version = get_u32(&header, 8);
    if version != FORMAT_VERSION {
        return Err(format!("format version {version}, expected {FORMAT_VERSION}"));
    }
    let mut expected_version = [0u8; VERSION_FIELD_LENGTH];
    expected_version[..wikils_version().len()].copy_from_slice(wikils_version());
    if header[16..16 + VERSION_FIELD_LENGTH] != expected_version {
        let written_by = String::from_utf8_lossy(&header[16..16 + VERSION_FIELD_LENGTH]);
        return Err(format!(
            "written by wikils {}, this is {}",
            written_by.trim_end_matches('\0'),
            env!("CARGO_PKG_VERSION")
        ));
    }
    if get_u64(&header, 40) != fingerprint {
        return Err("written under other settings (wikils.toml or layout changed)".to_string());
    }
    if get_u32(&header, 56) as usize != SECTION_COUNT {
        return Err("unexpected section count".to_string());
    }
    let mut sections = [SectionEntry::default(); SECTION_COUNT];
    for (index, section) in sections.iter_mut().enumerate() {
        let at = SECTION_TABLE_OFFSET + index * SECTION_ENTRY_LENGTH;
        let offset = get_u64(&header, at);
        let length = get_u64(&header, at + 8);
        let end = offset.checked_add(length).filter(|end| *end <= file_length);
        if end.is_none() || offset < HEADER_LENGTH as u64 || usize::try_from(length).is_err() {
            return Err(format!("section {index} lies outside the file (truncated?)"));
        }
        if length % RECORD_LENGTHS[index] as u64 != 0 {
            return Err(format!("section {index} does not hold whole records"));
        }
        *section = SectionEntry {
            offset,
            length: length as usize,
            crc: get_u32(&header, at + 16),
        };
    }
    let mut reader = SectionReader { file, sections };

    // Strings go into the interner at once, the section's text kept as one block of it.
    let symbols: Arc<Vec<Symbol>> = Arc::new(reader.strings(STRINGS, interner)?);
    let symbol = |id: u32| {
        symbols
            .get(id as usize)
            .copied()
            .ok_or_else(|| format!("string {id} out of range"))
    };

    let records = reader.whole(DOCUMENTS)?;
    let documents = DocumentRecords {
        records: Records { bytes: records },
        symbols: Arc::clone(&symbols),
    };
    documents.check()?;
    let folded_titles = reader.map(FOLDED_KEYS, &symbol, &symbol)?;
    let document_count = documents.len();
    let names = Names {
        written_at_ns: get_u64(&header, 48) as i64,
        documents,
        folded_titles,
    };
    Ok((
        names,
        Rest {
            reader,
            symbols,
            document_count,
        },
    ))
}

impl<R: Read + Seek> Rest<R> {
    /// Reads the second stage (see [`Facts`]): the rest of the strings (into `interner`, as the
    /// first stage's), the documents' details, the per-document sections in pieces of
    /// `READ_PIECE`, then the backlinks and members, each checked as the first stage's.
    pub fn read_facts(self, interner: &Interner) -> Result<Facts, String> {
        let Rest {
            mut reader,
            symbols: names,
            document_count,
        } = self;
        let symbols: Arc<Vec<Symbol>> = {
            let facts = reader.strings(FACT_STRINGS, interner)?;
            let mut all = Vec::with_capacity(names.len() + facts.len());
            all.extend_from_slice(&names);
            all.extend(facts);
            Arc::new(all)
        };
        drop(names);
        let details = reader.whole(DOCUMENT_DETAILS)?;
        if details.len() / DETAILS_RECORD != document_count {
            return Err("the documents' details do not match the documents".to_string());
        }
        let mut counts = Vec::with_capacity(document_count);
        let mut totals = [0u64; 5];
        for record in details.chunks_exact(DETAILS_RECORD) {
            let count = COUNT_OFFSETS.map(|at| get_u32(record, at));
            for (total, count) in totals.iter_mut().zip(count) {
                *total += u64::from(count);
            }
            match get_u32(record, 0) {
                NO_STRING => {}
                id if (id as usize) < symbols.len() => {}
                id => return Err(format!("string {id} out of range")),
            }
            counts.push(count);
        }
        for (kind, section) in PER_DOCUMENT.into_iter().enumerate() {
            if totals[kind] * RECORD_LENGTHS[section] as u64 != reader.sections[section].length as u64 {
                return Err(format!(
                    "section {section} holds another number of records than the documents say"
                ));
            }
        }
        let symbol = |id: u32| {
            symbols
                .get(id as usize)
                .copied()
                .ok_or_else(|| format!("string {id} out of range"))
        };
        let mut documents: Vec<FactsBox> = Vec::new();
        documents.resize_with(counts.len(), FactsBox::default);

        reader.per_document(LINKS, 0, &counts, &mut documents, &|bytes, facts| {
            facts.links = bytes
                .chunks_exact(LINK_RECORD)
                .map(|record| {
                    let anchor = match get_u32(record, 12) {
                        NO_STRING => None,
                        id => Some(symbol(id)?),
                    };
                    Ok(LinkFact::new(
                        get_span(record, 0),
                        enum_at(&LINK_KINDS, record[16], "link kind")?,
                        enum_at(&LINK_SYNTAXES, record[17], "link syntax")?,
                        target(record[18], get_u32(record, 8), &symbols)?,
                        anchor,
                    ))
                })
                .collect::<Result<Box<[_]>, String>>()?;
            Ok(())
        })?;
        // After the links: a document's positions must hold exactly one pair per link.
        reader.per_document(POSITIONS, 4, &counts, &mut documents, &|bytes, facts| {
            facts.link_positions = PackedPositions::checked_from_bytes(bytes, facts.links.len())
                .ok_or("link positions do not match the links")?;
            Ok(())
        })?;
        reader.per_document(HEADINGS, 1, &counts, &mut documents, &|bytes, facts| {
            facts.headings = bytes
                .chunks_exact(HEADING_RECORD)
                .map(|record| {
                    Ok(HeadingFact {
                        level: record[24],
                        span: get_span(record, 0),
                        start: get_position(record, 8),
                        anchor: symbol(get_u32(record, 16))?,
                        slug: symbol(get_u32(record, 20))?,
                    })
                })
                .collect::<Result<Box<[_]>, String>>()?;
            Ok(())
        })?;
        reader.per_document(PROBLEMS, 2, &counts, &mut documents, &|bytes, facts| {
            facts.problems = bytes
                .chunks_exact(PROBLEM_RECORD)
                .map(|record| {
                    Ok(ProblemFact {
                        kind: enum_at(&PROBLEM_KINDS, record[24], "problem kind")?,
                        span: get_span(record, 0),
                        start: get_position(record, 8),
                        end: get_position(record, 16),
                    })
                })
                .collect::<Result<Box<[_]>, String>>()?;
            Ok(())
        })?;
        reader.per_document(VARIANT_BLOCKS, 3, &counts, &mut documents, &|bytes, facts| {
            facts.variant_blocks = bytes
                .chunks_exact(SPAN_RECORD)
                .map(|record| get_span(record, 0))
                .collect();
            Ok(())
        })?;
        drop(counts);

        let document_count = documents.len() as u32;
        let position = |value: u32| {
            (value < document_count)
                .then_some(value)
                .ok_or_else(|| format!("document {value} out of range"))
        };
        let maps = DerivedMaps {
            backlinks: reader.map(BACKLINK_KEYS, &symbol, &position)?,
            members: reader.map(MEMBER_KEYS, &symbol, &position)?,
            folded_titles: Vec::new(),
        };
        Ok(Facts {
            facts: documents,
            maps,
            details: DocumentDetails {
                records: Records { bytes: details },
                symbols,
            },
        })
    }
}

/// Decodes one document's records of a section into its facts.
type DecodeFacts<'a> = dyn Fn(&[u8], &mut DocumentFacts) -> Result<(), String> + Sync + 'a;

#[derive(Clone, Copy, Default)]
struct SectionEntry {
    offset: u64,
    length: usize,
    crc: u32,
}

/// Reads the sections of a file whose header was checked.
struct SectionReader<R: Read + Seek> {
    file: R,
    sections: [SectionEntry; SECTION_COUNT],
}

impl<R: Read + Seek> SectionReader<R> {
    /// A whole section, its checksum verified.
    fn whole(&mut self, index: usize) -> Result<Vec<u8>, String> {
        let section = self.sections[index];
        self.file
            .seek(SeekFrom::Start(section.offset))
            .map_err(|error| format!("cannot read section {index}: {error}"))?;
        let bytes = self.next_bytes(index, section.length)?;
        if checksum(&bytes).finalize() != section.crc {
            return Err(format!("section {index}'s checksum does not match"));
        }
        Ok(bytes)
    }

    /// A strings section (`index`), checksum verified, its strings interned by `interner`: their
    /// symbols, in order. The offsets (count + 1 of them) and the text are read apart, so the
    /// text becomes the interner's block without a copy.
    fn strings(&mut self, index: usize, interner: &Interner) -> Result<Vec<Symbol>, String> {
        let (offsets, text) = self.string_section(index)?;
        let (text, spans) = parse_strings(&offsets, text)?;
        drop(offsets);
        Ok(interner.intern_block(text, &spans))
    }

    fn string_section(&mut self, index: usize) -> Result<(Vec<u8>, Vec<u8>), String> {
        let section = self.sections[index];
        self.file
            .seek(SeekFrom::Start(section.offset))
            .map_err(|error| format!("cannot read section {index}: {error}"))?;
        let head = self.next_bytes(index, section.length.min(4))?;
        let count = head.get(..4).map(|bytes| get_u32(bytes, 0)).ok_or("no string count")? as usize;
        let offsets_length = count
            .checked_add(1)
            .and_then(|entries| entries.checked_mul(4))
            .filter(|length| length + 4 <= section.length)
            .ok_or("string offsets out of range")?;
        let offsets = self.next_bytes(index, offsets_length)?;
        let text = self.next_bytes(index, section.length - 4 - offsets_length)?;
        let mut crc = checksum(&head);
        crc.combine(&checksum(&offsets));
        crc.combine(&checksum(&text));
        if crc.finalize() != section.crc {
            return Err(format!("section {index}'s checksum does not match"));
        }
        Ok((offsets, text))
    }

    /// The next `length` bytes of the file, into memory that is not zeroed first.
    fn next_bytes(&mut self, index: usize, length: usize) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::with_capacity(length);
        let read = (&mut self.file)
            .take(length as u64)
            .read_to_end(&mut bytes)
            .map_err(|error| format!("cannot read section {index}: {error}"))?;
        if read != length {
            return Err(format!("cannot read section {index}: the file ends early"));
        }
        Ok(bytes)
    }

    /// Reads a per-document section in pieces of whole documents and gives each document its
    /// bytes (`kind` indexes `counts`). The checksum is checked after the last piece: until
    /// then what was decoded may be wrong, and an error throws it all away.
    fn per_document(
        &mut self,
        index: usize,
        kind: usize,
        counts: &[[u32; 5]],
        documents: &mut [FactsBox],
        decode: &DecodeFacts,
    ) -> Result<(), String> {
        let section = self.sections[index];
        let record = RECORD_LENGTHS[index];
        self.file
            .seek(SeekFrom::Start(section.offset))
            .map_err(|error| format!("cannot read section {index}: {error}"))?;
        let mut hasher = crc32fast::Hasher::new();
        let mut buffer = Vec::new();
        let mut first = 0;
        while first < documents.len() {
            // Whole documents up to a piece's size (at least one).
            let mut length = 0usize;
            let mut last = first;
            while last < documents.len() {
                let bytes = counts[last][kind] as usize * record;
                if last > first && length + bytes > READ_PIECE {
                    break;
                }
                length += bytes;
                last += 1;
            }
            buffer.clear();
            buffer.resize(length, 0);
            self.file
                .read_exact(&mut buffer)
                .map_err(|error| format!("cannot read section {index}: {error}"))?;
            hasher.update(&buffer);
            let mut pieces = Vec::with_capacity(last - first);
            let mut rest = buffer.as_slice();
            for count in &counts[first..last] {
                let (piece, after) = rest.split_at(count[kind] as usize * record);
                pieces.push(piece);
                rest = after;
            }
            documents[first..last]
                .par_iter_mut()
                .zip(pieces)
                .try_for_each(|(facts, bytes)| match (bytes.is_empty(), facts.is_none()) {
                    // Nothing here, and nothing before that this could contradict.
                    (true, true) => Ok(()),
                    _ => decode(bytes, facts.make_mut()),
                })?;
            first = last;
        }
        if hasher.finalize() != section.crc {
            return Err(format!("section {index}'s checksum does not match"));
        }
        Ok(())
    }

    /// A derived map from its keys section (`keys`) and values section (`keys + 1`).
    fn map<V: Send, C: FromIterator<V> + Send>(
        &mut self,
        keys: usize,
        key: &(dyn Fn(u32) -> Result<Symbol, String> + Sync),
        value: &(dyn Fn(u32) -> Result<V, String> + Sync),
    ) -> Result<Vec<(Symbol, C)>, String> {
        let key_records = self.whole(keys)?;
        let values = self.whole(keys + 1)?;
        let mut entries = Vec::with_capacity(key_records.len() / KEY_RECORD);
        let mut next = 0usize;
        for record in key_records.chunks_exact(KEY_RECORD) {
            let count = get_u32(record, 4) as usize;
            entries.push((get_u32(record, 0), next, count));
            next += count;
        }
        if next * VALUE_RECORD != values.len() {
            return Err(format!(
                "section {keys} counts another number of values than section {} holds",
                keys + 1
            ));
        }
        entries
            .into_par_iter()
            .map(|(key_id, start, count)| {
                let slice = &values[start * VALUE_RECORD..(start + count) * VALUE_RECORD];
                let values = slice
                    .chunks_exact(VALUE_RECORD)
                    .map(|bytes| value(get_u32(bytes, 0)))
                    .collect::<Result<C, String>>()?;
                Ok((key(key_id)?, values))
            })
            .collect()
    }
}

/// The CRC-32 of `bytes`, slices of it hashed in parallel.
fn checksum(bytes: &[u8]) -> crc32fast::Hasher {
    bytes
        .par_chunks(CRC_SLICE)
        .map(|slice| {
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(slice);
            hasher
        })
        .collect::<Vec<_>>()
        .into_iter()
        .fold(crc32fast::Hasher::new(), |mut combined, hasher| {
            combined.combine(&hasher);
            combined
        })
}

fn target(kind: u8, id: u32, symbols: &[Symbol]) -> Result<LinkTarget, String> {
    let symbol = || {
        symbols
            .get(id as usize)
            .copied()
            .ok_or_else(|| format!("string {id} out of range"))
    };
    match kind {
        TARGET_TITLE => Ok(LinkTarget::Title(symbol()?)),
        TARGET_PATH => Ok(LinkTarget::Path(symbol()?)),
        TARGET_SAME_DOCUMENT => Ok(LinkTarget::SameDocument),
        TARGET_NONE => Ok(LinkTarget::None),
        other => Err(format!("unknown target kind {other}")),
    }
}

/// The strings section's text and the byte range of each string in it, every range checked.
fn parse_strings(offsets: &[u8], text: Vec<u8>) -> Result<(Box<str>, Vec<std::ops::Range<u32>>), String> {
    let text = String::from_utf8(text).map_err(|_| "strings are not UTF-8".to_string())?;
    // Collected whole, then checked: rayon collects a `Result` through a list of pieces, which
    // copies 3.35M spans once more at 1M pages.
    let spans: Vec<std::ops::Range<u32>> = offsets
        .par_chunks_exact(4)
        .zip(offsets[4.min(offsets.len())..].par_chunks_exact(4))
        .map(|(start, end)| get_u32(start, 0)..get_u32(end, 0))
        .collect();
    if !spans
        .par_iter()
        .all(|span| text.get(span.start as usize..span.end as usize).is_some())
    {
        return Err("string out of range".to_string());
    }
    Ok((text.into_boxed_str(), spans))
}

#[cfg(test)]
pub(super) mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_tables_follow_declaration_order() {
        for (index, value) in FLAVORS.iter().enumerate() {
            assert_eq!(*value as usize, index);
        }
        for (index, value) in PROBLEM_KINDS.iter().enumerate() {
            assert_eq!(*value as usize, index);
        }
    }
}
