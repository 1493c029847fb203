//! The app's reactive state and the animation loop.
//!
//! The run lives in a non-reactive local `StoredValue<Timeline>` (engine,
//! checkpoints, master trace); after every change the relevant snapshots
//! (node views, links, messages in flight, event log, violations, markers)
//! are copied into signals. The clock signal `now` moves every animation
//! frame; everything that animates reads it.

use crate::i18n::trf;
use crate::link;
use crate::protocol::{Command, Key, NodeView};
use crate::protocols::ProtocolKind;
use crate::scenario::{parse_query, Scenario};
use crate::scenarios as presets;
use crate::sim::net::LinkState;
use crate::sim::trace::{TraceEvent, TraceKind};
use crate::sim::{Action, NodeId, Time};
use crate::timeline::{Marker, Timeline};
use leptos::prelude::*;

/// Virtual microseconds per wall millisecond at 1x: 1x plays at a tenth of
/// real time, so a 10–25 ms message takes 0.1–0.25 s on screen.
pub const US_PER_WALL_MS_AT_1X: f64 = 100.0;

/// How long (virtual µs) a dropped message stays visible after it is lost.
pub const DROP_FADE: Time = 30_000;

/// A message drawn on a link.
#[derive(Clone, Debug, PartialEq)]
pub struct MsgAnim {
    /// Message id (the key).
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Kind, as in the trace.
    pub kind: &'static str,
    /// Sent at.
    pub sent: Time,
    /// Delivered or dropped at.
    pub arrive: Time,
    /// Will be (or was) dropped.
    pub dropped: bool,
    /// Lost half-way (random loss or a cut at send time).
    pub half: bool,
    /// Retransmissions on its connection (each one a loss turned into delay).
    pub retries: u8,
    /// Plain-words summary.
    pub text: String,
}

/// An open popup menu.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Menu {
    /// Actions on a node.
    Node(NodeId),
    /// Actions on the link between two nodes.
    Link(NodeId, NodeId),
    /// The links of a workload client.
    Client(u32),
}

/// All app state; `Copy` so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct AppState {
    tl: StoredValue<Timeline, LocalStorage>,
    /// Virtual time shown (µs).
    pub now: RwSignal<Time>,
    /// The furthest time simulated.
    pub frontier: RwSignal<Time>,
    /// The time of the scenario's last recorded action (its script's end).
    pub script_end: RwSignal<Time>,
    /// Is time running?
    pub playing: RwSignal<bool>,
    /// Speed as log10 of the multiplier (-1 ..= 1).
    pub speed_log: RwSignal<f64>,
    /// Node pictures.
    pub nodes: RwSignal<Vec<NodeView>>,
    /// Is the space-time diagram on screen? Off screen it is not redrawn.
    pub diagram_shown: RwSignal<bool>,
    /// The same views for the logs panel, which follows a playing run at
    /// the text panels' pace ([`TEXT_EVERY_MS`]).
    pub logs: RwSignal<Vec<NodeView>>,
    /// Election-timer rings: (armed, fires) per node.
    pub rings: RwSignal<Vec<Option<(Time, Time)>>>,
    /// Link states for every pair a < b.
    pub links: RwSignal<Vec<(NodeId, NodeId, LinkState)>>,
    /// Messages in flight (and recently dropped).
    pub msgs: RwSignal<Vec<MsgAnim>>,
    /// Show routine traffic (heartbeats, pings and their timers) in the event log.
    pub show_routine: RwSignal<bool>,
    /// Recent events in plain words: (index, time, text, weight), the
    /// weight from [`weight`].
    pub events: RwSignal<Vec<(usize, Time, String, u8)>>,
    /// Violations in plain words.
    pub violations: RwSignal<Vec<String>>,
    /// Timeline markers.
    pub markers: RwSignal<Vec<Marker>>,
    /// Can the last fork be undone?
    pub can_undo: RwSignal<bool>,
    /// When the user first changed a built-in scenario's run (its text may
    /// no longer describe what follows).
    pub departed: RwSignal<Option<Time>>,
    /// Is the Settings panel open (it stays open across the runs its
    /// changes start; Escape closes it)?
    pub settings_open: RwSignal<bool>,
    /// The reader asked for less motion (`prefers-reduced-motion`):
    /// messages jump from the sender's side to the receiver's half way
    /// through their flight instead of gliding.
    pub reduced_motion: bool,
    /// Are recorded or scripted actions still to come after the cursor?
    pub future_actions: RwSignal<bool>,
    /// Open menu.
    pub menu: RwSignal<Option<Menu>>,
    /// The run was playing when a menu opened: resume when it closes.
    resume_after_menu: StoredValue<bool>,
    /// Messages for the error banner.
    pub errors: RwSignal<Vec<String>>,
    /// Cluster size.
    pub node_count: RwSignal<u32>,
    /// Nodes outside the configuration the leader uses (bit `i` for `Si`),
    /// drawn off the ring.
    pub off_ring: RwSignal<u32>,
    /// Seed.
    pub seed: RwSignal<u64>,
    /// Protocol.
    pub protocol: RwSignal<ProtocolKind>,
    /// The linearizability verdict on the client history: (`none`, `ok`,
    /// `violation`, `lesson` or `undecided`; operations; explanation).
    pub lin: RwSignal<LinStatus>,
    /// The acknowledged writes the current leader lacks, in words (empty
    /// when none, or when the protocol never loses acknowledged writes).
    pub lost: RwSignal<String>,
    /// The last client operations, for the history panel.
    pub bars: RwSignal<Vec<OpBar>>,
    /// The run's metrics so far, as the history panel's cells (markup).
    pub metrics: RwSignal<String>,
    lin_sig: StoredValue<(usize, usize)>,
    /// Simulated clients of the run's workload.
    pub clients: RwSignal<u32>,
    /// A Jepsen history imported into the diagram (the run goes on below).
    pub imported: RwSignal<Option<Imported>>,
    /// Per node: paused until (0: running), clock offset (µs), rate (%).
    pub faults: RwSignal<Vec<(Time, i64, u32)>>,
    /// Workload clients of the run on screen (drawn beside the ring).
    pub clients_drawn: RwSignal<u32>,
    /// Scenario title and explanation (built-in scenarios).
    pub about: RwSignal<(String, String)>,
    /// The last link produced by "Copy link".
    pub link_out: RwSignal<String>,
    /// Bumped when the scenario's tour is edited ([`AppState::tour`]).
    tour_rev: RwSignal<u32>,
    /// Writing a tour: the tour box offers to add and delete beats.
    pub authoring: RwSignal<bool>,
    /// A tour's "Next" plays to this time and pauses there.
    stop_at: StoredValue<Option<Time>>,
    /// Presenter mode: large type, the controls reduced to the tour's.
    pub presenter: RwSignal<bool>,
    /// Presenter mode's blank screen (B).
    pub blank: RwSignal<bool>,
    /// Embed mode (`?embed=1`): no header, a small overlay of controls.
    pub embed: bool,
    /// A pane of a compare page (`?pane=i`, in its frame): its clock is
    /// the compare page's ([`pane_clock`]), its metrics go to it
    /// ([`publish`]).
    pub pane: Option<usize>,
    /// How many of the compare page's mirrored actions ([`mirror`]) this
    /// pane has read.
    seen: StoredValue<u32>,
    /// Duration of the last seek in wall milliseconds.
    pub seek_ms: RwSignal<f64>,
    next_value: StoredValue<u32>,
    last_sig: StoredValue<(u64, usize, usize)>,
    /// While playing, when the text panels are due again (wall ms), and
    /// whether a refresh left them behind ([`TEXT_EVERY_MS`]).
    text_due: StoredValue<(f64, bool)>,
    /// While playing, the logs panel is redrawn on the frame after the
    /// other text panels: each costs milliseconds of layout under load,
    /// and together they missed a frame.
    logs_due: StoredValue<bool>,
    last_frame: StoredValue<Option<f64>>,
    /// The random nemesis, while it is on.
    nemesis: StoredValue<Option<crate::nemesis::Nemesis>>,
}

fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

thread_local! {
    /// Problems met before the app started (the Chinese texts not loading):
    /// [`AppState::new`] shows them in the error banner.
    pub static START_ERRORS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The scenario link in the page's fragment, opened (inflated by the
    /// browser, asynchronously) before the app starts: [`AppState::new`]
    /// takes it.
    pub static OPENED_LINK: std::cell::RefCell<Option<Result<link::LinkPayload, link::LinkError>>> =
        const { std::cell::RefCell::new(None) };
}

impl AppState {
    /// State for the run the URL asks for: a scenario link in the fragment,
    /// a built-in scenario, or `?nodes=&seed=`.
    pub fn new() -> Self {
        let loc = web_sys::window().map(|w| w.location());
        let search = loc
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let q = parse_query(&search);
        let mut errors = q.errors.clone();
        errors.extend(START_ERRORS.with(|e| e.take()));
        let mut start_at = None;
        let mut scenario = Scenario {
            nodes: q.nodes,
            seed: q.seed,
            protocol: q.protocol,
            ..Scenario::default()
        };
        if let Some(p) = q.preset.as_deref().and_then(presets::build) {
            scenario = p;
            start_at = Some(0);
        }
        if let Some(opened) = OPENED_LINK.with(|l| l.borrow_mut().take()) {
            match opened {
                Ok(p) => {
                    scenario = p.s;
                    start_at = Some(p.at);
                }
                Err(e) => errors.push(format!("{e} A fresh default run was started instead.")),
            }
        }
        let mut tl = Timeline::new(scenario.clone());
        if let Some(at) = start_at {
            tl.advance_to(at);
        }
        let s = AppState {
            tl: StoredValue::new_local(tl),
            now: RwSignal::new(start_at.unwrap_or(0)),
            frontier: RwSignal::new(0),
            script_end: RwSignal::new(0),
            playing: RwSignal::new(start_at.is_none()),
            speed_log: RwSignal::new(0.0),
            nodes: RwSignal::new(Vec::new()),
            logs: RwSignal::new(Vec::new()),
            metrics: RwSignal::new(String::new()),
            diagram_shown: RwSignal::new(true),
            rings: RwSignal::new(Vec::new()),
            links: RwSignal::new(Vec::new()),
            clients_drawn: RwSignal::new(0),
            faults: RwSignal::new(Vec::new()),
            imported: RwSignal::new(None),
            msgs: RwSignal::new(Vec::new()),
            events: RwSignal::new(Vec::new()),
            violations: RwSignal::new(Vec::new()),
            markers: RwSignal::new(Vec::new()),
            can_undo: RwSignal::new(false),
            departed: RwSignal::new(None),
            future_actions: RwSignal::new(false),
            settings_open: RwSignal::new(false),
            reduced_motion: web_sys::window()
                .and_then(|w| {
                    w.match_media("(prefers-reduced-motion: reduce)")
                        .ok()
                        .flatten()
                })
                .is_some_and(|m| m.matches()),
            menu: RwSignal::new(None),
            resume_after_menu: StoredValue::new(false),
            show_routine: RwSignal::new(false),
            errors: RwSignal::new(errors),
            node_count: RwSignal::new(scenario.nodes),
            off_ring: RwSignal::new(0),
            seed: RwSignal::new(scenario.seed),
            protocol: RwSignal::new(scenario.protocol),
            about: RwSignal::new(about_of(&scenario)),
            lin: RwSignal::new(LinStatus::default()),
            lost: RwSignal::new(String::new()),
            bars: RwSignal::new(Vec::new()),
            clients: RwSignal::new(scenario.workload.clients),
            lin_sig: StoredValue::new((usize::MAX, 0)),
            link_out: RwSignal::new(String::new()),
            stop_at: StoredValue::new(None),
            tour_rev: RwSignal::new(0),
            authoring: RwSignal::new(false),
            presenter: RwSignal::new(false),
            blank: RwSignal::new(false),
            embed: search.contains("embed=1"),
            // Only inside a compare page's frame (alone, a pane's page is
            // an ordinary run).
            pane: search
                .split("pane=")
                .nth(1)
                .and_then(|r| r.split('&').next()?.parse().ok())
                .filter(|_| {
                    web_sys::window().is_some_and(|w| w.frame_element().ok().flatten().is_some())
                }),
            seen: StoredValue::new(0),
            seek_ms: RwSignal::new(0.0),
            next_value: StoredValue::new(next_value_after(&scenario)),
            last_sig: StoredValue::new((u64::MAX, 0, 0)),
            text_due: StoredValue::new((0.0, false)),
            logs_due: StoredValue::new(false),
            last_frame: StoredValue::new(None),
            nemesis: StoredValue::new(None),
        };
        s.refresh(true);
        s
    }

    /// The speed multiplier (0.1x ..= 10x).
    pub fn speed(&self) -> f64 {
        crate::geometry::pow10(self.speed_log.get_untracked().clamp(-1.0, 1.0))
    }

    /// Opening a menu pauses the run, so that the node or link clicked stays
    /// as it was; closing it resumes, if it was playing.
    pub fn watch_menu(self) {
        Effect::new(move |_| match self.menu.get() {
            Some(_) => {
                if self.playing.get_untracked() {
                    self.resume_after_menu.set_value(true);
                    self.playing.set(false);
                }
            }
            None => {
                if self.resume_after_menu.get_value() {
                    self.resume_after_menu.set_value(false);
                    self.playing.set(true);
                }
            }
        });
    }

