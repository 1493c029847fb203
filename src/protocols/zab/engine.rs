//! Zab, ZooKeeper's atomic broadcast, after Junqueira, Reed & Serafini,
//! "Zab: High-performance broadcast for primary-backup systems" (DSN 2011),
//! with the phases as ZooKeeper implements them ("Zab in practice", §V of
//! Medeiros' "ZooKeeper's atomic broadcast protocol: Theory and practice").
//!
//! A node is `looking`, `following` or `leading`. Its durable state is
//! `acceptedEpoch`, `currentEpoch` and its history of transactions, each
//! named by a zxid `(epoch, counter)`.
//!
//! - **Election** (fast leader election): a looking node votes for the best
//!   `(currentEpoch, last zxid, id)` it has heard of in its election round,
//!   tells everyone, and after a short finalize wait with a quorum on its vote
//!   becomes leader or follower. A looking node that hears a quorum follow a
//!   leader that says it leads joins it.
//! - **Discovery** (phase 1): followers send `FollowerInfo(acceptedEpoch)`;
//!   with a quorum the leader proposes `NewEpoch(e')`, e' above every
//!   acceptedEpoch; followers adopt it and answer `AckEpoch(currentEpoch,
//!   last zxid)`. A leader that learns a follower is more up to date than
//!   itself steps down (as ZooKeeper does).
//! - **Synchronization** (phase 2): the leader brings each follower's
//!   history to its own with a `DIFF` (send what it lacks), `TRUNC` (cut an
//!   uncommitted tail, then diff) or `SNAP` (replace the whole history). The
//!   follower adopts `currentEpoch = e'` and acknowledges (`AckNewLeader`).
//!   With a quorum the leader commits its initial history and sends
//!   `UpToDate`: followers deliver it.
//! - **Broadcast** (phase 3): the leader gives each request the next zxid,
//!   proposes it, commits it once a quorum (itself included) acknowledged it,
//!   and sends `Commit`. Followers that join late are synchronised first.
//!
//! Zab assumes FIFO channels (TCP), and runs on the kernel's ordered
//! connections ([`Transport::Connection`]): a lost segment is retransmitted,
//! so loss shows up as delay, and a cut breaks the connection. Leader-to-
//! follower messages also carry a session and a sequence number, so that a
//! follower sees the gap a broken connection leaves, waits for its timeout
//! and goes back to looking, as a ZooKeeper follower does when its socket
//! read times out. Leaders ping; a leader that stops hearing from a quorum
//! steps down.
//!
//! [`ZabBug`] holds deliberately broken variants that only tests select.

use crate::protocol::Transport;
use crate::protocol::{
    Command, EntryView, Key, Message, NodeView, Out, Outcome, Protocol, Reply, Request, RequestId,
    TimerInfo,
};
use crate::sim::{NodeId, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Zab settings shared by every node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ZabConfig {
    /// Leader ping interval (ZooKeeper's tick) (µs).
    pub tick: Time,
    /// Lower bound of a follower's timeout without in-order word from its leader (µs).
    pub follower_timeout_min: Time,
    /// Upper bound of that timeout (µs).
    pub follower_timeout_max: Time,
    /// How long a leader may go without hearing from a quorum (syncLimit) (µs).
    pub sync_limit: Time,
    /// How long a leader may take to reach the broadcast phase (initLimit) (µs).
    pub init_limit: Time,
    /// Wait after a quorum agrees in an election before deciding (µs).
    pub finalize_wait: Time,
    /// A deliberately broken variant; tests only.
    #[serde(skip)]
    pub bug: Option<ZabBug>,
}

impl Default for ZabConfig {
    fn default() -> Self {
        ZabConfig {
            tick: 50_000,
            follower_timeout_min: 250_000,
            follower_timeout_max: 400_000,
            sync_limit: 300_000,
            init_limit: 1_000_000,
            finalize_wait: 40_000,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for ZabConfig {
    /// Check settings read from a link or file; the message says what is wrong.
    fn check(&self) -> Result<(), String> {
        let ok = crate::protocols::common::intervals_ok(&[
            self.tick,
            self.follower_timeout_min,
            self.follower_timeout_max,
            self.sync_limit,
            self.init_limit,
            self.finalize_wait,
        ]) && self.follower_timeout_min <= self.follower_timeout_max;
        ok.then_some(())
            .ok_or_else(|| "This scenario's Zab timing settings are out of range.".to_string())
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZabBug {
    /// The leader starts broadcasting as soon as a quorum acknowledged the
    /// new epoch, without synchronising followers' histories to its own.
    BroadcastBeforeSync,
    /// A follower acknowledges `NewEpoch(e)` as a full vote even when it has
    /// already accepted e from another leader (the bug ZooKeeper's -1 ack
    /// prevents): one follower helps two leaders establish the same epoch.
    CountRepeatedEpochAck,
}

/// A transaction id: `(epoch, counter)`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Zxid {
    /// The epoch of the leader that proposed it.
    pub epoch: u64,
    /// Its position within that epoch (from 1).
    pub counter: u64,
}

impl std::fmt::Display for Zxid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.epoch, self.counter)
    }
}

/// One transaction of a history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Txn {
    /// Its zxid.
    pub zxid: Zxid,
    /// The state change.
    pub cmd: Command,
}

/// A vote in fast leader election, ordered by (epoch, zxid, id).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Vote {
    /// The proposed leader's currentEpoch.
    pub epoch: u64,
    /// The proposed leader's last zxid.
    pub zxid: Zxid,
    /// The proposed leader.
    pub leader: NodeId,
}

