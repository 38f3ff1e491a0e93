//! The only code that reads the workspace from disk: walking roots and reading files, with a clear
//! reason for every file that is skipped.
//!
//! Nothing here writes. Symlinks are never followed while walking (an export's `Redirect/` folder
//! is made of them, and loops must not hang the walk); their targets are read as text instead.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::syntax::Flavor;

/// Folders that never hold pages.
const SKIPPED_FOLDERS: [&str; 4] = [".git", ".wikils", "node_modules", ".hg"];

/// Bytes looked at to decide that a file is binary.
const BINARY_SNIFF_LENGTH: usize = 8192;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    Regular,
    /// A symlink, with its target as written (`../Page/X.md`), `/`-separated.
    Symlink(Result<String, String>),
}

#[derive(Clone, Debug)]
pub struct WalkedFile {
    /// Root-relative, `/`-separated.
    pub relative: String,
    /// The root, shared by every file of a walk: a file's full path is built when it is read,
    /// so a walk of 1.1M files does not hold 1.1M full paths (~90 MB) for the whole load.
    root: Arc<Path>,
    /// The full path where `root` joined with `relative` is not it (a name that is not UTF-8,
    /// which `relative` spells lossily).
    unusual: Option<Box<Path>>,
    pub flavor: Flavor,
    pub kind: FileKind,
}

impl WalkedFile {
    fn new(root: &Arc<Path>, absolute: &Path, relative: String, flavor: Flavor, kind: FileKind) -> WalkedFile {
        // Compared by components, without building the joined path.
        let unusual = (absolute.strip_prefix(root) != Ok(Path::new(&relative))).then(|| absolute.into());
        WalkedFile {
            relative,
            root: Arc::clone(root),
            unusual,
            flavor,
            kind,
        }
    }

    /// The file's full path.
    pub fn absolute(&self) -> PathBuf {
        match &self.unusual {
            Some(absolute) => absolute.to_path_buf(),
            None => self.root.join(&self.relative),
        }
    }
}

/// A path left out of the index, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Walks a root in parallel, honouring `.gitignore` and the configuration's include/exclude
/// patterns. Files come back sorted by path, so every run sees the same order.
pub fn walk(root: &Path, config: &Config) -> (Vec<WalkedFile>, Vec<Skipped>) {
    let include = build_globs(&config.include);
    let exclude = build_globs(&config.exclude);
    let files = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    let shared_root: Arc<Path> = Arc::from(root);
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(false)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            !(entry.depth() > 0
                && entry.file_type().is_some_and(|kind| kind.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| SKIPPED_FOLDERS.contains(&name)))
        })
        .build_parallel();
    walker.run(|| {
        let files = &files;
        let skipped = &skipped;
        let include = &include;
        let exclude = &exclude;
        let shared_root = &shared_root;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let path = error_path(&error)
                        .map(|path| relative_path(root, &path))
                        .unwrap_or_default();
                    lock(skipped).push(Skipped {
                        path,
                        reason: error_message(&error),
                    });
                    return ignore::WalkState::Continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                return ignore::WalkState::Continue;
            };
            if file_type.is_dir() {
                return ignore::WalkState::Continue;
            }
            let relative = relative_path(root, entry.path());
            let Some(flavor) = wiki_flavor(&relative) else {
                return ignore::WalkState::Continue;
            };
            if include.as_ref().is_some_and(|include| !include.is_match(&relative))
                || exclude.as_ref().is_some_and(|exclude| exclude.is_match(&relative))
            {
                return ignore::WalkState::Continue;
            }
            let kind = if file_type.is_symlink() {
                FileKind::Symlink(read_symlink(entry.path()))
            } else {
                FileKind::Regular
            };
            lock(files).push(WalkedFile::new(shared_root, entry.path(), relative, flavor, kind));
            ignore::WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut skipped = skipped.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    (files, skipped)
}

/// One file as the walk would have found it, for a file that changed after the walk: `None`
/// when it is gone, not a wiki file, or left out by the configuration's include/exclude.
pub fn walked_file(root: &Path, absolute: &Path, config: &Config) -> Option<WalkedFile> {
    let relative = relative_path(root, absolute);
    let flavor = wiki_flavor(&relative)?;
    let included = build_globs(&config.include).is_none_or(|include| include.is_match(&relative));
    let excluded = build_globs(&config.exclude).is_some_and(|exclude| exclude.is_match(&relative));
    if !included || excluded || !walk_would_reach(root, absolute) {
        return None;
    }
    let metadata = std::fs::symlink_metadata(absolute).ok()?;
    let kind = if metadata.file_type().is_symlink() {
        FileKind::Symlink(read_symlink(absolute))
    } else if metadata.is_file() {
        FileKind::Regular
    } else {
        return None;
    };
    Some(WalkedFile::new(&Arc::from(root), absolute, relative, flavor, kind))
}

