//! Multi-Paxos, after Lamport's "Paxos Made Simple" (2001) and van Renesse &
//! Altinbuken's "Paxos Made Moderately Complex" (2015, "PMMC").
//!
//! Every node plays all three roles, as deployments do: **acceptor**,
//! **proposer** (PMMC's leader, with its scouts and commanders folded in) and
//! **learner** (PMMC's replica, applying chosen values in slot order to a
//! key-value store).
//!
//! - Ballots are `(round, node id)`, ordered lexicographically, so two
//!   proposers never share one (PMMC §3).
//! - **Phase 1** (`Prepare`/`Promise`, "1a/1b"): a proposer asks every
//!   acceptor to promise to ignore lower ballots. A promise carries, for every
//!   slot from the proposer's first unlearned one, the highest-ballot value the
//!   acceptor has accepted (Paxos Made Simple §2.2, PMMC's `pvalues`). With a
//!   majority of promises the proposer becomes the *distinguished leader*: it
//!   re-proposes, per slot, the value of the highest ballot it was told of,
//!   fills gaps with no-ops, and from then on skips phase 1 for new slots
//!   (Paxos Made Simple §3).
//! - **Phase 2** (`Accept`/`Accepted`, "2a/2b"): an acceptor accepts a value
//!   unless it has promised a higher ballot. Once a majority accepted a slot's
//!   value at one ballot, that value is *chosen*; the leader learns it and
//!   tells every learner (`Decide`).
//! - A command whose slot is decided for another value is proposed again in
//!   a later slot, as PMMC's replicas do; a proposer that is preempted
//!   answers its pending clients "unknown" (the new leader may still choose
//!   their commands from phase 1).
//! - A rejected proposer (`Nack`, PMMC's "preempted") steps down. By default
//!   it then waits a randomized leader timeout before trying again; with
//!   [`PaxosConfig::retry_at_once`] it retries immediately with a higher
//!   ballot, which lets two proposers duel forever (PMMC §3, "livelock").
//! - Leader failure is detected by timeouts: the leader sends heartbeats, and
//!   a node that hears none for a randomized interval runs phase 1. Heartbeats
//!   also carry how far the leader has learned, so learners that missed a
//!   `Decide` ask to catch up.
//!
//! Acceptor state (`promised`, `accepted`) and the learned values are durable
//! ([`PaxosDurable`]); the proposer's state is volatile.
//!
//! [`PaxosBug`] holds deliberately broken variants that only tests select.

