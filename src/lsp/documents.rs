//! The open-document store: the editor's text of each open document, its version and language.
//!
//! Every method here is synchronous and releases its DashMap guard before returning, so callers
//! can (and must) apply a notification completely before their first `.await`; see
//! `backend.rs` for why that gives arrival order.

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp::lsp_types::{TextDocumentContentChangeEvent, Url};

use crate::text::rope::{position_to_char, PositionOutOfRange};
use crate::text::Encoding;

/// One open document as the editor sees it.
#[derive(Clone, Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub language_id: String,
}

/// Why a `didChange` notification was rejected as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeRejected {
    DocumentNotOpen,
    StaleVersion {
        stored_version: i32,
        received_version: i32,
    },
    PositionOutOfRange {
        change_index: usize,
        error: PositionOutOfRange,
    },
    RangeStartAfterEnd {
        change_index: usize,
    },
}

impl std::fmt::Display for ChangeRejected {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeRejected::DocumentNotOpen => write!(formatter, "the document is not open"),
            ChangeRejected::StaleVersion {
                stored_version,
                received_version,
            } => write!(
                formatter,
                "version {received_version} is not newer than the current version {stored_version}"
            ),
            ChangeRejected::PositionOutOfRange { change_index, error } => {
                write!(formatter, "content change #{change_index}: {error}")
            }
            ChangeRejected::RangeStartAfterEnd { change_index } => {
                write!(
                    formatter,
                    "content change #{change_index}: range start is after its end"
                )
            }
        }
    }
}

/// All open documents, keyed by URI.
#[derive(Debug, Default)]
pub struct DocumentStore {
    documents: DashMap<Url, Document>,
}

impl DocumentStore {
    /// Opens (or reopens, replacing the stored text) a document.
    pub fn open(&self, uri: Url, text: &str, version: i32, language_id: String) -> Document {
        let document = Document {
            rope: Rope::from_str(text),
            version,
            language_id,
        };
        self.documents.insert(uri, document.clone());
        document
    }

    /// Applies all content changes of one `didChange`, or none of them.
    ///
    /// The changes are applied in order to a clone of the rope (O(1): ropes share their nodes),
    /// each change's positions referring to the text left by the previous one, as LSP says.
    /// Only when all of them applied is the clone stored, so a rejected notification leaves the
    /// last good text in place.
    pub fn apply_changes(
        &self,
        uri: &Url,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
    ) -> Result<Document, ChangeRejected> {
        let Some(mut stored) = self.documents.get_mut(uri) else {
            return Err(ChangeRejected::DocumentNotOpen);
        };
        if version <= stored.version {
            return Err(ChangeRejected::StaleVersion {
                stored_version: stored.version,
                received_version: version,
            });
        }
        let mut rope = stored.rope.clone();
        for (change_index, change) in changes.iter().enumerate() {
            apply_one_change(&mut rope, change, change_index, encoding)?;
        }
        stored.rope = rope;
        stored.version = version;
        Ok(stored.clone())
    }

    pub fn close(&self, uri: &Url) -> Option<Document> {
        self.documents.remove(uri).map(|(_, document)| document)
    }

    /// A copy of a document that shares the rope's storage; cheap, and never locks again.
    pub fn snapshot(&self, uri: &Url) -> Option<Document> {
        self.documents.get(uri).map(|document| document.clone())
    }
}

fn apply_one_change(
    rope: &mut Rope,
    change: &TextDocumentContentChangeEvent,
    change_index: usize,
    encoding: Encoding,
) -> Result<(), ChangeRejected> {
    let Some(range) = change.range else {
        *rope = Rope::from_str(&change.text);
        return Ok(());
    };
    let to_char = |position: tower_lsp::lsp_types::Position| {
        position_to_char(rope, position.line, position.character, encoding)
            .map_err(|error| ChangeRejected::PositionOutOfRange { change_index, error })
    };
    let start_char = to_char(range.start)?;
    let end_char = to_char(range.end)?;
    // Compare the positions, not the clamped chars: a reversed range is a client bug even when
    // clamping happens to make both ends equal.
    let start_key = (range.start.line, range.start.character);
    let end_key = (range.end.line, range.end.character);
    if start_key > end_key || start_char > end_char {
        return Err(ChangeRejected::RangeStartAfterEnd { change_index });
    }
    rope.remove(start_char..end_char);
    rope.insert(start_char, &change.text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use tower_lsp::lsp_types::{Position, Range};

    use super::*;

    fn uri() -> Url {
        Url::parse("file:///wiki/中文.md").expect("a valid test URI")
    }

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn changes_apply_in_order_each_on_the_previous_result() {
        let store = DocumentStore::default();
        store.open(uri(), "中文\r\n𠀀b", 1, "markdown".into());
        let changes = [edit((1, 2), (1, 3), "c"), edit((0, 0), (0, 1), "")];
        let document = store.apply_changes(&uri(), 2, &changes, Encoding::Utf16);
        assert_eq!(
            document.map(|document| document.rope.to_string()),
            Ok("文\r\n𠀀c".into())
        );
    }

    #[test]
    fn a_bad_change_rejects_the_whole_notification() {
        let store = DocumentStore::default();
        store.open(uri(), "ab\ncd", 1, "markdown".into());
        let changes = [edit((0, 0), (0, 0), "x"), edit((5, 0), (5, 0), "y")];
        let rejected = store.apply_changes(&uri(), 2, &changes, Encoding::Utf8);
        assert!(matches!(
            rejected,
            Err(ChangeRejected::PositionOutOfRange { change_index: 1, .. })
        ));
        let reversed = [edit((1, 1), (0, 1), "z")];
        let rejected = store.apply_changes(&uri(), 2, &reversed, Encoding::Utf8);
        assert_eq!(
            rejected.err(),
            Some(ChangeRejected::RangeStartAfterEnd { change_index: 0 })
        );
        let stored = store.snapshot(&uri()).expect("still open");
        assert_eq!((stored.rope.to_string(), stored.version), ("ab\ncd".into(), 1));
    }

    #[test]
    fn stale_versions_and_unknown_documents_are_rejected() {
        let store = DocumentStore::default();
        let changes = [edit((0, 0), (0, 0), "x")];
        let rejected = store.apply_changes(&uri(), 2, &changes, Encoding::Utf8);
        assert_eq!(rejected.err(), Some(ChangeRejected::DocumentNotOpen));
        store.open(uri(), "", 3, "markdown".into());
        let rejected = store.apply_changes(&uri(), 3, &changes, Encoding::Utf8);
        assert_eq!(
            rejected.err(),
            Some(ChangeRejected::StaleVersion {
                stored_version: 3,
                received_version: 3
            })
        );
    }
}
