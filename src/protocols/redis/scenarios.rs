//! Built-in classroom scenarios for Redis replication with Sentinel.

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{leader, request, Script, MS};
use crate::sim::Action;

fn async_loss(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    for r in [2, 3] {
        tl.act(500 * MS, Action::CutOneWay { from: 1, to: r });
    }
    request(tl, 600 * MS, 1, cmd(0, 2));
    tl.act(700 * MS, Action::Crash { node: 1 });
    tl.act(800 * MS, Action::HealAll);
    tl.advance_to(4_000 * MS);
    if let Some(l) = leader(tl) {
        request(tl, 4_000 * MS, l, Command::read(Key(0), 1));
    }
}

fn backlog_overflow(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.act(400 * MS, Action::CutBoth { a: 1, b: 3 });
    for k in 0..6u32 {
        request(tl, (500 + 100 * u64::from(k)) * MS, 1, cmd(1, k + 2));
    }
    tl.act(1_200 * MS, Action::Heal { a: 1, b: 3 });
    request(tl, 1_300 * MS, 1, cmd(2, 9));
}

fn split_brain(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    for o in 2..=6 {
        tl.act(500 * MS, Action::CutBoth { a: 1, b: o });
    }
    // A client on S1's side of the partition keeps writing to it.
    for k in 0..8u32 {
        request(tl, (700 + 300 * u64::from(k)) * MS, 1, cmd(1, k + 2));
    }
    tl.act(4_000 * MS, Action::HealAll);
    tl.advance_to(6_000 * MS);
    request(tl, 6_000 * MS, 1, Command::read(Key(1), 1));
}

fn psync2_failover(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    request(tl, 400 * MS, 1, cmd(1, 2));
    tl.act(700 * MS, Action::Crash { node: 1 });
    tl.advance_to(4_000 * MS);
    if let Some(l) = leader(tl) {
        request(tl, 4_000 * MS, l, cmd(2, 3));
    }
}

