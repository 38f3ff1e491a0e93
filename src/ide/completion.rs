//! Completion of link targets and anchors while a link is typed: after `[[`, `[[Category:`,
//! `{{`, `[Category:` and `](../Page/`, and after the `#` of a link target.
//!
//! Each item replaces exactly the text typed since the link opened (or since the last `/` or
//! `#`) with the target written in the syntax being typed, closing the link unless the editor
//! already closed it. Matching is by prefix, then fuzzy, Traditional/Simplified-insensitive,
//! through the [`CompletionTable`].

use std::path::Path;

use crate::facts::{anchor_key, LinkTarget, Symbol};
use crate::ide::completion_table::{self, CompletionTable, TitleMatch};
use crate::index::{Document, Index};
use crate::layout::{self, Layout};
use crate::resolve::{self, Resolution};
use crate::syntax::{Flavor, Span};
use crate::title::{self, Namespace, TitleTarget};

/// Where the Markdown export's category links point when no other wiki is configured.
const DEFAULT_WIKI_BASE_URL: &str = "https://zh.wikipedia.org/wiki/";

/// Editors show this many; more matches mark the list incomplete so the editor asks again.
pub const MAX_COMPLETION_ITEMS: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Page,
    Redirect,
    Category,
    Template,
    Heading,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows: the full title, or the heading text.
    pub label: String,
    pub kind: CompletionKind,
    /// The byte range the item replaces: exactly what was typed.
    pub replace: Span,
    pub insert_text: String,
    /// What the editor should filter by: the typed text, then the label, so that matches found
    /// by folding or fuzzy matching (内地 for 內地) are not dropped by the editor's own filter.
    pub filter_text: String,
    /// The document the item names, root-relative, for a preview on resolve.
    pub document_path: Option<String>,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    /// More items match than are listed: the editor must ask again as typing goes on.
    pub incomplete: bool,
}

/// The syntax being typed, which decides how an item is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LinkSyntax {
    /// `[[Title]]`; the prefix (`Category:`, `:分类:`) is kept as typed.
    DoubleBracket,
    /// `{{Name}}`.
    Template,
    /// `[Category:Name](https://zh.wikipedia.org/wiki/Category:Name "wikilink")`, the Markdown
    /// export's category link.
    MarkdownLabel,
    /// `](../Page/Name.md "wikilink")`: only the file name is typed.
    MarkdownPath,
}

#[derive(Debug)]
enum Context<'text> {
    Title {
        syntax: LinkSyntax,
        namespace: Namespace,
        /// Written before the name and kept (`Category:` in `[[Category:`).
        written_prefix: &'text str,
        /// The name typed so far.
        typed_name: &'text str,
        replace: Span,
        /// For Markdown paths: the folder the file must be in (`Page`), so that aliases in
        /// `Redirect/` are not offered as `../Page/Alias.md`.
        export_folder: Option<&'text str>,
    },
    Anchor {
        syntax: LinkSyntax,
        target: AnchorTarget<'text>,
        typed_anchor: &'text str,
        replace: Span,
    },
}

#[derive(Debug)]
enum AnchorTarget<'text> {
    SameDocument,
    Title(&'text str),
    /// A relative path as written (still escaped).
    Path(&'text str),
}

/// Completions at `offset` of `text`. `text` must hold at least the cursor's whole line (link
/// contexts never span lines), and `offset` is a byte offset into it; returned ranges are
/// offsets into `text`. `document_path` is the root-relative path of the document typed in.
pub fn completions(
    index: &Index,
    table: &CompletionTable,
    document_path: &str,
    text: &str,
    offset: usize,
) -> Completions {
    let Some(offset) = (offset <= text.len() && text.is_char_boundary(offset)).then_some(offset) else {
        return Completions::default();
    };
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |at| at + 1);
    let line_end = text[offset..].find(['\n', '\r']).map_or(text.len(), |at| offset + at);
    let before = &text[line_start..offset];
    let after = &text[offset..line_end];
    let flavor = Flavor::from_path(Path::new(document_path)).unwrap_or(Flavor::Markdown);
    let Some(context) = find_context(index, before, line_start, flavor, document_path) else {
        return Completions::default();
    };
    match context {
        Context::Title {
            syntax,
            namespace,
            written_prefix,
            typed_name,
            replace,
            export_folder,
        } => {
            let request = TitleRequest {
                syntax,
                namespace,
                written_prefix,
                typed_name,
                replace,
                export_folder,
                after,
                wiki_base_url: index.settings.wiki_base_urls.first().map(String::as_str),
            };
            title_completions(index, table, &request)
        }
        Context::Anchor {
            syntax,
            target,
            typed_anchor,
            replace,
        } => anchor_completions(index, document_path, syntax, &target, typed_anchor, replace, after),
    }
}

