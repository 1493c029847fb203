//! A MongoDB replica set, protocol version 1 (`src/mongo/db/repl/README.md`
//! of `mongodb/mongo`; the MongoDB manual's replica-set elections, write
//! concern, read concern and rollback pages). Every member is a voting,
//! data-bearing member with priority 1; the configuration is fixed.
//!
//! - **Elections** are Raft's with MongoDB's additions: when a member has
//!   heard nothing from a primary for `electionTimeoutMillis` (plus up to
//!   15 % jitter) it first runs a **dry run** (vote requests in its current
//!   term, which is not bumped, so a member that cannot win does not depose
//!   anyone), then a real election: `term + 1`, a vote for itself (kept on
//!   disk as `lastVote`), `replSetRequestVotes`. A voter denies a stale
//!   term, a candidate whose `lastApplied` OpTime is behind its own, and a
//!   second candidate in a term it already voted in. No vetoes: this is not
//!   the Bully algorithm.
//! - **Catch-up.** The primary-elect asks every member for its position by
//!   heartbeat; when a majority has answered it pulls the entries it lacks
//!   from the freshest one, for at most `catchUpTimeoutMillis` (infinite by
//!   default; it stops waiting for a member that stops answering). Then it
//!   writes a no-op in its own term and takes writes.
//! - **Replication** is pull: each secondary's oplog fetcher sends
//!   `getMore` to the primary (no chaining here), which answers at once
//!   when it has entries and otherwise holds the request (`awaitData`)
//!   until it has or its commit point moves. Batches carry the source's
//!   commit point. Secondaries report `replSetUpdatePosition`.
//! - **The commit point** is the greatest OpTime that a majority of members
//!   has applied, and only an OpTime of the primary's own term (so earlier
//!   terms' entries commit only under a current-term entry). `w:1` is
//!   answered after the local write, `w:"majority"` when the commit point
//!   reaches the write, `w:n` when `n` members have it; `wtimeout` answers a
//!   `writeConcernError` that does not undo the write.
//! - **Rollback.** A secondary whose last fetched entry is not in its sync
//!   source's oplog (`OplogStartMissing`) enters ROLLBACK: it finds the
//!   common point, writes the entries after it to a rollback file
//!   (`rollback/<collection>/removed.<ts>.bson`, shown in the details),
//!   truncates its oplog there, bumps its rollback id and returns to
//!   SECONDARY.
//! - **Stepdown** on a higher term, or when the primary has not heard from a
//!   majority for `electionTimeoutMillis`. Waiting writes then get an error
//!   whose outcome is unknown.
//! - **Reads** go to the primary (`readPreference` primary, the default)
//!   or to the member the client picks (secondary, nearest): `local` reads
//!   the newest applied data,
//!   `majority` the committed snapshot, `linearizable` (primary only)
//!   reads and then waits until a no-op written after it is
//!   majority-committed.
//!
//! Timers are given in MongoDB's units and defaults and divided by one
//! `time_scale`.

mod bully;
mod election;
mod messages;
mod replication;

pub use messages::*;

