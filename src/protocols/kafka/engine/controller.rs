//! The controller's side (KRaft's `ReplicationControlManager`,
//! `PartitionChangeBuilder`): broker sessions and fencing, leader election
//! from the ISR in assignment order, unclean and ELR elections, and
//! `AlterPartition` fenced by leader and partition epochs.

use super::*;

impl Kafka {
    fn alive(&self, b: NodeId, not: NodeId) -> bool {
        b != not && self.ctl.brokers.get(&b).is_some_and(|r| !r.fenced)
    }

    /// Send the partition's new metadata to every broker. With the ISR at
    /// `min.insync.replicas` or more the ELR is emptied (KIP-966,
    /// `PartitionChangeBuilder`): the HW may advance again, past what
    /// the former ELR members hold.
    fn publish(&mut self, out: &mut KafkaOut) {
        if self.ctl.part.isr.count_ones() >= self.cfg.min_insync_replicas {
            self.ctl.part.elr = 0;
        }
        let part = self.ctl.part;
        let id = self.id;
        out.note(|| format!("S{id} (controller): {}", describe_partition(&part)));
        for b in 1..=self.brokers() {
            out.send(b, KafkaMsg::PartitionChange(part));
        }
    }

    /// A broker's heartbeat: keeps its session; a new broker epoch means
    /// it restarted, and its old incarnation is treated as failed.
    pub(super) fn on_heartbeat(&mut self, from: NodeId, incarnation: u64, out: &mut KafkaOut) {
        if self.role != Role::Controller {
            return;
        }
        let now = mono(out);
        let Some(mut reg) = self.ctl.brokers.get(&from).copied() else {
            return;
        };
        let mut changed = false;
        let id = self.id;
        if incarnation > reg.incarnation {
            out.note(|| format!("S{id} (controller): S{from} registers again (broker epoch {incarnation}); its old incarnation is gone"));
            if self.cfg.truncate_to_hw {
                // The ZooKeeper-era controller (before KIP-101) did not
                // notice a restart faster than its session timeout: the
                // broker keeps its place in the ISR (and its leadership
                // goes only if it led).
                if self.ctl.part.leader == from {
                    self.elect(from, out);
                    self.ctl.part.partition_epoch += 1;
                    changed = true;
                }
            } else {
                changed |= self.broker_gone(from, out);
            }
            reg.incarnation = incarnation;
            reg.fenced = false;
        } else if reg.fenced {
            out.note(|| format!("S{id} (controller): S{from} is back: unfenced"));
            reg.fenced = false;
        }
        reg.last = now;
        self.ctl.brokers.insert(from, reg);
        if self.ctl.part.leader == 0 && self.elect(0, out) {
            self.ctl.part.partition_epoch += 1;
            changed = true;
        }
        if changed {
            self.publish(out);
        }
        let state = self.ctl.part;
        out.send(
            from,
            KafkaMsg::HeartbeatResponse {
                incarnation,
                fenced: false,
                state,
            },
        );
    }

    /// Fence brokers that missed `broker.session.timeout.ms`.
    pub(super) fn check_sessions(&mut self, out: &mut KafkaOut) {
        let t = self.cfg.ms(self.cfg.broker_heartbeat_interval_ms);
        out.set_timer(KafkaTimer::Sessions, t, t);
        let now = mono(out);
        let session = self.cfg.ms(self.cfg.broker_session_timeout_ms) as i64;
        let late: Vec<NodeId> = self
            .ctl
            .brokers
            .iter()
            .filter(|(_, r)| !r.fenced && now - r.last > session)
            .map(|(&b, _)| b)
            .collect();
        let mut changed = false;
        for b in late {
            let id = self.id;
            out.note(|| {
                format!(
                    "S{id} (controller) fences S{b}: no heartbeat for broker.session.timeout.ms"
                )
            });
            if let Some(r) = self.ctl.brokers.get_mut(&b) {
                r.fenced = true;
            }
            changed |= self.broker_gone(b, out);
        }
        if changed {
            self.publish(out);
        }
    }