/// Tries each kind of link opener and keeps the one nearest the cursor.
fn find_context<'text>(
    index: &Index,
    before: &'text str,
    line_start: usize,
    flavor: Flavor,
    document_path: &str,
) -> Option<Context<'text>> {
    let mut found: Vec<(usize, Context<'text>)> = Vec::new();
    found.extend(double_bracket_context(index, before, line_start));
    found.extend(template_context(before, line_start));
    if flavor == Flavor::Markdown && index.settings.layout == Layout::Export {
        found.extend(markdown_label_context(index, before, line_start));
        found.extend(markdown_path_context(index, before, line_start, document_path));
    }
    found
        .into_iter()
        .max_by_key(|(opener, _)| *opener)
        .map(|(_, context)| context)
}

fn span_of(line_start: usize, start_in_line: usize, end_in_line: usize) -> Span {
    Span::new(line_start + start_in_line, line_start + end_in_line)
}

/// Completing the anchor typed up to the cursor, which is the end of the line's text before it
/// (`before_length`): the typed anchor is replaced.
fn anchor_context<'text>(
    syntax: LinkSyntax,
    target: AnchorTarget<'text>,
    typed_anchor: &'text str,
    line_start: usize,
    before_length: usize,
) -> Context<'text> {
    Context::Anchor {
        syntax,
        target,
        typed_anchor,
        replace: span_of(line_start, before_length - typed_anchor.len(), before_length),
    }
}

/// `[[typed`, `[[Category:typed`, `[[Target#typed`, `[[#typed`.
fn double_bracket_context<'text>(
    index: &Index,
    before: &'text str,
    line_start: usize,
) -> Option<(usize, Context<'text>)> {
    let opener = before.rfind("[[")?;
    let typed_start = opener + 2;
    let typed = &before[typed_start..];
    if typed.contains(['[', ']', '|', '{', '}']) {
        return None;
    }
    if let Some((target, typed_anchor)) = typed.split_once('#') {
        let target = if target.trim().is_empty() {
            AnchorTarget::SameDocument
        } else {
            AnchorTarget::Title(target)
        };
        let context = anchor_context(
            LinkSyntax::DoubleBracket,
            target,
            typed_anchor,
            line_start,
            before.len(),
        );
        return Some((opener, context));
    }
    let (namespace, prefix_len) = namespace_prefix(index, typed);
    let context = Context::Title {
        syntax: LinkSyntax::DoubleBracket,
        namespace,
        written_prefix: &typed[..prefix_len],
        typed_name: &typed[prefix_len..],
        replace: span_of(line_start, typed_start, before.len()),
        export_folder: None,
    };
    Some((opener, context))
}

/// `{{typed`: a template name, written without its `Template:` prefix.
fn template_context(before: &str, line_start: usize) -> Option<(usize, Context<'_>)> {
    let opener = before.rfind("{{")?;
    let typed_start = opener + 2;
    let typed = &before[typed_start..];
    if typed.contains(['[', ']', '|', '{', '}', '#']) {
        return None;
    }
    let context = Context::Title {
        syntax: LinkSyntax::Template,
        namespace: Namespace::Template,
        written_prefix: "",
        typed_name: typed,
        replace: span_of(line_start, typed_start, before.len()),
        export_folder: None,
    };
    Some((opener, context))
}

