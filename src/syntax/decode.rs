//! Decoding of link targets: Markdown backslash escapes, HTML entities and `%XX` sequences.
//!
//! Each step only allocates when its marker byte occurs, so plain targets cost no copy.

use std::borrow::Cow;

use super::Decoded;

/// Which escapes the written form of a target can contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Escapes {
    /// A Markdown link destination: backslash escapes, entities, percent-encoding.
    Markdown,
    /// An HTML attribute or wikitext title: entities and percent-encoding.
    HtmlOrWikitext,
}

/// `raw` with its escapes decoded; borrowed when there is nothing to decode.
pub(crate) fn decode(raw: &str, escapes: Escapes) -> Cow<'_, str> {
    if memchr::memchr3(b'\\', b'&', b'%', raw.as_bytes()).is_none() {
        return Cow::Borrowed(raw);
    }
    let unescaped = match escapes {
        Escapes::Markdown => remove_backslash_escapes(raw),
        Escapes::HtmlOrWikitext => Cow::Borrowed(raw),
    };
    let entities = if unescaped.contains('&') {
        Cow::Owned(html_escape::decode_html_entities(unescaped.as_ref()).into_owned())
    } else {
        unescaped
    };
    if entities.contains('%') {
        // Borrowed: no `%XX` to decode; an error: the bytes are no UTF-8, so `%` stays.
        if let Ok(Cow::Owned(decoded)) = percent_encoding::percent_decode_str(&entities).decode_utf8() {
            return Cow::Owned(decoded);
        }
    }
    entities
}

impl Decoded {
    /// What a link keeps of `decode(raw, …)`: nothing when it reads as written.
    pub(crate) fn keep(decoded: Cow<'_, str>, raw: &str) -> Decoded {
        match decoded {
            Cow::Owned(changed) if changed != raw => Decoded::Changed(changed.into_boxed_str()),
            _ => Decoded::AsWritten,
        }
    }
}

/// `\(` → `(`: a backslash before ASCII punctuation escapes it (CommonMark).
pub(crate) fn remove_backslash_escapes(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next.is_ascii_punctuation() {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    Cow::Owned(out)
}
