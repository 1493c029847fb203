//! MySQL source/replica replication (asynchronous and semi-synchronous,
//! GTID auto-positioning) with an outside orchestrator that fails over:
//! the engine ([`engine`], an essay on the system at its top), GTID sets
//! ([`gtid`]), its checks ([`check`]), its built-in scenarios and its
//! descriptor ([`PROTOCOL`]), with the broken variant that proves the checks
//! bite. Group Replication (Paxos-ordered certification) is not modelled.

pub mod check;
mod engine;
pub mod gtid;
pub mod names;
mod scenarios;

pub use check::MySqlChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{self, Descriptor, Flag, MsgKind, NodeAction, Param};
use crate::sim::check::Checked;

impl Checked for MySql {
    type Checker = MySqlChecker;
}

/// MySQL replication as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "mysql",
    title: "MySQL replication",
    source: crate::about!("MySQL Reference Manual, Replication; Orchestrator"),
    about: crate::about!("Source/replica replication with GTIDs: the source commits and answers, then streams its binlog; replicas write a relay log and apply it. Asynchronous by default; semi-synchronous waits for a replica's acknowledgement until rpl_semi_sync_source_timeout, then silently continues asynchronously. The last server is an orchestrator that promotes a replica when the source dies. Not modelled: Group Replication, where members order every transaction by Paxos and certify it for conflicts before it commits, so a majority holds each commit (it is consensus; this is not)."),
    roles: &[
        descriptor::Role { id: names::role::SOURCE, label: "★ source (master)", tone: "lead" },
        descriptor::Role { id: names::role::REPLICA, label: "replica (slave)", tone: "follow" },
        descriptor::Role { id: names::role::ORCHESTRATOR, label: "◆ orchestrator", tone: "try" },
    ],
    messages: &[
        MsgKind { kind: names::kind::DUMP, label: "dump", tone: "elect" },
        MsgKind { kind: names::kind::EVENT, label: "ev", tone: "repl" },
        MsgKind { kind: names::kind::ACK, label: "ack", tone: "repl-reply" },
        MsgKind { kind: names::kind::HEARTBEAT, label: "HB", tone: "beat" },
        MsgKind { kind: names::kind::DUMP_ERROR, label: "1236", tone: "nack" },
        MsgKind { kind: names::kind::PROBE, label: "?", tone: "beat" },
        MsgKind { kind: names::kind::PROBE_REPLY, label: "st", tone: "beat" },
        MsgKind { kind: names::kind::PROMOTE, label: "promote", tone: "decide" },
        MsgKind { kind: names::kind::CHANGE_SOURCE, label: "→src", tone: "decide" },
    ],
    invariants: &[
        check::RELAY_LOG_ACK,
        check::SEMI_SYNC_DURABILITY,
        check::GTID_SUBSET,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[NodeAction {
        id: "promote",
        label: "Promote this replica",
        hint: "STOP REPLICA; RESET REPLICA ALL; read_only=OFF: it becomes a source, and tells the orchestrator, which repoints the others.",
    }],
    flags: &[Flag {
            id: "after-commit",
            label: crate::about!("Wait point AFTER_COMMIT (before 5.7)"),
            field: "after_commit",
    }],
    params: &[
        Param {
            name: "rpl_semi_sync_source_enabled",
            field: "rpl_semi_sync_source_enabled",
            hint: crate::about!("semi-synchronous replication (on every replica too); off: asynchronous"),
        },
        Param {
            name: "rpl_semi_sync_source_wait_for_replica_count",
            field: "rpl_semi_sync_source_wait_for_replica_count",
            hint: crate::about!("replica acknowledgements a commit waits for (1)"),
        },
        Param {
            name: "rpl_semi_sync_source_timeout",
            field: "rpl_semi_sync_source_timeout",
            hint: crate::about!("ms before the source falls back to asynchronous (10000)"),
        },
        Param {
            name: "replica_net_timeout",
            field: "replica_net_timeout",
            hint: crate::about!("s of silence before a replica reconnects (60)"),
        },
        Param {
            name: "replica_apply_delay",
            field: "replica_apply_delay",
            hint: crate::about!("ms the applier takes per transaction (simulator's; 0)"),
        },
        Param {
            name: "time_scale",
            field: "time_scale",
            hint: crate::about!("every timer divided by this in the simulation (20)"),
        },
    ],
    routine_timers: &["heartbeat", "orchestrator poll"],
    log_legend: crate::about!("source: its binlog, amber dashed = waiting for semi-sync acks · replica: its relay log, solid = applied, dashed = not yet · label = GTID"),
    commit_mark: "executed",
    request_hint: crate::about!("Send writes to the source (★); reads go to any server and see what it has applied."),
    reads: <MySql as crate::protocol::Protocol>::READS,
    linearizable: |_| false,
    loses_writes: true,
    relaxed_by: |v| {
        if v["rpl_semi_sync_source_enabled"].as_bool().unwrap_or(false) {
            "Semi-synchronous replication: replicas serve reads of what they applied, and a timeout switches to asynchronous"
        } else {
            "Asynchronous replication: the source answers before any replica has the commit"
        }
    },
    scenarios: scenarios::SCENARIOS,
    boot: boot::<MySql>,
    settings: settings_json::<MySql>,
    sweep: crate::native!(|seed, _| crate::descriptor::SweepCase {
        settings: crate::settings::to_json(&MySqlConfig {
            rpl_semi_sync_source_enabled: seed % 2 == 1,
            after_commit: seed % 4 == 3,
            // Lagging appliers, as the promote-without-relay-log variant
            // runs them (20 s: relay logs far ahead of what is applied).
            replica_apply_delay: [2_000, 20_000, 0, 2_000, 0, 0][(seed % 6) as usize],
            ..MySqlConfig::default()
        }),
        live: true,
        // The source: a replica may stay stopped on errant GTIDs until a
        // DBA repairs it, as in MySQL.
        need: 1,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[
    crate::descriptor::Variant {
        name: "ack-before-relay-write",
        breaks: "MySQL semi-sync: a replica acknowledges after writing and flushing the relay log",
        boot: |s, m| {
            crate::anysim::boot_with::<MySql>(s, m, |c| {
                c.bug = Some(MySqlBug::AckBeforeRelayWrite);
                c.rpl_semi_sync_source_enabled = true;
            })
        },
        caught_by: check::RELAY_LOG_ACK,
        seeds: 200,
        nodes: &[4, 5],
        secs: 30,
        storm: 0,
        toggles: false,
    },
    crate::descriptor::Variant {
        name: "promote-without-relay-log",
        breaks: "MySQL GTID failover: the candidate applies its relay log before it becomes the source",
        boot: |s, m| {
            crate::anysim::boot_with::<MySql>(s, m, |c| {
                c.bug = Some(MySqlBug::PromoteWithoutRelayLog);
                c.rpl_semi_sync_source_enabled = true;
                c.replica_apply_delay = 20_000;
            })
        },
        caught_by: check::SEMI_SYNC_DURABILITY,
        seeds: 400,
        nodes: &[4, 5],
        secs: 60,
        storm: 30,
        toggles: false,
    },
    crate::descriptor::Variant {
        name: "dump-ignores-errant-gtids",
        breaks: "MySQL GTID auto-positioning: a source refuses a replica holding GTIDs it lacks (error 1236)",
        boot: |s, m| crate::anysim::boot_with::<MySql>(s, m, |c| c.bug = Some(MySqlBug::DumpIgnoresErrantGtids)),
        caught_by: check::GTID_SUBSET,
        seeds: 400,
        nodes: &[4, 5],
        secs: 60,
        storm: 30,
        toggles: false,
    }], &[]),
};
