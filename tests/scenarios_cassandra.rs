//! The Cassandra built-in scenarios do what their explanations say, claim
//! by claim, on the real run (times in ms). Sources:
//! `shared/reference/real-systems.md` section 4 (failure demos 1, 2 and 4),
//! the Cassandra documentation's Dynamo architecture, hints and read-repair
//! pages.

mod common;

use common::{
    is_lesson as lesson, note_at as note, ok_at as ok, read_of as read, reply_of as reply,
    run_preset as run, view_of as view,
};
use replviz::protocol::Reply;
use replviz::timeline::Timeline;

const MS: u64 = 1_000;

/// A scenario with some of its settings replaced.
fn with(id: &str, settings: serde_json::Value, until: u64) -> Timeline {
    let mut s = replviz::scenarios::build(id).unwrap();
    let m = s
        .settings
        .entry("cassandra".to_string())
        .or_insert_with(|| serde_json::json!({}));
    for (k, v) in settings.as_object().unwrap() {
        m[k] = v.clone();
    }
    let mut tl = Timeline::new(s);
    tl.advance_to(until);
    assert!(
        tl.engine().violations().is_empty(),
        "{:?}",
        tl.engine().violations()
    );
    tl
}

#[test]
fn one_and_one_read_stale_and_quorums_repair() {
    let tl = run("cassandra-stale-read", 3_000 * MS);
    assert_eq!(ok(&tl, 1), 500, "ONE: S1's own copy acknowledges at once");
    assert!(
        note(&tl, "stores a hint").is_none(),
        "no hint: S1 still believes S3 up"
    );
    assert_eq!(read(&tl, 2), (1_000, 3, None), "a stale read at S3");
    assert_eq!(read(&tl, 3), (2_000, 3, None), "still stale after the heal");
    assert!(!view(&tl, 3).state_machine.contains("x=1"));
    lesson(&tl);
    let v = tl.scenario().protocol_settings();
    assert!((tl.scenario().protocol.relaxed_by)(&v).starts_with("R + W <= RF"));
    // QUORUM/QUORUM: the first read times out, the second repairs S3.
    let q = with(
        "cassandra-stale-read",
        serde_json::json!({"write_consistency": "QUORUM", "read_consistency": "QUORUM"}),
        3_000 * MS,
    );
    assert!(ok(&q, 1) > 500, "QUORUM waits for S2");
    assert_eq!(
        reply(&q, 2).2,
        Reply::Unknown,
        "no second replica: ReadTimeoutException"
    );
    assert!(note(&q, "S3: ReadTimeoutException").is_some());
    assert!(note(&q, "S3: digest mismatch").is_some());
    assert!(note(&q, "S3: last write wins: x=1").is_some());
    assert_eq!(read(&q, 3).2, Some(1));
    assert!(view(&q, 3).state_machine.contains("x=1"), "S3 repaired");
}

#[test]
fn hinted_handoff_brings_the_returning_replica_up_to_date() {
    let tl = run("cassandra-hinted-handoff", 5_000 * MS);
    assert_eq!(
        note(&tl, "S1 convicts S3: phi"),
        Some(2_084),
        "phi above 8 after about 1.8 s of silence"
    );
    assert!(
        note(&tl, "S2 convicts S3").is_none_or(|t| t > 2_500),
        "S2 judges for itself"
    );
    assert_eq!(note(&tl, "S1 stores a hint x=1 for S3"), Some(2_500));
    assert_eq!(ok(&tl, 1), 2_530, "QUORUM: S1 and S2");
    assert_eq!(note(&tl, "S1: InetAddress S3 is now UP"), Some(3_124));
    assert_eq!(note(&tl, "S1 replays the hint x=1 to S3"), Some(3_124));
    assert_eq!(read(&tl, 2).2, Some(1));
}

