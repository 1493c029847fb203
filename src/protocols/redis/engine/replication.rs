//! Master and replica: writes, the backlog, PSYNC with `+CONTINUE` or
//! `+FULLRESYNC`, the stream, REPLCONF ACK, promotion and demotion
//! (`replication.c`: `masterTryPartialResynchronization`,
//! `shiftReplicationId`).

use super::*;

impl Redis {
    pub(super) fn start_master(&mut self, out: &mut RedisOut) {
        self.role = Role::Master;
        self.link = false;
        let t = self.cfg.ms(self.cfg.repl_ping_replica_period * 1_000);
        out.set_timer(RedisTimer::Ping, t, t);
        out.cancel_timer(RedisTimer::Cron);
    }

    /// Apply a write at `offset` (after it) under the current replid. A
    /// compare-and-set that passed on the master is a plain write here.
    fn apply_write(&mut self, cmd: Command, offset: u64) {
        crate::protocols::common::apply(&mut self.kv, &Command { cas: None, ..cmd });
        self.offset = offset;
        self.applied.insert((self.replid & 0x7f_ffff, offset), cmd);
        self.backlog.push_back((offset, cmd));
        let keep = (self.cfg.repl_backlog_size / WRITE_BYTES).max(1) as usize;
        while self.backlog.len() > keep {
            self.backlog.pop_front();
        }
    }

    /// The offset the backlog starts after.
    fn backlog_start(&self) -> u64 {
        self.backlog
            .front()
            .map_or(self.offset, |(o, _)| o - WRITE_BYTES)
    }

    /// A client's write on the master: answered at once.
    pub(super) fn write(&mut self, req: Request, out: &mut RedisOut) {
        let need = self.cfg.min_replicas_to_write as usize;
        if need > 0 {
            let lag = self.cfg.ms(self.cfg.min_replicas_max_lag * 1_000) as i64;
            let now = mono(out);
            let good = self.replicas.values().filter(|r| now - r.1 <= lag).count();
            if good < need {
                let id = self.id;
                out.note(|| format!("S{id}: -NOREPLICAS Not enough good replicas to write ({good} of {need} acknowledged within min-replicas-max-lag)"));
                out.reply(req.id, Reply::Aborted { index: 0 });
                return;
            }
        }
        let c = req.cmd;
        if c.cas.is_some_and(|from| self.kv.get(&c.key) != Some(&from)) {
            let index = write_index(self.replid, self.offset);
            out.reply(
                req.id,
                crate::protocols::common::answer(&self.kv, &c, index),
            );
            return;
        }
        let offset = self.offset + WRITE_BYTES;
        self.apply_write(c, offset);
        for &r in self.replicas.keys() {
            out.send(r, RedisMsg::Command { cmd: c, offset });
        }
        let n = self.cfg.wait_numreplicas;
        if n > 0 {
            // The client's WAIT n timeout: the write is done (and stays
            // done whatever WAIT answers); the answer waits for n ACKs.
            self.waits.push((req.id, offset));
            for &r in self.replicas.keys() {
                out.send(r, RedisMsg::GetAck);
            }
            if self.cfg.wait_timeout > 0 {
                let t = self.cfg.ms(self.cfg.wait_timeout);
                out.set_timer(RedisTimer::Wait(offset), t, t);
            }
            self.release_waits(out);
            return;
        }
        out.reply(
            req.id,
            Reply::Ok {
                index: write_index(self.replid, offset),
            },
        );
    }

    pub(super) fn ping(&mut self, out: &mut RedisOut) {
        if self.role != Role::Master {
            return;
        }
        for &r in self.replicas.keys() {
            out.send(
                r,
                RedisMsg::Ping {
                    offset: self.offset,
                },
            );
        }
        let t = self.cfg.ms(self.cfg.repl_ping_replica_period * 1_000);
        out.set_timer(RedisTimer::Ping, t, t);
    }

