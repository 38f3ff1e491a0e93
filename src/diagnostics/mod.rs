//! Diagnostics: the rules, their stable codes, and the findings for one document.
//!
//! `wikils check` and the language server both call [`document_findings`]; only the output differs.

use serde::Serialize;

use crate::config::Config;
use crate::facts::{LinkFact, LinkKind, LinkTarget};
use crate::index::{Document, DocumentId, Index, SymlinkTarget};
use crate::layout::Layout;
use crate::resolve::{self, Resolution};
use crate::syntax::{LinkSyntax, ProblemKind, Span};
use crate::text::Position;
use crate::title::Namespace;

/// A rule's stable code, as written in output and in `wikils.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    BrokenLink,
    BrokenAnchor,
    VariantLink,
    AmbiguousLink,
    BrokenRedirect,
    LocalPageLinkedAsUrl,
    UnclosedLink,
    UnclosedTemplate,
    DuplicateCategory,
    /// An article no other page links to (`wikils check --orphans`; off by default).
    OrphanPage,
}

impl Code {
    pub const ALL: [Code; 10] = [
        Code::BrokenLink,
        Code::BrokenAnchor,
        Code::VariantLink,
        Code::AmbiguousLink,
        Code::BrokenRedirect,
        Code::LocalPageLinkedAsUrl,
        Code::UnclosedLink,
        Code::UnclosedTemplate,
        Code::DuplicateCategory,
        Code::OrphanPage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Code::BrokenLink => "broken-link",
            Code::BrokenAnchor => "broken-anchor",
            Code::VariantLink => "variant-link",
            Code::AmbiguousLink => "ambiguous-link",
            Code::BrokenRedirect => "broken-redirect",
            Code::LocalPageLinkedAsUrl => "local-page-linked-as-url",
            Code::UnclosedLink => "unclosed-link",
            Code::UnclosedTemplate => "unclosed-template",
            Code::DuplicateCategory => "duplicate-category",
            Code::OrphanPage => "orphan-page",
        }
    }

    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.name() == name)
    }

    /// Whether the rule reports without being named in `wikils.toml`. Orphans are a property of
    /// the whole wiki that many wikis accept, so that rule waits to be asked for.
    pub fn on_by_default(self) -> bool {
        self != Code::OrphanPage
    }

    pub fn default_severity(self) -> Severity {
        match self {
            Code::BrokenLink | Code::BrokenRedirect => Severity::Error,
            Code::BrokenAnchor
            | Code::AmbiguousLink
            | Code::UnclosedLink
            | Code::UnclosedTemplate
            | Code::DuplicateCategory
            | Code::OrphanPage => Severity::Warning,
            Code::VariantLink => Severity::Information,
            Code::LocalPageLinkedAsUrl => Severity::Hint,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "info",
            Severity::Hint => "hint",
        }
    }
}

/// Another place a finding refers to (the candidates of an ambiguous link, a broken redirect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub path: String,
    pub start: Position,
    pub end: Position,
    pub message: String,
}

/// One diagnostic in one document. Positions are UTF-16; `span` is the byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub span: Span,
    pub start: Position,
    pub end: Position,
    pub message: String,
    pub related: Vec<Related>,
    /// The link target to write instead, when there is an obvious one.
    pub suggestion: Option<String>,
}

/// Every finding of one document, in document order.
pub fn document_findings(index: &Index, document: &Document, config: &Config) -> Vec<Finding> {
    let mut checker = Checker {
        index,
        document,
        config,
        findings: Vec::new(),
        link_at: Default::default(),
    };
    checker.check_symlink();
    checker.check_links();
    checker.check_problems();
    checker
        .findings
        .sort_by_key(|finding| (finding.span.start, finding.span.end, finding.code));
    checker.findings
}

struct Checker<'a> {
    index: &'a Index,
    document: &'a Document,
    config: &'a Config,
    findings: Vec<Finding>,
    /// The positions of the link being checked (links keep theirs packed, read in order).
    link_at: (Position, Position),
}

