//! Reads without a log entry (§8; Ongaro's thesis §6.4): ReadIndex, where
//! the leader confirms with one heartbeat round that it still leads, and
//! lease reads, where it trusts a round a majority acknowledged for a while
//! by its own clock. Each AppendEntries carries the leader's round (`seq`),
//! each reply echoes it, so the leader knows which round a majority has
//! seen; a round counts from when it started on the leader's clock.

use super::*;

/// How many recent rounds a leader remembers the start of.
const ROUNDS_KEPT: usize = 64;

impl Raft {
    /// Start a heartbeat round (every broadcast of AppendEntries is one).
    pub(super) fn start_round(&mut self, out: &mut RaftOut) {
        self.round += 1;
        if self.cfg.lease_reads {
            self.round_started.push((self.round, out.wall()));
            if self.round_started.len() > ROUNDS_KEPT {
                self.round_started.drain(..ROUNDS_KEPT / 2);
            }
        }
    }

    /// The latest round a majority (this leader included) acknowledged.
    fn confirmed_round(&self) -> u64 {
        let mut acks: Vec<u64> = (1..32)
            .filter(|&p| self.is_member(p))
            .map(|p| {
                if p == self.id {
                    self.round
                } else {
                    self.acked[p as usize]
                }
            })
            .collect();
        if acks.is_empty() {
            return 0;
        }
        acks.sort_unstable_by(|a, b| b.cmp(a));
        acks[majority(acks.len()) - 1]
    }

    /// A reply in the current term echoed round `seq` from `from`.
    pub(super) fn on_round_ack(&mut self, from: NodeId, seq: u64, out: &mut RaftOut) {
        let Some(a) = self.acked.get_mut(from as usize) else {
            return;
        };
        if seq <= *a {
            return;
        }
        *a = seq;
        if !(self.cfg.read_index || self.cfg.lease_reads) {
            return; // nothing waits on rounds
        }
        let confirmed = self.confirmed_round();
        if let Some(&(_, started)) = self.round_started.iter().find(|r| r.0 == confirmed) {
            // Thesis §6.4.1: no other leader can be elected before the
            // minimum election timeout has passed since that round started
            // (if clocks agree); keep a tenth of it as a margin for drift.
            let lease = started + (self.cfg.election_timeout_min * 9 / 10) as i64;
            self.lease_until = self.lease_until.max(lease);
        }
        self.serve_reads(out);
    }

    /// Answer a read without a log entry when the settings ask for it:
    /// true when handled (answered, or waiting for its round).
    pub(super) fn read_without_log(&mut self, req: Request, out: &mut RaftOut) -> bool {
        if !(self.cfg.read_index || self.cfg.lease_reads) || self.role != Role::Leader {
            return false;
        }
        // The leader must know the commit index of its term: until an entry
        // of its own term commits, reads go through the log (§8).
        if self.log.term_at(self.commit_index) != Some(self.current_term) {
            return false;
        }
        if self.cfg.lease_reads && out.wall() < self.lease_until {
            let id = self.id;
            out.note(|| format!("S{id} answers a read within its lease"));
            let reply = crate::protocols::common::answer(&self.kv, &req.cmd, self.last_applied);
            out.reply(req.id, reply);
            return true;
        }
        self.reads
            .push((req.id, req.cmd, self.commit_index, self.round + 1));
        let (id, index) = (self.id, self.commit_index);
        out.note(|| {
            format!("S{id} holds a read at index {index} until a heartbeat round confirms it leads")
        });
        self.broadcast_append(out);
        self.serve_reads(out);
        true
    }

    /// Answer the reads whose round a majority acknowledged, once the
    /// state machine has applied their index.
    pub(super) fn serve_reads(&mut self, out: &mut RaftOut) {
        if self.reads.is_empty() || self.role != Role::Leader {
            return;
        }
        let confirmed = self.confirmed_round();
        let applied = self.last_applied;
        let kv = &self.kv;
        self.reads.retain(|&(req, cmd, index, round)| {
            let ready = round <= confirmed && index <= applied;
            if ready {
                out.reply(req, crate::protocols::common::answer(kv, &cmd, index));
            }
            !ready
        });
    }

    /// A leader that steps down refuses the reads it held: they had no
    /// effect, and another server may lead now.
    pub(super) fn drop_reads(&mut self, out: &mut RaftOut) {
        for (req, ..) in std::mem::take(&mut self.reads) {
            out.reply(req, Reply::NotLeader { leader: None });
        }
    }
}
