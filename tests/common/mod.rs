//! Shared test harness: a seeded fault injector ("chaos") for Raft runs.
//!
//! The schedule of faults and client requests comes from its own
//! [`SimRng`] seeded from the run's seed, so a failing seed reproduces
//! exactly; every failure message prints the seed.

#![allow(dead_code)]

pub mod generic;

use replviz::protocol::{Command, Key};
use replviz::protocols::raft::{Raft, RaftBug, RaftConfig};
use replviz::sim::net::NetConfig;
use replviz::sim::rng::SimRng;
use replviz::sim::{Action, NodeId, Sim, SimConfig, Time, TraceMode};

pub const SEC: Time = 1_000_000;

/// Run built-in scenario `id` to `until` µs; it must raise no violation.
pub fn run_preset(id: &str, until: Time) -> replviz::timeline::Timeline {
    let s = replviz::presets::build(id).expect(id);
    let mut tl = replviz::timeline::Timeline::new(s);
    tl.advance_to(until);
    assert!(
        tl.engine().violations().is_empty(),
        "{id}: {:?}",
        tl.engine().violations()
    );
    tl
}

/// Every node's view at the timeline's cursor.
pub fn views(tl: &replviz::timeline::Timeline) -> Vec<replviz::protocol::NodeView> {
    let e = tl.engine();
    e.ids().into_iter().filter_map(|i| e.view(i)).collect()
}

/// (id, term) of every up node whose view says it leads.
pub fn leaders(tl: &replviz::timeline::Timeline) -> Vec<(NodeId, u64)> {
    views(tl)
        .into_iter()
        .filter(|v| v.up && v.leading)
        .map(|v| (v.id, v.term))
        .collect()
}

/// The messages an engine handler sent, as (to, message): for rule tests
/// that drive one node by hand.
pub fn sends<M: Clone, T>(out: &replviz::protocol::Out<M, T>) -> Vec<(NodeId, M)> {
    out.effects()
        .iter()
        .filter_map(|e| match e {
            replviz::protocol::Effect::Send(to, m) => Some((*to, m.clone())),
            _ => None,
        })
        .collect()
}
pub const MS: Time = 1_000;

pub fn raft_sim(
    nodes: u32,
    seed: u64,
    bug: Option<RaftBug>,
    knobs: Knobs,
    mode: TraceMode,
) -> Sim<Raft> {
    Sim::new(
        SimConfig {
            nodes,
            seed,
            net: NetConfig::default(),
            proto: RaftConfig {
                bug,
                noop_on_election: knobs.noop,
                max_batch: knobs.max_batch,
                ..RaftConfig::default()
            },
        },
        mode,
    )
}

/// The up leader with the highest term, if any.
pub fn leader(sim: &Sim<Raft>) -> Option<NodeId> {
    sim.leader()
}

/// Outcome of one chaos run.
pub struct ChaosResult {
    pub violations: Vec<String>,
    pub liveness: Result<Time, String>,
    pub steps: u64,
}

/// `duration` of random faults and client load, then heal everything and
/// check that a leader is elected and a new request commits on a majority.
pub fn chaos(
    seed: u64,
    nodes: u32,
    duration: Time,
    bug: Option<RaftBug>,
    noop: bool,
) -> ChaosResult {
    let knobs = Knobs {
        noop,
        ..Knobs::default()
    };
    chaos_with(seed, nodes, duration, bug, knobs)
}

/// Settings a chaos run varies beyond the seed.
#[derive(Clone, Copy, Debug)]
pub struct Knobs {
    /// Raft's §8 no-op on election.
    pub noop: bool,
    /// Raft's entries per AppendEntries.
    pub max_batch: usize,
    /// Make half of all faults Figure 8's pattern (a leader crashing moments
    /// after accepting a write).
    pub storm: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            noop: true,
            max_batch: RaftConfig::default().max_batch,
            storm: false,
        }
    }
}

/// As [`chaos`], with every knob.
pub fn chaos_with(
    seed: u64,
    nodes: u32,
    duration: Time,
    bug: Option<RaftBug>,
    knobs: Knobs,
) -> ChaosResult {
    let storm = knobs.storm;
    let mut sim = raft_sim(nodes, seed, bug, knobs, TraceMode::HashOnly);
    let mut rng = SimRng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut value = 0u32;
    let mut t = 0;
    let mut rec = Vec::new();
    while t < duration {
        t += rng.range(20 * MS, 150 * MS);
        sim.advance_to(t);
        let roll = rng.range(0, 99);
        let roll = if storm && rng.range(0, 2) == 0 {
            99
        } else {
            roll
        };
        let n = rng.range(1, u64::from(nodes)) as NodeId;
        let m = rng.range(1, u64::from(nodes)) as NodeId;
        let action = match roll {
            0..=44 => {
                value += 1;
                generic::client_request(&mut rng, value, leader(&sim), n)
            }
            45..=91 => generic::fault(&mut rng, roll, n, m),
            _ => {
                generic::crash_leader_mid_write(&mut sim, &mut rec, &mut rng, &mut value, &mut t, n)
            }
        };
        sim.apply(&action);
    }
    generic::heal_everything(&mut sim, &mut rec);
    let healed_at = sim.now();
    // A client that retries: find the leader, submit, wait up to 1 s for the
    // entry to be committed on a majority, otherwise try again.
    let liveness = (|| {
        let deadline = healed_at + 10 * SEC;
        while sim.now() < deadline {
            let Some(l) = leader(&sim) else {
                let next = sim.now() + 10 * MS;
                sim.advance_to(next);
                continue;
            };
            value += 1;
            sim.apply(&Action::Request {
                node: l,
                cmd: Command { key: Key(0), value },
            });
            let idx = sim.node(l).map(|n| n.log().last_index()).unwrap_or(0);
            let term = sim.node(l).map(|n| n.current_term()).unwrap_or(0);
            let give_up = sim.now() + SEC;
            while sim.now() < give_up.min(deadline) {
                let next = sim.now() + 10 * MS;
                sim.advance_to(next);
                let committed = sim
                    .ids()
                    .iter()
                    .filter(|&&id| {
                        sim.node(id).is_some_and(|n| {
                            n.commit_index() >= idx
                                && n.log().get(idx).is_some_and(|e| {
                                    e.term == term && e.cmd.is_some_and(|c| c.value == value)
                                })
                        })
                    })
                    .count();
                if committed > nodes as usize / 2 {
                    return Ok(sim.now() - healed_at);
                }
            }
        }
        Err(format!(
            "no request committed on a majority within 10 s of healing (seed {seed})"
        ))
    })();
    ChaosResult {
        violations: sim
            .violations()
            .iter()
            .map(|v| {
                format!(
                    "{} at {} µs (step {}): {}",
                    v.invariant, v.time, v.step, v.detail
                )
            })
            .collect(),
        liveness,
        steps: sim.steps(),
    }
}
