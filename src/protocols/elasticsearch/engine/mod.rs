//! Elasticsearch shard replication (the reference's "Reading and Writing
//! documents" data-replication model, `ReplicationTracker`,
//! `FollowersChecker`, the `replication.tla` formal model). One shard: a
//! primary and replicas on the first data nodes, and a master, the last
//! server.
//!
//! - **The write model.** The primary checks `wait_for_active_shards`
//!   (a pre-check only), gives the operation the next sequence number under
//!   its primary term, indexes it, and forwards it to every in-sync copy in
//!   parallel. It answers the client only when all have answered, or, for
//!   each one that failed, once the master has removed it from the in-sync
//!   set (`ShardFailed`, acknowledged). Not a quorum: two copies suffice.
//! - **Checkpoints.** A copy's local checkpoint is how many operations it
//!   holds without a hole; the primary's global checkpoint is the least
//!   local checkpoint over the in-sync copies, and travels with later
//!   operations.
//! - **The master** keeps the in-sync allocation ids and publishes cluster
//!   states. It checks every node (`follower_check`, every 1 s; a node is
//!   removed after `retry_count` checks of `timeout` go unanswered), and a
//!   node that restarts is removed and joins again. When the primary's node
//!   goes, it promotes an in-sync copy with the next primary term; stale
//!   copies are never promoted (with none, the index is red).
//! - **Terms.** A replica refuses operations from an older primary term
//!   (a deposed primary learns so and fails its writes); on a newer term it
//!   rolls back to the global checkpoint, and the new primary resyncs what
//!   it holds above it. A stale copy recovers from the primary and is
//!   marked in sync (`ShardStarted`). A node that hears no master for
//!   `leader_check` refuses writes.
//! - **Durability.** The translog is fsynced before answering
//!   (`index.translog.durability: request`): a power loss loses nothing.
//!
//! Timers are given in Elasticsearch's units and defaults and divided by
//! one `time_scale`.

mod data;
mod master;
mod messages;

pub use messages::*;

use crate::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, PeerProgress, Protocol, Reply, Request,
    RequestId, TimerInfo,
};
use crate::protocols::common::{apply, render, Kv};
use crate::protocols::elasticsearch::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// Elasticsearch's settings, named as in its documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EsConfig {
    /// `index.number_of_replicas` (1).
    pub number_of_replicas: u32,
    /// The clients' `wait_for_active_shards` (1: the primary alone).
    pub wait_for_active_shards: u32,
    /// The write `timeout`, ms (60000).
    pub timeout_ms: u64,
    /// `cluster.fault_detection.follower_check.interval`, ms (1000).
    pub follower_check_interval_ms: u64,
    /// `cluster.fault_detection.follower_check.timeout`, ms (10000).
    pub follower_check_timeout_ms: u64,
    /// `cluster.fault_detection.follower_check.retry_count` (3).
    pub follower_check_retry_count: u64,
    /// Every timer is divided by this (10).
    pub time_scale: u64,
    /// A deliberately broken variant; tests only.
    pub bug: Option<EsBug>,
}

impl Default for EsConfig {
    fn default() -> Self {
        EsConfig {
            number_of_replicas: 1,
            wait_for_active_shards: 1,
            timeout_ms: 60_000,
            follower_check_interval_ms: 1_000,
            follower_check_timeout_ms: 10_000,
            follower_check_retry_count: 3,
            time_scale: 10,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for EsConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U32 number_of_replicas,
            U32 wait_for_active_shards,
            U64 timeout_ms,
            U64 follower_check_interval_ms,
            U64 follower_check_timeout_ms,
            U64 follower_check_retry_count,
            U64 time_scale,
        );
    }
    fn check(&self) -> Result<(), String> {
        let ms = |v: u64| (1..=3_600_000).contains(&v);
        let ok = (1..=1000).contains(&self.time_scale)
            && self.number_of_replicas <= 8
            && (1..=9).contains(&self.wait_for_active_shards)
            && ms(self.timeout_ms)
            && ms(self.follower_check_interval_ms)
            && ms(self.follower_check_timeout_ms)
            && (1..=10).contains(&self.follower_check_retry_count);
        ok.then_some(()).ok_or_else(|| {
            "This scenario's Elasticsearch settings are out of range (number_of_replicas 0 to 8, wait_for_active_shards 1 to 9, times 1 ms to 1 hour, retry_count 1 to 10).".to_string()
        })
    }
}