use crate::protocol::{
    Command, EntryView, NodeView, Out, Outcome, PeerProgress, Protocol, Reply, Request, RequestId,
};
use crate::protocols::common::{apply, bit, majority, render, Kv};
use crate::protocols::mongodb::names::role;
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// A replica set's settings, under MongoDB's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MongoConfig {
    /// The clients' write concern `w`: `"majority"` (the default since
    /// MongoDB 5.0) or a number of members (`"1"`).
    pub w: String,
    /// The write concern's `wtimeout`, ms (0: wait for ever).
    pub wtimeout: u64,
    /// The clients' `readConcern` level: `local`, `majority` or
    /// `linearizable`.
    pub read_concern: String,
    /// The clients' `readPreference`: `primary` (the default: only the
    /// primary answers reads, where a driver sends them), `secondary` or
    /// `nearest` (the member the client picked answers).
    pub read_preference: String,
    /// `settings.heartbeatIntervalMillis` (2000).
    pub heartbeat_interval_ms: u64,
    /// `settings.electionTimeoutMillis` (10000).
    pub election_timeout_ms: u64,
    /// `settings.catchUpTimeoutMillis` (-1: infinite; 0: no catch-up).
    pub catch_up_timeout_ms: i64,
    /// Every timer is divided by this (10: 10 s take 1 s).
    pub time_scale: u64,
    /// Each member's `priority`, in member order (`"1,1,2"`); members not
    /// listed, and every member while it is empty, have priority 1.
    /// Priority 0 never stands; a caught-up secondary of higher priority
    /// than the primary takes over (repl README, "Priority takeover").
    pub priority: String,
    /// The members that are arbiters (`arbiterOnly: true`), by number
    /// (`"3"`): they vote in elections and answer heartbeats, hold no data,
    /// never stand (priority 0) and serve no reads or writes. In a
    /// primary-secondary-arbiter set a majority of votes survives the
    /// secondary's loss, a majority of data-bearing members does not:
    /// `w:"majority"` writes wait (the manual's PSA warning).
    pub arbiter_only: String,
    /// Each member's `votes`, in member order (`"1,1,1,0,0"`); members not
    /// listed vote. A non-voting member (votes 0) holds data and serves
    /// reads but has priority 0, its vote counts in no election, and the
    /// majorities (elections, the commit point, staying primary) are of
    /// the voting members only.
    pub votes: String,
    /// The textbook Bully algorithm (Garcia-Molina 1982) instead of
    /// protocol version 1: not MongoDB (which never used it), a switch to
    /// show why it is unsafe: the highest live id wins, with no terms, no
    /// majority and no look at the oplog.
    pub bully: bool,
    /// The clients read in causally consistent sessions
    /// (`startSession({causalConsistency: true})`): each read carries the
    /// session's `afterClusterTime`, the operation time of its last answer,
    /// and a member that has not applied that far waits before reading
    /// (for `majority`, until its commit point is that far).
    pub causal_consistency: bool,
    /// A deliberately broken variant; tests only.
    pub bug: Option<MongoBug>,
}

impl Default for MongoConfig {
    fn default() -> Self {
        MongoConfig {
            w: "majority".to_string(),
            wtimeout: 0,
            read_concern: "local".to_string(),
            read_preference: "primary".to_string(),
            heartbeat_interval_ms: 2_000,
            election_timeout_ms: 10_000,
            catch_up_timeout_ms: -1,
            time_scale: 10,
            priority: String::new(),
            arbiter_only: String::new(),
            votes: String::new(),
            bully: false,
            causal_consistency: false,
            bug: None,
        }
    }
}

impl crate::protocol::Settings for MongoConfig {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            Str w,
            U64 wtimeout,
            Str read_concern as "readConcern",
            Str read_preference as "readPreference",
            U64 heartbeat_interval_ms as "heartbeatIntervalMillis",
            U64 election_timeout_ms as "electionTimeoutMillis",
            I64 catch_up_timeout_ms as "catchUpTimeoutMillis",
            U64 time_scale,
            NewStr priority,
            NewBool bully,
            NewStr arbiter_only as "arbiterOnly",
            NewStr votes,
            NewBool causal_consistency as "causalConsistency",
        );
    }
    fn check(&self) -> Result<(), String> {
        let ms = |v: u64| (1..=3_600_000).contains(&v);
        let w_ok =
            self.w == "majority" || self.w.parse::<u32>().is_ok_and(|n| (1..=9).contains(&n));
        let ok = w_ok
            && ["local", "majority", "linearizable"].contains(&self.read_concern.as_str())
            && ["primary", "secondary", "nearest"].contains(&self.read_preference.as_str())
            && self.wtimeout <= 3_600_000
            && ms(self.heartbeat_interval_ms)
            && ms(self.election_timeout_ms)
            && (-1..=3_600_000).contains(&self.catch_up_timeout_ms)
            && (1..=1000).contains(&self.time_scale)
            && self
                .priorities()
                .is_some_and(|p| p.is_empty() || p.iter().any(|&x| x > 0))
            && self.arbiters().is_some()
            && self.votes_list().is_some();
        ok.then_some(()).ok_or_else(|| {
            "This scenario's MongoDB settings are out of range (w is \"majority\" or 1 to 9; readConcern local, majority or linearizable; readPreference primary, secondary or nearest; times 1 ms to 1 hour; catchUpTimeoutMillis -1 or more; priority a list of 0 to 1000, one above 0; arbiterOnly a list of member numbers; votes a list of 0 and 1).".to_string()
        })
    }
}

