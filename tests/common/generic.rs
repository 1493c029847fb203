//! The chaos harness: random faults and client load against any registered
//! protocol (through the type-erased [`AnySim`]), then heal everything and
//! check that the cluster serves a request again. It only uses what the UI
//! uses (node views), so it knows no protocol: "leader" is whichever node's
//! view says it leads.
//!
//! The faults are swarm-tested (Groce et al., "Swarm Testing", ISSTA 2012;
//! TigerBeetle's VOPR): each seed draws its own [`Profile`] (which kinds of
//! fault are on at all, their weights, how lossy the network gets, how
//! often the user acts, which partition shapes it makes), so that some
//! seeds hammer one pattern (say, re-partitioning a 3-node cluster and
//! forcing elections) that a uniform mix would almost never produce.

use super::{MS, SEC};
use replviz::anysim::{AnySim, Setup};
use replviz::protocol::{Command, Key};
use replviz::protocols::ProtocolKind;
use replviz::scenario::{Scenario, TimedAction};
use replviz::sim::net::NetConfig;
use replviz::sim::rng::SimRng;
use replviz::sim::{Action, NodeId, Time, TraceMode};

/// Outcome of one generic chaos run.
pub struct Run {
    pub violations: Vec<String>,
    pub liveness: Result<Time, String>,
    pub steps: u64,
    /// The trace hash at the end of the run.
    pub hash: u64,
    /// The linearizability search ran out of budget.
    pub undecided: bool,
    /// The run's actions as a scenario link (`#s1.…`, the protocol's
    /// default settings), to open the failing schedule in the app.
    pub link: String,
}

/// Apply `a` now and record it with its step and time, so that a run can be
/// replayed (and shared) as a scenario.
pub fn act(sim: &mut dyn AnySim, rec: &mut Vec<TimedAction>, a: Action) {
    rec.push(TimedAction {
        step: sim.steps(),
        t: sim.now(),
        action: a.clone(),
    });
    sim.apply(&a);
}

/// The up node whose view says it leads (highest term if several).
pub fn leading(sim: &dyn AnySim) -> Option<NodeId> {
    sim.leader()
}

/// Is node `id` up?
fn is_up(sim: &dyn AnySim, id: NodeId) -> bool {
    sim.view(id).is_some_and(|v| v.up)
}

