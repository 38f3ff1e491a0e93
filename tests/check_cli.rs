//! `wikils check` end to end: the real binary on fixture wikis, every output format and exit code,
//! and bad input (invalid UTF-8, NUL bytes, huge files, symlink loops, unreadable folders).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn wikils(args: &[&str], current_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wikils"))
        .args(args)
        .current_dir(current_dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the wikils binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_report(root: &Path, extra: &[&str]) -> (Value, Output) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let output = wikils(&args, root);
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("json output: {error}\n{}\n{}", stdout(&output), stderr(&output)));
    (report, output)
}

/// Findings as `path:line:character code` lines (one-based line, UTF-16 character from 1).
fn finding_lines(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|finding| {
            format!(
                "{}:{}:{} {}",
                finding["path"].as_str().unwrap_or_default(),
                finding["range"]["start"]["line"].as_u64().unwrap_or_default() + 1,
                finding["range"]["start"]["character"].as_u64().unwrap_or_default() + 1,
                finding["code"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn write(path: &Path, contents: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(path, contents).expect("write file");
}

#[test]
fn export_fixture_reports_every_rule() {
    let (report, output) = json_report(&fixture("export"), &[]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "errors found → exit 1\n{}",
        stderr(&output)
    );
    let expected = EXPECTED_EXPORT_FINDINGS
        .trim()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    assert_eq!(finding_lines(&report), expected);
}

const EXPECTED_EXPORT_FINDINGS: &str = "
Page/首頁.md:3:52 variant-link
Page/首頁.md:5:5 broken-link
Page/首頁.md:7:5 broken-anchor
Page/首頁.md:8:36 broken-link
Page/首頁.md:9:5 local-page-linked-as-url
Page/首頁.md:10:5 ambiguous-link
Page/首頁.md:13:9 broken-link
Page/首頁.md:14:15 broken-anchor
Page/首頁.md:23:1 broken-link
Page/首頁.md:24:1 unclosed-template
Page/首頁.md:27:1 duplicate-category
Redirect/壞別名.md:1:1 broken-redirect
Redirect/迴圈乙.md:1:1 broken-redirect
Redirect/迴圈甲.md:1:1 broken-redirect
";

#[test]
fn wikitext_fixture_reports_every_rule() {
    let (report, output) = json_report(&fixture("wikitext"), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let expected = EXPECTED_WIKITEXT_FINDINGS
        .trim()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    assert_eq!(finding_lines(&report), expected);
}

const EXPECTED_WIKITEXT_FINDINGS: &str = "
Bad_Redirect.wiki:1:1 broken-redirect
Main_Page.wiki:1:71 broken-anchor
Main_Page.wiki:2:3 broken-link
Main_Page.wiki:2:47 ambiguous-link
Main_Page.wiki:3:29 broken-link
Main_Page.wiki:5:19 broken-link
Main_Page.wiki:8:9 variant-link
Main_Page.wiki:9:4 unclosed-link
Main_Page.wiki:12:1 duplicate-category
";

#[test]
fn clean_wiki_exits_zero_and_warnings_fail_only_when_denied() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A.wiki"), "[[B]] [[B#Nope]]\n");
    write(&workspace.path().join("B.wiki"), "== Yes ==\n");
    let plain = wikils(&["check"], workspace.path());
    assert_eq!(plain.status.code(), Some(0), "{}", stdout(&plain));
    let denied = wikils(&["check", "--deny", "warnings"], workspace.path());
    assert_eq!(denied.status.code(), Some(1), "{}", stdout(&denied));
    assert!(
        stdout(&denied).contains("A.wiki:1:7: warning[broken-anchor]"),
        "{}",
        stdout(&denied)
    );
}

#[test]
fn human_format_shows_the_source_line_with_a_caret_under_the_link() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A.wiki"), "中文𠀀 [[Nowhere]] tail\n");
    let output = wikils(&["check"], workspace.path());
    let text = stdout(&output);
    // 中文𠀀 is 4 UTF-16 units and 6 terminal columns wide.
    assert!(
        text.contains("A.wiki:1:6: error[broken-link] broken link: no page `Nowhere`"),
        "{text}"
    );
    assert!(text.contains("1 | 中文𠀀 [[Nowhere]] tail\n"), "{text}");
    assert!(text.contains("  |        ^^^^^^^^^^^\n"), "{text}");
    assert!(!text.contains('\x1b'), "no color when stdout is not a terminal: {text}");
    assert!(text.contains("checked 1 files, 1 links"), "{text}");
}

#[test]
fn github_format_writes_workflow_annotations() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A,b.wiki"), "x [[Nowhere]]\n");
    let output = wikils(&["check", "--format", "github"], workspace.path());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "::error file=A%2Cb.wiki,line=1,col=3,endLine=1,endColumn=14,title=broken-link::broken link: no page `Nowhere` (looked for a file named Nowhere.*)\n"
    );
}

#[test]
fn sarif_format_is_sarif_2_1_0_with_utf16_columns() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("頁.wiki"), "𠀀 [[Nowhere]]\n");
    let output = wikils(&["check", "--format", "sarif"], workspace.path());
    let sarif: Value = serde_json::from_slice(&output.stdout).expect("sarif is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(run["tool"]["driver"]["name"], "wikils");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "broken-link");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "%E9%A0%81.wiki");
    assert_eq!(location["region"]["startColumn"], 4);
    assert_eq!(location["region"]["endColumn"], 15);
}

#[test]
fn json_format_has_a_summary_and_the_documented_fields() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A.wiki"), "[[Nowhere]]\n[[Nowhere#x]]\n");
    let (report, _) = json_report(workspace.path(), &[]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["positionEncoding"], "utf-16");
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(report["summary"]["links"], 2);
    assert_eq!(report["summary"]["errors"], 2);
    let first = &report["findings"][0];
    for field in ["path", "code", "severity", "message", "range", "byteRange", "related"] {
        assert!(!first[field].is_null(), "field {field} in {first}");
    }
    assert_eq!(first["byteRange"]["end"], 11);
}

#[test]
fn configuration_changes_severity_and_turns_rules_off() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A.wiki"), "[[Nowhere]] [[A#Nope]]\n");
    write(
        &workspace.path().join("wikils.toml"),
        "[rules]\nbroken-link = \"warning\"\nbroken-anchor = \"off\"\n",
    );
    let (report, output) = json_report(workspace.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "only a warning is left");
    assert_eq!(finding_lines(&report), vec!["A.wiki:1:1 broken-link"]);
    assert_eq!(report["findings"][0]["severity"], "warning");
}

#[test]
fn bad_configuration_is_an_error_with_file_and_line() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A.wiki"), "x\n");
    write(&workspace.path().join("wikils.toml"), "layout = \"tree\"\nrules = 3\n");
    let output = wikils(&["check"], workspace.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("wikils.toml:2:"), "{}", stderr(&output));
}

#[test]
fn missing_path_and_bad_arguments_exit_two() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let missing = wikils(&["check", "does-not-exist"], workspace.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("does-not-exist"), "{}", stderr(&missing));
    let bad_format = wikils(&["check", "--format", "xml"], workspace.path());
    assert_eq!(bad_format.status.code(), Some(2));
}

#[test]
fn single_file_argument_reports_only_that_file_but_resolves_against_its_root() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("wikils.toml"), "");
    write(&workspace.path().join("docs/A.wiki"), "[[B]] [[Nowhere]]\n");
    write(&workspace.path().join("docs/B.wiki"), "[[Nowhere either]]\n");
    let (report, _) = json_report(workspace.path(), &["docs/A.wiki"]);
    assert_eq!(finding_lines(&report), vec!["docs/A.wiki:1:7 broken-link"]);
}

