#!/usr/bin/env bash
# Sets everything up, then builds and serves the app on http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/scripts/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
echo "==> serving on http://127.0.0.1:8080 (first build takes a few minutes)"
exec bash scripts/trunk.sh serve --release --offline --address 127.0.0.1 --port 8080
