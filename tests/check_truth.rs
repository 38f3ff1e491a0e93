//! `wikils check` against generated wikis whose broken links are known: `gen_wiki.py` plants them
//! and lists each in `_truth.json`. Every planted broken link must be found at its exact position,
//! and nothing resolvable may be reported as broken. The streamed output of a generated wiki is
//! the library's findings in path order, byte for byte, however the documents are chunked.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;
use serde_json::Value;
use wikils::config::Config;
use wikils::diagnostics::{self, Code, Finding};
use wikils::graph::LinkGraph;
use wikils::text::Position;
use wikils::vfs::Skipped;

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

// The JSON report of schema version 1 as the README documents it, built here from the library so
// the streamed bytes can be compared with `serde_json::to_string_pretty` of the whole report.

#[derive(Serialize)]
struct ReferenceReport {
    version: u32,
    tool: ReferenceTool,
    #[serde(rename = "positionEncoding")]
    position_encoding: &'static str,
    findings: Vec<ReferenceFinding>,
    skipped: Vec<ReferencePathReason>,
    repaired: Vec<ReferencePathReason>,
    summary: ReferenceSummary,
}

#[derive(Serialize)]
struct ReferenceTool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct ReferencePosition {
    line: u32,
    character: u32,
}

#[derive(Serialize)]
struct ReferenceRange {
    start: ReferencePosition,
    end: ReferencePosition,
}

fn reference_range(start: Position, end: Position) -> ReferenceRange {
    ReferenceRange {
        start: ReferencePosition {
            line: start.line,
            character: start.column,
        },
        end: ReferencePosition {
            line: end.line,
            character: end.column,
        },
    }
}

#[derive(Serialize)]
struct ReferenceByteRange {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct ReferenceRelated {
    path: String,
    range: ReferenceRange,
    message: String,
}

#[derive(Serialize)]
struct ReferenceFinding {
    path: String,
    code: &'static str,
    severity: &'static str,
    message: String,
    range: ReferenceRange,
    #[serde(rename = "byteRange")]
    byte_range: ReferenceByteRange,
    related: Vec<ReferenceRelated>,
    suggestion: Option<String>,
}

#[derive(Serialize)]
struct ReferencePathReason {
    path: String,
    reason: String,
}

#[derive(Serialize, Default)]
struct ReferenceSummary {
    files: usize,
    links: usize,
    bytes: u64,
    errors: usize,
    warnings: usize,
    infos: usize,
    hints: usize,
    seconds: f64,
}

fn reference_finding(path: &str, finding: &Finding) -> ReferenceFinding {
    ReferenceFinding {
        path: path.to_string(),
        code: finding.code.name(),
        severity: finding.severity.name(),
        message: finding.message.clone(),
        range: reference_range(finding.start, finding.end),
        byte_range: ReferenceByteRange {
            start: finding.span.start,
            end: finding.span.end,
        },
        related: finding
            .related
            .iter()
            .map(|related| ReferenceRelated {
                path: related.path.clone(),
                range: reference_range(related.start, related.end),
                message: related.message.clone(),
            })
            .collect(),
        suggestion: finding.suggestion.clone(),
    }
}

fn path_reasons(list: &[Skipped]) -> Vec<ReferencePathReason> {
    list.iter()
        .map(|item| ReferencePathReason {
            path: item.path.clone(),
            reason: item.reason.clone(),
        })
        .collect()
}

/// `wikils check --format json --orphans` of `root`, computed through the library all at once:
/// every document's findings (the orphan one merged in document order), documents by path.
fn reference_json(root: &Path) -> String {
    let mut config = Config::load(root).expect("wikils.toml");
    config.enable(Code::OrphanPage);
    let loaded = wikils::workspace::load_root(root, config, &|_, _| {});
    let graph = LinkGraph::build(&loaded.index);
    let mut documents = loaded.index.documents();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    let mut summary = ReferenceSummary {
        files: documents.len(),
        links: documents.iter().map(|document| document.facts.links.len()).sum(),
        bytes: loaded.bytes_read,
        ..ReferenceSummary::default()
    };
    let mut findings = Vec::new();
    for document in &documents {
        let mut found = diagnostics::document_findings(&loaded.index, document, &loaded.config);
        let links = graph.links_of(&document.path).expect("every document is in the graph");
        if let Some(orphan) = diagnostics::orphan_finding(&loaded.index, document, links, &loaded.config) {
            found.push(orphan);
            found.sort_by_key(|finding| (finding.span.start, finding.span.end, finding.code));
        }
        for finding in &found {
            match finding.severity.name() {
                "error" => summary.errors += 1,
                "warning" => summary.warnings += 1,
                "info" => summary.infos += 1,
                _ => summary.hints += 1,
            }
            findings.push(reference_finding(&document.path, finding));
        }
    }
    let report = ReferenceReport {
        version: 1,
        tool: ReferenceTool {
            name: "wikils",
            version: env!("CARGO_PKG_VERSION"),
        },
        position_encoding: "utf-16",
        findings,
        skipped: path_reasons(&loaded.skipped),
        repaired: path_reasons(&loaded.warnings),
        summary,
    };
    serde_json::to_string_pretty(&report).expect("the reference serialises") + "\n"
}

/// The report with its only varying part, the time taken, blanked.
fn without_seconds(text: &str) -> String {
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|line| match line.find("\"seconds\": ") {
            Some(at) => format!("{}\"seconds\": 0", &line[..at]),
            None => line.to_string(),
        })
        .collect();
    // Human output's last line: `checked N files, N links in 0.12s: …`.
    for line in &mut lines {
        if let (true, Some(start), Some(end)) = (line.starts_with("checked "), line.find(" in "), line.find("s: ")) {
            line.replace_range(start..end, " in 0");
        }
    }
    lines.join("\n")
}

