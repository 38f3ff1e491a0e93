#!/usr/bin/env bash
# Writes the small Wikipedia-export wiki that both editor end-to-end tests open:
#   Page/A.md links to B (exists) and to Missing (does not: a broken-link diagnostic);
#   Page/B.md has a `## 歷史` heading; Main.wiki is a MediaWiki page for filetype checks.
set -euo pipefail
dir=${1:?usage: make-fixture.sh <empty-dir>}
mkdir -p "$dir/Page"
cat > "$dir/Page/A.md" <<'MD'
# A

A links to [B](../Page/B.md "wikilink").

A also links to [Missing](../Page/Missing.md "wikilink").
MD
cat > "$dir/Page/B.md" <<'MD'
# B

## 歷史

B has a history.
MD
cat > "$dir/Main.wiki" <<'WIKI'
== Heading ==
See [[B]] and {{Template}}. <!-- a comment -->
WIKI
