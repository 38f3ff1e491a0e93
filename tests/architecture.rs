//! Architecture invariants checked on the source tree: the core never names the protocol or the
//! async runtime, and every Rust file opens with a `//!` line saying what it owns.

use std::path::{Path, PathBuf};

/// Only these may know LSP and tokio exist.
const PROTOCOL_EDGE: [&str; 2] = ["src/lsp", "src/main.rs"];

fn rust_files(folder: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

fn crate_files(folder: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(folder), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            (relative, text)
        })
        .collect()
}

#[test]
fn the_core_does_not_use_the_protocol_or_the_runtime() {
    let offenders: Vec<String> = crate_files("src")
        .into_iter()
        .filter(|(path, _)| !PROTOCOL_EDGE.iter().any(|edge| path.starts_with(edge)))
        .filter(|(_, text)| {
            text.lines()
                .map(str::trim_start)
                .filter(|line| !line.starts_with("//"))
                .any(|line| line.contains("tower_lsp") || line.contains("tokio"))
        })
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "core files using tower-lsp or tokio: {offenders:?}"
    );
}

#[test]
fn every_rust_file_opens_with_a_module_doc_line() {
    let mut files = crate_files("src");
    files.extend(crate_files("tests"));
    let undocumented: Vec<String> = files
        .into_iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        undocumented.is_empty(),
        "files without a `//!` first line: {undocumented:?}"
    );
}

/// Positions are converted in one module, `text` (strings and ropes); tests may count columns
/// on their own to check it.
#[test]
fn only_the_text_module_counts_utf16_columns() {
    let offenders: Vec<String> = crate_files("src")
        .into_iter()
        .filter(|(path, _)| !(path == "src/text.rs" || path.starts_with("src/text/") || path.contains("/tests")))
        .filter(|(_, text)| {
            ["len_utf16", "encode_utf16", "utf16_len"]
                .iter()
                .any(|needle| text.contains(needle))
        })
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "files counting UTF-16 outside src/text: {offenders:?}"
    );
}