use crate::protocol::{
    Command, EntryView, Key, Message, NodeView, Out, Outcome, Protocol, Reply, Request, RequestId,
    TimerInfo,
};
use crate::sim::{NodeId, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Multi-Paxos settings shared by every node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaxosConfig {
    /// Lower bound of the randomized leader timeout (µs).
    pub leader_timeout_min: Time,
    /// Upper bound of the randomized leader timeout (µs).
    pub leader_timeout_max: Time,
    /// Interval between leader heartbeats and retransmissions (µs).
    pub heartbeat_interval: Time,
    /// A preempted proposer retries at once with a higher ballot instead of
    /// backing off (shows the dueling-proposers livelock).
    pub retry_at_once: bool,
    /// A deliberately broken variant; tests only.
    #[serde(skip)]
    pub bug: Option<PaxosBug>,
}

impl Default for PaxosConfig {
    fn default() -> Self {
        PaxosConfig {
            leader_timeout_min: 150_000,
            leader_timeout_max: 300_000,
            heartbeat_interval: 50_000,
            retry_at_once: false,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for PaxosConfig {
    /// Check settings read from a link or file; the message says what is wrong.
    fn check(&self) -> Result<(), String> {
        let ok = crate::protocols::common::intervals_ok(&[
            self.leader_timeout_min,
            self.leader_timeout_max,
            self.heartbeat_interval,
        ]) && self.leader_timeout_min <= self.leader_timeout_max;
        ok.then_some(())
            .ok_or_else(|| "This scenario's Paxos timing settings are out of range.".to_string())
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaxosBug {
    /// An acceptor's promise is not written to stable storage, so a restart
    /// forgets it (Paxos Made Simple §2.3 requires it to be remembered).
    ForgetPromiseOnRestart,
}

/// A ballot number: `(round, node)`, ordered by round, then node.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Ballot {
    /// The round.
    pub round: u64,
    /// The proposer that owns the ballot.
    pub node: NodeId,
}

impl std::fmt::Display for Ballot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.round, self.node)
    }
}

/// A value proposed for a slot: a client command, or a no-op that fills a gap.
pub type Value = Option<Command>;

fn show(v: &Value) -> String {
    match v {
        Some(c) => c.to_string(),
        None => "no-op".into(),
    }
}

/// The messages of Multi-Paxos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaxosMsg {
    /// Phase 1a: promise to ignore ballots below `ballot`; report what you
    /// accepted in slots from `from_slot` on.
    Prepare { ballot: Ballot, from_slot: u64 },
    /// Phase 1b: the promise, with the highest-ballot accepted value per slot.
    Promise {
        ballot: Ballot,
        accepted: Vec<(u64, Ballot, Value)>,
    },
    /// Phase 2a: please accept `value` for `slot` at `ballot`.
    Accept {
        ballot: Ballot,
        slot: u64,
        value: Value,
    },
    /// Phase 2b: accepted.
    Accepted { ballot: Ballot, slot: u64 },
    /// Rejection of `ballot`: the acceptor has promised `promised`.
    Nack { ballot: Ballot, promised: Ballot },
    /// The leader tells a learner that `value` was chosen for `slot`.
    Decide { slot: u64, value: Value },
    /// The leader is alive; it has learned every slot up to `learned`.
    Heartbeat { ballot: Ballot, learned: u64 },
    /// A learner asks the leader for the decisions from `from` on.
    CatchUp { from: u64 },
}

impl Message for PaxosMsg {
    fn kind(&self) -> &'static str {
        match self {
            PaxosMsg::Prepare { .. } => "Prepare",
            PaxosMsg::Promise { .. } => "Promise",
            PaxosMsg::Accept { .. } => "Accept",
            PaxosMsg::Accepted { .. } => "Accepted",
            PaxosMsg::Nack { .. } => "Nack",
            PaxosMsg::Decide { .. } => "Decide",
            PaxosMsg::Heartbeat { .. } => "Heartbeat",
            PaxosMsg::CatchUp { .. } => "CatchUp",
        }
    }
    fn describe(&self) -> String {
        match self {
            PaxosMsg::Prepare { ballot, from_slot } => {
                format!("Prepare(ballot {ballot}, slots {from_slot}+)")
            }
            PaxosMsg::Promise { ballot, accepted } => {
                format!("Promise(ballot {ballot}, {} accepted)", accepted.len())
            }
            PaxosMsg::Accept {
                ballot,
                slot,
                value,
            } => format!("Accept(ballot {ballot}, slot {slot}, {})", show(value)),
            PaxosMsg::Accepted { ballot, slot } => {
                format!("Accepted(ballot {ballot}, slot {slot})")
            }
            PaxosMsg::Nack { ballot, promised } => {
                format!("Nack: ballot {ballot} < promised {promised}")
            }
            PaxosMsg::Decide { slot, value } => format!("Decide(slot {slot}: {})", show(value)),
            PaxosMsg::Heartbeat { ballot, learned } => {
                format!("heartbeat(ballot {ballot}, learned {learned})")
            }
            PaxosMsg::CatchUp { from } => format!("CatchUp(slots {from}+)"),
        }
    }
}

/// Timers of a Paxos node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PaxosTimer {
    /// No word from a leader: run phase 1.
    LeaderTimeout,
    /// Leader or proposer: heartbeat and retransmit.
    Tick,
}

impl TimerInfo for PaxosTimer {
    fn name(&self) -> &'static str {
        match self {
            PaxosTimer::LeaderTimeout => "leader timeout",
            PaxosTimer::Tick => "heartbeat timer",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(self, PaxosTimer::LeaderTimeout)
    }
}

/// What survives a crash: the acceptor's promise and accepted values, and
/// the learned (chosen) values.
#[derive(Clone, Debug, Default)]
pub struct PaxosDurable {
    /// The highest ballot promised.
    pub promised: Ballot,
    /// Per slot, the highest-ballot value accepted.
    pub accepted: BTreeMap<u64, (Ballot, Value)>,
    /// Per slot, the value learned as chosen.
    pub chosen: BTreeMap<u64, Value>,
}

