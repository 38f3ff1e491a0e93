//! Turns matched `[[…]]` and `{{…}}` into links: trimming, leading colons and anchors, and
//! telling template uses apart from parser functions and magic words.

use super::decode::{decode, Escapes};
use super::destination::is_numeric_entity_hash;
use super::{Decoded, Link, LinkSyntax, Span};
use memchr::memchr;

/// Parser functions written `{{name:args}}` (case-insensitive); `#`-functions are caught earlier.
const PARSER_FUNCTIONS: [&str; 32] = [
    "lc",
    "uc",
    "lcfirst",
    "ucfirst",
    "urlencode",
    "anchorencode",
    "fullurl",
    "fullurle",
    "localurl",
    "localurle",
    "canonicalurl",
    "canonicalurle",
    "filepath",
    "ns",
    "nse",
    "int",
    "formatnum",
    "grammar",
    "gender",
    "plural",
    "padleft",
    "padright",
    "msgnw",
    "msg",
    "raw",
    "bidi",
    "special",
    "speciale",
    "tag",
    "pagesincategory",
    "numberingroup",
    "language",
];

/// Magic words (case-sensitive), used bare (`{{PAGENAME}}`) or with a colon (`{{DEFAULTSORT:x}}`).
const MAGIC_WORDS: [&str; 52] = [
    "!",
    "=",
    "PAGENAME",
    "PAGENAMEE",
    "FULLPAGENAME",
    "FULLPAGENAMEE",
    "BASEPAGENAME",
    "SUBPAGENAME",
    "ROOTPAGENAME",
    "TALKPAGENAME",
    "SUBJECTPAGENAME",
    "ARTICLEPAGENAME",
    "NAMESPACE",
    "NAMESPACEE",
    "NAMESPACENUMBER",
    "TALKSPACE",
    "SUBJECTSPACE",
    "SITENAME",
    "SERVER",
    "SERVERNAME",
    "SCRIPTPATH",
    "STYLEPATH",
    "CURRENTYEAR",
    "CURRENTMONTH",
    "CURRENTMONTHNAME",
    "CURRENTDAY",
    "CURRENTDAY2",
    "CURRENTDOW",
    "CURRENTDAYNAME",
    "CURRENTTIME",
    "CURRENTHOUR",
    "CURRENTWEEK",
    "CURRENTTIMESTAMP",
    "LOCALYEAR",
    "LOCALMONTH",
    "LOCALDAY",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "NUMBEROFARTICLES",
    "NUMBEROFPAGES",
    "NUMBEROFFILES",
    "NUMBEROFUSERS",
    "NUMBEROFEDITS",
    "REVISIONID",
    "REVISIONUSER",
    "REVISIONTIMESTAMP",
    "PAGEID",
    "DEFAULTSORT",
    "DEFAULTSORTKEY",
    "DISPLAYTITLE",
    "PAGESIZE",
    "CONTENTLANGUAGE",
];

/// Families of date and statistics variables (`CURRENTMONTHABBREV`, `NUMBEROFADMINS`, ...).
const MAGIC_WORD_FAMILIES: [&str; 4] = ["CURRENT", "LOCAL", "NUMBEROF", "REVISION"];

