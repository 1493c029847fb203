//! Seed sweeps for Multi-Paxos, two-phase commit and Zab: many seeds of
//! random faults (loss, duplication, one- and two-way cuts, crashes,
//! restarts, forced timeouts, leader crashes mid-write) with every invariant
//! checked after every event, service after healing, and proof that each
//! protocol's checks catch a deliberately broken variant. Every failure names
//! its seed and cluster size.

mod common;

use common::generic::{chaos, Run, Shape};
use common::SEC;
use replviz::protocol::Protocol;
use replviz::protocols::paxos::{Paxos, PaxosBug, PaxosConfig};
use replviz::protocols::twopc::{TpcBug, TpcConfig, TwoPc};
use replviz::protocols::zab::{Zab, ZabBug, ZabConfig};

fn seeds() -> u64 {
    std::env::var("SWEEP_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000)
}

fn nodes_for(seed: u64) -> u32 {
    [3, 5, 5, 7][(seed % 4) as usize]
}

/// Sweep `cfg` over every seed; fail with every seed that broke an invariant
/// or did not recover.
fn sweep<P: Protocol>(
    name: &str,
    cfg: impl Fn(u64) -> P::Config,
    shape: impl Fn(u64, u32) -> Shape,
) {
    let n = seeds();
    let mut failures = Vec::new();
    let (mut steps, mut worst) = (0, 0);
    for seed in 0..n {
        let nodes = nodes_for(seed);
        let r: Run = chaos::<P>(cfg(seed), seed, nodes, 60 * SEC, shape(seed, nodes));
        steps += r.steps;
        if let Some(v) = r.violations.first() {
            failures.push(format!("{name} seed {seed} ({nodes} nodes): {v}"));
        }
        match r.liveness {
            Ok(t) => worst = worst.max(t),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "{name}: {n} seeds x 60 s: {steps} events, 0 violations expected, worst recovery {} ms",
        worst / 1000
    );
    assert!(
        failures.is_empty(),
        "{} failing seeds:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Seeds in which the checks catch a broken variant, with the first report.
fn caught<P: Protocol>(
    cfg: P::Config,
    shape: Shape,
    n: u64,
    nodes_for: impl Fn(u64) -> u32,
) -> Vec<(u64, String)> {
    (0..n)
        .filter_map(|seed| {
            let nodes = nodes_for(seed);
            let r = chaos::<P>(cfg.clone(), seed, nodes, 60 * SEC, shape);
            r.violations.first().map(|v| (seed, v.clone()))
        })
        .collect()
}

fn storm(seed: u64) -> u64 {
    if seed % 3 == 0 {
        30
    } else {
        0
    }
}

#[test]
fn paxos_sweep() {
    sweep::<Paxos>(
        "paxos",
        |seed| PaxosConfig {
            // Every fourth seed lets preempted proposers retry at once.
            retry_at_once: seed % 4 == 1,
            ..PaxosConfig::default()
        },
        |seed, _| Shape {
            storm: storm(seed),
            // Proposers that retry at once can duel forever (PMMC §3): that
            // livelock is the point of the setting, so only safety is required.
            live: seed % 4 != 1,
            ..Shape::default()
        },
    );
}

#[test]
fn twopc_sweep() {
    sweep::<TwoPc>(
        "2pc",
        |_| TpcConfig::default(),
        |seed, nodes| Shape {
            need: nodes as usize - 1,
            storm: storm(seed),
            toggles: true,
            live: true,
        },
    );
}

#[test]
fn zab_sweep() {
    sweep::<Zab>(
        "zab",
        |_| ZabConfig::default(),
        |seed, _| Shape {
            storm: storm(seed),
            ..Shape::default()
        },
    );
}

fn report(name: &str, hits: &[(u64, String)], n: u64) {
    println!("{name}: caught in {} of {n} seeds", hits.len());
    if let Some((seed, v)) = hits.first() {
        println!("  first: seed {seed}: {v}");
    }
}

/// Paxos Made Simple §2.3: an acceptor must remember its promise across a
/// restart. Forgetting it lets a lower ballot's value be chosen too.
#[test]
fn paxos_forgotten_promise_is_caught() {
    let n = seeds().min(400);
    let cfg = PaxosConfig {
        bug: Some(PaxosBug::ForgetPromiseOnRestart),
        ..PaxosConfig::default()
    };
    // Three nodes: one forgetful acceptor is then enough to make a second
    // majority with a stale leader.
    let hits = caught::<Paxos>(
        cfg,
        Shape {
            live: false,
            ..Shape::default()
        },
        n,
        |_| 3,
    );
    report("paxos forget-promise", &hits, n);
    assert!(
        !hits.is_empty(),
        "no seed out of {n} caught the forgotten promise"
    );
}

/// BHG §7.3: the coordinator must force its decision to the log before
/// sending it; otherwise recovery presumes abort for a committed transaction.
#[test]
fn twopc_unlogged_decision_is_caught() {
    let n = seeds().min(400);
    let cfg = TpcConfig {
        bug: Some(TpcBug::DecisionNotLogged),
        ..TpcConfig::default()
    };
    let hits = caught::<TwoPc>(
        cfg,
        Shape {
            need: 2,
            storm: 40,
            toggles: true,
            live: false,
        },
        n,
        nodes_for,
    );
    report("2pc decision-not-logged", &hits, n);
    assert!(
        !hits.is_empty(),
        "no seed out of {n} caught the unlogged decision"
    );
}

/// Zab §IV-B: a new leader must synchronise a quorum to its history before
/// broadcasting in its epoch.
#[test]
fn zab_broadcast_before_sync_is_caught() {
    let n = seeds().min(400);
    let cfg = ZabConfig {
        bug: Some(ZabBug::BroadcastBeforeSync),
        ..ZabConfig::default()
    };
    let hits = caught::<Zab>(
        cfg,
        Shape {
            storm: 40,
            live: false,
            ..Shape::default()
        },
        n,
        nodes_for,
    );
    report("zab broadcast-before-sync", &hits, n);
    assert!(
        !hits.is_empty(),
        "no seed out of {n} caught the missing sync"
    );
}