/// The proposer's phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not proposing (following whichever leader it hears).
    Idle,
    /// Phase 1 under way.
    Preparing,
    /// Phase 1 done: the distinguished leader.
    Leading,
}

/// What a node did in its latest handler, for the checker.
#[derive(Clone, Debug, Default)]
pub struct Recent {
    /// Values this node's acceptor accepted: (slot, ballot, value).
    pub accepted: Vec<(u64, Ballot, Value)>,
    /// Values this node's learner learned: (slot, value).
    pub learned: Vec<(u64, Value)>,
    /// A client command that arrived.
    pub requested: Option<Command>,
}

/// One Multi-Paxos node (acceptor + proposer + learner).
#[derive(Clone, Debug)]
pub struct Paxos {
    id: NodeId,
    peers: Vec<NodeId>,
    cfg: PaxosConfig,
    // Acceptor (durable).
    promised: Ballot,
    accepted: BTreeMap<u64, (Ballot, Value)>,
    // Learner.
    chosen: BTreeMap<u64, Value>,
    applied: u64,
    kv: BTreeMap<Key, u32>,
    leader_guess: Option<NodeId>,
    // Proposer (volatile).
    phase: Phase,
    ballot: Ballot,
    max_round: u64,
    promises: Vec<NodeId>,
    from_slot: u64,
    best: BTreeMap<u64, (Ballot, Value)>,
    proposals: BTreeMap<u64, (Value, Vec<NodeId>)>,
    next_slot: u64,
    queue: Vec<Request>,
    pending: BTreeMap<u64, (RequestId, Command)>,
    recent: Recent,
}

type PaxosOut = Out<PaxosMsg, PaxosTimer>;

impl Paxos {
    /// The proposer's phase.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }
    /// The proposer's current ballot.
    pub fn ballot(&self) -> Ballot {
        self.ballot
    }
    /// The acceptor's promise.
    pub fn promised(&self) -> Ballot {
        self.promised
    }
    /// The acceptor's accepted values.
    pub fn accepted(&self) -> &BTreeMap<u64, (Ballot, Value)> {
        &self.accepted
    }
    /// The learner's chosen values.
    pub fn chosen(&self) -> &BTreeMap<u64, Value> {
        &self.chosen
    }
    /// Slots applied to the key-value store (a contiguous prefix).
    pub fn applied(&self) -> u64 {
        self.applied
    }
    /// The applied key-value state.
    pub fn kv(&self) -> &BTreeMap<Key, u32> {
        &self.kv
    }
    /// What the latest handler did (checker input).
    pub fn recent(&self) -> &Recent {
        &self.recent
    }

    fn majority(&self) -> usize {
        let cluster = self.peers.len() + 1;
        cluster / 2 + 1
    }

    fn arm_leader_timeout(&self, out: &mut PaxosOut) {
        out.set_timer(
            PaxosTimer::LeaderTimeout,
            self.cfg.leader_timeout_min,
            self.cfg.leader_timeout_max,
        );
    }

    fn broadcast(&self, msg: PaxosMsg, out: &mut PaxosOut) {
        for &p in &self.peers {
            out.send(p, msg.clone());
        }
    }

    // ---- acceptor ----------------------------------------------------------

    /// Phase 1b. Returns the promise, or the ballot that blocks it.
    fn acceptor_prepare(&mut self, b: Ballot, from_slot: u64) -> Result<PaxosMsg, Ballot> {
        if b < self.promised {
            return Err(self.promised);
        }
        self.promised = b;
        self.max_round = self.max_round.max(b.round);
        let accepted = self
            .accepted
            .range(from_slot..)
            .map(|(&s, &(ab, v))| (s, ab, v))
            .collect();
        Ok(PaxosMsg::Promise {
            ballot: b,
            accepted,
        })
    }

