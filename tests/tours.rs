//! Tours (issue 18): every beat of a built-in scenario's tour lands where
//! its caption says (each claim checked here), and a beat reached by
//! playing forward is the same state as the beat reached by going back
//! (the page's "Back" seeks; this compares the trace hash and the views).

mod common;

use common::{leaders, run_preset as run, view_of, views};
use replviz::protocols::ProtocolKind;

const MS: u64 = 1_000;

/// The beats of a built-in scenario's tour, in ms.
fn beats(id: &str) -> Vec<u64> {
    ProtocolKind::all()
        .flat_map(|p| p.scenarios.iter())
        .find(|b| b.id == id)
        .map(|b| b.chapters.iter().map(|c| c.0).collect())
        .unwrap_or_default()
}

/// The log texts of a node, with `✓` for committed entries.
fn log(tl: &replviz::timeline::Timeline, id: u32) -> Vec<String> {
    view_of(tl, id)
        .log
        .iter()
        .map(|e| format!("{}{}", e.text, if e.committed { "✓" } else { "" }))
        .collect()
}

#[test]
fn beats_are_the_same_state_forward_and_backward() {
    let mut toured = 0;
    for p in ProtocolKind::all() {
        for b in p.scenarios.iter().filter(|b| !b.chapters.is_empty()) {
            toured += 1;
            let times = beats(b.id);
            assert!(
                times.windows(2).all(|w| w[0] < w[1]),
                "{}: beats in order",
                b.id
            );
            let end = *times.last().unwrap() * MS + 500 * MS;
            let mut back = run(b.id, end);
            for &ms in times.iter().rev() {
                back.seek(ms * MS);
                let fwd = run(b.id, ms * MS);
                assert_eq!(
                    fwd.engine().trace_hash(),
                    back.engine().trace_hash(),
                    "{} at {ms} ms",
                    b.id
                );
                assert_eq!(views(&fwd), views(&back), "{} at {ms} ms", b.id);
            }
        }
    }
    assert!(toured >= 6, "{toured} tours");
}

/// Raft leader crash (§5.2, §5.4).
#[test]
fn leader_crash_tour() {
    assert_eq!(beats("leader-crash"), [1_100, 1_250, 1_500, 2_600]);
    let t = run("leader-crash", 1_100 * MS);
    assert_eq!(leaders(&t), [(3, 1)], "S3 leads term 1");
    for v in views(&t) {
        assert_eq!(
            log(&t, v.id),
            ["no-op✓", "x=1✓", "y=2✓"],
            "x=1, y=2 committed on S{}",
            v.id
        );
    }
    let t = run("leader-crash", 1_250 * MS);
    assert!(!view_of(&t, 3).up, "S3 has crashed");
    assert_eq!(leaders(&t), [], "no leader yet");
    let t = run("leader-crash", 1_500 * MS);
    assert_eq!(leaders(&t), [(1, 2)], "S1 won term 2");
    assert!(log(&t, 1).starts_with(&["no-op✓".into(), "x=1✓".into(), "y=2✓".into()]));
    let t = run("leader-crash", 2_600 * MS);
    let s3 = view_of(&t, 3);
    assert!(s3.up && s3.role == "follower" && s3.term == 2, "{s3:?}");
    assert_eq!(leaders(&t), [(1, 2)]);
}

/// Figure 8: each beat is where a step starts; the next beat shows its end.
#[test]
fn figure_8_tour() {
    assert_eq!(beats("figure-8"), [600, 1_600, 3_600, 4_600]);
    let t = run("figure-8", 600 * MS);
    let s1 = view_of(&t, 1);
    assert_eq!(
        (s1.role, s1.term),
        ("candidate", 2),
        "(a) begins: S1 stands for term 2"
    );
    let t = run("figure-8", 1_600 * MS);
    assert_eq!(log(&t, 2), ["x=1✓", "x=2"], "(a) done: index 2 on S2 only");
    assert_eq!(log(&t, 3), ["x=1✓"]);
    assert!(!view_of(&t, 1).up, "(b) begins: S1 crashes");
    let t = run("figure-8", 3_600 * MS);
    assert_eq!(
        log(&t, 5),
        ["x=1", "x=3"],
        "(b) done: S5 accepted another entry at index 2"
    );
    assert_eq!(view_of(&t, 5).term, 3);
    let t = run("figure-8", 4_600 * MS);
    assert_eq!(
        log(&t, 3),
        ["x=1✓", "x=2"],
        "(c) done: S1's term-2 entry on S3, not committed"
    );
    assert_eq!(view_of(&t, 1).term, 4);
}