fn is_magic_word(name: &str) -> bool {
    MAGIC_WORDS.contains(&name)
        || (MAGIC_WORD_FAMILIES.iter().any(|family| name.starts_with(family))
            && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// Namespaces whose links may carry a caption spanning lines.
const FILE_NAMESPACES: [&str; 10] = [
    "file:",
    "image:",
    "文件:",
    "檔案:",
    "档案:",
    "图像:",
    "圖像:",
    "ファイル:",
    "画像:",
    "datei:",
];

/// Redirect keywords after `#`, compared case-insensitively.
const REDIRECT_KEYWORDS: [&str; 9] = [
    "redirect",
    "重定向",
    "重新導向",
    "重新导向",
    "redirección",
    "weiterleitung",
    "転送",
    "リダイレクト",
    "перенаправление",
];

fn is_wikitext_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

fn trim_range(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && bytes.get(start).copied().is_some_and(is_wikitext_space) {
        start += 1;
    }
    while end > start && bytes.get(end - 1).copied().is_some_and(is_wikitext_space) {
        end -= 1;
    }
    (start, end)
}

fn contains_newline(bytes: &[u8], start: usize, end: usize) -> bool {
    memchr(b'\n', bytes.get(start..end).unwrap_or(&[])).is_some()
}

/// `[[start+2 .. pipe-or-close]]`, trimmed, without a leading colon: the written target.
fn strip_leading_colon(bytes: &[u8], start: usize, end: usize) -> (usize, usize, bool) {
    let (a, b) = trim_range(bytes, start, end);
    if a < b && bytes.get(a) == Some(&b':') {
        let (a, b) = trim_range(bytes, a + 1, b);
        return (a, b, true);
    }
    (a, b, false)
}

/// The `#` starting the anchor, skipping the `#` of numeric character references.
fn first_fragment_hash(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let mut pos = start;
    while pos < end {
        let at = pos + memchr(b'#', bytes.get(pos..end)?)?;
        if !is_numeric_entity_hash(bytes, at) {
            return Some(at);
        }
        pos = at + 1;
    }
    None
}

/// What a link keeps of a wikitext title or anchor as written.
fn decoded(raw: &str) -> Decoded {
    Decoded::keep(decode(raw, Escapes::HtmlOrWikitext), raw)
}

/// The link for `[[…]]` from `start` (the `[[`) to `close` (the `]]`), if it is one.
pub(crate) fn double_bracket_link(text: &str, start: usize, pipe: Option<usize>, close: usize) -> Option<Link> {
    let bytes = text.as_bytes();
    let (a, b, leading_colon) = strip_leading_colon(bytes, start + 2, pipe.unwrap_or(close));
    if contains_newline(bytes, a, b) {
        return None;
    }
    let hash = first_fragment_hash(bytes, a, b);
    let (target_end, anchor_span) = match hash {
        Some(h) => {
            let (_, target_end) = trim_range(bytes, a, h);
            let (x, y) = trim_range(bytes, h + 1, b);
            (target_end, (x < y).then(|| Span::new(x, y)))
        }
        None => (b, None),
    };
    if a == target_end && anchor_span.is_none() {
        return None;
    }
    let anchor_decoded = match anchor_span {
        Some(span) => decoded(text.get(span.range())?),
        None => Decoded::AsWritten,
    };
    Some(Link {
        syntax: LinkSyntax::DoubleBracket,
        span: Span::new(start, close + 2),
        label: pipe.map(|p| Span::new(p + 1, close)),
        target_span: Span::new(a, target_end),
        anchor_span,
        target_decoded: decoded(text.get(a..target_end)?),
        anchor_decoded,
        leading_colon,
    })
}

/// The link for `{{…}}` from `start` to `close` (the `}}`), unless it is no template use.
pub(crate) fn template_link(text: &str, start: usize, pipe: Option<usize>, close: usize) -> Option<Link> {
    let bytes = text.as_bytes();
    let (mut a, b, leading_colon) = strip_leading_colon(bytes, start + 2, pipe.unwrap_or(close));
    if a == b || contains_newline(bytes, a, b) {
        return None;
    }
    for _ in 0..2 {
        let name = text.get(a..b)?;
        if name.starts_with('#') {
            return None;
        }
        let Some(colon) = name.find(':') else {
            if is_magic_word(name) {
                return None;
            }
            break;
        };
        let prefix = name.get(..colon)?.trim();
        if prefix.eq_ignore_ascii_case("subst") || prefix.eq_ignore_ascii_case("safesubst") {
            a = trim_range(bytes, a + colon + 1, b).0;
            continue;
        }
        if is_magic_word(prefix) || PARSER_FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(prefix)) {
            return None;
        }
        break;
    }
    if a == b {
        return None;
    }
    Some(Link {
        syntax: LinkSyntax::Template,
        span: Span::new(start, close + 2),
        label: None,
        target_span: Span::new(a, b),
        anchor_span: None,
        target_decoded: decoded(text.get(a..b)?),
        anchor_decoded: Decoded::AsWritten,
        leading_colon,
    })
}

/// True when `[[start+2 .. pipe` names a file, whose caption may span lines.
pub(crate) fn is_file_target(text: &str, start: usize, pipe: usize) -> bool {
    let bytes = text.as_bytes();
    let (a, b, _) = strip_leading_colon(bytes, start + 2, pipe);
    let Some(target) = text.get(a..b) else {
        return false;
    };
    let Some(colon) = memchr(b':', target.as_bytes()) else {
        return false;
    };
    let Some(namespace) = target.get(..=colon) else {
        return false;
    };
    FILE_NAMESPACES.iter().any(|ns| namespace.eq_ignore_ascii_case(ns))
}

/// Byte length of the prefix of `haystack` equal to `needle` ignoring case, if it matches.
fn starts_with_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let mut consumed = 0;
    let mut hay_chars = haystack.chars();
    for expected in needle.chars() {
        let actual = hay_chars.next()?;
        if !actual.to_lowercase().eq(expected.to_lowercase()) {
            return None;
        }
        consumed += actual.len_utf8();
    }
    Some(consumed)
}

/// For a document starting with `#REDIRECT [[…` : the directive start and the `[[` offset.
pub(crate) fn redirect_directive(text: &str) -> Option<(usize, usize)> {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let rest = text.get(bom..)?;
    let directive_start = bom + (rest.len() - rest.trim_start().len());
    let after_hash = text.get(directive_start..)?.strip_prefix('#')?;
    let keyword_len = REDIRECT_KEYWORDS
        .iter()
        .find_map(|k| starts_with_ignore_case(after_hash, k))?;
    let bytes = text.as_bytes();
    let mut pos = directive_start + 1 + keyword_len;
    let skip_spaces = |mut p: usize| {
        while bytes.get(p).copied().is_some_and(is_wikitext_space) {
            p += 1;
        }
        p
    };
    pos = skip_spaces(pos);
    if bytes.get(pos) == Some(&b':') {
        pos = skip_spaces(pos + 1);
    }
    let brackets = bytes.get(pos..)?.iter().take_while(|&&b| b == b'[').count();
    (brackets >= 2).then_some((directive_start, pos + brackets - 2))
}