/// `[Category:typed` in a Markdown export, where category links are Markdown links labelled
/// with the category's title.
fn markdown_label_context<'text>(
    index: &Index,
    before: &'text str,
    line_start: usize,
) -> Option<(usize, Context<'text>)> {
    let opener = before.rfind('[')?;
    let typed_start = opener + 1;
    let typed = &before[typed_start..];
    if before[..opener].ends_with('[') || typed.contains(['[', ']', '|', '{', '}', '(', ')']) {
        return None;
    }
    let (namespace, prefix_len) = namespace_prefix(index, typed);
    if namespace != Namespace::Category {
        return None;
    }
    let context = Context::Title {
        syntax: LinkSyntax::MarkdownLabel,
        namespace,
        written_prefix: &typed[..prefix_len],
        typed_name: &typed[prefix_len..],
        replace: span_of(line_start, typed_start, before.len()),
        export_folder: None,
    };
    Some((opener, context))
}

/// `](../Page/typed`, `](../Category/typed`, and `](../Page/X.md#typed` or `](#typed`.
fn markdown_path_context<'text>(
    index: &Index,
    before: &'text str,
    line_start: usize,
    document_path: &str,
) -> Option<(usize, Context<'text>)> {
    let opener = before.rfind("](")?;
    let destination_start = opener + 2;
    let destination = &before[destination_start..];
    let without_escapes = destination.replace("\\(", "").replace("\\)", "");
    if without_escapes.contains([' ', '"', '(', ')', '<', '>']) {
        return None;
    }
    if let Some((path, typed_anchor)) = destination.split_once('#') {
        let target = if path.is_empty() {
            AnchorTarget::SameDocument
        } else {
            AnchorTarget::Path(path)
        };
        let context = anchor_context(LinkSyntax::MarkdownPath, target, typed_anchor, line_start, before.len());
        return Some((opener, context));
    }
    let folder_end = destination.rfind('/')?;
    let folder_path = &destination[..folder_end];
    let typed_start = destination_start + folder_end + 1;
    // The namespace is whatever a file in that folder would be titled in.
    let probe = layout::join_relative(document_path, &format!("{folder_path}/X.md"))?;
    let title = index.settings.layout.title_of_path(&probe, &index.settings.rules)?;
    let folder = folder_path.rsplit('/').next().unwrap_or(folder_path);
    let context = Context::Title {
        syntax: LinkSyntax::MarkdownPath,
        namespace: title.namespace,
        written_prefix: "",
        typed_name: &before[typed_start..],
        replace: span_of(line_start, typed_start, before.len()),
        export_folder: Some(folder),
    };
    Some((opener, context))
}

/// The namespace a typed target starts with (`Category:`, `分类:`, `:Category:`), and how many
/// bytes the prefix takes; the main namespace and 0 when it names none.
fn namespace_prefix(index: &Index, typed: &str) -> (Namespace, usize) {
    let Some(colon) = typed.find(':') else {
        return (Namespace::Main, 0);
    };
    let leading_colon = usize::from(typed.starts_with(':'));
    let Some(next_colon) = typed[leading_colon..].find(':').map(|at| at + leading_colon) else {
        return (Namespace::Main, 0);
    };
    let candidate = &typed[leading_colon..next_colon];
    if candidate.is_empty() {
        return (Namespace::Main, colon.min(leading_colon));
    }
    match title::parse_title(&format!("{candidate}:X"), &index.settings.rules) {
        TitleTarget::Page(title) if title.namespace != Namespace::Main => (title.namespace, next_colon + 1),
        _ => (Namespace::Main, leading_colon),
    }
}

