//! The `wikils` command: `wikils check` for CI, and the language server (`wikils`, `wikils lsp [--stdio]`).

use std::process::ExitCode;

fn main() -> ExitCode {
    wikils::cli::main(serve)
}

fn serve() -> ExitCode {
    ExitCode::from(u8::try_from(wikils::lsp::run_stdio()).unwrap_or(1))
}
