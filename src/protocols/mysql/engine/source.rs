//! The source: commits, dump threads, heartbeats and semi-synchronous
//! replication (MySQL Reference Manual, "Semisynchronous Replication").

use super::*;

impl MySql {
    /// Become (or boot as) the source: serve writes, send heartbeats.
    pub(super) fn start_source(&mut self, out: &mut MyOut) {
        self.role = Role::Source;
        self.io = false;
        self.semi_on = self.cfg.rpl_semi_sync_source_enabled;
        let hb = self.cfg.ms(self.cfg.source_heartbeat_period);
        out.set_timer(MySqlTimer::Heartbeat, hb, hb);
        out.cancel_timer(MySqlTimer::NetTimeout);
        out.cancel_timer(MySqlTimer::Reconnect);
    }

    /// A client's transaction: GTID, binlog, then the wait point.
    pub(super) fn commit(&mut self, req: Request, out: &mut MyOut) {
        let c = req.cmd;
        if c.cas
            .is_some_and(|from| self.head.get(&c.key) != Some(&from))
        {
            // The UPDATE ... WHERE matches no row: nothing to log.
            let last = self.binlog.last().map_or(0, |t| gtid_index(t.gtid));
            out.reply(
                req.id,
                crate::protocols::common::answer(&self.head, &c, last),
            );
            return;
        }
        let gtid = (self.id, self.next_seq);
        self.next_seq += 1;
        let trx = Trx { gtid, cmd: c };
        self.log(trx);
        let pos = self.binlog.len() as u64;
        let id = self.id;
        out.note(|| format!("S{id} writes {} ({c}) to its binlog at {pos}", show(gtid)));
        let semi = self.cfg.rpl_semi_sync_source_enabled && self.semi_on;
        if !semi || self.cfg.after_commit {
            crate::protocols::common::apply(&mut self.kv, &trx.effect());
        }
        if semi {
            self.waiting.push(Waiting {
                req: req.id,
                pos,
                trx,
            });
            let t = self.cfg.ms(self.cfg.rpl_semi_sync_source_timeout);
            out.set_timer(MySqlTimer::SemiSync(pos), t, t);
        } else {
            out.reply(
                req.id,
                Reply::Ok {
                    index: gtid_index(gtid),
                },
            );
            out.observe(MySqlObs::Acked {
                gtid,
                ackers: Vec::new(),
            });
        }
        self.send_binlog(out);
    }

    /// Every dump thread sends what its replica has not had yet.
    pub(super) fn send_binlog(&mut self, out: &mut MyOut) {
        let semi = self.cfg.rpl_semi_sync_source_enabled;
        for (&r, cursor) in self.dumps.iter_mut() {
            while cursor.0 < self.binlog.len() {
                let trx = self.binlog[cursor.0];
                cursor.0 += 1;
                let ack = semi && cursor.1;
                out.send(
                    r,
                    MySqlMsg::Event {
                        trx,
                        pos: cursor.0 as u64,
                        ack,
                        stream: cursor.2,
                    },
                );
            }
        }
    }

    /// `COM_BINLOG_DUMP_GTID` from a replica holding `have`.
    pub(super) fn on_dump(
        &mut self,
        from: NodeId,
        have: GtidSet,
        semi: bool,
        stream: u64,
        out: &mut MyOut,
    ) {
        if self.role != Role::Source {
            return;
        }
        let lenient = self.cfg.bug == Some(MySqlBug::DumpIgnoresErrantGtids);
        if !self.executed.is_superset(&have) && !lenient {
            let errant = have.minus(&self.executed);
            let id = self.id;
            out.note(|| {
                format!("S{id} refuses S{from}: the replica has GTIDs the source lacks ({errant})")
            });
            self.dumps.remove(&from);
            out.send(from, MySqlMsg::DumpError { errant });
            return;
        }
        // Auto-position: start at the first transaction the replica lacks.
        let start = self
            .binlog
            .iter()
            .position(|t| !have.contains(t.gtid))
            .unwrap_or(self.binlog.len());
        self.dumps.insert(from, (start, semi, stream));
        out.observe(MySqlObs::DumpStarted { replica: from });
        let id = self.id;
        let missing = self.binlog.len() - start;
        out.note(|| {
            format!("S{id} starts a dump thread for S{from}: {missing} transaction(s) to send")
        });
        // The stream opens with where it starts.
        out.send(
            from,
            MySqlMsg::Heartbeat {
                pos: start as u64,
                stream,
            },
        );
        self.send_binlog(out);
    }

    pub(super) fn on_heartbeat_timer(&mut self, out: &mut MyOut) {
        if self.role != Role::Source {
            return;
        }
        let pos = self.binlog.len() as u64;
        for (&r, d) in &self.dumps {
            out.send(r, MySqlMsg::Heartbeat { pos, stream: d.2 });
        }
        let hb = self.cfg.ms(self.cfg.source_heartbeat_period);
        out.set_timer(MySqlTimer::Heartbeat, hb, hb);
    }

    /// A semi-sync acknowledgement of everything up to `pos`.
    pub(super) fn on_ack(&mut self, from: NodeId, pos: u64, out: &mut MyOut) {
        if self.role != Role::Source {
            return;
        }
        let a = self.acked.entry(from).or_insert(0);
        *a = (*a).max(pos);
        let id = self.id;
        if !self.semi_on && pos >= self.binlog.len() as u64 {
            // A semi-sync replica has caught up: back ON by itself.
            self.semi_on = true;
            out.note(|| format!("S{id}: Semi-sync replication switched ON at position {pos}"));
        }
        let need = self.cfg.rpl_semi_sync_source_wait_for_replica_count as usize;
        let mut done = Vec::new();
        for w in &self.waiting {
            let ackers: Vec<NodeId> = self
                .acked
                .iter()
                .filter(|&(_, &a)| a >= w.pos)
                .map(|(&r, _)| r)
                .collect();
            if ackers.len() >= need {
                done.push((w.pos, ackers));
            }
        }
        for (pos, ackers) in done {
            self.finish(pos, ackers, out);
        }
    }

    /// Commit the transaction waiting at `pos` (if the engine has not yet)
    /// and tell its client OK.
    fn finish(&mut self, pos: u64, ackers: Vec<NodeId>, out: &mut MyOut) {
        let Some(i) = self.waiting.iter().position(|w| w.pos == pos) else {
            return;
        };
        let w = self.waiting.remove(i);
        out.cancel_timer(MySqlTimer::SemiSync(pos));
        if !self.cfg.after_commit {
            crate::protocols::common::apply(&mut self.kv, &w.trx.effect());
        }
        out.reply(
            w.req,
            Reply::Ok {
                index: gtid_index(w.trx.gtid),
            },
        );
        out.observe(MySqlObs::Acked {
            gtid: w.trx.gtid,
            ackers,
        });
    }

    /// `rpl_semi_sync_source_timeout` ran out for the commit at `pos`:
    /// switch semi-sync OFF and answer OK anyway.
    pub(super) fn on_semi_sync_timeout(&mut self, pos: u64, out: &mut MyOut) {
        if !self.waiting.iter().any(|w| w.pos == pos) {
            return;
        }
        let id = self.id;
        out.note(|| {
            format!("S{id}: Timeout waiting for reply of binlog position {pos}. Semi-sync replication switched OFF; the commit is answered OK anyway")
        });
        self.semi_on = false;
        let all: Vec<u64> = self.waiting.iter().map(|w| w.pos).collect();
        for p in all {
            self.finish(p, Vec::new(), out);
        }
    }
}
