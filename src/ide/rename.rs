//! Rename: a page (its file, its title heading and every link to it, in each link's own syntax)
//! or a heading (its text and every `#anchor` naming it); and the link edits for a page file the
//! editor moves itself.
//!
//! Links that reach the page through a redirect keep naming the redirect: the redirect is
//! rewritten instead, so they still arrive. A symlinked redirect cannot be edited as text; it is
//! replaced by a redirect page (`#REDIRECT [[New title]]`) at the same path.
//!
//! A `[[Old title]]` link without a label becomes `[[New title]]`: a rename says the page's name
//! changed, and readers should see the new one. Labels, anchors and sort keys are kept.

use crate::facts::{LinkFact, LinkKind, LinkTarget};
use crate::ide::definition::link_at;
use crate::ide::link_edit::{self, NewTarget, TextEdit};
use crate::ide::references::{self, document_or_fresh, ReferenceTarget};
use crate::index::{Document, DocumentId, Index, SymlinkTarget};
use crate::layout::{self, Layout};
use crate::resolve::{self, Resolution};
use crate::syntax::{LinkSyntax, Span};
use crate::title::{self, Namespace, Title, TitleTarget};

/// The text of a document by root-relative path: the editor's when it is open, else the disk's.
pub type DocumentTexts<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// Everything a rename changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenamePlan {
    /// The page file's move, root-relative `(old, new)`; `None` for headings and moved files.
    pub file_rename: Option<(String, String)>,
    /// Text edits per document, by its path before the move, in path order; edits in a
    /// document never overlap and are in document order.
    pub edits: Vec<(String, Vec<TextEdit>)>,
    /// Symlinked redirects to replace by a redirect page: path and the page's text.
    pub replaced_symlinks: Vec<(String, String)>,
}

/// What a rename at a position renames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Renamed {
    Page(DocumentId),
    Heading { page: DocumentId, heading: usize },
}

/// The range to rename at `offset` and the current name, or why nothing can be renamed there.
pub fn prepare_rename(index: &Index, document: &Document, text: &str, offset: usize) -> Result<(Span, String), String> {
    let renamed = renamed_at(index, document, text, offset)?;
    let parsed = index.parse_text(document.flavor, text);
    if let Some(link) = link_at(document, offset) {
        let span = parsed
            .links
            .iter()
            .find(|parsed_link| parsed_link.span == link.span)
            .map_or(link.span, |parsed_link| match renamed {
                Renamed::Heading { .. } => parsed_link.anchor_span.unwrap_or(parsed_link.span),
                Renamed::Page(_) => parsed_link.target_span,
            });
        return Ok((span, current_name(index, document, renamed)));
    }
    if let Some(heading) = parsed.headings.iter().find(|heading| heading.span.contains(offset)) {
        return Ok((heading.text_span, current_name(index, document, renamed)));
    }
    let line_end = text.find(['\n', '\r']).unwrap_or(text.len());
    Ok((Span::new(0, line_end), current_name(index, document, renamed)))
}

fn current_name(index: &Index, fresh: &Document, renamed: Renamed) -> String {
    match renamed {
        Renamed::Page(page) => document_or_fresh(index, fresh, page)
            .and_then(|page| page.title)
            .map(|title| index.resolve_symbol(title).to_string())
            .unwrap_or_default(),
        Renamed::Heading { page, heading } => document_or_fresh(index, fresh, page)
            .and_then(|page| page.facts.headings.get(heading).map(|heading| heading.anchor))
            .map(|anchor| index.resolve_symbol(anchor).to_string())
            .unwrap_or_default(),
    }
}