impl EsConfig {
    /// A duration in ms of the real system, in simulated µs.
    pub fn ms(&self, ms: u64) -> Time {
        crate::protocols::common::scaled_ms(ms, self.time_scale)
    }
    /// How long the master waits before removing a silent node.
    fn node_left_after(&self) -> Time {
        self.ms(self.follower_check_timeout_ms * self.follower_check_retry_count)
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EsBug {
    /// The primary answers a write without the master removing a failed
    /// copy from the in-sync set (it never reports the failure).
    AckBeforeShardFailed,
    /// The master promotes any copy, in sync or not.
    PromoteAnyCopy,
    /// The primary takes the master's answer to a shard failure as news
    /// about the copy's current allocation, even after the copy recovered
    /// again and was marked in sync anew: it drops the fresh copy from its
    /// replication group while the master keeps it in sync.
    StaleFailureAck,
    /// A replica counts in its local checkpoint the operations it holds
    /// above the global checkpoint from an older primary term, as if the
    /// new primary had sent them.
    UntrustedCheckpoint,
}

/// What the engine reports to the checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EsObs {
    /// This node became the primary of `term`.
    Primary { term: u64 },
    /// The primary told a client OK for the operation at `seq`.
    Acked { seq: u64, op: Op },
    /// The primary's global checkpoint moved.
    Gcp { from: u64, to: u64 },
    /// The master promoted `node`; was it in sync?
    Promoted { node: NodeId, in_sync: bool },
}

/// A write the primary has sent to its replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    req: RequestId,
    seq: u64,
    /// In-sync copies that have not answered.
    waiting: u32,
    /// Failed copies whose removal the master has not confirmed.
    failing: u32,
    /// When it was sent.
    at: i64,
}

/// What survives a restart: the translog (fsynced per request), the
/// node's view of the shard, and the master's cluster state.
#[derive(Clone, Debug)]
pub struct EsDurable {
    ops: Vec<Op>,
    gcp: u64,
    term: u64,
    state: ClusterState,
    incarnation: u64,
    truncations: u64,
    cs: ClusterState,
}

/// One data node or the master.
#[derive(Clone, Debug)]
pub struct Es {
    id: NodeId,
    n: NodeId,
    cfg: EsConfig,
    master: bool,
    // Data node.
    ops: Vec<Op>,
    gcp: u64,
    /// The highest primary term this copy has seen.
    term: u64,
    /// How many operations are known to be the current primary's history
    /// (less than the log after a new primary term, until its operations
    /// replace the old ones).
    trusted: u64,
    /// The last cluster state applied.
    state: ClusterState,
    primary: bool,
    /// The copy cannot take operations: restarted, or stale and
    /// recovering.
    recovering: bool,
    /// A restarted node waits for the answer to its join.
    starting: bool,
    incarnation: u64,
    truncations: u64,
    /// When the master was last heard.
    heard: i64,
    /// When this copy last asked for a recovery.
    asked: i64,
    /// The (term, attempt) of the last recovery snapshot it applied.
    applied: (u64, u64),
    kv: Kv,
    // Primary.
    tracking: LiteMap<NodeId, u64>,
    /// Copies being recovered: replicated to, not waited for.
    recovering_copies: u32,
    pending: Vec<Pending>,
    /// Writes waiting for `wait_for_active_shards`.
    waiting_active: Vec<Request>,
    /// Recovered copies this primary marked in sync itself.
    marked: u32,
    /// The allocation (incarnation) of each copy being recovered, and the
    /// current recovery attempt.
    allocations: LiteMap<NodeId, (u64, u64)>,
    /// Recovering copies whose current recovery finished.
    recovered: u32,
    /// Recovery attempts started by this primary.
    attempts: u64,
    /// Recovered copies still short of the global checkpoint, which waits
    /// for them.
    pending_in_sync: u32,
    /// Failed copies already reported to the master.
    reported: u32,
    /// In-sync copies that have not answered the resync, since when.
    resync: u32,
    resync_at: i64,
    // Master.
    cs: ClusterState,
    last_ok: LiteMap<NodeId, (i64, u64)>,
    /// Nodes the master counts in the cluster.
    joined: u32,
    /// Per copy, the newest allocation reported failed: a report that it
    /// started, sent before, no longer counts.
    dead: LiteMap<NodeId, (u64, u64)>,
}

type EsOut = Out<EsMsg, EsTimer, EsObs>;

/// An operation's identity as a client is told it: bit 61, the primary
/// term's low 21 bits, the sequence number's low 40.
pub fn op_index(term: u64, seq: u64) -> u64 {
    1 << 61 | (term & 0x1f_ffff) << 40 | (seq & ((1 << 40) - 1))
}