/// A chaos step's client request: to the leader nine times in ten; with
/// `reads`, one request in three is a read.
pub fn client_request(
    rng: &mut SimRng,
    value: u32,
    leader: Option<NodeId>,
    n: NodeId,
    reads: bool,
) -> Action {
    let target = if rng.range(0, 9) < 8 {
        leader.unwrap_or(n)
    } else {
        n
    };
    let key = Key((value % 3) as u8);
    let cmd = if reads && rng.range(0, 2) == 0 {
        Command::read(key, value)
    } else {
        Command::write(key, value)
    };
    Action::Request { node: target, cmd }
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
pub fn crash_leader_mid_write(
    sim: &mut dyn AnySim,
    rec: &mut Vec<TimedAction>,
    rng: &mut SimRng,
    value: &mut u32,
    t: &mut Time,
    n: NodeId,
) -> Action {
    let Some(l) = sim.leader() else {
        return Action::Restart { node: n };
    };
    *value += 1;
    act(
        sim,
        rec,
        Action::Request {
            node: l,
            cmd: Command::write(Key((*value % 3) as u8), *value),
        },
    );
    *t += rng.range(0, 30 * MS);
    sim.advance_to(*t);
    Action::Crash { node: l }
}

/// A storm step where servers join and leave, shaped like the raft-dev
/// report of 2015: the leader is asked for a membership change and is cut
/// off (with a random few others) while the new configuration is only
/// partly replicated; the next leader is asked for another change the
/// moment it is elected, and its link to one voter breaks; a little later
/// the old leader meets that voter again.
fn membership_storm(
    sim: &mut dyn AnySim,
    rec: &mut Vec<TimedAction>,
    rng: &mut SimRng,
    t: &mut Time,
    nodes: NodeId,
) -> Action {
    let change = |sim: &dyn AnySim, l: NodeId, k: NodeId| {
        let what = if in_configuration(sim, l, k) {
            "remove"
        } else {
            "add"
        };
        Action::NodeAction {
            node: l,
            action: format!("{what}-{k}"),
        }
    };
    let k = rng.range(1, u64::from(nodes)) as NodeId;
    let Some(l) = sim.leader() else {
        return Action::Restart { node: k };
    };
    let first = change(sim, l, k);
    act(sim, rec, first);
    *t += rng.range(0, 100 * MS);
    sim.advance_to(*t);
    // The old leader keeps a random few of the others.
    for p in (1..=nodes).filter(|&p| p != l) {
        if rng.range(0, 2) > 0 {
            act(sim, rec, Action::CutBoth { a: l, b: p });
        }
    }
    for _ in 0..1_000 {
        *t += MS;
        sim.advance_to(*t);
        if let Some(next) = sim.leader().filter(|&x| x != l) {
            let m = rng.range(1, u64::from(nodes)) as NodeId;
            let second = change(sim, next, m);
            act(sim, rec, second);
            let y = rng.range(1, u64::from(nodes)) as NodeId;
            if y != next {
                act(sim, rec, Action::CutOneWay { from: next, to: y });
            }
            *t += rng.range(50, 500) * MS;
            sim.advance_to(*t);
            return Action::Heal { a: l, b: y };
        }
    }
    Action::HealAll
}

/// End a chaos run: heal every link, reset the network (each link's own
/// settings too) and every clock, restart every node.
pub fn heal_everything(sim: &mut dyn AnySim, rec: &mut Vec<TimedAction>) {
    // Paused nodes resume first (a pause cannot be undone, only waited out).
    let resumed = sim
        .ids()
        .iter()
        .map(|&id| sim.faults(id).0)
        .max()
        .unwrap_or(0);
    if resumed > sim.now() {
        sim.advance_to(resumed);
    }
    act(sim, rec, Action::HealAll);
    act(
        sim,
        rec,
        Action::SetNet {
            net: NetConfig::default(),
        },
    );
    let ids = sim.ids();
    for &from in &ids {
        for &to in &ids {
            if sim.link_net(from, to).is_some() {
                let net = NetConfig::default();
                act(sim, rec, Action::SetLink { from, to, net });
            }
        }
        let (_, offset, rate) = sim.faults(from);
        if offset != 0 || rate != 100 {
            let node = from;
            act(
                sim,
                rec,
                Action::Clock {
                    node,
                    offset: 0,
                    rate: 100,
                },
            );
        }
    }
    for id in sim.ids() {
        if !is_up(sim, id) {
            act(sim, rec, Action::Restart { node: id });
        }
    }
}

/// Is `id` in the configuration `leader` uses (where servers join and leave)?
fn in_configuration(sim: &dyn AnySim, leader: NodeId, id: NodeId) -> bool {
    sim.view(leader)
        .is_none_or(|v| v.members == 0 || v.members >> id & 1 == 1)
}

/// After healing, ask the leader to add back, one at a time, every server
/// outside its configuration (each addition waits for the previous one),
/// for up to 20 s. The size of the configuration then, if one was named.
pub fn rejoin_all(sim: &mut dyn AnySim, rec: &mut Vec<TimedAction>) -> Option<usize> {
    let deadline = sim.now() + 20 * SEC;
    let size = |sim: &dyn AnySim| {
        let l = leading(sim)?;
        let ids = sim.ids();
        Some(
            ids.iter()
                .filter(|&&id| in_configuration(sim, l, id))
                .count(),
        )
    };
    while sim.now() < deadline {
        let next = sim.now() + 50 * MS;
        sim.advance_to(next);
        let Some(l) = leading(sim) else { continue };
        let busy = sim
            .view(l)
            .is_some_and(|v| v.details.iter().any(|d| d.contains("not yet committed")));
        // Everyone is in: service is then judged over all the nodes.
        let out = sim
            .ids()
            .into_iter()
            .find(|&id| !in_configuration(sim, l, id))?;
        if !busy {
            act(
                sim,
                rec,
                Action::NodeAction {
                    node: l,
                    action: format!("add-{out}"),
                },
            );
            let next = sim.now() + 500 * MS;
            sim.advance_to(next);
        }
    }
    size(sim)
}

/// The kinds of step a chaos run takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Request,
    Crash,
    Restart,
    CutOneWay,
    CutBoth,
    Heal,
    HealAll,
    Net,
    Timeout,
    /// Heal everything, then split the nodes into 2 or 3 random groups.
    Partition,
    /// Heal everything, then cut the cluster in two halves but keep one
    /// node connected to both (Jepsen's `bridge` nemesis).
    Bridge,
    /// Cut one node off from every other.
    Isolate,
    /// The profile's flapping node loses every link but one (a node that
    /// hops between the sides of a partition, as a flaky switch port or
    /// asymmetric routing makes it), and half the time its timeout is forced.
    Flap,
    /// Crash the leader moments after it accepted a write.
    Storm,
    Toggle,
    /// Pause a node (stop the world) for up to 2 s.
    Pause,
    /// Set a node's clock: offset up to ±1 s, rate 50..200 %.
    Clock,
    /// A node loses power.
    PowerLoss,
    /// One direction of a link gets its own latency (up to 400 ms) and loss.
    SlowLink,
    /// Ask the leader to add a server outside its configuration, or to
    /// remove one in it (protocols with membership changes only).
    Member,
}