    /// Replace the run with `scenario`, at time 0 (paused if `paused`).
    pub fn load(&self, scenario: Scenario, paused: bool) {
        self.resume_after_menu.set_value(false);
        self.node_count.set(scenario.nodes);
        self.seed.set(scenario.seed);
        self.clients.set(scenario.workload.clients);
        self.protocol.set(scenario.protocol);
        self.about.set(about_of(&scenario));
        self.departed.set(None);
        self.next_value.set_value(next_value_after(&scenario));
        self.tl.set_value(Timeline::new(scenario));
        self.now.set(0);
        self.menu.set(None);
        self.link_out.set(String::new());
        self.playing.set(!paused);
        self.refresh(true);
    }

    /// The tour on screen: beats as (time in µs, caption): the scenario's
    /// own (a teacher's), else a built-in scenario's chapters (tracked).
    pub fn tour(&self) -> Vec<(Time, String)> {
        self.tour_rev.track();
        self.about.track();
        self.tl.with_value(|tl| tour_of(tl.scenario()))
    }

    /// The beat the run has reached at `now` (none before the first).
    pub fn beat_at(&self, now: Time) -> Option<usize> {
        self.tour().iter().rposition(|b| b.0 <= now)
    }

    /// Add a beat with `caption` at the cursor (replacing one already
    /// there); the tour travels in the scenario, so links carry it.
    pub fn add_beat(&self, caption: String) {
        let now = self.now.get_untracked();
        self.edit_tour(|t| {
            t.retain(|b| b.0 != now);
            t.push((now, caption));
            t.sort_by_key(|b| b.0);
        });
    }

    /// Delete the beat the run has reached.
    pub fn delete_beat(&self) {
        if let Some(i) = self.beat_at(self.now.get_untracked()) {
            self.edit_tour(|t| {
                t.remove(i);
            });
        }
    }

    /// Edit the tour on screen (a built-in's chapters become the
    /// scenario's own tour).
    fn edit_tour(&self, f: impl FnOnce(&mut Vec<(Time, String)>)) {
        self.tl.update_value(|tl| {
            let mut t = tour_of(tl.scenario());
            f(&mut t);
            tl.set_tour(t);
        });
        self.tour_rev.update(|r| *r += 1);
    }

    /// "Next": play on to the next beat and pause there (pressed again
    /// on the way, to the beat after that one).
    pub fn tour_next(&self) {
        let mut now = self.now.get_untracked();
        if self.playing.get_untracked() {
            now = now.max(self.stop_at.get_value().unwrap_or(0));
        }
        let next = self.tour().iter().map(|b| b.0).find(|&t| t > now);
        if let Some(t) = next {
            self.menu.set(None);
            self.stop_at.set_value(Some(t));
            self.playing.set(true);
        }
    }

    /// "Back": return to the previous beat (to the start before the
    /// first), exactly, by time travel.
    pub fn tour_back(&self) {
        let now = self.now.get_untracked();
        let t = self
            .tour()
            .iter()
            .rev()
            .map(|b| b.0)
            .find(|&t| t < now)
            .unwrap_or(0);
        self.stop_at.set_value(None);
        self.seek(t);
    }

    /// Start a new run of `protocol`, keeping the cluster size and seed.
    pub fn switch_protocol(&self, protocol: ProtocolKind) {
        self.load(
            Scenario {
                nodes: self.node_count.get_untracked(),
                seed: self.seed.get_untracked(),
                protocol,
                ..Scenario::default()
            },
            false,
        );
    }

    /// A new scenario of the current protocol with the given size and seed:
    /// default settings, except the on/off flags shown in the controls and
    /// the client workload.
    fn fresh(&self, nodes: u32, seed: u64) -> Scenario {
        let now = self.scenario();
        let mut fresh = Scenario {
            nodes,
            seed,
            protocol: self.protocol.get_untracked(),
            workload: now.workload.clone(),
            ..Scenario::default()
        };
        for (id, _, on) in now.flags() {
            fresh.set_flag(id, on);
        }
        for (name, _, value) in now.params() {
            let _ = fresh.set_param(name, &Scenario::param_text(&value));
        }
        fresh
    }

    /// The current scenario to run again from the start with a setting
    /// changed: same size, seed, network, workload and script (a built-in
    /// scenario's faults and requests, and the user's own actions), so
    /// that the same story plays under the new setting. Its text is marked
    /// as written for the settings it came with.
    fn rerun(&self) -> Scenario {
        let mut sc = self.scenario();
        if !sc.about.is_empty() && !sc.about.ends_with(RERUN_NOTE) {
            sc.about.push_str(RERUN_NOTE);
        }
        sc
    }

    /// Start a new run of the current protocol with the given size and seed
    /// (default settings, except the on/off flags shown in the controls).
    pub fn restart(&self, nodes: u32, seed: u64) {
        self.load(self.fresh(nodes, seed), false);
    }

    /// Flip one of the protocol's on/off settings: a new run of the same
    /// scenario ([`AppState::rerun`]).
    pub fn set_flag(&self, id: &str, on: bool) {
        let mut fresh = self.rerun();
        fresh.set_flag(id, on);
        self.load(fresh, false);
    }

    /// Set a setting by its real name: a new run of the same scenario
    /// ([`AppState::rerun`]). A
    /// refused value leaves the run as it is and says why in the banner
    /// (false then).
    pub fn set_param(&self, name: &str, typed: &str) -> bool {
        let mut fresh = self.rerun();
        match fresh.set_param(name, typed) {
            Ok(()) => {
                self.load(fresh, false);
                true
            }
            Err(e) => {
                self.errors.set(vec![format!("{e} Nothing was changed.")]);
                false
            }
        }
    }

    /// Run `n` simulated clients (0-8): a new run of the same scenario
    /// ([`AppState::rerun`]).
    pub fn set_clients(&self, n: u32) {
        let mut fresh = self.rerun();
        fresh.workload.clients = n.min(crate::sim::clients::MAX_CLIENTS);
        // Clients chosen here also compare-and-set (a fifth of their writes)
        // where the protocol can; links keep whatever their workload says.
        if fresh.workload.cas == 0 && fresh.protocol.reads {
            fresh.workload.cas = 20;
        }
        self.load(fresh, false);
    }

    /// Record and apply a user action at the current time (forking if the
    /// cursor is in the past).
    pub fn act(&self, action: Action) {
        self.act_all(vec![action]);
    }

