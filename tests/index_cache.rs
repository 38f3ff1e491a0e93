//! The persistent index cache: a load through the cache must equal a full rebuild, pick up every
//! change made after the cache was written, and never trust a damaged or foreign cache.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wikils::cache::{self, CacheOptions, CacheUse, DiskRecords};
use wikils::config::Config;
use wikils::index::Index;
use wikils::workspace;

/// A full rebuild: the reference.
fn rebuilt(root: &Path) -> (String, workspace::LoadReport) {
    let config = Config::load(root).expect("config");
    let loaded = workspace::load_root(root, config, &|_, _| {});
    let report = workspace::LoadReport {
        skipped: loaded.skipped,
        warnings: loaded.warnings,
        bytes_read: loaded.bytes_read,
    };
    (loaded.index.canonical_dump(), report)
}

/// A load through the cache at `options`, and how the cache was used.
fn cached(root: &Path, options: &CacheOptions) -> (Index, Arc<DiskRecords>, workspace::LoadReport, CacheUse) {
    let config = Config::load(root).expect("config");
    let index = Index::new(workspace::index_settings(root, &config));
    let records = Arc::new(DiskRecords::default());
    let (report, used) = cache::load_root_into(root, &config, &index, options, &records, &|_, _| {});
    (index, records, report, used)
}

fn write(root: &Path, options: &CacheOptions, index: &Index, records: &DiskRecords) -> cache::WriteReport {
    let config = Config::load(root).expect("config");
    let fingerprint = cache::settings_fingerprint(&index.settings, &config);
    cache::write_cache(options, fingerprint, index, records).expect("cache written")
}

/// Options with the cache in its own temporary folder; the stamps of files written a moment ago
/// are trusted, as the tests write files and then load at once.
fn options_in(folder: &Path) -> CacheOptions {
    CacheOptions {
        locations: vec![folder.join("index.bin")],
        racy_window: Duration::ZERO,
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn used_counts(used: &CacheUse) -> (usize, usize, usize, usize) {
    match used {
        CacheUse::Used {
            reused,
            changed,
            added,
            removed,
            ..
        } => (*reused, *changed, *added, *removed),
        CacheUse::NotUsed { reason } => panic!("cache not used: {reason}"),
    }
}

fn not_used_reason(used: &CacheUse) -> String {
    match used {
        CacheUse::NotUsed { reason } => reason.clone(),
        CacheUse::Used { .. } => panic!("a cache that should have been refused was used: {used:?}"),
    }
}

/// Loads `root` cold, writes the cache, loads it warm, and checks both against a full rebuild.
fn check_round_trip(root: &Path) {
    let folder = tempfile::tempdir().expect("temp dir");
    let options = options_in(folder.path());
    let (reference, reference_report) = rebuilt(root);

    let (cold, records, cold_report, used) = cached(root, &options);
    assert_eq!(not_used_reason(&used), "no cache yet");
    assert_eq!(cold.canonical_dump(), reference);
    assert_eq!(cold_report.skipped, reference_report.skipped);
    let written = write(root, &options, &cold, &records);
    assert_eq!(written.documents, cold.document_count());

    let (warm, _, warm_report, used) = cached(root, &options);
    assert_eq!(used_counts(&used), (cold.document_count(), 0, 0, 0));
    assert_eq!(warm.canonical_dump(), reference);
    assert_eq!(warm_report.skipped, reference_report.skipped);
    assert_eq!(warm_report.warnings, reference_report.warnings);
}

#[test]
fn cached_load_of_the_fixture_wikis_equals_a_full_rebuild() {
    for name in ["export", "wikitext", "sample"] {
        check_round_trip(&fixture(name));
    }
}

#[test]
fn cached_load_of_a_generated_wiki_equals_a_full_rebuild() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path().join("wiki");
    // Where `tests/check_truth.rs` looks for it, else where the development machine keeps it.
    let generator = std::env::var_os("WIKILS_GEN_WIKI")
        .map(PathBuf::from)
        .or_else(|| {
            let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gen_wiki.py");
            beside.is_file().then_some(beside)
        })
        .unwrap_or_else(|| PathBuf::from("/work/shared/corpus/gen_wiki.py"));
    let generated = std::process::Command::new("python3")
        .arg(generator)
        .args(["--pages", "3000", "--seed", "7", "--quiet", "--out"])
        .arg(&root)
        .stdout(std::process::Stdio::null())
        .status();
    match generated {
        Ok(status) if status.success() => check_round_trip(&root),
        // The generator lives outside the repository; without it the fixtures above still run.
        _ => eprintln!("gen_wiki.py not available; skipped"),
    }
}

/// A small export wiki with CJK titles, a redirect symlink and a file with invalid UTF-8.
fn small_wiki() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path();
    for sub in ["Page", "Redirect", "Category"] {
        std::fs::create_dir(root.join(sub)).expect("folder");
    }
    let files: [(&str, &[u8]); 6] = [
        (
            "Page/甲.md",
            "# 甲\n\n[乙](../Page/乙.md \"wikilink\") [丙](../Page/丙.md#歷史 \"wikilink\")\n\n## 歷史\n".as_bytes(),
        ),
        (
            "Page/乙.md",
            "[甲](../Page/甲.md#歷史 \"wikilink\") 𠀀 [[內地]]\n".as_bytes(),
        ),
        (
            "Page/丙.md",
            "## 歷史\n[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 \"wikilink\")\n".as_bytes(),
        ),
        ("Page/丁.md", "{{Reflist}} [[甲#不存在]] [[未完\n".as_bytes()),
        ("Page/壞.md", b"[\xff\xfe](../Page/\xe7\x94\xb2.md \"wikilink\")\n"),
        ("Category/香港.md", "分類\n".as_bytes()),
    ];
    for (path, bytes) in files {
        std::fs::write(root.join(path), bytes).expect("write");
    }
    std::os::unix::fs::symlink("../Page/甲.md", root.join("Redirect/甲甲.md")).expect("symlink");
    folder
}

