//! A data node's side: the primary's write path (wait for every in-sync
//! copy, or for the master to remove the ones that failed), the global
//! checkpoint, replicas taking operations under primary terms, the
//! primary-replica resync, and peer recovery of a stale copy.

use super::*;

impl Es {
    /// This node holds the primary of the state's term.
    pub(super) fn become_primary(&mut self, out: &mut EsOut) {
        self.primary = true;
        self.recovering = false;
        self.term = self.state.term;
        self.trusted = self.lcp();
        self.tracking.clear();
        self.allocations.clear();
        self.recovering_copies = 0;
        self.pending_in_sync = 0;
        self.marked = 0;
        self.reported = 0;
        let others = self.state.in_sync & !bit(self.id);
        for c in self.copy_nodes() {
            if others & bit(c) != 0 {
                self.tracking.insert(c, 0);
            }
        }
        let (id, term, gcp) = (self.id, self.term, self.gcp);
        out.note(|| format!("S{id} is the primary of term {term}; it resyncs its operations above the global checkpoint {gcp}"));
        out.became_leader(term);
        out.observe(EsObs::Primary { term });
        let ops = self.ops.get(gcp as usize..).unwrap_or_default().to_vec();
        self.resync = self.state.in_sync & !bit(self.id);
        self.resync_at = mono(out);
        for c in self.tracking.keys().copied().collect::<Vec<_>>() {
            out.send(
                c,
                EsMsg::Resync {
                    term,
                    from: gcp,
                    ops: ops.clone(),
                    gcp,
                },
            );
        }
        self.advance_gcp(out);
    }

    /// Stop being the primary: writes in flight get no answer they can
    /// trust (the client is told the outcome is unknown).
    fn demote(&mut self, out: &mut EsOut) {
        if !self.primary {
            return;
        }
        self.primary = false;
        for p in std::mem::take(&mut self.pending) {
            out.reply(p.req, Reply::Unknown);
        }
        for r in std::mem::take(&mut self.waiting_active) {
            out.cancel_timer(EsTimer::WriteTimeout(r.id));
            out.reply(r.id, Reply::NotLeader { leader: None });
        }
        self.tracking.clear();
    }

    /// A copy's allocation as this primary knows it: (term, recovery
    /// attempt), or (term, 0) for one it did not recover.
    fn alloc_of(&self, copy: NodeId) -> (u64, u64) {
        (self.term, self.allocations.get(&copy).map_or(0, |a| a.1))
    }

    /// The copies this primary counts as in sync: the master's set and the
    /// recovered copies it marked itself.
    fn in_sync_view(&self) -> u32 {
        self.state.in_sync | self.marked
    }

    /// The primary's write path.
    pub(super) fn write(&mut self, req: Request, out: &mut EsOut) {
        let active = (self.state.in_sync | bit(self.id)).count_ones();
        let w = self.cfg.wait_for_active_shards;
        if active < w {
            // A pre-check only: it waits for enough active copies (or the
            // timeout), and says nothing about the copies after indexing.
            if !self.waiting_active.iter().any(|r| r.id == req.id) {
                let id = self.id;
                out.note(|| format!("S{id}: {active} active copies, wait_for_active_shards={w}: the write waits"));
                self.waiting_active.push(req);
                let t = self.cfg.ms(self.cfg.timeout_ms);
                out.set_timer(EsTimer::WriteTimeout(req.id), t, t);
            }
            return;
        }
        let seq = self.lcp();
        let op = Op {
            term: self.term,
            cmd: req.cmd,
        };
        self.ops.push(op);
        self.trusted = self.lcp();
        apply(&mut self.kv, &req.cmd);
        let gcp = self.gcp;
        let group = (self.state.in_sync | self.recovering_copies) & !bit(self.id);
        for c in self.copy_nodes() {
            if group & bit(c) != 0 {
                out.send(c, EsMsg::Replicate { seq, op, gcp });
            }
        }
        self.pending.push(Pending {
            req: req.id,
            seq,
            // Every copy of the replication group, recovering ones too
            // (ReplicationOperation); a copy reported failed stays in sync
            // until the master says it removed it: this write waits for
            // that too.
            waiting: (self.in_sync_view() | self.recovering_copies)
                & !(self.reported & self.in_sync_view())
                & !bit(self.id),
            failing: self.in_sync_view() & self.reported & !bit(self.id),
            at: mono(out),
        });
        self.advance_gcp(out);
        self.complete(out);
    }

