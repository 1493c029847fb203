//! Built-in classroom scenarios for Elasticsearch: the failure demos of
//! `shared/reference/real-systems.md` section 6 (a cut replica stalls a
//! write until the master removes it; a deposed primary fenced by the
//! primary term, with a dirty read; promotion and the primary-replica
//! resync).

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{request, Script, MS};
use crate::sim::Action;

fn replica_cut(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.act(500 * MS, Action::CutBoth { a: 1, b: 2 });
    request(tl, 600 * MS, 1, cmd(1, 2));
    tl.act(3_000 * MS, Action::HealAll);
    request(tl, 4_000 * MS, 1, cmd(2, 3));
}

fn stale_primary(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.act(
        1_000 * MS,
        Action::Pause {
            node: 1,
            us: 4_000 * MS,
        },
    );
    request(tl, 1_500 * MS, 1, cmd(0, 2));
    request(tl, 1_600 * MS, 1, Command::read(Key(0), 1));
    request(tl, 5_500 * MS, 2, Command::read(Key(0), 2));
}

fn promotion_resync(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.act(500 * MS, Action::CutOneWay { from: 1, to: 3 });
    request(tl, 600 * MS, 1, cmd(1, 2));
    request(tl, 700 * MS, 1, cmd(2, 3));
    tl.act(800 * MS, Action::Crash { node: 1 });
    tl.act(1_000 * MS, Action::HealAll);
    request(tl, 5_500 * MS, 3, Command::read(Key(2), 1));
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "es-replica-cut-stalls-write",
        title: "Elasticsearch: a cut replica stalls a write until the master removes it",
        about: crate::about!("S1 holds the primary, S2 the replica, S3 is the master; the write waits for every in-sync copy. x=1 is acknowledged at 0.335 s, once S2 has it. At 0.5 s the link between S1 and S2 is cut (both still reach the master). y=2 arrives at 0.6 s and stalls: S1 waits for S2, which never answers. After follower_check.timeout (10 s, 1 s here) S1 reports the copy on S2 failed (1.7 s); the master removes it from the in-sync set (1.713 s), and only then is y=2 acknowledged (1.73 s), with one copy. S2 is now stale: it cannot be promoted. The link heals at 3 s; S2 recovers from S1 (3.835 s) and the master marks it in sync again. z=3 at 4.0 s is acknowledged with both copies."),
        nodes: 3,
        seed: 1,
        settings: "",
        script: replica_cut,
        chapters: &[
            (400, "1", crate::about!("x=1 was acknowledged once S2, the replica, had it: a write waits for every in-sync copy.")),
            (1_000, "2", crate::about!("The S1-S2 link is cut; y=2 arrived at 0.6 s and stalls: S1 waits for S2. How long?")),
            (1_750, "3", crate::about!("After follower_check.timeout S1 reported S2's copy failed; the master removed it from the in-sync set, and only then was y=2 acknowledged.")),
            (4_100, "4", crate::about!("The link healed at 3 s; S2 recovered from S1 and is in sync again; z=3 is acknowledged with both copies.")),
        ],
    },
    BuiltIn {
        id: "es-stale-primary-fenced",
        title: "Elasticsearch: a paused primary is fenced by the primary term, after a dirty read",
        about: crate::about!("S1 holds the primary, S2 the replica, S3 is the master. x=1 is acknowledged at 0.335 s. At 1.0 s S1 stops for 4 s (a long garbage-collection pause). The master hears nothing from it and, after three follower-check timeouts, promotes the in-sync copy on S2 with primary term 2 (4.0 s). A client's x=2 and a read of x wait in S1's socket. When S1 resumes at 5.0 s it still believes it is the primary of term 1: it indexes x=2 and answers the read with 2, a dirty read of a write that will never be acknowledged. Then it applies the new cluster state and steps down (the client is told the outcome is unknown), S2 rejects its operation because primary term 1 is older than 2 (5.015 s), and S1 recovers from S2, losing x=2. A read at S2 at 5.5 s returns 1."),
        nodes: 3,
        seed: 1,
        settings: "",
        script: stale_primary,
        chapters: &[],
    },
    BuiltIn {
        id: "es-promotion-resync",
        title: "Elasticsearch: promotion of an in-sync copy, and the resync",
        about: crate::about!("S1 holds the primary, S2 and S3 the replicas (number_of_replicas 2), S4 is the master. x=1 is acknowledged at 0.339 s. At 0.5 s the link from S1 to S3 is cut: y=2 (0.6 s) and z=3 (0.7 s) reach S2 but not S3, so neither is acknowledged. S1 crashes at 0.8 s and the network heals at 1 s. At 3.8 s the master promotes the in-sync copy on S2 with primary term 2 (never a stale copy), and S2 resyncs everything above the global checkpoint (1) to S3: y=2 and z=3 reach S3 although their clients never heard an answer. A read of z at S3 at 5.5 s returns 3."),
        nodes: 4,
        seed: 1,
        settings: r#"{"number_of_replicas":2}"#,
        script: promotion_resync,
        chapters: &[],
    },
];
