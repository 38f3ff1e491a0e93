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

/// `\(` → `(`: a backslash before ASCII punctuation escapes it (CommonMark). Byte by byte
/// between backslashes: only ASCII bytes are removed, so the rest stays valid UTF-8 and is
/// copied a run at a time (a tenth of an export's links have `\(` `\)` in their targets).
pub(crate) fn remove_backslash_escapes(raw: &str) -> Cow<'_, str> {
    let bytes = raw.as_bytes();
    let Some(first) = memchr::memchr(b'\\', bytes) else {
        return Cow::Borrowed(raw);
    };
    let mut out = String::with_capacity(raw.len());
    // `copied` is where the bytes not yet copied start; `at` is a backslash.
    let (mut copied, mut at) = (0, first);
    loop {
        let escapes = bytes.get(at + 1).is_some_and(u8::is_ascii_punctuation);
        let resume = if escapes {
            out.push_str(raw.get(copied..at).unwrap_or(""));
            // The escaped character is copied with the next run.
            copied = at + 1;
            at + 2
        } else {
            at + 1
        };
        match bytes.get(resume..).and_then(|rest| memchr::memchr(b'\\', rest)) {
            Some(offset) => at = resume + offset,
            None => break,
        }
    }
    out.push_str(raw.get(copied..).unwrap_or(""));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::remove_backslash_escapes;

    #[test]
    fn backslashes_escape_ascii_punctuation_only() {
        for (raw, expected) in [
            ("", ""),
            ("plain 中文", "plain 中文"),
            ("A_\\(b\\).md", "A_(b).md"),
            ("\\\\(", "\\("),
            ("\\\\\\(", "\\("),
            ("\\中\\𠀀", "\\中\\𠀀"),
            ("x\\", "x\\"),
            ("\\a\\#\\", "\\a#\\"),
            ("\\(\\)", "()"),
        ] {
            assert_eq!(remove_backslash_escapes(raw), expected, "{raw:?}");
        }
    }
}