#[test]
fn changes_after_the_cache_was_written_are_picked_up() {
    let wiki = small_wiki();
    let root = wiki.path();
    let cache_folder = tempfile::tempdir().expect("temp dir");
    let options = options_in(cache_folder.path());
    let (index, records, report, _) = cached(root, &options);
    assert_eq!(
        report.warnings.len(),
        1,
        "the invalid UTF-8 page is repaired and reported"
    );
    write(root, &options, &index, &records);

    // Changed (another size), added, deleted, renamed, and a symlink pointed elsewhere.
    std::fs::write(root.join("Page/甲.md"), "# 甲\n\n[[丁]] [[乙#歷史]]\n").expect("change");
    std::fs::write(root.join("Page/戊.md"), "[[甲]] [[Category:香港]]\n").expect("add");
    std::fs::remove_file(root.join("Page/丙.md")).expect("delete");
    std::fs::rename(root.join("Page/丁.md"), root.join("Page/己.md")).expect("rename");
    std::fs::remove_file(root.join("Redirect/甲甲.md")).expect("symlink");
    std::os::unix::fs::symlink("../Page/乙.md", root.join("Redirect/甲甲.md")).expect("symlink");

    let (warm, _, warm_report, used) = cached(root, &options);
    // Unchanged: 乙, 壞, 香港. Changed: 甲 and the symlink. New: 戊, 己. Gone: 丙, 丁.
    assert_eq!(used_counts(&used), (3, 2, 2, 2));
    let (reference, reference_report) = rebuilt(root);
    assert_eq!(warm.canonical_dump(), reference);
    assert_eq!(warm_report.warnings, reference_report.warnings);
    assert_eq!(
        warm_report.warnings.len(),
        1,
        "the repaired page's warning comes from the cache"
    );
}

