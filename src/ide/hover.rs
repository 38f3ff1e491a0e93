//! Hover: what the link under the cursor leads to — the page's title, path, first paragraph,
//! categories and backlink count; a category's members; a template's summary; why a link is
//! broken; the heading an anchor names.
//!
//! Page bodies are never kept in the index: the summary is read at hover time through the
//! caller's `read_text` (the editor's copy of an open page, else the disk).

use crate::facts::{LinkFact, LinkKind, LinkTarget, Symbol};
use crate::index::{namespace_of_full_title, Document, DocumentId, Index};
use crate::resolve::{self, Found, Resolution};
use crate::syntax::{self, Span};
use crate::title::Namespace;

/// Characters of a page's first paragraph shown.
pub const SUMMARY_CHARS: usize = 300;
/// Members of a category listed.
pub const LISTED_MEMBERS: usize = 10;

/// A hover: the link it is about and what to show, as paragraphs of styled pieces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub paragraphs: Vec<Vec<Inline>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Code(String),
}

impl Hover {
    /// The hover as Markdown, every piece of text escaped.
    pub fn markdown(&self) -> String {
        self.render(|inline, out| match inline {
            Inline::Text(text) => out.push_str(&escape_markdown(text)),
            Inline::Strong(text) => {
                out.push_str("**");
                out.push_str(&escape_markdown(text));
                out.push_str("**");
            }
            Inline::Code(text) => out.push_str(&code_span(text)),
        })
    }

    pub fn plaintext(&self) -> String {
        self.render(|inline, out| match inline {
            Inline::Text(text) | Inline::Strong(text) | Inline::Code(text) => out.push_str(text),
        })
    }

    fn render(&self, write: impl Fn(&Inline, &mut String)) -> String {
        let mut out = String::new();
        for paragraph in &self.paragraphs {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            for inline in paragraph {
                write(inline, &mut out);
            }
        }
        out
    }
}

/// The hover for the link at `offset` of `document`; `None` off links and on links that lead
/// outside the wiki (interwiki, media). `read_text` gives a document's text by its
/// root-relative path.
pub fn hover(
    index: &Index,
    document: &Document,
    offset: usize,
    read_text: &dyn Fn(&str) -> Option<String>,
) -> Option<Hover> {
    let link = super::definition::link_at(document, offset)?;
    let paragraphs = match link.kind() {
        LinkKind::Media | LinkKind::Interwiki => return None,
        LinkKind::OutsideRoot => vec![vec![
            Inline::Strong("Broken link".to_string()),
            Inline::Text(": the path leaves the workspace".to_string()),
        ]],
        LinkKind::CategoryMembership => category_hover(index, document, link, read_text),
        _ if is_category_title(index, link.target()) => category_hover(index, document, link, read_text),
        _ => page_hover(index, document, link, read_text),
    };
    if paragraphs.is_empty() {
        return None;
    }
    Some(Hover {
        span: link.span,
        paragraphs,
    })
}

fn page_hover(
    index: &Index,
    origin: &Document,
    link: &LinkFact,
    read_text: &dyn Fn(&str) -> Option<String>,
) -> Vec<Vec<Inline>> {
    match resolve::resolve_target(index, origin, link.target()) {
        Resolution::Found(_) if link.target() == LinkTarget::SameDocument => {
            anchor_line(index, origin, link).into_iter().collect()
        }
        Resolution::Found(found) => {
            let Some(target) = index.document(found.document) else {
                return Vec::new();
            };
            let mut paragraphs = vec![title_line(index, &target)];
            paragraphs.extend(how_reached(index, link, &found));
            paragraphs.extend(anchor_line(index, &target, link));
            paragraphs.extend(summary(&target, read_text));
            paragraphs.extend(categories_line(index, &target));
            paragraphs.push(backlinks_line(index, &target, link, &found));
            paragraphs
        }
        Resolution::Missing if link.kind() == LinkKind::OnlinePage => vec![vec![
            Inline::Text("Online page ".to_string()),
            Inline::Code(resolve::describe_target(index, link.target())),
            Inline::Text(", not in this workspace".to_string()),
        ]],
        Resolution::Missing => vec![vec![
            Inline::Strong("Broken link".to_string()),
            Inline::Text(format!(": {}", crate::diagnostics::missing_target(index, link))),
        ]],
        Resolution::Ambiguous(candidates) => {
            let mut line = vec![
                Inline::Strong("Ambiguous link".to_string()),
                Inline::Text(": ".to_string()),
                Inline::Code(resolve::describe_target(index, link.target())),
                Inline::Text(" names ".to_string()),
            ];
            for (number, candidate) in candidates.iter().enumerate() {
                if number > 0 {
                    line.push(Inline::Text(", ".to_string()));
                }
                line.push(Inline::Code(path_of(index, *candidate)));
            }
            vec![line]
        }
        Resolution::BrokenRedirect { redirect, reason } => vec![vec![
            Inline::Strong("Broken link".to_string()),
            Inline::Text(": ".to_string()),
            Inline::Code(resolve::describe_target(index, link.target())),
            Inline::Text(" is a redirect that leads nowhere (".to_string()),
            Inline::Code(path_of(index, redirect)),
            Inline::Text(format!(": {reason})")),
        ]],
    }
}

