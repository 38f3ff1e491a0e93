//! A root whose names are known but whose files are not all read yet (the language server's
//! state while it loads) must answer exactly as the fully loaded root: pending documents are read
//! on first use through the index's fact source, and the diagnostics of any document computed
//! before the load ends equal those computed after it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wikils::config::Config;
use wikils::diagnostics;
use wikils::index::Index;
use wikils::testing::XorShift;
use wikils::vfs;
use wikils::workspace::{self, DiskFacts};

/// The root with every name registered and nothing read, reading files on first use.
fn names_only(root: &Path) -> Index {
    let config = Config::load(root).expect("config");
    let index = Index::new(workspace::index_settings(root, &config));
    let (files, _) = vfs::walk(root, &config);
    workspace::add_names(&index, &files);
    let read_config = config.clone();
    index.set_fact_source(Some(Arc::new(DiskFacts {
        root: root.to_path_buf(),
        config,
        read: move |index: &Index, file: &vfs::WalkedFile| workspace::index_file(index, file, &read_config),
    })));
    index
}

/// Every document's findings (and the document's own facts) in the given order of paths.
fn findings_of(index: &Index, paths: &[String], config: &Config) -> Vec<String> {
    paths
        .iter()
        .map(|path| {
            let document = index.document_by_path(path).expect("indexed");
            assert!(!document.pending, "{path} was read on first use");
            format!("{path}: {:?}", diagnostics::document_findings(index, &document, config))
        })
        .collect()
}

fn check_against_full_load(root: &Path, seed: u64) -> usize {
    let config = Config::load(root).expect("config");
    let full = workspace::load_root(root, config.clone(), &|_, _| {}).index;
    let mut paths: Vec<String> = full
        .documents()
        .iter()
        .map(|document| document.path.to_string())
        .collect();
    paths.sort();
    let expected = findings_of(&full, &paths, &config);

    let staged = names_only(root);
    assert!(staged.has_pending_documents(), "nothing read before first use");
    // Documents are asked for in a random order, as an editor opens them.
    let mut order: Vec<usize> = (0..paths.len()).collect();
    let mut random = XorShift(seed);
    for at in (1..order.len()).rev() {
        order.swap(at, random.below(at + 1));
    }
    let asked = order.len().min(60);
    for &position in &order[..asked] {
        let path = &paths[position];
        let got = findings_of(&staged, std::slice::from_ref(path), &config);
        assert_eq!(got[0], expected[position], "findings of {path} before the load ended");
    }
    let still_pending = staged.documents().iter().filter(|document| document.pending).count();
    // The rest is read as the server's background load does, skipping what is read already.
    let (files, _) = vfs::walk(root, &config);
    for file in &files {
        if staged.is_pending(&file.relative) {
            workspace::index_file(&staged, file, &config).expect("readable");
        }
    }
    staged.set_fact_source(None);
    assert!(!staged.has_pending_documents());
    assert_eq!(staged.canonical_dump(), full.canonical_dump());
    still_pending
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, text).expect("write");
}

#[test]
fn redirects_and_anchors_of_unread_pages_resolve_as_after_a_full_load() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path();
    write(
        root,
        "A.wiki",
        "[[R#Sec]] [[R#Nope]] [[B#Sec]] [[B#Nope]] [[Loop1]] [[Dangling]] [[x/Dup]] [[Dup]] [[內地#歷史]]\n",
    );
    write(root, "R.wiki", "#REDIRECT [[B]]\n");
    write(root, "B.wiki", "== Sec ==\ntext\n");
    write(root, "Loop1.wiki", "#REDIRECT [[Loop2]]\n");
    write(root, "Loop2.wiki", "#REDIRECT [[Loop1]]\n");
    write(root, "Dangling.wiki", "#REDIRECT [[Nowhere]]\n");
    write(root, "x/Dup.wiki", "#REDIRECT [[B]]\n");
    write(root, "y/Dup.wiki", "page\n");
    write(root, "内地.wiki", "== 历史 ==\n");
    let config = Config::load(root).expect("config");
    let full = workspace::load_root(root, config.clone(), &|_, _| {}).index;
    let staged = names_only(root);
    let paths = vec!["A.wiki".to_string()];
    let expected = findings_of(&full, &paths, &config);
    assert!(
        expected[0].contains("Nope"),
        "the fixture has broken anchors: {expected:?}"
    );
    assert_eq!(findings_of(&staged, &paths, &config), expected);
    // Only what A's links reach was read.
    assert!(staged.is_pending("y/Dup.wiki") || !staged.is_pending("x/Dup.wiki"));
}

#[test]
fn a_file_gone_before_it_was_read_is_gone_from_the_index() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path();
    write(root, "A.wiki", "[[B]]\n");
    write(root, "B.wiki", "text\n");
    let staged = names_only(root);
    std::fs::remove_file(root.join("B.wiki")).expect("remove");
    let config = Config::load(root).expect("config");
    let document = staged.document_by_path("A.wiki").expect("A");
    let findings = diagnostics::document_findings(&staged, &document, &config);
    assert!(staged.document_by_path("B.wiki").is_none());
    assert_eq!(findings.len(), 1, "[[B]] is broken now: {findings:?}");
}

#[test]
fn pinned_documents_are_never_replaced_from_disk() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path();
    write(root, "A.wiki", "[[B]]\n");
    let staged = names_only(root);
    staged.pin("A.wiki");
    staged.set_document_text("A.wiki", wikils::syntax::Flavor::Wikitext, "[[C]] [[D]]\n");
    let config = Config::load(root).expect("config");
    let (files, _) = vfs::walk(root, &config);
    for file in &files {
        workspace::index_file(&staged, file, &config).expect("readable");
    }
    assert!(!staged.remove_disk_document("A.wiki"));
    let document = staged.document_by_path("A.wiki").expect("A");
    assert_eq!(document.facts.links.len(), 2, "the editor's text stays");
    staged.unpin("A.wiki");
    for file in &files {
        workspace::index_file(&staged, file, &config).expect("readable");
    }
    assert_eq!(staged.document_by_path("A.wiki").expect("A").facts.links.len(), 1);
}

fn generator() -> Option<PathBuf> {
    let path = std::env::var_os("WIKILS_GEN_WIKI")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gen_wiki.py"));
    path.is_file().then_some(path)
}

#[test]
fn every_document_of_a_generated_wiki_answers_as_after_a_full_load() {
    let generator = generator().expect("gen_wiki.py (set WIKILS_GEN_WIKI)");
    for (style, seed) in [("md", 21), ("both", 22)] {
        let folder = tempfile::tempdir().expect("temp dir");
        let root = folder.path().join("wiki");
        let status = std::process::Command::new("python3")
            .arg(&generator)
            .args([
                "--pages",
                "400",
                "--seed",
                &seed.to_string(),
                "--style",
                style,
                "--quiet",
                "--out",
            ])
            .arg(&root)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("python3 runs");
        assert!(status.success(), "gen_wiki.py failed");
        let still_pending = check_against_full_load(&root, seed);
        assert!(
            still_pending > 0,
            "{style}: some documents were never asked for before the load"
        );
    }
}