fn renamed_at(index: &Index, document: &Document, text: &str, offset: usize) -> Result<Renamed, String> {
    if let Some(link) = link_at(document, offset) {
        match link.kind() {
            LinkKind::Media => return Err("cannot rename media: files are not part of the workspace".to_string()),
            LinkKind::Interwiki => return Err("cannot rename a page of another wiki".to_string()),
            LinkKind::OutsideRoot => return Err("cannot rename a file outside the workspace".to_string()),
            LinkKind::OnlinePage => {
                return Err("cannot rename through a link to the online wiki; rename the local page".to_string())
            }
            LinkKind::Page | LinkKind::Template | LinkKind::Redirect | LinkKind::CategoryMembership => {}
        }
        if link.target() == LinkTarget::SameDocument {
            let heading = link
                .anchor()
                .and_then(|anchor| resolve::anchor_heading(index, document, anchor))
                .ok_or("this page has no heading by that anchor")?;
            let position = document
                .facts
                .headings
                .iter()
                .position(|candidate| candidate == heading);
            return position
                .map(|heading| Renamed::Heading {
                    page: document.id,
                    heading,
                })
                .ok_or_else(|| "this page has no heading by that anchor".to_string());
        }
        return match resolve::resolve_target(index, document, link.target()) {
            Resolution::Found(found) => Ok(Renamed::Page(found.document)),
            Resolution::Missing => Err(format!(
                "no page `{}` to rename",
                resolve::describe_target(index, link.target())
            )),
            Resolution::Ambiguous(_) => Err("the link is ambiguous: say which page it means first".to_string()),
            Resolution::BrokenRedirect { reason, .. } => Err(format!("the link leads to a broken redirect ({reason})")),
        };
    }
    match references::target_at(index, document, text, offset) {
        Some(ReferenceTarget::Page(page)) => Ok(Renamed::Page(page)),
        Some(ReferenceTarget::Heading { page, heading }) => Ok(Renamed::Heading { page, heading }),
        Some(ReferenceTarget::Missing(_)) | None => {
            Err("nothing to rename here: put the cursor on a link, a heading or the page's title".to_string())
        }
    }
}

/// Renames what is at `offset` in `document` (whose text is `text`) to `new_name`.
pub fn rename(
    index: &Index,
    document: &Document,
    text: &str,
    offset: usize,
    new_name: &str,
    texts: &DocumentTexts,
) -> Result<RenamePlan, String> {
    match renamed_at(index, document, text, offset)? {
        Renamed::Page(page) => rename_page(index, document, page, new_name, texts),
        Renamed::Heading { page, heading } => rename_heading(index, document, page, heading, new_name, texts),
    }
}

fn rename_page(
    index: &Index,
    fresh: &Document,
    page: DocumentId,
    new_name: &str,
    texts: &DocumentTexts,
) -> Result<RenamePlan, String> {
    let page_document = document_or_fresh(index, fresh, page).ok_or("the page is no longer in the workspace")?;
    let old_title = page_document
        .title
        .map(|title| index.resolve_symbol(title).to_string())
        .ok_or("this file is not a page of the wiki")?;
    let new_title = new_page_title(index, &old_title, new_name)?;
    let new_title_text = new_title.full();
    if new_title_text == old_title {
        return Err(format!("the page is already called `{old_title}`"));
    }
    check_no_collision(index, page, &new_title_text)?;
    let new_path = new_page_path(index, &page_document.path, &new_title)?;
    if index.document_by_path(&new_path).is_some() {
        return Err(format!("`{new_path}` already exists"));
    }
    let mut plan = links_to_new_target(index, fresh, &page_document, &new_title, &new_path, texts);
    plan.file_rename = Some((page_document.path.to_string(), new_path));
    Ok(plan)
}

/// The edits after which every link to `page` (and its title heading) names `new_title` at
/// `new_path`.
fn links_to_new_target(
    index: &Index,
    fresh: &Document,
    page: &Document,
    new_title: &Title,
    new_path: &str,
    texts: &DocumentTexts,
) -> RenamePlan {
    let new_title_text = new_title.full();
    // Export links name pages and aliases alike by their title's page path.
    let link_path = match index.settings.layout {
        Layout::Export => layout::export_path_of_title(new_title),
        Layout::Tree => new_path.to_string(),
    };
    let target = NewTarget {
        title: &new_title_text,
        path: &link_path,
    };
    let mut edits = DocumentEdits::default();
    references::for_each_link_to_page(index, fresh, page.id, |document, link| {
        // The first page the link reaches is this one, not a redirect on the way.
        let direct = matches!(
            resolve::resolve_target(index, document, link.target()),
            Resolution::Found(found) if found.via_redirect.unwrap_or(found.document) == page.id
        );
        if direct && link.kind() != LinkKind::OnlinePage {
            edits.rewrite_link(index, document, link, texts, |text, parsed| match parsed.syntax {
                // A category's URL names the online page; only its title part changes.
                LinkSyntax::WikiUrl => Some(TextEdit {
                    span: parsed.target_span,
                    new_text: new_title_text.replace(' ', "_"),
                }),
                _ => link_edit::retarget(text, &document.path, parsed, target),
            });
        }
    });
    if let Some(heading) = references::title_heading(index, page) {
        let heading_text = index.resolve_symbol(heading.anchor);
        let new_heading = match heading_text.contains(':') {
            true => new_title_text.clone(),
            false => new_title.name.clone(),
        };
        edits.rewrite_heading(index, page, heading.span, &new_heading, texts);
    }
    let mut replaced_symlinks = Vec::new();
    for candidate in page_symlinks(index, page) {
        replaced_symlinks.push((candidate, format!("#REDIRECT [[{new_title_text}]]\n")));
    }
    RenamePlan {
        file_rename: None,
        edits: edits.finish(),
        replaced_symlinks,
    }
}

