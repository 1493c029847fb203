//! A toy protocol, used only in tests, to show what adding a protocol takes:
//! this one file (engine, checker, scenario, broken variant and descriptor)
//! plus one registration line (here the conformance suite's list; in the app,
//! `protocols::REGISTRY`). "Single primary, no replication": S1 applies every
//! write to its own durable log and answers; the other nodes stand by and
//! hear a heartbeat. It claims nothing beyond "only the primary writes".

use replviz::anysim::{boot, boot_with, settings_json};
use replviz::descriptor::{BuiltIn, Descriptor, MsgKind, NodeAction, Role, SweepCase, Variant};
use replviz::protocol::{
    Command, EntryView, Message, NodeView, Out, Outcome, Protocol, Reply, Request, Settings,
    TimerInfo,
};
use replviz::script::{request, Script, MS};
use replviz::sim::check::{Checked, Checker};
use replviz::sim::NodeId;

/// The invariant its checker enforces.
pub const SINGLE_WRITER: &str = "Single Writer";
const PRIMARY: NodeId = 1;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToyConfig {
    /// Broken variant: every node accepts writes (not a setting).
    pub everyone_writes: bool,
}
impl Settings for ToyConfig {
    fn fields(&mut self, _: replviz::settings::Visit<'_>) {}
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Beat;
impl Message for Beat {
    fn kind(&self) -> &'static str {
        "Beat"
    }
    fn describe(&self) -> String {
        "I am the primary".into()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tick;
impl TimerInfo for Tick {
    fn name(&self) -> &'static str {
        "beat"
    }
    fn shown_as_ring(&self) -> bool {
        false
    }
}

#[derive(Clone, Debug)]
pub struct Toy {
    id: NodeId,
    peers: Vec<NodeId>,
    writes: bool,
    log: Vec<Command>,
}

impl Protocol for Toy {
    type Config = ToyConfig;
    type Msg = Beat;
    type Obs = ();
    type Timer = Tick;
    type Durable = Vec<Command>;
    const NAME: &'static str = "toy";
    const READS: bool = true;

    fn boot(
        id: NodeId,
        peers: &[NodeId],
        cfg: &ToyConfig,
        durable: Option<Vec<Command>>,
        out: &mut Out<Beat, Tick>,
    ) -> Self {
        if id == PRIMARY {
            out.set_timer(Tick, 100 * MS, 100 * MS);
            out.became_leader(1);
        }
        Toy {
            id,
            peers: peers.to_vec(),
            writes: id == PRIMARY || cfg.everyone_writes,
            log: durable.unwrap_or_default(),
        }
    }
    fn on_message(&mut self, _: NodeId, _: Beat, _: &mut Out<Beat, Tick>) {}
    fn on_timer(&mut self, _: Tick, out: &mut Out<Beat, Tick>) {
        replviz::protocols::common::broadcast(out, &self.peers, Beat);
        out.set_timer(Tick, 100 * MS, 100 * MS);
    }
    fn on_request(&mut self, req: Request, out: &mut Out<Beat, Tick>) {
        // The primary's own log is the truth: it answers reads from it, and
        // a compare-and-set that finds another value is answered as a read.
        let value = self
            .log
            .iter()
            .rev()
            .find(|c| c.key == req.cmd.key && !c.read)
            .map(|c| c.value);
        let failed_cas = req.cmd.cas.is_some() && req.cmd.cas != value;
        if self.writes && (req.cmd.read || failed_cas) {
            let index = self.log.len() as u64;
            out.reply(req.id, Reply::Read { index, value });
        } else if self.writes {
            self.log.push(req.cmd);
            out.reply(
                req.id,
                Reply::Ok {
                    index: self.log.len() as u64,
                },
            );
        } else {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(PRIMARY),
                },
            );
        }
    }
    fn on_action(&mut self, id: &str, out: &mut Out<Beat, Tick>) {
        if id == "wave" {
            let me = self.id;
            out.note(|| format!("S{me} waves"));
        }
    }
    fn durable(&self) -> Vec<Command> {
        self.log.clone()
    }
    fn view_tail(&self, max: usize) -> NodeView {
        let skip = self.log.len().saturating_sub(max);
        let mut kv = replviz::protocols::common::Kv::new();
        for c in &self.log {
            replviz::protocols::common::apply(&mut kv, c);
        }
        NodeView {
            id: self.id,
            up: true,
            role: if self.id == PRIMARY {
                "primary"
            } else {
                "standby"
            },
            term: 1,
            leading: self.id == PRIMARY,
            headline: String::new(),
            subline: String::new(),
            badge: String::new(),
            details: Vec::new(),
            log: self.log[skip..]
                .iter()
                .map(|c| EntryView {
                    term: 1,
                    text: c.to_string(),
                    committed: true,
                    tag: String::new(),
                    mark: "",
                })
                .collect(),
            log_offset: skip as u64,
            commit_index: self.log.len() as u64,
            progress: Vec::new(),
            state_machine: replviz::protocols::common::render(&kv),
            members: 0,
        }
    }
    fn leads(&self) -> Option<u64> {
        (self.id == PRIMARY).then_some(1)
    }
    fn outcome(&self, index: u64) -> Outcome {
        match self.log.get((index as usize).wrapping_sub(1)) {
            Some(c) => Outcome::Committed(Some(*c)),
            None => Outcome::Pending,
        }
    }
}

