//! The protocol-independent half of the kernel: the clock, the event queue,
//! the RNG, the network (cuts, connections, latency, loss), the clients, the
//! trace and the violations.
//!
//! [`super::Sim`] is generic over the protocol, and every generic function
//! is compiled once per protocol into the browser bundle. Everything here
//! does not depend on the protocol, so it is compiled once: queued messages
//! and timers are referred to by number (the message itself waits in the
//! generic side's slab, the timer in its node's slot), and each event and
//! user action is resolved here ([`Core::next`], [`Core::act`]) down to the
//! [`NodeOp`] the generic side runs the protocol's handlers for.

use super::clients::{self, History, People};
use super::net::{self, Cuts, NetConfig, Transport};
use super::rng::SimRng;
use super::trace::{DropReason, TraceEvent, TraceKind};
use super::{acks, MsgId, NodeId, Time, TraceMode, Violation};
use crate::protocol::{Command, Reply, RequestId};
use std::collections::BinaryHeap;

/// A queued event.
#[derive(Clone)]
pub(crate) enum Ev {
    /// A message copy arrives; the message waits in slab slot `slot`.
    Deliver {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        slot: u32,
        /// Connections: the incarnation of the connection it was sent on.
        conn: u64,
    },
    /// A message copy the network already decided to drop is gone.
    Lose {
        id: MsgId,
        from: NodeId,
        to: NodeId,
        reason: DropReason,
    },
    /// Timer generation `gen` of `node` is due (the timer itself is in the
    /// node's slot while it stays armed).
    Timer { node: NodeId, gen: u64 },
    /// A workload client's next operation is due.
    ClientTick { client: u32 },
    /// A workload client's request reaches a server.
    ClientArrive {
        to: NodeId,
        req: RequestId,
        cmd: Command,
    },
    /// A server's answer reaches a workload client.
    ClientReply {
        client: u32,
        from: NodeId,
        req: RequestId,
        reply: Reply,
    },
    /// A workload client stops waiting.
    ClientTimeout { client: u32, req: RequestId },
    /// A node paused until `until` goes on.
    Resume { node: NodeId, until: Time },
}

/// The event queue: a min-heap of 16-byte keys (time, then the order of
/// queueing) over a slab that holds the events. Sifting moves keys, not
/// events (an `Ev` is 40-odd bytes, and the browser build, compiled for
/// size, moved each with a call); the order events come out in is the
/// same (time, then queueing order), so every run is unchanged.
#[derive(Clone, Default)]
struct Queue {
    /// `Reverse((at << 64) | (seq << SLOT_BITS) | slot)`: `seq` is unique,
    /// so the slot never decides the order.
    keys: BinaryHeap<std::cmp::Reverse<u128>>,
    /// The events, by slot (`None`: free).
    slab: Vec<Option<Ev>>,
    /// Free slots.
    free: Vec<u32>,
}

/// Bits of a key that name the event's slot (at most about a million
/// events queued at once; 2^44 events queued in a run).
const SLOT_BITS: u32 = 20;

impl Queue {
    fn push(&mut self, at: Time, seq: u64, ev: Ev) {
        let slot = match self.free.pop() {
            Some(i) => {
                self.slab[i as usize] = Some(ev);
                i
            }
            None => {
                self.slab.push(Some(ev));
                (self.slab.len() - 1) as u32
            }
        };
        let key = u128::from(at) << 64 | u128::from(seq) << SLOT_BITS | u128::from(slot);
        self.keys.push(std::cmp::Reverse(key));
    }

    fn pop(&mut self) -> Option<(Time, Ev)> {
        let std::cmp::Reverse(key) = self.keys.pop()?;
        let slot = (key as u32) & ((1 << SLOT_BITS) - 1);
        self.free.push(slot);
        let ev = self.slab[slot as usize].take()?;
        Some(((key >> 64) as Time, ev))
    }

    fn peek(&self) -> Option<Time> {
        self.keys.peek().map(|k| (k.0 >> 64) as Time)
    }
}

