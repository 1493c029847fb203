//! The leader's side: produce with `acks`, follower fetches (long-polled),
//! the high watermark over the ISR, and ISR shrink and expand through
//! `AlterPartition` (`Partition.scala`: `appendRecordsToLeader`,
//! `updateFollowerFetchState`, `maybeIncrementLeaderHW`,
//! `checkEnoughReplicasReachOffset`, `maybeShrinkIsr`, `maybeExpandIsr`).

use super::*;

/// Most records one fetch response carries.
const MAX_BATCH: usize = 16;

impl Kafka {
    /// Become the leader of the epoch in `state`.
    pub(super) fn become_leader(&mut self, out: &mut KafkaOut) {
        self.leading = true;
        self.fetching = false;
        self.epoch = self.meta.leader_epoch;
        self.epoch_start = self.leo();
        self.pending_isr = None;
        let now = mono(out);
        self.followers.clear();
        for r in self.replicas() {
            if r != self.id {
                // Follower LEOs are unknown until they fetch; ISR members
                // count as caught up from now.
                self.followers.insert(
                    r,
                    Follower {
                        leo: 0,
                        caught_up: now,
                        last_fetch: (now, 0),
                    },
                );
            }
        }
        out.cancel_timer(KafkaTimer::FetchBackoff);
        out.cancel_timer(KafkaTimer::FetchTimeout);
        let t = self.cfg.ms(self.cfg.replica_lag_time_max_ms / 2);
        out.set_timer(KafkaTimer::IsrExpiration, t, t);
        let (id, epoch, isr, start) = (self.id, self.epoch, self.meta.isr, self.epoch_start);
        let how = if self.meta.unclean {
            " by UNCLEAN election: its log is now the truth"
        } else {
            ""
        };
        out.note(|| {
            format!(
                "S{id} becomes leader of epoch {epoch}{how} (ISR {}); epoch {epoch} starts at offset {start}",
                members(isr)
            )
        });
        out.became_leader(epoch);
        out.observe(KafkaObs::Leader { epoch });
        self.maybe_advance_hw(out);
    }

    /// Stop leading: waiting produces get `NOT_LEADER_OR_FOLLOWER` (their
    /// records may or may not survive), parked fetches are dropped.
    pub(super) fn stop_leading(&mut self, out: &mut KafkaOut) {
        if !self.leading {
            return;
        }
        self.leading = false;
        for (req, _) in std::mem::take(&mut self.delayed) {
            out.cancel_timer(KafkaTimer::ProduceTimeout(req));
            out.reply(req, Reply::Unknown);
        }
        for f in std::mem::take(&mut self.parked).keys() {
            out.cancel_timer(KafkaTimer::FetchWait(*f));
        }
        self.followers.clear();
        self.pending_isr = None;
        out.cancel_timer(KafkaTimer::IsrExpiration);
    }

    /// The ISR the leader counts: the committed one, widened by a change
    /// in flight (`maximalIsr`).
    fn maximal_isr(&self) -> u32 {
        self.meta.isr | self.pending_isr.map_or(0, |p| p.0)
    }

    /// A producer's record.
    pub(super) fn produce(&mut self, req: Request, out: &mut KafkaOut) {
        let isr = self.meta.isr.count_ones();
        let min = self.cfg.min_insync_replicas;
        let id = self.id;
        if self.cfg.acks == -1 && isr < min {
            out.note(|| format!("S{id}: NOT_ENOUGH_REPLICAS: the ISR has {isr} member(s), min.insync.replicas is {min}; nothing appended"));
            out.reply(req.id, Reply::Aborted { index: 0 });
            return;
        }
        let offset = self.leo();
        self.log.push(Rec {
            epoch: self.epoch,
            cmd: req.cmd,
        });
        let index = record_index(self.epoch, offset);
        match self.cfg.acks {
            -1 => {
                self.delayed.push((req.id, offset));
                let t = self.cfg.ms(self.cfg.request_timeout_ms);
                out.set_timer(KafkaTimer::ProduceTimeout(req.id), t, t);
                self.maybe_advance_hw(out);
            }
            acks => {
                out.note(|| format!("S{id} appends {} at offset {offset} and answers at once (acks={acks}): no follower has it yet", req.cmd));
                out.reply(req.id, Reply::Ok { index });
            }
        }
        // New data completes parked fetches.
        for (f, o) in std::mem::take(&mut self.parked) {
            out.cancel_timer(KafkaTimer::FetchWait(f));
            self.answer_fetch(f, o, out);
        }
    }

