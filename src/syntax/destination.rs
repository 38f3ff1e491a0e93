//! Classifies a link destination (Markdown `(…)` or HTML `href`) as a wiki page reference.
//!
//! Relative paths to wiki files become `MarkdownPath`/`HtmlAnchor`; URLs of the online wiki
//! become `WikiUrl`; everything else (other sites, images, mail) is not a link for us.

use super::decode::{decode, Escapes};
use super::mask::is_backslash_escaped;
use super::{Decoded, LinkSyntax, ParseOptions, Span};
use memchr::memchr;
use std::borrow::Cow;

/// What the Markdown scanner learnt about a bare destination while finding its end.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scanned {
    /// The `#` that starts the fragment, as [`find_unescaped`] would find it.
    pub fragment: Option<usize>,
    /// A backslash, `&` or `%` occurs: decoding may change the target or the anchor.
    pub escapes: bool,
}

/// What a destination points at, with spans in document offsets.
pub(crate) struct Destination {
    pub syntax: LinkSyntax,
    pub target_span: Span,
    pub anchor_span: Option<Span>,
    pub target: Decoded,
    pub anchor: Decoded,
}

const WIKI_FILE_SUFFIXES: [&str; 5] = [".md", ".markdown", ".wiki", ".wikitext", ".mediawiki"];

/// `start..end` is the raw destination (without `<>`). `path_syntax` is the syntax to use
/// for relative paths (`MarkdownPath` or `HtmlAnchor`). `scanned` is what a scan of the
/// destination already found, if any, which then is not searched for again.
pub(crate) fn classify_destination(
    text: &str,
    start: usize,
    end: usize,
    escapes: Escapes,
    path_syntax: LinkSyntax,
    options: &ParseOptions,
    scanned: Option<Scanned>,
) -> Option<Destination> {
    let raw = text.get(start..end)?;
    if raw.is_empty() {
        return None;
    }
    if let Some(title_start) = wiki_url_title_start(raw, options) {
        return wiki_url_destination(text, start, start + title_start, end, escapes, scanned);
    }
    if has_scheme(raw) {
        return None;
    }
    relative_path_destination(text, start, end, escapes, path_syntax, scanned)
}

/// `decode(raw, escapes)`, unless the scan saw nothing that decoding changes.
fn decode_unless_plain(raw: &str, escapes: Escapes, scanned: Option<Scanned>) -> Cow<'_, str> {
    match scanned {
        Some(Scanned { escapes: false, .. }) => Cow::Borrowed(raw),
        _ => decode(raw, escapes),
    }
}

fn relative_path_destination(
    text: &str,
    start: usize,
    end: usize,
    escapes: Escapes,
    path_syntax: LinkSyntax,
    scanned: Option<Scanned>,
) -> Option<Destination> {
    let hash = match scanned {
        Some(scanned) => scanned.fragment,
        None => find_unescaped(text.as_bytes(), start, end, b'#', escapes),
    };
    let path_end = hash.unwrap_or(end);
    let raw_target = text.get(start..path_end)?;
    let target = decode_unless_plain(raw_target, escapes, scanned);
    if path_end > start && !has_wiki_file_suffix(&target) {
        return None;
    }
    let anchor_span = hash.map(|h| Span::new(h + 1, end));
    let raw_anchor = anchor_span.and_then(|s| text.get(s.range()));
    let anchor = raw_anchor.map(|a| decode_unless_plain(a, escapes, scanned));
    if path_end == start && anchor.as_deref().is_none_or(str::is_empty) {
        return None;
    }
    Some(Destination {
        syntax: path_syntax,
        target_span: Span::new(start, path_end),
        anchor_span,
        target: Decoded::keep(target, raw_target),
        anchor: kept_anchor(anchor, raw_anchor),
    })
}

fn kept_anchor(anchor: Option<Cow<'_, str>>, raw_anchor: Option<&str>) -> Decoded {
    match (anchor, raw_anchor) {
        (Some(anchor), Some(raw)) => Decoded::keep(anchor, raw),
        _ => Decoded::AsWritten,
    }
}

fn has_wiki_file_suffix(path: &str) -> bool {
    WIKI_FILE_SUFFIXES
        .iter()
        .any(|suffix| strip_suffix_ignore_case(path, suffix).is_some())
}

fn wiki_url_destination(
    text: &str,
    start: usize,
    title_start: usize,
    end: usize,
    escapes: Escapes,
    scanned: Option<Scanned>,
) -> Option<Destination> {
    let bytes = text.as_bytes();
    let query_form = text.get(start..title_start)?.ends_with("title=");
    let stops: &[u8] = if query_form { b"&#" } else { b"?#" };
    let mut title_end = title_start;
    while title_end < end {
        let b = *bytes.get(title_end)?;
        if stops.contains(&b) && !(escapes == Escapes::Markdown && is_backslash_escaped(bytes, title_end)) {
            break;
        }
        title_end += 1;
    }
    if title_end == title_start {
        return None;
    }
    let hash = find_unescaped(bytes, title_end, end, b'#', escapes);
    let anchor_span = hash.map(|h| Span::new(h + 1, end));
    let raw_anchor = anchor_span.and_then(|s| text.get(s.range()));
    let anchor = raw_anchor.map(|a| decode_unless_plain(a, escapes, scanned));
    let raw_target = text.get(title_start..title_end)?;
    Some(Destination {
        syntax: LinkSyntax::WikiUrl,
        target_span: Span::new(title_start, title_end),
        anchor_span,
        target: Decoded::keep(decode_unless_plain(raw_target, escapes, scanned), raw_target),
        anchor: kept_anchor(anchor, raw_anchor),
    })
}

