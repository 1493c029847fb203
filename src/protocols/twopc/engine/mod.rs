//! Two-phase commit, after Gray, "Notes on Data Base Operating Systems"
//! (1978), and Bernstein, Hadzilacos & Goodman, "Concurrency Control and
//! Recovery in Database Systems" (1987), chapter 7.
//!
//! S1 is the **coordinator**; every other node is a **participant** holding
//! a copy of the key-value store. Each client request (sent to S1) becomes a
//! transaction `Tn` that writes one key at every participant.
//!
//! - **Phase 1 (voting)**: the coordinator logs `Begin` and sends `Prepare`.
//!   A participant votes yes only if it can lock the key (no-wait locking: a
//!   key held by another prepared transaction means no) and the user has not
//!   told it to refuse; a yes is forced to its log as `Prepared` *before* the
//!   vote is sent, and from then on it may not decide alone (BHG §7.3, the
//!   "uncertainty period").
//! - **Phase 2 (decision)**: with every vote yes the coordinator decides
//!   commit, otherwise (a no, or a vote timeout) abort. The decision is forced
//!   to its log before anyone hears of it; then it is sent, and resent until
//!   every participant acknowledges, after which the coordinator logs `End`.
//! - **Recovery** (BHG §7.4): a restarted coordinator aborts every begun
//!   transaction without a logged decision and resends the decisions it
//!   logged. A restarted participant re-takes the locks of its `Prepared`
//!   transactions and asks the coordinator (`DecisionReq`) until it answers:
//!   it is **blocked**, holding its locks, for as long as the coordinator is
//!   away. That blocking is what the protocol is known for.
//!
//! That is **basic 2PC** (the default): Begin, every decision and every
//! participant's abort are forced, and aborts are acknowledged. With
//! [`TwoPcConfig::presumed_abort`] it runs **presumed abort** as Mohan,
//! Lindsay & Obermarck define it (R*, TODS 1986, §2): the coordinator forces
//! nothing before its decision and forces only commits; an abort is neither
//! forced (coordinator or participant) nor acknowledged, and the coordinator
//! forgets it at once; "no information means abort", so a coordinator that
//! knows nothing of a transaction answers an inquiry with Abort. Commits cost
//! the same in both; each aborted transaction saves 2 + (n-1) forced writes
//! and n-1 acknowledgements. Non-forced records (`End`, presumed abort's
//! abort records) are written to the log without the count of forced writes.
//!
//! Both logs are durable ([`TwoPcDurable`]); everything else is rebuilt from
//! them. Transaction ids come from a durable counter, so they stay unique
//! across a coordinator's restarts even when Begin is not logged (R* names a
//! transaction by its site and time). [`TwoPcBug`] holds deliberately broken
//! variants that only tests select.

mod coordinator;
mod messages;
mod participant;

use crate::geometry::Fx;
use crate::protocols::common::{render, Kv};
use crate::protocols::twopc::names::role;
pub use messages::*;
use participant::txn_at;

use crate::protocol::{
    Command, EntryView, Key, Message, NodeView, Out, Outcome, Protocol, Reply, Request, RequestId,
    TimerInfo,
};
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// The coordinator's node id.
pub const COORDINATOR: NodeId = 1;

/// A transaction id.
pub type TxnId = u64;

/// Two-phase commit settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoPcConfig {
    /// How long the coordinator waits for votes before aborting (µs).
    pub vote_timeout: Time,
    /// How often decisions are resent and in-doubt participants ask (µs).
    pub retry_interval: Time,
    /// Presumed abort (Mohan, Lindsay & Obermarck 1986) instead of basic 2PC.
    pub presumed_abort: bool,
    /// A deliberately broken variant; tests only.
    pub bug: Option<TwoPcBug>,
}

