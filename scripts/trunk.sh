#!/usr/bin/env bash
# Trunk with the browser build's size flags (native builds, tests and
# benchmarks keep stable settings):
#   - the standard library compiled with the app (opt-level "z", LTO across
#     both) with its `optimize_for_size` feature (smaller sort and formatting
#     code; the same results: every `sort_unstable` in src orders by a total
#     key, so no order depends on the algorithm);
#   - panics abort at once, without formatting a message (index.html shows a
#     banner when one happens).
# Build-std and immediate abort took 390.7 -> 364.7 KiB gzip with six
# protocols; optimize_for_size took 402.5 -> 392.2 KiB with eight. That made
# room for Kafka and Elasticsearch (README, Size). These are unstable cargo/rustc
# options, allowed on the pinned stable toolchain by RUSTC_BOOTSTRAP for
# this build only. Needs `rustup component add rust-src` (scripts/setup.sh).
set -euo pipefail
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
exec trunk "$@"