impl Checker<'_> {
    fn report(&mut self, code: Code, at: (Span, Position, Position), message: String) -> Option<&mut Finding> {
        let severity = self.config.severity(code)?;
        let (span, start, end) = at;
        self.findings.push(Finding {
            code,
            severity,
            span,
            start,
            end,
            message,
            related: Vec::new(),
            suggestion: None,
        });
        self.findings.last_mut()
    }

    /// Where a finding about `link`, the link being checked, goes.
    fn at(&self, link: &LinkFact) -> (Span, Position, Position) {
        (link.span, self.link_at.0, self.link_at.1)
    }

    fn check_symlink(&mut self) {
        let Some(symlink) = self.document.symlink.as_deref() else {
            return;
        };
        let whole_file = (Span::default(), Position::default(), Position::default());
        let message = match symlink {
            SymlinkTarget::Broken(reason) => format!("broken redirect: {reason}"),
            SymlinkTarget::Target(target) => match resolve::resolve_target(self.index, self.document, *target) {
                Resolution::BrokenRedirect { redirect, reason } if redirect == self.document.id => {
                    format!("broken redirect: {reason}")
                }
                Resolution::BrokenRedirect { redirect, reason } => {
                    format!(
                        "broken redirect: it leads to {}, whose {reason}",
                        self.path_of(redirect)
                    )
                }
                Resolution::Missing => format!(
                    "broken redirect: its target {} does not exist",
                    resolve::describe_target(self.index, *target)
                ),
                Resolution::Found(_) | Resolution::Ambiguous(_) => return,
            },
        };
        self.report(Code::BrokenRedirect, whole_file, message);
    }

    fn check_links(&mut self) {
        let mut categories_seen = Vec::new();
        for (link, start, end) in self.document.facts.links_with_positions() {
            self.link_at = (start, end);
            let at = self.at(link);
            match link.kind() {
                LinkKind::Media | LinkKind::Interwiki => {}
                LinkKind::OutsideRoot => {
                    self.report(
                        Code::BrokenLink,
                        at,
                        "broken link: the path leaves the workspace".to_string(),
                    );
                }
                LinkKind::CategoryMembership => {
                    if categories_seen.contains(&link.target()) {
                        let name = resolve::describe_target(self.index, link.target());
                        self.report(
                            Code::DuplicateCategory,
                            at,
                            format!("duplicate category: already in {name}"),
                        );
                    }
                    categories_seen.push(link.target());
                }
                LinkKind::OnlinePage => self.check_online_link(link),
                LinkKind::Redirect => self.check_redirect_link(link),
                LinkKind::Page | LinkKind::Template => self.check_page_link(link),
            }
        }
    }

    fn check_page_link(&mut self, link: &LinkFact) {
        let at = self.at(link);
        let resolution = resolve::resolve_target(self.index, self.document, link.target());
        match resolution {
            Resolution::Found(found) => {
                if let Some(variant) = found.via_variant {
                    let written = resolve::describe_target(self.index, link.target());
                    let existing = self.index.resolve_symbol(variant).to_string();
                    let message =
                        format!("variant link: `{written}` exists as `{existing}` (Traditional/Simplified variant)");
                    let suggestion = self.suggested_target(link, &existing);
                    if let Some(finding) = self.report(Code::VariantLink, at, message) {
                        finding.suggestion = Some(suggestion);
                    }
                }
                self.check_anchor(link, found.document);
            }
            Resolution::Missing => {
                if link.kind() == LinkKind::Template && self.index.pages_in_namespace(Namespace::Template) == 0 {
                    // The workspace holds no templates at all, so a missing one says nothing.
                    return;
                }
                let message = self.missing_message(link);
                self.report(Code::BrokenLink, at, message);
            }
            Resolution::Ambiguous(candidates) => self.report_ambiguous(link, candidates),
            Resolution::BrokenRedirect { redirect, reason } => {
                let written = resolve::describe_target(self.index, link.target());
                let message = format!("broken link: `{written}` is a redirect that leads nowhere ({reason})");
                let related_path = self.path_of(redirect);
                if let Some(finding) = self.report(Code::BrokenLink, at, message) {
                    finding.related.push(Related {
                        path: related_path,
                        start: Position::default(),
                        end: Position::default(),
                        message: "the broken redirect".to_string(),
                    });
                }
            }
        }
    }

    fn check_anchor(&mut self, link: &LinkFact, target: DocumentId) {
        let Some(anchor) = link.anchor() else { return };
        let Some(target_document) = self.index.document(target) else {
            return;
        };
        if resolve::has_anchor(self.index, &target_document, anchor) {
            return;
        }
        let anchor_text = self.index.resolve_symbol(anchor);
        let page = match link.target() {
            LinkTarget::SameDocument => "this page".to_string(),
            _ => format!("`{}`", target_document.path),
        };
        let message = format!("broken anchor: {page} has no heading `{anchor_text}`");
        self.report(Code::BrokenAnchor, self.at(link), message);
    }

    fn check_online_link(&mut self, link: &LinkFact) {
        let Resolution::Found(found) = resolve::resolve_target(self.index, self.document, link.target()) else {
            return;
        };
        let Some(page) = self.index.document(found.document) else {
            return;
        };
        let title = page
            .title
            .map(|title| self.index.resolve_symbol(title).to_string())
            .unwrap_or_default();
        let suggestion = self.suggested_target(link, &title);
        let message = format!(
            "`{title}` is a page of this workspace ({}): link to it instead of the online wiki",
            page.path
        );
        if let Some(finding) = self.report(Code::LocalPageLinkedAsUrl, self.at(link), message) {
            finding.suggestion = Some(suggestion);
        }
    }

    fn check_redirect_link(&mut self, link: &LinkFact) {
        let at = self.at(link);
        let message = match resolve::resolve_target(self.index, self.document, link.target()) {
            Resolution::Found(_) | Resolution::Ambiguous(_) => return,
            Resolution::Missing => format!(
                "broken redirect: its target `{}` does not exist",
                resolve::describe_target(self.index, link.target())
            ),
            Resolution::BrokenRedirect { reason, .. } => format!("broken redirect: {reason}"),
        };
        self.report(Code::BrokenRedirect, at, message);
    }

    fn report_ambiguous(&mut self, link: &LinkFact, candidates: Vec<DocumentId>) {
        let written = resolve::describe_target(self.index, link.target());
        let related: Vec<Related> = candidates
            .iter()
            .map(|&candidate| Related {
                path: self.path_of(candidate),
                start: Position::default(),
                end: Position::default(),
                message: "candidate".to_string(),
            })
            .collect();
        let names: Vec<&str> = related.iter().map(|related| related.path.as_str()).collect();
        let message = format!(
            "ambiguous link: `{written}` matches {} pages: {}",
            names.len(),
            names.join(", ")
        );
        if let Some(finding) = self.report(Code::AmbiguousLink, self.at(link), message) {
            finding.related = related;
        }
    }

    fn missing_message(&self, link: &LinkFact) -> String {
        format!("broken link: {}", missing_target(self.index, link))
    }

    /// The target to write for a link to `title`, in the syntax the link uses.
    fn suggested_target(&self, link: &LinkFact, title: &str) -> String {
        match (link.syntax(), self.index.settings.layout) {
            (LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor | LinkSyntax::WikiUrl, Layout::Export) => {
                crate::layout::markdown_link_path(&self.document.path, &path_for_title(self.index, title))
            }
            _ => title.to_string(),
        }
    }

    fn check_problems(&mut self) {
        for problem in &self.document.facts.problems {
            let (code, message) = match problem.kind {
                ProblemKind::UnclosedLink => (Code::UnclosedLink, "unclosed link: `[[` without `]]`"),
                ProblemKind::UnclosedTemplate => (Code::UnclosedTemplate, "unclosed template: `{{` without `}}`"),
            };
            self.report(code, (problem.span, problem.start, problem.end), message.to_string());
        }
    }

    fn path_of(&self, id: DocumentId) -> String {
        self.index
            .document(id)
            .map(|document| document.path.to_string())
            .unwrap_or_default()
    }
}

