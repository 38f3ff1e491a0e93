//! Page titles: the one place titles are normalised, namespaces recognised and Chinese variants folded.
//!
//! MediaWiki rules: `_` and space are the same, runs of spaces collapse, leading and trailing
//! spaces go, HTML entities are decoded, the first letter is upper-cased where the wiki
//! capitalizes, and namespace prefixes are case-insensitive and localized
//! (`Category:`, `分类:`, `分類:`, `カテゴリ:` all name the category namespace).
//!
//! Order matters and follows MediaWiki's `Title::newFromText`: entities are decoded first (so a
//! decoded `&#91;` is as invalid as `[`), then illegal characters are rejected, then spaces are
//! cleaned, and only then is the namespace prefix split off.

mod namespaces;
mod variants;

use std::borrow::Cow;
use std::fmt;

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

    /// The namespace a prefix (without the colon) names: canonical, alias or localized, any case,
    /// `_` or spaces alike (`category`, ` 分類 `, `Image`, `WP`). `None` for the main namespace's
    /// empty prefix and for unknown prefixes.
    pub fn from_prefix(prefix: &str) -> Option<Namespace> {
        namespaces::namespace_from_prefix(&clean_spaces(prefix))
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
    pub fn new(namespace: Namespace, name: impl Into<String>) -> Title {
        Title {
            namespace,
            name: name.into(),
        }
    }

    /// The canonical full title, `Category:Name` or `Name`: the key pages are indexed under.
    pub fn full(&self) -> String {
        match self.namespace {
            Namespace::Main => self.name.clone(),
            ns => format!("{}:{}", ns.canonical_name(), self.name),
        }
    }
}

impl fmt::Display for Title {
    /// Writes the canonical full title, the same string as [`Title::full`].
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.namespace {
            Namespace::Main => formatter.write_str(&self.name),
            namespace => write!(formatter, "{}:{}", namespace.canonical_name(), self.name),
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

/// MediaWiki refuses titles longer than this many bytes (`Special:` pages excepted).
const MAX_TITLE_BYTES: usize = 255;

/// Parses and normalises a raw title such as `category: foo_bar`, ` 分類:X `, `en:Foo`.
///
/// A leading `:` (`[[:Category:X]]`, a link to the category rather than a categorisation) is
/// stripped; the caller tracks it. Interwiki prefixes come back lower-cased with the rest cleaned
/// of spaces but not capitalised: the other wiki decides its own capitalisation.
pub fn parse_title(raw: &str, rules: &TitleRules) -> TitleTarget {
    let decoded = decode_entities(raw);
    if let Some(reason) = invalid_character_reason(&decoded) {
        return TitleTarget::Invalid(reason);
    }
    let cleaned = clean_spaces(&decoded);
    let without_colon = match cleaned.strip_prefix(':') {
        Some(rest) => rest.trim_start_matches(' '),
        None => cleaned.as_str(),
    };
    if without_colon.starts_with(':') {
        return TitleTarget::Invalid("title starts with more than one colon");
    }
    let (namespace, name) = match without_colon.split_once(':') {
        Some((prefix, rest)) => {
            let prefix = prefix.trim_end_matches(' ');
            let rest = rest.trim_start_matches(' ');
            if let Some(namespace) = namespaces::namespace_from_prefix(prefix) {
                if rest.is_empty() {
                    return TitleTarget::Invalid("empty name after a namespace prefix");
                }
                (namespace, rest)
            } else if namespaces::is_interwiki_prefix(prefix) {
                return TitleTarget::Interwiki {
                    prefix: prefix.to_ascii_lowercase(),
                    rest: rest.to_string(),
                };
            } else {
                (Namespace::Main, without_colon)
            }
        }
        None => (Namespace::Main, without_colon),
    };
    if let Some(reason) = invalid_name_reason(namespace, name) {
        return TitleTarget::Invalid(reason);
    }
    // The name is a suffix of `cleaned` (its end is already trimmed): reuse that buffer rather
    // than allocating the name again.
    let name_start = cleaned.len() - name.len();
    let mut name = cleaned;
    name.replace_range(..name_start, "");
    if rules.capitalize_first {
        capitalize_first_letter(&mut name);
    }
    TitleTarget::Page(Title { namespace, name })
}

/// Normalises a name without looking for a namespace: `_` → space, runs collapsed, trimmed,
/// entities decoded, first letter upper-cased when `rules` say so.
pub fn normalize_name(raw: &str, rules: &TitleRules) -> String {
    let mut cleaned = clean_spaces(&decode_entities(raw));
    if rules.capitalize_first {
        capitalize_first_letter(&mut cleaned);
    }
    cleaned
}

/// Folds Traditional and Simplified Chinese to one form, so that titles differing only in script
/// compare equal (`政制及内地事务局` and `政制及內地事務局` fold to the same string). Strings
/// without convertible characters are returned as they are.
///
/// Folding is per character, with a table derived from OpenCC's dictionaries (standard, Hong Kong
/// and Taiwan forms) towards Simplified; it is idempotent. The folded string is a comparison key,
/// not text to show. The table is built on first use (see [`prepare_variant_folding`]); strings
/// with no character at or above U+3000 never touch it.
pub fn fold_variants(s: &str) -> Cow<'_, str> {
    variants::fold_variants(s)
}

/// Every string that folds like `s` (itself included) when there are at most `limit`, else
/// `None`: the spellings a link to the page `s` may have been written in.
pub fn variant_spellings(s: &str, limit: usize) -> Option<Vec<String>> {
    variants::variant_spellings(s, limit)
}

/// Whether [`fold_variants`] would change `s`, without allocating.
pub fn has_variant_characters(s: &str) -> bool {
    variants::has_variant_characters(s)
}

/// Builds the variant folding table now (tens of milliseconds once), so that the first
/// [`fold_variants`] call on a hot path does not pay for it. Safe to call from any thread, any
/// number of times.
pub fn prepare_variant_folding() {
    variants::prepare();
}

/// Whether `prefix` (without the colon) is a Wikipedia language code or a common interwiki
/// prefix (`en`, `zh-min-nan`, `wikt`, `commons`…), case-insensitively.
pub fn is_interwiki_prefix(prefix: &str) -> bool {
    namespaces::is_interwiki_prefix(clean_spaces(prefix).as_str())
}

fn decode_entities(raw: &str) -> Cow<'_, str> {
    if raw.contains('&') {
        html_escape::decode_html_entities(raw)
    } else {
        Cow::Borrowed(raw)
    }
}

