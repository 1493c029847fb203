//! The coordinator: writes to every replica believed up with hints for the
//! others, reads with one data request and digests, last-write-wins merge
//! and blocking read repair, `UnavailableException` and the timeouts
//! (the architecture documentation's "Dynamo" page, `hints.adoc`, the
//! read-repair page).

use super::{
    write_index, Cass, CassBug, CassMsg, CassObs, CassOut, CassTimer, Cell, Hint, Pending,
};
use crate::protocol::{Reply, Request};
use crate::protocols::common::bit;
use crate::sim::NodeId;

impl Cass {
    /// A client's request reaches this node, which coordinates it.
    pub(super) fn coordinate(&mut self, req: Request, out: &mut CassOut) {
        let key = req.cmd.key;
        if req.cmd.cas.is_some() {
            // A conditional write is a lightweight transaction (Paxos):
            // not modelled.
            out.reply(req.id, Reply::Aborted { index: 0 });
            return;
        }
        let replicas = self.replicas(key);
        let up: Vec<NodeId> = replicas
            .iter()
            .copied()
            .filter(|&r| self.believes_up(r))
            .collect();
        let read = req.cmd.read;
        let need = if read {
            self.cfg.read_level()
        } else {
            self.cfg.write_level()
        };
        let cl = if read {
            self.cfg.read_consistency.clone()
        } else {
            self.cfg.write_consistency.clone()
        };
        let stand_ins = if read || !self.cfg.sloppy_quorum {
            Vec::new()
        } else {
            self.stand_ins(&replicas)
        };
        if ((up.len() + stand_ins.len()) as u32) < need {
            let id = self.id;
            let (have, total) = (up.len(), replicas.len());
            out.note(|| format!("S{id}: UnavailableException: {cl} needs {need} of {total} replicas, S{id} sees {have} up"));
            out.reply(req.id, Reply::Aborted { index: 0 });
            return;
        }
        self.next_rid += 1;
        let rid = self.next_rid;
        let timeout = self.cfg.ms(if read {
            self.cfg.read_request_timeout
        } else {
            self.cfg.write_request_timeout
        });
        out.set_timer(CassTimer::Timeout(rid), timeout, timeout);
        let mut p = Pending {
            rid,
            req: req.id,
            key,
            began: out.now(),
            cell: None,
            acked: 0,
            hinted: 0,
            need,
            asked: 0,
            answers: Vec::new(),
            full: false,
            repairing: 0,
            merged: None,
        };
        if read {
            // The closest replicas: itself first, then in ring order.
            let mut order = up.clone();
            order.sort_by_key(|&r| (r != self.id, r));
            for (i, &r) in order.iter().take(need as usize).enumerate() {
                p.asked |= bit(r);
                if r != self.id {
                    out.send(
                        r,
                        CassMsg::Read {
                            rid,
                            key,
                            digest: i > 0,
                        },
                    );
                }
            }
            self.pending.push(p);
            if order.first() == Some(&self.id) {
                // Its own copy, read locally.
                self.read_locally(rid, key, out);
            }
            return;
        }
        self.writes += 1;
        let cell = Cell {
            value: req.cmd.value,
            ts: if self.cfg.timestamps == "server" {
                out.wall()
            } else {
                out.now() as i64
            },
            id: u64::from(self.id) << 32 | (self.writes & 0xffff_ffff),
        };
        p.cell = Some(cell);
        for &r in &replicas {
            if r == self.id {
                // The coordinator is a replica: it writes locally.
                self.store(key, cell);
                p.acked |= bit(r);
            } else if self.believes_up(r) {
                out.send(
                    r,
                    CassMsg::Mutation {
                        rid,
                        key,
                        cell,
                        hint: false,
                    },
                );
            } else if let Some(&(_, s)) = stand_ins.iter().find(|&&(down, _)| down == r) {
                if s == self.id {
                    // The coordinator stands in itself.
                    self.stand_in_for(r, key, cell, out);
                    p.acked |= bit(s);
                } else {
                    out.send(
                        s,
                        CassMsg::HintedHandoff {
                            rid,
                            key,
                            cell,
                            target: r,
                        },
                    );
                }
            } else if self.hint(r, key, cell, out) {
                p.hinted |= bit(r);
            }
        }
        self.pending.push(p);
        self.check_write(rid, out);
    }

