//! Editor features, one per file, as pure functions of the index, a document and a byte offset.
//!
//! Nothing here knows LSP: features take byte offsets and return plain data with byte ranges and
//! root-relative paths; `lsp/` converts positions and builds protocol types.
//!
//! - [`definition`]: the page, heading, category or template a link points at.
//! - [`completion`]: link targets and anchors while a link is being typed.
//! - [`completion_table`]: the sorted title table completion searches, built once per index change.

pub mod completion;
pub mod completion_table;
pub mod definition;

#[cfg(test)]
pub(crate) mod tests;
