//! Workspace layout: which files are pages, and what title each file or relative link path names.
//!
//! Two layouts exist. An *export* (a root holding `Page/`) names pages by folder and file stem:
//! `Page/Foo_bar.md` is "Foo bar", `Category/X.md` is "Category:X", and `Redirect/*.md` files are
//! aliases. Any other *tree* names every wiki file by its stem, wherever it lives.

use std::path::Path;

use crate::config::LayoutSetting;
use crate::syntax::Flavor;
use crate::title::{self, Namespace, Title, TitleRules, TitleTarget};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    Export,
    Tree,
}

/// The folder of an export whose files are aliases of other pages.
pub const REDIRECT_FOLDER: &str = "Redirect";
const MAIN_NAMESPACE_FOLDER: &str = "Page";

impl Layout {
    pub fn detect(root: &Path, setting: LayoutSetting) -> Layout {
        match setting {
            LayoutSetting::Export => Layout::Export,
            LayoutSetting::Tree => Layout::Tree,
            LayoutSetting::Auto if root.join(MAIN_NAMESPACE_FOLDER).is_dir() => Layout::Export,
            LayoutSetting::Auto => Layout::Tree,
        }
    }

    /// The title of the page stored at a root-relative path (`/`-separated), or `None` when the
    /// file is not a page in this layout (in an export, files outside namespace folders).
    pub fn title_of_path(self, relative_path: &str, rules: &TitleRules) -> Option<Title> {
        let without_extension = strip_wiki_extension(relative_path)?;
        match self {
            Layout::Tree => {
                let stem = without_extension.rsplit('/').next().unwrap_or(without_extension);
                page_title(stem, rules)
            }
            Layout::Export => {
                let (folder, name) = without_extension.split_once('/')?;
                let namespace = namespace_of_folder(folder, rules)?;
                if name.is_empty() {
                    return None;
                }
                let name = title::normalize_name(name, rules);
                if name.is_empty() {
                    return None;
                }
                Some(Title { namespace, name })
            }
        }
    }
}

/// The root-relative path at which an export stores the page `title`: the namespace's folder
/// (`Page` for the main namespace) and the name with spaces written as `_`, plus `.md`. The
/// inverse of [`Layout::title_of_path`] for export layouts.
pub fn export_path_of_title(title: &Title) -> String {
    let folder = match title.namespace {
        Namespace::Main => MAIN_NAMESPACE_FOLDER,
        namespace => namespace.canonical_name(),
    };
    format!("{folder}/{}.md", title.name.replace(' ', "_"))
}

fn page_title(raw: &str, rules: &TitleRules) -> Option<Title> {
    match title::parse_title(raw, rules) {
        TitleTarget::Page(title) if !title.name.is_empty() => Some(title),
        _ => {
            // A file name can hold characters a title cannot (`[`, `|`, …); it is still a page,
            // named as-is in the main namespace.
            let name = title::normalize_name(raw, rules);
            (!name.is_empty()).then_some(Title {
                namespace: Namespace::Main,
                name,
            })
        }
    }
}

/// The namespace an export folder holds: `Page` and `Redirect` hold main-namespace titles,
/// `Category`, `Template`, `Help`, … (or their localized names) their namespace.
fn namespace_of_folder(folder: &str, rules: &TitleRules) -> Option<Namespace> {
    if folder == MAIN_NAMESPACE_FOLDER || folder == REDIRECT_FOLDER {
        return Some(Namespace::Main);
    }
    match title::parse_title(&format!("{folder}:X"), rules) {
        TitleTarget::Page(title) if title.namespace != Namespace::Main => Some(title.namespace),
        _ => None,
    }
}

/// The path without its wiki extension, or `None` when it is not a wiki file.
pub fn strip_wiki_extension(path: &str) -> Option<&str> {
    let dot = path.rfind('.')?;
    let slash = path.rfind('/').map_or(0, |slash| slash + 1);
    if dot <= slash {
        return None;
    }
    Flavor::from_extension(&path[dot + 1..])?;
    Some(&path[..dot])
}

