//! Editor features, one per file, as pure functions of the index, a document and a byte offset.
//!
//! Nothing here knows LSP: features take byte offsets and return plain data with byte ranges and
//! root-relative paths; `lsp/` converts positions and builds protocol types.
//!
//! - [`definition`]: the page, heading, category or template a link points at.
//! - [`completion`]: link targets and anchors while a link is being typed.
//! - [`hover`]: what a link leads to: title, summary, categories, backlinks, members, why broken.
//! - [`document_link`]: the file (and heading line) each resolvable link opens.
//! - [`semantic_tokens`]: links to pages, categories and templates, broken ones marked.
//! - [`document_symbol`]: the heading tree of a document, with each heading's section.
//! - [`workspace_symbol`]: page titles matching a query, from the completion's title table.
//! - [`code_lens`]: "N backlinks" on a page's title, from the link graph's one definition.
//! - [`folding`]: one folding range per section, nested by heading level.
//! - [`references`]: every link to a page, a heading or a missing title.
//! - [`code_actions`]: quick fixes for the findings on a range.
//! - [`rename`]: a page (file, title heading, links) or a heading (text, anchors).
//! - [`link_edit`]: rewrites a link's target or anchor in its own syntax (rename, code actions).
//! - [`completion_table`]: the sorted title table completion searches, built once per index change.

pub mod code_actions;
pub mod code_lens;
pub mod completion;
pub mod completion_table;
pub mod definition;
pub mod document_link;
pub mod document_symbol;
pub mod folding;
pub mod hover;
pub mod link_edit;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
pub mod workspace_symbol;

#[cfg(test)]
mod info_tests;
#[cfg(test)]
mod navigation_tests;
#[cfg(test)]
pub(crate) mod tests;