    /// Apply several actions at once (a partition shape is several cuts);
    /// in a compare page's pane, mirrored to the other panes when its
    /// "Mirror actions" switch is on ([`mirror`]).
    pub fn act_all(&self, actions: Vec<Action>) {
        let t = self.now.get_untracked();
        if let Some(i) = self.pane {
            let leader = self.tl.with_value(|tl| tl.engine().leader()).unwrap_or(0);
            mirror(i, t, leader, &actions);
        }
        self.act_at(t, actions);
    }

    /// Apply the actions the compare page's other panes queued in
    /// `rvActs` ([`mirror`]) since the last frame, each at its time: by
    /// role for the leader (what was done to the sending pane's leader is
    /// done to this pane's, the two ids exchanged), by node id otherwise.
    fn take_mirrored(&self) {
        use wasm_bindgen::JsCast;
        let Some(q) = parent()
            .and_then(|p| js_sys::Reflect::get(&p, &"rvActs".into()).ok())
            .and_then(|q| q.dyn_into::<js_sys::Array>().ok())
        else {
            return;
        };
        let seen = self.seen.get_value();
        self.seen.set_value(q.length());
        for k in seen..q.length() {
            let line = q.get(k).as_string().unwrap_or_default();
            let mut parts = line.splitn(3, ' ');
            let (Some(from), Some(theirs), Some(json)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if from.parse().ok() == self.pane {
                continue;
            }
            let theirs: NodeId = theirs.parse().unwrap_or(0);
            let mine = self.tl.with_value(|tl| tl.engine().leader()).unwrap_or(0);
            if let Ok(serde_json::Value::Array(actions)) = serde_json::from_slice(json.as_bytes()) {
                for mut a in actions
                    .iter()
                    .filter_map(|v| crate::scenario::TimedAction::from_value(v).ok())
                {
                    if theirs != 0 && mine != 0 {
                        a.action.swap_nodes(theirs, mine);
                    }
                    self.act_at(a.t, vec![a.action]);
                }
            }
        }
    }

    /// Apply `actions` at `t` (going back there first if the run is past
    /// it: a mirrored action made a frame behind).
    fn act_at(&self, t: Time, actions: Vec<Action>) {
        if t < self.now.get_untracked() {
            self.travel(t);
            self.now.set(t);
        }
        self.tl.update_value(|tl| {
            for a in actions {
                tl.act(t, a);
            }
        });
        let scripted = self.tl.with_value(|tl| !tl.scenario().title.is_empty());
        if scripted && self.departed.get_untracked().is_none() {
            self.departed.set(Some(t));
        }
        self.menu.set(None);
        self.refresh(true);
    }

    /// Drop the rest of the script (the actions still to come after the
    /// cursor); undoable.
    pub fn discard_future(&self) {
        self.tl.update_value(|tl| tl.discard_future());
        self.refresh(true);
    }

    /// Switch the random nemesis on or off; true when it is now on.
    pub fn toggle_nemesis(&self) -> bool {
        let on = self.nemesis.with_value(|n| n.is_none());
        let seed = self.seed.get_untracked();
        let now = self.now.get_untracked();
        self.nemesis
            .set_value(on.then(|| crate::nemesis::Nemesis::new(seed ^ now, now)));
        on
    }

    /// Let the nemesis strike if a fault is due at `t`.
    fn strike(&self, t: Time) {
        if self
            .nemesis
            .with_value(|n| n.as_ref().is_none_or(|n| t < n.next))
        {
            return;
        }
        let (up, leader) = self.tl.with_value(|tl| {
            let e = tl.engine();
            let up: Vec<bool> = e
                .ids()
                .iter()
                .map(|&id| e.view_tail(id, 0).is_some_and(|v| v.up))
                .collect();
            (up, e.leader())
        });
        let mut actions = Vec::new();
        self.nemesis.update_value(|n| {
            if let Some(n) = n {
                actions = n.strike(t, &up, leader);
            }
        });
        if !actions.is_empty() {
            self.act_all(actions);
        }
    }

    /// Cut the pairs of a partition shape (see [`crate::partitions`]).
    pub fn partition(&self, shape: &str) {
        let n = self.node_count.get_untracked();
        let leader = self.tl.with_value(|tl| tl.engine().leader());
        let cuts = crate::partitions::cuts(shape, n, leader);
        self.act_all(crate::partitions::as_actions(cuts));
    }

    /// Ask the leader (else the first server up, which refuses in the
    /// event log) to add or remove `node` (thesis §4.1); `None` adds the
    /// first server off the ring.
    pub fn change_membership(&self, add: bool, node: Option<NodeId>) {
        let off = self.off_ring.get_untracked();
        let Some(k) = node.or_else(|| (1..32).find(|&i| off >> i & 1 == 1)) else {
            return;
        };
        let to = self.tl.with_value(|tl| {
            let e = tl.engine();
            e.leader().or_else(|| {
                e.ids()
                    .into_iter()
                    .find(|&i| e.view(i).is_some_and(|v| v.up))
            })
        });
        let verb = if add { "add" } else { "remove" };
        if let Some(node) = to {
            self.act(Action::NodeAction {
                node,
                action: format!("{verb}-{k}"),
            });
        }
    }

    /// Bring back the future discarded by the last fork.
    pub fn undo_fork(&self) {
        self.tl.update_value(|tl| tl.undo_fork());
        self.departed.set(None);
        let t = self.tl.with_value(|tl| tl.now());
        self.now.set(t);
        self.refresh(true);
    }

    /// A fresh client command (`x=1`, `y=2`, ...).
    pub fn next_command(&self) -> Command {
        let c = self.next_command_preview();
        self.next_value.set_value(c.value + 1);
        c
    }

    /// The command the next client request will carry (for menu labels).
    pub fn next_command_preview(&self) -> Command {
        let v = self.next_value.get_value();
        Command::write(Key(((v - 1) % 3) as u8), v)
    }

    /// The next client read: of the key the last request wrote (`x` at
    /// first); it uses up a number so that reads are told apart.
    pub fn next_read(&self) -> Command {
        let c = self.next_read_preview();
        self.next_value.set_value(c.value + 1);
        c
    }

    /// The read [`AppState::next_read`] will send (for menu labels).
    pub fn next_read_preview(&self) -> Command {
        let v = self.next_value.get_value();
        Command::read(Key((v.saturating_sub(2) % 3) as u8), v)
    }

    /// Process exactly one event and pause.
    pub fn step_once(&self) {
        self.playing.set(false);
        self.tl.update_value(|tl| {
            tl.step_forward();
        });
        let t = self.tl.with_value(|tl| tl.now());
        self.now.set(t);
        self.refresh(true);
    }

    /// Undo exactly one event and pause.
    pub fn step_back(&self) {
        self.playing.set(false);
        let start = wall_ms();
        self.tl.update_value(|tl| tl.step_back());
        self.seek_ms.set(wall_ms() - start);
        let t = self.tl.with_value(|tl| tl.now());
        self.now.set(t);
        self.refresh(true);
    }

    /// Move the cursor to time `t` and pause.
    pub fn seek(&self, t: Time) {
        self.playing.set(false);
        let start = wall_ms();
        // Past what has been simulated (the track spans the whole script):
        // simulate on to there, as playing would.
        self.travel(t);
        self.seek_ms.set(wall_ms() - start);
        let t = self.tl.with_value(|tl| tl.now());
        self.now.set(t);
        self.refresh(true);
    }

    /// Put the timeline at `t` (past what has been simulated: simulate on
    /// to there, as playing would).
    fn travel(&self, t: Time) {
        self.tl.update_value(|tl| {
            if t > tl.frontier() {
                tl.seek_end();
                tl.advance_to(t);
            } else {
                tl.seek(t);
            }
        });
    }

    /// The current scenario and position as a link's JSON, before deflate
    /// ([`link::payload_json`]).
    pub fn link_json(&self) -> Vec<u8> {
        let at = self.now.get_untracked();
        self.tl
            .with_value(|tl| link::payload_json(tl.scenario(), at))
    }

    /// The current scenario.
    pub fn scenario(&self) -> Scenario {
        self.tl.with_value(|tl| tl.scenario().clone())
    }

    /// Run `f` over the trace up to the cursor.
    pub fn with_trace<R>(&self, f: impl FnOnce(&[TraceEvent]) -> R) -> R {
        self.tl.with_value(|tl| f(tl.trace()))
    }

    /// Copy engine snapshots into signals (only what changed unless `force`).
    pub fn refresh(&self, force: bool) {
        let now = self.now.get_untracked();
        let wall = wall_ms();
        // Whether this refresh is a text tick (it drew the text panels).
        let text = self.tl.with_value(|tl| {
            let e = tl.engine();
            let trace = tl.trace();
            let sig = (e.steps(), trace.len(), tl.marker_count());
            // The text panels (the history's verdict and bars, the event
            // log) follow a playing run at most every TEXT_EVERY_MS; paused,
            // every change shows at once.
            let (due, behind) = self.text_due.get_value();
            let text = force || !self.playing.get_untracked() || wall >= due;
            let logs_due = self.logs_due.get_value();
            let changed =
                force || sig != self.last_sig.get_value() || (text && behind) || logs_due;
            self.text_due.set_value(if text {
                (wall + TEXT_EVERY_MS, false)
            } else {
                (due, changed || behind)
            });
            self.last_sig.set_value(sig);
            let msgs = in_flight(trace, e.net().latency_max, now);
            self.msgs.update(|m| {
                if *m != msgs {
                    *m = msgs;
                }
            });
            if !changed {
                return text;
            }
            if self.frontier.get_untracked() != tl.frontier() {
                self.frontier.set(tl.frontier());
            }
            let end = tl.scenario().actions.last().map_or(0, |a| a.t);
            if self.script_end.get_untracked() != end {
                self.script_end.set(end);
            }
            if self.can_undo.get_untracked() != tl.can_undo_fork() {
                self.can_undo.set(tl.can_undo_fork());
            }
            if self.future_actions.get_untracked() != tl.has_future_actions() {
                self.future_actions.set(tl.has_future_actions());
            }
            if self.markers.with_untracked(|m| m.len()) != tl.marker_count() || force {
                self.markers.set(tl.markers());
            }
            let hist = e.history();
            let lin_sig = (
                hist.len(),
                hist.iter().filter(|o| o.complete.is_some()).count(),
            );
            if text && (force || lin_sig != self.lin_sig.get_value()) {
                self.lin_sig.set_value(lin_sig);
                let lin = linearity(hist, tl.scenario());
                if self.lin.with_untracked(|l| *l != lin) {
                    self.lin.set(lin);
                }
                let b = bars(hist);
                if self.bars.with_untracked(|x| *x != b) {
                    self.bars.set(b);
                }
            }
            let lost = lost_writes(e, tl.scenario());
            if self.lost.with_untracked(|l| *l != lost) {
                self.lost.set(lost);
            }
            let ids = e.ids();
            // A window of each log: the panel draws the last LOG_WINDOW entries.
            let views: Vec<NodeView> = ids
                .iter()
                .filter_map(|&id| e.view_tail(id, super::panels::LOG_WINDOW))
                .collect();
            // The leader's configuration (else every server's, joined):
            // who is drawn on the ring.
            let conf = views
                .iter()
                .filter(|v| v.up && v.leading)
                .max_by_key(|v| v.term)
                .map_or_else(|| views.iter().fold(0, |c, v| c | v.members), |v| v.members);
            let off = if conf == 0 {
                0
            } else {
                ids.iter().fold(0, |o, &i| o | 1 << i) & !conf
            };
            if self.off_ring.get_untracked() != off {
                self.off_ring.set(off);
            }
            let logs_now = if text && !force && self.playing.get_untracked() {
                self.logs_due.set_value(true);
                false
            } else {
                text || logs_due
            };
            if logs_now {
                self.logs_due.set_value(false);
                if self.logs.with_untracked(|n| *n != views) {
                    self.logs.set(views.clone());
                }
            }
            if self.nodes.with_untracked(|n| *n != views) {
                self.nodes.set(views);
            }
            let faults: Vec<_> = ids.iter().map(|&id| e.faults(id)).collect();
            if self.faults.with_untracked(|f| *f != faults) {
                self.faults.set(faults);
            }
            let rings: Vec<_> = ids.iter().map(|&id| e.ring_timer(id)).collect();
            if self.rings.with_untracked(|r| *r != rings) {
                self.rings.set(rings);
            }
            let mut links = Vec::new();
            for &a in &ids {
                for &b in &ids {
                    if a < b {
                        links.push((a, b, e.link(a, b)));
                    }
                }
            }
            let k = tl.scenario().workload.clients;
            for c in 1..=k {
                let cid = crate::sim::net::CLIENT_BASE + c;
                for &b in &ids {
                    links.push((cid, b, e.link(cid, b)));
                }
            }
            if self.clients_drawn.get_untracked() != k {
                self.clients_drawn.set(k);
            }
            if self.links.with_untracked(|l| *l != links) {
                self.links.set(links);
            }
            let v: Vec<String> = e
                .violations()
                .iter()
                .map(|v| {
                    crate::i18n::trf(
                        "{0} at {1} ms: {2}",
                        &[
                            crate::i18n::tr(v.invariant),
                            &crate::geometry::Fx(v.time as f64 / 1000.0, 1).to_string(),
                            &crate::i18n::tr_sentence(&v.detail),
                        ],
                    )
                })
                .collect();
            if self.violations.with_untracked(|old| *old != v) {
                self.violations.set(v);
            }
            if !text {
                return false;
            }
            let mut m = crate::measure::measure(e);
            m.violations += usize::from(self.lin.with_untracked(|l| l.verdict == "violation"));
            let values = super::history::cell_values(&m);
            if let Some(i) = self.pane {
                publish(i, &values);
            }
            let mut m = super::history::metrics_markup(&values);
            // The chart of latencies, availability and faults (to the cursor).
            let faults: Vec<(Time, String)> = tl
                .faults()
                .into_iter()
                .map(|(t, f)| (t, crate::i18n::tr_sentence(&f)))
                .collect();
            m += &crate::history::chart::svg(
                e.history(),
                e.now(),
                crate::measure::WINDOW,
                &faults,
                crate::i18n::tr("Each operation's latency (green ok, grey refused, amber no answer); throughput, ok answers per second (blue line); availability per 100 ms; faults in red"),
            )
            .0;
            if self.metrics.with_untracked(|old| *old != m) {
                self.metrics.set(m);
            }
            // The event log, newest first: only trace entries new since the
            // last refresh are put in words (the trace only grows while
            // playing; a seek or a new run rebuilds it).
            let described = self.events.with_untracked(|old| old.first().map(|e| e.0));
            let grew = !force && described.is_some_and(|i| i < trace.len());
            let from = if grew {
                described.map_or(0, |i| i + 1)
            } else {
                trace.len().saturating_sub(4_000)
            };
            let proto = self.protocol.get_untracked();
            let routine_too = self.show_routine.get_untracked();
            // Routine traffic (heartbeats, pings, their timers) is left out
            // unless asked for: it is most of a quiet run's events.
            let routine = |kind: &TraceKind| match kind {
                TraceKind::Send { kind, .. } => proto.msg_tone(kind) == "beat",
                TraceKind::Timer { name, .. } => proto.routine_timers.contains(name),
                _ => false,
            };
            let fresh: Vec<_> = trace[from.min(trace.len())..]
                .iter()
                .enumerate()
                .filter(|(_, ev)| {
                    !matches!(
                        ev.kind,
                        TraceKind::Deliver { .. } | TraceKind::Leader { .. }
                    ) && (routine_too || !routine(&ev.kind))
                })
                .map(|(i, ev)| (from + i, ev.time, ev.describe(), weight(trace, from + i)))
                .rev()
                .take(150)
                .collect();
            if grew {
                if !fresh.is_empty() {
                    self.events.update(|old| {
                        let mut all = fresh;
                        all.append(old);
                        all.truncate(150);
                        *old = all;
                    });
                }
            } else if self.events.with_untracked(|old| *old != fresh) {
                self.events.set(fresh);
            }
            true
        });
        // The history's checks and metrics cover the whole run, so their
        // cost grows with it (after 10 simulated minutes with four clients,
        // 30-odd ms a tick). While playing, the next text tick waits ten
        // times what this one took, so the text panels keep to a tenth of
        // the time and the frames stay smooth; paused, every change still
        // shows at once.
        let cost = wall_ms() - wall;
        if text && self.playing.get_untracked() && cost * 10.0 > TEXT_EVERY_MS {
            self.text_due.set_value((wall + cost * 10.0, false));
        }
    }

    /// Drive the clock from requestAnimationFrame.
    pub fn start_loop(self) {
        fn frame(s: AppState) {
            let wall = wall_ms();
            // Read before this frame changes the page (its layout is clean).
            let shown = diagram_on_screen();
            if s.diagram_shown.get_untracked() != shown {
                s.diagram_shown.set(shown);
            }
            let last = s.last_frame.get_value();
            s.last_frame.set_value(Some(wall));
            // A compare page's pane: at the compare page's time, playing
            // when it plays (so its text panels follow as a playing run's).
            if let Some((t, play)) = s.pane.and_then(|_| pane_clock()) {
                if s.playing.get_untracked() != play {
                    s.playing.set(play);
                }
                let now = s.now.get_untracked();
                if t > now {
                    s.tl.update_value(|tl| tl.advance_to(t));
                    s.now.set(t);
                    s.refresh(false);
                    s.strike(t);
                } else if t < now {
                    s.travel(t);
                    s.now.set(t);
                    s.refresh(true);
                } else if s.text_due.get_value().1 {
                    s.refresh(false);
                }
                s.take_mirrored();
                request_animation_frame(move || frame(s));
                return;
            }
            if !s.playing.get_untracked() && s.text_due.get_value().1 {
                // Paused with the text panels behind: bring them up to date.
                s.refresh(false);
            }
            if s.playing.get_untracked() {
                if let Some(last) = last {
                    // Clamp so a background tab does not jump minutes ahead.
                    let dt = (wall - last).clamp(0.0, 100.0);
                    let adv = (dt * US_PER_WALL_MS_AT_1X * s.speed()) as Time;
                    let mut t = s.now.get_untracked() + adv;
                    // A tour's beat: stop exactly there.
                    if let Some(stop) = s.stop_at.get_value().filter(|&st| t >= st) {
                        t = stop;
                        s.stop_at.set_value(None);
                        s.playing.set(false);
                    }
                    s.tl.update_value(|tl| tl.advance_to(t));
                    s.now.set(t);
                    s.refresh(false);
                    s.strike(t);
                }
            }
            request_animation_frame(move || frame(s));
        }
        request_animation_frame(move || frame(self));
    }
}

/// The compare page's clock, for a pane in its frame: the time it shows
/// and whether it plays (`rvPaneT`, `rvPanePlay` on the parent window).
fn pane_clock() -> Option<(Time, bool)> {
    let parent = parent()?;
    let get = |k: &str| js_sys::Reflect::get(&parent, &k.into()).ok();
    Some((
        get("rvPaneT")?.as_f64()? as Time,
        get("rvPanePlay")?.is_truthy(),
    ))
}

/// The compare page's window, for a pane in its frame.
fn parent() -> Option<web_sys::Window> {
    web_sys::window()?.parent().ok()?
}

/// Queue `actions`, made at `t` in pane `i`, for the compare page's other
/// panes if its "Mirror actions" switch is on (`rvMirror`): a line
/// `i leader json` in its `rvActs` array, with the pane's leader then (0:
/// none) and the actions as a link writes them (and reads them: node ids
/// out of range are ignored by the simulation). The other panes mirror
/// them by role for the leader, by node id otherwise
/// ([`AppState::take_mirrored`]).
fn mirror(i: usize, t: Time, leader: NodeId, actions: &[Action]) {
    use wasm_bindgen::JsCast;
    let Some(p) = parent() else { return };
    let get = |k: &str| js_sys::Reflect::get(&p, &k.into()).unwrap_or_default();
    if let (true, Some(q)) = (
        get("rvMirror").is_truthy(),
        get("rvActs").dyn_ref::<js_sys::Array>(),
    ) {
        let timed: Vec<crate::scenario::TimedAction> = actions
            .iter()
            .map(|a| crate::scenario::TimedAction {
                step: crate::scenario::FLOATING,
                t,
                action: a.clone(),
            })
            .collect();
        let json = String::from_utf8(crate::json::to_vec(&timed)).unwrap_or_default();
        q.push(&format!("{i} {leader} {json}").into());
    }
}

/// Give the compare page pane `i`'s metrics ([`super::history::CELLS`]'
/// figures, `rvM{i}` on the parent window).
fn publish(i: usize, values: &[f64]) {
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let a = js_sys::Float64Array::from(values);
        let _ = js_sys::Reflect::set(&parent, &format!("rvM{i}").into(), &a);
    }
}