/// Paxos Made Moderately Complex §3: dueling proposers.
#[test]
fn paxos_dueling_tour() {
    assert_eq!(beats("paxos-dueling"), [300, 2_000, 2_600, 4_500]);
    let t = run("paxos-dueling", 300 * MS);
    let roles: Vec<&str> = views(&t).iter().map(|v| v.role).collect();
    assert_eq!(
        roles.iter().filter(|r| **r == "proposer").count(),
        2,
        "S1 and S3 propose: {roles:?}"
    );
    assert!(views(&t).iter().all(|v| v.log.is_empty()), "nothing chosen");
    let early = view_of(&t, 1).term;
    let t = run("paxos-dueling", 2_000 * MS);
    assert!(
        views(&t).iter().all(|v| v.log.is_empty()),
        "still nothing chosen"
    );
    assert!(view_of(&t, 1).term > early + 50, "the ballots climb");
    let t = run("paxos-dueling", 2_600 * MS);
    assert!(!view_of(&t, 3).up);
    assert_eq!(leaders(&t).len(), 1, "S1 alone leads");
    assert_eq!(leaders(&t)[0].0, 1);
    let t = run("paxos-dueling", 4_500 * MS);
    assert_eq!(log(&t, 1), ["x=2✓"], "the next request is chosen");
}

/// Gray's two-phase commit: blocking after the votes.
#[test]
fn two_phase_commit_blocking_tour() {
    assert_eq!(beats("2pc-blocking"), [1_100, 2_500, 3_200]);
    for ms in [1_100, 2_500] {
        let t = run("2pc-blocking", ms * MS);
        assert!(!view_of(&t, 1).up, "the coordinator is down at {ms} ms");
        for id in 2..=4 {
            let v = view_of(&t, id);
            assert_eq!(v.log[0].mark, "prepared", "S{id} prepared at {ms} ms");
            assert!(
                v.badge.starts_with("BLOCKED"),
                "S{id} blocked: {:?}",
                v.badge
            );
            assert_eq!(v.subline, "1 lock(s)");
        }
    }
    let t = run("2pc-blocking", 3_200 * MS);
    for v in views(&t) {
        assert_eq!(v.log[0].mark, "aborted", "T1 aborted at S{}", v.id);
        assert!(v.badge.is_empty());
    }
    for id in 2..=4 {
        assert_eq!(
            view_of(&t, id).subline,
            "0 lock(s)",
            "S{id}'s locks released"
        );
    }
}

/// Zab: an isolated leader's proposals are truncated (TRUNC, then DIFF).
#[test]
fn zab_truncate_tour() {
    assert_eq!(beats("zab-truncate"), [1_100, 2_600, 3_600]);
    let t = run("zab-truncate", 1_100 * MS);
    assert_eq!(leaders(&t), [(5, 1)]);
    assert_eq!(
        log(&t, 5),
        ["x=1✓", "y=2", "z=3"],
        "two uncommitted proposals"
    );
    let t = run("zab-truncate", 2_600 * MS);
    assert_eq!(view_of(&t, 5).role, "looking");
    assert_eq!(leaders(&t), [(4, 2)], "a new leader in a higher epoch");
    assert_eq!(log(&t, 4), ["x=1✓", "x=4✓"], "which commits a new request");
    let t = run("zab-truncate", 3_600 * MS);
    assert_eq!(
        log(&t, 5),
        ["x=1✓", "x=4✓"],
        "truncated, then brought up to date"
    );
}

/// MySQL asynchronous replication loses an acknowledged commit.
#[test]
fn mysql_async_loss_tour() {
    assert_eq!(beats("mysql-async-loss"), [450, 650, 750, 4_000, 6_200]);
    let t = run("mysql-async-loss", 450 * MS);
    for id in 1..=3 {
        assert_eq!(log(&t, id), ["x=1✓"], "S{id} has x=1");
    }
    let t = run("mysql-async-loss", 650 * MS);
    assert_eq!(log(&t, 1), ["x=1✓", "x=2✓"]);
    assert_eq!(log(&t, 2), ["x=1✓"]);
    assert_eq!(log(&t, 3), ["x=1✓"]);
    let t = run("mysql-async-loss", 750 * MS);
    assert!(!view_of(&t, 1).up);
    let t = run("mysql-async-loss", 4_000 * MS);
    let s2 = view_of(&t, 2);
    assert!(s2.role == "source" && s2.leading, "S2 promoted: {s2:?}");
    let t = run("mysql-async-loss", 6_200 * MS);
    common::is_lesson(&t);
    let read: Vec<String> = t
        .engine()
        .history()
        .iter()
        .filter(|op| op.invoke >= 6_000 * MS)
        .map(|op| op.out.to_string())
        .collect();
    assert_eq!(read, ["1"], "the read at the new source returns 1");
}

