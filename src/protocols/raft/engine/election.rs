//! Leader election (§5.2): terms, timeouts, becoming a candidate, follower or leader.

use super::*;

impl Raft {
    pub(super) fn reset_election_timer(&self, out: &mut RaftOut) {
        out.set_timer(
            RaftTimer::Election,
            self.cfg.election_timeout_min,
            self.cfg.election_timeout_max,
        );
    }

    /// §5.1: a higher term makes any server adopt it and become follower.
    pub(super) fn observe_term(&mut self, term: u64, out: &mut RaftOut) {
        if term > self.current_term {
            let id = self.id;
            let old = self.current_term;
            out.note(|| format!("S{id} sees term {term} > {old}; becomes follower"));
            self.current_term = term;
            self.voted_for = None;
            self.become_follower(out);
        }
    }

    pub(super) fn become_follower(&mut self, out: &mut RaftOut) {
        let was = self.role;
        self.role = Role::Follower;
        self.votes.clear();
        self.change = None;
        if was == Role::Leader {
            out.cancel_timer(RaftTimer::Heartbeat);
            self.leader = None;
            for (_, _, req) in std::mem::take(&mut self.pending) {
                out.reply(req, Reply::Unknown);
            }
            self.drop_reads(out);
            self.reset_election_timer(out);
        } else if was == Role::Candidate {
            self.leader = None;
        }
    }

    /// §5.2: increment currentTerm, vote for self, reset the election timer,
    /// send RequestVote to all other servers.
    pub(super) fn start_election(&mut self, out: &mut RaftOut) {
        if self.role == Role::Leader {
            out.cancel_timer(RaftTimer::Heartbeat);
            for (_, _, req) in std::mem::take(&mut self.pending) {
                out.reply(req, Reply::Unknown);
            }
            self.drop_reads(out);
        }
        self.current_term += 1;
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.leader = None;
        self.votes = vec![self.id];
        self.change = None;
        let (id, term) = (self.id, self.current_term);
        out.note(|| format!("S{id} starts an election for term {term}"));
        self.reset_election_timer(out);
        for &p in self.peers.iter().filter(|&&p| self.is_member(p)) {
            out.send(
                p,
                RaftMsg::RequestVote {
                    term,
                    last_log_index: self.log.last_index(),
                    last_log_term: self.log.last_term(),
                },
            );
        }
        if self.quorum(|p| self.votes.contains(&p)) {
            self.become_leader(out);
        }
    }

    pub(super) fn become_leader(&mut self, out: &mut RaftOut) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        let n = self.cluster_size() + 1;
        // Figure 2: nextIndex initialized to leader last log index + 1, matchIndex to 0.
        self.next_index = vec![self.log.last_index() + 1; n];
        self.match_index = vec![0; n];
        self.acked = vec![0; n];
        self.round_started.clear();
        self.lease_until = i64::MIN;
        let (id, term) = (self.id, self.current_term);
        let votes = self.votes.clone();
        out.note(|| {
            let v: Vec<String> = votes.iter().map(|v| format!("S{v}")).collect();
            format!(
                "S{id} becomes leader for term {term} (votes: {})",
                v.join(", ")
            )
        });
        out.became_leader(term);
        if self.cfg.noop_on_election {
            self.log.append(Entry::new(term, None));
        }
        out.cancel_timer(RaftTimer::Election);
        self.broadcast_append(out);
        out.set_timer(
            RaftTimer::Heartbeat,
            self.cfg.heartbeat_interval,
            self.cfg.heartbeat_interval,
        );
        self.advance_commit(out);
    }
}