impl MongoConfig {
    /// The `priority` list (`None`: not a list of 0 to 1000).
    fn priorities(&self) -> Option<Vec<u32>> {
        if self.priority.trim().is_empty() {
            return Some(Vec::new());
        }
        self.priority
            .split(',')
            .map(|p| p.trim().parse::<u32>().ok().filter(|&p| p <= 1000))
            .collect()
    }
    /// Each member's votes as listed (`None`: not a list of 0 and 1).
    fn votes_list(&self) -> Option<Vec<u32>> {
        self.votes
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<u32>().ok().filter(|&v| v <= 1))
            .collect()
    }
    /// The `arbiterOnly` members (`None`: not a list of member numbers).
    fn arbiters(&self) -> Option<Vec<NodeId>> {
        self.arbiter_only
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| a.parse::<NodeId>().ok().filter(|m| (1..=9).contains(m)))
            .collect()
    }
    /// A duration in ms of the real system, in simulated µs.
    pub fn ms(&self, ms: u64) -> Time {
        crate::protocols::common::scaled_ms(ms, self.time_scale)
    }
    /// How many members a write must reach: `None` for `"majority"`.
    fn w_count(&self) -> Option<usize> {
        self.w.parse::<usize>().ok()
    }
}

/// Deliberately wrong variants, used to show that the checks bite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MongoBug {
    /// Voters grant their vote without comparing `lastApplied` OpTimes.
    VoteWithoutLogCheck,
}

/// A member state (`rs.status()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// PRIMARY (or primary-elect while catching up).
    Primary,
    /// SECONDARY.
    Secondary,
    /// ROLLBACK.
    Rollback,
    /// RECOVERING: after a rollback, until it has applied up to
    /// `minValid` (its sync source's lastApplied when it rolled back): its
    /// data may not be a consistent point of the oplog yet, so it serves
    /// no reads and does not stand (it still votes).
    Recovering,
}

/// One oplog entry: its term, and the write (`None`: a no-op).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Op {
    /// The term of the primary that wrote it.
    pub term: u64,
    /// The write, or a no-op ("new primary", or a linearizable read's).
    pub cmd: Option<Command>,
}

/// A client waiting for its write concern or its linearizable read.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    req: RequestId,
    at: OpTime,
    /// A linearizable read: the value it read.
    read: Option<Option<u32>>,
}

/// What survives a restart: the oplog, the term and `lastVote`, the commit
/// point, the rollback id and the rollback files.
#[derive(Clone, Debug)]
pub struct MongoDurable {
    oplog: Vec<Op>,
    term: u64,
    voted: (u64, NodeId),
    commit: u64,
    rbid: u64,
    removed: Vec<(u64, Op)>,
}

/// The members' settings (`votes`, `arbiterOnly`, `priority`), parsed
/// once when a member boots: elections and every commit check read them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Members {
    /// Members listed with 0 votes (a bit per member).
    non_voting: u32,
    /// `arbiterOnly` members (a bit per member).
    arbiters: u32,
    /// Each member's listed priority (member `id` at `id - 1`; 1 unless
    /// listed).
    priority: [u32; 9],
}

impl Members {
    fn of(cfg: &MongoConfig) -> Self {
        let mut m = Members {
            priority: [1; 9],
            ..Members::default()
        };
        // Lists longer than the largest set (9 members) are cut there.
        for (i, v) in cfg.votes_list().unwrap_or_default().into_iter().enumerate() {
            if v == 0 && i < 9 {
                m.non_voting |= bit(i as NodeId + 1);
            }
        }
        for a in cfg.arbiters().unwrap_or_default() {
            m.arbiters |= bit(a);
        }
        for (i, p) in cfg.priorities().unwrap_or_default().into_iter().enumerate() {
            if let Some(x) = m.priority.get_mut(i) {
                *x = p;
            }
        }
        m
    }
    /// Member `id` votes (unless listed with 0).
    pub fn votes(&self, id: NodeId) -> bool {
        self.non_voting & bit(id) == 0
    }
    /// Member `id` is an arbiter.
    pub fn is_arbiter(&self, id: NodeId) -> bool {
        self.arbiters & bit(id) != 0
    }
    /// Member `id`'s priority (1 unless listed; 0 for an arbiter and for
    /// a non-voting member).
    pub fn priority(&self, id: NodeId) -> u32 {
        if self.is_arbiter(id) || !self.votes(id) {
            return 0;
        }
        self.priority.get(id as usize - 1).copied().unwrap_or(1)
    }
    /// How many of members `1..=n` have a higher priority than `id`: its
    /// priority takeover waits `(rank + 1)` election timeouts.
    fn rank(&self, id: NodeId, n: NodeId) -> u64 {
        let mine = self.priority(id);
        (1..=n).filter(|&m| self.priority(m) > mine).count() as u64
    }
}

