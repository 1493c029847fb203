//! Sentinel: SDOWN after `down-after-milliseconds`, ODOWN by `quorum`,
//! the vote for a failover leader in a new epoch, the promotion of the
//! replica with the highest offset, and the reconfiguration of everyone
//! else, the old master included when it returns (sentinel.md).

use super::*;

impl Redis {
    /// Is the watched master subjectively down for this sentinel?
    /// sentinel.c: no valid reply for down-after-milliseconds, or the
    /// master reports itself a replica for that long plus two INFO
    /// periods.
    pub(super) fn is_sdown(&self) -> bool {
        let mismatch = self
            .mismatch_since
            .is_some_and(|t| self.now_wall - t > self.down_after() + 2 * self.cfg.ms(1_000) as i64);
        self.role == Role::Sentinel
            && (self.silent_for(self.master) > self.down_after() || mismatch)
    }

    fn down_after(&self) -> i64 {
        self.cfg.ms(self.cfg.down_after_milliseconds) as i64
    }

    fn silent_for(&self, id: NodeId) -> i64 {
        // Not heard from yet: counted from the sentinel's start (last_io).
        let last = self.last_ok.get(&id).copied().unwrap_or(self.last_io);
        self.now_wall - last
    }

    /// A command to `to` that expects an answer: the link's wait starts
    /// now unless one is already running.
    fn ask(&mut self, to: NodeId, msg: RedisMsg, out: &mut RedisOut) {
        if !self.pending.contains_key(&to) {
            self.pending.insert(to, self.now_wall);
        }
        out.send(to, msg);
    }

    /// sentinel.c, `sentinelCheckSubjectivelyDown`: a link whose command
    /// has waited more than half of down-after-milliseconds with no answer
    /// is closed and opened again, so that a connection stuck behind
    /// retransmissions after a partition heals does not keep the instance
    /// silent. (Redis also waits 15 s after connecting; the pending wait,
    /// reset by the reconnection, stands in for it.)
    fn close_stuck_links(&mut self, out: &mut RedisOut) {
        let half = self.down_after() / 2;
        let now = self.now_wall;
        let stuck: Vec<NodeId> = self
            .pending
            .iter()
            .filter(|&(_, &since)| now - since > half)
            .map(|(&to, _)| to)
            .collect();
        for to in stuck {
            self.pending.remove(&to);
            out.reconnect(to);
            let id = self.id;
            out.note(|| format!("S{id} (sentinel): closes its link to S{to}: a command waited more than down-after-milliseconds/2; reconnects"));
        }
    }

    /// Once a second: INFO every instance, judge the master.
    pub(super) fn sentinel_tick(&mut self, out: &mut RedisOut) {
        self.now_wall = mono(out);
        self.close_stuck_links(out);
        for d in self.data_ids() {
            self.ask(d, RedisMsg::InfoReq, out);
        }
        // hello (every 2 s in Redis): the current configuration, so that
        // a sentinel that missed a failover converges to the higher epoch.
        if self.epoch > 0 {
            let (master, epoch) = (self.master, self.epoch);
            for s in self.sentinel_ids().filter(|&s| s != self.id) {
                out.send(
                    s,
                    RedisMsg::Hello {
                        master,
                        epoch,
                        current: self.current_epoch,
                    },
                );
            }
        }
        if self.is_sdown() {
            // A failover this sentinel started or voted for is still
            // running (failover-timeout).
            let running =
                self.now_wall - self.election_at < self.cfg.ms(self.cfg.failover_timeout) as i64;
            let downs = 1 + self.down.values().filter(|&&d| d).count();
            if downs >= self.cfg.quorum as usize && !running {
                // ODOWN: ask for votes in a new epoch.
                self.current_epoch += 1;
                self.election = self.current_epoch;
                self.election_at = self.now_wall;
                self.voted = (self.current_epoch, self.id);
                self.votes = vec![self.id];
                let (id, e, m) = (self.id, self.current_epoch, self.master);
                out.note(|| format!("S{id} (sentinel): +odown master S{m} ({downs} of quorum {}); +try-failover, epoch {e}", self.cfg.quorum));
                let peers: Vec<NodeId> = self.sentinel_ids().filter(|&s| s != self.id).collect();
                for s in peers {
                    let ask = RedisMsg::IsMasterDown {
                        master: m,
                        epoch: e,
                        vote: true,
                    };
                    self.ask(s, ask, out);
                }
                self.try_lead(out);
            } else {
                let (m, e) = (self.master, self.current_epoch);
                let peers: Vec<NodeId> = self.sentinel_ids().filter(|&s| s != self.id).collect();
                for s in peers {
                    let ask = RedisMsg::IsMasterDown {
                        master: m,
                        epoch: e,
                        vote: false,
                    };
                    self.ask(s, ask, out);
                }
            }
        } else {
            self.down.clear();
        }
        self.arm_sentinel_timer(out);
    }

