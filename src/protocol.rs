//! The contract between the simulation kernel and a protocol engine.
//!
//! Engines are sans-IO state machines in the style of stateright's `Actor`
//! and raft-rs's `step()`: every handler receives its input and an [`Out`]
//! buffer into which it pushes effects (send, set/cancel timer, reply to a
//! client, note). No engine sees the clock, the queue, the RNG or the browser;
//! timers are requested as ranges that the kernel resolves with its seeded RNG.
//! Each engine also renders a protocol-agnostic [`NodeView`] for the UI,
//! and each protocol describes itself to the rest of the app with one
//! [`crate::descriptor::Descriptor`].
//!
//! The few types the kernel and engines both need (time, node ids,
//! transports) are defined here and re-exported by the kernel, so that the
//! contract imports nothing and everything else imports it.

use serde::{Deserialize, Serialize};
use std::fmt::Debug;

/// Virtual time in microseconds since the start of the run.
pub type Time = u64;
/// A node id, 1-based.
pub type NodeId = u32;

/// How a protocol's messages travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Independent datagrams: lost, duplicated and reordered.
    Datagram,
    /// Ordered connections: loss becomes retransmission delay; a cut or a
    /// crash breaks the connection, and each end learns it by its own timeout.
    Connection,
}

/// Identifies one client request across its whole life.
pub type RequestId = u64;

/// A key of the replicated key-value store (`x`, `y`, `z`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key(pub u8);

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = (b'x' + self.0 % 3) as char;
        if self.0 < 3 {
            write!(f, "{c}")
        } else {
            write!(f, "k{}", self.0)
        }
    }
}

/// A client command for the replicated key-value state machine: a write of
/// `value` to `key`, or (`read`) a read of `key` that goes through the log
/// like a write and is answered with the value the key holds when it is
/// applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Command {
    /// The key written or read.
    pub key: Key,
    /// The value written (for a read, a number that tells it apart from
    /// other reads of the same key).
    pub value: u32,
    /// A read, not a write. Links before reads have no such field.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read: bool,
    /// A compare-and-set: write `value` only if the key holds this value
    /// (Jepsen's `cas`). Links before it have no such field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cas: Option<u32>,
}

impl Command {
    /// A write of `value` to `key`.
    pub fn write(key: Key, value: u32) -> Self {
        Command {
            key,
            value,
            read: false,
            cas: None,
        }
    }
    /// Set `key` to `to` if it holds `from`.
    pub fn cas(key: Key, from: u32, to: u32) -> Self {
        Command {
            cas: Some(from),
            ..Command::write(key, to)
        }
    }
    /// A read of `key` (`tag` tells reads of one key apart).
    pub fn read(key: Key, tag: u32) -> Self {
        Command {
            key,
            value: tag,
            read: true,
            cas: None,
        }
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.read, self.cas) {
            (true, _) => write!(f, "read {}", self.key),
            (false, Some(from)) => write!(f, "cas {} {from}→{}", self.key, self.value),
            (false, None) => write!(f, "{}={}", self.key, self.value),
        }
    }
}

/// A client request delivered to one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// Kernel-assigned id.
    pub id: RequestId,
    /// What the client asks for.
    pub cmd: Command,
    /// The session's operation time: the highest index its earlier
    /// requests were answered with (0: none yet). A causally consistent
    /// session sends it as `afterClusterTime` (MongoDB); engines without
    /// sessions ignore it. The user at the keyboard is one session, each
    /// workload client another.
    pub after: u64,
}

impl Reply {
    /// The index the answer names, if any (an operation time).
    pub fn index(&self) -> Option<u64> {
        match *self {
            Reply::Ok { index } | Reply::Aborted { index } | Reply::Read { index, .. } => {
                Some(index)
            }
            Reply::NotLeader { .. } | Reply::Unknown => None,
        }
    }
}