/// One member of the replica set.
#[derive(Clone, Debug)]
pub struct Mongo {
    id: NodeId,
    n: NodeId,
    cfg: MongoConfig,
    /// `cfg`'s member settings, parsed.
    members: Members,
    state: State,
    term: u64,
    /// `lastVote`: (term, candidate).
    voted: (u64, NodeId),
    oplog: Vec<Op>,
    /// The commit point's timestamp: entries up to it are majority-committed.
    commit: u64,
    /// The newest applied data (`local`) and the committed snapshot
    /// (`majority`), with how far each is applied.
    local: Kv,
    local_at: u64,
    major: Kv,
    major_at: u64,
    /// The primary this member follows (0: none known).
    primary: NodeId,
    /// Standing for election: votes so far, and whether it is a dry run.
    standing: Option<(u32, bool)>,
    /// The election it stands in is a priority takeover (hearing the
    /// primary does not end it), and whether one is scheduled.
    takeover: bool,
    takeover_armed: bool,
    /// Primary-elect still catching up: the target and the member holding it.
    catching_up: Option<(OpTime, NodeId)>,
    /// Heartbeat answers heard since winning (catch-up waits for a majority).
    heard_since_win: u32,
    /// Each member's last known `lastApplied`.
    applied: LiteMap<NodeId, OpTime>,
    /// When each member last answered a heartbeat (or reported its position).
    contact: LiteMap<NodeId, Time>,
    waiting: Vec<Waiting>,
    /// `getMore`s held by `awaitData`: member and the OpTime it asked after.
    parked: LiteMap<NodeId, OpTime>,
    /// The oplog fetcher has a `getMore` in flight, to this member.
    fetching: NodeId,
    rbid: u64,
    /// The rollback files: each entry rolled back, with its timestamp.
    removed: Vec<(u64, Op)>,
    /// Reads of a causally consistent session waiting for this member to
    /// reach their `afterClusterTime` (a timestamp).
    causal: Vec<(RequestId, Command, u64)>,
    /// `minValid`: where a member that rolled back is consistent again.
    /// (Volatile here: a restart boots SECONDARY and catches up.)
    min_valid: OpTime,
}

type MongoOut = Out<MongoMsg, MongoTimer, MongoObs>;

/// What the engine reports to the checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MongoObs {
    /// This member became primary of `term`.
    Primary { term: u64 },
    /// The commit point moved to `to` (timestamp), on this member's oplog.
    Committed { to: u64 },
    /// A write was acknowledged with `w:"majority"` at this OpTime.
    MajorityAck { at: OpTime },
    /// Entries from timestamp `from` on were rolled back, by a member whose
    /// commit point was at `committed`.
    RolledBack { from: u64, committed: u64 },
}

/// A write's identity as a client is told it: bit 60, the term's low 20
/// bits, the timestamp's low 40.
pub fn op_index(at: OpTime) -> u64 {
    1 << 60 | (at.term & 0xf_ffff) << 40 | (at.ts & ((1 << 40) - 1))
}