/// A node's state as announced in election notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Announce {
    /// In an election.
    Looking,
    /// Following the vote's leader.
    Following,
    /// Leading.
    Leading,
}

/// How the leader synchronises a follower.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncMode {
    /// Append these transactions.
    Diff(Vec<Txn>),
    /// Cut everything after `to`, then append these.
    Trunc(Zxid, Vec<Txn>),
    /// Replace the whole history with this one.
    Snap(Vec<Txn>),
}

/// The messages of Zab. `session`/`seq` make the leader-to-follower stream FIFO.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZabMsg {
    /// Fast leader election.
    Notification {
        vote: Vote,
        round: u64,
        state: Announce,
    },
    /// Follower to its leader: CEPOCH.
    FollowerInfo { accepted_epoch: u64, session: u64 },
    /// Leader to follower: NEWEPOCH.
    NewEpoch { session: u64, seq: u64, epoch: u64 },
    /// Follower: ACK-E with its currentEpoch and last zxid. `current_epoch`
    /// is `None` (ZooKeeper sends -1) when the follower had already accepted
    /// this epoch before: the leader syncs it but must not count it towards
    /// its discovery quorum (`Learner.registerWithLeader`,
    /// `Leader.waitForEpochAck`).
    AckEpoch {
        session: u64,
        epoch: u64,
        current_epoch: Option<u64>,
        last: Zxid,
    },
    /// Leader: NEWLEADER with the synchronisation.
    NewLeader {
        session: u64,
        seq: u64,
        epoch: u64,
        sync: SyncMode,
    },
    /// Follower: ACK-LD.
    AckNewLeader { session: u64, last: Zxid },
    /// Leader: the initial history is committed up to `committed`.
    UpToDate {
        session: u64,
        seq: u64,
        committed: Zxid,
    },
    /// Leader: PROPOSE.
    Propose { session: u64, seq: u64, txn: Txn },
    /// Follower: ACK (cumulative: I hold everything up to `last`).
    Ack { session: u64, last: Zxid },
    /// Leader: COMMIT everything up to `zxid`.
    Commit { session: u64, seq: u64, zxid: Zxid },
    /// Leader: PING.
    Ping { session: u64, seq: u64 },
}

impl ZabMsg {
    fn seq(&self) -> Option<(u64, u64)> {
        match *self {
            ZabMsg::NewEpoch { session, seq, .. }
            | ZabMsg::NewLeader { session, seq, .. }
            | ZabMsg::UpToDate { session, seq, .. }
            | ZabMsg::Propose { session, seq, .. }
            | ZabMsg::Commit { session, seq, .. }
            | ZabMsg::Ping { session, seq } => Some((session, seq)),
            _ => None,
        }
    }
}

impl Message for ZabMsg {
    fn kind(&self) -> &'static str {
        match self {
            ZabMsg::Notification { .. } => "Notification",
            ZabMsg::FollowerInfo { .. } => "FollowerInfo",
            ZabMsg::NewEpoch { .. } => "NewEpoch",
            ZabMsg::AckEpoch { .. } => "AckEpoch",
            ZabMsg::NewLeader { .. } => "NewLeader",
            ZabMsg::AckNewLeader { .. } => "AckNewLeader",
            ZabMsg::UpToDate { .. } => "UpToDate",
            ZabMsg::Propose { .. } => "Propose",
            ZabMsg::Ack { .. } => "Ack",
            ZabMsg::Commit { .. } => "Commit",
            ZabMsg::Ping { .. } => "Ping",
        }
    }
    fn describe(&self) -> String {
        match self {
            ZabMsg::Notification { vote, round, state } => format!(
                "vote S{} ({}, {}) in round {round}, {:?}",
                vote.leader, vote.epoch, vote.zxid, state
            ),
            ZabMsg::FollowerInfo { accepted_epoch, .. } => {
                format!("FollowerInfo(acceptedEpoch {accepted_epoch})")
            }
            ZabMsg::NewEpoch { epoch, .. } => format!("NewEpoch({epoch})"),
            ZabMsg::AckEpoch {
                epoch,
                current_epoch,
                last,
                ..
            } => match current_epoch {
                Some(c) => format!("AckEpoch({epoch}; currentEpoch {c}, last {last})"),
                None => format!("AckEpoch({epoch}; already accepted, not counted; last {last})"),
            },
            ZabMsg::NewLeader { epoch, sync, .. } => match sync {
                SyncMode::Diff(t) => format!("NewLeader({epoch}) DIFF +{}", t.len()),
                SyncMode::Trunc(z, t) => format!("NewLeader({epoch}) TRUNC to {z} +{}", t.len()),
                SyncMode::Snap(t) => format!("NewLeader({epoch}) SNAP {}", t.len()),
            },
            ZabMsg::AckNewLeader { last, .. } => format!("AckNewLeader(last {last})"),
            ZabMsg::UpToDate { committed, .. } => format!("UpToDate(committed {committed})"),
            ZabMsg::Propose { txn, .. } => format!("Propose({} {})", txn.zxid, txn.cmd),
            ZabMsg::Ack { last, .. } => format!("Ack({last})"),
            ZabMsg::Commit { zxid, .. } => format!("Commit(up to {zxid})"),
            ZabMsg::Ping { .. } => "ping".into(),
        }
    }
}