impl Es {
    fn master_id(&self) -> NodeId {
        self.n
    }
    /// How many data nodes: every server but the master (a lone server is
    /// a data node without one).
    fn data_nodes(&self) -> NodeId {
        self.n.saturating_sub(1).max(1)
    }
    /// The nodes holding a copy of the shard: the first
    /// `1 + number_of_replicas` data nodes.
    pub fn copy_nodes(&self) -> std::ops::RangeInclusive<NodeId> {
        1..=(1 + self.cfg.number_of_replicas).min(self.data_nodes())
    }
    fn holds_copy(&self) -> bool {
        !self.master && self.copy_nodes().contains(&self.id)
    }
    /// The operations (seq_no = position).
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }
    /// The global checkpoint as this copy knows it.
    pub fn gcp(&self) -> u64 {
        self.gcp
    }
    /// The master's cluster state (the master only).
    pub fn master_state(&self) -> Option<ClusterState> {
        self.master.then_some(self.cs)
    }
    /// The primary term it acts as primary in.
    pub fn primary_term(&self) -> Option<u64> {
        self.primary.then_some(self.term)
    }
    /// The highest primary term this copy has seen.
    pub fn term(&self) -> u64 {
        self.term
    }
    /// How many times the translog was rolled back.
    pub fn truncations(&self) -> u64 {
        self.truncations
    }
    fn lcp(&self) -> u64 {
        self.ops.len() as u64
    }
    fn rebuild_kv(&mut self) {
        self.kv = Kv::new();
        for op in &self.ops {
            apply(&mut self.kv, &op.cmd);
        }
    }
    /// Whether a master was heard within the leader check's patience.
    fn knows_master(&self, out: &EsOut) -> bool {
        mono(out) - self.heard <= self.cfg.node_left_after() as i64
    }
}

