//! MongoDB replica sets (protocol version 1): the engine ([`engine`], an
//! essay on the system at its top), its checks ([`check`]), its built-in
//! scenarios and its descriptor ([`PROTOCOL`]), with the broken variants
//! that prove the checks bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::MongoChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{self, Descriptor, MsgKind, Param};
use crate::sim::check::Checked;

impl Checked for Mongo {
    type Checker = MongoChecker;
}

/// MongoDB as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "mongodb",
    title: "MongoDB replica set",
    source: crate::about!("MongoDB repl README (mongodb/mongo src/mongo/db/repl), manual: elections, write concern, read concern, rollbacks"),
    about: crate::about!("A replica set, protocol version 1: Raft's terms and majority votes with a dry run, catch-up and a no-op per new primary; secondaries pull the oplog from the primary; the commit point is the newest OpTime of the current term a majority has applied. Writes use the write concern w (1 or \"majority\"), reads the readConcern (local, majority, linearizable) at the member the client picks. A member whose oplog diverged rolls back, then recovers. Members may have priorities and votes, and be arbiters; clients may read in causally consistent sessions. A switch turns on the textbook Bully algorithm (which MongoDB never used) to compare. Not modelled: chaining, reconfiguration."),
    roles: &[
        descriptor::Role { id: names::role::PRIMARY, label: "★ primary", tone: "lead" },
        descriptor::Role { id: names::role::SECONDARY, label: "secondary", tone: "follow" },
        descriptor::Role { id: names::role::CANDIDATE, label: "candidate", tone: "try" },
        descriptor::Role { id: names::role::ROLLBACK, label: "rollback", tone: "follow" },
        descriptor::Role { id: names::role::RECOVERING, label: "recovering", tone: "follow" },
        descriptor::Role { id: names::role::ARBITER, label: "⚖ arbiter", tone: "off" },
    ],
    messages: &[
        MsgKind { kind: names::kind::HEARTBEAT, label: "HB", tone: "beat" },
        MsgKind { kind: names::kind::HEARTBEAT_RESPONSE, label: "hb", tone: "beat" },
        MsgKind { kind: names::kind::REQUEST_VOTES, label: "RV", tone: "elect" },
        MsgKind { kind: names::kind::VOTE, label: "vote", tone: "elect-reply" },
        MsgKind { kind: names::kind::GET_MORE, label: "getMore", tone: "repl-reply" },
        MsgKind { kind: names::kind::BATCH, label: "oplog", tone: "repl" },
        MsgKind { kind: names::kind::UPDATE_POSITION, label: "pos", tone: "repl-reply" },
        MsgKind { kind: names::kind::ELECTION, label: "ELECT", tone: "elect" },
        MsgKind { kind: names::kind::ANSWER, label: "ANS", tone: "elect-reply" },
        MsgKind { kind: names::kind::COORDINATOR, label: "COORD", tone: "elect" },
    ],
    invariants: &[
        check::ELECTION_SAFETY,
        check::MAJORITY_SURVIVES,
        check::NO_COMMITTED_ROLLBACK,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[],
    flags: &[
        descriptor::Flag {
            id: "bully",
            label: crate::about!("textbook Bully (not MongoDB)"),
            field: "bully",
        },
        descriptor::Flag {
            id: "causalConsistency",
            label: crate::about!("causally consistent sessions (afterClusterTime)"),
            field: "causalConsistency",
        },
    ],
    params: &[
        Param { name: "w", field: "w", hint: crate::about!("write concern: majority (the default since 5.0) or a number of members") },
        Param { name: "wtimeout", field: "wtimeout", hint: crate::about!("ms before a writeConcernError; the write stays (0: wait)") },
        Param { name: "readConcern", field: "readConcern", hint: crate::about!("local, majority or linearizable") },
        Param {
            name: "readPreference",
            field: "readPreference",
            hint: crate::about!("primary (the default), secondary or nearest: who answers reads"),
        },
        Param {
            name: "settings.electionTimeoutMillis",
            field: "electionTimeoutMillis",
            hint: crate::about!("ms without a primary before a member stands (10000)"),
        },
        Param {
            name: "settings.heartbeatIntervalMillis",
            field: "heartbeatIntervalMillis",
            hint: crate::about!("ms between heartbeats (2000)"),
        },
        Param {
            name: "settings.catchUpTimeoutMillis",
            field: "catchUpTimeoutMillis",
            hint: crate::about!("ms a new primary catches up (-1: no limit; 0: none)"),
        },
        Param { name: "time_scale", field: "time_scale", hint: crate::about!("every timer divided by this in the simulation (10)") },
        Param {
            name: "priority",
            field: "priority",
            hint: crate::about!("members' priorities in order, e.g. 1,1,2 (unset: 1 each; 0 never stands; a higher one takes over)"),
        },
        Param {
            name: "arbiterOnly",
            field: "arbiterOnly",
            hint: crate::about!("members that are arbiters, e.g. 3 (they vote, hold no data, serve nothing)"),
        },
        Param {
            name: "votes",
            field: "votes",
            hint: crate::about!("members' votes in order, e.g. 1,1,1,0,0 (unset: 1 each; a member with 0 votes never stands and counts in no majority)"),
        },
    ],
    routine_timers: &["heartbeatIntervalMillis", "awaitData"],
    log_legend: crate::about!("the oplog: each entry with its timestamp, coloured by term; filled up to the commit point (▏)"),
    commit_mark: "commit point",
    request_hint: crate::about!("Writes go to the primary (★); reads to any member, under the readConcern."),
    reads: <Mongo as crate::protocol::Protocol>::READS,
    linearizable: |v| {
        v["w"].as_str() == Some("majority")
            && v["readConcern"].as_str() == Some("linearizable")
            && v["bully"].as_bool() != Some(true)
    },
    loses_writes: true,
    relaxed_by: |v| {
        if v["bully"].as_bool() == Some(true) {
            "the textbook Bully election (not MongoDB): the highest live id is primary, with no majority and no look at its oplog"
        } else if v["w"].as_str() != Some("majority") {
            "w:1 (or a minority w): the primary answers before a majority has the write; it rolls back on failover"
        } else if v["readPreference"].as_str() != Some("primary") {
            "readPreference secondary or nearest: a secondary answers with what it has applied, which may be stale"
        } else if v["readConcern"].as_str() == Some("local") {
            "readConcern local: a member answers with what it has applied, which may be stale or roll back"
        } else {
            "Reads at a secondary, or at a primary that was replaced, see what that member has"
        }
    },
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Mongo>,
    settings: settings_json::<Mongo>,
    sweep: crate::native!(|seed, _| crate::descriptor::SweepCase {
        settings: crate::settings::to_json(&MongoConfig {
            w: ["majority", "majority", "1"][(seed % 3) as usize].to_string(),
            read_concern: ["local", "majority", "linearizable"][(seed % 5 % 3) as usize].to_string(),
            read_preference: ["primary", "nearest"][(seed % 6 % 2) as usize].to_string(),
            catch_up_timeout_ms: [-1, 0, 2_000][(seed % 7 % 3) as usize],
            wtimeout: if seed % 4 == 1 { 5_000 } else { 0 },
            // Priorities on every third seed: one member that never
            // stands, one that takes over.
            priority: if seed % 3 == 2 { "0,1,2".to_string() } else { String::new() },
            // The Bully switch on every tenth seed: no claims to check,
            // but it must run without a panic and converge.
            bully: seed % 10 == 9,
            // An arbiter (S3) on every fifth seed: it votes, holds no data.
            arbiter_only: if seed % 5 == 3 { "3".to_string() } else { String::new() },
            // Non-voting members on every seventh seed (S4, S5, S8, S9).
            votes: if seed % 7 == 4 { "1,1,1,0,0,1,1,0,0".to_string() } else { String::new() },
            ..MongoConfig::default()
        }),
        live: true,
        need: 0,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[
        crate::descriptor::Variant {
            name: "vote-without-log-check",
            breaks: "repl README, Elections: a voter denies a candidate whose lastApplied OpTime is behind its own",
            boot: |s, m| crate::anysim::boot_with::<Mongo>(s, m, |c| c.bug = Some(MongoBug::VoteWithoutLogCheck)),
            caught_by: check::MAJORITY_SURVIVES,
            seeds: 200,
            nodes: &[3, 5],
            secs: 30,
            storm: 30,
            toggles: false,
        },
    ], &[]),
};