impl Default for TwoPcConfig {
    fn default() -> Self {
        TwoPcConfig {
            vote_timeout: 400_000,
            retry_interval: 300_000,
            presumed_abort: false,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for TwoPcConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U64 vote_timeout,
            U64 retry_interval,
            Bool presumed_abort,
        );
    }
    /// Check settings read from a link or file; the message says what is wrong.
    fn check(&self) -> Result<(), String> {
        crate::protocols::common::intervals_ok(&[self.vote_timeout, self.retry_interval])
            .then_some(())
            .ok_or_else(|| {
                "This scenario's two-phase commit timing settings are out of range.".to_string()
            })
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwoPcBug {
    /// The coordinator sends its decision without logging it first, so after
    /// a crash it presumes abort for a transaction it had committed.
    DecisionNotLogged,
    /// The coordinator commits once a majority of participants voted yes,
    /// not all of them (a quorum rule that atomic commitment cannot use).
    CommitOnMajority,
}

/// A record in a node's stable log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// Coordinator: transaction begun.
    Begin { txn: TxnId, cmd: Command },
    /// Coordinator: the decision (forced before it is sent).
    Decision { txn: TxnId, commit: bool },
    /// Coordinator: every participant acknowledged; forget the transaction.
    End { txn: TxnId },
    /// Participant: voted yes (forced before the vote is sent).
    Prepared { txn: TxnId, cmd: Command },
    /// Participant: voted no.
    VotedNo { txn: TxnId },
    /// Participant: committed.
    Committed { txn: TxnId },
    /// Participant: aborted.
    Aborted { txn: TxnId },
}

/// What survives a crash: the log, and the user's "vote no" switch.
#[derive(Clone, Debug, Default)]
pub struct TwoPcDurable {
    /// The stable log.
    pub log: Vec<Record>,
    /// The participant votes no on every new transaction.
    pub refuse: bool,
    /// The next transaction id (coordinator).
    pub next_txn: TxnId,
    /// Forced log writes so far (the cost presumed abort saves).
    pub forced: u64,
}

/// A transaction's state at one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnState {
    /// Coordinator: collecting votes.
    Voting,
    /// Participant: voted yes, waiting for the decision (uncertain).
    Prepared,
    /// Committed.
    Committed,
    /// Aborted.
    Aborted,
}

impl TxnState {
    fn as_str(self) -> &'static str {
        match self {
            TxnState::Voting => "voting",
            TxnState::Prepared => "prepared",
            TxnState::Committed => "committed",
            TxnState::Aborted => "aborted",
        }
    }
}

/// One transaction as a node knows it.
#[derive(Clone, Debug)]
pub struct Txn {
    /// What it writes.
    pub cmd: Command,
    /// Its state here.
    pub state: TxnState,
    /// Coordinator: votes received (participant, yes?).
    pub votes: Vec<(NodeId, bool)>,
    /// Coordinator: acknowledgements of the decision.
    pub acks: Vec<NodeId>,
    /// Coordinator: the client to answer.
    pub req: Option<RequestId>,
    /// When this node entered the current state.
    pub since: Time,
    /// Coordinator: End logged.
    pub ended: bool,
}

/// One 2PC node: the coordinator (S1) or a participant.
#[derive(Clone, Debug)]
pub struct TwoPc {
    id: NodeId,
    peers: Vec<NodeId>,
    cfg: TwoPcConfig,
    log: Vec<Record>,
    refuse: bool,
    txns: LiteMap<TxnId, Txn>,
    locks: LiteMap<Key, (TxnId, Time)>,
    kv: Kv,
    next_txn: TxnId,
    forced: u64,
    now: Time,
}

/// What a node reports to the checker ([`Out::observe`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TwoPcObs {
    /// A record written to the log (or, under presumed abort, a decision
    /// presumed and not written).
    Logged(Record),
    /// A decision this participant was told that contradicts its own log
    /// (a Commit for a transaction it never prepared).
    Contradiction(String),
}

type TwoPcOut = Out<TwoPcMsg, TwoPcTimer, TwoPcObs>;

impl TwoPc {
    /// Is this the coordinator?
    pub fn is_coordinator(&self) -> bool {
        self.id == COORDINATOR
    }
    /// The stable log.
    pub fn log(&self) -> &[Record] {
        &self.log
    }
    /// Transactions known here.
    pub fn txns(&self) -> &LiteMap<TxnId, Txn> {
        &self.txns
    }
    /// Locks held: key -> (transaction, since).
    pub fn locks(&self) -> &LiteMap<Key, (TxnId, Time)> {
        &self.locks
    }
    /// The committed key-value state.
    pub fn kv(&self) -> &Kv {
        &self.kv
    }
    /// Does the participant refuse (vote no on) new transactions?
    pub fn refuses(&self) -> bool {
        self.refuse
    }

