//! Time travel over a deterministic run.
//!
//! A [`Timeline`] owns the scenario being played or recorded, the engine at
//! the current position, the run's one master trace, and checkpoints (deep
//! copies of the engine) every [`CHECKPOINT_EVERY`] events. Seeking restores
//! the nearest earlier checkpoint and replays from it, so the cost of a seek
//! is bounded by the checkpoint spacing, not by the length of the run.
//!
//! Recorded actions are replayed at exactly the step count and time at which
//! they happened. Acting anywhere but at the end of the recording forks: the
//! recorded future (trace, checkpoints) is discarded, the actions still to
//! come are kept at their times ([`FLOATING`]: a built-in scenario's script
//! goes on) unless [`Timeline::discard_future`] drops them, and the run as
//! it was is kept so the fork can be undone.

use crate::anysim::AnySim;
use crate::scenario::{Scenario, TimedAction, FLOATING};
use crate::sim::trace::{TraceEvent, TraceKind};
use crate::sim::{Action, NodeId, Time, TraceMode};

/// Events between checkpoints (at first: see [`MAX_CHECKPOINTS`]).
pub const CHECKPOINT_EVERY: u64 = 4_000;

/// Checkpoints a timeline holds at most. Each is a deep copy of the
/// engine, whose state (the client history, the logs) grows with the run,
/// so a checkpoint every 4,000 events made a long run's memory and time
/// grow with its square (a 9-node run with four clients: 1.9 s for 20
/// simulated minutes, 11.8 s for 40). Past this many, every other one is
/// dropped and the spacing doubles: a seek replays at most one spacing.
pub const MAX_CHECKPOINTS: usize = 64;

struct Checkpoint {
    engine: Box<dyn AnySim>,
    applied: usize,
}

/// What a timeline marker marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// A user action.
    Action,
    /// A new leader.
    Leader,
    /// An invariant violation.
    Violation,
}

/// A point of interest on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// When.
    pub t: Time,
    /// What kind.
    pub kind: MarkerKind,
    /// Plain-words label.
    pub label: String,
}

/// A run with a movable cursor.
pub struct Timeline {
    scenario: Scenario,
    engine: Box<dyn AnySim>,
    applied: usize,
    trace: Vec<TraceEvent>,
    checkpoints: Vec<Checkpoint>,
    /// Events between checkpoints now ([`MAX_CHECKPOINTS`]).
    every: u64,
    frontier: Time,
    undo: Option<(Scenario, Time)>,
    // Leader and violation markers with their trace index, kept incrementally.
    marks: Vec<(usize, Marker)>,
}

impl Timeline {
    /// A timeline at time 0 of `scenario` (its recorded actions will replay).
    pub fn new(scenario: Scenario) -> Self {
        let mut engine = scenario.boot(TraceMode::Full);
        // The bytes-per-write metric ([`crate::sim::Sim::count_bytes`]).
        engine.count_bytes();
        let mut tl = Timeline {
            scenario,
            engine,
            applied: 0,
            trace: Vec::new(),
            checkpoints: Vec::new(),
            every: CHECKPOINT_EVERY,
            frontier: 0,
            undo: None,
            marks: Vec::new(),
        };
        tl.absorb();
        tl.checkpoints.push(Checkpoint {
            engine: tl.engine.boxed_clone(),
            applied: 0,
        });
        tl
    }

    /// The scenario (with every recorded action).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    /// Replace the scenario's tour (it changes nothing about the run).
    pub fn set_tour(&mut self, tour: Vec<(u64, String)>) {
        self.scenario.tour = tour;
    }
    /// The engine at the cursor.
    pub fn engine(&self) -> &dyn AnySim {
        self.engine.as_ref()
    }
    /// Virtual time at the cursor.
    pub fn now(&self) -> Time {
        self.engine.now()
    }
    /// Events processed at the cursor.
    pub fn steps(&self) -> u64 {
        self.engine.steps()
    }
    /// The furthest time simulated so far.
    pub fn frontier(&self) -> Time {
        self.frontier
    }
    /// The trace up to the cursor.
    pub fn trace(&self) -> &[TraceEvent] {
        let n = self.engine.trace_count().min(self.trace.len());
        &self.trace[..n]
    }
    /// Is there a discarded future to restore?
    pub fn can_undo_fork(&self) -> bool {
        self.undo.is_some()
    }
    /// Number of markers (changes whenever `markers()` would).
    pub fn marker_count(&self) -> usize {
        self.scenario.actions.len() + self.marks.len()
    }
    /// Number of checkpoints held.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// The faults the user or the script made (every action but a client
    /// request) as (time, sentence), in order.
    pub fn faults(&self) -> Vec<(Time, String)> {
        self.scenario
            .actions
            .iter()
            .filter(|a| !matches!(a.action, Action::Request { .. }))
            .map(|a| (a.t, describe_action(&a.action)))
            .collect()
    }

