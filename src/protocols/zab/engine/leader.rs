//! The leader side: discovery (NEWEPOCH from a quorum of FOLLOWERINFO), synchronisation of each follower, establishing the epoch, and broadcast with quorum commits and pings.

use super::*;

impl Zab {
    // ---- leader ------------------------------------------------------------

    pub(super) fn start_leading(&mut self, out: &mut ZabOut) {
        self.phase = Phase::Discovery;
        self.follow = None;
        self.lead = Some(Lead {
            epoch: 0,
            peers: LiteMap::new(),
            started: self.now,
            counter: 0,
            pending: LiteMap::new(),
            syncs: Vec::new(),
        });
        out.cancel_timer(ZabTimer::Election);
        out.cancel_timer(ZabTimer::Finalize);
        let id = self.id;
        out.note(|| format!("S{id} leads; waiting for a quorum of followers"));
        out.set_timer(ZabTimer::Tick, self.cfg.tick, self.cfg.tick);
        // A looking node may now join us: say so.
        self.broadcast(self.notification(), out);
        for (from, msg) in std::mem::take(&mut self.early) {
            self.leader_message(from, msg, out);
        }
        if self.quorum() == 1 {
            // Alone, it is its own quorum in every phase.
            let epoch = self.accepted_epoch + 1;
            self.accepted_epoch = epoch;
            self.current_epoch = epoch;
            if let Some(l) = self.lead.as_mut() {
                l.epoch = epoch;
            }
            self.establish(out);
        }
    }

    pub(super) fn send_to(
        &mut self,
        to: NodeId,
        make: impl FnOnce(u64, u64) -> ZabMsg,
        out: &mut ZabOut,
    ) {
        let Some(p) = self.lead.as_mut().and_then(|l| l.peers.get_mut(&to)) else {
            return;
        };
        let msg = make(p.session, p.seq);
        p.seq += 1;
        out.send(to, msg);
    }

    /// Send to every follower past AckEpoch (the leader's forwarding set),
    /// each on its own FIFO stream.
    pub(super) fn send_to_followers(
        &mut self,
        make: impl Fn(u64, u64) -> ZabMsg,
        out: &mut ZabOut,
    ) {
        let ids: Vec<NodeId> = self
            .lead
            .as_ref()
            .map(|l| {
                l.peers
                    .iter()
                    .filter(|(_, p)| p.ack_epoch.is_some())
                    .map(|(&k, _)| k)
                    .collect()
            })
            .unwrap_or_default();
        for p in ids {
            self.send_to(p, &make, out);
        }
    }

