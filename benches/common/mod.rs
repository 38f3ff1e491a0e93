//! What both benchmarks share: the generated wiki they run on, the read floor they are compared
//! with, and the process's own CPU time and peak memory.
#![allow(dead_code)] // Each benchmark uses a different part.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use wikils::config::Config;
use wikils::vfs::{self, FileKind};

/// The generated 100k-style wiki of `pages` pages under `target/bench-wiki`, made once with
/// `gen_wiki.py` (seed 1) and reused.
pub fn generated_wiki(pages: u32) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-wiki/md-{pages}"));
    if root.join("_truth.json").is_file() {
        return root;
    }
    let generator = std::env::var_os("WIKILS_GEN_WIKI")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/gen_wiki.py"));
    eprintln!("generating {pages} pages into {} …", root.display());
    let status = Command::new("python3")
        .arg(generator)
        .args(["--pages", &pages.to_string(), "--seed", "1", "--force", "--out"])
        .arg(&root)
        .status()
        .expect("python3 runs gen_wiki.py");
    assert!(status.success(), "gen_wiki.py failed");
    root
}

/// CPU seconds (user + system) this process has used: less disturbed than wall time when other
/// work shares the machine.
pub fn cpu_seconds() -> f64 {
    // Fields 14 and 15 of stat (utime, stime).
    stat_seconds(11)
}

/// CPU seconds (user + system) of this process's children that have been waited for.
pub fn children_cpu_seconds() -> f64 {
    // Fields 16 and 17 of stat (cutime, cstime).
    stat_seconds(13)
}

/// The sum of two adjacent tick fields of `/proc/self/stat`, in seconds; `first` counts from the
/// state field (index 0), after the command name, which may contain spaces.
fn stat_seconds(first: usize) -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|value| value.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(first) + ticks(first + 1)) / 100.0
}

/// The process's peak resident memory (VmHWM), MiB.
pub fn peak_rss_mb() -> f64 {
    status_mb("self", "VmHWM:")
}

/// The process's resident memory now (VmRSS), MiB.
pub fn rss_mb() -> f64 {
    status_mb("self", "VmRSS:")
}

/// Resets the peak resident memory (VmHWM) of `process` (`self` or a pid) to what it holds now
/// (`5` to `clear_refs`, Linux 4.0+), so a later VmHWM is the peak of what ran in between. False
/// when the kernel refused.
pub fn reset_peak_rss(process: &str) -> bool {
    std::fs::write(format!("/proc/{process}/clear_refs"), "5").is_ok()
}

/// A field of `/proc/<process>/status` given in kB, in MiB (0 once the process is gone).
pub fn status_mb(process: &str, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kilobytes| kilobytes / 1024.0)
}

/// Walks and reads every wiki file with the same walker and thread pool as indexing, keeping
/// nothing: the floor any indexer has to pay.
pub fn read_floor(root: &Path, config: &Config) -> (Duration, u64, usize) {
    let started = Instant::now();
    let (files, _) = vfs::walk(root, config);
    let bytes: u64 = files
        .par_iter()
        .filter(|file| file.kind == FileKind::Regular)
        .map(|file| {
            std::fs::read(file.absolute())
                .map(|bytes| bytes.len() as u64)
                .unwrap_or(0)
        })
        .sum();
    (started.elapsed(), bytes, files.len())
}
