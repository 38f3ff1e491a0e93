//! Seeded pseudo-random markup: no panics, spans on char boundaries, sorted, deterministic; the
//! seeded twin of the `parse` fuzz target, running the same check ([`crate::fuzzing::check_parse`]).

use crate::testing::XorShift;

use super::parse_as;
use crate::layout::Layout;
use crate::syntax::Flavor;

/// Pieces random markup is made of; `digests` builds its documents from them too, so changing
/// them means rewriting the recorded digests.
pub(super) const ALPHABET: [&str; 49] = [
    "[[",
    "]]",
    "{{",
    "}}",
    "[x](",
    "-{",
    "}-",
    "```",
    "\n\n",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "|",
    "#",
    ":",
    "<",
    ">",
    "!",
    "-",
    "=",
    "\n",
    "\r",
    "\\",
    "'",
    "\"",
    "`",
    "~",
    " ",
    "    ",
    "𠀀",
    "中",
    "a",
    ".md",
    "&amp;",
    "%E4",
    "<!--",
    "-->",
    "<nowiki>",
    "</nowiki>",
    "https://zh.wikipedia.org/wiki/",
    "<a href=\"",
    "</a>",
    "#REDIRECT",
    "*",
    "_",
    "\u{3000}",
];

fn random_text(rng: &mut XorShift) -> String {
    let len = rng.below(max_len());
    (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect()
}

#[test]
fn random_markup_never_breaks_invariants() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // SYNTAX_FUZZ_ITERATIONS lets a long local run search further with the same checks.
    let iterations = std::env::var("SYNTAX_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok());
    for iteration in 0..iterations.unwrap_or(5000) {
        let text = random_text(&mut rng);
        // The same check as the `parse` fuzz target (`fuzz/`): spans, order, determinism, facts.
        let layout = if iteration % 2 == 0 {
            Layout::Export
        } else {
            Layout::Tree
        };
        crate::fuzzing::check_parse_text(&text, layout);
    }
}

#[test]
fn random_text_produces_links_sometimes() {
    let mut rng = XorShift(42);
    let found: usize = (0..2000)
        .map(|_| parse_as(Flavor::Wikitext, &random_text(&mut rng)).links.len())
        .sum();
    assert!(found > 0, "the generator should exercise link extraction");
}

/// SYNTAX_FUZZ_MAX_LEN lets a long local run try longer documents.
fn max_len() -> usize {
    std::env::var("SYNTAX_FUZZ_MAX_LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(80)
}

/// Hover summaries are computed on whatever a page holds: never a panic, always within the cap.
#[test]
fn random_markup_summaries_never_panic_and_respect_the_cap() {
    const EXTRA: [&str; 6] = ["<ref>", "</ref>", "<ref name=a/>", "{|", "\n|}", "\n== x ==\n"];
    let mut rng = XorShift(0x05EE_D0F5_AAA1);
    for _ in 0..3000 {
        let mut text = random_text(&mut rng);
        for _ in 0..rng.below(4) {
            let boundaries: Vec<usize> = text.char_indices().map(|(at, _)| at).chain([text.len()]).collect();
            let at = boundaries[rng.below(boundaries.len())];
            text.insert_str(at, EXTRA[rng.below(EXTRA.len())]);
        }
        for flavor in [Flavor::Markdown, Flavor::Wikitext] {
            let summary = crate::syntax::first_paragraph(&text, flavor, 10);
            assert!(summary.chars().count() <= 11, "{summary:?} from {text:?}");
        }
    }
}