    pub(super) fn leader_message(&mut self, from: NodeId, msg: ZabMsg, out: &mut ZabOut) {
        let quorum = self.quorum();
        let now = self.now;
        let Some(l) = self.lead.as_mut() else {
            if self.phase == Phase::Election && matches!(msg, ZabMsg::FollowerInfo { .. }) {
                // A follower decided before us: hold its connection until
                // our own finalize wait ends.
                self.early.insert(from, msg);
            }
            return;
        };
        match msg {
            ZabMsg::FollowerInfo {
                accepted_epoch,
                session,
            } => {
                l.peers.insert(
                    from,
                    Peer {
                        session,
                        seq: 0,
                        accepted_epoch,
                        ack_epoch: None,
                        synced: false,
                        acked: Zxid::default(),
                        heard: now,
                    },
                );
                if self.phase == Phase::Discovery && l.epoch == 0 {
                    if l.peers.len() + 1 >= quorum {
                        let epoch = l
                            .peers
                            .values()
                            .map(|p| p.accepted_epoch)
                            .fold(self.accepted_epoch, u64::max)
                            + 1;
                        l.epoch = epoch;
                        self.accepted_epoch = epoch;
                        let id = self.id;
                        out.note(|| format!("S{id} proposes epoch {epoch}"));
                        let ids: Vec<NodeId> = l.peers.keys().copied().collect();
                        for p in ids {
                            self.send_to(
                                p,
                                |session, seq| ZabMsg::NewEpoch {
                                    session,
                                    seq,
                                    epoch,
                                },
                                out,
                            );
                        }
                    }
                } else if l.epoch > 0 {
                    let epoch = l.epoch;
                    self.send_to(
                        from,
                        |session, seq| ZabMsg::NewEpoch {
                            session,
                            seq,
                            epoch,
                        },
                        out,
                    );
                }
            }
            ZabMsg::AckEpoch {
                session,
                epoch,
                current_epoch,
                last,
            } => {
                let mine = (self.current_epoch, self.last_zxid());
                let Some(l) = self.lead.as_mut() else {
                    return;
                };
                let Some(p) = l.peers.get_mut(&from) else {
                    return;
                };
                if p.session != session || epoch != l.epoch || p.ack_epoch.is_some() {
                    return;
                }
                p.ack_epoch = Some((last, current_epoch.is_some()));
                p.heard = now;
                if current_epoch.is_some_and(|c| (c, last) > mine) {
                    self.go_looking("a follower is more up to date than its leader", out);
                    return;
                }
                // Only fresh acceptances of this epoch count (ZooKeeper's
                // waitForEpochAck skips the -1 acks).
                let acked = l
                    .peers
                    .values()
                    .filter(|p| p.ack_epoch.is_some_and(|(_, counts)| counts))
                    .count();
                if self.phase == Phase::Discovery {
                    if acked + 1 >= quorum {
                        self.current_epoch = l.epoch;
                        self.phase = Phase::Sync;
                        let ready: Vec<NodeId> = l
                            .peers
                            .iter()
                            .filter(|(_, p)| p.ack_epoch.is_some())
                            .map(|(&k, _)| k)
                            .collect();
                        for p in ready {
                            self.sync_follower(p, out);
                        }
                        if self.cfg.bug == Some(ZabBug::BroadcastBeforeSync) {
                            self.establish(out);
                        }
                    }
                } else {
                    self.sync_follower(from, out);
                }
            }
            ZabMsg::AckNewLeader { session, last } => {
                let Some(p) = l.peers.get_mut(&from) else {
                    return;
                };
                if p.session != session {
                    return;
                }
                p.synced = true;
                p.acked = p.acked.max(last);
                p.heard = now;
                let synced = l.peers.values().filter(|p| p.synced).count();
                if self.phase == Phase::Sync && synced + 1 >= quorum {
                    self.establish(out);
                } else if self.phase == Phase::Broadcast {
                    self.try_commit(out);
                }
            }
            ZabMsg::Sync { session, req } => {
                let Some(p) = l.peers.get(&from) else {
                    return;
                };
                if p.session != session || !p.synced {
                    return;
                }
                let last = self.last_zxid();
                if let Some(l) = self.lead.as_mut() {
                    l.syncs.push((from, req, last));
                }
                self.flush_syncs(out);
            }
            ZabMsg::Ack { session, last } => {
                let Some(p) = l.peers.get_mut(&from) else {
                    return;
                };
                if p.session != session {
                    return;
                }
                p.heard = now;
                if p.synced {
                    p.acked = p.acked.max(last);
                    self.try_commit(out);
                }
            }
            _ => {}
        }
    }

    /// Phase 2 for one follower: DIFF, TRUNC or SNAP against our history.
    pub(super) fn sync_follower(&mut self, to: NodeId, out: &mut ZabOut) {
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        let Some((last, _)) = l.peers.get(&to).and_then(|p| p.ack_epoch) else {
            return;
        };
        let epoch = l.epoch;
        let sync = if self.cfg.bug == Some(ZabBug::BroadcastBeforeSync) {
            SyncMode::Diff(Vec::new())
        } else if last == Zxid::default() {
            SyncMode::Diff(self.history.clone())
        } else if let Some(pos) = self.history.iter().position(|t| t.zxid == last) {
            SyncMode::Diff(self.history[pos + 1..].to_vec())
        } else if let Some(pos) = self.history.iter().rposition(|t| t.zxid < last) {
            // The follower holds a tail we never committed (of its epoch or
            // a later one that never established): as ZooKeeper's
            // LearnerHandler.syncFollower does, TRUNC to the last zxid we
            // share below it, then DIFF.
            SyncMode::Trunc(self.history[pos].zxid, self.history[pos + 1..].to_vec())
        } else {
            SyncMode::Snap(self.history.clone())
        };
        self.send_to(
            to,
            |session, seq| ZabMsg::NewLeader {
                session,
                seq,
                epoch,
                sync,
            },
            out,
        );
        if self.phase == Phase::Broadcast {
            let committed = self.committed_zxid();
            self.send_to(
                to,
                |session, seq| ZabMsg::UpToDate {
                    session,
                    seq,
                    committed,
                },
                out,
            );
        }
    }

