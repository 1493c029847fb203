//! The trace: every event of a run, in order, with stable ids.
//!
//! A message's id ties its `Send` to its `Deliver` or `Drop`, which is what the
//! UI animates. The trace can be kept in full (UI, tests) or reduced to a
//! running hash (seed sweeps, benchmarks); the hash covers every event either
//! way, so determinism tests can compare runs cheaply.

use crate::protocol::{Command, Reply, RequestId};
use crate::sim::net::NetConfig;
use crate::sim::{MsgId, NodeId, Time};

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Random loss (the link's drop rate).
    Lost,
    /// The link was cut in that direction.
    Cut,
    /// The receiver was down when the message arrived.
    Down,
    /// Its connection had broken (a cut or a crash lost an earlier message,
    /// or it was retransmitted too often).
    Reset,
}

impl DropReason {
    /// Plain-words reason.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Lost => crate::en!("lost"),
            DropReason::Cut => crate::en!("link cut"),
            DropReason::Down => crate::en!("receiver down"),
            DropReason::Reset => crate::en!("connection broken"),
        }
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// A message left `from`; it will be delivered or dropped at `arrive`.
    Send {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        text: String,
        arrive: Time,
        /// Set when this copy is a network duplicate.
        dup: bool,
        /// Set when the network has already decided to drop it.
        doomed: bool,
        /// Connections: how many times it was retransmitted (each loss
        /// costs a retransmission timeout).
        retries: u8,
    },
    /// A message reached its receiver.
    Deliver {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
    },
    /// A message was dropped.
    Drop {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        reason: DropReason,
    },
    /// A timer fired.
    Timer { node: NodeId, name: &'static str },
    /// A node crashed (user action).
    Crash { node: NodeId },
    /// A node restarted from its durable state.
    Restart { node: NodeId },
    /// The user forced a node's timeout.
    ForceTimeout { node: NodeId },
    /// The user flipped a node's protocol-specific switch.
    Toggle { node: NodeId },
    /// The user chose a protocol-specific node action.
    NodeAction { node: NodeId, action: String },
    /// Workload client `client` sent request `req` to `to`.
    ClientSend {
        client: u32,
        to: NodeId,
        req: RequestId,
        cmd: Command,
    },
    /// Workload client `client` heard the answer to `req` (`None`: it gave
    /// up waiting).
    ClientHear {
        client: u32,
        req: RequestId,
        reply: Option<Reply>,
    },
    /// The link between workload client `client` and `node` was cut
    /// (both ways) or healed.
    ClientLink {
        client: u32,
        node: NodeId,
        cut: bool,
    },
    /// A workload client's request to `node` (`to_server`) or the answer
    /// from it was lost on a cut client link.
    ClientLost {
        client: u32,
        node: NodeId,
        req: RequestId,
        to_server: bool,
    },
    /// A node was paused until `until`.
    Pause { node: NodeId, until: Time },
    /// A paused node goes on.
    Resume { node: NodeId },
    /// A node's clock was set: offset (µs) and rate (percent).
    Clock {
        node: NodeId,
        offset: i64,
        rate: u32,
    },
    /// A node lost power.
    PowerLoss { node: NodeId },
    /// The direction `from -> to` got its own network settings.
    LinkNet {
        from: NodeId,
        to: NodeId,
        net: NetConfig,
    },
    /// A client request arrived at a node.
    Request {
        node: NodeId,
        req: RequestId,
        cmd: Command,
    },
    /// A node answered a client request.
    Reply {
        node: NodeId,
        req: RequestId,
        reply: Reply,
    },
    /// A protocol note in plain words (role changes, votes, commits).
    Note { node: NodeId, text: String },
    /// A node became leader of a term (a timeline marker).
    Leader { node: NodeId, term: u64 },
    /// The direction `from -> to` was cut.
    Cut { from: NodeId, to: NodeId },
    /// The link between `a` and `b` was healed.
    Heal { a: NodeId, b: NodeId },
    /// Every link was healed.
    HealAll,
    /// The network settings changed.
    Net(NetConfig),
    /// An invariant was broken by the event just before this one.
    Violation {
        invariant: &'static str,
        detail: String,
    },
}

/// One entry of the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// Virtual time in microseconds.
    pub time: Time,
    /// What happened.
    pub kind: TraceKind,
}

fn s(node: NodeId) -> String {
    format!("S{node}")
}