impl Mongo {
    /// `arbiterOnly`: this member votes and heartbeats only.
    fn arbiter(&self) -> bool {
        self.members.is_arbiter(self.id)
    }
    /// The oplog.
    pub fn oplog(&self) -> &[Op] {
        &self.oplog
    }
    /// The member state.
    pub fn state(&self) -> State {
        self.state
    }
    /// The current term.
    pub fn term(&self) -> u64 {
        self.term
    }
    /// The commit point's timestamp.
    pub fn commit(&self) -> u64 {
        self.commit
    }
    /// The rollback id (bumped by every rollback).
    pub fn rbid(&self) -> u64 {
        self.rbid
    }
    /// The rolled-back entries kept in rollback files.
    pub fn removed(&self) -> &[(u64, Op)] {
        &self.removed
    }
    /// Electing by the textbook Bully algorithm (not MongoDB).
    pub fn bully(&self) -> bool {
        self.cfg.bully
    }
    /// Primary and taking writes (catch-up done).
    pub fn writable(&self) -> bool {
        self.state == State::Primary && self.catching_up.is_none()
    }
    /// `lastApplied`.
    pub fn last(&self) -> OpTime {
        OpTime {
            term: self.oplog.last().map_or(0, |o| o.term),
            ts: self.oplog.len() as u64,
        }
    }
    /// The OpTime of the entry at `ts` (0: the empty prefix).
    fn optime(&self, ts: u64) -> Option<OpTime> {
        if ts == 0 {
            return Some(OpTime::default());
        }
        let op = self.oplog.get((ts - 1) as usize)?;
        Some(OpTime { term: op.term, ts })
    }
    /// The voting members (a bit per member).
    fn voting(&self) -> u32 {
        (1..=self.n)
            .filter(|&m| self.members.votes(m))
            .fold(0, |a, m| a | bit(m))
    }
    /// A majority of the voting members.
    fn majority(&self) -> usize {
        majority(self.voting().count_ones() as usize)
    }
    fn peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        (1..=self.n).filter(move |&p| p != self.id)
    }
    /// Apply entries to the local view and, up to the commit point, to the
    /// committed snapshot.
    fn apply_entries(&mut self) {
        while self.local_at < self.oplog.len() as u64 {
            if let Some(c) = self.oplog[self.local_at as usize].cmd {
                apply(&mut self.local, &c);
            }
            self.local_at += 1;
        }
        while self.major_at < self.commit.min(self.oplog.len() as u64) {
            if let Some(c) = self.oplog[self.major_at as usize].cmd {
                apply(&mut self.major, &c);
            }
            self.major_at += 1;
        }
    }
    /// Adopt a higher term seen in any message; a primary steps down.
    fn see_term(&mut self, term: u64, out: &mut MongoOut) {
        if term > self.term && !self.cfg.bully {
            self.term = term;
            self.standing = None;
            self.takeover = false;
            if self.state == State::Primary {
                let id = self.id;
                out.note(|| format!("S{id} steps down: it saw term {term}"));
                self.step_down(out);
            }
        }
    }
    /// PRIMARY → SECONDARY: clients waiting on it learn nothing certain.
    fn step_down(&mut self, out: &mut MongoOut) {
        self.state = State::Secondary;
        self.primary = 0;
        self.catching_up = None;
        for w in std::mem::take(&mut self.waiting) {
            out.cancel_timer(MongoTimer::WTimeout(w.req));
            out.reply(w.req, Reply::Unknown);
        }
        self.parked.clear();
        self.fetching = 0;
        self.reset_election_timer(out);
    }
    fn reset_election_timer(&self, out: &mut MongoOut) {
        let t = self.cfg.ms(self.cfg.election_timeout_ms);
        out.set_timer(MongoTimer::Election, t, t + t * 15 / 100);
    }
    /// The answer to a read at this member under the read concern.
    /// The `afterClusterTime` a causally consistent session's read
    /// carries: the timestamp of the session's last operation time.
    fn cluster_time(&self, after: u64) -> Option<u64> {
        (self.cfg.causal_consistency && after >> 60 == 1).then_some(after & ((1 << 40) - 1))
    }
    /// How far a read at the configured read concern sees: `lastApplied`
    /// for `local`, the commit point for `majority`.
    fn read_point(&self) -> u64 {
        if self.cfg.read_concern == "majority" {
            self.major_at
        } else {
            self.local_at
        }
    }
    /// Answer the held causal reads this member has now applied far
    /// enough for (not while it rolls back).
    fn serve_causal(&mut self, out: &mut MongoOut) {
        if self.state == State::Rollback {
            return;
        }
        let at = self.read_point();
        let (ready, held): (Vec<_>, Vec<_>) = std::mem::take(&mut self.causal)
            .into_iter()
            .partition(|w| w.2 <= at);
        self.causal = held;
        for (req, cmd, _) in ready {
            out.reply(req, self.read(&cmd));
        }
    }

    fn read(&self, c: &Command) -> Reply {
        let kv = if self.cfg.read_concern == "majority" {
            &self.major
        } else {
            &self.local
        };
        let at = if self.cfg.read_concern == "majority" {
            self.optime(self.commit).unwrap_or_default()
        } else {
            self.last()
        };
        Reply::Read {
            index: op_index(at),
            value: kv.get(&c.key).copied(),
        }
    }
}

