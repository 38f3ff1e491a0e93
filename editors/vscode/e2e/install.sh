#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, idempotently: Debian chromium (+ the -dev
# packages code-server's native modules build against), code-server 4.100.3 (the last release
# that runs on Node 20) into a cache folder, and this folder's npm deps (playwright-core).
# Only package registries are used: no browser or VS Code download happens at run time.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE=${WIKILS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wikils-e2e}
CODE_SERVER_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[install] %s\n' "$*" >&2; }

apt_packages=()
[ -x /usr/bin/chromium ] || apt_packages+=(chromium fonts-dejavu-core)
if [ ! -x "$CODE_SERVER_DIR/node_modules/.bin/code-server" ]; then
  for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep; do
    dpkg -s "$p" >/dev/null 2>&1 || apt_packages+=("$p")
  done
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  log "apt-get install ${apt_packages[*]}"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

if [ ! -x "$CODE_SERVER_DIR/node_modules/.bin/code-server" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR (about 80 s)"
  # @vscode/ripgrep's postinstall downloads from GitHub; seed its cache with Debian's rg instead.
  rg_cache=$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11
  rg_tar=$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
  if [ ! -f "$rg_tar" ]; then
    tmp=$(mktemp -d); cp /usr/bin/rg "$tmp/rg"; mkdir -p "$rg_cache"
    tar czf "$rg_tar" -C "$tmp" rg; rm -rf "$tmp"
  fi
  rm -rf "$CODE_SERVER_DIR"; mkdir -p "$CODE_SERVER_DIR"
  (cd "$CODE_SERVER_DIR" && npm init -y >/dev/null &&
    npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false \
      npm install --no-save code-server@$CODE_SERVER_VERSION --foreground-scripts >install.log 2>&1) || {
    log "code-server install failed; last lines of $CODE_SERVER_DIR/install.log:"; tail -30 "$CODE_SERVER_DIR/install.log" >&2; exit 1; }
fi

if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  log "npm ci in $HERE (playwright-core)"
  (cd "$HERE" && npm ci --no-fund --no-audit >/dev/null)
fi
echo "$CODE_SERVER_DIR/node_modules/.bin/code-server"
