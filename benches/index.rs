//! Indexing benchmark: how fast a generated export wiki is walked, read, parsed and indexed,
//! compared with merely reading the same files in the same run (the warm read floor).
//!
//! ```sh
//! cargo bench --bench index -- --pages 100000          # generates target/bench-wiki/md-100000 once
//! cargo bench --bench index -- --dir /path/to/wiki      # any existing wiki
//! cargo bench --bench index -- --pages 1000000 --index-only --rounds 1   # cold path alone
//! cargo bench --bench index -- --pages 1000000 --parse-only 256            # per-file work, one thread
//! ```
//!
//! Reports wall times, pages/s, MB/s, peak RSS (VmHWM) and the ratio of indexing to the read floor,
//! then runs `wikils check --format json` on the same tree (output discarded; `--no-check` skips it).

#![allow(clippy::print_stdout)] // A benchmark reports on stdout.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use wikils::cache::{self, CacheOptions, CacheUse, DiskRecords};
use wikils::config::Config;
use wikils::diagnostics;
use wikils::index::Index;
use wikils::vfs::{self, FileKind};
use wikils::workspace;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use common::{cpu_seconds, generated_wiki, peak_rss_mb, read_floor};

struct Options {
    pages: u32,
    dir: Option<PathBuf>,
    rounds: u32,
    check: bool,
    warm_only: bool,
    /// `--index-only`: the read floor, parsing and indexing alone (no cache, diagnostics or
    /// check), for comparing builds on the cold path.
    index_only: bool,
    /// `--parse-only MB`: the per-file work alone, on one thread, over a sample of the wiki held
    /// in memory (no disk, no thread pool): parsing, positions and the whole index update.
    parse_only: Option<usize>,
    /// `--only NAME`: with `--parse-only`, time only the measure whose name starts with NAME
    /// (`parse`, `positions`, `update`), e.g. under a profiler.
    only: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        pages: 100_000,
        dir: None,
        rounds: 3,
        check: true,
        warm_only: false,
        index_only: false,
        parse_only: None,
        only: None,
    };
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--pages" => {
                options.pages = arguments
                    .next()
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(options.pages)
            }
            "--dir" => options.dir = arguments.next().map(PathBuf::from),
            "--no-check" => options.check = false,
            "--warm-only" => options.warm_only = true,
            "--index-only" => options.index_only = true,
            "--parse-only" => {
                options.parse_only = Some(arguments.next().and_then(|value| value.parse().ok()).unwrap_or(256))
            }
            "--only" => options.only = arguments.next(),
            "--rounds" => options.rounds = arguments.next().and_then(|value| value.parse().ok()).unwrap_or(3),
            _ => {} // `cargo bench` passes `--bench`.
        }
    }
    options
}

fn best<T>(rounds: u32, mut run: impl FnMut() -> (Duration, T)) -> (Duration, T) {
    // Fastest of several rounds: the one least disturbed by the rest of the machine.
    let mut best = run();
    for _ in 1..rounds {
        let next = run();
        if next.0 < best.0 {
            best = next;
        }
    }
    best
}

struct CacheFigures {
    stat_floor: Duration,
    write: Duration,
    bytes: u64,
    warm: Duration,
    /// Resident memory just before the write, and the peak while it ran (MiB); `None` when the
    /// peak could not be reset before the write.
    write_rss: Option<(f64, f64)>,
    /// The process's peak before the write reset it (MiB).
    peak_before_write: f64,
}

/// Every document of a warm load came from the cache: nothing changed, added or removed.
fn assert_fully_used(used: &CacheUse) {
    assert!(
        matches!(
            used,
            CacheUse::Used {
                changed: 0,
                added: 0,
                removed: 0,
                ..
            }
        ),
        "the cache was not fully used: {used:?}"
    );
}

fn print_memory_estimate(index: &Index) {
    let estimate = index.memory_estimate();
    println!(
        "index heap estimate: {:.0} MiB (interned strings: {})",
        estimate.total() as f64 / 1048576.0,
        index.interner.len()
    );
    for (part, bytes) in &estimate.parts {
        println!("  {part:<26} {:>7.1} MiB", *bytes as f64 / 1048576.0);
    }
}