#[test]
fn a_timed_out_write_is_there_after_all() {
    let tl = run("cassandra-timeout-not-failure", 4_000 * MS);
    assert_eq!(reply(&tl, 1).0, 700);
    assert_eq!(reply(&tl, 1).2, Reply::Unknown, "WriteTimeoutException");
    assert_eq!(
        note(
            &tl,
            "S1: WriteTimeoutException at QUORUM: 1 replica(s) answered; the write is not undone"
        ),
        Some(700)
    );
    assert_eq!(note(&tl, "S1 stores a hint x=1 for S2"), Some(700));
    assert_eq!(note(&tl, "S1 stores a hint x=1 for S3"), Some(700));
    // Replayed each flush period; the one after the heal is delivered.
    let replays: Vec<u64> = tl
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            replviz::sim::trace::TraceKind::Note { text, .. }
                if text == "S1 replays the hint x=1 to S2" =>
            {
                Some(e.time / MS)
            }
            _ => None,
        })
        .collect();
    assert_eq!(replays, vec![1_000, 2_000]);
    assert!(
        view(&tl, 1)
            .details
            .iter()
            .all(|d| !d.starts_with("hints:")),
        "delivered hints are deleted"
    );
    assert!(view(&tl, 2).state_machine.contains("x=1"));
    assert!(view(&tl, 3).state_machine.contains("x=1"));
    assert_eq!(read(&tl, 2).2, Some(1), "the timed-out write is read");
}

#[test]
fn a_skewed_clock_makes_the_later_write_lose() {
    let tl = run("cassandra-lww-clock-skew", 3_000 * MS);
    assert_eq!(ok(&tl, 1), 1_038);
    assert_eq!(ok(&tl, 2), 1_237, "the later write is acknowledged too");
    assert_eq!(read(&tl, 3), (2_040, 3, Some(1)), "and silently lost");
    lesson(&tl);
    // The drivers' default, client timestamps: the later write wins.
    let c = with(
        "cassandra-lww-clock-skew",
        serde_json::json!({"timestamp-generator": "client"}),
        3_000 * MS,
    );
    assert_eq!(read(&c, 3).2, Some(2));
}

/// Cassandra docs, Hints: a hint counts toward the consistency level only
/// for ANY. The broken variant that counts it acknowledges a QUORUM write
/// with one replica, and Consistency Level Met says so.
#[test]
fn counting_hints_toward_quorum_is_caught() {
    use replviz::protocols::cassandra::{check::LEVEL_MET, Cass, CassBug};
    use replviz::sim::Action;
    let setup = replviz::anysim::Setup {
        nodes: 3,
        seed: 1,
        ..Default::default()
    };
    let run = |bug| {
        let mut e =
            replviz::anysim::boot_with::<Cass>(&setup, replviz::sim::TraceMode::Full, |c| {
                c.bug = bug
            });
        e.apply(&Action::Crash { node: 3 });
        e.advance_to(2_500 * MS);
        e.apply(&Action::CutBoth { a: 1, b: 2 });
        e.apply(&Action::Request {
            node: 1,
            cmd: replviz::protocols::common::cmd(0, 1),
        });
        e.advance_to(4_000 * MS);
        e
    };
    let good = run(None);
    assert!(good.violations().is_empty(), "{:?}", good.violations());
    let bad = run(Some(CassBug::HintsCountTowardQuorum));
    assert!(
        bad.violations().iter().any(|v| v.invariant == LEVEL_MET),
        "{:?}",
        bad.violations()
    );
}

#[test]
fn each_node_judges_for_itself_who_is_down() {
    // Cassandra docs, Gossip and failure detection: phi accrual per node;
    // heartbeats travel in GossipDigestAck/Ack2, so a one-way cut silences
    // S3 for everyone and everyone for S3.
    let tl = run("cassandra-gossip-phi", 3_000 * MS);
    assert_eq!(note(&tl, "S1 convicts S3: phi"), Some(2_284));
    assert_eq!(note(&tl, "S2 convicts S3: phi"), Some(2_389));
    assert_eq!(note(&tl, "S3 convicts S2: phi"), Some(2_287));
    assert_eq!(note(&tl, "S3 convicts S1: phi"), Some(2_387));
    assert!(note(&tl, "S1 convicts S2").is_none() && note(&tl, "S2 convicts S1").is_none());
    // At 2.30 s the views differ: S3 is DOWN for S1, UP for S2.
    let mid = run("cassandra-gossip-phi", 2_300 * MS);
    assert!(view(&mid, 1).details.contains(&"sees DOWN: S3".to_string()));
    assert!(view(&mid, 2)
        .details
        .contains(&"sees every node UP".to_string()));
    assert!(view(&mid, 3).details.contains(&"sees DOWN: S2".to_string()));
    let tl = run("cassandra-gossip-phi", 7_000 * MS);
    assert_eq!(note(&tl, "S1 stores a hint x=1 for S3"), Some(3_000));
    assert!(note(&tl, "S1 sends mutation x=1 (writetime 3000000) to S3").is_none());
    assert_eq!(ok(&tl, 1), 3_043, "QUORUM: S1 and S2");
    assert_eq!(reply(&tl, 2).0, 3_000, "refused at once");
    assert_eq!(
        reply(&tl, 2).2,
        Reply::Aborted { index: 0 },
        "UnavailableException"
    );
    assert!(note(
        &tl,
        "S3: UnavailableException: QUORUM needs 2 of 3 replicas, S3 sees 1 up"
    )
    .is_some());
    assert_eq!(note(&tl, "S2: InetAddress S3 is now UP"), Some(4_022));
    assert_eq!(note(&tl, "S3: InetAddress S1 is now UP"), Some(4_045));
    assert_eq!(note(&tl, "S3: InetAddress S2 is now UP"), Some(4_045));
    assert_eq!(note(&tl, "S1: InetAddress S3 is now UP"), Some(4_122));
    assert_eq!(note(&tl, "S1 replays the hint x=1 to S3"), Some(4_122));
    assert!(view(&tl, 3).state_machine.contains("x=1"));
    assert!(
        !view(&tl, 3).state_machine.contains("y=2"),
        "nothing written"
    );
    assert_eq!(read(&tl, 3), (6_037, 2, Some(1)));
}