impl Protocol for Mongo {
    type Config = MongoConfig;
    type Msg = MongoMsg;
    type Timer = MongoTimer;
    type Obs = MongoObs;
    type Durable = MongoDurable;
    const NAME: &'static str = "mongodb";
    const TRANSPORT: crate::protocol::Transport = crate::protocol::Transport::Connection;
    const READS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &MongoConfig,
        durable: Option<MongoDurable>,
        out: &mut MongoOut,
    ) -> Self {
        let members = Members::of(cfg);
        let mut node = Mongo {
            id,
            n: peers.len() as NodeId + 1,
            cfg: cfg.clone(),
            members,
            state: State::Secondary,
            term: 0,
            voted: (0, 0),
            oplog: Vec::new(),
            commit: 0,
            local: Kv::new(),
            local_at: 0,
            major: Kv::new(),
            major_at: 0,
            primary: 0,
            standing: None,
            takeover: false,
            takeover_armed: false,
            catching_up: None,
            heard_since_win: 0,
            applied: LiteMap::new(),
            contact: LiteMap::new(),
            waiting: Vec::new(),
            parked: LiteMap::new(),
            fetching: 0,
            rbid: 0,
            removed: Vec::new(),
            causal: Vec::new(),
            min_valid: OpTime::default(),
        };
        if let Some(d) = durable {
            node.oplog = d.oplog;
            node.term = d.term;
            node.voted = d.voted;
            node.commit = d.commit.min(node.oplog.len() as u64);
            node.rbid = d.rbid;
            node.removed = d.removed;
            node.apply_entries();
        }
        // Every member starts as SECONDARY; the set elects its first
        // primary after an election timeout (Bully: a member that starts
        // holds an election at once).
        let hb = node.cfg.ms(node.cfg.heartbeat_interval_ms);
        out.set_timer(MongoTimer::Heartbeat, 0, hb / 4);
        node.reset_election_timer(out);
        if node.cfg.bully {
            node.bully_election(out);
        }
        node
    }

    fn on_message(&mut self, from: NodeId, msg: MongoMsg, out: &mut MongoOut) {
        match msg {
            MongoMsg::Heartbeat { term } => self.on_heartbeat(from, term, out),
            MongoMsg::HeartbeatResponse {
                term,
                primary,
                applied,
                commit,
            } => self.on_heartbeat_response(from, term, primary, applied, commit, out),
            MongoMsg::RequestVotes { term, last, dry } => {
                self.on_request_votes(from, term, last, dry, out)
            }
            MongoMsg::Vote { term, granted, dry } => self.on_vote(from, term, granted, dry, out),
            MongoMsg::GetMore { term, after } => self.on_get_more(from, term, after, out),
            MongoMsg::Batch {
                term,
                after,
                last,
                entries,
                commit,
                diverged,
                terms,
            } => self.on_batch(
                from, term, after, last, entries, commit, diverged, terms, out,
            ),
            MongoMsg::UpdatePosition { term, applied } => {
                self.on_update_position(from, term, applied, out)
            }
            MongoMsg::Election => self.on_election(from, out),
            MongoMsg::Answer => self.on_answer(out),
            MongoMsg::Coordinator { term } => self.on_coordinator(from, term, out),
        }
        if !self.causal.is_empty() {
            self.serve_causal(out);
        }
    }

    fn on_timer(&mut self, timer: MongoTimer, out: &mut MongoOut) {
        match timer {
            MongoTimer::Heartbeat => self.heartbeat(out),
            MongoTimer::Election => self.election_timeout(out),
            MongoTimer::PriorityTakeover => self.priority_takeover(out),
            MongoTimer::AwaitData(p) => {
                if let Some(after) = self.parked.remove(&p) {
                    self.answer_get_more(p, after, out);
                }
            }
            MongoTimer::FetchTimeout => {
                if self.fetching != 0 {
                    let (id, s) = (self.id, self.fetching);
                    out.note(|| {
                        format!("S{id}: no answer to its getMore from S{s}; it reconnects")
                    });
                    out.reconnect(s);
                    self.fetching = 0;
                    self.fetch(out);
                }
            }
            MongoTimer::WTimeout(req) => {
                if let Some(i) = self.waiting.iter().position(|w| w.req == req) {
                    let w = self.waiting.remove(i);
                    let id = self.id;
                    out.note(|| format!("S{id}: writeConcernError (wtimeout) for the write at {}: it stays in the oplog and may still commit or roll back", w.at));
                    out.reply(req, Reply::Unknown);
                }
            }
            MongoTimer::CatchUp => {
                if self.state == State::Primary && self.catching_up.is_some() {
                    let id = self.id;
                    out.note(|| {
                        format!("S{id}: catchUpTimeoutMillis expired; it stops catching up")
                    });
                    self.finish_catch_up(out);
                }
            }
            MongoTimer::BullyAnswer => self.bully_no_answer(out),
            MongoTimer::Rollback => {
                if self.state == State::Rollback {
                    let (id, v) = (self.id, self.min_valid);
                    out.note(|| format!("S{id} leaves ROLLBACK: RECOVERING until minValid {v}"));
                    self.state = State::Recovering;
                    self.fetch(out);
                }
            }
        }
    }

    fn on_request(&mut self, req: Request, out: &mut MongoOut) {
        if req.cmd.read {
            if self.cfg.read_concern == "linearizable" {
                if !self.writable() {
                    out.reply(
                        req.id,
                        Reply::NotLeader {
                            leader: (self.primary != 0).then_some(self.primary),
                        },
                    );
                    return;
                }
                // Read, then wait until a no-op written after the read is
                // majority-committed: the read was not stale.
                let value = self.local.get(&req.cmd.key).copied();
                let at = self.append(None, out);
                self.wait(req.id, at, Some(value), out);
                return;
            }
            let primary_only = self.cfg.read_preference == "primary";
            if matches!(self.state, State::Rollback | State::Recovering)
                || self.arbiter()
                || (primary_only && self.state != State::Primary)
            {
                out.reply(
                    req.id,
                    Reply::NotLeader {
                        leader: (self.primary != 0).then_some(self.primary),
                    },
                );
                return;
            }
            if let Some(t) = self.cluster_time(req.after) {
                if self.read_point() < t {
                    let (me, at) = (self.id, self.read_point());
                    out.note(|| format!("S{me} holds the read: afterClusterTime {t} is past what it has applied ({at})"));
                    self.causal.push((req.id, req.cmd, t));
                    return;
                }
            }
            out.reply(req.id, self.read(&req.cmd));
            return;
        }
        if !self.writable() {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: (self.primary != 0).then_some(self.primary),
                },
            );
            return;
        }
        let cmd = req.cmd;
        if let Some(from) = cmd.cas {
            // An update with a filter runs at the primary: when the filter
            // matches nothing, nothing is written. (The real oplog holds
            // the update's effect; here the entry keeps the request, which
            // every member applies to the same data with the same result.)
            if self.local.get(&cmd.key) != Some(&from) {
                out.reply(
                    req.id,
                    Reply::Read {
                        index: op_index(self.last()),
                        value: self.local.get(&cmd.key).copied(),
                    },
                );
                return;
            }
        }
        let at = self.append(Some(cmd), out);
        if self.cfg.w_count() == Some(1) {
            out.reply(
                req.id,
                Reply::Ok {
                    index: op_index(at),
                },
            );
        } else {
            self.wait(req.id, at, None, out);
        }
    }

    fn on_action(&mut self, id: &str, out: &mut MongoOut) {
        if id == "stepdown" && self.state == State::Primary {
            let me = self.id;
            out.note(|| format!("S{me}: replSetStepDown"));
            self.step_down(out);
        }
    }

    fn durable(&self) -> MongoDurable {
        MongoDurable {
            oplog: self.oplog.clone(),
            term: self.term,
            voted: self.voted,
            commit: self.commit,
            rbid: self.rbid,
            removed: self.removed.clone(),
        }
    }

    fn leads(&self) -> Option<u64> {
        (self.state == State::Primary).then_some(self.term)
    }

    fn outcome(&self, index: u64) -> Outcome {
        if index >> 60 != 1 {
            return Outcome::Pending;
        }
        let (term, ts) = ((index >> 40) & 0xf_ffff, index & ((1 << 40) - 1));
        match ts.checked_sub(1).and_then(|i| self.oplog.get(i as usize)) {
            Some(op) if op.term & 0xf_ffff == term => Outcome::Committed(op.cmd),
            _ => Outcome::Pending,
        }
    }

    fn view_tail(&self, max: usize) -> NodeView {
        let role_name = match self.state {
            _ if self.arbiter() => role::ARBITER,
            State::Primary => role::PRIMARY,
            State::Rollback => role::ROLLBACK,
            State::Recovering => role::RECOVERING,
            State::Secondary if self.standing.is_some() => role::CANDIDATE,
            State::Secondary => role::SECONDARY,
        };
        let skip = self.oplog.len().saturating_sub(max);
        let log = self
            .oplog
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(i, op)| EntryView {
                term: op.term,
                text: op.cmd.map_or("noop".to_string(), |c| c.to_string()),
                committed: (i as u64) < self.commit,
                tag: (i + 1).to_string(),
                mark: "",
            })
            .collect();
        let mut details = vec![format!(
            "lastApplied {}, commit point {}, lastVote term {} S{}",
            self.last(),
            self.optime(self.commit).unwrap_or_default(),
            self.voted.0,
            self.voted.1
        )];
        if !self.members.votes(self.id) {
            details.push("votes 0: a non-voting member".to_string());
        }
        if self.arbiter() {
            details.push("arbiterOnly: votes, holds no data".to_string());
        } else if !self.cfg.priority.is_empty() {
            details.push(format!("priority {}", self.members.priority(self.id)));
        }
        if self.rbid > 0 {
            details.push(format!("rollback id {}", self.rbid));
        }
        if !self.removed.is_empty() {
            let ops: Vec<String> = self
                .removed
                .iter()
                .filter_map(|(ts, op)| op.cmd.map(|c| format!("{c} (ts {ts}, t{})", op.term)))
                .collect();
            details.push(format!("rollback/removed.bson: {}", ops.join(", ")));
        }
        if self.cfg.read_concern == "majority" {
            details.push(format!("majority snapshot {}", render(&self.major)));
        }
        if let Some(t) = self.causal.iter().map(|w| w.2).max() {
            details.push(format!(
                "{} read(s) held for afterClusterTime (up to {t})",
                self.causal.len()
            ));
        }
        let badge = match (self.state, self.catching_up, self.standing) {
            (State::Primary, Some(_), _) => "CATCH-UP".to_string(),
            (State::Rollback, ..) => "ROLLBACK".to_string(),
            (_, _, Some((_, true))) => "DRY RUN".to_string(),
            _ => String::new(),
        };
        NodeView {
            id: self.id,
            up: true,
            role: role_name,
            term: self.term,
            leading: self.state == State::Primary,
            headline: format!("term {}", self.term),
            // Newest oplog entry and commit point, short enough for the
            // node's circle (the details say them in full).
            subline: format!("ts {} cp {}", self.oplog.len(), self.commit),
            badge,
            details,
            log,
            log_offset: skip as u64,
            commit_index: self.commit,
            progress: if self.state == State::Primary {
                self.applied
                    .iter()
                    .map(|(&peer, at)| PeerProgress {
                        peer,
                        next: at.ts + 1,
                        matched: at.ts,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            state_machine: render(&self.local),
            members: 0,
        }
    }
}

impl Mongo {
    /// Append an entry of the current term at the primary.
    fn append(&mut self, cmd: Option<Command>, out: &mut MongoOut) -> OpTime {
        self.oplog.push(Op {
            term: self.term,
            cmd,
        });
        self.apply_entries();
        let at = self.last();
        self.applied.insert(self.id, at);
        self.flush_parked(out);
        at
    }
    /// Hold a client until its write concern (or linearizable read) is met.
    fn wait(&mut self, req: RequestId, at: OpTime, read: Option<Option<u32>>, out: &mut MongoOut) {
        self.waiting.push(Waiting { req, at, read });
        if self.cfg.wtimeout > 0 && read.is_none() {
            let t = self.cfg.ms(self.cfg.wtimeout);
            out.set_timer(MongoTimer::WTimeout(req), t, t);
        }
        self.advance_commit(out);
    }
}
