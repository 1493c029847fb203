//! Prints the link fragment of a 9-node Raft run under client load: a write
//! at the leader every 10 ms of virtual time for 30 s, positioned at 0. The
//! browser frame benchmark (`tests/e2e/framebench.mjs`) plays it at 10x.
//!
//! `cargo run --release --example load_link [-- EVERY_US [END_S]]` (a write
//! every 10,000 µs for 30 s by default; `2500 12` keeps about 200 messages
//! in flight, in a link under the 64 KiB limit). A third argument `json`
//! prints the scenario as "Export scenario" writes it instead, for a load
//! no link can hold (`1500 11 json`: about 200 in flight; `framebench.mjs`
//! imports it).

use replviz::link::encode;
use replviz::protocols::common::cmd;
use replviz::scenario::Scenario;
use replviz::sim::Action;
use replviz::timeline::Timeline;

fn main() {
    let mut tl = Timeline::new(Scenario {
        nodes: 9,
        seed: 5,
        ..Scenario::default()
    });
    let every: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .filter(|&e| e > 0)
        .unwrap_or(10_000);
    let end: u64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let (mut t, mut v) = (500_000u64, 0u32);
    while t < end * 1_000_000 {
        tl.advance_to(t);
        if let Some(l) = tl.engine().leader() {
            v += 1;
            tl.act(
                t,
                Action::Request {
                    node: l,
                    cmd: cmd((v % 3) as u8, v),
                },
            );
        }
        t += every;
    }
    eprintln!("{} actions", tl.scenario().actions.len());
    if std::env::args().nth(3).as_deref() == Some("json") {
        // As "Export scenario" writes it, for "Import…" (no 64 KiB limit).
        println!(
            "{}",
            serde_json::to_string(tl.scenario()).expect("a scenario is JSON")
        );
    } else {
        println!("{}", encode(tl.scenario(), 0));
    }
}
