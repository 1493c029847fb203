#!/usr/bin/env bash
# Prints the benchmark figures: native simulation throughput, release bundle
# sizes (raw and gzip), and seek times in headless Chromium on a 10-minute run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
cargo bench --bench sim
cargo test --release --test link -- --nocapture 2>/dev/null | grep -E 'characters|mangled' || true
trunk build --release --offline >/dev/null
total=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c); total=$((total + gz))
  printf '%-45s %8d bytes, gzip %7d\n' "$(basename "$f")" "$raw" "$gz"
done
echo "bundle gzip total: $total bytes"
cargo run -q --release --example long_link | (cd tests/e2e && node seekbench.mjs)
