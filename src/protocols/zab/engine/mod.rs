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

mod election;
mod follower;
mod leader;
mod messages;

pub use messages::*;

use crate::protocol::Transport;
use crate::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, Protocol, Reply, Request, RequestId,
    TimerInfo,
};
use crate::protocols::common::{majority, render, Kv};
use crate::protocols::zab::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;
use serde::{Deserialize, Serialize};

/// Zab settings shared by every node.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Reads served at once by whichever server gets them, from the
    /// transactions it has delivered, as ZooKeeper serves them (its
    /// default; ZooKeeper promises sequential consistency for them, not
    /// linearizability: a follower behind the leader answers old data, for
    /// instance one cut off that has not yet noticed, until its timeout).
    /// Off here by default: reads then go through the broadcast.
    pub local_reads: bool,
    /// A follower answers a read after a `sync()`: it asks the leader, which
    /// answers once everything it had proposed is committed (the commits
    /// come first on the same channel). Fresher than a local read, but the
    /// leader answers without asking a quorum, so a deposed leader that does
    /// not know it yet lets a stale read through (ZooKeeper's documentation
    /// says as much of `sync`).
    pub sync_reads: bool,
    /// A deliberately broken variant; tests only.
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
            local_reads: false,
            sync_reads: false,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for ZabConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U64 tick,
            U64 follower_timeout_min,
            U64 follower_timeout_max,
            U64 sync_limit,
            U64 init_limit,
            U64 finalize_wait,
            NewBool local_reads,
            NewBool sync_reads,
        );
    }
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Txn {
    /// Its zxid.
    pub zxid: Zxid,
    /// The state change.
    pub cmd: Command,
}

/// A vote in fast leader election, ordered by (epoch, zxid, id).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Vote {
    /// The proposed leader's currentEpoch.
    pub epoch: u64,
    /// The proposed leader's last zxid.
    pub zxid: Zxid,
    /// The proposed leader.
    pub leader: NodeId,
}

/// A node's state as announced in election notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Announce {
    /// In an election.
    Looking,
    /// Following the vote's leader.
    Following,
    /// Leading.
    Leading,
}

/// How the leader synchronises a follower.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SyncMode {
    /// Append these transactions.
    Diff(Vec<Txn>),
    /// Cut everything after `to`, then append these.
    Trunc(Zxid, Vec<Txn>),
    /// Replace the whole history with this one.
    Snap(Vec<Txn>),
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
    peers: LiteMap<NodeId, Peer>,
    started: Time,
    counter: u64,
    pending: LiteMap<Zxid, RequestId>,
    /// Syncs waiting for their zxid to commit: (follower, read, zxid).
    syncs: Vec<(NodeId, RequestId, Zxid)>,
}

#[derive(Clone, Debug)]
struct Follow {
    leader: NodeId,
    session: u64,
    expect: u64,
    buffer: LiteMap<u64, ZabMsg>,
    /// Reads waiting for their sync.
    reads: LiteMap<RequestId, Command>,
}

/// What a node reports to the checker ([`Out::observe`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZabObs {
    /// It proposed `txn` as the primary of its epoch.
    Broadcast(Txn),
    /// It delivered `txn` as its delivery number `pos` (from 0).
    Delivered { pos: usize, txn: Txn },
    /// A synchronisation changed transactions it had already delivered.
    RewroteDelivered(String),
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
    kv: Kv,
    phase: Phase,
    round: u64,
    vote: Vote,
    recv: LiteMap<NodeId, Vote>,
    out_of_election: LiteMap<NodeId, (Vote, Announce)>,
    lead: Option<Lead>,
    follow: Option<Follow>,
    sessions: u64,
    now: Time,
    replies: Vec<(RequestId, Reply)>,
    /// FollowerInfos that arrived while this node was still deciding its
    /// election: a TCP connection waiting in the accept queue until the
    /// node leads (or closed when it follows instead).
    early: LiteMap<NodeId, ZabMsg>,
}

type ZabOut = Out<ZabMsg, ZabTimer, ZabObs>;

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
    pub fn kv(&self) -> &Kv {
        &self.kv
    }

    fn quorum(&self) -> usize {
        majority(self.peers.len() + 1)
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
    }

    /// Deliver history entries up to and including `upto`.
    fn deliver_upto(&mut self, upto: Zxid, out: &mut ZabOut) {
        while let Some(t) = self.history.get(self.delivered).copied() {
            if t.zxid > upto {
                break;
            }
            out.observe(ZabObs::Delivered {
                pos: self.delivered,
                txn: t,
            });
            self.delivered += 1;
            crate::protocols::common::apply(&mut self.kv, &t.cmd);
            if let Some(req) = self.lead.as_mut().and_then(|l| l.pending.remove(&t.zxid)) {
                // Replies go out after the loop (borrowing rules); collect here.
                let reply =
                    crate::protocols::common::answer(&self.kv, &t.cmd, self.delivered as u64);
                self.replies.push((req, reply));
            }
        }
    }
}

impl Protocol for Zab {
    type Config = ZabConfig;
    type Msg = ZabMsg;
    type Obs = ZabObs;
    type Timer = ZabTimer;
    type Durable = ZabDurable;
    const NAME: &'static str = "zab";
    const READS: bool = true;
    const TRANSPORT: Transport = Transport::Connection;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &ZabConfig,
        durable: Option<ZabDurable>,
        out: &mut ZabOut,
    ) -> Self {
        let d = durable.unwrap_or_default();
        let mut kv = LiteMap::new();
        for t in &d.history[..d.delivered.min(d.history.len())] {
            crate::protocols::common::apply(&mut kv, &t.cmd);
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
            recv: LiteMap::new(),
            out_of_election: LiteMap::new(),
            lead: None,
            follow: None,
            sessions: 0,
            now: out.now(),
            replies: Vec::new(),
            early: LiteMap::new(),
        };
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
        // ZooKeeper serves a read from a server that follows or leads an
        // established epoch; one that is LOOKING (or still synchronising)
        // serves nobody until it is back.
        if req.cmd.read && self.cfg.local_reads && self.phase == Phase::Broadcast {
            let reply = crate::protocols::common::answer(&self.kv, &req.cmd, self.delivered as u64);
            out.reply(req.id, reply);
            return;
        }
        if req.cmd.read && self.cfg.sync_reads && self.phase == Phase::Broadcast {
            if let Some(f) = self.follow.as_mut() {
                f.reads.insert(req.id, req.cmd);
                let (leader, session) = (f.leader, f.session);
                out.send(
                    leader,
                    ZabMsg::Sync {
                        session,
                        req: req.id,
                    },
                );
                return;
            }
        }
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
        out.observe(ZabObs::Broadcast(txn));
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
            Announce::Looking => role::LOOKING,
            Announce::Following => role::FOLLOWING,
            Announce::Leading => role::LEADING,
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
            state_machine: render(&self.kv),
            members: 0,
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