    /// Answer the writes every copy is done with.
    fn complete(&mut self, out: &mut EsOut) {
        let term = self.term;
        let mut i = 0;
        while i < self.pending.len() {
            let p = self.pending[i];
            if p.waiting == 0 && p.failing == 0 {
                self.pending.remove(i);
                let op = self.ops[p.seq as usize];
                out.observe(EsObs::Acked { seq: p.seq, op });
                out.reply(
                    p.req,
                    Reply::Ok {
                        index: op_index(term, p.seq),
                    },
                );
            } else {
                i += 1;
            }
        }
    }

    /// The global checkpoint: the least local checkpoint over the in-sync
    /// copies (`ReplicationTracker.computeGlobalCheckpoint`).
    fn advance_gcp(&mut self, out: &mut EsOut) {
        let mut g = self.lcp();
        let in_sync = self.in_sync_view() | self.pending_in_sync;
        for (&c, &l) in &self.tracking {
            if in_sync & bit(c) != 0 {
                g = g.min(l);
            }
        }
        if g > self.gcp {
            let from = self.gcp;
            self.gcp = g;
            out.observe(EsObs::Gcp { from, to: g });
        }
    }

    /// A replica takes an operation.
    pub(super) fn on_replicate(
        &mut self,
        from: NodeId,
        seq: u64,
        op: Op,
        gcp: u64,
        out: &mut EsOut,
    ) {
        if op.term < self.term {
            let (id, term) = (self.id, self.term);
            out.note(|| {
                format!(
                    "S{id} rejects S{from}'s operation: primary term {} is older than {term}",
                    op.term
                )
            });
            out.send(from, EsMsg::ReplicaReject { term });
            return;
        }
        if self.recovering || self.starting || !self.holds_copy() {
            out.send(
                from,
                EsMsg::ReplicaResponse {
                    term: op.term,
                    lcp: self.lcp(),
                    failed: true,
                },
            );
            return;
        }
        self.adopt_term(op.term, out);
        if self.cfg.bug == Some(EsBug::UntrustedCheckpoint) {
            self.trusted = self.lcp();
        }
        if seq > self.trusted {
            // An operation of this primary's history is missing (its
            // connection broke, or the new primary's resync was lost and
            // what this copy holds above the global checkpoint is an older
            // primary's): this copy fails and will recover.
            let id = self.id;
            out.note(|| format!("S{id} misses operations before seq_no {seq}: its copy fails"));
            self.recovering = true;
            out.send(
                from,
                EsMsg::ReplicaResponse {
                    term: op.term,
                    lcp: self.lcp(),
                    failed: true,
                },
            );
            return;
        }
        self.put(seq, op);
        self.take_gcp(gcp);
        // The local checkpoint counts only this primary's history.
        out.send(
            from,
            EsMsg::ReplicaResponse {
                term: op.term,
                lcp: self.trusted,
                failed: false,
            },
        );
    }

    /// A newer primary term: a primary of an older one steps down. The
    /// operations above the global checkpoint stay until the new primary's
    /// resync replaces them (and trims what it does not have).
    fn adopt_term(&mut self, term: u64, out: &mut EsOut) {
        if term > self.term {
            self.term = term;
            if self.primary {
                self.demote(out);
            }
            // Operations above the global checkpoint are no longer trusted
            // (the local checkpoint falls back to the global one, issue
            // #25452) until the new primary's operations replace them.
            self.trusted = self.trusted.min(self.gcp);
        }
    }

    /// Take the primary's global checkpoint, as far as this copy's
    /// trusted operations go.
    fn take_gcp(&mut self, gcp: u64) {
        self.gcp = self.gcp.max(gcp.min(self.trusted));
    }

    /// Put an operation at its slot (a newer term's operation replaces
    /// what was there, and what followed it).
    fn put(&mut self, seq: u64, op: Op) {
        if seq == self.trusted {
            self.trusted = seq + 1;
        }
        let len = self.lcp();
        if seq < len && self.ops[seq as usize] != op {
            self.ops.truncate(seq as usize);
            self.truncations += 1;
            self.rebuild_kv();
        }
        if seq == self.lcp() {
            self.ops.push(op);
            apply(&mut self.kv, &op.cmd);
        }
    }

