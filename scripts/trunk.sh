#!/usr/bin/env bash
# Trunk with the browser build's size flags (native builds, tests and
# benchmarks keep stable settings):
#   - the standard library compiled with the app (opt-level "z", LTO across
#     both) with its `optimize_for_size` feature (smaller sort and formatting
#     code; the same results: every `sort_unstable` in src orders by a total
#     key, so no order depends on the algorithm);
#   - panics abort at once, without formatting a message (index.html shows a
#     banner when one happens);
#   - `--cfg speed_attr`: the kernel's hottest functions (the event loop,
#     the trace hash, routing) carry `#[optimize(speed)]` (an unstable
#     attribute) in a build otherwise optimised for size: wasm/native
#     0.60-0.72x -> 0.64-0.76x over three runs each, +0.8 KiB.
# Build-std and immediate abort took 390.7 -> 364.7 KiB gzip with six
# protocols; optimize_for_size took 402.5 -> 392.2 KiB with eight. That made
# room for Kafka and Elasticsearch (README, Size). These are unstable cargo/rustc
# options, allowed on the pinned stable toolchain by RUSTC_BOOTSTRAP for
# this build only. Needs `rustup component add rust-src` (scripts/setup.sh).
set -euo pipefail
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort --cfg speed_attr"
# A release build's JS glue is minified by terser (npm, scripts/tools):
# Trunk's own minify-js cannot parse wasm-bindgen's `export default` and
# leaves it as it is. 7.1 -> 5.7 KiB gzip.
trunk "$@"
if [[ " $* " == *" build "* && " $* " == *" --release "* ]]; then
  here="$(cd "$(dirname "$0")" && pwd)"
  # The output directory (`--dist DIR`; dist/ by default).
  dist="$here/../dist"
  args=("$@")
  for i in "${!args[@]}"; do
    if [[ "${args[$i]}" == "--dist" || "${args[$i]}" == "-d" ]]; then dist="${args[$((i + 1))]}"; fi
  done
  for wasm in "$dist"/*.wasm; do
    node "$here/wasm-post.mjs" "$wasm" "$dist/index.html"
  done
  for js in "$dist"/*.js; do
    "$here/tools/node_modules/.bin/terser" "$js" --module --compress --mangle -o "$js.min"
    # index.html names the file's SHA-384 (subresource integrity): renew it.
    node -e '
      const fs = require("fs"), crypto = require("crypto");
      const [js, min, html] = process.argv.slice(1);
      const sri = (f) => "sha384-" + crypto.createHash("sha384").update(fs.readFileSync(f)).digest("base64");
      const page = fs.readFileSync(html, "utf8");
      const old = sri(js);
      if (!page.includes(old)) { console.error("trunk.sh: no integrity " + old + " in " + html); process.exit(1); }
      fs.writeFileSync(html, page.split(old).join(sri(min)));
    ' "$js" "$js.min" "$dist/index.html"
    mv "$js.min" "$js"
  done
fi
