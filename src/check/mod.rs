//! Invariant checkers, evaluated by the kernel after every event that
//! touches a node. A violation is data (recorded in the trace and shown by the
//! UI), never a panic.

pub mod paxos;
pub mod raft;
pub mod twopc;
pub mod zab;

use crate::sim::NodeId;

/// Checks one protocol's invariants incrementally.
pub trait Checker<P>: Clone + Default {
    /// Called after node `acted` handled an event (or booted). `nodes` holds
    /// every node's state, indexed by id - 1 (`None` while crashed). Push
    /// `(invariant name, detail)` for each violation found.
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<P>],
        found: &mut Vec<(&'static str, String)>,
    );
}
