//! The textbook Bully algorithm (H. Garcia-Molina, "Elections in a
//! Distributed Computing System", IEEE Trans. Computers, 1982), behind
//! the switch `bully`: **not MongoDB**, which never used it (protocol
//! version 0 had vetoes and vote leases; version 1 is Raft's). It is here
//! to show what terms, majorities and the oplog check buy:
//!
//! - A member that starts, or hears no primary for the election timeout,
//!   holds an election: ELECTION to every member of higher id. A higher
//!   member answers ANSWER and holds its own election. With no ANSWER
//!   within a heartbeat interval, the member is coordinator: it becomes
//!   primary and sends COORDINATOR to everyone.
//! - Whoever hears COORDINATOR from a higher id follows it; from a lower
//!   id, it bullies: it holds its own election. Two primaries that meet
//!   (a heartbeat after a partition heals) settle the same way: the
//!   lower steps down.
//! - No majority anywhere: each side of a partition elects its own highest
//!   member, and a primary never steps down for want of a majority. No
//!   look at the oplog: a stale member of higher id wins, and the others
//!   roll back to its oplog, `w:"majority"` writes included.
//!
//! The algorithm has no terms. The oplog's OpTimes still need one per
//! reign, so a coordinator writes under a term above any it has seen that
//! is unique to it (term mod n = id mod n): two reigns never share a term,
//! and rollback finds where two primaries' oplogs part. A follower keeps
//! the highest term it has seen, which may be above its coordinator's.

use super::{Mongo, MongoMsg, MongoOut, MongoTimer, State};
use crate::sim::NodeId;

impl Mongo {
    /// Hold an election: ELECTION to every higher member, and wait a
    /// heartbeat interval for an ANSWER.
    pub(super) fn bully_election(&mut self, out: &mut MongoOut) {
        if self.state != State::Secondary || self.standing.is_some() {
            return;
        }
        self.standing = Some((0, false));
        let id = self.id;
        out.note(|| format!("S{id} holds a Bully election: ELECTION to every higher id"));
        for p in id + 1..=self.n {
            out.send(p, MongoMsg::Election);
        }
        let t = self.cfg.ms(self.cfg.heartbeat_interval_ms);
        out.set_timer(MongoTimer::BullyAnswer, t, t);
    }

    /// A lower member holds an election: answer, and hold one too (a
    /// primary announces itself instead).
    pub(super) fn on_election(&mut self, from: NodeId, out: &mut MongoOut) {
        out.send(from, MongoMsg::Answer);
        if self.state == State::Primary {
            out.send(from, MongoMsg::Coordinator { term: self.term });
        } else {
            self.bully_election(out);
        }
    }

    /// A higher member is alive: wait for its COORDINATOR (the election
    /// timer runs again).
    pub(super) fn on_answer(&mut self, out: &mut MongoOut) {
        if self.standing.take().is_some() {
            out.cancel_timer(MongoTimer::BullyAnswer);
            self.reset_election_timer(out);
        }
    }

    /// No ANSWER: no higher member is alive, as far as this one can tell.
    pub(super) fn bully_no_answer(&mut self, out: &mut MongoOut) {
        if self.standing.take().is_none() || self.state != State::Secondary {
            return; // answered, already primary, or rolling back meanwhile
        }
        let top = self
            .oplog
            .iter()
            .map(|o| o.term)
            .max()
            .unwrap_or(0)
            .max(self.term);
        let n = u64::from(self.n);
        let term = (top / n + 1) * n + u64::from(self.id) % n;
        let term = if term - n > top { term - n } else { term };
        self.term = term;
        self.take_primary(out);
        let id = self.id;
        out.note(|| {
            format!("S{id}: no ANSWER from a higher id; it is coordinator (primary), as t{term}")
        });
        self.announce(out);
        self.append(None, out);
        self.advance_commit(out);
    }

    /// COORDINATOR to every other member.
    fn announce(&mut self, out: &mut MongoOut) {
        let term = self.term;
        for p in self.peers().collect::<Vec<_>>() {
            out.send(p, MongoMsg::Coordinator { term });
        }
    }

    /// COORDINATOR from `from`: follow a higher member; bully a lower one.
    pub(super) fn on_coordinator(&mut self, from: NodeId, term: u64, out: &mut MongoOut) {
        if from < self.id {
            if self.state == State::Primary {
                out.send(from, MongoMsg::Coordinator { term: self.term });
            } else {
                self.bully_election(out);
            }
            return;
        }
        self.follow(from, term, out);
    }

    /// Follow `from`, primary writing as `term`.
    fn follow(&mut self, from: NodeId, term: u64, out: &mut MongoOut) {
        let id = self.id;
        if self.state == State::Primary {
            out.note(|| format!("S{id} steps down: S{from} has a higher id"));
            self.step_down(out);
        }
        if self.standing.take().is_some() {
            out.cancel_timer(MongoTimer::BullyAnswer);
        }
        if self.primary != from {
            out.note(|| format!("S{id} follows S{from}, the coordinator"));
            self.primary = from;
            self.fetching = 0;
        }
        // A member's term never goes down, so that a reign it starts later
        // never reuses a term of its own.
        self.term = self.term.max(term);
        self.reset_election_timer(out);
        if self.state == State::Secondary {
            self.fetch(out);
        }
    }

    /// A heartbeat answer says `from` is primary (writing as `term`): two
    /// primaries settle by id, and a member following another learns of
    /// it. True when handled.
    pub(super) fn bully_meets(&mut self, from: NodeId, term: u64, out: &mut MongoOut) -> bool {
        match self.state {
            State::Primary if from > self.id => {
                self.follow(from, term, out);
                true
            }
            State::Primary => {
                self.announce(out);
                true
            }
            _ if self.primary == 0 && from > self.id => {
                self.follow(from, term, out);
                true
            }
            _ => false,
        }
    }
}
