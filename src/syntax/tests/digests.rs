//! The parser's results on seeded random documents and the test pages, recorded as digests in
//! `testdata/parse-digests.txt`: any change to what `parse` returns shows here. Speed work on the
//! parser must leave every digest as it is; a change meant to alter results rewrites the file
//! with `WIKILS_BLESS_PARSE_DIGESTS=1 cargo test --lib parse_results_match` and says why in its
//! commit. (The digests hash each result's `Debug` form, so adding a field to `Parsed` or `Link`
//! also needs a rewrite.)

use super::parse_as;
use crate::syntax::Flavor;
use crate::testing::XorShift;

/// Random documents per digest, and digests.
const BLOCK: usize = 1000;
const BLOCKS: usize = 150;

/// Pieces beyond the random test's alphabet (`random::ALPHABET`, which documents here are also
/// made of, first): the bytes where scanners take shortcuts (control bytes, `&#`, `%XX`, tabs)
/// and more of each flavor's constructs. Any change to either list changes the digests.
const EXTRA_PIECES: [&str; 15] = [
    "\t",
    "\u{1}",
    "\u{7f}",
    "## ",
    "\n# ",
    "===",
    "- ",
    "&#39;",
    "%28",
    "mailto:",
    "HTTP://",
    "../Page/",
    "Category:",
    "<pre>",
    "\"t\"",
];

fn digest_of(texts: impl Iterator<Item = String>) -> u64 {
    let mut all = String::new();
    for text in texts {
        for flavor in [Flavor::Markdown, Flavor::Wikitext] {
            all.push_str(&format!("{:?}\n", parse_as(flavor, &text)));
        }
    }
    xxhash_rust::xxh3::xxh3_64(all.as_bytes())
}

fn current_digests() -> Vec<String> {
    let pieces: Vec<&str> = super::random::ALPHABET.iter().chain(&EXTRA_PIECES).copied().collect();
    let mut random = XorShift(0xD16E_5751_0000_0008);
    let mut lines = Vec::new();
    for block in 0..BLOCKS {
        let texts: Vec<String> = (0..BLOCK)
            .map(|_| {
                let len = random.below(60);
                (0..len).map(|_| pieces[random.below(pieces.len())]).collect()
            })
            .collect();
        lines.push(format!("random-{block:02} {:016x}", digest_of(texts.into_iter())));
    }
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/syntax/testdata");
    for page in ["gen-both.md", "gen-mediawiki.md", "sample-zh-page.md"] {
        let text = std::fs::read_to_string(folder.join(page)).unwrap_or_default();
        assert!(!text.is_empty(), "{page} is missing");
        lines.push(format!("{page} {:016x}", digest_of(std::iter::once(text))));
    }
    lines
}

#[test]
fn parse_results_match_the_recorded_digests() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/syntax/testdata/parse-digests.txt");
    let current = current_digests();
    if std::env::var_os("WIKILS_BLESS_PARSE_DIGESTS").is_some() {
        std::fs::write(&path, current.join("\n") + "\n").expect("digests written");
        return;
    }
    let recorded = std::fs::read_to_string(&path).expect("src/syntax/testdata/parse-digests.txt");
    let recorded: Vec<&str> = recorded.lines().collect();
    let changed: Vec<String> = current
        .iter()
        .zip(recorded.iter().copied().chain(std::iter::repeat("")))
        .filter(|(now, before)| now.as_str() != *before)
        .map(|(now, before)| format!("{now} (recorded: {before:?})"))
        .collect();
    assert!(
        changed.is_empty() && recorded.len() == current.len(),
        "parse results changed:\n{}\nIf that is meant, rewrite the digests with WIKILS_BLESS_PARSE_DIGESTS=1 (see this file's doc)",
        changed.join("\n")
    );
}
