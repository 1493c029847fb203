//! The deterministic simulation kernel.
//!
//! Integer virtual time in microseconds; an event queue ordered by
//! (time, sequence number); one seeded RNG ([`rng::SimRng`]); the network
//! model ([`net`]); node crash and restart (durable state survives, volatile
//! state is rebuilt by booting from it, timers of a crashed node die); client
//! requests; and a [`trace`] of every event. Invariant checkers run after
//! every event that touches a node and record violations as data.
//!
//! The kernel is generic over [`Protocol`]; adding a protocol never touches it.

pub mod acks;
pub mod check;
pub mod clients;
mod core;
pub mod net;
pub mod rng;
pub mod trace;

use self::core::{Core, NodeOp};
use crate::protocol::{Command, Effect, Message, NodeView, Out, Protocol, Request, TimerInfo};
use check::{Checked, Checker};
use net::{LinkState, NetConfig};
use serde::{Deserialize, Serialize};
use trace::{TraceEvent, TraceKind};

pub use crate::protocol::{NodeId, Time};
/// A message id, unique within a run.
pub type MsgId = u64;

/// Smallest and largest cluster the simulator accepts.
pub const MIN_NODES: u32 = 1;
/// Largest cluster the simulator accepts.
pub const MAX_NODES: u32 = 9;

/// A user action, applied at the simulator's current time. In links and
/// files it is a flat object tagged by `do` (`{"do":"crash","node":2}`);
/// it is read through [`RawAction`], which costs the browser bundle far
/// less code than serde's internally tagged enums.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Action {
    /// Crash a node: volatile state and timers are lost.
    Crash { node: NodeId },
    /// Restart a crashed node from its durable state.
    Restart { node: NodeId },
    /// Force the node's main timeout (e.g. Raft's election timeout) now:
    /// the node action `timeout` (kept as its own variant so that links
    /// and trace hashes from before node actions keep their meaning).
    Timeout { node: NodeId },
    /// The node action `toggle` (2PC: vote no from now on), kept as its
    /// own variant for the same reason.
    Toggle { node: NodeId },
    /// Any other node action the protocol's descriptor lists.
    NodeAction { node: NodeId, action: String },
    /// A client sends `cmd` to `node`.
    Request { node: NodeId, cmd: Command },
    /// Cut the direction `from -> to`.
    CutOneWay { from: NodeId, to: NodeId },
    /// Cut both directions between `a` and `b`.
    CutBoth { a: NodeId, b: NodeId },
    /// Heal both directions between `a` and `b`.
    Heal { a: NodeId, b: NodeId },
    /// Heal every link, client links included.
    HealAll,
    /// Cut both directions between workload client `client` and `node`.
    CutClient { client: u32, node: NodeId },
    /// Heal the link between workload client `client` and `node`.
    HealClient { client: u32, node: NodeId },
    /// Change the network's latency, loss and duplication.
    SetNet { net: NetConfig },
    /// Stop `node` for `us` µs (a stop-the-world pause, SIGSTOP): it handles
    /// nothing and its timers do not fire; what arrives waits; then it goes
    /// on with the beliefs it had. Unlike a crash, nothing is lost.
    Pause { node: NodeId, us: Time },
    /// Set `node`'s clock: its wall clock reads `offset` µs off true time,
    /// and its timers run at `rate` percent of true speed (125: fast).
    Clock {
        node: NodeId,
        offset: i64,
        rate: u32,
    },
    /// Power loss of `node`: a crash that also loses what the protocol had
    /// not flushed to disk ([`Protocol::power_loss`]).
    PowerLoss { node: NodeId },
    /// Latency, loss and duplication of the direction `from -> to` alone.
    SetLink {
        from: NodeId,
        to: NodeId,
        net: NetConfig,
    },
}

/// Every field any action has, for reading an action (and, flattened into
/// it, a timed action) in one pass over its JSON object
/// ([`RawAction::from_value`]).
pub struct RawAction {
    /// A timed action's position (absent in a bare action).
    pub step: u64,
    /// A timed action's time (absent in a bare action).
    pub t: Time,
    kind: String,
    node: Option<NodeId>,
    from: Option<NodeId>,
    to: Option<NodeId>,
    a: Option<NodeId>,
    b: Option<NodeId>,
    cmd: Option<Command>,
    net: Option<NetConfig>,
    action: Option<String>,
    client: Option<u32>,
    us: Option<Time>,
    offset: Option<i64>,
    rate: Option<u32>,
}

