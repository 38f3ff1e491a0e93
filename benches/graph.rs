//! Link graph benchmark: building the whole graph (`wikils graph`, `check --orphans`) and the
//! backlinks of single pages (the editor's code lens), against the diagnostics pass over the
//! same index in the same run, which also resolves every link once.
//!
//! ```sh
//! cargo bench --bench graph -- --pages 100000     # generates target/bench-wiki/md-100000 once
//! cargo bench --bench graph -- --dir /path/to/wiki
//! ```

#![allow(clippy::print_stdout)] // A benchmark reports on stdout.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use wikils::config::Config;
use wikils::diagnostics;
use wikils::graph::{self, LinkGraph};
use wikils::workspace;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use common::{cpu_seconds, generated_wiki};

fn main() {
    let mut pages = 100_000;
    let mut dir = None;
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--pages" => pages = arguments.next().and_then(|value| value.parse().ok()).unwrap_or(pages),
            "--dir" => dir = arguments.next().map(PathBuf::from),
            _ => {} // `cargo bench` passes `--bench`.
        }
    }
    let root = dir.unwrap_or_else(|| generated_wiki(pages));
    let config = Config::load(&root).unwrap_or_default();
    let started = Instant::now();
    let loaded = workspace::load_root(&root, config, &|_, _| {});
    let index_time = started.elapsed();

    let measure = |run: &dyn Fn() -> usize| -> (Duration, f64, usize) {
        let cpu = cpu_seconds();
        let started = Instant::now();
        let result = run();
        (started.elapsed(), cpu_seconds() - cpu, result)
    };
    let (diagnostics_time, diagnostics_cpu, findings) = measure(&|| {
        loaded
            .index
            .documents()
            .par_iter()
            .map(|document| diagnostics::document_findings(&loaded.index, document, &loaded.config).len())
            .sum()
    });
    let (graph_time, graph_cpu, orphans) = measure(&|| {
        let graph = LinkGraph::build(&loaded.index);
        graph
            .pages()
            .filter(|&(document, links)| graph::is_orphan(&loaded.index, document, links))
            .count()
    });
    let graph = LinkGraph::build(&loaded.index);
    let mut by_backlinks: Vec<_> = graph.pages().filter(|(_, links)| links.linking_pages > 0).collect();
    by_backlinks.sort_by_key(|(_, links)| std::cmp::Reverse(links.linking_pages));
    println!(
        "wiki: {} ({} documents), indexed in {:.2} s, threads: {}",
        root.display(),
        loaded.index.document_count(),
        index_time.as_secs_f64(),
        rayon::current_num_threads()
    );
    println!(
        "diagnostics (baseline): {:>7.3} s wall {:>7.2} s CPU  {findings} findings",
        diagnostics_time.as_secs_f64(),
        diagnostics_cpu
    );
    println!(
        "link graph:             {:>7.3} s wall {:>7.2} s CPU  {orphans} orphans  ratio to baseline {:.2}× wall, {:.2}× CPU",
        graph_time.as_secs_f64(),
        graph_cpu,
        graph_time.as_secs_f64() / diagnostics_time.as_secs_f64().max(1e-9),
        graph_cpu / diagnostics_cpu.max(1e-9)
    );
    for (label, position) in [("most linked", 0), ("median linked", by_backlinks.len() / 2)] {
        let Some(&(document, links)) = by_backlinks.get(position) else {
            continue;
        };
        let rounds = 5;
        let started = Instant::now();
        let mut counted = 0;
        for _ in 0..rounds {
            counted = graph::page_backlinks(&loaded.index, document).documents.len();
        }
        let each = started.elapsed() / rounds;
        println!(
            "one page's backlinks ({label}, {}): {:>9.3} ms, {counted} linking pages (graph: {})",
            document.path,
            each.as_secs_f64() * 1e3,
            links.linking_pages
        );
    }
}