impl TraceKind {
    /// The kind's name, as the exported trace writes it.
    pub fn name(&self) -> &'static str {
        match self {
            TraceKind::Send { .. } => "Send",
            TraceKind::Deliver { .. } => "Deliver",
            TraceKind::Drop { .. } => "Drop",
            TraceKind::Timer { .. } => "Timer",
            TraceKind::Crash { .. } => "Crash",
            TraceKind::Restart { .. } => "Restart",
            TraceKind::ForceTimeout { .. } => "ForceTimeout",
            TraceKind::Toggle { .. } => "Toggle",
            TraceKind::NodeAction { .. } => "NodeAction",
            TraceKind::ClientSend { .. } => "ClientSend",
            TraceKind::ClientHear { .. } => "ClientHear",
            TraceKind::ClientLink { .. } => "ClientLink",
            TraceKind::ClientLost { .. } => "ClientLost",
            TraceKind::Pause { .. } => "Pause",
            TraceKind::Resume { .. } => "Resume",
            TraceKind::Clock { .. } => "Clock",
            TraceKind::PowerLoss { .. } => "PowerLoss",
            TraceKind::LinkNet { .. } => "LinkNet",
            TraceKind::Request { .. } => "Request",
            TraceKind::Reply { .. } => "Reply",
            TraceKind::Note { .. } => "Note",
            TraceKind::Leader { .. } => "Leader",
            TraceKind::Cut { .. } => "Cut",
            TraceKind::Heal { .. } => "Heal",
            TraceKind::HealAll => "HealAll",
            TraceKind::Net(_) => "Net",
            TraceKind::Violation { .. } => "Violation",
        }
    }
}