/// Characters MediaWiki treats as a space in titles, besides `_` and the ASCII space.
fn is_title_space(character: char) -> bool {
    matches!(
        character,
        '_' | ' ' | '\u{00A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    ) || character.is_whitespace()
}

/// Direction marks are invisible and MediaWiki drops them, so `Foo\u{200E}` names `Foo`.
fn is_direction_mark(character: char) -> bool {
    matches!(character, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}')
}

/// Spaces (in all their forms) collapsed to one ASCII space, trimmed, direction marks removed.
fn clean_spaces(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    let mut space_pending = false;
    for character in text.chars() {
        if is_title_space(character) {
            space_pending = true;
        } else if !is_direction_mark(character) {
            if space_pending && !cleaned.is_empty() {
                cleaned.push(' ');
            }
            space_pending = false;
            cleaned.push(character);
        }
    }
    cleaned
}

/// Upper-cases the first character only when Unicode maps it to exactly one character (`ß` would
/// become `SS`, which MediaWiki does not do); ideographs have no case and stay as they are.
fn capitalize_first_letter(name: &mut String) {
    let Some(first) = name.chars().next() else {
        return;
    };
    let mut uppercase = first.to_uppercase();
    if let (Some(upper), None) = (uppercase.next(), uppercase.next()) {
        if upper != first {
            let mut encoded = [0u8; 4];
            name.replace_range(..first.len_utf8(), upper.encode_utf8(&mut encoded));
        }
    }
}

fn invalid_character_reason(decoded: &str) -> Option<&'static str> {
    for character in decoded.chars() {
        let reason = match character {
            '[' | ']' | '{' | '}' | '|' | '<' | '>' => "title contains one of [ ] { } | < >",
            '#' => "title contains #",
            '\u{FFFD}' => "title contains the replacement character U+FFFD",
            // Tabs and newlines are whitespace but not spaces: MediaWiki rejects them too.
            control if control.is_control() => "title contains a control character",
            _ => continue,
        };
        return Some(reason);
    }
    None
}

