//! `wikils check`: index the given roots, run every rule, print the findings, set the exit code.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::output::{Stream, Summary};
use super::{exit, CheckArgs, Deny};
use crate::config::Config;
use crate::diagnostics::{self, Code, Severity};
use crate::graph::LinkGraph;
use crate::index::Document;
use crate::vfs::Skipped;
use crate::workspace;

/// One root to load, and which of its files to report (all when `only` is empty).
struct Target {
    root: PathBuf,
    /// How the root was named on the command line; output paths start with it.
    display_root: String,
    only: Vec<String>,
}

/// Documents whose findings are computed (in parallel) before they are written; a few chunks'
/// findings are all `check` holds at once. `WIKILS_CHECK_CHUNK` overrides it (tests use tiny
/// chunks to cross many chunk boundaries).
const CHUNK_DOCUMENTS: usize = 2048;

fn chunk_documents() -> usize {
    std::env::var("WIKILS_CHECK_CHUNK")
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
        .filter(|&chunk| chunk > 0)
        .unwrap_or(CHUNK_DOCUMENTS)
}

pub fn run(args: &CheckArgs) -> u8 {
    let started = Instant::now();
    let targets = match targets(&args.paths) {
        Ok(targets) => targets,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            return exit::FAILURE;
        }
    };
    // Every configuration is read before anything is written: a bad one fails the run with an
    // empty stdout, not a report cut short.
    let mut configs = Vec::with_capacity(targets.len());
    for target in &targets {
        match Config::load(&target.root) {
            Ok(mut config) => {
                if args.orphans {
                    config.enable(Code::OrphanPage);
                }
                configs.push(config);
            }
            Err(error) => {
                let _ = writeln!(std::io::stderr(), "error: {error}");
                return exit::FAILURE;
            }
        }
    }
    let show_progress = !args.no_progress && std::io::stderr().is_terminal();
    let color = args.format == super::Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut stream = Stream::new(args.format, color);
    let mut summary = Summary::default();
    let mut skipped = Vec::new();
    let mut repaired = Vec::new();
    let mut written = stream.begin(&mut out);
    // Set when the reader of stdout hangs up (`wikils check | head`).
    let output_closed = AtomicBool::new(false);
    for (target, config) in targets.iter().zip(configs) {
        if written.is_err() {
            break;
        }
        let last_drawn = AtomicU64::new(0);
        let progress = |done: usize, total: usize| {
            if !show_progress {
                return;
            }
            let elapsed = started.elapsed().as_millis() as u64;
            let previous = last_drawn.load(Ordering::Relaxed);
            if (done == total || elapsed >= previous + 100)
                && last_drawn
                    .compare_exchange(previous, elapsed, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                let _ = write!(std::io::stderr(), "\rIndexing {done} / {total} files");
            }
        };
        let loaded = workspace::load_root(&target.root, config, &progress);
        if show_progress {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
        let display = |relative: &str| join_display(&target.display_root, relative);
        skipped.extend(loaded.skipped.iter().map(|skipped| Skipped {
            path: display(&skipped.path),
            reason: skipped.reason.clone(),
        }));
        repaired.extend(loaded.warnings.iter().map(|warning| Skipped {
            path: display(&warning.path),
            reason: warning.reason.clone(),
        }));
        let mut documents = loaded.index.documents();
        if !target.only.is_empty() {
            documents.retain(|document| target.only.iter().any(|only| only.as_str() == &*document.path));
        }
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        summary.files += documents.len();
        summary.links += documents
            .iter()
            .map(|document| document.facts.links.len())
            .sum::<usize>();
        summary.bytes += loaded.bytes_read;
        // The whole graph only when a rule needs it: it resolves every link once more.
        let graph = loaded
            .config
            .severity(Code::OrphanPage)
            .is_some()
            .then(|| LinkGraph::build(&loaded.index));
        let renderer = stream.renderer();
        let output_closed = &output_closed;
        let check = |document: &Document| -> io::Result<Checked> {
            let mut findings = diagnostics::document_findings(&loaded.index, document, &loaded.config);
            let links = graph.as_ref().and_then(|graph| graph.links_of(&document.path));
            if let Some(orphan) =
                links.and_then(|links| diagnostics::orphan_finding(&loaded.index, document, links, &loaded.config))
            {
                findings.push(orphan);
                findings.sort_by_key(|finding| (finding.span.start, finding.span.end, finding.code));
            }
            let mut counts = Summary::default();
            for finding in &findings {
                counts.count(finding.severity);
            }
            // Once the reader has gone, findings are only counted: the exit code still speaks
            // for the whole check, so `wikils check | head` in CI never turns a failure green.
            let rendered = if output_closed.load(Ordering::Relaxed) {
                Vec::new()
            } else {
                renderer.render(&display(&document.path), &loaded.root.join(&*document.path), &findings)?
            };
            Ok(Checked { rendered, counts })
        };
        written = in_order(&documents, chunk_documents(), check, |checked| {
            summary.add_counts(&checked.counts);
            if output_closed.load(Ordering::Relaxed) {
                return Ok(());
            }
            match stream.write_document(&mut out, &checked.rendered) {
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                    output_closed.store(true, Ordering::Relaxed);
                    Ok(())
                }
                other => other,
            }
        });
    }
    summary.seconds = started.elapsed().as_secs_f64();
    let written = written
        .and_then(|()| stream.finish(&mut out, &skipped, &repaired, &summary))
        .and_then(|()| out.flush());
    let closed_early = output_closed.load(Ordering::Relaxed)
        || matches!(&written, Err(error) if error.kind() == io::ErrorKind::BrokenPipe);
    for skipped in &skipped {
        let _ = writeln!(
            std::io::stderr(),
            "warning: skipped {}: {}",
            skipped.path,
            skipped.reason
        );
    }
    for repaired in &repaired {
        let _ = writeln!(std::io::stderr(), "warning: {}: {}", repaired.path, repaired.reason);
    }
    // The counts cover every document, even after the reader hung up.
    if args.format != super::Format::Human {
        let _ = writeln!(std::io::stderr(), "{}", summary_line(&summary));
    }
    if let Err(error) = written {
        if !closed_early {
            let _ = writeln!(std::io::stderr(), "error: cannot write output: {error}");
            return exit::FAILURE;
        }
    }
    let failed = summary.errors > 0 || (args.deny.contains(&Deny::Warnings) && summary.warnings > 0);
    if failed {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// One document checked: its output and what it counted.
struct Checked {
    rendered: Vec<u8>,
    counts: Summary,
}

/// Runs `check` on every document in parallel, a chunk at a time, and hands the results to
/// `write` in the documents' order. The next chunk is checked while one is being written, so at
/// most three chunks' results exist at once. Stops at the first error, from either side.
fn in_order<T: Send>(
    documents: &[Arc<Document>],
    chunk: usize,
    check: impl Fn(&Document) -> io::Result<T> + Sync,
    mut write: impl FnMut(T) -> io::Result<()>,
) -> io::Result<()> {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<io::Result<Vec<T>>>(1);
        let check = &check;
        scope.spawn(move || {
            for documents in documents.chunks(chunk) {
                let checked = documents.par_iter().map(|document| check(document)).collect();
                // The writer hung up (an error): stop checking.
                if sender.send(checked).is_err() {
                    break;
                }
            }
        });
        for checked in receiver {
            for result in checked? {
                write(result)?;
            }
        }
        Ok(())
    })
}