/// A teacher's tour travels in the link (five short beats stay well under
/// 2,000 characters) and changes nothing about the run.
#[test]
fn a_written_tour_survives_its_link() {
    use replviz::link::{decode, encode};
    let mut s = replviz::scenarios::build("leader-crash").unwrap();
    let plain = encode(&s, 0);
    s.tour = [
        (300, "Who leads?"),
        (1_100, "x=1 and y=2 committed"),
        (1_250, "S3 is gone: who times out first?"),
        (1_500, "S1 leads term 2"),
        (2_600, "S3 is back as a follower"),
    ]
    .iter()
    .map(|(ms, t)| (ms * MS, t.to_string()))
    .collect();
    let link = encode(&s, 1_500 * MS);
    println!(
        "five-beat tour: link {} characters (without: {})",
        link.len(),
        plain.len()
    );
    assert!(link.len() < 2_000, "{}", link.len());
    let back = decode(&link).unwrap();
    assert_eq!(back.s, s);
    assert_eq!(back.at, 1_500 * MS);
    // The run is the same with or without the tour.
    let mut with = replviz::timeline::Timeline::new(s.clone());
    s.tour.clear();
    let mut without = replviz::timeline::Timeline::new(s);
    with.advance_to(3_000 * MS);
    without.advance_to(3_000 * MS);
    assert_eq!(with.engine().trace_hash(), without.engine().trace_hash());
}

/// The history's operations invoked from `from_ms` on: (kind, argument
/// or value read, outcome).
fn ops_from(tl: &replviz::timeline::Timeline, from_ms: u64) -> Vec<String> {
    tl.engine()
        .history()
        .iter()
        .filter(|op| op.invoke >= from_ms * MS)
        .map(|op| match op.f {
            replviz::history::F::Read => format!("read {} {:?}", op.out, op.outcome),
            _ => format!("{:?} {} {:?}", op.f, op.arg, op.outcome),
        })
        .collect()
}

/// Kafka acks=1 (KIP-101's truncation by leader epoch).
#[test]
fn kafka_acks1_loss_tour() {
    assert_eq!(beats("kafka-acks1-loss"), [400, 700, 2_000, 3_000, 3_600]);
    let t = run("kafka-acks1-loss", 400 * MS);
    assert_eq!(ops_from(&t, 0), ["Write 1 Ok"], "x=1 acknowledged at once");
    for id in 1..=3 {
        assert_eq!(log(&t, id), ["x=1✓"], "S{id} has x=1");
    }
    let t = run("kafka-acks1-loss", 700 * MS);
    assert_eq!(ops_from(&t, 500), ["Write 2 Ok"], "x=2 acknowledged");
    assert_eq!(log(&t, 1), ["x=1✓", "x=2"]);
    assert_eq!(
        (log(&t, 2), log(&t, 3)),
        (vec!["x=1✓".to_string()], vec!["x=1✓".to_string()])
    );
    let t = run("kafka-acks1-loss", 2_000 * MS);
    assert!(!view_of(&t, 1).up);
    assert_eq!(leaders(&t), [(2, 1)], "S2 leads epoch 1");
    assert!(view_of(&t, 4)
        .details
        .iter()
        .any(|d| d.contains("fenced: S1")));
    let t = run("kafka-acks1-loss", 3_000 * MS);
    assert!(view_of(&t, 1).up && view_of(&t, 1).role == "follower");
    assert_eq!(log(&t, 1), ["x=1✓"], "S1 truncated x=2 away");
    let t = run("kafka-acks1-loss", 3_600 * MS);
    assert_eq!(ops_from(&t, 3_000), ["read 1 Ok"]);
    common::is_lesson(&t);
}

/// Redis: asynchronous replication, Sentinel failover.
#[test]
fn redis_async_loss_tour() {
    assert_eq!(beats("redis-async-loss"), [400, 650, 2_400, 4_100]);
    let t = run("redis-async-loss", 400 * MS);
    assert_eq!(ops_from(&t, 0), ["Write 1 Ok"]);
    for id in 1..=3 {
        assert_eq!(view_of(&t, id).state_machine, "x=1", "S{id}");
    }
    let t = run("redis-async-loss", 650 * MS);
    assert_eq!(ops_from(&t, 500), ["Write 2 Ok"]);
    assert_eq!(view_of(&t, 1).state_machine, "x=2");
    assert_eq!(view_of(&t, 2).state_machine, "x=1");
    assert_eq!(view_of(&t, 3).state_machine, "x=1");
    let t = run("redis-async-loss", 2_400 * MS);
    assert!(!view_of(&t, 1).up);
    let s2 = view_of(&t, 2);
    assert!(s2.role == "master" && s2.up, "S2 promoted: {s2:?}");
    let t = run("redis-async-loss", 4_100 * MS);
    assert_eq!(ops_from(&t, 3_000), ["read 1 Ok"]);
    common::is_lesson(&t);
}

