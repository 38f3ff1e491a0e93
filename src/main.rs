//! The `wikils` command: `wikils check` for CI, and the language server (`wikils`, `wikils lsp [--stdio]`).

use std::process::ExitCode;

// mimalloc: indexing makes millions of small allocations from all cores; glibc's allocator spent
// a fifth of `check`'s time growing and zeroing its heap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    wikils::cli::main(serve)
}

fn serve() -> ExitCode {
    ExitCode::from(u8::try_from(wikils::lsp::run_stdio()).unwrap_or(1))
}
