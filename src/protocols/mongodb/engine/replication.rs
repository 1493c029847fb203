//! The oplog fetcher and its source (`getMore` with `awaitData`),
//! `replSetUpdatePosition`, the commit point and write concern, and
//! rollback (repl README, "Oplog Fetcher", "Commit Point Propagation",
//! "Rollback").

use super::{Mongo, MongoMsg, MongoObs, MongoOut, MongoTimer, Op, OpTime, State, Waiting};
use crate::protocol::Reply;
use crate::protocols::common::{bit, Kv};
use crate::sim::NodeId;

/// At most this many entries per batch.
const BATCH: usize = 64;

impl Mongo {
    /// Start a `getMore` on the sync source (the primary; the freshest
    /// member while catching up), unless one is in flight. An arbiter
    /// holds no data and fetches nothing.
    pub(super) fn fetch(&mut self, out: &mut MongoOut) {
        let source = match (self.state, self.catching_up) {
            (State::Primary, Some((_, s))) => s,
            (State::Secondary | State::Recovering, _) => self.primary,
            _ => 0,
        };
        if self.fetching != 0 || source == 0 || source == self.id || self.arbiter() {
            return;
        }
        self.fetching = source;
        let (term, after) = (self.term, self.last());
        out.send(source, MongoMsg::GetMore { term, after });
        let t = self.cfg.ms(self.cfg.election_timeout_ms);
        out.set_timer(MongoTimer::FetchTimeout, t, t);
    }

    pub(super) fn on_get_more(
        &mut self,
        from: NodeId,
        term: u64,
        after: OpTime,
        out: &mut MongoOut,
    ) {
        self.see_term(term, out);
        self.contact.insert(from, out.now());
        let has_more = self.optime(after.ts) == Some(after) && (self.oplog.len() as u64) > after.ts;
        if self.state == State::Primary && self.optime(after.ts) == Some(after) && !has_more {
            // awaitData: hold the request until there is something to send
            // or the commit point moves, at most half an election timeout.
            self.parked.insert(from, after);
            let t = self.cfg.ms(self.cfg.election_timeout_ms) / 2;
            out.set_timer(MongoTimer::AwaitData(from), t, t);
            return;
        }
        self.answer_get_more(from, after, out);
    }

    /// Answer a `getMore`: the entries after `after`, or `OplogStartMissing`
    /// with this oplog's terms up to there.
    pub(super) fn answer_get_more(&mut self, to: NodeId, after: OpTime, out: &mut MongoOut) {
        let commit = self.optime(self.commit).unwrap_or_default();
        let last = self.last();
        let msg = if self.optime(after.ts) == Some(after) {
            let from = after.ts as usize;
            let to_ts = (from + BATCH).min(self.oplog.len());
            MongoMsg::Batch {
                term: self.term,
                after,
                last,
                entries: self.oplog[from..to_ts].to_vec(),
                commit,
                diverged: false,
                terms: Vec::new(),
            }
        } else {
            let upto = (after.ts as usize).min(self.oplog.len());
            MongoMsg::Batch {
                term: self.term,
                after,
                last,
                entries: Vec::new(),
                commit,
                diverged: true,
                terms: self.oplog[..upto].iter().map(|o| o.term).collect(),
            }
        };
        out.send(to, msg);
    }

