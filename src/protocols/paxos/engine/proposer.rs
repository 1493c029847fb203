//! The proposer (PMMC's leader with its scouts and commanders): phase 1 over every open slot, phase 2 per slot, preemption and backoff, heartbeats of the distinguished leader.

use super::*;

impl Paxos {
    // ---- proposer ----------------------------------------------------------

    /// Start phase 1 with a ballot above every one seen.
    pub(super) fn start_phase1(&mut self, out: &mut PaxosOut) {
        let round = self.max_round.max(self.promised.round) + 1;
        self.max_round = round;
        self.ballot = Ballot {
            round,
            node: self.id,
        };
        self.phase = Phase::Preparing;
        self.promises.clear();
        self.best.clear();
        self.proposals.clear();
        self.from_slot = self.applied + 1;
        let (b, id, from) = (self.ballot, self.id, self.from_slot);
        out.note(|| format!("S{id} starts phase 1 with ballot {b}"));
        // Our own acceptor promises first: the ballot is above all it has seen.
        if let Ok(PaxosMsg::Promise { accepted, .. }) = self.acceptor_prepare(b, from) {
            self.on_promise(id, b, accepted, out);
        }
        if self.phase == Phase::Preparing {
            self.broadcast(
                PaxosMsg::Prepare {
                    ballot: b,
                    from_slot: from,
                },
                out,
            );
        }
        self.arm_leader_timeout(out);
        out.set_timer(
            PaxosTimer::Tick,
            self.cfg.heartbeat_interval,
            self.cfg.heartbeat_interval,
        );
    }

    pub(super) fn on_promise(
        &mut self,
        from: NodeId,
        b: Ballot,
        accepted: Vec<(u64, Ballot, Value)>,
        out: &mut PaxosOut,
    ) {
        if self.phase != Phase::Preparing || b != self.ballot || self.promises.contains(&from) {
            return;
        }
        self.promises.push(from);
        for (slot, ab, v) in accepted {
            match self.best.get(&slot) {
                Some(&(have, _)) if have >= ab => {}
                _ => {
                    self.best.insert(slot, (ab, v));
                }
            }
        }
        if self.promises.len() >= self.majority() {
            self.become_leader(out);
        }
    }