#[test]
fn bad_files_are_skipped_with_a_reason_and_never_crash() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = workspace.path();
    write(&root.join("empty.wiki"), "");
    write(&root.join("nul.wiki"), b"[[A]]\0binary");
    write(&root.join("latin1.wiki"), b"caf\xe9 [[Nowhere]]\n");
    write(&root.join("huge.wiki"), vec![b'a'; 50 * 1024 * 1024]);
    std::os::unix::fs::symlink("loop-b.wiki", root.join("loop-a.wiki")).expect("symlink");
    std::os::unix::fs::symlink("loop-a.wiki", root.join("loop-b.wiki")).expect("symlink");
    std::os::unix::fs::symlink("gone.wiki", root.join("dangling.wiki")).expect("symlink");
    let (report, output) = json_report(root, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let skipped: Vec<String> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|skipped| {
            format!(
                "{}: {}",
                skipped["path"].as_str().unwrap_or(""),
                skipped["reason"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped[0].starts_with("huge.wiki: file is 52428800 bytes, over the limit"),
        "{skipped:?}"
    );
    assert!(skipped[1].starts_with("nul.wiki: binary file"), "{skipped:?}");
    assert_eq!(report["repaired"][0]["path"], "latin1.wiki");
    assert!(
        stderr(&output).contains("warning: skipped huge.wiki"),
        "{}",
        stderr(&output)
    );
    let findings = finding_lines(&report);
    assert!(
        findings.contains(&"dangling.wiki:1:1 broken-redirect".to_string()),
        "{findings:?}"
    );
    assert!(
        findings.contains(&"loop-a.wiki:1:1 broken-redirect".to_string()),
        "{findings:?}"
    );
    assert!(
        findings.contains(&"loop-b.wiki:1:1 broken-redirect".to_string()),
        "{findings:?}"
    );
    assert!(
        findings.contains(&"latin1.wiki:1:6 broken-link".to_string()),
        "{findings:?}"
    );
}

#[test]
fn fifo_named_like_a_page_is_skipped_not_read() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let fifo = workspace.path().join("pipe.wiki");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let (report, output) = json_report(workspace.path(), &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(report["skipped"][0]["path"], "pipe.wiki");
    assert_eq!(report["skipped"][0]["reason"], "not a regular file");
}

/// Root reads every folder regardless of permissions, so the check runs as `nobody` then.
#[test]
fn unreadable_folder_is_skipped_with_a_warning() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = workspace.path();
    write(&root.join("A.wiki"), "[[B]]\n");
    write(&root.join("locked/B.wiki"), "b\n");
    let binary = root.join("wikils-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_wikils"), &binary).expect("copy binary");
    use std::os::unix::fs::PermissionsExt;
    for (path, mode) in [(root, 0o755), (&root.join("A.wiki"), 0o644), (&binary, 0o755)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let running_as_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|output| stdout(&output).trim() == "0")
        .unwrap_or(false);
    let mut command = if running_as_root {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary);
        command
    } else {
        Command::new(&binary)
    };
    let output = command
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .expect("check runs");
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    let report: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("{error}: {}", stderr(&output)));
    assert_eq!(report["skipped"][0]["path"], "locked", "{report}");
    assert!(
        report["skipped"][0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("ermission denied"),
        "{report}"
    );
    assert_eq!(finding_lines(&report), vec!["A.wiki:1:1 broken-link"]);
}

