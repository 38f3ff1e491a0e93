//! Wiki syntax: turns the text of one document into links, headings and problems. Pure: no I/O, never fails.
//!
//! Both flavors are handled by one entry point, [`parse`]. Markdown documents (Wikipedia exports)
//! contain Markdown links, HTML anchors, wiki URLs *and* double-bracket links; MediaWiki documents
//! contain double-bracket links, templates and redirects. Regions that are not markup (code,
//! `<nowiki>`, `<pre>`, `<math>`, comments, ...) are masked first, so no link is ever found there.
//!
//! All ranges are byte offsets into the parsed text. A link's target and anchor are read from the
//! text through their spans ([`Link::target`]); only the few that escapes change (`\(`, `%20`,
//! `&amp;`) keep a decoded copy, so a link costs no allocation. Heading text is owned.

mod decode;
mod destination;
mod heading;
mod heading_text;
mod markdown;
mod mask;
mod mask_blocks;
mod summary;
mod wikilink;
mod wikitext;

pub use summary::first_paragraph;

#[cfg(test)]
mod tests;

/// A half-open byte range `start..end` into a document's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset <= (self.end as usize)
    }
}

/// Which markup language a document is written in, decided by its file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// `.md` (and `.markdown`): Markdown with wiki links in all syntaxes.
    Markdown,
    /// `.wiki`, `.wikitext`, `.mediawiki`.
    Wikitext,
}

impl Flavor {
    /// The flavor for a file name, or `None` when the file is not a wiki document.
    pub fn from_path(path: &std::path::Path) -> Option<Flavor> {
        Flavor::from_extension(path.extension()?.to_str()?)
    }

    /// The flavor for a file extension without its dot (`md`, `wiki`, …), case-insensitive.
    pub fn from_extension(extension: &str) -> Option<Flavor> {
        const MARKDOWN: [&str; 2] = ["md", "markdown"];
        const WIKITEXT: [&str; 3] = ["wiki", "wikitext", "mediawiki"];
        if MARKDOWN.iter().any(|known| extension.eq_ignore_ascii_case(known)) {
            Some(Flavor::Markdown)
        } else if WIKITEXT.iter().any(|known| extension.eq_ignore_ascii_case(known)) {
            Some(Flavor::Wikitext)
        } else {
            None
        }
    }
}

/// What the parser needs to know beyond the text.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    pub flavor: Flavor,
    /// Extra base URLs of the online wiki, e.g. `https://wiki.example.org/wiki/`. URLs of the form
    /// `http(s)://<lang>.wikipedia.org/wiki/` (and `/zh-hans/`, `/zh-tw/`, ... variant paths, and
    /// `<lang>.m.wikipedia.org`) are always recognised.
    pub wiki_base_urls: Vec<String>,
}

impl ParseOptions {
    pub fn new(flavor: Flavor) -> ParseOptions {
        ParseOptions {
            flavor,
            wiki_base_urls: Vec::new(),
        }
    }
}

/// How a link is written. The index resolves every kind through the same resolver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkSyntax {
    /// `[label](../Page/Title.md "wikilink")`, `[label](<Other page.md>)`, `[x](#fragment)`:
    /// a Markdown link whose destination is a relative path to a `.md` file, or only a fragment.
    MarkdownPath,
    /// `<a href="../Page/X.md" title="wikilink">label</a>`.
    HtmlAnchor,
    /// `[label](https://zh.wikipedia.org/wiki/Title "wikilink")`: a link to the page on the online wiki.
    WikiUrl,
    /// `[[Target#Section|label]]`, `[[Category:X|sort]]`, `[[:Category:X]]`, `[[File:...]]`.
    DoubleBracket,
    /// `{{Name|args}}`: a use of `Template:Name`.
    Template,
    /// `#REDIRECT [[Target]]` (also `#重定向`): the whole directive.
    Redirect,
}

/// One link found in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub syntax: LinkSyntax,
    /// The whole link, e.g. `[label](../Page/X.md "wikilink")` or `[[X|y]]` or `{{X|a}}`.
    pub span: Span,
    /// The label text as written (`label` in `[label](…)`, `y` in `[[X|y]]`), if any.
    pub label: Option<Span>,
    /// The target as written, without the `#anchor` part: `../Page/X.md`, `X`, `Category:X`,
    /// the title part of a wiki URL, the template name. Empty (start == end) for `[[#Section]]`.
    pub target_span: Span,
    /// The anchor as written, without the `#`.
    pub anchor_span: Option<Span>,
    /// The target decoded, when decoding changes it; see [`Link::target`].
    target_decoded: Decoded,
    /// The anchor decoded, when decoding changes it; see [`Link::anchor`].
    anchor_decoded: Decoded,
    /// `[[:Category:X]]`: the leading colon makes it a link rather than a membership.
    pub leading_colon: bool,
}

