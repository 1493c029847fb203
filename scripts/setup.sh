#!/usr/bin/env bash
# Installs what the app needs to build (and, with --test, to run every test).
#
# Cheap, idempotent installs run on every run, so a broken install command
# fails here and not on a newcomer's machine: the wasm32 target and
# rust-src, the crates (cargo fetch), npm's binaryen (wasm-opt) and
# playwright-core, and (with --test) Debian's chromium and chromium-driver. Only the two slow cargo installs are skipped, and only
# when the exact version is already on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must match the wasm-bindgen version pinned in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "rustup target add wasm32-unknown-unknown; rustup component add rust-src"
rustup target add wasm32-unknown-unknown
# The browser build compiles the standard library with the app (scripts/trunk.sh).
rustup component add rust-src

say "cargo fetch (the app's crates, and the standard library's for the browser build)"
cargo fetch
RUSTC_BOOTSTRAP=1 cargo fetch -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (about 3 minutes)"
  # Not --locked: the registry mirror lacks some versions its lock file names.
  cargo install "wasm-bindgen-cli@$WBG_VERSION"
fi

say "npm: binaryen (wasm-opt for the release bundle)"
(cd scripts/tools && npm install --no-audit --no-fund --loglevel=error)

if [ "${1:-}" = "--test" ]; then
  say "apt-get: Debian's chromium and chromium-driver"
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  say "npm: playwright-core (drives /usr/bin/chromium; no browser download)"
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
fi