    /// A fetch from a follower (or a stale one from a former follower).
    pub(super) fn on_fetch(&mut self, from: NodeId, epoch: u64, offset: u64, out: &mut KafkaOut) {
        let error = if !self.leading {
            Some(FetchError::NotLeader)
        } else if epoch < self.epoch {
            Some(FetchError::Fenced)
        } else if epoch > self.epoch {
            Some(FetchError::Unknown)
        } else if offset > self.leo() {
            Some(FetchError::OutOfRange(self.leo()))
        } else {
            None
        };
        if let Some(e) = error {
            let (id, current) = (self.id, self.epoch);
            out.note(|| match e {
                FetchError::OutOfRange(leo) => format!("S{id} refuses S{from}'s fetch from offset {offset}: OFFSET_OUT_OF_RANGE (its log ends at {leo})"),
                _ => format!("S{id} refuses S{from}'s fetch in epoch {epoch}: {} (its epoch is {current})", error_name(e)),
            });
            out.send(
                from,
                KafkaMsg::FetchResponse {
                    epoch,
                    base: offset,
                    records: Vec::new(),
                    hw: 0,
                    error: Some(e),
                },
            );
            return;
        }
        let Some(&f) = self.followers.get(&from) else {
            return;
        };
        let now = mono(out);
        let leo = self.leo();
        // `updateFollowerFetchState`: caught up if it fetched from the
        // leader's LEO now, or from the LEO of its previous fetch.
        let caught_up = if offset >= leo {
            now
        } else if offset >= f.last_fetch.1 {
            f.last_fetch.0.max(f.caught_up)
        } else {
            f.caught_up
        };
        self.followers.insert(
            from,
            Follower {
                leo: offset,
                caught_up,
                last_fetch: (now, leo),
            },
        );
        self.maybe_expand_isr(from, offset, out);
        let hw_moved = self.maybe_advance_hw(out);
        if offset < self.leo() || hw_moved {
            self.answer_fetch(from, offset, out);
        } else {
            // Long poll: answer when there is data, the HW moves, or
            // replica.fetch.wait.max.ms passes.
            self.parked.insert(from, offset);
            let t = self.cfg.ms(self.cfg.replica_fetch_wait_max_ms);
            out.set_timer(KafkaTimer::FetchWait(from), t, t);
        }
    }

    /// Send follower `f` the records from `offset` and the HW.
    pub(super) fn answer_fetch(&mut self, f: NodeId, offset: u64, out: &mut KafkaOut) {
        let from = (offset as usize).min(self.log.len());
        let to = (from + MAX_BATCH).min(self.log.len());
        out.send(
            f,
            KafkaMsg::FetchResponse {
                epoch: self.epoch,
                base: offset,
                records: self.log[from..to].to_vec(),
                hw: self.hw,
                error: None,
            },
        );
    }