fn category_hover(
    index: &Index,
    origin: &Document,
    link: &LinkFact,
    read_text: &dyn Fn(&str) -> Option<String>,
) -> Vec<Vec<Inline>> {
    let LinkTarget::Title(category) = link.target() else {
        return Vec::new();
    };
    let page = match resolve::resolve_target(index, origin, link.target()) {
        Resolution::Found(found) => index.document(found.document),
        _ => None,
    };
    let mut heading = vec![Inline::Strong(index.resolve_symbol(category).to_string())];
    match &page {
        Some(page) => {
            heading.push(Inline::Text(" ".to_string()));
            heading.push(Inline::Code(page.path.to_string()));
        }
        None => heading.push(Inline::Text(" (no category page)".to_string())),
    }
    let mut paragraphs = vec![heading];
    if let Some(page) = &page {
        paragraphs.extend(summary(page, read_text));
    }
    paragraphs.push(members_line(index, category));
    paragraphs
}

fn members_line(index: &Index, category: Symbol) -> Vec<Inline> {
    let members = index.category_members(category);
    // A category may hold a hundred thousand pages: names are borrowed from the interner, and
    // only the first few are sorted.
    let mut names: Vec<&str> = members
        .iter()
        .filter_map(|&member| {
            let document = index.document(member)?;
            Some(index.resolve_symbol(document.title.unwrap_or(document.path_symbol)))
        })
        .collect();
    let count = names.len();
    if count > LISTED_MEMBERS {
        names.select_nth_unstable(LISTED_MEMBERS);
        names.truncate(LISTED_MEMBERS);
    }
    names.sort_unstable();
    let mut line = vec![Inline::Text(match count {
        _ if !index.links_complete() => format!("{count} members so far (still indexing)"),
        1 => "1 member".to_string(),
        count => format!("{count} members"),
    })];
    for (number, name) in names.iter().take(LISTED_MEMBERS).enumerate() {
        line.push(Inline::Text(if number == 0 { ": " } else { ", " }.to_string()));
        line.push(Inline::Strong((*name).to_string()));
    }
    if count > LISTED_MEMBERS {
        line.push(Inline::Text(format!(", … ({} more)", count - LISTED_MEMBERS)));
    }
    line
}

fn title_line(index: &Index, target: &Document) -> Vec<Inline> {
    vec![
        Inline::Strong(display_name(index, target.id)),
        Inline::Text(" ".to_string()),
        Inline::Code(target.path.to_string()),
    ]
}

fn how_reached(index: &Index, link: &LinkFact, found: &Found) -> Vec<Vec<Inline>> {
    let mut lines = Vec::new();
    if let Some(variant) = found.via_variant {
        lines.push(vec![
            Inline::Text("Written ".to_string()),
            Inline::Code(resolve::describe_target(index, link.target())),
            Inline::Text(", found as its Traditional/Simplified variant ".to_string()),
            Inline::Code(index.resolve_symbol(variant).to_string()),
        ]);
    }
    if let Some(redirect) = found.via_redirect {
        lines.push(vec![
            Inline::Text("Through the redirect ".to_string()),
            Inline::Code(path_of(index, redirect)),
        ]);
    }
    lines
}

fn anchor_line(index: &Index, target: &Document, link: &LinkFact) -> Option<Vec<Inline>> {
    let anchor = link.anchor()?;
    Some(match resolve::anchor_heading(index, target, anchor) {
        Some(heading) => vec![
            Inline::Text("Section ".to_string()),
            Inline::Strong(index.resolve_symbol(heading.anchor).to_string()),
            Inline::Text(format!(" (line {})", heading.start.line + 1)),
        ],
        None => vec![
            Inline::Strong("Broken anchor".to_string()),
            Inline::Text(": no heading ".to_string()),
            Inline::Code(index.resolve_symbol(anchor).to_string()),
        ],
    })
}

