//! The streaming cache writer against the writer it replaced ([`super::format::reference`]):
//! for the same index, the same bytes, every one of them.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::format::{self, CachedDocument};
use super::load::{cached_document, documents_to_write, write_documents, POSITIONS_PIECE};
use super::{CacheOptions, DiskRecords};
use crate::config::Config;
use crate::index::{Document, FlatMap, Index, PositionMap, SymlinkTarget};
use crate::workspace;

const FINGERPRINT: u64 = 0x5eed;
const WRITTEN_AT_NS: i64 = 1_765_000_000_000_000_000;

/// A root loaded from its files, every file stamped (no racy window: they were just written).
fn load(root: &Path) -> (Index, Arc<DiskRecords>) {
    let config = Config::load(root).expect("config");
    let index = Index::new(workspace::index_settings(root, &config));
    let records = Arc::new(DiskRecords::default());
    let options = CacheOptions {
        locations: Vec::new(),
        racy_window: Duration::ZERO,
    };
    super::load_root_into(root, &config, &index, &options, &records, &|_, _| {});
    (index, records)
}

/// The cache of `index` written by the writer in use, placing positions in pieces of `piece`
/// values, and by the reference writer.
fn written_both_ways(index: &Index, records: &DiskRecords, piece: usize) -> (Vec<u8>, Vec<u8>) {
    let documents = documents_to_write(index, records);
    let as_indexed = || documents.iter().map(|(document, _)| &**document);
    let maps = index.derive_flat_maps(as_indexed());
    let mut streamed = Cursor::new(Vec::new());
    write_documents(
        &mut streamed,
        &documents,
        (&maps, piece),
        index,
        FINGERPRINT,
        WRITTEN_AT_NS,
    )
    .expect("written");

    let snapshot: Vec<Arc<Document>> = documents.iter().map(|(document, _)| Arc::clone(document)).collect();
    let reference_maps = index.derive_maps(&snapshot);
    let as_reference = |map: &PositionMap| {
        let mut values = Vec::new();
        map.for_each_piece(as_indexed(), piece, |piece| {
            values.extend_from_slice(piece);
            Ok::<(), ()>(())
        })
        .expect("no error");
        let flat = FlatMap {
            keys: map.keys.clone(),
            counts: map.counts.clone(),
            values,
        };
        flat.iter()
            .map(|(key, values)| (key, values.to_vec()))
            .collect::<Vec<_>>()
    };
    // The maps first: a difference there is easier to read than one in bytes.
    assert_eq!(as_reference(&maps.backlinks), reference_maps.backlinks);
    assert_eq!(as_reference(&maps.members), reference_maps.members);
    let folded: Vec<_> = maps
        .folded_titles
        .iter()
        .map(|(key, titles)| (key, titles.to_vec()))
        .collect();
    assert_eq!(folded, reference_maps.folded_titles);

    let cached: Vec<CachedDocument> = documents.iter().map(cached_document).collect();
    let mut reference = Cursor::new(Vec::new());
    format::reference::write(
        &mut reference,
        &cached,
        &reference_maps,
        &index.interner,
        FINGERPRINT,
        WRITTEN_AT_NS,
    )
    .expect("written");
    (streamed.into_inner(), reference.into_inner())
}

/// Positions placed in pieces as large as the cache writer's, and in each of `pieces` (small ones
/// make many pieces, and keys with more values than a piece).
fn assert_same_bytes(root: &Path, pieces: &[usize]) {
    let (index, records) = load(root);
    for piece in [POSITIONS_PIECE].iter().chain(pieces) {
        assert_same_bytes_in_pieces(root, &index, &records, *piece);
    }
}

fn assert_same_bytes_in_pieces(root: &Path, index: &Index, records: &DiskRecords, piece: usize) {
    let (streamed, reference) = written_both_ways(index, records, piece);
    // Section by section first (the header's table: offset, length, per section from byte 64,
    // 24 bytes each), to say which part differs; then every byte, the header included.
    let section = |bytes: &[u8], index: usize| -> Vec<u8> {
        let entry = 64 + index * 24;
        let number = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes")) as usize;
        let (offset, length) = (number(entry), number(entry + 8));
        bytes[offset..offset + length].to_vec()
    };
    for index in 0..13 {
        let (ours, theirs) = (section(&streamed, index), section(&reference, index));
        if let Some(at) = ours.iter().zip(&theirs).position(|(a, b)| a != b) {
            panic!(
                "{} (pieces of {piece}): section {index} differs from its byte {at} on",
                root.display()
            );
        }
        assert_eq!(ours.len(), theirs.len(), "{}: section {index}'s length", root.display());
    }
    assert!(streamed == reference, "{}: the caches differ", root.display());
}