    /// Phase 2b. Ok when accepted, otherwise the ballot that blocks it.
    fn acceptor_accept(&mut self, b: Ballot, slot: u64, v: Value) -> Result<(), Ballot> {
        if b < self.promised {
            return Err(self.promised);
        }
        self.promised = b;
        self.max_round = self.max_round.max(b.round);
        self.accepted.insert(slot, (b, v));
        self.recent.accepted.push((slot, b, v));
        Ok(())
    }

    // ---- learner -----------------------------------------------------------

    fn learn(&mut self, slot: u64, v: Value, out: &mut PaxosOut) {
        if self.chosen.contains_key(&slot) {
            return;
        }
        self.chosen.insert(slot, v);
        self.recent.learned.push((slot, v));
        let id = self.id;
        out.note(|| format!("S{id} learns slot {slot}: {}", show(&v)));
        self.apply_chosen(out);
    }

    fn apply_chosen(&mut self, out: &mut PaxosOut) {
        let mut lost = Vec::new();
        while let Some(v) = self.chosen.get(&(self.applied + 1)).copied() {
            self.applied += 1;
            if let Some(c) = v {
                self.kv.insert(c.key, c.value);
            }
            if let Some((req, cmd)) = self.pending.remove(&self.applied) {
                if v == Some(cmd) {
                    out.reply(
                        req,
                        Reply::Ok {
                            index: self.applied,
                        },
                    );
                } else {
                    lost.push((self.applied, Request { id: req, cmd }));
                }
            }
        }
        // PMMC §2 (the replica): a command whose slot was decided for
        // another is proposed again in a later slot; it was not chosen, so
        // this cannot apply it twice.
        for (slot, req) in lost {
            if self.phase == Phase::Leading {
                let id = self.id;
                out.note(|| {
                    format!(
                        "S{id}: slot {slot} went to another value; proposes {} again",
                        req.cmd
                    )
                });
                self.propose_request(req, out);
            } else {
                out.reply(req.id, Reply::Unknown);
            }
        }
    }

    // ---- proposer ----------------------------------------------------------

    /// Start phase 1 with a ballot above every one seen.
    fn start_phase1(&mut self, out: &mut PaxosOut) {
        let round = self.max_round.max(self.promised.round) + 1;
        self.max_round = round;
        self.ballot = Ballot {
            round,
            node: self.id,
        };
        self.phase = Phase::Preparing;
        self.promises.clear();
        self.best.clear();
        self.proposals.clear();
        self.from_slot = self.applied + 1;
        let (b, id, from) = (self.ballot, self.id, self.from_slot);
        out.note(|| format!("S{id} starts phase 1 with ballot {b}"));
        // Our own acceptor promises first: the ballot is above all it has seen.
        if let Ok(PaxosMsg::Promise { accepted, .. }) = self.acceptor_prepare(b, from) {
            self.on_promise(id, b, accepted, out);
        }
        if self.phase == Phase::Preparing {
            self.broadcast(
                PaxosMsg::Prepare {
                    ballot: b,
                    from_slot: from,
                },
                out,
            );
        }
        self.arm_leader_timeout(out);
        out.set_timer(
            PaxosTimer::Tick,
            self.cfg.heartbeat_interval,
            self.cfg.heartbeat_interval,
        );
    }

    fn on_promise(
        &mut self,
        from: NodeId,
        b: Ballot,
        accepted: Vec<(u64, Ballot, Value)>,
        out: &mut PaxosOut,
    ) {
        if self.phase != Phase::Preparing || b != self.ballot || self.promises.contains(&from) {
            return;
        }
        self.promises.push(from);
        for (slot, ab, v) in accepted {
            match self.best.get(&slot) {
                Some(&(have, _)) if have >= ab => {}
                _ => {
                    self.best.insert(slot, (ab, v));
                }
            }
        }
        if self.promises.len() >= self.majority() {
            self.become_leader(out);
        }
    }

