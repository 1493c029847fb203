//! Multi-Paxos (Lamport 2001; van Renesse & Altinbuken 2015): the engine
//! ([`engine`], an essay on the algorithm at its top), its invariant checker
//! ([`check`]), its built-in scenarios ([`scenarios`]) and its descriptor
//! ([`PROTOCOL`]), with the broken variant that proves the checks bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::PaxosChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{Descriptor, Flag, MsgKind, NodeAction, Role};
use crate::sim::check::Checked;

impl Checked for Paxos {
    type Checker = PaxosChecker;
}

/// Multi-Paxos as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "paxos",
    title: "Multi-Paxos",
    source: crate::about!("Lamport 2001; van Renesse & Altinbuken 2015"),
    about: "",
    roles: &[
        Role { id: names::role::LEADER, label: "★ leader", tone: "lead" },
        Role { id: names::role::PROPOSER, label: "? proposer (phase 1)", tone: "try" },
        Role { id: names::role::ACCEPTOR, label: "acceptor", tone: "follow" },
    ],
    messages: &[
        MsgKind { kind: names::kind::PREPARE, label: "1a", tone: "elect" },
        MsgKind { kind: names::kind::PROMISE, label: "1b", tone: "elect-reply" },
        MsgKind { kind: names::kind::ACCEPT, label: "2a", tone: "repl" },
        MsgKind { kind: names::kind::ACCEPTED, label: "2b", tone: "repl-reply" },
        MsgKind { kind: names::kind::DECIDE, label: "dec", tone: "decide" },
        MsgKind { kind: names::kind::NACK, label: "nak", tone: "nack" },
        MsgKind { kind: names::kind::HEARTBEAT, label: "HB", tone: "beat" },
        MsgKind { kind: names::kind::CATCH_UP, label: "cu", tone: "beat" },
    ],
    invariants: &[
        check::AGREEMENT,
        check::VALIDITY,
        check::LEARNERS_AGREE,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[NodeAction {
        id: "timeout",
        label: "Propose now (start phase 1)",
        hint: "The node starts phase 1 with a higher ballot, as a proposer that suspects the leader.",
    }],
    flags: &[Flag {
        id: "retry-at-once",
        label: crate::about!("Preempted proposers retry at once (dueling)"),
        field: "retry_at_once",
    }],
    params: &[],
    routine_timers: &["heartbeat timer"],
    log_legend: crate::about!("one box per slot · label = ballot accepted · solid = chosen · dashed = accepted only · dotted = hole · ▏= applied up to"),
    commit_mark: "applied up to",
    request_hint: crate::about!("Send client requests to the leader (★), which skips phase 1."),
    reads: <Paxos as crate::protocol::Protocol>::READS,
    linearizable: |_| true,
    loses_writes: false,
    relaxed_by: |_| "",
    scenarios: scenarios::SCENARIOS,
    boot: boot::<Paxos>,
    settings: settings_json::<Paxos>,
    sweep: crate::native!(|seed, _| crate::descriptor::SweepCase {
        // Every fourth seed lets preempted proposers retry at once; they can
        // then duel forever (PMMC §3): that livelock is the point of the
        // setting, so only safety is required there.
        settings: crate::settings::to_json(&PaxosConfig {
            retry_at_once: seed % 4 == 1,
            ..PaxosConfig::default()
        }),
        live: seed % 4 != 1,
        need: 0,
        toggles: false,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[crate::descriptor::Variant {
        name: "forget-promise-on-restart",
        breaks: "Paxos Made Simple §2.3: an acceptor remembers its promise across a restart",
        boot: |s, m| crate::anysim::boot_with::<Paxos>(s, m, |c| c.bug = Some(PaxosBug::ForgetPromiseOnRestart)),
        caught_by: crate::sim::acks::INVARIANT,
        seeds: 400,
        // Three nodes: one forgetful acceptor then makes a second majority
        // with a stale leader.
        nodes: &[3],
        secs: 60,
        storm: 0,
        toggles: false,
    }], &[]),
};
