//! The `wikils` command: for now only the language server (`wikils`, `wikils lsp [--stdio]`).

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    match arguments.as_slice() {
        [] | ["lsp"] | ["lsp", "--stdio"] => std::process::exit(wikils::lsp::run_stdio()),
        _ => {
            eprintln!("usage: wikils [lsp [--stdio]]");
            std::process::exit(2);
        }
    }
}