impl TraceEvent {
    /// The event in plain words, as the event log prints it (in the UI's
    /// language: [`crate::i18n`]; English everywhere else).
    pub fn describe(&self) -> String {
        use crate::i18n::{tr, trf};
        let n = |x: u64| x.to_string();
        match &self.kind {
            TraceKind::Send {
                from,
                to,
                text,
                dup,
                doomed,
                retries,
                ..
            } => {
                let extra = if *dup {
                    tr(" (duplicated by the network)").to_string()
                } else if *retries > 0 {
                    trf(" (lost {0}×, retransmitted)", &[&retries.to_string()])
                } else {
                    String::new()
                };
                let fate = if *doomed {
                    tr(" — will be dropped")
                } else {
                    ""
                };
                trf(
                    "{0} sends {1} to {2}{3}{4}",
                    &[
                        &s(*from),
                        &crate::i18n::tr_sentence(text),
                        &s(*to),
                        &extra,
                        fate,
                    ],
                )
            }
            TraceKind::Deliver { from, to, .. } => {
                trf("{0} receives a message from {1}", &[&s(*to), &s(*from)])
            }
            TraceKind::Drop {
                from, to, reason, ..
            } => trf(
                "message {0} → {1} dropped ({2})",
                &[&s(*from), &s(*to), tr(reason.as_str())],
            ),
            TraceKind::Timer { node, name } => trf("{0}'s {1} fires", &[&s(*node), tr(name)]),
            TraceKind::Crash { node } => trf("{0} crashes", &[&s(*node)]),
            TraceKind::Restart { node } => trf("{0} restarts from its durable state", &[&s(*node)]),
            TraceKind::ForceTimeout { node } => trf("{0}'s timeout is forced", &[&s(*node)]),
            TraceKind::Toggle { node } => trf("the user flips {0}'s switch", &[&s(*node)]),
            TraceKind::NodeAction { node, action } => trf(
                "the user asks {0} to {1}",
                &[&s(*node), &action_words(action)],
            ),
            TraceKind::Request { node, req, cmd } => trf(
                "client request #{0} ({1}) arrives at {2}",
                &[&n(*req), &cmd.to_string(), &s(*node)],
            ),
            TraceKind::ClientSend {
                client,
                to,
                req,
                cmd,
            } => trf(
                "C{0} sends request #{1} ({2}) to {3}",
                &[&client.to_string(), &n(*req), &cmd.to_string(), &s(*to)],
            ),
            TraceKind::ClientHear { client, req, reply } => {
                let (c, r) = (client.to_string(), n(*req));
                match reply {
                    Some(Reply::Read { value, .. }) => trf(
                        "C{0} reads {1} (request #{2})",
                        &[
                            &c,
                            &value.map_or(tr("nothing written").to_string(), |v| v.to_string()),
                            &r,
                        ],
                    ),
                    Some(Reply::Ok { .. }) => trf("C{0} hears request #{1} is done", &[&c, &r]),
                    Some(Reply::NotLeader { .. }) => {
                        trf("C{0} hears request #{1} was refused", &[&c, &r])
                    }
                    Some(Reply::Aborted { .. }) => {
                        trf("C{0} hears request #{1} was aborted", &[&c, &r])
                    }
                    Some(Reply::Unknown) => trf(
                        "C{0} hears request #{1} may or may not have happened",
                        &[&c, &r],
                    ),
                    None => trf(
                        "C{0} gives up waiting for request #{1} (outcome unknown)",
                        &[&c, &r],
                    ),
                }
            }
            TraceKind::ClientLink { client, node, cut } => trf(
                if *cut {
                    "link C{0} ↔ {1} cut"
                } else {
                    "link C{0} ↔ {1} healed"
                },
                &[&client.to_string(), &s(*node)],
            ),
            TraceKind::ClientLost {
                client,
                node,
                req,
                to_server,
            } => trf(
                if *to_server {
                    "C{0}'s request #{1} to {2} is lost (link cut)"
                } else {
                    "{2}'s answer to C{0}'s request #{1} is lost (link cut)"
                },
                &[&client.to_string(), &n(*req), &s(*node)],
            ),
            TraceKind::Pause { node, until } => trf(
                "{0} is paused (it handles nothing until {1} ms)",
                &[&s(*node), &n(until / 1000)],
            ),
            TraceKind::Resume { node } => trf("{0} resumes, with the beliefs it had", &[&s(*node)]),
            TraceKind::Clock { node, offset, rate } => trf(
                "{0}'s clock is set {1}{2} ms off, running at {3}%",
                &[
                    &s(*node),
                    if *offset >= 0 { "+" } else { "" },
                    &(offset / 1000).to_string(),
                    &rate.to_string(),
                ],
            ),
            TraceKind::PowerLoss { node } => trf(
                "{0} loses power (what it had not flushed to disk is gone)",
                &[&s(*node)],
            ),
            TraceKind::LinkNet { from, to, net } => trf(
                "link {0} → {1}: latency {2}–{3} ms, drop {4}%, duplicate {5}%{6}",
                &[
                    &s(*from),
                    &s(*to),
                    &n(net.latency_min / 1000),
                    &n(net.latency_max / 1000),
                    &n(u64::from(net.drop_ppm) / 10_000),
                    &n(u64::from(net.dup_ppm) / 10_000),
                    if net.fifo { tr(", in order") } else { "" },
                ],
            ),
            TraceKind::Reply { node, req, reply } => {
                let (who, r) = (s(*node), n(*req));
                match reply {
                    Reply::Ok { index } => trf(
                        "{0} answers request #{1}: committed at {2}",
                        &[&who, &r, &crate::i18n::tr_sentence(&index_words(*index))],
                    ),
                    Reply::Read { index, value } => trf(
                        "{0} answers read #{1}: {2} (read at {3})",
                        &[
                            &who,
                            &r,
                            &value.map_or(tr("nothing written").to_string(), |v| v.to_string()),
                            &crate::i18n::tr_sentence(&index_words(*index)),
                        ],
                    ),
                    Reply::NotLeader { leader: Some(l) } => trf(
                        "{0} refuses request #{1}: not the leader (try {2})",
                        &[&who, &r, &s(*l)],
                    ),
                    Reply::NotLeader { leader: None } => trf(
                        "{0} refuses request #{1}: not the leader (leader unknown)",
                        &[&who, &r],
                    ),
                    // A leader that lost its role, a write concern or a
                    // Cassandra write timed out: none says whether it happened.
                    Reply::Unknown => trf(
                        "{0} answers request #{1}: outcome unknown (a write may still take effect)",
                        &[&who, &r],
                    ),
                    Reply::Aborted { index: 0 } => {
                        trf("{0} refuses request #{1}: nothing written", &[&who, &r])
                    }
                    Reply::Aborted { index } => trf(
                        "{0} answers request #{1}: transaction T{2} aborted",
                        &[&who, &r, &n(*index)],
                    ),
                }
            }
            // The protocol's own sentence, made in English by its engine.
            TraceKind::Note { text, .. } => crate::i18n::tr_sentence(text),
            TraceKind::Leader { node, term } => {
                trf("{0} takes the lead ({1})", &[&s(*node), &n(*term)])
            }
            TraceKind::Cut { from, to } => trf("link {0} → {1} cut", &[&s(*from), &s(*to)]),
            TraceKind::Heal { a, b } => trf("link {0} ↔ {1} healed", &[&s(*a), &s(*b)]),
            TraceKind::HealAll => tr("all links healed").to_string(),
            TraceKind::Net(net) => trf(
                "network: latency {0}–{1} ms, drop {2}%, duplicate {3}%{4}",
                &[
                    &n(net.latency_min / 1000),
                    &n(net.latency_max / 1000),
                    &n(u64::from(net.drop_ppm) / 10_000),
                    &n(u64::from(net.dup_ppm) / 10_000),
                    if net.fifo { tr(", in order") } else { "" },
                ],
            ),
            TraceKind::Violation { invariant, detail } => {
                trf("VIOLATION of {0}: {1}", &[tr(invariant), detail])
            }
        }
    }

