#!/usr/bin/env bash
# The long seed sweep: 10,000 swarm seeds per protocol (CI runs 2,000), each
# 60 simulated seconds of faults with every check on, then service after
# healing. Prints events, worst recovery and seeds per core-minute per
# protocol; any failing seed is printed with a link that replays it.
#   bash scripts/sweep.sh [seeds]
set -euo pipefail
cd "$(dirname "$0")/.."
SWEEP_SEEDS="${1:-10000}" cargo test --release --test proto_sweep -- \
  raft_swarm_sweep paxos_sweep twopc_sweep zab_sweep --nocapture 2>&1 \
  | grep -E 'swarm seeds|failing|seed [0-9]+ \(|replay|test result'