    /// `PSYNC replid offset`: continue from the backlog, or resync in full.
    pub(super) fn on_psync(&mut self, from: NodeId, replid: u64, offset: u64, out: &mut RedisOut) {
        if self.role != Role::Master {
            return;
        }
        let ours = replid == self.replid
            || (replid == self.replid2 && offset <= self.second_offset)
            || (self.cfg.bug == Some(RedisBug::PsyncAnyReplid) && replid != 0);
        let in_backlog = offset >= self.backlog_start() && offset <= self.offset;
        let id = self.id;
        if replid != 0 && ours && in_backlog {
            out.note(|| {
                format!(
                    "S{id} accepts S{from}'s partial resync from offset {}",
                    offset + 1
                )
            });
            out.send(
                from,
                RedisMsg::Continue {
                    replid: self.replid,
                },
            );
            for &(o, cmd) in self.backlog.iter().filter(|(o, _)| *o > offset) {
                out.send(from, RedisMsg::Command { cmd, offset: o });
            }
        } else {
            let why = if replid == 0 {
                "it has no replication id yet".to_string()
            } else if replid == self.replid2 && offset > self.second_offset {
                format!("it took writes this master never had (offset {offset} > second_replid_offset {})", self.second_offset)
            } else if !ours {
                "its replication id is not this history's".to_string()
            } else {
                "its offset is no longer in the backlog".to_string()
            };
            out.note(|| format!("S{id} answers S{from} with +FULLRESYNC: {why}"));
            out.send(
                from,
                RedisMsg::FullResync {
                    replid: self.replid,
                    offset: self.offset,
                    data: self.kv.clone(),
                },
            );
        }
        self.replicas.insert(from, (offset, mono(out)));
    }

    pub(super) fn on_full_resync(
        &mut self,
        from: NodeId,
        replid: u64,
        offset: u64,
        data: Kv,
        out: &mut RedisOut,
    ) {
        if self.role != Role::Replica || from != self.master {
            return;
        }
        let id = self.id;
        let lost = self.offset;
        out.note(|| format!("S{id} flushes its data (offset {lost}) and loads the RDB snapshot at offset {offset}"));
        self.kv = data;
        self.applied.clear();
        self.backlog.clear();
        self.replid = replid;
        self.replid2 = 0;
        self.second_offset = 0;
        self.offset = offset;
        self.up(out);
    }

    pub(super) fn on_continue(&mut self, from: NodeId, replid: u64, out: &mut RedisOut) {
        if self.role != Role::Replica || from != self.master {
            return;
        }
        if replid != self.replid {
            // The master's history continues ours under a new id.
            self.replid2 = self.replid;
            self.second_offset = self.offset;
            self.replid = replid;
        }
        self.up(out);
    }

    fn up(&mut self, out: &mut RedisOut) {
        self.link = true;
        self.sync_at = None;
        self.last_io = mono(out);
        let (id, m) = (self.id, self.master);
        out.note(|| format!("S{id}: MASTER <-> REPLICA sync with S{m} done"));
    }

    pub(super) fn on_command(
        &mut self,
        from: NodeId,
        cmd: Command,
        offset: u64,
        out: &mut RedisOut,
    ) {
        if self.role != Role::Replica || from != self.master || !self.link {
            return;
        }
        self.last_io = mono(out);
        if offset == self.offset + WRITE_BYTES {
            self.apply_write(cmd, offset);
        } else if offset > self.offset {
            // A gap: the connection lost part of the stream.
            self.link = false;
            self.connect(out);
        }
    }

    /// How many replicas have acknowledged `offset`.
    fn acked(&self, offset: u64) -> usize {
        self.replicas.values().filter(|r| r.0 >= offset).count()
    }

    /// Answer the clients blocked in WAIT whose write enough replicas
    /// acknowledged: WAIT returns n, the client reads OK.
    pub(super) fn release_waits(&mut self, out: &mut RedisOut) {
        let n = self.cfg.wait_numreplicas as usize;
        let mut i = 0;
        while i < self.waits.len() {
            let (req, offset) = self.waits[i];
            let got = self.acked(offset);
            if got >= n {
                self.waits.remove(i);
                out.cancel_timer(RedisTimer::Wait(offset));
                let id = self.id;
                out.note(|| format!("S{id}: WAIT {n} returns {got}: offset {offset} acknowledged"));
                let index = write_index(self.replid, offset);
                out.reply(req, Reply::Ok { index });
            } else {
                i += 1;
            }
        }
    }

