#!/usr/bin/env bash
# End-to-end test of editors/vscode in a real VS Code workbench: code-server 4.100.3 on
# 127.0.0.1 (random free port, fresh user-data dir), driven by Debian's headless Chromium
# through playwright-core, with the extension installed from a freshly built .vsix.
# Usage: editors/vscode/e2e/run.sh <path-to-wikils>
# Screenshots and logs go to $E2E_ARTIFACTS (default editors/vscode/e2e/artifacts/).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXT=$(cd "$HERE/.." && pwd)
EDITORS=$(cd "$EXT/.." && pwd)
WIKILS=${1:?usage: $0 <path-to-wikils>}
[ -x "$WIKILS" ] || { echo "vscode e2e: $WIKILS is not an executable file" >&2; exit 2; }
WIKILS=$(cd "$(dirname "$WIKILS")" && pwd)/$(basename "$WIKILS")
ARTIFACTS=${E2E_ARTIFACTS:-$HERE/artifacts}
say() { printf '[vscode e2e] %s\n' "$*"; }

CODE_SERVER=$("$HERE/install.sh" | tail -1)
if [ ! -d "$EXT/node_modules/vscode-languageclient" ] || [ ! -d "$EXT/node_modules/@vscode/vsce" ]; then
  say "npm ci in $EXT"
  (cd "$EXT" && npm ci --no-fund --no-audit >/dev/null)
fi
rm -rf "$ARTIFACTS"; mkdir -p "$ARTIFACTS"
say "packaging the extension"
(cd "$EXT" && npm run package >"$ARTIFACTS/package.log" 2>&1) ||
  { say "FAIL [package]: npm run package failed:"; tail -30 "$ARTIFACTS/package.log"; exit 1; }
VSIX=$EXT/wikils.vsix

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wikils-vscode-e2e.XXXXXX")
CS_PID=
cleanup() {
  if [ -n "$CS_PID" ]; then
    # code-server runs in its own session (setsid): end its whole process group, which holds the
    # extension host, the file watcher and the wikils server.
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CS_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$EDITORS/e2e/make-fixture.sh" "$WORK/wiki"
export XDG_CONFIG_HOME=$WORK/xdg/config XDG_DATA_HOME=$WORK/xdg/data XDG_CACHE_HOME=$WORK/xdg/cache
# The extension gallery points at a closed loopback port: nothing is fetched from the internet.
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/item"}'
CS_ARGS=(--user-data-dir "$WORK/user" --extensions-dir "$WORK/extensions")

say "installing $(basename "$VSIX") into a fresh extensions dir"
timeout 60 "$CODE_SERVER" "${CS_ARGS[@]}" --install-extension "$VSIX" --force >"$WORK/install-ext.log" 2>&1 ||
  { say "FAIL [install extension]:"; cat "$WORK/install-ext.log"; exit 1; }

mkdir -p "$WORK/user/User"
cat >"$WORK/user/User/settings.json" <<JSON
{
  "wikils.server.path": "$WIKILS",
  "wikils.rules.broken-link": "error",
  "wikils.trace.server": "verbose",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "security.workspace.trust.enabled": false,
  "update.mode": "none",
  "editor.quickSuggestionsDelay": 10,
  "editor.wordBasedSuggestions": "off",
  "markdown.suggest.paths.enabled": false,
  "markdown.validate.enabled": false,
  "git.enabled": false
}
JSON

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
say "starting code-server on 127.0.0.1:$PORT"
setsid "$CODE_SERVER" "${CS_ARGS[@]}" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened "$WORK/wiki" >"$WORK/code-server.log" 2>&1 </dev/null &
CS_PID=$!

for i in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$CS_PID" 2>/dev/null || { say "FAIL [code-server]: exited early"; cat "$WORK/code-server.log"; exit 1; }
  [ "$i" = 150 ] && { say "FAIL [code-server]: not listening after 30 s"; cat "$WORK/code-server.log"; exit 1; }
  sleep 0.2
done

rc=0
CS_URL="http://127.0.0.1:$PORT/?folder=$WORK/wiki" SHOT_DIR=$ARTIFACTS WORKSPACE_SETTINGS=$WORK/wiki/.vscode/settings.json \
  timeout -k 5 180 node "$HERE/drive.js" || rc=$?
[ $rc -eq 124 ] && say "FAIL: the UI test took longer than 180 s"

# Keep the logs that explain a failure: code-server's, the extension host's (activation errors)
# and the wikils output channel (server stderr and the protocol trace).
cp "$WORK/code-server.log" "$ARTIFACTS/" 2>/dev/null || true
find "$WORK/user/logs" -type f \( -name 'remoteexthost.log' -o -name '*wikils*.log' -o -name 'remoteagent.log' \) \
  -exec sh -c 'for f; do cp "$f" "$0/$(basename "$(dirname "$f")")-$(basename "$f")"; done' "$ARTIFACTS" {} + 2>/dev/null || true
if [ $rc -ne 0 ]; then
  say "FAILED (rc=$rc); screenshots and logs in $ARTIFACTS"
  for f in "$ARTIFACTS"/*exthost*.log; do [ -f "$f" ] && { say "wikils lines of $f:"; grep -iE 'wikils|error' "$f" | tail -10; }; done
  for f in "$ARTIFACTS"/*wikils*.log; do [ -f "$f" ] && say "the wikils output channel (server stderr, protocol trace): $f"; done
  exit 1
fi
say "passed; screenshots in $ARTIFACTS"
