//! How many acknowledged MongoDB writes are rolled back, with `w:1`
//! against `w:"majority"`, under the same faults (the
//! `mongodb-w1-rollback` demo over many seeds): 3 members; in each of
//! 1,000 seeds, 1 s after a primary is elected x=1 is written there, the
//! primary is cut off from both secondaries 1 s later, three more writes
//! go to it 0.1 s apart, and the links heal 3 s after the cut (the others
//! have elected a new primary by then). A write is lost when its client
//! was told it succeeded and the primary at the end does not hold it: the
//! old primary rolled it back.
//!
//! `cargo run --release --example rollbacks`

use replviz::protocol::{Command, Key};
use replviz::protocols::mongodb::{Mongo, MongoConfig};
use replviz::sim::{Action, Sim, SimConfig, Time, TraceMode};

const MS: Time = 1_000;

/// (writes acknowledged, acknowledged writes lost, seeds with no primary)
fn run(w: &str, seeds: u64) -> (usize, usize, u64) {
    let (mut acked, mut lost, mut skipped) = (0, 0, 0);
    for seed in 0..seeds {
        let mut sim: Sim<Mongo> = Sim::new(
            SimConfig {
                nodes: 3,
                seed,
                net: Default::default(),
                proto: MongoConfig {
                    w: w.to_string(),
                    ..MongoConfig::default()
                },
            },
            TraceMode::HashOnly,
        );
        let mut t = 0;
        while sim.leader().is_none() && t < 5_000 * MS {
            t += 10 * MS;
            sim.advance_to(t);
        }
        let Some(p) = sim.leader() else {
            skipped += 1;
            continue;
        };
        sim.advance_to(t + 1_000 * MS);
        sim.apply(&Action::Request {
            node: p,
            cmd: Command::write(Key(0), 1),
        });
        sim.advance_to(t + 2_000 * MS);
        for o in (1..=3).filter(|&o| o != p) {
            sim.apply(&Action::CutBoth { a: p, b: o });
        }
        for i in 0..3 {
            sim.advance_to(t + (2_100 + 100 * i) * MS);
            sim.apply(&Action::Request {
                node: p,
                cmd: Command::write(Key(1 + i as u8), 2 + i as u32),
            });
        }
        sim.advance_to(t + 5_000 * MS);
        sim.apply(&Action::HealAll);
        sim.advance_to(t + 10_000 * MS);
        assert!(
            sim.violations().is_empty(),
            "seed {seed}, w {w}: {:?}",
            sim.violations()
        );
        acked += sim.acknowledged_ok();
        lost += sim.lost_writes().map_or(0, |(_, l)| l.len());
    }
    (acked, lost, skipped)
}

fn main() {
    let seeds = 1_000;
    for w in ["1", "majority"] {
        let (acked, lost, skipped) = run(w, seeds);
        println!(
            "mongodb w:{w}: {lost} of {acked} acknowledged writes rolled back ({:.1} %) over {seeds} seeds ({skipped} without a primary)",
            100.0 * lost as f64 / acked.max(1) as f64
        );
    }
}
