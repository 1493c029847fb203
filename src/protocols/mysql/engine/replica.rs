//! A replica: its receiver (I/O) thread writes the source's events to the
//! relay log (and acknowledges them when semi-sync), its applier (SQL
//! thread) applies them in order; promotion and repointing.

use super::*;

impl MySql {
    /// (Re)connect the receiver thread: ask the source for what we lack.
    pub(super) fn connect(&mut self, out: &mut MyOut) {
        if self.role != Role::Replica || !self.error.is_empty() {
            return;
        }
        self.stream += 1;
        self.stream_pos = None;
        out.send(
            self.source,
            MySqlMsg::Dump {
                have: self.retrieved.clone(),
                semi: self.cfg.rpl_semi_sync_source_enabled,
                stream: self.stream,
            },
        );
        self.arm_net_timeout(out);
        let retry = self.cfg.ms(self.cfg.source_connect_retry * 1_000);
        out.set_timer(MySqlTimer::Reconnect, retry, retry);
    }

    fn arm_net_timeout(&self, out: &mut MyOut) {
        let t = self.cfg.ms(self.cfg.replica_net_timeout * 1_000);
        out.set_timer(MySqlTimer::NetTimeout, t, t);
    }

    /// Something arrived from the source: the connection is alive.
    fn heard(&mut self, out: &mut MyOut) {
        if !self.io {
            self.io = true;
            let (id, s) = (self.id, self.source);
            out.note(|| format!("S{id}'s I/O thread is connected to S{s}"));
        }
        out.cancel_timer(MySqlTimer::Reconnect);
        self.arm_net_timeout(out);
    }

    /// A heartbeat: the source's binlog ends at `pos`. Having received
    /// less on this stream means events were lost with a broken
    /// connection: reconnect.
    pub(super) fn on_heartbeat(&mut self, from: NodeId, pos: u64, stream: u64, out: &mut MyOut) {
        if self.role != Role::Replica || from != self.source || stream != self.stream {
            return;
        }
        match self.stream_pos {
            None => self.stream_pos = Some(pos),
            Some(p) if p < pos => return self.lost_events(out),
            Some(_) => {}
        }
        self.heard(out);
    }

    /// A gap in the stream: the connection broke and came back; start a
    /// new stream from what we have.
    fn lost_events(&mut self, out: &mut MyOut) {
        let (id, s) = (self.id, self.source);
        out.note(|| {
            format!(
                "S{id} missed events from S{s} (the connection broke): its I/O thread reconnects"
            )
        });
        self.io = false;
        self.connect(out);
    }

    /// A binlog event: write it to the relay log, acknowledge it if asked.
    pub(super) fn on_event(
        &mut self,
        from: NodeId,
        (trx, pos, ack): (Trx, u64, bool),
        stream: u64,
        out: &mut MyOut,
    ) {
        if self.role != Role::Replica || from != self.source || stream != self.stream {
            return;
        }
        match self.stream_pos {
            Some(p) if p + 1 == pos => self.stream_pos = Some(pos),
            _ => return self.lost_events(out),
        }
        self.heard(out);
        if self.cfg.bug == Some(MySqlBug::AckBeforeRelayWrite) {
            if ack {
                out.send(from, MySqlMsg::Ack { pos });
                out.observe(MySqlObs::AckSent { gtid: trx.gtid });
            }
            // Written later, by the applier's next step: lost if it crashes first.
            if !self.retrieved.contains(trx.gtid) && !self.unflushed.contains(&trx) {
                self.unflushed.push(trx);
            }
            self.resume_applier(out);
            return;
        }
        self.write_relay(trx);
        if ack {
            out.send(from, MySqlMsg::Ack { pos });
            out.observe(MySqlObs::AckSent { gtid: trx.gtid });
        }
        self.resume_applier(out);
    }

    /// Start the applier if it has work.
    pub(super) fn resume_applier(&mut self, out: &mut MyOut) {
        if self.role != Role::Replica || self.applying {
            return;
        }
        if self.applied < self.relay.len() || !self.unflushed.is_empty() {
            self.applying = true;
            let mut d = self.cfg.ms(self.cfg.replica_apply_delay).max(1);
            if !self.unflushed.is_empty() {
                // The broken variant writes its relay log 50 ms late.
                d = d.max(50_000);
            }
            out.set_timer(MySqlTimer::Apply, d, d);
        }
    }

