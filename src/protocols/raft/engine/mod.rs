//! Raft, as in "In Search of an Understandable Consensus Algorithm (Extended
//! Version)", Ongaro & Ousterhout, 2014: section 5 and Figure 2.
//!
//! Each server is a follower, candidate or leader (§5.1). A follower whose
//! election timer (randomized from a range, §5.2) expires becomes a candidate:
//! it increments `currentTerm`, votes for itself and sends `RequestVote` to
//! every peer. A server grants at most one vote per term, and only to a
//! candidate whose log is at least as up-to-date as its own (§5.4.1). A
//! candidate with votes from a majority becomes leader; it sends
//! `AppendEntries` heartbeats, replicates client commands with the
//! consistency check on `prevLogIndex`/`prevLogTerm`, backs `nextIndex` off
//! on rejection and tracks `matchIndex` (§5.3). It advances `commitIndex` to
//! the highest index stored on a majority **whose entry is from its current
//! term** (§5.4.2, the lesson of Figure 8); entries of earlier terms commit
//! indirectly. A new leader appends a no-op so that it can commit promptly
//! (§8). Committed entries are applied in order to a key-value store.
//!
//! Any RPC carrying a higher term makes the receiver adopt it and become a
//! follower (§5.1). `currentTerm`, `votedFor` and the log are persistent
//! ([`RaftDurable`]); everything else is rebuilt after a crash.
//!
//! [`RaftBug`] holds deliberately broken variants that only tests select, to
//! prove that the checkers in [`crate::check::raft`] catch real bugs.

mod election;
mod membership;
mod messages;
mod reads;
mod replication;
mod rpc;

pub use membership::show_conf;
pub use messages::*;

use super::log::{Entry, Log};
use crate::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, PeerProgress, Protocol, Reply, Request,
    RequestId, TimerInfo,
};
use crate::protocols::common::{majority, render, Kv};
use crate::protocols::raft::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// Raft settings shared by all servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaftConfig {
    /// Lower bound of the randomized election timeout (µs). Paper: 150 ms.
    pub election_timeout_min: Time,
    /// Upper bound of the randomized election timeout (µs). Paper: 300 ms.
    pub election_timeout_max: Time,
    /// Interval between leader heartbeats (µs).
    pub heartbeat_interval: Time,
    /// Most entries carried by one AppendEntries.
    pub max_batch: usize,
    /// Append a no-op entry when elected (§8).
    pub noop_on_election: bool,
    /// §8 client serial numbers: the state machine remembers each command it
    /// executed (the app's command values are unique, so a command is its
    /// own serial number) and answers a retry without executing it again.
    pub client_serials: bool,
    /// Reads answered at once by whichever server gets them, from its own
    /// state machine, without the log or a check that it leads (what
    /// "follower reads" without ReadIndex amount to): fast, and stale. The
    /// configuration then no longer claims linearizable reads.
    pub local_reads: bool,
    /// ReadIndex (§8; Raft thesis §6.4): the leader notes its commit index,
    /// confirms with a heartbeat round that a majority still follows it,
    /// and answers once it has applied that far. No log entry; linearizable.
    pub read_index: bool,
    /// Lease reads (thesis §6.4.1): after a heartbeat round a majority
    /// acknowledged, the leader answers reads from its own state for 90 %
    /// of the minimum election timeout, by its own clock, trusting that no
    /// other leader can be elected sooner. Linearizable only while clocks
    /// run at nearly the same rate: a follower whose clock runs fast can
    /// elect a new leader inside the lease, and the old one reads stale.
    pub lease_reads: bool,
    /// Servers S1..S{voters} form the initial configuration; the others
    /// start outside it, with an empty configuration, until a leader adds
    /// them (thesis §4.1). 0: every server.
    pub voters: u32,
    /// A deliberately broken variant; tests only.
    pub bug: Option<RaftBug>,
}

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig {
            election_timeout_min: 150_000,
            election_timeout_max: 300_000,
            heartbeat_interval: 50_000,
            max_batch: 8,
            noop_on_election: true,
            client_serials: false,
            local_reads: false,
            read_index: false,
            lease_reads: false,
            voters: 0,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for RaftConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U64 election_timeout_min,
            U64 election_timeout_max,
            U64 heartbeat_interval,
            Usize max_batch,
            Bool noop_on_election,
            Bool client_serials,
            NewBool local_reads,
            NewBool read_index,
            NewBool lease_reads,
            NewU32 voters,
        );
    }
    /// Check settings read from a link or file; the message says what is wrong.
    fn check(&self) -> Result<(), String> {
        let ok = crate::protocols::common::intervals_ok(&[
            self.election_timeout_min,
            self.election_timeout_max,
            self.heartbeat_interval,
        ]) && self.election_timeout_min <= self.election_timeout_max
            && (1..=10_000).contains(&self.max_batch);
        ok.then_some(())
            .ok_or_else(|| "This scenario's Raft timing settings are out of range.".to_string())
    }
}

