//! Heartbeats, elections (dry run, then a real one), the primary-elect's
//! catch-up and the primary's liveness stepdown (repl README, "Elections",
//! "Catchup", "Heartbeats").

use super::{Mongo, MongoBug, MongoMsg, MongoObs, MongoOut, MongoTimer, OpTime, State};
use crate::protocols::common::bit;
use crate::sim::NodeId;

impl Mongo {
    /// `heartbeatIntervalMillis`: heartbeat every member; a primary that
    /// has not heard from a majority for `electionTimeoutMillis` steps down.
    pub(super) fn heartbeat(&mut self, out: &mut MongoOut) {
        let hb = self.cfg.ms(self.cfg.heartbeat_interval_ms);
        out.set_timer(MongoTimer::Heartbeat, hb, hb);
        let term = self.term;
        for p in self.peers().collect::<Vec<_>>() {
            out.send(p, MongoMsg::Heartbeat { term });
        }
        if self.state == State::Primary && !self.cfg.bully {
            let since = out
                .now()
                .saturating_sub(self.cfg.ms(self.cfg.election_timeout_ms));
            let voting = self.voting();
            let live = 1 + self
                .contact
                .iter()
                .filter(|(&p, &t)| p != self.id && t >= since && voting & bit(p) != 0)
                .count();
            if live < self.majority() {
                let id = self.id;
                out.note(|| format!("S{id} steps down: it has not heard from a majority for electionTimeoutMillis"));
                self.step_down(out);
            }
        } else {
            self.fetch(out);
        }
    }

    pub(super) fn on_heartbeat(&mut self, from: NodeId, term: u64, out: &mut MongoOut) {
        self.see_term(term, out);
        out.send(
            from,
            MongoMsg::HeartbeatResponse {
                term: self.term,
                primary: self.state == State::Primary,
                applied: self.last(),
                commit: self.optime(self.commit).unwrap_or_default(),
            },
        );
    }

    pub(super) fn on_heartbeat_response(
        &mut self,
        from: NodeId,
        term: u64,
        primary: bool,
        applied: OpTime,
        commit: OpTime,
        out: &mut MongoOut,
    ) {
        self.see_term(term, out);
        self.contact.insert(from, out.now());
        self.applied.insert(from, applied);
        if self.cfg.bully && primary && self.bully_meets(from, term, out) {
            return;
        }
        if self.state == State::Primary {
            self.advance_commit(out);
            self.catch_up(from, applied, out);
            return;
        }
        if primary && term == self.term {
            // Hearing from the primary of its term resets the election
            // timeout and ends any election this member was running (but
            // a priority takeover, which stands against that primary).
            if self.primary != from {
                self.primary = from;
                self.fetching = 0;
            }
            if !self.takeover {
                self.standing = None;
            }
            self.reset_election_timer(out);
            self.fetch(out);
            self.schedule_takeover(out);
        }
        self.learn_commit(commit, out);
    }

    /// No primary heard for the election timeout: stand, with a dry run
    /// first. A member of priority 0 never stands.
    pub(super) fn election_timeout(&mut self, out: &mut MongoOut) {
        if self.state == State::Primary {
            return;
        }
        self.reset_election_timer(out);
        if self.arbiter() {
            return;
        }
        if self.cfg.bully {
            self.bully_election(out);
            return;
        }
        if self.state == State::Rollback || self.members.priority(self.id) == 0 {
            return;
        }
        self.primary = 0;
        self.takeover = false;
        let (id, term) = (self.id, self.term);
        out.note(|| {
            format!("S{id}: no primary heard for electionTimeoutMillis; dry run in term {term}")
        });
        self.stand(out);
    }

    /// Whether this secondary outranks the primary it follows and has
    /// everything the primary has applied (as its last heartbeat said).
    fn may_take_over(&self) -> bool {
        let p = self.primary;
        self.state == State::Secondary
            && p != 0
            && self.members.priority(self.id) > self.members.priority(p)
            && self.applied.get(&p).is_some_and(|&a| self.last() >= a)
    }

    /// Priority takeover (repl README): a caught-up secondary of higher
    /// priority than the primary schedules an election after `(rank + 1)`
    /// election timeouts, `rank` being how many members outrank it.
    fn schedule_takeover(&mut self, out: &mut MongoOut) {
        if self.cfg.bully || self.takeover_armed || self.takeover || !self.may_take_over() {
            return;
        }
        self.takeover_armed = true;
        let t =
            self.cfg.ms(self.cfg.election_timeout_ms) * (self.members.rank(self.id, self.n) + 1);
        out.set_timer(MongoTimer::PriorityTakeover, t, t);
    }

    /// The takeover is due: stand if this member still outranks the
    /// primary and is still caught up.
    pub(super) fn priority_takeover(&mut self, out: &mut MongoOut) {
        self.takeover_armed = false;
        if !self.may_take_over() {
            return;
        }
        self.takeover = true;
        let (id, p, term) = (self.id, self.primary, self.term);
        let (mine, theirs) = (self.members.priority(id), self.members.priority(p));
        out.note(|| {
            format!("S{id} (priority {mine}) is caught up with S{p} (priority {theirs}): priority takeover, dry run in term {term}")
        });
        self.stand(out);
    }

    /// Ask every member for a dry-run vote in the current term.
    fn stand(&mut self, out: &mut MongoOut) {
        let (term, last) = (self.term, self.last());
        self.standing = Some((bit(self.id), true));
        for p in self.peers().collect::<Vec<_>>() {
            out.send(
                p,
                MongoMsg::RequestVotes {
                    term,
                    last,
                    dry: true,
                },
            );
        }
        self.count_votes(out);
    }