    /// The applier finishes the next relay-log transaction.
    pub(super) fn apply_next(&mut self, out: &mut MyOut) {
        self.applying = false;
        self.flush_relay();
        if self.role != Role::Replica {
            return;
        }
        self.apply_one();
        self.resume_applier(out);
    }

    /// Write an event to the relay log (once).
    fn write_relay(&mut self, trx: Trx) {
        if !self.retrieved.contains(trx.gtid) {
            self.retrieved.insert(trx.gtid);
            self.relay.push(trx);
        }
    }

    /// The broken variant's late relay-log writes.
    fn flush_relay(&mut self) {
        for trx in std::mem::take(&mut self.unflushed) {
            self.write_relay(trx);
        }
    }

    /// Apply the next relay-log transaction, if any; false when none is left.
    fn apply_one(&mut self) -> bool {
        let Some(&trx) = self.relay.get(self.applied) else {
            return false;
        };
        self.applied += 1;
        if !self.executed.contains(trx.gtid) {
            self.log(trx);
            crate::protocols::common::apply(&mut self.kv, &trx.effect());
        }
        true
    }

    /// Apply the whole relay log now (before promotion).
    fn drain_relay(&mut self) {
        self.flush_relay();
        while self.apply_one() {}
    }

    pub(super) fn on_net_timeout(&mut self, out: &mut MyOut) {
        if self.role != Role::Replica {
            return;
        }
        if self.io {
            self.io = false;
            let (id, s) = (self.id, self.source);
            out.note(|| format!("S{id} heard nothing from S{s} for replica_net_timeout: its I/O thread reconnects"));
        }
        self.connect(out);
    }

    pub(super) fn on_dump_error(&mut self, from: NodeId, errant: String, out: &mut MyOut) {
        if self.role != Role::Replica || from != self.source {
            return;
        }
        self.io = false;
        self.error = format!("errant GTIDs {errant}");
        let id = self.id;
        out.note(|| {
            format!("S{id}'s I/O thread stops: error 1236, the replica has more GTIDs than the source ({errant})")
        });
        out.cancel_timer(MySqlTimer::NetTimeout);
        out.cancel_timer(MySqlTimer::Reconnect);
    }

    /// Become the source of `epoch`: finish the relay log, stop
    /// replicating, read_only=OFF.
    pub(super) fn promote(&mut self, epoch: u64, out: &mut MyOut) {
        if self.role == Role::Orchestrator || epoch <= self.epoch && self.role == Role::Source {
            return;
        }
        if self.cfg.bug != Some(MySqlBug::PromoteWithoutRelayLog) {
            self.drain_relay();
        }
        self.applying = false;
        out.cancel_timer(MySqlTimer::Apply);
        self.epoch = self.epoch.max(epoch);
        self.relay.clear();
        self.applied = 0;
        self.error.clear();
        self.dumps.clear();
        self.acked.clear();
        self.waiting.clear();
        self.start_source(out);
        let (id, set) = (self.id, self.executed.clone());
        out.note(|| format!("S{id} is promoted: it applied its relay log and becomes the source (gtid_executed {set})"));
        out.became_leader(self.epoch);
        out.observe(MySqlObs::Promoted { epoch: self.epoch });
    }

    /// `CHANGE REPLICATION SOURCE TO to, SOURCE_AUTO_POSITION=1`, read_only.
    pub(super) fn change_source(&mut self, to: NodeId, epoch: u64, out: &mut MyOut) {
        if self.role == Role::Orchestrator || epoch < self.epoch || to == self.id {
            return;
        }
        if self.role == Role::Source {
            let id = self.id;
            out.note(|| format!("S{id} is made a read-only replica of S{to}"));
            out.cancel_timer(MySqlTimer::Heartbeat);
            for w in std::mem::take(&mut self.waiting) {
                out.cancel_timer(MySqlTimer::SemiSync(w.pos));
                out.reply(w.req, Reply::Unknown);
            }
            self.dumps.clear();
        }
        self.role = Role::Replica;
        self.epoch = epoch;
        self.source = to;
        self.io = false;
        self.error.clear();
        // CHANGE REPLICATION SOURCE TO purges the relay log (MySQL
        // Reference Manual); what was not applied is fetched again.
        out.observe(MySqlObs::Repointed);
        self.relay.truncate(self.applied);
        self.retrieved = self.executed.clone();
        for t in &self.relay {
            self.retrieved.insert(t.gtid);
        }
        self.unflushed.clear();
        self.connect(out);
    }
}