impl Protocol for Es {
    type Config = EsConfig;
    type Msg = EsMsg;
    type Timer = EsTimer;
    type Obs = EsObs;
    type Durable = EsDurable;
    const NAME: &'static str = "elasticsearch";
    const TRANSPORT: crate::protocol::Transport = crate::protocol::Transport::Connection;
    const READS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &EsConfig,
        durable: Option<EsDurable>,
        out: &mut EsOut,
    ) -> Self {
        let n = peers.len() as NodeId + 1;
        let mut node = Es {
            id,
            n,
            cfg: cfg.clone(),
            master: id == n && n > 1,
            ops: Vec::new(),
            gcp: 0,
            term: 1,
            trusted: 0,
            state: ClusterState::default(),
            primary: false,
            recovering: false,
            starting: false,
            incarnation: 0,
            truncations: 0,
            heard: mono(out),
            asked: i64::MIN / 2,
            applied: (0, 0),
            kv: Kv::new(),
            tracking: LiteMap::new(),
            recovering_copies: 0,
            pending: Vec::new(),
            waiting_active: Vec::new(),
            marked: 0,
            allocations: LiteMap::new(),
            recovered: 0,
            attempts: 0,
            pending_in_sync: 0,
            reported: 0,
            resync: 0,
            resync_at: 0,
            cs: ClusterState::default(),
            last_ok: LiteMap::new(),
            joined: 0,
            dead: LiteMap::new(),
        };
        // The index exists before the run: S1 holds the primary of term 1,
        // every copy in sync.
        let all: u32 = node.copy_nodes().map(bit).fold(0, |a, b| a | b);
        let initial = ClusterState {
            version: 1,
            primary: 1,
            term: 1,
            in_sync: all,
        };
        match durable {
            Some(d) => {
                node.ops = d.ops;
                node.gcp = d.gcp;
                node.term = d.term;
                node.trusted = d.gcp;
                node.state = d.state;
                node.incarnation = d.incarnation + 1;
                node.truncations = d.truncations;
                node.cs = d.cs;
                node.starting = !node.master;
                node.recovering = !node.master;
                node.rebuild_kv();
            }
            None => {
                node.state = initial;
                node.cs = initial;
            }
        }
        if node.master {
            node.joined = (1..n).map(bit).fold(0, |a, b| a | b);
            let now = mono(out);
            for b in 1..n {
                node.last_ok.insert(b, (now, 0));
            }
            let t = node.cfg.ms(node.cfg.follower_check_interval_ms);
            out.set_timer(EsTimer::FollowerCheck, t, t);
        } else {
            let t = node.cfg.ms(node.cfg.follower_check_interval_ms);
            out.set_timer(EsTimer::LeaderCheck, t, t);
            if node.starting {
                let incarnation = node.incarnation;
                out.send(node.master_id(), EsMsg::Join { incarnation });
            } else if node.state.primary == id {
                node.become_primary(out);
            }
        }
        node
    }

    fn on_message(&mut self, from: NodeId, msg: EsMsg, out: &mut EsOut) {
        // A restarted node takes no cluster state before its join is
        // answered, and answers to its old incarnation are not for it.
        let stale = self.starting
            && matches!(
                msg,
                EsMsg::Publish(_) | EsMsg::ShardFailedAck { .. } | EsMsg::Recovery { .. }
            );
        if stale {
            return;
        }
        match msg {
            EsMsg::Replicate { seq, op, gcp } => self.on_replicate(from, seq, op, gcp, out),
            EsMsg::ReplicaResponse { term, lcp, failed } => {
                self.on_replica_response(from, term, lcp, failed, out)
            }
            EsMsg::ReplicaReject { term } => self.on_reject(from, term, out),
            EsMsg::ShardFailed { copy, term, alloc } => {
                self.on_shard_failed(from, copy, term, alloc, out)
            }
            EsMsg::ShardFailedAck {
                copy,
                ok,
                state,
                alloc,
            } => self.on_shard_failed_ack(copy, ok, state, alloc, out),
            EsMsg::ShardStarted {
                copy,
                term,
                incarnation,
                alloc,
            } => self.on_shard_started(from, copy, term, incarnation, alloc, out),
            EsMsg::Publish(state) => self.apply_state(state, out),
            EsMsg::FollowerCheck(state) => {
                if self.starting {
                    return;
                }
                self.heard = mono(out);
                let incarnation = self.incarnation;
                out.send(from, EsMsg::FollowerCheckOk { incarnation });
                if state.version > self.state.version {
                    self.apply_state(state, out);
                }
            }
            EsMsg::FollowerCheckOk { incarnation } => {
                self.on_node_heard(from, incarnation, false, out)
            }
            EsMsg::Join { incarnation } => self.on_node_heard(from, incarnation, true, out),
            EsMsg::JoinAck { incarnation, state } => {
                if self.starting && incarnation == self.incarnation {
                    self.starting = false;
                    self.heard = mono(out);
                    let id = self.id;
                    out.note(|| {
                        format!("S{id} joined the cluster again: {}", describe_state(&state))
                    });
                    self.apply_state(state, out);
                } else if incarnation == self.incarnation {
                    self.heard = mono(out);
                    if state.version > self.state.version {
                        self.apply_state(state, out);
                    }
                }
            }
            EsMsg::Resync {
                term,
                from: at,
                ops,
                gcp,
            } => self.on_resync(from, term, at, ops, gcp, out),
            EsMsg::StartRecovery { term, incarnation } => {
                self.on_start_recovery(from, term, incarnation, out)
            }
            EsMsg::Recovery {
                term,
                ops,
                gcp,
                attempt,
            } => self.on_recovery(from, term, ops, gcp, attempt, out),
            EsMsg::RecoveryDone { term, lcp, attempt } => {
                self.on_recovery_done(from, term, lcp, attempt, out)
            }
        }
    }

    fn on_timer(&mut self, timer: EsTimer, out: &mut EsOut) {
        match timer {
            EsTimer::FollowerCheck => self.follower_checks(out),
            EsTimer::LeaderCheck => {
                let t = self.cfg.ms(self.cfg.follower_check_interval_ms);
                out.set_timer(EsTimer::LeaderCheck, t, t);
                if self.starting {
                    if !self.knows_master(out) {
                        // No answer to its joins: try a new connection.
                        out.reconnect(self.master_id());
                        self.heard = mono(out);
                    }
                    let incarnation = self.incarnation;
                    out.send(self.master_id(), EsMsg::Join { incarnation });
                } else {
                    if !self.knows_master(out) && !self.master {
                        // Leader checks failed: rejoin on a new connection
                        // (the old one may be stuck behind retransmissions).
                        let (id, incarnation) = (self.id, self.incarnation);
                        out.note(|| {
                            format!("S{id}: no master for leader_check's patience; it joins again")
                        });
                        out.reconnect(self.master_id());
                        out.send(self.master_id(), EsMsg::Join { incarnation });
                        self.heard = mono(out) - self.cfg.node_left_after() as i64 / 2;
                    }
                    self.maybe_recover(out);
                    self.expire_replication(out);
                    self.resend_started(out);
                }
            }
            EsTimer::WriteTimeout(req) => {
                if let Some(i) = self.waiting_active.iter().position(|r| r.id == req) {
                    self.waiting_active.remove(i);
                    let (id, w) = (self.id, self.cfg.wait_for_active_shards);
                    out.note(|| format!("S{id}: UnavailableShardsException: fewer than wait_for_active_shards={w} active copies within the timeout; nothing indexed"));
                    out.reply(req, Reply::Aborted { index: 0 });
                }
            }
        }
    }

    fn on_request(&mut self, req: Request, out: &mut EsOut) {
        if self.master || !self.holds_copy() || self.starting {
            let p = self.state.primary;
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: (p != 0).then_some(p),
                },
            );
            return;
        }
        if req.cmd.read {
            // A realtime GET from this copy's translog (a replica may lag).
            let index = op_index(self.term, self.lcp());
            out.reply(
                req.id,
                Reply::Read {
                    index,
                    value: self.kv.get(&req.cmd.key).copied(),
                },
            );
            return;
        }
        if !self.primary || req.cmd.cas.is_some() {
            let p = self.state.primary;
            let leader = (p != 0 && p != self.id).then_some(p);
            if req.cmd.cas.is_some() && self.primary {
                // Conditional writes (if_seq_no) are not modelled.
                out.reply(req.id, Reply::Aborted { index: 0 });
            } else {
                out.reply(req.id, Reply::NotLeader { leader });
            }
            return;
        }
        if !self.knows_master(out) {
            let id = self.id;
            out.note(|| format!("S{id} refuses the write: no master (ClusterBlockException)"));
            out.reply(req.id, Reply::NotLeader { leader: None });
            return;
        }
        self.write(req, out);
    }

    fn on_action(&mut self, _id: &str, _out: &mut EsOut) {}

    fn durable(&self) -> EsDurable {
        EsDurable {
            ops: self.ops.clone(),
            gcp: self.gcp,
            term: self.term,
            state: self.state,
            incarnation: self.incarnation,
            truncations: self.truncations,
            cs: self.cs,
        }
    }

    fn leads(&self) -> Option<u64> {
        self.primary_term()
    }

    fn outcome(&self, index: u64) -> Outcome {
        if index >> 61 != 1 {
            return Outcome::Pending;
        }
        let (term, seq) = ((index >> 40) & 0x1f_ffff, index & ((1 << 40) - 1));
        match self.ops.get(seq as usize) {
            Some(op) if op.term & 0x1f_ffff == term => Outcome::Committed(Some(op.cmd)),
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let s = if self.master { self.cs } else { self.state };
        let in_sync = s.in_sync & bit(self.id) != 0;
        let role_name = if self.master {
            role::MASTER
        } else if self.primary {
            role::PRIMARY
        } else if !self.holds_copy() {
            role::NODE
        } else if in_sync && !self.recovering {
            role::REPLICA
        } else {
            role::STALE
        };
        let skip = self.ops.len().saturating_sub(max);
        let log = self
            .ops
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(seq, op)| EntryView {
                term: op.term,
                text: op.cmd.to_string(),
                committed: (seq as u64) < self.gcp,
                tag: seq.to_string(),
                mark: "",
            })
            .collect();
        let mut details = vec![describe_state(&s)];
        if self.primary {
            details.push(format!(
                "replication group {}",
                copies(s.in_sync | self.recovering_copies)
            ));
            if !self.pending.is_empty() {
                details.push(format!(
                    "{} write(s) waiting for copies",
                    self.pending.len()
                ));
            }
        }
        let badge = if self.master && s.primary == 0 {
            "RED".to_string()
        } else if !self.master && self.holds_copy() && self.recovering {
            "recovering".to_string()
        } else {
            String::new()
        };
        NodeView {
            id: self.id,
            up: true,
            role: role_name,
            term: s.term,
            leading: self.primary,
            headline: format!("term {}", if self.master { s.term } else { self.term }),
            subline: if self.master {
                if s.primary == 0 {
                    "no primary".to_string()
                } else {
                    format!("primary S{}", s.primary)
                }
            } else if self.holds_copy() {
                format!("lcp {} gcp {}", self.lcp(), self.gcp)
            } else {
                "no copy".to_string()
            },
            badge,
            details,
            log,
            log_offset: skip as u64,
            commit_index: self.gcp,
            progress: self
                .tracking
                .iter()
                .map(|(&peer, &l)| PeerProgress {
                    peer,
                    next: l,
                    matched: l,
                })
                .collect(),
            state_machine: if self.holds_copy() {
                render(&self.kv)
            } else {
                String::new()
            },
            members: 0,
        }
    }
}

/// Elapsed time as the node measures its timeouts.
pub(super) fn mono(out: &EsOut) -> i64 {
    out.now() as i64
}