/// The answer a node gives a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Committed and applied at the given log index.
    Ok { index: u64 },
    /// This node cannot serve the request; `leader` is its best guess.
    NotLeader { leader: Option<NodeId> },
    /// Outcome unknown: the node lost its role before the request finished,
    /// or a write concern or request timed out (the write may still apply).
    Unknown,
    /// The request (a transaction) was aborted; nothing was written.
    Aborted { index: u64 },
    /// A read, applied at `index`, found `value` (`None`: nothing written).
    Read { index: u64, value: Option<u32> },
}

/// What one node holds as decided at the index a [`Reply::Ok`] or
/// [`Reply::Aborted`] names (log index, slot, delivery number, transaction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not (yet) known committed or aborted at this node.
    Pending,
    /// Committed with this command (`None`: a no-op or another kind of entry).
    Committed(Option<Command>),
    /// Aborted: nothing was written.
    Aborted,
}

/// How a message describes itself to the trace and the animation.
/// Messages derive `serde::Serialize` so that a run can count the bytes
/// they would take on the wire ([`crate::sim::Sim::count_bytes`]).
pub trait Message: Clone + Debug + serde::Serialize {
    /// A short stable kind, used as `data-kind` and for colour (e.g. `RequestVote`).
    fn kind(&self) -> &'static str;
    /// A one-line description of the contents, for the event log.
    fn describe(&self) -> String;
}

/// How a timer describes itself.
pub trait TimerInfo: Copy + Debug + Ord {
    /// A short name for the event log.
    fn name(&self) -> &'static str;
    /// Whether the UI draws this timer as the node's progress ring.
    fn shown_as_ring(&self) -> bool;
}

/// One effect requested by an engine.
#[derive(Clone, Debug)]
pub enum Effect<M, T, O = ()> {
    /// Send `msg` to node `to`.
    Send(NodeId, M),
    /// (Re)arm a timer to fire after a delay drawn uniformly from `lo..=hi`.
    SetTimer(T, Time, Time),
    /// Disarm a timer.
    CancelTimer(T),
    /// Answer a client request.
    Reply(RequestId, Reply),
    /// A plain-words note for the event log ("S3 grants vote to S1 for term 4").
    Note(String),
    /// This node became leader of the given term.
    Leader(u64),
    /// Close the ordered connection to node `to` (both directions) and
    /// open a new one: whatever is still in flight or being retransmitted
    /// on the old one is lost. Only meaningful with
    /// [`Transport::Connection`]; what a Redis sentinel does to a link whose
    /// command has waited too long.
    Reconnect(NodeId),
    /// Something the protocol's checker needs to see (a value accepted,
    /// chosen or delivered, a log record written): handed to the checker
    /// after the handler, never traced.
    Observe(O),
}

/// The buffer of effects an engine handler fills.
pub struct Out<M, T, O = ()> {
    pub(crate) effects: Vec<Effect<M, T, O>>,
    notes: bool,
    pub(crate) now: Time,
    /// The node's wall clock minus true time (µs; the user sets it).
    pub(crate) skew: i64,
}

