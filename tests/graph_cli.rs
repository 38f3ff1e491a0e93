//! The link graph from the command line: `wikils check --orphans` in every format and
//! `wikils graph` as a table and as JSON, on the export fixture and small made-up wikis.

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
        .env("NO_COLOR", "1")
        .output()
        .expect("the wikils binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write(path: &Path, contents: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(path, contents).expect("write file");
}

fn orphan_lines(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|finding| finding["code"] == "orphan-page")
        .map(|finding| {
            format!(
                "{}:{}:{} {} {}",
                finding["path"].as_str().unwrap_or_default(),
                finding["range"]["start"]["line"],
                finding["range"]["start"]["character"],
                finding["severity"].as_str().unwrap_or_default(),
                finding["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn json_check(root: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let output = wikils(&args, root);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("json output: {error}\n{}", stdout(&output)))
}

#[test]
fn orphans_are_reported_only_when_asked_for() {
    let root = fixture("export");
    assert_eq!(orphan_lines(&json_check(&root, &[])), Vec::<String>::new());
    assert_eq!(
        orphan_lines(&json_check(&root, &["--orphans"])),
        [
            "Page/务内.md:0:0 warning orphan page: no other page links to `务内`",
            "Page/務內.md:0:0 warning orphan page: no other page links to `務內`",
        ]
    );
}

#[test]
fn orphans_in_human_github_and_sarif_formats() {
    let root = fixture("export");
    let human = stdout(&wikils(&["check", "--orphans"], &root));
    let orphan_lines: Vec<&str> = human.lines().filter(|line| line.contains("orphan-page")).collect();
    assert_eq!(
        orphan_lines,
        [
            "Page/务内.md:1:1: warning[orphan-page] orphan page: no other page links to `务内`",
            "Page/務內.md:1:1: warning[orphan-page] orphan page: no other page links to `務內`",
        ]
    );
    let github = stdout(&wikils(&["check", "--orphans", "--format", "github"], &root));
    assert_eq!(
        github.lines().filter(|line| line.contains("orphan-page")).count(),
        2,
        "{github}"
    );
    let sarif: Value =
        serde_json::from_slice(&wikils(&["check", "--orphans", "--format", "sarif"], &root).stdout).expect("sarif");
    let run = &sarif["runs"][0];
    let orphan_uris: Vec<&str> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|result| result["ruleId"] == "orphan-page")
        .map(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("")
        })
        .collect();
    assert_eq!(orphan_uris.len(), 2, "{run}");
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|rule| rule["id"] == "orphan-page")
        .expect("orphan-page is described");
    assert_eq!(rule["defaultConfiguration"]["enabled"], false);
}

#[test]
fn orphan_sits_on_the_title_heading_and_wikils_toml_configures_it() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let root = workspace.path();
    write(&root.join("Page/孤兒.md"), "<!-- 註 -->\n\n# 孤兒 𠀀\n\n[[有連結]]\n");
    write(
        &root.join("Page/有連結.md"),
        "## 節\n\n[[有連結]] links only to itself\n",
    );
    write(&root.join("Redirect/別名.md"), "#REDIRECT [[有連結]]\n");
    assert_eq!(
        orphan_lines(&json_check(root, &["--orphans"])),
        ["Page/孤兒.md:2:0 warning orphan page: no other page links to `孤兒`"]
    );
    write(&root.join("wikils.toml"), "[rules]\norphan-page = \"error\"\n");
    let output = wikils(&["check"], root);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("Page/孤兒.md:3:1: error[orphan-page] orphan page: no other page links to `孤兒`"),
        "{}",
        stdout(&output)
    );
    write(&root.join("wikils.toml"), "[rules]\norphan-page = \"off\"\n");
    assert_eq!(orphan_lines(&json_check(root, &[])), Vec::<String>::new());
    assert_eq!(orphan_lines(&json_check(root, &["--orphans"])).len(), 1);
}

const EXPORT_TABLE: &str = "\
16 documents: 10 articles, 4 redirects; 14 resolved links; 2 orphans, 8 dead ends

Most linked (3 shown)
  Pages  Links  Title               Path
      2      7  政制及內地事務局    Page/政制及內地事務局.md
      1      1  (+)-ネオメントール  Page/(+)-ネオメントール.md
      1      1  .hack               Page/.hack.md

Orphans: articles no other page links to (2)
  务内  Page/务内.md
  務內  Page/務內.md

Dead ends: articles that link to no other page (8)
  (+)-ネオメントール  Page/(+)-ネオメントール.md
  .hack               Page/.hack.md
  A&B$+               Page/A&B$+.md
  Rock 'n' Roll!      Page/Rock_'n'_Roll!.md
  Say \"Hi\"            Page/Say_\"Hi\".md
  What?               Page/What?.md
  务内                Page/务内.md
  務內                Page/務內.md
";

#[test]
fn graph_table_lists_most_linked_orphans_and_dead_ends_aligned_by_display_width() {
    let output = wikils(&["graph", "--top", "3", "export"], &fixture(""));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), EXPORT_TABLE);
}

#[test]
fn graph_json_follows_the_documented_schema() {
    let output = wikils(&["graph", "--format", "json"], &fixture("export"));
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["version"], 1);
    assert_eq!(report["root"], ".");
    assert_eq!(
        report["totals"],
        serde_json::json!({"documents": 16, "articles": 10, "redirects": 4, "links": 14, "orphans": 2, "dead_ends": 8})
    );
    let most_linked = report["most_linked"].as_array().expect("most_linked");
    assert_eq!(most_linked.len(), 8);
    assert_eq!(
        most_linked[0],
        serde_json::json!({"path": "Page/政制及內地事務局.md", "title": "政制及內地事務局", "linking_pages": 2, "links": 7})
    );
    let paths = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|page| page["path"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(paths("orphans"), ["Page/务内.md", "Page/務內.md"]);
    assert_eq!(
        paths("dead_ends"),
        [
            "Page/(+)-ネオメントール.md",
            "Page/.hack.md",
            "Page/A&B$+.md",
            "Page/Rock_'n'_Roll!.md",
            "Page/Say_\"Hi\".md",
            "Page/What?.md",
            "Page/务内.md",
            "Page/務內.md"
        ]
    );
}

#[test]
fn graph_usage_and_io_errors_exit_two() {
    let root = fixture("export");
    assert_eq!(wikils(&["graph", "no-such-folder"], &root).status.code(), Some(2));
    assert_eq!(wikils(&["graph", "--top", "many"], &root).status.code(), Some(2));
    assert_eq!(wikils(&["graph", "--format", "xml"], &root).status.code(), Some(2));
}
