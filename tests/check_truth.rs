//! `wikils check` against generated wikis whose broken links are known: `gen_wiki.py` plants them
//! and lists each in `_truth.json`. Every planted broken link must be found at its exact position,
//! and nothing resolvable may be reported as broken.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn generator() -> PathBuf {
    if let Some(path) = std::env::var_os("WIKILS_GEN_WIKI") {
        return PathBuf::from(path);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gen_wiki.py")
}

fn generate(pages: u32, seed: u32, style: &str, out: &Path) -> Value {
    let generator = generator();
    assert!(
        generator.is_file(),
        "gen_wiki.py not found at {} (set WIKILS_GEN_WIKI)",
        generator.display()
    );
    let status = Command::new("python3")
        .arg(&generator)
        .args([
            "--pages",
            &pages.to_string(),
            "--seed",
            &seed.to_string(),
            "--style",
            style,
            "--quiet",
            "--out",
        ])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen_wiki.py failed");
    let truth = std::fs::read(out.join("_truth.json")).expect("_truth.json");
    serde_json::from_slice(&truth).expect("_truth.json is JSON")
}

/// `file:line:col-end_col` keys (zero-based line, UTF-16 columns), as `_truth.json` counts.
fn truth_keys(entries: &Value, kinds: &[&str]) -> BTreeSet<String> {
    entries
        .as_array()
        .expect("truth entries")
        .iter()
        .filter(|entry| kinds.contains(&entry["kind"].as_str().unwrap_or("")))
        .map(|entry| {
            format!(
                "{}:{}:{}-{}",
                entry["file"].as_str().unwrap_or(""),
                entry["line"],
                entry["col"],
                entry["end_col"]
            )
        })
        .collect()
}

fn finding_keys(report: &Value, codes: &[&str]) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| codes.contains(&finding["code"].as_str().unwrap_or("")))
        .map(|finding| {
            let range = &finding["range"];
            format!(
                "{}:{}:{}-{}",
                finding["path"].as_str().unwrap_or(""),
                range["start"]["line"],
                range["start"]["character"],
                range["end"]["character"]
            )
        })
        .collect()
}

fn check_against_truth(style: &str, seed: u32) {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = workspace.path().join("wiki");
    let truth = generate(300, seed, style, &root);
    let output = Command::new(env!("CARGO_BIN_EXE_wikils"))
        .args(["check", "--format", "json"])
        .current_dir(&root)
        .output()
        .expect("check runs");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("json: {error}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        report["skipped"].as_array().map(Vec::len),
        Some(0),
        "{}",
        report["skipped"]
    );

    let planted_pages = truth_keys(&truth["broken"], &["missing_page", "redlink"]);
    let found_pages = finding_keys(&report, &["broken-link"]);
    assert!(!planted_pages.is_empty());
    let missed: Vec<_> = planted_pages.difference(&found_pages).collect();
    let extra: Vec<_> = found_pages.difference(&planted_pages).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "broken-link: missed {missed:?}\nextra {extra:?}"
    );

    let planted_anchors = truth_keys(&truth["broken"], &["missing_anchor"]);
    let found_anchors = finding_keys(&report, &["broken-anchor"]);
    assert_eq!(planted_anchors, found_anchors, "broken-anchor");

    let variants = truth_keys(&truth["soft"], &["variant"]);
    let found_variants = finding_keys(&report, &["variant-link"]);
    assert_eq!(variants, found_variants, "variant-link");

    let unexpected: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| {
            !["broken-link", "broken-anchor", "variant-link"].contains(&finding["code"].as_str().unwrap_or(""))
        })
        .collect();
    assert!(unexpected.is_empty(), "no other findings expected: {unexpected:?}");
}

#[test]
fn markdown_export_matches_truth() {
    check_against_truth("md", 1);
}

#[test]
fn mediawiki_syntax_matches_truth() {
    check_against_truth("mediawiki", 2);
}

#[test]
fn mixed_syntax_matches_truth() {
    check_against_truth("both", 3);
}
