//! Simulated clients and the history of what they were told.
//!
//! A [`Workload`] runs `clients` processes C1, C2, ... inside the run: each
//! sends one operation at a time (a read or a write of one of a few keys,
//! values unique) to the server it believes leads, over the network (with
//! its latency), and waits for the answer; a refusal names the leader to
//! try next; no answer within the timeout leaves the operation
//! indeterminate and the client moves on, as Jepsen's clients do.
//! Requests the user sends from the node menu are clients of their own
//! (one operation each), invoked when they reach the node.
//!
//! The [`History`] records every operation: invoked when sent, complete
//! when the client hears the answer (`Ok`/`Read` ok, `NotLeader` and
//! `Aborted` definite failures), indeterminate otherwise (`Unknown`, a
//! lost request, a timeout): what the linearizability checker reads.

use crate::history::{Op, Outcome, Val, F};
use crate::protocol::{Command, Key, NodeId, Reply, RequestId};
use crate::sim::rng::SimRng;
use crate::sim::trace::TraceKind;
use crate::sim::Time;
use litemap::LiteMap;
use serde::{Deserialize, Serialize};

/// The built-in client workload of a scenario. Read through its field
/// table ([`crate::settings`]), as protocol settings are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workload {
    /// Client processes (0 = none, the default).
    pub clients: u32,
    /// Mean pause between one answer and a client's next operation (µs).
    pub interval: Time,
    /// Percent of operations that are reads (where the protocol offers
    /// reads).
    pub reads: u32,
    /// Keys used (`x`, `y`, `z`: 1 to 3).
    pub keys: u8,
    /// How long a client waits for an answer before giving up (µs).
    pub timeout: Time,
    /// Percent of writes that are compare-and-sets from the value the
    /// client last saw on the key (where the protocol offers reads).
    #[serde(skip_serializing_if = "is_zero")]
    pub cas: u32,
}

fn is_zero(x: &u32) -> bool {
    *x == 0
}

impl crate::settings::Settings for Workload {
    fn fields(&mut self, f: crate::settings::Visit<'_>) {
        crate::setting_fields!(f, self;
            U32 clients, U64 interval, U32 reads, U8 keys, U64 timeout, NewU32 cas);
    }
}

impl<'de> Deserialize<'de> for Workload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        crate::settings::from_json(&v).map_err(serde::de::Error::custom)
    }
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            clients: 0,
            interval: 300_000,
            reads: 50,
            keys: 2,
            timeout: 1_000_000,
            cas: 0,
        }
    }
}

/// Most clients a workload may have.
pub const MAX_CLIENTS: u32 = 8;

impl Workload {
    /// No clients.
    pub fn is_off(&self) -> bool {
        *self == Workload::default()
    }
    /// Check ranges a link or file may get wrong.
    pub fn check(&self) -> Result<(), String> {
        let ok = self.clients <= MAX_CLIENTS
            && (1_000..=60_000_000).contains(&self.interval)
            && self.reads <= 100
            && (1..=3).contains(&self.keys)
            && (1_000..=60_000_000).contains(&self.timeout)
            && self.cas <= 100;
        ok.then_some(()).ok_or_else(|| {
            format!("This scenario's client workload is out of range (0 to {MAX_CLIENTS} clients, 1 to 3 keys, times from 1 ms to 60 s).")
        })
    }
}

/// One client process of the workload.
#[derive(Clone, Debug)]
pub struct Client {
    /// The server it sends to (its guess of the leader).
    pub guess: NodeId,
    /// The request it waits for, and what it asked.
    pub waiting: Option<RequestId>,
    /// What it asked in the request it waits for.
    pub asked: Option<Command>,
    /// The value it last saw on each key (read, or written and
    /// acknowledged): where its compare-and-sets start from.
    pub seen: LiteMap<Key, u32>,
    /// Its session's operation time: the highest index it was answered
    /// with ([`crate::protocol::Request::after`]).
    pub after: u64,
}

