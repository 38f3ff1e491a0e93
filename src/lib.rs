//! wikils: a language server and CI checker for wiki markup.
//!
//! # Code map
//!
//! The pure core (no I/O, no tower-lsp, no tokio, no printing):
//! - [`ide`]: editor features (definition, completion), pure functions of the index and a byte offset.
//! - [`text`]: byte offsets ↔ line/column, UTF-8 or UTF-16. The only place positions are converted.
//! - [`title`]: page titles: normalisation, namespaces, Traditional/Simplified folding.
//! - [`syntax`]: parses one document into links, headings and problems. Never fails.
//!
//! The protocol edge:
//! - [`lsp`]: the language server over stdio (tower-lsp); documents, versions, encodings.
//!
//! # Invariants
//! - Parsing never fails and never panics: broken markup yields results plus problems.
//! - The core does not know LSP exists; features take byte offsets and return byte ranges.
//! - Exactly one module converts positions ([`text`]) and exactly one decides what a link
//!   points at (`resolve`).

pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod facts;
pub mod ide;
pub mod index;
pub mod layout;
pub mod lsp;
pub mod resolve;
pub mod syntax;
pub mod text;
pub mod title;
pub mod vfs;
pub mod workspace;
