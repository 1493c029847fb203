//! Built-in classroom scenarios for MongoDB: the failure demos of
//! `shared/reference/real-systems.md` section 5 (a `w:1` write rolled
//! back; a `w:"majority"` write that survives while the isolated
//! primary's write times out and rolls back).

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{advance_until, isolate, leader, leader_other_than, request, Script, MS};
use crate::sim::Action;

/// Wait for the first primary, write x=1 there, isolate it, write y=2
/// there, heal at 4 s, then read y at the new primary at 5 s.
fn isolated_primary(tl: &mut dyn Script) {
    let t = advance_until(tl, 3_000 * MS, |s| leader(s).is_some());
    let Some(p) = leader(tl) else {
        return;
    };
    request(tl, t + 100 * MS, p, cmd(0, 1));
    isolate(tl, p, t + 300 * MS);
    request(tl, t + 400 * MS, p, cmd(1, 2));
    tl.act(4_000 * MS, Action::HealAll);
    tl.advance_to(5_000 * MS);
    if let Some(q) = leader_other_than(tl, Some(p)) {
        request(tl, 5_000 * MS, q, Command::read(Key(1), 1));
        request(tl, 5_000 * MS, q, Command::read(Key(0), 2));
    }
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "mongodb-w1-rollback",
        title: "MongoDB: a w:1 write is rolled back",
        about: "Three members, write concern w:1. After a dry run and a split vote S3 becomes primary of term 1 (1.10 s). x=1 is acknowledged at once (1.20 s) and replicated. At 1.4 s S3 is cut off from both secondaries; y=2 arrives at 1.5 s and is acknowledged at once, though only S3 has it. S1 hears no primary for electionTimeoutMillis (10 s, 1 s here), passes a dry run and is elected primary of term 2 (2.42 s); S3 steps down a moment later (2.43 s), having heard from no majority for as long. The links heal at 4 s; S3's oplog fetcher finds that S1 lacks its entry ts 3 (OplogStartMissing), and S3 enters ROLLBACK (4.10 s): y=2 goes to its rollback file (rollback/removed.bson, in its details), not to the data. A read of y at S1 at 5 s finds nothing; x=1 is there. An acknowledged write lost: the price of w:1.",
        nodes: 3,
        seed: 1,
        settings: r#"{"w":"1"}"#,
        script: isolated_primary,
    },
    BuiltIn {
        id: "mongodb-majority-survives",
        title: "MongoDB: w:\"majority\" survives; the isolated primary's write times out",
        about: "The same run with w:\"majority\" and wtimeout 5000 ms (0.5 s here). x=1 is acknowledged only once S1 or S2 has it too (1.32 s). S3 is cut off at 1.4 s; y=2 at 1.5 s waits for a majority that cannot answer, and at 2.0 s the client gets a writeConcernError: an error that does not mean \"not written\" (y=2 is in S3's oplog). S1 is elected primary of term 2 at 2.42 s and has x=1, as every later primary must. After the heal at 4 s S3 rolls back y=2 (4.10 s). At 5 s S1 reads x=1 and no y: the majority-acknowledged write survived; the timed-out one did not, and the client could not have known which way it would go.",
        nodes: 3,
        seed: 1,
        settings: r#"{"w":"majority","wtimeout":5000}"#,
        script: isolated_primary,
    },
];