/// `--warm-only`: the stages of a warm start alone, from a cache kept beside the tree
/// (`<tree>.cache`, written by a cold load when missing or unreadable), so a faster warm start can
/// be measured again and again without indexing a million pages each time.
fn warm_only(root: &std::path::Path, config: &Config, rounds: u32) {
    let options = CacheOptions {
        locations: vec![root.with_extension("cache")],
        racy_window: cache::RACY_WINDOW,
    };
    let warm_cache_exists = options.locations[0].is_file();
    let load = || {
        let index = Index::new(workspace::index_settings(root, config));
        let records = Arc::new(DiskRecords::default());
        let started = Instant::now();
        let cpu = cpu_seconds();
        let names = std::sync::Mutex::new(None);
        let (_, used) = cache::load_root_staged(root, config, &index, &options, &records, &|_, _| {}, &|| {
            *names.lock().unwrap() = Some((started.elapsed(), cpu_seconds() - cpu, common::rss_mb()));
            if std::env::var_os("WIKILS_BENCH_EXIT_AT_NAMES").is_some() && warm_cache_exists {
                // For profiling the first stage alone.
                println!("names known after {:.3} s", started.elapsed().as_secs_f64());
                std::process::exit(0);
            }
        });
        let elapsed = started.elapsed();
        let names = names.into_inner().unwrap().unwrap_or_default();
        (elapsed, (names, index, records, used))
    };
    let (_, (_, index, records, used)) = load();
    if !matches!(used, CacheUse::Used { .. }) {
        eprintln!("writing {} ({used:?})", options.locations[0].display());
        cache::write_cache(
            &options,
            cache::settings_fingerprint(&index.settings, config),
            &index,
            &records,
        )
        .expect("cache written");
    }
    drop((index, records));
    for _ in 0..rounds {
        let (all, ((names, names_cpu, names_rss), index, records, used)) = load();
        assert_fully_used(&used);
        println!(
            "warm start: names known {:.3} s ({names_cpu:.2} CPU s, RSS {names_rss:.0} MiB), validated {:.3} s (RSS {:.0} MiB, peak {:.0} MiB), interned strings {}",
            names.as_secs_f64(),
            all.as_secs_f64(),
            common::rss_mb(),
            peak_rss_mb(),
            index.interner.len()
        );
        print_memory_estimate(&index);
        println!(
            "  {:<26} {:>7.1} MiB",
            "stamps (beside the index)",
            records.memory_estimate() as f64 / 1048576.0
        );
    }
}

