//! What a protocol tells everything else about itself: one [`Descriptor`]
//! constant per protocol folder, read by the UI, links, the scenario menu
//! and the conformance tests, so that none of them names a protocol.
//!
//! The registry (`crate::protocols`) is a list of these constants.

use crate::anysim::{AnySim, Setup};

/// A built-in scenario's explanation ([`BuiltIn::about`]). Native builds
/// keep it (its test checks each claim); the browser bundle leaves it out
/// and reads it from `i18n/scenarios.json` (written from these by
/// `tests/i18n.rs`) when a built-in scenario is first opened, which keeps
/// some 12 KiB of text out of the wasm.
#[cfg(not(target_arch = "wasm32"))]
#[macro_export]
macro_rules! about {
    ($text:expr) => {
        $text
    };
}

/// A built-in scenario's explanation: empty in the browser bundle (see the
/// native definition).
#[cfg(target_arch = "wasm32")]
#[macro_export]
macro_rules! about {
    ($text:expr) => {
        ""
    };
}
/// `native!(a, b)`: `a` in native builds, `b` in the browser bundle. For
/// what only tests and sweeps use (a protocol's chaos sweep and broken
/// variants): the browser never runs them, and leaving them out of the
/// wasm keeps their code and texts out of the bundle.
#[cfg(not(target_arch = "wasm32"))]
#[macro_export]
macro_rules! native {
    ($native:expr, $browser:expr) => {
        $native
    };
}

/// `native!(a, b)`: `b` in the browser bundle (see the native definition).
#[cfg(target_arch = "wasm32")]
#[macro_export]
macro_rules! native {
    ($native:expr, $browser:expr) => {
        $browser
    };
}

/// The browser bundle's chaos sweep (never run there): no settings.
pub fn no_sweep(_seed: u64, _nodes: u32) -> SweepCase {
    SweepCase {
        settings: serde_json::Value::Null,
        live: false,
        need: 0,
        toggles: false,
    }
}

use crate::script::Script;
use crate::sim::TraceMode;

/// A role a node can be in: its `data-role` value, the label drawn under
/// the node and its colour class (`lead`, `try` or `follow`).
#[derive(Clone, Copy, Debug)]
pub struct Role {
    /// The `data-role` value, as the engine's views report it.
    pub id: &'static str,
    /// The label drawn under the node.
    pub label: &'static str,
    /// Colour class: `lead`, `try` or `follow`.
    pub tone: &'static str,
}

/// A kind of message: its `data-kind`, the short label drawn on it and its
/// colour class (`elect`, `elect-reply`, `repl`, `repl-reply`, `beat`,
/// `decide`, `nack`; `beat` kinds are routine and hidden from the event log
/// unless asked).
#[derive(Clone, Copy, Debug)]
pub struct MsgKind {
    /// The kind, as `Message::kind` reports it.
    pub kind: &'static str,
    /// A two-or-three letter label drawn on the message.
    pub label: &'static str,
    /// Colour class.
    pub tone: &'static str,
}

/// A protocol-specific action on one node, offered in the node's menu as
/// `data-testid="action-{id}"`.
#[derive(Clone, Copy, Debug)]
pub struct NodeAction {
    /// Stable id, passed to `Protocol::on_action` and stored in links.
    pub id: &'static str,
    /// The menu entry.
    pub label: &'static str,
    /// One sentence on what it does (the entry's tooltip).
    pub hint: &'static str,
}

/// An on/off setting the controls offer: the id the UI uses, its label, and
/// the field of the protocol's settings it sets.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    /// Stable id (`data-testid="flag-{id}"`).
    pub id: &'static str,
    /// The checkbox label.
    pub label: &'static str,
    /// The field of the settings object (as serialised) it switches.
    pub field: &'static str,
}

/// A setting under its real name (`repl-backlog-size`), offered in the
/// controls' settings panel as `data-testid="setting-{name}"`: a checkbox
/// when its default is a boolean, a number input otherwise. Values are
/// checked by the protocol's own settings check before a run starts.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// The system's own name for it.
    pub name: &'static str,
    /// The field of the settings object (as serialised) it sets.
    pub field: &'static str,
    /// Its unit and meaning in a few words (`ms; 10000 in MySQL`).
    pub hint: &'static str,
}

/// A built-in classroom scenario: data plus a script that drives a real run
/// (so "crash the leader" crashes whoever leads at that moment).
#[derive(Clone, Copy)]
pub struct BuiltIn {
    /// Id for `?preset=` and the menu.
    pub id: &'static str,
    /// Title shown beside the cluster.
    pub title: &'static str,
    /// A paragraph on what to watch for; its test checks each claim.
    pub about: &'static str,
    /// Cluster size.
    pub nodes: u32,
    /// Seed.
    pub seed: u64,
    /// Settings other than the defaults, as a JSON object (`""` for none).
    pub settings: &'static str,
    /// Records the scenario's actions against a run of it.
    pub script: fn(&mut dyn Script),
    /// Chapters its text names, labelled on the timeline: (start in ms,
    /// short label, what happens in it). Empty for most.
    pub chapters: &'static [(u64, &'static str, &'static str)],
}

/// How the generic chaos sweep runs one seed of a protocol.
#[derive(Clone, Debug)]
pub struct SweepCase {
    /// Settings for this seed (`Value::Null` for the defaults).
    pub settings: serde_json::Value,
    /// Must the healed cluster serve a request? (Off where livelock is the
    /// point of a setting, as with duelling Paxos proposers.)
    pub live: bool,
    /// Nodes that must show the request for it to count as served (`0` = a
    /// majority).
    pub need: usize,
    /// May the sweep use the protocol's `toggle` node action?
    pub toggles: bool,
}