/// Pages with what the generator does not write: an invalid UTF-8 page (a warning), an absolute
/// symlink (broken), variant blocks, a category, Traditional and Simplified titles folding
/// together, problems.
fn add_rare_documents(root: &Path) {
    for folder in ["Page", "Redirect", "Category"] {
        std::fs::create_dir_all(root.join(folder)).expect("folder");
    }
    let files: [(&str, &[u8]); 5] = [
        ("Page/歷史.md", "# 歷史\n[[历史]] [[Category:年表]] [[未完\n".as_bytes()),
        (
            "Page/历史.md",
            "-{zh-hans:历史;zh-hant:歷史}- {{未完\n## 歷史\n".as_bytes(),
        ),
        (
            "Page/壞.md",
            b"[\xff\xfe](../Page/\xe6\xad\xb7\xe5\x8f\xb2.md \"wikilink\")\n",
        ),
        ("Category/年表.md", "分類\n".as_bytes()),
        (
            "Page/變體.wiki",
            "-{H|zh-hans:变体;zh-hant:變體}- [[歷史#歷史]]\n".as_bytes(),
        ),
    ];
    for (path, bytes) in files {
        std::fs::write(root.join(path), bytes).expect("write");
    }
    std::os::unix::fs::symlink("/nonexistent/絕對.md", root.join("Redirect/絕對.md")).expect("symlink");
    std::os::unix::fs::symlink("../Page/歷史.md", root.join("Redirect/史.md")).expect("symlink");
}

fn generator() -> PathBuf {
    std::env::var_os("WIKILS_GEN_WIKI")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gen_wiki.py"))
}

#[test]
fn a_generated_wiki_is_written_byte_for_byte_as_by_the_reference_writer() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path().join("wiki");
    let status = std::process::Command::new("python3")
        .arg(generator())
        .args(["--pages", "3000", "--seed", "11", "--style", "both", "--quiet", "--out"])
        .arg(&root)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs gen_wiki.py (set WIKILS_GEN_WIKI)");
    assert!(status.success(), "gen_wiki.py failed");
    add_rare_documents(&root);

    // The comparison means something only if every kind of record is there.
    let (index, records) = load(&root);
    let documents = documents_to_write(&index, &records);
    let maps = index.derive_flat_maps(documents.iter().map(|(document, _)| &**document));
    let facts = || documents.iter().map(|(document, _)| &document.facts);
    assert!(documents.len() > 3000);
    assert!(documents.iter().any(|(_, record)| record.warning.is_some()));
    assert!(documents
        .iter()
        .any(|(document, _)| matches!(document.symlink.as_deref(), Some(SymlinkTarget::Broken(_)))));
    assert!(documents
        .iter()
        .any(|(document, _)| matches!(document.symlink.as_deref(), Some(SymlinkTarget::Target(_)))));
    assert!(facts().any(|facts| !facts.problems.is_empty()));
    assert!(facts().any(|facts| !facts.variant_blocks.is_empty()));
    assert!(facts().any(|facts| facts.links.iter().any(|link| link.anchor().is_some())));
    assert!(maps.backlinks.keys.len() > 1000 && maps.members.keys.len() > 1);
    assert!(maps.folded_titles.counts.iter().any(|count| *count > 1));
    drop((documents, maps, index, records));

    // ~100k positions in pieces of 20k: a few passes.
    assert_same_bytes(&root, &[20_000]);
}

#[test]
fn the_fixture_wikis_are_written_byte_for_byte_as_by_the_reference_writer() {
    for name in ["export", "wikitext", "sample"] {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        assert_same_bytes(&root, &[1, 7]);
    }
}

#[test]
fn an_empty_wiki_is_written_byte_for_byte_as_by_the_reference_writer() {
    let folder = tempfile::tempdir().expect("temp dir");
    assert_same_bytes(folder.path(), &[1]);
}

/// The same check on any wiki, e.g. a generated 100k-page tree: `WIKILS_WRITE_TEST_ROOT=<root>
/// cargo test --release --lib cache::write_tests -- --ignored` (pieces of 1M positions: a few
/// passes at 100k pages).
#[test]
#[ignore = "needs WIKILS_WRITE_TEST_ROOT"]
fn the_wiki_at_wikils_write_test_root_is_written_byte_for_byte_as_by_the_reference_writer() {
    let root = std::env::var_os("WIKILS_WRITE_TEST_ROOT").expect("WIKILS_WRITE_TEST_ROOT");
    assert_same_bytes(Path::new(&root), &[1 << 20]);
}
