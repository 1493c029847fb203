//! A protocol-generic chaos run: random faults and client load against any
//! [`Protocol`], then heal everything and check that the cluster serves a
//! request again. It only uses what the UI uses (node views), so it knows
//! no protocol: "leader" is whichever node's view says it leads.

use super::{MS, SEC};
use replviz::protocol::{Command, Key, Protocol};
use replviz::sim::net::NetConfig;
use replviz::sim::rng::SimRng;
use replviz::sim::{Action, NodeId, Sim, SimConfig, Time, TraceMode};

/// Outcome of one generic chaos run.
pub struct Run {
    pub violations: Vec<String>,
    pub liveness: Result<Time, String>,
    pub steps: u64,
}

/// The up node whose view says it leads (highest term if several).
pub fn leading<P: Protocol>(sim: &Sim<P>) -> Option<NodeId> {
    sim.leader()
}

/// A chaos step's client request: to the leader nine times in ten.
pub fn client_request(rng: &mut SimRng, value: u32, leader: Option<NodeId>, n: NodeId) -> Action {
    let target = if rng.range(0, 9) < 8 {
        leader.unwrap_or(n)
    } else {
        n
    };
    Action::Request {
        node: target,
        cmd: Command {
            key: Key((value % 3) as u8),
            value,
        },
    }
}

/// A chaos step's fault for a roll in 45..=91: crash, restart, cuts, heals,
/// network loss and duplication, forced timeout (a heal-all otherwise).
pub fn fault(rng: &mut SimRng, roll: u64, n: NodeId, m: NodeId) -> Action {
    match roll {
        45..=51 => Action::Crash { node: n },
        52..=62 => Action::Restart { node: n },
        63..=67 => Action::CutOneWay { from: n, to: m },
        68..=72 => Action::CutBoth { a: n, b: m },
        73..=80 => Action::Heal { a: n, b: m },
        85..=88 => Action::SetNet {
            net: NetConfig {
                drop_ppm: rng.range(0, 300_000) as u32,
                dup_ppm: rng.range(0, 100_000) as u32,
                ..NetConfig::default()
            },
        },
        89..=91 => Action::Timeout { node: n },
        _ => Action::HealAll,
    }
}

/// A chaos step in the "storm" mix (Figure 8's pattern): the leader accepts
/// a write and crashes while the write is only partly replicated. Without a
/// leader, node `n` restarts instead.
pub fn crash_leader_mid_write<P: Protocol>(
    sim: &mut Sim<P>,
    rng: &mut SimRng,
    value: &mut u32,
    t: &mut Time,
    n: NodeId,
) -> Action {
    let Some(l) = sim.leader() else {
        return Action::Restart { node: n };
    };
    *value += 1;
    sim.apply(&Action::Request {
        node: l,
        cmd: Command {
            key: Key((*value % 3) as u8),
            value: *value,
        },
    });
    *t += rng.range(0, 30 * MS);
    sim.advance_to(*t);
    Action::Crash { node: l }
}

/// End a chaos run: heal every link, reset the network, restart every node.
pub fn heal_everything<P: Protocol>(sim: &mut Sim<P>) {
    sim.apply(&Action::HealAll);
    sim.apply(&Action::SetNet {
        net: NetConfig::default(),
    });
    for id in sim.ids().to_vec() {
        sim.apply(&Action::Restart { node: id });
    }
}

/// How a run is shaped beyond the seed.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Nodes whose state machine must show a value for it to count as served
    /// after healing (`0` = a majority).
    pub need: usize,
    /// Percent of actions that crash the current leader moments after it
    /// accepted a request (a "storm").
    pub storm: u64,
    /// Allow the user's switch (`Action::Toggle`).
    pub toggles: bool,
    /// Require service after healing (off where livelock is the point).
    pub live: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            need: 0,
            storm: 0,
            toggles: false,
            live: true,
        }
    }
}

/// Run `duration` of random faults and load, heal, then require service.
pub fn chaos<P: Protocol>(
    cfg: P::Config,
    seed: u64,
    nodes: u32,
    duration: Time,
    shape: Shape,
) -> Run {
    let mut sim: Sim<P> = Sim::new(
        SimConfig {
            nodes,
            seed,
            net: NetConfig::default(),
            proto: cfg,
        },
        if std::env::var("CHAOS_DUMP").is_ok() {
            TraceMode::Full
        } else {
            TraceMode::HashOnly
        },
    );
    let mut rng = SimRng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut value = 0u32;
    let mut t = 0;
    let mut flipped = vec![false; nodes as usize + 1];
    while t < duration {
        t += rng.range(20 * MS, 150 * MS);
        sim.advance_to(t);
        let roll = if shape.storm > 0 && rng.range(0, 99) < shape.storm {
            99
        } else {
            rng.range(0, 98)
        };
        let n = rng.range(1, u64::from(nodes)) as NodeId;
        let m = rng.range(1, u64::from(nodes)) as NodeId;
        let action = match roll {
            0..=44 => {
                value += 1;
                client_request(&mut rng, value, leading(&sim), n)
            }
            45..=91 => fault(&mut rng, roll, n, m),
            92..=94 if shape.toggles => {
                if sim.is_up(n) {
                    flipped[n as usize] = !flipped[n as usize];
                }
                Action::Toggle { node: n }
            }
            92..=98 => Action::Restart { node: n },
            _ => crash_leader_mid_write(&mut sim, &mut rng, &mut value, &mut t, n),
        };
        sim.apply(&action);
    }
    heal_everything(&mut sim);
    for id in 1..=nodes {
        // Switches are durable; flip back the ones left on so that the
        // healed cluster can serve.
        if flipped[id as usize] {
            sim.apply(&Action::Toggle { node: id });
        }
    }
    let need = if shape.need == 0 {
        nodes as usize / 2 + 1
    } else {
        shape.need
    };
    let healed_at = sim.now();
    let liveness = (|| {
        if !shape.live {
            return Ok(0);
        }
        let deadline = healed_at + 10 * SEC;
        while sim.now() < deadline {
            let Some(l) = leading(&sim) else {
                let next = sim.now() + 10 * MS;
                sim.advance_to(next);
                continue;
            };
            value += 1;
            let token = format!("={value}");
            sim.apply(&Action::Request {
                node: l,
                cmd: Command { key: Key(0), value },
            });
            let give_up = sim.now() + SEC;
            while sim.now() < give_up.min(deadline) {
                let next = sim.now() + 10 * MS;
                sim.advance_to(next);
                let served = sim
                    .ids()
                    .iter()
                    .filter_map(|&id| sim.view(id))
                    .filter(|v| {
                        v.up && v
                            .state_machine
                            .split(' ')
                            .any(|kv| kv.ends_with(&token) && kv.starts_with('x'))
                    })
                    .count();
                if served >= need {
                    return Ok(sim.now() - healed_at);
                }
            }
        }
        Err(format!(
            "no request served on {need} nodes within 10 s of healing (seed {seed}, {nodes} nodes)"
        ))
    })();
    if let Ok(spec) = std::env::var("CHAOS_DUMP") {
        // CHAOS_DUMP=from_ms-to_ms prints the trace in that window.
        let (a, b) = spec.split_once('-').unwrap_or(("0", "1000000"));
        let (a, b): (Time, Time) = (a.parse().unwrap_or(0), b.parse().unwrap_or(0));
        for e in sim.take_trace() {
            if e.time >= a * MS && e.time <= b * MS {
                println!("{:>10} {}", e.time, e.describe());
            }
        }
    }
    Run {
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
