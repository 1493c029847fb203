//! Redis master/replica replication with Sentinel: the engine ([`engine`],
//! an essay on the system at its top), its checks ([`check`]), its built-in
//! scenarios and its descriptor ([`PROTOCOL`]), with the broken variant that
//! proves the checks bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::RedisChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{self, Descriptor, MsgKind, NodeAction, Param};
use crate::sim::check::Checked;

impl Checked for Redis {
    type Checker = RedisChecker;
}

/// Redis as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "redis",
    title: "Redis replication with Sentinel",
    source: crate::about!("redis.conf, replication.c; Redis replication and Sentinel docs"),
    about: crate::about!("A master answers writes at once and streams them to its replicas (asynchronous; WAIT only waits). The last three servers are sentinels: they agree that the master is down (quorum), elect one of them per epoch, and promote the replica with the highest offset. Not modelled: replica-priority (every replica has the default 100), Redis Cluster, and persistence (a restarted node keeps its dataset)."),
    roles: &[
        descriptor::Role { id: names::role::MASTER, label: "★ master", tone: "lead" },
        descriptor::Role { id: names::role::REPLICA, label: "replica (slave)", tone: "follow" },
        descriptor::Role { id: names::role::SENTINEL, label: "◆ sentinel", tone: "try" },
    ],
    messages: &[
        MsgKind { kind: names::kind::PSYNC, label: "PSYNC", tone: "elect" },
        MsgKind { kind: names::kind::FULLRESYNC, label: "RDB", tone: "decide" },
        MsgKind { kind: names::kind::CONTINUE, label: "+CONT", tone: "elect-reply" },
        MsgKind { kind: names::kind::COMMAND, label: "SET", tone: "repl" },
        MsgKind { kind: names::kind::ACK, label: "ACK", tone: "beat" },
        MsgKind { kind: names::kind::GETACK, label: "GETACK", tone: "repl" },
        MsgKind { kind: names::kind::PING, label: "PING", tone: "beat" },
        MsgKind { kind: names::kind::INFO, label: "INFO", tone: "beat" },
        MsgKind { kind: names::kind::INFO_REPLY, label: "info", tone: "beat" },
        MsgKind { kind: names::kind::IS_MASTER_DOWN, label: "down?", tone: "elect" },
        MsgKind { kind: names::kind::VOTE, label: "vote", tone: "elect-reply" },
        MsgKind { kind: names::kind::REPLICAOF, label: "REPLICAOF", tone: "decide" },
        MsgKind { kind: names::kind::HELLO, label: "hello", tone: "beat" },
    ],
    invariants: &[
        check::REPLICATION_IDENTITY,
        check::SENTINEL_EPOCHS,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[NodeAction {
        id: "promote",
        label: "REPLICAOF NO ONE",
        hint: "An operator promotes this replica by hand, behind Sentinel's back: it becomes a master with a new replid, and the sentinels, who did not choose it, turn it back into a replica (+convert-to-slave).",
    }],
    flags: &[],
    params: &[
        Param { name: "repl-backlog-size", field: "repl_backlog_size", hint: crate::about!("bytes (1048576)") },
        Param {
            name: "min-replicas-to-write",
            field: "min_replicas_to_write",
            hint: crate::about!("replicas within the lag bound a write needs (0: off)"),
        },
        Param {
            name: "min-replicas-max-lag",
            field: "min_replicas_max_lag",
            hint: crate::about!("s since a replica's last REPLCONF ACK (10)"),
        },
        Param {
            name: "down-after-milliseconds",
            field: "down_after_milliseconds",
            hint: crate::about!("ms of silence before SDOWN (30000)"),
        },
        Param { name: "quorum", field: "quorum", hint: crate::about!("sentinels that must agree on ODOWN (2)") },
        Param { name: "sentinels", field: "sentinels", hint: crate::about!("how many of the last servers are sentinels (3)") },
        Param {
            name: "failover-timeout",
            field: "failover_timeout",
            hint: crate::about!("ms a sentinel waits before another failover (180000)"),
        },
        Param { name: "repl-timeout", field: "repl_timeout", hint: crate::about!("s (60)") },
        Param {
            name: "WAIT-numreplicas",
            field: "wait_numreplicas",
            hint: crate::about!("clients follow each write with WAIT numreplicas timeout (0: no WAIT)"),
        },
        Param {
            name: "replica-serve-stale-data",
            field: "replica_serve_stale_data",
            hint: crate::about!("a replica with its master link down still answers reads (yes)"),
        },
        Param { name: "WAIT-timeout", field: "wait_timeout", hint: crate::about!("ms; 0 waits for ever (1000)") },
        Param { name: "time_scale", field: "time_scale", hint: crate::about!("every timer divided by this in the simulation (20)") },
    ],
    routine_timers: &["replicationCron", "repl-ping-replica-period", "sentinel timer"],
    log_legend: crate::about!("the replication backlog: each write with the offset after it"),
    commit_mark: "offset",
    request_hint: crate::about!("Send writes to the master (★); replicas answer reads with what they have."),
    reads: <Redis as crate::protocol::Protocol>::READS,
    linearizable: |_| false,
    loses_writes: true,
    relaxed_by: |v| {
        if v["wait_numreplicas"].as_u64().unwrap_or(0) > 0 {
            "WAIT is not consensus: a replica that acknowledged the write may not be the one Sentinel promotes"
        } else {
            "Asynchronous replication: the master answers before any replica has the write"
        }
    },
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Redis>,
    settings: settings_json::<Redis>,
    sweep: crate::native!(|seed, _| crate::descriptor::SweepCase {
        settings: crate::settings::to_json(&RedisConfig {
            repl_backlog_size: if seed % 3 == 0 { 64 } else { 1 << 20 },
            min_replicas_to_write: u32::from(seed % 4 == 1),
            // One seed in five: clients follow writes with WAIT 1.
            wait_numreplicas: u32::from(seed % 5 == 2),
            replica_serve_stale_data: seed % 7 != 3,
            // A split vote is retried after failover-timeout: 20 s here
            // (1 s simulated), so that service returns within the sweep's
            // 10 s after healing.
            failover_timeout: 20_000,
            ..RedisConfig::default()
        }),
        // Service returns after healing: sentinels close links whose
        // commands waited more than down-after/2 (stuck behind
        // retransmissions), and replicas reconnect after repl-timeout.
        live: true,
        need: 1,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[crate::descriptor::Variant {
        name: "psync-any-replid",
        breaks: "replication.c: a partial resync only continues the master's own history (replid, or replid2 up to second_replid_offset)",
        boot: |s, m| crate::anysim::boot_with::<Redis>(s, m, |c| c.bug = Some(RedisBug::PsyncAnyReplid)),
        caught_by: check::REPLICATION_IDENTITY,
        seeds: 400,
        nodes: &[5, 7],
        secs: 60,
        storm: 30,
        toggles: false,
    }], &[]),
};