    /// Sloppy quorum (Dynamo §4.6): each replica this node believes down,
    /// paired with the next node clockwise past the key's replicas that it
    /// believes up, while there are such nodes.
    fn stand_ins(&self, replicas: &[NodeId]) -> Vec<(NodeId, NodeId)> {
        let last = replicas.last().copied().unwrap_or(self.id);
        let mut healthy = (1..self.n)
            .map(|i| (last - 1 + i) % self.n + 1)
            .filter(|p| !replicas.contains(p) && self.believes_up(*p));
        replicas
            .iter()
            .copied()
            .filter(|&r| !self.believes_up(r))
            .map_while(|r| healthy.next().map(|s| (r, s)))
            .collect()
    }

    /// Store a hint for `target`, unless it has been down past
    /// `max_hint_window`.
    fn hint(
        &mut self,
        target: NodeId,
        key: crate::protocol::Key,
        cell: Cell,
        out: &mut CassOut,
    ) -> bool {
        let down = self
            .fd
            .get(&target)
            .map_or(0, |a| if a.up { out.now() } else { a.down_since });
        if out.now().saturating_sub(down) > self.cfg.ms(self.cfg.max_hint_window) {
            let id = self.id;
            out.note(|| format!("S{id}: no hint for S{target}, down longer than max_hint_window"));
            return false;
        }
        let id = self.id;
        out.note(|| format!("S{id} stores a hint {key}={} for S{target}", cell.value));
        self.keep_hint(target, key, cell);
        true
    }

    /// Sloppy quorum: hold a write for `target` (believed down) as a hint,
    /// not as this node's own data.
    pub(super) fn stand_in_for(
        &mut self,
        target: NodeId,
        key: crate::protocol::Key,
        cell: Cell,
        out: &mut CassOut,
    ) {
        let id = self.id;
        out.note(|| {
            format!(
                "S{id} holds {key}={} for S{target} (sloppy quorum)",
                cell.value
            )
        });
        self.keep_hint(target, key, cell);
    }

    /// Keep a hint for `target` under a fresh id (its replay's
    /// acknowledgement deletes it).
    fn keep_hint(&mut self, target: NodeId, key: crate::protocol::Key, cell: Cell) {
        self.next_rid += 1;
        self.hints.push(Hint {
            id: self.next_rid,
            target,
            key,
            cell,
        });
    }