/// The destination a Markdown link in the document at `document_path` writes for the file at
/// `target_path` (both root-relative), as exports write it: up to the root with `../`, then
/// down to the file, with `(` and `)` backslash-escaped and `%` and spaces percent-encoded so
/// that the destination decodes back to the path.
pub fn markdown_link_path(document_path: &str, target_path: &str) -> String {
    let depth = document_path.matches('/').count();
    let mut destination = "../".repeat(depth);
    for character in target_path.chars() {
        match character {
            '(' => destination.push_str("\\("),
            ')' => destination.push_str("\\)"),
            '%' => destination.push_str("%25"),
            ' ' => destination.push_str("%20"),
            other => destination.push(other),
        }
    }
    destination
}

/// Joins a link's relative path to the folder of the document holding it and normalises `.` and
/// `..` lexically. `None` when the result would leave the workspace root.
pub fn join_relative(document_path: &str, link_path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    if !link_path.starts_with('/') {
        parts.extend(document_path.split('/'));
        parts.pop();
    }
    for part in link_path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_extension_only_for_wiki_files() {
        assert_eq!(strip_wiki_extension("Page/A.md"), Some("Page/A"));
        assert_eq!(strip_wiki_extension("a/b.wikitext"), Some("a/b"));
        assert_eq!(strip_wiki_extension("Page/.hidden.md"), Some("Page/.hidden"));
        assert_eq!(strip_wiki_extension("Page/.md"), None);
        assert_eq!(strip_wiki_extension("a.png"), None);
        assert_eq!(strip_wiki_extension("a.b/c"), None);
    }

    #[test]
    fn markdown_link_paths_join_back_to_the_target() {
        for (document, target) in [
            ("Page/A.md", "Page/B_(x).md"),
            ("Page/𠀀.md", "Category/香港.md"),
            ("A.md", "b/c 100%.md"),
            ("a/b/c.md", "d.md"),
        ] {
            let destination = markdown_link_path(document, target);
            let decoded = destination
                .replace("\\(", "(")
                .replace("\\)", ")")
                .replace("%20", " ")
                .replace("%25", "%");
            assert_eq!(
                join_relative(document, &decoded).as_deref(),
                Some(target),
                "{destination}"
            );
        }
        assert_eq!(markdown_link_path("Page/A.md", "Page/B_(x).md"), "../Page/B_\\(x\\).md");
    }

    #[test]
    fn export_paths_of_titles_round_trip() {
        let rules = TitleRules::default();
        let titles = [
            Title::new(Namespace::Main, "政制及內地事務局"),
            Title::new(Namespace::Main, "Rock 'n' Roll!"),
            Title::new(Namespace::Main, "(+)-ネオメントール"),
            Title::new(Namespace::Main, "AC/DC 𠀀"),
            Title::new(Namespace::Category, "香港 歷史"),
            Title::new(Namespace::Template, "Reflist"),
            Title::new(Namespace::Project, "格式手冊"),
        ];
        for title in titles {
            let path = export_path_of_title(&title);
            assert_eq!(
                Layout::Export.title_of_path(&path, &rules),
                Some(title.clone()),
                "{path}"
            );
        }
        assert_eq!(
            export_path_of_title(&Title::new(Namespace::Category, "香港 歷史")),
            "Category/香港_歷史.md"
        );
        assert_eq!(
            export_path_of_title(&Title::new(Namespace::Main, "Rock 'n' Roll!")),
            "Page/Rock_'n'_Roll!.md"
        );
    }

    #[test]
    fn join_relative_stays_inside_the_root() {
        assert_eq!(join_relative("Page/A.md", "../Page/B.md").as_deref(), Some("Page/B.md"));
        assert_eq!(join_relative("a/b/c.md", "./d.md").as_deref(), Some("a/b/d.md"));
        assert_eq!(join_relative("A.md", "B.md").as_deref(), Some("B.md"));
        assert_eq!(join_relative("Page/A.md", "../../B.md"), None);
        assert_eq!(join_relative("Page/A.md", "/Page/B.md").as_deref(), Some("Page/B.md"));
    }
}
