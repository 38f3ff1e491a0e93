//! `wikils.toml`: the optional per-workspace configuration, and its defaults.
//!
//! A configuration that cannot be read or understood is an error naming the file and line; it is
//! never silently ignored.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

use crate::diagnostics::{Code, Severity};

pub const CONFIG_FILE_NAME: &str = "wikils.toml";

/// How the files of a workspace map to pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LayoutSetting {
    /// `export` when the root holds a `Page/` folder, else `tree`.
    #[default]
    Auto,
    /// Wikipedia export: `Page/`, `Category/`, `Template/`, `Redirect/`, … folders.
    Export,
    /// Any tree of wiki files: each file is a page named by its file stem.
    Tree,
}

/// What a rule reports at, or `Off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    Error,
    Warning,
    #[serde(alias = "information")]
    Info,
    Hint,
    Off,
}

impl RuleSetting {
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleSetting::Error => Some(Severity::Error),
            RuleSetting::Warning => Some(Severity::Warning),
            RuleSetting::Info => Some(Severity::Information),
            RuleSetting::Hint => Some(Severity::Hint),
            RuleSetting::Off => None,
        }
    }
}

/// The file format, exactly as written in `wikils.toml`. Unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    layout: Option<LayoutSetting>,
    wiki_base_urls: Option<Vec<String>>,
    include: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    variant_folding: Option<bool>,
    capitalize_first: Option<bool>,
    max_file_size: Option<u64>,
    rules: Option<BTreeMap<Spanned<String>, RuleSetting>>,
}

/// The settings in force for one workspace root.
#[derive(Clone, Debug)]
pub struct Config {
    pub layout: LayoutSetting,
    pub wiki_base_urls: Vec<String>,
    /// Glob patterns relative to the root; empty means every wiki file.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Resolve titles that differ only in Traditional/Simplified script.
    pub variant_folding: bool,
    pub capitalize_first: bool,
    /// Files larger than this many bytes are skipped with a warning.
    pub max_file_size: u64,
    pub rules: BTreeMap<Code, RuleSetting>,
    /// Where the settings came from, when a file was found.
    pub source: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            layout: LayoutSetting::Auto,
            wiki_base_urls: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            variant_folding: true,
            capitalize_first: true,
            max_file_size: 10 * 1024 * 1024,
            rules: BTreeMap::new(),
            source: None,
        }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// One-based line of the problem, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The severity a rule reports at, or `None` when it is turned off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.rules.get(&code) {
            Some(setting) => setting.severity(),
            None => code.on_by_default().then(|| code.default_severity()),
        }
    }

    /// Turns a rule on at its configured severity, or at its default one when it is not
    /// configured or configured `off` (a command-line flag asking for it wins over the file).
    pub fn enable(&mut self, code: Code) {
        if self.rules.get(&code).and_then(|setting| setting.severity()).is_none() {
            let setting = match code.default_severity() {
                Severity::Error => RuleSetting::Error,
                Severity::Warning => RuleSetting::Warning,
                Severity::Information => RuleSetting::Info,
                Severity::Hint => RuleSetting::Hint,
            };
            self.rules.insert(code, setting);
        }
    }

    /// Reads `wikils.toml` from `root` if there is one; defaults otherwise.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(CONFIG_FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(error) => Err(ConfigError {
                path,
                line: None,
                message: error.to_string(),
            }),
        }
    }

    /// Parses the text of a configuration file; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let error_at = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_path_buf(),
            line: span.map(|span| line_of_offset(text, span.start)),
            message,
        };
        let file: ConfigFile =
            toml::from_str(text).map_err(|error| error_at(error.span(), error.message().to_string()))?;
        let mut config = Config {
            source: Some(path.to_path_buf()),
            ..Config::default()
        };
        if let Some(layout) = file.layout {
            config.layout = layout;
        }
        if let Some(urls) = file.wiki_base_urls {
            config.wiki_base_urls = urls;
        }
        for (patterns, field) in [(&file.include, "include"), (&file.exclude, "exclude")] {
            if let Some(patterns) = patterns {
                for pattern in patterns {
                    if let Err(error) = globset::Glob::new(pattern.get_ref()) {
                        return Err(error_at(
                            Some(pattern.span()),
                            format!("invalid {field} pattern: {error}"),
                        ));
                    }
                }
            }
        }
        let unspanned = |patterns: Option<Vec<Spanned<String>>>| -> Vec<String> {
            patterns
                .unwrap_or_default()
                .into_iter()
                .map(Spanned::into_inner)
                .collect()
        };
        config.include = unspanned(file.include);
        config.exclude = unspanned(file.exclude);
        if let Some(folding) = file.variant_folding {
            config.variant_folding = folding;
        }
        if let Some(capitalize) = file.capitalize_first {
            config.capitalize_first = capitalize;
        }
        if let Some(size) = file.max_file_size {
            config.max_file_size = size;
        }
        for (name, setting) in file.rules.unwrap_or_default() {
            let Some(code) = Code::from_name(name.get_ref()) else {
                let known: Vec<&str> = Code::ALL.iter().map(|code| code.name()).collect();
                return Err(error_at(
                    Some(name.span()),
                    format!("unknown rule `{}`; known rules: {}", name.get_ref(), known.join(", ")),
                ));
            };
            config.rules.insert(code, setting);
        }
        Ok(config)
    }
}

