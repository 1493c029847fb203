//! Zab, ZooKeeper's atomic broadcast (Junqueira, Reed & Serafini 2011): the
//! engine ([`engine`], an essay on the protocol at its top), its invariant
//! checker ([`check`]), its built-in scenarios ([`scenarios`]) and its
//! descriptor ([`PROTOCOL`]), with the broken variants that prove the checks
//! bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::ZabChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{Descriptor, Flag, MsgKind, NodeAction, Role};
use crate::sim::check::Checked;

impl Checked for Zab {
    type Checker = ZabChecker;
}

#[cfg(not(target_arch = "wasm32"))]
const SEC: u64 = 1_000_000;

/// Zab as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "zab",
    title: "Zab",
    source: crate::about!("Junqueira, Reed & Serafini 2011"),
    about: "",
    roles: &[
        Role { id: names::role::LEADING, label: "★ leading", tone: "lead" },
        Role { id: names::role::LOOKING, label: "? looking", tone: "try" },
        Role { id: names::role::FOLLOWING, label: "following", tone: "follow" },
    ],
    messages: &[
        MsgKind { kind: names::kind::NOTIFICATION, label: "vote", tone: "elect" },
        MsgKind { kind: names::kind::FOLLOWER_INFO, label: "FI", tone: "elect-reply" },
        MsgKind { kind: names::kind::NEW_EPOCH, label: "NE", tone: "elect" },
        MsgKind { kind: names::kind::ACK_EPOCH, label: "AE", tone: "elect-reply" },
        MsgKind { kind: names::kind::NEW_LEADER, label: "NL", tone: "repl" },
        MsgKind { kind: names::kind::ACK_NEW_LEADER, label: "ANL", tone: "repl-reply" },
        MsgKind { kind: names::kind::UP_TO_DATE, label: "UTD", tone: "decide" },
        MsgKind { kind: names::kind::PROPOSE, label: "P", tone: "repl" },
        MsgKind { kind: names::kind::ACK, label: "ack", tone: "repl-reply" },
        MsgKind { kind: names::kind::COMMIT, label: "C", tone: "decide" },
        MsgKind { kind: names::kind::PING, label: "ping", tone: "beat" },
        MsgKind { kind: names::kind::SYNC, label: "sync", tone: "repl" },
        MsgKind { kind: names::kind::SYNC_DONE, label: "sync✓", tone: "decide" },
    ],
    invariants: &[
        check::INTEGRITY,
        check::TOTAL_ORDER,
        check::AGREEMENT,
        check::PRIMARY_ORDER,
        check::ONE_PRIMARY_PER_EPOCH,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[NodeAction {
        id: "timeout",
        label: "Force back to LOOKING (new election)",
        hint: "The node gives up its role and starts fast leader election.",
    }],
    flags: &[
        Flag {
            id: "zk-local-reads",
            label: crate::about!("Reads served locally, as ZooKeeper does (sequentially consistent; may be stale)"),
            field: "local_reads",
        },
        Flag {
            id: "zk-sync-reads",
            label: crate::about!("Follower reads after sync()"),
            field: "sync_reads",
        },
    ],
    params: &[],
    routine_timers: &["tick"],
    log_legend: crate::about!("history · label = zxid (epoch:counter) · solid = delivered · dashed = proposed, not yet committed · ▏= delivered up to"),
    commit_mark: "delivered up to",
    request_hint: crate::about!("Send client requests to the leading node (★)."),
    reads: <Zab as crate::protocol::Protocol>::READS,
    linearizable: |v| {
        !v["local_reads"].as_bool().unwrap_or(false) && !v["sync_reads"].as_bool().unwrap_or(false)
    },
    loses_writes: false,
    relaxed_by: |v| {
        if v["local_reads"].as_bool().unwrap_or(false) {
            "Reads served locally, as ZooKeeper does"
        } else {
            "Follower reads after sync(), which the leader answers without a quorum"
        }
    },
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Zab>,
    settings: settings_json::<Zab>,
    sweep: crate::native!(|seed, _| crate::descriptor::SweepCase {
        // The swarm also draws how long a new leader waits for its quorum.
        settings: crate::settings::to_json(&ZabConfig {
            init_limit: [1, 2, 3, 5][(seed / 4 % 4) as usize] * SEC,
            sync_reads: seed % 3 == 1,
            ..ZabConfig::default()
        }),
        live: true,
        need: 0,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[
        crate::descriptor::Variant {
            name: "broadcast-before-sync",
            breaks: "Zab §IV-B: a new leader synchronises a quorum before broadcasting",
            boot: |s, m| crate::anysim::boot_with::<Zab>(s, m, |c| c.bug = Some(ZabBug::BroadcastBeforeSync)),
            caught_by: crate::sim::acks::INVARIANT,
            seeds: 400,
            nodes: &[3, 5, 5, 7],
            secs: 60,
            storm: 40,
            toggles: false,
        },
        // Zab §IV-A and ZooKeeper's `Learner.registerWithLeader`: a
        // follower must not count twice towards discovery of one epoch. It
        // takes a leader that waits long for its quorum (initLimit 5 s) and
        // three nodes, and 240 simulated seconds per seed: the schedule needs
        // two sessions broken at the right moments (6 of 2,000 seeds).
        crate::descriptor::Variant {
            name: "count-repeated-epoch-ack",
            breaks: "Zab §IV-A: one follower counts once towards an epoch's quorum",
            boot: |s, m| {
                crate::anysim::boot_with::<Zab>(s, m, |c| {
                    c.bug = Some(ZabBug::CountRepeatedEpochAck);
                    c.init_limit = 5 * SEC;
                })
            },
            caught_by: check::ONE_PRIMARY_PER_EPOCH,
            seeds: 2000,
            nodes: &[3],
            secs: 240,
            storm: 0,
            toggles: false,
        },
    ], &[]),
};
