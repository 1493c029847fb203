//! The Redis built-in scenarios do what their explanations say, claim by
//! claim, on the real run (times in ms, as the texts give them).

mod common;

use common::{
    is_lesson as lesson, leaders, note_at as note, replies, run_preset as run, view_of as view,
};
use replviz::protocol::Reply;
use replviz::sim::trace::TraceKind;
use replviz::timeline::Timeline;

const MS: u64 = 1_000;

fn near(t: u64, at: u64) -> bool {
    t.abs_diff(at) <= 30
}

fn ok_at(r: &[(u64, u32, u64, Reply)], req: u64) -> Option<u64> {
    r.iter()
        .find(|(_, n, q, x)| *n == 1 && *q == req && matches!(x, Reply::Ok { .. }))
        .map(|x| x.0)
}

#[test]
fn async_loss_loses_the_acknowledged_write() {
    let tl = run("redis-async-loss", 4_500 * MS);
    let r = replies(&tl);
    assert_eq!(ok_at(&r, 1), Some(300));
    assert_eq!(ok_at(&r, 2), Some(600), "x=2 answered at once");
    let cut = run("redis-async-loss", 690 * MS);
    for id in [2, 3] {
        assert_eq!(view(&cut, id).state_machine, "x=1", "S{id}");
    }
    assert!(near(
        note(&tl, "S5 (sentinel): +odown master S1").unwrap(),
        2_240
    ));
    assert!(note(&tl, "+try-failover, epoch 1").is_some());
    let t = note(
        &tl,
        "S5 (sentinel): elected leader for epoch 1; +selected-slave S2",
    )
    .unwrap();
    assert!(near(t, 2_280), "promoted at {t}");
    assert!(
        note(&tl, "S2 accepts S3's partial resync").is_some(),
        "PSYNC2: +CONTINUE"
    );
    assert_eq!(leaders(&tl), vec![(2, 1)]);
    let read = r.iter().find(|(_, _, q, _)| *q == 3).unwrap();
    assert_eq!((read.0, read.1), (4_000, 2));
    assert!(matches!(read.3, Reply::Read { value: Some(1), .. }));
    lesson(&tl);
}

#[test]
fn backlog_overflow_forces_a_full_resync() {
    let tl = run("redis-backlog-overflow", 2_000 * MS);
    let r = replies(&tl);
    for (q, t) in (2..=7).zip((500..).step_by(100)) {
        assert_eq!(ok_at(&r, q), Some(t), "request #{q}");
    }
    assert!(note(
        &tl,
        "S1 answers S3 with +FULLRESYNC: its offset is no longer in the backlog"
    )
    .is_some());
    let t = note(
        &tl,
        "S3 flushes its data (offset 16) and loads the RDB snapshot at offset 128",
    )
    .unwrap();
    assert!(near(t, 1_340), "{t}");
    assert_eq!(view(&tl, 3).state_machine, view(&tl, 1).state_machine);
    assert_eq!(view(&tl, 2).state_machine, "x=1 y=7 z=9");
    // The default backlog: a partial resync instead.
    let mut s = replviz::scenarios::build("redis-backlog-overflow").unwrap();
    s.settings.remove("redis");
    let mut big = Timeline::new(s);
    big.advance_to(2_000 * MS);
    assert!(note(&big, "S1 accepts S3's partial resync from offset 17").is_some());
    assert!(note(&big, "+FULLRESYNC: its offset").is_none());
}

#[test]
fn split_brain_loses_the_isolated_masters_writes() {
    let tl = run("redis-split-brain", 6_500 * MS);
    let r = replies(&tl);
    for (q, t) in (2..=9).zip((700..).step_by(300)) {
        assert_eq!(ok_at(&r, q), Some(t), "request #{q} acknowledged by S1");
    }
    let t = note(
        &tl,
        "S6 (sentinel): elected leader for epoch 1; +selected-slave S2",
    )
    .unwrap();
    assert!(near(t, 2_050), "{t}");
    let both = run("redis-split-brain", 3_000 * MS);
    let mut l = leaders(&both);
    l.sort();
    assert_eq!(l, vec![(1, 0), (2, 1)], "two masters");
    assert!(near(
        note(&tl, "+convert-to-slave S1 (master is S2)").unwrap(),
        4_050
    ));
    assert!(note(
        &tl,
        "it took writes this master never had (offset 144 > second_replid_offset 16)"
    )
    .is_some());
    assert!(note(&tl, "S1 flushes its data (offset 144)").is_some());
    let read = r.iter().find(|(_, _, q, _)| *q == 10).unwrap();
    assert_eq!((read.0, read.1), (6_000, 1));
    assert!(
        matches!(read.3, Reply::Read { value: None, .. }),
        "{read:?}"
    );
    assert_eq!(leaders(&tl), vec![(2, 1)]);
    lesson(&tl);
    // The loss window: 8 acknowledged writes, acknowledged from 0.7 s to
    // 2.8 s, are not on the master S2.
    assert_eq!(loss(&tl), (2, 8, 700, 2_800));
}

