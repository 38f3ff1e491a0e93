//! Rewrites a link's target or anchor in the link's own syntax: the one place rename and the
//! code actions write links.
//!
//! `[label](../Page/Title.md "wikilink")` gets a path relative to the linking document, escaped
//! as exports write it; `[[Title#Anchor|label]]` gets the title, keeping its label and anchor;
//! `{{Name}}` gets the template's name; an online-wiki URL becomes a local path.

use crate::facts::github_slug;
use crate::layout;
use crate::syntax::{Link, LinkSyntax, Span};

/// Replaces the text of `span` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

/// The page a link should lead to after an edit.
#[derive(Clone, Copy, Debug)]
pub struct NewTarget<'a> {
    /// The full title (`Category:X`, `Foo bar`), written by title syntaxes.
    pub title: &'a str,
    /// The page's root-relative file path, written by path syntaxes relative to the linking
    /// document.
    pub path: &'a str,
}

/// The edit that makes `link` (in the document at `document_path`, whose text is `text`) lead to
/// `target`, or `None` when the link's syntax cannot name it (media, an empty target).
pub fn retarget(text: &str, document_path: &str, link: &Link, target: NewTarget) -> Option<TextEdit> {
    match link.syntax {
        LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor if link.target_span.start < link.target_span.end => {
            let destination = layout::markdown_link_path(document_path, target.path);
            // HTML has no backslash escapes: parentheses are written as they are.
            let new_text = match link.syntax {
                LinkSyntax::HtmlAnchor => html_escape(&destination.replace("\\(", "(").replace("\\)", ")")),
                _ => destination,
            };
            Some(TextEdit {
                span: link.target_span,
                new_text,
            })
        }
        LinkSyntax::MarkdownPath | LinkSyntax::HtmlAnchor => None,
        LinkSyntax::WikiUrl => Some(TextEdit {
            span: Span::new(destination_start(text, link)?, link.target_span.end as usize),
            new_text: layout::markdown_link_path(document_path, target.path),
        }),
        LinkSyntax::DoubleBracket | LinkSyntax::Redirect => Some(TextEdit {
            span: link.target_span,
            new_text: target.title.to_string(),
        }),
        LinkSyntax::Template => {
            let name = target.title.strip_prefix("Template:").unwrap_or(target.title);
            Some(TextEdit {
                span: link.target_span,
                new_text: name.to_string(),
            })
        }
    }
}

/// The edit that makes `link`'s anchor name a heading whose text becomes `heading_text`.
/// `by_slug`: the link named the heading by its GitHub slug (as Markdown links do), and keeps
/// doing so. Path syntaxes write spaces as `_`, which MediaWiki anchors treat alike.
pub fn rewrite_anchor(link: &Link, heading_text: &str, by_slug: bool) -> Option<TextEdit> {
    let span = link.anchor_span?;
    let anchor = if by_slug {
        github_slug(heading_text)
    } else {
        heading_text.trim().to_string()
    };
    let new_text = match link.syntax {
        LinkSyntax::MarkdownPath | LinkSyntax::WikiUrl => {
            anchor.replace(' ', "_").replace('(', "\\(").replace(')', "\\)")
        }
        LinkSyntax::HtmlAnchor => html_escape(&anchor.replace(' ', "_")),
        LinkSyntax::DoubleBracket | LinkSyntax::Redirect | LinkSyntax::Template => anchor,
    };
    Some(TextEdit { span, new_text })
}

/// Where the URL of an online-wiki link starts: after the `(`, `<` or quote that opens it.
fn destination_start(text: &str, link: &Link) -> Option<usize> {
    let before_title = text.get(link.span.start as usize..link.target_span.start as usize)?;
    let opening = before_title.rfind(['(', '<', '"', '\''])?;
    Some(link.span.start as usize + opening + 1)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}