/// Timers of a Zab node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZabTimer {
    /// Looking: resend notifications.
    Election,
    /// Looking: the finalize wait is over.
    Finalize,
    /// Following: no in-order word from the leader.
    Follower,
    /// Leading: ping and check the quorum.
    Tick,
}

impl TimerInfo for ZabTimer {
    fn name(&self) -> &'static str {
        match self {
            ZabTimer::Election => "election timer",
            ZabTimer::Finalize => "finalize wait",
            ZabTimer::Follower => "follower timeout",
            ZabTimer::Tick => "tick",
        }
    }
    fn shown_as_ring(&self) -> bool {
        matches!(self, ZabTimer::Election | ZabTimer::Follower)
    }
}

/// What survives a crash.
#[derive(Clone, Debug, Default)]
pub struct ZabDurable {
    /// The last epoch this node agreed to (NEWEPOCH).
    pub accepted_epoch: u64,
    /// The epoch of the last NEWLEADER it accepted.
    pub current_epoch: u64,
    /// The transaction log.
    pub history: Vec<Txn>,
    /// How many history entries were delivered (a snapshot of the state machine).
    pub delivered: usize,
}

/// The phase a node is in, as the view names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Leader election.
    Election,
    /// Phase 1.
    Discovery,
    /// Phase 2.
    Sync,
    /// Phase 3.
    Broadcast,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Election => "election",
            Phase::Discovery => "discovery",
            Phase::Sync => "synchronization",
            Phase::Broadcast => "broadcast",
        }
    }
}

#[derive(Clone, Debug)]
struct Peer {
    session: u64,
    seq: u64,
    accepted_epoch: u64,
    /// The follower's AckEpoch: its last zxid, and whether it counts
    /// towards the discovery quorum (a fresh acceptance of this epoch).
    ack_epoch: Option<(Zxid, bool)>,
    synced: bool,
    acked: Zxid,
    heard: Time,
}

#[derive(Clone, Debug)]
struct Lead {
    epoch: u64,
    peers: BTreeMap<NodeId, Peer>,
    started: Time,
    counter: u64,
    pending: BTreeMap<Zxid, RequestId>,
}

#[derive(Clone, Debug)]
struct Follow {
    leader: NodeId,
    session: u64,
    expect: u64,
    buffer: BTreeMap<u64, ZabMsg>,
}

/// What a node did in its latest handler, for the checker.
#[derive(Clone, Debug, Default)]
pub struct Recent {
    /// A transaction this node proposed as leader of its epoch.
    pub broadcast: Option<Txn>,
    /// Transactions delivered, in order, and the number delivered before them.
    pub delivered: Vec<Txn>,
    /// How many were delivered before this handler.
    pub delivered_before: usize,
    /// A synchronisation changed an already delivered transaction.
    pub rewrote_delivered: Option<String>,
}

/// One Zab node.
#[derive(Clone, Debug)]
pub struct Zab {
    id: NodeId,
    peers: Vec<NodeId>,
    cfg: ZabConfig,
    accepted_epoch: u64,
    current_epoch: u64,
    history: Vec<Txn>,
    delivered: usize,
    kv: BTreeMap<Key, u32>,
    phase: Phase,
    round: u64,
    vote: Vote,
    recv: BTreeMap<NodeId, Vote>,
    out_of_election: BTreeMap<NodeId, (Vote, Announce)>,
    lead: Option<Lead>,
    follow: Option<Follow>,
    sessions: u64,
    now: Time,
    recent: Recent,
    replies: Vec<(RequestId, u64)>,
    /// FollowerInfos that arrived while this node was still deciding its
    /// election: a TCP connection waiting in the accept queue until the
    /// node leads (or closed when it follows instead).
    early: BTreeMap<NodeId, ZabMsg>,
}

type ZabOut = Out<ZabMsg, ZabTimer>;

impl Zab {
    /// The phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }
    /// Is this node leading?
    pub fn is_leading(&self) -> bool {
        self.lead.is_some()
    }
    /// The leader this node follows.
    pub fn following(&self) -> Option<NodeId> {
        self.follow.as_ref().map(|f| f.leader)
    }
    /// acceptedEpoch.
    pub fn accepted_epoch(&self) -> u64 {
        self.accepted_epoch
    }
    /// currentEpoch.
    pub fn current_epoch(&self) -> u64 {
        self.current_epoch
    }
    /// The history.
    pub fn history(&self) -> &[Txn] {
        &self.history
    }
    /// How many history entries were delivered.
    pub fn delivered(&self) -> usize {
        self.delivered
    }
    /// The delivered key-value state.
    pub fn kv(&self) -> &BTreeMap<Key, u32> {
        &self.kv
    }
    /// What the latest handler did (checker input).
    pub fn recent(&self) -> &Recent {
        &self.recent
    }