/// The symlinked redirects whose link points at `page` itself.
fn page_symlinks(index: &Index, page: &Document) -> Vec<String> {
    let mut names = vec![page.path_symbol];
    names.extend(page.title);
    let mut symlinks: Vec<String> = names
        .into_iter()
        .flat_map(|name| index.backlinks_of(name))
        .filter_map(|candidate| index.document(candidate))
        .filter(|candidate| match candidate.symlink.as_deref() {
            Some(SymlinkTarget::Target(target)) => {
                matches!(resolve::resolve_target(index, candidate, *target), Resolution::Found(found) if found.document == page.id && found.via_redirect.is_none())
            }
            _ => false,
        })
        .map(|candidate| candidate.path.to_string())
        .collect();
    symlinks.sort();
    symlinks.dedup();
    symlinks
}

/// The new title a user typed, in the page's namespace when no other is given.
fn new_page_title(index: &Index, old_title: &str, new_name: &str) -> Result<Title, String> {
    let new_name = new_name.trim();
    if new_name.is_empty() {
        return Err("the new name is empty".to_string());
    }
    let old_namespace = crate::index::namespace_of_full_title(old_title);
    let parsed = match title::parse_title(new_name, &index.settings.rules) {
        TitleTarget::Page(parsed) => parsed,
        TitleTarget::Invalid(reason) => return Err(format!("`{new_name}` is not a valid title: {reason}")),
        TitleTarget::Interwiki { .. } => return Err(format!("`{new_name}` names a page of another wiki")),
    };
    match (parsed.namespace, old_namespace) {
        (Namespace::Main, old) if old != Namespace::Main => Ok(Title::new(old, parsed.name)),
        (new, old) if new != old => Err(format!(
            "`{new_name}` is in another namespace: moving pages between namespaces is not supported"
        )),
        _ => Ok(parsed),
    }
}

/// Rejects a title another page has, exactly or in the other script.
fn check_no_collision(index: &Index, page: DocumentId, new_title: &str) -> Result<(), String> {
    let existing = index
        .interner
        .get(new_title)
        .map(|symbol| index.documents_titled(symbol));
    if existing.is_some_and(|documents| documents.iter().any(|&document| document != page)) {
        return Err(format!("a page `{new_title}` already exists"));
    }
    for similar in index.titles_folding_like(new_title) {
        let others: Vec<DocumentId> = index
            .documents_titled(similar)
            .into_iter()
            .filter(|&id| id != page)
            .collect();
        if !others.is_empty() {
            let similar = index.resolve_symbol(similar);
            return Err(format!(
                "a page `{similar}` already exists (the same title in the other Chinese script)"
            ));
        }
    }
    Ok(())
}

/// Where the renamed page's file goes: the export's file for the title, or in a tree the same
/// folder and extension with the new name.
fn new_page_path(index: &Index, old_path: &str, new_title: &Title) -> Result<String, String> {
    match index.settings.layout {
        // An alias stays among the aliases.
        Layout::Export if old_path.starts_with(&format!("{}/", layout::REDIRECT_FOLDER)) => Ok(format!(
            "{}/{}.md",
            layout::REDIRECT_FOLDER,
            new_title.name.replace(' ', "_")
        )),
        Layout::Export => Ok(layout::export_path_of_title(new_title)),
        Layout::Tree => {
            if new_title.name.contains('/') {
                return Err("a page name in a folder tree cannot contain `/`".to_string());
            }
            let (folder, file) = old_path
                .rsplit_once('/')
                .map_or(("", old_path), |(folder, file)| (folder, file));
            let extension = file.rsplit_once('.').map_or("md", |(_, extension)| extension);
            // Tree files are named by their full title (`Category:X.wiki`).
            let name = new_title.full().replace(' ', "_");
            Ok(match folder {
                "" => format!("{name}.{extension}"),
                folder => format!("{folder}/{name}.{extension}"),
            })
        }
    }
}

