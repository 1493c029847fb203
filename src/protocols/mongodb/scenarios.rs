//! Built-in classroom scenarios for MongoDB: the failure demos of
//! `shared/reference/real-systems.md` section 5 (a `w:1` write rolled
//! back; a `w:"majority"` write that survives while the isolated
//! primary's write times out and rolls back; the textbook Bully election
//! that the brief attributes to MongoDB, against protocol version 1; the
//! arbiter that keeps a primary elected but cannot acknowledge a write).

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{advance_until, isolate, leader, leader_other_than, request, Script, MS};
use crate::sim::{Action, NodeId, Time};

/// Wait for the first primary (at `t`), write x=1 there at `t` + 100 ms
/// and cut it off from every other member at `t` + 300 ms: `(t, primary)`.
fn cut_off_primary(tl: &mut dyn Script) -> Option<(Time, NodeId)> {
    let t = advance_until(tl, 3_000 * MS, |s| leader(s).is_some());
    let p = leader(tl)?;
    request(tl, t + 100 * MS, p, cmd(0, 1));
    isolate(tl, p, t + 300 * MS);
    Some((t, p))
}

/// Wait for the first primary, write x=1 there, isolate it, write y=2
/// there, heal at 4 s, then read y at the new primary at 5 s.
fn isolated_primary(tl: &mut dyn Script) {
    let Some((t, p)) = cut_off_primary(tl) else {
        return;
    };
    request(tl, t + 400 * MS, p, cmd(1, 2));
    tl.act(4_000 * MS, Action::HealAll);
    tl.advance_to(5_000 * MS);
    if let Some(q) = leader_other_than(tl, Some(p)) {
        request(tl, 5_000 * MS, q, Command::read(Key(1), 1));
        request(tl, 5_000 * MS, q, Command::read(Key(0), 2));
    }
}

/// A secondary cut off from the primary lags; reads there are stale until
/// the heal.
fn stale_secondary(tl: &mut dyn Script) {
    let t = advance_until(tl, 3_000 * MS, |s| leader(s).is_some());
    let Some(p) = leader(tl) else {
        return;
    };
    let lagging = if p == 1 { 2 } else { 1 };
    let other = 6 - p - lagging;
    request(tl, t + 100 * MS, p, cmd(0, 1));
    tl.act(t + 400 * MS, Action::CutBoth { a: p, b: lagging });
    request(tl, t + 500 * MS, p, cmd(0, 2));
    request(tl, t + 800 * MS, lagging, Command::read(Key(0), 1));
    request(tl, t + 800 * MS, other, Command::read(Key(0), 2));
    tl.act(t + 1_500 * MS, Action::HealAll);
    request(tl, t + 2_000 * MS, lagging, Command::read(Key(0), 3));
}

/// Primary, secondary, arbiter (S3): the secondary crashes, and a
/// `w:"majority"` write waits until `wtimeout`; the secondary comes back
/// and the write commits.
fn arbiter_stall(tl: &mut dyn Script) {
    let t = advance_until(tl, 3_000 * MS, |s| leader(s).is_some());
    let Some(p) = leader(tl) else {
        return;
    };
    let secondary = if p == 1 { 2 } else { 1 };
    request(tl, t + 100 * MS, p, cmd(0, 1));
    tl.act(t + 300 * MS, Action::Crash { node: secondary });
    request(tl, t + 400 * MS, p, cmd(1, 2));
    tl.act(t + 1_500 * MS, Action::Restart { node: secondary });
    request(tl, t + 2_500 * MS, p, Command::read(Key(1), 1));
}

/// Five members; the primary's oplog batches stop reaching three of them,
/// two w:1 writes reach only one secondary, and the primary crashes.
fn catch_up(tl: &mut dyn Script) {
    let t = advance_until(tl, 3_000 * MS, |s| leader(s).is_some());
    let Some(p) = leader(tl) else {
        return;
    };
    let others: Vec<u32> = (1..=5).filter(|&i| i != p).collect();
    request(tl, t + 100 * MS, p, cmd(0, 1));
    for &o in &others[1..] {
        tl.act(t + 300 * MS, Action::CutOneWay { from: p, to: o });
    }
    request(tl, t + 400 * MS, p, cmd(1, 2));
    request(tl, t + 500 * MS, p, cmd(2, 3));
    tl.act(t + 700 * MS, Action::Crash { node: p });
    tl.advance_to(4_000 * MS);
    if let Some(q) = leader(tl) {
        request(tl, 4_000 * MS, q, Command::read(Key(2), 1));
    }
}