    /// A replica's answer.
    pub(super) fn on_replica_response(
        &mut self,
        from: NodeId,
        term: u64,
        lcp: u64,
        failed: bool,
        out: &mut EsOut,
    ) {
        if !self.primary || term != self.term {
            return;
        }
        if failed {
            self.copy_failed(from, out);
            return;
        }
        self.tracking.insert(from, lcp);
        self.resync &= !bit(from);
        self.maybe_mark_in_sync(from, lcp, out);
        for p in &mut self.pending {
            if p.seq < lcp {
                p.waiting &= !bit(from);
            }
        }
        self.advance_gcp(out);
        self.complete(out);
    }

    /// A copy failed: the writes that wait for it now wait for the master
    /// to remove it from the in-sync set.
    fn copy_failed(&mut self, copy: NodeId, out: &mut EsOut) {
        let b = bit(copy);
        self.resync &= !b;
        let in_sync = self.in_sync_view();
        // An in-sync copy's removal must be confirmed by the master; a
        // recovering copy just leaves the replication group.
        let confirm = in_sync & b != 0 && self.cfg.bug != Some(EsBug::AckBeforeShardFailed);
        for p in &mut self.pending {
            if p.waiting & b != 0 {
                p.waiting &= !b;
                if confirm {
                    p.failing |= b;
                }
            }
        }
        if in_sync & b == 0 {
            self.recovering_copies &= !b;
            self.recovered &= !b;
            self.pending_in_sync &= !b;
            self.allocations.remove(&copy);
        }
        if self.cfg.bug == Some(EsBug::AckBeforeShardFailed) {
            // The broken variant: the failed copy is dropped from the
            // replication group, and the master is never told.
            self.complete(out);
            return;
        }
        if self.reported & b == 0 && in_sync & b != 0 {
            self.reported |= b;
            let (id, term) = (self.id, self.term);
            out.note(|| format!("S{id}: the copy on S{copy} failed; it asks the master to remove it from the in-sync set"));
            let alloc = self.alloc_of(copy);
            out.send(self.master_id(), EsMsg::ShardFailed { copy, term, alloc });
        }
        self.complete(out);
    }

    /// Copies that have not answered an operation within
    /// `follower_check.timeout` (the transport's disconnect detection)
    /// are treated as failed.
    pub(super) fn expire_replication(&mut self, out: &mut EsOut) {
        if !self.primary {
            return;
        }
        let limit = self.cfg.ms(self.cfg.follower_check_timeout_ms) as i64;
        let now = mono(out);
        let mut late = self
            .pending
            .iter()
            .filter(|p| now - p.at > limit)
            .fold(0, |a, p| a | p.waiting);
        if now - self.resync_at > limit {
            late |= self.resync & self.in_sync_view();
        }
        for c in self.copy_nodes() {
            if late & bit(c) != 0 {
                self.copy_failed(c, out);
            }
        }
    }

    /// Ask the master again to record the copies this primary marked in
    /// sync (a request may be lost, or reach it before the node's join).
    pub(super) fn resend_started(&mut self, out: &mut EsOut) {
        if !self.primary {
            return;
        }
        let term = self.term;
        for c in self.copy_nodes() {
            // A shard failure the master has not confirmed is reported
            // again (the report, or its answer, may be lost).
            if self.reported & self.in_sync_view() & bit(c) != 0 {
                let alloc = self.alloc_of(c);
                out.send(
                    self.master_id(),
                    EsMsg::ShardFailed {
                        copy: c,
                        term,
                        alloc,
                    },
                );
            }
            if self.marked & !self.state.in_sync & !self.reported & bit(c) != 0 {
                let incarnation = self.allocations.get(&c).map_or(0, |a| a.0);
                out.send(
                    self.master_id(),
                    EsMsg::ShardStarted {
                        copy: c,
                        term,
                        incarnation,
                        alloc: self.alloc_of(c),
                    },
                );
            }
        }
    }

    /// A replica has a newer primary term: this primary is stale.
    pub(super) fn on_reject(&mut self, from: NodeId, term: u64, out: &mut EsOut) {
        if self.primary && term > self.term {
            let id = self.id;
            out.note(|| format!("S{id} learns from S{from} that primary term {term} exists: it is no longer the primary"));
            // As any newer term: what it holds above the global checkpoint
            // is no longer trusted (sweep seed 17,978: a deposed primary
            // kept counting its own last operation, which the new primary
            // never had, and checkpointed it).
            if self.cfg.bug == Some(EsBug::UntrustedCheckpoint) {
                self.demote(out);
                self.term = term;
            } else {
                self.adopt_term(term, out);
            }
        }
    }

