//! The app's reactive state and the animation loop.
//!
//! The engine lives in a non-reactive local `StoredValue`; after every change
//! the relevant snapshots (node views, links, messages in flight, event log,
//! violations) are copied into signals. The clock signal `now` moves every
//! animation frame; everything that animates reads it.

use crate::engine::Engine;
use crate::protocol::{Command, Key, NodeView};
use crate::protocols::ProtocolKind;
use crate::scenario::{parse_query, Scenario, TimedAction};
use crate::sim::net::LinkState;
use crate::sim::trace::TraceKind;
use crate::sim::{Action, NodeId, Time, TraceMode};
use leptos::prelude::*;

/// Virtual microseconds per wall millisecond at 1x: 1x plays at a tenth of
/// real time, so a 10–25 ms message takes 0.1–0.25 s on screen.
pub const US_PER_WALL_MS_AT_1X: f64 = 100.0;

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
}

/// All app state; `Copy` so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct AppState {
    engine: StoredValue<Box<dyn Engine>, LocalStorage>,
    /// The scenario being recorded.
    pub scenario: StoredValue<Scenario, LocalStorage>,
    /// Virtual time shown (µs).
    pub now: RwSignal<Time>,
    /// Is time running?
    pub playing: RwSignal<bool>,
    /// Speed as log10 of the multiplier (-1 ..= 1).
    pub speed_log: RwSignal<f64>,
    /// Node pictures.
    pub nodes: RwSignal<Vec<NodeView>>,
    /// Election-timer rings: (armed, fires) per node.
    pub rings: RwSignal<Vec<Option<(Time, Time)>>>,
    /// Link states for every pair a < b.
    pub links: RwSignal<Vec<(NodeId, NodeId, LinkState)>>,
    /// Messages in flight (and recently dropped).
    pub msgs: RwSignal<Vec<MsgAnim>>,
    /// Recent events in plain words: (index, time, text, is violation).
    pub events: RwSignal<Vec<(usize, Time, String, bool)>>,
    /// Violations in plain words.
    pub violations: RwSignal<Vec<String>>,
    /// Open menu.
    pub menu: RwSignal<Option<Menu>>,
    /// Messages for the error banner.
    pub errors: RwSignal<Vec<String>>,
    /// Cluster size.
    pub node_count: RwSignal<u32>,
    /// Seed.
    pub seed: RwSignal<u64>,
    /// Protocol.
    pub protocol: RwSignal<ProtocolKind>,
    next_value: StoredValue<u32>,
    last_steps: StoredValue<u64>,
    last_frame: StoredValue<Option<f64>>,
}

/// How far back (virtual µs) a dropped message stays visible.
const DROP_FADE: Time = 30_000;

impl AppState {
    /// State for the run the query string asks for.
    pub fn new() -> Self {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let q = parse_query(&search);
        let scenario = Scenario {
            nodes: q.nodes,
            seed: q.seed,
            protocol: q.protocol,
            ..Scenario::default()
        };
        let engine = scenario.boot(TraceMode::Full);
        let s = AppState {
            engine: StoredValue::new_local(engine),
            scenario: StoredValue::new_local(scenario),
            now: RwSignal::new(0),
            playing: RwSignal::new(true),
            speed_log: RwSignal::new(0.0),
            nodes: RwSignal::new(Vec::new()),
            rings: RwSignal::new(Vec::new()),
            links: RwSignal::new(Vec::new()),
            msgs: RwSignal::new(Vec::new()),
            events: RwSignal::new(Vec::new()),
            violations: RwSignal::new(Vec::new()),
            menu: RwSignal::new(None),
            errors: RwSignal::new(q.errors),
            node_count: RwSignal::new(q.nodes),
            seed: RwSignal::new(q.seed),
            protocol: RwSignal::new(q.protocol),
            next_value: StoredValue::new(1),
            last_steps: StoredValue::new(u64::MAX),
            last_frame: StoredValue::new(None),
        };
        s.refresh(true);
        s
    }

    /// The speed multiplier (0.1x ..= 10x).
    pub fn speed(&self) -> f64 {
        10f64.powf(self.speed_log.get_untracked().clamp(-1.0, 1.0))
    }

    /// Start a new run of the current protocol with the given size and seed.
    pub fn restart(&self, nodes: u32, seed: u64) {
        let scenario = Scenario {
            nodes,
            seed,
            protocol: self.protocol.get_untracked(),
            ..Scenario::default()
        };
        self.engine.set_value(scenario.boot(TraceMode::Full));
        self.scenario.set_value(scenario);
        self.node_count.set(nodes);
        self.seed.set(seed);
        self.now.set(0);
        self.menu.set(None);
        self.next_value.set_value(1);
        self.refresh(true);
    }