#[test]
fn check_never_writes_to_the_workspace() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A.wiki"), "[[Nowhere]]\n");
    let before = listing(workspace.path());
    wikils(&["check"], workspace.path());
    wikils(&["check", "--format", "sarif"], workspace.path());
    assert_eq!(listing(workspace.path()), before);
}

fn listing(root: &Path) -> Vec<(String, u64)> {
    let mut entries: Vec<(String, u64)> = walk(root)
        .into_iter()
        .map(|path| {
            let size = std::fs::symlink_metadata(&path)
                .map(|metadata| metadata.len())
                .unwrap_or(0);
            (path.to_string_lossy().into_owned(), size)
        })
        .collect();
    entries.sort();
    entries
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(root).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            paths.extend(walk(&path));
        }
        paths.push(path);
    }
    paths
}

#[test]
fn crlf_lone_cr_and_full_width_space_positions_are_lsp_positions() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(
        &workspace.path().join("A.wiki"),
        "first\r\n　𠀀，[[Gone]]\rthird [[Gone too]]\r\n",
    );
    let (report, _) = json_report(workspace.path(), &[]);
    assert_eq!(
        finding_lines(&report),
        vec!["A.wiki:2:5 broken-link", "A.wiki:3:7 broken-link"]
    );
    assert_eq!(report["findings"][0]["range"]["end"]["character"], 12);
}

/// On a terminal (a pseudo-terminal from util-linux `script`), findings are colored and a
/// progress line is drawn and then erased.
#[test]
fn terminal_output_is_colored_with_progress() {
    let workspace = tempfile::tempdir().expect("temp dir");
    write(&workspace.path().join("A.wiki"), "[[Nowhere]]\n");
    let command = format!("{} check", env!("CARGO_BIN_EXE_wikils"));
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(workspace.path())
        .env_remove("NO_COLOR")
        .output()
        .expect("script (util-linux) runs");
    let text = stdout(&output);
    assert!(text.contains("\x1b[1;31merror\x1b[0m[broken-link]"), "{text:?}");
    assert!(text.contains("Indexing 1 / 1 files\r\x1b[2K"), "{text:?}");
    assert_eq!(output.status.code(), Some(1), "script passes the exit code on with -e");
}
