#!/usr/bin/env bash
# Sets everything up, then runs every test: formatting, clippy (native and
# wasm), unit/simulation tests (including the 2,000-seed sweep), a release
# build of the bundle, and end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/scripts/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy (native and wasm32), -D warnings"
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown -- -D warnings
step "cargo test --release (rules, Figure 8, determinism, 2,000-seed sweep)"
cargo test --release
step "release bundle (and its size budget)"
bash scripts/trunk.sh build --release --offline
bash scripts/bundle-size.sh
step "benchmark bundle (the app plus its browser benchmarks and frozen-run check)"
bash scripts/trunk.sh build --release --offline --features browser-bench --dist dist-bench
step "end-to-end tests in headless Chromium"
(cd tests/e2e && npm test)
echo
echo "all tests passed"
