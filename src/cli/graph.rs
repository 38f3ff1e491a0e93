//! `wikils graph`: the link graph of a wiki as a report: most-linked articles, orphans, dead ends.
//!
//! The counts are [`crate::graph`]'s, the ones `check --orphans` and the editor's backlinks lens
//! use. Paths in the report are relative to the root.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::exit;
use crate::config::Config;
use crate::graph::{self, LinkGraph, PageLinks};
use crate::index::{Document, Index};
use crate::workspace;

/// Version of `wikils graph --format json`; bumped on any incompatible change.
pub const GRAPH_JSON_SCHEMA_VERSION: u32 = 1;

#[derive(clap::Args, Debug, Clone)]
pub struct GraphArgs {
    /// The workspace folder (default: the current folder).
    pub path: Option<PathBuf>,
    /// How many of the most-linked articles to list.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Table)]
    pub format: GraphFormat,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON document (schema in the README).
    Json,
}

#[derive(Serialize, Debug)]
struct GraphReport {
    version: u32,
    root: String,
    totals: Totals,
    most_linked: Vec<LinkedPage>,
    orphans: Vec<PageName>,
    dead_ends: Vec<PageName>,
}

#[derive(Serialize, Debug, Default)]
struct Totals {
    documents: usize,
    articles: usize,
    redirects: usize,
    /// Page links that resolve to another page.
    links: u64,
    orphans: usize,
    dead_ends: usize,
}

#[derive(Serialize, Debug)]
struct LinkedPage {
    path: String,
    title: String,
    linking_pages: u32,
    links: u32,
}

#[derive(Serialize, Debug)]
struct PageName {
    path: String,
    title: String,
}

pub fn run(args: &GraphArgs) -> u8 {
    let started = Instant::now();
    let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    if !root.is_dir() {
        let _ = writeln!(std::io::stderr(), "error: {}: not a folder", root.display());
        return exit::FAILURE;
    }
    let config = match Config::load(&root) {
        Ok(config) => config,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            return exit::FAILURE;
        }
    };
    let loaded = workspace::load_root(&root, config, &|_, _| {});
    for skipped in &loaded.skipped {
        let _ = writeln!(
            std::io::stderr(),
            "warning: skipped {}: {}",
            skipped.path,
            skipped.reason
        );
    }
    let indexed = started.elapsed();
    let graph = LinkGraph::build(&loaded.index);
    let graph_time = started.elapsed() - indexed;
    let report = report(
        &loaded.index,
        &graph,
        root.to_string_lossy().replace('\\', "/"),
        args.top,
    );
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        GraphFormat::Table => write_table(&mut out, &report),
        GraphFormat::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
    }
    .and_then(|()| out.flush());
    let _ = writeln!(
        std::io::stderr(),
        "indexed {} files in {:.2}s, link graph in {:.2}s",
        report.totals.documents,
        indexed.as_secs_f64(),
        graph_time.as_secs_f64()
    );
    match written {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(std::io::stderr(), "error: cannot write output: {error}");
            exit::FAILURE
        }
        _ => exit::CLEAN,
    }
}

fn report(index: &Index, graph: &LinkGraph, root: String, top: usize) -> GraphReport {
    let mut totals = Totals::default();
    let mut linked: Vec<(&Document, PageLinks)> = Vec::new();
    let mut orphans = Vec::new();
    let mut dead_ends = Vec::new();
    for (document, links) in graph.pages() {
        totals.documents += 1;
        totals.links += u64::from(links.inbound_links);
        if document.is_redirect() {
            totals.redirects += 1;
        }
        if !graph::is_article(index, document) {
            continue;
        }
        totals.articles += 1;
        if graph::is_orphan(index, document, links) {
            orphans.push(page_name(index, document));
        } else {
            linked.push((document, links));
        }
        if graph::is_dead_end(index, document, links) {
            dead_ends.push(page_name(index, document));
        }
    }
    totals.orphans = orphans.len();
    totals.dead_ends = dead_ends.len();
    linked.sort_by(|(a, a_links), (b, b_links)| {
        (b_links.linking_pages, b_links.inbound_links)
            .cmp(&(a_links.linking_pages, a_links.inbound_links))
            .then_with(|| a.path.cmp(&b.path))
    });
    let most_linked = linked
        .into_iter()
        .take(top)
        .map(|(document, links)| {
            let name = page_name(index, document);
            LinkedPage {
                path: name.path,
                title: name.title,
                linking_pages: links.linking_pages,
                links: links.inbound_links,
            }
        })
        .collect();
    GraphReport {
        version: GRAPH_JSON_SCHEMA_VERSION,
        root,
        totals,
        most_linked,
        orphans,
        dead_ends,
    }
}

fn page_name(index: &Index, document: &Document) -> PageName {
    PageName {
        path: document.path.to_string(),
        title: document
            .title
            .map(|title| index.resolve_symbol(title).to_string())
            .unwrap_or_default(),
    }
}

/// `text` followed by spaces up to `width` terminal columns (CJK characters take two).
fn pad(text: &str, width: usize) -> String {
    let mut padded = text.to_string();
    padded.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
    padded
}

fn write_table(out: &mut dyn Write, report: &GraphReport) -> std::io::Result<()> {
    let totals = &report.totals;
    writeln!(
        out,
        "{} documents: {} articles, {} redirects; {} resolved links; {} orphans, {} dead ends",
        totals.documents, totals.articles, totals.redirects, totals.links, totals.orphans, totals.dead_ends
    )?;
    writeln!(out)?;
    writeln!(out, "Most linked ({} shown)", report.most_linked.len())?;
    let title_width = report
        .most_linked
        .iter()
        .map(|page| page.title.width())
        .chain(std::iter::once("Title".len()))
        .max()
        .unwrap_or(0);
    writeln!(out, "  Pages  Links  {}  Path", pad("Title", title_width))?;
    for page in &report.most_linked {
        writeln!(
            out,
            "  {:>5}  {:>5}  {}  {}",
            page.linking_pages,
            page.links,
            pad(&page.title, title_width),
            page.path
        )?;
    }
    for (heading, pages) in [
        ("Orphans: articles no other page links to", &report.orphans),
        ("Dead ends: articles that link to no other page", &report.dead_ends),
    ] {
        writeln!(out)?;
        writeln!(out, "{heading} ({})", pages.len())?;
        let title_width = pages.iter().map(|page| page.title.width()).max().unwrap_or(0);
        for page in pages.iter() {
            writeln!(out, "  {}  {}", pad(&page.title, title_width), page.path)?;
        }
    }
    Ok(())
}