/// A generated wiki (both syntaxes) plus a binary file (skipped) and invalid UTF-8 (repaired).
fn generated_wiki(workspace: &Path) -> PathBuf {
    let root = workspace.join("wiki");
    generate(300, 4, "both", &root);
    std::fs::write(root.join("Page/壞_UTF-8.md"), b"# \xff\n[[Nowhere]] \xfe\n").expect("write");
    std::fs::write(root.join("Page/Binary.md"), b"x\0y").expect("write");
    root
}

/// `wikils check ARGS` in `root` with `WIKILS_CHECK_CHUNK` set.
fn check_in_chunks(root: &Path, chunk: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wikils"))
        .arg("check")
        .args(args)
        .current_dir(root)
        .env("WIKILS_CHECK_CHUNK", chunk)
        .output()
        .expect("check runs")
}

#[test]
fn streamed_json_is_the_library_report_byte_for_byte_whatever_the_chunk_size() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = generated_wiki(workspace.path());
    let reference = without_seconds(&reference_json(&root));
    let reference_value: Value = serde_json::from_str(&reference).expect("reference JSON");
    // Enough to cross many chunk boundaries: hundreds of documents, most with findings.
    let findings = reference_value["findings"].as_array().map(Vec::len).unwrap_or(0);
    let paths: BTreeSet<&str> = reference_value["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|finding| finding["path"].as_str())
        .collect();
    assert!(
        findings > 1000 && paths.len() > 200,
        "{findings} findings in {} documents",
        paths.len()
    );
    assert_eq!(reference_value["skipped"][0]["path"], "Page/Binary.md");
    assert_eq!(reference_value["repaired"][0]["path"], "Page/壞_UTF-8.md");
    // 1 and 7 cut the documents into many chunks (7 does not divide them), the default into one.
    for chunk in ["1", "7", "0"] {
        let output = check_in_chunks(&root, chunk, &["--format", "json", "--orphans"]);
        assert_eq!(output.status.code(), Some(1), "chunk {chunk}");
        let streamed = String::from_utf8(output.stdout).expect("UTF-8 output");
        assert!(
            without_seconds(&streamed) == reference,
            "chunk {chunk}: the streamed report differs from the reference; first difference at byte {}",
            streamed
                .bytes()
                .zip(reference.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(streamed.len().min(reference.len()))
        );
    }
}

#[test]
fn every_format_is_the_same_whatever_the_chunk_size() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = generated_wiki(workspace.path());
    for format in ["human", "github", "sarif"] {
        let outputs: Vec<(Option<i32>, String)> = ["1", "7", "0"]
            .iter()
            .map(|chunk| {
                let output = check_in_chunks(&root, chunk, &["--format", format, "--orphans"]);
                (
                    output.status.code(),
                    without_seconds(&String::from_utf8_lossy(&output.stdout)),
                )
            })
            .collect();
        assert_eq!(outputs[0].0, Some(1), "{format}");
        assert!(outputs[0].1.len() > 100_000, "{format}: {} bytes", outputs[0].1.len());
        for (chunk, output) in ["7", "0"].iter().zip(&outputs[1..]) {
            assert!(output == &outputs[0], "{format}: chunk {chunk} differs from chunk 1");
        }
    }
}

#[test]
fn closed_stdout_ends_the_check_quietly() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = generated_wiki(workspace.path());
    // Each report is far over a pipe's 64 KiB, so the reader's hang-up always meets a write.
    for format in ["json", "human", "sarif", "github"] {
        let output = check_then_hang_up(&root, format);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Errors were found before the pipe closed: exit 1, as without the hang-up.
        assert_eq!(output.status.code(), Some(1), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert!(!stderr.contains("error:"), "{format}: {stderr}");
        assert!(stderr.contains("warning: skipped Page/Binary.md"), "{format}: {stderr}");
    }
}

/// Runs `check` in `root` with one-document chunks, reads the first 100 bytes of its report and
/// hangs up, as `wikils check | head -c 100` would.
fn check_then_hang_up(root: &Path, format: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wikils"))
        .args(["check", "--format", format])
        .current_dir(root)
        .env("WIKILS_CHECK_CHUNK", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("check starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = [0u8; 100];
    stdout.read_exact(&mut head).expect("the report starts");
    drop(stdout);
    child.wait_with_output().expect("check ends")
}

/// The exit code speaks for the whole check even when the reader hangs up first: the only error
/// is in the last document, long after the reader of the first 100 bytes has gone.
#[test]
fn closed_stdout_still_exits_with_the_whole_checks_verdict() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = workspace.path();
    std::fs::create_dir(root.join("Page")).expect("Page folder");
    // Far over a pipe's 64 KiB of output, so the hang-up always meets a write.
    for page in 0..3000 {
        // An unclosed link: a warning, so every page writes a finding but none fails the check.
        std::fs::write(root.join(format!("Page/A{page:04}.md")), "警告 [[未閉合\n").expect("page");
    }
    std::fs::write(root.join("Page/Z.md"), "[[不存在的頁面]]\n").expect("last page");
    for format in ["json", "human", "sarif", "github"] {
        let output = check_then_hang_up(root, format);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert!(!stderr.contains("error: cannot write"), "{format}: {stderr}");
    }
}