/// The current leader, how many acknowledged writes it lacks, and the
/// first and last of their acknowledgement times (ms).
fn loss(tl: &Timeline) -> (u32, usize, u64, u64) {
    let (leader, t) = tl.engine().lost_writes().expect("a master");
    let (lo, hi) = (
        t.iter().min().copied().unwrap_or(0),
        t.iter().max().copied().unwrap_or(0),
    );
    (leader, t.len(), lo / MS, hi / MS)
}

#[test]
fn min_replicas_bounds_the_loss() {
    let tl = run("redis-min-replicas", 6_500 * MS);
    let r = replies(&tl);
    assert_eq!(ok_at(&r, 2), Some(700), "y=2 still accepted");
    for q in 3..=9 {
        let refused = r.iter().find(|(_, _, x, _)| *x == q).unwrap();
        assert!(
            matches!(refused.3, Reply::Aborted { .. }),
            "request #{q}: {refused:?}"
        );
        assert!(refused.0 >= 1_000);
    }
    assert!(note(&tl, "-NOREPLICAS").is_some());
    // min-replicas-max-lag bounds the loss window: one write, at 0.7 s.
    assert_eq!(loss(&tl), (2, 1, 700, 700));
    assert!(note(
        &tl,
        "it took writes this master never had (offset 32 > second_replid_offset 16)"
    )
    .is_some());
}

#[test]
fn psync2_lets_replicas_continue_after_failover() {
    let tl = run("redis-psync2-failover", 4_500 * MS);
    let before = run("redis-psync2-failover", 690 * MS);
    for id in [2, 3] {
        assert!(
            view(&before, id)
                .details
                .iter()
                .any(|d| d.ends_with("offset 32")),
            "S{id}: {:?}",
            view(&before, id).details
        );
    }
    let t = note(&tl, "+switch-master S1 -> S2").unwrap();
    assert!((2_200..=2_400).contains(&t), "failover at {t}");
    let s2 = view(&tl, 2);
    assert!(
        s2.details
            .iter()
            .any(|d| d.starts_with("replid2 ") && d.ends_with("up to 32")),
        "{:?}",
        s2.details
    );
    assert!(note(&tl, "S2 accepts S3's partial resync from offset 33").is_some());
    let resyncs: Vec<_> = tl
        .trace()
        .iter()
        .filter(|e| e.time > 700 * MS)
        .filter(|e| matches!(&e.kind, TraceKind::Note { text, .. } if text.contains("FULLRESYNC") || text.contains("flushes")))
        .collect();
    assert!(resyncs.is_empty(), "a full resync after the failover");
    let r = replies(&tl);
    assert!(r
        .iter()
        .any(|(t, n, q, x)| *t == 4_000 && *n == 2 && *q == 3 && matches!(x, Reply::Ok { .. })));
    assert_eq!(view(&tl, 3).state_machine, "x=1 y=2 z=3");
}