    pub(super) fn on_mutation_ack(&mut self, from: NodeId, rid: u64, out: &mut CassOut) {
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.rid == rid && p.cell.is_some())
        {
            p.acked |= bit(from);
        }
        self.check_write(rid, out);
    }

    /// Answer a write once its consistency level is met.
    fn check_write(&mut self, rid: u64, out: &mut CassOut) {
        let Some(i) = self
            .pending
            .iter()
            .position(|p| p.rid == rid && p.cell.is_some())
        else {
            return;
        };
        let p = &self.pending[i];
        let hints_count = p.need == 0 || self.cfg.bug == Some(CassBug::HintsCountTowardQuorum);
        let have = p.acked.count_ones()
            + if hints_count {
                p.hinted.count_ones()
            } else {
                0
            };
        if have < p.need.max(1) {
            return;
        }
        let p = self.pending.remove(i);
        out.cancel_timer(CassTimer::Timeout(rid));
        let cell = p.cell.unwrap_or(Cell {
            value: 0,
            ts: 0,
            id: 0,
        });
        out.observe(CassObs::WriteAcked {
            key: p.key,
            cell,
            need: p.acked.count_ones(),
        });
        out.reply(
            p.req,
            Reply::Ok {
                index: write_index(p.key, &cell),
            },
        );
    }

    pub(super) fn on_timeout(&mut self, rid: u64, out: &mut CassOut) {
        let Some(i) = self.pending.iter().position(|p| p.rid == rid) else {
            return;
        };
        let p = self.pending.remove(i);
        let id = self.id;
        if let Some(cell) = p.cell {
            let (got, cl) = (p.acked.count_ones(), self.cfg.write_consistency.clone());
            out.note(|| format!("S{id}: WriteTimeoutException at {cl}: {got} replica(s) answered; the write is not undone"));
            // Hints for the replicas that did not answer.
            for r in self.replicas(p.key) {
                if p.acked & bit(r) == 0 && p.hinted & bit(r) == 0 && r != self.id {
                    self.hint(r, p.key, cell, out);
                }
            }
        } else {
            out.note(|| format!("S{id}: ReadTimeoutException"));
        }
        out.reply(p.req, Reply::Unknown);
    }

    pub(super) fn on_read_response(
        &mut self,
        from: NodeId,
        rid: u64,
        cell: Option<Cell>,
        digest: u64,
        out: &mut CassOut,
    ) {
        let Some(i) = self
            .pending
            .iter()
            .position(|p| p.rid == rid && p.cell.is_none())
        else {
            return;
        };
        let p = &mut self.pending[i];
        if p.asked & bit(from) == 0 || p.answers.iter().any(|a| a.0 == from) {
            return;
        }
        p.answers.push((from, cell, digest));
        if p.answers.len() < p.asked.count_ones() as usize {
            return;
        }
        if !p.full {
            let first = p.answers[0].2;
            if p.answers.iter().all(|a| a.2 == first) {
                let cell = p.answers.iter().find_map(|a| a.1);
                self.finish_read(i, cell, out);
                return;
            }
            // Digest mismatch: the full data from every contacted replica.
            let id = self.id;
            out.note(|| format!("S{id}: digest mismatch; it asks the replicas for their data"));
            p.full = true;
            p.answers.clear();
            let (key, asked) = (p.key, p.asked);
            for r in 1..=self.n {
                if asked & bit(r) != 0 && r != self.id {
                    out.send(
                        r,
                        CassMsg::Read {
                            rid,
                            key,
                            digest: false,
                        },
                    );
                }
            }
            if asked & bit(self.id) != 0 {
                self.read_locally(rid, key, out);
            }
            return;
        }
        // Last write wins, then blocking read repair of the stale replicas.
        let merged = p
            .answers
            .iter()
            .filter_map(|a| a.1)
            .fold(None::<Cell>, |m, c| match m {
                Some(m) if !c.wins_over(&m) => Some(m),
                _ => Some(c),
            });
        p.merged = merged;
        let Some(m) = merged else {
            self.finish_read(i, None, out);
            return;
        };
        let stale: Vec<NodeId> = p
            .answers
            .iter()
            .filter(|a| a.1 != Some(m))
            .map(|a| a.0)
            .collect();
        let key = p.key;
        for &r in &stale {
            p.repairing |= bit(r);
            if r != self.id {
                out.send(r, CassMsg::ReadRepair { rid, key, cell: m });
            }
        }
        let id = self.id;
        out.note(|| {
            let who: Vec<String> = stale.iter().map(|r| format!("S{r}")).collect();
            format!(
                "S{id}: last write wins: {key}={} (writetime {}); blocking read repair of {}",
                m.value,
                m.ts,
                who.join(", ")
            )
        });
        if stale.contains(&self.id) {
            self.store(key, m);
            self.on_repair_ack(self.id, rid, out);
        } else if stale.is_empty() {
            self.finish_read(i, Some(m), out);
        }
    }

    pub(super) fn on_repair_ack(&mut self, from: NodeId, rid: u64, out: &mut CassOut) {
        let Some(i) = self.pending.iter().position(|p| p.rid == rid && p.full) else {
            return;
        };
        self.pending[i].repairing &= !bit(from);
        if self.pending[i].repairing == 0 {
            let m = self.pending[i].merged;
            self.finish_read(i, m, out);
        }
    }

    /// The coordinator's own copy answers its read as a replica's would.
    fn read_locally(&mut self, rid: u64, key: crate::protocol::Key, out: &mut CassOut) {
        let cell = self.data.get(&key).copied();
        self.on_read_response(self.id, rid, cell, super::digest_of(cell), out);
    }

    fn finish_read(&mut self, i: usize, cell: Option<Cell>, out: &mut CassOut) {
        let p = self.pending.remove(i);
        out.cancel_timer(CassTimer::Timeout(p.rid));
        out.observe(CassObs::ReadReturned {
            key: p.key,
            cell,
            began: p.began,
        });
        let index = cell.map_or(0, |c| write_index(p.key, &c));
        out.reply(
            p.req,
            Reply::Read {
                index,
                value: cell.map(|c| c.value),
            },
        );
    }
}