    /// Feed an event's identity (its time and kind, not its derived text)
    /// into a running FNV-1a hash, without making the event (the trace
    /// keeps none when it only hashes).
    #[cfg_attr(speed_attr, optimize(speed))]
    pub fn hash_into(time: Time, kind: &TraceKind, h: &mut u64) {
        if matches!(kind, TraceKind::Note { .. }) {
            return;
        }
        // FNV-1a over the value's eight little-endian bytes, shifted out of
        // a register (not an array in memory: the browser build, compiled
        // for size, kept the array and the hash in memory), the eight
        // rounds written out (that build does not unroll the loop).
        let mut put = |x: u64| {
            const P: u64 = 0x0000_0100_0000_01b3;
            let mut v = *h;
            v = (v ^ (x & 0xff)).wrapping_mul(P);
            v = (v ^ (x >> 8 & 0xff)).wrapping_mul(P);
            v = (v ^ (x >> 16 & 0xff)).wrapping_mul(P);
            v = (v ^ (x >> 24 & 0xff)).wrapping_mul(P);
            v = (v ^ (x >> 32 & 0xff)).wrapping_mul(P);
            v = (v ^ (x >> 40 & 0xff)).wrapping_mul(P);
            v = (v ^ (x >> 48 & 0xff)).wrapping_mul(P);
            v = (v ^ (x >> 56)).wrapping_mul(P);
            *h = v;
        };
        put(time);
        match kind {
            TraceKind::Send {
                msg,
                from,
                to,
                kind,
                arrive,
                dup,
                doomed,
                retries,
                ..
            } => {
                put(1);
                put(*msg);
                put(u64::from(*from));
                put(u64::from(*to));
                put(kind.len() as u64);
                put(*arrive);
                put(u64::from(*dup) | u64::from(*doomed) << 1 | u64::from(*retries) << 2);
            }
            TraceKind::Deliver { msg, .. } => {
                put(2);
                put(*msg)
            }
            TraceKind::Drop { msg, reason, .. } => {
                put(3);
                put(*msg);
                put(*reason as u64)
            }
            TraceKind::Timer { node, name } => {
                put(4);
                put(u64::from(*node));
                put(name.len() as u64)
            }
            TraceKind::Crash { node } => {
                put(5);
                put(u64::from(*node))
            }
            TraceKind::Restart { node } => {
                put(6);
                put(u64::from(*node))
            }
            TraceKind::ForceTimeout { node } => {
                put(7);
                put(u64::from(*node))
            }
            TraceKind::Toggle { node } => {
                put(21);
                put(u64::from(*node))
            }
            TraceKind::NodeAction { node, action } => {
                put(22);
                put(u64::from(*node));
                for b in action.bytes() {
                    put(u64::from(b));
                }
            }
            TraceKind::ClientSend {
                client,
                to,
                req,
                cmd,
            } => {
                put(23);
                put(u64::from(*client));
                put(u64::from(*to));
                put(*req);
                put(u64::from(cmd.value) << 8 | u64::from(cmd.key.0) | u64::from(cmd.read) << 7);
                if let Some(from) = cmd.cas {
                    put(u64::from(from) | 1 << 40);
                }
            }
            TraceKind::ClientHear { client, req, reply } => {
                put(24);
                put(u64::from(*client));
                put(*req);
                put(match reply {
                    None => 0,
                    Some(Reply::Ok { index }) => 1 + (*index << 3),
                    Some(Reply::Read { index, value }) => {
                        2 + (*index << 3) + (value.map_or(0, |v| u64::from(v) + 1) << 32)
                    }
                    Some(Reply::NotLeader { leader }) => 3 + (u64::from(leader.unwrap_or(0)) << 3),
                    Some(Reply::Aborted { index }) => 4 + (*index << 3),
                    Some(Reply::Unknown) => 5,
                });
            }
            TraceKind::ClientLink { client, node, cut } => {
                put(25);
                put(u64::from(*client) << 32 | u64::from(*node) << 1 | u64::from(*cut))
            }
            TraceKind::ClientLost {
                client,
                node,
                req,
                to_server,
            } => {
                put(26);
                put(u64::from(*client) << 32 | u64::from(*node) << 1 | u64::from(*to_server));
                put(*req)
            }
            TraceKind::Pause { node, until } => {
                put(27);
                put(u64::from(*node));
                put(*until)
            }
            TraceKind::Resume { node } => {
                put(28);
                put(u64::from(*node))
            }
            TraceKind::Clock { node, offset, rate } => {
                put(29);
                put(u64::from(*node));
                put(*offset as u64);
                put(u64::from(*rate))
            }
            TraceKind::PowerLoss { node } => {
                put(30);
                put(u64::from(*node))
            }
            TraceKind::LinkNet { from, to, net } => {
                put(31);
                put(u64::from(*from) << 32 | u64::from(*to));
                put(net.latency_min);
                put(net.latency_max);
                put(u64::from(net.drop_ppm) << 32 | u64::from(net.dup_ppm));
                if net.fifo {
                    put(1 << 62);
                }
            }
            TraceKind::Request { node, req, cmd } => {
                put(8);
                put(u64::from(*node));
                put(*req);
                put(u64::from(cmd.value) << 8 | u64::from(cmd.key.0));
                if cmd.read {
                    put(1);
                }
                if let Some(from) = cmd.cas {
                    put(u64::from(from) | 1 << 40);
                }
            }
            TraceKind::Reply { node, req, reply } => {
                put(9);
                put(u64::from(*node));
                put(*req);
                put(match reply {
                    Reply::Ok { index } => *index,
                    Reply::NotLeader { leader } => u64::MAX - u64::from(leader.unwrap_or(0)),
                    Reply::Unknown => u64::MAX / 2,
                    Reply::Aborted { index } => u64::MAX / 4 + *index,
                    Reply::Read { index, value } => {
                        u64::MAX / 8 + (*index << 32) + value.map_or(0, |v| u64::from(v) + 1)
                    }
                })
            }
            // Notes exist only when notes are recorded; leaving them out keeps
            // the hash equal between full traces and hash-only runs.
            TraceKind::Note { .. } => {}
            TraceKind::Cut { from, to } => {
                put(11);
                put(u64::from(*from) << 32 | u64::from(*to))
            }
            TraceKind::Heal { a, b } => {
                put(12);
                put(u64::from(*a) << 32 | u64::from(*b))
            }
            TraceKind::HealAll => put(13),
            TraceKind::Net(n) => {
                put(14);
                put(n.latency_min);
                put(n.latency_max);
                put(u64::from(n.drop_ppm) << 32 | u64::from(n.dup_ppm));
                if n.fifo {
                    put(1 << 62);
                }
            }
            TraceKind::Violation { invariant, .. } => {
                put(15);
                put(invariant.len() as u64)
            }
            TraceKind::Leader { node, term } => {
                put(16);
                put(u64::from(*node));
                put(*term)
            }
        }
    }
}