/// `--parse-only`: reads an evenly spread sample of about `megabytes` of the wiki's regular files
/// into memory, then times on this thread alone, each the best of `rounds`:
/// - a baseline: one `memchr` pass counting line ends, the cheapest scan a parser could make;
/// - parsing (`syntax::parse`);
/// - the positions of every link's start and end (`text::positions_in_order`);
/// - the whole index update (`Index::set_disk_document_text`, links deferred and then added as
///   a bulk load does), into a fresh index that knows every name of the wiki. (A sample meets
///   fewer repeats of each link target than the whole wiki, so classification misses weigh more
///   here than in a full load.)
///
/// Each is reported as MB/s and as a ratio to the baseline, so builds compare across runs.
fn parse_only(root: &std::path::Path, config: &Config, megabytes: usize, rounds: u32, only: Option<&str>) {
    use wikils::syntax::{self, Flavor, ParseOptions};
    let (files, _) = vfs::walk(root, config);
    let regular: Vec<_> = files.iter().filter(|file| file.kind == FileKind::Regular).collect();
    let total_bytes: u64 = regular
        .iter()
        .map(|file| std::fs::metadata(file.absolute()).map_or(0, |m| m.len()))
        .sum();
    let wanted = (megabytes as u64) << 20;
    let stride = (total_bytes / wanted.max(1)).max(1) as usize;
    let sample: Vec<(&vfs::WalkedFile, String)> = regular
        .iter()
        .step_by(stride)
        .filter_map(|file| {
            let document = vfs::read_document(&file.absolute(), config.max_file_size).ok()?;
            Some((*file, document.text))
        })
        .collect();
    let bytes: usize = sample.iter().map(|(_, text)| text.len()).sum();
    let megabytes = bytes as f64 / 1e6;
    println!(
        "sample: {} of {} files (every {stride}th), {megabytes:.1} MB",
        sample.len(),
        regular.len()
    );
    let markdown = ParseOptions::new(Flavor::Markdown);
    let wikitext = ParseOptions::new(Flavor::Wikitext);
    let parse_options = |flavor| match flavor {
        Flavor::Markdown => &markdown,
        Flavor::Wikitext => &wikitext,
    };
    let measured = |name: &str| only.is_none_or(|only| name.starts_with(only));
    let timed = |name: &str, run: &mut dyn FnMut() -> usize| {
        if !measured(name) {
            return (Duration::ZERO, 0);
        }
        best(rounds, || {
            let started = Instant::now();
            let count = run();
            (started.elapsed(), count)
        })
    };
    let (baseline, lines) = timed("baseline", &mut || {
        sample
            .iter()
            .map(|(_, text)| memchr::memchr_iter(b'\n', text.as_bytes()).count())
            .sum()
    });
    let (parse, links) = timed("parse", &mut || {
        sample
            .iter()
            .map(|(file, text)| syntax::parse(text, parse_options(file.flavor)).links.len())
            .sum()
    });
    // Each link's start and end, as facts building asks for them.
    let offsets: Vec<Vec<u32>> = sample
        .iter()
        .filter(|_| measured("positions"))
        .map(|(file, text)| {
            syntax::parse(text, parse_options(file.flavor))
                .links
                .iter()
                .flat_map(|link| [link.span.start, link.span.end])
                .collect()
        })
        .collect();
    let (positions, _) = timed("positions", &mut || {
        sample
            .iter()
            .zip(&offsets)
            .map(|((_, text), offsets)| wikils::text::positions_in_order(text, offsets).len())
            .sum()
    });
    // A fresh index for each round, as a cold load starts: every name known, no document read.
    let (update, _) = if !measured("update") {
        (Duration::ZERO, 0)
    } else {
        best(rounds, || {
            let index = Index::new(workspace::index_settings(root, config));
            workspace::add_names(&index, &files);
            let started = Instant::now();
            index.deferring_links(|| {
                for (file, text) in &sample {
                    index.set_disk_document_text(&file.relative, file.flavor, text);
                }
            });
            index.add_deferred_links();
            // Taken before the index is dropped: freeing a million documents is not the update.
            (started.elapsed(), 0)
        })
    };
    println!("{lines} lines, {links} links");
    for (name, elapsed) in [
        ("baseline (memchr line ends)", baseline),
        ("parse", parse),
        ("positions (of link ends)", positions),
        ("index update", update),
    ] {
        println!(
            "{name:<28} {:>8.3} s {:>8.0} MB/s  {:>6.2}× baseline",
            elapsed.as_secs_f64(),
            megabytes / elapsed.as_secs_f64(),
            elapsed.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}

/// Writes a cache of the wiki to a temporary folder, then loads through it (every file
/// unchanged, so every document comes from the cache).
fn measure_cache(root: &std::path::Path, config: &Config, rounds: u32) -> CacheFigures {
    let folder = tempfile::tempdir().expect("temp dir");
    let options = CacheOptions {
        locations: vec![folder.path().join("index.bin")],
        racy_window: cache::RACY_WINDOW,
    };
    let load = || {
        let index = Index::new(workspace::index_settings(root, config));
        let records = Arc::new(DiskRecords::default());
        let started = Instant::now();
        let (_, used) = cache::load_root_into(root, config, &index, &options, &records, &|_, _| {});
        (started.elapsed(), (index, records, used))
    };
    let (_, (index, records, _)) = load();
    let peak_before_write = peak_rss_mb();
    let rss_before_write = common::rss_mb();
    let reset = common::reset_peak_rss("self");
    let started = Instant::now();
    let written = cache::write_cache(
        &options,
        cache::settings_fingerprint(&index.settings, config),
        &index,
        &records,
    )
    .expect("cache written");
    let write = started.elapsed();
    let write_rss = reset.then(|| (rss_before_write, peak_rss_mb()));
    drop((index, records));
    let (warm, (index, _, used)) = best(rounds, load);
    assert_fully_used(&used);
    drop(index);
    let (stat_floor, ()) = best(rounds, || {
        let started = Instant::now();
        let (files, _) = vfs::walk(root, config);
        let stamped = files
            .par_iter()
            .filter(|file| cache::FileStamp::of_path(&file.absolute()).is_some())
            .count();
        std::hint::black_box(stamped);
        (started.elapsed(), ())
    });
    CacheFigures {
        stat_floor,
        write,
        bytes: written.bytes,
        warm,
        write_rss,
        peak_before_write,
    }
}

fn main() {
    let options = options();
    let root = options.dir.clone().unwrap_or_else(|| generated_wiki(options.pages));
    let config = Config::load(&root).expect("wikils.toml");
    if let Some(megabytes) = options.parse_only {
        parse_only(&root, &config, megabytes, options.rounds, options.only.as_deref());
        return;
    }
    if !options.warm_only || std::env::var_os("WIKILS_BENCH_EXIT_AT_NAMES").is_none() {
        read_floor(&root, &config); // warm the page cache
    }
    if options.warm_only {
        warm_only(&root, &config, options.rounds);
        return;
    }

    let (floor, (bytes, files, floor_cpu)) = best(options.rounds, || {
        let cpu = cpu_seconds();
        let (elapsed, bytes, files) = read_floor(&root, &config);
        (elapsed, (bytes, files, cpu_seconds() - cpu))
    });
    let (parse_time, parse_cpu) = best(options.rounds, || {
        let cpu = cpu_seconds();
        let started = Instant::now();
        let (files, _) = vfs::walk(&root, &config);
        let markdown = wikils::syntax::ParseOptions::new(wikils::syntax::Flavor::Markdown);
        let links: usize = files
            .par_iter()
            .filter(|file| file.kind == FileKind::Regular)
            .filter_map(|file| vfs::read_document(&file.absolute(), config.max_file_size).ok())
            .map(|document| wikils::syntax::parse(&document.text, &markdown).links.len())
            .sum();
        std::hint::black_box(links);
        (started.elapsed(), cpu_seconds() - cpu)
    });
    let (index_time, (links, index_cpu)) = best(options.rounds, || {
        let cpu = cpu_seconds();
        let started = Instant::now();
        let loaded = workspace::load_root(&root, config.clone(), &|_, _| {});
        let elapsed = started.elapsed();
        let cpu = cpu_seconds() - cpu;
        let links: usize = loaded
            .index
            .documents()
            .iter()
            .map(|document| document.facts.links.len())
            .sum();
        (elapsed, (links, cpu))
    });
    if options.index_only {
        let megabytes = bytes as f64 / 1e6;
        println!(
            "wiki: {} ({files} files, {megabytes:.1} MB, {links} links)",
            root.display()
        );
        println!(
            "read floor {:.3} s ({floor_cpu:.2} CPU s), parse {:.3} s ({parse_cpu:.2} CPU s, {:.2}× floor), index {:.3} s ({index_cpu:.2} CPU s, {:.2}× floor), peak RSS {:.0} MiB",
            floor.as_secs_f64(),
            parse_time.as_secs_f64(),
            parse_time.as_secs_f64() / floor.as_secs_f64(),
            index_time.as_secs_f64(),
            index_time.as_secs_f64() / floor.as_secs_f64(),
            peak_rss_mb()
        );
        return;
    }
    let cache = measure_cache(&root, &config, options.rounds);
    let loaded = workspace::load_root(&root, config.clone(), &|_, _| {});
    let rss_after_load = common::rss_mb();
    let peak_after_load = peak_rss_mb();
    let started = Instant::now();
    let diagnostics_cpu = cpu_seconds();
    let documents = loaded.index.documents();
    let findings: usize = documents
        .par_iter()
        .map(|document| diagnostics::document_findings(&loaded.index, document, &loaded.config).len())
        .sum();
    let diagnostics_time = started.elapsed();
    let diagnostics_cpu = cpu_seconds() - diagnostics_cpu;
    // The cache write reset the peak; what came before it counts too.
    let peak = peak_rss_mb().max(cache.peak_before_write);
    let peak_after_load = peak_after_load.max(cache.peak_before_write);
    print_memory_estimate(&loaded.index);

    let megabytes = bytes as f64 / 1e6;
    println!(
        "wiki: {} ({files} files, {megabytes:.1} MB, {links} links)",
        root.display()
    );
    println!("threads: {}", rayon::current_num_threads());
    println!(
        "read floor (walk + read, warm):  {:>8.3} s  {:>8.0} MB/s",
        floor.as_secs_f64(),
        megabytes / floor.as_secs_f64()
    );
    println!(
        "parse only (walk + read + parse): {:>7.3} s  {:>8.0} MB/s  ratio to floor {:.2}×",
        parse_time.as_secs_f64(),
        megabytes / parse_time.as_secs_f64(),
        parse_time.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "index (walk + read + parse + index):     {:>8.3} s  {:>8.0} MB/s  {:>9.0} files/s  ratio to floor {:.2}×",
        index_time.as_secs_f64(),
        megabytes / index_time.as_secs_f64(),
        files as f64 / index_time.as_secs_f64(),
        index_time.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "walk + stat (what validating a cache costs): {:>6.3} s  ratio to floor {:.2}×",
        cache.stat_floor.as_secs_f64(),
        cache.stat_floor.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "cache write (background in the server):      {:>6.3} s  {:.1} MB on disk",
        cache.write.as_secs_f64(),
        cache.bytes as f64 / 1e6
    );
    match cache.write_rss {
        Some((before, peak)) => println!(
            "cache write memory: RSS before {before:.0} MiB, peak during {peak:.0} MiB (+{:.0} MiB)",
            peak - before
        ),
        None => println!("cache write memory: not measured (the kernel refused to reset VmHWM)"),
    }
    println!(
        "load from cache (walk + stat + decode + index): {:>4.3} s  ratio to floor {:.2}×  {:.1}× faster than indexing",
        cache.warm.as_secs_f64(),
        cache.warm.as_secs_f64() / floor.as_secs_f64(),
        index_time.as_secs_f64() / cache.warm.as_secs_f64()
    );
    println!(
        "diagnostics (all documents):     {:>8.3} s  {findings} findings",
        diagnostics_time.as_secs_f64()
    );
    println!(
        "check total (index + diagnostics): {:.3} s, ratio to floor {:.2}×",
        (index_time + diagnostics_time).as_secs_f64(),
        (index_time + diagnostics_time).as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "CPU seconds: read floor {floor_cpu:.2}, parse only {parse_cpu:.2}, index {index_cpu:.2} ({:.2}× floor), diagnostics {diagnostics_cpu:.2}",
        index_cpu / floor_cpu.max(0.01)
    );
    println!("peak RSS (VmHWM): {peak:.0} MiB; after indexing: {rss_after_load:.0} MiB (peak so far {peak_after_load:.0} MiB)");
    drop(documents);
    drop(loaded);
    if options.check {
        let (wall, cpu, peak) = run_check(&root);
        println!(
            "wikils check --format json > /dev/null: {:.3} s wall ({:.2}× floor), {cpu:.2} CPU s, peak RSS {peak:.0} MiB",
            wall.as_secs_f64(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
    }
}

/// Runs the real `wikils check --format json` on the tree, its report thrown away: wall time,
/// CPU seconds and peak RSS (VmHWM, sampled every 20 ms while it runs).
fn run_check(root: &std::path::Path) -> (Duration, f64, f64) {
    let cpu = common::children_cpu_seconds();
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wikils"))
        .args(["check", "--format", "json", "--no-progress"])
        .arg(root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("wikils check starts");
    let process = child.id().to_string();
    let mut peak: f64 = 0.0;
    while child.try_wait().ok().flatten().is_none() {
        peak = peak.max(common::status_mb(&process, "VmHWM:"));
        std::thread::sleep(Duration::from_millis(20));
    }
    (started.elapsed(), common::children_cpu_seconds() - cpu, peak)
}
