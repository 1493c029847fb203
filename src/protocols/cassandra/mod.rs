//! Cassandra, leaderless replication with gossip: the engine ([`engine`],
//! an essay on the system at its top), its checks ([`check`]), its
//! built-in scenarios and its descriptor ([`PROTOCOL`]), with the broken
//! variant that proves the checks bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::CassChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{self, Descriptor, MsgKind, NodeAction, Param};
use crate::sim::check::Checked;

impl Checked for Cass {
    type Checker = CassChecker;
}

/// Cassandra as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "cassandra",
    title: "Cassandra quorums and gossip",
    source: crate::about!("Cassandra docs (Dynamo architecture, hints, read repair), Gossiper.java, FailureDetector.java, cassandra.yaml"),
    about: crate::about!("Leaderless: any node coordinates a request, writes go to every replica of the key (the first replication_factor nodes clockwise on the ring) and are answered at the consistency level; reads ask the level's count of replicas, merge by last write wins and repair stale copies before answering. Gossip carries heartbeats, and each node's phi accrual failure detector decides on its own who is down. A switch turns on the Dynamo paper's sloppy quorum (which Cassandra does not do), to compare. Not modelled: vnodes, several datacenters, lightweight transactions, tombstones, Merkle trees (repair sends every cell)."),
    roles: &[
        descriptor::Role { id: names::role::COORDINATOR, label: "coordinator", tone: "lead" },
        descriptor::Role { id: names::role::REPLICA, label: "replica", tone: "follow" },
    ],
    messages: &[
        MsgKind { kind: names::kind::MUTATION, label: "W", tone: "repl" },
        MsgKind { kind: names::kind::MUTATION_ACK, label: "ok", tone: "repl-reply" },
        MsgKind { kind: names::kind::READ, label: "R", tone: "elect" },
        MsgKind { kind: names::kind::READ_RESPONSE, label: "data", tone: "elect-reply" },
        MsgKind { kind: names::kind::READ_REPAIR, label: "RR", tone: "decide" },
        MsgKind { kind: names::kind::READ_REPAIR_ACK, label: "rr", tone: "repl-reply" },
        MsgKind { kind: names::kind::SYN, label: "syn", tone: "beat" },
        MsgKind { kind: names::kind::ACK, label: "ack", tone: "beat" },
        MsgKind { kind: names::kind::ACK2, label: "ack2", tone: "beat" },
        MsgKind { kind: names::kind::REPAIR, label: "repair", tone: "decide" },
    ],
    invariants: &[check::LEVEL_MET, check::QUORUM_READS, crate::sim::acks::INVARIANT],
    membership: false,
    actions: &[NodeAction {
        id: "repair",
        label: "Repair (anti-entropy)",
        hint: "nodetool repair: exchange every cell with the other replicas of the same keys, last write wins.",
    }],
    flags: &[descriptor::Flag {
        id: "sloppy",
        label: crate::about!("Dynamo sloppy quorum (not Cassandra)"),
        field: "sloppy_quorum",
    }],
    params: &[
        Param { name: "write_consistency", field: "write_consistency", hint: crate::about!("ANY, ONE, TWO, QUORUM or ALL (QUORUM)") },
        Param { name: "read_consistency", field: "read_consistency", hint: crate::about!("ONE, TWO, QUORUM or ALL (QUORUM)") },
        Param { name: "replication_factor", field: "replication_factor", hint: crate::about!("replicas of each key (3)") },
        Param { name: "phi_convict_threshold", field: "phi_convict_threshold", hint: crate::about!("phi above which a node is judged down (8)") },
        Param { name: "write_request_timeout", field: "write_request_timeout", hint: crate::about!("ms before WriteTimeoutException (2000)") },
        Param { name: "read_request_timeout", field: "read_request_timeout", hint: crate::about!("ms before ReadTimeoutException (5000)") },
        Param { name: "max_hint_window", field: "max_hint_window", hint: crate::about!("ms a node may be down and still get hints (3 h)") },
        Param { name: "hints_flush_period", field: "hints_flush_period", hint: crate::about!("ms between hint replays (10000)") },
        Param {
            name: "timestamp-generator",
            field: "timestamp-generator",
            hint: crate::about!("client (the drivers' default) or server: whose clock stamps a write"),
        },
        Param { name: "time_scale", field: "time_scale", hint: crate::about!("every timer divided by this in the simulation (10)") },
    ],
    routine_timers: &["gossip round", "hints_flush_period"],
    log_legend: crate::about!("no log: each node's cells are in its details, with their write timestamps"),
    commit_mark: "",
    request_hint: crate::about!("Any node coordinates: send writes and reads to any of them."),
    reads: <Cass as crate::protocol::Protocol>::READS,
    linearizable: |_| false,
    loses_writes: true,
    relaxed_by: |v| {
        let rf = v["replication_factor"].as_u64().unwrap_or(3) as u32;
        let level = |cl: &str| match cl {
            "ANY" => 0,
            "ONE" => 1,
            "TWO" => 2,
            "THREE" => 3,
            "QUORUM" => rf / 2 + 1,
            _ => rf,
        };
        let (w, r) = (
            level(v["write_consistency"].as_str().unwrap_or("QUORUM")),
            level(v["read_consistency"].as_str().unwrap_or("QUORUM")),
        );
        if v["sloppy_quorum"].as_bool() == Some(true) {
            "Dynamo's sloppy quorum: stand-ins outside the key's replicas acknowledge writes, and a quorum read does not ask them"
        } else if r + w <= rf {
            "R + W <= RF: a read can miss the replicas that took the write"
        } else if v["timestamp-generator"].as_str() == Some("server") {
            "last write wins on the coordinators' clocks: a skewed clock makes a later write lose"
        } else {
            "last write wins: concurrent or clock-skewed writes silently overwrite each other, and a timed-out write may still appear"
        }
    },
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Cass>,
    settings: settings_json::<Cass>,
    sweep: crate::native!(|seed, _| crate::descriptor::SweepCase {
        settings: crate::settings::to_json(&CassConfig {
            write_consistency: ["QUORUM", "ONE", "ALL", "QUORUM", "ANY"][(seed % 5) as usize].to_string(),
            read_consistency: ["QUORUM", "ONE", "ONE", "ALL", "QUORUM"][(seed % 5) as usize].to_string(),
            timestamps: if seed % 7 == 3 { "server" } else { "client" }.to_string(),
            sloppy_quorum: seed % 4 == 1,
            ..CassConfig::default()
        }),
        // With the coordinators' drifting clocks stamping writes, a new
        // write can lose to one dated far ahead: that is last write wins,
        // not a failure to serve.
        live: seed % 7 != 3,
        need: 1,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[crate::descriptor::Variant {
        name: "hints-count-toward-quorum",
        breaks: "Cassandra docs, Hints: a stored hint counts toward the consistency level only for ANY",
        boot: |s, m| crate::anysim::boot_with::<Cass>(s, m, |c| c.bug = Some(CassBug::HintsCountTowardQuorum)),
        caught_by: check::LEVEL_MET,
        seeds: 200,
        nodes: &[3, 5],
        secs: 30,
        storm: 30,
        toggles: false,
    }], &[]),
};
