//! Built-in classroom scenarios for MySQL replication.

use crate::descriptor::BuiltIn;
use crate::protocols::common::cmd;
use crate::script::{leader, request, Script, MS};
use crate::sim::Action;

fn async_loss(tl: &mut dyn Script) {
    tl.advance_to(300 * MS);
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.advance_to(600 * MS);
    // x=2 is acknowledged; the source crashes before its dump threads send it.
    for r in [2, 3] {
        tl.act(590 * MS, Action::CutOneWay { from: 1, to: r });
    }
    request(tl, 600 * MS, 1, cmd(0, 2));
    tl.act(700 * MS, Action::Crash { node: 1 });
    for r in [2, 3] {
        tl.act(710 * MS, Action::Heal { a: 1, b: r });
    }
    tl.advance_to(6_000 * MS);
    if let Some(l) = leader(tl) {
        request(
            tl,
            6_000 * MS,
            l,
            crate::protocol::Command::read(crate::protocol::Key(0), 1),
        );
    }
}

fn semisync_degrades(tl: &mut dyn Script) {
    tl.advance_to(300 * MS);
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.act(500 * MS, Action::CutBoth { a: 1, b: 2 });
    tl.act(500 * MS, Action::CutBoth { a: 1, b: 3 });
    request(tl, 600 * MS, 1, cmd(0, 2));
    request(tl, 1_300 * MS, 1, cmd(0, 3));
    tl.act(2_000 * MS, Action::HealAll);
}

fn replica_lag(tl: &mut dyn Script) {
    for k in 0..5u32 {
        let t = (300 + 100 * u64::from(k)) * MS;
        request(tl, t, 1, cmd(0, k + 1));
    }
    request(
        tl,
        800 * MS,
        2,
        crate::protocol::Command::read(crate::protocol::Key(0), 1),
    );
    request(
        tl,
        800 * MS,
        1,
        crate::protocol::Command::read(crate::protocol::Key(0), 2),
    );
}

fn after_commit_phantom(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    for r in [2, 3] {
        tl.act(500 * MS, Action::CutOneWay { from: 1, to: r });
    }
    request(tl, 600 * MS, 1, cmd(0, 2));
    request(
        tl,
        650 * MS,
        1,
        crate::protocol::Command::read(crate::protocol::Key(0), 1),
    );
    tl.act(700 * MS, Action::Crash { node: 1 });
    tl.act(800 * MS, Action::HealAll);
    tl.advance_to(5_000 * MS);
    if let Some(l) = leader(tl) {
        request(
            tl,
            5_000 * MS,
            l,
            crate::protocol::Command::read(crate::protocol::Key(0), 2),
        );
    }
}