impl RawAction {
    /// Read an action's fields from its JSON object: absent or `null`
    /// fields are `None`, unknown ones ignored, and a field of the wrong
    /// type is named. By hand over a `Value`: serde's derived reader for
    /// fifteen optional fields cost the browser bundle more (README, Size).
    pub fn from_value(v: &serde_json::Value) -> Result<RawAction, String> {
        let Some(o) = v.as_object() else {
            return Err("an action is a JSON object".into());
        };
        let field = |k: &str| o.get(k).filter(|x| !x.is_null());
        let uint = |k: &str| {
            field(k)
                .map(|x| {
                    x.as_u64()
                        .ok_or_else(|| format!("\"{k}\" must be a whole number ≥ 0"))
                })
                .transpose()
        };
        let small = |k: &str| {
            uint(k)?
                .map(|n| u32::try_from(n).map_err(|_| format!("\"{k}\" is out of range")))
                .transpose()
        };
        let text = |k: &str| {
            field(k)
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("\"{k}\" must be a string"))
                })
                .transpose()
        };
        Ok(RawAction {
            step: uint("step")?.unwrap_or(0),
            t: uint("t")?.unwrap_or(0),
            kind: text("do")?.ok_or("an action lacks \"do\"")?,
            node: small("node")?,
            from: small("from")?,
            to: small("to")?,
            a: small("a")?,
            b: small("b")?,
            cmd: field("cmd").map(command_from_value).transpose()?,
            net: field("net")
                .map(crate::settings::from_json)
                .transpose()
                .map_err(|e| format!("\"net\": {e}"))?,
            action: text("action")?,
            client: small("client")?,
            us: uint("us")?,
            offset: field("offset")
                .map(|x| x.as_i64().ok_or("\"offset\" must be a whole number"))
                .transpose()?,
            rate: small("rate")?,
        })
    }
}

/// A client command from its JSON object (`{"key":0,"value":7}`, with
/// `"read":true` or `"cas":5`).
fn command_from_value(v: &serde_json::Value) -> Result<Command, String> {
    let bad = || {
        format!(
            "\"cmd\" must be a command such as {{\"key\":0,\"value\":1}}, not {}",
            crate::json::to_string(v)
        )
    };
    let num = |k: &str| {
        v.get(k)
            .filter(|x| !x.is_null())
            .map(|x| {
                x.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(bad)
            })
            .transpose()
    };
    let key = num("key")?
        .and_then(|k| u8::try_from(k).ok())
        .ok_or_else(bad)?;
    let value = num("value")?.ok_or_else(bad)?;
    let read = match v.get("read") {
        None | Some(serde_json::Value::Null) => false,
        Some(x) => x.as_bool().ok_or_else(bad)?,
    };
    Ok(Command {
        key: crate::protocol::Key(key),
        value,
        read,
        cas: num("cas")?,
    })
}

impl TryFrom<RawAction> for Action {
    type Error = String;
    fn try_from(r: RawAction) -> Result<Action, String> {
        let missing = |f: &str| format!("action \"{}\" lacks \"{f}\"", r.kind);
        let node = || r.node.ok_or_else(|| missing("node"));
        let pair = |x: Option<NodeId>, y: Option<NodeId>, fx: &str, fy: &str| {
            Ok::<_, String>((x.ok_or_else(|| missing(fx))?, y.ok_or_else(|| missing(fy))?))
        };
        Ok(match r.kind.as_str() {
            "crash" => Action::Crash { node: node()? },
            "restart" => Action::Restart { node: node()? },
            "timeout" => Action::Timeout { node: node()? },
            "toggle" => Action::Toggle { node: node()? },
            "node_action" => Action::NodeAction {
                node: node()?,
                action: r.action.clone().ok_or_else(|| missing("action"))?,
            },
            "request" => Action::Request {
                node: node()?,
                cmd: r.cmd.ok_or_else(|| missing("cmd"))?,
            },
            "cut_one_way" => {
                let (from, to) = pair(r.from, r.to, "from", "to")?;
                Action::CutOneWay { from, to }
            }
            "cut_both" => {
                let (a, b) = pair(r.a, r.b, "a", "b")?;
                Action::CutBoth { a, b }
            }
            "heal" => {
                let (a, b) = pair(r.a, r.b, "a", "b")?;
                Action::Heal { a, b }
            }
            "heal_all" => Action::HealAll,
            "pause" => Action::Pause {
                node: node()?,
                us: r.us.ok_or_else(|| missing("us"))?,
            },
            "clock" => Action::Clock {
                node: node()?,
                offset: r.offset.unwrap_or(0),
                rate: r.rate.unwrap_or(100),
            },
            "power_loss" => Action::PowerLoss { node: node()? },
            "set_link" => {
                let (from, to) = pair(r.from, r.to, "from", "to")?;
                Action::SetLink {
                    from,
                    to,
                    net: r.net.clone().ok_or_else(|| missing("net"))?,
                }
            }
            "cut_client" | "heal_client" => {
                let client = r.client.ok_or_else(|| missing("client"))?;
                let node = node()?;
                if r.kind == "cut_client" {
                    Action::CutClient { client, node }
                } else {
                    Action::HealClient { client, node }
                }
            }
            "set_net" => Action::SetNet {
                net: r.net.clone().ok_or_else(|| missing("net"))?,
            },
            other => return Err(format!("unknown action \"{other}\"")),
        })
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        RawAction::from_value(&v)
            .and_then(Action::try_from)
            .map_err(serde::de::Error::custom)
    }
}

