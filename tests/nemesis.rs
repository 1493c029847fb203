//! The random nemesis (issue 13): a seeded schedule of every kind of fault,
//! applied as ordinary actions. Correct engines keep every safety check and
//! their clients' histories under it; the same seed gives the same faults.

use replviz::anysim::{AnySim, Setup};
use replviz::history::linear::{check, Verdict};
use replviz::nemesis::Nemesis;
use replviz::protocols::ProtocolKind;
use replviz::sim::clients::Workload;
use replviz::sim::{Action, TraceMode};

const MS: u64 = 1_000;

fn run(protocol: &str, seed: u64) -> (Box<dyn AnySim>, Vec<Action>) {
    let p = ProtocolKind::parse(protocol).expect("registered");
    let setup = Setup {
        nodes: 5,
        seed,
        workload: Workload {
            clients: 3,
            ..Workload::default()
        },
        ..Setup::default()
    };
    let mut sim = (p.boot)(&setup, TraceMode::HashOnly);
    let mut nemesis = Nemesis::new(seed, 0);
    let mut done = Vec::new();
    while sim.now() < 40_000 * MS {
        let t = sim.now() + 10 * MS;
        sim.advance_to(t);
        let up: Vec<bool> = sim
            .ids()
            .iter()
            .map(|&id| sim.view_tail(id, 0).is_some_and(|v| v.up))
            .collect();
        for a in nemesis.strike(t, &up, sim.leader()) {
            sim.apply(&a);
            done.push(a);
        }
    }
    (sim, done)
}

#[test]
fn correct_engines_survive_the_random_nemesis() {
    for protocol in ["raft", "paxos", "zab", "2pc"] {
        let mut kinds = std::collections::BTreeSet::new();
        for seed in 1..=8 {
            let (sim, done) = run(protocol, seed);
            assert!(
                done.len() >= 20,
                "{protocol} seed {seed}: {} faults in 40 s",
                done.len()
            );
            for a in &done {
                kinds.insert(serde_json::to_value(a).unwrap()["do"].to_string());
            }
            assert!(
                sim.violations().is_empty(),
                "{protocol} seed {seed}: {:?}",
                sim.violations()
            );
            if protocol != "2pc" {
                let v = check(sim.history());
                assert!(
                    matches!(v, Verdict::Linearizable),
                    "{protocol} seed {seed}: {v:?}"
                );
            }
        }
        // Crash, restart, pause, clock, heal, cut, slow link.
        assert!(
            kinds.len() >= 7,
            "{protocol}: only {} kinds of fault",
            kinds.len()
        );
    }
}

#[test]
fn the_same_seed_strikes_the_same_faults() {
    let (a, fa) = run("raft", 5);
    let (b, fb) = run("raft", 5);
    assert_eq!(fa, fb);
    assert_eq!(a.trace_hash(), b.trace_hash());
    let (_, fc) = run("raft", 6);
    assert_ne!(fa, fc);
}