    fn become_leader(&mut self, out: &mut PaxosOut) {
        self.phase = Phase::Leading;
        self.leader_guess = Some(self.id);
        out.cancel_timer(PaxosTimer::LeaderTimeout);
        out.became_leader(self.ballot.round);
        let (id, b) = (self.id, self.ballot);
        out.note(|| format!("S{id} has promises from a majority: leader with ballot {b}"));
        // Re-propose the highest-ballot value of every slot reported, no-ops
        // in the gaps (PMMC: "pmax"; Paxos Made Simple §3).
        let top = self
            .best
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0)
            .max(self.chosen.keys().next_back().copied().unwrap_or(0));
        let best = std::mem::take(&mut self.best);
        for slot in self.from_slot..=top {
            if self.chosen.contains_key(&slot) {
                continue;
            }
            let v = best.get(&slot).map(|&(_, v)| v).unwrap_or(None);
            self.propose(slot, v, out);
            if self.phase != Phase::Leading {
                return;
            }
        }
        self.next_slot = top.max(self.from_slot - 1) + 1;
        for req in std::mem::take(&mut self.queue) {
            self.propose_request(req, out);
        }
        self.send_heartbeats(out);
    }

    fn propose_request(&mut self, req: Request, out: &mut PaxosOut) {
        while self.chosen.contains_key(&self.next_slot) {
            self.next_slot += 1;
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        self.pending.insert(slot, (req.id, req.cmd));
        self.propose(slot, Some(req.cmd), out);
    }

    /// Phase 2a for one slot; our own acceptor goes first.
    fn propose(&mut self, slot: u64, v: Value, out: &mut PaxosOut) {
        let b = self.ballot;
        self.proposals.insert(slot, (v, Vec::new()));
        match self.acceptor_accept(b, slot, v) {
            Ok(()) => self.on_accepted(self.id, b, slot, out),
            Err(p) => {
                self.preempted(p, out);
                return;
            }
        }
        if self.proposals.contains_key(&slot) {
            self.broadcast(
                PaxosMsg::Accept {
                    ballot: b,
                    slot,
                    value: v,
                },
                out,
            );
        }
    }

    fn on_accepted(&mut self, from: NodeId, b: Ballot, slot: u64, out: &mut PaxosOut) {
        if self.phase != Phase::Leading || b != self.ballot {
            return;
        }
        let majority = self.majority();
        let Some((v, acks)) = self.proposals.get_mut(&slot) else {
            return;
        };
        if !acks.contains(&from) {
            acks.push(from);
        }
        if acks.len() >= majority {
            let v = *v;
            self.proposals.remove(&slot);
            self.learn(slot, v, out);
            self.broadcast(PaxosMsg::Decide { slot, value: v }, out);
        }
    }

    /// A higher ballot exists: step down (PMMC's "preempted").
    fn preempted(&mut self, higher: Ballot, out: &mut PaxosOut) {
        if self.phase == Phase::Idle || higher <= self.ballot {
            return;
        }
        self.max_round = self.max_round.max(higher.round);
        let (id, b) = (self.id, self.ballot);
        out.note(|| format!("S{id}'s ballot {b} is preempted by {higher}"));
        self.phase = Phase::Idle;
        self.leader_guess = Some(higher.node);
        self.proposals.clear();
        self.best.clear();
        for (_, (req, _)) in std::mem::take(&mut self.pending) {
            out.reply(req, Reply::Unknown);
        }
        for req in std::mem::take(&mut self.queue) {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(higher.node),
                },
            );
        }
        out.cancel_timer(PaxosTimer::Tick);
        if self.cfg.retry_at_once {
            self.start_phase1(out);
        } else {
            self.arm_leader_timeout(out);
        }
    }

    fn send_heartbeats(&self, out: &mut PaxosOut) {
        self.broadcast(
            PaxosMsg::Heartbeat {
                ballot: self.ballot,
                learned: self.applied,
            },
            out,
        );
    }

    /// Heartbeat tick: keep followers quiet and retransmit what was lost.
    fn on_tick(&mut self, out: &mut PaxosOut) {
        match self.phase {
            Phase::Idle => return,
            Phase::Preparing => {
                let msg = PaxosMsg::Prepare {
                    ballot: self.ballot,
                    from_slot: self.from_slot,
                };
                for &p in &self.peers {
                    if !self.promises.contains(&p) {
                        out.send(p, msg.clone());
                    }
                }
            }
            Phase::Leading => {
                self.send_heartbeats(out);
                for (&slot, (v, acks)) in self.proposals.iter().take(8) {
                    let msg = PaxosMsg::Accept {
                        ballot: self.ballot,
                        slot,
                        value: *v,
                    };
                    for &p in &self.peers {
                        if !acks.contains(&p) {
                            out.send(p, msg.clone());
                        }
                    }
                }
            }
        }
        out.set_timer(
            PaxosTimer::Tick,
            self.cfg.heartbeat_interval,
            self.cfg.heartbeat_interval,
        );
    }

    /// Any message from a ballot's owner tells us a leader is alive.
    fn heard_leader(&mut self, b: Ballot, out: &mut PaxosOut) {
        if b.node != self.id && b >= self.promised {
            self.leader_guess = Some(b.node);
            if self.phase == Phase::Idle {
                self.arm_leader_timeout(out);
            }
        }
        if b.node != self.id && b > self.ballot {
            self.preempted(b, out);
        }
    }
}

