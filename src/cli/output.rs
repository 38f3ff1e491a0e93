//! Output formats of `wikils check`: human, JSON, GitHub annotations and SARIF 2.1.0.
//!
//! Human output counts columns from 1 (UTF-16 code units); JSON and SARIF positions are stated in
//! their schema (JSON: zero-based line and UTF-16 character, as LSP; SARIF: one-based, with
//! `columnKind: utf16CodeUnits`).

use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{json, Value};
use unicode_width::UnicodeWidthChar;

use super::Format;
use crate::diagnostics::{Code, Finding, Severity};
use crate::text::{Encoding, LineIndex, Position};
use crate::vfs::Skipped;

/// Version of the JSON output schema; bumped on any incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Default)]
pub struct Report {
    pub documents: Vec<DocumentReport>,
    pub skipped: Vec<Skipped>,
    pub repaired: Vec<Skipped>,
    pub summary: Summary,
}

#[derive(Debug)]
pub struct DocumentReport {
    /// The path as shown to the user.
    pub path: String,
    /// Where to read the source again for human output.
    pub absolute: PathBuf,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub files: usize,
    pub links: usize,
    pub bytes: u64,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
    pub seconds: f64,
}

pub fn write(out: &mut dyn Write, report: &Report, format: Format, color: bool) -> io::Result<()> {
    match format {
        Format::Human => write_human(out, report, color),
        Format::Json => write_json(out, report),
        Format::Github => write_github(out, report),
        Format::Sarif => write_sarif(out, report),
    }
}

/// The widest source excerpt shown under a finding, in terminal columns.
const EXCERPT_WIDTH: usize = 100;

fn write_human(out: &mut dyn Write, report: &Report, color: bool) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    for document in &report.documents {
        // The text is read again only for the excerpt; a file that changed or vanished since
        // indexing just loses its excerpt.
        let source = std::fs::read(&document.absolute)
            .ok()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let line_index = source.as_deref().map(LineIndex::new);
        for finding in &document.findings {
            let severity = match finding.severity {
                Severity::Error => paint("1;31", "error"),
                Severity::Warning => paint("1;33", "warning"),
                Severity::Information => paint("1;34", "info"),
                Severity::Hint => paint("1;36", "hint"),
            };
            writeln!(
                out,
                "{}:{}:{}: {severity}[{}] {}",
                paint("1", &document.path),
                finding.start.line + 1,
                finding.start.column + 1,
                finding.code.name(),
                finding.message
            )?;
            if let (Some(source), Some(line_index)) = (source.as_deref(), line_index.as_ref()) {
                write_excerpt(out, source, line_index, finding, &paint)?;
            }
            for related in &finding.related {
                writeln!(
                    out,
                    "    note: {}:{}:{}: {}",
                    related.path,
                    related.start.line + 1,
                    related.start.column + 1,
                    related.message
                )?;
            }
            if let Some(suggestion) = &finding.suggestion {
                writeln!(out, "    help: link to {suggestion}")?;
            }
        }
    }
    writeln!(out, "{}", super::check::summary_line(&report.summary))
}

