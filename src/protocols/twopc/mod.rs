//! Two-phase commit (Gray 1978; Bernstein, Hadzilacos & Goodman ch. 7): the
//! engine ([`engine`], an essay on the protocol at its top), its invariant
//! checker ([`check`]), its built-in scenarios ([`scenarios`]) and its
//! descriptor ([`PROTOCOL`]), with the broken variants that prove the checks
//! bite.

pub mod check;
mod engine;
pub mod names;
mod scenarios;

pub use check::TwoPcChecker;
pub use engine::*;

use crate::anysim::{boot, settings_json};
use crate::descriptor::{Descriptor, Flag, MsgKind, NodeAction, Role};
use crate::sim::check::Checked;

impl Checked for TwoPc {
    type Checker = TwoPcChecker;
}

/// Two-phase commit as the rest of the app sees it.
pub const PROTOCOL: Descriptor = Descriptor {
    id: "2pc",
    title: "Two-phase commit",
    source: crate::about!("Gray 1978; Bernstein, Hadzilacos & Goodman ch. 7"),
    about: "",
    roles: &[
        Role { id: names::role::COORDINATOR, label: "★ coordinator", tone: "lead" },
        Role { id: names::role::PARTICIPANT, label: "participant", tone: "follow" },
    ],
    messages: &[
        MsgKind { kind: names::kind::PREPARE, label: "prep", tone: "elect" },
        MsgKind { kind: names::kind::VOTE_YES, label: "yes", tone: "elect-reply" },
        MsgKind { kind: names::kind::VOTE_NO, label: "no", tone: "nack" },
        MsgKind { kind: names::kind::COMMIT, label: "C", tone: "decide" },
        MsgKind { kind: names::kind::ABORT, label: "A", tone: "nack" },
        MsgKind { kind: names::kind::ACK, label: "ack", tone: "repl-reply" },
        MsgKind { kind: names::kind::DECISION_REQ, label: "?", tone: "beat" },
    ],
    invariants: &[
        check::ATOMICITY,
        check::COMMIT_VALIDITY,
        check::NO_REVERSAL,
        crate::sim::acks::INVARIANT,
    ],
    membership: false,
    actions: &[
        NodeAction {
            id: "timeout",
            label: "Time out now (abort undecided / ask coordinator)",
            hint: "The coordinator aborts transactions still collecting votes; a prepared participant asks for the decision.",
        },
        NodeAction {
            id: "toggle",
            label: "Toggle: vote no on new transactions",
            hint: "The participant refuses (votes no on) every new transaction until toggled back.",
        },
    ],
    flags: &[Flag {
        id: "presumed-abort",
        label: crate::about!("Presumed abort (R*): aborts neither forced nor acknowledged"),
        field: "presumed_abort",
    }],
    params: &[],
    routine_timers: &[],
    log_legend: crate::about!("one box per transaction · solid = committed · red, struck = aborted · amber dashed = prepared, waiting for the decision · dotted = collecting votes"),
    commit_mark: "commit",
    request_hint: crate::about!("Send client requests to the coordinator S1: each is a transaction."),
    reads: <TwoPc as crate::protocol::Protocol>::READS,
    linearizable: |_| false,
    loses_writes: false,
    relaxed_by: |_| "",
    scenarios: scenarios::SCENARIOS,
    boot: boot::<TwoPc>,
    settings: settings_json::<TwoPc>,
    sweep: crate::native!(|seed, nodes| crate::descriptor::SweepCase {
        // Odd seeds run presumed abort.
        settings: crate::settings::to_json(&TwoPcConfig {
            presumed_abort: seed % 2 == 1,
            ..TwoPcConfig::default()
        }),
        live: true,
        // A transaction writes at every participant.
        need: nodes as usize - 1,
        toggles: true,
    }, crate::descriptor::no_sweep),
    variants: crate::native!(&[
        crate::descriptor::Variant {
            name: "decision-not-logged",
            breaks: "BHG §7.3: the coordinator forces its decision to the log before sending it",
            boot: |s, m| crate::anysim::boot_with::<TwoPc>(s, m, |c| c.bug = Some(TwoPcBug::DecisionNotLogged)),
            caught_by: crate::sim::acks::INVARIANT,
            seeds: 400,
            nodes: &[3, 5, 5, 7],
            secs: 60,
            storm: 40,
            toggles: true,
        },
        crate::descriptor::Variant {
            name: "commit-on-majority",
            breaks: "BHG §7.2, AC1 and AC3: commit only if every participant voted yes",
            boot: |s, m| crate::anysim::boot_with::<TwoPc>(s, m, |c| c.bug = Some(TwoPcBug::CommitOnMajority)),
            caught_by: check::ATOMICITY,
            seeds: 200,
            nodes: &[3, 5, 5, 7],
            secs: 60,
            storm: 0,
            toggles: true,
        },
    ], &[]),
};