    /// Markers over the whole recorded run: actions, new leaders, violations.
    pub fn markers(&self) -> Vec<Marker> {
        let mut m: Vec<Marker> = self
            .scenario
            .actions
            .iter()
            .map(|a| Marker {
                t: a.t,
                kind: MarkerKind::Action,
                label: describe_action(&a.action),
            })
            .collect();
        m.extend(self.marks.iter().map(|(_, x)| x.clone()));
        m.sort_by_key(|x| x.t);
        m
    }

    /// Move the engine's new trace events into the master trace (events the
    /// master already holds, from a replay, are dropped) and checkpoint.
    fn absorb(&mut self) {
        let evs = self.engine.take_trace();
        let count = self.engine.trace_count();
        let first = count - evs.len();
        if count > self.trace.len() {
            let skip = self.trace.len().saturating_sub(first);
            for ev in evs.into_iter().skip(skip) {
                let mark = match &ev.kind {
                    TraceKind::Leader { node, term } => Some((
                        MarkerKind::Leader,
                        format!("S{node} takes the lead ({term})"),
                    )),
                    TraceKind::Violation { invariant, .. } => {
                        Some((MarkerKind::Violation, format!("violation: {invariant}")))
                    }
                    _ => None,
                };
                if let Some((kind, label)) = mark {
                    self.marks.push((
                        self.trace.len(),
                        Marker {
                            t: ev.time,
                            kind,
                            label,
                        },
                    ));
                }
                self.trace.push(ev);
            }
        }
        self.frontier = self.frontier.max(self.engine.now());
        let last = self
            .checkpoints
            .last()
            .map(|c| c.engine.steps())
            .unwrap_or(0);
        if self.engine.steps() >= last + self.every {
            self.checkpoints.push(Checkpoint {
                engine: self.engine.boxed_clone(),
                applied: self.applied,
            });
            if self.checkpoints.len() > MAX_CHECKPOINTS {
                // Keep the first (time 0) and every other one after it.
                let mut i = 0;
                self.checkpoints.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.every *= 2;
            }
        }
    }

    /// Apply recorded actions that are due after exactly the events
    /// processed, and no later than `limit`.
    fn apply_due(&mut self, limit: Time) {
        while let Some(a) = self.scenario.actions.get(self.applied) {
            if a.t > limit {
                break;
            }
            if a.step == FLOATING {
                // Due once no event before its time is left; it keeps the
                // step it is applied at, so replays are exact.
                if self.engine.next_event_time().is_some_and(|n| n < a.t) {
                    break;
                }
                self.scenario.actions[self.applied].step = self.engine.steps();
            } else if a.step != self.engine.steps() {
                break;
            }
            let a = self.scenario.actions[self.applied].clone();
            self.engine.warp_to(a.t);
            self.engine.apply(&a.action);
            self.applied += 1;
        }
    }

    /// Run forward to time `t`, replaying recorded actions on the way.
    pub fn advance_to(&mut self, t: Time) {
        loop {
            self.apply_due(t);
            let next_action = self.scenario.actions.get(self.applied).cloned();
            match next_action {
                Some(a) if a.t <= t => {
                    if a.step == FLOATING {
                        // Every event before its time, then the action.
                        while self.engine.next_event_time().is_some_and(|n| n < a.t)
                            && self.engine.step()
                        {
                            self.absorb_light();
                        }
                        self.scenario.actions[self.applied].step = self.engine.steps();
                    }
                    let step = self.scenario.actions[self.applied].step;
                    // Process exactly the events that preceded the action.
                    while self.engine.steps() < step && self.engine.step() {
                        self.absorb_light();
                    }
                    // Normally steps == a.step now; a malformed recording is
                    // applied where we are rather than looping.
                    self.engine.warp_to(a.t);
                    self.engine.apply(&a.action);
                    self.applied += 1;
                }
                _ => break,
            }
        }
        // Run in slices so checkpoints land every `self.every` events.
        while let Some(next) = self.engine.next_event_time() {
            if next > t {
                break;
            }
            self.engine.step();
            self.absorb_light();
        }
        self.engine.advance_to(t);
        self.absorb();
    }

    fn absorb_light(&mut self) {
        let last = self
            .checkpoints
            .last()
            .map(|c| c.engine.steps())
            .unwrap_or(0);
        if self.engine.steps() >= last + self.every || self.engine.trace().len() > 4096 {
            self.absorb();
        }
    }

    /// Process exactly one more event (replaying actions due); false at a dead end.
    pub fn step_forward(&mut self) -> bool {
        self.apply_due(Time::MAX);
        let ok = self.engine.step();
        self.apply_due(Time::MAX);
        self.absorb();
        ok
    }

    /// Before replaying forward to a target, restart from the latest
    /// checkpoint that `fits` (is not past the target) unless the current
    /// state fits and is at least as far along.
    fn rewind_for(&mut self, fits: impl Fn(&dyn AnySim) -> bool) {
        let i = self
            .checkpoints
            .iter()
            .rposition(|c| fits(c.engine.as_ref()))
            .unwrap_or(0);
        let c = &self.checkpoints[i];
        if !fits(self.engine.as_ref()) || self.engine.steps() < c.engine.steps() {
            self.engine = c.engine.boxed_clone();
            self.applied = c.applied;
        }
    }

