//! The receivers' rules of Figure 2: RequestVote (with §5.4.1's up-to-date check), AppendEntries (the consistency check) and the leader's handling of replies.

use super::*;

impl Raft {
    pub(super) fn on_request_vote(
        &mut self,
        from: NodeId,
        term: u64,
        lli: u64,
        llt: u64,
        out: &mut RaftOut,
    ) {
        let mine = (self.log.last_term(), self.log.last_index());
        // §5.4.1: the candidate's log is at least as up-to-date as ours.
        let up_to_date = llt > mine.0 || (llt == mine.0 && lli >= mine.1);
        let log_ok = up_to_date || self.cfg.bug == Some(RaftBug::VoteWithoutLogCheck);
        let free = self.voted_for.is_none() || self.voted_for == Some(from);
        let grant = term == self.current_term && free && log_ok;
        let (id, cur) = (self.id, self.current_term);
        if grant {
            self.voted_for = Some(from);
            self.reset_election_timer(out);
            out.note(|| format!("S{id} grants vote to S{from} for term {cur}"));
        } else {
            let why = if term < cur {
                "its term is stale".to_string()
            } else if !free {
                format!("already voted for S{}", self.voted_for.unwrap_or(0))
            } else {
                "its log is not up to date".to_string()
            };
            out.note(|| format!("S{id} denies vote to S{from} for term {term}: {why}"));
        }
        out.send(
            from,
            RaftMsg::RequestVoteReply {
                term: self.current_term,
                vote_granted: grant,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_append_entries(
        &mut self,
        from: NodeId,
        (term, seq): (u64, u64),
        prev_i: u64,
        prev_t: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
        out: &mut RaftOut,
    ) {
        let reject = |s: &Self, out: &mut RaftOut| {
            out.send(
                from,
                RaftMsg::AppendEntriesReply {
                    term: s.current_term,
                    success: false,
                    match_index: 0,
                    reject_prev: prev_i,
                    last_log_index: s.log.last_index(),
                    seq,
                },
            );
        };
        // Receiver rule 1: reply false if term < currentTerm.
        if term < self.current_term {
            reject(self, out);
            return;
        }
        // term == currentTerm: a candidate recognises the leader (§5.2).
        if self.role != Role::Follower {
            self.become_follower(out);
        }
        if self.leader != Some(from) {
            let id = self.id;
            out.note(|| format!("S{id} follows S{from} in term {term}"));
        }
        self.leader = Some(from);
        self.heard = out.wall();
        self.reset_election_timer(out);
        // Rule 2: reply false if the log has no entry at prevLogIndex with prevLogTerm.
        if self.log.term_at(prev_i) != Some(prev_t) {
            reject(self, out);
            return;
        }
        // Rules 3 and 4: delete conflicting entries, append new ones.
        let conf_before = (self.conf_index, self.log.truncations());
        for (k, e) in entries.iter().enumerate() {
            let idx = prev_i + 1 + k as u64;
            match self.log.term_at(idx) {
                Some(t) if t == e.term => {}
                Some(_) => {
                    let id = self.id;
                    out.note(|| format!("S{id} deletes conflicting entries from index {idx}"));
                    self.log.truncate_from(idx);
                    self.log.append(*e);
                }
                None => {
                    self.log.append(*e);
                }
            }
        }
        // Thesis §4.1: the latest configuration in the log is in force.
        if entries.iter().any(|e| e.conf != 0)
            || (conf_before.0 > 0 && self.log.truncations() != conf_before.1)
        {
            self.reconfigure();
        }
        let last_new = prev_i + entries.len() as u64;
        // Rule 5: commitIndex = min(leaderCommit, index of last new entry).
        if leader_commit > self.commit_index {
            let c = leader_commit.min(last_new);
            if c > self.commit_index {
                self.commit_index = c;
                self.apply(out);
            }
        }
        out.send(
            from,
            RaftMsg::AppendEntriesReply {
                term: self.current_term,
                success: true,
                match_index: last_new,
                reject_prev: 0,
                last_log_index: self.log.last_index(),
                seq,
            },
        );
    }

    pub(super) fn on_append_reply(
        &mut self,
        from: NodeId,
        success: bool,
        m: u64,
        reject_prev: u64,
        last: u64,
        out: &mut RaftOut,
    ) {
        let p = from as usize;
        if success {
            // Only a reply that made progress triggers a follow-up; stale or
            // duplicated replies must not multiply the AppendEntries in flight.
            let progressed = m > self.match_index[p];
            if progressed {
                self.match_index[p] = m;
            }
            self.next_index[p] = self.next_index[p].max(m + 1);
            self.advance_commit(out);
            self.on_catch_up(from, m, out);
            if progressed && self.next_index[p] <= self.log.last_index() {
                self.send_append(from, out);
            }
        } else {
            // §5.3: decrement nextIndex and retry (jumping to the follower's
            // last index + 1 when that is lower), never below matchIndex + 1.
            let wanted = reject_prev
                .min(last + 1)
                .max(self.match_index[p] + 1)
                .max(1);
            if wanted < self.next_index[p] {
                self.next_index[p] = wanted;
                self.send_append(from, out);
            }
        }
    }
}