    fn quorum(&self) -> usize {
        let cluster = self.peers.len() + 1;
        cluster / 2 + 1
    }
    fn last_zxid(&self) -> Zxid {
        self.history.last().map(|t| t.zxid).unwrap_or_default()
    }
    fn self_vote(&self) -> Vote {
        Vote {
            epoch: self.current_epoch,
            zxid: self.last_zxid(),
            leader: self.id,
        }
    }
    fn announce(&self) -> Announce {
        if self.lead.is_some() {
            Announce::Leading
        } else if self.follow.is_some() {
            Announce::Following
        } else {
            Announce::Looking
        }
    }
    fn notification(&self) -> ZabMsg {
        ZabMsg::Notification {
            vote: self.vote,
            round: self.round,
            state: self.announce(),
        }
    }

    fn begin_handler(&mut self, out: &ZabOut) {
        self.now = out.now();
        self.recent = Recent {
            delivered_before: self.delivered,
            ..Recent::default()
        };
    }

    /// Deliver history entries up to and including `upto`.
    fn deliver_upto(&mut self, upto: Zxid) {
        while let Some(t) = self.history.get(self.delivered).copied() {
            if t.zxid > upto {
                break;
            }
            self.delivered += 1;
            self.kv.insert(t.cmd.key, t.cmd.value);
            self.recent.delivered.push(t);
            if let Some(req) = self.lead.as_mut().and_then(|l| l.pending.remove(&t.zxid)) {
                // Replies go out after the loop (borrowing rules); collect here.
                self.replies.push((req, self.delivered as u64));
            }
        }
    }

    // ---- election ----------------------------------------------------------

    fn go_looking(&mut self, why: &str, out: &mut ZabOut) {
        let id = self.id;
        out.note(|| format!("S{id} goes back to LOOKING: {why}"));
        if let Some(l) = self.lead.take() {
            for (_, req) in l.pending {
                out.reply(req, Reply::Unknown);
            }
        }
        self.follow = None;
        self.early.clear();
        self.phase = Phase::Election;
        self.round += 1;
        self.vote = self.self_vote();
        self.recv.clear();
        self.out_of_election.clear();
        self.recv.insert(self.id, self.vote);
        out.cancel_timer(ZabTimer::Follower);
        out.cancel_timer(ZabTimer::Tick);
        out.cancel_timer(ZabTimer::Finalize);
        self.broadcast(self.notification(), out);
        self.arm_election(out);
        if self.quorum() == 1 {
            // Alone: its own vote is a quorum.
            out.set_timer(
                ZabTimer::Finalize,
                self.cfg.finalize_wait,
                self.cfg.finalize_wait,
            );
        }
    }

    fn arm_election(&self, out: &mut ZabOut) {
        out.set_timer(
            ZabTimer::Election,
            self.cfg.follower_timeout_min,
            self.cfg.follower_timeout_max,
        );
    }

    fn broadcast(&self, msg: ZabMsg, out: &mut ZabOut) {
        for &p in &self.peers {
            out.send(p, msg.clone());
        }
    }

    fn on_notification(
        &mut self,
        from: NodeId,
        vote: Vote,
        round: u64,
        state: Announce,
        out: &mut ZabOut,
    ) {
        if self.phase != Phase::Election {
            if state == Announce::Looking {
                out.send(from, self.notification());
            }
            return;
        }
        match state {
            Announce::Looking => {
                if round > self.round {
                    self.round = round;
                    self.recv.clear();
                    self.vote = self.self_vote().max(vote);
                    self.broadcast(self.notification(), out);
                } else if round < self.round {
                    out.send(from, self.notification());
                    return;
                } else if vote > self.vote {
                    self.vote = vote;
                    self.broadcast(self.notification(), out);
                }
                self.recv.insert(from, vote);
                self.recv.insert(self.id, self.vote);
                let agree = self.recv.values().filter(|v| **v == self.vote).count();
                if agree >= self.quorum() {
                    out.set_timer(
                        ZabTimer::Finalize,
                        self.cfg.finalize_wait,
                        self.cfg.finalize_wait,
                    );
                }
            }
            Announce::Following | Announce::Leading => {
                self.out_of_election.insert(from, (vote, state));
                let leader = vote.leader;
                let leader_says =
                    self.out_of_election.get(&leader).map(|(_, s)| *s) == Some(Announce::Leading);
                let claims = self
                    .out_of_election
                    .values()
                    .filter(|(v, _)| v.leader == leader && v.epoch == vote.epoch)
                    .count();
                if leader_says && claims + 1 >= self.quorum() && leader != self.id {
                    self.round = self.round.max(round);
                    self.vote = vote;
                    self.start_following(leader, out);
                }
            }
        }
    }

    fn finalize(&mut self, out: &mut ZabOut) {
        if self.phase != Phase::Election {
            return;
        }
        let agree = self.recv.values().filter(|v| **v == self.vote).count();
        if agree < self.quorum() {
            return;
        }
        if self.vote.leader == self.id {
            self.start_leading(out);
        } else {
            self.start_following(self.vote.leader, out);
        }
    }

    // ---- follower ----------------------------------------------------------

    fn start_following(&mut self, leader: NodeId, out: &mut ZabOut) {
        self.sessions += 1;
        // Unique across restarts (the counter is volatile, time is not): a
        // restarted follower must never accept its old session's stream.
        let session = (self.now << 10) | ((self.sessions % 64) << 4) | u64::from(self.id);
        self.follow = Some(Follow {
            leader,
            session,
            expect: 0,
            buffer: BTreeMap::new(),
        });
        self.phase = Phase::Discovery;
        self.early.clear();
        out.cancel_timer(ZabTimer::Election);
        out.cancel_timer(ZabTimer::Finalize);
        let id = self.id;
        out.note(|| format!("S{id} follows S{leader}"));
        out.send(
            leader,
            ZabMsg::FollowerInfo {
                accepted_epoch: self.accepted_epoch,
                session,
            },
        );
        self.arm_follower(out);
    }

