//! Editor features, one per file, as pure functions of the index, a document and a byte offset.
//!
//! Nothing here knows LSP: features take byte offsets and return plain data with byte ranges and
//! root-relative paths; `lsp/` converts positions and builds protocol types.
//!
//! - [`definition`]: the page, heading, category or template a link points at.
//! - [`completion`]: link targets and anchors while a link is being typed.
//! - [`references`]: every link to a page, a heading or a missing title.
//! - [`code_actions`]: quick fixes for the findings on a range.
//! - [`rename`]: a page (file, title heading, links) or a heading (text, anchors).
//! - [`link_edit`]: rewrites a link's target or anchor in its own syntax (rename, code actions).
//! - [`completion_table`]: the sorted title table completion searches, built once per index change.

pub mod code_actions;
pub mod completion;
pub mod completion_table;
pub mod definition;
pub mod link_edit;
pub mod references;
pub mod rename;

#[cfg(test)]
mod navigation_tests;
#[cfg(test)]
mod tests;
