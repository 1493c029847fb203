//! Built-in classroom scenarios for Cassandra: the failure demos of
//! `shared/reference/real-systems.md` section 4 (stale reads with
//! `R + W <= RF`, hinted handoff, last write wins under clock skew), and
//! gossip's per-node failure detector.

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{request, Script, MS};
use crate::sim::Action;

fn stale_read(tl: &mut dyn Script) {
    tl.act(300 * MS, Action::CutBoth { a: 3, b: 1 });
    tl.act(300 * MS, Action::CutBoth { a: 3, b: 2 });
    request(tl, 500 * MS, 1, cmd(0, 1));
    request(tl, 1_000 * MS, 3, Command::read(Key(0), 1));
    tl.act(1_500 * MS, Action::HealAll);
    request(tl, 2_000 * MS, 3, Command::read(Key(0), 2));
}

fn hinted_handoff(tl: &mut dyn Script) {
    tl.act(300 * MS, Action::Crash { node: 3 });
    request(tl, 2_500 * MS, 1, cmd(0, 1));
    tl.act(3_000 * MS, Action::Restart { node: 3 });
    request(tl, 4_500 * MS, 3, Command::read(Key(0), 1));
}

fn timeout_not_failure(tl: &mut dyn Script) {
    tl.act(300 * MS, Action::CutBoth { a: 1, b: 2 });
    tl.act(300 * MS, Action::CutBoth { a: 1, b: 3 });
    request(tl, 500 * MS, 1, cmd(0, 1));
    tl.act(1_500 * MS, Action::HealAll);
    request(tl, 3_000 * MS, 2, Command::read(Key(0), 1));
}

fn clock_skew(tl: &mut dyn Script) {
    tl.act(
        100 * MS,
        Action::Clock {
            node: 1,
            offset: -500 * MS as i64,
            rate: 100,
        },
    );
    request(tl, 1_000 * MS, 2, cmd(0, 1));
    request(tl, 1_200 * MS, 1, cmd(0, 2));
    request(tl, 2_000 * MS, 3, Command::read(Key(0), 1));
}

/// S3's outgoing links go dead while it still hears the others; writes go
/// in through S1 and S3 at 3 s; the links heal at 4 s.
fn gossip_phi(tl: &mut dyn Script) {
    tl.act(500 * MS, Action::CutOneWay { from: 3, to: 1 });
    tl.act(500 * MS, Action::CutOneWay { from: 3, to: 2 });
    request(tl, 3_000 * MS, 1, cmd(0, 1));
    request(tl, 3_000 * MS, 3, cmd(1, 2));
    tl.act(4_000 * MS, Action::HealAll);
    request(tl, 6_000 * MS, 2, Command::read(Key(0), 1));
}