const STEPS: [Step; 20] = [
    Step::Request,
    Step::Crash,
    Step::Restart,
    Step::CutOneWay,
    Step::CutBoth,
    Step::Heal,
    Step::HealAll,
    Step::Net,
    Step::Timeout,
    Step::Partition,
    Step::Bridge,
    Step::Isolate,
    Step::Flap,
    Step::Storm,
    Step::Toggle,
    Step::Pause,
    Step::Clock,
    Step::PowerLoss,
    Step::SlowLink,
    Step::Member,
];

/// One seed's fault profile: a weight per kind of step (0 = off), the
/// worst loss and duplication it sets, and the pace of the user's actions.
#[derive(Clone, Debug)]
pub struct Profile {
    weights: Vec<(Step, u64)>,
    max_drop_ppm: u64,
    max_dup_ppm: u64,
    gap: (Time, Time),
    flapper: NodeId,
}

impl Profile {
    /// Draw a profile: each kind of fault is on with probability 1/2 and
    /// then weighted 1..=10; client requests are always on.
    fn draw(rng: &mut SimRng, shape: &Shape, nodes: NodeId, membership: bool) -> Profile {
        let mut weights = Vec::new();
        for &s in &STEPS {
            let on = match s {
                Step::Request => true,
                Step::Toggle => shape.toggles && rng.range(0, 1) == 0,
                Step::Storm => shape.storm > 0 || rng.range(0, 1) == 0,
                Step::Member => membership && rng.range(0, 2) > 0,
                _ => rng.range(0, 1) == 0,
            };
            if on {
                weights.push((s, rng.range(1, 10)));
            }
        }
        let max_drop_ppm = [0, 50_000, 200_000, 400_000][rng.range(0, 3) as usize];
        let max_dup_ppm = [0, 0, 50_000, 200_000][rng.range(0, 3) as usize];
        let lo = rng.range(5, 60) * MS;
        let hi = lo + rng.range(10, 250) * MS;
        Profile {
            weights,
            max_drop_ppm,
            max_dup_ppm,
            gap: (lo, hi),
            flapper: rng.range(1, u64::from(nodes)) as NodeId,
        }
    }

    fn pick(&self, rng: &mut SimRng) -> Step {
        let total: u64 = self.weights.iter().map(|w| w.1).sum();
        let mut roll = rng.range(0, total.max(1) - 1);
        for &(s, w) in &self.weights {
            if roll < w {
                return s;
            }
            roll -= w;
        }
        Step::Request
    }
}

/// Heal every link, then cut every pair of nodes on different sides, leaving
/// out `bridge` (which keeps all its links).
fn split(sim: &mut dyn AnySim, rec: &mut Vec<TimedAction>, side: &[u64], bridge: Option<NodeId>) {
    act(sim, rec, Action::HealAll);
    let nodes = side.len() as NodeId - 1;
    for a in (1..=nodes).filter(|&a| Some(a) != bridge) {
        for b in (a + 1..=nodes).filter(|&b| Some(b) != bridge) {
            if side[a as usize] != side[b as usize] {
                act(sim, rec, Action::CutBoth { a, b });
            }
        }
    }
}

/// Cut the cluster into 2 or 3 random groups.
fn partition(sim: &mut dyn AnySim, rec: &mut Vec<TimedAction>, rng: &mut SimRng, nodes: NodeId) {
    let groups = rng.range(2, 3);
    let side: Vec<u64> = (0..=nodes).map(|_| rng.range(0, groups - 1)).collect();
    split(sim, rec, &side, None);
}