    pub(super) fn committed_zxid(&self) -> Zxid {
        self.delivered
            .checked_sub(1)
            .and_then(|i| self.history.get(i))
            .map(|t| t.zxid)
            .unwrap_or_default()
    }

    /// A quorum holds the new epoch's initial history: commit it and broadcast.
    pub(super) fn establish(&mut self, out: &mut ZabOut) {
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        let epoch = l.epoch;
        self.phase = Phase::Broadcast;
        out.became_leader(epoch);
        let id = self.id;
        out.note(|| format!("S{id} established epoch {epoch}: commits its initial history"));
        let last = self.last_zxid();
        self.deliver_upto(last, out);
        self.flush_replies(out);
        let committed = self.committed_zxid();
        self.send_to_followers(
            |session, seq| ZabMsg::UpToDate {
                session,
                seq,
                committed,
            },
            out,
        );
    }

    pub(super) fn try_commit(&mut self, out: &mut ZabOut) {
        let quorum = self.quorum();
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        let mut upto = None;
        for t in self.history.get(self.delivered..).unwrap_or_default() {
            let acks = 1 + l
                .peers
                .values()
                .filter(|p| p.synced && p.acked >= t.zxid)
                .count();
            if acks >= quorum {
                upto = Some(t.zxid);
            } else {
                break;
            }
        }
        let Some(z) = upto else {
            return;
        };
        self.deliver_upto(z, out);
        self.flush_replies(out);
        self.send_to_followers(
            |session, seq| ZabMsg::Commit {
                session,
                seq,
                zxid: z,
            },
            out,
        );
        self.flush_syncs(out);
    }

    /// Answer the syncs whose zxid is committed (after the commits, on the
    /// same stream).
    pub(super) fn flush_syncs(&mut self, out: &mut ZabOut) {
        let committed = self.committed_zxid();
        let Some(l) = self.lead.as_mut() else {
            return;
        };
        let (done, wait): (Vec<_>, Vec<_>) = std::mem::take(&mut l.syncs)
            .into_iter()
            .partition(|s| s.2 <= committed);
        l.syncs = wait;
        for (to, req, _) in done {
            self.send_to(
                to,
                |session, seq| ZabMsg::SyncDone { session, seq, req },
                out,
            );
        }
    }

    pub(super) fn flush_replies(&mut self, out: &mut ZabOut) {
        for (req, reply) in std::mem::take(&mut self.replies) {
            out.reply(req, reply);
        }
    }

    pub(super) fn leader_tick(&mut self, out: &mut ZabOut) {
        let (quorum, now) = (self.quorum(), self.now);
        let Some(l) = self.lead.as_ref() else {
            return;
        };
        if self.phase != Phase::Broadcast && now.saturating_sub(l.started) > self.cfg.init_limit {
            self.go_looking("no quorum of followers within initLimit", out);
            return;
        }
        if self.phase == Phase::Broadcast {
            let alive = l
                .peers
                .values()
                .filter(|p| p.synced && now.saturating_sub(p.heard) <= self.cfg.sync_limit)
                .count();
            if alive + 1 < quorum {
                self.go_looking("lost contact with a quorum (syncLimit)", out);
                return;
            }
        }
        self.send_to_followers(|session, seq| ZabMsg::Ping { session, seq }, out);
        out.set_timer(ZabTimer::Tick, self.cfg.tick, self.cfg.tick);
    }
}
