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
pub mod net;
pub mod rng;
pub mod trace;

use crate::protocol::{Command, Effect, Message, NodeView, Out, Protocol, Request, TimerInfo};
use check::{Checked, Checker};
use net::{Cuts, LinkState, NetConfig, Transport};
use rng::SimRng;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use trace::{DropReason, TraceEvent, TraceKind};

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
    /// Heal every link.
    HealAll,
    /// Change the network's latency, loss and duplication.
    SetNet { net: NetConfig },
}

/// Every field any action has, for reading an action (and, flattened into
/// it, a timed action) in one pass.
#[derive(Deserialize)]
pub struct RawAction {
    /// A timed action's position (absent in a bare action).
    #[serde(default)]
    pub step: u64,
    /// A timed action's time (absent in a bare action).
    #[serde(default)]
    pub t: Time,
    #[serde(rename = "do")]
    kind: String,
    node: Option<NodeId>,
    from: Option<NodeId>,
    to: Option<NodeId>,
    a: Option<NodeId>,
    b: Option<NodeId>,
    cmd: Option<Command>,
    net: Option<NetConfig>,
    action: Option<String>,
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
            "set_net" => Action::SetNet {
                net: r.net.clone().ok_or_else(|| missing("net"))?,
            },
            other => return Err(format!("unknown action \"{other}\"")),
        })
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Action::try_from(RawAction::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Action {
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

#[derive(Clone)]
enum Ev<P: Protocol> {
    Deliver {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        /// Connections: the incarnation of the connection it was sent on.
        conn: u64,
    },
    Lose {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        reason: DropReason,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
        gen: u64,
    },
    /// A workload client's next operation is due.
    ClientTick { client: u32 },
    /// A workload client's request reaches a server.
    ClientArrive {
        to: NodeId,
        req: crate::protocol::RequestId,
        cmd: Command,
    },
    /// A server's answer reaches a workload client.
    ClientReply {
        client: u32,
        req: crate::protocol::RequestId,
        reply: crate::protocol::Reply,
    },
    /// A workload client stops waiting.
    ClientTimeout {
        client: u32,
        req: crate::protocol::RequestId,
    },
}

#[derive(Clone)]
struct Queued<P: Protocol> {
    at: Time,
    seq: u64,
    ev: Ev<P>,
}

impl<P: Protocol> PartialEq for Queued<P> {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl<P: Protocol> Eq for Queued<P> {}
impl<P: Protocol> PartialOrd for Queued<P> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<P: Protocol> Ord for Queued<P> {
    // Reversed so that BinaryHeap (a max-heap) pops the earliest (time, seq).
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
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
    up: bool,
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

/// A running simulation of one protocol.
pub struct Sim<P: Checked> {
    cfg: SimConfig<P::Config>,
    now: Time,
    seq: u64,
    steps: u64,
    queue: BinaryHeap<Queued<P>>,
    rng: SimRng,
    ids: Vec<NodeId>,
    states: Vec<Option<P>>,
    slots: Vec<Slot<P>>,
    cuts: Cuts,
    next_msg: MsgId,
    next_req: u64,
    gen: u64,
    mode: TraceMode,
    trace: Vec<TraceEvent>,
    trace_count: usize,
    hash: u64,
    checker: P::Checker,
    violations: Vec<Violation>,
    acks: acks::AckCheck,
    history: clients::History,
    people: clients::People,
    /// Connections, per directed pair `(from - 1) * n + (to - 1)`: the
    /// current incarnation and the latest arrival time scheduled on it.
    conns: Vec<(u64, Time)>,
    found: Vec<(&'static str, String)>,
    out: Out<P::Msg, P::Timer, P::Obs>,
    /// Observations of the handler that just ran, for the checker.
    seen: Vec<P::Obs>,
}

impl<P: Checked> Clone for Sim<P> {
    fn clone(&self) -> Self {
        Sim {
            cfg: self.cfg.clone(),
            now: self.now,
            seq: self.seq,
            steps: self.steps,
            queue: self.queue.clone(),
            rng: self.rng.clone(),
            ids: self.ids.clone(),
            states: self.states.clone(),
            slots: self.slots.clone(),
            cuts: self.cuts.clone(),
            next_msg: self.next_msg,
            next_req: self.next_req,
            gen: self.gen,
            mode: self.mode,
            trace: self.trace.clone(),
            trace_count: self.trace_count,
            hash: self.hash,
            checker: self.checker.clone(),
            violations: self.violations.clone(),
            acks: self.acks.clone(),
            history: self.history.clone(),
            people: self.people.clone(),
            conns: self.conns.clone(),
            found: Vec::new(),
            out: Out::new(self.mode == TraceMode::Full),
            seen: Vec::new(),
        }
    }
}

impl<P: Checked> Sim<P> {
    /// Boot every node of a fresh cluster at time 0.
    pub fn new(mut cfg: SimConfig<P::Config>, mode: TraceMode) -> Self {
        cfg.nodes = cfg.nodes.clamp(MIN_NODES, MAX_NODES);
        let n = cfg.nodes;
        let ids: Vec<NodeId> = (1..=n).collect();
        let mut sim = Sim {
            rng: SimRng::new(cfg.seed),
            cfg,
            now: 0,
            seq: 0,
            steps: 0,
            queue: BinaryHeap::new(),
            ids: ids.clone(),
            states: Vec::with_capacity(n as usize),
            slots: Vec::with_capacity(n as usize),
            cuts: Cuts::default(),
            next_msg: 1,
            next_req: 1,
            gen: 0,
            mode,
            trace: Vec::new(),
            trace_count: 0,
            hash: 0xcbf2_9ce4_8422_2325,
            checker: P::Checker::default(),
            violations: Vec::new(),
            acks: acks::AckCheck::new(n as usize),
            history: clients::History::default(),
            people: clients::People::default(),
            conns: vec![(0, 0); (n * n) as usize],
            found: Vec::new(),
            out: Out::new(mode == TraceMode::Full),
            seen: Vec::new(),
        };
        for &id in &ids {
            sim.states.push(None);
            sim.slots.push(Slot {
                up: true,
                durable: None,
                down_view: None,
                timers: Vec::new(),
            });
            sim.boot(id, None);
        }
        sim
    }

    fn peers_of(&self, id: NodeId) -> Vec<NodeId> {
        self.ids.iter().copied().filter(|&p| p != id).collect()
    }

    fn boot(&mut self, id: NodeId, durable: Option<P::Durable>) {
        let peers = self.peers_of(id);
        self.out.now = self.now;
        let node = P::boot(id, &peers, &self.cfg.proto, durable, &mut self.out);
        self.states[(id - 1) as usize] = Some(node);
        self.apply_effects(id);
        self.run_checks(id);
    }

    // ---- observation -------------------------------------------------------

    /// Current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }
    /// Number of events processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// The configuration this run started with.
    pub fn config(&self) -> &SimConfig<P::Config> {
        &self.cfg
    }
    /// Current network settings.
    pub fn net(&self) -> &NetConfig {
        &self.cfg.net
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
    /// The client operations so far (for the linearizability checker).
    pub fn history(&self) -> &[crate::history::Op] {
        self.history.ops()
    }
    /// Every node's engine state (`None` while crashed), indexed by id - 1.
    pub fn states(&self) -> &[Option<P>] {
        &self.states
    }
    /// Is the node running?
    pub fn is_up(&self, id: NodeId) -> bool {
        self.slot(id).map(|s| s.up).unwrap_or(false)
    }
    fn slot(&self, id: NodeId) -> Option<&Slot<P>> {
        self.slots.get((id as usize).wrapping_sub(1))
    }
    /// The UI picture of one node (a crashed node shows its durable state).
    pub fn view(&self, id: NodeId) -> Option<NodeView> {
        let slot = self.slot(id)?;
        if slot.up {
            self.node(id).map(|n| n.view())
        } else {
            slot.down_view.clone()
        }
    }

    /// As [`Sim::view`], with only the last `max` log entries.
    pub fn view_tail(&self, id: NodeId, max: usize) -> Option<NodeView> {
        let slot = self.slot(id)?;
        if slot.up {
            self.node(id).map(|n| n.view_tail(max))
        } else {
            slot.down_view.as_ref().map(|v| v.tail(max))
        }
    }

    /// The up node that leads (the highest term if several think so).
    pub fn leader(&self) -> Option<NodeId> {
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
        self.cuts.state(a, b)
    }
    /// The trace events not yet taken (empty in hash-only mode).
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }
    /// Number of trace events produced since the start, taken or not, in any mode.
    pub fn trace_count(&self) -> usize {
        self.trace_count
    }
    /// Move the trace events produced so far out of the simulator (the
    /// timeline keeps the run's one master trace; checkpoints stay small).
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.trace)
    }
    /// The running hash over every event.
    pub fn trace_hash(&self) -> u64 {
        self.hash
    }
    /// Every invariant violation found so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
    /// Client requests told Ok so far.
    pub fn acknowledged_ok(&self) -> usize {
        self.acks.ok()
    }
    /// Time of the next queued event, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek().map(|q| q.at)
    }

    // ---- driving -----------------------------------------------------------

    /// Process the next event; false when the queue is empty.
    pub fn step(&mut self) -> bool {
        let Some(q) = self.queue.pop() else {
            return false;
        };
        self.now = self.now.max(q.at);
        self.out.now = self.now;
        self.steps += 1;
        match q.ev {
            Ev::Deliver {
                id,
                from,
                to,
                msg,
                conn,
            } => {
                let lost = if !self.is_up(to) {
                    Some(DropReason::Down)
                } else if self.cuts.is_cut(from, to) {
                    Some(DropReason::Cut)
                } else if P::TRANSPORT == Transport::Connection && conn != self.conn(from, to).0 {
                    Some(DropReason::Reset)
                } else {
                    None
                };
                if let Some(reason) = lost {
                    if P::TRANSPORT == Transport::Connection {
                        self.break_conn(from, to);
                    }
                    self.record(TraceKind::Drop {
                        msg: id,
                        from,
                        to,
                        reason,
                    });
                } else {
                    self.record(TraceKind::Deliver { msg: id, from, to });
                    if let Some(node) = self.states[(to - 1) as usize].as_mut() {
                        node.on_message(from, msg, &mut self.out);
                    }
                    self.apply_effects(to);
                    self.run_checks(to);
                }
            }
            Ev::Lose {
                id,
                from,
                to,
                reason,
            } => self.record(TraceKind::Drop {
                msg: id,
                from,
                to,
                reason,
            }),
            Ev::ClientTick { client } => self.client_send(client),
            Ev::ClientArrive { to, req, cmd } => {
                // A request to a crashed server is lost: its client times out.
                if self.is_up(to) {
                    self.serve_request(to, req, cmd);
                }
            }
            Ev::ClientReply { client, req, reply } => self.client_hear(client, req, Some(reply)),
            Ev::ClientTimeout { client, req } => self.client_hear(client, req, None),
            Ev::Timer { node, timer, gen } => {
                let slot = &mut self.slots[(node - 1) as usize];
                let Some(pos) = slot.timers.iter().position(|t| t.gen == gen) else {
                    return true; // cancelled, re-armed, or the node crashed
                };
                slot.timers.swap_remove(pos);
                self.record(TraceKind::Timer {
                    node,
                    name: timer.name(),
                });
                if let Some(n) = self.states[(node - 1) as usize].as_mut() {
                    n.on_timer(timer, &mut self.out);
                }
                self.apply_effects(node);
                self.run_checks(node);
            }
        }
        true
    }

    /// Process every event due at or before `t`, then move the clock to `t`.
    pub fn advance_to(&mut self, t: Time) {
        while let Some(q) = self.queue.peek() {
            if q.at > t {
                break;
            }
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// Move the clock to `t` without processing anything (replaying an action
    /// recorded after a given number of steps at a given time).
    pub fn warp_to(&mut self, t: Time) {
        self.now = self.now.max(t);
    }

    /// Apply a user action at the current time. Invalid node ids are ignored
    /// (with a note in the trace), never a panic.
    pub fn apply(&mut self, action: &Action) {
        let valid = |id: NodeId| id >= 1 && id <= self.cfg.nodes;
        self.out.now = self.now;
        match *action {
            Action::Crash { node } if valid(node) && self.is_up(node) => {
                let i = (node - 1) as usize;
                let durable = self.states[i].take().map(|n| n.durable());
                let peers = self.peers_of(node);
                let mut scratch = Out::new(false);
                let down_view = durable.clone().map(|d| {
                    let mut v =
                        P::boot(node, &peers, &self.cfg.proto, Some(d), &mut scratch).view();
                    v.up = false;
                    v
                });
                let slot = &mut self.slots[i];
                slot.up = false;
                slot.durable = durable;
                slot.down_view = down_view;
                slot.timers.clear();
                self.record(TraceKind::Crash { node });
            }
            Action::Restart { node } if valid(node) && !self.is_up(node) => {
                let i = (node - 1) as usize;
                let slot = &mut self.slots[i];
                slot.up = true;
                slot.down_view = None;
                let durable = slot.durable.take();
                self.record(TraceKind::Restart { node });
                self.boot(node, durable);
            }
            Action::Timeout { node } if valid(node) && self.is_up(node) => {
                self.record(TraceKind::ForceTimeout { node });
                self.node_action(node, "timeout");
            }
            Action::Toggle { node } if valid(node) && self.is_up(node) => {
                self.record(TraceKind::Toggle { node });
                self.node_action(node, "toggle");
            }
            Action::NodeAction { node, ref action } if valid(node) && self.is_up(node) => {
                self.record(TraceKind::NodeAction {
                    node,
                    action: action.clone(),
                });
                self.node_action(node, action);
            }
            Action::Request { node, cmd } if valid(node) && self.is_up(node) => {
                let id = self.next_req;
                self.next_req += 1;
                self.history
                    .invoke(clients::USER_CLIENTS + id, id, cmd, self.now);
                self.serve_request(node, id, cmd);
            }
            Action::CutOneWay { from, to } if valid(from) && valid(to) && from != to => {
                self.cuts.cut(from, to);
                self.record(TraceKind::Cut { from, to });
            }
            Action::CutBoth { a, b } if valid(a) && valid(b) && a != b => {
                self.cuts.cut(a, b);
                self.cuts.cut(b, a);
                self.record(TraceKind::Cut { from: a, to: b });
                self.record(TraceKind::Cut { from: b, to: a });
            }
            Action::Heal { a, b } if valid(a) && valid(b) && a != b => {
                self.cuts.heal(a, b);
                self.record(TraceKind::Heal { a, b });
            }
            Action::HealAll => {
                self.cuts.heal_all();
                self.record(TraceKind::HealAll);
            }
            Action::SetNet { ref net } => {
                let mut net = net.clone();
                net.latency_min = net.latency_min.clamp(100, 10_000_000);
                net.latency_max = net.latency_max.clamp(net.latency_min, 10_000_000);
                net.drop_ppm = net.drop_ppm.min(1_000_000);
                net.dup_ppm = net.dup_ppm.min(1_000_000);
                self.cfg.net = net.clone();
                self.record(TraceKind::Net(net));
            }
            _ => {} // not applicable now (e.g. crashing a crashed node): a no-op
        }
    }

    // ---- internals ---------------------------------------------------------

    fn push(&mut self, at: Time, ev: Ev<P>) {
        self.seq += 1;
        self.queue.push(Queued {
            at,
            seq: self.seq,
            ev,
        });
    }

    /// Start the scenario's client workload (at the start of a run).
    pub fn set_workload(&mut self, w: &clients::Workload) {
        let ticks = self
            .people
            .start(w, self.cfg.nodes, self.now, &mut self.rng);
        for (at, client) in ticks {
            self.push(at, Ev::ClientTick { client });
        }
    }

    /// Workload client `client` sends its next operation.
    fn client_send(&mut self, client: u32) {
        let Some(sent) = self.people.send(
            client,
            P::READS,
            self.next_req,
            self.now,
            &self.cfg.net,
            &mut self.rng,
            &mut self.history,
        ) else {
            return;
        };
        self.next_req += 1;
        self.record(sent.trace);
        let (to, req, cmd) = (sent.to, sent.req, sent.cmd);
        self.push(sent.arrive, Ev::ClientArrive { to, req, cmd });
        self.push(sent.give_up, Ev::ClientTimeout { client, req });
    }

    /// Workload client `client` hears the answer to `req` (`None`: its
    /// timeout), then picks its next server and pauses.
    fn client_hear(
        &mut self,
        client: u32,
        req: crate::protocol::RequestId,
        reply: Option<crate::protocol::Reply>,
    ) {
        let n = self.cfg.nodes;
        if let Some((trace, next)) = self.people.hear(
            client,
            req,
            reply,
            self.now,
            n,
            &mut self.rng,
            &mut self.history,
        ) {
            self.record(trace);
            self.push(next, Ev::ClientTick { client });
        }
    }

    /// Request `req` (`cmd`) reaches up node `node`, from the user or a
    /// workload client.
    fn serve_request(&mut self, node: NodeId, req: crate::protocol::RequestId, cmd: Command) {
        self.record(TraceKind::Request { node, req, cmd });
        self.acks.request(req, cmd);
        if let Some(n) = self.states[(node - 1) as usize].as_mut() {
            n.on_request(Request { id: req, cmd }, &mut self.out);
        }
        self.apply_effects(node);
        self.run_checks(node);
    }

    fn node_action(&mut self, node: NodeId, id: &str) {
        if let Some(n) = self.states[(node - 1) as usize].as_mut() {
            n.on_action(id, &mut self.out);
        }
        self.apply_effects(node);
        self.run_checks(node);
    }

    fn record(&mut self, kind: TraceKind) {
        self.trace_count += 1;
        let ev = TraceEvent {
            time: self.now,
            kind,
        };
        ev.hash_into(&mut self.hash);
        if self.mode == TraceMode::Full {
            self.trace.push(ev);
        }
    }

    fn apply_effects(&mut self, from: NodeId) {
        let mut effects = std::mem::take(&mut self.out.effects);
        for eff in effects.drain(..) {
            match eff {
                Effect::Send(to, msg) => self.send(from, to, msg),
                Effect::SetTimer(timer, lo, hi) => {
                    let delay = self.rng.range(lo, hi);
                    self.gen += 1;
                    let gen = self.gen;
                    let at = self.now + delay;
                    let slot = &mut self.slots[(from - 1) as usize];
                    slot.timers.retain(|t| t.timer != timer);
                    slot.timers.push(ArmedTimer {
                        timer,
                        gen,
                        set_at: self.now,
                        deadline: at,
                    });
                    self.push(
                        at,
                        Ev::Timer {
                            node: from,
                            timer,
                            gen,
                        },
                    );
                }
                Effect::CancelTimer(timer) => {
                    self.slots[(from - 1) as usize]
                        .timers
                        .retain(|t| t.timer != timer);
                }
                Effect::Reply(req, reply) => {
                    self.acks.reply(req, from, &reply);
                    if let Some(client) = self.people.owner(req) {
                        // The answer travels back to the client.
                        let at = self.now + self.cfg.net.latency(&mut self.rng);
                        self.push(
                            at,
                            Ev::ClientReply {
                                client,
                                req,
                                reply: reply.clone(),
                            },
                        );
                    } else {
                        self.history.complete(req, &reply, self.now);
                    }
                    self.record(TraceKind::Reply {
                        node: from,
                        req,
                        reply,
                    })
                }
                Effect::Note(text) => self.record(TraceKind::Note { node: from, text }),
                Effect::Leader(term) => self.record(TraceKind::Leader { node: from, term }),
                Effect::Observe(o) => self.seen.push(o),
            }
        }
        // Give the (now empty) allocation back so steady state never allocates.
        if self.out.effects.is_empty() {
            self.out.effects = effects;
        }
    }

    fn conn_slot(&self, from: NodeId, to: NodeId) -> usize {
        (from as usize - 1) * self.cfg.nodes as usize + (to as usize - 1)
    }

    fn conn(&self, from: NodeId, to: NodeId) -> (u64, Time) {
        self.conns[self.conn_slot(from, to)]
    }

    /// A message on `from -> to` was lost for good: that connection is
    /// broken, and whatever is still in flight on it will not arrive.
    fn break_conn(&mut self, from: NodeId, to: NodeId) {
        let i = self.conn_slot(from, to);
        self.conns[i].0 += 1;
    }

    /// Record one copy of a message leaving `from` and queue its fate:
    /// delivery on connection incarnation `conn`, or loss for `lost`.
    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: &P::Msg,
        arrive: Time,
        dup: bool,
        retries: u8,
        fate: Result<u64, DropReason>,
    ) {
        let id = self.next_msg;
        self.next_msg += 1;
        let text = if self.mode == TraceMode::Full {
            msg.describe()
        } else {
            String::new()
        };
        self.record(TraceKind::Send {
            msg: id,
            from,
            to,
            kind: msg.kind(),
            text,
            arrive,
            dup,
            doomed: fate.is_err(),
            retries,
        });
        let ev = match fate {
            Ok(conn) => Ev::Deliver {
                id,
                from,
                to,
                msg: msg.clone(),
                conn,
            },
            Err(reason) => Ev::Lose {
                id,
                from,
                to,
                reason,
            },
        };
        self.push(arrive, ev);
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        if to < 1 || to > self.cfg.nodes || to == from {
            return;
        }
        if P::TRANSPORT == Transport::Connection {
            self.send_on_connection(from, to, msg);
            return;
        }
        let net = &self.cfg.net;
        let (drop_ppm, dup_ppm) = (net.drop_ppm, net.dup_ppm);
        let latency = net.latency(&mut self.rng);
        let lost = self.rng.chance(drop_ppm);
        let dup = self.rng.chance(dup_ppm);
        let cut = self.cuts.is_cut(from, to);
        let copies = if dup && !cut && !lost { 2 } else { 1 };
        for copy in 0..copies {
            let latency = if copy == 0 {
                latency
            } else {
                self.cfg.net.latency(&mut self.rng)
            };
            let doomed = cut || lost;
            let (arrive, fate) = match (doomed, cut) {
                (false, _) => (self.now + latency, Ok(0)),
                (true, true) => (self.now + latency / 2, Err(DropReason::Cut)),
                (true, false) => (self.now + latency / 2, Err(DropReason::Lost)),
            };
            self.dispatch(from, to, &msg, arrive, copy == 1, 0, fate);
        }
    }

    /// Send over the ordered connection `from -> to`: each loss costs a
    /// retransmission timeout instead of the message; arrivals keep the
    /// order of sends; a cut at send time loses the message and breaks the
    /// connection, and so do too many retransmissions.
    fn send_on_connection(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        let net = &self.cfg.net;
        let (hi, drop_ppm) = (net.latency_max, net.drop_ppm);
        let mut delay = net.latency(&mut self.rng);
        let mut retries = 0u8;
        let mut gave_up = false;
        while self.rng.chance(drop_ppm) {
            if retries == net::MAX_RETRIES {
                // The last retransmission was lost too.
                gave_up = true;
                break;
            }
            delay += net::rto(hi, retries);
            retries += 1;
        }
        let cut = self.cuts.is_cut(from, to);
        let (gen, last) = self.conn(from, to);
        if cut || gave_up {
            self.break_conn(from, to);
            let reason = if cut {
                DropReason::Cut
            } else {
                DropReason::Reset
            };
            let arrive = self.now + delay.min(hi) / 2;
            self.dispatch(from, to, &msg, arrive, false, retries, Err(reason));
        } else {
            let arrive = (self.now + delay).max(last + 1);
            let i = self.conn_slot(from, to);
            self.conns[i].1 = arrive;
            self.dispatch(from, to, &msg, arrive, false, retries, Ok(gen));
        }
    }

    fn run_checks(&mut self, acted: NodeId) {
        self.checker
            .check(acted, &self.states, &self.seen, &mut self.found);
        self.seen.clear();
        if let Some(Some(node)) = self.states.get((acted as usize).wrapping_sub(1)) {
            self.acks.check(acted, node, &mut self.found);
        }
        if self.found.is_empty() {
            return;
        }
        let found = std::mem::take(&mut self.found);
        for (invariant, detail) in found {
            self.violations.push(Violation {
                time: self.now,
                step: self.steps,
                invariant,
                detail: detail.clone(),
            });
            self.record(TraceKind::Violation { invariant, detail });
        }
    }
}
