//! The Kafka built-in scenarios do what their explanations say, claim by
//! claim, on the real run (times in ms, as the texts give them). Sources:
//! `shared/reference/real-systems.md` section 2 (failure demos 1-6), the
//! Kafka documentation's Replication section, KIP-101's two cases.

mod common;

use common::{
    is_lesson as lesson, note_at as note, ok_at as ok, read_of as read, reply_of as reply,
    run_preset as run, view_of as view,
};
use replviz::protocol::Reply;
use replviz::timeline::Timeline;

const MS: u64 = 1_000;

/// The acknowledged writes the current leader lacks, by acknowledgement time (ms).
fn lost(tl: &Timeline) -> Vec<u64> {
    let (_, t) = tl.engine().lost_writes().expect("a leader");
    t.into_iter().map(|t| t / MS).collect()
}

fn without(id: &str, setting: &str, until: u64) -> Timeline {
    let mut s = replviz::scenarios::build(id).unwrap();
    if let Some(serde_json::Value::Object(m)) = s.settings.get_mut("kafka") {
        m.remove(setting);
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
fn acks1_loses_the_acknowledged_record() {
    let tl = run("kafka-acks1-loss", 4_000 * MS);
    assert_eq!(ok(&tl, 1), 300, "x=1 acknowledged at once (acks=1)");
    assert_eq!(ok(&tl, 2), 600, "x=2 acknowledged by S1 alone");
    assert!(note(
        &tl,
        "S1 appends x=2 at offset 1 and answers at once (acks=1)"
    )
    .is_some());
    // S1 crashed at 0.8 s with S2 and S3 still in the ISR.
    let crash = run("kafka-acks1-loss", 790 * MS);
    assert_eq!(view(&crash, 4).headline, "ISR 1,2,3");
    assert_eq!(view(&crash, 2).subline, "LEO 1 HW 1", "S2 never got x=2");
    assert_eq!(note(&tl, "S4 (controller) fences S1"), Some(1_800));
    assert_eq!(
        note(&tl, "S2 becomes leader of epoch 1 (ISR 2,3)"),
        Some(1_814)
    );
    let t = note(
        &tl,
        "S1: S2 says epoch 0 ends at offset 1; S1 truncates to 1",
    )
    .unwrap();
    assert!((2_500..2_600).contains(&t), "{t}");
    assert!(note(&tl, "ISR expand 2,3 → 1,2,3").is_some());
    assert_eq!(read(&tl, 3), (3_500, 2, Some(1)));
    assert_eq!(lost(&tl), vec![600]);
    lesson(&tl);
}

#[test]
fn min_insync_replicas_refuses_writes() {
    let tl = run("kafka-not-enough-replicas", 5_000 * MS);
    assert_eq!(ok(&tl, 1), 330);
    // y=2 waits for the fenced S3 to leave the ISR.
    assert_eq!(note(&tl, "S4 (controller) fences S3"), Some(1_400));
    assert_eq!(ok(&tl, 2), 1_421);
    assert_eq!(note(&tl, "S4 (controller) fences S2"), Some(2_800));
    assert!(note(&tl, "leader S1, leader epoch 0, ISR 1, partition epoch 2").is_some());
    let (t, _, r) = reply(&tl, 3);
    assert_eq!((t, r), (3_000, Reply::Aborted { index: 0 }));
    assert_eq!(
        note(&tl, "NOT_ENOUGH_REPLICAS: the ISR has 1 member(s), min.insync.replicas is 2; nothing appended"),
        Some(3_000)
    );
    assert_eq!(view(&tl, 1).log.len(), 3, "z=3 never appended");
    assert_eq!(note(&tl, "ISR expand 1 → 1,2"), Some(3_578));
    assert_eq!(ok(&tl, 4), 4_543);
    assert!(lost(&tl).is_empty());
}

fn last_fetch_before(tl: &Timeline, t: u64) -> u64 {
    use replviz::sim::trace::TraceKind;
    tl.trace()
        .iter()
        .filter(|e| e.time / MS <= t)
        .filter_map(|e| match &e.kind {
            TraceKind::Deliver { from, to: 1, .. } if *from != 4 => Some(e.time / MS),
            _ => None,
        })
        .max()
        .unwrap()
}

#[test]
fn the_isr_shrinks_silently_then_the_partition_goes_offline() {
    let tl = run("kafka-silent-isr-shrink", 9_000 * MS);
    assert_eq!(ok(&tl, 1), 330);
    let shrink = note(
        &tl,
        "S1: ISR shrink 1,2,3 → 1: not caught up for replica.lag.time.max.ms",
    )
    .unwrap();
    assert_eq!(shrink, 4_500);
    // Figure for the notes: from the last follower fetch to the shrink.
    let last = last_fetch_before(&tl, 500);
    println!(
        "last follower fetch at {last} ms, ISR shrink at {shrink} ms: {} ms",
        shrink - last
    );
    assert!(shrink - last >= 3_000, "not before replica.lag.time.max.ms");
    assert!(note(&tl, "leader S1, leader epoch 0, ISR 1, partition epoch 1").is_some());
    assert_eq!(ok(&tl, 2), 5_000, "acks=all answered by S1 alone, no error");
    assert_eq!(note(&tl, "S4 (controller) fences S1"), Some(6_400));
    assert_eq!(
        note(
            &tl,
            "the partition is OFFLINE (unclean.leader.election.enable=false)"
        ),
        Some(6_400)
    );
    let offline = run("kafka-silent-isr-shrink", 7_400 * MS);
    for id in [2, 3] {
        assert_eq!(
            view(&offline, id).role,
            "offline",
            "S{id} alive but out of sync"
        );
    }
    assert_eq!(view(&offline, 4).badge, "OFFLINE");
    assert!(note(&tl, "S1 becomes leader of epoch 2 (ISR 1)").is_some());
    assert_eq!(read(&tl, 3), (8_500, 1, Some(2)));
    assert!(
        lost(&tl).is_empty(),
        "nothing lost without unclean election"
    );
}

#[test]
fn unclean_election_loses_committed_records() {
    let tl = run("kafka-unclean-election", 9_000 * MS);
    assert_eq!(note(&tl, "S1: ISR shrink 1,2,3 → 1"), Some(4_500));
    assert_eq!(ok(&tl, 2), 5_000);
    assert_eq!(
        note(
            &tl,
            "no live ISR member (ISR 1); unclean.leader.election.enable elects S2, out of sync"
        ),
        Some(6_400)
    );
    assert!(note(&tl, "S2 becomes leader of epoch 1 by UNCLEAN election").is_some());
    assert!(note(&tl, "S2: S3 caught up (LEO 1 ≥ HW 1): ISR expand 2 → 2,3").is_some());
    let t = note(
        &tl,
        "S1: S2 says epoch 0 ends at offset 1; S1 truncates to 1",
    )
    .unwrap();
    assert!((7_500..7_600).contains(&t), "{t}");
    assert_eq!(read(&tl, 3), (8_500, 2, None));
    assert_eq!(lost(&tl), vec![5_000], "the acks=all write is lost");
    // Figure for the notes: acknowledged records lost with unclean
    // election on and off.
    let clean = run("kafka-silent-isr-shrink", 9_000 * MS);
    println!(
        "acknowledged records lost: unclean on {}, off {}",
        lost(&tl).len(),
        lost(&clean).len()
    );
}

#[test]
fn a_zombie_leader_keeps_acknowledging() {
    let tl = run("kafka-zombie-leader", 4_000 * MS);
    assert_eq!(ok(&tl, 2), 1_000);
    assert_eq!(note(&tl, "S4 (controller) fences S1"), Some(1_400));
    assert_eq!(note(&tl, "S2 becomes leader of epoch 1"), Some(1_420));
    assert_eq!(
        note(
            &tl,
            "S3: S2 says epoch 0 ends at offset 1; S3 truncates to 1"
        ),
        Some(1_462)
    );
    // S1 still believes it leads epoch 0.
    let zombie = run("kafka-zombie-leader", 2_500 * MS);
    assert_eq!(view(&zombie, 1).role, "leader");
    assert_eq!(view(&zombie, 1).headline, "epoch 0");
    assert_eq!(ok(&tl, 3), 2_000);
    assert_eq!(
        note(&tl, "S4 (controller): S1 is back: unfenced"),
        Some(3_145)
    );
    assert_eq!(
        note(&tl, "S1 truncates its log from offset 1 (LEO was 3)"),
        Some(3_213)
    );
    assert_eq!(read(&tl, 4), (3_500, 2, Some(1)));
    assert_eq!(lost(&tl), vec![1_000, 2_000]);
    lesson(&tl);
}

#[test]
fn kip101_truncation_to_the_high_watermark_loses_a_committed_record() {
    let tl = run("kafka-kip101", 4_000 * MS);
    assert_eq!(ok(&tl, 1), 333);
    assert_eq!(ok(&tl, 2), 664, "y=2 committed (acks=all)");
    assert_eq!(
        note(
            &tl,
            "S2 follows S1 and truncates to its high watermark 1 (pre-KIP-101)"
        ),
        Some(708)
    );
    assert_eq!(note(&tl, "S3 (controller) fences S1"), Some(1_600));
    assert_eq!(
        note(&tl, "S2 becomes leader of epoch 1 (ISR 2)"),
        Some(1_623)
    );
    assert_eq!(
        note(
            &tl,
            "S2 refuses S1's fetch from offset 2: OFFSET_OUT_OF_RANGE (its log ends at 1)"
        ),
        Some(2_720)
    );
    assert_eq!(read(&tl, 3), (3_665, 2, None));
    assert_eq!(lost(&tl), vec![664]);
    // Kafka 0.11 and later (here with KRaft, which also drops the
    // restarted S2 from the ISR): the same faults, and nothing is lost.
    let fixed = without("kafka-kip101", "truncate_to_hw", 4_000 * MS);
    assert!(note(&fixed, "truncates to its high watermark").is_none());
    assert!(note(&fixed, "the partition is OFFLINE").is_some());
    assert_eq!(view(&fixed, 1).role, "leader");
    assert_eq!(view(&fixed, 1).state_machine, "x=1 y=2");
    assert!(lost(&fixed).is_empty());
}

#[test]
fn kip101_logs_diverge_after_two_power_failures() {
    let tl = run("kafka-kip101-divergence", 6_000 * MS);
    assert_eq!(ok(&tl, 2), 1_042);
    assert_eq!(note(&tl, "S3 (controller) fences S1"), Some(3_400));
    assert_eq!(
        note(
            &tl,
            "S2 becomes leader of epoch 1 (ISR 2); epoch 1 starts at offset 1"
        ),
        Some(3_420)
    );
    assert_eq!(ok(&tl, 3), 4_000);
    assert!(note(&tl, "S2: S1 caught up (LEO 2 ≥ HW 2): ISR expand 2 → 1,2").is_some());
    let (s1, s2) = (view(&tl, 1), view(&tl, 2));
    assert_eq!((s1.log[1].text.as_str(), s1.log[1].term), ("y=2", 0));
    assert_eq!((s2.log[1].text.as_str(), s2.log[1].term), ("y=3", 1));
    assert_eq!(read(&tl, 4), (5_500, 2, Some(3)));
    // Kafka 0.11 and later with KRaft: the restarted S2 leaves the ISR,
    // the partition waits offline for S1, and the logs stay one.
    let fixed = without("kafka-kip101-divergence", "truncate_to_hw", 6_000 * MS);
    assert!(note(&fixed, "the partition is OFFLINE").is_some());
    let texts =
        |v: replviz::protocol::NodeView| v.log.iter().map(|e| e.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(view(&fixed, 1)), ["x=1", "y=2"]);
    assert_eq!(texts(view(&fixed, 2)), texts(view(&fixed, 1)));
}