    /// Broker `b` failed: out of the ISR unless it is the last member, and
    /// a new leader if it led. True when the partition changed.
    fn broker_gone(&mut self, b: NodeId, out: &mut KafkaOut) -> bool {
        let mut changed = false;
        let min = self.cfg.min_insync_replicas;
        let p = &mut self.ctl.part;
        if p.isr & bit(b) != 0 && p.isr.count_ones() > 1 {
            p.isr &= !bit(b);
            if self.cfg.eligible_leader_replicas && p.isr.count_ones() < min {
                p.elr |= bit(b);
            }
            changed = true;
        }
        if self.ctl.part.leader == b {
            self.elect(b, out);
            changed = true;
        }
        if changed {
            self.ctl.part.partition_epoch += 1;
        }
        changed
    }

    /// Choose a leader (`not` excluded): the first live ISR replica in
    /// assignment order; else an eligible leader replica (KIP-966); else,
    /// with `unclean.leader.election.enable`, any live replica; else none.
    /// True when the leader changed.
    fn elect(&mut self, not: NodeId, out: &mut KafkaOut) -> bool {
        let p = self.ctl.part;
        let replicas: Vec<NodeId> = self.replicas().collect();
        let first = |set: u32| {
            replicas
                .iter()
                .copied()
                .find(|&r| set & bit(r) != 0 && self.alive(r, not))
        };
        let everyone = u32::MAX;
        let clean_from = if self.cfg.bug == Some(KafkaBug::ElectOutsideIsr) {
            everyone
        } else {
            p.isr
        };
        let id = self.id;
        let (leader, isr, elr, unclean) = if let Some(c) = first(clean_from) {
            (c, p.isr | bit(c), p.elr & !bit(c), false)
        } else if let Some(c) = first(p.elr).filter(|_| self.cfg.eligible_leader_replicas) {
            out.note(|| format!("S{id} (controller): no live ISR member; S{c} is an eligible leader replica (KIP-966)"));
            (c, bit(c), p.elr & !bit(c), false)
        } else if let Some(c) = first(everyone).filter(|_| self.cfg.unclean_leader_election_enable)
        {
            out.note(|| format!("S{id} (controller): no live ISR member (ISR {}); unclean.leader.election.enable elects S{c}, out of sync", members(p.isr)));
            self.ctl.unclean += 1;
            (c, bit(c), 0, true)
        } else {
            if p.leader != 0 {
                let why = if self.cfg.unclean_leader_election_enable {
                    "no live replica at all"
                } else {
                    "unclean.leader.election.enable=false"
                };
                out.note(|| format!("S{id} (controller): no live ISR member (ISR {}): the partition is OFFLINE ({why})", members(p.isr)));
            }
            (0, p.isr, p.elr, false)
        };
        if leader == p.leader {
            return false;
        }
        let part = &mut self.ctl.part;
        part.leader = leader;
        part.leader_epoch += 1;
        part.isr = isr;
        part.elr = elr;
        part.unclean = unclean;
        true
    }

    /// The leader's `AlterPartition`.
    pub(super) fn on_alter_partition(
        &mut self,
        from: NodeId,
        leader_epoch: u64,
        partition_epoch: u64,
        isr: u32,
        out: &mut KafkaOut,
    ) {
        if self.role != Role::Controller {
            return;
        }
        let p = self.ctl.part;
        let fenced_new = (1..=self.brokers())
            .filter(|&b| isr & !p.isr & bit(b) != 0)
            .any(|b| !self.alive(b, 0));
        let refusal = if from != p.leader || leader_epoch != p.leader_epoch {
            Some("FENCED_LEADER_EPOCH")
        } else if partition_epoch != p.partition_epoch {
            Some("INVALID_UPDATE_VERSION")
        } else if fenced_new || isr & bit(from) == 0 {
            Some("INELIGIBLE_REPLICA")
        } else {
            None
        };
        let id = self.id;
        if let Some(why) = refusal {
            out.note(|| {
                format!(
                    "S{id} (controller) rejects S{from}'s AlterPartition (ISR {}): {why}",
                    members(isr)
                )
            });
        } else {
            let removed = p.isr & !isr;
            let part = &mut self.ctl.part;
            if self.cfg.eligible_leader_replicas && isr.count_ones() < self.cfg.min_insync_replicas
            {
                part.elr |= removed;
            }
            part.elr &= !isr;
            part.isr = isr;
            part.partition_epoch += 1;
            self.publish(out);
        }
        let state = self.ctl.part;
        out.send(
            from,
            KafkaMsg::AlterResponse {
                ok: refusal.is_none(),
                state,
            },
        );
    }
}
