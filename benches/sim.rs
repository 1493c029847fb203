//! Throughput benchmark: a 5-node cluster of each protocol under steady
//! client load (one request every 10 ms of virtual time at the leader,
//! coordinator or primary) with every
//! invariant check on. Prints simulated events per wall second and
//! simulated seconds per wall second, in hash-only and full-trace modes.
//!
//! Run with `cargo bench --bench sim`.

use replviz::protocol::{Command, Key};
use replviz::protocols::ProtocolKind;
use replviz::sim::{Action, TraceMode};
use std::time::Instant;

fn run(protocol: ProtocolKind, mode: TraceMode, sim_seconds: u64) -> (u64, f64) {
    let start = Instant::now();
    let (steps, violations) = replviz::bench::steady_load(protocol, mode, sim_seconds);
    assert_eq!(violations, 0, "{protocol:?}");
    (steps, start.elapsed().as_secs_f64())
}

/// Encode and decode time of scenario links: a built-in scenario and a
/// 10-minute recording with about 2,400 actions.
fn links() {
    use replviz::link::{decode, encode};
    use replviz::scenario::Scenario;
    use replviz::timeline::Timeline;
    let mut long = Timeline::new(Scenario::default());
    for k in 1..=2400u64 {
        let t = k * 250_000;
        long.advance_to(t);
        long.act(
            t,
            Action::Request {
                node: 1 + (k % 5) as u32,
                cmd: Command {
                    key: Key((k % 3) as u8),
                    value: k as u32,
                },
            },
        );
    }
    let cases = [
        (
            "built-in figure-8",
            replviz::scenarios::build("figure-8").unwrap_or_default(),
        ),
        ("10-minute recording", long.scenario().clone()),
    ];
    for (name, s) in cases {
        let reps = 200;
        let start = Instant::now();
        let mut link = String::new();
        for _ in 0..reps {
            link = encode(&s, 1_000_000);
        }
        let enc = start.elapsed().as_secs_f64() / reps as f64;
        let start = Instant::now();
        for _ in 0..reps {
            assert!(decode(&link).is_ok());
        }
        let dec = start.elapsed().as_secs_f64() / reps as f64;
        println!(
            "link {name}: {} actions, {} characters, encode {:.3} ms, decode {:.3} ms",
            s.actions.len(),
            link.len(),
            enc * 1e3,
            dec * 1e3
        );
    }
}

fn main() {
    links();
    for protocol in ProtocolKind::all() {
        for (mode, name, secs) in [
            (TraceMode::HashOnly, "hash-only trace", 120),
            (TraceMode::Full, "full trace", 30),
        ] {
            let (steps, wall) = run(protocol, mode, secs);
            println!(
                "{}: 5 nodes, 100 req/s, checks on, {name}: {steps} events in {wall:.3} s = {:.2} M events/s, {:.0} simulated s per wall s",
                protocol.title,
                steps as f64 / wall / 1e6,
                secs as f64 / wall
            );
        }
    }
}