impl Action {
    /// The same action with servers `a` and `b` exchanged wherever it names
    /// them (a permutation, so an action naming both still names two
    /// servers). Mirroring a compare pane's action by role: what was done
    /// to that pane's leader is done to each other pane's leader.
    pub fn swap_nodes(&mut self, a: NodeId, b: NodeId) {
        let swap = |n: &mut NodeId| {
            if *n == a {
                *n = b;
            } else if *n == b {
                *n = a;
            }
        };
        match self {
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Timeout { node }
            | Action::Toggle { node }
            | Action::NodeAction { node, .. }
            | Action::Request { node, .. }
            | Action::CutClient { node, .. }
            | Action::HealClient { node, .. }
            | Action::Pause { node, .. }
            | Action::Clock { node, .. }
            | Action::PowerLoss { node } => swap(node),
            Action::CutOneWay { from, to } | Action::SetLink { from, to, .. } => {
                swap(from);
                swap(to);
            }
            Action::CutBoth { a: x, b: y } | Action::Heal { a: x, b: y } => {
                swap(x);
                swap(y);
            }
            Action::SetNet { .. } | Action::HealAll => {}
        }
    }

    /// The user chose node action `id` (of the protocol's descriptor) on
    /// `node`: `timeout` and `toggle` keep their own variants, as links
    /// made before node actions have them.
    pub fn node_action(node: NodeId, id: &str) -> Action {
        match id {
            "timeout" => Action::Timeout { node },
            "toggle" => Action::Toggle { node },
            _ => Action::NodeAction {
                node,
                action: id.to_string(),
            },
        }
    }
}

/// How much of the trace to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceMode {
    /// Keep every event with its text (UI, tests).
    Full,
    /// Keep only the running hash (sweeps, benchmarks).
    HashOnly,
}

/// A recorded invariant violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// When it was detected.
    pub time: Time,
    /// Number of events processed when it was detected.
    pub step: u64,
    /// Which invariant (e.g. "Election Safety").
    pub invariant: &'static str,
    /// What exactly went wrong.
    pub detail: String,
}

/// An armed timer of one node.
#[derive(Clone, Debug)]
pub struct ArmedTimer<T> {
    /// Which timer.
    pub timer: T,
    gen: u64,
    /// When it was armed.
    pub set_at: Time,
    /// When it fires.
    pub deadline: Time,
}

#[derive(Clone, Debug)]
struct Slot<P: Protocol> {
    durable: Option<P::Durable>,
    down_view: Option<NodeView>,
    timers: Vec<ArmedTimer<P::Timer>>,
}

/// Everything needed to start a run.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig<C> {
    /// Cluster size (clamped to `MIN_NODES..=MAX_NODES`).
    pub nodes: u32,
    /// The RNG seed.
    pub seed: u64,
    /// Network parameters.
    pub net: NetConfig,
    /// Protocol parameters.
    pub proto: C,
}