    /// New entries or a new commit point: answer every parked `getMore`.
    pub(super) fn flush_parked(&mut self, out: &mut MongoOut) {
        for (p, after) in std::mem::take(&mut self.parked) {
            out.cancel_timer(MongoTimer::AwaitData(p));
            self.answer_get_more(p, after, out);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_batch(
        &mut self,
        from: NodeId,
        term: u64,
        after: OpTime,
        last: OpTime,
        entries: Vec<Op>,
        commit: OpTime,
        diverged: bool,
        terms: Vec<u64>,
        out: &mut MongoOut,
    ) {
        if self.fetching != from {
            return; // an answer to a getMore it gave up on
        }
        self.fetching = 0;
        out.cancel_timer(MongoTimer::FetchTimeout);
        let catching = self.state == State::Primary && self.catching_up.is_some();
        if !catching {
            self.see_term(term, out);
            let stale = term < self.term && !self.cfg.bully;
            let following = matches!(self.state, State::Secondary | State::Recovering);
            if !following || from != self.primary || stale {
                return; // a deposed source: wait for the next primary
            }
            self.reset_election_timer(out);
        }
        if diverged && last < self.last() && !self.cfg.bully {
            // The source lacks the entry because it is behind, not because
            // the oplogs diverged (OplogFetcher: "sync source is behind"):
            // try again once it is ahead. (Bully: the coordinator's oplog
            // is the truth, behind or not.)
            let (id, mine) = (self.id, self.last());
            out.note(|| {
                format!("S{id}: sync source S{from} is behind it ({last} < {mine}); it waits")
            });
            return;
        }
        if diverged {
            if catching {
                // The freshest member is on another branch: stop here.
                self.finish_catch_up(out);
            } else {
                self.min_valid = last;
                self.rollback(from, &terms, out);
            }
            return;
        }
        if self.last() != after {
            self.fetch(out);
            return;
        }
        self.oplog.extend(entries);
        self.apply_entries();
        if catching {
            let (target, _) = self.catching_up.unwrap_or_default();
            self.applied.insert(self.id, self.last());
            if self.last() >= target {
                self.finish_catch_up(out);
                return;
            }
        } else {
            self.learn_commit(commit, out);
            let (term, applied) = (self.term, self.last());
            out.send(from, MongoMsg::UpdatePosition { term, applied });
            if self.state == State::Recovering && applied >= self.min_valid {
                let id = self.id;
                out.note(|| format!("S{id} reached minValid: SECONDARY"));
                self.state = State::Secondary;
            }
        }
        self.fetch(out);
    }

    /// `OplogStartMissing`: find the common point with the source's terms,
    /// move what follows it to the rollback file, truncate.
    fn rollback(&mut self, source: NodeId, terms: &[u64], out: &mut MongoOut) {
        let common = self
            .oplog
            .iter()
            .zip(terms)
            .take_while(|(o, &t)| o.term == t)
            .count();
        let gone: Vec<(u64, Op)> = self.oplog[common..]
            .iter()
            .enumerate()
            .map(|(i, op)| ((common + i + 1) as u64, *op))
            .collect();
        let (id, n) = (
            self.id,
            gone.iter().filter(|(_, o)| o.cmd.is_some()).count(),
        );
        out.note(|| format!("S{id} enters ROLLBACK: its oplog diverged from S{source}'s after ts {common}; {n} writes go to rollback/removed.bson"));
        self.removed.extend(gone);
        let committed = self.commit;
        self.oplog.truncate(common);
        self.commit = self.commit.min(common as u64);
        self.local = Kv::new();
        self.local_at = 0;
        self.major = Kv::new();
        self.major_at = 0;
        self.apply_entries();
        self.rbid += 1;
        self.state = State::Rollback;
        out.observe(MongoObs::RolledBack {
            from: common as u64 + 1,
            committed,
        });
        let t = self.cfg.ms(self.cfg.heartbeat_interval_ms) / 4;
        out.set_timer(MongoTimer::Rollback, t, t);
    }

    pub(super) fn on_update_position(
        &mut self,
        from: NodeId,
        term: u64,
        applied: OpTime,
        out: &mut MongoOut,
    ) {
        self.see_term(term, out);
        if self.state != State::Primary {
            return;
        }
        self.contact.insert(from, out.now());
        self.applied.insert(from, applied);
        self.advance_commit(out);
    }

    /// A secondary learns the commit point, if that OpTime is in its oplog.
    pub(super) fn learn_commit(&mut self, commit: OpTime, out: &mut MongoOut) {
        if commit.ts > self.commit && self.optime(commit.ts) == Some(commit) {
            self.commit = commit.ts;
            self.apply_entries();
            out.observe(MongoObs::Committed { to: commit.ts });
        }
    }

    /// The primary's commit point: the greatest OpTime a majority has
    /// applied, if it is of this term; then every write concern met.
    pub(super) fn advance_commit(&mut self, out: &mut MongoOut) {
        if self.state != State::Primary {
            return;
        }
        self.applied.insert(self.id, self.last());
        let voting = self.voting();
        let mut at: Vec<OpTime> = (1..=self.n)
            .filter(|&m| voting & bit(m) != 0)
            .map(|m| self.applied.get(&m).copied().unwrap_or_default())
            .collect();
        at.sort_unstable_by(|a, b| b.cmp(a));
        let cand = at[self.majority() - 1];
        if cand.term == self.term && cand.ts > self.commit && self.optime(cand.ts) == Some(cand) {
            self.commit = cand.ts;
            self.apply_entries();
            out.observe(MongoObs::Committed { to: cand.ts });
            self.flush_parked(out);
        }
        let need = self.cfg.w_count();
        let mut i = 0;
        while i < self.waiting.len() {
            let w = self.waiting[i];
            let done = match (need, w.read) {
                (Some(n), None) => at.iter().filter(|&&a| a >= w.at).count() >= n,
                _ => self.commit >= w.at.ts && self.optime(w.at.ts) == Some(w.at),
            };
            if done {
                self.waiting.remove(i);
                self.answer(w, out);
            } else {
                i += 1;
            }
        }
    }

    fn answer(&mut self, w: Waiting, out: &mut MongoOut) {
        out.cancel_timer(MongoTimer::WTimeout(w.req));
        let index = super::op_index(w.at);
        match w.read {
            Some(value) => out.reply(w.req, Reply::Read { index, value }),
            None => {
                if self.cfg.w_count().is_none() {
                    out.observe(MongoObs::MajorityAck { at: w.at });
                }
                out.reply(w.req, Reply::Ok { index });
            }
        }
    }
}
