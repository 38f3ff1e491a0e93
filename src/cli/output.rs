//! Output formats of `wikils check`: human, JSON, GitHub annotations and SARIF 2.1.0.
//!
//! Human output counts columns from 1 (UTF-16 code units); JSON and SARIF positions are stated in
//! their schema (JSON: zero-based line and UTF-16 character, as LSP; SARIF: one-based, with
//! `columnKind: utf16CodeUnits`).

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};
use unicode_width::UnicodeWidthChar;

use super::Format;
use crate::diagnostics::{Code, Finding, Severity};
use crate::text::{Encoding, LineIndex, Position};
use crate::vfs::Skipped;

/// Version of the JSON output schema; bumped on any incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// What the whole run counted; written last (human, JSON) or to stderr.
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

/// Writes a report while it is being computed: [`Stream::begin`], then each document's findings,
/// rendered on any thread by [`Renderer::render`] and written in path order by
/// [`Stream::write_document`], then [`Stream::finish`]. Only the documents being rendered are
/// held in memory, and the bytes are exactly those of serialising the whole report at once.
pub struct Stream {
    renderer: Renderer,
    /// Whether a JSON or SARIF array element has been written (the next one needs a comma).
    wrote_finding: bool,
}

impl Stream {
    pub fn new(format: Format, color: bool) -> Stream {
        Stream {
            renderer: Renderer { format, color },
            wrote_finding: false,
        }
    }

    /// Renders documents for this stream; it can be shared by threads while the stream writes.
    pub fn renderer(&self) -> Renderer {
        self.renderer
    }

    /// What comes before the first finding.
    pub fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.renderer.format {
            Format::Human | Format::Github => Ok(()),
            Format::Json => begin_json(out),
            Format::Sarif => begin_sarif(out),
        }
    }

    /// Writes what [`Renderer::render`] made, in the report's order.
    pub fn write_document(&mut self, out: &mut dyn Write, rendered: &[u8]) -> io::Result<()> {
        if rendered.is_empty() {
            return Ok(());
        }
        match self.renderer.format {
            Format::Human | Format::Github => out.write_all(rendered),
            // Every element was rendered after a comma; the report's first one has none.
            Format::Json | Format::Sarif if !self.wrote_finding => {
                self.wrote_finding = true;
                out.write_all(rendered.strip_prefix(b",").unwrap_or(rendered))
            }
            Format::Json | Format::Sarif => out.write_all(rendered),
        }
    }

    /// What comes after the last finding.
    pub fn finish(
        &mut self,
        out: &mut dyn Write,
        skipped: &[Skipped],
        repaired: &[Skipped],
        summary: &Summary,
    ) -> io::Result<()> {
        match self.renderer.format {
            Format::Human => writeln!(out, "{}", super::check::summary_line(summary)),
            Format::Github => Ok(()),
            Format::Json => finish_json(out, self.wrote_finding, skipped, repaired, summary),
            Format::Sarif => finish_sarif(out, self.wrote_finding),
        }
    }
}

/// Turns one document's findings into the bytes of a [`Stream`]'s format.
#[derive(Clone, Copy)]
pub struct Renderer {
    format: Format,
    color: bool,
}

impl Renderer {
    /// One document's findings as output bytes (empty without findings). `absolute` is where
    /// human output reads the source again for excerpts.
    pub fn render(&self, path: &str, absolute: &Path, findings: &[Finding]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        if findings.is_empty() {
            return Ok(out);
        }
        match self.format {
            Format::Human => render_human(&mut out, path, absolute, findings, self.color)?,
            Format::Json => render_json(&mut out, path, findings)?,
            Format::Github => render_github(&mut out, path, findings)?,
            Format::Sarif => render_sarif(&mut out, path, findings)?,
        }
        Ok(out)
    }
}

/// `serde_json`'s pretty printer indents each level by two spaces.
const INDENT: &[u8] = b"  ";

/// Writes `value` pretty-printed as it appears `depth` levels deep in a pretty-printed document:
/// every line after the first indented by `depth` levels. Strings never hold a raw line break
/// (JSON escapes it), so each `\n` is a line of the layout.
fn write_nested(out: &mut dyn Write, value: &impl Serialize, depth: usize) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    let mut line_start = 0;
    for newline in memchr::memchr_iter(b'\n', &text) {
        out.write_all(&text[line_start..=newline])?;
        for _ in 0..depth {
            out.write_all(INDENT)?;
        }
        line_start = newline + 1;
    }
    out.write_all(&text[line_start..])
}

/// A line break and the indentation of `depth` levels.
fn write_break(out: &mut dyn Write, depth: usize) -> io::Result<()> {
    out.write_all(b"\n")?;
    for _ in 0..depth {
        out.write_all(INDENT)?;
    }
    Ok(())
}

/// One `"key": value` member of an object whose members sit `depth` levels deep.
fn write_member(out: &mut dyn Write, depth: usize, first: bool, key: &str, value: &impl Serialize) -> io::Result<()> {
    if !first {
        out.write_all(b",")?;
    }
    write_break(out, depth)?;
    serde_json::to_writer(&mut *out, key).map_err(io::Error::other)?;
    out.write_all(b": ")?;
    write_nested(out, value, depth)
}

/// The end of an array whose elements sat `depth` levels deep, opened with `[`.
fn end_array(out: &mut dyn Write, depth: usize, had_elements: bool) -> io::Result<()> {
    if had_elements {
        write_break(out, depth - 1)?;
    }
    out.write_all(b"]")
}

/// The widest source excerpt shown under a finding, in terminal columns.
const EXCERPT_WIDTH: usize = 100;