/// All three of x's replicas (S1, S2, S3 of five nodes) crash; x=1 is
/// written through S4; they restart, and x is read through S1 at once,
/// then later.
fn sloppy_vs_strict(tl: &mut dyn Script) {
    for node in 1..=3 {
        tl.act(300 * MS, Action::Crash { node });
    }
    request(tl, 2_800 * MS, 4, cmd(0, 1));
    for node in 1..=3 {
        tl.act(3_200 * MS, Action::Restart { node });
    }
    request(tl, 3_250 * MS, 1, Command::read(Key(0), 1));
    request(tl, 4_500 * MS, 1, Command::read(Key(0), 2));
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "cassandra-stale-read",
        title: "Cassandra: R + W <= RF reads stale data",
        about: crate::about!("Three nodes, replication_factor 3 (every node holds x), writes and reads at ONE: R + W = 2, not more than 3. At 0.3 s S3 is cut off from S1 and S2 (clients still reach it). x=1 is written through S1 at 0.5 s and acknowledged at once: S1's own copy is one. The mutation to S3 is lost, and S1 stores no hint (it still believes S3 up). A read of x at S3 at 1.0 s asks only S3's copy: nothing, a stale read. The links heal at 1.5 s, and a read at S3 at 2.0 s is still stale: nothing brought x=1 there. With QUORUM for both (2 + 2 > 3), the first read cannot reach a second replica and times out, and the second asks S3 and S1, sees the digests differ, takes x=1 by last write wins and repairs S3 before answering."),
        nodes: 3,
        seed: 1,
        settings: r#"{"write_consistency":"ONE","read_consistency":"ONE"}"#,
        script: stale_read,
        chapters: &[
            (400, "1", crate::about!("S3 is cut off from S1 and S2; clients still reach it. Writes and reads at ONE: R + W = 2, not more than RF = 3.")),
            (600, "2", crate::about!("x=1 was written through S1 and acknowledged at once; the mutation to S3 is lost, and no hint is stored.")),
            (1_100, "3", crate::about!("A read of x at S3 asks only S3's copy: nothing, a stale read.")),
            (2_100, "4", crate::about!("The links healed at 1.5 s, yet a read at S3 is still stale: nothing brought x=1 there. With QUORUM for both, it would not be.")),
        ],
    },
    BuiltIn {
        id: "cassandra-hinted-handoff",
        title: "Cassandra: hinted handoff brings a returning replica up to date",
        about: crate::about!("Three nodes, QUORUM writes. S3 crashes at 0.3 s. S1 hears no newer heartbeat from it through gossip and convicts it at 2.08 s, when phi passes phi_convict_threshold 8 (about 18 s of silence in Cassandra, 1.8 s here); S2 judges for itself and has not yet. x=1 is written through S1 at 2.5 s: S1 sends it to S2, stores a hint for S3, and answers once S1 and S2 have it (2.53 s). S3 restarts at 3.0 s with a new gossip generation; S1 sees it UP at 3.12 s and replays the hint. A read of x at S3 at 4.5 s returns 1."),
        nodes: 3,
        seed: 1,
        settings: "",
        script: hinted_handoff,
        chapters: &[],
    },
    BuiltIn {
        id: "cassandra-timeout-not-failure",
        title: "Cassandra: a write that timed out is there after all",
        about: crate::about!("Three nodes, QUORUM. At 0.3 s S1 is cut off from S2 and S3. x=1 is written through S1 at 0.5 s: S1 applies it, but no second replica answers, and after write_request_timeout (2 s, 0.2 s here) the client gets a WriteTimeoutException (0.7 s). The write is not undone: S1 keeps it and stores hints for S2 and S3, and retries them each hints_flush_period until they are acknowledged. The links heal at 1.5 s; the hints reach S2 and S3 at 2.0 s. A read of x through S2 at 3.0 s returns 1: the write the client was told timed out is there. A timeout says nothing about whether a write happened."),
        nodes: 3,
        seed: 1,
        settings: "",
        script: timeout_not_failure,
        chapters: &[],
    },
    BuiltIn {
        id: "cassandra-lww-clock-skew",
        title: "Cassandra: last write wins, and a skewed clock makes the later write lose",
        about: crate::about!("Three nodes, QUORUM, and timestamp-generator server: the coordinator's clock stamps each write. S1's clock is set 500 ms slow at 0.1 s. x=1 is written through S2 at 1.0 s (acknowledged at 1.04 s) and x=2 through S1 at 1.2 s (acknowledged at 1.24 s), later in real time but stamped about 0.7 s, before x=1. Both are acknowledged, and nobody is told of a conflict. A read of x at 2.0 s returns 1: last write wins by timestamp, and the later write silently lost. Cassandra has no conflict detection (no vector clocks or siblings); with the drivers' default client timestamps the clocks of the clients decide instead."),
        nodes: 3,
        seed: 1,
        settings: r#"{"timestamp-generator":"server"}"#,
        script: clock_skew,
        chapters: &[],
    },
    BuiltIn {
        id: "cassandra-gossip-phi",
        title: "Cassandra: each node judges for itself who is down",
        about: crate::about!("Three nodes, QUORUM. At 0.5 s S3's outgoing links die: it still hears S1 and S2, but nothing it sends arrives. Gossip needs round trips (a GossipDigestSyn carries only digests; heartbeats travel in the Ack and Ack2), so the silence is felt on both sides. Each node runs its own phi accrual detector and convicts a peer when phi passes phi_convict_threshold 8 (about 18 s of silence in Cassandra, 1.8 s here), each at its own moment: S1 convicts S3 at 2.28 s while S2 still sees S3 UP until 2.39 s, and S3 convicts S2 at 2.29 s and S1 at 2.39 s. At 3.0 s x=1 is written through S1: S3 is DOWN for S1, so S1 sends the mutation only to S2, stores a hint for S3 and answers when S2 acknowledges. y=2, written through S3 at the same moment, is refused at once with UnavailableException: S3 sees only itself up, and QUORUM needs 2. The links heal at 4.0 s; each node marks the others UP when it hears from them again (S2 at 4.02 s, S3 at 4.05 s, S1 at 4.12 s), and S1 replays the hint to S3. A read of x through S2 at 6.0 s returns 1."),
        nodes: 3,
        seed: 1,
        settings: "",
        script: gossip_phi,
        chapters: &[],
    },
    BuiltIn {
        id: "cassandra-sloppy-vs-strict",
        title: "Cassandra vs Dynamo: a sloppy quorum is not a quorum",
        about: crate::about!("Five nodes, replication_factor 3, QUORUM writes and reads, and the Dynamo paper's sloppy quorum switched on (Cassandra has no such thing: the switch is there to compare). x's replicas are S1, S2 and S3, and all three crash at 0.3 s. S4's failure detector convicts S2 (1.97 s) and S1 (2.57 s), not yet S3. x=1 is written through S4 at 2.8 s: S4 sends it to S3, which it still believes up, and hands the writes for S1 and S2 to the next healthy nodes past the replicas, itself and S5, which hold them as hints. Their two acknowledgements make QUORUM, and the client is told the write succeeded (2.84 s), though no replica of x has it. The replicas restart at 3.2 s; a QUORUM read through S1 at 3.25 s asks S1 and S2 and returns nothing (3.28 s): R + W > RF, and still a stale read, because the write's quorum was not made of x's replicas. S4 and S5 see S1 and S2 UP at 3.30 s and 3.31 s and hand x=1 over; a read at 4.5 s returns 1 (S3 never got it: its mutation was lost while S4 believed it up). With the switch off, as Cassandra does, S4 refuses the write at once: UnavailableException, QUORUM needs 2 of 3 replicas and S4 sees 1 up."),
        nodes: 5,
        seed: 1,
        settings: r#"{"sloppy_quorum":true}"#,
        script: sloppy_vs_strict,
        chapters: &[],
    },
];