    fn arm_follower(&self, out: &mut ZabOut) {
        out.set_timer(
            ZabTimer::Follower,
            self.cfg.follower_timeout_min,
            self.cfg.follower_timeout_max,
        );
    }

    /// A leader-to-follower message: buffer it and process the stream in order.
    fn on_stream(&mut self, from: NodeId, msg: ZabMsg, out: &mut ZabOut) {
        let Some((session, seq)) = msg.seq() else {
            return;
        };
        let Some(f) = self.follow.as_mut() else {
            return;
        };
        if f.leader != from || f.session != session || seq < f.expect {
            return;
        }
        f.buffer.insert(seq, msg);
        loop {
            let Some(f) = self.follow.as_mut() else {
                return;
            };
            let expect = f.expect;
            let Some(m) = f.buffer.remove(&expect) else {
                break;
            };
            f.expect += 1;
            self.arm_follower(out);
            self.follower_step(from, session, m, out);
        }
    }

    fn follower_step(&mut self, leader: NodeId, session: u64, msg: ZabMsg, out: &mut ZabOut) {
        let id = self.id;
        match msg {
            ZabMsg::NewEpoch { epoch, .. } => {
                // Zab §IV-A, phase 1: acknowledge only an epoch above every
                // one accepted before. ZooKeeper answers an equal epoch with
                // -1, which the leader syncs but does not count; a lower one
                // ends the session.
                if epoch < self.accepted_epoch {
                    self.go_looking("offered an epoch older than one it accepted", out);
                    return;
                }
                let fresh = epoch > self.accepted_epoch
                    || self.cfg.bug == Some(ZabBug::CountRepeatedEpochAck);
                self.accepted_epoch = epoch;
                self.phase = Phase::Sync;
                if !fresh {
                    out.note(|| {
                        format!(
                            "S{id} already accepted epoch {epoch}: acks it with -1 (not counted)"
                        )
                    });
                }
                out.send(
                    leader,
                    ZabMsg::AckEpoch {
                        session,
                        epoch,
                        current_epoch: fresh.then_some(self.current_epoch),
                        last: self.last_zxid(),
                    },
                );
            }
            ZabMsg::NewLeader { epoch, sync, .. } => {
                // Phase 2: accept NEWLEADER(e') only if acceptedEpoch = e'.
                if epoch != self.accepted_epoch {
                    self.go_looking("NewLeader's epoch is not the one it accepted", out);
                    return;
                }
                let before: Vec<Txn> =
                    self.history[..self.delivered.min(self.history.len())].to_vec();
                let how = match sync {
                    SyncMode::Diff(txns) => {
                        let last = self.last_zxid();
                        self.history
                            .extend(txns.into_iter().filter(|t| t.zxid > last));
                        "DIFF"
                    }
                    SyncMode::Trunc(to, txns) => {
                        if to != Zxid::default() && !self.history.iter().any(|t| t.zxid == to) {
                            // ZooKeeper's truncateLog fails when the zxid is
                            // not in the log; the follower gives up the session.
                            self.go_looking("cannot truncate to a zxid it does not hold", out);
                            return;
                        }
                        self.history.retain(|t| t.zxid <= to);
                        self.history.extend(txns);
                        "TRUNC"
                    }
                    SyncMode::Snap(txns) => {
                        self.history = txns;
                        "SNAP"
                    }
                };
                if self.history.len() < before.len() || self.history[..before.len()] != before[..] {
                    self.recent.rewrote_delivered = Some(format!(
                        "S{id}'s {how} from S{leader} changed transactions it had already delivered"
                    ));
                    // Only a broken leader gets here; keep the count within the history.
                    self.delivered = self.delivered.min(self.history.len());
                }
                self.current_epoch = epoch;
                out.note(|| format!("S{id} syncs with S{leader} by {how}; currentEpoch = {epoch}"));
                out.send(
                    leader,
                    ZabMsg::AckNewLeader {
                        session,
                        last: self.last_zxid(),
                    },
                );
            }
            ZabMsg::UpToDate { committed, .. } => {
                self.phase = Phase::Broadcast;
                self.deliver_upto(committed);
            }
            ZabMsg::Propose { txn, .. } => {
                if txn.zxid > self.last_zxid() {
                    self.history.push(txn);
                }
                out.send(
                    leader,
                    ZabMsg::Ack {
                        session,
                        last: self.last_zxid(),
                    },
                );
            }
            ZabMsg::Commit { zxid, .. } => self.deliver_upto(zxid),
            ZabMsg::Ping { .. } => out.send(
                leader,
                ZabMsg::Ack {
                    session,
                    last: self.last_zxid(),
                },
            ),
            _ => {}
        }
    }

    // ---- leader ------------------------------------------------------------