    pub(super) fn become_leader(&mut self, out: &mut PaxosOut) {
        self.phase = Phase::Leading;
        self.leader_guess = Some(self.id);
        out.cancel_timer(PaxosTimer::LeaderTimeout);
        out.became_leader(self.ballot.round);
        let (id, b) = (self.id, self.ballot);
        out.note(|| format!("S{id} has promises from a majority: leader with ballot {b}"));
        // Re-propose the highest-ballot value of every slot reported, no-ops
        // in the gaps (PMMC: "pmax"; Paxos Made Simple §3).
        let top = self
            .best
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0)
            .max(self.chosen.keys().next_back().copied().unwrap_or(0));
        let best = std::mem::take(&mut self.best);
        for slot in self.from_slot..=top {
            if self.chosen.contains_key(&slot) {
                continue;
            }
            let v = best.get(&slot).map(|&(_, v)| v).unwrap_or(None);
            self.propose(slot, v, out);
            if self.phase != Phase::Leading {
                return;
            }
        }
        self.next_slot = top.max(self.from_slot - 1) + 1;
        for req in std::mem::take(&mut self.queue) {
            self.propose_request(req, out);
        }
        self.send_heartbeats(out);
    }

    pub(super) fn propose_request(&mut self, req: Request, out: &mut PaxosOut) {
        while self.chosen.contains_key(&self.next_slot) {
            self.next_slot += 1;
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        self.pending.insert(slot, (req.id, req.cmd));
        self.propose(slot, Some(req.cmd), out);
    }

    /// Phase 2a for one slot; our own acceptor goes first.
    pub(super) fn propose(&mut self, slot: u64, v: Value, out: &mut PaxosOut) {
        let b = self.ballot;
        self.proposals.insert(slot, (v, Vec::new()));
        match self.acceptor_accept(b, slot, v, out) {
            Ok(()) => self.on_accepted(self.id, b, slot, out),
            Err(p) => {
                self.preempted(p, out);
                return;
            }
        }
        if self.proposals.contains_key(&slot) {
            self.broadcast(
                PaxosMsg::Accept {
                    ballot: b,
                    slot,
                    value: v,
                },
                out,
            );
        }
    }

    pub(super) fn on_accepted(&mut self, from: NodeId, b: Ballot, slot: u64, out: &mut PaxosOut) {
        if self.phase != Phase::Leading || b != self.ballot {
            return;
        }
        let majority = self.majority();
        let Some((v, acks)) = self.proposals.get_mut(&slot) else {
            return;
        };
        if !acks.contains(&from) {
            acks.push(from);
        }
        if acks.len() >= majority {
            let v = *v;
            self.proposals.remove(&slot);
            self.learn(slot, v, out);
            self.broadcast(PaxosMsg::Decide { slot, value: v }, out);
        }
    }

    /// A higher ballot exists: step down (PMMC's "preempted").
    pub(super) fn preempted(&mut self, higher: Ballot, out: &mut PaxosOut) {
        if self.phase == Phase::Idle || higher <= self.ballot {
            return;
        }
        self.max_round = self.max_round.max(higher.round);
        let (id, b) = (self.id, self.ballot);
        out.note(|| format!("S{id}'s ballot {b} is preempted by {higher}"));
        self.phase = Phase::Idle;
        self.leader_guess = Some(higher.node);
        self.proposals.clear();
        self.best.clear();
        for (_, (req, _)) in std::mem::take(&mut self.pending) {
            out.reply(req, Reply::Unknown);
        }
        for req in std::mem::take(&mut self.queue) {
            out.reply(
                req.id,
                Reply::NotLeader {
                    leader: Some(higher.node),
                },
            );
        }
        out.cancel_timer(PaxosTimer::Tick);
        if self.cfg.retry_at_once {
            self.start_phase1(out);
        } else {
            self.arm_leader_timeout(out);
        }
    }

    pub(super) fn send_heartbeats(&self, out: &mut PaxosOut) {
        self.broadcast(
            PaxosMsg::Heartbeat {
                ballot: self.ballot,
                learned: self.applied,
            },
            out,
        );
    }

    /// Heartbeat tick: keep followers quiet and retransmit what was lost.
    pub(super) fn on_tick(&mut self, out: &mut PaxosOut) {
        match self.phase {
            Phase::Idle => return,
            Phase::Preparing => {
                let msg = PaxosMsg::Prepare {
                    ballot: self.ballot,
                    from_slot: self.from_slot,
                };
                for &p in &self.peers {
                    if !self.promises.contains(&p) {
                        out.send(p, msg.clone());
                    }
                }
            }
            Phase::Leading => {
                self.send_heartbeats(out);
                for (&slot, (v, acks)) in self.proposals.iter().take(8) {
                    let msg = PaxosMsg::Accept {
                        ballot: self.ballot,
                        slot,
                        value: *v,
                    };
                    for &p in &self.peers {
                        if !acks.contains(&p) {
                            out.send(p, msg.clone());
                        }
                    }
                }
            }
        }
        out.set_timer(
            PaxosTimer::Tick,
            self.cfg.heartbeat_interval,
            self.cfg.heartbeat_interval,
        );
    }

    /// Any message from a ballot's owner tells us a leader is alive.
    pub(super) fn heard_leader(&mut self, b: Ballot, out: &mut PaxosOut) {
        if b.node != self.id && b >= self.promised {
            self.leader_guess = Some(b.node);
            if self.phase == Phase::Idle {
                self.arm_leader_timeout(out);
            }
        }
        if b.node != self.id && b > self.ballot {
            self.preempted(b, out);
        }
    }
}
