//! Prints `name events wall_ms` per protocol for the benchmark workload
//! ([`replviz::bench::steady_load`], 60 simulated seconds, hash-only trace),
//! in the same format as the browser's `?bench=sim`, which
//! `tests/e2e/simbench.mjs` compares it with.
//!
//! `cargo run --release --example native_load | node tests/e2e/simbench.mjs`

use replviz::protocols::ProtocolKind;
use replviz::sim::TraceMode;
use std::time::Instant;

fn main() {
    for p in ProtocolKind::all() {
        let start = Instant::now();
        let (events, _) = replviz::bench::steady_load(p, TraceMode::HashOnly, 60);
        println!(
            "{} {events} {:.1}",
            p.name(),
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}
