//! The master's side: follower checks, nodes leaving and (re)joining,
//! promotion of an in-sync copy with the next primary term, and the
//! in-sync set changed by shard failures and started shards.

use super::*;

impl Es {
    /// Publish the cluster state to every data node.
    fn publish(&mut self, out: &mut EsOut) {
        self.cs.version += 1;
        let cs = self.cs;
        let id = self.id;
        out.note(|| format!("S{id} (master) publishes {}", describe_state(&cs)));
        for b in 1..=self.data_nodes() {
            out.send(b, EsMsg::Publish(cs));
        }
    }

    /// Check every node; remove those silent for `retry_count` timeouts.
    pub(super) fn follower_checks(&mut self, out: &mut EsOut) {
        let t = self.cfg.ms(self.cfg.follower_check_interval_ms);
        out.set_timer(EsTimer::FollowerCheck, t, t);
        let now = mono(out);
        let limit = self.cfg.node_left_after() as i64;
        let mut changed = false;
        for b in 1..=self.data_nodes() {
            out.send(b, EsMsg::FollowerCheck(self.cs));
            let last = self.last_ok.get(&b).map_or(now, |l| l.0);
            if self.joined & bit(b) != 0 && now - last > limit {
                let id = self.id;
                out.note(|| {
                    format!(
                        "S{id} (master): S{b} failed its follower checks: it leaves the cluster"
                    )
                });
                self.joined &= !bit(b);
                // The master disconnects from a removed node
                // (`NodeConnectionsService`): whatever is stuck on the old
                // connection is dropped, and the node's next answer or
                // join travels on a new one.
                out.reconnect(b);
                changed |= self.node_left(b, out);
            }
        }
        if changed {
            self.publish(out);
        }
    }

    /// A node answered (or joined): a new incarnation means it restarted,
    /// and its old copy is gone.
    pub(super) fn on_node_heard(
        &mut self,
        from: NodeId,
        incarnation: u64,
        join: bool,
        out: &mut EsOut,
    ) {
        if !self.master {
            return;
        }
        let now = mono(out);
        let known = self.last_ok.get(&from).map_or(0, |l| l.1);
        let mut changed = false;
        if incarnation > known && self.joined & bit(from) != 0 {
            let id = self.id;
            out.note(|| format!("S{id} (master): S{from} restarted; its old copy is gone"));
            changed |= self.node_left(from, out);
        }
        if self.joined & bit(from) == 0 || incarnation > known {
            let id = self.id;
            out.note(|| format!("S{id} (master): S{from} joins the cluster"));
            self.joined |= bit(from);
        }
        // A red index gets a primary as soon as an in-sync copy is heard
        // (also by a restarted master, which counts every node as joined:
        // sweep seed 19,357 stayed red with its in-sync copy answering).
        if self.cs.primary == 0 && self.cs.in_sync & bit(from) != 0 {
            changed |= self.promote(0, out);
        }
        self.last_ok.insert(from, (now, incarnation));
        if changed {
            self.publish(out);
        }
        if join {
            let state = self.cs;
            out.send(from, EsMsg::JoinAck { incarnation, state });
        }
    }

    /// Node `b` left: its copy leaves the in-sync set (unless it is the
    /// last one), and if it held the primary another in-sync copy is
    /// promoted. True when the state changed.
    fn node_left(&mut self, b: NodeId, out: &mut EsOut) -> bool {
        let mut changed = false;
        if self.cs.in_sync & bit(b) != 0 && self.cs.in_sync.count_ones() > 1 {
            self.cs.in_sync &= !bit(b);
            changed = true;
        }
        if self.cs.primary == b {
            self.promote(b, out);
            changed = true;
        }
        changed
    }

    /// Promote the first live in-sync copy (not `not`) with the next
    /// primary term; with none, the index is red. True when it changed.
    fn promote(&mut self, not: NodeId, out: &mut EsOut) -> bool {
        let eligible = if self.cfg.bug == Some(EsBug::PromoteAnyCopy) {
            u32::MAX
        } else {
            self.cs.in_sync
        };
        let pick = self
            .copy_nodes()
            .find(|&c| c != not && eligible & bit(c) != 0 && self.joined & bit(c) != 0);
        let id = self.id;
        match pick {
            Some(c) => {
                let in_sync = self.cs.in_sync & bit(c) != 0;
                self.cs.primary = c;
                self.cs.term += 1;
                self.cs.in_sync |= bit(c);
                let term = self.cs.term;
                out.note(|| {
                    format!("S{id} (master) promotes the in-sync copy on S{c}: primary term {term}")
                });
                out.observe(EsObs::Promoted { node: c, in_sync });
                true
            }
            None => {
                let was = self.cs.primary;
                self.cs.primary = 0;
                if was != 0 {
                    let s = self.cs.in_sync;
                    out.note(|| {
                        format!(
                            "S{id} (master): no live in-sync copy (in-sync {}): the index is red",
                            copies(s)
                        )
                    });
                }
                was != 0
            }
        }
    }

    /// The primary reports a failed copy.
    pub(super) fn on_shard_failed(
        &mut self,
        from: NodeId,
        copy: NodeId,
        term: u64,
        alloc: (u64, u64),
        out: &mut EsOut,
    ) {
        if !self.master {
            return;
        }
        let ok = from == self.cs.primary && term == self.cs.term;
        if ok {
            let d = self.dead.get(&copy).copied().unwrap_or((0, 0));
            self.dead.insert(copy, d.max(alloc));
        }
        if ok && self.cs.in_sync & bit(copy) != 0 && copy != from {
            self.cs.in_sync &= !bit(copy);
            self.publish(out);
        }
        let state = self.cs;
        out.send(
            from,
            EsMsg::ShardFailedAck {
                copy,
                ok,
                state,
                alloc,
            },
        );
    }

    /// The primary reports a recovered copy: it joins the in-sync set.
    pub(super) fn on_shard_started(
        &mut self,
        from: NodeId,
        copy: NodeId,
        term: u64,
        incarnation: u64,
        alloc: (u64, u64),
        out: &mut EsOut,
    ) {
        // Only the copy's current allocation: one recovered by a node's
        // earlier incarnation is gone, and so is one reported failed.
        let current = self.last_ok.get(&copy).map(|l| l.1) == Some(incarnation)
            && self.dead.get(&copy).is_none_or(|d| alloc > *d);
        if !self.master || from != self.cs.primary || term != self.cs.term || !current {
            return;
        }
        if self.cs.in_sync & bit(copy) == 0 && self.joined & bit(copy) != 0 {
            self.cs.in_sync |= bit(copy);
            self.publish(out);
        }
    }
}