    fn start_leading(&mut self, out: &mut ZabOut) {
        self.phase = Phase::Discovery;
        self.follow = None;
        self.lead = Some(Lead {
            epoch: 0,
            peers: BTreeMap::new(),
            started: self.now,
            counter: 0,
            pending: BTreeMap::new(),
        });
        out.cancel_timer(ZabTimer::Election);
        out.cancel_timer(ZabTimer::Finalize);
        let id = self.id;
        out.note(|| format!("S{id} leads; waiting for a quorum of followers"));
        out.set_timer(ZabTimer::Tick, self.cfg.tick, self.cfg.tick);
        // A looking node may now join us: say so.
        self.broadcast(self.notification(), out);
        for (from, msg) in std::mem::take(&mut self.early) {
            self.leader_message(from, msg, out);
        }
        if self.quorum() == 1 {
            // Alone, it is its own quorum in every phase.
            let epoch = self.accepted_epoch + 1;
            self.accepted_epoch = epoch;
            self.current_epoch = epoch;
            if let Some(l) = self.lead.as_mut() {
                l.epoch = epoch;
            }
            self.establish(out);
        }
    }

    fn send_to(&mut self, to: NodeId, make: impl FnOnce(u64, u64) -> ZabMsg, out: &mut ZabOut) {
        let Some(p) = self.lead.as_mut().and_then(|l| l.peers.get_mut(&to)) else {
            return;
        };
        let msg = make(p.session, p.seq);
        p.seq += 1;
        out.send(to, msg);
    }

    /// Send to every follower past AckEpoch (the leader's forwarding set),
    /// each on its own FIFO stream.
    fn send_to_followers(&mut self, make: impl Fn(u64, u64) -> ZabMsg, out: &mut ZabOut) {
        let ids: Vec<NodeId> = self
            .lead
            .as_ref()
            .map(|l| {
                l.peers
                    .iter()
                    .filter(|(_, p)| p.ack_epoch.is_some())
                    .map(|(&k, _)| k)
                    .collect()
            })
            .unwrap_or_default();
        for p in ids {
            self.send_to(p, &make, out);
        }
    }

    fn leader_message(&mut self, from: NodeId, msg: ZabMsg, out: &mut ZabOut) {
        let quorum = self.quorum();
        let now = self.now;
        let Some(l) = self.lead.as_mut() else {
            if self.phase == Phase::Election && matches!(msg, ZabMsg::FollowerInfo { .. }) {
                // A follower decided before us: hold its connection until
                // our own finalize wait ends.
                self.early.insert(from, msg);
            }
            return;
        };
        match msg {
            ZabMsg::FollowerInfo {
                accepted_epoch,
                session,
            } => {
                l.peers.insert(
                    from,
                    Peer {
                        session,
                        seq: 0,
                        accepted_epoch,
                        ack_epoch: None,
                        synced: false,
                        acked: Zxid::default(),
                        heard: now,
                    },
                );
                if self.phase == Phase::Discovery && l.epoch == 0 {
                    if l.peers.len() + 1 >= quorum {
                        let epoch = l
                            .peers
                            .values()
                            .map(|p| p.accepted_epoch)
                            .fold(self.accepted_epoch, u64::max)
                            + 1;
                        l.epoch = epoch;
                        self.accepted_epoch = epoch;
                        let id = self.id;
                        out.note(|| format!("S{id} proposes epoch {epoch}"));
                        let ids: Vec<NodeId> = l.peers.keys().copied().collect();
                        for p in ids {
                            self.send_to(
                                p,
                                |session, seq| ZabMsg::NewEpoch {
                                    session,
                                    seq,
                                    epoch,
                                },
                                out,
                            );
                        }
                    }
                } else if l.epoch > 0 {
                    let epoch = l.epoch;
                    self.send_to(
                        from,
                        |session, seq| ZabMsg::NewEpoch {
                            session,
                            seq,
                            epoch,
                        },
                        out,
                    );
                }
            }
            ZabMsg::AckEpoch {
                session,
                epoch,
                current_epoch,
                last,
            } => {
                let mine = (self.current_epoch, self.last_zxid());
                let Some(l) = self.lead.as_mut() else {
                    return;
                };
                let Some(p) = l.peers.get_mut(&from) else {
                    return;
                };
                if p.session != session || epoch != l.epoch || p.ack_epoch.is_some() {
                    return;
                }
                p.ack_epoch = Some((last, current_epoch.is_some()));
                p.heard = now;
                if current_epoch.is_some_and(|c| (c, last) > mine) {
                    self.go_looking("a follower is more up to date than its leader", out);
                    return;
                }
                // Only fresh acceptances of this epoch count (ZooKeeper's
                // waitForEpochAck skips the -1 acks).
                let acked = l
                    .peers
                    .values()
                    .filter(|p| p.ack_epoch.is_some_and(|(_, counts)| counts))
                    .count();
                if self.phase == Phase::Discovery {
                    if acked + 1 >= quorum {
                        self.current_epoch = l.epoch;
                        self.phase = Phase::Sync;
                        let ready: Vec<NodeId> = l
                            .peers
                            .iter()
                            .filter(|(_, p)| p.ack_epoch.is_some())
                            .map(|(&k, _)| k)
                            .collect();
                        for p in ready {
                            self.sync_follower(p, out);
                        }
                        if self.cfg.bug == Some(ZabBug::BroadcastBeforeSync) {
                            self.establish(out);
                        }
                    }
                } else {
                    self.sync_follower(from, out);
                }
            }
            ZabMsg::AckNewLeader { session, last } => {
                let Some(p) = l.peers.get_mut(&from) else {
                    return;
                };
                if p.session != session {
                    return;
                }
                p.synced = true;
                p.acked = p.acked.max(last);
                p.heard = now;
                let synced = l.peers.values().filter(|p| p.synced).count();
                if self.phase == Phase::Sync && synced + 1 >= quorum {
                    self.establish(out);
                } else if self.phase == Phase::Broadcast {
                    self.try_commit(out);
                }
            }
            ZabMsg::Ack { session, last } => {
                let Some(p) = l.peers.get_mut(&from) else {
                    return;
                };
                if p.session != session {
                    return;
                }
                p.heard = now;
                if p.synced {
                    p.acked = p.acked.max(last);
                    self.try_commit(out);
                }
            }
            _ => {}
        }
    }

