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

mod acceptor;
mod learner;
mod messages;
mod proposer;

pub use messages::*;

use crate::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, Protocol, Reply, Request, RequestId,
    TimerInfo,
};
use crate::protocols::common::{broadcast, majority, render, Kv};
use crate::protocols::paxos::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;
use serde::{Deserialize, Serialize};

/// Multi-Paxos settings shared by every node.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U64 leader_timeout_min,
            U64 leader_timeout_max,
            U64 heartbeat_interval,
            Bool retry_at_once,
        );
    }
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

/// What survives a crash: the acceptor's promise and accepted values, and
/// the learned (chosen) values.
#[derive(Clone, Debug, Default)]
pub struct PaxosDurable {
    /// The highest ballot promised.
    pub promised: Ballot,
    /// Per slot, the highest-ballot value accepted.
    pub accepted: LiteMap<u64, (Ballot, Value)>,
    /// Per slot, the value learned as chosen.
    pub chosen: LiteMap<u64, Value>,
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

/// What a node reports to the checker ([`Out::observe`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaxosObs {
    /// This node's acceptor accepted `value` for `slot` at `ballot`.
    Accepted {
        slot: u64,
        ballot: Ballot,
        value: Value,
    },
    /// This node's learner learned `value` for `slot`.
    Learned { slot: u64, value: Value },
    /// A client command arrived (Validity: only these may be chosen).
    Requested(Command),
}

/// One Multi-Paxos node (acceptor + proposer + learner).
#[derive(Clone, Debug)]
pub struct Paxos {
    id: NodeId,
    peers: Vec<NodeId>,
    cfg: PaxosConfig,
    // Acceptor (durable).
    promised: Ballot,
    accepted: LiteMap<u64, (Ballot, Value)>,
    // Learner.
    chosen: LiteMap<u64, Value>,
    applied: u64,
    kv: Kv,
    leader_guess: Option<NodeId>,
    // Proposer (volatile).
    phase: Phase,
    ballot: Ballot,
    max_round: u64,
    promises: Vec<NodeId>,
    from_slot: u64,
    best: LiteMap<u64, (Ballot, Value)>,
    proposals: LiteMap<u64, (Value, Vec<NodeId>)>,
    next_slot: u64,
    queue: Vec<Request>,
    pending: LiteMap<u64, (RequestId, Command)>,
}

type PaxosOut = Out<PaxosMsg, PaxosTimer, PaxosObs>;

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
    pub fn accepted(&self) -> &LiteMap<u64, (Ballot, Value)> {
        &self.accepted
    }
    /// The learner's chosen values.
    pub fn chosen(&self) -> &LiteMap<u64, Value> {
        &self.chosen
    }
    /// Slots applied to the key-value store (a contiguous prefix).
    pub fn applied(&self) -> u64 {
        self.applied
    }
    /// The applied key-value state.
    pub fn kv(&self) -> &Kv {
        &self.kv
    }
    fn majority(&self) -> usize {
        majority(self.peers.len() + 1)
    }

    fn arm_leader_timeout(&self, out: &mut PaxosOut) {
        out.set_timer(
            PaxosTimer::LeaderTimeout,
            self.cfg.leader_timeout_min,
            self.cfg.leader_timeout_max,
        );
    }

    fn broadcast(&self, msg: PaxosMsg, out: &mut PaxosOut) {
        broadcast(out, &self.peers, msg);
    }
}
impl Protocol for Paxos {
    type Config = PaxosConfig;
    type Msg = PaxosMsg;
    type Obs = PaxosObs;
    type Timer = PaxosTimer;
    type Durable = PaxosDurable;
    const NAME: &'static str = "paxos";
    const READS: bool = true;

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
            kv: LiteMap::new(),
            leader_guess: None,
            phase: Phase::Idle,
            ballot: Ballot::default(),
            max_round: d.promised.round,
            promises: Vec::new(),
            from_slot: 1,
            best: LiteMap::new(),
            proposals: LiteMap::new(),
            next_slot: 1,
            queue: Vec::new(),
            pending: LiteMap::new(),
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
            } => match self.acceptor_accept(ballot, slot, value, out) {
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
                let all = self.chosen.as_slice();
                let from_first = all.partition_point(|&(s, _)| s < first);
                for &(slot, value) in all[from_first..].iter().take(8) {
                    out.send(from, PaxosMsg::Decide { slot, value });
                }
            }
        }
    }

    fn on_timer(&mut self, timer: PaxosTimer, out: &mut PaxosOut) {
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
        out.observe(PaxosObs::Requested(req.cmd));
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
            Phase::Idle => role::ACCEPTOR,
            Phase::Preparing => role::PROPOSER,
            Phase::Leading => role::LEADER,
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
            state_machine: render(&self.kv),
            members: 0,
        }
    }
}

impl Paxos {
    /// The user forced this node's main timeout.
    fn force_timeout(&mut self, out: &mut PaxosOut) {
        // The user makes this node propose now, even if a leader exists: two
        // forced at once is how dueling proposers begin.
        self.start_phase1(out);
    }
}
