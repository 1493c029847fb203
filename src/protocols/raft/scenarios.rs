//! Built-in classroom scenarios for Raft.

use crate::descriptor::BuiltIn;
use crate::protocol::{Command, Key};
use crate::protocols::common::cmd;
use crate::script::{advance_until, isolate, leader, leader_other_than, request, Script, MS};
use crate::sim::Action;

fn leader_crash(tl: &mut dyn Script) {
    tl.advance_to(600 * MS);
    let l = leader(tl).unwrap_or(1);
    request(tl, 600 * MS, l, cmd(0, 1));
    request(tl, 700 * MS, l, cmd(1, 2));
    tl.act(1_200 * MS, Action::Crash { node: l });
    tl.act(2_500 * MS, Action::Restart { node: l });
}

fn split_vote(tl: &mut dyn Script) {
    tl.act(50 * MS, Action::Timeout { node: 1 });
    tl.act(50 * MS, Action::Timeout { node: 3 });
}

fn partitioned_leader(tl: &mut dyn Script) {
    tl.advance_to(800 * MS);
    let l = leader(tl).unwrap_or(1);
    isolate(tl, l, 800 * MS);
    let t = 900 * MS;
    request(tl, t, l, cmd(0, 1));
    request(tl, t + 100 * MS, l, cmd(1, 2));
    tl.advance_to(2_000 * MS);
    if let Some(l2) = leader_other_than(tl, Some(l)) {
        request(tl, 2_000 * MS, l2, cmd(2, 3));
    }
    tl.act(3_000 * MS, Action::HealAll);
}

fn catch_up(tl: &mut dyn Script) {
    tl.advance_to(600 * MS);
    let l = leader(tl).unwrap_or(1);
    let f = if l == 5 { 4 } else { 5 };
    tl.act(600 * MS, Action::Crash { node: f });
    for k in 0..5u32 {
        let t = (800 + 200 * u64::from(k)) * MS;
        tl.advance_to(t);
        let l = leader(tl).unwrap_or(l);
        request(tl, t, l, cmd((k % 3) as u8, k + 1));
    }
    tl.act(2_000 * MS, Action::Restart { node: f });
}

fn figure8(tl: &mut dyn Script) {
    let mut t = 0;
    let mut act = |tl: &mut dyn Script, a: Action| {
        t += 200 * MS;
        tl.act(t, a);
    };
    act(tl, Action::Timeout { node: 1 });
    act(
        tl,
        Action::Request {
            node: 1,
            cmd: cmd(0, 1),
        },
    );
    act(tl, Action::Timeout { node: 1 });
    for o in [3, 4, 5] {
        act(tl, Action::CutBoth { a: 1, b: o });
    }
    act(
        tl,
        Action::Request {
            node: 1,
            cmd: cmd(0, 2),
        },
    );
    act(tl, Action::Crash { node: 1 });
    act(tl, Action::HealAll);
    act(tl, Action::Timeout { node: 5 });
    for o in [1, 2, 3, 4] {
        act(tl, Action::CutBoth { a: 5, b: o });
    }
    act(
        tl,
        Action::Request {
            node: 5,
            cmd: cmd(0, 3),
        },
    );
    act(tl, Action::Crash { node: 5 });
    act(tl, Action::HealAll);
    act(tl, Action::Restart { node: 1 });
    act(tl, Action::CutBoth { a: 1, b: 4 });
    act(tl, Action::CutBoth { a: 1, b: 5 });
    act(tl, Action::Timeout { node: 1 });
    act(tl, Action::Timeout { node: 1 });
    act(tl, Action::Crash { node: 1 });
    act(tl, Action::HealAll);
    act(tl, Action::Restart { node: 5 });
    act(tl, Action::Timeout { node: 5 });
    act(tl, Action::Timeout { node: 5 });
    act(
        tl,
        Action::Request {
            node: 5,
            cmd: cmd(0, 4),
        },
    );
}