/// Only the primary's log holds writes.
#[derive(Clone, Debug, Default)]
pub struct ToyChecker;
impl Checker<Toy> for ToyChecker {
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<Toy>],
        _seen: &[()],
        found: &mut Vec<(&'static str, String)>,
    ) {
        if let Some(Some(n)) = nodes.get((acted - 1) as usize) {
            if acted != PRIMARY && !n.log.is_empty() {
                found.push((SINGLE_WRITER, format!("S{acted} wrote {}", n.log[0])));
            }
        }
    }
}
impl Checked for Toy {
    type Checker = ToyChecker;
}

fn two_writes(s: &mut dyn Script) {
    request(s, 200 * MS, 1, replviz::protocols::common::cmd(0, 1));
    request(s, 300 * MS, 1, replviz::protocols::common::cmd(1, 2));
}

/// The toy as the rest of the app would see it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "toy",
    title: "Toy: single primary",
    source: "none (a test fixture)",
    about: "",
    roles: &[
        Role {
            id: "primary",
            label: "★ primary",
            tone: "lead",
        },
        Role {
            id: "standby",
            label: "standby",
            tone: "follow",
        },
    ],
    messages: &[MsgKind {
        kind: "Beat",
        label: "HB",
        tone: "beat",
    }],
    invariants: &[SINGLE_WRITER, replviz::sim::acks::INVARIANT],
    membership: false,
    actions: &[NodeAction {
        id: "wave",
        label: "Wave",
        hint: "The node notes that it waves.",
    }],
    flags: &[],
    params: &[],
    routine_timers: &[],
    log_legend: "one box per write",
    commit_mark: "commitIndex",
    request_hint: "Send writes to S1.",
    reads: true,
    linearizable: |_| true,
    loses_writes: false,
    relaxed_by: |_| "",
    scenarios: &[BuiltIn {
        id: "toy-two-writes",
        title: "Toy: two writes",
        about: "S1 takes x=1 at 0.2 s and y=2 at 0.3 s.",
        nodes: 3,
        seed: 1,
        settings: "",
        script: two_writes,
        chapters: &[],
    }],
    boot: boot::<Toy>,
    settings: settings_json::<Toy>,
    sweep: |_, _| SweepCase {
        settings: serde_json::Value::Null,
        live: true,
        need: 1,
        toggles: false,
    },
    variants: &[Variant {
        name: "everyone-writes",
        breaks: "the toy's one rule: only the primary writes",
        boot: |s, m| boot_with::<Toy>(s, m, |c| c.everyone_writes = true),
        caught_by: SINGLE_WRITER,
        seeds: 20,
        nodes: &[3],
        secs: 10,
        storm: 0,
        toggles: false,
    }],
};