fn find_unescaped(bytes: &[u8], start: usize, end: usize, needle: u8, escapes: Escapes) -> Option<usize> {
    let mut pos = start;
    while pos < end {
        let at = pos + memchr(needle, bytes.get(pos..end)?)?;
        let escaped = escapes == Escapes::Markdown && is_backslash_escaped(bytes, at);
        if !escaped && !is_numeric_entity_hash(bytes, at) {
            return Some(at);
        }
        pos = at + 1;
    }
    None
}

/// The `#` of `&#39;` is part of a character reference, not a fragment separator.
pub(crate) fn is_numeric_entity_hash(bytes: &[u8], at: usize) -> bool {
    at > 0 && bytes.get(at - 1) == Some(&b'&')
}

/// `http:`, `mailto:`, `//host`: anything that is not a relative path.
fn has_scheme(raw: &str) -> bool {
    if raw.starts_with("//") {
        return true;
    }
    // A scheme is the run of scheme characters the destination starts with, ended by `:`. Most
    // destinations (`../Page/…`) leave that run at once, and only it is read.
    let colon = raw
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
        .count();
    if colon < 2 || raw.as_bytes().get(colon) != Some(&b':') {
        return false;
    }
    let Some(scheme) = raw.get(..colon) else { return false };
    raw.get(colon..).is_some_and(|rest| rest.starts_with("://"))
        || [
            "mailto",
            "data",
            "javascript",
            "tel",
            "news",
            "urn",
            "file",
            "irc",
            "ftp",
        ]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
}

/// Offset within `raw` where the page title starts, if `raw` is a URL of the online wiki.
fn wiki_url_title_start(raw: &str, options: &ParseOptions) -> Option<usize> {
    for base in &options.wiki_base_urls {
        if !base.is_empty() && raw.starts_with(base.as_str()) {
            return Some(base.len());
        }
    }
    // Most destinations are relative paths: only `http…` can be a URL of the wiki.
    if !matches!(raw.as_bytes().first(), Some(b'h' | b'H')) {
        return None;
    }
    let after_scheme =
        strip_prefix_ignore_case(raw, "https://").or_else(|| strip_prefix_ignore_case(raw, "http://"))?;
    let host_len = after_scheme.bytes().position(|b| b == b'/')?;
    if !is_wikipedia_host(after_scheme.get(..host_len)?) {
        return None;
    }
    let path = after_scheme.get(host_len..)?;
    let path_offset = raw.len() - path.len();
    let title_offset = title_offset_in_path(path)?;
    Some(path_offset + title_offset)
}

fn title_offset_in_path(path: &str) -> Option<usize> {
    if path.starts_with("/wiki/") {
        return Some("/wiki/".len());
    }
    for script in ["/w/index.php?", "/index.php?"] {
        if let Some(query) = path.strip_prefix(script) {
            let query_offset = script.len();
            if query.starts_with("title=") {
                return Some(query_offset + "title=".len());
            }
            return query.find("&title=").map(|i| query_offset + i + "&title=".len());
        }
    }
    let segment_end = path.get(1..)?.find('/')? + 1;
    let segment = path.get(1..segment_end)?;
    is_variant_path_segment(segment).then_some(segment_end + 1)
}

/// `zh-hans`, `zh-tw`, `sr-ec`: a language-variant path segment.
fn is_variant_path_segment(segment: &str) -> bool {
    let Some((lang, variant)) = segment.split_once('-') else {
        return false;
    };
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && !variant.is_empty()
        && variant.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `zh.wikipedia.org`, `zh-yue.wikipedia.org`, `en.m.wikipedia.org`.
fn is_wikipedia_host(host: &str) -> bool {
    let Some(prefix) = strip_suffix_ignore_case(host, ".wikipedia.org") else {
        return false;
    };
    let lang = prefix.strip_suffix(".m").unwrap_or(prefix);
    !lang.is_empty() && lang.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `s` without `prefix` (ASCII), compared ignoring ASCII case.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.as_bytes().get(..prefix.len())?;
    // An ASCII prefix that matched ends on a character boundary.
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// `s` without `suffix` (ASCII), compared ignoring ASCII case.
fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let split = s.len().checked_sub(suffix.len())?;
    let tail = s.as_bytes().get(split..)?;
    tail.eq_ignore_ascii_case(suffix.as_bytes())
        .then(|| s.get(..split))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::has_scheme;

    #[test]
    fn schemes_are_a_run_of_scheme_characters_before_the_first_colon() {
        for raw in [
            "http://x",
            "HTTPS://中文",
            "mailto:a@b",
            "tel:1",
            "svn+ssh://x",
            "..://x",
            "//host/a",
        ] {
            assert!(has_scheme(raw), "{raw}");
        }
        for raw in [
            "../Page/A:B.md",
            "a:b",
            "中文:x",
            "x.md",
            "Category:𠀀.md",
            "ab:c/d",
            "h ttp://x",
            "",
            ":",
            "ab",
        ] {
            assert!(!has_scheme(raw), "{raw}");
        }
    }
}
