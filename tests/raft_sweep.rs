//! Seed sweep: many seeds of random faults with every Raft invariant checked
//! after every event, liveness after healing, and proof that the checks catch
//! deliberately broken variants. Every failure names its seed.

mod common;

use common::{chaos, SEC};
use replviz::protocols::raft::RaftBug;

fn seeds() -> u64 {
    std::env::var("SWEEP_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000)
}

#[test]
fn sweep_no_violations_and_liveness() {
    let n = seeds();
    let mut failures = Vec::new();
    let mut total_steps = 0;
    let mut worst_recovery = 0;
    for seed in 0..n {
        // Odd seeds run without the §8 no-op: the control for the Figure 8 bug below.
        let nodes = [3, 5, 5, 7][(seed % 4) as usize];
        let noop = seed % 2 == 0;
        let r = chaos(seed, nodes, 60 * SEC, None, noop);
        total_steps += r.steps;
        if let Some(v) = r.violations.first() {
            failures.push(format!("seed {seed} ({nodes} nodes): {v}"));
        }
        match r.liveness {
            Ok(t) => worst_recovery = worst_recovery.max(t),
            Err(e) => failures.push(e),
        }
    }
    println!(
        "{n} seeds x 60 s: {total_steps} events, worst recovery {} ms",
        worst_recovery / 1000
    );
    assert!(
        failures.is_empty(),
        "{} failing seeds:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Seeds (out of the sweep) in which the checks catch `bug`, with the first report.
fn caught(bug: RaftBug, noop: bool) -> Vec<(u64, String)> {
    (0..seeds())
        .filter_map(|seed| {
            let r = chaos(seed, 5, 60 * SEC, Some(bug), noop);
            r.violations.first().map(|v| (seed, v.clone()))
        })
        .collect()
}

/// §5.4.2 / Figure 8: committing previous-term entries by counting replicas
/// is unsafe. The hazard needs a leader that commits old-term entries before
/// any entry of its own term, so, as in the paper's figure, no §8 no-op; the
/// correct engine without the no-op passes the sweep above (odd seeds).
#[test]
fn broken_commit_rule_is_caught() {
    let c = caught(RaftBug::CommitPreviousTermsByCount, false);
    println!(
        "CommitPreviousTermsByCount caught in {} of {} seeds; first: {:?}",
        c.len(),
        seeds(),
        c.first()
    );
    assert!(
        !c.is_empty(),
        "the Figure 8 bug went unnoticed in {} seeds",
        seeds()
    );
}

/// §5.4.1: voting without the up-to-date check elects leaders missing committed entries.
#[test]
fn broken_vote_rule_is_caught() {
    let c = caught(RaftBug::VoteWithoutLogCheck, true);
    println!(
        "VoteWithoutLogCheck caught in {} of {} seeds; first: {:?}",
        c.len(),
        seeds(),
        c.first()
    );
    assert!(
        !c.is_empty(),
        "the vote bug went unnoticed in {} seeds",
        seeds()
    );
}
