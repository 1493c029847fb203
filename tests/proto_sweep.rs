//! Swarm seed sweeps for every protocol through the generic chaos harness:
//! each seed draws its own fault profile (see `common::generic`), every
//! invariant and the kernel's Client Acknowledgement check run after every
//! event, service is required after healing, and each protocol's
//! deliberately broken variants must be caught. Every failure prints its
//! seed, cluster size and a scenario link that replays its schedule.

mod common;

use common::generic::{chaos, Run, Shape};
use common::SEC;
use replviz::protocol::Protocol;
use replviz::protocols::paxos::{Paxos, PaxosBug, PaxosConfig};
use replviz::protocols::raft::{Raft, RaftBug, RaftConfig};
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
    let start = std::time::Instant::now();
    for seed in 0..n {
        let nodes = nodes_for(seed);
        let r: Run = chaos::<P>(cfg(seed), seed, nodes, 60 * SEC, shape(seed, nodes));
        steps += r.steps;
        if let Some(v) = r.violations.first() {
            failures.push(format!(
                "{name} seed {seed} ({nodes} nodes): {v}\n  replay: {}",
                r.link
            ));
        }
        match r.liveness {
            Ok(t) => worst = worst.max(t),
            Err(e) => failures.push(format!("{name}: {e}\n  replay: {}", r.link)),
        }
    }
    let wall = start.elapsed().as_secs_f64();
    println!(
        "{name}: {n} swarm seeds x 60 s: {steps} events, worst recovery {} ms; {:.0} seeds per core-minute",
        worst / 1000,
        n as f64 / wall * 60.0
    );
    assert!(
        failures.is_empty(),
        "{} failing seeds:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A seed in which the checks caught a broken variant.
struct Hit {
    seed: u64,
    violations: Vec<String>,
    link: String,
}

/// Run a broken variant over seeds `0..n`; every seed with a violation.
fn caught<P: Protocol>(
    cfg: P::Config,
    shape: Shape,
    n: u64,
    nodes_for: impl Fn(u64) -> u32,
) -> Vec<Hit> {
    caught_for::<P>(cfg, shape, n, nodes_for, 60)
}

/// As [`caught`], with `secs` simulated seconds of faults per seed.
fn caught_for<P: Protocol>(
    cfg: P::Config,
    shape: Shape,
    n: u64,
    nodes_for: impl Fn(u64) -> u32,
    secs: u64,
) -> Vec<Hit> {
    (0..n)
        .filter_map(|seed| {
            let nodes = nodes_for(seed);
            let r = chaos::<P>(cfg.clone(), seed, nodes, secs * SEC, shape);
            (!r.violations.is_empty()).then_some(Hit {
                seed,
                violations: r.violations,
                link: r.link,
            })
        })
        .collect()
}

fn report(name: &str, hits: &[Hit], n: u64) {
    println!("{name}: caught in {} of {n} seeds", hits.len());
    if let Some(h) = hits.first() {
        println!("  first: seed {}: {}", h.seed, h.violations[0]);
        if std::env::var("SWEEP_LINKS").is_ok() {
            println!("  schedule: {}", h.link);
        } else {
            println!(
                "  schedule: a {}-character link (SWEEP_LINKS=1 prints it)",
                h.link.len()
            );
        }
    }
}

/// Seeds whose violations include `invariant`.
fn with(hits: &[Hit], invariant: &str) -> usize {
    hits.iter()
        .filter(|h| h.violations.iter().any(|v| v.starts_with(invariant)))
        .count()
}

/// A broken variant's run: safety checks only (it need not recover).
fn safety_only() -> Shape {
    Shape {
        live: false,
        ..Shape::default()
    }
}

fn storm(seed: u64) -> u64 {
    if seed % 3 == 0 {
        30
    } else {
        0
    }
}

#[test]
fn raft_swarm_sweep() {
    sweep::<Raft>(
        "raft",
        |seed| RaftConfig {
            noop_on_election: seed % 2 == 0,
            client_serials: seed % 3 == 1,
            ..RaftConfig::default()
        },
        |seed, _| Shape {
            storm: storm(seed),
            ..Shape::default()
        },
    );
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
        // Odd seeds run presumed abort.
        |seed| TpcConfig {
            presumed_abort: seed % 2 == 1,
            ..TpcConfig::default()
        },
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
        // The swarm also draws how long a new leader waits for its quorum.
        |seed| ZabConfig {
            init_limit: [1, 2, 3, 5][(seed / 4 % 4) as usize] * SEC,
            ..ZabConfig::default()
        },
        |seed, _| Shape {
            storm: storm(seed),
            ..Shape::default()
        },
    );
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
    let hits = caught::<Paxos>(cfg, safety_only(), n, |_| 3);
    report("paxos forget-promise", &hits, n);
    let acks = with(&hits, "Client Acknowledgement");
    println!("  of which Client Acknowledgement: {acks}");
    assert!(
        !hits.is_empty(),
        "no seed out of {n} caught the forgotten promise"
    );
    // A second value chosen in a slot whose first was already acknowledged.
    assert!(acks > 0, "no acknowledged write was seen lost in {n} seeds");
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
    let acks = with(&hits, "Client Acknowledgement");
    println!("  of which Client Acknowledgement: {acks}");
    assert!(
        !hits.is_empty(),
        "no seed out of {n} caught the unlogged decision"
    );
    assert!(
        acks > 0,
        "no client was seen told Ok for an aborted transaction"
    );
}