pub fn summary_line(summary: &Summary) -> String {
    format!(
        "checked {} files, {} links in {:.2}s: {} errors, {} warnings, {} infos, {} hints",
        summary.files, summary.links, summary.seconds, summary.errors, summary.warnings, summary.infos, summary.hints
    )
}

impl Summary {
    fn add_counts(&mut self, counts: &Summary) {
        self.errors += counts.errors;
        self.warnings += counts.warnings;
        self.infos += counts.infos;
        self.hints += counts.hints;
    }

    fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Information => self.infos += 1,
            Severity::Hint => self.hints += 1,
        }
    }
}

/// Groups the command-line paths by workspace root.
fn targets(paths: &[PathBuf]) -> Result<Vec<Target>, String> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut targets: Vec<Target> = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| format!("{}: {error}", path.display()))?;
        if metadata.is_dir() {
            targets.push(Target {
                root: path.clone(),
                display_root: display_prefix(path),
                only: Vec::new(),
            });
            continue;
        }
        // The folder is made absolute, not the file: a symlinked page must stay itself.
        let file_name = path
            .file_name()
            .ok_or_else(|| format!("{}: not a file name", path.display()))?;
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let folder = std::fs::canonicalize(&folder).map_err(|error| format!("{}: {error}", folder.display()))?;
        let absolute = folder.join(file_name);
        let root = workspace::find_root(&absolute);
        let relative = crate::vfs::relative_path(&root, &absolute);
        let display_root = std::env::current_dir()
            .ok()
            .and_then(|current| std::fs::canonicalize(current).ok())
            .and_then(|current| root.strip_prefix(&current).ok().map(display_prefix))
            .unwrap_or_else(|| display_prefix(&root));
        match targets
            .iter_mut()
            .find(|target| target.root == root && !target.only.is_empty())
        {
            Some(target) => target.only.push(relative),
            None => targets.push(Target {
                display_root,
                root,
                only: vec![relative],
            }),
        }
    }
    Ok(targets)
}

fn display_prefix(root: &Path) -> String {
    let text = root.to_string_lossy().replace('\\', "/");
    let trimmed = text.trim_end_matches('/');
    if trimmed == "." || trimmed.is_empty() {
        String::new()
    } else {
        trimmed.strip_prefix("./").unwrap_or(trimmed).to_string()
    }
}

fn join_display(prefix: &str, relative: &str) -> String {
    if prefix.is_empty() {
        relative.to_string()
    } else {
        format!("{prefix}/{relative}")
    }
}