    fn participants(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.peers.iter().copied().filter(|&p| p != COORDINATOR)
    }

    /// Force a record to the stable log (the write completes before the
    /// handler goes on).
    fn force(&mut self, r: Record, out: &mut TwoPcOut) {
        self.forced += 1;
        self.log.push(r);
        out.observe(TwoPcObs::Logged(r));
    }

    /// Write a record without forcing it.
    fn write(&mut self, r: Record, out: &mut TwoPcOut) {
        self.log.push(r);
        out.observe(TwoPcObs::Logged(r));
    }

    /// Presumed abort's abort: nothing written at all, only seen by the checker.
    fn presume(&mut self, r: Record, out: &mut TwoPcOut) {
        out.observe(TwoPcObs::Logged(r));
    }

    fn pra(&self) -> bool {
        self.cfg.presumed_abort
    }

    /// Forced log writes so far.
    pub fn forced_writes(&self) -> u64 {
        self.forced
    }

    fn begin_handler(&mut self, out: &TwoPcOut) {
        self.now = out.now();
    }
}
impl Protocol for TwoPc {
    type Config = TwoPcConfig;
    type Msg = TwoPcMsg;
    type Obs = TwoPcObs;
    type Timer = TwoPcTimer;
    type Durable = TwoPcDurable;
    const NAME: &'static str = "2pc";

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &TwoPcConfig,
        durable: Option<TwoPcDurable>,
        out: &mut TwoPcOut,
    ) -> Self {
        let d = durable.unwrap_or_default();
        let now = out.now();
        let mut node = TwoPc {
            id,
            peers: peers.to_vec(),
            cfg: cfg.clone(),
            log: Vec::new(),
            refuse: d.refuse,
            txns: LiteMap::new(),
            locks: LiteMap::new(),
            kv: LiteMap::new(),
            next_txn: d.next_txn.max(1),
            forced: d.forced,
            now,
        };
        // Recovery: replay the stable log.
        for &r in &d.log {
            match r {
                Record::Begin { txn, cmd } => {
                    node.txns.insert(txn, txn_at(cmd, TxnState::Voting, now));
                    node.next_txn = node.next_txn.max(txn + 1);
                }
                Record::Decision { txn, commit } => {
                    if let Some(t) = node.txns.get_mut(&txn) {
                        t.state = if commit {
                            TxnState::Committed
                        } else {
                            TxnState::Aborted
                        };
                    }
                }
                Record::End { txn } => {
                    if let Some(t) = node.txns.get_mut(&txn) {
                        t.ended = true;
                    }
                }
                Record::Prepared { txn, cmd } => {
                    node.txns.insert(txn, txn_at(cmd, TxnState::Prepared, now));
                }
                Record::VotedNo { txn } => {
                    let cmd = Command::write(Key(0), 0);
                    node.txns.insert(txn, txn_at(cmd, TxnState::Aborted, now));
                }
                Record::Committed { txn } => {
                    if let Some(t) = node.txns.get_mut(&txn) {
                        t.state = TxnState::Committed;
                        crate::protocols::common::apply(&mut node.kv, &t.cmd);
                    }
                }
                Record::Aborted { txn } => {
                    let cmd = Command::write(Key(0), 0);
                    node.txns
                        .entry(txn)
                        .or_insert_with(|| txn_at(cmd, TxnState::Aborted, now))
                        .state = TxnState::Aborted;
                }
            }
        }
        node.log = d.log;
        if node.is_coordinator() {
            // Recovery runs as the restarted coordinator's first step (a
            // zero-delay timer), so that booting from the log, as the view of
            // a crashed node does, shows the log as it is.
            if node.txns.values().any(|t| !t.ended) {
                out.set_timer(TwoPcTimer::Recover, 0, 0);
            }
        } else {
            let doubt: Vec<(TxnId, Key)> = node
                .txns
                .iter()
                .filter(|(_, t)| t.state == TxnState::Prepared)
                .map(|(&k, t)| (k, t.cmd.key))
                .collect();
            for (txn, key) in doubt {
                node.locks.insert(key, (txn, now));
                let id = node.id;
                out.note(|| format!("S{id} restarts in doubt about T{txn}: re-locks {key} and asks the coordinator"));
                node.ask_coordinator(txn, out);
            }
        }
        node
    }

    fn on_message(&mut self, from: NodeId, msg: TwoPcMsg, out: &mut TwoPcOut) {
        self.begin_handler(out);
        if self.is_coordinator() {
            self.coordinator_message(from, msg, out);
        } else {
            self.participant_message(from, msg, out);
        }
    }

    fn on_timer(&mut self, timer: TwoPcTimer, out: &mut TwoPcOut) {
        self.begin_handler(out);
        match timer {
            TwoPcTimer::Votes(txn) => {
                let id = self.id;
                out.note(|| format!("S{id} gives up waiting for votes on T{txn}"));
                self.decide(txn, false, out);
            }
            TwoPcTimer::Resend(txn) => self.send_decision(txn, out),
            TwoPcTimer::Recover => {
                // Presumed abort for every transaction without a logged
                // decision; resend every decision not yet acknowledged by all.
                let open: Vec<(TxnId, TxnState, bool)> = self
                    .txns
                    .iter()
                    .map(|(&k, t)| (k, t.state, t.ended))
                    .collect();
                for (txn, state, ended) in open {
                    if state == TxnState::Voting {
                        let id = self.id;
                        out.note(|| format!("S{id} recovers: T{txn} has no decision in its log, so it presumes abort"));
                        self.decide(txn, false, out);
                    } else if !ended {
                        self.send_decision(txn, out);
                    }
                }
            }
            TwoPcTimer::InDoubt(txn) => {
                if self.txns.get(&txn).map(|t| t.state) == Some(TxnState::Prepared) {
                    let (id, since) = (self.id, self.txns[&txn].since);
                    let waited = self.now.saturating_sub(since);
                    out.note(|| {
                        format!(
                            "S{id} is blocked on T{txn} for {} s: it voted yes, so it must wait for the coordinator",
                            Fx(waited as f64 / 1e6, 1)
                        )
                    });
                    self.ask_coordinator(txn, out);
                }
            }
        }
    }

    fn on_request(&mut self, req: Request, out: &mut TwoPcOut) {
        self.begin_handler(out);
        if !self.is_coordinator() {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(COORDINATOR),
                },
            );
            return;
        }
        let txn = self.next_txn;
        self.next_txn += 1;
        // Presumed abort does not force Begin: it is buffered, and reaches
        // the disk with the commit record if there is one (a force writes
        // the whole log buffer), which is how that record names what it
        // commits.
        if self.pra() {
            self.write(Record::Begin { txn, cmd: req.cmd }, out);
        } else {
            self.force(Record::Begin { txn, cmd: req.cmd }, out);
        }
        let mut t = txn_at(req.cmd, TxnState::Voting, self.now);
        t.req = Some(req.id);
        self.txns.insert(txn, t);
        let targets: Vec<NodeId> = self.participants().collect();
        for p in targets {
            out.send(p, TwoPcMsg::Prepare { txn, cmd: req.cmd });
        }
        out.set_timer(
            TwoPcTimer::Votes(txn),
            self.cfg.vote_timeout,
            self.cfg.vote_timeout,
        );
        if self.participants().count() == 0 {
            self.decide(txn, true, out);
        }
    }

    fn on_action(&mut self, id: &str, out: &mut TwoPcOut) {
        match id {
            "timeout" => self.force_timeout(out),
            "toggle" => self.toggle(out),
            _ => {}
        }
    }

    fn durable(&self) -> TwoPcDurable {
        TwoPcDurable {
            log: self.log.clone(),
            refuse: self.refuse,
            next_txn: self.next_txn,
            forced: self.forced,
        }
    }

    fn leads(&self) -> Option<u64> {
        self.is_coordinator()
            .then_some(self.next_txn.saturating_sub(1))
    }

    fn outcome(&self, txn: TxnId) -> Outcome {
        match self.txns.get(&txn) {
            Some(t) if t.state == TxnState::Committed => Outcome::Committed(Some(t.cmd)),
            Some(t) if t.state == TxnState::Aborted => Outcome::Aborted,
            // Presumed abort: a coordinator that began it and knows nothing
            // more holds it aborted.
            None if self.is_coordinator() && self.pra() && txn < self.next_txn => Outcome::Aborted,
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let skip = self.txns.len().saturating_sub(max);
        let log = self
            .txns
            .iter()
            .skip(skip)
            .map(|(&txn, t)| EntryView {
                term: txn,
                text: if t.cmd.value == 0 && t.state == TxnState::Aborted {
                    "abort".into()
                } else {
                    t.cmd.to_string()
                },
                committed: t.state == TxnState::Committed,
                tag: format!("T{txn}"),
                mark: match t.state {
                    TxnState::Voting => "voting",
                    TxnState::Prepared => "prepared",
                    TxnState::Aborted => "aborted",
                    _ => "",
                },
            })
            .collect();
        let prepared = self
            .txns
            .values()
            .filter(|t| t.state == TxnState::Prepared)
            .count();
        let voting = self
            .txns
            .values()
            .filter(|t| t.state == TxnState::Voting)
            .count();
        let mut details: Vec<String> = self
            .locks
            .iter()
            .map(|(k, (txn, since))| {
                format!(
                    "lock {k} held by T{txn} since {} s ({} s so far)",
                    Fx(*since as f64 / 1e6, 2),
                    Fx(self.now.saturating_sub(*since) as f64 / 1e6, 2)
                )
            })
            .collect();
        if !self.is_coordinator() && self.refuse {
            details.push("will vote NO".into());
        }
        details.push(format!("forced log writes: {}", self.forced));
        if self.is_coordinator() {
            // The votes of the latest transactions, "?" for none yet.
            for (txn, t) in self.txns.iter().rev().take(3) {
                let votes: Vec<String> = self
                    .participants()
                    .map(|p| match t.votes.iter().find(|v| v.0 == p) {
                        Some((_, true)) => format!("S{p} YES"),
                        Some((_, false)) => format!("S{p} NO"),
                        None => format!("S{p} ?"),
                    })
                    .collect();
                details.push(format!("T{txn} {}: {}", t.state.as_str(), votes.join(", ")));
            }
        }
        // A participant that voted yes and has waited a whole retry interval
        // for the outcome is blocked (BHG §7.3): say so on the node.
        let blocked_since = self
            .txns
            .values()
            .filter(|t| t.state == TxnState::Prepared)
            .map(|t| t.since)
            .min()
            .filter(|&since| self.now.saturating_sub(since) >= self.cfg.retry_interval);
        let badge = blocked_since
            .map(|since| {
                format!(
                    "BLOCKED {} s",
                    Fx(self.now.saturating_sub(since) as f64 / 1e6, 1)
                )
            })
            .unwrap_or_default();
        let (role, headline, subline) = if self.is_coordinator() {
            (
                role::COORDINATOR,
                format!("T{} next", self.next_txn),
                format!("{voting} voting"),
            )
        } else {
            (
                role::PARTICIPANT,
                if prepared > 0 {
                    format!("doubt {prepared}")
                } else {
                    "idle".into()
                },
                if self.refuse {
                    "votes NO".into()
                } else {
                    format!("{} lock(s)", self.locks.len())
                },
            )
        };
        NodeView {
            id: self.id,
            up: true,
            role,
            term: self.next_txn.saturating_sub(1),
            leading: self.is_coordinator(),
            headline,
            subline,
            badge,
            details,
            log,
            log_offset: skip as u64,
            // Transactions are not a sequence: no commit-index mark.
            commit_index: 0,
            progress: Vec::new(),
            state_machine: render(&self.kv),
            members: 0,
        }
    }
}

impl TwoPc {
    /// The user forced this node's main timeout.
    fn force_timeout(&mut self, out: &mut TwoPcOut) {
        self.begin_handler(out);
        let ids: Vec<(TxnId, TxnState)> = self.txns.iter().map(|(&k, t)| (k, t.state)).collect();
        for (txn, state) in ids {
            if self.is_coordinator() && state == TxnState::Voting {
                self.decide(txn, false, out);
            } else if !self.is_coordinator() && state == TxnState::Prepared {
                self.ask_coordinator(txn, out);
            }
        }
    }

    /// The user flipped this node's switch.
    fn toggle(&mut self, out: &mut TwoPcOut) {
        self.begin_handler(out);
        let id = self.id;
        if self.is_coordinator() {
            out.note(|| format!("S{id} is the coordinator; it has no vote"));
            return;
        }
        self.refuse = !self.refuse;
        let how = if self.refuse { "NO" } else { "yes when it can" };
        out.note(|| format!("S{id} will now vote {how} on new transactions"));
    }
}