/// The workload's clients and the requests they wait for. Kept apart from
/// the generic kernel so that its code exists once, not once per protocol.
#[derive(Clone, Debug, Default)]
pub struct People {
    workload: Workload,
    clients: Vec<Client>,
    /// Requests of workload clients: request id -> client (1-based).
    owner: LiteMap<RequestId, u32>,
    next_value: u32,
}

/// What the kernel schedules when a client sends.
pub struct Sent {
    /// The trace event.
    pub trace: TraceKind,
    /// When the request reaches the server.
    pub arrive: Time,
    /// The server.
    pub to: NodeId,
    /// The request.
    pub req: RequestId,
    /// What it asks.
    pub cmd: Command,
    /// When the client gives up.
    pub give_up: Time,
}

impl People {
    /// Start `w` on a cluster of `nodes`: the first tick of each client.
    pub fn start(
        &mut self,
        w: &Workload,
        nodes: u32,
        now: Time,
        rng: &mut SimRng,
    ) -> Vec<(Time, u32)> {
        self.workload = w.clone();
        self.clients = (0..w.clients)
            .map(|i| Client {
                guess: 1 + i % nodes,
                waiting: None,
                asked: None,
                seen: LiteMap::new(),
                after: 0,
            })
            .collect();
        (1..=w.clients)
            .map(|c| (now + rng.range(0, w.interval), c))
            .collect()
    }

    /// Is `client` one of the workload's clients?
    pub fn has(&self, client: u32) -> bool {
        client >= 1 && client as usize <= self.clients.len()
    }

    /// The workload client that sent request `req`, if one did.
    pub fn owner(&self, req: RequestId) -> Option<u32> {
        self.owner.get(&req).copied()
    }

    /// Client `client`'s session operation time (0 for none).
    pub fn after(&self, client: u32) -> u64 {
        client
            .checked_sub(1)
            .and_then(|i| self.clients.get(i as usize))
            .map_or(0, |c| c.after)
    }

    /// Client `client` sends its next operation as request `req` (nothing
    /// if it still waits); the request crosses `net`.
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &mut self,
        client: u32,
        reads: bool,
        req: RequestId,
        now: Time,
        net: &crate::sim::net::NetConfig,
        rng: &mut SimRng,
        history: &mut History,
    ) -> Option<Sent> {
        let i = (client - 1) as usize;
        if self.clients.get(i).is_none_or(|c| c.waiting.is_some()) {
            return None;
        }
        self.next_value += 1;
        let value = 1_000 + self.next_value;
        let key = Key(rng.range(0, u64::from(self.workload.keys.max(1)) - 1) as u8);
        let read = reads && rng.range(0, 99) < u64::from(self.workload.reads);
        let cas = self.workload.cas;
        let from = self.clients[i].seen.get(&key).copied();
        let cmd = match from {
            _ if read => Command::read(key, value),
            // Only a workload with compare-and-sets draws for them, so that
            // runs without keep their random stream.
            Some(from) if reads && cas > 0 && rng.range(0, 99) < u64::from(cas) => {
                Command::cas(key, from, value)
            }
            _ => Command::write(key, value),
        };
        let to = self.clients[i].guess;
        self.clients[i].waiting = Some(req);
        self.clients[i].asked = Some(cmd);
        self.owner.insert(req, client);
        history.invoke(u64::from(client), req, cmd, now);
        let arrive = now + net.latency(rng);
        Some(Sent {
            trace: TraceKind::ClientSend {
                client,
                to,
                req,
                cmd,
            },
            arrive,
            to,
            req,
            cmd,
            give_up: now + self.workload.timeout,
        })
    }

    /// Client `client` hears the answer to `req` (`None`: its timeout):
    /// the trace event and when its next operation is due (nothing if it
    /// no longer waits for `req`).
    #[allow(clippy::too_many_arguments)]
    pub fn hear(
        &mut self,
        client: u32,
        req: RequestId,
        reply: Option<Reply>,
        now: Time,
        nodes: u32,
        rng: &mut SimRng,
        history: &mut History,
    ) -> Option<(TraceKind, Time)> {
        let i = (client - 1) as usize;
        if self.clients.get(i).is_none_or(|c| c.waiting != Some(req)) {
            return None; // late: it gave up on this one already
        }
        self.clients[i].waiting = None;
        if let Some(index) = reply.as_ref().and_then(Reply::index) {
            self.clients[i].after = self.clients[i].after.max(index);
        }
        let asked = self.clients[i].asked.take();
        self.owner.remove(&req);
        if let Some(cmd) = asked {
            let seen = match (&reply, cmd.read) {
                (Some(Reply::Read { value: Some(v), .. }), _) => Some(*v),
                (Some(Reply::Ok { .. }), false) => Some(cmd.value),
                _ => None,
            };
            if let Some(v) = seen {
                self.clients[i].seen.insert(cmd.key, v);
            }
        }
        let guess = self.clients[i].guess;
        self.clients[i].guess = match &reply {
            Some(r) => {
                history.complete(req, r, now);
                match r {
                    Reply::NotLeader { leader: Some(l) } => *l,
                    Reply::NotLeader { leader: None } => guess % nodes + 1,
                    _ => guess,
                }
            }
            None => {
                history.abandon(req);
                guess % nodes + 1
            }
        };
        let w = self.workload.interval;
        let next = now + rng.range(w / 2, w + w / 2);
        Some((TraceKind::ClientHear { client, req, reply }, next))
    }
}

