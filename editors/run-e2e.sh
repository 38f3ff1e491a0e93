#!/usr/bin/env bash
# Runs the editor end-to-end tests against a wikils binary: real headless Neovim 0.11 and a real
# VS Code workbench (code-server + headless Chromium). Exits non-zero if either fails.
# Usage: editors/run-e2e.sh <path-to-wikils>
#        editors/run-e2e.sh --self-test    # the same tests against editors/e2e/fake-wikils.py,
#                                          # to tell a harness problem from a server problem
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "${1:-}" = --self-test ]; then
  WIKILS=$HERE/e2e/fake-wikils.py
  export E2E_STRICT_RULES=1
  # The stand-in answers diagnostics, definition and completion only: the checks of the other
  # features (hover, references, rename, code lens, …) print why they are skipped.
  export E2E_SELF_TEST=1
else
  WIKILS=${1:?usage: $0 <path-to-wikils> | --self-test}
fi

declare -A result
start=$(date +%s)
for suite in nvim vscode; do
  echo "=== $suite ==="
  if "$HERE/$suite/e2e/run.sh" "$WIKILS"; then result[$suite]=passed; else result[$suite]=FAILED; fi
done
echo "=== editor e2e summary ($(( $(date +%s) - start )) s) ==="
failed=0
for suite in nvim vscode; do
  echo "$suite: ${result[$suite]}"
  [ "${result[$suite]}" = passed ] || failed=$((failed + 1))
done
echo "$((2 - failed)) passed, $failed failed"
[ $failed -eq 0 ]