/// A running simulation of one protocol: the nodes' engines, their timers
/// and the messages in flight; the rest of the run is the [`Core`], which
/// does not depend on the protocol.
pub struct Sim<P: Checked> {
    core: Core,
    proto: P::Config,
    ids: Vec<NodeId>,
    states: Vec<Option<P>>,
    slots: Vec<Slot<P>>,
    /// Messages in flight, by slab slot (free slots listed in `free`).
    msgs: Vec<Option<P::Msg>>,
    free: Vec<u32>,
    checker: P::Checker,
    out: Out<P::Msg, P::Timer, P::Obs>,
    /// A crash keeps the node's connections (format-1 links replay as
    /// they were recorded; see [`Sim::keep_connections_on_crash`]).
    keep_connections: bool,
    /// Observations of the handler that just ran, for the checker.
    seen: Vec<P::Obs>,
    /// Bytes of the messages sent, once counting is on ([`Sim::count_bytes`]).
    bytes: Option<u64>,
}

impl<P: Checked> Clone for Sim<P> {
    fn clone(&self) -> Self {
        Sim {
            core: self.core.clone(),
            proto: self.proto.clone(),
            ids: self.ids.clone(),
            states: self.states.clone(),
            slots: self.slots.clone(),
            msgs: self.msgs.clone(),
            free: self.free.clone(),
            checker: self.checker.clone(),
            out: Out::new(self.core.mode == TraceMode::Full),
            keep_connections: self.keep_connections,
            bytes: self.bytes,
            seen: Vec::new(),
        }
    }
}

impl<P: Checked> Sim<P> {
    /// Boot every node of a fresh cluster at time 0.
    pub fn new(cfg: SimConfig<P::Config>, mode: TraceMode) -> Self {
        let n = cfg.nodes.clamp(MIN_NODES, MAX_NODES);
        let ids: Vec<NodeId> = (1..=n).collect();
        let mut sim = Sim {
            core: Core::new(n, cfg.seed, cfg.net, mode),
            proto: cfg.proto,
            ids: ids.clone(),
            states: Vec::with_capacity(n as usize),
            slots: Vec::with_capacity(n as usize),
            msgs: Vec::new(),
            free: Vec::new(),
            checker: P::Checker::default(),
            out: Out::new(mode == TraceMode::Full),
            keep_connections: false,
            bytes: None,
            seen: Vec::new(),
        };
        for &id in &ids {
            sim.states.push(None);
            sim.slots.push(Slot {
                durable: None,
                down_view: None,
                timers: Vec::new(),
            });
            sim.boot(id, None);
        }
        sim
    }

    /// Scenario format 1: a crash leaves the node's connections as they
    /// were, so a message sent to it before the crash could still arrive
    /// after its restart. From format 2 on, a crash closes the connections
    /// into the node and its restart those out of it (a restarted process
    /// has new connections; late segments on the old ones meet a reset),
    /// as TCP does (`Core::close_connections`).
    pub fn keep_connections_on_crash(&mut self, keep: bool) {
        self.keep_connections = keep;
    }

    fn peers_of(&self, id: NodeId) -> Vec<NodeId> {
        self.ids.iter().copied().filter(|&p| p != id).collect()
    }

    fn boot(&mut self, id: NodeId, durable: Option<P::Durable>) {
        let peers = self.peers_of(id);
        self.out.now = self.core.now;
        self.out.skew = self.core.skew(id);
        let node = P::boot(id, &peers, &self.proto, durable, &mut self.out);
        self.states[(id - 1) as usize] = Some(node);
        self.apply_effects(id);
        self.run_checks(id);
    }

    // ---- observation -------------------------------------------------------