    pub(super) fn on_request_votes(
        &mut self,
        from: NodeId,
        term: u64,
        last: OpTime,
        dry: bool,
        out: &mut MongoOut,
    ) {
        if !dry {
            self.see_term(term, out);
        }
        let fresh = self.cfg.bug == Some(MongoBug::VoteWithoutLogCheck) || last >= self.last();
        let free = dry || self.voted.0 < term || self.voted == (term, from);
        let granted = term >= self.term && fresh && free;
        if granted && !dry {
            self.voted = (term, from);
            self.reset_election_timer(out);
        }
        if !granted {
            let (id, mine) = (self.id, self.last());
            out.note(|| {
                let why = if term < self.term {
                    "its term is stale".to_string()
                } else if !fresh {
                    format!("its lastApplied {last} is behind {mine}")
                } else {
                    format!("already voted for S{} in term {term}", self.voted.1)
                };
                let what = if dry { "dry-run vote" } else { "vote" };
                format!("S{id} denies S{from}'s {what}: {why}")
            });
        }
        out.send(
            from,
            MongoMsg::Vote {
                term: self.term,
                granted,
                dry,
            },
        );
    }

    pub(super) fn on_vote(
        &mut self,
        from: NodeId,
        term: u64,
        granted: bool,
        dry: bool,
        out: &mut MongoOut,
    ) {
        self.see_term(term, out);
        match self.standing {
            Some((votes, d)) if d == dry && granted && term == self.term => {
                self.standing = Some((votes | bit(from), d));
                self.count_votes(out);
            }
            _ => {}
        }
    }

    fn count_votes(&mut self, out: &mut MongoOut) {
        let Some((votes, dry)) = self.standing else {
            return;
        };
        if ((votes & self.voting()).count_ones() as usize) < self.majority() {
            return;
        }
        if dry {
            // The dry run passed: the real election, in a new term.
            self.term += 1;
            self.voted = (self.term, self.id);
            self.standing = Some((bit(self.id), false));
            let (id, term, last) = (self.id, self.term, self.last());
            out.note(|| format!("S{id} passed its dry run; election for term {term}"));
            for p in self.peers().collect::<Vec<_>>() {
                out.send(
                    p,
                    MongoMsg::RequestVotes {
                        term,
                        last,
                        dry: false,
                    },
                );
            }
            self.count_votes(out);
        } else {
            self.win(out);
        }
    }

    /// Become PRIMARY of the current term (elected, or Bully's
    /// coordinator): no election, takeover or fetch in progress, every
    /// member counted as heard from now.
    pub(super) fn take_primary(&mut self, out: &mut MongoOut) {
        self.state = State::Primary;
        self.primary = self.id;
        self.standing = None;
        self.takeover = false;
        out.cancel_timer(MongoTimer::PriorityTakeover);
        self.takeover_armed = false;
        self.fetching = 0;
        self.parked.clear();
        self.catching_up = None;
        out.cancel_timer(MongoTimer::Election);
        out.became_leader(self.term);
        out.observe(MongoObs::Primary { term: self.term });
        let now = out.now();
        self.applied.clear();
        self.applied.insert(self.id, self.last());
        for p in self.peers().collect::<Vec<_>>() {
            self.contact.insert(p, now);
        }
    }

    /// Elected: catch up, then write the new term's no-op.
    fn win(&mut self, out: &mut MongoOut) {
        self.take_primary(out);
        let (id, term) = (self.id, self.term);
        out.note(|| format!("S{id} is elected primary of term {term}"));
        if self.cfg.catch_up_timeout_ms == 0 || self.n == 1 {
            self.finish_catch_up(out);
            return;
        }
        self.catching_up = Some((self.last(), self.id));
        self.heard_since_win = bit(self.id);
        for p in self.peers().collect::<Vec<_>>() {
            out.send(p, MongoMsg::Heartbeat { term });
        }
        if self.cfg.catch_up_timeout_ms > 0 {
            let t = self.cfg.ms(self.cfg.catch_up_timeout_ms as u64);
            out.set_timer(MongoTimer::CatchUp, t, t);
        }
    }

    /// A heartbeat answer during catch-up: the target is the freshest
    /// `lastApplied` among the members heard since winning, once they are
    /// a majority.
    fn catch_up(&mut self, from: NodeId, applied: OpTime, out: &mut MongoOut) {
        let Some((target, source)) = self.catching_up else {
            return;
        };
        self.heard_since_win |= bit(from);
        if applied > target {
            self.catching_up = Some((applied, from));
        } else if source == from && applied < target {
            // The member it was catching up from went back (it rolled back).
            self.catching_up = Some((self.last(), self.id));
        }
        if ((self.heard_since_win & self.voting()).count_ones() as usize) < self.majority() {
            return;
        }
        let (target, source) = self.catching_up.unwrap_or_default();
        if self.last() >= target {
            self.finish_catch_up(out);
        } else if self.fetching == 0 {
            let (id, last) = (self.id, self.last());
            out.note(|| {
                format!("S{id} catches up from S{source}: {target} is ahead of its {last}")
            });
            self.fetch(out);
        }
    }

    /// Catch-up over: take writes, starting with a no-op of this term.
    pub(super) fn finish_catch_up(&mut self, out: &mut MongoOut) {
        self.catching_up = None;
        self.fetching = 0;
        out.cancel_timer(MongoTimer::CatchUp);
        let id = self.id;
        out.note(|| format!("S{id} writes the new primary's no-op and takes writes"));
        self.append(None, out);
        self.advance_commit(out);
    }
}
