#!/usr/bin/env bash
# Prints the benchmark figures: native simulation throughput, link sizes,
# the release bundle size against its budget (400 KiB gzip -9 for wasm + js
# + css), simulation speed in Chromium against native on this machine, seek
# times on a 10-minute run, start time and frame intervals under load in
# headless Chromium, compare mode's frame intervals with four panes, and the
# 1,000-sequence monkey test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/scripts/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo bench --bench sim
cargo test --release --test link -- --nocapture 2>/dev/null | grep -E 'characters|mangled' || true
cargo run -q --release --example lossy_service
bash scripts/trunk.sh build --release --offline >/dev/null
bash scripts/bundle-size.sh
bash scripts/trunk.sh build --release --offline --features browser-bench --dist dist-bench >/dev/null
cargo run -q --release --example native_load | (cd tests/e2e && node simbench.mjs)
cargo run -q --release --example long_link | (cd tests/e2e && node seekbench.mjs)
cargo run -q --release --example load_link | (cd tests/e2e && node framebench.mjs)
cargo run -q --release --example load_link -- 2500 12 | (cd tests/e2e && node framebench.mjs 'a write every 2.5 ms')
cargo run -q --release --example load_link -- 1500 11 json | (cd tests/e2e && node framebench.mjs 'a write every 1.5 ms, imported')
cargo run -q --release --example hour_link | (cd tests/e2e && node framebench.mjs 'after an hour, four clients')
(cd tests/e2e && node historybench.mjs)
(cd tests/e2e && node comparebench.mjs)
(cd tests/e2e && MONKEY=1000 node --test monkey.test.mjs 2>&1 | grep -E 'monkey:|seed [0-9]+:' || true)
