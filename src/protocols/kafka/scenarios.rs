//! Built-in classroom scenarios for Kafka: the failure demos of
//! `shared/reference/real-systems.md` section 2 (acks=1 loss, NotEnough-
//! Replicas, the silent ISR shrink with and without unclean election, the
//! zombie leader) and both cases of KIP-101.

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{advance_until, leader, request, Script, MS};
use crate::sim::Action;

fn cut_followers(tl: &mut dyn Script, t: u64) {
    for f in [2, 3] {
        tl.act(t, Action::CutBoth { a: 1, b: f });
    }
}

/// A consumer reads `key` from whoever leads at `t`.
fn read_at_leader(tl: &mut dyn Script, t: u64, key: u8) {
    tl.advance_to(t);
    if let Some(l) = leader(tl) {
        request(tl, t, l, Command::read(Key(key), 1));
    }
}

fn acks1_loss(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    cut_followers(tl, 500 * MS);
    request(tl, 600 * MS, 1, cmd(0, 2));
    tl.act(800 * MS, Action::Crash { node: 1 });
    tl.act(2_000 * MS, Action::HealAll);
    tl.act(2_500 * MS, Action::Restart { node: 1 });
    request(tl, 3_500 * MS, 2, Command::read(Key(0), 1));
}

fn not_enough_replicas(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    tl.act(500 * MS, Action::Crash { node: 3 });
    request(tl, 700 * MS, 1, cmd(1, 2));
    tl.act(1_800 * MS, Action::Crash { node: 2 });
    request(tl, 3_000 * MS, 1, cmd(2, 3));
    tl.act(3_500 * MS, Action::Restart { node: 2 });
    request(tl, 4_500 * MS, 1, cmd(2, 4));
}

fn isr_shrink(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    cut_followers(tl, 500 * MS);
    request(tl, 5_000 * MS, 1, cmd(1, 2));
    tl.act(5_500 * MS, Action::Crash { node: 1 });
    tl.act(7_000 * MS, Action::HealAll);
    tl.act(7_500 * MS, Action::Restart { node: 1 });
    read_at_leader(tl, 8_500 * MS, 1);
}

fn zombie(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    for o in [2, 4] {
        tl.act(500 * MS, Action::CutBoth { a: 1, b: o });
    }
    request(tl, 1_000 * MS, 1, cmd(0, 2));
    request(tl, 2_000 * MS, 1, cmd(0, 3));
    tl.act(3_000 * MS, Action::HealAll);
    request(tl, 3_500 * MS, 2, Command::read(Key(0), 1));
}

fn kip101_hw_truncation(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    request(tl, 600 * MS, 1, cmd(1, 2));
    // The moment S1's HW passed y=2 (the producer is told OK) while S2,
    // which holds y=2, has not yet heard it.
    let t = advance_until(tl, 1_000 * MS, |s| {
        let line = |n| s.sim().view(n).map(|v| v.subline);
        line(1).as_deref() == Some("LEO 2 HW 2") && line(2).as_deref() == Some("LEO 2 HW 1")
    });
    tl.act(t, Action::Crash { node: 2 });
    tl.act(t + MS, Action::Restart { node: 2 });
    tl.act(t + 5 * MS, Action::Crash { node: 1 });
    tl.act(t + 2_000 * MS, Action::Restart { node: 1 });
    read_at_leader(tl, t + 3_000 * MS, 1);
}

