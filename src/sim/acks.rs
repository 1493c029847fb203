//! The kernel's own check of what clients were told, for every protocol:
//! a client told `Ok` for index i (log index, slot, delivery number or
//! transaction) must find its command committed at i on every node that
//! ever commits i, and a client told `Aborted` must never see it commit.
//! This is the simple form of the client checker: it needs nothing from a
//! protocol but [`Protocol::outcome`].
//!
//! Acknowledgements are kept in the order they were given; each node has a
//! cursor and is checked up to its first still-pending one, so the cost per
//! event stays constant however long the run.

use crate::protocol::{Command, Outcome, Protocol, Reply, RequestId};
use crate::sim::{NodeId, Time};
use litemap::LiteMap;

/// The name the violation is reported under.
pub const INVARIANT: &str = "Client Acknowledgement";

#[derive(Clone, Debug)]
struct Acked {
    req: RequestId,
    by: NodeId,
    index: u64,
    cmd: Command,
    ok: bool,
    at: Time,
}

/// Requests in flight and acknowledgements given, with each node's cursor.
#[derive(Clone, Debug, Default)]
pub struct AckCheck {
    requests: LiteMap<RequestId, Command>,
    acks: Vec<Acked>,
    cursor: Vec<usize>,
}

impl AckCheck {
    /// A check for a cluster of `nodes`.
    pub fn new(nodes: usize) -> Self {
        AckCheck {
            cursor: vec![0; nodes],
            ..AckCheck::default()
        }
    }

    /// A client sent `cmd` as request `req`.
    pub fn request(&mut self, req: RequestId, cmd: Command) {
        self.requests.insert(req, cmd);
    }

    /// Node `by` answered request `req` (every answer is final, so the
    /// request is forgotten whatever it was told).
    pub fn reply(&mut self, req: RequestId, by: NodeId, reply: &Reply, at: Time) {
        let cmd = self.requests.remove(&req);
        let (index, ok) = match *reply {
            Reply::Ok { index } => (index, true),
            Reply::Aborted { index } => (index, false),
            _ => return,
        };
        if let Some(cmd) = cmd {
            self.acks.push(Acked {
                req,
                by,
                index,
                cmd,
                ok,
                at,
            });
        }
    }

    /// The writes told Ok that `node` does not hold at their index, by when
    /// they were acknowledged. Asked of the current leader of a system that
    /// acknowledges before replicating, these are the lost writes.
    pub fn not_held<P: Protocol>(&self, node: &P) -> Vec<Time> {
        self.not_held_by(&|i| node.outcome(i))
    }

    /// [`AckCheck::not_held`] for a node known by its outcomes (one copy
    /// of this code for every protocol).
    pub fn not_held_by(&self, outcome: &dyn Fn(u64) -> Outcome) -> Vec<Time> {
        self.acks
            .iter()
            .filter(|a| a.ok && outcome(a.index) != Outcome::Committed(Some(a.cmd)))
            .map(|a| a.at)
            .collect()
    }

    /// How many were told Ok.
    pub fn ok(&self) -> usize {
        self.acks.iter().filter(|a| a.ok).count()
    }

    /// Check node `id` against every acknowledgement from its cursor on.
    pub fn check<P: Protocol>(
        &mut self,
        id: NodeId,
        node: &P,
        found: &mut Vec<(&'static str, String)>,
    ) {
        self.check_by(id, &|i| node.outcome(i), found);
    }

    /// [`AckCheck::check`] for a node known by its outcomes (one copy of
    /// this code for every protocol).
    pub fn check_by(
        &mut self,
        id: NodeId,
        outcome: &dyn Fn(u64) -> Outcome,
        found: &mut Vec<(&'static str, String)>,
    ) {
        let Some(cursor) = self.cursor.get_mut((id as usize).wrapping_sub(1)) else {
            return;
        };
        while let Some(a) = self.acks.get(*cursor) {
            let outcome = outcome(a.index);
            let told = if a.ok { "Ok" } else { "Aborted" };
            let what = |o: Option<Command>| o.map_or("a no-op".to_string(), |c| c.to_string());
            let broken = match (a.ok, outcome) {
                (_, Outcome::Pending) => break,
                (true, Outcome::Committed(c)) if c == Some(a.cmd) => None,
                (true, Outcome::Committed(c)) => Some(format!("S{id} committed {} there", what(c))),
                (true, Outcome::Aborted) => Some(format!("S{id} aborted it")),
                (false, Outcome::Committed(_)) => Some(format!("S{id} committed it")),
                (false, Outcome::Aborted) => None,
            };
            if let Some(b) = broken {
                found.push((
                    INVARIANT,
                    format!(
                        "request #{} ({}) was told {told} at {} by S{}, but {b}",
                        a.req, a.cmd, a.index, a.by
                    ),
                ));
            }
            *cursor += 1;
        }
    }
}
