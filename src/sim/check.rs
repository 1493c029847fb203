//! The invariant-checker contract, evaluated by the kernel after every
//! event that touches a node. A violation is data (recorded in the trace and
//! shown by the UI), never a panic. Each protocol folder holds its checker
//! and ties it to its engine with [`Checked`], so that the engine and the
//! checker need not import each other.

use crate::protocol::Protocol;
use crate::sim::NodeId;

/// Checks one protocol's invariants incrementally.
pub trait Checker<P: Protocol>: Clone + Default {
    /// Called after node `acted` handled an event (or booted). `nodes` holds
    /// every node's state, indexed by id - 1 (`None` while crashed); `seen`
    /// holds what that handler observed (its `Out::observe` calls, in
    /// order). Push `(invariant name, detail)` for each violation found.
    fn check(
        &mut self,
        acted: NodeId,
        nodes: &[Option<P>],
        seen: &[P::Obs],
        found: &mut Vec<(&'static str, String)>,
    );
}

/// A protocol engine together with the checker the kernel runs over it.
pub trait Checked: Protocol {
    /// The invariants checked after every event.
    type Checker: Checker<Self>;
}