#[test]
fn a_file_replaced_with_the_same_size_is_read_again() {
    let wiki = small_wiki();
    let root = wiki.path();
    let cache_folder = tempfile::tempdir().expect("temp dir");
    let options = options_in(cache_folder.path());
    let (index, records, _, _) = cached(root, &options);
    write(root, &options, &index, &records);

    // Same size, and possibly the same mtime tick: the new inode and ctime give it away.
    let original = std::fs::read_to_string(root.join("Page/乙.md")).expect("read");
    let replaced = original.replace("內地", "外地");
    assert_eq!(original.len(), replaced.len());
    std::fs::write(root.join("Page/乙.tmp"), &replaced).expect("write");
    std::fs::rename(root.join("Page/乙.tmp"), root.join("Page/乙.md")).expect("rename");

    let (warm, _, _, used) = cached(root, &options);
    assert_eq!(used_counts(&used), (6, 1, 0, 0));
    assert_eq!(warm.canonical_dump(), rebuilt(root).0);
}

#[test]
fn files_changed_just_before_they_were_read_are_not_trusted() {
    let wiki = small_wiki();
    let root = wiki.path();
    let cache_folder = tempfile::tempdir().expect("temp dir");
    let options = CacheOptions {
        racy_window: Duration::from_secs(3600),
        ..options_in(cache_folder.path())
    };
    let (index, records, _, _) = cached(root, &options);
    assert_eq!(records.len(), 0, "every file was written within the window");
    assert_eq!(write(root, &options, &index, &records).documents, 0);
}