struct TitleRequest<'a> {
    syntax: LinkSyntax,
    namespace: Namespace,
    written_prefix: &'a str,
    typed_name: &'a str,
    replace: Span,
    export_folder: Option<&'a str>,
    /// The rest of the line after the cursor.
    after: &'a str,
    /// The first configured online wiki, for category links of Markdown exports.
    wiki_base_url: Option<&'a str>,
}

fn title_completions(index: &Index, table: &CompletionTable, request: &TitleRequest) -> Completions {
    let typed_name = unescape_markdown(request.typed_name);
    let accept_alias = request.export_folder != Some("Page");
    let accept = |found: &TitleMatch| accept_alias || !found.alias_only;
    let (matches, incomplete) = table.matching_titles(request.namespace, &typed_name, MAX_COMPLETION_ITEMS, &accept);
    let typed_text = format!("{}{}", request.written_prefix, request.typed_name);
    let items = matches
        .iter()
        .map(|found| {
            let full_title = index.resolve_symbol(found.title);
            let name = full_title.get(found.name_start..).unwrap_or(full_title);
            let insert_text = write_title(request, full_title, name);
            let (kind, document_path) = describe_title(index, found.title, request.namespace);
            CompletionItem {
                label: full_title.to_string(),
                kind: if found.alias_only {
                    CompletionKind::Redirect
                } else {
                    kind
                },
                replace: request.replace,
                filter_text: format!(
                    "{typed_text}{}",
                    match request.syntax {
                        LinkSyntax::DoubleBracket | LinkSyntax::MarkdownLabel => full_title,
                        LinkSyntax::Template | LinkSyntax::MarkdownPath => name,
                    }
                ),
                insert_text,
                detail: document_path.clone(),
                document_path,
            }
        })
        .collect();
    Completions { items, incomplete }
}

/// The target as the syntax being typed writes it, closed unless the editor already closed it.
fn write_title(request: &TitleRequest, full_title: &str, name: &str) -> String {
    let after = request.after;
    match request.syntax {
        LinkSyntax::DoubleBracket => {
            let close = if after.starts_with([']', '|', '#']) { "" } else { "]]" };
            format!("{}{name}{close}", request.written_prefix)
        }
        LinkSyntax::Template => {
            let close = if after.starts_with(['}', '|']) { "" } else { "}}" };
            format!("{name}{close}")
        }
        LinkSyntax::MarkdownLabel => {
            if after.starts_with(']') {
                return format!("{}{name}", request.written_prefix);
            }
            // The export links categories to the online wiki, not to `Category/` files.
            let base = request.wiki_base_url.unwrap_or(DEFAULT_WIKI_BASE_URL);
            format!(
                "{}{name}]({base}{} \"wikilink\")",
                request.written_prefix,
                full_title.replace(' ', "_")
            )
        }
        LinkSyntax::MarkdownPath => {
            let close = if after.starts_with(')') { "" } else { ")" };
            if after.starts_with([' ', '"', '#']) {
                return format!("{}.md", escape_path_name(name));
            }
            format!("{}.md \"wikilink\"{close}", escape_path_name(name))
        }
    }
}

/// The kind of item a title is, and the path of the document defining it.
fn describe_title(index: &Index, title: Symbol, namespace: Namespace) -> (CompletionKind, Option<String>) {
    let documents = index.documents_titled(title);
    let document = documents
        .iter()
        .filter_map(|&id| index.document(id))
        .min_by_key(|document| {
            // Prefer the page itself over an alias of the same name.
            (document.is_redirect(), document.path.clone())
        });
    let kind = match namespace {
        Namespace::Category => CompletionKind::Category,
        Namespace::Template => CompletionKind::Template,
        _ if document.as_ref().is_some_and(|document| document.is_redirect()) => CompletionKind::Redirect,
        _ => CompletionKind::Page,
    };
    (kind, document.map(|document| document.path.to_string()))
}

/// A title in an export file name: spaces as `_`, parentheses escaped for Markdown.
fn escape_path_name(name: &str) -> String {
    name.replace(' ', "_").replace('(', "\\(").replace(')', "\\)")
}