impl Protocol for Paxos {
    type Config = PaxosConfig;
    type Msg = PaxosMsg;
    type Timer = PaxosTimer;
    type Durable = PaxosDurable;
    const NAME: &'static str = "paxos";

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &PaxosConfig,
        durable: Option<PaxosDurable>,
        out: &mut PaxosOut,
    ) -> Self {
        let d = durable.unwrap_or_default();
        let mut node = Paxos {
            id,
            peers: peers.to_vec(),
            cfg: cfg.clone(),
            promised: d.promised,
            accepted: d.accepted,
            chosen: d.chosen,
            applied: 0,
            kv: BTreeMap::new(),
            leader_guess: None,
            phase: Phase::Idle,
            ballot: Ballot::default(),
            max_round: d.promised.round,
            promises: Vec::new(),
            from_slot: 1,
            best: BTreeMap::new(),
            proposals: BTreeMap::new(),
            next_slot: 1,
            queue: Vec::new(),
            pending: BTreeMap::new(),
            recent: Recent::default(),
        };
        node.max_round = node
            .accepted
            .values()
            .map(|(b, _)| b.round)
            .fold(node.max_round, u64::max);
        node.apply_chosen(out);
        node.arm_leader_timeout(out);
        node
    }

    fn on_message(&mut self, from: NodeId, msg: PaxosMsg, out: &mut PaxosOut) {
        self.recent = Recent::default();
        match msg {
            PaxosMsg::Prepare { ballot, from_slot } => {
                match self.acceptor_prepare(ballot, from_slot) {
                    Ok(promise) => {
                        out.send(from, promise);
                        self.heard_leader(ballot, out);
                    }
                    Err(promised) => out.send(from, PaxosMsg::Nack { ballot, promised }),
                }
            }
            PaxosMsg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, out),
            PaxosMsg::Accept {
                ballot,
                slot,
                value,
            } => match self.acceptor_accept(ballot, slot, value) {
                Ok(()) => {
                    out.send(from, PaxosMsg::Accepted { ballot, slot });
                    self.heard_leader(ballot, out);
                }
                Err(promised) => out.send(from, PaxosMsg::Nack { ballot, promised }),
            },
            PaxosMsg::Accepted { ballot, slot } => self.on_accepted(from, ballot, slot, out),
            PaxosMsg::Nack { ballot, promised } => {
                if ballot == self.ballot {
                    self.preempted(promised, out);
                }
            }
            PaxosMsg::Decide { slot, value } => self.learn(slot, value, out),
            PaxosMsg::Heartbeat { ballot, learned } => {
                if ballot < self.promised {
                    out.send(
                        from,
                        PaxosMsg::Nack {
                            ballot,
                            promised: self.promised,
                        },
                    );
                    return;
                }
                self.heard_leader(ballot, out);
                if learned > self.applied {
                    out.send(
                        from,
                        PaxosMsg::CatchUp {
                            from: self.applied + 1,
                        },
                    );
                }
            }
            PaxosMsg::CatchUp { from: first } => {
                for (&slot, &value) in self.chosen.range(first..).take(8) {
                    out.send(from, PaxosMsg::Decide { slot, value });
                }
            }
        }
    }

    fn on_timer(&mut self, timer: PaxosTimer, out: &mut PaxosOut) {
        self.recent = Recent::default();
        match timer {
            PaxosTimer::LeaderTimeout => {
                if self.phase != Phase::Leading {
                    self.start_phase1(out);
                }
            }
            PaxosTimer::Tick => self.on_tick(out),
        }
    }

    fn on_request(&mut self, req: Request, out: &mut PaxosOut) {
        self.recent = Recent::default();
        self.recent.requested = Some(req.cmd);
        match self.phase {
            Phase::Leading => self.propose_request(req, out),
            Phase::Preparing => self.queue.push(req),
            Phase::Idle => out.reply(
                req.id,
                Reply::NotLeader {
                    leader: self.leader_guess,
                },
            ),
        }
    }

    fn on_action(&mut self, id: &str, out: &mut PaxosOut) {
        if id == "timeout" {
            self.force_timeout(out);
        }
    }

    fn durable(&self) -> PaxosDurable {
        let promised = match self.cfg.bug {
            Some(PaxosBug::ForgetPromiseOnRestart) => Ballot::default(),
            None => self.promised,
        };
        PaxosDurable {
            promised,
            accepted: self.accepted.clone(),
            chosen: self.chosen.clone(),
        }
    }

    fn leads(&self) -> Option<u64> {
        (self.phase == Phase::Leading).then_some(self.ballot.round)
    }

    fn outcome(&self, slot: u64) -> Outcome {
        match self.chosen.get(&slot) {
            Some(&v) if slot <= self.applied => Outcome::Committed(v),
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let top = self
            .accepted
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0)
            .max(self.chosen.keys().next_back().copied().unwrap_or(0));
        let skip = top.saturating_sub(u64::try_from(max).unwrap_or(u64::MAX));
        let log = (skip + 1..=top)
            .map(|slot| {
                let acc = self.accepted.get(&slot);
                match (self.chosen.get(&slot), acc) {
                    (Some(v), _) => EntryView {
                        term: acc.map(|(b, _)| b.round).unwrap_or(0),
                        text: show(v),
                        committed: true,
                        tag: acc
                            .map(|(b, _)| b.to_string())
                            .unwrap_or_else(|| "✓".into()),
                        mark: "",
                    },
                    (None, Some((b, v))) => EntryView {
                        term: b.round,
                        text: show(v),
                        committed: false,
                        tag: b.to_string(),
                        mark: "",
                    },
                    (None, None) => EntryView {
                        term: 0,
                        text: "—".into(),
                        committed: false,
                        tag: String::new(),
                        mark: "hole",
                    },
                }
            })
            .collect();
        let role = match self.phase {
            Phase::Idle => "acceptor",
            Phase::Preparing => "proposer",
            Phase::Leading => "leader",
        };
        let shown = if self.phase == Phase::Idle {
            self.promised
        } else {
            self.ballot
        };
        let mut details = vec![format!("promised {}", self.promised)];
        if self.phase != Phase::Idle {
            details.push(format!("own ballot {}", self.ballot));
        }
        if self.phase == Phase::Preparing {
            details.push(format!(
                "promises {}/{}",
                self.promises.len(),
                self.majority()
            ));
        }
        if !self.proposals.is_empty() {
            details.push(format!(
                "{} slot(s) awaiting a majority",
                self.proposals.len()
            ));
        }
        let sm: Vec<String> = self.kv.iter().map(|(k, v)| format!("{k}={v}")).collect();
        NodeView {
            id: self.id,
            up: true,
            role,
            term: shown.round,
            leading: self.phase == Phase::Leading,
            headline: format!("bal {shown}"),
            subline: match self.leader_guess {
                Some(l) if l != self.id => format!("leader S{l}?"),
                _ => format!("promised {}", self.promised),
            },
            badge: String::new(),
            details,
            log,
            log_offset: skip,
            commit_index: self.applied,
            progress: Vec::new(),
            state_machine: sm.join(" "),
        }
    }
}

impl Paxos {
    /// The user forced this node's main timeout.
    fn force_timeout(&mut self, out: &mut PaxosOut) {
        self.recent = Recent::default();
        // The user makes this node propose now, even if a leader exists: two
        // forced at once is how dueling proposers begin.
        self.start_phase1(out);
    }
}