/// One copy of a message the network will carry: when it arrives (or is
/// known lost), and its fate (`Ok(connection incarnation)` or the reason
/// it is dropped).
#[derive(Clone, Copy)]
pub(crate) struct Copy {
    pub arrive: Time,
    pub dup: bool,
    pub retries: u8,
    pub fate: Result<u64, DropReason>,
}

/// The protocol-independent state of a run.
#[derive(Clone)]
pub(crate) struct Core {
    pub nodes: u32,
    pub net: NetConfig,
    pub now: Time,
    seq: u64,
    pub steps: u64,
    queue: Queue,
    pub rng: SimRng,
    pub cuts: Cuts,
    next_msg: MsgId,
    pub next_req: u64,
    gen: u64,
    pub mode: TraceMode,
    pub trace: Vec<TraceEvent>,
    pub trace_count: usize,
    pub hash: u64,
    pub violations: Vec<Violation>,
    pub acks: acks::AckCheck,
    pub history: History,
    pub people: People,
    /// The user's session operation time: the highest index the user's
    /// own requests were answered with.
    user_after: u64,
    /// Connections, per directed pair `(from - 1) * n + (to - 1)`: the
    /// current incarnation and the latest arrival time scheduled on it.
    conns: Vec<(u64, Time)>,
    /// Violations found by the check that just ran.
    pub found: Vec<(&'static str, String)>,
    /// Per node (id - 1): paused until (0: running).
    paused: Vec<Time>,
    /// Per node (id - 1): its clock, as (true time, wall reading then,
    /// rate in percent) since the user last set it.
    clocks: Vec<(Time, i64, u32)>,
    /// Per direction: network settings that differ from `net`.
    pub link_net: litemap::LiteMap<(NodeId, NodeId), NetConfig>,
    /// Per node (id - 1): running (not crashed).
    pub up: Vec<bool>,
}

/// What an event or a user action asks of the nodes' engines once this
/// half has done its own part of it (trace records, clients, pauses): the
/// generic side only runs the protocol's handlers.
pub(crate) enum NodeOp<'a> {
    /// Nothing (more) to do.
    None,
    /// The message copy in slab slot `slot` reached `to`: delivered when
    /// `ok` (its slot is freed either way).
    Deliver {
        from: NodeId,
        to: NodeId,
        slot: u32,
        ok: bool,
    },
    /// Timer generation `gen` of `node` is due.
    Timer { node: NodeId, gen: u64 },
    /// Request `req` reaches running node `node`.
    Serve {
        node: NodeId,
        req: RequestId,
        cmd: Command,
        /// Its session's operation time.
        after: u64,
    },
    /// Node action `id` at running node `node`.
    Act { node: NodeId, id: &'a str },
    /// Crash a running node (`power`: power loss).
    Crash { node: NodeId, power: bool },
    /// Restart a crashed node.
    Restart { node: NodeId },
}

impl Core {
    /// A run of `nodes` nodes at time 0.
    pub fn new(nodes: u32, seed: u64, net: NetConfig, mode: TraceMode) -> Core {
        Core {
            nodes,
            net,
            now: 0,
            seq: 0,
            steps: 0,
            queue: Queue::default(),
            rng: SimRng::new(seed),
            cuts: Cuts::default(),
            next_msg: 1,
            next_req: 1,
            gen: 0,
            mode,
            trace: Vec::new(),
            trace_count: 0,
            hash: 0xcbf2_9ce4_8422_2325,
            violations: Vec::new(),
            acks: acks::AckCheck::new(nodes as usize),
            history: History::default(),
            people: People::default(),
            user_after: 0,
            conns: vec![(0, 0); (nodes * nodes) as usize],
            found: Vec::new(),
            paused: vec![0; nodes as usize],
            clocks: vec![(0, 0, 100); nodes as usize],
            link_net: Default::default(),
            up: vec![true; nodes as usize],
        }
    }

    /// Is `id` a running node?
    pub fn is_up(&self, id: NodeId) -> bool {
        self.up
            .get((id as usize).wrapping_sub(1))
            .copied()
            .unwrap_or(false)
    }

