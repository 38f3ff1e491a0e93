//! Quick fixes for the findings on a range: create a missing page, retarget a variant, online
//! or ambiguous link, remove a duplicate category. Links are rewritten by [`link_edit`], as
//! rename does.

use crate::config::Config;
use crate::diagnostics::{self, Code, Finding};
use crate::facts::{LinkFact, LinkKind, LinkTarget};
use crate::ide::link_edit::{self, NewTarget, TextEdit};
use crate::index::{Document, DocumentId, Index};
use crate::layout::{self, Layout};
use crate::resolve::{self, Resolution};
use crate::syntax::{Flavor, Link, Span};
use crate::title::{self, TitleTarget};

/// One quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// The finding it fixes (its code and range, to name the diagnostic in the answer).
    pub fixes: Code,
    pub finding_span: Span,
    pub is_preferred: bool,
    /// A page to create first: root-relative path and its first text.
    pub create_file: Option<(String, String)>,
    /// Edits of the document the action was asked for.
    pub edits: Vec<TextEdit>,
}

/// The quick fixes for the findings of `document` (whose text is `text`) overlapping `range`.
pub fn code_actions(index: &Index, document: &Document, text: &str, range: Span, config: &Config) -> Vec<CodeAction> {
    let findings = diagnostics::document_findings(index, document, config);
    let parsed = index.parse_text(document.flavor, text);
    let mut actions = Vec::new();
    for finding in findings.iter().filter(|finding| overlaps(finding.span, range)) {
        let Some(link) = document.facts.links.iter().find(|link| link.span == finding.span) else {
            continue;
        };
        let Some(parsed_link) = parsed.links.iter().find(|parsed_link| parsed_link.span == link.span) else {
            continue;
        };
        let fix = FixContext {
            index,
            document,
            text,
            finding,
            link,
            parsed_link,
        };
        match finding.code {
            Code::BrokenLink => actions.extend(fix.create_missing_page()),
            Code::VariantLink => actions.extend(fix.retarget_to_found("Link to the existing page")),
            Code::LocalPageLinkedAsUrl => actions.extend(fix.retarget_to_found("Link to the local page")),
            Code::AmbiguousLink => actions.extend(fix.disambiguate()),
            Code::DuplicateCategory => actions.push(fix.remove_duplicate_category()),
            _ => {}
        }
    }
    actions
}

/// Touching counts: a cursor right after a link still gets its fixes.
fn overlaps(span: Span, range: Span) -> bool {
    span.start <= range.end && range.start <= span.end
}

struct FixContext<'a> {
    index: &'a Index,
    document: &'a Document,
    text: &'a str,
    finding: &'a Finding,
    link: &'a LinkFact,
    parsed_link: &'a Link,
}

