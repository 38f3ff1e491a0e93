//! The index updated document by document must equal the index rebuilt from scratch.

use wikils::testing::XorShift;

use std::path::Path;

use wikils::config::Config;
use wikils::index::Index;
use wikils::syntax::Flavor;
use wikils::workspace;

fn full_index(root: &Path, files: &[(String, String)]) -> Index {
    let index = Index::new(workspace::index_settings(root, &Config::default()));
    for (path, text) in files {
        index.set_document_text(path, Flavor::Markdown, text);
    }
    index
}

const SNIPPETS: [&str; 10] = [
    "[甲](../Page/甲.md \"wikilink\")",
    "[乙](../Page/乙.md#歷史 \"wikilink\")",
    "[[甲]]",
    "[[內地]]",
    "[[内地|x]]",
    "{{Reflist}}",
    "[Category:香港](https://zh.wikipedia.org/wiki/Category:香港 \"wikilink\")",
    "\n## 歷史\n",
    "[[Category:香港]]",
    "𠀀 text\r\n",
];

/// One random step of an editing session over the pages `names`.
enum Step {
    Set {
        path: String,
        text: String,
    },
    Remove {
        path: String,
    },
    /// A removal of a page that is not there.
    Nothing,
}

/// Draws the next step: a removal one time in `remove_one_in`, else a page set to
/// `min_snippets` to `min_snippets + 5` random snippets. `files` (the pages and their texts, what
/// a full rebuild is made from) follows it.
fn random_step(
    random: &mut XorShift,
    names: &[&str],
    remove_one_in: usize,
    min_snippets: usize,
    files: &mut Vec<(String, String)>,
) -> Step {
    let path = format!("Page/{}.md", names[random.below(names.len())]);
    let existing = files.iter().position(|(existing, _)| *existing == path);
    if random.below(remove_one_in) == 0 {
        return match existing {
            Some(position) => {
                files.remove(position);
                Step::Remove { path }
            }
            None => Step::Nothing,
        };
    }
    let text: String = (0..min_snippets + random.below(6))
        .map(|_| SNIPPETS[random.below(SNIPPETS.len())])
        .collect();
    match existing {
        Some(position) => files[position].1 = text.clone(),
        None => files.push((path.clone(), text.clone())),
    }
    Step::Set { path, text }
}

#[test]
fn incremental_updates_equal_a_full_rebuild() {
    let workspace = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(workspace.path().join("Page")).expect("Page folder");
    let names = ["甲", "乙", "丙", "內地", "内地", "丁"];
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut files: Vec<(String, String)> = Vec::new();
    let incremental = Index::new(workspace::index_settings(workspace.path(), &Config::default()));
    for step in 0..2_000 {
        match random_step(&mut random, &names, 5, 0, &mut files) {
            Step::Set { path, text } => {
                incremental.set_document_text(&path, Flavor::Markdown, &text);
            }
            Step::Remove { path } => assert!(incremental.remove_document(&path)),
            Step::Nothing => {}
        }
        if step % 250 == 0 || step == 1_999 {
            let rebuilt = full_index(workspace.path(), &files);
            assert_eq!(
                incremental.canonical_dump(),
                rebuilt.canonical_dump(),
                "after step {step}"
            );
        }
    }
    assert!(
        incremental.canonical_dump().contains("backlink"),
        "the session exercised links"
    );
}

#[test]
fn racing_updates_of_one_document_leave_no_stale_facts() {
    let workspace = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(workspace.path().join("Page")).expect("Page folder");
    let index = Index::new(workspace::index_settings(workspace.path(), &Config::default()));
    let texts: Vec<String> = (0..8)
        .map(|writer| format!("[[甲{writer}]] [[Category:類{writer}]]\n## 節{writer}\n"))
        .collect();
    std::thread::scope(|scope| {
        for (writer, text) in texts.iter().enumerate() {
            let index = &index;
            scope.spawn(move || {
                for round in 0..300 {
                    if (round + writer) % 7 == 0 {
                        index.remove_document("Page/共用.md");
                    } else {
                        index.set_document_text("Page/共用.md", Flavor::Markdown, text);
                    }
                }
            });
        }
    });
    index.set_document_text("Page/共用.md", Flavor::Markdown, "[[最後]]\n");
    let rebuilt = full_index(
        workspace.path(),
        &[("Page/共用.md".to_string(), "[[最後]]\n".to_string())],
    );
    assert_eq!(index.canonical_dump(), rebuilt.canonical_dump());
}

/// A page being re-indexed (every keystroke in the editor) stays defined, and a link both
/// versions have stays in the backlinks, for readers looking at the same moment: features
/// answered in between must not see the page vanish.
#[test]
fn readers_never_see_a_page_vanish_while_it_is_replaced() {
    let workspace = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(workspace.path().join("Page")).expect("Page folder");
    let index = Index::new(workspace::index_settings(workspace.path(), &Config::default()));
    index.set_document_text("Page/甲.md", Flavor::Markdown, "[[乙]]\n");
    let title = index.interner.get("甲").expect("the title is interned");
    let target = index.interner.get("乙").expect("the target is interned");
    let done = std::sync::atomic::AtomicBool::new(false);
    let (mut undefined, mut unlinked, mut looks) = (0, 0, 0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for round in 0..20_000 {
                let text = format!("[[乙]] [[丙{}]]\n", round % 5);
                index.set_document_text("Page/甲.md", Flavor::Markdown, &text);
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            looks += 1;
            if index.documents_titled(title).is_empty() {
                undefined += 1;
            }
            if index.backlinks(target).is_empty() {
                unlinked += 1;
            }
        }
    });
    assert!(looks > 0);
    assert_eq!(
        (undefined, unlinked),
        (0, 0),
        "of {looks} looks, the page was undefined in {undefined} and its link missing in {unlinked}"
    );
}

/// A bulk load's documents leave their links out of the maps until `add_deferred_links`, while
/// other updates (an editor's, a removal) go on directly, some replacing deferred documents
/// before their links were added: once added, the index equals one rebuilt document by
/// document.
#[test]
fn deferred_links_added_later_equal_a_full_rebuild() {
    let workspace = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(workspace.path().join("Page")).expect("Page folder");
    let names = ["甲", "乙", "丙", "內地", "内地", "丁", "𠀀"];
    let mut random = XorShift(0x2545_F491_4F6C_DD1D);
    let mut files: Vec<(String, String)> = Vec::new();
    let index = Index::new(workspace::index_settings(workspace.path(), &Config::default()));
    // Checkpoints at which the maps lacked deferred links until they were added.
    let mut seen_deferred = 0;
    for step in 0..3_000 {
        match random_step(&mut random, &names, 6, 1, &mut files) {
            Step::Set { path, text } if random.below(3) == 0 => {
                index.set_document_text(&path, Flavor::Markdown, &text);
            }
            Step::Set { path, text } => {
                index.deferring_links(|| index.set_document_text(&path, Flavor::Markdown, &text));
            }
            Step::Remove { path } => assert!(index.remove_document(&path)),
            Step::Nothing => {}
        }
        if step % 100 == 99 {
            let rebuilt = full_index(workspace.path(), &files).canonical_dump();
            let before = index.canonical_dump();
            index.add_deferred_links();
            assert_eq!(index.canonical_dump(), rebuilt, "after step {step}");
            if before != rebuilt {
                seen_deferred += 1;
            }
        }
    }
    assert!(
        seen_deferred > 10,
        "deferred links were in the maps early: {seen_deferred}"
    );
}