/// Dynamo's sloppy quorum (DeCandia et al. 2007, §4.6) against Cassandra's
/// strict one (the Cassandra docs' Dynamo page: a write that cannot reach
/// its consistency level's count of replicas is Unavailable).
#[test]
fn a_sloppy_quorum_acknowledges_what_no_replica_has() {
    let tl = run("cassandra-sloppy-vs-strict", 5_000 * MS);
    // x's replicas are S1, S2, S3.
    assert!(view(&tl, 1).details[0].contains("token range 1 of 5"));
    assert_eq!(note(&tl, "S4 convicts S2: phi"), Some(1_966));
    assert_eq!(note(&tl, "S4 convicts S1: phi"), Some(2_566));
    assert!(
        note(&tl, "S4 convicts S3").is_none_or(|t| t > 2_800),
        "S3 still believed up when the write comes"
    );
    assert_eq!(
        note(&tl, "S4 holds x=1 for S1 (sloppy quorum)"),
        Some(2_800)
    );
    assert_eq!(
        note(&tl, "S5 holds x=1 for S2 (sloppy quorum)"),
        Some(2_818)
    );
    assert_eq!(ok(&tl, 1), 2_841, "QUORUM from the two stand-ins");
    // The stale read right after the restarts, at QUORUM from S1 and S2.
    let (at, _, got) = read(&tl, 2);
    assert_eq!((at, got), (3_280, None));
    assert!(
        tl.trace()
            .iter()
            .any(|e| e.time / MS == 3_250 && e.describe() == "S1 sends read x (digest) to S2"),
        "the read asks S1 (its own copy) and S2"
    );
    assert_eq!(note(&tl, "S4: InetAddress S1 is now UP"), Some(3_302));
    assert_eq!(note(&tl, "S4 replays the hint x=1 to S1"), Some(3_302));
    assert_eq!(note(&tl, "S5: InetAddress S2 is now UP"), Some(3_312));
    assert_eq!(note(&tl, "S5 replays the hint x=1 to S2"), Some(3_312));
    assert_eq!(read(&tl, 3).2, Some(1));
    assert!(view(&tl, 3).state_machine.is_empty(), "S3 never got x=1");
    // A lesson of the setting, not a violation.
    lesson(&tl);
    let s = tl.scenario();
    let why = (s.protocol.relaxed_by)(&s.protocol_settings());
    assert!(why.starts_with("Dynamo's sloppy quorum"), "{why}");

    // Switched off, as Cassandra does: Unavailable, nothing written.
    let strict = with(
        "cassandra-sloppy-vs-strict",
        serde_json::json!({"sloppy_quorum": false}),
        5_000 * MS,
    );
    assert_eq!(reply(&strict, 1).0, 2_800);
    assert!(matches!(reply(&strict, 1).2, Reply::Aborted { .. }));
    assert_eq!(
        note(
            &strict,
            "S4: UnavailableException: QUORUM needs 2 of 3 replicas, S4 sees 1 up"
        ),
        Some(2_800)
    );
    assert_eq!(read(&strict, 2).2, None);
    assert_eq!(read(&strict, 3).2, None);
}
