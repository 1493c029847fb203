//! Time travel: seeking (by time and by step) through checkpoints gives
//! exactly the state and trace of a fresh replay; forks discard the future
//! and can be undone.

use replviz::protocols::common::cmd;
use replviz::scenario::Scenario;
use replviz::sim::rng::SimRng;
use replviz::sim::Action;
use replviz::timeline::{MarkerKind, Timeline, CHECKPOINT_EVERY, MAX_CHECKPOINTS};

const SEC: u64 = 1_000_000;

/// A recorded run: `secs` seconds with an action every 0.3 s or so.
fn recorded(seed: u64, secs: u64) -> Timeline {
    let mut tl = Timeline::new(Scenario {
        seed,
        ..Scenario::default()
    });
    let mut rng = SimRng::new(seed);
    let mut t = 0;
    let mut v = 0;
    while t < secs * SEC {
        t += rng.range(100_000, 500_000);
        let n = rng.range(1, 5) as u32;
        let a = match rng.range(0, 9) {
            0 => Action::Crash { node: n },
            1 | 2 => Action::Restart { node: n },
            3 => Action::CutBoth { a: n, b: n % 5 + 1 },
            4 => Action::HealAll,
            5 => Action::Timeout { node: n },
            _ => {
                v += 1;
                Action::Request {
                    node: n,
                    cmd: cmd(0, v),
                }
            }
        };
        tl.act(t, a);
    }
    tl.advance_to(secs * SEC + 500_000);
    tl
}

fn fingerprint(tl: &Timeline) -> (u64, u64, u64, Vec<String>, usize) {
    let e = tl.engine();
    let views = e
        .ids()
        .iter()
        .map(|&id| format!("{:?}", e.view(id)))
        .collect();
    (e.now(), e.steps(), e.trace_hash(), views, tl.trace().len())
}

#[test]
fn seek_matches_a_fresh_replay() {
    let mut tl = recorded(5, 60);
    assert!(
        tl.checkpoints() > 2,
        "checkpoints every {CHECKPOINT_EVERY} events: {}",
        tl.checkpoints()
    );
    let mut rng = SimRng::new(77);
    for i in 0..40 {
        let t = rng.range(0, tl.frontier());
        tl.seek(t);
        let mut fresh = Timeline::new(tl.scenario().clone());
        fresh.advance_to(t);
        assert_eq!(
            fingerprint(&tl),
            fingerprint(&fresh),
            "seek #{i} to {t} µs (seed 5)"
        );
        assert_eq!(tl.trace(), fresh.trace(), "trace prefix at {t}");
    }
}

/// A long run (9 nodes, four clients, 10 simulated minutes: about 690,000
/// events) keeps at most [`MAX_CHECKPOINTS`] checkpoints, thinned as it
/// grows, and a seek through the thinned ones still gives a fresh replay's
/// state and trace.
#[test]
fn a_long_run_thins_its_checkpoints() {
    let mut s = Scenario {
        nodes: 9,
        seed: 1,
        ..Scenario::default()
    };
    s.workload.clients = 4;
    let mut tl = Timeline::new(s);
    tl.advance_to(600 * SEC);
    assert!(tl.engine().steps() > 2 * MAX_CHECKPOINTS as u64 * CHECKPOINT_EVERY);
    assert!(
        tl.checkpoints() <= MAX_CHECKPOINTS && tl.checkpoints() > MAX_CHECKPOINTS / 2,
        "{} checkpoints",
        tl.checkpoints()
    );
    for t in [5 * SEC, 333 * SEC + 12_345, 599 * SEC] {
        tl.seek(t);
        let mut fresh = Timeline::new(tl.scenario().clone());
        fresh.advance_to(t);
        assert_eq!(fingerprint(&tl), fingerprint(&fresh), "seek to {t} µs");
        assert_eq!(tl.trace(), fresh.trace(), "trace prefix at {t}");
    }
}

#[test]
fn step_back_and_forward_are_inverse() {
    let mut tl = recorded(9, 10);
    tl.seek(4 * SEC);
    let here = fingerprint(&tl);
    let n = tl.steps();
    tl.step_back();
    assert_eq!(tl.steps(), n - 1);
    let mut fresh = Timeline::new(tl.scenario().clone());
    fresh.seek_step(n - 1);
    assert_eq!(fingerprint(&tl), fingerprint(&fresh));
    tl.step_forward();
    assert_eq!(tl.steps(), n);
    assert_eq!(
        fingerprint(&tl).2,
        here.2,
        "same trace hash after stepping back and forward"
    );
}