fn rename_heading(
    index: &Index,
    fresh: &Document,
    page: DocumentId,
    heading: usize,
    new_name: &str,
    texts: &DocumentTexts,
) -> Result<RenamePlan, String> {
    let new_name = new_name.trim();
    if new_name.is_empty() {
        return Err("the new name is empty".to_string());
    }
    if let Some(bad) = new_name
        .chars()
        .find(|c| matches!(c, '#' | '|' | '[' | ']' | '{' | '}') || c.is_control())
    {
        return Err(format!("a heading cannot contain `{bad}`"));
    }
    let page_document = document_or_fresh(index, fresh, page).ok_or("the page is no longer in the workspace")?;
    let heading_fact = *page_document.facts.headings.get(heading).ok_or("the heading is gone")?;
    let new_key = crate::facts::anchor_key(new_name);
    let clash = page_document
        .facts
        .headings
        .iter()
        .any(|other| other.span != heading_fact.span && index.resolve_symbol(other.anchor) == new_key);
    if clash {
        return Err(format!("this page already has a heading `{new_key}`"));
    }
    let mut edits = DocumentEdits::default();
    edits.rewrite_heading(index, &page_document, heading_fact.span, new_name, texts);
    references::for_each_link_to_heading(index, fresh, &page_document, &heading_fact, |document, link| {
        let by_slug = link.anchor() == Some(heading_fact.slug) && link.anchor() != Some(heading_fact.anchor);
        edits.rewrite_link(index, document, link, texts, |_, parsed| {
            link_edit::rewrite_anchor(parsed, new_name, by_slug)
        });
    });
    Ok(RenamePlan {
        file_rename: None,
        edits: edits.finish(),
        replaced_symlinks: Vec::new(),
    })
}

/// The link edits for a page file the editor moves from `old_path` to `new_path` itself
/// (`workspace/willRenameFiles`): no file operation, every link to it rewritten. Empty when
/// the file is no page, or the new path names no page.
pub fn file_moved(index: &Index, old_path: &str, new_path: &str, texts: &DocumentTexts) -> RenamePlan {
    let Some(page) = index.document_by_path(old_path) else {
        return RenamePlan::default();
    };
    let Some(new_title) = index.settings.layout.title_of_path(new_path, &index.settings.rules) else {
        return RenamePlan::default();
    };
    links_to_new_target(index, &page, &page, &new_title, new_path, texts)
}

/// Edits collected per document, each document's text parsed once.
#[derive(Default)]
struct DocumentEdits {
    by_path: std::collections::BTreeMap<String, EditedDocument>,
}

/// A document's parse and text (when it could be read) and the edits made to it so far.
type EditedDocument = (Option<crate::syntax::Parsed>, Option<String>, Vec<TextEdit>);

impl DocumentEdits {
    fn entry(&mut self, index: &Index, document: &Document, texts: &DocumentTexts) -> &mut EditedDocument {
        self.by_path.entry(document.path.to_string()).or_insert_with(|| {
            let text = texts(&document.path);
            let parsed = text.as_deref().map(|text| index.parse_text(document.flavor, text));
            (parsed, text, Vec::new())
        })
    }

    fn rewrite_link(
        &mut self,
        index: &Index,
        document: &Document,
        link: &LinkFact,
        texts: &DocumentTexts,
        edit: impl FnOnce(&str, &crate::syntax::Link) -> Option<TextEdit>,
    ) {
        let (parsed, text, edits) = self.entry(index, document, texts);
        let (Some(parsed), Some(text)) = (parsed.as_ref(), text.as_deref()) else {
            return;
        };
        // The index's facts and the text just read agree when the link is at the same place.
        let Some(parsed_link) = parsed.links.iter().find(|candidate| candidate.span == link.span) else {
            return;
        };
        if let Some(new_edit) = edit(text, parsed_link) {
            edits.push(new_edit);
        }
    }

    fn rewrite_heading(
        &mut self,
        index: &Index,
        page: &Document,
        heading: Span,
        new_text: &str,
        texts: &DocumentTexts,
    ) {
        let (parsed, _, edits) = self.entry(index, page, texts);
        let Some(parsed) = parsed.as_ref() else { return };
        if let Some(found) = parsed.headings.iter().find(|candidate| candidate.span == heading) {
            edits.push(TextEdit {
                span: found.text_span,
                new_text: new_text.to_string(),
            });
        }
    }

    fn finish(self) -> Vec<(String, Vec<TextEdit>)> {
        self.by_path
            .into_iter()
            .filter_map(|(path, (_, text, mut edits))| {
                // Links already written as they should be (a tree page moved to another folder
                // keeps its title) need no edit.
                let text = text.unwrap_or_default();
                edits.retain(|edit| text.get(edit.span.range()) != Some(edit.new_text.as_str()));
                edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
                edits.dedup();
                (!edits.is_empty()).then_some((path, edits))
            })
            .collect()
    }
}