impl<M, T, O> Out<M, T, O> {
    /// An empty buffer; `notes` says whether notes are recorded at all.
    pub fn new(notes: bool) -> Self {
        Out {
            effects: Vec::new(),
            notes,
            now: 0,
            skew: 0,
        }
    }
    /// A buffer whose handler runs at virtual time `now` (tests that drive an
    /// engine by hand).
    pub fn at(notes: bool, now: Time) -> Self {
        Out {
            effects: Vec::new(),
            notes,
            now,
            skew: 0,
        }
    }
    /// The virtual time at which the handler runs. Time is an input, as in
    /// quinn-proto: engines never read a clock; the kernel passes it in.
    pub fn now(&self) -> Time {
        self.now
    }
    /// What the node's own wall clock reads (µs): the virtual time plus the
    /// offset the user gave its clock. Protocols that timestamp (leases,
    /// last-write-wins) read this, never the browser's clock.
    pub fn wall(&self) -> i64 {
        self.now as i64 + self.skew
    }
    /// Send `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.effects.push(Effect::Send(to, msg));
    }
    /// Arm `timer` with a delay drawn from `lo..=hi` microseconds.
    pub fn set_timer(&mut self, timer: T, lo: Time, hi: Time) {
        self.effects.push(Effect::SetTimer(timer, lo, hi));
    }
    /// Disarm `timer`.
    pub fn cancel_timer(&mut self, timer: T) {
        self.effects.push(Effect::CancelTimer(timer));
    }
    /// Answer client request `id`.
    pub fn reply(&mut self, id: RequestId, reply: Reply) {
        self.effects.push(Effect::Reply(id, reply));
    }
    /// Record a note; the closure only runs when notes are on (they cost an
    /// allocation). With notes off an empty note still marks the spot, so
    /// trace positions are identical in every trace mode.
    pub fn note(&mut self, f: impl FnOnce() -> String) {
        let text = if self.notes { f() } else { String::new() };
        self.effects.push(Effect::Note(text));
    }
    /// Close the connection to `to` and open a new one ([`Effect::Reconnect`]).
    pub fn reconnect(&mut self, to: NodeId) {
        self.effects.push(Effect::Reconnect(to));
    }
    /// Announce that this node became leader (primary, coordinator) of `term`;
    /// the timeline marks it.
    pub fn became_leader(&mut self, term: u64) {
        self.effects.push(Effect::Leader(term));
    }
    /// Report an observation to the protocol's checker.
    pub fn observe(&mut self, o: O) {
        self.effects.push(Effect::Observe(o));
    }
    /// The effects pushed so far (for tests that drive an engine by hand).
    pub fn effects(&self) -> &[Effect<M, T, O>] {
        &self.effects
    }
    /// Take the effects out, leaving the buffer empty.
    pub fn drain(&mut self) -> std::vec::Drain<'_, Effect<M, T, O>> {
        self.effects.drain(..)
    }
}

pub use crate::settings::Settings;

/// A sans-IO replication protocol engine for one node.
pub trait Protocol: Clone + Debug + 'static {
    /// Protocol settings shared by every node.
    type Config: Settings;
    /// The messages nodes exchange.
    type Msg: Message;
    /// The timers a node can arm.
    type Timer: TimerInfo;
    /// What the engine reports to its checker through [`Out::observe`]
    /// (`()` for engines whose checker reads node states only).
    type Obs: Clone + Debug;
    /// What survives a crash (written to stable storage before replying).
    type Durable: Clone + Debug;

    /// The protocol's name as used in links (`raft`).
    const NAME: &'static str;
    /// How its messages travel: datagrams (the default, as the Raft and
    /// Paxos papers assume) or ordered connections (TCP-based systems).
    const TRANSPORT: Transport = Transport::Datagram;
    /// Does it answer client reads (`Command::read`)? The workload's
    /// clients only send reads where it does.
    const READS: bool = false;
    /// No node leads: any node coordinates (Cassandra). Scripts, tests and
    /// the partition shapes then take the first running node where they
    /// would take the leader; [`Protocol::leads`] stays `None`.
    const LEADERLESS: bool = false;

    /// Boot a node (fresh when `durable` is `None`, otherwise restarting).
    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &Self::Config,
        durable: Option<Self::Durable>,
        out: &mut Out<Self::Msg, Self::Timer, Self::Obs>,
    ) -> Self;
    /// Handle a message from `from`.
    fn on_message(
        &mut self,
        from: NodeId,
        msg: Self::Msg,
        out: &mut Out<Self::Msg, Self::Timer, Self::Obs>,
    );
    /// Handle an expired timer.
    fn on_timer(&mut self, timer: Self::Timer, out: &mut Out<Self::Msg, Self::Timer, Self::Obs>);
    /// Handle a client request arriving at this node.
    fn on_request(&mut self, req: Request, out: &mut Out<Self::Msg, Self::Timer, Self::Obs>);
    /// The user chose one of the protocol's node actions (its descriptor's
    /// `actions`; `timeout` forces the node's main timeout, as Raft's
    /// election timeout). Unknown ids do nothing.
    fn on_action(&mut self, id: &str, out: &mut Out<Self::Msg, Self::Timer, Self::Obs>);
    /// The state that survives a crash.
    fn durable(&self) -> Self::Durable;
    /// What survives a power loss of a node whose durable state is `d`: a
    /// crash keeps everything the protocol wrote to disk; a power loss also
    /// loses what it had not flushed yet. Raft, Paxos and Zab flush before
    /// they answer (their papers require it), so by default nothing more
    /// is lost; the real systems override this with their flush policies.
    fn power_loss(d: Self::Durable) -> Self::Durable {
        d
    }
    /// What the UI shows of this node, with only the last `max` log entries
    /// (the UI draws a window of the log; building the whole log on every
    /// frame would cost time in proportion to the run's length).
    fn view_tail(&self, max: usize) -> NodeView;
    /// What the UI shows of this node, with the whole log.
    fn view(&self) -> NodeView {
        self.view_tail(usize::MAX)
    }
    /// `Some(term)` when this node leads (leader, coordinator, primary) in
    /// that term/ballot/epoch: a cheap form of `view().leading`.
    fn leads(&self) -> Option<u64>;
    /// What this node holds as decided at `index`, the index its replies
    /// name: the kernel checks every acknowledgement against it.
    fn outcome(&self, index: u64) -> Outcome;
}