fn errant_gtid(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    for r in [2, 3] {
        tl.act(500 * MS, Action::CutOneWay { from: 1, to: r });
    }
    request(tl, 550 * MS, 1, cmd(0, 2));
    request(tl, 600 * MS, 1, cmd(1, 3));
    tl.act(700 * MS, Action::Crash { node: 1 });
    tl.act(800 * MS, Action::HealAll);
    tl.advance_to(4_500 * MS);
    if let Some(l) = leader(tl) {
        request(tl, 4_500 * MS, l, cmd(2, 4));
    }
    tl.act(5_000 * MS, Action::Restart { node: 1 });
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "mysql-async-loss",
        title: "MySQL: asynchronous replication loses an acknowledged commit",
        about: crate::about!("Asynchronous replication, the default. S1 is the source, S2 and S3 its replicas, S4 the \
                orchestrator. At 0.3 s a client commits x=1: S1 answers OK at once, and both replicas \
                receive it. At 0.6 s the links from S1 to its replicas break, and a client commits x=2: \
                S1 writes S1:2 to its binlog and answers OK, but no replica gets it. At 0.7 s S1 crashes. \
                The replicas notice only when replica_net_timeout runs out (60 s, shown 20 times faster: \
                at 3.3 s). At 3.75 s the orchestrator, which missed two probes of S1 and hears from no \
                replica still connected to it, promotes S2, the most advanced replica (S1:1). A read of \
                x at the new source at 6 s returns 1: the acknowledged x=2 is lost. That is the lesson \
                of asynchronous replication, shown in amber: the source answers before any replica \
                holds the commit."),
        nodes: 4,
        seed: 1,
        settings: "",
        script: async_loss,
        chapters: &[
            (450, "1", crate::about!("A client committed x=1 at 0.3 s: S1 answered OK at once, and both replicas received it.")),
            (650, "2", crate::about!("The links from S1 to its replicas broke; x=2 is in S1's binlog and acknowledged, but no replica has it.")),
            (750, "3", crate::about!("S1 crashed at 0.7 s. The replicas notice only when replica_net_timeout runs out (at 3.3 s here).")),
            (4_000, "4", crate::about!("The orchestrator promoted S2, the most advanced replica, at 3.75 s. Where is x=2?")),
            (6_200, "5", crate::about!("A read of x at the new source returns 1: the acknowledged x=2 is lost, as asynchronous replication allows (amber: a lesson, not a violation).")),
        ],
    },
    BuiltIn {
        id: "mysql-semisync-degrades",
        title: "MySQL: semi-sync silently falls back to asynchronous",
        about: crate::about!("Semi-synchronous replication is on (rpl_semi_sync_source_enabled, wait point \
                AFTER_SYNC, one replica's acknowledgement). At 0.3 s a client commits x=1: S1 writes it \
                to its binlog, waits for a replica's acknowledgement (sent after the relay-log write, \
                not after applying) and answers OK at 0.33 s. At 0.5 s both replicas are cut off. A \
                client commits x=2 at 0.6 s: the commit hangs until rpl_semi_sync_source_timeout runs \
                out (10 s, shown 20 times faster: 0.5 s); then S1 logs that semi-sync replication is \
                switched OFF and answers OK anyway, at 1.1 s. Its badge says semi-sync OFF. x=3 at 1.3 s \
                is answered at once, asynchronously. The links heal at 2 s. At S1's next heartbeat (3 s) \
                the replicas find they missed events and reconnect; they fetch S1:2 and S1:3, and when \
                one acknowledges the end of the binlog (3.08 s) S1 switches semi-sync back ON by itself. \
                A crash of S1 between 1.1 s and 3 s would have lost commits a client was told were \
                replicated."),
        nodes: 4,
        seed: 1,
        settings: r#"{"rpl_semi_sync_source_enabled":true}"#,
        script: semisync_degrades,
        chapters: &[],
    },
    BuiltIn {
        id: "mysql-replica-lag",
        title: "MySQL: a lagging replica serves stale reads",
        about: crate::about!("The replicas' applier takes 4 s per transaction (replica_apply_delay, shown 20 \
                times faster: 0.2 s). Five commits, x=1 to x=5, reach S1 every 0.1 s from 0.3 s and are \
                answered at once (asynchronous replication). The replicas receive each one right away \
                (their relay logs fill up) but apply one every 0.2 s: at 0.8 s S2 has applied only x=1 \
                and x=2 and is 3 transactions behind. A read of x at S2 then returns 2, while the same \
                read at S1 returns 5: a stale read, the lesson of reading from replicas (amber). By 1.4 s \
                the replicas have caught up."),
        nodes: 4,
        seed: 1,
        settings: r#"{"replica_apply_delay":4000}"#,
        script: replica_lag,
        chapters: &[],
    },
    BuiltIn {
        id: "mysql-after-commit-phantom",
        title: "MySQL: AFTER_COMMIT lets a client read a commit that is then lost",
        about: crate::about!("Semi-synchronous replication with the wait point AFTER_COMMIT, as before MySQL \
                5.7. x=1 is committed and acknowledged at 0.33 s. At 0.5 s the links from S1 to its \
                replicas break. At 0.6 s client A commits x=2: under AFTER_COMMIT the storage engine \
                commits it first and S1 then waits for a replica's acknowledgement, so A has no answer \
                yet. At 0.65 s client B reads x at S1 and gets 2. At 0.7 s S1 crashes before any replica \
                received S1:2, and A never gets an answer (its outcome is unknown). By 3.76 s the \
                orchestrator has promoted S2, and a read at 5 s returns 1: B read a value that no longer \
                exists, a phantom read (amber: the lesson of AFTER_COMMIT). With AFTER_SYNC, the default \
                since 5.7, the same run cannot do this: x=2 is not visible before a replica holds it, \
                and B reads 1."),
        nodes: 4,
        seed: 1,
        settings: r#"{"rpl_semi_sync_source_enabled":true,"after_commit":true}"#,
        script: after_commit_phantom,
        chapters: &[],
    },
    BuiltIn {
        id: "mysql-errant-gtid",
        title: "MySQL: the old source comes back with errant transactions",
        about: crate::about!("Asynchronous replication. x=1 reaches every server. At 0.5 s the links from S1 to \
                its replicas break; S1 still commits x=2 and y=3 (S1:2 and S1:3), answers OK, and \
                crashes at 0.7 s. The orchestrator promotes S2 at 3.76 s with S1:1 only, and S2 takes the \
                write z=4 as S2:1. At 5 s S1 restarts: crash recovery commits everything in its binlog, \
                so it comes back as a source holding S1:2-3, transactions the new source never had \
                (errant GTIDs). At 5.25 s the orchestrator sees it and makes it a read-only replica of \
                S2; S2 refuses its dump request (error 1236: the replica has more GTIDs than the \
                source), and S1's I/O thread stops, its badge naming the errant GTIDs S1:2-3. A DBA must \
                now discard or re-apply them by hand."),
        nodes: 4,
        seed: 1,
        settings: "",
        script: errant_gtid,
        chapters: &[],
    },
];