impl FixContext<'_> {
    fn action(&self, title: String, is_preferred: bool, edits: Vec<TextEdit>) -> CodeAction {
        CodeAction {
            title,
            fixes: self.finding.code,
            finding_span: self.finding.span,
            is_preferred,
            create_file: None,
            edits,
        }
    }

    fn create_missing_page(&self) -> Option<CodeAction> {
        if resolve::resolve_target(self.index, self.document, self.link.target()) != Resolution::Missing {
            return None;
        }
        let (path, title) = match self.link.target() {
            LinkTarget::Title(symbol) => {
                let title_text = self.index.resolve_symbol(symbol);
                let TitleTarget::Page(title) = title::parse_title(title_text, &self.index.settings.rules) else {
                    return None;
                };
                let path = match self.index.settings.layout {
                    Layout::Export => layout::export_path_of_title(&title),
                    Layout::Tree => {
                        let folder = self.document.path.rsplit_once('/').map(|(folder, _)| folder);
                        let extension = self
                            .document
                            .path
                            .rsplit_once('.')
                            .map_or("md", |(_, extension)| extension);
                        let file = format!("{}.{extension}", title.name.replace(' ', "_"));
                        folder.map_or(file.clone(), |folder| format!("{folder}/{file}"))
                    }
                };
                (path, title.full())
            }
            LinkTarget::Path(symbol) => {
                let path = self.index.resolve_symbol(symbol).to_string();
                let title = self
                    .index
                    .settings
                    .layout
                    .title_of_path(&path, &self.index.settings.rules)?
                    .full();
                (path, title)
            }
            LinkTarget::SameDocument | LinkTarget::None => return None,
        };
        if self.index.document_by_path(&path).is_some() {
            return None;
        }
        let flavor = Flavor::from_path(std::path::Path::new(&path))?;
        let heading = match flavor {
            Flavor::Markdown => format!("# {title}\n"),
            Flavor::Wikitext => format!("= {title} =\n"),
        };
        let mut action = self.action(format!("Create page `{title}` at `{path}`"), true, Vec::new());
        action.create_file = Some((path, heading));
        Some(action)
    }

    fn retarget_to_found(&self, what: &str) -> Option<CodeAction> {
        let Resolution::Found(found) = resolve::resolve_target(self.index, self.document, self.link.target()) else {
            return None;
        };
        // Retarget to the page the link reaches first (a redirect stays a redirect).
        let first = found.via_redirect.unwrap_or(found.document);
        let (title, edit) = self.retarget_edit(first)?;
        Some(self.action(format!("{what} `{title}`"), true, vec![edit]))
    }

    fn disambiguate(&self) -> Vec<CodeAction> {
        let Resolution::Ambiguous(candidates) = resolve::resolve_target(self.index, self.document, self.link.target())
        else {
            return Vec::new();
        };
        candidates
            .into_iter()
            .filter_map(|candidate| {
                let (_, edit) = self.retarget_edit(candidate)?;
                let path = self.index.document(candidate)?.path.to_string();
                Some(self.action(format!("Link to `{path}`"), false, vec![edit]))
            })
            .collect()
    }

    /// The edit making the link lead to `page` alone, and the page's title. Title syntaxes write
    /// the title when it names that page alone, else the path without extension, which the
    /// resolver matches as a path suffix.
    fn retarget_edit(&self, page: DocumentId) -> Option<(String, TextEdit)> {
        let page_document = self.index.document(page)?;
        let title = self.index.resolve_symbol(page_document.title?).to_string();
        let title_names_page_alone = matches!(
            resolve::resolve_title(self.index, self.index.interner.get_or_intern(&title)),
            Resolution::Found(found) if found.document == page && found.via_variant.is_none()
        );
        let written_title = if title_names_page_alone {
            title.clone()
        } else {
            layout::strip_wiki_extension(&page_document.path)?.to_string()
        };
        // Exports link aliases by their title's page path, as they link pages.
        let export_path = match self.index.settings.layout {
            Layout::Export if title_names_page_alone => match title::parse_title(&title, &self.index.settings.rules) {
                TitleTarget::Page(parsed) => Some(layout::export_path_of_title(&parsed)),
                _ => None,
            },
            _ => None,
        };
        let target = NewTarget {
            title: &written_title,
            path: export_path.as_deref().unwrap_or(&page_document.path),
        };
        let edit = link_edit::retarget(self.text, &self.document.path, self.parsed_link, target)?;
        Some((title, edit))
    }

    fn remove_duplicate_category(&self) -> CodeAction {
        let span = self.link.span.range();
        let before = self.text.get(..span.start).unwrap_or_default();
        let after = self.text.get(span.end..).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let line_end = after
            .find('\n')
            .map_or(self.text.len(), |newline| span.end + newline + 1);
        let rest_of_line = after.get(..line_end.saturating_sub(span.end)).unwrap_or_default();
        let alone_on_line = before[line_start..].trim().is_empty() && rest_of_line.trim().is_empty();
        let removed = if alone_on_line {
            Span::new(line_start, line_end)
        } else {
            self.link.span
        };
        let category = match self.link.kind() {
            LinkKind::CategoryMembership => resolve::describe_target(self.index, self.link.target()),
            _ => String::new(),
        };
        self.action(
            format!("Remove duplicate category `{category}`"),
            true,
            vec![TextEdit {
                span: removed,
                new_text: String::new(),
            }],
        )
    }
}