/// A node action in words: a membership change `add-4` reads "add S4".
pub fn action_words(action: &str) -> String {
    match action.split_once('-') {
        Some((verb @ ("add" | "remove"), k)) => format!("{verb} S{k}"),
        _ => action.to_string(),
    }
}

/// A reply's index in words: `index 4`, or a GTID (`S1:5`) where the
/// protocol names transactions by origin server and number (the origin in
/// the bits above 40), a Redis offset under a replication id (bit 63), a
/// Kafka offset in a leader epoch (bit 62), an Elasticsearch seq_no in a
/// primary term (bit 61), a MongoDB OpTime (bit 60) or a Cassandra key, write
/// timestamp and write id (bit 59).
pub fn index_words(index: u64) -> String {
    let low = index & ((1 << 40) - 1);
    match index >> 40 {
        0 => format!("index {index}"),
        // Bit 63: a replication offset under a replication id (Redis).
        h if h >> 23 == 1 => format!("offset {low} of replid {:06x}", h & 0x7f_ffff),
        // Bit 61: an operation's seq_no in a primary term (Elasticsearch).
        h if h >> 21 == 1 => format!("seq_no {low} (primary term {})", h & 0x1f_ffff),
        // Bit 59: a key, a write timestamp and a write id (Cassandra).
        h if h >> 19 == 1 => format!(
            "writetime {} of key {}",
            index >> 11 & ((1 << 40) - 1),
            crate::protocol::Key((index >> 51 & 0xff) as u8)
        ),
        // Bit 60: an oplog entry's OpTime (MongoDB).
        h if h >> 20 == 1 => format!("OpTime (ts {low}, term {})", h & 0xf_ffff),
        // Bit 62: a record's offset in a leader epoch (Kafka).
        h if h >> 22 == 1 => format!("offset {low} (leader epoch {})", h & 0x3f_ffff),
        o => format!("GTID S{o}:{low}"),
    }
}