    /// `maybeIncrementLeaderHW`: the HW becomes the least LEO over the
    /// (maximal) ISR. Completes produces it passes and answers parked
    /// fetches. True when it moved.
    pub(super) fn maybe_advance_hw(&mut self, out: &mut KafkaOut) -> bool {
        if !self.leading {
            return false;
        }
        let isr = self.maximal_isr();
        let mut hw = self.leo();
        for (&r, f) in &self.followers {
            if isr & bit(r) != 0 {
                hw = hw.min(f.leo);
            }
        }
        // KIP-966's strict min ISR: no progress below min.insync.replicas.
        if self.cfg.eligible_leader_replicas
            && self.meta.isr.count_ones() < self.cfg.min_insync_replicas
        {
            hw = self.hw;
        }
        if hw <= self.hw {
            return false;
        }
        let from = self.hw;
        self.hw = hw;
        self.apply_to_hw();
        out.observe(KafkaObs::Hw { from, to: hw });
        let enough = self.meta.isr.count_ones() >= self.cfg.min_insync_replicas;
        let epoch = self.epoch;
        let mut i = 0;
        while i < self.delayed.len() {
            let (req, offset) = self.delayed[i];
            if offset < hw {
                self.delayed.remove(i);
                out.cancel_timer(KafkaTimer::ProduceTimeout(req));
                if enough {
                    out.reply(
                        req,
                        Reply::Ok {
                            index: record_index(epoch, offset),
                        },
                    );
                } else {
                    let (id, n) = (self.id, self.meta.isr.count_ones());
                    out.note(|| format!("S{id}: NOT_ENOUGH_REPLICAS_AFTER_APPEND for offset {offset}: the ISR shrank to {n} while it waited (the record stays in the log)"));
                    out.reply(req, Reply::Unknown);
                }
            } else {
                i += 1;
            }
        }
        for (f, o) in std::mem::take(&mut self.parked) {
            out.cancel_timer(KafkaTimer::FetchWait(f));
            self.answer_fetch(f, o, out);
        }
        true
    }

    /// `maybeExpandIsr`: a follower outside the ISR whose LEO reached the
    /// HW and the start of this epoch goes back in.
    fn maybe_expand_isr(&mut self, f: NodeId, leo: u64, out: &mut KafkaOut) {
        let caught_up = leo >= self.hw && leo >= self.epoch_start
            || self.cfg.bug == Some(KafkaBug::ExpandWithoutCatchingUp);
        if self.maximal_isr() & bit(f) == 0 && self.pending_isr.is_none() && caught_up {
            let isr = self.meta.isr | bit(f);
            let (id, hw) = (self.id, self.hw);
            out.note(|| {
                format!(
                    "S{id}: S{f} caught up (LEO {leo} ≥ HW {hw}): ISR expand {} → {}",
                    members(isr & !bit(f)),
                    members(isr)
                )
            });
            self.alter_isr(isr, out);
        }
    }

    /// `maybeShrinkIsr`, every `replica.lag.time.max.ms` / 2: followers
    /// that have not caught up for `replica.lag.time.max.ms` leave the ISR.
    pub(super) fn isr_expiration(&mut self, out: &mut KafkaOut) {
        if !self.leading {
            return;
        }
        let t = self.cfg.ms(self.cfg.replica_lag_time_max_ms / 2);
        out.set_timer(KafkaTimer::IsrExpiration, t, t);
        let now = mono(out);
        let lag = self.cfg.ms(self.cfg.replica_lag_time_max_ms) as i64;
        if let Some((isr, at)) = self.pending_isr {
            // No answer (the controller is down or the link is cut): ask again.
            if now - at >= lag / 2 {
                self.alter_isr(isr, out);
            }
            return;
        }
        let mut isr = self.meta.isr;
        for (&r, f) in &self.followers {
            if isr & bit(r) != 0 && now - f.caught_up > lag {
                isr &= !bit(r);
            }
        }
        if isr != self.meta.isr {
            let (id, old) = (self.id, self.meta.isr);
            out.note(|| {
                format!(
                    "S{id}: ISR shrink {} → {}: not caught up for replica.lag.time.max.ms",
                    members(old),
                    members(isr)
                )
            });
            self.alter_isr(isr, out);
        }
    }

    /// Send `AlterPartition` for `isr` to the controller.
    fn alter_isr(&mut self, isr: u32, out: &mut KafkaOut) {
        self.pending_isr = Some((isr, mono(out)));
        out.send(
            self.controller(),
            KafkaMsg::AlterPartition {
                leader_epoch: self.epoch,
                partition_epoch: self.meta.partition_epoch,
                isr,
            },
        );
    }
}