/// What a link to a missing page names and where it was looked for:
/// ``no page `X` (looked for Page/X.md, Redirect/X.md and Traditional/Simplified variants)``.
pub(crate) fn missing_target(index: &Index, link: &LinkFact) -> String {
    let written = resolve::describe_target(index, link.target());
    let what = match link.kind() {
        LinkKind::Template => "template",
        _ => "page",
    };
    let mut looked_for = match link.target() {
        LinkTarget::Path(_) => written.clone(),
        _ => path_for_title(index, &written),
    };
    if index.settings.layout == Layout::Export && matches!(link.target(), LinkTarget::Title(_)) {
        if let Some(alias) = redirect_path_for_title(&written) {
            looked_for.push_str(", ");
            looked_for.push_str(&alias);
        }
    }
    if index.settings.variant_folding && index.folded_key(&written).is_some() {
        looked_for.push_str(" and Traditional/Simplified variants");
    }
    format!("no {what} `{written}` (looked for {looked_for})")
}

/// Where a page with this title would be stored.
fn path_for_title(index: &Index, title: &str) -> String {
    match index.settings.layout {
        Layout::Tree => format!("a file named {}.*", title.replace(' ', "_")),
        Layout::Export => {
            let namespace = crate::index::namespace_of_full_title(title);
            let name = match title.split_once(':') {
                Some((_, name)) if namespace != Namespace::Main => name,
                _ => title,
            };
            crate::layout::export_path_of_title(&crate::title::Title::new(namespace, name))
        }
    }
}

fn redirect_path_for_title(title: &str) -> Option<String> {
    (crate::index::namespace_of_full_title(title) == Namespace::Main)
        .then(|| format!("{}/{}.md", crate::layout::REDIRECT_FOLDER, title.replace(' ', "_")))
}
mod orphan;

pub use orphan::orphan_finding;

#[cfg(test)]
mod tests;
