#!/usr/bin/env bash
# Prints the size of the release bundle in dist/ (raw and gzip -9 per file)
# and fails if wasm + js + css exceed the budget of 400 KiB gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=$((400 * 1024))
total=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c); total=$((total + gz))
  printf '%-45s %8d bytes, gzip %7d\n' "$(basename "$f")" "$raw" "$gz"
done
# Fetched only when needed (not part of the budget): the Chinese texts
# when Chinese is chosen, the built-in scenarios' explanations when one is
# opened (src/i18n.rs, src/descriptor.rs `about!`).
for f in dist/i18n/*.json; do
  printf '%-45s %8d bytes, gzip %7d (fetched on demand)\n' "i18n/$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
awk -v t="$total" -v b="$BUDGET" 'BEGIN { printf "bundle gzip total: %d bytes (%.1f KiB; budget %d KiB)\n", t, t / 1024, b / 1024 }'
if [ "$total" -gt "$BUDGET" ]; then
  echo "bundle over budget by $((total - BUDGET)) bytes" >&2
  exit 1
fi