/// S3, the member of highest priority, is down at the start; the others
/// elect a primary and take x=1; S3 comes back at 2.5 s, catches up and
/// takes over; a read of x at S3 at 6 s.
fn priority_takeover(tl: &mut dyn Script) {
    tl.act(0, Action::Crash { node: 3 });
    let t = advance_until(tl, 3_000 * MS, |s| leader(s).is_some());
    let Some(p) = leader(tl) else {
        return;
    };
    request(tl, t + 100 * MS, p, cmd(0, 1));
    tl.act(2_500 * MS, Action::Restart { node: 3 });
    tl.advance_to(6_000 * MS);
    if leader(tl) == Some(3) {
        request(tl, 6_000 * MS, 3, Command::read(Key(0), 1));
    }
}

/// S3, the member of highest id, is down at the start; the others elect
/// a primary, which takes x=1 and y=2 at 1.3 and 1.4 s (when protocol
/// version 1 has a primary too); S3 comes back at 2 s with an empty
/// oplog; at 4 s a read of x at the primary.
fn stale_highest(tl: &mut dyn Script) {
    tl.act(0, Action::Crash { node: 3 });
    advance_until(tl, 1_300 * MS, |s| leader(s).is_some());
    tl.advance_to(1_300 * MS);
    let Some(p) = leader(tl) else {
        return;
    };
    request(tl, 1_300 * MS, p, cmd(0, 1));
    request(tl, 1_400 * MS, p, cmd(1, 2));
    tl.act(2_000 * MS, Action::Restart { node: 3 });
    tl.advance_to(4_000 * MS);
    if let Some(q) = leader(tl) {
        request(tl, 4_000 * MS, q, Command::read(Key(0), 1));
    }
}