    /// Is `id` running and not paused (able to act)?
    fn can_act(&self, id: NodeId) -> bool {
        self.is_up(id) && !self.is_paused(id)
    }

    /// Take the next event and do this half's part of it: `None` when the
    /// queue is empty, otherwise what the nodes' engines must do.
    /// `transport` and `reads` are the protocol's ([`crate::protocol::Protocol`]).
    #[cfg_attr(speed_attr, optimize(speed))]
    pub fn next(&mut self, transport: Transport, reads: bool) -> Option<NodeOp<'static>> {
        let ev = self.pop()?;
        // A paused node's events wait until it resumes.
        let Some(ev) = self.hold(ev) else {
            return Some(NodeOp::None);
        };
        Some(match ev {
            Ev::Deliver {
                id,
                from,
                to,
                slot,
                conn,
            } => {
                let up = self.is_up(to);
                let ok = self.arrives(id, (from, to), conn, up, transport);
                NodeOp::Deliver { from, to, slot, ok }
            }
            Ev::Lose {
                id,
                from,
                to,
                reason,
            } => {
                self.record(TraceKind::Drop {
                    msg: id,
                    from,
                    to,
                    reason,
                });
                NodeOp::None
            }
            Ev::ClientTick { client } => {
                self.client_send(client, reads);
                NodeOp::None
            }
            Ev::ClientArrive { to, req, cmd } => {
                // A request on a cut client link, or to a crashed server, is
                // lost: its client times out.
                let client = self.people.owner(req).unwrap_or(0);
                if !self.client_lost(client, to, req, true) && self.is_up(to) {
                    let after = match client {
                        0 => self.user_after,
                        c => self.people.after(c),
                    };
                    NodeOp::Serve {
                        node: to,
                        req,
                        cmd,
                        after,
                    }
                } else {
                    NodeOp::None
                }
            }
            Ev::ClientReply {
                client,
                from,
                req,
                reply,
            } => {
                if !self.client_lost(client, from, req, false) {
                    self.client_hear(client, req, Some(reply))
                }
                NodeOp::None
            }
            Ev::ClientTimeout { client, req } => {
                self.client_hear(client, req, None);
                NodeOp::None
            }
            Ev::Resume { .. } => NodeOp::None,
            Ev::Timer { node, gen } => NodeOp::Timer { node, gen },
        })
    }