#[test]
fn wait_is_not_consensus() {
    let tl = run("redis-wait-not-consensus", 6_500 * MS);
    let r = replies(&tl);
    // Each write is answered once a replica acknowledged it (WAIT 1).
    for (q, sent) in [(1, 300), (2, 700), (3, 1_300)] {
        let t = ok_at(&r, q).unwrap_or_else(|| panic!("request #{q} OK: {r:?}"));
        assert!(t > sent && t < sent + 100, "request #{q} at {t}");
        assert!(note_before(
            &tl,
            t,
            &format!("S1: WAIT 1 returns 1: offset {}", 16 * q)
        ));
    }
    // S3, cut off from S1 since 0.5 s, is promoted at about 2.55 s without x=2 and y=3.
    let t = note(&tl, "S3: REPLICAOF NO ONE: master with replid").unwrap();
    assert!(near(t, 2_550), "{t}");
    assert!(note(&tl, "+selected-slave S3").is_some());
    assert_eq!(leaders(&tl), vec![(3, 1)]);
    for s in [1, 2] {
        assert!(note(
            &tl,
            &format!("S3 answers S{s} with +FULLRESYNC: it took writes this master never had")
        )
        .is_some_and(|t| near(t, 4_060)));
        assert!(note(&tl, &format!("S{s} flushes its data (offset 48)")).is_some());
    }
    assert_eq!(loss(&tl), (3, 2, 743, 1_340));
    let read = |q: u64| r.iter().find(|x| x.2 == q).unwrap().3.clone();
    assert!(
        matches!(read(4), Reply::Read { value: Some(1), .. }),
        "{:?}",
        read(4)
    );
    assert!(
        matches!(read(5), Reply::Read { value: None, .. }),
        "{:?}",
        read(5)
    );
    lesson(&tl);
    // Had no replica acknowledged in time, WAIT would time out (1 s, 50 ms
    // here) and its client could not tell: the answer is indeterminate,
    // and the write stays on the master.
    let mut s = replviz::scenarios::build("redis-wait-not-consensus").unwrap();
    s.actions.retain(|a| a.t < 500 * MS);
    let mut alone = Timeline::new(s);
    for b in [2, 3] {
        alone.act(500 * MS, replviz::sim::Action::CutBoth { a: 1, b });
    }
    alone.act(
        700 * MS,
        replviz::sim::Action::Request {
            node: 1,
            cmd: replviz::protocols::common::cmd(0, 2),
        },
    );
    alone.advance_to(1_000 * MS);
    let r = replies(&alone);
    let (t, _, _, reply) = r.iter().find(|x| x.2 == 2).unwrap().clone();
    assert!(matches!(reply, Reply::Unknown), "{reply:?}");
    assert!(near(t, 750), "{t}");
    assert!(note(&alone, "S1: WAIT 1 times out and returns 0").is_some());
    assert!(view(&alone, 1).state_machine.contains("x=2"));
}

/// A note containing `text` at or before `t`.
fn note_before(tl: &Timeline, t: u64, text: &str) -> bool {
    note(tl, text).is_some_and(|at| at <= t)
}

/// `replica-serve-stale-data` (redis.conf): yes, the default, lets a
/// replica whose master link is down answer reads with what it has; no
/// makes it answer -MASTERDOWN.
#[test]
fn replica_serve_stale_data() {
    for serve in [true, false] {
        let mut s = replviz::scenario::Scenario {
            protocol: replviz::protocols::ProtocolKind::parse("redis").unwrap(),
            nodes: 6,
            ..Default::default()
        };
        s.set_param("replica-serve-stale-data", &serve.to_string())
            .unwrap();
        let mut tl = Timeline::new(s);
        tl.act(
            300 * MS,
            replviz::sim::Action::Request {
                node: 1,
                cmd: replviz::protocols::common::cmd(0, 1),
            },
        );
        tl.act(500 * MS, replviz::sim::Action::CutBoth { a: 1, b: 3 });
        // repl-timeout (60 s, 3 s here) passes: S3 knows its link is down.
        tl.act(
            4_500 * MS,
            replviz::sim::Action::Request {
                node: 3,
                cmd: replviz::protocol::Command::read(replviz::protocol::Key(0), 1),
            },
        );
        tl.advance_to(4_600 * MS);
        assert!(
            note(&tl, "S3: MASTER timeout: no data nor PING received").is_some_and(|t| t < 4_500)
        );
        let r = replies(&tl);
        let read = &r.iter().find(|x| x.2 == 2).unwrap().3;
        if serve {
            assert!(
                matches!(read, Reply::Read { value: Some(1), .. }),
                "{read:?}"
            );
        } else {
            assert!(matches!(read, Reply::NotLeader { .. }), "{read:?}");
            assert!(note(&tl, "S3: -MASTERDOWN Link with MASTER is down").is_some());
        }
    }
}
