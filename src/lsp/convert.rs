//! Core results as LSP types: byte spans as ranges in the negotiated encoding (through
//! [`crate::text::rope`]), findings as diagnostics.

use std::path::Path;

use ropey::Rope;
use tower_lsp::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, Url,
};

use crate::diagnostics::{Finding, Severity};
use crate::syntax::Span;
use crate::text::rope::byte_to_position;
use crate::text::Encoding;

pub fn to_lsp_diagnostic(finding: &Finding, rope: &Rope, encoding: Encoding, root: &Path) -> Diagnostic {
    let related_information: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|related| {
            let uri = Url::from_file_path(root.join(&related.path)).ok()?;
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri,
                    range: Range::default(),
                },
                message: related.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: span_to_range(rope, finding.span, encoding),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Information => DiagnosticSeverity::INFORMATION,
            Severity::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(finding.code.name().to_string())),
        source: Some("wikils".to_string()),
        message: finding.message.clone(),
        related_information: (!related_information.is_empty()).then_some(related_information),
        ..Diagnostic::default()
    }
}

/// A byte span of a document as an LSP range, in the negotiated encoding.
pub fn span_to_range(rope: &Rope, span: Span, encoding: Encoding) -> Range {
    let (start_line, start_column) = byte_to_position(rope, span.start as usize, encoding);
    let (end_line, end_column) = byte_to_position(rope, span.end as usize, encoding);
    Range::new(
        Position::new(start_line, start_column),
        Position::new(end_line, end_column),
    )
}