/// Is the space-time diagram (or part of it) inside the window? It sits
/// below the fold of the side column at first.
fn diagram_on_screen() -> bool {
    (|| {
        let w = web_sys::window()?;
        let el = w
            .document()?
            .query_selector("[data-testid=history]")
            .ok()??;
        let r = el.get_bounding_client_rect();
        Some(r.bottom() > 0.0 && r.top() < w.inner_height().ok()?.as_f64()?)
    })()
    .unwrap_or(true)
}

/// How often the text panels follow a playing run (wall ms): text read at
/// 10 frames a second looks no different, and the event log, the logs'
/// layout and the history check cost most of a frame otherwise.
const TEXT_EVERY_MS: f64 = 100.0;

/// Added to a scenario's text when a setting changes ([`AppState::rerun`]).
const RERUN_NOTE: &str = " (Settings changed since: the script runs as written, and this text tells what its own settings do.)";

/// The next client value after the ones a scenario already used.
fn next_value_after(s: &Scenario) -> u32 {
    s.actions
        .iter()
        .filter_map(|a| match a.action {
            Action::Request { cmd, .. } => Some(cmd.value),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        + 1
}

/// Messages in flight at `now`, and dropped ones for a short fade, from the
/// tail of the trace (a message lives at most one latency, so the scan is short).
pub fn in_flight(trace: &[TraceEvent], latency_max: Time, now: Time) -> Vec<MsgAnim> {
    let horizon = latency_max.max(1) * 2 + DROP_FADE;
    let mut out: Vec<MsgAnim> = Vec::new();
    let mut done: Vec<(u64, bool)> = Vec::new();
    for ev in trace.iter().rev() {
        if ev.time + horizon < now {
            break;
        }
        match &ev.kind {
            TraceKind::Deliver { msg, .. } => done.push((*msg, false)),
            TraceKind::Drop { msg, .. } => done.push((*msg, true)),
            TraceKind::Send {
                msg,
                from,
                to,
                kind,
                text,
                arrive,
                doomed,
                retries,
                ..
            } => {
                let outcome = done.iter().find(|(m, _)| m == msg).copied();
                let visible = match outcome {
                    None => true,
                    Some((_, true)) => now <= *arrive + DROP_FADE,
                    Some((_, false)) => false,
                };
                if visible && ev.time <= now {
                    out.push(MsgAnim {
                        id: *msg,
                        from: *from,
                        to: *to,
                        kind,
                        sent: ev.time,
                        arrive: *arrive,
                        dropped: *doomed || matches!(outcome, Some((_, true))),
                        half: *doomed,
                        retries: *retries,
                        text: text.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    out.reverse();
    out
}

/// Search steps the page allows the linearizability checker per refresh
/// (a few milliseconds); beyond that the verdict is "undecided".
const LIN_BUDGET: u64 = 200_000;

/// The explanation beside the cluster: the built-in scenario's, or else
/// the protocol's own (what it models and leaves out).
/// A scenario's tour: its own, else its built-in chapters (in µs).
fn tour_of(s: &Scenario) -> Vec<(Time, String)> {
    if !s.tour.is_empty() {
        return s.tour.clone();
    }
    presets::chapters(&s.title)
        .into_iter()
        .map(|c| (c.0 * 1000, c.2))
        .collect()
}

fn about_of(s: &Scenario) -> (String, String) {
    if s.title.is_empty() {
        // In the browser, a real system's explanation is fetched with the
        // scenarios' texts (by the protocol's id).
        let about = crate::scenarios::text_of(s.protocol.about, s.protocol.id);
        if !about.is_empty() {
            return (s.protocol.title.to_string(), about);
        }
    }
    (s.title.clone(), s.about.clone())
}

/// The lesson of a system that acknowledges before replicating: how many
/// acknowledged writes the current leader lacks, and when they were
/// acknowledged (the loss window).
fn lost_writes(e: &dyn crate::anysim::AnySim, s: &Scenario) -> String {
    let p = s.protocol;
    if !p.loses_writes {
        return String::new();
    }
    let Some((leader, lost)) = e.lost_writes() else {
        return String::new();
    };
    let (Some(first), Some(last)) = (lost.iter().min(), lost.iter().max()) else {
        return String::new();
    };
    let role = p
        .roles
        .iter()
        .find(|r| r.tone == "lead")
        .map_or("leader", |r| match crate::i18n::lang() {
            crate::i18n::Lang::En => r.id,
            crate::i18n::Lang::Zh => crate::i18n::tr(r.label).trim_start_matches(['★', '◆', ' ']),
        });
    let n = lost.len();
    let when = if first == last {
        trf("at {0} ms", &[&(first / 1000).to_string()])
    } else {
        trf(
            "between {0} ms and {1} ms",
            &[&(first / 1000).to_string(), &(last / 1000).to_string()],
        )
    };
    trf(
        if n == 1 {
            "⚠ lost writes (expected here): {0} acknowledged write is not on {1}, the current {2} (acknowledged {3}). Allowed by \"{4}\"."
        } else {
            "⚠ lost writes (expected here): {0} acknowledged writes are not on {1}, the current {2} (acknowledged {3}). Allowed by \"{4}\"."
        },
        &[
            &n.to_string(),
            &format!("S{leader}"),
            role,
            &when,
            crate::i18n::tr((p.relaxed_by)(&s.protocol_settings())),
        ],
    )
}

/// The verdict on a run's client history, as the invariants card and the
/// history panel show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinStatus {
    /// `none`, `ok`, `violation`, `lesson` or `undecided`.
    pub verdict: &'static str,
    /// Client operations so far.
    pub ops: usize,
    /// The explanation in words.
    pub text: String,
    /// The anomalous operation and the earlier one it contradicts (session
    /// guarantees), as history indices.
    pub op: Option<usize>,
    /// The earlier operation a session anomaly contradicts.
    pub earlier: Option<usize>,
    /// `stale-read`, `not-linearizable`, `read-your-writes`, ...
    pub kind: &'static str,
    /// When the anomalous operation was invoked (the timeline's marker).
    pub at: Option<Time>,
}

impl Default for LinStatus {
    fn default() -> Self {
        LinStatus {
            verdict: "none",
            ops: 0,
            text: String::new(),
            op: None,
            earlier: None,
            kind: "",
            at: None,
        }
    }
}

/// A client operation's time in the words the history checks use.
fn ms(t: Time) -> String {
    format!("{} ms", crate::geometry::Fx(t as f64 / 1000.0, 0))
}

/// A history imported from Jepsen, drawn in the diagram with its verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// Its operations.
    pub bars: Vec<OpBar>,
    /// The anomaly to outline.
    pub lin: LinStatus,
    /// Linearizable?
    pub ok: bool,
    /// The verdict in words.
    pub verdict: String,
    /// First and last time (line numbers of a log).
    pub lo: u64,
    /// Last time.
    pub hi: u64,
}

/// One client operation drawn in the history panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpBar {
    /// History index (the key of the drawing).
    pub i: usize,
    /// Lane: 0 for the user's own requests, n for client Cn.
    pub lane: u32,
    /// `C2` or `you`.
    pub client: String,
    /// `read`, `write`, `cas`.
    pub f: &'static str,
    /// `ok`, `fail`, `info` (no answer yet, or never).
    pub kind: &'static str,
    /// Invoked at (µs).
    pub start: Time,
    /// Answered at (µs); `None`: open.
    pub end: Option<Time>,
    /// The operation in words.
    pub text: String,
}

/// The last operations of the history as bars (at most `HISTORY_BARS`).
pub const HISTORY_BARS: usize = 160;

fn bars(hist: &[crate::history::Op]) -> Vec<OpBar> {
    bars_of(hist, HISTORY_BARS, |_| String::new())
}

/// The last `max` operations of a history as bars; a client without a
/// name is called `name(client)`.
pub fn bars_of(
    hist: &[crate::history::Op],
    max: usize,
    name: impl Fn(u64) -> String,
) -> Vec<OpBar> {
    use crate::history::Outcome;
    let from = hist.len().saturating_sub(max);
    hist[from..]
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let user = o.client >= crate::sim::clients::USER_CLIENTS;
            OpBar {
                i: from + k,
                lane: if user { 0 } else { o.client as u32 },
                client: if user {
                    "you".into()
                } else if o.who.is_empty() {
                    name(o.client)
                } else {
                    o.who.clone()
                },
                f: o.f.name(),
                kind: match o.outcome {
                    Outcome::Ok => "ok",
                    Outcome::Fail => "fail",
                    Outcome::Info => "info",
                },
                start: o.invoke,
                end: o.complete,
                text: o.describe_with(&ms),
            }
        })
        .collect()
}

/// The verdict on a run's client history.
fn linearity(hist: &[crate::history::Op], scenario: &Scenario) -> LinStatus {
    let mut l = verdict(hist, scenario);
    l.at = l.op.and_then(|i| hist.get(i)).map(|o| o.invoke);
    l
}

fn verdict(hist: &[crate::history::Op], scenario: &Scenario) -> LinStatus {
    use crate::history::linear::{check_with_budget, Verdict};
    if hist.is_empty() {
        return LinStatus::default();
    }
    let claimed = (scenario.protocol.linearizable)(&scenario.protocol_settings());
    let judged = |why: String| -> (&'static str, String) {
        if claimed {
            ("violation", why)
        } else {
            (
                "lesson",
                crate::i18n::fill(
                    crate::en!("{0}. Allowed by \"{1}\"."),
                    &[
                        &why,
                        (scenario.protocol.relaxed_by)(&scenario.protocol_settings()),
                    ],
                ),
            )
        }
    };
    let base = LinStatus {
        ops: hist.len(),
        ..LinStatus::default()
    };
    match check_with_budget(hist, LIN_BUDGET) {
        Verdict::Linearizable => match crate::history::session::check(hist) {
            None => LinStatus {
                verdict: "ok",
                ..base
            },
            Some(b) => {
                let (verdict, text) = judged(b.explain(hist, &ms));
                LinStatus {
                    verdict,
                    text,
                    op: Some(b.op),
                    earlier: Some(b.earlier),
                    kind: b.guarantee.name(),
                    ..base
                }
            }
        },
        Verdict::Undecided { .. } => LinStatus {
            verdict: "undecided",
            text: crate::en!("the search gave up (too many operations without an answer)").into(),
            ..base
        },
        Verdict::NotLinearizable(a) => {
            let (verdict, text) = judged(a.explain(hist, &ms));
            let read = hist
                .get(a.op)
                .is_some_and(|o| o.f == crate::history::F::Read);
            LinStatus {
                verdict,
                text,
                op: Some(a.op),
                earlier: None,
                kind: if read {
                    "stale-read"
                } else {
                    "not-linearizable"
                },
                ..base
            }
        }
    }
}

/// How much the event log stresses trace entry `i`: 2 for a violation; 1
/// for what a class must not miss (a fault or another user action, a new
/// leader, a commit or a decision); 0 for the rest (messages, timers,
/// votes).
fn weight(trace: &[crate::sim::trace::TraceEvent], i: usize) -> u8 {
    use crate::sim::trace::TraceKind as K;
    let ev = &trace[i];
    match &ev.kind {
        K::Violation { .. } => 2,
        K::Crash { .. }
        | K::Restart { .. }
        | K::PowerLoss { .. }
        | K::Pause { .. }
        | K::Clock { .. }
        | K::Cut { .. }
        | K::Heal { .. }
        | K::HealAll
        | K::ClientLink { .. }
        | K::Net(_)
        | K::LinkNet { .. }
        | K::ForceTimeout { .. }
        | K::Toggle { .. }
        | K::NodeAction { .. } => 1,
        K::Note { node, text } => {
            // The note beside a Leader entry (same node, same moment) is
            // the election's outcome in the protocol's words.
            let leads = |j: usize| {
                trace.get(j).is_some_and(|e| {
                    e.time == ev.time && matches!(e.kind, K::Leader { node: n, .. } if n == *node)
                })
            };
            u8::from(
                leads(i + 1)
                    || i.checked_sub(1).is_some_and(leads)
                    || text.contains("commit")
                    || text.contains("COMMIT")
                    || text.contains("decides"),
            )
        }
        _ => 0,
    }
}