/// Every kind of damage: the cache is refused with a reason, and the load equals a rebuild.
#[test]
fn a_damaged_or_foreign_cache_is_rebuilt_never_trusted() {
    let wiki = small_wiki();
    let root = wiki.path();
    let cache_folder = tempfile::tempdir().expect("temp dir");
    let options = options_in(cache_folder.path());
    let (index, records, _, _) = cached(root, &options);
    let written = write(root, &options, &index, &records);
    let good = std::fs::read(&written.path).expect("cache");
    let (reference, _) = rebuilt(root);

    let with_header_crc = |mut bytes: Vec<u8>| {
        let crc = crc32fast::hash(&bytes[..508]);
        bytes[508..512].copy_from_slice(&crc.to_le_bytes());
        bytes
    };
    let flipped = |at: usize| {
        let mut bytes = good.clone();
        bytes[at] ^= 0x20;
        bytes
    };
    let mut other_version = good.clone();
    other_version[8] = 99;
    let mut other_wikils = good.clone();
    other_wikils[16..20].copy_from_slice(b"9.9.");
    let expected_format = format!("format version 99, expected {}", cache::format::FORMAT_VERSION);
    // Damage that the checksums cannot see (they are recomputed): the count of positions must
    // still match the count of links.
    let positions_damaged = |damage: &dyn Fn(&mut Vec<u8>, usize, usize)| {
        let mut bytes = good.clone();
        let (offset, length) = section_bounds(&bytes, POSITIONS_SECTION);
        assert!(length > 2, "the fixture's cache holds positions");
        damage(&mut bytes, offset, length);
        with_section_crcs(bytes)
    };
    // The last position's last number goes on into the next byte, which is not there.
    let unfinished = positions_damaged(&|bytes, offset, length| bytes[offset + length - 1] |= 0x80);
    // One pair fewer than the links: the last document's last four numbers become one.
    let shifted = positions_damaged(&|bytes, offset, length| {
        for byte in &mut bytes[offset + length - 4..offset + length - 1] {
            *byte |= 0x80;
        }
    });
    // Document records that pass their checksum but point nowhere, or are out of order.
    let documents_damaged = |damage: &dyn Fn(&mut [u8])| {
        let mut bytes = good.clone();
        let (offset, length) = section_bounds(&bytes, DOCUMENTS_SECTION);
        assert!(length >= 2 * DOCUMENT_RECORD, "the fixture's cache holds documents");
        damage(&mut bytes[offset..offset + length]);
        with_section_crcs(bytes)
    };
    let path_out_of_range = documents_damaged(&|records| records[..4].copy_from_slice(&u32::MAX.to_le_bytes()));
    let unknown_flavor = documents_damaged(&|records| records[12] = 7);
    let out_of_order = documents_damaged(&|records| {
        let (first, second) = records.split_at_mut(DOCUMENT_RECORD);
        first[..4].swap_with_slice(&mut second[..4]);
    });
    // A details record (second stage) whose warning points past every string.
    let warning_out_of_range = {
        let mut bytes = good.clone();
        let (offset, length) = section_bounds(&bytes, DETAILS_SECTION);
        assert!(length >= DETAILS_RECORD, "the fixture's cache holds details");
        bytes[offset..offset + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
        with_section_crcs(bytes)
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a warning out of range",
            warning_out_of_range,
            "string 2147483632 out of range",
        ),
        ("a document's path out of range", path_out_of_range, "out of range"),
        ("a document's flavor unknown", unknown_flavor, "unknown flavor"),
        (
            "documents out of order",
            out_of_order,
            "documents are not sorted by path",
        ),
        (
            "positions end inside a number",
            unfinished,
            "link positions do not match the links",
        ),
        (
            "positions hold fewer pairs than links",
            shifted,
            "link positions do not match the links",
        ),
        ("empty", Vec::new(), "the file is empty"),
        (
            "garbage",
            b"not a cache at all, just some text".repeat(20),
            "not a wikils index cache",
        ),
        (
            "truncated",
            good[..good.len() - 10].to_vec(),
            "lies outside the file (truncated?)",
        ),
        (
            "header byte flipped",
            flipped(45),
            "the header's checksum does not match",
        ),
        (
            "string byte flipped",
            flipped(600),
            "section 0's checksum does not match",
        ),
        ("last byte flipped", flipped(good.len() - 1), "checksum does not match"),
        ("other format version", with_header_crc(other_version), &expected_format),
        (
            "other wikils version",
            with_header_crc(other_wikils),
            "written by wikils 9.9.",
        ),
    ];
    for (what, bytes, expected_reason) in cases {
        std::fs::write(&written.path, &bytes).expect("damage");
        let (loaded, _, _, used) = cached(root, &options);
        let reason = not_used_reason(&used);
        assert!(reason.contains(expected_reason), "{what}: {reason}");
        assert_eq!(loaded.canonical_dump(), reference, "{what}");
    }

    // Settings that change facts: a cache written under the old ones is not used.
    std::fs::write(&written.path, &good).expect("restore");
    std::fs::write(root.join("wikils.toml"), "capitalize-first = false\n").expect("config");
    let (loaded, _, _, used) = cached(root, &options);
    assert!(
        not_used_reason(&used).contains("written under other settings"),
        "{used:?}"
    );
    assert_eq!(loaded.canonical_dump(), rebuilt(root).0);
}

const SECTION_TABLE: usize = 64;
const SECTION_ENTRY: usize = 24;
const POSITIONS_SECTION: usize = 12;
const DOCUMENTS_SECTION: usize = 1;
const DOCUMENT_RECORD: usize = 16;
const DETAILS_SECTION: usize = 14;
const DETAILS_RECORD: usize = 56;

fn section_bounds(bytes: &[u8], section: usize) -> (usize, usize) {
    let at = SECTION_TABLE + section * SECTION_ENTRY;
    let number = |from: usize| u64::from_le_bytes(bytes[from..from + 8].try_into().expect("8 bytes")) as usize;
    (number(at), number(at + 8))
}