    /// Sentinels desynchronise their timers (Redis adds up to a second at
    /// random before a failover attempt), so that they do not all ask for
    /// votes at once.
    pub(super) fn arm_sentinel_timer(&self, out: &mut RedisOut) {
        out.set_timer(RedisTimer::Sentinel, self.cfg.ms(500), self.cfg.ms(1_500));
    }

    /// An instance answered INFO.
    pub(super) fn on_info(&mut self, from: NodeId, info: Info, out: &mut RedisOut) {
        if self.role != Role::Sentinel {
            return;
        }
        self.now_wall = mono(out);
        self.last_ok.insert(from, mono(out));
        // The old master (or a replica pointed elsewhere) is reconfigured.
        if from == self.master {
            if info.master {
                self.mismatch_since = None;
            } else if self.mismatch_since.is_none() {
                self.mismatch_since = Some(mono(out));
            }
        }
        let wrong = from != self.master && (info.master || info.of != self.master);
        if wrong && self.epoch > 0 {
            let (id, m) = (self.id, self.master);
            let to = if from == self.master { 0 } else { m };
            out.note(|| format!("S{id} (sentinel): +convert-to-slave S{from} (master is S{m})"));
            out.send(
                from,
                RedisMsg::ReplicaOf {
                    master: to,
                    epoch: self.epoch,
                },
            );
        }
        self.infos.insert(from, info);
    }

    pub(super) fn on_is_master_down(
        &mut self,
        from: NodeId,
        master: NodeId,
        epoch: u64,
        vote: bool,
        out: &mut RedisOut,
    ) {
        if self.role != Role::Sentinel {
            return;
        }
        self.now_wall = mono(out);
        let down = master == self.master && self.is_sdown();
        if vote && epoch > self.voted.0 {
            // One vote per epoch, to the first who asks; and no failover
            // of its own while that one may be running.
            self.voted = (epoch, from);
            self.current_epoch = self.current_epoch.max(epoch);
            self.election_at = self.now_wall;
        }
        let leader = (self.voted.0 == epoch).then_some(self.voted.1);
        out.send(
            from,
            RedisMsg::Vote {
                down,
                leader,
                epoch,
                current: self.current_epoch,
            },
        );
    }

    /// A sentinel's answer: its view of the master, its vote in `epoch`,
    /// and its current epoch (adopted if higher).
    pub(super) fn on_vote(
        &mut self,
        from: NodeId,
        down: bool,
        leader: Option<NodeId>,
        (epoch, current): (u64, u64),
        out: &mut RedisOut,
    ) {
        if self.role != Role::Sentinel {
            return;
        }
        self.current_epoch = self.current_epoch.max(current);
        self.down.insert(from, down);
        if leader == Some(self.id) && epoch == self.election && !self.votes.contains(&from) {
            self.votes.push(from);
            self.try_lead(out);
        }
    }

    /// With a majority of sentinels (and at least `quorum`), fail over.
    fn try_lead(&mut self, out: &mut RedisOut) {
        let sentinels = self.sentinel_ids().count();
        let need = (self.cfg.quorum as usize).max(sentinels / 2 + 1);
        if self.votes.len() < need || self.election <= self.epoch {
            return;
        }
        let epoch = self.election;
        let now = mono(out);
        let fresh = self.down_after();
        let old = self.master;
        // Replicas heard from lately, by highest offset, then lowest id.
        let best = self
            .infos
            .iter()
            .filter(|(&id, i)| {
                id != old && !i.master && now - self.last_ok.get(&id).copied().unwrap_or(0) <= fresh
            })
            .max_by_key(|(&id, i)| (i.offset, std::cmp::Reverse(id)))
            .map(|(&id, _)| id);
        let id = self.id;
        let Some(new) = best else {
            out.note(|| format!("S{id} (sentinel): -failover-abort-no-good-slave (epoch {epoch})"));
            return;
        };
        out.note(|| {
            format!("S{id} (sentinel): elected leader for epoch {epoch}; +selected-slave S{new}; +switch-master S{old} -> S{new}")
        });
        self.epoch = epoch;
        self.master = new;
        self.mismatch_since = None;
        out.send(new, RedisMsg::ReplicaOf { master: 0, epoch });
        for d in self.data_ids().filter(|&d| d != new) {
            out.send(d, RedisMsg::ReplicaOf { master: new, epoch });
        }
        for s in self.sentinel_ids().filter(|&s| s != self.id) {
            out.send(
                s,
                RedisMsg::Hello {
                    master: new,
                    epoch,
                    current: self.current_epoch,
                },
            );
        }
    }

    /// Another sentinel's configuration (the higher epoch wins) and its
    /// current epoch (adopted if higher).
    pub(super) fn on_hello(&mut self, master: NodeId, epoch: u64, current: u64) {
        if self.role != Role::Sentinel {
            return;
        }
        self.current_epoch = self.current_epoch.max(current);
        if epoch > self.epoch {
            self.epoch = epoch;
            self.master = master;
            self.current_epoch = self.current_epoch.max(epoch);
            self.down.clear();
            self.last_ok.remove(&master);
            self.mismatch_since = None;
        }
    }
}
