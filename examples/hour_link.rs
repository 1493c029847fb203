//! Prints the link fragment of a 9-node Raft run with four simulated
//! clients (the default workload: an operation about every 0.3 s each),
//! positioned at one hour: opening it simulates the hour, then
//! `tests/e2e/framebench.mjs` plays on at 10x, so the frame figures show
//! whether the views stay windowed as the run grows (issue 9: "the same
//! after an hour of simulated time").
//!
//! `cargo run --release --example hour_link [-- SECONDS]` (3600 by default).

use replviz::link::encode;
use replviz::scenario::Scenario;

fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3_600);
    let mut s = Scenario {
        nodes: 9,
        seed: 1,
        ..Scenario::default()
    };
    s.workload.clients = 4;
    println!("{}", encode(&s, secs * 1_000_000));
}