/// Cut the cluster in two halves except for one bridge node that keeps
/// every link.
fn bridge(sim: &mut dyn AnySim, rec: &mut Vec<TimedAction>, rng: &mut SimRng, nodes: NodeId) {
    let b = rng.range(1, u64::from(nodes)) as NodeId;
    let side: Vec<u64> = (0..=nodes).map(|_| rng.range(0, 1)).collect();
    split(sim, rec, &side, Some(b));
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

/// What a chaos run boots: a registered protocol, the function that boots
/// it (its own, or a broken variant's) and its settings.
#[derive(Clone)]
pub struct Target {
    pub protocol: ProtocolKind,
    pub boot: fn(&Setup, TraceMode) -> Box<dyn AnySim>,
    pub settings: serde_json::Value,
    /// A note for failure messages (a broken variant's name).
    pub note: &'static str,
    /// Send reads too, and check the client history for linearizability
    /// (where the configuration claims it).
    pub reads: bool,
    /// Simulated clients running beside the chaos.
    pub workload: replviz::sim::clients::Workload,
}

impl Target {
    /// The protocol as registered, with the given settings.
    pub fn of(protocol: ProtocolKind, settings: serde_json::Value) -> Self {
        Target {
            protocol,
            boot: protocol.boot,
            settings,
            note: "",
            reads: protocol.reads,
            workload: Default::default(),
        }
    }

    /// Does the run's configuration claim linearizability?
    fn claims(&self) -> bool {
        let full = (self.protocol.settings)(&self.settings).unwrap_or_default();
        self.reads && (self.protocol.linearizable)(&full)
    }
}

/// Run `duration` of random faults and load, heal, then require service.
pub fn chaos(target: &Target, seed: u64, nodes: u32, duration: Time, shape: Shape) -> Run {
    let setup = Setup {
        nodes,
        seed,
        net: NetConfig::default(),
        settings: target.settings.clone(),
        workload: target.workload.clone(),
        keep_connections_on_crash: false,
    };
    let mode = if std::env::var("CHAOS_DUMP").is_ok() {
        TraceMode::Full
    } else {
        TraceMode::HashOnly
    };
    let mut boxed = (target.boot)(&setup, mode);
    let sim: &mut dyn AnySim = boxed.as_mut();
    let mut rng = SimRng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let profile = Profile::draw(&mut rng, &shape, nodes, target.protocol.membership);
    let mut value = 0u32;
    let mut t = 0;
    let mut flipped = vec![false; nodes as usize + 1];
    let mut rec: Vec<TimedAction> = Vec::new();
    while t < duration {
        t += rng.range(profile.gap.0, profile.gap.1);
        sim.advance_to(t);
        let step = if shape.storm > 0 && rng.range(0, 99) < shape.storm {
            Step::Storm
        } else {
            profile.pick(&mut rng)
        };
        let n = rng.range(1, u64::from(nodes)) as NodeId;
        let m = rng.range(1, u64::from(nodes)) as NodeId;
        let action = match step {
            Step::Request => {
                value += 1;
                client_request(&mut rng, value, leading(sim), n, target.reads)
            }
            Step::Crash => Action::Crash { node: n },
            Step::Restart => Action::Restart { node: n },
            Step::CutOneWay => Action::CutOneWay { from: n, to: m },
            Step::CutBoth => Action::CutBoth { a: n, b: m },
            Step::Heal => Action::Heal { a: n, b: m },
            Step::HealAll => Action::HealAll,
            Step::Net => Action::SetNet {
                net: NetConfig {
                    drop_ppm: rng.range(0, profile.max_drop_ppm) as u32,
                    dup_ppm: rng.range(0, profile.max_dup_ppm) as u32,
                    ..NetConfig::default()
                },
            },
            Step::Timeout => Action::Timeout { node: n },
            Step::Pause => Action::Pause {
                node: n,
                us: rng.range(10, 2_000) * MS,
            },
            Step::Clock => Action::Clock {
                node: n,
                offset: rng.range(0, 2_000_000) as i64 - 1_000_000,
                rate: rng.range(50, 200) as u32,
            },
            Step::PowerLoss => Action::PowerLoss { node: n },
            Step::SlowLink => {
                let lo = rng.range(1, 200) * MS;
                Action::SetLink {
                    from: n,
                    to: m,
                    net: NetConfig {
                        latency_min: lo,
                        latency_max: lo + rng.range(1, 200) * MS,
                        drop_ppm: rng.range(0, profile.max_drop_ppm) as u32,
                        dup_ppm: 0,
                        // Half the slow links keep their messages in order.
                        fifo: lo / MS % 2 == 0,
                    },
                }
            }
            Step::Partition => {
                partition(sim, &mut rec, &mut rng, nodes);
                continue;
            }
            Step::Bridge => {
                bridge(sim, &mut rec, &mut rng, nodes);
                continue;
            }
            Step::Isolate => {
                for p in (1..=nodes).filter(|&p| p != n) {
                    act(sim, &mut rec, Action::CutBoth { a: n, b: p });
                }
                continue;
            }
            Step::Flap => {
                let f = profile.flapper;
                for p in (1..=nodes).filter(|&p| p != f) {
                    if p == n || (n == f && p == m) {
                        act(sim, &mut rec, Action::Heal { a: f, b: p });
                    } else {
                        act(sim, &mut rec, Action::CutBoth { a: f, b: p });
                    }
                }
                if rng.range(0, 1) == 0 {
                    act(sim, &mut rec, Action::Timeout { node: f });
                }
                continue;
            }
            Step::Toggle => {
                // A paused node cannot be asked to act: its switch stays.
                if is_up(sim, n) && sim.faults(n).0 == 0 {
                    flipped[n as usize] = !flipped[n as usize];
                }
                Action::Toggle { node: n }
            }
            Step::Storm if target.protocol.membership && rng.range(0, 1) == 0 => {
                membership_storm(sim, &mut rec, &mut rng, &mut t, nodes)
            }
            Step::Storm => crash_leader_mid_write(sim, &mut rec, &mut rng, &mut value, &mut t, n),
            Step::Member => {
                let Some(l) = leading(sim) else { continue };
                let change = if in_configuration(sim, l, n) {
                    "remove"
                } else {
                    "add"
                };
                Action::NodeAction {
                    node: l,
                    action: format!("{change}-{n}"),
                }
            }
        };
        act(sim, &mut rec, action);
    }
    heal_everything(sim, &mut rec);
    // A server that cannot catch up while clients keep writing stays out
    // (thesis §4.2.1 aborts its addition): then service means a majority
    // of the configuration the leader uses.
    let members = if target.protocol.membership {
        rejoin_all(sim, &mut rec)
    } else {
        None
    };
    for id in 1..=nodes {
        // Switches are durable; flip back the ones left on so that the
        // healed cluster can serve.
        if flipped[id as usize] {
            act(sim, &mut rec, Action::Toggle { node: id });
        }
    }
    let need = if let Some(m) = members {
        m / 2 + 1
    } else if shape.need == 0 {
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
            let Some(l) = leading(sim) else {
                let next = sim.now() + 10 * MS;
                sim.advance_to(next);
                continue;
            };
            value += 1;
            let token = format!("={value}");
            sim.apply(&Action::Request {
                node: l,
                cmd: Command::write(Key(0), value),
            });
            let give_up = sim.now() + SEC;
            while sim.now() < give_up.min(deadline) {
                let next = sim.now() + 10 * MS;
                sim.advance_to(next);
                let served = sim
                    .ids()
                    .into_iter()
                    .filter_map(|id| sim.view(id))
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
    let mut s = Scenario {
        protocol: target.protocol,
        nodes,
        seed,
        actions: rec,
        workload: target.workload.clone(),
        ..Scenario::default()
    };
    if !target.settings.is_null() {
        s.settings
            .insert(target.protocol.id.to_string(), target.settings.clone());
        let _ = s.normalize_settings();
    }
    let mut link = format!("#{}", replviz::link::encode(&s, healed_at));
    if !target.note.is_empty() {
        link.push_str(&format!(" (with the broken variant {})", target.note));
    }
    let mut violations: Vec<String> = sim
        .violations()
        .iter()
        .map(|v| {
            format!(
                "{} at {} µs (step {}): {}",
                v.invariant, v.time, v.step, v.detail
            )
        })
        .collect();
    let mut undecided = false;
    if target.claims() {
        match replviz::history::linear::check(sim.history()) {
            replviz::history::linear::Verdict::NotLinearizable(a) => violations.push(format!(
                "{} at {} µs (end of run, {} client operations): {}",
                replviz::history::linear::INVARIANT,
                sim.now(),
                sim.history().len(),
                a.why
            )),
            replviz::history::linear::Verdict::Undecided { .. } => undecided = true,
            replviz::history::linear::Verdict::Linearizable => {}
        }
        if let Some(b) = replviz::history::session::check(sim.history()) {
            violations.push(format!(
                "Session guarantees at {} µs (end of run): {}",
                sim.now(),
                b.explain(sim.history(), &|t| t.to_string())
            ));
        }
    }
    Run {
        link,
        undecided,
        violations,
        liveness,
        steps: sim.steps(),
        hash: sim.trace_hash(),
    }
}
