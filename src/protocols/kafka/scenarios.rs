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
    if let Some(l) = leader(tl) {
        request(tl, 8_500 * MS, l, Command::read(Key(1), 1));
    }
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
    request(tl, t + 3_000 * MS, 2, Command::read(Key(1), 1));
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
        about: "TODO",
        nodes: 4,
        seed: 1,
        settings: r#"{"acks":1}"#,
        script: acks1_loss,
    },
    BuiltIn {
        id: "kafka-not-enough-replicas",
        title: "Kafka: acks=all with min.insync.replicas=2 refuses writes",
        about: "TODO",
        nodes: 4,
        seed: 1,
        settings: r#"{"min_insync_replicas":2}"#,
        script: not_enough_replicas,
    },
    BuiltIn {
        id: "kafka-silent-isr-shrink",
        title: "Kafka: the ISR shrinks silently, then the partition goes offline",
        about: "TODO",
        nodes: 4,
        seed: 1,
        settings: "",
        script: isr_shrink,
    },
    BuiltIn {
        id: "kafka-unclean-election",
        title: "Kafka: unclean leader election loses committed records",
        about: "TODO",
        nodes: 4,
        seed: 1,
        settings: r#"{"unclean_leader_election_enable":true}"#,
        script: isr_shrink,
    },
    BuiltIn {
        id: "kafka-zombie-leader",
        title: "Kafka: a zombie leader keeps answering acks=1",
        about: "TODO",
        nodes: 4,
        seed: 1,
        settings: r#"{"acks":1}"#,
        script: zombie,
    },
    BuiltIn {
        id: "kafka-kip101",
        title: "Kafka before KIP-101: truncation to the high watermark loses a record",
        about: "TODO",
        nodes: 3,
        seed: 1,
        settings: r#"{"truncate_to_hw":true}"#,
        script: kip101_hw_truncation,
    },
    BuiltIn {
        id: "kafka-kip101-divergence",
        title: "Kafka before KIP-101: logs diverge after two power failures",
        about: "TODO",
        nodes: 3,
        seed: 1,
        settings: r#"{"truncate_to_hw":true,"page_cache_writeback_ms":10000}"#,
        script: kip101_divergence,
    },
];
