//! The cache writer as it was before it streamed (format version 2, brought to version 3's
//! split of the first stage from the rest), kept as the reference the streaming writer must
//! match byte for byte: documents collected in a slice, maps derived by
//! [`crate::index::Index::derive_maps`], every string's text held in the table.

use std::io::{self, Seek, SeekFrom, Write};

use super::{
    checked_u32, header, put_position, put_span, put_u32, put_u64, CachedDocument, Section, Written, BACKLINK_KEYS,
    DETAILS_RECORD, DOCUMENTS, DOCUMENT_DETAILS, DOCUMENT_RECORD, FACT_STRINGS, FOLDED_KEYS, FOLDED_VALUES,
    HEADER_LENGTH, HEADINGS, HEADING_RECORD, LINKS, LINK_RECORD, MEMBER_KEYS, NO_STRING, POSITIONS, PROBLEMS,
    PROBLEM_RECORD, SECTION_COUNT, SPAN_RECORD, STRINGS, SYMLINK_BROKEN, SYMLINK_NONE, TARGET_NONE, TARGET_PATH,
    TARGET_SAME_DOCUMENT, TARGET_TITLE, VARIANT_BLOCKS,
};
use crate::facts::{Interner, LinkTarget, Symbol};
use crate::index::{DerivedMaps, SymlinkTarget};

