//! The Elasticsearch built-in scenarios do what their explanations say,
//! claim by claim, on the real run (times in ms). Sources:
//! `shared/reference/real-systems.md` section 6 (failure demos 1-3), the
//! Elasticsearch reference's data-replication model.

mod common;

use common::{
    is_lesson as lesson, note_at as note, ok_at as ok, read_of as read, replies, reply_of as reply,
    run_preset as run, view_of as view,
};
use replviz::protocol::Reply;
use replviz::protocols::elasticsearch::{Es, EsBug};
use replviz::sim::{Action, TraceMode};

const MS: u64 = 1_000;

#[test]
fn a_cut_replica_stalls_the_write_until_the_master_removes_it() {
    let tl = run("es-replica-cut-stalls-write", 5_000 * MS);
    assert_eq!(ok(&tl, 1), 335);
    assert_eq!(
        note(
            &tl,
            "S1: the copy on S2 failed; it asks the master to remove it from the in-sync set"
        ),
        Some(1_700)
    );
    assert_eq!(
        note(
            &tl,
            "publishes cluster state 2: primary S1, primary term 1, in-sync S1"
        ),
        Some(1_713)
    );
    assert_eq!(ok(&tl, 2), 1_730, "y=2 answered only after the removal");
    let stale = run("es-replica-cut-stalls-write", 2_500 * MS);
    assert_eq!(view(&stale, 2).role, "stale");
    assert_eq!(view(&stale, 2).state_machine, "x=1");
    assert_eq!(
        note(&tl, "S2 recovers from S1: 2 operation(s)"),
        Some(3_835)
    );
    assert!(note(&tl, "in-sync S1,S2").is_some_and(|t| t > 3_835));
    assert_eq!(ok(&tl, 3), 4_030);
    assert_eq!(view(&tl, 2).role, "replica");
    assert_eq!(view(&tl, 2).state_machine, "x=1 y=2 z=3");
}

#[test]
fn a_paused_primary_is_fenced_after_a_dirty_read() {
    let tl = run("es-stale-primary-fenced", 6_000 * MS);
    assert_eq!(ok(&tl, 1), 335);
    assert_eq!(
        note(&tl, "promotes the in-sync copy on S2: primary term 2"),
        Some(4_000)
    );
    // The dirty read: S1, still primary of term 1 in its own eyes.
    assert_eq!(read(&tl, 3), (5_000, 1, Some(2)));
    assert_eq!(reply(&tl, 2).2, Reply::Unknown, "x=2 is never acknowledged");
    assert_eq!(
        note(
            &tl,
            "S2 rejects S1's operation: primary term 1 is older than 2"
        ),
        Some(5_015)
    );
    assert!(note(&tl, "S1 recovers from S2: 1 operation(s)").is_some());
    assert_eq!(read(&tl, 4), (5_500, 2, Some(1)));
    assert_eq!(view(&tl, 1).state_machine, "x=1", "x=2 is gone");
    lesson(&tl);
}

#[test]
fn promotion_picks_an_in_sync_copy_and_resyncs() {
    let tl = run("es-promotion-resync", 6_000 * MS);
    assert_eq!(ok(&tl, 1), 339);
    let r = replies(&tl);
    assert!(
        r.iter().all(|x| x.2 != 2 && x.2 != 3),
        "y=2 and z=3 never answered"
    );
    let before = run("es-promotion-resync", 790 * MS);
    assert_eq!(view(&before, 2).state_machine, "x=1 y=2 z=3");
    assert_eq!(view(&before, 3).state_machine, "x=1");
    assert_eq!(
        note(&tl, "promotes the in-sync copy on S2: primary term 2"),
        Some(3_800)
    );
    assert_eq!(
        note(
            &tl,
            "S2 is the primary of term 2; it resyncs its operations above the global checkpoint 1"
        ),
        Some(3_822)
    );
    assert_eq!(read(&tl, 4), (5_500, 3, Some(3)));
    assert_eq!(view(&tl, 3).state_machine, "x=1 y=2 z=3");
}

/// The broken variant "ack-before-shard-failed" (the primary drops a failed
/// copy without the master removing it from the in-sync set) is caught by
/// Acknowledged Writes Survive on failure demo 1 followed by a primary
/// crash; the random sweep rarely builds that shape (a replica cut off from
/// the primary only), so it is scripted here. The correct engine keeps y=2.
#[test]
fn acknowledging_before_the_master_removed_the_copy_is_caught() {
    let run = |bug: Option<EsBug>| {
        let setup = replviz::anysim::Setup {
            nodes: 3,
            seed: 1,
            ..Default::default()
        };
        let mut e = replviz::anysim::boot_with::<Es>(&setup, TraceMode::Full, |c| c.bug = bug);
        let cmd = replviz::protocols::common::cmd;
        e.advance_to(300 * MS);
        e.apply(&Action::Request {
            node: 1,
            cmd: cmd(0, 1),
        });
        e.advance_to(500 * MS);
        e.apply(&Action::CutBoth { a: 1, b: 2 });
        e.advance_to(600 * MS);
        e.apply(&Action::Request {
            node: 1,
            cmd: cmd(1, 2),
        });
        e.advance_to(2_500 * MS);
        e.apply(&Action::Crash { node: 1 });
        e.advance_to(7_000 * MS);
        e
    };
    let broken = run(Some(EsBug::AckBeforeShardFailed));
    let v = broken.violations();
    assert!(
        v.iter()
            .any(|v| v.invariant == replviz::protocols::elasticsearch::check::ACKED),
        "{v:?}"
    );
    let fixed = run(None);
    assert!(fixed.violations().is_empty(), "{:?}", fixed.violations());
}