fn summary(target: &Document, read_text: &dyn Fn(&str) -> Option<String>) -> Option<Vec<Inline>> {
    let text = read_text(&target.path)?;
    let paragraph = syntax::first_paragraph(&text, target.flavor, SUMMARY_CHARS);
    (!paragraph.is_empty()).then(|| vec![Inline::Text(paragraph)])
}

fn categories_line(index: &Index, target: &Document) -> Option<Vec<Inline>> {
    let mut categories: Vec<&str> = Vec::new();
    for link in &target.facts.links {
        if let (LinkKind::CategoryMembership, LinkTarget::Title(category)) = (link.kind(), link.target()) {
            let name = index.resolve_symbol(category);
            let name = name.split_once(':').map_or(name, |(_, name)| name);
            if !categories.contains(&name) {
                categories.push(name);
            }
        }
    }
    if categories.is_empty() {
        return None;
    }
    let mut line = vec![Inline::Text("Categories: ".to_string())];
    for (number, category) in categories.iter().enumerate() {
        if number > 0 {
            line.push(Inline::Text(" · ".to_string()));
        }
        line.push(Inline::Text((*category).to_string()));
    }
    Some(line)
}

/// How many documents link to the page. A page link counts them as the backlinks lens,
/// `check --orphans` and `wikils graph` do ([`crate::graph::page_backlinks`]: through redirects
/// and variants, confirmed by the resolver), so hover and lens never disagree; a template counts
/// the documents writing its title or path, or the redirect the link went through.
fn backlinks_line(index: &Index, target: &Document, link: &LinkFact, found: &Found) -> Vec<Inline> {
    if !index.links_complete() {
        return vec![Inline::Text("Backlinks: still indexing".to_string())];
    }
    let count = if link.kind() == LinkKind::Template {
        template_uses(index, target, link, found)
    } else {
        crate::graph::page_backlinks(index, target).documents.len()
    };
    let text = match (link.kind(), count) {
        (LinkKind::Template, 1) => "Used by 1 document".to_string(),
        (LinkKind::Template, count) => format!("Used by {count} documents"),
        (_, 1) => "1 document links here".to_string(),
        (_, count) => format!("{count} documents link here"),
    };
    vec![Inline::Text(text)]
}

fn template_uses(index: &Index, target: &Document, link: &LinkFact, found: &Found) -> usize {
    let redirect = found.via_redirect.and_then(|redirect| index.document(redirect));
    let mut names: Vec<Symbol> = vec![target.path_symbol];
    names.extend(target.title);
    if let LinkTarget::Title(written) | LinkTarget::Path(written) = link.target() {
        names.push(written);
    }
    if let Some(redirect) = &redirect {
        names.push(redirect.path_symbol);
        names.extend(redirect.title);
    }
    names.sort_unstable();
    names.dedup();
    let lists: Vec<Vec<DocumentId>> = names
        .into_iter()
        .map(|name| index.backlinks(name))
        .filter(|list| !list.is_empty())
        .collect();
    // Each list holds a document once; only a union of several needs deduplicating.
    if lists.len() == 1 {
        lists[0].len()
    } else {
        let mut linking: Vec<DocumentId> = lists.into_iter().flatten().collect();
        linking.sort_unstable();
        linking.dedup();
        linking.len()
    }
}

fn is_category_title(index: &Index, target: LinkTarget) -> bool {
    match target {
        LinkTarget::Title(title) => namespace_of_full_title(index.resolve_symbol(title)) == Namespace::Category,
        _ => false,
    }
}

fn path_of(index: &Index, id: DocumentId) -> String {
    index
        .document(id)
        .map(|document| document.path.to_string())
        .unwrap_or_default()
}

fn display_name(index: &Index, id: DocumentId) -> String {
    index
        .document(id)
        .map(|document| match document.title {
            Some(title) => index.resolve_symbol(title).to_string(),
            None => document.path.to_string(),
        })
        .unwrap_or_default()
}

fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(
            character,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!'
        ) {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// A Markdown code span that holds `text` whatever backticks it contains.
fn code_span(text: &str) -> String {
    let longest_run = text
        .split(|character| character != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let padding = if longest_run > 0 { " " } else { "" };
    format!("{fence}{padding}{text}{padding}{fence}")
}