/// MongoDB w:1: an acknowledged write rolled back.
#[test]
fn mongodb_w1_rollback_tour() {
    assert_eq!(
        beats("mongodb-w1-rollback"),
        [1_250, 1_600, 2_500, 4_200, 5_100]
    );
    let t = run("mongodb-w1-rollback", 1_250 * MS);
    assert_eq!(leaders(&t), [(3, 1)]);
    assert_eq!(ops_from(&t, 0), ["Write 1 Ok"]);
    assert!(
        view_of(&t, 1).log.is_empty() && view_of(&t, 2).log.is_empty(),
        "no secondary has x=1 yet"
    );
    let t = run("mongodb-w1-rollback", 1_600 * MS);
    assert_eq!(ops_from(&t, 1_300), ["Write 2 Ok"], "y=2 acknowledged");
    assert!(log(&t, 3).contains(&"y=2".to_string()));
    for id in [1, 2] {
        assert!(
            !log(&t, id).iter().any(|e| e.starts_with("y=2")),
            "S{id} lacks y=2"
        );
    }
    let t = run("mongodb-w1-rollback", 2_500 * MS);
    assert_eq!(leaders(&t), [(1, 2)], "S1 primary of term 2");
    assert_eq!(view_of(&t, 3).role, "secondary", "S3 stepped down");
    let t = run("mongodb-w1-rollback", 4_200 * MS);
    let s3 = view_of(&t, 3);
    assert!(
        s3.details
            .iter()
            .any(|d| d.contains("rollback/removed.bson: y=2")),
        "{:?}",
        s3.details
    );
    assert!(!s3.state_machine.contains("y=2"));
    let t = run("mongodb-w1-rollback", 5_100 * MS);
    assert_eq!(
        ops_from(&t, 4_500),
        ["read nil Ok", "read 1 Ok"],
        "y: nothing; x: 1"
    );
}

/// Cassandra R + W <= RF.
#[test]
fn cassandra_stale_read_tour() {
    assert_eq!(beats("cassandra-stale-read"), [400, 600, 1_100, 2_100]);
    let t = run("cassandra-stale-read", 400 * MS);
    let cuts: Vec<String> = t
        .scenario()
        .actions
        .iter()
        .filter(|a| a.t <= 300 * MS)
        .map(|a| format!("{:?}", a.action))
        .collect();
    assert_eq!(
        cuts,
        ["CutBoth { a: 3, b: 1 }", "CutBoth { a: 3, b: 2 }"],
        "S3 cut off at 0.3 s"
    );
    let t = run("cassandra-stale-read", 600 * MS);
    assert_eq!(ops_from(&t, 0), ["Write 1 Ok"]);
    assert_eq!(
        view_of(&t, 3).state_machine,
        "",
        "the mutation to S3 is lost"
    );
    assert!(
        view_of(&t, 1).details.iter().all(|d| !d.contains("hint")),
        "no hint"
    );
    assert!(view_of(&t, 1)
        .details
        .iter()
        .any(|d| d == "sees every node UP"));
    let t = run("cassandra-stale-read", 1_100 * MS);
    assert_eq!(ops_from(&t, 900), ["read nil Ok"], "a stale read");
    let t = run("cassandra-stale-read", 2_100 * MS);
    assert_eq!(
        ops_from(&t, 1_900),
        ["read nil Ok"],
        "still stale after the heal"
    );
    assert_eq!(view_of(&t, 3).state_machine, "");
}

/// Elasticsearch: a write waits for every in-sync copy.
#[test]
fn es_replica_cut_stalls_write_tour() {
    assert_eq!(
        beats("es-replica-cut-stalls-write"),
        [400, 1_000, 1_750, 4_100]
    );
    let t = run("es-replica-cut-stalls-write", 400 * MS);
    assert_eq!(ops_from(&t, 0), ["Write 1 Ok"]);
    assert_eq!(log(&t, 2), ["x=1"], "once S2 had it");
    let t = run("es-replica-cut-stalls-write", 1_000 * MS);
    assert_eq!(ops_from(&t, 500), ["Write 2 Info"], "y=2 stalls");
    assert!(view_of(&t, 1)
        .details
        .iter()
        .any(|d| d.contains("waiting for copies")));
    let t = run("es-replica-cut-stalls-write", 1_750 * MS);
    assert_eq!(
        ops_from(&t, 500),
        ["Write 2 Ok"],
        "acknowledged once S2 was removed"
    );
    assert_eq!(view_of(&t, 2).role, "stale");
    assert!(view_of(&t, 1)
        .details
        .iter()
        .any(|d| d.ends_with("in-sync S1")));
    let t = run("es-replica-cut-stalls-write", 4_100 * MS);
    assert_eq!(view_of(&t, 2).role, "replica");
    assert!(view_of(&t, 1)
        .details
        .iter()
        .any(|d| d.ends_with("in-sync S1,S2")));
    assert_eq!(ops_from(&t, 3_500), ["Write 3 Ok"]);
}