/// A link's target or anchor as a reader means it. Most are the text as written, read through
/// their span; only those that escapes change keep the decoded copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Decoded {
    #[default]
    AsWritten,
    Changed(Box<str>),
}

impl Decoded {
    fn read<'t>(&'t self, text: &'t str, span: Span) -> &'t str {
        match self {
            Decoded::AsWritten => text.get(span.range()).unwrap_or(""),
            Decoded::Changed(decoded) => decoded,
        }
    }
}

impl Link {
    /// The decoded target: Markdown backslash escapes (`\(` → `(`), `%XX` and HTML entities
    /// decoded. For `MarkdownPath`/`HtmlAnchor` this is the decoded relative path
    /// (`../Page/X_(y).md`); for the other kinds it is the raw title text (`Category:X`,
    /// `Foo bar`), not yet normalised (that is `title`'s job). `text` is the text that was parsed.
    pub fn target<'t>(&'t self, text: &'t str) -> &'t str {
        self.target_decoded.read(text, self.target_span)
    }

    /// The decoded anchor, without the `#`. `text` is the text that was parsed.
    pub fn anchor<'t>(&'t self, text: &'t str) -> Option<&'t str> {
        let span = self.anchor_span?;
        Some(self.anchor_decoded.read(text, span))
    }
}

/// One heading (ATX `## x`, setext `x\n===`, or wikitext `== x ==`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// The whole heading line(s), without the line ending.
    pub span: Span,
    /// The heading's text as written, without markers and surrounding spaces.
    pub text_span: Span,
    /// The heading's text with inline markup reduced to what a reader sees
    /// (`== [[Foo|bar]] ''baz'' ==` → `bar baz`); anchors are computed from this.
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// `[[` without its `]]`.
    UnclosedLink,
    /// `{{` without its `}}`.
    UnclosedTemplate,
}

/// Broken markup. Parsing never fails; it reports problems instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Where the construct starts (e.g. the `[[`) up to where the parser gave up.
    pub span: Span,
}

/// Everything the parser finds in one document, each list in document order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub links: Vec<Link>,
    pub headings: Vec<Heading>,
    pub problems: Vec<Problem>,
    /// `-{zh-cn:…; zh-tw:…}-` language-variant blocks.
    pub variant_blocks: Vec<Span>,
}

/// A region that is not markup: a comment, or literal text (a code block or span, `<pre>`,
/// `<nowiki>`…). Editors fold the ones spanning several lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiteralRegion {
    pub span: Span,
    pub is_comment: bool,
}

/// The comments and literal regions of a document, in order, as [`parse`] skips them.
pub fn literal_regions(text: &str, flavor: Flavor) -> Vec<LiteralRegion> {
    if u32::try_from(text.len()).is_err() {
        return Vec::new();
    }
    mask::Mask::compute(text, flavor)
        .ranges()
        .iter()
        .map(|range| LiteralRegion {
            span: Span::new(range.start, range.end),
            is_comment: range.kind == mask::MaskKind::Comment,
        })
        .collect()
}
/// Problems kept per document, the first ones in document order. A page of a million `{{`
/// would otherwise carry 666,667 unclosed-template problems: tens of megabytes in the index
/// and a diagnostics answer no editor can show. Real pages have a handful.
pub const MAX_PROBLEMS_PER_DOCUMENT: usize = 1000;

/// Parses a document. Never panics, whatever the input.
pub fn parse(text: &str, options: &ParseOptions) -> Parsed {
    if u32::try_from(text.len()).is_err() {
        return Parsed::default();
    }
    let mask = mask::Mask::compute(text, options.flavor);
    // Room for the links of a typical page up front (an export page has one per ~100 bytes), so
    // the list is not copied over and over while it grows; capped, since a big page without
    // links would only reserve memory for nothing.
    let mut parsed = Parsed {
        links: Vec::with_capacity((text.len() / 96).min(1 << 16)),
        ..Parsed::default()
    };
    if options.flavor == Flavor::Markdown {
        markdown::collect_markdown_links(text, &mask, options, &mut parsed.links);
    }
    wikitext::collect_wikitext(text, &mask, options.flavor, &mut parsed);
    parsed
        .links
        .sort_by_key(|l| (l.span.start, std::cmp::Reverse(l.span.end)));
    parsed.problems.sort_by_key(|p| (p.span.start, p.span.end));
    parsed.problems.truncate(MAX_PROBLEMS_PER_DOCUMENT);
    parsed.variant_blocks.sort();
    parsed.headings = heading::collect_headings(text, &mask, options.flavor, &parsed.links);
    parsed
}