    /// The master's answer to a shard failure. An answer about an
    /// allocation the copy no longer has (it recovered again since, and
    /// was marked in sync anew) is old news: the failed allocation is gone,
    /// the copy's current one stays (ES keys shard failures by allocation
    /// id, `ShardStateAction`).
    pub(super) fn on_shard_failed_ack(
        &mut self,
        copy: NodeId,
        ok: bool,
        state: ClusterState,
        alloc: (u64, u64),
        out: &mut EsOut,
    ) {
        self.apply_state(state, out);
        if !ok && self.primary && state.term > self.term {
            self.demote(out);
        }
        let current = alloc == self.alloc_of(copy) || self.cfg.bug == Some(EsBug::StaleFailureAck);
        if ok && self.primary && current {
            let b = bit(copy);
            self.reported &= !b;
            self.marked &= !b;
            self.pending_in_sync &= !b;
            self.recovering_copies &= !b;
            self.recovered &= !b;
            for p in &mut self.pending {
                p.failing &= !b;
                p.waiting &= !b;
            }
            self.complete(out);
        }
    }

    /// A cluster state from the master.
    pub(super) fn apply_state(&mut self, state: ClusterState, out: &mut EsOut) {
        if self.master || state.version < self.state.version || state == self.state {
            return;
        }
        self.heard = mono(out);
        self.state = state;
        if state.primary == self.id {
            if !self.primary || state.term > self.term {
                self.demote(out);
                self.become_primary(out);
            } else {
                // Copies the master removed are no longer waited for;
                // recovering copies still are (`ReplicationOperation` waits
                // for the whole replication group: an operation acknowledged
                // without a copy it was sent to could be missing from it
                // when it is marked in sync; sweep seed 86 while crashes
                // closed connections both ways).
                self.recovering_copies &= !state.in_sync;
                self.marked &= !state.in_sync;
                let in_sync = self.in_sync_view();
                let group = in_sync | self.recovering_copies;
                for p in &mut self.pending {
                    p.waiting &= group;
                    p.failing &= in_sync;
                }
                self.reported &= in_sync;
                self.advance_gcp(out);
                self.complete(out);
                self.retry_waiting(out);
            }
            return;
        }
        if self.primary {
            let id = self.id;
            out.note(|| {
                format!(
                    "S{id} is no longer the primary ({})",
                    describe_state(&state)
                )
            });
            self.demote(out);
        }
        self.maybe_recover(out);
    }

    /// Writes that waited for active copies try again.
    fn retry_waiting(&mut self, out: &mut EsOut) {
        let active = (self.state.in_sync | bit(self.id)).count_ones();
        if active >= self.cfg.wait_for_active_shards {
            for r in std::mem::take(&mut self.waiting_active) {
                out.cancel_timer(EsTimer::WriteTimeout(r.id));
                self.write(r, out);
            }
        }
    }

    /// A stale or restarted copy asks the primary to recover it.
    pub(super) fn maybe_recover(&mut self, out: &mut EsOut) {
        let p = self.state.primary;
        let now = mono(out);
        let wait = self.cfg.ms(self.cfg.follower_check_timeout_ms) as i64;
        // Until the master's state lists this copy in sync, it asks (an
        // answer, or its own report of being done, may have been lost).
        let stale = self.recovering || self.state.in_sync & bit(self.id) == 0;
        if stale
            && self.holds_copy()
            && !self.starting
            && p != 0
            && p != self.id
            && now - self.asked >= wait
        {
            // One recovery at a time: ask again only when an answer is
            // overdue, on a new connection (the old one may be stuck).
            if self.asked > i64::MIN / 2 {
                out.reconnect(p);
            }
            self.asked = now;
            let (term, incarnation) = (self.state.term, self.incarnation);
            out.send(p, EsMsg::StartRecovery { term, incarnation });
        }
    }

    /// The new primary's resync.
    pub(super) fn on_resync(
        &mut self,
        from: NodeId,
        term: u64,
        at: u64,
        ops: Vec<Op>,
        gcp: u64,
        out: &mut EsOut,
    ) {
        if term < self.term {
            return;
        }
        if self.recovering || self.starting || at > self.lcp() {
            self.recovering = true;
            out.send(
                from,
                EsMsg::ReplicaResponse {
                    term,
                    lcp: self.lcp(),
                    failed: true,
                },
            );
            return;
        }
        self.adopt_term(term, out);
        let end = at + ops.len() as u64;
        for (i, op) in ops.into_iter().enumerate() {
            self.put(at + i as u64, op);
        }
        if at <= self.trusted {
            self.trusted = self.trusted.max(end);
        }
        if self.lcp() > end {
            // Trim what the new primary does not have.
            let id = self.id;
            out.note(|| {
                format!(
                    "S{id} trims its operations above seq_no {end}: the new primary never had them"
                )
            });
            self.ops.truncate(end as usize);
            self.truncations += 1;
            self.trusted = self.trusted.min(end);
            self.rebuild_kv();
        }
        self.take_gcp(gcp);
        out.send(
            from,
            EsMsg::ReplicaResponse {
                term,
                lcp: self.trusted,
                failed: false,
            },
        );
    }