/// The primary is cut off after x=1. Once the majority side's new primary
/// has caught up and takes writes while the old one still believes it
/// leads, x=2 is written at the new one and x read at the old one at once,
/// a y=3 written there too; the heal follows.
fn two_primaries(tl: &mut dyn Script) {
    let Some((t, p)) = cut_off_primary(tl) else {
        return;
    };
    let both = |s: &dyn Script| {
        let old = s.sim().view(p).is_some_and(|v| v.leading);
        let new = leader_other_than(s, Some(p)).and_then(|q| s.sim().view(q));
        old && new.is_some_and(|v| v.badge.is_empty())
    };
    let u = advance_until(tl, t + 3_000 * MS, both);
    let Some(q) = leader_other_than(tl, Some(p)) else {
        return;
    };
    request(tl, u, q, cmd(0, 2));
    request(tl, u + MS, p, Command::read(Key(0), 1));
    request(tl, u + 2 * MS, p, cmd(1, 3));
    tl.act(u + 1_000 * MS, Action::HealAll);
    tl.advance_to(u + 2_000 * MS);
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "mongodb-w1-rollback",
        title: "MongoDB: a w:1 write is rolled back",
        about: crate::about!("Three members, write concern w:1. After a dry run and a split vote S3 becomes primary of term 1 (1.10 s). x=1 is acknowledged at once (1.20 s) and replicated. At 1.4 s S3 is cut off from both secondaries; y=2 arrives at 1.5 s and is acknowledged at once, though only S3 has it. S1 hears no primary for electionTimeoutMillis (10 s, 1 s here), passes a dry run and is elected primary of term 2 (2.42 s); S3 steps down a moment later (2.43 s), having heard from no majority for as long. The links heal at 4 s; S3's oplog fetcher finds that S1 lacks its entry ts 3 (OplogStartMissing), and S3 enters ROLLBACK (4.10 s): y=2 goes to its rollback file (rollback/removed.bson, in its details), not to the data. A read of y at S1 at 5 s finds nothing; x=1 is there. An acknowledged write lost: the price of w:1."),
        nodes: 3,
        seed: 1,
        settings: r#"{"w":"1"}"#,
        script: isolated_primary,
        chapters: &[
            (1_250, "1", crate::about!("S3 is primary of term 1; x=1 was acknowledged at once (w:1), before any secondary had it.")),
            (1_600, "2", crate::about!("S3 is cut off from both secondaries; y=2 is acknowledged at once, though only S3 has it.")),
            (2_500, "3", crate::about!("S1 was elected primary of term 2, and S3 stepped down. Where will y=2 end up?")),
            (4_200, "4", crate::about!("The links healed at 4 s: S3 finds that S1 lacks its entry and rolls back; y=2 goes to its rollback file.")),
            (5_100, "5", crate::about!("A read of y at S1 finds nothing; x=1 is there. An acknowledged write lost: the price of w:1.")),
        ],
    },
    BuiltIn {
        id: "mongodb-majority-survives",
        title: "MongoDB: w:\"majority\" survives; the isolated primary's write times out",
        about: crate::about!("The same run with w:\"majority\" and wtimeout 5000 ms (0.5 s here). x=1 is acknowledged only once S1 or S2 has it too (1.32 s). S3 is cut off at 1.4 s; y=2 at 1.5 s waits for a majority that cannot answer, and at 2.0 s the client gets a writeConcernError: an error that does not mean \"not written\" (y=2 is in S3's oplog). S1 is elected primary of term 2 at 2.42 s and has x=1, as every later primary must. After the heal at 4 s S3 rolls back y=2 (4.10 s). At 5 s S1 reads x=1 and no y: the majority-acknowledged write survived; the timed-out one did not, and the client could not have known which way it would go."),
        nodes: 3,
        seed: 1,
        settings: r#"{"w":"majority","wtimeout":5000}"#,
        script: isolated_primary,
        chapters: &[],
    },
    BuiltIn {
        id: "mongodb-stale-secondary-read",
        title: "MongoDB: a lagging secondary answers a stale read",
        about: crate::about!("Three members; the clients read with readPreference secondary. S3 becomes primary of term 1 (1.10 s) and x=1 is acknowledged with w:\"majority\" (1.32 s). At 1.5 s the link between S3 and S1 is cut; x=2 is acknowledged with S2's copy (1.63 s). At 1.9 s a read of x at S1 returns 1, a stale read: S1 lags and says nothing about it; the same read at S2 returns 2. S1 hears no primary and tries a dry run (2.58 s), which S2 denies: S1's lastApplied is behind S2's, so the lagging member cannot depose anyone. The link heals at 2.6 s; at 3.1 s S1 has caught up and returns 2. With causalConsistency on (a causally consistent session, in the settings panel) the read at S1 carries afterClusterTime, the operation time of x=2's write: S1 holds it until it has applied that far and answers 2 at 2.70 s, never the stale 1."),
        nodes: 3,
        seed: 1,
        settings: r#"{"readPreference":"secondary"}"#,
        script: stale_secondary,
        chapters: &[],
    },
    BuiltIn {
        id: "mongodb-catchup-vs-rollback",
        title: "MongoDB: the new primary catches up instead of rolling writes back",
        about: crate::about!("Five members, w:1. S3 becomes primary of term 1 (1.10 s) and x=1 reaches everyone. At 1.4 s S3's oplog batches stop reaching S2, S4 and S5; y=2 (1.5 s) and z=3 (1.6 s) are acknowledged at once and reach only S1. S3 crashes at 1.8 s. S2 stands first (2.36 s): S1 denies it (S2's lastApplied is behind), but S4 and S5 elect it primary of term 2 (2.43 s). Before taking writes the primary-elect catches up: heartbeats show S1 ahead, so S2 pulls y=2 and z=3 from S1 (2.47 s), then writes its no-op (2.51 s). A read of z at S2 at 4 s returns 3. With catchUpTimeoutMillis=0 the same run writes the no-op at once, S1 rolls back y=2 and z=3, and two acknowledged writes are lost: faster failover, more rollback."),
        nodes: 5,
        seed: 1,
        settings: r#"{"w":"1"}"#,
        script: catch_up,
        chapters: &[],
    },
    BuiltIn {
        id: "mongodb-priority-takeover",
        title: "MongoDB: a member of higher priority takes over",
        about: crate::about!("Three members with priorities 1, 1 and 2 (the setting priority \"1,1,2\"). S3, the member of highest priority, is down from the start. S2 passes a dry run and is elected primary of term 1 (1.12 s); S1's dry run is denied, its term being stale. x=1 is acknowledged with w:\"majority\" (1.31 s). S3 restarts at 2.5 s, hears S2's heartbeats and pulls the oplog. Caught up with a primary of lower priority, it schedules a priority takeover one electionTimeoutMillis later (1 s here; a member outranked by k others waits k + 1): at 3.77 s it passes a dry run, S2 steps down when it sees term 2 (3.82 s), and S3 is elected primary of term 2 (3.83 s). Nothing is lost: at 6 s a read of x at S3 returns 1. A member of priority 0 never stands."),
        nodes: 3,
        seed: 1,
        settings: r#"{"priority":"1,1,2"}"#,
        script: priority_takeover,
        chapters: &[],
    },
    BuiltIn {
        id: "mongodb-two-primaries",
        title: "MongoDB: two primaries at once, and a stale read from the old one",
        about: crate::about!("Three members, w:1. S3 is elected primary of term 1 (1.17 s) and x=1 is acknowledged (1.28 s). At 1.48 s S3 is cut off from both secondaries. S1 hears no primary, passes a dry run and is elected primary of term 2 (2.47 s), while S3 has not yet noticed that it lost its majority: for 0.17 s there are two primaries, of terms 1 and 2. In that window x=2 is acknowledged by S1 (2.48 s), a read of x sent to S3, the primary as far as its client knows, returns 1, a stale value, and S3 acknowledges y=3. S3 steps down at 2.63 s, having heard from no majority for electionTimeoutMillis. The links heal at 3.48 s; S3's dry run is denied (its lastApplied is behind) and it enters ROLLBACK (3.70 s): y=3 goes to its rollback file. Terms keep the two primaries apart: only term 2's writes survive. With readConcern linearizable (in the settings panel) the read at S3 does not return 1: S3 writes a no-op after reading and waits for a majority to have it, which it cannot get, and the read fails with an unknown outcome when S3 steps down (2.63 s)."),
        nodes: 3,
        seed: 27,
        settings: r#"{"w":"1"}"#,
        script: two_primaries,
        chapters: &[],
    },
    BuiltIn {
        id: "mongodb-arbiter-stall",
        title: "MongoDB: with an arbiter, losing the secondary stalls w:\"majority\"",
        about: crate::about!("Three members: S1 and S2 hold data, S3 is an arbiter (arbiterOnly: it votes and answers heartbeats, holds no data and never stands). The clients write with w:\"majority\" and wtimeout 5000 ms (0.5 s here). S2 is elected primary of term 1 at 1.10 s with a vote from S3, and x=1 is acknowledged at 1.31 s, once S1 has it. S1 crashes at 1.4 s. S2 stays primary: with the arbiter it still hears a majority of the voting members, 2 of 3. But no majority of the data-bearing members can have a new write: y=2, sent at 1.5 s, is written at S2 and waits, and at 2.0 s the client gets a writeConcernError (wtimeout). The write is not undone. S1 restarts at 2.6 s, fetches y=2, and the commit point reaches it at 2.71 s: the write whose client was told of an error is majority-committed, and a read of y at S2 at 3.6 s returns 2. This is why the MongoDB manual warns against primary-secondary-arbiter sets under w:\"majority\", and why their implicit default write concern is w:1 since 5.0. With arbiterOnly cleared in the settings panel, S3 is a secondary of priority 0 that holds data, and y=2 is acknowledged at once."),
        nodes: 3,
        seed: 1,
        settings: r#"{"arbiterOnly":"3","priority":"1,1,0","wtimeout":5000}"#,
        script: arbiter_stall,
        chapters: &[],
    },
    BuiltIn {
        id: "mongodb-bully-vs-pv1",
        title: "MongoDB: the textbook Bully election loses majority writes (MongoDB does not use it)",
        about: crate::about!("Three members with the switch \"textbook Bully (not MongoDB)\" on: the highest live id wins, with no terms, no majority and no look at the oplog. S3, the highest, is down from the start. S1 and S2 hold Bully elections at once; S2 hears no ANSWER from a higher id and is coordinator (primary) at 0.2 s. x=1 and y=2 are acknowledged with w:\"majority\" at 1.33 and 1.43 s. S3 restarts at 2 s with an empty oplog and holds an election; nobody above it answers, so at 2.2 s it is coordinator. S2 steps down (2.22 s); both secondaries find their oplogs diverged from S3's, enter ROLLBACK (2.25 and 2.26 s) and move x=1 and y=2 to their rollback files. At 4 s a read of x at S3 finds nothing: two majority-acknowledged writes lost. Under protocol version 1, what MongoDB does, the same script keeps both: S2 is elected primary of term 1 and S3 comes back as a secondary that catches up. Switch it off in the settings panel to run the same script that way."),
        nodes: 3,
        seed: 1,
        settings: r#"{"bully":true}"#,
        script: stale_highest,
        chapters: &[],
    },
];
