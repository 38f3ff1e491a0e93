//! The command line: `wikils` (serve LSP), `wikils lsp [--stdio]`, `wikils check` and `wikils graph`.

pub mod check;
pub mod graph;
pub mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "wikils", version, about = "Language server and checker for wiki markup")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check links in a wiki and report broken ones (for CI). Never writes to the workspace.
    Check(CheckArgs),
    /// Report the link graph: most-linked articles, orphans and dead ends.
    Graph(graph::GraphArgs),
    /// Serve the Language Server Protocol over stdio (the default with no command).
    Lsp {
        /// Accepted for editor clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Workspace folders or single files (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Make findings of this severity fail the check too (exit 1).
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
    /// Never show a progress bar, even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
    /// Also report articles no other page links to (rule `orphan-page`, a warning unless
    /// wikils.toml gives it a severity).
    #[arg(long)]
    pub orphans: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `file:line:col: severity[code] message`, with the source line and a caret.
    Human,
    /// One JSON document (schema in the README).
    Json,
    /// GitHub Actions workflow annotations.
    Github,
    /// SARIF 2.1.0.
    Sarif,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deny {
    Warnings,
}

/// Exit codes of `wikils check`.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const FAILURE: u8 = 2;
}

/// Runs the command line and returns the process exit code.
pub fn main(serve: fn() -> ExitCode) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { exit::FAILURE } else { exit::CLEAN };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        None | Some(Command::Lsp { .. }) => serve(),
        Some(Command::Check(args)) => ExitCode::from(check::run(&args)),
        Some(Command::Graph(args)) => ExitCode::from(graph::run(&args)),
    }
}
