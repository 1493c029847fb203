//! Raft (Ongaro & Ousterhout 2014): the engine ([`engine`], an essay on the
//! algorithm at its top), its log ([`log`]), its invariant checker
//! ([`check`]), its built-in scenarios ([`scenarios`]) and its descriptor
//! ([`PROTOCOL`]), with the broken variants that prove the checks bite.

pub mod check;
mod engine;
pub mod log;
pub mod names;
mod scenarios;

pub use check::RaftChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{self, Descriptor, Flag, MsgKind, NodeAction};
use crate::sim::check::Checked;

impl Checked for Raft {
    type Checker = RaftChecker;
}

/// Raft as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "raft",
    title: "Raft",
    source: crate::about!("Ongaro & Ousterhout 2014"),
    about: "",
    roles: &[
        descriptor::Role { id: names::role::LEADER, label: "★ leader", tone: "lead" },
        descriptor::Role { id: names::role::CANDIDATE, label: "? candidate", tone: "try" },
        descriptor::Role { id: names::role::FOLLOWER, label: "follower", tone: "follow" },
        descriptor::Role { id: names::role::NON_VOTER, label: "○ non-voter", tone: "off" },
    ],
    messages: &[
        MsgKind { kind: names::kind::REQUEST_VOTE, label: "RV", tone: "elect" },
        MsgKind { kind: names::kind::REQUEST_VOTE_REPLY, label: "vote", tone: "elect-reply" },
        MsgKind { kind: names::kind::APPEND_ENTRIES, label: "AE", tone: "repl" },
        MsgKind { kind: names::kind::APPEND_ENTRIES_REPLY, label: "ok", tone: "repl-reply" },
        MsgKind { kind: names::kind::HEARTBEAT, label: "HB", tone: "beat" },
    ],
    invariants: &[
        check::ELECTION_SAFETY,
        check::LEADER_APPEND_ONLY,
        check::LOG_MATCHING,
        check::LEADER_COMPLETENESS,
        check::STATE_MACHINE_SAFETY,
        check::CONFIG_QUORUM,
        crate::sim::acks::INVARIANT,
    ],
    membership: true,
    actions: &[NodeAction {
        id: "timeout",
        label: "Force election timeout",
        hint: "The follower stops waiting for the leader: it becomes a candidate for the next term (§5.2).",
    }],
    flags: &[
        Flag { id: "noop", label: crate::about!("No-op entry on election (§8)"), field: "noop_on_election" },
        Flag {
            id: "serials",
            label: crate::about!("Client serial numbers (§8): a retried write runs once"),
            field: "client_serials",
        },
        Flag {
            id: "local-reads",
            label: crate::about!("Reads answered locally by any server (fast; may be stale)"),
            field: "local_reads",
        },
        Flag {
            id: "read-index",
            label: crate::about!("ReadIndex reads (§8)"),
            field: "read_index",
        },
        Flag {
            id: "lease-reads",
            label: crate::about!("Lease reads (trusts clocks)"),
            field: "lease_reads",
        },
    ],
    params: &[],
    routine_timers: &["heartbeat timer"],
    log_legend: crate::about!("solid = committed · dashed = not yet committed · ▏= commit index · label and colour = term"),
    commit_mark: "commitIndex",
    request_hint: crate::about!("Send client requests to the leader (★)."),
    reads: <Raft as crate::protocol::Protocol>::READS,
    linearizable: |v| {
        !v["local_reads"].as_bool().unwrap_or(false) && !v["lease_reads"].as_bool().unwrap_or(false)
    },
    loses_writes: false,
    relaxed_by: |v| {
        if v["local_reads"].as_bool().unwrap_or(false) {
            "Reads answered locally by any server"
        } else {
            "Lease reads, which trust every clock to run at the same rate"
        }
    },
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Raft>,
    settings: settings_json::<Raft>,
    sweep: crate::native!(|seed, nodes| crate::descriptor::SweepCase {
        settings: crate::settings::to_json(&RaftConfig {
            // Some seeds start with a spare server outside the configuration.
            voters: if seed % 7 == 3 { nodes - 1 } else { 0 },
            noop_on_election: seed % 2 == 0,
            client_serials: seed % 3 == 1,
            read_index: seed % 4 == 2,
            max_batch: if seed % 5 == 0 { 1 } else { RaftConfig::default().max_batch },
            ..RaftConfig::default()
        }),
        live: true,
        need: 0,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[
        crate::descriptor::Variant {
            name: "vote-without-log-check",
            breaks: "§5.4.1: a vote only for a candidate whose log is at least as up-to-date",
            boot: |s, m| crate::anysim::boot_with::<Raft>(s, m, |c| c.bug = Some(RaftBug::VoteWithoutLogCheck)),
            caught_by: crate::sim::acks::INVARIANT,
            seeds: 400,
            nodes: &[3, 5, 5, 7],
            secs: 60,
            storm: 0,
            toggles: false,
        },
        crate::descriptor::Variant {
            name: "apply-only-last",
            breaks: "Figure 2: apply every entry up to commitIndex, in order",
            boot: |s, m| crate::anysim::boot_with::<Raft>(s, m, |c| c.bug = Some(RaftBug::ApplyOnlyLast)),
            caught_by: check::STATE_MACHINE_SAFETY,
            seeds: 200,
            nodes: &[3, 5, 5, 7],
            secs: 60,
            storm: 0,
            toggles: false,
        },
        crate::descriptor::Variant {
            name: "local-reads",
            breaks: "§8: a leader checks that it still leads before answering a read",
            boot: |s, m| crate::anysim::boot_with::<Raft>(s, m, |c| c.bug = Some(RaftBug::LocalReads)),
            caught_by: crate::history::linear::INVARIANT,
            seeds: 400,
            nodes: &[3, 5, 5, 7],
            secs: 60,
            storm: 0,
            toggles: false,
        },
        crate::descriptor::Variant {
            name: "reconfigure-before-commit",
            breaks: "Raft thesis §4.1 errata (raft-dev, 2015): a leader commits an entry of its term before changing membership",
            // One spare server to add, as in the report.
            boot: |s, m| {
                crate::anysim::boot_with::<Raft>(s, m, |c| {
                    c.bug = Some(RaftBug::ReconfigureBeforeCommit);
                    c.voters = s.nodes - 1;
                })
            },
            caught_by: check::LEADER_COMPLETENESS,
            seeds: 2000,
            nodes: &[5],
            secs: 60,
            storm: 50,
            toggles: false,
        },
        crate::descriptor::Variant {
            name: "commit-in-old-configuration",
            breaks: "Raft thesis §4.1: a configuration is in force once appended, and commits by its own majority",
            boot: |s, m| {
                crate::anysim::boot_with::<Raft>(s, m, |c| c.bug = Some(RaftBug::CommitInOldConfiguration))
            },
            caught_by: check::CONFIG_QUORUM,
            seeds: 400,
            nodes: &[3, 4, 5],
            secs: 60,
            storm: 0,
            toggles: false,
        },
        crate::descriptor::Variant {
            name: "commit-previous-terms-by-count",
            breaks: "§5.4.2 and Figure 8: only entries of the current term commit by counting",
            boot: |s, m| {
                crate::anysim::boot_with::<Raft>(s, m, |c| {
                    c.bug = Some(RaftBug::CommitPreviousTermsByCount);
                    c.noop_on_election = false;
                    c.max_batch = 1;
                })
            },
            caught_by: check::STATE_MACHINE_SAFETY,
            seeds: 2000,
            nodes: &[5],
            secs: 60,
            storm: 30,
            toggles: false,
        },
    ], &[]),
};