/// Writes a cache of `documents` (sorted by path) to `out`, which must be empty.
pub fn write<W: Write + Seek>(
    out: W,
    documents: &[CachedDocument],
    maps: &DerivedMaps,
    interner: &Interner,
    fingerprint: u64,
    written_at_ns: i64,
) -> io::Result<Written> {
    let mut table = StringTable::new(interner);
    for document in documents {
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
    for (key, titles) in &maps.folded_titles {
        table.symbol(*key);
        for title in titles {
            table.symbol(*title);
        }
    }
    let names_strings = table.strings.len();
    for document in documents {
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
    for (key, _) in maps.backlinks.iter().chain(&maps.members) {
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

    let strings_section = |section: &mut Section<'_>, strings: &[&str]| -> io::Result<()> {
        let count = checked_u32(strings.len())?;
        section.put(&count.to_le_bytes())?;
        let mut end = 0u32;
        section.put(&end.to_le_bytes())?;
        for string in strings {
            end = checked_u32(end as usize + string.len())?;
            section.put(&end.to_le_bytes())?;
        }
        for string in strings {
            section.put(string.as_bytes())?;
        }
        Ok(())
    };
    let strings = table.strings.clone();
    section(STRINGS, &mut |section| {
        strings_section(section, &strings[..names_strings])
    })?;
    section(DOCUMENTS, &mut |section| {
        for document in documents {
            let mut record = [0u8; DOCUMENT_RECORD];
            let (symlink_kind, symlink_string) = match document.symlink {
                None => (SYMLINK_NONE, NO_STRING),
                Some(SymlinkTarget::Target(target)) => target_parts(*target, &mut table),
                Some(SymlinkTarget::Broken(reason)) => (SYMLINK_BROKEN, table.text(reason)),
            };
            put_u32(&mut record, 0, table.symbol(document.path));
            put_u32(
                &mut record,
                4,
                document.title.map_or(NO_STRING, |title| table.symbol(title)),
            );
            put_u32(&mut record, 8, symlink_string);
            record[12] = document.flavor as u8;
            record[13] = symlink_kind;
            section.put(&record)?;
        }
        Ok(())
    })?;
    section(FOLDED_KEYS, &mut |section| {
        for (key, titles) in &maps.folded_titles {
            section.put(&table.symbol(*key).to_le_bytes())?;
            section.put(&checked_u32(titles.len())?.to_le_bytes())?;
        }
        Ok(())
    })?;
    section(FOLDED_VALUES, &mut |section| {
        for title in maps.folded_titles.iter().flat_map(|(_, titles)| titles) {
            section.put(&table.symbol(*title).to_le_bytes())?;
        }
        Ok(())
    })?;
    section(FACT_STRINGS, &mut |section| {
        strings_section(section, &strings[names_strings..])
    })?;
    section(DOCUMENT_DETAILS, &mut |section| {
        for document in documents {
            let mut record = [0u8; DETAILS_RECORD];
            let facts = document.facts;
            put_u32(
                &mut record,
                0,
                document.warning.map_or(NO_STRING, |warning| table.text(warning)),
            );
            put_u32(&mut record, 4, checked_u32(facts.links.len())?);
            put_u32(&mut record, 8, checked_u32(facts.headings.len())?);
            put_u32(&mut record, 12, checked_u32(facts.problems.len())?);
            put_u32(&mut record, 16, checked_u32(facts.variant_blocks.len())?);
            put_u32(&mut record, 20, checked_u32(facts.link_positions.as_bytes().len())?);
            put_u64(&mut record, 24, document.stamp);
            section.put(&record)?;
        }
        Ok(())
    })?;
    section(LINKS, &mut |section| {
        for link in documents.iter().flat_map(|document| &document.facts.links) {
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
        Ok(())
    })?;
    section(HEADINGS, &mut |section| {
        for heading in documents.iter().flat_map(|document| &document.facts.headings) {
            let mut record = [0u8; HEADING_RECORD];
            put_span(&mut record, 0, heading.span);
            put_position(&mut record, 8, heading.start);
            put_u32(&mut record, 16, table.symbol(heading.anchor));
            put_u32(&mut record, 20, table.symbol(heading.slug));
            record[24] = heading.level;
            section.put(&record)?;
        }
        Ok(())
    })?;
    section(PROBLEMS, &mut |section| {
        for problem in documents.iter().flat_map(|document| &document.facts.problems) {
            let mut record = [0u8; PROBLEM_RECORD];
            put_span(&mut record, 0, problem.span);
            put_position(&mut record, 8, problem.start);
            put_position(&mut record, 16, problem.end);
            record[24] = problem.kind as u8;
            section.put(&record)?;
        }
        Ok(())
    })?;
    section(VARIANT_BLOCKS, &mut |section| {
        for span in documents.iter().flat_map(|document| &document.facts.variant_blocks) {
            let mut record = [0u8; SPAN_RECORD];
            put_span(&mut record, 0, *span);
            section.put(&record)?;
        }
        Ok(())
    })?;
    let document_maps = [(BACKLINK_KEYS, &maps.backlinks), (MEMBER_KEYS, &maps.members)];
    for (keys, map) in document_maps {
        section(keys, &mut |section| {
            for (key, values) in map {
                section.put(&table.symbol(*key).to_le_bytes())?;
                section.put(&checked_u32(values.len())?.to_le_bytes())?;
            }
            Ok(())
        })?;
        section(keys + 1, &mut |section| {
            for value in map.iter().flat_map(|(_, values)| values) {
                section.put(&value.to_le_bytes())?;
            }
            Ok(())
        })?;
    }
    section(POSITIONS, &mut |section| {
        for document in documents {
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
        strings: table.strings.len(),
        links: documents.iter().map(|document| document.facts.links.len()).sum(),
    })
}

/// Strings by first use; symbols are looked up by index, other strings by hash.
struct StringTable<'a> {
    interner: &'a Interner,
    by_symbol: Vec<u32>,
    by_text: rustc_hash::FxHashMap<&'a str, u32>,
    strings: Vec<&'a str>,
}

impl<'a> StringTable<'a> {
    fn new(interner: &'a Interner) -> StringTable<'a> {
        StringTable {
            interner,
            by_symbol: vec![NO_STRING; interner.len()],
            by_text: rustc_hash::FxHashMap::default(),
            strings: Vec::new(),
        }
    }

    fn symbol(&mut self, symbol: Symbol) -> u32 {
        let slot = symbol.into_usize();
        if slot >= self.by_symbol.len() {
            // Interned while the cache is written.
            self.by_symbol.resize(slot + 1, NO_STRING);
        }
        if self.by_symbol[slot] == NO_STRING {
            self.by_symbol[slot] = self.strings.len() as u32;
            self.strings.push(self.interner.resolve(&symbol));
        }
        self.by_symbol[slot]
    }

    fn text(&mut self, text: &'a str) -> u32 {
        let next = self.strings.len() as u32;
        let id = *self.by_text.entry(text).or_insert(next);
        if id == next {
            self.strings.push(text);
        }
        id
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