/// One log entry as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryView {
    /// Term/epoch/ballot that created the entry (drives its colour).
    pub term: u64,
    /// Short text, e.g. `x=3` or `no-op`.
    pub text: String,
    /// Known committed (chosen, delivered, decided) by this node.
    pub committed: bool,
    /// The small label in the entry's box (Raft: the term; Paxos: the ballot).
    pub tag: String,
    /// An extra state drawn on the box as a CSS class suffix: `""`, `hole`,
    /// `aborted`, `prepared`, `blocked`.
    pub mark: &'static str,
}

/// A leader's replication progress towards one follower.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerProgress {
    /// The follower.
    pub peer: NodeId,
    /// Next index to send (Raft's nextIndex).
    pub next: u64,
    /// Highest index known replicated (Raft's matchIndex).
    pub matched: u64,
}

/// A protocol-agnostic picture of one node, rendered by the generic UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Node id (1-based).
    pub id: NodeId,
    /// Is the node running?
    pub up: bool,
    /// Role name, used as `data-role` and for colour (`follower`, `candidate`, `leader`).
    pub role: &'static str,
    /// Current term / epoch / ballot round (drives `data-term`).
    pub term: u64,
    /// Is this node the one that currently leads (leader, coordinator, primary)?
    pub leading: bool,
    /// The first line drawn inside the node (`term 3`, `bal 3.2`, `epoch 2`).
    pub headline: String,
    /// The second line drawn inside the node (`vote S2`, `promised 3.2`).
    pub subline: String,
    /// A state that needs the class's attention, drawn as a labelled badge
    /// on the node (2PC: "BLOCKED 1.2 s"); empty for none.
    pub badge: String,
    /// Protocol-specific facts for the log panel (`phase: broadcast`, `lock x by T3`).
    pub details: Vec<String>,
    /// The node's log: its last entries when the view is a window.
    pub log: Vec<EntryView>,
    /// How many entries come before `log[0]` (0 for the whole log).
    pub log_offset: u64,
    /// Index of the highest committed entry (1-based; 0 = none).
    pub commit_index: u64,
    /// Replication progress (leaders only).
    pub progress: Vec<PeerProgress>,
    /// The state machine's contents, e.g. `x=3 y=1`.
    pub state_machine: String,
    /// The configuration this node uses (bit `i` for `Si`) where servers
    /// join and leave; 0 where the protocol has no membership changes.
    pub members: u32,
}

impl NodeView {
    /// The same view with at most the last `max` log entries.
    pub fn tail(&self, max: usize) -> NodeView {
        let skip = self.log.len().saturating_sub(max);
        NodeView {
            role: self.role,
            headline: self.headline.clone(),
            subline: self.subline.clone(),
            badge: self.badge.clone(),
            details: self.details.clone(),
            log: self.log[skip..].to_vec(),
            log_offset: self.log_offset + skip as u64,
            progress: self.progress.clone(),
            state_machine: self.state_machine.clone(),
            ..*self
        }
    }
}
