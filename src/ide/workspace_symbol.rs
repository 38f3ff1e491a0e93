//! Workspace symbols: page titles of every namespace matching a query, fuzzy and
//! Traditional/Simplified-insensitive, ranked as completion ranks them, from the completion's
//! title table (no second index).

use super::completion_table::{CompletionTable, TitleMatch};
use crate::index::Index;
use crate::title::Namespace;

/// A title matching the query, and the file defining it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TitleSymbol {
    /// The full title (`Category:X`).
    pub title: String,
    pub namespace: Namespace,
    /// Root-relative path of the document defining the title (a page rather than an alias).
    pub path: String,
    /// Only redirects (aliases) define this title.
    pub alias_only: bool,
}

/// Up to `limit` titles matching `query`: exact matches first, then prefix matches, then fuzzy
/// ones; most linked first within each, the main namespace before the others. A query with a
/// namespace prefix (`Category:香港`, `分類:香港`) searches that namespace only.
pub fn workspace_symbols(index: &Index, table: &CompletionTable, query: &str, limit: usize) -> Vec<TitleSymbol> {
    let (namespaces, typed) = match query
        .split_once(':')
        .and_then(|(prefix, rest)| Namespace::from_prefix(prefix).map(|namespace| (namespace, rest)))
    {
        Some((namespace, rest)) => (vec![namespace], rest),
        None => (table.namespaces(), query),
    };
    let query_key = table.query_key(typed.trim());
    let mut found: Vec<(bool, Namespace, TitleMatch, &str)> = Vec::new();
    for namespace in namespaces {
        let (matches, _) = table.matching_titles(namespace, typed.trim(), limit, &|_| true);
        for title in matches {
            let name = index
                .resolve_symbol(title.title)
                .get(title.name_start..)
                .unwrap_or_default();
            let exact = table.query_key(name) == query_key;
            found.push((exact, namespace, title, name));
        }
    }
    // Ties are broken by the name, shorter first, so that the answer never depends on the order
    // a parallel load interned the titles in.
    found.sort_by_key(|(exact, namespace, title, name)| {
        (
            !*exact,
            !title.prefix_match,
            *namespace != Namespace::Main,
            std::cmp::Reverse(title.backlinks),
            name.len(),
            *name,
        )
    });
    found
        .into_iter()
        .filter_map(|(_, namespace, title, _)| {
            Some(TitleSymbol {
                title: index.resolve_symbol(title.title).to_string(),
                namespace,
                path: defining_path(index, title.title)?,
                alias_only: title.alias_only,
            })
        })
        .take(limit)
        .collect()
}

/// The document defining a title: a page before an alias, then by path, so that the answer
/// never depends on load order.
fn defining_path(index: &Index, title: crate::facts::Symbol) -> Option<String> {
    index
        .documents_titled(title)
        .into_iter()
        .filter_map(|id| index.document(id))
        .min_by_key(|document| (document.is_redirect(), document.path.clone()))
        .map(|document| document.path.to_string())
}
