//! The history of client operations, recorded by the kernel as requests
//! arrive and are answered: what the linearizability checker
//! (`crate::history::linear`) reads. Each request is its own client (a
//! process with one operation), invoked when it reaches a node and
//! complete when that node answers: `Ok`/`Read` are ok, `NotLeader` and
//! `Aborted` are definite failures, and `Unknown` or no answer at all
//! leave it indeterminate (it may or may not take effect).

use crate::history::{Op, Outcome, Val, F};
use crate::protocol::{Command, Reply, RequestId};
use crate::sim::Time;
use std::collections::BTreeMap;

/// The operations clients invoked, in order of invocation.
#[derive(Clone, Debug, Default)]
pub struct History {
    ops: Vec<Op>,
    open: BTreeMap<RequestId, usize>,
}

impl History {
    /// Request `req` with `cmd` arrived at `now`.
    pub fn invoke(&mut self, req: RequestId, cmd: Command, now: Time) {
        self.open.insert(req, self.ops.len());
        self.ops.push(Op {
            client: req,
            f: if cmd.read { F::Read } else { F::Write },
            key: cmd.key.to_string(),
            arg: if cmd.read {
                Val::Nil
            } else {
                Val::Int(i64::from(cmd.value))
            },
            arg2: Val::Nil,
            out: Val::Nil,
            outcome: Outcome::Info,
            invoke: now,
            complete: None,
        });
    }

    /// Request `req` was answered `reply` at `now` (the first definite
    /// answer counts; `Unknown` leaves it open).
    pub fn complete(&mut self, req: RequestId, reply: &Reply, now: Time) {
        let (outcome, out) = match *reply {
            Reply::Ok { .. } => (Outcome::Ok, Val::Nil),
            Reply::Read { value, .. } => (
                Outcome::Ok,
                value.map_or(Val::Nil, |v| Val::Int(i64::from(v))),
            ),
            Reply::NotLeader { .. } | Reply::Aborted { .. } => (Outcome::Fail, Val::Nil),
            Reply::Unknown => return,
        };
        if let Some(i) = self.open.remove(&req) {
            let op = &mut self.ops[i];
            op.outcome = outcome;
            op.out = out;
            op.complete = Some(now);
        }
    }

    /// Every operation so far.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }
}