    /// Current virtual time.
    pub fn now(&self) -> Time {
        self.core.now
    }
    /// Number of events processed so far.
    pub fn steps(&self) -> u64 {
        self.core.steps
    }
    /// Current network settings.
    pub fn net(&self) -> &NetConfig {
        &self.core.net
    }
    /// Node ids, 1..=n.
    pub fn ids(&self) -> &[NodeId] {
        &self.ids
    }
    /// The engine state of a running node.
    pub fn node(&self, id: NodeId) -> Option<&P> {
        self.states
            .get((id as usize).wrapping_sub(1))
            .and_then(|s| s.as_ref())
    }
    /// The writes clients were told Ok about that the live node leading the
    /// highest term does not hold: (that node, when each was acknowledged).
    pub fn lost_writes(&self) -> Option<(NodeId, Vec<Time>)> {
        let leader = self
            .ids
            .iter()
            .filter_map(|&id| Some((self.node(id)?.leads()?, id)))
            .max()?
            .1;
        let node = self.node(leader)?;
        Some((leader, self.core.acks.not_held(node)))
    }
    /// The client operations so far (for the linearizability checker).
    pub fn history(&self) -> &[crate::history::Op] {
        self.core.history.ops()
    }
    /// Every node's engine state (`None` while crashed), indexed by id - 1.
    pub fn states(&self) -> &[Option<P>] {
        &self.states
    }
    /// Is the node running?
    pub fn is_up(&self, id: NodeId) -> bool {
        self.core.is_up(id)
    }
    fn slot(&self, id: NodeId) -> Option<&Slot<P>> {
        self.slots.get((id as usize).wrapping_sub(1))
    }
    /// The UI picture of one node (a crashed node shows its durable state).
    pub fn view(&self, id: NodeId) -> Option<NodeView> {
        let slot = self.slot(id)?;
        if self.is_up(id) {
            self.node(id).map(|n| n.view())
        } else {
            slot.down_view.clone()
        }
    }

    /// As [`Sim::view`], with only the last `max` log entries.
    pub fn view_tail(&self, id: NodeId, max: usize) -> Option<NodeView> {
        let slot = self.slot(id)?;
        if self.is_up(id) {
            self.node(id).map(|n| n.view_tail(max))
        } else {
            slot.down_view.as_ref().map(|v| v.tail(max))
        }
    }

    /// The up node that leads (the highest term if several think so); in
    /// a leaderless protocol, the first running node.
    pub fn leader(&self) -> Option<NodeId> {
        if P::LEADERLESS {
            return self.ids.iter().copied().find(|&id| self.node(id).is_some());
        }
        self.ids
            .iter()
            .filter_map(|&id| self.node(id).and_then(|n| n.leads()).map(|t| (id, t)))
            .max_by_key(|&(_, t)| t)
            .map(|(id, _)| id)
    }