    /// Apply a user action at the current time: this half's part, and what
    /// the nodes' engines must do. Invalid node ids, and actions that do
    /// not apply now (crashing a crashed node), do nothing.
    pub fn act<'a>(&mut self, action: &'a super::Action) -> NodeOp<'a> {
        use super::Action;
        if self.apply(action) {
            return NodeOp::None;
        }
        match *action {
            Action::Crash { node } | Action::PowerLoss { node } if self.is_up(node) => {
                NodeOp::Crash {
                    node,
                    power: matches!(action, Action::PowerLoss { .. }),
                }
            }
            Action::Restart { node } if self.valid(node) && !self.is_up(node) => {
                NodeOp::Restart { node }
            }
            Action::Timeout { node } if self.can_act(node) => {
                self.record(TraceKind::ForceTimeout { node });
                NodeOp::Act {
                    node,
                    id: "timeout",
                }
            }
            Action::Toggle { node } if self.can_act(node) => {
                self.record(TraceKind::Toggle { node });
                NodeOp::Act { node, id: "toggle" }
            }
            Action::NodeAction { node, ref action } if self.can_act(node) => {
                self.record(TraceKind::NodeAction {
                    node,
                    action: action.clone(),
                });
                NodeOp::Act { node, id: action }
            }
            Action::Request { node, cmd } if self.is_up(node) => {
                let id = self.next_req;
                self.next_req += 1;
                let now = self.now;
                self.history
                    .invoke(clients::USER_CLIENTS + id, id, cmd, now);
                if self.is_paused(node) {
                    // It waits in the paused server's socket.
                    self.push(
                        now,
                        Ev::ClientArrive {
                            to: node,
                            req: id,
                            cmd,
                        },
                    );
                    NodeOp::None
                } else {
                    NodeOp::Serve {
                        node,
                        req: id,
                        cmd,
                        after: self.user_after,
                    }
                }
            }
            Action::Pause { node, us } if self.can_act(node) => {
                self.pause(node, us);
                NodeOp::None
            }
            _ => NodeOp::None,
        }
    }

    // ---- pauses and clocks -------------------------------------------------

    /// Is `id` paused?
    pub fn is_paused(&self, id: NodeId) -> bool {
        self.paused
            .get((id as usize).wrapping_sub(1))
            .is_some_and(|&t| t != 0)
    }

    /// What `id`'s clock reads minus true time (µs): the offset it was
    /// set to, plus what its rate has gained or lost since.
    pub fn skew(&self, id: NodeId) -> i64 {
        let Some(&(t0, w0, rate)) = self.clocks.get((id as usize).wrapping_sub(1)) else {
            return 0;
        };
        if (t0, w0, rate) == (0, 0, 100) {
            return 0; // never set
        }
        let run = self.now.saturating_sub(t0) as i64;
        w0 + run * i64::from(rate) / 100 - self.now as i64
    }

    /// Paused until, clock offset (now) and clock rate of `id`.
    pub fn faults(&self, id: NodeId) -> (Time, i64, u32) {
        let i = (id as usize).wrapping_sub(1);
        let rate = self.clocks.get(i).map_or(100, |c| c.2);
        (
            self.paused.get(i).copied().unwrap_or(0),
            self.skew(id),
            rate,
        )
    }

    /// Pause `node` (running, not paused) for `us`.
    pub fn pause(&mut self, node: NodeId, us: Time) {
        let until = self.now + us.clamp(1_000, 60_000_000);
        self.paused[(node - 1) as usize] = until;
        self.record(TraceKind::Pause { node, until });
        self.push(until, Ev::Resume { node, until });
    }

    /// A crash ends a pause.
    pub fn unpause(&mut self, node: NodeId) {
        if let Some(p) = self.paused.get_mut((node as usize).wrapping_sub(1)) {
            *p = 0;
        }
    }

    /// Let `ev` through, or hold it: an event for a paused node waits until
    /// the node resumes (queued again, in the order it came, after the
    /// resumption); a resumption is handled here.
    fn hold(&mut self, ev: Ev) -> Option<Ev> {
        if self.paused.iter().all(|&p| p == 0) && !matches!(ev, Ev::Resume { .. }) {
            return Some(ev); // the common case: nobody is paused
        }
        let node = match ev {
            Ev::Deliver { to, .. } | Ev::ClientArrive { to, .. } => to,
            Ev::Timer { node, .. } => node,
            Ev::Resume { node, until } => {
                let i = (node - 1) as usize;
                if self.paused[i] == until {
                    self.paused[i] = 0;
                    self.record(TraceKind::Resume { node });
                }
                return None;
            }
            _ => return Some(ev),
        };
        match self.paused.get((node as usize).wrapping_sub(1)) {
            Some(&until) if until != 0 => {
                self.push(until, ev);
                None
            }
            _ => Some(ev),
        }
    }

    /// Is `id` a node of this run?
    pub fn valid(&self, id: NodeId) -> bool {
        id >= 1 && id <= self.nodes
    }

    /// Time of the next queued event.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek()
    }

    /// Take the next event and move the clock to it.
    fn pop(&mut self) -> Option<Ev> {
        let (at, ev) = self.queue.pop()?;
        self.now = self.now.max(at);
        self.steps += 1;
        Some(ev)
    }

    /// Queue `ev` at `at` (after everything already queued for `at`).
    #[cfg_attr(speed_attr, optimize(speed))]
    pub fn push(&mut self, at: Time, ev: Ev) {
        self.seq += 1;
        self.queue.push(at, self.seq, ev);
    }

    /// Add one event to the trace (and its hash).
    #[cfg_attr(speed_attr, optimize(speed))]
    pub fn record(&mut self, kind: TraceKind) {
        self.trace_count += 1;
        TraceEvent::hash_into(self.now, &kind, &mut self.hash);
        if self.mode == TraceMode::Full {
            self.trace.push(TraceEvent {
                time: self.now,
                kind,
            });
        }
    }

    /// Record the violations the last check found.
    pub fn flush_found(&mut self) {
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

    /// Arm a timer of `node` to fire after a delay drawn from `lo..hi`:
    /// its generation and deadline.
    pub fn arm(&mut self, node: NodeId, lo: Time, hi: Time) -> (u64, Time) {
        let mut delay = self.rng.range(lo, hi);
        // A fast clock's timers fire early in true time, a slow one's late.
        let rate = self.clocks[(node - 1) as usize].2;
        if rate != 100 {
            delay = delay * 100 / Time::from(rate.max(1));
        }
        self.gen += 1;
        let gen = self.gen;
        let at = self.now + delay;
        self.push(at, Ev::Timer { node, gen });
        (gen, at)
    }

    /// Node `from` answers request `req`: to the workload client that sent
    /// it (the answer travels), or into the history at once (the user).
    pub fn reply(&mut self, from: NodeId, req: RequestId, reply: Reply) {
        self.acks.reply(req, from, &reply, self.now);
        if let Some(client) = self.people.owner(req) {
            let at = self.now + self.net.latency(&mut self.rng);
            let ev = Ev::ClientReply {
                client,
                from,
                req,
                reply: reply.clone(),
            };
            self.push(at, ev);
        } else {
            self.history.complete(req, &reply, self.now);
            if let Some(index) = reply.index() {
                self.user_after = self.user_after.max(index);
            }
        }
        self.record(TraceKind::Reply {
            node: from,
            req,
            reply,
        })
    }

    // ---- network -----------------------------------------------------------

    fn conn_slot(&self, from: NodeId, to: NodeId) -> usize {
        (from as usize - 1) * self.nodes as usize + (to as usize - 1)
    }

    fn conn(&self, from: NodeId, to: NodeId) -> (u64, Time) {
        self.conns[self.conn_slot(from, to)]
    }

    /// A message on `from -> to` was lost for good: that connection is
    /// broken, and whatever is still in flight on it will not arrive.
    /// A new connection starts empty: nothing waits behind the old one's
    /// messages.
    fn break_conn(&mut self, from: NodeId, to: NodeId) {
        let i = self.conn_slot(from, to);
        self.conns[i].0 += 1;
        self.conns[i].1 = self.now;
    }

    /// Close every connection into `node` (`incoming`: its peers' sends to
    /// it) or out of it. A crash closes the incoming ones: what a peer
    /// sent the old process never reaches the restarted one. A restart
    /// closes the outgoing ones: the new process opens new connections,
    /// and what the old one sent that is still being retransmitted is
    /// gone (what was already on the wire when it crashed arrives).
    pub fn close_connections(&mut self, node: NodeId, incoming: bool) {
        for p in (1..=self.nodes).filter(|&p| p != node) {
            if incoming {
                self.break_conn(p, node);
            } else {
                self.break_conn(node, p);
            }
        }
    }

    /// `from` closes its connection to `to` and opens a new one (both
    /// directions of a TCP connection go with it).
    pub fn reconnect(&mut self, from: NodeId, to: NodeId) {
        if from == to || to == 0 || to > self.nodes {
            return;
        }
        self.break_conn(from, to);
        self.break_conn(to, from);
    }

    /// Decide the copies of one message `from -> to` (the second one a
    /// network duplicate).
    #[cfg_attr(speed_attr, optimize(speed))]
    pub fn route(&mut self, from: NodeId, to: NodeId, t: Transport) -> (Copy, Option<Copy>) {
        if t == Transport::Connection {
            return (self.route_on_connection(from, to), None);
        }
        let net = self.link_net.get(&(from, to)).unwrap_or(&self.net);
        let (drop_ppm, dup_ppm) = (net.drop_ppm, net.dup_ppm);
        let latency = net.latency(&mut self.rng);
        let lost = self.rng.chance(drop_ppm);
        let dup = self.rng.chance(dup_ppm);
        let cut = self.cuts.is_cut(from, to);
        let copy = |now: Time, latency: Time, dup: bool| {
            let (arrive, fate) = match (cut || lost, cut) {
                (false, _) => (now + latency, Ok(0)),
                (true, true) => (now + latency / 2, Err(DropReason::Cut)),
                (true, false) => (now + latency / 2, Err(DropReason::Lost)),
            };
            Copy {
                arrive,
                dup,
                retries: 0,
                fate,
            }
        };
        let fifo = net.fifo;
        let mut first = copy(self.now, latency, false);
        let mut second = (dup && !cut && !lost).then(|| {
            let net = self.link_net.get(&(from, to)).unwrap_or(&self.net);
            let latency = net.latency(&mut self.rng);
            copy(self.now, latency, true)
        });
        if fifo && first.fate.is_ok() {
            // In order: no earlier message on this direction arrives later.
            let i = self.conn_slot(from, to);
            for c in std::iter::once(&mut first).chain(second.as_mut()) {
                c.arrive = c.arrive.max(self.conns[i].1 + 1);
                self.conns[i].1 = c.arrive;
            }
        }
        (first, second)
    }

    /// Send over the ordered connection `from -> to`: each loss costs a
    /// retransmission timeout instead of the message; arrivals keep the
    /// order of sends; a cut at send time loses the message and breaks the
    /// connection, and so do too many retransmissions.
    fn route_on_connection(&mut self, from: NodeId, to: NodeId) -> Copy {
        let net = self.link_net.get(&(from, to)).unwrap_or(&self.net);
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
            Copy {
                arrive: self.now + delay.min(hi) / 2,
                dup: false,
                retries,
                fate: Err(reason),
            }
        } else {
            let arrive = (self.now + delay).max(last + 1);
            let i = self.conn_slot(from, to);
            self.conns[i].1 = arrive;
            Copy {
                arrive,
                dup: false,
                retries,
                fate: Ok(gen),
            }
        }
    }

    /// Message copies sent so far (each recorded as a `Send`).
    pub fn messages_sent(&self) -> u64 {
        self.next_msg - 1
    }

    /// Record one copy of a message leaving `from` and queue its fate
    /// (a delivering copy's message waits in slab slot `slot`).
    pub fn dispatch(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        text: String,
        c: Copy,
        slot: u32,
    ) {
        let id = self.next_msg;
        self.next_msg += 1;
        self.record(TraceKind::Send {
            msg: id,
            from,
            to,
            kind,
            text,
            arrive: c.arrive,
            dup: c.dup,
            doomed: c.fate.is_err(),
            retries: c.retries,
        });
        let ev = match c.fate {
            Ok(conn) => Ev::Deliver {
                id,
                from,
                to,
                slot,
                conn,
            },
            Err(reason) => Ev::Lose {
                id,
                from,
                to,
                reason,
            },
        };
        self.push(c.arrive, ev);
    }

    /// A copy reaches `to` (up or not): record its delivery, or its drop
    /// (the node is down, the link was cut, its connection broke since).
    /// True when the node should handle it.
    fn arrives(
        &mut self,
        id: MsgId,
        (from, to): (NodeId, NodeId),
        conn: u64,
        up: bool,
        t: Transport,
    ) -> bool {
        let lost = if !up {
            Some(DropReason::Down)
        } else if self.cuts.is_cut(from, to) {
            Some(DropReason::Cut)
        } else if t == Transport::Connection && conn != self.conn(from, to).0 {
            Some(DropReason::Reset)
        } else {
            None
        };
        if let Some(reason) = lost {
            // A copy lost to a crash or a cut breaks its connection. One
            // refused for its old connection (Reset) does not: breaking the
            // new connection too once made a reconnect timed in phase with
            // a peer's heartbeats lose its first message every time (MongoDB
            // with an arbiter, sweep seed 128).
            if t == Transport::Connection && reason != DropReason::Reset {
                self.break_conn(from, to);
            }
            self.record(TraceKind::Drop {
                msg: id,
                from,
                to,
                reason,
            });
            false
        } else {
            self.record(TraceKind::Deliver { msg: id, from, to });
            true
        }
    }

    // ---- clients -----------------------------------------------------------

    /// Start the scenario's client workload.
    pub fn set_workload(&mut self, w: &clients::Workload) {
        let ticks = self.people.start(w, self.nodes, self.now, &mut self.rng);
        for (at, client) in ticks {
            self.push(at, Ev::ClientTick { client });
        }
    }

    /// Workload client `client` sends its next operation.
    fn client_send(&mut self, client: u32, reads: bool) {
        let Some(sent) = self.people.send(
            client,
            reads,
            self.next_req,
            self.now,
            &self.net,
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

    /// Is the link between workload client `client` and `node` cut in the
    /// direction the traffic goes (`to_server`)? Then the request or the
    /// answer is lost, and recorded so.
    fn client_lost(&mut self, client: u32, node: NodeId, req: RequestId, to_server: bool) -> bool {
        let c = net::CLIENT_BASE + client;
        let (from, to) = if to_server { (c, node) } else { (node, c) };
        let lost = self.cuts.is_cut(from, to);
        if lost {
            self.record(TraceKind::ClientLost {
                client,
                node,
                req,
                to_server,
            });
        }
        lost
    }

    /// Workload client `client` hears the answer to `req` (`None`: its
    /// timeout), then picks its next server and pauses.
    fn client_hear(&mut self, client: u32, req: RequestId, reply: Option<Reply>) {
        let n = self.nodes;
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

    /// Apply a user action this half handles on its own (cuts and heals,
    /// client links, network and link settings, clocks); false for any other.
    fn apply(&mut self, action: &super::Action) -> bool {
        use super::Action;
        let valid = |id: NodeId| self.valid(id);
        match *action {
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
            Action::CutClient { client, node } | Action::HealClient { client, node }
                if valid(node) && self.people.has(client) =>
            {
                let cut = matches!(action, Action::CutClient { .. });
                let c = net::CLIENT_BASE + client;
                if cut {
                    self.cuts.cut(c, node);
                    self.cuts.cut(node, c);
                } else {
                    self.cuts.heal(c, node);
                }
                self.record(TraceKind::ClientLink { client, node, cut });
            }
            Action::HealAll => {
                self.cuts.heal_all();
                self.record(TraceKind::HealAll);
            }
            Action::SetNet { ref net } => {
                let net = clamp_net(net);
                self.net = net.clone();
                self.record(TraceKind::Net(net));
            }
            Action::SetLink { from, to, ref net } if valid(from) && valid(to) && from != to => {
                let net = clamp_net(net);
                self.link_net.insert((from, to), net.clone());
                self.record(TraceKind::LinkNet { from, to, net });
            }
            Action::Clock { node, offset, rate } if valid(node) => {
                let (offset, rate) = (offset.clamp(-60_000_000, 60_000_000), rate.clamp(50, 200));
                // From now on it reads now + offset, and runs at `rate`.
                self.clocks[(node - 1) as usize] = (self.now, self.now as i64 + offset, rate);
                self.record(TraceKind::Clock { node, offset, rate });
            }
            _ => return false,
        }
        true
    }
}

/// Network settings within the ranges the simulator accepts.
fn clamp_net(net: &NetConfig) -> NetConfig {
    let mut net = net.clone();
    net.latency_min = net.latency_min.clamp(100, 10_000_000);
    net.latency_max = net.latency_max.clamp(net.latency_min, 10_000_000);
    net.drop_ppm = net.drop_ppm.min(1_000_000);
    net.dup_ppm = net.dup_ppm.min(1_000_000);
    net
}