/// Local reads: the old leader, cut off, answers a read with a value the
/// majority has already overwritten (and acknowledged).
fn stale_read(tl: &mut dyn Script) {
    tl.advance_to(600 * MS);
    let l = leader(tl).unwrap_or(1);
    request(tl, 600 * MS, l, cmd(0, 1));
    isolate(tl, l, 800 * MS);
    let t = advance_until(tl, 3_000 * MS, |s| leader_other_than(s, Some(l)).is_some());
    let l2 = leader_other_than(tl, Some(l)).unwrap_or(1);
    request(tl, t + 50 * MS, l2, cmd(0, 2));
    request(tl, t + 300 * MS, l, Command::read(Key(0), 3));
    request(tl, t + 350 * MS, l2, Command::read(Key(0), 4));
    tl.act(3_000 * MS, Action::HealAll);
}

fn membership(tl: &mut dyn Script) {
    tl.advance_to(600 * MS);
    let l = leader(tl).unwrap_or(1);
    request(tl, 600 * MS, l, cmd(0, 1));
    let ask = |tl: &mut dyn Script, t: u64, what: String| {
        tl.advance_to(t);
        let l = leader(tl).unwrap_or(l);
        tl.act(
            t,
            Action::NodeAction {
                node: l,
                action: what,
            },
        );
    };
    ask(tl, 900 * MS, "add-4".into());
    ask(tl, 1_500 * MS, "add-5".into());
    ask(tl, 2_200 * MS, format!("remove-{l}"));
    tl.advance_to(3_000 * MS);
    if let Some(l2) = leader_other_than(tl, Some(l)) {
        request(tl, 3_000 * MS, l2, cmd(1, 2));
    }
}

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[
    BuiltIn {
        id: "leader-crash",
        title: "Leader crash and re-election",
        about: crate::about!("S3 is elected leader for term 1 and replicates two client requests (x=1, y=2) to every \
         server. At 1.2 s S3 crashes. Its followers stop hearing heartbeats; the first whose \
         randomized election timer runs out (S1, at about 1.36 s) becomes a candidate for term 2 \
         and wins the votes of the majority that is still up (§5.2) at about 1.4 s. Committed \
         entries survive: the new leader's log holds them all (§5.4). At 2.5 s S3 restarts, sees \
         the higher term and rejoins as a follower."),
        nodes: 5,
        seed: 1,
        settings: "",
        script: leader_crash,
        chapters: &[
            (1_100, "1", crate::about!("S3 leads term 1: x=1 and y=2 are on every server and committed.")),
            (1_250, "2", crate::about!("S3 has crashed. Its followers stop hearing heartbeats: whose election timer runs out first?")),
            (1_500, "3", crate::about!("S1 timed out first, stood for term 2 and won the votes of the majority still up (§5.2). Is anything committed lost?")),
            (2_600, "4", crate::about!("No: S3 restarted, saw the higher term and rejoined as a follower; the new leader's log holds every committed entry (§5.4).")),
        ],
    },
    BuiltIn {
        id: "split-vote",
        title: "Split vote",
        about: crate::about!("Four servers, no leader yet. At 50 ms S1 and S3 time out at the same moment, both become \
         candidates for term 1 and vote for themselves; each wins one more vote and neither reaches \
         the majority of three. The term ends without a leader. Randomized election timeouts (§5.2) \
         make a repeat unlikely: one candidate times out first, starts term 2 and wins."),
        nodes: 4,
        seed: 4,
        settings: "",
        script: split_vote,
        chapters: &[],
    },
    BuiltIn {
        id: "partitioned-leader",
        title: "Partitioned old leader",
        about: crate::about!("At 0.8 s the leader is cut off from every other server. It still believes it leads and \
         accepts client writes, but it can never replicate them to a majority, so they stay \
         uncommitted (dashed). The majority side elects a new leader in a higher term and commits \
         new writes. At 3 s the network heals: the old leader sees the higher term, steps down, and \
         its uncommitted entries are overwritten by the new leader's log (§5.3)."),
        nodes: 5,
        seed: 21,
        settings: "",
        script: partitioned_leader,
        chapters: &[],
    },
    BuiltIn {
        id: "catch-up",
        title: "A follower falls behind and catches up",
        about: crate::about!("At 0.6 s one follower crashes. The leader keeps committing five client requests with the \
         remaining majority, and keeps retrying the crashed follower with every entry after its \
         nextIndex, a batch that grows with each request (§5.3: AppendEntries retried indefinitely). \
         At 2 s the follower restarts with its old log: the next batch carries all five missing \
         entries, the consistency check passes (its log agrees up to nextIndex - 1) and the \
         follower's matchIndex jumps to the leader's last entry. A log that disagrees is refused \
         instead, and nextIndex backs off: see the partitioned old leader."),
        nodes: 5,
        seed: 31,
        settings: "",
        script: catch_up,
        chapters: &[],
    },
    BuiltIn {
        id: "figure-8",
        title: "Figure 8: why old-term entries are not committed by counting",
        about: crate::about!("The paper's Figure 8, step by step (elections are forced; no §8 no-op, as in the figure). \
                (a) S1 leads term 2 and replicates index 2 to S2 only. (b) S1 crashes; S5 wins term 3 with \
                S3 and S4 and accepts a different entry at index 2. (c) S5 crashes; S1 restarts, wins term 4 \
                and copies its term-2 entry to S3: it is now on a majority, but Raft does not count it as \
                committed, because it is not from the current term (§5.4.2). (d) S1 crashes; S5 wins term 5 \
                (its last term, 3, beats 2) and overwrites index 2 everywhere. Nothing committed was lost."),
        nodes: 5,
        seed: 8,
        settings: r#"{"election_timeout_min":60000000,"election_timeout_max":60000000,"noop_on_election":false}"#,
        script: figure8,
        chapters: &[
            (600, "(a)", crate::about!("(a) S1 leads term 2 and replicates index 2 to S2 only")),
            (1_600, "(b)", crate::about!("(b) S1 crashes; S5 wins term 3 and accepts another entry at index 2")),
            (3_600, "(c)", crate::about!("(c) S1 restarts, wins term 4 and copies its term-2 entry to S3: on a majority, not committed")),
            (4_600, "(d)", crate::about!("(d) S1 crashes; S5 wins term 5 and overwrites index 2 everywhere")),
        ],
    },
    BuiltIn {
        id: "raft-stale-read",
        title: "Raft: reads answered locally go stale",
        about: crate::about!("The setting \"Reads answered locally by any server\" is on: a server answers a read at once \
                from its own state machine, without the log. S3 leads term 1 and commits x=1 (0.63 s). At \
                0.8 s S3 is cut off from everyone; it still believes it leads. S2, S4 and S5 elect S2 in \
                term 2 (0.97 s); S2 commits x=2 and acknowledges it at 1.05 s. At 1.27 s a client reads x at \
                S3: it answers 1, a stale read, since x=2 had been acknowledged before the read began. The \
                same read at S2 at 1.32 s answers 2. The client history is not linearizable, and the \
                invariants card says so in amber: this setting allows it. (§8: a leader must check that it \
                still leads before answering a read; with the setting off, reads go through the log, S3's \
                read never commits, and the history stays linearizable.) At 3 s the network heals and S3 \
                steps down."),
        nodes: 5,
        seed: 1,
        settings: r#"{"local_reads":true}"#,
        script: stale_read,
        chapters: &[],
    },
    BuiltIn {
        id: "raft-membership",
        title: "Raft: adding and removing servers",
        about: crate::about!("Five servers, but only S1, S2 and S3 form the initial configuration (the setting \"voters\" \
                is 3). S4 and S5 start with an empty configuration, like servers that have not joined yet: \
                they never campaign, and they are drawn off the ring as non-voters. S3 leads term 1 and \
                commits x=1. At 0.9 s S3 is asked to add S4. It first catches S4 up as a non-voter (thesis \
                §4.2.1); the round takes about 30 ms, less than an election timeout, so S3 appends the \
                configuration {S1,S2,S3,S4}, in force from the moment it is appended (§4.1), and commits it \
                on a majority of the new configuration at 0.96 s. At 1.5 s S5 joins the same way (committed \
                at 1.57 s). At 2.2 s S3 is asked to remove itself: it appends {S1,S2,S4,S5} and leads until \
                that commits, without counting itself, then steps down at 2.24 s (§4.2.2). S5 times out \
                first and wins term 2 with the votes of S4 and S1 at 2.44 s; it commits y=2 at 3.04 s. S3 \
                stays out and never campaigns again."),
        nodes: 5,
        seed: 1,
        settings: r#"{"voters":3}"#,
        script: membership,
        chapters: &[],
    },
];