fn render_human(out: &mut dyn Write, path: &str, absolute: &Path, findings: &[Finding], color: bool) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    // The text is read again only for the excerpt; a file that changed or vanished since
    // indexing just loses its excerpt.
    let source = std::fs::read(absolute)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let line_index = source.as_deref().map(LineIndex::new);
    for finding in findings {
        let severity = match finding.severity {
            Severity::Error => paint("1;31", "error"),
            Severity::Warning => paint("1;33", "warning"),
            Severity::Information => paint("1;34", "info"),
            Severity::Hint => paint("1;36", "hint"),
        };
        writeln!(
            out,
            "{}:{}:{}: {severity}[{}] {}",
            paint("1", path),
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
    Ok(())
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

fn path_reasons(list: &[Skipped]) -> Vec<JsonPathReason<'_>> {
    list.iter()
        .map(|item| JsonPathReason {
            path: &item.path,
            reason: &item.reason,
        })
        .collect()
}

// The JSON document, schema version 1, written piece by piece in the layout
// `serde_json::to_writer_pretty` gives the whole: `{"version", "tool", "positionEncoding",
// "findings": [...], "skipped", "repaired", "summary"}`. Findings sit 2 levels deep.

fn begin_json(out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{")?;
    write_member(out, 1, true, "version", &JSON_SCHEMA_VERSION)?;
    let tool = JsonTool {
        name: "wikils",
        version: env!("CARGO_PKG_VERSION"),
    };
    write_member(out, 1, false, "tool", &tool)?;
    write_member(out, 1, false, "positionEncoding", &"utf-16")?;
    out.write_all(b",")?;
    write_break(out, 1)?;
    out.write_all(b"\"findings\": [")
}

fn render_json(out: &mut dyn Write, path: &str, findings: &[Finding]) -> io::Result<()> {
    for finding in findings {
        let finding = JsonFinding {
            path,
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
        };
        out.write_all(b",")?;
        write_break(out, 2)?;
        write_nested(out, &finding, 2)?;
    }
    Ok(())
}

fn finish_json(
    out: &mut dyn Write,
    wrote_finding: bool,
    skipped: &[Skipped],
    repaired: &[Skipped],
    summary: &Summary,
) -> io::Result<()> {
    end_array(out, 2, wrote_finding)?;
    write_member(out, 1, false, "skipped", &path_reasons(skipped))?;
    write_member(out, 1, false, "repaired", &path_reasons(repaired))?;
    let summary = JsonSummary {
        files: summary.files,
        links: summary.links,
        bytes: summary.bytes,
        errors: summary.errors,
        warnings: summary.warnings,
        infos: summary.infos,
        hints: summary.hints,
        seconds: summary.seconds,
    };
    write_member(out, 1, false, "summary", &summary)?;
    out.write_all(b"\n}\n")
}

/// GitHub workflow commands: data escapes `%`, CR and LF; properties also `:` and `,`.
fn github_escape(text: &str, property: bool) -> String {
    let mut escaped = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        escaped = escaped.replace(':', "%3A").replace(',', "%2C");
    }
    escaped
}

fn render_github(out: &mut dyn Write, path: &str, findings: &[Finding]) -> io::Result<()> {
    let file = github_escape(path, true);
    for finding in findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information | Severity::Hint => "notice",
        };
        writeln!(
            out,
            "::{command} file={file},line={},col={},endLine={},endColumn={},title={}::{}",
            finding.start.line + 1,
            finding.start.column + 1,
            finding.end.line + 1,
            finding.end.column + 1,
            github_escape(finding.code.name(), true),
            github_escape(&finding.message, false)
        )?;
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

// The SARIF log, written piece by piece in `serde_json::to_writer_pretty`'s layout:
// `{"$schema", "version", "runs": [{"tool", "columnKind", "results": [...]}]}`. Results sit 4
// levels deep.

fn begin_sarif(out: &mut dyn Write) -> io::Result<()> {
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
    // Small and fixed: the driver and its rules.
    let tool = json!({ "driver": { "name": "wikils", "version": env!("CARGO_PKG_VERSION"), "rules": rules } });
    out.write_all(b"{")?;
    write_member(
        out,
        1,
        true,
        "$schema",
        &"https://json.schemastore.org/sarif-2.1.0.json",
    )?;
    write_member(out, 1, false, "version", &"2.1.0")?;
    out.write_all(b",")?;
    write_break(out, 1)?;
    out.write_all(b"\"runs\": [")?;
    write_break(out, 2)?;
    out.write_all(b"{")?;
    write_member(out, 3, true, "tool", &tool)?;
    write_member(out, 3, false, "columnKind", &"utf16CodeUnits")?;
    out.write_all(b",")?;
    write_break(out, 3)?;
    out.write_all(b"\"results\": [")
}

fn render_sarif(out: &mut dyn Write, path: &str, findings: &[Finding]) -> io::Result<()> {
    let location = |path: &str, start: Position, end: Position| SarifPhysicalLocation {
        artifact_location: SarifArtifact {
            uri: uri_reference(path),
        },
        region: sarif_region(start, end),
    };
    for finding in findings {
        let result = SarifResult {
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
                physical_location: location(path, finding.start, finding.end),
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
        };
        out.write_all(b",")?;
        write_break(out, 4)?;
        write_nested(out, &result, 4)?;
    }
    Ok(())
}

fn finish_sarif(out: &mut dyn Write, wrote_result: bool) -> io::Result<()> {
    end_array(out, 4, wrote_result)?;
    write_break(out, 2)?;
    out.write_all(b"}")?;
    write_break(out, 1)?;
    out.write_all(b"]\n}\n")
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
