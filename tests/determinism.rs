//! Determinism of one Raft scenario with every kind of action: the same
//! scenario replayed twice gives the same trace, message for message, and a
//! different seed gives a different one. (Every protocol's built-in
//! scenarios and chaos runs are checked the same way in `conformance.rs`.)

mod common;

use common::replay;
use replviz::protocols::common::cmd;
use replviz::scenario::{Scenario, TimedAction};
use replviz::sim::{Action, TraceMode};

fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario {
        seed,
        ..Scenario::default()
    };
    let acts = [
        (
            400_000,
            Action::Request {
                node: 1,
                cmd: cmd(0, 1),
            },
        ),
        (900_000, Action::Crash { node: 2 }),
        (1_200_000, Action::CutBoth { a: 3, b: 4 }),
        (1_500_000, Action::Timeout { node: 5 }),
        (2_000_000, Action::Restart { node: 2 }),
        (2_500_000, Action::HealAll),
    ];
    // Record the step count at which each action happens, as the UI does.
    let mut e = s.boot(TraceMode::Full);
    for (t, a) in acts {
        e.advance_to(t);
        s.actions.push(TimedAction {
            step: e.steps(),
            t,
            action: a.clone(),
        });
        e.apply(&a);
    }
    s
}

fn run(s: &Scenario, until: u64) -> (u64, Vec<String>) {
    let mut e = replay(s, TraceMode::Full);
    e.advance_to(until);
    (
        e.trace_hash(),
        e.trace()
            .iter()
            .map(|t| format!("{} {}", t.time, t.describe()))
            .collect(),
    )
}

#[test]
fn same_scenario_same_trace() {
    let s = scenario(42);
    let (h1, t1) = run(&s, 5_000_000);
    let (h2, t2) = run(&s, 5_000_000);
    assert!(t1.len() > 200, "a real run: {} events", t1.len());
    assert_eq!(t1, t2);
    assert_eq!(h1, h2);
    let (h3, _) = run(&scenario(43), 5_000_000);
    assert_ne!(h1, h3, "the seed matters");
}

#[test]
fn hash_only_mode_matches_full_mode() {
    let s = scenario(7);
    let mut full = replay(&s, TraceMode::Full);
    let mut lean = replay(&s, TraceMode::HashOnly);
    full.advance_to(4_000_000);
    lean.advance_to(4_000_000);
    assert_eq!(full.trace_hash(), lean.trace_hash());
    assert_eq!(full.steps(), lean.steps());
}
