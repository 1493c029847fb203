//! The MongoDB built-in scenarios do what their explanations say, claim by
//! claim, on the real run (times in ms), and the replica set's rules from
//! the repl README hold in scripted runs. Sources:
//! `shared/reference/real-systems.md` section 5 (failure demos 1 and 2),
//! `mongodb/mongo` `src/mongo/db/repl/README.md`.

mod common;

use common::{
    is_lesson as lesson, note_at as note, ok_at as ok, read_of as read, reply_of as reply,
    run_preset as run, view_of as view,
};
use replviz::protocol::Reply;
use replviz::timeline::Timeline;

const MS: u64 = 1_000;

fn lost(tl: &Timeline) -> Vec<u64> {
    let (_, t) = tl.engine().lost_writes().expect("a primary");
    t.into_iter().map(|t| t / MS).collect()
}

/// The claims both scenarios share: the election of term 1 and of term 2,
/// the stepdown, the rollback and the reads at 5 s.
fn shared_claims(tl: &Timeline) {
    // A dry run, a split vote, S3 primary of term 1 at 1.10 s.
    assert!(note(tl, "dry run in term 0").is_some());
    assert!(note(tl, "already voted for").is_some(), "a split vote");
    assert_eq!(note(tl, "S3 is elected primary of term 1"), Some(1_100));
    // README, Elections: S1 stands only after a dry run; term 2 at 2.42 s.
    assert_eq!(
        note(tl, "S1 passed its dry run; election for term 2"),
        Some(2_393)
    );
    assert_eq!(note(tl, "S1 is elected primary of term 2"), Some(2_424));
    // README, Stepdown: the isolated S3 steps down for lack of a majority.
    assert_eq!(
        note(tl, "S3 steps down: it has not heard from a majority"),
        Some(2_428)
    );
    // README, Rollback: after the heal S3 rolls back y=2 to its file,
    // then is RECOVERING until it has applied up to minValid (its sync
    // source's lastApplied when it rolled back), then SECONDARY.
    assert_eq!(note(tl, "S3 enters ROLLBACK"), Some(4_097));
    let recovering = note(tl, "S3 leaves ROLLBACK: RECOVERING until minValid").unwrap();
    let secondary = note(tl, "S3 reached minValid: SECONDARY").unwrap();
    assert!(4_097 < recovering && recovering <= secondary && secondary < 5_000);
    let s3 = view(tl, 3);
    assert_eq!(s3.role, "secondary");
    assert!(
        s3.details
            .iter()
            .any(|d| d == "rollback/removed.bson: y=2 (ts 3, t1)"),
        "{:?}",
        s3.details
    );
    assert_eq!(s3.state_machine, "x=1", "y=2 is not in S3's data");
    // Reads at S1 at 5 s: y nowhere, x=1 there.
    assert_eq!(read(tl, 3), (5_000, 1, None));
    assert_eq!(read(tl, 4), (5_000, 1, Some(1)));
}

#[test]
fn a_w1_write_is_rolled_back() {
    let tl = run("mongodb-w1-rollback", 6_000 * MS);
    assert_eq!(ok(&tl, 1), 1_201, "w:1: acknowledged at once");
    assert_eq!(
        ok(&tl, 2),
        1_501,
        "y=2 acknowledged by the isolated S3 alone"
    );
    shared_claims(&tl);
    assert_eq!(lost(&tl), vec![1_501], "the acknowledged y=2 is lost");
    lesson(&tl);
}

#[test]
fn a_majority_write_survives_and_the_timed_out_one_rolls_back() {
    let tl = run("mongodb-majority-survives", 6_000 * MS);
    assert_eq!(
        ok(&tl, 1),
        1_317,
        "w:majority: answered once a secondary has it"
    );
    // wtimeout 5000 ms, 500 ms here: a writeConcernError, outcome unknown.
    assert_eq!(reply(&tl, 2).0, 2_001);
    assert_eq!(reply(&tl, 2).2, Reply::Unknown);
    assert_eq!(note(&tl, "writeConcernError (wtimeout)"), Some(2_001));
    shared_claims(&tl);
    assert!(lost(&tl).is_empty(), "no acknowledged write is lost");
}