/// BHG §7.2, AC1 and AC3: commit only if every participant voted yes. A
/// coordinator that commits on a majority of yes votes must be caught by
/// Atomicity (a no-voter aborted what others committed), not only by
/// Commit Validity.
#[test]
fn twopc_commit_on_majority_is_caught_by_atomicity() {
    let n = seeds().min(200);
    let cfg = TpcConfig {
        bug: Some(TpcBug::CommitOnMajority),
        ..TpcConfig::default()
    };
    let hits = caught::<TwoPc>(
        cfg,
        Shape {
            need: 2,
            toggles: true,
            live: false,
            ..Shape::default()
        },
        n,
        nodes_for,
    );
    report("2pc commit-on-majority", &hits, n);
    let atomicity = with(&hits, "Atomicity");
    let acks = with(&hits, "Client Acknowledgement");
    println!("  of which Atomicity: {atomicity}, Client Acknowledgement: {acks}");
    assert!(atomicity > 0, "Atomicity never fired in {n} seeds");
    assert!(acks > 0, "Client Acknowledgement never fired in {n} seeds");
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
    let acks = with(&hits, "Client Acknowledgement");
    println!("  of which Client Acknowledgement: {acks}");
    assert!(
        !hits.is_empty(),
        "no seed out of {n} caught the missing sync"
    );
    assert!(acks > 0, "no acknowledged write was seen lost");
}

/// Zab §IV-A and ZooKeeper's `Learner.registerWithLeader`: a follower must
/// not count twice towards discovery of one epoch. The review's schedule
/// (re-partitioning three nodes and forcing elections) is one that a
/// uniform fault mix never produced in 10,000 seeds; the swarm must find
/// this bug within the CI budget, through One Primary per Epoch. It takes a
/// leader that waits long for its quorum (initLimit 5 s here; ZooKeeper's
/// default is 10 ticks of 2 s) and three nodes, where one follower counted
/// twice is enough for two quorums. Each seed runs 240 simulated seconds:
/// the schedule needs two sessions broken at the right moments, and with
/// ordered connections only cuts break them (6 of 2,000 seeds find it).
#[test]
fn zab_repeated_epoch_ack_is_caught() {
    let n = seeds();
    let cfg = ZabConfig {
        bug: Some(ZabBug::CountRepeatedEpochAck),
        init_limit: 5 * SEC,
        ..ZabConfig::default()
    };
    let hits = caught_for::<Zab>(cfg, safety_only(), n, |_| 3, 240);
    report("zab repeated-epoch-ack", &hits, n);
    let primaries = with(&hits, "One Primary per Epoch");
    println!("  of which One Primary per Epoch: {primaries}");
    assert!(
        primaries > 0,
        "two primaries of one epoch went unseen in {n} seeds"
    );
}

/// §5.4.1 through the generic swarm harness: voting without the up-to-date
/// check loses acknowledged writes, and the kernel's check sees it.
#[test]
fn raft_vote_bug_loses_acknowledged_writes() {
    let n = seeds().min(400);
    let cfg = RaftConfig {
        bug: Some(RaftBug::VoteWithoutLogCheck),
        ..RaftConfig::default()
    };
    let hits = caught::<Raft>(cfg, safety_only(), n, nodes_for);
    report("raft vote-without-log-check", &hits, n);
    let acks = with(&hits, "Client Acknowledgement");
    println!("  of which Client Acknowledgement: {acks}");
    assert!(acks > 0, "no acknowledged write was seen lost in {n} seeds");
}

/// Figure 2 ("if commitIndex > lastApplied: increment lastApplied, apply
/// log[lastApplied]"): a server that jumps to the last committed entry has
/// the same log as everyone but another state. Only the comparison of the
/// key-value state with the committed entries (State Machine Safety) sees it.
#[test]
fn raft_apply_only_last_is_caught_by_state_machine_safety() {
    let n = seeds().min(200);
    let cfg = RaftConfig {
        bug: Some(RaftBug::ApplyOnlyLast),
        ..RaftConfig::default()
    };
    let hits = caught::<Raft>(cfg, safety_only(), n, nodes_for);
    report("raft apply-only-last", &hits, n);
    let sms = hits
        .iter()
        .filter(|h| {
            h.violations
                .iter()
                .any(|v| v.starts_with("State Machine Safety") && v.contains("state is"))
        })
        .count();
    println!("  of which State Machine Safety on the key-value state: {sms}");
    assert!(sms > 0, "the skipped applies went unseen in {n} seeds");
}