/// The id a workload client's operations carry in the history (C1 is 1);
/// the user's own requests are clients `USER_CLIENTS + request id`.
pub const USER_CLIENTS: u64 = 1_000;

/// The operations clients invoked, in order of invocation.
#[derive(Clone, Debug, Default)]
pub struct History {
    ops: Vec<Op>,
    open: LiteMap<RequestId, usize>,
}

impl History {
    /// Client `client` sent request `req` with `cmd` at `now`.
    pub fn invoke(&mut self, client: u64, req: RequestId, cmd: Command, now: Time) {
        self.open.insert(req, self.ops.len());
        self.ops.push(Op {
            client,
            who: if client >= USER_CLIENTS {
                format!("request #{req}")
            } else {
                format!("C{client}")
            },
            f: match (cmd.read, cmd.cas) {
                (true, _) => F::Read,
                (false, Some(_)) => F::Cas,
                (false, None) => F::Write,
            },
            key: cmd.key.to_string(),
            arg: match (cmd.read, cmd.cas) {
                (true, _) => Val::Nil,
                (false, Some(from)) => Val::Int(i64::from(from)),
                (false, None) => Val::Int(i64::from(cmd.value)),
            },
            arg2: cmd.cas.map_or(Val::Nil, |_| Val::Int(i64::from(cmd.value))),
            out: Val::Nil,
            outcome: Outcome::Info,
            invoke: now,
            complete: None,
            index: None,
        });
    }

    /// Request `req` was answered `reply` at `now` (the first definite
    /// answer counts; `Unknown` leaves it open).
    pub fn complete(&mut self, req: RequestId, reply: &Reply, now: Time) {
        let (outcome, out, index) = match *reply {
            Reply::Ok { index } => (Outcome::Ok, Val::Nil, Some(index)),
            Reply::Read { value, index } => (
                Outcome::Ok,
                value.map_or(Val::Nil, |v| Val::Int(i64::from(v))),
                Some(index),
            ),
            Reply::NotLeader { .. } | Reply::Aborted { .. } => (Outcome::Fail, Val::Nil, None),
            Reply::Unknown => return,
        };
        if let Some(i) = self.open.remove(&req) {
            let op = &mut self.ops[i];
            // A compare-and-set answered with what it found did not happen.
            let (outcome, out) = match (op.f, reply) {
                (F::Cas, Reply::Read { .. }) => (Outcome::Fail, Val::Nil),
                _ => (outcome, out),
            };
            op.outcome = outcome;
            op.out = out;
            op.complete = Some(now);
            op.index = index;
        }
    }

    /// Request `req` was given up (a client's timeout): it stays
    /// indeterminate, and a late answer no longer counts.
    pub fn abandon(&mut self, req: RequestId) {
        self.open.remove(&req);
    }

    /// Every operation so far.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }
}
