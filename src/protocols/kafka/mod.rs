//! Kafka partition replication with a controller: the engine ([`engine`],
//! an essay on the system at its top), its checks ([`check`]), its
//! built-in scenarios and its descriptor ([`PROTOCOL`]), with the broken
//! variants that prove the checks bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::KafkaChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{self, Descriptor, MsgKind, Param};
use crate::sim::check::Checked;

impl Checked for Kafka {
    type Checker = KafkaChecker;
}

/// Kafka as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "kafka",
    title: "Kafka ISR replication",
    source: crate::about!("Kafka docs (Replication), Partition.scala, KRaft ReplicationControlManager; KIP-101, KIP-279, KIP-320, KIP-966"),
    about: crate::about!("One partition: its replicas are the first brokers (replication.factor), and the last server is the controller. Followers pull from the leader with Fetch; the high watermark is the least log end offset over the ISR; the controller fences brokers that miss heartbeats and elects the first live ISR replica. Producers use the acks setting; consumers read below the high watermark from the leader. Not modelled: several partitions, a KRaft controller quorum, idempotent producers, consumer groups."),
    roles: &[
        descriptor::Role { id: names::role::LEADER, label: "★ leader", tone: "lead" },
        descriptor::Role { id: names::role::FOLLOWER, label: "follower", tone: "follow" },
        descriptor::Role { id: names::role::CONTROLLER, label: "◆ controller", tone: "try" },
        descriptor::Role { id: names::role::OFFLINE, label: "offline", tone: "follow" },
        descriptor::Role { id: names::role::BROKER, label: "broker", tone: "follow" },
    ],
    messages: &[
        MsgKind { kind: names::kind::FETCH, label: "F", tone: "repl-reply" },
        MsgKind { kind: names::kind::FETCH_RESPONSE, label: "rec", tone: "repl" },
        MsgKind { kind: names::kind::EPOCH_QUERY, label: "OfLE", tone: "elect" },
        MsgKind { kind: names::kind::EPOCH_END, label: "end", tone: "elect-reply" },
        MsgKind { kind: names::kind::ALTER, label: "ISR?", tone: "elect" },
        MsgKind { kind: names::kind::ALTER_RESPONSE, label: "ISR", tone: "elect-reply" },
        MsgKind { kind: names::kind::HEARTBEAT, label: "HB", tone: "beat" },
        MsgKind { kind: names::kind::HEARTBEAT_RESPONSE, label: "hb", tone: "beat" },
        MsgKind { kind: names::kind::PARTITION_CHANGE, label: "meta", tone: "decide" },
    ],
    invariants: &[
        check::DURABILITY,
        check::ONE_LEADER,
        check::STRONG_ISR,
        check::VISIBILITY,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[],
    flags: &[],
    params: &[
        Param { name: "acks", field: "acks", hint: crate::about!("-1 (all: wait for the ISR), 1 (leader only) or 0") },
        Param {
            name: "min.insync.replicas",
            field: "min_insync_replicas",
            hint: crate::about!("ISR members an acks=all write needs (1)"),
        },
        Param {
            name: "unclean.leader.election.enable",
            field: "unclean_leader_election_enable",
            hint: crate::about!("elect an out-of-sync replica when no ISR member is alive (false)"),
        },
        Param {
            name: "replica.lag.time.max.ms",
            field: "replica_lag_time_max_ms",
            hint: crate::about!("ms without catching up before a follower leaves the ISR (30000)"),
        },
        Param { name: "replication.factor", field: "replication_factor", hint: crate::about!("replicas: the first brokers (3)") },
        Param {
            name: "broker.session.timeout.ms",
            field: "broker_session_timeout_ms",
            hint: crate::about!("ms without a heartbeat before the controller fences a broker (9000)"),
        },
        Param {
            name: "broker.heartbeat.interval.ms",
            field: "broker_heartbeat_interval_ms",
            hint: crate::about!("ms between heartbeats (2000)"),
        },
        Param {
            name: "replica.fetch.wait.max.ms",
            field: "replica_fetch_wait_max_ms",
            hint: crate::about!("ms the leader holds an idle fetch (500)"),
        },
        Param { name: "request.timeout.ms", field: "request_timeout_ms", hint: crate::about!("ms an acks=all produce waits (30000)") },
        Param {
            name: "page-cache-writeback-ms",
            field: "page_cache_writeback_ms",
            hint: crate::about!("ms before the OS writes data to disk; Kafka does not fsync (30000)"),
        },
        Param {
            name: "truncate-to-hw (pre-KIP-101)",
            field: "truncate_to_hw",
            hint: crate::about!("followers truncate to their high watermark, the bug KIP-101 fixed (false)"),
        },
        Param {
            name: "eligible.leader.replicas (KIP-966)",
            field: "eligible_leader_replicas",
            hint: crate::about!("Kafka 4: HW waits for min.insync.replicas; dropped replicas stay electable (false)"),
        },
        Param { name: "time_scale", field: "time_scale", hint: crate::about!("every timer divided by this in the simulation (10)") },
    ],
    routine_timers: &[
        "broker.heartbeat.interval.ms",
        "broker.session.timeout.ms check",
        "isr-expiration",
        "replica.fetch.wait.max.ms",
        "page cache writeback",
    ],
    log_legend: crate::about!("the partition's log: each record with its offset, coloured by leader epoch; filled below the high watermark (▏)"),
    commit_mark: "high watermark",
    request_hint: crate::about!("Produce and consume at the leader (★); followers answer NOT_LEADER_OR_FOLLOWER."),
    reads: <Kafka as crate::protocol::Protocol>::READS,
    linearizable: |_| false,
    loses_writes: true,
    relaxed_by: |v| {
        if v["unclean_leader_election_enable"].as_bool() == Some(true) {
            "unclean.leader.election.enable=true: an out-of-sync replica can become leader and its log the truth"
        } else if v["acks"].as_i64() != Some(-1) {
            "acks=1 or acks=0: the leader answers before any follower has the record"
        } else {
            "Consumers read from the leader they know: a deposed leader answers with what it has"
        }
    },
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Kafka>,
    settings: settings_json::<Kafka>,
    sweep: crate::native!(|seed, _| crate::descriptor::SweepCase {
        settings: crate::settings::to_json(&KafkaConfig {
            acks: [-1, -1, 1, 0][(seed % 4) as usize],
            min_insync_replicas: 1 + u32::from(seed % 3 == 1),
            unclean_leader_election_enable: seed % 5 == 3,
            eligible_leader_replicas: seed % 7 == 2,
            truncate_to_hw: seed % 11 == 5,
            ..KafkaConfig::default()
        }),
        live: true,
        need: 1,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[
        crate::descriptor::Variant {
            name: "elect-outside-isr",
            breaks: "Kafka docs, Replication: a clean election only chooses a replica in the ISR",
            boot: |s, m| crate::anysim::boot_with::<Kafka>(s, m, |c| c.bug = Some(KafkaBug::ElectOutsideIsr)),
            caught_by: check::DURABILITY,
            seeds: 200,
            nodes: &[4, 5],
            secs: 30,
            storm: 30,
            toggles: false,
        },
        crate::descriptor::Variant {
            name: "expand-without-catching-up",
            breaks: "Partition.scala isFollowerInSync: a follower rejoins the ISR only when its LEO reached the high watermark",
            boot: |s, m| crate::anysim::boot_with::<Kafka>(s, m, |c| c.bug = Some(KafkaBug::ExpandWithoutCatchingUp)),
            caught_by: check::STRONG_ISR,
            seeds: 200,
            nodes: &[4, 5],
            secs: 30,
            storm: 30,
            toggles: false,
        },
    ], &[]),
};