/// Rule severities sent by an editor (`{"broken-link": "warning", …}`), with a message for each
/// entry that could not be used. Editor settings override `wikils.toml` for that editor.
pub fn rules_from_editor_settings(value: &serde_json::Value) -> (BTreeMap<Code, RuleSetting>, Vec<String>) {
    let mut rules = BTreeMap::new();
    let mut problems = Vec::new();
    let Some(entries) = value.as_object() else {
        if !value.is_null() {
            problems.push(format!("`rules` must be an object, not {value}"));
        }
        return (rules, problems);
    };
    for (name, setting) in entries {
        let Some(code) = Code::from_name(name) else {
            problems.push(format!("unknown rule `{name}`"));
            continue;
        };
        match serde_json::from_value::<RuleSetting>(setting.clone()) {
            Ok(setting) => {
                rules.insert(code, setting);
            }
            Err(_) => problems.push(format!(
                "rule `{name}`: {setting} is not one of \"error\", \"warning\", \"info\", \"hint\", \"off\""
            )),
        }
    }
    (rules, problems)
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&byte| byte == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("wikils.toml")).map_err(|error| error.to_string())
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.layout, LayoutSetting::Auto);
        assert_eq!(config.severity(Code::BrokenLink), Some(Severity::Error));
    }

    #[test]
    fn rules_change_severity_or_turn_off() {
        let config = parse("[rules]\nbroken-link = \"warning\"\nvariant-link = \"off\"\n").unwrap();
        assert_eq!(config.severity(Code::BrokenLink), Some(Severity::Warning));
        assert_eq!(config.severity(Code::VariantLink), None);
    }

    #[test]
    fn orphan_page_is_off_until_configured_or_enabled() {
        assert_eq!(parse("").unwrap().severity(Code::OrphanPage), None);
        let configured = parse("[rules]\norphan-page = \"hint\"\n").unwrap();
        assert_eq!(configured.severity(Code::OrphanPage), Some(Severity::Hint));
        let mut enabled = configured.clone();
        enabled.enable(Code::OrphanPage);
        assert_eq!(enabled.severity(Code::OrphanPage), Some(Severity::Hint));
        let mut turned_off = parse("[rules]\norphan-page = \"off\"\n").unwrap();
        turned_off.enable(Code::OrphanPage);
        assert_eq!(turned_off.severity(Code::OrphanPage), Some(Severity::Warning));
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let error = parse("layout = \"export\"\n\nlayuot = \"tree\"\n").unwrap_err();
        assert!(error.starts_with("wikils.toml:3: "), "{error}");
    }

    #[test]
    fn unknown_rule_is_an_error_with_its_line() {
        let error = parse("[rules]\nbroken-links = \"off\"\n").unwrap_err();
        assert!(
            error.starts_with("wikils.toml:2: unknown rule `broken-links`"),
            "{error}"
        );
    }

    #[test]
    fn unknown_rule_is_located_at_its_key_not_at_an_earlier_mention() {
        let error = parse("# broken-links is a typo we make often\n[rules]\nbroken-links = \"off\"\n").unwrap_err();
        assert!(error.starts_with("wikils.toml:3: unknown rule"), "{error}");
    }

    #[test]
    fn bad_severity_is_an_error_with_its_line() {
        let error = parse("[rules]\nbroken-link = \"loud\"\n").unwrap_err();
        assert!(error.starts_with("wikils.toml:2: "), "{error}");
    }

    #[test]
    fn editor_rules_are_read_and_bad_entries_named() {
        let settings = serde_json::json!({ "broken-link": "warning", "nope": "off", "variant-link": 3 });
        let (rules, problems) = rules_from_editor_settings(&settings);
        assert_eq!(rules.get(&Code::BrokenLink), Some(&RuleSetting::Warning));
        assert_eq!(rules.len(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn bad_glob_is_an_error() {
        let error = parse("exclude = [\"a/[b\"]\n").unwrap_err();
        assert!(error.starts_with("wikils.toml:1: invalid exclude pattern"), "{error}");
    }
}