    /// Record and apply a user action at the current time.
    pub fn act(&self, action: Action) {
        let t = self.now.get_untracked();
        self.engine.update_value(|e| {
            e.advance_to(t);
            let step = e.steps();
            e.apply(&action);
            self.scenario.update_value(|s| {
                s.actions.push(TimedAction {
                    step,
                    t: e.now(),
                    action: action.clone(),
                })
            });
        });
        self.menu.set(None);
        self.refresh(true);
    }

    /// A fresh client command (`x=1`, `y=2`, ...).
    pub fn next_command(&self) -> Command {
        let v = self.next_value.get_value();
        self.next_value.set_value(v + 1);
        Command {
            key: Key(((v - 1) % 3) as u8),
            value: v,
        }
    }

    /// The command the next client request will carry (for menu labels).
    pub fn next_command_preview(&self) -> Command {
        let v = self.next_value.get_value();
        Command {
            key: Key(((v - 1) % 3) as u8),
            value: v,
        }
    }

    /// Process exactly one event and pause.
    pub fn step_once(&self) {
        self.playing.set(false);
        let mut t = self.now.get_untracked();
        self.engine.update_value(|e| {
            if e.step() {
                t = e.now();
            }
        });
        self.now.set(t);
        self.refresh(false);
    }

    /// Copy engine snapshots into signals (only what changed when `force` is false).
    pub fn refresh(&self, force: bool) {
        let now = self.now.get_untracked();
        let proto = self.protocol.get_untracked();
        self.engine.with_value(|e| {
            let steps = e.steps() + e.trace().len() as u64;
            let changed = force || steps != self.last_steps.get_value();
            self.last_steps.set_value(steps);
            // Messages in flight depend on the clock too; recompute every call.
            let msgs = in_flight(e.as_ref(), now);
            self.msgs.update(|m| {
                if *m != msgs {
                    *m = msgs;
                }
            });
            if !changed {
                return;
            }
            let ids = e.ids();
            let views: Vec<NodeView> = ids.iter().filter_map(|&id| e.view(id)).collect();
            if self.nodes.with_untracked(|n| *n != views) {
                self.nodes.set(views);
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
            if self.links.with_untracked(|l| *l != links) {
                self.links.set(links);
            }
            let trace = e.trace();
            let start = trace.len().saturating_sub(400);
            let events: Vec<_> = trace[start..]
                .iter()
                .enumerate()
                .filter(|(_, ev)| !matches!(ev.kind, TraceKind::Deliver { .. }))
                .map(|(i, ev)| {
                    (
                        start + i,
                        ev.time,
                        ev.describe(),
                        matches!(ev.kind, TraceKind::Violation { .. }),
                    )
                })
                .rev()
                .take(150)
                .collect();
            self.events.set(events);
            let v: Vec<String> = e
                .violations()
                .iter()
                .map(|v| {
                    format!(
                        "{} at {:.1} ms: {}",
                        v.invariant,
                        v.time as f64 / 1000.0,
                        v.detail
                    )
                })
                .collect();
            if self.violations.with_untracked(|old| *old != v) {
                self.violations.set(v);
            }
        });
        let _ = proto;
    }

    /// Drive the clock from requestAnimationFrame.
    pub fn start_loop(self) {
        fn frame(s: AppState) {
            let wall = web_sys::window()
                .and_then(|w| w.performance())
                .map(|p| p.now())
                .unwrap_or(0.0);
            let last = s.last_frame.get_value();
            s.last_frame.set_value(Some(wall));
            if s.playing.get_untracked() {
                if let Some(last) = last {
                    // Clamp so a background tab does not jump minutes ahead.
                    let dt = (wall - last).clamp(0.0, 100.0);
                    let adv = (dt * US_PER_WALL_MS_AT_1X * s.speed()) as Time;
                    let t = s.now.get_untracked() + adv;
                    s.engine.update_value(|e| e.advance_to(t));
                    s.now.set(t);
                    s.refresh(false);
                }
            }
            request_animation_frame(move || frame(s));
        }
        request_animation_frame(move || frame(self));
    }
}

/// Messages in flight at `now`, and dropped ones for a short fade, from the
/// tail of the trace (a message lives at most one latency, so the scan is short).
fn in_flight(e: &dyn Engine, now: Time) -> Vec<MsgAnim> {
    let trace = e.trace();
    let horizon = e.net().latency_max.max(1) * 2 + DROP_FADE;
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