#[test]
fn a_lagging_secondary_answers_a_stale_read() {
    let tl = run("mongodb-stale-secondary-read", 4_000 * MS);
    assert_eq!(note(&tl, "S3 is elected primary of term 1"), Some(1_100));
    assert_eq!(ok(&tl, 1), 1_317);
    assert_eq!(ok(&tl, 2), 1_634, "acknowledged with S2's copy");
    assert_eq!(read(&tl, 3), (1_901, 1, Some(1)), "S1's stale read");
    assert_eq!(read(&tl, 4), (1_901, 2, Some(2)));
    assert_eq!(
        note(
            &tl,
            "S2 denies S1's dry-run vote: its lastApplied (ts 2, t1) is behind (ts 3, t1)"
        ),
        Some(2_599)
    );
    assert!(
        note(&tl, "election for term 2").is_none(),
        "S1 deposes no one"
    );
    assert_eq!(
        read(&tl, 5),
        (3_101, 1, Some(2)),
        "caught up after the heal"
    );
    lesson(&tl);
    // The lesson names the setting that allows it.
    let v = tl.scenario().protocol_settings();
    assert!((tl.scenario().protocol.relaxed_by)(&v).starts_with("readPreference secondary"));
}

/// The stale read fixed by a causally consistent session: the read at S1
/// carries `afterClusterTime`, the operation time of x=2's write, and S1
/// holds it until it has applied that far (after the heal), then answers
/// 2 instead of 1. The read at S2, which has x=2, is answered at once.
#[test]
fn a_causally_consistent_session_never_reads_behind_its_own_write() {
    let mut s = replviz::scenarios::build("mongodb-stale-secondary-read").unwrap();
    if let Some(serde_json::Value::Object(m)) = s.settings.get_mut("mongodb") {
        m.insert("causalConsistency".into(), true.into());
    }
    let mut tl = Timeline::new(s);
    tl.advance_to(4_000 * MS);
    assert!(tl.engine().violations().is_empty());
    assert_eq!(ok(&tl, 2), 1_634);
    assert!(note(
        &tl,
        "S1 holds the read: afterClusterTime 3 is past what it has applied (2)"
    )
    .is_some());
    let (at, _, value) = read(&tl, 3);
    assert_eq!(value, Some(2), "read your writes: not the stale 1");
    assert_eq!(at, 2_696, "answered once S1 has caught up after the heal");
    assert_eq!(read(&tl, 4), (1_901, 2, Some(2)), "S2 answers at once");
    assert_eq!(read(&tl, 5), (3_101, 1, Some(2)));
}