fn unescape_markdown(text: &str) -> String {
    text.replace("\\(", "(").replace("\\)", ")")
}

fn anchor_completions(
    index: &Index,
    document_path: &str,
    syntax: LinkSyntax,
    target: &AnchorTarget,
    typed_anchor: &str,
    replace: Span,
    after: &str,
) -> Completions {
    let Some(page) = anchor_page(index, document_path, target) else {
        return Completions::default();
    };
    let folding = index.settings.variant_folding;
    let query = completion_table::match_key(&unescape_markdown(typed_anchor), folding);
    let mut items: Vec<(bool, CompletionItem)> = page
        .facts
        .headings
        .iter()
        .filter_map(|heading| {
            let text = index.resolve_symbol(heading.anchor);
            let key = completion_table::match_key(text, folding);
            let prefix = key.starts_with(&query);
            if !prefix && !completion_table::is_subsequence(&query, &key) {
                return None;
            }
            let insert_text = match syntax {
                LinkSyntax::MarkdownPath => {
                    let close = if after.starts_with([')', ' ', '"']) {
                        ""
                    } else {
                        " \"wikilink\")"
                    };
                    format!("{}{close}", escape_path_name(&anchor_key(text)))
                }
                _ => {
                    let close = if after.starts_with([']', '|']) { "" } else { "]]" };
                    format!("{text}{close}")
                }
            };
            let item = CompletionItem {
                label: text.to_string(),
                kind: CompletionKind::Heading,
                replace,
                insert_text,
                filter_text: format!("{typed_anchor}{text}"),
                document_path: None,
                detail: Some(format!("{} {}", "#".repeat(usize::from(heading.level)), page.path)),
            };
            Some((prefix, item))
        })
        .collect();
    // Prefix matches first; headings otherwise stay in document order.
    items.sort_by_key(|(prefix, _)| !prefix);
    let incomplete = items.len() > MAX_COMPLETION_ITEMS;
    let items = items
        .into_iter()
        .map(|(_, item)| item)
        .take(MAX_COMPLETION_ITEMS)
        .collect();
    Completions { items, incomplete }
}

/// The page whose headings an anchor may name, through redirects and variants.
fn anchor_page(index: &Index, document_path: &str, target: &AnchorTarget) -> Option<std::sync::Arc<Document>> {
    let resolution = match target {
        AnchorTarget::SameDocument => return index.document_by_path(document_path),
        AnchorTarget::Title(raw) => match title::parse_title(raw, &index.settings.rules) {
            TitleTarget::Page(title) if !title.name.is_empty() => resolve_title_text(index, &title.full()),
            _ => return None,
        },
        AnchorTarget::Path(raw) => {
            let joined = layout::join_relative(document_path, &unescape_markdown(raw))?;
            match index.path_target(&joined) {
                LinkTarget::Title(title) => resolve::resolve_title(index, title),
                LinkTarget::Path(path) => match index.document_id_by_path_symbol(path) {
                    Some(id) => return index.document(id),
                    None => return None,
                },
                LinkTarget::SameDocument | LinkTarget::None => return None,
            }
        }
    };
    match resolution {
        Resolution::Found(found) => index.document(found.document),
        _ => None,
    }
}

/// Resolves a title given as text, without interning what is being typed: a title nobody has
/// written yet is only found through its variants.
fn resolve_title_text(index: &Index, title: &str) -> Resolution {
    if let Some(symbol) = index.interner.get(title) {
        return resolve::resolve_title(index, symbol);
    }
    match index.titles_folding_like(title).as_slice() {
        [only] => resolve::resolve_title(index, *only),
        _ => Resolution::Missing,
    }
}

/// The first `count` non-empty lines of a page, for a completion item's documentation.
pub fn preview_lines(text: &str, count: usize) -> String {
    text.lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty())
        .take(count)
        .collect::<Vec<_>>()
        .join("\n")
}