#[test]
fn acting_in_the_past_forks_and_undo_restores() {
    let mut tl = recorded(3, 10);
    let before = tl.scenario().clone();
    let end = tl.frontier();
    tl.seek(2 * SEC);
    let kept = before.actions.iter().filter(|a| a.t <= 2 * SEC).count();
    tl.act(2 * SEC, Action::Crash { node: 1 });
    // The recorded future is gone, but the actions still to come are kept
    // at their times (issue 10: a scenario's script goes on).
    assert_eq!(tl.scenario().actions.len(), before.actions.len() + 1);
    let later: Vec<_> = tl.scenario().actions[kept + 1..]
        .iter()
        .map(|a| (a.t, a.step))
        .collect();
    assert!(
        later.iter().all(|&(_, s)| s == replviz::scenario::FLOATING),
        "{later:?}"
    );
    assert_eq!(tl.frontier(), 2 * SEC);
    assert!(tl.can_undo_fork());
    tl.undo_fork();
    assert_eq!(tl.scenario(), &before);
    assert_eq!(tl.frontier(), end);
    assert_eq!(tl.now(), 2 * SEC);
    let mut fresh = Timeline::new(before);
    fresh.advance_to(2 * SEC);
    assert_eq!(fingerprint(&tl), fingerprint(&fresh));
}

#[test]
fn markers_show_actions_and_leaders() {
    let tl = recorded(4, 5);
    let m = tl.markers();
    assert!(m.iter().any(|x| x.kind == MarkerKind::Action));
    assert!(m.iter().any(|x| x.kind == MarkerKind::Leader));
    assert!(m.windows(2).all(|w| w[0].t <= w[1].t));
}

/// Acting in the middle of a recording keeps the actions still to come at
/// their times: they run when the new run reaches them, take the steps they
/// ran at, and a fresh replay of the resulting scenario (a link) is exact.
#[test]
fn acting_mid_script_keeps_the_future_actions() {
    let mut tl = recorded(3, 10);
    let before = tl.scenario().clone();
    tl.seek(2 * SEC);
    let kept = before.actions.iter().filter(|a| a.t <= 2 * SEC).count();
    let future: Vec<_> = before.actions[kept..]
        .iter()
        .map(|a| (a.t, a.action.clone()))
        .collect();
    assert!(future.len() > 3, "a recording with a future");
    tl.act(2 * SEC, Action::Crash { node: 1 });
    tl.advance_to(11 * SEC);
    let after = tl.scenario().clone();
    let now: Vec<_> = after.actions[kept + 1..]
        .iter()
        .map(|a| (a.t, a.action.clone()))
        .collect();
    assert_eq!(now, future, "the same actions at the same times");
    assert!(after
        .actions
        .iter()
        .all(|a| a.step != replviz::scenario::FLOATING));
    assert!(after.actions.windows(2).all(|w| w[0].step <= w[1].step));
    let mut fresh = Timeline::new(after.clone());
    fresh.advance_to(11 * SEC);
    assert_eq!(fingerprint(&tl), fingerprint(&fresh));
    // A link made before the run reached them replays the same way too.
    let mut early = recorded(3, 10);
    early.seek(2 * SEC);
    early.act(2 * SEC, Action::Crash { node: 1 });
    let link = replviz::link::encode(early.scenario(), 0);
    let s = replviz::link::decode(&link).unwrap().s;
    let mut from_link = Timeline::new(s);
    from_link.advance_to(11 * SEC);
    assert_eq!(fingerprint(&from_link), fingerprint(&fresh));
}

/// "Discard the rest of the script": the actions still to come go, the
/// run goes on without them, and undo brings them back.
#[test]
fn discarding_the_future_actions() {
    let mut tl = recorded(3, 10);
    tl.seek(2 * SEC);
    let kept = tl
        .scenario()
        .actions
        .iter()
        .filter(|a| a.t <= 2 * SEC)
        .count();
    assert!(tl.has_future_actions());
    let before = tl.scenario().clone();
    tl.discard_future();
    assert!(!tl.has_future_actions());
    assert_eq!(tl.scenario().actions.len(), kept);
    assert_eq!(tl.frontier(), 2 * SEC);
    tl.undo_fork();
    assert_eq!(tl.scenario(), &before);
}
