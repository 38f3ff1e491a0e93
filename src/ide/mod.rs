//! Editor features, one per file, as pure functions of the index, a document and a byte offset.
//!
//! Nothing here knows LSP: features take byte offsets and return plain data with byte ranges and
//! root-relative paths; `lsp/` converts positions and builds protocol types.
//!
//! - [`definition`]: the page, heading, category or template a link points at.
//! - [`completion`]: link targets and anchors while a link is being typed.
//! - [`code_lens`]: "N backlinks" on a page's title, from the link graph's one definition.
//! - [`folding`]: one folding range per section, nested by heading level.
//! - [`completion_table`]: the sorted title table completion searches, built once per index change.

pub mod code_lens;
pub mod completion;
pub mod completion_table;
pub mod definition;
pub mod folding;

#[cfg(test)]
pub(crate) mod tests;
