//! A broker's side: taking the controller's metadata (become leader or
//! follower of a new epoch), truncating by `OffsetsForLeaderEpoch`
//! (KIP-101, KIP-279) or, with the pre-0.11 switch, to the high watermark,
//! and the follower's fetch loop (`ReplicaFetcherThread`).

use super::*;

impl Kafka {
    /// Metadata from the controller (a partition change, a heartbeat or
    /// AlterPartition answer). Older news than what it has is ignored.
    pub(super) fn on_metadata(&mut self, state: Partition, out: &mut KafkaOut) {
        if self.role != Role::Broker {
            return;
        }
        let restarting = std::mem::take(&mut self.starting);
        if !restarting && state.partition_epoch <= self.meta.partition_epoch {
            return;
        }
        if restarting {
            let id = self.id;
            out.note(|| {
                format!(
                    "S{id} registered again; it takes the controller's metadata: {}",
                    describe_partition(&state)
                )
            });
        }
        self.follow_metadata(state, out);
    }

    /// Act on the partition's metadata.
    pub(super) fn follow_metadata(&mut self, state: Partition, out: &mut KafkaOut) {
        let new_epoch = state.leader_epoch > self.epoch || self.meta.partition_epoch == 0;
        let was_leading = self.leading;
        self.meta = state;
        if !self.is_replica() {
            return;
        }
        if state.leader == self.id {
            if !self.leading || state.leader_epoch > self.epoch {
                self.stop_leading(out);
                self.become_leader(out);
            } else {
                // The same epoch with a new ISR (an AlterPartition committed).
                if self.pending_isr.is_some_and(|p| p.0 == state.isr) {
                    self.pending_isr = None;
                }
                self.maybe_advance_hw(out);
            }
            return;
        }
        if was_leading {
            self.stop_leading(out);
        }
        if new_epoch || was_leading || !self.fetching {
            self.become_follower(out);
        }
    }

    /// A request to the leader is in flight: wait for it at most
    /// `replica.socket.timeout.ms` (30000).
    fn await_leader(&mut self, out: &mut KafkaOut) {
        self.fetching = true;
        let t = self.cfg.ms(30_000);
        out.set_timer(KafkaTimer::FetchTimeout, t, t);
    }

    /// Follow the leader of the new epoch: truncate, then fetch.
    pub(super) fn become_follower(&mut self, out: &mut KafkaOut) {
        self.epoch = self.epoch.max(self.meta.leader_epoch);
        self.fetching = false;
        out.cancel_timer(KafkaTimer::FetchBackoff);
        let leader = self.meta.leader;
        if leader == 0 {
            return;
        }
        if self.cfg.truncate_to_hw {
            // Before KIP-101: the high watermark is the only guide.
            let hw = self.hw;
            let id = self.id;
            if hw < self.leo() {
                out.note(|| format!("S{id} follows S{leader} and truncates to its high watermark {hw} (pre-KIP-101)"));
            }
            self.truncate(hw, out);
            self.fetch(out);
        } else if let Some(&last) = self.log.last() {
            self.await_leader(out);
            out.send(
                leader,
                KafkaMsg::EpochQuery {
                    epoch: last.epoch,
                    current: self.epoch,
                },
            );
        } else {
            self.fetch(out);
        }
    }

    /// Send the next fetch to the leader.
    pub(super) fn fetch(&mut self, out: &mut KafkaOut) {
        if self.leading || self.meta.leader == 0 || self.role != Role::Broker || self.starting {
            return;
        }
        self.await_leader(out);
        out.send(
            self.meta.leader,
            KafkaMsg::Fetch {
                epoch: self.epoch,
                offset: self.leo(),
            },
        );
    }

    /// The leader answers `OffsetsForLeaderEpoch`.
    pub(super) fn on_epoch_query(
        &mut self,
        from: NodeId,
        epoch: u64,
        current: u64,
        out: &mut KafkaOut,
    ) {
        if !self.leading || current != self.epoch {
            return;
        }
        let (found, end) = self.epoch_end(epoch);
        out.send(
            from,
            KafkaMsg::EpochEnd {
                epoch: found,
                end,
                current,
            },
        );
    }

    /// The follower truncates to where its last epoch ends on the leader.
    pub(super) fn on_epoch_end(
        &mut self,
        from: NodeId,
        epoch: u64,
        end: u64,
        current: u64,
        out: &mut KafkaOut,
    ) {
        if self.leading || from != self.meta.leader || current != self.epoch {
            return;
        }
        // KIP-279: when this replica does not have the epoch the leader
        // answered with, truncate to the end of its own largest epoch
        // below it and ask again; when it does, truncate to where that
        // epoch ends in both logs.
        let (mine, my_end) = self.epoch_end(epoch);
        let id = self.id;
        if mine == epoch || self.log.is_empty() {
            let to = end.min(my_end);
            if to < self.leo() {
                out.note(|| format!("S{id}: S{from} says epoch {epoch} ends at offset {end}; S{id} truncates to {to} (KIP-101)"));
            }
            self.truncate(to, out);
            self.fetch(out);
        } else {
            if my_end < self.leo() {
                out.note(|| format!("S{id}: S{from} has no epoch {mine} records past its epoch {epoch}; S{id} truncates to the end of its epoch {mine}, {my_end}, and asks again (KIP-279)"));
            }
            self.truncate(my_end, out);
            match self.log.last().copied() {
                Some(last) => {
                    self.await_leader(out);
                    out.send(
                        from,
                        KafkaMsg::EpochQuery {
                            epoch: last.epoch,
                            current,
                        },
                    )
                }
                None => self.fetch(out),
            }
        }
    }

    /// The leader's answer to a fetch.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_fetch_response(
        &mut self,
        from: NodeId,
        epoch: u64,
        base: u64,
        records: Vec<Rec>,
        hw: u64,
        error: Option<FetchError>,
        out: &mut KafkaOut,
    ) {
        if self.leading || from != self.meta.leader || epoch != self.epoch {
            return;
        }
        self.fetching = false;
        out.cancel_timer(KafkaTimer::FetchTimeout);
        match error {
            Some(FetchError::OutOfRange(leo)) => {
                self.truncate(leo, out);
                self.fetch(out);
                return;
            }
            Some(_) => {
                // Wait for newer metadata (or for the leader to get it).
                let t = self.cfg.ms(1_000);
                out.set_timer(KafkaTimer::FetchBackoff, t, t);
                return;
            }
            None => {}
        }
        if base != self.leo() {
            self.fetch(out);
            return;
        }
        self.log.extend(records);
        let hw = hw.min(self.leo());
        if hw > self.hw {
            self.hw = hw;
            self.apply_to_hw();
        }
        self.fetch(out);
    }
}