    /// The armed timer the UI draws as a ring: (armed at, fires at).
    pub fn ring_timer(&self, id: NodeId) -> Option<(Time, Time)> {
        let slot = self.slot(id)?;
        slot.timers
            .iter()
            .find(|t| t.timer.shown_as_ring())
            .map(|t| (t.set_at, t.deadline))
    }
    /// The state of the link between `a` and `b`.
    pub fn link(&self, a: NodeId, b: NodeId) -> LinkState {
        self.core.cuts.state(a, b)
    }
    /// A node's faults other than crashes: paused until (0: running), its
    /// clock's offset (µs) and rate (percent).
    pub fn faults(&self, id: NodeId) -> (Time, i64, u32) {
        self.core.faults(id)
    }
    /// The network settings of the direction `from -> to` when they differ
    /// from the whole network's.
    pub fn link_net(&self, from: NodeId, to: NodeId) -> Option<NetConfig> {
        self.core.link_net.get(&(from, to)).cloned()
    }
    /// The trace events not yet taken (empty in hash-only mode).
    pub fn trace(&self) -> &[TraceEvent] {
        &self.core.trace
    }
    /// Number of trace events produced since the start, taken or not, in any mode.
    pub fn trace_count(&self) -> usize {
        self.core.trace_count
    }
    /// Move the trace events produced so far out of the simulator (the
    /// timeline keeps the run's one master trace; checkpoints stay small).
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.core.trace)
    }
    /// The running hash over every event.
    pub fn trace_hash(&self) -> u64 {
        self.core.hash
    }
    /// Every invariant violation found so far.
    pub fn violations(&self) -> &[Violation] {
        &self.core.violations
    }
    /// Client requests told Ok so far.
    pub fn acknowledged_ok(&self) -> usize {
        self.core.acks.ok()
    }
    /// Time of the next queued event, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.core.next_event_time()
    }

    // ---- driving -----------------------------------------------------------

    /// Process the next event; false when the queue is empty.
    pub fn step(&mut self) -> bool {
        let Some(op) = self.core.next(P::TRANSPORT, P::READS) else {
            return false;
        };
        self.node_op(op);
        true
    }

    /// Run what an event or an action asks of the nodes' engines (the
    /// kernel's own part of it is done: [`Core::next`], [`Core::act`]).
    fn node_op(&mut self, op: NodeOp<'_>) {
        self.out.now = self.core.now;
        match op {
            NodeOp::None => {}
            NodeOp::Deliver { from, to, slot, ok } => {
                let msg = self.msgs.get_mut(slot as usize).and_then(Option::take);
                self.free.push(slot);
                if ok {
                    self.out.skew = self.core.skew(to);
                    if let (Some(node), Some(msg)) = (self.states[(to - 1) as usize].as_mut(), msg)
                    {
                        node.on_message(from, msg, &mut self.out);
                    }
                    self.apply_effects(to);
                    self.run_checks(to);
                }
            }
            NodeOp::Timer { node, gen } => {
                let slot = &mut self.slots[(node - 1) as usize];
                let Some(pos) = slot.timers.iter().position(|t| t.gen == gen) else {
                    return; // cancelled, re-armed, or the node crashed
                };
                let timer = slot.timers.swap_remove(pos).timer;
                self.core.record(TraceKind::Timer {
                    node,
                    name: timer.name(),
                });
                self.out.skew = self.core.skew(node);
                if let Some(n) = self.states[(node - 1) as usize].as_mut() {
                    n.on_timer(timer, &mut self.out);
                }
                self.apply_effects(node);
                self.run_checks(node);
            }
            NodeOp::Serve {
                node,
                req,
                cmd,
                after,
            } => self.serve_request(node, req, cmd, after),
            NodeOp::Act { node, id } => self.node_action(node, id),
            NodeOp::Crash { node, power } => {
                let i = (node - 1) as usize;
                let mut durable = self.states[i].take().map(|n| n.durable());
                if power {
                    durable = durable.map(P::power_loss);
                }
                self.core.unpause(node);
                let peers = self.peers_of(node);
                let mut scratch = Out::new(false);
                let down_view = durable.clone().map(|d| {
                    let mut v = P::boot(node, &peers, &self.proto, Some(d), &mut scratch).view();
                    v.up = false;
                    v
                });
                self.core.up[i] = false;
                if P::TRANSPORT == crate::protocol::Transport::Connection && !self.keep_connections
                {
                    self.core.close_connections(node, true);
                }
                let slot = &mut self.slots[i];
                slot.durable = durable;
                slot.down_view = down_view;
                slot.timers.clear();
                self.core.record(if power {
                    TraceKind::PowerLoss { node }
                } else {
                    TraceKind::Crash { node }
                });
            }
            NodeOp::Restart { node } => {
                let i = (node - 1) as usize;
                self.core.up[i] = true;
                let slot = &mut self.slots[i];
                slot.down_view = None;
                let durable = slot.durable.take();
                if P::TRANSPORT == crate::protocol::Transport::Connection && !self.keep_connections
                {
                    self.core.close_connections(node, false);
                }
                self.core.record(TraceKind::Restart { node });
                self.boot(node, durable);
            }
        }
    }

    /// Process every event due at or before `t`, then move the clock to `t`.
    pub fn advance_to(&mut self, t: Time) {
        while self.core.next_event_time().is_some_and(|at| at <= t) {
            self.step();
        }
        self.warp_to(t);
    }

    /// Move the clock to `t` without processing anything (replaying an action
    /// recorded after a given number of steps at a given time).
    pub fn warp_to(&mut self, t: Time) {
        self.core.now = self.core.now.max(t);
    }

    /// Apply a user action at the current time. Invalid node ids are ignored
    /// (with a note in the trace), never a panic.
    pub fn apply(&mut self, action: &Action) {
        let op = self.core.act(action);
        self.node_op(op);
    }

    /// Start the scenario's client workload (at the start of a run).
    pub fn set_workload(&mut self, w: &clients::Workload) {
        self.core.set_workload(w);
    }

    // ---- internals ---------------------------------------------------------

    /// Request `req` (`cmd`) reaches up node `node`, from the user or a
    /// workload client.
    fn serve_request(
        &mut self,
        node: NodeId,
        req: crate::protocol::RequestId,
        cmd: Command,
        after: u64,
    ) {
        self.core.record(TraceKind::Request { node, req, cmd });
        self.core.acks.request(req, cmd);
        self.out.skew = self.core.skew(node);
        if let Some(n) = self.states[(node - 1) as usize].as_mut() {
            n.on_request(
                Request {
                    id: req,
                    cmd,
                    after,
                },
                &mut self.out,
            );
        }
        self.apply_effects(node);
        self.run_checks(node);
    }

    fn node_action(&mut self, node: NodeId, id: &str) {
        self.out.skew = self.core.skew(node);
        if let Some(n) = self.states[(node - 1) as usize].as_mut() {
            n.on_action(id, &mut self.out);
        }
        self.apply_effects(node);
        self.run_checks(node);
    }

    fn apply_effects(&mut self, from: NodeId) {
        let mut effects = std::mem::take(&mut self.out.effects);
        for eff in effects.drain(..) {
            match eff {
                Effect::Send(to, msg) => self.send(from, to, msg),
                Effect::SetTimer(timer, lo, hi) => {
                    let (gen, deadline) = self.core.arm(from, lo, hi);
                    let set_at = self.core.now;
                    let slot = &mut self.slots[(from - 1) as usize];
                    slot.timers.retain(|t| t.timer != timer);
                    slot.timers.push(ArmedTimer {
                        timer,
                        gen,
                        set_at,
                        deadline,
                    });
                }
                Effect::CancelTimer(timer) => {
                    self.slots[(from - 1) as usize]
                        .timers
                        .retain(|t| t.timer != timer);
                }
                Effect::Reply(req, reply) => self.core.reply(from, req, reply),
                Effect::Note(text) => self.core.record(TraceKind::Note { node: from, text }),
                Effect::Leader(term) => self.core.record(TraceKind::Leader { node: from, term }),
                Effect::Observe(o) => self.seen.push(o),
                Effect::Reconnect(to) => self.core.reconnect(from, to),
            }
        }
        // Give the (now empty) allocation back so steady state never allocates.
        if self.out.effects.is_empty() {
            self.out.effects = effects;
        }
    }

    /// Put a message in flight into the slab: its slot.
    fn park(&mut self, msg: P::Msg) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.msgs[slot as usize] = Some(msg);
                slot
            }
            None => {
                self.msgs.push(Some(msg));
                (self.msgs.len() - 1) as u32
            }
        }
    }

    /// Count from now on the bytes of every message sent (each copy the
    /// network makes), as postcard encodes it: serde's compact binary
    /// format, integers as varints. A yardstick for comparing protocols'
    /// traffic, not their real wire formats. Every [`crate::timeline::Timeline`]
    /// counts from boot (the page's `bytes-per-write` cell and the compare
    /// table); sweeps and the frozen runs do not.
    pub fn count_bytes(&mut self) {
        self.bytes.get_or_insert(0);
    }

    /// Message copies sent so far (each a `Send` in the trace).
    pub fn messages_sent(&self) -> u64 {
        self.core.messages_sent()
    }

    /// Bytes sent since [`Sim::count_bytes`] (none before).
    pub fn bytes_sent(&self) -> Option<u64> {
        self.bytes
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        if !self.core.valid(to) || to == from {
            return;
        }
        let (first, second) = self.core.route(from, to, P::TRANSPORT);
        let text = if self.core.mode == TraceMode::Full {
            msg.describe()
        } else {
            String::new()
        };
        let kind = msg.kind();
        if let Some(b) = &mut self.bytes {
            let size = postcard::experimental::serialized_size(&msg).unwrap_or(0) as u64;
            *b += size * (1 + u64::from(second.is_some()));
        }
        // The last copy takes the message and its text; only a network
        // duplicate's first copy clones them.
        let last = usize::from(second.is_some());
        let (mut msg, mut text) = (Some(msg), text);
        for (i, c) in std::iter::once(first).chain(second).enumerate() {
            let (m, t) = if i == last {
                (msg.take(), std::mem::take(&mut text))
            } else {
                (msg.clone(), text.clone())
            };
            let slot = match m {
                Some(m) if c.fate.is_ok() => self.park(m),
                _ => u32::MAX,
            };
            self.core.dispatch(from, to, kind, t, c, slot);
        }
    }

    fn run_checks(&mut self, acted: NodeId) {
        self.checker
            .check(acted, &self.states, &self.seen, &mut self.core.found);
        self.seen.clear();
        if let Some(Some(node)) = self.states.get((acted as usize).wrapping_sub(1)) {
            self.core.acks.check(acted, node, &mut self.core.found);
        }
        self.core.flush_found();
    }
}