/// Deliberately wrong variants, used to show that the invariant checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftBug {
    /// Commit entries of previous terms by counting replicas (the Figure 8
    /// hazard that §5.4.2 forbids).
    CommitPreviousTermsByCount,
    /// Grant votes without the log up-to-date check of §5.4.1.
    VoteWithoutLogCheck,
    /// When commitIndex jumps by several entries, apply only the last one
    /// (lastApplied set straight to commitIndex instead of Figure 2's
    /// one-by-one "increment lastApplied, apply log[lastApplied]"): the logs
    /// agree, the state machines do not.
    ApplyOnlyLast,
    /// Answer reads at once from the leader's own state machine, without
    /// checking that it still leads (§8 requires that check, by a log entry
    /// or a heartbeat round): a deposed leader answers stale reads.
    LocalReads,
    /// Start a membership change before committing an entry of the
    /// leader's own term (the single-server change bug reported on
    /// raft-dev in 2015, fixed in the thesis' errata).
    ReconfigureBeforeCommit,
    /// Count commits in the configuration before the latest one, as if a
    /// configuration took effect only once committed (thesis §4.1 says
    /// from the moment it is appended).
    CommitInOldConfiguration,
}

/// A server's role (§5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Passive: answers leaders and candidates.
    Follower,
    /// Trying to become leader.
    Candidate,
    /// Handles client requests and replicates the log.
    Leader,
}

impl Role {
    /// The role's name as the UI and automation contract use it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Follower => role::FOLLOWER,
            Role::Candidate => role::CANDIDATE,
            Role::Leader => role::LEADER,
        }
    }
}

/// Persistent state on all servers (Figure 2), kept across crashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaftDurable {
    /// Latest term the server has seen.
    pub current_term: u64,
    /// Candidate that received the vote in the current term.
    pub voted_for: Option<NodeId>,
    /// The log.
    pub log: Log,
}

/// One Raft server.
#[derive(Clone, Debug)]
pub struct Raft {
    id: NodeId,
    peers: Vec<NodeId>,
    cfg: RaftConfig,
    // Persistent state (Figure 2).
    current_term: u64,
    voted_for: Option<NodeId>,
    log: Log,
    // Volatile state on all servers.
    commit_index: u64,
    last_applied: u64,
    role: Role,
    leader: Option<NodeId>,
    kv: Kv,
    /// §8: each command executed, with the index it was executed at.
    executed: LiteMap<Command, u64>,
    /// Booted from a durable log: commitIndex, being volatile, starts at 0
    /// until a leader says how far it reaches.
    recovered: bool,
    // Candidates.
    votes: Vec<NodeId>,
    // Volatile state on leaders, indexed by node id (index 0 unused).
    next_index: Vec<u64>,
    match_index: Vec<u64>,
    pending: Vec<(u64, u64, RequestId)>,
    /// Leaders: the heartbeat round (`seq` of AppendEntries), when each of
    /// the last rounds started by this server's clock, and the highest
    /// round each peer acknowledged (index = node id).
    round: u64,
    round_started: Vec<(u64, i64)>,
    acked: Vec<u64>,
    /// Leaders: until when (own clock) reads may be answered locally.
    lease_until: i64,
    /// Leaders: reads waiting for a heartbeat round and for the state
    /// machine (request, command, read index, round that confirms it).
    reads: Vec<(RequestId, Command, u64, u64)>,
    /// Thesis §4.1: the configuration in use (bit `i` for `Si`): the latest
    /// configuration entry in the log, committed or not, else the initial
    /// one; the one before it; the index of the latest entry (0: none).
    members: u32,
    prior: u32,
    conf_index: u64,
    initial: u32,
    /// Leaders: a membership change asked for and not yet appended.
    change: Option<membership::Change>,
    /// When (own clock) this server last heard from a current leader.
    heard: i64,
}

type RaftOut = Out<RaftMsg, RaftTimer>;

