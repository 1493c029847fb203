//! How often a Cassandra read is stale, at ONE/ONE against QUORUM/QUORUM,
//! under the same faults: 3 nodes, replication_factor 3; in each of 1,000
//! seeds one node (chosen by the seed) is cut off from the other two at
//! 0.3 s (clients still reach every node), x is written through another
//! node at 0.5 s, and x is read through a node chosen by the seed between
//! 0.6 and 1.0 s. A read is stale when the write was acknowledged before
//! it began and it returns something else.
//!
//! `cargo run --release --example stale_reads`

use replviz::history::{Outcome, Val, F};
use replviz::protocol::{Command, Key};
use replviz::protocols::cassandra::{Cass, CassConfig};
use replviz::sim::{Action, Sim, SimConfig, TraceMode};

fn run(w: &str, r: &str, seeds: u64) -> (u64, u64, u64) {
    let (mut stale, mut fresh, mut failed) = (0, 0, 0);
    for seed in 0..seeds {
        let mut sim: Sim<Cass> = Sim::new(
            SimConfig {
                nodes: 3,
                seed,
                net: Default::default(),
                proto: CassConfig {
                    write_consistency: w.to_string(),
                    read_consistency: r.to_string(),
                    ..CassConfig::default()
                },
            },
            TraceMode::HashOnly,
        );
        let cut = (seed % 3) as u32 + 1;
        let writer = (cut % 3) + 1;
        let reader = ((seed / 3) % 3) as u32 + 1;
        sim.advance_to(300_000);
        for o in (1..=3).filter(|&o| o != cut) {
            sim.apply(&Action::CutBoth { a: cut, b: o });
        }
        sim.advance_to(500_000);
        sim.apply(&Action::Request {
            node: writer,
            cmd: Command::write(Key(0), 7),
        });
        sim.advance_to(600_000 + (seed * 7919 % 400) * 1_000);
        sim.apply(&Action::Request {
            node: reader,
            cmd: Command::read(Key(0), 1),
        });
        sim.advance_to(3_000_000);
        let h = sim.history();
        let write = h.iter().find(|o| o.f == F::Write);
        let read = h.iter().find(|o| o.f == F::Read);
        let (Some(write), Some(read)) = (write, read) else {
            continue;
        };
        match read.outcome {
            Outcome::Ok => {
                let acked_before =
                    write.outcome == Outcome::Ok && write.complete.is_some_and(|c| c < read.invoke);
                if acked_before && read.out != Val::Int(7) {
                    stale += 1;
                } else {
                    fresh += 1;
                }
            }
            _ => failed += 1,
        }
    }
    (stale, fresh, failed)
}

fn main() {
    let seeds = 1_000;
    for (w, r) in [("ONE", "ONE"), ("QUORUM", "QUORUM")] {
        let (stale, fresh, failed) = run(w, r, seeds);
        println!(
            "cassandra {w}/{r}: {stale} stale of {} answered reads ({:.1} %), {fresh} fresh, {failed} failed or timed out, over {seeds} seeds",
            stale + fresh,
            100.0 * stale as f64 / (stale + fresh).max(1) as f64
        );
    }
}