    /// The primary starts a peer recovery: the copy joins the replication
    /// group (so it misses nothing from now on) and gets every operation.
    pub(super) fn on_start_recovery(
        &mut self,
        from: NodeId,
        term: u64,
        incarnation: u64,
        out: &mut EsOut,
    ) {
        if !self.primary || term != self.term {
            return;
        }
        // A copy that counts as in sync and asks to recover has failed:
        // the master must remove it first (its removal is confirmed before
        // any write that waited for it is answered).
        let b = bit(from);
        if self.in_sync_view() & b != 0 {
            self.copy_failed(from, out);
            return;
        }
        // A new attempt: whatever the primary knew of the copy's progress
        // belongs to an earlier one.
        self.pending_in_sync &= !b;
        self.reported &= !b;
        self.recovered &= !b;
        self.attempts += 1;
        let attempt = self.attempts;
        self.allocations.insert(from, (incarnation, attempt));
        self.recovering_copies |= b;
        let (ops, gcp) = (self.ops.clone(), self.gcp);
        out.send(
            from,
            EsMsg::Recovery {
                term,
                ops,
                gcp,
                attempt,
            },
        );
    }

    /// The recovering copy takes the primary's operations.
    pub(super) fn on_recovery(
        &mut self,
        from: NodeId,
        term: u64,
        ops: Vec<Op>,
        gcp: u64,
        attempt: u64,
        out: &mut EsOut,
    ) {
        // The newest snapshot wins (the copy may have asked more than once,
        // and the primary only counts its latest attempt); operations sent
        // after it arrive after it.
        if term < self.term || from != self.state.primary || (term, attempt) <= self.applied {
            return;
        }
        self.applied = (term, attempt);
        self.term = term;
        let id = self.id;
        let n = ops.len();
        out.note(|| format!("S{id} recovers from S{from}: {n} operation(s)"));
        self.ops = ops;
        self.truncations += 1;
        self.rebuild_kv();
        self.trusted = self.lcp();
        self.gcp = gcp.min(self.lcp());
        self.recovering = false;
        let lcp = self.lcp();
        out.send(from, EsMsg::RecoveryDone { term, lcp, attempt });
    }

    /// The recovered copy caught up: the primary asks the master to mark
    /// it in sync.
    pub(super) fn on_recovery_done(
        &mut self,
        from: NodeId,
        term: u64,
        lcp: u64,
        attempt: u64,
        out: &mut EsOut,
    ) {
        let current = self.allocations.get(&from).map(|a| a.1) == Some(attempt);
        if !self.primary || term != self.term || self.recovering_copies & bit(from) == 0 || !current
        {
            return;
        }
        self.recovered |= bit(from);
        self.tracking.insert(from, lcp);
        self.maybe_mark_in_sync(from, lcp, out);
    }

    /// `markAllocationIdAsInSync`: a recovering copy whose local
    /// checkpoint reached the global checkpoint (so it holds every
    /// acknowledged operation) counts as in sync for this primary at once,
    /// and the master is asked to record it.
    fn maybe_mark_in_sync(&mut self, copy: NodeId, lcp: u64, out: &mut EsOut) {
        let b = bit(copy);
        if self.recovering_copies & self.recovered & b == 0 || self.marked & b != 0 {
            return;
        }
        if lcp < self.gcp {
            // `pendingInSync`: the global checkpoint waits for it.
            self.pending_in_sync |= b;
            return;
        }
        self.pending_in_sync &= !b;
        self.marked |= b;
        let term = self.term;
        let incarnation = self.allocations.get(&copy).map_or(0, |a| a.0);
        if self.state.in_sync & b == 0 {
            out.send(
                self.master_id(),
                EsMsg::ShardStarted {
                    copy,
                    term,
                    incarnation,
                    alloc: self.alloc_of(copy),
                },
            );
        }
    }
}
