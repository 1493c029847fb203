//! Prints `name events wall_ms` per protocol for the benchmark workload
//! ([`replviz::bench::steady_load`], 60 simulated seconds, hash-only trace,
//! the best of [`replviz::bench::ROUNDS`] rounds),
//! in the same format as the browser's `?bench=sim`, which
//! `tests/e2e/simbench.mjs` compares it with.
//!
//! `cargo run --release --example native_load | node tests/e2e/simbench.mjs`

use replviz::protocols::ProtocolKind;
use replviz::sim::TraceMode;
use std::time::Instant;

fn main() {
    for p in ProtocolKind::all() {
        let (mut events, mut best) = (0, f64::MAX);
        for _ in 0..replviz::bench::ROUNDS {
            let start = Instant::now();
            events = replviz::bench::steady_load(p, TraceMode::HashOnly, 60).0;
            best = best.min(start.elapsed().as_secs_f64() * 1e3);
        }
        println!("{} {events} {best:.1}", p.name());
    }
}
