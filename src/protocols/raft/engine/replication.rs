//! Log replication on the leader (§5.3, §5.4.2): AppendEntries to each follower, the commit rule, and applying committed entries in order.

use super::*;

impl Raft {
    pub(super) fn broadcast_append(&mut self, out: &mut RaftOut) {
        self.start_round(out);
        for p in self.targets() {
            self.send_append(p, out);
        }
    }

    pub(super) fn send_append(&self, peer: NodeId, out: &mut RaftOut) {
        let next = self.next_index[peer as usize].max(1);
        let prev = next - 1;
        let prev_term = self.log.term_at(prev).unwrap_or(0);
        out.send(
            peer,
            RaftMsg::AppendEntries {
                term: self.current_term,
                prev_log_index: prev,
                prev_log_term: prev_term,
                entries: self.log.slice_from(next, self.cfg.max_batch),
                leader_commit: self.commit_index,
                seq: self.round,
            },
        );
    }

    /// §5.3/§5.4.2: the highest N > commitIndex with a majority of matchIndex >= N
    /// and log[N].term == currentTerm.
    pub(super) fn advance_commit(&mut self, out: &mut RaftOut) {
        if self.role != Role::Leader {
            return;
        }
        let count_old_terms = self.cfg.bug == Some(RaftBug::CommitPreviousTermsByCount);
        let me = self.id;
        let counted = |n: u64| {
            let has = |p: NodeId| p == me || self.match_index[p as usize] >= n;
            if self.cfg.bug == Some(RaftBug::CommitInOldConfiguration) {
                self.quorum_of(self.prior, has)
            } else {
                self.quorum(has)
            }
        };
        // A server with entry N has every entry before it, so a majority
        // has every N up to some highest one: find it by bisection (under
        // load a leader has many entries in flight, and a check of each,
        // top down, was 8 % of the page's time), then take the highest N
        // at or below it whose term is the current one.
        let (mut lo, mut hi) = (self.commit_index, self.log.last_index());
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if counted(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mut n = lo;
        while n > self.commit_index {
            if count_old_terms || self.log.term_at(n) == Some(self.current_term) {
                let (id, old) = (self.id, self.commit_index);
                out.note(|| format!("S{id} commits entries {}..={n}", old + 1));
                self.commit_index = n;
                self.apply(out);
                self.on_commit(old, out);
                return;
            }
            n -= 1;
        }
    }

    /// Figure 2, all servers: while commitIndex > lastApplied, apply log[lastApplied+1].
    pub(super) fn apply(&mut self, out: &mut RaftOut) {
        while self.last_applied < self.commit_index {
            if self.cfg.bug == Some(RaftBug::ApplyOnlyLast) {
                self.last_applied = self.commit_index - 1;
            }
            self.last_applied += 1;
            let idx = self.last_applied;
            let Some(e) = self.log.get(idx).copied() else {
                break;
            };
            // The index the client is told its command took effect at.
            let mut at = idx;
            if let Some(cmd) = e.cmd {
                match self.executed.get(&cmd) {
                    Some(&first) if self.cfg.client_serials && !cmd.read => {
                        at = first;
                        let id = self.id;
                        out.note(|| {
                            format!("S{id} skips {cmd} at index {idx}: executed at {first} already (§8)")
                        });
                    }
                    _ => {
                        crate::protocols::common::apply(&mut self.kv, &cmd);
                        if self.cfg.client_serials && !cmd.read {
                            self.executed.entry(cmd).or_insert(idx);
                        }
                    }
                }
            }
            if let Some(pos) = self
                .pending
                .iter()
                .position(|&(i, t, _)| i == idx && t == e.term)
            {
                let (_, _, req) = self.pending.remove(pos);
                let reply = match e.cmd {
                    Some(cmd) => crate::protocols::common::answer(&self.kv, &cmd, at),
                    None => Reply::Ok { index: at },
                };
                out.reply(req, reply);
            }
        }
        self.serve_reads(out);
    }
}