/// MediaWiki's remaining rules on the name itself: relative paths would escape the wiki's URL
/// space, and `~~~` would expand to a signature when saved.
fn invalid_name_reason(namespace: Namespace, name: &str) -> Option<&'static str> {
    if name == "."
        || name == ".."
        || name.starts_with("./")
        || name.starts_with("../")
        || name.contains("/./")
        || name.contains("/../")
        || name.ends_with("/.")
        || name.ends_with("/..")
    {
        return Some("title is a relative path");
    }
    if name.contains("~~~") {
        return Some("title contains ~~~");
    }
    if namespace != Namespace::Special && name.len() > MAX_TITLE_BYTES {
        return Some("title is longer than 255 bytes");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::XorShift;

    fn rules() -> TitleRules {
        TitleRules::default()
    }

    fn page(namespace: Namespace, name: &str) -> TitleTarget {
        TitleTarget::Page(Title::new(namespace, name))
    }

    fn parse(raw: &str) -> TitleTarget {
        parse_title(raw, &rules())
    }

    #[test]
    fn namespace_prefix_is_case_and_space_insensitive() {
        assert_eq!(parse("category: foo_bar"), page(Namespace::Category, "Foo bar"));
        assert_eq!(parse(" 分類:X "), page(Namespace::Category, "X"));
        assert_eq!(parse("CATEGORY_:_x"), page(Namespace::Category, "X"));
        assert_eq!(
            parse("分类：X"),
            page(Namespace::Main, "分类：X"),
            "a full-width colon is no separator"
        );
        assert_eq!(Namespace::from_prefix(" category_"), Some(Namespace::Category));
        assert_eq!(Namespace::from_prefix(""), None);
    }

    #[test]
    fn localized_and_alias_namespace_names() {
        let expectations = [
            ("カテゴリ:X", Namespace::Category),
            ("Kategorie:X", Namespace::Category),
            ("catégorie:X", Namespace::Category),
            ("Categoría:X", Namespace::Category),
            ("категория:X", Namespace::Category),
            ("模板:X", Namespace::Template),
            ("樣板:X", Namespace::Template),
            ("样板:X", Namespace::Template),
            ("テンプレート:X", Namespace::Template),
            ("Vorlage:X", Namespace::Template),
            ("Modèle:X", Namespace::Template),
            ("Plantilla:X", Namespace::Template),
            ("Шаблон:X", Namespace::Template),
            ("Image:X", Namespace::File),
            ("文件:X", Namespace::File),
            ("档案:X", Namespace::File),
            ("图像:X", Namespace::File),
            ("圖像:X", Namespace::File),
            ("ファイル:X", Namespace::File),
            ("画像:X", Namespace::File),
            ("Datei:X", Namespace::File),
            ("Bild:X", Namespace::File),
            ("Fichier:X", Namespace::File),
            ("Archivo:X", Namespace::File),
            ("Файл:X", Namespace::File),
            ("媒体:X", Namespace::Media),
            ("媒體:X", Namespace::Media),
            ("Media:X", Namespace::Media),
            ("帮助:X", Namespace::Help),
            ("幫助:X", Namespace::Help),
            ("ヘルプ:X", Namespace::Help),
            ("Hilfe:X", Namespace::Help),
            ("Aide:X", Namespace::Help),
            ("Ayuda:X", Namespace::Help),
            ("Project:X", Namespace::Project),
            ("Wikipedia:X", Namespace::Project),
            ("WP:X", Namespace::Project),
            ("维基百科:X", Namespace::Project),
            ("維基百科:X", Namespace::Project),
            ("Portal:X", Namespace::Portal),
            ("主题:X", Namespace::Portal),
            ("主題:X", Namespace::Portal),
            ("User:X", Namespace::User),
            ("用户:X", Namespace::User),
            ("用戶:X", Namespace::User),
            ("使用者:X", Namespace::User),
            ("利用者:X", Namespace::User),
            ("Benutzer:X", Namespace::User),
            ("Module:X", Namespace::Module),
            ("模块:X", Namespace::Module),
            ("模組:X", Namespace::Module),
            ("Draft:X", Namespace::Draft),
            ("草稿:X", Namespace::Draft),
            ("Special:X", Namespace::Special),
            ("特殊:X", Namespace::Special),
            ("Spezial:X", Namespace::Special),
            ("mediawiki:X", Namespace::MediaWiki),
        ];
        for (raw, namespace) in expectations {
            assert_eq!(parse(raw), page(namespace, "X"), "{raw}");
        }
    }

    #[test]
    fn leading_colon_is_stripped() {
        assert_eq!(parse(":Category:X"), page(Namespace::Category, "X"));
        assert_eq!(parse(": Category:X"), page(Namespace::Category, "X"));
        assert_eq!(parse(":Foo"), page(Namespace::Main, "Foo"));
        assert!(matches!(parse("::Foo"), TitleTarget::Invalid(_)));
        assert_eq!(
            parse(":en:Foo"),
            TitleTarget::Interwiki {
                prefix: "en".to_string(),
                rest: "Foo".to_string()
            }
        );
    }

    #[test]
    fn interwiki_and_language_prefixes() {
        let interwiki = |prefix: &str, rest: &str| TitleTarget::Interwiki {
            prefix: prefix.to_string(),
            rest: rest.to_string(),
        };
        assert_eq!(parse("en:Foo"), interwiki("en", "Foo"));
        assert_eq!(parse("EN: foo_bar"), interwiki("en", "foo bar"));
        assert_eq!(parse("zh-yue:粵語"), interwiki("zh-yue", "粵語"));
        assert_eq!(parse("zh-min-nan:Tâi-oân"), interwiki("zh-min-nan", "Tâi-oân"));
        assert_eq!(parse("wikt:词"), interwiki("wikt", "词"));
        assert_eq!(parse("Commons:Category:X"), interwiki("commons", "Category:X"));
        assert_eq!(parse("simple:Foo"), interwiki("simple", "Foo"));
        assert_eq!(parse("ja:"), interwiki("ja", ""));
        // Namespaces win over interwiki prefixes, whatever follows.
        assert_eq!(parse("Category:en:Foo"), page(Namespace::Category, "En:Foo"));
        assert_eq!(parse("Wikipedia:Foo"), page(Namespace::Project, "Foo"));
        assert!(is_interwiki_prefix("Zh-Classical"));
        assert!(!is_interwiki_prefix("foo"));
        assert!(!is_interwiki_prefix("中文"));
    }

    #[test]
    fn interwiki_prefix_list_is_sorted_unique_and_complete_enough() {
        let prefixes = namespaces::INTERWIKI_PREFIXES;
        assert!(prefixes.windows(2).all(|pair| pair[0] < pair[1]), "sorted and unique");
        assert!(prefixes.len() > 400);
        for expected in [
            "en",
            "ja",
            "fr",
            "de",
            "zh",
            "zh-yue",
            "zh-min-nan",
            "zh-classical",
            "simple",
            "wikt",
            "commons",
            "d",
            "voy",
        ] {
            assert!(is_interwiki_prefix(expected), "{expected}");
        }
        assert!(prefixes
            .iter()
            .all(|prefix| prefix.bytes().all(|byte| !byte.is_ascii_uppercase())));
    }

    #[test]
    fn unknown_prefix_stays_in_the_main_namespace() {
        assert_eq!(parse("Foo: bar"), page(Namespace::Main, "Foo: bar"));
        assert_eq!(
            parse("2001: A Space Odyssey"),
            page(Namespace::Main, "2001: A Space Odyssey")
        );
        assert_eq!(parse("三國:演義"), page(Namespace::Main, "三國:演義"));
    }

    #[test]
    fn files_in_english_and_chinese() {
        assert_eq!(parse("File:x.png"), page(Namespace::File, "X.png"));
        assert_eq!(parse("檔案:x.png"), page(Namespace::File, "X.png"));
        assert_eq!(parse("file:中文 圖.jpg"), page(Namespace::File, "中文 圖.jpg"));
    }

    #[test]
    fn empty_names() {
        assert_eq!(parse(""), page(Namespace::Main, ""));
        assert_eq!(parse("  _ "), page(Namespace::Main, ""));
        assert!(matches!(parse("Category:"), TitleTarget::Invalid(_)));
        assert!(matches!(parse("Category: _ "), TitleTarget::Invalid(_)));
        assert!(matches!(parse("檔案:"), TitleTarget::Invalid(_)));
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(normalize_name("AT&amp;T", &rules()), "AT&T");
        assert_eq!(normalize_name("Rock &#39;n&#39; roll", &rules()), "Rock 'n' roll");
        assert_eq!(normalize_name("&#x4E2D;文", &rules()), "中文");
        assert_eq!(normalize_name("a&nbsp;&nbsp;b", &rules()), "A b");
        assert_eq!(normalize_name("a&unknown;b", &rules()), "A&unknown;b");
        // Decoding happens before the namespace is split and before the checks.
        assert_eq!(parse("Category&#58;X"), page(Namespace::Category, "X"));
        assert!(matches!(parse("a&#91;b"), TitleTarget::Invalid(_)));
        assert!(matches!(parse("a&lt;b"), TitleTarget::Invalid(_)));
    }

    #[test]
    fn percent_encoding_is_left_alone() {
        assert_eq!(normalize_name("a%20b", &rules()), "A%20b");
    }

    #[test]
    fn unicode_spaces_collapse_and_direction_marks_go() {
        assert_eq!(
            normalize_name("\u{3000}中文\u{3000}\u{3000}名字\u{3000}", &rules()),
            "中文 名字"
        );
        assert_eq!(
            normalize_name("a\u{00A0}b\u{2009}c\u{202F}d\u{205F}e\u{1680}f\u{2028}g", &rules()),
            "A b c d e f g"
        );
        assert_eq!(normalize_name("__a___b__", &rules()), "A b");
        assert_eq!(normalize_name("\u{200E}Foo\u{200F} bar\u{200E}", &rules()), "Foo bar");
        assert_eq!(normalize_name("a \u{200E} b", &rules()), "A b");
        assert_eq!(parse("分類\u{3000}:\u{3000}X"), page(Namespace::Category, "X"));
    }

    #[test]
    fn capitalization_follows_rules() {
        let keep_case = TitleRules {
            capitalize_first: false,
        };
        assert_eq!(normalize_name("foo", &keep_case), "foo");
        assert_eq!(
            parse_title("category:foo", &keep_case),
            page(Namespace::Category, "foo")
        );
        assert_eq!(normalize_name("éclair", &rules()), "Éclair");
        assert_eq!(
            normalize_name("ßtraße", &rules()),
            "ßtraße",
            "ß would become two letters"
        );
        assert_eq!(normalize_name("中文", &rules()), "中文");
        assert_eq!(normalize_name("ωmega", &rules()), "Ωmega");
        assert_eq!(normalize_name("iPhone", &rules()), "IPhone");
    }

    #[test]
    fn invalid_titles_say_why() {
        for raw in [
            "a[b",
            "a]b",
            "a{b",
            "a}b",
            "a|b",
            "a<b",
            "a>b",
            "a#b",
            "a\tb",
            "a\nb",
            "a\u{7F}b",
            "a\u{FFFD}b",
        ] {
            assert!(matches!(parse(raw), TitleTarget::Invalid(_)), "{raw:?}");
        }
        for raw in [".", "..", "./a", "../a", "a/./b", "a/../b", "a/.", "a/..", "a~~~b"] {
            assert!(matches!(parse(raw), TitleTarget::Invalid(_)), "{raw:?}");
        }
        assert!(matches!(parse(&"長".repeat(86)), TitleTarget::Invalid(_)));
        assert_eq!(parse(&"長".repeat(85)), page(Namespace::Main, &"長".repeat(85)));
        assert_eq!(parse("a.b/c..d"), page(Namespace::Main, "A.b/c..d"));
    }

    #[test]
    fn display_and_full_agree() {
        for title in [
            Title::new(Namespace::Category, "X y"),
            Title::new(Namespace::Main, "中文"),
            Title::new(Namespace::Project, "P"),
        ] {
            assert_eq!(title.to_string(), title.full());
        }
        assert_eq!(Title::new(Namespace::Project, "P").to_string(), "Wikipedia:P");
    }

    #[test]
    fn variant_pairs_fold_together() {
        assert_eq!(fold_variants("政制及内地事务局"), fold_variants("政制及內地事務局"));
        let pairs = "內内 務务 發发 國国 學学 會会 東东 關关 區区 華华 傳传 鐵铁 電电 車车 長长 門门 馬马 見见 語语 書书 點点 龍龙 陽阳 風风 歷历 體体 藝艺 劇剧 廣广 鄉乡 縣县 聯联 島岛 灣湾 漢汉 線线 軍军 協协 議议 時时 間间 報报 業业 經经 濟济 齊齐 廠厂 園园 樂乐 團团";
        for pair in pairs.split(' ') {
            let mut characters = pair.chars();
            let (Some(traditional), Some(simplified)) = (characters.next(), characters.next()) else {
                panic!("malformed pair {pair}");
            };
            let traditional = traditional.to_string();
            let simplified = simplified.to_string();
            assert_eq!(fold_variants(&traditional), fold_variants(&simplified), "{pair}");
            assert!(has_variant_characters(&traditional), "{pair}");
        }
        // Hong Kong and Taiwan variant forms fold too.
        assert_eq!(fold_variants("衞星"), fold_variants("卫星"));
        assert_eq!(fold_variants("裏"), fold_variants("里"));
    }

    #[test]
    fn folding_is_idempotent() {
        for sample in [
            "政制及內地事務局",
            "香港鐵路",
            "乾隆",
            "著名",
            "臺灣",
            "Foo 中文",
            "㑮𠀀",
            "",
        ] {
            let once = fold_variants(sample).into_owned();
            assert_eq!(fold_variants(&once), once.as_str(), "{sample}");
        }
    }

    #[test]
    fn folding_borrows_when_nothing_changes() {
        assert!(matches!(fold_variants("Plain ASCII title"), Cow::Borrowed(_)));
        assert!(matches!(fold_variants("Éclair à la crème"), Cow::Borrowed(_)));
        assert!(matches!(fold_variants("中文"), Cow::Borrowed(_)));
        assert!(matches!(fold_variants("中國"), Cow::Owned(_)));
        assert!(!has_variant_characters("abc"));
        prepare_variant_folding();
    }

    /// A tiny xorshift generator: reproducible random input without extra crates.

    #[test]
    fn seeded_random_titles_never_panic() {
        const TRICKY: [&str; 30] = [
            ":",
            "::",
            "_",
            " ",
            "\u{3000}",
            "\u{00A0}",
            "&",
            "&amp;",
            "&#",
            "&#x",
            "&#xD800;",
            "&#0;",
            "&#x110000;",
            ";",
            "#",
            "[",
            "|",
            "\u{200E}",
            "ß",
            "ǆ",
            "中",
            "國",
            "𠀀",
            "Category",
            "分類",
            "en",
            "zh-min-nan",
            "é",
            "\t",
            "/..",
        ];
        let mut random = XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..3000 {
            let pieces = (random.next_u64() % 8) as usize;
            let raw: String = (0..pieces)
                .map(|_| TRICKY[(random.next_u64() % TRICKY.len() as u64) as usize])
                .collect();
            for capitalize_first in [true, false] {
                let rules = TitleRules { capitalize_first };
                let parsed = parse_title(&raw, &rules);
                if let TitleTarget::Page(title) = &parsed {
                    // Normalising a normalised name changes nothing.
                    assert_eq!(normalize_name(&title.name, &rules), title.name, "{raw:?}");
                    assert!(!title.name.starts_with(' ') && !title.name.ends_with(' '));
                }
                let _ = normalize_name(&raw, &rules);
            }
            let folded = fold_variants(&raw).into_owned();
            assert_eq!(fold_variants(&folded), folded.as_str());
        }
    }
}