/// The catch-up scenario, with its settings changed.
fn catch_up_with(catch_up_ms: i64, until: u64) -> Timeline {
    let mut s = replviz::scenarios::build("mongodb-catchup-vs-rollback").unwrap();
    if let Some(serde_json::Value::Object(m)) = s.settings.get_mut("mongodb") {
        m.insert("catchUpTimeoutMillis".into(), catch_up_ms.into());
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
fn the_new_primary_catches_up_instead_of_rolling_back() {
    let tl = run("mongodb-catchup-vs-rollback", 5_000 * MS);
    assert_eq!(note(&tl, "S3 is elected primary of term 1"), Some(1_096));
    assert_eq!(ok(&tl, 2), 1_497);
    assert_eq!(ok(&tl, 3), 1_597);
    assert_eq!(
        note(
            &tl,
            "S2: no primary heard for electionTimeoutMillis; dry run in term 1"
        ),
        Some(2_355)
    );
    assert_eq!(
        note(
            &tl,
            "S1 denies S2's dry-run vote: its lastApplied (ts 2, t1) is behind (ts 4, t1)"
        ),
        Some(2_371)
    );
    assert_eq!(note(&tl, "S2 is elected primary of term 2"), Some(2_430));
    assert_eq!(note(&tl, "S2 catches up from S1"), Some(2_470));
    assert_eq!(note(&tl, "S2 writes the new primary's no-op"), Some(2_509));
    assert!(note(&tl, "ROLLBACK").is_none(), "nothing rolled back");
    assert_eq!(read(&tl, 4), (4_000, 2, Some(3)));
    assert!(lost(&tl).is_empty());
    // catchUpTimeoutMillis=0: the no-op at once, and S1 rolls back y and z.
    let fast = catch_up_with(0, 5_000 * MS);
    assert!(note(&fast, "S2 catches up").is_none());
    assert!(note(&fast, "S1 enters ROLLBACK").is_some());
    // (Without catch-up the first primary also takes writes a little
    // sooner, so the times differ: the lost writes are y=2 and z=3.)
    assert_eq!(
        lost(&fast),
        vec![ok(&fast, 2), ok(&fast, 3)],
        "two acknowledged w:1 writes lost"
    );
    let s1 = view(&fast, 1);
    assert!(
        s1.details
            .iter()
            .any(|d| d.starts_with("rollback/removed.bson: y=2 (ts 3, t1), z=3 (ts 4, t1)")),
        "{:?}",
        s1.details
    );
}

/// README, Elections: a voter denies a candidate whose lastApplied is
/// behind its own. A secondary that missed a w:"majority" write stands
/// (cut off from the primary, heard by the other secondary): the correct
/// voter denies it; the broken variant that grants it elects a primary
/// that lacks the write, and Majority Writes Survive says so.
fn stale_candidate(
    bug: Option<replviz::protocols::mongodb::MongoBug>,
) -> Box<dyn replviz::anysim::AnySim> {
    use replviz::sim::Action;
    // No catch-up: the new primary would otherwise fetch the write from
    // the other secondary and hide the mistake.
    let setup = replviz::anysim::Setup {
        nodes: 3,
        seed: 1,
        settings: serde_json::json!({ "catchUpTimeoutMillis": 0 }),
        ..Default::default()
    };
    let mut e = replviz::anysim::boot_with::<replviz::protocols::mongodb::Mongo>(
        &setup,
        replviz::sim::TraceMode::Full,
        |c| c.bug = bug,
    );
    let mut t = 0;
    let p = loop {
        t += MS;
        e.advance_to(t);
        if let Some(p) = e
            .ids()
            .into_iter()
            .find(|&i| e.view(i).is_some_and(|v| v.leading))
        {
            break p;
        }
        assert!(t < 5_000 * MS, "no primary");
    };
    let others: Vec<u32> = (1..=3).filter(|&i| i != p).collect();
    let (a, b) = (others[0], others[1]);
    e.advance_to(t + 100 * MS);
    e.apply(&Action::Crash { node: a });
    e.advance_to(t + 200 * MS);
    e.apply(&Action::Request {
        node: p,
        cmd: replviz::protocols::common::cmd(0, 1),
    });
    e.advance_to(t + 500 * MS);
    e.apply(&Action::CutBoth { a, b: p });
    e.apply(&Action::Restart { node: a });
    e.advance_to(t + 4_000 * MS);
    assert!(e.view(b).is_some(), "S{b} exists");
    e
}

#[test]
fn a_stale_candidate_is_denied_and_the_broken_variant_is_caught() {
    use replviz::protocols::mongodb::{check::MAJORITY_SURVIVES, MongoBug};
    let ok = stale_candidate(None);
    assert!(ok.violations().is_empty(), "{:?}", ok.violations());
    let denied = ok.trace().iter().any(|e| {
        matches!(&e.kind, replviz::sim::trace::TraceKind::Note { text, .. }
            if text.contains("dry-run vote: its lastApplied"))
    });
    assert!(
        denied,
        "the stale candidate's dry run is denied for its lastApplied"
    );
    let broken = stale_candidate(Some(MongoBug::VoteWithoutLogCheck));
    assert!(
        broken
            .violations()
            .iter()
            .any(|v| v.invariant == MAJORITY_SURVIVES),
        "{:?}",
        broken.violations()
    );
}

/// repl README, "Priority takeover": a caught-up secondary of higher
/// priority than the primary stands and wins; the primary steps down.
#[test]
fn a_member_of_higher_priority_takes_over() {
    let tl = run("mongodb-priority-takeover", 7_000 * MS);
    assert_eq!(note(&tl, "S2 is elected primary of term 1"), Some(1_122));
    assert_eq!(
        note(&tl, "S2 denies S1's dry-run vote: its term is stale"),
        Some(1_100)
    );
    assert_eq!(ok(&tl, 1), 1_307, "x=1 with w:majority");
    assert_eq!(
        note(
            &tl,
            "S3 (priority 2) is caught up with S2 (priority 1): priority takeover"
        ),
        Some(3_767)
    );
    assert_eq!(note(&tl, "S2 steps down: it saw term 2"), Some(3_815));
    assert_eq!(note(&tl, "S3 is elected primary of term 2"), Some(3_826));
    assert_eq!(read(&tl, 2), (6_000, 3, Some(1)), "nothing lost");
    let (s2, s3) = (view(&tl, 2), view(&tl, 3));
    assert_eq!((s2.role, s3.role), ("secondary", "primary"));
    assert!(
        s3.details.iter().any(|d| d == "priority 2"),
        "{:?}",
        s3.details
    );
    assert!(s2.details.iter().any(|d| d == "priority 1"));
}

/// repl README: "a member with priority 0 cannot become primary". Over 40
/// seeds, S1 (priority 0) never stands and never leads, while the set still
/// elects primaries, through crashes of whichever member leads.
#[test]
fn priority_zero_never_stands() {
    use replviz::scenario::Scenario;
    use replviz::sim::Action;
    for seed in 1..=40 {
        let mut s = Scenario {
            protocol: replviz::protocols::ProtocolKind::parse("mongodb").unwrap(),
            nodes: 3,
            seed,
            ..Scenario::default()
        };
        s.set_param("priority", "0,1,1").unwrap();
        let mut tl = Timeline::new(s);
        let mut primaries = 0;
        for k in 1..=6u64 {
            tl.advance_to(k * 1_500 * MS);
            if let Some(l) = tl.engine().leader() {
                primaries += 1;
                assert_ne!(l, 1, "seed {seed}: S1 has priority 0");
                tl.act(tl.now(), Action::Crash { node: l });
                tl.act(tl.now() + 400 * MS, Action::Restart { node: l });
            }
        }
        assert!(
            primaries >= 2,
            "seed {seed}: the others still elect ({primaries})"
        );
        assert!(
            note(&tl, "S1: no primary heard").is_none(),
            "seed {seed}: S1 never stands"
        );
        assert!(tl.engine().violations().is_empty(), "seed {seed}");
    }
}

/// Garcia-Molina's Bully algorithm (1982), behind the switch `bully`: the
/// highest live id wins, with no majority and no look at its oplog
/// (`shared/reference/real-systems.md` section 5: MongoDB never used it).
/// S3 comes back with an empty oplog, bullies S2 out and both secondaries
/// roll back two w:"majority" writes. The same script under protocol
/// version 1 keeps them.
#[test]
fn the_bully_switch_loses_majority_writes_and_pv1_does_not() {
    let tl = run("mongodb-bully-vs-pv1", 5_000 * MS);
    assert_eq!(
        note(&tl, "S2: no ANSWER from a higher id; it is coordinator"),
        Some(200)
    );
    assert_eq!(note(&tl, "S1 follows S2, the coordinator"), Some(216));
    assert_eq!(ok(&tl, 1), 1_330, "x=1 with w:majority");
    assert_eq!(ok(&tl, 2), 1_433, "y=2 with w:majority");
    assert_eq!(note(&tl, "S1 holds a Bully election"), Some(0));
    assert_eq!(note(&tl, "S2 holds a Bully election"), Some(0));
    assert_eq!(
        common::notes_at(&tl, "S3 holds a Bully election"),
        vec![0, 2_000],
        "at its start and restart"
    );
    assert_eq!(
        note(&tl, "S3: no ANSWER from a higher id; it is coordinator"),
        Some(2_200)
    );
    assert_eq!(note(&tl, "S2 steps down: S3 has a higher id"), Some(2_217));
    assert_eq!(note(&tl, "S1 enters ROLLBACK"), Some(2_251));
    assert_eq!(note(&tl, "S2 enters ROLLBACK"), Some(2_258));
    for id in [1, 2] {
        let v = view(&tl, id);
        assert!(
            v.details
                .iter()
                .any(|d| d == "rollback/removed.bson: x=1 (ts 2, t2), y=2 (ts 3, t2)"),
            "S{id}: {:?}",
            v.details
        );
        assert_eq!(v.state_machine, "", "S{id} holds neither write");
    }
    assert_eq!(read(&tl, 3), (4_000, 3, None), "x is gone");
    assert_eq!(lost(&tl), vec![1_330, 1_433], "both majority writes lost");
    assert!(
        tl.engine().violations().is_empty(),
        "the switch claims nothing: {:?}",
        tl.engine().violations()
    );
    let v = tl.scenario().protocol_settings();
    assert!((tl.scenario().protocol.relaxed_by)(&v).starts_with("the textbook Bully election"));
    lesson(&tl);

    // Protocol version 1, same script: S2 is elected in term 1, S3 comes
    // back as a secondary and catches up; nothing rolls back.
    let mut s = replviz::scenarios::build("mongodb-bully-vs-pv1").unwrap();
    if let Some(serde_json::Value::Object(m)) = s.settings.get_mut("mongodb") {
        m.insert("bully".into(), false.into());
    }
    let mut pv1 = Timeline::new(s);
    pv1.advance_to(5_000 * MS);
    assert!(note(&pv1, "ROLLBACK").is_none());
    assert!(note(&pv1, "Bully").is_none());
    assert!(note(&pv1, "S2 is elected primary of term 1").is_some());
    for id in 1..=3 {
        let v = view(&pv1, id);
        assert_eq!(v.state_machine, "x=1 y=2", "S{id} has both writes");
        assert_eq!(v.role, if id == 2 { "primary" } else { "secondary" });
    }
    assert!(lost(&pv1).is_empty());
    assert!(pv1.engine().violations().is_empty());
}

/// `shared/reference/real-systems.md` section 5, failure demo 3: two
/// primaries at once, of different terms, during a partition; a read at
/// the old one is stale, and its w:1 write rolls back after the heal.
#[test]
fn two_primaries_at_once_and_a_stale_read_from_the_old_one() {
    let mut tl = run("mongodb-two-primaries", 2_500 * MS);
    assert_eq!(note(&tl, "S3 is elected primary of term 1"), Some(1_174));
    assert_eq!(ok(&tl, 1), 1_275, "x=1, w:1");
    assert_eq!(note(&tl, "S1 is elected primary of term 2"), Some(2_467));
    let primaries: Vec<(u32, u64)> = common::views(&tl)
        .iter()
        .filter(|v| v.role == "primary")
        .map(|v| (v.id, v.term))
        .collect();
    assert_eq!(primaries, vec![(1, 2), (3, 1)], "two primaries at 2.5 s");
    assert_eq!(reply(&tl, 2).1, 1);
    assert_eq!(ok(&tl, 2), 2_481, "x=2 acknowledged by S1");
    assert_eq!(read(&tl, 3), (2_482, 3, Some(1)), "stale: S3 still says 1");
    assert_eq!(reply(&tl, 4).1, 3);
    assert_eq!(ok(&tl, 4), 2_483, "y=3 acknowledged by the old primary");
    tl.advance_to(5_000 * MS);
    assert_eq!(
        note(&tl, "S3 steps down: it has not heard from a majority"),
        Some(2_633)
    );
    assert!(note(
        &tl,
        "S1 denies S3's dry-run vote: its lastApplied (ts 3, t1) is behind"
    )
    .is_some());
    assert_eq!(note(&tl, "S3 enters ROLLBACK"), Some(3_703));
    let s3 = view(&tl, 3);
    assert!(
        s3.details
            .iter()
            .any(|d| d == "rollback/removed.bson: y=3 (ts 3, t1)"),
        "{:?}",
        s3.details
    );
    for id in 1..=3 {
        assert_eq!(
            view(&tl, id).state_machine,
            "x=2",
            "S{id}: only term 2 survives"
        );
    }
    assert_eq!(lost(&tl), vec![2_483], "the old primary's y=3");
    assert!(tl.engine().violations().is_empty());
    lesson(&tl);
    // readConcern linearizable: the old primary's read waits for its no-op
    // to reach a majority, which it never does, and fails on stepdown
    // instead of returning the stale 1 (read concern docs, "linearizable").
    let mut s = replviz::scenarios::build("mongodb-two-primaries").unwrap();
    if let Some(serde_json::Value::Object(m)) = s.settings.get_mut("mongodb") {
        m.insert("readConcern".into(), "linearizable".into());
    }
    let mut lin = Timeline::new(s);
    lin.advance_to(5_000 * MS);
    assert_eq!(reply(&lin, 3), (2_633, 3, Reply::Unknown), "no stale read");
    assert!(lin.engine().violations().is_empty());
}

/// `shared/reference/real-systems.md` section 5, failure demo 6 (the PSA
/// case); the MongoDB manual's arbiter and write-concern pages: an arbiter
/// counts toward the election majority, not toward `w:"majority"`.
#[test]
fn an_arbiter_keeps_the_primary_elected_but_majority_writes_wait() {
    let tl = run("mongodb-arbiter-stall", 4_000 * MS);
    assert_eq!(note(&tl, "S2 is elected primary of term 1"), Some(1_098));
    assert_eq!(ok(&tl, 1), 1_309, "x=1 once S1 has it");
    assert_eq!(
        note(&tl, "S2: writeConcernError (wtimeout)"),
        Some(1_999),
        "y=2 waits 0.5 s"
    );
    assert_eq!(reply(&tl, 2).2, Reply::Unknown, "an error, not a refusal");
    assert_eq!(read(&tl, 3), (3_599, 2, Some(2)), "y=2 is there after all");
    let s3 = view(&tl, 3);
    assert_eq!(s3.role, "arbiter");
    assert!(s3.log.is_empty() && s3.state_machine.is_empty(), "no data");
    // S2 is primary all the while S1 is down (P + A: 2 of 3 votes), and
    // the commit point stays at x=1 until S1 is back.
    let mut at = Timeline::new(replviz::scenarios::build("mongodb-arbiter-stall").unwrap());
    for t in (1_400..2_600).step_by(10) {
        at.advance_to(t * MS);
        let v = view(&at, 2);
        assert_eq!((v.role, v.term), ("primary", 1), "at {t} ms");
        assert!(
            v.details[0].contains("commit point (ts 2, t1)"),
            "at {t} ms: {:?}",
            v.details
        );
    }
    at.advance_to(2_715 * MS);
    assert!(
        view(&at, 2).details[0].contains("commit point (ts 3, t1)"),
        "y=2 committed at 2.71 s"
    );
    assert!(tl.engine().violations().is_empty());
    // Without the arbiter, S3 holds data and y=2 is acknowledged at once.
    let mut s = replviz::scenarios::build("mongodb-arbiter-stall").unwrap();
    if let Some(serde_json::Value::Object(m)) = s.settings.get_mut("mongodb") {
        m.insert("arbiterOnly".into(), "".into());
    }
    let mut pss = Timeline::new(s);
    pss.advance_to(4_000 * MS);
    assert!(ok(&pss, 2) < 1_600, "acknowledged with S3's copy at once");
    assert!(note(&pss, "writeConcernError").is_none());
}

/// Non-voting members (the setting `votes`): with votes "1,1,1,0,0" the
/// majority is 2 of the 3 voting members. Crashing two voting members
/// leaves no primary although three of five members are up (the two
/// non-voting ones cannot elect anyone); a member with 0 votes never
/// stands; w:"majority" writes are acknowledged once 2 voting members
/// have them (the non-voting members do not count). MongoDB manual,
/// "Replica Set Elections" and "Non-Voting Members".
#[test]
fn non_voting_members_count_in_no_majority() {
    use replviz::scenario::Scenario;
    use replviz::sim::Action;
    let mut s = Scenario {
        protocol: replviz::protocols::ProtocolKind::parse("mongodb").unwrap(),
        nodes: 5,
        seed: 3,
        ..Scenario::default()
    };
    s.set_param("votes", "1,1,1,0,0").unwrap();
    let mut tl = Timeline::new(s);
    tl.advance_to(4_000 * MS);
    let primary = tl
        .engine()
        .leader()
        .expect("a primary among the voting members");
    assert!(primary <= 3, "S{primary} stood with 0 votes");
    assert!(view(&tl, 4)
        .details
        .iter()
        .any(|d| d == "votes 0: a non-voting member"));
    // Crash the primary and one more voting member: S4, S5 and one voter
    // are up, but 1 of 3 votes is no majority.
    let other = (1..=3).find(|&m| m != primary).unwrap();
    tl.act(4_000 * MS, Action::Crash { node: primary });
    tl.act(4_000 * MS, Action::Crash { node: other });
    tl.advance_to(12_000 * MS);
    assert_eq!(
        tl.engine().leader(),
        None,
        "no primary without a majority of votes"
    );
    assert!(tl.engine().violations().is_empty());
    // Back: a primary again, and every majority write survives.
    tl.act(12_000 * MS, Action::Restart { node: primary });
    tl.act(12_000 * MS, Action::Restart { node: other });
    tl.advance_to(20_000 * MS);
    assert!(tl.engine().leader().is_some_and(|p| p <= 3));
    assert!(tl.engine().violations().is_empty());
}