/// The finding's source line, cut to a window around it, with carets under the finding.
fn write_excerpt(
    out: &mut dyn Write,
    source: &str,
    line_index: &LineIndex,
    finding: &Finding,
    paint: &dyn Fn(&str, &str) -> String,
) -> io::Result<()> {
    let line_number = finding.start.line;
    let line = &source[line_index.line_range(source, line_number)];
    let start = line_index.offset(source, finding.start, Encoding::Utf16);
    let line_start = line_index.offset(
        source,
        Position {
            line: line_number,
            column: 0,
        },
        Encoding::Utf16,
    );
    let end = if finding.end.line == line_number {
        line_index.offset(source, finding.end, Encoding::Utf16)
    } else {
        line_start + line.len()
    };
    let (start, end) = (
        start.saturating_sub(line_start).min(line.len()),
        end.saturating_sub(line_start).min(line.len()),
    );
    let width = |text: &str| text.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let mut window_start = 0;
    if width(&line[..start]) > EXCERPT_WIDTH / 2 {
        window_start = start;
        let mut shown = 0;
        for (offset, c) in line[..start].char_indices().rev() {
            shown += c.width().unwrap_or(0);
            if shown > EXCERPT_WIDTH / 3 {
                break;
            }
            window_start = offset;
        }
    }
    let mut window_end = line.len();
    let mut shown = 0;
    for (offset, c) in line[window_start..].char_indices() {
        shown += c.width().unwrap_or(0);
        if shown > EXCERPT_WIDTH && window_start + offset >= end.min(window_start + offset) {
            window_end = window_start + offset;
            break;
        }
    }
    let window_end = window_end.max(end.min(line.len()));
    let lead = if window_start > 0 { "…" } else { "" };
    let tail = if window_end < line.len() { "…" } else { "" };
    let number = (line_number + 1).to_string();
    let gutter = " ".repeat(number.len());
    writeln!(
        out,
        "{} {} {lead}{}{tail}",
        paint("1;34", &number),
        paint("1;34", "|"),
        &line[window_start..window_end]
    )?;
    let pad = width(lead) + width(&line[window_start..start]);
    let carets = width(&line[start..end.max(start)]).max(1);
    writeln!(
        out,
        "{gutter} {} {}{}",
        paint("1;34", "|"),
        " ".repeat(pad),
        paint("1;31", &"^".repeat(carets))
    )
}

// The JSON schema as types: serialised straight to the writer, since a Value tree per finding
// cost more than the checking itself on large wikis.

#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    character: u32,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

impl JsonRange {
    fn new(start: Position, end: Position) -> JsonRange {
        JsonRange {
            start: JsonPosition {
                line: start.line,
                character: start.column,
            },
            end: JsonPosition {
                line: end.line,
                character: end.column,
            },
        }
    }
}

#[derive(Serialize)]
struct JsonByteRange {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    range: JsonRange,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    path: &'a str,
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    range: JsonRange,
    byte_range: JsonByteRange,
    related: Vec<JsonRelated<'a>>,
    suggestion: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonPathReason<'a> {
    path: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    links: usize,
    bytes: u64,
    errors: usize,
    warnings: usize,
    infos: usize,
    hints: usize,
    seconds: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    version: u32,
    tool: JsonTool,
    position_encoding: &'static str,
    findings: Vec<JsonFinding<'a>>,
    skipped: Vec<JsonPathReason<'a>>,
    repaired: Vec<JsonPathReason<'a>>,
    summary: JsonSummary,
}

fn path_reasons(list: &[Skipped]) -> Vec<JsonPathReason<'_>> {
    list.iter()
        .map(|item| JsonPathReason {
            path: &item.path,
            reason: &item.reason,
        })
        .collect()
}