fn wait_not_consensus(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.act(500 * MS, Action::CutBoth { a: 1, b: 3 });
    request(tl, 700 * MS, 1, cmd(0, 2));
    // S1 and S2 on one side, S3 and the sentinels on the other.
    for a in [1, 2] {
        for b in 3..=6 {
            tl.act(1_000 * MS, Action::CutBoth { a, b });
        }
    }
    request(tl, 1_300 * MS, 1, cmd(1, 3));
    tl.act(4_000 * MS, Action::HealAll);
    tl.advance_to(6_000 * MS);
    request(tl, 6_000 * MS, 3, Command::read(Key(0), 1));
    request(tl, 6_100 * MS, 3, Command::read(Key(1), 1));
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "redis-async-loss",
        title: "Redis: an acknowledged write lost on failover",
        about: crate::about!("S1 is the master, S2 and S3 its replicas, S4 to S6 sentinels (quorum 2). At 0.3 s a \
                client writes x=1: S1 answers at once and streams it to both replicas. At 0.5 s the links \
                from S1 to its replicas break; x=2 at 0.6 s is answered OK (replication is asynchronous) \
                but reaches no replica. At 0.7 s S1 crashes. After down-after-milliseconds (30 s, shown \
                20 times faster: 1.5 s) the sentinels find S1 subjectively down; at 2.24 s S5 sees it \
                objectively down (the quorum of 2 agree), asks for votes in epoch 1, wins a majority and \
                promotes S2 (REPLICAOF NO ONE), the replica with the highest offset (16; the lowest id \
                on a tie). S2 keeps S1's replication id as its replid2, so S3 continues with a partial \
                resync. A read of x at S2 at 4 s returns 1: the acknowledged x=2 is lost, the lesson of \
                asynchronous replication (amber)."),
        nodes: 6,
        seed: 1,
        settings: "",
        script: async_loss,
        chapters: &[
            (400, "1", crate::about!("x=1 is written at the master S1, answered at once and streamed to both replicas.")),
            (650, "2", crate::about!("The links from S1 to its replicas broke; x=2 is answered OK but reaches no replica.")),
            (2_400, "3", crate::about!("S1 crashed at 0.7 s. The sentinels agreed that it is down, and one of them promoted S2, the replica with the highest offset.")),
            (4_100, "4", crate::about!("A read of x at S2 returns 1: the acknowledged x=2 is lost, the lesson of asynchronous replication.")),
        ],
    },
    BuiltIn {
        id: "redis-backlog-overflow",
        title: "Redis: a replica back after the backlog overflowed resyncs in full",
        about: crate::about!("repl-backlog-size is 64 bytes here (1 MB by default): the master keeps its last 4 \
                writes (16 bytes each in this model). x=1 reaches every replica; at 0.4 s S3 is cut off, \
                and six writes y=2 to y=7 follow from 0.5 s, answered at once; S2 gets them all. The link \
                heals at 1.2 s. The next write (z=9 at 1.3 s) shows S3 a gap in the stream, so it asks \
                PSYNC from offset 17; that part of the history is no longer in the backlog, so S1 answers \
                +FULLRESYNC and sends an RDB snapshot of its whole dataset at offset 128, which S3 loads \
                in place of its data (1.34 s). With the default backlog the same run ends in a partial \
                resync: +CONTINUE and the missing writes only."),
        nodes: 6,
        seed: 1,
        settings: r#"{"repl_backlog_size":64}"#,
        script: backlog_overflow,
        chapters: &[],
    },
    BuiltIn {
        id: "redis-split-brain",
        title: "Redis: split brain, and the isolated master's writes vanish",
        about: crate::about!("The Jepsen 2013 lesson. At 0.5 s S1, the master, is cut off from everyone, but a \
                client on its side of the partition keeps writing to it: y=2 to y=9, every 0.3 s from \
                0.7 s, each answered OK. On the majority side the sentinels see S1 down after 1.5 s \
                (down-after-milliseconds); at 2.05 s S6, elected in epoch 1, promotes S2, and S3 \
                follows it. S1 and S2 are both masters: split brain. At 4 s the network heals: the \
                sentinels see S1 claiming to be a master and turn it into a replica of S2 \
                (+convert-to-slave). S1 asks PSYNC with its replication id and offset 144, past S2's \
                second_replid_offset 16: it took writes S2 never had, so S2 answers +FULLRESYNC and S1 \
                flushes its data. All 8 writes S1 acknowledged during the partition are gone: a read of \
                y at S1 at 6 s finds nothing written."),
        nodes: 6,
        seed: 1,
        settings: "",
        script: split_brain,
        chapters: &[],
    },
    BuiltIn {
        id: "redis-min-replicas",
        title: "Redis: min-replicas-to-write bounds the loss",
        about: crate::about!("The split-brain run again, with min-replicas-to-write 1 and min-replicas-max-lag \
                10 (seconds; 0.5 s here). S1's last acknowledgement from a replica came before the cut at \
                0.5 s. y=2 at 0.7 s is still accepted, but from 1 s on S1 refuses every write with \
                -NOREPLICAS, so its clients know nothing was written. After the heal S1 resyncs in full as \
                before, and only y=2 is lost: min-replicas-max-lag bounds the loss window."),
        nodes: 6,
        seed: 1,
        settings: r#"{"min_replicas_to_write":1,"min_replicas_max_lag":10}"#,
        script: split_brain,
        chapters: &[],
    },
    BuiltIn {
        id: "redis-psync2-failover",
        title: "Redis: replicas continue after a failover (PSYNC2)",
        about: crate::about!("x=1 and y=2 reach both replicas (offsets 16 and 32). At 0.7 s the master S1 crashes. \
                The sentinels fail over at about 2.3 s: S2 becomes master with REPLICAOF NO ONE, takes a \
                new replication id and keeps S1's as its replid2, valid up to offset 32. S3, told to \
                replicate S2, asks PSYNC with S1's replication id and offset 33; S2 recognises its own \
                earlier history and answers +CONTINUE: a partial resync, with no RDB snapshot and \
                nothing flushed. Before Redis 4.0 replicas named their master by run id, and every \
                failover forced a full resync of every replica. A write z=3 at S2 at 4 s reaches S3 on \
                the continued stream."),
        nodes: 6,
        seed: 1,
        settings: "",
        script: psync2_failover,
        chapters: &[],
    },
    BuiltIn {
        id: "redis-wait-not-consensus",
        title: "Redis: WAIT is not consensus",
        about: crate::about!("Every client follows its writes with WAIT 1 1000: the master answers only once a \
                replica has acknowledged the write (it asks at once with REPLCONF GETACK). x=1 at 0.3 s \
                is acknowledged and answered OK. At 0.5 s S3 is cut off from S1, so x=2 at 0.7 s is \
                acknowledged by S2 alone: WAIT returns 1, OK. At 1 s a partition puts S1 and S2 on one \
                side, S3 and the sentinels on the other; y=3 at 1.3 s is acknowledged by S2 again: OK. \
                The sentinels see S1 down and at 2.55 s promote S3, the only replica they can reach, \
                which has neither x=2 nor y=3. At 4 s the network heals; S1 and S2 become replicas of \
                S3, and S3 answers both with +FULLRESYNC: they flush their data. Reads at S3 at 6 s find \
                x=1 and no y: two writes that WAIT confirmed on a replica are gone. WAIT makes a write \
                reach n replicas, but Sentinel may promote another one; it is not consensus."),
        nodes: 6,
        seed: 1,
        settings: r#"{"wait_numreplicas":1}"#,
        script: wait_not_consensus,
        chapters: &[],
    },
];