/// Recomputes every section's CRC-32 and the header's, as if the damage had been written so.
fn with_section_crcs(mut bytes: Vec<u8>) -> Vec<u8> {
    let count = u32::from_le_bytes(bytes[56..60].try_into().expect("4 bytes")) as usize;
    for section in 0..count {
        let (offset, length) = section_bounds(&bytes, section);
        let crc = crc32fast::hash(&bytes[offset..offset + length]);
        let at = SECTION_TABLE + section * SECTION_ENTRY + 16;
        bytes[at..at + 4].copy_from_slice(&crc.to_le_bytes());
    }
    let crc = crc32fast::hash(&bytes[..508]);
    bytes[508..512].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// Between the two stages of a warm load (every page known; then every fact) the server reads
/// pages on first use, takes the editor's text of open documents and applies file events: the
/// cached facts must fill in only the documents nobody touched, and the maps end up as if the
/// touched documents had been updated after a full load.
#[test]
fn documents_touched_between_the_two_stages_of_a_warm_load_keep_their_state() {
    let wiki = small_wiki();
    let root = wiki.path();
    let cache_folder = tempfile::tempdir().expect("temp dir");
    let options = options_in(cache_folder.path());
    let (index, records, _, _) = cached(root, &options);
    write(root, &options, &index, &records);

    let config = Config::load(root).expect("config");
    let index = Index::new(workspace::index_settings(root, &config));
    let records = Arc::new(DiskRecords::default());
    let editor_text = "[[丙]] [[新頁]]\n[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 \"wikilink\")\n";
    let touched = std::sync::atomic::AtomicBool::new(false);
    let between_stages = || {
        // Read on first use: a pending page and the redirect symlink.
        let read = index.document_by_path("Page/甲.md").expect("甲");
        assert!(!read.pending && !read.facts.links.is_empty());
        assert!(index
            .document_by_path("Redirect/甲甲.md")
            .is_some_and(|alias| !alias.pending));
        // An editor's text.
        index.pin("Page/乙.md");
        index.set_document_text("Page/乙.md", wikils::syntax::Flavor::Markdown, editor_text);
        // A file event: a page gone (the file stays on disk; the event is what counts here).
        assert!(index.remove_disk_document("Page/丁.md"));
        touched.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let (_, used) = cache::load_root_staged(root, &config, &index, &options, &records, &|_, _| {}, &between_stages);
    assert!(touched.into_inner());
    assert!(matches!(used, CacheUse::Used { .. }), "{used:?}");

    // The reference: a full load, then the same touches.
    let expected = Index::new(workspace::index_settings(root, &config));
    workspace::load_root_into(root, &config, &expected, &|_, _| {});
    expected.pin("Page/乙.md");
    expected.set_document_text("Page/乙.md", wikils::syntax::Flavor::Markdown, editor_text);
    // The validation that follows the stages puts back the page whose file is still there.
    assert_eq!(index.canonical_dump(), expected.canonical_dump());
    assert!(index.document_by_path("Page/丁.md").is_some());
}

#[test]
fn writing_a_cache_removes_older_formats_beside_it_and_nothing_else() {
    let wiki = small_wiki();
    let root = wiki.path();
    let cache_folder = tempfile::tempdir().expect("temp dir");
    let folder = cache_folder.path();
    let current = cache::format::FORMAT_VERSION;
    let older: Vec<String> = (1..current).map(|version| format!("index-v{version}.bin")).collect();
    let kept = [
        "index-v.bin",
        "index-vx.bin",
        "index-v1.bin.old",
        "notes.txt",
        &format!("index-v{}.bin", current + 1),
    ];
    for name in older.iter().map(String::as_str).chain(kept) {
        std::fs::write(folder.join(name), b"old").expect("write");
    }
    let options = CacheOptions {
        locations: vec![folder.join(cache::file_name())],
        racy_window: Duration::ZERO,
    };
    let (index, records, _, _) = cached(root, &options);
    write(root, &options, &index, &records);
    let mut left: Vec<String> = std::fs::read_dir(folder)
        .expect("list")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut expected: Vec<String> = kept.iter().map(|name| name.to_string()).collect();
    expected.push(cache::file_name());
    expected.sort();
    assert!(!older.is_empty(), "there are older formats to remove");
    assert_eq!(left, expected);
}