fn write_json(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let findings = report
        .documents
        .iter()
        .flat_map(|document| {
            document.findings.iter().map(move |finding| JsonFinding {
                path: &document.path,
                code: finding.code.name(),
                severity: finding.severity.name(),
                message: &finding.message,
                range: JsonRange::new(finding.start, finding.end),
                byte_range: JsonByteRange {
                    start: finding.span.start,
                    end: finding.span.end,
                },
                related: finding
                    .related
                    .iter()
                    .map(|related| JsonRelated {
                        path: &related.path,
                        range: JsonRange::new(related.start, related.end),
                        message: &related.message,
                    })
                    .collect(),
                suggestion: finding.suggestion.as_deref(),
            })
        })
        .collect();
    let summary = &report.summary;
    let document = JsonReport {
        version: JSON_SCHEMA_VERSION,
        tool: JsonTool {
            name: "wikils",
            version: env!("CARGO_PKG_VERSION"),
        },
        position_encoding: "utf-16",
        findings,
        skipped: path_reasons(&report.skipped),
        repaired: path_reasons(&report.repaired),
        summary: JsonSummary {
            files: summary.files,
            links: summary.links,
            bytes: summary.bytes,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            hints: summary.hints,
            seconds: summary.seconds,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}

/// GitHub workflow commands: data escapes `%`, CR and LF; properties also `:` and `,`.
fn github_escape(text: &str, property: bool) -> String {
    let mut escaped = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        escaped = escaped.replace(':', "%3A").replace(',', "%2C");
    }
    escaped
}

fn write_github(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for document in &report.documents {
        for finding in &document.findings {
            let command = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "notice",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                github_escape(&document.path, true),
                finding.start.line + 1,
                finding.start.column + 1,
                finding.end.line + 1,
                finding.end.column + 1,
                github_escape(finding.code.name(), true),
                github_escape(&finding.message, false)
            )?;
        }
    }
    Ok(())
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

fn sarif_region(start: Position, end: Position) -> SarifRegion {
    SarifRegion {
        start_line: start.line + 1,
        start_column: start.column + 1,
        end_line: end.line + 1,
        end_column: end.column + 1,
    }
}

#[derive(Serialize)]
struct SarifText<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct SarifArtifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysicalLocation {
    artifact_location: SarifArtifact,
    region: SarifRegion,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<SarifText<'a>>,
    physical_location: SarifPhysicalLocation,
}

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    /// Small and fixed: the driver and its rules.
    tool: Value,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: SarifText<'a>,
    locations: [SarifLocation<'a>; 1],
    related_locations: Vec<SarifLocation<'a>>,
}

fn rule_description(code: Code) -> &'static str {
    match code {
        Code::BrokenLink => "A link to a page, category or template that does not exist in the workspace.",
        Code::BrokenAnchor => "A link to a heading that the target page does not have.",
        Code::VariantLink => "A link whose title exists only in the other Chinese script (Traditional/Simplified).",
        Code::AmbiguousLink => "A link that matches several pages.",
        Code::BrokenRedirect => "A redirect whose target does not exist, or a redirect loop.",
        Code::LocalPageLinkedAsUrl => "A link to the online wiki for a page that exists in the workspace.",
        Code::UnclosedLink => "A `[[` without its `]]`.",
        Code::UnclosedTemplate => "A `{{` without its `}}`.",
        Code::DuplicateCategory => "The same category listed twice on a page.",
        Code::OrphanPage => "An article that no other page links to (off unless `--orphans` or wikils.toml asks).",
    }
}

fn write_sarif(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|&code| {
            json!({
                "id": code.name(),
                "shortDescription": { "text": rule_description(code) },
                "defaultConfiguration": {
                    "level": sarif_level(code.default_severity()),
                    "enabled": code.on_by_default(),
                },
            })
        })
        .collect();
    let location = |path: &str, start: Position, end: Position| SarifPhysicalLocation {
        artifact_location: SarifArtifact {
            uri: uri_reference(path),
        },
        region: sarif_region(start, end),
    };
    let results: Vec<SarifResult> = report
        .documents
        .iter()
        .flat_map(|document| {
            document.findings.iter().map(move |finding| SarifResult {
                rule_id: finding.code.name(),
                rule_index: Code::ALL
                    .iter()
                    .position(|&code| code == finding.code)
                    .unwrap_or_default(),
                level: sarif_level(finding.severity),
                message: SarifText { text: &finding.message },
                locations: [SarifLocation {
                    id: None,
                    message: None,
                    physical_location: location(&document.path, finding.start, finding.end),
                }],
                related_locations: finding
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, related)| SarifLocation {
                        id: Some(id),
                        message: Some(SarifText { text: &related.message }),
                        physical_location: location(&related.path, related.start, related.end),
                    })
                    .collect(),
            })
        })
        .collect();
    let sarif = SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [SarifRun {
            tool: json!({ "driver": { "name": "wikils", "version": env!("CARGO_PKG_VERSION"), "rules": rules } }),
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &sarif).map_err(io::Error::other)?;
    writeln!(out)
}

/// A relative path as a URI reference: characters outside the unreserved set percent-encoded.
fn uri_reference(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}
