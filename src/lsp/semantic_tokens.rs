//! `textDocument/semanticTokens/full` and `/range`: the tokens of [`crate::ide::semantic_tokens`],
//! split at line ends and delta-encoded in the negotiated position encoding.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp::lsp_types::{
    Range, SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensFullOptions,
    SemanticTokensLegend, SemanticTokensOptions, Url,
};

use super::definition::document_at_version;
use super::wiki_workspace::WikiWorkspace;
use crate::ide::semantic_tokens::{self, TokenKind};
use crate::syntax::Span;
use crate::text::rope::{byte_to_position, char_to_position, line_content_len_chars, position_to_byte_clamped};
use crate::text::Encoding;

/// Standard token types, so every theme colours them: a page link is a `class`, a category an
/// `enum`, a template a `macro` (it expands in place). Broken links add `deprecated`, which
/// editors show struck through.
const TOKEN_TYPES: [SemanticTokenType; 3] = [
    SemanticTokenType::CLASS,
    SemanticTokenType::ENUM,
    SemanticTokenType::MACRO,
];
const TOKEN_MODIFIERS: [SemanticTokenModifier; 1] = [SemanticTokenModifier::DEPRECATED];
const BROKEN_MODIFIER_BIT: u32 = 1;

pub fn semantic_tokens_options() -> tower_lsp::lsp_types::SemanticTokensServerCapabilities {
    SemanticTokensOptions {
        legend: SemanticTokensLegend {
            token_types: TOKEN_TYPES.to_vec(),
            token_modifiers: TOKEN_MODIFIERS.to_vec(),
        },
        range: Some(true),
        full: Some(SemanticTokensFullOptions::Bool(true)),
        work_done_progress_options: Default::default(),
    }
    .into()
}

/// The tokens of an open document, of the whole text or of `range`.
pub fn semantic_tokens(
    workspace: &Arc<WikiWorkspace>,
    rope: &Rope,
    version: i32,
    uri: &Url,
    range: Option<Range>,
) -> Option<SemanticTokens> {
    let (root, relative) = workspace.locate_known(uri)?;
    let encoding = workspace.encoding();
    let index = root.index();
    let document = document_at_version(&root, &index, &relative, version, rope)?;
    let within = range.map(|range| {
        Span::new(
            position_to_byte_clamped(rope, range.start.line, range.start.character, encoding),
            position_to_byte_clamped(rope, range.end.line, range.end.character, encoding),
        )
    });
    let tokens = semantic_tokens::semantic_tokens(&index, &document, within);
    Some(SemanticTokens {
        result_id: None,
        data: encode(rope, &tokens, encoding),
    })
}

/// Delta-encodes tokens (sorted and disjoint), one piece per line a token covers: clients
/// cannot show tokens that span lines.
pub fn encode(rope: &Rope, tokens: &[semantic_tokens::SemanticToken], encoding: Encoding) -> Vec<SemanticToken> {
    let mut encoded = Vec::with_capacity(tokens.len());
    let (mut previous_line, mut previous_start) = (0u32, 0u32);
    for token in tokens {
        let token_type = match token.kind {
            TokenKind::Page => 0,
            TokenKind::Category => 1,
            TokenKind::Template => 2,
        };
        let token_modifiers_bitset = if token.broken { BROKEN_MODIFIER_BIT } else { 0 };
        let (start_line, start_column) = byte_to_position(rope, token.span.start as usize, encoding);
        let (end_line, end_column) = byte_to_position(rope, token.span.end as usize, encoding);
        for line in start_line..=end_line {
            let from = if line == start_line { start_column } else { 0 };
            let to = if line == end_line {
                end_column
            } else {
                let line_index = line as usize;
                let line_end_char = rope.line_to_char(line_index) + line_content_len_chars(rope, line_index);
                char_to_position(rope, line_end_char, encoding).1
            };
            // Pieces must move forward; a token out of order would underflow the deltas.
            let backwards = line < previous_line || (line == previous_line && from < previous_start);
            if to <= from || backwards {
                continue;
            }
            let delta_line = line - previous_line;
            let delta_start = if delta_line == 0 { from - previous_start } else { from };
            encoded.push(SemanticToken {
                delta_line,
                delta_start,
                length: to - from,
                token_type,
                token_modifiers_bitset,
            });
            (previous_line, previous_start) = (line, from);
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::semantic_tokens::SemanticToken as Token;

    /// Decodes back to `line:column+length type [broken]`, one per token.
    fn decoded(text: &str, tokens: &[Token], encoding: Encoding) -> String {
        let (mut line, mut column) = (0, 0);
        encode(&Rope::from_str(text), tokens, encoding)
            .iter()
            .map(|token| {
                line += token.delta_line;
                column = if token.delta_line == 0 {
                    column + token.delta_start
                } else {
                    token.delta_start
                };
                let broken = if token.token_modifiers_bitset == 1 {
                    " broken"
                } else {
                    ""
                };
                format!("{line}:{column}+{} {}{broken}", token.length, token.token_type)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn token(text: &str, piece: &str, kind: TokenKind, broken: bool) -> Token {
        let start = text.find(piece).expect("the piece is in the text");
        Token {
            span: Span::new(start, start + piece.len()),
            kind,
            broken,
        }
    }

    #[test]
    fn tokens_after_astral_characters_count_in_the_negotiated_encoding() {
        let text = "中𠀀[[甲]]{{乙}}\n[[Category:丙]]";
        let tokens = [
            token(text, "[[甲]]", TokenKind::Page, false),
            token(text, "{{乙}}", TokenKind::Template, true),
            token(text, "[[Category:丙]]", TokenKind::Category, false),
        ];
        assert_eq!(
            decoded(text, &tokens, Encoding::Utf16),
            "0:3+5 0\n0:8+5 2 broken\n1:0+14 1"
        );
        assert_eq!(
            decoded(text, &tokens, Encoding::Utf8),
            "0:7+7 0\n0:14+7 2 broken\n1:0+16 1"
        );
    }

    #[test]
    fn a_token_spanning_lines_is_split_per_line_without_line_endings() {
        let text = "𠀀{{甲\r\n|x=1\r\n\r\n}}尾";
        let tokens = [token(text, "{{甲\r\n|x=1\r\n\r\n}}", TokenKind::Template, false)];
        assert_eq!(decoded(text, &tokens, Encoding::Utf16), "0:2+3 2\n1:0+4 2\n3:0+2 2");
        assert_eq!(decoded(text, &tokens, Encoding::Utf8), "0:4+5 2\n1:0+4 2\n3:0+2 2");
    }
}
