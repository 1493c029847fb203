//! Cluster membership changes, one server at a time (Ongaro's thesis,
//! "Consensus: Bridging Theory and Practice", 2014, chapter 4).
//!
//! - §4.1: a configuration is a log entry; a server uses the latest
//!   configuration in its log, committed or not, from the moment it appends
//!   it. Adding or removing one server at a time keeps every majority of
//!   the old configuration overlapping every majority of the new one.
//! - A leader starts a change only once the previous one has committed, and
//!   (the fix to the bug reported on raft-dev in July 2015) only once it has
//!   committed an entry of its own term: otherwise a configuration appended
//!   by a deposed leader and one appended by its successor can differ by two
//!   servers, and their majorities need not overlap.
//! - §4.2.1: a new server first catches up as a non-voter, in rounds; it
//!   joins the configuration when a round takes less than an election
//!   timeout, and the change is aborted after 10 rounds or when the server
//!   stops answering.
//! - §4.2.2: a leader removed from the configuration manages the cluster
//!   until the new configuration commits, without counting itself, then
//!   steps down.
//! - §4.2.3: once membership has changed, a server that heard from a leader
//!   within the minimum election timeout ignores RequestVote, so that a
//!   removed server timing out cannot depose the leader.
//!
//! A server that joins starts with an empty configuration: it never
//! campaigns until a leader's log tells it that it is a member. A server
//! outside its own latest configuration still campaigns while that
//! configuration is uncommitted (§4.1: it may still be needed), and no
//! longer once it knows its removal committed.

use super::*;

/// Rounds of catch-up before an addition is abandoned (§4.2.1).
const MAX_ROUNDS: u32 = 10;

/// A membership change a leader was asked for and has not yet appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Change {
    /// The server added or removed.
    pub node: NodeId,
    /// Add (or remove) it.
    pub add: bool,
    /// Catch-up: the index the current round must reach (0: not started).
    pub round_end: u64,
    /// When (leader's clock) the current round started.
    pub round_start: i64,
    /// Rounds so far.
    pub rounds: u32,
    /// When (leader's clock) the server last acknowledged entries.
    pub heard: i64,
    /// Caught up: the configuration entry may be appended.
    pub ready: bool,
}

/// `{S1,S2,S3}` for a configuration bit set.
pub fn show_conf(conf: u32) -> String {
    let ids: Vec<String> = (1..32)
        .filter(|i| conf >> i & 1 == 1)
        .map(|i| format!("S{i}"))
        .collect();
    format!("{{{}}}", ids.join(","))
}

impl Raft {
    /// Is `id` in this server's configuration?
    pub fn is_member(&self, id: NodeId) -> bool {
        id < 32 && self.members >> id & 1 == 1
    }
    /// The configuration in use (bit `i` for `Si`).
    pub fn members(&self) -> u32 {
        self.members
    }
    /// Index of the configuration entry in use (0: the initial one).
    pub fn conf_index(&self) -> u64 {
        self.conf_index
    }

    /// Do the members of the configuration that satisfy `has` form a
    /// majority of it?
    pub(super) fn quorum(&self, has: impl Fn(NodeId) -> bool) -> bool {
        self.quorum_of(self.members, has)
    }

    /// Do the servers of `conf` that satisfy `has` form a majority of it?
    pub(super) fn quorum_of(&self, conf: u32, has: impl Fn(NodeId) -> bool) -> bool {
        let (mut rest, mut yes) = (conf, 0);
        while rest != 0 {
            yes += usize::from(has(rest.trailing_zeros()));
            rest &= rest - 1;
        }
        conf != 0 && yes >= majority(conf.count_ones() as usize)
    }

    /// The servers a leader sends AppendEntries to: the configuration, the
    /// previous one until the latest commits, and a server catching up.
    pub(super) fn targets(&self) -> Vec<NodeId> {
        let pending = self.conf_index > self.commit_index;
        let learner = self.change.filter(|c| c.add).map(|c| c.node);
        self.peers
            .iter()
            .copied()
            .filter(|&p| {
                self.is_member(p)
                    || (pending && p < 32 && self.prior >> p & 1 == 1)
                    || learner == Some(p)
            })
            .collect()
    }

