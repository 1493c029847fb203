#!/usr/bin/env bash
# The long seed sweep: 10,000 swarm seeds per registered protocol (CI runs
# 2,000), each 60 simulated seconds of faults with every check on, then
# service after healing. Prints events, worst recovery and wall time per
# protocol; any failing seed is printed with a link that replays it.
#   bash scripts/sweep.sh [seeds]
set -euo pipefail
cd "$(dirname "$0")/.."
SWEEP_SEEDS="${1:-10000}" cargo test --release --test conformance -- \
  every_protocol_survives_the_chaos_sweep --nocapture 2>&1 \
  | grep -E 'swarm seeds|failures|seed [0-9]+ \(|replay|test result'