fn kip101_divergence(tl: &mut dyn Script) {
    request(tl, 300 * MS, 1, cmd(0, 1));
    // Just before the page cache writeback at 1 s: S1 has y=2 in the
    // period that is written at 2 s, S2 receives it after 1 s.
    request(tl, 995 * MS, 1, cmd(1, 2));
    for n in [1, 2] {
        tl.act(2_500 * MS, Action::PowerLoss { node: n });
    }
    tl.act(2_600 * MS, Action::Restart { node: 2 });
    request(tl, 4_000 * MS, 2, cmd(1, 3));
    tl.act(4_500 * MS, Action::Restart { node: 1 });
    request(tl, 5_500 * MS, 2, Command::read(Key(1), 1));
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "kafka-acks1-loss",
        title: "Kafka: acks=1 loses an acknowledged record",
        about: crate::about!("S1 leads the partition, S2 and S3 follow, S4 is the controller; producers use acks=1. At 0.3 s x=1 is acknowledged at once and the followers fetch it. At 0.5 s the links between S1 and its followers are cut (all still reach the controller). At 0.6 s x=2 is acknowledged by S1 alone. At 0.8 s S1 crashes while its ISR still lists S2 and S3: replica.lag.time.max.ms (30 s, 3 s here) has not passed. The controller fences S1 at 1.8 s (broker.session.timeout.ms) and elects S2, the first live ISR replica, for leader epoch 1. When S1 restarts at 2.5 s it asks S2 where epoch 0 ends (OffsetsForLeaderEpoch), truncates x=2 away and rejoins the ISR. A read of x at 3.5 s returns 1: the acknowledged x=2 is lost, as acks=1 allows."),
        nodes: 4,
        seed: 1,
        settings: r#"{"acks":1}"#,
        script: acks1_loss,
        chapters: &[
            (400, "1", crate::about!("x=1 is acknowledged at once (acks=1), and the followers fetch it.")),
            (700, "2", crate::about!("The links from S1 to its followers are cut; x=2 is acknowledged by S1 alone. Is it safe?")),
            (2_000, "3", crate::about!("S1 crashed at 0.8 s while its ISR still listed S2 and S3; the controller fenced it and elected S2, leader epoch 1.")),
            (3_000, "4", crate::about!("S1 restarted at 2.5 s, asked S2 where epoch 0 ends (OffsetsForLeaderEpoch) and truncated x=2 away.")),
            (3_600, "5", crate::about!("A read of x returns 1: the acknowledged x=2 is lost, as acks=1 allows.")),
        ],
    },
    BuiltIn {
        id: "kafka-not-enough-replicas",
        title: "Kafka: acks=all with min.insync.replicas=2 refuses writes",
        about: crate::about!("S1 leads, S2 and S3 follow, S4 is the controller; producers use acks=all with min.insync.replicas=2. x=1 at 0.3 s is acknowledged once both followers have fetched it (0.33 s). S3 crashes at 0.5 s, and y=2, produced at 0.7 s, waits: the high watermark is the least log end offset over the ISR, which still holds S3 until the controller fences it at 1.4 s; y=2 is acknowledged at 1.42 s. S2 crashes at 1.8 s and is fenced at 2.8 s: the ISR is S1 alone, and z=3 at 3.0 s is refused with NOT_ENOUGH_REPLICAS, nothing appended. S2 restarts at 3.5 s, catches up and rejoins the ISR at 3.58 s, and z=4 at 4.5 s is acknowledged. Durability is bought with availability."),
        nodes: 4,
        seed: 1,
        settings: r#"{"min_insync_replicas":2}"#,
        script: not_enough_replicas,
        chapters: &[],
    },
    BuiltIn {
        id: "kafka-silent-isr-shrink",
        title: "Kafka: the ISR shrinks silently, then the partition goes offline",
        about: crate::about!("S1 leads, S2 and S3 follow, S4 is the controller; acks=all with the default min.insync.replicas=1. x=1 is acknowledged at 0.33 s. At 0.5 s the links between S1 and both followers are cut; they still reach the controller. Nothing is said for a while: at 4.5 s, more than replica.lag.time.max.ms (3 s here) after the followers last fetched (0.45 s), S1 shrinks the ISR to itself with AlterPartition and the controller accepts. At 5.0 s y=2 is acknowledged at once: acks=all now means S1 alone, with no error. S1 crashes at 5.5 s; at 6.4 s the controller fences it, finds no live ISR member and leaves the partition OFFLINE (unclean.leader.election.enable=false): S2 and S3 are alive but out of sync. Only when S1 restarts at 7.5 s does the partition return, S1 leading epoch 2; a read of y at 8.5 s returns 2."),
        nodes: 4,
        seed: 1,
        settings: "",
        script: isr_shrink,
        chapters: &[],
    },
    BuiltIn {
        id: "kafka-unclean-election",
        title: "Kafka: unclean leader election loses committed records",
        about: crate::about!("The silent ISR shrink again, with unclean.leader.election.enable=true. The cut at 0.5 s, the ISR shrink to S1 at 4.5 s and y=2 acknowledged by S1 alone at 5.0 s are as before, and S1 crashes at 5.5 s. At 6.4 s the controller fences S1, finds no live ISR member, and elects S2, out of sync, for epoch 1: its log, which lacks y=2, becomes the truth, and S3 joins its ISR. When S1 restarts at 7.5 s it asks S2 where epoch 0 ends and truncates y=2 away. A read of y at 8.5 s finds nothing: an acknowledged acks=all write is lost, the price of the availability this setting buys."),
        nodes: 4,
        seed: 1,
        settings: r#"{"unclean_leader_election_enable":true}"#,
        script: isr_shrink,
        chapters: &[],
    },
    BuiltIn {
        id: "kafka-zombie-leader",
        title: "Kafka: a zombie leader keeps answering acks=1",
        about: crate::about!("S1 leads, S2 and S3 follow, S4 is the controller; producers use acks=1. x=1 is acknowledged at 0.3 s. At 0.5 s S1 is cut off from the controller and from S2, but still reaches S3. At 1.0 s S1 acknowledges x=2, which S3 fetches. Without heartbeats from S1, the controller fences it at 1.4 s and elects S2 for epoch 1; S3 learns it, asks S2 where epoch 0 ends and truncates x=2 (1.46 s). S1 has heard nothing: it still leads epoch 0 in its own eyes, and at 2.0 s acknowledges x=3 too, a zombie. The network heals at 3.0 s; the controller hears S1 again (3.15 s) and its answer carries the new metadata: S1 follows S2 and truncates x=2 and x=3 (3.21 s). A read of x at 3.5 s at S2 returns 1: two acknowledged writes are lost."),
        nodes: 4,
        seed: 1,
        settings: r#"{"acks":1}"#,
        script: zombie,
        chapters: &[],
    },
    BuiltIn {
        id: "kafka-kip101",
        title: "Kafka before KIP-101: truncation to the high watermark loses a record",
        about: crate::about!("Kafka before 0.11, with the ZooKeeper-era controller: a replica that starts following truncates its log to its high watermark (truncate-to-hw). S1 leads, S2 follows, S3 is the controller; acks=all. x=1 is acknowledged at 0.33 s and y=2 at 0.664 s, once S2 has fetched it. S2 holds y=2 but has not yet heard that the high watermark passed it when it crashes at 0.665 s and restarts at once; at 0.708 s it follows S1 again and truncates to its stale high watermark 1, dropping y=2. S1 crashes at 0.670 s, before S2 can fetch y=2 again. The controller fences S1 at 1.6 s and elects S2, still in the ISR, for epoch 1: the committed y=2 is gone. S1 restarts at 2.665 s, keeps y=2 (its high watermark is 2), fetches from offset 2, is refused with OFFSET_OUT_OF_RANGE and truncates to 1. A read of y at 3.665 s finds nothing. Switch truncate-to-hw off (Kafka 0.11 and later, here with KRaft, which also drops the restarted S2 from the ISR) and the same faults lose nothing: the partition waits offline for S1, which leads with y=2."),
        nodes: 3,
        seed: 1,
        settings: r#"{"truncate_to_hw":true}"#,
        script: kip101_hw_truncation,
        chapters: &[],
    },
    BuiltIn {
        id: "kafka-kip101-divergence",
        title: "Kafka before KIP-101: logs diverge after two power failures",
        about: crate::about!("KIP-101's second case: logs diverge after two power failures (truncate-to-hw; the OS writes the page cache back every 1 s here). S1 leads, S2 follows, S3 is the controller. y=2 reaches S1 at 0.995 s, just before the writeback at 1 s, and S2 just after; it is acknowledged at 1.042 s. Both brokers lose power at 2.5 s: the writeback at 2 s saved y=2 on S1's disk but not on S2's. S2 restarts first (2.6 s); the controller fences S1 at 3.4 s and elects S2 for epoch 1, which takes y=3 at offset 1 (4.0 s). S1 restarts at 4.5 s, truncates to its high watermark 2, which keeps y=2, and rejoins the ISR: the two logs now differ at offset 1 (y=2 of epoch 0 on S1, y=3 of epoch 1 on S2), and nothing will repair them. Switch truncate-to-hw off (here with KRaft) and the partition waits offline for S1 instead: the logs stay one."),
        nodes: 3,
        seed: 1,
        settings: r#"{"truncate_to_hw":true,"page_cache_writeback_ms":10000}"#,
        script: kip101_divergence,
        chapters: &[],
    },
];