/// Whether [`walk`] would reach this file: not under a skipped folder (`.git`, …), not under a
/// symlinked folder (the walk never follows links, so a file event there must not read outside
/// the root either), and not ignored by a `.gitignore` or `.ignore` on the way from the root.
/// Without this, files the watcher reports there were indexed although a full walk leaves them
/// out, and the index differed from a rebuild.
fn walk_would_reach(root: &Path, absolute: &Path) -> bool {
    let Ok(inside) = absolute.strip_prefix(root) else {
        return false;
    };
    let folders: Vec<&Path> = inside.ancestors().skip(1).collect();
    for folder in &folders {
        let name = folder.file_name().and_then(|name| name.to_str());
        if name.is_some_and(|name| SKIPPED_FOLDERS.contains(&name)) {
            return false;
        }
        let is_symlink = !folder.as_os_str().is_empty()
            && std::fs::symlink_metadata(root.join(folder)).is_ok_and(|metadata| metadata.file_type().is_symlink());
        if is_symlink {
            return false;
        }
    }
    // The deepest ignore file that decides wins, and `.ignore` beats `.gitignore` in one folder,
    // as in the walk.
    for folder in &folders {
        for ignore_file in [".ignore", ".gitignore"] {
            let path = root.join(folder).join(ignore_file);
            if !path.is_file() {
                continue;
            }
            let (matcher, _) = ignore::gitignore::Gitignore::new(&path);
            // Relative to the ignore file's folder, never absolute: the matcher asserts that.
            let Ok(below) = inside.strip_prefix(folder) else {
                continue;
            };
            match matcher.matched_path_or_any_parents(below, false) {
                ignore::Match::Ignore(_) => return false,
                ignore::Match::Whitelist(_) => return true,
                ignore::Match::None => {}
            }
        }
    }
    true
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn build_globs(patterns: &[String]) -> Option<globset::GlobSet> {
    if patterns.is_empty() {
        return None;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        // Patterns were validated when the configuration was loaded.
        if let Ok(glob) = globset::Glob::new(pattern) {
            builder.add(glob);
        }
    }
    builder.build().ok()
}

fn wiki_flavor(relative: &str) -> Option<Flavor> {
    let name = relative.rsplit('/').next()?;
    let (_, extension) = name.rsplit_once('.')?;
    Flavor::from_extension(extension)
}

/// A path relative to the root, `/`-separated; the path itself when it is not under the root.
pub fn relative_path(root: &Path, path: &Path) -> String {
    slash_separated(path.strip_prefix(root).unwrap_or(path))
}

/// A path's components joined with `/`, whatever the platform writes.
fn slash_separated(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn read_symlink(path: &Path) -> Result<String, String> {
    match std::fs::read_link(path) {
        Ok(target) => {
            if target.is_absolute() {
                return Err(format!("absolute symlink target {}", target.display()));
            }
            Ok(slash_separated(&target))
        }
        Err(error) => Err(format!("cannot read symlink: {error}")),
    }
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => error_message(err),
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// The first `max_bytes` of a file as text (a character cut at the end, or invalid UTF-8, is
/// replaced), for previews that must not read a 10 MB page whole.
pub fn read_document_start(path: &Path, max_bytes: u64) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|error| error.to_string())?;
    let mut bytes = Vec::new();
    file.take(max_bytes)
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A document's text, and a warning when it had to be repaired.
#[derive(Debug)]
pub struct DocumentText {
    pub text: String,
    pub warning: Option<String>,
    /// The open file's metadata, taken before its bytes were read: a stamp of what was read
    /// (see `cache::FileStamp`) that costs no second lookup of the path.
    pub metadata: std::fs::Metadata,
}

/// Opens a file to read without waiting: a FIFO named like a page would otherwise block the open
/// until some writer came (reads of regular files ignore the flag).
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
    }
    #[cfg(not(unix))]
    {
        std::fs::File::open(path)
    }
}

/// Reads a wiki file: too large, binary and unreadable files are refused with a reason; invalid
/// UTF-8 is replaced (U+FFFD) and reported.
pub fn read_document(path: &Path, max_size: u64) -> Result<DocumentText, String> {
    use std::io::Read;
    // The type and size come from the open file: one lookup of the path, where a `stat` before
    // the read took two (a tenth of a bulk load's time went to `statx` and path walks).
    let file = match open_without_blocking(path) {
        Ok(file) => file,
        // A socket cannot be opened: say what it is rather than why the open failed.
        Err(_) if std::fs::symlink_metadata(path).is_ok_and(|metadata| !metadata.is_file()) => {
            return Err("not a regular file".to_string());
        }
        Err(error) => return Err(error.to_string()),
    };
    let metadata = file.metadata().map_err(|error| error.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file".to_string());
    }
    if metadata.len() > max_size {
        return Err(format!(
            "file is {} bytes, over the limit of {max_size} (max-file-size in wikils.toml)",
            metadata.len()
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0).saturating_add(1));
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > max_size {
        return Err(format!("file grew over the limit of {max_size} bytes while being read"));
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_LENGTH)]).is_some() {
        return Err("binary file (contains NUL bytes)".to_string());
    }
    // simdutf8 validates CJK-heavy text several times faster than the standard library, which
    // more than pays for the copy into a `String` (the crate forbids the unchecked conversion).
    if let Ok(text) = simdutf8::basic::from_utf8(&bytes) {
        return Ok(DocumentText {
            text: text.to_owned(),
            warning: None,
            metadata,
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(DocumentText {
            text,
            warning: None,
            metadata,
        }),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            Ok(DocumentText {
                text,
                warning: Some(format!("invalid UTF-8 at byte {at}; read with replacement characters")),
                metadata,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walked_file_gives_its_full_path_back() {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join("Page")).expect("folder");
        std::fs::write(root.path().join("Page/內務𠀀.md"), "# 內務").expect("file");
        let mut expected = vec![root.path().join("Page/內務𠀀.md")];
        #[cfg(unix)]
        {
            // A name that is not UTF-8: `relative` spells it lossily, the full path must not.
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::OsStr::from_bytes(b"Page/A\xff.md");
            std::fs::write(root.path().join(name), "text").expect("file");
            expected.insert(0, root.path().join(name));
        }
        let (files, _) = walk(root.path(), &Config::default());
        let paths: Vec<PathBuf> = files.iter().map(WalkedFile::absolute).collect();
        assert_eq!(paths, expected);
        for file in &files {
            assert!(std::fs::read(file.absolute()).is_ok(), "{}", file.relative);
            let again = walked_file(root.path(), &file.absolute(), &Config::default()).expect("walked");
            assert_eq!(again.absolute(), file.absolute());
        }
    }
}