    /// Phase 2 for one follower: DIFF, TRUNC or SNAP against our history.
    fn sync_follower(&mut self, to: NodeId, out: &mut ZabOut) {
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        let Some((last, _)) = l.peers.get(&to).and_then(|p| p.ack_epoch) else {
            return;
        };
        let epoch = l.epoch;
        let sync = if self.cfg.bug == Some(ZabBug::BroadcastBeforeSync) {
            SyncMode::Diff(Vec::new())
        } else if last == Zxid::default() {
            SyncMode::Diff(self.history.clone())
        } else if let Some(pos) = self.history.iter().position(|t| t.zxid == last) {
            SyncMode::Diff(self.history[pos + 1..].to_vec())
        } else if let Some(pos) = self.history.iter().rposition(|t| t.zxid < last) {
            // The follower holds a tail we never committed (of its epoch or
            // a later one that never established): as ZooKeeper's
            // LearnerHandler.syncFollower does, TRUNC to the last zxid we
            // share below it, then DIFF.
            SyncMode::Trunc(self.history[pos].zxid, self.history[pos + 1..].to_vec())
        } else {
            SyncMode::Snap(self.history.clone())
        };
        self.send_to(
            to,
            |session, seq| ZabMsg::NewLeader {
                session,
                seq,
                epoch,
                sync,
            },
            out,
        );
        if self.phase == Phase::Broadcast {
            let committed = self.committed_zxid();
            self.send_to(
                to,
                |session, seq| ZabMsg::UpToDate {
                    session,
                    seq,
                    committed,
                },
                out,
            );
        }
    }

    fn committed_zxid(&self) -> Zxid {
        self.delivered
            .checked_sub(1)
            .and_then(|i| self.history.get(i))
            .map(|t| t.zxid)
            .unwrap_or_default()
    }

    /// A quorum holds the new epoch's initial history: commit it and broadcast.
    fn establish(&mut self, out: &mut ZabOut) {
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        let epoch = l.epoch;
        self.phase = Phase::Broadcast;
        out.became_leader(epoch);
        let id = self.id;
        out.note(|| format!("S{id} established epoch {epoch}: commits its initial history"));
        let last = self.last_zxid();
        self.deliver_upto(last);
        self.flush_replies(out);
        let committed = self.committed_zxid();
        self.send_to_followers(
            |session, seq| ZabMsg::UpToDate {
                session,
                seq,
                committed,
            },
            out,
        );
    }

    fn try_commit(&mut self, out: &mut ZabOut) {
        let quorum = self.quorum();
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        let mut upto = None;
        for t in self.history.get(self.delivered..).unwrap_or_default() {
            let acks = 1 + l
                .peers
                .values()
                .filter(|p| p.synced && p.acked >= t.zxid)
                .count();
            if acks >= quorum {
                upto = Some(t.zxid);
            } else {
                break;
            }
        }
        let Some(z) = upto else {
            return;
        };
        self.deliver_upto(z);
        self.flush_replies(out);
        self.send_to_followers(
            |session, seq| ZabMsg::Commit {
                session,
                seq,
                zxid: z,
            },
            out,
        );
    }

    fn flush_replies(&mut self, out: &mut ZabOut) {
        for (req, index) in std::mem::take(&mut self.replies) {
            out.reply(req, Reply::Ok { index });
        }
    }

    fn leader_tick(&mut self, out: &mut ZabOut) {
        let (quorum, now) = (self.quorum(), self.now);
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        if self.phase != Phase::Broadcast && now.saturating_sub(l.started) > self.cfg.init_limit {
            self.go_looking("no quorum of followers within initLimit", out);
            return;
        }
        if self.phase == Phase::Broadcast {
            let alive = l
                .peers
                .values()
                .filter(|p| p.synced && now.saturating_sub(p.heard) <= self.cfg.sync_limit)
                .count();
            if alive + 1 < quorum {
                self.go_looking("lost contact with a quorum (syncLimit)", out);
                return;
            }
        }
        self.send_to_followers(|session, seq| ZabMsg::Ping { session, seq }, out);
        out.set_timer(ZabTimer::Tick, self.cfg.tick, self.cfg.tick);
    }
}