    /// Has membership ever differed from "every server"? Only then do the
    /// rules of this chapter change how a server votes (runs that never
    /// change membership replay exactly as before).
    pub(super) fn membership_in_play(&self) -> bool {
        self.conf_index > 0 || self.initial != all_servers(self.peers.len() + 1)
    }

    /// May this server start an election?
    pub(super) fn may_campaign(&self) -> bool {
        self.members != 0 && (self.is_member(self.id) || self.commit_index < self.conf_index)
    }

    /// §4.2.3: ignore a RequestVote while a current leader is heard from.
    pub(super) fn ignores_vote_request(&self, from: NodeId, out: &mut RaftOut) -> bool {
        if !self.membership_in_play() {
            return false;
        }
        let recent = self.role == Role::Leader
            || (self.leader.is_some()
                && out.wall()
                    < self
                        .heard
                        .saturating_add(self.cfg.election_timeout_min as i64));
        if recent {
            let id = self.id;
            out.note(|| {
                format!("S{id} ignores S{from}'s RequestVote: it heard from a current leader within the minimum election timeout (thesis §4.2.3)")
            });
        }
        recent
    }

    /// Use the latest configuration entry in the log (§4.1), or the
    /// initial configuration if there is none.
    pub(super) fn reconfigure(&mut self) {
        let mut confs = self
            .log
            .entries()
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, e)| e.conf != 0);
        match confs.next() {
            Some((i, e)) => {
                self.members = e.conf;
                self.conf_index = i as u64 + 1;
                self.prior = confs.next().map_or(self.initial, |(_, p)| p.conf);
            }
            None => {
                self.members = self.initial;
                self.prior = self.initial;
                self.conf_index = 0;
            }
        }
    }

    /// The node actions `add-K` and `remove-K`, sent to the leader (the
    /// AddServer and RemoveServer RPCs of the thesis, Figure 4.1).
    pub(super) fn ask_change(&mut self, add: bool, node: NodeId, out: &mut RaftOut) {
        let id = self.id;
        let what = if add { "add" } else { "remove" };
        let refuse = |why: String, out: &mut RaftOut| {
            out.note(|| format!("S{id} refuses to {what} S{node}: {why}"));
        };
        if node == 0 || node as usize > self.peers.len() + 1 {
            return refuse(format!("there is no server S{node}"), out);
        }
        if self.role != Role::Leader {
            return refuse("it is not the leader (NOT_LEADER)".into(), out);
        }
        if self.change.is_some() {
            return refuse("another change is in progress".into(), out);
        }
        if self.is_member(node) == add {
            return refuse(
                if add {
                    format!("S{node} is already in the configuration")
                } else {
                    format!("S{node} is not in the configuration")
                },
                out,
            );
        }
        if !add && self.members.count_ones() == 1 {
            return refuse("it is the configuration's last server".into(), out);
        }
        self.change = Some(Change {
            node,
            add,
            round_end: 0,
            round_start: 0,
            rounds: 0,
            heard: 0,
            ready: !add,
        });
        self.progress_change(out);
    }

    /// Move a requested change on as far as the rules allow.
    pub(super) fn progress_change(&mut self, out: &mut RaftOut) {
        let Some(mut c) = self.change else {
            return;
        };
        if self.role != Role::Leader || self.conf_index > self.commit_index {
            return; // the previous configuration commits first
        }
        let id = self.id;
        let own_term_committed = self.log.term_at(self.commit_index) == Some(self.current_term);
        if !own_term_committed && self.cfg.bug != Some(RaftBug::ReconfigureBeforeCommit) {
            out.note(|| {
                format!("S{id} waits to change the configuration until an entry of its term commits (raft-dev, 2015)")
            });
            return;
        }
        if !c.ready {
            if c.round_end == 0 {
                self.start_catch_up_round(&mut c, out);
                self.change = Some(c);
                self.send_append(c.node, out);
            }
            return;
        }
        let conf = if c.add {
            self.members | 1 << c.node
        } else {
            self.members & !(1 << c.node)
        };
        let term = self.current_term;
        let idx = self.log.append(Entry {
            term,
            cmd: None,
            conf,
        });
        self.change = None;
        self.reconfigure();
        out.note(|| {
            format!(
                "S{id} appends configuration {} at index {idx}: in force from now on (thesis §4.1)",
                show_conf(conf)
            )
        });
        self.broadcast_append(out);
        self.advance_commit(out);
    }

    fn start_catch_up_round(&self, c: &mut Change, out: &mut RaftOut) {
        c.rounds += 1;
        c.round_end = self.log.last_index();
        c.round_start = out.wall();
        if c.rounds == 1 {
            c.heard = c.round_start;
        }
        let (id, node, round, end) = (self.id, c.node, c.rounds, c.round_end);
        out.note(|| {
            format!("S{id} catches S{node} up as a non-voter: round {round}, to index {end} (thesis §4.2.1)")
        });
    }

    /// A successful AppendEntries reply: a server catching up may have
    /// finished its round.
    pub(super) fn on_catch_up(&mut self, from: NodeId, matched: u64, out: &mut RaftOut) {
        let Some(mut c) = self.change else {
            return;
        };
        if !c.add || c.ready || c.node != from || c.round_end == 0 {
            return;
        }
        c.heard = out.wall();
        self.change = Some(c);
        if matched < c.round_end {
            return;
        }
        let took = out.wall() - c.round_start;
        let id = self.id;
        if took < self.cfg.election_timeout_min as i64 {
            c.ready = true;
            out.note(|| format!("S{id}: S{from} caught up (last round {} ms)", took / 1000));
            self.change = Some(c);
            self.progress_change(out);
        } else if c.rounds >= MAX_ROUNDS {
            self.abort_change("it did not catch up in 10 rounds", out);
        } else {
            self.start_catch_up_round(&mut c, out);
            self.change = Some(c);
        }
    }

    /// Heartbeat: abandon an addition whose server makes no progress.
    pub(super) fn check_catch_up(&mut self, out: &mut RaftOut) {
        if let Some(c) = self.change.filter(|c| c.add && !c.ready && c.round_end > 0) {
            if out.wall() - c.heard > 10 * self.cfg.election_timeout_min as i64 {
                self.abort_change("it acknowledged nothing for 10 election timeouts", out);
            }
        }
    }

    fn abort_change(&mut self, why: &str, out: &mut RaftOut) {
        if let Some(c) = self.change.take() {
            let id = self.id;
            out.note(|| format!("S{id} abandons adding S{}: {why} (thesis §4.2.1)", c.node));
        }
    }

    /// commitIndex moved from `old`: a configuration may have committed.
    pub(super) fn on_commit(&mut self, old: u64, out: &mut RaftOut) {
        if self.conf_index > old && self.conf_index <= self.commit_index {
            let (id, conf) = (self.id, self.members);
            out.note(|| format!("S{id}: configuration {} committed", show_conf(conf)));
            // Tell the servers just removed, which no longer hear from us.
            let gone: Vec<NodeId> = self
                .peers
                .iter()
                .copied()
                .filter(|&p| !self.is_member(p) && p < 32 && self.prior >> p & 1 == 1)
                .collect();
            for p in gone {
                self.send_append(p, out);
            }
            if !self.is_member(self.id) {
                out.note(|| {
                    format!("S{id} is not in the committed configuration: it steps down (thesis §4.2.2)")
                });
                self.become_follower(out);
                return;
            }
        }
        self.progress_change(out);
    }
}

/// Every server of a cluster of `n`.
pub(super) fn all_servers(n: usize) -> u32 {
    ((1u64 << (n + 1)) - 2) as u32
}
