//! The follower side of discovery, synchronisation and broadcast: FOLLOWERINFO, ACKEPOCH, the DIFF/TRUNC/SNAP sync, NEWLEADER, and proposals and commits in order.

use super::*;

impl Zab {
    // ---- follower ----------------------------------------------------------

    pub(super) fn start_following(&mut self, leader: NodeId, out: &mut ZabOut) {
        self.sessions += 1;
        // Unique across restarts (the counter is volatile, time is not): a
        // restarted follower must never accept its old session's stream.
        let session = (self.now << 10) | ((self.sessions % 64) << 4) | u64::from(self.id);
        self.follow = Some(Follow {
            leader,
            session,
            expect: 0,
            buffer: LiteMap::new(),
            reads: LiteMap::new(),
        });
        self.phase = Phase::Discovery;
        self.early.clear();
        out.cancel_timer(ZabTimer::Election);
        out.cancel_timer(ZabTimer::Finalize);
        let id = self.id;
        out.note(|| format!("S{id} follows S{leader}"));
        out.send(
            leader,
            ZabMsg::FollowerInfo {
                accepted_epoch: self.accepted_epoch,
                session,
            },
        );
        self.arm_follower(out);
    }

    pub(super) fn arm_follower(&self, out: &mut ZabOut) {
        out.set_timer(
            ZabTimer::Follower,
            self.cfg.follower_timeout_min,
            self.cfg.follower_timeout_max,
        );
    }

    /// A leader-to-follower message: buffer it and process the stream in order.
    pub(super) fn on_stream(&mut self, from: NodeId, msg: ZabMsg, out: &mut ZabOut) {
        let Some((session, seq)) = msg.seq() else {
            return;
        };
        let Some(f) = self.follow.as_mut() else {
            return;
        };
        if f.leader != from || f.session != session || seq < f.expect {
            return;
        }
        f.buffer.insert(seq, msg);
        loop {
            let Some(f) = self.follow.as_mut() else {
                return;
            };
            let expect = f.expect;
            let Some(m) = f.buffer.remove(&expect) else {
                break;
            };
            f.expect += 1;
            self.arm_follower(out);
            self.follower_step(from, session, m, out);
        }
    }

    pub(super) fn follower_step(
        &mut self,
        leader: NodeId,
        session: u64,
        msg: ZabMsg,
        out: &mut ZabOut,
    ) {
        let id = self.id;
        match msg {
            ZabMsg::NewEpoch { epoch, .. } => {
                // Zab §IV-A, phase 1: acknowledge only an epoch above every
                // one accepted before. ZooKeeper answers an equal epoch with
                // -1, which the leader syncs but does not count; a lower one
                // ends the session.
                if epoch < self.accepted_epoch {
                    self.go_looking("offered an epoch older than one it accepted", out);
                    return;
                }
                let fresh = epoch > self.accepted_epoch
                    || self.cfg.bug == Some(ZabBug::CountRepeatedEpochAck);
                self.accepted_epoch = epoch;
                self.phase = Phase::Sync;
                if !fresh {
                    out.note(|| {
                        format!(
                            "S{id} already accepted epoch {epoch}: acks it with -1 (not counted)"
                        )
                    });
                }
                out.send(
                    leader,
                    ZabMsg::AckEpoch {
                        session,
                        epoch,
                        current_epoch: fresh.then_some(self.current_epoch),
                        last: self.last_zxid(),
                    },
                );
            }
            ZabMsg::NewLeader { epoch, sync, .. } => {
                // Phase 2: accept NEWLEADER(e') only if acceptedEpoch = e'.
                if epoch != self.accepted_epoch {
                    self.go_looking("NewLeader's epoch is not the one it accepted", out);
                    return;
                }
                let before: Vec<Txn> =
                    self.history[..self.delivered.min(self.history.len())].to_vec();
                let how = match sync {
                    SyncMode::Diff(txns) => {
                        let last = self.last_zxid();
                        self.history
                            .extend(txns.into_iter().filter(|t| t.zxid > last));
                        "DIFF"
                    }
                    SyncMode::Trunc(to, txns) => {
                        if to != Zxid::default() && !self.history.iter().any(|t| t.zxid == to) {
                            // ZooKeeper's truncateLog fails when the zxid is
                            // not in the log; the follower gives up the session.
                            self.go_looking("cannot truncate to a zxid it does not hold", out);
                            return;
                        }
                        self.history.retain(|t| t.zxid <= to);
                        self.history.extend(txns);
                        "TRUNC"
                    }
                    SyncMode::Snap(txns) => {
                        self.history = txns;
                        "SNAP"
                    }
                };
                if self.history.len() < before.len() || self.history[..before.len()] != before[..] {
                    out.observe(ZabObs::RewroteDelivered(format!(
                        "S{id}'s {how} from S{leader} changed transactions it had already delivered"
                    )));
                    // Only a broken leader gets here; keep the count within the history.
                    self.delivered = self.delivered.min(self.history.len());
                }
                self.current_epoch = epoch;
                out.note(|| format!("S{id} syncs with S{leader} by {how}; currentEpoch = {epoch}"));
                out.send(
                    leader,
                    ZabMsg::AckNewLeader {
                        session,
                        last: self.last_zxid(),
                    },
                );
            }
            ZabMsg::UpToDate { committed, .. } => {
                self.phase = Phase::Broadcast;
                self.deliver_upto(committed, out);
            }
            ZabMsg::Propose { txn, .. } => {
                if txn.zxid > self.last_zxid() {
                    self.history.push(txn);
                }
                out.send(
                    leader,
                    ZabMsg::Ack {
                        session,
                        last: self.last_zxid(),
                    },
                );
            }
            ZabMsg::Commit { zxid, .. } => self.deliver_upto(zxid, out),
            ZabMsg::SyncDone { req, .. } => {
                let cmd = self.follow.as_mut().and_then(|f| f.reads.remove(&req));
                if let Some(cmd) = cmd {
                    let reply =
                        crate::protocols::common::answer(&self.kv, &cmd, self.delivered as u64);
                    out.reply(req, reply);
                }
            }
            ZabMsg::Ping { .. } => out.send(
                leader,
                ZabMsg::Ack {
                    session,
                    last: self.last_zxid(),
                },
            ),
            _ => {}
        }
    }
}
