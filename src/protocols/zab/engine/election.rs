//! Fast leader election (FLE): looking nodes exchange votes for the best (currentEpoch, last zxid, id) and settle after a finalize wait with a quorum.

use super::*;
use crate::protocols::common::broadcast;

impl Zab {
    // ---- election ----------------------------------------------------------

    pub(super) fn go_looking(&mut self, why: &str, out: &mut ZabOut) {
        let id = self.id;
        out.note(|| format!("S{id} goes back to LOOKING: {why}"));
        if let Some(l) = self.lead.take() {
            for (_, req) in l.pending {
                out.reply(req, Reply::Unknown);
            }
        }
        // Reads that waited for a sync are refused: they had no effect.
        if let Some(f) = self.follow.take() {
            for (req, _) in f.reads {
                out.reply(req, Reply::NotLeader { leader: None });
            }
        }
        self.early.clear();
        self.phase = Phase::Election;
        self.round += 1;
        self.vote = self.self_vote();
        self.recv.clear();
        self.out_of_election.clear();
        self.recv.insert(self.id, self.vote);
        out.cancel_timer(ZabTimer::Follower);
        out.cancel_timer(ZabTimer::Tick);
        out.cancel_timer(ZabTimer::Finalize);
        self.broadcast(self.notification(), out);
        self.arm_election(out);
        if self.quorum() == 1 {
            // Alone: its own vote is a quorum.
            out.set_timer(
                ZabTimer::Finalize,
                self.cfg.finalize_wait,
                self.cfg.finalize_wait,
            );
        }
    }

    pub(super) fn arm_election(&self, out: &mut ZabOut) {
        out.set_timer(
            ZabTimer::Election,
            self.cfg.follower_timeout_min,
            self.cfg.follower_timeout_max,
        );
    }

    pub(super) fn broadcast(&self, msg: ZabMsg, out: &mut ZabOut) {
        broadcast(out, &self.peers, msg);
    }

    pub(super) fn on_notification(
        &mut self,
        from: NodeId,
        vote: Vote,
        round: u64,
        state: Announce,
        out: &mut ZabOut,
    ) {
        if self.phase != Phase::Election {
            if state == Announce::Looking {
                out.send(from, self.notification());
            }
            return;
        }
        match state {
            Announce::Looking => {
                if round > self.round {
                    self.round = round;
                    self.recv.clear();
                    self.vote = self.self_vote().max(vote);
                    self.broadcast(self.notification(), out);
                } else if round < self.round {
                    out.send(from, self.notification());
                    return;
                } else if vote > self.vote {
                    self.vote = vote;
                    self.broadcast(self.notification(), out);
                }
                self.recv.insert(from, vote);
                self.recv.insert(self.id, self.vote);
                let agree = self.recv.values().filter(|v| **v == self.vote).count();
                if agree >= self.quorum() {
                    out.set_timer(
                        ZabTimer::Finalize,
                        self.cfg.finalize_wait,
                        self.cfg.finalize_wait,
                    );
                }
            }
            Announce::Following | Announce::Leading => {
                self.out_of_election.insert(from, (vote, state));
                let leader = vote.leader;
                let leader_says =
                    self.out_of_election.get(&leader).map(|(_, s)| *s) == Some(Announce::Leading);
                let claims = self
                    .out_of_election
                    .values()
                    .filter(|(v, _)| v.leader == leader && v.epoch == vote.epoch)
                    .count();
                if leader_says && claims + 1 >= self.quorum() && leader != self.id {
                    self.round = self.round.max(round);
                    self.vote = vote;
                    self.start_following(leader, out);
                }
            }
        }
    }

    pub(super) fn finalize(&mut self, out: &mut ZabOut) {
        if self.phase != Phase::Election {
            return;
        }
        let agree = self.recv.values().filter(|v| **v == self.vote).count();
        if agree < self.quorum() {
            return;
        }
        if self.vote.leader == self.id {
            self.start_leading(out);
        } else {
            self.start_following(self.vote.leader, out);
        }
    }
}