/// A deliberately broken variant and the sweep that must catch it: proof
/// that the checks bite.
#[derive(Clone, Copy)]
pub struct Variant {
    /// Short name (`vote-without-log-check`).
    pub name: &'static str,
    /// The rule it breaks, with its source.
    pub breaks: &'static str,
    /// Boot a run of the broken engine.
    pub boot: fn(&Setup, TraceMode) -> Box<dyn AnySim>,
    /// An invariant that must fire in at least one seed.
    pub caught_by: &'static str,
    /// Seeds to try (a smaller `SWEEP_SEEDS` lowers it).
    pub seeds: u64,
    /// Cluster sizes, cycled over seeds.
    pub nodes: &'static [u32],
    /// Simulated seconds of faults per seed.
    pub secs: u64,
    /// Percent of steps that crash the leader mid-write.
    pub storm: u64,
    /// May the sweep use the `toggle` node action?
    pub toggles: bool,
}

/// Everything the rest of the app knows about one protocol.
pub struct Descriptor {
    /// Name in links and `?protocol=` (`raft`).
    pub id: &'static str,
    /// Display title.
    pub title: &'static str,
    /// The source the engine follows.
    pub source: &'static str,
    /// A few sentences shown beside the cluster when no built-in scenario
    /// is open: what the model covers and what it leaves out (`""`: none).
    pub about: &'static str,
    /// Roles, in legend order.
    pub roles: &'static [Role],
    /// Message kinds, in legend order.
    pub messages: &'static [MsgKind],
    /// Invariants its checker enforces (plus the kernel's own).
    pub invariants: &'static [&'static str],
    /// Node menu actions beyond crash and restart.
    pub actions: &'static [NodeAction],
    /// Can servers join and leave the configuration while it runs? The
    /// leader then takes the node actions `add-K` and `remove-K`, and a
    /// server outside its configuration shows the role `non-voter`.
    pub membership: bool,
    /// On/off settings the controls offer.
    pub flags: &'static [Flag],
    /// Settings under their real names, in the controls' settings panel.
    pub params: &'static [Param],
    /// Timers (by their names in the trace) whose firing is routine: left
    /// out of the event log with routine messages unless asked for.
    pub routine_timers: &'static [&'static str],
    /// What the boxes of the log panel mean.
    pub log_legend: &'static str,
    /// The system's name for the point the log panel marks after the entry
    /// at [`crate::protocol::NodeView::commit_index`] (`commitIndex`, the
    /// high watermark, the global checkpoint).
    pub commit_mark: &'static str,
    /// Where client requests should go, in words.
    pub request_hint: &'static str,
    /// Does it offer client reads (through its log) and claim that reads
    /// and writes together are linearizable? The conformance sweep then
    /// sends reads too and checks the history.
    pub reads: bool,
    /// Does this configuration (its full settings) claim linearizable reads
    /// and writes? A non-linearizable history is then a violation (red);
    /// otherwise it is the lesson the setting teaches (amber), and
    /// `relaxed_by` names the setting.
    pub linearizable: fn(&serde_json::Value) -> bool,
    /// Does it acknowledge writes before they are safe (asynchronous
    /// replication)? The UI then counts the acknowledged writes the current
    /// leader lacks: the lost writes, shown as the lesson.
    pub loses_writes: bool,
    /// The setting that gives up linearizability, in words (for the lesson).
    pub relaxed_by: fn(&serde_json::Value) -> &'static str,
    /// Built-in scenarios, in menu order.
    pub scenarios: &'static [BuiltIn],
    /// Boot a run (settings already checked by `settings`).
    pub boot: fn(&Setup, TraceMode) -> Box<dyn AnySim>,
    /// Parse and check settings (`Null` = defaults); the full settings
    /// object, or a plain-words reason.
    pub settings: fn(&serde_json::Value) -> Result<serde_json::Value, String>,
    /// How the generic chaos sweep runs one seed.
    pub sweep: fn(seed: u64, nodes: u32) -> SweepCase,
    /// Broken variants and how to catch them.
    pub variants: &'static [Variant],
}

impl std::fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl Descriptor {
    /// One of its texts the browser bundle leaves out (`source`,
    /// `log_legend`, `request_hint`: `own` is empty there), read from the
    /// fetched texts by `{id}:{field}`.
    pub fn text(&self, own: &'static str, field: &str) -> String {
        crate::i18n::text_of(own, &format!("{}:{field}", self.id))
    }

    /// The role entry for `id`, if the protocol declares it.
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }
    /// The message entry for `kind`, if declared.
    pub fn message(&self, kind: &str) -> Option<&MsgKind> {
        self.messages.iter().find(|k| k.kind == kind)
    }
    /// The label drawn under a node in `role` (empty if undeclared).
    pub fn role_label(&self, role: &str) -> &'static str {
        self.role(role).map(|r| r.label).unwrap_or("")
    }
    /// The colour class of `role` (`follow` if undeclared).
    pub fn role_tone(&self, role: &str) -> &'static str {
        self.role(role).map(|r| r.tone).unwrap_or("follow")
    }
    /// The label drawn on a message of `kind`.
    pub fn msg_label(&self, kind: &str) -> &'static str {
        self.message(kind).map(|k| k.label).unwrap_or("msg")
    }
    /// The colour class of a message kind (`beat` if undeclared).
    pub fn msg_tone(&self, kind: &str) -> &'static str {
        self.message(kind).map(|k| k.tone).unwrap_or("beat")
    }
}