    /// Put the cursor at virtual time `t` (clamped to what has been simulated).
    pub fn seek(&mut self, t: Time) {
        let t = t.min(self.frontier);
        self.rewind_for(|e| e.now() <= t);
        self.advance_to(t);
    }

    /// Put the cursor just after event number `n` (and the actions recorded there).
    pub fn seek_step(&mut self, n: u64) {
        self.rewind_for(|e| e.steps() <= n);
        while self.engine.steps() < n {
            self.apply_due(Time::MAX);
            if !self.engine.step() {
                break;
            }
            self.absorb_light();
        }
        self.apply_due(Time::MAX);
        self.absorb();
    }

    /// Step back one event.
    pub fn step_back(&mut self) {
        let n = self.engine.steps();
        if n > 0 {
            self.seek_step(n - 1);
        }
    }

    /// Jump to the end of what has been simulated.
    pub fn seek_end(&mut self) {
        let f = self.frontier;
        self.advance_to(f);
    }

    /// Record and apply a user action at the cursor (time `t` >= now). If the
    /// recording goes on past the cursor, the future is discarded (undoable).
    pub fn act(&mut self, t: Time, action: Action) {
        self.advance_to(t.max(self.engine.now()));
        let at_end = self.applied == self.scenario.actions.len()
            && self.engine.trace_count() >= self.trace.len();
        let mut kept = Vec::new();
        if !at_end {
            kept = self.cut_here();
            for a in &mut kept {
                a.step = FLOATING;
            }
        } else {
            self.undo = None;
        }
        self.scenario.actions.push(TimedAction {
            step: self.engine.steps(),
            t: self.engine.now(),
            action: action.clone(),
        });
        self.scenario.actions.extend(kept);
        self.engine.apply(&action);
        self.applied += 1;
        self.absorb();
    }

    /// Fork at the cursor: keep the run as it was for undo, forget what was
    /// recorded after the cursor, and hand back the actions still to come.
    fn cut_here(&mut self) -> Vec<TimedAction> {
        self.undo = Some((self.scenario.clone(), self.frontier));
        let future = self.scenario.actions.split_off(self.applied);
        let steps = self.engine.steps();
        self.checkpoints.retain(|c| c.engine.steps() <= steps);
        self.trace.truncate(self.engine.trace_count());
        let n = self.trace.len();
        self.marks.retain(|(i, _)| *i < n);
        self.frontier = self.engine.now();
        future
    }

    /// Are there actions still to come after the cursor?
    pub fn has_future_actions(&self) -> bool {
        self.applied < self.scenario.actions.len()
    }

    /// Drop the actions still to come after the cursor (the rest of a
    /// built-in scenario's script); undoable like a fork.
    pub fn discard_future(&mut self) {
        if self.has_future_actions() {
            self.cut_here();
        }
    }

    /// Bring back the future discarded by the last fork, at the same cursor time.
    pub fn undo_fork(&mut self) {
        if let Some((scenario, frontier)) = self.undo.take() {
            let t = self.engine.now();
            *self = Timeline::new(scenario);
            self.advance_to(frontier);
            self.seek(t);
        }
    }
}

/// An action in plain words, for markers.
pub fn describe_action(a: &Action) -> String {
    let s = |n: &NodeId| format!("S{n}");
    match a {
        Action::Crash { node } => format!("crash {}", s(node)),
        Action::Restart { node } => format!("restart {}", s(node)),
        Action::Timeout { node } => format!("timeout {}", s(node)),
        Action::Toggle { node } => format!("flip {}'s switch", s(node)),
        Action::NodeAction { node, action } => {
            let words = crate::sim::trace::action_words(action);
            format!("{words} (asked of {})", s(node))
        }
        Action::Request { node, cmd } => format!("request {cmd} at {}", s(node)),
        Action::CutOneWay { from, to } => format!("cut {} → {}", s(from), s(to)),
        Action::CutBoth { a, b } => format!("cut {} ↔ {}", s(a), s(b)),
        Action::Heal { a, b } => format!("heal {} ↔ {}", s(a), s(b)),
        Action::HealAll => "heal all".into(),
        Action::SetNet { .. } => "network settings".into(),
        Action::CutClient { client, node } => format!("cut C{client} ↔ {}", s(node)),
        Action::HealClient { client, node } => format!("heal C{client} ↔ {}", s(node)),
        Action::Pause { node, us } => format!("pause {} for {} ms", s(node), us / 1000),
        Action::Clock { node, offset, rate } => {
            format!("{}'s clock {offset:+} µs at {rate}%", s(node))
        }
        Action::PowerLoss { node } => format!("power loss at {}", s(node)),
        Action::SetLink { from, to, .. } => format!("link {} → {} settings", s(from), s(to)),
    }
}

impl crate::script::Script for Timeline {
    fn advance_to(&mut self, t: Time) {
        Timeline::advance_to(self, t)
    }
    fn act(&mut self, t: Time, action: Action) {
        Timeline::act(self, t, action)
    }
    fn sim(&self) -> &dyn AnySim {
        self.engine()
    }
}
