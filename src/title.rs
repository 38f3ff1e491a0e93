//! Page titles: the one place titles are normalised, namespaces recognised and Chinese variants folded.
//!
//! MediaWiki rules: `_` and space are the same, runs of spaces collapse, leading and trailing
//! spaces go, HTML entities are decoded, the first letter is upper-cased where the wiki
//! capitalizes, and namespace prefixes are case-insensitive and localized
//! (`Category:`, `分类:`, `分類:`, `カテゴリ:` all name the category namespace).

/// A namespace, named by its canonical English name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    Main,
    Category,
    Template,
    File,
    Help,
    Project,
    Portal,
    User,
    Module,
    Draft,
    Special,
    Media,
    MediaWiki,
}

impl Namespace {
    /// The canonical prefix without the colon; empty for the main namespace.
    pub fn canonical_name(self) -> &'static str {
        match self {
            Namespace::Main => "",
            Namespace::Category => "Category",
            Namespace::Template => "Template",
            Namespace::File => "File",
            Namespace::Help => "Help",
            Namespace::Project => "Wikipedia",
            Namespace::Portal => "Portal",
            Namespace::User => "User",
            Namespace::Module => "Module",
            Namespace::Draft => "Draft",
            Namespace::Special => "Special",
            Namespace::Media => "Media",
            Namespace::MediaWiki => "MediaWiki",
        }
    }
}

/// How the wiki treats titles.
#[derive(Clone, Debug)]
pub struct TitleRules {
    /// Upper-case the first letter of the name (MediaWiki's `$wgCapitalLinks`, on for Wikipedia).
    pub capitalize_first: bool,
}

impl Default for TitleRules {
    fn default() -> Self {
        TitleRules { capitalize_first: true }
    }
}

/// A normalised page title.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Title {
    pub namespace: Namespace,
    /// The name without the namespace prefix, normalised (spaces, not underscores).
    pub name: String,
}

impl Title {
    /// The canonical full title, `Category:Name` or `Name`: the key pages are indexed under.
    pub fn full(&self) -> String {
        match self.namespace {
            Namespace::Main => self.name.clone(),
            ns => format!("{}:{}", ns.canonical_name(), self.name),
        }
    }
}

/// What a raw link target names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TitleTarget {
    /// A page of this wiki (possibly empty name, as in `[[#Section]]`).
    Page(Title),
    /// An interwiki or language link (`en:Foo`, `wikt:词`): external, never resolved locally.
    Interwiki { prefix: String, rest: String },
    /// Not a valid title (contains `[]{}|<>` etc.); the string says why.
    Invalid(&'static str),
}

/// Parses and normalises a raw title such as `category: foo_bar`, ` 分類:X `, `en:Foo`.
pub fn parse_title(raw: &str, rules: &TitleRules) -> TitleTarget {
    let _ = (raw, rules);
    TitleTarget::Invalid("unimplemented")
}

/// Normalises a name without looking for a namespace: `_` → space, runs collapsed, trimmed,
/// entities decoded, first letter upper-cased when `rules` say so.
pub fn normalize_name(raw: &str, rules: &TitleRules) -> String {
    let _ = rules;
    raw.to_string()
}

/// Folds Traditional and Simplified Chinese to one form, so that titles differing only in script
/// compare equal (`政制及内地事务局` and `政制及內地事務局` fold to the same string). Strings
/// without convertible characters are returned as they are.
pub fn fold_variants(s: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(s)
}
