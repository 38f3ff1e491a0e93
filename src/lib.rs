//! wikils: a language server and CI checker for wiki markup.
//!
//! # Code map
//!
//! The pure core (no I/O, no tower-lsp, no tokio, no printing):
//! - [`ide`]: editor features (definition, completion, hover, symbols, document links, semantic
//!   tokens), pure functions of the index and a byte offset.
//! - [`text`]: byte offsets ↔ line/column, UTF-8 or UTF-16, on strings and on the editor's ropes
//!   ([`text::rope`]). The only place positions are converted.
//! - [`title`]: page titles: normalisation, namespaces, Traditional/Simplified folding.
//! - [`syntax`]: parses one document into links, headings and problems. Never fails.
//! - [`layout`]: which files are pages and what title a path names (export or tree layout).
//! - [`facts`]: what one document contributes: classified links, headings, problems, interned.
//! - [`index`]: the workspace index (pages, variants, backlinks, members), updated by difference.
//! - [`resolve`]: the one module that decides what a link points at.
//! - [`graph`]: the link graph (backlinks, orphans, dead ends), counted through `resolve`.
//! - [`diagnostics`]: the rules and their findings, shared by `check` and the server.
//! - [`config`]: the settings in `wikils.toml`.
//!
//! Test support: [`testing`] (seeded random numbers) and `fuzzing` (the checks the fuzz targets
//! in `fuzz/` and their seeded twins under `cargo test` share).
//!
//! The disk: [`vfs`] (walking and reading, with reasons for what is skipped), [`workspace`]
//! (loading a root into an index in parallel) and [`cache`] (the persistent index cache:
//! unchanged files' facts reused across sessions, checked per file by stamp).
//!
//! The edges:
//! - [`cli`]: `wikils check` and its output formats, and `wikils graph`.
//! - [`lsp`]: the language server over stdio (tower-lsp); documents, versions, encodings.
//!
//! # Invariants
//! - Parsing never fails and never panics: broken markup yields results plus problems.
//! - The core does not know LSP exists; features take byte offsets and return byte ranges.
//! - Exactly one module converts positions ([`text`]) and exactly one decides what a link
//!   points at (`resolve`).

pub mod cache;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod ide;
pub mod index;
pub mod layout;
pub mod lsp;
pub mod resolve;
pub mod syntax;
pub mod testing;
pub mod text;
pub mod title;
pub mod vfs;
pub mod workspace;