impl Protocol for Zab {
    type Config = ZabConfig;
    type Msg = ZabMsg;
    type Timer = ZabTimer;
    type Durable = ZabDurable;
    const NAME: &'static str = "zab";
    const TRANSPORT: Transport = Transport::Connection;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &ZabConfig,
        durable: Option<ZabDurable>,
        out: &mut ZabOut,
    ) -> Self {
        let d = durable.unwrap_or_default();
        let mut kv = BTreeMap::new();
        for t in &d.history[..d.delivered.min(d.history.len())] {
            kv.insert(t.cmd.key, t.cmd.value);
        }
        let mut node = Zab {
            id,
            peers: peers.to_vec(),
            cfg: cfg.clone(),
            accepted_epoch: d.accepted_epoch,
            current_epoch: d.current_epoch,
            delivered: d.delivered.min(d.history.len()),
            history: d.history,
            kv,
            phase: Phase::Election,
            round: 0,
            vote: Vote::default(),
            recv: BTreeMap::new(),
            out_of_election: BTreeMap::new(),
            lead: None,
            follow: None,
            sessions: 0,
            now: out.now(),
            recent: Recent::default(),
            replies: Vec::new(),
            early: BTreeMap::new(),
        };
        node.recent.delivered_before = node.delivered;
        node.go_looking("just started", out);
        node
    }

    fn on_message(&mut self, from: NodeId, msg: ZabMsg, out: &mut ZabOut) {
        self.begin_handler(out);
        match msg {
            ZabMsg::Notification { vote, round, state } => {
                self.on_notification(from, vote, round, state, out)
            }
            m if m.seq().is_some() => self.on_stream(from, m, out),
            m => self.leader_message(from, m, out),
        }
    }

    fn on_timer(&mut self, timer: ZabTimer, out: &mut ZabOut) {
        self.begin_handler(out);
        match timer {
            ZabTimer::Election => {
                if self.phase == Phase::Election {
                    self.broadcast(self.notification(), out);
                    self.arm_election(out);
                }
            }
            ZabTimer::Finalize => self.finalize(out),
            ZabTimer::Follower => {
                if self.follow.is_some() {
                    self.go_looking("no word from its leader", out);
                }
            }
            ZabTimer::Tick => self.leader_tick(out),
        }
    }

    fn on_request(&mut self, req: Request, out: &mut ZabOut) {
        self.begin_handler(out);
        let leading = self.lead.is_some() && self.phase == Phase::Broadcast;
        if !leading {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: self.following(),
                },
            );
            return;
        }
        let Some(l) = self.lead.as_mut() else {
            return;
        };
        l.counter += 1;
        let txn = Txn {
            zxid: Zxid {
                epoch: l.epoch,
                counter: l.counter,
            },
            cmd: req.cmd,
        };
        l.pending.insert(txn.zxid, req.id);
        self.history.push(txn);
        self.recent.broadcast = Some(txn);
        self.send_to_followers(|session, seq| ZabMsg::Propose { session, seq, txn }, out);
        self.try_commit(out);
    }

    fn on_action(&mut self, id: &str, out: &mut ZabOut) {
        if id == "timeout" {
            self.force_timeout(out);
        }
    }

    fn durable(&self) -> ZabDurable {
        ZabDurable {
            accepted_epoch: self.accepted_epoch,
            current_epoch: self.current_epoch,
            history: self.history.clone(),
            delivered: self.delivered,
        }
    }

    fn leads(&self) -> Option<u64> {
        (self.lead.is_some() && self.phase == Phase::Broadcast).then_some(self.current_epoch)
    }

    fn outcome(&self, index: u64) -> Outcome {
        match index
            .checked_sub(1)
            .and_then(|i| self.history.get(i as usize))
        {
            Some(t) if index as usize <= self.delivered => Outcome::Committed(Some(t.cmd)),
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let skip = self.history.len().saturating_sub(max);
        let log = self
            .history
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(i, t)| EntryView {
                term: t.zxid.epoch,
                text: t.cmd.to_string(),
                committed: i < self.delivered,
                tag: t.zxid.to_string(),
                mark: "",
            })
            .collect();
        let role = match self.announce() {
            Announce::Looking => "looking",
            Announce::Following => "following",
            Announce::Leading => "leading",
        };
        let mut details = vec![
            format!("phase: {}", self.phase.as_str()),
            format!("acceptedEpoch {}", self.accepted_epoch),
            format!("last zxid {}", self.last_zxid()),
        ];
        if self.phase == Phase::Election {
            details.push(format!(
                "round {}: votes S{} ({}, {})",
                self.round, self.vote.leader, self.vote.epoch, self.vote.zxid
            ));
        }
        let sm: Vec<String> = self.kv.iter().map(|(k, v)| format!("{k}={v}")).collect();
        NodeView {
            id: self.id,
            up: true,
            role,
            term: self.current_epoch,
            leading: self.lead.is_some() && self.phase == Phase::Broadcast,
            headline: format!("epoch {}", self.current_epoch),
            subline: match (self.phase, self.following()) {
                (Phase::Election, _) => format!("vote S{}", self.vote.leader),
                (p, Some(l)) => format!("{} S{l}", short(p)),
                (p, None) => short(p).to_string(),
            },
            badge: String::new(),
            details,
            log,
            log_offset: skip as u64,
            commit_index: self.delivered as u64,
            progress: Vec::new(),
            state_machine: sm.join(" "),
        }
    }
}

fn short(p: Phase) -> &'static str {
    match p {
        Phase::Election => "election",
        Phase::Discovery => "discover",
        Phase::Sync => "sync",
        Phase::Broadcast => "bcast",
    }
}

impl Zab {
    /// The user forced this node's main timeout.
    fn force_timeout(&mut self, out: &mut ZabOut) {
        self.begin_handler(out);
        self.go_looking("forced by the user", out);
    }
}