    /// WAIT timed out with fewer ACKs than asked: it returns the count,
    /// and the client cannot tell whether its write will survive (the
    /// master keeps it either way).
    pub(super) fn wait_timeout(&mut self, offset: u64, out: &mut RedisOut) {
        let Some(i) = self.waits.iter().position(|w| w.1 == offset) else {
            return;
        };
        let (req, _) = self.waits.remove(i);
        let (id, n, got) = (self.id, self.cfg.wait_numreplicas, self.acked(offset));
        out.note(|| format!("S{id}: WAIT {n} times out and returns {got}: the write stays on S{id}, with fewer replicas than asked"));
        out.reply(req, Reply::Unknown);
    }

    /// A master that stops being one answers its blocked WAITs as unknown.
    fn drop_waits(&mut self, out: &mut RedisOut) {
        for (req, offset) in std::mem::take(&mut self.waits) {
            out.cancel_timer(RedisTimer::Wait(offset));
            out.reply(req, Reply::Unknown);
        }
    }

    /// The replica's cron: acknowledge, notice a dead link, reconnect.
    pub(super) fn cron(&mut self, out: &mut RedisOut) {
        if self.role != Role::Replica {
            return;
        }
        let timeout = self.cfg.ms(self.cfg.repl_timeout * 1_000) as i64;
        if self.link && mono(out) - self.last_io > timeout {
            self.link = false;
            let id = self.id;
            out.note(|| format!("S{id}: MASTER timeout: no data nor PING received"));
            // The replica drops the connection and reconnects.
            out.reconnect(self.master);
        }
        if self.link {
            out.send(
                self.master,
                RedisMsg::Ack {
                    offset: self.offset,
                },
            );
        } else {
            self.connect(out);
        }
        let t = self.cfg.ms(1_000);
        out.set_timer(RedisTimer::Cron, t, t);
    }

    /// Ask the master for what we lack (once at a time, until
    /// `repl-timeout`).
    pub(super) fn connect(&mut self, out: &mut RedisOut) {
        let timeout = self.cfg.ms(self.cfg.repl_timeout * 1_000) as i64;
        if self.sync_at.is_some_and(|t| mono(out) - t < timeout) {
            return;
        }
        if self.sync_at.is_some() {
            // The last PSYNC went unanswered for repl-timeout: a new
            // connection, not one stuck behind it.
            out.reconnect(self.master);
        }
        self.sync_at = Some(mono(out));
        out.send(
            self.master,
            RedisMsg::Psync {
                replid: self.replid,
                offset: self.offset,
            },
        );
    }

    /// `REPLICAOF master` (0: `REPLICAOF NO ONE`) from a sentinel.
    pub(super) fn replica_of(&mut self, master: NodeId, epoch: u64, out: &mut RedisOut) {
        if self.role == Role::Sentinel || epoch < self.epoch {
            return;
        }
        self.epoch = epoch;
        let id = self.id;
        if master == 0 || master == self.id {
            if self.role == Role::Master {
                return;
            }
            // shiftReplicationId: the old history stays valid as replid2.
            self.replid2 = self.replid;
            self.second_offset = self.offset;
            self.replid = new_replid(self.id, epoch);
            self.replicas.clear();
            self.start_master(out);
            let (r, o) = (self.replid, self.offset);
            out.note(|| {
                format!(
                    "S{id}: REPLICAOF NO ONE: master with replid {} (offset {o})",
                    hex(r)
                )
            });
            out.became_leader(epoch);
            return;
        }
        if self.role == Role::Replica && self.master == master {
            return;
        }
        if self.role == Role::Master {
            out.cancel_timer(RedisTimer::Ping);
            self.replicas.clear();
            self.drop_waits(out);
        }
        self.role = Role::Replica;
        self.master = master;
        self.link = false;
        self.sync_at = None;
        out.note(|| format!("S{id}: REPLICAOF S{master}"));
        let t = self.cfg.ms(1_000);
        out.set_timer(RedisTimer::Cron, t, t);
        self.connect(out);
    }
}
