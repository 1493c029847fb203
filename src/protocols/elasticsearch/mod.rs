//! Elasticsearch shard replication with a master: the engine ([`engine`],
//! an essay on the system at its top), its checks ([`check`]), its built-in
//! scenarios and its descriptor ([`PROTOCOL`]), with the broken variants
//! that prove the checks bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::EsChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{self, Descriptor, MsgKind, Param};
use crate::sim::check::Checked;

impl Checked for Es {
    type Checker = EsChecker;
}

/// Elasticsearch as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "elasticsearch",
    title: "Elasticsearch in-sync copies",
    source: crate::about!("Elasticsearch reference (Reading and Writing documents), ReplicationTracker, FollowersChecker, replication.tla"),
    about: crate::about!("One shard: its copies are on the first data nodes (1 + index.number_of_replicas), and the last server is the master. The primary forwards each operation to every in-sync copy and answers when all have answered or the master has removed the failed ones from the in-sync set; the master promotes only an in-sync copy, with the next primary term. Reads are realtime GETs from any copy. Not modelled: several shards, master elections, Lucene refresh, allocate_stale_primary."),
    roles: &[
        descriptor::Role { id: names::role::PRIMARY, label: "★ primary", tone: "lead" },
        descriptor::Role { id: names::role::REPLICA, label: "replica", tone: "follow" },
        descriptor::Role { id: names::role::STALE, label: "stale copy", tone: "follow" },
        descriptor::Role { id: names::role::MASTER, label: "◆ master", tone: "try" },
        descriptor::Role { id: names::role::NODE, label: "data node", tone: "follow" },
    ],
    messages: &[
        MsgKind { kind: names::kind::REPLICA_REQUEST, label: "op", tone: "repl" },
        MsgKind { kind: names::kind::REPLICA_RESPONSE, label: "ok", tone: "repl-reply" },
        MsgKind { kind: names::kind::REPLICA_REJECT, label: "no", tone: "nack" },
        MsgKind { kind: names::kind::SHARD_FAILED, label: "fail", tone: "elect" },
        MsgKind { kind: names::kind::SHARD_FAILED_ACK, label: "ack", tone: "elect-reply" },
        MsgKind { kind: names::kind::SHARD_STARTED, label: "start", tone: "elect" },
        MsgKind { kind: names::kind::PUBLISH, label: "state", tone: "decide" },
        MsgKind { kind: names::kind::FOLLOWER_CHECK, label: "chk", tone: "beat" },
        MsgKind { kind: names::kind::FOLLOWER_CHECK_OK, label: "chk", tone: "beat" },
        MsgKind { kind: names::kind::RESYNC, label: "sync", tone: "repl" },
        MsgKind { kind: names::kind::START_RECOVERY, label: "rec?", tone: "elect" },
        MsgKind { kind: names::kind::RECOVERY, label: "rec", tone: "repl" },
        MsgKind { kind: names::kind::RECOVERY_DONE, label: "done", tone: "repl-reply" },
    ],
    invariants: &[
        check::ACKED,
        check::IN_SYNC,
        check::CHECKPOINTS,
        check::ONE_PRIMARY,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[],
    flags: &[],
    params: &[
        Param {
            name: "wait_for_active_shards",
            field: "wait_for_active_shards",
            hint: crate::about!("active copies a write needs before it starts; a pre-check only (1)"),
        },
        Param { name: "number_of_replicas", field: "number_of_replicas", hint: crate::about!("index.number_of_replicas (1)") },
        Param { name: "timeout", field: "timeout_ms", hint: crate::about!("ms a write waits for active copies (60000)") },
        Param {
            name: "follower_check.interval",
            field: "follower_check_interval_ms",
            hint: crate::about!("ms between the master's checks (1000)"),
        },
        Param {
            name: "follower_check.timeout",
            field: "follower_check_timeout_ms",
            hint: crate::about!("ms before a check fails (10000)"),
        },
        Param {
            name: "follower_check.retry_count",
            field: "follower_check_retry_count",
            hint: crate::about!("failed checks before a node is removed (3)"),
        },
        Param { name: "time_scale", field: "time_scale", hint: crate::about!("every timer divided by this in the simulation (10)") },
    ],
    routine_timers: &["follower_check.interval", "leader_check.interval"],
    log_legend: crate::about!("the translog: each operation with its seq_no, coloured by primary term; filled below the global checkpoint (▏)"),
    commit_mark: "global checkpoint",
    request_hint: crate::about!("Index at the primary (★); any copy answers a realtime GET."),
    reads: <Es as crate::protocol::Protocol>::READS,
    linearizable: |_| false,
    loses_writes: false,
    relaxed_by: |_| "Reads are served by any copy: a lagging replica, or a primary that was replaced, answers with what it holds",
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Es>,
    settings: settings_json::<Es>,
    sweep: crate::native!(|seed, nodes| crate::descriptor::SweepCase {
        settings: crate::settings::to_json(&EsConfig {
            number_of_replicas: [1, 2, 2][(seed % 3) as usize].min(nodes.saturating_sub(2)),
            wait_for_active_shards: 1 + u32::from(seed % 4 == 1),
            ..EsConfig::default()
        }),
        live: true,
        need: 1,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[
        crate::descriptor::Variant {
            name: "promote-any-copy",
            breaks: "data-replication docs: only an in-sync copy is promoted (stale copies need allocate_stale_primary)",
            boot: |s, m| crate::anysim::boot_with::<Es>(s, m, |c| c.bug = Some(EsBug::PromoteAnyCopy)),
            caught_by: check::ACKED,
            seeds: 400,
            nodes: &[4, 5],
            secs: 30,
            storm: 30,
            toggles: false,
        },
    ], &[]),
};