impl Raft {
    /// This server's role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// currentTerm.
    pub fn current_term(&self) -> u64 {
        self.current_term
    }
    /// votedFor.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    /// The log.
    pub fn log(&self) -> &Log {
        &self.log
    }
    /// commitIndex.
    pub fn commit_index(&self) -> u64 {
        self.commit_index
    }
    /// lastApplied.
    pub fn last_applied(&self) -> u64 {
        self.last_applied
    }
    /// The leader this server believes in, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    /// The applied key-value state.
    pub fn kv(&self) -> &Kv {
        &self.kv
    }
    /// Does the state machine skip commands it executed before (§8)?
    pub fn client_serials(&self) -> bool {
        self.cfg.client_serials
    }
    /// matchIndex for `peer` (leaders only; 0 otherwise).
    pub fn match_index(&self, peer: NodeId) -> u64 {
        self.match_index.get(peer as usize).copied().unwrap_or(0)
    }
    /// nextIndex for `peer` (leaders only; 0 otherwise).
    pub fn next_index(&self, peer: NodeId) -> u64 {
        self.next_index.get(peer as usize).copied().unwrap_or(0)
    }

    fn cluster_size(&self) -> usize {
        self.peers.len() + 1
    }
}
impl Protocol for Raft {
    type Config = RaftConfig;
    type Msg = RaftMsg;
    type Obs = ();
    type Timer = RaftTimer;
    type Durable = RaftDurable;
    const NAME: &'static str = "raft";
    const READS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &RaftConfig,
        durable: Option<RaftDurable>,
        out: &mut RaftOut,
    ) -> Self {
        let d = durable.unwrap_or(RaftDurable {
            current_term: 0,
            voted_for: None,
            log: Log::default(),
        });
        let recovered = !d.log.entries().is_empty();
        let n = peers.len() + 1;
        let initial = match cfg.voters as usize {
            v if v == 0 || v >= n => membership::all_servers(n),
            v if (id as usize) <= v => membership::all_servers(v),
            _ => 0, // joins later: no configuration yet
        };
        let mut node = Raft {
            id,
            peers: peers.to_vec(),
            cfg: cfg.clone(),
            current_term: d.current_term,
            voted_for: d.voted_for,
            log: d.log,
            commit_index: 0,
            last_applied: 0,
            role: Role::Follower,
            leader: None,
            kv: LiteMap::new(),
            executed: LiteMap::new(),
            recovered,
            votes: Vec::new(),
            next_index: Vec::new(),
            match_index: Vec::new(),
            pending: Vec::new(),
            round: 0,
            round_started: Vec::new(),
            acked: Vec::new(),
            lease_until: i64::MIN,
            reads: Vec::new(),
            members: initial,
            prior: initial,
            conf_index: 0,
            initial,
            change: None,
            heard: i64::MIN,
        };
        node.reconfigure();
        if node.members != 0 {
            node.reset_election_timer(out);
        }
        node
    }

    fn on_message(&mut self, from: NodeId, msg: RaftMsg, out: &mut RaftOut) {
        if matches!(msg, RaftMsg::RequestVote { .. }) && self.ignores_vote_request(from, out) {
            return;
        }
        self.observe_term(msg.term(), out);
        match msg {
            RaftMsg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => self.on_request_vote(from, term, last_log_index, last_log_term, out),
            RaftMsg::RequestVoteReply { term, vote_granted } => {
                if self.role == Role::Candidate
                    && term == self.current_term
                    && vote_granted
                    && !self.votes.contains(&from)
                {
                    self.votes.push(from);
                    if self.quorum(|p| self.votes.contains(&p)) {
                        self.become_leader(out);
                    }
                }
            }
            RaftMsg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                seq,
            } => self.on_append_entries(
                from,
                (term, seq),
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                out,
            ),
            RaftMsg::AppendEntriesReply {
                term,
                success,
                match_index,
                reject_prev,
                last_log_index,
                seq,
            } => {
                if self.role == Role::Leader && term == self.current_term {
                    self.on_round_ack(from, seq, out);
                    self.on_append_reply(
                        from,
                        success,
                        match_index,
                        reject_prev,
                        last_log_index,
                        out,
                    );
                }
            }
        }
    }

    fn on_timer(&mut self, timer: RaftTimer, out: &mut RaftOut) {
        match timer {
            RaftTimer::Election => {
                if self.role != Role::Leader && self.may_campaign() {
                    self.start_election(out);
                }
            }
            RaftTimer::Heartbeat => {
                if self.role == Role::Leader {
                    self.check_catch_up(out);
                    self.broadcast_append(out);
                    out.set_timer(
                        RaftTimer::Heartbeat,
                        self.cfg.heartbeat_interval,
                        self.cfg.heartbeat_interval,
                    );
                }
            }
        }
    }

    fn on_request(&mut self, req: Request, out: &mut RaftOut) {
        if req.cmd.read && self.cfg.local_reads {
            let reply = crate::protocols::common::answer(&self.kv, &req.cmd, self.last_applied);
            out.reply(req.id, reply);
            return;
        }
        if req.cmd.read && self.read_without_log(req, out) {
            return;
        }
        if self.role != Role::Leader {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: self.leader,
                },
            );
            return;
        }
        if req.cmd.read && self.cfg.bug == Some(RaftBug::LocalReads) {
            let reply = crate::protocols::common::answer(&self.kv, &req.cmd, self.commit_index);
            out.reply(req.id, reply);
            return;
        }
        if self.cfg.client_serials && !req.cmd.read {
            if let Some(&at) = self.executed.get(&req.cmd) {
                let id = self.id;
                out.note(|| {
                    format!("S{id}: {} was executed at index {at}; answers without running it again (§8)", req.cmd)
                });
                out.reply(req.id, Reply::Ok { index: at });
                return;
            }
        }
        let term = self.current_term;
        let idx = self.log.append(Entry::new(term, Some(req.cmd)));
        self.pending.push((idx, term, req.id));
        let id = self.id;
        out.note(|| format!("S{id} appends {} at index {idx} (term {term})", req.cmd));
        self.broadcast_append(out);
        self.advance_commit(out);
    }

    fn on_action(&mut self, id: &str, out: &mut RaftOut) {
        if id == "timeout" {
            self.force_timeout(out);
        }
        let change = id
            .strip_prefix("add-")
            .map(|k| (true, k))
            .or_else(|| id.strip_prefix("remove-").map(|k| (false, k)));
        if let Some((add, k)) = change {
            self.ask_change(add, k.parse().unwrap_or(0), out);
        }
    }

    fn durable(&self) -> RaftDurable {
        RaftDurable {
            current_term: self.current_term,
            voted_for: self.voted_for,
            log: self.log.clone(),
        }
    }

    fn leads(&self) -> Option<u64> {
        (self.role == Role::Leader).then_some(self.current_term)
    }

    fn outcome(&self, index: u64) -> Outcome {
        match self.log.get(index) {
            Some(e) if index <= self.commit_index => Outcome::Committed(e.cmd),
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let skip = self.log.entries().len().saturating_sub(max);
        let log = self
            .log
            .entries()
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(i, e)| EntryView {
                term: e.term,
                text: match (e.cmd, e.conf) {
                    (Some(c), _) => c.to_string(),
                    (None, 0) => "no-op".into(),
                    (None, conf) => format!("config {}", show_conf(conf)),
                },
                committed: (i as u64) < self.commit_index,
                tag: e.term.to_string(),
                mark: "",
            })
            .collect();
        let progress = if self.role == Role::Leader {
            self.targets()
                .into_iter()
                .map(|p| PeerProgress {
                    peer: p,
                    next: self.next_index[p as usize],
                    matched: self.match_index[p as usize],
                })
                .collect()
        } else {
            Vec::new()
        };
        NodeView {
            id: self.id,
            up: true,
            role: if self.is_member(self.id) || self.role == Role::Leader {
                self.role.as_str()
            } else {
                role::NON_VOTER
            },
            term: self.current_term,
            leading: self.role == Role::Leader,
            headline: format!("term {}", self.current_term),
            subline: match self.voted_for {
                Some(c) => format!("vote S{c}"),
                None => "no vote".into(),
            },
            // Figure 2: commitIndex is volatile. After a restart the entries
            // are all there but none is known committed, until a leader says.
            badge: if self.recovered && self.commit_index == 0 {
                "commit index lost in the crash".into()
            } else {
                String::new()
            },
            details: if self.membership_in_play() {
                let state = if self.conf_index > self.commit_index {
                    " (not yet committed)"
                } else {
                    ""
                };
                vec![format!("configuration {}{state}", show_conf(self.members))]
            } else {
                Vec::new()
            },
            log,
            log_offset: skip as u64,
            commit_index: self.commit_index,
            progress,
            state_machine: render(&self.kv),
            members: self.members,
        }
    }
}

pub use crate::protocols::common::cmd;

impl Raft {
    /// The user forced this node's main timeout.
    fn force_timeout(&mut self, out: &mut RaftOut) {
        self.start_election(out);
    }
}
